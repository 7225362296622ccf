/* Entry from the reset ROM in M-mode: hart 0 gets a stack, FS = Initial and a trap vector,
 * then runs main(); any other hart parks. (.bss comes zeroed from the ELF loader.) */
    .section .text.start
    .globl _start
_start:
    bnez    a0, park
    la      sp, stack_top
    la      t0, trap
    csrw    mtvec, t0
    li      t0, 1 << 13
    csrs    mstatus, t0
    fscsr   zero
    call    main
park:
    wfi
    j       park

/* Illegal instructions (F/D with FS off or a reserved rounding mode) are counted and
 * skipped (all generated instructions are 4 bytes); anything else is fatal. */
    .align  4
trap:
    csrw    mscratch, t0
    csrw    sscratch, t1
    csrr    t0, mcause
    li      t1, 2
    bne     t0, t1, fatal
    csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    la      t0, illegal_traps
    ld      t1, 0(t0)
    addi    t1, t1, 1
    sd      t1, 0(t0)
    csrr    t0, mscratch
    csrr    t1, sscratch
    mret
fatal:
    call    on_trap
1:  j       1b

    .bss
    .balign 16
    .space  16384
stack_top:
