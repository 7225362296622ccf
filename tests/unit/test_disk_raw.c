/* The raw block backend: opening (missing, directory, unreadable, read-only), size, positional
 * reads and writes bounded by the size taken at open, the read-only refusal, flush, and a
 * file that shrinks under the disk. */
#include "test.h"

#include "disk/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[64];

static void make_file(uint64_t size)
{
    strcpy(path, "/tmp/visor-disk-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, (off_t)size))
        abort();
    close(fd);
}

TEST(a_missing_file_is_not_found_with_errno)
{
    struct disk *d = (struct disk *)1;
    CHECK(disk_open_raw("/tmp/visor-no-such-disk.img", false, &d) == -ERR_NOTFOUND);
    CHECK_EQ(errno, ENOENT);
    CHECK(d == NULL);
}

TEST(a_directory_is_refused)
{
    struct disk *d;
    CHECK(disk_open_raw("/tmp", true, &d) == -ERR_INVAL);
    CHECK_EQ(errno, EISDIR);
}

TEST(an_unreadable_file_is_an_io_error_with_errno)
{
    if (geteuid() == 0)
        return; /* root reads anything */
    make_file(4096);
    chmod(path, 0);
    struct disk *d;
    CHECK(disk_open_raw(path, true, &d) == -ERR_IO);
    CHECK_EQ(errno, EACCES);
    unlink(path);
}

TEST(a_read_only_file_cannot_be_opened_read_write)
{
    if (geteuid() == 0)
        return;
    make_file(4096);
    chmod(path, 0444);
    struct disk *d;
    CHECK(disk_open_raw(path, false, &d) == -ERR_IO);
    CHECK(disk_open_raw(path, true, &d) == 0);
    CHECK(disk_readonly(d));
    disk_close(d);
    unlink(path);
}

TEST(size_path_and_round_trip)
{
    make_file(1 << 20);
    struct disk *d;
    CHECK(disk_open_raw(path, false, &d) == 0);
    CHECK_EQ(disk_size(d), 1 << 20);
    CHECK(!disk_readonly(d));
    CHECK(strcmp(disk_path(d), path) == 0);
    uint8_t buf[3000], back[3000];
    for (int i = 0; i < 3000; i++)
        buf[i] = (uint8_t)(i * 31);
    CHECK(disk_write(d, 12345, buf, sizeof(buf)) == 0);
    CHECK(disk_read(d, 12345, back, sizeof(back)) == 0);
    CHECK(memcmp(buf, back, sizeof(buf)) == 0);
    CHECK(disk_flush(d) == 0);
    /* The last byte is reachable; one past it is not. */
    CHECK(disk_write(d, (1 << 20) - 1, buf, 1) == 0);
    CHECK(disk_read(d, (1 << 20) - 1, back, 1) == 0);
    CHECK(disk_read(d, 1 << 20, back, 0) == 0);
    struct disk_stats s;
    disk_get_stats(d, &s);
    CHECK_EQ(s.reads, 3);
    CHECK_EQ(s.writes, 2);
    CHECK_EQ(s.bytes_written, 3001);
    CHECK_EQ(s.flushes, 1);
    disk_close(d);
    unlink(path);
}

TEST(accesses_past_the_end_are_range_errors_and_never_grow_the_file)
{
    make_file(4096);
    struct disk *d;
    CHECK(disk_open_raw(path, false, &d) == 0);
    uint8_t buf[16] = {0};
    CHECK(disk_read(d, 4090, buf, 16) == -ERR_RANGE);
    CHECK(disk_write(d, 4090, buf, 16) == -ERR_RANGE);
    CHECK(disk_write(d, 4097, buf, 0) == -ERR_RANGE);
    CHECK(disk_read(d, UINT64_MAX, buf, 2) == -ERR_RANGE);
    CHECK(disk_write(d, UINT64_MAX - 1, buf, 4) == -ERR_RANGE);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK_EQ(st.st_size, 4096);
    struct disk_stats s;
    disk_get_stats(d, &s);
    CHECK_EQ(s.errors, 5);
    disk_close(d);
    unlink(path);
}

TEST(a_read_only_disk_refuses_writes_and_flushes_fine)
{
    make_file(4096);
    struct disk *d;
    CHECK(disk_open_raw(path, true, &d) == 0);
    uint8_t buf[16];
    memset(buf, 0xab, sizeof(buf));
    CHECK(disk_write(d, 0, buf, 16) == -ERR_UNSUPPORTED);
    CHECK(disk_read(d, 0, buf, 16) == 0);
    CHECK_EQ(buf[0], 0);
    CHECK(disk_flush(d) == 0);
    disk_close(d);
    unlink(path);
}

TEST(a_file_that_shrinks_gives_io_errors_not_garbage)
{
    make_file(8192);
    struct disk *d;
    CHECK(disk_open_raw(path, false, &d) == 0);
    CHECK(truncate(path, 1024) == 0);
    uint8_t buf[512];
    CHECK(disk_read(d, 4096, buf, 512) == -ERR_IO);
    CHECK(disk_read(d, 512, buf, 512) == 0);
    disk_close(d);
    unlink(path);
}

TEST(close_accepts_null)
{
    disk_close(NULL);
}

TEST_MAIN("disk_raw")
