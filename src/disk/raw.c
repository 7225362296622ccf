/* The raw block backend: an image file (or host block device) whose bytes are the disk's
 * bytes. Transfers are positional (pread/pwrite), retried on EINTR and on short counts, and
 * bounded by the size taken at open, so a guest can neither grow the file nor read past it.
 * FLUSH is a real fdatasync. Image locking belongs to the minidisk layer, not here.
 * struct disk also fronts the other formats (backend.h): the bounds checks and the counters
 * here apply to them too, and only in-range transfers reach their ops. */
#define _GNU_SOURCE /* fallocate */
#include "backend.h"

#include "minidisk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct disk {
    int fd;
    bool readonly;
    uint64_t size;
    char *path;
    struct disk_stats stats; /* updated with relaxed atomics: transfers may run concurrently */
    uint64_t base;           /* a minidisk extent: the disk's byte 0 is the file's byte base */
    struct minidisk *md;     /* link, extent and journal; NULL for a plain image */
    const struct disk_ops *ops; /* NULL: the raw file itself (fd) */
    void *priv;                 /* the backend's state */
};

static void count(uint64_t *c, uint64_t n)
{
    __atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

int disk_open_raw(const char *path, bool readonly, struct disk **out)
{
    *out = NULL;
    int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -ERR_IO;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -ERR_INVAL;
    }
    /* lseek gives a block device's size as well as a file's. */
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -ERR_IO;
    }
    struct disk *d = xcalloc(1, sizeof(*d));
    d->fd = fd;
    d->readonly = readonly;
    d->size = (uint64_t)end;
    d->path = xstrdup(path);
    *out = d;
    return 0;
}

struct disk *disk_new_backend(const struct disk_ops *ops, void *priv, uint64_t size,
                              bool readonly, const char *path)
{
    struct disk *d = xcalloc(1, sizeof(*d));
    d->fd = -1;
    d->readonly = readonly;
    d->size = size;
    d->path = xstrdup(path);
    d->ops = ops;
    d->priv = priv;
    return d;
}

const char *disk_format(const struct disk *d)
{
    return d->ops ? d->ops->format : "raw";
}

/* A backend's transfer, counted as the raw path counts its own. */
static int backend_done(struct disk *d, int rc, uint64_t *ops, uint64_t *bytes, size_t len)
{
    if (rc) {
        count(&d->stats.errors, 1);
        return rc;
    }
    count(ops, 1);
    count(bytes, len);
    return 0;
}

void disk_close(struct disk *d)
{
    if (!d)
        return;
    minidisk_free(d->md);
    if (d->ops)
        d->ops->close(d->priv);
    if (d->fd >= 0)
        close(d->fd);
    free(d->path);
    free(d);
}

uint64_t disk_size(const struct disk *d)
{
    return d->size;
}

bool disk_readonly(const struct disk *d)
{
    return d->readonly;
}

const char *disk_path(const struct disk *d)
{
    return d->path;
}

void raw_set_extent(struct disk *d, uint64_t base, uint64_t size)
{
    d->base = base;
    d->size = size;
}

void raw_set_minidisk(struct disk *d, struct minidisk *md)
{
    d->md = md;
}

const struct minidisk *raw_minidisk(const struct disk *d)
{
    return d->md;
}

int raw_fd(const struct disk *d)
{
    return d->fd;
}

static bool in_range(const struct disk *d, uint64_t off, size_t len)
{
    return off <= d->size && len <= d->size - off;
}

int disk_read(struct disk *d, uint64_t off, void *buf, size_t len)
{
    if (!in_range(d, off, len)) {
        count(&d->stats.errors, 1);
        return -ERR_RANGE;
    }
    if (d->ops)
        return backend_done(d, d->ops->read(d->priv, off, buf, len), &d->stats.reads,
                            &d->stats.bytes_read, len);
    uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(d->fd, p + done, len - done, (off_t)(d->base + off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* 0: the file shrank under us since open */
            count(&d->stats.errors, 1);
            return -ERR_IO;
        }
        done += (size_t)n;
    }
    count(&d->stats.reads, 1);
    count(&d->stats.bytes_read, len);
    return 0;
}

int disk_write(struct disk *d, uint64_t off, const void *buf, size_t len)
{
    if (d->readonly) {
        count(&d->stats.errors, 1);
        return -ERR_UNSUPPORTED;
    }
    if (!in_range(d, off, len)) {
        count(&d->stats.errors, 1);
        return -ERR_RANGE;
    }
    if (d->ops)
        return backend_done(d, d->ops->write(d->priv, off, buf, len), &d->stats.writes,
                            &d->stats.bytes_written, len);
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(d->fd, p + done, len - done, (off_t)(d->base + off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            count(&d->stats.errors, 1);
            return -ERR_IO;
        }
        done += (size_t)n;
    }
    if (d->md)
        minidisk_journal_write(d->md, d->base + off, buf, len);
    count(&d->stats.writes, 1);
    count(&d->stats.bytes_written, len);
    return 0;
}

int disk_flush(struct disk *d)
{
    count(&d->stats.flushes, 1);
    if (d->readonly)
        return 0;
    if (d->ops) {
        int rc = d->ops->flush(d->priv);
        if (rc)
            count(&d->stats.errors, 1);
        return rc;
    }
    uint64_t mark = d->md ? minidisk_journal_mark(d->md) : 0;
    while (fdatasync(d->fd) < 0) {
        if (errno != EINTR) {
            count(&d->stats.errors, 1);
            return -ERR_IO;
        }
    }
    if (d->md)
        minidisk_journal_flush(d->md, mark);
    return 0;
}

bool disk_can_zero(const struct disk *d)
{
    return !d->ops && !d->readonly;
}

/* Zeros by writing them, in chunks: the fallback where holes cannot be punched. */
static int write_zeros(struct disk *d, uint64_t off, uint64_t len)
{
    static const uint8_t zeros[65536];
    while (len) {
        size_t k = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
        int rc = disk_write(d, off, zeros, k);
        if (rc)
            return rc;
        off += k;
        len -= k;
    }
    return 0;
}

int disk_zero(struct disk *d, uint64_t off, uint64_t len)
{
    if (!disk_can_zero(d) || !in_range(d, off, len)) {
        count(&d->stats.errors, 1);
        return d->readonly ? -ERR_UNSUPPORTED : -ERR_RANGE;
    }
    /* A journaled disk (the durability test mode) must see the zeros as writes. */
    if (d->md && minidisk_journaled(d->md))
        return write_zeros(d, off, len);
    int rc;
    do {
        rc = fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(d->base + off),
                       (off_t)len);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return write_zeros(d, off, len); /* e.g. a block device, or a filesystem without holes */
    count(&d->stats.writes, 1);
    count(&d->stats.bytes_written, len);
    return 0;
}

void disk_get_stats(const struct disk *d, struct disk_stats *s)
{
    s->reads = __atomic_load_n(&d->stats.reads, __ATOMIC_RELAXED);
    s->writes = __atomic_load_n(&d->stats.writes, __ATOMIC_RELAXED);
    s->flushes = __atomic_load_n(&d->stats.flushes, __ATOMIC_RELAXED);
    s->bytes_read = __atomic_load_n(&d->stats.bytes_read, __ATOMIC_RELAXED);
    s->bytes_written = __atomic_load_n(&d->stats.bytes_written, __ATOMIC_RELAXED);
    s->errors = __atomic_load_n(&d->stats.errors, __ATOMIC_RELAXED);
}
