/* Turning a predecoded page's slots into uops (predecode.h): a run at a time, each instruction
 * decoded by insn_decode and given the handler that fits its operands (uops.h), run counts
 * filled in, then neighbouring pairs fused. */
#include "uops.h"

const void *const *threaded_handlers;

void threaded_init_page(struct pd_page *p)
{
    const void *const *handlers = __atomic_load_n(&threaded_handlers, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < PD_SLOTS; i++)
        p->ops[i] = (struct uop){.fn = handlers[H_decode]};
    p->ops[PD_SLOTS] = (struct uop){.fn = handlers[H_page_end]};
}

/* Ops exec must run: the rare and the complex. Those that may change privilege, translation,
 * interrupt enables or counters (system instructions, CSR writes but to the F/D flags and
 * rounding mode) return to the dispatcher. */
static unsigned generic_handler(const struct insn *in)
{
    switch (in->op) {
    case OP_csrrw: case OP_csrrwi:
        return in->imm >= 1 && in->imm <= 3 ? H_generic_csr : H_generic_exit;
    case OP_csrrs: case OP_csrrc: case OP_csrrsi: case OP_csrrci:
        /* with rs1 = x0 (uimm 0) a read, which changes nothing */
        return in->rs1 == 0 || (in->imm >= 1 && in->imm <= 3) ? H_generic_csr : H_generic_exit;
    case OP_ecall: case OP_ebreak: case OP_wfi: case OP_sfence_vma: case OP_mret: case OP_sret:
    case OP_fence_i: case OP_ILLEGAL:
        return H_generic_exit;
    default:
        return H_generic;
    }
}

struct choice {
    unsigned handler;
    bool ends_run; /* the next instruction is not simply the next slot's */
};

/* The handler of an ALU op, by its operands; h2 is its plain 2-byte handler. */
static unsigned alu_handler(const struct insn *in, unsigned h2, unsigned l4)
{
    if (in->rd == 0)
        return H_nop_2 + l4;
    if ((in->op == OP_addi && in->rs1 == 0) || in->op == OP_lui)
        return H_li_2 + l4; /* imm as decoded: lui's is already shifted */
    if ((in->op == OP_addi && in->imm == 0) || (in->op == OP_add && in->rs1 == 0))
        return H_mv_2 + l4; /* for c.mv (add rd, x0, rs2) make_uop moves rs2 to rs1 */
    if (in->op == OP_addiw && in->imm == 0)
        return H_sextw_2 + l4;
    return in->rd == in->rs1 ? h2 + 2 + l4 : h2 + l4; /* _same follows _2 and _4 */
}

/* Fills u (but fn and run) for the instruction raw at page offset off (not a 4-byte one at
 * 4094) and chooses its handler; *len is its length. In-page branches and jumps keep their
 * offset in uop bytes (imm * 8: 2 bytes of code per 16-byte slot), so taking them is one add. */
static struct choice make_uop(uint32_t raw, unsigned off, struct uop *u, unsigned *len)
{
    struct insn in;
    insn_decode(raw, &in);
    u->rd = in.rd;
    u->rs1 = in.rs1;
    u->rs2 = in.rs2;
    u->imm = (int32_t)in.imm;
    *len = in.len;
    unsigned l4 = in.len == 4;
    int64_t target = (int64_t)off + in.imm;
    bool far = target < 0 || target >= 4096;
    switch (in.op) {
#define ALU(n, r)                                                                               \
    case OP_##n: {                                                                              \
        unsigned h_ = alu_handler(&in, H_##n##_2, l4);                                          \
        if (h_ == H_mv_2 + l4 && in.op == OP_add)                                               \
            u->rs1 = in.rs2;                                                                    \
        return (struct choice){h_, false};                                                      \
    }
#define BR(n, c)                                                                                \
    case OP_##n:                                                                                \
        if (far)                                                                                \
            return (struct choice){H_##n##_far_2 + l4, true};                                   \
        u->imm = (int32_t)(in.imm * 8);                                                         \
        return (struct choice){(in.rs2 ? H_##n##_2 : H_##n##_z_2) + l4, true};
#define LD(n, s, sg)                                                                            \
    case OP_##n:                                                                                \
        if (in.rd)                                                                              \
            return (struct choice){H_##n##_2 + l4, false};                                      \
        u->imm = (int32_t)raw; /* x0: exec runs it, for its faults */                           \
        return (struct choice){H_generic, false};
#define ST(n, s) case OP_##n: return (struct choice){H_##n##_2 + l4, false};
#include "ops.def"
#undef ALU
#undef BR
#undef LD
#undef ST
    case OP_jal:
        if (far)
            return (struct choice){in.rd ? H_jal_far_2 + l4 : H_j_far, true};
        u->imm = (int32_t)(in.imm * 8);
        return (struct choice){in.rd ? H_jal_2 + l4 : H_j, true};
    case OP_jalr:
        return (struct choice){in.rd ? H_jalr_2 + l4 : H_jr, true};
    case OP_fence: /* one hart, in order: nothing to do */
        return (struct choice){H_nop_2 + l4, false};
    default: {
        unsigned g = generic_handler(&in);
        u->imm = (int32_t)raw; /* exec decodes it again */
        return (struct choice){g, g == H_generic_exit};
    }
    }
}

/* The fusion table: for a first and a second handler of uops.h's lists, their pair's. */
#define ENUM_FIRST(x, n, k, o, l) FI_##n,
#define ENUM_SECOND(x, n, k, o, l) SI_##n,
enum { FI_NONE, FUSE_FIRSTS(ENUM_FIRST, _) FI_COUNT };
enum { SI_NONE, FUSE_SECONDS(ENUM_SECOND, _) SI_COUNT };
#define INDEX_FIRST(x, n, k, o, l) [H_##n] = FI_##n,
#define INDEX_SECOND(x, n, k, o, l) [H_##n] = SI_##n,
static const uint8_t first_index[H_COUNT] = {FUSE_FIRSTS(INDEX_FIRST, _)};
static const uint8_t second_index[H_COUNT] = {FUSE_SECONDS(INDEX_SECOND, _)};
#define PAIR_CELL(n1, n2, k2, o2, l2) [SI_##n2] = H_f_##n1##__##n2,
#define PAIR_ROW(x, n1, k1, o1, l1) [FI_##n1] = {FUSE_SECONDS(PAIR_CELL, n1)},
static const uint16_t pair_handler[FI_COUNT][SI_COUNT] = {FUSE_FIRSTS(PAIR_ROW, _)};

/* Decodes the straight-line run of p that starts at slot i (not decoded yet): each slot up to
 * the first instruction that ends a run, the page's end or a slot already decoded; then their
 * run counts, from the last back. A run longer than uop.run can hold is cut by a generic
 * instruction, whose handler starts the next run itself. Last, each slot whose instruction
 * and the next one's make a listed pair gets the pair's handler. */
void uop_decode_run(struct pd_page *p, unsigned i)
{
    static _Thread_local uint16_t slots[PD_SLOTS], kinds[PD_SLOTS];
    const void *const *handlers = __atomic_load_n(&threaded_handlers, __ATOMIC_RELAXED);
    unsigned n = 0, after = 0; /* after: the run of the slot after the last decoded */
    for (unsigned j = i;;) {
        if (j >= PD_SLOTS)
            break;
        struct uop *u = &p->ops[j];
        if (u->fn != handlers[H_decode]) {
            after = u->run;
            break;
        }
        const uint8_t *src = (const uint8_t *)p->host + 2 * j;
        uint16_t lo, hi = 0;
        memcpy(&lo, src, 2);
        if ((lo & 3) == 3) {
            if (j == PD_SLOTS - 1) {
                *u = (struct uop){.fn = handlers[H_step]}; /* run 0: the dispatcher counts it */
                break;
            }
            memcpy(&hi, src + 2, 2);
        }
        unsigned len;
        struct choice c = make_uop(lo | (uint32_t)hi << 16, 2 * j, u, &len);
        u->fn = handlers[c.handler];
        slots[n] = (uint16_t)j;
        kinds[n++] = (uint16_t)c.handler;
        if (c.ends_run)
            break;
        j += len / 2;
    }
    for (unsigned k = n; k--;) {
        struct uop *u = &p->ops[slots[k]];
        unsigned run = after + 1;
        if (run > UINT8_MAX) {
            u->fn = handlers[H_generic_end];
            kinds[k] = H_generic_end;
            run = 1;
        }
        u->run = (uint8_t)run;
        after = run;
    }
    for (unsigned k = 0; k + 1 < n; k++) {
        unsigned first = first_index[kinds[k]], second = second_index[kinds[k + 1]];
        if (first && second)
            p->ops[slots[k]].fn = handlers[pair_handler[first][second]];
    }
}
