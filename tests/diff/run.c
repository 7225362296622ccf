/* One program under both engines. The reference interpreter steps one instruction at a time
 * (hart_run(h, 1), which is the same machine as a longer run: an instruction that traps
 * counts as one, WFI ends the step), so each step's instruction is known for coverage and
 * traces; the engine under test runs chunks of random size. After each chunk the two must
 * agree (compare.c) and must have run the same number of instructions.
 *
 * A WFI inside the block stops both engines (no interrupt can wake them: the handlers mask
 * them); the loop clears it on both and goes on, as an interrupt would. The M handler's WFI at
 * MEND_OFF is the program's end.
 *
 * On a divergence the program is replayed from its start: the agreed chunks again, then the
 * diverging chunk's budget is bisected to the first instruction after which the states differ,
 * and that instruction, its predecessors and the differences are printed. */
#include "diff.h"

#include <inttypes.h>
#include <string.h>

#define END_PC (HANDLER_PA + MEND_OFF + 8) /* after the end's wfi */
#define MAX_CHUNKS 200000
#define TRACE_DEPTH 32 /* a translated block is at most 64 instructions; most are short */

struct chunk {
    uint64_t budget;
    bool woke; /* the chunk ended in a WFI that the loop then cleared */
};
static struct chunk chunks[MAX_CHUNKS];

struct step {
    uint64_t n, pc;
    uint32_t raw;
    uint8_t priv;
    bool fetched;
};

static bool at_end(const struct hart *h)
{
    return h->wfi && h->priv == PRIV_M && h->pc == END_PC;
}

static uint64_t pick_chunk(struct rng *r)
{
    unsigned k = (unsigned)rng_below(r, 100);
    if (k < 5)
        return 1;
    if (k < 20)
        return 2 + rng_below(r, 9);
    if (k < 60)
        return 10 + rng_below(r, 190);
    return 200 + rng_below(r, 4800);
}

/* The instruction at the hart's pc, as fetched through its current translation. */
static struct step peek(struct hart *h, uint64_t n)
{
    struct step s = {n, h->pc, 0, h->priv, false};
    uint8_t b[4] = {0};
    size_t got = hart_debug_read(h, h->pc, b, 4, false);
    s.raw = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    if ((s.raw & 3) != 3) {
        s.raw &= 0xffff;
        s.fetched = got >= 2;
    } else {
        s.fetched = got == 4;
    }
    return s;
}

/* One trace line; mark flags a suspect. */
static void print_step(FILE *f, const struct step *s, bool mark)
{
    static const char mode[] = "USHM";
    char text[96] = "(no fetch)";
    if (s->fetched) {
        struct insn in;
        insn_decode(s->raw, &in);
        insn_disasm(&in, s->pc, text, sizeof(text));
    }
    fprintf(f, "  %c #%-7" PRIu64 " %c 0x%08" PRIx64 "  %0*x  %s\n", mark ? '*' : ' ', s->n,
            mode[s->priv & 3], s->pc, (s->raw & 3) == 3 ? 8 : 4, s->raw, text);
}

/* Marks, for each register in xs and fs, the last step of the window whose destination field
 * names it: where a wrong value most likely came from. */
static void mark_writers(const struct step *trace, unsigned first, unsigned end, uint32_t xs,
                         uint32_t fs, bool *mark)
{
    for (unsigned i = end; i-- > first;) {
        const struct step *s = &trace[i % TRACE_DEPTH];
        struct insn in;
        if (!s->fetched)
            continue;
        insn_decode(s->raw, &in);
        bool no_rd = (in.op >= OP_beq && in.op <= OP_bgeu) || (in.op >= OP_sb && in.op <= OP_sd) ||
                     in.op == OP_fsw || in.op == OP_fsd || in.op == OP_fence ||
                     in.op == OP_fence_i || (in.op >= OP_ecall && in.op <= OP_ebreak) ||
                     (in.op >= OP_mret && in.op <= OP_sfence_vma);
        if (in.row == ROW_ILLEGAL || !in.rd || no_rd)
            continue;
        bool fp = in.op >= OP_flw && in.op < OP_ILLEGAL;
        uint32_t *set = fp ? &fs : &xs;
        if (*set >> in.rd & 1) {
            mark[i - first] = true;
            *set &= ~(1u << in.rd);
        }
        /* F ops that write x registers (compares, moves, conversions) count for both. */
        if (fp && xs >> in.rd & 1) {
            mark[i - first] = true;
            xs &= ~(1u << in.rd);
        }
    }
}

/* Credits the instruction at pc to its row, unless the step was an interrupt (the handler ran
 * instead) or the fetch faulted. Code is identity-mapped, so RAM at pc is what was fetched. */
static void credit(struct machine *m, uint64_t pc, uint32_t raw, bool irq, struct run_stats *st)
{
    const struct hart *h = &m->hart;
    if (irq || pc - CODE_PA >= CODE_SIZE)
        return;
    if ((h->mcause == EXC_INSN_ACCESS || h->mcause == EXC_INSN_PAGE) && h->mepc == pc &&
        h->priv == PRIV_M && (h->pc & ~3ull) == (h->mtvec & ~3ull))
        return;
    struct insn in;
    insn_decode((raw & 3) == 3 ? raw : raw & 0xffff, &in);
    st->row_hits[in.row]++;
}

/* One reference step; returns the count hart_run gave (0: asleep in WFI). */
static uint64_t ref_step(struct machine *m, struct run_stats *st)
{
    struct hart *h = &m->hart;
    uint64_t pc = h->pc;
    uint8_t priv = h->priv;
    bool irq = (atomic_load(&h->mip) & h->mie) != 0;
    uint32_t raw = 0;
    if (st && pc - CODE_PA < CODE_SIZE)
        memcpy(&raw, m->bus.ram + (pc - RAM_BASE), pc - CODE_PA <= CODE_SIZE - 4 ? 4 : 2);
    uint64_t n = hart_run(h, 1);
    if (n && st) {
        st->insns++;
        st->insns_priv[priv & 3]++;
        credit(m, pc, raw, irq, st);
    }
    return n;
}

/* Steps the reference up to k instructions, stopping after a WFI; returns the count. */
static uint64_t ref_chunk(struct machine *m, uint64_t k, struct run_stats *st, bool verbose,
                          uint64_t base, FILE *f)
{
    uint64_t n = 0;
    while (n < k) {
        if (verbose) {
            struct step s = peek(&m->hart, base + n);
            print_step(f, &s, false);
        }
        if (!ref_step(m, st))
            break;
        n++;
        if (m->hart.wfi)
            break;
    }
    return n;
}

/* ---- Finding the first differing instruction ---- */

/* Loads both machines and replays the first nagreed chunks on test and the same instruction
 * count on ref. Returns that count. */
static uint64_t replay_prefix(const struct prog *p, struct machine *ref, struct machine *test,
                              unsigned nagreed)
{
    machine_load(ref, p);
    machine_load(test, p);
    uint64_t done = 0;
    for (unsigned i = 0; i < nagreed; i++) {
        uint64_t n = machine_run(test, chunks[i].budget);
        ref_chunk(ref, n, NULL, false, 0, NULL);
        done += n;
        if (chunks[i].woke)
            ref->hart.wfi = test->hart.wfi = false;
    }
    return done;
}

/* Does running m more instructions (test: one hart_run of m) leave the engines different?
 * Leaves the machines in that state; trace gets the reference's last steps. */
static bool differs_after(const struct prog *p, struct machine *ref, struct machine *test,
                          unsigned nagreed, uint64_t m, struct step *trace, unsigned *ntrace,
                          uint64_t *nref, uint64_t *ntest)
{
    uint64_t base = replay_prefix(p, ref, test, nagreed);
    *ntest = machine_run(test, m);
    uint64_t n = 0;
    *ntrace = 0;
    while (n < m) {
        trace[*ntrace % TRACE_DEPTH] = peek(&ref->hart, base + n);
        if (!ref_step(ref, NULL))
            break;
        (*ntrace)++;
        n++;
        if (ref->hart.wfi)
            break;
    }
    *nref = n;
    return *nref != *ntest || !compare_machines(ref, test, NULL, NULL, NULL);
}

static void locate(const struct prog *p, struct machine *ref, struct machine *test,
                   unsigned nagreed, uint64_t budget, FILE *f)
{
    struct step trace[TRACE_DEPTH];
    unsigned ntrace;
    uint64_t nref, ntest;
    if (!differs_after(p, ref, test, nagreed, budget, trace, &ntrace, &nref, &ntest)) {
        fprintf(f, "diff: the divergence did not reproduce on replay: an engine is not "
                   "deterministic\n");
        return;
    }
    /* lo agrees (0 always does: the prefix agreed), hi differs. */
    uint64_t lo = 0, hi = budget;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (differs_after(p, ref, test, nagreed, mid, trace, &ntrace, &nref, &ntest))
            hi = mid;
        else
            lo = mid;
    }
    differs_after(p, ref, test, nagreed, hi, trace, &ntrace, &nref, &ntest);
    fprintf(f,
            "diff: %u chunks agreed; then a run of %s with budget %" PRIu64 " ran %" PRIu64
            " instructions and the reference %" PRIu64 ", and they differ; with a budget one"
            " smaller they agree\n",
            nagreed, test->name, hi, ntest, nref);
    fprintf(f, "diff: the translator runs a block only when the whole block fits the budget, so "
               "the wrong instruction is the last line or an earlier one of its block; '*' marks "
               "the last writers of differing registers:\n");
    uint32_t xs, fs;
    bool same = compare_machines(ref, test, NULL, &xs, &fs);
    unsigned shown = ntrace < TRACE_DEPTH ? ntrace : TRACE_DEPTH, first = ntrace - shown;
    bool mark[TRACE_DEPTH] = {false};
    mark_writers(trace, first, ntrace, xs, fs, mark);
    for (unsigned i = first; i < ntrace; i++)
        print_step(f, &trace[i % TRACE_DEPTH], mark[i - first]);
    fprintf(f, "diff: the state after the last line (%s = reference):\n", ref->name);
    compare_machines(ref, test, f, NULL, NULL);
    if (same && nref != ntest)
        fprintf(f, "    (registers, CSRs and RAM agree; only the instruction count differs)\n");
}

/* The generator's promise (diff.h): a program that ends through its end slot (a fetch fault
 * at address 0; other fetch faults may cut a unit short) has its base registers and x3 as
 * they were and the log pointer still in the log. Otherwise a garbage instruction ran, which
 * could have scribbled on page tables behind the TLB's back and made the engines legitimately
 * differ: a harness bug, reported as such. */
static bool invariants_hold(const struct prog *p, const struct hart *h, FILE *f)
{
    static const uint8_t regs[] = {REG_SP, REG_ALIAS, REG_EDGE, REG_B1, REG_B2};
    if (h->mepc != 0)
        return true;
    bool ok = h->x[REG_LOG] - LOG_PA < PAGE;
    for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
        if (h->x[regs[i]] != p->init.x[regs[i]]) {
            fprintf(f, "diff: x%u was 0x%" PRIx64 ", is 0x%" PRIx64 "\n", regs[i],
                    p->init.x[regs[i]], h->x[regs[i]]);
            ok = false;
        }
    if (!ok)
        fprintf(f,
                "diff: harness bug: program %" PRIu64 " of seed %" PRIu64
                " ended with a reserved register changed\n",
                p->index, p->seed);
    return ok;
}

bool run_prog(const struct prog *p, struct machine *ref, struct machine *test, uint64_t chunk_seed,
              struct run_stats *st, bool verbose, FILE *f)
{
    struct rng cr;
    rng_seed(&cr, chunk_seed);
    machine_load(ref, p);
    machine_load(test, p);
    uint64_t done = 0;
    unsigned nchunks = 0;
    bool ok = true;
    while (done < p->budget && nchunks < MAX_CHUNKS) {
        uint64_t k = pick_chunk(&cr);
        if (k > p->budget - done)
            k = p->budget - done;
        chunks[nchunks] = (struct chunk){k, false};
        uint64_t nt = machine_run(test, k);
        uint64_t nr = ref_chunk(ref, k, st, verbose, done, f);
        nchunks++;
        st->chunks++;
        if (verbose)
            fprintf(f,
                    "diff: chunk %u: budget %" PRIu64 ", reference ran %" PRIu64 ", %s ran %" PRIu64
                    "\n",
                    nchunks, k, nr, test->name, nt);
        if (nt != nr || !compare_machines(ref, test, NULL, NULL, NULL)) {
            fprintf(f,
                    "diff: DIVERGENCE in chunk %u (budget %" PRIu64 ") after %" PRIu64
                    " instructions\n",
                    nchunks, k, done);
            locate(p, ref, test, nchunks - 1, k, f);
            ok = false;
            break;
        }
        done += nr;
        if (ref->hart.wfi) {
            if (at_end(&ref->hart)) {
                st->ended++;
                st->broken += !invariants_hold(p, &ref->hart, f);
                break;
            }
            chunks[nchunks - 1].woke = true;
            ref->hart.wfi = test->hart.wfi = false;
        } else if (nr == 0) {
            break;
        }
    }
    machine_add_stats(test);
    return ok;
}
