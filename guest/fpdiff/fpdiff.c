/* fpdiff: a differential test of visor's two engines on the F and D extensions. It writes
 * random F/D instructions into a code buffer -- every opcode, random registers (aliases
 * included), every rounding-mode field (the reserved ones too), under every frm and every
 * mstatus.FS -- runs them on operands drawn from the hard cases (NaNs of both kinds and signs,
 * infinities, subnormals, signed zeros, conversion limits, improperly NaN-boxed singles) and
 * random bits, and folds results, fflags, FS and illegal-instruction traps into one checksum
 * per opcode. The program checks nothing itself: guest/fpdiff/check.sh runs it under
 * -accel interp and -accel jit and the two outputs must be identical.
 * Also runs on QEMU (its soft-float follows the same spec), which makes a third opinion. */
#include <stdbool.h>
#include <stdint.h>

#include "../lib/console.h"

#define FINISHER ((volatile uint32_t *)0x100000ul)
#ifndef SINGLE_RUNS
#define SINGLE_RUNS 1000 /* per opcode */
#endif
#ifndef SEQ_RUNS
#define SEQ_RUNS 20000 /* blocks of several random instructions */
#endif
#ifndef SEED
#define SEED 0x2545f4914f6cdd1dull
#endif

void main(void);
void on_trap(void);

/* ---- the generated code's buffer, alone in its page (writing it invalidates only itself) */
static uint32_t code[1024] __attribute__((aligned(4096)));
/* The generated code's registers: f0-f3, then x11 (a1, which the translator keeps in a host
 * register) and x6 (t1, which it keeps in memory). a0 points here. */
static uint64_t io[6];
static uint64_t mem_buf[8] __attribute__((aligned(64)));
unsigned long illegal_traps; /* counted by the trap vector (start.S) */

/* ---- pseudo-random numbers: xorshift64* ---- */
static uint64_t rng = SEED;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static unsigned pick(unsigned n)
{
    return (unsigned)((rnd() >> 33) % n);
}

/* ---- operands ---- */
static const uint32_t s_special[] = {
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000,
    0x80800000, 0x3f800000, 0xbf800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7fc12345, 0x7f800001, 0xff812345, 0x7fbfffff, 0x3f000000,
    0xbf000000, 0x3fc00000, 0xbfc00000, 0x40200000, 0xc0200000, 0x4f000000, 0xcf000000,
    0x4effffff, 0xcf000001, 0x4f800000, 0x4f7fffff, 0x5f000000, 0xdf000000, 0x5effffff,
    0x5f800000, 0x5f7fffff, 0x33800000, 0x34000000, 0x0c000000, 0x7e800000, 0x00000003,
    0x3effffff, 0xbe99999a, 0x3f7fffff, 0x00400000, 0x80400000,
};
static const uint64_t d_special[] = {
    0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x8000000000000001,
    0x000fffffffffffff, 0x800fffffffffffff, 0x0010000000000000, 0x8010000000000000,
    0x3ff0000000000000, 0xbff0000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000,
    0x7ff8000000012345, 0x7ff0000000000001, 0xfff0000000012345, 0x7ff7ffffffffffff,
    0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000, 0xbff8000000000000,
    0x4004000000000000, 0xc004000000000000, 0x41e0000000000000, 0xc1e0000000000000,
    0x41dfffffffc00000, 0x41dfffffffe00000, 0xc1e0000000100000, 0xc1e0000000200000,
    0x41efffffffe00000, 0x41effffffff00000, 0x41f0000000000000, 0x43e0000000000000,
    0xc3e0000000000000, 0x43dfffffffffffff, 0xc3e0000000000001, 0x43f0000000000000,
    0x43efffffffffffff, 0xbfd3333333333333, 0x3fe6666666666666, 0x3ff0000000000001,
    0x3ca0000000000000, 0x7e37e43c8800759c, 0x01a56e1fc2f8f359, 0x4008000000000000,
    0x0008000000000000, 0x8008000000000000, 0x36a0000000000000, 0x47efffffe0000000,
    0x3810000000000000, 0x380fffffffffffff, 0x3feffffffffffffe,
};
static const uint64_t x_special[] = {
    0, 1, 0xffffffffffffffff, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0xffffffff,
    0x8000000000000000, 0x7fffffffffffffff, 0x20000000000001, 0x1000001, 0x8000000000000001,
    0xfffffffffffff800, 0xffffffffffffff00, 0x100000000, 0xfffffffffffffffe, 3, 0xfffffffd,
};

static uint64_t gen_d(void)
{
    switch (pick(8)) {
    case 0: case 1: case 2:
        return d_special[pick(sizeof(d_special) / 8)];
    case 3:
        return rnd();
    default: {
        /* moderate magnitudes, often with short significands (exact results) */
        uint64_t sig = rnd() & 0xfffffffffffffull;
        if (pick(2))
            sig &= 0xff00000000000ull;
        uint64_t exp = 1023 - 70 + pick(140);
        return (rnd() & 1ull << 63) | exp << 52 | sig;
    }
    }
}

static uint32_t gen_s_bits(void)
{
    switch (pick(8)) {
    case 0: case 1: case 2:
        return s_special[pick(sizeof(s_special) / 4)];
    case 3:
        return (uint32_t)rnd();
    default: {
        uint32_t sig = (uint32_t)rnd() & 0x7fffff;
        if (pick(2))
            sig &= 0x7f0000;
        uint32_t exp = 127 - 40 + pick(80);
        return ((uint32_t)rnd() & 0x80000000u) | exp << 23 | sig;
    }
    }
}

/* A single in an f register: NaN-boxed, except now and then (then it reads as the canonical
 * NaN). */
static uint64_t gen_s(void)
{
    uint64_t v = gen_s_bits();
    switch (pick(24)) {
    case 0: return v;
    case 1: return v | (rnd() << 32);
    default: return v | 0xffffffff00000000ull;
    }
}

static uint64_t gen_x(void)
{
    switch (pick(6)) {
    case 0: case 1:
        return x_special[pick(sizeof(x_special) / 8)];
    case 2:
        return rnd();
    case 3:
        return (uint64_t)(int64_t)(int32_t)rnd() >> pick(40);
    default:
        /* a double's bits for one of the integer-looking ones, as an integer */
        return (uint64_t)(int64_t)(int32_t)(uint32_t)rnd() >> pick(20);
    }
}

/* ---- instruction forms ---- */
enum reg { R_NONE, R_F, R_X }; /* what a field names */
enum fmt { S, D, X };          /* how to make the value it reads */
struct form {
    const char *name;
    uint32_t base;     /* the fixed bits */
    uint8_t rd, rs1, rs2, rs3; /* enum reg (rs2 R_NONE: fixed in base) */
    uint8_t in1, in2, in3;     /* enum fmt of the operands */
    uint8_t has_rm;            /* funct3 is a rounding mode, else fixed in base */
};

/* OP-FP with funct7, a fixed rs2 field and funct3; the R4 (fused multiply-add) opcodes */
#define OPFP(f7, rs2, f3)                                                                      \
    ((uint32_t)(f7) << 25 | (uint32_t)(rs2) << 20 | (uint32_t)(f3) << 12 | 0x53)
#define R4(opc, fmt2) ((uint32_t)(fmt2) << 25 | (opc))
#define RM 1

static const struct form forms[] = {
    {"fadd.s", OPFP(0x00, 0, 0), R_F, R_F, R_F, 0, S, S, 0, RM},
    {"fsub.s", OPFP(0x04, 0, 0), R_F, R_F, R_F, 0, S, S, 0, RM},
    {"fmul.s", OPFP(0x08, 0, 0), R_F, R_F, R_F, 0, S, S, 0, RM},
    {"fdiv.s", OPFP(0x0c, 0, 0), R_F, R_F, R_F, 0, S, S, 0, RM},
    {"fsqrt.s", OPFP(0x2c, 0, 0), R_F, R_F, 0, 0, S, 0, 0, RM},
    {"fmadd.s", R4(0x43, 0), R_F, R_F, R_F, R_F, S, S, S, RM},
    {"fmsub.s", R4(0x47, 0), R_F, R_F, R_F, R_F, S, S, S, RM},
    {"fnmsub.s", R4(0x4b, 0), R_F, R_F, R_F, R_F, S, S, S, RM},
    {"fnmadd.s", R4(0x4f, 0), R_F, R_F, R_F, R_F, S, S, S, RM},
    {"fsgnj.s", OPFP(0x10, 0, 0), R_F, R_F, R_F, 0, S, S, 0, 0},
    {"fsgnjn.s", OPFP(0x10, 0, 1), R_F, R_F, R_F, 0, S, S, 0, 0},
    {"fsgnjx.s", OPFP(0x10, 0, 2), R_F, R_F, R_F, 0, S, S, 0, 0},
    {"fmin.s", OPFP(0x14, 0, 0), R_F, R_F, R_F, 0, S, S, 0, 0},
    {"fmax.s", OPFP(0x14, 0, 1), R_F, R_F, R_F, 0, S, S, 0, 0},
    {"feq.s", OPFP(0x50, 0, 2), R_X, R_F, R_F, 0, S, S, 0, 0},
    {"flt.s", OPFP(0x50, 0, 1), R_X, R_F, R_F, 0, S, S, 0, 0},
    {"fle.s", OPFP(0x50, 0, 0), R_X, R_F, R_F, 0, S, S, 0, 0},
    {"fclass.s", OPFP(0x70, 0, 1), R_X, R_F, 0, 0, S, 0, 0, 0},
    {"fmv.x.w", OPFP(0x70, 0, 0), R_X, R_F, 0, 0, S, 0, 0, 0},
    {"fmv.w.x", OPFP(0x78, 0, 0), R_F, R_X, 0, 0, X, 0, 0, 0},
    {"fcvt.w.s", OPFP(0x60, 0, 0), R_X, R_F, 0, 0, S, 0, 0, RM},
    {"fcvt.wu.s", OPFP(0x60, 1, 0), R_X, R_F, 0, 0, S, 0, 0, RM},
    {"fcvt.l.s", OPFP(0x60, 2, 0), R_X, R_F, 0, 0, S, 0, 0, RM},
    {"fcvt.lu.s", OPFP(0x60, 3, 0), R_X, R_F, 0, 0, S, 0, 0, RM},
    {"fcvt.s.w", OPFP(0x68, 0, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fcvt.s.wu", OPFP(0x68, 1, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fcvt.s.l", OPFP(0x68, 2, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fcvt.s.lu", OPFP(0x68, 3, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fadd.d", OPFP(0x01, 0, 0), R_F, R_F, R_F, 0, D, D, 0, RM},
    {"fsub.d", OPFP(0x05, 0, 0), R_F, R_F, R_F, 0, D, D, 0, RM},
    {"fmul.d", OPFP(0x09, 0, 0), R_F, R_F, R_F, 0, D, D, 0, RM},
    {"fdiv.d", OPFP(0x0d, 0, 0), R_F, R_F, R_F, 0, D, D, 0, RM},
    {"fsqrt.d", OPFP(0x2d, 0, 0), R_F, R_F, 0, 0, D, 0, 0, RM},
    {"fmadd.d", R4(0x43, 1), R_F, R_F, R_F, R_F, D, D, D, RM},
    {"fmsub.d", R4(0x47, 1), R_F, R_F, R_F, R_F, D, D, D, RM},
    {"fnmsub.d", R4(0x4b, 1), R_F, R_F, R_F, R_F, D, D, D, RM},
    {"fnmadd.d", R4(0x4f, 1), R_F, R_F, R_F, R_F, D, D, D, RM},
    {"fsgnj.d", OPFP(0x11, 0, 0), R_F, R_F, R_F, 0, D, D, 0, 0},
    {"fsgnjn.d", OPFP(0x11, 0, 1), R_F, R_F, R_F, 0, D, D, 0, 0},
    {"fsgnjx.d", OPFP(0x11, 0, 2), R_F, R_F, R_F, 0, D, D, 0, 0},
    {"fmin.d", OPFP(0x15, 0, 0), R_F, R_F, R_F, 0, D, D, 0, 0},
    {"fmax.d", OPFP(0x15, 0, 1), R_F, R_F, R_F, 0, D, D, 0, 0},
    {"feq.d", OPFP(0x51, 0, 2), R_X, R_F, R_F, 0, D, D, 0, 0},
    {"flt.d", OPFP(0x51, 0, 1), R_X, R_F, R_F, 0, D, D, 0, 0},
    {"fle.d", OPFP(0x51, 0, 0), R_X, R_F, R_F, 0, D, D, 0, 0},
    {"fclass.d", OPFP(0x71, 0, 1), R_X, R_F, 0, 0, D, 0, 0, 0},
    {"fmv.x.d", OPFP(0x71, 0, 0), R_X, R_F, 0, 0, D, 0, 0, 0},
    {"fmv.d.x", OPFP(0x79, 0, 0), R_F, R_X, 0, 0, X, 0, 0, 0},
    {"fcvt.w.d", OPFP(0x61, 0, 0), R_X, R_F, 0, 0, D, 0, 0, RM},
    {"fcvt.wu.d", OPFP(0x61, 1, 0), R_X, R_F, 0, 0, D, 0, 0, RM},
    {"fcvt.l.d", OPFP(0x61, 2, 0), R_X, R_F, 0, 0, D, 0, 0, RM},
    {"fcvt.lu.d", OPFP(0x61, 3, 0), R_X, R_F, 0, 0, D, 0, 0, RM},
    {"fcvt.d.w", OPFP(0x69, 0, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fcvt.d.wu", OPFP(0x69, 1, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fcvt.d.l", OPFP(0x69, 2, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fcvt.d.lu", OPFP(0x69, 3, 0), R_F, R_X, 0, 0, X, 0, 0, RM},
    {"fcvt.s.d", OPFP(0x20, 1, 0), R_F, R_F, 0, 0, D, 0, 0, RM},
    {"fcvt.d.s", OPFP(0x21, 0, 0), R_F, R_F, 0, 0, S, 0, 0, RM},
};
#define NFORMS (sizeof(forms) / sizeof(forms[0]))
/* Pseudo-forms after the real ones: loads and stores. */
enum { FORM_FLW = NFORMS, FORM_FLD, FORM_FSW, FORM_FSD, NALL };
static const char *const mem_names[] = {"flw", "fld", "fsw", "fsd"};

/* ---- encoding ---- */
#define A0 10
#define A1 11
#define T1 6

static uint32_t enc_i(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1, int32_t imm)
{
    return (uint32_t)imm << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t enc_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | opc;
}

/* x registers the generated code may name: a1, t1 and x0 (writes vanish, reads 0). */
static unsigned pick_x(void)
{
    static const uint8_t xs[] = {A1, T1, A1, T1, 0};
    return xs[pick(5)];
}

/* The rounding-mode field: mostly valid static modes and DYN, sometimes reserved (5, 6). */
static unsigned pick_rm(void)
{
    static const uint8_t rms[] = {0, 1, 2, 3, 4, 7, 7, 7, 0, 1, 7, 5, 6};
    return rms[pick(pick(8) ? 11 : 13)];
}

/* Operands for io[] (f0-f3 and the two x registers): f registers hold values of the format
 * the form reads, now and then of the other one, and often a copy or the negation of another
 * register (equal operands, signed zeros, exact cancellation). */
static void fill_io(const struct form *f)
{
    bool single = f->in1 == S;
    for (unsigned i = 0; i < 4; i++) {
        io[i] = single != !pick(8) ? gen_s() : gen_d();
        if (i && !pick(4))
            io[i] = io[pick(i)] ^ (pick(2) ? 0 : single ? 0x80000000ull : 1ull << 63);
    }
    io[4] = gen_x();
    io[5] = gen_x();
}

/* The instruction of form f with random registers and rounding mode. */
static uint32_t encode(const struct form *f)
{
    uint32_t w = f->base;
    unsigned rd = f->rd == R_X ? pick_x() : pick(4);
    unsigned rs1 = f->rs1 == R_X ? pick_x() : pick(4);
    w |= rd << 7 | rs1 << 15;
    if (f->rs2 == R_F)
        w |= (uint32_t)pick(4) << 20;
    if (f->rs3 == R_F)
        w |= (uint32_t)pick(4) << 27;
    if (f->has_rm)
        w |= (uint32_t)pick_rm() << 12;
    return w;
}

static uint32_t encode_mem(unsigned which, int32_t *off)
{
    /* a1 holds &mem_buf[0]; offsets reach every byte of it, misaligned ones included */
    *off = (int32_t)pick(pick(4) ? 8 : 57);
    if (pick(4))
        *off &= which == FORM_FLW || which == FORM_FSW ? ~3 : ~7;
    unsigned r = pick(4);
    switch (which) {
    case FORM_FLW: return enc_i(0x07, 2, r, A1, *off);
    case FORM_FLD: return enc_i(0x07, 3, r, A1, *off);
    case FORM_FSW: return enc_s(0x27, 2, A1, r, *off);
    default: return enc_s(0x27, 3, A1, r, *off);
    }
}

/* Writes: load f0-f3, a1, t1 from io; the body; store them back; return. */
static unsigned emit_prologue(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < 4; i++)
        code[n++] = enc_i(0x07, 3, i, A0, (int32_t)(8 * i)); /* fld fi, 8i(a0) */
    code[n++] = enc_i(0x03, 3, A1, A0, 32);                 /* ld a1, 32(a0) */
    code[n++] = enc_i(0x03, 3, T1, A0, 40);                 /* ld t1, 40(a0) */
    return n;
}

static void emit_epilogue(unsigned n)
{
    for (unsigned i = 0; i < 4; i++)
        code[n++] = enc_s(0x27, 3, A0, i, (int32_t)(8 * i)); /* fsd fi, 8i(a0) */
    code[n++] = enc_s(0x23, 3, A0, A1, 32);
    code[n++] = enc_s(0x23, 3, A0, T1, 40);
    code[n++] = 0x00008067; /* ret */
    __asm__ volatile("fence.i" ::: "memory");
}

/* ---- machine state around a run ---- */
static void set_fs(unsigned fs)
{
    unsigned long m = 3ul << 13;
    __asm__ volatile("csrc mstatus, %0" ::"r"(m));
    m = (unsigned long)fs << 13;
    __asm__ volatile("csrs mstatus, %0" ::"r"(m));
}

static unsigned get_fs(void)
{
    unsigned long m;
    __asm__ volatile("csrr %0, mstatus" : "=r"(m));
    return (unsigned)(m >> 13) & 3;
}

static unsigned long sd_bit(void)
{
    unsigned long m;
    __asm__ volatile("csrr %0, mstatus" : "=r"(m));
    return m >> 63;
}

/* FS and frm for the next run: mostly on (each of Initial, Clean, Dirty, so the translator's
 * blocks are keyed on each), now and then Off (every F/D instruction is then illegal). */
static void set_state(void)
{
    static const uint8_t frms[] = {0, 1, 2, 3, 4, 0, 0, 5, 7};
    unsigned frm = frms[pick(pick(8) ? 7 : 9)];
    set_fs(3);
    unsigned long fcsr = frm << 5 | pick(32) * !pick(4);
    __asm__ volatile("csrw fcsr, %0" ::"r"(fcsr));
    set_fs(pick(16) ? 1 + pick(3) : 0);
}

static uint64_t take_state(void)
{
    unsigned fs = get_fs();
    uint64_t sd = sd_bit();
    set_fs(3);
    unsigned long fcsr;
    __asm__ volatile("csrr %0, fcsr" : "=r"(fcsr));
    return fcsr | (uint64_t)fs << 8 | sd << 10 | (uint64_t)illegal_traps << 11;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t run(void)
{
    ((void (*)(uint64_t *))(uintptr_t)code)(io);
    uint64_t h = take_state();
    for (unsigned i = 0; i < 6; i++)
        h = mix(h, io[i]);
    for (unsigned i = 0; i < 8; i++)
        h = mix(h, mem_buf[i]);
    return h;
}

static uint64_t one_form(unsigned k)
{
    unsigned n = emit_prologue();
    if (k < NFORMS) {
        fill_io(&forms[k]);
        code[n++] = encode(&forms[k]);
    } else {
        fill_io(&forms[k == FORM_FLW || k == FORM_FSW ? 0 : NFORMS - 1]);
        for (unsigned i = 0; i < 8; i++)
            mem_buf[i] = pick(2) ? gen_d() : gen_s();
        int32_t off;
        code[n++] = encode_mem(k, &off);
        io[4] = (uint64_t)(uintptr_t)mem_buf;
    }
    emit_epilogue(n);
    set_state();
    return run();
}

/* Several random instructions in one block: flags accumulate across them before any CSR
 * instruction reads them. */
static uint64_t sequence(void)
{
    unsigned n = emit_prologue();
    unsigned len = 1 + pick(12);
    fill_io(&forms[pick(NFORMS)]);
    for (unsigned i = 0; i < len; i++)
        code[n++] = encode(&forms[pick(NFORMS)]);
    emit_epilogue(n);
    set_state();
    return run();
}

static void put_hex64(uint64_t v)
{
    for (int i = 60; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 15]);
}

static void line(const char *name, uint64_t h)
{
    put_hex64(h);
    puts_(" ");
    puts_(name);
    puts_("\n");
}

void on_trap(void)
{
    puts_("fpdiff: unexpected trap\n");
    *FINISHER = 1 << 16 | 0x3333;
    for (;;)
        ;
}

void main(void)
{
    uint64_t all = 0;
    puts_("BEGIN fpdiff\n");
    for (unsigned k = 0; k < NALL; k++) {
        uint64_t h = 0;
        for (unsigned i = 0; i < SINGLE_RUNS; i++)
            h = mix(h, one_form(k));
        line(k < NFORMS ? forms[k].name : mem_names[k - NFORMS], h);
        all = mix(all, h);
    }
    uint64_t h = 0;
    for (unsigned i = 0; i < SEQ_RUNS; i++)
        h = mix(h, sequence());
    line("sequences", h);
    all = mix(all, h);
    line("all", all);
    puts_("END fpdiff\n");
    *FINISHER = 0x5555;
    for (;;)
        ;
}
