/* The table-driven decoder: insn.def rows are indexed once by major opcode, then matched
 * by mask in row order. Compressed instructions are expanded to their 32-bit operation so
 * the interpreter (and translator) handle one form. */
#include "cpu_priv.h"

#include <stdio.h>
#include <stdlib.h>

enum fmt {
    F_NONE, F_R, F_I, F_S, F_B, F_U, F_J, F_SH6, F_CSR, F_R4, F_RM,
    CF_NONE, CF_ADDI4SPN, CF_LW, CF_LD, CF_SW, CF_SD, CF_ADDI, CF_ADDIW, CF_LI, CF_ADDI16SP,
    CF_LUI, CF_SHIFT, CF_ANDI, CF_ALU, CF_J, CF_BRANCH, CF_SLLI, CF_LWSP, CF_LDSP, CF_JR, CF_MV,
    CF_JALR, CF_ADD, CF_SWSP, CF_SDSP,
};

struct row {
    const char *name;
    uint32_t mask, match;
    uint8_t fmt;
    uint16_t op;
};

static const struct row rows[ROW_COUNT] = {
#define I(name, mask, match, fmt) [ROW_##name] = {#name, mask, match, fmt, OP_##name},
#define C(name, mask, match, fmt, target) [ROW_##name] = {#name, mask, match, fmt, OP_##target},
#include "insn.def"
#undef I
#undef C
    [ROW_ILLEGAL] = {"illegal", 0, 0, F_NONE, OP_ILLEGAL},
};

/* Rows ever decoded, for the ISA suite's coverage check. Decoding happens once per distinct
 * instruction word (the interpreter caches by raw bits), so recording here is free. Every hart
 * thread decodes: the flags are set and read with relaxed atomics. */
static bool row_seen[ROW_COUNT];

bool insn_row_seen(unsigned row)
{
    return row < ROW_COUNT && __atomic_load_n(&row_seen[row], __ATOMIC_RELAXED);
}

const char *insn_row_name(unsigned row)
{
    return row < ROW_COUNT ? rows[row].name : "?";
}

/* Candidate rows per major opcode: 128 buckets for 32-bit opcodes (bits 6:0), then 32 for
 * compressed (quadrant + funct3). Each list is a run of row numbers ending in ROW_COUNT. */
#define MAX_PER_BUCKET 96
static uint16_t buckets[128 + 32][MAX_PER_BUCKET];
static bool buckets_ready;

static unsigned bucket_of(uint32_t raw)
{
    if ((raw & 3) == 3)
        return raw & 0x7f;
    return 128 + (((raw >> 13) & 7) << 2 | (raw & 3));
}

/* VISOR_INSN_COVERAGE=FILE appends the names of the rows this process decoded to FILE at
 * exit; tests/insn-coverage.sh runs the ISA suite with it and checks every row appears. */
static void coverage_write(void)
{
    const char *path = getenv("VISOR_INSN_COVERAGE");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    for (unsigned r = 0; r < ROW_ILLEGAL; r++)
        if (__atomic_load_n(&row_seen[r], __ATOMIC_RELAXED))
            fprintf(f, "%s\n", rows[r].name);
    fclose(f);
}

static void build_buckets(void)
{
    if (getenv("VISOR_INSN_COVERAGE"))
        atexit(coverage_write);
    unsigned fill[128 + 32] = {0};
    for (unsigned r = 0; r < ROW_ILLEGAL; r++) {
        bool compressed = rows[r].fmt >= CF_NONE;
        for (unsigned b = 0; b < 128 + 32; b++) {
            /* A row belongs to every bucket whose fixed bits agree with its match. */
            uint32_t probe, fixed;
            if (b < 128) {
                if (compressed)
                    continue;
                probe = b, fixed = 0x7f;
            } else {
                if (!compressed)
                    continue;
                unsigned k = b - 128;
                probe = (k & 3) | ((k >> 2) << 13), fixed = 0xe003;
            }
            if (((rows[r].match ^ probe) & rows[r].mask & fixed) == 0) {
                if (fill[b] + 1 >= MAX_PER_BUCKET)
                    die("decoder: bucket %u overflows; raise MAX_PER_BUCKET", b);
                buckets[b][fill[b]++] = (uint16_t)r;
            }
        }
    }
    for (unsigned b = 0; b < 128 + 32; b++)
        buckets[b][fill[b]] = ROW_COUNT;
    buckets_ready = true;
}

static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* Bit i of v placed at position at. */
#define BIT(v, i, at) ((uint32_t)(((v) >> (i)) & 1) << (at))

static bool decode_fields(const struct row *r, uint32_t raw, struct insn *in)
{
    in->rd = bits(raw, 11, 7);
    in->rs1 = bits(raw, 19, 15);
    in->rs2 = bits(raw, 24, 20);
    in->rs3 = bits(raw, 31, 27);
    in->rm = bits(raw, 14, 12);
    unsigned rdp = 8 + bits(raw, 4, 2), rs1p = 8 + bits(raw, 9, 7);
    uint32_t ci6 = BIT(raw, 12, 5) | bits(raw, 6, 2); /* c.addi-style 6-bit immediate */
    switch (r->fmt) {
    case F_NONE:
    case F_R:
    case F_RM:
    case F_R4:
        in->imm = 0;
        return true;
    case F_I:
        in->imm = sext(raw >> 20, 12);
        return true;
    case F_S:
        in->imm = sext(bits(raw, 31, 25) << 5 | bits(raw, 11, 7), 12);
        return true;
    case F_B:
        in->imm = sext(BIT(raw, 31, 12) | BIT(raw, 7, 11) | bits(raw, 30, 25) << 5 |
                           bits(raw, 11, 8) << 1, 13);
        return true;
    case F_U:
        in->imm = sext(raw & 0xfffff000u, 32);
        return true;
    case F_J:
        in->imm = sext(BIT(raw, 31, 20) | bits(raw, 19, 12) << 12 | BIT(raw, 20, 11) |
                           bits(raw, 30, 21) << 1, 21);
        return true;
    case F_SH6:
        in->imm = bits(raw, 25, 20);
        return true;
    case F_CSR:
        in->imm = raw >> 20;
        return true;

    case CF_NONE:
        in->rd = in->rs1 = in->rs2 = 0;
        in->imm = 0;
        return true;
    case CF_ADDI4SPN:
        in->rd = rdp, in->rs1 = 2;
        in->imm = bits(raw, 12, 11) << 4 | bits(raw, 10, 7) << 6 | BIT(raw, 6, 2) | BIT(raw, 5, 3);
        return in->imm != 0;
    case CF_LW:
    case CF_SW:
        in->rd = rdp, in->rs1 = rs1p, in->rs2 = rdp;
        in->imm = bits(raw, 12, 10) << 3 | BIT(raw, 6, 2) | BIT(raw, 5, 6);
        return true;
    case CF_LD:
    case CF_SD:
        in->rd = rdp, in->rs1 = rs1p, in->rs2 = rdp;
        in->imm = bits(raw, 12, 10) << 3 | bits(raw, 6, 5) << 6;
        return true;
    case CF_ADDI:
        in->rs1 = in->rd;
        in->imm = sext(ci6, 6);
        return true;
    case CF_ADDIW:
        in->rs1 = in->rd;
        in->imm = sext(ci6, 6);
        return in->rd != 0;
    case CF_LI:
        in->rs1 = 0;
        in->imm = sext(ci6, 6);
        return true;
    case CF_ADDI16SP:
        in->rd = in->rs1 = 2;
        in->imm = sext(BIT(raw, 12, 9) | BIT(raw, 6, 4) | BIT(raw, 5, 6) | bits(raw, 4, 3) << 7 |
                           BIT(raw, 2, 5), 10);
        return in->imm != 0;
    case CF_LUI:
        in->imm = sext(ci6 << 12, 18);
        return in->imm != 0;
    case CF_SHIFT:
    case CF_ANDI:
        in->rd = in->rs1 = rs1p;
        in->imm = r->fmt == CF_ANDI ? (int64_t)sext(ci6, 6) : (int64_t)ci6;
        return true;
    case CF_ALU:
        in->rd = in->rs1 = rs1p, in->rs2 = rdp;
        return true;
    case CF_J:
        in->rd = 0;
        in->imm = sext(BIT(raw, 12, 11) | BIT(raw, 11, 4) | bits(raw, 10, 9) << 8 |
                           BIT(raw, 8, 10) | BIT(raw, 7, 6) | BIT(raw, 6, 7) |
                           bits(raw, 5, 3) << 1 | BIT(raw, 2, 5), 12);
        return true;
    case CF_BRANCH:
        in->rs1 = rs1p, in->rs2 = 0;
        in->imm = sext(BIT(raw, 12, 8) | bits(raw, 11, 10) << 3 | bits(raw, 6, 5) << 6 |
                           bits(raw, 4, 3) << 1 | BIT(raw, 2, 5), 9);
        return true;
    case CF_SLLI:
        in->rs1 = in->rd;
        in->imm = ci6;
        return true;
    case CF_LWSP:
        in->rs1 = 2;
        in->imm = BIT(raw, 12, 5) | bits(raw, 6, 4) << 2 | bits(raw, 3, 2) << 6;
        return in->rd != 0;
    case CF_LDSP:
        in->rs1 = 2;
        in->imm = BIT(raw, 12, 5) | bits(raw, 6, 5) << 3 | bits(raw, 4, 2) << 6;
        return in->rd != 0 || r->op == OP_fld; /* c.fldsp may load f0 */
    case CF_JR:
        in->rs1 = in->rd, in->rd = 0, in->imm = 0;
        return in->rs1 != 0;
    case CF_MV:
        in->rs1 = 0, in->rs2 = bits(raw, 6, 2);
        return true;
    case CF_JALR:
        in->rs1 = in->rd, in->rd = 1, in->imm = 0;
        return true;
    case CF_ADD:
        in->rs1 = in->rd, in->rs2 = bits(raw, 6, 2);
        return true;
    case CF_SWSP:
        in->rs1 = 2, in->rs2 = bits(raw, 6, 2);
        in->imm = bits(raw, 12, 9) << 2 | bits(raw, 8, 7) << 6;
        return true;
    case CF_SDSP:
        in->rs1 = 2, in->rs2 = bits(raw, 6, 2);
        in->imm = bits(raw, 12, 10) << 3 | bits(raw, 9, 7) << 6;
        return true;
    }
    return false;
}

void insn_decode(uint32_t raw, struct insn *in)
{
    if (UNLIKELY(!buckets_ready))
        build_buckets();
    in->raw = raw;
    in->len = (raw & 3) == 3 ? 4 : 2;
    for (const uint16_t *r = buckets[bucket_of(raw)]; *r != ROW_COUNT; r++) {
        const struct row *row = &rows[*r];
        if ((raw & row->mask) != row->match)
            continue;
        if (!decode_fields(row, raw, in))
            break;
        in->op = row->op;
        in->row = *r;
        __atomic_store_n(&row_seen[*r], true, __ATOMIC_RELAXED);
        return;
    }
    in->op = OP_ILLEGAL;
    in->row = ROW_ILLEGAL;
    in->rd = in->rs1 = in->rs2 = in->rs3 = in->rm = 0;
    in->imm = 0;
}
