/* A small bare-metal program for tests/gdb.sh to debug: every step it takes is something the
 * test sets a breakpoint on, changes or watches, and what it prints shows the effect.
 *
 *   main: prints "gdb-target: start", computes add(magic, 1) and prints it (the test changes
 *   magic in memory and a0 in add, so the sum shows both writes), stores to `watched` in
 *   touch() (a write watchpoint) and reads it back (a read watchpoint), then, while `spin` is
 *   non-zero, calls tick() forever (for detach and re-attach), and powers off with status 0.
 *   gdb-spin.elf is the same with spin set: a guest that runs until it is stopped (for the
 *   monitor's tests). */
#include <stdint.h>

#define UART_THR ((volatile uint8_t *)0x10000000)
#define UART_LSR ((volatile uint8_t *)0x10000005)
#define FINISHER ((volatile uint32_t *)0x100000)

volatile uint64_t magic = 41;
volatile uint64_t watched;
volatile uint64_t ticks;
#ifndef SPIN
#define SPIN 0
#endif
volatile uint32_t spin = SPIN; /* built with -DSPIN=1: gdb-spin.elf, which never ends */

static void putch(char c)
{
    while (!(*UART_LSR & 0x20))
        ;
    *UART_THR = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s)
        putch(*s++);
}

static void putdec(uint64_t v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putch(buf[--n]);
}

__attribute__((noinline)) uint64_t add(uint64_t a, uint64_t b)
{
    return a + b;
}

__attribute__((noinline)) void touch(void)
{
    watched = 0x1234;
}

__attribute__((noinline)) void tick(void)
{
    ticks = ticks + 1;
}

int main(void)
{
    puts_("gdb-target: start\n");
    uint64_t r = add(magic, 1);
    puts_("gdb-target: add=");
    putdec(r);
    puts_("\n");
    touch();
    puts_("gdb-target: watched=");
    putdec(watched);
    puts_("\n");
    while (spin)
        tick();
    puts_("gdb-target: done\n");
    *FINISHER = 0x5555; /* power off: status 0 */
    for (;;)
        ;
}
