// RV64I base integer instructions: every opcode, sign/zero extension, shift amounts at their
// edges, branches on signed/unsigned boundaries, x0 as destination, misaligned loads and stores
// (performed, not trapped, on this board), jalr clearing bit 0 of the target, fence.i after
// self-modifying code.
#include "common/test.h"

.macro TEST_BR op, a, b, taken
    li t1, \a
    li t2, \b
    li t0, 0
    \op t1, t2, .Ltaken\@
    j .Ldone\@
.Ltaken\@:
    li t0, 1
.Ldone\@:
    EXPECT "\op \a \b taken", t0, \taken
.endm

.macro TEST_LD op, sym, off, exp
    lla t1, \sym
    \op t0, \off(t1)
    EXPECT "\op \sym+\off", t0, \exp
.endm

TEST_BEGIN rv64i
    /* lui / auipc */
    lui t0, 0x12345
    EXPECT "lui 0x12345", t0, 0x12345000
    lui t0, 0x80000
    EXPECT "lui 0x80000 sign-extends", t0, 0xffffffff80000000
    lui t0, 0xfffff
    EXPECT "lui 0xfffff", t0, 0xfffffffffffff000
    lui t0, 0
    EXPECT "lui 0", t0, 0
1:  auipc t0, 0
    lla t1, 1b
    EXPECTR "auipc 0 = pc", t0, t1
2:  auipc t0, 0x1
    lla t1, 2b
    li t2, 0x1000
    add t1, t1, t2
    EXPECTR "auipc 1 = pc+0x1000", t0, t1
3:  auipc t0, 0x80000
    lla t1, 3b
    li t2, 0xffffffff80000000
    add t1, t1, t2
    EXPECTR "auipc 0x80000 = pc-2GiB", t0, t1

    /* addi and friends */
    TEST_RI addi, 0, 0, 0
    TEST_RI addi, 1, 1, 2
    TEST_RI addi, 3, -1, 2
    TEST_RI addi, 0, 2047, 2047
    TEST_RI addi, 0, -2048, -2048
    TEST_RI addi, 0x7fffffffffffffff, 1, 0x8000000000000000
    TEST_RI addi, 0x8000000000000000, -1, 0x7fffffffffffffff
    TEST_RI slti, 1, 2, 1
    TEST_RI slti, 2, 1, 0
    TEST_RI slti, -1, 0, 1
    TEST_RI slti, 0, -1, 0
    TEST_RI slti, 0x8000000000000000, -2048, 1
    TEST_RI slti, 5, 5, 0
    TEST_RI sltiu, 1, 2, 1
    TEST_RI sltiu, 0, -1, 1
    TEST_RI sltiu, -1, -1, 0
    TEST_RI sltiu, -2, -1, 1
    TEST_RI sltiu, 0, 1, 1
    TEST_RI sltiu, 0x8000000000000000, 2047, 0
    TEST_RI xori, 0x00ff00ff00ff00ff, 0x0f0, 0x00ff00ff00ff000f
    TEST_RI xori, 0x00ff00ff00ff00ff, -1, 0xff00ff00ff00ff00
    TEST_RI ori, 0x0000000000f0000f, 0x7f0, 0x0000000000f007ff
    TEST_RI ori, 0x1234, -2048, 0xfffffffffffffa34
    TEST_RI andi, 0xff00ff00ff00ff00, 0x70f, 0x0000000000000700
    TEST_RI andi, 0xff00ff00ff00ff00, -256, 0xff00ff00ff00ff00
    TEST_RI slli, 1, 0, 1
    TEST_RI slli, 1, 1, 2
    TEST_RI slli, 1, 31, 0x80000000
    TEST_RI slli, 1, 32, 0x100000000
    TEST_RI slli, 1, 63, 0x8000000000000000
    TEST_RI slli, 0xffffffffffffffff, 63, 0x8000000000000000
    TEST_RI srli, 0x8000000000000000, 0, 0x8000000000000000
    TEST_RI srli, 0x8000000000000000, 1, 0x4000000000000000
    TEST_RI srli, 0x8000000000000000, 63, 1
    TEST_RI srli, 0xffffffff80000000, 32, 0xffffffff
    TEST_RI srai, 0x8000000000000000, 0, 0x8000000000000000
    TEST_RI srai, 0x8000000000000000, 1, 0xc000000000000000
    TEST_RI srai, 0x8000000000000000, 63, 0xffffffffffffffff
    TEST_RI srai, 0x7fffffffffffffff, 63, 0
    TEST_RI srai, 0x0000000080000000, 31, 1

    /* register-register */
    TEST_RR add, 1, 2, 3
    TEST_RR add, -1, 1, 0
    TEST_RR add, 0x7fffffffffffffff, 1, 0x8000000000000000
    TEST_RR add, 0xffffffff, 1, 0x100000000
    TEST_RR sub, 1, 2, -1
    TEST_RR sub, 0, 0x8000000000000000, 0x8000000000000000
    TEST_RR sub, 0x8000000000000000, 1, 0x7fffffffffffffff
    TEST_RR sll, 1, 63, 0x8000000000000000
    TEST_RR sll, 1, 64, 1
    TEST_RR sll, 1, 65, 2
    TEST_RR sll, 3, -1, 0x8000000000000000
    TEST_RR sll, 0x12345678, 0xffffffffffffffc4, 0x123456780
    TEST_RR slt, -1, 0, 1
    TEST_RR slt, 0, -1, 0
    TEST_RR slt, 0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_RR slt, 7, 7, 0
    TEST_RR sltu, -1, 0, 0
    TEST_RR sltu, 0, -1, 1
    TEST_RR sltu, 0x7fffffffffffffff, 0x8000000000000000, 1
    TEST_RR sltu, 0, 0, 0
    TEST_RR xor, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0
    TEST_RR or, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0
    TEST_RR and, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00
    TEST_RR srl, 0x8000000000000000, 63, 1
    TEST_RR srl, 0x8000000000000000, 64, 0x8000000000000000
    TEST_RR srl, 0x8000000000000000, 127, 1
    TEST_RR srl, -1, 4, 0x0fffffffffffffff
    TEST_RR sra, 0x8000000000000000, 63, -1
    TEST_RR sra, 0x8000000000000000, 64, 0x8000000000000000
    TEST_RR sra, 0x8000000000000000, 68, 0xf800000000000000
    TEST_RR sra, 0x4000000000000000, 62, 1
    TEST_RR_SAME1 add, 5, 6, 11
    TEST_RR_SAME2 sub, 5, 6, -1
    TEST_RR_X0 add, 5, 6
    li t1, 77
    add t2, t1, t1
    EXPECT "add rd rs1=rs2", t2, 154

    /* 32-bit (W) forms: compute on the low 32 bits, sign-extend the result */
    TEST_RI addiw, 0x7fffffff, 1, 0xffffffff80000000
    TEST_RI addiw, 0xffffffff, 1, 0
    TEST_RI addiw, 0x123456789, 0, 0x23456789
    TEST_RI addiw, 0x80000000, 0, 0xffffffff80000000
    TEST_RI addiw, 0, -2048, -2048
    TEST_RI slliw, 1, 31, 0xffffffff80000000
    TEST_RI slliw, 0xffffffff00000001, 0, 1
    TEST_RI slliw, 3, 31, 0xffffffff80000000
    TEST_RI srliw, 0xffffffff80000000, 0, 0xffffffff80000000
    TEST_RI srliw, 0xffffffff80000000, 1, 0x40000000
    TEST_RI srliw, 0xffffffff80000000, 31, 1
    TEST_RI srliw, 0x12345678ffffffff, 4, 0x0fffffff
    TEST_RI sraiw, 0x80000000, 31, -1
    TEST_RI sraiw, 0x80000000, 0, 0xffffffff80000000
    TEST_RI sraiw, 0x00000000ffff0000, 16, -1
    TEST_RI sraiw, 0xffffffff7fffffff, 30, 1
    TEST_RR addw, 0x7fffffff, 1, 0xffffffff80000000
    TEST_RR addw, 0x100000000, 0x100000000, 0
    TEST_RR addw, -1, -1, -2
    TEST_RR subw, 0, 0x80000000, 0xffffffff80000000
    TEST_RR subw, 0x80000000, 1, 0x7fffffff
    TEST_RR subw, 0x500000003, 0x100000001, 2
    TEST_RR sllw, 1, 31, 0xffffffff80000000
    TEST_RR sllw, 1, 32, 1
    TEST_RR sllw, 1, 63, 0xffffffff80000000
    TEST_RR sllw, 0xffffffff, 4, 0xfffffffffffffff0
    TEST_RR srlw, 0x80000000, 31, 1
    TEST_RR srlw, 0x80000000, 32, 0xffffffff80000000
    TEST_RR srlw, 0xffffffff00000010, 4, 1
    TEST_RR srlw, -1, 0, -1
    TEST_RR sraw, 0x80000000, 31, -1
    TEST_RR sraw, 0x80000000, 33, 0xffffffffc0000000
    TEST_RR sraw, 0x7fffffff, 30, 1
    TEST_RR sraw, 0xffffffff00000001, 0, 1

    /* branches */
    TEST_BR beq, 1, 1, 1
    TEST_BR beq, 1, 2, 0
    TEST_BR beq, -1, 0xffffffff, 0
    TEST_BR bne, 1, 1, 0
    TEST_BR bne, 0x100000000, 0, 1
    TEST_BR blt, -1, 0, 1
    TEST_BR blt, 0, -1, 0
    TEST_BR blt, 0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_BR blt, 3, 3, 0
    TEST_BR bge, 3, 3, 1
    TEST_BR bge, -1, 0, 0
    TEST_BR bge, 0x7fffffffffffffff, 0x8000000000000000, 1
    TEST_BR bltu, 0, -1, 1
    TEST_BR bltu, -1, 0, 0
    TEST_BR bltu, 3, 3, 0
    TEST_BR bgeu, -1, 0, 1
    TEST_BR bgeu, 0, -1, 0
    TEST_BR bgeu, 0x8000000000000000, 0x7fffffffffffffff, 1
    /* a backward taken branch */
    li t0, 0
    li t1, 5
4:  addi t0, t0, 2
    addi t1, t1, -1
    bnez t1, 4b
    EXPECT "backward bne loop", t0, 10

    /* jal / jalr: link value, target, bit 0 of the jalr target cleared, rd = rs1 */
    jal t1, 5f
5:  lla t2, 5b
    EXPECTR "jal link = pc+4", t1, t2
    li t0, 0
    jal x0, 6f
    li t0, 1
6:  EXPECT "jal x0 skips", t0, 0
    lla t1, 7f
    li t0, 0
    jalr t2, 0(t1)
12: li t0, 1
7:  EXPECT "jalr reaches target", t0, 0
    lla t1, 12b
    EXPECTR "jalr link", t2, t1
    lla t1, 8f
    addi t1, t1, 1
    li t0, 0
    jalr ra, 0(t1)              /* odd target: bit 0 is ignored */
    li t0, 1
8:  EXPECT "jalr odd target masked", t0, 0
    lla t1, 9f - 3
    li t0, 0
    jalr x0, 3(t1)              /* offset makes it odd: masked after the add */
    li t0, 1
9:  EXPECT "jalr odd offset masked", t0, 0
    lla t1, 10f
    jalr t1, 0(t1)              /* rd = rs1: target uses the old value */
10: lla t2, 10b
    EXPECTR "jalr rd=rs1 link", t1, t2
    lla t1, 11f + 16
    jalr t0, -16(t1)            /* negative offset */
13: li t0, 99
11: lla t2, 13b
    EXPECTR "jalr negative offset", t0, t2

    /* loads: sign and zero extension */
    TEST_LD lb, ldata, 0, 0xffffffffffffff81
    TEST_LD lb, ldata, 1, 0x7f
    TEST_LD lbu, ldata, 0, 0x81
    TEST_LD lh, ldata, 2, 0xffffffffffff8382
    TEST_LD lhu, ldata, 2, 0x8382
    TEST_LD lh, ldata, 4, 0x7584
    TEST_LD lw, ldata, 0, 0xffffffff83827f81
    TEST_LD lwu, ldata, 0, 0x83827f81
    TEST_LD lw, ldata, 4, 0xffffffff87867584
    TEST_LD ld, ldata, 0, 0x8786758483827f81
    TEST_LD ld, ldata, 8, 0x0123456789abcdef
    TEST_LD lw, ldata, 8, 0xffffffff89abcdef
    TEST_LD lb, ldata, -1, 0x55
    /* misaligned loads are performed */
    TEST_LD lh, ldata, 1, 0xffffffffffff827f
    TEST_LD lhu, ldata, 3, 0x8483
    TEST_LD lw, ldata, 1, 0xffffffff8483827f
    TEST_LD lw, ldata, 6, 0xffffffffcdef8786
    TEST_LD lwu, ldata, 3, 0x86758483
    TEST_LD ld, ldata, 4, 0x89abcdef87867584
    TEST_LD ld, ldata, 7, 0x23456789abcdef87

    /* stores: widths, and loads see them */
    lla t1, sdata
    li t0, 0x1122334455667788
    sd t0, 0(t1)
    li t0, 0xaa
    sb t0, 1(t1)
    li t0, 0xfffffffffffffbcc
    sh t0, 2(t1)
    li t0, 0x1234567899aabbcc
    sw t0, 4(t1)
    EXPECT_MEM "sb/sh/sw over sd", sdata, ld, 0x99aabbccfbccaa88
    li t0, -1
    sd t0, 8(t1)
    sd t0, 16(t1)
    li t0, 0x0102030405060708
    sd t0, 11(t1)               /* misaligned doubleword store */
    EXPECT_MEM "sd misaligned lo", sdata+8, ld, 0x0405060708ffffff
    EXPECT_MEM "sd misaligned hi", sdata+16, ld, 0xffffffffff010203
    li t0, 0xa1b2
    sh t0, 25(t1)
    li t0, 0xc1c2c3c4
    sw t0, 29(t1)
    EXPECT_MEM "sh/sw misaligned", sdata+24, ld, 0xc2c3c40000a1b200
    /* store offsets */
    li t0, 0x5a
    sb t0, -1(t1)
    EXPECT_MEM "sb negative offset", sdata-8, ld, 0x5a00000000000000
    li t0, 0x77
    sd t0, 2040(t1)
    EXPECT_MEM "sd offset 2040", sdata+2040, ld, 0x77
    /* x0 as destination of a load */
    lla t1, ldata
    ld x0, 0(t1)
    EXPECT "ld to x0", x0, 0

    /* fence forms are no-ops for a single hart */
    fence
    fence rw, rw
    fence r, w
    fence.tso
    fence iorw, iorw
    li t0, 1
    EXPECT "fences execute", t0, 1

    /* fence.i: code written by stores is executed after fence.i */
    lla t1, smc_slot
    li t0, 0x02a00513           /* addi a0, x0, 42 */
    sw t0, 0(t1)
    fence.i
    li a0, 0
    jalr ra, 0(t1)
    EXPECT "fence.i new code runs (42)", a0, 42
    li t0, 0x06300513           /* addi a0, x0, 99 */
    sw t0, 0(t1)
    fence.i
    li a0, 0
    jalr ra, 0(t1)
    EXPECT "fence.i rewritten code runs (99)", a0, 99

    /* nop and hints (rd = x0) do nothing */
    nop
    slli x0, x0, 0
    addi x0, x0, 5
    lui x0, 5
    EXPECT "hints leave x0 zero", x0, 0
TEST_END

    .data
    .balign 8
    .dword 0x5500000000000000
ldata:
    .byte 0x81, 0x7f, 0x82, 0x83, 0x84, 0x75, 0x86, 0x87
    .dword 0x0123456789abcdef
    .dword 0
    .dword 0
sdata:
    .zero 2048 + 8

    /* Executable data: one instruction then ret. */
    .section .text.smc, "ax"
    .balign 8
smc_slot:
    nop
    ret
