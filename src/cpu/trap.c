/* Trap entry and interrupt selection (privileged spec, "Machine-Level ISA" and
 * "Supervisor-Level ISA"): delegation through medeleg/mideleg, the status-stack updates
 * (xPIE/xPP), vectored mtvec/stvec for interrupts, and the fixed interrupt priority. */
#include "cpu_priv.h"

#define CAUSE_INTERRUPT (1ull << 63)

static uint64_t tvec_target(uint64_t tvec, bool interrupt, uint64_t cause)
{
    uint64_t base = tvec & ~3ull;
    if (interrupt && (tvec & 3) == 1)
        return base + 4 * cause;
    return base;
}

void trap_enter(struct hart *h, bool interrupt, uint64_t cause, uint64_t tval, uint64_t epc)
{
    h->dbg_block_start = true;
    if (trace_on(TRACE_INT))
        debug_trace_trap(h, interrupt, cause, tval, epc);
    uint64_t deleg = interrupt ? h->mideleg : h->medeleg;
    unsigned from = h->priv;
    uint64_t old_status = h->mstatus;
    if (from <= PRIV_S && (deleg >> cause) & 1) {
        h->scause = cause | (interrupt ? CAUSE_INTERRUPT : 0);
        h->sepc = epc;
        h->stval = tval;
        uint64_t s = h->mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (from == PRIV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        h->mstatus = s;
        h->pc = tvec_target(h->stvec, interrupt, cause);
        h->priv = PRIV_S;
    } else {
        h->mcause = cause | (interrupt ? CAUSE_INTERRUPT : 0);
        h->mepc = epc;
        h->mtval = tval;
        uint64_t s = h->mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | ((uint64_t)from << MSTATUS_MPP_SHIFT);
        s &= ~MSTATUS_MIE;
        h->mstatus = s;
        h->pc = tvec_target(h->mtvec, interrupt, cause);
        h->priv = PRIV_M;
    }
    /* Each privilege has its own TLB, so the change of level needs no flush; but with MPRV
     * set, M-mode's loads and stores are checked as MPP, which the trap just rewrote. */
    if ((h->mstatus & MSTATUS_MPRV) && ((h->mstatus ^ old_status) & MSTATUS_MPP))
        hart_tlb_flush_data(h);
}

/* Highest priority first: MEI, MSI, MTI, SEI, SSI, STI. */
static const uint8_t irq_priority[] = {IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI};

bool trap_check_interrupts(struct hart *h)
{
    uint64_t pending = atomic_load_explicit(&h->mip, memory_order_relaxed) & h->mie;
    if (LIKELY(!pending))
        return false;
    uint64_t m_pending = pending & ~h->mideleg;
    uint64_t s_pending = pending & h->mideleg;
    bool m_on = h->priv < PRIV_M || (h->mstatus & MSTATUS_MIE);
    bool s_on = h->priv < PRIV_S || (h->priv == PRIV_S && (h->mstatus & MSTATUS_SIE));
    uint64_t take = (m_on ? m_pending : 0) | (s_on ? s_pending : 0);
    if (!take)
        return false;
    /* M-level interrupts preempt S-level ones regardless of number. */
    uint64_t set = (take & m_pending) ? (take & m_pending) : take;
    for (unsigned i = 0; i < ARRAY_SIZE(irq_priority); i++) {
        if ((set >> irq_priority[i]) & 1) {
            h->wfi = false;
            trap_enter(h, true, irq_priority[i], 0, h->pc);
            return true;
        }
    }
    return false;
}
