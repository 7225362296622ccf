/* filter-dump's pcap writer: the global header (magic, version 2.4, snaplen, LINKTYPE_ETHERNET)
 * and one record per frame with its captured and original lengths, frames cut at snaplen; and
 * a netdev runs its filters for both directions. */
#include "test.h"

#include "net/net.h"

#include <unistd.h>

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

TEST(a_capture_has_the_pcap_header_and_one_record_per_frame)
{
    char path[] = "/tmp/visor-pcap-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    struct netdev_filter *f;
    char err[NET_ERRLEN];
    CHECK_EQ(net_pcap_open(path, 100, &f, err), 0);
    uint8_t fr[300];
    for (int i = 0; i < 300; i++)
        fr[i] = (uint8_t)i;
    f->frame(f->ctx, true, fr, 60);
    f->frame(f->ctx, false, fr, 300);
    uint8_t buf[1024];
    size_t n = slurp(path, buf, sizeof(buf)); /* readable while open: flushed per frame */
    CHECK_EQ(n, 24 + 16 + 60 + 16 + 100);
    CHECK_EQ(u32(buf), 0xa1b2c3d4u);
    CHECK_EQ(buf[4] | buf[5] << 8, 2); /* host order, and the host is little-endian */
    CHECK_EQ(buf[6] | buf[7] << 8, 4);
    CHECK_EQ(u32(buf + 16), 100); /* snaplen */
    CHECK_EQ(u32(buf + 20), 1);   /* LINKTYPE_ETHERNET */
    CHECK_EQ(u32(buf + 24 + 8), 60);
    CHECK_EQ(u32(buf + 24 + 12), 60);
    CHECK(!memcmp(buf + 40, fr, 60));
    CHECK_EQ(u32(buf + 100 + 8), 100); /* cut at snaplen */
    CHECK_EQ(u32(buf + 100 + 12), 300);
    CHECK(!memcmp(buf + 116, fr, 100));
    f->close(f->ctx);
    unlink(path);
}

TEST(an_unwritable_path_is_an_error_naming_it)
{
    struct netdev_filter *f;
    char err[NET_ERRLEN];
    CHECK(net_pcap_open("/nonexistent-dir/x.pcap", 0, &f, err) != 0);
    CHECK(strstr(err, "/nonexistent-dir/x.pcap") != NULL);
}

static int sink_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
    return 0;
}

static bool nic_rx(void *nic, const uint8_t *frame, size_t len)
{
    return true;
}

struct seen {
    unsigned out, in;
};

static void count(void *ctx, bool out, const uint8_t *frame, size_t len)
{
    struct seen *s = ctx;
    if (out)
        s->out++;
    else
        s->in++;
}

TEST(filters_see_both_directions_but_not_dropped_frames)
{
    static const struct netdev_ops ops = {.type = "sink", .send = sink_send};
    struct netdev nd = {.ops = &ops};
    netdev_attach(&nd, &(struct netdev_nic){.rx = nic_rx});
    struct seen s = {0};
    struct netdev_filter f = {.frame = count, .ctx = &s};
    netdev_add_filter(&nd, &f);
    uint8_t fr[64] = {0};
    CHECK_EQ(netdev_send(&nd, fr, sizeof(fr)), 0);
    CHECK(netdev_deliver(&nd, fr, sizeof(fr)));
    CHECK(netdev_send(&nd, fr, 10) != 0); /* a runt: dropped before the filters */
    CHECK_EQ(s.out, 1);
    CHECK_EQ(s.in, 1);
    CHECK_EQ(nd.stats.dropped, 1);
}
TEST_MAIN("pcap")
