/* The test's only source of randomness: splitmix64, so that a seed and a program index
 * reproduce a program exactly on any host and in any build mode. */
#include "diff.h"

void rng_seed(struct rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
    return rng_next(r) % n; /* the bias is irrelevant for test generation */
}

bool rng_pct(struct rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

uint64_t rng_interesting(struct rng *r)
{
    /* clang-format off */
    static const uint64_t edges[] = {
        0, 1, 2, UINT64_MAX, UINT64_MAX - 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000ull, 0x100000000ull, 31, 32, 63,
        64, 0xfff, 0x800, 0xfffffffffffff800ull};
    /* clang-format on */
    switch (rng_below(r, 6)) {
    case 0:
        return edges[rng_below(r, ARRAY_SIZE(edges))];
    case 1:
        return sext(rng_below(r, 4096), 12); /* small, either sign */
    case 2:
        return sext(rng_next(r), 32);
    case 3:
        return rng_next(r) & 0xffffffff;
    default:
        return rng_next(r);
    }
}
