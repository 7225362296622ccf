/* One RISC-V RV64GC hart: its architectural state and the interface the rest of visor uses
 * to run it. The struct is deliberately public and flat (STYLE rule 2's one exception): the
 * translator will read it at fixed offsets, so fields are plain integers, documented here. */
#ifndef VISOR_CPU_H
#define VISOR_CPU_H

#include "../base/base.h"
#include "../mem/mem.h"

#include <stdatomic.h>

enum priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

/* mip/mie bits */
enum {
    IRQ_SSI = 1, IRQ_MSI = 3, IRQ_STI = 5, IRQ_MTI = 7, IRQ_SEI = 9, IRQ_MEI = 11,
};

/* Synchronous exception causes */
enum {
    EXC_INSN_MISALIGNED = 0, EXC_INSN_ACCESS = 1, EXC_ILLEGAL = 2, EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4, EXC_LOAD_ACCESS = 5, EXC_STORE_MISALIGNED = 6, EXC_STORE_ACCESS = 7,
    EXC_ECALL_U = 8, EXC_ECALL_S = 9, EXC_ECALL_M = 11, EXC_INSN_PAGE = 12, EXC_LOAD_PAGE = 13,
    EXC_STORE_PAGE = 15,
};

enum access { ACC_FETCH = 0, ACC_LOAD = 1, ACC_STORE = 2 };

#define PMP_COUNT 16
#define TLB_SIZE 256 /* entries per access kind, direct-mapped by virtual page number */

/* Each privilege level has its own TLB (three, one per access kind), so traps and returns need
 * no flush: the entries of a level stay valid while it is not running. Entries depend on satp,
 * PMP, MPRV/MPP, SUM and MXR, whose writers flush every level (hart_tlb_flush).
 *
 * A TLB entry maps one guest virtual page to host RAM: host = va + addend. tag is the
 * virtual page's address (va with the low 12 bits clear), or TLB_INVALID, whose low bits are
 * set so that no page address matches it: the translator's inline check compares
 * va & (~0xfff | (size - 1)) with the tag, so a misaligned access misses too. Only RAM pages whose whole 4 KiB PMP and PTE
 * permission allow the access kind are entered; MMIO never is. */
#define TLB_INVALID UINT64_MAX
struct tlb_entry {
    uint64_t tag;
    uintptr_t addend;
};

struct hart {
    uint64_t x[32];
    uint64_t f[32]; /* NaN-boxed: single-precision values have the upper 32 bits all ones */
    uint64_t pc;
    uint8_t priv; /* enum priv */

    /* Machine CSRs (mstatus holds sstatus's bits too; sstatus is a view) */
    uint64_t mstatus, misa, medeleg, mideleg, mie, mtvec, mscratch, mepc, mcause, mtval;
    uint64_t mcounteren, mcountinhibit, menvcfg, mcycle, minstret;
    _Atomic uint64_t mip; /* devices set/clear bits from other threads */
    uint64_t mhartid;
    /* Supervisor CSRs */
    uint64_t stvec, sscratch, sepc, scause, stval, satp, scounteren, senvcfg, stimecmp;
    uint32_t fflags, frm;
    uint8_t pmpcfg[PMP_COUNT];
    uint64_t pmpaddr[PMP_COUNT];

    /* LR/SC reservation: the virtual address LR read and the value it read there (SC
     * succeeds only by compare-and-swap against that value; see interp.c), valid flag */
    uint64_t resv_addr;
    uint64_t resv_value;
    bool resv_valid;

    /* Set when an instruction faults: the trap the run loop takes next. */
    bool exc_pending;
    uint64_t exc_cause, exc_tval;

    bool wfi;         /* sleeping in WFI until an interrupt is pending */
    /* Asked to leave hart_run early (machine exit, pause); set from other threads, so
     * hart_run reads it with a relaxed atomic load at every instruction boundary. */
    bool stop;
    /* Set (to 1) whenever an mip bit rises or translated code must be left (its page was
     * written); translated code tests stop and this byte together as one 16-bit word at each
     * block entry, so they must stay adjacent. The translator's dispatcher clears it. */
    _Atomic uint8_t exit_note;

    /* Debugging (see "Debugging" below). Only while debug is set does hart_run take its
     * checking loop; the owner (src/vm) sets it between slices. */
    bool debug;
    bool dbg_step;         /* run one instruction (interrupts masked), then HART_EV_STEP */
    bool dbg_skip_break;   /* ignore a breakpoint at pc for the first instruction run */
    bool dbg_block_start;  /* tracing: the next instruction starts a block */
    bool dbg_printing;     /* tracing: in_asm is printing the current block */
    uint8_t dbg_event;     /* enum hart_event: why the last hart_run returned */
    uint8_t dbg_watch_kind; /* HART_WATCH_* of the watchpoint hit */
    uint64_t dbg_watch_addr; /* the data address that hit it */
    const struct hart_debug *dbg; /* breakpoints, watchpoints, tracing; NULL for none */

    struct tlb_entry tlb[4][3][TLB_SIZE]; /* indexed by enum priv, then enum access */
    /* Beside each entry, the level of the leaf PTE it came from (0: a 4 KiB page), so that
     * sfence.vma of one address also drops the entries of a superpage around it. */
    uint8_t tlb_level[4][3][TLB_SIZE];
    /* The span [lo, last] of virtual addresses that entries of that TLB from superpages may
     * cover: sfence.vma of an address outside it need not look for them (empty: lo > last). */
    uint64_t tlb_super_lo[4][3], tlb_super_last[4][3];
    uint8_t walk_level; /* the leaf level of the last page walk (0 when bare) */
    /* Bumped whenever translated code is invalidated or dropped: the translator's jump
     * cache entries are valid only for the tlb_gen they were made in. */
    uint64_t tlb_gen;
    uint64_t jit_ctx; /* tlb_gen << 7 | block key while translated code runs (jump cache tag) */
    /* The translator (src/jit), NULL when the hart only interprets; the instructions the
     * current jit_run may still retire. */
    struct jit *jit;
    int64_t jit_budget;
    /* The interpreter's predecoded pages (src/cpu/predecode.h), made on first use. */
    struct predecode *pd;
    struct bus *bus;
    /* The time CSR's source (the CLINT's mtime), so time and mtime agree. */
    uint64_t (*read_time)(void *ctx);
    void *time_ctx;
    /* Called by hart_set_irq, on the raising thread, whenever an mip bit rises: the owner
     * wakes the hart's thread if it sleeps in WFI. NULL: nobody sleeps. */
    void (*wake)(void *ctx);
    void *wake_ctx;
};

void hart_init(struct hart *h, unsigned hartid, struct bus *bus);
/* Frees what running the hart allocated (the interpreter's predecoded pages). */
void hart_free(struct hart *h);
/* Architectural reset: M-mode, pc, mstatus etc. as after power-on. */
void hart_reset(struct hart *h, uint64_t pc);
/* Executes up to budget instructions; returns how many ran. Returns early on WFI with no
 * interrupt pending (h->wfi set) or when h->stop is set. */
uint64_t hart_run(struct hart *h, uint64_t budget);
/* Level-triggered interrupt inputs into mip (MSIP, MTIP, MEIP, SEIP); safe from any thread.
 * A rising bit calls h->wake. */
void hart_set_irq(struct hart *h, unsigned bit, bool level);
/* irq_line callback form of hart_set_irq: ctx is the hart, n the mip bit. */
void hart_irq_line(void *ctx, unsigned n, bool level);
/* True if an enabled interrupt is pending, ignoring global enables (what wakes WFI). */
bool hart_irq_wakeup(const struct hart *h);
void hart_tlb_flush(struct hart *h);
/* sfence.vma with an address: the entries for va's page, and those of any superpage
 * holding va. */
void hart_tlb_flush_page(struct hart *h, uint64_t va);
/* Flushes the load and store TLBs only: for changes of MPRV/MPP, SUM and MXR, which decide
 * data accesses but never fetches (so the translator's jump cache stays valid). */
void hart_tlb_flush_data(struct hart *h);
/* mstatus changed from old: drops just the entries the change of MPRV/MPP, SUM or MXR may
 * have made too permissive (a permission that grows needs no flush: missing entries refill). */
void hart_tlb_status_changed(struct hart *h, uint64_t old);
/* The time (in timebase ticks) at which the hart's own Sstc timer fires, or UINT64_MAX when
 * stimecmp is not in use; the run loop sleeps no longer than this. */
uint64_t hart_timer_deadline(const struct hart *h);


/* ---- Debugging: the gdb stub, the monitor and -d tracing (debug.c) ----
 * Breakpoints compare the pc before an instruction runs (no guest memory is patched, so they
 * work in ROM and in every address space at once); watchpoints compare the virtual address of
 * each load, store and AMO and stop after the access, as gdb expects of a data breakpoint. */
#define HART_MAX_BREAKPOINTS 64
#define HART_MAX_WATCHPOINTS 16
enum hart_watch { HART_WATCH_WRITE = 1, HART_WATCH_READ = 2, HART_WATCH_ACCESS = 3 };
enum hart_event { HART_EV_NONE, HART_EV_BREAK, HART_EV_WATCH, HART_EV_STEP };
struct hart_breakpoint {
    uint64_t addr;
    bool hw; /* inserted as a hardware breakpoint (reported as such) */
};
struct hart_watchpoint {
    uint64_t addr, len;
    uint8_t kind; /* enum hart_watch */
};
/* Shared by every hart of a machine: gdb's breakpoints are global. */
struct hart_debug {
    unsigned nbreak, nwatch;
    struct hart_breakpoint breaks[HART_MAX_BREAKPOINTS];
    struct hart_watchpoint watches[HART_MAX_WATCHPOINTS];
    uint32_t trace; /* the per-instruction TRACE_* items (in_asm, exec, cpu) */
};
/* The instruction-level trace items, which need the checking loop. */
#define HART_TRACE_ITEMS (TRACE_IN_ASM | TRACE_EXEC | TRACE_CPU)

/* Register access for debuggers: no privilege checks; writes follow each CSR's WARL rules.
 * hart_csr_name is NULL for a CSR the hart does not implement. */
const char *hart_csr_name(unsigned csr);
uint64_t hart_csr_read(struct hart *h, unsigned csr);
void hart_csr_write(struct hart *h, unsigned csr, uint64_t val);
/* Translates va as the hart's current privilege and satp would, without permission checks,
 * A/D updates, faults or TLB changes. Returns 0 or -ERR_NOTFOUND (no mapping). */
MUST_CHECK int hart_debug_translate(struct hart *h, uint64_t va, uint64_t *pa);
/* Debugger memory access through the current translation (phys false) or physically. RAM is
 * copied; MMIO is accessed through the bus like a guest access (device side effects
 * included). Returns the number of bytes transferred before the first unmapped byte. */
size_t hart_debug_read(struct hart *h, uint64_t addr, void *buf, size_t len, bool phys);
size_t hart_debug_write(struct hart *h, uint64_t addr, const void *buf, size_t len, bool phys);
/* The hart's state as QEMU's "info registers" prints it; returns snprintf's count. */
int hart_dump_state(struct hart *h, char *buf, size_t size);

/* ---- The decoder (shared by the interpreter, and later the translator and disassembler) ---- */

enum op {
#define I(name, mask, match, fmt) OP_##name,
#define C(name, mask, match, fmt, target)
#include "insn.def"
#undef I
#undef C
    OP_ILLEGAL,
    OP_COUNT
};

/* Row numbers of insn.def (both I and C rows), for coverage and disassembly. */
enum insn_row {
#define I(name, mask, match, fmt) ROW_##name,
#define C(name, mask, match, fmt, target) ROW_##name,
#include "insn.def"
#undef I
#undef C
    ROW_ILLEGAL,
    ROW_COUNT
};

/* A decoded instruction. Compressed forms are expanded: op is the 32-bit operation, row the
 * table row that matched, len 2 or 4. imm is sign-extended where the format says so; for CSR
 * instructions it is the CSR number; for F_RM/F_R4 rm holds the rounding-mode field. */
struct insn {
    uint16_t op;
    uint16_t row;
    uint8_t rd, rs1, rs2, rs3;
    uint8_t rm;
    uint8_t len;
    int64_t imm;
    uint32_t raw;
};

/* Decodes raw (16 or 32 bits, as fetched). An illegal or reserved encoding gives
 * op == OP_ILLEGAL. */
void insn_decode(uint32_t raw, struct insn *in);
const char *insn_row_name(unsigned row);
/* Whether any instruction of this row has been decoded in this process (coverage). */
bool insn_row_seen(unsigned row);
/* Writes the instruction's disassembly as objdump -M no-aliases prints it (mnemonic, a tab,
 * operands), e.g. "c.addi\ta0,1" or "beq\ta0,a1,0x80000010" (pc-relative targets resolved
 * against pc). Returns the length written, truncating to size. */
int insn_disasm(const struct insn *in, uint64_t pc, char *buf, size_t size);
/* The ABI names of the integer and floating-point registers ("zero", "ra", …, "ft0", …). */
extern const char *const insn_xreg_name[32];
extern const char *const insn_freg_name[32];

#endif
