/* What the three CPU benchmarks share: a monotonic clock and one report line. The runner
 * (bench/cpu.py) reads that line from the guest's console and from the native build's stdout,
 * so its shape is fixed:
 *
 *     bench int checksum 0123456789abcdef seconds 1.234
 *
 * The checksum proves the work was done and done the same everywhere (visor, QEMU, the host);
 * the seconds cover only the fixed work, not process start-up or the shell around it. */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* argv[1], when given, multiplies the fixed amount of work (for quick trials); the default of
 * 1 is what every recorded row uses. */
static inline unsigned bench_scale(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
    return n > 0 ? (unsigned)n : 1;
}

static inline void bench_report(const char *name, uint64_t checksum, double seconds)
{
    printf("bench %s checksum %016" PRIx64 " seconds %.3f\n", name, checksum, seconds);
    fflush(stdout);
}

#endif
