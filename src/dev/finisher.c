/* SiFive test finisher (QEMU's sifive_test): a guest store to offset 0 whose low 16 bits are
 * 0x5555 passes, 0x3333 fails with the code in bits 16..31, 0x7777 asks for a reset. The
 * board decides what each means for the process; this device only reports it. */
#include "dev.h"

#include <stdlib.h>

#define FINISHER_STATUS_FAIL 0x3333
#define FINISHER_STATUS_PASS 0x5555
#define FINISHER_STATUS_RESET 0x7777
#define FINISHER_SAVE_VERSION 1

struct finisher {
    void (*on_action)(void *ctx, enum finisher_action a, unsigned code);
    void *ctx;
};

static int finisher_mmio_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    *val = 0;
    return 0;
}

static int finisher_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct finisher *f = dev;
    if (off != 0 || !f->on_action)
        return 0;
    unsigned code = (unsigned)(val >> 16) & 0xffff;
    switch (val & 0xffff) {
    case FINISHER_STATUS_PASS:
        f->on_action(f->ctx, FINISHER_PASS, 0);
        break;
    case FINISHER_STATUS_FAIL:
        f->on_action(f->ctx, FINISHER_FAIL, code);
        break;
    case FINISHER_STATUS_RESET:
        f->on_action(f->ctx, FINISHER_RESET, 0);
        break;
    default:
        break;
    }
    return 0;
}

/* QEMU accepts 2- and 4-byte accesses; the bus widens a byte store and splits a doubleword
 * (whose upper half, at offset 4, is ignored), as QEMU's access splitting does. */
const struct mmio_ops finisher_ops = {
    .name = "finisher",
    .min_size = 2,
    .max_size = 4,
    .read = finisher_mmio_read,
    .write = finisher_mmio_write,
};

struct finisher *finisher_new(void (*on_action)(void *ctx, enum finisher_action a, unsigned code),
                              void *ctx)
{
    struct finisher *f = xcalloc(1, sizeof(*f));
    f->on_action = on_action;
    f->ctx = ctx;
    return f;
}

void finisher_free(struct finisher *f)
{
    free(f);
}

/* The finisher has no state; its image is the header alone, kept so that every device
 * appears in a snapshot the same way. */
int finisher_save(const struct finisher *f, uint8_t *buf, size_t cap, size_t *len)
{
    struct dev_writer w = {buf, cap, 0};
    dev_put_header(&w, "FINI", FINISHER_SAVE_VERSION);
    return dev_put_end(&w, len);
}

int finisher_restore(struct finisher *f, const uint8_t *buf, size_t len)
{
    struct dev_reader r = {buf, len, 0, false};
    dev_get_header(&r, "FINI", FINISHER_SAVE_VERSION);
    return dev_get_end(&r) ? 0 : -ERR_FORMAT;
}
