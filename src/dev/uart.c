/* NS16550A UART as QEMU 7.2's serial-mm on the virt board: eight byte registers, a 16-byte
 * receive FIFO fed from an unbounded host queue (host input is never dropped), instantaneous
 * transmit, and a level interrupt line that is high exactly while IIR reports an interrupt.
 * Locking: one mutex per UART; the irq line is driven with it held, so whatever receives the
 * line must not call back into this UART. tx is called with it released. */
#include "dev.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Register offsets (DLAB selects the divisor latch at 0 and 1). */
enum {
    REG_RBR_THR = 0,
    REG_IER = 1,
    REG_IIR_FCR = 2,
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7
};

enum { IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08 };
enum {
    IIR_MSI = 0x00,
    IIR_NO_INT = 0x01,
    IIR_THRI = 0x02,
    IIR_RDI = 0x04,
    IIR_RLSI = 0x06,
    IIR_CTI = 0x0c,
    IIR_ID_MASK = 0x06,
    IIR_FIFO_BITS = 0xc0
};
enum { FCR_FE = 0x01, FCR_RFR = 0x02, FCR_XFR = 0x04, FCR_STICKY = 0xc9 };
enum { LCR_DLAB = 0x80 };
enum { MCR_OUT2 = 0x08, MCR_LOOP = 0x10, MCR_MASK = 0x1f };
enum {
    LSR_DR = 0x01,
    LSR_OE = 0x02,
    LSR_BI = 0x10,
    LSR_THRE = 0x20,
    LSR_TEMT = 0x40,
    LSR_INT_ANY = 0x1e
};
enum { MSR_DELTA = 0x0f, MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_DCD = 0x80 };

#define UART_FIFO 16
#define UART_SAVE_VERSION 1

struct uart {
    pthread_mutex_t lock;
    struct irq_line irq;
    bool irq_level;
    void (*tx)(void *ctx, uint8_t byte);
    void *tx_ctx;

    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr, rbr;
    uint16_t divider;
    bool thr_ipending; /* the THRE interrupt is armed (QEMU's thr_ipending) */

    /* Receive FIFO (FCR.FE set); with FIFOs off the byte sits in rbr. */
    uint8_t rx[UART_FIFO];
    unsigned rx_head, rx_count;

    /* Host input not yet in the FIFO: q[q_head .. q_len). */
    uint8_t *q;
    size_t q_head, q_len, q_cap;
};

static unsigned trigger_level(uint8_t fcr)
{
    static const unsigned levels[4] = {1, 4, 8, 14};
    return levels[fcr >> 6];
}

/* The interrupt IIR reports, in 16550 priority order. The character-timeout indication is
 * modelled as already elapsed: any data below the trigger level raises it at once, so a
 * driver that waits for an interrupt never leaves bytes stuck in the FIFO. */
static uint8_t current_iir_id(const struct uart *u)
{
    bool fifo = u->fcr & FCR_FE;
    if ((u->ier & IER_RLSI) && (u->lsr & LSR_INT_ANY))
        return IIR_RLSI;
    if ((u->ier & IER_RDI) && fifo && u->rx_count && u->rx_count < trigger_level(u->fcr))
        return IIR_CTI;
    if ((u->ier & IER_RDI) && (u->lsr & LSR_DR))
        return IIR_RDI;
    if ((u->ier & IER_THRI) && u->thr_ipending)
        return IIR_THRI;
    if ((u->ier & IER_MSI) && (u->msr & MSR_DELTA))
        return IIR_MSI;
    return IIR_NO_INT;
}

static void update_irq(struct uart *u, bool force)
{
    bool level = current_iir_id(u) != IIR_NO_INT;
    if (level != u->irq_level || force) {
        u->irq_level = level;
        irq_set(&u->irq, level);
    }
}

/* A byte arriving at the receiver (from the host queue or loopback). */
static void receive_byte(struct uart *u, uint8_t b)
{
    if (u->fcr & FCR_FE) {
        if (u->rx_count == UART_FIFO) {
            u->lsr |= LSR_OE;
        } else {
            u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = b;
            u->rx_count++;
        }
    } else {
        if (u->lsr & LSR_DR)
            u->lsr |= LSR_OE;
        u->rbr = b;
    }
    u->lsr |= LSR_DR;
}

/* Moves host input into the receiver while it has room, so the queue never overruns it.
 * In loopback the receiver hears only the transmitter, and host input waits. */
static void refill(struct uart *u)
{
    if (u->mcr & MCR_LOOP)
        return;
    while (u->q_head < u->q_len) {
        bool room = (u->fcr & FCR_FE) ? u->rx_count < UART_FIFO : !(u->lsr & LSR_DR);
        if (!room)
            break;
        receive_byte(u, u->q[u->q_head++]);
    }
    if (u->q_head == u->q_len)
        u->q_head = u->q_len = 0;
}

static void rx_clear(struct uart *u)
{
    u->rx_head = u->rx_count = 0;
    u->lsr &= (uint8_t) ~(LSR_DR | LSR_BI);
}

static uint8_t read_rbr(struct uart *u)
{
    uint8_t v;
    if (u->fcr & FCR_FE) {
        v = 0;
        if (u->rx_count) {
            v = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % UART_FIFO;
            u->rx_count--;
        }
        if (!u->rx_count)
            u->lsr &= (uint8_t) ~(LSR_DR | LSR_BI);
    } else {
        v = u->rbr;
        u->lsr &= (uint8_t) ~(LSR_DR | LSR_BI);
    }
    refill(u);
    return v;
}

static uint8_t reg_read(struct uart *u, unsigned reg)
{
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v = 0;
    switch (reg) {
    case REG_RBR_THR:
        v = dlab ? (uint8_t)u->divider : read_rbr(u);
        break;
    case REG_IER:
        v = dlab ? (uint8_t)(u->divider >> 8) : u->ier;
        break;
    case REG_IIR_FCR: {
        uint8_t id = current_iir_id(u);
        v = id | ((u->fcr & FCR_FE) ? IIR_FIFO_BITS : 0);
        /* Reading IIR while it reports THRE acknowledges that interrupt. */
        if (id == IIR_THRI)
            u->thr_ipending = false;
        break;
    }
    case REG_LCR:
        v = u->lcr;
        break;
    case REG_MCR:
        v = u->mcr;
        break;
    case REG_LSR:
        v = u->lsr;
        u->lsr &= (uint8_t) ~(LSR_BI | LSR_OE);
        break;
    case REG_MSR:
        if (u->mcr & MCR_LOOP) {
            /* Loopback wires the modem outputs to the inputs: RTS->CTS, DTR->DSR,
             * OUT1->RI, OUT2->DCD. */
            v = (uint8_t)(((u->mcr & 0x0c) << 4) | ((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5));
        } else {
            v = u->msr;
            u->msr &= (uint8_t)~MSR_DELTA;
        }
        break;
    case REG_SCR:
        v = u->scr;
        break;
    }
    return v;
}

/* Returns true if byte is to be handed to tx (after the lock is dropped). */
static bool write_thr(struct uart *u, uint8_t byte)
{
    /* Transmission is instantaneous: the holding register empties at once and the THRE
     * interrupt re-arms, as in QEMU where the chardev write completes inside the store. */
    bool out = true;
    if (u->mcr & MCR_LOOP) {
        receive_byte(u, byte);
        out = false;
    }
    u->lsr |= LSR_THRE | LSR_TEMT;
    u->thr_ipending = true;
    return out;
}

static void write_fcr(struct uart *u, uint8_t v)
{
    /* Switching the FIFOs on or off flushes both. */
    if ((v ^ u->fcr) & FCR_FE)
        v |= FCR_RFR | FCR_XFR;
    if (v & FCR_RFR)
        rx_clear(u);
    if (v & FCR_XFR) {
        u->lsr |= LSR_THRE;
        u->thr_ipending = true;
    }
    u->fcr = v & FCR_STICKY;
    refill(u);
}

static bool reg_write(struct uart *u, unsigned reg, uint8_t v)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (reg) {
    case REG_RBR_THR:
        if (dlab) {
            u->divider = (uint16_t)((u->divider & 0xff00) | v);
            break;
        }
        return write_thr(u, v);
    case REG_IER:
        if (dlab) {
            u->divider = (uint16_t)((u->divider & 0x00ff) | (v << 8));
        } else {
            uint8_t changed = (u->ier ^ v) & 0x0f;
            u->ier = v & 0x0f;
            /* Enabling ETBEI with the holding register empty raises THRE even if an IIR
             * read had acknowledged it (QEMU, after Bochs; Windows and Linux's THRE test
             * rely on it). */
            if (changed & IER_THRI)
                u->thr_ipending = (u->ier & IER_THRI) && (u->lsr & LSR_THRE);
        }
        break;
    case REG_IIR_FCR:
        write_fcr(u, v);
        break;
    case REG_LCR:
        u->lcr = v;
        break;
    case REG_MCR: {
        bool was_loop = u->mcr & MCR_LOOP;
        u->mcr = v & MCR_MASK;
        if (was_loop && !(u->mcr & MCR_LOOP))
            refill(u);
        break;
    }
    case REG_SCR:
        u->scr = v;
        break;
    default: /* LSR and MSR are read-only */
        break;
    }
    return false;
}

/* QEMU's serial-mm accepts 1..8-byte accesses and treats each as one access to the byte
 * register at that offset (reads zero-extend, writes use the low byte). The register block
 * is 8 bytes; anything past it reads 0 and ignores writes. */
static int uart_mmio_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    struct uart *u = dev;
    *val = 0;
    if (off >= 8)
        return 0;
    pthread_mutex_lock(&u->lock);
    *val = reg_read(u, (unsigned)off);
    update_irq(u, false);
    pthread_mutex_unlock(&u->lock);
    return 0;
}

static int uart_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct uart *u = dev;
    if (off >= 8)
        return 0;
    pthread_mutex_lock(&u->lock);
    bool send = reg_write(u, (unsigned)off, (uint8_t)val);
    update_irq(u, false);
    pthread_mutex_unlock(&u->lock);
    if (send && u->tx)
        u->tx(u->tx_ctx, (uint8_t)val);
    return 0;
}

const struct mmio_ops uart_ops = {
    .name = "uart",
    .min_size = 1,
    .max_size = 8,
    .read = uart_mmio_read,
    .write = uart_mmio_write,
};

static void reset_locked(struct uart *u)
{
    /* QEMU serial_reset: 9600 8N1 (divisor 12), OUT2 set, CTS/DSR/DCD asserted. Host input
     * still queued stays queued: it belongs to the host side, not the chip. */
    u->ier = 0;
    u->lcr = 0;
    u->mcr = MCR_OUT2;
    u->lsr = LSR_TEMT | LSR_THRE;
    u->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    u->scr = 0;
    u->fcr = 0;
    u->rbr = 0;
    u->divider = 0x0c;
    u->thr_ipending = false;
    rx_clear(u);
    refill(u);
    update_irq(u, true);
}

struct uart *uart_new(struct irq_line irq, void (*tx)(void *ctx, uint8_t byte), void *tx_ctx)
{
    struct uart *u = xcalloc(1, sizeof(*u));
    pthread_mutex_init(&u->lock, NULL);
    u->irq = irq;
    u->tx = tx;
    u->tx_ctx = tx_ctx;
    pthread_mutex_lock(&u->lock);
    reset_locked(u);
    pthread_mutex_unlock(&u->lock);
    return u;
}

void uart_reset(struct uart *u)
{
    pthread_mutex_lock(&u->lock);
    reset_locked(u);
    pthread_mutex_unlock(&u->lock);
}

void uart_free(struct uart *u)
{
    if (!u)
        return;
    pthread_mutex_destroy(&u->lock);
    free(u->q);
    free(u);
}

/* Makes room for n more queued bytes: compacts first, grows (doubling) if still short. */
static void queue_reserve(struct uart *u, size_t n)
{
    size_t used = u->q_len - u->q_head;
    if (u->q_cap - u->q_len >= n)
        return;
    if (u->q_head && u->q_cap - used >= n) {
        memmove(u->q, u->q + u->q_head, used);
    } else {
        size_t cap = u->q_cap ? u->q_cap : 256;
        while (cap - used < n)
            cap *= 2;
        uint8_t *q = xmalloc(cap);
        if (used)
            memcpy(q, u->q + u->q_head, used);
        free(u->q);
        u->q = q;
        u->q_cap = cap;
    }
    u->q_head = 0;
    u->q_len = used;
}

void uart_push_input(struct uart *u, const uint8_t *data, size_t n)
{
    if (!n)
        return;
    pthread_mutex_lock(&u->lock);
    queue_reserve(u, n);
    memcpy(u->q + u->q_len, data, n);
    u->q_len += n;
    refill(u);
    update_irq(u, false);
    pthread_mutex_unlock(&u->lock);
}

size_t uart_pending_input(const struct uart *u)
{
    /* Bytes the guest has yet to read: the host queue plus the receiver's contents. The
     * mutex is not part of the observable state, so taking it through const is fine. */
    struct uart *m = (struct uart *)u;
    pthread_mutex_lock(&m->lock);
    size_t n = u->q_len - u->q_head;
    if (u->fcr & FCR_FE)
        n += u->rx_count;
    else if (u->lsr & LSR_DR)
        n += 1;
    pthread_mutex_unlock(&m->lock);
    return n;
}

/* Layout v1: ier lcr mcr lsr msr scr fcr rbr (u8 each), divider (u16), thr_ipending (u8),
 * rx_count (u8), rx[16] in FIFO order, queued input length (u64) and bytes. */
int uart_save(const struct uart *u, uint8_t *buf, size_t cap, size_t *len)
{
    struct uart *m = (struct uart *)u;
    struct dev_writer w = {buf, cap, 0};
    pthread_mutex_lock(&m->lock);
    dev_put_header(&w, "UART", UART_SAVE_VERSION);
    const uint8_t regs[8] = {u->ier, u->lcr, u->mcr, u->lsr, u->msr, u->scr, u->fcr, u->rbr};
    dev_put_bytes(&w, regs, sizeof(regs));
    dev_put(&w, u->divider, 2);
    dev_put(&w, u->thr_ipending, 1);
    dev_put(&w, u->rx_count, 1);
    for (unsigned i = 0; i < UART_FIFO; i++)
        dev_put(&w, i < u->rx_count ? u->rx[(u->rx_head + i) % UART_FIFO] : 0, 1);
    dev_put(&w, u->q_len - u->q_head, 8);
    if (u->q)
        dev_put_bytes(&w, u->q + u->q_head, u->q_len - u->q_head);
    pthread_mutex_unlock(&m->lock);
    return dev_put_end(&w, len);
}

int uart_restore(struct uart *u, const uint8_t *buf, size_t len)
{
    struct dev_reader r = {buf, len, 0, false};
    dev_get_header(&r, "UART", UART_SAVE_VERSION);
    const uint8_t *regs = dev_get_bytes(&r, 8);
    uint16_t divider = (uint16_t)dev_get(&r, 2);
    bool thr_ipending = dev_get(&r, 1) != 0;
    unsigned rx_count = (unsigned)dev_get(&r, 1);
    const uint8_t *rx = dev_get_bytes(&r, UART_FIFO);
    uint64_t qn = dev_get(&r, 8);
    const uint8_t *q = qn <= len ? dev_get_bytes(&r, (size_t)qn) : NULL;
    if (!q || rx_count > UART_FIFO || !dev_get_end(&r))
        return -ERR_FORMAT;

    pthread_mutex_lock(&u->lock);
    u->ier = regs[0] & 0x0f;
    u->lcr = regs[1];
    u->mcr = regs[2] & MCR_MASK;
    u->lsr = regs[3];
    u->msr = regs[4];
    u->scr = regs[5];
    u->fcr = regs[6] & FCR_STICKY;
    u->rbr = regs[7];
    u->divider = divider;
    u->thr_ipending = thr_ipending;
    memcpy(u->rx, rx, UART_FIFO);
    u->rx_head = 0;
    u->rx_count = (u->fcr & FCR_FE) ? rx_count : 0;
    /* DR must agree with the FIFO it describes. */
    if (u->fcr & FCR_FE)
        u->lsr = (uint8_t)((u->lsr & ~LSR_DR) | (u->rx_count ? LSR_DR : 0));
    u->q_head = u->q_len = 0;
    queue_reserve(u, (size_t)qn);
    if (qn)
        memcpy(u->q, q, (size_t)qn);
    u->q_len = (size_t)qn;
    update_irq(u, true);
    pthread_mutex_unlock(&u->lock);
    return 0;
}
