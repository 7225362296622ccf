/* Floating-point benchmark in double precision: the n-body simulation of the five outer
 * planets (divisions and square roots in a dependent chain), a dense matrix product (multiply
 * and add throughput) and a Mandelbrot set (compares and short data-dependent loops).
 * Only + - * / and sqrt are used, all correctly rounded by IEEE 754, and the build turns off
 * fused multiply-add contraction, so the checksum is bit-identical on RISC-V and x86-64. */
#include "bench.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

enum { NBODY_STEPS = 2000000, MAT_N = 128, MAT_REPS = 16, MANDEL_N = 512, MANDEL_ITERS = 128 };

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

struct body {
    double x[3], v[3], mass;
};

static struct body bodies[5] = {
    {{0, 0, 0}, {0, 0, 0}, SOLAR_MASS},
    {{4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01},
     {1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
      -6.90460016972063023e-05 * DAYS_PER_YEAR},
     9.54791938424326609e-04 * SOLAR_MASS},
    {{8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01},
     {-2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
      2.30417297573763929e-05 * DAYS_PER_YEAR},
     2.85885980666130812e-04 * SOLAR_MASS},
    {{1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01},
     {2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
      -2.96589568540237556e-05 * DAYS_PER_YEAR},
     4.36624404335156298e-05 * SOLAR_MASS},
    {{1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01},
     {2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
      -9.51592254519715870e-05 * DAYS_PER_YEAR},
     5.15138902046611451e-05 * SOLAR_MASS},
};

static void nbody_advance(double dt)
{
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++) {
            double d[3], d2 = 0;
            for (int k = 0; k < 3; k++) {
                d[k] = bodies[i].x[k] - bodies[j].x[k];
                d2 += d[k] * d[k];
            }
            double mag = dt / (d2 * sqrt(d2));
            for (int k = 0; k < 3; k++) {
                bodies[i].v[k] -= d[k] * bodies[j].mass * mag;
                bodies[j].v[k] += d[k] * bodies[i].mass * mag;
            }
        }
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 3; k++)
            bodies[i].x[k] += dt * bodies[i].v[k];
}

static double nbody_energy(void)
{
    double e = 0;
    for (int i = 0; i < 5; i++) {
        const struct body *b = &bodies[i];
        e += 0.5 * b->mass * (b->v[0] * b->v[0] + b->v[1] * b->v[1] + b->v[2] * b->v[2]);
        for (int j = i + 1; j < 5; j++) {
            double d2 = 0;
            for (int k = 0; k < 3; k++) {
                double d = b->x[k] - bodies[j].x[k];
                d2 += d * d;
            }
            e -= b->mass * bodies[j].mass / sqrt(d2);
        }
    }
    return e;
}

static double ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];

static double matmul(int rep)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            ma[i][j] = (double)(i - j + rep) / (double)(i + j + 1);
            mb[i][j] = (double)(i * j % 7 - 3) * 0.25 + rep;
        }
    double trace = 0;
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++)
            mc[i][j] = 0;
        for (int k = 0; k < MAT_N; k++) { /* i-k-j order: streams rows of b and c */
            double aik = ma[i][k];
            for (int j = 0; j < MAT_N; j++)
                mc[i][j] += aik * mb[k][j];
        }
        trace += mc[i][i];
    }
    return trace;
}

static uint64_t mandelbrot(void)
{
    uint64_t inside = 0, iters = 0;
    for (int py = 0; py < MANDEL_N; py++)
        for (int px = 0; px < MANDEL_N; px++) {
            double cr = -2.0 + 2.5 * px / MANDEL_N, ci = -1.25 + 2.5 * py / MANDEL_N;
            double zr = 0, zi = 0;
            int n = 0;
            while (n < MANDEL_ITERS && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                n++;
            }
            iters += (uint64_t)n;
            inside += n == MANDEL_ITERS;
        }
    return iters * 65537 + inside;
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

int main(int argc, char **argv)
{
    unsigned scale = bench_scale(argc, argv);
    double t0 = bench_now();
    uint64_t sum = 0;
    for (unsigned s = 0; s < scale; s++) {
        for (int n = 0; n < NBODY_STEPS; n++)
            nbody_advance(0.01);
        sum = sum * 31 + bits(nbody_energy());
        for (int r = 0; r < MAT_REPS; r++)
            sum = sum * 31 + bits(matmul(r));
        sum = sum * 31 + mandelbrot();
    }
    double t1 = bench_now();
    bench_report("fp", sum, t1 - t0);
    return 0;
}
