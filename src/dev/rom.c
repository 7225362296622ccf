/* Read-only memory for the reset vector (QEMU virt's mask ROM): reads come from a private
 * copy of the data, zero past its end; writes are dropped silently, as QEMU's TLB discards
 * CPU stores to a ROM region rather than faulting. */
#include "dev.h"

#include <stdlib.h>
#include <string.h>

#define ROM_SAVE_VERSION 1

struct rom {
    uint8_t *data;
    size_t size;
};

static int rom_mmio_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    const struct rom *r = dev;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        if (off + i < r->size)
            v |= (uint64_t)r->data[off + i] << (8 * i);
    *val = v;
    return 0;
}

static int rom_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    return 0;
}

const struct mmio_ops rom_ops = {
    .name = "rom",
    .min_size = 1,
    .max_size = 8,
    .read = rom_mmio_read,
    .write = rom_mmio_write,
};

struct rom *rom_new(const void *data, size_t size)
{
    struct rom *r = xcalloc(1, sizeof(*r));
    r->data = xmalloc(size);
    if (size)
        memcpy(r->data, data, size);
    r->size = size;
    return r;
}

void rom_free(struct rom *r)
{
    if (!r)
        return;
    free(r->data);
    free(r);
}

/* Layout v1: size (u64), then the bytes. */
int rom_save(const struct rom *r, uint8_t *buf, size_t cap, size_t *len)
{
    struct dev_writer w = {buf, cap, 0};
    dev_put_header(&w, "ROM ", ROM_SAVE_VERSION);
    dev_put(&w, r->size, 8);
    dev_put_bytes(&w, r->data, r->size);
    return dev_put_end(&w, len);
}

int rom_restore(struct rom *r, const uint8_t *buf, size_t len)
{
    struct dev_reader rd = {buf, len, 0, false};
    dev_get_header(&rd, "ROM ", ROM_SAVE_VERSION);
    uint64_t size = dev_get(&rd, 8);
    const uint8_t *data = size <= len ? dev_get_bytes(&rd, (size_t)size) : NULL;
    if (!data || !dev_get_end(&rd))
        return -ERR_FORMAT;
    uint8_t *copy = xmalloc((size_t)size);
    if (size)
        memcpy(copy, data, (size_t)size);
    free(r->data);
    r->data = copy;
    r->size = (size_t)size;
    return 0;
}
