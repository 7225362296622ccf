/* Private to src/cpu: the interpreter's predecoded pages (predecode.c) and the threaded loop
 * that runs them (threaded.c).
 *
 * A page of guest code, once executed, gets an array of uops with one slot per 2-byte offset:
 * the instruction at pc lives in slot (pc & 0xfff) / 2 of its physical page's array, so the
 * loop walks the array as the pc walks the page, and a branch within the page is a pointer
 * offset. Slots are decoded lazily, a straight-line run at a time, the first time one runs
 * (uop_decode.c).
 *
 * Invariants: a page whose array exists is marked in the bus's code-page record, so no store
 * TLB entry maps it and every write to it (the slow store path, AMOs, DMA, loaders, the
 * debugger) reaches the bus's code-write callback (predecode.c), which unlinks the array at once and sets the
 * owning hart's exit_note. An unlinked ("dead") array stays intact until its owner recycles
 * it at the top of its dispatcher, where it holds no uop pointer: a hart that was running
 * the page finishes the instruction, sees exit_note and leaves. */
#ifndef VISOR_PREDECODE_H
#define VISOR_PREDECODE_H

#include "cpu_priv.h"

#include <pthread.h>

/* One instruction, ready to run: 16 bytes, so the pc of a slot is its address >> 3 plus a
 * per-page bias (threaded.c). fn is the address of its handler in threaded_run (the decoder's
 * in a slot not yet decoded; uops.h names them). run is the number of instructions from this
 * one to the end of its straight-line run (threaded.c). Register numbers and imm mean what
 * they mean in struct insn, except that in-page branches and jumps hold their offset in uop
 * bytes. */
struct uop {
    const void *fn;
    int32_t imm;
    uint8_t rd, rs1, rs2;
    uint8_t run;
};

#define PD_SLOTS 2048 /* 2-byte offsets in a 4 KiB page */
/* Tunables: pages per hart (32 KiB each, reserved up front, resident once used: a Linux boot
 * to its shell runs about 1700; when all are in use every page is dropped), hash buckets. */
#define PD_MAX_PAGES 4096
#define PD_HASH_SIZE 1024

struct pd_page {
    /* One slot past the page: its handler leaves for the next page (set on allocation). */
    struct uop ops[PD_SLOTS + 1];
    uintptr_t host;          /* the page's host address (RAM): the key */
    struct pd_page *hnext;   /* hash chain; reused as the dead and free list link */
};

/* One hart's predecoded pages. Only the owning hart adds pages and runs them; any thread may
 * invalidate (unlink) them, under lock. */
struct predecode {
    struct hart *h;
    struct pd_shared *shared;
    pthread_mutex_t lock;
    struct pd_page *table[PD_HASH_SIZE];
    struct pd_page *dead; /* unlinked, not yet recycled */
    struct pd_page *free; /* recycled, zeroed */
    struct pd_page *arena;
    unsigned used;        /* arena pages handed out */
    unsigned max;         /* of PD_MAX_PAGES, how many to use before dropping all (tests: few) */
};

/* The array for the RAM page at host (page-aligned; pa its physical address): found, or made
 * (marking the page as code first). Called by the owner at its dispatcher only. */
struct pd_page *predecode_get(struct predecode *pd, uintptr_t host, uint64_t pa);
/* Recycles the dead pages: the owner calls this where it holds no uop pointer. */
void predecode_reap(struct predecode *pd);
/* The hart's predecoded pages, set up on first use; NULL when the bus's code-page record
 * belongs to the translator (then the interpreter runs instruction by instruction). */
struct predecode *predecode_for(struct hart *h);
void predecode_free(struct hart *h);

/* ---- threaded.c ---- */
/* interp_run's body when the hart has predecoded pages: same contract. */
uint64_t threaded_run(struct hart *h, struct predecode *pd, uint64_t budget);
/* Makes every slot of a fresh or recycled page undecoded, and the one past it the exit
 * (uop_decode.c). */
void threaded_init_page(struct pd_page *p);

/* ---- interp.c ---- */
/* The instruction-by-instruction loop: the fallback for what the threaded loop does not run
 * (fetches outside RAM, instructions crossing a page). */
uint64_t interp_steps(struct hart *h, uint64_t budget);
/* The decoded form of raw at pc, through the interpreter's decode cache. */
const struct insn *interp_decode(uint64_t pc, uint32_t raw);

#endif
