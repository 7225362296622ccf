// RV64D (double precision): every arithmetic, fused, min/max, sign-injection, compare, classify and
// integer-conversion instruction, each checked for its result bits and the exact fflags it
// raises.  Rounding: all five static modes on cases that tell them apart.  NaNs: canonical
// NaN results, signalling inputs raising NV, fmin/fmax with one NaN returning the other
// operand and -0 < +0, feq quiet vs flt/fle signalling.  Conversions: saturation on
// overflow and NaN, NX on inexact, results of .w/.wu sign-extended.  Subnormals and
// underflow (tininess after rounding).  Expected values come from an exact rational model of
// IEEE 754-2008 as RISC-V specifies it.
#include "common/test.h"

/* Each check: load operand bits, clear fflags, run, record the result bits (as fmv.x.d
 * returns them) and fflags. */
.macro FOP2 op, a, b, rm, exp, flags
    li t1, \a
    fmv.d.x f1, t1
    li t2, \b
    fmv.d.x f2, t2
    csrw fflags, zero
    \op f3, f1, f2, \rm
    fmv.x.d t0, f3
    frflags t3
    EXPECT "\op \a \b \rm", t0, \exp
    EXPECT "\op \a \b \rm flags", t3, \flags
.endm

.macro FOP2N op, a, b, exp, flags
    li t1, \a
    fmv.d.x f1, t1
    li t2, \b
    fmv.d.x f2, t2
    csrw fflags, zero
    \op f3, f1, f2
    fmv.x.d t0, f3
    frflags t3
    EXPECT "\op \a \b", t0, \exp
    EXPECT "\op \a \b flags", t3, \flags
.endm

.macro FOP1 op, a, rm, exp, flags
    li t1, \a
    fmv.d.x f1, t1
    csrw fflags, zero
    \op f3, f1, \rm
    fmv.x.d t0, f3
    frflags t3
    EXPECT "\op \a \rm", t0, \exp
    EXPECT "\op \a \rm flags", t3, \flags
.endm

.macro FOP3 op, a, b, c, rm, exp, flags
    li t1, \a
    fmv.d.x f1, t1
    li t2, \b
    fmv.d.x f2, t2
    li t1, \c
    fmv.d.x f4, t1
    csrw fflags, zero
    \op f3, f1, f2, f4, \rm
    fmv.x.d t0, f3
    frflags t3
    EXPECT "\op \a \b \c \rm", t0, \exp
    EXPECT "\op \a \b \c \rm flags", t3, \flags
.endm

.macro FCMP op, a, b, exp, flags
    li t1, \a
    fmv.d.x f1, t1
    li t2, \b
    fmv.d.x f2, t2
    csrw fflags, zero
    \op t0, f1, f2
    frflags t3
    EXPECT "\op \a \b", t0, \exp
    EXPECT "\op \a \b flags", t3, \flags
.endm

.macro FCLASS op, a, exp
    li t1, \a
    fmv.d.x f1, t1
    csrw fflags, zero
    \op t0, f1
    frflags t3
    EXPECT "\op \a", t0, \exp
    EXPECT "\op \a flags", t3, 0
.endm

.macro FCVT_I op, a, rm, exp, flags
    li t1, \a
    fmv.d.x f1, t1
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
    fmv.x.d t0, f3
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

TEST_BEGIN rv64d
    csrw fcsr, zero
    FOP2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rne, 0x3ff0000000000000, 1
    FOP2 fadd.d, 0xbff0000000000000, 0xbca0000000000000, rne, 0xbff0000000000000, 1
    FOP2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rtz, 0x3ff0000000000000, 1
    FOP2 fadd.d, 0xbff0000000000000, 0xbca0000000000000, rtz, 0xbff0000000000000, 1
    FOP2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rdn, 0x3ff0000000000000, 1
    FOP2 fadd.d, 0xbff0000000000000, 0xbca0000000000000, rdn, 0xbff0000000000001, 1
    FOP2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rup, 0x3ff0000000000001, 1
    FOP2 fadd.d, 0xbff0000000000000, 0xbca0000000000000, rup, 0xbff0000000000000, 1
    FOP2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rmm, 0x3ff0000000000001, 1
    FOP2 fadd.d, 0xbff0000000000000, 0xbca0000000000000, rmm, 0xbff0000000000001, 1
    FOP2 fadd.d, 0x3ff0000000000000, 0x4000000000000000, rne, 0x4008000000000000, 0
    FOP2 fadd.d, 0x3ff0000000000000, 0xbff0000000000000, rne, 0x0, 0
    FOP2 fadd.d, 0x7ff0000000000000, 0xfff0000000000000, rne, 0x7ff8000000000000, 16
    FOP2 fadd.d, 0x7ff0000000000000, 0x3ff0000000000000, rne, 0x7ff0000000000000, 0
    FOP2 fadd.d, 0x7ff8000000000000, 0x3ff0000000000000, rne, 0x7ff8000000000000, 0
    FOP2 fadd.d, 0x7ff0000000000001, 0x3ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP2 fadd.d, 0x3ff0000000000000, 0x7ff8000000012345, rne, 0x7ff8000000000000, 0
    FOP2 fadd.d, 0x7fefffffffffffff, 0x7fefffffffffffff, rne, 0x7ff0000000000000, 5
    FOP2 fadd.d, 0x8000000000000000, 0x8000000000000000, rne, 0x8000000000000000, 0
    FOP2 fadd.d, 0x0, 0x8000000000000000, rne, 0x0, 0
    FOP2 fadd.d, 0x1, 0x1, rne, 0x2, 0
    FOP2 fadd.d, 0x10000000000000, 0x800fffffffffffff, rne, 0x1, 0
    FOP2 fadd.d, 0x7fefffffffffffff, 0x7fefffffffffffff, rtz, 0x7fefffffffffffff, 5
    FOP2 fadd.d, 0xffefffffffffffff, 0xffefffffffffffff, rup, 0xffefffffffffffff, 5
    FOP2 fadd.d, 0xffefffffffffffff, 0xffefffffffffffff, rdn, 0xfff0000000000000, 5
    FOP2 fadd.d, 0x3ff0000000000000, 0xbff0000000000000, rdn, 0x8000000000000000, 0
    FOP2 fsub.d, 0x3ff0000000000000, 0x3ff0000000000000, rne, 0x0, 0
    FOP2 fsub.d, 0x4008000000000000, 0x3ff0000000000000, rne, 0x4000000000000000, 0
    FOP2 fsub.d, 0x7ff0000000000000, 0x7ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP2 fsub.d, 0x3ff0000000000000, 0x3ca0000000000000, rne, 0x3fefffffffffffff, 0
    FOP2 fsub.d, 0x0, 0x0, rne, 0x0, 0
    FOP2 fsub.d, 0x7ff0000000000001, 0x7ff8000000000000, rne, 0x7ff8000000000000, 16
    FOP2 fsub.d, 0x3ff0000000000000, 0x3ff0000000000000, rdn, 0x8000000000000000, 0
    FOP2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rne, 0x3ff0000000000002, 1
    FOP2 fdiv.d, 0x3ff0000000000000, 0x4008000000000000, rne, 0x3fd5555555555555, 1
    FOP2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rtz, 0x3ff0000000000002, 1
    FOP2 fdiv.d, 0x3ff0000000000000, 0x4008000000000000, rtz, 0x3fd5555555555555, 1
    FOP2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rdn, 0x3ff0000000000002, 1
    FOP2 fdiv.d, 0x3ff0000000000000, 0x4008000000000000, rdn, 0x3fd5555555555555, 1
    FOP2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rup, 0x3ff0000000000003, 1
    FOP2 fdiv.d, 0x3ff0000000000000, 0x4008000000000000, rup, 0x3fd5555555555556, 1
    FOP2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rmm, 0x3ff0000000000002, 1
    FOP2 fdiv.d, 0x3ff0000000000000, 0x4008000000000000, rmm, 0x3fd5555555555555, 1
    FOP2 fmul.d, 0x4000000000000000, 0x4008000000000000, rne, 0x4018000000000000, 0
    FOP2 fmul.d, 0x0, 0x7ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP2 fmul.d, 0x8000000000000000, 0x4000000000000000, rne, 0x8000000000000000, 0
    FOP2 fmul.d, 0x7fefffffffffffff, 0x4000000000000000, rne, 0x7ff0000000000000, 5
    FOP2 fmul.d, 0x10000000000000, 0x3fe0000000000000, rne, 0x8000000000000, 0
    FOP2 fmul.d, 0x1, 0x3fe0000000000000, rne, 0x0, 3
    FOP2 fmul.d, 0x10000000000000, 0x3fefffffffffffff, rne, 0x10000000000000, 3
    FOP2 fmul.d, 0xfff0000000000000, 0xbff0000000000000, rne, 0x7ff0000000000000, 0
    FOP2 fmul.d, 0x7ff0000000000001, 0x0, rne, 0x7ff8000000000000, 16
    FOP2 fmul.d, 0x7fefffffffffffff, 0x4000000000000000, rtz, 0x7fefffffffffffff, 5
    FOP2 fmul.d, 0x1, 0x3fe0000000000000, rup, 0x1, 3
    FOP2 fdiv.d, 0x3ff0000000000000, 0x0, rne, 0x7ff0000000000000, 8
    FOP2 fdiv.d, 0xbff0000000000000, 0x0, rne, 0xfff0000000000000, 8
    FOP2 fdiv.d, 0x0, 0x0, rne, 0x7ff8000000000000, 16
    FOP2 fdiv.d, 0x7ff0000000000000, 0x7ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP2 fdiv.d, 0x3ff0000000000000, 0x7ff0000000000000, rne, 0x0, 0
    FOP2 fdiv.d, 0x4008000000000000, 0x4000000000000000, rne, 0x3ff8000000000000, 0
    FOP2 fdiv.d, 0x7ff8000000000000, 0x0, rne, 0x7ff8000000000000, 0
    FOP2 fdiv.d, 0x10000000000000, 0x7fefffffffffffff, rne, 0x0, 3
    FOP1 fsqrt.d, 0x4000000000000000, rne, 0x3ff6a09e667f3bcd, 1
    FOP1 fsqrt.d, 0x4000000000000000, rtz, 0x3ff6a09e667f3bcc, 1
    FOP1 fsqrt.d, 0x4000000000000000, rdn, 0x3ff6a09e667f3bcc, 1
    FOP1 fsqrt.d, 0x4000000000000000, rup, 0x3ff6a09e667f3bcd, 1
    FOP1 fsqrt.d, 0x4000000000000000, rmm, 0x3ff6a09e667f3bcd, 1
    FOP1 fsqrt.d, 0x4010000000000000, rne, 0x4000000000000000, 0
    FOP1 fsqrt.d, 0x0, rne, 0x0, 0
    FOP1 fsqrt.d, 0x8000000000000000, rne, 0x8000000000000000, 0
    FOP1 fsqrt.d, 0xbff0000000000000, rne, 0x7ff8000000000000, 16
    FOP1 fsqrt.d, 0x7ff0000000000000, rne, 0x7ff0000000000000, 0
    FOP1 fsqrt.d, 0xfff0000000000000, rne, 0x7ff8000000000000, 16
    FOP1 fsqrt.d, 0x7ff0000000000001, rne, 0x7ff8000000000000, 16
    FOP1 fsqrt.d, 0x7ff8000000000000, rne, 0x7ff8000000000000, 0
    FOP1 fsqrt.d, 0x1, rne, 0x1e60000000000000, 0
    FOP1 fsqrt.d, 0x4008000000000000, rne, 0x3ffbb67ae8584caa, 1
    FOP3 fmadd.d, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000, rne, 0x3c9ffffffffffffe, 0
    FOP3 fmadd.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, rne, 0x401c000000000000, 0
    FOP3 fmadd.d, 0x7ff0000000000000, 0x0, 0x7ff8000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fmadd.d, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fmadd.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rne, 0x0, 0
    FOP3 fmadd.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rdn, 0x8000000000000000, 0
    FOP3 fmadd.d, 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, rne, 0x7fefffffffffffff, 0
    FOP3 fmadd.d, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fmadd.d, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, rup, 0x3ff0000000000001, 1
    FOP3 fmadd.d, 0x8000000000000000, 0x3ff0000000000000, 0x0, rne, 0x0, 0
    FOP3 fmsub.d, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000, rne, 0x4000000000000000, 1
    FOP3 fmsub.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, rne, 0x4014000000000000, 0
    FOP3 fmsub.d, 0x7ff0000000000000, 0x0, 0x7ff8000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fmsub.d, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, rne, 0x7ff0000000000000, 0
    FOP3 fmsub.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rne, 0x4000000000000000, 0
    FOP3 fmsub.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rdn, 0x4000000000000000, 0
    FOP3 fmsub.d, 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, rne, 0x7ff0000000000000, 5
    FOP3 fmsub.d, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fmsub.d, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, rup, 0xbfefffffffffffff, 0
    FOP3 fmsub.d, 0x8000000000000000, 0x3ff0000000000000, 0x0, rne, 0x8000000000000000, 0
    FOP3 fnmsub.d, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000, rne, 0xc000000000000000, 1
    FOP3 fnmsub.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, rne, 0xc014000000000000, 0
    FOP3 fnmsub.d, 0x7ff0000000000000, 0x0, 0x7ff8000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fnmsub.d, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, rne, 0xfff0000000000000, 0
    FOP3 fnmsub.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rne, 0xc000000000000000, 0
    FOP3 fnmsub.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rdn, 0xc000000000000000, 0
    FOP3 fnmsub.d, 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, rne, 0xfff0000000000000, 5
    FOP3 fnmsub.d, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fnmsub.d, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, rup, 0x3fefffffffffffff, 0
    FOP3 fnmsub.d, 0x8000000000000000, 0x3ff0000000000000, 0x0, rne, 0x0, 0
    FOP3 fnmadd.d, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000, rne, 0xbc9ffffffffffffe, 0
    FOP3 fnmadd.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, rne, 0xc01c000000000000, 0
    FOP3 fnmadd.d, 0x7ff0000000000000, 0x0, 0x7ff8000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fnmadd.d, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fnmadd.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rne, 0x0, 0
    FOP3 fnmadd.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, rdn, 0x8000000000000000, 0
    FOP3 fnmadd.d, 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, rne, 0xffefffffffffffff, 0
    FOP3 fnmadd.d, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, rne, 0x7ff8000000000000, 16
    FOP3 fnmadd.d, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, rup, 0xbff0000000000000, 1
    FOP3 fnmadd.d, 0x8000000000000000, 0x3ff0000000000000, 0x0, rne, 0x0, 0
    FOP2N fmin.d, 0x3ff0000000000000, 0x4000000000000000, 0x3ff0000000000000, 0
    FOP2N fmax.d, 0x3ff0000000000000, 0x4000000000000000, 0x4000000000000000, 0
    FOP2N fmin.d, 0x8000000000000000, 0x0, 0x8000000000000000, 0
    FOP2N fmax.d, 0x8000000000000000, 0x0, 0x0, 0
    FOP2N fmin.d, 0x0, 0x8000000000000000, 0x8000000000000000, 0
    FOP2N fmax.d, 0x0, 0x8000000000000000, 0x0, 0
    FOP2N fmin.d, 0x7ff8000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0
    FOP2N fmax.d, 0x7ff8000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0
    FOP2N fmin.d, 0x3ff0000000000000, 0x7ff8000000000000, 0x3ff0000000000000, 0
    FOP2N fmax.d, 0x3ff0000000000000, 0x7ff8000000000000, 0x3ff0000000000000, 0
    FOP2N fmin.d, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, 16
    FOP2N fmax.d, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, 16
    FOP2N fmin.d, 0x7ff8000000000000, 0x7ff8000000000000, 0x7ff8000000000000, 0
    FOP2N fmax.d, 0x7ff8000000000000, 0x7ff8000000000000, 0x7ff8000000000000, 0
    FOP2N fmin.d, 0x7ff0000000000001, 0x7ff0000000000001, 0x7ff8000000000000, 16
    FOP2N fmax.d, 0x7ff0000000000001, 0x7ff0000000000001, 0x7ff8000000000000, 16
    FOP2N fmin.d, 0xfff0000000000000, 0x7fefffffffffffff, 0xfff0000000000000, 0
    FOP2N fmax.d, 0xfff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0
    FOP2N fmin.d, 0xfff8000000000000, 0xbff0000000000000, 0xbff0000000000000, 0
    FOP2N fmax.d, 0xfff8000000000000, 0xbff0000000000000, 0xbff0000000000000, 0
    FOP2N fsgnj.d, 0x3ff0000000000000, 0xbff0000000000000, 0xbff0000000000000, 0
    FOP2N fsgnjn.d, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff0000000000000, 0
    FOP2N fsgnjx.d, 0x3ff0000000000000, 0xbff0000000000000, 0xbff0000000000000, 0
    FOP2N fsgnj.d, 0xbff0000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0
    FOP2N fsgnjn.d, 0xbff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0
    FOP2N fsgnjx.d, 0xbff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0
    FOP2N fsgnj.d, 0xbff0000000000000, 0xbff0000000000000, 0xbff0000000000000, 0
    FOP2N fsgnjn.d, 0xbff0000000000000, 0xbff0000000000000, 0x3ff0000000000000, 0
    FOP2N fsgnjx.d, 0xbff0000000000000, 0xbff0000000000000, 0x3ff0000000000000, 0
    FOP2N fsgnj.d, 0x7ff8000000012345, 0x8000000000000000, 0xfff8000000012345, 0
    FOP2N fsgnjn.d, 0x7ff8000000012345, 0x8000000000000000, 0x7ff8000000012345, 0
    FOP2N fsgnjx.d, 0x7ff8000000012345, 0x8000000000000000, 0xfff8000000012345, 0
    FOP2N fsgnj.d, 0x7ff0000000000001, 0xbff0000000000000, 0xfff0000000000001, 0
    FOP2N fsgnjn.d, 0x7ff0000000000001, 0xbff0000000000000, 0x7ff0000000000001, 0
    FOP2N fsgnjx.d, 0x7ff0000000000001, 0xbff0000000000000, 0xfff0000000000001, 0
    FOP2N fsgnj.d, 0xfff8000000000000, 0x0, 0x7ff8000000000000, 0
    FOP2N fsgnjn.d, 0xfff8000000000000, 0x0, 0xfff8000000000000, 0
    FOP2N fsgnjx.d, 0xfff8000000000000, 0x0, 0xfff8000000000000, 0
    FCMP feq.d, 0x3ff0000000000000, 0x4000000000000000, 0, 0
    FCMP flt.d, 0x3ff0000000000000, 0x4000000000000000, 1, 0
    FCMP fle.d, 0x3ff0000000000000, 0x4000000000000000, 1, 0
    FCMP feq.d, 0x4000000000000000, 0x3ff0000000000000, 0, 0
    FCMP flt.d, 0x4000000000000000, 0x3ff0000000000000, 0, 0
    FCMP fle.d, 0x4000000000000000, 0x3ff0000000000000, 0, 0
    FCMP feq.d, 0x3ff0000000000000, 0x3ff0000000000000, 1, 0
    FCMP flt.d, 0x3ff0000000000000, 0x3ff0000000000000, 0, 0
    FCMP fle.d, 0x3ff0000000000000, 0x3ff0000000000000, 1, 0
    FCMP feq.d, 0x0, 0x8000000000000000, 1, 0
    FCMP flt.d, 0x0, 0x8000000000000000, 0, 0
    FCMP fle.d, 0x0, 0x8000000000000000, 1, 0
    FCMP feq.d, 0xfff0000000000000, 0x7ff0000000000000, 0, 0
    FCMP flt.d, 0xfff0000000000000, 0x7ff0000000000000, 1, 0
    FCMP fle.d, 0xfff0000000000000, 0x7ff0000000000000, 1, 0
    FCMP feq.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, 0
    FCMP flt.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, 16
    FCMP fle.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, 16
    FCMP feq.d, 0x3ff0000000000000, 0x7ff8000000000000, 0, 0
    FCMP flt.d, 0x3ff0000000000000, 0x7ff8000000000000, 0, 16
    FCMP fle.d, 0x3ff0000000000000, 0x7ff8000000000000, 0, 16
    FCMP feq.d, 0x7ff0000000000001, 0x3ff0000000000000, 0, 16
    FCMP flt.d, 0x7ff0000000000001, 0x3ff0000000000000, 0, 16
    FCMP fle.d, 0x7ff0000000000001, 0x3ff0000000000000, 0, 16
    FCMP feq.d, 0x7ff8000000000000, 0x7ff8000000000000, 0, 0
    FCMP flt.d, 0x7ff8000000000000, 0x7ff8000000000000, 0, 16
    FCMP fle.d, 0x7ff8000000000000, 0x7ff8000000000000, 0, 16
    FCLASS fclass.d, 0xfff0000000000000, 1
    FCLASS fclass.d, 0xbff0000000000000, 2
    FCLASS fclass.d, 0x800fffffffffffff, 4
    FCLASS fclass.d, 0x8000000000000000, 8
    FCLASS fclass.d, 0x0, 16
    FCLASS fclass.d, 0x8000000000000, 32
    FCLASS fclass.d, 0x3ff0000000000000, 64
    FCLASS fclass.d, 0x7ff0000000000000, 128
    FCLASS fclass.d, 0x7ff0000000000001, 256
    FCLASS fclass.d, 0x7ff8000000000000, 512
    FCLASS fclass.d, 0x7ff8000000012345, 512
    FCLASS fclass.d, 0xfff8000000000000, 512
    FCVT_I fcvt.w.d, 0x3ff8000000000000, rne, 0x2, 1
    FCVT_I fcvt.w.d, 0x4004000000000000, rne, 0x2, 1
    FCVT_I fcvt.w.d, 0xc004000000000000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.w.d, 0x400c000000000000, rne, 0x4, 1
    FCVT_I fcvt.w.d, 0xbfe0000000000000, rne, 0x0, 1
    FCVT_I fcvt.w.d, 0xbff8000000000000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.w.d, 0x41e65a0bc0000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0xc1e65a0bc0000000, rne, 0xffffffff80000000, 16
    FCVT_I fcvt.w.d, 0x43e158e460913d00, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0x41e0000000000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0xc1e0000000000000, rne, 0xffffffff80000000, 0
    FCVT_I fcvt.w.d, 0x43e0000000000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0xc3e0000000000000, rne, 0xffffffff80000000, 16
    FCVT_I fcvt.w.d, 0x43f0000000000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0x7ff0000000000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0xfff0000000000000, rne, 0xffffffff80000000, 16
    FCVT_I fcvt.w.d, 0x7ff8000000000000, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0x7ff0000000000001, rne, 0x7fffffff, 16
    FCVT_I fcvt.w.d, 0x8000000000000000, rne, 0x0, 0
    FCVT_I fcvt.w.d, 0x1, rne, 0x0, 1
    FCVT_I fcvt.w.d, 0x41dfffffffc00000, rne, 0x7fffffff, 0
    FCVT_I fcvt.w.d, 0xc1e0000000200000, rne, 0xffffffff80000000, 16
    FCVT_I fcvt.wu.d, 0x3ff8000000000000, rne, 0x2, 1
    FCVT_I fcvt.wu.d, 0x4004000000000000, rne, 0x2, 1
    FCVT_I fcvt.wu.d, 0xc004000000000000, rne, 0x0, 16
    FCVT_I fcvt.wu.d, 0x400c000000000000, rne, 0x4, 1
    FCVT_I fcvt.wu.d, 0xbfe0000000000000, rne, 0x0, 1
    FCVT_I fcvt.wu.d, 0xbff8000000000000, rne, 0x0, 16
    FCVT_I fcvt.wu.d, 0x41e65a0bc0000000, rne, 0xffffffffb2d05e00, 0
    FCVT_I fcvt.wu.d, 0xc1e65a0bc0000000, rne, 0x0, 16
    FCVT_I fcvt.wu.d, 0x43e158e460913d00, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.d, 0x41e0000000000000, rne, 0xffffffff80000000, 0
    FCVT_I fcvt.wu.d, 0xc1e0000000000000, rne, 0x0, 16
    FCVT_I fcvt.wu.d, 0x43e0000000000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.d, 0xc3e0000000000000, rne, 0x0, 16
    FCVT_I fcvt.wu.d, 0x43f0000000000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.d, 0x7ff0000000000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.d, 0xfff0000000000000, rne, 0x0, 16
    FCVT_I fcvt.wu.d, 0x7ff8000000000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.d, 0x7ff0000000000001, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.wu.d, 0x8000000000000000, rne, 0x0, 0
    FCVT_I fcvt.wu.d, 0x1, rne, 0x0, 1
    FCVT_I fcvt.wu.d, 0x41dfffffffc00000, rne, 0x7fffffff, 0
    FCVT_I fcvt.wu.d, 0xc1e0000000200000, rne, 0x0, 16
    FCVT_I fcvt.l.d, 0x3ff8000000000000, rne, 0x2, 1
    FCVT_I fcvt.l.d, 0x4004000000000000, rne, 0x2, 1
    FCVT_I fcvt.l.d, 0xc004000000000000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.l.d, 0x400c000000000000, rne, 0x4, 1
    FCVT_I fcvt.l.d, 0xbfe0000000000000, rne, 0x0, 1
    FCVT_I fcvt.l.d, 0xbff8000000000000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.l.d, 0x41e65a0bc0000000, rne, 0xb2d05e00, 0
    FCVT_I fcvt.l.d, 0xc1e65a0bc0000000, rne, 0xffffffff4d2fa200, 0
    FCVT_I fcvt.l.d, 0x43e158e460913d00, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.d, 0x41e0000000000000, rne, 0x80000000, 0
    FCVT_I fcvt.l.d, 0xc1e0000000000000, rne, 0xffffffff80000000, 0
    FCVT_I fcvt.l.d, 0x43e0000000000000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.d, 0xc3e0000000000000, rne, 0x8000000000000000, 0
    FCVT_I fcvt.l.d, 0x43f0000000000000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.d, 0x7ff0000000000000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.d, 0xfff0000000000000, rne, 0x8000000000000000, 16
    FCVT_I fcvt.l.d, 0x7ff8000000000000, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.d, 0x7ff0000000000001, rne, 0x7fffffffffffffff, 16
    FCVT_I fcvt.l.d, 0x8000000000000000, rne, 0x0, 0
    FCVT_I fcvt.l.d, 0x1, rne, 0x0, 1
    FCVT_I fcvt.l.d, 0x41dfffffffc00000, rne, 0x7fffffff, 0
    FCVT_I fcvt.l.d, 0xc1e0000000200000, rne, 0xffffffff7fffffff, 0
    FCVT_I fcvt.lu.d, 0x3ff8000000000000, rne, 0x2, 1
    FCVT_I fcvt.lu.d, 0x4004000000000000, rne, 0x2, 1
    FCVT_I fcvt.lu.d, 0xc004000000000000, rne, 0x0, 16
    FCVT_I fcvt.lu.d, 0x400c000000000000, rne, 0x4, 1
    FCVT_I fcvt.lu.d, 0xbfe0000000000000, rne, 0x0, 1
    FCVT_I fcvt.lu.d, 0xbff8000000000000, rne, 0x0, 16
    FCVT_I fcvt.lu.d, 0x41e65a0bc0000000, rne, 0xb2d05e00, 0
    FCVT_I fcvt.lu.d, 0xc1e65a0bc0000000, rne, 0x0, 16
    FCVT_I fcvt.lu.d, 0x43e158e460913d00, rne, 0x8ac7230489e80000, 0
    FCVT_I fcvt.lu.d, 0x41e0000000000000, rne, 0x80000000, 0
    FCVT_I fcvt.lu.d, 0xc1e0000000000000, rne, 0x0, 16
    FCVT_I fcvt.lu.d, 0x43e0000000000000, rne, 0x8000000000000000, 0
    FCVT_I fcvt.lu.d, 0xc3e0000000000000, rne, 0x0, 16
    FCVT_I fcvt.lu.d, 0x43f0000000000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.d, 0x7ff0000000000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.d, 0xfff0000000000000, rne, 0x0, 16
    FCVT_I fcvt.lu.d, 0x7ff8000000000000, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.d, 0x7ff0000000000001, rne, 0xffffffffffffffff, 16
    FCVT_I fcvt.lu.d, 0x8000000000000000, rne, 0x0, 0
    FCVT_I fcvt.lu.d, 0x1, rne, 0x0, 1
    FCVT_I fcvt.lu.d, 0x41dfffffffc00000, rne, 0x7fffffff, 0
    FCVT_I fcvt.lu.d, 0xc1e0000000200000, rne, 0x0, 16
    FCVT_I fcvt.w.d, 0x4004000000000000, rne, 0x2, 1
    FCVT_I fcvt.lu.d, 0x4004000000000000, rne, 0x2, 1
    FCVT_I fcvt.w.d, 0xc004000000000000, rne, 0xfffffffffffffffe, 1
    FCVT_I fcvt.lu.d, 0xc004000000000000, rne, 0x0, 16
    FCVT_I fcvt.w.d, 0xbfe0000000000000, rne, 0x0, 1
    FCVT_I fcvt.lu.d, 0xbfe0000000000000, rne, 0x0, 1
    FCVT_I fcvt.w.d, 0x4004000000000000, rtz, 0x2, 1
    FCVT_I fcvt.lu.d, 0x4004000000000000, rtz, 0x2, 1
    FCVT_I fcvt.w.d, 0xc004000000000000, rtz, 0xfffffffffffffffe, 1
    FCVT_I fcvt.lu.d, 0xc004000000000000, rtz, 0x0, 16
    FCVT_I fcvt.w.d, 0xbfe0000000000000, rtz, 0x0, 1
    FCVT_I fcvt.lu.d, 0xbfe0000000000000, rtz, 0x0, 1
    FCVT_I fcvt.w.d, 0x4004000000000000, rdn, 0x2, 1
    FCVT_I fcvt.lu.d, 0x4004000000000000, rdn, 0x2, 1
    FCVT_I fcvt.w.d, 0xc004000000000000, rdn, 0xfffffffffffffffd, 1
    FCVT_I fcvt.lu.d, 0xc004000000000000, rdn, 0x0, 16
    FCVT_I fcvt.w.d, 0xbfe0000000000000, rdn, 0xffffffffffffffff, 1
    FCVT_I fcvt.lu.d, 0xbfe0000000000000, rdn, 0x0, 16
    FCVT_I fcvt.w.d, 0x4004000000000000, rup, 0x3, 1
    FCVT_I fcvt.lu.d, 0x4004000000000000, rup, 0x3, 1
    FCVT_I fcvt.w.d, 0xc004000000000000, rup, 0xfffffffffffffffe, 1
    FCVT_I fcvt.lu.d, 0xc004000000000000, rup, 0x0, 16
    FCVT_I fcvt.w.d, 0xbfe0000000000000, rup, 0x0, 1
    FCVT_I fcvt.lu.d, 0xbfe0000000000000, rup, 0x0, 1
    FCVT_I fcvt.w.d, 0x4004000000000000, rmm, 0x3, 1
    FCVT_I fcvt.lu.d, 0x4004000000000000, rmm, 0x3, 1
    FCVT_I fcvt.w.d, 0xc004000000000000, rmm, 0xfffffffffffffffd, 1
    FCVT_I fcvt.lu.d, 0xc004000000000000, rmm, 0x0, 16
    FCVT_I fcvt.w.d, 0xbfe0000000000000, rmm, 0xffffffffffffffff, 1
    FCVT_I fcvt.lu.d, 0xbfe0000000000000, rmm, 0x0, 16
    FCVT_F fcvt.d.w, 0x0, none, 0x0, 0
    FCVT_F fcvt.d.w, 0x1, none, 0x3ff0000000000000, 0
    FCVT_F fcvt.d.w, 0xffffffffffffffff, none, 0xbff0000000000000, 0
    FCVT_F fcvt.d.w, 0x7fffffff, none, 0x41dfffffffc00000, 0
    FCVT_F fcvt.d.w, 0xffffffff80000000, none, 0xc1e0000000000000, 0
    FCVT_F fcvt.d.w, 0xffffffff, none, 0xbff0000000000000, 0
    FCVT_F fcvt.d.w, 0x7fffffffffffffff, none, 0xbff0000000000000, 0
    FCVT_F fcvt.d.w, 0x8000000000000000, none, 0x0, 0
    FCVT_F fcvt.d.w, 0x123456789, none, 0x41c1a2b3c4800000, 0
    FCVT_F fcvt.d.w, 0xffffffffffffffff, none, 0xbff0000000000000, 0
    FCVT_F fcvt.d.w, 0x1000001, none, 0x4170000010000000, 0
    FCVT_F fcvt.d.wu, 0x0, none, 0x0, 0
    FCVT_F fcvt.d.wu, 0x1, none, 0x3ff0000000000000, 0
    FCVT_F fcvt.d.wu, 0xffffffffffffffff, none, 0x41efffffffe00000, 0
    FCVT_F fcvt.d.wu, 0x7fffffff, none, 0x41dfffffffc00000, 0
    FCVT_F fcvt.d.wu, 0xffffffff80000000, none, 0x41e0000000000000, 0
    FCVT_F fcvt.d.wu, 0xffffffff, none, 0x41efffffffe00000, 0
    FCVT_F fcvt.d.wu, 0x7fffffffffffffff, none, 0x41efffffffe00000, 0
    FCVT_F fcvt.d.wu, 0x8000000000000000, none, 0x0, 0
    FCVT_F fcvt.d.wu, 0x123456789, none, 0x41c1a2b3c4800000, 0
    FCVT_F fcvt.d.wu, 0xffffffffffffffff, none, 0x41efffffffe00000, 0
    FCVT_F fcvt.d.wu, 0x1000001, none, 0x4170000010000000, 0
    FCVT_F fcvt.d.l, 0x0, rne, 0x0, 0
    FCVT_F fcvt.d.l, 0x1, rne, 0x3ff0000000000000, 0
    FCVT_F fcvt.d.l, 0xffffffffffffffff, rne, 0xbff0000000000000, 0
    FCVT_F fcvt.d.l, 0x7fffffff, rne, 0x41dfffffffc00000, 0
    FCVT_F fcvt.d.l, 0xffffffff80000000, rne, 0xc1e0000000000000, 0
    FCVT_F fcvt.d.l, 0xffffffff, rne, 0x41efffffffe00000, 0
    FCVT_F fcvt.d.l, 0x7fffffffffffffff, rne, 0x43e0000000000000, 1
    FCVT_F fcvt.d.l, 0x8000000000000000, rne, 0xc3e0000000000000, 0
    FCVT_F fcvt.d.l, 0x123456789, rne, 0x41f2345678900000, 0
    FCVT_F fcvt.d.l, 0xffffffffffffffff, rne, 0xbff0000000000000, 0
    FCVT_F fcvt.d.l, 0x1000001, rne, 0x4170000010000000, 0
    FCVT_F fcvt.d.lu, 0x0, rne, 0x0, 0
    FCVT_F fcvt.d.lu, 0x1, rne, 0x3ff0000000000000, 0
    FCVT_F fcvt.d.lu, 0xffffffffffffffff, rne, 0x43f0000000000000, 1
    FCVT_F fcvt.d.lu, 0x7fffffff, rne, 0x41dfffffffc00000, 0
    FCVT_F fcvt.d.lu, 0xffffffff80000000, rne, 0x43effffffff00000, 0
    FCVT_F fcvt.d.lu, 0xffffffff, rne, 0x41efffffffe00000, 0
    FCVT_F fcvt.d.lu, 0x7fffffffffffffff, rne, 0x43e0000000000000, 1
    FCVT_F fcvt.d.lu, 0x8000000000000000, rne, 0x43e0000000000000, 0
    FCVT_F fcvt.d.lu, 0x123456789, rne, 0x41f2345678900000, 0
    FCVT_F fcvt.d.lu, 0xffffffffffffffff, rne, 0x43f0000000000000, 1
    FCVT_F fcvt.d.lu, 0x1000001, rne, 0x4170000010000000, 0
    FCVT_F fcvt.d.l, 0x8000000000000001, rne, 0xc3e0000000000000, 1
    FCVT_F fcvt.d.l, 0x8000000000000001, rtz, 0xc3dfffffffffffff, 1
    FCVT_F fcvt.d.l, 0x8000000000000001, rdn, 0xc3e0000000000000, 1
    FCVT_F fcvt.d.l, 0x8000000000000001, rup, 0xc3dfffffffffffff, 1
    FCVT_F fcvt.d.l, 0x8000000000000001, rmm, 0xc3e0000000000000, 1
    /* conversions between the formats */
    FCVT_FF fcvt.d.s, S, 0x3f800000, none, 0x3ff0000000000000, 0
    FCVT_FF fcvt.d.s, S, 0x33800000, none, 0x3e70000000000000, 0
    FCVT_FF fcvt.d.s, S, 0x7f800000, none, 0x7ff0000000000000, 0
    FCVT_FF fcvt.d.s, S, 0xff800000, none, 0xfff0000000000000, 0
    FCVT_FF fcvt.d.s, S, 0x7fc00000, none, 0x7ff8000000000000, 0
    FCVT_FF fcvt.d.s, S, 0x7f800001, none, 0x7ff8000000000000, 16
    FCVT_FF fcvt.d.s, S, 0x7fc12345, none, 0x7ff8000000000000, 0
    FCVT_FF fcvt.d.s, S, 0x80000000, none, 0x8000000000000000, 0
    FCVT_FF fcvt.d.s, S, 0x1, none, 0x36a0000000000000, 0
    FCVT_FF fcvt.d.s, S, 0x7f7fffff, none, 0x47efffffe0000000, 0
    FCVT_FF fcvt.s.d, D, 0x3ff0000000000000, rne, 0x3f800000, 0
    FCVT_FF fcvt.s.d, D, 0x3ff0000000000001, rne, 0x3f800000, 1
    FCVT_FF fcvt.s.d, D, 0x3ff0000000000001, rtz, 0x3f800000, 1
    FCVT_FF fcvt.s.d, D, 0x3ff0000000000001, rdn, 0x3f800000, 1
    FCVT_FF fcvt.s.d, D, 0x3ff0000000000001, rup, 0x3f800001, 1
    FCVT_FF fcvt.s.d, D, 0x3ff0000000000001, rmm, 0x3f800000, 1
    FCVT_FF fcvt.s.d, D, 0x3ca0000000000000, rne, 0x25000000, 0
    FCVT_FF fcvt.s.d, D, 0x7ff0000000000000, rne, 0x7f800000, 0
    FCVT_FF fcvt.s.d, D, 0x7ff8000000000000, rne, 0x7fc00000, 0
    FCVT_FF fcvt.s.d, D, 0x7ff0000000000001, rne, 0x7fc00000, 16
    FCVT_FF fcvt.s.d, D, 0x7ff8000000012345, rne, 0x7fc00000, 0
    FCVT_FF fcvt.s.d, D, 0x8000000000000000, rne, 0xffffffff80000000, 0
    FCVT_FF fcvt.s.d, D, 0x1, rne, 0x0, 3
    FCVT_FF fcvt.s.d, D, 0x7fefffffffffffff, rne, 0x7f800000, 5
    FCVT_FF fcvt.s.d, D, 0x10000000000000, rne, 0x0, 3
    FCVT_FF fcvt.s.d, D, 0x41e65a0bc0000000, rne, 0x4f32d05e, 0
    FCVT_FF fcvt.s.d, D, 0x47effffff0000000, rne, 0x7f800000, 5
    FCVT_FF fcvt.s.d, D, 0x47effffff0000000, rtz, 0x7f7fffff, 1
    FCVT_FF fcvt.s.d, D, 0x47effffff0000000, rdn, 0x7f7fffff, 1
    FCVT_FF fcvt.s.d, D, 0x47effffff0000000, rup, 0x7f800000, 5
    FCVT_FF fcvt.s.d, D, 0x47effffff0000000, rmm, 0x7f800000, 5
TEST_END
