// Zicntr and the machine counters: cycle/time/instret readable and advancing, time agreeing
// with the CLINT's mtime, mcycle writable, mcountinhibit's CY/IR bits writable,
// mcounteren/scounteren gating the user counters in S and U (illegal instruction when clear).
// Exact instret counting, minstret writes and inhibition are in counters_exact.S.
// Nothing timing-dependent is recorded: only booleans derived from the counters.
#include "common/test.h"

.macro SPIN n
    li t6, \n
.Lspin\@:
    addi t6, t6, -1
    bnez t6, .Lspin\@
.endm

/* The counter instruction must trap (illegal, mtval = the instruction) or not. */
.macro CTR_ILLEGAL label, enc, insn:vararg
    TRAP_ARM
    \insn
    CHECK_TRAP "\label", CAUSE_ILLEGAL, \enc
.endm
.macro CTR_OK label, insn:vararg
    TRAP_ARM
    \insn
    CHECK_NOTRAP "\label"
.endm

TEST_BEGIN counters
    rdcycle t0
    SPIN 1000
    rdcycle t1
    sltu t2, t0, t1
    EXPECT "cycle advances", t2, 1
    rdinstret t0
    SPIN 1000
    rdinstret t1
    sltu t2, t0, t1
    EXPECT "instret advances", t2, 1
    li s0, CLINT_BASE + CLINT_MTIME
    ld t0, 0(s0)
    rdtime t1
    ld t2, 0(s0)
    sltu t3, t1, t0
    sltu t4, t2, t1
    or t3, t3, t4
    EXPECT "mtime <= time <= mtime", t3, 0
    rdtime t0
    SPIN 100000
    rdtime t1
    sltu t2, t0, t1
    EXPECT "time advances", t2, 1
    csrr t0, mcycle
    csrr t1, cycle
    sltu t2, t1, t0
    EXPECT "mcycle and cycle agree", t2, 0

    /* writes (exact instret and mcountinhibit: counters_exact.S) */
    li t0, 0x100000000000
    csrw mcycle, t0
    csrr t1, mcycle
    sub t1, t1, t0
    li t2, 0x10000000
    sltu t1, t1, t2
    EXPECT "mcycle = written + small delta", t1, 1
    li t0, 5
    csrw mcountinhibit, t0
    csrr t1, mcountinhibit
    andi t1, t1, 5
    EXPECT "mcountinhibit CY|IR writable", t1, 5
    csrw mcountinhibit, zero

    /* mcounteren/scounteren */
    li t0, 7
    csrw mcounteren, t0
    csrr t1, mcounteren
    andi t1, t1, 7
    EXPECT "mcounteren CY|TM|IR writable", t1, 7
    csrw scounteren, t0
    csrr t1, scounteren
    andi t1, t1, 7
    EXPECT "scounteren CY|TM|IR writable", t1, 7
    csrw mcounteren, zero
    csrw scounteren, zero
    LOWER_BEGIN 1
    CTR_ILLEGAL "S rdcycle, mcounteren=0", 0xc00022f3, rdcycle t0
    CTR_ILLEGAL "S rdtime, mcounteren=0", 0xc01022f3, rdtime t0
    CTR_ILLEGAL "S rdinstret, mcounteren=0", 0xc02022f3, rdinstret t0
    LOWER_END
    LOWER_BEGIN 0
    CTR_ILLEGAL "U rdcycle, both 0", 0xc00022f3, rdcycle t0
    LOWER_END
    li t0, 5                    /* CY, IR */
    csrw mcounteren, t0
    LOWER_BEGIN 1
    CTR_OK "S rdcycle, mcounteren.CY", rdcycle t0
    CTR_ILLEGAL "S rdtime, mcounteren.TM=0", 0xc01022f3, rdtime t0
    CTR_OK "S rdinstret, mcounteren.IR", rdinstret t0
    LOWER_END
    LOWER_BEGIN 0
    CTR_ILLEGAL "U rdcycle, scounteren=0", 0xc00022f3, rdcycle t0
    LOWER_END
    li t0, 3                    /* CY, TM */
    csrw scounteren, t0
    LOWER_BEGIN 0
    CTR_OK "U rdcycle, both CY", rdcycle t0
    CTR_ILLEGAL "U rdtime, mcounteren.TM=0", 0xc01022f3, rdtime t0
    CTR_ILLEGAL "U rdinstret, scounteren.IR=0", 0xc02022f3, rdinstret t0
    LOWER_END
    li t0, 7
    csrw mcounteren, t0
    LOWER_BEGIN 0
    CTR_OK "U rdtime, both TM", rdtime t0
    LOWER_END
    /* M is never gated */
    csrw mcounteren, zero
    CTR_OK "M rdcycle with mcounteren=0", rdcycle t0
    csrw scounteren, zero
TEST_END
