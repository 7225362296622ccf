/* The virtio-mmio transport (virtio 1.x "Virtio Over MMIO", and its legacy interface): the
 * register file, feature negotiation, device status and reset, queue set-up, the interrupt
 * line, the configuration space, and save/restore of all of it. Device types (blk.c, rng.c,
 * console.c) supply a virtio_dev_type and see only queues and chains.
 * Registers below 0x100 are 32-bit; other widths read 0 and are ignored, as on QEMU. The
 * configuration space at 0x100 takes 1, 2 and 4-byte accesses (the ops allow 1..4, so the bus
 * splits 8-byte ones into two 4-byte halves). */
#include "virtio_priv.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_GUEST_PAGE_SIZE = 0x028, /* legacy */
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_ALIGN = 0x03c, /* legacy */
    REG_QUEUE_PFN = 0x040,   /* legacy */
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac,
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8,
    REG_SHM_BASE_HIGH = 0x0bc,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

#define VIRTIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_SAVE_VERSION 1
#define VIRTIO_ERRORS_LOGGED 4 /* per device, then silence (the counter keeps counting) */

static void update_irq(struct virtio_dev *d, bool force)
{
    bool level = d->isr != 0;
    if (level != d->irq_level || force) {
        d->irq_level = level;
        irq_set(&d->irq, level);
    }
}

void virtio_device_error(struct virtio_dev *d, const char *why)
{
    d->stats.device_errors++;
    d->last_error = why;
    if (!d->quiet && d->errors_logged < VIRTIO_ERRORS_LOGGED) {
        d->errors_logged++;
        warn("virtio-%s: %s; device needs reset%s", d->type->name, why,
             d->errors_logged == VIRTIO_ERRORS_LOGGED ? " (further errors not logged)" : "");
    }
    if (d->broken)
        return;
    d->broken = true;
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    d->isr |= VIRTIO_ISR_CONFIG;
    update_irq(d, false);
}

void virtio_queue_interrupt(struct virtio_dev *d, struct virtq *q, uint16_t old)
{
    if (virtq_need_interrupt(q, old)) {
        d->stats.interrupts++;
        d->isr |= VIRTIO_ISR_USED;
        update_irq(d, false);
    }
}

struct virtq *virtio_active_queue(struct virtio_dev *d, unsigned qidx)
{
    if (qidx >= d->type->nqueues || d->broken || !(d->status & VIRTIO_STATUS_DRIVER_OK))
        return NULL;
    struct virtq *q = &d->vq[qidx];
    return q->ready ? q : NULL;
}

void virtio_config_changed(struct virtio_dev *d)
{
    d->config_generation++;
    if (d->status & VIRTIO_STATUS_DRIVER_OK) {
        d->isr |= VIRTIO_ISR_CONFIG;
        update_irq(d, false);
    }
}

static void reset_locked(struct virtio_dev *d)
{
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
        virtq_reset(&d->vq[i], i < d->type->nqueues ? VIRTIO_QUEUE_MAX : 0);
    d->driver_features = 0;
    d->host_features_sel = d->driver_features_sel = 0;
    d->queue_sel = 0;
    d->status = 0;
    d->isr = 0;
    d->guest_page_size = 4096;
    d->broken = false;
    if (d->type->reset)
        d->type->reset(d);
    update_irq(d, true);
}

void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_type *type, struct bus *bus,
                     struct irq_line irq, bool legacy, uint64_t device_features)
{
    if (type->nqueues > VIRTIO_MAX_QUEUES)
        die("virtio-%s: %u queues, more than VIRTIO_MAX_QUEUES", type->name, type->nqueues);
    d->type = type;
    pthread_mutex_init(&d->lock, NULL);
    d->bus = bus;
    d->irq = irq;
    d->legacy = legacy;
    d->host_features = device_features;
    if (type->nqueues) {
        d->host_features |= 1ull << VIRTIO_F_INDIRECT_DESC | 1ull << VIRTIO_F_EVENT_IDX;
        if (!legacy)
            d->host_features |= 1ull << VIRTIO_F_VERSION_1;
        d->elem = xmalloc(sizeof(*d->elem));
    }
    pthread_mutex_lock(&d->lock);
    reset_locked(d);
    pthread_mutex_unlock(&d->lock);
}

/* ---- queue set-up ---- */

static struct virtq *selected(struct virtio_dev *d)
{
    return d->queue_sel < d->type->nqueues ? &d->vq[d->queue_sel] : NULL;
}

static void enable_queue(struct virtio_dev *d, struct virtq *q)
{
    const char *why = NULL;
    q->event_idx = d->driver_features >> VIRTIO_F_EVENT_IDX & 1;
    q->indirect = d->driver_features >> VIRTIO_F_INDIRECT_DESC & 1;
    if (virtq_enable(q, d->bus, VIRTIO_QUEUE_MAX, &why))
        virtio_device_error(d, why);
}

/* Legacy: the queue is one block at pfn * GuestPageSize, the used ring at the next QueueAlign
 * boundary after the available ring. */
static void legacy_set_pfn(struct virtio_dev *d, struct virtq *q, uint32_t pfn)
{
    virtq_disable(q);
    q->legacy_pfn = pfn;
    if (pfn == 0)
        return;
    uint64_t align = q->legacy_align;
    if (d->guest_page_size == 0 || (d->guest_page_size & (d->guest_page_size - 1)) || align == 0 ||
        (align & (align - 1))) {
        virtio_device_error(d, "legacy GuestPageSize or QueueAlign not a power of two");
        return;
    }
    uint64_t base = (uint64_t)pfn * d->guest_page_size; /* < 2^64: 2^32 * 2^31 at most */
    uint64_t avail_end = base + 16ull * q->num + 6 + 2ull * q->num;
    if (avail_end < base || avail_end + align < avail_end) {
        virtio_device_error(d, "legacy queue address overflows");
        return;
    }
    q->desc_pa = base;
    q->avail_pa = base + 16ull * q->num;
    q->used_pa = (avail_end + align - 1) & ~(align - 1);
    enable_queue(d, q);
}

/* ---- status and features ---- */

static bool features_acceptable(const struct virtio_dev *d)
{
    if (d->driver_features & ~d->host_features)
        return false;
    return d->legacy || (d->driver_features >> VIRTIO_F_VERSION_1 & 1);
}

static void write_status(struct virtio_dev *d, uint32_t val)
{
    if ((val & 0xff) == 0) {
        reset_locked(d);
        return;
    }
    uint32_t old = d->status;
    /* NEEDS_RESET belongs to the device: the driver can neither set nor clear it. */
    val = (val & 0xff & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET);
    if (!d->legacy && (val & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
        !features_acceptable(d))
        val &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK; /* the driver reads it back and gives up */
    d->status = val;
    if ((val & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)) {
        /* Buffers posted before DRIVER_OK wait for it (the device must not use them earlier). */
        for (unsigned i = 0; i < d->type->nqueues; i++)
            if (d->vq[i].ready)
                d->type->notify(d, i);
    }
}

static bool features_locked(const struct virtio_dev *d)
{
    return d->status & (d->legacy ? VIRTIO_STATUS_DRIVER_OK : VIRTIO_STATUS_FEATURES_OK);
}

static void write_driver_features(struct virtio_dev *d, uint32_t val)
{
    if (features_locked(d) || d->driver_features_sel > 1)
        return;
    unsigned shift = 32 * d->driver_features_sel;
    d->driver_features = (d->driver_features & ~(0xffffffffull << shift)) | (uint64_t)val << shift;
    if (d->legacy) /* legacy has no FEATURES_OK: keep what we offer */
        d->driver_features &= d->host_features;
}

static uint32_t read_device_features(const struct virtio_dev *d)
{
    if (d->host_features_sel > 1)
        return 0;
    return (uint32_t)(d->host_features >> (32 * d->host_features_sel));
}

/* ---- the register file ---- */

static bool legacy_only(unsigned off)
{
    return off == REG_GUEST_PAGE_SIZE || off == REG_QUEUE_ALIGN || off == REG_QUEUE_PFN;
}

static bool modern_only(unsigned off)
{
    return off == REG_QUEUE_READY || (off >= REG_QUEUE_DESC_LOW && off <= REG_SHM_BASE_HIGH) ||
           off == REG_CONFIG_GENERATION;
}

static uint32_t reg_read(struct virtio_dev *d, unsigned off)
{
    struct virtq *q = selected(d);
    if (d->type->id == VIRTIO_ID_NONE && off > REG_VENDOR_ID)
        return 0;
    if (d->legacy ? modern_only(off) : legacy_only(off))
        return 0;
    switch (off) {
    case REG_MAGIC:
        return VIRTIO_MAGIC;
    case REG_VERSION:
        return d->legacy ? 1 : 2;
    case REG_DEVICE_ID:
        return d->type->id;
    case REG_VENDOR_ID:
        return VIRTIO_VENDOR_QEMU;
    case REG_DEVICE_FEATURES:
        return read_device_features(d);
    case REG_QUEUE_NUM_MAX:
        return q ? VIRTIO_QUEUE_MAX : 0;
    case REG_QUEUE_READY:
        return q && q->ready;
    case REG_QUEUE_PFN:
        return q ? q->legacy_pfn : 0;
    case REG_INTERRUPT_STATUS:
        return d->isr;
    case REG_STATUS:
        return d->status;
    case REG_SHM_LEN_LOW:
    case REG_SHM_LEN_HIGH:
    case REG_SHM_BASE_LOW:
    case REG_SHM_BASE_HIGH:
        return 0xffffffffu; /* no shared memory regions */
    case REG_CONFIG_GENERATION:
        return d->config_generation;
    default: /* write-only and unassigned registers */
        return 0;
    }
}

/* Writes to a queue's set-up registers while it is live are ignored: the driver must not make
 * them, and honouring them would change the areas under the cached host pointers. */
static void set_queue_addr(struct virtq *q, uint64_t *pa, bool high, uint32_t val)
{
    if (!q || q->ready)
        return;
    if (high)
        *pa = (*pa & 0xffffffffull) | (uint64_t)val << 32;
    else
        *pa = (*pa & ~0xffffffffull) | val;
}

static void notify(struct virtio_dev *d, uint32_t val)
{
    d->stats.notifies++;
    /* Only the low 16 bits name the queue (VIRTIO_F_NOTIFICATION_DATA is not offered). A
     * notify for a queue that is not ready, before DRIVER_OK or after a device error is
     * ignored: the spec forbids touching such a queue. */
    unsigned qidx = val & 0xffff;
    if (virtio_active_queue(d, qidx))
        d->type->notify(d, qidx);
}

static void reg_write(struct virtio_dev *d, unsigned off, uint32_t val)
{
    struct virtq *q = selected(d);
    if (d->type->id == VIRTIO_ID_NONE)
        return;
    if (d->legacy ? modern_only(off) : legacy_only(off))
        return;
    switch (off) {
    case REG_DEVICE_FEATURES_SEL:
        d->host_features_sel = val;
        break;
    case REG_DRIVER_FEATURES:
        write_driver_features(d, val);
        break;
    case REG_DRIVER_FEATURES_SEL:
        d->driver_features_sel = val;
        break;
    case REG_GUEST_PAGE_SIZE:
        d->guest_page_size = val;
        break;
    case REG_QUEUE_SEL:
        d->queue_sel = val;
        break;
    case REG_QUEUE_NUM:
        if (q && !q->ready)
            q->num = (uint16_t)(val > 0xffff ? 0 : val); /* checked when the queue goes live */
        break;
    case REG_QUEUE_ALIGN:
        if (q && !q->ready)
            q->legacy_align = val;
        break;
    case REG_QUEUE_PFN:
        if (q)
            legacy_set_pfn(d, q, val);
        break;
    case REG_QUEUE_READY:
        if (!q)
            break;
        if (!(val & 1))
            virtq_disable(q);
        else if (!q->ready)
            enable_queue(d, q);
        break;
    case REG_QUEUE_NOTIFY:
        notify(d, val);
        break;
    case REG_INTERRUPT_ACK:
        d->isr &= ~val;
        update_irq(d, false);
        break;
    case REG_STATUS:
        write_status(d, val);
        break;
    case REG_QUEUE_DESC_LOW:
    case REG_QUEUE_DESC_HIGH:
        set_queue_addr(q, q ? &q->desc_pa : NULL, off == REG_QUEUE_DESC_HIGH, val);
        break;
    case REG_QUEUE_DRIVER_LOW:
    case REG_QUEUE_DRIVER_HIGH:
        set_queue_addr(q, q ? &q->avail_pa : NULL, off == REG_QUEUE_DRIVER_HIGH, val);
        break;
    case REG_QUEUE_DEVICE_LOW:
    case REG_QUEUE_DEVICE_HIGH:
        set_queue_addr(q, q ? &q->used_pa : NULL, off == REG_QUEUE_DEVICE_HIGH, val);
        break;
    default: /* read-only and unassigned registers, SHMSel */
        break;
    }
}

static int virtio_mmio_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    struct virtio_dev *d = dev;
    *val = 0;
    pthread_mutex_lock(&d->lock);
    if (off >= REG_CONFIG) {
        uint64_t c = off - REG_CONFIG;
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            if (c + i < d->config_len)
                v |= (uint64_t)d->config[c + i] << (8 * i);
        *val = v;
    } else if (size == 4) {
        *val = reg_read(d, (unsigned)off);
    }
    pthread_mutex_unlock(&d->lock);
    return 0;
}

static int virtio_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct virtio_dev *d = dev;
    pthread_mutex_lock(&d->lock);
    if (off >= REG_CONFIG) {
        uint64_t c = off - REG_CONFIG;
        if (c < d->config_len && d->type->config_write)
            d->type->config_write(d, (unsigned)c, size, (uint32_t)val);
    } else if (size == 4) {
        reg_write(d, (unsigned)off, (uint32_t)val);
    }
    pthread_mutex_unlock(&d->lock);
    return 0;
}

/* Appends to a describe buffer; *n counts what would have been written, as snprintf does. */
PRINTF(4, 5) static void say(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(*n < size ? buf + *n : NULL, *n < size ? size - *n : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n += (size_t)k;
}

/* For the monitor's info virtio / info qtree: reads only, and guest RAM only through the
 * host views of live queues. */
static int virtio_mmio_describe(void *dev, char *buf, size_t size)
{
    struct virtio_dev *d = dev;
    size_t n = 0;
    if (size)
        buf[0] = 0;
    if (d->type->id == VIRTIO_ID_NONE)
        return 0;
    pthread_mutex_lock(&d->lock);
    say(buf, size, &n, "virtio-%s%s: status 0x%02x%s, isr 0x%x, config generation %u\n",
        d->type->name, d->legacy ? " (legacy)" : "", d->status, d->broken ? " (needs reset)" : "",
        d->isr, d->config_generation);
    say(buf, size, &n, "features: device 0x%" PRIx64 ", driver 0x%" PRIx64 "\n", d->host_features,
        d->driver_features);
    for (unsigned i = 0; i < d->type->nqueues; i++) {
        const struct virtq *q = &d->vq[i];
        if (!q->ready) {
            say(buf, size, &n, "queue %u: not ready (num %u)\n", i, q->num);
            continue;
        }
        uint16_t avail_idx =
            __atomic_load_n((const uint16_t *)(const void *)(q->avail + 2), __ATOMIC_RELAXED);
        say(buf, size, &n,
            "queue %u: num %u, desc 0x%" PRIx64 ", avail 0x%" PRIx64 ", used 0x%" PRIx64
            ", avail.idx %u, next avail %u, used.idx %u%s%s\n",
            i, q->num, q->desc_pa, q->avail_pa, q->used_pa, avail_idx, q->last_avail, q->used_idx,
            q->event_idx ? ", event-idx" : "", q->indirect ? ", indirect" : "");
    }
    say(buf, size, &n,
        "counters: notifies %" PRIu64 ", chains %" PRIu64 ", interrupts %" PRIu64
        ", device errors %" PRIu64 ", request errors %" PRIu64 "\n",
        d->stats.notifies, d->stats.chains, d->stats.interrupts, d->stats.device_errors,
        d->stats.request_errors);
    if (d->last_error)
        say(buf, size, &n, "last error: %s\n", d->last_error);
    if (d->type->describe) {
        int k = d->type->describe(d, n < size ? buf + n : NULL, n < size ? size - n : 0);
        if (k > 0)
            n += (size_t)k;
    }
    pthread_mutex_unlock(&d->lock);
    return n > INT32_MAX ? INT32_MAX : (int)n;
}

const struct mmio_ops virtio_mmio_ops = {
    .name = "virtio-mmio",
    .min_size = 1,
    .max_size = 4,
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .describe = virtio_mmio_describe,
};

/* ---- host side ---- */

static const struct virtio_dev_type empty_type = {
    .name = "empty",
    .id = VIRTIO_ID_NONE,
    .save_tag = "VNON",
    .save_version = 1,
};

struct virtio_dev *virtio_empty_new(struct bus *bus, struct irq_line irq, bool legacy)
{
    struct virtio_dev *d = xcalloc(1, sizeof(*d));
    virtio_dev_init(d, &empty_type, bus, irq, legacy, 0);
    return d;
}

void virtio_dev_reset(struct virtio_dev *d)
{
    pthread_mutex_lock(&d->lock);
    reset_locked(d);
    pthread_mutex_unlock(&d->lock);
}

void virtio_dev_free(struct virtio_dev *d)
{
    if (!d)
        return;
    if (d->type->free)
        d->type->free(d);
    pthread_mutex_destroy(&d->lock);
    free(d->elem);
    free(d);
}

enum virtio_device_id virtio_dev_id(const struct virtio_dev *d)
{
    return d->type->id;
}

void virtio_dev_set_quiet(struct virtio_dev *d, bool quiet)
{
    pthread_mutex_lock(&d->lock);
    d->quiet = quiet;
    pthread_mutex_unlock(&d->lock);
}

void virtio_dev_get_stats(const struct virtio_dev *d, struct virtio_stats *s)
{
    struct virtio_dev *m = (struct virtio_dev *)d; /* the lock is not observable state */
    pthread_mutex_lock(&m->lock);
    *s = d->stats;
    pthread_mutex_unlock(&m->lock);
}

const char *virtio_dev_last_error(const struct virtio_dev *d)
{
    struct virtio_dev *m = (struct virtio_dev *)d;
    pthread_mutex_lock(&m->lock);
    const char *e = d->last_error;
    pthread_mutex_unlock(&m->lock);
    return e;
}

/* ---- save/restore ----
 * Layout v1: "VIRT", version; device id u32, legacy u8, queue count u8, host features u64;
 * status, isr, host/driver feature selectors, queue_sel, config generation, guest page size
 * (u32 each), driver features u64, broken u8; each queue (virtq_save); then the device type's
 * section: its own tag, version and fields. */
int virtio_dev_save(const struct virtio_dev *d, uint8_t *buf, size_t cap, size_t *len)
{
    struct virtio_dev *m = (struct virtio_dev *)d;
    struct dev_writer w = {buf, cap, 0};
    pthread_mutex_lock(&m->lock);
    dev_put_header(&w, "VIRT", VIRTIO_SAVE_VERSION);
    dev_put(&w, d->type->id, 4);
    dev_put(&w, d->legacy, 1);
    dev_put(&w, d->type->nqueues, 1);
    dev_put(&w, d->host_features, 8);
    dev_put(&w, d->status, 4);
    dev_put(&w, d->isr, 4);
    dev_put(&w, d->host_features_sel, 4);
    dev_put(&w, d->driver_features_sel, 4);
    dev_put(&w, d->queue_sel, 4);
    dev_put(&w, d->config_generation, 4);
    dev_put(&w, d->guest_page_size, 4);
    dev_put(&w, d->driver_features, 8);
    dev_put(&w, d->broken, 1);
    for (unsigned i = 0; i < d->type->nqueues; i++)
        virtq_save(&d->vq[i], &w);
    dev_put_header(&w, d->type->save_tag, d->type->save_version);
    if (d->type->save)
        d->type->save(d, &w);
    pthread_mutex_unlock(&m->lock);
    return dev_put_end(&w, len);
}

int virtio_dev_restore(struct virtio_dev *d, const uint8_t *buf, size_t len)
{
    struct dev_reader r = {buf, len, 0, false};
    dev_get_header(&r, "VIRT", VIRTIO_SAVE_VERSION);
    uint32_t id = (uint32_t)dev_get(&r, 4);
    bool legacy = dev_get(&r, 1) != 0;
    unsigned nq = (unsigned)dev_get(&r, 1);
    uint64_t host_features = dev_get(&r, 8);
    uint32_t status = (uint32_t)dev_get(&r, 4);
    uint32_t isr = (uint32_t)dev_get(&r, 4);
    uint32_t hsel = (uint32_t)dev_get(&r, 4);
    uint32_t dsel = (uint32_t)dev_get(&r, 4);
    uint32_t qsel = (uint32_t)dev_get(&r, 4);
    uint32_t gen = (uint32_t)dev_get(&r, 4);
    uint32_t page = (uint32_t)dev_get(&r, 4);
    uint64_t driver_features = dev_get(&r, 8);
    bool broken = dev_get(&r, 1) != 0;
    if (r.bad || id != d->type->id || legacy != d->legacy || nq != d->type->nqueues ||
        host_features != d->host_features)
        return -ERR_FORMAT;
    struct virtq vq[VIRTIO_MAX_QUEUES];
    for (unsigned i = 0; i < nq; i++)
        virtq_load(&vq[i], &r);
    if (!dev_get_header(&r, d->type->save_tag, d->type->save_version))
        return -ERR_FORMAT;

    pthread_mutex_lock(&d->lock);
    /* The device section runs to the end of the image; the type's restore checks that and
     * applies nothing unless its whole section is well formed. */
    bool ok = d->type->restore ? d->type->restore(d, &r) : dev_get_end(&r);
    if (!ok) {
        pthread_mutex_unlock(&d->lock);
        return -ERR_FORMAT;
    }
    d->status = status & 0xff;
    d->isr = isr & (VIRTIO_ISR_USED | VIRTIO_ISR_CONFIG);
    d->host_features_sel = hsel;
    d->driver_features_sel = dsel;
    d->queue_sel = qsel;
    d->config_generation = gen;
    d->guest_page_size = page;
    d->driver_features = driver_features & d->host_features;
    d->broken = broken;
    for (unsigned i = 0; i < nq; i++) {
        struct virtq *q = &d->vq[i];
        bool was_ready = vq[i].ready;
        *q = vq[i];
        q->ready = false;
        if (was_ready) {
            uint16_t last_avail = q->last_avail, used_idx = q->used_idx;
            enable_queue(d, q); /* re-checks against RAM; a failure marks the device broken */
            q->last_avail = last_avail;
            q->used_idx = used_idx;
        }
    }
    if (d->broken)
        d->status |= VIRTIO_STATUS_NEEDS_RESET;
    update_irq(d, true);
    pthread_mutex_unlock(&d->lock);
    return 0;
}
