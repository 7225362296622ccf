/* Memory benchmark: a 64 MiB working set, larger than any cache of the host, touched three
 * ways. A random cyclic permutation is built and then chased (one dependent load after
 * another: every step is a cache and TLB miss, so it measures the emulator's guest-memory path
 * against the host's own latency); memcpy moves the buffer's halves back and forth (bulk
 * bandwidth, through the C library's copy loop); a strided read-modify-write pass touches one
 * word per cache line (stores to many pages). */
#include "bench.h"

#include <stdint.h>
#include <string.h>

enum {
    WORDS = 16 << 20, /* uint32_t words: 64 MiB */
    CHASE_STEPS = 1 << 20,
    COPY_PASSES = 32,
    STRIDE_PASSES = 16,
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: the same sequence on every target, unlike rand() */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
    unsigned scale = bench_scale(argc, argv);
    uint32_t *a = malloc((size_t)WORDS * sizeof(*a));
    if (!a) {
        fprintf(stderr, "mem: cannot allocate %zu MiB\n", (size_t)WORDS * sizeof(*a) >> 20);
        return 1;
    }
    double t0 = bench_now();
    uint64_t sum = 0;
    for (unsigned s = 0; s < scale; s++) {
        /* Sattolo's shuffle: a single cycle through all words, so the chase never
         * settles into a short loop that would fit in the cache */
        for (uint32_t i = 0; i < WORDS; i++)
            a[i] = i;
        for (uint32_t i = WORDS - 1; i > 0; i--) {
            uint32_t j = (uint32_t)(rng() % i);
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        uint32_t p = 0;
        for (uint32_t n = 0; n < CHASE_STEPS; n++)
            p = a[p];
        sum = sum * 31 + p;

        uint32_t *lo = a, *hi = a + WORDS / 2;
        size_t half = (size_t)WORDS / 2 * sizeof(*a);
        for (int n = 0; n < COPY_PASSES; n++) {
            memcpy(n & 1 ? lo : hi, n & 1 ? hi : lo, half);
            lo[n] += (uint32_t)n; /* each pass copies different bytes */
        }
        sum = sum * 31 + lo[12345] + hi[WORDS / 2 - 1];

        for (int n = 0; n < STRIDE_PASSES; n++)
            for (uint32_t i = (uint32_t)n; i < WORDS; i += 16)
                a[i] = a[i] * 2654435761u + i;
        for (uint32_t i = 0; i < WORDS; i += 4099)
            sum = sum * 31 + a[i];
    }
    double t1 = bench_now();
    free(a);
    bench_report("mem", sum, t1 - t0);
    return 0;
}
