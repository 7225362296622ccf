/* Physical memory protection: sixteen entries, checked in priority order on every physical
 * access the hart makes, and at S-mode on every page-table read. Ranges are decoded from the
 * architectural CSR values on each check, so struct hart holds the only state; the TLB keeps
 * these checks off the hot path, and so every write here must flush it (see cpu.h). */
#include "cpu_priv.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A_SHIFT 3
#define PMP_A (3u << PMP_A_SHIFT)
#define PMP_L 0x80

enum { PMP_OFF, PMP_TOR, PMP_NA4, PMP_NAPOT };

/* pmpaddr holds physical address bits 55:2; bits 63:54 are read-only zero. */
#define PMPADDR_MASK ((1ull << 54) - 1)

static const uint8_t perm_bit[3] = {[ACC_FETCH] = PMP_X, [ACC_LOAD] = PMP_R, [ACC_STORE] = PMP_W};

static unsigned pmp_mode(uint8_t cfg)
{
    return (cfg & PMP_A) >> PMP_A_SHIFT;
}

/* The bytes [*lo, *hi) entry i matches; false if it matches none. hi can reach 2^57 (a NAPOT
 * entry of all ones), which still fits: physical addresses have 56 bits. */
static bool pmp_range(const struct hart *h, unsigned i, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = h->pmpaddr[i];
    switch (pmp_mode(h->pmpcfg[i])) {
    case PMP_TOR:
        /* Entry 0 uses zero as its bottom; an inverted or empty range matches nothing. */
        *lo = i ? h->pmpaddr[i - 1] << 2 : 0;
        *hi = a << 2;
        return *lo < *hi;
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 4;
        return true;
    case PMP_NAPOT: {
        /* k trailing ones encode a region of 2^(k+3) bytes; a < 2^54 so ~a has a set bit. */
        unsigned k = (unsigned)__builtin_ctzll(~a);
        uint64_t size = 1ull << (k + 3);
        *lo = (a << 2) & ~(size - 1);
        *hi = *lo + size;
        return true;
    }
    default:
        return false;
    }
}

/* The lowest-numbered entry matching any byte decides, and it must match every byte. With no
 * match, M-mode succeeds and S/U fail: sixteen entries are always implemented. */
bool pmp_allows(const struct hart *h, uint64_t pa, uint64_t size, enum access acc, unsigned priv)
{
    uint64_t last = pa + (size ? size : 1) - 1;
    if (last < pa)
        return false; /* wraps around the address space: nothing can match it whole */
    for (unsigned i = 0; i < PMP_COUNT; i++) {
        uint64_t lo, hi;
        if (!pmp_range(h, i, &lo, &hi) || last < lo || pa >= hi)
            continue;
        if (pa < lo || last >= hi)
            return false; /* partial match fails, whatever L, R, W and X say */
        uint8_t cfg = h->pmpcfg[i];
        if (priv == PRIV_M && !(cfg & PMP_L))
            return true;
        return (cfg & perm_bit[acc]) != 0;
    }
    return priv == PRIV_M;
}

/* pmpcfgN (N = 0 or 2 on RV64) packs entries 4N..4N+7, one byte each. A locked entry ignores
 * writes, and so does an entry written with the reserved R=0,W=1 combination (WARL: it keeps
 * its previous, legal value; QEMU 7.2 stores it as written, a departure the ISA suite marks).
 * Bits 6:5 are kept as written, as QEMU does. */
void pmp_write_cfg(struct hart *h, unsigned csr_index, uint64_t val)
{
    if (csr_index == 0 || csr_index == 2) {
        for (unsigned b = 0; b < 8; b++) {
            unsigned i = csr_index * 4 + b;
            uint8_t cfg = (uint8_t)(val >> (8 * b));
            bool reserved_rw = (cfg & (PMP_R | PMP_W)) == PMP_W;
            if (!(h->pmpcfg[i] & PMP_L) && !reserved_rw)
                h->pmpcfg[i] = cfg;
        }
    }
    hart_tlb_flush(h);
}

uint64_t pmp_read_cfg(const struct hart *h, unsigned csr_index)
{
    if (csr_index != 0 && csr_index != 2)
        return 0;
    uint64_t v = 0;
    for (unsigned b = 0; b < 8; b++)
        v |= (uint64_t)h->pmpcfg[csr_index * 4 + b] << (8 * b);
    return v;
}

/* pmpaddrN ignores writes when entry N is locked, or when entry N+1 is a locked TOR entry
 * (whose bottom it is). */
void pmp_write_addr(struct hart *h, unsigned n, uint64_t val)
{
    if (n < PMP_COUNT && !(h->pmpcfg[n] & PMP_L)) {
        bool next_locked_tor = n + 1 < PMP_COUNT && (h->pmpcfg[n + 1] & PMP_L) &&
                               pmp_mode(h->pmpcfg[n + 1]) == PMP_TOR;
        if (!next_locked_tor)
            h->pmpaddr[n] = val & PMPADDR_MASK;
    }
    hart_tlb_flush(h);
}

uint64_t pmp_read_addr(const struct hart *h, unsigned n)
{
    return n < PMP_COUNT ? h->pmpaddr[n] : 0;
}
