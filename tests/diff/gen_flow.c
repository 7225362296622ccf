/* Units of control flow: forward branches and jumps (direct, through auipc-set registers, and
 * compressed forms), bounded loops (which may rewrite their own body), and a loop calling a
 * function placed after it. Only loops jump backward, and only inside themselves. */
#include "gen.h"

void unit_branch(struct gen *g)
{
    static const unsigned rows[] = {ROW_beq,  ROW_bne,  ROW_blt,    ROW_bge,
                                    ROW_bltu, ROW_bgeu, ROW_c_beqz, ROW_c_bnez};
    unsigned row = rows[rng_below(g->r, ARRAY_SIZE(rows))];
    uint32_t raw = row_random_raw(g->r, row);
    if (!diff_rows[row].compressed && rng_pct(g->r, 30))
        raw = (raw & ~(0x1fu << 20)) | ((raw >> 15) & 0x1f) << 20; /* rs2 = rs1: decided */
    unsigned s =
        gen_emit(g, row == ROW_c_beqz || row == ROW_c_bnez ? asm_set_cb(raw, 2) : asm_set_b(raw, 4),
                 (int)row);
    gen_add_fix(g, s, s, diff_rows[row].compressed ? FIX_CB : FIX_B, TARGET_ANY, 0);
}

void unit_jump(struct gen *g)
{
    if (rng_pct(g->r, 50)) {
        unsigned s = gen_emit(g, asm_j(gen_dest(g), 4), ROW_jal);
        gen_add_fix(g, s, s, FIX_J, TARGET_ANY, 0);
    } else {
        unsigned s = gen_emit(g, asm_set_cj(0xa001, 2), ROW_c_j);
        gen_add_fix(g, s, s, FIX_CJ, TARGET_ANY, 0);
    }
}

/* jalr through a register set by auipc just before: jalr's own offset, or addi then c.jr /
 * c.jalr. Now and then the offset is odd: jalr clears bit 0. */
void unit_indirect(struct gen *g)
{
    unsigned t = gen_temp(g, 0);
    unsigned a = gen_emit(g, asm_u(OPC_AUIPC, t, 0), ROW_auipc);
    unsigned k = (unsigned)rng_below(g->r, 3);
    if (k == 0) {
        unsigned s = gen_emit(g, asm_i(OPC_JALR, 0, gen_dest(g), t, 0), ROW_jalr);
        gen_add_fix(g, s, a, FIX_I_REL, TARGET_ANY, rng_pct(g->r, 15));
        return;
    }
    unsigned s = gen_emit(g, asm_i(OPC_IMM, 0, t, t, 0), ROW_addi);
    gen_add_fix(g, s, a, FIX_I_REL, TARGET_ANY, 0);
    if (k == 1 || !(g->writable & 2))
        gen_emit(g, 0x8002 | t << 7, ROW_c_jr);
    else
        gen_emit(g, 0x9002 | t << 7, ROW_c_jalr); /* links in ra */
}

/* `li c, n; L: body; addi c, -1; bnez c, L` with c kept out of the body's destinations, so it
 * runs n times whatever the body does (traps return past their slot; no jumps inside). The
 * body may rewrite one of its own slots: translated code must see the change on the next
 * iteration. */
void unit_loop(struct gen *g)
{
    struct rng *r = g->r;
    unsigned c = gen_temp(g, 0);
    uint32_t saved = g->writable;
    gen_emit(g, asm_i(OPC_IMM, 0, c, 0, 1 + (int64_t)rng_below(r, 6)), ROW_addi);
    g->writable &= ~(1u << c);
    unsigned top = g->n, body = 1 + (unsigned)rng_below(r, 5);
    for (unsigned i = 0; i < body; i++)
        unit_generic(g);
    if (rng_pct(r, 30))
        gen_smc_store(g, (int)(top + rng_below(r, body)));
    bool compressed = c >= 8 && c <= 15 && rng_pct(r, 40);
    if (compressed) {
        gen_emit(g, 0x1001 | c << 7 | 0x7c, ROW_c_addi); /* c.addi c, -1 */
        unsigned s = gen_emit(g, 0xe001 | (c - 8) << 7, ROW_c_bnez);
        g->slot[s] = C_NOP << 16 | asm_set_cb(g->slot[s] & 0xffff, ((int64_t)top - s) * 4);
    } else {
        gen_emit(g, asm_i(OPC_IMM, 0, c, c, -1), ROW_addi);
        unsigned s = g->n;
        gen_emit(g, asm_b(1, c, 0, ((int64_t)top - s) * 4), ROW_bne);
    }
    g->writable = saved;
}

/* A loop that calls a function placed after it: `jal ra` forward, `ret` back (an indirect
 * jump through the jump cache), a backward branch, all inside one unit. */
void unit_call_loop(struct gen *g)
{
    struct rng *r = g->r;
    uint32_t saved = g->writable;
    unsigned c = gen_temp(g, 1u << 1);
    gen_emit(g, asm_i(OPC_IMM, 0, c, 0, 1 + (int64_t)rng_below(r, 5)), ROW_addi);
    g->writable &= ~(1u << c | 1u << 1);
    unsigned top = g->n;
    for (unsigned i = rng_below(r, 3); i; i--)
        unit_generic(g);
    unsigned call = gen_emit(g, asm_j(1, 4), ROW_jal);
    for (unsigned i = rng_below(r, 2); i; i--)
        unit_generic(g);
    gen_emit(g, asm_i(OPC_IMM, 0, c, c, -1), ROW_addi);
    unsigned s = g->n;
    gen_emit(g, asm_b(1, c, 0, ((int64_t)top - s) * 4), ROW_bne);
    unsigned skip = gen_emit(g, asm_j(0, 4), ROW_jal);
    unsigned fn = g->n;
    for (unsigned i = 1 + (unsigned)rng_below(r, 3); i; i--)
        unit_generic(g);
    if (rng_pct(r, 50))
        gen_emit(g, asm_i(OPC_JALR, 0, 0, 1, 0), ROW_jalr);
    else
        gen_emit(g, 0x8082, ROW_c_jr);
    g->slot[call] = asm_set_j(g->slot[call], ((int64_t)fn - call) * 4);
    g->slot[skip] = asm_set_j(g->slot[skip], ((int64_t)g->n - skip) * 4);
    g->writable = saved;
}
