/* Private to src/cpu: the threaded loop's handlers, named once here for the loop that defines
 * them (threaded.c) and the decoder that picks them (uop_decode.c).
 *
 * Every handler, as HX(name): its label in threaded_run is L_name and its index H_name. Most
 * come in two lengths (_2, _4: the slot after a 2- or 4-byte instruction is 1 or 2 slots on).
 * Beside ops.def's rows there are ALU ops whose rd is rs1 (_same: the compressed forms, rd
 * read and written in place), branches against x0 (_z) and leaving the page (_far),
 * li/mv/sext.w, and jumps with and without a link. An ALU op with rd = x0 is a nop.
 *
 * Fused pairs: where a run has a FUSE_FIRSTS handler followed by a FUSE_SECONDS one, the first
 * slot gets handler f_FIRST__SECOND, which runs both without dispatching in between (the
 * second slot keeps its own handler, for jumps to it). Dispatches, not instructions, are what
 * the loop spends its time on, and a pair also keeps the first's result out of a store and
 * reload. The lists are the handlers most frequent in pairs in the CPU benchmark and a Linux
 * boot; each entry is (name, kind, op of ops.def, length), the kind saying how threaded.c runs
 * it. */
#ifndef VISOR_UOPS_H
#define VISOR_UOPS_H

#include "predecode.h"

#define HX_ALU(n) HX(n##_2) HX(n##_4) HX(n##_same_2) HX(n##_same_4)
#define HX_BR(n) HX(n##_2) HX(n##_4) HX(n##_z_2) HX(n##_z_4) HX(n##_far_2) HX(n##_far_4)
#define HX_MEM(n) HX(n##_2) HX(n##_4)
#define OTHER_HANDLERS                                                                          \
    HX(decode)                                                                                  \
    HX(nop_2) HX(nop_4) HX(li_2) HX(li_4) HX(mv_2) HX(mv_4) HX(sextw_2) HX(sextw_4)             \
    HX(jal_2) HX(jal_4) HX(jal_far_2) HX(jal_far_4) HX(j) HX(j_far)                             \
    HX(jalr_2) HX(jalr_4) HX(jr)                                                                \
    HX(generic)      /* exec runs it (imm: its bits), then on to the next slot */               \
    HX(generic_csr)  /* the same for a CSR access the dispatcher need not see */                \
    HX(generic_end)  /* any instruction, by exec, ending a run too long for uop.run */          \
    HX(generic_exit) /* exec runs it (imm: its bits), then the dispatcher */                    \
    HX(step)         /* a 4-byte instruction crossing the page's end: the dispatcher steps it */ \
    HX(page_end)     /* the slot past the page */

#define FUSE_FIRSTS(F, x)                                                                       \
    F(x, add_same_2, alus, add, 2) F(x, addi_same_2, alus, addi, 2)                             \
    F(x, addiw_same_2, alus, addiw, 2) F(x, add_4, alu, add, 4) F(x, sextw_4, sextw, addiw, 4)  \
    F(x, lw_4, load, lw, 4) F(x, sw_4, store, sw, 4) F(x, slli_4, alu, slli, 4)                 \
    F(x, ld_4, load, ld, 4) F(x, mv_2, mv, add, 2) F(x, sltu_4, alu, sltu, 4)                   \
    F(x, sd_4, store, sd, 4) F(x, srli_same_2, alus, srli, 2) F(x, ld_2, load, ld, 2)           \
    F(x, lbu_4, load, lbu, 4) F(x, addw_same_4, alus, addw, 4)
#define FUSE_SECONDS(F, ...)                                                                    \
    F(__VA_ARGS__, add_same_2, alus, add, 2) F(__VA_ARGS__, addi_same_2, alus, addi, 2)         \
    F(__VA_ARGS__, addiw_same_2, alus, addiw, 2) F(__VA_ARGS__, sextw_4, sextw, addiw, 4)       \
    F(__VA_ARGS__, lw_4, load, lw, 4) F(__VA_ARGS__, slli_4, alu, slli, 4)                      \
    F(__VA_ARGS__, srli_same_2, alus, srli, 2) F(__VA_ARGS__, sd_4, store, sd, 4)               \
    F(__VA_ARGS__, mv_2, mv, add, 2) F(__VA_ARGS__, ld_4, load, ld, 4)                          \
    F(__VA_ARGS__, sltu_4, alu, sltu, 4) F(__VA_ARGS__, addw_same_4, alus, addw, 4)             \
    F(__VA_ARGS__, add_4, alu, add, 4) F(__VA_ARGS__, ld_2, load, ld, 2)                        \
    F(__VA_ARGS__, bltu_4, br, bltu, 4) F(__VA_ARGS__, beq_z_4, brz, beq, 4)                    \
    F(__VA_ARGS__, bne_z_4, brz, bne, 4) F(__VA_ARGS__, bne_4, br, bne, 4)                      \
    F(__VA_ARGS__, beq_4, br, beq, 4) F(__VA_ARGS__, bgeu_4, br, bgeu, 4)                       \
    F(__VA_ARGS__, beq_z_2, brz, beq, 2) F(__VA_ARGS__, bne_z_2, brz, bne, 2)

/* All handlers, fused ones last: expands HX once per handler. */
#define HX_PAIR(n1, k1, o1, l1, n2, k2, o2, l2) HX(f_##n1##__##n2)
#define HX_FIRST(x, n1, k1, o1, l1) FUSE_SECONDS(HX_PAIR, n1, k1, o1, l1)

#define HX_ALU_ROW(n, r) HX_ALU(n)
#define HX_BR_ROW(n, c) HX_BR(n)
#define HX_LD_ROW(n, s, sg) HX_MEM(n)
#define HX_ST_ROW(n, s) HX_MEM(n)

#define HX(x) H_##x,
enum {
    OTHER_HANDLERS
#define ALU HX_ALU_ROW
#define BR HX_BR_ROW
#define LD HX_LD_ROW
#define ST HX_ST_ROW
#include "ops.def"
#undef ALU
#undef BR
#undef LD
#undef ST
    FUSE_FIRSTS(HX_FIRST, _)
    H_COUNT
};
#undef HX

/* threaded_run's handler addresses, by index (set by its first call, before any page exists). */
extern const void *const *threaded_handlers;

/* ---- uop_decode.c ---- */
/* Decodes the straight-line run of p that starts at slot i (not decoded yet). */
void uop_decode_run(struct pd_page *p, unsigned i);

#endif
