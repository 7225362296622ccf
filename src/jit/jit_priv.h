/* Private to src/jit. The pieces, one file each (STYLE 7):
 *   codemem.c    the dual-mapped executable memory
 *   x86.c/x86.h  x86-64 encoding
 *   translate.c  RISC-V instructions to x86-64
 *   cache.c      the block table, chaining and invalidation
 *   jit.c        attaching to a hart, the dispatcher loop, counters
 *
 * How a hart runs translated code. jit_run (the dispatcher) finds the block for the hart's
 * (virtual pc, physical pc, privilege and FS), translating it if need be, and calls it through the
 * entry trampoline, which loads the guest registers that live in host registers and jumps in.
 * A block ends by jumping straight to its successor when that jump has been chained, through
 * the jump cache for indirect jumps, or to the exit trampoline, which stores the registers back
 * and returns to the dispatcher with the address of the jump to patch (0 for none). Each block
 * entry takes its instruction count from h->jit_budget and adds it to minstret/mcycle, and
 * leaves (to the dispatcher) when the budget is short or h->stop/h->exit_note is set: that
 * bounds how long chained code runs before an interrupt is taken.
 *
 * Example: a loop "1: addi a0,a0,-1; bnez a0,1b" at 0x80001000 becomes one block whose
 * taken-branch exit, once chained, jumps back to the block's own entry check. */
#ifndef VISOR_JIT_PRIV_H
#define VISOR_JIT_PRIV_H

#include "jit.h"
#include "../cpu/cpu_priv.h"
#include "x86.h"

#include <pthread.h>

/* Tunables */
#define JIT_BLOCK_MAX_INSNS 64 /* guest instructions per block */
#define JIT_BLOCK_MAX_CODE 32768 /* host bytes a block may need, checked before translating */
#define JIT_HASH_SIZE 65536     /* block table buckets */
#define JIT_PAGE_HASH 4096      /* buckets of the page → blocks index */
#define JIT_JC_SIZE 16384       /* jump cache entries */

struct codemem {
    uint8_t *write, *exec; /* the two views of one memfd */
    uint64_t size;
    intptr_t to_exec; /* exec - write */
};
MUST_CHECK int codemem_init(struct codemem *c, uint64_t size);
void codemem_free(struct codemem *c);

/* The block key (struct block's key): privilege in bits 0-1, mstatus.FS in bits 2-3, frm in
 * bits 4-6 (0 while FS is Off). */
#define KEY_PRIV(k) ((k) & 3)
#define KEY_FS(k) (((k) >> 2) & 3)
#define KEY_FRM(k) (((k) >> 4) & 7)

/* One translated block: guest instructions [vpc, vpc + len) of one page, translated for one
 * privilege. interp blocks hold no code: their first instruction is one the translator leaves
 * to the interpreter (CSR, system, illegal, page-crossing). */
struct block {
    uint64_t vpc, pa;
    uint8_t key; /* privilege | mstatus.FS << 2 | frm << 4: what it was translated for */
    bool interp;
    uint16_t ninsns;
    const uint8_t *code; /* entry, in the executable view */
    struct block *hnext; /* block table chain */
    struct block *pnext; /* page index chain */
};

/* Jump cache: virtual pc → code, valid while the hart's jit_ctx (its tlb_gen, bumped by
 * every invalidation, and the block key) is what it was when filled, and while the fetch TLB
 * still maps the page to the same host page (addend): so TLB flushes, whole or of one page,
 * need not touch the jump cache. 32 bytes, read by translated code at these offsets. */
struct jc_entry {
    uint64_t vpc;
    uint64_t gen;
    const uint8_t *code;
    uintptr_t addend;
};

/* What all translators of one bus share: the list through which a write to a code page
 * reaches every hart's translator. */
#define JIT_MAX_HARTS 64
struct jit_shared {
    struct bus *bus;
    pthread_mutex_t lock; /* the harts list */
    struct jit *jits[JIT_MAX_HARTS];
    unsigned n;
};

struct jit {
    struct jc_entry jc[JIT_JC_SIZE]; /* first: translated code indexes it from h->jit */
    struct hart *h;
    struct jit_shared *shared;
    pthread_mutex_t lock; /* block table and page index: invalidations come from any thread */
    struct codemem mem;
    uint64_t used;         /* bytes of mem in use */
    uint64_t code_start;   /* where blocks begin, after the trampolines */
    uint64_t (*enter)(struct hart *h, const uint8_t *code);
    const uint8_t *exit;   /* the exit trampoline (executable) */
    const uint8_t *interp_one; /* runs one instruction by the interpreter's code (STUB_REDO) */
    const uint8_t *slow_access[2]; /* the load and store slow paths (translate_trampolines) */
    struct block *blocks;
    unsigned nblocks, maxblocks;
    struct block *table[JIT_HASH_SIZE];
    struct block *pages[JIT_PAGE_HASH];
    uint64_t inval_epoch;  /* bumped by every invalidation: a pending chain is then dropped */
    struct jit_stats st;
};

/* ---- translate.c ---- */
/* Emits the entry and exit trampolines at the start of the code buffer. */
void translate_trampolines(struct jit *j);
/* Translates the block starting at vpc, whose page's host memory is page (4 KiB, in RAM),
 * into the code buffer; fills b->code, b->ninsns, b->interp. false: the buffer is full. */
bool translate_block(struct jit *j, struct block *b, const uint8_t *page);

/* ---- translate_fp.c ---- */
/* Translated F/D code computes on the host's SSE unit, whose control and status register
 * (MXCSR) holds the guest's rounding mode and collects the exception flags of the guest's
 * instructions while translated code runs. Around each entry into translated code whose key
 * has FS on: enter sets the mode of the key's frm with no flags (and returns the host's
 * MXCSR); leave ORs the flags into fflags (marking FS dirty) and gives the host back its
 * MXCSR. In between, C called from translated code runs on the guest's MXCSR: it must not
 * compute in floating point. */
uint32_t translate_fp_enter(unsigned key);
void translate_fp_leave(struct hart *h, uint32_t host_mxcsr);
/* From C called by translated code: folds the flags gathered so far into fflags (and FS),
 * clearing them in MXCSR, so that a CSR instruction in the block sees and changes the
 * state as the interpreter would. */
void translate_fp_sync(struct hart *h);

/* ---- cache.c ---- */
/* The block for (vpc, pa, key), translated if need be; NULL when the cache had to be flushed
 * (the caller retries). host_page is the RAM page holding pa. */
struct block *cache_get(struct jit *j, uint64_t vpc, uint64_t pa, unsigned key,
                        const uint8_t *host_page);
/* Points the jump at site (an executable address inside a block of the same page) to b. */
void cache_chain(struct jit *j, const uint8_t *site, const struct block *b);
/* Empties the code cache (it is full). */
void cache_flush(struct jit *j);
/* Drops this translator's blocks of the physical page at pa. */
void cache_invalidate_page(struct jit *j, uint64_t pa);
/* The bus's code-write callback: ctx is the jit_shared. */
void cache_code_written(void *ctx, uint64_t pa, uint64_t len);

/* ---- helpers called from translated code (translate.c) ---- */
uint64_t jit_helper_load(struct hart *h, uint64_t va, unsigned size_sign);
void jit_helper_store(struct hart *h, uint64_t va, uint64_t val, unsigned size);

#endif
