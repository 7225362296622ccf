// Four harts: each starts at the entry point with its hartid in a0 and its own mhartid,
// harts wake each other with CLINT msip IPIs (wfi with MSIE set and MIE clear wakes on it),
// and they synchronise and count with AMOs and LR/SC loops under contention.  Hart 0 checks
// the totals and prints the signature.
// isa-smp: 4
#include "common/test.h"

#define NHARTS 4
#define ROUNDS 1000
#define MSIP_BASE (CLINT_BASE + CLINT_MSIP)

/* Spin until the word at sym reaches n, for at most 10 s of mtime (so a broken emulator still
 * prints). Bounded by time, not by iterations: each hart is a host thread, and the one waited
 * for may be off its host CPU for a while. */
.macro WAIT_WORD sym, n
    rdtime t2
    li t3, 100000000
    add t2, t2, t3
.Lw\@:
    lla t0, \sym
    lw t0, 0(t0)
    li t1, \n
    bgeu t0, t1, .Lok\@
    rdtime t3
    bltu t3, t2, .Lw\@
.Lok\@:
.endm

/* The work every hart does: ROUNDS AMO adds and ROUNDS LR/SC adds of (hartid + 1). */
.macro WORK
    addi s1, s0, 1
    li s2, ROUNDS
    lla s3, amo_sum
    lla s4, lrsc_sum
.Lwork\@:
    amoadd.d zero, s1, (s3)
.Lretry\@:
    lr.d.aq t0, (s4)
    add t0, t0, s1
    sc.d.rl t1, t0, (s4)
    bnez t1, .Lretry\@
    addi s2, s2, -1
    bnez s2, .Lwork\@
.endm

TEST_BEGIN smp
    li s0, 0
    csrr t0, mhartid
    lla t1, ids
    sd t0, 0(t1)
    /* wait for the others to arrive */
    WAIT_WORD arrived, NHARTS - 1
    lla t0, arrived
    lw t0, 0(t0)
    EXPECT "secondaries arrived", t0, NHARTS - 1
    /* wake them */
    li t0, MSIP_BASE
    li t1, 1
    sw t1, 4(t0)
    sw t1, 8(t0)
    sw t1, 12(t0)
    WORK
    WAIT_WORD done, NHARTS - 1
    lla t0, done
    lw t0, 0(t0)
    EXPECT "secondaries finished", t0, NHARTS - 1
    /* each secondary also rang hart 0's msip when done */
    li t0, 1 << IRQ_MSI
    csrw mie, t0
    li t2, 1000000
1:  csrr t0, mip
    andi t0, t0, 1 << IRQ_MSI
    bnez t0, 2f
    wfi
    addi t2, t2, -1
    bnez t2, 1b
2:  csrr t0, mip
    andi t0, t0, 1 << IRQ_MSI
    EXPECT "hart 0 got an IPI back", t0, 1 << IRQ_MSI
    li t0, MSIP_BASE
    sw zero, 0(t0)
    csrw mie, zero

    lla t0, amo_sum
    ld t0, 0(t0)
    EXPECT "amoadd total", t0, ROUNDS * (1 + 2 + 3 + 4)
    lla t0, lrsc_sum
    ld t0, 0(t0)
    EXPECT "lr/sc total", t0, ROUNDS * (1 + 2 + 3 + 4)
    lla s1, ids
    lla s2, boot_a0_ok
.irp h, 0, 1, 2, 3
    ld t0, 8 * \h(s1)
    EXPECT "hart \h mhartid", t0, \h
    lbu t0, \h(s2)
    EXPECT "hart \h started with a0 = hartid", t0, 1
.endr
    lla t0, woken
    lw t0, 0(t0)
    EXPECT "secondaries woken by msip", t0, NHARTS - 1
TEST_END

/* Harts 1..3: a0 = hartid, own stack, M-mode, interrupts off. */
    .globl test_secondary
test_secondary:
    mv s0, a0
    csrr t0, mhartid
    lla t1, ids
    slli t2, s0, 3
    add t1, t1, t2
    sd t0, 0(t1)
    lla t0, arrived
    li t1, 1
    amoadd.w.aqrl zero, t1, (t0)
    /* sleep until hart 0's IPI */
    li t0, 1 << IRQ_MSI
    csrw mie, t0
1:  wfi
    csrr t0, mip
    andi t0, t0, 1 << IRQ_MSI
    beqz t0, 1b
    lla t0, woken
    li t1, 1
    amoadd.w zero, t1, (t0)
    li t0, MSIP_BASE
    slli t1, s0, 2
    add t0, t0, t1
    sw zero, 0(t0)              /* acknowledge */
    csrw mie, zero
    WORK
    lla t0, done
    li t1, 1
    amoadd.w.aqrl zero, t1, (t0)
    li t0, MSIP_BASE
    li t1, 1
    sw t1, 0(t0)                /* ring hart 0 */
2:  wfi
    j 2b

    .data
    .balign 64
amo_sum:    .dword 0
    .balign 64
lrsc_sum:   .dword 0
    .balign 64
arrived:    .word 0
done:       .word 0
woken:      .word 0
    .balign 8
ids:        .dword -1, -1, -1, -1
