/* The Goldfish RTC: wall-clock time as the Linux driver reads it, setting it, the alarm. */
#include "test.h"

#include "dev/dev.h"

#include <time.h>

#define RTC_BASE 0x101000ull
#define NS 1000000000ull

enum {
    TIME_LOW = 0x00,
    TIME_HIGH = 0x04,
    ALARM_LOW = 0x08,
    ALARM_HIGH = 0x0c,
    IRQ_ENABLED = 0x10,
    CLEAR_ALARM = 0x14,
    ALARM_STATUS = 0x18,
    CLEAR_INTERRUPT = 0x1c
};

static bool irq_level;

static void irq_cb(void *ctx, unsigned n, bool level)
{
    irq_level = level;
}

struct rig {
    struct bus bus;
    struct rtc *r;
};

static void rig_init(struct rig *g)
{
    irq_level = true; /* creation must drive it low */
    bus_init(&g->bus, 0x80000000ull, 1 << 16);
    g->r = rtc_new((struct irq_line){irq_cb, NULL, 11});
    if (bus_add_mmio(&g->bus, RTC_BASE, 0x1000, &rtc_ops, g->r))
        abort();
}

static void rig_free(struct rig *g)
{
    rtc_free(g->r);
    bus_free(&g->bus);
}

static uint32_t rd(struct rig *g, uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    if (bus_read(&g->bus, RTC_BASE + off, 4, &v))
        abort();
    return (uint32_t)v;
}

static void wr(struct rig *g, uint64_t off, uint32_t v)
{
    if (bus_write(&g->bus, RTC_BASE + off, 4, v))
        abort();
}

/* The way Linux's rtc-goldfish reads the time: TIME_LOW, then TIME_HIGH. */
static uint64_t read_time(struct rig *g)
{
    uint64_t lo = rd(g, TIME_LOW);
    uint64_t hi = rd(g, TIME_HIGH);
    return hi << 32 | lo;
}

static void set_time(struct rig *g, uint64_t ns)
{
    wr(g, TIME_HIGH, (uint32_t)(ns >> 32));
    wr(g, TIME_LOW, (uint32_t)ns);
}

static void set_alarm(struct rig *g, uint64_t ns)
{
    wr(g, ALARM_HIGH, (uint32_t)(ns >> 32));
    wr(g, ALARM_LOW, (uint32_t)ns);
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

TEST(time_is_the_host_date_in_nanoseconds)
{
    struct rig g;
    rig_init(&g);
    CHECK(!irq_level);
    uint64_t t = read_time(&g);
    int64_t host = (int64_t)time(NULL);
    int64_t secs = (int64_t)(t / NS);
    CHECK(secs >= host - 2 && secs <= host + 2);
    CHECK(secs > 1600000000); /* after 2020: the high word matters */
    rig_free(&g);
}

TEST(time_is_monotonic_and_advances)
{
    struct rig g;
    rig_init(&g);
    uint64_t prev = read_time(&g), first = prev;
    for (int i = 0; i < 1000; i++) {
        uint64_t t = read_time(&g);
        CHECK(t >= prev);
        prev = t;
    }
    sleep_us(10000);
    CHECK(read_time(&g) - first >= 10000000ull);
    rig_free(&g);
}

TEST(time_high_is_latched_by_time_low)
{
    struct rig g;
    rig_init(&g);
    int tries = 0;
    for (; tries < 50; tries++) {
        set_time(&g, 0x00000005ffff0000ull); /* 65 us before a carry into the high word */
        uint32_t lo = rd(&g, TIME_LOW);
        if (lo < 0xffff0000u)
            continue;                   /* preempted past the carry: try again */
        sleep_us(1000);                 /* the carry happens in here */
        CHECK_EQ(rd(&g, TIME_HIGH), 5); /* the latched half, not the current one */
        CHECK_EQ(rd(&g, TIME_HIGH), 5);
        rd(&g, TIME_LOW);
        CHECK_EQ(rd(&g, TIME_HIGH), 6);
        break;
    }
    CHECK(tries < 50);
    rig_free(&g);
}

TEST(time_is_settable_and_keeps_running)
{
    struct rig g;
    rig_init(&g);
    uint64_t want = 946684800ull * NS; /* 2000-01-01 */
    set_time(&g, want);
    uint64_t t = read_time(&g);
    CHECK(t >= want && t - want < NS);
    sleep_us(5000);
    CHECK(read_time(&g) - want >= 5000000ull);
    /* Survives a reset, as in QEMU (only the alarm state resets). */
    rtc_reset(g.r);
    t = read_time(&g);
    CHECK(t >= want && t - want < 2 * NS);
    rig_free(&g);
}

TEST(alarm_in_the_past_fires_at_once_when_enabled)
{
    struct rig g;
    rig_init(&g);
    set_alarm(&g, read_time(&g) - NS);
    CHECK(!irq_level); /* pending but not enabled */
    CHECK_EQ(rd(&g, ALARM_STATUS), 0);
    wr(&g, IRQ_ENABLED, 1);
    CHECK(irq_level);
    CHECK_EQ(rd(&g, IRQ_ENABLED), 1);
    wr(&g, CLEAR_INTERRUPT, 1);
    CHECK(!irq_level);
    rig_free(&g);
}

TEST(alarm_in_the_future_fires_from_rtc_update)
{
    struct rig g;
    rig_init(&g);
    wr(&g, IRQ_ENABLED, 1);
    uint64_t at = read_time(&g) + 50000000ull; /* 50 ms */
    set_alarm(&g, at);
    CHECK_EQ(rd(&g, ALARM_STATUS), 1);
    CHECK_EQ(rd(&g, ALARM_LOW), (uint32_t)at);
    CHECK_EQ(rd(&g, ALARM_HIGH), (uint32_t)(at >> 32));
    rtc_update(g.r);
    CHECK(!irq_level);
    sleep_us(80000);
    CHECK(!irq_level); /* fires when the run loop asks */
    rtc_update(g.r);
    CHECK(irq_level);
    CHECK_EQ(rd(&g, ALARM_STATUS), 0);
    wr(&g, CLEAR_INTERRUPT, 0);
    CHECK(!irq_level);
    rig_free(&g);
}

TEST(clear_alarm_cancels_it)
{
    struct rig g;
    rig_init(&g);
    wr(&g, IRQ_ENABLED, 1);
    set_alarm(&g, read_time(&g) + 50000000ull);
    CHECK_EQ(rd(&g, ALARM_STATUS), 1);
    wr(&g, CLEAR_ALARM, 1);
    CHECK_EQ(rd(&g, ALARM_STATUS), 0);
    sleep_us(80000);
    rtc_update(g.r);
    CHECK(!irq_level);
    rig_free(&g);
}

TEST(write_only_and_unknown_offsets_read_zero)
{
    struct rig g;
    rig_init(&g);
    CHECK_EQ(rd(&g, CLEAR_ALARM), 0);
    CHECK_EQ(rd(&g, CLEAR_INTERRUPT), 0);
    CHECK_EQ(rd(&g, 0x20), 0);
    wr(&g, 0x20, 0xffffffff);
    CHECK_EQ(rd(&g, 0xffc), 0);
    wr(&g, IRQ_ENABLED, 0xfffffffe); /* bit 0 only */
    CHECK_EQ(rd(&g, IRQ_ENABLED), 0);
    uint64_t v;
    CHECK_EQ(bus_read(&g.bus, RTC_BASE, 8, &v), 0); /* split low then high: consistent */
    CHECK(v / NS > 1600000000ull);
    rig_free(&g);
}

TEST(save_restore_round_trip)
{
    struct rig g;
    rig_init(&g);
    uint64_t want = 1234567890ull * NS;
    set_time(&g, want);
    wr(&g, IRQ_ENABLED, 1);
    set_alarm(&g, want + 3600 * NS);
    uint8_t img[64];
    size_t len;
    CHECK_EQ(rtc_save(g.r, img, sizeof(img), &len), 0);

    struct rig h;
    rig_init(&h);
    CHECK_EQ(rtc_restore(h.r, img, len), 0);
    uint64_t t = read_time(&h);
    CHECK(t >= want && t - want < NS);
    CHECK_EQ(rd(&h, IRQ_ENABLED), 1);
    CHECK_EQ(rd(&h, ALARM_STATUS), 1);
    CHECK_EQ(rd(&h, ALARM_HIGH), (uint32_t)((want + 3600 * NS) >> 32));
    CHECK(!irq_level);
    CHECK_EQ(rtc_restore(h.r, img, len - 1), -ERR_FORMAT);
    img[4] = 9; /* version */
    CHECK_EQ(rtc_restore(h.r, img, len), -ERR_FORMAT);
    rig_free(&h);
    rig_free(&g);
}

TEST_MAIN("rtc")
