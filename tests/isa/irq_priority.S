// Interrupt priority: with several interrupts pending and enabled at once, the hart takes
// them in the order MEI > MSI > MTI > SEI > SSI > STI (privileged spec 3.1.9, "Multiple
// simultaneous interrupts destined for M-mode are handled in the following decreasing priority
// order").  The default handler masks each one as it takes it, so the whole order shows.
// qemu-departs: QEMU 7.2 without AIA takes the lowest-numbered pending interrupt first (SSI, MSI, STI, MTI)
#include "common/test.h"

#define MTIMECMP (CLINT_BASE + CLINT_MTIMECMP)
#define MTIME    (CLINT_BASE + CLINT_MTIME)
#define MSIP     (CLINT_BASE + CLINT_MSIP)

/* Spin until irq_rec.count reaches n (or give up after many iterations). */
.macro WAIT_IRQS n
    li t2, 20000000
.Lwait\@:
    lla t0, irq_rec
    ld t0, IREC_COUNT(t0)
    li t1, \n
    bgeu t0, t1, .Lok\@
    addi t2, t2, -1
    bnez t2, .Lwait\@
.Lok\@:
.endm

.macro IRQ_RESET
    lla t0, irq_rec
    sd zero, IREC_COUNT(t0)
    sd zero, IREC_LIST(t0)
    sd zero, IREC_LIST+8(t0)
    sd zero, IREC_LIST+16(t0)
    sd zero, IREC_LIST+24(t0)
.endm

.macro IRQ_EXPECT label, i, value
    lla t0, irq_rec
    ld t0, IREC_LIST + 8 * \i(t0)
    EXPECT "\label", t0, \value
.endm

.macro IRQ_COUNT label, value
    lla t0, irq_rec
    ld t0, IREC_COUNT(t0)
    EXPECT "\label", t0, \value
.endm

.macro MIP_BIT reg, bit
    csrr \reg, mip
    srli \reg, \reg, \bit
    andi \reg, \reg, 1
.endm

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
