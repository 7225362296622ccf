/*
 * Shared definitions for the bare-metal ISA tests: board addresses, CSR bits, trap causes and the
 * assembler macros every test uses.  A test is one .S file that does
 *
 *     #include "common/test.h"
 *     TEST_BEGIN rv64i
 *         TEST_RR add, 1, 2, 3            // compute, record, compare with the spec's answer
 *     TEST_END
 *
 * Register conventions (see README.md): gp is the signature pointer and tp is the macros' scratch
 * register; a test must not use either for anything else.  Everything else is free.
 */
#ifndef ISA_TEST_H
#define ISA_TEST_H

/* Board (QEMU virt). */
#define UART_BASE       0x10000000
#define FINISHER_BASE   0x100000
#define FINISHER_PASS   0x5555
#define FINISHER_FAIL   0x3333
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      0x0
#define CLINT_MTIMECMP  0x4000
#define CLINT_MTIME     0xbff8
#define PLIC_BASE       0xc000000
#define RAM_BASE        0x80000000

/* mstatus bits. */
#define MSTATUS_SIE     (1 << 1)
#define MSTATUS_MIE     (1 << 3)
#define MSTATUS_SPIE    (1 << 5)
#define MSTATUS_UBE     (1 << 6)
#define MSTATUS_MPIE    (1 << 7)
#define MSTATUS_SPP     (1 << 8)
#define MSTATUS_VS      (3 << 9)
#define MSTATUS_MPP     (3 << 11)
#define MSTATUS_MPP_S   (1 << 11)
#define MSTATUS_FS      (3 << 13)
#define MSTATUS_FS_INIT (1 << 13)
#define MSTATUS_FS_CLEAN (2 << 13)
#define MSTATUS_FS_DIRTY (3 << 13)
#define MSTATUS_XS      (3 << 15)
#define MSTATUS_MPRV    (1 << 17)
#define MSTATUS_SUM     (1 << 18)
#define MSTATUS_MXR     (1 << 19)
#define MSTATUS_TVM     (1 << 20)
#define MSTATUS_TW      (1 << 21)
#define MSTATUS_TSR     (1 << 22)
#define MSTATUS_UXL     (3 << 32)
#define MSTATUS_SXL     (3 << 34)
#define MSTATUS_SBE     (1 << 36)
#define MSTATUS_MBE     (1 << 37)
#define MSTATUS_SD      (1 << 63)

/* Interrupt numbers (bit positions in mip/mie) and exception causes. */
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define CAUSE_IRQ (1 << 63)

#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL           2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_ECALL_U           8
#define CAUSE_ECALL_S           9
#define CAUSE_ECALL_M           11
#define CAUSE_FETCH_PAGE        12
#define CAUSE_LOAD_PAGE         13
#define CAUSE_STORE_PAGE        15

/* a7 values the trap handlers treat as requests rather than as tested ecalls. */
#define SYS_RETURN_M    0x7e7e0001  /* leave S/U, continue in M after LOWER_END */
#define SYS_DIE         0x7e7e0002  /* S handler hit a double fault: give up */

/* Layout of trap_rec (crt.S): the record of the last expected trap. */
#define TREC_ARMED      0
#define TREC_CAUSE      8
#define TREC_TVAL       16
#define TREC_EPC        24
#define TREC_LEVEL      32
#define TREC_PREV       40
#define TREC_EXPECT_EPC 48
#define TREC_SPILL      56
#define TREC_STATUS     64  /* mstatus (M handler) or sstatus (S handler) on entry */

/* Layout of irq_rec (crt.S): interrupts taken, in order.  An entry is level << 8 | code. */
#define IREC_COUNT      0
#define IREC_LIST       8
#define IREC_MAX        8

/* Layout of a signature entry (crt.S dumps them). */
#define SIG_LABEL       0
#define SIG_VALUE       8
#define SIG_EXPECT      16
#define SIG_FLAGS       24
#define SIG_SIZE        32
#define SIGF_EXPECT     1   /* compare value with expected */
#define SIGF_BAD        2   /* always counts as a mismatch (unexpected trap) */

#ifdef __ASSEMBLER__

/*
 * TEST_BEGIN name: opens the test body (entered in M-mode, bare, interrupts off, FS=Initial, a
 * PMP entry granting S/U everything).  Instructions are assembled uncompressed and without
 * linker relaxation unless a test says `.option rvc`, so an emulator with a broken C extension
 * can still run every other test.
 */
.macro TEST_BEGIN name
    .option norvc
    .option norelax
    .set __sig_count, 0
    .pushsection .rodata.test_name, "a"
    .globl test_name
test_name:
    .asciz "\name"
    .popsection
    .text
    .globl test_main
    .balign 4
test_main:
.endm

/*
 * TEST_END: dumps the signature and exits through the finisher.  The number of recording
 * macros in the file is the number of entries the dump expects; a run that records fewer or
 * more (a skipped block, a loop) is flagged.  A test whose count legitimately differs says so
 * with SIG_COUNT_ADJUST n (added to the static count).
 */
.macro TEST_END
    j test_finish
    .pushsection .rodata.test_count, "a"
    .balign 8
    .globl test_static_entries
test_static_entries:
    .dword __sig_count
    .popsection
.endm

.macro SIG_COUNT_ADJUST n
    .set __sig_count, __sig_count + (\n)
.endm

/* Internal: the label string of a signature entry, its address in tp. */
.macro SIG_LABEL_TP label
    .pushsection .rodata.sigstr, "a"
.Lsig_label\@:
    .asciz "\label"
    .popsection
    lla tp, .Lsig_label\@
.endm

/* SIG label, reg: record reg under label, no expectation (the runner compares with QEMU). */
.macro SIG label, reg
    .set __sig_count, __sig_count + 1
    sd \reg, SIG_VALUE(gp)
    SIG_LABEL_TP "\label"
    sd tp, SIG_LABEL(gp)
    sd zero, SIG_FLAGS(gp)
    addi gp, gp, SIG_SIZE
.endm

/* EXPECT label, reg, value: record reg, and flag it BAD if it differs from the constant. */
.macro EXPECT label, reg, value
    .set __sig_count, __sig_count + 1
    sd \reg, SIG_VALUE(gp)
    li tp, \value
    sd tp, SIG_EXPECT(gp)
    li tp, SIGF_EXPECT
    sd tp, SIG_FLAGS(gp)
    SIG_LABEL_TP "\label"
    sd tp, SIG_LABEL(gp)
    addi gp, gp, SIG_SIZE
.endm

/* EXPECTR label, reg, ereg: as EXPECT with the expected value in a register. */
.macro EXPECTR label, reg, ereg
    .set __sig_count, __sig_count + 1
    sd \reg, SIG_VALUE(gp)
    sd \ereg, SIG_EXPECT(gp)
    li tp, SIGF_EXPECT
    sd tp, SIG_FLAGS(gp)
    SIG_LABEL_TP "\label"
    sd tp, SIG_LABEL(gp)
    addi gp, gp, SIG_SIZE
.endm

/* EXPECT_MEM label, addr_symbol, width(d/w/h/b, loads zero- or sign-extended as lX), value. */
.macro EXPECT_MEM label, sym, ld, value
    .set __sig_count, __sig_count + 1
    lla tp, \sym
    \ld tp, 0(tp)
    sd tp, SIG_VALUE(gp)
    li tp, \value
    sd tp, SIG_EXPECT(gp)
    li tp, SIGF_EXPECT
    sd tp, SIG_FLAGS(gp)
    SIG_LABEL_TP "\label"
    sd tp, SIG_LABEL(gp)
    addi gp, gp, SIG_SIZE
.endm

/*
 * TRAP_ARM: the next instruction is expected to trap.  The handler that takes it (M or S)
 * records cause, tval, epc, its level and the previous privilege in trap_rec, then resumes
 * after the faulting instruction (or at ra for an instruction-fetch fault).
 * Leaves every register but tp unchanged.
 */
.macro TRAP_ARM
    lla tp, trap_rec
    sd t0, TREC_SPILL(tp)
    lla t0, .Ltrap_site\@
    sd t0, TREC_EXPECT_EPC(tp)
    li t0, -1
    sd t0, TREC_CAUSE(tp)
    sd t0, TREC_TVAL(tp)
    sd t0, TREC_EPC(tp)
    sd zero, TREC_LEVEL(tp)
    li t0, 1
    sd t0, TREC_ARMED(tp)
    ld t0, TREC_SPILL(tp)
.Ltrap_site\@:
.endm

/* TRAP_ARM_AT sym: expect a trap whose epc is sym (a jump target, an instruction elsewhere). */
.macro TRAP_ARM_AT sym
    lla tp, trap_rec
    sd t0, TREC_SPILL(tp)
    lla t0, \sym
    sd t0, TREC_EXPECT_EPC(tp)
    li t0, -1
    sd t0, TREC_CAUSE(tp)
    sd t0, TREC_TVAL(tp)
    sd t0, TREC_EPC(tp)
    sd zero, TREC_LEVEL(tp)
    li t0, 1
    sd t0, TREC_ARMED(tp)
    ld t0, TREC_SPILL(tp)
.endm

/* TRAP_ARM_REG reg: expect a trap whose epc is the address in reg (not t0 or tp). */
.macro TRAP_ARM_REG reg
    lla tp, trap_rec
    sd \reg, TREC_EXPECT_EPC(tp)
    sd t0, TREC_SPILL(tp)
    li t0, -1
    sd t0, TREC_CAUSE(tp)
    sd t0, TREC_TVAL(tp)
    sd t0, TREC_EPC(tp)
    sd zero, TREC_LEVEL(tp)
    li t0, 1
    sd t0, TREC_ARMED(tp)
    ld t0, TREC_SPILL(tp)
.endm

/* LOAD_TREC reg, off: read a field of the last trap record. */
.macro LOAD_TREC reg, off
    lla \reg, trap_rec
    ld \reg, \off(\reg)
.endm

/* Internal: record trap_rec field `off` under label, expecting value. */
.macro TREC_EXPECT label, off, value
    .set __sig_count, __sig_count + 1
    lla tp, trap_rec
    ld tp, \off(tp)
    sd tp, SIG_VALUE(gp)
    li tp, \value
    sd tp, SIG_EXPECT(gp)
    li tp, SIGF_EXPECT
    sd tp, SIG_FLAGS(gp)
    SIG_LABEL_TP "\label"
    sd tp, SIG_LABEL(gp)
    addi gp, gp, SIG_SIZE
.endm

/* Internal: record epc - expected epc (0 when the trap was precise) under label. */
.macro TREC_EPC_DELTA label
    .set __sig_count, __sig_count + 1
    lla tp, trap_rec
    sd t0, TREC_SPILL(tp)
    ld t0, TREC_EPC(tp)
    ld tp, TREC_EXPECT_EPC(tp)
    sub t0, t0, tp
    sd t0, SIG_VALUE(gp)
    sd zero, SIG_EXPECT(gp)
    li tp, SIGF_EXPECT
    sd tp, SIG_FLAGS(gp)
    lla tp, trap_rec
    ld t0, TREC_SPILL(tp)
    SIG_LABEL_TP "\label"
    sd tp, SIG_LABEL(gp)
    addi gp, gp, SIG_SIZE
.endm

/*
 * CHECK_TRAP label, cause, tval[, level]: after TRAP_ARM + the faulting instruction, record and
 * check the cause, tval, that epc was the armed instruction and which level (3 = M, 1 = S)
 * handled it.  Registers other than tp are preserved.
 */
.macro CHECK_TRAP label, cause, tval, level=3
    TREC_EXPECT "\label cause", TREC_CAUSE, \cause
    TREC_EXPECT "\label tval", TREC_TVAL, \tval
    TREC_EPC_DELTA "\label epc-delta"
    TREC_EXPECT "\label level", TREC_LEVEL, \level
    lla tp, trap_rec
    sd zero, TREC_ARMED(tp)
.endm

/*
 * CHECK_TRAP_R label, cause, treg[, level]: as CHECK_TRAP with the expected tval in a register
 * (an address); records tval - treg, so the line does not change when the layout does.
 */
.macro CHECK_TRAP_R label, cause, treg, level=3
    TREC_EXPECT "\label cause", TREC_CAUSE, \cause
    lla tp, trap_rec
    ld tp, TREC_TVAL(tp)
    sub tp, tp, \treg
    EXPECT "\label tval-delta", tp, 0
    TREC_EPC_DELTA "\label epc-delta"
    TREC_EXPECT "\label level", TREC_LEVEL, \level
    lla tp, trap_rec
    sd zero, TREC_ARMED(tp)
.endm

/* CHECK_TRAP_CAUSE label, cause[, level]: as CHECK_TRAP without a tval check (tval recorded). */
.macro CHECK_TRAP_CAUSE label, cause, level=3
    TREC_EXPECT "\label cause", TREC_CAUSE, \cause
    lla tp, trap_rec
    ld tp, TREC_TVAL(tp)
    SIG "\label tval", tp
    TREC_EPC_DELTA "\label epc-delta"
    TREC_EXPECT "\label level", TREC_LEVEL, \level
    lla tp, trap_rec
    sd zero, TREC_ARMED(tp)
.endm

/* CHECK_TRAP_PREV label, mode: the privilege the trap was taken from (MPP or SPP). */
.macro CHECK_TRAP_PREV label, mode
    TREC_EXPECT "\label prev-mode", TREC_PREV, \mode
.endm

/* CHECK_NOTRAP label: after TRAP_ARM, nothing trapped. */
.macro CHECK_NOTRAP label
    TREC_EXPECT "\label no-trap", TREC_CAUSE, -1
    lla tp, trap_rec
    sd zero, TREC_ARMED(tp)
.endm

/*
 * Run code in a lower privilege mode:
 *     LOWER_BEGIN 0          // 0 = U, 1 = S
 *         ...                // U/S code; may use SIG/EXPECT if gp's page is reachable
 *     LOWER_END              // ecall back to M; execution continues after it, in M
 * Across the switch sp and ra are restored; all other registers keep the lower mode's values
 * (pass results in s-registers).  a7 is clobbered.  Code must be identity-mapped.  M resumes
 * with mstatus.MIE = 0 and MPP = M.
 */
.macro LOWER_BEGIN mode
    li a7, 0
    lla a0, 90001f
    li a1, \mode
    call enter_mode
    j 90002f
90001:
.endm

.macro LOWER_END
    li a7, SYS_RETURN_M
    ecall
90002:
.endm

/*
 * LOWER_END_ILLEGAL: the same through an illegal instruction, for tests that delegate ecalls
 * to S (the S handler forwards a request it receives to M with ecall, or with an illegal
 * instruction when the request itself came as an ecall from S).
 */
.macro LOWER_END_ILLEGAL
    li a7, SYS_RETURN_M
    unimp
90002:
.endm

/* Binary and immediate operation checks: rd = op(rs1, rs2) against the expected constant. */
.macro TEST_RR op, a, b, exp
    li t1, \a
    li t2, \b
    \op t0, t1, t2
    EXPECT "\op \a \b", t0, \exp
.endm

.macro TEST_RI op, a, imm, exp
    li t1, \a
    \op t0, t1, \imm
    EXPECT "\op \a \imm", t0, \exp
.endm

/* Same with rd == rs1, to catch an implementation that reads a source after writing rd. */
.macro TEST_RR_SAME1 op, a, b, exp
    li t1, \a
    li t2, \b
    \op t1, t1, t2
    EXPECT "\op rd=rs1 \a \b", t1, \exp
.endm

.macro TEST_RR_SAME2 op, a, b, exp
    li t1, \a
    li t2, \b
    \op t2, t1, t2
    EXPECT "\op rd=rs2 \a \b", t2, \exp
.endm

/* rd = x0: the result must be discarded. */
.macro TEST_RR_X0 op, a, b
    li t1, \a
    li t2, \b
    \op x0, t1, t2
    EXPECT "\op rd=x0", x0, 0
.endm

#endif /* __ASSEMBLER__ */
#endif /* ISA_TEST_H */
