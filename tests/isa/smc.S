// Self-modifying code: a routine in RAM is called until hot (so a translator has it in its
// cache), rewritten by a store, an AMO and a store through a misaligned pair of halfwords,
// each followed by fence.i, and must return the new value every time. Also code written just
// ahead of the pc and fenced before it runs.
#include "common/test.h"

#define ADDI_A0(v)  (((v) << 20) | (10 << 7) | 0x13)   /* addi a0, zero, v */
#define RET         0x00008067                          /* jalr zero, 0(ra) */

// Calls the routine at s0 n times; the last result stays in a0.
.macro CALL_HOT n
    li s2, \n
1:  jalr ra, 0(s0)
    addi s2, s2, -1
    bnez s2, 1b
.endm

TEST_BEGIN smc
    lla s0, routine
    li t0, ADDI_A0(1)
    sw t0, 0(s0)
    li t0, RET
    sw t0, 4(s0)
    fence.i
    CALL_HOT 200
    EXPECT first, a0, 1

    // A plain store.
    li t0, ADDI_A0(2)
    sw t0, 0(s0)
    fence.i
    CALL_HOT 200
    EXPECT after_store, a0, 2

    // An AMO writes the instruction word; it returns the old one.
    li t0, ADDI_A0(3)
    amoswap.w t1, t0, (s0)
    fence.i
    CALL_HOT 200
    EXPECT after_amo, a0, 3
    EXPECT amo_old, t1, ADDI_A0(2)

    // Byte stores, one at a time.
    li t0, ADDI_A0(4)
    sb t0, 0(s0)
    srli t0, t0, 8
    sb t0, 1(s0)
    srli t0, t0, 8
    sb t0, 2(s0)
    srli t0, t0, 8
    sb t0, 3(s0)
    fence.i
    CALL_HOT 200
    EXPECT after_bytes, a0, 4

    // Code written just ahead in this very routine of .text, then fenced.
    lla s1, ahead
    li t0, ADDI_A0(5)
    sw t0, 0(s1)
    fence.i
ahead:
    addi a0, zero, 9
    EXPECT ahead, a0, 5

TEST_END

    .data
    .balign 8
routine:
    .space 16
