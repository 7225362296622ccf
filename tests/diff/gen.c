/* The random block: a sequence of units laid out in 4-byte slots (a compressed instruction is
 * followed by c.nop, so the handlers' "epc + 4" always lands on the next slot). A unit is one
 * generic instruction or a short fixed-shape sequence around the rows that need context:
 * branches and jumps to a later unit, CSR accesses with values chosen per register, AMOs and
 * LR/SC on a prepared address, xRET to a prepared epc, bounded loops, self-modifying stores,
 * page-table edits. Jump targets are unit starts, resolved once the layout is known.
 *
 * The invariants of diff.h hold by construction: reserved registers are never destinations,
 * control flow goes forward except inside a loop unit, and the last slot jumps to address 0,
 * whose fetch fault ends the program. */
#include "diff.h"
#include "cpu/cpu_priv.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SLOTS (CODE_SIZE / 4)
#define UNIT_ROOM 40 /* slots a unit may take at most */

enum fix_kind { FIX_B, FIX_J, FIX_CB, FIX_CJ, FIX_I_REL, FIX_S_REL };

/* A slot whose immediate is an offset to a unit start known only after layout. */
struct fixup {
    unsigned slot, anchor; /* the offset is target - anchor (the auipc, or the slot itself) */
    unsigned unit, target; /* the unit holding the slot; the wanted target unit */
    uint8_t kind;
    bool simple_target;    /* a self-modifying store: the target must be a one-slot unit */
    int extra;             /* added to the offset (jalr's ignored low bit) */
};

struct gen {
    struct prog *p;
    struct rng *r;
    uint32_t slot[MAX_SLOTS];
    unsigned n;
    unsigned unit_start[MAX_SLOTS + 1];
    bool unit_simple[MAX_SLOTS + 1];
    unsigned nunits;
    struct fixup fix[MAX_SLOTS];
    unsigned nfix;
    uint32_t writable; /* registers a random destination may be */
};

static const uint32_t ALL_WRITABLE = ~(uint32_t)RESERVED_REGS;

NORETURN static void fail(const char *what, uint32_t raw)
{
    fprintf(stderr, "diff: generator bug: %s (0x%08x)\n", what, raw);
    abort();
}

static unsigned decode_row(uint32_t raw)
{
    struct insn in;
    insn_decode(raw, &in);
    return in.row;
}

/* Emits one instruction in its own slot; the word must decode (to row when row is given). */
static unsigned emit(struct gen *g, uint32_t raw, int row)
{
    unsigned got = decode_row(raw);
    if (got == ROW_ILLEGAL || (row >= 0 && got != (unsigned)row))
        fail("emitted word does not decode as intended", raw);
    if (g->n >= MAX_SLOTS - 1)
        fail("code overflow", raw);
    g->slot[g->n] = (raw & 3) == 3 ? raw : (C_NOP << 16 | (raw & 0xffff));
    return g->n++;
}

static unsigned emit_li(struct gen *g, unsigned rd, uint64_t v)
{
    uint32_t w[8];
    unsigned n = asm_li(w, rd, v), first = g->n;
    for (unsigned i = 0; i < n; i++)
        emit(g, w[i], -1);
    return first;
}

/* A random writable register, never x0, not in avoid. */
static unsigned temp(struct gen *g, uint32_t avoid)
{
    uint32_t m = g->writable & ~avoid & ~1u;
    unsigned n = (unsigned)__builtin_popcount(m), k = (unsigned)rng_below(g->r, n);
    for (unsigned i = 1; i < 32; i++)
        if ((m >> i & 1) && k-- == 0)
            return i;
    fail("no temporary register", 0);
}

static unsigned dest(struct gen *g)
{
    return rng_pct(g->r, 10) ? 0 : temp(g, 0);
}

/* Units ahead a forward transfer goes: mostly near, now and then far. */
static unsigned distance(struct rng *r)
{
    unsigned k = (unsigned)rng_below(r, 100);
    return k < 70 ? 1 + (unsigned)rng_below(r, 4) : k < 95 ? 5 + (unsigned)rng_below(r, 36)
                                                           : 1 + (unsigned)rng_below(r, 300);
}

static void add_fix(struct gen *g, unsigned slot, unsigned anchor, enum fix_kind kind,
                    bool simple, int extra)
{
    unsigned u = g->nunits;
    g->fix[g->nfix++] = (struct fixup){slot, anchor, u, u + distance(g->r), (uint8_t)kind,
                                       simple, extra};
}

/* ---- Generic rows ---- */

static unsigned generic_rows[ROW_ILLEGAL], ngeneric;

static uint32_t random_generic(struct gen *g)
{
    for (;;) {
        unsigned row = generic_rows[rng_below(g->r, ngeneric)];
        uint32_t raw;
        if (row_random(g->r, row, g->writable, &raw))
            return raw;
    }
}

static void unit_generic(struct gen *g)
{
    emit(g, random_generic(g), -1);
}

/* ---- Control flow ---- */

static void unit_branch(struct gen *g)
{
    static const unsigned rows[] = {ROW_beq, ROW_bne, ROW_blt, ROW_bge, ROW_bltu, ROW_bgeu,
                                    ROW_c_beqz, ROW_c_bnez};
    unsigned row = rows[rng_below(g->r, ARRAY_SIZE(rows))];
    uint32_t raw = row_random_raw(g->r, row);
    if (!diff_rows[row].compressed && rng_pct(g->r, 30))
        raw = (raw & ~(0x1fu << 20)) | ((raw >> 15) & 0x1f) << 20; /* rs2 = rs1: decided */
    unsigned s = emit(g, row == ROW_c_beqz || row == ROW_c_bnez ? asm_set_cb(raw, 2) :
                         asm_set_b(raw, 4), (int)row);
    add_fix(g, s, s, diff_rows[row].compressed ? FIX_CB : FIX_B, false, 0);
}

static void unit_jump(struct gen *g)
{
    if (rng_pct(g->r, 50)) {
        unsigned s = emit(g, asm_j(dest(g), 4), ROW_jal);
        add_fix(g, s, s, FIX_J, false, 0);
    } else {
        unsigned s = emit(g, asm_set_cj(0xa001, 2), ROW_c_j);
        add_fix(g, s, s, FIX_CJ, false, 0);
    }
}

/* jalr through a register set by auipc just before: jalr's own offset, or addi then c.jr /
 * c.jalr. Now and then the offset is odd: jalr clears bit 0. */
static void unit_indirect(struct gen *g)
{
    unsigned t = temp(g, 0);
    unsigned a = emit(g, asm_u(OPC_AUIPC, t, 0), ROW_auipc);
    unsigned k = (unsigned)rng_below(g->r, 3);
    if (k == 0) {
        unsigned s = emit(g, asm_i(OPC_JALR, 0, dest(g), t, 0), ROW_jalr);
        add_fix(g, s, a, FIX_I_REL, false, rng_pct(g->r, 15));
        return;
    }
    unsigned s = emit(g, asm_i(OPC_IMM, 0, t, t, 0), ROW_addi);
    add_fix(g, s, a, FIX_I_REL, false, 0);
    if (k == 1 || !(g->writable & 2))
        emit(g, 0x8002 | t << 7, ROW_c_jr);
    else
        emit(g, 0x9002 | t << 7, ROW_c_jalr); /* links in ra */
}

/* ---- CSRs ---- */

enum csr_policy { P_READ, P_ANY, P_FP, P_STATUS, P_IRQ, P_SATP, P_TIMECMP, P_ENVCFG };

static const struct {
    uint16_t csr;
    uint8_t policy;
} csr_list[] = {
    {0x001, P_FP}, {0x002, P_FP}, {0x003, P_FP}, {0xc00, P_ANY}, {0xc01, P_ANY},
    {0xc02, P_ANY}, {0xc03, P_ANY}, {0xc1f, P_ANY}, {0x100, P_STATUS}, {0x104, P_IRQ},
    {0x105, P_READ}, {0x106, P_ANY}, {0x10a, P_ANY}, {0x140, P_ANY}, {0x141, P_ANY},
    {0x142, P_ANY}, {0x143, P_ANY}, {0x144, P_IRQ}, {0x14d, P_TIMECMP}, {0x180, P_SATP},
    {0xf11, P_ANY}, {0xf12, P_ANY}, {0xf13, P_ANY}, {0xf14, P_ANY}, {0xf15, P_ANY},
    {0x300, P_STATUS}, {0x301, P_ANY}, {0x302, P_READ}, {0x303, P_READ}, {0x304, P_IRQ},
    {0x305, P_READ}, {0x306, P_ANY}, {0x30a, P_ENVCFG}, {0x320, P_ANY}, {0x340, P_ANY},
    {0x341, P_ANY}, {0x342, P_ANY}, {0x343, P_ANY}, {0x344, P_IRQ}, {0x3a0, P_READ},
    {0x3a2, P_READ}, {0x3b0, P_READ}, {0x3b7, P_READ}, {0xb00, P_ANY}, {0xb02, P_ANY},
    {0xb03, P_ANY}, {0xb1f, P_ANY}, {0x323, P_ANY},
};

/* mstatus bits a CSR write may flip: interrupt enables and their stacks, xPP, FS, SUM, MXR,
 * MPRV, TVM, TW, and TSR only while nothing is delegated (the S handler's sret needs it). */
static uint64_t status_bits(struct gen *g)
{
    uint64_t b = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP |
                 MSTATUS_MPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV |
                 MSTATUS_TVM | MSTATUS_TW;
    if (!g->p->delegating)
        b |= MSTATUS_TSR;
    return b;
}

static uint64_t pick_bits(struct rng *r, uint64_t set, unsigned max)
{
    uint64_t v = 0;
    unsigned n = 1 + (unsigned)rng_below(r, max);
    for (unsigned i = 0; i < n; i++) {
        unsigned k = (unsigned)rng_below(r, (unsigned)__builtin_popcountll(set));
        for (unsigned b = 0; b < 64; b++)
            if ((set >> b & 1) && k-- == 0)
                v |= 1ull << b;
    }
    return v;
}

static uint64_t csr_value(struct gen *g, enum csr_policy pol, bool full)
{
    struct rng *r = g->r;
    switch (pol) {
    case P_FP:
        return rng_below(r, 256);
    case P_STATUS:
        if (!full)
            return pick_bits(r, status_bits(g), 2);
        return (rng_next(r) & status_bits(g)) | (rng_pct(r, 70) ? MSTATUS_FS : 0);
    case P_IRQ:
        return rng_pct(r, 10) ? UINT64_MAX : rng_next(r) & 0xaaa;
    case P_SATP: {
        const struct prog *p = g->p;
        uint64_t v[] = {p->satp_a, p->satp_b, 0, p->satp_a ^ 1ull << 44,
                        (p->satp_a & ~(0xfull << 60)) | 9ull << 60, 1ull << 60};
        return v[rng_below(r, rng_pct(r, 80) ? 3 : ARRAY_SIZE(v))];
    }
    case P_TIMECMP:
        return rng_pct(r, 80) ? g->p->time + rng_below(r, 7) - 3 : rng_interesting(r);
    case P_ENVCFG:
        return rng_below(r, 2) | (rng_pct(r, 50) ? MENVCFG_STCE : 0);
    default:
        return rng_interesting(r);
    }
}

/* Is csr one the hart implements (so a random number would not be an unimplemented one)? */
static bool csr_known(unsigned csr)
{
    return hart_csr_name(csr) || (csr >= 0xc03 && csr <= 0xc1f) ||
           (csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f);
}

static void unit_csr(struct gen *g)
{
    struct rng *r = g->r;
    unsigned csr;
    enum csr_policy pol;
    if (rng_pct(r, 4)) {
        do
            csr = (unsigned)rng_below(r, 4096);
        while (csr_known(csr));
        pol = P_ANY; /* unimplemented: every access is illegal */
    } else {
        /* Mostly a register the starting mode may access (a CSR's bits 9:8 are the lowest
         * privilege allowed), so that fewer accesses end in the trap handler. */
        bool reachable = rng_pct(r, 75);
        unsigned i;
        do
            i = (unsigned)rng_below(r, ARRAY_SIZE(csr_list));
        while (reachable && (csr_list[i].csr >> 8 & 3) > g->p->init.priv);
        csr = csr_list[i].csr;
        pol = csr_list[i].policy;
    }
    unsigned f3 = 1 + (unsigned)rng_below(r, 3) + (rng_pct(r, 35) ? 4 : 0);
    bool imm = f3 >= 5, rw = f3 == 1 || f3 == 5;
    unsigned src = 0;
    if (pol == P_READ || (pol == P_SATP && imm)) {
        if (rw)
            f3 += 1; /* csrrs: with a zero source it only reads */
    } else if (imm) {
        src = (unsigned)rng_below(r, 32);
    } else if (rng_pct(r, 90)) {
        src = temp(g, 0);
        emit_li(g, src, csr_value(g, pol, rw));
    }
    emit(g, asm_csr(f3, dest(g), csr, src), -1);
    if (pol == P_SATP && src && rng_pct(r, 50))
        emit(g, INSN_SFENCE, ROW_sfence_vma);
}

/* ---- Atomics ---- */

static void unit_atomic(struct gen *g)
{
    struct rng *r = g->r;
    static const uint8_t bases[] = {REG_SP, REG_EDGE, REG_B1, REG_B2};
    unsigned t = temp(g, 0);
    int64_t off = ((int64_t)rng_below(r, 0x700) - 0x380) & ~7;
    if (rng_pct(r, 15))
        off += 1 + (int64_t)rng_below(r, 7); /* misaligned: the AMO traps */
    emit(g, asm_i(OPC_IMM, 0, t, bases[rng_below(r, ARRAY_SIZE(bases))], off), ROW_addi);
    bool dword = rng_pct(r, 50);
    if (rng_pct(r, 60)) {
        unsigned row = (dword ? ROW_amoswap_d : ROW_amoswap_w) + (unsigned)rng_below(r, 9);
        uint32_t raw = row_random_raw(r, row);
        raw = (raw & ~(0x1fu << 15) & ~(0x1fu << 7)) | t << 15 | dest(g) << 7;
        emit(g, raw, (int)row);
        return;
    }
    unsigned lr = dword ? ROW_lr_d : ROW_lr_w, sc = dword ? ROW_sc_d : ROW_sc_w;
    uint32_t raw = row_random_raw(r, lr);
    emit(g, (raw & ~(0x1fu << 15) & ~(0x1fu << 7)) | t << 15 | dest(g) << 7, (int)lr);
    for (unsigned i = rng_below(r, 3); i; i--)
        unit_generic(g);
    unsigned addr = rng_pct(r, 85) ? t : temp(g, 0); /* another address: the SC fails */
    raw = row_random_raw(r, sc);
    emit(g, (raw & ~(0x1fu << 15) & ~(0x1fu << 7)) | addr << 15 | dest(g) << 7, (int)sc);
}

/* ---- Self-modifying code ---- */

/* Stores a fresh instruction over a slot: a later simple unit (target < 0), or a slot of this
 * unit (a loop body). Through the code's own address or its writable alias (x3 apart), then
 * sometimes fence.i. */
static void smc_store(struct gen *g, int target_slot)
{
    unsigned a = temp(g, 0), b = temp(g, 1u << a);
    uint32_t word = random_generic(g);
    if ((word & 3) != 3)
        word = C_NOP << 16 | (word & 0xffff);
    unsigned anchor = emit(g, asm_u(OPC_AUIPC, a, 0), ROW_auipc);
    emit_li(g, b, (uint64_t)(int64_t)(int32_t)word);
    if (rng_pct(g->r, 50))
        emit(g, asm_r(OPC_OP, 0, 0, a, a, REG_ALIAS), ROW_add);
    uint32_t sw = asm_s(OPC_STORE, 2, a, b, 0);
    if (target_slot >= 0) {
        emit(g, asm_set_s(sw, ((int64_t)target_slot - anchor) * 4), ROW_sw);
    } else {
        unsigned s = emit(g, sw, ROW_sw);
        add_fix(g, s, anchor, FIX_S_REL, true, 0);
    }
    if (rng_pct(g->r, 50))
        emit(g, INSN_FENCE_I, ROW_fence_i);
}

static void unit_smc(struct gen *g)
{
    smc_store(g, -1);
}

/* ---- Loops ---- */

/* `li c, n; L: body; addi c, -1; bnez c, L` with c kept out of the body's destinations, so it
 * runs n times whatever the body does (traps return past their slot; no jumps inside). The
 * body may rewrite one of its own slots: translated code must see the change on the next
 * iteration. */
static void unit_loop(struct gen *g)
{
    struct rng *r = g->r;
    unsigned c = temp(g, 0);
    uint32_t saved = g->writable;
    emit(g, asm_i(OPC_IMM, 0, c, 0, 1 + (int64_t)rng_below(r, 6)), ROW_addi);
    g->writable &= ~(1u << c);
    unsigned top = g->n, body = 1 + (unsigned)rng_below(r, 5);
    for (unsigned i = 0; i < body; i++)
        unit_generic(g);
    if (rng_pct(r, 30))
        smc_store(g, (int)(top + rng_below(r, body)));
    bool compressed = c >= 8 && c <= 15 && rng_pct(r, 40);
    if (compressed) {
        emit(g, 0x1001 | c << 7 | 0x7c, ROW_c_addi); /* c.addi c, -1 */
        unsigned s = emit(g, 0xe001 | (c - 8) << 7, ROW_c_bnez);
        g->slot[s] = C_NOP << 16 | asm_set_cb(g->slot[s] & 0xffff, ((int64_t)top - s) * 4);
    } else {
        emit(g, asm_i(OPC_IMM, 0, c, c, -1), ROW_addi);
        unsigned s = g->n;
        emit(g, asm_b(1, c, 0, ((int64_t)top - s) * 4), ROW_bne);
    }
    g->writable = saved;
}

/* ---- Privilege ---- */

/* mret or sret to a later unit, usually with the previous-privilege field set first. */
static void unit_xret(struct gen *g)
{
    struct rng *r = g->r;
    bool m = rng_pct(r, 60);
    unsigned t = temp(g, 0);
    unsigned a = emit(g, asm_u(OPC_AUIPC, t, 0), ROW_auipc);
    unsigned s = emit(g, asm_i(OPC_IMM, 0, t, t, 0), ROW_addi);
    add_fix(g, s, a, FIX_I_REL, false, 0);
    emit(g, asm_csr(1, 0, m ? 0x341 : 0x141, t), -1); /* csrw xepc, t */
    if (rng_pct(r, 70)) {
        uint64_t field = m ? MSTATUS_MPP : MSTATUS_SPP;
        unsigned to = rng_pct(r, 60) ? g->p->init.priv : (unsigned)rng_below(r, 4);
        if (to == 2)
            to = PRIV_M;
        uint64_t v = m ? (uint64_t)to << MSTATUS_MPP_SHIFT : (to ? MSTATUS_SPP : 0);
        unsigned csr = m ? 0x300 : 0x100;
        emit_li(g, t, field);
        emit(g, asm_csr(3, 0, csr, t), -1);
        if (v) {
            emit_li(g, t, v);
            emit(g, asm_csr(2, 0, csr, t), -1);
        }
    }
    emit(g, m ? INSN_MRET : INSN_SRET, m ? ROW_mret : ROW_sret);
}

static void unit_wfi(struct gen *g)
{
    emit(g, INSN_WFI, ROW_wfi);
}

/* c.addi16sp moves sp, which is a base register: the unit moves it back. */
static void unit_addi16sp(struct gen *g)
{
    int64_t imm = ((int64_t)rng_below(g->r, 62) - 31) * 16;
    if (imm == 0)
        imm = 16;
    for (int k = 0; k < 2; k++) {
        uint32_t v = (uint32_t)(k ? -imm : imm);
        emit(g, 0x6101 | (v >> 9 & 1) << 12 | (v >> 4 & 1) << 6 | (v >> 6 & 1) << 5 |
                    (v >> 7 & 3) << 3 | (v >> 5 & 1) << 2, ROW_c_addi16sp);
        if (!k)
            for (unsigned i = rng_below(g->r, 3); i; i--)
                unit_generic(g);
    }
}

/* Rewrites a data page's PTE, then flushes: sfence.vma, and an ecall, whose change of privilege
 * flushes even where sfence.vma is illegal (TVM), so no engine ever runs on a stale entry. */
static void unit_pte(struct gen *g)
{
    struct rng *r = g->r;
    const struct prog *p = g->p;
    uint64_t page = DATA_PA + rng_below(r, NDATA) * DATA_STRIDE + rng_below(r, 2) * PAGE;
    uint64_t l0 = rng_pct(r, 70) ? p->l0_a : p->l0_b;
    static const uint64_t flags[] = {0xcf, 0xc7, 0xdf, 0xd7, 0x43, 0x4b, 0x00, 0x87, 0xcb, 0xd3};
    unsigned a = temp(g, 0), b = temp(g, 1u << a);
    emit_li(g, a, l0 + 8 * ((page - RAM_BASE) >> 12));
    emit_li(g, b, (page >> 12) << 10 | flags[rng_below(r, ARRAY_SIZE(flags))]);
    emit(g, asm_s(OPC_STORE, 3, a, b, 0), ROW_sd);
    if (rng_pct(r, 50)) {
        emit_li(g, a, page);
        emit(g, INSN_SFENCE | a << 15, ROW_sfence_vma);
    } else {
        emit(g, INSN_SFENCE, ROW_sfence_vma);
    }
    emit(g, 0x00000073, ROW_ecall);
}

/* ---- Layout ---- */

static const struct {
    unsigned weight;
    void (*fn)(struct gen *g);
    bool simple; /* one slot that a later store may replace */
} units[] = {
    {560, unit_generic, true}, {70, unit_branch, false}, {30, unit_jump, false},
    {30, unit_indirect, false}, {90, unit_csr, false}, {50, unit_atomic, false},
    {30, unit_smc, false}, {25, unit_loop, false}, {15, unit_xret, false},
    {3, unit_wfi, false}, {10, unit_addi16sp, false}, {10, unit_pte, false},
};

static int64_t fix_range(enum fix_kind k)
{
    switch (k) {
    case FIX_CB: return 254;
    case FIX_CJ: return 2046;
    case FIX_J: return 1 << 20;
    case FIX_B: return 4094;
    default: return 2047;
    }
}

/* Points each fixup at its target unit, or the nearest earlier one in range (the next unit
 * always is: units are short). A self-modifying store takes the first simple unit from there;
 * with none in range it rewrites its own slot (already executed, so only the translator's
 * bookkeeping notices). */
static void resolve(struct gen *g)
{
    for (unsigned i = 0; i < g->nfix; i++) {
        struct fixup *f = &g->fix[i];
        unsigned t = f->target > g->nunits ? g->nunits : f->target;
        if (t <= f->unit)
            t = f->unit + 1;
        int64_t range = fix_range(f->kind);
        while (t > f->unit + 1 && ((int64_t)g->unit_start[t] - f->anchor) * 4 + f->extra > range)
            t--;
        int64_t off = ((int64_t)g->unit_start[t] - f->anchor) * 4 + f->extra;
        if (f->simple_target) {
            unsigned s = t;
            while (s < g->nunits && !g->unit_simple[s])
                s++;
            off = ((int64_t)g->unit_start[s] - f->anchor) * 4;
            if (s == g->nunits || off > range)
                off = ((int64_t)f->slot - f->anchor) * 4;
        }
        uint32_t w = g->slot[f->slot];
        switch (f->kind) {
        case FIX_B: w = asm_set_b(w, off); break;
        case FIX_J: w = asm_set_j(w, off); break;
        case FIX_CB: w = C_NOP << 16 | asm_set_cb(w & 0xffff, off); break;
        case FIX_CJ: w = C_NOP << 16 | asm_set_cj(w & 0xffff, off); break;
        case FIX_I_REL: w = asm_set_i(w, off); break;
        case FIX_S_REL: w = asm_set_s(w, off); break;
        }
        struct insn in;
        insn_decode((w & 3) == 3 ? w : w & 0xffff, &in);
        if (in.row == ROW_ILLEGAL || in.imm != off)
            fail("fix-up out of range", w);
        g->slot[f->slot] = w;
    }
}

void gen_code(struct prog *p, struct rng *r)
{
    static struct gen g; /* large: kept off the stack */
    if (!ngeneric)
        for (unsigned row = 0; row < ROW_ILLEGAL; row++)
            if (row_is_generic(row))
                generic_rows[ngeneric++] = row;
    memset(&g, 0, sizeof(g));
    g.p = p;
    g.r = r;
    g.writable = ALL_WRITABLE;
    unsigned total = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(units); i++)
        total += units[i].weight;
    /* Mostly short blocks (many initial states), sometimes long ones (deep translated code). */
    unsigned want = rng_pct(r, 50) ? 8 + (unsigned)rng_below(r, 120)
                                   : 100 + (unsigned)rng_below(r, 900);
    while (g.nunits < want && g.n + UNIT_ROOM < MAX_SLOTS - 1) {
        unsigned k = (unsigned)rng_below(r, total), i = 0;
        while (k >= units[i].weight)
            k -= units[i++].weight;
        g.unit_start[g.nunits] = g.n;
        g.unit_simple[g.nunits] = units[i].simple;
        units[i].fn(&g);
        g.nunits++;
    }
    g.unit_start[g.nunits] = g.n;
    emit(&g, asm_i(OPC_JALR, 0, 0, 0, 0), ROW_jalr); /* the end: jump to 0, a fetch fault */
    resolve(&g);
    p->nslots = g.n;
    memcpy(p->ram + (CODE_PA - RAM_BASE), g.slot, 4 * (size_t)g.n);
    p->budget = 2000 + 24ull * g.n;
}
