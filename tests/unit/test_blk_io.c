/* virtio-blk with its I/O threads (virtio_blk_start_io): several requests in flight complete
 * with their data and status, the used ring and the interrupt; the wake hook runs; writes
 * read back; a reset with requests in flight, and freeing the device, are safe. */
#include "virtio_driver.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define HDR (DATA_BASE)
#define STATUS (DATA_BASE + 0x800)
#define DATA (DATA_BASE + 0x1000)
#define SECTORS 64
#define NREQ 5 /* three descriptors each in a queue of 16 */

enum { T_IN = 0, T_OUT = 1 };

struct rig {
    struct vdrv v;
    char path[32];
    struct disk *disk;
    int wakes;
};

static void on_wake(void *ctx)
{
    __atomic_fetch_add((int *)ctx, 1, __ATOMIC_RELAXED);
}

static void rig_up(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    strcpy(r->path, "/tmp/visor-blkio-XXXXXX");
    int fd = mkstemp(r->path);
    if (fd < 0 || ftruncate(fd, SECTORS * 512))
        abort();
    for (uint64_t k = 0; k < SECTORS; k++) /* sector k starts with k */
        if (pwrite(fd, &k, 8, (off_t)(k * 512)) != 8)
            abort();
    close(fd);
    if (disk_open_raw(r->path, false, &r->disk))
        abort();
    vdrv_bus(&r->v, false);
    vdrv_attach(&r->v, virtio_blk_new(&r->v.bus, vdrv_line(&r->v), r->disk, false));
    if (virtio_blk_start_io(r->v.d, on_wake, &r->wakes))
        abort();
    vdrv_up(&r->v, F_VERSION_1, 1, 16);
}

static void rig_down(struct rig *r)
{
    vdrv_free(&r->v);
    disk_close(r->disk);
    unlink(r->path);
}

/* Request k: header, 512 bytes of data, status; made available, not yet notified. */
static void post(struct rig *r, unsigned k, uint32_t type, uint64_t sector)
{
    struct vdrv *v = &r->v;
    uint64_t h = HDR + 16 * k, data = DATA + 512 * k, st = STATUS + k;
    g32(v, h, type);
    g32(v, h + 4, 0);
    g64(v, h + 8, sector);
    *gp(v, st) = 0xee;
    unsigned d = 3 * k;
    desc(v, 0, d, h, 16, D_NEXT, (uint16_t)(d + 1));
    desc(v, 0, d + 1, data, 512, (uint16_t)(D_NEXT | (type == T_IN ? D_WRITE : 0)),
         (uint16_t)(d + 2));
    desc(v, 0, d + 2, st, 1, D_WRITE, 0);
    offer(v, 0, (uint16_t)d);
}

/* Waits up to two seconds for the used index to reach n. */
static bool wait_used(struct rig *r, uint16_t n)
{
    for (int i = 0; i < 2000; i++) {
        if (__atomic_load_n((uint16_t *)gp(&r->v, r->v.q[0].used + 2), __ATOMIC_ACQUIRE) == n)
            return true;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return false;
}

TEST(several_reads_in_flight_complete_with_their_data)
{
    struct rig r;
    rig_up(&r);
    for (unsigned k = 0; k < NREQ; k++)
        post(&r, k, T_IN, 10 + k);
    kick(&r.v, 0);
    CHECK(wait_used(&r, NREQ));
    for (unsigned k = 0; k < NREQ; k++) {
        CHECK_EQ(*gp(&r.v, STATUS + k), 0);
        uint64_t first;
        memcpy(&first, gp(&r.v, DATA + 512 * k), 8);
        CHECK_EQ(first, 10 + k);
    }
    bool seen[NREQ] = {false};
    for (uint16_t u = 0; u < NREQ; u++) {
        uint32_t id = used_id(&r.v, 0, u);
        CHECK(id % 3 == 0 && id / 3 < NREQ);
        if (id % 3 == 0 && id / 3 < NREQ)
            seen[id / 3] = true;
        CHECK_EQ(used_len(&r.v, 0, u), 513);
    }
    for (unsigned k = 0; k < NREQ; k++)
        CHECK(seen[k]);
    CHECK(__atomic_load_n(&r.wakes, __ATOMIC_RELAXED) >= 1);
    CHECK(r.v.irq_raises >= 1);
    rig_down(&r);
}

TEST(writes_through_the_threads_read_back)
{
    struct rig r;
    rig_up(&r);
    for (unsigned k = 0; k < NREQ; k++) {
        memset(gp(&r.v, DATA + 512 * k), 0x40 + (int)k, 512);
        post(&r, k, T_OUT, 30 + k);
    }
    kick(&r.v, 0);
    CHECK(wait_used(&r, NREQ));
    int fd = open(r.path, O_RDONLY);
    for (unsigned k = 0; k < NREQ; k++) {
        uint8_t b[512];
        CHECK(pread(fd, b, 512, (off_t)(30 + k) * 512) == 512);
        CHECK(b[0] == 0x40 + k && b[511] == 0x40 + k);
    }
    close(fd);
    rig_down(&r);
}

TEST(a_reset_with_requests_in_flight_then_free_is_safe)
{
    struct rig r;
    rig_up(&r);
    for (unsigned k = 0; k < NREQ; k++)
        post(&r, k, T_OUT, k);
    kick(&r.v, 0);
    wr(&r.v, R_STATUS, 0); /* reset while the workers may be busy */
    CHECK_EQ(rd(&r.v, R_STATUS), 0);
    /* the device comes back and serves again */
    vdrv_up(&r.v, F_VERSION_1, 1, 16);
    r.v.q[0].avail_idx = 0;
    post(&r, 0, T_IN, 7);
    kick(&r.v, 0);
    CHECK(wait_used(&r, 1));
    uint64_t first;
    memcpy(&first, gp(&r.v, DATA), 8);
    CHECK_EQ(first, 7);
    for (unsigned k = 1; k < NREQ; k++)
        post(&r, k, T_OUT, 40 + k);
    kick(&r.v, 0);
    rig_down(&r); /* freed with requests possibly in flight: joins the workers */
}

TEST_MAIN("blk_io")
