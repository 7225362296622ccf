/* The differential test of the interpreter against the translator (tests/diff/).
 *
 * A program is a random block of RV64GC instructions plus the world it runs in: a fixed trap
 * handler, Sv39 page tables, data pages of mixed permissions and a random initial hart state.
 * Two machines (a bus and a hart each) load the same program; the reference interpreter steps
 * one instruction at a time (so coverage is exact) while the engine under test runs chunks of
 * random size; after each chunk registers, CSRs and all of RAM must be equal. A divergence is
 * narrowed by replaying the program: the smallest budget at which the states part, and the
 * instructions before it with the likely culprits marked.
 *
 * Example: `build/release/tests/diff/diff --seed 7 --time 5` runs programs 0, 1, 2, ... of
 * seed 7 for five seconds; `--seed 7 --program 1234 -v` replays one program with its trace.
 *
 * Invariants the generator keeps so that every program ends and stays inside its world:
 *   - x2 (sp), x4, x8, x9 are data base registers and x3 the code-alias distance; x30 is the
 *     trap log pointer and x31 the handlers' scratch. Random instructions never write them;
 *     units that move a base (c.addi16sp pairs, base moves) move it back before they end.
 *   - Stores land only where the generator means them to: data regions, the page tables
 *     (edits, then flushes), and whole valid instructions over code. So no engine ever runs
 *     a garbage instruction or a stale TLB entry, where the two could legitimately differ.
 *     run.c checks the registers' part of this at each program's end.
 *   - Branches and jumps go forward, except the bounded loops of loop units, so every path
 *     reaches the end slot, `jalr x0, 0(x0)`, whose fetch fault ends the program.
 *   - CSRs that steer traps (mtvec, stvec, medeleg, mideleg, PMP) are only read; mstatus,
 *     mie/mip and satp are written with values chosen per register.
 *   - The time CSR is a constant per program, so no CSR depends on the host's clock. */
#ifndef VISOR_DIFF_H
#define VISOR_DIFF_H

#include "cpu/cpu.h"

#include <stdio.h>

/* ---- The world's physical layout (identity-mapped by the page tables, plus the code's
 * alias and the remap units' switching of code pages to their shadows) ---- */
#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x40000ull /* 256 KiB: all of it is compared after every chunk */
#define PAGE 4096ull
#define HANDLER_PA (RAM_BASE + 0x0000) /* trap vectors and handlers (handlers.c) */
#define LOG_PA (RAM_BASE + 0x1000)     /* the handlers' trap log: 128 records of 32 bytes */
/* Page tables (root, L1, L0 of roots A and B), far from every base register and from the
 * log, so that only the generator's PTE-edit units (which then flush) ever write them. */
#define PT_PA (RAM_BASE + 0x34000)
#define CODE_PA (RAM_BASE + 0x10000) /* the random block */
#define CODE_PAGES 4
#define CODE_SIZE (CODE_PAGES * PAGE)
/* Shadow code: a copy of the code pages differing only in some one-instruction units, which
 * the generator's remap units map in place of the originals (and back). */
#define SHADOW_PA (CODE_PA + CODE_SIZE)
#define DATA_PA (RAM_BASE + 0x20000) /* data region i: two pages at DATA_PA + i * 0x4000 */
#define NDATA 4
#define DATA_STRIDE 0x4000ull
#define ALIAS_VA (RAM_BASE + 0x100000) /* a writable second mapping of the code pages */

/* Offsets in the handler page, fixed so that the run loop can recognise the end. */
#define MVEC_OFF 0x000 /* mtvec: 16 vector entries, all `j mexc` */
#define MEXC_OFF 0x100
#define MEND_OFF 0x300 /* the end: mie = 0, then wfi forever */
#define SVEC_OFF 0x400
#define SEXC_OFF 0x500

/* Registers the generator reserves (see the invariants above). */
enum {
    REG_SP = 2,
    REG_ALIAS = 3,
    REG_EDGE = 4,
    REG_B1 = 8,
    REG_B2 = 9,
    REG_LOG = 30,
    REG_TMP = 31
};
#define RESERVED_REGS                                                                              \
    ((1u << REG_SP) | (1u << REG_ALIAS) | (1u << REG_EDGE) | (1u << REG_B1) | (1u << REG_B2) |     \
     (1u << REG_LOG) | (1u << REG_TMP) | 1u)

/* ---- rng.c: a small deterministic generator (splitmix64) ---- */
struct rng {
    uint64_t s;
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n); /* 0 <= v < n (n > 0) */
bool rng_pct(struct rng *r, unsigned percent);
/* A value that often sits on an edge: 0, ±1, extremes, small, sign boundaries, or random. */
uint64_t rng_interesting(struct rng *r);

/* ---- A program: memory image, initial state and what the generator knows about it ---- */
struct arch_state {
    uint64_t x[32], f[32], pc;
    uint8_t priv;
    uint64_t mstatus, medeleg, mideleg, mie, mip, mtvec, stvec, satp;
    uint64_t menvcfg, senvcfg, stimecmp, mcounteren, scounteren, mcountinhibit;
    uint64_t mcycle, minstret, mscratch, sscratch, mepc, sepc, mcause, mtval, scause, stval;
    uint32_t fflags, frm;
    uint8_t pmpcfg[PMP_COUNT];
    uint64_t pmpaddr[PMP_COUNT];
};

struct prog {
    uint64_t seed, index;
    uint8_t *ram; /* RAM_SIZE bytes */
    struct arch_state init;
    uint64_t time;   /* what the time CSR reads */
    uint64_t budget; /* instructions at most */
    /* For the generator: */
    uint64_t satp_a, satp_b;
    uint64_t l0_a, l0_b;              /* physical addresses of the two L0 tables */
    uint64_t code_pte[2][CODE_PAGES]; /* the code pages' leaves in L0 A and L0 B */
    bool pt_mapped;                   /* S-mode may write the page tables */
    bool delegating;                  /* medeleg or mideleg nonzero: TSR must stay clear */
    unsigned nslots;                  /* 4-byte slots of code, the end slot included */
};

/* world.c: fills everything but the code: handlers, page tables, data, initial state. */
void world_build(struct prog *p, struct rng *r);
/* handlers.c: the M and S trap handlers into the handler page. */
void world_handlers(struct prog *p);

/* asm.c: a minimal assembler for the handlers and the generator's fixed sequences. */
uint32_t asm_r(uint32_t opc, unsigned f3, unsigned f7, unsigned rd, unsigned rs1, unsigned rs2);
uint32_t asm_i(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1, int64_t imm);
uint32_t asm_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int64_t imm);
uint32_t asm_b(unsigned f3, unsigned rs1, unsigned rs2, int64_t off);
uint32_t asm_u(uint32_t opc, unsigned rd, uint32_t imm20);
uint32_t asm_j(unsigned rd, int64_t off);
uint32_t asm_csr(unsigned f3, unsigned rd, unsigned csr, unsigned rs1);
/* Re-encodes the immediate of an already assembled instruction of each format. */
uint32_t asm_set_i(uint32_t raw, int64_t imm);
uint32_t asm_set_s(uint32_t raw, int64_t imm);
uint32_t asm_set_b(uint32_t raw, int64_t off);
uint32_t asm_set_j(uint32_t raw, int64_t off);
uint32_t asm_set_cb(uint32_t raw, int64_t off);
uint32_t asm_set_cj(uint32_t raw, int64_t off);
/* `li rd, v` as lui/addi(w)/slli steps; returns the count written to out (at most 8). */
unsigned asm_li(uint32_t *out, unsigned rd, uint64_t v);
/* Common encodings. */
#define OPC_LOAD 0x03
#define OPC_IMM 0x13
#define OPC_AUIPC 0x17
#define OPC_IMM32 0x1b
#define OPC_STORE 0x23
#define OPC_OP 0x33
#define OPC_LUI 0x37
#define OPC_BRANCH 0x63
#define OPC_JALR 0x67
#define OPC_SYSTEM 0x73
#define INSN_MRET 0x30200073u
#define INSN_SRET 0x10200073u
#define INSN_WFI 0x10500073u
#define INSN_FENCE_I 0x0000100fu
#define INSN_SFENCE 0x12000073u
#define C_NOP 0x0001u

/* rows.c: one random instruction of an insn.def row, under the generator's register rules. */
struct row_info {
    const char *name;
    uint32_t mask, match;
    bool compressed;
};
extern const struct row_info diff_rows[ROW_ILLEGAL];
/* Rows the generic generator emits on their own (the rest need a unit in gen.c). */
bool row_is_generic(unsigned row);
/* A random instruction of row with rd (when it writes an x register) in writable and, for a
 * load or store, a base register as rs1. Returns false if none was found (never expected). */
bool row_random(struct rng *r, unsigned row, uint32_t writable, uint32_t *raw);
/* Random register fields with no constraint other than the row's own (for branches, AMOs). */
uint32_t row_random_raw(struct rng *r, unsigned row);

/* gen.c (with gen_flow.c, gen_mem.c, gen_priv.c): the random block in the code pages. */
void gen_code(struct prog *p, struct rng *r);

/* machine.c: one bus and hart running an engine. */
struct machine {
    struct bus bus;
    struct hart hart;
    bool jit, attached;
    int mutant_row; /* >= 0: a planted bug, to check that the harness catches one */
    uint64_t time;
    const char *name;
};
void machine_init(struct machine *m, const char *name, bool jit);
/* hart_run, or for a mutant the interpreter with its planted bug. */
uint64_t machine_run(struct machine *m, uint64_t budget);
void machine_free(struct machine *m);
/* Resets the machine to the program's initial state (a fresh translator when jit). */
void machine_load(struct machine *m, const struct prog *p);
/* Folds the translator's counters into the totals (no-op for the interpreter). */
void machine_add_stats(struct machine *m);
void machine_print_jit_stats(FILE *f);

/* compare.c: architectural state comparison. */
/* True if the two harts and their RAM agree; else prints up to a dozen differences to f
 * (when f is not NULL) and, when xs and fs are not NULL, sets there the bits of the x and f
 * registers that differ. */
bool compare_machines(struct machine *a, struct machine *b, FILE *f, uint32_t *xs, uint32_t *fs);

/* run.c: one program under both engines. */
struct run_stats {
    uint64_t insns;               /* instructions the reference retired or trapped on */
    uint64_t insns_priv[4];       /* ... per privilege level at the instruction */
    uint64_t row_hits[ROW_COUNT]; /* executed instructions per insn.def row (code pages only) */
    uint64_t ended, chunks;       /* programs that reached the end; chunks compared */
    uint64_t broken;              /* programs that ended with a reserved register changed */
};
/* Runs p on ref (stepped) and test (in chunks from chunk_rng); true if they agree throughout.
 * On a divergence prints the first differing instruction to f. verbose prints a trace. */
bool run_prog(const struct prog *p, struct machine *ref, struct machine *test, uint64_t chunk_seed,
              struct run_stats *st, bool verbose, FILE *f);

#endif
