/* virtio-console (virtio 1.x "Console Device") with a single port and no features: queue 0
 * receives (host input into buffers the guest posts), queue 1 transmits (to the out
 * callback). Host input is never dropped: it waits in a host-side queue, which grows, until
 * the guest posts receive buffers, and it survives a device reset and a snapshot. The out
 * callback runs with the device lock held (see virtio.h). */
#include "virtio_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { QUEUE_RX = 0, QUEUE_TX = 1 };
#define CFG_LEN 12 /* cols, rows, max_nr_ports, emerg_wr: all zero without features */

struct virtio_console {
    struct virtio_dev vdev; /* first: the transport casts between the two */
    void (*out)(void *ctx, const uint8_t *buf, size_t n);
    void *ctx;
    /* Host input not yet delivered: in[in_head .. in_len). */
    uint8_t *in;
    size_t in_head, in_len, in_cap;
};

static struct virtio_console *to_con(struct virtio_dev *d)
{
    return (struct virtio_console *)d;
}

/* Delivers queued input into as many posted receive buffers as it takes. */
static void fill_rx(struct virtio_dev *d)
{
    struct virtio_console *c = to_con(d);
    struct virtq *q = virtio_active_queue(d, QUEUE_RX);
    if (!q)
        return;
    uint16_t old = q->used_idx;
    const char *why = NULL;
    int rc = 0;
    while (c->in_head < c->in_len && (rc = virtq_pop(q, d->bus, d->elem, &why)) > 0) {
        size_t n = virtq_copy_in(d->elem, 0, c->in + c->in_head, c->in_len - c->in_head);
        c->in_head += n;
        d->stats.chains++;
        virtq_push(q, d->elem->head, (uint32_t)n);
    }
    if (c->in_head == c->in_len)
        c->in_head = c->in_len = 0;
    if (rc < 0)
        virtio_device_error(d, why);
    virtio_queue_interrupt(d, q, old);
}

static void drain_tx(struct virtio_dev *d)
{
    struct virtio_console *c = to_con(d);
    struct virtq *q = virtio_active_queue(d, QUEUE_TX);
    if (!q)
        return;
    uint16_t old = q->used_idx;
    const char *why = NULL;
    int rc;
    struct virtq_elem *e = d->elem;
    while ((rc = virtq_pop(q, d->bus, e, &why)) > 0) {
        for (unsigned i = 0; i < e->n_out; i++)
            if (c->out)
                c->out(c->ctx, e->iov[i].base, e->iov[i].len);
        d->stats.chains++;
        virtq_push(q, e->head, 0);
    }
    if (rc < 0)
        virtio_device_error(d, why);
    virtio_queue_interrupt(d, q, old);
}

static void console_notify(struct virtio_dev *d, unsigned qidx)
{
    if (qidx == QUEUE_RX)
        fill_rx(d);
    else
        drain_tx(d);
}

static void console_free(struct virtio_dev *d)
{
    free(to_con(d)->in);
}

/* Makes room for n more queued bytes: compacts first, grows (doubling) if still short. */
static void in_reserve(struct virtio_console *c, size_t n)
{
    size_t used = c->in_len - c->in_head;
    if (c->in_cap - c->in_len >= n)
        return;
    if (c->in_head && c->in_cap - used >= n) {
        memmove(c->in, c->in + c->in_head, used);
    } else {
        size_t cap = c->in_cap ? c->in_cap : 256;
        while (cap - used < n)
            cap *= 2;
        uint8_t *p = xmalloc(cap);
        if (used)
            memcpy(p, c->in + c->in_head, used);
        free(c->in);
        c->in = p;
        c->in_cap = cap;
    }
    c->in_head = 0;
    c->in_len = used;
}

/* Device section v1: queued input length (u64) and bytes. */
static void console_save(const struct virtio_dev *d, struct dev_writer *w)
{
    const struct virtio_console *c = (const struct virtio_console *)d;
    dev_put(w, c->in_len - c->in_head, 8);
    if (c->in)
        dev_put_bytes(w, c->in + c->in_head, c->in_len - c->in_head);
}

static bool console_restore(struct virtio_dev *d, struct dev_reader *r)
{
    struct virtio_console *c = to_con(d);
    uint64_t n = dev_get(r, 8);
    const uint8_t *p = n <= r->len ? dev_get_bytes(r, (size_t)n) : NULL;
    if (!p || !dev_get_end(r))
        return false;
    c->in_head = c->in_len = 0;
    in_reserve(c, (size_t)n);
    if (n)
        memcpy(c->in, p, (size_t)n);
    c->in_len = (size_t)n;
    return true;
}

static int console_describe(const struct virtio_dev *d, char *buf, size_t size)
{
    const struct virtio_console *c = (const struct virtio_console *)d;
    return snprintf(buf, size, "host input waiting: %zu bytes\n", c->in_len - c->in_head);
}

static const struct virtio_dev_type console_type = {
    .name = "console",
    .id = VIRTIO_ID_CONSOLE,
    .nqueues = 2,
    .save_tag = "VCON",
    .save_version = 1,
    .notify = console_notify,
    .save = console_save,
    .restore = console_restore,
    .free = console_free,
    .describe = console_describe,
};

struct virtio_dev *virtio_console_new(struct bus *bus, struct irq_line irq, bool legacy,
                                      void (*out)(void *ctx, const uint8_t *buf, size_t n),
                                      void *ctx)
{
    struct virtio_console *c = xcalloc(1, sizeof(*c));
    c->out = out;
    c->ctx = ctx;
    virtio_dev_init(&c->vdev, &console_type, bus, irq, legacy, 0);
    c->vdev.config_len = CFG_LEN;
    return &c->vdev;
}

void virtio_console_push_input(struct virtio_dev *d, const uint8_t *buf, size_t n)
{
    if (d->type != &console_type || !n)
        return;
    struct virtio_console *c = to_con(d);
    pthread_mutex_lock(&d->lock);
    in_reserve(c, n);
    memcpy(c->in + c->in_len, buf, n);
    c->in_len += n;
    fill_rx(d);
    pthread_mutex_unlock(&d->lock);
}

size_t virtio_console_pending_input(const struct virtio_dev *d)
{
    if (d->type != &console_type)
        return 0;
    struct virtio_dev *m = (struct virtio_dev *)d; /* the lock is not observable state */
    pthread_mutex_lock(&m->lock);
    const struct virtio_console *c = (const struct virtio_console *)d;
    size_t n = c->in_len - c->in_head;
    pthread_mutex_unlock(&m->lock);
    return n;
}
