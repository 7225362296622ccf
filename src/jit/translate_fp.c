/* F and D instructions on the host's SSE unit (and FMA3 / AVX-512F where the CPU has them),
 * bit-exact with the interpreter (interp_fp.c on fpu.c's soft-float):
 *  - f registers stay in h->f: an instruction loads its operands into xmm0-xmm2 and stores
 *    its result; a single is NaN-boxed by a second, 32-bit store of all ones.
 *  - rounding: MXCSR holds the mode of the block key's frm (translate_fp_enter), so DYN and a
 *    static rm equal to it run inline. Any other static rm, and RMM (x86 has no such mode),
 *    stays a call of the interpreter's code -- except float-to-integer with RTZ (cvtt*).
 *  - fflags: x86's exception flags mean what RISC-V's do (IE = NV, ZE = DZ, OE = OF,
 *    UE = UF, PE = NX, tininess detected after rounding; DE has no RISC-V meaning and is
 *    ignored). MXCSR collects them; translate_fp_leave folds them into fflags.
 *  - where x86 and RISC-V part -- a NaN result (x86 keeps a payload and its fma(0, inf, qNaN)
 *    does not signal; RISC-V gives the canonical NaN), an improperly NaN-boxed single
 *    operand, a conversion out of range (x86 gives its one "indefinite" integer), fmin/fmax
 *    of a NaN -- the inline code notices before it writes anything and jumps to STUB_REDO,
 *    which runs the instruction again by the interpreter's code. The flags x86 raised on the
 *    way are all ones the interpreter raises for that instruction too.
 *
 * Example: fadd.d fa0, fa1, fa2 (DYN) becomes
 *     movsd xmm0, [f11]; addsd xmm0, [f12]; ucomisd xmm0, xmm0; jp redo; movsd [f10], xmm0 */
#include "translate.h"
#include "../cpu/fpu.h"

#include <xmmintrin.h>

/* MXCSR: all exceptions masked (bits 7-12), rounding control in bits 13-14, DAZ and FTZ off
 * (RISC-V has no flushing of subnormals), flags in bits 0-5. */
#define MXCSR_MASKED 0x1f80u
#define MXCSR_RC_SHIFT 13
enum { MX_IE = 1, MX_DE = 2, MX_ZE = 4, MX_OE = 8, MX_UE = 16, MX_PE = 32 };

/* The host's optional units (cpuid, cached by the compiler's runtime). */
static bool have_fma(void)
{
    return __builtin_cpu_supports("fma");
}

static bool have_avx512f(void)
{
    return __builtin_cpu_supports("avx512f");
}

/* ---- rounding modes ---- */

/* The mode MXCSR holds while blocks of this key run: frm's, or RNE when frm is RMM or
 * reserved (instructions asking for those are not translated inline). */
static int block_rm(unsigned key)
{
    unsigned frm = KEY_FRM(key);
    return frm < FPU_RMM ? (int)frm : FPU_RNE;
}

uint32_t translate_fp_enter(unsigned key)
{
    static const uint8_t x86_rc[4] = {[FPU_RNE] = 0, [FPU_RDN] = 1, [FPU_RUP] = 2, [FPU_RTZ] = 3};
    uint32_t host = _mm_getcsr();
    _mm_setcsr(MXCSR_MASKED | (uint32_t)x86_rc[block_rm(key)] << MXCSR_RC_SHIFT);
    return host;
}

void translate_fp_sync(struct hart *h)
{
    uint32_t mx = _mm_getcsr();
    unsigned fl = (mx & MX_IE ? FPU_NV : 0) | (mx & MX_ZE ? FPU_DZ : 0) |
                  (mx & MX_OE ? FPU_OF : 0) | (mx & MX_UE ? FPU_UF : 0) |
                  (mx & MX_PE ? FPU_NX : 0);
    if (fl) {
        h->fflags |= fl;
        h->mstatus |= MSTATUS_FS | MSTATUS_SD;
        _mm_setcsr(mx & ~0x3fu);
    }
}

void translate_fp_leave(struct hart *h, uint32_t host_mxcsr)
{
    uint32_t mx = _mm_getcsr();
    _mm_setcsr(host_mxcsr);
    unsigned fl = (mx & MX_IE ? FPU_NV : 0) | (mx & MX_ZE ? FPU_DZ : 0) |
                  (mx & MX_OE ? FPU_OF : 0) | (mx & MX_UE ? FPU_UF : 0) |
                  (mx & MX_PE ? FPU_NX : 0);
    if (fl) {
        /* as the interpreter does for an instruction that raises any flag */
        h->fflags |= fl;
        h->mstatus |= MSTATUS_FS | MSTATUS_SD;
    }
}

/* ---- one instruction's translation ---- */

struct fpi {
    struct tctx *t;
    struct x86 *e;
    const struct insn *in;
    struct stub *redo; /* its STUB_REDO, once some check jumps there */
};

static struct x86_mem freg(unsigned r)
{
    return hmem(HART_OFF(f) + 8 * (int32_t)r);
}

/* The upper half of f[r]: all ones when it holds a properly boxed single. */
static struct x86_mem freg_hi(unsigned r)
{
    return hmem(HART_OFF(f) + 8 * (int32_t)r + 4);
}

static enum x86_sse_prefix scalar(bool dbl)
{
    return dbl ? SSE_SD : SSE_SS;
}

/* The prefix of the packed and ucomis/comis forms. */
static enum x86_sse_prefix packed(bool dbl)
{
    return dbl ? SSE_PD : SSE_PS;
}

/* The rounding mode the instruction asks for (its rm, or frm for DYN), -1 if reserved. */
static int insn_rm(const struct fpi *f)
{
    unsigned rm = f->in->rm == 7 ? KEY_FRM(f->t->b->key) : f->in->rm;
    return rm <= FPU_RMM ? (int)rm : -1;
}

/* Whether the instruction rounds as MXCSR does in this block. */
static bool rounds_inline(const struct fpi *f)
{
    return insn_rm(f) == block_rm(f->t->b->key);
}

/* Jumps to the instruction's redo stub on cc (at most two jumps per instruction). */
static void redo_if(struct fpi *f, enum x86_cc cc)
{
    uint8_t *field = x86_jcc(f->e, cc, x86_exec(f->e));
    if (!f->redo) {
        f->redo = tr_add_stub(f->t, STUB_REDO, field);
        f->redo->copy = f->t->copy;
    } else {
        f->redo->field2 = field;
    }
}

/* A single read from an improperly boxed register is the canonical NaN: leave that to the
 * interpreter. One branch for all operands (regs is a mask of f registers): the AND of their
 * upper halves. Uses rax. */
static void check_boxed(struct fpi *f, uint32_t regs)
{
    unsigned r = (unsigned)__builtin_ctz(regs);
    regs &= regs - 1;
    if (!regs) {
        x86_alu_mi(f->e, false, ALU_CMP, freg_hi(r), -1);
    } else {
        x86_load(f->e, false, RAX, freg_hi(r));
        for (; regs; regs &= regs - 1)
            x86_alu_rm(f->e, false, ALU_AND, RAX, freg_hi((unsigned)__builtin_ctz(regs)));
        x86_alu_ri(f->e, false, ALU_CMP, RAX, -1);
    }
    redo_if(f, CC_NE);
}

/* A NaN result must be the canonical NaN: leave that to the interpreter. (ucomis signals
 * only for a signalling NaN, which no x86 arithmetic returns.) */
static void check_nan(struct fpi *f, bool dbl, unsigned xmm)
{
    x86_sse_rr(f->e, packed(dbl), false, SSE_UCOMI, xmm, xmm);
    redo_if(f, CC_P);
}

static void load_f(struct fpi *f, bool dbl, unsigned xmm, unsigned r)
{
    x86_sse_rm(f->e, scalar(dbl), false, SSE_LOAD, xmm, freg(r));
}

/* The interpreter sets FS = Dirty (and SD) whenever it writes an f register; nothing to do
 * in blocks entered with FS already Dirty, as nothing in translated code can clean it. */
static void mark_dirty(struct fpi *f)
{
    if (KEY_FS(f->t->b->key) == 3)
        return;
    x86_alu8_mi(f->e, ALU_OR, hmem(HART_OFF(mstatus) + 1), (uint8_t)(MSTATUS_FS >> 8));
    x86_alu8_mi(f->e, ALU_OR, hmem(HART_OFF(mstatus) + 7), (uint8_t)(MSTATUS_SD >> 56));
}

/* f[rd] = the single or double in xmm. */
static void store_f(struct fpi *f, bool dbl, unsigned xmm)
{
    x86_sse_rm(f->e, scalar(dbl), false, SSE_STORE, xmm, freg(f->in->rd));
    if (!dbl)
        x86_store32_imm(f->e, freg_hi(f->in->rd), UINT32_MAX);
    mark_dirty(f);
}

/* f[rd] = rax (the low half when single). */
static void store_f_gpr(struct fpi *f, bool dbl, unsigned reg)
{
    x86_store(f->e, dbl, freg(f->in->rd), reg);
    if (!dbl)
        x86_store32_imm(f->e, freg_hi(f->in->rd), UINT32_MAX);
    mark_dirty(f);
}

static uint32_t bit(unsigned r)
{
    return 1u << r;
}

/* ---- the instruction classes ---- */

/* flw/fld: the integer loads' inline TLB path; the slow path returns the value in rax. */
static bool fp_load(struct fpi *f, bool dbl)
{
    unsigned size = dbl ? 8 : 4;
    tr_emit_addr(f->t, f->in);
    struct stub *s = tr_tlb_lookup(f->t, ACC_LOAD, size, STUB_LOAD);
    x86_load_ext(f->e, RAX, (struct x86_mem){RSI, 0}, size, false);
    s->size = (uint8_t)size;
    s->resume = x86_exec(f->e);
    store_f_gpr(f, dbl, RAX);
    return true;
}

/* fsw/fsd: the value goes in rdx, where the slow path takes it. fsw stores the low half as it
 * is, boxed or not. */
static bool fp_store(struct fpi *f, bool dbl)
{
    unsigned size = dbl ? 8 : 4;
    x86_load(f->e, dbl, RDX, freg(f->in->rs2));
    tr_emit_addr(f->t, f->in);
    struct stub *s = tr_tlb_lookup(f->t, ACC_STORE, size, STUB_STORE);
    x86_store(f->e, dbl, (struct x86_mem){RSI, 0}, RDX);
    s->size = (uint8_t)size;
    s->resume = x86_exec(f->e);
    return true;
}

static bool fp_arith(struct fpi *f, bool dbl, enum x86_sse op)
{
    const struct insn *in = f->in;
    if (!rounds_inline(f))
        return false;
    if (!dbl)
        check_boxed(f, bit(in->rs1) | bit(in->rs2));
    load_f(f, dbl, 0, in->rs1);
    x86_sse_rm(f->e, scalar(dbl), false, op, 0, freg(in->rs2));
    check_nan(f, dbl, 0);
    store_f(f, dbl, 0);
    return true;
}

static bool fp_sqrt(struct fpi *f, bool dbl)
{
    if (!rounds_inline(f))
        return false;
    if (!dbl)
        check_boxed(f, bit(f->in->rs1));
    x86_sse_rm(f->e, scalar(dbl), false, SSE_SQRT, 0, freg(f->in->rs1));
    check_nan(f, dbl, 0);
    store_f(f, dbl, 0);
    return true;
}

/* rs1 * rs2 ± rs3 with one rounding: xmm0 = rs3, then the 231 form adds xmm1 * xmm2 to it. */
static bool fp_fma(struct fpi *f, bool dbl, enum x86_fma op)
{
    const struct insn *in = f->in;
    if (!have_fma() || !rounds_inline(f))
        return false;
    if (!dbl)
        check_boxed(f, bit(in->rs1) | bit(in->rs2) | bit(in->rs3));
    load_f(f, dbl, 0, in->rs3);
    load_f(f, dbl, 1, in->rs1);
    load_f(f, dbl, 2, in->rs2);
    x86_fma231(f->e, op, dbl, 0, 1, 2);
    check_nan(f, dbl, 0);
    store_f(f, dbl, 0);
    return true;
}

enum { SGNJ, SGNJN, SGNJX };

/* Sign injection, in general registers: rax = rs1 with its sign bit replaced. */
static bool fp_sgnj(struct fpi *f, bool dbl, unsigned kind)
{
    const struct insn *in = f->in;
    struct x86 *e = f->e;
    uint8_t sign = dbl ? 63 : 31;
    if (!dbl)
        check_boxed(f, bit(in->rs1) | bit(in->rs2));
    x86_load(e, dbl, RAX, freg(in->rs1));
    if (in->rs1 == in->rs2) {
        /* fmv, fneg, fabs */
        if (kind == SGNJN)
            x86_bt_ri(e, dbl, BT_BTC, RAX, sign);
        else if (kind == SGNJX)
            x86_bt_ri(e, dbl, BT_BTR, RAX, sign);
    } else {
        /* rax ^= (source of the sign ^ rax) & sign bit; fsgnjx's source is rs1 ^ rs2 */
        x86_load(e, dbl, RCX, freg(in->rs2));
        if (kind == SGNJN)
            x86_alu_ri(e, dbl, ALU_XOR, RCX, -1);
        if (kind != SGNJX)
            x86_alu_rr(e, dbl, ALU_XOR, RCX, RAX);
        x86_shift_ri(e, dbl, SH_SHR, RCX, sign);
        x86_shift_ri(e, dbl, SH_SHL, RCX, sign);
        x86_alu_rr(e, dbl, ALU_XOR, RAX, RCX);
    }
    store_f_gpr(f, dbl, RAX);
    return true;
}

/* fmin/fmax: NaN operands (ucomis raises NV for a signalling one, as RISC-V does) go to the
 * interpreter; equal operands are equal bits or zeros, where min is the OR (-0 wins) and max
 * the AND; otherwise minsd/maxsd, which are exact. */
static bool fp_minmax(struct fpi *f, bool dbl, enum x86_sse op)
{
    const struct insn *in = f->in;
    struct x86 *e = f->e;
    if (!dbl)
        check_boxed(f, bit(in->rs1) | bit(in->rs2));
    load_f(f, dbl, 0, in->rs1);
    load_f(f, dbl, 1, in->rs2);
    x86_sse_rr(e, packed(dbl), false, SSE_UCOMI, 0, 1);
    redo_if(f, CC_P);
    uint8_t *unequal = x86_jcc(e, CC_NE, x86_exec(e));
    x86_sse_rr(e, packed(dbl), false, op == SSE_MIN ? SSE_OR : SSE_AND, 0, 1);
    uint8_t *done = x86_jmp(e, x86_exec(e));
    x86_patch_rel32(unequal, e->to_exec, x86_exec(e));
    x86_sse_rr(e, scalar(dbl), false, op, 0, 1);
    x86_patch_rel32(done, e->to_exec, x86_exec(e));
    store_f(f, dbl, 0);
    return true;
}

enum { FEQ, FLT, FLE };

/* feq is ucomis (NV for signalling NaNs only), flt/fle are comis (NV for any NaN) with the
 * operands swapped so that "above" means rs1 < rs2: unordered sets ZF, PF and CF. */
static bool fp_compare(struct fpi *f, bool dbl, unsigned kind)
{
    const struct insn *in = f->in;
    struct x86 *e = f->e;
    if (!dbl)
        check_boxed(f, bit(in->rs1) | bit(in->rs2));
    if (kind == FEQ) {
        load_f(f, dbl, 0, in->rs1);
        x86_sse_rm(e, packed(dbl), false, SSE_UCOMI, 0, freg(in->rs2));
        x86_setcc_zx(e, CC_E, RAX);
        x86_setcc_zx(e, CC_NP, RCX);
        x86_alu_rr(e, false, ALU_AND, RAX, RCX);
    } else {
        load_f(f, dbl, 0, in->rs2);
        x86_sse_rm(e, packed(dbl), false, SSE_COMI, 0, freg(in->rs1));
        x86_setcc_zx(e, kind == FLT ? CC_A : CC_AE, RAX);
    }
    tr_put(f->t, in->rd, RAX);
    return true;
}

enum { CV_64 = 1, CV_UNSIGNED = 2 }; /* the integer side of a conversion */

/* Float to integer. x86 answers anything out of range (and NaN) with one value -- INT_MIN
 * (signed), all ones (unsigned, AVX-512F) -- raising IE alone; an in-range result can be that
 * value too. Both go to the interpreter, which saturates. */
static bool fp_to_int(struct fpi *f, bool dbl, unsigned cv)
{
    const struct insn *in = f->in;
    struct x86 *e = f->e;
    bool w = cv & CV_64, truncate = insn_rm(f) == FPU_RTZ;
    if (!truncate && !rounds_inline(f))
        return false;
    if ((cv & CV_UNSIGNED) && !have_avx512f())
        return false;
    if (!dbl)
        check_boxed(f, bit(in->rs1));
    load_f(f, dbl, 0, in->rs1);
    if (cv & CV_UNSIGNED) {
        x86_cvt_to_uint(e, dbl, w, truncate, RAX, 0);
        x86_alu_ri(e, w, ALU_CMP, RAX, -1);
        redo_if(f, CC_E);
    } else {
        x86_sse_rr(e, scalar(dbl), w, truncate ? SSE_TO_INT_T : SSE_TO_INT, RAX, 0);
        x86_alu_ri(e, w, ALU_CMP, RAX, 1); /* overflows only for INT_MIN */
        redo_if(f, CC_O);
    }
    if (!w)
        x86_movsxd(e, RAX, RAX);
    tr_put(f->t, in->rd, RAX);
    return true;
}

/* Integer to float. An unsigned 64-bit value with its top bit set is halved first, keeping
 * the bit shifted out as a sticky bit so that the conversion rounds as the whole value would;
 * doubling the result is exact. */
static bool fp_from_int(struct fpi *f, bool dbl, unsigned cv)
{
    const struct insn *in = f->in;
    struct x86 *e = f->e;
    bool exact = dbl && !(cv & CV_64); /* every 32-bit integer is a double */
    if (exact ? insn_rm(f) < 0 : !rounds_inline(f))
        return false;
    unsigned src = tr_src(f->t, in->rs1, RAX);
    if (!(cv & CV_64)) {
        if (cv & CV_UNSIGNED) {
            x86_mov_rr(e, false, RAX, src); /* zero-extends: a 64-bit conversion is exact */
            x86_sse_rr(e, scalar(dbl), true, SSE_FROM_INT, 0, RAX);
        } else {
            x86_sse_rr(e, scalar(dbl), false, SSE_FROM_INT, 0, src);
        }
    } else if (!(cv & CV_UNSIGNED)) {
        x86_sse_rr(e, scalar(dbl), true, SSE_FROM_INT, 0, src);
    } else {
        if (src != RAX)
            x86_mov_rr(e, true, RAX, src);
        x86_test_rr(e, true, RAX, RAX);
        uint8_t *big = x86_jcc(e, CC_S, x86_exec(e));
        x86_sse_rr(e, scalar(dbl), true, SSE_FROM_INT, 0, RAX);
        uint8_t *done = x86_jmp(e, x86_exec(e));
        x86_patch_rel32(big, e->to_exec, x86_exec(e));
        x86_mov_rr(e, false, RCX, RAX);
        x86_alu_ri(e, false, ALU_AND, RCX, 1);
        x86_shift_ri(e, true, SH_SHR, RAX, 1);
        x86_alu_rr(e, true, ALU_OR, RAX, RCX);
        x86_sse_rr(e, scalar(dbl), true, SSE_FROM_INT, 0, RAX);
        x86_sse_rr(e, scalar(dbl), false, SSE_ADD, 0, 0);
        x86_patch_rel32(done, e->to_exec, x86_exec(e));
    }
    store_f(f, dbl, 0);
    return true;
}

/* fcvt.s.d (rounds) and fcvt.d.s (exact, but a reserved rm is still illegal). */
static bool fp_convert(struct fpi *f, bool to_dbl)
{
    const struct insn *in = f->in;
    if (to_dbl ? insn_rm(f) < 0 : !rounds_inline(f))
        return false;
    if (to_dbl)
        check_boxed(f, bit(in->rs1));
    load_f(f, !to_dbl, 0, in->rs1);
    x86_sse_rr(f->e, scalar(!to_dbl), false, SSE_CVT_FP, 0, 0);
    check_nan(f, to_dbl, 0);
    store_f(f, to_dbl, 0);
    return true;
}

/* fmv.x.w (sign-extends the low half, boxed or not) and fmv.x.d. */
static bool fp_move_to_x(struct fpi *f, bool dbl)
{
    const struct insn *in = f->in;
    if (!in->rd)
        return true;
    unsigned d = tr_dst(in->rd, RAX);
    x86_load_ext(f->e, d, freg(in->rs1), dbl ? 8 : 4, true);
    tr_commit(f->t, in->rd, d);
    return true;
}

static bool fp_move_from_x(struct fpi *f, bool dbl)
{
    store_f_gpr(f, dbl, tr_src(f->t, f->in->rs1, RAX));
    return true;
}

/* ---- the table ---- */

enum fp_kind {
    K_LOAD, K_STORE, K_ARITH, K_SQRT, K_FMA, K_SGNJ, K_MINMAX, K_CMP, K_TO_INT, K_FROM_INT,
    K_CONVERT, K_MV_TO_X, K_MV_FROM_X,
};

/* arg: the x86 operation (K_ARITH, K_FMA, K_MINMAX), the variant (K_SGNJ, K_CMP), CV_* bits
 * (K_TO_INT, K_FROM_INT). dbl: the instruction's floating-point format (K_CONVERT: the
 * result's). fclass is not here: it stays a call. */
static const struct fp_row {
    uint16_t op;
    uint8_t kind;
    bool dbl;
    uint8_t arg;
} fp_rows[] = {
    {OP_flw, K_LOAD, false, 0},
    {OP_fld, K_LOAD, true, 0},
    {OP_fsw, K_STORE, false, 0},
    {OP_fsd, K_STORE, true, 0},
    {OP_fadd_s, K_ARITH, false, SSE_ADD},
    {OP_fsub_s, K_ARITH, false, SSE_SUB},
    {OP_fmul_s, K_ARITH, false, SSE_MUL},
    {OP_fdiv_s, K_ARITH, false, SSE_DIV},
    {OP_fadd_d, K_ARITH, true, SSE_ADD},
    {OP_fsub_d, K_ARITH, true, SSE_SUB},
    {OP_fmul_d, K_ARITH, true, SSE_MUL},
    {OP_fdiv_d, K_ARITH, true, SSE_DIV},
    {OP_fsqrt_s, K_SQRT, false, 0},
    {OP_fsqrt_d, K_SQRT, true, 0},
    /* RISC-V's fnmsub is -(a*b) + c, x86's fnmadd; its fnmadd is x86's fnmsub */
    {OP_fmadd_s, K_FMA, false, FMA_MADD},
    {OP_fmsub_s, K_FMA, false, FMA_MSUB},
    {OP_fnmsub_s, K_FMA, false, FMA_NMADD},
    {OP_fnmadd_s, K_FMA, false, FMA_NMSUB},
    {OP_fmadd_d, K_FMA, true, FMA_MADD},
    {OP_fmsub_d, K_FMA, true, FMA_MSUB},
    {OP_fnmsub_d, K_FMA, true, FMA_NMADD},
    {OP_fnmadd_d, K_FMA, true, FMA_NMSUB},
    {OP_fsgnj_s, K_SGNJ, false, SGNJ},
    {OP_fsgnjn_s, K_SGNJ, false, SGNJN},
    {OP_fsgnjx_s, K_SGNJ, false, SGNJX},
    {OP_fsgnj_d, K_SGNJ, true, SGNJ},
    {OP_fsgnjn_d, K_SGNJ, true, SGNJN},
    {OP_fsgnjx_d, K_SGNJ, true, SGNJX},
    {OP_fmin_s, K_MINMAX, false, SSE_MIN},
    {OP_fmax_s, K_MINMAX, false, SSE_MAX},
    {OP_fmin_d, K_MINMAX, true, SSE_MIN},
    {OP_fmax_d, K_MINMAX, true, SSE_MAX},
    {OP_feq_s, K_CMP, false, FEQ},
    {OP_flt_s, K_CMP, false, FLT},
    {OP_fle_s, K_CMP, false, FLE},
    {OP_feq_d, K_CMP, true, FEQ},
    {OP_flt_d, K_CMP, true, FLT},
    {OP_fle_d, K_CMP, true, FLE},
    {OP_fcvt_w_s, K_TO_INT, false, 0},
    {OP_fcvt_wu_s, K_TO_INT, false, CV_UNSIGNED},
    {OP_fcvt_l_s, K_TO_INT, false, CV_64},
    {OP_fcvt_lu_s, K_TO_INT, false, CV_64 | CV_UNSIGNED},
    {OP_fcvt_w_d, K_TO_INT, true, 0},
    {OP_fcvt_wu_d, K_TO_INT, true, CV_UNSIGNED},
    {OP_fcvt_l_d, K_TO_INT, true, CV_64},
    {OP_fcvt_lu_d, K_TO_INT, true, CV_64 | CV_UNSIGNED},
    {OP_fcvt_s_w, K_FROM_INT, false, 0},
    {OP_fcvt_s_wu, K_FROM_INT, false, CV_UNSIGNED},
    {OP_fcvt_s_l, K_FROM_INT, false, CV_64},
    {OP_fcvt_s_lu, K_FROM_INT, false, CV_64 | CV_UNSIGNED},
    {OP_fcvt_d_w, K_FROM_INT, true, 0},
    {OP_fcvt_d_wu, K_FROM_INT, true, CV_UNSIGNED},
    {OP_fcvt_d_l, K_FROM_INT, true, CV_64},
    {OP_fcvt_d_lu, K_FROM_INT, true, CV_64 | CV_UNSIGNED},
    {OP_fcvt_s_d, K_CONVERT, false, 0},
    {OP_fcvt_d_s, K_CONVERT, true, 0},
    {OP_fmv_x_w, K_MV_TO_X, false, 0},
    {OP_fmv_x_d, K_MV_TO_X, true, 0},
    {OP_fmv_w_x, K_MV_FROM_X, false, 0},
    {OP_fmv_d_x, K_MV_FROM_X, true, 0},
};

static const struct fp_row *find_row(unsigned op)
{
    for (unsigned i = 0; i < sizeof(fp_rows) / sizeof(fp_rows[0]); i++)
        if (fp_rows[i].op == op)
            return &fp_rows[i];
    return NULL;
}

static bool emit_row(struct fpi *f, const struct fp_row *r)
{
    switch ((enum fp_kind)r->kind) {
    case K_LOAD: return fp_load(f, r->dbl);
    case K_STORE: return fp_store(f, r->dbl);
    case K_ARITH: return fp_arith(f, r->dbl, (enum x86_sse)r->arg);
    case K_SQRT: return fp_sqrt(f, r->dbl);
    case K_FMA: return fp_fma(f, r->dbl, (enum x86_fma)r->arg);
    case K_SGNJ: return fp_sgnj(f, r->dbl, r->arg);
    case K_MINMAX: return fp_minmax(f, r->dbl, (enum x86_sse)r->arg);
    case K_CMP: return fp_compare(f, r->dbl, r->arg);
    case K_TO_INT: return fp_to_int(f, r->dbl, r->arg);
    case K_FROM_INT: return fp_from_int(f, r->dbl, r->arg);
    case K_CONVERT: return fp_convert(f, r->dbl);
    case K_MV_TO_X: return fp_move_to_x(f, r->dbl);
    case K_MV_FROM_X: return fp_move_from_x(f, r->dbl);
    }
    return false;
}

bool translate_fp(struct tctx *t, const struct insn *in)
{
    /* FS Off: the call raises illegal instruction */
    if (KEY_FS(t->b->key) == 0)
        return false;
    const struct fp_row *r = find_row(in->op);
    if (!r)
        return false;
    struct fpi f = {.t = t, .e = &t->e, .in = in};
    if (!emit_row(&f, r))
        return false; /* (each class declines before it emits anything) */
    if (f.redo)
        f.redo->resume = x86_exec(&t->e);
    return true;
}
