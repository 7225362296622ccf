/* virtio-net driven as a driver would, against a fake backend: the features and config space,
 * transmit (split headers, runts dropped, short chains a device error, a backend answering
 * from inside transmit), receive into one buffer and merged across several (num_buffers), a
 * ring too small given back untouched, frames too large dropped and counted, and the MAC
 * helpers. */
#include "virtio_driver.h"

#include "net/net.h"

#define TXB (DATA_BASE)            /* transmit buffers */
#define RXB (DATA_BASE + 0x100000) /* receive buffers, 4 KiB apart */
#define HDR 12

enum { RXQ = 0, TXQ = 1 };
#define F_MAC (1ull << 5)
#define F_MRG (1ull << 15)
#define F_STATUS (1ull << 16)

/* The fake backend: remembers the last frame sent; echo sends it straight back. */
struct fake {
    uint8_t last[2048];
    size_t last_len;
    unsigned sent;
    bool echo;
};

static int fake_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
    struct fake *f = nd->state;
    f->sent++;
    f->last_len = len < sizeof(f->last) ? len : sizeof(f->last);
    memcpy(f->last, frame, f->last_len);
    if (f->echo)
        (void)netdev_deliver(nd, frame, len);
    return 0;
}

static const struct netdev_ops fake_ops = {.type = "fake", .send = fake_send};

struct rig {
    struct vdrv v;
    struct netdev nd;
    struct fake f;
    uint16_t rx_next; /* next receive descriptor */
};

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};

static void rig_up(struct rig *r, uint64_t want)
{
    memset(r, 0, sizeof(*r));
    r->nd.ops = &fake_ops;
    r->nd.state = &r->f;
    vdrv_bus(&r->v, false);
    vdrv_attach(&r->v, virtio_net_new(&r->v.bus, vdrv_line(&r->v), false, MAC, &r->nd));
    vdrv_up(&r->v, want, 2, 16);
}

static void rig_down(struct rig *r)
{
    vdrv_free(&r->v);
}

/* Posts one receive buffer of len bytes (its own descriptor, its own 4 KiB page). */
static void post_rx(struct rig *r, uint32_t len)
{
    uint16_t i = r->rx_next++;
    desc(&r->v, RXQ, i, RXB + 0x1000ull * i, len, D_WRITE, 0);
    offer(&r->v, RXQ, i);
}

static void frame(uint8_t *p, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static bool broken(struct rig *r)
{
    return rd(&r->v, R_STATUS) & S_NEEDS_RESET;
}

TEST(features_and_config_give_the_mac_and_link_up)
{
    struct rig r;
    rig_up(&r, ~0ull);
    CHECK_EQ(rd(&r.v, R_DEVICE_ID), 1);
    uint64_t f = dev_features(&r.v);
    CHECK(f & F_MAC);
    CHECK(f & F_MRG);
    CHECK(f & F_STATUS);
    for (int i = 0; i < 6; i++)
        CHECK_EQ(rdn(&r.v, R_CONFIG + (unsigned)i, 1), MAC[i]);
    CHECK_EQ(rdn(&r.v, R_CONFIG + 6, 2), 1); /* VIRTIO_NET_S_LINK_UP */
    rig_down(&r);
}

TEST(a_transmitted_frame_reaches_the_backend_without_its_header)
{
    struct rig r;
    rig_up(&r, ~0ull);
    memset(gp(&r.v, TXB), 0, HDR);
    frame(gp(&r.v, TXB + 0x100), 60, 1);
    /* the header alone, then the frame in two pieces */
    desc(&r.v, TXQ, 0, TXB, HDR, D_NEXT, 1);
    desc(&r.v, TXQ, 1, TXB + 0x100, 20, D_NEXT, 2);
    desc(&r.v, TXQ, 2, TXB + 0x100 + 20, 40, 0, 0);
    offer(&r.v, TXQ, 0);
    kick(&r.v, TXQ);
    CHECK_EQ(used_idx(&r.v, TXQ), 1);
    CHECK_EQ(r.f.sent, 1);
    CHECK_EQ(r.f.last_len, 60);
    CHECK(!memcmp(r.f.last, gp(&r.v, TXB + 0x100), 60));
    CHECK_EQ(r.nd.stats.tx_frames, 1);
    CHECK(!broken(&r));
    rig_down(&r);
}

TEST(a_runt_frame_is_dropped_and_counted_not_an_error)
{
    struct rig r;
    rig_up(&r, ~0ull);
    desc(&r.v, TXQ, 0, TXB, HDR + 10, 0, 0);
    offer(&r.v, TXQ, 0);
    kick(&r.v, TXQ);
    CHECK_EQ(used_idx(&r.v, TXQ), 1);
    CHECK_EQ(r.f.sent, 0);
    struct virtio_net_stats s;
    virtio_net_get_stats(r.v.d, &s);
    CHECK_EQ(s.tx_dropped, 1);
    CHECK(!broken(&r));
    rig_down(&r);
}

TEST(a_transmit_chain_shorter_than_the_header_is_a_device_error)
{
    struct rig r;
    rig_up(&r, ~0ull);
    desc(&r.v, TXQ, 0, TXB, 5, 0, 0);
    offer(&r.v, TXQ, 0);
    kick(&r.v, TXQ);
    CHECK(broken(&r));
    CHECK_EQ(r.f.sent, 0);
    rig_down(&r);
}

TEST(a_frame_fits_one_buffer_with_num_buffers_one)
{
    struct rig r;
    rig_up(&r, ~0ull);
    post_rx(&r, 2048);
    kick(&r.v, RXQ);
    uint8_t fr[100];
    frame(fr, sizeof(fr), 9);
    CHECK(netdev_deliver(&r.nd, fr, sizeof(fr)));
    CHECK_EQ(used_idx(&r.v, RXQ), 1);
    CHECK_EQ(used_len(&r.v, RXQ, 0), HDR + 100);
    CHECK_EQ(r16(&r.v, RXB + 10), 1);
    CHECK_EQ(*gp(&r.v, RXB), 0); /* flags: no checksum information */
    CHECK(!memcmp(gp(&r.v, RXB + HDR), fr, sizeof(fr)));
    CHECK(r.v.irq);
    CHECK_EQ(r.nd.stats.rx_frames, 1);
    rig_down(&r);
}

TEST(a_large_frame_is_merged_across_buffers)
{
    struct rig r;
    rig_up(&r, ~0ull);
    for (int i = 0; i < 4; i++)
        post_rx(&r, 512);
    uint8_t fr[1500];
    frame(fr, sizeof(fr), 3);
    CHECK(netdev_deliver(&r.nd, fr, sizeof(fr)));
    CHECK_EQ(used_idx(&r.v, RXQ), 3);
    CHECK_EQ(r16(&r.v, RXB + 10), 3);
    CHECK_EQ(used_len(&r.v, RXQ, 0), 512);
    CHECK_EQ(used_len(&r.v, RXQ, 1), 512);
    CHECK_EQ(used_len(&r.v, RXQ, 2), HDR + 1500 - 1024);
    CHECK(!memcmp(gp(&r.v, RXB + HDR), fr, 500));
    CHECK(!memcmp(gp(&r.v, RXB + 0x1000), fr + 500, 512));
    CHECK(!memcmp(gp(&r.v, RXB + 0x2000), fr + 1012, 488));
    rig_down(&r);
}

TEST(without_room_the_frame_is_refused_and_the_buffers_given_back)
{
    struct rig r;
    rig_up(&r, ~0ull);
    post_rx(&r, 512);
    post_rx(&r, 512);
    uint8_t fr[1500];
    frame(fr, sizeof(fr), 5);
    CHECK(!netdev_deliver(&r.nd, fr, sizeof(fr)));
    CHECK_EQ(used_idx(&r.v, RXQ), 0);
    post_rx(&r, 512);
    CHECK(netdev_deliver(&r.nd, fr, sizeof(fr)));
    CHECK_EQ(used_idx(&r.v, RXQ), 3);
    CHECK_EQ(used_id(&r.v, RXQ, 0), 0); /* the first buffer posted is used first */
    CHECK_EQ(r16(&r.v, RXB + 10), 3);
    CHECK(!broken(&r));
    rig_down(&r);
}

TEST(without_mrg_rxbuf_a_frame_too_big_for_the_buffer_is_dropped)
{
    struct rig r;
    rig_up(&r, F_VERSION_1 | F_MAC | F_STATUS);
    post_rx(&r, 1000);
    uint8_t fr[1500];
    frame(fr, sizeof(fr), 5);
    CHECK(netdev_deliver(&r.nd, fr, sizeof(fr))); /* consumed: dropped */
    CHECK_EQ(used_idx(&r.v, RXQ), 0);
    struct virtio_net_stats s;
    virtio_net_get_stats(r.v.d, &s);
    CHECK_EQ(s.rx_dropped, 1);
    /* the buffer is still there for a frame that fits, with the 12-byte header */
    CHECK(netdev_deliver(&r.nd, fr, 900));
    CHECK_EQ(used_idx(&r.v, RXQ), 1);
    CHECK_EQ(used_len(&r.v, RXQ, 0), HDR + 900);
    CHECK(!broken(&r));
    rig_down(&r);
}

TEST(a_receive_buffer_shorter_than_the_header_is_a_device_error)
{
    struct rig r;
    rig_up(&r, ~0ull);
    post_rx(&r, 4);
    uint8_t fr[64] = {0};
    CHECK(netdev_deliver(&r.nd, fr, sizeof(fr)));
    CHECK(broken(&r));
    rig_down(&r);
}

TEST(oversized_and_runt_frames_from_the_backend_are_dropped_and_counted)
{
    struct rig r;
    rig_up(&r, ~0ull);
    post_rx(&r, 2048);
    static uint8_t huge[NET_MAX_FRAME + 1];
    CHECK(netdev_deliver(&r.nd, huge, sizeof(huge)));
    CHECK(netdev_deliver(&r.nd, huge, 13));
    CHECK_EQ(r.nd.stats.dropped, 2);
    CHECK_EQ(used_idx(&r.v, RXQ), 0);
    rig_down(&r);
}

TEST(a_backend_may_answer_from_inside_transmit)
{
    struct rig r;
    rig_up(&r, ~0ull);
    r.f.echo = true;
    post_rx(&r, 2048);
    memset(gp(&r.v, TXB), 0, HDR);
    frame(gp(&r.v, TXB + HDR), 80, 2);
    desc(&r.v, TXQ, 0, TXB, HDR + 80, 0, 0);
    offer(&r.v, TXQ, 0);
    kick(&r.v, TXQ);
    CHECK_EQ(r.f.sent, 1);
    CHECK_EQ(used_idx(&r.v, RXQ), 1);
    CHECK(!memcmp(gp(&r.v, RXB + HDR), gp(&r.v, TXB + HDR), 80));
    rig_down(&r);
}

TEST(frames_before_driver_ok_are_dropped)
{
    struct rig r;
    memset(&r, 0, sizeof(r));
    r.nd.ops = &fake_ops;
    r.nd.state = &r.f;
    vdrv_bus(&r.v, false);
    vdrv_attach(&r.v, virtio_net_new(&r.v.bus, vdrv_line(&r.v), false, MAC, &r.nd));
    uint8_t fr[64] = {0};
    CHECK(netdev_deliver(&r.nd, fr, sizeof(fr)));
    struct virtio_net_stats s;
    virtio_net_get_stats(r.v.d, &s);
    CHECK_EQ(s.rx_dropped, 1);
    rig_down(&r);
}

TEST(the_default_mac_is_local_stable_per_name_and_distinct_per_nic)
{
    uint8_t a[6], b[6], c[6], d[6], e[6];
    net_mac_default("vm1", "nic0", a);
    net_mac_default("vm1", "nic0", b);
    net_mac_default("vm1", "nic1", c);
    net_mac_default(NULL, "nic0", d);
    net_mac_default(NULL, "nic0", e);
    CHECK(a[0] == 0x52 && a[1] == 0x54 && a[2] == 0x00);
    CHECK(!memcmp(a, b, 6));
    CHECK(memcmp(a, c, 6));
    CHECK(memcmp(d, e, 6)); /* no name: from the process, time and a counter */
}

TEST(mac_addresses_parse_and_bad_ones_are_refused)
{
    uint8_t m[6];
    CHECK_EQ(net_mac_parse("52:54:00:12:34:56", m), 0);
    CHECK(m[0] == 0x52 && m[5] == 0x56);
    CHECK(net_mac_parse("01:00:5e:00:00:01", m) != 0); /* multicast */
    CHECK(net_mac_parse("00:00:00:00:00:00", m) != 0);
    CHECK(net_mac_parse("52:54:00:12:34", m) != 0);
    CHECK(net_mac_parse("52-54-00-12-34-56", m) != 0);
    CHECK(net_mac_parse("52:54:00:12:34:5g", m) != 0);
}
TEST_MAIN("virtio_net")
