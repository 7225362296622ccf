/* x86-64 machine-code encoding: just the instructions the translator emits, each as a small
 * function that appends its bytes. Code is written through the writable view of the code
 * buffer while every address it refers to is in the executable view, so a position carries
 * both: exec(e) is where the next byte will run. Nothing here knows RISC-V. */
#ifndef VISOR_JIT_X86_H
#define VISOR_JIT_X86_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum x86_reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
};

/* Condition codes (the low nibble of Jcc / SETcc). */
enum x86_cc {
    CC_O = 0, CC_NO = 1, CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_A = 7, CC_S = 8,
    CC_P = 10, CC_NP = 11, CC_L = 12, CC_GE = 13, CC_LE = 14, CC_G = 15,
};

/* The /digit of the group-1 ALU instructions (81 /n, 83 /n) and their r/m,reg opcodes. */
enum x86_alu { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };
/* The /digit of the group-2 shifts (C1 /n, D3 /n). */
enum x86_shift { SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

struct x86 {
    uint8_t *p, *end; /* next byte and end, in the writable view */
    intptr_t to_exec; /* executable address minus writable address */
    bool overflow;    /* ran past end: the block is abandoned and the cache flushed */
};

/* A memory operand [base + disp]; base RSP/R12 take a SIB byte, RBP/R13 a displacement. */
struct x86_mem {
    uint8_t base;
    int32_t disp;
};

static inline uint8_t *x86_exec(const struct x86 *e)
{
    return e->p + e->to_exec;
}

static inline void x86_byte(struct x86 *e, uint8_t b)
{
    if (e->p < e->end)
        *e->p++ = b;
    else
        e->overflow = true;
}

static inline void x86_u32(struct x86 *e, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        x86_byte(e, (uint8_t)(v >> (8 * i)));
}

static inline void x86_u64(struct x86 *e, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        x86_byte(e, (uint8_t)(v >> (8 * i)));
}

/* REX with W and the high bits of reg (R), index (X) and base/rm (B); omitted when not
 * needed, unless byte registers SPL..DIL are named (force). */
void x86_rex(struct x86 *e, bool w, unsigned reg, unsigned index, unsigned rm, bool force);
/* ModRM (+SIB, +displacement) for a register operand reg and memory operand m. */
void x86_modrm_mem(struct x86 *e, unsigned reg, struct x86_mem m);

/* op reg, r/m forms: opcode bytes (1 or 2, e.g. 0x0f 0xb6), register, memory operand. */
void x86_op_rm(struct x86 *e, bool w, const uint8_t *op, unsigned nop, unsigned reg,
               struct x86_mem m);
/* The same with a register as r/m (mod = 3). */
void x86_op_rr(struct x86 *e, bool w, const uint8_t *op, unsigned nop, unsigned reg,
               unsigned rm);

/* mov dst, src (64-bit); mov dst32, src32 zero-extends. */
void x86_mov_rr(struct x86 *e, bool w, unsigned dst, unsigned src);
/* mov dst, [m] / mov [m], src, 64 or 32 bits. */
void x86_load(struct x86 *e, bool w, unsigned dst, struct x86_mem m);
void x86_store(struct x86 *e, bool w, struct x86_mem m, unsigned src);
/* Stores of 1 and 2 bytes (low byte/word of src). */
void x86_store8(struct x86 *e, struct x86_mem m, unsigned src);
void x86_store16(struct x86 *e, struct x86_mem m, unsigned src);
/* Loads with extension to 64 bits: size 1, 2, 4 (sign or zero), 8. */
void x86_load_ext(struct x86 *e, unsigned dst, struct x86_mem m, unsigned size, bool sign);
/* dst = imm, choosing the shortest encoding. */
void x86_mov_imm(struct x86 *e, unsigned dst, uint64_t imm);
/* mov qword [m], simm32 (sign-extended). */
void x86_store_imm32(struct x86 *e, struct x86_mem m, int32_t imm);
/* ALU dst, src / dst, [m] / [m], src / dst, imm (imm must fit in 32 bits sign-extended). */
void x86_alu_rr(struct x86 *e, bool w, enum x86_alu op, unsigned dst, unsigned src);
void x86_alu_rm(struct x86 *e, bool w, enum x86_alu op, unsigned dst, struct x86_mem m);
void x86_alu_mr(struct x86 *e, bool w, enum x86_alu op, struct x86_mem m, unsigned src);
void x86_alu_ri(struct x86 *e, bool w, enum x86_alu op, unsigned dst, int32_t imm);
void x86_alu_mi(struct x86 *e, bool w, enum x86_alu op, struct x86_mem m, int32_t imm);
/* cmp byte [m], 0 */
void x86_cmp8_mi0(struct x86 *e, struct x86_mem m);
/* cmp word [m], 0 */
void x86_cmp16_mi0(struct x86 *e, struct x86_mem m);
/* test dst, src */
void x86_test_rr(struct x86 *e, bool w, unsigned a, unsigned b);
/* Shifts by an immediate or by CL. */
void x86_shift_ri(struct x86 *e, bool w, enum x86_shift op, unsigned dst, uint8_t n);
void x86_shift_rcl(struct x86 *e, bool w, enum x86_shift op, unsigned dst);
/* imul dst, src (64 or 32) / imul dst, [m]. */
void x86_imul_rr(struct x86 *e, bool w, unsigned dst, unsigned src);
void x86_imul_rm(struct x86 *e, bool w, unsigned dst, struct x86_mem m);
/* One-operand mul/imul of RAX by src: RDX:RAX. */
void x86_mul1(struct x86 *e, unsigned src, bool sign);
/* movsxd dst, src32 */
void x86_movsxd(struct x86 *e, unsigned dst, unsigned src);
/* setcc dst8 then movzx dst, dst8. */
void x86_setcc_zx(struct x86 *e, enum x86_cc cc, unsigned dst);
/* lea dst, [m] */
void x86_lea(struct x86 *e, unsigned dst, struct x86_mem m);
/* lea dst, [rip + disp] to an executable address. */
void x86_lea_rip(struct x86 *e, unsigned dst, const uint8_t *target);
/* [base + index*scale + disp] loads/compares for the TLB lookup. */
void x86_alu_r_sib(struct x86 *e, enum x86_alu op, unsigned dst, unsigned base, unsigned index,
                   int32_t disp);
void x86_add_r_sib(struct x86 *e, unsigned dst, unsigned base, unsigned index, int32_t disp);
/* Control flow. Each jump returns the writable address of its rel32 field for patching. */
uint8_t *x86_jmp(struct x86 *e, const uint8_t *target);
uint8_t *x86_jcc(struct x86 *e, enum x86_cc cc, const uint8_t *target);
void x86_jmp_r(struct x86 *e, unsigned reg);
void x86_jmp_m(struct x86 *e, struct x86_mem m);
/* call through RAX (helpers may lie beyond rel32 reach). */
void x86_call_abs(struct x86 *e, const void *fn);
void x86_push(struct x86 *e, unsigned reg);
void x86_pop(struct x86 *e, unsigned reg);
void x86_ret(struct x86 *e);

/* call rel32 to code in the same buffer. */
void x86_call(struct x86 *e, const uint8_t *target);
/* mov dword [m], imm32 */
void x86_store32_imm(struct x86 *e, struct x86_mem m, uint32_t imm);
/* op byte [m], imm8 (group 1) */
void x86_alu8_mi(struct x86 *e, enum x86_alu op, struct x86_mem m, uint8_t imm);
/* bts/btr/btc reg, imm8 */
enum x86_bt { BT_BTS = 5, BT_BTR = 6, BT_BTC = 7 };
void x86_bt_ri(struct x86 *e, bool w, enum x86_bt op, unsigned reg, uint8_t bit);

/* ---- SSE, scalar floating point. xmm registers are numbered 0..15 like the general ones. ----
 * Each instruction is [prefix] [REX] 0F op /r; the prefix picks the type: none = single
 * (packed, or ucomiss), 66 = double (packed, or ucomisd), F2 = scalar double, F3 = scalar
 * single. REX.W widens the general-register operand of conversions and movq. */
enum x86_sse_prefix { SSE_PS = 0, SSE_PD = 0x66, SSE_SD = 0xf2, SSE_SS = 0xf3 };
enum x86_sse {
    SSE_LOAD = 0x10,      /* movss/movsd xmm, m */
    SSE_STORE = 0x11,     /* movss/movsd m, xmm */
    SSE_FROM_INT = 0x2a,  /* cvtsi2ss/sd xmm, r/m32|64 */
    SSE_TO_INT_T = 0x2c,  /* cvttss/sd2si r32|64, xmm (truncating) */
    SSE_TO_INT = 0x2d,    /* cvtss/sd2si r32|64, xmm (MXCSR's rounding) */
    SSE_UCOMI = 0x2e,     /* ucomiss/sd: quiet compare into ZF, PF, CF */
    SSE_COMI = 0x2f,      /* comiss/sd: signalling compare */
    SSE_SQRT = 0x51,
    SSE_AND = 0x54,       /* andps/pd */
    SSE_OR = 0x56,        /* orps/pd */
    SSE_ADD = 0x58,
    SSE_MUL = 0x59,
    SSE_CVT_FP = 0x5a,    /* F2: cvtsd2ss, F3: cvtss2sd */
    SSE_SUB = 0x5c,
    SSE_MIN = 0x5d,
    SSE_DIV = 0x5e,
    SSE_MAX = 0x5f,
};
/* op reg, [m] / op reg, rm: reg and rm are whatever the instruction takes there (xmm or
 * general register). */
void x86_sse_rm(struct x86 *e, enum x86_sse_prefix p, bool w, enum x86_sse op, unsigned reg,
                struct x86_mem m);
void x86_sse_rr(struct x86 *e, enum x86_sse_prefix p, bool w, enum x86_sse op, unsigned reg,
                unsigned rm);

/* FMA3, the scalar 231 forms: dst = ±(src1 * src2) ± dst with one rounding (VEX.LIG.66.0F38,
 * W1 = double). The caller checks the CPU has FMA. */
enum x86_fma { FMA_MADD = 0xb9, FMA_MSUB = 0xbb, FMA_NMADD = 0xbd, FMA_NMSUB = 0xbf };
void x86_fma231(struct x86 *e, enum x86_fma op, bool dbl, unsigned dst, unsigned src1,
                unsigned src2);
/* AVX-512F vcvt[t]ss/sd2usi dst(32 or 64 bits), src: to unsigned, truncating or in MXCSR's
 * rounding mode; out of range gives all ones. The caller checks the CPU has AVX-512F. */
void x86_cvt_to_uint(struct x86 *e, bool dbl, bool w, bool truncate, unsigned dst, unsigned src);

/* Points a rel32 field (writable address) at an executable target. */
void x86_patch_rel32(uint8_t *field, intptr_t to_exec, const uint8_t *target);

#endif
