/* A machine of the test: one bus with RAM only and one hart, run by the interpreter or, with a
 * translator attached, by translated code. Loading a program gives a fresh translator, so no
 * translation outlives the memory image it was made from. */
#include "cpu/cpu_priv.h"
#include "diff.h"

#include <string.h>

#include "jit/jit.h"

static struct jit_stats totals;

/* The time CSR: a constant per program, so that reading it is deterministic. */
static uint64_t fixed_time(void *ctx)
{
    return *(const uint64_t *)ctx;
}

void machine_init(struct machine *m, const char *name, bool jit)
{
    memset(m, 0, sizeof(*m));
    m->name = name;
    m->jit = jit;
    m->mutant_row = -1;
    bus_init(&m->bus, RAM_BASE, RAM_SIZE);
    hart_init(&m->hart, 0, &m->bus);
}

/* The mutant: after each instruction of mutant_row that completes, the low bit of its x
 * destination flips, as a translator bug in that instruction would. */
uint64_t machine_run(struct machine *m, uint64_t budget)
{
    struct hart *h = &m->hart;
    if (m->mutant_row < 0)
        return hart_run(h, budget);
    uint64_t n = 0;
    while (n < budget) {
        uint8_t b[4] = {0};
        uint64_t pc = h->pc, retired = h->minstret;
        size_t got = hart_debug_read(h, pc, b, 4, false);
        uint32_t raw =
            (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        struct insn in;
        insn_decode((raw & 3) == 3 ? raw : raw & 0xffff, &in);
        uint64_t k = hart_run(h, 1);
        if (!k)
            break;
        n += k;
        if (got == 4 && in.row == (unsigned)m->mutant_row && h->minstret != retired && in.rd)
            h->x[in.rd] ^= 1;
        if (h->wfi)
            break;
    }
    return n;
}

void machine_free(struct machine *m)
{
    if (m->attached)
        jit_detach(&m->hart);
    hart_free(&m->hart); /* the interpreter's predecoded pages and their code-page record */
    bus_free(&m->bus);
}

void machine_load(struct machine *m, const struct prog *p)
{
    struct hart *h = &m->hart;
    if (m->attached)
        jit_detach(h); /* the last hart of the bus: its code-page record goes too */
    hart_free(h);      /* likewise the interpreter's predecoded pages, before hart_init */
    m->attached = false;
    if (bus_copy_to(&m->bus, RAM_BASE, p->ram, RAM_SIZE) != 0)
        die("diff: cannot load the program image");
    hart_init(h, 0, &m->bus);
    const struct arch_state *s = &p->init;
    memcpy(h->x, s->x, sizeof(h->x));
    memcpy(h->f, s->f, sizeof(h->f));
    h->pc = s->pc;
    h->priv = s->priv;
    h->mstatus = s->mstatus;
    h->medeleg = s->medeleg;
    h->mideleg = s->mideleg;
    h->mie = s->mie;
    atomic_store(&h->mip, s->mip);
    h->mtvec = s->mtvec;
    h->stvec = s->stvec;
    h->satp = s->satp;
    h->menvcfg = s->menvcfg;
    h->senvcfg = s->senvcfg;
    h->stimecmp = s->stimecmp;
    h->mcounteren = s->mcounteren;
    h->scounteren = s->scounteren;
    h->mcountinhibit = s->mcountinhibit;
    h->mcycle = s->mcycle;
    h->minstret = s->minstret;
    h->mscratch = s->mscratch;
    h->sscratch = s->sscratch;
    h->mepc = s->mepc;
    h->sepc = s->sepc;
    h->mcause = s->mcause;
    h->mtval = s->mtval;
    h->scause = s->scause;
    h->stval = s->stval;
    h->fflags = s->fflags;
    h->frm = s->frm;
    memcpy(h->pmpcfg, s->pmpcfg, sizeof(h->pmpcfg));
    memcpy(h->pmpaddr, s->pmpaddr, sizeof(h->pmpaddr));
    m->time = p->time;
    h->read_time = fixed_time;
    h->time_ctx = &m->time;
    csr_update_stip(h); /* what the CLINT would have driven before the first instruction */
    hart_tlb_flush(h);
    /* A small cache, so that long programs also exercise the flush when it fills. */
    if (m->jit) {
        if (jit_attach(h, JIT_MIN_CODE_SIZE) != 0)
            die("diff: jit_attach failed");
        m->attached = true;
    }
}

void machine_add_stats(struct machine *m)
{
    if (!m->jit)
        return;
    struct jit_stats s;
    jit_get_stats(&m->hart, &s);
    totals.blocks += s.blocks;
    totals.guest_insns += s.guest_insns;
    totals.cache_flushes += s.cache_flushes;
    totals.insns_jit += s.insns_jit;
    totals.insns_interp += s.insns_interp;
    totals.helper_calls += s.helper_calls;
    totals.chains += s.chains;
    totals.invalidations += s.invalidations;
    totals.exits += s.exits;
}

void machine_print_jit_stats(FILE *f)
{
    uint64_t all = totals.insns_jit + totals.insns_interp;
    fprintf(f,
            "diff: translator: %.1f%% of %llu instructions in translated code; %llu blocks, "
            "%llu chains, %llu invalidations, %llu cache flushes, %llu exits\n",
            all ? 100.0 * (double)totals.insns_jit / (double)all : 0.0, (unsigned long long)all,
            (unsigned long long)totals.blocks, (unsigned long long)totals.chains,
            (unsigned long long)totals.invalidations, (unsigned long long)totals.cache_flushes,
            (unsigned long long)totals.exits);
}
