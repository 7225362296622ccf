/* Inside the virtio folder: the split virtqueue (queue.c), the transport state every device
 * embeds (mmio.c), and the table of operations a device type provides. Nothing outside
 * src/dev/virtio/ includes this file.
 *
 * Lifecycle of a queue, from the device's side:
 *   driver programs num + addresses, then QueueReady=1 (or QueuePFN, legacy)
 *     -> virtq_enable checks alignment and that all three areas lie in RAM, caches host
 *        pointers; a failure is a device error (DEVICE_NEEDS_RESET)
 *   driver writes QueueNotify -> the device type's notify() runs with the device lock held:
 *       while ((r = virtq_pop(q, e)) > 0) { ...use e->iov...; virtq_push(q, e->head, n); }
 *       if (r < 0) virtio_device_error(d, ...);       // malformed: stop, need reset
 *       virtio_queue_interrupt(d, q, old_used_idx);    // honours EVENT_IDX / NO_INTERRUPT
 *   status=0 -> every queue disabled and its indices zeroed.
 * Invariant: a ready queue's host pointers cover desc[num], the avail ring with used_event
 * and the used ring with avail_event, all inside RAM (RAM never moves or shrinks). Each
 * descriptor is copied out of guest memory once and only the copy is checked and used, so a
 * guest rewriting a descriptor behind the device's back cannot slip past the checks. */
#ifndef VISOR_VIRTIO_PRIV_H
#define VISOR_VIRTIO_PRIV_H

#include "../dev.h"
#include "virtio.h"

#include <pthread.h>

/* Tunables. VIRTIO_QUEUE_MAX is what QueueNumMax reports (QEMU's virtio-blk default);
 * VIRTQ_CHAIN_MAX bounds the buffers of one chain, indirect tables included (QEMU's
 * VIRTQUEUE_MAX_SIZE). A test build may shrink both with -D, e.g. -DVIRTIO_QUEUE_MAX=8;
 * the tests read QueueNumMax rather than assume it. */
#ifndef VIRTIO_QUEUE_MAX
#define VIRTIO_QUEUE_MAX 256
#endif
#ifndef VIRTQ_CHAIN_MAX
#define VIRTQ_CHAIN_MAX 1024
#endif
#define VIRTIO_MAX_QUEUES 2
#define VIRTIO_CONFIG_MAX 64
#define VIRTIO_VENDOR_QEMU 0x554d4551u

/* Feature bits (virtio 1.x "Reserved Feature Bits"). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* InterruptStatus bits. */
#define VIRTIO_ISR_USED 0x1
#define VIRTIO_ISR_CONFIG 0x2

/* Split-ring layout. */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_DESC_SIZE 16

struct virtq {
    /* Programmed by the driver. */
    uint16_t num;
    bool ready;
    uint64_t desc_pa, avail_pa, used_pa;
    uint32_t legacy_align, legacy_pfn;
    /* Set by virtq_enable from the negotiated features. */
    bool event_idx, indirect;
    /* Host views of the three areas; valid while ready. */
    uint8_t *desc, *avail, *used;
    /* Device-side progress: the next avail slot to read, the next used slot to write. */
    uint16_t last_avail, used_idx;
};

/* One buffer of a chain: host pointer into guest RAM, at most 4 GiB - 1. */
struct virtq_iov {
    uint8_t *base;
    uint32_t len;
};

/* A popped chain: n_out device-readable buffers, then n_in device-writable ones. */
struct virtq_elem {
    uint16_t head;
    unsigned n_out, n_in;
    uint64_t out_len, in_len; /* byte totals; their sum is below 2^32 */
    struct virtq_iov iov[VIRTQ_CHAIN_MAX];
};

/* ---- queue.c ---- */
/* Checks the programmed queue against RAM and caches host pointers. 0, or -ERR_INVAL with
 * *why set, leaving the queue not ready. */
MUST_CHECK int virtq_enable(struct virtq *q, struct bus *bus, uint16_t max, const char **why);
/* Forgets the queue's addresses' host views and zeroes its indices. */
void virtq_disable(struct virtq *q);
/* Forgets everything the driver programmed (device reset). */
void virtq_reset(struct virtq *q, uint16_t max);
/* The next available chain: 1 with *e filled, 0 if none (and, with EVENT_IDX, avail_event
 * re-armed so the driver notifies on its next buffer), or -ERR_FORMAT with *why set for a
 * malformed ring or chain. */
MUST_CHECK int virtq_pop(struct virtq *q, struct bus *bus, struct virtq_elem *e, const char **why);
/* Returns a chain to the driver with len bytes written into its writable buffers. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/* Whether the driver wants an interrupt for the entries pushed since used index old. */
bool virtq_need_interrupt(struct virtq *q, uint16_t old);
/* Copy between a chain and flat memory: from the readable part starting at byte off, or into
 * the writable part starting at byte off. Return the bytes copied (short at the end). */
size_t virtq_copy_out(const struct virtq_elem *e, uint64_t off, void *dst, size_t n);
size_t virtq_copy_in(const struct virtq_elem *e, uint64_t off, const void *src, size_t n);
void virtq_save(const struct virtq *q, struct dev_writer *w);
/* Reads one queue's saved state into *q (nothing else touched). */
void virtq_load(struct virtq *q, struct dev_reader *r);

/* ---- a device type ---- */
struct virtio_dev_type {
    const char *name;
    enum virtio_device_id id;
    unsigned nqueues;
    char save_tag[4];
    uint32_t save_version;
    /* All called with the device lock held. notify may be called for a queue that is not
     * ready (ignore it) and also when DRIVER_OK is set, to pick up early buffers. */
    void (*notify)(struct virtio_dev *d, unsigned qidx);
    void (*reset)(struct virtio_dev *d); /* optional */
    void (*config_write)(struct virtio_dev *d, unsigned off, unsigned size, uint32_t val);
    void (*save)(const struct virtio_dev *d, struct dev_writer *w);
    /* Parses the device section, which runs to the end of the image (check dev_get_end);
     * returns false on a malformed one, having changed nothing. */
    bool (*restore)(struct virtio_dev *d, struct dev_reader *r);
    void (*free)(struct virtio_dev *d); /* optional: the device's own parts */
    /* Optional, for the monitor: one line about the device's own state, snprintf-style. */
    int (*describe)(const struct virtio_dev *d, char *buf, size_t size);
};

/* The transport and the generic half of every device. A device type embeds it first. */
struct virtio_dev {
    const struct virtio_dev_type *type;
    pthread_mutex_t lock;
    struct bus *bus;
    struct irq_line irq;
    bool irq_level;
    bool legacy;
    bool quiet;
    bool broken; /* a device error happened: queues are ignored until reset */

    uint64_t host_features, driver_features;
    uint32_t host_features_sel, driver_features_sel;
    uint32_t queue_sel;
    uint32_t status, isr, config_generation;
    uint32_t guest_page_size; /* legacy */
    struct virtq vq[VIRTIO_MAX_QUEUES];
    struct virtq_elem *elem; /* scratch chain for synchronous processing */

    uint8_t config[VIRTIO_CONFIG_MAX];
    unsigned config_len;

    struct virtio_stats stats;
    const char *last_error;
    unsigned errors_logged;
};

/* ---- mmio.c, for the device types ---- */
void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_type *type, struct bus *bus,
                     struct irq_line irq, bool legacy, uint64_t device_features);
/* Marks a device error: DEVICE_NEEDS_RESET, a configuration-change interrupt, queues ignored
 * until reset. why is a static string naming what was wrong. */
void virtio_device_error(struct virtio_dev *d, const char *why);
/* Raises the used-buffer interrupt if entries were pushed since old and the driver wants it. */
void virtio_queue_interrupt(struct virtio_dev *d, struct virtq *q, uint16_t old);
/* A queue the device may process now: ready, DRIVER_OK set, device not broken. */
struct virtq *virtio_active_queue(struct virtio_dev *d, unsigned qidx);
/* Changes the configuration space and notifies the driver (generation bump + interrupt). */
void virtio_config_changed(struct virtio_dev *d);

static inline void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

#endif
