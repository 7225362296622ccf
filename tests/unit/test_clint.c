/* The CLINT: msip and mtip lines per hart, mtimecmp (whole and in 32-bit halves), mtime. */
#include "test.h"

#include "dev/dev.h"

#include <time.h>

#define CLINT_BASE 0x2000000ull
#define NHARTS 3

static bool msip[NHARTS], mtip[NHARTS];

static void msip_cb(void *ctx, unsigned n, bool level)
{
    msip[n] = level;
}

static void mtip_cb(void *ctx, unsigned n, bool level)
{
    mtip[n] = level;
}

struct rig {
    struct bus bus;
    struct clint *c;
};

static void rig_init(struct rig *r)
{
    struct irq_line ms[NHARTS], mt[NHARTS];
    for (unsigned i = 0; i < NHARTS; i++) {
        ms[i] = (struct irq_line){msip_cb, NULL, i};
        mt[i] = (struct irq_line){mtip_cb, NULL, i};
        msip[i] = mtip[i] = false;
    }
    bus_init(&r->bus, 0x80000000ull, 1 << 16);
    r->c = clint_new(NHARTS, ms, mt);
    if (bus_add_mmio(&r->bus, CLINT_BASE, 0x10000, &clint_ops, r->c))
        abort();
}

static void rig_free(struct rig *r)
{
    clint_free(r->c);
    bus_free(&r->bus);
}

static uint64_t rd(struct rig *r, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    if (bus_read(&r->bus, CLINT_BASE + off, size, &v))
        abort();
    return v;
}

static void wr(struct rig *r, uint64_t off, unsigned size, uint64_t v)
{
    if (bus_write(&r->bus, CLINT_BASE + off, size, v))
        abort();
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

#define MSIP(h) (0x0 + 4 * (h))
#define MTIMECMP(h) (0x4000 + 8 * (h))
#define MTIME 0xbff8

TEST(reset_state_mtimecmp_zero_so_mtip_pending)
{
    struct rig r;
    rig_init(&r);
    for (unsigned h = 0; h < NHARTS; h++) {
        CHECK_EQ(rd(&r, MTIMECMP(h), 8), 0);
        CHECK_EQ(rd(&r, MSIP(h), 4), 0);
        CHECK(mtip[h]); /* QEMU 7.2: mtime reset to 0 >= mtimecmp 0 */
        CHECK(!msip[h]);
    }
    CHECK(rd(&r, MTIME, 8) < TIMEBASE_HZ); /* starts from about zero */
    rig_free(&r);
}

TEST(msip_bit0_drives_the_software_interrupt_line)
{
    struct rig r;
    rig_init(&r);
    wr(&r, MSIP(1), 4, 0xfffffffe); /* only bit 0 counts */
    CHECK(!msip[1]);
    CHECK_EQ(rd(&r, MSIP(1), 4), 0);
    wr(&r, MSIP(1), 4, 1);
    CHECK(msip[1]);
    CHECK(!msip[0]);
    CHECK(!msip[2]);
    CHECK_EQ(rd(&r, MSIP(1), 4), 1);
    wr(&r, MSIP(2), 1, 1); /* a byte store is widened to the word */
    CHECK(msip[2]);
    wr(&r, MSIP(0), 8, 0x100000000ull); /* 8 bytes = hart 0 cleared, hart 1 set */
    CHECK(!msip[0]);
    CHECK(msip[1]);
    CHECK_EQ(rd(&r, MSIP(1), 8), 0x0000000100000001ull);
    wr(&r, MSIP(1), 4, 0);
    CHECK(!msip[1]);
    /* Harts that do not exist: read 0, writes ignored. */
    wr(&r, MSIP(NHARTS), 4, 1);
    CHECK_EQ(rd(&r, MSIP(NHARTS), 4), 0);
    rig_free(&r);
}

TEST(mtip_follows_mtime_against_mtimecmp)
{
    struct rig r;
    rig_init(&r);
    wr(&r, MTIME, 8, 1000000);
    uint64_t far = 1000000 + 100 * TIMEBASE_HZ; /* 100 s ahead */
    wr(&r, MTIMECMP(0), 8, far);
    CHECK(!mtip[0]);
    CHECK(mtip[1]); /* other harts untouched */
    CHECK_EQ(rd(&r, MTIMECMP(0), 8), far);
    wr(&r, MTIMECMP(0), 8, 999999);
    CHECK(mtip[0]);
    wr(&r, MTIMECMP(0), 8, far);
    CHECK(!mtip[0]);
    /* Moving mtime past mtimecmp raises it, moving it back lowers it. */
    wr(&r, MTIME, 8, far);
    CHECK(mtip[0]);
    wr(&r, MTIME, 8, 5);
    CHECK(!mtip[0]);
    CHECK(mtip[1]); /* mtimecmp[1] = 0 <= 5 */
    CHECK_EQ(clint_deadline(r.c, 1), 0);
    wr(&r, MTIMECMP(1), 8, UINT64_MAX);
    wr(&r, MTIMECMP(2), 8, far - 7);
    CHECK_EQ(clint_deadline(r.c, 1), UINT64_MAX);
    CHECK_EQ(clint_deadline(r.c, 2), far - 7);
    CHECK_EQ(clint_deadline(r.c, 99), UINT64_MAX); /* no such hart */
    rig_free(&r);
}

TEST(mtimecmp_32bit_halves)
{
    struct rig r;
    rig_init(&r);
    wr(&r, MTIME, 8, 0x10);
    wr(&r, MTIMECMP(2), 4, 0xffffffff); /* low half: cmp = 0x00000000_ffffffff */
    CHECK_EQ(rd(&r, MTIMECMP(2), 8), 0xffffffffull);
    CHECK(!mtip[2]);
    wr(&r, MTIMECMP(2) + 4, 4, 0x12345678); /* high half */
    CHECK_EQ(rd(&r, MTIMECMP(2), 8), 0x12345678ffffffffull);
    CHECK_EQ(rd(&r, MTIMECMP(2), 4), 0xffffffff);
    CHECK_EQ(rd(&r, MTIMECMP(2) + 4, 4), 0x12345678);
    wr(&r, MTIMECMP(2), 4, 0x1);
    CHECK_EQ(rd(&r, MTIMECMP(2), 8), 0x1234567800000001ull);
    wr(&r, MTIMECMP(2) + 4, 4, 0);
    CHECK_EQ(rd(&r, MTIMECMP(2), 8), 1);
    CHECK(mtip[2]); /* 1 <= mtime */
    rig_free(&r);
}

TEST(mtime_advances_at_10mhz_and_is_settable_in_halves)
{
    struct rig r;
    rig_init(&r);
    uint64_t a = rd(&r, MTIME, 8);
    sleep_us(20000);
    uint64_t b = rd(&r, MTIME, 8);
    CHECK(b > a);
    CHECK(b - a >= 20000 * 10 - 10); /* 20 ms = 200000 ticks at least */
    CHECK(b - a < 20 * TIMEBASE_HZ);
    CHECK_EQ(clint_mtime(r.c) >= b, 1);
    CHECK(clint_read_time(r.c) >= b);

    wr(&r, MTIME + 4, 4, 0x7);
    uint64_t t = rd(&r, MTIME, 8);
    CHECK_EQ(t >> 32, 0x7);
    CHECK_EQ(rd(&r, MTIME + 4, 4), 0x7);
    wr(&r, MTIME, 4, 0x100);
    t = rd(&r, MTIME, 8);
    CHECK_EQ(t >> 32, 0x7);
    CHECK(t - 0x700000100ull < TIMEBASE_HZ);
    CHECK(rd(&r, MTIME, 4) - 0x100 < TIMEBASE_HZ);
    rig_free(&r);
}

TEST(clint_update_raises_mtip_when_time_catches_up)
{
    struct rig r;
    rig_init(&r);
    wr(&r, MTIME, 8, 0);
    uint64_t now = rd(&r, MTIME, 8);
    wr(&r, MTIMECMP(0), 8, now + TIMEBASE_HZ / 20); /* 50 ms ahead */
    CHECK(!mtip[0]);
    sleep_us(80000);
    CHECK(!mtip[0]); /* nothing evaluates until the run loop asks */
    clint_update(r.c);
    CHECK(mtip[0]);
    rig_free(&r);
}

TEST(reset_clears_msip_and_mtime_but_keeps_mtimecmp)
{
    struct rig r;
    rig_init(&r);
    wr(&r, MTIME, 8, 50 * TIMEBASE_HZ);
    wr(&r, MTIMECMP(0), 8, 60 * TIMEBASE_HZ);
    wr(&r, MSIP(0), 4, 1);
    clint_reset(r.c);
    CHECK(!msip[0]);
    CHECK(rd(&r, MTIME, 8) < TIMEBASE_HZ);
    CHECK_EQ(rd(&r, MTIMECMP(0), 8), 60 * TIMEBASE_HZ);
    CHECK(!mtip[0]);
    CHECK(mtip[1]);
    rig_free(&r);
}

TEST(unknown_offsets_read_zero)
{
    struct rig r;
    rig_init(&r);
    CHECK_EQ(rd(&r, MTIMECMP(NHARTS), 8), 0);
    wr(&r, MTIMECMP(NHARTS), 8, 5);
    CHECK_EQ(rd(&r, MTIMECMP(NHARTS), 8), 0);
    CHECK_EQ(rd(&r, 0xc000, 4), 0);
    CHECK_EQ(rd(&r, 0xbff0, 8), 0);
    wr(&r, 0xfffc, 4, 0xffffffff);
    CHECK_EQ(rd(&r, 0xfffc, 4), 0);
    rig_free(&r);
}

TEST(save_restore_round_trip)
{
    struct rig r;
    rig_init(&r);
    wr(&r, MTIME, 8, 1000 * TIMEBASE_HZ);
    wr(&r, MTIMECMP(0), 8, 2000 * TIMEBASE_HZ);
    wr(&r, MTIMECMP(1), 8, 999 * TIMEBASE_HZ);
    wr(&r, MTIMECMP(2), 8, 0x123456789abcull);
    wr(&r, MSIP(2), 4, 1);
    uint8_t img[256];
    size_t len;
    CHECK_EQ(clint_save(r.c, img, sizeof(img), &len), 0);
    size_t small;
    CHECK_EQ(clint_save(r.c, img, 10, &small), -ERR_RANGE);
    CHECK_EQ(small, len);

    struct rig s;
    rig_init(&s);
    CHECK_EQ(clint_restore(s.c, img, len), 0);
    uint64_t t = rd(&s, MTIME, 8);
    CHECK(t >= 1000 * TIMEBASE_HZ && t < 1001 * TIMEBASE_HZ);
    CHECK_EQ(rd(&s, MTIMECMP(0), 8), 2000 * TIMEBASE_HZ);
    CHECK_EQ(rd(&s, MTIMECMP(1), 8), 999 * TIMEBASE_HZ);
    CHECK_EQ(rd(&s, MTIMECMP(2), 8), 0x123456789abcull);
    CHECK(msip[2]);
    CHECK(!mtip[0]);
    CHECK(mtip[1]);

    /* A CLINT with another hart count refuses the image. */
    struct irq_line none[1] = {{NULL, NULL, 0}};
    struct clint *one = clint_new(1, none, none);
    CHECK_EQ(clint_restore(one, img, len), -ERR_FORMAT);
    clint_free(one);
    CHECK_EQ(clint_restore(s.c, img, len - 1), -ERR_FORMAT);
    rig_free(&s);
    rig_free(&r);
}

TEST_MAIN("clint")
