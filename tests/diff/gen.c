/* The random block: a sequence of units laid out in 4-byte slots (a compressed instruction is
 * followed by c.nop, so the handlers' "epc + 4" always lands on the next slot). A unit is one
 * generic instruction or a short fixed-shape sequence around the rows that need context
 * (gen_flow.c, gen_mem.c, gen_priv.c). This file draws the units, resolves the forward offsets
 * once the layout is known (jump targets are unit starts), and makes the shadow copy of the
 * code that remap units switch to.
 *
 * The invariants of diff.h hold by construction: reserved registers are never destinations,
 * control flow goes forward except inside a loop unit, and the last slot jumps to address 0,
 * whose fetch fault ends the program. */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

static const uint32_t ALL_WRITABLE = ~(uint32_t)RESERVED_REGS;

void gen_fail(const char *what, uint32_t raw)
{
    fprintf(stderr, "diff: generator bug: %s (0x%08x)\n", what, raw);
    abort();
}

static unsigned decode_row(uint32_t raw)
{
    struct insn in;
    insn_decode(raw, &in);
    return in.row;
}

/* Emits one instruction in its own slot; the word must decode (to row when row is given). */
unsigned gen_emit(struct gen *g, uint32_t raw, int row)
{
    unsigned got = decode_row(raw);
    if (got == ROW_ILLEGAL || (row >= 0 && got != (unsigned)row))
        gen_fail("emitted word does not decode as intended", raw);
    if (g->n >= MAX_SLOTS - 1)
        gen_fail("code overflow", raw);
    g->slot[g->n] = (raw & 3) == 3 ? raw : (C_NOP << 16 | (raw & 0xffff));
    return g->n++;
}

unsigned gen_emit_li(struct gen *g, unsigned rd, uint64_t v)
{
    uint32_t w[8];
    unsigned n = asm_li(w, rd, v), first = g->n;
    for (unsigned i = 0; i < n; i++)
        gen_emit(g, w[i], -1);
    return first;
}

/* A random writable register, never x0, not in avoid. */
unsigned gen_temp(struct gen *g, uint32_t avoid)
{
    uint32_t m = g->writable & ~avoid & ~1u;
    unsigned n = (unsigned)__builtin_popcount(m), k = (unsigned)rng_below(g->r, n);
    for (unsigned i = 1; i < 32; i++)
        if ((m >> i & 1) && k-- == 0)
            return i;
    gen_fail("no temporary register", 0);
}

unsigned gen_dest(struct gen *g)
{
    return rng_pct(g->r, 10) ? 0 : gen_temp(g, 0);
}

/* Units ahead a forward transfer goes: mostly near, now and then far. */
static unsigned distance(struct rng *r)
{
    unsigned k = (unsigned)rng_below(r, 100);
    return k < 70   ? 1 + (unsigned)rng_below(r, 4)
           : k < 95 ? 5 + (unsigned)rng_below(r, 36)
                    : 1 + (unsigned)rng_below(r, 300);
}

void gen_add_fix(struct gen *g, unsigned slot, unsigned anchor, enum fix_kind kind,
                 enum target_kind want, int extra)
{
    unsigned u = g->nunits;
    g->fix[g->nfix++] =
        (struct fixup){slot, anchor, u, u + distance(g->r), (uint8_t)kind, (uint8_t)want, extra};
}

/* ---- Generic rows ---- */

static unsigned generic_rows[ROW_ILLEGAL], ngeneric;

uint32_t gen_random_generic(struct gen *g)
{
    for (;;) {
        unsigned row = generic_rows[rng_below(g->r, ngeneric)];
        uint32_t raw;
        if (row_random(g->r, row, g->writable, &raw))
            return raw;
    }
}

uint32_t gen_slot_word(uint32_t raw)
{
    return (raw & 3) == 3 ? raw : C_NOP << 16 | (raw & 0xffff);
}

void unit_generic(struct gen *g)
{
    unsigned s = gen_emit(g, gen_random_generic(g), -1);
    if (rng_pct(g->r, 25)) {
        g->alt[s] = gen_slot_word(gen_random_generic(g));
        g->alt_ok[s] = true;
    }
}

/* The shadow copy: the code with the alternatives of generic instructions. */
static void make_shadow(struct gen *g)
{
    static uint32_t shadow[MAX_SLOTS];
    memcpy(shadow, g->slot, sizeof(shadow));
    for (unsigned i = 0; i < g->n; i++)
        if (g->alt_ok[i] && !g->smc_target[i])
            shadow[i] = g->alt[i];
    memcpy(g->p->ram + (SHADOW_PA - RAM_BASE), shadow, sizeof(shadow));
}

/* ---- Layout ---- */

static const struct {
    unsigned weight;
    void (*fn)(struct gen *g);
    bool simple; /* one slot that a later store may replace */
} units[] = {
    {560, unit_generic, true},   {70, unit_branch, false},    {30, unit_jump, false},
    {30, unit_indirect, false},  {90, unit_csr, false},       {50, unit_atomic, false},
    {30, unit_smc, false},       {25, unit_loop, false},      {15, unit_xret, false},
    {3, unit_wfi, false},        {10, unit_addi16sp, false},  {10, unit_pte, false},
    {40, unit_base_move, false}, {15, unit_call_loop, false}, {4, unit_code_remap, false},
    {8, unit_remap_loop, false},
};

static int64_t fix_range(enum fix_kind k)
{
    switch (k) {
    case FIX_CB:
        return 254;
    case FIX_CJ:
        return 2046;
    case FIX_J:
        return 1 << 20;
    case FIX_B:
        return 4094;
    default:
        return 2047;
    }
}

/* Points each fixup at its target unit, or the nearest earlier one in range (the next unit
 * always is: units are short). A self-modifying store takes the first suitable unit from
 * there; with none in range, a word store rewrites its own slot (already executed, so only
 * the translator's bookkeeping notices) and a halfword store becomes a nop. */
static void resolve(struct gen *g)
{
    for (unsigned i = 0; i < g->nfix; i++) {
        struct fixup *f = &g->fix[i];
        unsigned t = f->target > g->nunits ? g->nunits : f->target;
        if (t <= f->unit)
            t = f->unit + 1;
        int64_t range = fix_range(f->kind);
        while (t > f->unit + 1 && ((int64_t)g->unit_start[t] - f->anchor) * 4 + f->extra > range)
            t--;
        int64_t off = ((int64_t)g->unit_start[t] - f->anchor) * 4 + f->extra;
        if (f->want != TARGET_ANY) {
            unsigned u = t;
            while (u < g->nunits && !(g->unit_simple[u] && (f->want == TARGET_SIMPLE ||
                                                            (g->slot[g->unit_start[u]] & 3) != 3)))
                u++;
            off = ((int64_t)g->unit_start[u] - f->anchor) * 4;
            if (u == g->nunits || off > range) {
                if (f->want == TARGET_COMPRESSED) {
                    g->slot[f->slot] = asm_i(OPC_IMM, 0, 0, 0, 0);
                    continue;
                }
                off = ((int64_t)f->slot - f->anchor) * 4;
            } else {
                /* One rewrite per unit, and the shadow copy keeps it: a second writer could
                 * put a 32-bit instruction under a halfword store. */
                g->unit_simple[u] = false;
                g->smc_target[g->unit_start[u]] = true;
            }
        }
        uint32_t w = g->slot[f->slot];
        switch (f->kind) {
        case FIX_B:
            w = asm_set_b(w, off);
            break;
        case FIX_J:
            w = asm_set_j(w, off);
            break;
        case FIX_CB:
            w = C_NOP << 16 | asm_set_cb(w & 0xffff, off);
            break;
        case FIX_CJ:
            w = C_NOP << 16 | asm_set_cj(w & 0xffff, off);
            break;
        case FIX_I_REL:
            w = asm_set_i(w, off);
            break;
        case FIX_S_REL:
            w = asm_set_s(w, off);
            break;
        }
        struct insn in;
        insn_decode((w & 3) == 3 ? w : w & 0xffff, &in);
        if (in.row == ROW_ILLEGAL || in.imm != off)
            gen_fail("fix-up out of range", w);
        g->slot[f->slot] = w;
    }
}

void gen_code(struct prog *p, struct rng *r)
{
    static struct gen g; /* large: kept off the stack */
    if (!ngeneric)
        for (unsigned row = 0; row < ROW_ILLEGAL; row++)
            if (row_is_generic(row))
                generic_rows[ngeneric++] = row;
    memset(&g, 0, sizeof(g));
    g.p = p;
    g.r = r;
    g.writable = ALL_WRITABLE;
    /* Some programs are nearly straight-line, so that translated blocks reach their maximum
     * length; the rest mix everything. */
    bool straight = rng_pct(r, 25);
    unsigned weight[ARRAY_SIZE(units)], total = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(units); i++) {
        weight[i] = units[i].weight;
        if (straight && units[i].fn != unit_generic)
            weight[i] = (weight[i] + 9) / 10;
        total += weight[i];
    }
    /* Mostly short blocks (many initial states), sometimes long ones (deep translated code). */
    unsigned want =
        rng_pct(r, 50) ? 8 + (unsigned)rng_below(r, 120) : 100 + (unsigned)rng_below(r, 900);
    while (g.nunits < want && g.n + UNIT_ROOM < MAX_SLOTS - 1) {
        g.unit_start[g.nunits] = g.n;
        if (g.n % (PAGE / 4) == PAGE / 4 - 1 && rng_pct(r, 50)) {
            unit_straddle(&g);
            g.nunits++;
            continue;
        }
        unsigned k = (unsigned)rng_below(r, total), i = 0;
        while (k >= weight[i])
            k -= weight[i++];
        g.unit_simple[g.nunits] = units[i].simple;
        units[i].fn(&g);
        g.nunits++;
    }
    g.unit_start[g.nunits] = g.n;
    gen_emit(&g, asm_i(OPC_JALR, 0, 0, 0, 0), ROW_jalr); /* the end: jump to 0, a fetch fault */
    resolve(&g);
    make_shadow(&g);
    p->nslots = g.n;
    memcpy(p->ram + (CODE_PA - RAM_BASE), g.slot, 4 * (size_t)g.n);
    p->budget = 2000 + 24ull * g.n;
}
