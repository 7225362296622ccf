/* virtio-blk (virtio 1.x "Block Device") over a disk backend: one request queue; IN, OUT,
 * FLUSH and GET_ID; status OK, IOERR or UNSUPP. A request's life is three steps:
 * blk_prepare (parse the chain, on the hart, under the device lock), blk_execute (only disk
 * I/O into or out of guest buffers: touches no queue state, so it may move to an I/O thread)
 * and blk_complete (status byte, used entry, interrupt; under the device lock). Without I/O
 * threads the three run back to back inside the notify; with them (virtio_blk_start_io) the
 * notify only pops and prepares chains into free job slots, a worker executes a job with the
 * lock released and completes it with the lock held, then refills the slots from the ring.
 * The used entry is published with a release store (virtq_push) before the interrupt, so a
 * driver that sees the interrupt sees the entry and the data. A reset bumps the epoch, drops
 * jobs not started and waits for running ones, whose completion the epoch then discards. A chain too short to hold the 16-byte header or
 * the status byte is a device error; a request that merely asks for the impossible (past the
 * end, a write to a read-only disk, a length that is not whole sectors) gets IOERR. */
#include "virtio_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

enum {
    VIRTIO_BLK_T_IN = 0,
    VIRTIO_BLK_T_OUT = 1,
    VIRTIO_BLK_T_FLUSH = 4,
    VIRTIO_BLK_T_GET_ID = 8,
    VIRTIO_BLK_T_DISCARD = 11,
    VIRTIO_BLK_T_WRITE_ZEROES = 13,
};
#define VIRTIO_BLK_T_BARRIER 0x80000000u /* legacy flag, ignored */

enum { VIRTIO_BLK_S_OK = 0, VIRTIO_BLK_S_IOERR = 1, VIRTIO_BLK_S_UNSUPP = 2 };

#define SECTOR 512
#define BLK_JOBS 16   /* requests in flight with I/O threads */
#define BLK_WORKERS 2 /* I/O threads */
#define REQ_HEADER 16 /* le32 type, le32 reserved, le64 sector */
#define BLK_ID_BYTES 20

/* Configuration space offsets (struct virtio_blk_config) and the size we expose: through
 * write_zeroes_may_unmap and its padding. */
#define CFG_CAPACITY 0
#define CFG_SEG_MAX 12
#define CFG_BLK_SIZE 20
#define CFG_MAX_DISCARD_SECTORS 36
#define CFG_MAX_DISCARD_SEG 40
#define CFG_DISCARD_ALIGNMENT 44
#define CFG_MAX_WRITE_ZEROES_SECTORS 48
#define CFG_MAX_WRITE_ZEROES_SEG 52
#define CFG_WRITE_ZEROES_MAY_UNMAP 56
#define CFG_LEN 60

/* Discard and write-zeroes carry segments of {le64 sector, le32 sectors, le32 flags}. */
#define ZERO_SEGMENT 16
#define ZERO_MAX_SEGMENTS 16
#define ZERO_MAX_SECTORS 0x3fffffu
#define ZERO_FLAG_UNMAP 1u

/* One request, from its parsed header to its status. */
struct blk_req {
    const struct virtq_elem *e;
    uint32_t type;
    uint64_t sector;
    uint8_t status;
    uint32_t written; /* bytes placed in the writable part, status byte excluded */
};

struct blk_job {
    enum { JOB_FREE, JOB_QUEUED, JOB_RUNNING } state;
    uint32_t epoch;
    struct virtq_elem *elem;
    struct blk_req req;
};

struct virtio_blk {
    struct virtio_dev vdev; /* first: the transport casts between the two */
    struct disk *disk;
    char serial[BLK_ID_BYTES];
    /* I/O threads (all under vdev.lock but the execution itself) */
    bool threaded, stop;
    unsigned nworkers, running;
    uint32_t epoch;
    pthread_t workers[BLK_WORKERS];
    pthread_cond_t work, idle;
    struct blk_job jobs[BLK_JOBS];
    void (*wake)(void *ctx);
    void *wake_ctx;
};

static struct virtio_blk *to_blk(struct virtio_dev *d)
{
    return (struct virtio_blk *)d;
}

/* Parses the header; -ERR_FORMAT (a device error) if the chain cannot carry a request. */
static int blk_prepare(const struct virtq_elem *e, struct blk_req *req, const char **why)
{
    uint8_t h[REQ_HEADER];
    if (e->out_len < REQ_HEADER) {
        *why = "block request header shorter than 16 bytes";
        return -ERR_FORMAT;
    }
    if (e->in_len < 1) {
        *why = "block request has no writable status byte";
        return -ERR_FORMAT;
    }
    if (virtq_copy_out(e, 0, h, sizeof(h)) != sizeof(h)) {
        *why = "block request header unreadable";
        return -ERR_FORMAT;
    }
    req->e = e;
    req->type = get_le32(h) & ~VIRTIO_BLK_T_BARRIER;
    req->sector = get_le64(h + 8);
    req->status = VIRTIO_BLK_S_OK;
    req->written = 0;
    return 0;
}

/* Moves len bytes between the disk at byte pos and the chain's buffers: the writable part
 * from offset 0 (reads), or the readable part from offset skip (writes). */
static int blk_transfer(struct disk *disk, const struct virtq_elem *e, bool write, uint64_t skip,
                        uint64_t len, uint64_t pos)
{
    unsigned first = write ? 0 : e->n_out, end = write ? e->n_out : e->n_out + e->n_in;
    for (unsigned i = first; i < end && len; i++) {
        const struct virtq_iov *v = &e->iov[i];
        if (skip >= v->len) {
            skip -= v->len;
            continue;
        }
        uint64_t k = v->len - skip;
        if (k > len)
            k = len;
        int rc = write ? disk_write(disk, pos, v->base + skip, (size_t)k)
                       : disk_read(disk, pos, v->base + skip, (size_t)k);
        if (rc)
            return rc;
        pos += k;
        len -= k;
        skip = 0;
    }
    return 0;
}

/* Whether [sector, sector + bytes/512) is whole sectors inside the disk. */
static bool range_ok(const struct disk *disk, uint64_t sector, uint64_t bytes)
{
    uint64_t capacity = disk_size(disk) / SECTOR;
    return bytes % SECTOR == 0 && sector <= capacity && bytes / SECTOR <= capacity - sector;
}

/* Discard or write-zeroes: each segment must lie in the disk; discard with the unmap flag, or
 * any reserved flag, is UNSUPP (virtio 1.2, "Device Operation" of the block device). Both
 * punch holes: a discarded range reading as zeros is allowed, and write-zeroes may unmap. */
static uint8_t blk_zero(struct disk *disk, const struct virtq_elem *e, uint64_t out_data,
                        bool discard)
{
    if (out_data == 0 || out_data % ZERO_SEGMENT || out_data / ZERO_SEGMENT > ZERO_MAX_SEGMENTS)
        return VIRTIO_BLK_S_UNSUPP;
    if (disk_readonly(disk))
        return VIRTIO_BLK_S_IOERR;
    for (uint64_t at = 0; at < out_data; at += ZERO_SEGMENT) {
        uint8_t seg[ZERO_SEGMENT];
        if (virtq_copy_out(e, REQ_HEADER + at, seg, sizeof(seg)) != sizeof(seg))
            return VIRTIO_BLK_S_IOERR;
        uint64_t sector = get_le64(seg);
        uint32_t count = get_le32(seg + 8), flags = get_le32(seg + 12);
        if ((flags & ~ZERO_FLAG_UNMAP) || (discard && (flags & ZERO_FLAG_UNMAP)))
            return VIRTIO_BLK_S_UNSUPP;
        if (count > ZERO_MAX_SECTORS || !range_ok(disk, sector, (uint64_t)count * SECTOR) ||
            disk_zero(disk, sector * SECTOR, (uint64_t)count * SECTOR))
            return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

/* The I/O itself. Reads only req and the disk, writes only guest data buffers and req. */
static void blk_execute(struct disk *disk, const char serial[BLK_ID_BYTES], struct blk_req *req)
{
    const struct virtq_elem *e = req->e;
    uint64_t in_data = e->in_len - 1; /* the status byte is the last writable byte */
    uint64_t out_data = e->out_len - REQ_HEADER;
    switch (req->type) {
    case VIRTIO_BLK_T_IN:
        if (!range_ok(disk, req->sector, in_data) ||
            blk_transfer(disk, e, false, 0, in_data, req->sector * SECTOR))
            req->status = VIRTIO_BLK_S_IOERR;
        else
            req->written = (uint32_t)in_data;
        break;
    case VIRTIO_BLK_T_OUT:
        if (disk_readonly(disk) || !range_ok(disk, req->sector, out_data) ||
            blk_transfer(disk, e, true, REQ_HEADER, out_data, req->sector * SECTOR))
            req->status = VIRTIO_BLK_S_IOERR;
        break;
    case VIRTIO_BLK_T_FLUSH:
        if (disk_flush(disk))
            req->status = VIRTIO_BLK_S_IOERR;
        break;
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        req->status = disk_can_zero(disk) ? blk_zero(disk, e, out_data,
                                                     req->type == VIRTIO_BLK_T_DISCARD)
                                          : VIRTIO_BLK_S_UNSUPP;
        break;
    case VIRTIO_BLK_T_GET_ID: {
        uint8_t id[BLK_ID_BYTES];
        memcpy(id, serial, sizeof(id));
        size_t n = in_data < sizeof(id) ? (size_t)in_data : sizeof(id);
        req->written = (uint32_t)virtq_copy_in(e, 0, id, n);
        break;
    }
    default:
        req->status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
}

static void blk_complete(struct virtio_dev *d, struct virtq *q, struct blk_req *req)
{
    const struct virtq_elem *e = req->e;
    if (virtq_copy_in(e, e->in_len - 1, &req->status, 1) != 1)
        return; /* cannot happen: in_len >= 1 was checked */
    if (req->status != VIRTIO_BLK_S_OK)
        d->stats.request_errors++;
    d->stats.chains++;
    virtq_push(q, e->head, req->written + 1);
}

/* Pops chains into free job slots for the workers. Device lock held. */
static void blk_fill(struct virtio_blk *b)
{
    struct virtio_dev *d = &b->vdev;
    struct virtq *q = virtio_active_queue(d, 0);
    if (!q)
        return;
    const char *why = NULL;
    for (unsigned i = 0; i < BLK_JOBS; i++) {
        struct blk_job *j = &b->jobs[i];
        if (j->state != JOB_FREE)
            continue;
        int rc = virtq_pop(q, d->bus, j->elem, &why);
        if (rc > 0 && blk_prepare(j->elem, &j->req, &why))
            rc = -ERR_FORMAT;
        if (rc < 0)
            virtio_device_error(d, why);
        if (rc <= 0)
            return;
        j->state = JOB_QUEUED;
        j->epoch = b->epoch;
        pthread_cond_signal(&b->work);
    }
}

static void *blk_worker(void *arg)
{
    struct virtio_blk *b = arg;
    struct virtio_dev *d = &b->vdev;
    pthread_mutex_lock(&d->lock);
    for (;;) {
        struct blk_job *j = NULL;
        while (!b->stop) {
            for (unsigned i = 0; i < BLK_JOBS && !j; i++)
                if (b->jobs[i].state == JOB_QUEUED)
                    j = &b->jobs[i];
            if (j)
                break;
            pthread_cond_wait(&b->work, &d->lock);
        }
        if (b->stop)
            break;
        j->state = JOB_RUNNING;
        b->running++;
        pthread_mutex_unlock(&d->lock);
        blk_execute(b->disk, b->serial, &j->req);
        pthread_mutex_lock(&d->lock);
        struct virtq *q = virtio_active_queue(d, 0);
        if (j->epoch == b->epoch && q) {
            uint16_t old = q->used_idx;
            blk_complete(d, q, &j->req);
            virtio_queue_interrupt(d, q, old);
        }
        j->state = JOB_FREE;
        b->running--;
        pthread_cond_broadcast(&b->idle);
        if (j->epoch == b->epoch)
            blk_fill(b);
        if (b->wake) {
            pthread_mutex_unlock(&d->lock);
            b->wake(b->wake_ctx);
            pthread_mutex_lock(&d->lock);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* Device reset, lock held: forget queued jobs, let running ones finish unseen. */
static void blk_reset(struct virtio_dev *d)
{
    struct virtio_blk *b = to_blk(d);
    if (!b->threaded)
        return;
    b->epoch++;
    for (unsigned i = 0; i < BLK_JOBS; i++)
        if (b->jobs[i].state == JOB_QUEUED)
            b->jobs[i].state = JOB_FREE;
    while (b->running)
        pthread_cond_wait(&b->idle, &d->lock);
}

static void blk_free(struct virtio_dev *d)
{
    struct virtio_blk *b = to_blk(d);
    if (!b->threaded)
        return;
    pthread_mutex_lock(&d->lock);
    b->stop = true;
    pthread_cond_broadcast(&b->work);
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < b->nworkers; i++)
        pthread_join(b->workers[i], NULL);
    for (unsigned i = 0; i < BLK_JOBS; i++)
        free(b->jobs[i].elem);
    pthread_cond_destroy(&b->work);
    pthread_cond_destroy(&b->idle);
}

int virtio_blk_start_io(struct virtio_dev *d, void (*wake)(void *ctx), void *ctx)
{
    struct virtio_blk *b = to_blk(d);
    if (d->type->id != VIRTIO_ID_BLOCK || b->threaded)
        return 0;
    for (unsigned i = 0; i < BLK_JOBS; i++) {
        b->jobs[i].elem = malloc(sizeof(struct virtq_elem));
        if (!b->jobs[i].elem) {
            while (i--)
                free(b->jobs[i].elem);
            return -ERR_NOMEM;
        }
    }
    pthread_cond_init(&b->work, NULL);
    pthread_cond_init(&b->idle, NULL);
    b->wake = wake;
    b->wake_ctx = ctx;
    pthread_mutex_lock(&d->lock);
    b->threaded = true;
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < BLK_WORKERS; i++) {
        if (pthread_create(&b->workers[i], NULL, blk_worker, b))
            break;
        b->nworkers++;
    }
    if (!b->nworkers) {
        pthread_mutex_lock(&d->lock);
        b->threaded = false;
        pthread_mutex_unlock(&d->lock);
        for (unsigned i = 0; i < BLK_JOBS; i++)
            free(b->jobs[i].elem);
        pthread_cond_destroy(&b->work);
        pthread_cond_destroy(&b->idle);
        return -ERR_NOMEM;
    }
    return 0;
}

static void blk_notify(struct virtio_dev *d, unsigned qidx)
{
    struct virtio_blk *b = to_blk(d);
    if (b->threaded) {
        blk_fill(b);
        return;
    }
    struct virtq *q = virtio_active_queue(d, qidx);
    if (!q)
        return;
    uint16_t old = q->used_idx;
    const char *why = NULL;
    int rc;
    while ((rc = virtq_pop(q, d->bus, d->elem, &why)) > 0) {
        struct blk_req req;
        if (blk_prepare(d->elem, &req, &why)) {
            rc = -ERR_FORMAT;
            break;
        }
        blk_execute(b->disk, b->serial, &req);
        blk_complete(d, q, &req);
    }
    if (rc < 0)
        virtio_device_error(d, why);
    virtio_queue_interrupt(d, q, old);
}

/* The device section holds nothing yet: capacity and serial come from the command line. */
static void blk_save(const struct virtio_dev *d, struct dev_writer *w)
{
}

static bool blk_restore(struct virtio_dev *d, struct dev_reader *r)
{
    return dev_get_end(r);
}

static int blk_describe(const struct virtio_dev *d, char *buf, size_t size)
{
    const struct virtio_blk *b = (const struct virtio_blk *)d;
    struct disk_stats s;
    disk_get_stats(b->disk, &s);
    return snprintf(buf, size,
                    "disk %s: %" PRIu64 " sectors%s; %" PRIu64 " reads, %" PRIu64
                    " writes, %" PRIu64 " flushes, %" PRIu64 " errors\n",
                    disk_path(b->disk), disk_size(b->disk) / SECTOR,
                    disk_readonly(b->disk) ? ", read-only" : "", s.reads, s.writes, s.flushes,
                    s.errors);
}

static const struct virtio_dev_type blk_type = {
    .name = "blk",
    .id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .save_tag = "VBLK",
    .save_version = 1,
    .notify = blk_notify,
    .reset = blk_reset,
    .free = blk_free,
    .save = blk_save,
    .restore = blk_restore,
    .describe = blk_describe,
};

struct virtio_dev *virtio_blk_new(struct bus *bus, struct irq_line irq, struct disk *disk,
                                  bool legacy)
{
    struct virtio_blk *b = xcalloc(1, sizeof(*b));
    b->disk = disk;
    uint64_t features =
        1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH;
    if (disk_readonly(disk))
        features |= 1ull << VIRTIO_BLK_F_RO;
    if (disk_can_zero(disk))
        features |= 1ull << VIRTIO_BLK_F_DISCARD | 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
    virtio_dev_init(&b->vdev, &blk_type, bus, irq, legacy, features);
    uint8_t *c = b->vdev.config;
    b->vdev.config_len = CFG_LEN;
    put_le64(c + CFG_CAPACITY, disk_size(disk) / SECTOR);
    /* Header and status take two descriptors of a chain the queue size bounds (QEMU's rule). */
    put_le32(c + CFG_SEG_MAX, VIRTIO_QUEUE_MAX - 2);
    put_le32(c + CFG_BLK_SIZE, SECTOR);
    if (disk_can_zero(disk)) {
        put_le32(c + CFG_MAX_DISCARD_SECTORS, ZERO_MAX_SECTORS);
        put_le32(c + CFG_MAX_DISCARD_SEG, ZERO_MAX_SEGMENTS);
        put_le32(c + CFG_DISCARD_ALIGNMENT, 1);
        put_le32(c + CFG_MAX_WRITE_ZEROES_SECTORS, ZERO_MAX_SECTORS);
        put_le32(c + CFG_MAX_WRITE_ZEROES_SEG, ZERO_MAX_SEGMENTS);
        c[CFG_WRITE_ZEROES_MAY_UNMAP] = 1;
    }
    return &b->vdev;
}

void virtio_blk_set_serial(struct virtio_dev *d, const char *serial)
{
    if (d->type != &blk_type)
        return;
    struct virtio_blk *b = to_blk(d);
    pthread_mutex_lock(&d->lock);
    memset(b->serial, 0, sizeof(b->serial));
    memcpy(b->serial, serial, strnlen(serial, sizeof(b->serial)));
    pthread_mutex_unlock(&d->lock);
}
