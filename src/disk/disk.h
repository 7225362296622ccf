/* Block backends: a disk is a byte-addressed store of fixed size that a virtio-blk device (or a
 * minidisk link, later) reads and writes. Every call returns 0 or a negative error code; a
 * disk never grows, and an access past its end is -ERR_RANGE, never a partial transfer.
 * A disk is safe to use from one thread at a time per call; reads and writes to disjoint
 * ranges may run concurrently (they are positional: pread/pwrite), so an I/O thread may serve
 * several requests at once. */
#ifndef VISOR_DISK_H
#define VISOR_DISK_H

#include "../base/base.h"

struct disk;

/* Opens a raw image file (or host block device) read-only or read-write. On failure returns
 * -ERR_NOTFOUND (no such file), -ERR_INVAL (not a regular file or block device) or -ERR_IO
 * (anything else, e.g. permission denied), and leaves errno set to the host's reason so the
 * caller can name the file and say why: "cannot open 'x.img': Permission denied". */
MUST_CHECK int disk_open_raw(const char *path, bool readonly, struct disk **out);
void disk_close(struct disk *d);

/* Size in bytes, fixed at open. */
uint64_t disk_size(const struct disk *d);
bool disk_readonly(const struct disk *d);
const char *disk_path(const struct disk *d);

/* Positional transfers of len bytes at byte offset off. -ERR_RANGE if [off, off+len) is not
 * inside the disk; disk_write on a read-only disk is -ERR_UNSUPPORTED and writes nothing;
 * host failures (including a short transfer because the file shrank) are -ERR_IO. */
MUST_CHECK int disk_read(struct disk *d, uint64_t off, void *buf, size_t len);
MUST_CHECK int disk_write(struct disk *d, uint64_t off, const void *buf, size_t len);
/* Makes every completed write durable (fdatasync). A no-op success on a read-only disk. */
MUST_CHECK int disk_flush(struct disk *d);

/* Counters, always on. */
struct disk_stats {
    uint64_t reads, writes, flushes, bytes_read, bytes_written, errors;
};
void disk_get_stats(const struct disk *d, struct disk_stats *s);

#endif
