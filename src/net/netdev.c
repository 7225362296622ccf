/* The frame path shared by every backend: size checks, counters and filters sit here so a
 * backend only moves bytes. */
#include "net.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool frame_ok(size_t len)
{
    return len >= 14 && len <= NET_MAX_FRAME;
}

static void run_filters(struct netdev *nd, bool out, const uint8_t *frame, size_t len)
{
    for (struct netdev_filter *f = nd->filters; f; f = f->next)
        f->frame(f->ctx, out, frame, len);
}

void netdev_attach(struct netdev *nd, const struct netdev_nic *nic)
{
    nd->nic = *nic;
}

int netdev_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
    if (!frame_ok(len)) {
        nd->stats.dropped++;
        return -ERR_RANGE;
    }
    run_filters(nd, true, frame, len);
    int rc = nd->ops->send(nd, frame, len);
    if (rc) {
        nd->stats.dropped++;
        return rc;
    }
    nd->stats.tx_frames++;
    nd->stats.tx_bytes += len;
    return 0;
}

void netdev_rx_ready(struct netdev *nd)
{
    if (nd->ops->rx_ready)
        nd->ops->rx_ready(nd);
}

bool netdev_deliver(struct netdev *nd, const uint8_t *frame, size_t len)
{
    if (!frame_ok(len) || !nd->nic.rx) {
        nd->stats.dropped++;
        return !frame_ok(len); /* a bad frame is consumed (dropped), not retried */
    }
    if (!nd->nic.rx(nd->nic.nic, frame, len))
        return false;
    run_filters(nd, false, frame, len);
    nd->stats.rx_frames++;
    nd->stats.rx_bytes += len;
    return true;
}

void netdev_add_filter(struct netdev *nd, struct netdev_filter *f)
{
    f->next = nd->filters;
    nd->filters = f;
}

void netdev_close(struct netdev *nd)
{
    if (!nd)
        return;
    struct netdev_filter *f = nd->filters;
    while (f) {
        struct netdev_filter *next = f->next;
        if (f->close)
            f->close(f->ctx);
        f = next;
    }
    nd->filters = NULL;
    if (nd->ops && nd->ops->close)
        nd->ops->close(nd);
}

/* ---- Creation by type ---- */

struct netdev_type {
    const char *name;
    netdev_open_fn *open;
    const char *synopsis;
};

static const struct netdev_type types[] = {
#define NETDEV_TYPE(name, open, synopsis) {name, open, synopsis},
#include "types.def"
#undef NETDEV_TYPE
};

static const struct netdev_type *find_type(const char *name)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

bool netdev_type_known(const char *type)
{
    return find_type(type) != NULL;
}

const char *netdev_type_synopsis(unsigned i)
{
    return i < sizeof(types) / sizeof(types[0]) ? types[i].synopsis : NULL;
}

int netdev_open(const char *type, const char *id, const struct net_opt *opts, unsigned n,
                struct netdev **out, char *err)
{
    const struct netdev_type *t = find_type(type);
    if (!t) {
        snprintf(err, NET_ERRLEN, "-netdev %s: unknown type", type);
        return -ERR_INVAL;
    }
    struct netdev *nd = xcalloc(1, sizeof(*nd));
    snprintf(nd->id, sizeof(nd->id), "%s", id);
    int rc = t->open(nd, opts, n, err);
    if (rc) {
        free(nd);
        return rc;
    }
    *out = nd;
    return 0;
}

int netdev_start(struct netdev *nd, const struct netdev_env *env, char *err)
{
    nd->env = *env;
    int rc = nd->ops->start ? nd->ops->start(nd) : 0;
    if (rc)
        snprintf(err, NET_ERRLEN, "-netdev %s,id=%s: cannot start: %s", nd->ops->type, nd->id,
                 err_str(rc));
    return rc;
}

void netdev_free(struct netdev *nd)
{
    if (!nd)
        return;
    netdev_close(nd);
    free(nd);
}

/* ---- MAC addresses ---- */

void net_mac_default(const char *name, const char *nic_id, uint8_t mac[6])
{
    static unsigned counter;
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64-bit */
    char buf[160];
    if (name) {
        snprintf(buf, sizeof(buf), "%s/%s", name, nic_id ? nic_id : "");
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(buf, sizeof(buf), "%ld/%lld/%ld/%u/%s", (long)getpid(), (long long)ts.tv_sec,
                 ts.tv_nsec, counter++, nic_id ? nic_id : "");
    }
    for (const char *p = buf; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    mac[0] = 0x52;
    mac[1] = 0x54;
    mac[2] = 0x00;
    mac[3] = (uint8_t)(h >> 16);
    mac[4] = (uint8_t)(h >> 8);
    mac[5] = (uint8_t)h;
}

int net_mac_parse(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char end;
    if (strlen(s) != 17 ||
        sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) !=
            6)
        return -ERR_INVAL;
    for (int i = 0; i < 6; i++) {
        if (!isxdigit((unsigned char)s[3 * i]) || !isxdigit((unsigned char)s[3 * i + 1]) ||
            (i < 5 && s[3 * i + 2] != ':'))
            return -ERR_INVAL;
        mac[i] = (uint8_t)v[i];
    }
    if (mac[0] & 1 || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
        return -ERR_INVAL;
    return 0;
}
