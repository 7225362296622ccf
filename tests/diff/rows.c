/* Random instructions from insn.def's rows: random bits under the row's mask and match, the
 * register fields steered by the generator's rules (an x destination must be writable, a load
 * or store must use a base register), then insn_decode must give that same row back — so the
 * table, not this file, says what each row's encodings are. */
#include "diff.h"

const struct row_info diff_rows[ROW_ILLEGAL] = {
#define I(name, mask, match, fmt) {#name, mask, match, false},
#define C(name, mask, match, fmt, target) {#name, mask, match, true},
#include "cpu/insn.def"
#undef I
#undef C
};

/* Rows gen.c emits inside units: control flow needs a target, CSRs a policy, AMOs an address
 * register, xRET a prepared epc, WFI a low rate, and c.addi16sp its undoing pair. */
bool row_is_generic(unsigned row)
{
    switch (row) {
    case ROW_jal:
    case ROW_jalr:
    case ROW_beq:
    case ROW_bne:
    case ROW_blt:
    case ROW_bge:
    case ROW_bltu:
    case ROW_bgeu:
    case ROW_c_j:
    case ROW_c_beqz:
    case ROW_c_bnez:
    case ROW_c_jr:
    case ROW_c_jalr:
    case ROW_c_addi16sp:
    case ROW_mret:
    case ROW_sret:
    case ROW_wfi:
    case ROW_csrrw:
    case ROW_csrrs:
    case ROW_csrrc:
    case ROW_csrrwi:
    case ROW_csrrsi:
    case ROW_csrrci:
        return false;
    }
    return !(row >= ROW_lr_w && row <= ROW_amomaxu_d);
}

static bool writes_x(unsigned op)
{
    switch (op) {
    case OP_sb:
    case OP_sh:
    case OP_sw:
    case OP_sd:
    case OP_beq:
    case OP_bne:
    case OP_blt:
    case OP_bge:
    case OP_bltu:
    case OP_bgeu:
    case OP_fence:
    case OP_fence_i:
    case OP_ecall:
    case OP_ebreak:
    case OP_mret:
    case OP_sret:
    case OP_wfi:
    case OP_sfence_vma:
        return false;
    case OP_fcvt_w_s:
    case OP_fcvt_wu_s:
    case OP_fcvt_l_s:
    case OP_fcvt_lu_s:
    case OP_fmv_x_w:
    case OP_feq_s:
    case OP_flt_s:
    case OP_fle_s:
    case OP_fclass_s:
    case OP_feq_d:
    case OP_flt_d:
    case OP_fle_d:
    case OP_fclass_d:
    case OP_fcvt_w_d:
    case OP_fcvt_wu_d:
    case OP_fcvt_l_d:
    case OP_fcvt_lu_d:
    case OP_fmv_x_d:
        return true;
    }
    return op < OP_flw; /* the integer, M, A and Zicsr operations precede F in insn.def */
}

static bool is_mem(unsigned op)
{
    return (op >= OP_lb && op <= OP_sd) || op == OP_flw || op == OP_fsw || op == OP_fld ||
           op == OP_fsd;
}

static bool is_store(unsigned op)
{
    return (op >= OP_sb && op <= OP_sd) || op == OP_fsw || op == OP_fsd;
}

static bool is_base(unsigned reg)
{
    return reg == REG_SP || reg == REG_EDGE || reg == REG_B1 || reg == REG_B2;
}

static unsigned pick_rd(struct rng *r, uint32_t writable)
{
    if (rng_pct(r, 8))
        return 0;
    unsigned n = (unsigned)__builtin_popcount(writable), k = (unsigned)rng_below(r, n);
    for (unsigned i = 0; i < 32; i++)
        if ((writable >> i & 1) && k-- == 0)
            return i;
    return 0;
}

uint32_t row_random_raw(struct rng *r, unsigned row)
{
    const struct row_info *ri = &diff_rows[row];
    uint32_t bits = (uint32_t)rng_next(r);
    if (ri->compressed)
        bits &= 0xffff;
    return (bits & ~ri->mask) | ri->match;
}

/* The rounding-mode field of an F/D row that has one: mostly a valid static mode or dynamic,
 * sometimes the reserved 5 and 6 (illegal). */
static uint32_t steer_rm(struct rng *r, const struct row_info *ri, uint32_t raw)
{
    static const uint8_t fp_major[] = {0x43, 0x47, 0x4b, 0x4f, 0x53};
    bool fp = false;
    for (unsigned i = 0; i < ARRAY_SIZE(fp_major); i++)
        fp |= (ri->match & 0x7f) == fp_major[i];
    if (!fp || ri->compressed || (ri->mask & 0x7000))
        return raw;
    static const uint8_t good[] = {0, 1, 2, 3, 4, 7};
    uint32_t rm = rng_pct(r, 85) ? good[rng_below(r, ARRAY_SIZE(good))] : (uint32_t)rng_below(r, 8);
    return (raw & ~0x7000u) | rm << 12;
}

bool row_random(struct rng *r, unsigned row, uint32_t writable, uint32_t *raw)
{
    const struct row_info *ri = &diff_rows[row];
    /* A load from a wild address now and then: access or page faults. Never a store: one
     * through a register holding a code address would write garbage instructions. */
    bool wild = rng_pct(r, 3);
    for (unsigned tries = 0; tries < 2000; tries++) {
        uint32_t v = row_random_raw(r, row);
        struct insn in;
        insn_decode(v, &in);
        if (in.row != row)
            continue;
        bool any_base = wild && !is_store(in.op);
        if (!ri->compressed) {
            /* Steer the fields the mask leaves free rather than wait for luck. */
            if (writes_x(in.op) && !(ri->mask & 0xf80))
                v = (v & ~0xf80u) | pick_rd(r, writable) << 7;
            if (is_mem(in.op) && !(ri->mask & 0xf8000) && !any_base) {
                static const uint8_t bases[] = {REG_SP, REG_EDGE, REG_B1, REG_B2};
                unsigned b = bases[rng_below(r, ARRAY_SIZE(bases))];
                v = (v & ~0xf8000u) | b << 15;
                if (b == REG_EDGE && rng_pct(r, 60)) {
                    int64_t off = (int64_t)rng_below(r, 25) - 12; /* straddle the boundary */
                    v = is_store(in.op) ? asm_set_s(v, off) : asm_set_i(v, off);
                }
            }
            v = steer_rm(r, ri, v);
            insn_decode(v, &in);
            if (in.row != row)
                continue;
        }
        if (writes_x(in.op) && in.rd != 0 && !(writable >> in.rd & 1))
            continue;
        if (is_mem(in.op) && !any_base && !is_base(in.rs1))
            continue;
        *raw = v;
        return true;
    }
    return false;
}
