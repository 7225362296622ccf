/* Hart lifecycle: power-on state, interrupt inputs from devices, the TLB flush every
 * translation-affecting change calls. */
#include "predecode.h"

#define MISA_RV64 (2ull << 62)
#define MISA_EXT(c) (1ull << ((c) - 'A'))

static uint64_t default_time(void *ctx)
{
    (void)ctx;
    return vclock_ticks();
}

void hart_tlb_flush(struct hart *h)
{
    memset(h->tlb_super_lo, 0xff, sizeof(h->tlb_super_lo));
    memset(h->tlb_super_last, 0, sizeof(h->tlb_super_last));
    for (unsigned p = 0; p < 4; p++)
        for (unsigned a = 0; a < 3 && p != 2; a++) /* level 2 (H) does not exist */
            for (unsigned i = 0; i < TLB_SIZE; i++)
                h->tlb[p][a][i].tag = TLB_INVALID;
}

void hart_tlb_flush_page(struct hart *h, uint64_t va)
{
    uint64_t page = va & ~0xfffull;
    unsigned slot = (unsigned)(va >> 12) & (TLB_SIZE - 1);
    for (unsigned p = 0; p < 4; p++)
        for (unsigned a = 0; a < 3 && p != 2; a++) {
            if (h->tlb[p][a][slot].tag == page)
                h->tlb[p][a][slot].tag = TLB_INVALID;
            if (va < h->tlb_super_lo[p][a] || va > h->tlb_super_last[p][a])
                continue;
            /* A superpage's 4 KiB entries may sit in any slot. */
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                unsigned level = h->tlb_level[p][a][i];
                if (level && !((h->tlb[p][a][i].tag ^ page) >> (12 + 9 * level)))
                    h->tlb[p][a][i].tag = TLB_INVALID;
            }
        }
}

static void flush_one(struct hart *h, unsigned priv, enum access acc)
{
    for (unsigned i = 0; i < TLB_SIZE; i++)
        h->tlb[priv][acc][i].tag = TLB_INVALID;
}

void hart_tlb_status_changed(struct hart *h, uint64_t old)
{
    uint64_t now = h->mstatus, lost = old & ~now, changed = old ^ now;
    if (lost & MSTATUS_SUM) { /* S-mode loses its reach into user pages */
        flush_one(h, PRIV_S, ACC_LOAD);
        flush_one(h, PRIV_S, ACC_STORE);
    }
    if (lost & MSTATUS_MXR) { /* execute-only pages are no longer readable */
        flush_one(h, PRIV_S, ACC_LOAD);
        flush_one(h, PRIV_U, ACC_LOAD);
    }
    /* M-mode's loads and stores are checked as MPP while MPRV is set */
    if ((changed & MSTATUS_MPRV) || ((now & MSTATUS_MPRV) && (changed & MSTATUS_MPP))) {
        flush_one(h, PRIV_M, ACC_LOAD);
        flush_one(h, PRIV_M, ACC_STORE);
    }
}

void hart_tlb_flush_data(struct hart *h)
{
    for (unsigned p = 0; p < 4; p++)
        for (unsigned a = ACC_LOAD; a <= ACC_STORE && p != 2; a++)
            for (unsigned i = 0; i < TLB_SIZE; i++)
                h->tlb[p][a][i].tag = TLB_INVALID;
}

void hart_init(struct hart *h, unsigned hartid, struct bus *bus)
{
    memset(h, 0, sizeof(*h));
    h->mhartid = hartid;
    h->bus = bus;
    h->read_time = default_time;
    hart_reset(h, 0x1000);
}

void hart_free(struct hart *h)
{
    predecode_free(h);
}

void hart_reset(struct hart *h, uint64_t pc)
{
    memset(h->x, 0, sizeof(h->x));
    memset(h->f, 0, sizeof(h->f));
    h->pc = pc;
    h->priv = PRIV_M;
    h->misa = MISA_RV64 | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('A') | MISA_EXT('F') |
              MISA_EXT('D') | MISA_EXT('C') | MISA_EXT('S') | MISA_EXT('U');
    /* UXL = SXL = 2 (64-bit), read-only */
    h->mstatus = 2ull << 32 | 2ull << 34;
    h->medeleg = h->mideleg = h->mie = 0;
    h->mtvec = h->mscratch = h->mepc = h->mcause = h->mtval = 0;
    h->mcounteren = h->mcountinhibit = h->menvcfg = 0;
    h->mcycle = h->minstret = 0;
    /* The external, timer and software lines are wires from devices that keep their own
     * level across a hart reset (and drive them only on change); only the bits software owns
     * start clear. */
    atomic_fetch_and(&h->mip, (1ull << IRQ_MSI) | (1ull << IRQ_MTI) | (1ull << IRQ_MEI) |
                                  (1ull << IRQ_SEI));
    h->stvec = h->sscratch = h->sepc = h->scause = h->stval = h->satp = 0;
    h->scounteren = h->senvcfg = 0;
    h->stimecmp = 0;
    h->fflags = h->frm = 0;
    memset(h->pmpcfg, 0, sizeof(h->pmpcfg));
    memset(h->pmpaddr, 0, sizeof(h->pmpaddr));
    h->resv_valid = false;
    h->exc_pending = false;
    h->wfi = false;
    h->stop = false;
    h->dbg_block_start = true;
    h->dbg_printing = false;
    hart_tlb_flush(h);
}

void hart_set_irq(struct hart *h, unsigned bit, bool level)
{
    if (level) {
        /* Only a rising bit can wake a sleeper (one already high was masked when it slept)
         * or needs translated code to leave its block. */
        if (!(atomic_fetch_or(&h->mip, 1ull << bit) & (1ull << bit))) {
            atomic_store(&h->exit_note, 1);
            if (h->wake)
                h->wake(h->wake_ctx);
        }
    } else {
        atomic_fetch_and(&h->mip, ~(1ull << bit));
    }
}

void hart_irq_line(void *ctx, unsigned n, bool level)
{
    hart_set_irq(ctx, n, level);
}

bool hart_irq_wakeup(const struct hart *h)
{
    uint64_t mip = atomic_load(&h->mip);
    if ((h->menvcfg & MENVCFG_STCE) && h->read_time(h->time_ctx) >= h->stimecmp)
        mip |= 1ull << IRQ_STI;
    return (mip & h->mie) != 0;
}

uint64_t hart_timer_deadline(const struct hart *h)
{
    return (h->menvcfg & MENVCFG_STCE) ? h->stimecmp : UINT64_MAX;
}
