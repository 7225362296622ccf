/* The remote protocol's framing (GDB manual, "Overview" of the Remote Protocol): packets,
 * checksums, acknowledgments, binary escapes and the out-of-band interrupt byte. A client
 * never sends run-length encoding, so '*' in a received body is data. */
#include "gdb_priv.h"

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* '}' x stands for x ^ 0x20; a trailing lone '}' is kept as is. */
static size_t unescape(uint8_t *b, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '}' && i + 1 < n)
            b[o++] = b[++i] ^ 0x20;
        else
            b[o++] = b[i];
    }
    return o;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c)
{
    switch (rx->state) {
    case RX_IDLE:
        if (c == '$') {
            rx->state = RX_BODY;
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
            return GDB_RX_NONE;
        }
        if (c == 0x03)
            return GDB_RX_INTERRUPT;
        if (c == '+')
            return GDB_RX_ACK;
        if (c == '-')
            return GDB_RX_NAK;
        return GDB_RX_NONE;
    case RX_BODY:
        if (c == '#') {
            rx->state = RX_SUM1;
            return GDB_RX_NONE;
        }
        if (c == '$') { /* a new packet before the old one ended: the old one is lost */
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
            return GDB_RX_NONE;
        }
        rx->sum = (uint8_t)(rx->sum + c);
        if (rx->len < GDB_PACKET_SIZE)
            rx->body[rx->len++] = c;
        else
            rx->overflow = true;
        return GDB_RX_NONE;
    case RX_SUM1:
        rx->got = c;
        rx->state = RX_SUM2;
        return GDB_RX_NONE;
    case RX_SUM2: {
        rx->state = RX_IDLE;
        int hi = hexval(rx->got), lo = hexval(c);
        if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != rx->sum)
            return GDB_RX_BAD;
        if (rx->overflow)
            return GDB_RX_TOO_LONG;
        rx->len = unescape(rx->body, rx->len);
        rx->body[rx->len] = '\0';
        return GDB_RX_PACKET;
    }
    }
    rx->state = RX_IDLE;
    return GDB_RX_NONE;
}

size_t gdb_frame(const uint8_t *body, size_t n, uint8_t *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    uint8_t sum = 0;
    if (cap < 4)
        return 0;
    out[o++] = '$';
    for (size_t i = 0; i < n; i++) {
        uint8_t c = body[i];
        bool esc = c == '#' || c == '$' || c == '}' || c == '*';
        if (o + (esc ? 2 : 1) + 3 > cap)
            return 0;
        if (esc) {
            out[o++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        out[o++] = c;
        sum = (uint8_t)(sum + c);
    }
    out[o++] = '#';
    out[o++] = (uint8_t)hex[sum >> 4];
    out[o++] = (uint8_t)hex[sum & 15];
    return o;
}
