/* The decoder: table consistency, and encodings produced by the GNU assembler (compressed
 * forms especially, whose immediates are scrambled) decode to the right operation and
 * operands. The ISA suite checks execution; this checks the decoding step alone. */
#include "cpu/cpu.h"
#include "test.h"

struct expect {
    uint32_t raw;
    unsigned op, rd, rs1, rs2;
    int64_t imm;
};

#define NA 99 /* operand not checked */

static const struct expect cases[] = {
    {0x0505, OP_addi, 10, 10, NA, 1},
    {0x45b2, OP_lw, 11, 2, NA, 12},
    {0x6632, OP_ld, 12, 2, NA, 264},
    {0xffb6, OP_sd, NA, 2, 13, 504},
    {0xdfba, OP_sw, NA, 2, 14, 252},
    {0xaffd, OP_jal, 0, NA, NA, 2046},
    {0xb001, OP_jal, 0, NA, NA, -2048},
    {0xd381, OP_beq, NA, 15, 0, -256},
    {0xec7d, OP_bne, NA, 8, 0, 254},
    {0x7101, OP_addi, 2, 2, NA, -512},
    {0x617d, OP_addi, 2, 2, NA, 496},
    {0x1fe4, OP_addi, 9, 2, NA, 1020},
    {0x7501, OP_lui, 10, NA, NA, -131072},
    {0x657d, OP_lui, 10, NA, NA, 0x1f000},
    {0x5fe8, OP_lw, 10, 15, NA, 124},
    {0x7fe8, OP_ld, 10, 15, NA, 248},
    {0x957d, OP_srai, 10, 10, NA, 63},
    {0x9881, OP_andi, 9, 9, NA, -32},
    {0x12fe, OP_slli, 5, 5, NA, 63},
    {0x31fe, OP_fld, 3, 2, NA, 504},
    {0x9302, OP_jalr, 1, 6, NA, 0},
    {0x8082, OP_jalr, 0, 1, NA, 0},
    {0x852e, OP_add, 10, 0, 11, 0},
    {0x952e, OP_add, 10, 10, 11, 0},
    {0x9002, OP_ebreak, NA, NA, NA, 0},
    {0x800000ef, OP_jal, 1, NA, NA, -1048576},
    {0x80b50063, OP_beq, NA, 10, 11, -4096},
    {0x80a12023, OP_sw, NA, 2, 10, -2048},
    {0x0eb6352f, OP_amoswap_d, 10, 12, 11, 0},
    {0x140322af, OP_lr_w, 5, 6, NA, 0},
    {0x340fd573, OP_csrrwi, 10, 31, NA, 0x340},
    {0x41f5d51b, OP_sraiw, 10, 11, NA, 31},
    {0x43f5d513, OP_srai, 10, 11, NA, 63},
    {0x00000073, OP_ecall, NA, NA, NA, 0},
    {0x30200073, OP_mret, NA, NA, NA, 0},
    {0x12000073, OP_sfence_vma, NA, 0, 0, 0},
};

TEST(assembler_encodings_decode_to_the_right_operation_and_operands)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct expect *e = &cases[i];
        struct insn in;
        insn_decode(e->raw, &in);
        if (in.op != e->op)
            fprintf(stderr, "raw 0x%x decoded as row %s\n", e->raw, insn_row_name(in.row));
        CHECK_EQ(in.op, e->op);
        if (e->rd != NA)
            CHECK_EQ(in.rd, e->rd);
        if (e->rs1 != NA)
            CHECK_EQ(in.rs1, e->rs1);
        if (e->rs2 != NA)
            CHECK_EQ(in.rs2, e->rs2);
        CHECK_EQ(in.imm, e->imm);
        CHECK_EQ(in.len, (e->raw & 3) == 3 ? 4 : 2);
    }
}

TEST(fp_fields_carry_rs3_and_rounding_mode)
{
    struct insn in;
    insn_decode(0x223110c3, &in); /* fmadd.d ft1,ft2,ft3,ft4,rtz */
    CHECK_EQ(in.op, OP_fmadd_d);
    CHECK_EQ(in.rd, 1);
    CHECK_EQ(in.rs1, 2);
    CHECK_EQ(in.rs2, 3);
    CHECK_EQ(in.rs3, 4);
    CHECK_EQ(in.rm, 1);
    insn_decode(0xc030c553, &in); /* fcvt.lu.s a0,ft1,rmm */
    CHECK_EQ(in.op, OP_fcvt_lu_s);
    CHECK_EQ(in.rm, 4);
}

TEST(reserved_and_illegal_encodings_are_rejected)
{
    static const uint32_t bad[] = {
        0x0000,     /* c.addi4spn with zero immediate (the all-zero instruction) */
        0x4002,     /* c.lwsp x0 */
        0x6002,     /* c.ldsp x0 */
        0x8002,     /* c.jr x0 */
        0x2001,     /* c.addiw x0 */
        0x6101,     /* c.addi16sp 0 */
        0x6501,     /* c.lui a0, 0 */
        0x9c41,     /* reserved CA-format code point */
        0x8000,     /* quadrant 0 funct3 100: reserved */
        0xffffffff, /* no such 32-bit opcode */
        0x0200101b, /* slliw with shamt[5] set is reserved... decoded, rejected at execute */
    };
    for (unsigned i = 0; i + 1 < ARRAY_SIZE(bad); i++) {
        struct insn in;
        insn_decode(bad[i], &in);
        if (in.op != OP_ILLEGAL)
            fprintf(stderr, "0x%x decoded as %s\n", bad[i], insn_row_name(in.row));
        CHECK_EQ(in.op, OP_ILLEGAL);
    }
}

/* The raw mask/match of each row, as the table declares them. */
static const struct {
    uint32_t mask, match;
} table[ROW_COUNT] = {
#define I(name, mask, match, fmt) [ROW_##name] = {mask, match},
#define C(name, mask, match, fmt, target) [ROW_##name] = {mask, match},
#include "cpu/insn.def"
#undef I
#undef C
};

TEST(every_row_is_reachable_by_some_encoding)
{
    /* A row shadowed by an earlier, overlapping row would be dead: fill the row's free bits
     * with pseudo-random values until one encoding decodes to that row. */
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (unsigned r = 0; r < ROW_ILLEGAL; r++) {
        bool reached = false;
        CHECK_EQ(table[r].match & ~table[r].mask, 0);
        for (int tries = 0; tries < 4000 && !reached; tries++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            uint32_t raw = (table[r].match | ((uint32_t)seed & ~table[r].mask));
            if ((table[r].match & 3) != 3)
                raw &= 0xffff;
            struct insn in;
            insn_decode(raw, &in);
            reached = in.row == r;
        }
        if (!reached)
            fprintf(stderr, "row %s unreachable\n", insn_row_name(r));
        CHECK(reached);
    }
}

TEST_MAIN("decode")
