/* The virtio-mmio transport: identification registers (modern, legacy, empty slot), feature
 * negotiation and FEATURES_OK, status and reset, queue set-up checks, the interrupt line,
 * the configuration space's access widths, the legacy page-based queue layout, and
 * save/restore; plus virtio-rng and virtio-console driven end to end. */
#include "virtio_driver.h"

#include <unistd.h>

#define BUF (DATA_BASE + 0x1000)

static struct virtio_dev *new_rng(struct vdrv *v, bool legacy)
{
    vdrv_bus(v, legacy);
    struct virtio_dev *d = virtio_rng_new(&v->bus, vdrv_line(v), legacy);
    vdrv_attach(v, d);
    return d;
}

TEST(modern_slot_identifies_itself_as_qemu_does)
{
    struct vdrv v;
    new_rng(&v, false);
    CHECK_EQ(rd(&v, R_MAGIC), 0x74726976);
    CHECK_EQ(rd(&v, R_VERSION), 2);
    CHECK_EQ(rd(&v, R_DEVICE_ID), 4);
    CHECK_EQ(rd(&v, R_VENDOR), 0x554d4551);
    CHECK_EQ(virtio_dev_id(v.d), VIRTIO_ID_RNG);
    vdrv_free(&v);
}

TEST(legacy_slot_reports_version_1)
{
    struct vdrv v;
    new_rng(&v, true);
    CHECK_EQ(rd(&v, R_MAGIC), 0x74726976);
    CHECK_EQ(rd(&v, R_VERSION), 1);
    CHECK_EQ(rd(&v, R_DEVICE_ID), 4);
    vdrv_free(&v);
}

TEST(empty_slot_reports_device_id_zero_and_ignores_writes)
{
    struct vdrv v;
    vdrv_bus(&v, false);
    vdrv_attach(&v, virtio_empty_new(&v.bus, vdrv_line(&v), false));
    CHECK_EQ(rd(&v, R_MAGIC), 0x74726976);
    CHECK_EQ(rd(&v, R_VERSION), 2);
    CHECK_EQ(rd(&v, R_DEVICE_ID), 0);
    CHECK_EQ(rd(&v, R_VENDOR), 0x554d4551);
    wr(&v, R_STATUS, S_ACK);
    CHECK_EQ(rd(&v, R_STATUS), 0);
    CHECK_EQ(rd(&v, R_QNUM_MAX), 0);
    wr(&v, R_NOTIFY, 0);
    CHECK(!v.irq);
    vdrv_free(&v);
}

TEST(control_registers_answer_only_32_bit_accesses)
{
    struct vdrv v;
    new_rng(&v, false);
    CHECK_EQ(rdn(&v, R_MAGIC, 1), 0);
    CHECK_EQ(rdn(&v, R_MAGIC, 2), 0);
    if (bus_write(&v.bus, VBASE + R_STATUS, 1, S_ACK))
        abort();
    CHECK_EQ(rd(&v, R_STATUS), 0);
    /* 8 bytes split into two 32-bit halves */
    CHECK_EQ(rdn(&v, R_MAGIC, 8), 0x74726976ull | 2ull << 32);
    vdrv_free(&v);
}

TEST(modern_device_offers_version_1_indirect_and_event_idx)
{
    struct vdrv v;
    new_rng(&v, false);
    uint64_t f = dev_features(&v);
    CHECK(f & F_VERSION_1);
    CHECK(f & F_INDIRECT);
    CHECK(f & F_EVENT_IDX);
    wr(&v, R_DEV_FEAT_SEL, 2);
    CHECK_EQ(rd(&v, R_DEV_FEAT), 0);
    vdrv_free(&v);
}

TEST(features_ok_is_refused_without_version_1)
{
    struct vdrv v;
    new_rng(&v, false);
    uint32_t st = vdrv_negotiate(&v, ~F_VERSION_1);
    CHECK(!(st & S_FEATURES_OK));
    st = vdrv_negotiate(&v, ~0ull);
    CHECK(st & S_FEATURES_OK);
    vdrv_free(&v);
}

TEST(features_ok_is_refused_for_features_not_offered)
{
    struct vdrv v;
    new_rng(&v, false);
    wr(&v, R_STATUS, 0);
    wr(&v, R_STATUS, S_ACK | S_DRIVER);
    set_features(&v, F_VERSION_1 | 1ull << 40);
    wr(&v, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    CHECK(!(rd(&v, R_STATUS) & S_FEATURES_OK));
    vdrv_free(&v);
}

TEST(driver_features_are_frozen_after_features_ok)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, F_VERSION_1, 1, 8);             /* no INDIRECT */
    set_features(&v, F_VERSION_1 | F_INDIRECT); /* too late: ignored */
    put_desc(&v, DATA_BASE, 0, BUF, 8, D_WRITE, 0);
    desc(&v, 0, 0, DATA_BASE, 16, D_INDIRECT, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK(needs_reset(&v));
    vdrv_free(&v);
}

TEST(legacy_device_offers_no_version_1_and_needs_no_features_ok)
{
    struct vdrv v;
    new_rng(&v, true);
    CHECK(!(dev_features(&v) & F_VERSION_1));
    vdrv_up(&v, ~0ull, 1, 8);
    desc(&v, 0, 0, BUF, 32, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK_EQ(used_len(&v, 0, 0), 32);
    vdrv_free(&v);
}

TEST(legacy_queue_sits_at_pfn_with_used_ring_at_queue_align)
{
    struct vdrv v;
    new_rng(&v, true);
    vdrv_negotiate(&v, ~0ull);
    /* By hand: page size 4096, 8 entries at page 0x80020, used ring aligned to 4096. */
    uint64_t base = RAM_BASE + 0x20000;
    memset(gp(&v, base), 0, 0x3000);
    wr(&v, R_PAGE_SIZE, 4096);
    wr(&v, R_QSEL, 0);
    CHECK_EQ(rd(&v, R_QPFN), 0);
    wr(&v, R_QNUM, 8);
    wr(&v, R_QALIGN, 4096);
    wr(&v, R_QPFN, (uint32_t)(base >> 12));
    CHECK_EQ(rd(&v, R_QPFN), base >> 12);
    CHECK_EQ(rd(&v, R_QREADY), 0); /* a modern register: reads 0 in legacy mode */
    vdrv_driver_ok(&v);
    uint64_t avail = base + 16 * 8, used = base + 4096;
    put_desc(&v, base, 3, BUF, 5, D_WRITE, 0);
    g16(&v, avail + 4, 3);
    g16(&v, avail + 2, 1);
    kick(&v, 0);
    CHECK_EQ(r16(&v, used + 2), 1);
    CHECK_EQ(r32(&v, used + 4), 3);
    CHECK_EQ(r32(&v, used + 8), 5);
    /* PFN 0 takes the queue down. */
    wr(&v, R_QPFN, 0);
    CHECK_EQ(rd(&v, R_QPFN), 0);
    g16(&v, avail + 6, 3);
    g16(&v, avail + 2, 2);
    kick(&v, 0);
    CHECK_EQ(r16(&v, used + 2), 1);
    vdrv_free(&v);
}

TEST(legacy_queue_align_not_a_power_of_two_needs_reset)
{
    struct vdrv v;
    new_rng(&v, true);
    vdrv_negotiate(&v, ~0ull);
    wr(&v, R_QSEL, 0);
    wr(&v, R_QNUM, 8);
    wr(&v, R_QALIGN, 3000);
    wr(&v, R_QPFN, (uint32_t)(QAREA(0) >> 12));
    CHECK(needs_reset(&v));
    vdrv_free(&v);
}

TEST(legacy_queue_beyond_ram_needs_reset)
{
    struct vdrv v;
    new_rng(&v, true);
    vdrv_negotiate(&v, ~0ull);
    wr(&v, R_QSEL, 0);
    wr(&v, R_QNUM, 8);
    wr(&v, R_PAGE_SIZE, 1u << 31);
    wr(&v, R_QPFN, 0xffffffffu);
    CHECK(needs_reset(&v));
    vdrv_free(&v);
}

TEST(queue_num_max_is_a_power_of_two_and_absent_queues_read_zero)
{
    struct vdrv v;
    new_rng(&v, false);
    wr(&v, R_QSEL, 0);
    uint32_t max = rd(&v, R_QNUM_MAX);
    CHECK(max >= 8 && max <= 32768 && (max & (max - 1)) == 0);
    wr(&v, R_QSEL, 1);
    CHECK_EQ(rd(&v, R_QNUM_MAX), 0);
    wr(&v, R_QREADY, 1);
    CHECK_EQ(rd(&v, R_QREADY), 0);
    CHECK(!needs_reset(&v));
    vdrv_free(&v);
}

/* Programs queue 0 with the given size and areas, sets QueueReady, returns NEEDS_RESET. */
static bool ready_with(struct vdrv *v, uint32_t num, uint64_t d, uint64_t a, uint64_t u)
{
    vdrv_negotiate(v, ~0ull);
    wr(v, R_QSEL, 0);
    wr(v, R_QNUM, num);
    wr(v, R_QDESC, (uint32_t)d);
    wr(v, R_QDESC + 4, (uint32_t)(d >> 32));
    wr(v, R_QDRIVER, (uint32_t)a);
    wr(v, R_QDRIVER + 4, (uint32_t)(a >> 32));
    wr(v, R_QDEVICE, (uint32_t)u);
    wr(v, R_QDEVICE + 4, (uint32_t)(u >> 32));
    wr(v, R_QREADY, 1);
    bool nr = needs_reset(v);
    if (nr)
        CHECK_EQ(rd(v, R_QREADY), 0);
    return nr;
}

TEST(queue_ready_checks_size_alignment_and_ram)
{
    struct vdrv v;
    new_rng(&v, false);
    uint32_t max = rd(&v, R_QNUM_MAX);
    uint64_t d = QAREA(0), a = d + 0x1000, u = d + 0x2000;
    CHECK(!ready_with(&v, 8, d, a, u));
    CHECK_EQ(rd(&v, R_QREADY), 1);
    CHECK(ready_with(&v, 0, d, a, u));
    CHECK(ready_with(&v, 6, d, a, u));
    CHECK(ready_with(&v, max * 2, d, a, u));
    CHECK(ready_with(&v, 0x10008, d, a, u));
    CHECK(ready_with(&v, 8, d + 8, a, u));
    CHECK(ready_with(&v, 8, d, a + 1, u));
    CHECK(ready_with(&v, 8, d, a, u + 2));
    CHECK(ready_with(&v, 8, 0x1000, a, u));
    CHECK(ready_with(&v, 8, d, RAM_END - 8, u));
    CHECK(ready_with(&v, 8, d, a, RAM_END - 64));
    CHECK(ready_with(&v, 8, d, a, 0xfffffffffffffff0ull));
    CHECK(!ready_with(&v, 8, d, a, u));
    vdrv_free(&v);
}

TEST(queue_registers_are_ignored_while_the_queue_is_live)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    wr(&v, R_QNUM, 6);
    wr(&v, R_QDESC, 0x1000);
    wr(&v, R_QDESC + 4, 0);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK(!needs_reset(&v));
    vdrv_free(&v);
}

TEST(notify_before_queue_ready_or_driver_ok_does_nothing_until_driver_ok)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_negotiate(&v, ~0ull);
    memset(gp(&v, QAREA(0)), 0, 0x10000);
    kick(&v, 0); /* no queue at all yet */
    CHECK(!needs_reset(&v));
    vdrv_queue(&v, 0, 8);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0); /* ready, but no DRIVER_OK: the device must not touch it */
    CHECK_EQ(used_idx(&v, 0), 0);
    vdrv_driver_ok(&v); /* now the early buffer is used */
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK(v.irq);
    vdrv_free(&v);
}

TEST(queue_ready_zero_takes_the_queue_down)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    wr(&v, R_QREADY, 0);
    CHECK_EQ(rd(&v, R_QREADY), 0);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 0);
    vdrv_free(&v);
}

TEST(status_zero_resets_queues_interrupts_and_features)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK(v.irq);
    wr(&v, R_STATUS, 0);
    CHECK_EQ(rd(&v, R_STATUS), 0);
    CHECK_EQ(rd(&v, R_ISR), 0);
    CHECK(!v.irq);
    CHECK_EQ(rd(&v, R_QREADY), 0);
    /* After reset the queue starts from index 0 again. */
    vdrv_up(&v, ~0ull, 1, 8);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    /* virtio_dev_reset is the same thing from the host side. */
    virtio_dev_reset(v.d);
    CHECK_EQ(rd(&v, R_STATUS), 0);
    CHECK(!v.irq);
    vdrv_free(&v);
}

TEST(interrupt_ack_clears_only_the_bits_written)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    desc(&v, 0, 0, 0, 8, D_WRITE, 0); /* device error: config bit */
    desc(&v, 0, 1, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 1);
    offer(&v, 0, 0);
    kick(&v, 0); /* first chain used, second malformed */
    CHECK_EQ(rd(&v, R_ISR), 3);
    wr(&v, R_ACK, 1);
    CHECK_EQ(rd(&v, R_ISR), 2);
    CHECK(v.irq);
    wr(&v, R_ACK, 0xfffffffc);
    CHECK_EQ(rd(&v, R_ISR), 2);
    wr(&v, R_ACK, 2);
    CHECK(!v.irq);
    vdrv_free(&v);
}

TEST(config_space_takes_byte_half_and_word_reads)
{
    char path[] = "/tmp/visor-mmio-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, 0x123456 * 512ull) == 0);
    close(fd);
    struct disk *disk;
    CHECK(disk_open_raw(path, true, &disk) == 0);
    struct vdrv v;
    vdrv_bus(&v, false);
    vdrv_attach(&v, virtio_blk_new(&v.bus, vdrv_line(&v), disk, false));
    CHECK_EQ(rd(&v, R_CONFIG), 0x123456);
    CHECK_EQ(rd(&v, R_CONFIG + 4), 0);
    CHECK_EQ(rdn(&v, R_CONFIG, 8), 0x123456);
    CHECK_EQ(rdn(&v, R_CONFIG, 1), 0x56);
    CHECK_EQ(rdn(&v, R_CONFIG + 1, 1), 0x34);
    CHECK_EQ(rdn(&v, R_CONFIG + 2, 2), 0x12);
    CHECK_EQ(rdn(&v, R_CONFIG + 1, 2), 0x1234); /* misaligned: the bus splits it */
    CHECK_EQ(rd(&v, R_CONFIG + 20), 512);       /* blk_size */
    CHECK_EQ(rd(&v, 0xffc), 0);                 /* past the config space */
    uint32_t gen = rd(&v, R_GEN);
    CHECK_EQ(rd(&v, R_GEN), gen);
    /* Writes to read-only config fields change nothing. */
    wr(&v, R_CONFIG, 7);
    CHECK_EQ(rd(&v, R_CONFIG), 0x123456);
    vdrv_free(&v);
    disk_close(disk);
    unlink(path);
}

TEST(rng_fills_buffers_with_random_bytes)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    memset(gp(&v, BUF), 0, 4096);
    desc(&v, 0, 0, BUF, 2048, D_WRITE | D_NEXT, 1);
    desc(&v, 0, 1, BUF + 2048, 2048, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_len(&v, 0, 0), 4096);
    unsigned counts[256] = {0};
    for (int i = 0; i < 4096; i++)
        counts[gp(&v, BUF)[i]]++;
    unsigned maxc = 0;
    for (int i = 0; i < 256; i++)
        maxc = counts[i] > maxc ? counts[i] : maxc;
    CHECK(maxc < 64); /* 16 expected per value */
    vdrv_free(&v);
}

TEST(rng_caps_one_huge_request_and_says_so_in_the_used_length)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    desc(&v, 0, 0, RAM_BASE + 0x200000, 8 << 20, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    CHECK(used_len(&v, 0, 0) > 0 && used_len(&v, 0, 0) < (8u << 20));
    vdrv_free(&v);
}

/* ---- console ---- */

static uint8_t outbuf[1 << 16];
static size_t outlen;

static void con_out(void *ctx, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && outlen < sizeof(outbuf); i++)
        outbuf[outlen++] = p[i];
}

static void con_up(struct vdrv *v, bool legacy)
{
    outlen = 0;
    vdrv_bus(v, legacy);
    vdrv_attach(v, virtio_console_new(&v->bus, vdrv_line(v), legacy, con_out, NULL));
    CHECK_EQ(rd(v, R_DEVICE_ID), 3);
    vdrv_up(v, ~0ull, 2, 8);
}

TEST(console_transmit_reaches_the_output_callback)
{
    struct vdrv v;
    con_up(&v, false);
    memcpy(gp(&v, BUF), "hello, ", 7);
    memcpy(gp(&v, BUF + 100), "hvc0\n", 5);
    desc(&v, 1, 0, BUF, 7, D_NEXT, 1);
    desc(&v, 1, 1, BUF + 100, 5, 0, 0);
    offer(&v, 1, 0);
    kick(&v, 1);
    CHECK_EQ(outlen, 12);
    CHECK(memcmp(outbuf, "hello, hvc0\n", 12) == 0);
    CHECK_EQ(used_idx(&v, 1), 1);
    CHECK_EQ(used_len(&v, 1, 0), 0);
    CHECK(v.irq);
    vdrv_free(&v);
}

TEST(console_input_waits_for_buffers_and_is_never_dropped)
{
    struct vdrv v;
    con_up(&v, false);
    /* 1000 bytes pushed before any receive buffer exists. */
    uint8_t in[1000];
    for (int i = 0; i < 1000; i++)
        in[i] = (uint8_t)(i * 7);
    virtio_console_push_input(v.d, in, 600);
    virtio_console_push_input(v.d, in + 600, 400);
    CHECK_EQ(virtio_console_pending_input(v.d), 1000);
    CHECK(!v.irq);
    /* Post three 256-byte buffers: 768 bytes go in, 232 wait. */
    for (unsigned i = 0; i < 3; i++) {
        desc(&v, 0, i, BUF + 256 * i, 256, D_WRITE, 0);
        offer(&v, 0, (uint16_t)i);
    }
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 3);
    CHECK_EQ(used_len(&v, 0, 2), 256);
    CHECK_EQ(virtio_console_pending_input(v.d), 232);
    CHECK(v.irq);
    wr(&v, R_ACK, 1);
    /* A reset keeps host-side input; the new driver gets it. */
    virtio_dev_reset(v.d);
    CHECK_EQ(virtio_console_pending_input(v.d), 232);
    vdrv_up(&v, ~0ull, 2, 8);
    desc(&v, 0, 0, BUF + 768, 256, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    CHECK_EQ(used_len(&v, 0, 0), 232);
    CHECK(memcmp(gp(&v, BUF), in, 1000) == 0);
    CHECK_EQ(virtio_console_pending_input(v.d), 0);
    /* Input arriving while a buffer is posted goes straight in. */
    desc(&v, 0, 1, BUF, 16, D_WRITE, 0);
    offer(&v, 0, 1);
    kick(&v, 0);
    CHECK_EQ(used_idx(&v, 0), 1);
    virtio_console_push_input(v.d, (const uint8_t *)"x", 1);
    CHECK_EQ(used_idx(&v, 0), 2);
    CHECK_EQ(used_len(&v, 0, 1), 1);
    CHECK_EQ(gp(&v, BUF)[0], 'x');
    vdrv_free(&v);
}

TEST(console_works_in_legacy_mode)
{
    struct vdrv v;
    con_up(&v, true);
    memcpy(gp(&v, BUF), "ok", 2);
    desc(&v, 1, 0, BUF, 2, 0, 0);
    offer(&v, 1, 0);
    kick(&v, 1);
    CHECK_EQ(outlen, 2);
    desc(&v, 0, 0, BUF + 64, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    virtio_console_push_input(v.d, (const uint8_t *)"in", 2);
    CHECK_EQ(used_len(&v, 0, 0), 2);
    vdrv_free(&v);
}

TEST(console_malformed_receive_buffer_needs_reset_and_keeps_input)
{
    struct vdrv v;
    con_up(&v, false);
    desc(&v, 0, 0, RAM_END - 4, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    virtio_console_push_input(v.d, (const uint8_t *)"abc", 3);
    CHECK(needs_reset(&v));
    CHECK_EQ(virtio_console_pending_input(v.d), 3);
    vdrv_free(&v);
}

TEST(describe_reports_queues_and_counters_and_truncates_like_snprintf)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    desc(&v, 0, 0, BUF, 8, D_WRITE, 0);
    offer(&v, 0, 0);
    kick(&v, 0);
    char buf[2048];
    int n = virtio_mmio_ops.describe(v.d, buf, sizeof(buf));
    CHECK(n > 0 && (size_t)n == strlen(buf));
    CHECK(strstr(buf, "virtio-rng: status 0x0f") != NULL);
    CHECK(strstr(buf, "queue 0: num 8") != NULL);
    CHECK(strstr(buf, "avail.idx 1, next avail 1, used.idx 1") != NULL);
    CHECK(strstr(buf, "chains 1") != NULL);
    char small[16];
    memset(small, 'z', sizeof(small));
    CHECK_EQ(virtio_mmio_ops.describe(v.d, small, 10), n);
    CHECK_EQ(small[9], 0);
    CHECK_EQ(small[10], 'z');
    vdrv_free(&v);

    struct vdrv e;
    vdrv_bus(&e, false);
    vdrv_attach(&e, virtio_empty_new(&e.bus, vdrv_line(&e), false));
    CHECK_EQ(virtio_mmio_ops.describe(e.d, buf, sizeof(buf)), 0);
    vdrv_free(&e);
}

/* ---- save/restore ---- */

TEST(save_restore_carries_queues_and_console_input)
{
    struct vdrv a, b;
    con_up(&a, false);
    desc(&a, 1, 0, BUF, 1, 0, 0);
    offer(&a, 1, 0);
    kick(&a, 1);
    virtio_console_push_input(a.d, (const uint8_t *)"pending", 7);
    size_t n = 0;
    CHECK(virtio_dev_save(a.d, NULL, 0, &n) == -ERR_RANGE);
    uint8_t *img = malloc(n);
    size_t n2 = 0;
    CHECK(virtio_dev_save(a.d, img, n, &n2) == 0);
    CHECK_EQ(n2, n);

    /* A second machine with the same RAM contents and a fresh device. */
    con_up(&b, false);
    wr(&b, R_STATUS, 0);
    memcpy(b.bus.ram, a.bus.ram, RAM_SIZE);
    b.q[0] = a.q[0];
    b.q[1] = a.q[1];
    CHECK(virtio_dev_restore(b.d, img, n) == 0);
    CHECK_EQ(rd(&b, R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    CHECK(b.irq); /* the used interrupt was pending at save */
    CHECK_EQ(virtio_console_pending_input(b.d), 7);
    /* The transmit queue continues from where it was. */
    desc(&b, 1, 1, BUF + 1, 1, 0, 0);
    offer(&b, 1, 1);
    kick(&b, 1);
    CHECK_EQ(used_idx(&b, 1), 2);
    CHECK_EQ(used_id(&b, 1, 1), 1);
    /* And the receive queue delivers the saved input. */
    desc(&b, 0, 0, BUF + 512, 64, D_WRITE, 0);
    offer(&b, 0, 0);
    kick(&b, 0);
    CHECK_EQ(used_len(&b, 0, 0), 7);
    CHECK(memcmp(gp(&b, BUF + 512), "pending", 7) == 0);
    free(img);
    vdrv_free(&a);
    vdrv_free(&b);
}

TEST(restore_refuses_malformed_images_and_changes_nothing)
{
    struct vdrv v;
    con_up(&v, false);
    size_t n = 0;
    CHECK(virtio_dev_save(v.d, NULL, 0, &n) == -ERR_RANGE);
    uint8_t *img = malloc(n + 1);
    CHECK(virtio_dev_save(v.d, img, n, &n) == 0);
    uint32_t st = rd(&v, R_STATUS);
    for (size_t cut = 0; cut < n; cut++)
        CHECK(virtio_dev_restore(v.d, img, cut) == -ERR_FORMAT);
    img[n] = 0;
    CHECK(virtio_dev_restore(v.d, img, n + 1) == -ERR_FORMAT);
    img[0] ^= 1;
    CHECK(virtio_dev_restore(v.d, img, n) == -ERR_FORMAT);
    img[0] ^= 1;
    CHECK_EQ(rd(&v, R_STATUS), st);
    /* A different device type refuses the image. */
    struct vdrv r;
    new_rng(&r, false);
    CHECK(virtio_dev_restore(r.d, img, n) == -ERR_FORMAT);
    vdrv_free(&r);
    free(img);
    vdrv_free(&v);
}

TEST(restore_of_a_queue_outside_ram_needs_reset_instead_of_trusting_it)
{
    struct vdrv v;
    new_rng(&v, false);
    vdrv_up(&v, ~0ull, 1, 8);
    size_t n = 0;
    CHECK(virtio_dev_save(v.d, NULL, 0, &n) == -ERR_RANGE);
    uint8_t *img = malloc(n);
    CHECK(virtio_dev_save(v.d, img, n, &n) == 0);
    /* The queue's desc address sits after the fixed transport fields (see mmio.c). */
    size_t qoff = 8 + 4 + 1 + 1 + 8 + 7 * 4 + 8 + 1;
    uint64_t bad = 0x1000;
    memcpy(img + qoff + 3, &bad, 8);
    CHECK(virtio_dev_restore(v.d, img, n) == 0);
    CHECK(needs_reset(&v));
    CHECK_EQ(rd(&v, R_QREADY), 0);
    free(img);
    vdrv_free(&v);
}

TEST_MAIN("virtio_mmio")
