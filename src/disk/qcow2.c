/* The qcow2 backend (versions 2 and 3, no compression, no encryption, no internal snapshots
 * for writing): a guest cluster is found through the L1 table (in memory) and an L2 table (a
 * small write-back cache); an unallocated cluster reads from the backing file, or as zeros.
 * A write to an unallocated cluster appends a new cluster at the end of the file (filled from
 * the backing file around the written bytes) and points the L2 entry at it.
 *
 * Durability — the order that keeps the image consistent at every instant on disk:
 *   1. refcounts first: a cluster's refcount is written (through to the file) before anything
 *      is stored in the cluster; a new refcount block is written and fdatasync'd before the
 *      refcount-table entry that points at it. So on-disk refcounts are never lower than the
 *      references; a crash leaves at worst leaked clusters, never a used cluster counted free.
 *   2. data next: guest data is written to its cluster; the L2 entry pointing at it changes
 *      only in the cached table, never on disk yet.
 *   3. FLUSH: fdatasync (data and refcounts durable), then write the dirty L2 tables; if an L1
 *      entry changed, fdatasync (the new L2 tables durable), then write the L1 table; then
 *      fdatasync. An L2 table evicted from the cache is written only after an fdatasync too.
 * So no L2 entry ever reaches the disk before the data it points at, and no L1 entry before
 * its L2 table: after a crash a cluster reads either its old or its new contents.
 * One mutex serialises the transfers of one image (the cache and the allocator are shared). */
#include "backend.h"
#include "minidisk.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QCOW2_MAGIC 0x514649fbu
#define EXT_END 0u
#define EXT_BACKING_FORMAT 0xe2792acau
#define EXT_CRYPTO 0x0537be77u
#define INCOMPAT_KNOWN 0x1full
#define OFFSET_MASK 0x00fffffffffffe00ull /* bits 9-55 of L1, L2 and refcount-table entries */
#define OFLAG_COPIED (1ull << 63)
#define OFLAG_COMPRESSED (1ull << 62)
#define OFLAG_ZERO 1ull
#define MIN_CLUSTER_BITS 9
#define MAX_CLUSTER_BITS 21
#define MAX_L1_BYTES (32u << 20) /* QEMU's limit */
#define MAX_RT_BYTES (8u << 20)
#define L2_CACHE_SLOTS 16 /* tables of cluster_size bytes each; 16 x 64 KiB covers 8 GiB */
#define HDR_V2_LEN 72
#define HDR_V3_LEN 104

static const char *const incompat_names[] = {"dirty", "corrupt", "external data file",
                                             "compression type", "extended L2 entries"};

struct l2_slot {
    uint64_t off; /* host offset of the table; 0: slot empty */
    uint8_t *t;   /* cluster_size bytes, big-endian as on disk */
    bool dirty;
    uint64_t used; /* for LRU */
};

/* What the header says, validated (parse_header). */
struct qcow2_hdr {
    unsigned version, cluster_bits;
    uint64_t size, l1_off, rt_off, autoclear;
    uint32_t l1_size, rt_clusters, nb_snapshots;
    char backing[1024], backing_format[32];
};

struct qcow2 {
    int fd;
    bool readonly;
    struct qcow2_hdr h;
    uint64_t cs;          /* cluster size */
    uint64_t *l1;         /* host byte order */
    bool l1_dirty;
    uint64_t *rt;         /* refcount table, host byte order */
    uint64_t rt_entries;
    uint64_t end;         /* the next cluster to allocate: the file's end, cluster-aligned */
    struct l2_slot l2[L2_CACHE_SLOTS];
    uint64_t tick;
    struct disk *backing; /* NULL: unallocated clusters read as zeros */
    struct disk_link *link; /* QEMU's image lock on the file: W, or R when read-only */
    struct minidisk *md;    /* x-journal: every file write and fdatasync; NULL: none */
    uint8_t *buf;         /* one cluster, for partial writes to new clusters */
    pthread_mutex_t lock;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p + 2, (uint16_t)v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

PRINTF(4, 5) static int bad(char *err, const char *path, int code, const char *fmt, ...)
{
    int n = snprintf(err, DISK_ERRLEN, "'%s': ", path);
    if (n < 0 || n >= DISK_ERRLEN)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, DISK_ERRLEN - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

/* Reads len bytes at off; bytes past the end of the file read as zeros (QEMU may leave the
 * last cluster of a file short). */
static int read_at(int fd, uint64_t off, void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, p + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -ERR_IO;
        if (n == 0) {
            memset(p + done, 0, len - done);
            break;
        }
        done += (size_t)n;
    }
    return 0;
}

static int write_at(int fd, uint64_t off, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, p + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -ERR_IO;
        done += (size_t)n;
    }
    return 0;
}

static int sync_fd(int fd)
{
    while (fdatasync(fd) < 0)
        if (errno != EINTR)
            return -ERR_IO;
    return 0;
}

/* The writes and syncs of an open image: journaled when x-journal= asks (minidisk.h). */
static int qwrite(struct qcow2 *q, uint64_t off, const void *buf, size_t len)
{
    int rc = write_at(q->fd, off, buf, len);
    if (!rc && q->md)
        minidisk_journal_write(q->md, off, buf, len);
    return rc;
}

static int qsync(struct qcow2 *q)
{
    uint64_t mark = q->md ? minidisk_journal_mark(q->md) : 0;
    int rc = sync_fd(q->fd);
    if (!rc && q->md)
        minidisk_journal_flush(q->md, mark);
    return rc;
}

/* ---- The header: read and validated, so every later offset can be trusted ---- */

static int parse_header(int fd, const char *path, bool readonly, struct qcow2_hdr *h, char *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return bad(err, path, -ERR_IO, "%s", strerror(errno));
    uint64_t fsize = (uint64_t)st.st_size;
    uint8_t b[HDR_V3_LEN];
    if (fsize < HDR_V2_LEN)
        return bad(err, path, -ERR_FORMAT, "not a qcow2 image (file too short for a header)");
    if (read_at(fd, 0, b, sizeof(b)))
        return bad(err, path, -ERR_IO, "cannot read the header: %s", strerror(errno));
    if (be32(b) != QCOW2_MAGIC)
        return bad(err, path, -ERR_FORMAT, "bad qcow2 magic (not a qcow2 image)");
    memset(h, 0, sizeof(*h));
    h->version = be32(b + 4);
    if (h->version != 2 && h->version != 3)
        return bad(err, path, -ERR_UNSUPPORTED, "unsupported qcow2 version %u (2 and 3 are)",
                   h->version);
    h->cluster_bits = be32(b + 20);
    if (h->cluster_bits < MIN_CLUSTER_BITS || h->cluster_bits > MAX_CLUSTER_BITS)
        return bad(err, path, -ERR_FORMAT, "cluster_bits %u out of range (%d to %d)",
                   h->cluster_bits, MIN_CLUSTER_BITS, MAX_CLUSTER_BITS);
    uint64_t cs = 1ull << h->cluster_bits;
    uint32_t hdr_len = HDR_V2_LEN;
    if (h->version == 3) {
        if (fsize < HDR_V3_LEN)
            return bad(err, path, -ERR_FORMAT, "file too short for a version 3 header");
        uint64_t incompat = be64(b + 72);
        if (incompat & ~INCOMPAT_KNOWN)
            return bad(err, path, -ERR_UNSUPPORTED,
                       "unknown incompatible features set (0x%llx)",
                       (unsigned long long)(incompat & ~INCOMPAT_KNOWN));
        for (unsigned i = 0; i < ARRAY_SIZE(incompat_names); i++)
            if (incompat & (1ull << i))
                return bad(err, path, -ERR_UNSUPPORTED,
                           "incompatible feature '%s' set, which visor does not support%s",
                           incompat_names[i],
                           i == 0 ? " (repair it with qemu-img check -r all)" : "");
        h->autoclear = be64(b + 88);
        uint32_t order = be32(b + 96);
        if (order != 4)
            return bad(err, path, -ERR_UNSUPPORTED,
                       "refcount_order %u not supported (only 4: 16-bit refcounts)", order);
        hdr_len = be32(b + 100);
        if (hdr_len < HDR_V3_LEN || hdr_len % 8 || hdr_len > cs)
            return bad(err, path, -ERR_FORMAT, "header_length %u invalid", hdr_len);
    }
    uint32_t crypt = be32(b + 32);
    if (crypt)
        return bad(err, path, -ERR_UNSUPPORTED, "encryption is not supported (crypt_method %u)",
                   crypt);
    h->size = be64(b + 24);
    h->l1_size = be32(b + 36);
    h->l1_off = be64(b + 40);
    h->rt_off = be64(b + 48);
    h->rt_clusters = be32(b + 56);
    h->nb_snapshots = be32(b + 60);

    /* Each L2 table maps cs/8 clusters; the L1 table must reach the whole virtual disk. */
    unsigned l2_bits = h->cluster_bits - 3;
    uint64_t span_bits = h->cluster_bits + l2_bits;
    uint64_t l1_need = (h->size >> span_bits) + ((h->size & ((1ull << span_bits) - 1)) != 0);
    if ((uint64_t)h->l1_size * 8 > MAX_L1_BYTES)
        return bad(err, path, -ERR_FORMAT, "L1 table too large (%u entries)", h->l1_size);
    if (l1_need > h->l1_size)
        return bad(err, path, -ERR_FORMAT,
                   "L1 table too small for the virtual size (%u entries, %llu needed)",
                   h->l1_size, (unsigned long long)l1_need);
    if (h->l1_size && (h->l1_off % cs || h->l1_off > fsize ||
                       (uint64_t)h->l1_size * 8 > fsize - h->l1_off))
        return bad(err, path, -ERR_FORMAT, "L1 table outside the file (offset 0x%llx)",
                   (unsigned long long)h->l1_off);
    if (!h->rt_clusters || h->rt_clusters * cs > MAX_RT_BYTES)
        return bad(err, path, -ERR_FORMAT, "refcount table size invalid (%u clusters)",
                   h->rt_clusters);
    if (h->rt_off % cs || !h->rt_off || h->rt_off > fsize ||
        h->rt_clusters * cs > fsize - h->rt_off + cs) /* the last cluster may be short */
        return bad(err, path, -ERR_FORMAT, "refcount table outside the file (offset 0x%llx)",
                   (unsigned long long)h->rt_off);
    if (h->nb_snapshots && !readonly)
        return bad(err, path, -ERR_UNSUPPORTED,
                   "internal snapshots present (%u): visor opens such an image read-only only",
                   h->nb_snapshots);

    /* The first cluster: header extensions, then the backing file name. */
    uint64_t first = cs < fsize ? cs : fsize;
    uint8_t *c = xmalloc(cs);
    int rc = read_at(fd, 0, c, (size_t)first);
    if (rc) {
        free(c);
        return bad(err, path, rc, "cannot read the header cluster: %s", strerror(errno));
    }
    memset(c + first, 0, (size_t)(cs - first));
    for (uint64_t pos = hdr_len;;) {
        if (pos + 8 > cs) {
            free(c);
            return bad(err, path, -ERR_FORMAT, "header extensions overrun the first cluster");
        }
        uint32_t type = be32(c + pos), len = be32(c + pos + 4);
        if (type == EXT_END)
            break;
        if (len > cs - pos - 8) {
            free(c);
            return bad(err, path, -ERR_FORMAT, "header extension 0x%08x overruns the first "
                                               "cluster", type);
        }
        if (type == EXT_BACKING_FORMAT) {
            if (len >= sizeof(h->backing_format)) {
                free(c);
                return bad(err, path, -ERR_FORMAT, "backing format name too long");
            }
            memcpy(h->backing_format, c + pos + 8, len);
            h->backing_format[len] = 0;
        } else if (type == EXT_CRYPTO) {
            free(c);
            return bad(err, path, -ERR_UNSUPPORTED, "encryption is not supported");
        }
        pos += 8 + ((len + 7ull) & ~7ull);
    }
    uint64_t boff = be64(b + 8);
    uint32_t blen = be32(b + 16);
    if (boff) {
        if (blen == 0 || blen > 1023) {
            free(c);
            return bad(err, path, -ERR_FORMAT, "backing file name length %u invalid", blen);
        }
        if (boff > cs || blen > cs - boff) {
            free(c);
            return bad(err, path, -ERR_FORMAT, "backing file name outside the first cluster");
        }
        memcpy(h->backing, c + boff, blen);
        h->backing[blen] = 0;
        if (strlen(h->backing) != blen) {
            free(c);
            return bad(err, path, -ERR_FORMAT, "backing file name contains a NUL byte");
        }
    }
    free(c);
    return 0;
}

/* ---- Refcounts (16-bit, written through: see the ordering at the top) ---- */

static int refcount_set(struct qcow2 *q, uint64_t cluster, uint16_t v);

/* Moves the refcount table to a larger one at the end of the file, covering index need. The
 * old table stays authoritative until the header points at the new one (after an fdatasync);
 * increments made meanwhile in old blocks are at worst leaks. */
static int grow_refcount_table(struct qcow2 *q, uint64_t need)
{
    uint64_t per_block = q->cs / 2;
    uint64_t entries = q->rt_entries * 2;
    if (entries < need + 1)
        entries = need + 1;
    uint64_t clusters = (entries * 8 + q->cs - 1) / q->cs;
    /* The new table must cover itself and the refcount blocks it may need. */
    while ((q->end / q->cs + clusters + 8) / per_block >= clusters * q->cs / 8)
        clusters++;
    if (clusters * q->cs > MAX_RT_BYTES)
        return -ERR_RANGE;
    entries = clusters * q->cs / 8;
    uint64_t old_off = q->h.rt_off, old_clusters = q->h.rt_clusters;
    uint64_t new_off = q->end;
    q->end += clusters * q->cs;
    uint64_t *rt = realloc(q->rt, entries * 8);
    if (!rt)
        return -ERR_NOMEM;
    memset(rt + q->rt_entries, 0, (entries - q->rt_entries) * 8);
    q->rt = rt;
    q->rt_entries = entries;
    q->h.rt_off = new_off; /* new blocks' entries now go to the new table's place */
    q->h.rt_clusters = (uint32_t)clusters;
    int rc = 0;
    for (uint64_t i = 0; i < clusters && !rc; i++)
        rc = refcount_set(q, new_off / q->cs + i, 1);
    if (rc)
        return rc;
    uint8_t *t = xcalloc(clusters, q->cs);
    for (uint64_t i = 0; i < entries; i++)
        put_be64(t + i * 8, q->rt[i]);
    rc = qwrite(q, new_off, t, clusters * q->cs);
    free(t);
    if (!rc)
        rc = qsync(q);
    uint8_t hb[12];
    put_be64(hb, new_off);
    put_be32(hb + 8, (uint32_t)clusters);
    if (!rc)
        rc = qwrite(q, 48, hb, sizeof(hb));
    if (!rc)
        rc = qsync(q);
    for (uint64_t i = 0; i < old_clusters && !rc; i++)
        rc = refcount_set(q, old_off / q->cs + i, 0);
    return rc;
}

static int refcount_set(struct qcow2 *q, uint64_t cluster, uint16_t v)
{
    uint64_t per_block = q->cs / 2;
    uint64_t ti = cluster / per_block, bi = cluster % per_block;
    if (ti >= q->rt_entries) {
        int rc = grow_refcount_table(q, ti);
        if (rc)
            return rc;
    }
    uint64_t block = q->rt[ti] & OFFSET_MASK;
    if (!block) {
        block = q->end;
        q->end += q->cs;
        uint64_t self = block / q->cs;
        bool covers_self = self / per_block == ti;
        uint8_t *b = xcalloc(1, q->cs);
        if (covers_self)
            put_be16(b + (self % per_block) * 2, 1);
        int rc = qwrite(q, block, b, q->cs);
        free(b);
        if (!rc)
            rc = qsync(q); /* the block before the table entry that points at it */
        uint8_t e[8];
        put_be64(e, block);
        if (!rc)
            rc = qwrite(q, q->h.rt_off + ti * 8, e, 8);
        if (rc)
            return rc;
        q->rt[ti] = block;
        if (!covers_self && (rc = refcount_set(q, self, 1)))
            return rc;
    }
    uint8_t e[2];
    put_be16(e, v);
    return qwrite(q, block + bi * 2, e, 2);
}

static int alloc_cluster(struct qcow2 *q, uint64_t *off)
{
    *off = q->end;
    q->end += q->cs;
    return refcount_set(q, *off / q->cs, 1);
}

/* ---- L2 tables: a small write-back cache ---- */

/* A slot to load a table into; writes back the least recently used one if it is dirty
 * (after an fdatasync, so the data its entries point at is durable first). */
static int l2_victim(struct qcow2 *q, struct l2_slot **out)
{
    struct l2_slot *v = &q->l2[0];
    for (unsigned i = 0; i < L2_CACHE_SLOTS; i++) {
        struct l2_slot *s = &q->l2[i];
        if (!s->off) {
            v = s;
            break;
        }
        if (s->used < v->used)
            v = s;
    }
    if (v->off && v->dirty) {
        int rc = qsync(q);
        if (!rc)
            rc = qwrite(q, v->off, v->t, q->cs);
        if (rc)
            return rc;
        v->dirty = false;
    }
    if (!v->t)
        v->t = xmalloc(q->cs);
    v->off = 0;
    *out = v;
    return 0;
}

/* The L2 table for guest cluster vc; NULL if it has none and alloc is false. */
static int l2_table(struct qcow2 *q, uint64_t vc, bool alloc, struct l2_slot **out)
{
    uint64_t l1i = vc >> (q->h.cluster_bits - 3);
    uint64_t off = q->l1[l1i] & OFFSET_MASK;
    *out = NULL;
    if (!off && !alloc)
        return 0;
    if (off) {
        for (unsigned i = 0; i < L2_CACHE_SLOTS; i++) {
            if (q->l2[i].off == off) {
                q->l2[i].used = ++q->tick;
                *out = &q->l2[i];
                return 0;
            }
        }
    }
    struct l2_slot *s;
    int rc = l2_victim(q, &s);
    if (rc)
        return rc;
    if (off) {
        if ((rc = read_at(q->fd, off, s->t, q->cs)))
            return rc;
    } else {
        if ((rc = alloc_cluster(q, &off)))
            return rc;
        memset(s->t, 0, q->cs);
        s->dirty = true;
        q->l1[l1i] = off | OFLAG_COPIED;
        q->l1_dirty = true;
    }
    s->off = off;
    s->used = ++q->tick;
    *out = s;
    return 0;
}

/* ---- Transfers ---- */

/* Reads part of one guest cluster given its L2 entry. */
static int read_piece(struct qcow2 *q, uint64_t entry, uint64_t pos, uint8_t *buf, size_t n)
{
    uint64_t host = entry & OFFSET_MASK;
    if (entry & OFLAG_COMPRESSED)
        return -ERR_UNSUPPORTED;
    if ((q->h.version >= 3 && (entry & OFLAG_ZERO)) || (!host && !q->backing)) {
        memset(buf, 0, n);
        return 0;
    }
    if (host) {
        if (host % q->cs)
            return -ERR_FORMAT;
        return read_at(q->fd, host + (pos & (q->cs - 1)), buf, n);
    }
    uint64_t bsize = disk_size(q->backing);
    size_t from_backing = pos >= bsize ? 0 : (bsize - pos < n ? (size_t)(bsize - pos) : n);
    memset(buf + from_backing, 0, n - from_backing);
    return from_backing ? disk_read(q->backing, pos, buf, from_backing) : 0;
}

static int qcow2_read(void *priv, uint64_t off, void *buf, size_t len)
{
    struct qcow2 *q = priv;
    uint8_t *p = buf;
    int rc = 0;
    pthread_mutex_lock(&q->lock);
    while (len && !rc) {
        uint64_t vc = off >> q->h.cluster_bits;
        size_t n = (size_t)(q->cs - (off & (q->cs - 1)));
        if (n > len)
            n = len;
        struct l2_slot *s;
        rc = l2_table(q, vc, false, &s);
        uint64_t entry = s ? be64(s->t + (vc & (q->cs / 8 - 1)) * 8) : 0;
        if (!rc)
            rc = read_piece(q, entry, off, p, n);
        off += n;
        p += n;
        len -= n;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

static int write_piece(struct qcow2 *q, uint64_t off, const uint8_t *p, size_t n)
{
    uint64_t vc = off >> q->h.cluster_bits, co = off & (q->cs - 1);
    struct l2_slot *s;
    int rc = l2_table(q, vc, true, &s);
    if (rc)
        return rc;
    uint8_t *ep = s->t + (vc & (q->cs / 8 - 1)) * 8;
    uint64_t entry = be64(ep), host = entry & OFFSET_MASK;
    if (entry & OFLAG_COMPRESSED)
        return -ERR_UNSUPPORTED;
    if (host && host % q->cs)
        return -ERR_FORMAT;
    bool zero = q->h.version >= 3 && (entry & OFLAG_ZERO);
    if (host && !zero) /* allocated: refcount 1 (no snapshots), so written in place */
        return qwrite(q, host + co, p, n);
    /* A new cluster (or a preallocated zero one): written whole, then pointed at. */
    if (!host && (rc = alloc_cluster(q, &host)))
        return rc;
    if (n == q->cs) {
        rc = qwrite(q, host, p, n);
    } else {
        rc = read_piece(q, entry, off - co, q->buf, q->cs);
        memcpy(q->buf + co, p, n);
        if (!rc)
            rc = qwrite(q, host, q->buf, q->cs);
    }
    if (rc)
        return rc;
    put_be64(ep, host | OFLAG_COPIED);
    s->dirty = true;
    return 0;
}

static int qcow2_write(void *priv, uint64_t off, const void *buf, size_t len)
{
    struct qcow2 *q = priv;
    const uint8_t *p = buf;
    int rc = 0;
    pthread_mutex_lock(&q->lock);
    while (len && !rc) {
        size_t n = (size_t)(q->cs - (off & (q->cs - 1)));
        if (n > len)
            n = len;
        rc = write_piece(q, off, p, n);
        off += n;
        p += n;
        len -= n;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

static int flush_locked(struct qcow2 *q)
{
    int rc = qsync(q); /* data and refcounts before the tables that point at them */
    bool wrote = false;
    for (unsigned i = 0; i < L2_CACHE_SLOTS && !rc; i++) {
        struct l2_slot *s = &q->l2[i];
        if (s->off && s->dirty) {
            rc = qwrite(q, s->off, s->t, q->cs);
            s->dirty = rc != 0;
            wrote = true;
        }
    }
    if (!rc && q->l1_dirty) {
        if (wrote)
            rc = qsync(q); /* L2 tables before the L1 entries that point at them */
        uint8_t *t = xmalloc((size_t)q->h.l1_size * 8);
        for (uint32_t i = 0; i < q->h.l1_size; i++)
            put_be64(t + i * 8, q->l1[i]);
        if (!rc)
            rc = qwrite(q, q->h.l1_off, t, (size_t)q->h.l1_size * 8);
        free(t);
        q->l1_dirty = rc != 0;
        wrote = true;
    }
    if (!rc && wrote)
        rc = qsync(q);
    return rc;
}

static int qcow2_flush(void *priv)
{
    struct qcow2 *q = priv;
    pthread_mutex_lock(&q->lock);
    int rc = flush_locked(q);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

static void qcow2_free(struct qcow2 *q)
{
    for (unsigned i = 0; i < L2_CACHE_SLOTS; i++)
        free(q->l2[i].t);
    disk_close(q->backing);
    free(q->l1);
    free(q->rt);
    free(q->buf);
    if (q->fd >= 0)
        close(q->fd);
    link_release(q->link);
    minidisk_free(q->md);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

static void qcow2_close(void *priv)
{
    struct qcow2 *q = priv;
    if (!q->readonly && flush_locked(q))
        warn("qcow2: metadata could not be written at close (the image may have leaks)");
    qcow2_free(q);
}

static const struct disk_ops qcow2_ops = {
    .format = "qcow2",
    .read = qcow2_read,
    .write = qcow2_write,
    .flush = qcow2_flush,
    .close = qcow2_close,
};

/* ---- Opening ---- */

/* Loads a table of n big-endian entries and checks that each nonzero one is a cluster-aligned
 * offset inside the file. */
static int load_table(struct qcow2 *q, const char *path, const char *what, uint64_t off,
                      uint64_t n, uint64_t fsize, uint64_t **out, char *err)
{
    uint8_t *raw = xmalloc(n * 8 + 1);
    int rc = read_at(q->fd, off, raw, n * 8);
    if (rc) {
        free(raw);
        return bad(err, path, rc, "cannot read the %s table: %s", what, strerror(errno));
    }
    uint64_t *t = xmalloc(n * 8 + 1);
    for (uint64_t i = 0; i < n; i++) {
        t[i] = be64(raw + i * 8);
        uint64_t o = t[i] & OFFSET_MASK;
        if (o && (o % q->cs || o >= fsize)) {
            free(raw);
            free(t);
            return bad(err, path, -ERR_FORMAT, "%s table entry %llu points outside the file "
                       "(0x%llx)", what, (unsigned long long)i, (unsigned long long)o);
        }
    }
    free(raw);
    *out = t;
    return 0;
}

void disk_backing_path(const char *image, const char *name, char *out, size_t outlen)
{
    const char *slash = strrchr(image, '/');
    if (name[0] == '/' || !slash)
        snprintf(out, outlen, "%s", name);
    else
        snprintf(out, outlen, "%.*s/%s", (int)(slash - image), image, name);
}

int qcow2_open(const char *path, bool readonly, const struct disk_chain *up, const char *journal,
               struct disk **out, char *err)
{
    *out = NULL;
    int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return bad(err, path, errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bad(err, path, -ERR_INVAL, "not a regular file");
    }
    struct disk_chain me = {(uint64_t)st.st_dev, (uint64_t)st.st_ino, up ? up->depth + 1 : 0, up};
    for (const struct disk_chain *c = up; c; c = c->up) {
        if (c->dev == me.dev && c->ino == me.ino) {
            close(fd);
            return bad(err, path, -ERR_FORMAT, "backing chain loop: the image is its own "
                                               "backing file (%u levels down)", me.depth);
        }
    }
    if (me.depth > DISK_MAX_CHAIN) {
        close(fd);
        return bad(err, path, -ERR_RANGE, "backing chain too deep (more than %d backing files)",
                   DISK_MAX_CHAIN);
    }
    struct qcow2 *q = xcalloc(1, sizeof(*q));
    q->fd = fd;
    q->readonly = readonly;
    pthread_mutex_init(&q->lock, NULL);
    /* As QEMU's file driver locks every image it opens (a backing file too, read-only): a
     * whole-image link, W when writing, R when not (link.c holds QEMU's bytes). */
    char name[DISK_ERRLEN / 2], why[DISK_ERRLEN];
    snprintf(name, sizeof(name), "'%s'", path);
    int rc = link_acquire(name, path, 0, 0, true, readonly ? DISK_LINK_R : DISK_LINK_W, &q->link,
                          why, sizeof(why));
    if (!rc && !link_same_file(q->link, fd)) {
        snprintf(why, sizeof(why), "'%s' was replaced while being opened", path);
        rc = -ERR_IO;
    }
    if (rc) {
        memcpy(err, why, DISK_ERRLEN);
        goto fail;
    }
    if (journal && !(q->md = minidisk_journal_new(path, journal, err, DISK_ERRLEN))) {
        rc = -ERR_IO;
        goto fail;
    }
    rc = parse_header(fd, path, readonly, &q->h, err);
    if (rc)
        goto fail;
    q->cs = 1ull << q->h.cluster_bits;
    uint64_t fsize = (uint64_t)st.st_size;
    q->end = (fsize + q->cs - 1) & ~(q->cs - 1);
    q->rt_entries = q->h.rt_clusters * q->cs / 8;
    if ((rc = load_table(q, path, "L1", q->h.l1_off, q->h.l1_size, fsize, &q->l1, err)) ||
        (rc = load_table(q, path, "refcount", q->h.rt_off, q->rt_entries, fsize, &q->rt, err)))
        goto fail;
    q->buf = xmalloc(q->cs);
    if (!readonly && q->h.version >= 3 && q->h.autoclear) {
        /* We keep no bitmaps: clear the auto-clear bits before writing, as the spec asks. */
        uint8_t z[8] = {0};
        if ((rc = qwrite(q, 88, z, 8)) || (rc = qsync(q))) {
            bad(err, path, rc, "cannot clear the auto-clear features: %s", strerror(errno));
            goto fail;
        }
    }
    if (q->h.backing[0]) {
        char bpath[4096];
        disk_backing_path(path, q->h.backing, bpath, sizeof(bpath));
        char berr[DISK_ERRLEN];
        rc = disk_open_chain(bpath, q->h.backing_format[0] ? q->h.backing_format : NULL, true, &me,
                             &q->backing, NULL, berr);
        if (rc) {
            /* Deeper in the chain, the innermost image's message says it all. */
            if (strstr(berr, "': backing file: "))
                memcpy(err, berr, DISK_ERRLEN);
            else
                snprintf(err, DISK_ERRLEN, "'%s': backing file: %.400s", path, berr);
            goto fail;
        }
    }
    *out = disk_new_backend(&qcow2_ops, q, q->h.size, readonly, path);
    return 0;
fail:
    qcow2_free(q);
    return rc;
}

int qcow2_info(const char *path, struct disk_info *info, char *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bad(err, path, errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO, "%s", strerror(errno));
    struct qcow2_hdr h;
    int rc = parse_header(fd, path, true, &h, err);
    struct stat st;
    if (!rc && fstat(fd, &st) < 0)
        rc = bad(err, path, -ERR_IO, "%s", strerror(errno));
    close(fd);
    if (rc)
        return rc;
    memset(info, 0, sizeof(*info));
    info->format = "qcow2";
    info->virtual_size = h.size;
    info->actual_size = (uint64_t)st.st_blocks * 512;
    info->cluster_size = 1u << h.cluster_bits;
    info->version = h.version;
    snprintf(info->backing, sizeof(info->backing), "%s", h.backing);
    snprintf(info->backing_format, sizeof(info->backing_format), "%s", h.backing_format);
    if (h.backing[0])
        disk_backing_path(path, h.backing, info->backing_full, sizeof(info->backing_full));
    return 0;
}

/* ---- Creating: header, refcount table, one refcount block, L1 table (qemu-img's layout) ---- */

int qcow2_create(const char *path, const struct disk_create_opts *o, char *err)
{
    unsigned cb = o->cluster_bits ? o->cluster_bits : 16;
    if (cb < MIN_CLUSTER_BITS || cb > MAX_CLUSTER_BITS)
        return bad(err, path, -ERR_INVAL, "cluster size must be a power of two from 512 bytes "
                                          "to 2 MiB");
    uint64_t cs = 1ull << cb;
    uint64_t size = (o->size + 511) & ~511ull;
    uint64_t span = cs * (cs / 8);
    uint64_t l1_size = size / span + (size % span != 0);
    uint64_t l1_clusters = (l1_size * 8 + cs - 1) / cs;
    if (!l1_clusters)
        l1_clusters = 1;
    uint64_t nclusters = 3 + l1_clusters;
    if (l1_size * 8 > MAX_L1_BYTES || nclusters > cs / 2)
        return bad(err, path, -ERR_RANGE, "virtual size too large for %llu-byte clusters",
                   (unsigned long long)cs);
    size_t blen = o->backing ? strlen(o->backing) : 0;
    size_t flen = o->backing_format ? strlen(o->backing_format) : 0;
    if (blen > 1023 || flen >= 32 || HDR_V3_LEN + 16 + ((flen + 7) & ~7u) + blen > cs)
        return bad(err, path, -ERR_RANGE, "backing file name too long");

    uint8_t *img = xcalloc(nclusters, cs);
    uint8_t *h = img;
    put_be32(h, QCOW2_MAGIC);
    put_be32(h + 4, 3);
    put_be32(h + 20, cb);
    put_be64(h + 24, size);
    put_be32(h + 36, (uint32_t)l1_size);
    put_be64(h + 40, 3 * cs);
    put_be64(h + 48, cs);
    put_be32(h + 56, 1);
    put_be32(h + 96, 4);
    put_be32(h + 100, HDR_V3_LEN);
    size_t pos = HDR_V3_LEN;
    if (flen) {
        put_be32(h + pos, EXT_BACKING_FORMAT);
        put_be32(h + pos + 4, (uint32_t)flen);
        memcpy(h + pos + 8, o->backing_format, flen);
        pos += 8 + ((flen + 7) & ~7u);
    }
    pos += 8; /* the end-of-extensions marker: zeros */
    if (blen) {
        put_be64(h + 8, pos);
        put_be32(h + 16, (uint32_t)blen);
        memcpy(h + pos, o->backing, blen);
    }
    put_be64(img + cs, 2 * cs); /* refcount table[0] -> the block in cluster 2 */
    for (uint64_t i = 0; i < nclusters; i++)
        put_be16(img + 2 * cs + i * 2, 1);

    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(img);
        return bad(err, path, -ERR_IO, "cannot create: %s", strerror(errno));
    }
    int rc = write_at(fd, 0, img, nclusters * cs);
    free(img);
    if (!rc)
        rc = sync_fd(fd);
    if (close(fd) && !rc)
        rc = -ERR_IO;
    if (rc)
        return bad(err, path, rc, "cannot write: %s", strerror(errno));
    return 0;
}
