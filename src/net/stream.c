/* The netdevs that carry frames over a stream socket with QEMU's framing (frame.h):
 *   -netdev stream,id=ID,server=on|off,addr.type=unix|inet,addr.path=P|addr.host=H,addr.port=N
 *   -netdev socket,id=ID,listen=[HOST]:PORT | connect=HOST:PORT   (TCP, as QEMU's)
 *   -netdev switch,id=ID,path=P   (visor's shorthand: a stream client of `visor switch P`)
 * so the peer may be a QEMU VM, another visor VM or a visor switch. A server takes one peer at
 * a time and waits for the next when it leaves; a client that loses its peer stays
 * unplugged (QEMU 7.2 does not reconnect either). While unplugged, frames from the guest are
 * dropped and counted.
 *
 * Flow control: when the guest has no receive buffer, the frame is held and the socket is not
 * read until the NIC calls netdev_rx_ready, so TCP's own flow control slows the sender
 * instead of frames being lost. Output never blocks the VM: a bounded queue, then drops. */
#include "frame.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STREAM_QUEUE_FRAMES 256
#define STREAM_QUEUE_BYTES (1u << 20)

struct stream {
    struct netdev *nd;
    int lfd, fd;
    short events;      /* what fd is registered for; -1: not registered */
    bool started;
    bool hup;          /* the peer hung up while a frame was held: poll would only spin */
    struct frame_rx rx;
    uint64_t bad_seen; /* rx.bad already added to the netdev's drops */
    struct frame_txq txq;
    uint8_t *hold;     /* a frame the guest could not take yet */
    size_t hold_len;
};

static void on_data(void *ctx, int fd, short revents);
static void on_listen(void *ctx, int fd, short revents);

/* Registers fd for what it needs now: input unless a frame is held, output while queued. */
static void update_events(struct stream *s)
{
    if (!s->started || s->fd < 0)
        return;
    short want = (short)((s->hold ? 0 : POLLIN) | (frame_txq_empty(&s->txq) ? 0 : POLLOUT));
    bool off = s->hold && s->hup && !want; /* rx_ready brings it back, to read the end */
    if (want == s->events && !off)
        return;
    if (s->events != -1)
        s->nd->env.remove_fd(s->nd->env.loop, s->fd);
    s->events = -1;
    if (off)
        return;
    if (s->nd->env.add_fd(s->nd->env.loop, s->fd, want, on_data, s) == 0)
        s->events = want;
    else
        warn("-netdev %s,id=%s: too many descriptors for the event loop", s->nd->ops->type,
             s->nd->id);
}

static void count_bad(struct stream *s)
{
    s->nd->stats.dropped += s->rx.bad - s->bad_seen;
    s->bad_seen = s->rx.bad;
}

static void disconnect(struct stream *s)
{
    if (s->fd < 0)
        return;
    if (s->events != -1 && s->started)
        s->nd->env.remove_fd(s->nd->env.loop, s->fd);
    s->events = -1;
    close(s->fd);
    s->fd = -1;
    s->hup = false;
    frame_rx_truncated(&s->rx);
    count_bad(s);
    s->nd->stats.dropped += s->txq.count;
    frame_txq_free(&s->txq);
    free(s->hold);
    s->hold = NULL;
}

static void attach_peer(struct stream *s, int fd)
{
    s->fd = fd;
    s->events = -1;
    update_events(s);
}

/* Hands frames to the guest until it is full (a frame is then held) or input runs out. */
static void deliver_pending(struct stream *s)
{
    struct netdev *nd = s->nd;
    if (s->hold) {
        if (!netdev_deliver(nd, s->hold, s->hold_len))
            return;
        free(s->hold);
        s->hold = NULL;
    }
    const uint8_t *frame;
    size_t len;
    int rc;
    while ((rc = frame_rx_next(&s->rx, &frame, &len)) > 0) {
        if (!nd->nic.rx) {
            nd->stats.dropped++; /* no NIC: nobody to hold it for */
            continue;
        }
        if (!netdev_deliver(nd, frame, len)) {
            s->hold = xmalloc(len);
            memcpy(s->hold, frame, len);
            s->hold_len = len;
            break;
        }
    }
    count_bad(s);
    if (rc < 0) {
        warn("-netdev %s,id=%s: the peer sent garbage; disconnected", nd->ops->type, nd->id);
        disconnect(s);
    }
}

static void on_data(void *ctx, int fd, short revents)
{
    struct stream *s = ctx;
    if ((revents & POLLOUT) && frame_txq_flush(&s->txq, s->fd) < 0) {
        disconnect(s);
        return;
    }
    if ((revents & (POLLHUP | POLLERR)) && s->hold)
        s->hup = true;
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !s->hold) {
        /* One read per wake-up: the harts get their turn between reads. */
        ssize_t n = frame_rx_read(&s->rx, s->fd);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            disconnect(s);
            return;
        }
        deliver_pending(s);
    }
    update_events(s);
}

static void on_listen(void *ctx, int fd, short revents)
{
    struct stream *s = ctx;
    int c;
    while ((c = netsock_accept(s->lfd)) >= 0) {
        if (s->fd >= 0) { /* one peer at a time, as QEMU */
            close(c);
            continue;
        }
        attach_peer(s, c);
    }
}

static int stream_start(struct netdev *nd)
{
    struct stream *s = nd->state;
    s->started = true;
    if (s->lfd >= 0 && nd->env.add_fd(nd->env.loop, s->lfd, POLLIN, on_listen, s))
        return -ERR_RANGE;
    s->events = -1;
    update_events(s);
    return 0;
}

static int stream_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
    struct stream *s = nd->state;
    if (s->fd < 0)
        return -ERR_IO; /* unplugged */
    int rc = frame_txq_send(&s->txq, s->fd, frame, len);
    if (rc == -ERR_IO) {
        disconnect(s);
        return rc;
    }
    update_events(s);
    return rc;
}

static void stream_rx_ready(struct netdev *nd)
{
    struct stream *s = nd->state;
    if (!s->hold || s->fd < 0)
        return;
    deliver_pending(s);
    update_events(s);
}

static void stream_close(struct netdev *nd)
{
    struct stream *s = nd->state;
    if (!s)
        return;
    disconnect(s);
    if (s->lfd >= 0) {
        if (s->started)
            nd->env.remove_fd(nd->env.loop, s->lfd);
        close(s->lfd);
    }
    frame_rx_free(&s->rx);
    free(s);
    nd->state = NULL;
}

static const struct netdev_ops stream_ops = {"stream", stream_start, stream_send, stream_rx_ready,
                                             stream_close};
static const struct netdev_ops socket_ops = {"socket", stream_start, stream_send, stream_rx_ready,
                                             stream_close};
static const struct netdev_ops switch_ops = {"switch", stream_start, stream_send, stream_rx_ready,
                                             stream_close};

/* ---- Options ---- */

struct stream_addr {
    bool server, inet;
    const char *path, *host, *port;
};

/* Listens or connects as a asks; on success the netdev is a stream netdev with ops. */
static int stream_create(struct netdev *nd, const struct netdev_ops *ops, const struct stream_addr *a,
                         const char *what, char *err)
{
    char why[256];
    int fd;
    if (a->inet)
        fd = a->server ? netsock_listen_inet(a->host, a->port, why, sizeof(why))
                       : netsock_connect_inet(a->host, a->port, why, sizeof(why));
    else
        fd = a->server ? netsock_listen_unix(a->path, why, sizeof(why))
                       : netsock_connect_unix(a->path, why, sizeof(why));
    if (fd < 0) {
        snprintf(err, NET_ERRLEN, "-netdev %s,id=%s: %s", what, nd->id, why);
        return -ERR_INVAL;
    }
    struct stream *s = xcalloc(1, sizeof(*s));
    s->nd = nd;
    s->lfd = a->server ? fd : -1;
    s->fd = a->server ? -1 : fd;
    s->events = -1;
    frame_rx_init(&s->rx);
    frame_txq_init(&s->txq, STREAM_QUEUE_FRAMES, STREAM_QUEUE_BYTES);
    nd->ops = ops;
    nd->state = s;
    return 0;
}

static int bad_opt(struct netdev *nd, const char *type, const struct net_opt *o, char *err)
{
    snprintf(err, NET_ERRLEN, "-netdev %s,id=%s: unsupported property '%s'", type, nd->id, o->key);
    return -ERR_INVAL;
}

static int parse_onoff(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
        *out = false;
        return 0;
    }
    return -ERR_INVAL;
}

int net_stream_open(struct netdev *nd, const struct net_opt *opts, unsigned n, char *err)
{
    struct stream_addr a = {0};
    const char *type = NULL;
    for (unsigned i = 0; i < n; i++) {
        const struct net_opt *o = &opts[i];
        if (!strcmp(o->key, "server")) {
            if (parse_onoff(o->val, &a.server)) {
                snprintf(err, NET_ERRLEN, "-netdev stream,id=%s: server=%s: expected on or off",
                         nd->id, o->val);
                return -ERR_INVAL;
            }
        } else if (!strcmp(o->key, "addr.type")) {
            type = o->val;
        } else if (!strcmp(o->key, "addr.path")) {
            a.path = o->val;
        } else if (!strcmp(o->key, "addr.host")) {
            a.host = o->val;
        } else if (!strcmp(o->key, "addr.port")) {
            a.port = o->val;
        } else if (!strcmp(o->key, "addr.numeric") || !strcmp(o->key, "addr.ipv4") ||
                   !strcmp(o->key, "addr.ipv6")) {
            /* name resolution hints: getaddrinfo picks a working family anyway */
        } else {
            return bad_opt(nd, "stream", o, err);
        }
    }
    if (!type) {
        snprintf(err, NET_ERRLEN, "-netdev stream,id=%s: needs addr.type=unix or addr.type=inet",
                 nd->id);
        return -ERR_INVAL;
    }
    if (!strcmp(type, "unix")) {
        if (!a.path || a.host || a.port) {
            snprintf(err, NET_ERRLEN, "-netdev stream,id=%s: addr.type=unix takes addr.path=PATH",
                     nd->id);
            return -ERR_INVAL;
        }
    } else if (!strcmp(type, "inet")) {
        if (!a.port || a.path) {
            snprintf(err, NET_ERRLEN,
                     "-netdev stream,id=%s: addr.type=inet takes addr.host=HOST,addr.port=PORT",
                     nd->id);
            return -ERR_INVAL;
        }
        a.inet = true;
    } else {
        snprintf(err, NET_ERRLEN,
                 "-netdev stream,id=%s: addr.type=%s is not supported (unix or inet)", nd->id, type);
        return -ERR_INVAL;
    }
    return stream_create(nd, &stream_ops, &a, "stream", err);
}

/* "[HOST]:PORT" into host and port (host may be empty: any address / localhost). */
static int split_host_port(const char *s, char *host, size_t hcap, const char **port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || !colon[1] || (size_t)(colon - s) >= hcap)
        return -ERR_INVAL;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') { /* [::1] */
        h++;
        hl -= 2;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = colon + 1;
    return 0;
}

int net_socket_open(struct netdev *nd, const struct net_opt *opts, unsigned n, char *err)
{
    const char *listen_at = NULL, *connect_to = NULL;
    for (unsigned i = 0; i < n; i++) {
        const struct net_opt *o = &opts[i];
        if (!strcmp(o->key, "listen"))
            listen_at = o->val;
        else if (!strcmp(o->key, "connect"))
            connect_to = o->val;
        else if (!strcmp(o->key, "mcast") || !strcmp(o->key, "udp") || !strcmp(o->key, "fd") ||
                 !strcmp(o->key, "localaddr")) {
            snprintf(err, NET_ERRLEN,
                     "-netdev socket,id=%s: %s= is not supported (visor has listen= and connect=)",
                     nd->id, o->key);
            return -ERR_INVAL;
        } else {
            return bad_opt(nd, "socket", o, err);
        }
    }
    if (!listen_at == !connect_to) {
        snprintf(err, NET_ERRLEN,
                 "-netdev socket,id=%s: give one of listen=[HOST]:PORT or connect=HOST:PORT",
                 nd->id);
        return -ERR_INVAL;
    }
    char host[256];
    struct stream_addr a = {.server = listen_at != NULL, .inet = true, .host = host};
    if (split_host_port(listen_at ? listen_at : connect_to, host, sizeof(host), &a.port)) {
        snprintf(err, NET_ERRLEN, "-netdev socket,id=%s: %s: expected [HOST]:PORT", nd->id,
                 listen_at ? listen_at : connect_to);
        return -ERR_INVAL;
    }
    if (!a.server && !host[0])
        strcpy(host, "localhost");
    return stream_create(nd, &socket_ops, &a, "socket", err);
}

int net_switch_open(struct netdev *nd, const struct net_opt *opts, unsigned n, char *err)
{
    struct stream_addr a = {0};
    for (unsigned i = 0; i < n; i++) {
        if (!strcmp(opts[i].key, "path"))
            a.path = opts[i].val;
        else
            return bad_opt(nd, "switch", &opts[i], err);
    }
    if (!a.path) {
        snprintf(err, NET_ERRLEN, "-netdev switch,id=%s: needs path=PATH (of `visor switch PATH`)",
                 nd->id);
        return -ERR_INVAL;
    }
    return stream_create(nd, &switch_ops, &a, "switch", err);
}
