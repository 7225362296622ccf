/* The interpreter's fast loop: direct-threaded code over predecoded pages (predecode.h). Each
 * handler runs one uop (or a fused pair, uops.h) and jumps straight to the next one's handler,
 * so an instruction costs no fetch, no decode-cache probe and no central switch. The
 * dispatcher (the only code that looks at h->pc) runs at a page change, at a jump leaving the
 * page, after an instruction that may change what the next one depends on (CSRs, privilege,
 * fences, wfi), after an exception, and when the budget is spent. The operations' semantics
 * are ops.def's, shared with interp.c's exec, which also runs everything ops.def does not
 * cover.
 *
 * Why it stays exact:
 * - Counting: a run is the straight line from a slot to the next branch, jump or exit; each
 *   uop's `run` says how many instructions are left of it, and a run is paid for out of
 *   `left` when it starts (after a branch, at a jump target, at the dispatcher), so the
 *   handlers in between count nothing. Leaving mid-run (a fault, a store to code) gives the
 *   rest back. With less budget than a run, the dispatcher steps its first instructions one
 *   by one. The instructions retired since the last commit go to minstret/mcycle at the
 *   dispatcher and before any instruction exec runs (a CSR read sees the exact count); a
 *   faulting instruction uses budget but does not retire.
 * - Interrupts are taken at the dispatcher. Raising an mip bit sets h->exit_note, which every
 *   taken branch and jump tests (with h->stop), so an interrupt waits at most for the
 *   straight-line rest of a page (2048 instructions); whatever may enable one (CSR writes,
 *   mret/sret) returns to the dispatcher.
 * - Self-modifying code: a predecoded page has no store TLB entry, so a store to it takes the
 *   slow path, which invalidates the page (setting exit_note); every store that takes the slow
 *   path tests exit_note after it, so the next instruction is decoded afresh.
 *
 * Example: "1: addi a0,a0,-1; bnez a0,1b" at 0x80001000 is slots 0 and 2 of its page, one run
 * of 2. Entering at slot 0 pays 2; the addi_same_4 handler advances to slot 2; the bne_z_4
 * handler, if taken, moves back 2 slots (imm * 8 bytes of uops), pays 2 again, tests
 * exit_note and jumps to slot 0's handler. (Decoded, slot 0 holds the fused addi+bnez pair
 * if both are on uops.h's lists.) */
#include "ops.h"
#include "uops.h"

#include <stddef.h>

_Static_assert(H_decode == 0 && H_COUNT <= UINT16_MAX, "handler indices");
_Static_assert(sizeof(struct uop) == 16, "the pc of a slot is its address >> 3 plus a bias");
_Static_assert(sizeof(struct tlb_entry) == 16 && TLB_SIZE == 256, "TLB_ENTRY's shift");
_Static_assert(offsetof(struct hart, exit_note) == offsetof(struct hart, stop) + 1,
               "stop and exit_note are tested as one 16-bit word");

/* ops.def's rows as functions (inlined: an operand a row does not use is never loaded), so
 * that a handler body can name its operation. */
#define ALU(n, r)                                                                               \
    static ALWAYS_INLINE uint64_t alu_##n(uint64_t a, uint64_t b, int64_t imm, uint64_t pc)    \
    {                                                                                           \
        (void)a, (void)b, (void)imm, (void)pc;                                                  \
        return (r);                                                                             \
    }
#define BR(n, c)                                                                                \
    static ALWAYS_INLINE bool br_##n(uint64_t a, uint64_t b)                                    \
    {                                                                                           \
        return (c);                                                                             \
    }
#define LD(n, s, sg) enum { load_size_##n = s, load_sign_##n = sg };
#define ST(n, s) enum { store_size_##n = s };
#include "ops.def"
#undef ALU
#undef BR
#undef LD
#undef ST

/* Adds k retired instructions to the counters mcountinhibit does not hold. */
static inline void retire_n(struct hart *h, uint64_t k)
{
    if (LIKELY(!h->mcountinhibit)) {
        h->minstret += k;
        h->mcycle += k;
        return;
    }
    if (!(h->mcountinhibit & 4))
        h->minstret += k;
    if (!(h->mcountinhibit & 1))
        h->mcycle += k;
}

typedef uint16_t __attribute__((may_alias, aligned(1))) u16_alias;

/* h->stop or h->exit_note: leave for the dispatcher. One 16-bit read of both, as translated
 * code does; volatile, since other threads set them (x86 reads it whole). ThreadSanitizer
 * sees two atomic loads instead. */
static inline bool noted(const struct hart *h)
{
#if defined(__SANITIZE_THREAD__)
    return __atomic_load_n(&h->stop, __ATOMIC_RELAXED) ||
           atomic_load_explicit(&h->exit_note, memory_order_relaxed);
#else
    return *(const volatile u16_alias *)&h->stop != 0;
#endif
}

static ALWAYS_INLINE uint64_t host_load(uintptr_t p, unsigned size, bool sign)
{
    switch (size) {
    case 1: { uint8_t v; memcpy(&v, (void *)p, 1); return sign ? (uint64_t)(int8_t)v : v; }
    case 2: { uint16_t v; memcpy(&v, (void *)p, 2); return sign ? (uint64_t)(int16_t)v : v; }
    case 4: { uint32_t v; memcpy(&v, (void *)p, 4); return sign ? (uint64_t)(int32_t)v : v; }
    default: { uint64_t v; memcpy(&v, (void *)p, 8); return v; }
    }
}

uint64_t threaded_run(struct hart *h, struct predecode *pd, uint64_t budget)
{
#define HX(x) [H_##x] = &&L_##x,
    static const void *const labels[H_COUNT] = {
        OTHER_HANDLERS
#define ALU HX_ALU_ROW
#define BR HX_BR_ROW
#define LD HX_LD_ROW
#define ST HX_ST_ROW
#include "ops.def"
#undef ALU
#undef BR
#undef LD
#undef ST
        FUSE_FIRSTS(HX_FIRST, _)
    };
#undef HX
    __atomic_store_n(&threaded_handlers, labels, __ATOMIC_RELAXED); /* the same from any hart */
    /* Instructions this call may still run, less the rest of the current run: each run is
     * paid for when it starts. */
    uint64_t left = budget;
    uint64_t synced = budget;  /* left when the counters were last brought up to date */
    uint64_t stip_at = budget; /* left at the last Sstc update */
    struct pd_page *pg = NULL;
    struct uop *op = NULL;
    uintptr_t pcbias = 0; /* pc of the slot at op = pcbias + (op >> 3) */
    uint64_t vbase = 0;   /* the page's virtual address */
    struct tlb_entry *tlb = NULL; /* this privilege's TLBs, [ACC_LOAD] and [ACC_STORE] */

#define X(r) h->x[r]
    /* The entry of this privilege's TLB for acc and va, its offset computed as bytes so that
     * acc's part folds into the instructions' displacement. */
#define TLB_ENTRY(acc, va)                                                                      \
    ((const struct tlb_entry *)((const char *)tlb + (acc) * TLB_SIZE * sizeof(struct tlb_entry) + \
                                (((va) >> 8) & ((TLB_SIZE - 1) * sizeof(struct tlb_entry)))))
#define PC() (pcbias + ((uintptr_t)op >> 3))
#define DISPATCH() goto *op->fn
    /* Within a run: on to the slot `slots` ahead. */
#define NEXT(slots)                                                                             \
    do {                                                                                        \
        op += (slots);                                                                          \
        DISPATCH();                                                                             \
    } while (0)
    /* A run starts at p: pay for it, or leave for the dispatcher if the budget cannot (or
     * exit_note or stop is set, tested where the run starts after a taken jump). */
#define START(p, test_note)                                                                     \
    do {                                                                                        \
        op = (p);                                                                               \
        if (UNLIKELY(left < op->run || ((test_note) && noted(h))))                              \
            goto out;                                                                           \
        left -= op->run;                                                                        \
        DISPATCH();                                                                             \
    } while (0)
#define JUMP(p) START(p, true)
    /* To the dispatcher, at target, after the last instruction of a run. */
#define LEAVE(target)                                                                           \
    do {                                                                                        \
        h->pc = (target);                                                                       \
        goto dispatch;                                                                          \
    } while (0)
    /* The instruction at op did not complete (h->pc is its address): it was paid for with
     * the rest of its run, which is given back. */
#define FAULT()                                                                                 \
    do {                                                                                        \
        left += op->run;                                                                        \
        goto exc;                                                                               \
    } while (0)
    /* The instruction at op completed mid-run, and something may have changed under the run
     * (a store to code, a device): leave for the dispatcher if exit_note is set. */
#define CHECKED_NEXT(slots)                                                                     \
    do {                                                                                        \
        if (UNLIKELY(noted(h))) {                                                               \
            left += op->run - 1u;                                                               \
            op += (slots);                                                                      \
            goto out;                                                                           \
        }                                                                                       \
        NEXT(slots);                                                                            \
    } while (0)

dispatch:
    /* h->pc is current; no uop pointer is held here. */
    retire_n(h, synced - left);
    synced = left;
    if (UNLIKELY(left == 0 || __atomic_load_n(&h->stop, __ATOMIC_RELAXED) || h->wfi))
        return budget - left;
    /* Cleared (with a full barrier, so that it is not ordered after the mip load below and
     * a note raised in between lost) only when set. */
    if (atomic_load_explicit(&h->exit_note, memory_order_relaxed))
        atomic_store(&h->exit_note, 0);
    if (UNLIKELY(__atomic_load_n(&pd->dead, __ATOMIC_RELAXED) != NULL))
        predecode_reap(pd);
    if (UNLIKELY(stip_at - left >= 1024)) {
        csr_update_stip(h);
        stip_at = left;
    }
    if (UNLIKELY(atomic_load_explicit(&h->mip, memory_order_relaxed) & h->mie))
        trap_check_interrupts(h);
    {
        uint64_t pc = h->pc;
        struct tlb_entry *e = tlb_slot(h, ACC_FETCH, pc);
        if (UNLIKELY(e->tag != (pc & ~0xfffull))) {
            uint32_t raw;
            /* Refills the fetch TLB for a RAM page the hart may execute. */
            if (!mmu_fetch_slow(h, pc, &raw) || e->tag != (pc & ~0xfffull)) {
                h->exc_pending = false; /* stepping raises it again, exactly */
                goto step;
            }
        }
        uintptr_t host = (uintptr_t)(pc + e->addend);
        uintptr_t page = host & ~(uintptr_t)0xfff;
        pg = predecode_get(pd, page, (uint64_t)(page - (uintptr_t)h->bus->ram) +
                                         h->bus->ram_base);
        vbase = pc & ~0xfffull;
        pcbias = vbase - ((uintptr_t)pg->ops >> 3);
        tlb = h->tlb[h->priv][0];
        op = &pg->ops[(pc & 0xfff) >> 1];
        if (UNLIKELY(left < op->run))
            goto exact;
        left -= op->run;
        DISPATCH();
    }

exact: {
    /* Less budget than the run at op: its first instructions, one at a time. */
    h->pc = PC();
    retire_n(h, synced - left);
    uint64_t n = interp_steps(h, left);
    left -= n; /* interp_steps retires what it runs */
    synced = left;
    goto dispatch;
}

step: {
    /* One instruction the old way: fetch outside RAM or across pages, or a fetch fault. */
    retire_n(h, synced - left);
    uint64_t n = interp_steps(h, 1);
    left -= n;
    synced = left;
    if (!n)
        return budget - left; /* stopped */
    goto dispatch;
}

out:
    h->pc = PC();
    goto dispatch;

exc:
    /* h->pc is the faulting instruction's: it used budget but retires nothing. */
    retire_n(h, synced - left);
    synced = --left;
    h->exc_pending = false;
    trap_enter(h, false, h->exc_cause, h->exc_tval, h->pc);
    goto dispatch;

L_decode:
    /* The first slot of a run, paid for as 0 instructions: decode the run, then pay. */
    uop_decode_run(pg, (unsigned)(op - pg->ops));
    START(op, false);

    /* Handler bodies, one per kind of uops.h, each running the uop at o (a variable), op being
     * o or the uop before it; a body that leaves early (a fault, a store that took the slow
     * path) first points op at o. What follows a body (NEXT, or a branch's tail) is the
     * handler's. */
#define PC_OF(o) (pcbias + ((uintptr_t)(o) >> 3))
#define BODY_alu(o, n, len) X((o)->rd) = alu_##n(X((o)->rs1), X((o)->rs2), (o)->imm, PC_OF(o))
#define BODY_alus(o, n, len) X((o)->rd) = alu_##n(X((o)->rd), X((o)->rs2), (o)->imm, PC_OF(o))
#define BODY_li(o, n, len) X((o)->rd) = (uint64_t)(int64_t)(o)->imm
#define BODY_mv(o, n, len) X((o)->rd) = X((o)->rs1)
#define BODY_sextw(o, n, len) X((o)->rd) = sx32(X((o)->rs1))
    /* The inline TLB test also sends misaligned accesses to the slow path (the tag's low bits
     * are clear). rd != 0, and mmu_load_slow writes it only on success. */
#define BODY_load(o, n, len)                                                                    \
    do {                                                                                        \
        enum { size_ = load_size_##n, sign_ = load_sign_##n };                                  \
        uint64_t va_ = X((o)->rs1) + (uint64_t)(int64_t)(o)->imm;                               \
        const struct tlb_entry *e_ = TLB_ENTRY(ACC_LOAD, va_);                                  \
        if (LIKELY(e_->tag == (va_ & (~0xfffull | (size_ - 1))))) {                             \
            X((o)->rd) = host_load((uintptr_t)(va_ + e_->addend), size_, sign_);                \
        } else {                                                                                \
            op = (o);                                                                           \
            h->pc = PC();                                                                       \
            if (!mmu_load_slow(h, va_, size_, &X(op->rd)))                                      \
                FAULT();                                                                        \
            if (sign_)                                                                          \
                X(op->rd) = sext(X(op->rd), size_ * 8);                                         \
        }                                                                                       \
    } while (0)
    /* A store that takes the slow path may have rewritten this very run: the handler ends
     * there, testing exit_note. */
#define BODY_store(o, n, len)                                                                   \
    do {                                                                                        \
        enum { size_ = store_size_##n };                                                        \
        uint64_t va_ = X((o)->rs1) + (uint64_t)(int64_t)(o)->imm, v_ = X((o)->rs2);             \
        const struct tlb_entry *e_ = TLB_ENTRY(ACC_STORE, va_);                                 \
        if (LIKELY(e_->tag == (va_ & (~0xfffull | (size_ - 1))))) {                             \
            memcpy((void *)(uintptr_t)(va_ + e_->addend), &v_, size_);                          \
        } else {                                                                                \
            op = (o);                                                                           \
            h->pc = PC();                                                                       \
            if (!mmu_store_slow(h, va_, size_, v_))                                             \
                FAULT();                                                                        \
            CHECKED_NEXT((len) / 2);                                                            \
        }                                                                                       \
    } while (0)
    /* Branch tails: the uop at o ends its run. */
#define TAIL_br(o, n, len)                                                                      \
    do {                                                                                        \
        op = (o);                                                                               \
        if (br_##n(X(op->rs1), X(op->rs2)))                                                     \
            JUMP((struct uop *)((char *)op + op->imm));                                         \
        START(op + (len) / 2, false);                                                           \
    } while (0)
#define TAIL_brz(o, n, len)                                                                     \
    do {                                                                                        \
        op = (o);                                                                               \
        if (br_##n(X(op->rs1), 0))                                                              \
            JUMP((struct uop *)((char *)op + op->imm));                                         \
        START(op + (len) / 2, false);                                                           \
    } while (0)
#define TAIL_br_far(o, n, len)                                                                  \
    do {                                                                                        \
        op = (o);                                                                               \
        if (br_##n(X(op->rs1), X(op->rs2)))                                                     \
            LEAVE(PC() + (uint64_t)(int64_t)op->imm);                                           \
        START(op + (len) / 2, false);                                                           \
    } while (0)
    /* The second of a fused pair, at o: a body and the next slot, or a branch tail. */
#define SECOND_alu(o, n, len) BODY_alu(o, n, len); NEXT_FROM(o, (len) / 2)
#define SECOND_alus(o, n, len) BODY_alus(o, n, len); NEXT_FROM(o, (len) / 2)
#define SECOND_mv(o, n, len) BODY_mv(o, n, len); NEXT_FROM(o, (len) / 2)
#define SECOND_sextw(o, n, len) BODY_sextw(o, n, len); NEXT_FROM(o, (len) / 2)
#define SECOND_load(o, n, len) BODY_load(o, n, len); NEXT_FROM(o, (len) / 2)
#define SECOND_store(o, n, len) BODY_store(o, n, len); NEXT_FROM(o, (len) / 2)
#define SECOND_br(o, n, len) TAIL_br(o, n, len)
#define SECOND_brz(o, n, len) TAIL_brz(o, n, len)
#define NEXT_FROM(o, slots)                                                                     \
    do {                                                                                        \
        op = (o) + (slots);                                                                     \
        DISPATCH();                                                                             \
    } while (0)

L_nop_2: NEXT(1);
L_nop_4: NEXT(2);
L_li_2: BODY_li(op, _, 2); NEXT(1);
L_li_4: BODY_li(op, _, 4); NEXT(2);
L_mv_2: BODY_mv(op, _, 2); NEXT(1);
L_mv_4: BODY_mv(op, _, 4); NEXT(2);
L_sextw_2: BODY_sextw(op, _, 2); NEXT(1);
L_sextw_4: BODY_sextw(op, _, 4); NEXT(2);

#define ALU(n, r)                                                                               \
    L_##n##_2: BODY_alu(op, n, 2); NEXT(1);                                                     \
    L_##n##_4: BODY_alu(op, n, 4); NEXT(2);                                                     \
    L_##n##_same_2: BODY_alus(op, n, 2); NEXT(1);                                               \
    L_##n##_same_4: BODY_alus(op, n, 4); NEXT(2);
#define BR(n, c)                                                                                \
    L_##n##_2: TAIL_br(op, n, 2);                                                               \
    L_##n##_4: TAIL_br(op, n, 4);                                                               \
    L_##n##_z_2: TAIL_brz(op, n, 2);                                                            \
    L_##n##_z_4: TAIL_brz(op, n, 4);                                                            \
    L_##n##_far_2: TAIL_br_far(op, n, 2);                                                       \
    L_##n##_far_4: TAIL_br_far(op, n, 4);
#define LD(n, s, sg)                                                                            \
    L_##n##_2: BODY_load(op, n, 2); NEXT(1);                                                    \
    L_##n##_4: BODY_load(op, n, 4); NEXT(2);
#define ST(n, s)                                                                                \
    L_##n##_2: BODY_store(op, n, 2); NEXT(1);                                                   \
    L_##n##_4: BODY_store(op, n, 4); NEXT(2);
#include "ops.def"
#undef ALU
#undef BR
#undef LD
#undef ST

    /* Fused pairs (uops.h): the first's body, then the second's at the next slot. */
#define FUSED(n1, k1, o1, l1, n2, k2, o2, l2)                                                   \
    L_f_##n1##__##n2: {                                                                         \
        struct uop *second_ = op + (l1) / 2;                                                    \
        BODY_##k1(op, o1, l1);                                                                  \
        SECOND_##k2(second_, o2, l2);                                                           \
    }
#define FUSED_FIRST(x, n1, k1, o1, l1) FUSE_SECONDS(FUSED, n1, k1, o1, l1)
    FUSE_FIRSTS(FUSED_FIRST, _)
#undef FUSED
#undef FUSED_FIRST

#define JAL_H(len)                                                                              \
    L_jal_##len: {                                                                              \
        X(op->rd) = PC() + len;                                                                 \
        JUMP((struct uop *)((char *)op + op->imm));                                             \
    }                                                                                           \
    L_jal_far_##len: {                                                                          \
        uint64_t pc = PC();                                                                     \
        X(op->rd) = pc + len;                                                                   \
        LEAVE(pc + (uint64_t)(int64_t)op->imm);                                                 \
    }
    JAL_H(2)
    JAL_H(4)
L_j:
    JUMP((struct uop *)((char *)op + op->imm));
L_j_far:
    LEAVE(PC() + (uint64_t)(int64_t)op->imm);

    /* A target in this page is a slot of it; elsewhere, the dispatcher's. */
#define JALR_TO(target)                                                                         \
    do {                                                                                        \
        uint64_t t_ = (target);                                                                 \
        if (LIKELY(t_ - vbase < 4096))                                                          \
            JUMP(&pg->ops[(t_ & 0xfff) >> 1]);                                                  \
        LEAVE(t_);                                                                              \
    } while (0)
#define JALR_H(len)                                                                             \
    L_jalr_##len: {                                                                             \
        uint64_t t = (X(op->rs1) + (uint64_t)(int64_t)op->imm) & ~1ull;                         \
        X(op->rd) = PC() + len;                                                                 \
        JALR_TO(t);                                                                             \
    }
    JALR_H(2)
    JALR_H(4)
L_jr:
    JALR_TO((X(op->rs1) + (uint64_t)(int64_t)op->imm) & ~1ull);

    /* exec runs the uop at op, decoded again (through interp.c's decode cache) from raw, its
     * instruction bits. An instruction that may read or write the counters (sync) has them
     * brought up to date first, counting the instructions of the run before it. */
#define EXEC_GENERIC(raw, sync)                                                                 \
    const struct insn *in;                                                                      \
    do {                                                                                        \
        uint64_t pc_ = PC();                                                                    \
        in = interp_decode(pc_, (raw));                                                         \
        if (sync) {                                                                             \
            retire_n(h, synced - (left + op->run));                                             \
            synced = left + op->run;                                                            \
        }                                                                                       \
        h->pc = pc_;                                                                            \
        if (!interp_exec_one(h, in))                                                            \
            FAULT();                                                                            \
    } while (0)
L_generic: {
    EXEC_GENERIC((uint32_t)op->imm, false);
    CHECKED_NEXT(in->len / 2); /* an AMO or FP store may have rewritten this page */
}
L_generic_csr: {
    EXEC_GENERIC((uint32_t)op->imm, true);
    NEXT(in->len / 2);
}
L_generic_exit: {
    EXEC_GENERIC((uint32_t)op->imm, true);
    goto dispatch; /* the end of its run; exec has set the pc */
}
L_generic_end: {
    /* Any instruction (its uop as make_uop made it): the bits come from the page. */
    const uint8_t *src = (const uint8_t *)pg->host + (PC() & 0xfff);
    uint16_t lo, hi = 0;
    memcpy(&lo, src, 2);
    if ((lo & 3) == 3)
        memcpy(&hi, src + 2, 2);
    EXEC_GENERIC(lo | (uint32_t)hi << 16, true);
    JUMP(op + in->len / 2);
}

L_step:
    /* Reached with its run (0 instructions) paid for: the budget may be spent. */
    h->pc = PC();
    if (!left)
        goto dispatch;
    goto step;

L_page_end:
    /* The pc of the slot past the page is the next page's address. */
    h->pc = PC();
    goto dispatch;

#undef X
#undef PC_OF
#undef NEXT_FROM
#undef TLB_ENTRY
#undef PC
#undef DISPATCH
#undef NEXT
#undef START
#undef JUMP
#undef LEAVE
#undef FAULT
#undef CHECKED_NEXT
#undef EXEC_GENERIC
}
