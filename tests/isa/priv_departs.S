// Privileged-spec rules QEMU 7.2 does not follow:
//  - mepc[0] and sepc[0] are always zero (priv 3.1.14/4.1.7: "The low bit of mepc (mepc[0]) is
//    always zero"), so writing an odd value reads back even;
//  - mstatus.MPP is WARL and holds only modes that exist (priv 3.1.6.1), so writing 2 (reserved)
//    never reads back 2;
//  - "An MRET or SRET instruction that changes the privilege mode to a mode less privileged
//    than M also sets MPRV=0" (priv 1.12, 3.1.6.3).  (Only mret can be observed: once that
//    rule holds, MPRV is never set while S runs an sret.)
// qemu-departs: QEMU 7.2 keeps mepc/sepc bit 0, stores MPP=2, and leaves MPRV set on mret to S/U
#include "common/test.h"

TEST_BEGIN priv_departs
    li t0, 0x80001235
    csrw mepc, t0
    csrr t0, mepc
    EXPECT "mepc bit 0 reads 0", t0, 0x80001234
    li t0, -1
    csrw sepc, t0
    csrr t0, sepc
    EXPECT "sepc bit 0 reads 0", t0, 0xfffffffffffffffe

    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, 2 << 11
    csrs mstatus, t0
    csrr t0, mstatus
    srli t0, t0, 11
    andi t0, t0, 3
    xori t0, t0, 2
    snez t0, t0
    EXPECT "MPP=2 is not kept", t0, 1
    li t0, MSTATUS_MPP
    csrc mstatus, t0

    /* mret to S clears MPRV (observed from M at the next trap) */
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    LOWER_BEGIN 1
    LOWER_END
    csrr t0, mstatus
    li t1, MSTATUS_MPRV
    and t0, t0, t1
    EXPECT "mret to S clears MPRV", t0, 0
TEST_END
