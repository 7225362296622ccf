/* The SiFive test finisher: pass, fail with a code, reset; everything else is ignored. */
#include "test.h"

#include "dev/dev.h"

#define TEST_BASE 0x100000ull

static int calls;
static enum finisher_action last_action;
static unsigned last_code;

static void on_action(void *ctx, enum finisher_action a, unsigned code)
{
    calls++;
    last_action = a;
    last_code = code;
    *(int *)ctx += 1;
}

struct rig {
    struct bus bus;
    struct finisher *f;
    int ctx_hits;
};

static void rig_init(struct rig *r)
{
    calls = 0;
    last_code = 0xdead;
    r->ctx_hits = 0;
    bus_init(&r->bus, 0x80000000ull, 1 << 16);
    r->f = finisher_new(on_action, &r->ctx_hits);
    if (bus_add_mmio(&r->bus, TEST_BASE, 0x1000, &finisher_ops, r->f))
        abort();
}

static void rig_free(struct rig *r)
{
    finisher_free(r->f);
    bus_free(&r->bus);
}

static void wr(struct rig *r, uint64_t off, unsigned size, uint64_t v)
{
    if (bus_write(&r->bus, TEST_BASE + off, size, v))
        abort();
}

TEST(pass_reports_status_zero)
{
    struct rig r;
    rig_init(&r);
    wr(&r, 0, 4, 0x5555);
    CHECK_EQ(calls, 1);
    CHECK_EQ(last_action, FINISHER_PASS);
    CHECK_EQ(last_code, 0);
    CHECK_EQ(r.ctx_hits, 1); /* the context pointer is passed through */
    /* The upper half is not a code for PASS. */
    wr(&r, 0, 4, 0x00075555);
    CHECK_EQ(calls, 2);
    CHECK_EQ(last_action, FINISHER_PASS);
    CHECK_EQ(last_code, 0);
    rig_free(&r);
}

TEST(fail_carries_the_code_from_the_upper_half)
{
    struct rig r;
    rig_init(&r);
    wr(&r, 0, 4, (42u << 16) | 0x3333);
    CHECK_EQ(calls, 1);
    CHECK_EQ(last_action, FINISHER_FAIL);
    CHECK_EQ(last_code, 42);
    wr(&r, 0, 4, 0xffff3333u);
    CHECK_EQ(last_code, 0xffff);
    /* riscv-tests style: (TESTNUM << 1 | 1) << 16 | 0x3333 */
    wr(&r, 0, 4, ((5u << 1 | 1) << 16) | 0x3333);
    CHECK_EQ(last_code, 11);
    rig_free(&r);
}

TEST(reset_request)
{
    struct rig r;
    rig_init(&r);
    wr(&r, 0, 4, 0x7777);
    CHECK_EQ(calls, 1);
    CHECK_EQ(last_action, FINISHER_RESET);
    rig_free(&r);
}

TEST(other_values_and_offsets_are_ignored)
{
    struct rig r;
    rig_init(&r);
    wr(&r, 0, 4, 0);
    wr(&r, 0, 4, 0x5554);
    wr(&r, 0, 4, 0x55550000);
    wr(&r, 0, 4, 0x1234);
    wr(&r, 4, 4, 0x5555); /* only offset 0 is the finisher */
    wr(&r, 0xffc, 4, 0x3333);
    wr(&r, 2, 2, 0x5555);
    CHECK_EQ(calls, 0);
    uint64_t v = 1;
    CHECK_EQ(bus_read(&r.bus, TEST_BASE, 4, &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(bus_read(&r.bus, TEST_BASE + 0x10, 8, &v), 0);
    CHECK_EQ(v, 0);
    rig_free(&r);
}

TEST(halfword_and_doubleword_stores_work_like_qemu)
{
    struct rig r;
    rig_init(&r);
    wr(&r, 0, 2, 0x5555); /* sh: QEMU accepts 2-byte accesses */
    CHECK_EQ(calls, 1);
    CHECK_EQ(last_action, FINISHER_PASS);
    wr(&r, 0, 8, 0xffffffff00093333ull); /* sd: the low word decides, the high is ignored */
    CHECK_EQ(calls, 2);
    CHECK_EQ(last_action, FINISHER_FAIL);
    CHECK_EQ(last_code, 9);
    rig_free(&r);
}

TEST(no_callback_is_harmless)
{
    struct finisher *f = finisher_new(NULL, NULL);
    CHECK_EQ(finisher_ops.write(f, 0, 4, 0x5555), 0);
    finisher_free(f);
}

TEST(save_restore_round_trip)
{
    struct rig r;
    rig_init(&r);
    uint8_t img[16];
    size_t len;
    CHECK_EQ(finisher_save(r.f, img, sizeof(img), &len), 0);
    CHECK_EQ(len, 8);
    CHECK_EQ(finisher_restore(r.f, img, len), 0);
    CHECK_EQ(finisher_restore(r.f, img, len - 1), -ERR_FORMAT);
    img[0] = 'X';
    CHECK_EQ(finisher_restore(r.f, img, len), -ERR_FORMAT);
    wr(&r, 0, 4, 0x5555); /* still works */
    CHECK_EQ(calls, 1);
    rig_free(&r);
}

TEST_MAIN("finisher")
