/* The qcow2 backend: created images read as zeros; writes across clusters read back, also
 * after reopening; unallocated clusters read from the backing file (raw or qcow2, overlays of
 * overlays) and a partial write keeps the backing bytes around it; every corrupt header is
 * refused with a message naming what is wrong; backing loops and over-deep chains are refused;
 * many random writes (small clusters, so the refcount table must grow) leave an image that a
 * reference model and, when installed, `qemu-img check` agree on. */
#include "test.h"

#include "disk/disk.h"

#include <fcntl.h>
#include <unistd.h>

static char dir[64];

static const char *tmp(const char *name)
{
    static char paths[8][128];
    static unsigned next;
    char *p = paths[next++ % 8];
    if (!dir[0]) {
        strcpy(dir, "/tmp/visor-qcow2-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

static void create(const char *path, uint64_t size, const char *backing, unsigned cb)
{
    struct disk_create_opts o = {.format = "qcow2", .size = size, .backing = backing,
                                 .cluster_bits = cb};
    char err[DISK_ERRLEN];
    int rc = disk_create(path, &o, err);
    if (rc)
        fprintf(stderr, "create: %s\n", err);
    CHECK_EQ(rc, 0);
}

static struct disk *open_rw(const char *path)
{
    struct disk *d = NULL;
    char err[DISK_ERRLEN];
    int rc = disk_open(path, "qcow2", false, &d, NULL, err);
    if (rc)
        fprintf(stderr, "open: %s\n", err);
    CHECK_EQ(rc, 0);
    return d;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

static bool qemu_img_clean(const char *path)
{
    if (system("command -v qemu-img >/dev/null 2>&1"))
        return true; /* not installed: tests/disk.sh runs it where it is */
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "qemu-img check -q '%s'", path);
    return system(cmd) == 0;
}

TEST(a_new_image_reads_as_zeros_and_has_its_size)
{
    const char *p = tmp("new.qcow2");
    create(p, 10 << 20, NULL, 0);
    struct disk *d = open_rw(p);
    CHECK_EQ(disk_size(d), 10 << 20);
    CHECK(!strcmp(disk_format(d), "qcow2"));
    uint8_t b[4096];
    memset(b, 0xaa, sizeof(b));
    CHECK_EQ(disk_read(d, (10 << 20) - 4096, b, sizeof(b)), 0);
    for (size_t i = 0; i < sizeof(b); i++)
        if (b[i])
            CHECK(!"nonzero");
    CHECK_EQ(disk_read(d, 10 << 20, b, 1), -ERR_RANGE);
    disk_close(d);
}

TEST(writes_across_clusters_read_back_and_survive_reopening)
{
    const char *p = tmp("rw.qcow2");
    create(p, 4 << 20, NULL, 0);
    struct disk *d = open_rw(p);
    static uint8_t w[300000], r[300000];
    fill(w, sizeof(w), 1);
    CHECK_EQ(disk_write(d, 65536 - 1000, w, sizeof(w)), 0); /* spans 6 clusters */
    CHECK_EQ(disk_read(d, 65536 - 1000, r, sizeof(r)), 0);
    CHECK(!memcmp(w, r, sizeof(w)));
    CHECK_EQ(disk_flush(d), 0);
    disk_close(d);
    d = open_rw(p);
    memset(r, 0, sizeof(r));
    CHECK_EQ(disk_read(d, 65536 - 1000, r, sizeof(r)), 0);
    CHECK(!memcmp(w, r, sizeof(w)));
    uint8_t z[1000];
    CHECK_EQ(disk_read(d, 65536 - 2000, z, sizeof(z)), 0);
    CHECK_EQ(z[0] | z[999], 0);
    disk_close(d);
    CHECK(qemu_img_clean(p));
}

TEST(unallocated_clusters_read_the_backing_file_and_partial_writes_keep_it)
{
    const char *base = tmp("base.img");
    int fd = open(base, O_RDWR | O_CREAT | O_TRUNC, 0644);
    static uint8_t b[1 << 20], r[1 << 20];
    fill(b, sizeof(b), 2);
    CHECK_EQ(write(fd, b, sizeof(b)), (ssize_t)sizeof(b));
    close(fd);
    const char *ov = tmp("ov.qcow2");
    create(ov, 0, "base.img", 0); /* relative to the overlay's directory; size from base */
    struct disk *d = open_rw(ov);
    CHECK_EQ(disk_size(d), sizeof(b));
    CHECK_EQ(disk_read(d, 0, r, sizeof(r)), 0);
    CHECK(!memcmp(b, r, sizeof(b)));
    uint8_t w[512];
    memset(w, 0x5a, sizeof(w));
    CHECK_EQ(disk_write(d, 70000, w, sizeof(w)), 0);
    memcpy(b + 70000, w, sizeof(w));
    CHECK_EQ(disk_read(d, 0, r, sizeof(r)), 0);
    CHECK(!memcmp(b, r, sizeof(b)));
    disk_close(d);
    /* An overlay of the overlay sees both, and writes only to itself. */
    const char *ov2 = tmp("ov2.qcow2");
    create(ov2, 0, "ov.qcow2", 0);
    d = open_rw(ov2);
    CHECK_EQ(disk_read(d, 0, r, sizeof(r)), 0);
    CHECK(!memcmp(b, r, sizeof(b)));
    memset(w, 0x33, sizeof(w));
    CHECK_EQ(disk_write(d, 0, w, sizeof(w)), 0);
    disk_close(d);
    d = open_rw(ov);
    CHECK_EQ(disk_read(d, 0, r, 512), 0);
    CHECK(!memcmp(b, r, 512));
    disk_close(d);
    CHECK(qemu_img_clean(ov));
    CHECK(qemu_img_clean(ov2));
}

/* Patches bytes of a fresh image and expects open to fail with text in the message. */
static void refused(const char *what, uint64_t off, const void *bytes, size_t n,
                    const char *text)
{
    const char *p = tmp("bad.qcow2");
    create(p, 1 << 20, NULL, 0);
    int fd = open(p, O_RDWR);
    CHECK_EQ(pwrite(fd, bytes, n, (off_t)off), (ssize_t)n);
    close(fd);
    struct disk *d = (struct disk *)1;
    char err[DISK_ERRLEN] = "";
    int rc = disk_open(p, "qcow2", false, &d, NULL, err);
    if (rc == 0 || !strstr(err, text) || !strstr(err, p)) {
        fprintf(stderr, "%s: got %d '%s', wanted '%s'\n", what, rc, err, text);
        CHECK(!"refused with the right message");
    }
    CHECK(d == NULL);
}

TEST(corrupt_headers_are_refused_naming_what_is_wrong)
{
    uint8_t v4[4] = {0, 0, 0, 4}, cb[4] = {0, 0, 0, 30}, one[4] = {0, 0, 0, 1};
    uint8_t far[8] = {0, 0, 0, 1, 0, 0, 0, 0}, odd[8] = {0, 0, 0, 0, 0, 0, 0x12, 0x34};
    uint8_t corrupt[8] = {0, 0, 0, 0, 0, 0, 0, 2}, unknown[8] = {0, 0, 0, 0, 0, 0, 4, 0};
    uint8_t order[4] = {0, 0, 0, 3}, big[4] = {0x10, 0, 0, 0};
    refused("magic", 0, "QFJ", 3, "bad qcow2 magic");
    refused("version", 4, v4, 4, "unsupported qcow2 version 4");
    refused("cluster_bits", 20, cb, 4, "cluster_bits 30 out of range");
    refused("l1 offset", 40, far, 8, "L1 table outside the file");
    refused("l1 alignment", 40, odd, 8, "L1 table outside the file");
    refused("l1 size", 36, big, 4, "L1 table too large");
    refused("corrupt bit", 72, corrupt, 8, "incompatible feature 'corrupt'");
    refused("unknown bit", 72, unknown, 8, "unknown incompatible features");
    refused("encryption", 32, one, 4, "encryption is not supported");
    refused("refcount_order", 96, order, 4, "refcount_order 3 not supported");
    refused("refcount table", 48, far, 8, "refcount table outside the file");
    uint8_t snaps[4] = {0, 0, 0, 1};
    refused("snapshots", 60, snaps, 4, "internal snapshots");
}

TEST(a_backing_loop_and_a_too_deep_chain_are_refused)
{
    const char *a = tmp("loop-a.qcow2"), *b = tmp("loop-b.qcow2");
    create(a, 1 << 20, NULL, 0);
    create(b, 0, "loop-a.qcow2", 0);
    create(a, 1 << 20, "loop-b.qcow2", 0); /* a -> b -> a */
    struct disk *d;
    char err[DISK_ERRLEN] = "";
    CHECK(disk_open(a, "qcow2", false, &d, NULL, err) != 0);
    CHECK(strstr(err, "backing chain loop") != NULL);

    char name[32], prev[32];
    create(tmp("deep-0.qcow2"), 1 << 20, NULL, 0);
    for (int i = 1; i <= DISK_MAX_CHAIN + 1; i++) {
        snprintf(prev, sizeof(prev), "deep-%d.qcow2", i - 1);
        snprintf(name, sizeof(name), "deep-%d.qcow2", i);
        create(tmp(name), 0, prev, 0);
    }
    snprintf(name, sizeof(name), "deep-%d.qcow2", DISK_MAX_CHAIN);
    CHECK_EQ(disk_open(tmp(name), "qcow2", true, &d, NULL, err), 0);
    disk_close(d);
    snprintf(name, sizeof(name), "deep-%d.qcow2", DISK_MAX_CHAIN + 1);
    CHECK(disk_open(tmp(name), "qcow2", true, &d, NULL, err) != 0);
    CHECK(strstr(err, "backing chain too deep") != NULL);
}

TEST(random_writes_match_a_model_and_keep_refcounts_consistent)
{
    const char *p = tmp("random.qcow2");
    const uint64_t size = 24 << 20;
    create(p, size, NULL, 9); /* 512-byte clusters: many L2 tables, the refcount table grows */
    struct disk *d = open_rw(p);
    uint8_t *model = calloc(1, size), *r = malloc(65536), *w = malloc(65536);
    uint32_t x = 12345;
    for (int i = 0; i < 3000; i++) {
        x = x * 1103515245 + 12345;
        uint64_t off = (x >> 3) % size;
        x = x * 1103515245 + 12345;
        size_t n = 1 + (x >> 8) % 20000;
        if (n > size - off)
            n = size - off;
        fill(w, n, (unsigned)i);
        CHECK_EQ(disk_write(d, off, w, n), 0);
        memcpy(model + off, w, n);
        if (i % 500 == 0)
            CHECK_EQ(disk_flush(d), 0);
    }
    disk_close(d);
    d = open_rw(p);
    for (uint64_t off = 0; off < size; off += 65536) {
        CHECK_EQ(disk_read(d, off, r, 65536), 0);
        if (memcmp(r, model + off, 65536)) {
            CHECK(!"contents differ from the model");
            break;
        }
    }
    disk_close(d);
    free(model);
    free(r);
    free(w);
    CHECK(qemu_img_clean(p));
}

TEST(a_snapshot_overlay_leaves_the_image_untouched)
{
    const char *p = tmp("snap.qcow2");
    create(p, 1 << 20, NULL, 0);
    struct disk *d;
    char err[DISK_ERRLEN];
    CHECK_EQ(disk_open_snapshot(p, NULL, &d, err), 0);
    uint8_t w[4096], r[4096];
    memset(w, 0x77, sizeof(w));
    CHECK_EQ(disk_write(d, 8192, w, sizeof(w)), 0);
    CHECK_EQ(disk_read(d, 8192, r, sizeof(r)), 0);
    CHECK(!memcmp(w, r, sizeof(w)));
    CHECK_EQ(disk_flush(d), 0);
    disk_close(d);
    d = open_rw(p);
    CHECK_EQ(disk_read(d, 8192, r, sizeof(r)), 0);
    CHECK_EQ(r[0] | r[4095], 0);
    disk_close(d);
}

TEST(probing_finds_qcow2_by_magic_and_raw_otherwise)
{
    const char *f;
    char err[DISK_ERRLEN];
    create(tmp("probe.qcow2"), 1 << 20, NULL, 0);
    CHECK_EQ(disk_probe(tmp("probe.qcow2"), &f, err), 0);
    CHECK(!strcmp(f, "qcow2"));
    CHECK_EQ(disk_probe(tmp("base.img"), &f, err), 0);
    CHECK(!strcmp(f, "raw"));
    CHECK_EQ(disk_probe(tmp("missing"), &f, err), -ERR_NOTFOUND);
}

TEST(cleanup)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK_EQ(system(cmd), 0);
}

TEST_MAIN("qcow2")
