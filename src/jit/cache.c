/* The block table of one hart's translator: lookup by (virtual pc, physical pc, privilege),
 * chaining, invalidation of a page's blocks when it is written, and the flush when the code
 * buffer is full.
 *
 * Invariants that keep invalidation cheap: a block never spans pages, and a chained jump only
 * links blocks of the same virtual page (hence the same physical page), so dropping a page's
 * blocks leaves no chained jump into them from outside the page. Jump cache entries into them
 * die with the tlb_gen bump. Invalidated code stays in the buffer (unreachable) until the next
 * flush, so a block that invalidates itself can still run to its exit. */
#include "jit_priv.h"

/* Multiplicative hashing: the product's high bits depend on every bit of the addresses (their
 * low bits alone would put pages 64 KiB apart in one bucket). */
static unsigned table_hash(uint64_t vpc, uint64_t pa)
{
    uint64_t k = (vpc * 0x9e3779b97f4a7c15ull) ^ (pa * 0xc2b2ae3d27d4eb4full);
    return (unsigned)(k >> 48) & (JIT_HASH_SIZE - 1);
}

static unsigned page_hash(uint64_t pa)
{
    return (unsigned)((pa >> 12) & (JIT_PAGE_HASH - 1));
}

/* Marks pa's page as holding code for every hart of the bus, and takes away every hart's
 * TLB entries that would let a store reach it without the slow path. */
static void mark_code_page(struct jit *j, uint64_t pa, const uint8_t *host_page)
{
    struct bus *bus = j->h->bus;
    _Atomic uint8_t *flag = &bus->code_pages[(pa - bus->ram_base) >> 12];
    if (atomic_load_explicit(flag, memory_order_relaxed))
        return;
    atomic_store(flag, 1);
    struct jit_shared *sh = j->shared;
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->n; i++) {
        struct hart *h = sh->jits[i]->h;
        for (unsigned p = 0; p < 4; p++)
            for (unsigned k = 0; k < TLB_SIZE; k++) {
                struct tlb_entry *e = &h->tlb[p][ACC_STORE][k];
                if (e->tag != TLB_INVALID && e->tag + e->addend == (uintptr_t)host_page)
                    e->tag = TLB_INVALID;
            }
    }
    pthread_mutex_unlock(&sh->lock);
}

struct block *cache_get(struct jit *j, uint64_t vpc, uint64_t pa, unsigned key,
                        const uint8_t *host_page)
{
    unsigned hsh = table_hash(vpc, pa);
    pthread_mutex_lock(&j->lock);
    for (struct block *b = j->table[hsh]; b; b = b->hnext)
        if (b->vpc == vpc && b->pa == pa && b->key == key) {
            pthread_mutex_unlock(&j->lock);
            return b;
        }
    pthread_mutex_unlock(&j->lock);
    /* Marked before translating: a store racing with the translation then takes the slow
     * path and invalidates what we are about to enter. (Outside j->lock: the shared lock is
     * always taken first.) Only this hart adds blocks, so the table cannot change meanwhile
     * except by invalidation. */
    mark_code_page(j, pa, host_page);
    pthread_mutex_lock(&j->lock);
    if (j->nblocks == j->maxblocks) {
        pthread_mutex_unlock(&j->lock);
        cache_flush(j);
        return NULL;
    }
    struct block *b = &j->blocks[j->nblocks];
    memset(b, 0, sizeof(*b));
    b->vpc = vpc;
    b->pa = pa;
    b->key = (uint8_t)key;
    if (!translate_block(j, b, host_page)) {
        pthread_mutex_unlock(&j->lock);
        cache_flush(j);
        return NULL;
    }
    j->nblocks++;
    b->hnext = j->table[hsh];
    j->table[hsh] = b;
    unsigned ph = page_hash(pa);
    b->pnext = j->pages[ph];
    j->pages[ph] = b;
    pthread_mutex_unlock(&j->lock);
    return b;
}

void cache_chain(struct jit *j, const uint8_t *site, const struct block *b)
{
    x86_patch_rel32((uint8_t *)(uintptr_t)(site - j->mem.to_exec), j->mem.to_exec, b->code);
    j->st.chains++;
}

void cache_flush(struct jit *j)
{
    pthread_mutex_lock(&j->lock);
    j->used = j->code_start;
    j->nblocks = 0;
    memset(j->table, 0, sizeof(j->table));
    memset(j->pages, 0, sizeof(j->pages));
    j->inval_epoch++;
    j->st.cache_flushes++;
    pthread_mutex_unlock(&j->lock);
    j->h->tlb_gen++; /* the jump cache points into the old code */
}

void cache_invalidate_page(struct jit *j, uint64_t pa)
{
    uint64_t page = pa & ~0xfffull;
    pthread_mutex_lock(&j->lock);
    struct block **pp = &j->pages[page_hash(page)];
    bool any = false;
    while (*pp) {
        struct block *b = *pp;
        if ((b->pa & ~0xfffull) != page) {
            pp = &b->pnext;
            continue;
        }
        *pp = b->pnext;
        struct block **tp = &j->table[table_hash(b->vpc, b->pa)];
        while (*tp != b)
            tp = &(*tp)->hnext;
        *tp = b->hnext;
        any = true;
    }
    if (any) {
        j->inval_epoch++;
        j->st.invalidations++;
    }
    pthread_mutex_unlock(&j->lock);
    if (any) {
        j->h->tlb_gen++;
        atomic_store(&j->h->exit_note, 1);
    }
}

void cache_code_written(void *ctx, uint64_t pa, uint64_t len)
{
    struct jit_shared *sh = ctx;
    struct bus *bus = sh->bus;
    atomic_store(&bus->code_pages[(pa - bus->ram_base) >> 12], 0);
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->n; i++)
        cache_invalidate_page(sh->jits[i], pa);
    pthread_mutex_unlock(&sh->lock);
    (void)len;
}
