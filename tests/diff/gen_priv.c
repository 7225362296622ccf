/* Units of privileged state: CSR accesses with values chosen per register, mret/sret to a
 * prepared epc, WFI, data page-table edits, and code pages remapped between their original
 * and shadow copies (alone, or inside a loop that then runs its own addresses again). */
#include "gen.h"

enum csr_policy { P_READ, P_ANY, P_FP, P_STATUS, P_IRQ, P_SATP, P_TIMECMP, P_ENVCFG };

static const struct {
    uint16_t csr;
    uint8_t policy;
} csr_list[] = {
    {0x001, P_FP},     {0x002, P_FP},   {0x003, P_FP},     {0xc00, P_ANY},     {0xc01, P_ANY},
    {0xc02, P_ANY},    {0xc03, P_ANY},  {0xc1f, P_ANY},    {0x100, P_STATUS},  {0x104, P_IRQ},
    {0x105, P_READ},   {0x106, P_ANY},  {0x10a, P_ANY},    {0x140, P_ANY},     {0x141, P_ANY},
    {0x142, P_ANY},    {0x143, P_ANY},  {0x144, P_IRQ},    {0x14d, P_TIMECMP}, {0x180, P_SATP},
    {0xf11, P_ANY},    {0xf12, P_ANY},  {0xf13, P_ANY},    {0xf14, P_ANY},     {0xf15, P_ANY},
    {0x300, P_STATUS}, {0x301, P_ANY},  {0x302, P_READ},   {0x303, P_READ},    {0x304, P_IRQ},
    {0x305, P_READ},   {0x306, P_ANY},  {0x30a, P_ENVCFG}, {0x320, P_ANY},     {0x340, P_ANY},
    {0x341, P_ANY},    {0x342, P_ANY},  {0x343, P_ANY},    {0x344, P_IRQ},     {0x3a0, P_READ},
    {0x3a2, P_READ},   {0x3b0, P_READ}, {0x3b7, P_READ},   {0xb00, P_ANY},     {0xb02, P_ANY},
    {0xb03, P_ANY},    {0xb1f, P_ANY},  {0x323, P_ANY},
};

/* mstatus bits a CSR write may flip: interrupt enables and their stacks, xPP, FS, SUM, MXR,
 * MPRV, TVM, TW, and TSR only while nothing is delegated (the S handler's sret needs it). */
static uint64_t status_bits(struct gen *g)
{
    uint64_t b = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP |
                 MSTATUS_MPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV | MSTATUS_TVM |
                 MSTATUS_TW;
    if (!g->p->delegating)
        b |= MSTATUS_TSR;
    return b;
}

static uint64_t pick_bits(struct rng *r, uint64_t set, unsigned max)
{
    uint64_t v = 0;
    unsigned n = 1 + (unsigned)rng_below(r, max);
    for (unsigned i = 0; i < n; i++) {
        unsigned k = (unsigned)rng_below(r, (unsigned)__builtin_popcountll(set));
        for (unsigned b = 0; b < 64; b++)
            if ((set >> b & 1) && k-- == 0)
                v |= 1ull << b;
    }
    return v;
}

static uint64_t csr_value(struct gen *g, enum csr_policy pol, bool full)
{
    struct rng *r = g->r;
    switch (pol) {
    case P_FP:
        return rng_below(r, 256);
    case P_STATUS:
        if (!full)
            return pick_bits(r, status_bits(g), 2);
        return (rng_next(r) & status_bits(g)) | (rng_pct(r, 70) ? MSTATUS_FS : 0);
    case P_IRQ:
        return rng_pct(r, 10) ? UINT64_MAX : rng_next(r) & 0xaaa;
    case P_SATP: {
        const struct prog *p = g->p;
        uint64_t v[] = {p->satp_a,
                        p->satp_b,
                        0,
                        p->satp_a ^ 1ull << 44,
                        (p->satp_a & ~(0xfull << 60)) | 9ull << 60,
                        1ull << 60};
        return v[rng_below(r, rng_pct(r, 80) ? 3 : ARRAY_SIZE(v))];
    }
    case P_TIMECMP:
        return rng_pct(r, 80) ? g->p->time + rng_below(r, 7) - 3 : rng_interesting(r);
    case P_ENVCFG:
        return rng_below(r, 2) | (rng_pct(r, 50) ? MENVCFG_STCE : 0);
    default:
        return rng_interesting(r);
    }
}

/* Is csr one the hart implements (so a random number would not be an unimplemented one)? */
static bool csr_known(unsigned csr)
{
    return hart_csr_name(csr) || (csr >= 0xc03 && csr <= 0xc1f) || (csr >= 0xb03 && csr <= 0xb1f) ||
           (csr >= 0x323 && csr <= 0x33f);
}

void unit_csr(struct gen *g)
{
    struct rng *r = g->r;
    unsigned csr;
    enum csr_policy pol;
    if (rng_pct(r, 4)) {
        do
            csr = (unsigned)rng_below(r, 4096);
        while (csr_known(csr));
        pol = P_ANY; /* unimplemented: every access is illegal */
    } else {
        /* Mostly a register the starting mode may access (a CSR's bits 9:8 are the lowest
         * privilege allowed), so that fewer accesses end in the trap handler. */
        bool reachable = rng_pct(r, 75);
        unsigned i;
        do
            i = (unsigned)rng_below(r, ARRAY_SIZE(csr_list));
        while (reachable && (csr_list[i].csr >> 8 & 3) > g->p->init.priv);
        csr = csr_list[i].csr;
        pol = csr_list[i].policy;
    }
    unsigned f3 = 1 + (unsigned)rng_below(r, 3) + (rng_pct(r, 35) ? 4 : 0);
    bool imm = f3 >= 5, rw = f3 == 1 || f3 == 5;
    unsigned src = 0;
    if (pol == P_READ || (pol == P_SATP && imm)) {
        if (rw)
            f3 += 1; /* csrrs: with a zero source it only reads */
    } else if (imm) {
        src = (unsigned)rng_below(r, 32);
    } else if (rng_pct(r, 90)) {
        src = gen_temp(g, 0);
        gen_emit_li(g, src, csr_value(g, pol, rw));
    }
    gen_emit(g, asm_csr(f3, gen_dest(g), csr, src), -1);
    if (pol == P_SATP && src && rng_pct(r, 50))
        gen_emit(g, INSN_SFENCE, ROW_sfence_vma);
}

/* mret or sret to a later unit, usually with the previous-privilege field set first. */
void unit_xret(struct gen *g)
{
    struct rng *r = g->r;
    bool m = rng_pct(r, 60);
    unsigned t = gen_temp(g, 0);
    unsigned a = gen_emit(g, asm_u(OPC_AUIPC, t, 0), ROW_auipc);
    unsigned s = gen_emit(g, asm_i(OPC_IMM, 0, t, t, 0), ROW_addi);
    gen_add_fix(g, s, a, FIX_I_REL, TARGET_ANY, 0);
    gen_emit(g, asm_csr(1, 0, m ? 0x341 : 0x141, t), -1); /* csrw xepc, t */
    if (rng_pct(r, 70)) {
        uint64_t field = m ? MSTATUS_MPP : MSTATUS_SPP;
        unsigned to = rng_pct(r, 60) ? g->p->init.priv : (unsigned)rng_below(r, 4);
        if (to == 2)
            to = PRIV_M;
        uint64_t v = m ? (uint64_t)to << MSTATUS_MPP_SHIFT : (to ? MSTATUS_SPP : 0);
        unsigned csr = m ? 0x300 : 0x100;
        gen_emit_li(g, t, field);
        gen_emit(g, asm_csr(3, 0, csr, t), -1);
        if (v) {
            gen_emit_li(g, t, v);
            gen_emit(g, asm_csr(2, 0, csr, t), -1);
        }
    }
    gen_emit(g, m ? INSN_MRET : INSN_SRET, m ? ROW_mret : ROW_sret);
}

void unit_wfi(struct gen *g)
{
    gen_emit(g, INSN_WFI, ROW_wfi);
}

/* Rewrites a data page's PTE, then flushes: sfence.vma, and an ecall, after which the M
 * handler flushes (handlers.c) even where sfence.vma is illegal, so no engine ever runs on a
 * stale entry (where they could legitimately differ). */
void unit_pte(struct gen *g)
{
    struct rng *r = g->r;
    const struct prog *p = g->p;
    uint64_t page = DATA_PA + rng_below(r, NDATA) * DATA_STRIDE + rng_below(r, 2) * PAGE;
    uint64_t l0 = rng_pct(r, 70) ? p->l0_a : p->l0_b;
    static const uint64_t flags[] = {0xcf, 0xc7, 0xdf, 0xd7, 0x43, 0x4b, 0x00, 0x87, 0xcb, 0xd3};
    unsigned a = gen_temp(g, 0), b = gen_temp(g, 1u << a);
    gen_emit_li(g, a, l0 + 8 * ((page - RAM_BASE) >> 12));
    gen_emit_li(g, b, (page >> 12) << 10 | flags[rng_below(r, ARRAY_SIZE(flags))]);
    gen_emit(g, asm_s(OPC_STORE, 3, a, b, 0), ROW_sd);
    if (rng_pct(r, 50)) {
        gen_emit_li(g, a, page);
        gen_emit(g, INSN_SFENCE | a << 15, ROW_sfence_vma);
    } else {
        gen_emit(g, INSN_SFENCE, ROW_sfence_vma);
    }
    gen_emit(g, 0x00000073, ROW_ecall);
}

/* Maps code page `page`'s virtual address to its shadow copy or back to the original (in
 * one root), then flushes as unit_pte does. Translated code of one physical page must not run
 * for the other; the two differ only in generic instructions, so execution stays well-formed
 * whichever page runs. */
static void emit_remap(struct gen *g, unsigned page)
{
    struct rng *r = g->r;
    const struct prog *p = g->p;
    unsigned root = rng_pct(r, 70) ? 0 : 1;
    uint64_t l0 = root ? p->l0_b : p->l0_a;
    uint64_t leaf = p->code_pte[root][page];
    if (rng_pct(r, 60))
        leaf = (leaf & 0x3ff) | ((SHADOW_PA + page * PAGE) >> 12) << 10;
    unsigned a = gen_temp(g, 0), b = gen_temp(g, 1u << a);
    gen_emit_li(g, a, l0 + 8 * ((CODE_PA + page * PAGE - RAM_BASE) >> 12));
    gen_emit_li(g, b, leaf);
    gen_emit(g, asm_s(OPC_STORE, 3, a, b, 0), ROW_sd);
    gen_emit(g, INSN_SFENCE, ROW_sfence_vma);
    gen_emit(g, 0x00000073, ROW_ecall);
}

/* The page being executed or the next one. */
void unit_code_remap(struct gen *g)
{
    unsigned page = g->n / (PAGE / 4) + (rng_pct(g->r, 30) ? 1 : 0);
    emit_remap(g, page < CODE_PAGES ? page : CODE_PAGES - 1);
}

/* A loop whose body remaps its own page: the second pass runs the same addresses from the
 * other physical page, whose generic instructions partly differ. */
void unit_remap_loop(struct gen *g)
{
    struct rng *r = g->r;
    uint32_t saved = g->writable;
    unsigned c = gen_temp(g, 0);
    gen_emit(g, asm_i(OPC_IMM, 0, c, 0, 2 + (int64_t)rng_below(r, 2)), ROW_addi);
    g->writable &= ~(1u << c);
    unsigned top = g->n;
    for (unsigned i = 2 + (unsigned)rng_below(r, 5); i; i--)
        unit_generic(g);
    emit_remap(g, top / (PAGE / 4));
    gen_emit(g, asm_i(OPC_IMM, 0, c, c, -1), ROW_addi);
    unsigned s = g->n;
    gen_emit(g, asm_b(1, c, 0, ((int64_t)top - s) * 4), ROW_bne);
    g->writable = saved;
}
