// Physical memory protection: TOR, NA4 and NAPOT regions (entry 15 grants everything else),
// loads/stores/fetches from U and S faulting with access-fault causes and mtval = the address,
// the lowest-numbered matching entry winning, M-mode unaffected by unlocked entries, the lock
// bit applying a region to M and freezing the entry, pmpaddr read-back.
#include "common/test.h"

#define PG(k) (pmp_pages + (k) * 4096)

.macro U_LOAD_FAULT label, k, off
    lla t1, pmp_pages
    li t0, \k * 4096 + \off
    add t1, t1, t0
    TRAP_ARM
    lw t0, 0(t1)
    CHECK_TRAP_R "\label", CAUSE_LOAD_ACCESS, t1
.endm
.macro U_STORE_FAULT label, k, off
    lla t1, pmp_pages
    li t0, \k * 4096 + \off
    add t1, t1, t0
    TRAP_ARM
    sw t0, 0(t1)
    CHECK_TRAP_R "\label", CAUSE_STORE_ACCESS, t1
.endm
.macro U_LOAD_OK label, k, off, value
    lla t1, pmp_pages
    li t0, \k * 4096 + \off
    add t1, t1, t0
    TRAP_ARM
    lw t0, 0(t1)
    CHECK_NOTRAP "\label"
    EXPECT "\label value", t0, \value
.endm

TEST_BEGIN pmp
    /* fill the pages: word i of page k holds k << 16 | i */
    lla t0, pmp_pages
    li t1, 0
1:  srli t2, t1, 10             /* page */
    slli t2, t2, 16
    andi t3, t1, 1023
    or t2, t2, t3
    sw t2, 0(t0)
    addi t0, t0, 4
    addi t1, t1, 1
    li t3, 6 * 1024
    bltu t1, t3, 1b
    /* code for the fetch checks: "li t0, 1234; ret" in pages 3 (X) and 4 (RW, no X) */
    li t2, 0x4d200293           /* addi t0, zero, 1234 */
    li t3, 0x00008067           /* ret */
    lla t0, pmp_pages
    li t1, 3 * 4096
    add t1, t0, t1
    sw t2, 0(t1)
    sw t3, 4(t1)
    li t1, 4 * 4096
    add t1, t0, t1
    sw t2, 0(t1)
    sw t3, 4(t1)
    fence.i

    /* the regions */
    lla t0, pmp_pages
    srli t1, t0, 2
    csrw pmpaddr0, t1                   /* entry 0: OFF, bottom of entry 1's TOR */
    li t2, 4096
    add t1, t0, t2
    srli t1, t1, 2
    csrw pmpaddr1, t1                   /* entry 1: TOR [page 0, page 1) R */
    li t2, 4096 + 8
    add t1, t0, t2
    srli t1, t1, 2
    csrw pmpaddr2, t1                   /* entry 2: NA4 page 1 + 8, no access */
    li t2, 2 * 4096
    add t1, t0, t2
    srli t1, t1, 2
    csrw pmpaddr3, t1                   /* entry 3: NAPOT 8 bytes at page 2, RW */
    ori t1, t1, 0x1ff
    csrw pmpaddr4, t1                   /* entry 4: NAPOT 4 KiB page 2, no access */
    li t2, 3 * 4096
    add t1, t0, t2
    srli t1, t1, 2
    ori t1, t1, 0x1ff
    csrw pmpaddr5, t1                   /* entry 5: NAPOT page 3, X only */
    li t2, 4 * 4096
    add t1, t0, t2
    srli t1, t1, 2
    ori t1, t1, 0x1ff
    csrw pmpaddr6, t1                   /* entry 6: NAPOT page 4, RW */
    li t2, 5 * 4096
    add t1, t0, t2
    srli t1, t1, 2
    ori t1, t1, 0x1ff
    csrw pmpaddr7, t1                   /* entry 7: NAPOT page 5, R (locked later) */
    li t1, -1
    csrw pmpaddr15, t1
    li t1, 0x1f << 56
    csrw pmpcfg2, t1                    /* entry 15: NAPOT everything, RWX */
    li t1, 0x001b1c181b100900
    csrw pmpcfg0, t1
    csrr t2, pmpcfg0
    EXPECTR "pmpcfg0 reads back", t2, t1
    csrr t2, pmpaddr2
    lla t0, pmp_pages
    li t3, 4096 + 8
    add t3, t0, t3
    srli t3, t3, 2
    EXPECTR "pmpaddr2 reads back", t2, t3

    /* M is not restricted by unlocked entries */
    lla t1, pmp_pages
    li t0, 0x77
    TRAP_ARM
    sw t0, 0(t1)                        /* page 0 is R-only for S/U */
    li t2, 4096 + 8
    add t2, t1, t2
    lw t0, 0(t2)                        /* NA4 no-access word */
    CHECK_NOTRAP "M ignores unlocked entries"
    li t0, 0
    sw t0, 0(t1)

    LOWER_BEGIN 0
    U_LOAD_OK "U load TOR R page", 0, 16, 4
    U_STORE_FAULT "U store TOR R page", 0, 16
    U_STORE_FAULT "U store TOR R page last word", 0, 4092
    U_LOAD_OK "U load just above TOR (entry 15)", 1, 0, 0x10000
    U_LOAD_FAULT "U load NA4 word", 1, 8
    U_LOAD_OK "U load word before NA4", 1, 4, 0x10001
    U_LOAD_OK "U load word after NA4", 1, 12, 0x10003
    U_LOAD_OK "U load NAPOT-8 (entry 3 wins)", 2, 4, 0x20001
    U_STORE_FAULT "U store past NAPOT-8 (entry 4)", 2, 8
    U_LOAD_FAULT "U load rest of page 2", 2, 2048
    U_LOAD_FAULT "U load X-only page", 3, 0
    /* fetch: allowed in page 3 (X), access fault in page 4 (no X) */
    lla t1, pmp_pages
    li t0, 3 * 4096
    add t1, t1, t0
    li t0, 0
    TRAP_ARM
    jalr ra, 0(t1)
    CHECK_NOTRAP "U fetch from X page"
    EXPECT "U ran code in X page", t0, 1234
    lla t1, pmp_pages
    li t0, 4 * 4096
    add t1, t1, t0
    TRAP_ARM_REG t1
    jalr ra, 0(t1)
    CHECK_TRAP_R "U fetch from non-X page", CAUSE_FETCH_ACCESS, t1
    U_LOAD_OK "U load RW page", 4, 8, 0x40002
    LOWER_END
    /* S is treated like U */
    LOWER_BEGIN 1
    U_STORE_FAULT "S store TOR R page", 0, 0
    U_LOAD_FAULT "S load NA4 word", 1, 8
    LOWER_END

    /* (the reserved R=0 W=1 combination: pmp_rw01.S, QEMU departs) */

    /* lock entry 7: it now applies to M, and the entry is frozen */
    li t1, 0x99 << 56                   /* L, NAPOT, R */
    csrs pmpcfg0, t1
    csrr t2, pmpcfg0
    srli t2, t2, 56
    EXPECT "pmpcfg0 entry 7 locked", t2, 0x99
    lla t1, pmp_pages
    li t0, 5 * 4096 + 12
    add t1, t1, t0
    lw t0, 0(t1)
    EXPECT "M load locked R page", t0, 0x50003
    TRAP_ARM
    sw t0, 0(t1)
    CHECK_TRAP_R "M store locked R page", CAUSE_STORE_ACCESS, t1
    CHECK_TRAP_PREV "M store locked R page", 3
    csrr s2, pmpaddr7
    csrw pmpaddr7, zero
    csrr t2, pmpaddr7
    EXPECTR "locked pmpaddr7 ignores writes", t2, s2
    li t1, 0xff << 56
    csrc pmpcfg0, t1
    csrr t2, pmpcfg0
    srli t2, t2, 56
    EXPECT "locked pmpcfg byte ignores writes", t2, 0x99
    li t1, 0x1f
    csrs pmpcfg0, t1                    /* other bytes of the same register still change */
    csrr t2, pmpcfg0
    andi t2, t2, 0xff
    EXPECT "unlocked byte of a locked pmpcfg changes", t2, 0x1f
TEST_END

    .section .bss.pmp, "aw", @nobits
    .balign 4096
pmp_pages:  .zero 6 * 4096
