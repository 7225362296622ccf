/* Software IEEE-754 binary32/binary64 arithmetic with RISC-V F/D semantics: bit-exact results
 * in all five rounding modes and the exact fflags each operation raises.
 *
 * Contract with the interpreter: values are raw bit patterns (f32 in a uint32_t, already
 * un-NaN-boxed); `rm` is a static rounding mode 0..4 (the interpreter resolves DYN from frm and
 * traps on reserved values before calling); every function ORs the flags it raises into *flags
 * and never clears any. Any NaN result is the canonical NaN: payloads never propagate.
 * Integer results of the 32-bit conversions are returned as 32-bit patterns; the interpreter
 * sign-extends them into x registers. Sign injection, fmv and NaN-boxing are bit moves the
 * interpreter does itself. All functions are pure and thread-safe (no global state). */
#ifndef VISOR_FPU_H
#define VISOR_FPU_H

#include <stdint.h>

enum fpu_rm { FPU_RNE = 0, FPU_RTZ = 1, FPU_RDN = 2, FPU_RUP = 3, FPU_RMM = 4 };

/* fflags bits, as in the fcsr */
enum { FPU_NX = 1, FPU_UF = 2, FPU_OF = 4, FPU_DZ = 8, FPU_NV = 16 };

/* fclass result bits (exactly one is set) */
enum {
    FPU_CLASS_NEG_INF = 1 << 0,
    FPU_CLASS_NEG_NORMAL = 1 << 1,
    FPU_CLASS_NEG_SUBNORMAL = 1 << 2,
    FPU_CLASS_NEG_ZERO = 1 << 3,
    FPU_CLASS_POS_ZERO = 1 << 4,
    FPU_CLASS_POS_SUBNORMAL = 1 << 5,
    FPU_CLASS_POS_NORMAL = 1 << 6,
    FPU_CLASS_POS_INF = 1 << 7,
    FPU_CLASS_SNAN = 1 << 8,
    FPU_CLASS_QNAN = 1 << 9,
};

#define FPU_F32_CANONICAL_NAN 0x7fc00000u
#define FPU_F64_CANONICAL_NAN 0x7ff8000000000000ull

/* binary32 */
uint32_t f32_add(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_sub(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_mul(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_div(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_sqrt(uint32_t a, int rm, unsigned *flags);
/* (±a*b) + (±c) with one rounding: fmadd = (0,0), fmsub = (0,1), fnmsub = (1,0),
 * fnmadd = (1,1). */
uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, int negate_product, int negate_addend,
                    int rm, unsigned *flags);
/* IEEE 754-2019 minimumNumber/maximumNumber, with -0 < +0. */
uint32_t f32_min(uint32_t a, uint32_t b, unsigned *flags);
uint32_t f32_max(uint32_t a, uint32_t b, unsigned *flags);
/* feq is quiet (NV only for sNaN); flt/fle signal NV for any NaN. NaN compares false. */
int f32_eq(uint32_t a, uint32_t b, unsigned *flags);
int f32_lt(uint32_t a, uint32_t b, unsigned *flags);
int f32_le(uint32_t a, uint32_t b, unsigned *flags);
unsigned f32_class(uint32_t a);
/* Float to integer saturates: NaN and too-large → max, too-small → min, with NV and no NX. */
int32_t f32_to_i32(uint32_t a, int rm, unsigned *flags);
uint32_t f32_to_u32(uint32_t a, int rm, unsigned *flags);
int64_t f32_to_i64(uint32_t a, int rm, unsigned *flags);
uint64_t f32_to_u64(uint32_t a, int rm, unsigned *flags);
uint32_t i32_to_f32(int32_t v, int rm, unsigned *flags);
uint32_t u32_to_f32(uint32_t v, int rm, unsigned *flags);
uint32_t i64_to_f32(int64_t v, int rm, unsigned *flags);
uint32_t u64_to_f32(uint64_t v, int rm, unsigned *flags);
uint64_t f32_to_f64(uint32_t a, unsigned *flags);

/* binary64: the same set */
uint64_t f64_add(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_sub(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_mul(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_div(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_sqrt(uint64_t a, int rm, unsigned *flags);
uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, int negate_product, int negate_addend,
                    int rm, unsigned *flags);
uint64_t f64_min(uint64_t a, uint64_t b, unsigned *flags);
uint64_t f64_max(uint64_t a, uint64_t b, unsigned *flags);
int f64_eq(uint64_t a, uint64_t b, unsigned *flags);
int f64_lt(uint64_t a, uint64_t b, unsigned *flags);
int f64_le(uint64_t a, uint64_t b, unsigned *flags);
unsigned f64_class(uint64_t a);
int32_t f64_to_i32(uint64_t a, int rm, unsigned *flags);
uint32_t f64_to_u32(uint64_t a, int rm, unsigned *flags);
int64_t f64_to_i64(uint64_t a, int rm, unsigned *flags);
uint64_t f64_to_u64(uint64_t a, int rm, unsigned *flags);
uint64_t i32_to_f64(int32_t v, int rm, unsigned *flags);
uint64_t u32_to_f64(uint32_t v, int rm, unsigned *flags);
uint64_t i64_to_f64(int64_t v, int rm, unsigned *flags);
uint64_t u64_to_f64(uint64_t v, int rm, unsigned *flags);
uint32_t f64_to_f32(uint64_t a, int rm, unsigned *flags);

#endif
