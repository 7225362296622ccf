// Exact counting: instret counts retired instructions (unpriv Zicntr: "the number of
// instructions retired by this hart"), so a loop of known length advances it by that many
// (plus the few instructions around it); after writing minstret = X it reads X + a small
// delta (priv 3.1.11); with mcountinhibit.CY/IR set, mcycle/minstret do not increment
// (priv 3.1.12).  Only booleans and exact small deltas are recorded.
// (With -icount QEMU gets the instret checks right: the loop arithmetic here is checked.)
// qemu-departs: QEMU 7.2 without -icount counts host time in minstret instead of instructions, and mcountinhibit does not stop the counters
#include "common/test.h"

.macro SPIN n
    li t6, \n
.Lspin\@:
    addi t6, t6, -1
    bnez t6, .Lspin\@
.endm

TEST_BEGIN counters_exact
    rdinstret t0
    SPIN 1000                   /* 2001 instructions */
    rdinstret t1
    sub t2, t1, t0
    addi t2, t2, -2001
    sltiu t2, t2, 16
    EXPECT "instret delta of a 2001-instruction loop is 2001..2016", t2, 1
    li t0, 1000000
    csrw minstret, t0
    csrr t1, minstret
    sub t1, t1, t0
    sltiu t1, t1, 16
    EXPECT "minstret = written + small delta", t1, 1
    li t0, 5
    csrw mcountinhibit, t0
    rdinstret t0
    SPIN 100
    rdinstret t1
    sub t2, t1, t0
    EXPECT "instret inhibited", t2, 0
    rdcycle t0
    SPIN 100
    rdcycle t1
    sub t2, t1, t0
    EXPECT "cycle inhibited", t2, 0
    csrw mcountinhibit, zero
    rdinstret t0
    SPIN 100
    rdinstret t1
    sub t2, t1, t0
    addi t2, t2, -201
    sltiu t2, t2, 16
    EXPECT "instret counts again", t2, 1
TEST_END
