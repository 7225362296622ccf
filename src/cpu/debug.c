/* What debuggers and the -d log need from a hart: register and memory access that bypasses the
 * guest's protections and faults, the breakpoint and watchpoint tests of the interpreter's
 * checking loop (interp.c, run_debug), and the trace lines for in_asm, exec, cpu, int and mmu.
 *
 * Blocks, for tracing: the interpreter has none, so a block here is what a translator would
 * make of the code: it starts after a jump, branch, system instruction or trap and runs up to
 * and including the next one. in_asm prints a block the first time it runs at that address and
 * privilege with those first instruction bits (remembered in a direct-mapped table, so a block
 * evicted from it may print again, as QEMU reprints code it retranslates). */
#include "cpu_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* The privileged spec's cause names, in QEMU's spelling (what -d int prints after desc=). */
static const char *const exc_names[16] = {
    "misaligned_fetch", "fault_fetch",      "illegal_instruction", "breakpoint",
    "misaligned_load",  "fault_load",       "misaligned_store",    "fault_store",
    "user_ecall",       "supervisor_ecall", "hypervisor_ecall",    "machine_ecall",
    "exec_page_fault",  "load_page_fault",  "reserved",            "store_page_fault",
};
static const char *const irq_names[12] = {
    "u_software", "s_software", "vs_software", "m_software", "u_timer",    "s_timer",
    "vs_timer",   "m_timer",    "u_external",  "s_external", "vs_external", "m_external",
};
static const char priv_letter[4] = {'U', 'S', 'H', 'M'};

/* ---- Registers ---- */

const char *hart_csr_name(unsigned csr)
{
    return csr_name(csr);
}

uint64_t hart_csr_read(struct hart *h, unsigned csr)
{
    return csr_read(h, csr);
}

void hart_csr_write(struct hart *h, unsigned csr, uint64_t val)
{
    if (csr_name(csr))
        csr_write(h, csr, val);
}

int hart_dump_state(struct hart *h, char *buf, size_t size)
{
    static const struct {
        const char *name;
        unsigned csr;
    } rows[] = {
        {"mhartid", 0xf14}, {"mstatus", 0x300}, {"mip", 0x344},      {"mie", 0x304},
        {"mideleg", 0x303}, {"medeleg", 0x302}, {"mtvec", 0x305},    {"stvec", 0x105},
        {"mepc", 0x341},    {"sepc", 0x141},    {"mcause", 0x342},   {"scause", 0x142},
        {"mtval", 0x343},   {"stval", 0x143},   {"mscratch", 0x340}, {"sscratch", 0x140},
        {"satp", 0x180},
    };
    size_t n = 0;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        int k_ = snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, __VA_ARGS__);      \
        if (k_ > 0)                                                                                \
            n += (size_t)k_;                                                                       \
    } while (0)
    OUT(" %-8s %016" PRIx64 "\n", "pc", h->pc);
    OUT(" %-8s %c\n", "priv", priv_letter[h->priv & 3]);
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
        OUT(" %-8s %016" PRIx64 "\n", rows[i].name, csr_read(h, rows[i].csr));
    for (unsigned i = 0; i < 32; i++) {
        char name[16];
        snprintf(name, sizeof(name), "x%u/%s", i, insn_xreg_name[i]);
        OUT(" %-8s %016" PRIx64 "%s", name, h->x[i], (i & 3) == 3 ? "\n" : "");
    }
    for (unsigned i = 0; i < 32; i++) {
        char name[16];
        snprintf(name, sizeof(name), "f%u/%s", i, insn_freg_name[i]);
        OUT(" %-8s %016" PRIx64 "%s", name, h->f[i], (i & 3) == 3 ? "\n" : "");
    }
    OUT(" %-8s %08" PRIx32 "\n", "fcsr", (uint32_t)(h->frm << 5 | h->fflags));
#undef OUT
    return (int)n;
}

/* ---- Memory ---- */

/* One piece within a page (and so within one region); phys is the physical address. */
static bool piece_rw(struct hart *h, uint64_t pa, uint8_t *p, size_t len, bool write)
{
    uint8_t *ram = bus_ram_ptr(h->bus, pa, len);
    if (ram) {
        if (write) {
            memcpy(ram, p, len);
            bus_note_write(h->bus, pa, len);
        } else
            memcpy(p, ram, len);
        return true;
    }
    if (!bus_find(h->bus, pa))
        return false;
    /* MMIO: one access of the natural width when it is one, else bytes. */
    if ((len == 1 || len == 2 || len == 4 || len == 8) && !(pa & (len - 1))) {
        uint64_t v = 0;
        if (write) {
            memcpy(&v, p, len);
            return bus_write(h->bus, pa, (unsigned)len, v) == 0;
        }
        if (bus_read(h->bus, pa, (unsigned)len, &v))
            return false;
        memcpy(p, &v, len);
        return true;
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t v = p[i];
        if (write ? bus_write(h->bus, pa + i, 1, v) : bus_read(h->bus, pa + i, 1, &v))
            return false;
        if (!write)
            p[i] = (uint8_t)v;
    }
    return true;
}

static size_t debug_rw(struct hart *h, uint64_t addr, uint8_t *p, size_t len, bool phys,
                       bool write)
{
    size_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        size_t room = 4096 - (size_t)(a & 4095);
        size_t chunk = len - done < room ? len - done : room;
        uint64_t pa = a;
        if (!phys && hart_debug_translate(h, a, &pa))
            break;
        if (!piece_rw(h, pa, p + done, chunk, write))
            break;
        done += chunk;
    }
    return done;
}

size_t hart_debug_read(struct hart *h, uint64_t addr, void *buf, size_t len, bool phys)
{
    return debug_rw(h, addr, buf, len, phys, false);
}

size_t hart_debug_write(struct hart *h, uint64_t addr, const void *buf, size_t len, bool phys)
{
    /* debug_rw only reads through p when write is set. */
    return debug_rw(h, addr, (uint8_t *)(uintptr_t)buf, len, phys, true);
}

/* ---- Breakpoints and watchpoints ---- */

bool debug_break_at(const struct hart_debug *d, uint64_t pc)
{
    for (unsigned i = 0; i < d->nbreak; i++)
        if (d->breaks[i].addr == pc)
            return true;
    return false;
}

bool debug_mem_access(const struct hart *h, const struct insn *in, uint64_t *va, unsigned *size,
                      unsigned *kind)
{
    uint64_t base = h->x[in->rs1];
    unsigned sz, k = HART_WATCH_READ;
    switch ((enum op)in->op) {
    case OP_lb: case OP_lbu: sz = 1; break;
    case OP_lh: case OP_lhu: sz = 2; break;
    case OP_lw: case OP_lwu: case OP_flw: sz = 4; break;
    case OP_ld: case OP_fld: sz = 8; break;
    case OP_sb: sz = 1; k = HART_WATCH_WRITE; break;
    case OP_sh: sz = 2; k = HART_WATCH_WRITE; break;
    case OP_sw: case OP_fsw: sz = 4; k = HART_WATCH_WRITE; break;
    case OP_sd: case OP_fsd: sz = 8; k = HART_WATCH_WRITE; break;
    case OP_lr_w: *va = base; *size = 4; *kind = HART_WATCH_READ; return true;
    case OP_lr_d: *va = base; *size = 8; *kind = HART_WATCH_READ; return true;
    case OP_sc_w: *va = base; *size = 4; *kind = HART_WATCH_WRITE; return true;
    case OP_sc_d: *va = base; *size = 8; *kind = HART_WATCH_WRITE; return true;
    case OP_amoswap_w: case OP_amoadd_w: case OP_amoxor_w: case OP_amoand_w: case OP_amoor_w:
    case OP_amomin_w: case OP_amomax_w: case OP_amominu_w: case OP_amomaxu_w:
        *va = base; *size = 4; *kind = HART_WATCH_ACCESS; return true;
    case OP_amoswap_d: case OP_amoadd_d: case OP_amoxor_d: case OP_amoand_d: case OP_amoor_d:
    case OP_amomin_d: case OP_amomax_d: case OP_amominu_d: case OP_amomaxu_d:
        *va = base; *size = 8; *kind = HART_WATCH_ACCESS; return true;
    default:
        return false;
    }
    *va = base + (uint64_t)in->imm;
    *size = sz;
    *kind = k;
    return true;
}

bool debug_watch_hit(const struct hart_debug *d, uint64_t va, unsigned size, unsigned kind,
                     uint64_t *addr, unsigned *wkind)
{
    for (unsigned i = 0; i < d->nwatch; i++) {
        const struct hart_watchpoint *w = &d->watches[i];
        if (!(w->kind & kind))
            continue;
        /* [va, va+size) and [addr, addr+len) overlap (computed without overflow) */
        if (va - w->addr < w->len || w->addr - va < size) {
            *addr = va - w->addr < w->len ? va : w->addr;
            *wkind = w->kind;
            return true;
        }
    }
    return false;
}

/* ---- Tracing ---- */

bool debug_ends_block(const struct insn *in)
{
    switch ((enum op)in->op) {
    case OP_jal: case OP_jalr: case OP_beq: case OP_bne: case OP_blt: case OP_bge:
    case OP_bltu: case OP_bgeu: case OP_ecall: case OP_ebreak: case OP_mret: case OP_sret:
    case OP_wfi: case OP_fence_i: case OP_sfence_vma: case OP_ILLEGAL:
        return true;
    default:
        return false;
    }
}

#define SEEN_SIZE 65536
struct seen_block {
    uint64_t pc, key; /* key: first instruction bits | priv << 32 | valid bit */
};
static struct seen_block *seen;

/* Records the block; true if it was already recorded. */
static bool block_seen(uint64_t pc, unsigned priv, uint32_t raw)
{
    if (!seen)
        seen = xcalloc(SEEN_SIZE, sizeof(*seen));
    uint64_t key = raw | (uint64_t)priv << 32 | 1ull << 40;
    struct seen_block *s = &seen[((pc >> 1) ^ (pc >> 17)) & (SEEN_SIZE - 1)];
    if (s->pc == pc && s->key == key)
        return true;
    s->pc = pc;
    s->key = key;
    return false;
}

void debug_trace_insn(struct hart *h, const struct insn *in)
{
    uint32_t items = h->dbg->trace;
    if (h->dbg_block_start) {
        h->dbg_block_start = false;
        if (items & TRACE_CPU) {
            char buf[4096];
            hart_dump_state(h, buf, sizeof(buf));
            trace_printf("%s", buf);
        }
        if (items & TRACE_EXEC)
            trace_printf("Trace %u: 0x%016" PRIx64 " [priv %c]\n", (unsigned)h->mhartid, h->pc,
                         priv_letter[h->priv & 3]);
        h->dbg_printing = (items & TRACE_IN_ASM) && !block_seen(h->pc, h->priv, in->raw);
        if (h->dbg_printing)
            trace_printf("----------------\nIN: \nPriv: %u; Virt: 0\n", h->priv);
    }
    if (h->dbg_printing) {
        char text[96];
        insn_disasm(in, h->pc, text, sizeof(text));
        if (in->len == 2)
            trace_printf("0x%016" PRIx64 ":  %04" PRIx32 "              %s\n", h->pc,
                         in->raw & 0xffff, text);
        else
            trace_printf("0x%016" PRIx64 ":  %08" PRIx32 "          %s\n", h->pc, in->raw, text);
    }
    if (debug_ends_block(in)) {
        h->dbg_block_start = true;
        if (h->dbg_printing)
            trace_printf("\n");
        h->dbg_printing = false;
    }
}

void debug_trace_trap(struct hart *h, bool interrupt, uint64_t cause, uint64_t tval,
                      uint64_t epc)
{
    const char *desc = interrupt ? (cause < ARRAY_SIZE(irq_names) ? irq_names[cause] : "(unknown)")
                                 : (cause < ARRAY_SIZE(exc_names) ? exc_names[cause] : "(unknown)");
    trace_printf("riscv_cpu_do_interrupt: hart:%u, async:%d, cause:%016" PRIx64
                 ", epc:0x%016" PRIx64 ", tval:0x%016" PRIx64 ", desc=%s\n",
                 (unsigned)h->mhartid, interrupt ? 1 : 0, cause, epc, tval, desc);
}

void debug_trace_walk(struct hart *h, uint64_t va, enum access acc, unsigned priv,
                      unsigned levels, bool ok, uint64_t pa)
{
    static const char *const acc_names[3] = {"fetch", "load", "store"};
    if (ok)
        trace_printf("mmu: hart:%u sv%u %s va:0x%016" PRIx64 " -> pa:0x%016" PRIx64
                     " priv:%c satp:%016" PRIx64 "\n",
                     (unsigned)h->mhartid, 12 + 9 * levels, acc_names[acc], va, pa,
                     priv_letter[priv & 3], h->satp);
    else
        trace_printf("mmu: hart:%u sv%u %s va:0x%016" PRIx64 " -> fault priv:%c satp:%016" PRIx64
                     "\n",
                     (unsigned)h->mhartid, 12 + 9 * levels, acc_names[acc], va,
                     priv_letter[priv & 3], h->satp);
}
