/* -netdev user: user-mode NAT through libslirp, with QEMU's defaults (network 10.0.2.0/24,
 * gateway/host 10.0.2.2, DNS 10.0.2.3, DHCP leases from 10.0.2.15; IPv6 fec0::/64) and
 * hostfwd rules. Frames from the guest go straight into slirp_input; slirp's frames for the
 * guest come back through send_packet, on the VM's thread.
 *
 * libslirp owns a changing set of sockets it only reveals in slirp_pollfds_fill, so the
 * backend is a VM poll hook: before every poll it lets slirp fill entries and shorten the
 * timeout for its TCP timers and ours (slirp's timer_mod deadlines), after the poll it hands
 * the revents back (slirp_pollfds_poll) and fires the timers that are due. */
#include "net.h"

#include <arpa/inet.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_MAX_TIMERS 8

struct user_timer {
    bool used;
    bool armed;
    int64_t expire_ms;
    SlirpTimerId id;
    void *cb_opaque;
    SlirpTimerCb cb; /* the old-style timer_new; NULL with timer_new_opaque */
};

struct user {
    struct netdev *nd;
    Slirp *slirp;
    struct user_timer timers[USER_MAX_TIMERS];
    /* The entries of the poll in progress (valid between prepare and dispatch). */
    struct pollfd *pfd;
    unsigned npfd, maxpfd;
    uint64_t guest_errors;
    bool hooked;
};

/* ---- slirp's callbacks ---- */

static ssize_t user_send_packet(const void *buf, size_t len, void *opaque)
{
    struct user *u = opaque;
    /* Refused by the NIC (no buffer): dropped; TCP retransmits, the rest may be lost anyway.
     * (Without a NIC, netdev_deliver has counted it already.) */
    if (!netdev_deliver(u->nd, buf, len) && u->nd->nic.rx)
        u->nd->stats.dropped++;
    return (ssize_t)len;
}

static void user_guest_error(const char *msg, void *opaque)
{
    struct user *u = opaque;
    if (u->guest_errors++ < 10)
        warn("-netdev user,id=%s: %s", u->nd->id, msg);
}

static int64_t user_clock_ns(void *opaque)
{
    (void)opaque;
    return (int64_t)host_ns();
}

static struct user_timer *timer_slot(struct user *u)
{
    for (unsigned i = 0; i < USER_MAX_TIMERS; i++)
        if (!u->timers[i].used) {
            u->timers[i] = (struct user_timer){.used = true};
            return &u->timers[i];
        }
    warn("-netdev user,id=%s: out of timers", u->nd->id);
    return NULL;
}

static void *user_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct user_timer *t = timer_slot(opaque);
    if (t) {
        t->cb = cb;
        t->cb_opaque = cb_opaque;
    }
    return t;
}

static void *user_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    struct user_timer *t = timer_slot(opaque);
    if (t) {
        t->id = id;
        t->cb_opaque = cb_opaque;
    }
    return t;
}

static void user_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    if (timer)
        ((struct user_timer *)timer)->used = false;
}

static void user_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    struct user_timer *t = timer;
    if (!t)
        return;
    t->armed = true;
    t->expire_ms = expire_ms;
}

static void user_noop_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void user_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb user_callbacks = {
    .send_packet = user_send_packet,
    .guest_error = user_guest_error,
    .clock_get_ns = user_clock_ns,
    .timer_new = user_timer_new,
    .timer_free = user_timer_free,
    .timer_mod = user_timer_mod,
    .register_poll_fd = user_noop_fd,
    .unregister_poll_fd = user_noop_fd,
    .notify = user_notify,
    .timer_new_opaque = user_timer_new_opaque,
};

/* ---- the poll hook ---- */

static int user_add_poll(int fd, int events, void *opaque)
{
    struct user *u = opaque;
    if (u->npfd == u->maxpfd)
        return -1; /* no room this turn: the socket waits for the next poll */
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    u->pfd[u->npfd] = (struct pollfd){.fd = fd, .events = ev};
    return (int)u->npfd++;
}

static int user_get_revents(int idx, void *opaque)
{
    struct user *u = opaque;
    if (idx < 0 || (unsigned)idx >= u->npfd)
        return 0;
    short re = u->pfd[idx].revents;
    int r = 0;
    if (re & POLLIN)
        r |= SLIRP_POLL_IN;
    if (re & POLLOUT)
        r |= SLIRP_POLL_OUT;
    if (re & POLLPRI)
        r |= SLIRP_POLL_PRI;
    if (re & (POLLERR | POLLNVAL))
        r |= SLIRP_POLL_ERR;
    if (re & POLLHUP)
        r |= SLIRP_POLL_HUP;
    return r;
}

static unsigned user_prepare(void *ctx, struct pollfd *pfd, unsigned max, uint64_t *timeout_ns)
{
    struct user *u = ctx;
    u->pfd = pfd;
    u->npfd = 0;
    u->maxpfd = max;
    uint64_t ms = (*timeout_ns + 999999) / 1000000;
    uint32_t timeout = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
    slirp_pollfds_fill(u->slirp, &timeout, user_add_poll, u);
    int64_t now = (int64_t)(host_ns() / 1000000);
    for (unsigned i = 0; i < USER_MAX_TIMERS; i++) {
        const struct user_timer *t = &u->timers[i];
        if (t->used && t->armed) {
            int64_t left = t->expire_ms > now ? t->expire_ms - now : 0;
            if ((uint64_t)left < timeout)
                timeout = (uint32_t)left;
        }
    }
    if ((uint64_t)timeout * 1000000 < *timeout_ns)
        *timeout_ns = (uint64_t)timeout * 1000000;
    return u->npfd;
}

static void user_dispatch(void *ctx, struct pollfd *pfd, unsigned n)
{
    struct user *u = ctx;
    u->pfd = pfd;
    u->npfd = n;
    slirp_pollfds_poll(u->slirp, 0, user_get_revents, u);
    u->npfd = 0;
    int64_t now = (int64_t)(host_ns() / 1000000);
    for (unsigned i = 0; i < USER_MAX_TIMERS; i++) {
        struct user_timer *t = &u->timers[i];
        if (t->used && t->armed && t->expire_ms <= now) {
            t->armed = false;
            if (t->cb)
                t->cb(t->cb_opaque);
            else
                slirp_handle_timer(u->slirp, t->id, t->cb_opaque);
        }
    }
}

/* ---- netdev ops ---- */

static int user_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
    struct user *u = nd->state;
    slirp_input(u->slirp, frame, (int)len);
    return 0;
}

static int user_start(struct netdev *nd)
{
    struct user *u = nd->state;
    if (!nd->env.add_poll_hook)
        return -ERR_UNSUPPORTED;
    int rc = nd->env.add_poll_hook(nd->env.loop, user_prepare, user_dispatch, u);
    if (!rc)
        u->hooked = true;
    return rc;
}

static void user_close(struct netdev *nd)
{
    struct user *u = nd->state;
    if (!u)
        return;
    if (u->hooked && nd->env.remove_poll_hook)
        nd->env.remove_poll_hook(nd->env.loop, u);
    slirp_cleanup(u->slirp);
    free(u);
    nd->state = NULL;
}

static const struct netdev_ops user_ops = {
    .type = "user",
    .start = user_start,
    .send = user_send,
    .close = user_close,
};

/* ---- options ---- */

PRINTF(2, 3) static int user_fail(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = snprintf(err, NET_ERRLEN, "-netdev user: ");
    vsnprintf(err + k, NET_ERRLEN - (size_t)k, fmt, ap);
    va_end(ap);
    return -ERR_INVAL;
}

/* Cuts s at the first sep into dst (at most cap bytes); *s moves past it. -1 if absent. */
static int take_until(const char **s, char sep, char *dst, size_t cap)
{
    const char *e = strchr(*s, sep);
    if (!e || (size_t)(e - *s) >= cap)
        return -1;
    memcpy(dst, *s, (size_t)(e - *s));
    dst[e - *s] = '\0';
    *s = e + 1;
    return 0;
}

static int parse_port(const char *s, int *port)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}

/* A hostfwd rule: [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport. */
struct hostfwd {
    bool udp;
    struct in_addr host, guest; /* guest 0: the first DHCP address */
    int host_port, guest_port;
};

static int parse_hostfwd(const char *s, struct hostfwd *f)
{
    char proto[8], haddr[64], hport[16], gaddr[64];
    memset(f, 0, sizeof(*f));
    if (take_until(&s, ':', proto, sizeof(proto)) || take_until(&s, ':', haddr, sizeof(haddr)) ||
        take_until(&s, '-', hport, sizeof(hport)) || take_until(&s, ':', gaddr, sizeof(gaddr)))
        return -1;
    if (!strcmp(proto, "udp"))
        f->udp = true;
    else if (proto[0] && strcmp(proto, "tcp"))
        return -1;
    if (haddr[0] && !inet_aton(haddr, &f->host))
        return -1;
    if (gaddr[0] && !inet_aton(gaddr, &f->guest))
        return -1;
    if (parse_port(hport, &f->host_port) || parse_port(s, &f->guest_port))
        return -1;
    return 0;
}

static int parse_addr(const char *s, struct in_addr *a)
{
    return inet_aton(s, a) ? 0 : -1;
}

/* net=ADDR[/MASK], MASK a prefix length or a dotted mask. */
static int parse_net(const char *s, struct in_addr *net, struct in_addr *mask)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof(addr))
        return -1;
    memcpy(addr, s, n);
    addr[n] = '\0';
    if (!inet_aton(addr, net))
        return -1;
    if (!slash) {
        mask->s_addr = htonl(0xffffff00u);
    } else if (strchr(slash + 1, '.')) {
        if (!inet_aton(slash + 1, mask))
            return -1;
    } else {
        int bits;
        if (parse_port(slash + 1, &bits) || bits < 1 || bits > 30)
            return -1;
        mask->s_addr = htonl(~0u << (32 - bits));
    }
    net->s_addr &= mask->s_addr;
    return 0;
}

#define USER_MAX_HOSTFWD 16

int net_user_open(struct netdev *nd, const struct net_opt *opts, unsigned n, char *err)
{
    SlirpConfig cfg = {.version = 4, .in_enabled = true, .in6_enabled = true};
    struct hostfwd fwd[USER_MAX_HOSTFWD];
    unsigned nfwd = 0;
    bool host_set = false, dhcp_set = false, dns_set = false;
    cfg.vnetwork.s_addr = htonl(0x0a000200u);
    cfg.vnetmask.s_addr = htonl(0xffffff00u);
    for (unsigned i = 0; i < n; i++) {
        const char *k = opts[i].key, *v = opts[i].val;
        if (!strcmp(k, "net")) {
            if (parse_net(v, &cfg.vnetwork, &cfg.vnetmask))
                return user_fail(err, "net=%s: expected ADDR[/MASK]", v);
        } else if (!strcmp(k, "host")) {
            host_set = true;
            if (parse_addr(v, &cfg.vhost))
                return user_fail(err, "host=%s: not an IPv4 address", v);
        } else if (!strcmp(k, "dhcpstart")) {
            dhcp_set = true;
            if (parse_addr(v, &cfg.vdhcp_start))
                return user_fail(err, "dhcpstart=%s: not an IPv4 address", v);
        } else if (!strcmp(k, "dns")) {
            dns_set = true;
            if (parse_addr(v, &cfg.vnameserver))
                return user_fail(err, "dns=%s: not an IPv4 address", v);
        } else if (!strcmp(k, "hostfwd")) {
            if (nfwd == USER_MAX_HOSTFWD)
                return user_fail(err, "at most %d hostfwd rules", USER_MAX_HOSTFWD);
            if (parse_hostfwd(v, &fwd[nfwd]))
                return user_fail(err,
                                 "hostfwd=%s: expected tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:"
                                 "GUESTPORT",
                                 v);
            nfwd++;
        } else if (!strcmp(k, "restrict")) {
            if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
                cfg.restricted = 1;
            else if (strcmp(v, "off") && strcmp(v, "no") && strcmp(v, "false"))
                return user_fail(err, "restrict=%s: expected on or off", v);
        } else if (!strcmp(k, "ipv6")) {
            cfg.in6_enabled = !strcmp(v, "on");
        } else if (!strcmp(k, "ipv4")) {
            if (strcmp(v, "on"))
                return user_fail(err, "ipv4=%s: visor's user network always has IPv4", v);
        } else {
            return user_fail(err, "unsupported property '%s'", k);
        }
    }
    uint32_t base = ntohl(cfg.vnetwork.s_addr), mask = ntohl(cfg.vnetmask.s_addr);
    if (!host_set)
        cfg.vhost.s_addr = htonl(base | 2);
    if (!dhcp_set)
        cfg.vdhcp_start.s_addr = htonl(base | 15);
    if (!dns_set)
        cfg.vnameserver.s_addr = htonl(base | 3);
    const struct in_addr *inside[] = {&cfg.vhost, &cfg.vdhcp_start, &cfg.vnameserver};
    for (unsigned i = 0; i < 3; i++)
        if ((ntohl(inside[i]->s_addr) & mask) != base)
            return user_fail(err, "host, dhcpstart and dns must lie inside net=");
    inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
    cfg.vprefix_len = 64;
    inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
    inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);

    struct user *u = xcalloc(1, sizeof(*u));
    u->nd = nd;
    u->slirp = slirp_new(&cfg, &user_callbacks, u);
    if (!u->slirp) {
        free(u);
        return user_fail(err, "libslirp refused the configuration");
    }
    for (unsigned i = 0; i < nfwd; i++) {
        struct in_addr guest = fwd[i].guest.s_addr ? fwd[i].guest : cfg.vdhcp_start;
        if (slirp_add_hostfwd(u->slirp, fwd[i].udp, fwd[i].host, fwd[i].host_port, guest,
                              fwd[i].guest_port) < 0) {
            slirp_cleanup(u->slirp);
            free(u);
            return user_fail(err, "hostfwd: cannot listen on %s port %d (in use?)",
                             fwd[i].udp ? "UDP" : "TCP", fwd[i].host_port);
        }
    }
    nd->ops = &user_ops;
    nd->state = u;
    return 0;
}
