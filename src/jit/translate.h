/* What the pieces of the RISC-V to x86-64 translator share (private to src/jit): the state of
 * one block's translation, out-of-line stubs, and access to guest registers from emitted
 * code. translate.c translates integer, memory and control-flow instructions and drives the
 * block; translate_fp.c the F and D instructions it can do inline. */
#ifndef VISOR_JIT_TRANSLATE_H
#define VISOR_JIT_TRANSLATE_H

#include "jit_priv.h"

#include <stddef.h>

#define HART_OFF(field) ((int32_t)offsetof(struct hart, field))
#define BUDGET RDI
#define JIT_OFF(field) ((int32_t)offsetof(struct jit, field))
static inline struct x86_mem hmem(int32_t off)
{
    return (struct x86_mem){RBP, off};
}
static inline struct x86_mem xmem(unsigned g)
{
    return hmem(HART_OFF(x) + 8 * (int32_t)g);
}

/* An out-of-line piece of code emitted after the body: a slow path or an exit. STUB_REDO
 * (translate_fp.c) runs the instruction through the interpreter's code instead of the inline
 * code that jumped there, which must not have written anything yet; field2 is a second jump
 * to the same stub. */
enum stub_kind { STUB_LOAD, STUB_STORE, STUB_EXC, STUB_AFTER, STUB_EXIT, STUB_REDO };
struct stub {
    uint8_t kind;
    uint8_t size, sign, rs2;
    uint16_t index;      /* instruction index in the block */
    uint64_t pc;         /* STUB_EXIT: the pc to leave with */
    bool chain;          /* STUB_EXIT: the jump that leads here may be patched */
    bool refund;         /* STUB_EXIT: give back the block's budget (taken at entry) */
    uint8_t *field;      /* the rel32 (writable) that jumps to the stub */
    uint8_t *field2;     /* STUB_REDO: another one, or NULL */
    const struct insn *copy; /* STUB_REDO: the decoded instruction the interpreter runs */
    const uint8_t *resume; /* where slow paths continue (executable) */
};

#define MAX_STUBS (JIT_BLOCK_MAX_INSNS * 3 + 4)
struct tctx {
    struct jit *j;
    struct x86 e;
    struct block *b;
    uint64_t pc;       /* the instruction being translated */
    unsigned index, n; /* its index; the block's instruction count */
    const struct insn *copy; /* its decoded copy for calls of the interpreter's code (F/D) */
    struct stub stubs[MAX_STUBS];
    unsigned nstubs;
};

struct stub *tr_add_stub(struct tctx *t, enum stub_kind kind, uint8_t *field);
/* host = x[g] / x[g] = host (x0 reads 0 and ignores writes). */
void tr_get(struct tctx *t, unsigned host, unsigned g);
void tr_put(struct tctx *t, unsigned g, unsigned host);
/* host = host op x[g] */
void tr_alu_g(struct tctx *t, bool w, enum x86_alu op, unsigned host, unsigned g);
/* Around calls to C: every hot register (all, for callees that read or write guest
 * registers) or only the ones a call clobbers; the budget register always. */
void tr_spill_hot(struct tctx *t, bool all);
void tr_reload_hot(struct tctx *t, bool all);
/* The host register holding x[g]: its own if hot, else scratch loaded with it. */
unsigned tr_src(struct tctx *t, unsigned g, unsigned scratch);
/* Where to compute x[g]: its own host register if hot, else scratch; then tr_commit. */
unsigned tr_dst(unsigned g, unsigned scratch);
void tr_commit(struct tctx *t, unsigned g, unsigned reg);
/* reg = x[g] unless reg already is g's register. */
void tr_move_in(struct tctx *t, unsigned reg, unsigned g);
/* rsi = x[rs1] + imm, a load's or store's address. */
void tr_emit_addr(struct tctx *t, const struct insn *in);
/* The inline TLB check of rsi for acc and size (uses rax, rcx; keeps rdx). On a hit rsi
 * becomes the host address; a miss jumps to the returned stub of kind k (STUB_LOAD: the
 * value comes back in rax; STUB_STORE: rdx is the value), whose resume the caller sets. */
struct stub *tr_tlb_lookup(struct tctx *t, enum access acc, unsigned size, enum stub_kind k);

/* translate_fp.c: emits F/D instruction in inline when it can; false leaves it to a call of
 * the interpreter's code. */
bool translate_fp(struct tctx *t, const struct insn *in);

#endif
