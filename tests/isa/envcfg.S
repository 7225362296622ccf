// menvcfg/senvcfg: the fields this hart implements (menvcfg.FIOM and .STCE, senvcfg.FIOM)
// are writable and read back, senvcfg is reachable from S but not U, menvcfg not from S, and
// menvcfg.STCE gates S-mode stimecmp (the interrupt side is in interrupts.S).  The fields of
// extensions this hart lacks are in envcfg_departs.S.
#include "common/test.h"

#define FIOM 1
#define STCE (1 << 63)

TEST_BEGIN envcfg
    li t0, FIOM | STCE
    csrw 0x30a, t0
    csrr t1, 0x30a
    and t1, t1, t0
    EXPECT "menvcfg FIOM|STCE set", t1, FIOM | STCE
    csrw 0x30a, zero
    csrr t1, 0x30a
    and t1, t1, t0
    EXPECT "menvcfg FIOM|STCE clear", t1, 0
    li t0, FIOM
    csrw 0x10a, t0
    csrr t1, 0x10a
    andi t1, t1, FIOM
    EXPECT "senvcfg FIOM set", t1, FIOM
    csrw 0x10a, zero
    csrr t1, 0x10a
    andi t1, t1, FIOM
    EXPECT "senvcfg FIOM clear", t1, 0
    LOWER_BEGIN 1
    TRAP_ARM
    csrr t0, 0x10a
    CHECK_NOTRAP "S reads senvcfg"
    TRAP_ARM
    csrr t0, 0x30a
    CHECK_TRAP "S reads menvcfg", CAUSE_ILLEGAL, 0x30a022f3
    LOWER_END
    LOWER_BEGIN 0
    TRAP_ARM
    csrr t0, 0x10a
    CHECK_TRAP "U reads senvcfg", CAUSE_ILLEGAL, 0x10a022f3
    LOWER_END
    /* STCE gates stimecmp for S (mcounteren.TM set so that only STCE decides) */
    li t0, 2
    csrw mcounteren, t0
    LOWER_BEGIN 1
    TRAP_ARM
    csrr t0, stimecmp
    CHECK_TRAP "STCE=0: S stimecmp", CAUSE_ILLEGAL, 0x14d022f3
    LOWER_END
    li t0, STCE
    csrw 0x30a, t0
    LOWER_BEGIN 1
    TRAP_ARM
    csrr t0, stimecmp
    CHECK_NOTRAP "STCE=1: S stimecmp"
    LOWER_END
    TRAP_ARM
    csrr t0, stimecmp
    CHECK_NOTRAP "M stimecmp regardless"
    csrw 0x30a, zero
    csrw mcounteren, zero
TEST_END
