// Zicsr: csrrw/csrrs/csrrc and their immediate forms (old value in rd, 5-bit zero-extended
// immediates), rs1 = x0 / zimm = 0 forms not writing (so they may read read-only CSRs), every
// writing form faulting on a read-only CSR with mtval = the instruction, unimplemented CSRs
// and privilege checks on CSR addresses.
#include "common/test.h"

/* Encoding of a SYSTEM csr instruction, to check mtval against. */
#define CSR_INSN(csr, rs1, f3, rd) (((csr) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | 0x73)
#define F3_RW 1
#define F3_RS 2
#define F3_RC 3
#define F3_RWI 5
#define F3_RSI 6
#define F3_RCI 7
#define T0 5
#define T1 6

/* The instruction must raise illegal-instruction with mtval = enc and leave rd (t0) alone. */
.macro ILLEGAL label, enc, insn:vararg
    li t0, 0x5a5a
    TRAP_ARM
    \insn
    CHECK_TRAP "\label", CAUSE_ILLEGAL, \enc
    EXPECT "\label rd kept", t0, 0x5a5a
.endm

TEST_BEGIN zicsr
    /* mscratch and sscratch hold the trap handlers' stacks: keep them, and trap nothing until
     * they are restored. */
    csrr s10, mscratch
    csrr s11, sscratch

    /* register forms on a plain read/write CSR */
    li t0, 0x1111
    csrw mscratch, t0
    li t1, 0x2222
    csrrw t2, mscratch, t1
    EXPECT "csrrw old", t2, 0x1111
    csrr t2, mscratch
    EXPECT "csrrw new", t2, 0x2222
    li t1, 0x3333
    csrrw t1, mscratch, t1
    EXPECT "csrrw rd=rs1 old", t1, 0x2222
    csrr t2, mscratch
    EXPECT "csrrw rd=rs1 new", t2, 0x3333
    li t0, 0xf0
    csrw mscratch, t0
    li t1, 0x0f
    csrrs t2, mscratch, t1
    EXPECT "csrrs old", t2, 0xf0
    csrr t2, mscratch
    EXPECT "csrrs new", t2, 0xff
    li t1, 0x3c
    csrrc t2, mscratch, t1
    EXPECT "csrrc old", t2, 0xff
    csrr t2, mscratch
    EXPECT "csrrc new", t2, 0xc3
    csrrs t2, mscratch, x0
    EXPECT "csrrs x0 reads", t2, 0xc3
    csrrc t2, mscratch, x0
    csrr t3, mscratch
    EXPECT "csrrc x0 leaves", t3, 0xc3
    li t1, 0
    csrrs t2, mscratch, t1
    csrr t3, mscratch
    EXPECT "csrrs zero reg", t3, 0xc3
    li t0, 0xfedcba9876543210
    csrw mscratch, t0
    csrr t2, mscratch
    EXPECT "mscratch holds 64 bits", t2, 0xfedcba9876543210
    csrrw x0, mscratch, x0
    csrr t2, mscratch
    EXPECT "csrrw rd=x0 writes", t2, 0

    /* immediate forms: zimm is 5 bits, zero-extended */
    csrrwi t2, mscratch, 31
    EXPECT "csrrwi old", t2, 0
    csrr t2, mscratch
    EXPECT "csrrwi 31 zero-extends", t2, 31
    li t0, 0x8000000000000000
    csrw mscratch, t0
    csrrsi t2, mscratch, 16
    EXPECT "csrrsi old", t2, 0x8000000000000000
    csrr t2, mscratch
    EXPECT "csrrsi new", t2, 0x8000000000000010
    csrrci t2, mscratch, 31
    EXPECT "csrrci old", t2, 0x8000000000000010
    csrr t2, mscratch
    EXPECT "csrrci new", t2, 0x8000000000000000
    csrrsi t2, mscratch, 0
    csrrci t3, mscratch, 0
    csrr t4, mscratch
    EXPECT "csrrsi/ci 0 leave", t4, 0x8000000000000000
    csrwi mscratch, 5
    csrsi mscratch, 8
    csrci mscratch, 1
    csrr t2, mscratch
    EXPECT "csrwi/csrsi/csrci", t2, 12

    /* the other full-width scratch and address registers */
    li t0, 0x0123456789abcdef
    csrw sscratch, t0
    csrr t2, sscratch
    EXPECT "sscratch 64 bits", t2, 0x0123456789abcdef
    csrw mscratch, s10
    csrw sscratch, s11
    li t0, 0x80001234
    csrw mepc, t0
    csrr t2, mepc
    EXPECT "mepc even address", t2, 0x80001234
    li t0, 0x3ffffffffe
    csrw sepc, t0
    csrr t2, sepc
    EXPECT "sepc even address", t2, 0x3ffffffffe
    li t0, 0x80004321
    csrw mtval, t0
    csrr t2, mtval
    EXPECT "mtval", t2, 0x80004321
    csrw stval, t0
    csrr t2, stval
    EXPECT "stval", t2, 0x80004321

    /* read-only CSRs: the non-writing forms read them without a trap */
    TRAP_ARM
    csrrs t2, mhartid, x0
    CHECK_NOTRAP "csrrs mhartid x0"
    EXPECT "mhartid", t2, 0
    TRAP_ARM
    csrrc t2, mvendorid, x0
    CHECK_NOTRAP "csrrc mvendorid x0"
    TRAP_ARM
    csrrsi t2, marchid, 0
    CHECK_NOTRAP "csrrsi marchid 0"
    TRAP_ARM
    csrrci t2, mimpid, 0
    CHECK_NOTRAP "csrrci mimpid 0"
    TRAP_ARM
    csrr t2, 0xf15
    CHECK_NOTRAP "csrr mconfigptr"
    EXPECT "mconfigptr", t2, 0
    TRAP_ARM
    csrr t2, cycle
    CHECK_NOTRAP "csrr cycle in M"

    /* ...and the writing forms fault, leaving rd unwritten (csrrs/csrrc with a zero register
     * are in zicsr_ro_write.S: QEMU departs there) */
    li t1, 0
    ILLEGAL "csrrw mhartid", CSR_INSN(0xf14, T1, F3_RW, T0), csrrw t0, mhartid, t1
    ILLEGAL "csrrw x0 mhartid x0", CSR_INSN(0xf14, 0, F3_RW, 0), csrrw x0, mhartid, x0
    ILLEGAL "csrrwi marchid", CSR_INSN(0xf12, 0, F3_RWI, T0), csrrwi t0, marchid, 0
    ILLEGAL "csrrsi mimpid 1", CSR_INSN(0xf13, 1, F3_RSI, T0), csrrsi t0, mimpid, 1
    ILLEGAL "csrrci mconfigptr 1", CSR_INSN(0xf15, 1, F3_RCI, T0), csrrci t0, 0xf15, 1
    ILLEGAL "csrw cycle", CSR_INSN(0xc00, T1, F3_RW, 0), csrw cycle, t1
    ILLEGAL "csrwi instret", CSR_INSN(0xc02, 3, F3_RWI, 0), csrwi instret, 3
    li t1, 1
    ILLEGAL "csrrs mhartid 1", CSR_INSN(0xf14, T1, F3_RS, T0), csrrs t0, mhartid, t1
    ILLEGAL "csrrc cycle 1", CSR_INSN(0xc00, T1, F3_RC, T0), csrrc t0, cycle, t1
    ILLEGAL "unimp", 0xc0001073, unimp

    /* CSRs this hart does not have */
    ILLEGAL "csrr hstatus (no H)", CSR_INSN(0x600, 0, F3_RS, T0), csrr t0, 0x600
    ILLEGAL "csrr pmpcfg1 (odd, RV32 only)", CSR_INSN(0x3a1, 0, F3_RS, T0), csrr t0, 0x3a1
    ILLEGAL "csrr vstart (no V)", CSR_INSN(0x008, 0, F3_RS, T0), csrr t0, 0x008
    ILLEGAL "csrr seed (no Zkr)", CSR_INSN(0x015, 0, F3_RS, T0), csrr t0, 0x015
    ILLEGAL "csrw cycleh (RV32 only)", CSR_INSN(0xc80, 0, F3_RS, T0), csrr t0, 0xc80
    ILLEGAL "csrr mstatush (RV32 only)", CSR_INSN(0x310, 0, F3_RS, T0), csrr t0, 0x310

    /* privilege encoded in csr[9:8]: S cannot touch M CSRs, U cannot touch S CSRs */
    LOWER_BEGIN 1
    ILLEGAL "S csrr mstatus", CSR_INSN(0x300, 0, F3_RS, T0), csrr t0, mstatus
    ILLEGAL "S csrw mscratch", CSR_INSN(0x340, T1, F3_RW, 0), csrw mscratch, t1
    ILLEGAL "S csrr mhartid", CSR_INSN(0xf14, 0, F3_RS, T0), csrr t0, mhartid
    li t0, 0x77
    csrrw t1, sscratch, t0
    csrr s2, sscratch
    csrw sscratch, t1
    LOWER_END
    EXPECT "S uses sscratch", s2, 0x77
    LOWER_BEGIN 0
    ILLEGAL "U csrr sstatus", CSR_INSN(0x100, 0, F3_RS, T0), csrr t0, sstatus
    ILLEGAL "U csrw sscratch", CSR_INSN(0x140, T1, F3_RW, 0), csrw sscratch, t1
    ILLEGAL "U csrr satp", CSR_INSN(0x180, 0, F3_RS, T0), csrr t0, satp
    ILLEGAL "U csrr mepc", CSR_INSN(0x341, 0, F3_RS, T0), csrr t0, mepc
    LOWER_END
TEST_END
