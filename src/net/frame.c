/* QEMU's stream framing (length-prefixed frames) in both directions, for the switch and the
 * stream netdevs; the rules for untrusted lengths are in frame.h. */
#include "frame.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

void frame_rx_init(struct frame_rx *rx)
{
    memset(rx, 0, sizeof(*rx));
    rx->in = xmalloc(FRAME_RXBUF);
    rx->frame = xmalloc(NET_MAX_FRAME);
}

void frame_rx_free(struct frame_rx *rx)
{
    free(rx->in);
    free(rx->frame);
    rx->in = rx->frame = NULL;
}

ssize_t frame_rx_read(struct frame_rx *rx, int fd)
{
    if (rx->pos == rx->end)
        rx->pos = rx->end = 0;
    ssize_t n;
    do
        n = read(fd, rx->in + rx->end, FRAME_RXBUF - rx->end);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        rx->end += (size_t)n;
    return n;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int frame_rx_next(struct frame_rx *rx, const uint8_t **frame, size_t *len)
{
    for (;;) {
        size_t avail = rx->end - rx->pos;
        if (rx->skip) {
            size_t n = avail < rx->skip ? avail : rx->skip;
            rx->pos += n;
            rx->skip -= (uint32_t)n;
            if (rx->skip)
                return 0;
            rx->in_frame = false;
            continue;
        }
        if (!rx->in_frame) {
            while (rx->hdr_got < FRAME_HDR && rx->pos < rx->end)
                rx->hdr[rx->hdr_got++] = rx->in[rx->pos++];
            if (rx->hdr_got < FRAME_HDR)
                return 0;
            rx->hdr_got = 0;
            uint32_t l = be32(rx->hdr);
            if (l > FRAME_SKIP_MAX) {
                rx->bad++;
                return -ERR_FORMAT;
            }
            if (l < FRAME_MIN || l > NET_MAX_FRAME) {
                rx->bad++;
                rx->skip = l;
                rx->in_frame = l != 0;
                continue;
            }
            rx->len = l;
            rx->got = 0;
            rx->in_frame = true;
            avail = rx->end - rx->pos;
            if (avail >= l) { /* the common case: the whole frame is in the buffer */
                *frame = rx->in + rx->pos;
                *len = l;
                rx->pos += l;
                rx->in_frame = false;
                return 1;
            }
        }
        size_t want = rx->len - rx->got;
        size_t n = avail < want ? avail : want;
        memcpy(rx->frame + rx->got, rx->in + rx->pos, n);
        rx->got += (uint32_t)n;
        rx->pos += n;
        if (rx->got < rx->len)
            return 0;
        rx->in_frame = false;
        *frame = rx->frame;
        *len = rx->len;
        return 1;
    }
}

bool frame_rx_truncated(struct frame_rx *rx)
{
    /* A frame being skipped was counted when its header arrived. */
    bool cut = rx->hdr_got || (rx->in_frame && !rx->skip);
    if (cut)
        rx->bad++;
    rx->hdr_got = 0;
    rx->in_frame = false;
    rx->skip = 0;
    rx->pos = rx->end = 0;
    return cut;
}

/* ---- Output ---- */

struct frame_buf {
    struct frame_buf *next;
    size_t len; /* header included */
    uint8_t data[];
};

void frame_txq_init(struct frame_txq *q, unsigned max_count, size_t max_bytes)
{
    memset(q, 0, sizeof(*q));
    q->max_count = max_count;
    q->max_bytes = max_bytes;
}

void frame_txq_free(struct frame_txq *q)
{
    while (q->head) {
        struct frame_buf *b = q->head;
        q->head = b->next;
        free(b);
    }
    q->tail = NULL;
    q->count = 0;
    q->bytes = 0;
    q->off = 0;
}

static bool gone(int e)
{
    return e != EAGAIN && e != EWOULDBLOCK && e != EINTR;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int frame_txq_send(struct frame_txq *q, int fd, const uint8_t *frame, size_t len)
{
    uint8_t hdr[FRAME_HDR];
    put_be32(hdr, (uint32_t)len);
    size_t done = 0;
    if (!q->head) { /* nothing waiting: try to write it at once */
        struct iovec iov[2] = {{hdr, FRAME_HDR}, {(void *)frame, len}};
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
        ssize_t n;
        do
            n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0 && gone(errno))
            return -ERR_IO;
        if (n > 0)
            done = (size_t)n;
        if (done == FRAME_HDR + len)
            return 0;
    } else if (q->count >= q->max_count || q->bytes + FRAME_HDR + len > q->max_bytes) {
        q->dropped++;
        return -ERR_RANGE;
    }
    /* A frame begun on the wire must be finished, or the stream loses step: its rest is
     * queued even past the limits. */
    struct frame_buf *b = xmalloc(sizeof(*b) + FRAME_HDR + len);
    b->next = NULL;
    b->len = FRAME_HDR + len;
    memcpy(b->data, hdr, FRAME_HDR);
    memcpy(b->data + FRAME_HDR, frame, len);
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    if (q->head == b)
        q->off = done;
    q->count++;
    q->bytes += b->len;
    return 0;
}

int frame_txq_flush(struct frame_txq *q, int fd)
{
    while (q->head) {
        struct iovec iov[16];
        int n = 0;
        size_t off = q->off;
        for (struct frame_buf *b = q->head; b && n < 16; b = b->next) {
            iov[n++] = (struct iovec){b->data + off, b->len - off};
            off = 0;
        }
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w;
        do
            w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (w < 0 && errno == EINTR);
        if (w < 0)
            return gone(errno) ? -ERR_IO : 1;
        size_t left = (size_t)w;
        while (left && q->head) {
            struct frame_buf *b = q->head;
            size_t rest = b->len - q->off;
            if (left < rest) {
                q->off += left;
                break;
            }
            left -= rest;
            q->head = b->next;
            if (!q->head)
                q->tail = NULL;
            q->off = 0;
            q->count--;
            q->bytes -= b->len;
            free(b);
        }
    }
    return 0;
}

/* ---- Sockets ---- */

PRINTF(3, 4) static int sock_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -ERR_INVAL;
}

void netsock_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int unix_addr(const char *path, struct sockaddr_un *sa, char *err, size_t errlen)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (!path || !*path || strlen(path) >= sizeof(sa->sun_path))
        return sock_fail(err, errlen, "bad unix socket path '%s'", path ? path : "");
    strcpy(sa->sun_path, path);
    return 0;
}

int netsock_listen_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    if (unix_addr(path, &sa, err, errlen))
        return -ERR_INVAL;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return sock_fail(err, errlen, "socket: %s", strerror(errno));
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
        int e = errno;
        close(fd);
        return sock_fail(err, errlen, "cannot listen on %s: %s", path, strerror(e));
    }
    netsock_nonblock(fd);
    return fd;
}

int netsock_connect_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    if (unix_addr(path, &sa, err, errlen))
        return -ERR_INVAL;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return sock_fail(err, errlen, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        int e = errno;
        close(fd);
        return sock_fail(err, errlen, "cannot connect to %s: %s", path, strerror(e));
    }
    netsock_nonblock(fd);
    return fd;
}

static int inet_socket(const char *host, const char *port, bool listening, char *err,
                       size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = listening ? AI_PASSIVE : 0};
    struct addrinfo *res;
    int rc = getaddrinfo(host && *host ? host : NULL, port, &hints, &res);
    if (rc)
        return sock_fail(err, errlen, "cannot resolve '%s:%s': %s", host ? host : "", port,
                         gai_strerror(rc));
    int fd = -1, e = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        bool bad;
        if (listening) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            bad = bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 16);
        } else {
            bad = connect(fd, a->ai_addr, a->ai_addrlen) != 0;
        }
        if (bad) {
            e = errno;
            close(fd);
            fd = -1;
        } else {
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return sock_fail(err, errlen, "cannot %s %s:%s: %s", listening ? "listen on" : "connect to",
                         host ? host : "", port, strerror(e));
    netsock_nonblock(fd);
    return fd;
}

int netsock_listen_inet(const char *host, const char *port, char *err, size_t errlen)
{
    return inet_socket(host, port, true, err, errlen);
}

int netsock_connect_inet(const char *host, const char *port, char *err, size_t errlen)
{
    return inet_socket(host, port, false, err, errlen);
}

int netsock_accept(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return -1;
    netsock_nonblock(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails harmlessly on unix */
    return fd;
}
