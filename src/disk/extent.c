/* Minidisks: a drive is a whole raw image or an extent [offset, offset + size) of a volume,
 * linked in a z/VM mode (link.c). Opening one checks the extent against the volume, takes
 * the link, then opens the disk read-write only if write was granted, so a read link is
 * read-only for the guest too. The disk sees only its extent: raw.c adds the base and bounds
 * every transfer by the extent's size.
 *
 * The journal (a test mode, -drive x-journal=FILE) appends every completed write and every
 * completed flush to FILE: "VISORJ1\n", then records 'W' le64 offset le32 length data and
 * 'F' le64 count, where count is the number of W records before the flush began. The image a
 * power cut would leave is the original plus the first count writes of the last F
 * (tests/lib/journal.py builds it). A qcow2 image journals the same way, at the file level: its
 * data and metadata writes and its fdatasyncs (minidisk_journal_new). */
#include "minidisk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SECTOR 512

static void store_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

struct minidisk {
    char *name, *path;
    bool extent, write;
    uint64_t offset, size;
    enum disk_link_mode mode;
    struct disk_link *link;
    int journal; /* -1: none */
    pthread_mutex_t journal_lock;
    uint64_t journal_writes; /* W records written */
    bool journal_failed;
};

/* Stats of a path, resolving the size of a block device too. */
static int volume_size(const char *path, uint64_t *size)
{
    struct disk *d;
    int rc = disk_open_raw(path, true, &d);
    if (rc)
        return rc;
    *size = disk_size(d);
    disk_close(d);
    return 0;
}

bool disk_spec_overlap(const struct disk_spec *a, const struct disk_spec *b)
{
    struct stat sa, sb;
    if (stat(a->path, &sa) || stat(b->path, &sb) || sa.st_dev != sb.st_dev ||
        sa.st_ino != sb.st_ino)
        return false;
    if (!a->extent || !b->extent)
        return true;
    uint64_t a_end = a->size ? a->offset + a->size : UINT64_MAX;
    uint64_t b_end = b->size ? b->offset + b->size : UINT64_MAX;
    return a->offset < b_end && b->offset < a_end;
}

static int journal_open(struct minidisk *md, const char *path, char *err, size_t errlen)
{
    md->journal = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (md->journal < 0 || write(md->journal, "VISORJ1\n", 8) != 8) {
        snprintf(err, errlen, "drive %s: x-journal=%s: %s", md->name, path, strerror(errno));
        return -ERR_IO;
    }
    return 0;
}

static void journal_append(struct minidisk *md, struct iovec *iov, int n)
{
    size_t want = 0;
    for (int i = 0; i < n; i++)
        want += iov[i].iov_len;
    ssize_t got = writev(md->journal, iov, n);
    if (got != (ssize_t)want && !md->journal_failed) {
        md->journal_failed = true;
        warn("drive %s: journal write failed; the journal is incomplete", md->name);
    }
}

uint64_t minidisk_journal_mark(struct minidisk *md)
{
    if (md->journal < 0)
        return 0;
    pthread_mutex_lock(&md->journal_lock);
    uint64_t n = md->journal_writes;
    pthread_mutex_unlock(&md->journal_lock);
    return n;
}

bool minidisk_journaled(const struct minidisk *md)
{
    return md->journal >= 0;
}

void minidisk_journal_write(struct minidisk *md, uint64_t off, const void *buf, size_t len)
{
    if (md->journal < 0)
        return;
    uint8_t h[13];
    h[0] = 'W';
    store_le(h + 1, off, 8);
    store_le(h + 9, len, 4);
    struct iovec iov[2] = {{h, sizeof(h)}, {(void *)buf, len}};
    pthread_mutex_lock(&md->journal_lock);
    journal_append(md, iov, 2);
    md->journal_writes++;
    pthread_mutex_unlock(&md->journal_lock);
}

void minidisk_journal_flush(struct minidisk *md, uint64_t mark)
{
    if (md->journal < 0)
        return;
    uint8_t h[9];
    h[0] = 'F';
    store_le(h + 1, mark, 8);
    struct iovec iov[1] = {{h, sizeof(h)}};
    pthread_mutex_lock(&md->journal_lock);
    journal_append(md, iov, 1);
    pthread_mutex_unlock(&md->journal_lock);
}

void minidisk_free(struct minidisk *md)
{
    if (!md)
        return;
    link_release(md->link);
    if (md->journal >= 0)
        close(md->journal);
    pthread_mutex_destroy(&md->journal_lock);
    free(md->name);
    free(md->path);
    free(md);
}

struct minidisk *minidisk_journal_new(const char *name, const char *journal, char *err,
                                      size_t errlen)
{
    struct minidisk *md = xcalloc(1, sizeof(*md));
    md->name = xstrdup(name);
    md->path = xstrdup(name);
    md->journal = -1;
    pthread_mutex_init(&md->journal_lock, NULL);
    if (journal_open(md, journal, err, errlen)) {
        minidisk_free(md);
        return NULL;
    }
    return md;
}

static int check_extent(const struct disk_spec *s, uint64_t vol, uint64_t *size, char *err,
                        size_t errlen)
{
    const char *n = s->name;
    if (s->offset > vol || (s->offset == vol && !s->size)) {
        snprintf(err, errlen,
                 "drive %s: offset=%" PRIu64 " is past the end of '%s' (%" PRIu64 " bytes)", n,
                 s->offset, s->path, vol);
        return -ERR_RANGE;
    }
    *size = s->size ? s->size : vol - s->offset;
    if (*size > vol - s->offset) {
        snprintf(err, errlen,
                 "drive %s: '%s' is too small for offset=%" PRIu64 ",size=%" PRIu64
                 ": it has %" PRIu64 " bytes",
                 n, s->path, s->offset, *size, vol);
        return -ERR_RANGE;
    }
    if (*size % SECTOR) {
        snprintf(err, errlen,
                 "drive %s: the extent's size (%" PRIu64 " bytes) is not a whole "
                 "number of 512-byte sectors",
                 n, *size);
        return -ERR_RANGE;
    }
    return 0;
}

int disk_open_spec(const struct disk_spec *s, struct disk **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *n = s->name;
    uint64_t vol, size = 0;
    int rc = volume_size(s->path, &vol);
    if (rc) {
        snprintf(err, errlen, "drive %s: could not open '%s': %s", n, s->path,
                 rc == -ERR_INVAL ? "not a regular file or block device" : strerror(errno));
        return rc;
    }
    if (s->extent && (rc = check_extent(s, vol, &size, err, errlen)))
        return rc;

    struct minidisk *md = xcalloc(1, sizeof(*md));
    md->name = xstrdup(n);
    md->path = xstrdup(s->path);
    md->extent = s->extent;
    md->offset = s->extent ? s->offset : 0;
    md->size = s->extent ? size : vol;
    md->mode = s->link;
    md->journal = -1;
    pthread_mutex_init(&md->journal_lock, NULL);
    rc =
        link_acquire(n, s->path, md->offset, md->size, !s->extent, s->link, &md->link, err, errlen);
    if (rc) {
        minidisk_free(md);
        return rc;
    }
    md->write = link_writes(md->link);
    if (s->journal && (rc = journal_open(md, s->journal, err, errlen))) {
        minidisk_free(md);
        return rc;
    }
    struct disk *d;
    rc = disk_open_raw(s->path, !md->write, &d);
    if (rc) {
        snprintf(err, errlen, "drive %s: could not open '%s'%s: %s", n, s->path,
                 md->write ? "" : " read-only", strerror(errno));
        minidisk_free(md);
        return rc;
    }
    if (!link_same_file(md->link, raw_fd(d))) {
        snprintf(err, errlen, "drive %s: '%s' was replaced while being opened", n, s->path);
        disk_close(d);
        minidisk_free(md);
        return -ERR_IO;
    }
    if (s->extent)
        raw_set_extent(d, md->offset, md->size);
    raw_set_minidisk(d, md);
    *out = d;
    return 0;
}

const char *disk_link_outcome(const struct disk *d, char *buf, size_t size)
{
    const struct minidisk *md = raw_minidisk(d);
    if (!md) {
        snprintf(buf, size, "none");
        return buf;
    }
    bool fell_back = !md->write && md->mode != DISK_LINK_R && md->mode != DISK_LINK_RR;
    snprintf(buf, size, "%s granted%s", disk_link_mode_name(md->mode), fell_back ? " as R" : "");
    return buf;
}

int disk_describe(const struct disk *d, char *buf, size_t size)
{
    const struct minidisk *md = raw_minidisk(d);
    struct disk_stats st;
    disk_get_stats(d, &st);
    char extent[96] = "", outcome[48];
    if (md && md->extent)
        snprintf(extent, sizeof(extent), " offset=%" PRIu64 " size=%" PRIu64, md->offset, md->size);
    return snprintf(buf, size,
                    "%s: '%s'%s, %" PRIu64 " bytes, link %s, %s; %" PRIu64 " reads, %" PRIu64
                    " writes, %" PRIu64 " flushes, %" PRIu64 " errors",
                    md ? md->name : "disk", disk_path(d), extent, disk_size(d),
                    disk_link_outcome(d, outcome, sizeof(outcome)),
                    disk_readonly(d) ? "read-only" : "read-write", st.reads, st.writes, st.flushes,
                    st.errors);
}
