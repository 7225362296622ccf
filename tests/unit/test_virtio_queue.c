/* Split virtqueues as a hostile driver sees them: well-formed chains (direct, indirect, mixed)
 * complete; every kind of malformed ring or chain ends in DEVICE_NEEDS_RESET with a
 * configuration interrupt and no used entry; notification suppression (EVENT_IDX,
 * NO_INTERRUPT) is honoured; and random garbage never crashes the host (run under ASan).
 * The device under test is virtio-rng, which accepts any chain of writable buffers. */
#include "virtio_driver.h"

#define QN 8 /* queue size used by most tests (QueueNumMax is at least this) */
#define BUF (DATA_BASE + 0x1000)
#define ITABLE (DATA_BASE + 0x80000) /* indirect tables */

static void rng_up(struct vdrv *v, uint64_t want)
{
    vdrv_bus(v, false);
    vdrv_attach(v, virtio_rng_new(&v->bus, vdrv_line(v), false));
    vdrv_up(v, want, 1, QN);
}

/* The device refused the chain: NEEDS_RESET, config interrupt, nothing used. */
static void check_device_error(struct vdrv *v, const char *what)
{
    if (!needs_reset(v))
        fprintf(stderr, "no NEEDS_RESET for: %s\n", what);
    CHECK(needs_reset(v));
    CHECK(rd(v, R_ISR) & 2);
    CHECK(v->irq);
    CHECK_EQ(used_idx(v, 0), 0);
    CHECK(virtio_dev_last_error(v->d) != NULL);
}

/* Posts the chain at head and kicks. */
static void post(struct vdrv *v, uint16_t head)
{
    offer(v, 0, head);
    kick(v, 0);
}

TEST(a_single_writable_buffer_is_filled)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    memset(gp(&v, BUF), 0, 64);
    desc(&v, 0, 0, BUF, 64, D_WRITE, 0);
    post(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK_EQ(used_id(&v, 0, 0), 0);
    CHECK_EQ(used_len(&v, 0, 0), 64);
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += gp(&v, BUF)[i] != 0;
    CHECK(nonzero > 32);
    CHECK(v.irq);
    CHECK_EQ(rd(&v, R_ISR), 1);
    wr(&v, R_ACK, 1);
    CHECK(!v.irq);
    CHECK(!needs_reset(&v));
    vdrv_free(&v);
}

TEST(a_chain_of_three_and_an_indirect_table_both_complete)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 16, D_WRITE | D_NEXT, 5);
    desc(&v, 0, 5, BUF + 100, 16, D_WRITE | D_NEXT, 2);
    desc(&v, 0, 2, BUF + 200, 16, D_WRITE, 0);
    post(&v, 0);
    CHECK_EQ(used_len(&v, 0, 0), 48);
    put_desc(&v, ITABLE, 0, BUF, 8, D_WRITE | D_NEXT, 1);
    put_desc(&v, ITABLE, 1, BUF + 8, 8, D_WRITE, 0);
    desc(&v, 0, 3, ITABLE, 32, D_INDIRECT | D_WRITE, 0); /* WRITE on it is ignored */
    post(&v, 3);
    CHECK_EQ(used_idx(&v, 0), 2);
    CHECK_EQ(used_id(&v, 0, 1), 3);
    CHECK_EQ(used_len(&v, 0, 1), 16);
    CHECK(!needs_reset(&v));
    vdrv_free(&v);
}

TEST(direct_descriptors_may_end_in_one_indirect_table)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    put_desc(&v, ITABLE, 0, BUF + 64, 8, D_WRITE, 0);
    desc(&v, 0, 0, BUF, 8, D_WRITE | D_NEXT, 1);
    desc(&v, 0, 1, ITABLE, 16, D_INDIRECT, 0);
    post(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK_EQ(used_len(&v, 0, 0), 16);
    CHECK(!needs_reset(&v));
    vdrv_free(&v);
}

TEST(buffer_outside_ram_is_a_device_error)
{
    static const uint64_t addrs[] = {
        0, 0x1000, VBASE, RAM_END, RAM_END + 0x1000, 0xffffffffffff0000ull, RAM_BASE - 8};
    for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++) {
        struct vdrv v;
        rng_up(&v, ~0ull);
        desc(&v, 0, 0, addrs[i], 16, D_WRITE, 0);
        post(&v, 0);
        check_device_error(&v, "buffer outside RAM");
        vdrv_free(&v);
    }
}

TEST(buffer_straddling_the_end_of_ram_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, RAM_END - 8, 16, D_WRITE, 0);
    post(&v, 0);
    check_device_error(&v, "straddling");
    vdrv_free(&v);
}

TEST(huge_lengths_are_a_device_error)
{
    static const uint32_t lens[] = {0xffffffffu, 0x80000000u, (uint32_t)RAM_SIZE + 1};
    for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
        struct vdrv v;
        rng_up(&v, ~0ull);
        desc(&v, 0, 0, RAM_BASE, lens[i], D_WRITE, 0);
        post(&v, 0);
        check_device_error(&v, "huge length");
        vdrv_free(&v);
    }
}

TEST(address_plus_length_wrapping_around_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, 0xfffffffffffffff0ull, 0x80000100u, D_WRITE, 0);
    post(&v, 0);
    check_device_error(&v, "wrap");
    vdrv_free(&v);
}

TEST(descriptor_loops_are_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 8, D_WRITE | D_NEXT, 1);
    desc(&v, 0, 1, BUF, 8, D_WRITE | D_NEXT, 0);
    post(&v, 0);
    check_device_error(&v, "two-descriptor loop");
    vdrv_free(&v);

    rng_up(&v, ~0ull);
    desc(&v, 0, 4, BUF, 8, D_WRITE | D_NEXT, 4);
    post(&v, 4);
    check_device_error(&v, "self loop");
    vdrv_free(&v);
}

TEST(a_loop_inside_an_indirect_table_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    put_desc(&v, ITABLE, 0, BUF, 8, D_WRITE | D_NEXT, 1);
    put_desc(&v, ITABLE, 1, BUF, 8, D_WRITE | D_NEXT, 0);
    desc(&v, 0, 0, ITABLE, 32, D_INDIRECT, 0);
    post(&v, 0);
    check_device_error(&v, "indirect loop");
    vdrv_free(&v);
}

TEST(next_index_out_of_range_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 8, D_WRITE | D_NEXT, QN);
    post(&v, 0);
    check_device_error(&v, "next out of range");
    vdrv_free(&v);

    rng_up(&v, ~0ull);
    put_desc(&v, ITABLE, 0, BUF, 8, D_WRITE | D_NEXT, 2); /* table has 2 entries */
    desc(&v, 0, 0, ITABLE, 32, D_INDIRECT, 0);
    post(&v, 0);
    check_device_error(&v, "indirect next out of range");
    vdrv_free(&v);
}

TEST(head_index_out_of_range_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    post(&v, 0xffff);
    check_device_error(&v, "head out of range");
    vdrv_free(&v);
}

TEST(nested_indirect_tables_are_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    put_desc(&v, ITABLE + 0x100, 0, BUF, 8, D_WRITE, 0);
    put_desc(&v, ITABLE, 0, ITABLE + 0x100, 16, D_INDIRECT, 0);
    desc(&v, 0, 0, ITABLE, 16, D_INDIRECT, 0);
    post(&v, 0);
    check_device_error(&v, "nested indirect");
    vdrv_free(&v);
}

TEST(malformed_indirect_descriptors_are_a_device_error)
{
    struct {
        uint64_t addr;
        uint32_t len;
        uint16_t flags;
        const char *what;
    } cases[] = {
        {ITABLE, 0, D_INDIRECT, "empty table"},
        {ITABLE, 24, D_INDIRECT, "length not a multiple of 16"},
        {RAM_END - 16, 32, D_INDIRECT, "table straddling the end of RAM"},
        {0x1000, 16, D_INDIRECT, "table outside RAM"},
        {ITABLE, 16 * 1025, D_INDIRECT, "table longer than the chain limit"},
        {ITABLE, 16, D_INDIRECT | D_NEXT, "INDIRECT with NEXT"},
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        struct vdrv v;
        rng_up(&v, ~0ull);
        put_desc(&v, ITABLE, 0, BUF, 8, D_WRITE, 0);
        desc(&v, 0, 0, cases[i].addr, cases[i].len, cases[i].flags, 1);
        desc(&v, 0, 1, BUF, 8, D_WRITE, 0);
        post(&v, 0);
        check_device_error(&v, cases[i].what);
        vdrv_free(&v);
    }
}

TEST(indirect_without_the_feature_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~F_INDIRECT);
    put_desc(&v, ITABLE, 0, BUF, 8, D_WRITE, 0);
    desc(&v, 0, 0, ITABLE, 16, D_INDIRECT, 0);
    post(&v, 0);
    check_device_error(&v, "indirect not negotiated");
    vdrv_free(&v);
}

TEST(zero_length_descriptor_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 0, D_WRITE, 0);
    post(&v, 0);
    check_device_error(&v, "zero length");
    vdrv_free(&v);
}

TEST(readable_after_writable_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 8, D_WRITE | D_NEXT, 1);
    desc(&v, 0, 1, BUF + 8, 8, D_NEXT, 2);
    desc(&v, 0, 2, BUF + 16, 8, D_WRITE, 0);
    post(&v, 0);
    check_device_error(&v, "wrong direction");
    vdrv_free(&v);
}

TEST(a_chain_over_4_gib_in_total_is_a_device_error)
{
    /* 257 buffers of all of RAM (16 MiB each) add up to just over 4 GiB. */
    struct vdrv v;
    rng_up(&v, ~0ull);
    for (unsigned i = 0; i < 257; i++)
        put_desc(&v, ITABLE, i, RAM_BASE, (uint32_t)RAM_SIZE, D_WRITE | (i < 256 ? D_NEXT : 0),
                 (uint16_t)(i + 1));
    desc(&v, 0, 0, ITABLE, 16 * 257, D_INDIRECT, 0);
    post(&v, 0);
    check_device_error(&v, "4 GiB");
    vdrv_free(&v);
}

TEST(avail_index_jumping_past_the_queue_size_is_a_device_error)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    g16(&v, v.q[0].avail + 2, QN + 1);
    kick(&v, 0);
    check_device_error(&v, "avail jump");
    vdrv_free(&v);

    rng_up(&v, ~0ull);
    g16(&v, v.q[0].avail + 2, 0xffff); /* "backwards" is a jump of 65535 */
    kick(&v, 0);
    check_device_error(&v, "avail backwards");
    vdrv_free(&v);
}

TEST(avail_index_moving_by_exactly_the_queue_size_is_fine)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    for (unsigned i = 0; i < QN; i++) {
        desc(&v, 0, i, BUF + 16 * i, 16, D_WRITE, 0);
        offer(&v, 0, (uint16_t)i);
    }
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), QN);
    CHECK(!needs_reset(&v));
    vdrv_free(&v);
}

TEST(after_a_device_error_notifies_are_ignored_until_reset)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, 0, 8, D_WRITE, 0);
    post(&v, 0);
    check_device_error(&v, "first");
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0); /* fixed, but the device stays down */
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 0);
    wr(&v, R_STATUS, rd(&v, R_STATUS) & ~S_NEEDS_RESET); /* the driver cannot clear it */
    CHECK(needs_reset(&v));
    vdrv_up(&v, ~0ull, 1, QN); /* reset and start over */
    CHECK(!needs_reset(&v));
    CHECK(!v.irq);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    post(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    struct virtio_stats s;
    virtio_dev_get_stats(v.d, &s);
    CHECK_EQ(s.device_errors, 1);
    CHECK_EQ(s.chains, 1);
    vdrv_free(&v);
}

TEST(no_interrupt_flag_suppresses_the_used_interrupt)
{
    struct vdrv v;
    rng_up(&v, ~F_EVENT_IDX);
    g16(&v, v.q[0].avail, 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT */
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    post(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK(!v.irq);
    CHECK_EQ(rd(&v, R_ISR), 0);
    g16(&v, v.q[0].avail, 0);
    post(&v, 0);
    CHECK(v.irq);
    vdrv_free(&v);
}

TEST(event_idx_interrupts_only_when_used_event_is_crossed)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    uint64_t used_event = v.q[0].avail + 4 + 2 * QN;
    uint64_t avail_event = v.q[0].used + 4 + 8 * QN;
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    g16(&v, used_event, 2);   /* interrupt when the entry with index 2 is used */
    g16(&v, v.q[0].avail, 1); /* NO_INTERRUPT must be ignored under EVENT_IDX */
    post(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK(!v.irq);
    CHECK_EQ(r16(&v, avail_event), 1); /* device asks for a kick on the next buffer */
    post(&v, 0);
    CHECK(!v.irq);
    post(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 3);
    CHECK(v.irq);
    wr(&v, R_ACK, 1);
    /* A batch that jumps over used_event still interrupts. */
    g16(&v, used_event, 4);
    offer(&v, 0, 0);
    offer(&v, 0, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 6);
    CHECK(v.irq);
    vdrv_free(&v);
}

TEST(indices_wrap_at_65536)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 1, D_WRITE, 0);
    for (unsigned i = 0; i < 70000; i++)
        post(&v, 0);
    CHECK_EQ(used_idx(&v, 0), (uint16_t)70000);
    CHECK(!needs_reset(&v));
    vdrv_free(&v);
}

TEST(a_notify_for_a_queue_that_does_not_exist_is_ignored)
{
    struct vdrv v;
    rng_up(&v, ~0ull);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 1);
    kick(&v, 0xffffffff);
    CHECK_EQ(used_idx(&v, 0), 0);
    CHECK(!needs_reset(&v));
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    vdrv_free(&v);
}

/* A small deterministic generator for the garbage test. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Each round picks how hostile it is: the chance in 64 that a field is garbage. */
static unsigned hostility;
static bool garbage(void)
{
    return rnd() % 64 < hostility;
}

static uint64_t rnd_addr(void)
{
    if (garbage())
        return (rnd() & 1) ? rnd() : RAM_END - (rnd() % 64);
    return (rnd() & 3) ? DATA_BASE + rnd() % 0x100000 : ITABLE + 16 * (rnd() % 64);
}

static uint16_t rnd_flags(void)
{
    return garbage() ? (uint16_t)(rnd() & 7) : (rnd() & 1) ? D_WRITE : D_WRITE | D_NEXT;
}

static uint32_t rnd_len(void)
{
    return garbage() ? (uint32_t)rnd() : 1 + (uint32_t)(rnd() % 300);
}

static uint16_t rnd_index(unsigned n)
{
    return (uint16_t)(garbage() ? rnd() % (n + 3) : rnd() % n);
}

TEST(random_rings_never_crash_and_end_used_or_in_needs_reset)
{
    struct vdrv v;
    vdrv_bus(&v, false);
    vdrv_attach(&v, virtio_rng_new(&v.bus, vdrv_line(&v), false));
    unsigned max = rd(&v, R_QNUM_MAX), errors = 0, used = 0;
    for (unsigned iter = 0; iter < 3000; iter++) {
        hostility = (unsigned)(rnd() % 3) * 8;
        uint16_t num = (uint16_t)(1u << (rnd() % 9));
        if (num > max)
            num = (uint16_t)max;
        vdrv_up(&v, rnd() | F_VERSION_1, 1, num);
        for (unsigned i = 0; i < num; i++)
            desc(&v, 0, i, rnd_addr(), rnd_len(), rnd_flags(), rnd_index(num));
        for (unsigned i = 0; i < 64; i++)
            put_desc(&v, ITABLE, i, rnd_addr(), rnd_len(), rnd_flags(), rnd_index(64));
        unsigned n = (unsigned)(garbage() ? rnd() % (num + 3) : rnd() % (num + 1));
        for (unsigned i = 0; i < n; i++)
            offer(&v, 0, rnd_index(num));
        kick(&v, 0);
        if (needs_reset(&v)) {
            errors++;
        } else {
            CHECK_EQ(used_idx(&v, 0), n);
            used += n;
        }
    }
    /* Both outcomes must be common, or the test is not exercising what it claims to. */
    if (errors <= 300 || used <= 300)
        fprintf(stderr, "random rings: %u device errors, %u chains used\n", errors, used);
    CHECK(errors > 300);
    CHECK(used > 300);
    vdrv_free(&v);
}

TEST_MAIN("virtio_queue")
