/* RISC-V to x86-64: one pass over a block's decoded instructions, each turned into a few host
 * instructions with rbp pointing at the hart. Integer, multiply, load/store, branch and jump
 * instructions are translated inline; division, F/D and A go through calls to C (the
 * interpreter's own code for F/D/A, so results are bit-exact by construction); CSR and system
 * instructions end the block and are interpreted. Slow paths (TLB misses, faults, exits) are
 * emitted out of line after the block body.
 *
 * Register convention inside translated code: rbp = struct hart *, rdi = the hart's remaining
 * budget (h->jit_budget, stored back on exit and around calls), the hot guest registers below
 * in their host registers; rax, rcx, rdx, rsi are scratch. */
#include "translate.h"

#include <stddef.h>

/* Guest registers kept in host registers for the whole time translated code runs: ra, sp,
 * s0, s1 and a0-a5, the registers GCC's code uses most. The first five host registers are
 * callee-saved, so C calls keep them; the last four are not, and are saved around calls. */
static const struct {
    uint8_t guest, host;
} hot_regs[] = {{2, RBX}, {10, R12}, {11, R13}, {14, R14}, {15, R15},
                {8, R8},  {12, R9},  {13, R10}, {1, R11}};
#define NHOT (sizeof(hot_regs) / sizeof(hot_regs[0]))
#define NHOT_SAVED 5 /* hot_regs[0..5) survive calls */

static const int8_t host_of_guest[32] = {
    -1, R11, RBX, -1, -1, -1, -1, -1, R8, -1, R12, R13, R9, R10, R14, R15,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static int host_of(unsigned g)
{
    return host_of_guest[g];
}

struct stub *tr_add_stub(struct tctx *t, enum stub_kind kind, uint8_t *field)
{
    struct stub *s = &t->stubs[t->nstubs++];
    memset(s, 0, sizeof(*s));
    s->kind = (uint8_t)kind;
    s->index = (uint16_t)t->index;
    s->field = field;
    return s;
}

/* ---- guest register access ---- */

void tr_get(struct tctx *t, unsigned host, unsigned g)
{
    int hr = host_of(g);
    if (g == 0)
        x86_mov_imm(&t->e, host, 0);
    else if (hr >= 0)
        x86_mov_rr(&t->e, true, host, (unsigned)hr);
    else
        x86_load(&t->e, true, host, xmem(g));
}

void tr_put(struct tctx *t, unsigned g, unsigned host)
{
    int hr = host_of(g);
    if (g == 0)
        return;
    if (hr >= 0)
        x86_mov_rr(&t->e, true, (unsigned)hr, host);
    else
        x86_store(&t->e, true, xmem(g), host);
}

/* host = host op x[g] */
void tr_alu_g(struct tctx *t, bool w, enum x86_alu op, unsigned host, unsigned g)
{
    int hr = host_of(g);
    if (g == 0)
        x86_alu_ri(&t->e, w, op, host, 0);
    else if (hr >= 0)
        x86_alu_rr(&t->e, w, op, host, (unsigned)hr);
    else
        x86_alu_rm(&t->e, w, op, host, xmem(g));
}

/* Around calls to C: all hot registers when the callee reads or writes guest registers
 * (the interpreter's code), else only those a call clobbers. */
void tr_spill_hot(struct tctx *t, bool all)
{
    for (unsigned i = all ? 0 : NHOT_SAVED; i < NHOT; i++)
        x86_store(&t->e, true, xmem(hot_regs[i].guest), hot_regs[i].host);
    x86_store(&t->e, true, hmem(HART_OFF(jit_budget)), BUDGET);
}

void tr_reload_hot(struct tctx *t, bool all)
{
    for (unsigned i = all ? 0 : NHOT_SAVED; i < NHOT; i++)
        x86_load(&t->e, true, hot_regs[i].host, xmem(hot_regs[i].guest));
    x86_load(&t->e, true, BUDGET, hmem(HART_OFF(jit_budget)));
}

/* The host register holding x[g]: its own if hot, else scratch loaded with it. */
unsigned tr_src(struct tctx *t, unsigned g, unsigned scratch)
{
    int hr = host_of(g);
    if (g && hr >= 0)
        return (unsigned)hr;
    tr_get(t, scratch, g);
    return scratch;
}

/* Where to compute x[g]: its own host register if hot, else scratch (then commit). */
unsigned tr_dst(unsigned g, unsigned scratch)
{
    int hr = host_of(g);
    return hr >= 0 ? (unsigned)hr : scratch;
}

void tr_commit(struct tctx *t, unsigned g, unsigned reg)
{
    if (host_of(g) < 0)
        tr_put(t, g, reg);
}

/* reg = x[g] unless reg already is g's register. */
void tr_move_in(struct tctx *t, unsigned reg, unsigned g)
{
    if (!(g && host_of(g) == (int)reg))
        tr_get(t, reg, g);
}

/* ---- trampolines ---- */

static uint64_t helper_exec(struct hart *h, const struct insn *in);

void translate_trampolines(struct jit *j)
{
    struct x86 e = {.p = j->mem.write, .end = j->mem.write + 1024, .to_exec = j->mem.to_exec};
    /* uint64_t enter(struct hart *h, const uint8_t *code) */
    j->enter = (uint64_t(*)(struct hart *, const uint8_t *))(void *)x86_exec(&e);
    static const uint8_t saved[] = {RBP, RBX, R12, R13, R14, R15};
    for (unsigned i = 0; i < sizeof(saved); i++)
        x86_push(&e, saved[i]);
    x86_alu_ri(&e, true, ALU_SUB, RSP, 8); /* keep rsp 16-byte aligned at helper calls */
    x86_mov_rr(&e, true, RBP, RDI);
    x86_load(&e, true, BUDGET, hmem(HART_OFF(jit_budget)));
    for (unsigned i = 0; i < NHOT; i++)
        x86_load(&e, true, hot_regs[i].host, xmem(hot_regs[i].guest));
    x86_jmp_r(&e, RSI);
    /* exit: rax is the return value */
    j->exit = x86_exec(&e);
    for (unsigned i = 0; i < NHOT; i++)
        x86_store(&e, true, xmem(hot_regs[i].guest), hot_regs[i].host);
    x86_store(&e, true, hmem(HART_OFF(jit_budget)), BUDGET);
    x86_alu_ri(&e, true, ALU_ADD, RSP, 8);
    for (unsigned i = sizeof(saved); i-- > 0;)
        x86_pop(&e, saved[i]);
    x86_ret(&e);
    /* interp_one (called from STUB_REDO, so rsp is 8 off what C calls want): runs the
     * decoded instruction at rsi through the interpreter's code; eax = it completed. */
    j->interp_one = x86_exec(&e);
    x86_alu_ri(&e, true, ALU_SUB, RSP, 8);
    for (unsigned i = 0; i < NHOT; i++)
        x86_store(&e, true, xmem(hot_regs[i].guest), hot_regs[i].host);
    x86_store(&e, true, hmem(HART_OFF(jit_budget)), BUDGET);
    x86_mov_rr(&e, true, RDI, RBP);
    x86_call_abs(&e, (const void *)helper_exec);
    for (unsigned i = 0; i < NHOT; i++)
        x86_load(&e, true, hot_regs[i].host, xmem(hot_regs[i].guest));
    x86_load(&e, true, BUDGET, hmem(HART_OFF(jit_budget)));
    x86_alu_ri(&e, true, ALU_ADD, RSP, 8);
    x86_ret(&e);
    /* The slow paths of loads (rsi = va, edx = size | 16 if signed; value in rax) and stores
     * (rsi = va, rdx = value, ecx = size), shared by every block: only the host registers a
     * C call clobbers are saved. */
    const void *slow[2] = {(const void *)jit_helper_load, (const void *)jit_helper_store};
    for (unsigned k = 0; k < 2; k++) {
        j->slow_access[k] = x86_exec(&e);
        x86_alu_ri(&e, true, ALU_SUB, RSP, 8);
        for (unsigned i = NHOT_SAVED; i < NHOT; i++)
            x86_store(&e, true, xmem(hot_regs[i].guest), hot_regs[i].host);
        x86_store(&e, true, hmem(HART_OFF(jit_budget)), BUDGET);
        x86_mov_rr(&e, true, RDI, RBP);
        x86_call_abs(&e, slow[k]);
        for (unsigned i = NHOT_SAVED; i < NHOT; i++)
            x86_load(&e, true, hot_regs[i].host, xmem(hot_regs[i].guest));
        x86_load(&e, true, BUDGET, hmem(HART_OFF(jit_budget)));
        x86_alu_ri(&e, true, ALU_ADD, RSP, 8);
        x86_ret(&e);
    }
    j->code_start = (uint64_t)(e.p - j->mem.write + 15) & ~15ull;
}

/* ---- helpers (C, called from translated code) ---- */

uint64_t jit_helper_load(struct hart *h, uint64_t va, unsigned size_sign)
{
    unsigned size = size_sign & 15;
    uint64_t v;
    h->jit->st.tlb_misses++;
    if (!mmu_load_slow(h, va, size, &v))
        return 0;
    return (size_sign & 16) ? sext(v, size * 8) : v;
}

void jit_helper_store(struct hart *h, uint64_t va, uint64_t val, unsigned size)
{
    h->jit->st.tlb_misses++;
    mmu_store_slow(h, va, size, val);
}

/* CSRs whose writes change what blocks are specialised on, when interrupts are taken, or
 * the fetch mapping: after writing one the block must return to the dispatcher. */
static bool csr_write_exits(unsigned csr)
{
    switch (csr) {
    case 0x104: case 0x144: case 0x14d: case 0x10a: case 0x180:  /* sie sip stimecmp senvcfg satp */
    case 0x303: case 0x304: case 0x344: case 0x30a: /* mideleg mie mip menvcfg */
        return true;
    default:
        return csr >= 0x3a0 && csr <= 0x3ef; /* PMP */
    }
}

/* (Returns a full register: translated code tests rax.) */
static uint64_t helper_exec(struct hart *h, const struct insn *in)
{
    h->jit->st.helper_calls++;
    if (in->op < OP_csrrw || in->op > OP_csrrci) {
        bool ok = interp_exec_one(h, in);
        if (in->op == OP_sfence_vma)
            atomic_store(&h->exit_note, 1); /* the code's own mapping may have changed */
        return ok;
    }
    /* mstatus/sstatus: SUM, MXR, MPRV, MPP only change what the TLB holds (the write flushed
     * it); enabling interrupts and FS (a key bit) need the dispatcher. FS and fflags must
     * first take in what the block's F/D instructions did. */
    translate_fp_sync(h);
    uint64_t status = h->mstatus;
    bool ok = interp_exec_one(h, in);
    unsigned csr = (unsigned)in->imm;
    bool wrote = in->op == OP_csrrw || in->op == OP_csrrwi || in->rs1 != 0;
    if (ok && wrote &&
        (csr_write_exits(csr) ||
         ((status ^ h->mstatus) & (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_FS))))
        atomic_store(&h->exit_note, 1);
    return ok;
}

static uint64_t h_div(uint64_t a, uint64_t b)
{
    if (b == 0)
        return UINT64_MAX;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}
static uint64_t h_divu(uint64_t a, uint64_t b)
{
    return b ? a / b : UINT64_MAX;
}
static uint64_t h_rem(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
static uint64_t h_remu(uint64_t a, uint64_t b)
{
    return b ? a % b : a;
}
static uint64_t sx32(uint32_t v)
{
    return (uint64_t)(int64_t)(int32_t)v;
}
static uint64_t h_divw(uint64_t a, uint64_t b)
{
    int32_t x = (int32_t)a, y = (int32_t)b;
    if (y == 0)
        return UINT64_MAX;
    if (x == INT32_MIN && y == -1)
        return sx32((uint32_t)x);
    return sx32((uint32_t)(x / y));
}
static uint64_t h_divuw(uint64_t a, uint64_t b)
{
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return y ? sx32(x / y) : UINT64_MAX;
}
static uint64_t h_remw(uint64_t a, uint64_t b)
{
    int32_t x = (int32_t)a, y = (int32_t)b;
    if (y == 0)
        return sx32((uint32_t)x);
    if (x == INT32_MIN && y == -1)
        return 0;
    return sx32((uint32_t)(x % y));
}
static uint64_t h_remuw(uint64_t a, uint64_t b)
{
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return sx32(y ? x % y : x);
}

/* ---- instruction classes ---- */

static void emit_alu_imm(struct tctx *t, const struct insn *in, enum x86_alu op, bool w)
{
    unsigned d = tr_dst(in->rd, RAX);
    if (w && op == ALU_ADD && in->rs1 != in->rd && host_of(in->rs1) >= 0 && in->rs1) {
        /* addi into another register: one lea */
        x86_lea(&t->e, d, (struct x86_mem){(uint8_t)host_of(in->rs1), (int32_t)in->imm});
    } else {
        if (!w && op == ALU_ADD && !in->imm) {
            /* sext.w */
            x86_movsxd(&t->e, d, tr_src(t, in->rs1, d));
        } else {
            tr_move_in(t, d, in->rs1);
            if (in->imm || !w || op == ALU_AND)
                x86_alu_ri(&t->e, w, op, d, (int32_t)in->imm);
            if (!w)
                x86_movsxd(&t->e, d, d);
        }
    }
    tr_commit(t, in->rd, d);
}

static void emit_alu_reg(struct tctx *t, const struct insn *in, enum x86_alu op, bool w)
{
    unsigned d = tr_dst(in->rd, RAX);
    if (in->rd == in->rs2 && in->rd != in->rs1)
        d = RAX; /* rd is also the second operand: compute aside */
    tr_move_in(t, d, in->rs1);
    tr_alu_g(t, w, op, d, in->rs2);
    if (!w)
        x86_movsxd(&t->e, d, d);
    if (d == RAX)
        tr_put(t, in->rd, RAX);
}

static void emit_set(struct tctx *t, const struct insn *in, enum x86_cc cc, bool imm)
{
    tr_get(t, RAX, in->rs1);
    if (imm)
        x86_alu_ri(&t->e, true, ALU_CMP, RAX, (int32_t)in->imm);
    else
        tr_alu_g(t, true, ALU_CMP, RAX, in->rs2);
    x86_setcc_zx(&t->e, cc, RAX);
    tr_put(t, in->rd, RAX);
}

static void emit_shift_imm(struct tctx *t, const struct insn *in, enum x86_shift op, bool w)
{
    unsigned d = tr_dst(in->rd, RAX);
    tr_move_in(t, d, in->rs1);
    x86_shift_ri(&t->e, w, op, d, (uint8_t)(in->imm & (w ? 63 : 31)));
    if (!w)
        x86_movsxd(&t->e, d, d);
    tr_commit(t, in->rd, d);
}

/* x86 masks the count to 6 bits (5 for 32-bit operands) as RISC-V does. */
static void emit_shift_reg(struct tctx *t, const struct insn *in, enum x86_shift op, bool w)
{
    tr_get(t, RCX, in->rs2);
    tr_get(t, RAX, in->rs1);
    x86_shift_rcl(&t->e, w, op, RAX);
    if (!w)
        x86_movsxd(&t->e, RAX, RAX);
    tr_put(t, in->rd, RAX);
}

static void emit_call2(struct tctx *t, const struct insn *in, uint64_t (*fn)(uint64_t, uint64_t))
{
    tr_spill_hot(t, false);
    tr_get(t, RDI, in->rs1);
    tr_get(t, RSI, in->rs2);
    x86_call_abs(&t->e, (const void *)fn);
    tr_reload_hot(t, false);
    tr_put(t, in->rd, RAX);
}

static void emit_mulh(struct tctx *t, const struct insn *in)
{
    tr_get(t, RCX, in->rs2);
    tr_get(t, RAX, in->rs1);
    x86_mul1(&t->e, RCX, in->op == OP_mulh);
    if (in->op == OP_mulhsu) {
        /* The unsigned high product, less rs2 when rs1 is negative. */
        tr_get(t, RAX, in->rs1);
        x86_shift_ri(&t->e, true, SH_SAR, RAX, 63);
        x86_alu_rr(&t->e, true, ALU_AND, RAX, RCX);
        x86_alu_rr(&t->e, true, ALU_SUB, RDX, RAX);
    }
    tr_put(t, in->rd, RDX);
}

static void emit_mul(struct tctx *t, const struct insn *in, bool w)
{
    tr_get(t, RAX, in->rs1);
    int hr = host_of(in->rs2);
    if (in->rs2 == 0)
        x86_mov_imm(&t->e, RAX, 0);
    else if (hr >= 0)
        x86_imul_rr(&t->e, w, RAX, (unsigned)hr);
    else
        x86_imul_rm(&t->e, w, RAX, xmem(in->rs2));
    if (!w)
        x86_movsxd(&t->e, RAX, RAX);
    tr_put(t, in->rd, RAX);
}

/* The inline TLB check: rsi = va on entry. On a hit rsi becomes the host address; on a miss
 * control goes to a stub (returned) with rsi still va. */
struct stub *tr_tlb_lookup(struct tctx *t, enum access acc, unsigned size, enum stub_kind k)
{
    /* uses rax and rcx; rdx (a store's value) and rsi (the address) are kept */
    struct x86 *e = &t->e;
    int32_t tlb = HART_OFF(tlb) +
                  (int32_t)((KEY_PRIV(t->b->key) * 3 + acc) * TLB_SIZE * sizeof(struct tlb_entry));
    /* rax = ((va >> 12) & 255) * 16, the entry's offset */
    x86_mov_rr(e, true, RAX, RSI);
    x86_shift_ri(e, true, SH_SHR, RAX, 12 - 4);
    x86_alu_ri(e, false, ALU_AND, RAX, (TLB_SIZE - 1) << 4);
    /* rdi = va with the in-page offset cleared except the bits a misaligned access sets */
    x86_mov_rr(e, true, RCX, RSI);
    x86_alu_ri(e, true, ALU_AND, RCX, (int32_t)(~0xfffu | (size - 1)));
    x86_alu_r_sib(e, ALU_CMP, RCX, RBP, RAX, tlb);
    uint8_t *field = x86_jcc(e, CC_NE, x86_exec(e));
    x86_add_r_sib(e, RSI, RBP, RAX, tlb + 8);
    return tr_add_stub(t, k, field);
}

void tr_emit_addr(struct tctx *t, const struct insn *in)
{
    int hr = host_of(in->rs1);
    if (in->rs1 && hr >= 0) {
        x86_lea(&t->e, RSI, (struct x86_mem){(uint8_t)hr, (int32_t)in->imm});
        return;
    }
    tr_get(t, RSI, in->rs1);
    if (in->imm)
        x86_alu_ri(&t->e, true, ALU_ADD, RSI, (int32_t)in->imm);
}

static void emit_load(struct tctx *t, const struct insn *in, unsigned size, bool sign)
{
    tr_emit_addr(t, in);
    struct stub *s = tr_tlb_lookup(t, ACC_LOAD, size, STUB_LOAD);
    x86_load_ext(&t->e, RAX, (struct x86_mem){RSI, 0}, size, sign);
    s->size = (uint8_t)size;
    s->sign = sign;
    s->resume = x86_exec(&t->e);
    tr_put(t, in->rd, RAX);
}

static void emit_store(struct tctx *t, const struct insn *in, unsigned size)
{
    tr_get(t, RDX, in->rs2); /* (a hot register would do, but the slow path wants rdx) */
    tr_emit_addr(t, in);
    struct stub *s = tr_tlb_lookup(t, ACC_STORE, size, STUB_STORE);
    struct x86_mem m = {RSI, 0};
    switch (size) {
    case 1: x86_store8(&t->e, m, RDX); break;
    case 2: x86_store16(&t->e, m, RDX); break;
    case 4: x86_store(&t->e, false, m, RDX); break;
    default: x86_store(&t->e, true, m, RDX);
    }
    s->size = (uint8_t)size;
    s->resume = x86_exec(&t->e);
}

/* An instruction executed by the interpreter's code from inside the block. */
static void emit_helper(struct tctx *t, const struct insn *copy)
{
    x86_mov_imm(&t->e, RSI, (uint64_t)(uintptr_t)copy);
    x86_call(&t->e, t->j->interp_one);
    x86_test_rr(&t->e, false, RAX, RAX);
    tr_add_stub(t, STUB_EXC, x86_jcc(&t->e, CC_E, x86_exec(&t->e)));
    /* An AMO may have written code, or an FP op ... nothing else stops: check as stores do. */
    x86_cmp16_mi0(&t->e, hmem(HART_OFF(stop)));
    tr_add_stub(t, STUB_AFTER, x86_jcc(&t->e, CC_NE, x86_exec(&t->e)));
}

/* Looks up rsi (a virtual pc) in the jump cache and jumps to its block, or leaves the
 * block with pc = rsi when it is not there. */
static void emit_jc_lookup(struct tctx *t)
{
    struct x86 *e = &t->e;
    x86_store(e, true, hmem(HART_OFF(pc)), RSI);
    x86_mov_rr(e, true, RAX, RSI);
    x86_shift_ri(e, true, SH_SHR, RAX, 1);
    x86_alu_ri(e, false, ALU_AND, RAX, JIT_JC_SIZE - 1);
    x86_shift_ri(e, false, SH_SHL, RAX, 5);
    x86_load(e, true, RDX, hmem(HART_OFF(jit)));
    x86_alu_rr(e, true, ALU_ADD, RDX, RAX);
    x86_alu_rm(e, true, ALU_CMP, RSI, (struct x86_mem){RDX, 0});
    uint8_t *miss1 = x86_jcc(e, CC_NE, x86_exec(e));
    x86_load(e, true, RCX, hmem(HART_OFF(jit_ctx)));
    x86_alu_rm(e, true, ALU_CMP, RCX, (struct x86_mem){RDX, 8});
    uint8_t *miss2 = x86_jcc(e, CC_NE, x86_exec(e));
    /* The fetch TLB must still map the page where it did. */
    int32_t ft = HART_OFF(tlb) +
                 (int32_t)((KEY_PRIV(t->b->key) * 3 + ACC_FETCH) * TLB_SIZE * sizeof(struct tlb_entry));
    x86_mov_rr(e, true, RAX, RSI);
    x86_shift_ri(e, true, SH_SHR, RAX, 12 - 4);
    x86_alu_ri(e, false, ALU_AND, RAX, (TLB_SIZE - 1) << 4);
    x86_mov_rr(e, true, RCX, RSI);
    x86_alu_ri(e, true, ALU_AND, RCX, -4096);
    x86_alu_r_sib(e, ALU_CMP, RCX, RBP, RAX, ft);
    uint8_t *miss3 = x86_jcc(e, CC_NE, x86_exec(e));
    x86_load(e, true, RCX, (struct x86_mem){RDX, 24});
    x86_alu_r_sib(e, ALU_CMP, RCX, RBP, RAX, ft + 8);
    uint8_t *miss4 = x86_jcc(e, CC_NE, x86_exec(e));
    x86_load(e, true, RCX, hmem(HART_OFF(jit)));
    x86_alu_mi(e, true, ALU_ADD, (struct x86_mem){RCX, JIT_OFF(st.jc_hits)}, 1);
    x86_jmp_m(e, (struct x86_mem){RDX, 16});
    const uint8_t *miss = x86_exec(e);
    x86_patch_rel32(miss1, e->to_exec, miss);
    x86_patch_rel32(miss2, e->to_exec, miss);
    x86_patch_rel32(miss3, e->to_exec, miss);
    x86_patch_rel32(miss4, e->to_exec, miss);
    x86_load(e, true, RCX, hmem(HART_OFF(jit)));
    x86_alu_mi(e, true, ALU_ADD, (struct x86_mem){RCX, JIT_OFF(st.jc_misses)}, 1);
    x86_mov_imm(e, RAX, 0);
    x86_jmp(e, t->j->exit);
}

/* Leaves the block for target: a patchable jump to an exit stub when the target is on the
 * block's page (so the dispatcher can chain it), else a jump-cache lookup. */
static void emit_goto(struct tctx *t, uint64_t target)
{
    if ((target >> 12) == (t->b->vpc >> 12)) {
        struct stub *s = tr_add_stub(t, STUB_EXIT, x86_jmp(&t->e, x86_exec(&t->e)));
        s->pc = target;
        s->chain = true;
        return;
    }
    x86_mov_imm(&t->e, RSI, target);
    emit_jc_lookup(t);
}

static void emit_jump_indirect(struct tctx *t, const struct insn *in)
{
    tr_get(t, RSI, in->rs1);
    if (in->imm)
        x86_alu_ri(&t->e, true, ALU_ADD, RSI, (int32_t)in->imm);
    x86_alu_ri(&t->e, true, ALU_AND, RSI, -2);
    if (in->rd) {
        x86_mov_imm(&t->e, RAX, t->pc + in->len);
        tr_put(t, in->rd, RAX);
    }
    emit_jc_lookup(t);
}

static void emit_branch(struct tctx *t, const struct insn *in)
{
    static const struct {
        uint16_t op;
        uint8_t cc;
    } conds[] = {{OP_beq, CC_E},  {OP_bne, CC_NE},  {OP_blt, CC_L},
                 {OP_bge, CC_GE}, {OP_bltu, CC_B}, {OP_bgeu, CC_AE}};
    enum x86_cc cc = CC_E;
    for (unsigned i = 0; i < 6; i++)
        if (conds[i].op == in->op)
            cc = conds[i].cc;
    unsigned a = tr_src(t, in->rs1, RAX);
    tr_alu_g(t, true, ALU_CMP, a, in->rs2);
    uint64_t target = t->pc + (uint64_t)in->imm;
    if ((target >> 12) == (t->b->vpc >> 12)) {
        /* The conditional jump itself is the patchable exit. */
        struct stub *s = tr_add_stub(t, STUB_EXIT, x86_jcc(&t->e, cc, x86_exec(&t->e)));
        s->pc = target;
        s->chain = true;
        emit_goto(t, t->pc + in->len);
        return;
    }
    uint8_t *taken = x86_jcc(&t->e, cc, x86_exec(&t->e));
    emit_goto(t, t->pc + in->len);
    x86_patch_rel32(taken, t->e.to_exec, x86_exec(&t->e));
    emit_goto(t, target);
}

/* What the translator does with an instruction. */
enum tclass { T_INLINE, T_HELPER, T_END_JUMP, T_INTERP };

/* May this CSR instruction run inside a block (as a call of the interpreter's code, which
 * leaves the block after writes the dispatcher must see: helper_exec)? Not if it reads what
 * only block exits bring up to date: minstret and mcycle, which the dispatcher counts, and
 * fflags, gathered in MXCSR while translated code runs. */
static bool csr_in_block(const struct insn *in)
{
    unsigned csr = (unsigned)in->imm;
    /* (mcountinhibit too: the dispatcher counts a block's instructions under one setting) */
    return !(csr <= 0x003 || (csr >= 0xb00 && csr <= 0xb1f) || (csr >= 0xc00 && csr <= 0xc1f) ||
             csr == 0x320);
}

static enum tclass classify(const struct insn *in)
{
    switch ((enum op)in->op) {
    case OP_jal: case OP_jalr:
    case OP_beq: case OP_bne: case OP_blt: case OP_bge: case OP_bltu: case OP_bgeu:
        return T_END_JUMP;
    case OP_slliw: case OP_srliw: case OP_sraiw:
        return (in->imm & 32) ? T_INTERP : T_INLINE;
    case OP_csrrw: case OP_csrrs: case OP_csrrc: case OP_csrrwi: case OP_csrrsi: case OP_csrrci:
        return csr_in_block(in) ? T_HELPER : T_INTERP;
    case OP_sfence_vma:
        return T_HELPER;
    case OP_fence_i:
        /* Nothing to do: stores to translated code invalidate it at once, and the store
         * that did so ends its block. */
        return T_INLINE;
    case OP_ecall: case OP_ebreak: case OP_wfi: case OP_mret: case OP_sret:
    case OP_ILLEGAL: case OP_COUNT:
        return T_INTERP;
    case OP_lr_w: case OP_lr_d: case OP_sc_w: case OP_sc_d:
    case OP_amoswap_w: case OP_amoadd_w: case OP_amoxor_w: case OP_amoand_w: case OP_amoor_w:
    case OP_amomin_w: case OP_amomax_w: case OP_amominu_w: case OP_amomaxu_w:
    case OP_amoswap_d: case OP_amoadd_d: case OP_amoxor_d: case OP_amoand_d: case OP_amoor_d:
    case OP_amomin_d: case OP_amomax_d: case OP_amominu_d: case OP_amomaxu_d:
        return T_HELPER;
    default:
        break;
    }
    if (in->op <= OP_remuw)
        return T_INLINE;
    return T_HELPER; /* F and D */
}

static void emit_inline(struct tctx *t, const struct insn *in)
{
    switch ((enum op)in->op) {
    case OP_lui:
        if (in->rd) {
            x86_mov_imm(&t->e, RAX, (uint64_t)in->imm);
            tr_put(t, in->rd, RAX);
        }
        break;
    case OP_auipc:
        if (in->rd) {
            x86_mov_imm(&t->e, RAX, t->pc + (uint64_t)in->imm);
            tr_put(t, in->rd, RAX);
        }
        break;
    case OP_lb: emit_load(t, in, 1, true); break;
    case OP_lh: emit_load(t, in, 2, true); break;
    case OP_lw: emit_load(t, in, 4, true); break;
    case OP_ld: emit_load(t, in, 8, false); break;
    case OP_lbu: emit_load(t, in, 1, false); break;
    case OP_lhu: emit_load(t, in, 2, false); break;
    case OP_lwu: emit_load(t, in, 4, false); break;
    case OP_sb: emit_store(t, in, 1); break;
    case OP_sh: emit_store(t, in, 2); break;
    case OP_sw: emit_store(t, in, 4); break;
    case OP_sd: emit_store(t, in, 8); break;
    case OP_fence: break;
    default:
        break;
    }
    if (!in->rd)
        return; /* everything below only writes rd; x0 ignores it */
    switch ((enum op)in->op) {
    case OP_addi: emit_alu_imm(t, in, ALU_ADD, true); break;
    case OP_slti: emit_set(t, in, CC_L, true); break;
    case OP_sltiu: emit_set(t, in, CC_B, true); break;
    case OP_xori: emit_alu_imm(t, in, ALU_XOR, true); break;
    case OP_ori: emit_alu_imm(t, in, ALU_OR, true); break;
    case OP_andi: emit_alu_imm(t, in, ALU_AND, true); break;
    case OP_slli: emit_shift_imm(t, in, SH_SHL, true); break;
    case OP_srli: emit_shift_imm(t, in, SH_SHR, true); break;
    case OP_srai: emit_shift_imm(t, in, SH_SAR, true); break;
    case OP_add: emit_alu_reg(t, in, ALU_ADD, true); break;
    case OP_sub: emit_alu_reg(t, in, ALU_SUB, true); break;
    case OP_sll: emit_shift_reg(t, in, SH_SHL, true); break;
    case OP_slt: emit_set(t, in, CC_L, false); break;
    case OP_sltu: emit_set(t, in, CC_B, false); break;
    case OP_xor: emit_alu_reg(t, in, ALU_XOR, true); break;
    case OP_srl: emit_shift_reg(t, in, SH_SHR, true); break;
    case OP_sra: emit_shift_reg(t, in, SH_SAR, true); break;
    case OP_or: emit_alu_reg(t, in, ALU_OR, true); break;
    case OP_and: emit_alu_reg(t, in, ALU_AND, true); break;
    case OP_addiw: emit_alu_imm(t, in, ALU_ADD, false); break;
    case OP_slliw: emit_shift_imm(t, in, SH_SHL, false); break;
    case OP_srliw: emit_shift_imm(t, in, SH_SHR, false); break;
    case OP_sraiw: emit_shift_imm(t, in, SH_SAR, false); break;
    case OP_addw: emit_alu_reg(t, in, ALU_ADD, false); break;
    case OP_subw: emit_alu_reg(t, in, ALU_SUB, false); break;
    case OP_sllw: emit_shift_reg(t, in, SH_SHL, false); break;
    case OP_srlw: emit_shift_reg(t, in, SH_SHR, false); break;
    case OP_sraw: emit_shift_reg(t, in, SH_SAR, false); break;
    case OP_mul: emit_mul(t, in, true); break;
    case OP_mulw: emit_mul(t, in, false); break;
    case OP_mulh: case OP_mulhsu: case OP_mulhu: emit_mulh(t, in); break;
    case OP_div: emit_call2(t, in, h_div); break;
    case OP_divu: emit_call2(t, in, h_divu); break;
    case OP_rem: emit_call2(t, in, h_rem); break;
    case OP_remu: emit_call2(t, in, h_remu); break;
    case OP_divw: emit_call2(t, in, h_divw); break;
    case OP_divuw: emit_call2(t, in, h_divuw); break;
    case OP_remw: emit_call2(t, in, h_remw); break;
    case OP_remuw: emit_call2(t, in, h_remuw); break;
    default: break;
    }
}

/* ---- stubs ---- */


/* Leaves the block with the hart at pc, having used [0, used) of the n instructions of
 * budget the entry took: the rest is given back. (The dispatcher counts minstret and mcycle
 * from the budget used, less one for an instruction that raised an exception.) */
static void emit_leave(struct tctx *t, uint64_t pc, unsigned used)
{
    struct x86 *e = &t->e;
    x86_mov_imm(e, RCX, pc);
    x86_store(e, true, hmem(HART_OFF(pc)), RCX);
    if (used < t->n)
        x86_alu_ri(e, true, ALU_ADD, BUDGET, (int32_t)(t->n - used));
    x86_mov_imm(e, RAX, 0);
    x86_jmp(e, t->j->exit);
}

static void emit_stubs(struct tctx *t, const uint64_t *pcs)
{
    struct x86 *e = &t->e;
    const uint8_t *exc_exit[JIT_BLOCK_MAX_INSNS] = {0};
    const uint8_t *after_exit[JIT_BLOCK_MAX_INSNS] = {0};
    /* First the shared exits: an exception at instruction i (it counts against the budget,
     * as the interpreter counts it, but does not retire) and a stop after instruction i. */
    for (unsigned i = 0; i < t->nstubs; i++) {
        const struct stub *s = &t->stubs[i];
        unsigned k = s->index;
        if ((s->kind == STUB_LOAD || s->kind == STUB_STORE || s->kind == STUB_EXC ||
             s->kind == STUB_REDO) &&
            !exc_exit[k]) {
            exc_exit[k] = x86_exec(e);
            emit_leave(t, pcs[k], k + 1);
        }
        if ((s->kind == STUB_STORE || s->kind == STUB_AFTER) && !after_exit[k]) {
            after_exit[k] = x86_exec(e);
            emit_leave(t, pcs[k + 1], k + 1);
        }
    }
    for (unsigned i = 0; i < t->nstubs && !e->overflow; i++) {
        const struct stub *s = &t->stubs[i];
        unsigned k = s->index;
        switch (s->kind) {
        case STUB_EXC:
            x86_patch_rel32(s->field, e->to_exec, exc_exit[k]);
            continue;
        case STUB_AFTER:
            x86_patch_rel32(s->field, e->to_exec, after_exit[k]);
            continue;
        default:
            break;
        }
        x86_patch_rel32(s->field, e->to_exec, x86_exec(e));
        switch (s->kind) {
        case STUB_LOAD: /* rsi = va; the value comes back in rax */
            x86_mov_imm(e, RDX, (uint64_t)(s->size | (s->sign ? 16 : 0)));
            x86_call(e, t->j->slow_access[0]);
            x86_cmp8_mi0(e, hmem(HART_OFF(exc_pending)));
            x86_jcc(e, CC_NE, exc_exit[k]);
            x86_jmp(e, s->resume);
            break;
        case STUB_STORE: /* rsi = va, rdx = value */
            x86_mov_imm(e, RCX, s->size);
            x86_call(e, t->j->slow_access[1]);
            x86_cmp8_mi0(e, hmem(HART_OFF(exc_pending)));
            x86_jcc(e, CC_NE, exc_exit[k]);
            /* The store may have hit this block's own code (or stopped the machine). */
            x86_cmp16_mi0(e, hmem(HART_OFF(stop)));
            x86_jcc(e, CC_NE, after_exit[k]);
            x86_jmp(e, s->resume);
            break;
        case STUB_EXIT:
            if (s->refund)
                x86_alu_ri(e, true, ALU_ADD, BUDGET, (int32_t)t->n);
            x86_mov_imm(e, RCX, s->pc);
            x86_store(e, true, hmem(HART_OFF(pc)), RCX);
            if (s->chain)
                x86_lea_rip(e, RAX, s->field + e->to_exec);
            else
                x86_mov_imm(e, RAX, 0);
            x86_jmp(e, t->j->exit);
            break;
        case STUB_REDO: /* F/D registers only: no stores, so no stop check */
            if (s->field2)
                x86_patch_rel32(s->field2, e->to_exec, x86_exec(e));
            x86_mov_imm(e, RSI, (uint64_t)(uintptr_t)s->copy);
            x86_call(e, t->j->interp_one);
            x86_test_rr(e, false, RAX, RAX);
            x86_jcc(e, CC_E, exc_exit[k]);
            x86_jmp(e, s->resume);
            break;
        default:
            break;
        }
    }
}

static uint32_t fetch_raw(const uint8_t *page, unsigned off, bool *crosses)
{
    uint16_t lo;
    memcpy(&lo, page + off, 2);
    *crosses = false;
    if ((lo & 3) != 3)
        return lo;
    if (off > 4092) {
        *crosses = true;
        return 0;
    }
    uint32_t v;
    memcpy(&v, page + off, 4);
    return v;
}

bool translate_block(struct jit *j, struct block *b, const uint8_t *page)
{
    static _Thread_local struct tctx t;
    struct insn ins[JIT_BLOCK_MAX_INSNS];
    enum tclass cls[JIT_BLOCK_MAX_INSNS];
    uint64_t pcs[JIT_BLOCK_MAX_INSNS + 1];
    uint64_t pc = b->vpc;
    unsigned n = 0, nhelp = 0;
    while (n < JIT_BLOCK_MAX_INSNS) {
        bool crosses;
        uint32_t raw = fetch_raw(page, (unsigned)(pc & 0xfff), &crosses);
        if (crosses)
            break;
        insn_decode(raw, &ins[n]);
        cls[n] = classify(&ins[n]);
        if (cls[n] == T_INTERP)
            break;
        nhelp += cls[n] == T_HELPER;
        pcs[n] = pc;
        pc += ins[n].len;
        n++;
        if (cls[n - 1] == T_END_JUMP || !(pc & 0xfff))
            break;
    }
    pcs[n] = pc;
    b->ninsns = (uint16_t)n;
    b->interp = n == 0;
    b->code = NULL;
    if (!n)
        return true;
    if (j->used + JIT_BLOCK_MAX_CODE + nhelp * sizeof(struct insn) > j->mem.size)
        return false;

    memset(&t, 0, sizeof(t));
    t.j = j;
    t.b = b;
    t.n = n;
    uint8_t *start = j->mem.write + j->used;
    t.e = (struct x86){.p = start, .end = j->mem.write + j->mem.size, .to_exec = j->mem.to_exec};
    /* The decoded copies the helper calls execute live just before the code. */
    const struct insn *copy[JIT_BLOCK_MAX_INSNS];
    struct insn *data = (struct insn *)(void *)start;
    for (unsigned i = 0; i < n; i++)
        if (cls[i] == T_HELPER) {
            *data = ins[i];
            copy[i] = (const struct insn *)(void *)((uint8_t *)data + j->mem.to_exec);
            data++;
        }
    /* Then the block's own address, so the dispatcher can go from a jump cache entry's code
     * back to its block; then the code, 16-byte aligned. */
    t.e.p = (uint8_t *)(((uintptr_t)data + 8 + 15) & ~(uintptr_t)15);
    memcpy(t.e.p - 8, &b, sizeof(b));
    b->code = x86_exec(&t.e);

    /* Entry: leave unless nothing asks us to stop and the whole block fits the budget. */
    struct x86 *e = &t.e;
    x86_cmp16_mi0(e, hmem(HART_OFF(stop)));
    struct stub *s = tr_add_stub(&t, STUB_EXIT, x86_jcc(e, CC_NE, x86_exec(e)));
    s->pc = b->vpc;
    x86_alu_ri(e, true, ALU_SUB, BUDGET, (int32_t)n);
    s = tr_add_stub(&t, STUB_EXIT, x86_jcc(e, CC_L, x86_exec(e)));
    s->pc = b->vpc;
    s->refund = true;

    for (unsigned i = 0; i < n; i++) {
        const struct insn *in = &ins[i];
        t.index = i;
        t.pc = pcs[i];
        switch (cls[i]) {
        case T_INLINE:
            emit_inline(&t, in);
            break;
        case T_HELPER:
            t.copy = copy[i];
            if (!translate_fp(&t, in))
                emit_helper(&t, copy[i]);
            break;
        case T_END_JUMP:
            if (in->op == OP_jal) {
                if (in->rd) {
                    x86_mov_imm(e, RAX, t.pc + in->len);
                    tr_put(&t, in->rd, RAX);
                }
                emit_goto(&t, t.pc + (uint64_t)in->imm);
            } else if (in->op == OP_jalr) {
                emit_jump_indirect(&t, in);
            } else {
                emit_branch(&t, in);
            }
            break;
        case T_INTERP:
            break;
        }
    }
    if (cls[n - 1] != T_END_JUMP) {
        t.index = n - 1;
        emit_goto(&t, pcs[n]);
    }
    emit_stubs(&t, pcs);
    if (e->overflow)
        return false;
    j->used = (uint64_t)(((uintptr_t)e->p + 15) & ~(uintptr_t)15) - (uintptr_t)j->mem.write;
    j->st.blocks++;
    j->st.guest_insns += n;
    return true;
}
