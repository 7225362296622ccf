/* virtio-net (virtio 1.x "Network Device"): queue 0 receives, queue 1 transmits; features
 * MAC, STATUS (the link is always up) and MRG_RXBUF. Every frame in either direction carries
 * a struct virtio_net_hdr in front: 12 bytes (num_buffers included) with VERSION_1 or
 * MRG_RXBUF, 10 on a legacy device without MRG_RXBUF. No checksum or segmentation offload is
 * offered, so the header the device writes is all zeros but num_buffers, and the one it reads
 * is ignored.
 *
 * Transmit runs inside the guest's notify: each chain is copied out whole, returned, then
 * handed to the netdev. Receive runs when the backend delivers a frame (netdev_nic.rx): with
 * MRG_RXBUF the frame may span several chains, popped until it fits; if the ring runs dry
 * first, the chains are given back untouched (last_avail rewound: the driver cannot see
 * buffers the device has not marked used) and the frame is refused. A backend may deliver
 * from inside our own transmit (slirp answers ARP synchronously), when this thread already
 * holds the device lock: in_notify says so. A chain without room for the header is a device
 * error; a frame that is too large or too short is dropped and counted. */
#include "virtio_priv.h"

#include "../../net/net.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

enum { QUEUE_RX = 0, QUEUE_TX = 1 };

#define HDR_LEN 12        /* flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers */
#define HDR_LEN_LEGACY 10 /* without num_buffers */
#define HDR_NUM_BUFFERS 10

/* Configuration space: mac[6], le16 status. */
#define CFG_MAC 0
#define CFG_STATUS 6
#define CFG_LEN 8

struct virtio_net {
    struct virtio_dev vdev; /* first: the transport casts between the two */
    struct netdev *nd;      /* NULL: not connected; frames the guest sends are dropped */
    bool in_notify;         /* this thread holds the lock inside our notify */
    struct virtio_net_stats stats;
    struct virtq_elem *rx_first; /* the first chain of a merged receive */
    struct virtq_elem *rx_elem;  /* the others */
    uint8_t tx[HDR_LEN + NET_MAX_FRAME];
};

static struct virtio_net *to_net(struct virtio_dev *d)
{
    return (struct virtio_net *)d;
}

static bool negotiated(const struct virtio_dev *d, unsigned bit)
{
    return d->driver_features >> bit & 1;
}

static size_t hdr_len(const struct virtio_dev *d)
{
    return negotiated(d, VIRTIO_F_VERSION_1) || negotiated(d, VIRTIO_NET_F_MRG_RXBUF)
               ? HDR_LEN
               : HDR_LEN_LEGACY;
}

/* ---- transmit ---- */

static void net_tx(struct virtio_dev *d)
{
    struct virtio_net *n = to_net(d);
    struct virtq *q = virtio_active_queue(d, QUEUE_TX);
    if (!q)
        return;
    size_t hl = hdr_len(d);
    uint16_t old = q->used_idx;
    const char *why = NULL;
    int rc;
    struct virtq_elem *e = d->elem;
    while ((rc = virtq_pop(q, d->bus, e, &why)) > 0) {
        if (e->out_len < hl) {
            why = "transmit chain shorter than the virtio-net header";
            rc = -ERR_FORMAT;
            break;
        }
        uint64_t flen = e->out_len - hl;
        bool ok = flen >= 14 && flen <= NET_MAX_FRAME;
        if (ok && virtq_copy_out(e, hl, n->tx, (size_t)flen) != flen)
            ok = false;
        d->stats.chains++;
        virtq_push(q, e->head, 0);
        if (!ok) {
            n->stats.tx_dropped++;
            continue;
        }
        n->stats.tx_frames++;
        n->stats.tx_bytes += flen;
        if (!n->nd || netdev_send(n->nd, n->tx, (size_t)flen))
            n->stats.tx_dropped++;
        /* A backend answering synchronously may have broken the device (rx error). */
        if (d->broken)
            break;
    }
    if (rc < 0)
        virtio_device_error(d, why);
    virtio_queue_interrupt(d, q, old);
}

/* ---- receive ---- */

/* Places one frame into the receive ring. true: placed, or dropped for good (too big for
 * any buffers, a device error); false: no room now. Lock held. */
static bool net_rx_locked(struct virtio_net *n, const uint8_t *frame, size_t len)
{
    struct virtio_dev *d = &n->vdev;
    struct virtq *q = virtio_active_queue(d, QUEUE_RX);
    if (!q) {
        n->stats.rx_dropped++;
        return true; /* no driver: the link behaves as if nobody listens */
    }
    size_t hl = hdr_len(d);
    bool mrg = negotiated(d, VIRTIO_NET_F_MRG_RXBUF);
    uint8_t hdr[HDR_LEN] = {0};
    uint16_t start = q->last_avail, old = q->used_idx;
    const char *why = NULL;
    uint16_t heads[VIRTIO_QUEUE_MAX];
    uint32_t lens[VIRTIO_QUEUE_MAX];
    unsigned nbufs = 0;
    size_t done = 0; /* frame bytes placed */
    while (done < len || nbufs == 0) {
        struct virtq_elem *e = nbufs ? n->rx_elem : n->rx_first;
        int rc = nbufs < VIRTIO_QUEUE_MAX ? virtq_pop(q, d->bus, e, &why) : 0;
        if (rc < 0) {
            virtio_device_error(d, why);
            n->stats.rx_dropped++;
            return true;
        }
        if (rc == 0) {
            q->last_avail = start; /* give the chains back */
            return false;
        }
        size_t room = (size_t)e->in_len, off = 0;
        if (nbufs == 0) {
            if (room < hl) {
                virtio_device_error(d, "receive buffer shorter than the virtio-net header");
                n->stats.rx_dropped++;
                return true;
            }
            off = hl;
            if (!mrg && room - hl < len) {
                q->last_avail = start; /* this buffer is fine; the frame is not */
                n->stats.rx_dropped++;
                return true;
            }
        }
        size_t k = len - done < room - off ? len - done : room - off;
        virtq_copy_in(e, off, frame + done, k);
        done += k;
        heads[nbufs] = e->head;
        lens[nbufs] = (uint32_t)(off + k);
        nbufs++;
        if (!mrg)
            break;
    }
    put_le16(hdr + HDR_NUM_BUFFERS, (uint16_t)nbufs);
    virtq_copy_in(n->rx_first, 0, hdr, hl);
    for (unsigned i = 0; i < nbufs; i++) {
        d->stats.chains++;
        virtq_push(q, heads[i], lens[i]);
    }
    n->stats.rx_frames++;
    n->stats.rx_bytes += len;
    virtio_queue_interrupt(d, q, old);
    return true;
}

static bool net_rx(void *ctx, const uint8_t *frame, size_t len)
{
    struct virtio_net *n = ctx;
    if (n->in_notify)
        return net_rx_locked(n, frame, len);
    pthread_mutex_lock(&n->vdev.lock);
    n->in_notify = true;
    bool ok = net_rx_locked(n, frame, len);
    n->in_notify = false;
    pthread_mutex_unlock(&n->vdev.lock);
    return ok;
}

static void net_notify(struct virtio_dev *d, unsigned qidx)
{
    struct virtio_net *n = to_net(d);
    bool nested = n->in_notify;
    n->in_notify = true;
    if (qidx == QUEUE_TX)
        net_tx(d);
    else if (qidx == QUEUE_RX && n->nd && virtio_active_queue(d, QUEUE_RX))
        netdev_rx_ready(n->nd); /* buffers posted: a backend holding frames may retry */
    n->in_notify = nested;
}

static void net_free(struct virtio_dev *d)
{
    struct virtio_net *n = to_net(d);
    free(n->rx_first);
    free(n->rx_elem);
}

/* The device section holds nothing: the MAC comes from the command line, the link is up. */
static void net_save(const struct virtio_dev *d, struct dev_writer *w)
{
    (void)d;
    (void)w;
}

static bool net_restore(struct virtio_dev *d, struct dev_reader *r)
{
    (void)d;
    return dev_get_end(r);
}

static int net_describe(const struct virtio_dev *d, char *buf, size_t size)
{
    const struct virtio_net *n = (const struct virtio_net *)d;
    const uint8_t *m = d->config + CFG_MAC;
    return snprintf(buf, size,
                    "mac %02x:%02x:%02x:%02x:%02x:%02x netdev %s; tx %" PRIu64 " frames %" PRIu64
                    " bytes %" PRIu64 " dropped; rx %" PRIu64 " frames %" PRIu64
                    " bytes %" PRIu64 " dropped\n",
                    m[0], m[1], m[2], m[3], m[4], m[5], n->nd ? n->nd->id : "(none)",
                    n->stats.tx_frames, n->stats.tx_bytes, n->stats.tx_dropped,
                    n->stats.rx_frames, n->stats.rx_bytes, n->stats.rx_dropped);
}

static const struct virtio_dev_type net_type = {
    .name = "net",
    .id = VIRTIO_ID_NET,
    .nqueues = 2,
    .save_tag = "VNET",
    .save_version = 1,
    .notify = net_notify,
    .save = net_save,
    .restore = net_restore,
    .free = net_free,
    .describe = net_describe,
};

struct virtio_dev *virtio_net_new(struct bus *bus, struct irq_line irq, bool legacy,
                                  const uint8_t mac[6], struct netdev *nd)
{
    struct virtio_net *n = xcalloc(1, sizeof(*n));
    n->nd = nd;
    n->rx_first = xmalloc(sizeof(*n->rx_first));
    n->rx_elem = xmalloc(sizeof(*n->rx_elem));
    uint64_t features =
        1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS | 1ull << VIRTIO_NET_F_MRG_RXBUF;
    virtio_dev_init(&n->vdev, &net_type, bus, irq, legacy, features);
    n->vdev.config_len = CFG_LEN;
    memcpy(n->vdev.config + CFG_MAC, mac, 6);
    put_le16(n->vdev.config + CFG_STATUS, VIRTIO_NET_S_LINK_UP);
    if (nd)
        netdev_attach(nd, &(struct netdev_nic){.rx = net_rx, .nic = n});
    return &n->vdev;
}

void virtio_net_get_stats(const struct virtio_dev *d, struct virtio_net_stats *s)
{
    memset(s, 0, sizeof(*s));
    if (d->type == &net_type)
        *s = ((const struct virtio_net *)d)->stats;
}
