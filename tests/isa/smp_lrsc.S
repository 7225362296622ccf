// Two harts (two host threads on visor) contend for the same words: each adds 1 a million times
// to one doubleword with an lr.d/sc.d loop, to a word with lr.w/sc.w, and to a third with
// amoadd.d. The totals are exact only if no SC succeeds over the other hart's update and no AMO
// loses one. Then a reservation is lost to the other hart: hart 0 holds one while hart 1 stores
// a different value to the word, and hart 0's SC must fail and leave hart 1's value.
// isa-smp: 2
#include "common/test.h"

#define ROUNDS 1000000

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

.macro SET_WORD sym, n
    lla t0, \sym
    li t1, \n
    fence rw, w
    sw t1, 0(t0)
.endm

/* ROUNDS increments of each counter. */
.macro WORK
    li s2, ROUNDS
    lla s3, amo_sum
    lla s4, lrsc_d
    lla s5, lrsc_w
    li s1, 1
.Lwork\@:
    amoadd.d zero, s1, (s3)
.Lretry_d\@:
    lr.d t0, (s4)
    addi t0, t0, 1
    sc.d t1, t0, (s4)
    bnez t1, .Lretry_d\@
.Lretry_w\@:
    lr.w.aq t0, (s5)
    addiw t0, t0, 1
    sc.w.rl t1, t0, (s5)
    bnez t1, .Lretry_w\@
    addi s2, s2, -1
    bnez s2, .Lwork\@
.endm

TEST_BEGIN smp_lrsc
    WAIT_WORD ready, 1
    SET_WORD go, 1
    WORK
    WAIT_WORD done, 1
    lla t0, done
    lw t0, 0(t0)
    EXPECT "hart 1 finished", t0, 1
    lla t0, lrsc_d
    ld t0, 0(t0)
    EXPECT "lr.d/sc.d total", t0, 2 * ROUNDS
    lla t0, lrsc_w
    lw t0, 0(t0)
    EXPECT "lr.w/sc.w total", t0, 2 * ROUNDS
    lla t0, amo_sum
    ld t0, 0(t0)
    EXPECT "amoadd.d total", t0, 2 * ROUNDS

    /* The reservation lost to another hart's store. */
    lla s1, resv_word
    lr.d s2, (s1)
    EXPECT "lr.d reads the initial value", s2, 5
    SET_WORD phase, 1           /* hart 1: store 7 to resv_word */
    WAIT_WORD phase, 2
    li t1, 9
    sc.d s3, t1, (s1)
    EXPECT "sc.d fails after the other hart stored there", s3, 1
    ld t0, 0(s1)
    EXPECT "the other hart's value stays", t0, 7
    /* and a fresh reservation succeeds */
    lr.d t0, (s1)
    addi t0, t0, 1
    sc.d s3, t0, (s1)
    EXPECT "a fresh lr.d/sc.d succeeds", s3, 0
    ld t0, 0(s1)
    EXPECT "and stores", t0, 8
TEST_END

/* Hart 1: M-mode, interrupts off. */
    .globl test_secondary
test_secondary:
    SET_WORD ready, 1
    WAIT_WORD go, 1
    WORK
    SET_WORD done, 1
    WAIT_WORD phase, 1
    lla t0, resv_word
    li t1, 7
    sd t1, 0(t0)
    SET_WORD phase, 2
1:  wfi
    j 1b

    .data
    .balign 64
amo_sum:    .dword 0
    .balign 64
lrsc_d:     .dword 0
    .balign 64
lrsc_w:     .word 0
    .balign 64
resv_word:  .dword 5
    .balign 64
ready:      .word 0
go:         .word 0
done:       .word 0
phase:      .word 0
