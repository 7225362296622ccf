/* Minidisk links and extents: the z/VM mode table as a pure decision and through real OFD
 * locks (two open file descriptions in one process conflict as two processes do), extents
 * that overlap or not, refusals that name the mode held, locks that go with the disk, QEMU's
 * lock bytes, extents checked against the volume and bounding every transfer. */
#define _GNU_SOURCE /* F_OFD_GETLK */
#include "test.h"

#include "disk/disk.h"

#include <fcntl.h>
#include <unistd.h>

static const enum disk_link_mode modes[DISK_LINK_NMODES] = {
    DISK_LINK_R, DISK_LINK_RR, DISK_LINK_W, DISK_LINK_WR, DISK_LINK_M, DISK_LINK_MR, DISK_LINK_MW,
};

/* The second link's outcome while the first (granted on a free volume) is held:
 * r granted read, w granted write, - refused. Rows: first; columns: second. */
static const char *const table[DISK_LINK_NMODES] = {
    /*        R RR W WR M MR MW */
    /* R  */ "rr-rwww",
    /* RR */ "rr-rwww",
    /* W  */ "-r---rw",
    /* WR */ "-r---rw",
    /* M  */ "-r---rw",
    /* MR */ "-r---rw",
    /* MW */ "-r---rw",
};

static char vol[64];

static void make_volume(uint64_t size)
{
    strcpy(vol, "/tmp/visor-link-XXXXXX");
    int fd = mkstemp(vol);
    if (fd < 0 || ftruncate(fd, (off_t)size))
        abort();
    close(fd);
}

static int open_link(enum disk_link_mode m, bool extent, uint64_t off, uint64_t size,
                     struct disk **d, char *err)
{
    struct disk_spec s = {
        .path = vol, .name = "t", .extent = extent, .offset = off, .size = size, .link = m};
    return disk_open_spec(&s, d, err, 512);
}

static char outcome(int rc, struct disk *d)
{
    return rc ? '-' : disk_readonly(d) ? 'r' : 'w';
}

TEST(mode_names_parse_both_ways)
{
    for (unsigned i = 0; i < DISK_LINK_NMODES; i++) {
        enum disk_link_mode m;
        CHECK(disk_link_mode_parse(disk_link_mode_name(modes[i]), &m) == 0);
        CHECK_EQ(m, modes[i]);
    }
    enum disk_link_mode m;
    CHECK(disk_link_mode_parse("mr", &m) == 0 && m == DISK_LINK_MR);
    CHECK(disk_link_mode_parse("X", &m) == -ERR_INVAL);
    CHECK(!strcmp(disk_link_state_name(DISK_LINK_STATE(DISK_LINK_WR, false)), "WR as R"));
}

TEST(the_pure_decision_follows_the_mode_table)
{
    for (unsigned a = 0; a < DISK_LINK_NMODES; a++) {
        struct disk_link_view free_vol = {0};
        struct disk_link_decision first = disk_link_decide(modes[a], &free_vol);
        CHECK(first.granted);
        CHECK_EQ(first.write, a >= DISK_LINK_W);
        struct disk_link_view v = {.held = 1u << DISK_LINK_STATE(modes[a], first.write)};
        for (unsigned b = 0; b < DISK_LINK_NMODES; b++) {
            struct disk_link_decision d = disk_link_decide(modes[b], &v);
            char got = !d.granted ? '-' : d.write ? 'w' : 'r';
            if (got != table[a][b])
                fprintf(stderr, "%s then %s: got %c, want %c\n", disk_link_mode_name(modes[a]),
                        disk_link_mode_name(modes[b]), got, table[a][b]);
            CHECK(got == table[a][b]);
            if (!d.granted)
                CHECK_EQ(d.blocker, DISK_LINK_STATE(modes[a], first.write));
        }
    }
}

TEST(qemu_bytes_alone_decide_as_a_qemu_writer_would)
{
    struct disk_link_view writer = {.q_read = true, .q_write = true, .q_deny_write = true};
    CHECK(!disk_link_decide(DISK_LINK_W, &writer).granted);
    CHECK_EQ(disk_link_decide(DISK_LINK_W, &writer).blocker, DISK_LINK_QEMU);
    CHECK(!disk_link_decide(DISK_LINK_R, &writer).granted);
    CHECK(!disk_link_decide(DISK_LINK_M, &writer).granted);
    CHECK(disk_link_decide(DISK_LINK_RR, &writer).granted);
    CHECK(disk_link_decide(DISK_LINK_MW, &writer).write);
    struct disk_link_decision mr = disk_link_decide(DISK_LINK_MR, &writer);
    CHECK(mr.granted && !mr.write);
    struct disk_link_view reader = {.q_read = true};
    CHECK(!disk_link_decide(DISK_LINK_W, &reader).granted);
    CHECK(disk_link_decide(DISK_LINK_M, &reader).write);
    struct disk_link_view no_read = {.q_deny_read = true};
    CHECK(!disk_link_decide(DISK_LINK_RR, &no_read).granted);
}

TEST(every_ordered_pair_of_modes_through_real_locks)
{
    make_volume(1 << 20);
    for (unsigned a = 0; a < DISK_LINK_NMODES; a++) {
        for (unsigned b = 0; b < DISK_LINK_NMODES; b++) {
            char err[512];
            struct disk *d1 = NULL, *d2 = NULL;
            int rc1 = open_link(modes[a], false, 0, 0, &d1, err);
            CHECK(rc1 == 0);
            int rc2 = open_link(modes[b], false, 0, 0, &d2, err);
            char got = outcome(rc2, d2);
            if (got != table[a][b])
                fprintf(stderr, "locks: %s then %s: got %c, want %c (%s)\n",
                        disk_link_mode_name(modes[a]), disk_link_mode_name(modes[b]), got,
                        table[a][b], rc2 ? err : "");
            CHECK(got == table[a][b]);
            if (rc2) {
                CHECK(rc2 == -ERR_BUSY);
                char want[32];
                snprintf(want, sizeof(want), "in mode %s ", disk_link_mode_name(modes[a]));
                CHECK(strstr(err, want) != NULL);
            }
            disk_close(d2);
            disk_close(d1);
        }
    }
    unlink(vol);
}

TEST(links_go_with_the_disk)
{
    make_volume(1 << 20);
    char err[512];
    struct disk *a, *b;
    CHECK(open_link(DISK_LINK_W, false, 0, 0, &a, err) == 0);
    CHECK(open_link(DISK_LINK_W, false, 0, 0, &b, err) == -ERR_BUSY);
    disk_close(a);
    CHECK(open_link(DISK_LINK_W, false, 0, 0, &b, err) == 0);
    disk_close(b);
    unlink(vol);
}

TEST(extents_conflict_only_where_they_overlap)
{
    make_volume(4 << 20);
    char err[512];
    struct disk *a, *b, *c, *w;
    CHECK(open_link(DISK_LINK_W, true, 1 << 20, 1 << 20, &a, err) == 0);
    CHECK(open_link(DISK_LINK_W, true, 2 << 20, 1 << 20, &b, err) == 0);            /* adjacent */
    CHECK(open_link(DISK_LINK_R, true, (3 << 20) / 2, 4096, &c, err) == -ERR_BUSY); /* inside */
    CHECK(strstr(err, "in mode W") != NULL);
    CHECK(open_link(DISK_LINK_W, false, 0, 0, &w, err) == -ERR_BUSY); /* the whole image */
    CHECK(open_link(DISK_LINK_M, true, 0, 1 << 20, &c, err) == 0);
    disk_close(c);
    disk_close(b);
    disk_close(a);
    unlink(vol);
}

TEST(an_extent_is_checked_against_the_volume)
{
    make_volume(1 << 20);
    char err[512];
    struct disk *d;
    CHECK(open_link(DISK_LINK_W, true, 2 << 20, 0, &d, err) == -ERR_RANGE);
    CHECK(strstr(err, "past the end") != NULL);
    CHECK(open_link(DISK_LINK_W, true, 512 << 10, 1 << 20, &d, err) == -ERR_RANGE);
    CHECK(strstr(err, "too small") != NULL);
    CHECK(open_link(DISK_LINK_W, true, 0, 1000, &d, err) == -ERR_RANGE);
    CHECK(open_link(DISK_LINK_W, true, 512 << 10, 0, &d, err) == 0); /* to the end */
    CHECK_EQ(disk_size(d), 512 << 10);
    disk_close(d);
    unlink(vol);
}

TEST(a_disk_sees_only_its_extent)
{
    make_volume(64 << 10);
    int fd = open(vol, O_RDWR);
    uint8_t mark[512];
    memset(mark, 0xa5, sizeof(mark));
    CHECK(pwrite(fd, mark, sizeof(mark), 16 << 10) == 512);
    char err[512];
    struct disk *d;
    CHECK(open_link(DISK_LINK_W, true, 16 << 10, 8 << 10, &d, err) == 0);
    CHECK_EQ(disk_size(d), 8 << 10);
    uint8_t buf[512];
    CHECK(disk_read(d, 0, buf, sizeof(buf)) == 0);
    CHECK(buf[0] == 0xa5 && buf[511] == 0xa5);
    CHECK(disk_read(d, 8 << 10, buf, 1) == -ERR_RANGE);
    CHECK(disk_write(d, (8 << 10) - 256, buf, 512) == -ERR_RANGE);
    memset(buf, 0x5a, sizeof(buf));
    CHECK(disk_write(d, (8 << 10) - 512, buf, 512) == 0);
    uint8_t back[512];
    CHECK(pread(fd, back, 512, (24 << 10) - 512) == 512 && back[0] == 0x5a);
    CHECK(pread(fd, back, 512, 24 << 10) == 512 && back[0] == 0); /* past it: untouched */
    char line[256];
    disk_describe(d, line, sizeof(line));
    CHECK(strstr(line, "offset=16384 size=8192") && strstr(line, "link W granted"));
    disk_close(d);
    close(fd);
    unlink(vol);
}

TEST(a_read_link_is_a_read_only_disk)
{
    make_volume(64 << 10);
    char err[512];
    struct disk *d;
    CHECK(open_link(DISK_LINK_RR, false, 0, 0, &d, err) == 0);
    CHECK(disk_readonly(d));
    uint8_t buf[512] = {0};
    CHECK(disk_write(d, 0, buf, sizeof(buf)) == -ERR_UNSUPPORTED);
    disk_close(d);
    unlink(vol);
}

/* A writer holds QEMU's bytes as QEMU's file driver does; a reader only the read byte. */
static bool byte_locked(int fd, off_t at)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = at, .l_len = 1};
    return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

TEST(whole_images_take_qemus_lock_bytes)
{
    make_volume(64 << 10);
    int fd = open(vol, O_RDWR);
    char err[512];
    struct disk *d;
    CHECK(open_link(DISK_LINK_W, false, 0, 0, &d, err) == 0);
    CHECK(byte_locked(fd, 100) && byte_locked(fd, 101) && byte_locked(fd, 201));
    CHECK(!byte_locked(fd, 200));
    disk_close(d);
    CHECK(open_link(DISK_LINK_R, false, 0, 0, &d, err) == 0);
    CHECK(byte_locked(fd, 100) && !byte_locked(fd, 101) && !byte_locked(fd, 201));
    disk_close(d);
    CHECK(open_link(DISK_LINK_W, true, 0, 4096, &d, err) == 0); /* extents: visor's own */
    CHECK(!byte_locked(fd, 100) && !byte_locked(fd, 101));
    disk_close(d);
    /* Someone holding QEMU's write byte refuses W. */
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 101, .l_len = 1};
    CHECK(fcntl(fd, F_OFD_SETLK, &fl) == 0);
    CHECK(open_link(DISK_LINK_W, false, 0, 0, &d, err) == -ERR_BUSY);
    CHECK(strstr(err, "QEMU") != NULL);
    close(fd);
    unlink(vol);
}

TEST(the_journal_logs_writes_and_flushes)
{
    make_volume(64 << 10);
    char jpath[80];
    snprintf(jpath, sizeof(jpath), "%s.journal", vol);
    struct disk_spec s = {.path = vol, .name = "t", .link = DISK_LINK_W, .journal = jpath};
    char err[512];
    struct disk *d;
    CHECK(disk_open_spec(&s, &d, err, sizeof(err)) == 0);
    uint8_t buf[512];
    memset(buf, 1, sizeof(buf));
    CHECK(disk_write(d, 0, buf, sizeof(buf)) == 0);
    CHECK(disk_flush(d) == 0);
    CHECK(disk_write(d, 512, buf, sizeof(buf)) == 0);
    disk_close(d);
    uint8_t *j;
    size_t n;
    CHECK(file_read_all(jpath, &j, &n) == 0);
    CHECK_EQ(n, 8 + (13 + 512) + 9 + (13 + 512));
    CHECK(!memcmp(j, "VISORJ1\n", 8) && j[8] == 'W' && j[8 + 525] == 'F');
    CHECK_EQ(j[8 + 525 + 1], 1); /* the flush covers one write */
    free(j);
    unlink(jpath);
    unlink(vol);
}

TEST_MAIN("link")
