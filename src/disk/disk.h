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
/* Whether disk_zero is available: a writable raw image (discard and write-zeroes). */
bool disk_can_zero(const struct disk *d);
/* Makes [off, off+len) read as zeros, giving the blocks back to the host filesystem where it
 * can (a hole punched in the file), else writing zeros. */
MUST_CHECK int disk_zero(struct disk *d, uint64_t off, uint64_t len);

/* Counters, always on. */
struct disk_stats {
    uint64_t reads, writes, flushes, bytes_read, bytes_written, errors;
};
void disk_get_stats(const struct disk *d, struct disk_stats *s);

/* ---- Formats: raw and qcow2 behind one interface (open.c, qcow2.c) ----
 * disk_open opens an image of the given format ("raw", "qcow2", or NULL to probe by magic:
 * *probed is then set, so the caller can warn as QEMU does; it may be NULL). A qcow2 image's
 * backing chain is opened read-only with it. On failure err (DISK_ERRLEN) says what is wrong,
 * naming the file: "'x.qcow2': bad qcow2 magic". */
#define DISK_ERRLEN 512
#define DISK_MAX_CHAIN 16 /* backing files below one image, as deep as we follow */
MUST_CHECK int disk_open(const char *path, const char *format, bool readonly, struct disk **out,
                         bool *probed, char *err);
/* -snapshot: a temporary qcow2 overlay of the image (opened read-only) in $TMPDIR, deleted at
 * once, so the guest's writes vanish when the disk is closed. */
MUST_CHECK int disk_open_snapshot(const char *path, const char *format, struct disk **out,
                                  char *err);
/* A qcow2 image whose file writes and fdatasyncs are journaled to journal (the x-journal=
 * test mode; a raw drive journals through disk_open_spec). */
MUST_CHECK int disk_open_journaled(const char *path, const char *format, bool readonly,
                                   const char *journal, struct disk **out, char *err);
/* "raw" or "qcow2". */
const char *disk_format(const struct disk *d);
/* Reads the first bytes of a file and names its format ("qcow2" or "raw"). */
MUST_CHECK int disk_probe(const char *path, const char **format, char *err);

/* Creates an image of size bytes (qcow2: version 3, 64 KiB clusters unless cluster_bits is
 * given, refcount_order 4). backing may be NULL; it is stored as given and resolved relative
 * to the new image's directory; with a backing file, size 0 means the backing file's size. */
struct disk_create_opts {
    const char *format; /* "raw" or "qcow2" */
    uint64_t size;
    const char *backing, *backing_format; /* qcow2 only; backing_format NULL: probed */
    unsigned cluster_bits;                /* 0: 16 */
};
MUST_CHECK int disk_create(const char *path, const struct disk_create_opts *o, char *err);

/* What `visor disk info` shows: the image's own description, not its backing file's. */
struct disk_info {
    const char *format;
    uint64_t virtual_size, actual_size; /* actual: bytes the file occupies on the host */
    uint32_t cluster_size;              /* qcow2 only */
    unsigned version;                   /* qcow2 only */
    char backing[1024], backing_full[4096], backing_format[32]; /* "" if none */
};
MUST_CHECK int disk_get_info(const char *path, const char *format, struct disk_info *info,
                             char *err);

/* ---- Minidisks: an extent of a volume, linked in a z/VM mode (extent.c, link.c) ----
 * A link mode says what the VM asks for; the links other processes hold on an overlapping
 * extent decide what it gets (disk_link_decide), atomically and across processes (link.c):
 *   R   read, only if nobody writes          RR  read, even while another writes
 *   W   write, only if nobody else is linked WR  W, else R
 *   M   write, unless another writes         MR  M, else read even while another writes
 *   MW  write in every case (the guests must share the disk knowingly) */
enum disk_link_mode {
    DISK_LINK_R, DISK_LINK_RR, DISK_LINK_W, DISK_LINK_WR, DISK_LINK_M, DISK_LINK_MR, DISK_LINK_MW,
    DISK_LINK_NMODES
};
/* A held link is a (mode, granted access) pair: state 2 * mode + write. */
#define DISK_LINK_NSTATES (2 * DISK_LINK_NMODES)
#define DISK_LINK_STATE(mode, write) (2u * (unsigned)(mode) + ((write) ? 1u : 0u))

const char *disk_link_mode_name(enum disk_link_mode m);
MUST_CHECK int disk_link_mode_parse(const char *s, enum disk_link_mode *m);
/* "M", or "WR as R" for a fallen-back link. */
const char *disk_link_state_name(unsigned state);

/* What the others hold on the extent: a mask of states (bit DISK_LINK_STATE), and for whole
 * images QEMU's lock bytes (another program has the read or write permission, or refuses to
 * share read or write). */
struct disk_link_view {
    uint32_t held;
    bool q_read, q_write, q_deny_read, q_deny_write;
};
/* The decision. blocker: the state that refused it, or DISK_LINK_QEMU when only QEMU's lock
 * bytes did. */
#define DISK_LINK_QEMU (-2)
struct disk_link_decision {
    bool granted, write;
    int blocker;
};
struct disk_link_decision disk_link_decide(enum disk_link_mode want, const struct disk_link_view *v);

/* A drive as the command line gives it: a whole raw image, or the extent [offset, offset +
 * size) of a volume (size 0: to the end), linked in a mode. journal: a test mode that logs
 * every write and flush to that file (tests/lib/journal.py rebuilds the image a power cut
 * would leave). */
struct disk_spec {
    const char *path, *name; /* name: the drive's id, for messages */
    bool extent;             /* offset= or size= given */
    uint64_t offset, size;
    enum disk_link_mode link;
    const char *journal;
};
/* Opens the drive and takes its link. *write tells whether write access was granted (the
 * disk is read-only otherwise). On failure err says why, naming the drive, and returns
 * -ERR_BUSY for a link another refuses, -ERR_RANGE for an extent outside the volume. */
MUST_CHECK int disk_open_spec(const struct disk_spec *s, struct disk **out, char *err,
                              size_t errlen);
/* Whether two specs name overlapping extents of one volume (same file). */
bool disk_spec_overlap(const struct disk_spec *a, const struct disk_spec *b);
/* One line for the monitor's `info block`: file, extent, link granted, counters. Returns
 * snprintf's count. */
int disk_describe(const struct disk *d, char *buf, size_t size);
/* The link's outcome for the start-up line: "M granted", "WR granted as R". */
const char *disk_link_outcome(const struct disk *d, char *buf, size_t size);

#endif
