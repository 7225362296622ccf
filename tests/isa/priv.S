// Privileged state: misa, the fixed fields of mstatus (UXL/SXL, VS/XS, endianness, SD),
// mret and sret updating MIE/MPIE/MPP/MPRV and SIE/SPIE/SPP, sret from M, TSR/TW/TVM, the
// sstatus/sie/sip views of the M registers, and legal mtvec/stvec modes.
#include "common/test.h"

/* Run the following block in the mode mstatus.MPP already says, via mret; LOWER_END returns. */
.macro MRET_BEGIN
    li a7, 0
    lla t0, 90001f
    csrw mepc, t0
    call xret_to_m
    j 90002f
90001:
.endm

/* The same through sret from M: sstatus.SPP picks the mode. */
.macro SRET_BEGIN
    li a7, 0
    lla t0, 90001f
    csrw sepc, t0
    call xret_to_s
    j 90002f
90001:
.endm

.macro MSTATUS_FIELD reg, mask
    csrr \reg, mstatus
    li tp, \mask
    and \reg, \reg, tp
.endm

TEST_BEGIN priv
    csrr t0, misa
    EXPECT "misa RV64 IMAFDC SU", t0, 0x800000000014112d
    csrw misa, zero
    csrr t0, misa
    EXPECT "misa after writing 0", t0, 0x800000000014112d

    /* fixed mstatus fields */
    MSTATUS_FIELD t0, MSTATUS_UXL | MSTATUS_SXL
    EXPECT "mstatus UXL=SXL=64", t0, 0xa00000000
    li t0, MSTATUS_UXL | MSTATUS_SXL
    csrc mstatus, t0
    MSTATUS_FIELD t0, MSTATUS_UXL | MSTATUS_SXL
    EXPECT "UXL/SXL read-only", t0, 0xa00000000
    /* (VS may be writable without V when S exists: not pinned, and left 0) */
    li t0, MSTATUS_XS | MSTATUS_UBE | MSTATUS_SBE | MSTATUS_MBE
    csrs mstatus, t0
    MSTATUS_FIELD t0, MSTATUS_XS | MSTATUS_UBE | MSTATUS_SBE | MSTATUS_MBE
    EXPECT "XS UBE SBE MBE stay 0", t0, 0
    li t0, MSTATUS_FS
    csrs mstatus, t0
    MSTATUS_FIELD t0, MSTATUS_SD | MSTATUS_FS
    EXPECT "FS=Dirty sets SD", t0, MSTATUS_SD | MSTATUS_FS
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_CLEAN
    csrs mstatus, t0
    MSTATUS_FIELD t0, MSTATUS_SD | MSTATUS_FS
    EXPECT "FS=Clean clears SD", t0, MSTATUS_FS_CLEAN
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_INIT
    csrs mstatus, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    MSTATUS_FIELD t0, MSTATUS_MPP
    EXPECT "MPP=M legal", t0, MSTATUS_MPP
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    MSTATUS_FIELD t0, MSTATUS_MPP
    EXPECT "MPP=S legal", t0, MSTATUS_MPP_S

    /* mret to S with MPIE=1: MIE = 1 there, MPIE = 1, MPP = U afterwards; MPRV cleared */
    li t0, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPRV
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPIE | MSTATUS_MPRV
    csrs mstatus, t0
    MRET_BEGIN
    TRAP_ARM
    ecall
    CHECK_TRAP "mret to S: ecall", CAUSE_ECALL_S, 0
    LOAD_TREC s2, TREC_STATUS
    LOWER_END
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and s2, s2, t0
    EXPECT "in S after mret: MIE was 1", s2, MSTATUS_MPIE | MSTATUS_MPP_S
    li t0, MSTATUS_MPRV     /* MPRV after mret to S: see priv_mprv.S */
    csrc mstatus, t0
    /* mret M -> M with MPRV=1 keeps MPRV; MIE = MPIE = 0; MPIE = 1 */
    li t0, MSTATUS_MPP | MSTATUS_MPRV
    csrs mstatus, t0
    li t0, MSTATUS_MPIE | MSTATUS_MIE
    csrc mstatus, t0
    lla t0, 1f
    csrw mepc, t0
    mret
1:  MSTATUS_FIELD t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV
    EXPECT "mret M->M keeps MPRV, MPP=U", t0, MSTATUS_MPIE | MSTATUS_MPRV
    li t0, MSTATUS_MPRV
    csrc mstatus, t0

    /* sret from S to U: SIE = SPIE, SPIE = 1, SPP = U */
    LOWER_BEGIN 1
    li t0, MSTATUS_SPP | MSTATUS_SIE
    csrc sstatus, t0
    li t0, MSTATUS_SPIE
    csrs sstatus, t0
    lla t0, 2f
    csrw sepc, t0
    sret
2:  TRAP_ARM
    ecall
    CHECK_TRAP "sret S->U: ecall", CAUSE_ECALL_U, 0
    LOAD_TREC s2, TREC_STATUS
    LOWER_END
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and s2, s2, t0
    EXPECT "after sret: SIE=SPIE=1 SPP=U", s2, MSTATUS_SIE | MSTATUS_SPIE
    li t0, MSTATUS_SIE
    csrc mstatus, t0
    /* sret executed in M: to S with SPP=1, to U with SPP=0 */
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    SRET_BEGIN
    TRAP_ARM
    ecall
    CHECK_TRAP "sret from M to S", CAUSE_ECALL_S, 0
    LOWER_END
    li t0, MSTATUS_SPP
    csrc mstatus, t0
    SRET_BEGIN
    TRAP_ARM
    ecall
    CHECK_TRAP "sret from M to U", CAUSE_ECALL_U, 0
    LOWER_END
    li t0, MSTATUS_SIE
    csrc mstatus, t0

    /* TSR, TW, TVM trap S-mode sret, wfi, satp and sfence.vma */
    li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
    csrs mstatus, t0
    LOWER_BEGIN 1
    TRAP_ARM
    sret
    CHECK_TRAP "TSR: sret in S", CAUSE_ILLEGAL, 0x10200073
    TRAP_ARM
    wfi
    CHECK_TRAP "TW: wfi in S", CAUSE_ILLEGAL, 0x10500073
    TRAP_ARM
    csrr t0, satp
    CHECK_TRAP "TVM: csrr satp in S", CAUSE_ILLEGAL, 0x180022f3
    TRAP_ARM
    sfence.vma
    CHECK_TRAP "TVM: sfence.vma in S", CAUSE_ILLEGAL, 0x12000073
    LOWER_END
    li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
    csrc mstatus, t0
    LOWER_BEGIN 1
    TRAP_ARM
    csrr t0, satp
    sfence.vma
    CHECK_NOTRAP "no TVM: satp and sfence.vma in S"
    LOWER_END
    /* TW/TSR/TVM do not affect M */
    li t0, MSTATUS_TSR | MSTATUS_TVM
    csrs mstatus, t0
    TRAP_ARM
    csrr t0, satp
    sfence.vma
    CHECK_NOTRAP "TVM does not apply to M"
    li t0, MSTATUS_TSR | MSTATUS_TVM
    csrc mstatus, t0

    /* sstatus is a view of mstatus */
    li t0, MSTATUS_MPIE | MSTATUS_MIE
    csrc mstatus, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    li t0, -1
    csrs sstatus, t0
    MSTATUS_FIELD t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
    EXPECT "sstatus write leaves M fields", t0, MSTATUS_MPP
    csrr t0, sstatus
    li t1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
    and t0, t0, t1
    EXPECT "sstatus hides M fields", t0, 0
    MSTATUS_FIELD t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS
    EXPECT "sstatus writes S fields", t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS
    csrc sstatus, t0
    li t0, MSTATUS_FS_INIT
    csrs sstatus, t0
    MSTATUS_FIELD t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS
    EXPECT "sstatus clears S fields", t0, MSTATUS_FS_INIT

    /* sie/sip show only delegated interrupts */
    li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI) | (1 << IRQ_MTI)
    csrw mie, t0
    csrr t0, sie
    EXPECT "sie with mideleg=0", t0, 0
    li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
    csrw mideleg, t0
    csrr t0, sie
    EXPECT "sie with S interrupts delegated", t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
    li t0, 1 << IRQ_STI
    csrc sie, t0
    csrr t0, mie
    EXPECT "sie write reaches mie", t0, (1 << IRQ_SSI) | (1 << IRQ_SEI) | (1 << IRQ_MTI)
    csrw mie, zero
    li t0, 1 << IRQ_SSI
    csrs sip, t0
    csrr t0, mip
    andi t0, t0, 1 << IRQ_SSI
    EXPECT "sip.SSIP write reaches mip", t0, 1 << IRQ_SSI
    csrr t0, sip
    andi t0, t0, (1 << IRQ_SSI) | (1 << IRQ_MTI)
    EXPECT "sip shows SSIP, hides MTIP", t0, 1 << IRQ_SSI
    li t0, 1 << IRQ_SSI
    csrc sip, t0
    csrr t0, mip
    andi t0, t0, 1 << IRQ_SSI
    EXPECT "sip.SSIP clear", t0, 0
    csrw mideleg, zero

    /* mtvec/stvec: direct and vectored modes read back; a reserved mode never reads back */
    csrr s3, mtvec
    lla t0, trap_table
    csrw mtvec, t0
    csrr t1, mtvec
    EXPECTR "mtvec direct", t1, t0
    ori t0, t0, 1
    csrw mtvec, t0
    csrr t1, mtvec
    EXPECTR "mtvec vectored", t1, t0
    ori t0, t0, 3
    csrw mtvec, t0
    csrr t1, mtvec
    andi t1, t1, 3
    sltiu t1, t1, 2
    EXPECT "mtvec mode 3 not kept", t1, 1
    csrw mtvec, s3
    csrr s3, stvec
    lla t0, trap_table
    ori t0, t0, 1
    csrw stvec, t0
    csrr t1, stvec
    EXPECTR "stvec vectored", t1, t0
    ori t0, t0, 2
    csrw stvec, t0
    csrr t1, stvec
    andi t1, t1, 3
    sltiu t1, t1, 2
    EXPECT "stvec mode 2 not kept", t1, 1
    csrw stvec, s3
TEST_END

xret_to_m:
    lla t0, mode_ctx
    sd ra, 0(t0)
    sd sp, 8(t0)
    mret
xret_to_s:
    lla t0, mode_ctx
    sd ra, 0(t0)
    sd sp, 8(t0)
    sret

    .balign 256
trap_table:
    j trap_table
