/* PMP: address matching (TOR, NA4, NAPOT), priority, partial matches, the M-mode and S/U
 * defaults, locking, and the CSR views (packing, WARL, TLB flush), on pmp_allows directly. */
#include "test.h"

#include "cpu/cpu_priv.h"

/* hart.c's flush, for when this test is built without it. */
__attribute__((weak)) void hart_tlb_flush(struct hart *h)
{
    for (unsigned p = 0; p < 4; p++)
        for (unsigned a = 0; a < 3; a++)
            for (unsigned i = 0; i < TLB_SIZE; i++)
                h->tlb[p][a][i].tag = TLB_INVALID;
}

#define R 0x01
#define W 0x02
#define X 0x04
#define TOR 0x08
#define NA4 0x10
#define NAPOT 0x18
#define L 0x80

static struct hart hart;

static void setup(void)
{
    memset(&hart, 0, sizeof(hart));
    hart_tlb_flush(&hart);
}

/* Sets entry i's byte in pmpcfg0/2 without disturbing the others. */
static void set_cfg(unsigned i, uint8_t cfg)
{
    unsigned csr = i < 8 ? 0 : 2, shift = 8 * (i % 8);
    uint64_t v = pmp_read_cfg(&hart, csr);
    v = (v & ~(0xffull << shift)) | (uint64_t)cfg << shift;
    pmp_write_cfg(&hart, csr, v);
}

static uint64_t napot(uint64_t base, uint64_t size)
{
    return (base >> 2) | ((size >> 3) - 1);
}

static bool allows(uint64_t pa, uint64_t size, enum access acc, unsigned priv)
{
    return pmp_allows(&hart, pa, size, acc, priv);
}

TEST(no_entries_allow_m_mode_and_deny_s_and_u)
{
    setup();
    CHECK(allows(0x80000000, 8, ACC_LOAD, PRIV_M));
    CHECK(allows(0x0, 4, ACC_FETCH, PRIV_M));
    CHECK(allows(0xfffffffffffff000ull, 8, ACC_STORE, PRIV_M));
    CHECK(!allows(0x80000000, 8, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x80000000, 8, ACC_STORE, PRIV_U));
    CHECK(!allows(0x80000000, 2, ACC_FETCH, PRIV_S));
}

TEST(unmatched_address_with_active_entries_follows_the_same_defaults)
{
    setup();
    pmp_write_addr(&hart, 0, napot(0x80000000, 0x1000));
    set_cfg(0, NAPOT | R | W | X);
    CHECK(allows(0x80000ff8, 8, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x80001000, 8, ACC_LOAD, PRIV_S));
    CHECK(allows(0x80001000, 8, ACC_LOAD, PRIV_M));
}

TEST(tor_matches_from_the_previous_address_up_to_its_own)
{
    setup();
    pmp_write_addr(&hart, 0, 0x80001000 >> 2);
    pmp_write_addr(&hart, 1, 0x80003000 >> 2);
    set_cfg(0, TOR);         /* [0, 0x80001000): no access */
    set_cfg(1, TOR | R | X); /* [0x80001000, 0x80003000) */
    CHECK(!allows(0x0, 4, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x80000ffc, 4, ACC_LOAD, PRIV_S));
    CHECK(allows(0x80001000, 4, ACC_LOAD, PRIV_S));
    CHECK(allows(0x80002ff8, 8, ACC_LOAD, PRIV_U));
    CHECK(allows(0x80002ffe, 2, ACC_FETCH, PRIV_U));
    CHECK(!allows(0x80002000, 8, ACC_STORE, PRIV_S));
    CHECK(!allows(0x80003000, 4, ACC_LOAD, PRIV_S)); /* past the top: no entry matches */
}

TEST(tor_with_an_empty_or_inverted_range_matches_nothing)
{
    setup();
    pmp_write_addr(&hart, 0, 0x80002000 >> 2);
    pmp_write_addr(&hart, 1, 0x80001000 >> 2);
    set_cfg(1, TOR | R | W | X);
    CHECK(!allows(0x80001800, 4, ACC_LOAD, PRIV_S));
    CHECK(allows(0x80000ff0, 0x2000, ACC_LOAD, PRIV_M)); /* spans both bounds, still no match */
    pmp_write_addr(&hart, 1, 0x80002000 >> 2);
    CHECK(!allows(0x80001ffc, 4, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x80002000, 4, ACC_LOAD, PRIV_S));
}

TEST(tor_entry_zero_starts_at_address_zero)
{
    setup();
    pmp_write_addr(&hart, 0, 0x100 >> 2);
    set_cfg(0, TOR | R);
    CHECK(allows(0x0, 8, ACC_LOAD, PRIV_S));
    CHECK(allows(0xf8, 8, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x100, 1, ACC_LOAD, PRIV_S));
}

TEST(na4_matches_four_bytes)
{
    setup();
    pmp_write_addr(&hart, 3, 0x80000010 >> 2);
    set_cfg(3, NA4 | W | R);
    CHECK(allows(0x80000010, 4, ACC_STORE, PRIV_S));
    CHECK(allows(0x80000013, 1, ACC_STORE, PRIV_S));
    CHECK(!allows(0x8000000c, 4, ACC_STORE, PRIV_S));
    CHECK(!allows(0x80000014, 1, ACC_STORE, PRIV_S));
    CHECK(!allows(0x80000010, 8, ACC_STORE, PRIV_S)); /* wider than the entry */
}

TEST(napot_sizes_from_8_bytes_to_the_whole_address_space)
{
    setup();
    pmp_write_addr(&hart, 0, 0x80000020 >> 2); /* no trailing ones: 8 bytes */
    set_cfg(0, NAPOT | R);
    CHECK(allows(0x80000020, 8, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x80000028, 4, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x8000001c, 4, ACC_LOAD, PRIV_S));

    setup();
    pmp_write_addr(&hart, 0, napot(0x80200000, 0x200000)); /* 2 MiB */
    set_cfg(0, NAPOT | R);
    CHECK(allows(0x80200000, 8, ACC_LOAD, PRIV_S));
    CHECK(allows(0x803ffff8, 8, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x80400000, 8, ACC_LOAD, PRIV_S));
    CHECK(!allows(0x801ffff8, 8, ACC_LOAD, PRIV_S));

    setup();
    pmp_write_addr(&hart, 0, ~0ull); /* all ones: everything */
    set_cfg(0, NAPOT | X);
    CHECK(allows(0x0, 4, ACC_FETCH, PRIV_U));
    CHECK(allows(0xfffffffffffff0ull, 4, ACC_FETCH, PRIV_U));
    CHECK(!allows(0x1000, 4, ACC_LOAD, PRIV_U));
}

TEST(lowest_numbered_matching_entry_decides)
{
    setup();
    pmp_write_addr(&hart, 2, napot(0x80000000, 0x1000));
    set_cfg(2, NAPOT); /* no access to the first page ... */
    pmp_write_addr(&hart, 5, napot(0x80000000, 0x100000));
    set_cfg(5, NAPOT | R | W | X); /* ... carved out of a 1 MiB grant */
    CHECK(!allows(0x80000800, 8, ACC_LOAD, PRIV_S));
    CHECK(allows(0x80001000, 8, ACC_LOAD, PRIV_S));
    /* swapped priorities: the grant wins */
    setup();
    pmp_write_addr(&hart, 2, napot(0x80000000, 0x100000));
    set_cfg(2, NAPOT | R | W | X);
    pmp_write_addr(&hart, 5, napot(0x80000000, 0x1000));
    set_cfg(5, NAPOT);
    CHECK(allows(0x80000800, 8, ACC_LOAD, PRIV_S));
}

TEST(access_partly_inside_the_deciding_entry_fails)
{
    setup();
    pmp_write_addr(&hart, 0, napot(0x80000000, 0x1000));
    set_cfg(0, NAPOT | R | W | X);
    pmp_write_addr(&hart, 1, napot(0x80000000, 0x100000));
    set_cfg(1, NAPOT | R | W | X);
    /* straddles entry 0's top: entry 0 matches some bytes, so it decides, and fails */
    CHECK(!allows(0x80000ffc, 8, ACC_LOAD, PRIV_S));
    /* even for M-mode on an unlocked entry */
    CHECK(!allows(0x80000ffc, 8, ACC_LOAD, PRIV_M));
    CHECK(allows(0x80000ff8, 8, ACC_LOAD, PRIV_M));
    /* and the whole page is not one outcome (what the TLB refill asks) */
    CHECK(!allows(0x80000000, 0x2000, ACC_LOAD, PRIV_S));
    CHECK(allows(0x80001000, 0x1000, ACC_LOAD, PRIV_S));
}

TEST(unlocked_entries_do_not_restrict_m_mode_and_locked_ones_do)
{
    setup();
    pmp_write_addr(&hart, 0, napot(0x80000000, 0x1000));
    set_cfg(0, NAPOT | R);
    CHECK(allows(0x80000000, 8, ACC_STORE, PRIV_M));
    CHECK(allows(0x80000000, 4, ACC_FETCH, PRIV_M));
    set_cfg(0, NAPOT | R | L);
    CHECK(allows(0x80000000, 8, ACC_LOAD, PRIV_M));
    CHECK(!allows(0x80000000, 8, ACC_STORE, PRIV_M));
    CHECK(!allows(0x80000000, 4, ACC_FETCH, PRIV_M));
    CHECK(!allows(0x80000000, 8, ACC_STORE, PRIV_S));
}

TEST(locked_entry_ignores_cfg_and_addr_writes)
{
    setup();
    pmp_write_addr(&hart, 4, napot(0x80000000, 0x1000));
    set_cfg(4, NAPOT | R | L);
    pmp_write_cfg(&hart, 0, 0);
    CHECK_EQ(hart.pmpcfg[4], NAPOT | R | L);
    pmp_write_addr(&hart, 4, 0x12345);
    CHECK_EQ(pmp_read_addr(&hart, 4), napot(0x80000000, 0x1000));
    /* its neighbours stay writable */
    set_cfg(3, NA4 | W | R);
    CHECK_EQ(hart.pmpcfg[3], NA4 | W | R);
    pmp_write_addr(&hart, 3, 0x777);
    CHECK_EQ(pmp_read_addr(&hart, 3), 0x777);
}

TEST(locked_tor_entry_also_locks_the_previous_address)
{
    setup();
    pmp_write_addr(&hart, 6, 0x80000000 >> 2);
    pmp_write_addr(&hart, 7, 0x80010000 >> 2);
    set_cfg(7, TOR | R | L);
    pmp_write_addr(&hart, 6, 0x1000 >> 2);
    CHECK_EQ(pmp_read_addr(&hart, 6), 0x80000000 >> 2);
    CHECK(allows(0x7ffffff8, 8, ACC_STORE, PRIV_M)); /* below the range: M default */
    CHECK(!allows(0x80000000, 8, ACC_STORE, PRIV_M));
    /* a locked NAPOT entry does not lock its predecessor */
    setup();
    pmp_write_addr(&hart, 7, napot(0x80000000, 0x1000));
    set_cfg(7, NAPOT | R | L);
    pmp_write_addr(&hart, 6, 0x1000 >> 2);
    CHECK_EQ(pmp_read_addr(&hart, 6), 0x1000 >> 2);
}

TEST(cfg_registers_pack_eight_entries_and_cfg2_holds_entries_8_to_15)
{
    setup();
    pmp_write_cfg(&hart, 0, 0x0f0d0d0c0b090908ull);
    pmp_write_cfg(&hart, 2, 0x1f1d1d1c1b191918ull);
    CHECK_EQ(hart.pmpcfg[0], 0x08);
    CHECK_EQ(hart.pmpcfg[7], 0x0f);
    CHECK_EQ(hart.pmpcfg[8], 0x18);
    CHECK_EQ(hart.pmpcfg[15], 0x1f);
    CHECK_EQ(pmp_read_cfg(&hart, 0), 0x0f0d0d0c0b090908ull);
    CHECK_EQ(pmp_read_cfg(&hart, 2), 0x1f1d1d1c1b191918ull);
    /* pmpcfg1 and pmpcfg3 do not exist on RV64 */
    pmp_write_cfg(&hart, 1, ~0ull);
    pmp_write_cfg(&hart, 3, ~0ull);
    CHECK_EQ(pmp_read_cfg(&hart, 1), 0);
    CHECK_EQ(pmp_read_cfg(&hart, 0), 0x0f0d0d0c0b090908ull);
    CHECK_EQ(pmp_read_cfg(&hart, 2), 0x1f1d1d1c1b191918ull);
}

TEST(reserved_r0_w1_write_keeps_the_previous_cfg_and_bits_6_5_are_kept)
{
    setup();
    set_cfg(0, NAPOT | R);
    set_cfg(0, NAPOT | W); /* R=0 W=1 is reserved (WARL): the entry keeps its legal value */
    CHECK_EQ(hart.pmpcfg[0], NAPOT | R);
    set_cfg(1, 0x60 | R); /* bits 6:5 are kept as written, as QEMU 7.2 does */
    CHECK_EQ(hart.pmpcfg[1], 0x60 | R);
}

TEST(pmpaddr_holds_54_bits)
{
    setup();
    pmp_write_addr(&hart, 0, ~0ull);
    CHECK_EQ(pmp_read_addr(&hart, 0), (1ull << 54) - 1);
    pmp_write_addr(&hart, 15, 0x123456789abcdefull);
    CHECK_EQ(pmp_read_addr(&hart, 15), 0x123456789abcdefull & ((1ull << 54) - 1));
}

TEST(every_pmp_write_flushes_the_tlb)
{
    setup();
    hart.tlb[PRIV_S][ACC_LOAD][3].tag = 3;
    pmp_write_cfg(&hart, 0, 0x1f);
    CHECK_EQ(hart.tlb[PRIV_S][ACC_LOAD][3].tag, TLB_INVALID);
    hart.tlb[PRIV_U][ACC_STORE][5].tag = 5;
    pmp_write_addr(&hart, 2, 0x1000);
    CHECK_EQ(hart.tlb[PRIV_U][ACC_STORE][5].tag, TLB_INVALID);
}

TEST(access_wrapping_the_address_space_is_denied)
{
    setup();
    CHECK(!allows(0xfffffffffffffffcull, 8, ACC_LOAD, PRIV_M));
}

TEST_MAIN("pmp")
