/* The frame path shared by every backend: size checks, counters and filters sit here so a
 * backend only moves bytes. */
#include "net.h"

#include <stdlib.h>

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
