/* The world a random block runs in: the trap handlers (handlers.c), two Sv39 page-table roots
 * mapping the layout of diff.h with mixed permissions, random data, PMP, and a random initial
 * hart state.
 * Everything here is chosen so that a program always ends (a fetch fault reaches the M handler,
 * which sleeps in WFI) and never depends on anything but its seed. */
#include "cpu/cpu_priv.h"
#include "diff.h"

#include <string.h>

#define PTE_V 0x01ull
#define PTE_R 0x02ull
#define PTE_W 0x04ull
#define PTE_X 0x08ull
#define PTE_U 0x10ull
#define PTE_A 0x40ull
#define PTE_D 0x80ull

static void put64(struct prog *p, uint64_t pa, uint64_t v)
{
    memcpy(p->ram + (pa - RAM_BASE), &v, 8);
}

static uint64_t pte(uint64_t pa, uint64_t flags)
{
    return (pa >> 12) << 10 | flags;
}

/* A data page's leaf: mostly usable by the program's mode, sometimes not in one of the ways
 * the MMU distinguishes. user: the mode the program starts in is U. */
static uint64_t data_flags(struct rng *r, bool user)
{
    uint64_t f = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | (user ? PTE_U : 0);
    switch (rng_below(r, 20)) {
    case 0:
        return 0; /* unmapped */
    case 1:
        return f & ~PTE_W; /* read-only */
    case 2:
        return (f & ~(PTE_R | PTE_W)) | PTE_X; /* execute-only: loads need MXR */
    case 3:
        return f & ~PTE_A; /* the walk sets A */
    case 4:
        return f & ~PTE_D; /* a store sets D */
    case 5:
        return f ^ PTE_U; /* wrong side: SUM for S, a fault for U */
    case 6:
        return f & ~PTE_R; /* W without R: reserved */
    case 7:
        return f | PTE_X;
    default:
        return f;
    }
}

/* One root: root[2] -> L1, L1[0] -> L0 (or a 2 MiB megapage), L0 maps the layout. */
static void build_root(struct prog *p, struct rng *r, uint64_t root, uint64_t l0, bool user,
                       bool megapage)
{
    uint64_t l1 = root + PAGE;
    put64(p, root + 8 * ((RAM_BASE >> 30) & 511), pte(l1, PTE_V));
    if (megapage) {
        put64(p, l1, pte(RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D));
        return;
    }
    put64(p, l1, pte(l0, PTE_V));
    uint64_t u = user ? PTE_U : 0;
#define L0(va, flags) put64(p, l0 + 8 * (((va)-RAM_BASE) >> 12), pte(va, flags))
    L0(HANDLER_PA, PTE_V | PTE_R | PTE_X | PTE_A);
    L0(LOG_PA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    if (p->pt_mapped) /* for the generator's PTE edits (U programs too: nothing else can reach) */
        for (uint64_t pa = PT_PA; pa < PT_PA + 6 * PAGE; pa += PAGE)
            L0(pa, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | u);
    bool code_w = rng_pct(r, 50);
    for (unsigned i = 0; i < CODE_PAGES; i++) {
        uint64_t f = PTE_V | PTE_R | PTE_X | u | (rng_pct(r, 90) ? PTE_A : 0);
        if (code_w)
            f |= PTE_W | (rng_pct(r, 80) ? PTE_D : 0);
        if (rng_pct(r, 2))
            f ^= PTE_U;
        L0(CODE_PA + i * PAGE, f);
        p->code_pte[l0 == p->l0_b][i] = pte(CODE_PA + i * PAGE, f);
        /* The alias: the same physical page, writable, at another virtual address. */
        uint64_t alias = ALIAS_VA + i * PAGE;
        put64(p, l0 + 8 * ((alias - RAM_BASE) >> 12),
              pte(CODE_PA + i * PAGE, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | u));
    }
    for (unsigned i = 0; i < NDATA; i++)
        for (unsigned j = 0; j < 2; j++)
            L0(DATA_PA + i * DATA_STRIDE + j * PAGE, data_flags(r, user));
#undef L0
}

static uint64_t random_f32(struct rng *r)
{
    static const uint32_t special[] = {0,          0x80000000, 0x3f800000, 0xbf800000, 0x7f800000,
                                       0xff800000, 0x7fc00000, 0x7fa00000, 0x00000001, 0x807fffff,
                                       0x7f7fffff, 0x4b000000, 0x4f000000, 0xcf000000, 0x3effffff};
    uint32_t v =
        rng_pct(r, 50) ? special[rng_below(r, ARRAY_SIZE(special))] : (uint32_t)rng_next(r);
    return 0xffffffff00000000ull | v;
}

static uint64_t random_f64(struct rng *r)
{
    /* clang-format off */
    static const uint64_t special[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
        0x7ff4000000000000ull, 1, 0x800fffffffffffffull, 0x7fefffffffffffffull,
        0x4330000000000000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
        0x41e0000000000000ull, 0x3fdfffffffffffffull};
    /* clang-format on */
    return rng_pct(r, 50) ? special[rng_below(r, ARRAY_SIZE(special))] : rng_next(r);
}

/* PMP: usually one entry granting everything (S and U need a match); sometimes a small region
 * with other permissions in front of it, now and then locked so it binds M too. */
static void set_pmp(struct prog *p, struct rng *r)
{
    struct arch_state *s = &p->init;
    const uint64_t all = (1ull << 54) - 1;
    static const uint8_t perms[] = {0, 1, 5, 4, 3, 7}; /* never W without R */
    unsigned next = 0;
    if (rng_pct(r, 20)) {
        unsigned k = 3 + (unsigned)rng_below(r, 7); /* 8 to 512 bytes */
        uint64_t size = 1ull << k;
        uint64_t base = DATA_PA + rng_below(r, NDATA) * DATA_STRIDE + rng_below(r, 2 * PAGE);
        base &= ~(size - 1);
        s->pmpaddr[next] = base >> 2 | ((size >> 3) - 1);
        s->pmpcfg[next] =
            (uint8_t)(0x18 | perms[rng_below(r, ARRAY_SIZE(perms))] | (rng_pct(r, 10) ? 0x80 : 0));
        next++;
    } else if (rng_pct(r, 5)) {
        /* TOR from 0 to inside the data: the handlers, log and code below it keep every
         * permission (so a handler never faults), the data above it loses writing. */
        s->pmpaddr[next] = (DATA_PA + rng_below(r, NDATA * DATA_STRIDE)) >> 2;
        s->pmpcfg[next] = 0x08 | 7;
        next++;
        s->pmpaddr[next] = all;
        s->pmpcfg[next] = (uint8_t)(0x18 | (rng_pct(r, 50) ? 1 : 5));
        return;
    }
    s->pmpaddr[next] = all;
    s->pmpcfg[next] = 0x1f;
}

static void set_initial_state(struct prog *p, struct rng *r)
{
    struct arch_state *s = &p->init;
    for (unsigned i = 1; i < 32; i++)
        s->x[i] = rng_interesting(r);
    for (unsigned i = 0; i < 32; i++) {
        unsigned k = (unsigned)rng_below(r, 10);
        s->f[i] = k < 5 ? random_f32(r) : k < 9 ? random_f64(r) : rng_interesting(r);
    }
    s->pc = CODE_PA;

    uint64_t st = 2ull << 32 | 2ull << 34; /* UXL = SXL = 64 */
    unsigned fs = (unsigned)rng_below(r, 20);
    st |= (uint64_t)(fs == 0 ? 0 : fs < 4 ? 1 : fs < 7 ? 2 : 3) << MSTATUS_FS_SHIFT;
    if (rng_pct(r, 50))
        st |= MSTATUS_SUM;
    if (rng_pct(r, 30))
        st |= MSTATUS_MXR;
    if (rng_pct(r, 30))
        st |= MSTATUS_MIE;
    if (rng_pct(r, 30))
        st |= MSTATUS_SIE;
    if (rng_pct(r, 50))
        st |= MSTATUS_MPIE;
    if (rng_pct(r, 50))
        st |= MSTATUS_SPIE;
    if (rng_pct(r, 50))
        st |= MSTATUS_SPP;
    static const uint64_t mpp[] = {0, 1, 3};
    st |= mpp[rng_below(r, 3)] << MSTATUS_MPP_SHIFT;
    if (rng_pct(r, 10))
        st |= MSTATUS_MPRV;
    if (rng_pct(r, 10))
        st |= MSTATUS_TVM;
    if (rng_pct(r, 10))
        st |= MSTATUS_TW;
    /* Delegated exceptions: never illegal-instruction or fetch faults, so that the S handler's
     * own sret and fetches can only trap to M, and never an ecall, whose TLB flush in the M
     * handler the page-table edits rely on. */
    static const uint8_t delegable[] = {3, 4, 5, 6, 7, 13, 15};
    if (rng_pct(r, 50))
        for (unsigned i = 0; i < ARRAY_SIZE(delegable); i++)
            if (rng_pct(r, 50))
                s->medeleg |= 1ull << delegable[i];
    if (rng_pct(r, 30))
        s->mideleg = rng_next(r) & ((1ull << IRQ_SSI) | (1ull << IRQ_STI) | (1ull << IRQ_SEI));
    p->delegating = s->medeleg || s->mideleg;
    if (!p->delegating && rng_pct(r, 10))
        st |= MSTATUS_TSR;
    if ((st & MSTATUS_FS) == MSTATUS_FS)
        st |= MSTATUS_SD;
    s->mstatus = st;

    const uint64_t irqs = 0xaaa; /* SSI, MSI, STI, MTI, SEI, MEI */
    s->mie = rng_pct(r, 40) ? rng_next(r) & irqs : 0;
    s->mip = rng_pct(r, 10)
                 ? rng_next(r) & ((1ull << IRQ_SSI) | (1ull << IRQ_STI) | (1ull << IRQ_SEI))
                 : 0;
    s->mtvec = HANDLER_PA + MVEC_OFF + (rng_pct(r, 30) ? 1 : 0);
    s->stvec = HANDLER_PA + SVEC_OFF + (rng_pct(r, 30) ? 1 : 0);
    p->time = rng_next(r) >> 24;
    s->menvcfg = rng_pct(r, 20) ? MENVCFG_STCE : 0;
    s->senvcfg = rng_below(r, 2);
    s->stimecmp = p->time + rng_below(r, 5) - 2;
    s->mcounteren = rng_pct(r, 50) ? 0xffffffff : rng_next(r) & 0xffffffff;
    s->scounteren = rng_pct(r, 50) ? 0xffffffff : rng_next(r) & 0xffffffff;
    s->mcountinhibit = rng_pct(r, 10) ? rng_next(r) & 0xfffffffd : 0;
    s->mcycle = rng_interesting(r);
    s->minstret = rng_interesting(r);
    s->mscratch = rng_interesting(r);
    s->sscratch = rng_interesting(r);
    s->mepc = rng_next(r) & ~1ull;
    s->sepc = rng_next(r) & ~1ull;
    s->mcause = rng_below(r, 16);
    s->scause = rng_below(r, 16);
    s->mtval = rng_interesting(r);
    s->stval = rng_interesting(r);
    s->fflags = (uint32_t)rng_below(r, 32);
    s->frm = (uint32_t)(rng_pct(r, 90) ? rng_below(r, 5) : rng_below(r, 8));
    set_pmp(p, r);
}

void world_build(struct prog *p, struct rng *r)
{
    memset(p->ram, 0, RAM_SIZE);
    memset(&p->init, 0, sizeof(p->init));
    unsigned k = (unsigned)rng_below(r, 20);
    p->init.priv = k < 6 ? PRIV_M : k < 13 ? PRIV_S : PRIV_U;
    bool user = p->init.priv == PRIV_U;

    world_handlers(p);
    for (uint64_t pa = DATA_PA; pa < DATA_PA + NDATA * DATA_STRIDE; pa += 8)
        put64(p, pa, rng_pct(r, 70) ? rng_next(r) : rng_interesting(r));

    memset(p->code_pte, 0, sizeof(p->code_pte));
    p->pt_mapped = rng_pct(r, 50);
    uint64_t root_a = PT_PA, root_b = PT_PA + 3 * PAGE;
    p->l0_a = root_a + 2 * PAGE;
    p->l0_b = root_b + 2 * PAGE;
    build_root(p, r, root_a, p->l0_a, user, false);
    /* The megapage is supervisor-only: a U program could not fetch through it at all. */
    build_root(p, r, root_b, p->l0_b, user, !user && rng_pct(r, 30));
    uint64_t asid = rng_below(r, 4);
    p->satp_a = (uint64_t)SATP_MODE_SV39 << SATP_MODE_SHIFT | asid << 44 | root_a >> 12;
    p->satp_b = (uint64_t)SATP_MODE_SV39 << SATP_MODE_SHIFT | (asid ^ 1) << 44 | root_b >> 12;

    set_initial_state(p, r);
    k = (unsigned)rng_below(r, 20);
    p->init.satp = k < 14 ? p->satp_a : k < 17 ? p->satp_b : 0;

    /* The reserved registers. Bases sit in the middle of two-page regions so that any 12-bit
     * offset stays in the region; the edge base sits on the region's page boundary. */
    struct arch_state *s = &p->init;
    s->x[0] = 0;
    s->x[REG_SP] = DATA_PA + 0 * DATA_STRIDE + 0x800 + (rng_below(r, 0x800) & ~7ull);
    s->x[REG_B1] = DATA_PA + 1 * DATA_STRIDE + 0x800 + (rng_below(r, 0x800) & ~7ull);
    s->x[REG_B2] = DATA_PA + 2 * DATA_STRIDE + 0x800 + (rng_below(r, 0x800) & ~7ull);
    s->x[REG_EDGE] = DATA_PA + 3 * DATA_STRIDE + PAGE - rng_below(r, 4);
    s->x[REG_ALIAS] = p->init.satp && p->init.priv != PRIV_M ? ALIAS_VA - CODE_PA : 0;
    s->x[REG_LOG] = LOG_PA + 32 * rng_below(r, PAGE / 32);
}
