/* -netdev tap,id=ID[,ifname=NAME][,script=no,downscript=no][,fd=N]: the NIC's frames go to a
 * host TAP interface (/dev/net/tun with IFF_TAP | IFF_NO_PI: one read or write is one
 * Ethernet frame), for users who bridge or route on the host. visor never runs ifup/ifdown
 * scripts: the interface is configured by whoever owns the host's network, before or after.
 * Input waits while the guest has no buffer (as in stream.c); output that the kernel will not
 * take at once is dropped and counted, as a full NIC queue would. */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Frames read per wake-up before the harts get their turn again. */
#define TAP_BURST 64

struct tap {
    struct netdev *nd;
    int fd;
    bool registered, started;
    char ifname[IFNAMSIZ];
    uint8_t *buf;      /* one frame; holds it while the guest has no room */
    size_t hold_len;   /* non-zero: buf holds a frame the guest has not taken */
};

static void on_read(void *ctx, int fd, short revents);

static void set_reading(struct tap *t, bool on)
{
    if (on == t->registered || !t->started)
        return;
    if (on) {
        if (t->nd->env.add_fd(t->nd->env.loop, t->fd, POLLIN, on_read, t))
            return;
    } else {
        t->nd->env.remove_fd(t->nd->env.loop, t->fd);
    }
    t->registered = on;
}

static void on_read(void *ctx, int fd, short revents)
{
    struct tap *t = ctx;
    for (int i = 0; i < TAP_BURST; i++) {
        ssize_t n = read(t->fd, t->buf, NET_MAX_FRAME + 1);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                warn("-netdev tap,id=%s: reading %s: %s", t->nd->id, t->ifname, strerror(errno));
                set_reading(t, false);
            }
            return;
        }
        if (n == 0)
            return;
        if (!t->nd->nic.rx || n > NET_MAX_FRAME) {
            t->nd->stats.dropped++;
            continue;
        }
        if (!netdev_deliver(t->nd, t->buf, (size_t)n)) {
            t->hold_len = (size_t)n;
            set_reading(t, false);
            return;
        }
    }
}

static int tap_start(struct netdev *nd)
{
    struct tap *t = nd->state;
    t->started = true;
    set_reading(t, true);
    return t->registered ? 0 : -ERR_RANGE;
}

static int tap_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
    struct tap *t = nd->state;
    ssize_t n;
    do
        n = write(t->fd, frame, len);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)len)
        return 0;
    return n < 0 && errno != EAGAIN ? -ERR_IO : -ERR_RANGE;
}

static void tap_rx_ready(struct netdev *nd)
{
    struct tap *t = nd->state;
    if (!t->hold_len)
        return;
    if (!netdev_deliver(nd, t->buf, t->hold_len))
        return;
    t->hold_len = 0;
    set_reading(t, true);
}

static void tap_close(struct netdev *nd)
{
    struct tap *t = nd->state;
    if (!t)
        return;
    set_reading(t, false);
    close(t->fd);
    free(t->buf);
    free(t);
    nd->state = NULL;
}

static const struct netdev_ops tap_ops = {"tap", tap_start, tap_send, tap_rx_ready, tap_close};

static bool no_script(const char *v)
{
    return !strcmp(v, "no") || !strcmp(v, "none") || !*v;
}

int net_tap_open(struct netdev *nd, const struct net_opt *opts, unsigned n, char *err)
{
    const char *ifname = "";
    int fd = -1;
    for (unsigned i = 0; i < n; i++) {
        const struct net_opt *o = &opts[i];
        if (!strcmp(o->key, "ifname")) {
            ifname = o->val;
        } else if (!strcmp(o->key, "script") || !strcmp(o->key, "downscript")) {
            if (!no_script(o->val)) {
                snprintf(err, NET_ERRLEN,
                         "-netdev tap,id=%s: %s=%s: visor runs no scripts; configure the "
                         "interface yourself and give %s=no",
                         nd->id, o->key, o->val, o->key);
                return -ERR_INVAL;
            }
        } else if (!strcmp(o->key, "fd")) {
            char *end;
            long v = strtol(o->val, &end, 10);
            if (*end || v < 0 || v > 65535 || fcntl((int)v, F_GETFD) < 0) {
                snprintf(err, NET_ERRLEN, "-netdev tap,id=%s: fd=%s: not an open descriptor",
                         nd->id, o->val);
                return -ERR_INVAL;
            }
            fd = (int)v;
        } else if ((!strcmp(o->key, "vhost") || !strcmp(o->key, "vnet_hdr")) &&
                   !strcmp(o->val, "off")) {
        } else {
            snprintf(err, NET_ERRLEN, "-netdev tap,id=%s: unsupported property '%s'", nd->id,
                     o->key);
            return -ERR_INVAL;
        }
    }
    if (strlen(ifname) >= IFNAMSIZ) {
        snprintf(err, NET_ERRLEN, "-netdev tap,id=%s: ifname=%s: longer than %d characters",
                 nd->id, ifname, IFNAMSIZ - 1);
        return -ERR_INVAL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    if (fd < 0) {
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            snprintf(err, NET_ERRLEN, "-netdev tap,id=%s: cannot open /dev/net/tun: %s", nd->id,
                     strerror(errno));
            return -ERR_INVAL;
        }
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        strcpy(ifr.ifr_name, ifname);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
            int e = errno;
            close(fd);
            snprintf(err, NET_ERRLEN, "-netdev tap,id=%s: cannot create the TAP interface%s%s: %s",
                     nd->id, *ifname ? " " : "", ifname, strerror(e));
            return -ERR_INVAL;
        }
    } else {
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "fd %d", fd);
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    struct tap *t = xcalloc(1, sizeof(*t));
    t->nd = nd;
    t->fd = fd;
    memcpy(t->ifname, ifr.ifr_name, IFNAMSIZ);
    t->ifname[IFNAMSIZ - 1] = '\0';
    t->buf = xmalloc(NET_MAX_FRAME + 1);
    nd->ops = &tap_ops;
    nd->state = t;
    return 0;
}
