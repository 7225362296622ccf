/* The translator: guest RISC-V blocks turned into x86-64 code and run in place of the
 * interpreter. Each hart owns its translator (code cache, block table, jump cache), so harts
 * never share translated code and never wait on each other to translate; what they share is
 * the bus's record of which physical pages hold translated code, through which a write by any
 * hart or device invalidates the code of every hart.
 *
 * The interpreter (src/cpu) stays the reference: whatever the translator does not handle ends
 * a block and runs there, and a hart under a debugger or an instruction trace runs there
 * entirely. */
#ifndef VISOR_JIT_H
#define VISOR_JIT_H

#include "../cpu/cpu.h"

#define JIT_DEFAULT_CODE_SIZE (64ull << 20) /* bytes of translated code per hart */
#define JIT_MIN_CODE_SIZE (1ull << 20)

/* What the translator has done so far, for `info jit` and for tests that check how much of a
 * workload ran in translated code. */
struct jit_stats {
    uint64_t blocks;          /* blocks translated */
    uint64_t guest_insns;     /* guest instructions in translated blocks (static count) */
    uint64_t code_bytes;      /* host code in the cache now */
    uint64_t cache_flushes;   /* times the code cache filled and was emptied */
    uint64_t insns_jit;       /* instructions retired by translated code */
    uint64_t insns_interp;    /* instructions retired by the interpreter */
    uint64_t helper_calls;    /* instructions translated as calls to C (CSR, FP, AMO, ...) */
    uint64_t chains;          /* direct jumps patched to their successor */
    uint64_t jc_hits;         /* indirect jumps that found their block in the jump cache */
    uint64_t jc_misses;
    uint64_t tlb_misses;      /* loads and stores that left the inline fast path */
    uint64_t invalidations;   /* pages whose blocks a write invalidated */
    uint64_t exits;           /* returns from translated code to the dispatcher */
};

/* Gives the hart a translator with code_size bytes of code cache (0: the default). From then
 * on hart_run runs translated code. Returns 0 or -ERR_NOMEM / -ERR_IO (no memfd or mapping).
 * Every hart of one bus shares that bus's code-page record. */
MUST_CHECK int jit_attach(struct hart *h, uint64_t code_size);
void jit_detach(struct hart *h);
/* hart_run's body for a hart with a translator: same contract as hart_run. */
uint64_t jit_run(struct hart *h, uint64_t budget);
void jit_get_stats(const struct hart *h, struct jit_stats *out);
/* The counters as `info jit` prints them; snprintf's convention. */
int jit_describe(const struct hart *h, char *buf, size_t size);

#endif
