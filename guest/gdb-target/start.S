/* Entry from the reset ROM (-bios none): every hart at 0x80000000 in M-mode, a0 = hart id.
 * Hart 0 runs main on its stack; other harts park in WFI (they are still gdb threads). */
    .section .text.start
    .globl _start
_start:
    bnez    a0, park
    la      sp, stack_top
    call    main
park:
    wfi
    j       park

    .bss
    .align  4
    .space  8192
stack_top:
