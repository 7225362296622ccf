// AMOs that fault report store/AMO causes: an AMO to an address with nothing behind it is a
// store/AMO access fault (cause 7), an AMO to an unmapped page a store/AMO page fault
// (cause 15): the privileged spec names these causes "Store/AMO" and an AMO is a single
// read-modify-write that is reported like a store.  LR, a plain load, keeps load causes.
// qemu-departs: QEMU 7.2 reports faulting AMOs with the load causes (5 and 13)
#include "common/test.h"
#define VM_LEVELS 3
#include "common/vm.inc"

TEST_BEGIN amo_faults
    li t1, 0x90000000
    li t2, 1
    TRAP_ARM
    amoadd.w t0, t2, (t1)
    CHECK_TRAP_R "amoadd.w unmapped PA", CAUSE_STORE_ACCESS, t1
    TRAP_ARM
    amoswap.d.aqrl t0, t2, (t1)
    CHECK_TRAP_R "amoswap.d unmapped PA", CAUSE_STORE_ACCESS, t1
    TRAP_ARM
    lr.w t0, (t1)
    CHECK_TRAP_R "lr.w unmapped PA", CAUSE_LOAD_ACCESS, t1

    /* Sv39: identity-map the image, leave 0x100000000 unmapped */
    call vm_alloc
    mv s0, a0
    li a0, 0x80000000
    li a1, 0x80000000
    li a2, 2
    li a3, 0xcf                 /* V R W X A D */
    mv a4, s0
    call vm_map
    srli t0, s0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    LOWER_BEGIN 1
    li t1, 0x100000008
    li t2, 1
    TRAP_ARM
    amoor.d t0, t2, (t1)
    CHECK_TRAP_R "amoor.d unmapped VA", CAUSE_STORE_PAGE, t1
    TRAP_ARM
    amomin.w.aq t0, t2, (t1)
    CHECK_TRAP_R "amomin.w unmapped VA", CAUSE_STORE_PAGE, t1
    TRAP_ARM
    lr.d t0, (t1)
    CHECK_TRAP_R "lr.d unmapped VA", CAUSE_LOAD_PAGE, t1
    LOWER_END
    csrw satp, zero
    sfence.vma
TEST_END
