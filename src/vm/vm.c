/* One VM's lifecycle and its VM thread's loop. Every hart runs on a thread of its own
 * (harts.c); the loop, on the caller's thread, waits in ppoll() for host input, the registered
 * descriptors and the poll hooks (the gdb stub, the monitor, network backends) and dispatches
 * them under the device lock, hands guest output to the console, lets the RTC's alarm fire, and
 * acts on requests: exit, reset, a debug stop, a single step.
 *
 * Invariants: device callbacks that end or reset the machine (the test finisher, on a hart's
 * thread) only record the request and halt the harts; the loop acts on it once every hart is
 * parked, never inside hart_run. The loop sleeps in ppoll until a descriptor is ready or
 * something wakes it through io_wake_fd (guest output, a request, a debug stop, a disk
 * completion, a descriptor added from a hart's thread), and at most VM_MAX_SLEEP_NS; with poll
 * hooks (libslirp, whose sockets change as the guest sends), at most VM_INPUT_POLL_NS while a
 * hart runs. An idle guest costs no host CPU. Each hart thread keeps its own timers (harts.c),
 * so the loop's sleep never delays an interrupt. */
#define _GNU_SOURCE /* ppoll */
#include "vm_priv.h"
#include "../jit/jit.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

void vm_big_lock(struct vm *vm)
{
    pthread_mutex_lock(&vm->big);
    vm->big_depth++;
}

void vm_big_unlock(struct vm *vm)
{
    vm->big_depth--;
    pthread_mutex_unlock(&vm->big);
}

/* big held, by whichever thread. */
static void flush_locked(struct vm *vm)
{
    if (vm->nout && vm->con.write)
        vm->con.write(vm->con.ctx, vm->out, vm->nout);
    vm->nout = 0;
}

void vm_flush_output(struct vm *vm)
{
    vm_big_lock(vm);
    flush_locked(vm);
    vm_big_unlock(vm);
}

/* From the UART's (or the virtio console's) MMIO write: on a hart's thread, or the VM thread's
 * debugger access, with big held either way. The first byte wakes the loop, which hands on
 * whatever has gathered by the time it runs; a full buffer goes out at once. */
static void on_uart_tx(void *ctx, uint8_t byte)
{
    struct vm *vm = ctx;
    if (vm->nout == sizeof(vm->out))
        flush_locked(vm);
    if (!vm->nout)
        vm_wake_loop(vm);
    vm->out[vm->nout++] = byte;
}

void vm_wake_loop(struct vm *vm)
{
    uint64_t one = 1;
    if (vm->io_wake_fd < 0)
        return;
    ssize_t n = write(vm->io_wake_fd, &one, sizeof(one));
    (void)n; /* EAGAIN: the counter is already non-zero, the loop will wake */
}

/* Any thread. The first exit wins over everything after it. */
static void request(struct vm *vm, enum vm_request r, int status)
{
    pthread_mutex_lock(&vm->mu);
    if (vm->req != REQ_EXIT) {
        vm->req = r;
        vm->exit_status = status;
    }
    vm_harts_halt_locked(vm);
    pthread_mutex_unlock(&vm->mu);
    vm_wake_loop(vm);
}

static void on_finisher(void *ctx, enum finisher_action a, unsigned code)
{
    struct vm *vm = ctx;
    switch (a) {
    case FINISHER_PASS:
        request(vm, REQ_EXIT, 0);
        break;
    case FINISHER_FAIL:
        request(vm, REQ_EXIT, (int)code);
        break;
    case FINISHER_RESET:
        if (vm->cfg.no_reboot)
            request(vm, REQ_EXIT, 0);
        else
            request(vm, REQ_RESET, 0);
        break;
    }
}

/* -d guest_errors / unimp: the bus calls this for accesses no region claims. */
static void log_unassigned(uint64_t pa, unsigned size, bool write)
{
    if (trace_on(TRACE_GUEST_ERRORS))
        trace_printf("Invalid %s at addr 0x%" PRIX64 ", size %u, region '(null)', reason: "
                     "rejected\n",
                     write ? "write" : "read", pa, size);
    if (trace_on(TRACE_UNIMP))
        trace_printf("unimplemented device %s at 0x%016" PRIx64 " (size %u): no device there\n",
                     write ? "write" : "read", pa, size);
}

/* From a disk's I/O thread: wake the loop if it sleeps in ppoll. (The completion's interrupt
 * already woke the hart it targets; this only keeps the loop's view fresh.) */
static void io_wake(void *ctx)
{
    vm_wake_loop(ctx);
}

static void io_woken(void *ctx, int fd, short revents)
{
    uint64_t n;
    ssize_t r = read(fd, &n, sizeof(n));
    (void)r;
}

int vm_create(struct vm **out, const struct vm_config *cfg, const struct vm_console *con, char *err)
{
    struct vm *vm = xcalloc(1, sizeof(*vm));
    vm->cfg = *cfg;
    vm->step_hart = -1;
    vm->dbg_hart = -1;
    vm->paused = cfg->start_paused;
    for (unsigned i = 0; i < VM_MAX_FDS; i++)
        vm->fds[i].fd = -1;
    if (!vm->cfg.slice)
        vm->cfg.slice = VM_DEFAULT_SLICE;
    if (con)
        vm->con = *con;
    else
        vm->con.in_fd = -1;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&vm->big, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_mutex_init(&vm->mu, NULL);
    pthread_cond_init(&vm->cpu_cv, NULL);
    pthread_cond_init(&vm->vm_cv, NULL);
    struct machine_hooks hooks = {.uart_tx = on_uart_tx, .finisher = on_finisher, .ctx = vm};
    vm->io_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (vm->io_wake_fd >= 0 && vm_add_fd(vm, vm->io_wake_fd, POLLIN, io_woken, vm) == 0)
        hooks.io_wake = io_wake;
    int rc = machine_create(&vm->m, &cfg->machine, &hooks, err);
    if (rc) {
        if (vm->io_wake_fd >= 0)
            close(vm->io_wake_fd);
        free(vm);
        *out = NULL;
        return rc;
    }
    vm->m->bus.mmio_lock = &vm->big;
    if (trace_on(TRACE_GUEST_ERRORS | TRACE_UNIMP))
        vm->m->bus.on_unassigned = log_unassigned;
    vm_update_debug(vm);
    *out = vm;
    return 0;
}

struct machine *vm_machine(struct vm *vm)
{
    return vm->m;
}

void vm_input(struct vm *vm, const uint8_t *data, size_t n)
{
    if (n)
        uart_push_input(vm->m->uart, data, n);
}

void vm_set_input_fd(struct vm *vm, int fd)
{
    vm->con.in_fd = fd;
}

void vm_request_exit(struct vm *vm, int status)
{
    request(vm, REQ_EXIT, status);
}

void vm_request_reset(struct vm *vm)
{
    request(vm, REQ_RESET, 0);
}

void vm_free(struct vm *vm)
{
    if (!vm)
        return;
    machine_free(vm->m); /* joins the I/O threads before their eventfd goes */
    if (vm->io_wake_fd >= 0)
        close(vm->io_wake_fd);
    pthread_cond_destroy(&vm->vm_cv);
    pthread_cond_destroy(&vm->cpu_cv);
    pthread_mutex_destroy(&vm->mu);
    pthread_mutex_destroy(&vm->big);
    free(vm);
}

int vm_add_fd(struct vm *vm, int fd, short events, void (*cb)(void *ctx, int fd, short revents),
              void *ctx)
{
    for (unsigned i = 0; i < VM_MAX_FDS; i++) {
        if (vm->fds[i].fd < 0) {
            vm->fds[i] = (struct vm_fd){fd, events, cb, ctx};
            vm_wake_loop(vm); /* from a hart's thread, the loop may be polling without it */
            return 0;
        }
    }
    return -ERR_RANGE;
}

void vm_remove_fd(struct vm *vm, int fd)
{
    for (unsigned i = 0; i < VM_MAX_FDS; i++)
        if (vm->fds[i].fd == fd)
            vm->fds[i].fd = -1;
}

int vm_add_poll_hook(struct vm *vm,
                     unsigned (*prepare)(void *ctx, struct pollfd *pfd, unsigned max,
                                         uint64_t *timeout_ns),
                     void (*dispatch)(void *ctx, struct pollfd *pfd, unsigned n), void *ctx)
{
    if (vm->nhooks == VM_MAX_HOOKS)
        return -ERR_RANGE;
    vm->hooks[vm->nhooks++] = (struct vm_hook){prepare, dispatch, ctx};
    return 0;
}

void vm_remove_poll_hook(struct vm *vm, void *ctx)
{
    for (unsigned i = 0; i < vm->nhooks; i++)
        if (vm->hooks[i].ctx == ctx)
            vm->hooks[i--] = vm->hooks[--vm->nhooks];
}

static void dispatch_fds(struct vm *vm, const struct pollfd *pfd, const struct vm_fd *who,
                         nfds_t nown);

/* Waits up to timeout_ns for console input or a registered descriptor and hands it over. The
 * descriptor table and the hooks are read under big: a network backend may change its
 * descriptors from a hart's thread (a transmit that fills its queue wants POLLOUT). */
static void poll_input(struct vm *vm, uint64_t timeout_ns)
{
    struct pollfd pfd[VM_MAX_FDS + 1 + VM_MAX_HOOK_FDS];
    struct vm_fd who[VM_MAX_FDS + 1];
    nfds_t n = 0;
    vm_big_lock(vm);
    if (vm->con.in_fd >= 0) {
        pfd[n] = (struct pollfd){.fd = vm->con.in_fd, .events = POLLIN};
        who[n++] = (struct vm_fd){.fd = -1};
    }
    for (unsigned i = 0; i < VM_MAX_FDS; i++) {
        if (vm->fds[i].fd >= 0) {
            pfd[n] = (struct pollfd){.fd = vm->fds[i].fd, .events = vm->fds[i].events};
            who[n++] = vm->fds[i];
        }
    }
    /* The hooks' entries follow the loop's own; hook_at[i] is where hook i's begin. */
    nfds_t nown = n;
    unsigned hook_at[VM_MAX_HOOKS + 1];
    unsigned nhooks = vm->nhooks;
    for (unsigned i = 0; i < nhooks; i++) {
        hook_at[i] = (unsigned)n;
        n += vm->hooks[i].prepare(vm->hooks[i].ctx, pfd + n,
                                  VM_MAX_FDS + 1 + VM_MAX_HOOK_FDS - (unsigned)n, &timeout_ns);
    }
    hook_at[nhooks] = (unsigned)n;
    vm_big_unlock(vm);
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000ull),
                          .tv_nsec = (long)(timeout_ns % 1000000000ull)};
    trace_flush();
    int rc = ppoll(n ? pfd : NULL, n, &ts, NULL);
    if (rc <= 0)
        for (nfds_t k = 0; k < n; k++)
            pfd[k].revents = 0;
    vm_big_lock(vm);
    for (unsigned i = 0; i < nhooks && i < vm->nhooks; i++)
        vm->hooks[i].dispatch(vm->hooks[i].ctx, pfd + hook_at[i], hook_at[i + 1] - hook_at[i]);
    if (rc > 0)
        dispatch_fds(vm, pfd, who, nown);
    vm_big_unlock(vm);
}

/* The console's and the registered descriptors' callbacks for what ppoll found. big held. */
static void dispatch_fds(struct vm *vm, const struct pollfd *pfd, const struct vm_fd *who,
                         nfds_t nown)
{
    for (nfds_t k = 0; k < nown; k++) {
        short re = pfd[k].revents;
        if (!re)
            continue;
        if (who[k].fd < 0) { /* the console */
            if (!(re & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
                continue;
            if ((re & POLLNVAL) || !vm->con.on_input)
                vm->con.in_fd = -1;
            else
                vm->con.on_input(vm->con.ctx, vm);
            continue;
        }
        /* Still registered? An earlier callback of this round may have removed it. */
        bool live = false;
        for (unsigned i = 0; i < VM_MAX_FDS; i++)
            if (vm->fds[i].fd == who[k].fd && vm->fds[i].cb == who[k].cb &&
                vm->fds[i].ctx == who[k].ctx)
                live = true;
        if (live)
            who[k].cb(who[k].ctx, who[k].fd, re);
    }
}

/* A reset asked for by the guest (the finisher) or the monitor: every hart parked, the board
 * as after power-on, running again unless paused. */
static void handle_reset(struct vm *vm)
{
    vm_harts_wait(vm);
    vm_flush_output(vm);
    machine_reset(vm->m);
    pthread_mutex_lock(&vm->mu);
    if (vm->req == REQ_RESET)
        vm->req = REQ_NONE;
    pthread_mutex_unlock(&vm->mu);
    if (!vm->paused && vm->step_hart < 0)
        vm_harts_resume(vm);
}

int vm_run(struct vm *vm)
{
    if (vm->paused)
        vclock_stop();
    vm_harts_start(vm);
    for (;;) {
        pthread_mutex_lock(&vm->mu);
        enum vm_request req = vm->req;
        int dbg_hart = vm->dbg_hart;
        vm->dbg_hart = -1;
        pthread_mutex_unlock(&vm->mu);
        if (req == REQ_EXIT)
            break;
        if (req == REQ_RESET) {
            handle_reset(vm);
            continue;
        }
        if (dbg_hart >= 0)
            vm_debug_stopped(vm, (unsigned)dbg_hart);
        if (vm->step_hart >= 0) {
            vm_step_pending(vm);
            continue;
        }
        rtc_update(vm->m->rtc);
        vm_flush_output(vm);
        /* Poll hooks (libslirp) change their descriptors as the guest sends: while a hart
         * runs, look at them often. Everything else wakes the loop itself. */
        bool busy = !vm->paused && vm->nhooks && atomic_load(&vm->nrunning);
        poll_input(vm, busy ? VM_INPUT_POLL_NS : VM_MAX_SLEEP_NS);
    }
    vm_harts_wait(vm);
    vm_harts_join(vm);
    vm_flush_output(vm);
    vm->paused = true;
    if (vm->on_stop)
        vm->on_stop(vm->stop_ctx,
                    &(struct vm_stop){.reason = VM_STOP_EXIT, .status = vm->exit_status});
    if (trace_on(TRACE_JIT))
        for (unsigned i = 0; i < vm->m->nharts; i++) {
            char buf[1024];
            jit_describe(&vm->m->harts[i], buf, sizeof(buf));
            trace_printf("%s", buf);
        }
    trace_flush();
    return vm->exit_status;
}
