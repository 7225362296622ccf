/* The guest physical address space: one RAM region reached through a host pointer, and MMIO
 * regions dispatched to device ops. The bus enforces access widths so that device handlers
 * never re-check them: an access wider than a region's max_size is split into max_size pieces
 * (little-endian), a narrower one than min_size is widened (reads extract, writes merge). */
#ifndef VISOR_MEM_H
#define VISOR_MEM_H

#include "../base/base.h"

#include <stdatomic.h>
#include <pthread.h>

struct mmio_ops {
    const char *name;
    uint8_t min_size, max_size; /* allowed access widths in bytes: 1, 2, 4 or 8 */
    /* off is relative to the region base and aligned to size. Return 0, or a negative code
     * that the hart turns into an access fault. */
    int (*read)(void *dev, uint64_t off, unsigned size, uint64_t *val);
    int (*write)(void *dev, uint64_t off, unsigned size, uint64_t val);
    /* Optional, for the monitor's info qtree / info virtio: the device's state as lines of
     * text (queues, status, counters), snprintf's convention. No side effects. */
    int (*describe)(void *dev, char *buf, size_t size);
};

struct mmio_region {
    uint64_t base, size;
    const struct mmio_ops *ops;
    void *dev;
};

#define BUS_MAX_REGIONS 32

struct bus {
    uint8_t *ram; /* host memory backing [ram_base, ram_base + ram_size) */
    uint64_t ram_base, ram_size;
    struct mmio_region regions[BUS_MAX_REGIONS];
    unsigned nregions;
    /* Called on accesses to addresses no region claims (for -d guest_errors / unimp). */
    void (*on_unassigned)(uint64_t pa, unsigned size, bool write);
    /* Pages of RAM holding translated code (one byte per 4 KiB page, nonzero: code), NULL
     * while no translator is attached. Every writer of RAM other than a TLB-hitting store
     * (the slow store path, AMOs, devices' DMA, loaders, debuggers) calls bus_note_write, which
     * hands writes to such pages to on_code_write so the translated code is invalidated. */
    _Atomic uint8_t *code_pages;
    void (*on_code_write)(void *ctx, uint64_t pa, uint64_t len);
    void *code_ctx;
    /* Held around every MMIO handler call when set (the VM's device lock: harts run on their
     * own threads, and a device's state is serialised by it); RAM accesses never take it. It
     * may already be held by the caller, so it must be recursive. */
    pthread_mutex_t *mmio_lock;
};

/* Allocates zeroed guest RAM (anonymous mmap). Dies on failure: start-up only. */
void bus_init(struct bus *b, uint64_t ram_base, uint64_t ram_size);
void bus_free(struct bus *b);
/* Regions must not overlap RAM or each other. */
MUST_CHECK int bus_add_mmio(struct bus *b, uint64_t base, uint64_t size,
                            const struct mmio_ops *ops, void *dev);

/* Host pointer for [pa, pa+len) if it lies wholly in RAM, else NULL. */
static inline uint8_t *bus_ram_ptr(const struct bus *b, uint64_t pa, uint64_t len)
{
    uint64_t off = pa - b->ram_base;
    if (off < b->ram_size && len <= b->ram_size - off)
        return b->ram + off;
    return NULL;
}

const struct mmio_region *bus_find(const struct bus *b, uint64_t pa);

/* Does the RAM page at pa (page-aligned, in RAM) hold translated code? */
static inline bool bus_page_has_code(const struct bus *b, uint64_t pa)
{
    return b->code_pages &&
           atomic_load_explicit(&b->code_pages[(pa - b->ram_base) >> 12], memory_order_relaxed);
}

void bus_code_written(struct bus *b, uint64_t pa, uint64_t len);
/* RAM [pa, pa+len) was just written other than through a store TLB entry. */
static inline void bus_note_write(struct bus *b, uint64_t pa, uint64_t len)
{
    if (b->code_pages && len)
        bus_code_written(b, pa, len);
}

/* Physical accesses of 1, 2, 4 or 8 bytes at any alignment. Return 0 or -ERR_BUSERR. */
MUST_CHECK int bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val);
MUST_CHECK int bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val);

/* Copy to/from guest physical memory (RAM only, for loaders and virtio). */
MUST_CHECK int bus_copy_to(struct bus *b, uint64_t pa, const void *src, uint64_t len);
MUST_CHECK int bus_copy_from(struct bus *b, uint64_t pa, void *dst, uint64_t len);

#endif
