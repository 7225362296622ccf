/* The hart's address translation: Sv39/48/57 walks, page and access faults and their tval,
 * U/SUM/MXR/MPRV, A/D updates, the TLB refill rules and the load/store/fetch slow paths, on a
 * bus with 16 MiB of RAM and one test device, with page tables built in guest RAM. */
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

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (16ull << 20)
#define TABLES (RAM_BASE + 0x800000) /* page tables are allocated upwards from here */
#define DEV_BASE 0x10000000ull
#define DEV_SIZE 0x1000ull
#define DEV_BAD 0x800 /* device offsets from here on answer with a bus error */
#define ROM_BASE 0x1000ull

#define V (1ull << 0)
#define R (1ull << 1)
#define W (1ull << 2)
#define X (1ull << 3)
#define U (1ull << 4)
#define A (1ull << 6)
#define D (1ull << 7)
#define RWX (V | R | W | X | A | D)

enum { BARE = 0, SV39 = 8, SV48 = 9, SV57 = 10 };

static struct bus bus;
static struct hart hart;
static uint64_t root, next_table;
static unsigned levels;
static uint8_t dev_mem[DEV_SIZE];

static int dev_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    (void)dev;
    if (off >= DEV_BAD)
        return -ERR_BUSERR;
    uint64_t v = 0;
    memcpy(&v, dev_mem + off, size);
    *val = v;
    return 0;
}

static int dev_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    (void)dev;
    if (off >= DEV_BAD)
        return -ERR_BUSERR;
    memcpy(dev_mem + off, &val, size);
    return 0;
}

static const struct mmio_ops dev_ops = {"testdev", 1, 8, dev_read, dev_write, NULL};
static const struct mmio_ops rom_ops = {"testrom", 4, 4, dev_read, dev_write, NULL};

static uint64_t rd64(uint64_t pa)
{
    uint64_t v = 0;
    CHECK(bus_copy_from(&bus, pa, &v, 8) == 0);
    return v;
}

static void wr64(uint64_t pa, uint64_t v)
{
    CHECK(bus_copy_to(&bus, pa, &v, 8) == 0);
}

static void wr32(uint64_t pa, uint32_t v)
{
    CHECK(bus_copy_to(&bus, pa, &v, 4) == 0);
}

static uint64_t new_table(void)
{
    uint64_t t = next_table;
    next_table += 4096;
    return t;
}

/* Fresh RAM, a zeroed hart in S-mode with satp in mode over an empty root table, and PMP
 * entry 15 granting everything (so that lower entries can carve exceptions out of it). */
static void setup(unsigned mode)
{
    bus_free(&bus);
    bus_init(&bus, RAM_BASE, RAM_SIZE);
    CHECK(bus_add_mmio(&bus, DEV_BASE, DEV_SIZE, &dev_ops, NULL) == 0);
    CHECK(bus_add_mmio(&bus, ROM_BASE, DEV_SIZE, &rom_ops, NULL) == 0);
    memset(dev_mem, 0, sizeof(dev_mem));
    memset(&hart, 0, sizeof(hart));
    hart.bus = &bus;
    hart_tlb_flush(&hart);
    pmp_write_addr(&hart, 15, ~0ull);
    pmp_write_cfg(&hart, 2, 0x1full << 56); /* entry 15: NAPOT, RWX */
    hart.priv = PRIV_S;
    levels = mode == SV39 ? 3 : mode == SV48 ? 4 : mode == SV57 ? 5 : 0;
    next_table = TABLES;
    root = new_table();
    hart.satp = (uint64_t)mode << SATP_MODE_SHIFT | root >> 12;
}

/* Address of the PTE for va at level, creating pointer tables above it. */
static uint64_t pte_slot(uint64_t va, unsigned level)
{
    uint64_t table = root;
    for (unsigned l = levels - 1; l > level; l--) {
        uint64_t slot = table + ((va >> (12 + 9 * l)) & 511) * 8;
        uint64_t pte = rd64(slot);
        if (!(pte & V)) {
            pte = (new_table() >> 12) << 10 | V;
            wr64(slot, pte);
        }
        table = (pte >> 10) << 12;
    }
    return table + ((va >> (12 + 9 * level)) & 511) * 8;
}

/* Maps va to pa with a leaf at level (0: 4 KiB, 1: 2 MiB, ...); returns the leaf's address. */
static uint64_t map(uint64_t va, uint64_t pa, unsigned level, uint64_t flags)
{
    uint64_t slot = pte_slot(va, level);
    wr64(slot, (pa >> 12) << 10 | flags);
    return slot;
}

/* The pointer PTE one level above va's 4 KiB leaf. */
static uint64_t parent_slot(uint64_t va)
{
    return pte_slot(va, 1);
}

static void clear_exc(void)
{
    hart.exc_pending = false;
    hart.exc_cause = hart.exc_tval = 0;
}

static uint64_t load(uint64_t va, unsigned size)
{
    uint64_t v = 0;
    clear_exc();
    CHECK(mem_load(&hart, va, size, &v));
    CHECK(!hart.exc_pending);
    return v;
}

static void store(uint64_t va, unsigned size, uint64_t v)
{
    clear_exc();
    CHECK(mem_store(&hart, va, size, v));
    CHECK(!hart.exc_pending);
}

static uint32_t fetch(uint64_t va)
{
    uint32_t insn = 0;
    clear_exc();
    CHECK(mem_fetch(&hart, va, &insn));
    CHECK(!hart.exc_pending);
    return insn;
}

static void check_fault(bool ok, uint64_t cause, uint64_t tval, int line)
{
    if (ok || !hart.exc_pending || hart.exc_cause != cause || hart.exc_tval != tval) {
        fprintf(stderr,
                "%s:%d: expected fault %" PRIu64 " tval 0x%" PRIx64 ", got %s %" PRIu64
                " tval 0x%" PRIx64 "\n",
                __FILE__, line, cause, tval, ok ? "success" : "fault", hart.exc_cause,
                hart.exc_tval);
        test_failed_checks++;
        test_current_failed = 1;
    }
}

#define LOAD_FAULT(va, size, cause, tval)                                                          \
    do {                                                                                           \
        uint64_t v_;                                                                               \
        clear_exc();                                                                               \
        check_fault(mem_load(&hart, va, size, &v_), cause, tval, __LINE__);                        \
    } while (0)
#define STORE_FAULT(va, size, cause, tval)                                                         \
    do {                                                                                           \
        clear_exc();                                                                               \
        check_fault(mem_store(&hart, va, size, 0x5a5a5a5a5a5a5a5aull), cause, tval, __LINE__);     \
    } while (0)
#define FETCH_FAULT(va, cause, tval)                                                               \
    do {                                                                                           \
        uint32_t i_;                                                                               \
        clear_exc();                                                                               \
        check_fault(mem_fetch(&hart, va, &i_), cause, tval, __LINE__);                             \
    } while (0)

static bool tlb_has(enum access acc, uint64_t va)
{
    return tlb_slot(&hart, acc, va)->tag == (va & ~0xfffull);
}

TEST(bare_satp_maps_s_mode_addresses_to_themselves)
{
    setup(BARE);
    wr64(RAM_BASE + 0x100, 0x1122334455667788ull);
    CHECK_EQ(load(RAM_BASE + 0x100, 8), 0x1122334455667788ull);
    store(RAM_BASE + 0x104, 2, 0xabcd);
    CHECK_EQ(rd64(RAM_BASE + 0x100), 0x1122abcd55667788ull);
}

TEST(m_mode_is_never_translated)
{
    setup(SV39); /* empty root table: every translated access would fault */
    wr64(RAM_BASE + 0x40, 42);
    hart.priv = PRIV_M;
    CHECK_EQ(load(RAM_BASE + 0x40, 8), 42);
    wr32(RAM_BASE, 0x00000013);
    CHECK_EQ(fetch(RAM_BASE), 0x13);
    hart.priv = PRIV_S;
    hart_tlb_flush(&hart);
    LOAD_FAULT(RAM_BASE + 0x40, 8, EXC_LOAD_PAGE, RAM_BASE + 0x40);
}

TEST(sv39_4k_page_serves_loads_stores_and_fetches)
{
    setup(SV39);
    uint64_t va = 0x40001000, pa = RAM_BASE + 0x5000;
    map(va, pa, 0, RWX);
    store(va + 8, 4, 0xdeadbeef);
    CHECK_EQ(rd64(pa + 8), 0xdeadbeef);
    CHECK_EQ(load(va + 8, 8), 0xdeadbeef);
    CHECK_EQ(load(va + 9, 1), 0xbe);
    wr32(pa + 0x10, 0x00000013);
    CHECK_EQ(fetch(va + 0x10), 0x13);
    wr32(pa + 0x20, 0xffff0001); /* c.nop followed by garbage */
    CHECK_EQ(fetch(va + 0x20), 0x0001);
}

TEST(sv39_megapage_and_gigapage_leaves)
{
    setup(SV39);
    map(0x40200000, RAM_BASE + 0x200000, 1, RWX);
    wr64(RAM_BASE + 0x212340, 0x2222);
    CHECK_EQ(load(0x40212340, 8), 0x2222);
    map(0xc0000000, RAM_BASE, 2, RWX); /* RAM_BASE is 1 GiB aligned */
    wr64(RAM_BASE + 0x345678, 0x3333);
    CHECK_EQ(load(0xc0345678, 8), 0x3333);
    store(0xc0345680, 8, 0x4444);
    CHECK_EQ(rd64(RAM_BASE + 0x345680), 0x4444);
}

TEST(sv48_4k_page_and_512g_leaf)
{
    setup(SV48);
    map(0x800001000ull, RAM_BASE + 0x3000, 0, RWX);
    wr64(RAM_BASE + 0x3010, 0x4848);
    CHECK_EQ(load(0x800001010ull, 8), 0x4848);
    map(0x10000000000ull, 0, 3, RWX); /* 512 GiB at physical 0 */
    wr64(RAM_BASE + 0x120, 0x5120);
    CHECK_EQ(load(0x10000000000ull + RAM_BASE + 0x120, 8), 0x5120);
    /* 0x8000_0000_0000 has bit 47 set but not 63:48: not canonical for Sv48 */
    LOAD_FAULT(0x800000000000ull, 8, EXC_LOAD_PAGE, 0x800000000000ull);
}

TEST(sv57_4k_page_petapage_and_high_half)
{
    setup(SV57);
    map(1ull << 48, RAM_BASE + 0x7000, 0, RWX);
    wr64(RAM_BASE + 0x7008, 0x5757);
    CHECK_EQ(load((1ull << 48) + 8, 8), 0x5757);
    map(2ull << 48, 0, 4, RWX); /* 256 TiB leaf at physical 0 */
    wr64(RAM_BASE + 0x200, 0x256);
    CHECK_EQ(load((2ull << 48) + RAM_BASE + 0x200, 8), 0x256);
    uint64_t hi = 0xff00000000000000ull; /* bit 56 and above set: canonical */
    map(hi, RAM_BASE + 0x8000, 0, RWX);
    wr64(RAM_BASE + 0x8010, 0xff57);
    CHECK_EQ(load(hi + 0x10, 8), 0xff57);
    LOAD_FAULT(0x0100000000000000ull, 8, EXC_LOAD_PAGE, 0x0100000000000000ull);
}

TEST(sv39_non_canonical_address_page_faults_even_when_its_index_is_mapped)
{
    setup(SV39);
    map(0xffffffc000000000ull, RAM_BASE, 2, RWX); /* root index 256 */
    wr64(RAM_BASE + 0x80, 0x39);
    CHECK_EQ(load(0xffffffc000000080ull, 8), 0x39);
    /* Same root index, but bits 63:39 are not copies of bit 38. */
    LOAD_FAULT(0x4000000080ull, 8, EXC_LOAD_PAGE, 0x4000000080ull);
    STORE_FAULT(0x8000000000000080ull, 8, EXC_STORE_PAGE, 0x8000000000000080ull);
    FETCH_FAULT(0x7fffffc000000080ull, EXC_INSN_PAGE, 0x7fffffc000000080ull);
}

TEST(invalid_and_reserved_leaf_encodings_page_fault)
{
    static const uint64_t bad[] = {
        R | W | X | A | D, /* V=0 */
        V | W | A | D,     /* R=0 W=1 */
        V | W | X | A | D, /* R=0 W=1 X=1 */
        RWX | 1ull << 54,  /* reserved */
        RWX | 1ull << 60,  /* reserved */
        RWX | 1ull << 61,  /* PBMT without Svpbmt */
        RWX | 1ull << 63,  /* N without Svnapot */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        setup(SV39);
        uint64_t va = 0x2000;
        map(va, RAM_BASE + 0x2000, 0, bad[i]);
        LOAD_FAULT(va, 4, EXC_LOAD_PAGE, va);
        STORE_FAULT(va + 4, 4, EXC_STORE_PAGE, va + 4);
        FETCH_FAULT(va + 8, EXC_INSN_PAGE, va + 8);
    }
}

TEST(pointer_pte_with_a_d_u_or_high_bits_page_faults)
{
    static const uint64_t extra[] = {A, D, U, 1ull << 54, 1ull << 62};
    for (unsigned i = 0; i < ARRAY_SIZE(extra); i++) {
        setup(SV39);
        map(0x3000, RAM_BASE + 0x3000, 0, RWX);
        CHECK_EQ(load(0x3000, 1), 0);
        hart_tlb_flush(&hart);
        uint64_t p = parent_slot(0x3000);
        wr64(p, rd64(p) | extra[i]);
        LOAD_FAULT(0x3000, 1, EXC_LOAD_PAGE, 0x3000);
    }
}

TEST(pointer_at_the_last_level_page_faults)
{
    setup(SV39);
    map(0x4000, RAM_BASE + 0x4000, 0, V); /* R=W=X=0 at level 0: a pointer with nowhere to go */
    LOAD_FAULT(0x4000, 8, EXC_LOAD_PAGE, 0x4000);
}

TEST(misaligned_superpage_page_faults)
{
    setup(SV39);
    map(0x40200000, RAM_BASE + 0x1000, 1, RWX); /* 2 MiB leaf, 4 KiB-aligned PPN */
    LOAD_FAULT(0x40200000, 8, EXC_LOAD_PAGE, 0x40200000);
    map(0xc0000000, RAM_BASE + 0x200000, 2, RWX); /* 1 GiB leaf, 2 MiB-aligned PPN */
    FETCH_FAULT(0xc0000010, EXC_INSN_PAGE, 0xc0000010);
}

TEST(r_w_x_bits_decide_each_access_kind)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, V | R | A | D);
    map(0x2000, RAM_BASE + 0x2000, 0, V | X | A | D);
    map(0x3000, RAM_BASE + 0x3000, 0, V | R | W | A | D);
    CHECK_EQ(load(0x1000, 8), 0);
    STORE_FAULT(0x1000, 8, EXC_STORE_PAGE, 0x1000);
    FETCH_FAULT(0x1002, EXC_INSN_PAGE, 0x1002);
    LOAD_FAULT(0x2008, 8, EXC_LOAD_PAGE, 0x2008);
    STORE_FAULT(0x2008, 1, EXC_STORE_PAGE, 0x2008);
    fetch(0x2000);
    store(0x3000, 8, 1);
    FETCH_FAULT(0x3000, EXC_INSN_PAGE, 0x3000);
}

TEST(u_mode_reaches_only_user_pages)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);     /* supervisor page */
    map(0x2000, RAM_BASE + 0x2000, 0, RWX | U); /* user page */
    hart.priv = PRIV_U;
    LOAD_FAULT(0x1000, 8, EXC_LOAD_PAGE, 0x1000);
    STORE_FAULT(0x1000, 8, EXC_STORE_PAGE, 0x1000);
    FETCH_FAULT(0x1000, EXC_INSN_PAGE, 0x1000);
    CHECK_EQ(load(0x2000, 8), 0);
    store(0x2000, 8, 7);
    fetch(0x2000);
    hart.mstatus |= MSTATUS_SUM; /* SUM never opens supervisor pages to U-mode */
    hart_tlb_flush(&hart);
    LOAD_FAULT(0x1000, 8, EXC_LOAD_PAGE, 0x1000);
}

TEST(s_mode_reaches_user_pages_for_data_only_with_sum_and_never_executes_them)
{
    setup(SV39);
    map(0x2000, RAM_BASE + 0x2000, 0, RWX | U);
    LOAD_FAULT(0x2000, 8, EXC_LOAD_PAGE, 0x2000);
    STORE_FAULT(0x2000, 8, EXC_STORE_PAGE, 0x2000);
    FETCH_FAULT(0x2000, EXC_INSN_PAGE, 0x2000);
    hart.mstatus |= MSTATUS_SUM;
    hart_tlb_flush(&hart);
    CHECK_EQ(load(0x2000, 8), 0);
    store(0x2000, 8, 9);
    FETCH_FAULT(0x2000, EXC_INSN_PAGE, 0x2000);
}

TEST(mxr_makes_execute_only_pages_readable)
{
    setup(SV39);
    map(0x5000, RAM_BASE + 0x5000, 0, V | X | A | D);
    wr64(RAM_BASE + 0x5000, 0x4d5852);
    LOAD_FAULT(0x5000, 8, EXC_LOAD_PAGE, 0x5000);
    hart.mstatus |= MSTATUS_MXR;
    hart_tlb_flush(&hart);
    CHECK_EQ(load(0x5000, 8), 0x4d5852);
    CHECK(tlb_has(ACC_LOAD, 0x5000));
    STORE_FAULT(0x5000, 8, EXC_STORE_PAGE, 0x5000);
    /* nor does it open supervisor pages to U-mode */
    hart.priv = PRIV_U;
    hart_tlb_flush(&hart);
    LOAD_FAULT(0x5000, 8, EXC_LOAD_PAGE, 0x5000);
}

TEST(mprv_translates_m_mode_data_at_mpp_but_not_fetches)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x6000, 0, V | R | W | U | A | D);
    wr64(RAM_BASE + 0x6000, 0x6666);
    wr32(RAM_BASE + 0x1000, 0x0001);
    hart.priv = PRIV_M;
    hart.mstatus = MSTATUS_MPRV | (uint64_t)PRIV_U << MSTATUS_MPP_SHIFT;
    CHECK_EQ(load(0x1000, 8), 0x6666);
    store(0x1008, 8, 0x7777);
    CHECK_EQ(rd64(RAM_BASE + 0x6008), 0x7777);
    CHECK_EQ(fetch(RAM_BASE + 0x1000), 0x0001); /* fetches stay physical */
    /* MPP=S: the user page needs SUM */
    hart.mstatus = MSTATUS_MPRV | (uint64_t)PRIV_S << MSTATUS_MPP_SHIFT;
    hart_tlb_flush(&hart);
    LOAD_FAULT(0x1000, 8, EXC_LOAD_PAGE, 0x1000);
    /* MPP=M: physical again */
    hart.mstatus = MSTATUS_MPRV | (uint64_t)PRIV_M << MSTATUS_MPP_SHIFT;
    hart_tlb_flush(&hart);
    CHECK_EQ(load(RAM_BASE + 0x6000, 8), 0x6666);
}

TEST(walk_sets_accessed_on_any_access_and_dirty_on_stores)
{
    setup(SV39);
    uint64_t rw = map(0x1000, RAM_BASE + 0x1000, 0, V | R | W);
    uint64_t x = map(0x2000, RAM_BASE + 0x2000, 0, V | X);
    uint64_t ro = map(0x3000, RAM_BASE + 0x3000, 0, V | R);
    load(0x1000, 8);
    CHECK_EQ(rd64(rw) & (A | D), A);
    store(0x1000, 8, 1);
    CHECK_EQ(rd64(rw) & (A | D), A | D);
    fetch(0x2000);
    CHECK_EQ(rd64(x) & (A | D), A);
    STORE_FAULT(0x3000, 8, EXC_STORE_PAGE, 0x3000); /* a faulting access sets nothing */
    CHECK_EQ(rd64(ro) & (A | D), 0);
    /* superpage leaves get their bits too */
    uint64_t big = map(0x40200000, RAM_BASE + 0x200000, 1, V | R | W);
    store(0x40200008, 4, 5);
    CHECK_EQ(rd64(big) & (A | D), A | D);
}

TEST(store_tlb_entry_exists_only_once_the_pte_is_dirty)
{
    setup(SV39);
    uint64_t slot = map(0x1000, RAM_BASE + 0x1000, 0, V | R | W);
    load(0x1000, 8);
    CHECK(tlb_has(ACC_LOAD, 0x1000));
    CHECK(!tlb_has(ACC_STORE, 0x1000));
    CHECK(!tlb_has(ACC_FETCH, 0x1000));
    CHECK_EQ(rd64(slot) & D, 0);
    store(0x1008, 8, 3);
    CHECK_EQ(rd64(slot) & D, D);
    CHECK(tlb_has(ACC_STORE, 0x1000));
    /* The entries are used: a PTE cleared without a flush still translates ... */
    wr64(slot, 0);
    CHECK_EQ(load(0x1008, 8), 3);
    store(0x1010, 8, 4);
    CHECK_EQ(rd64(RAM_BASE + 0x1010), 4);
    /* ... until the flush */
    hart_tlb_flush(&hart);
    LOAD_FAULT(0x1008, 8, EXC_LOAD_PAGE, 0x1008);
}

TEST(mmio_pages_are_never_entered_in_the_tlb)
{
    setup(SV39);
    map(0x9000, DEV_BASE, 0, V | R | W | A | D);
    store(0x9010, 4, 0xcafef00d);
    uint32_t got;
    memcpy(&got, dev_mem + 0x10, 4);
    CHECK_EQ(got, 0xcafef00d);
    CHECK_EQ(load(0x9010, 4), 0xcafef00d);
    CHECK_EQ(load(0x9012, 2), 0xcafe);
    CHECK(!tlb_has(ACC_LOAD, 0x9000));
    CHECK(!tlb_has(ACC_STORE, 0x9000));
    /* a device's bus error is an access fault at the virtual address */
    LOAD_FAULT(0x9000 + DEV_BAD, 4, EXC_LOAD_ACCESS, 0x9000 + DEV_BAD);
    STORE_FAULT(0x9000 + DEV_BAD + 8, 8, EXC_STORE_ACCESS, 0x9000 + DEV_BAD + 8);
}

TEST(page_partly_covered_by_pmp_is_not_entered_in_the_tlb)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    /* entry 0: NA4 at RAM_BASE + 0x1100, no permissions */
    pmp_write_addr(&hart, 0, (RAM_BASE + 0x1100) >> 2);
    pmp_write_cfg(&hart, 0, 0x10);
    CHECK_EQ(load(0x1000, 8), 0);
    CHECK(!tlb_has(ACC_LOAD, 0x1000));
    store(0x1008, 8, 1);
    CHECK(!tlb_has(ACC_STORE, 0x1000));
    LOAD_FAULT(0x1100, 4, EXC_LOAD_ACCESS, 0x1100);
    LOAD_FAULT(0x10fe, 4, EXC_LOAD_ACCESS, 0x10fe); /* partly inside the entry */
    CHECK_EQ(load(0x1104, 4), 0);
}

TEST(page_table_reads_are_checked_by_pmp_at_s_mode)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    /* entry 0: NAPOT over the 64 KiB of page tables, no permissions */
    pmp_write_addr(&hart, 0, (TABLES >> 2) | ((0x10000 >> 3) - 1));
    pmp_write_cfg(&hart, 0, 0x18);
    LOAD_FAULT(0x1000, 8, EXC_LOAD_ACCESS, 0x1000);
    STORE_FAULT(0x1000, 8, EXC_STORE_ACCESS, 0x1000);
    FETCH_FAULT(0x1000, EXC_INSN_ACCESS, 0x1000);
    /* the walk is at S even for an M-mode access through MPRV */
    hart.priv = PRIV_M;
    hart.mstatus = MSTATUS_MPRV | (uint64_t)PRIV_S << MSTATUS_MPP_SHIFT;
    LOAD_FAULT(0x1000, 8, EXC_LOAD_ACCESS, 0x1000);
}

TEST(setting_a_or_d_needs_pmp_write_access_to_the_pte)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);           /* A and D already set */
    map(0x2000, RAM_BASE + 0x2000, 0, V | R | W | A); /* D clear */
    pmp_write_addr(&hart, 0, (TABLES >> 2) | ((0x10000 >> 3) - 1));
    pmp_write_cfg(&hart, 0, 0x18 | 0x01); /* read-only tables */
    CHECK_EQ(load(0x1000, 8), 0);
    store(0x1000, 8, 1);
    CHECK_EQ(load(0x2000, 8), 0);
    STORE_FAULT(0x2000, 8, EXC_STORE_ACCESS, 0x2000);
}

TEST(page_tables_outside_ram_give_access_faults)
{
    setup(SV39);
    hart.satp = (uint64_t)SV39 << SATP_MODE_SHIFT; /* root at physical 0: nothing there */
    LOAD_FAULT(0x1000, 8, EXC_LOAD_ACCESS, 0x1000);
    setup(SV39);
    wr64(root, (DEV_BASE >> 12) << 10 | V); /* a pointer into a device */
    FETCH_FAULT(0x1000, EXC_INSN_ACCESS, 0x1000);
}

TEST(pmp_denial_of_the_translated_address_is_an_access_fault)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    pmp_write_addr(&hart, 0, (RAM_BASE + 0x1000) >> 2 | 0x1ff); /* 4 KiB NAPOT */
    pmp_write_cfg(&hart, 0, 0x18 | 0x01);                       /* read only */
    CHECK_EQ(load(0x1ff8, 8), 0);
    STORE_FAULT(0x1ff8, 8, EXC_STORE_ACCESS, 0x1ff8);
    FETCH_FAULT(0x1ff8, EXC_INSN_ACCESS, 0x1ff8);
}

TEST(unbacked_physical_addresses_give_access_faults)
{
    setup(SV39);
    map(0x1000, 0x40000000, 0, RWX);
    LOAD_FAULT(0x1008, 8, EXC_LOAD_ACCESS, 0x1008);
    STORE_FAULT(0x1008, 8, EXC_STORE_ACCESS, 0x1008);
    FETCH_FAULT(0x1008, EXC_INSN_ACCESS, 0x1008);
    hart.priv = PRIV_M;
    LOAD_FAULT(0x0, 4, EXC_LOAD_ACCESS, 0x0);
    LOAD_FAULT(RAM_BASE + RAM_SIZE, 1, EXC_LOAD_ACCESS, RAM_BASE + RAM_SIZE);
}

TEST(misaligned_access_within_a_page_is_performed)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    store(0x1003, 8, 0x0807060504030201ull);
    CHECK_EQ(rd64(RAM_BASE + 0x1000), 0x0504030201000000ull);
    CHECK_EQ(load(0x1003, 8), 0x0807060504030201ull);
    CHECK_EQ(load(0x1005, 4), 0x06050403);
    CHECK_EQ(load(0x1007, 2), 0x0605);
}

TEST(access_crossing_pages_uses_each_pages_translation)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x9000, 0, RWX);
    map(0x2000, RAM_BASE + 0x4000, 0, RWX); /* physically below the first */
    store(0x1ffd, 8, 0x8877665544332211ull);
    CHECK_EQ(rd64(RAM_BASE + 0x9ff8), 0x3322110000000000ull);
    CHECK_EQ(rd64(RAM_BASE + 0x4000), 0x0000008877665544ull);
    CHECK_EQ(load(0x1ffd, 8), 0x8877665544332211ull);
    CHECK_EQ(load(0x1fff, 2), 0x4433);
    CHECK_EQ(load(0x1ffe, 4), 0x55443322);
}

TEST(store_crossing_into_a_faulting_page_changes_nothing_and_reports_that_page)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    map(0x2000, RAM_BASE + 0x2000, 0, V | R | A | D); /* read only */
    wr64(RAM_BASE + 0x1ff8, 0x1111111111111111ull);
    STORE_FAULT(0x1ffc, 8, EXC_STORE_PAGE, 0x2000);
    CHECK_EQ(rd64(RAM_BASE + 0x1ff8), 0x1111111111111111ull);
    CHECK_EQ(rd64(RAM_BASE + 0x2000), 0);
    LOAD_FAULT(0x2ffe, 4, EXC_LOAD_PAGE, 0x3000); /* 0x3000 unmapped */
    /* a fault on the first page reports the access's own address */
    LOAD_FAULT(0xffe, 4, EXC_LOAD_PAGE, 0xffe);
    STORE_FAULT(0xffa, 8, EXC_STORE_PAGE, 0xffa);
    CHECK_EQ(rd64(RAM_BASE + 0x1000), 0);
}

TEST(store_crossing_into_unbacked_memory_changes_nothing)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    map(0x2000, 0x40000000, 0, RWX);
    wr64(RAM_BASE + 0x1ff8, 0x2222222222222222ull);
    STORE_FAULT(0x1ffe, 4, EXC_STORE_ACCESS, 0x2000);
    CHECK_EQ(rd64(RAM_BASE + 0x1ff8), 0x2222222222222222ull);
}

TEST(access_crossing_from_ram_into_a_device_page)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    map(0x2000, DEV_BASE, 0, RWX);
    store(0x1ffe, 4, 0xa1b2c3d4);
    CHECK_EQ(rd64(RAM_BASE + 0x1ff8) >> 48, 0xc3d4);
    CHECK_EQ(dev_mem[0], 0xb2);
    CHECK_EQ(dev_mem[1], 0xa1);
    CHECK_EQ(load(0x1ffd, 8) >> 8, 0xa1b2c3d4);
}

TEST(fetch_joins_parcels_across_pages)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x9000, 0, RWX);
    map(0x2000, RAM_BASE + 0x4000, 0, RWX);
    CHECK(bus_copy_to(&bus, RAM_BASE + 0x9ffe, "\x93\x00", 2) == 0); /* addi x1, x0, 0x12 */
    CHECK(bus_copy_to(&bus, RAM_BASE + 0x4000, "\x20\x01", 2) == 0);
    CHECK_EQ(fetch(0x1ffe), 0x01200093);
}

TEST(fetch_fault_on_the_second_parcel_reports_its_address)
{
    setup(SV39);
    map(0x1000, RAM_BASE + 0x1000, 0, RWX);
    map(0x2000, RAM_BASE + 0x2000, 0, V | R | A | D); /* not executable */
    wr32(RAM_BASE + 0x1ffc, 0x00130001);              /* c.nop, then the low half of addi */
    CHECK_EQ(fetch(0x1ffc), 0x0001);
    FETCH_FAULT(0x1ffe, EXC_INSN_PAGE, 0x2000);
    wr32(RAM_BASE + 0x1ffc, 0x00010001); /* a compressed instruction needs no second page */
    CHECK_EQ(fetch(0x1ffe), 0x0001);
    /* within a page, PMP can end between the parcels too */
    pmp_write_addr(&hart, 0, (RAM_BASE + 0x1804) >> 2); /* NA4 over 0x1804..0x1807 */
    pmp_write_cfg(&hart, 0, 0x10);                      /* no access */
    wr32(RAM_BASE + 0x1800, 0x00130001);
    CHECK_EQ(fetch(0x1800), 0x0001);
    FETCH_FAULT(0x1802, EXC_INSN_ACCESS, 0x1804);
    FETCH_FAULT(0x1804, EXC_INSN_ACCESS, 0x1804);
}

TEST(fetch_from_a_device_region_goes_through_the_bus)
{
    setup(BARE);
    hart.priv = PRIV_M;
    uint32_t insn = 0x00000297; /* auipc t0, 0 */
    memcpy(dev_mem + 0x10, &insn, 4);
    uint16_t c = 0x4501; /* c.li a0, 0 */
    memcpy(dev_mem + 0x14, &c, 2);
    CHECK_EQ(fetch(ROM_BASE + 0x10), 0x00000297);
    CHECK_EQ(fetch(ROM_BASE + 0x14), 0x4501);
    CHECK(!tlb_has(ACC_FETCH, ROM_BASE));
    FETCH_FAULT(ROM_BASE + DEV_BAD, EXC_INSN_ACCESS, ROM_BASE + DEV_BAD);
}

TEST(mmu_translate_returns_the_physical_address_or_raises)
{
    setup(SV39);
    map(0x40200000, RAM_BASE + 0x200000, 1, V | R | A | D);
    uint64_t pa = 0;
    clear_exc();
    CHECK(mmu_translate(&hart, 0x40212345, 1, ACC_LOAD, &pa));
    CHECK_EQ(pa, RAM_BASE + 0x212345);
    clear_exc();
    CHECK(!mmu_translate(&hart, 0x40212348, 8, ACC_STORE, &pa));
    CHECK_EQ(hart.exc_cause, EXC_STORE_PAGE);
    CHECK_EQ(hart.exc_tval, 0x40212348);
    hart.priv = PRIV_M;
    clear_exc();
    CHECK(mmu_translate(&hart, RAM_BASE + 8, 8, ACC_STORE, &pa));
    CHECK_EQ(pa, RAM_BASE + 8);
}

TEST_MAIN("mmu")
