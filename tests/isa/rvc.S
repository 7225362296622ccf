// RV64C: every compressed instruction (quadrants 0-2, RV64 forms: c.ld/c.sd/c.addiw/
// c.addw/c.subw, no c.jal/c.flw), immediates at their extremes, links of c.jalr (pc+2),
// 2-byte-aligned jump and branch targets, 4-byte instructions at 2-byte-aligned addresses,
// HINT encodings executing as no-ops, and reserved encodings raising illegal instruction
// with mtval = the 16-bit instruction.
#include "common/test.h"

.macro CILLEGAL label, enc
    TRAP_ARM
    .half \enc
    CHECK_TRAP "\label", CAUSE_ILLEGAL, \enc
.endm

TEST_BEGIN rvc
    .option rvc
    /* CI/CR arithmetic */
    c.li a0, -32
    EXPECT "c.li -32", a0, -32
    c.li a0, 31
    EXPECT "c.li 31", a0, 31
    c.lui a0, 0x1f
    EXPECT "c.lui 0x1f", a0, 0x1f000
    c.lui a0, 0xfffe0
    EXPECT "c.lui -32", a0, 0xfffffffffffe0000
    c.li a0, 5
    c.addi a0, -6
    EXPECT "c.addi -6", a0, -1
    c.addi a0, 31
    EXPECT "c.addi 31", a0, 30
    li a0, 0x7fffffff
    c.addiw a0, 1
    EXPECT "c.addiw overflow", a0, 0xffffffff80000000
    li a0, 0x1ffffffff
    c.addiw a0, 0
    EXPECT "c.addiw 0 = sext.w", a0, -1
    li a0, 0x8000000000000001
    c.slli a0, 63
    EXPECT "c.slli 63", a0, 0x8000000000000000
    c.slli a0, 1
    EXPECT "c.slli 1", a0, 0
    li a1, 0x8000000000000000
    c.srli a1, 63
    EXPECT "c.srli 63", a1, 1
    li a1, 0x8000000000000000
    c.srai a1, 63
    EXPECT "c.srai 63", a1, -1
    li a1, 0xf0
    c.srai a1, 4
    EXPECT "c.srai 4", a1, 0xf
    li a2, 0x1234
    c.andi a2, -32
    EXPECT "c.andi -32", a2, 0x1220
    li a2, 0x1234
    c.andi a2, 15
    EXPECT "c.andi 15", a2, 4
    li s0, 10
    li s1, 3
    c.sub s0, s1
    EXPECT "c.sub", s0, 7
    c.xor s0, s1
    EXPECT "c.xor", s0, 4
    c.or s0, s1
    EXPECT "c.or", s0, 7
    c.and s0, s1
    EXPECT "c.and", s0, 3
    li a3, 0x7fffffff
    li a4, 1
    c.addw a3, a4
    EXPECT "c.addw", a3, 0xffffffff80000000
    li a3, 0
    li a4, 0x80000000
    c.subw a3, a4
    EXPECT "c.subw", a3, 0xffffffff80000000
    li a5, 0x0123456789abcdef
    c.mv t3, a5
    EXPECT "c.mv", t3, 0x0123456789abcdef
    li t4, 1
    c.add t4, a5
    EXPECT "c.add", t4, 0x0123456789abcdf0

    /* stack-pointer forms */
    mv s2, sp
    c.addi16sp sp, -512
    sub t0, s2, sp
    EXPECT "c.addi16sp -512", t0, 512
    c.addi16sp sp, 496
    sub t0, s2, sp
    EXPECT "c.addi16sp 496", t0, 16
    c.addi16sp sp, 16
    c.addi4spn a0, sp, 1020
    sub t0, a0, sp
    EXPECT "c.addi4spn 1020", t0, 1020
    c.addi4spn a0, sp, 4
    sub t0, a0, sp
    EXPECT "c.addi4spn 4", t0, 4
    addi sp, sp, -512
    li t0, 0x1122334455667788
    c.sdsp t0, 504(sp)
    c.ldsp t1, 504(sp)
    EXPECT "c.sdsp/c.ldsp 504", t1, 0x1122334455667788
    li t0, 0x80000001
    c.swsp t0, 252(sp)
    c.lwsp t1, 252(sp)
    EXPECT "c.swsp/c.lwsp 252 sign-extends", t1, 0xffffffff80000001
    li t0, 0x400921fb54442d18
    fmv.d.x fa0, t0
    c.fsdsp fa0, 0(sp)
    c.fldsp fa1, 0(sp)
    fmv.x.d t1, fa1
    EXPECT "c.fsdsp/c.fldsp", t1, 0x400921fb54442d18
    c.ldsp t2, 0(sp)
    li t0, 0x400921fb54442d18
    EXPECTR "c.fsdsp wrote memory", t2, t0
    addi sp, sp, 512

    /* register-based loads and stores (x8-x15) */
    lla s1, cdata
    li a0, 0xa5a5a5a5deadbeef
    c.sd a0, 248(s1)
    c.ld a1, 248(s1)
    EXPECT "c.sd/c.ld 248", a1, 0xa5a5a5a5deadbeef
    c.sw a0, 124(s1)
    c.lw a2, 124(s1)
    EXPECT "c.sw/c.lw 124 sign-extends", a2, 0xffffffffdeadbeef
    c.lw a2, 0(s1)
    EXPECT "c.lw 0", a2, 0x44332211
    li t0, 0x3ff8000000000000
    fmv.d.x fa2, t0
    c.fsd fa2, 8(s1)
    c.fld fa3, 8(s1)
    fmv.x.d a3, fa3
    EXPECT "c.fsd/c.fld", a3, 0x3ff8000000000000

    /* control flow */
    li t0, 0
    c.j 1f
    li t0, 1
1:  EXPECT "c.j forward", t0, 0
    li a0, 3
    li t0, 0
2:  addi t0, t0, 1
    c.addi a0, -1
    c.bnez a0, 2b
    EXPECT "c.bnez backward loop", t0, 3
    li a0, 0
    li t0, 0
    c.beqz a0, 3f
    li t0, 1
3:  EXPECT "c.beqz taken", t0, 0
    li a0, 1
    c.beqz a0, 4f
    li t0, 2
4:  EXPECT "c.beqz not taken", t0, 2
    li a0, 0
    c.bnez a0, 5f
    li t0, 3
5:  EXPECT "c.bnez not taken", t0, 3
    lla t1, 6f
    li t0, 0
    c.jr t1
    li t0, 1
6:  EXPECT "c.jr", t0, 0
    lla t1, 7f
    c.jalr t1
8:  c.nop
7:  lla t2, 8b
    EXPECTR "c.jalr links pc+2", ra, t2

    /* a 4-byte instruction on a 2-byte boundary, reached by jalr and by fall-through */
    .balign 4
    c.nop
odd_site:
    addi t0, zero, 77           /* at 4n+2 */
    EXPECT "32-bit insn at 4n+2", t0, 77
    lla t1, odd_site
    andi t2, t1, 3
    EXPECT "site is 2 mod 4", t2, 2
    lla t1, odd_func
    andi t2, t1, 3
    EXPECT "function is 2 mod 4", t2, 2
    li t0, 0
    jalr ra, 0(t1)
    EXPECT "jalr to 4n+2 target", t0, 88

    /* HINTs: encodings with rd = x0 (or imm = 0) that must do nothing */
    li a0, 9
    .half 0x0005                /* c.nop with imm = 1 */
    .half 0x0501                /* c.addi a0, 0 */
    .half 0x4015                /* c.li x0, 5 */
    .half 0x0016                /* c.slli x0, 5 */
    .half 0x802a                /* c.mv x0, a0 */
    .half 0x902a                /* c.add x0, a0 */
    .half 0x0502                /* c.slli a0, 0 (c.slli64 is a HINT on RV64) */
    EXPECT "c HINTs are no-ops", a0, 9

    /* c.ebreak and reserved encodings */
    TRAP_ARM
    c.ebreak
    CHECK_TRAP "c.ebreak", CAUSE_BREAKPOINT, 0
    CILLEGAL "c.unimp 0x0000", 0x0000
    CILLEGAL "c.addi4spn imm=0", 0x0010
    CILLEGAL "c.addi16sp imm=0", 0x6101
    CILLEGAL "c.lui imm=0", 0x6081
    CILLEGAL "c.jr x0", 0x8002
    CILLEGAL "c.lwsp rd=x0", 0x4002
    CILLEGAL "c.ldsp rd=x0", 0x6002
    CILLEGAL "c.addiw rd=x0", 0x2001
    CILLEGAL "quadrant 0 funct3=4 (reserved)", 0x8000
    CILLEGAL "c.subw-space reserved 0x9c41", 0x9c41
    .balign 4
TEST_END

    .balign 4
    c.nop
odd_func:
    addi t0, zero, 88
    ret

    .data
    .balign 8
cdata:
    .word 0x44332211
    .zero 252
