/* Private to src/net: QEMU's stream framing, shared by the switch (switch.c) and the
 * stream/socket netdevs (stream.c). On a stream socket every Ethernet frame travels as a
 * 4-byte big-endian length followed by that many bytes; this is what QEMU's -netdev stream
 * and -netdev socket (TCP) speak, so either side may be a QEMU process.
 *
 * frame_rx reassembles frames from whatever read() returns; frame_txq writes frames without
 * ever blocking, keeping what the socket would not take in a bounded queue and dropping (and
 * counting) what does not fit in it. Neither ever trusts the peer: a length of zero or below
 * an Ethernet header, or above NET_MAX_FRAME, drops that frame; a length no honest sender
 * uses (above FRAME_SKIP_MAX) means the stream is garbage, and the caller disconnects. */
#ifndef VISOR_NET_FRAME_H
#define VISOR_NET_FRAME_H

#include "net.h"

#include <sys/types.h>

#define FRAME_HDR 4
#define FRAME_MIN 14 /* an Ethernet header */
/* Oversized frames up to this length are skipped and the stream stays in step; a longer
 * length is taken as garbage. QEMU's own receive buffer is 68 KiB, so no QEMU sends more. */
#define FRAME_SKIP_MAX (1u << 20)
#define FRAME_RXBUF (256u << 10)

struct frame_rx {
    uint8_t *in;         /* FRAME_RXBUF bytes read but not yet parsed: [pos, end) */
    size_t pos, end;
    uint8_t *frame;      /* reassembly of a frame that spans reads (NET_MAX_FRAME bytes) */
    uint8_t hdr[FRAME_HDR];
    unsigned hdr_got;
    uint32_t len, got;   /* the frame being reassembled */
    uint32_t skip;       /* bytes of a dropped frame still to discard */
    bool in_frame;       /* a header was read and its frame is not finished */
    uint64_t bad;        /* frames dropped for their length */
};

void frame_rx_init(struct frame_rx *rx);
void frame_rx_free(struct frame_rx *rx);
/* Reads once from fd into the buffer. Returns the byte count, 0 at end of stream, or -1
 * with errno (EAGAIN when nothing is there). Call only when frame_rx_next returned 0. */
ssize_t frame_rx_read(struct frame_rx *rx, int fd);
/* The next whole frame from what was read: 1 with *frame valid until the next call, 0 when
 * more input is needed, -ERR_FORMAT when the stream is garbage (stop reading it). */
MUST_CHECK int frame_rx_next(struct frame_rx *rx, const uint8_t **frame, size_t *len);
/* At end of stream: true if it cut a frame short (which is then counted in bad). */
bool frame_rx_truncated(struct frame_rx *rx);

struct frame_buf;
struct frame_txq {
    struct frame_buf *head, *tail;
    size_t off;          /* bytes of head already written */
    unsigned count;
    size_t bytes;
    unsigned max_count;
    size_t max_bytes;
    uint64_t dropped;    /* frames that did not fit */
};

void frame_txq_init(struct frame_txq *q, unsigned max_count, size_t max_bytes);
void frame_txq_free(struct frame_txq *q);
/* Sends one frame with its header on fd, or queues what the socket does not take now.
 * Returns 0 (sent or queued), -ERR_RANGE (queue full: dropped and counted) or -ERR_IO (the
 * peer is gone). */
MUST_CHECK int frame_txq_send(struct frame_txq *q, int fd, const uint8_t *frame, size_t len);
/* Writes queued bytes (on POLLOUT). Returns 0 when the queue is empty, 1 when some remain,
 * -ERR_IO when the peer is gone. */
MUST_CHECK int frame_txq_flush(struct frame_txq *q, int fd);
static inline bool frame_txq_empty(const struct frame_txq *q)
{
    return !q->head;
}

/* ---- Sockets for the switch and the stream netdevs (non-blocking, close-on-exec) ----
 * Each returns a descriptor or a negative code with the reason in err. A Unix listener
 * replaces a stale socket file left by an earlier run. */
MUST_CHECK int netsock_listen_unix(const char *path, char *err, size_t errlen);
MUST_CHECK int netsock_listen_inet(const char *host, const char *port, char *err, size_t errlen);
/* Connects (blocking while it does, then non-blocking). */
MUST_CHECK int netsock_connect_unix(const char *path, char *err, size_t errlen);
MUST_CHECK int netsock_connect_inet(const char *host, const char *port, char *err,
                                    size_t errlen);
/* Accepts one client (non-blocking, TCP_NODELAY), or -1. */
int netsock_accept(int lfd);
void netsock_nonblock(int fd);

#endif
