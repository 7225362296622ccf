// RV64A: LR/SC success and failure (no reservation, reservation consumed by an SC, a different
// address), sign extension of LR.W and of AMO*.W results, every AMO in .w and .d with the
// aq/rl orderings, rd = x0, and misaligned LR (load address-misaligned).  Misaligned SC/AMO
// are in rv64a_misaligned.S, where QEMU departs from the spec.
#include "common/test.h"

/* TEST_AMO op, initial memory, rs2, expected rd (old value), expected memory afterwards. */
.macro TEST_AMO op, mem, src, old, new
    lla t1, amo_data
    li t0, \mem
    sd t0, 0(t1)
    li t2, \src
    \op t0, t2, (t1)
    EXPECT "\op \mem \src old", t0, \old
    ld t0, 0(t1)
    EXPECT "\op \mem \src mem", t0, \new
.endm

TEST_BEGIN rv64a
    lla s0, amo_data
    lla s1, amo_data2

    /* lr/sc success */
    li t0, 0x1111111180000001
    sd t0, 0(s0)
    lr.w t1, (s0)
    EXPECT "lr.w sign-extends", t1, 0xffffffff80000001
    li t2, 0x22222222
    sc.w t3, t2, (s0)
    EXPECT "sc.w after lr.w succeeds", t3, 0
    ld t0, 0(s0)
    EXPECT "sc.w stored low word only", t0, 0x1111111122222222
    /* the reservation is gone after an SC: a second SC fails and does not store */
    li t2, 0x33333333
    sc.w t3, t2, (s0)
    EXPECT "second sc.w fails with 1", t3, 1
    ld t0, 0(s0)
    EXPECT "failed sc.w does not store", t0, 0x1111111122222222

    li t0, 0x0123456789abcdef
    sd t0, 0(s0)
    lr.d.aq t1, (s0)
    EXPECT "lr.d.aq value", t1, 0x0123456789abcdef
    li t2, -5
    sc.d.rl t3, t2, (s0)
    EXPECT "sc.d.rl succeeds", t3, 0
    ld t0, 0(s0)
    EXPECT "sc.d stored", t0, -5
    sc.d t3, t2, (s0)
    EXPECT "sc.d without reservation fails", t3, 1

    /* sc to an address outside the reservation fails and does not store */
    li t0, 7
    sd t0, 0(s1)
    lr.d.aqrl t1, (s0)
    li t2, 8
    sc.d.aqrl t3, t2, (s1)
    EXPECT "sc.d other address fails", t3, 1
    ld t0, 0(s1)
    EXPECT "sc.d other address no store", t0, 7

    /* the usual lr/sc retry loop */
    li t0, 40
    sd t0, 0(s1)
1:  lr.d t1, (s1)
    addi t1, t1, 2
    sc.d t2, t1, (s1)
    bnez t2, 1b
    ld t0, 0(s1)
    EXPECT "lr/sc increment loop", t0, 42

    /* rd = x0: lr still reserves, sc still stores */
    li t0, 5
    sw t0, 0(s1)
    lr.w.aq x0, (s1)
    li t2, 6
    sc.w.rl x0, t2, (s1)
    lw t0, 0(s1)
    EXPECT "lr.w/sc.w with rd=x0", t0, 6

    /* AMOs: old value in rd (.w sign-extended), memory updated, .w leaves the upper word */
    TEST_AMO amoswap.w, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a500000020
    TEST_AMO amoswap.w.aq, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a57fffffff
    TEST_AMO amoswap.w.rl, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5a00000001
    TEST_AMO amoswap.d.aqrl, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x20
    TEST_AMO amoswap.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
    TEST_AMO amoswap.d.aq, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0x1
    TEST_AMO amoadd.w.rl, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a580000010
    TEST_AMO amoadd.w.aqrl, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a5ffffffff
    TEST_AMO amoadd.w, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5a00000000
    TEST_AMO amoadd.d.aq, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x8000000000000010
    TEST_AMO amoadd.d.rl, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    TEST_AMO amoadd.d.aqrl, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0x0
    TEST_AMO amoxor.w, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a57fffffd0
    TEST_AMO amoxor.w.aq, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a5ffffffff
    TEST_AMO amoxor.w.rl, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5afffffffe
    TEST_AMO amoxor.d.aqrl, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x7fffffffffffffd0
    TEST_AMO amoxor.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    TEST_AMO amoxor.d.aq, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0xfffffffffffffffe
    TEST_AMO amoand.w.rl, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a500000020
    TEST_AMO amoand.w.aqrl, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a500000000
    TEST_AMO amoand.w, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5a00000001
    TEST_AMO amoand.d.aq, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x20
    TEST_AMO amoand.d.rl, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x0
    TEST_AMO amoand.d.aqrl, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0x1
    TEST_AMO amoor.w, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a57ffffff0
    TEST_AMO amoor.w.aq, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a5ffffffff
    TEST_AMO amoor.w.rl, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5affffffff
    TEST_AMO amoor.d.aqrl, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x7ffffffffffffff0
    TEST_AMO amoor.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    TEST_AMO amoor.d.aq, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_AMO amomin.w.rl, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a500000020
    TEST_AMO amomin.w.aqrl, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a580000000
    TEST_AMO amomin.w, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5affffffff
    TEST_AMO amomin.d.aq, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x20
    TEST_AMO amomin.d.rl, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
    TEST_AMO amomin.d.aqrl, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_AMO amomax.w, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a57ffffff0
    TEST_AMO amomax.w.aq, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a57fffffff
    TEST_AMO amomax.w.rl, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5a00000001
    TEST_AMO amomax.d.aqrl, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x7ffffffffffffff0
    TEST_AMO amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
    TEST_AMO amomax.d.aq, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0x1
    TEST_AMO amominu.w.rl, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a500000020
    TEST_AMO amominu.w.aqrl, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a57fffffff
    TEST_AMO amominu.w, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5a00000001
    TEST_AMO amominu.d.aq, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x20
    TEST_AMO amominu.d.rl, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
    TEST_AMO amominu.d.aqrl, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0x1
    TEST_AMO amomaxu.w, 0xa5a5a5a57ffffff0, 0xdeadbeef00000020, 0x7ffffff0, 0xa5a5a5a57ffffff0
    TEST_AMO amomaxu.w.aq, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a580000000
    TEST_AMO amomaxu.w.rl, 0x5a5a5a5affffffff, 0x1, 0xffffffffffffffff, 0x5a5a5a5affffffff
    TEST_AMO amomaxu.d.aqrl, 0x7ffffffffffffff0, 0x20, 0x7ffffffffffffff0, 0x7ffffffffffffff0
    TEST_AMO amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
    TEST_AMO amomaxu.d.aq, 0xffffffffffffffff, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
    /* rd = x0: the memory operation still happens */
    li t0, 10
    sd t0, 0(s0)
    li t2, 5
    amoadd.d x0, t2, (s0)
    ld t0, 0(s0)
    EXPECT "amoadd.d rd=x0 stores", t0, 15
    /* rd = rs2: rd gets the old value, memory the old rs2 */
    li t2, 3
    amoswap.d t2, t2, (s0)
    EXPECT "amoswap.d rd=rs2 old", t2, 15
    ld t0, 0(s0)
    EXPECT "amoswap.d rd=rs2 mem", t0, 3
    /* .w on the upper word of a doubleword */
    li t0, 0x7fffffff00000007
    sd t0, 0(s0)
    addi t1, s0, 4
    li t2, 1
    amoadd.w t3, t2, (t1)
    EXPECT "amoadd.w upper word old", t3, 0x7fffffff
    ld t0, 0(s0)
    EXPECT "amoadd.w upper word mem", t0, 0x8000000000000007

    /* misaligned atomics trap with the address in tval */
    addi t1, s0, 2
    TRAP_ARM
    lr.w t0, (t1)
    CHECK_TRAP_R "lr.w misaligned", CAUSE_MISALIGNED_LOAD, t1
    addi t1, s0, 4
    TRAP_ARM
    lr.d t0, (t1)
    CHECK_TRAP_R "lr.d misaligned", CAUSE_MISALIGNED_LOAD, t1
TEST_END

    .data
    .balign 16
amo_data:   .dword 0, 0
amo_data2:  .dword 0, 0
