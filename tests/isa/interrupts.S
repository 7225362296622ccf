// Interrupts: machine timer through the CLINT's mtimecmp, machine software interrupts through
// msip, supervisor software interrupts by writing mip.SSIP, the supervisor timer through Sstc
// (stimecmp with menvcfg.STCE), delegation through mideleg, wfi waking on a pending enabled
// interrupt with MIE=0, M interrupts taken in U with MIE=0, the read-only mip bits, and
// vectored mtvec (interrupts at base + 4 * code, exceptions at base).
// (The priority order is in irq_priority.S.)  The default handler masks
// each interrupt it takes and appends level << 8 | code to irq_rec.
#include "common/test.h"

#include "common/irq.inc"

TEST_BEGIN interrupts
    /* ---- machine timer ---- */
    li s0, MTIMECMP
    li s1, MTIME
    li t0, -1
    sd t0, 0(s0)
    MIP_BIT t1, IRQ_MTI
    EXPECT "mtimecmp=max: MTIP clear", t1, 0
    ld t0, 0(s1)
    ld t1, 0(s1)
    sltu t2, t0, t1
    bnez t2, 1f
    /* mtime may not have ticked between two reads; read until it does */
    li t3, 1000000
2:  ld t1, 0(s1)
    bne t0, t1, 1f
    addi t3, t3, -1
    bnez t3, 2b
1:  sltu t2, t0, t1
    EXPECT "mtime advances", t2, 1
    li t0, 1 << IRQ_MTI
    csrs mip, t0
    MIP_BIT t1, IRQ_MTI
    EXPECT "mip.MTIP is read-only", t1, 0
    IRQ_RESET
    ld t0, 0(s1)
    addi t0, t0, 500            /* 50 us */
    sd t0, 0(s0)
    li t0, 1 << IRQ_MTI
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    WAIT_IRQS 1
    csrci mstatus, MSTATUS_MIE
    IRQ_COUNT "timer: one interrupt", 1
    IRQ_EXPECT "timer: M timer (0x307)", 0, 0x307
    MIP_BIT t1, IRQ_MTI
    EXPECT "timer: MTIP still pending", t1, 1
    li t0, -1
    sd t0, 0(s0)
    MIP_BIT t1, IRQ_MTI
    EXPECT "timer: MTIP clears with mtimecmp", t1, 0

    /* wfi with MIE=0 returns once an enabled interrupt is pending, without a trap */
    IRQ_RESET
    li t0, 1 << IRQ_MTI
    csrw mie, t0
    ld t0, 0(s1)
    addi t0, t0, 500
    sd t0, 0(s0)
3:  wfi
    MIP_BIT t1, IRQ_MTI
    beqz t1, 3b                 /* wfi may also return early: wait for the timer */
    EXPECT "wfi woke with MTIP", t1, 1
    IRQ_COUNT "wfi with MIE=0 takes no trap", 0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    IRQ_COUNT "MIE=1 then takes it", 1
    li t0, -1
    sd t0, 0(s0)

    /* ---- machine software interrupt ---- */
    IRQ_RESET
    li s2, MSIP
    li t0, 1
    sw t0, 0(s2)
    MIP_BIT t1, IRQ_MSI
    EXPECT "msip=1 sets MSIP", t1, 1
    li t0, 1 << IRQ_MSI
    csrc mip, t0
    MIP_BIT t1, IRQ_MSI
    EXPECT "mip.MSIP is read-only", t1, 1
    li t0, 1 << IRQ_MSI
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    IRQ_EXPECT "msip: M software (0x303)", 0, 0x303
    sw zero, 0(s2)
    MIP_BIT t1, IRQ_MSI
    EXPECT "msip=0 clears MSIP", t1, 0
    lw t1, 0(s2)
    EXPECT "msip reads back 0", t1, 0

    /* M interrupts are taken in U even with mstatus.MIE = 0 */
    IRQ_RESET
    li t0, 1 << IRQ_MSI
    csrw mie, t0
    LOWER_BEGIN 0
    li t0, 1
    li t3, MSIP
    sw t0, 0(t3)                /* the PMP entry lets U reach the CLINT */
    WAIT_IRQS 1
    sw zero, 0(t3)
    LOWER_END
    IRQ_COUNT "MSI taken in U with MIE=0", 1
    IRQ_EXPECT "MSI in U: 0x303", 0, 0x303

    /* ---- supervisor software interrupt through mip.SSIP ---- */
    IRQ_RESET
    li t0, 1 << IRQ_SSI
    csrs mip, t0
    MIP_BIT t1, IRQ_SSI
    EXPECT "mip.SSIP is writable", t1, 1
    li t0, 1 << IRQ_SSI
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    IRQ_EXPECT "SSIP not delegated: to M (0x301)", 0, 0x301
    /* delegated: not taken in M, taken in S when SIE=1, taken in U regardless of SIE */
    IRQ_RESET
    li t0, 1 << IRQ_SSI
    csrw mideleg, t0
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    IRQ_COUNT "delegated SSI ignored in M", 0
    LOWER_BEGIN 1
    nop
    nop
    csrr s3, sip
    csrsi sstatus, MSTATUS_SIE
    nop
    csrci sstatus, MSTATUS_SIE
    LOWER_END
    andi s3, s3, 1 << IRQ_SSI
    EXPECT "sip.SSIP seen from S", s3, 1 << IRQ_SSI
    IRQ_COUNT "delegated SSI in S once SIE=1", 1
    IRQ_EXPECT "delegated SSI: S handler (0x101)", 0, 0x101
    IRQ_RESET
    li t0, 1 << IRQ_SSI
    csrw mie, t0
    LOWER_BEGIN 0
    nop
    nop
    LOWER_END
    IRQ_EXPECT "delegated SSI taken in U with SIE=0", 0, 0x101
    li t0, 1 << IRQ_SSI
    csrc mip, t0
    csrw mideleg, zero

    /* ---- supervisor timer: Sstc ---- */
    IRQ_RESET
    csrw 0x30a, zero            /* menvcfg.STCE = 0 */
    li t0, -1
    csrw mcounteren, t0
    li t0, 1 << IRQ_STI
    csrs mip, t0
    MIP_BIT t1, IRQ_STI
    EXPECT "STCE=0: mip.STIP writable", t1, 1
    li t0, 1 << IRQ_STI
    csrc mip, t0
    LOWER_BEGIN 1
    TRAP_ARM
    csrr t0, stimecmp
    CHECK_TRAP "STCE=0: stimecmp from S illegal", CAUSE_ILLEGAL, 0x14d022f3
    LOWER_END
    li t0, 1 << 63
    csrs 0x30a, t0              /* STCE */
    li t0, -1
    csrw stimecmp, t0
    MIP_BIT t1, IRQ_STI
    EXPECT "stimecmp=max: STIP clear", t1, 0
    li t0, 1 << IRQ_STI
    csrs mip, t0
    MIP_BIT t1, IRQ_STI
    EXPECT "STCE=1: mip.STIP read-only", t1, 0
    li t0, 1 << IRQ_STI
    csrw mideleg, t0
    csrw mie, t0
    LOWER_BEGIN 1
    rdtime t0
    addi t0, t0, 500
    csrw stimecmp, t0
    csrsi sstatus, MSTATUS_SIE
    WAIT_IRQS 1
    csrci sstatus, MSTATUS_SIE
    csrr s3, sip
    LOWER_END
    IRQ_EXPECT "stimecmp: S timer in S (0x105)", 0, 0x105
    andi s3, s3, 1 << IRQ_STI
    EXPECT "sip.STIP pending after stimecmp", s3, 1 << IRQ_STI
    li t0, -1
    csrw stimecmp, t0
    MIP_BIT t1, IRQ_STI
    EXPECT "STIP clears with stimecmp", t1, 0
    li t0, 2
    csrc mcounteren, t0         /* TM = 0 */
    LOWER_BEGIN 1
    TRAP_ARM
    csrr t0, stimecmp
    CHECK_TRAP "mcounteren.TM=0: stimecmp from S illegal", CAUSE_ILLEGAL, 0x14d022f3
    LOWER_END
    csrw mideleg, zero
    csrw 0x30a, zero
    csrw mcounteren, zero

    /* ---- vectored mtvec: interrupts go to base + 4 * code, exceptions to base ---- */
    IRQ_RESET
    lla t0, vec_table
    ori t0, t0, 1
    csrw mtvec, t0
    TRAP_ARM
    ecall
    CHECK_TRAP "vectored: ecall goes to base", CAUSE_ECALL_M, 0
    lla t0, vec_hits
    ld t1, 24(t0)
    ld t2, 56(t0)
    or t1, t1, t2
    EXPECT "vectored: ecall did not use entries 3/7", t1, 0
    li t0, 1
    sw t0, 0(s2)                /* MSIP */
    li t0, 1 << IRQ_MSI
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    WAIT_IRQS 1
    csrci mstatus, MSTATUS_MIE
    sw zero, 0(s2)
    ld t0, 0(s1)
    addi t0, t0, 500
    sd t0, 0(s0)
    li t0, 1 << IRQ_MTI
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    WAIT_IRQS 2
    csrci mstatus, MSTATUS_MIE
    li t0, -1
    sd t0, 0(s0)
    lla t0, m_trap_entry
    csrw mtvec, t0
    IRQ_EXPECT "vectored: MSI taken", 0, 0x303
    IRQ_EXPECT "vectored: MTI taken", 1, 0x307
    lla t0, vec_hits
    ld t1, 24(t0)
    snez t1, t1
    EXPECT "vectored: MSI through entry 3", t1, 1
    ld t1, 56(t0)
    snez t1, t1
    EXPECT "vectored: MTI through entry 7", t1, 1

    /* priority order: irq_priority.S (QEMU departs) */
TEST_END

/* Vector table: entries 3 and 7 mark that they were used (tp is free in the waiting loops
 * where these interrupts arrive), then everything goes to the normal handler. */
    .balign 256
vec_table:
    j m_trap_entry              /* 0: exceptions */
    j m_trap_entry
    j m_trap_entry
    j vec_msi                   /* 3 */
    j m_trap_entry
    j m_trap_entry
    j m_trap_entry
    j vec_mti                   /* 7 */
    j m_trap_entry
    j m_trap_entry
    j m_trap_entry
    j m_trap_entry
vec_msi:
    lla tp, vec_hits + 24
    sd tp, 0(tp)
    j m_trap_entry
vec_mti:
    lla tp, vec_hits + 56
    sd tp, 0(tp)
    j m_trap_entry

    .data
    .balign 8
vec_hits:   .zero 64
