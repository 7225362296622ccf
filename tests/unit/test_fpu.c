/* Tests for the soft-float in src/cpu/fpu.c: hand-written edge cases for every entry point, a
 * randomized differential against the host's x86-64 SSE arithmetic (exact IEEE with tininess
 * after rounding, like RISC-V) for RNE/RTZ/RDN/RUP, and an RMM check against a reference built
 * from host arithmetic done in a wider format with round-toward-zero.
 *
 * Build: gcc -std=c11 -O2 -Wall -Wextra -Werror -Isrc/base -Isrc/cpu tests/unit/test_fpu.c
 *        src/cpu/fpu*.c -lm -o /tmp/test_fpu && /tmp/test_fpu
 * No -frounding-math is needed: every host operation reads its operands from volatile objects
 * and stores its result to one before the flags are read, so the compiler can neither fold it
 * nor move it across fesetround()/fetestexcept(). (GCC ignores #pragma STDC FENV_ACCESS, and
 * warns about it, so it is not used.) */
#define _GNU_SOURCE
#include "fpu.h"

#include <fenv.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>

#include "test.h"

/* ---- bit casts and constants ----------------------------------------------------------- */

static float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static double u2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static uint64_t d2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

enum {
    S_ZERO = 0x00000000u, S_NZERO = 0x80000000u, S_ONE = 0x3f800000u, S_NONE = 0xbf800000u,
    S_TWO = 0x40000000u, S_THREE = 0x40400000u, S_HALF = 0x3f000000u, S_NHALF = 0xbf000000u,
    S_INF = 0x7f800000u, S_NINF = 0xff800000u, S_QNAN = 0x7fc00000u, S_SNAN = 0x7f800001u,
    S_MAX = 0x7f7fffffu, S_NMAX = 0xff7fffffu, S_MINNORM = 0x00800000u, S_MINSUB = 0x00000001u,
    S_MAXSUB = 0x007fffffu,
};

#define D_ZERO 0x0000000000000000ull
#define D_NZERO 0x8000000000000000ull
#define D_ONE 0x3ff0000000000000ull
#define D_NONE 0xbff0000000000000ull
#define D_TWO 0x4000000000000000ull
#define D_THREE 0x4008000000000000ull
#define D_INF 0x7ff0000000000000ull
#define D_NINF 0xfff0000000000000ull
#define D_QNAN 0x7ff8000000000000ull
#define D_SNAN 0x7ff0000000000001ull
#define D_MAX 0x7fefffffffffffffull
#define D_NMAX 0xffefffffffffffffull
#define D_MINNORM 0x0010000000000000ull
#define D_MINSUB 0x0000000000000001ull

/* EXPECT(call, want, want_flags): `call` must use `&fl`, a fresh flags word starting at 0. */
#define EXPECT(call, want, want_flags)                                                         \
    do {                                                                                       \
        unsigned fl = 0;                                                                       \
        CHECK_EQ((call), (want));                                                              \
        CHECK_EQ(fl, (want_flags));                                                            \
    } while (0)

static const int all_rms[5] = {FPU_RNE, FPU_RTZ, FPU_RDN, FPU_RUP, FPU_RMM};

/* ---- hand-written cases: add/sub --------------------------------------------------------- */

TEST(add_exact_and_signed_zero_rules)
{
    EXPECT(f32_add(S_ONE, S_TWO, FPU_RNE, &fl), S_THREE, 0);
    EXPECT(f64_add(D_ONE, D_TWO, FPU_RNE, &fl), D_THREE, 0);
    for (int i = 0; i < 5; i++) {
        int rm = all_rms[i];
        uint32_t z = rm == FPU_RDN ? S_NZERO : S_ZERO;
        uint64_t dz = rm == FPU_RDN ? D_NZERO : D_ZERO;
        EXPECT(f32_add(S_ZERO, S_NZERO, rm, &fl), z, 0);
        EXPECT(f32_add(S_NZERO, S_ZERO, rm, &fl), z, 0);
        EXPECT(f32_add(S_NZERO, S_NZERO, rm, &fl), S_NZERO, 0);
        EXPECT(f32_sub(S_ZERO, S_ZERO, rm, &fl), z, 0);
        EXPECT(f32_sub(S_NZERO, S_ZERO, rm, &fl), S_NZERO, 0);
        EXPECT(f32_sub(S_THREE, S_THREE, rm, &fl), z, 0);
        EXPECT(f32_add(S_NONE, S_ONE, rm, &fl), z, 0);
        EXPECT(f64_add(D_ZERO, D_NZERO, rm, &fl), dz, 0);
        EXPECT(f64_add(D_NZERO, D_NZERO, rm, &fl), D_NZERO, 0);
        EXPECT(f64_sub(D_THREE, D_THREE, rm, &fl), dz, 0);
        /* x + 0 is x exactly, whatever the zero's sign */
        EXPECT(f32_add(S_MINSUB, S_NZERO, rm, &fl), S_MINSUB, 0);
        EXPECT(f32_add(S_NZERO, 0x80000005u, rm, &fl), 0x80000005u, 0);
        EXPECT(f64_sub(D_ZERO, D_MINSUB, rm, &fl), 0x8000000000000001ull, 0);
    }
}

TEST(add_rounds_ties_in_every_mode)
{
    /* 1 + 2^-24 is halfway between 1 and 1 + 2^-23 */
    const uint32_t tie = 0x33800000u, up = 0x3f800001u;
    EXPECT(f32_add(S_ONE, tie, FPU_RNE, &fl), S_ONE, FPU_NX);
    EXPECT(f32_add(S_ONE, tie, FPU_RTZ, &fl), S_ONE, FPU_NX);
    EXPECT(f32_add(S_ONE, tie, FPU_RDN, &fl), S_ONE, FPU_NX);
    EXPECT(f32_add(S_ONE, tie, FPU_RUP, &fl), up, FPU_NX);
    EXPECT(f32_add(S_ONE, tie, FPU_RMM, &fl), up, FPU_NX);
    /* negative: RDN and RUP swap, RMM still goes away from zero */
    EXPECT(f32_sub(S_NONE, tie, FPU_RNE, &fl), S_NONE, FPU_NX);
    EXPECT(f32_sub(S_NONE, tie, FPU_RDN, &fl), up | 0x80000000u, FPU_NX);
    EXPECT(f32_sub(S_NONE, tie, FPU_RUP, &fl), S_NONE, FPU_NX);
    EXPECT(f32_sub(S_NONE, tie, FPU_RMM, &fl), up | 0x80000000u, FPU_NX);
    /* (1 + 2^-23) + 2^-24: a tie with an odd lower neighbour, so RNE rounds up too */
    EXPECT(f32_add(up, tie, FPU_RNE, &fl), 0x3f800002u, FPU_NX);
    EXPECT(f32_add(up, tie, FPU_RMM, &fl), 0x3f800002u, FPU_NX);
    EXPECT(f32_add(up, tie, FPU_RTZ, &fl), up, FPU_NX);
    /* f64: 1 + 2^-53 */
    EXPECT(f64_add(D_ONE, 0x3ca0000000000000ull, FPU_RNE, &fl), D_ONE, FPU_NX);
    EXPECT(f64_add(D_ONE, 0x3ca0000000000000ull, FPU_RMM, &fl), D_ONE + 1, FPU_NX);
    EXPECT(f64_add(D_ONE, 0x3ca0000000000000ull, FPU_RUP, &fl), D_ONE + 1, FPU_NX);
    /* a far smaller addend only sets the sticky bit */
    EXPECT(f64_add(D_ONE, D_MINSUB, FPU_RUP, &fl), D_ONE + 1, FPU_NX);
    EXPECT(f64_add(D_ONE, D_MINSUB, FPU_RMM, &fl), D_ONE, FPU_NX);
    EXPECT(f64_sub(D_ONE, D_MINSUB, FPU_RDN, &fl), 0x3fefffffffffffffull, FPU_NX);
    EXPECT(f64_sub(D_ONE, D_MINSUB, FPU_RNE, &fl), D_ONE, FPU_NX);
}

TEST(add_overflow_depends_on_mode)
{
    EXPECT(f32_add(S_MAX, S_MAX, FPU_RNE, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_MAX, S_MAX, FPU_RTZ, &fl), S_MAX, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_MAX, S_MAX, FPU_RDN, &fl), S_MAX, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_MAX, S_MAX, FPU_RUP, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_MAX, S_MAX, FPU_RMM, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_NMAX, S_NMAX, FPU_RDN, &fl), S_NINF, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_NMAX, S_NMAX, FPU_RUP, &fl), S_NMAX, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_NMAX, S_NMAX, FPU_RTZ, &fl), S_NMAX, FPU_OF | FPU_NX);
    /* max + half an ulp (2^103): ties away (RNE: max is odd) overflow; truncation does not */
    EXPECT(f32_add(S_MAX, 0x73000000u, FPU_RNE, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_MAX, 0x73000000u, FPU_RMM, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f32_add(S_MAX, 0x73000000u, FPU_RTZ, &fl), S_MAX, FPU_NX);
    EXPECT(f32_add(S_MAX, 0x72800000u, FPU_RNE, &fl), S_MAX, FPU_NX);
    EXPECT(f32_add(S_MAX, 0x72800000u, FPU_RUP, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f64_add(D_MAX, D_MAX, FPU_RNE, &fl), D_INF, FPU_OF | FPU_NX);
    EXPECT(f64_add(D_MAX, D_MAX, FPU_RTZ, &fl), D_MAX, FPU_OF | FPU_NX);
    EXPECT(f64_add(D_NMAX, D_NMAX, FPU_RUP, &fl), D_NMAX, FPU_OF | FPU_NX);
    EXPECT(f64_add(D_NMAX, D_NMAX, FPU_RMM, &fl), D_NINF, FPU_OF | FPU_NX);
}

TEST(add_subnormals_are_exact)
{
    EXPECT(f32_add(S_MAXSUB, S_MINSUB, FPU_RNE, &fl), S_MINNORM, 0);
    EXPECT(f32_sub(S_MINNORM, S_MINSUB, FPU_RNE, &fl), S_MAXSUB, 0);
    EXPECT(f32_add(S_MINSUB, S_MINSUB, FPU_RDN, &fl), 2u, 0);
    EXPECT(f64_sub(D_MINNORM, D_MINSUB, FPU_RNE, &fl), 0x000fffffffffffffull, 0);
    /* subnormal results of a subtraction are exact: no UF */
    EXPECT(f32_sub(0x00800003u, S_MINNORM, FPU_RNE, &fl), 3u, 0);
}

TEST(add_nan_and_infinity_rules)
{
    EXPECT(f32_add(S_INF, S_NINF, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_sub(S_INF, S_INF, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_add(S_INF, S_INF, FPU_RNE, &fl), S_INF, 0);
    EXPECT(f32_sub(S_ONE, S_INF, FPU_RNE, &fl), S_NINF, 0);
    EXPECT(f32_add(S_NINF, S_MAX, FPU_RNE, &fl), S_NINF, 0);
    EXPECT(f32_add(S_SNAN, S_ONE, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_add(S_ONE, 0xff800005u, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_add(0x7fc12345u, S_ONE, FPU_RNE, &fl), S_QNAN, 0); /* payload dropped */
    EXPECT(f32_add(0xffc00000u, S_INF, FPU_RNE, &fl), S_QNAN, 0);
    EXPECT(f32_sub(0xffc00000u, S_SNAN, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f64_add(D_INF, D_NINF, FPU_RNE, &fl), D_QNAN, FPU_NV);
    EXPECT(f64_add(D_SNAN, D_QNAN, FPU_RNE, &fl), D_QNAN, FPU_NV);
    EXPECT(f64_add(0xfff8000000000123ull, D_ONE, FPU_RNE, &fl), D_QNAN, 0);
    EXPECT(f64_sub(D_ONE, D_NINF, FPU_RNE, &fl), D_INF, 0);
}

/* ---- hand-written cases: mul/div/sqrt ---------------------------------------------------- */

TEST(mul_special_values)
{
    EXPECT(f32_mul(S_TWO, S_THREE, FPU_RNE, &fl), 0x40c00000u, 0);
    EXPECT(f32_mul(S_INF, S_ZERO, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_mul(S_NZERO, S_NINF, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_mul(S_NINF, S_MINSUB, FPU_RNE, &fl), S_NINF, 0);
    EXPECT(f32_mul(S_NZERO, S_THREE, FPU_RNE, &fl), S_NZERO, 0);
    EXPECT(f32_mul(S_NZERO, S_NONE, FPU_RNE, &fl), S_ZERO, 0);
    EXPECT(f32_mul(S_SNAN, S_ZERO, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_mul(S_QNAN, S_INF, FPU_RNE, &fl), S_QNAN, 0);
    EXPECT(f64_mul(D_INF, D_NZERO, FPU_RNE, &fl), D_QNAN, FPU_NV);
    EXPECT(f64_mul(D_NONE, D_ZERO, FPU_RNE, &fl), D_NZERO, 0);
    EXPECT(f64_mul(D_THREE, D_TWO, FPU_RNE, &fl), 0x4018000000000000ull, 0);
    EXPECT(f64_mul(D_SNAN, D_ONE, FPU_RNE, &fl), D_QNAN, FPU_NV);
}

TEST(mul_underflow_detects_tininess_after_rounding)
{
    /* minsub x 0.5: a tie between 0 and minsub */
    EXPECT(f32_mul(S_MINSUB, S_HALF, FPU_RNE, &fl), S_ZERO, FPU_UF | FPU_NX);
    EXPECT(f32_mul(S_MINSUB, S_HALF, FPU_RMM, &fl), S_MINSUB, FPU_UF | FPU_NX);
    EXPECT(f32_mul(S_MINSUB, S_HALF, FPU_RUP, &fl), S_MINSUB, FPU_UF | FPU_NX);
    EXPECT(f32_mul(S_MINSUB, S_HALF, FPU_RDN, &fl), S_ZERO, FPU_UF | FPU_NX);
    EXPECT(f32_mul(S_MINSUB, S_NHALF, FPU_RDN, &fl), 0x80000001u, FPU_UF | FPU_NX);
    EXPECT(f32_mul(S_MINSUB, S_NHALF, FPU_RNE, &fl), S_NZERO, FPU_UF | FPU_NX);
    /* exact subnormal products raise nothing */
    EXPECT(f32_mul(0x00000004u, S_HALF, FPU_RNE, &fl), 2u, 0);
    EXPECT(f64_mul(D_MINNORM, 0x3fe0000000000000ull, FPU_RNE, &fl), 0x0008000000000000ull, 0);
    /* (1 - 2^-24) x 2^-126 = 2^-126 - 2^-150: exactly representable with an unbounded
     * exponent, so tiny; as a subnormal it is a tie that RNE rounds up to 2^-126. */
    EXPECT(f32_mul(0x3f7fffffu, S_MINNORM, FPU_RNE, &fl), S_MINNORM, FPU_UF | FPU_NX);
    EXPECT(f32_mul(0x3f7fffffu, S_MINNORM, FPU_RTZ, &fl), S_MAXSUB, FPU_UF | FPU_NX);
    EXPECT(f32_mul(0x3f7fffffu, S_MINNORM, FPU_RMM, &fl), S_MINNORM, FPU_UF | FPU_NX);
    /* (1 - 2^-53) x 2^-1022 likewise in f64 */
    EXPECT(f64_mul(0x3fefffffffffffffull, D_MINNORM, FPU_RNE, &fl), D_MINNORM,
           FPU_UF | FPU_NX);
    /* far below the subnormals */
    EXPECT(f64_mul(D_MINSUB, D_MINSUB, FPU_RNE, &fl), D_ZERO, FPU_UF | FPU_NX);
    EXPECT(f64_mul(D_MINSUB, D_MINSUB, FPU_RUP, &fl), D_MINSUB, FPU_UF | FPU_NX);
    EXPECT(f64_mul(D_MINSUB, D_MINSUB | D_NZERO, FPU_RDN, &fl), D_MINSUB | D_NZERO,
           FPU_UF | FPU_NX);
    EXPECT(f64_mul(D_MINSUB, D_MINSUB, FPU_RMM, &fl), D_ZERO, FPU_UF | FPU_NX);
}

TEST(mul_overflow_and_subnormal_operands)
{
    EXPECT(f32_mul(S_MAX, S_TWO, FPU_RNE, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f32_mul(S_MAX, S_TWO, FPU_RTZ, &fl), S_MAX, FPU_OF | FPU_NX);
    EXPECT(f32_mul(S_NMAX, S_TWO, FPU_RUP, &fl), S_NMAX, FPU_OF | FPU_NX);
    EXPECT(f64_mul(D_MAX, D_MAX, FPU_RDN, &fl), D_MAX, FPU_OF | FPU_NX);
    EXPECT(f64_mul(D_MAX, D_MAX | D_NZERO, FPU_RDN, &fl), D_NINF, FPU_OF | FPU_NX);
    /* a subnormal times a huge number lands back in the normal range exactly */
    EXPECT(f32_mul(S_MINSUB, 0x4b000000u /* 2^23 */, FPU_RNE, &fl), S_MINNORM, 0);
    EXPECT(f32_mul(S_MINSUB, 0x71800000u /* 2^100 */, FPU_RNE, &fl), 0x27000000u, 0);
    EXPECT(f32_mul(0x00400001u, S_TWO, FPU_RNE, &fl), 0x00800002u, 0);
    EXPECT(f64_mul(D_MINSUB, 0x4330000000000000ull /* 2^52 */, FPU_RNE, &fl), D_MINNORM, 0);
    EXPECT(f64_mul(D_MINSUB, 0x4630000000000000ull /* 2^100 */, FPU_RNE, &fl),
           0x0310000000000000ull, 0);
}

TEST(div_special_values_and_rounding)
{
    EXPECT(f32_div(S_ONE, S_ZERO, FPU_RNE, &fl), S_INF, FPU_DZ);
    EXPECT(f32_div(S_NONE, S_ZERO, FPU_RNE, &fl), S_NINF, FPU_DZ);
    EXPECT(f32_div(S_ONE, S_NZERO, FPU_RNE, &fl), S_NINF, FPU_DZ);
    EXPECT(f32_div(S_MINSUB, S_ZERO, FPU_RTZ, &fl), S_INF, FPU_DZ);
    EXPECT(f32_div(S_ZERO, S_ZERO, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_div(S_INF, S_NINF, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_div(S_INF, S_ZERO, FPU_RNE, &fl), S_INF, 0); /* no DZ: the dividend is inf */
    EXPECT(f32_div(S_ONE, S_NINF, FPU_RNE, &fl), S_NZERO, 0);
    EXPECT(f32_div(S_NZERO, S_THREE, FPU_RNE, &fl), S_NZERO, 0);
    EXPECT(f32_div(S_QNAN, S_ZERO, FPU_RNE, &fl), S_QNAN, 0);
    EXPECT(f32_div(S_SNAN, S_ZERO, FPU_RNE, &fl), S_QNAN, FPU_NV);
    /* 1/3 = 0x3eaaaaaa.aa..: below the midpoint */
    EXPECT(f32_div(S_ONE, S_THREE, FPU_RNE, &fl), 0x3eaaaaabu, FPU_NX);
    EXPECT(f32_div(S_ONE, S_THREE, FPU_RTZ, &fl), 0x3eaaaaaau, FPU_NX);
    EXPECT(f32_div(S_ONE, S_THREE, FPU_RUP, &fl), 0x3eaaaaabu, FPU_NX);
    EXPECT(f32_div(S_ONE, S_THREE, FPU_RMM, &fl), 0x3eaaaaabu, FPU_NX);
    EXPECT(f32_div(S_NONE, S_THREE, FPU_RUP, &fl), 0xbeaaaaaau, FPU_NX);
    EXPECT(f64_div(D_ONE, D_THREE, FPU_RNE, &fl), 0x3fd5555555555555ull, FPU_NX);
    EXPECT(f64_div(D_ONE, D_THREE, FPU_RUP, &fl), 0x3fd5555555555556ull, FPU_NX);
    EXPECT(f64_div(D_ONE, D_ZERO, FPU_RNE, &fl), D_INF, FPU_DZ);
    EXPECT(f64_div(D_ZERO, D_NZERO, FPU_RNE, &fl), D_QNAN, FPU_NV);
    EXPECT(f64_div(D_MAX, D_MINSUB, FPU_RNE, &fl), D_INF, FPU_OF | FPU_NX);
    EXPECT(f64_div(D_MINSUB, D_MAX, FPU_RNE, &fl), D_ZERO, FPU_UF | FPU_NX);
    EXPECT(f64_div(D_MINSUB, D_MAX, FPU_RUP, &fl), D_MINSUB, FPU_UF | FPU_NX);
    EXPECT(f32_div(S_MINSUB, S_TWO, FPU_RMM, &fl), S_MINSUB, FPU_UF | FPU_NX);
    EXPECT(f32_div(S_MAXSUB, S_MAX, FPU_RTZ, &fl), S_ZERO, FPU_UF | FPU_NX);
}

TEST(sqrt_special_values_and_rounding)
{
    for (int i = 0; i < 5; i++) {
        int rm = all_rms[i];
        EXPECT(f32_sqrt(S_NZERO, rm, &fl), S_NZERO, 0);
        EXPECT(f32_sqrt(S_ZERO, rm, &fl), S_ZERO, 0);
        EXPECT(f32_sqrt(S_INF, rm, &fl), S_INF, 0);
        EXPECT(f64_sqrt(D_NZERO, rm, &fl), D_NZERO, 0);
        EXPECT(f64_sqrt(D_INF, rm, &fl), D_INF, 0);
    }
    EXPECT(f32_sqrt(S_NONE, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_sqrt(S_NINF, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_sqrt(0x80000001u, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_sqrt(S_SNAN, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_sqrt(0xffc00001u, FPU_RNE, &fl), S_QNAN, 0);
    EXPECT(f32_sqrt(0x40800000u /* 4 */, FPU_RNE, &fl), S_TWO, 0);
    EXPECT(f32_sqrt(S_TWO, FPU_RNE, &fl), 0x3fb504f3u, FPU_NX);
    EXPECT(f32_sqrt(S_TWO, FPU_RTZ, &fl), 0x3fb504f3u, FPU_NX);
    EXPECT(f32_sqrt(S_TWO, FPU_RUP, &fl), 0x3fb504f4u, FPU_NX);
    EXPECT(f32_sqrt(S_TWO, FPU_RMM, &fl), 0x3fb504f3u, FPU_NX);
    EXPECT(f32_sqrt(S_MINSUB, FPU_RNE, &fl), 0x1a3504f3u, FPU_NX); /* 2^-74.5 */
    EXPECT(f32_sqrt(0x00000002u, FPU_RNE, &fl), 0x1a800000u, 0);   /* 2^-148 -> 2^-74 */
    EXPECT(f64_sqrt(D_TWO, FPU_RNE, &fl), 0x3ff6a09e667f3bcdull, FPU_NX);
    EXPECT(f64_sqrt(D_TWO, FPU_RUP, &fl), 0x3ff6a09e667f3bcdull, FPU_NX);
    EXPECT(f64_sqrt(D_TWO, FPU_RTZ, &fl), 0x3ff6a09e667f3bccull, FPU_NX);
    EXPECT(f64_sqrt(0x4010000000000000ull /* 4 */, FPU_RNE, &fl), D_TWO, 0);
    EXPECT(f64_sqrt(D_MINSUB, FPU_RNE, &fl), 0x1e60000000000000ull, 0); /* 2^-537 */
    EXPECT(f64_sqrt(D_MAX, FPU_RNE, &fl), 0x5fefffffffffffffull, FPU_NX);
    EXPECT(f64_sqrt(D_NONE, FPU_RNE, &fl), D_QNAN, FPU_NV);
}

/* ---- hand-written cases: fused multiply-add -------------------------------------------- */

TEST(muladd_sign_variants)
{
    const uint32_t six = 0x40c00000u, seven = 0x40e00000u, five = 0x40a00000u;
    EXPECT(f32_muladd(S_TWO, S_THREE, S_ONE, 0, 0, FPU_RNE, &fl), seven, 0);
    EXPECT(f32_muladd(S_TWO, S_THREE, S_ONE, 0, 1, FPU_RNE, &fl), five, 0);
    EXPECT(f32_muladd(S_TWO, S_THREE, S_ONE, 1, 0, FPU_RNE, &fl), five | 0x80000000u, 0);
    EXPECT(f32_muladd(S_TWO, S_THREE, S_ONE, 1, 1, FPU_RNE, &fl), seven | 0x80000000u, 0);
    EXPECT(f32_muladd(S_TWO, S_THREE, S_ZERO, 0, 0, FPU_RNE, &fl), six, 0);
    EXPECT(f64_muladd(D_TWO, D_THREE, D_ONE, 1, 1, FPU_RNE, &fl), 0xc01c000000000000ull, 0);
    EXPECT(f64_muladd(D_TWO, D_THREE, D_ONE, 0, 1, FPU_RNE, &fl), 0x4014000000000000ull, 0);
}

TEST(muladd_zero_signs)
{
    for (int i = 0; i < 5; i++) {
        int rm = all_rms[i];
        uint32_t z = rm == FPU_RDN ? S_NZERO : S_ZERO;
        /* exact cancellation of a nonzero product */
        EXPECT(f32_muladd(S_ONE, S_ONE, S_NONE, 0, 0, rm, &fl), z, 0);
        EXPECT(f32_muladd(S_TWO, S_HALF, S_ONE, 0, 1, rm, &fl), z, 0);
        EXPECT(f64_muladd(D_ONE, D_ONE, D_ONE, 1, 0, rm, &fl),
               rm == FPU_RDN ? D_NZERO : D_ZERO, 0);
        /* zero product plus zero addend: equal signs keep it, unequal give +0 (RDN -0) */
        EXPECT(f32_muladd(S_ZERO, S_ONE, S_ZERO, 0, 0, rm, &fl), S_ZERO, 0);
        EXPECT(f32_muladd(S_NZERO, S_ONE, S_NZERO, 0, 0, rm, &fl), S_NZERO, 0);
        EXPECT(f32_muladd(S_NZERO, S_ONE, S_ZERO, 0, 0, rm, &fl), z, 0);
        EXPECT(f32_muladd(S_ZERO, S_ONE, S_ZERO, 1, 1, rm, &fl), S_NZERO, 0); /* fnmadd */
        EXPECT(f32_muladd(S_ZERO, S_ONE, S_ZERO, 0, 1, rm, &fl), z, 0);       /* fmsub */
        /* zero product plus a nonzero addend is the addend exactly */
        EXPECT(f32_muladd(S_ZERO, S_INF - 1, S_MINSUB, 0, 0, rm, &fl), S_MINSUB, 0);
        EXPECT(f32_muladd(S_ZERO, S_ONE, S_MINSUB, 0, 1, rm, &fl), 0x80000001u, 0);
    }
}

TEST(muladd_invalid_cases)
{
    /* RISC-V: inf x 0 + qNaN raises NV */
    EXPECT(f32_muladd(S_INF, S_ZERO, S_QNAN, 0, 0, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_muladd(S_NZERO, S_NINF, S_QNAN, 0, 0, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f64_muladd(D_ZERO, D_INF, D_QNAN, 1, 1, FPU_RNE, &fl), D_QNAN, FPU_NV);
    EXPECT(f32_muladd(S_INF, S_ZERO, S_ONE, 0, 0, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_muladd(S_INF, S_ONE, S_NINF, 0, 0, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_muladd(S_INF, S_ONE, S_INF, 0, 1, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_muladd(S_INF, S_ONE, S_INF, 0, 0, FPU_RNE, &fl), S_INF, 0);
    EXPECT(f32_muladd(S_INF, S_ONE, S_INF, 1, 1, FPU_RNE, &fl), S_NINF, 0);
    EXPECT(f32_muladd(S_ONE, S_ONE, S_NINF, 0, 0, FPU_RNE, &fl), S_NINF, 0);
    EXPECT(f32_muladd(S_MAX, S_MAX, S_NINF, 0, 0, FPU_RNE, &fl), S_NINF, 0);
    EXPECT(f32_muladd(S_ONE, S_ONE, S_SNAN, 0, 0, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_muladd(S_QNAN, S_ONE, S_ONE, 0, 0, FPU_RNE, &fl), S_QNAN, 0);
    EXPECT(f32_muladd(S_QNAN, S_INF, S_ONE, 0, 0, FPU_RNE, &fl), S_QNAN, 0);
    EXPECT(f32_muladd(S_ONE, S_SNAN, S_QNAN, 0, 0, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f64_muladd(D_ONE, D_ONE, D_SNAN, 0, 0, FPU_RNE, &fl), D_QNAN, FPU_NV);
}

TEST(muladd_rounds_once)
{
    /* (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 exactly; a separate multiply would lose the 2^-24 */
    const uint32_t a = 0x3f800800u;
    EXPECT(f32_muladd(a, a, S_NONE, 0, 0, FPU_RNE, &fl), 0x3a000400u, 0);
    EXPECT(f32_sub(f32_mul(a, a, FPU_RNE, &fl), S_ONE, FPU_RNE, &fl), 0x3a000000u, FPU_NX);
    /* (1 + 2^-23)(1 - 2^-23) = 1 - 2^-46: one rounding gives 1 in RNE, below 1 in RTZ */
    EXPECT(f32_muladd(0x3f800001u, 0x3f7ffffeu, S_ZERO, 0, 0, FPU_RNE, &fl), S_ONE, FPU_NX);
    EXPECT(f32_muladd(0x3f800001u, 0x3f7ffffeu, S_ZERO, 0, 0, FPU_RTZ, &fl), 0x3f7fffffu,
           FPU_NX);
    /* ...and subtracting 1 leaves -2^-46 exactly */
    EXPECT(f32_muladd(0x3f800001u, 0x3f7ffffeu, S_ONE, 0, 1, FPU_RNE, &fl), 0xa8800000u, 0);
    /* a tiny addend only breaks the tie of an exact product: 1 + 2^-24 + 2^-149 */
    EXPECT(f32_muladd(S_ONE, S_ONE, 0x33800000u, 0, 0, FPU_RNE, &fl), S_ONE, FPU_NX);
    EXPECT(f32_muladd(0x33800000u, S_ONE, S_ONE, 0, 0, FPU_RMM, &fl), 0x3f800001u, FPU_NX);
    EXPECT(f64_muladd(D_MINSUB, D_MINSUB, D_ONE, 0, 0, FPU_RUP, &fl), D_ONE + 1, FPU_NX);
    EXPECT(f64_muladd(D_MINSUB, D_MINSUB, D_ONE, 0, 1, FPU_RTZ, &fl), 0xbfefffffffffffffull,
           FPU_NX);
    EXPECT(f64_muladd(D_MINSUB, D_MINSUB, D_ONE, 0, 0, FPU_RNE, &fl), D_ONE, FPU_NX);
    /* overflow of the product alone, pulled back in range by the addend */
    EXPECT(f32_muladd(S_MAX, S_TWO, S_NMAX, 0, 0, FPU_RNE, &fl), S_MAX, 0);
    EXPECT(f64_muladd(D_MAX, D_TWO, D_NMAX, 0, 0, FPU_RNE, &fl), D_MAX, 0);
    EXPECT(f64_muladd(D_MAX, D_TWO, D_ZERO, 0, 0, FPU_RTZ, &fl), D_MAX, FPU_OF | FPU_NX);
    /* underflowing product with zero addend */
    EXPECT(f32_muladd(S_MINSUB, S_HALF, S_ZERO, 0, 0, FPU_RNE, &fl), S_ZERO, FPU_UF | FPU_NX);
    EXPECT(f32_muladd(S_MINSUB, S_HALF, S_NZERO, 0, 0, FPU_RMM, &fl), S_MINSUB,
           FPU_UF | FPU_NX);
}

/* ---- hand-written cases: min/max, compares, class ---------------------------------------- */

TEST(minmax_signed_zeros_and_nans)
{
    EXPECT(f32_min(S_NZERO, S_ZERO, &fl), S_NZERO, 0);
    EXPECT(f32_min(S_ZERO, S_NZERO, &fl), S_NZERO, 0);
    EXPECT(f32_max(S_NZERO, S_ZERO, &fl), S_ZERO, 0);
    EXPECT(f32_max(S_ZERO, S_NZERO, &fl), S_ZERO, 0);
    EXPECT(f32_min(S_ONE, S_TWO, &fl), S_ONE, 0);
    EXPECT(f32_max(S_ONE, S_TWO, &fl), S_TWO, 0);
    EXPECT(f32_min(S_NONE, S_NMAX, &fl), S_NMAX, 0);
    EXPECT(f32_max(S_NINF, S_NMAX, &fl), S_NMAX, 0);
    EXPECT(f32_min(S_NINF, S_INF, &fl), S_NINF, 0);
    EXPECT(f32_min(S_QNAN, S_ONE, &fl), S_ONE, 0);
    EXPECT(f32_max(S_ONE, 0xffc12345u, &fl), S_ONE, 0);
    EXPECT(f32_min(S_SNAN, S_ONE, &fl), S_ONE, FPU_NV);
    EXPECT(f32_max(S_NZERO, S_SNAN, &fl), S_NZERO, FPU_NV);
    EXPECT(f32_min(0x7fc12345u, 0xffc00001u, &fl), S_QNAN, 0);
    EXPECT(f32_max(S_SNAN, S_QNAN, &fl), S_QNAN, FPU_NV);
    EXPECT(f32_max(S_SNAN, S_SNAN, &fl), S_QNAN, FPU_NV);
    EXPECT(f64_min(D_NZERO, D_ZERO, &fl), D_NZERO, 0);
    EXPECT(f64_max(D_NZERO, D_ZERO, &fl), D_ZERO, 0);
    EXPECT(f64_min(D_QNAN, D_NONE, &fl), D_NONE, 0);
    EXPECT(f64_max(D_SNAN, D_NONE, &fl), D_NONE, FPU_NV);
    EXPECT(f64_max(D_QNAN, 0x7ff8000000000001ull, &fl), D_QNAN, 0);
    EXPECT(f64_min(D_MINSUB, D_MINSUB | D_NZERO, &fl), D_MINSUB | D_NZERO, 0);
}

TEST(compare_quiet_and_signaling)
{
    EXPECT(f32_eq(S_ONE, S_ONE, &fl), 1, 0);
    EXPECT(f32_eq(S_ZERO, S_NZERO, &fl), 1, 0);
    EXPECT(f32_eq(S_ONE, S_TWO, &fl), 0, 0);
    EXPECT(f32_eq(S_QNAN, S_QNAN, &fl), 0, 0);
    EXPECT(f32_eq(S_QNAN, S_ONE, &fl), 0, 0);
    EXPECT(f32_eq(S_SNAN, S_ONE, &fl), 0, FPU_NV);
    EXPECT(f32_eq(S_ONE, S_SNAN, &fl), 0, FPU_NV);
    EXPECT(f32_lt(S_QNAN, S_ONE, &fl), 0, FPU_NV);
    EXPECT(f32_le(S_ONE, S_QNAN, &fl), 0, FPU_NV);
    EXPECT(f32_lt(S_NZERO, S_ZERO, &fl), 0, 0);
    EXPECT(f32_le(S_NZERO, S_ZERO, &fl), 1, 0);
    EXPECT(f32_le(S_ZERO, S_NZERO, &fl), 1, 0);
    EXPECT(f32_lt(S_NONE, S_NHALF, &fl), 1, 0);
    EXPECT(f32_lt(S_NHALF, S_NONE, &fl), 0, 0);
    EXPECT(f32_lt(S_NINF, S_NMAX, &fl), 1, 0);
    EXPECT(f32_le(S_INF, S_INF, &fl), 1, 0);
    EXPECT(f32_lt(S_INF, S_INF, &fl), 0, 0);
    EXPECT(f32_lt(0x80000001u, S_ZERO, &fl), 1, 0);
    EXPECT(f64_eq(D_NZERO, D_ZERO, &fl), 1, 0);
    EXPECT(f64_eq(D_SNAN, D_SNAN, &fl), 0, FPU_NV);
    EXPECT(f64_eq(D_QNAN, D_ONE, &fl), 0, 0);
    EXPECT(f64_lt(D_ONE, D_QNAN, &fl), 0, FPU_NV);
    EXPECT(f64_le(D_NMAX, D_NONE, &fl), 1, 0);
    EXPECT(f64_lt(D_TWO, D_ONE, &fl), 0, 0);
}

TEST(class_of_each_kind)
{
    CHECK_EQ(f32_class(S_NINF), FPU_CLASS_NEG_INF);
    CHECK_EQ(f32_class(S_NONE), FPU_CLASS_NEG_NORMAL);
    CHECK_EQ(f32_class(0x80000001u), FPU_CLASS_NEG_SUBNORMAL);
    CHECK_EQ(f32_class(0x807fffffu), FPU_CLASS_NEG_SUBNORMAL);
    CHECK_EQ(f32_class(S_NZERO), FPU_CLASS_NEG_ZERO);
    CHECK_EQ(f32_class(S_ZERO), FPU_CLASS_POS_ZERO);
    CHECK_EQ(f32_class(S_MINSUB), FPU_CLASS_POS_SUBNORMAL);
    CHECK_EQ(f32_class(S_MINNORM), FPU_CLASS_POS_NORMAL);
    CHECK_EQ(f32_class(S_MAX), FPU_CLASS_POS_NORMAL);
    CHECK_EQ(f32_class(S_INF), FPU_CLASS_POS_INF);
    CHECK_EQ(f32_class(S_SNAN), FPU_CLASS_SNAN);
    CHECK_EQ(f32_class(0xffbfffffu), FPU_CLASS_SNAN);
    CHECK_EQ(f32_class(S_QNAN), FPU_CLASS_QNAN);
    CHECK_EQ(f32_class(0xffc00001u), FPU_CLASS_QNAN);
    CHECK_EQ(f64_class(D_NINF), 1u << 0);
    CHECK_EQ(f64_class(D_NMAX), 1u << 1);
    CHECK_EQ(f64_class(0x800fffffffffffffull), 1u << 2);
    CHECK_EQ(f64_class(D_NZERO), 1u << 3);
    CHECK_EQ(f64_class(D_ZERO), 1u << 4);
    CHECK_EQ(f64_class(D_MINSUB), 1u << 5);
    CHECK_EQ(f64_class(D_ONE), 1u << 6);
    CHECK_EQ(f64_class(D_INF), 1u << 7);
    CHECK_EQ(f64_class(D_SNAN), 1u << 8);
    CHECK_EQ(f64_class(0x7ff4000000000000ull), 1u << 8);
    CHECK_EQ(f64_class(D_QNAN), 1u << 9);
}

/* ---- hand-written cases: conversions ----------------------------------------------------- */

TEST(float_to_int_saturates_with_nv_only)
{
    EXPECT(f32_to_i32(S_QNAN, FPU_RNE, &fl), INT32_MAX, FPU_NV);
    EXPECT(f32_to_i32(0xffc00000u, FPU_RNE, &fl), INT32_MAX, FPU_NV); /* -NaN: max too */
    EXPECT(f32_to_i32(S_SNAN, FPU_RNE, &fl), INT32_MAX, FPU_NV);
    EXPECT(f32_to_i32(S_INF, FPU_RNE, &fl), INT32_MAX, FPU_NV);
    EXPECT(f32_to_i32(S_NINF, FPU_RNE, &fl), INT32_MIN, FPU_NV);
    EXPECT(f32_to_i32(0x4f000000u /* 2^31 */, FPU_RNE, &fl), INT32_MAX, FPU_NV);
    EXPECT(f32_to_i32(0xcf000000u /* -2^31 */, FPU_RNE, &fl), INT32_MIN, 0);
    EXPECT(f32_to_i32(0xcf000001u, FPU_RTZ, &fl), INT32_MIN, FPU_NV);
    EXPECT(f32_to_u32(S_QNAN, FPU_RNE, &fl), UINT32_MAX, FPU_NV);
    EXPECT(f32_to_u32(S_NINF, FPU_RNE, &fl), 0, FPU_NV);
    EXPECT(f32_to_u32(S_NONE, FPU_RTZ, &fl), 0, FPU_NV);
    EXPECT(f32_to_u32(S_NHALF, FPU_RTZ, &fl), 0, FPU_NX);
    EXPECT(f32_to_u32(S_NHALF, FPU_RNE, &fl), 0, FPU_NX);
    EXPECT(f32_to_u32(S_NHALF, FPU_RMM, &fl), 0, FPU_NV);  /* rounds to -1 */
    EXPECT(f32_to_u32(S_NHALF, FPU_RDN, &fl), 0, FPU_NV);  /* rounds to -1 */
    EXPECT(f32_to_u32(S_NZERO, FPU_RNE, &fl), 0, 0);
    EXPECT(f32_to_u32(0x4f800000u /* 2^32 */, FPU_RNE, &fl), UINT32_MAX, FPU_NV);
    EXPECT(f32_to_u32(0x4f7fffffu, FPU_RNE, &fl), 0xffffff00u, 0);
    EXPECT(f32_to_i64(S_QNAN, FPU_RNE, &fl), INT64_MAX, FPU_NV);
    EXPECT(f32_to_i64(S_NINF, FPU_RNE, &fl), INT64_MIN, FPU_NV);
    EXPECT(f32_to_i64(0xdf000000u /* -2^63 */, FPU_RNE, &fl), INT64_MIN, 0);
    EXPECT(f32_to_i64(0x5f000000u /* 2^63 */, FPU_RNE, &fl), INT64_MAX, FPU_NV);
    EXPECT(f32_to_u64(0x5f800000u /* 2^64 */, FPU_RNE, &fl), UINT64_MAX, FPU_NV);
    EXPECT(f32_to_u64(0x5f7fffffu, FPU_RNE, &fl), 0xffffff0000000000ull, 0);
    EXPECT(f32_to_u64(S_NMAX, FPU_RNE, &fl), 0, FPU_NV);
    EXPECT(f32_to_u64(S_MAX, FPU_RNE, &fl), UINT64_MAX, FPU_NV);
    EXPECT(f64_to_i32(D_QNAN | D_NZERO, FPU_RNE, &fl), INT32_MAX, FPU_NV);
    EXPECT(f64_to_u32(D_NINF, FPU_RNE, &fl), 0, FPU_NV);
    EXPECT(f64_to_u64(D_INF, FPU_RNE, &fl), UINT64_MAX, FPU_NV);
    EXPECT(f64_to_i64(0xc3e0000000000000ull /* -2^63 */, FPU_RNE, &fl), INT64_MIN, 0);
    EXPECT(f64_to_i64(0xc3e0000000000001ull, FPU_RNE, &fl), INT64_MIN, FPU_NV);
    EXPECT(f64_to_i64(0x43dfffffffffffffull, FPU_RNE, &fl), 0x7ffffffffffffc00ll, 0);
    EXPECT(f64_to_u64(0x43efffffffffffffull, FPU_RNE, &fl), 0xfffffffffffff800ull, 0);
    EXPECT(f64_to_u64(0x43f0000000000000ull /* 2^64 */, FPU_RNE, &fl), UINT64_MAX, FPU_NV);
    EXPECT(f64_to_u64(D_NONE, FPU_RNE, &fl), 0, FPU_NV);
    EXPECT(f64_to_u64(D_MINSUB | D_NZERO, FPU_RDN, &fl), 0, FPU_NV); /* rounds to -1 */
    EXPECT(f64_to_u64(D_MINSUB | D_NZERO, FPU_RUP, &fl), 0, FPU_NX);
}

TEST(float_to_int_rounding_near_the_limits)
{
    const uint64_t max_plus_04 = d2u(2147483647.4), max_plus_05 = d2u(2147483647.5);
    const uint64_t min_minus_05 = d2u(-2147483648.5), min_minus_06 = d2u(-2147483648.6);
    EXPECT(f64_to_i32(max_plus_04, FPU_RNE, &fl), INT32_MAX, FPU_NX);
    EXPECT(f64_to_i32(max_plus_04, FPU_RUP, &fl), INT32_MAX, FPU_NV);
    EXPECT(f64_to_i32(max_plus_05, FPU_RNE, &fl), INT32_MAX, FPU_NV); /* ties to 2^31 */
    EXPECT(f64_to_i32(max_plus_05, FPU_RTZ, &fl), INT32_MAX, FPU_NX);
    EXPECT(f64_to_i32(max_plus_05, FPU_RDN, &fl), INT32_MAX, FPU_NX);
    EXPECT(f64_to_i32(max_plus_05, FPU_RMM, &fl), INT32_MAX, FPU_NV);
    EXPECT(f64_to_i32(min_minus_05, FPU_RNE, &fl), INT32_MIN, FPU_NX); /* even: -2^31 */
    EXPECT(f64_to_i32(min_minus_05, FPU_RMM, &fl), INT32_MIN, FPU_NV);
    EXPECT(f64_to_i32(min_minus_05, FPU_RUP, &fl), INT32_MIN, FPU_NX);
    EXPECT(f64_to_i32(min_minus_05, FPU_RDN, &fl), INT32_MIN, FPU_NV);
    EXPECT(f64_to_i32(min_minus_06, FPU_RTZ, &fl), INT32_MIN, FPU_NX);
    EXPECT(f64_to_i32(min_minus_06, FPU_RNE, &fl), INT32_MIN, FPU_NV);
    EXPECT(f64_to_u32(d2u(4294967295.5), FPU_RTZ, &fl), UINT32_MAX, FPU_NX);
    EXPECT(f64_to_u32(d2u(4294967295.5), FPU_RNE, &fl), UINT32_MAX, FPU_NV);
    EXPECT(f64_to_u32(d2u(-0.9), FPU_RTZ, &fl), 0, FPU_NX);
    EXPECT(f64_to_u32(d2u(-0.9), FPU_RNE, &fl), 0, FPU_NV);
}

TEST(float_to_int_rounding_modes)
{
    /* 2.5, -2.5, 0.5, 1.5 and 0.49999997 through every mode */
    const uint32_t v[5] = {0x40200000u, 0xc0200000u, S_HALF, 0x3fc00000u, 0x3effffffu};
    const int32_t want[5][5] = {
        /*         RNE RTZ RDN RUP RMM */
        /* 2.5  */ {2, 2, 2, 3, 3},
        /* -2.5 */ {-2, -2, -3, -2, -3},
        /* 0.5  */ {0, 0, 0, 1, 1},
        /* 1.5  */ {2, 1, 1, 2, 2},
        /* 0.49999997 */ {0, 0, 0, 1, 0},
    };
    for (int i = 0; i < 5; i++) {
        for (int m = 0; m < 5; m++) {
            EXPECT(f32_to_i32(v[i], all_rms[m], &fl), want[i][m], FPU_NX);
            EXPECT(f32_to_i64(v[i], all_rms[m], &fl), want[i][m], FPU_NX);
            EXPECT(f64_to_i32(d2u(u2f(v[i])), all_rms[m], &fl), want[i][m], FPU_NX);
            EXPECT(f64_to_i64(d2u(u2f(v[i])), all_rms[m], &fl), want[i][m], FPU_NX);
        }
    }
    EXPECT(f32_to_i32(S_MINSUB, FPU_RUP, &fl), 1, FPU_NX);
    EXPECT(f32_to_i32(0x80000001u, FPU_RDN, &fl), -1, FPU_NX);
    EXPECT(f32_to_i32(0x80000001u, FPU_RNE, &fl), 0, FPU_NX);
    EXPECT(f64_to_i64(0xc330000000000001ull /* -(2^52 + 1) */, FPU_RNE, &fl),
           -4503599627370497ll, 0);
    EXPECT(f64_to_u64(0x4330000000000001ull, FPU_RNE, &fl), 4503599627370497ull, 0);
}

TEST(int_to_float_rounding)
{
    EXPECT(i32_to_f32(0, FPU_RDN, &fl), S_ZERO, 0);
    EXPECT(u64_to_f64(0, FPU_RDN, &fl), D_ZERO, 0);
    EXPECT(i32_to_f32(1, FPU_RNE, &fl), S_ONE, 0);
    EXPECT(i32_to_f32(-1, FPU_RNE, &fl), S_NONE, 0);
    EXPECT(i32_to_f32(INT32_MIN, FPU_RNE, &fl), 0xcf000000u, 0);
    EXPECT(i32_to_f32(INT32_MAX, FPU_RNE, &fl), 0x4f000000u, FPU_NX);
    EXPECT(i32_to_f32(INT32_MAX, FPU_RTZ, &fl), 0x4effffffu, FPU_NX);
    EXPECT(i32_to_f32(-INT32_MAX, FPU_RDN, &fl), 0xcf000000u, FPU_NX);
    EXPECT(u32_to_f32(UINT32_MAX, FPU_RNE, &fl), 0x4f800000u, FPU_NX);
    EXPECT(u32_to_f32(UINT32_MAX, FPU_RDN, &fl), 0x4f7fffffu, FPU_NX);
    EXPECT(i64_to_f32(INT64_MIN, FPU_RNE, &fl), 0xdf000000u, 0);
    EXPECT(u64_to_f32(UINT64_MAX, FPU_RNE, &fl), 0x5f800000u, FPU_NX);
    EXPECT(u64_to_f32(UINT64_MAX, FPU_RTZ, &fl), 0x5f7fffffu, FPU_NX);
    /* 2^24 + 1: a tie */
    EXPECT(i32_to_f32(16777217, FPU_RNE, &fl), 0x4b800000u, FPU_NX);
    EXPECT(i32_to_f32(16777217, FPU_RMM, &fl), 0x4b800001u, FPU_NX);
    EXPECT(i32_to_f32(-16777217, FPU_RMM, &fl), 0xcb800001u, FPU_NX);
    EXPECT(i32_to_f32(16777219, FPU_RNE, &fl), 0x4b800002u, FPU_NX); /* odd: ties up */
    EXPECT(i32_to_f32(16777219, FPU_RTZ, &fl), 0x4b800001u, FPU_NX);
    EXPECT(i32_to_f64(INT32_MIN, FPU_RNE, &fl), 0xc1e0000000000000ull, 0);
    EXPECT(u32_to_f64(UINT32_MAX, FPU_RNE, &fl), 0x41efffffffe00000ull, 0);
    EXPECT(i64_to_f64(INT64_MIN, FPU_RNE, &fl), 0xc3e0000000000000ull, 0);
    EXPECT(i64_to_f64(INT64_MAX, FPU_RTZ, &fl), 0x43dfffffffffffffull, FPU_NX);
    EXPECT(i64_to_f64((1ll << 53) + 1, FPU_RNE, &fl), 0x4340000000000000ull, FPU_NX);
    EXPECT(i64_to_f64((1ll << 53) + 1, FPU_RMM, &fl), 0x4340000000000001ull, FPU_NX);
    EXPECT(u64_to_f64(UINT64_MAX, FPU_RNE, &fl), 0x43f0000000000000ull, FPU_NX);
    EXPECT(u64_to_f64(UINT64_MAX, FPU_RUP, &fl), 0x43f0000000000000ull, FPU_NX);
    EXPECT(u64_to_f64(UINT64_MAX, FPU_RDN, &fl), 0x43efffffffffffffull, FPU_NX);
}

TEST(float_to_float_conversions)
{
    EXPECT(f32_to_f64(S_ONE, &fl), D_ONE, 0);
    EXPECT(f32_to_f64(S_NZERO, &fl), D_NZERO, 0);
    EXPECT(f32_to_f64(S_NINF, &fl), D_NINF, 0);
    EXPECT(f32_to_f64(S_MINSUB, &fl), 0x36a0000000000000ull, 0); /* 2^-149 */
    EXPECT(f32_to_f64(S_MAX, &fl), 0x47efffffe0000000ull, 0);
    EXPECT(f32_to_f64(S_SNAN, &fl), D_QNAN, FPU_NV);
    EXPECT(f32_to_f64(0xffc12345u, &fl), D_QNAN, 0);
    EXPECT(f64_to_f32(D_SNAN, FPU_RNE, &fl), S_QNAN, FPU_NV);
    EXPECT(f64_to_f32(0x7ff8000000000123ull, FPU_RNE, &fl), S_QNAN, 0);
    EXPECT(f64_to_f32(D_NINF, FPU_RNE, &fl), S_NINF, 0);
    EXPECT(f64_to_f32(D_NZERO, FPU_RUP, &fl), S_NZERO, 0);
    EXPECT(f64_to_f32(0x36a0000000000000ull, FPU_RNE, &fl), S_MINSUB, 0);
    EXPECT(f64_to_f32(D_MAX, FPU_RNE, &fl), S_INF, FPU_OF | FPU_NX);
    EXPECT(f64_to_f32(D_MAX, FPU_RTZ, &fl), S_MAX, FPU_OF | FPU_NX);
    EXPECT(f64_to_f32(D_NMAX, FPU_RUP, &fl), S_NMAX, FPU_OF | FPU_NX);
    EXPECT(f64_to_f32(D_NMAX, FPU_RMM, &fl), S_NINF, FPU_OF | FPU_NX);
    EXPECT(f64_to_f32(D_MINSUB, FPU_RNE, &fl), S_ZERO, FPU_UF | FPU_NX);
    EXPECT(f64_to_f32(D_MINSUB, FPU_RUP, &fl), S_MINSUB, FPU_UF | FPU_NX);
    EXPECT(f64_to_f32(D_MINSUB | D_NZERO, FPU_RDN, &fl), 0x80000001u, FPU_UF | FPU_NX);
    /* 2^-126 (1 - 2^-25): rounding with an unbounded exponent already reaches 2^-126 in
     * RNE (a tie below an odd significand), so it is not tiny: NX without UF. Truncated it
     * stays tiny. */
    EXPECT(f64_to_f32(0x380ffffff0000000ull, FPU_RNE, &fl), S_MINNORM, FPU_NX);
    EXPECT(f64_to_f32(0x380ffffff0000000ull, FPU_RMM, &fl), S_MINNORM, FPU_NX);
    EXPECT(f64_to_f32(0x380ffffff0000000ull, FPU_RUP, &fl), S_MINNORM, FPU_NX);
    EXPECT(f64_to_f32(0x380ffffff0000000ull, FPU_RTZ, &fl), S_MAXSUB, FPU_UF | FPU_NX);
    /* 2^-126 (1 - 2^-24) is representable unbounded: tiny, rounds to 2^-126 in RNE */
    EXPECT(f64_to_f32(0x380fffffe0000000ull, FPU_RNE, &fl), S_MINNORM, FPU_UF | FPU_NX);
    EXPECT(f64_to_f32(0x380fffffe0000000ull, FPU_RDN, &fl), S_MAXSUB, FPU_UF | FPU_NX);
    /* a subnormal f32 that is exact raises nothing */
    EXPECT(f64_to_f32(0x380fffffc0000000ull, FPU_RNE, &fl), S_MAXSUB, 0);
    /* 1 + 2^-24 (a tie) and 1 + 2^-24 + 2^-52 */
    EXPECT(f64_to_f32(0x3ff0000010000000ull, FPU_RNE, &fl), S_ONE, FPU_NX);
    EXPECT(f64_to_f32(0x3ff0000010000000ull, FPU_RMM, &fl), S_ONE + 1, FPU_NX);
    EXPECT(f64_to_f32(0x3ff0000010000001ull, FPU_RNE, &fl), S_ONE + 1, FPU_NX);
}

/* ---- the host reference ------------------------------------------------------------------ */

static const int host_mode[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};

static unsigned host_flags(void)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    return (e & FE_INEXACT ? FPU_NX : 0) | (e & FE_UNDERFLOW ? FPU_UF : 0) |
           (e & FE_OVERFLOW ? FPU_OF : 0) | (e & FE_DIVBYZERO ? FPU_DZ : 0) |
           (e & FE_INVALID ? FPU_NV : 0);
}

enum op {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMADD, OP_FMSUB, OP_FNMSUB, OP_FNMADD, OP_COUNT
};
static const char *const op_name[OP_COUNT] = {"add",   "sub",   "mul",    "div",   "sqrt",
                                              "fmadd", "fmsub", "fnmsub", "fnmadd"};

static uint64_t mine(bool is_f64, int op, uint64_t a, uint64_t b, uint64_t c, int rm,
                     unsigned *fl)
{
    int np = op == OP_FNMSUB || op == OP_FNMADD, na = op == OP_FMSUB || op == OP_FNMADD;
    if (is_f64) {
        switch (op) {
        case OP_ADD: return f64_add(a, b, rm, fl);
        case OP_SUB: return f64_sub(a, b, rm, fl);
        case OP_MUL: return f64_mul(a, b, rm, fl);
        case OP_DIV: return f64_div(a, b, rm, fl);
        case OP_SQRT: return f64_sqrt(a, rm, fl);
        default: return f64_muladd(a, b, c, np, na, rm, fl);
        }
    }
    switch (op) {
    case OP_ADD: return f32_add((uint32_t)a, (uint32_t)b, rm, fl);
    case OP_SUB: return f32_sub((uint32_t)a, (uint32_t)b, rm, fl);
    case OP_MUL: return f32_mul((uint32_t)a, (uint32_t)b, rm, fl);
    case OP_DIV: return f32_div((uint32_t)a, (uint32_t)b, rm, fl);
    case OP_SQRT: return f32_sqrt((uint32_t)a, rm, fl);
    default:
        return f32_muladd((uint32_t)a, (uint32_t)b, (uint32_t)c, np, na, rm, fl);
    }
}

/* The host computes op in the current rounding mode, in the operands' own format. */
static uint64_t host_op(bool is_f64, int op, uint64_t a, uint64_t b, uint64_t c, unsigned *fl)
{
    if (is_f64) {
        volatile double x = u2d(a), y = u2d(b), z = u2d(c), r = 0;
        feclearexcept(FE_ALL_EXCEPT);
        switch (op) {
        case OP_ADD: r = x + y; break;
        case OP_SUB: r = x - y; break;
        case OP_MUL: r = x * y; break;
        case OP_DIV: r = x / y; break;
        case OP_SQRT: r = sqrt(x); break;
        case OP_FMADD: r = fma(x, y, z); break;
        case OP_FMSUB: r = fma(x, y, -z); break;
        case OP_FNMSUB: r = fma(-x, y, z); break;
        default: r = fma(-x, y, -z); break;
        }
        *fl = host_flags();
        return d2u(r);
    }
    volatile float x = u2f((uint32_t)a), y = u2f((uint32_t)b), z = u2f((uint32_t)c), r = 0;
    feclearexcept(FE_ALL_EXCEPT);
    switch (op) {
    case OP_ADD: r = x + y; break;
    case OP_SUB: r = x - y; break;
    case OP_MUL: r = x * y; break;
    case OP_DIV: r = x / y; break;
    case OP_SQRT: r = sqrtf(x); break;
    case OP_FMADD: r = fmaf(x, y, z); break;
    case OP_FMSUB: r = fmaf(x, y, -z); break;
    case OP_FNMSUB: r = fmaf(-x, y, z); break;
    default: r = fmaf(-x, y, -z); break;
    }
    *fl = host_flags();
    return f2u(r);
}

/* The same operation on non-NaN operands, done by the host in a wider format (f32 -> double,
 * f64 -> x87 long double with its 64-bit significand) rounding toward zero. The wide result
 * is the exact one truncated; *inexact says whether anything was cut off. */
static long double host_wide_rtz(bool is_f64, int op, uint64_t a, uint64_t b, uint64_t c,
                                 bool *inexact)
{
    long double out;
    fesetround(FE_TOWARDZERO);
    if (is_f64) {
        volatile long double x = u2d(a), y = u2d(b), z = u2d(c), r = 0;
        feclearexcept(FE_ALL_EXCEPT);
        switch (op) {
        case OP_ADD: r = x + y; break;
        case OP_SUB: r = x - y; break;
        case OP_MUL: r = x * y; break;
        case OP_DIV: r = x / y; break;
        case OP_SQRT: r = sqrtl(x); break;
        case OP_FMADD: r = fmal(x, y, z); break;
        case OP_FMSUB: r = fmal(x, y, -z); break;
        case OP_FNMSUB: r = fmal(-x, y, z); break;
        default: r = fmal(-x, y, -z); break;
        }
        *inexact = fetestexcept(FE_INEXACT) != 0;
        out = r;
    } else {
        volatile double x = u2f((uint32_t)a), y = u2f((uint32_t)b), z = u2f((uint32_t)c), r = 0;
        feclearexcept(FE_ALL_EXCEPT);
        switch (op) {
        case OP_ADD: r = x + y; break;
        case OP_SUB: r = x - y; break;
        case OP_MUL: r = x * y; break;
        case OP_DIV: r = x / y; break;
        case OP_SQRT: r = sqrt(x); break;
        case OP_FMADD: r = fma(x, y, z); break;
        case OP_FMSUB: r = fma(x, y, -z); break;
        case OP_FNMSUB: r = fma(-x, y, z); break;
        default: r = fma(-x, y, -z); break;
        }
        *inexact = fetestexcept(FE_INEXACT) != 0;
        out = r;
    }
    fesetround(FE_TONEAREST);
    return out;
}

/* Rounds magnitude m > 0 to p significant bits, ties away from zero, with exponents below
 * emin clamped (the subnormal grid). Everything here is exact in long double. */
static long double rmm_magnitude(long double m, int p, int emin)
{
    int ex = ilogbl(m);
    if (ex < emin)
        ex = emin;
    long double ulp = ldexpl(1.0L, ex - (p - 1));
    long double t = truncl(m / ulp) * ulp;
    return m - t >= ulp / 2 ? t + ulp : t;
}

/* The RMM result of an operation whose exact value v is nonzero and finite, given v
 * truncated toward zero to long double (`wide_inexact` if that lost bits). Because every
 * midpoint between two results is representable in the wide format, comparing the truncated
 * value against it decides the same way as comparing v. */
static uint64_t ref_rmm(bool is_f64, long double v, bool wide_inexact, unsigned *fl)
{
    const int p = is_f64 ? 53 : 24, emin = is_f64 ? -1022 : -126, emax = is_f64 ? 1023 : 127;
    long double m = fabsl(v);
    long double r = rmm_magnitude(m, p, emin);
    bool inexact = r != m || wide_inexact;

    if (inexact)
        *fl |= FPU_NX;
    /* tiny after rounding: the rounding with an unbounded exponent is still below 2^emin */
    if (inexact && m < ldexpl(1.0L, emin) && rmm_magnitude(m, p, INT_MIN) < ldexpl(1.0L, emin))
        *fl |= FPU_UF;
    if (r >= ldexpl(1.0L, emax + 1)) {
        *fl |= FPU_OF | FPU_NX;
        r = INFINITY;
    }
    if (signbit(v))
        r = -r;
    return is_f64 ? d2u((double)r) : f2u((float)r);
}

/* ---- random operands, biased toward the interesting places -------------------------------- */

static uint64_t rng = 0x243f6a8885a308d3ull;

/* Random case counts are multiplied by $FPU_SOAK (default 1) and the generator starts from
 * $FPU_SEED if set, for long soak runs; the default run is fixed and takes about a second. */
static long scaled(long n)
{
    static long factor;
    if (!factor) {
        const char *soak = getenv("FPU_SOAK"), *seed = getenv("FPU_SEED");
        factor = soak && atol(soak) > 0 ? atol(soak) : 1;
        if (seed)
            rng = strtoull(seed, NULL, 0);
    }
    return n * factor;
}

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct tfmt {
    int p, ebits;
};
static const struct tfmt T32 = {24, 8}, T64 = {53, 11};

static int64_t bexp_of(const struct tfmt *f, uint64_t bits)
{
    return (int64_t)((bits >> (f->p - 1)) & ((1ull << f->ebits) - 1));
}

static uint64_t make_bits(const struct tfmt *f, uint64_t sign, int64_t bexp, uint64_t frac)
{
    int64_t top = (1ll << f->ebits) - 1;
    if (bexp < 0)
        bexp = 0;
    if (bexp > top)
        bexp = top;
    frac &= (1ull << (f->p - 1)) - 1;
    return sign << (f->p + f->ebits - 1) | (uint64_t)bexp << (f->p - 1) | frac;
}

static uint64_t rand_frac(const struct tfmt *f)
{
    uint64_t r = rnd(), mask = (1ull << (f->p - 1)) - 1;
    switch (rnd() % 6) {
    case 0: return r & ~(mask >> (rnd() % f->p));       /* few significant bits */
    case 1: return r | (mask >> (rnd() % f->p));        /* trailing ones */
    case 2: return 1ull << (rnd() % (f->p - 1));        /* one bit */
    case 3: return mask ^ (1ull << (rnd() % (f->p - 1))); /* all but one */
    default: return r;
    }
}

/* An operand whose biased exponent is near `target`. */
static uint64_t gen_near(const struct tfmt *f, int64_t target, int spread)
{
    int64_t e = target + (int64_t)(rnd() % (2 * spread + 1)) - spread;
    int64_t top = (1ll << f->ebits) - 1;
    if (e >= top)
        e = top - 1 - (int64_t)(rnd() % 3);
    return make_bits(f, rnd() & 1, e, rand_frac(f));
}

static uint64_t gen(const struct tfmt *f)
{
    int64_t top = (1ll << f->ebits) - 1, bias = top >> 1;
    switch (rnd() % 10) {
    case 0: { /* zero, infinity, NaN (quiet or signaling), or a subnormal/normal edge */
        uint64_t sign = rnd() & 1;
        switch (rnd() % 4) {
        case 0: return make_bits(f, sign, 0, 0);
        case 1: return make_bits(f, sign, top, 0);
        case 2: return make_bits(f, sign, top, rnd() | (rnd() & 1 ? 1ull << (f->p - 2) : 1));
        default: return make_bits(f, sign, (int64_t)(rnd() % 2), rnd() % 2 ? 0 : ~0ull);
        }
    }
    case 1:
    case 2: return gen_near(f, 0, 3);        /* subnormals and the smallest normals */
    case 3: return gen_near(f, top - 2, 3);  /* the largest finite values */
    case 4:
    case 5: return gen_near(f, bias, 8);     /* around 1 */
    default: return make_bits(f, rnd() & 1, (int64_t)(rnd() % (uint64_t)top), rand_frac(f));
    }
}

/* Operands for op: b and c are often chosen relative to a so that results cancel, land on
 * the subnormal boundary, or overflow. */
static void gen_operands(const struct tfmt *f, bool is_f64, int op, uint64_t *a, uint64_t *b,
                         uint64_t *c)
{
    int64_t top = (1ll << f->ebits) - 1, bias = top >> 1;
    int64_t targets[3] = {1, bias, top - 1}; /* result exponent: subnormal edge, 1, max */
    int64_t t = targets[rnd() % 3];
    int64_t ea;

    *a = gen(f);
    *b = gen(f);
    *c = gen(f);
    ea = bexp_of(f, *a);
    if (op == OP_SQRT && rnd() % 8) /* mostly nonnegative, or it is all NV */
        *a &= ~(1ull << (f->p + f->ebits - 1));
    switch (rnd() % 3) {
    case 0:
        return;
    case 1:
        if (op == OP_ADD || op == OP_SUB) {
            *b = gen_near(f, ea, f->p + 3);
        } else if (op == OP_MUL || op >= OP_FMADD) {
            *b = gen_near(f, t - ea + bias, f->p / 2);
        } else if (op == OP_DIV) {
            *b = gen_near(f, ea - t + bias, f->p / 2);
        }
        break;
    default:
        if (op == OP_ADD || op == OP_SUB) {
            /* near-cancellation: b within a few ulps of +-a */
            *b = (*a + (rnd() % 7) - 3) ^ ((rnd() & 1) << (f->p + f->ebits - 1));
        } else {
            *b = gen_near(f, t - ea + bias, 2);
        }
        break;
    }
    if (op >= OP_FMADD && rnd() % 2) {
        /* an addend near minus the product, to cancel; computed by the host in RNE */
        unsigned ignored;
        uint64_t prod = host_op(is_f64, OP_MUL, *a, *b, 0, &ignored);
        *c = (prod + (rnd() % 9) - 4) ^ ((rnd() % 4 ? 1ull : 0) << (f->p + f->ebits - 1));
        if (rnd() % 4 == 0)
            *c = gen_near(f, bexp_of(f, prod), f->p + 3);
    }
}

static bool is_nan_bits(bool is_f64, uint64_t v)
{
    return is_f64 ? (v & ~D_NZERO) > D_INF : (v & 0x7fffffffu) > S_INF;
}

static bool is_inf_times_zero(bool is_f64, uint64_t a, uint64_t b)
{
    uint64_t inf = is_f64 ? D_INF : S_INF, mag = is_f64 ? ~D_NZERO : 0x7fffffffu;
    a &= mag;
    b &= mag;
    return (a == inf && b == 0) || (a == 0 && b == inf);
}

static int mismatches_shown;

/* What a compared value is: an integer, or an f32/f64 encoding (where NaNs are special). */
enum rkind { R_INT, R_F32, R_F64 };

/* Compares a result and flags against the reference; a NaN reference requires the
 * canonical NaN (the host propagates payloads, RISC-V does not). */
static bool agree(enum rkind rk, const char *what, int rm, const uint64_t *in, int n_in,
                  uint64_t got, unsigned got_fl, uint64_t want, unsigned want_fl)
{
    bool ok = got_fl == want_fl;
    if (rk != R_INT && is_nan_bits(rk == R_F64, want))
        ok = ok && got == (rk == R_F64 ? D_QNAN : S_QNAN);
    else
        ok = ok && got == want;
    if (!ok && mismatches_shown++ < 30) {
        fprintf(stderr, "mismatch %s rm=%d in:", what, rm);
        for (int i = 0; i < n_in; i++)
            fprintf(stderr, " %#" PRIx64, in[i]);
        fprintf(stderr, " got %#" PRIx64 "/%#x want %#" PRIx64 "/%#x\n", got, got_fl, want,
                want_fl);
    }
    return ok;
}

static long random_cases;

/* ---- randomized differential: arithmetic ---------------------------------------------- */

static void diff_arith(bool is_f64, long n)
{
    const struct tfmt *f = is_f64 ? &T64 : &T32;
    for (int op = 0; op < OP_COUNT; op++) {
        int bad = 0;
        for (int rm = 0; rm < 5; rm++) {
            for (long i = 0; i < n; i++) {
                uint64_t in[3];
                unsigned mf = 0, hf;
                gen_operands(f, is_f64, op, &in[0], &in[1], &in[2]);
                uint64_t got = mine(is_f64, op, in[0], in[1], in[2], rm, &mf);
                uint64_t want;
                fesetround(host_mode[rm == FPU_RMM ? 0 : rm]);
                want = host_op(is_f64, op, in[0], in[1], in[2], &hf);
                fesetround(FE_TONEAREST);
                if (op >= OP_FMADD && is_inf_times_zero(is_f64, in[0], in[1]))
                    hf |= FPU_NV; /* x86 leaves inf x 0 + qNaN quiet; RISC-V raises NV */
                if (rm == FPU_RMM && !is_nan_bits(is_f64, want) && (hf & FPU_NX)) {
                    /* exact results agree in every mode; inexact ones need the reference */
                    bool wide_inexact;
                    long double w =
                        host_wide_rtz(is_f64, op, in[0], in[1], in[2], &wide_inexact);
                    hf = 0;
                    want = ref_rmm(is_f64, w, wide_inexact, &hf);
                }
                int n_in = op == OP_SQRT ? 1 : op < OP_FMADD ? 2 : 3;
                bad += !agree(is_f64 ? R_F64 : R_F32, op_name[op], rm, in, n_in, got, mf, want,
                              hf);
                random_cases++;
            }
        }
        CHECK_EQ(bad, 0);
    }
}

TEST(random_f32_arith_matches_host)
{
    diff_arith(false, scaled(20000));
}

TEST(random_f64_arith_matches_host)
{
    diff_arith(true, scaled(20000));
}

/* ---- randomized differential: conversions -------------------------------------------------- */

enum ikind { I32, U32, I64, U64 };
static const char *const ikind_name[4] = {"i32", "u32", "i64", "u64"};

static uint64_t mine_to_int(bool is_f64, int k, uint64_t a, int rm, unsigned *fl)
{
    switch (k) {
    case I32: return (uint64_t)(int64_t)(is_f64 ? f64_to_i32(a, rm, fl)
                                                : f32_to_i32((uint32_t)a, rm, fl));
    case U32: return is_f64 ? f64_to_u32(a, rm, fl) : f32_to_u32((uint32_t)a, rm, fl);
    case I64: return (uint64_t)(is_f64 ? f64_to_i64(a, rm, fl)
                                       : f32_to_i64((uint32_t)a, rm, fl));
    default: return is_f64 ? f64_to_u64(a, rm, fl) : f32_to_u64((uint32_t)a, rm, fl);
    }
}

/* Float to integer, rounded by the host (rintl in the mode, roundl for RMM), then checked
 * against the destination range exactly as the spec's table says. */
static uint64_t ref_to_int(bool is_f64, int k, uint64_t a, int rm, unsigned *fl)
{
    static const long double lo[4] = {-2147483648.0L, 0, -9223372036854775808.0L, 0};
    static const long double hi[4] = {2147483647.0L, 4294967295.0L, 9223372036854775807.0L,
                                      18446744073709551615.0L};
    static const uint64_t max[4] = {INT32_MAX, UINT32_MAX, INT64_MAX, UINT64_MAX};
    static const uint64_t min[4] = {(uint64_t)(int64_t)INT32_MIN, 0, (uint64_t)INT64_MIN, 0};

    if (is_nan_bits(is_f64, a)) {
        *fl |= FPU_NV;
        return max[k];
    }
    long double x = is_f64 ? (long double)u2d(a) : (long double)u2f((uint32_t)a), r;
    if (rm == FPU_RMM) {
        r = roundl(x);
    } else {
        volatile long double vx = x;
        fesetround(host_mode[rm]);
        r = rintl(vx);
        fesetround(FE_TONEAREST);
    }
    if (r < lo[k] || r > hi[k]) {
        *fl |= FPU_NV;
        return x < 0 ? min[k] : max[k];
    }
    if (r != x)
        *fl |= FPU_NX;
    return k == I32 || k == I64 ? (uint64_t)(int64_t)r : (uint64_t)r;
}

TEST(random_float_to_int_matches_host)
{
    int bad = 0;
    for (int is_f64 = 0; is_f64 < 2; is_f64++) {
        const struct tfmt *f = is_f64 ? &T64 : &T32;
        int64_t bias = (1ll << (f->ebits - 1)) - 1;
        for (int k = 0; k < 4; k++) {
            for (int rm = 0; rm < 5; rm++) {
                for (long i = 0; i < scaled(6000); i++) {
                    /* magnitudes around 2^-2 .. 2^66, with the fraction bits that matter */
                    uint64_t a = rnd() % 8 ? gen_near(f, bias + 32, 34) : gen(f);
                    unsigned mf = 0, rf = 0;
                    uint64_t got = mine_to_int(is_f64, k, a, rm, &mf);
                    uint64_t want = ref_to_int(is_f64, k, a, rm, &rf);
                    bad += !agree(R_INT, ikind_name[k], rm, &a, 1, got, mf, want, rf);
                    random_cases++;
                }
            }
        }
    }
    CHECK_EQ(bad, 0);
}

static uint64_t rand_int(void)
{
    int bits = (int)(rnd() % 65);
    uint64_t v = bits == 64 ? rnd() : rnd() & ((1ull << bits) - 1);
    if (rnd() % 4 == 0 && bits > 0) /* a run of ones or zeros below the top: ties and carries */
        v = (rnd() % 2 ? v | ((1ull << (bits - 1)) - 1) : v & ~((1ull << (bits - 1)) - 1)) +
            (rnd() % 3) - 1;
    return rnd() % 2 ? v : 0 - v;
}

static uint64_t mine_from_int(bool is_f64, int k, uint64_t v, int rm, unsigned *fl)
{
    switch (k) {
    case I32: return is_f64 ? i32_to_f64((int32_t)v, rm, fl) : i32_to_f32((int32_t)v, rm, fl);
    case U32: return is_f64 ? u32_to_f64((uint32_t)v, rm, fl) : u32_to_f32((uint32_t)v, rm, fl);
    case I64: return is_f64 ? i64_to_f64((int64_t)v, rm, fl) : i64_to_f32((int64_t)v, rm, fl);
    default: return is_f64 ? u64_to_f64(v, rm, fl) : u64_to_f32(v, rm, fl);
    }
}

/* The host converts through signed 64-bit conversions only (cvtsi2ss/cvtsi2sd, rounded in
 * the current mode): compilers expand unsigned ones into sequences that are not always right
 * in directed modes (clang turns u64 0 into -0.0 when rounding down). From 2^63 up, the
 * value is halved with its lost bit kept as a sticky bit, which rounds the same way, and the
 * result doubled exactly. */
static uint64_t host_from_int(bool is_f64, int k, uint64_t v, unsigned *fl)
{
    bool halve = k == U64 && v >> 63;
    int64_t s = k == I32 ? (int32_t)v : k == U32 ? (int64_t)(uint32_t)v : (int64_t)v;
    if (halve)
        s = (int64_t)(v >> 1 | (v & 1));
    volatile int64_t in = s;
    volatile double d = 0;
    volatile float f = 0;
    feclearexcept(FE_ALL_EXCEPT);
    if (is_f64) {
        d = in;
        if (halve)
            d = d * 2;
    } else {
        f = in;
        if (halve)
            f = f * 2;
    }
    *fl = host_flags();
    return is_f64 ? d2u(d) : f2u(f);
}

static long double int_value(int k, uint64_t v)
{
    switch (k) {
    case I32: return (int32_t)v;
    case U32: return (uint32_t)v;
    case I64: return (int64_t)v;
    default: return v;
    }
}

TEST(random_int_to_float_matches_host)
{
    int bad = 0;
    for (int is_f64 = 0; is_f64 < 2; is_f64++) {
        for (int k = 0; k < 4; k++) {
            for (int rm = 0; rm < 5; rm++) {
                for (long i = 0; i < scaled(6000); i++) {
                    uint64_t v = rand_int();
                    unsigned mf = 0, hf;
                    uint64_t got = mine_from_int(is_f64, k, v, rm, &mf);
                    fesetround(host_mode[rm == FPU_RMM ? 0 : rm]);
                    uint64_t want = host_from_int(is_f64, k, v, &hf);
                    fesetround(FE_TONEAREST);
                    if (rm == FPU_RMM && (hf & FPU_NX)) {
                        hf = 0;
                        want = ref_rmm(is_f64, int_value(k, v), false, &hf);
                    }
                    bad += !agree(is_f64 ? R_F64 : R_F32, ikind_name[k], rm, &v, 1, got, mf,
                                  want, hf);
                    random_cases++;
                }
            }
        }
    }
    CHECK_EQ(bad, 0);
}

TEST(random_float_to_float_matches_host)
{
    int bad = 0;
    for (int rm = 0; rm < 5; rm++) {
        for (long i = 0; i < scaled(30000); i++) {
            /* narrowing: exponents across the whole f32 range and beyond it */
            uint64_t a = rnd() % 4 ? gen_near(&T64, 1023 + (int64_t)(rnd() % 320) - 170, 10)
                                   : gen(&T64);
            unsigned mf = 0, hf;
            uint64_t got = f64_to_f32(a, rm, &mf);
            volatile double x = u2d(a);
            volatile float r;
            fesetround(host_mode[rm == FPU_RMM ? 0 : rm]);
            feclearexcept(FE_ALL_EXCEPT);
            r = (float)x;
            hf = host_flags();
            fesetround(FE_TONEAREST);
            uint64_t want = f2u(r);
            if (rm == FPU_RMM && !is_nan_bits(false, want) && (hf & FPU_NX)) {
                hf = 0;
                want = ref_rmm(false, u2d(a), false, &hf);
            }
            bad += !agree(R_F32, "f64_to_f32", rm, &a, 1, got, mf, want, hf);

            /* widening is exact: only NaNs raise anything */
            uint64_t s = gen(&T32);
            mf = 0;
            got = f32_to_f64((uint32_t)s, &mf);
            volatile float y = u2f((uint32_t)s);
            volatile double w;
            feclearexcept(FE_ALL_EXCEPT);
            w = y;
            hf = host_flags();
            bad += !agree(R_F64, "f32_to_f64", rm, &s, 1, got, mf, d2u(w), hf);
            random_cases += 2;
        }
    }
    CHECK_EQ(bad, 0);
}

/* ---- randomized differential: compares, min/max, class --------------------------------- */

static bool is_snan_bits(bool is_f64, uint64_t v)
{
    return is_nan_bits(is_f64, v) && !(v & (is_f64 ? 1ull << 51 : 1ull << 22));
}

TEST(random_compare_minmax_class_match_host)
{
    int bad = 0;
    for (int is_f64 = 0; is_f64 < 2; is_f64++) {
        const struct tfmt *f = is_f64 ? &T64 : &T32;
        for (long i = 0; i < scaled(40000); i++) {
            uint64_t in[2];
            in[0] = gen(f);
            in[1] = rnd() % 4 ? gen(f) : in[0] ^ (rnd() % 2 ? 1 : 0); /* equal-ish pairs */
            if (rnd() % 8 == 0)
                in[1] = in[0] ^ (1ull << (f->p + f->ebits - 1));
            long double x = is_f64 ? (long double)u2d(in[0]) : (long double)u2f((uint32_t)in[0]);
            long double y = is_f64 ? (long double)u2d(in[1]) : (long double)u2f((uint32_t)in[1]);
            unsigned mf;
            int res;

            /* The truth value comes from the host's compare in the operands' own format; the
             * flags from the spec's words (feq: NV for sNaN only; flt/fle: NV for any NaN),
             * since compilers differ on whether `<` uses a signaling compare. */
            bool any_snan = is_snan_bits(is_f64, in[0]) || is_snan_bits(is_f64, in[1]);
            bool any_nan = is_nan_bits(is_f64, in[0]) || is_nan_bits(is_f64, in[1]);
            for (int which = 0; which < 3; which++) {
                int want;
                if (is_f64) {
                    volatile double a = u2d(in[0]), b = u2d(in[1]);
                    want = which == 0 ? a == b : which == 1 ? isless(a, b) : islessequal(a, b);
                } else {
                    volatile float a = u2f((uint32_t)in[0]), b = u2f((uint32_t)in[1]);
                    want = which == 0 ? a == b : which == 1 ? isless(a, b) : islessequal(a, b);
                }
                unsigned want_fl = (which == 0 ? any_snan : any_nan) ? FPU_NV : 0;
                const uint32_t a32 = (uint32_t)in[0], b32 = (uint32_t)in[1];
                mf = 0;
                if (which == 0)
                    res = is_f64 ? f64_eq(in[0], in[1], &mf) : f32_eq(a32, b32, &mf);
                else if (which == 1)
                    res = is_f64 ? f64_lt(in[0], in[1], &mf) : f32_lt(a32, b32, &mf);
                else
                    res = is_f64 ? f64_le(in[0], in[1], &mf) : f32_le(a32, b32, &mf);
                bad += !agree(R_INT, "cmp", which, in, 2, (uint64_t)res, mf, (uint64_t)want,
                              want_fl);
            }

            /* minimumNumber/maximumNumber from the spec's words */
            bool na = is_nan_bits(is_f64, in[0]), nb = is_nan_bits(is_f64, in[1]);
            unsigned want_fl = is_snan_bits(is_f64, in[0]) || is_snan_bits(is_f64, in[1])
                                   ? FPU_NV : 0;
            uint64_t want_min, want_max, cnan = is_f64 ? D_QNAN : S_QNAN;
            if (na && nb) {
                want_min = want_max = cnan;
            } else if (na || nb) {
                want_min = want_max = na ? in[1] : in[0];
            } else if (x < y || (x == y && signbit(x))) {
                want_min = in[0];
                want_max = in[1];
            } else {
                want_min = in[1];
                want_max = in[0];
            }
            mf = 0;
            uint64_t got = is_f64 ? f64_min(in[0], in[1], &mf)
                                  : f32_min((uint32_t)in[0], (uint32_t)in[1], &mf);
            bad += !agree(is_f64 ? R_F64 : R_F32, "min", 0, in, 2, got, mf, want_min, want_fl);
            mf = 0;
            got = is_f64 ? f64_max(in[0], in[1], &mf)
                         : f32_max((uint32_t)in[0], (uint32_t)in[1], &mf);
            bad += !agree(is_f64 ? R_F64 : R_F32, "max", 0, in, 2, got, mf, want_max, want_fl);

            /* fclass from the C library's classification */
            unsigned want_class;
            bool neg = signbit(x);
            switch (fpclassify(x)) {
            case FP_NAN:
                want_class = is_snan_bits(is_f64, in[0]) ? FPU_CLASS_SNAN : FPU_CLASS_QNAN;
                break;
            case FP_INFINITE: want_class = neg ? FPU_CLASS_NEG_INF : FPU_CLASS_POS_INF; break;
            case FP_ZERO: want_class = neg ? FPU_CLASS_NEG_ZERO : FPU_CLASS_POS_ZERO; break;
            default: {
                bool sub = is_f64 ? fabsl(x) < DBL_MIN : fabsl(x) < FLT_MIN;
                want_class = sub ? (neg ? FPU_CLASS_NEG_SUBNORMAL : FPU_CLASS_POS_SUBNORMAL)
                                 : (neg ? FPU_CLASS_NEG_NORMAL : FPU_CLASS_POS_NORMAL);
            }
            }
            res = (int)(is_f64 ? f64_class(in[0]) : f32_class((uint32_t)in[0]));
            bad += !agree(R_INT, "class", 0, in, 1, (uint64_t)res, 0, want_class, 0);
            random_cases += 6;
        }
    }
    CHECK_EQ(bad, 0);
}

/* Keeps `random_cases` visible in the output. */
TEST(zz_report_random_case_count)
{
    printf("fpu: %ld random cases compared against the host\n", random_cases);
    CHECK(random_cases > 0);
}

TEST_MAIN("fpu")
