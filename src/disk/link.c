/* Minidisk links: the z/VM link modes, decided atomically across processes with
 * open-file-description byte-range locks on the volume itself. A lock belongs to the open
 * file description, so it lasts as long as the VM and vanishes when it dies, crash included:
 * there is no lock file to clean up.
 *
 * Lock layout. Lock offsets are not file offsets: the lock space from 2^56 up is cut into
 * planes of 2^56 bytes (plane p starts at (p + 1) * 2^56), and an extent [o, o + n) of the
 * volume is the lock range [start + o, start + o + n) in each plane, so extents that overlap
 * on the volume overlap in every plane and extents that do not never meet. A whole image
 * takes the whole plane.
 *   plane 0        "deciding": a short exclusive lock while a link is being decided
 *   plane 1 + s    "held in state s" (s = 2 * mode + write, DISK_LINK_STATE): shared locks
 * Example: VM A links [1G, 1.5G) of vol.img in M and is granted write (state 9); it holds a
 * shared lock on [11 * 2^56 + 1G, +512M) (plane 10). VM B asks R on [1.25G, 1.5G): under its
 * deciding lock it tests every state plane over its range, finds plane 10 locked, and is
 * refused, "linked in mode M". VM C asks W on [0, 1G): nothing overlaps, granted.
 *
 * Deciding: take the deciding lock on the range (exclusive, so deciders of overlapping
 * extents go one at a time), set the lock of the state wanted first, test the others, keep
 * or change or drop it, release the deciding lock. Setting before testing also makes the
 * decision safe against deciders that cannot take the deciding lock (a read link on a file
 * we may not open for writing) and against QEMU, which sets its bytes then tests them: of
 * two conflicting deciders at least one sees the other.
 *
 * Whole images also take QEMU's image-locking bytes (block/file-posix.c): byte 100 + i held
 * for permission i, 200 + i for permission i not shared (0 consistent read, 1 write,
 * 3 resize). A write link holds 100, 101 and 201 as a QEMU writer does, and 203 (MW
 * shares writing: no 201); a read link holds 100 and shares everything. So QEMU's writers and
 * readers are refused while visor writes, and visor's W, R and M see QEMU's writer. */
#define _GNU_SOURCE /* F_OFD_SETLK, F_OFD_GETLK */
#include "minidisk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PLANE_SHIFT 56
#define PLANE_SPAN (1ull << PLANE_SHIFT)
#define PLANE_DECIDE 0u
#define PLANE_STATE(s) (1u + (s))

#define QEMU_PERM_BASE 100
#define QEMU_SHARED_BASE 200
enum { QPERM_READ = 0, QPERM_WRITE = 1, QPERM_RESIZE = 3 };

/* States whose link writes: the odd ones. */
#define WRITER_STATES 0x2aaau

struct disk_link {
    int fd;
    bool whole, write;
    enum disk_link_mode mode;
    uint64_t off, size; /* the lock range within a plane */
    dev_t dev;
    ino_t ino;
};

static const char *const mode_names[DISK_LINK_NMODES] = {"R", "RR", "W", "WR", "M", "MR", "MW"};

const char *disk_link_mode_name(enum disk_link_mode m)
{
    return (unsigned)m < DISK_LINK_NMODES ? mode_names[m] : "?";
}

int disk_link_mode_parse(const char *s, enum disk_link_mode *m)
{
    for (unsigned i = 0; i < DISK_LINK_NMODES; i++) {
        if (!strcasecmp(s, mode_names[i])) {
            *m = (enum disk_link_mode)i;
            return 0;
        }
    }
    return -ERR_INVAL;
}

const char *disk_link_state_name(unsigned state)
{
    static const char *const names[DISK_LINK_NSTATES] = {
        "R",  "R (write?)", "RR", "RR (write?)", "W as R", "W",       "WR as R",
        "WR", "M as R",     "M",  "MR as R",     "MR",     "MW as R", "MW",
    };
    return state < DISK_LINK_NSTATES ? names[state] : "?";
}

static int lowest(uint32_t mask)
{
    return mask ? __builtin_ctz(mask) : DISK_LINK_QEMU;
}

struct disk_link_decision disk_link_decide(enum disk_link_mode want, const struct disk_link_view *v)
{
    bool any = v->held || v->q_read || v->q_write;
    bool writer = (v->held & WRITER_STATES) || v->q_write;
    bool write_ok = !v->q_deny_write; /* nobody refuses to share write */
    struct disk_link_decision d = {false, false, DISK_LINK_QEMU};
    if (v->q_deny_read)
        return d; /* another program refuses to share even reading */
    int by_any = lowest(v->held), by_writer = lowest(v->held & WRITER_STATES);
    switch (want) {
    case DISK_LINK_R:
        d.granted = !writer;
        d.blocker = by_writer;
        break;
    case DISK_LINK_RR:
        d.granted = true;
        break;
    case DISK_LINK_W:
        d.granted = d.write = !any && write_ok;
        d.blocker = by_any;
        break;
    case DISK_LINK_WR:
        d.write = !any && write_ok;
        d.granted = d.write || !writer;
        d.blocker = by_writer;
        break;
    case DISK_LINK_M:
        d.granted = d.write = !writer && write_ok;
        d.blocker = by_writer;
        break;
    case DISK_LINK_MR:
        d.write = !writer && write_ok;
        d.granted = true;
        break;
    case DISK_LINK_MW:
    default:
        d.granted = d.write = true;
        break;
    }
    if (d.granted)
        d.blocker = -1;
    return d;
}

/* ---- OFD locks ---- */

static int lk(int fd, int cmd, short type, uint64_t start, uint64_t len)
{
    struct flock fl = {.l_type = type,
                       .l_whence = SEEK_SET,
                       .l_start = (off_t)start,
                       .l_len = (off_t)len,
                       .l_pid = 0};
    int rc;
    while ((rc = fcntl(fd, cmd, &fl)) < 0 && errno == EINTR)
        ;
    return rc;
}

/* Whether another open file description holds any lock on [start, start + len). An error
 * counts as held: a decision never grants on what it could not see. */
static bool held_by_other(int fd, uint64_t start, uint64_t len)
{
    struct flock fl = {.l_type = F_WRLCK,
                       .l_whence = SEEK_SET,
                       .l_start = (off_t)start,
                       .l_len = (off_t)len,
                       .l_pid = 0};
    int rc;
    while ((rc = fcntl(fd, F_OFD_GETLK, &fl)) < 0 && errno == EINTR)
        ;
    return rc < 0 || fl.l_type != F_UNLCK;
}

static uint64_t plane_base(unsigned plane)
{
    return (uint64_t)(plane + 1) << PLANE_SHIFT;
}

static int set_plane(struct disk_link *l, unsigned plane, short type)
{
    return lk(l->fd, F_OFD_SETLK, type, plane_base(plane) + l->off, l->size);
}

static int qemu_byte(struct disk_link *l, unsigned byte, bool on)
{
    return lk(l->fd, F_OFD_SETLK, on ? F_RDLCK : F_UNLCK, byte, 1);
}

/* QEMU's bytes for an access: write links hold read and write and do not share write or
 * resize (MW shares write); read links hold read and share everything. */
static int qemu_apply(struct disk_link *l, bool write)
{
    if (!l->whole)
        return 0;
    bool share_write = l->mode == DISK_LINK_MW;
    int rc = qemu_byte(l, QEMU_PERM_BASE + QPERM_READ, true);
    rc |= qemu_byte(l, QEMU_PERM_BASE + QPERM_WRITE, write);
    rc |= qemu_byte(l, QEMU_SHARED_BASE + QPERM_WRITE, write && !share_write);
    rc |= qemu_byte(l, QEMU_SHARED_BASE + QPERM_RESIZE, write);
    return rc ? -1 : 0;
}

static void gather(struct disk_link *l, struct disk_link_view *v)
{
    memset(v, 0, sizeof(*v));
    for (unsigned s = 0; s < DISK_LINK_NSTATES; s++)
        if (held_by_other(l->fd, plane_base(PLANE_STATE(s)) + l->off, l->size))
            v->held |= 1u << s;
    if (l->whole) {
        v->q_read = held_by_other(l->fd, QEMU_PERM_BASE + QPERM_READ, 1);
        v->q_write = held_by_other(l->fd, QEMU_PERM_BASE + QPERM_WRITE, 1);
        v->q_deny_read = held_by_other(l->fd, QEMU_SHARED_BASE + QPERM_READ, 1);
        v->q_deny_write = held_by_other(l->fd, QEMU_SHARED_BASE + QPERM_WRITE, 1);
    }
}

/* The deciding lock, retried for a few seconds: a decider holds it for microseconds, so
 * waiting longer means a decider is stopped, and failing says so rather than hanging. */
static int take_deciding(struct disk_link *l)
{
    for (int i = 0; i < 2000; i++) {
        if (lk(l->fd, F_OFD_SETLK, F_WRLCK, plane_base(PLANE_DECIDE) + l->off, l->size) == 0)
            return 0;
        if (errno != EAGAIN && errno != EACCES)
            return -1;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    errno = EDEADLK;
    return -1;
}

static void describe_range(const struct disk_link *l, const char *path, char *buf, size_t n)
{
    if (l->whole)
        snprintf(buf, n, "'%s'", path);
    else
        snprintf(buf, n, "'%s' bytes %llu to %llu", path, (unsigned long long)l->off,
                 (unsigned long long)(l->off + l->size));
}

int link_acquire(const char *name, const char *path, uint64_t off, uint64_t size, bool whole,
                 enum disk_link_mode m, struct disk_link **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!whole && (off >= PLANE_SPAN || size > PLANE_SPAN - off || size == 0)) {
        snprintf(err, errlen, "drive %s: extent too large to lock", name);
        return -ERR_RANGE;
    }
    struct disk_link *l = xcalloc(1, sizeof(*l));
    l->mode = m;
    l->whole = whole;
    l->off = whole ? 0 : off;
    l->size = whole ? PLANE_SPAN : size;
    bool wants_write = m != DISK_LINK_R && m != DISK_LINK_RR;
    /* The deciding lock is exclusive, which needs a descriptor open for writing; a read
     * link on a file it may not write decides without it (see the header). */
    l->fd = open(path, O_RDWR | O_CLOEXEC);
    if (l->fd < 0 && !wants_write && (errno == EACCES || errno == EROFS || errno == EPERM))
        l->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (l->fd < 0 || fstat(l->fd, &st) < 0) {
        snprintf(err, errlen, "drive %s: cannot open '%s'%s: %s", name, path,
                 wants_write ? " for writing" : "", strerror(errno));
        int rc = errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO;
        link_release(l);
        return rc;
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    bool deciding = take_deciding(l) == 0;
    if (!deciding && (wants_write || (errno != EBADF && errno != EDEADLK))) {
        snprintf(err, errlen, "drive %s: cannot lock '%s': %s", name, path,
                 errno == EDEADLK ? "another process is stuck deciding a link" : strerror(errno));
        link_release(l);
        return -ERR_IO;
    }

    int rc = 0;
    bool first = wants_write;
    if (set_plane(l, PLANE_STATE(DISK_LINK_STATE(m, first)), F_RDLCK) || qemu_apply(l, first)) {
        snprintf(err, errlen, "drive %s: cannot lock '%s': %s", name, path, strerror(errno));
        rc = -ERR_IO;
        goto out;
    }
    struct disk_link_view v;
    gather(l, &v);
    struct disk_link_decision d = disk_link_decide(m, &v);
    if (d.granted && d.write != first) {
        /* Fallen back to read: hold the read state before dropping the write one, then check
         * again what a read link of this mode needs (WR's fallback is R, MR's reads even
         * while another writes). */
        rc = set_plane(l, PLANE_STATE(DISK_LINK_STATE(m, false)), F_RDLCK);
        rc |= set_plane(l, PLANE_STATE(DISK_LINK_STATE(m, true)), F_UNLCK);
        rc |= qemu_apply(l, false);
        if (rc) {
            snprintf(err, errlen, "drive %s: cannot lock '%s': %s", name, path, strerror(errno));
            rc = -ERR_IO;
            goto out;
        }
        gather(l, &v);
        d = disk_link_decide(m == DISK_LINK_WR ? DISK_LINK_R : DISK_LINK_RR, &v);
        d.write = false;
    }
    if (!d.granted) {
        char range[600];
        describe_range(l, path, range, sizeof(range));
        if (d.blocker >= 0)
            snprintf(err, errlen,
                     "drive %s: link %s refused: %s is linked in mode %s by another "
                     "process",
                     name, disk_link_mode_name(m), range,
                     disk_link_state_name((unsigned)d.blocker));
        else
            snprintf(err, errlen,
                     "drive %s: link %s refused: %s is locked by another program "
                     "(QEMU image lock: %s)",
                     name, disk_link_mode_name(m), range,
                     v.q_deny_read ? "reading not shared"
                     : v.q_write   ? "a writer"
                                   : "a reader");
        rc = -ERR_BUSY;
        goto out;
    }
    l->write = d.write;
out:
    if (deciding)
        (void)lk(l->fd, F_OFD_SETLK, F_UNLCK, plane_base(PLANE_DECIDE) + l->off, l->size);
    if (rc) {
        link_release(l);
        return rc;
    }
    *out = l;
    return 0;
}

bool link_writes(const struct disk_link *l)
{
    return l->write;
}

enum disk_link_mode link_mode(const struct disk_link *l)
{
    return l->mode;
}

bool link_same_file(const struct disk_link *l, int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino;
}

void link_release(struct disk_link *l)
{
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd); /* drops every lock of this open file description */
    free(l);
}
