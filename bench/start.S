# Entry for the benchmark: hart 0 sets up a stack and runs bench_main; other harts park.
    .section .text.start
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, park
    la sp, stack_top
    call bench_main
park:
    wfi
    j park
    .bss
    .balign 16
    .space 16384
stack_top:
