/* virtio-blk on a raw temp file, driven as a driver would: capacity and features, writes read
 * back through every descriptor layout, FLUSH, GET_ID, and the refusals (past the end, not
 * whole sectors, read-only disk, unknown type) as status bytes; chains that cannot carry a
 * request (short header, no status byte) as DEVICE_NEEDS_RESET. */
#include "virtio_driver.h"

#include <fcntl.h>
#include <unistd.h>

#define HDR (DATA_BASE)           /* request header */
#define DATA (DATA_BASE + 0x1000) /* data buffers */
#define STATUS (DATA_BASE + 0x800)
#define ITABLE (DATA_BASE + 0x400)
#define SECTORS 64

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };

static uint16_t qn; /* queue size: 16, or QueueNumMax if a test build shrank it */

struct rig {
    struct vdrv v;
    char path[32];
    struct disk *disk;
};

static void make_image(struct rig *r, uint64_t bytes)
{
    strcpy(r->path, "/tmp/visor-blk-XXXXXX");
    int fd = mkstemp(r->path);
    if (fd < 0 || ftruncate(fd, (off_t)bytes))
        abort();
    /* Sector k starts with its own number, so misdirected I/O shows. */
    for (uint64_t k = 0; k < bytes / 512; k++)
        if (pwrite(fd, &k, 8, (off_t)(k * 512)) != 8)
            abort();
    close(fd);
}

static void rig_up(struct rig *r, bool readonly, bool legacy, uint64_t want)
{
    make_image(r, SECTORS * 512);
    if (disk_open_raw(r->path, readonly, &r->disk))
        abort();
    vdrv_bus(&r->v, legacy);
    vdrv_attach(&r->v, virtio_blk_new(&r->v.bus, vdrv_line(&r->v), r->disk, legacy));
    qn = (uint16_t)rd(&r->v, R_QNUM_MAX);
    if (qn > 16)
        qn = 16;
    vdrv_up(&r->v, want, 1, qn);
}

static void rig_down(struct rig *r)
{
    vdrv_free(&r->v);
    disk_close(r->disk);
    unlink(r->path);
}

static void header(struct vdrv *v, uint32_t type, uint64_t sector)
{
    g32(v, HDR, type);
    g32(v, HDR + 4, 0);
    g64(v, HDR + 8, sector);
}

/* Posts header / data (one buffer of len, skipped if 0) / status as three descriptors and
 * returns the status byte (0xee if the device never wrote it). */
static uint8_t request(struct rig *r, uint32_t type, uint64_t sector, uint32_t len,
                       bool data_writable)
{
    struct vdrv *v = &r->v;
    header(v, type, sector);
    *gp(v, STATUS) = 0xee;
    unsigned n = 0;
    desc(v, 0, n, HDR, 16, D_NEXT, (uint16_t)(n + 1)), n++;
    if (len)
        desc(v, 0, n, DATA, len, (uint16_t)((data_writable ? D_WRITE : 0) | D_NEXT),
             (uint16_t)(n + 1)),
            n++;
    desc(v, 0, n, STATUS, 1, D_WRITE, 0);
    uint16_t before = used_idx(v, 0);
    offer(v, 0, 0);
    kick(v, 0);
    CHECK_EQ(used_idx(v, 0), (uint16_t)(before + 1));
    return *gp(v, STATUS);
}

static uint64_t file_u64(struct rig *r, uint64_t off)
{
    uint64_t x = 0;
    int fd = open(r->path, O_RDONLY);
    if (fd < 0 || pread(fd, &x, 8, (off_t)off) != 8)
        abort();
    close(fd);
    return x;
}

TEST(capacity_and_features_describe_the_disk)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    CHECK_EQ(rdn(&r.v, R_CONFIG, 8), SECTORS);
    uint64_t f = dev_features(&r.v);
    CHECK(f & (1u << 9));    /* FLUSH */
    CHECK(!(f & (1u << 5))); /* not RO */
    CHECK(f & (1u << 2));    /* SEG_MAX */
    CHECK(f & (1u << 6));    /* BLK_SIZE */
    uint32_t seg_max = rd(&r.v, R_CONFIG + 12);
    CHECK(seg_max >= 1 && seg_max + 2 <= rd(&r.v, R_QNUM_MAX));
    CHECK_EQ(rd(&r.v, R_CONFIG + 20), 512);
    rig_down(&r);
    rig_up(&r, true, false, ~0ull);
    CHECK(dev_features(&r.v) & (1u << 5)); /* RO */
    rig_down(&r);
}

TEST(a_write_reads_back)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    for (int i = 0; i < 1024; i++)
        gp(&r.v, DATA)[i] = (uint8_t)(i * 13 + 1);
    CHECK_EQ(request(&r, T_OUT, 5, 1024, false), S_OK);
    CHECK_EQ(used_len(&r.v, 0, 0), 1);
    CHECK_EQ(file_u64(&r, 5 * 512), *(uint64_t *)gp(&r.v, DATA));
    memset(gp(&r.v, DATA), 0, 1024);
    CHECK_EQ(request(&r, T_IN, 5, 1024, true), S_OK);
    CHECK_EQ(used_len(&r.v, 0, 1), 1025);
    int bad = 0;
    for (int i = 0; i < 1024; i++)
        bad += gp(&r.v, DATA)[i] != (uint8_t)(i * 13 + 1);
    CHECK_EQ(bad, 0);
    /* The neighbours are untouched. */
    CHECK_EQ(request(&r, T_IN, 7, 512, true), S_OK);
    CHECK_EQ(*(uint64_t *)gp(&r.v, DATA), 7);
    rig_down(&r);
}

TEST(one_descriptor_may_hold_header_data_and_status_may_share_with_data)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct vdrv *v = &r.v;
    /* OUT: header and 512 bytes of data in one readable buffer. */
    header(v, T_OUT, 9);
    memset(gp(v, HDR + 16), 0x5a, 512);
    desc(v, 0, 0, HDR, 16 + 512, D_NEXT, 1);
    desc(v, 0, 1, STATUS, 1, D_WRITE, 0);
    *gp(v, STATUS) = 0xee;
    offer(v, 0, 0);
    kick(v, 0);
    CHECK_EQ(*gp(v, STATUS), S_OK);
    CHECK_EQ(file_u64(&r, 9 * 512), 0x5a5a5a5a5a5a5a5aull);
    /* IN: data and status in one writable buffer of 513 bytes, data split over two. */
    header(v, T_IN, 9);
    desc(v, 0, 0, HDR, 16, D_NEXT, 1);
    desc(v, 0, 1, DATA, 100, D_WRITE | D_NEXT, 2);
    desc(v, 0, 2, DATA + 1000, 413, D_WRITE, 0);
    offer(v, 0, 0);
    kick(v, 0);
    CHECK_EQ(gp(v, DATA + 1000)[412], S_OK);
    CHECK_EQ(gp(v, DATA)[0], 0x5a);
    CHECK_EQ(gp(v, DATA + 1000)[411], 0x5a);
    CHECK_EQ(used_len(v, 0, 1), 513);
    rig_down(&r);
}

TEST(an_indirect_request_works)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct vdrv *v = &r.v;
    header(v, T_IN, 3);
    put_desc(v, ITABLE, 0, HDR, 16, D_NEXT, 1);
    put_desc(v, ITABLE, 1, DATA, 512, D_WRITE | D_NEXT, 2);
    put_desc(v, ITABLE, 2, STATUS, 1, D_WRITE, 0);
    desc(v, 0, 0, ITABLE, 48, D_INDIRECT, 0);
    *gp(v, STATUS) = 0xee;
    offer(v, 0, 0);
    kick(v, 0);
    CHECK_EQ(*gp(v, STATUS), S_OK);
    CHECK_EQ(*(uint64_t *)gp(v, DATA), 3);
    rig_down(&r);
}

TEST(flush_syncs_and_completes_ok)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct disk_stats before, after;
    disk_get_stats(r.disk, &before);
    CHECK_EQ(request(&r, T_FLUSH, 0, 0, false), S_OK);
    disk_get_stats(r.disk, &after);
    CHECK_EQ(after.flushes, before.flushes + 1);
    rig_down(&r);
}

TEST(requests_past_the_end_are_ioerr)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    CHECK_EQ(request(&r, T_IN, SECTORS - 1, 512, true), S_OK);
    CHECK_EQ(request(&r, T_IN, SECTORS - 1, 1024, true), S_IOERR);
    CHECK_EQ(request(&r, T_IN, SECTORS, 512, true), S_IOERR);
    CHECK_EQ(request(&r, T_OUT, SECTORS, 512, false), S_IOERR);
    CHECK_EQ(request(&r, T_IN, ~0ull, 512, true), S_IOERR);
    CHECK_EQ(request(&r, T_IN, ~0ull / 512 + 1, 512, true), S_IOERR); /* *512 wraps to 0 */
    CHECK_EQ(request(&r, T_OUT, 1ull << 55, 512, false), S_IOERR);
    CHECK(!needs_reset(&r.v));
    struct virtio_stats s;
    virtio_dev_get_stats(r.v.d, &s);
    CHECK_EQ(s.request_errors, 6);
    rig_down(&r);
}

TEST(lengths_that_are_not_whole_sectors_are_ioerr)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    CHECK_EQ(request(&r, T_IN, 0, 100, true), S_IOERR);
    CHECK_EQ(request(&r, T_OUT, 0, 513, false), S_IOERR);
    CHECK_EQ(file_u64(&r, 0), 0);
    rig_down(&r);
}

TEST(a_read_only_disk_refuses_writes_and_is_never_written)
{
    struct rig r;
    rig_up(&r, true, false, ~0ull);
    memset(gp(&r.v, DATA), 0xff, 512);
    CHECK_EQ(request(&r, T_OUT, 2, 512, false), S_IOERR);
    CHECK_EQ(file_u64(&r, 2 * 512), 2);
    CHECK_EQ(request(&r, T_IN, 2, 512, true), S_OK);
    CHECK_EQ(*(uint64_t *)gp(&r.v, DATA), 2);
    CHECK_EQ(request(&r, T_FLUSH, 0, 0, false), S_OK);
    rig_down(&r);
}

TEST(get_id_returns_the_serial)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    virtio_blk_set_serial(r.v.d, "visor-disk-0123456789abcdef");
    memset(gp(&r.v, DATA), 0xcc, 64);
    CHECK_EQ(request(&r, T_GET_ID, 0, 20, true), S_OK);
    CHECK(memcmp(gp(&r.v, DATA), "visor-disk-012345678", 20) == 0);
    CHECK_EQ(used_len(&r.v, 0, 0), 21);
    virtio_blk_set_serial(r.v.d, "short");
    CHECK_EQ(request(&r, T_GET_ID, 0, 20, true), S_OK);
    CHECK(memcmp(gp(&r.v, DATA), "short\0\0\0", 8) == 0);
    /* A smaller buffer gets a prefix. */
    memset(gp(&r.v, DATA), 0xcc, 64);
    CHECK_EQ(request(&r, T_GET_ID, 0, 3, true), S_OK);
    CHECK(memcmp(gp(&r.v, DATA), "sho\xcc", 4) == 0);
    rig_down(&r);
}

TEST(unknown_request_types_are_unsupp)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    CHECK_EQ(request(&r, 12, 0, 0, false), S_UNSUPP); /* no type 12 */
    CHECK_EQ(request(&r, 0x7fffffff, 0, 512, true), S_UNSUPP);
    CHECK(!needs_reset(&r.v));
    rig_down(&r);
}

/* One discard/write-zeroes segment in the data buffer. */
static void segment(struct rig *r, unsigned i, uint64_t sector, uint32_t count, uint32_t flags)
{
    g64(&r->v, DATA + 16 * i, sector);
    g32(&r->v, DATA + 16 * i + 8, count);
    g32(&r->v, DATA + 16 * i + 12, flags);
}

TEST(discard_and_write_zeroes_punch_holes_in_range_and_refuse_the_rest)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    uint64_t f = dev_features(&r.v);
    CHECK(f & (1u << 13)); /* DISCARD */
    CHECK(f & (1u << 14)); /* WRITE_ZEROES */
    CHECK(rd(&r.v, R_CONFIG + 36) >= SECTORS); /* max_discard_sectors */
    CHECK(rd(&r.v, R_CONFIG + 40) >= 2);       /* max_discard_seg */
    CHECK_EQ(rdn(&r.v, R_CONFIG + 56, 1), 1);  /* write_zeroes_may_unmap */
    /* two segments: sectors 4..5 and 9; their neighbours keep their contents */
    segment(&r, 0, 4, 2, 0);
    segment(&r, 1, 9, 1, 0);
    CHECK_EQ(request(&r, T_DISCARD, 0, 32, false), S_OK);
    CHECK_EQ(file_u64(&r, 4 * 512), 0);
    CHECK_EQ(file_u64(&r, 5 * 512), 0);
    CHECK_EQ(file_u64(&r, 9 * 512), 0);
    CHECK_EQ(file_u64(&r, 3 * 512), 3);
    CHECK_EQ(file_u64(&r, 6 * 512), 6);
    CHECK_EQ(file_u64(&r, 8 * 512), 8);
    segment(&r, 0, 20, 1, 1); /* write-zeroes may unmap */
    CHECK_EQ(request(&r, T_WRITE_ZEROES, 0, 16, false), S_OK);
    CHECK_EQ(file_u64(&r, 20 * 512), 0);
    CHECK_EQ(file_u64(&r, 21 * 512), 21);
    /* discard with the unmap flag, reserved flags, a ragged payload: UNSUPP */
    segment(&r, 0, 30, 1, 1);
    CHECK_EQ(request(&r, T_DISCARD, 0, 16, false), S_UNSUPP);
    segment(&r, 0, 30, 1, 2);
    CHECK_EQ(request(&r, T_WRITE_ZEROES, 0, 16, false), S_UNSUPP);
    CHECK_EQ(request(&r, T_DISCARD, 0, 24, false), S_UNSUPP);
    CHECK_EQ(file_u64(&r, 30 * 512), 30);
    /* past the end, or wrapping: IOERR, nothing zeroed */
    segment(&r, 0, SECTORS - 1, 2, 0);
    CHECK_EQ(request(&r, T_DISCARD, 0, 16, false), S_IOERR);
    segment(&r, 0, ~0ull, 1, 0);
    CHECK_EQ(request(&r, T_WRITE_ZEROES, 0, 16, false), S_IOERR);
    CHECK_EQ(file_u64(&r, (SECTORS - 1) * 512), SECTORS - 1);
    CHECK(!needs_reset(&r.v));
    rig_down(&r);
    /* a read-only disk offers neither */
    rig_up(&r, true, false, ~0ull);
    CHECK(!(dev_features(&r.v) & (1u << 13)));
    segment(&r, 0, 4, 1, 0);
    CHECK_EQ(request(&r, T_DISCARD, 0, 16, false), S_UNSUPP);
    CHECK_EQ(file_u64(&r, 4 * 512), 4);
    rig_down(&r);
}

TEST(a_header_shorter_than_16_bytes_needs_reset)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct vdrv *v = &r.v;
    header(v, T_IN, 0);
    desc(v, 0, 0, HDR, 8, D_NEXT, 1);
    desc(v, 0, 1, STATUS, 1, D_WRITE, 0);
    offer(v, 0, 0);
    kick(v, 0);
    CHECK(needs_reset(v));
    CHECK_EQ(used_idx(v, 0), 0);
    rig_down(&r);
}

TEST(a_header_split_over_two_buffers_is_fine)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct vdrv *v = &r.v;
    header(v, T_IN, 4);
    desc(v, 0, 0, HDR, 8, D_NEXT, 1);
    desc(v, 0, 1, HDR + 8, 8, D_NEXT, 2);
    desc(v, 0, 2, DATA, 512, D_WRITE | D_NEXT, 3);
    desc(v, 0, 3, STATUS, 1, D_WRITE, 0);
    *gp(v, STATUS) = 0xee;
    offer(v, 0, 0);
    kick(v, 0);
    CHECK_EQ(*gp(v, STATUS), S_OK);
    CHECK_EQ(*(uint64_t *)gp(v, DATA), 4);
    rig_down(&r);
}

TEST(a_request_without_a_status_byte_needs_reset)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct vdrv *v = &r.v;
    header(v, T_OUT, 0);
    desc(v, 0, 0, HDR, 16, D_NEXT, 1);
    desc(v, 0, 1, DATA, 512, 0, 0);
    offer(v, 0, 0);
    kick(v, 0);
    CHECK(needs_reset(v));
    CHECK_EQ(file_u64(&r, 0), 0);
    rig_down(&r);
}

TEST(a_data_buffer_outside_ram_needs_reset_and_writes_nothing)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct vdrv *v = &r.v;
    header(v, T_OUT, 1);
    desc(v, 0, 0, HDR, 16, D_NEXT, 1);
    desc(v, 0, 1, RAM_END - 256, 512, D_NEXT, 2);
    desc(v, 0, 2, STATUS, 1, D_WRITE, 0);
    offer(v, 0, 0);
    kick(v, 0);
    CHECK(needs_reset(v));
    CHECK_EQ(file_u64(&r, 512), 1);
    rig_down(&r);
}

TEST(many_requests_in_one_notify_all_complete)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    struct vdrv *v = &r.v;
    /* qn/3 requests of three descriptors each, reading sectors 0..qn/3-1. */
    unsigned n = qn / 3u;
    for (unsigned i = 0; i < n; i++) {
        uint64_t h = HDR + 0x100 + 32 * i;
        g32(v, h, T_IN);
        g32(v, h + 4, 0);
        g64(v, h + 8, i);
        desc(v, 0, 3 * i, h, 16, D_NEXT, (uint16_t)(3 * i + 1));
        desc(v, 0, 3 * i + 1, DATA + 512 * i, 512, D_WRITE | D_NEXT, (uint16_t)(3 * i + 2));
        desc(v, 0, 3 * i + 2, STATUS + i, 1, D_WRITE, 0);
        offer(v, 0, (uint16_t)(3 * i));
    }
    kick(v, 0);
    CHECK_EQ(used_idx(v, 0), n);
    for (unsigned i = 0; i < n; i++) {
        CHECK_EQ(*gp(v, STATUS + i), S_OK);
        CHECK_EQ(*(uint64_t *)gp(v, DATA + 512 * i), i);
        CHECK_EQ(used_id(v, 0, (uint16_t)i), 3 * i);
    }
    CHECK(v->irq);
    rig_down(&r);
}

TEST(legacy_mode_reads_and_writes)
{
    struct rig r;
    rig_up(&r, false, true, ~0ull);
    CHECK_EQ(rd(&r.v, R_VERSION), 1);
    memset(gp(&r.v, DATA), 0x42, 512);
    CHECK_EQ(request(&r, T_OUT, 8, 512, false), S_OK);
    memset(gp(&r.v, DATA), 0, 512);
    CHECK_EQ(request(&r, T_IN, 8, 512, true), S_OK);
    CHECK_EQ(gp(&r.v, DATA)[511], 0x42);
    rig_down(&r);
}

TEST(without_event_idx_or_indirect_requests_still_work)
{
    struct rig r;
    rig_up(&r, false, false, F_VERSION_1 | (1u << 9));
    CHECK_EQ(request(&r, T_IN, 1, 512, true), S_OK);
    CHECK_EQ(*(uint64_t *)gp(&r.v, DATA), 1);
    CHECK(r.v.irq);
    rig_down(&r);
}

TEST(describe_names_the_disk)
{
    struct rig r;
    rig_up(&r, true, false, ~0ull);
    CHECK_EQ(request(&r, T_IN, 0, 512, true), S_OK);
    char buf[2048];
    CHECK(virtio_mmio_ops.describe(r.v.d, buf, sizeof(buf)) > 0);
    CHECK(strstr(buf, r.path) != NULL);
    CHECK(strstr(buf, "64 sectors, read-only; 1 reads") != NULL);
    rig_down(&r);
}

TEST(save_restore_keeps_the_queue_going)
{
    struct rig r;
    rig_up(&r, false, false, ~0ull);
    CHECK_EQ(request(&r, T_IN, 1, 512, true), S_OK);
    size_t n = 0;
    CHECK(virtio_dev_save(r.v.d, NULL, 0, &n) == -ERR_RANGE);
    uint8_t *img = malloc(n);
    CHECK(virtio_dev_save(r.v.d, img, n, &n) == 0);
    virtio_dev_reset(r.v.d);
    CHECK(virtio_dev_restore(r.v.d, img, n) == 0);
    CHECK_EQ(request(&r, T_IN, 2, 512, true), S_OK);
    CHECK_EQ(used_idx(&r.v, 0), 2);
    CHECK_EQ(*(uint64_t *)gp(&r.v, DATA), 2);
    free(img);
    rig_down(&r);
}

TEST_MAIN("virtio_blk")
