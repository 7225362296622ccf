/* Software binary32/binary64 arithmetic for the RISC-V F and D extensions, in integers only.
 * Every operation unpacks its operands, computes the exact result -- or a truncated one whose
 * bit 0 is a sticky bit standing for everything cut off below it -- and hands that to
 * round_pack(), the one place that applies the rounding mode and decides NX, UF and OF.
 * Both formats share the code through a small format descriptor.
 *
 * Example: f32_mul(1.5, 2.0) unpacks the operands to 0xc000000000000000 x 2^(0 - 63) and
 * 0x8000000000000000 x 2^(1 - 63), multiplies the significands exactly into 128 bits, and
 * round_pack128() folds the low half into a sticky bit (zero here), normalizes, and packs
 * 3.0 = 0x40400000 with no flags raised. */
#include "fpu.h"

#include <stdbool.h>
#include <stddef.h>

__extension__ typedef unsigned __int128 u128;

/* An IEEE binary interchange format. emin = 1 - bias, emax = bias; the encoding is
 * sign | biased exponent (ebits) | fraction (p - 1 bits). */
struct fmt {
    int p;     /* precision in bits, hidden bit included */
    int ebits; /* exponent field width */
    int bias;
};

static const struct fmt fmt_f32 = {24, 8, 127};
static const struct fmt fmt_f64 = {53, 11, 1023};

enum kind { K_ZERO, K_FINITE, K_INF, K_QNAN, K_SNAN };

/* An unpacked operand. For K_FINITE: value = (-1)^sign x sig x 2^(exp - 63) with bit 63 of
 * sig set, i.e. exp is the exponent of the leading one; subnormal inputs arrive normalized,
 * so the low 64 - p bits of sig are zero. */
struct unp {
    bool sign;
    enum kind kind;
    int32_t exp;
    uint64_t sig;
};

static inline uint64_t sign_bit(const struct fmt *f)
{
    return 1ull << (f->p + f->ebits - 1);
}

/* The encoding of +infinity; the largest finite magnitude is one less. */
static inline uint64_t inf_mag(const struct fmt *f)
{
    return ((1ull << f->ebits) - 1) << (f->p - 1);
}

static inline uint64_t pack_inf(const struct fmt *f, bool sign)
{
    return (sign ? sign_bit(f) : 0) | inf_mag(f);
}

static inline uint64_t pack_zero(const struct fmt *f, bool sign)
{
    return sign ? sign_bit(f) : 0;
}

static inline uint64_t canonical_nan(const struct fmt *f)
{
    return inf_mag(f) | 1ull << (f->p - 2);
}

static inline bool is_nan(const struct unp *u)
{
    return u->kind == K_QNAN || u->kind == K_SNAN;
}

static struct unp unpack(const struct fmt *f, uint64_t bits)
{
    struct unp u;
    uint64_t frac = bits & ((1ull << (f->p - 1)) - 1);
    int32_t bexp = (int32_t)(bits >> (f->p - 1)) & ((1 << f->ebits) - 1);

    u.sign = (bits & sign_bit(f)) != 0;
    u.exp = 0;
    u.sig = 0;
    if (bexp == (1 << f->ebits) - 1) {
        if (!frac)
            u.kind = K_INF;
        else
            u.kind = (frac >> (f->p - 2)) & 1 ? K_QNAN : K_SNAN;
    } else if (bexp == 0) {
        if (!frac) {
            u.kind = K_ZERO;
        } else {
            /* subnormal: frac x 2^(emin - (p - 1)); normalize the leading one to bit 63 */
            int lz = __builtin_clzll(frac);
            u.kind = K_FINITE;
            u.sig = frac << lz;
            u.exp = (1 - f->bias) - (f->p - 1) + 63 - lz;
        }
    } else {
        u.kind = K_FINITE;
        u.sig = (frac | 1ull << (f->p - 1)) << (64 - f->p);
        u.exp = bexp - f->bias;
    }
    return u;
}

/* x >> n, with every bit shifted out ORed into bit 0 (the sticky bit). */
static inline uint64_t shift_right_jam(uint64_t x, uint32_t n)
{
    if (n == 0)
        return x;
    if (n >= 64)
        return x != 0;
    return x >> n | ((x << (64 - n)) != 0);
}

static inline u128 shift_right_jam128(u128 x, uint32_t n)
{
    if (n == 0)
        return x;
    if (n >= 128)
        return x != 0;
    return x >> n | ((x << (128 - n)) != 0);
}

/* Whether rounding adds one unit to `kept`, given the discarded bits `rem` and the weight of
 * half a unit `half` (so rem == half is a tie). Unknown modes round to nearest even; the
 * interpreter rejects them before calling. */
static inline bool round_up(int rm, bool sign, uint64_t kept, uint64_t rem, uint64_t half)
{
    switch (rm) {
    case FPU_RTZ:
        return false;
    case FPU_RDN:
        return sign && rem;
    case FPU_RUP:
        return !sign && rem;
    case FPU_RMM:
        return rem >= half;
    default:
        return rem > half || (rem == half && (kept & 1));
    }
}

/* Rounds (-1)^sign x sig x 2^exp to format f, packs it and raises NX/UF/OF.
 * sig is a nonzero integer. If its bit 0 is a sticky bit, its leading one must be at bit
 * p + 1 or above, so that after normalization the sticky stays strictly below the round bit. */
static uint64_t round_pack(const struct fmt *f, bool sign, int32_t exp, uint64_t sig, int rm,
                           unsigned *flags)
{
    const int32_t emin = 1 - f->bias;
    /* sig bits below the result's unit in the last place, once normalized */
    const uint32_t shift = (uint32_t)(64 - f->p);
    const uint64_t half = 1ull << (shift - 1), low_mask = (1ull << shift) - 1;
    int lz = __builtin_clzll(sig);
    bool tiny = false;

    sig <<= lz;
    int32_t e = exp + 63 - lz; /* now value = sig x 2^(e - 63), bit 63 set */

    if (e < emin) {
        /* RISC-V detects tininess after rounding: the value is tiny unless rounding it to p
         * bits with an unbounded exponent carries it up to exactly 2^emin. */
        uint64_t kept = sig >> shift;
        tiny = e < emin - 1 || kept != (1ull << f->p) - 1 ||
               !round_up(rm, sign, kept, sig & low_mask, half);
        sig = shift_right_jam(sig, (uint32_t)(emin - e));
        e = emin;
    }

    uint64_t kept = sig >> shift, rem = sig & low_mask;
    kept += round_up(rm, sign, kept, rem, half);
    if (rem) {
        *flags |= FPU_NX;
        if (tiny)
            *flags |= FPU_UF;
    }
    if (e <= f->bias) {
        /* kept holds the hidden bit at p - 1 (or is below 2^(p-1) for a subnormal, where
         * e == emin), so adding it to the field (e - emin) carries into the exponent exactly
         * as the encoding wants -- including a rounding carry to 2^p. */
        uint64_t mag = ((uint64_t)(e - emin) << (f->p - 1)) + kept;
        if (mag < inf_mag(f))
            return (sign ? sign_bit(f) : 0) | mag;
    }

    /* Overflow goes to infinity except where the mode rounds toward zero for this sign:
     * there it stops at the largest finite value, one below the infinity encoding. */
    *flags |= FPU_OF | FPU_NX;
    bool to_max = rm == FPU_RTZ || (rm == FPU_RDN && !sign) || (rm == FPU_RUP && sign);
    return pack_inf(f, sign) - to_max;
}

/* round_pack() for a 128-bit significand (same sticky rule). */
static uint64_t round_pack128(const struct fmt *f, bool sign, int32_t exp, u128 sig, int rm,
                              unsigned *flags)
{
    uint64_t hi = (uint64_t)(sig >> 64), lo = (uint64_t)sig;
    if (!hi)
        return round_pack(f, sign, exp, lo, rm, flags);
    int drop = 64 - __builtin_clzll(hi); /* 1..64 bits go into the sticky */
    uint64_t s = (uint64_t)(sig >> drop) | ((lo << (64 - drop)) != 0);
    return round_pack(f, sign, exp + drop, s, rm, flags);
}

/* The result of an operation with a NaN operand; sNaN operands raise NV. */
static uint64_t nan_result(const struct fmt *f, const struct unp *x, const struct unp *y,
                           unsigned *flags)
{
    if (x->kind == K_SNAN || (y && y->kind == K_SNAN))
        *flags |= FPU_NV;
    return canonical_nan(f);
}

static uint64_t invalid(const struct fmt *f, unsigned *flags)
{
    *flags |= FPU_NV;
    return canonical_nan(f);
}

/* ---- arithmetic ------------------------------------------------------------------------ */

static uint64_t add_gen(const struct fmt *f, uint64_t a, uint64_t b, bool negate_b, int rm,
                        unsigned *flags)
{
    struct unp x = unpack(f, a), y = unpack(f, b);

    if (negate_b) {
        y.sign = !y.sign;
        b ^= sign_bit(f);
    }
    if (is_nan(&x) || is_nan(&y))
        return nan_result(f, &x, &y, flags);
    if (x.kind == K_INF) {
        if (y.kind == K_INF && x.sign != y.sign)
            return invalid(f, flags);
        return a;
    }
    if (y.kind == K_INF)
        return b;
    if (y.kind == K_ZERO) {
        if (x.kind == K_ZERO && x.sign != y.sign)
            return pack_zero(f, rm == FPU_RDN);
        return a;
    }
    if (x.kind == K_ZERO)
        return b;

    /* Order so |x| >= |y|; then both significands move down one bit so the sum cannot
     * overflow 64 bits. y is aligned to x with a sticky bit. A jam happens only when the
     * exponents differ by more than 63 - p, and then the difference keeps its leading one at
     * bit 61 or above, far above the round bit. */
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
        struct unp t = x;
        x = y;
        y = t;
    }
    uint64_t xs = x.sig >> 1;
    uint64_t ys = shift_right_jam(y.sig >> 1, (uint32_t)(x.exp - y.exp));
    uint64_t sum;
    if (x.sign == y.sign) {
        sum = xs + ys;
    } else {
        sum = xs - ys;
        if (!sum) /* exact cancellation: +0, except -0 when rounding down */
            return pack_zero(f, rm == FPU_RDN);
    }
    return round_pack(f, x.sign, x.exp - 62, sum, rm, flags);
}

static uint64_t mul_gen(const struct fmt *f, uint64_t a, uint64_t b, int rm, unsigned *flags)
{
    struct unp x = unpack(f, a), y = unpack(f, b);
    bool sign = x.sign != y.sign;

    if (is_nan(&x) || is_nan(&y))
        return nan_result(f, &x, &y, flags);
    if (x.kind == K_INF || y.kind == K_INF) {
        if (x.kind == K_ZERO || y.kind == K_ZERO)
            return invalid(f, flags);
        return pack_inf(f, sign);
    }
    if (x.kind == K_ZERO || y.kind == K_ZERO)
        return pack_zero(f, sign);

    /* exact: (x.sig x 2^(x.exp - 63)) x (y.sig x 2^(y.exp - 63)) */
    u128 prod = (u128)x.sig * y.sig;
    return round_pack128(f, sign, x.exp + y.exp - 126, prod, rm, flags);
}

static uint64_t div_gen(const struct fmt *f, uint64_t a, uint64_t b, int rm, unsigned *flags)
{
    struct unp x = unpack(f, a), y = unpack(f, b);
    bool sign = x.sign != y.sign;

    if (is_nan(&x) || is_nan(&y))
        return nan_result(f, &x, &y, flags);
    if (x.kind == K_INF) {
        if (y.kind == K_INF)
            return invalid(f, flags);
        return pack_inf(f, sign);
    }
    if (y.kind == K_INF)
        return pack_zero(f, sign);
    if (y.kind == K_ZERO) {
        if (x.kind == K_ZERO)
            return invalid(f, flags);
        *flags |= FPU_DZ;
        return pack_inf(f, sign);
    }
    if (x.kind == K_ZERO)
        return pack_zero(f, sign);

    if (f->p <= 24) {
        /* Narrow fast path in 64 bits: dividend with its leading one at bit 62, divisor as
         * the plain 24-bit significand; the quotient has 38+ bits, plenty for p + 2. */
        uint64_t n = x.sig >> 1, d = y.sig >> 40;
        uint64_t q = n / d, r = n - q * d;
        return round_pack(f, sign, x.exp - y.exp - 39, q | (r != 0), rm, flags);
    }
    /* (x.sig x 2^63) / y.sig lies in (2^62, 2^64): 62+ quotient bits, remainder -> sticky */
    u128 n = (u128)x.sig << 63;
    uint64_t q = (uint64_t)(n / y.sig);
    bool r = n - (u128)q * y.sig != 0;
    return round_pack(f, sign, x.exp - y.exp - 63, q | r, rm, flags);
}

/* floor(sqrt(n)) for n < 2^(2 * bits), bits <= 60, taking two bits of n per step (the
 * schoolbook method in base 2); *inexact says n was not a perfect square.
 * Invariant: rem = (the bits of n consumed so far) - root^2 <= 2 x root, so rem stays below
 * 2^(bits + 3) and fits in 64 bits. The step is branchless: its outcome is a coin flip. */
static uint64_t isqrt(u128 n, int bits, bool *inexact)
{
    u128 rest = n << (128 - 2 * bits); /* unconsumed bits of n, the next two at the top */
    uint64_t rem = 0, root = 0;
    for (int i = 0; i < bits; i++) {
        rem = rem << 2 | (uint64_t)(rest >> 126);
        rest <<= 2;
        root <<= 1;
        /* root is now 2r; raising it to 2r + 1 costs (2r + 1)^2 - (2r)^2 = 4r + 1 */
        uint64_t step = root << 1 | 1;
        uint64_t take = 0 - (uint64_t)(rem >= step);
        rem -= step & take;
        root |= take & 1;
    }
    *inexact = rem != 0;
    return root;
}

static uint64_t sqrt_gen(const struct fmt *f, uint64_t a, int rm, unsigned *flags)
{
    struct unp x = unpack(f, a);

    if (is_nan(&x))
        return nan_result(f, &x, NULL, flags);
    if (x.kind == K_ZERO) /* sqrt(-0) = -0 */
        return a;
    if (x.sign)
        return invalid(f, flags);
    if (x.kind == K_INF)
        return a;

    /* x = m x 2^e with m the p-bit integer significand. Scale m by 2^s, s in {p+3, p+4}
     * chosen to make e - s even: then n = m x 2^s has 2p+3 or 2p+4 bits and its root has
     * exactly p + 2 (result bits, a round bit and one spare), with the remainder as sticky. */
    int p = f->p;
    uint64_t m = x.sig >> (64 - p);
    int32_t e = x.exp - (p - 1);
    int32_t s = p + 3 + ((e - (p + 3)) & 1);
    bool inexact;
    uint64_t root = isqrt((u128)m << s, p + 2, &inexact);
    return round_pack(f, false, (e - s) / 2, root | inexact, rm, flags);
}

static uint64_t muladd_gen(const struct fmt *f, uint64_t a, uint64_t b, uint64_t c,
                           bool negate_product, bool negate_addend, int rm, unsigned *flags)
{
    struct unp x = unpack(f, a), y = unpack(f, b), z = unpack(f, c);
    bool psign = (x.sign != y.sign) != negate_product;

    if (negate_addend) {
        z.sign = !z.sign;
        c ^= sign_bit(f);
    }
    /* RISC-V: inf x 0 is invalid even when the addend is a quiet NaN */
    if ((x.kind == K_INF && y.kind == K_ZERO) || (x.kind == K_ZERO && y.kind == K_INF))
        return invalid(f, flags);
    if (is_nan(&x) || is_nan(&y) || is_nan(&z)) {
        if (x.kind == K_SNAN || y.kind == K_SNAN || z.kind == K_SNAN)
            *flags |= FPU_NV;
        return canonical_nan(f);
    }
    if (x.kind == K_INF || y.kind == K_INF) {
        if (z.kind == K_INF && z.sign != psign)
            return invalid(f, flags);
        return pack_inf(f, psign);
    }
    if (z.kind == K_INF)
        return c;
    if (x.kind == K_ZERO || y.kind == K_ZERO) {
        if (z.kind == K_ZERO && z.sign != psign)
            return pack_zero(f, rm == FPU_RDN);
        if (z.kind == K_ZERO)
            return pack_zero(f, psign);
        return c;
    }

    /* The exact product, moved down one bit: prod x 2^(pe - 125), leading one at bit 125
     * or 126. The addend is placed with its leading one at bit 125 on the same scale:
     * add x 2^(z.exp - 125). The smaller-exponent term is aligned with a sticky bit; that
     * loses nothing unless the shift exceeds the term's trailing zeros (21+ bits), and then
     * the result's leading one stays at bit 123 or above, far above the round bit. */
    u128 prod = ((u128)x.sig * y.sig) >> 1;
    int32_t pe = x.exp + y.exp;
    if (z.kind == K_ZERO)
        return round_pack128(f, psign, pe - 125, prod, rm, flags);

    u128 add = (u128)z.sig << 62;
    int32_t e;
    if (pe >= z.exp) {
        add = shift_right_jam128(add, (uint32_t)(pe - z.exp));
        e = pe;
    } else {
        prod = shift_right_jam128(prod, (uint32_t)(z.exp - pe));
        e = z.exp;
    }
    if (psign == z.sign)
        return round_pack128(f, psign, e - 125, prod + add, rm, flags);
    if (prod > add)
        return round_pack128(f, psign, e - 125, prod - add, rm, flags);
    if (add > prod)
        return round_pack128(f, z.sign, e - 125, add - prod, rm, flags);
    return pack_zero(f, rm == FPU_RDN);
}

/* ---- comparisons and classification -------------------------------------------------- */

/* a < b for non-NaN encodings (sign-magnitude). With zeros_equal, -0 < +0 is false (IEEE
 * compare); without, -0 orders below +0 (fmin/fmax). */
static bool ordered_less(const struct fmt *f, uint64_t a, uint64_t b, bool zeros_equal)
{
    uint64_t sb = sign_bit(f);
    bool neg_a = (a & sb) != 0, neg_b = (b & sb) != 0;
    uint64_t ma = a & ~sb, mb = b & ~sb;

    if (neg_a != neg_b)
        return neg_a && !(zeros_equal && !ma && !mb);
    return neg_a ? ma > mb : ma < mb;
}

static uint64_t minmax_gen(const struct fmt *f, uint64_t a, uint64_t b, bool want_max,
                           unsigned *flags)
{
    struct unp x = unpack(f, a), y = unpack(f, b);

    if (x.kind == K_SNAN || y.kind == K_SNAN)
        *flags |= FPU_NV;
    if (is_nan(&x))
        return is_nan(&y) ? canonical_nan(f) : b;
    if (is_nan(&y))
        return a;
    return ordered_less(f, a, b, false) != want_max ? a : b;
}

static int eq_gen(const struct fmt *f, uint64_t a, uint64_t b, unsigned *flags)
{
    struct unp x = unpack(f, a), y = unpack(f, b);

    if (is_nan(&x) || is_nan(&y)) {
        if (x.kind == K_SNAN || y.kind == K_SNAN)
            *flags |= FPU_NV;
        return 0;
    }
    return a == b || ((a | b) & ~sign_bit(f)) == 0;
}

static int lt_gen(const struct fmt *f, uint64_t a, uint64_t b, bool or_equal, unsigned *flags)
{
    struct unp x = unpack(f, a), y = unpack(f, b);

    if (is_nan(&x) || is_nan(&y)) {
        *flags |= FPU_NV;
        return 0;
    }
    if (or_equal && (a == b || ((a | b) & ~sign_bit(f)) == 0))
        return 1;
    return ordered_less(f, a, b, true);
}

static unsigned class_gen(const struct fmt *f, uint64_t a)
{
    struct unp x = unpack(f, a);
    bool subnormal = x.kind == K_FINITE && (a & inf_mag(f)) == 0;

    switch (x.kind) {
    case K_QNAN:
        return FPU_CLASS_QNAN;
    case K_SNAN:
        return FPU_CLASS_SNAN;
    case K_INF:
        return x.sign ? FPU_CLASS_NEG_INF : FPU_CLASS_POS_INF;
    case K_ZERO:
        return x.sign ? FPU_CLASS_NEG_ZERO : FPU_CLASS_POS_ZERO;
    default:
        if (subnormal)
            return x.sign ? FPU_CLASS_NEG_SUBNORMAL : FPU_CLASS_POS_SUBNORMAL;
        return x.sign ? FPU_CLASS_NEG_NORMAL : FPU_CLASS_POS_NORMAL;
    }
}

/* ---- conversions ----------------------------------------------------------------------- */

/* Float to a `width`-bit integer, returned as a two's-complement pattern in 64 bits.
 * Out-of-range results (after rounding) saturate with NV alone; NaN saturates to max. */
static uint64_t to_int_gen(const struct fmt *f, uint64_t a, int rm, bool is_signed, int width,
                           unsigned *flags)
{
    struct unp x = unpack(f, a);
    uint64_t max = is_signed ? (1ull << (width - 1)) - 1 : ~0ull >> (64 - width);
    uint64_t min = is_signed ? 0 - (1ull << (width - 1)) : 0;
    uint64_t neg_limit = is_signed ? 1ull << (width - 1) : 0; /* largest magnitude below 0 */
    uint64_t mag;
    bool inexact = false;

    if (is_nan(&x))
        goto saturate;
    if (x.kind == K_ZERO)
        return 0;
    if (x.kind == K_INF || x.exp > 63)
        goto saturate;
    if (x.exp >= 62) {
        mag = x.sig >> (63 - x.exp); /* exact: p <= 62 */
    } else {
        /* t = |x| x 4, truncated, with a sticky bit: bit 1 is the half bit */
        uint64_t t = shift_right_jam(x.sig, (uint32_t)(61 - x.exp));
        mag = t >> 2;
        inexact = (t & 3) != 0;
        mag += round_up(rm, x.sign, mag, t & 3, 2);
    }
    if (x.sign ? mag > neg_limit : mag > max)
        goto saturate;
    if (inexact)
        *flags |= FPU_NX;
    return x.sign ? 0 - mag : mag;

saturate:
    *flags |= FPU_NV;
    return x.sign && !is_nan(&x) ? min : max;
}

static uint64_t from_int_gen(const struct fmt *f, bool negative, uint64_t mag, int rm,
                             unsigned *flags)
{
    if (!mag)
        return 0;
    return round_pack(f, negative, 0, mag, rm, flags);
}

static uint64_t convert_gen(const struct fmt *to, const struct fmt *from, uint64_t a, int rm,
                            unsigned *flags)
{
    struct unp x = unpack(from, a);

    if (is_nan(&x))
        return nan_result(to, &x, NULL, flags);
    if (x.kind == K_INF)
        return pack_inf(to, x.sign);
    if (x.kind == K_ZERO)
        return pack_zero(to, x.sign);
    return round_pack(to, x.sign, x.exp - 63, x.sig, rm, flags);
}

/* ---- the public entry points ----------------------------------------------------------- */

#define F32 (&fmt_f32)
#define F64 (&fmt_f64)

uint32_t f32_add(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
    return (uint32_t)add_gen(F32, a, b, false, rm, flags);
}

uint32_t f32_sub(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
    return (uint32_t)add_gen(F32, a, b, true, rm, flags);
}

uint32_t f32_mul(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
    return (uint32_t)mul_gen(F32, a, b, rm, flags);
}

uint32_t f32_div(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
    return (uint32_t)div_gen(F32, a, b, rm, flags);
}

uint32_t f32_sqrt(uint32_t a, int rm, unsigned *flags)
{
    return (uint32_t)sqrt_gen(F32, a, rm, flags);
}

uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, int negate_product, int negate_addend,
                    int rm, unsigned *flags)
{
    return (uint32_t)muladd_gen(F32, a, b, c, negate_product, negate_addend, rm, flags);
}

uint32_t f32_min(uint32_t a, uint32_t b, unsigned *flags)
{
    return (uint32_t)minmax_gen(F32, a, b, false, flags);
}

uint32_t f32_max(uint32_t a, uint32_t b, unsigned *flags)
{
    return (uint32_t)minmax_gen(F32, a, b, true, flags);
}

int f32_eq(uint32_t a, uint32_t b, unsigned *flags)
{
    return eq_gen(F32, a, b, flags);
}

int f32_lt(uint32_t a, uint32_t b, unsigned *flags)
{
    return lt_gen(F32, a, b, false, flags);
}

int f32_le(uint32_t a, uint32_t b, unsigned *flags)
{
    return lt_gen(F32, a, b, true, flags);
}

unsigned f32_class(uint32_t a)
{
    return class_gen(F32, a);
}

int32_t f32_to_i32(uint32_t a, int rm, unsigned *flags)
{
    return (int32_t)(uint32_t)to_int_gen(F32, a, rm, true, 32, flags);
}

uint32_t f32_to_u32(uint32_t a, int rm, unsigned *flags)
{
    return (uint32_t)to_int_gen(F32, a, rm, false, 32, flags);
}

int64_t f32_to_i64(uint32_t a, int rm, unsigned *flags)
{
    return (int64_t)to_int_gen(F32, a, rm, true, 64, flags);
}

uint64_t f32_to_u64(uint32_t a, int rm, unsigned *flags)
{
    return to_int_gen(F32, a, rm, false, 64, flags);
}

uint32_t i32_to_f32(int32_t v, int rm, unsigned *flags)
{
    return (uint32_t)from_int_gen(F32, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, flags);
}

uint32_t u32_to_f32(uint32_t v, int rm, unsigned *flags)
{
    return (uint32_t)from_int_gen(F32, false, v, rm, flags);
}

uint32_t i64_to_f32(int64_t v, int rm, unsigned *flags)
{
    return (uint32_t)from_int_gen(F32, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, flags);
}

uint32_t u64_to_f32(uint64_t v, int rm, unsigned *flags)
{
    return (uint32_t)from_int_gen(F32, false, v, rm, flags);
}

uint64_t f32_to_f64(uint32_t a, unsigned *flags)
{
    /* widening is exact, so the rounding mode cannot matter */
    return convert_gen(F64, F32, a, FPU_RNE, flags);
}

uint64_t f64_add(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
    return add_gen(F64, a, b, false, rm, flags);
}

uint64_t f64_sub(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
    return add_gen(F64, a, b, true, rm, flags);
}

uint64_t f64_mul(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
    return mul_gen(F64, a, b, rm, flags);
}

uint64_t f64_div(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
    return div_gen(F64, a, b, rm, flags);
}

uint64_t f64_sqrt(uint64_t a, int rm, unsigned *flags)
{
    return sqrt_gen(F64, a, rm, flags);
}

uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, int negate_product, int negate_addend,
                    int rm, unsigned *flags)
{
    return muladd_gen(F64, a, b, c, negate_product, negate_addend, rm, flags);
}

uint64_t f64_min(uint64_t a, uint64_t b, unsigned *flags)
{
    return minmax_gen(F64, a, b, false, flags);
}

uint64_t f64_max(uint64_t a, uint64_t b, unsigned *flags)
{
    return minmax_gen(F64, a, b, true, flags);
}

int f64_eq(uint64_t a, uint64_t b, unsigned *flags)
{
    return eq_gen(F64, a, b, flags);
}

int f64_lt(uint64_t a, uint64_t b, unsigned *flags)
{
    return lt_gen(F64, a, b, false, flags);
}

int f64_le(uint64_t a, uint64_t b, unsigned *flags)
{
    return lt_gen(F64, a, b, true, flags);
}

unsigned f64_class(uint64_t a)
{
    return class_gen(F64, a);
}

int32_t f64_to_i32(uint64_t a, int rm, unsigned *flags)
{
    return (int32_t)(uint32_t)to_int_gen(F64, a, rm, true, 32, flags);
}

uint32_t f64_to_u32(uint64_t a, int rm, unsigned *flags)
{
    return (uint32_t)to_int_gen(F64, a, rm, false, 32, flags);
}

int64_t f64_to_i64(uint64_t a, int rm, unsigned *flags)
{
    return (int64_t)to_int_gen(F64, a, rm, true, 64, flags);
}

uint64_t f64_to_u64(uint64_t a, int rm, unsigned *flags)
{
    return to_int_gen(F64, a, rm, false, 64, flags);
}

uint64_t i32_to_f64(int32_t v, int rm, unsigned *flags)
{
    return from_int_gen(F64, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, flags);
}

uint64_t u32_to_f64(uint32_t v, int rm, unsigned *flags)
{
    return from_int_gen(F64, false, v, rm, flags);
}

uint64_t i64_to_f64(int64_t v, int rm, unsigned *flags)
{
    return from_int_gen(F64, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, flags);
}

uint64_t u64_to_f64(uint64_t v, int rm, unsigned *flags)
{
    return from_int_gen(F64, false, v, rm, flags);
}

uint32_t f64_to_f32(uint64_t a, int rm, unsigned *flags)
{
    return (uint32_t)convert_gen(F32, F64, a, rm, flags);
}
