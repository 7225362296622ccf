/* Private to src/gdb: the packet layer (packet.c) that session.c builds on. */
#ifndef VISOR_GDB_PRIV_H
#define VISOR_GDB_PRIV_H

#include "gdb.h"

/* Receive side: one byte at a time. Between packets, '+' and '-' are acks, 0x03 an interrupt,
 * anything else noise. A packet is "$" body "#" two hex digits, the modulo-256 sum of the
 * body's bytes as sent. */
enum gdb_rx_event {
    GDB_RX_NONE,      /* nothing complete yet */
    GDB_RX_PACKET,    /* body[0..len) holds a packet with a good checksum, unescaped */
    GDB_RX_BAD,       /* a packet with a bad checksum: answer '-' */
    GDB_RX_TOO_LONG,  /* a packet longer than GDB_PACKET_SIZE: answer an error */
    GDB_RX_INTERRUPT, /* 0x03 outside a packet */
    GDB_RX_ACK,
    GDB_RX_NAK,
};

struct gdb_rx {
    enum { RX_IDLE, RX_BODY, RX_SUM1, RX_SUM2 } state;
    uint8_t body[GDB_PACKET_SIZE + 1]; /* +1: a NUL after the body, for parsing */
    size_t len;
    bool overflow;
    uint8_t sum, got;
};

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c);
/* Frames a reply: '$', the body with '#', '$', '}' and '*' escaped, '#', checksum. Returns the
 * length, or 0 if it does not fit in cap. */
size_t gdb_frame(const uint8_t *body, size_t n, uint8_t *out, size_t cap);

#endif
