// Fields of menvcfg/senvcfg that belong to extensions this hart does not have read as zero:
// CBIE/CBCFE (Zicbom), CBZE (Zicboz), PBMTE (Svpbmt).  Priv 1.12 3.1.18: "If Svpbmt is not
// implemented, PBMTE is read-only zero"; the CMO specification makes CBIE/CBCFE/CBZE read-only
// zero without Zicbom/Zicboz.  Only the bits of known fields are looked at.
// qemu-departs: QEMU 7.2 lets menvcfg/senvcfg hold CBIE, CBCFE, CBZE and PBMTE even with those extensions off
#include "common/test.h"

#define CB_FIELDS (0xf << 4)
#define PBMTE (1 << 62)

TEST_BEGIN envcfg_departs
    li t0, -1
    csrw 0x30a, t0
    csrr t1, 0x30a
    li t2, CB_FIELDS | PBMTE
    and t1, t1, t2
    EXPECT "menvcfg CBIE/CBCFE/CBZE/PBMTE read 0", t1, 0
    li t0, -1
    csrw 0x10a, t0
    csrr t1, 0x10a
    andi t1, t1, CB_FIELDS
    EXPECT "senvcfg CBIE/CBCFE/CBZE read 0", t1, 0
    csrw 0x30a, zero
    csrw 0x10a, zero
TEST_END
