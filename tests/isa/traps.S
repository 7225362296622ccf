// Synchronous traps: ecall from M/S/U (causes 11/9/8), ebreak, illegal instructions with
// mtval = the instruction bits (the all-zero halfword, reserved encodings, privileged
// instructions below their mode), access faults on unmapped addresses for load, store, AMO
// and fetch (mtval = the address), mstatus on trap entry and after mret, and medeleg
// delegation of exceptions from S/U to the S handler.
#include "common/test.h"

#define UNMAPPED 0x90000000     /* nothing is there on virt with 128 MiB */
#define PAST_RAM 0x88000000     /* first byte after RAM */

.macro ILLEGAL label, enc, level=3
    TRAP_ARM
    .word \enc
    CHECK_TRAP "\label", CAUSE_ILLEGAL, \enc, \level
.endm

TEST_BEGIN traps
    /* ecall / ebreak from M; mstatus on entry has MPIE = old MIE, MIE = 0, MPP = M */
    li t0, MSTATUS_MIE          /* mie is 0: no interrupt can be taken */
    csrs mstatus, t0
    TRAP_ARM
    ecall
    CHECK_TRAP "ecall from M", CAUSE_ECALL_M, 0
    CHECK_TRAP_PREV "ecall from M", 3
    LOAD_TREC t0, TREC_STATUS
    li t1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and t0, t0, t1
    EXPECT "mstatus at trap: MPIE MPP=M", t0, MSTATUS_MPIE | MSTATUS_MPP
    /* after mret: MIE = MPIE, MPIE = 1, MPP = U (the least-privileged mode) */
    csrr t0, mstatus
    and t0, t0, t1
    EXPECT "mstatus after mret: MIE MPIE MPP=U", t0, MSTATUS_MIE | MSTATUS_MPIE
    li t0, MSTATUS_MIE
    csrc mstatus, t0
    TRAP_ARM
    ebreak                      /* QEMU writes 0 to mtval (the spec allows 0 or the pc) */
    CHECK_TRAP "ebreak", CAUSE_BREAKPOINT, 0
    LOAD_TREC t0, TREC_STATUS
    li t1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and t0, t0, t1
    EXPECT "mstatus at trap MIE=0: MPP=M", t0, MSTATUS_MPP

    /* ecall from S and U */
    LOWER_BEGIN 1
    TRAP_ARM
    ecall
    CHECK_TRAP "ecall from S", CAUSE_ECALL_S, 0
    CHECK_TRAP_PREV "ecall from S", 1
    TRAP_ARM
    ebreak
    CHECK_TRAP "ebreak from S", CAUSE_BREAKPOINT, 0
    LOWER_END
    LOWER_BEGIN 0
    TRAP_ARM
    ecall
    CHECK_TRAP "ecall from U", CAUSE_ECALL_U, 0
    CHECK_TRAP_PREV "ecall from U", 0
    LOWER_END

    /* illegal instructions: mtval holds the instruction */
    TRAP_ARM
    .half 0                     /* the all-zero instruction is defined to be illegal */
    .half 0x0001                /* c.nop: back to 4-byte alignment */
    CHECK_TRAP "all-zero halfword", CAUSE_ILLEGAL, 0
    ILLEGAL "custom-0 opcode", 0xdeadc00b
    ILLEGAL "add with funct7=2", 0x04000033
    ILLEGAL "slli with imm[11:6]=1", 0x04001013
    ILLEGAL "addiw with funct3=1 (slliw) imm[11:5]=1", 0x0200101b
    ILLEGAL "OP-32 funct7=3", 0x0600003b
    ILLEGAL "load funct3=7", 0x00007003
    ILLEGAL "store funct3=4", 0x00004023
    ILLEGAL "branch funct3=2", 0x00002063
    ILLEGAL "jalr funct3=1", 0x00001067
    ILLEGAL "SYSTEM funct3=0 imm=3", 0x00300073
    ILLEGAL "MISC-MEM funct3=2", 0x0000200f
    ILLEGAL "AMO funct5=0x1f", 0xf800302f
    ILLEGAL "AMO width=b", 0x0000002f
    ILLEGAL "48-bit length prefix", 0x0000001f

    /* privileged instructions below their mode */
    LOWER_BEGIN 1
    ILLEGAL "mret in S", 0x30200073
    LOWER_END
    LOWER_BEGIN 0
    ILLEGAL "mret in U", 0x30200073
    ILLEGAL "sret in U", 0x10200073
    ILLEGAL "wfi in U", 0x10500073
    ILLEGAL "sfence.vma in U", 0x12000073
    LOWER_END

    /* access faults: nothing answers at these addresses */
    li t1, UNMAPPED
    TRAP_ARM
    ld t0, 0(t1)
    CHECK_TRAP_R "ld unmapped", CAUSE_LOAD_ACCESS, t1
    addi t2, t1, 0x7ff
    TRAP_ARM
    lbu t0, 0x7ff(t1)
    CHECK_TRAP_R "lbu unmapped+0x7ff", CAUSE_LOAD_ACCESS, t2
    TRAP_ARM
    sw t0, 0(t1)
    CHECK_TRAP_R "sw unmapped", CAUSE_STORE_ACCESS, t1
    li t1, PAST_RAM
    TRAP_ARM
    lw t0, 0(t1)
    CHECK_TRAP_R "lw past RAM", CAUSE_LOAD_ACCESS, t1
    TRAP_ARM
    sd t0, 0(t1)
    CHECK_TRAP_R "sd past RAM", CAUSE_STORE_ACCESS, t1
    li t1, 0x0000001000000000
    TRAP_ARM
    lh t0, 0(t1)
    CHECK_TRAP_R "lh at 64 GiB", CAUSE_LOAD_ACCESS, t1
    li t1, UNMAPPED
    li t2, 1
    TRAP_ARM
    lr.d t0, (t1)
    CHECK_TRAP_R "lr.d unmapped", CAUSE_LOAD_ACCESS, t1
    /* fetch: the handler resumes at ra */
    li t1, UNMAPPED
    TRAP_ARM_REG t1
    jalr ra, 0(t1)
    CHECK_TRAP_R "fetch unmapped", CAUSE_FETCH_ACCESS, t1
    li t1, PAST_RAM
    TRAP_ARM_REG t1
    jalr ra, 0(t1)
    CHECK_TRAP_R "fetch past RAM", CAUSE_FETCH_ACCESS, t1
    LOWER_BEGIN 0
    li t1, UNMAPPED
    TRAP_ARM
    sb t0, 0(t1)
    CHECK_TRAP_R "U sb unmapped", CAUSE_STORE_ACCESS, t1
    TRAP_ARM_REG t1
    jalr ra, 0(t1)
    CHECK_TRAP_R "U fetch unmapped", CAUSE_FETCH_ACCESS, t1
    LOWER_END

    /* delegation: medeleg/mideleg WARL, then S/U exceptions to the S handler */
    li t0, -1
    csrw medeleg, t0
    csrr t0, medeleg
    li t1, 0xb3ff
    and t0, t0, t1
    EXPECT "medeleg delegable exceptions", t0, 0xb3ff
    li t0, -1
    csrw mideleg, t0
    csrr t0, mideleg
    li t1, 0xaaa
    and t0, t0, t1
    EXPECT "mideleg: S interrupts only", t0, 0x222
    csrw mideleg, zero
    li t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_LOAD_ACCESS) | (1 << CAUSE_FETCH_ACCESS)
    csrw medeleg, t0
    csrr t0, medeleg
    EXPECT "medeleg readback", t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_LOAD_ACCESS) | (1 << CAUSE_FETCH_ACCESS)
    /* M-mode exceptions are never delegated */
    ILLEGAL "delegated illegal in M stays in M", 0xdeadc00b, 3
    LOWER_BEGIN 0
    TRAP_ARM
    ecall
    CHECK_TRAP "deleg ecall from U", CAUSE_ECALL_U, 0, 1
    CHECK_TRAP_PREV "deleg ecall from U", 0
    LOAD_TREC t0, TREC_STATUS
    andi t0, t0, MSTATUS_SPP
    EXPECT "deleg sstatus.SPP = U", t0, 0
    ILLEGAL "deleg illegal from U", 0xdeadc00b, 1
    li t1, UNMAPPED
    TRAP_ARM
    ld t0, 8(t1)
    addi t1, t1, 8
    CHECK_TRAP_R "deleg load fault from U", CAUSE_LOAD_ACCESS, t1, 1
    TRAP_ARM
    ebreak
    CHECK_TRAP "ebreak from U not delegated", CAUSE_BREAKPOINT, 0, 3
    li t1, UNMAPPED
    TRAP_ARM_REG t1
    jalr ra, 0(t1)
    CHECK_TRAP_R "deleg fetch fault from U", CAUSE_FETCH_ACCESS, t1, 1
    LOWER_END
    LOWER_BEGIN 1
    ILLEGAL "deleg illegal from S", 0xdeadc00b, 1
    CHECK_TRAP_PREV "deleg illegal from S", 1
    LOAD_TREC t0, TREC_STATUS
    andi t0, t0, MSTATUS_SPP
    EXPECT "deleg sstatus.SPP = S", t0, MSTATUS_SPP
    TRAP_ARM
    ecall
    CHECK_TRAP "ecall from S not delegated", CAUSE_ECALL_S, 0, 3
    LOWER_END
    /* scause/sepc/stval hold the last delegated trap */
    csrr t0, scause
    EXPECT "scause after delegated trap", t0, CAUSE_ILLEGAL
    csrr t0, stval
    EXPECT "stval after delegated trap", t0, 0xdeadc00b
    csrw medeleg, zero
TEST_END
