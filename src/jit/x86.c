/* The x86-64 encoder's non-trivial half: REX, ModRM/SIB and the instruction forms. References:
 * Intel SDM volume 2, chapter 2 (instruction format) and the opcode tables. */
#include "x86.h"

void x86_rex(struct x86 *e, bool w, unsigned reg, unsigned index, unsigned rm, bool force)
{
    uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 |
                            ((rm >> 3) & 1));
    if (rex != 0x40 || force)
        x86_byte(e, rex);
}

void x86_modrm_mem(struct x86 *e, unsigned reg, struct x86_mem m)
{
    unsigned base = m.base & 7;
    unsigned mod = m.disp == 0 && base != RBP ? 0 : (m.disp >= -128 && m.disp <= 127) ? 1 : 2;
    x86_byte(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | base));
    if (base == RSP)
        x86_byte(e, 0x24); /* SIB: no index, base RSP/R12 */
    if (mod == 1)
        x86_byte(e, (uint8_t)m.disp);
    else if (mod == 2)
        x86_u32(e, (uint32_t)m.disp);
}

void x86_op_rm(struct x86 *e, bool w, const uint8_t *op, unsigned nop, unsigned reg,
               struct x86_mem m)
{
    x86_rex(e, w, reg, 0, m.base, false);
    for (unsigned i = 0; i < nop; i++)
        x86_byte(e, op[i]);
    x86_modrm_mem(e, reg, m);
}

void x86_op_rr(struct x86 *e, bool w, const uint8_t *op, unsigned nop, unsigned reg,
               unsigned rm)
{
    x86_rex(e, w, reg, 0, rm, false);
    for (unsigned i = 0; i < nop; i++)
        x86_byte(e, op[i]);
    x86_byte(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

void x86_mov_rr(struct x86 *e, bool w, unsigned dst, unsigned src)
{
    x86_op_rr(e, w, (const uint8_t[]){0x89}, 1, src, dst);
}

void x86_load(struct x86 *e, bool w, unsigned dst, struct x86_mem m)
{
    x86_op_rm(e, w, (const uint8_t[]){0x8b}, 1, dst, m);
}

void x86_store(struct x86 *e, bool w, struct x86_mem m, unsigned src)
{
    x86_op_rm(e, w, (const uint8_t[]){0x89}, 1, src, m);
}

void x86_store8(struct x86 *e, struct x86_mem m, unsigned src)
{
    /* A REX prefix makes 4..7 mean SPL..DIL rather than AH..BH. */
    x86_rex(e, false, src, 0, m.base, src >= 4);
    x86_byte(e, 0x88);
    x86_modrm_mem(e, src, m);
}

void x86_store16(struct x86 *e, struct x86_mem m, unsigned src)
{
    x86_byte(e, 0x66);
    x86_op_rm(e, false, (const uint8_t[]){0x89}, 1, src, m);
}

void x86_load_ext(struct x86 *e, unsigned dst, struct x86_mem m, unsigned size, bool sign)
{
    switch (size) {
    case 1:
        x86_op_rm(e, sign, sign ? (const uint8_t[]){0x0f, 0xbe} : (const uint8_t[]){0x0f, 0xb6},
                  2, dst, m);
        break;
    case 2:
        x86_op_rm(e, sign, sign ? (const uint8_t[]){0x0f, 0xbf} : (const uint8_t[]){0x0f, 0xb7},
                  2, dst, m);
        break;
    case 4:
        if (sign)
            x86_op_rm(e, true, (const uint8_t[]){0x63}, 1, dst, m); /* movsxd */
        else
            x86_load(e, false, dst, m);
        break;
    default:
        x86_load(e, true, dst, m);
    }
}

void x86_mov_imm(struct x86 *e, unsigned dst, uint64_t imm)
{
    if (imm == 0) {
        x86_alu_rr(e, false, ALU_XOR, dst, dst);
    } else if (imm <= UINT32_MAX) {
        x86_rex(e, false, 0, 0, dst, false);
        x86_byte(e, (uint8_t)(0xb8 + (dst & 7)));
        x86_u32(e, (uint32_t)imm);
    } else if ((int64_t)imm == (int32_t)imm) {
        x86_rex(e, true, 0, 0, dst, false);
        x86_byte(e, 0xc7);
        x86_byte(e, (uint8_t)(0xc0 | (dst & 7)));
        x86_u32(e, (uint32_t)imm);
    } else {
        x86_rex(e, true, 0, 0, dst, false);
        x86_byte(e, (uint8_t)(0xb8 + (dst & 7)));
        x86_u64(e, imm);
    }
}

void x86_store_imm32(struct x86 *e, struct x86_mem m, int32_t imm)
{
    x86_op_rm(e, true, (const uint8_t[]){0xc7}, 1, 0, m);
    x86_u32(e, (uint32_t)imm);
}

void x86_alu_rr(struct x86 *e, bool w, enum x86_alu op, unsigned dst, unsigned src)
{
    x86_op_rr(e, w, (const uint8_t[]){(uint8_t)(op << 3 | 1)}, 1, src, dst);
}

void x86_alu_rm(struct x86 *e, bool w, enum x86_alu op, unsigned dst, struct x86_mem m)
{
    x86_op_rm(e, w, (const uint8_t[]){(uint8_t)(op << 3 | 3)}, 1, dst, m);
}

void x86_alu_mr(struct x86 *e, bool w, enum x86_alu op, struct x86_mem m, unsigned src)
{
    x86_op_rm(e, w, (const uint8_t[]){(uint8_t)(op << 3 | 1)}, 1, src, m);
}

void x86_alu_ri(struct x86 *e, bool w, enum x86_alu op, unsigned dst, int32_t imm)
{
    if (imm >= -128 && imm <= 127) {
        x86_op_rr(e, w, (const uint8_t[]){0x83}, 1, op, dst);
        x86_byte(e, (uint8_t)imm);
    } else {
        x86_op_rr(e, w, (const uint8_t[]){0x81}, 1, op, dst);
        x86_u32(e, (uint32_t)imm);
    }
}

void x86_alu_mi(struct x86 *e, bool w, enum x86_alu op, struct x86_mem m, int32_t imm)
{
    if (imm >= -128 && imm <= 127) {
        x86_op_rm(e, w, (const uint8_t[]){0x83}, 1, op, m);
        x86_byte(e, (uint8_t)imm);
    } else {
        x86_op_rm(e, w, (const uint8_t[]){0x81}, 1, op, m);
        x86_u32(e, (uint32_t)imm);
    }
}

void x86_cmp8_mi0(struct x86 *e, struct x86_mem m)
{
    x86_op_rm(e, false, (const uint8_t[]){0x80}, 1, ALU_CMP, m);
    x86_byte(e, 0);
}

void x86_cmp16_mi0(struct x86 *e, struct x86_mem m)
{
    x86_byte(e, 0x66);
    x86_op_rm(e, false, (const uint8_t[]){0x83}, 1, ALU_CMP, m);
    x86_byte(e, 0);
}

void x86_test_rr(struct x86 *e, bool w, unsigned a, unsigned b)
{
    x86_op_rr(e, w, (const uint8_t[]){0x85}, 1, b, a);
}

void x86_shift_ri(struct x86 *e, bool w, enum x86_shift op, unsigned dst, uint8_t n)
{
    x86_op_rr(e, w, (const uint8_t[]){0xc1}, 1, op, dst);
    x86_byte(e, n);
}

void x86_shift_rcl(struct x86 *e, bool w, enum x86_shift op, unsigned dst)
{
    x86_op_rr(e, w, (const uint8_t[]){0xd3}, 1, op, dst);
}

void x86_imul_rr(struct x86 *e, bool w, unsigned dst, unsigned src)
{
    x86_op_rr(e, w, (const uint8_t[]){0x0f, 0xaf}, 2, dst, src);
}

void x86_imul_rm(struct x86 *e, bool w, unsigned dst, struct x86_mem m)
{
    x86_op_rm(e, w, (const uint8_t[]){0x0f, 0xaf}, 2, dst, m);
}

void x86_mul1(struct x86 *e, unsigned src, bool sign)
{
    x86_op_rr(e, true, (const uint8_t[]){0xf7}, 1, sign ? 5 : 4, src);
}

void x86_movsxd(struct x86 *e, unsigned dst, unsigned src)
{
    x86_op_rr(e, true, (const uint8_t[]){0x63}, 1, dst, src);
}

void x86_setcc_zx(struct x86 *e, enum x86_cc cc, unsigned dst)
{
    x86_rex(e, false, 0, 0, dst, dst >= 4);
    x86_byte(e, 0x0f);
    x86_byte(e, (uint8_t)(0x90 | cc));
    x86_byte(e, (uint8_t)(0xc0 | (dst & 7)));
    x86_rex(e, false, dst, 0, dst, dst >= 4);
    x86_byte(e, 0x0f);
    x86_byte(e, 0xb6);
    x86_byte(e, (uint8_t)(0xc0 | (dst & 7) << 3 | (dst & 7)));
}

void x86_lea(struct x86 *e, unsigned dst, struct x86_mem m)
{
    x86_op_rm(e, true, (const uint8_t[]){0x8d}, 1, dst, m);
}

void x86_lea_rip(struct x86 *e, unsigned dst, const uint8_t *target)
{
    x86_rex(e, true, dst, 0, 0, false);
    x86_byte(e, 0x8d);
    x86_byte(e, (uint8_t)(((dst & 7) << 3) | 5));
    x86_u32(e, (uint32_t)(target - (x86_exec(e) + 4)));
}

static void sib_operand(struct x86 *e, unsigned reg, unsigned base, unsigned index, int32_t disp)
{
    /* [base + index*1 + disp32]; base is never RBP/R13 here, but disp32 form is always valid. */
    x86_byte(e, (uint8_t)(2 << 6 | (reg & 7) << 3 | 4));
    x86_byte(e, (uint8_t)((index & 7) << 3 | (base & 7)));
    x86_u32(e, (uint32_t)disp);
}

void x86_alu_r_sib(struct x86 *e, enum x86_alu op, unsigned dst, unsigned base, unsigned index,
                   int32_t disp)
{
    x86_rex(e, true, dst, index, base, false);
    x86_byte(e, (uint8_t)(op << 3 | 3));
    sib_operand(e, dst, base, index, disp);
}

void x86_add_r_sib(struct x86 *e, unsigned dst, unsigned base, unsigned index, int32_t disp)
{
    x86_alu_r_sib(e, ALU_ADD, dst, base, index, disp);
}

uint8_t *x86_jmp(struct x86 *e, const uint8_t *target)
{
    x86_byte(e, 0xe9);
    uint8_t *field = e->p;
    x86_u32(e, (uint32_t)(target - (x86_exec(e) + 4)));
    return field;
}

uint8_t *x86_jcc(struct x86 *e, enum x86_cc cc, const uint8_t *target)
{
    x86_byte(e, 0x0f);
    x86_byte(e, (uint8_t)(0x80 | cc));
    uint8_t *field = e->p;
    x86_u32(e, (uint32_t)(target - (x86_exec(e) + 4)));
    return field;
}

void x86_jmp_r(struct x86 *e, unsigned reg)
{
    x86_op_rr(e, false, (const uint8_t[]){0xff}, 1, 4, reg);
}

void x86_jmp_m(struct x86 *e, struct x86_mem m)
{
    x86_op_rm(e, false, (const uint8_t[]){0xff}, 1, 4, m);
}

void x86_call_abs(struct x86 *e, const void *fn)
{
    x86_mov_imm(e, RAX, (uint64_t)(uintptr_t)fn);
    x86_op_rr(e, false, (const uint8_t[]){0xff}, 1, 2, RAX);
}

void x86_push(struct x86 *e, unsigned reg)
{
    x86_rex(e, false, 0, 0, reg, false);
    x86_byte(e, (uint8_t)(0x50 + (reg & 7)));
}

void x86_pop(struct x86 *e, unsigned reg)
{
    x86_rex(e, false, 0, 0, reg, false);
    x86_byte(e, (uint8_t)(0x58 + (reg & 7)));
}

void x86_ret(struct x86 *e)
{
    x86_byte(e, 0xc3);
}

void x86_call(struct x86 *e, const uint8_t *target)
{
    x86_byte(e, 0xe8);
    x86_u32(e, (uint32_t)(target - (x86_exec(e) + 4)));
}

void x86_store32_imm(struct x86 *e, struct x86_mem m, uint32_t imm)
{
    x86_op_rm(e, false, (const uint8_t[]){0xc7}, 1, 0, m);
    x86_u32(e, imm);
}

void x86_alu8_mi(struct x86 *e, enum x86_alu op, struct x86_mem m, uint8_t imm)
{
    x86_op_rm(e, false, (const uint8_t[]){0x80}, 1, op, m);
    x86_byte(e, imm);
}

void x86_bt_ri(struct x86 *e, bool w, enum x86_bt op, unsigned reg, uint8_t bit)
{
    x86_op_rr(e, w, (const uint8_t[]){0x0f, 0xba}, 2, op, reg);
    x86_byte(e, bit);
}

/* The mandatory prefix goes before REX, which x86_op_rm/rr emit before the opcode. */
void x86_sse_rm(struct x86 *e, enum x86_sse_prefix p, bool w, enum x86_sse op, unsigned reg,
                struct x86_mem m)
{
    if (p != SSE_PS)
        x86_byte(e, (uint8_t)p);
    x86_op_rm(e, w, (const uint8_t[]){0x0f, (uint8_t)op}, 2, reg, m);
}

void x86_sse_rr(struct x86 *e, enum x86_sse_prefix p, bool w, enum x86_sse op, unsigned reg,
                unsigned rm)
{
    if (p != SSE_PS)
        x86_byte(e, (uint8_t)p);
    x86_op_rr(e, w, (const uint8_t[]){0x0f, (uint8_t)op}, 2, reg, rm);
}

/* Three-byte VEX: C4, then R X B (inverted) and the map (2 = 0F38), then W, vvvv (inverted),
 * L = 0 and pp (1 = 66). */
void x86_fma231(struct x86 *e, enum x86_fma op, bool dbl, unsigned dst, unsigned src1,
                unsigned src2)
{
    x86_byte(e, 0xc4);
    x86_byte(e, (uint8_t)((~dst & 8) << 4 | 0x40 | (~src2 & 8) << 2 | 0x02));
    x86_byte(e, (uint8_t)((dbl ? 0x80 : 0) | (~src1 & 15) << 3 | 0x01));
    x86_byte(e, (uint8_t)op);
    x86_byte(e, (uint8_t)(0xc0 | (dst & 7) << 3 | (src2 & 7)));
}

/* EVEX (62 P0 P1 P2): P0 = R X B R' (inverted) 0 0 and the map (1 = 0F); P1 = W, vvvv
 * (unused: 1111), a fixed 1, pp (3 = F2, 2 = F3); P2 = z 0, L'L 0, b 0 (MXCSR rounding, exceptions
 * reported), V' (inverted: 1), no mask. Opcode 78 truncates, 79 rounds. */
void x86_cvt_to_uint(struct x86 *e, bool dbl, bool w, bool truncate, unsigned dst, unsigned src)
{
    x86_byte(e, 0x62);
    x86_byte(e, (uint8_t)((~dst & 8) << 4 | 0x40 | (~src & 8) << 2 | 0x10 | 0x01));
    x86_byte(e, (uint8_t)((w ? 0x80 : 0) | 0x7c | (dbl ? 3 : 2)));
    x86_byte(e, 0x08);
    x86_byte(e, truncate ? 0x78 : 0x79);
    x86_byte(e, (uint8_t)(0xc0 | (dst & 7) << 3 | (src & 7)));
}

void x86_patch_rel32(uint8_t *field, intptr_t to_exec, const uint8_t *target)
{
    int32_t rel = (int32_t)(target - (field + to_exec + 4));
    /* An aligned 4-byte store is atomic, but the field need not be aligned; another thread
     * only ever runs this hart's code, so a plain store is enough (code caches are per hart). */
    memcpy(field, &rel, 4);
}
