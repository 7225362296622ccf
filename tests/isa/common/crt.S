/*
 * Start-up, trap handlers and signature dump shared by every ISA test.
 *
 * Every hart enters _start at 0x80000000 in M-mode with its hartid in a0.  Hart 0 sets up the
 * machine (trap vectors, a PMP entry that lets S/U reach everything, FS=Initial) and calls the
 * test's test_main; the others call test_secondary if the test defines one, else park.  The test
 * ends by jumping to test_finish, which prints the signature over the UART:
 *
 *     BEGIN rv64i
 *     0000000000000003 add 1 2
 *     0000000000000004 sub 1 2  BAD expected ffffffffffffffff
 *     END rv64i entries=2 bad=1
 *
 * and writes PASS to the SiFive test finisher.  The runner needs the END line to trust a run.
 * Invariant: everything here is plain RV64I + Zicsr, uncompressed, so a hart with a broken
 * M/A/F/D/C extension can still run the tests that do not use it.
 */
#include "test.h"

    .option norvc
    .option norelax

#define MAX_HARTS       8
#define STACK_SIZE      4096
#define FRAME_SIZE      (32 * 8)
#define SIG_AREA_SIZE   (4096 * 32)

/* Saved-register slots in a trap frame: x<n> at 8*n. */
#define F_RA    (1 * 8)
#define F_SP    (2 * 8)
#define F_GP    (3 * 8)
#define F_T0    (5 * 8)
#define F_A7    (17 * 8)

    .section .text.init, "ax"
    .globl _start
_start:
    /* The boot code hands each hart its hartid in a0: note whether it did (smp.S checks). */
    csrr t0, mhartid
    li t1, MAX_HARTS
    bgeu t0, t1, park
    sub t2, a0, t0
    seqz t2, t2
    lla t1, boot_a0_ok
    add t1, t1, t0
    sb t2, 0(t1)
    mv a0, t0
    /* Per-hart stacks: the main stack, the M trap stack, the S trap stack (4 KiB each). */
    lla t0, hart_stacks
    li t1, 3 * STACK_SIZE
    mv t2, a0
1:  beqz t2, 2f
    add t0, t0, t1
    addi t2, t2, -1
    j 1b
2:  li t1, STACK_SIZE
    add sp, t0, t1              /* main stack top */
    add t2, sp, t1
    addi t2, t2, -16            /* M trap stack top; the word at top holds the busy flag */
    csrw mscratch, t2
    sd zero, 0(t2)
    add t2, t2, t1              /* S trap stack top */
    csrw sscratch, t2
    sd zero, 0(t2)

    lla t0, m_trap_entry
    csrw mtvec, t0
    lla t0, s_trap_entry
    csrw stvec, t0
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    csrw satp, zero
    csrw mcounteren, zero
    csrw scounteren, zero
    csrw 0x30a, zero            /* menvcfg */
    csrw mcountinhibit, zero
    li t0, MSTATUS_FS | MSTATUS_MPP | MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPIE | MSTATUS_SPIE | MSTATUS_SPP
    csrc mstatus, t0
    li t0, MSTATUS_FS_INIT
    csrs mstatus, t0
    csrw fcsr, zero             /* makes FS Dirty: put it back to Initial */
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_INIT
    csrs mstatus, t0
    /* S and U may touch all of memory: one NAPOT entry covering the whole address space. */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f                 /* A=NAPOT, X, W, R */
    csrw pmpcfg0, t0

    bnez a0, secondary
    lla gp, sig_area
    call test_main
    j test_finish

secondary:
    lla t0, test_secondary
    beqz t0, park
    jalr t0
park:
    wfi
    j park
    .weak test_secondary

/* ---- UART output ---------------------------------------------------------------------- */

    .text
/* putc(a0): clobbers t0, t1. */
putc:
    li t0, UART_BASE
1:  lbu t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 1b
    sb a0, 0(t0)
    ret

/* puts(a0 = string): clobbers a0, t0-t2. */
puts:
    mv t2, ra
    mv a1, a0
1:  lbu a0, 0(a1)
    beqz a0, 2f
    call putc
    addi a1, a1, 1
    j 1b
2:  mv ra, t2
    ret

/* puthex(a0 = value): 16 hex digits.  Clobbers a0-a3, t0-t2. */
puthex:
    mv t2, ra
    mv a2, a0
    li a3, 60
1:  srl a0, a2, a3
    andi a0, a0, 15
    li t0, 10
    blt a0, t0, 2f
    addi a0, a0, 'a' - '0' - 10
2:  addi a0, a0, '0'
    call putc
    addi a3, a3, -4
    bgez a3, 1b
    mv ra, t2
    ret

/* putdec(a0 = value < 10^8): decimal without leading zeros, by repeated subtraction. */
putdec:
    mv t2, ra
    mv a2, a0
    li a3, 10000000             /* current power of ten */
    li a4, 0                    /* a digit has been printed */
1:  li a0, 0
2:  bltu a2, a3, 3f
    sub a2, a2, a3
    addi a0, a0, 1
    j 2b
3:  bnez a0, 4f
    bnez a4, 4f
    li t0, 1
    bne a3, t0, 5f              /* skip a leading zero, but always print the units */
4:  li a4, 1
    addi a0, a0, '0'
    call putc
5:  /* a3 /= 10 without a divide: walk the powers of ten. */
    lla t0, pow10
6:  ld t1, 0(t0)
    beq t1, a3, 7f
    addi t0, t0, 8
    j 6b
7:  ld a3, 8(t0)
    bnez a3, 1b
    mv ra, t2
    ret

    .section .rodata
    .balign 8
pow10:
    .dword 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1, 0
str_begin:  .asciz "BEGIN "
str_end:    .asciz "END "
str_entries: .asciz " entries="
str_bad:    .asciz " bad="
str_badexp: .asciz "  BAD expected "
str_badgp:  .asciz "BAD signature pointer\n"
str_count:  .asciz "BAD entry count: the test has recording macros for "
str_double: .asciz "DOUBLE FAULT mcause="
str_mepc:   .asciz " mepc="
str_mtval:  .asciz " mtval="
str_ucause: .asciz "UNEXPECTED TRAP cause"
str_utval:  .asciz "UNEXPECTED TRAP tval"
str_uepc:   .asciz "UNEXPECTED TRAP epc"
str_ulevel: .asciz "UNEXPECTED TRAP level"

/* ---- signature dump and exit ---------------------------------------------------------- */

    .text
    .globl test_finish
test_finish:
    /* Back to a known state: M-mode code, no interrupts, bare addressing. */
    csrw mie, zero
    li t0, MSTATUS_MIE | MSTATUS_MPRV
    csrc mstatus, t0
    csrw satp, zero
    mv s1, gp                   /* end of the signature */
    lla a0, str_begin
    call puts
    lla a0, test_name
    call puts
    li a0, '\n'
    call putc
    lla s0, sig_area
    li t0, SIG_AREA_SIZE
    add s3, s0, t0
    bltu s1, s0, bad_gp
    bgtu s1, s3, bad_gp
    li s2, 0                    /* entries */
    li s4, 0                    /* mismatches */
1:  bgeu s0, s1, 4f
    ld a0, SIG_VALUE(s0)
    call puthex
    li a0, ' '
    call putc
    ld a0, SIG_LABEL(s0)
    call puts
    ld t3, SIG_FLAGS(s0)
    andi t4, t3, SIGF_BAD
    bnez t4, 2f
    andi t4, t3, SIGF_EXPECT
    beqz t4, 3f
    ld t4, SIG_VALUE(s0)
    ld t5, SIG_EXPECT(s0)
    beq t4, t5, 3f
    lla a0, str_badexp
    call puts
    ld a0, SIG_EXPECT(s0)
    call puthex
2:  addi s4, s4, 1
3:  li a0, '\n'
    call putc
    addi s2, s2, 1
    addi s0, s0, SIG_SIZE
    j 1b
4:  lla t0, test_static_entries
    ld s5, 0(t0)
    beq s5, s2, 5f
    addi s4, s4, 1
    lla a0, str_count
    call puts
    mv a0, s5
    call putdec
    li a0, '\n'
    call putc
5:  lla a0, str_end
    call puts
    lla a0, test_name
    call puts
    lla a0, str_entries
    call puts
    mv a0, s2
    call putdec
    lla a0, str_bad
    call puts
    mv a0, s4
    call putdec
    li a0, '\n'
    call putc
    li t0, FINISHER_BASE
    li t1, FINISHER_PASS
    sw t1, 0(t0)
1:  j 1b

bad_gp:
    lla a0, str_badgp
    call puts
fail_exit:
    li t0, FINISHER_BASE
    li t1, (1 << 16) | FINISHER_FAIL
    sw t1, 0(t0)
1:  j 1b

/* A trap inside a trap handler: the machine state is beyond repair, say so and fail. */
double_fault:
    lla a0, str_double
    call puts
    csrr a0, mcause
    call puthex
    lla a0, str_mepc
    call puts
    csrr a0, mepc
    call puthex
    lla a0, str_mtval
    call puts
    csrr a0, mtval
    call puthex
    li a0, '\n'
    call putc
    j fail_exit

/*
 * enter_mode(a0 = pc, a1 = 0 for U / 1 for S): mret to pc in that mode.  The lower mode comes
 * back with `ecall` and a7 = SYS_RETURN_M; the M handler then resumes at our caller's ra with
 * its sp.
 */
    .globl enter_mode
enter_mode:
    lla t0, mode_ctx
    sd ra, 0(t0)
    sd sp, 8(t0)
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    slli t0, a1, 11
    csrs mstatus, t0
    csrw mepc, a0
    mret

/* ---- trap handlers -------------------------------------------------------------------- */

/* Save x1, x3..x31 at 8*n(sp). */
.macro SAVE_REGS
    sd x1, 1*8(sp)
    sd x3, 3*8(sp)
    sd x4, 4*8(sp)
    sd x5, 5*8(sp)
    sd x6, 6*8(sp)
    sd x7, 7*8(sp)
    sd x8, 8*8(sp)
    sd x9, 9*8(sp)
    sd x10, 10*8(sp)
    sd x11, 11*8(sp)
    sd x12, 12*8(sp)
    sd x13, 13*8(sp)
    sd x14, 14*8(sp)
    sd x15, 15*8(sp)
    sd x16, 16*8(sp)
    sd x17, 17*8(sp)
    sd x18, 18*8(sp)
    sd x19, 19*8(sp)
    sd x20, 20*8(sp)
    sd x21, 21*8(sp)
    sd x22, 22*8(sp)
    sd x23, 23*8(sp)
    sd x24, 24*8(sp)
    sd x25, 25*8(sp)
    sd x26, 26*8(sp)
    sd x27, 27*8(sp)
    sd x28, 28*8(sp)
    sd x29, 29*8(sp)
    sd x30, 30*8(sp)
    sd x31, 31*8(sp)
.endm

/* Restore x1, x3..x31 except t0 (x5), which the caller restores last. */
.macro RESTORE_REGS
    ld x1, 1*8(sp)
    ld x3, 3*8(sp)
    ld x4, 4*8(sp)
    ld x6, 6*8(sp)
    ld x7, 7*8(sp)
    ld x8, 8*8(sp)
    ld x9, 9*8(sp)
    ld x10, 10*8(sp)
    ld x11, 11*8(sp)
    ld x12, 12*8(sp)
    ld x13, 13*8(sp)
    ld x14, 14*8(sp)
    ld x15, 15*8(sp)
    ld x16, 16*8(sp)
    ld x17, 17*8(sp)
    ld x18, 18*8(sp)
    ld x19, 19*8(sp)
    ld x20, 20*8(sp)
    ld x21, 21*8(sp)
    ld x22, 22*8(sp)
    ld x23, 23*8(sp)
    ld x24, 24*8(sp)
    ld x25, 25*8(sp)
    ld x26, 26*8(sp)
    ld x27, 27*8(sp)
    ld x28, 28*8(sp)
    ld x29, 29*8(sp)
    ld x30, 30*8(sp)
    ld x31, 31*8(sp)
.endm

/*
 * Common handler body for level L (3 = M with m-CSRs, 1 = S with s-CSRs).  On entry sp points
 * at the frame and s1 = the stack top (busy flag).  a0 = cause, a1 = tval, a2 = epc,
 * a3 = previous privilege, a4 = xstatus on entry.  Leaves the new epc in a2.
 */
.macro HANDLE_TRAP level, irq_clear_csr
    bltz a0, 20f
    /* Exceptions.  An armed expectation takes the record; anything else is a test bug or an
     * emulator bug and goes into the signature as a BAD entry. */
    lla t0, trap_rec
    ld t1, TREC_ARMED(t0)
    beqz t1, 11f
    sd zero, TREC_ARMED(t0)
    sd a0, TREC_CAUSE(t0)
    sd a1, TREC_TVAL(t0)
    sd a2, TREC_EPC(t0)
    li t1, \level
    sd t1, TREC_LEVEL(t0)
    sd a3, TREC_PREV(t0)
    sd a4, TREC_STATUS(t0)
    j 12f
11: ld t2, F_GP(sp)             /* the interrupted code's signature pointer */
    lla t3, sig_area
    bltu t2, t3, double_fault_\level
    li t4, SIG_AREA_SIZE - 4 * SIG_SIZE
    add t3, t3, t4
    bgeu t2, t3, double_fault_\level
    li t4, SIGF_BAD
    sd a0, SIG_VALUE(t2)
    lla t3, str_ucause
    sd t3, SIG_LABEL(t2)
    sd t4, SIG_FLAGS(t2)
    sd a1, SIG_VALUE+SIG_SIZE(t2)
    lla t3, str_utval
    sd t3, SIG_LABEL+SIG_SIZE(t2)
    sd t4, SIG_FLAGS+SIG_SIZE(t2)
    sd a2, SIG_VALUE+2*SIG_SIZE(t2)
    lla t3, str_uepc
    sd t3, SIG_LABEL+2*SIG_SIZE(t2)
    sd t4, SIG_FLAGS+2*SIG_SIZE(t2)
    li t3, \level
    sd t3, SIG_VALUE+3*SIG_SIZE(t2)
    lla t3, str_ulevel
    sd t3, SIG_LABEL+3*SIG_SIZE(t2)
    sd t4, SIG_FLAGS+3*SIG_SIZE(t2)
    addi t2, t2, 4*SIG_SIZE
    sd t2, F_GP(sp)
    /* Resume: after the instruction, or at ra for a fetch fault (the target is unreadable). */
12: li t1, CAUSE_MISALIGNED_FETCH
    beq a0, t1, 13f
    li t1, CAUSE_FETCH_ACCESS
    beq a0, t1, 13f
    li t1, CAUSE_FETCH_PAGE
    beq a0, t1, 13f
    lhu t1, 0(a2)
    andi t1, t1, 3
    li t2, 3
    addi a2, a2, 2
    bne t1, t2, 30f
    addi a2, a2, 2
    j 30f
13: ld a2, F_RA(sp)
    j 30f
    /* Interrupts: a test's hook handles it, else the interrupt is masked in xie so it cannot
     * storm.  Either way it is appended to irq_rec as level << 8 | code. */
20: slli t3, a0, 1
    srli t3, t3, 1              /* code */
    lla t0, irq_rec
    ld t1, IREC_COUNT(t0)
    li t2, IREC_MAX
    bgeu t1, t2, 21f
    slli t2, t1, 3
    add t2, t2, t0
    li t4, \level << 8
    or t4, t4, t3
    sd t4, IREC_LIST(t2)
21: addi t1, t1, 1
    sd t1, IREC_COUNT(t0)
    lla t0, irq_hook
    ld t0, 0(t0)
    beqz t0, 22f
    mv s2, a2
    jalr t0                     /* a0 = cause */
    mv a2, s2
    j 30f
22: li t1, 1
    sll t1, t1, t3
    csrc \irq_clear_csr, t1
30:
.endm

    .balign 4
    .globl m_trap_entry
m_trap_entry:
    csrrw sp, mscratch, sp
    addi sp, sp, -FRAME_SIZE
    SAVE_REGS
    csrr t0, mscratch
    sd t0, F_SP(sp)
    addi s1, sp, FRAME_SIZE     /* stack top */
    csrw mscratch, s1
    ld t0, 0(s1)
    bnez t0, double_fault
    li t0, 1
    sd t0, 0(s1)

    csrr a0, mcause
    csrr a1, mtval
    csrr a2, mepc
    csrr a3, mstatus
    mv a4, a3
    srli a3, a3, 11
    andi a3, a3, 3
    /* Requests from S/U code: an exception from below M with a magic a7 (normally ecall). */
    bltz a0, 2f
    beqz a3, 1f
    li t0, 3
    beq a3, t0, 2f
1:  ld t1, F_A7(sp)
    li t0, SYS_DIE
    beq t1, t0, double_fault
    li t0, SYS_RETURN_M
    bne t1, t0, 2f
    /* Return to M: continue at enter_mode's caller with its sp. */
    lla t0, mode_ctx
    ld a2, 0(t0)
    sd a2, F_RA(sp)
    ld t1, 8(t0)
    sd t1, F_SP(sp)
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    li t0, MSTATUS_MPIE         /* M code resumes with interrupts off */
    csrc mstatus, t0
    sd zero, F_A7(sp)           /* a stale request must not linger in a7 */
    j 3f
2:  HANDLE_TRAP 3, mie
3:  csrw mepc, a2
    sd zero, 0(s1)
    RESTORE_REGS
    ld t0, F_T0(sp)
    ld sp, F_SP(sp)
    mret

double_fault_3:
    j double_fault

    .balign 4
    .globl s_trap_entry
s_trap_entry:
    csrrw sp, sscratch, sp
    addi sp, sp, -FRAME_SIZE
    SAVE_REGS
    csrr t0, sscratch
    sd t0, F_SP(sp)
    addi s1, sp, FRAME_SIZE
    csrw sscratch, s1
    ld t0, 0(s1)
    bnez t0, double_fault_1
    li t0, 1
    sd t0, 0(s1)

    csrr a0, scause
    csrr a1, stval
    csrr a2, sepc
    csrr a3, sstatus
    mv a4, a3
    srli a3, a3, 8
    andi a3, a3, 1
    /* A request to return to M, delegated here: pass it on to M, by ecall unless it came as
     * a delegated ecall from S (which would come straight back). */
    bltz a0, 2f
    ld t1, F_A7(sp)
    li t0, SYS_RETURN_M
    bne t1, t0, 2f
    sd zero, 0(s1)
    li a7, SYS_RETURN_M
    li t0, CAUSE_ECALL_S
    beq a0, t0, 1f
    ecall
1:  unimp
2:  HANDLE_TRAP 1, sie
    csrw sepc, a2
    sd zero, 0(s1)
    RESTORE_REGS
    ld t0, F_T0(sp)
    ld sp, F_SP(sp)
    sret

double_fault_1:
    li a7, SYS_DIE
    ecall
1:  j 1b

/* ---- data ----------------------------------------------------------------------------- */

    .data
    .balign 8
    .globl trap_rec, irq_rec, irq_hook, mode_ctx
trap_rec:   .zero 72
irq_rec:    .zero 8 + 8 * IREC_MAX
irq_hook:   .dword 0            /* void hook(cause): called by either handler for interrupts */
mode_ctx:   .zero 16
    .globl boot_a0_ok
boot_a0_ok: .zero MAX_HARTS     /* 1 when the hart arrived with a0 = mhartid */

    .section .bss.sig, "aw", @nobits
    .balign 4096
    .globl sig_area
sig_area:   .zero SIG_AREA_SIZE

    .section .bss.stacks, "aw", @nobits
    .balign 4096
hart_stacks: .zero MAX_HARTS * 3 * STACK_SIZE
