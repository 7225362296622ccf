/* SiFive PLIC with QEMU 7.2 virt's layout: 96 sources, priorities 0..7, two contexts per
 * hart (2i = M-mode -> MEIP, 2i+1 = S-mode -> SEIP). Gateways are level-triggered: a source
 * is pending while its line is high and it is not claimed, so completing a source whose line
 * is still high makes it pending again. Invariant: out[ctx] always equals "some pending,
 * enabled source has priority above ctx's threshold", recomputed after every change. */
#include "dev.h"

#include <pthread.h>
#include <stdlib.h>

#define PLIC_PRIORITY 0x0   /* 4 bytes per source */
#define PLIC_PENDING 0x1000 /* bit per source */
#define PLIC_ENABLE 0x2000  /* bit per source, ENABLE_STRIDE per context */
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT 0x200000 /* threshold at +0, claim/complete at +4 */
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_PRIO_MASK 7 /* 3 priority bits; WARL, as QEMU's "value % 8" */
#define PLIC_WORDS ((PLIC_NUM_SOURCES + 31) / 32)
#define PLIC_MAX_CONTEXTS (2 * DEV_MAX_HARTS)
#define PLIC_SAVE_VERSION 1

struct plic {
    pthread_mutex_t lock;
    unsigned nharts, nctx;
    struct irq_line meip[DEV_MAX_HARTS], seip[DEV_MAX_HARTS];
    bool out[PLIC_MAX_CONTEXTS];
    uint8_t priority[PLIC_NUM_SOURCES];
    uint32_t level[PLIC_WORDS];   /* input line levels */
    uint32_t claimed[PLIC_WORDS]; /* claimed and not yet completed */
    uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
    uint8_t threshold[PLIC_MAX_CONTEXTS];
};

static bool bit(const uint32_t *words, unsigned n)
{
    return (words[n / 32] >> (n % 32)) & 1;
}

static uint32_t pending_word(const struct plic *p, unsigned w)
{
    return p->level[w] & ~p->claimed[w];
}

/* The source a claim by ctx would return: the highest priority above the threshold among
 * pending enabled sources, the lowest id among equals; 0 if none. */
static unsigned best_source(const struct plic *p, unsigned ctx)
{
    unsigned best = 0, best_prio = p->threshold[ctx];
    for (unsigned w = 0; w < PLIC_WORDS; w++) {
        uint32_t cand = pending_word(p, w) & p->enable[ctx][w];
        while (cand) {
            unsigned n = w * 32 + (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            if (n < PLIC_NUM_SOURCES && p->priority[n] > best_prio) {
                best = n;
                best_prio = p->priority[n];
            }
        }
    }
    return best;
}

static void update(struct plic *p, bool force)
{
    for (unsigned ctx = 0; ctx < p->nctx; ctx++) {
        bool level = best_source(p, ctx) != 0;
        if (level != p->out[ctx] || force) {
            p->out[ctx] = level;
            irq_set(ctx & 1 ? &p->seip[ctx / 2] : &p->meip[ctx / 2], level);
        }
    }
}

static uint32_t reg_read(struct plic *p, uint64_t off)
{
    if (off < PLIC_PRIORITY + 4 * PLIC_NUM_SOURCES)
        return p->priority[off / 4];
    if (off >= PLIC_PENDING && off < PLIC_PENDING + 4 * PLIC_WORDS)
        return pending_word(p, (unsigned)(off - PLIC_PENDING) / 4);
    if (off >= PLIC_ENABLE && off < PLIC_ENABLE + (uint64_t)PLIC_ENABLE_STRIDE * p->nctx) {
        unsigned ctx = (unsigned)((off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE);
        unsigned w = (unsigned)(off % PLIC_ENABLE_STRIDE) / 4;
        return w < PLIC_WORDS ? p->enable[ctx][w] : 0;
    }
    if (off >= PLIC_CONTEXT && off < PLIC_CONTEXT + (uint64_t)PLIC_CONTEXT_STRIDE * p->nctx) {
        unsigned ctx = (unsigned)((off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE);
        switch (off % PLIC_CONTEXT_STRIDE) {
        case 0:
            return p->threshold[ctx];
        case 4: {
            unsigned n = best_source(p, ctx);
            if (n) {
                p->claimed[n / 32] |= 1u << (n % 32);
                update(p, false);
            }
            return n;
        }
        }
    }
    return 0;
}

static void reg_write(struct plic *p, uint64_t off, uint32_t v)
{
    if (off < PLIC_PRIORITY + 4 * PLIC_NUM_SOURCES) {
        p->priority[off / 4] = v & PLIC_PRIO_MASK;
    } else if (off >= PLIC_ENABLE && off < PLIC_ENABLE + (uint64_t)PLIC_ENABLE_STRIDE * p->nctx) {
        unsigned ctx = (unsigned)((off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE);
        unsigned w = (unsigned)(off % PLIC_ENABLE_STRIDE) / 4;
        if (w < PLIC_WORDS)
            p->enable[ctx][w] = v;
    } else if (off >= PLIC_CONTEXT &&
               off < PLIC_CONTEXT + (uint64_t)PLIC_CONTEXT_STRIDE * p->nctx) {
        unsigned ctx = (unsigned)((off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE);
        switch (off % PLIC_CONTEXT_STRIDE) {
        case 0:
            p->threshold[ctx] = v & PLIC_PRIO_MASK;
            break;
        case 4:
            /* Completion re-arms the gateway; the spec ignores it for a source that is not
             * enabled in this context. (QEMU 7.2 does not check; Linux enables a masked
             * source around its completion, so both agree for Linux.) */
            if (v < PLIC_NUM_SOURCES && bit(p->enable[ctx], v))
                p->claimed[v / 32] &= ~(1u << (v % 32));
            break;
        }
    }
    /* Pending bits are read-only; everything else is unassigned space. */
    update(p, false);
}

static int plic_mmio_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    struct plic *p = dev;
    pthread_mutex_lock(&p->lock);
    *val = reg_read(p, off);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

static int plic_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct plic *p = dev;
    pthread_mutex_lock(&p->lock);
    reg_write(p, off, (uint32_t)val);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

const struct mmio_ops plic_ops = {
    .name = "plic",
    .min_size = 4,
    .max_size = 4,
    .read = plic_mmio_read,
    .write = plic_mmio_write,
};

void plic_set_source(struct plic *p, unsigned n, bool level)
{
    if (n == 0 || n >= PLIC_NUM_SOURCES)
        return;
    uint32_t mask = 1u << (n % 32);
    pthread_mutex_lock(&p->lock);
    if (bit(p->level, n) != level) {
        p->level[n / 32] ^= mask;
        update(p, false);
    }
    pthread_mutex_unlock(&p->lock);
}

static void input_cb(void *ctx, unsigned n, bool level)
{
    plic_set_source(ctx, n, level);
}

struct irq_line plic_input(struct plic *p, unsigned n)
{
    return (struct irq_line){input_cb, p, n};
}

struct plic *plic_new(unsigned nharts, const struct irq_line *meip, const struct irq_line *seip)
{
    if (nharts == 0 || nharts > DEV_MAX_HARTS)
        die("plic: %u harts requested, 1 to %d supported (-smp)", nharts, DEV_MAX_HARTS);
    struct plic *p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    p->nharts = nharts;
    p->nctx = 2 * nharts;
    for (unsigned h = 0; h < nharts; h++) {
        p->meip[h] = meip[h];
        p->seip[h] = seip[h];
    }
    plic_reset(p);
    return p;
}

void plic_reset(struct plic *p)
{
    /* As QEMU's sifive_plic_reset: priorities, thresholds, enables and claims cleared,
     * outputs low. Input levels belong to the devices, which drive them on their own reset. */
    pthread_mutex_lock(&p->lock);
    for (unsigned n = 0; n < PLIC_NUM_SOURCES; n++)
        p->priority[n] = 0;
    for (unsigned w = 0; w < PLIC_WORDS; w++) {
        p->claimed[w] = 0;
        for (unsigned ctx = 0; ctx < p->nctx; ctx++)
            p->enable[ctx][w] = 0;
    }
    for (unsigned ctx = 0; ctx < p->nctx; ctx++)
        p->threshold[ctx] = 0;
    update(p, true);
    pthread_mutex_unlock(&p->lock);
}

void plic_free(struct plic *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Layout v1: ncontexts (u32), priority[96] (u8), level and claimed (u32 words), then per
 * context threshold (u8) and enable (u32 words). */
int plic_save(const struct plic *p, uint8_t *buf, size_t cap, size_t *len)
{
    struct plic *m = (struct plic *)p; /* the lock is not observable state */
    struct dev_writer w = {buf, cap, 0};
    pthread_mutex_lock(&m->lock);
    dev_put_header(&w, "PLIC", PLIC_SAVE_VERSION);
    dev_put(&w, p->nctx, 4);
    dev_put_bytes(&w, p->priority, PLIC_NUM_SOURCES);
    for (unsigned i = 0; i < PLIC_WORDS; i++)
        dev_put(&w, p->level[i], 4);
    for (unsigned i = 0; i < PLIC_WORDS; i++)
        dev_put(&w, p->claimed[i], 4);
    for (unsigned ctx = 0; ctx < p->nctx; ctx++) {
        dev_put(&w, p->threshold[ctx], 1);
        for (unsigned i = 0; i < PLIC_WORDS; i++)
            dev_put(&w, p->enable[ctx][i], 4);
    }
    pthread_mutex_unlock(&m->lock);
    return dev_put_end(&w, len);
}

int plic_restore(struct plic *p, const uint8_t *buf, size_t len)
{
    struct dev_reader r = {buf, len, 0, false};
    dev_get_header(&r, "PLIC", PLIC_SAVE_VERSION);
    if (dev_get(&r, 4) != p->nctx)
        return -ERR_FORMAT;
    const uint8_t *prio = dev_get_bytes(&r, PLIC_NUM_SOURCES);
    uint32_t level[PLIC_WORDS], claimed[PLIC_WORDS];
    uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
    uint8_t threshold[PLIC_MAX_CONTEXTS];
    for (unsigned i = 0; i < PLIC_WORDS; i++)
        level[i] = (uint32_t)dev_get(&r, 4);
    for (unsigned i = 0; i < PLIC_WORDS; i++)
        claimed[i] = (uint32_t)dev_get(&r, 4);
    for (unsigned ctx = 0; ctx < p->nctx; ctx++) {
        threshold[ctx] = (uint8_t)dev_get(&r, 1) & PLIC_PRIO_MASK;
        for (unsigned i = 0; i < PLIC_WORDS; i++)
            enable[ctx][i] = (uint32_t)dev_get(&r, 4);
    }
    if (!prio || !dev_get_end(&r))
        return -ERR_FORMAT;
    pthread_mutex_lock(&p->lock);
    for (unsigned n = 0; n < PLIC_NUM_SOURCES; n++)
        p->priority[n] = prio[n] & PLIC_PRIO_MASK;
    for (unsigned i = 0; i < PLIC_WORDS; i++) {
        p->level[i] = level[i] & (i == 0 ? ~1u : ~0u); /* source 0 does not exist */
        p->claimed[i] = claimed[i];
    }
    for (unsigned ctx = 0; ctx < p->nctx; ctx++) {
        p->threshold[ctx] = threshold[ctx];
        for (unsigned i = 0; i < PLIC_WORDS; i++)
            p->enable[ctx][i] = enable[ctx][i];
    }
    update(p, true);
    pthread_mutex_unlock(&p->lock);
    return 0;
}
