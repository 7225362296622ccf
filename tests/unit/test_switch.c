/* The learning switch with fake ports: each port is one end of a socketpair, the test holds
 * the other and speaks QEMU's stream framing on it. Everything runs on this thread; pump()
 * lets the switch handle what is pending. */
#include "test.h"

#include "net/frame.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

TEST_MAIN("switch")

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t MCAST[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};

static void mac_of(unsigned n, uint8_t mac[6])
{
    const uint8_t m[6] = {0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)n};
    memcpy(mac, m, 6);
}

struct fake {
    int fd;   /* the test's end */
    int id;   /* the switch's port id */
    uint8_t mac[6];
    struct frame_rx rx;
};

static void fake_add(struct net_switch *sw, struct fake *f, unsigned n)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    f->fd = sv[1];
    f->id = switch_port_add(sw, sv[0]);
    CHECK(f->id > 0);
    mac_of(n, f->mac);
    frame_rx_init(&f->rx);
}

static void fake_close(struct fake *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    frame_rx_free(&f->rx);
}

static void put_raw(int fd, const void *p, size_t n)
{
    CHECK(write(fd, p, n) == (ssize_t)n);
}

static void put_len(int fd, uint32_t len)
{
    uint8_t h[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    put_raw(fd, h, 4);
}

/* A frame from f to dst with a payload of n bytes. */
static void send_to(struct fake *f, const uint8_t *dst, size_t n)
{
    uint8_t frame[2048] = {0};
    memcpy(frame, dst, 6);
    memcpy(frame + 6, f->mac, 6);
    frame[12] = 0x08;
    for (size_t i = 14; i < 14 + n; i++)
        frame[i] = (uint8_t)i;
    put_len(f->fd, (uint32_t)(14 + n));
    put_raw(f->fd, frame, 14 + n);
}

static void pump(struct net_switch *sw)
{
    for (int i = 0; i < 8; i++)
        switch_poll(sw, 0);
}

/* Reads everything waiting for f; returns the number of whole frames, checks each. */
static unsigned drain(struct fake *f)
{
    unsigned frames = 0;
    int fl = fcntl(f->fd, F_GETFL);
    fcntl(f->fd, F_SETFL, fl | O_NONBLOCK);
    for (;;) {
        const uint8_t *fr;
        size_t len;
        int rc;
        while ((rc = frame_rx_next(&f->rx, &fr, &len)) > 0)
            frames++;
        CHECK(rc == 0);
        if (frame_rx_read(&f->rx, f->fd) <= 0)
            break;
    }
    fcntl(f->fd, F_SETFL, fl);
    return frames;
}

static struct switch_port_info info(struct net_switch *sw, struct fake *f)
{
    struct switch_port_info pi = {0};
    CHECK(switch_port_info(sw, (unsigned)f->id, &pi) == 0);
    return pi;
}

static struct net_switch *three(struct fake f[3])
{
    struct net_switch *sw;
    char err[128];
    CHECK(switch_new(&sw, NULL, err, sizeof(err)) == 0);
    for (unsigned i = 0; i < 3; i++)
        fake_add(sw, &f[i], i + 1);
    return sw;
}

static void done(struct net_switch *sw, struct fake f[3])
{
    for (unsigned i = 0; i < 3; i++)
        fake_close(&f[i]);
    switch_free(sw);
}

TEST(broadcast_floods_to_every_other_port_and_teaches_the_source)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    send_to(&f[0], BCAST, 50);
    pump(sw);
    CHECK_EQ(drain(&f[0]), 0);
    CHECK_EQ(drain(&f[1]), 1);
    CHECK_EQ(drain(&f[2]), 1);
    CHECK_EQ(switch_lookup(sw, f[0].mac), f[0].id);
    done(sw, f);
}

TEST(unicast_to_a_learned_mac_reaches_only_its_port)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    send_to(&f[0], BCAST, 50); /* A announces itself */
    pump(sw);
    drain(&f[1]);
    drain(&f[2]);
    for (int i = 0; i < 5; i++)
        send_to(&f[1], f[0].mac, 100);
    pump(sw);
    CHECK_EQ(drain(&f[0]), 5);
    CHECK_EQ(drain(&f[2]), 0);
    CHECK_EQ(info(sw, &f[2]).out_frames, 1); /* only the first broadcast */
    done(sw, f);
}

TEST(unknown_unicast_and_multicast_flood)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    uint8_t nobody[6];
    mac_of(99, nobody);
    send_to(&f[0], nobody, 10);
    send_to(&f[0], MCAST, 10);
    pump(sw);
    CHECK_EQ(drain(&f[1]), 2);
    CHECK_EQ(drain(&f[2]), 2);
    CHECK_EQ(switch_lookup(sw, nobody), -ERR_NOTFOUND);
    done(sw, f);
}

TEST(a_mac_that_moves_follows_its_new_port)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    send_to(&f[0], BCAST, 10);
    pump(sw);
    memcpy(f[1].mac, f[0].mac, 6); /* the VM moved to port B */
    send_to(&f[1], BCAST, 10);
    pump(sw);
    CHECK_EQ(switch_lookup(sw, f[0].mac), f[1].id);
    done(sw, f);
}

TEST(a_port_that_leaves_is_forgotten_with_its_macs)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    send_to(&f[0], BCAST, 10);
    pump(sw);
    drain(&f[1]);
    drain(&f[2]);
    uint8_t amac[6];
    memcpy(amac, f[0].mac, 6);
    close(f[0].fd);
    f[0].fd = -1;
    pump(sw);
    unsigned ids[8];
    CHECK_EQ(switch_ports(sw, ids, 8), 2);
    CHECK_EQ(switch_lookup(sw, amac), -ERR_NOTFOUND);
    send_to(&f[1], amac, 10); /* now unknown: flooded to C */
    pump(sw);
    CHECK_EQ(drain(&f[2]), 1);
    done(sw, f);
}

TEST(a_port_that_stops_reading_loses_its_frames_and_stalls_nobody)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    const unsigned total = 4000;
    unsigned got = 0;
    for (unsigned i = 0; i < total; i += 10) {
        for (unsigned k = 0; k < 10; k++)
            send_to(&f[0], BCAST, 1400);
        pump(sw);
        got += drain(&f[1]); /* B keeps up; C never reads */
    }
    pump(sw);
    got += drain(&f[1]);
    CHECK_EQ(got, total);
    struct switch_port_info c = info(sw, &f[2]);
    CHECK(c.drop_full > 0);
    CHECK(c.queued <= SWITCH_QUEUE_FRAMES);
    CHECK_EQ(info(sw, &f[1]).drop_full, 0);
    CHECK_EQ(info(sw, &f[0]).in_frames, total);
    /* C wakes up: what it gets is whole frames, and it is back in business */
    unsigned late = drain(&f[2]);
    for (int i = 0; i < 50; i++) {
        pump(sw);
        late += drain(&f[2]);
    }
    CHECK_EQ(late, c.out_frames);
    CHECK_EQ(late + c.drop_full, total);
    done(sw, f);
}

TEST(garbage_lengths_are_dropped_and_counted_and_the_port_stays)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    static uint8_t junk[70000];
    put_len(f[0].fd, 0);           /* empty */
    put_len(f[0].fd, 5);           /* shorter than an Ethernet header */
    put_raw(f[0].fd, junk, 5);
    put_len(f[0].fd, sizeof(junk)); /* over NET_MAX_FRAME: skipped */
    for (size_t off = 0; off < sizeof(junk); off += 4096) {
        size_t n = sizeof(junk) - off < 4096 ? sizeof(junk) - off : 4096;
        put_raw(f[0].fd, junk + off, n);
        pump(sw);
    }
    send_to(&f[0], BCAST, 20);
    pump(sw);
    CHECK_EQ(drain(&f[1]), 1);
    struct switch_port_info a = info(sw, &f[0]);
    CHECK_EQ(a.drop_bad, 3);
    CHECK_EQ(a.in_frames, 1);
    done(sw, f);
}

TEST(an_impossible_length_disconnects_that_port_only)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    put_len(f[0].fd, 0x7fffffff);
    pump(sw);
    unsigned ids[8];
    CHECK_EQ(switch_ports(sw, ids, 8), 2);
    send_to(&f[1], BCAST, 20);
    pump(sw);
    CHECK_EQ(drain(&f[2]), 1);
    done(sw, f);
}

TEST(a_peer_killed_mid_frame_is_counted_and_the_switch_goes_on)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    uint8_t half[50] = {0};
    put_len(f[0].fd, 100);
    put_raw(f[0].fd, half, sizeof(half));
    pump(sw);
    close(f[0].fd);
    f[0].fd = -1;
    pump(sw);
    CHECK_EQ(drain(&f[1]), 0);
    char *st = switch_status(sw, true);
    CHECK(strstr(st, "\"ports_left\": 1") != NULL);
    CHECK(strstr(st, "\"left\": {\"in_frames\": 0, \"in_bytes\": 0, \"out_frames\": 0, "
                     "\"out_bytes\": 0, \"drop_bad\": 1") != NULL);
    free(st);
    send_to(&f[1], BCAST, 20);
    pump(sw);
    CHECK_EQ(drain(&f[2]), 1);
    done(sw, f);
}

TEST(frames_split_byte_by_byte_arrive_whole)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    uint8_t frame[64] = {0};
    memcpy(frame, BCAST, 6);
    memcpy(frame + 6, f[0].mac, 6);
    uint8_t wire[68] = {0, 0, 0, 64};
    memcpy(wire + 4, frame, 64);
    for (size_t i = 0; i < sizeof(wire); i++) {
        put_raw(f[0].fd, wire + i, 1);
        switch_poll(sw, 0);
    }
    pump(sw);
    CHECK_EQ(drain(&f[1]), 1);
    done(sw, f);
}

TEST(counters_count_frames_and_bytes_both_ways)
{
    struct fake f[3];
    struct net_switch *sw = three(f);
    send_to(&f[0], BCAST, 86);   /* 100 bytes, to B and C */
    send_to(&f[1], f[0].mac, 186); /* 200 bytes, to A only */
    pump(sw);
    struct switch_port_info a = info(sw, &f[0]), b = info(sw, &f[1]), c = info(sw, &f[2]);
    CHECK_EQ(a.in_frames, 1);
    CHECK_EQ(a.in_bytes, 100);
    CHECK_EQ(a.out_frames, 1);
    CHECK_EQ(a.out_bytes, 200);
    CHECK_EQ(b.in_bytes, 200);
    CHECK_EQ(b.out_bytes, 100);
    CHECK_EQ(c.out_bytes, 100);
    CHECK_EQ(a.nmacs, 1);
    CHECK_EQ(c.nmacs, 0);
    char *txt = switch_status(sw, false);
    CHECK(strstr(txt, "3 ports, 2 MACs learned") != NULL);
    CHECK(strstr(txt, "52:54:00:12:34:01") != NULL);
    free(txt);
    done(sw, f);
}

TEST(the_switch_listens_on_a_path_and_answers_status_on_path_ctl)
{
    char dir[] = "/tmp/visor-switch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], ctl[140];
    snprintf(path, sizeof(path), "%s/sw", dir);
    snprintf(ctl, sizeof(ctl), "%s.ctl", path);
    struct net_switch *sw;
    char err[256];
    CHECK(switch_new(&sw, path, err, sizeof(err)) == 0);
    struct net_switch *twin;
    CHECK(switch_new(&twin, path, err, sizeof(err)) == -ERR_BUSY); /* a live switch stays */
    CHECK(strstr(err, "already running") != NULL);
    int a = netsock_connect_unix(path, err, sizeof(err));
    CHECK(a >= 0);
    pump(sw);
    unsigned ids[4];
    CHECK_EQ(switch_ports(sw, ids, 4), 1);
    int c = netsock_connect_unix(ctl, err, sizeof(err));
    CHECK(c >= 0);
    put_raw(c, "status json\n", 12);
    pump(sw);
    char buf[2048] = {0};
    ssize_t n = read(c, buf, sizeof(buf) - 1);
    CHECK(n > 0);
    CHECK(strstr(buf, "\"ports\": [{\"id\": ") != NULL);
    close(c);
    close(a);
    switch_free(sw);
    CHECK(access(path, F_OK) != 0); /* the socket files are removed */
    CHECK(access(ctl, F_OK) != 0);
    rmdir(dir);
}

/* ---- The stream netdevs (-netdev stream|socket|switch) through a fake event loop ---- */

struct fake_loop {
    struct {
        int fd;
        short events;
        void (*cb)(void *ctx, int fd, short revents);
        void *ctx;
    } w[8];
    unsigned n;
};

static int fl_add(void *loop, int fd, short events, void (*cb)(void *ctx, int fd, short revents),
                  void *ctx)
{
    struct fake_loop *l = loop;
    if (l->n == 8)
        return -ERR_RANGE;
    l->w[l->n].fd = fd;
    l->w[l->n].events = events;
    l->w[l->n].cb = cb;
    l->w[l->n].ctx = ctx;
    l->n++;
    return 0;
}

static void fl_remove(void *loop, int fd)
{
    struct fake_loop *l = loop;
    for (unsigned i = 0; i < l->n; i++)
        if (l->w[i].fd == fd)
            l->w[i--] = l->w[--l->n];
}

/* One poll round over the loop's descriptors, as the VM loop does between slices. */
static void fl_run(struct fake_loop *l)
{
    struct pollfd p[8];
    unsigned n = l->n;
    for (unsigned i = 0; i < n; i++)
        p[i] = (struct pollfd){.fd = l->w[i].fd, .events = l->w[i].events};
    if (poll(p, n, 0) <= 0)
        return;
    void (*cb[8])(void *, int, short);
    void *ctx[8];
    for (unsigned i = 0; i < n; i++) {
        cb[i] = l->w[i].cb;
        ctx[i] = l->w[i].ctx;
    }
    for (unsigned i = 0; i < n; i++)
        if (p[i].revents)
            cb[i](ctx[i], p[i].fd, p[i].revents);
}

struct fake_nic {
    bool full;
    unsigned frames;
    uint8_t last[64];
};

static bool nic_rx(void *nic, const uint8_t *frame, size_t len)
{
    struct fake_nic *n = nic;
    if (n->full)
        return false;
    n->frames++;
    memcpy(n->last, frame, len < sizeof(n->last) ? len : sizeof(n->last));
    return true;
}

static struct netdev *nd_open(const char *type, const char *id, struct net_opt *opts, unsigned n,
                              struct fake_loop *loop, struct fake_nic *nic)
{
    struct netdev *nd = NULL;
    char err[NET_ERRLEN];
    if (netdev_open(type, id, opts, n, &nd, err)) {
        fprintf(stderr, "%s\n", err);
        CHECK(0);
        return NULL;
    }
    struct netdev_env env = {.add_fd = fl_add, .remove_fd = fl_remove, .loop = loop};
    CHECK(netdev_start(nd, &env, err) == 0);
    struct netdev_nic ni = {nic_rx, nic};
    netdev_attach(nd, &ni);
    return nd;
}

static void frame_with(uint8_t *f, uint8_t tag)
{
    memset(f, 0, 60);
    memcpy(f, BCAST, 6);
    f[6] = 0x52;
    f[14] = tag;
}

static void spin(struct fake_loop *a, struct fake_loop *b, struct net_switch *sw)
{
    for (int i = 0; i < 20; i++) {
        fl_run(a);
        if (b)
            fl_run(b);
        if (sw)
            switch_poll(sw, 0);
    }
}

TEST(stream_netdevs_over_unix_carry_frames_both_ways_and_hold_while_the_guest_is_full)
{
    char dir[] = "/tmp/visor-stream-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/s", dir);
    struct net_opt so[] = {{"server", "on"}, {"addr.type", "unix"}, {"addr.path", path}};
    struct net_opt co[] = {{"server", "off"}, {"addr.type", "unix"}, {"addr.path", path}};
    struct fake_loop la = {0}, lb = {0};
    struct fake_nic na = {0}, nb = {0};
    struct netdev *a = nd_open("stream", "a", so, 3, &la, &na);
    struct netdev *b = nd_open("stream", "b", co, 3, &lb, &nb);
    spin(&la, &lb, NULL); /* the server accepts */
    uint8_t f[60];
    frame_with(f, 1);
    CHECK(netdev_send(b, f, 60) == 0);
    spin(&la, &lb, NULL);
    CHECK_EQ(na.frames, 1);
    CHECK_EQ(na.last[14], 1);
    frame_with(f, 2);
    CHECK(netdev_send(a, f, 60) == 0);
    spin(&la, &lb, NULL);
    CHECK_EQ(nb.frames, 1);
    /* a full guest: frames wait in order, none is lost */
    na.full = true;
    for (uint8_t t = 10; t < 13; t++) {
        frame_with(f, t);
        CHECK(netdev_send(b, f, 60) == 0);
    }
    spin(&la, &lb, NULL);
    CHECK_EQ(na.frames, 1);
    na.full = false;
    for (int i = 0; i < 5; i++) {
        netdev_rx_ready(a);
        spin(&la, &lb, NULL);
    }
    CHECK_EQ(na.frames, 4);
    CHECK_EQ(na.last[14], 12);
    CHECK_EQ(a->stats.dropped, 0);
    netdev_free(b);
    spin(&la, &lb, NULL); /* the client left: the server waits for the next */
    CHECK_EQ(la.n, 1);
    netdev_free(a);
    CHECK_EQ(la.n, 0);
    unlink(path);
    rmdir(dir);
}

TEST(socket_netdevs_listen_and_connect_over_tcp)
{
    char port[16], listen_at[32], connect_to[32];
    snprintf(port, sizeof(port), "%d", 30000 + getpid() % 20000);
    snprintf(listen_at, sizeof(listen_at), "127.0.0.1:%s", port);
    snprintf(connect_to, sizeof(connect_to), "127.0.0.1:%s", port);
    struct net_opt lo[] = {{"listen", listen_at}};
    struct net_opt co[] = {{"connect", connect_to}};
    struct fake_loop la = {0}, lb = {0};
    struct fake_nic na = {0}, nb = {0};
    struct netdev *a = nd_open("socket", "a", lo, 1, &la, &na);
    struct netdev *b = nd_open("socket", "b", co, 1, &lb, &nb);
    spin(&la, &lb, NULL);
    uint8_t f[60];
    frame_with(f, 7);
    CHECK(netdev_send(b, f, 60) == 0);
    CHECK(netdev_send(b, f, 60) == 0);
    spin(&la, &lb, NULL);
    CHECK_EQ(na.frames, 2);
    netdev_free(b);
    netdev_free(a);
}

TEST(switch_netdevs_meet_on_a_switch_and_garbage_from_a_peer_is_counted)
{
    char dir[] = "/tmp/visor-swnd-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/sw", dir);
    struct net_switch *sw;
    char err[256];
    CHECK(switch_new(&sw, path, err, sizeof(err)) == 0);
    struct net_opt o[] = {{"path", path}};
    struct fake_loop la = {0}, lb = {0};
    struct fake_nic na = {0}, nb = {0};
    struct netdev *a = nd_open("switch", "a", o, 1, &la, &na);
    struct netdev *b = nd_open("switch", "b", o, 1, &lb, &nb);
    spin(&la, &lb, sw);
    uint8_t f[60];
    frame_with(f, 3);
    CHECK(netdev_send(a, f, 60) == 0);
    spin(&la, &lb, sw);
    CHECK_EQ(nb.frames, 1);
    CHECK_EQ(na.frames, 0); /* not back to its sender */
    netdev_free(a);
    netdev_free(b);
    switch_free(sw);
    rmdir(dir);

    /* a raw peer sends a runt: the netdev drops and counts it, and stays connected */
    char spath[128];
    snprintf(spath, sizeof(spath), "/tmp/visor-runt-%d", getpid());
    struct net_opt so[] = {{"server", "on"}, {"addr.type", "unix"}, {"addr.path", spath}};
    struct fake_loop lc = {0};
    struct fake_nic nc = {0};
    struct netdev *c = nd_open("stream", "c", so, 3, &lc, &nc);
    int peer = netsock_connect_unix(spath, err, sizeof(err));
    CHECK(peer >= 0);
    spin(&lc, NULL, NULL);
    put_len(peer, 5);
    put_raw(peer, "runt!", 5);
    put_len(peer, 60);
    put_raw(peer, f, 60);
    spin(&lc, NULL, NULL);
    CHECK_EQ(nc.frames, 1);
    CHECK_EQ(c->stats.dropped, 1);
    close(peer);
    netdev_free(c);
    unlink(spath);
}

TEST(netdev_options_are_checked_and_refusals_name_the_property)
{
    struct netdev *nd;
    char err[NET_ERRLEN];
    struct net_opt bad_type[] = {{"addr.type", "vsock"}};
    CHECK(netdev_open("stream", "n0", bad_type, 1, &nd, err) != 0);
    CHECK(strstr(err, "addr.type=vsock") != NULL);
    struct net_opt unknown[] = {{"addr.type", "unix"}, {"addr.path", "/x"}, {"color", "red"}};
    CHECK(netdev_open("stream", "n0", unknown, 3, &nd, err) != 0);
    CHECK(strstr(err, "'color'") != NULL);
    struct net_opt both[] = {{"listen", ":1"}, {"connect", "h:2"}};
    CHECK(netdev_open("socket", "n0", both, 2, &nd, err) != 0);
    CHECK(strstr(err, "one of listen=") != NULL);
    struct net_opt script[] = {{"script", "/etc/qemu-ifup"}};
    CHECK(netdev_open("tap", "n0", script, 1, &nd, err) != 0);
    CHECK(strstr(err, "script=/etc/qemu-ifup") != NULL);
    CHECK(netdev_open("switch", "n0", NULL, 0, &nd, err) != 0);
    CHECK(strstr(err, "path=") != NULL);
    struct net_opt nobody[] = {{"path", "/nonexistent/visor-switch"}};
    CHECK(netdev_open("switch", "n0", nobody, 1, &nd, err) != 0);
    CHECK(strstr(err, "cannot connect") != NULL);
}
