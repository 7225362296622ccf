/* The NS16550A UART: registers, FIFO, interrupts and host input, driven through the bus. */
#include "test.h"

#include "dev/dev.h"

#include <pthread.h>

#define UART_BASE 0x10000000ull

static bool irq_level;
static int irq_calls;
static uint8_t txbuf[4096];
static size_t txlen;

static void irq_cb(void *ctx, unsigned n, bool level)
{
    irq_level = level;
    irq_calls++;
}

static void tx_cb(void *ctx, uint8_t b)
{
    if (txlen < sizeof(txbuf))
        txbuf[txlen++] = b;
}

struct rig {
    struct bus bus;
    struct uart *u;
};

static void rig_init(struct rig *r)
{
    irq_level = false;
    irq_calls = 0;
    txlen = 0;
    bus_init(&r->bus, 0x80000000ull, 1 << 16);
    r->u = uart_new((struct irq_line){irq_cb, NULL, 10}, tx_cb, NULL);
    if (bus_add_mmio(&r->bus, UART_BASE, 0x100, &uart_ops, r->u))
        abort();
}

static void rig_free(struct rig *r)
{
    uart_free(r->u);
    bus_free(&r->bus);
}

static uint8_t rd(struct rig *r, unsigned reg)
{
    uint64_t v = 0xdead;
    if (bus_read(&r->bus, UART_BASE + reg, 1, &v))
        abort();
    return (uint8_t)v;
}

static void wr(struct rig *r, unsigned reg, uint8_t v)
{
    if (bus_write(&r->bus, UART_BASE + reg, 1, v))
        abort();
}

enum { RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

TEST(reset_values_match_qemu)
{
    struct rig r;
    rig_init(&r);
    CHECK_EQ(rd(&r, IER), 0);
    CHECK_EQ(rd(&r, IIR), 0x01);
    CHECK_EQ(rd(&r, LCR), 0);
    CHECK_EQ(rd(&r, MCR), 0x08);
    CHECK_EQ(rd(&r, LSR), 0x60);
    CHECK_EQ(rd(&r, MSR), 0xb0);
    CHECK_EQ(rd(&r, SCR), 0);
    wr(&r, LCR, 0x80);
    CHECK_EQ(rd(&r, 0), 0x0c); /* divisor 12: 9600 baud */
    CHECK_EQ(rd(&r, 1), 0x00);
    CHECK(!irq_level);
    rig_free(&r);
}

TEST(dlab_switches_offsets_0_and_1_to_the_divisor_latch)
{
    struct rig r;
    rig_init(&r);
    wr(&r, IER, 0x05);
    wr(&r, LCR, 0x83);
    wr(&r, 0, 0x01);
    wr(&r, 1, 0x02);
    CHECK_EQ(rd(&r, 0), 0x01);
    CHECK_EQ(rd(&r, 1), 0x02);
    CHECK_EQ(txlen, 0); /* a DLL write is not a transmit */
    wr(&r, LCR, 0x03);
    CHECK_EQ(rd(&r, IER), 0x05); /* IER kept its value under the latch */
    CHECK_EQ(rd(&r, LCR), 0x03);
    wr(&r, THR, 'z');
    CHECK_EQ(txlen, 1);
    wr(&r, LCR, 0x80);
    CHECK_EQ(rd(&r, 0), 0x01);
    CHECK_EQ(rd(&r, 1), 0x02);
    rig_free(&r);
}

TEST(transmit_is_instant_thre_and_temt_stay_set)
{
    struct rig r;
    rig_init(&r);
    const char *msg = "hello";
    for (const char *p = msg; *p; p++) {
        wr(&r, THR, (uint8_t)*p);
        CHECK_EQ(rd(&r, LSR) & 0x60, 0x60);
    }
    CHECK_EQ(txlen, 5);
    CHECK(memcmp(txbuf, msg, 5) == 0);
    wr(&r, FCR, 0x07); /* with FIFOs too */
    wr(&r, THR, '!');
    CHECK_EQ(rd(&r, LSR) & 0x60, 0x60);
    CHECK_EQ(txlen, 6);
    rig_free(&r);
}

static void drain_check(struct rig *r, size_t total, int *bad)
{
    size_t got = 0;
    int spins = 0;
    while (got < total && spins < 1000000) {
        spins++;
        if (!(rd(r, LSR) & 0x01))
            continue;
        uint8_t b = rd(r, RBR);
        if (b != (uint8_t)(got * 7 + got / 251))
            (*bad)++;
        got++;
    }
    CHECK_EQ(got, total);
}

TEST(input_much_larger_than_the_fifo_arrives_in_order_with_fifo)
{
    struct rig r;
    rig_init(&r);
    wr(&r, FCR, 0xc7);
    static uint8_t data[100000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + i / 251);
    /* Pushed in uneven chunks while the guest is still reading. */
    size_t off = 0;
    for (size_t chunk = 1; off < sizeof(data); chunk = chunk * 3 + 1) {
        size_t n = chunk < sizeof(data) - off ? chunk : sizeof(data) - off;
        uart_push_input(r.u, data + off, n);
        off += n;
    }
    CHECK_EQ(uart_pending_input(r.u), sizeof(data));
    int bad = 0;
    drain_check(&r, sizeof(data), &bad);
    CHECK_EQ(bad, 0);
    CHECK_EQ(uart_pending_input(r.u), 0);
    CHECK_EQ(rd(&r, LSR) & 0x01, 0);
    rig_free(&r);
}

TEST(input_much_larger_than_the_fifo_arrives_in_order_without_fifo)
{
    struct rig r;
    rig_init(&r);
    static uint8_t data[5000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + i / 251);
    uart_push_input(r.u, data, 3000);
    uart_push_input(r.u, data + 3000, 2000);
    int bad = 0;
    drain_check(&r, sizeof(data), &bad);
    CHECK_EQ(bad, 0);
    CHECK_EQ(rd(&r, LSR) & 0x03, 0); /* no overrun: the queue waits for the guest */
    rig_free(&r);
}

TEST(interleaved_push_and_read_keeps_order)
{
    struct rig r;
    rig_init(&r);
    wr(&r, FCR, 0x01);
    uint8_t next = 0, expect = 0;
    for (int round = 0; round < 500; round++) {
        uint8_t chunk[37];
        for (size_t i = 0; i < sizeof(chunk); i++)
            chunk[i] = next++;
        uart_push_input(r.u, chunk, sizeof(chunk));
        for (int i = 0; i < 20 && (rd(&r, LSR) & 1); i++)
            CHECK_EQ(rd(&r, RBR), expect++);
    }
    while (rd(&r, LSR) & 1)
        CHECK_EQ(rd(&r, RBR), expect++);
    CHECK_EQ(expect, next);
    rig_free(&r);
}

struct pusher {
    struct uart *u;
    size_t total;
};

static void *push_thread(void *arg)
{
    struct pusher *p = arg;
    uint8_t chunk[61];
    for (size_t sent = 0; sent < p->total;) {
        size_t n = p->total - sent < sizeof(chunk) ? p->total - sent : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = (uint8_t)((sent + i) * 7 + (sent + i) / 251);
        uart_push_input(p->u, chunk, n);
        sent += n;
    }
    return NULL;
}

TEST(input_pushed_from_another_thread_arrives_in_order)
{
    struct rig r;
    rig_init(&r);
    wr(&r, FCR, 0xc1);
    wr(&r, IER, 0x01);
    struct pusher p = {r.u, 200000};
    pthread_t t;
    if (pthread_create(&t, NULL, push_thread, &p))
        abort();
    size_t got = 0;
    int bad = 0;
    while (got < p.total) {
        if (!(rd(&r, LSR) & 0x01))
            continue;
        if (rd(&r, RBR) != (uint8_t)(got * 7 + got / 251))
            bad++;
        got++;
    }
    pthread_join(t, NULL);
    CHECK_EQ(bad, 0);
    CHECK_EQ(uart_pending_input(r.u), 0);
    rig_free(&r);
}

TEST(rx_interrupt_honours_the_fifo_trigger_level)
{
    struct rig r;
    rig_init(&r);
    wr(&r, FCR, 0x81); /* FIFO on, trigger at 8 bytes */
    wr(&r, IER, 0x01);
    CHECK(!irq_level);
    uint8_t few[3] = {1, 2, 3};
    uart_push_input(r.u, few, 3);
    /* Below the trigger level: the character-timeout indication, so the data is not stuck. */
    CHECK(irq_level);
    CHECK_EQ(rd(&r, IIR), 0xcc);
    uint8_t more[10] = {0};
    uart_push_input(r.u, more, 10);
    CHECK_EQ(rd(&r, IIR), 0xc4); /* 13 >= 8: received data available */
    for (int i = 0; i < 6; i++)
        (void)rd(&r, RBR);
    CHECK_EQ(rd(&r, IIR), 0xcc); /* 7 left, below trigger: timeout indication after a read */
    while (rd(&r, LSR) & 1)
        (void)rd(&r, RBR);
    CHECK(!irq_level);
    CHECK_EQ(rd(&r, IIR), 0xc1);
    rig_free(&r);
}

TEST(rx_interrupt_without_fifo_on_any_byte)
{
    struct rig r;
    rig_init(&r);
    wr(&r, IER, 0x01);
    uint8_t b = 'q';
    uart_push_input(r.u, &b, 1);
    CHECK(irq_level);
    CHECK_EQ(rd(&r, IIR), 0x04);
    CHECK_EQ(rd(&r, RBR), 'q');
    CHECK(!irq_level);
    CHECK_EQ(rd(&r, IIR), 0x01);
    rig_free(&r);
}

TEST(iir_priority_rls_then_rda_then_thre)
{
    struct rig r;
    rig_init(&r);
    wr(&r, FCR, 0x01); /* FIFO on, trigger 1 */
    wr(&r, MCR, 0x10); /* loopback: our own transmits overrun the receiver */
    for (int i = 0; i < 17; i++)
        wr(&r, THR, (uint8_t)('a' + i));
    CHECK_EQ(txlen, 0);
    wr(&r, IER, 0x07); /* RLS, THRE and RDA all enabled and all active */
    CHECK(irq_level);
    CHECK_EQ(rd(&r, IIR), 0xc6);        /* overrun first */
    CHECK_EQ(rd(&r, LSR) & 0x03, 0x03); /* reading LSR clears OE */
    CHECK_EQ(rd(&r, LSR) & 0x03, 0x01);
    CHECK_EQ(rd(&r, IIR), 0xc4); /* then received data */
    for (int i = 0; i < 16; i++)
        CHECK_EQ(rd(&r, RBR), 'a' + i); /* the 17th byte was the one lost */
    CHECK_EQ(rd(&r, IIR), 0xc2);        /* then THRE; this read acknowledges it */
    CHECK_EQ(rd(&r, IIR), 0xc1);
    CHECK(!irq_level);
    rig_free(&r);
}

TEST(thre_interrupt_raised_by_ier_cleared_by_iir_read_rearmed_by_thr_write)
{
    struct rig r;
    rig_init(&r);
    wr(&r, IER, 0x02);
    CHECK(irq_level);
    CHECK_EQ(rd(&r, IIR), 0x02);
    CHECK(!irq_level);
    CHECK_EQ(rd(&r, IIR), 0x01);
    wr(&r, THR, 'x'); /* the write empties at once, so THRE is pending again */
    CHECK(irq_level);
    CHECK_EQ(rd(&r, IIR), 0x02);
    CHECK(!irq_level);
    /* Toggling ETBEI re-raises it while THR is empty (Linux's THRE test relies on it). */
    wr(&r, IER, 0x00);
    CHECK(!irq_level);
    wr(&r, IER, 0x02);
    CHECK(irq_level);
    /* Masking with IER drops the line. */
    wr(&r, IER, 0x00);
    CHECK(!irq_level);
    CHECK_EQ(rd(&r, IIR), 0x01);
    rig_free(&r);
}

TEST(fifo_enable_and_reset_bits)
{
    struct rig r;
    rig_init(&r);
    wr(&r, FCR, 0x01);
    CHECK_EQ(rd(&r, IIR) & 0xc0, 0xc0);
    uint8_t data[40];
    for (int i = 0; i < 40; i++)
        data[i] = (uint8_t)i;
    uart_push_input(r.u, data, 40);
    CHECK_EQ(uart_pending_input(r.u), 40);
    wr(&r, FCR, 0x03); /* flushes 0..15 from the FIFO; the host queue refills it */
    CHECK_EQ(uart_pending_input(r.u), 24);
    CHECK_EQ(rd(&r, RBR), 16); /* and 32 moves up into the FIFO */
    wr(&r, FCR, 0x00);         /* FIFOs off: 17..32 flushed, IIR's FIFO bits clear */
    CHECK_EQ(rd(&r, IIR) & 0xc0, 0);
    CHECK_EQ(uart_pending_input(r.u), 7);
    for (int i = 33; i < 40; i++)
        CHECK_EQ(rd(&r, RBR), i);
    CHECK_EQ(rd(&r, LSR) & 1, 0);
    rig_free(&r);
}

TEST(loopback_routes_tx_to_rx_and_modem_lines)
{
    struct rig r;
    rig_init(&r);
    uint8_t host = 'H';
    wr(&r, MCR, 0x10 | 0x0b); /* loop, OUT2, RTS, DTR */
    CHECK_EQ(rd(&r, MSR), 0x80 | 0x10 | 0x20);
    uart_push_input(r.u, &host, 1); /* waits while in loopback */
    wr(&r, THR, 'L');
    CHECK_EQ(txlen, 0);
    CHECK_EQ(rd(&r, RBR), 'L');
    CHECK_EQ(rd(&r, LSR) & 1, 0);
    wr(&r, MCR, 0x08);
    CHECK_EQ(rd(&r, LSR) & 1, 1);
    CHECK_EQ(rd(&r, RBR), 'H');
    rig_free(&r);
}

TEST(scratch_register_and_unknown_offsets)
{
    struct rig r;
    rig_init(&r);
    wr(&r, SCR, 0xa5);
    CHECK_EQ(rd(&r, SCR), 0xa5);
    wr(&r, LSR, 0x00); /* read-only */
    wr(&r, MSR, 0x00);
    CHECK_EQ(rd(&r, LSR), 0x60);
    CHECK_EQ(rd(&r, MSR), 0xb0);
    for (unsigned off = 8; off < 0x100; off += 7) {
        wr(&r, off, 0xff);
        CHECK_EQ(rd(&r, off), 0);
    }
    CHECK_EQ(rd(&r, IER), 0);
    CHECK_EQ(txlen, 0);
    rig_free(&r);
}

TEST(wide_accesses_touch_one_register_as_in_qemu)
{
    struct rig r;
    rig_init(&r);
    if (bus_write(&r.bus, UART_BASE, 4, 0x0f0f0f41))
        abort();
    CHECK_EQ(txlen, 1);
    CHECK_EQ(txbuf[0], 'A');
    CHECK_EQ(rd(&r, IER), 0);
    CHECK_EQ(rd(&r, LCR), 0);
    uint64_t v;
    if (bus_read(&r.bus, UART_BASE + 4, 4, &v))
        abort();
    CHECK_EQ(v, 0x08); /* MCR alone, zero-extended */
    rig_free(&r);
}

TEST(garbage_accesses_never_crash)
{
    struct rig r;
    rig_init(&r);
    uint32_t x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        unsigned off = (x >> 8) & 0x0f;
        uint8_t val = (uint8_t)(x >> 20);
        if (x & 0x80000000u) {
            wr(&r, off, val);
        } else {
            (void)rd(&r, off);
        }
        if ((x & 0x3ff) == 7)
            uart_push_input(r.u, &val, 1);
    }
    CHECK(1);
    rig_free(&r);
}

TEST(save_restore_round_trip)
{
    struct rig r;
    rig_init(&r);
    wr(&r, LCR, 0x80);
    wr(&r, 0, 0x03);
    wr(&r, LCR, 0x1b);
    wr(&r, FCR, 0x41);
    wr(&r, IER, 0x03);
    wr(&r, SCR, 0x5a);
    uint8_t data[40];
    for (int i = 0; i < 40; i++)
        data[i] = (uint8_t)(100 + i);
    uart_push_input(r.u, data, 40);
    CHECK_EQ(rd(&r, RBR), 100);

    size_t need = 0;
    CHECK_EQ(uart_save(r.u, NULL, 0, &need), -ERR_RANGE);
    CHECK(need > 0);
    uint8_t *img = malloc(need);
    size_t len = 0;
    CHECK_EQ(uart_save(r.u, img, need, &len), 0);
    CHECK_EQ(len, need);

    struct uart *u2 = uart_new((struct irq_line){irq_cb, NULL, 10}, tx_cb, NULL);
    irq_level = false;
    CHECK_EQ(uart_restore(u2, img, len), 0);
    CHECK(irq_level); /* restored RDA drives the line */
    uint64_t v;
    CHECK_EQ(uart_ops.read(u2, LCR, 1, &v), 0);
    CHECK_EQ(v, 0x1b);
    CHECK_EQ(uart_ops.read(u2, SCR, 1, &v), 0);
    CHECK_EQ(v, 0x5a);
    CHECK_EQ(uart_ops.read(u2, IER, 1, &v), 0);
    CHECK_EQ(v, 0x03);
    CHECK_EQ(uart_pending_input(u2), 39);
    for (int i = 1; i < 40; i++) {
        CHECK_EQ(uart_ops.read(u2, RBR, 1, &v), 0);
        CHECK_EQ(v, 100 + i);
    }
    if (uart_ops.write(u2, LCR, 1, 0x80))
        abort();
    CHECK_EQ(uart_ops.read(u2, 0, 1, &v), 0);
    CHECK_EQ(v, 0x03);

    /* Malformed images are refused and leave the device alone. */
    CHECK_EQ(uart_restore(u2, img, len - 1), -ERR_FORMAT);
    img[0] ^= 1;
    CHECK_EQ(uart_restore(u2, img, len), -ERR_FORMAT);
    CHECK_EQ(uart_ops.read(u2, 0, 1, &v), 0);
    CHECK_EQ(v, 0x03);
    free(img);
    uart_free(u2);
    rig_free(&r);
}

TEST_MAIN("uart")
