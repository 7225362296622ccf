#!/usr/bin/env python3
"""Writes the assembly tests/disasm.sh feeds to objdump and to visor's disassembler:
  1. every RV64GC instruction form, in the assembler's own syntax, with varied operands
     (boundary values first, then random ones);
  2. random encodings of every row of src/cpu/insn.def (its match bits, other bits random),
     emitted as .insn so they reach objdump as instructions even where no mnemonic spells them.
Usage: gen.py INSN_DEF [SEED] > file.S   (deterministic for a given seed)."""
import random
import re
import sys

X = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
     "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
     "t3", "t4", "t5", "t6"]
F = ["ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
     "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
     "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"]
CSRS = [0x001, 0x002, 0x003, 0x000, 0x100, 0x105, 0x10a, 0x14d, 0x180, 0x300, 0x301, 0x30a,
        0x310, 0x320, 0x323, 0x33f, 0x344, 0x3a0, 0x3af, 0x3b0, 0x3ef, 0x3f0, 0x5a8, 0x600,
        0x680, 0x7a0, 0x7b0, 0x7c0, 0xb00, 0xb03, 0xb1f, 0xb83, 0xc00, 0xc01, 0xc03, 0xc1f,
        0xc80, 0xc9f, 0xda0, 0xf11, 0xf15, 0xfff]
FENCE = ["i", "o", "r", "w", "io", "rw", "ir", "ow", "iorw", "ior", "orw", "iw"]
ORDER = ["", ".aq", ".rl", ".aqrl"]
RM = ["", ",rne", ",rtz", ",rdn", ",rup", ",rmm", ",dyn"]


def scaled(lo, hi, step, nonzero=False):
    """Multiples of step in [lo, hi]: the ends, then anything."""
    def pick(rng, k):
        if k < 2:
            v = lo if k == 0 else hi
        else:
            v = rng.randrange(lo // step, hi // step + 1) * step
        if nonzero and v == 0:
            v = step
        return str(v)
    return pick


def choice(values, first=()):
    def pick(rng, k):
        return str(first[k]) if k < len(first) else str(rng.choice(values))
    return pick


def hexval(lo, hi, first=()):
    def pick(rng, k):
        return hex(first[k] if k < len(first) else rng.randint(lo, hi))
    return pick


def target(lo, hi):
    """A pc-relative target the assembler resolves itself (no relaxation)."""
    def pick(rng, k):
        v = [lo, hi, 0][k] if k < 3 else rng.randrange(lo // 2, hi // 2 + 1) * 2
        return ".%+d" % v
    return pick


KINDS = {
    "x": choice(X, ["zero", "ra", "sp", "t6", "s0", "a0"]),
    "xn": choice(X[1:], ["ra", "sp", "t6"]),          # rd != zero
    "xj": choice(X[1:], ["ra", "t6"]),                # c.jr/c.jalr rs1 != zero
    "xl": choice([r for r in X if r not in ("zero", "sp")], ["ra", "t6"]),  # c.lui rd
    "xc": choice(X[8:16], ["s0", "a5"]),               # x8..x15
    "f": choice(F, ["ft0", "ft11", "fa0"]),
    "fc": choice(F[8:16], ["fs0", "fa5"]),
    "i12": scaled(-2048, 2047, 1),
    "u20": hexval(0, 0xfffff, [0, 0xfffff, 0x80000, 1]),
    "sh6": hexval(0, 63, [0, 63, 32, 1]),
    "sh5": hexval(0, 31, [0, 31, 1]),
    "csr": choice(CSRS, CSRS),
    "z5": scaled(0, 31, 1),
    "rm": choice(RM, RM),
    "aq": choice(ORDER, ORDER),
    "fence": choice(FENCE, ["iorw", "rw", "i", "w"]),
    "B": target(-4096, 4094),
    "J": target(-(1 << 20), (1 << 20) - 2),
    "CB": target(-256, 254),
    "CJ": target(-2048, 2046),
    "ci6": scaled(-32, 31, 1),
    "cnzi6": scaled(-32, 31, 1, nonzero=True),
    "cnzsh": hexval(1, 63, [1, 63, 32]),
    "clui": choice([hex(v) for v in list(range(1, 32)) + list(range(0xfffe0, 0x100000))],
                   ["0x1", "0x1f", "0xfffe0", "0xfffff"]),
    "c4spn": scaled(4, 1020, 4),
    "c16sp": scaled(-512, 496, 16, nonzero=True),
    "cw": scaled(0, 124, 4),
    "cd": scaled(0, 248, 8),
    "cwsp": scaled(0, 252, 4),
    "cdsp": scaled(0, 504, 8),
}

# Instruction forms: mnemonic and operands with {kind} placeholders.
FORMS_32 = """
lui {x},{u20}
auipc {x},{u20}
jal {x},{J}
jalr {x},{i12}({x})
beq {x},{x},{B}
bne {x},{x},{B}
blt {x},{x},{B}
bge {x},{x},{B}
bltu {x},{x},{B}
bgeu {x},{x},{B}
lb {x},{i12}({x})
lh {x},{i12}({x})
lw {x},{i12}({x})
ld {x},{i12}({x})
lbu {x},{i12}({x})
lhu {x},{i12}({x})
lwu {x},{i12}({x})
sb {x},{i12}({x})
sh {x},{i12}({x})
sw {x},{i12}({x})
sd {x},{i12}({x})
addi {x},{x},{i12}
slti {x},{x},{i12}
sltiu {x},{x},{i12}
xori {x},{x},{i12}
ori {x},{x},{i12}
andi {x},{x},{i12}
slli {x},{x},{sh6}
srli {x},{x},{sh6}
srai {x},{x},{sh6}
add {x},{x},{x}
sub {x},{x},{x}
sll {x},{x},{x}
slt {x},{x},{x}
sltu {x},{x},{x}
xor {x},{x},{x}
srl {x},{x},{x}
sra {x},{x},{x}
or {x},{x},{x}
and {x},{x},{x}
fence {fence},{fence}
fence
fence.tso
fence.i
ecall
ebreak
unimp
addiw {x},{x},{i12}
slliw {x},{x},{sh5}
srliw {x},{x},{sh5}
sraiw {x},{x},{sh5}
addw {x},{x},{x}
subw {x},{x},{x}
sllw {x},{x},{x}
srlw {x},{x},{x}
sraw {x},{x},{x}
mret
sret
wfi
sfence.vma {x},{x}
csrrw {x},{csr},{x}
csrrs {x},{csr},{x}
csrrc {x},{csr},{x}
csrrwi {x},{csr},{z5}
csrrsi {x},{csr},{z5}
csrrci {x},{csr},{z5}
mul {x},{x},{x}
mulh {x},{x},{x}
mulhsu {x},{x},{x}
mulhu {x},{x},{x}
div {x},{x},{x}
divu {x},{x},{x}
rem {x},{x},{x}
remu {x},{x},{x}
mulw {x},{x},{x}
divw {x},{x},{x}
divuw {x},{x},{x}
remw {x},{x},{x}
remuw {x},{x},{x}
flw {f},{i12}({x})
fsw {f},{i12}({x})
fld {f},{i12}({x})
fsd {f},{i12}({x})
fsgnj.s {f},{f},{f}
fsgnjn.s {f},{f},{f}
fsgnjx.s {f},{f},{f}
fmin.s {f},{f},{f}
fmax.s {f},{f},{f}
fsgnj.d {f},{f},{f}
fsgnjn.d {f},{f},{f}
fsgnjx.d {f},{f},{f}
fmin.d {f},{f},{f}
fmax.d {f},{f},{f}
fmv.x.w {x},{f}
fmv.w.x {f},{x}
fmv.x.d {x},{f}
fmv.d.x {f},{x}
feq.s {x},{f},{f}
flt.s {x},{f},{f}
fle.s {x},{f},{f}
feq.d {x},{f},{f}
flt.d {x},{f},{f}
fle.d {x},{f},{f}
fclass.s {x},{f}
fclass.d {x},{f}
fcvt.d.s {f},{f}
fcvt.d.w {f},{x}
fcvt.d.wu {f},{x}
"""
for w in ("w", "d"):
    FORMS_32 += "lr.%s{aq} {x},({x})\n" % w
    for amo in ("sc", "amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax",
                "amominu", "amomaxu"):
        FORMS_32 += "%s.%s{aq} {x},{x},({x})\n" % (amo, w)
for p in ("s", "d"):
    for op in ("fmadd", "fmsub", "fnmsub", "fnmadd"):
        FORMS_32 += "%s.%s {f},{f},{f},{f}{rm}\n" % (op, p)
    for op in ("fadd", "fsub", "fmul", "fdiv"):
        FORMS_32 += "%s.%s {f},{f},{f}{rm}\n" % (op, p)
    FORMS_32 += "fsqrt.%s {f},{f}{rm}\n" % p
    for i in ("w", "wu", "l", "lu"):
        FORMS_32 += "fcvt.%s.%s {x},{f}{rm}\n" % (i, p)
        if not (p == "d" and i in ("w", "wu")):
            FORMS_32 += "fcvt.%s.%s {f},{x}{rm}\n" % (p, i)
FORMS_32 += "fcvt.s.d {f},{f}{rm}\n"

FORMS_16 = """
c.addi4spn {xc},sp,{c4spn}
c.fld {fc},{cd}({xc})
c.lw {xc},{cw}({xc})
c.ld {xc},{cd}({xc})
c.fsd {fc},{cd}({xc})
c.sw {xc},{cw}({xc})
c.sd {xc},{cd}({xc})
c.nop
c.addi {xn},{cnzi6}
c.addiw {xn},{ci6}
c.li {xn},{ci6}
c.addi16sp sp,{c16sp}
c.lui {xl},{clui}
c.srli {xc},{cnzsh}
c.srai {xc},{cnzsh}
c.andi {xc},{ci6}
c.sub {xc},{xc}
c.xor {xc},{xc}
c.or {xc},{xc}
c.and {xc},{xc}
c.subw {xc},{xc}
c.addw {xc},{xc}
c.j {CJ}
c.beqz {xc},{CB}
c.bnez {xc},{CB}
c.slli {xn},{cnzsh}
c.fldsp {f},{cdsp}(sp)
c.lwsp {xn},{cwsp}(sp)
c.ldsp {xn},{cdsp}(sp)
c.jr {xj}
c.mv {xn},{xn}
c.ebreak
c.jalr {xj}
c.add {xn},{xn}
c.fsdsp {f},{cdsp}(sp)
c.swsp {x},{cwsp}(sp)
c.sdsp {x},{cdsp}(sp)
c.unimp
"""

VARIANTS = 8    # instances of each form
RANDOM = 24     # random encodings of each insn.def row


def instances(rng, form):
    kinds = re.findall(r"\{(\w+)\}", form)
    if not kinds:
        return [form]
    out = []
    for k in range(VARIANTS):
        # The first instances take boundary values, rotated by operand position so that
        # "add {x},{x},{x}" does not always repeat one register; later ones are random.
        pos = iter(range(len(kinds)))
        out.append(re.sub(r"\{(\w+)\}",
                          lambda m: KINDS[m.group(1)](rng, k + next(pos) if k < 4 else 99), form))
    return out


def main():
    insn_def = sys.argv[1]
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    print("# generated by tests/disasm/gen.py: do not edit")
    print("\t.option norelax")
    print("\t.text")
    print("\t.option norvc")
    for form in FORMS_32.strip().splitlines():
        for line in instances(rng, form):
            print("\t" + line)
    print("\t.option rvc")
    for form in FORMS_16.strip().splitlines():
        for line in instances(rng, form):
            print("\t" + line)
    row = re.compile(r"^([IC])\((\w+), (0x[0-9a-f]+), (0x[0-9a-f]+)")
    for text in open(insn_def):
        m = row.match(text)
        if not m:
            continue
        bits = 32 if m.group(1) == "I" else 16
        mask, match = int(m.group(3), 16), int(m.group(4), 16)
        print("# %s" % m.group(2))
        for _ in range(RANDOM):
            word = (rng.getrandbits(bits) & ~mask | match) & ((1 << bits) - 1)
            print("\t.insn %d, 0x%x" % (bits // 8, word))


main()
