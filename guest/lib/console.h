/* Console output for visor's bare-metal guests: the virt board's NS16550A at 0x10000000,
 * polled (wait for THRE, then write THR), with "\n" sent as "\r\n" as a terminal expects.
 * Header-only, so each guest stays one self-contained link. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdint.h>

#define CONSOLE_UART 0x10000000ul
#define CONSOLE_THR 0
#define CONSOLE_LSR 5
#define CONSOLE_LSR_THRE 0x20

static inline void putc_(char c)
{
    volatile uint8_t *u = (volatile uint8_t *)CONSOLE_UART;
    while (!(u[CONSOLE_LSR] & CONSOLE_LSR_THRE))
        ;
    u[CONSOLE_THR] = (uint8_t)c;
}

static inline void puts_(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            putc_('\r');
        putc_(*s);
    }
}

static inline void put_dec(uint64_t v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_(buf[--n]);
}

static inline void put_hex(uint64_t v)
{
    puts_("0x");
    int shift = 60;
    while (shift > 0 && !((v >> shift) & 0xf))
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        putc_("0123456789abcdef"[(v >> shift) & 0xf]);
}

#endif
