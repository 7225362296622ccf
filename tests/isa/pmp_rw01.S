// pmpcfg is WARL and R=0/W=1 is a reserved combination (priv 3.7.1): writing it must not
// read back as R=0/W=1.
// qemu-departs: QEMU 7.2 stores the reserved R=0 W=1 pmpcfg value as written
#include "common/test.h"

TEST_BEGIN pmp_rw01
    /* the reserved R=0 W=1 combination never reads back */
    li t1, 0x0a                         /* entry 8: TOR, W only (entry 15 still grants S/U everything) */
    csrs pmpcfg2, t1
    csrr t2, pmpcfg2
    andi t2, t2, 3
    li t3, 2
    xor t2, t2, t3
    snez t2, t2
    EXPECT "pmpcfg W=1 R=0 not kept", t2, 1
    li t1, 0xff
    csrc pmpcfg2, t1

TEST_END
