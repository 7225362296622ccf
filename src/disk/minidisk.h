/* Private to src/disk: what the raw backend (raw.c), the minidisk links (link.c) and the
 * extent layer (extent.c) share. */
#ifndef VISOR_DISK_MINIDISK_H
#define VISOR_DISK_MINIDISK_H

#include "disk.h"

struct minidisk;

/* raw.c: serve [base, base + size) of the file as the disk (size already checked against the
 * file); attach the minidisk that disk_close frees and that sees every write and flush. */
void raw_set_extent(struct disk *d, uint64_t base, uint64_t size);
void raw_set_minidisk(struct disk *d, struct minidisk *md);
const struct minidisk *raw_minidisk(const struct disk *d);
int raw_fd(const struct disk *d);

/* extent.c: the journal hooks (no-ops without a journal) and the destructor. */
void minidisk_free(struct minidisk *md);
uint64_t minidisk_journal_mark(struct minidisk *md);
bool minidisk_journaled(const struct minidisk *md);
void minidisk_journal_write(struct minidisk *md, uint64_t off, const void *buf, size_t len);
void minidisk_journal_flush(struct minidisk *md, uint64_t mark);
/* A minidisk that only journals, for a qcow2 file (no link, no extent); NULL with err. */
struct minidisk *minidisk_journal_new(const char *name, const char *journal, char *err,
                                      size_t errlen);

/* link.c: takes the link of mode m on [off, off + size) of the volume at path (whole: the
 * whole image, whatever its size, and QEMU's lock bytes too). Returns 0 with the link, or
 * -ERR_BUSY (refused: err names the mode held), or another code with err saying why. */
struct disk_link;
MUST_CHECK int link_acquire(const char *name, const char *path, uint64_t off, uint64_t size,
                            bool whole, enum disk_link_mode m, struct disk_link **out, char *err,
                            size_t errlen);
bool link_writes(const struct disk_link *l);
enum disk_link_mode link_mode(const struct disk_link *l);
/* Whether fd is the file the link locks (not replaced between the two opens). */
bool link_same_file(const struct disk_link *l, int fd);
void link_release(struct disk_link *l);

#endif
