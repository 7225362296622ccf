/* The x86-64 encodings of the floating-point instructions the translator emits (SSE, FMA3's
 * VEX and AVX-512F's EVEX forms, and the helpers around them), byte for byte against what the
 * GNU assembler makes of the same instructions. The differential test (guest/fpdiff) checks
 * what they compute; this pins down the encodings, high registers included, which that test's
 * code never names. */
#include "jit/x86.h"
#include "test.h"

/* Runs code (which emits through e) on a fresh buffer and compares the bytes with the rest. */
#define EXPECT_BYTES(code, ...)                                                                \
    do {                                                                                       \
        static const uint8_t want_[] = {__VA_ARGS__};                                         \
        uint8_t buf_[32];                                                                      \
        struct x86 e_ = {.p = buf_, .end = buf_ + sizeof(buf_), .to_exec = 0};                 \
        struct x86 *e = &e_;                                                                   \
        code;                                                                                  \
        CHECK_EQ(e_.p - buf_, sizeof(want_));                                                  \
        CHECK(memcmp(buf_, want_, sizeof(want_)) == 0);                                        \
    } while (0)

static const struct x86_mem F1 = {RBP, 0x108};

TEST(sse_scalar_loads_stores_and_arithmetic)
{
    EXPECT_BYTES(x86_sse_rm(e, SSE_SD, false, SSE_LOAD, 0, F1), 0xf2, 0x0f, 0x10, 0x85, 0x08,
                 0x01, 0x00, 0x00);
    EXPECT_BYTES(x86_sse_rm(e, SSE_SS, false, SSE_LOAD, 9, F1), 0xf3, 0x44, 0x0f, 0x10, 0x8d,
                 0x08, 0x01, 0x00, 0x00);
    EXPECT_BYTES(x86_sse_rm(e, SSE_SD, false, SSE_STORE, 1, F1), 0xf2, 0x0f, 0x11, 0x8d, 0x08,
                 0x01, 0x00, 0x00);
    EXPECT_BYTES(x86_sse_rm(e, SSE_SS, false, SSE_MUL, 2, F1), 0xf3, 0x0f, 0x59, 0x95, 0x08,
                 0x01, 0x00, 0x00);
    EXPECT_BYTES(x86_sse_rm(e, SSE_SD, false, SSE_SQRT, 0, F1), 0xf2, 0x0f, 0x51, 0x85, 0x08,
                 0x01, 0x00, 0x00);
    EXPECT_BYTES(x86_sse_rr(e, SSE_SD, false, SSE_MIN, 0, 1), 0xf2, 0x0f, 0x5d, 0xc1);
    EXPECT_BYTES(x86_sse_rr(e, SSE_PD, false, SSE_AND, 0, 1), 0x66, 0x0f, 0x54, 0xc1);
    EXPECT_BYTES(x86_sse_rr(e, SSE_PS, false, SSE_OR, 0, 1), 0x0f, 0x56, 0xc1);
}

TEST(sse_compares_and_conversions)
{
    EXPECT_BYTES(x86_sse_rr(e, SSE_PD, false, SSE_UCOMI, 0, 0), 0x66, 0x0f, 0x2e, 0xc0);
    EXPECT_BYTES(x86_sse_rr(e, SSE_PS, false, SSE_UCOMI, 0, 1), 0x0f, 0x2e, 0xc1);
    EXPECT_BYTES(x86_sse_rm(e, SSE_PD, false, SSE_COMI, 0, F1), 0x66, 0x0f, 0x2f, 0x85, 0x08,
                 0x01, 0x00, 0x00);
    /* cvtsi2sd xmm0, r13 / cvtsi2ss xmm0, r9d */
    EXPECT_BYTES(x86_sse_rr(e, SSE_SD, true, SSE_FROM_INT, 0, R13), 0xf2, 0x49, 0x0f, 0x2a,
                 0xc5);
    EXPECT_BYTES(x86_sse_rr(e, SSE_SS, false, SSE_FROM_INT, 0, R9), 0xf3, 0x41, 0x0f, 0x2a,
                 0xc1);
    /* cvtsd2si rax, xmm1 / cvttss2si r10d, xmm1 */
    EXPECT_BYTES(x86_sse_rr(e, SSE_SD, true, SSE_TO_INT, RAX, 1), 0xf2, 0x48, 0x0f, 0x2d,
                 0xc1);
    EXPECT_BYTES(x86_sse_rr(e, SSE_SS, false, SSE_TO_INT_T, R10, 1), 0xf3, 0x44, 0x0f, 0x2c,
                 0xd1);
    EXPECT_BYTES(x86_sse_rr(e, SSE_SD, false, SSE_CVT_FP, 0, 0), 0xf2, 0x0f, 0x5a, 0xc0);
    EXPECT_BYTES(x86_sse_rr(e, SSE_SS, false, SSE_CVT_FP, 0, 0), 0xf3, 0x0f, 0x5a, 0xc0);
}

TEST(fma3_vex_forms)
{
    /* vfmadd231sd xmm0, xmm1, xmm2 / vfnmsub231ss xmm0, xmm1, xmm2 */
    EXPECT_BYTES(x86_fma231(e, FMA_MADD, true, 0, 1, 2), 0xc4, 0xe2, 0xf1, 0xb9, 0xc2);
    EXPECT_BYTES(x86_fma231(e, FMA_NMSUB, false, 0, 1, 2), 0xc4, 0xe2, 0x71, 0xbf, 0xc2);
    /* vfmsub231sd xmm8, xmm9, xmm10 / vfnmadd231sd xmm0, xmm1, xmm12 */
    EXPECT_BYTES(x86_fma231(e, FMA_MSUB, true, 8, 9, 10), 0xc4, 0x42, 0xb1, 0xbb, 0xc2);
    EXPECT_BYTES(x86_fma231(e, FMA_NMADD, true, 0, 1, 12), 0xc4, 0xc2, 0xf1, 0xbd, 0xc4);
}

TEST(avx512_unsigned_conversions)
{
    /* vcvtsd2usi rax, xmm0 / vcvttss2usi r9d, xmm1 / vcvtsd2usi edx, xmm10 */
    EXPECT_BYTES(x86_cvt_to_uint(e, true, true, false, RAX, 0), 0x62, 0xf1, 0xff, 0x08, 0x79,
                 0xc0);
    EXPECT_BYTES(x86_cvt_to_uint(e, false, false, true, R9, 1), 0x62, 0x71, 0x7e, 0x08, 0x78,
                 0xc9);
    EXPECT_BYTES(x86_cvt_to_uint(e, true, false, false, RDX, 10), 0x62, 0xd1, 0x7f, 0x08, 0x79,
                 0xd2);
}

TEST(integer_helpers_of_the_fp_code)
{
    EXPECT_BYTES(x86_store32_imm(e, (struct x86_mem){RBP, 0x10c}, UINT32_MAX), 0xc7, 0x85,
                 0x0c, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff);
    EXPECT_BYTES(x86_alu8_mi(e, ALU_OR, (struct x86_mem){RBP, 0x109}, 0x60), 0x80, 0x8d, 0x09,
                 0x01, 0x00, 0x00, 0x60);
    EXPECT_BYTES(x86_bt_ri(e, true, BT_BTC, RAX, 63), 0x48, 0x0f, 0xba, 0xf8, 0x3f);
    EXPECT_BYTES(x86_bt_ri(e, false, BT_BTR, R9, 31), 0x41, 0x0f, 0xba, 0xf1, 0x1f);
    /* call to the start of the buffer from offset 0: rel32 = -5 */
    uint8_t buf[8];
    struct x86 c = {.p = buf, .end = buf + sizeof(buf), .to_exec = 0};
    x86_call(&c, buf);
    CHECK_EQ(c.p - buf, 5);
    CHECK(memcmp(buf, (const uint8_t[]){0xe8, 0xfb, 0xff, 0xff, 0xff}, 5) == 0);
}

TEST_MAIN("x86_fp")
