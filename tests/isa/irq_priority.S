// Interrupt priority: with several interrupts pending and enabled at once, the hart takes
// them in the order MEI > MSI > MTI > SEI > SSI > STI (privileged spec 3.1.9, "Multiple
// simultaneous interrupts destined for M-mode are handled in the following decreasing priority
// order").  The default handler masks each one as it takes it, so the whole order shows.
// qemu-departs: QEMU 7.2 without AIA takes the lowest-numbered pending interrupt first (SSI, MSI, STI, MTI)
#include "common/test.h"

#include "common/irq.inc"

TEST_BEGIN irq_priority
    li s0, MTIMECMP
    li s2, MSIP
    /* ---- priority: everything pending at once, taken highest first ---- */
    IRQ_RESET
    li t0, (1 << IRQ_SSI) | (1 << IRQ_STI)
    csrs mip, t0                /* STCE = 0: STIP writable again */
    li t0, 1
    sw t0, 0(s2)                /* MSIP */
    sd zero, 0(s0)              /* MTIP */
    /* the CLINT may raise MTIP/MSIP a little later: wait until all four are pending */
    li t3, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_MSI) | (1 << IRQ_MTI)
    li t2, 10000000
9:  csrr t0, mip
    and t0, t0, t3
    beq t0, t3, 8f
    addi t2, t2, -1
    bnez t2, 9b
8:  csrr t0, mip
    and t0, t0, t3
    EXPECT "all four pending (SSIP STIP MSIP MTIP)", t0, 0xaa
    li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_MSI) | (1 << IRQ_MTI)
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    IRQ_COUNT "priority: four taken", 4
    IRQ_EXPECT "priority 1st MSI", 0, 0x303
    IRQ_EXPECT "priority 2nd MTI", 1, 0x307
    IRQ_EXPECT "priority 3rd SSI", 2, 0x301
    IRQ_EXPECT "priority 4th STI", 3, 0x305
    sw zero, 0(s2)
    li t0, -1
    sd t0, 0(s0)
    li t0, (1 << IRQ_SSI) | (1 << IRQ_STI)
    csrc mip, t0
    csrw mie, zero
TEST_END
