// RV64F (single precision): every arithmetic, fused, min/max, sign-injection, compare, classify and
// integer-conversion instruction, each checked for its result bits and the exact fflags it
// raises.  Rounding: all five static modes on cases that tell them apart.  NaNs: canonical
// NaN results, signalling inputs raising NV, fmin/fmax with one NaN returning the other
// operand and -0 < +0, feq quiet vs flt/fle signalling.  Conversions: saturation on
// overflow and NaN, NX on inexact, results of .w/.wu sign-extended.  Subnormals and
// underflow (tininess after rounding).  Expected values come from an exact rational model of
// IEEE 754-2008 as RISC-V specifies it.
#include "common/test.h"

/* Each check: load operand bits, clear fflags, run, record the result bits (as fmv.x.w
 * returns them) and fflags. */
.macro FOP2 op, a, b, rm, exp, flags
    li t1, \a
    fmv.w.x f1, t1
    li t2, \b
    fmv.w.x f2, t2
    csrw fflags, zero
    \op f3, f1, f2, \rm
    fmv.x.w t0, f3
    frflags t3
    EXPECT "\op \a \b \rm", t0, \exp
    EXPECT "\op \a \b \rm flags", t3, \flags
.endm

.macro FOP2N op, a, b, exp, flags
    li t1, \a
    fmv.w.x f1, t1
    li t2, \b
    fmv.w.x f2, t2
    csrw fflags, zero
    \op f3, f1, f2
    fmv.x.w t0, f3
    frflags t3
    EXPECT "\op \a \b", t0, \exp
    EXPECT "\op \a \b flags", t3, \flags
.endm

.macro FOP1 op, a, rm, exp, flags
    li t1, \a
    fmv.w.x f1, t1
    csrw fflags, zero
    \op f3, f1, \rm
    fmv.x.w t0, f3
    frflags t3
    EXPECT "\op \a \rm", t0, \exp
    EXPECT "\op \a \rm flags", t3, \flags
.endm

.macro FOP3 op, a, b, c, rm, exp, flags
    li t1, \a
    fmv.w.x f1, t1
    li t2, \b
    fmv.w.x f2, t2
    li t1, \c
    fmv.w.x f4, t1
    csrw fflags, zero
    \op f3, f1, f2, f4, \rm
    fmv.x.w t0, f3
    frflags t3
    EXPECT "\op \a \b \c \rm", t0, \exp
    EXPECT "\op \a \b \c \rm flags", t3, \flags
.endm

.macro FCMP op, a, b, exp, flags
    li t1, \a
    fmv.w.x f1, t1
    li t2, \b
    fmv.w.x f2, t2
    csrw fflags, zero
    \op t0, f1, f2
    frflags t3
    EXPECT "\op \a \b", t0, \exp
    EXPECT "\op \a \b flags", t3, \flags
.endm

.macro FCLASS op, a, exp
    li t1, \a
    fmv.w.x f1, t1
    csrw fflags, zero
    \op t0, f1
    frflags t3
    EXPECT "\op \a", t0, \exp
    EXPECT "\op \a flags", t3, 0
.endm

.macro FCVT_I op, a, rm, exp, flags
    li t1, \a
    fmv.w.x f1, t1
    csrw fflags, zero
    \op t0, f1, \rm
    frflags t3
    EXPECT "\op \a \rm", t0, \exp
    EXPECT "\op \a \rm flags", t3, \flags
.endm

.macro FCVT_F op, a, rm, exp, flags
    li t1, \a
    csrw fflags, zero
    .ifc \rm, none
    \op f3, t1
    .else
    \op f3, t1, \rm
    .endif
    fmv.x.w t0, f3
    frflags t3
    EXPECT "\op \a \rm", t0, \exp
    EXPECT "\op \a \rm flags", t3, \flags
.endm

/* fcvt between formats: the source is single (S) or double (D). */
.macro FCVT_FF op, srcfmt, a, rm, exp, flags
    li t1, \a
    .ifc \srcfmt, S
    fmv.w.x f1, t1
    .else
    fmv.d.x f1, t1
    .endif
    csrw fflags, zero
    .ifc \rm, none
    \op f3, f1
    .else
    \op f3, f1, \rm
    .endif
    .ifc \srcfmt, S
    fmv.x.d t0, f3
    .else
    fmv.x.w t0, f3
    .endif
    frflags t3
    EXPECT "\op \a \rm", t0, \exp
    EXPECT "\op \a \rm flags", t3, \flags
.endm

TEST_BEGIN rv64f
    csrw fcsr, zero
    FOP2 fadd.s, 0x3f800000, 0x33800000, rne, 0x3f800000, 1
    FOP2 fadd.s, 0xbf800000, 0xb3800000, rne, 0xffffffffbf800000, 1
    FOP2 fadd.s, 0x3f800000, 0x33800000, rtz, 0x3f800000, 1
    FOP2 fadd.s, 0xbf800000, 0xb3800000, rtz, 0xffffffffbf800000, 1
    FOP2 fadd.s, 0x3f800000, 0x33800000, rdn, 0x3f800000, 1
    FOP2 fadd.s, 0xbf800000, 0xb3800000, rdn, 0xffffffffbf800001, 1
    FOP2 fadd.s, 0x3f800000, 0x33800000, rup, 0x3f800001, 1
    FOP2 fadd.s, 0xbf800000, 0xb3800000, rup, 0xffffffffbf800000, 1
    FOP2 fadd.s, 0x3f800000, 0x33800000, rmm, 0x3f800001, 1
    FOP2 fadd.s, 0xbf800000, 0xb3800000, rmm, 0xffffffffbf800001, 1
    FOP2 fadd.s, 0x3f800000, 0x40000000, rne, 0x40400000, 0
    FOP2 fadd.s, 0x3f800000, 0xbf800000, rne, 0x0, 0
    FOP2 fadd.s, 0x7f800000, 0xff800000, rne, 0x7fc00000, 16
    FOP2 fadd.s, 0x7f800000, 0x3f800000, rne, 0x7f800000, 0
    FOP2 fadd.s, 0x7fc00000, 0x3f800000, rne, 0x7fc00000, 0
    FOP2 fadd.s, 0x7f800001, 0x3f800000, rne, 0x7fc00000, 16
    FOP2 fadd.s, 0x3f800000, 0x7fc12345, rne, 0x7fc00000, 0
    FOP2 fadd.s, 0x7f7fffff, 0x7f7fffff, rne, 0x7f800000, 5
    FOP2 fadd.s, 0x80000000, 0x80000000, rne, 0xffffffff80000000, 0
    FOP2 fadd.s, 0x0, 0x80000000, rne, 0x0, 0
    FOP2 fadd.s, 0x1, 0x1, rne, 0x2, 0
    FOP2 fadd.s, 0x800000, 0x807fffff, rne, 0x1, 0
    FOP2 fadd.s, 0x7f7fffff, 0x7f7fffff, rtz, 0x7f7fffff, 5
    FOP2 fadd.s, 0xff7fffff, 0xff7fffff, rup, 0xffffffffff7fffff, 5
    FOP2 fadd.s, 0xff7fffff, 0xff7fffff, rdn, 0xffffffffff800000, 5
    FOP2 fadd.s, 0x3f800000, 0xbf800000, rdn, 0xffffffff80000000, 0
    FOP2 fsub.s, 0x3f800000, 0x3f800000, rne, 0x0, 0
    FOP2 fsub.s, 0x40400000, 0x3f800000, rne, 0x40000000, 0
    FOP2 fsub.s, 0x7f800000, 0x7f800000, rne, 0x7fc00000, 16
    FOP2 fsub.s, 0x3f800000, 0x33800000, rne, 0x3f7fffff, 0
    FOP2 fsub.s, 0x0, 0x0, rne, 0x0, 0
    FOP2 fsub.s, 0x7f800001, 0x7fc00000, rne, 0x7fc00000, 16
    FOP2 fsub.s, 0x3f800000, 0x3f800000, rdn, 0xffffffff80000000, 0
    FOP2 fmul.s, 0x3f800001, 0x3f800001, rne, 0x3f800002, 1
    FOP2 fdiv.s, 0x3f800000, 0x40400000, rne, 0x3eaaaaab, 1
    FOP2 fmul.s, 0x3f800001, 0x3f800001, rtz, 0x3f800002, 1
    FOP2 fdiv.s, 0x3f800000, 0x40400000, rtz, 0x3eaaaaaa, 1
    FOP2 fmul.s, 0x3f800001, 0x3f800001, rdn, 0x3f800002, 1
    FOP2 fdiv.s, 0x3f800000, 0x40400000, rdn, 0x3eaaaaaa, 1
    FOP2 fmul.s, 0x3f800001, 0x3f800001, rup, 0x3f800003, 1
    FOP2 fdiv.s, 0x3f800000, 0x40400000, rup, 0x3eaaaaab, 1
    FOP2 fmul.s, 0x3f800001, 0x3f800001, rmm, 0x3f800002, 1
    FOP2 fdiv.s, 0x3f800000, 0x40400000, rmm, 0x3eaaaaab, 1
    FOP2 fmul.s, 0x40000000, 0x40400000, rne, 0x40c00000, 0
    FOP2 fmul.s, 0x0, 0x7f800000, rne, 0x7fc00000, 16
    FOP2 fmul.s, 0x80000000, 0x40000000, rne, 0xffffffff80000000, 0
    FOP2 fmul.s, 0x7f7fffff, 0x40000000, rne, 0x7f800000, 5
    FOP2 fmul.s, 0x800000, 0x3f000000, rne, 0x400000, 0
    FOP2 fmul.s, 0x1, 0x3f000000, rne, 0x0, 3
    FOP2 fmul.s, 0x800000, 0x3f7fffff, rne, 0x800000, 3
    FOP2 fmul.s, 0xff800000, 0xbf800000, rne, 0x7f800000, 0
    FOP2 fmul.s, 0x7f800001, 0x0, rne, 0x7fc00000, 16
    FOP2 fmul.s, 0x7f7fffff, 0x40000000, rtz, 0x7f7fffff, 5
    FOP2 fmul.s, 0x1, 0x3f000000, rup, 0x1, 3
    FOP2 fdiv.s, 0x3f800000, 0x0, rne, 0x7f800000, 8
    FOP2 fdiv.s, 0xbf800000, 0x0, rne, 0xffffffffff800000, 8
    FOP2 fdiv.s, 0x0, 0x0, rne, 0x7fc00000, 16
    FOP2 fdiv.s, 0x7f800000, 0x7f800000, rne, 0x7fc00000, 16
    FOP2 fdiv.s, 0x3f800000, 0x7f800000, rne, 0x0, 0
    FOP2 fdiv.s, 0x40400000, 0x40000000, rne, 0x3fc00000, 0
    FOP2 fdiv.s, 0x7fc00000, 0x0, rne, 0x7fc00000, 0
    FOP2 fdiv.s, 0x800000, 0x7f7fffff, rne, 0x0, 3
    FOP1 fsqrt.s, 0x40000000, rne, 0x3fb504f3, 1
    FOP1 fsqrt.s, 0x40000000, rtz, 0x3fb504f3, 1
    FOP1 fsqrt.s, 0x40000000, rdn, 0x3fb504f3, 1
    FOP1 fsqrt.s, 0x40000000, rup, 0x3fb504f4, 1
    FOP1 fsqrt.s, 0x40000000, rmm, 0x3fb504f3, 1
    FOP1 fsqrt.s, 0x40800000, rne, 0x40000000, 0
    FOP1 fsqrt.s, 0x0, rne, 0x0, 0
    FOP1 fsqrt.s, 0x80000000, rne, 0xffffffff80000000, 0
    FOP1 fsqrt.s, 0xbf800000, rne, 0x7fc00000, 16
    FOP1 fsqrt.s, 0x7f800000, rne, 0x7f800000, 0
    FOP1 fsqrt.s, 0xff800000, rne, 0x7fc00000, 16
    FOP1 fsqrt.s, 0x7f800001, rne, 0x7fc00000, 16
    FOP1 fsqrt.s, 0x7fc00000, rne, 0x7fc00000, 0
    FOP1 fsqrt.s, 0x1, rne, 0x1a3504f3, 1
    FOP1 fsqrt.s, 0x40400000, rne, 0x3fddb3d7, 1
    FOP3 fmadd.s, 0x3f800001, 0x3f7fffff, 0xbf800000, rne, 0x337ffffe, 0
    FOP3 fmadd.s, 0x40000000, 0x40400000, 0x3f800000, rne, 0x40e00000, 0
    FOP3 fmadd.s, 0x7f800000, 0x0, 0x7fc00000, rne, 0x7fc00000, 16
    FOP3 fmadd.s, 0x7f800000, 0x3f800000, 0xff800000, rne, 0x7fc00000, 16
    FOP3 fmadd.s, 0x3f800000, 0x3f800000, 0xbf800000, rne, 0x0, 0
    FOP3 fmadd.s, 0x3f800000, 0x3f800000, 0xbf800000, rdn, 0xffffffff80000000, 0
    FOP3 fmadd.s, 0x7f7fffff, 0x40000000, 0xff7fffff, rne, 0x7f7fffff, 0
    FOP3 fmadd.s, 0x7f800001, 0x3f800000, 0x3f800000, rne, 0x7fc00000, 16
    FOP3 fmadd.s, 0x3f800000, 0x33800000, 0x3f800000, rup, 0x3f800001, 1
    FOP3 fmadd.s, 0x80000000, 0x3f800000, 0x0, rne, 0x0, 0
    FOP3 fmsub.s, 0x3f800001, 0x3f7fffff, 0xbf800000, rne, 0x40000000, 1
    FOP3 fmsub.s, 0x40000000, 0x40400000, 0x3f800000, rne, 0x40a00000, 0
    FOP3 fmsub.s, 0x7f800000, 0x0, 0x7fc00000, rne, 0x7fc00000, 16
    FOP3 fmsub.s, 0x7f800000, 0x3f800000, 0xff800000, rne, 0x7f800000, 0
    FOP3 fmsub.s, 0x3f800000, 0x3f800000, 0xbf800000, rne, 0x40000000, 0
    FOP3 fmsub.s, 0x3f800000, 0x3f800000, 0xbf800000, rdn, 0x40000000, 0
    FOP3 fmsub.s, 0x7f7fffff, 0x40000000, 0xff7fffff, rne, 0x7f800000, 5
    FOP3 fmsub.s, 0x7f800001, 0x3f800000, 0x3f800000, rne, 0x7fc00000, 16
    FOP3 fmsub.s, 0x3f800000, 0x33800000, 0x3f800000, rup, 0xffffffffbf7fffff, 0
    FOP3 fmsub.s, 0x80000000, 0x3f800000, 0x0, rne, 0xffffffff80000000, 0
    FOP3 fnmsub.s, 0x3f800001, 0x3f7fffff, 0xbf800000, rne, 0xffffffffc0000000, 1
    FOP3 fnmsub.s, 0x40000000, 0x40400000, 0x3f800000, rne, 0xffffffffc0a00000, 0
    FOP3 fnmsub.s, 0x7f800000, 0x0, 0x7fc00000, rne, 0x7fc00000, 16
    FOP3 fnmsub.s, 0x7f800000, 0x3f800000, 0xff800000, rne, 0xffffffffff800000, 0
    FOP3 fnmsub.s, 0x3f800000, 0x3f800000, 0xbf800000, rne, 0xffffffffc0000000, 0
    FOP3 fnmsub.s, 0x3f800000, 0x3f800000, 0xbf800000, rdn, 0xffffffffc0000000, 0
    FOP3 fnmsub.s, 0x7f7fffff, 0x40000000, 0xff7fffff, rne, 0xffffffffff800000, 5
    FOP3 fnmsub.s, 0x7f800001, 0x3f800000, 0x3f800000, rne, 0x7fc00000, 16
    FOP3 fnmsub.s, 0x3f800000, 0x33800000, 0x3f800000, rup, 0x3f7fffff, 0
    FOP3 fnmsub.s, 0x80000000, 0x3f800000, 0x0, rne, 0x0, 0
    FOP3 fnmadd.s, 0x3f800001, 0x3f7fffff, 0xbf800000, rne, 0xffffffffb37ffffe, 0
    FOP3 fnmadd.s, 0x40000000, 0x40400000, 0x3f800000, rne, 0xffffffffc0e00000, 0
    FOP3 fnmadd.s, 0x7f800000, 0x0, 0x7fc00000, rne, 0x7fc00000, 16
    FOP3 fnmadd.s, 0x7f800000, 0x3f800000, 0xff800000, rne, 0x7fc00000, 16
    FOP3 fnmadd.s, 0x3f800000, 0x3f800000, 0xbf800000, rne, 0x0, 0
    FOP3 fnmadd.s, 0x3f800000, 0x3f800000, 0xbf800000, rdn, 0xffffffff80000000, 0
    FOP3 fnmadd.s, 0x7f7fffff, 0x40000000, 0xff7fffff, rne, 0xffffffffff7fffff, 0
    FOP3 fnmadd.s, 0x7f800001, 0x3f800000, 0x3f800000, rne, 0x7fc00000, 16
    FOP3 fnmadd.s, 0x3f800000, 0x33800000, 0x3f800000, rup, 0xffffffffbf800000, 1
    FOP3 fnmadd.s, 0x80000000, 0x3f800000, 0x0, rne, 0x0, 0
    FOP2N fmin.s, 0x3f800000, 0x40000000, 0x3f800000, 0
    FOP2N fmax.s, 0x3f800000, 0x40000000, 0x40000000, 0
    FOP2N fmin.s, 0x80000000, 0x0, 0xffffffff80000000, 0
    FOP2N fmax.s, 0x80000000, 0x0, 0x0, 0
    FOP2N fmin.s, 0x0, 0x80000000, 0xffffffff80000000, 0
    FOP2N fmax.s, 0x0, 0x80000000, 0x0, 0
    FOP2N fmin.s, 0x7fc00000, 0x3f800000, 0x3f800000, 0
    FOP2N fmax.s, 0x7fc00000, 0x3f800000, 0x3f800000, 0
    FOP2N fmin.s, 0x3f800000, 0x7fc00000, 0x3f800000, 0
    FOP2N fmax.s, 0x3f800000, 0x7fc00000, 0x3f800000, 0
    FOP2N fmin.s, 0x7f800001, 0x3f800000, 0x3f800000, 16
    FOP2N fmax.s, 0x7f800001, 0x3f800000, 0x3f800000, 16
    FOP2N fmin.s, 0x7fc00000, 0x7fc00000, 0x7fc00000, 0
    FOP2N fmax.s, 0x7fc00000, 0x7fc00000, 0x7fc00000, 0
    FOP2N fmin.s, 0x7f800001, 0x7f800001, 0x7fc00000, 16
    FOP2N fmax.s, 0x7f800001, 0x7f800001, 0x7fc00000, 16
    FOP2N fmin.s, 0xff800000, 0x7f7fffff, 0xffffffffff800000, 0
    FOP2N fmax.s, 0xff800000, 0x7f7fffff, 0x7f7fffff, 0
    FOP2N fmin.s, 0xffc00000, 0xbf800000, 0xffffffffbf800000, 0
    FOP2N fmax.s, 0xffc00000, 0xbf800000, 0xffffffffbf800000, 0
    FOP2N fsgnj.s, 0x3f800000, 0xbf800000, 0xffffffffbf800000, 0
    FOP2N fsgnjn.s, 0x3f800000, 0xbf800000, 0x3f800000, 0
    FOP2N fsgnjx.s, 0x3f800000, 0xbf800000, 0xffffffffbf800000, 0
    FOP2N fsgnj.s, 0xbf800000, 0x3f800000, 0x3f800000, 0
    FOP2N fsgnjn.s, 0xbf800000, 0x3f800000, 0xffffffffbf800000, 0
    FOP2N fsgnjx.s, 0xbf800000, 0x3f800000, 0xffffffffbf800000, 0
    FOP2N fsgnj.s, 0xbf800000, 0xbf800000, 0xffffffffbf800000, 0
    FOP2N fsgnjn.s, 0xbf800000, 0xbf800000, 0x3f800000, 0
    FOP2N fsgnjx.s, 0xbf800000, 0xbf800000, 0x3f800000, 0
    FOP2N fsgnj.s, 0x7fc12345, 0x80000000, 0xffffffffffc12345, 0
    FOP2N fsgnjn.s, 0x7fc12345, 0x80000000, 0x7fc12345, 0
    FOP2N fsgnjx.s, 0x7fc12345, 0x80000000, 0xffffffffffc12345, 0
    FOP2N fsgnj.s, 0x7f800001, 0xbf800000, 0xffffffffff800001, 0
    FOP2N fsgnjn.s, 0x7f800001, 0xbf800000, 0x7f800001, 0
    FOP2N fsgnjx.s, 0x7f800001, 0xbf800000, 0xffffffffff800001, 0
    FOP2N fsgnj.s, 0xffc00000, 0x0, 0x7fc00000, 0
    FOP2N fsgnjn.s, 0xffc00000, 0x0, 0xffffffffffc00000, 0
    FOP2N fsgnjx.s, 0xffc00000, 0x0, 0xffffffffffc00000, 0
    FCMP feq.s, 0x3f800000, 0x40000000, 0, 0
    FCMP flt.s, 0x3f800000, 0x40000000, 1, 0
    FCMP fle.s, 0x3f800000, 0x40000000, 1, 0
    FCMP feq.s, 0x40000000, 0x3f800000, 0, 0
    FCMP flt.s, 0x40000000, 0x3f800000, 0, 0
    FCMP fle.s, 0x40000000, 0x3f800000, 0, 0
    FCMP feq.s, 0x3f800000, 0x3f800000, 1, 0
    FCMP flt.s, 0x3f800000, 0x3f800000, 0, 0
    FCMP fle.s, 0x3f800000, 0x3f800000, 1, 0
    FCMP feq.s, 0x0, 0x80000000, 1, 0
    FCMP flt.s, 0x0, 0x80000000, 0, 0
    FCMP fle.s, 0x0, 0x80000000, 1, 0
    FCMP feq.s, 0xff800000, 0x7f800000, 0, 0
    FCMP flt.s, 0xff800000, 0x7f800000, 1, 0
    FCMP fle.s, 0xff800000, 0x7f800000, 1, 0
    FCMP feq.s, 0x7fc00000, 0x3f800000, 0, 0
    FCMP flt.s, 0x7fc00000, 0x3f800000, 0, 16
    FCMP fle.s, 0x7fc00000, 0x3f800000, 0, 16
    FCMP feq.s, 0x3f800000, 0x7fc00000, 0, 0
    FCMP flt.s, 0x3f800000, 0x7fc00000, 0, 16
    FCMP fle.s, 0x3f800000, 0x7fc00000, 0, 16
    FCMP feq.s, 0x7f800001, 0x3f800000, 0, 16
    FCMP flt.s, 0x7f800001, 0x3f800000, 0, 16
    FCMP fle.s, 0x7f800001, 0x3f800000, 0, 16
    FCMP feq.s, 0x7fc00000, 0x7fc00000, 0, 0
    FCMP flt.s, 0x7fc00000, 0x7fc00000, 0, 16
    FCMP fle.s, 0x7fc00000, 0x7fc00000, 0, 16
    FCLASS fclass.s, 0xff800000, 1
    FCLASS fclass.s, 0xbf800000, 2
    FCLASS fclass.s, 0x807fffff, 4
    FCLASS fclass.s, 0x80000000, 8
    FCLASS fclass.s, 0x0, 16
    FCLASS fclass.s, 0x400000, 32
    FCLASS fclass.s, 0x3f800000, 64
    FCLASS fclass.s, 0x7f800000, 128
    FCLASS fclass.s, 0x7f800001, 256
    FCLASS fclass.s, 0x7fc00000, 512
    FCLASS fclass.s, 0x7fc12345, 512
    FCLASS fclass.s, 0xffc00000, 512
    FCVT_I fcvt.w.s, 0x3fc00000, rne, 0x2, 1
    FCVT_I fcvt.w.s, 0x40200000, rne, 0x2, 1
    FCVT_I fcvt.w.s, 0xc0200000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.w.s, 0x40600000, rne, 0x4, 1
    FCVT_I fcvt.w.s, 0xbf000000, rne, 0x0, 1
    FCVT_I fcvt.w.s, 0xbfc00000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.w.s, 0x4f32d05e, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0xcf32d05e, rne, 0xffffffff80000000, 16
    FCVT_I fcvt.w.s, 0x5f0ac723, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0x4f000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0xcf000000, rne, 0xffffffff80000000, 0
    FCVT_I fcvt.w.s, 0x5f000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0xdf000000, rne, 0xffffffff80000000, 16
    FCVT_I fcvt.w.s, 0x5f800000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0x7f800000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0xff800000, rne, 0xffffffff80000000, 16
    FCVT_I fcvt.w.s, 0x7fc00000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0x7f800001, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.s, 0x80000000, rne, 0x0, 0
    FCVT_I fcvt.w.s, 0x1, rne, 0x0, 1
    FCVT_I fcvt.wu.s, 0x3fc00000, rne, 0x2, 1
    FCVT_I fcvt.wu.s, 0x40200000, rne, 0x2, 1
    FCVT_I fcvt.wu.s, 0xc0200000, rne, 0x0, 16
    FCVT_I fcvt.wu.s, 0x40600000, rne, 0x4, 1
    FCVT_I fcvt.wu.s, 0xbf000000, rne, 0x0, 1
    FCVT_I fcvt.wu.s, 0xbfc00000, rne, 0x0, 16
    FCVT_I fcvt.wu.s, 0x4f32d05e, rne, 0xffffffffb2d05e00, 0
    FCVT_I fcvt.wu.s, 0xcf32d05e, rne, 0x0, 16
    FCVT_I fcvt.wu.s, 0x5f0ac723, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.s, 0x4f000000, rne, 0xffffffff80000000, 0
    FCVT_I fcvt.wu.s, 0xcf000000, rne, 0x0, 16
    FCVT_I fcvt.wu.s, 0x5f000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.s, 0xdf000000, rne, 0x0, 16
    FCVT_I fcvt.wu.s, 0x5f800000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.s, 0x7f800000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.s, 0xff800000, rne, 0x0, 16
    FCVT_I fcvt.wu.s, 0x7fc00000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.s, 0x7f800001, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.s, 0x80000000, rne, 0x0, 0
    FCVT_I fcvt.wu.s, 0x1, rne, 0x0, 1
    FCVT_I fcvt.l.s, 0x3fc00000, rne, 0x2, 1
    FCVT_I fcvt.l.s, 0x40200000, rne, 0x2, 1
    FCVT_I fcvt.l.s, 0xc0200000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.l.s, 0x40600000, rne, 0x4, 1
    FCVT_I fcvt.l.s, 0xbf000000, rne, 0x0, 1
    FCVT_I fcvt.l.s, 0xbfc00000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.l.s, 0x4f32d05e, rne, 0xb2d05e00, 0
    FCVT_I fcvt.l.s, 0xcf32d05e, rne, 0xffffffff4d2fa200, 0
    FCVT_I fcvt.l.s, 0x5f0ac723, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.s, 0x4f000000, rne, 0x80000000, 0
    FCVT_I fcvt.l.s, 0xcf000000, rne, 0xffffffff80000000, 0
    FCVT_I fcvt.l.s, 0x5f000000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.s, 0xdf000000, rne, 0x8000000000000000, 0
    FCVT_I fcvt.l.s, 0x5f800000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.s, 0x7f800000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.s, 0xff800000, rne, 0x8000000000000000, 16
    FCVT_I fcvt.l.s, 0x7fc00000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.s, 0x7f800001, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.s, 0x80000000, rne, 0x0, 0
    FCVT_I fcvt.l.s, 0x1, rne, 0x0, 1
    FCVT_I fcvt.lu.s, 0x3fc00000, rne, 0x2, 1
    FCVT_I fcvt.lu.s, 0x40200000, rne, 0x2, 1
    FCVT_I fcvt.lu.s, 0xc0200000, rne, 0x0, 16
    FCVT_I fcvt.lu.s, 0x40600000, rne, 0x4, 1
    FCVT_I fcvt.lu.s, 0xbf000000, rne, 0x0, 1
    FCVT_I fcvt.lu.s, 0xbfc00000, rne, 0x0, 16
    FCVT_I fcvt.lu.s, 0x4f32d05e, rne, 0xb2d05e00, 0
    FCVT_I fcvt.lu.s, 0xcf32d05e, rne, 0x0, 16
    FCVT_I fcvt.lu.s, 0x5f0ac723, rne, 0x8ac7230000000000, 0
    FCVT_I fcvt.lu.s, 0x4f000000, rne, 0x80000000, 0
    FCVT_I fcvt.lu.s, 0xcf000000, rne, 0x0, 16
    FCVT_I fcvt.lu.s, 0x5f000000, rne, 0x8000000000000000, 0
    FCVT_I fcvt.lu.s, 0xdf000000, rne, 0x0, 16
    FCVT_I fcvt.lu.s, 0x5f800000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.s, 0x7f800000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.s, 0xff800000, rne, 0x0, 16
    FCVT_I fcvt.lu.s, 0x7fc00000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.s, 0x7f800001, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.s, 0x80000000, rne, 0x0, 0
    FCVT_I fcvt.lu.s, 0x1, rne, 0x0, 1
    FCVT_I fcvt.w.s, 0x40200000, rne, 0x2, 1
    FCVT_I fcvt.lu.s, 0x40200000, rne, 0x2, 1
    FCVT_I fcvt.w.s, 0xc0200000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.lu.s, 0xc0200000, rne, 0x0, 16
    FCVT_I fcvt.w.s, 0xbf000000, rne, 0x0, 1
    FCVT_I fcvt.lu.s, 0xbf000000, rne, 0x0, 1
    FCVT_I fcvt.w.s, 0x40200000, rtz, 0x2, 1
    FCVT_I fcvt.lu.s, 0x40200000, rtz, 0x2, 1
    FCVT_I fcvt.w.s, 0xc0200000, rtz, 0xfffffffffffffffe, 1
    FCVT_I fcvt.lu.s, 0xc0200000, rtz, 0x0, 16
    FCVT_I fcvt.w.s, 0xbf000000, rtz, 0x0, 1
    FCVT_I fcvt.lu.s, 0xbf000000, rtz, 0x0, 1
    FCVT_I fcvt.w.s, 0x40200000, rdn, 0x2, 1
    FCVT_I fcvt.lu.s, 0x40200000, rdn, 0x2, 1
    FCVT_I fcvt.w.s, 0xc0200000, rdn, 0xfffffffffffffffd, 1
    FCVT_I fcvt.lu.s, 0xc0200000, rdn, 0x0, 16
    FCVT_I fcvt.w.s, 0xbf000000, rdn, 0xffffffffffffffff, 1
    FCVT_I fcvt.lu.s, 0xbf000000, rdn, 0x0, 16
    FCVT_I fcvt.w.s, 0x40200000, rup, 0x3, 1
    FCVT_I fcvt.lu.s, 0x40200000, rup, 0x3, 1
    FCVT_I fcvt.w.s, 0xc0200000, rup, 0xfffffffffffffffe, 1
    FCVT_I fcvt.lu.s, 0xc0200000, rup, 0x0, 16
    FCVT_I fcvt.w.s, 0xbf000000, rup, 0x0, 1
    FCVT_I fcvt.lu.s, 0xbf000000, rup, 0x0, 1
    FCVT_I fcvt.w.s, 0x40200000, rmm, 0x3, 1
    FCVT_I fcvt.lu.s, 0x40200000, rmm, 0x3, 1
    FCVT_I fcvt.w.s, 0xc0200000, rmm, 0xfffffffffffffffd, 1
    FCVT_I fcvt.lu.s, 0xc0200000, rmm, 0x0, 16
    FCVT_I fcvt.w.s, 0xbf000000, rmm, 0xffffffffffffffff, 1
    FCVT_I fcvt.lu.s, 0xbf000000, rmm, 0x0, 16
    FCVT_F fcvt.s.w, 0x0, rne, 0x0, 0
    FCVT_F fcvt.s.w, 0x1, rne, 0x3f800000, 0
    FCVT_F fcvt.s.w, 0xffffffffffffffff, rne, 0xffffffffbf800000, 0
    FCVT_F fcvt.s.w, 0x7fffffff, rne, 0x4f000000, 1
    FCVT_F fcvt.s.w, 0xffffffff80000000, rne, 0xffffffffcf000000, 0
    FCVT_F fcvt.s.w, 0xffffffff, rne, 0xffffffffbf800000, 0
    FCVT_F fcvt.s.w, 0x7fffffffffffffff, rne, 0xffffffffbf800000, 0
    FCVT_F fcvt.s.w, 0x8000000000000000, rne, 0x0, 0
    FCVT_F fcvt.s.w, 0x123456789, rne, 0x4e0d159e, 1
    FCVT_F fcvt.s.w, 0xffffffffffffffff, rne, 0xffffffffbf800000, 0
    FCVT_F fcvt.s.w, 0x1000001, rne, 0x4b800000, 1
    FCVT_F fcvt.s.wu, 0x0, rne, 0x0, 0
    FCVT_F fcvt.s.wu, 0x1, rne, 0x3f800000, 0
    FCVT_F fcvt.s.wu, 0xffffffffffffffff, rne, 0x4f800000, 1
    FCVT_F fcvt.s.wu, 0x7fffffff, rne, 0x4f000000, 1
    FCVT_F fcvt.s.wu, 0xffffffff80000000, rne, 0x4f000000, 0
    FCVT_F fcvt.s.wu, 0xffffffff, rne, 0x4f800000, 1
    FCVT_F fcvt.s.wu, 0x7fffffffffffffff, rne, 0x4f800000, 1
    FCVT_F fcvt.s.wu, 0x8000000000000000, rne, 0x0, 0
    FCVT_F fcvt.s.wu, 0x123456789, rne, 0x4e0d159e, 1
    FCVT_F fcvt.s.wu, 0xffffffffffffffff, rne, 0x4f800000, 1
    FCVT_F fcvt.s.wu, 0x1000001, rne, 0x4b800000, 1
    FCVT_F fcvt.s.l, 0x0, rne, 0x0, 0
    FCVT_F fcvt.s.l, 0x1, rne, 0x3f800000, 0
    FCVT_F fcvt.s.l, 0xffffffffffffffff, rne, 0xffffffffbf800000, 0
    FCVT_F fcvt.s.l, 0x7fffffff, rne, 0x4f000000, 1
    FCVT_F fcvt.s.l, 0xffffffff80000000, rne, 0xffffffffcf000000, 0
    FCVT_F fcvt.s.l, 0xffffffff, rne, 0x4f800000, 1
    FCVT_F fcvt.s.l, 0x7fffffffffffffff, rne, 0x5f000000, 1
    FCVT_F fcvt.s.l, 0x8000000000000000, rne, 0xffffffffdf000000, 0
    FCVT_F fcvt.s.l, 0x123456789, rne, 0x4f91a2b4, 1
    FCVT_F fcvt.s.l, 0xffffffffffffffff, rne, 0xffffffffbf800000, 0
    FCVT_F fcvt.s.l, 0x1000001, rne, 0x4b800000, 1
    FCVT_F fcvt.s.lu, 0x0, rne, 0x0, 0
    FCVT_F fcvt.s.lu, 0x1, rne, 0x3f800000, 0
    FCVT_F fcvt.s.lu, 0xffffffffffffffff, rne, 0x5f800000, 1
    FCVT_F fcvt.s.lu, 0x7fffffff, rne, 0x4f000000, 1
    FCVT_F fcvt.s.lu, 0xffffffff80000000, rne, 0x5f800000, 1
    FCVT_F fcvt.s.lu, 0xffffffff, rne, 0x4f800000, 1
    FCVT_F fcvt.s.lu, 0x7fffffffffffffff, rne, 0x5f000000, 1
    FCVT_F fcvt.s.lu, 0x8000000000000000, rne, 0x5f000000, 0
    FCVT_F fcvt.s.lu, 0x123456789, rne, 0x4f91a2b4, 1
    FCVT_F fcvt.s.lu, 0xffffffffffffffff, rne, 0x5f800000, 1
    FCVT_F fcvt.s.lu, 0x1000001, rne, 0x4b800000, 1
    FCVT_F fcvt.s.w, 16777217, rne, 0x4b800000, 1
    FCVT_F fcvt.s.l, 0x8000000000000001, rne, 0xffffffffdf000000, 1
    FCVT_F fcvt.s.w, 16777217, rtz, 0x4b800000, 1
    FCVT_F fcvt.s.l, 0x8000000000000001, rtz, 0xffffffffdeffffff, 1
    FCVT_F fcvt.s.w, 16777217, rdn, 0x4b800000, 1
    FCVT_F fcvt.s.l, 0x8000000000000001, rdn, 0xffffffffdf000000, 1
    FCVT_F fcvt.s.w, 16777217, rup, 0x4b800001, 1
    FCVT_F fcvt.s.l, 0x8000000000000001, rup, 0xffffffffdeffffff, 1
    FCVT_F fcvt.s.w, 16777217, rmm, 0x4b800001, 1
    FCVT_F fcvt.s.l, 0x8000000000000001, rmm, 0xffffffffdf000000, 1
TEST_END
