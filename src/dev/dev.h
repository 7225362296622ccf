/* The virt board's simple devices. Each is a const mmio_ops table plus a state struct; the
 * board maps them with bus_add_mmio(bus, base, size, &X_ops, state). Interrupts leave a device
 * through irq_line (base.h). Every device has reset and, later, save/restore. */
#ifndef VISOR_DEV_H
#define VISOR_DEV_H

#include "../base/base.h"
#include "../mem/mem.h"

#define DEV_MAX_HARTS 8

/* ---- NS16550A UART ---- */
struct uart;
extern const struct mmio_ops uart_ops;
/* tx is called for each byte the guest transmits. */
struct uart *uart_new(struct irq_line irq, void (*tx)(void *ctx, uint8_t byte), void *tx_ctx);
/* Queues host input for the guest; never drops (the queue grows). Raises the RX interrupt
 * as the 16-byte receive FIFO fills from the queue. */
void uart_push_input(struct uart *u, const uint8_t *data, size_t n);
size_t uart_pending_input(const struct uart *u);
void uart_reset(struct uart *u);
void uart_free(struct uart *u);

/* ---- CLINT (SiFive core-local interruptor: msip, mtimecmp, mtime) ---- */
struct clint;
extern const struct mmio_ops clint_ops;
/* msip[i] and mtip[i] are hart i's machine software and timer interrupt lines. */
struct clint *clint_new(unsigned nharts, const struct irq_line *msip, const struct irq_line *mtip);
/* Re-evaluates the timer lines against the current time; called by the run loop. */
void clint_update(struct clint *c);
/* mtime value (10 MHz ticks) the guest sees now. */
uint64_t clint_mtime(const struct clint *c);
/* Earliest mtimecmp of any hart (UINT64_MAX if none), for sleeping in WFI. */
uint64_t clint_next_deadline(const struct clint *c);
void clint_reset(struct clint *c);
void clint_free(struct clint *c);

/* ---- PLIC (SiFive platform-level interrupt controller) ---- */
#define PLIC_NUM_SOURCES 96 /* source 0 reserved; 1..95 usable, "riscv,ndev" = 95 */
struct plic;
extern const struct mmio_ops plic_ops;
/* Two contexts per hart: 2i is hart i's M-mode (MEIP line), 2i+1 its S-mode (SEIP line). */
struct plic *plic_new(unsigned nharts, const struct irq_line *meip, const struct irq_line *seip);
/* An irq_line that drives PLIC source n (level-triggered). */
struct irq_line plic_input(struct plic *p, unsigned n);
void plic_set_source(struct plic *p, unsigned n, bool level);
void plic_reset(struct plic *p);
void plic_free(struct plic *p);

/* ---- Goldfish RTC ---- */
struct rtc;
extern const struct mmio_ops rtc_ops;
struct rtc *rtc_new(struct irq_line irq);
/* Fires the alarm if due; called by the run loop. */
void rtc_update(struct rtc *r);
void rtc_reset(struct rtc *r);
void rtc_free(struct rtc *r);

/* ---- SiFive test finisher ---- */
enum finisher_action { FINISHER_PASS, FINISHER_FAIL, FINISHER_RESET };
struct finisher;
extern const struct mmio_ops finisher_ops;
/* on_action(ctx, action, code): PASS is exit status 0, FAIL carries the guest's code,
 * RESET asks for a machine reset. */
struct finisher *finisher_new(void (*on_action)(void *ctx, enum finisher_action a, unsigned code),
                              void *ctx);
void finisher_free(struct finisher *f);

/* ---- Read-only memory (the reset ROM) ---- */
struct rom;
extern const struct mmio_ops rom_ops;
struct rom *rom_new(const void *data, size_t size);
void rom_free(struct rom *r);

#endif
