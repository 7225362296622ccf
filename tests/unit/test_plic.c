/* The PLIC: claim/complete, priority and threshold, tie-breaking, per-context enables, the
 * level-triggered gateway, and the M/S output lines of each hart. */
#include "test.h"

#include "dev/dev.h"

#define PLIC_BASE 0xc000000ull
#define NHARTS 2

static bool meip[NHARTS], seip[NHARTS];
static int line_calls;

static void meip_cb(void *ctx, unsigned n, bool level)
{
    meip[n] = level;
    line_calls++;
}

static void seip_cb(void *ctx, unsigned n, bool level)
{
    seip[n] = level;
    line_calls++;
}

struct rig {
    struct bus bus;
    struct plic *p;
};

static void rig_init(struct rig *r)
{
    struct irq_line m[NHARTS], s[NHARTS];
    for (unsigned i = 0; i < NHARTS; i++) {
        m[i] = (struct irq_line){meip_cb, NULL, i};
        s[i] = (struct irq_line){seip_cb, NULL, i};
        meip[i] = seip[i] = true; /* reset must drive them low */
    }
    bus_init(&r->bus, 0x80000000ull, 1 << 16);
    r->p = plic_new(NHARTS, m, s);
    if (bus_add_mmio(&r->bus, PLIC_BASE, 0x600000, &plic_ops, r->p))
        abort();
}

static void rig_free(struct rig *r)
{
    plic_free(r->p);
    bus_free(&r->bus);
}

static uint32_t rd(struct rig *r, uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    if (bus_read(&r->bus, PLIC_BASE + off, 4, &v))
        abort();
    return (uint32_t)v;
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
    if (bus_write(&r->bus, PLIC_BASE + off, 4, v))
        abort();
}

#define PRIO(n) (4 * (n))
#define PENDING(w) (0x1000 + 4 * (w))
#define ENABLE(ctx, w) (0x2000 + 0x80 * (ctx) + 4 * (w))
#define THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

static void enable(struct rig *r, unsigned ctx, unsigned n)
{
    wr(r, ENABLE(ctx, n / 32), rd(r, ENABLE(ctx, n / 32)) | (1u << (n % 32)));
}

TEST(reset_state_is_quiet)
{
    struct rig r;
    rig_init(&r);
    for (unsigned h = 0; h < NHARTS; h++)
        CHECK(!meip[h] && !seip[h]);
    for (unsigned n = 0; n < PLIC_NUM_SOURCES; n++)
        CHECK_EQ(rd(&r, PRIO(n)), 0);
    for (unsigned ctx = 0; ctx < 2 * NHARTS; ctx++) {
        CHECK_EQ(rd(&r, THRESHOLD(ctx)), 0);
        CHECK_EQ(rd(&r, CLAIM(ctx)), 0);
        CHECK_EQ(rd(&r, ENABLE(ctx, 0)), 0);
    }
    rig_free(&r);
}

TEST(priority_and_threshold_are_three_bits)
{
    struct rig r;
    rig_init(&r);
    wr(&r, PRIO(5), 0xffffffff);
    CHECK_EQ(rd(&r, PRIO(5)), 7);
    wr(&r, PRIO(95), 9);
    CHECK_EQ(rd(&r, PRIO(95)), 1);
    wr(&r, THRESHOLD(1), 0x0f);
    CHECK_EQ(rd(&r, THRESHOLD(1)), 7);
    rig_free(&r);
}

TEST(claim_complete_cycle_drives_the_context_line)
{
    struct rig r;
    rig_init(&r);
    struct irq_line in = plic_input(r.p, 10);
    wr(&r, PRIO(10), 1);
    enable(&r, 1, 10); /* hart 0, S-mode */
    irq_set(&in, true);
    CHECK(seip[0]);
    CHECK(!meip[0]);
    CHECK(!seip[1]);
    CHECK_EQ(rd(&r, PENDING(0)), 1u << 10);
    CHECK_EQ(rd(&r, CLAIM(1)), 10);
    CHECK(!seip[0]); /* claimed: no longer pending */
    CHECK_EQ(rd(&r, PENDING(0)), 0);
    CHECK_EQ(rd(&r, CLAIM(1)), 0); /* nothing else */
    irq_set(&in, false);           /* the device is serviced */
    wr(&r, CLAIM(1), 10);
    CHECK(!seip[0]);
    CHECK_EQ(rd(&r, PENDING(0)), 0);
    rig_free(&r);
}

TEST(completing_with_the_line_still_high_rearms)
{
    struct rig r;
    rig_init(&r);
    wr(&r, PRIO(33), 2);
    enable(&r, 0, 33);
    plic_set_source(r.p, 33, true);
    CHECK(meip[0]);
    CHECK_EQ(rd(&r, PENDING(1)), 1u << 1);
    CHECK_EQ(rd(&r, CLAIM(0)), 33);
    CHECK(!meip[0]);
    wr(&r, CLAIM(0), 33);
    CHECK(meip[0]); /* still high: pending again */
    CHECK_EQ(rd(&r, CLAIM(0)), 33);
    plic_set_source(r.p, 33, false);
    wr(&r, CLAIM(0), 33);
    CHECK(!meip[0]);
    /* A line that drops before it is claimed is no longer pending (level gateway). */
    plic_set_source(r.p, 33, true);
    CHECK(meip[0]);
    plic_set_source(r.p, 33, false);
    CHECK(!meip[0]);
    CHECK_EQ(rd(&r, CLAIM(0)), 0);
    rig_free(&r);
}

TEST(claim_picks_highest_priority_then_lowest_id)
{
    struct rig r;
    rig_init(&r);
    unsigned srcs[] = {3, 7, 40, 64, 95};
    unsigned prio[] = {2, 5, 5, 1, 7};
    for (unsigned i = 0; i < 5; i++) {
        wr(&r, PRIO(srcs[i]), prio[i]);
        enable(&r, 2, srcs[i]);
        plic_set_source(r.p, srcs[i], true);
    }
    CHECK(meip[1]);
    CHECK_EQ(rd(&r, CLAIM(2)), 95); /* priority 7 */
    CHECK_EQ(rd(&r, CLAIM(2)), 7);  /* 7 and 40 tie at 5: lower id first */
    CHECK_EQ(rd(&r, CLAIM(2)), 40);
    CHECK_EQ(rd(&r, CLAIM(2)), 3);
    CHECK_EQ(rd(&r, CLAIM(2)), 64);
    CHECK_EQ(rd(&r, CLAIM(2)), 0);
    CHECK(!meip[1]);
    rig_free(&r);
}

TEST(threshold_masks_equal_or_lower_priorities_and_priority_zero_never_fires)
{
    struct rig r;
    rig_init(&r);
    wr(&r, PRIO(1), 3);
    wr(&r, PRIO(2), 4);
    wr(&r, PRIO(4), 0);
    enable(&r, 0, 1);
    enable(&r, 0, 2);
    enable(&r, 0, 4);
    plic_set_source(r.p, 4, true);
    CHECK(!meip[0]); /* priority 0 */
    CHECK_EQ(rd(&r, PENDING(0)), 1u << 4);
    CHECK_EQ(rd(&r, CLAIM(0)), 0);
    wr(&r, THRESHOLD(0), 4);
    plic_set_source(r.p, 1, true);
    plic_set_source(r.p, 2, true);
    CHECK(!meip[0]); /* 3 and 4 are not above 4 */
    CHECK_EQ(rd(&r, CLAIM(0)), 0);
    wr(&r, THRESHOLD(0), 3);
    CHECK(meip[0]);
    CHECK_EQ(rd(&r, CLAIM(0)), 2);
    CHECK(!meip[0]); /* source 1 has priority 3, not above 3 */
    wr(&r, THRESHOLD(0), 0);
    CHECK(meip[0]);
    CHECK_EQ(rd(&r, CLAIM(0)), 1);
    rig_free(&r);
}

TEST(enables_are_per_context)
{
    struct rig r;
    rig_init(&r);
    wr(&r, PRIO(20), 1);
    enable(&r, 3, 20); /* hart 1 S-mode only */
    plic_set_source(r.p, 20, true);
    CHECK(seip[1]);
    CHECK(!meip[0] && !seip[0] && !meip[1]);
    CHECK_EQ(rd(&r, CLAIM(0)), 0);
    CHECK_EQ(rd(&r, CLAIM(1)), 0);
    CHECK_EQ(rd(&r, CLAIM(2)), 0);
    /* Enable it for hart 0 M-mode too: both contexts see it until one claims it. */
    enable(&r, 0, 20);
    CHECK(meip[0]);
    CHECK_EQ(rd(&r, CLAIM(0)), 20);
    CHECK(!meip[0]);
    CHECK(!seip[1]);
    CHECK_EQ(rd(&r, CLAIM(3)), 0);
    /* Completing from a context where it is not enabled is ignored. */
    wr(&r, CLAIM(1), 20);
    CHECK(!meip[0] && !seip[1]);
    /* Completing where it is enabled (not necessarily the claimer) re-arms it. */
    wr(&r, CLAIM(3), 20);
    CHECK(meip[0] && seip[1]);
    /* Disabling the enable drops the line. */
    wr(&r, ENABLE(0, 0), 0);
    CHECK(!meip[0]);
    CHECK(seip[1]);
    rig_free(&r);
}

TEST(bad_sources_and_offsets_are_harmless)
{
    struct rig r;
    rig_init(&r);
    plic_set_source(r.p, 0, true);
    plic_set_source(r.p, PLIC_NUM_SOURCES, true);
    plic_set_source(r.p, 1000000, true);
    CHECK_EQ(rd(&r, PENDING(0)), 0);
    CHECK_EQ(rd(&r, PENDING(3)), 0);
    wr(&r, PENDING(0), 0xffffffff); /* read-only */
    CHECK_EQ(rd(&r, PENDING(0)), 0);
    wr(&r, CLAIM(0), 0xffffffff);
    wr(&r, CLAIM(0), 96);
    wr(&r, ENABLE(0, 3), 0xffffffff); /* beyond the 96 sources */
    CHECK_EQ(rd(&r, ENABLE(0, 3)), 0);
    /* Contexts past the last hart. */
    wr(&r, THRESHOLD(2 * NHARTS), 5);
    CHECK_EQ(rd(&r, THRESHOLD(2 * NHARTS)), 0);
    CHECK_EQ(rd(&r, CLAIM(2 * NHARTS)), 0);
    wr(&r, ENABLE(2 * NHARTS, 0), 0xffffffff);
    CHECK_EQ(rd(&r, ENABLE(2 * NHARTS, 0)), 0);
    CHECK_EQ(rd(&r, 0x5ffffc), 0);
    CHECK_EQ(rd(&r, 0x200008), 0);
    uint64_t v;
    CHECK_EQ(bus_read(&r.bus, PLIC_BASE + 4 * 10, 1, &v), 0); /* narrow: widened by the bus */
    CHECK_EQ(v, 0);
    rig_free(&r);
}

TEST(reset_clears_configuration_and_lowers_lines)
{
    struct rig r;
    rig_init(&r);
    wr(&r, PRIO(9), 3);
    enable(&r, 0, 9);
    wr(&r, THRESHOLD(0), 1);
    plic_set_source(r.p, 9, true);
    CHECK(meip[0]);
    CHECK_EQ(rd(&r, CLAIM(0)), 9);
    plic_reset(r.p);
    CHECK(!meip[0]);
    CHECK_EQ(rd(&r, PRIO(9)), 0);
    CHECK_EQ(rd(&r, ENABLE(0, 0)), 0);
    CHECK_EQ(rd(&r, THRESHOLD(0)), 0);
    CHECK_EQ(rd(&r, PENDING(0)), 1u << 9); /* the line is still high; the claim is gone */
    rig_free(&r);
}

TEST(save_restore_round_trip)
{
    struct rig r;
    rig_init(&r);
    wr(&r, PRIO(5), 6);
    wr(&r, PRIO(50), 2);
    wr(&r, PRIO(70), 4);
    enable(&r, 0, 5);
    enable(&r, 0, 50);
    enable(&r, 3, 70);
    wr(&r, THRESHOLD(0), 1);
    wr(&r, THRESHOLD(3), 2);
    plic_set_source(r.p, 5, true);
    plic_set_source(r.p, 50, true);
    plic_set_source(r.p, 70, true);
    CHECK_EQ(rd(&r, CLAIM(0)), 5);

    size_t need;
    CHECK_EQ(plic_save(r.p, NULL, 0, &need), -ERR_RANGE);
    uint8_t *img = malloc(need);
    size_t len;
    CHECK_EQ(plic_save(r.p, img, need, &len), 0);
    CHECK_EQ(len, need);

    struct rig s;
    rig_init(&s);
    CHECK_EQ(plic_restore(s.p, img, len), 0);
    CHECK(meip[0]); /* 50 is pending */
    CHECK(seip[1]); /* 70 for hart 1 S-mode */
    CHECK_EQ(rd(&s, PRIO(5)), 6);
    CHECK_EQ(rd(&s, THRESHOLD(3)), 2);
    CHECK_EQ(rd(&s, PENDING(0)), 0); /* 5 is still claimed */
    CHECK_EQ(rd(&s, CLAIM(0)), 50);
    wr(&s, CLAIM(0), 5); /* completing 5 re-arms it: its line is high */
    CHECK_EQ(rd(&s, CLAIM(0)), 5);
    CHECK_EQ(rd(&s, CLAIM(3)), 70);

    struct irq_line none[1] = {{NULL, NULL, 0}};
    struct plic *one = plic_new(1, none, none);
    CHECK_EQ(plic_restore(one, img, len), -ERR_FORMAT);
    plic_free(one);
    CHECK_EQ(plic_restore(s.p, img, len - 1), -ERR_FORMAT);
    free(img);
    rig_free(&s);
    rig_free(&r);
}

TEST_MAIN("plic")
