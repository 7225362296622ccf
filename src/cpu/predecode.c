/* The interpreter's predecoded pages (see predecode.h): finding a page's uop array by its host
 * address, making one, invalidating it when the page is written, recycling it. Each hart
 * owns its arrays; what the harts of one bus share is the bus's code-page record, through
 * which a write by any hart or device invalidates the arrays of every hart. The translator
 * uses the same record, so a bus serves one or the other: with a translator attached the
 * interpreter runs instruction by instruction (it only runs what the translator leaves). */
#include "predecode.h"

#include <stdlib.h>
#include <sys/mman.h>

#define PD_MAX_HARTS 64

/* The record of one bus: every hart's predecode, for invalidations. */
struct pd_shared {
    struct bus *bus;
    pthread_mutex_t lock; /* the list; taken before any predecode's lock */
    struct predecode *pds[PD_MAX_HARTS];
    unsigned n;
};

/* Harts may first run on different threads: attaching to the bus is serialised. */
static pthread_mutex_t attach_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned page_hash(uintptr_t host)
{
    return (unsigned)((host >> 12) & (PD_HASH_SIZE - 1));
}

/* Unlinks this hart's array of the page at host, if any, and tells the hart to leave it. */
static void invalidate_page(struct predecode *pd, uintptr_t host)
{
    bool any = false;
    pthread_mutex_lock(&pd->lock);
    struct pd_page **pp = &pd->table[page_hash(host)];
    while (*pp) {
        struct pd_page *p = *pp;
        if (p->host != host) {
            pp = &p->hnext;
            continue;
        }
        __atomic_store_n(pp, p->hnext, __ATOMIC_RELEASE);
        __atomic_store_n(&p->hnext, pd->dead, __ATOMIC_RELAXED); /* the owner may be reading */
        __atomic_store_n(&pd->dead, p, __ATOMIC_RELAXED);
        any = true;
    }
    pthread_mutex_unlock(&pd->lock);
    if (any)
        atomic_store(&pd->h->exit_note, 1);
}

/* The bus's code-write callback (ctx: the pd_shared), once per written page that holds code. */
static void code_written(void *ctx, uint64_t pa, uint64_t len)
{
    struct pd_shared *sh = ctx;
    struct bus *bus = sh->bus;
    uint64_t page = pa & ~0xfffull;
    atomic_store(&bus->code_pages[(page - bus->ram_base) >> 12], 0);
    uintptr_t host = (uintptr_t)bus_ram_ptr(bus, page, 4096);
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->n; i++)
        invalidate_page(sh->pds[i], host);
    pthread_mutex_unlock(&sh->lock);
    (void)len;
}

/* Marks the page as code for every hart of the bus and takes away every hart's store TLB
 * entries for it, so that from now on each write to it reaches code_written. */
static void mark_code_page(struct predecode *pd, uint64_t pa, uintptr_t host)
{
    struct bus *bus = pd->h->bus;
    _Atomic uint8_t *flag = &bus->code_pages[(pa - bus->ram_base) >> 12];
    if (atomic_load_explicit(flag, memory_order_relaxed))
        return;
    atomic_store(flag, 1); /* before anything is decoded: a racing write then invalidates */
    struct pd_shared *sh = pd->shared;
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->n; i++) {
        struct hart *h = sh->pds[i]->h;
        for (unsigned p = 0; p < 4; p++)
            for (unsigned k = 0; k < TLB_SIZE; k++) {
                struct tlb_entry *e = &h->tlb[p][ACC_STORE][k];
                if (e->tag != TLB_INVALID && e->tag + e->addend == host)
                    e->tag = TLB_INVALID;
            }
    }
    pthread_mutex_unlock(&sh->lock);
}

/* Every page goes (the arena is full). Only the owner calls this, at its dispatcher. */
static void flush_all(struct predecode *pd)
{
    memset(pd->table, 0, sizeof(pd->table));
    pd->dead = pd->free = NULL;
    pd->used = 0;
}

struct pd_page *predecode_get(struct predecode *pd, uintptr_t host, uint64_t pa)
{
    struct pd_page **bucket = &pd->table[page_hash(host)];
    for (struct pd_page *p = __atomic_load_n(bucket, __ATOMIC_ACQUIRE); p;
         p = __atomic_load_n(&p->hnext, __ATOMIC_ACQUIRE))
        if (p->host == host)
            return p;
    mark_code_page(pd, pa, host);
    pthread_mutex_lock(&pd->lock);
    struct pd_page *p = pd->free;
    if (p) {
        pd->free = p->hnext;
    } else {
        if (pd->used >= pd->max)
            flush_all(pd);
        p = &pd->arena[pd->used++];
    }
    threaded_init_page(p);
    p->host = host;
    __atomic_store_n(&p->hnext, *bucket, __ATOMIC_RELAXED);
    __atomic_store_n(bucket, p, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&pd->lock);
    return p;
}

void predecode_reap(struct predecode *pd)
{
    pthread_mutex_lock(&pd->lock);
    struct pd_page *list = pd->dead;
    __atomic_store_n(&pd->dead, NULL, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&pd->lock);
    while (list) {
        struct pd_page *p = list;
        list = p->hnext;
        pthread_mutex_lock(&pd->lock);
        p->hnext = pd->free;
        pd->free = p;
        pthread_mutex_unlock(&pd->lock);
    }
}

/* The bus's shared record, made by the first hart to run; NULL if the translator holds the
 * bus's code-page record. Called under attach_lock. */
static struct pd_shared *shared_for(struct bus *bus)
{
    if (bus->on_code_write == code_written)
        return bus->code_ctx;
    if (bus->code_ctx || bus->code_pages)
        return NULL;
    struct pd_shared *sh = calloc(1, sizeof(*sh));
    _Atomic uint8_t *pages = calloc(bus->ram_size >> 12, 1);
    if (!sh || !pages) {
        free(sh);
        free((void *)pages);
        return NULL;
    }
    sh->bus = bus;
    pthread_mutex_init(&sh->lock, NULL);
    bus->code_ctx = sh;
    bus->on_code_write = code_written;
    bus->code_pages = pages;
    return sh;
}

struct predecode *predecode_for(struct hart *h)
{
    if (LIKELY(h->pd))
        return h->pd;
    pthread_mutex_lock(&attach_lock);
    struct pd_shared *sh = shared_for(h->bus);
    struct predecode *pd = NULL;
    if (sh && sh->n < PD_MAX_HARTS)
        pd = calloc(1, sizeof(*pd));
    if (pd) {
        /* Reserved, not committed: only the pages a guest runs become resident. */
        void *arena = mmap(NULL, (size_t)PD_MAX_PAGES * sizeof(struct pd_page),
                           PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                           -1, 0);
        if (arena == MAP_FAILED) {
            free(pd);
            pd = NULL;
        } else {
            pd->arena = arena;
            pd->max = PD_MAX_PAGES;
            pd->h = h;
            pd->shared = sh;
            pthread_mutex_init(&pd->lock, NULL);
            pthread_mutex_lock(&sh->lock);
            sh->pds[sh->n++] = pd;
            pthread_mutex_unlock(&sh->lock);
            h->pd = pd;
        }
    }
    pthread_mutex_unlock(&attach_lock);
    return pd;
}

void predecode_free(struct hart *h)
{
    struct predecode *pd = h->pd;
    if (!pd)
        return;
    pthread_mutex_lock(&attach_lock);
    struct pd_shared *sh = pd->shared;
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->n; i++)
        if (sh->pds[i] == pd)
            sh->pds[i] = sh->pds[--sh->n];
    bool last = sh->n == 0;
    pthread_mutex_unlock(&sh->lock);
    if (last) {
        struct bus *bus = sh->bus;
        bus->code_ctx = NULL;
        bus->on_code_write = NULL;
        free((void *)bus->code_pages);
        bus->code_pages = NULL;
        pthread_mutex_destroy(&sh->lock);
        free(sh);
    }
    pthread_mutex_unlock(&attach_lock);
    munmap(pd->arena, (size_t)PD_MAX_PAGES * sizeof(struct pd_page));
    pthread_mutex_destroy(&pd->lock);
    free(pd);
    h->pd = NULL;
}
