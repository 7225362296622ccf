# Exact IEEE 754 model (binary32/binary64, RISC-V NaN and tininess rules) used by genfp.py.
# Minimal exact IEEE-754 model for generating expected values (binary32/binary64).
from fractions import Fraction as F
from math import isqrt
FMT={'s':(8,23),'d':(11,52)}
NX,UF,OF,DZ,NV=1,2,4,8,16
def params(f):
    e,m=FMT[f]; bias=(1<<(e-1))-1; return e,m,bias
def canon(f): return 0x7fc00000 if f=='s' else 0x7ff8000000000000
def dec(b,f):
    e,m,bias=params(f); s=b>>(e+m); ex=(b>>m)&((1<<e)-1); fr=b&((1<<m)-1)
    if ex==(1<<e)-1:
        if fr==0: return ('inf',s)
        return ('snan' if not (fr>>(m-1))&1 else 'qnan',s)
    if ex==0: v=F(fr,1)*F(2)**(1-bias-m)
    else: v=F(fr+(1<<m),1)*F(2)**(ex-bias-m)
    return ('num',s,v)
def enc_inf(s,f):
    e,m,bias=params(f); return (s<<(e+m))|(((1<<e)-1)<<m)
def enc_max(s,f):
    e,m,bias=params(f); return (s<<(e+m))|(((1<<e)-2)<<m)|((1<<m)-1)
def rnd_int(n,rm,s):
    # n positive Fraction -> integer per rounding mode, sign s of the value
    fl=n.numerator//n.denominator; rem=n-fl
    if rem==0: return fl
    if rm=='rne':
        if rem>F(1,2) or (rem==F(1,2) and fl%2==1): return fl+1
        return fl
    if rm=='rmm': return fl+1 if rem>=F(1,2) else fl
    if rm=='rtz': return fl
    if rm=='rdn': return fl+1 if s else fl
    if rm=='rup': return fl if s else fl+1
def flog2(a):
    E=a.numerator.bit_length()-a.denominator.bit_length()
    while F(2)**E>a: E-=1
    while F(2)**(E+1)<=a: E+=1
    return E
def rnd(x,f,rm,zsign=0):
    """x exact Fraction; returns (bits, flags)"""
    e,m,bias=params(f); emin=1-bias; emax=bias
    if x==0: return (zsign<<(e+m)),0
    s=1 if x<0 else 0; a=abs(x)
    E=flog2(a)
    # tininess after rounding (unbounded exponent)
    q=F(2)**(E-m); N=rnd_int(a/q,rm,s); r_unb=N*q
    tiny = r_unb < F(2)**emin
    Eq=max(E,emin); q=F(2)**(Eq-m); N=rnd_int(a/q,rm,s); r=N*q
    inexact = r!=a
    flags=NX if inexact else 0
    if r>= F(2)**(emax+1):
        flags|=OF|NX
        if rm=='rne' or rm=='rmm' or (rm=='rup' and not s) or (rm=='rdn' and s): return enc_inf(s,f),flags
        return enc_max(s,f),flags
    if tiny and inexact: flags|=UF
    if r==0: return (s<<(e+m)),flags
    if r < F(2)**emin:
        fr=int(r/F(2)**(emin-m)); return (s<<(e+m))|fr,flags
    E2=flog2(r); fr=int(r/F(2)**(E2-m))-(1<<m)
    return (s<<(e+m))|((E2+bias)<<m)|fr,flags
def nanin(vals):
    nv=any(v[0]=='snan' for v in vals); isn=any(v[0] in('snan','qnan') for v in vals)
    return isn,nv
def val(d):
    return d[2]*(-1 if d[1] else 1)
def add(a,b,f,rm,sub=False):
    A,B=dec(a,f),dec(b,f)
    if sub: B=(B[0],1-B[1])+B[2:]
    isn,nv=nanin([A,B])
    if isn: return canon(f),NV if nv else 0
    if A[0]=='inf' or B[0]=='inf':
        if A[0]=='inf' and B[0]=='inf' and A[1]!=B[1]: return canon(f),NV
        s=A[1] if A[0]=='inf' else B[1]; return enc_inf(s,f),0
    x=val(A)+val(B)
    if x==0:
        if A[2]==0 and B[2]==0 and A[1]==B[1]: zs=A[1]
        else: zs=1 if rm=='rdn' else 0
        return rnd(x,f,rm,zs)
    return rnd(x,f,rm)
def mul(a,b,f,rm):
    A,B=dec(a,f),dec(b,f); isn,nv=nanin([A,B])
    if isn: return canon(f),NV if nv else 0
    s=A[1]^B[1]
    if A[0]=='inf' or B[0]=='inf':
        if (A[0]=='num' and A[2]==0) or (B[0]=='num' and B[2]==0): return canon(f),NV
        return enc_inf(s,f),0
    return rnd(val(A)*val(B),f,rm,s)
def div(a,b,f,rm):
    A,B=dec(a,f),dec(b,f); isn,nv=nanin([A,B])
    if isn: return canon(f),NV if nv else 0
    s=A[1]^B[1]
    if A[0]=='inf':
        if B[0]=='inf': return canon(f),NV
        return enc_inf(s,f),0
    if B[0]=='inf': return (s<<(sum(FMT[f]))),0
    if B[2]==0:
        if A[2]==0: return canon(f),NV
        return enc_inf(s,f),DZ
    return rnd(val(A)/val(B),f,rm,s)
def sqrt(a,f,rm):
    A=dec(a,f)
    if A[0] in('snan','qnan'): return canon(f),NV if A[0]=='snan' else 0
    if A[0]=='inf': return (canon(f),NV) if A[1] else (enc_inf(0,f),0)
    if A[2]==0: return (A[1]<<sum(FMT[f])),0
    if A[1]: return canon(f),NV
    K=1300; t=A[2]*F(4)**K; n=t.numerator//t.denominator; r=isqrt(n)
    exact = r*r==n and t.denominator==1
    v=F(r,2**K) if exact else F(2*r+1,2**(K+1))
    return rnd(v,f,rm)
def fma(a,b,c,f,rm,negp=False,negc=False):
    A,B,C=dec(a,f),dec(b,f),dec(c,f)
    if negp: A=(A[0],1-A[1])+A[2:]
    if negc: C=(C[0],1-C[1])+C[2:]
    isn,nv=nanin([A,B,C])
    inf_zero=(A[0]=='inf' and B[0]=='num' and B[2]==0) or (B[0]=='inf' and A[0]=='num' and A[2]==0)
    if inf_zero: return canon(f),NV
    if isn: return canon(f),NV if nv else 0
    ps=A[1]^B[1]
    if A[0]=='inf' or B[0]=='inf':
        if C[0]=='inf' and C[1]!=ps: return canon(f),NV
        return enc_inf(ps,f),0
    if C[0]=='inf': return enc_inf(C[1],f),0
    p=val(A)*val(B); x=p+val(C)
    if x==0:
        if p==0 and C[2]==0 and ps==C[1]: zs=ps
        else: zs=1 if rm=='rdn' else 0
        return rnd(x,f,rm,zs)
    return rnd(x,f,rm)
def minmax(a,b,f,ismax):
    A,B=dec(a,f),dec(b,f); nv=any(v[0]=='snan' for v in(A,B))
    fl=NV if nv else 0
    an=A[0] in('snan','qnan'); bn=B[0] in('snan','qnan')
    if an and bn: return canon(f),fl
    if an: return b,fl
    if bn: return a,fl
    def key(D,bits):
        if D[0]=='inf': return (F(10)**400*(-1 if D[1] else 1), 0)
        return (val(D), -1 if D[1] else 0)  # -0 < +0
    ka,kb=key(A,a),key(B,b)
    if ismax: return (a if ka>=kb else b),fl
    return (a if ka<=kb else b),fl
def cmp(a,b,f,op):
    A,B=dec(a,f),dec(b,f)
    an=A[0] in('snan','qnan'); bn=B[0] in('snan','qnan')
    if an or bn:
        if op=='eq': return 0,NV if (A[0]=='snan' or B[0]=='snan') else 0
        return 0,NV
    def v(D): return F(10)**400*(-1 if D[1] else 1) if D[0]=='inf' else val(D)
    x,y=v(A),v(B)
    return int({'eq':x==y,'lt':x<y,'le':x<=y}[op]),0
def fclass(a,f):
    A=dec(a,f); e,m,bias=params(f)
    if A[0]=='inf': return 1 if A[1] else 1<<7
    if A[0]=='snan': return 1<<8
    if A[0]=='qnan': return 1<<9
    v=A[2]; s=A[1]
    if v==0: return 1<<3 if s else 1<<4
    sub = v < F(2)**(1-bias)
    if s: return 1<<2 if sub else 1<<1
    return 1<<5 if sub else 1<<6
def cvt_to_int(a,f,rm,bits,signed):
    A=dec(a,f)
    lo,hi=(-(1<<(bits-1)),(1<<(bits-1))-1) if signed else (0,(1<<bits)-1)
    if A[0] in('snan','qnan'): return hi,NV
    if A[0]=='inf': return (lo if A[1] else hi),NV
    x=val(A); s=1 if x<0 else 0
    n=rnd_int(abs(x),rm,s)*(-1 if s else 1)
    if n<lo or n>hi: return (lo if x<0 else hi),NV
    return n,(NX if n!=x else 0)
def cvt_from_int(n,f,rm): return rnd(F(n),f,rm)
def cvt_fmt(a,ff,tf,rm):
    A=dec(a,ff)
    if A[0] in ('snan','qnan'): return canon(tf),NV if A[0]=='snan' else 0
    if A[0]=='inf': return enc_inf(A[1],tf),0
    return rnd(val(A),tf,rm,A[1])
