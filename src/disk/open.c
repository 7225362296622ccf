/* Opening an image by format name: probing by magic when no format is given (as QEMU does,
 * so callers warn that probing a raw image is unsafe), -snapshot's temporary overlay, image
 * creation and the description `visor disk info` prints. */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t qcow2_magic[4] = {'Q', 'F', 'I', 0xfb};

int disk_probe(const char *path, const char **format, char *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, DISK_ERRLEN, "'%s': %s", path, strerror(errno));
        return errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO;
    }
    uint8_t m[4] = {0};
    ssize_t n = pread(fd, m, sizeof(m), 0);
    close(fd);
    *format = n == (ssize_t)sizeof(m) && !memcmp(m, qcow2_magic, 4) ? "qcow2" : "raw";
    return 0;
}

int disk_open_chain(const char *path, const char *format, bool readonly,
                    const struct disk_chain *up, struct disk **out, bool *probed, char *err)
{
    *out = NULL;
    if (probed)
        *probed = !format;
    if (!format) {
        int rc = disk_probe(path, &format, err);
        if (rc)
            return rc;
    }
    if (!strcmp(format, "qcow2"))
        return qcow2_open(path, readonly, up, NULL, out, err);
    if (strcmp(format, "raw")) {
        snprintf(err, DISK_ERRLEN, "'%s': unknown format '%s' (raw or qcow2)", path, format);
        return -ERR_UNSUPPORTED;
    }
    int rc = disk_open_raw(path, readonly, out);
    if (rc)
        snprintf(err, DISK_ERRLEN, "'%s': %s", path, strerror(errno));
    return rc;
}

int disk_open(const char *path, const char *format, bool readonly, struct disk **out,
              bool *probed, char *err)
{
    return disk_open_chain(path, format, readonly, NULL, out, probed, err);
}

int disk_open_journaled(const char *path, const char *format, bool readonly, const char *journal,
                        struct disk **out, char *err)
{
    *out = NULL;
    if (!format) {
        int rc = disk_probe(path, &format, err);
        if (rc)
            return rc;
    }
    if (strcmp(format, "qcow2")) {
        snprintf(err, DISK_ERRLEN, "'%s': x-journal= on a %s image needs the minidisk path", path,
                 format);
        return -ERR_UNSUPPORTED;
    }
    return qcow2_open(path, readonly, NULL, journal, out, err);
}

int disk_open_snapshot(const char *path, const char *format, struct disk **out, char *err)
{
    *out = NULL;
    if (!format) {
        int rc = disk_probe(path, &format, err);
        if (rc)
            return rc;
    }
    char base[PATH_MAX];
    if (!realpath(path, base)) {
        snprintf(err, DISK_ERRLEN, "'%s': %s", path, strerror(errno));
        return errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO;
    }
    struct disk *b;
    int rc = disk_open(base, format, true, &b, NULL, err);
    if (rc)
        return rc;
    struct disk_create_opts o = {.format = "qcow2", .size = disk_size(b), .backing = base,
                                 .backing_format = format};
    disk_close(b);
    const char *dir = getenv("TMPDIR");
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s/visor-snapshot-XXXXXX", dir && *dir ? dir : "/var/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, DISK_ERRLEN, "-snapshot: cannot create a temporary file in %s: %s",
                 dir && *dir ? dir : "/var/tmp", strerror(errno));
        return -ERR_IO;
    }
    close(fd);
    rc = qcow2_create(tmp, &o, err);
    if (!rc)
        rc = qcow2_open(tmp, false, NULL, NULL, out, err);
    unlink(tmp); /* the open descriptor keeps it until the disk is closed */
    return rc;
}

int disk_create(const char *path, const struct disk_create_opts *o, char *err)
{
    if (!strcmp(o->format, "raw")) {
        if (o->backing) {
            snprintf(err, DISK_ERRLEN, "'%s': a raw image cannot have a backing file", path);
            return -ERR_INVAL;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, (off_t)o->size) < 0) {
            snprintf(err, DISK_ERRLEN, "'%s': cannot create: %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -ERR_IO;
        }
        close(fd);
        return 0;
    }
    if (strcmp(o->format, "qcow2")) {
        snprintf(err, DISK_ERRLEN, "'%s': unknown format '%s' (raw or qcow2)", path, o->format);
        return -ERR_UNSUPPORTED;
    }
    struct disk_create_opts q = *o;
    if (o->backing) {
        /* The backing file must open (it is named relative to the new image, as QEMU
         * resolves it); it gives the size when none is given, and its format is recorded. */
        char bpath[4096], berr[DISK_ERRLEN];
        disk_backing_path(path, o->backing, bpath, sizeof(bpath));
        struct disk *b;
        int rc = disk_open(bpath, o->backing_format, true, &b, NULL, berr);
        if (rc) {
            snprintf(err, DISK_ERRLEN, "'%s': backing file: %.400s", path, berr);
            return rc;
        }
        if (!q.size)
            q.size = disk_size(b);
        q.backing_format = disk_format(b);
        rc = qcow2_create(path, &q, err);
        disk_close(b);
        return rc;
    }
    return qcow2_create(path, &q, err);
}

int disk_get_info(const char *path, const char *format, struct disk_info *info, char *err)
{
    if (!format) {
        int rc = disk_probe(path, &format, err);
        if (rc)
            return rc;
    }
    if (!strcmp(format, "qcow2"))
        return qcow2_info(path, info, err);
    if (strcmp(format, "raw")) {
        snprintf(err, DISK_ERRLEN, "'%s': unknown format '%s' (raw or qcow2)", path, format);
        return -ERR_UNSUPPORTED;
    }
    struct disk *d;
    int rc = disk_open_raw(path, true, &d);
    if (rc) {
        snprintf(err, DISK_ERRLEN, "'%s': %s", path, strerror(errno));
        return rc;
    }
    memset(info, 0, sizeof(*info));
    info->format = "raw";
    info->virtual_size = disk_size(d);
    disk_close(d);
    struct stat st;
    if (stat(path, &st) == 0)
        info->actual_size = (uint64_t)st.st_blocks * 512;
    return 0;
}
