/* Split virtqueues (virtio 1.x "Split Virtqueues"), device side: validating a queue's areas,
 * walking descriptor chains (direct, or ending in one indirect table) into host buffers, and
 * publishing used entries with EVENT_IDX or NO_INTERRUPT notification suppression.
 * Everything read from guest memory is read once into a local copy and checked there; any
 * inconsistency is reported as -ERR_FORMAT with a reason, never trusted. The ring indices are
 * the one place where ordering matters: avail.idx is read with acquire before the entries it
 * covers, and used.idx is written with release after the entries it publishes. */
#include "virtio_priv.h"

#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "virtio rings are little-endian and read in place");

/* Reads guest memory exactly once per byte (the guest may be rewriting it concurrently). */
static void fetch(void *dst, const uint8_t *src, size_t n)
{
    uint8_t *d = dst;
    const volatile uint8_t *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

static uint16_t load16(const uint8_t *p)
{
    return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE);
}

static uint16_t load16_relaxed(const uint8_t *p)
{
    return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED);
}

static void store16(uint8_t *p, uint16_t v, int order)
{
    __atomic_store_n((uint16_t *)(void *)p, v, order);
}

static void store32(uint8_t *p, uint32_t v)
{
    __atomic_store_n((uint32_t *)(void *)p, v, __ATOMIC_RELAXED);
}

/* Sizes of the three areas for a queue of num entries, with the optional event fields. */
static uint64_t desc_bytes(uint16_t num)
{
    return (uint64_t)VIRTQ_DESC_SIZE * num;
}

static uint64_t avail_bytes(uint16_t num)
{
    return 6 + 2 * (uint64_t)num;
}

static uint64_t used_bytes(uint16_t num)
{
    return 6 + 8 * (uint64_t)num;
}

int virtq_enable(struct virtq *q, struct bus *bus, uint16_t max, const char **why)
{
    q->ready = false;
    q->desc = q->avail = q->used = NULL;
    if (q->num == 0 || q->num > max || (q->num & (q->num - 1))) {
        *why = "queue size is zero, above QueueNumMax or not a power of two";
        return -ERR_INVAL;
    }
    if ((q->desc_pa & 15) || (q->avail_pa & 1) || (q->used_pa & 3)) {
        *why = "queue area misaligned (descriptors 16, available 2, used 4)";
        return -ERR_INVAL;
    }
    uint8_t *desc = bus_ram_ptr(bus, q->desc_pa, desc_bytes(q->num));
    uint8_t *avail = bus_ram_ptr(bus, q->avail_pa, avail_bytes(q->num));
    uint8_t *used = bus_ram_ptr(bus, q->used_pa, used_bytes(q->num));
    if (!desc || !avail || !used) {
        *why = "queue area outside RAM";
        return -ERR_INVAL;
    }
    q->desc = desc;
    q->avail = avail;
    q->used = used;
    q->ready = true;
    return 0;
}

void virtq_disable(struct virtq *q)
{
    q->ready = false;
    q->desc = q->avail = q->used = NULL;
    q->last_avail = q->used_idx = 0;
}

void virtq_reset(struct virtq *q, uint16_t max)
{
    memset(q, 0, sizeof(*q));
    q->num = max; /* a driver that never writes QueueNum gets the maximum */
    q->legacy_align = 4096;
}

/* Where avail.ring[] and used.ring[] and the two event fields live. */
static uint8_t *avail_ring(const struct virtq *q, uint16_t slot)
{
    return q->avail + 4 + 2 * (size_t)slot;
}

static uint8_t *used_event_ptr(const struct virtq *q)
{
    return q->avail + 4 + 2 * (size_t)q->num;
}

static uint8_t *avail_event_ptr(const struct virtq *q)
{
    return q->used + 4 + 8 * (size_t)q->num;
}

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static struct desc read_desc(const uint8_t *table, unsigned i)
{
    uint8_t raw[VIRTQ_DESC_SIZE];
    fetch(raw, table + (size_t)i * VIRTQ_DESC_SIZE, sizeof(raw));
    return (struct desc){get_le64(raw), get_le32(raw + 8), get_le16(raw + 12), get_le16(raw + 14)};
}

#define BAD(msg)                                                                                   \
    do {                                                                                           \
        *why = (msg);                                                                              \
        return -ERR_FORMAT;                                                                        \
    } while (0)

/* Walks the chain starting at head into e. The walk is bounded: a direct chain visits at most
 * num descriptors (one more means a loop), an indirect table at most its own length, and the
 * buffers of one chain at most VIRTQ_CHAIN_MAX. */
static int walk_chain(struct virtq *q, struct bus *bus, uint16_t head, struct virtq_elem *e,
                      const char **why)
{
    const uint8_t *table = q->desc;
    unsigned size = q->num, idx = head, visited = 0;
    bool in_indirect = false;
    uint64_t total = 0;

    e->head = head;
    e->n_out = e->n_in = 0;
    e->out_len = e->in_len = 0;
    for (;;) {
        if (idx >= size)
            BAD(in_indirect ? "indirect descriptor index out of its table"
                            : "descriptor index out of range");
        if (++visited > size)
            BAD("descriptor chain loops or is longer than its table");
        struct desc d = read_desc(table, idx);

        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            if (in_indirect)
                BAD("indirect descriptor inside an indirect table");
            if (!q->indirect)
                BAD("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
            if (d.flags & VIRTQ_DESC_F_NEXT)
                BAD("indirect descriptor with NEXT set");
            if (d.len == 0 || d.len % VIRTQ_DESC_SIZE || d.len / VIRTQ_DESC_SIZE > VIRTQ_CHAIN_MAX)
                BAD("indirect table length is zero, not a multiple of 16 or too long");
            const uint8_t *t = bus_ram_ptr(bus, d.addr, d.len);
            if (!t)
                BAD("indirect table outside RAM");
            /* The device ignores WRITE on the descriptor naming the table (spec). */
            table = t;
            size = d.len / VIRTQ_DESC_SIZE;
            idx = 0;
            visited = 0;
            in_indirect = true;
            continue;
        }

        if (d.len == 0)
            BAD("zero-length descriptor");
        uint8_t *p = bus_ram_ptr(bus, d.addr, d.len);
        if (!p)
            BAD("descriptor buffer outside RAM");
        total += d.len;
        if (total > UINT32_MAX)
            BAD("descriptor chain longer than 4 GiB");
        if (e->n_out + e->n_in == VIRTQ_CHAIN_MAX)
            BAD("descriptor chain has too many buffers");
        struct virtq_iov *v = &e->iov[e->n_out + e->n_in];
        v->base = p;
        v->len = d.len;
        if (d.flags & VIRTQ_DESC_F_WRITE) {
            /* The device will write here (maybe from an I/O thread): translated code of
             * these pages goes now, before the data arrives. */
            bus_note_write(bus, d.addr, d.len);
            e->n_in++;
            e->in_len += d.len;
        } else {
            if (e->n_in)
                BAD("device-readable descriptor after a device-writable one");
            e->n_out++;
            e->out_len += d.len;
        }
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        idx = d.next;
    }
}

int virtq_pop(struct virtq *q, struct bus *bus, struct virtq_elem *e, const char **why)
{
    if (!q->ready)
        return 0;
    uint16_t avail_idx = load16(q->avail + 2);
    if (avail_idx == q->last_avail && q->event_idx) {
        /* Ask to be notified of the next buffer, then look again: the driver may have added
         * one after our read and before seeing the new avail_event. */
        store16(avail_event_ptr(q), q->last_avail, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        avail_idx = load16(q->avail + 2);
    }
    if (avail_idx == q->last_avail)
        return 0;
    if ((uint16_t)(avail_idx - q->last_avail) > q->num)
        BAD("available index moved by more than the queue size");
    uint16_t head = load16_relaxed(avail_ring(q, q->last_avail & (q->num - 1)));
    int rc = walk_chain(q, bus, head, e, why);
    if (rc)
        return rc;
    q->last_avail++;
    return 1;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
    uint8_t *elem = q->used + 4 + 8 * (size_t)(q->used_idx & (q->num - 1));
    store32(elem, head);
    store32(elem + 4, len);
    q->used_idx++;
    store16(q->used + 2, q->used_idx, __ATOMIC_RELEASE);
}

bool virtq_need_interrupt(struct virtq *q, uint16_t old)
{
    if (!q->ready || q->used_idx == old)
        return false;
    /* The used index must be visible before we read the driver's suppression state, or we
     * could miss an interrupt it is about to ask for. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (q->event_idx) {
        uint16_t event = load16_relaxed(used_event_ptr(q));
        return (uint16_t)(q->used_idx - event - 1) < (uint16_t)(q->used_idx - old);
    }
    return !(load16_relaxed(q->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

size_t virtq_copy_out(const struct virtq_elem *e, uint64_t off, void *dst, size_t n)
{
    uint8_t *d = dst;
    size_t done = 0;
    for (unsigned i = 0; i < e->n_out && done < n; i++) {
        const struct virtq_iov *v = &e->iov[i];
        if (off >= v->len) {
            off -= v->len;
            continue;
        }
        size_t k = v->len - (size_t)off;
        if (k > n - done)
            k = n - done;
        fetch(d + done, v->base + off, k);
        done += k;
        off = 0;
    }
    return done;
}

size_t virtq_copy_in(const struct virtq_elem *e, uint64_t off, const void *src, size_t n)
{
    const uint8_t *s = src;
    size_t done = 0;
    for (unsigned i = e->n_out; i < e->n_out + e->n_in && done < n; i++) {
        const struct virtq_iov *v = &e->iov[i];
        if (off >= v->len) {
            off -= v->len;
            continue;
        }
        size_t k = v->len - (size_t)off;
        if (k > n - done)
            k = n - done;
        memcpy(v->base + off, s + done, k);
        done += k;
        off = 0;
    }
    return done;
}

/* Per queue: num u16, ready u8, desc/avail/used u64, legacy align/pfn u32, last_avail and
 * used_idx u16. Host pointers and feature flags are re-derived on restore. */
void virtq_save(const struct virtq *q, struct dev_writer *w)
{
    dev_put(w, q->num, 2);
    dev_put(w, q->ready, 1);
    dev_put(w, q->desc_pa, 8);
    dev_put(w, q->avail_pa, 8);
    dev_put(w, q->used_pa, 8);
    dev_put(w, q->legacy_align, 4);
    dev_put(w, q->legacy_pfn, 4);
    dev_put(w, q->last_avail, 2);
    dev_put(w, q->used_idx, 2);
}

void virtq_load(struct virtq *q, struct dev_reader *r)
{
    memset(q, 0, sizeof(*q));
    q->num = (uint16_t)dev_get(r, 2);
    q->ready = dev_get(r, 1) != 0;
    q->desc_pa = dev_get(r, 8);
    q->avail_pa = dev_get(r, 8);
    q->used_pa = dev_get(r, 8);
    q->legacy_align = (uint32_t)dev_get(r, 4);
    q->legacy_pfn = (uint32_t)dev_get(r, 4);
    q->last_avail = (uint16_t)dev_get(r, 2);
    q->used_idx = (uint16_t)dev_get(r, 2);
}
