/* Control and status registers: existence (csr.def), privilege and read-only checks, and
 * each register's WARL write rules. The hpm counters and events (3..31) exist and read
 * zero, as on a hart with no programmable counters. A write that changes how addresses
 * translate (satp, MPRV/MPP/SUM/MXR) flushes the TLB. */
#include "cpu_priv.h"

#define SSTATUS_MASK                                                                          \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | MSTATUS_FS |       \
     MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)
#define MSTATUS_WRITABLE                                                                      \
    (SSTATUS_WRITABLE | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | \
     MSTATUS_TW | MSTATUS_TSR)
#define TRANSLATION_BITS (MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR)

#define MIP_S_BITS ((1ull << IRQ_SSI) | (1ull << IRQ_STI) | (1ull << IRQ_SEI))
#define MIE_BITS (MIP_S_BITS | (1ull << IRQ_MSI) | (1ull << IRQ_MTI) | (1ull << IRQ_MEI))
/* Exceptions that may be delegated to S-mode (ecall from M cannot). */
#define MEDELEG_BITS 0xb3ffull
#define MENVCFG_BITS (MENVCFG_STCE | 1ull) /* STCE, FIOM */
#define SENVCFG_BITS 1ull                  /* FIOM */

static bool csr_exists(unsigned csr)
{
    switch (csr) {
#define CSR(name, num) case num:
#include "csr.def"
#undef CSR
        return true;
    }
    if (csr >= 0xc03 && csr <= 0xc1f) /* hpmcounter3..31 */
        return true;
    if (csr >= 0xb03 && csr <= 0xb1f) /* mhpmcounter3..31 */
        return true;
    if (csr >= 0x323 && csr <= 0x33f) /* mhpmevent3..31 */
        return true;
    return false;
}

const char *csr_name(unsigned csr)
{
    switch (csr) {
#define CSR(name, num) case num: return #name;
#include "csr.def"
#undef CSR
    }
    return NULL;
}

static void mstatus_fix_sd(struct hart *h)
{
    if ((h->mstatus & MSTATUS_FS) == MSTATUS_FS)
        h->mstatus |= MSTATUS_SD;
    else
        h->mstatus &= ~MSTATUS_SD;
}

/* Sstc: STIP follows time >= stimecmp while menvcfg.STCE is set. */
void csr_update_stip(struct hart *h)
{
    if (!(h->menvcfg & MENVCFG_STCE))
        return;
    bool due = h->read_time(h->time_ctx) >= h->stimecmp;
    if (due)
        atomic_fetch_or(&h->mip, 1ull << IRQ_STI);
    else
        atomic_fetch_and(&h->mip, ~(1ull << IRQ_STI));
}

/* Counter access from S/U goes through mcounteren (and scounteren for U). */
static bool counter_enabled(const struct hart *h, unsigned index)
{
    if (h->priv == PRIV_M)
        return true;
    if (!((h->mcounteren >> index) & 1))
        return false;
    if (h->priv == PRIV_U && !((h->scounteren >> index) & 1))
        return false;
    return true;
}

/* Checks existence, privilege, read-only-ness and the extra gates (FS, TVM, counters,
 * Sstc). Returns false if the access must raise illegal-instruction. */
bool csr_accessible(const struct hart *h, unsigned csr, bool write)
{
    if (!csr_exists(csr))
        return false;
    if (((csr >> 8) & 3) > h->priv)
        return false;
    if (write && (csr >> 10) == 3)
        return false;
    if (csr <= 0x003)
        return (h->mstatus & MSTATUS_FS) != 0;
    if (csr >= 0xc00 && csr <= 0xc1f)
        return counter_enabled(h, csr - 0xc00);
    if (csr == 0x180 && h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))
        return false;
    if (csr == 0x14d && h->priv < PRIV_M) {
        if (!(h->menvcfg & MENVCFG_STCE) || !(h->mcounteren & 2))
            return false;
    }
    return true;
}

uint64_t csr_read(struct hart *h, unsigned csr)
{
    switch (csr) {
    case 0x001: return h->fflags;
    case 0x002: return h->frm;
    case 0x003: return h->frm << 5 | h->fflags;
    case 0xc00: case 0xb00: return h->mcycle;
    case 0xc01: return h->read_time(h->time_ctx);
    case 0xc02: case 0xb02: return h->minstret;
    case 0x100: return h->mstatus & SSTATUS_MASK;
    case 0x104: return h->mie & h->mideleg;
    case 0x105: return h->stvec;
    case 0x106: return h->scounteren;
    case 0x10a: return h->senvcfg;
    case 0x140: return h->sscratch;
    case 0x141: return h->sepc;
    case 0x142: return h->scause;
    case 0x143: return h->stval;
    case 0x144:
        csr_update_stip(h);
        return atomic_load(&h->mip) & h->mideleg;
    case 0x14d: return h->stimecmp;
    case 0x180: return h->satp;
    case 0xf11: case 0xf12: case 0xf13: case 0xf15: return 0;
    case 0xf14: return h->mhartid;
    case 0x300: return h->mstatus;
    case 0x301: return h->misa;
    case 0x302: return h->medeleg;
    case 0x303: return h->mideleg;
    case 0x304: return h->mie;
    case 0x305: return h->mtvec;
    case 0x306: return h->mcounteren;
    case 0x30a: return h->menvcfg;
    case 0x320: return h->mcountinhibit;
    case 0x340: return h->mscratch;
    case 0x341: return h->mepc;
    case 0x342: return h->mcause;
    case 0x343: return h->mtval;
    case 0x344:
        csr_update_stip(h);
        return atomic_load(&h->mip);
    case 0x3a0: return pmp_read_cfg(h, 0);
    case 0x3a2: return pmp_read_cfg(h, 2);
    }
    if (csr >= 0x3b0 && csr < 0x3b0 + PMP_COUNT)
        return pmp_read_addr(h, csr - 0x3b0);
    return 0; /* hpm counters and events */
}

static uint64_t warl_tvec(uint64_t old, uint64_t val)
{
    /* Modes 2 and 3 are reserved: such a write leaves the register unchanged. */
    return (val & 3) < 2 ? val : old;
}

/* Performs a write that csr_accessible allowed. */
void csr_write(struct hart *h, unsigned csr, uint64_t val)
{
    switch (csr) {
    case 0x001:
        h->fflags = val & 0x1f;
        goto fs_dirty;
    case 0x002:
        h->frm = val & 7;
        goto fs_dirty;
    case 0x003:
        h->fflags = val & 0x1f;
        h->frm = (val >> 5) & 7;
        goto fs_dirty;
    case 0xb00: h->mcycle = val; return;
    case 0xb02: h->minstret = val; return;
    case 0x100: {
        uint64_t old = h->mstatus;
        h->mstatus = (old & ~SSTATUS_WRITABLE) | (val & SSTATUS_WRITABLE);
        mstatus_fix_sd(h);
        if ((old ^ h->mstatus) & TRANSLATION_BITS)
            hart_tlb_status_changed(h, old);
        return;
    }
    case 0x104:
        h->mie = (h->mie & ~h->mideleg) | (val & h->mideleg & MIE_BITS);
        return;
    case 0x105: h->stvec = warl_tvec(h->stvec, val); return;
    case 0x106: h->scounteren = val & 0xffffffff; return;
    case 0x10a: h->senvcfg = val & SENVCFG_BITS; return;
    case 0x140: h->sscratch = val; return;
    case 0x141: h->sepc = val & ~1ull; return;
    case 0x142: h->scause = val; return;
    case 0x143: h->stval = val; return;
    case 0x144: {
        /* Only SSIP is writable through sip, and only if delegated. */
        uint64_t mask = (1ull << IRQ_SSI) & h->mideleg;
        if (val & mask)
            atomic_fetch_or(&h->mip, mask);
        else
            atomic_fetch_and(&h->mip, ~mask);
        return;
    }
    case 0x14d:
        h->stimecmp = val;
        csr_update_stip(h);
        return;
    case 0x180: {
        uint64_t mode = val >> SATP_MODE_SHIFT;
        if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 && mode != SATP_MODE_SV48 &&
            mode != SATP_MODE_SV57)
            return; /* unsupported mode: the whole write is ignored */
        h->satp = val;
        hart_tlb_flush(h);
        return;
    }
    case 0x300: {
        uint64_t old = h->mstatus;
        uint64_t v = (old & ~MSTATUS_WRITABLE) | (val & MSTATUS_WRITABLE);
        if (((v & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) /* reserved: keep the old MPP */
            v = (v & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
        h->mstatus = v;
        mstatus_fix_sd(h);
        if ((old ^ h->mstatus) & TRANSLATION_BITS)
            hart_tlb_status_changed(h, old);
        return;
    }
    case 0x301: return; /* misa is read-only here: extensions cannot be switched off */
    case 0x302: h->medeleg = val & MEDELEG_BITS; return;
    case 0x303: h->mideleg = val & MIP_S_BITS; return;
    case 0x304: h->mie = val & MIE_BITS; return;
    case 0x305: h->mtvec = warl_tvec(h->mtvec, val); return;
    case 0x306: h->mcounteren = val & 0xffffffff; return;
    case 0x30a:
        h->menvcfg = val & MENVCFG_BITS;
        if (!(h->menvcfg & MENVCFG_STCE))
            atomic_fetch_and(&h->mip, ~(1ull << IRQ_STI)); /* STIP is software's again */
        csr_update_stip(h);
        return;
    case 0x320: h->mcountinhibit = val & 0xfffffffd; return; /* bit 1 (TM) is zero */
    case 0x340: h->mscratch = val; return;
    case 0x341: h->mepc = val & ~1ull; return;
    case 0x342: h->mcause = val; return;
    case 0x343: h->mtval = val; return;
    case 0x344: {
        uint64_t mask = MIP_S_BITS;
        if (h->menvcfg & MENVCFG_STCE)
            mask &= ~(1ull << IRQ_STI); /* Sstc owns STIP */
        uint64_t cur = atomic_load(&h->mip);
        uint64_t want;
        do {
            want = (cur & ~mask) | (val & mask);
        } while (!atomic_compare_exchange_weak(&h->mip, &cur, want));
        return;
    }
    case 0x3a0: pmp_write_cfg(h, 0, val); return;
    case 0x3a2: pmp_write_cfg(h, 2, val); return;
    }
    if (csr >= 0x3b0 && csr < 0x3b0 + PMP_COUNT)
        pmp_write_addr(h, csr - 0x3b0, val);
    return; /* hpm counters and events: read-only zero */
fs_dirty:
    h->mstatus |= MSTATUS_FS | MSTATUS_SD;
}
