/* filter-dump: every frame a netdev carries, both ways, into a classic pcap file
 * (magic a1b2c3d4 in host order, version 2.4, LINKTYPE_ETHERNET, microsecond time stamps),
 * which tshark, tcpdump and Wireshark read. The file is flushed after each frame, so a
 * capture is readable while the VM runs and complete if it is killed. A write error stops the
 * capture (with one warning); it never stops the network. */
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_SNAPLEN_DEFAULT 65535u

struct pcap {
    FILE *f;
    char path[256];
    uint32_t snaplen;
    bool failed;
    struct netdev_filter filter;
};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* pcap files are in the writer's byte order; the magic tells readers */
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void pcap_fail(struct pcap *pc)
{
    if (!pc->failed)
        warn("filter-dump %s: write failed (%s); capture stopped", pc->path, strerror(errno));
    pc->failed = true;
}

static void pcap_frame(void *ctx, bool out, const uint8_t *frame, size_t len)
{
    struct pcap *pc = ctx;
    (void)out;
    if (pc->failed)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint32_t cap = len > pc->snaplen ? pc->snaplen : (uint32_t)len;
    uint8_t h[16];
    put32(h, (uint32_t)ts.tv_sec);
    put32(h + 4, (uint32_t)(ts.tv_nsec / 1000));
    put32(h + 8, cap);
    put32(h + 12, (uint32_t)len);
    if (fwrite(h, 1, sizeof(h), pc->f) != sizeof(h) || fwrite(frame, 1, cap, pc->f) != cap ||
        fflush(pc->f))
        pcap_fail(pc);
}

static void pcap_close(void *ctx)
{
    struct pcap *pc = ctx;
    if (fclose(pc->f) && !pc->failed)
        warn("filter-dump %s: close failed", pc->path);
    free(pc);
}

int net_pcap_open(const char *path, uint32_t snaplen, struct netdev_filter **out, char *err)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, NET_ERRLEN, "-object filter-dump: file=%s: %s", path, strerror(errno));
        return -ERR_IO;
    }
    struct pcap *pc = xcalloc(1, sizeof(*pc));
    pc->f = f;
    snprintf(pc->path, sizeof(pc->path), "%s", path);
    pc->snaplen = snaplen ? snaplen : PCAP_SNAPLEN_DEFAULT;
    uint8_t h[24];
    put32(h, PCAP_MAGIC);
    put16(h + 4, 2);
    put16(h + 6, 4);
    put32(h + 8, 0);  /* thiszone */
    put32(h + 12, 0); /* sigfigs */
    put32(h + 16, pc->snaplen);
    put32(h + 20, PCAP_LINKTYPE_ETHERNET);
    if (fwrite(h, 1, sizeof(h), f) != sizeof(h) || fflush(f)) {
        snprintf(err, NET_ERRLEN, "-object filter-dump: file=%s: %s", path, strerror(errno));
        fclose(f);
        free(pc);
        return -ERR_IO;
    }
    pc->filter = (struct netdev_filter){.frame = pcap_frame, .close = pcap_close, .ctx = pc};
    *out = &pc->filter;
    return 0;
}
