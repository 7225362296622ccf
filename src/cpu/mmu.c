/* Address translation for the hart: the Sv39/Sv48/Sv57 page walk with hardware A/D updates,
 * PMP and bus checks on the physical side, the refill of the software TLB, and the slow paths
 * behind the inline mem_load/mem_store/mem_fetch of cpu_priv.h.
 *
 * TLB refill rule (the invariant in cpu.h): after a successful translation of an access to
 * RAM, the entry for that access kind is filled only if the whole 4 KiB physical page has the
 * same PMP outcome for that kind at the effective privilege; MMIO is never entered. A store
 * walk always leaves D set in the PTE before the store entry is filled, so a store that hits
 * the TLB never needs to set D. Entries depend on priv, MPRV/MPP, SUM and MXR, whose writers
 * flush. */
#include "cpu_priv.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PAGE_MASK (PAGE_SIZE - 1)

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
/* Bits 63:54: N (Svnapot), PBMT (Svpbmt) and reserved. Neither extension is implemented, so
 * any of them set is a page fault. */
#define PTE_HIGH_SHIFT 54

enum xlate_result { XL_OK, XL_PAGE_FAULT, XL_ACCESS_FAULT };

static const uint8_t page_fault_cause[3] = {
    [ACC_FETCH] = EXC_INSN_PAGE, [ACC_LOAD] = EXC_LOAD_PAGE, [ACC_STORE] = EXC_STORE_PAGE};
static const uint8_t access_fault_cause[3] = {
    [ACC_FETCH] = EXC_INSN_ACCESS, [ACC_LOAD] = EXC_LOAD_ACCESS, [ACC_STORE] = EXC_STORE_ACCESS};

static void raise_fault(struct hart *h, enum xlate_result r, enum access acc, uint64_t tval)
{
    hart_raise(h, r == XL_PAGE_FAULT ? page_fault_cause[acc] : access_fault_cause[acc], tval);
}

/* Page-table levels for satp's mode; 0 for Bare (the satp writer admits no other mode). */
static unsigned satp_levels(uint64_t satp)
{
    switch (satp >> SATP_MODE_SHIFT) {
    case SATP_MODE_SV39:
        return 3;
    case SATP_MODE_SV48:
        return 4;
    case SATP_MODE_SV57:
        return 5;
    default:
        return 0;
    }
}

/* Does a valid leaf PTE grant acc at priv, given mstatus.SUM and MXR? */
static bool leaf_allows(uint64_t pte, enum access acc, unsigned priv, bool sum, bool mxr)
{
    if (priv == PRIV_U) {
        if (!(pte & PTE_U))
            return false;
    } else if (pte & PTE_U) {
        /* S-mode reaches user pages only for data, and only with SUM. */
        if (acc == ACC_FETCH || !sum)
            return false;
    }
    switch (acc) {
    case ACC_FETCH:
        return pte & PTE_X;
    case ACC_LOAD:
        return (pte & PTE_R) || (mxr && (pte & PTE_X));
    default:
        return pte & PTE_W;
    }
}

/* The privileged spec's translation process, with A/D set in the PTE by compare-and-swap
 * (restarting the walk if the PTE changed underneath). Page-table reads are checked by PMP at
 * S-mode and must lie in RAM; either failure is an access fault of the original kind. */
static enum xlate_result walk(struct hart *h, uint64_t va, enum access acc, unsigned priv,
                              unsigned levels, uint64_t *pa)
{
    if (sext(va, PAGE_SHIFT + 9 * levels) != va)
        return XL_PAGE_FAULT; /* not canonical */
    bool sum = h->mstatus & MSTATUS_SUM, mxr = h->mstatus & MSTATUS_MXR;
restart:;
    uint64_t table = (h->satp & SATP_PPN_MASK) << PAGE_SHIFT;
    for (int level = (int)levels - 1; level >= 0; level--) {
        unsigned shift = PAGE_SHIFT + 9 * (unsigned)level;
        uint64_t pte_pa = table + ((va >> shift) & 511) * 8;
        if (!pmp_allows(h, pte_pa, 8, ACC_LOAD, PRIV_S))
            return XL_ACCESS_FAULT;
        uint64_t *slot = (uint64_t *)bus_ram_ptr(h->bus, pte_pa, 8);
        if (!slot)
            return XL_ACCESS_FAULT;
        uint64_t pte = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
        if (!(pte & PTE_V) || (pte & (PTE_R | PTE_W)) == PTE_W || (pte >> PTE_HIGH_SHIFT))
            return XL_PAGE_FAULT;
        uint64_t ppn = pte >> PTE_PPN_SHIFT;
        if (!(pte & (PTE_R | PTE_X))) {
            /* A pointer to the next level; D, A and U are reserved in it. */
            if (pte & (PTE_D | PTE_A | PTE_U))
                return XL_PAGE_FAULT;
            table = ppn << PAGE_SHIFT;
            continue;
        }
        if (!leaf_allows(pte, acc, priv, sum, mxr))
            return XL_PAGE_FAULT;
        uint64_t offset_mask = (1ull << shift) - 1;
        if ((ppn << PAGE_SHIFT) & offset_mask)
            return XL_PAGE_FAULT; /* misaligned superpage */
        uint64_t want = pte | PTE_A | (acc == ACC_STORE ? PTE_D : 0);
        if (want != pte) {
            if (!pmp_allows(h, pte_pa, 8, ACC_STORE, PRIV_S))
                return XL_ACCESS_FAULT;
            if (!__atomic_compare_exchange_n(slot, &pte, want, false, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
                goto restart;
        }
        *pa = (ppn << PAGE_SHIFT) | (va & offset_mask);
        h->walk_level = (uint8_t)level;
        return XL_OK;
    }
    return XL_PAGE_FAULT; /* the last level held a pointer */
}

/* The debugger's walk: the mapping only, as the hart's own privilege and satp see it; no
 * permission checks (a debugger may read what the guest may not), no A/D updates, no PMP. */
int hart_debug_translate(struct hart *h, uint64_t va, uint64_t *pa)
{
    unsigned levels = h->priv == PRIV_M ? 0 : satp_levels(h->satp);
    if (!levels) {
        *pa = va;
        return 0;
    }
    if (sext(va, PAGE_SHIFT + 9 * levels) != va)
        return -ERR_NOTFOUND;
    uint64_t table = (h->satp & SATP_PPN_MASK) << PAGE_SHIFT;
    for (int level = (int)levels - 1; level >= 0; level--) {
        unsigned shift = PAGE_SHIFT + 9 * (unsigned)level;
        const uint64_t *slot =
            (const uint64_t *)bus_ram_ptr(h->bus, table + ((va >> shift) & 511) * 8, 8);
        if (!slot)
            return -ERR_NOTFOUND;
        uint64_t pte = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
        if (!(pte & PTE_V) || (pte & (PTE_R | PTE_W)) == PTE_W || (pte >> PTE_HIGH_SHIFT))
            return -ERR_NOTFOUND;
        uint64_t ppn = pte >> PTE_PPN_SHIFT;
        if (!(pte & (PTE_R | PTE_X))) {
            table = ppn << PAGE_SHIFT;
            continue;
        }
        uint64_t offset_mask = (1ull << shift) - 1;
        if ((ppn << PAGE_SHIFT) & offset_mask)
            return -ERR_NOTFOUND;
        *pa = (ppn << PAGE_SHIFT) | (va & offset_mask);
        return 0;
    }
    return -ERR_NOTFOUND;
}

static void tlb_refill(struct hart *h, uint64_t va, uint64_t pa, enum access acc, unsigned priv)
{
    uint64_t page = pa & ~PAGE_MASK;
    uint8_t *host = bus_ram_ptr(h->bus, page, PAGE_SIZE);
    if (!host || !pmp_allows(h, page, PAGE_SIZE, acc, priv))
        return;
    /* Stores to a page holding translated code stay on the slow path, which invalidates it. */
    if (acc == ACC_STORE && bus_page_has_code(h->bus, page))
        return;
    struct tlb_entry *e = tlb_slot(h, acc, va);
    e->tag = va & ~PAGE_MASK;
    h->tlb_level[h->priv][acc][(va >> PAGE_SHIFT) & (TLB_SIZE - 1)] = h->walk_level;
    if (h->walk_level) {
        uint64_t size = 1ull << (PAGE_SHIFT + 9 * h->walk_level);
        uint64_t lo = va & ~(size - 1), last = lo + (size - 1);
        uint64_t *slo = &h->tlb_super_lo[h->priv][acc];
        uint64_t *slast = &h->tlb_super_last[h->priv][acc];
        *slo = lo < *slo ? lo : *slo;
        *slast = last > *slast ? last : *slast;
    }
    e->addend = (uintptr_t)host - (uintptr_t)(va & ~PAGE_MASK);
    /* Another hart's translator may have marked the page between the test above and the
     * entry: it sets the mark, then clears matching store entries of every hart. Looking at
     * the mark again after a full fence means one of the two always sees the other. */
    if (acc == ACC_STORE && h->bus->code_pages) {
        atomic_thread_fence(memory_order_seq_cst);
        if (bus_page_has_code(h->bus, page))
            e->tag = TLB_INVALID;
    }
}

/* The physical side of an access: PMP, then the bus. *host is the RAM pointer, or NULL for
 * MMIO (left to bus_read/bus_write, which may still fail on a region's edge). */
static enum xlate_result phys_check(struct hart *h, uint64_t va, uint64_t pa, unsigned size,
                                    enum access acc, unsigned priv, uint8_t **host)
{
    if (!pmp_allows(h, pa, size, acc, priv))
        return XL_ACCESS_FAULT;
    uint8_t *ram = bus_ram_ptr(h->bus, pa, size);
    if (ram)
        tlb_refill(h, va, pa, acc, priv);
    else if (!bus_ram_ptr(h->bus, pa, 1) && !bus_find(h->bus, pa)) {
        if (h->bus->on_unassigned)
            h->bus->on_unassigned(pa, size, acc == ACC_STORE);
        return XL_ACCESS_FAULT;
    }
    *host = ram;
    return XL_OK;
}

static unsigned effective_priv(const struct hart *h, enum access acc)
{
    return acc == ACC_FETCH ? h->priv : hart_data_priv(h);
}

/* Translates and checks [va, va+size), which lies within one page. Raises nothing. */
static enum xlate_result xlate(struct hart *h, uint64_t va, unsigned size, enum access acc,
                               uint64_t *pa, uint8_t **host)
{
    unsigned priv = effective_priv(h, acc);
    unsigned levels = priv == PRIV_M ? 0 : satp_levels(h->satp);
    *pa = va;
    h->walk_level = 0;
    if (levels) {
        enum xlate_result r = walk(h, va, acc, priv, levels, pa);
        if (trace_on(TRACE_MMU))
            debug_trace_walk(h, va, acc, priv, levels, r == XL_OK, *pa);
        if (r != XL_OK)
            return r;
    }
    return phys_check(h, va, *pa, size, acc, priv, host);
}

bool mmu_translate(struct hart *h, uint64_t va, unsigned size, enum access acc, uint64_t *pa)
{
    uint8_t *host;
    enum xlate_result r = xlate(h, va, size, acc, pa, &host);
    if (r != XL_OK) {
        raise_fault(h, r, acc, va);
        return false;
    }
    return true;
}

/* One page's share of a data access. */
struct piece {
    uint64_t va, pa;
    uint8_t *host;
    unsigned size;
};

/* Splits a data access at the page boundary and translates every piece before any is
 * performed, so a fault on the second page leaves memory and devices untouched. A fault
 * reports the faulting piece's first address: the access's own address on the first page,
 * the second page's base on the second, as QEMU 7.2 does. Returns the piece count, 0 on a
 * fault (raised). */
static unsigned split(struct hart *h, uint64_t va, unsigned size, enum access acc,
                      struct piece p[2])
{
    unsigned room = (unsigned)(PAGE_SIZE - (va & PAGE_MASK));
    unsigned n = size > room ? 2 : 1;
    p[0].va = va;
    p[0].size = n == 2 ? room : size;
    if (n == 2) {
        p[1].va = va + room;
        p[1].size = size - room;
    }
    for (unsigned i = 0; i < n; i++) {
        enum xlate_result r = xlate(h, p[i].va, p[i].size, acc, &p[i].pa, &p[i].host);
        if (r != XL_OK) {
            raise_fault(h, r, acc, p[i].va);
            return 0;
        }
    }
    return n;
}

static bool is_bus_width(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

static bool piece_read(struct hart *h, const struct piece *p, uint64_t *val)
{
    uint64_t v = 0;
    if (p->host) {
        memcpy(&v, p->host, p->size); /* little-endian host */
    } else if (is_bus_width(p->size)) {
        if (bus_read(h->bus, p->pa, p->size, &v))
            return false;
    } else {
        for (unsigned i = 0; i < p->size; i++) {
            uint64_t byte;
            if (bus_read(h->bus, p->pa + i, 1, &byte))
                return false;
            v |= (byte & 0xff) << (8 * i);
        }
    }
    *val = v;
    return true;
}

static bool piece_write(struct hart *h, const struct piece *p, uint64_t val)
{
    if (p->host) {
        memcpy(p->host, &val, p->size);
        bus_note_write(h->bus, p->pa, p->size);
        return true;
    }
    if (is_bus_width(p->size))
        return bus_write(h->bus, p->pa, p->size, val) == 0;
    for (unsigned i = 0; i < p->size; i++)
        if (bus_write(h->bus, p->pa + i, 1, (val >> (8 * i)) & 0xff))
            return false;
    return true;
}

bool mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
    struct piece p[2];
    unsigned n = split(h, va, size, ACC_LOAD, p);
    if (!n)
        return false;
    uint64_t v = 0;
    unsigned shift = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t part;
        if (!piece_read(h, &p[i], &part)) {
            hart_raise(h, EXC_LOAD_ACCESS, p[i].va);
            return false;
        }
        v |= part << shift; /* shift < 64: a second piece follows a first of under 8 bytes */
        shift += 8 * p[i].size;
    }
    *val = v;
    return true;
}

bool mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
    struct piece p[2];
    unsigned n = split(h, va, size, ACC_STORE, p);
    if (!n)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (!piece_write(h, &p[i], val)) {
            hart_raise(h, EXC_STORE_ACCESS, p[i].va);
            return false;
        }
        if (i + 1 < n)
            val >>= 8 * p[i].size;
    }
    return true;
}

/* One 16-bit parcel; a fault reports the parcel's own address. */
static bool fetch_parcel(struct hart *h, uint64_t va, uint64_t *val)
{
    /* The high parcel usually shares a page the low parcel's translation just entered. */
    const struct tlb_entry *e = tlb_slot(h, ACC_FETCH, va);
    if (e->tag == (va & ~PAGE_MASK) && (va & PAGE_MASK) <= PAGE_SIZE - 2) {
        uint16_t v;
        memcpy(&v, (void *)(uintptr_t)(va + e->addend), 2);
        *val = v;
        return true;
    }
    struct piece p = {.va = va, .size = 2};
    enum xlate_result r = xlate(h, va, 2, ACC_FETCH, &p.pa, &p.host);
    if (r != XL_OK) {
        raise_fault(h, r, ACC_FETCH, va);
        return false;
    }
    if (!piece_read(h, &p, val)) {
        hart_raise(h, EXC_INSN_ACCESS, va);
        return false;
    }
    return true;
}

/* The low parcel, then the high one if the low says the instruction is 32 bits. A fault on the
 * high parcel reports its address (va + 2, the next page's base when the instruction crosses
 * pages), as the spec asks for variable-length instructions and QEMU 7.2 does. */
bool mmu_fetch_slow(struct hart *h, uint64_t va, uint32_t *insn)
{
    uint64_t lo, hi;
    if (!fetch_parcel(h, va, &lo))
        return false;
    if ((lo & 3) != 3) {
        *insn = (uint32_t)lo;
        return true;
    }
    if (!fetch_parcel(h, va + 2, &hi))
        return false;
    *insn = (uint32_t)(lo | hi << 16);
    return true;
}
