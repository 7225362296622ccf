/* A minimal RISC-V assembler: the formats the trap handlers and the generator's fixed
 * sequences need, immediate patching for branch fix-ups, and `li`. The generator checks every
 * word it emits against insn_decode, so an encoding slip here fails loudly, not silently. */
#include "diff.h"

uint32_t asm_r(uint32_t opc, unsigned f3, unsigned f7, unsigned rd, unsigned rs1, unsigned rs2)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

uint32_t asm_i(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1, int64_t imm)
{
    return asm_set_i(rs1 << 15 | f3 << 12 | rd << 7 | opc, imm);
}

uint32_t asm_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int64_t imm)
{
    return asm_set_s(rs2 << 20 | rs1 << 15 | f3 << 12 | opc, imm);
}

uint32_t asm_b(unsigned f3, unsigned rs1, unsigned rs2, int64_t off)
{
    return asm_set_b(rs2 << 20 | rs1 << 15 | f3 << 12 | OPC_BRANCH, off);
}

uint32_t asm_u(uint32_t opc, unsigned rd, uint32_t imm20)
{
    return (imm20 & 0xfffff) << 12 | rd << 7 | opc;
}

uint32_t asm_j(unsigned rd, int64_t off)
{
    return asm_set_j(rd << 7 | 0x6f, off);
}

uint32_t asm_csr(unsigned f3, unsigned rd, unsigned csr, unsigned rs1)
{
    return csr << 20 | rs1 << 15 | f3 << 12 | rd << 7 | OPC_SYSTEM;
}

uint32_t asm_set_i(uint32_t raw, int64_t imm)
{
    return (raw & 0x000fffff) | ((uint32_t)imm & 0xfff) << 20;
}

uint32_t asm_set_s(uint32_t raw, int64_t imm)
{
    uint32_t v = (uint32_t)imm;
    return (raw & 0x01fff07f) | (v >> 5 & 0x7f) << 25 | (v & 0x1f) << 7;
}

uint32_t asm_set_b(uint32_t raw, int64_t off)
{
    uint32_t v = (uint32_t)off;
    return (raw & 0x01fff07f) | (v >> 12 & 1) << 31 | (v >> 5 & 0x3f) << 25 | (v >> 1 & 0xf) << 8 |
           (v >> 11 & 1) << 7;
}

uint32_t asm_set_j(uint32_t raw, int64_t off)
{
    uint32_t v = (uint32_t)off;
    return (raw & 0xfff) | (v >> 20 & 1) << 31 | (v >> 1 & 0x3ff) << 21 | (v >> 11 & 1) << 20 |
           (v >> 12 & 0xff) << 12;
}

/* c.beqz/c.bnez: offset[8|4:3] in 12|11:10, offset[7:6|2:1|5] in 6:5|4:3|2. */
uint32_t asm_set_cb(uint32_t raw, int64_t off)
{
    uint32_t v = (uint32_t)off;
    return (raw & 0xe383) | (v >> 8 & 1) << 12 | (v >> 3 & 3) << 10 | (v >> 6 & 3) << 5 |
           (v >> 1 & 3) << 3 | (v >> 5 & 1) << 2;
}

/* c.j: offset[11|4|9:8|10|6|7|3:1|5] in bits 12..2. */
uint32_t asm_set_cj(uint32_t raw, int64_t off)
{
    uint32_t v = (uint32_t)off;
    return (raw & 0xe003) | (v >> 11 & 1) << 12 | (v >> 4 & 1) << 11 | (v >> 8 & 3) << 9 |
           (v >> 10 & 1) << 8 | (v >> 6 & 1) << 7 | (v >> 7 & 1) << 6 | (v >> 1 & 7) << 3 |
           (v >> 5 & 1) << 2;
}

/* The usual expansion: a sign-extended 32-bit value is lui + addiw; a wider one is the value
 * without its low 12 bits and trailing zeros, loaded recursively, shifted back, plus the low
 * 12 bits. Each step is exact in 64-bit two's complement, so the result is v. */
unsigned asm_li(uint32_t *out, unsigned rd, uint64_t v)
{
    int64_t s = (int64_t)v;
    if (s == (int64_t)sext(v, 12)) {
        out[0] = asm_i(OPC_IMM, 0, rd, 0, s);
        return 1;
    }
    if (s == (int64_t)sext(v, 32)) {
        int64_t lo = (int64_t)sext(v & 0xfff, 12);
        uint32_t hi = (uint32_t)((v - (uint64_t)lo) >> 12) & 0xfffff;
        unsigned n = 0;
        out[n++] = asm_u(OPC_LUI, rd, hi);
        if (lo)
            out[n++] = asm_i(OPC_IMM32, 0, rd, rd, lo);
        return n;
    }
    int64_t lo = (int64_t)sext(v & 0xfff, 12);
    int64_t hi = (int64_t)(v - (uint64_t)lo) >> 12;
    unsigned shift = 12;
    while (!(hi & 1)) { /* hi != 0 here: v was not a small value */
        hi >>= 1;
        shift++;
    }
    unsigned n = asm_li(out, rd, (uint64_t)hi);
    out[n++] = asm_i(OPC_IMM, 1, rd, rd, shift); /* slli */
    if (lo)
        out[n++] = asm_i(OPC_IMM, 0, rd, rd, lo);
    return n;
}
