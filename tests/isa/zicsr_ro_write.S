// CSRRS/CSRRC with rs1 != x0 always write the CSR, even when the register holds zero
// (Zicsr: "if rs1 specifies a register holding a zero value other than x0, the instruction
// will still attempt to write the unmodified value back to the CSR and will cause any
// attendant side effects"; privileged spec: writing a read-only CSR raises illegal
// instruction).  So they fault on read-only CSRs, with mtval = the instruction.
// qemu-departs: QEMU 7.2 decides "write" from the value of rs1 instead of its number, so csrrs/csrrc of a read-only CSR with a zero register do not trap
#include "common/test.h"

#define CSR_INSN(csr, rs1, f3, rd) (((csr) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | 0x73)

.macro ILLEGAL label, enc, insn:vararg
    li t0, 0x5a5a
    TRAP_ARM
    \insn
    CHECK_TRAP "\label", CAUSE_ILLEGAL, \enc
    EXPECT "\label rd kept", t0, 0x5a5a
.endm

TEST_BEGIN zicsr_ro_write
    li t1, 0
    ILLEGAL "csrrs mhartid zero reg", CSR_INSN(0xf14, 6, 2, 5), csrrs t0, mhartid, t1
    ILLEGAL "csrrc mvendorid zero reg", CSR_INSN(0xf11, 6, 3, 5), csrrc t0, mvendorid, t1
    ILLEGAL "csrrs time zero reg", CSR_INSN(0xc01, 6, 2, 5), csrrs t0, time, t1
    ILLEGAL "csrrc instret zero reg", CSR_INSN(0xc02, 6, 3, 5), csrrc t0, instret, t1
TEST_END
