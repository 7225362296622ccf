/* Entry from the reset ROM: a0 = hart id, a1 = device tree, M-mode. Hart 0 clears .bss and
 * calls main(fdt); any other hart parks in WFI. Every trap is fatal: on_trap reports it. */
    .section .text.start
    .globl _start
_start:
    bnez    a0, park
    la      sp, __stack_top
    la      t0, trap
    csrw    mtvec, t0
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  mv      a0, a1
    call    main
park:
    wfi
    j       park

    .align  4
trap:
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    on_trap
3:  j       3b
