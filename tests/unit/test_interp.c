/* The interpreter's threaded loop against the instruction-by-instruction one: the same program
 * on two machines, one run through hart_run in slices of every small budget, the other one
 * instruction at a time; registers, pc and counters must agree after every slice. The
 * program crosses pages sequentially (with a 4-byte instruction straddling the boundary) and
 * by jumps, rewrites the instruction right after a store (the two a fused pair), faults in
 * both halves of fused pairs, traps and returns, reads minstret, and runs F/D and in-page
 * loops, so a slice ends at every kind of uop. */
#include "test.h"

#include "cpu/predecode.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (64ull << 10)

/* ---- a few encoders ---- */
static uint32_t enc_i(unsigned opc, unsigned rd, unsigned f3, unsigned rs1, int32_t imm)
{
    return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t enc_r(unsigned opc, unsigned rd, unsigned f3, unsigned rs1, unsigned rs2,
                      unsigned f7)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t enc_s(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    return (uint32_t)((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           (uint32_t)(imm & 0x1f) << 7 | 0x23;
}
static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t off)
{
    uint32_t o = (uint32_t)off;
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           ((o >> 1) & 0xf) << 8 | ((o >> 11) & 1) << 7 | 0x63;
}
static uint32_t enc_j(unsigned rd, int32_t off)
{
    uint32_t o = (uint32_t)off;
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 | ((o >> 11) & 1) << 20 |
           ((o >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}
#define ADDI(rd, rs1, imm) enc_i(0x13, rd, 0, rs1, imm)
#define ADD(rd, rs1, rs2) enc_r(0x33, rd, 0, rs1, rs2, 0)
#define XOR(rd, rs1, rs2) enc_r(0x33, rd, 4, rs1, rs2, 0)
#define LUI(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x37)
#define AUIPC(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x17)
#define LD(rd, rs1, imm) enc_i(0x03, rd, 3, rs1, imm)
#define LW(rd, rs1, imm) enc_i(0x03, rd, 2, rs1, imm)
#define SD(rs2, rs1, imm) enc_s(3, rs1, rs2, imm)
#define SW(rs2, rs1, imm) enc_s(2, rs1, rs2, imm)
#define CSRR(rd, csr) enc_i(0x73, rd, 2, 0, csr)
#define CSRW(csr, rs1) enc_i(0x73, 0, 1, rs1, csr)
#define CSRS(csr, rs1) enc_i(0x73, 0, 2, rs1, csr)
#define ECALL 0x00000073u
#define MRET 0x30200073u
#define C_NOP 0x0001u
#define C_ADDI(rd, imm) (uint16_t)((((imm) >> 5) & 1) << 12 | (rd) << 7 | ((imm) & 31) << 2 | 1)
#define C_ADD(rd, rs2) (uint16_t)(0x9002 | (rd) << 7 | (rs2) << 2)
#define C_LI(rd, imm) (uint16_t)(0x4001 | (((imm) >> 5) & 1) << 12 | (rd) << 7 | ((imm) & 31) << 2)
#define FCVT_D_L(rd, rs1) enc_r(0x53, rd, 0, rs1, 2, 0x69)
#define FADD_D(rd, rs1, rs2) enc_r(0x53, rd, 0, rs1, rs2, 0x01)

/* The program image, assembled at fixed addresses. */
static uint8_t image[RAM_SIZE];
static uint64_t at; /* where the next instruction goes */

static void emit32(uint32_t w)
{
    memcpy(image + (at - RAM_BASE), &w, 4);
    at += 4;
}

static void emit16(uint16_t w)
{
    memcpy(image + (at - RAM_BASE), &w, 2);
    at += 2;
}

/* rd = target, by auipc and addi. */
static void la(unsigned rd, uint64_t target)
{
    int64_t d = (int64_t)(target - at);
    int64_t hi = (d + 0x800) >> 12, lo = d - (hi << 12);
    emit32(AUIPC(rd, (uint32_t)hi & 0xfffff));
    emit32(ADDI(rd, rd, (int32_t)lo));
}

#define HANDLER (RAM_BASE + 0x100)
#define LOOP (RAM_BASE + 0xf00)
#define DATA (RAM_BASE + 0x4000)

static void assemble(void)
{
    memset(image, 0, sizeof(image));
    /* c.addi x12, 1; c.nop: the store rewrites it to c.addi x12, 2 and back */
    uint32_t smc_word = (uint32_t)C_ADDI(12, 1) | (uint32_t)C_NOP << 16;
    memcpy(image + (DATA + 8 - RAM_BASE), &smc_word, 4);

    at = RAM_BASE;
    la(6, DATA);
    emit32(ADDI(10, 0, 50));
    la(15, HANDLER);
    emit32(CSRW(0x305, 15)); /* mtvec */
    emit32(LW(13, 6, 8));
    emit32(ADDI(22, 0, 0xc)); /* toggles c.addi's immediate between 1 and 2 */
    emit32(ADDI(24, 0, 0x100)); /* nothing there: accesses fault */
    emit32(LUI(23, 0x2));
    emit32(CSRS(0x300, 23)); /* mstatus.FS = initial */
    emit32(enc_j(0, (int32_t)(LOOP - at)));

    at = HANDLER; /* ecall and access faults (all 4 bytes): count them, step over them */
    emit32(CSRR(16, 0x341));
    emit32(ADDI(16, 16, 4));
    emit32(CSRW(0x341, 16));
    emit32(ADDI(17, 17, 1));
    emit32(MRET);

    at = LOOP;
    emit32(ADDI(5, 5, 1));
    emit16(C_ADDI(9, 3));
    emit16(C_ADD(9, 5));
    emit32(ADDI(18, 0, 5));
    uint64_t inner = at;
    emit32(ADDI(18, 18, -1));
    emit32(ADD(19, 19, 18));
    emit32(enc_b(1, 18, 0, (int32_t)(inner - at))); /* bne: a loop inside the page */
    while (at < RAM_BASE + 0xffe)
        emit16(C_NOP);
    emit32(ADDI(11, 11, 3)); /* straddles the page boundary */
    emit32(SD(5, 6, 0));
    emit32(LD(7, 6, 0));
    emit32(LW(20, 6, 4));
    emit32(CSRR(8, 0xb02)); /* minstret */
    emit32(ADD(21, 21, 8));
    emit32(ECALL);
    emit32(FCVT_D_L(1, 5));
    emit32(FADD_D(2, 2, 1));
    emit32(XOR(13, 13, 22));
    uint64_t la14 = at;
    at += 8;
    emit32(SW(13, 14, 0)); /* rewrites the next instruction: a fused store + c.addi */
    uint64_t smc = at;
    emit16(C_ADDI(12, 1));
    emit16(C_NOP);
    emit16(C_ADD(24, 27));   /* x27 = 0 */
    emit32(LW(25, 24, 0));   /* faults as the second of a fused pair */
    emit32(SW(5, 24, 0));    /* faults as the first of a fused pair */
    emit16(C_ADDI(26, 1));
    emit16(C_LI(28, 3));
    emit32(LW(29, 6, 2));    /* misaligned: the slow path, which completes it */
    emit32(enc_b(4, 5, 10, (int32_t)(LOOP - at))); /* blt: back to the previous page */
    emit32(ADDI(5, 0, 0));
    emit32(enc_j(0, (int32_t)(LOOP - at)));
    uint64_t end = at;
    at = la14;
    la(14, smc);
    at = end;
}

static void machine(struct bus *b, struct hart *h)
{
    bus_init(b, RAM_BASE, RAM_SIZE);
    CHECK(bus_copy_to(b, RAM_BASE, image, RAM_SIZE) == 0);
    hart_init(h, 0, b);
    hart_reset(h, RAM_BASE);
}

static bool same(const struct hart *a, const struct hart *b)
{
    return !memcmp(a->x, b->x, sizeof(a->x)) && !memcmp(a->f, b->f, sizeof(a->f)) &&
           a->pc == b->pc && a->minstret == b->minstret && a->mcycle == b->mcycle &&
           a->priv == b->priv && a->mstatus == b->mstatus;
}

/* Runs the program on both machines in slices of every budget from 1 to 41; max_pages, when
 * not 0, makes the threaded hart drop all its predecoded pages that often. */
static void compare(unsigned max_pages)
{
    static struct bus ba, bb;
    static struct hart ha, hb;
    assemble();
    machine(&ba, &ha);
    machine(&bb, &hb);
    uint64_t total = 0;
    bool ok = true;
    for (unsigned round = 0; round < 300 && ok; round++) {
        for (uint64_t k = 1; k <= 41 && ok; k += 1 + round % 3) {
            uint64_t n = hart_run(&ha, k);
            CHECK_EQ(n, k);
            CHECK_EQ(interp_steps(&hb, k), k);
            total += k;
            ok = same(&ha, &hb);
            if (max_pages && ha.pd)
                ha.pd->max = max_pages;
        }
    }
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "after %" PRIu64 " instructions: pc %" PRIx64 " / %" PRIx64
                        ", minstret %" PRIu64 " / %" PRIu64 "\n",
                total, ha.pc, hb.pc, ha.minstret, hb.minstret);
    CHECK(ha.pd != NULL);      /* it did run the threaded loop */
    CHECK(ha.x[17] > 30);      /* ecalls and faults trapped */
    CHECK(ha.x[12] > ha.x[5]); /* the rewritten instruction ran in both forms */
    CHECK(ha.x[5] > 0 && ha.x[11] > 0);
    hart_free(&ha);
    bus_free(&ba);
    bus_free(&bb);
}

TEST(threaded_matches_stepping_at_every_budget)
{
    compare(0);
}

TEST(threaded_matches_stepping_when_pages_are_dropped_at_each_page_change)
{
    compare(1);
}

TEST_MAIN("interp")
