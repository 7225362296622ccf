#!/usr/bin/env python3
"""Generates tests/isa/rv64f.S and rv64d.S: python3 tests/isa/tools/genfp.py s|d > FILE.

The expected result bits and fflags come from ieee.py, an exact rational model of IEEE 754
binary32/binary64 with RISC-V's rules (canonical NaN, tininess after rounding, saturating
conversions).  Edit the case lists in gen() and regenerate.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import struct
from ieee import *
M64=(1<<64)-1
def sx32(x): x&=0xffffffff; return (x|0xffffffff00000000) if x>>31 else x
def h(x): return hex(x & M64)
def fbits(v,f): return struct.unpack('<I',struct.pack('<f',v))[0] if f=='s' else struct.unpack('<Q',struct.pack('<d',v))[0]
RMS=['rne','rtz','rdn','rup','rmm']
def C(f):
    if f=='s':
        return dict(one=0x3f800000,two=0x40000000,three=0x40400000,half=0x3f000000,eps=0x33800000,neg1=0xbf800000,
            negeps=0xb3800000,pinf=0x7f800000,ninf=0xff800000,qnan=0x7fc00000,snan=0x7f800001,qnanp=0x7fc12345,nqnan=0xffc00000,
            pz=0,nz=0x80000000,maxf=0x7f7fffff,nmaxf=0xff7fffff,minsub=1,minnorm=0x00800000,onem=0x3f7fffff,onep=0x3f800001,
            p15=0x3fc00000,p25=0x40200000,n25=0xc0200000,p35=0x40600000,nhalf=0xbf000000,n15=0xbfc00000,
            big=fbits(3e9,'s'),nbig=fbits(-3e9,'s'),huge=fbits(1e19,'s'),p2_31=0x4f000000,n2_31=0xcf000000,
            p2_63=0x5f000000,n2_63=0xdf000000,p2_64=0x5f800000,nsub=0x807fffff,sub=0x00400000,four=0x40800000)
    return dict(one=0x3ff0000000000000,two=0x4000000000000000,three=0x4008000000000000,half=0x3fe0000000000000,
        eps=0x3ca0000000000000,neg1=0xbff0000000000000,negeps=0xbca0000000000000,pinf=0x7ff0000000000000,ninf=0xfff0000000000000,
        qnan=0x7ff8000000000000,snan=0x7ff0000000000001,qnanp=0x7ff8000000012345,nqnan=0xfff8000000000000,pz=0,nz=0x8000000000000000,
        maxf=0x7fefffffffffffff,nmaxf=0xffefffffffffffff,minsub=1,minnorm=0x0010000000000000,onem=0x3fefffffffffffff,
        onep=0x3ff0000000000001,p15=fbits(1.5,'d'),p25=fbits(2.5,'d'),n25=fbits(-2.5,'d'),p35=fbits(3.5,'d'),nhalf=fbits(-0.5,'d'),
        n15=fbits(-1.5,'d'),big=fbits(3e9,'d'),nbig=fbits(-3e9,'d'),huge=fbits(1e19,'d'),p2_31=fbits(2.0**31,'d'),n2_31=fbits(-2.0**31,'d'),
        p2_63=fbits(2.0**63,'d'),n2_63=fbits(-2.0**63,'d'),p2_64=fbits(2.0**64,'d'),nsub=0x800fffffffffffff,sub=0x0008000000000000,
        four=fbits(4.0,'d'),p2_31m=fbits(2.0**31-1,'d'),n2_31m1=fbits(-2.0**31-1,'d'))
def res(x,f): return sx32(x) if f=='s' else x
def gen(f):
    c=C(f); out=[]
    def op2(op,a,b,rm,fn):
        r,fl=fn(c[a],c[b],f,rm); out.append(f"    FOP2 {op}.{f}, {h(c[a])}, {h(c[b])}, {rm}, {h(res(r,f))}, {fl}")
    def op2n(op,a,b,r,fl): out.append(f"    FOP2N {op}.{f}, {h(c[a])}, {h(c[b])}, {h(res(r,f))}, {fl}")
    def cmpop(op,a,b):
        r,fl=cmp(c[a],c[b],f,op); out.append(f"    FCMP f{op}.{f}, {h(c[a])}, {h(c[b])}, {r}, {fl}")
    # add/sub with every rounding mode
    for rm in RMS:
        op2('fadd','one','eps',rm,add); op2('fadd','neg1','negeps',rm,add)
    for a,b in [('one','two'),('one','neg1'),('pinf','ninf'),('pinf','one'),('qnan','one'),('snan','one'),('one','qnanp'),
                ('maxf','maxf'),('nz','nz'),('pz','nz'),('minsub','minsub'),('minnorm','nsub')]:
        op2('fadd',a,b,'rne',add)
    op2('fadd','maxf','maxf','rtz',add); op2('fadd','nmaxf','nmaxf','rup',add); op2('fadd','nmaxf','nmaxf','rdn',add)
    op2('fadd','one','neg1','rdn',add)
    for a,b in [('one','one'),('three','one'),('pinf','pinf'),('one','eps'),('pz','pz'),('snan','qnan')]:
        op2('fsub',a,b,'rne',add and (lambda x,y,ff,rm: add(x,y,ff,rm,sub=True)))
    op2('fsub','one','one','rdn',lambda x,y,ff,rm: add(x,y,ff,rm,sub=True))
    for rm in RMS:
        op2('fmul','onep','onep',rm,mul); op2('fdiv','one','three',rm,div)
    for a,b in [('two','three'),('pz','pinf'),('nz','two'),('maxf','two'),('minnorm','half'),('minsub','half'),('minnorm','onem'),
                ('ninf','neg1'),('snan','pz')]:
        op2('fmul',a,b,'rne',mul)
    op2('fmul','maxf','two','rtz',mul); op2('fmul','minsub','half','rup',mul)
    for a,b in [('one','pz'),('neg1','pz'),('pz','pz'),('pinf','pinf'),('one','pinf'),('three','two'),('qnan','pz'),('minnorm','maxf')]:
        op2('fdiv',a,b,'rne',div)
    for rm in RMS:
        r,fl=sqrt(c['two'],f,rm); out.append(f"    FOP1 fsqrt.{f}, {h(c['two'])}, {rm}, {h(res(r,f))}, {fl}")
    for a in ['four','pz','nz','neg1','pinf','ninf','snan','qnan','minsub','three']:
        r,fl=sqrt(c[a],f,'rne'); out.append(f"    FOP1 fsqrt.{f}, {h(c[a])}, rne, {h(res(r,f))}, {fl}")
    # fused multiply-add family
    for op,np,nc in [('fmadd',0,0),('fmsub',0,1),('fnmsub',1,0),('fnmadd',1,1)]:
        for a,b,cc,rm in [('onep','onem','neg1','rne'),('two','three','one','rne'),('pinf','pz','qnan','rne'),('pinf','one','ninf','rne'),
                          ('one','one','neg1','rne'),('one','one','neg1','rdn'),('maxf','two','nmaxf','rne'),('snan','one','one','rne'),
                          ('one','eps','one','rup'),('nz','one','pz','rne')]:
            r,fl=fma(c[a],c[b],c[cc],f,rm,np,nc)
            out.append(f"    FOP3 {op}.{f}, {h(c[a])}, {h(c[b])}, {h(c[cc])}, {rm}, {h(res(r,f))}, {fl}")
    # min/max
    for a,b in [('one','two'),('nz','pz'),('pz','nz'),('qnan','one'),('one','qnan'),('snan','one'),('qnan','qnan'),('snan','snan'),
                ('ninf','maxf'),('nqnan','neg1')]:
        r,fl=minmax(c[a],c[b],f,False); op2n('fmin',a,b,r,fl)
        r,fl=minmax(c[a],c[b],f,True); op2n('fmax',a,b,r,fl)
    # sign injection: raw bits, NaNs untouched
    mask=(1<<(31 if f=='s' else 63))
    for a,b in [('one','neg1'),('neg1','one'),('neg1','neg1'),('qnanp','nz'),('snan','neg1'),('nqnan','pz')]:
        A,B=c[a],c[b]
        op2n('fsgnj',a,b,(A&~mask)|(B&mask),0)
        op2n('fsgnjn',a,b,(A&~mask)|((~B)&mask),0)
        op2n('fsgnjx',a,b,A^(B&mask),0)
    # compares
    for a,b in [('one','two'),('two','one'),('one','one'),('pz','nz'),('ninf','pinf'),('qnan','one'),('one','qnan'),('snan','one'),('qnan','qnan')]:
        for op in ['eq','lt','le']: cmpop(op,a,b)
    # classify
    for a in ['ninf','neg1','nsub','nz','pz','sub','one','pinf','snan','qnan','qnanp','nqnan']:
        out.append(f"    FCLASS fclass.{f}, {h(c[a])}, {fclass(c[a],f)}")
    # conversions to integers
    cases=['p15','p25','n25','p35','nhalf','n15','big','nbig','huge','p2_31','n2_31','p2_63','n2_63','p2_64','pinf','ninf','qnan','snan','nz','minsub']
    if f=='d': cases+=['p2_31m','n2_31m1']
    for op,bits,sg in [('fcvt.w',32,1),('fcvt.wu',32,0),('fcvt.l',64,1),('fcvt.lu',64,0)]:
        for a in cases:
            r,fl=cvt_to_int(c[a],f,'rne',bits,sg)
            rv=sx32(r) if bits==32 else r&M64
            out.append(f"    FCVT_I {op}.{f}, {h(c[a])}, rne, {h(rv)}, {fl}")
    for rm in RMS:
        for a in ['p25','n25','nhalf']:
            for op,bits,sg in [('fcvt.w',32,1),('fcvt.lu',64,0)]:
                r,fl=cvt_to_int(c[a],f,rm,bits,sg); rv=sx32(r) if bits==32 else r&M64
                out.append(f"    FCVT_I {op}.{f}, {h(c[a])}, {rm}, {h(rv)}, {fl}")
    # conversions from integers
    ints=[0,1,-1,0x7fffffff,-0x80000000,0xffffffff,0x7fffffffffffffff,-0x8000000000000000,0x123456789,(1<<64)-1,16777217]
    for op,bits,sg in [('fcvt.%s.w'%f,32,1),('fcvt.%s.wu'%f,32,0),('fcvt.%s.l'%f,64,1),('fcvt.%s.lu'%f,64,0)]:
        for n in ints:
            src=n&M64
            v=src&((1<<bits)-1)
            if sg and v>>(bits-1): v-=1<<bits
            r,fl=cvt_from_int(v,f,'rne')
            rmx='none' if op in ('fcvt.d.w','fcvt.d.wu') else 'rne'
            out.append(f"    FCVT_F {op}, {h(src)}, {rmx}, {h(res(r,f))}, {fl}")
    for rm in RMS:
        if f=='s':
            r,fl=cvt_from_int(16777217,f,rm); out.append(f"    FCVT_F fcvt.{f}.w, 16777217, {rm}, {h(res(r,f))}, {fl}")
        r,fl=cvt_from_int(-0x7fffffffffffffff,f,rm); out.append(f"    FCVT_F fcvt.{f}.l, {h(-0x7fffffffffffffff & M64)}, {rm}, {h(res(r,f))}, {fl}")
    return out
def gen_sd():
    out=[]; cs=C('s'); cd=C('d')
    for a in ['one','eps','pinf','ninf','qnan','snan','qnanp','nz','minsub','maxf']:
        r,fl=cvt_fmt(cs[a],'s','d','rne'); out.append(f"    FCVT_FF fcvt.d.s, S, {h(cs[a])}, none, {h(r)}, {fl}")
    for a in ['one','onep','eps','pinf','qnan','snan','qnanp','nz','minsub','maxf','minnorm','big']:
        for rm in (RMS if a in ('onep',) else ['rne']):
            r,fl=cvt_fmt(cd[a],'d','s',rm); out.append(f"    FCVT_FF fcvt.s.d, D, {h(cd[a])}, {rm}, {h(sx32(r))}, {fl}")
    x=fbits(3.4028235677973366e38,'d')  # just above max float: rounds to max or inf
    for rm in RMS:
        r,fl=cvt_fmt(x,'d','s',rm); out.append(f"    FCVT_FF fcvt.s.d, D, {h(x)}, {rm}, {h(sx32(r))}, {fl}")
    return out

if __name__ != '__main__':
    raise ImportError('run as a script')
fmt = sys.argv[1]
mv_to = 'fmv.w.x' if fmt=='s' else 'fmv.d.x'
mv_from = 'fmv.x.w' if fmt=='s' else 'fmv.x.d'
name = 'rv64f' if fmt=='s' else 'rv64d'
desc = {'s':'RV64F (single precision)','d':'RV64D (double precision)'}[fmt]
print(f'''// {desc}: every arithmetic, fused, min/max, sign-injection, compare, classify and
// integer-conversion instruction, each checked for its result bits and the exact fflags it
// raises.  Rounding: all five static modes on cases that tell them apart.  NaNs: canonical
// NaN results, signalling inputs raising NV, fmin/fmax with one NaN returning the other
// operand and -0 < +0, feq quiet vs flt/fle signalling.  Conversions: saturation on
// overflow and NaN, NX on inexact, results of .w/.wu sign-extended.  Subnormals and
// underflow (tininess after rounding).  Expected values come from an exact rational model of
// IEEE 754-2008 as RISC-V specifies it.
#include "common/test.h"

/* Each check: load operand bits, clear fflags, run, record the result bits (as {mv_from}
 * returns them) and fflags. */
.macro FOP2 op, a, b, rm, exp, flags
    li t1, \\a
    {mv_to} f1, t1
    li t2, \\b
    {mv_to} f2, t2
    csrw fflags, zero
    \\op f3, f1, f2, \\rm
    {mv_from} t0, f3
    frflags t3
    EXPECT "\\op \\a \\b \\rm", t0, \\exp
    EXPECT "\\op \\a \\b \\rm flags", t3, \\flags
.endm

.macro FOP2N op, a, b, exp, flags
    li t1, \\a
    {mv_to} f1, t1
    li t2, \\b
    {mv_to} f2, t2
    csrw fflags, zero
    \\op f3, f1, f2
    {mv_from} t0, f3
    frflags t3
    EXPECT "\\op \\a \\b", t0, \\exp
    EXPECT "\\op \\a \\b flags", t3, \\flags
.endm

.macro FOP1 op, a, rm, exp, flags
    li t1, \\a
    {mv_to} f1, t1
    csrw fflags, zero
    \\op f3, f1, \\rm
    {mv_from} t0, f3
    frflags t3
    EXPECT "\\op \\a \\rm", t0, \\exp
    EXPECT "\\op \\a \\rm flags", t3, \\flags
.endm

.macro FOP3 op, a, b, c, rm, exp, flags
    li t1, \\a
    {mv_to} f1, t1
    li t2, \\b
    {mv_to} f2, t2
    li t1, \\c
    {mv_to} f4, t1
    csrw fflags, zero
    \\op f3, f1, f2, f4, \\rm
    {mv_from} t0, f3
    frflags t3
    EXPECT "\\op \\a \\b \\c \\rm", t0, \\exp
    EXPECT "\\op \\a \\b \\c \\rm flags", t3, \\flags
.endm

.macro FCMP op, a, b, exp, flags
    li t1, \\a
    {mv_to} f1, t1
    li t2, \\b
    {mv_to} f2, t2
    csrw fflags, zero
    \\op t0, f1, f2
    frflags t3
    EXPECT "\\op \\a \\b", t0, \\exp
    EXPECT "\\op \\a \\b flags", t3, \\flags
.endm

.macro FCLASS op, a, exp
    li t1, \\a
    {mv_to} f1, t1
    csrw fflags, zero
    \\op t0, f1
    frflags t3
    EXPECT "\\op \\a", t0, \\exp
    EXPECT "\\op \\a flags", t3, 0
.endm

.macro FCVT_I op, a, rm, exp, flags
    li t1, \\a
    {mv_to} f1, t1
    csrw fflags, zero
    \\op t0, f1, \\rm
    frflags t3
    EXPECT "\\op \\a \\rm", t0, \\exp
    EXPECT "\\op \\a \\rm flags", t3, \\flags
.endm

.macro FCVT_F op, a, rm, exp, flags
    li t1, \\a
    csrw fflags, zero
    .ifc \\rm, none
    \\op f3, t1
    .else
    \\op f3, t1, \\rm
    .endif
    {mv_from} t0, f3
    frflags t3
    EXPECT "\\op \\a \\rm", t0, \\exp
    EXPECT "\\op \\a \\rm flags", t3, \\flags
.endm

/* fcvt between formats: the source is single (S) or double (D). */
.macro FCVT_FF op, srcfmt, a, rm, exp, flags
    li t1, \\a
    .ifc \\srcfmt, S
    fmv.w.x f1, t1
    .else
    fmv.d.x f1, t1
    .endif
    csrw fflags, zero
    .ifc \\rm, none
    \\op f3, f1
    .else
    \\op f3, f1, \\rm
    .endif
    .ifc \\srcfmt, S
    fmv.x.d t0, f3
    .else
    fmv.x.w t0, f3
    .endif
    frflags t3
    EXPECT "\\op \\a \\rm", t0, \\exp
    EXPECT "\\op \\a \\rm flags", t3, \\flags
.endm

TEST_BEGIN {name}
    csrw fcsr, zero''')
print('\n'.join(gen(fmt)))
if fmt=='d':
    print('    /* conversions between the formats */')
    print('\n'.join(gen_sd()))
print('TEST_END')
