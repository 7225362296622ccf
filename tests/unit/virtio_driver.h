/* A minimal virtio-mmio driver for the virtio unit tests: it drives one device through
 * virtio_mmio_ops on a real bus with 16 MiB of RAM, lays its queues out in guest RAM, and
 * builds descriptor chains by hand, so a test can hand the device anything, well formed or
 * not. Static functions only: each test program includes it once. */
#ifndef VISOR_TEST_VIRTIO_DRIVER_H
#define VISOR_TEST_VIRTIO_DRIVER_H

#include "test.h"

#include "dev/virtio/virtio.h"

#define VBASE 0x10001000ull
#define RAM_BASE 0x80000000ull
#define RAM_SIZE (16ull << 20)
#define RAM_END (RAM_BASE + RAM_SIZE)
#define QAREA(q) (RAM_BASE + 0x10000ull * (q)) /* each queue's rings: 64 KiB */
#define DATA_BASE (RAM_BASE + 0x100000ull)     /* buffers the tests hand out */

enum {
    R_MAGIC = 0x000,
    R_VERSION = 0x004,
    R_DEVICE_ID = 0x008,
    R_VENDOR = 0x00c,
    R_DEV_FEAT = 0x010,
    R_DEV_FEAT_SEL = 0x014,
    R_DRV_FEAT = 0x020,
    R_DRV_FEAT_SEL = 0x024,
    R_PAGE_SIZE = 0x028,
    R_QSEL = 0x030,
    R_QNUM_MAX = 0x034,
    R_QNUM = 0x038,
    R_QALIGN = 0x03c,
    R_QPFN = 0x040,
    R_QREADY = 0x044,
    R_NOTIFY = 0x050,
    R_ISR = 0x060,
    R_ACK = 0x064,
    R_STATUS = 0x070,
    R_QDESC = 0x080,
    R_QDRIVER = 0x090,
    R_QDEVICE = 0x0a0,
    R_GEN = 0x0fc,
    R_CONFIG = 0x100,
};

enum {
    S_ACK = 1,
    S_DRIVER = 2,
    S_DRIVER_OK = 4,
    S_FEATURES_OK = 8,
    S_NEEDS_RESET = 0x40,
};

#define F_INDIRECT (1ull << 28)
#define F_EVENT_IDX (1ull << 29)
#define F_VERSION_1 (1ull << 32)

#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4

struct vq_drv {
    uint16_t num;
    uint64_t desc, avail, used;
    uint16_t avail_idx; /* the driver's next avail index */
};

struct vdrv {
    struct bus bus;
    struct virtio_dev *d;
    bool legacy;
    bool irq;
    int irq_raises;
    uint64_t features;
    struct vq_drv q[2];
};

static inline void vdrv_irq(void *ctx, unsigned n, bool level)
{
    struct vdrv *v = ctx;
    if (level && !v->irq)
        v->irq_raises++;
    v->irq = level;
}

static inline struct irq_line vdrv_line(struct vdrv *v)
{
    return (struct irq_line){vdrv_irq, v, 1};
}

static inline void vdrv_bus(struct vdrv *v, bool legacy)
{
    memset(v, 0, sizeof(*v));
    v->legacy = legacy;
    bus_init(&v->bus, RAM_BASE, RAM_SIZE);
}

/* Maps a device made with vdrv_line(v) and silences its error log. */
static inline void vdrv_attach(struct vdrv *v, struct virtio_dev *d)
{
    v->d = d;
    virtio_dev_set_quiet(d, true);
    if (bus_add_mmio(&v->bus, VBASE, 0x1000, &virtio_mmio_ops, d))
        abort();
}

static inline void vdrv_free(struct vdrv *v)
{
    virtio_dev_free(v->d);
    bus_free(&v->bus);
}

static inline uint32_t rd(struct vdrv *v, unsigned off)
{
    uint64_t x = 0xdeadbeef;
    if (bus_read(&v->bus, VBASE + off, 4, &x))
        abort();
    return (uint32_t)x;
}

static inline uint64_t rdn(struct vdrv *v, unsigned off, unsigned size)
{
    uint64_t x = 0xdeadbeef;
    if (bus_read(&v->bus, VBASE + off, size, &x))
        abort();
    return x;
}

static inline void wr(struct vdrv *v, unsigned off, uint32_t val)
{
    if (bus_write(&v->bus, VBASE + off, 4, val))
        abort();
}

/* Guest RAM accessors. */
static inline uint8_t *gp(struct vdrv *v, uint64_t pa)
{
    return v->bus.ram + (pa - RAM_BASE);
}

static inline void g16(struct vdrv *v, uint64_t pa, uint16_t x)
{
    memcpy(gp(v, pa), &x, 2);
}

static inline void g32(struct vdrv *v, uint64_t pa, uint32_t x)
{
    memcpy(gp(v, pa), &x, 4);
}

static inline void g64(struct vdrv *v, uint64_t pa, uint64_t x)
{
    memcpy(gp(v, pa), &x, 8);
}

static inline uint16_t r16(struct vdrv *v, uint64_t pa)
{
    uint16_t x;
    memcpy(&x, gp(v, pa), 2);
    return x;
}

static inline uint32_t r32(struct vdrv *v, uint64_t pa)
{
    uint32_t x;
    memcpy(&x, gp(v, pa), 4);
    return x;
}

static inline uint64_t dev_features(struct vdrv *v)
{
    wr(v, R_DEV_FEAT_SEL, 1);
    uint64_t hi = rd(v, R_DEV_FEAT);
    wr(v, R_DEV_FEAT_SEL, 0);
    return hi << 32 | rd(v, R_DEV_FEAT);
}

static inline void set_features(struct vdrv *v, uint64_t f)
{
    wr(v, R_DRV_FEAT_SEL, 0);
    wr(v, R_DRV_FEAT, (uint32_t)f);
    wr(v, R_DRV_FEAT_SEL, 1);
    wr(v, R_DRV_FEAT, (uint32_t)(f >> 32));
    v->features = f;
}

/* Reset, ACKNOWLEDGE, DRIVER, features (what the device offers, masked by want), and
 * FEATURES_OK in modern mode. Returns the status read back. */
static inline uint32_t vdrv_negotiate(struct vdrv *v, uint64_t want)
{
    wr(v, R_STATUS, 0);
    wr(v, R_STATUS, S_ACK);
    wr(v, R_STATUS, S_ACK | S_DRIVER);
    set_features(v, dev_features(v) & want);
    if (!v->legacy)
        wr(v, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    return rd(v, R_STATUS);
}

/* Lays queue qi out at QAREA(qi) with num entries (legacy: one page-aligned block). */
static inline void vdrv_queue(struct vdrv *v, unsigned qi, uint16_t num)
{
    struct vq_drv *q = &v->q[qi];
    q->num = num;
    q->avail_idx = 0;
    q->desc = QAREA(qi);
    q->avail = q->desc + 16ull * num;
    q->used = (q->avail + 6 + 2ull * num + 4095) & ~4095ull;
    memset(gp(v, QAREA(qi)), 0, 0x10000);
    wr(v, R_QSEL, qi);
    wr(v, R_QNUM, num);
    if (v->legacy) {
        wr(v, R_PAGE_SIZE, 4096);
        wr(v, R_QALIGN, 4096);
        wr(v, R_QPFN, (uint32_t)(q->desc / 4096));
    } else {
        wr(v, R_QDESC, (uint32_t)q->desc);
        wr(v, R_QDESC + 4, (uint32_t)(q->desc >> 32));
        wr(v, R_QDRIVER, (uint32_t)q->avail);
        wr(v, R_QDRIVER + 4, (uint32_t)(q->avail >> 32));
        wr(v, R_QDEVICE, (uint32_t)q->used);
        wr(v, R_QDEVICE + 4, (uint32_t)(q->used >> 32));
        wr(v, R_QREADY, 1);
    }
}

static inline void vdrv_driver_ok(struct vdrv *v)
{
    wr(v, R_STATUS, rd(v, R_STATUS) | S_DRIVER_OK);
}

/* Full bring-up: negotiate, nq queues of num entries, DRIVER_OK. */
static inline void vdrv_up(struct vdrv *v, uint64_t want, unsigned nq, uint16_t num)
{
    vdrv_negotiate(v, want);
    for (unsigned i = 0; i < nq; i++)
        vdrv_queue(v, i, num);
    vdrv_driver_ok(v);
}

/* Writes descriptor i of a table at table_pa. */
static inline void put_desc(struct vdrv *v, uint64_t table_pa, unsigned i, uint64_t addr,
                            uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t p = table_pa + 16ull * i;
    g64(v, p, addr);
    g32(v, p + 8, len);
    g16(v, p + 12, flags);
    g16(v, p + 14, next);
}

static inline void desc(struct vdrv *v, unsigned qi, unsigned i, uint64_t addr, uint32_t len,
                        uint16_t flags, uint16_t next)
{
    put_desc(v, v->q[qi].desc, i, addr, len, flags, next);
}

/* Makes head available (without notifying). */
static inline void offer(struct vdrv *v, unsigned qi, uint16_t head)
{
    struct vq_drv *q = &v->q[qi];
    g16(v, q->avail + 4 + 2ull * (q->avail_idx % q->num), head);
    q->avail_idx++;
    g16(v, q->avail + 2, q->avail_idx);
}

static inline void kick(struct vdrv *v, unsigned qi)
{
    wr(v, R_NOTIFY, qi);
}

static inline uint16_t used_idx(struct vdrv *v, unsigned qi)
{
    return r16(v, v->q[qi].used + 2);
}

static inline uint32_t used_id(struct vdrv *v, unsigned qi, uint16_t k)
{
    return r32(v, v->q[qi].used + 4 + 8ull * (k % v->q[qi].num));
}

static inline uint32_t used_len(struct vdrv *v, unsigned qi, uint16_t k)
{
    return r32(v, v->q[qi].used + 8 + 8ull * (k % v->q[qi].num));
}

static inline bool needs_reset(struct vdrv *v)
{
    return rd(v, R_STATUS) & S_NEEDS_RESET;
}

#endif
