/* MMIO dispatch and RAM copies. The hart reaches RAM through its TLB and calls in here only
 * for MMIO and for accesses that straddle regions, so this file favours clarity over speed. */
#include "mem.h"

#include <string.h>
#include <sys/mman.h>

void bus_init(struct bus *b, uint64_t ram_base, uint64_t ram_size)
{
    memset(b, 0, sizeof(*b));
    void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        die("cannot allocate %llu MiB of guest RAM", (unsigned long long)(ram_size >> 20));
    b->ram = p;
    b->ram_base = ram_base;
    b->ram_size = ram_size;
}

void bus_free(struct bus *b)
{
    if (b->ram)
        munmap(b->ram, b->ram_size);
    b->ram = NULL;
}

int bus_add_mmio(struct bus *b, uint64_t base, uint64_t size, const struct mmio_ops *ops,
                 void *dev)
{
    if (b->nregions == BUS_MAX_REGIONS || size == 0)
        return -ERR_RANGE;
    uint64_t end = base + size;
    if (base < b->ram_base + b->ram_size && b->ram_base < end)
        return -ERR_RANGE;
    for (unsigned i = 0; i < b->nregions; i++) {
        const struct mmio_region *r = &b->regions[i];
        if (base < r->base + r->size && r->base < end)
            return -ERR_RANGE;
    }
    b->regions[b->nregions++] = (struct mmio_region){base, size, ops, dev};
    return 0;
}

const struct mmio_region *bus_find(const struct bus *b, uint64_t pa)
{
    for (unsigned i = 0; i < b->nregions; i++) {
        const struct mmio_region *r = &b->regions[i];
        if (pa - r->base < r->size)
            return r;
    }
    return NULL;
}

static void unassigned(struct bus *b, uint64_t pa, unsigned size, bool write)
{
    if (b->on_unassigned)
        b->on_unassigned(pa, size, write);
}

/* One naturally aligned access of a width the region accepts. */
static int region_read(const struct mmio_region *r, uint64_t off, unsigned size, uint64_t *val)
{
    const struct mmio_ops *ops = r->ops;
    if (size < ops->min_size) {
        unsigned wide = ops->min_size;
        uint64_t v, aligned = off & ~(uint64_t)(wide - 1);
        int rc = ops->read(r->dev, aligned, wide, &v);
        if (rc)
            return rc;
        v >>= 8 * (off - aligned);
        *val = size == 8 ? v : v & ((1ull << (8 * size)) - 1);
        return 0;
    }
    if (size > ops->max_size) {
        uint64_t v = 0;
        for (unsigned done = 0; done < size; done += ops->max_size) {
            uint64_t part;
            int rc = region_read(r, off + done, ops->max_size, &part);
            if (rc)
                return rc;
            v |= part << (8 * done);
        }
        *val = v;
        return 0;
    }
    return ops->read(r->dev, off, size, val);
}

static int region_write(const struct mmio_region *r, uint64_t off, unsigned size, uint64_t val)
{
    const struct mmio_ops *ops = r->ops;
    if (size < ops->min_size) {
        unsigned wide = ops->min_size;
        uint64_t old, aligned = off & ~(uint64_t)(wide - 1);
        int rc = ops->read(r->dev, aligned, wide, &old);
        if (rc)
            return rc;
        unsigned shift = 8 * (off - aligned);
        uint64_t mask = ((1ull << (8 * size)) - 1) << shift;
        return ops->write(r->dev, aligned, wide, (old & ~mask) | ((val << shift) & mask));
    }
    if (size > ops->max_size) {
        for (unsigned done = 0; done < size; done += ops->max_size) {
            int rc = region_write(r, off + done, ops->max_size, val >> (8 * done));
            if (rc)
                return rc;
        }
        return 0;
    }
    return ops->write(r->dev, off, size, val);
}

/* A region's handler under the bus's MMIO lock. */
static int locked_read(struct bus *b, const struct mmio_region *r, uint64_t off, unsigned size,
                       uint64_t *val)
{
    if (!b->mmio_lock)
        return region_read(r, off, size, val);
    pthread_mutex_lock(b->mmio_lock);
    int rc = region_read(r, off, size, val);
    pthread_mutex_unlock(b->mmio_lock);
    return rc;
}

static int locked_write(struct bus *b, const struct mmio_region *r, uint64_t off, unsigned size,
                        uint64_t val)
{
    if (!b->mmio_lock)
        return region_write(r, off, size, val);
    pthread_mutex_lock(b->mmio_lock);
    int rc = region_write(r, off, size, val);
    pthread_mutex_unlock(b->mmio_lock);
    return rc;
}

int bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val)
{
    uint8_t *p = bus_ram_ptr(b, pa, size);
    if (p) {
        uint64_t v = 0;
        memcpy(&v, p, size);
        *val = v;
        return 0;
    }
    const struct mmio_region *r = bus_find(b, pa);
    if (r && (pa & (size - 1)) == 0 && pa - r->base + size <= r->size)
        return locked_read(b, r, pa - r->base, size, val);
    if (r || bus_find(b, pa + size - 1) || bus_ram_ptr(b, pa + size - 1, 1)) {
        /* Misaligned or straddling: byte by byte, as the hardware would split it. */
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint64_t byte;
            int rc = bus_read(b, pa + i, 1, &byte);
            if (rc)
                return rc;
            v |= byte << (8 * i);
        }
        *val = v;
        return 0;
    }
    unassigned(b, pa, size, false);
    return -ERR_BUSERR;
}

int bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val)
{
    uint8_t *p = bus_ram_ptr(b, pa, size);
    if (p) {
        memcpy(p, &val, size);
        return 0;
    }
    const struct mmio_region *r = bus_find(b, pa);
    if (r && (pa & (size - 1)) == 0 && pa - r->base + size <= r->size)
        return locked_write(b, r, pa - r->base, size, val);
    if (r || bus_find(b, pa + size - 1) || bus_ram_ptr(b, pa + size - 1, 1)) {
        /* Check every byte is claimed before writing any, so a fault leaves memory as it was. */
        for (unsigned i = 0; i < size; i++)
            if (!bus_ram_ptr(b, pa + i, 1) && !bus_find(b, pa + i)) {
                unassigned(b, pa + i, 1, true);
                return -ERR_BUSERR;
            }
        for (unsigned i = 0; i < size; i++) {
            int rc = bus_write(b, pa + i, 1, val >> (8 * i));
            if (rc)
                return rc;
        }
        return 0;
    }
    unassigned(b, pa, size, true);
    return -ERR_BUSERR;
}

int bus_copy_to(struct bus *b, uint64_t pa, const void *src, uint64_t len)
{
    uint8_t *p = bus_ram_ptr(b, pa, len);
    if (!p)
        return -ERR_RANGE;
    memcpy(p, src, len);
    bus_note_write(b, pa, len);
    return 0;
}

int bus_copy_from(struct bus *b, uint64_t pa, void *dst, uint64_t len)
{
    uint8_t *p = bus_ram_ptr(b, pa, len);
    if (!p)
        return -ERR_RANGE;
    memcpy(dst, p, len);
    return 0;
}

void bus_code_written(struct bus *b, uint64_t pa, uint64_t len)
{
    uint64_t first = (pa - b->ram_base) >> 12, last = (pa + len - 1 - b->ram_base) >> 12;
    for (uint64_t pg = first; pg <= last; pg++)
        if (atomic_load_explicit(&b->code_pages[pg], memory_order_relaxed))
            b->on_code_write(b->code_ctx, b->ram_base + (pg << 12), 4096);
}
