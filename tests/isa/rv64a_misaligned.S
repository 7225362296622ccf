// Misaligned SC and AMO addresses.  The A extension says a misaligned LR/SC/AMO raises an
// address-misaligned (or access-fault) exception, and the privileged spec's cause table makes
// SC and AMO exceptions "Store/AMO" ones (cause 6), never the load cause.
// qemu-departs: QEMU 7.2 reports misaligned AMOs as load-misaligned (cause 4) and lets a misaligned SC without a matching reservation fail silently instead of trapping
#include "common/test.h"

TEST_BEGIN rv64a_misaligned
    lla s0, amo_data
    li t0, 0x1234
    sd t0, 0(s0)

    /* sc.w without any reservation, misaligned: must trap (cause 6), rd unchanged */
    addi t1, s0, 1
    li t0, 0x77
    li t2, 9
    TRAP_ARM
    sc.w t0, t2, (t1)
    CHECK_TRAP_R "sc.w misaligned", CAUSE_MISALIGNED_STORE, t1
    EXPECT "sc.w misaligned leaves rd", t0, 0x77

    /* sc.d misaligned right after an lr.d to the aligned doubleword */
    lr.d t3, (s0)
    addi t1, s0, 4
    li t0, 0x77
    TRAP_ARM
    sc.d t0, t2, (t1)
    CHECK_TRAP_R "sc.d misaligned", CAUSE_MISALIGNED_STORE, t1
    EXPECT "sc.d misaligned leaves rd", t0, 0x77

    /* AMOs: store/AMO address misaligned */
    addi t1, s0, 6
    li t2, 1
    TRAP_ARM
    amoadd.w t0, t2, (t1)
    CHECK_TRAP_R "amoadd.w misaligned", CAUSE_MISALIGNED_STORE, t1
    addi t1, s0, 2
    TRAP_ARM
    amoswap.w.aq t0, t2, (t1)
    CHECK_TRAP_R "amoswap.w.aq misaligned", CAUSE_MISALIGNED_STORE, t1
    addi t1, s0, 4
    TRAP_ARM
    amoor.d t0, t2, (t1)
    CHECK_TRAP_R "amoor.d misaligned", CAUSE_MISALIGNED_STORE, t1
    addi t1, s0, 1
    TRAP_ARM
    amomaxu.d.aqrl t0, t2, (t1)
    CHECK_TRAP_R "amomaxu.d.aqrl misaligned", CAUSE_MISALIGNED_STORE, t1
    ld t0, 0(s0)
    EXPECT "memory untouched", t0, 0x1234
TEST_END

    .data
    .balign 16
amo_data:   .dword 0, 0
