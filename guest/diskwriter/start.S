/* Entry from the reset ROM (M-mode, a0 = hart id): hart 0 sets a stack and runs main; any
 * other hart sleeps. The bss is cleared in main. */
    .section .text.start
    .globl _start
_start:
    bnez    a0, park
    la      sp, __stack_end
    call    main
park:
    wfi
    j       park
