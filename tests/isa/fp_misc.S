// Floating-point state and encoding rules: NaN boxing (improperly boxed single inputs read as
// the canonical NaN; 32-bit transfers ignore the upper half; single results and fmv.w.x/flw
// box), fmv.x.w sign extension, flw/fsw/fld/fsd (aligned and misaligned), the fcsr/frm/fflags
// views, fflags accumulating, dynamic rounding through frm, reserved rounding modes (static
// 5/6, dynamic with frm 5..7) raising illegal instruction, and mstatus.FS: Off makes FP
// instructions and CSRs illegal, writes make it Dirty and set SD.
#include "common/test.h"

#define ONE_S   0x3f800000
#define NEG1_S  0xbf800000
#define EPS_S   0x33800000              /* 2^-24: half an ulp of 1.0 */
/* fadd.s f3, f1, f2 with an explicit rm field, and fmadd.s f3, f1, f2, f4 */
#define FADD_S_RM(rm)   ((2 << 20) | (1 << 15) | ((rm) << 12) | (3 << 7) | 0x53)
#define FMADD_S_RM(rm)  ((4 << 27) | (2 << 20) | (1 << 15) | ((rm) << 12) | (3 << 7) | 0x43)
#define FSQRT_D_RM(rm)  ((0x2d << 25) | (1 << 15) | ((rm) << 12) | (3 << 7) | 0x53)
#define FCVT_W_S_RM(rm) ((0x60 << 25) | (1 << 15) | ((rm) << 12) | (5 << 7) | 0x53)

.macro SET_FS value
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, \value
    csrs mstatus, t0
.endm

.macro FS_FIELD reg
    csrr \reg, mstatus
    li tp, MSTATUS_FS | MSTATUS_SD
    and \reg, \reg, tp
.endm

.macro ILLEGAL label, enc
    TRAP_ARM
    .word \enc
    CHECK_TRAP "\label", CAUSE_ILLEGAL, \enc
.endm

.macro ILLEGAL_I label, enc, insn:vararg
    TRAP_ARM
    \insn
    CHECK_TRAP "\label", CAUSE_ILLEGAL, \enc
.endm

TEST_BEGIN fp_misc
    csrw fcsr, zero
    li t0, ONE_S
    fmv.w.x f2, t0

    /* NaN boxing */
    li t0, 0x000000003f800000   /* 1.0f without the all-ones upper half */
    fmv.d.x f1, t0
    fadd.s f3, f1, f2
    fmv.x.d t1, f3
    frflags t2
    EXPECT "unboxed input to fadd.s is canonical NaN", t1, 0xffffffff7fc00000
    EXPECT "unboxed input raises nothing", t2, 0
    li t0, NEG1_S
    fmv.w.x f4, t0
    fsgnj.s f3, f1, f4
    fmv.x.d t1, f3
    EXPECT "fsgnj.s unboxed rs1 -> -canonical NaN", t1, 0xffffffffffc00000
    fclass.s t1, f1
    EXPECT "fclass.s unboxed = quiet NaN", t1, 1 << 9
    fmv.x.w t1, f1
    EXPECT "fmv.x.w ignores the upper half", t1, 0x3f800000
    lla s0, fdata
    fsw f1, 0(s0)
    lw t1, 0(s0)
    EXPECT "fsw ignores the upper half", t1, 0x3f800000
    fcvt.d.s f3, f1
    fmv.x.d t1, f3
    EXPECT "fcvt.d.s unboxed -> canonical NaN", t1, 0x7ff8000000000000
    li t0, 0xffffffef3f800000   /* one zero bit in the upper half is enough */
    fmv.d.x f1, t0
    fmul.s f3, f1, f2
    fmv.x.d t1, f3
    EXPECT "almost-boxed input is canonical NaN", t1, 0xffffffff7fc00000
    li t0, 0x123456789abcdef0
    fmv.w.x f3, t0
    fmv.x.d t1, f3
    EXPECT "fmv.w.x boxes the low word", t1, 0xffffffff9abcdef0
    fmv.x.w t1, f3
    EXPECT "fmv.x.w sign-extends", t1, 0xffffffff9abcdef0
    fadd.s f3, f2, f2
    fmv.x.d t1, f3
    EXPECT "fadd.s result is boxed", t1, 0xffffffff40000000
    li t0, 0x00000000c0000000
    fmv.w.x f3, t0
    fmv.x.w t1, f3
    EXPECT "fmv.x.w positive stays positive", t1, 0xffffffffc0000000

    /* loads and stores */
    li t0, 0x1122334455667788
    sd t0, 0(s0)
    flw f5, 0(s0)
    fmv.x.d t1, f5
    EXPECT "flw boxes", t1, 0xffffffff55667788
    fld f6, 0(s0)
    fmv.x.d t1, f6
    EXPECT "fld", t1, 0x1122334455667788
    li t0, -1
    sd t0, 8(s0)
    sd t0, 16(s0)
    fsw f6, 8(s0)
    ld t1, 8(s0)
    EXPECT "fsw writes 4 bytes", t1, 0xffffffff55667788
    fsd f6, 16(s0)
    ld t1, 16(s0)
    EXPECT "fsd", t1, 0x1122334455667788
    flw f5, 2(s0)
    fmv.x.w t1, f5
    EXPECT "flw misaligned", t1, 0x33445566
    fld f6, 5(s0)
    fmv.x.d t1, f6
    EXPECT "fld misaligned", t1, 0xff55667788112233
    fsd f6, 25(s0)
    ld t1, 25(s0)
    EXPECT "fsd misaligned", t1, 0xff55667788112233
    fsw f5, 35(s0)
    lwu t1, 35(s0)
    EXPECT "fsw misaligned", t1, 0x33445566
    flw f7, -4(s0)
    fmv.x.w t1, f7
    EXPECT "flw negative offset", t1, 0xfffffffffeedface

    /* fcsr = frm << 5 | fflags */
    li t0, 0xff
    csrw fcsr, t0
    frrm t1
    EXPECT "frm from fcsr", t1, 7
    frflags t1
    EXPECT "fflags from fcsr", t1, 0x1f
    li t0, 0x3
    fsrm t1, t0
    EXPECT "fsrm returns old frm", t1, 7
    frcsr t1
    EXPECT "fcsr after fsrm", t1, 0x7f
    csrwi fflags, 0x4
    frcsr t1
    EXPECT "fcsr after fflags write", t1, 0x64
    li t0, 0xffffffff
    fscsr t1, t0
    EXPECT "fscsr returns old fcsr", t1, 0x64
    frcsr t1
    EXPECT "fcsr keeps 8 bits", t1, 0xff
    csrrci t1, fflags, 0x1f
    frcsr t1
    EXPECT "fflags clear", t1, 0xe0
    csrw fcsr, zero

    /* flags accumulate until cleared */
    li t0, ONE_S
    fmv.w.x f1, t0
    fmv.w.x f8, zero
    fdiv.s f3, f1, f8           /* DZ */
    li t0, EPS_S
    fmv.w.x f4, t0
    fadd.s f3, f1, f4           /* NX */
    frflags t1
    EXPECT "fflags DZ|NX", t1, 0x9
    fmv.w.x f9, t0
    li t0, NEG1_S
    fmv.w.x f9, t0
    fsqrt.s f3, f9              /* NV */
    frflags t1
    EXPECT "fflags DZ|NX|NV", t1, 0x19
    fadd.s f3, f1, f1           /* exact: nothing new */
    frflags t1
    EXPECT "exact op leaves fflags", t1, 0x19
    csrw fflags, zero

    /* dynamic rounding mode: 1 + 2^-24 (a tie) and -1 - 2^-24 */
    li t0, NEG1_S
    fmv.w.x f5, t0
    li t0, 0xb3800000
    fmv.w.x f6, t0
.irp mode, 0, 1, 2, 3, 4
    fsrmi \mode
    fadd.s f3, f1, f4, dyn
    fmv.x.w t1, f3
    SIG "fadd.s 1+2^-24 frm=\mode", t1
    fadd.s f3, f5, f6, dyn
    fmv.x.w t1, f3
    SIG "fadd.s -1-2^-24 frm=\mode", t1
.endr
    fsrmi 0
    csrw fflags, zero

    /* reserved rounding modes */
    ILLEGAL "fadd.s rm=5", FADD_S_RM(5)
    ILLEGAL "fadd.s rm=6", FADD_S_RM(6)
    ILLEGAL "fmadd.s rm=5", FMADD_S_RM(5)
    ILLEGAL "fsqrt.d rm=6", FSQRT_D_RM(6)
    ILLEGAL "fcvt.w.s rm=5", FCVT_W_S_RM(5)
.irp mode, 5, 6, 7
    fsrmi \mode
    ILLEGAL "fadd.s dyn frm=\mode", FADD_S_RM(7)
    ILLEGAL "fcvt.w.s dyn frm=\mode", FCVT_W_S_RM(7)
.endr
    /* operations without rounding do not care about frm */
    TRAP_ARM
    fmin.s f3, f1, f4
    fsgnj.s f3, f1, f4
    fmv.x.w t1, f3
    feq.s t1, f1, f4
    CHECK_NOTRAP "no rounding: fine with frm=7"
    frrm t1
    EXPECT "frm=7 reads back", t1, 7
    fsrmi 0

    /* mstatus.FS */
    SET_FS 0
    FS_FIELD t1
    EXPECT "FS=Off", t1, 0
    ILLEGAL_I "FS=Off fadd.s", 0x002081d3, fadd.s f3, f1, f2, rne
    ILLEGAL_I "FS=Off flw", 0x00042287, flw f5, 0(s0)
    ILLEGAL_I "FS=Off fsd", 0x00643027, fsd f6, 0(s0)
    ILLEGAL_I "FS=Off fmv.x.w", 0xe00082d3, fmv.x.w t0, f1
    ILLEGAL_I "FS=Off fmv.w.x", 0xf00280d3, fmv.w.x f1, t0
    ILLEGAL_I "FS=Off csrr fcsr", 0x003022f3, csrr t0, fcsr
    ILLEGAL_I "FS=Off csrw fflags", 0x00131073, csrw fflags, t1
    ILLEGAL_I "FS=Off csrr frm", 0x002022f3, csrr t0, frm
    FS_FIELD t1
    EXPECT "FS stays Off", t1, 0
    SET_FS MSTATUS_FS_INIT
    fadd.s f3, f1, f2
    FS_FIELD t1
    EXPECT "Initial -> Dirty after fadd.s", t1, MSTATUS_FS_DIRTY | MSTATUS_SD
    SET_FS MSTATUS_FS_CLEAN
    FS_FIELD t1
    EXPECT "Clean, SD clear", t1, MSTATUS_FS_CLEAN
    fmv.w.x f3, zero
    FS_FIELD t1
    EXPECT "Clean -> Dirty after fmv.w.x", t1, MSTATUS_FS_DIRTY | MSTATUS_SD
    SET_FS MSTATUS_FS_CLEAN
    csrwi fflags, 1
    FS_FIELD t1
    EXPECT "Clean -> Dirty after fflags write", t1, MSTATUS_FS_DIRTY | MSTATUS_SD
    SET_FS MSTATUS_FS_CLEAN
    fld f6, 0(s0)
    FS_FIELD t1
    EXPECT "Clean -> Dirty after fld", t1, MSTATUS_FS_DIRTY | MSTATUS_SD
    SET_FS MSTATUS_FS_CLEAN
    li t0, NEG1_S
    fmv.w.x f9, t0
    SET_FS MSTATUS_FS_CLEAN
    fsqrt.s f3, f9
    FS_FIELD t1
    EXPECT "Clean -> Dirty after fsqrt.s (NV)", t1, MSTATUS_FS_DIRTY | MSTATUS_SD
    /* FS=Off in S and U too, and sstatus shows FS and SD */
    SET_FS 0
    LOWER_BEGIN 1
    ILLEGAL_I "S FS=Off fmv.x.d", 0xe20082d3, fmv.x.d t0, f1
    csrr s2, sstatus
    LOWER_END
    li t0, MSTATUS_FS | MSTATUS_SD
    and s2, s2, t0
    EXPECT "sstatus FS=Off", s2, 0
    SET_FS MSTATUS_FS_INIT
    LOWER_BEGIN 0
    fadd.d f3, f3, f3
    LOWER_END
    FS_FIELD t1
    EXPECT "U fadd.d makes FS Dirty", t1, MSTATUS_FS_DIRTY | MSTATUS_SD
    SET_FS MSTATUS_FS_INIT
TEST_END

    .data
    .balign 8
    .word 0, 0xfeedface
fdata:
    .zero 64
