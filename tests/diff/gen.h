/* Private to the generator (gen.c and the unit files gen_flow.c, gen_mem.c, gen_priv.c): the
 * block under construction and the helpers a unit emits through. A unit appends slots with
 * gen_emit (which checks that each word decodes as intended), takes scratch registers from
 * gen_temp, and leaves forward offsets to gen_add_fix, resolved once the layout is known. */
#ifndef VISOR_DIFF_GEN_H
#define VISOR_DIFF_GEN_H

#include "cpu/cpu_priv.h"
#include "diff.h"

#define MAX_SLOTS (CODE_SIZE / 4)
#define UNIT_ROOM 40 /* slots a unit may take at most */

enum fix_kind { FIX_B, FIX_J, FIX_CB, FIX_CJ, FIX_I_REL, FIX_S_REL };
/* What a fixup may point at: any unit, or (self-modifying stores) a one-slot unit, or one
 * whose slot holds a compressed instruction. */
enum target_kind { TARGET_ANY, TARGET_SIMPLE, TARGET_COMPRESSED };

/* A slot whose immediate is an offset to a unit start known only after layout. */
struct fixup {
    unsigned slot, anchor; /* the offset is target - anchor (the auipc, or the slot itself) */
    unsigned unit, target; /* the unit holding the slot; the wanted target unit */
    uint8_t kind;
    uint8_t want; /* enum target_kind */
    int extra;    /* added to the offset (jalr's ignored low bit) */
};

struct gen {
    struct prog *p;
    struct rng *r;
    uint32_t slot[MAX_SLOTS];
    unsigned n;
    unsigned unit_start[MAX_SLOTS + 1];
    bool unit_simple[MAX_SLOTS + 1];
    unsigned nunits;
    struct fixup fix[MAX_SLOTS];
    unsigned nfix;
    uint32_t writable; /* registers a random destination may be */
    /* The shadow copy's word for a slot holding one generic instruction (alt_ok), unless a
     * self-modifying store targets that slot (its rewrite must meet the kind of word the
     * generator saw there). */
    uint32_t alt[MAX_SLOTS];
    bool alt_ok[MAX_SLOTS], smc_target[MAX_SLOTS];
};

NORETURN void gen_fail(const char *what, uint32_t raw);
/* Appends raw in its own slot (a compressed one padded with c.nop); it must decode, to row
 * when row >= 0. Returns the slot. */
unsigned gen_emit(struct gen *g, uint32_t raw, int row);
/* li rd, v; returns the first slot. */
unsigned gen_emit_li(struct gen *g, unsigned rd, uint64_t v);
/* A random writable register, never x0, not in avoid; gen_dest: the same or now and then x0. */
unsigned gen_temp(struct gen *g, uint32_t avoid);
unsigned gen_dest(struct gen *g);
/* The immediate of slot becomes (start of a unit a random distance ahead, of the kind want) -
 * anchor, plus extra, in the encoding of kind. */
void gen_add_fix(struct gen *g, unsigned slot, unsigned anchor, enum fix_kind kind,
                 enum target_kind want, int extra);
/* A random instruction of a generic row, its destination in g->writable. */
uint32_t gen_random_generic(struct gen *g);
/* A word as a slot holds it: a compressed instruction followed by c.nop. */
uint32_t gen_slot_word(uint32_t raw);
/* A self-modifying store over a later simple unit (target_slot < 0) or the given slot. */
void gen_smc_store(struct gen *g, int target_slot);

/* The units (gen.c: generic; gen_flow.c; gen_mem.c; gen_priv.c). */
void unit_generic(struct gen *g);
void unit_branch(struct gen *g);
void unit_jump(struct gen *g);
void unit_indirect(struct gen *g);
void unit_loop(struct gen *g);
void unit_call_loop(struct gen *g);
void unit_atomic(struct gen *g);
void unit_smc(struct gen *g);
void unit_base_move(struct gen *g);
void unit_addi16sp(struct gen *g);
void unit_straddle(struct gen *g);
void unit_csr(struct gen *g);
void unit_xret(struct gen *g);
void unit_wfi(struct gen *g);
void unit_pte(struct gen *g);
void unit_code_remap(struct gen *g);
void unit_remap_loop(struct gen *g);

#endif
