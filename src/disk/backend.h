/* Private to src/disk: the interface a format implements under struct disk. raw.c owns struct
 * disk, its bounds checks and counters; a format backend (qcow2) receives only in-range
 * transfers and never sees a write to a read-only disk. */
#ifndef VISOR_DISK_BACKEND_H
#define VISOR_DISK_BACKEND_H

#include "disk.h"

struct disk_ops {
    const char *format;
    int (*read)(void *priv, uint64_t off, void *buf, size_t len);
    int (*write)(void *priv, uint64_t off, const void *buf, size_t len);
    int (*flush)(void *priv);
    void (*close)(void *priv);
};

/* Wraps a backend as a disk of the given size; takes ownership of priv. */
struct disk *disk_new_backend(const struct disk_ops *ops, void *priv, uint64_t size,
                              bool readonly, const char *path);

/* The images above one being opened (its overlays), to refuse a backing chain that loops or
 * goes deeper than DISK_MAX_CHAIN. NULL for the top image. */
struct disk_chain {
    uint64_t dev, ino;
    unsigned depth; /* 0 for the top image */
    const struct disk_chain *up;
};

/* qcow2.c */
/* journal: x-journal=FILE (minidisk.h), or NULL. */
MUST_CHECK int qcow2_open(const char *path, bool readonly, const struct disk_chain *up,
                          const char *journal, struct disk **out, char *err);
MUST_CHECK int qcow2_create(const char *path, const struct disk_create_opts *o, char *err);
MUST_CHECK int qcow2_info(const char *path, struct disk_info *info, char *err);
/* open.c: disk_open for an image with overlays above it (a backing file). */
MUST_CHECK int disk_open_chain(const char *path, const char *format, bool readonly,
                               const struct disk_chain *up, struct disk **out, bool *probed,
                               char *err);
/* "dir/of/image" + name, unless name is absolute: where QEMU looks for a backing file. */
void disk_backing_path(const char *image, const char *name, char *out, size_t outlen);

#endif
