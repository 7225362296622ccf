/* A floating-point-bound bare-metal workload, for the translator's F/D code: a double matrix
 * product (fmadd), an n-body step (fdiv, fsqrt), a float filter over arrays (flw/fsw, fadd.s,
 * fmul.s), integer/float conversions and comparisons with fmin/fmax. Prints a checksum of the
 * results' bits (so the work cannot be skipped and engines can be compared), the instructions
 * it retired (minstret), and powers off through the SiFive test finisher. Uses bench/start.S,
 * which leaves mstatus.FS as reset makes it: this program turns it on. */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000)
#define FINISHER ((volatile uint32_t *)0x100000)

void bench_main(void);

static void putc_uart(char c)
{
    while (!(UART[5] & 0x20))
        ;
    UART[0] = (uint8_t)c;
}

static void puts_uart(const char *s)
{
    while (*s)
        putc_uart(*s++);
}

static void put_dec(uint64_t v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_uart(buf[--n]);
}

static uint64_t bits_d(double d)
{
    union {
        double d;
        uint64_t u;
    } u = {.d = d};
    return u.u;
}

/* fmin.d/fmax.d (GCC 12 calls libm for __builtin_fmin) */
static double fmin_d(double a, double b)
{
    double r;
    __asm__("fmin.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
    return r;
}

static double fmax_d(double a, double b)
{
    double r;
    __asm__("fmax.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
    return r;
}

static uint64_t sum;

static void fold(uint64_t v)
{
    sum = (sum ^ v) * 0x100000001b3ull;
}

#define N 48
static double ma[N][N], mb[N][N], mc[N][N];

__attribute__((noinline)) static void matmul(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            ma[i][j] = (double)(i * N + j) * 0.001 - 1.0;
            mb[i][j] = (double)(j - i) * 0.25 + 0.5;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    for (int i = 0; i < N; i++)
        fold(bits_d(mc[i][(i * 7) % N]));
}

#define BODIES 16
static double px[BODIES], py[BODIES], pz[BODIES], vx[BODIES], vy[BODIES], vz[BODIES],
    mass[BODIES];

__attribute__((noinline)) static void nbody(int steps)
{
    for (int i = 0; i < BODIES; i++) {
        px[i] = i * 1.5 - 7.0;
        py[i] = (i % 4) * 2.0 - 3.0;
        pz[i] = (i % 3) * 0.75;
        vx[i] = vy[i] = vz[i] = 0;
        mass[i] = 1.0 + i * 0.125;
    }
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < BODIES; i++)
            for (int j = 0; j < BODIES; j++) {
                if (i == j)
                    continue;
                double dx = px[j] - px[i], dy = py[j] - py[i], dz = pz[j] - pz[i];
                double d2 = dx * dx + dy * dy + dz * dz + 0.01;
                double inv = mass[j] / (d2 * __builtin_sqrt(d2));
                vx[i] += dx * inv * 0.001;
                vy[i] += dy * inv * 0.001;
                vz[i] += dz * inv * 0.001;
            }
        for (int i = 0; i < BODIES; i++) {
            px[i] += vx[i] * 0.01;
            py[i] += vy[i] * 0.01;
            pz[i] += vz[i] * 0.01;
        }
    }
    for (int i = 0; i < BODIES; i++)
        fold(bits_d(px[i]) ^ bits_d(vy[i]));
}

#define LEN 2048
static float sig[LEN], out[LEN];

__attribute__((noinline)) static void filter(int rounds)
{
    for (int i = 0; i < LEN; i++)
        sig[i] = (float)((i * 37) % 101) * 0.01f - 0.5f;
    for (int r = 0; r < rounds; r++) {
        for (int i = 2; i < LEN - 2; i++)
            out[i] = 0.1f * sig[i - 2] + 0.2f * sig[i - 1] + 0.4f * sig[i] + 0.2f * sig[i + 1] +
                     0.1f * sig[i + 2];
        for (int i = 2; i < LEN - 2; i++)
            sig[i] = out[i] * 1.01f;
    }
    for (int i = 0; i < LEN; i += 97)
        fold((uint64_t)(int64_t)(sig[i] * 1e6f));
}

__attribute__((noinline)) static void convert(int n)
{
    double lo = 1e9, hi = -1e9, acc = 0;
    int64_t isum = 0;
    for (int i = 0; i < n; i++) {
        double x = (double)(i * 2654435761u % 100000) * 0.37 - 18000.0;
        lo = fmin_d(lo, x);
        hi = fmax_d(hi, x);
        if (x < acc * 0.5)
            acc += x * 0.001;
        isum += (int64_t)x + (int32_t)(float)x;
    }
    fold(bits_d(lo) ^ bits_d(hi) ^ bits_d(acc) ^ (uint64_t)isum);
}

void bench_main(void)
{
    uint64_t fs = 1ull << 13, start, end;
    __asm__ volatile("csrs mstatus, %0" ::"r"(fs) : "memory");
    __asm__ volatile("csrr %0, minstret" : "=r"(start));
    for (int rep = 0; rep < 24; rep++) {
        matmul();
        nbody(60);
        filter(30);
        convert(200000);
    }
    __asm__ volatile("csrr %0, minstret" : "=r"(end));
    puts_uart("checksum ");
    put_dec(sum);
    puts_uart("\ninstructions ");
    put_dec(end - start);
    puts_uart("\n");
    *FINISHER = 0x5555;
    for (;;)
        ;
}
