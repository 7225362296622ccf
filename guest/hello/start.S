/* Entry from the reset ROM: a0 = hart id, a1 = device tree, every hart at once, M-mode.
 * Each hart gets its own stack; hart 0 clears .bss while the others wait (the flag lives in
 * .data, so clearing cannot race with it); then everyone calls main(hartid, fdt). */
    .section .text.start
    .globl _start
_start:
    /* sp = __stacks_end - hartid * STACK_SIZE (4 KiB) */
    la      sp, __stacks_end
    slli    t0, a0, 12
    sub     sp, sp, t0

    la      t0, trap
    csrw    mtvec, t0

    /* mstatus.FS = Initial: the demo computes with doubles */
    li      t0, 1 << 13
    csrs    mstatus, t0
    fscsr   zero

    bnez    a0, wait_bss
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  fence   rw, rw
    la      t0, bss_ready
    li      t1, 1
    amoswap.w.rl zero, t1, (t0)
    j       enter

wait_bss:
    la      t0, bss_ready
3:  lw      t1, 0(t0)
    beqz    t1, 3b
    fence   r, rw

enter:
    call    main
    /* main does not return; if it does, power off with failure code 2 */
    li      a0, 2
    call    finish

    .align  4
trap:
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    on_trap
4:  j       4b

    .section .data
    .align  2
bss_ready:
    .word   0
