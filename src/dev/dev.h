/* The virt board's simple devices. Each is a const mmio_ops table plus a state struct; the
 * board maps them with bus_add_mmio(bus, base, size, &X_ops, state). Interrupts leave a device
 * through irq_line (base.h). Every device has reset and, later, save/restore. */
#ifndef VISOR_DEV_H
#define VISOR_DEV_H

#include "../base/base.h"
#include "../mem/mem.h"

#define DEV_MAX_HARTS 8

/* ---- Save/restore ----
 * Each device X has
 *   int X_save(const struct X *, uint8_t *buf, size_t cap, size_t *len);
 *   int X_restore(struct X *, const uint8_t *buf, size_t len);
 * The layout is a 4-byte tag, a little-endian u32 version, then the device's fields, all
 * little-endian. save always sets *len to the bytes the state needs and returns -ERR_RANGE
 * (writing no further than cap) if cap is too small, so save(x, NULL, 0, &n) sizes a buffer.
 * restore returns -ERR_FORMAT for a wrong tag, version, length or shape (e.g. hart count) and
 * leaves the device unchanged; values inside a well-formed image are clamped, never trusted.
 * After restore a device drives its interrupt lines to the restored levels. */
struct dev_writer {
    uint8_t *buf;
    size_t cap, len;
};

static inline void dev_put(struct dev_writer *w, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, w->len++)
        if (w->len < w->cap)
            w->buf[w->len] = (uint8_t)(v >> (8 * i));
}

static inline void dev_put_bytes(struct dev_writer *w, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++, w->len++)
        if (w->len < w->cap)
            w->buf[w->len] = p[i];
}

static inline void dev_put_header(struct dev_writer *w, const char tag[4], uint32_t version)
{
    dev_put_bytes(w, (const uint8_t *)tag, 4);
    dev_put(w, version, 4);
}

/* Ends a save: reports the size and whether it fitted. */
static inline int dev_put_end(const struct dev_writer *w, size_t *len)
{
    *len = w->len;
    return w->len <= w->cap ? 0 : -ERR_RANGE;
}

struct dev_reader {
    const uint8_t *buf;
    size_t len, pos;
    bool bad; /* set by any read past the end or failed check; later reads return 0 */
};

static inline uint64_t dev_get(struct dev_reader *r, unsigned bytes)
{
    if (r->bad || r->len - r->pos < bytes) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)r->buf[r->pos++] << (8 * i);
    return v;
}

/* A pointer to the next n bytes (and skips them), or NULL and r->bad. */
static inline const uint8_t *dev_get_bytes(struct dev_reader *r, size_t n)
{
    if (r->bad || r->len - r->pos < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->buf + r->pos;
    r->pos += n;
    return p;
}

static inline bool dev_get_header(struct dev_reader *r, const char tag[4], uint32_t version)
{
    const uint8_t *t = dev_get_bytes(r, 4);
    if (!t || t[0] != (uint8_t)tag[0] || t[1] != (uint8_t)tag[1] || t[2] != (uint8_t)tag[2] ||
        t[3] != (uint8_t)tag[3] || dev_get(r, 4) != version)
        r->bad = true;
    return !r->bad;
}

/* Ends a restore: the image must have been consumed exactly. */
static inline bool dev_get_end(const struct dev_reader *r)
{
    return !r->bad && r->pos == r->len;
}

/* ---- NS16550A UART ---- */
struct uart;
extern const struct mmio_ops uart_ops;
/* tx is called for each byte the guest transmits. */
struct uart *uart_new(struct irq_line irq, void (*tx)(void *ctx, uint8_t byte), void *tx_ctx);
/* Queues host input for the guest; never drops (the queue grows). Raises the RX interrupt
 * as the 16-byte receive FIFO fills from the queue. */
void uart_push_input(struct uart *u, const uint8_t *data, size_t n);
size_t uart_pending_input(const struct uart *u);
void uart_reset(struct uart *u);
void uart_free(struct uart *u);
MUST_CHECK int uart_save(const struct uart *u, uint8_t *buf, size_t cap, size_t *len);
MUST_CHECK int uart_restore(struct uart *u, const uint8_t *buf, size_t len);

/* ---- CLINT (SiFive core-local interruptor: msip, mtimecmp, mtime) ---- */
struct clint;
extern const struct mmio_ops clint_ops;
/* msip[i] and mtip[i] are hart i's machine software and timer interrupt lines. */
struct clint *clint_new(unsigned nharts, const struct irq_line *msip, const struct irq_line *mtip);
/* Re-evaluates the timer lines against the current time; called by the run loop. */
void clint_update(struct clint *c);
/* mtime value (10 MHz ticks) the guest sees now. */
uint64_t clint_mtime(const struct clint *c);
/* Hart's mtimecmp: the mtime at which its timer line rises, for sleeping in WFI until then. */
uint64_t clint_deadline(const struct clint *c, unsigned hart);
void clint_reset(struct clint *c);
void clint_free(struct clint *c);
/* clint_mtime in the form of hart.read_time (ctx is the clint). */
uint64_t clint_read_time(void *ctx);
MUST_CHECK int clint_save(const struct clint *c, uint8_t *buf, size_t cap, size_t *len);
MUST_CHECK int clint_restore(struct clint *c, const uint8_t *buf, size_t len);

/* ---- PLIC (SiFive platform-level interrupt controller) ---- */
#define PLIC_NUM_SOURCES 96 /* source 0 reserved; 1..95 usable, "riscv,ndev" = 95 */
struct plic;
extern const struct mmio_ops plic_ops;
/* Two contexts per hart: 2i is hart i's M-mode (MEIP line), 2i+1 its S-mode (SEIP line). */
struct plic *plic_new(unsigned nharts, const struct irq_line *meip, const struct irq_line *seip);
/* An irq_line that drives PLIC source n (level-triggered). */
struct irq_line plic_input(struct plic *p, unsigned n);
void plic_set_source(struct plic *p, unsigned n, bool level);
void plic_reset(struct plic *p);
void plic_free(struct plic *p);
MUST_CHECK int plic_save(const struct plic *p, uint8_t *buf, size_t cap, size_t *len);
MUST_CHECK int plic_restore(struct plic *p, const uint8_t *buf, size_t len);

/* ---- Goldfish RTC ---- */
struct rtc;
extern const struct mmio_ops rtc_ops;
struct rtc *rtc_new(struct irq_line irq);
/* Fires the alarm if due; called by the run loop. */
void rtc_update(struct rtc *r);
void rtc_reset(struct rtc *r);
void rtc_free(struct rtc *r);
MUST_CHECK int rtc_save(const struct rtc *r, uint8_t *buf, size_t cap, size_t *len);
MUST_CHECK int rtc_restore(struct rtc *r, const uint8_t *buf, size_t len);

/* ---- SiFive test finisher ---- */
enum finisher_action { FINISHER_PASS, FINISHER_FAIL, FINISHER_RESET };
struct finisher;
extern const struct mmio_ops finisher_ops;
/* on_action(ctx, action, code): PASS is exit status 0, FAIL carries the guest's code,
 * RESET asks for a machine reset. */
struct finisher *finisher_new(void (*on_action)(void *ctx, enum finisher_action a, unsigned code),
                              void *ctx);
void finisher_free(struct finisher *f);
MUST_CHECK int finisher_save(const struct finisher *f, uint8_t *buf, size_t cap, size_t *len);
MUST_CHECK int finisher_restore(struct finisher *f, const uint8_t *buf, size_t len);

/* ---- Read-only memory (the reset ROM) ---- */
struct rom;
extern const struct mmio_ops rom_ops;
struct rom *rom_new(const void *data, size_t size);
void rom_free(struct rom *r);
/* The ROM's contents travel in the image, so a restored ROM matches the saved one. */
MUST_CHECK int rom_save(const struct rom *r, uint8_t *buf, size_t cap, size_t *len);
MUST_CHECK int rom_restore(struct rom *r, const uint8_t *buf, size_t len);

#endif
