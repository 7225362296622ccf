/* What "the engines agree" means: the same x and f registers, pc, privilege, WFI state and LR
 * reservation, the same value of every implemented CSR as a debugger reads it, and the same
 * bytes in all of RAM (data, page tables with their A/D bits, the trap log, rewritten code). */
#include "diff.h"

#include <inttypes.h>
#include <string.h>

#define MAX_SHOWN 16

static uint16_t csr_nums[4096];
static unsigned ncsr;

struct report {
    FILE *f;
    const char *an, *bn;
    unsigned n;
};

static void differ(struct report *r, const char *what, uint64_t a, uint64_t b)
{
    if (r->f && r->n < MAX_SHOWN)
        fprintf(r->f, "    %-12s %s=0x%016" PRIx64 "  %s=0x%016" PRIx64 "\n", what, r->an, a, r->bn,
                b);
    r->n++;
}

static void compare_ram(struct report *r, const uint8_t *a, const uint8_t *b)
{
    if (!memcmp(a, b, RAM_SIZE))
        return;
    for (uint64_t off = 0; off < RAM_SIZE; off += 8) {
        uint64_t va, vb;
        memcpy(&va, a + off, 8);
        memcpy(&vb, b + off, 8);
        if (va != vb) {
            char name[32];
            snprintf(name, sizeof(name), "[%08" PRIx64 "]", (uint64_t)(RAM_BASE + off));
            differ(r, name, va, vb);
        }
    }
}

bool compare_machines(struct machine *a, struct machine *b, FILE *f, uint32_t *xs, uint32_t *fs)
{
    uint32_t xdummy, fdummy;
    if (!xs || !fs)
        xs = &xdummy, fs = &fdummy;
    *xs = *fs = 0;
    if (!ncsr)
        for (unsigned c = 0; c < 4096; c++)
            if (hart_csr_name(c))
                csr_nums[ncsr++] = (uint16_t)c;
    struct report r = {f, a->name, b->name, 0};
    struct hart *ha = &a->hart, *hb = &b->hart;
    char name[32];
    for (unsigned i = 0; i < 32; i++)
        if (ha->x[i] != hb->x[i]) {
            *xs |= 1u << i;
            snprintf(name, sizeof(name), "x%u/%s", i, insn_xreg_name[i]);
            differ(&r, name, ha->x[i], hb->x[i]);
        }
    for (unsigned i = 0; i < 32; i++)
        if (ha->f[i] != hb->f[i]) {
            *fs |= 1u << i;
            snprintf(name, sizeof(name), "f%u/%s", i, insn_freg_name[i]);
            differ(&r, name, ha->f[i], hb->f[i]);
        }
    if (ha->pc != hb->pc)
        differ(&r, "pc", ha->pc, hb->pc);
    if (ha->priv != hb->priv)
        differ(&r, "priv", ha->priv, hb->priv);
    if (ha->wfi != hb->wfi)
        differ(&r, "wfi", ha->wfi, hb->wfi);
    if (ha->resv_valid != hb->resv_valid)
        differ(&r, "resv_valid", ha->resv_valid, hb->resv_valid);
    else if (ha->resv_valid && ha->resv_addr != hb->resv_addr)
        differ(&r, "resv_addr", ha->resv_addr, hb->resv_addr);
    for (unsigned i = 0; i < ncsr; i++) {
        uint64_t va = hart_csr_read(ha, csr_nums[i]), vb = hart_csr_read(hb, csr_nums[i]);
        if (va != vb)
            differ(&r, hart_csr_name(csr_nums[i]), va, vb);
    }
    compare_ram(&r, a->bus.ram, b->bus.ram);
    if (f && r.n > MAX_SHOWN)
        fprintf(f, "    ... and %u more differences\n", r.n - MAX_SHOWN);
    return r.n == 0;
}
