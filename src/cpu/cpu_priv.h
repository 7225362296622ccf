/* Private to src/cpu: what the interpreter, CSR, trap and MMU files share. */
#ifndef VISOR_CPU_PRIV_H
#define VISOR_CPU_PRIV_H

#include "cpu.h"

#include <string.h>

/* mstatus fields */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_UBE (1ull << 6)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_VS (3ull << 9)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_XS (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_SD (1ull << 63)

#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE 0
#define SATP_MODE_SV39 8
#define SATP_MODE_SV48 9
#define SATP_MODE_SV57 10
#define SATP_PPN_MASK ((1ull << 44) - 1)

#define MENVCFG_STCE (1ull << 63)

/* ---- trap.c ---- */
/* Records a synchronous exception; the run loop takes it before the next instruction.
 * Callers return immediately after: the faulting instruction has no other effect. */
static inline void hart_raise(struct hart *h, uint64_t cause, uint64_t tval)
{
    h->exc_pending = true;
    h->exc_cause = cause;
    h->exc_tval = tval;
}
/* Enters the trap handler for an exception (interrupt=false) or interrupt at epc. */
void trap_enter(struct hart *h, bool interrupt, uint64_t cause, uint64_t tval, uint64_t epc);
/* If an interrupt is pending and enabled for the current privilege, takes it; true if so. */
bool trap_check_interrupts(struct hart *h);

/* ---- csr.c ---- */
/* False if the access must raise illegal-instruction (missing CSR, privilege, read-only,
 * FS off, counter or Sstc gates, TVM). */
bool csr_accessible(const struct hart *h, unsigned csr, bool write);
uint64_t csr_read(struct hart *h, unsigned csr);
void csr_write(struct hart *h, unsigned csr, uint64_t val);
const char *csr_name(unsigned csr);
/* Sstc: recomputes mip.STIP from time and stimecmp while menvcfg.STCE is set. */
void csr_update_stip(struct hart *h);

/* ---- debug.c ---- */
void debug_trace_trap(struct hart *h, bool interrupt, uint64_t cause, uint64_t tval,
                      uint64_t epc);
void debug_trace_walk(struct hart *h, uint64_t va, enum access acc, unsigned priv,
                      unsigned levels, bool ok, uint64_t pa);
/* in_asm / exec / cpu for the instruction about to run at h->pc. */
void debug_trace_insn(struct hart *h, const struct insn *in);
/* Whether an instruction ends a block (a jump, branch, trap-raising or system instruction). */
bool debug_ends_block(const struct insn *in);
/* Is there a breakpoint at pc? */
bool debug_break_at(const struct hart_debug *d, uint64_t pc);
/* The data access an instruction will make: true with its address, size and HART_WATCH_READ /
 * _WRITE / _ACCESS kind if it is a load, store or AMO. Computed before it executes. */
bool debug_mem_access(const struct hart *h, const struct insn *in, uint64_t *va, unsigned *size,
                      unsigned *kind);
/* The first watchpoint an access of kind to [va, va+size) hits: true, with the watchpoint's
 * kind and the address to report. */
bool debug_watch_hit(const struct hart_debug *d, uint64_t va, unsigned size, unsigned kind,
                     uint64_t *addr, unsigned *wkind);

/* ---- interp.c ---- */
/* hart_run's plain loop (no WFI entry check, no debugging): up to budget instructions. */
uint64_t interp_run(struct hart *h, uint64_t budget);
/* Executes one decoded instruction at h->pc without retiring it: true if it completed (pc
 * advanced), false if it raised an exception (pending in h). The translator's fallback. */
bool interp_exec_one(struct hart *h, const struct insn *in);
/* The translator's body of hart_run (src/jit). */
uint64_t jit_run(struct hart *h, uint64_t budget);

/* ---- interp_fp.c ---- */
/* Executes an F/D instruction (FS already checked on). false: exception raised. */
bool exec_fp(struct hart *h, const struct insn *in);

/* ---- mmu.c / pmp.c ---- */
/* The privilege loads and stores are checked at: MPP when MPRV is set in M-mode. */
static inline unsigned hart_data_priv(const struct hart *h)
{
    if (h->priv == PRIV_M && (h->mstatus & MSTATUS_MPRV))
        return (unsigned)((h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    return h->priv;
}
/* Translates va for the access kind (fetch at h->priv, data at hart_data_priv), checking PTE
 * permissions and PMP on the final address. On a fault, raises the page-fault or
 * access-fault exception (tval = va) and returns false. size is for the PMP check. */
bool mmu_translate(struct hart *h, uint64_t va, unsigned size, enum access acc, uint64_t *pa);
/* The slow paths behind the inline fast paths below: page crossings, TLB misses (which
 * refill), MMIO, misaligned accesses (performed, split at page boundaries). */
bool mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val);
bool mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val);
bool mmu_fetch_slow(struct hart *h, uint64_t va, uint32_t *insn);
/* PMP: does the hart's PMP allow [pa, pa+size) for acc at privilege priv? */
bool pmp_allows(const struct hart *h, uint64_t pa, uint64_t size, enum access acc, unsigned priv);
/* WARL writes of pmpcfgN (N even: 0 or 2 on RV64) and pmpaddrN; both flush the TLB. */
void pmp_write_cfg(struct hart *h, unsigned csr_index, uint64_t val);
uint64_t pmp_read_cfg(const struct hart *h, unsigned csr_index);
void pmp_write_addr(struct hart *h, unsigned n, uint64_t val);
uint64_t pmp_read_addr(const struct hart *h, unsigned n);

static inline struct tlb_entry *tlb_slot(struct hart *h, enum access acc, uint64_t va)
{
    return &h->tlb[h->priv][acc][(va >> 12) & (TLB_SIZE - 1)];
}

/* Loads size bytes (1,2,4,8) little-endian, zero-extended. false: exception raised. */
static inline bool mem_load(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
    struct tlb_entry *e = tlb_slot(h, ACC_LOAD, va);
    if (LIKELY(e->tag == (va & ~0xfffull) && (va & 0xfff) <= 4096 - size)) {
        uint64_t v = 0;
        memcpy(&v, (void *)(uintptr_t)(va + e->addend), size);
        *val = v;
        return true;
    }
    return mmu_load_slow(h, va, size, val);
}

static inline bool mem_store(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
    struct tlb_entry *e = tlb_slot(h, ACC_STORE, va);
    if (LIKELY(e->tag == (va & ~0xfffull) && (va & 0xfff) <= 4096 - size)) {
        memcpy((void *)(uintptr_t)(va + e->addend), &val, size);
        return true;
    }
    return mmu_store_slow(h, va, size, val);
}

/* Fetches the instruction at va: 16 bits if compressed, else 32 (may cross a page). */
static inline bool mem_fetch(struct hart *h, uint64_t va, uint32_t *insn)
{
    struct tlb_entry *e = tlb_slot(h, ACC_FETCH, va);
    if (LIKELY(e->tag == (va & ~0xfffull) && (va & 0xfff) <= 4092)) {
        uint32_t v;
        memcpy(&v, (void *)(uintptr_t)(va + e->addend), 4);
        *insn = (v & 3) == 3 ? v : (v & 0xffff);
        return true;
    }
    return mmu_fetch_slow(h, va, insn);
}

#endif
