/* SiFive CLINT as QEMU 7.2's virt board builds it from ACLINT parts: an MSWI block (msip
 * per hart) at 0x0 and an MTIMER block at 0x4000 (mtimecmp per hart, mtime at +0x7ff8).
 * mtime is the 10 MHz virtual clock plus an offset the guest can move by writing mtime.
 * Hart i's MTIP line is (mtime >= mtimecmp[i]); it is re-evaluated on every mtimecmp or
 * mtime write and by clint_update(), which the hart threads call after every slice and
 * when a WFI sleep ends, so that time catches up. All state is under one lock; mtime and
 * mtimecmp are also read without it (atomic loads) by harts on every rdtime and WFI. */
#include "dev.h"

#include <pthread.h>
#include <stdlib.h>

#define CLINT_MSIP 0x0000 /* 4 bytes per hart, bit 0 */
#define CLINT_MSIP_END 0x4000
#define CLINT_MTIMECMP 0x4000 /* 8 bytes per hart */
#define CLINT_MTIME 0xbff8    /* 8 bytes */
#define CLINT_SAVE_VERSION 1

struct clint {
    pthread_mutex_t lock;
    unsigned nharts;
    struct irq_line msip_line[DEV_MAX_HARTS], mtip_line[DEV_MAX_HARTS];
    bool msip[DEV_MAX_HARTS], mtip[DEV_MAX_HARTS];
    uint64_t mtimecmp[DEV_MAX_HARTS];
    uint64_t offset; /* mtime = vclock_ticks() + offset, modulo 2^64 */
};

static uint64_t mtime_now(const struct clint *c)
{
    return vclock_ticks() + c->offset;
}

/* clint_mtime reads offset without the lock, so every store to it is atomic. */
static void set_offset(struct clint *c, uint64_t offset)
{
    __atomic_store_n(&c->offset, offset, __ATOMIC_RELAXED);
}

static void set_mtip(struct clint *c, unsigned h, bool level, bool force)
{
    if (c->mtip[h] != level || force) {
        c->mtip[h] = level;
        irq_set(&c->mtip_line[h], level);
    }
}

static void set_msip(struct clint *c, unsigned h, bool level, bool force)
{
    if (c->msip[h] != level || force) {
        c->msip[h] = level;
        irq_set(&c->msip_line[h], level);
    }
}

static void eval_timers(struct clint *c, bool force)
{
    uint64_t now = mtime_now(c);
    for (unsigned h = 0; h < c->nharts; h++)
        set_mtip(c, h, now >= c->mtimecmp[h], force);
}

/* Sets mtime to v from now on (QEMU keeps the same time_delta). */
static void set_mtime(struct clint *c, uint64_t v)
{
    set_offset(c, v - vclock_ticks());
    eval_timers(c, false);
}

/* One 4-byte msip word; words past the last hart read 0 and ignore writes. */
static uint32_t msip_read(struct clint *c, uint64_t off)
{
    uint64_t h = off / 4;
    return h < c->nharts ? c->msip[h] : 0;
}

static void msip_write(struct clint *c, uint64_t off, uint32_t v)
{
    uint64_t h = off / 4;
    if (h < c->nharts)
        set_msip(c, (unsigned)h, v & 1, false);
}

static int clint_mmio_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    struct clint *c = dev;
    uint64_t v = 0;
    pthread_mutex_lock(&c->lock);
    if (off < CLINT_MSIP_END) {
        /* The MSWI block takes 4-byte accesses; an 8-byte one is two of them. */
        v = msip_read(c, off);
        if (size == 8)
            v |= (uint64_t)msip_read(c, off + 4) << 32;
    } else if (off >= CLINT_MTIMECMP && off - CLINT_MTIMECMP < 8ull * c->nharts) {
        uint64_t cmp = c->mtimecmp[(off - CLINT_MTIMECMP) / 8];
        if (off & 4)
            v = cmp >> 32;
        else
            v = size == 4 ? (uint32_t)cmp : cmp;
    } else if (off == CLINT_MTIME) {
        uint64_t now = mtime_now(c);
        v = size == 4 ? (uint32_t)now : now;
    } else if (off == CLINT_MTIME + 4) {
        v = mtime_now(c) >> 32;
    }
    pthread_mutex_unlock(&c->lock);
    *val = v;
    return 0;
}

static int clint_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct clint *c = dev;
    pthread_mutex_lock(&c->lock);
    if (off < CLINT_MSIP_END) {
        msip_write(c, off, (uint32_t)val);
        if (size == 8)
            msip_write(c, off + 4, (uint32_t)(val >> 32));
    } else if (off >= CLINT_MTIMECMP && off - CLINT_MTIMECMP < 8ull * c->nharts) {
        unsigned h = (unsigned)((off - CLINT_MTIMECMP) / 8);
        uint64_t cmp = c->mtimecmp[h];
        if (off & 4)
            cmp = (val << 32) | (uint32_t)cmp;
        else if (size == 4)
            cmp = (cmp & 0xffffffff00000000ull) | (uint32_t)val;
        else
            cmp = val;
        __atomic_store_n(&c->mtimecmp[h], cmp, __ATOMIC_RELAXED);
        set_mtip(c, h, mtime_now(c) >= cmp, false);
    } else if (off == CLINT_MTIME) {
        uint64_t now = mtime_now(c);
        set_mtime(c, size == 4 ? (now & 0xffffffff00000000ull) | (uint32_t)val : val);
    } else if (off == CLINT_MTIME + 4) {
        uint64_t now = mtime_now(c);
        set_mtime(c, (val << 32) | (uint32_t)now);
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

const struct mmio_ops clint_ops = {
    .name = "clint",
    .min_size = 4,
    .max_size = 8,
    .read = clint_mmio_read,
    .write = clint_mmio_write,
};

struct clint *clint_new(unsigned nharts, const struct irq_line *msip, const struct irq_line *mtip)
{
    if (nharts == 0 || nharts > DEV_MAX_HARTS)
        die("clint: %u harts requested, 1 to %d supported (-smp)", nharts, DEV_MAX_HARTS);
    struct clint *c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->nharts = nharts;
    for (unsigned h = 0; h < nharts; h++) {
        c->msip_line[h] = msip[h];
        c->mtip_line[h] = mtip[h];
    }
    clint_reset(c);
    return c;
}

void clint_reset(struct clint *c)
{
    /* QEMU 7.2 (ACLINT reset, from QEMU 7.1): msip cleared, mtime written to 0, and every
     * hart's timer re-evaluated. mtimecmp is not reset ("unknown" in the ACLINT spec); it is
     * 0 from creation, so at power-on MTIP is pending until firmware programs mtimecmp. */
    pthread_mutex_lock(&c->lock);
    for (unsigned h = 0; h < c->nharts; h++)
        set_msip(c, h, false, true);
    set_offset(c, 0 - vclock_ticks());
    eval_timers(c, true);
    pthread_mutex_unlock(&c->lock);
}

void clint_free(struct clint *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void clint_update(struct clint *c)
{
    pthread_mutex_lock(&c->lock);
    eval_timers(c, false);
    pthread_mutex_unlock(&c->lock);
}

uint64_t clint_mtime(const struct clint *c)
{
    /* Lock-free: the hart reads time through here on every rdtime. A racing mtime write
     * yields the old or the new time, either of which the guest could have observed. */
    return vclock_ticks() + __atomic_load_n(&c->offset, __ATOMIC_RELAXED);
}

uint64_t clint_read_time(void *ctx)
{
    return clint_mtime(ctx);
}

uint64_t clint_deadline(const struct clint *c, unsigned hart)
{
    /* Lock-free, like clint_mtime: a sleeping hart's thread asks on every WFI. A racing
     * mtimecmp write gives the old or the new deadline; the write itself re-evaluates the line,
     * which wakes the hart if it rises. */
    return hart < c->nharts ? __atomic_load_n(&c->mtimecmp[hart], __ATOMIC_RELAXED) : UINT64_MAX;
}

/* Layout v1: nharts (u32), mtime at save (u64), then per hart msip (u8) and mtimecmp (u64).
 * mtime resumes from the saved value: the guest sees no jump across a snapshot. */
int clint_save(const struct clint *c, uint8_t *buf, size_t cap, size_t *len)
{
    struct clint *m = (struct clint *)c;
    struct dev_writer w = {buf, cap, 0};
    pthread_mutex_lock(&m->lock);
    dev_put_header(&w, "CLNT", CLINT_SAVE_VERSION);
    dev_put(&w, c->nharts, 4);
    dev_put(&w, mtime_now(c), 8);
    for (unsigned h = 0; h < c->nharts; h++) {
        dev_put(&w, c->msip[h], 1);
        dev_put(&w, c->mtimecmp[h], 8);
    }
    pthread_mutex_unlock(&m->lock);
    return dev_put_end(&w, len);
}

int clint_restore(struct clint *c, const uint8_t *buf, size_t len)
{
    struct dev_reader r = {buf, len, 0, false};
    dev_get_header(&r, "CLNT", CLINT_SAVE_VERSION);
    if (dev_get(&r, 4) != c->nharts)
        return -ERR_FORMAT;
    uint64_t mtime = dev_get(&r, 8);
    bool msip[DEV_MAX_HARTS];
    uint64_t cmp[DEV_MAX_HARTS];
    for (unsigned h = 0; h < c->nharts; h++) {
        msip[h] = dev_get(&r, 1) & 1;
        cmp[h] = dev_get(&r, 8);
    }
    if (!dev_get_end(&r))
        return -ERR_FORMAT;
    pthread_mutex_lock(&c->lock);
    set_offset(c, mtime - vclock_ticks());
    for (unsigned h = 0; h < c->nharts; h++) {
        __atomic_store_n(&c->mtimecmp[h], cmp[h], __ATOMIC_RELAXED);
        set_msip(c, h, msip[h], true);
    }
    eval_timers(c, true);
    pthread_mutex_unlock(&c->lock);
    return 0;
}
