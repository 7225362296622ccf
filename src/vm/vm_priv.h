/* Private to src/vm: the VM's state, shared by the VM thread's loop (vm.c), pausing and
 * debugging (control.c) and the hart threads (harts.c).
 *
 * Threads and locks. The VM thread (the caller of vm_run) runs the loop: host input, the
 * descriptors and poll hooks (the gdb stub, the monitor, network backends), the RTC, guest
 * output. Each hart runs on a host thread of its own (harts.c). Two locks:
 *
 *   big  the device lock (QEMU's "big lock"), recursive. Held around every MMIO handler (the
 *        bus takes it) and by the VM thread around its device work: poll hooks, descriptor
 *        callbacks, console input, guest output. So device code, network backends and the
 *        output buffer see one thread at a time, as when everything ran on one thread. Never
 *        held while guest code runs or while anyone sleeps.
 *   mu   the run state: go, quit, req, dbg_hart and each hart thread's parked/step. Taken
 *        after big, never before it, and only for short sections (and condition waits).
 *
 * A hart thread parks (waits on cpu_cv) whenever go is false; the VM thread halts the harts by
 * clearing go and raising every hart's stop flag, then waits on vm_cv until all are parked:
 * only then does it touch hart state (registers for gdb, reset, single step, breakpoints).
 * Waiting drops big, which a hart in the middle of an MMIO access may need to finish. */
#ifndef VISOR_VM_PRIV_H
#define VISOR_VM_PRIV_H

#include "vm.h"

#include <pthread.h>
#include <stdatomic.h>

enum vm_request { REQ_NONE, REQ_EXIT, REQ_RESET };

struct vm_fd {
    int fd; /* -1: a free slot */
    short events;
    void (*cb)(void *ctx, int fd, short revents);
    void *ctx;
};

struct vm_hook {
    unsigned (*prepare)(void *ctx, struct pollfd *pfd, unsigned max, uint64_t *timeout_ns);
    void (*dispatch)(void *ctx, struct pollfd *pfd, unsigned n);
    void *ctx;
};

/* One hart's thread. */
struct vm_cpu {
    struct vm *vm;
    struct hart *h;
    unsigned id;
    pthread_t thread;
    /* The futex a sleeping hart waits on: bumped by every wake-up (an interrupt line rising, a
     * halt), so that a wake-up between the sleeper's last look and its wait is not lost. */
    _Atomic uint32_t wake_seq;
    _Atomic bool sleeping; /* waiting on wake_seq: wakers must FUTEX_WAKE */
    bool parked;           /* under mu: waiting for go (counted in nparked) */
    bool step;             /* under mu: run one instruction for vm_step, then park */
};

struct vm {
    struct vm_config cfg;
    struct vm_console con;
    struct machine *m;
    uint8_t out[4096]; /* guest output not yet handed to con.write; under big */
    size_t nout;
    int io_wake_fd; /* an eventfd that wakes the loop from ppoll (I/O threads, harts); -1: none */

    /* Under big: the loop's callbacks and a network backend on a hart's thread change them. */
    struct vm_fd fds[VM_MAX_FDS];
    struct vm_hook hooks[VM_MAX_HOOKS];
    unsigned nhooks;

    /* VM thread only */
    bool paused;
    int step_hart;     /* >= 0: vm_step asked for one instruction of this hart */
    unsigned cur_hart; /* the hart reported in a PAUSE stop: the last one that stopped */
    struct hart_debug dbg;
    uint64_t break_pc[MACHINE_MAX_HARTS]; /* where each hart last stopped at a breakpoint */
    void (*on_stop)(void *ctx, const struct vm_stop *st);
    void *stop_ctx;
    unsigned big_depth; /* how many times the VM thread holds big (vm_big_lock) */

    pthread_mutex_t big; /* see the top of this file */
    pthread_mutex_t mu;
    pthread_cond_t cpu_cv, vm_cv;
    /* under mu */
    enum vm_request req;
    int exit_status;
    bool go;      /* harts may run */
    bool quit;    /* hart threads return */
    int dbg_hart; /* >= 0: this hart met a breakpoint or watchpoint; the loop reports it */
    unsigned nparked;
    unsigned nthreads; /* hart threads started (0 outside vm_run) */

    /* Hart threads neither parked nor asleep in WFI: while any is, the loop polls its poll
     * hooks at least every VM_INPUT_POLL_NS (libslirp's sockets change under running harts). */
    _Atomic unsigned nrunning;
    struct vm_cpu cpus[MACHINE_MAX_HARTS];
};

/* ---- vm.c ---- */
/* The device lock, from the VM thread (counted, so that a wait can drop it). */
void vm_big_lock(struct vm *vm);
void vm_big_unlock(struct vm *vm);
/* Hands buffered guest output to the console (VM thread). */
void vm_flush_output(struct vm *vm);
/* Wakes the loop from ppoll (any thread). */
void vm_wake_loop(struct vm *vm);

/* ---- harts.c ---- */
/* Starts a thread per hart (parked unless go); joins them. VM thread, from vm_run. */
void vm_harts_start(struct vm *vm);
void vm_harts_join(struct vm *vm);
/* Any thread, mu held: clears go and raises every hart's stop flag (waking sleepers); no
 * waiting. */
void vm_harts_halt_locked(struct vm *vm);
/* VM thread: halts the harts and waits until every thread is parked at an instruction
 * boundary. Drops big while it waits. */
void vm_harts_wait(struct vm *vm);
/* VM thread: lets the harts run again, unless a request or a debug stop is pending. */
void vm_harts_resume(struct vm *vm);
/* VM thread, harts parked: hart i's thread runs hart_run(h, 1) and parks again. */
void vm_harts_step(struct vm *vm, unsigned i);

/* ---- control.c ---- */
/* Called by the loop: a hart met a debug event (dbg_hart), or vm_step is pending. */
void vm_debug_stopped(struct vm *vm, unsigned hart);
void vm_step_pending(struct vm *vm);
/* Points every hart at the shared table and decides which harts need the checking loop. */
void vm_update_debug(struct vm *vm);

#endif
