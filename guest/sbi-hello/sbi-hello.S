# An S-mode payload for a firmware boot (-bios default -kernel build/guest/sbi-hello.bin):
# OpenSBI enters it at 0x80200000 with a0 = hart id and a1 = the device tree. It prints
# through the SBI debug console (legacy console_putchar), reports the SBI spec version it got,
# reads the time CSR (which OpenSBI must have delegated through mcounteren), and powers the
# machine off with the SBI system-reset extension, so visor exits with status 0.
    .section .text
    .globl _start
_start:
    la sp, stack_top                # the firmware hands over no stack
    mv s0, a0                       # hart id
    la a0, greeting
    call puts
    # sbi_get_spec_version: EID 0x10 (base), FID 0
    li a7, 0x10
    li a6, 0
    ecall
    mv s1, a1                       # version: major << 24 | minor
    la a0, version
    call puts
    srli a0, s1, 24
    call putdigit
    li a0, '.'
    call putc
    andi a0, s1, 0xff
    call putdigit
    li a0, '\n'
    call putc
    # time must tick (mcounteren.TM set by the firmware)
    rdtime t0
1:  rdtime t1
    beq t0, t1, 1b
    la a0, ticking
    call puts
    # sbi_system_reset(shutdown, no reason): EID "SRST", FID 0
    li a7, 0x53525354
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
    la a0, failed
    call puts
2:  wfi
    j 2b

# putc(a0): legacy SBI console_putchar (EID 1)
putc:
    li a7, 1
    li a6, 0
    ecall
    ret

putdigit:
    addi a0, a0, '0'
    j putc

# puts(a0): NUL-terminated string
puts:
    addi sp, sp, -16
    sd ra, 8(sp)
    sd s2, 0(sp)
    mv s2, a0
3:  lbu a0, 0(s2)
    beqz a0, 4f
    call putc
    addi s2, s2, 1
    j 3b
4:  ld s2, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
    ret

    .section .rodata
greeting: .asciz "sbi-hello: S-mode payload running\n"
version:  .asciz "sbi-hello: SBI spec version "
ticking:  .asciz "sbi-hello: time is ticking\n"
failed:   .asciz "sbi-hello: system reset returned\n"

    .section .data
    .balign 16
    .space 1024
stack_top:
