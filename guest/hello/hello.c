/* visor's bare-metal demo guest: hart 0 greets over the UART with facts it reads from the
 * device tree (hart count, RAM), computes a few things (a prime with integer division, a
 * square root in the FPU), sleeps 10 ms in WFI on the CLINT timer, lets every other hart check
 * in through an atomic turn counter, and powers off through the SiFive test device (0x5555).
 * It runs the same on QEMU: `qemu-system-riscv64 -M virt -bios none -kernel hello.elf`. */
#include <stdint.h>

#define TEST_BASE 0x100000ul
#define TEST_PASS 0x5555u
#define TEST_FAIL 0x3333u
#define CLINT_BASE 0x2000000ul
#define CLINT_MTIMECMP(h) (CLINT_BASE + 0x4000 + 8 * (h))
#define CLINT_MTIME (CLINT_BASE + 0xbff8)
#define MIE_MTIE (1ul << 7)

void main(unsigned long hartid, const void *fdt);
void finish(unsigned long code);
void on_trap(unsigned long cause, unsigned long epc, unsigned long tval);

static inline void mmio_w32(unsigned long a, uint32_t v)
{
    *(volatile uint32_t *)a = v;
}
static inline void mmio_w64(unsigned long a, uint64_t v)
{
    *(volatile uint64_t *)a = v;
}
static inline uint64_t mmio_r64(unsigned long a)
{
    return *(volatile uint64_t *)a;
}

/* ---- output: putc_, puts_, put_dec, put_hex ---- */
#include "../lib/console.h"

void finish(unsigned long code)
{
    mmio_w32(TEST_BASE, code ? (uint32_t)(code << 16 | TEST_FAIL) : TEST_PASS);
    for (;;)
        __asm__ volatile("wfi");
}

void on_trap(unsigned long cause, unsigned long epc, unsigned long tval)
{
    puts_("\nunexpected trap: mcause ");
    put_hex(cause);
    puts_(" mepc ");
    put_hex(epc);
    puts_(" mtval ");
    put_hex(tval);
    puts_("\n");
    finish(1);
}

/* ---- a minimal device-tree reader ---- */

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static unsigned long slen(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

struct dt_facts {
    unsigned ncpus;
    uint64_t mem_base, mem_size;
    const char *bootargs;
};

static int read_fdt(const uint8_t *fdt, struct dt_facts *f)
{
    enum { BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4, END = 9 };
    if (be32(fdt) != 0xd00dfeed)
        return -1;
    const uint8_t *p = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    const char *path[4] = {0};
    int depth = 0;
    for (;;) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == BEGIN_NODE) {
            const char *name = (const char *)p;
            if (depth < 4)
                path[depth] = name;
            if (depth == 2 && streq(path[1], "cpus") && starts_with(name, "cpu@"))
                f->ncpus++;
            depth++;
            p += (slen(name) + 4) & ~3ul;
        } else if (tok == END_NODE) {
            depth--;
        } else if (tok == PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            const uint8_t *val = p + 8;
            const char *pname = strings + nameoff;
            if (depth == 2 && starts_with(path[1], "memory@") && streq(pname, "reg") && len >= 16) {
                f->mem_base = (uint64_t)be32(val) << 32 | be32(val + 4);
                f->mem_size = (uint64_t)be32(val + 8) << 32 | be32(val + 12);
            }
            if (depth == 2 && streq(path[1], "chosen") && streq(pname, "bootargs"))
                f->bootargs = (const char *)val;
            p += 8 + ((len + 3) & ~3u);
        } else if (tok == NOP) {
            continue;
        } else {
            return tok == END ? 0 : -1;
        }
    }
}

/* ---- things to compute ---- */

static uint64_t nth_prime(unsigned n)
{
    unsigned found = 0;
    for (uint64_t c = 2;; c++) {
        int prime = 1;
        for (uint64_t d = 2; d * d <= c; d++) {
            if (c % d == 0) {
                prime = 0;
                break;
            }
        }
        if (prime && ++found == n)
            return c;
    }
}

static double fsqrt(double x)
{
    double r;
    __asm__("fsqrt.d %0, %1" : "=f"(r) : "f"(x));
    return r;
}

/* Prints x >= 0 with nine decimals. */
static void put_fixed9(double x)
{
    uint64_t scaled = (uint64_t)(x * 1e9 + 0.5);
    put_dec(scaled / 1000000000u);
    putc_('.');
    char digits[9];
    uint64_t frac = scaled % 1000000000u;
    for (int i = 8; i >= 0; i--) {
        digits[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    for (int i = 0; i < 9; i++)
        putc_(digits[i]);
}

/* Sleeps in WFI until the CLINT timer fires ticks from now (10 MHz timebase). */
static void sleep_ticks(unsigned long hartid, uint64_t ticks)
{
    uint64_t target = mmio_r64(CLINT_MTIME) + ticks;
    mmio_w64(CLINT_MTIMECMP(hartid), target);
    __asm__ volatile("csrs mie, %0" ::"r"(MIE_MTIE));
    while (mmio_r64(CLINT_MTIME) < target)
        __asm__ volatile("wfi"); /* mstatus.MIE is off: WFI wakes, no trap is taken */
    __asm__ volatile("csrc mie, %0" ::"r"(MIE_MTIE));
    mmio_w64(CLINT_MTIMECMP(hartid), ~0ull);
}

/* ---- harts meet ---- */

static volatile unsigned go;   /* set by hart 0 once it has printed its part */
static volatile unsigned turn; /* the hart whose turn it is to print */

void main(unsigned long hartid, const void *fdt)
{
    if (hartid != 0) {
        while (!go)
            ;
        while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != hartid)
            ;
        puts_("hart ");
        put_dec(hartid);
        puts_(" checking in\n");
        __atomic_fetch_add(&turn, 1, __ATOMIC_RELEASE);
        for (;;)
            __asm__ volatile("wfi");
    }

    struct dt_facts f = {0};
    if (read_fdt(fdt, &f)) {
        puts_("no device tree in a1\n");
        finish(3);
    }
    puts_("Hello from visor: hart 0 of ");
    put_dec(f.ncpus);
    puts_(", ");
    put_dec(f.mem_size >> 20);
    puts_(" MiB RAM at ");
    put_hex(f.mem_base);
    puts_(", device tree at ");
    put_hex((uint64_t)(unsigned long)fdt);
    puts_("\n");
    if (f.bootargs) {
        puts_("bootargs: ");
        puts_(f.bootargs);
        puts_("\n");
    }
    puts_("the 1000th prime is ");
    put_dec(nth_prime(1000));
    puts_(", sqrt(2) = ");
    put_fixed9(fsqrt(2.0));
    puts_("\n");

    sleep_ticks(hartid, 100000);
    puts_("slept 10 ms in WFI on the CLINT timer\n");

    turn = 1;
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) < f.ncpus)
        ;
    puts_("all ");
    put_dec(f.ncpus);
    puts_(" harts checked in; powering off\n");
    finish(0);
}
