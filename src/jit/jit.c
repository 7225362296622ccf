/* The translator's life on a hart: attaching (code buffer, block table, the bus's shared
 * code-page record), the dispatcher loop that finds blocks and runs them, and the counters
 * behind `info jit`. */
#include "jit_priv.h"

#include <stdio.h>
#include <stdlib.h>

/* The shared record of one bus, made by its first translator. Harts of one machine attach on
 * the machine's thread before any runs, so creating it needs no lock. */
static struct jit_shared *shared_for(struct bus *bus)
{
    if (bus->code_ctx)
        return bus->code_ctx;
    struct jit_shared *sh = calloc(1, sizeof(*sh));
    _Atomic uint8_t *pages = calloc(bus->ram_size >> 12, 1);
    if (!sh || !pages) {
        free(sh);
        free((void *)pages);
        return NULL;
    }
    sh->bus = bus;
    pthread_mutex_init(&sh->lock, NULL);
    bus->code_ctx = sh;
    bus->on_code_write = cache_code_written;
    bus->code_pages = pages;
    return sh;
}

int jit_attach(struct hart *h, uint64_t code_size)
{
    if (!code_size)
        code_size = JIT_DEFAULT_CODE_SIZE;
    if (code_size < JIT_MIN_CODE_SIZE)
        code_size = JIT_MIN_CODE_SIZE;
    struct jit_shared *sh = shared_for(h->bus);
    if (!sh || sh->n == JIT_MAX_HARTS)
        return -ERR_NOMEM;
    struct jit *j = calloc(1, sizeof(*j));
    if (!j)
        return -ERR_NOMEM;
    int rc = codemem_init(&j->mem, code_size);
    if (rc) {
        free(j);
        return rc;
    }
    j->maxblocks = (unsigned)(code_size / 64);
    j->blocks = calloc(j->maxblocks, sizeof(*j->blocks));
    if (!j->blocks) {
        codemem_free(&j->mem);
        free(j);
        return -ERR_NOMEM;
    }
    j->h = h;
    j->shared = sh;
    pthread_mutex_init(&j->lock, NULL);
    translate_trampolines(j);
    j->used = j->code_start;
    pthread_mutex_lock(&sh->lock);
    sh->jits[sh->n++] = j;
    pthread_mutex_unlock(&sh->lock);
    h->jit = j;
    return 0;
}

void jit_detach(struct hart *h)
{
    struct jit *j = h->jit;
    if (!j)
        return;
    struct jit_shared *sh = j->shared;
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->n; i++)
        if (sh->jits[i] == j)
            sh->jits[i] = sh->jits[--sh->n];
    bool last = sh->n == 0;
    pthread_mutex_unlock(&sh->lock);
    if (last) {
        struct bus *bus = sh->bus;
        bus->code_ctx = NULL;
        bus->on_code_write = NULL;
        free((void *)bus->code_pages);
        bus->code_pages = NULL;
        pthread_mutex_destroy(&sh->lock);
        free(sh);
    }
    codemem_free(&j->mem);
    free(j->blocks);
    pthread_mutex_destroy(&j->lock);
    free(j);
    h->jit = NULL;
}

/* Runs up to n instructions in the interpreter (what the translator leaves to it). */
static void interpret(struct hart *h, int64_t n)
{
    uint64_t done = interp_run(h, (uint64_t)n);
    h->jit_budget -= (int64_t)done;
    h->jit->st.insns_interp += done;
    if (!done)
        h->jit_budget = 0; /* stopped before starting: let the caller see h->stop */
}

/* What a block is specialised on: the privilege (its TLB, its traps), mstatus.FS (whether
 * F/D instructions are legal and must mark the state dirty) and, while FS is on, frm (the
 * rounding mode of instructions that ask for the dynamic one). Only CSR instructions and
 * traps change them; a CSR instruction that does ends its block (helper_exec). */
static unsigned block_key(const struct hart *h)
{
    unsigned fs = (unsigned)((h->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT);
    return h->priv | fs << 2 | (fs ? (h->frm & 7) << 4 : 0);
}

/* The block at the hart's pc, or NULL when the pc is not in translatable RAM or its fetch
 * faults (then the caller interprets, which raises the fault exactly). */
static struct block *find_block(struct hart *h, uintptr_t *addend)
{
    struct jit *j = h->jit;
    uint64_t pc = h->pc;
    struct tlb_entry *e = tlb_slot(h, ACC_FETCH, pc);
    uintptr_t host;
    if (e->tag == (pc & ~0xfffull)) {
        host = (uintptr_t)(pc + e->addend);
    } else {
        uint32_t raw;
        /* Refills the fetch TLB for RAM pages the hart may execute. */
        if (!mmu_fetch_slow(h, pc, &raw)) {
            h->exc_pending = false; /* the interpreter will raise it again */
            return NULL;
        }
        if (e->tag != (pc & ~0xfffull))
            return NULL; /* ROM, MMIO, or a page PMP splits */
        host = (uintptr_t)(pc + e->addend);
    }
    *addend = e->addend;
    const uint8_t *page = (const uint8_t *)(host & ~(uintptr_t)0xfff);
    uint64_t pa = (uint64_t)(host - (uintptr_t)h->bus->ram) + h->bus->ram_base;
    struct block *b;
    while (!(b = cache_get(j, pc, pa, block_key(h), page)))
        ; /* the cache was full and has been flushed: translate again */
    return b;
}

/* The block at the hart's pc if the jump cache has it (as translated code would find it):
 * cheaper than the block table, and most returns to the dispatcher land on a known block. */
static struct block *jc_find(struct hart *h)
{
    struct jit *j = h->jit;
    uint64_t pc = h->pc;
    const struct jc_entry *jc = &j->jc[(pc >> 1) & (JIT_JC_SIZE - 1)];
    if (jc->vpc != pc || jc->gen != (h->tlb_gen << 7 | block_key(h)))
        return NULL;
    const struct tlb_entry *e = tlb_slot(h, ACC_FETCH, pc);
    if (e->tag != (pc & ~0xfffull) || e->addend != jc->addend)
        return NULL;
    struct block *b;
    memcpy(&b, jc->code - 8, sizeof(b));
    return b;
}

uint64_t jit_run(struct hart *h, uint64_t budget)
{
    struct jit *j = h->jit;
    h->jit_budget = (int64_t)budget;
    const uint8_t *site = NULL; /* the exit jump of the last block, to chain */
    uint64_t site_epoch = 0;
    uint64_t site_page = 0;
    unsigned site_key = 0;
    unsigned turns = 0;
    while (h->jit_budget > 0 && !h->stop && !h->wfi) {
        atomic_store(&h->exit_note, 0);
        /* The Sstc timer reads the clock: not at every exit (hart_run did at the start). */
        if (!(++turns & 15))
            csr_update_stip(h);
        if (atomic_load_explicit(&h->mip, memory_order_relaxed) & h->mie) {
            uint64_t pc = h->pc;
            if (trap_check_interrupts(h) || h->pc != pc)
                site = NULL;
        }
        uintptr_t addend = 0;
        uint64_t epoch = __atomic_load_n(&j->inval_epoch, __ATOMIC_ACQUIRE);
        struct block *b = jc_find(h);
        bool from_jc = b != NULL;
        if (!b)
            b = find_block(h, &addend);
        if (!b || b->interp || b->ninsns > h->jit_budget) {
            interpret(h, b && !b->interp ? h->jit_budget : 1);
            site = NULL;
            continue;
        }
        /* Chained blocks share a page and a key; a block may change FS (an F/D instruction
         * makes it dirty), so the key is compared too. */
        if (site && site_epoch == j->inval_epoch && site_page == (b->vpc >> 12) &&
            site_key == b->key)
            cache_chain(j, site, b);
        /* The jump cache holds blocks of this key and mapping generation only. */
        h->jit_ctx = h->tlb_gen << 7 | b->key;
        struct jc_entry *jc = &j->jc[(h->pc >> 1) & (JIT_JC_SIZE - 1)];
        if (from_jc)
            goto run;
        jc->vpc = h->pc;
        jc->gen = h->jit_ctx;
        jc->code = b->code;
        jc->addend = addend;
        /* Another hart's write may have invalidated b since we found it: keep it out of the
         * jump cache (running it once is what a hart without fence.i may see anyway). */
        if (__atomic_load_n(&j->inval_epoch, __ATOMIC_ACQUIRE) != epoch)
            jc->vpc = 1; /* no pc is odd */
    run:;
        int64_t before = h->jit_budget;
        site_epoch = j->inval_epoch;
        site_key = b->key;
        /* FS Off: no F/D instruction runs inline, MXCSR need not change */
        bool fp = KEY_FS(b->key) != 0;
        uint32_t host_mxcsr = fp ? translate_fp_enter(b->key) : 0;
        site = (const uint8_t *)(uintptr_t)j->enter(h, b->code);
        if (fp)
            translate_fp_leave(h, host_mxcsr);
        site_page = h->pc >> 12;
        j->st.exits++;
        /* Translated code only counts down the budget; what it used is what retired, less
         * an instruction that raised an exception. */
        uint64_t retired = (uint64_t)(before - h->jit_budget) - h->exc_pending;
        j->st.insns_jit += retired;
        if (!(h->mcountinhibit & 4))
            h->minstret += retired;
        if (!(h->mcountinhibit & 1))
            h->mcycle += retired;
        if (h->exc_pending) {
            h->exc_pending = false;
            trap_enter(h, false, h->exc_cause, h->exc_tval, h->pc);
            site = NULL;
        }
    }
    int64_t left = h->jit_budget > 0 ? h->jit_budget : 0;
    return budget - (uint64_t)left;
}

void jit_get_stats(const struct hart *h, struct jit_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (h->jit) {
        *out = h->jit->st;
        out->code_bytes = h->jit->used - h->jit->code_start;
    }
}

int jit_describe(const struct hart *h, char *buf, size_t size)
{
    struct jit_stats s;
    jit_get_stats(h, &s);
    if (!h->jit)
        return snprintf(buf, size, "hart %u: interpreter only (-accel interp)\n",
                        (unsigned)h->mhartid);
    uint64_t total = s.insns_jit + s.insns_interp;
    return snprintf(buf, size,
                    "hart %u:\n"
                    "  translated blocks   %llu (%llu guest instructions, %llu bytes of code)\n"
                    "  code cache flushes  %llu\n"
                    "  instructions        %llu translated, %llu interpreted (%.2f%% translated)\n"
                    "  helper calls        %llu\n"
                    "  chained jumps       %llu\n"
                    "  jump cache          %llu hits, %llu misses\n"
                    "  TLB misses          %llu (%llu flushes, invalidations and fence.i)\n"
                    "  invalidations       %llu\n"
                    "  exits               %llu\n",
                    (unsigned)h->mhartid, (unsigned long long)s.blocks,
                    (unsigned long long)s.guest_insns, (unsigned long long)s.code_bytes,
                    (unsigned long long)s.cache_flushes, (unsigned long long)s.insns_jit,
                    (unsigned long long)s.insns_interp,
                    total ? 100.0 * (double)s.insns_jit / (double)total : 0.0,
                    (unsigned long long)s.helper_calls, (unsigned long long)s.chains,
                    (unsigned long long)s.jc_hits, (unsigned long long)s.jc_misses,
                    (unsigned long long)s.tlb_misses, (unsigned long long)h->tlb_gen,
                    (unsigned long long)s.invalidations,
                    (unsigned long long)s.exits);
}
