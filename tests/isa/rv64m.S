// RV64M: multiply high halves in every signedness, division and remainder by zero (all ones /
// the dividend, no trap), signed overflow (INT_MIN / -1), and the W forms' 32-bit truncation
// and sign extension of results.
#include "common/test.h"

TEST_BEGIN rv64m
    TEST_RR mul, 0x3, 0x7, 0x15
    TEST_RR mul, -3, 0x7, 0xffffffffffffffeb
    TEST_RR mul, -3, -7, 0x15
    TEST_RR mul, 0x7fffffffffffffff, 0x2, 0xfffffffffffffffe
    TEST_RR mul, 0x8000000000000000, -1, 0x8000000000000000
    TEST_RR mul, 0xffffffff, 0xffffffff, 0xfffffffe00000001
    TEST_RR mul, 0x123456789abcdef0, 0xfedcba9876543210, 0x236d88fe5618cf00
    TEST_RR mulh, 0x3, 0x7, 0x0
    TEST_RR mulh, -3, 0x7, 0xffffffffffffffff
    TEST_RR mulh, -1, -1, 0x0
    TEST_RR mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
    TEST_RR mulh, 0x8000000000000000, 0x7fffffffffffffff, 0xc000000000000000
    TEST_RR mulh, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x3fffffffffffffff
    TEST_RR mulh, 0x123456789abcdef0, 0xfedcba9876543210, 0xffeb49923cc09532
    TEST_RR mulhu, 0x3, 0x7, 0x0
    TEST_RR mulhu, -1, -1, 0xfffffffffffffffe
    TEST_RR mulhu, -1, 0x2, 0x1
    TEST_RR mulhu, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
    TEST_RR mulhu, 0x123456789abcdef0, 0xfedcba9876543210, 0x121fa00ad77d7422
    TEST_RR mulhsu, 0x3, 0x7, 0x0
    TEST_RR mulhsu, -1, -1, 0xffffffffffffffff
    TEST_RR mulhsu, -1, 0x1, 0xffffffffffffffff
    TEST_RR mulhsu, 0x8000000000000000, -1, 0x8000000000000000
    TEST_RR mulhsu, 0x7fffffffffffffff, -1, 0x7ffffffffffffffe
    TEST_RR mulhsu, -2, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR mulhsu, 0x123456789abcdef0, 0xfedcba9876543210, 0x121fa00ad77d7422
    TEST_RR mulw, 0x3, 0x7, 0x15
    TEST_RR mulw, 0x7fffffff, 0x2, 0xfffffffffffffffe
    TEST_RR mulw, 0x10000, 0x10000, 0x0
    TEST_RR mulw, 0xffffffff80000000, -1, 0xffffffff80000000
    TEST_RR mulw, 0x123456789, 0x100000002, 0x468acf12
    TEST_RR mulw, -3, 0x7, 0xffffffffffffffeb
    TEST_RR div, 0x14, 0x6, 0x3
    TEST_RR div, -20, 0x6, 0xfffffffffffffffd
    TEST_RR div, 0x14, -6, 0xfffffffffffffffd
    TEST_RR div, -20, -6, 0x3
    TEST_RR div, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR div, -7, 0x0, 0xffffffffffffffff
    TEST_RR div, 0x0, 0x0, 0xffffffffffffffff
    TEST_RR div, 0x8000000000000000, -1, 0x8000000000000000
    TEST_RR div, 0x8000000000000000, 0x1, 0x8000000000000000
    TEST_RR div, 0x8000000000000000, 0x2, 0xc000000000000000
    TEST_RR div, 0x1, -1, 0xffffffffffffffff
    TEST_RR divu, 0x14, 0x6, 0x3
    TEST_RR divu, -20, 0x6, 0x2aaaaaaaaaaaaaa7
    TEST_RR divu, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR divu, 0x0, 0x0, 0xffffffffffffffff
    TEST_RR divu, 0x8000000000000000, -1, 0x0
    TEST_RR divu, -1, 0x1, 0xffffffffffffffff
    TEST_RR divu, -1, 0x2, 0x7fffffffffffffff
    TEST_RR rem, 0x14, 0x6, 0x2
    TEST_RR rem, -20, 0x6, 0xfffffffffffffffe
    TEST_RR rem, 0x14, -6, 0x2
    TEST_RR rem, -20, -6, 0xfffffffffffffffe
    TEST_RR rem, 0x7, 0x0, 0x7
    TEST_RR rem, -7, 0x0, 0xfffffffffffffff9
    TEST_RR rem, 0x8000000000000000, -1, 0x0
    TEST_RR rem, 0x8000000000000000, 0x2, 0x0
    TEST_RR rem, 0x8000000000000000, 0x3, 0xfffffffffffffffe
    TEST_RR remu, 0x14, 0x6, 0x2
    TEST_RR remu, -20, 0x6, 0x2
    TEST_RR remu, 0x7, 0x0, 0x7
    TEST_RR remu, -7, 0x0, 0xfffffffffffffff9
    TEST_RR remu, 0x8000000000000000, -1, 0x8000000000000000
    TEST_RR remu, -1, 0xa, 0x5
    TEST_RR divw, 0x14, 0x6, 0x3
    TEST_RR divw, -20, 0x6, 0xfffffffffffffffd
    TEST_RR divw, 0xffffffff00000014, 0x6, 0x3
    TEST_RR divw, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR divw, 0x80000000, -1, 0xffffffff80000000
    TEST_RR divw, 0xffffffff80000000, 0xffffffff, 0xffffffff80000000
    TEST_RR divw, 0x80000000, 0x100000000, 0xffffffffffffffff
    TEST_RR divw, -7, 0x2, 0xfffffffffffffffd
    TEST_RR divuw, 0x14, 0x6, 0x3
    TEST_RR divuw, 0xffffffff, 0x1, 0xffffffffffffffff
    TEST_RR divuw, 0xfffffffe, 0x2, 0x7fffffff
    TEST_RR divuw, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR divuw, 0x80000000, -1, 0x0
    TEST_RR divuw, 0x100000005, 0x100000002, 0x2
    TEST_RR divuw, 0x80000000, 0x1, 0xffffffff80000000
    TEST_RR remw, 0x14, 0x6, 0x2
    TEST_RR remw, -20, 0x6, 0xfffffffffffffffe
    TEST_RR remw, 0x7, 0x0, 0x7
    TEST_RR remw, 0xffffffff00000007, 0x0, 0x7
    TEST_RR remw, 0x80000000, -1, 0x0
    TEST_RR remw, 0x180000001, 0x100000000, 0xffffffff80000001
    TEST_RR remw, 0x80000000, 0x3, 0xfffffffffffffffe
    TEST_RR remuw, 0x14, 0x6, 0x2
    TEST_RR remuw, -20, 0x6, 0x2
    TEST_RR remuw, 0x7, 0x0, 0x7
    TEST_RR remuw, 0x80000007, 0x0, 0xffffffff80000007
    TEST_RR remuw, 0xfffffffe, 0xffffffff, 0xfffffffffffffffe
    TEST_RR remuw, 0x100000009, 0x100000004, 0x1
    TEST_RR_SAME1 mul, 6, 7, 42
    TEST_RR_SAME2 mulhu, -1, -1, 0xfffffffffffffffe
    TEST_RR_SAME1 divu, 100, 7, 14
    TEST_RR_SAME2 rem, 100, 7, 2
    TEST_RR_X0 div, 1, 0
    li t1, 123
    mul t2, t1, t1
    EXPECT "mul rs1=rs2", t2, 15129

    /* division by zero and overflow never trap */
    li t1, 5
    TRAP_ARM
    div t0, t1, zero
    CHECK_NOTRAP "div by zero"
    TRAP_ARM
    remuw t0, t1, zero
    CHECK_NOTRAP "remuw by zero"
    li t1, 0x8000000000000000
    li t2, -1
    TRAP_ARM
    div t0, t1, t2
    CHECK_NOTRAP "div overflow"
TEST_END
