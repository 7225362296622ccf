/* F and D instructions: operand unboxing, rounding-mode selection, flag accumulation and
 * NaN-boxed results around the soft-float arithmetic in fpu.c. Callers have checked that
 * mstatus.FS is not Off; every instruction here that writes f registers or fflags marks FS
 * Dirty. */
#include "cpu_priv.h"
#include "fpu.h"

#define BOX32 0xffffffff00000000ull
#define CANON_NAN32 0x7fc00000u

/* A single-precision operand: improperly boxed values read as the canonical NaN. */
static inline uint32_t f32_in(const struct hart *h, unsigned r)
{
    uint64_t v = h->f[r];
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : CANON_NAN32;
}

static inline void fs_dirty(struct hart *h)
{
    h->mstatus |= MSTATUS_FS | MSTATUS_SD;
}

static inline void f32_out(struct hart *h, unsigned rd, uint32_t v)
{
    h->f[rd] = BOX32 | v;
    fs_dirty(h);
}

static inline void f64_out(struct hart *h, unsigned rd, uint64_t v)
{
    h->f[rd] = v;
    fs_dirty(h);
}

static inline void x_out(struct hart *h, unsigned rd, uint64_t v)
{
    h->x[rd] = v;
    h->x[0] = 0;
}

static inline uint64_t sx32(uint32_t v)
{
    return (uint64_t)(int64_t)(int32_t)v;
}

/* The effective rounding mode, or -1 if the instruction must be illegal. */
static inline int rounding(const struct hart *h, const struct insn *in)
{
    unsigned rm = in->rm == 7 ? h->frm : in->rm;
    return rm <= FPU_RMM ? (int)rm : -1;
}

static bool fp_load_store(struct hart *h, const struct insn *in)
{
    uint64_t va = h->x[in->rs1] + (uint64_t)in->imm, v;
    switch (in->op) {
    case OP_flw:
        if (!mem_load(h, va, 4, &v))
            return false;
        f32_out(h, in->rd, (uint32_t)v);
        return true;
    case OP_fld:
        if (!mem_load(h, va, 8, &v))
            return false;
        f64_out(h, in->rd, v);
        return true;
    case OP_fsw:
        return mem_store(h, va, 4, (uint32_t)h->f[in->rs2]);
    default: /* fsd */
        return mem_store(h, va, 8, h->f[in->rs2]);
    }
}

static uint32_t sgnj32(unsigned op, uint32_t a, uint32_t b)
{
    uint32_t sign = op == OP_fsgnj_s ? b : op == OP_fsgnjn_s ? ~b : a ^ b;
    return (a & 0x7fffffffu) | (sign & 0x80000000u);
}

static uint64_t sgnj64(unsigned op, uint64_t a, uint64_t b)
{
    const uint64_t s = 1ull << 63;
    uint64_t sign = op == OP_fsgnj_d ? b : op == OP_fsgnjn_d ? ~b : a ^ b;
    return (a & ~s) | (sign & s);
}

/* Instructions without a rounding mode. */
static bool fp_no_rm(struct hart *h, const struct insn *in)
{
    unsigned flags = 0;
    unsigned rd = in->rd;
    uint32_t a32 = f32_in(h, in->rs1), b32 = f32_in(h, in->rs2);
    uint64_t a64 = h->f[in->rs1], b64 = h->f[in->rs2];
    switch (in->op) {
    case OP_fsgnj_s: case OP_fsgnjn_s: case OP_fsgnjx_s:
        f32_out(h, rd, sgnj32(in->op, a32, b32));
        return true;
    case OP_fsgnj_d: case OP_fsgnjn_d: case OP_fsgnjx_d:
        f64_out(h, rd, sgnj64(in->op, a64, b64));
        return true;
    case OP_fmin_s: f32_out(h, rd, f32_min(a32, b32, &flags)); break;
    case OP_fmax_s: f32_out(h, rd, f32_max(a32, b32, &flags)); break;
    case OP_fmin_d: f64_out(h, rd, f64_min(a64, b64, &flags)); break;
    case OP_fmax_d: f64_out(h, rd, f64_max(a64, b64, &flags)); break;
    case OP_feq_s: x_out(h, rd, (uint64_t)f32_eq(a32, b32, &flags)); break;
    case OP_flt_s: x_out(h, rd, (uint64_t)f32_lt(a32, b32, &flags)); break;
    case OP_fle_s: x_out(h, rd, (uint64_t)f32_le(a32, b32, &flags)); break;
    case OP_feq_d: x_out(h, rd, (uint64_t)f64_eq(a64, b64, &flags)); break;
    case OP_flt_d: x_out(h, rd, (uint64_t)f64_lt(a64, b64, &flags)); break;
    case OP_fle_d: x_out(h, rd, (uint64_t)f64_le(a64, b64, &flags)); break;
    case OP_fclass_s: x_out(h, rd, f32_class(a32)); return true;
    case OP_fclass_d: x_out(h, rd, f64_class(a64)); return true;
    case OP_fmv_x_w: x_out(h, rd, sx32((uint32_t)h->f[in->rs1])); return true;
    case OP_fmv_x_d: x_out(h, rd, a64); return true;
    case OP_fmv_w_x: f32_out(h, rd, (uint32_t)h->x[in->rs1]); return true;
    case OP_fmv_d_x: f64_out(h, rd, h->x[in->rs1]); return true;
    default:
        return false;
    }
    if (flags) {
        h->fflags |= flags;
        fs_dirty(h);
    }
    return true;
}

bool exec_fp(struct hart *h, const struct insn *in)
{
    switch (in->op) {
    case OP_flw: case OP_fld: case OP_fsw: case OP_fsd:
        return fp_load_store(h, in);
    case OP_fsgnj_s: case OP_fsgnjn_s: case OP_fsgnjx_s: case OP_fsgnj_d: case OP_fsgnjn_d:
    case OP_fsgnjx_d: case OP_fmin_s: case OP_fmax_s: case OP_fmin_d: case OP_fmax_d:
    case OP_feq_s: case OP_flt_s: case OP_fle_s: case OP_feq_d: case OP_flt_d: case OP_fle_d:
    case OP_fclass_s: case OP_fclass_d: case OP_fmv_x_w: case OP_fmv_x_d: case OP_fmv_w_x:
    case OP_fmv_d_x:
        return fp_no_rm(h, in);
    }

    int rm = rounding(h, in);
    if (rm < 0) {
        hart_raise(h, EXC_ILLEGAL, in->raw);
        return false;
    }
    unsigned flags = 0, rd = in->rd;
    uint32_t a32 = f32_in(h, in->rs1), b32 = f32_in(h, in->rs2), c32 = f32_in(h, in->rs3);
    uint64_t a64 = h->f[in->rs1], b64 = h->f[in->rs2], c64 = h->f[in->rs3];
    uint64_t xa = h->x[in->rs1];

    switch (in->op) {
    case OP_fadd_s: f32_out(h, rd, f32_add(a32, b32, rm, &flags)); break;
    case OP_fsub_s: f32_out(h, rd, f32_sub(a32, b32, rm, &flags)); break;
    case OP_fmul_s: f32_out(h, rd, f32_mul(a32, b32, rm, &flags)); break;
    case OP_fdiv_s: f32_out(h, rd, f32_div(a32, b32, rm, &flags)); break;
    case OP_fsqrt_s: f32_out(h, rd, f32_sqrt(a32, rm, &flags)); break;
    case OP_fmadd_s: f32_out(h, rd, f32_muladd(a32, b32, c32, 0, 0, rm, &flags)); break;
    case OP_fmsub_s: f32_out(h, rd, f32_muladd(a32, b32, c32, 0, 1, rm, &flags)); break;
    case OP_fnmsub_s: f32_out(h, rd, f32_muladd(a32, b32, c32, 1, 0, rm, &flags)); break;
    case OP_fnmadd_s: f32_out(h, rd, f32_muladd(a32, b32, c32, 1, 1, rm, &flags)); break;
    case OP_fadd_d: f64_out(h, rd, f64_add(a64, b64, rm, &flags)); break;
    case OP_fsub_d: f64_out(h, rd, f64_sub(a64, b64, rm, &flags)); break;
    case OP_fmul_d: f64_out(h, rd, f64_mul(a64, b64, rm, &flags)); break;
    case OP_fdiv_d: f64_out(h, rd, f64_div(a64, b64, rm, &flags)); break;
    case OP_fsqrt_d: f64_out(h, rd, f64_sqrt(a64, rm, &flags)); break;
    case OP_fmadd_d: f64_out(h, rd, f64_muladd(a64, b64, c64, 0, 0, rm, &flags)); break;
    case OP_fmsub_d: f64_out(h, rd, f64_muladd(a64, b64, c64, 0, 1, rm, &flags)); break;
    case OP_fnmsub_d: f64_out(h, rd, f64_muladd(a64, b64, c64, 1, 0, rm, &flags)); break;
    case OP_fnmadd_d: f64_out(h, rd, f64_muladd(a64, b64, c64, 1, 1, rm, &flags)); break;

    case OP_fcvt_w_s: x_out(h, rd, sx32((uint32_t)f32_to_i32(a32, rm, &flags))); break;
    case OP_fcvt_wu_s: x_out(h, rd, sx32(f32_to_u32(a32, rm, &flags))); break;
    case OP_fcvt_l_s: x_out(h, rd, (uint64_t)f32_to_i64(a32, rm, &flags)); break;
    case OP_fcvt_lu_s: x_out(h, rd, f32_to_u64(a32, rm, &flags)); break;
    case OP_fcvt_w_d: x_out(h, rd, sx32((uint32_t)f64_to_i32(a64, rm, &flags))); break;
    case OP_fcvt_wu_d: x_out(h, rd, sx32(f64_to_u32(a64, rm, &flags))); break;
    case OP_fcvt_l_d: x_out(h, rd, (uint64_t)f64_to_i64(a64, rm, &flags)); break;
    case OP_fcvt_lu_d: x_out(h, rd, f64_to_u64(a64, rm, &flags)); break;
    case OP_fcvt_s_w: f32_out(h, rd, i32_to_f32((int32_t)xa, rm, &flags)); break;
    case OP_fcvt_s_wu: f32_out(h, rd, u32_to_f32((uint32_t)xa, rm, &flags)); break;
    case OP_fcvt_s_l: f32_out(h, rd, i64_to_f32((int64_t)xa, rm, &flags)); break;
    case OP_fcvt_s_lu: f32_out(h, rd, u64_to_f32(xa, rm, &flags)); break;
    case OP_fcvt_d_w: f64_out(h, rd, i32_to_f64((int32_t)xa, rm, &flags)); break;
    case OP_fcvt_d_wu: f64_out(h, rd, u32_to_f64((uint32_t)xa, rm, &flags)); break;
    case OP_fcvt_d_l: f64_out(h, rd, i64_to_f64((int64_t)xa, rm, &flags)); break;
    case OP_fcvt_d_lu: f64_out(h, rd, u64_to_f64(xa, rm, &flags)); break;
    case OP_fcvt_s_d: f32_out(h, rd, f64_to_f32(a64, rm, &flags)); break;
    case OP_fcvt_d_s: f64_out(h, rd, f32_to_f64(a32, &flags)); break;
    default:
        hart_raise(h, EXC_ILLEGAL, in->raw);
        return false;
    }
    if (flags) {
        h->fflags |= flags;
        fs_dirty(h);
    }
    return true;
}
