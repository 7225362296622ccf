/* The interpreter: the reference semantics (exec, for the translator too), the loop that runs
 * one instruction at a time (fetch, decode through a cache of decoded instructions indexed by
 * pc and checked against the fetched bits, execute), and the checking loop for debuggers.
 * Without a translator, hart_run's instructions mostly run in threaded.c instead, which shares
 * ops.def's semantics and comes here for everything else. An instruction either completes (pc
 * advances, counters retire it) or raises an exception through hart_raise and has no other
 * architectural effect. */
#include "ops.h"
#include "predecode.h"

/* Decoded instructions, direct-mapped by pc / 2: consecutive instructions sit in consecutive
 * entries, so a loop's body stays in a few cache lines. An entry is used only if both its pc
 * and its raw bits match what was just fetched. */
#define DCACHE_SIZE 16384

struct dcache_entry {
    uint64_t pc_plus1; /* 0: empty (pc + 1 is never 0 for a 2-byte-aligned pc) */
    struct insn in;
};
static _Thread_local struct dcache_entry dcache[DCACHE_SIZE];

static inline const struct insn *decode_cached(uint64_t pc, uint32_t raw)
{
    struct dcache_entry *e = &dcache[(pc >> 1) & (DCACHE_SIZE - 1)];
    if (UNLIKELY(e->pc_plus1 != pc + 1 || e->in.raw != raw)) {
        insn_decode(raw, &e->in);
        e->pc_plus1 = pc + 1;
    }
    return &e->in;
}

static inline void illegal(struct hart *h, const struct insn *in)
{
    hart_raise(h, EXC_ILLEGAL, in->raw);
}

static inline void wr(struct hart *h, unsigned rd, uint64_t v)
{
    h->x[rd] = v;
    h->x[0] = 0;
}

static ALWAYS_INLINE bool load(struct hart *h, const struct insn *in, unsigned size, bool sign)
{
    uint64_t va = h->x[in->rs1] + (uint64_t)in->imm, v;
    if (!mem_load(h, va, size, &v))
        return false;
    wr(h, in->rd, sign ? sext(v, size * 8) : v);
    return true;
}

static ALWAYS_INLINE bool store(struct hart *h, const struct insn *in, unsigned size)
{
    uint64_t va = h->x[in->rs1] + (uint64_t)in->imm;
    return mem_store(h, va, size, h->x[in->rs2]);
}

/* ---- A extension ---- */

static uint64_t amo_compute(unsigned op, uint64_t old, uint64_t src, unsigned size)
{
    if (size == 4) {
        old = sx32(old);
        src = sx32(src);
    }
    switch (op) {
    case OP_amoswap_w: case OP_amoswap_d: return src;
    case OP_amoadd_w: case OP_amoadd_d: return old + src;
    case OP_amoxor_w: case OP_amoxor_d: return old ^ src;
    case OP_amoand_w: case OP_amoand_d: return old & src;
    case OP_amoor_w: case OP_amoor_d: return old | src;
    case OP_amomin_w: case OP_amomin_d: return (int64_t)old < (int64_t)src ? old : src;
    case OP_amomax_w: case OP_amomax_d: return (int64_t)old > (int64_t)src ? old : src;
    case OP_amominu_w: case OP_amominu_d:
        if (size == 4)
            return (uint32_t)old < (uint32_t)src ? old : src;
        return old < src ? old : src;
    default: /* amomaxu */
        if (size == 4)
            return (uint32_t)old > (uint32_t)src ? old : src;
        return old > src ? old : src;
    }
}

/* AMOs are performed atomically on host RAM (each hart runs on its own host thread);
 * on MMIO they are a read followed by a write. Misaligned AMOs raise store/AMO misaligned. */
static bool amo(struct hart *h, const struct insn *in, unsigned size)
{
    uint64_t va = h->x[in->rs1], pa, old;
    if (va & (size - 1)) {
        hart_raise(h, EXC_STORE_MISALIGNED, va);
        return false;
    }
    if (!mmu_translate(h, va, size, ACC_STORE, &pa))
        return false;
    uint64_t src = h->x[in->rs2];
    uint8_t *p = bus_ram_ptr(h->bus, pa, size);
    if (p) {
        if (size == 4) {
            uint32_t cur = __atomic_load_n((uint32_t *)p, __ATOMIC_RELAXED), next;
            do {
                next = (uint32_t)amo_compute(in->op, cur, src, 4);
            } while (!__atomic_compare_exchange_n((uint32_t *)p, &cur, next, true,
                                                  __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
            old = cur;
        } else {
            uint64_t cur = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED), next;
            do {
                next = amo_compute(in->op, cur, src, 8);
            } while (!__atomic_compare_exchange_n((uint64_t *)p, &cur, next, true,
                                                  __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
            old = cur;
        }
        bus_note_write(h->bus, pa, size);
    } else {
        if (bus_read(h->bus, pa, size, &old) ||
            bus_write(h->bus, pa, size, amo_compute(in->op, old, src, size))) {
            hart_raise(h, EXC_STORE_ACCESS, va);
            return false;
        }
    }
    wr(h, in->rd, size == 4 ? sx32(old) : old);
    return true;
}

/* LR/SC across harts that run on their own host threads: LR remembers the address and the
 * value it loaded; SC stores only by a compare-and-swap of that value at that address, so it
 * fails if any hart (or device) changed the word in between and succeeds otherwise. This is
 * QEMU's method too. Its caveat is ABA: a word changed and changed back between the LR and the
 * SC lets the SC succeed, where the ISA would fail it. Lock-free code built on LR/SC compares
 * values anyway (a CAS loop cannot tell either), so no algorithm the kernel or libc uses
 * notices; a test that needs exact reservation loss must store a different value. */
static bool load_reserved(struct hart *h, const struct insn *in, unsigned size)
{
    uint64_t va = h->x[in->rs1], v;
    if (va & (size - 1)) {
        hart_raise(h, EXC_LOAD_MISALIGNED, va);
        return false;
    }
    if (!mem_load(h, va, size, &v))
        return false;
    h->resv_addr = va;
    h->resv_value = v;
    h->resv_valid = true;
    wr(h, in->rd, size == 4 ? sx32(v) : v);
    return true;
}

/* Stores val at pa if the size bytes there still hold expect; true if it stored. RAM is a host
 * compare-and-swap; MMIO (no other hart can reserve a device register meaningfully) is a read,
 * a compare and a write. *fault is set if the bus refused the access. */
static bool compare_and_store(struct hart *h, uint64_t pa, unsigned size, uint64_t expect,
                              uint64_t val, bool *fault)
{
    uint8_t *p = bus_ram_ptr(h->bus, pa, size);
    *fault = false;
    if (p) {
        bool stored;
        if (size == 4) {
            uint32_t want = (uint32_t)expect;
            stored = __atomic_compare_exchange_n((uint32_t *)p, &want, (uint32_t)val, false,
                                                 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        } else {
            stored = __atomic_compare_exchange_n((uint64_t *)p, &expect, val, false,
                                                 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        }
        if (stored)
            bus_note_write(h->bus, pa, size);
        return stored;
    }
    uint64_t cur;
    if (bus_read(h->bus, pa, size, &cur)) {
        *fault = true;
        return false;
    }
    if (cur != expect)
        return false;
    *fault = bus_write(h->bus, pa, size, val) != 0;
    return !*fault;
}

/* A misaligned SC always traps; otherwise, as QEMU does, an SC whose address does not match
 * the reservation fails without touching memory (so it cannot page-fault). The reservation
 * is consumed either way. */
static bool store_conditional(struct hart *h, const struct insn *in, unsigned size)
{
    uint64_t va = h->x[in->rs1], pa;
    if (va & (size - 1)) {
        hart_raise(h, EXC_STORE_MISALIGNED, va);
        return false;
    }
    bool held = h->resv_valid && h->resv_addr == va;
    h->resv_valid = false;
    if (!held) {
        wr(h, in->rd, 1);
        return true;
    }
    /* Translated as a store: permissions, the D bit and PMP are those of a store. */
    if (!mmu_translate(h, va, size, ACC_STORE, &pa))
        return false;
    bool fault;
    bool stored = compare_and_store(h, pa, size, h->resv_value, h->x[in->rs2], &fault);
    if (fault) {
        hart_raise(h, EXC_STORE_ACCESS, va);
        return false;
    }
    wr(h, in->rd, stored ? 0 : 1);
    return true;
}

/* ---- Zicsr ---- */

static bool csr_op(struct hart *h, const struct insn *in)
{
    unsigned csr = (unsigned)in->imm;
    bool imm_form = in->op >= OP_csrrwi;
    uint64_t src = imm_form ? in->rs1 : h->x[in->rs1];
    bool is_rw = in->op == OP_csrrw || in->op == OP_csrrwi;
    /* csrrs/csrrc with x0 (or uimm 0) do not write; csrrw with rd=x0 does not read. */
    bool writes = is_rw || in->rs1 != 0;
    bool reads = !is_rw || in->rd != 0;
    if (!csr_accessible(h, csr, writes)) {
        illegal(h, in);
        return false;
    }
    uint64_t old = reads ? csr_read(h, csr) : 0;
    if (writes) {
        uint64_t val = is_rw ? src : (in->op == OP_csrrs || in->op == OP_csrrsi) ? old | src
                                                                                  : old & ~src;
        csr_write(h, csr, val);
    }
    wr(h, in->rd, old);
    return true;
}

/* ---- Privileged ---- */

static bool xret(struct hart *h, const struct insn *in)
{
    uint64_t s = h->mstatus, old = s;
    if (in->op == OP_mret) {
        if (h->priv < PRIV_M) {
            illegal(h, in);
            return false;
        }
        unsigned mpp = (unsigned)((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
        s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
        s |= MSTATUS_MPIE;
        s &= ~MSTATUS_MPP; /* MPP becomes U, the least-privileged mode */
        if (mpp != PRIV_M)
            s &= ~MSTATUS_MPRV;
        h->priv = (uint8_t)mpp;
        h->pc = h->mepc;
    } else {
        if (h->priv < PRIV_S || (h->priv == PRIV_S && (s & MSTATUS_TSR))) {
            illegal(h, in);
            return false;
        }
        unsigned spp = (s & MSTATUS_SPP) ? PRIV_S : PRIV_U;
        s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
        s |= MSTATUS_SPIE;
        s &= ~MSTATUS_SPP;
        s &= ~MSTATUS_MPRV; /* returning to S or U always leaves M's MPRV off */
        h->priv = (uint8_t)spp;
        h->pc = h->sepc;
    }
    h->mstatus = s;
    /* Each privilege has its own TLB; only M-mode's data view (MPRV, and MPP under it) may
     * have changed. */
    if (((old | s) & MSTATUS_MPRV) && ((old ^ s) & (MSTATUS_MPRV | MSTATUS_MPP)))
        hart_tlb_flush_data(h);
    return true;
}

static bool system_op(struct hart *h, const struct insn *in)
{
    switch (in->op) {
    case OP_ecall:
        hart_raise(h, h->priv == PRIV_U ? EXC_ECALL_U : h->priv == PRIV_S ? EXC_ECALL_S
                                                                          : EXC_ECALL_M, 0);
        return false;
    case OP_ebreak:
        hart_raise(h, EXC_BREAKPOINT, 0); /* tval may be pc or 0; QEMU 7.2 writes 0 */
        return false;
    case OP_wfi:
        if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TW))) {
            illegal(h, in);
            return false;
        }
        if (!hart_irq_wakeup(h))
            h->wfi = true;
        return true;
    case OP_sfence_vma:
        if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))) {
            illegal(h, in);
            return false;
        }
        if (in->rs1)
            hart_tlb_flush_page(h, h->x[in->rs1]); /* (ASIDs are not kept: any rs2 is all) */
        else
            hart_tlb_flush(h);
        return true;
    }
    return true;
}

/* Executes one decoded instruction at h->pc. */
/* Inlined into both run loops: the call and the reloads around it cost more than the code. */
static ALWAYS_INLINE void exec(struct hart *h, const struct insn *in)
{
    uint64_t pc = h->pc, next = pc + in->len;
    uint64_t a = h->x[in->rs1], b = h->x[in->rs2];
    int64_t imm = in->imm;
    unsigned rd = in->rd;

    switch ((enum op)in->op) {
#define ALU(name, result) case OP_##name: wr(h, rd, (result)); break;
#define BR(name, cond) case OP_##name: if (cond) next = pc + (uint64_t)imm; break;
#define LD(name, size, sign) case OP_##name: if (!load(h, in, size, sign)) return; break;
#define ST(name, size) case OP_##name: if (!store(h, in, size)) return; break;
#include "ops.def"
#undef ALU
#undef BR
#undef LD
#undef ST
    case OP_jal:
        wr(h, rd, next);
        next = pc + (uint64_t)imm;
        break;
    case OP_jalr:
        next = (a + (uint64_t)imm) & ~1ull;
        wr(h, rd, pc + in->len);
        break;
    case OP_fence: break;
    case OP_fence_i: break; /* decoding is keyed by instruction bits; code writes invalidate */

    case OP_lr_w: if (!load_reserved(h, in, 4)) return; break;
    case OP_lr_d: if (!load_reserved(h, in, 8)) return; break;
    case OP_sc_w: if (!store_conditional(h, in, 4)) return; break;
    case OP_sc_d: if (!store_conditional(h, in, 8)) return; break;
    case OP_amoswap_w: case OP_amoadd_w: case OP_amoxor_w: case OP_amoand_w: case OP_amoor_w:
    case OP_amomin_w: case OP_amomax_w: case OP_amominu_w: case OP_amomaxu_w:
        if (!amo(h, in, 4)) return;
        break;
    case OP_amoswap_d: case OP_amoadd_d: case OP_amoxor_d: case OP_amoand_d: case OP_amoor_d:
    case OP_amomin_d: case OP_amomax_d: case OP_amominu_d: case OP_amomaxu_d:
        if (!amo(h, in, 8)) return;
        break;

    case OP_csrrw: case OP_csrrs: case OP_csrrc: case OP_csrrwi: case OP_csrrsi: case OP_csrrci:
        if (!csr_op(h, in)) return;
        break;
    case OP_ecall: case OP_ebreak: case OP_wfi: case OP_sfence_vma:
        if (!system_op(h, in)) return;
        break;
    case OP_mret: case OP_sret:
        xret(h, in);
        return; /* pc already set (or exception raised) */

    case OP_ILLEGAL:
    case OP_COUNT:
        goto bad;
    default:
        /* Everything else is F or D. */
        if (!(h->mstatus & MSTATUS_FS))
            goto bad;
        if (!exec_fp(h, in))
            return;
        break;
    }
    h->pc = next;
    return;
bad:
    illegal(h, in);
}

/* Counts a completed instruction: minstret and mcycle (one cycle per instruction) advance
 * unless mcountinhibit holds them. */
static inline void retire(struct hart *h)
{
    if (LIKELY(!h->mcountinhibit)) {
        h->minstret++;
        h->mcycle++;
        return;
    }
    if (!(h->mcountinhibit & 4))
        h->minstret++;
    if (!(h->mcountinhibit & 1))
        h->mcycle++;
}

/* hart_run's loop for a hart under a debugger or an instruction trace: the same steps, plus
 * the breakpoint test before each instruction, the watchpoint test after each access, the
 * single step, and the trace lines. Kept apart so that the plain loop pays nothing for it. */
static uint64_t run_debug(struct hart *h, uint64_t budget)
{
    static const struct hart_debug none;
    const struct hart_debug *d = h->dbg ? h->dbg : &none;
    bool skip = h->dbg_skip_break;
    uint64_t n = 0;
    h->dbg_skip_break = false;
    h->dbg_event = HART_EV_NONE;
    while (n < budget && !__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
        if (UNLIKELY((n & 1023) == 1023))
            csr_update_stip(h);
        /* A single step does not take interrupts (as QEMU's default), or stepping would
         * always land in the timer handler. */
        if (!h->dbg_step && (atomic_load_explicit(&h->mip, memory_order_relaxed) & h->mie))
            trap_check_interrupts(h);
        if (d->nbreak && !skip && debug_break_at(d, h->pc)) {
            h->dbg_event = HART_EV_BREAK;
            break;
        }
        skip = false;
        uint32_t raw;
        n++;
        if (!mem_fetch(h, h->pc, &raw)) {
            h->exc_pending = false;
            trap_enter(h, false, h->exc_cause, h->exc_tval, h->pc);
        } else {
            const struct insn *in = decode_cached(h->pc, raw);
            uint64_t va = 0;
            unsigned size = 0, kind = 0, wkind;
            bool access = d->nwatch && debug_mem_access(h, in, &va, &size, &kind);
            if (d->trace)
                debug_trace_insn(h, in);
            exec(h, in);
            if (h->exc_pending) {
                h->exc_pending = false;
                trap_enter(h, false, h->exc_cause, h->exc_tval, h->pc);
            } else {
                retire(h);
                if (access && debug_watch_hit(d, va, size, kind, &h->dbg_watch_addr, &wkind)) {
                    h->dbg_watch_kind = (uint8_t)wkind;
                    h->dbg_event = HART_EV_WATCH;
                    break;
                }
            }
        }
        if (h->dbg_step) {
            h->dbg_event = HART_EV_STEP;
            break;
        }
        if (UNLIKELY(h->wfi))
            break;
    }
    return n;
}

bool interp_exec_one(struct hart *h, const struct insn *in)
{
    exec(h, in);
    return !h->exc_pending;
}

uint64_t hart_run(struct hart *h, uint64_t budget)
{
    csr_update_stip(h);
    if (h->wfi) {
        if (!hart_irq_wakeup(h))
            return 0;
        h->wfi = false;
    }
    if (UNLIKELY(h->debug))
        return run_debug(h, budget);
    if (h->jit)
        return jit_run(h, budget);
    return interp_run(h, budget);
}

const struct insn *interp_decode(uint64_t pc, uint32_t raw)
{
    return decode_cached(pc, raw);
}

/* Without a translator the hart runs predecoded pages (threaded.c); with one, the
 * interpreter only runs the odd instruction the translator leaves to it, one at a time. */
uint64_t interp_run(struct hart *h, uint64_t budget)
{
    struct predecode *pd = h->jit ? NULL : predecode_for(h);
    if (pd)
        return threaded_run(h, pd, budget);
    return interp_steps(h, budget);
}

uint64_t interp_steps(struct hart *h, uint64_t budget)
{
    uint64_t n = 0;
    while (n < budget && !__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
        if (UNLIKELY((n & 1023) == 1023))
            csr_update_stip(h);
        if (UNLIKELY(atomic_load_explicit(&h->mip, memory_order_relaxed) & h->mie))
            trap_check_interrupts(h);
        uint32_t raw;
        n++;
        if (UNLIKELY(!mem_fetch(h, h->pc, &raw))) {
            h->exc_pending = false;
            trap_enter(h, false, h->exc_cause, h->exc_tval, h->pc);
            continue;
        }
        exec(h, decode_cached(h->pc, raw));
        if (UNLIKELY(h->exc_pending)) {
            h->exc_pending = false;
            trap_enter(h, false, h->exc_cause, h->exc_tval, h->pc);
            continue;
        }
        retire(h);
        if (UNLIKELY(h->wfi))
            break;
    }
    return n;
}
