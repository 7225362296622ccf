/* Units that write memory or base registers: AMOs and LR/SC on prepared addresses, stores
 * that rewrite code, base registers moved and restored (the translator keeps sp and s0 in host
 * registers), the c.addi16sp pair, and instructions straddling a code page boundary. */
#include "gen.h"

void unit_atomic(struct gen *g)
{
    struct rng *r = g->r;
    static const uint8_t bases[] = {REG_SP, REG_EDGE, REG_B1, REG_B2};
    unsigned t = gen_temp(g, 0);
    int64_t off = ((int64_t)rng_below(r, 0x700) - 0x380) & ~7;
    if (rng_pct(r, 15))
        off += 1 + (int64_t)rng_below(r, 7); /* misaligned: the AMO traps */
    gen_emit(g, asm_i(OPC_IMM, 0, t, bases[rng_below(r, ARRAY_SIZE(bases))], off), ROW_addi);
    bool dword = rng_pct(r, 50);
    if (rng_pct(r, 60)) {
        unsigned row = (dword ? ROW_amoswap_d : ROW_amoswap_w) + (unsigned)rng_below(r, 9);
        uint32_t raw = row_random_raw(r, row);
        raw = (raw & ~(0x1fu << 15) & ~(0x1fu << 7)) | t << 15 | gen_dest(g) << 7;
        gen_emit(g, raw, (int)row);
        return;
    }
    unsigned lr = dword ? ROW_lr_d : ROW_lr_w, sc = dword ? ROW_sc_d : ROW_sc_w;
    uint32_t raw = row_random_raw(r, lr);
    gen_emit(g, (raw & ~(0x1fu << 15) & ~(0x1fu << 7)) | t << 15 | gen_dest(g) << 7, (int)lr);
    for (unsigned i = rng_below(r, 3); i; i--)
        unit_generic(g);
    unsigned addr = rng_pct(r, 85) ? t : gen_temp(g, 0); /* another address: the SC fails */
    raw = row_random_raw(r, sc);
    gen_emit(g, (raw & ~(0x1fu << 15) & ~(0x1fu << 7)) | addr << 15 | gen_dest(g) << 7, (int)sc);
}

/* Writes a fresh instruction over a slot: a later simple unit (target_slot < 0), or a slot of
 * this unit (a loop body). Through the code's own address or its writable alias (x3 apart);
 * by a word store, an FP store (a helper call in translated code), amoswap or lr/sc, or by a
 * halfword store of a compressed instruction over a slot holding a compressed one (its c.nop
 * half stays). The slot always ends up holding a whole valid instruction, whatever traps
 * happen: a half-written one could name a reserved register. */
void gen_smc_store(struct gen *g, int target_slot)
{
    struct rng *r = g->r;
    unsigned a = gen_temp(g, 0), b = gen_temp(g, 1u << a);
    unsigned k = (unsigned)rng_below(r, 10);
    if (k == 4 && target_slot >= 0 && (g->slot[target_slot] & 3) == 3)
        k = 0; /* the body's slot holds a 32-bit instruction: no halfword store */
    uint32_t word;
    do
        word = gen_random_generic(g);
    while (k == 4 && (word & 3) == 3);
    if ((word & 3) != 3)
        word = C_NOP << 16 | (word & 0xffff);
    unsigned anchor = gen_emit(g, asm_u(OPC_AUIPC, a, 0), ROW_auipc);
    if (rng_pct(r, 50))
        gen_emit(g, asm_r(OPC_OP, 0, 0, a, a, REG_ALIAS), ROW_add);
    unsigned fixed;
    enum fix_kind kind = FIX_S_REL;
    if (k >= 6) {
        /* amoswap.w or sc.w: no offset, so the address is completed first. */
        fixed = gen_emit(g, asm_i(OPC_IMM, 0, a, a, 0), ROW_addi);
        kind = FIX_I_REL;
        gen_emit_li(g, b, (uint64_t)(int64_t)(int32_t)word);
        if (k == 9) {
            unsigned d = gen_dest(g);
            gen_emit(g, asm_r(0x2f, 2, 0x08, d == a || d == b ? 0 : d, a, 0), ROW_lr_w);
            gen_emit(g, asm_r(0x2f, 2, 0x0c, gen_dest(g), a, b), ROW_sc_w);
        } else {
            gen_emit(g, asm_r(0x2f, 2, 0x04, gen_dest(g), a, b), ROW_amoswap_w);
        }
    } else if (k == 5) {
        unsigned f = (unsigned)rng_below(r, 32);
        gen_emit_li(g, b, (uint64_t)(int64_t)(int32_t)word);
        gen_emit(g, asm_r(0x53, 0, 0x78, f, b, 0), ROW_fmv_w_x);
        fixed = gen_emit(g, asm_s(0x27, 2, a, f, 0), ROW_fsw);
    } else if (k == 4) {
        gen_emit_li(g, b, word & 0xffff);
        fixed = gen_emit(g, asm_s(OPC_STORE, 1, a, b, 0), ROW_sh);
    } else {
        gen_emit_li(g, b, (uint64_t)(int64_t)(int32_t)word);
        fixed = gen_emit(g, asm_s(OPC_STORE, 2, a, b, 0), ROW_sw);
    }
    if (target_slot >= 0) {
        g->smc_target[target_slot] = true;
        int64_t off = ((int64_t)target_slot - anchor) * 4;
        g->slot[fixed] =
            kind == FIX_I_REL ? asm_set_i(g->slot[fixed], off) : asm_set_s(g->slot[fixed], off);
    } else {
        gen_add_fix(g, fixed, anchor, kind, k == 4 ? TARGET_COMPRESSED : TARGET_SIMPLE, 0);
    }
    if (rng_pct(r, 50))
        gen_emit(g, INSN_FENCE_I, ROW_fence_i);
}

void unit_smc(struct gen *g)
{
    gen_smc_store(g, -1);
}

/* A load or store of a random row whose base is reg. */
static void mem_with_base(struct gen *g, unsigned reg)
{
    static const unsigned rows[] = {
        ROW_lb,     ROW_lh,     ROW_lw,     ROW_ld,     ROW_lbu,     ROW_lhu,    ROW_lwu,
        ROW_sb,     ROW_sh,     ROW_sw,     ROW_sd,     ROW_flw,     ROW_fsw,    ROW_fld,
        ROW_fsd,    ROW_c_lw,   ROW_c_ld,   ROW_c_sw,   ROW_c_sd,    ROW_c_fld,  ROW_c_fsd,
        ROW_c_lwsp, ROW_c_ldsp, ROW_c_swsp, ROW_c_sdsp, ROW_c_fldsp, ROW_c_fsdsp};
    for (unsigned tries = 0; tries < 200; tries++) {
        uint32_t raw;
        if (!row_random(g->r, rows[rng_below(g->r, ARRAY_SIZE(rows))], g->writable, &raw))
            continue;
        struct insn in;
        insn_decode(raw, &in);
        if (in.rs1 == reg) {
            gen_emit(g, raw, -1);
            return;
        }
    }
    unit_generic(g);
}

/* Would a base register holding v let a 12-bit offset reach RAM or the code alias? The
 * generator's own stores must land only where it means them to. */
static bool reaches_memory(uint64_t v)
{
    return v - (RAM_BASE - PAGE) < RAM_SIZE + 2 * PAGE ||
           v - (ALIAS_VA - PAGE) < CODE_SIZE + 2 * PAGE;
}

/* A value to move a base register by (op: 0 add, 1 xor, 2 replace), such that the moved base
 * is either still inside its region or nowhere near memory. */
static uint64_t base_delta(struct gen *g, unsigned b, unsigned op)
{
    uint64_t base = g->p->init.x[b];
    for (;;) {
        uint64_t k = rng_pct(g->r, 60) ? sext(rng_below(g->r, 1024), 10) : rng_interesting(g->r);
        uint64_t v = op == 0 ? base + k : op == 1 ? base ^ k : k;
        if ((v ^ base) < 1024 || !reaches_memory(v))
            return k;
    }
}

/* Moves a base register (sp and s0 live in host registers in translated code), uses it,
 * and moves it back: by an addi or c.addi pair, add/sub or xor/xor of a temporary, or a copy
 * aside while the base holds junk. */
void unit_base_move(struct gen *g)
{
    struct rng *r = g->r;
    static const uint8_t bases[] = {REG_SP, REG_B1, REG_B2, REG_EDGE};
    unsigned b = bases[rng_below(r, ARRAY_SIZE(bases))], t = 0;
    uint32_t saved = g->writable;
    uint32_t undo;
    int undo_row;
    switch (rng_below(r, 5)) {
    case 0: {
        int64_t d = (int64_t)rng_below(r, 513) - 256;
        gen_emit(g, asm_i(OPC_IMM, 0, b, b, d), ROW_addi);
        undo = asm_i(OPC_IMM, 0, b, b, -d), undo_row = ROW_addi;
        break;
    }
    case 1: {
        int64_t d = (int64_t)rng_below(r, 62) - 31;
        if (!d)
            d = 8;
        uint32_t v = (uint32_t)d, u = (uint32_t)-d;
        gen_emit(g, 0x0001 | (v >> 5 & 1) << 12 | b << 7 | (v & 31) << 2, ROW_c_addi);
        undo = 0x0001 | (u >> 5 & 1) << 12 | b << 7 | (u & 31) << 2, undo_row = ROW_c_addi;
        break;
    }
    case 2:
    case 3: {
        bool x = rng_pct(r, 50);
        t = gen_temp(g, 0);
        gen_emit_li(g, t, base_delta(g, b, x));
        gen_emit(g, asm_r(OPC_OP, x ? 4 : 0, 0, b, b, t), x ? ROW_xor : ROW_add);
        undo = asm_r(OPC_OP, x ? 4 : 0, x ? 0 : 0x20, b, b, t), undo_row = x ? ROW_xor : ROW_sub;
        break;
    }
    default:
        t = gen_temp(g, 0);
        gen_emit(g, 0x8002 | t << 7 | b << 2, ROW_c_mv); /* c.mv t, b */
        gen_emit_li(g, b, base_delta(g, b, 2));
        undo = 0x8002 | b << 7 | t << 2, undo_row = ROW_c_mv;
        break;
    }
    if (t)
        g->writable &= ~(1u << t);
    for (unsigned i = 1 + (unsigned)rng_below(r, 3); i; i--) {
        if (rng_pct(r, 70))
            mem_with_base(g, b);
        else
            unit_generic(g);
    }
    gen_emit(g, undo, undo_row);
    g->writable = saved;
}

/* c.addi16sp moves sp, which is a base register: the unit moves it back. */
void unit_addi16sp(struct gen *g)
{
    int64_t imm = ((int64_t)rng_below(g->r, 62) - 31) * 16;
    if (imm == 0)
        imm = 16;
    for (int k = 0; k < 2; k++) {
        uint32_t v = (uint32_t)(k ? -imm : imm);
        gen_emit(g,
                 0x6101 | (v >> 9 & 1) << 12 | (v >> 4 & 1) << 6 | (v >> 6 & 1) << 5 |
                     (v >> 7 & 3) << 3 | (v >> 5 & 1) << 2,
                 ROW_c_addi16sp);
        if (!k)
            for (unsigned i = rng_below(g->r, 3); i; i--)
                unit_generic(g);
    }
}

/* A 32-bit instruction across the boundary of two code pages (the translator leaves it to
 * the interpreter): c.nop, then the instruction's halves in this page's last slot and the
 * next page's first, then c.nop, so that "epc + 4" after a trap in either lands on a c.nop. */
void unit_straddle(struct gen *g)
{
    uint32_t w;
    do
        w = gen_random_generic(g);
    while ((w & 3) != 3);
    g->slot[g->n++] = C_NOP | (w & 0xffff) << 16;
    g->slot[g->n++] = (w >> 16) | C_NOP << 16;
}
