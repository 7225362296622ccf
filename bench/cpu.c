/* A CPU-bound bare-metal workload for the interpreter benchmark: integer arithmetic, branches,
 * memory traffic and calls (a sieve, CRC-32, an insertion sort, a small matrix product). It
 * prints a checksum (so the work cannot be skipped), the instructions it retired (minstret,
 * exact on visor), and powers off through the SiFive test finisher. */
#include <stdint.h>

#ifdef BENCH_NATIVE
/* The same workload as a host program (bench/native.sh), for the ratio to native speed. */
#include <stdio.h>
#include <stdlib.h>
static void putc_uart(char c)
{
    putchar(c);
}
#define READ_INSTRET(v) ((v) = 0)
#define POWER_OFF() exit(0)
#else
#define UART ((volatile uint8_t *)0x10000000)
#define FINISHER ((volatile uint32_t *)0x100000)
#define READ_INSTRET(v) __asm__ volatile("csrr %0, minstret" : "=r"(v))
#define POWER_OFF() (*FINISHER = 0x5555)

static void putc_uart(char c)
{
    while (!(UART[5] & 0x20))
        ;
    UART[0] = (uint8_t)c;
}
#endif

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

static uint8_t sieve_buf[65536];
static uint32_t sort_buf[2048];
static int32_t ma[24][24], mb[24][24], mc[24][24];

static uint32_t sieve(void)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < sizeof(sieve_buf); i++)
        sieve_buf[i] = 1;
    for (uint32_t i = 2; i < sizeof(sieve_buf); i++) {
        if (!sieve_buf[i])
            continue;
        count++;
        for (uint32_t j = i * 2; j < sizeof(sieve_buf); j += i)
            sieve_buf[j] = 0;
    }
    return count;
}

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static uint32_t sort(uint32_t seed)
{
    for (uint32_t i = 0; i < 2048; i++) {
        seed = seed * 1103515245u + 12345u;
        sort_buf[i] = seed >> 8;
    }
    for (uint32_t i = 1; i < 2048; i++) {
        uint32_t v = sort_buf[i], j = i;
        while (j > 0 && sort_buf[j - 1] > v) {
            sort_buf[j] = sort_buf[j - 1];
            j--;
        }
        sort_buf[j] = v;
    }
    return sort_buf[1024];
}

static int32_t matmul(int32_t seed)
{
    for (int i = 0; i < 24; i++)
        for (int j = 0; j < 24; j++) {
            ma[i][j] = (i * 7 + j * 3 + seed) % 17 - 8;
            mb[i][j] = (i * 5 + j * 11 + seed) % 13 - 6;
        }
    for (int i = 0; i < 24; i++)
        for (int j = 0; j < 24; j++) {
            int32_t s = 0;
            for (int k = 0; k < 24; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    int32_t t = 0;
    for (int i = 0; i < 24; i++)
        t += mc[i][i] * (i + 1);
    return t;
}

void bench_main(void);
void bench_main(void)
{
    uint64_t start, end, sum = 0;
    READ_INSTRET(start);
    for (uint32_t round = 0; round < 60; round++) {
        sum += sieve();
        sum += crc32(sieve_buf, sizeof(sieve_buf) / 4);
        sum += sort(round);
        sum += (uint32_t)matmul((int32_t)round);
    }
    READ_INSTRET(end);
    puts_uart("checksum ");
    put_dec(sum);
    puts_uart("\ninstructions ");
    put_dec(end - start);
    puts_uart("\n");
    POWER_OFF();
    for (;;)
        ;
}

#ifdef BENCH_NATIVE
int main(void)
{
    bench_main();
}
#endif
