/* Private to src/cpu: the arithmetic helpers of ops.def's expressions, where a result takes
 * more than one C expression (the M extension's corner cases). Both interpreter loops include
 * this and ops.def, so an operation's semantics are written once. */
#ifndef VISOR_OPS_H
#define VISOR_OPS_H

#include <stdint.h>

static inline uint64_t sx32(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)v;
}

static inline uint64_t op_mulhu(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

/* signed a times unsigned b: the unsigned high product corrected for a's sign */
static inline uint64_t op_mulhsu(uint64_t a, uint64_t b)
{
    uint64_t hi = op_mulhu(a, b);
    return (int64_t)a < 0 ? hi - b : hi;
}

/* Division never traps: by zero gives all ones (quotient) or the dividend (remainder), and
 * the one overflow (most negative / -1) gives the dividend and 0. */
static inline uint64_t op_div(uint64_t a, uint64_t b)
{
    if (b == 0)
        return UINT64_MAX;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t op_rem(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint64_t op_divw(uint64_t a, uint64_t b)
{
    int32_t x = (int32_t)a, y = (int32_t)b;
    if (y == 0)
        return UINT64_MAX;
    if (x == INT32_MIN && y == -1)
        return sx32((uint32_t)x);
    return sx32((uint32_t)(x / y));
}

static inline uint64_t op_remw(uint64_t a, uint64_t b)
{
    int32_t x = (int32_t)a, y = (int32_t)b;
    if (y == 0)
        return sx32((uint32_t)x);
    if (x == INT32_MIN && y == -1)
        return 0;
    return sx32((uint32_t)(x % y));
}

#endif
