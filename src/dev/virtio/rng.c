/* virtio-rng (virtio 1.x "Entropy Device"): one request queue of device-writable buffers,
 * each filled from the host's getrandom(). The device may fill less than a buffer (the used
 * length says how much), so one request is capped to keep a huge buffer from stalling the
 * hart; readable descriptors in a request carry nothing and are skipped. */
#include "virtio_priv.h"

#include <errno.h>
#include <sys/random.h>

#define RNG_REQUEST_MAX 65536 /* bytes supplied per request at most */

/* Fills p with n random bytes; returns how many it managed. */
static size_t host_random(uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = getrandom(p + done, n - done, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    return done;
}

static void rng_notify(struct virtio_dev *d, unsigned qidx)
{
    struct virtq *q = virtio_active_queue(d, qidx);
    if (!q)
        return;
    uint16_t old = q->used_idx;
    const char *why = NULL;
    int rc;
    struct virtq_elem *e = d->elem;
    while ((rc = virtq_pop(q, d->bus, e, &why)) > 0) {
        size_t budget = RNG_REQUEST_MAX, filled = 0;
        for (unsigned i = e->n_out; i < e->n_out + e->n_in && budget; i++) {
            size_t n = e->iov[i].len < budget ? e->iov[i].len : budget;
            size_t got = host_random(e->iov[i].base, n);
            filled += got;
            budget -= n;
            if (got < n)
                break;
        }
        d->stats.chains++;
        virtq_push(q, e->head, (uint32_t)filled);
    }
    if (rc < 0)
        virtio_device_error(d, why);
    virtio_queue_interrupt(d, q, old);
}

static const struct virtio_dev_type rng_type = {
    .name = "rng",
    .id = VIRTIO_ID_RNG,
    .nqueues = 1,
    .save_tag = "VRNG",
    .save_version = 1,
    .notify = rng_notify,
};

struct virtio_dev *virtio_rng_new(struct bus *bus, struct irq_line irq, bool legacy)
{
    struct virtio_dev *d = xcalloc(1, sizeof(*d));
    virtio_dev_init(d, &rng_type, bus, irq, legacy, 0);
    return d;
}
