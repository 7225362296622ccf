/* The trap handlers every program shares, hand-assembled into the handler page: M-mode's at
 * mtvec and S-mode's at stvec (each behind 16 vector entries, for vectored mode). They log
 * each trap (cause, tval, epc, status) to the log page through x30, return past the trapping
 * slot, mask interrupts after taking one, flush the TLBs on an ecall, and end the program on a
 * fetch fault. x31 is their scratch; the random code never writes either register. */
#include "cpu/cpu_priv.h"
#include "diff.h"

#include <string.h>

static void put32(struct prog *p, uint64_t pa, uint32_t v)
{
    memcpy(p->ram + (pa - RAM_BASE), &v, 4);
}

/* Sequences of words at a handler offset. */
static void put_seq(struct prog *p, uint64_t off, const uint32_t *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put32(p, HANDLER_PA + off + 4 * i, w[i]);
}

/* The trap log step both handlers share: store the four values, then advance x30 by a record,
 * wrapping at the end of the log page. */
static unsigned log_record(uint32_t *w, const unsigned csr[4])
{
    unsigned n = 0;
    for (unsigned i = 0; i < 4; i++) {
        w[n++] = asm_csr(2, REG_TMP, csr[i], 0);               /* csrr x31, csr */
        w[n++] = asm_s(OPC_STORE, 3, REG_LOG, REG_TMP, 8 * i); /* sd x31, 8i(x30) */
    }
    w[n++] = asm_i(OPC_IMM, 0, REG_LOG, REG_LOG, 32);
    w[n++] = asm_i(OPC_IMM, 1, REG_TMP, REG_LOG, 52); /* slli: offset in page */
    w[n++] = asm_i(OPC_IMM, 5, REG_TMP, REG_TMP, 52); /* srli */
    w[n++] = asm_b(1, REG_TMP, 0, 12);                /* bnez: still inside */
    w[n++] = asm_i(OPC_IMM, 0, REG_LOG, REG_LOG, -2048);
    w[n++] = asm_i(OPC_IMM, 0, REG_LOG, REG_LOG, -2048);
    return n;
}

/* M handler: MPRV off (so its stores are physical), log, then by cause: an interrupt masks
 * every interrupt (mie = 0) and returns to the interrupted instruction; a fetch fault ends the
 * program; any other exception returns past the faulting slot (slots are 4 bytes: a
 * compressed instruction is padded with c.nop). An ecall (never delegated) also flushes the
 * TLBs: the generator follows each page-table edit with one, since sfence.vma is illegal in U
 * and, with TVM, in S, and traps flush nothing (the TLBs are per privilege level). */
static void put_m_handler(struct prog *p)
{
    uint32_t w[64];
    unsigned n = 0;
    w[n++] = asm_u(OPC_LUI, REG_TMP, (uint32_t)(MSTATUS_MPRV >> 12));
    w[n++] = asm_csr(3, 0, 0x300, REG_TMP); /* csrc mstatus, x31 */
    n += log_record(w + n, (const unsigned[4]){0x342, 0x343, 0x341, 0x300});
    w[n++] = asm_csr(2, REG_TMP, 0x342, 0);
    unsigned blt = n++;
    w[n] = asm_i(OPC_IMM, 0, REG_TMP, REG_TMP, -EXC_INSN_ACCESS), n++;
    w[n] = asm_b(0, REG_TMP, 0, MEND_OFF - (MEXC_OFF + 4 * n)), n++;
    w[n] = asm_i(OPC_IMM, 0, REG_TMP, REG_TMP, EXC_INSN_ACCESS - EXC_INSN_PAGE), n++;
    w[n] = asm_b(0, REG_TMP, 0, MEND_OFF - (MEXC_OFF + 4 * n)), n++;
    w[n++] = asm_csr(2, REG_TMP, 0x342, 0);
    w[n++] = asm_i(OPC_IMM, 0, REG_TMP, REG_TMP, -EXC_ECALL_U);
    w[n++] = asm_i(OPC_IMM, 3, REG_TMP, REG_TMP, 4); /* sltiu: cause 8 to 11, an ecall */
    w[n++] = asm_b(0, REG_TMP, 0, 8);                /* beqz: not one */
    w[n++] = INSN_SFENCE;
    w[n++] = asm_csr(2, REG_TMP, 0x341, 0);
    w[n++] = asm_i(OPC_IMM, 0, REG_TMP, REG_TMP, 4);
    w[n++] = asm_csr(1, 0, 0x341, REG_TMP);
    w[n++] = INSN_MRET;
    w[blt] = asm_b(4, REG_TMP, 0, 4 * (n - blt)); /* blt x31, x0: an interrupt */
    w[n++] = asm_csr(1, 0, 0x304, 0);             /* csrw mie, x0 */
    w[n++] = INSN_MRET;
    put_seq(p, MEXC_OFF, w, n);

    uint32_t end[] = {asm_csr(1, 0, 0x304, 0), INSN_WFI, asm_j(0, -4)};
    put_seq(p, MEND_OFF, end, ARRAY_SIZE(end));
    for (unsigned i = 0; i < 16; i++)
        put32(p, HANDLER_PA + MVEC_OFF + 4 * i, asm_j(0, MEXC_OFF - (MVEC_OFF + 4 * i)));
}

/* S handler: the same without MPRV or the end (fetch faults are never delegated). */
static void put_s_handler(struct prog *p)
{
    uint32_t w[64];
    unsigned n = log_record(w, (const unsigned[4]){0x142, 0x143, 0x141, 0x100});
    w[n++] = asm_csr(2, REG_TMP, 0x142, 0);
    unsigned blt = n++;
    w[n++] = asm_csr(2, REG_TMP, 0x141, 0);
    w[n++] = asm_i(OPC_IMM, 0, REG_TMP, REG_TMP, 4);
    w[n++] = asm_csr(1, 0, 0x141, REG_TMP);
    w[n++] = INSN_SRET;
    w[blt] = asm_b(4, REG_TMP, 0, 4 * (n - blt));
    w[n++] = asm_csr(1, 0, 0x104, 0); /* csrw sie, x0 */
    w[n++] = INSN_SRET;
    put_seq(p, SEXC_OFF, w, n);
    for (unsigned i = 0; i < 16; i++)
        put32(p, HANDLER_PA + SVEC_OFF + 4 * i, asm_j(0, SEXC_OFF - (SVEC_OFF + 4 * i)));
}

void world_handlers(struct prog *p)
{
    put_m_handler(p);
    put_s_handler(p);
}
