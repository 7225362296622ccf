/* The run loop of one VM on one host thread. A turn runs every awake hart for one slice,
 * then advances the CLINT and RTC, flushes guest output and (at most every millisecond)
 * polls host input. When no hart is awake the loop sleeps in ppoll() on the console until
 * the earliest timer deadline (CLINT mtimecmp, or an Sstc stimecmp) or VM_MAX_SLEEP_NS.
 *
 * Invariants: a hart's LR/SC reservation dies when another hart gets the thread, since we
 * cannot see the other hart's stores to it otherwise; and device callbacks that end or reset
 * the machine only record the request and stop the harts — the loop acts on it between
 * slices, never inside hart_run.
 *
 * Pausing (the monitor's stop, gdb, -S) happens between slices too: a paused loop runs no hart
 * and freezes the guest clock, but keeps polling the console and the registered descriptors,
 * so the monitor and the gdb stub stay responsive. A hart runs its checking loop (breakpoints,
 * watchpoints, single step, instruction tracing) only while one of those is in use. */
#define _GNU_SOURCE /* ppoll */
#include "vm.h"
#include "../jit/jit.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


enum vm_request { REQ_NONE, REQ_EXIT, REQ_RESET };

struct vm_fd {
    int fd; /* -1: a free slot */
    short events;
    void (*cb)(void *ctx, int fd, short revents);
    void *ctx;
};

struct vm {
    struct vm_config cfg;
    struct vm_console con;
    struct machine *m;
    enum vm_request req;
    int exit_status;
    uint8_t out[4096];
    size_t nout;
    uint64_t last_poll_ns;
    int io_wake_fd; /* an eventfd the disks' I/O threads poke after a completion; -1: none */

    struct vm_fd fds[VM_MAX_FDS];
    struct vm_hook {
        unsigned (*prepare)(void *ctx, struct pollfd *pfd, unsigned max, uint64_t *timeout_ns);
        void (*dispatch)(void *ctx, struct pollfd *pfd, unsigned n);
        void *ctx;
    } hooks[VM_MAX_HOOKS];
    unsigned nhooks;
    bool paused, pause_req;
    bool in_slice; /* a hart is running: pauses wait for the slice to end */
    int step_hart;     /* >= 0: vm_step asked for one instruction of this hart */
    unsigned cur_hart; /* the hart that ran last */
    struct hart_debug dbg;
    uint64_t break_pc[MACHINE_MAX_HARTS]; /* where each hart last stopped at a breakpoint */
    void (*on_stop)(void *ctx, const struct vm_stop *st);
    void *stop_ctx;
};

static void flush_output(struct vm *vm)
{
    if (vm->nout && vm->con.write)
        vm->con.write(vm->con.ctx, vm->out, vm->nout);
    vm->nout = 0;
}

static void on_uart_tx(void *ctx, uint8_t byte)
{
    struct vm *vm = ctx;
    if (vm->nout == sizeof(vm->out))
        flush_output(vm);
    vm->out[vm->nout++] = byte;
}

static void stop_harts(struct vm *vm)
{
    for (unsigned i = 0; i < vm->m->nharts; i++)
        vm->m->harts[i].stop = true;
}

static void request(struct vm *vm, enum vm_request r, int status)
{
    if (vm->req == REQ_EXIT) /* the first exit wins */
        return;
    vm->req = r;
    vm->exit_status = status;
    stop_harts(vm);
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

/* Points every hart at the shared table and decides which harts need the checking loop. */
static void update_debug(struct vm *vm)
{
    vm->dbg.trace = trace_mask & HART_TRACE_ITEMS;
    bool any = vm->dbg.nbreak || vm->dbg.nwatch || vm->dbg.trace;
    for (unsigned i = 0; i < vm->m->nharts; i++) {
        struct hart *h = &vm->m->harts[i];
        h->dbg = &vm->dbg;
        h->debug = any || h->dbg_step;
    }
}

/* From a disk's I/O thread: wake the loop if it sleeps in ppoll, so the interrupt the
 * completion raised is taken now rather than at the next timer. */
static void io_wake(void *ctx)
{
    struct vm *vm = ctx;
    uint64_t one = 1;
    ssize_t n = write(vm->io_wake_fd, &one, sizeof(one));
    (void)n; /* EAGAIN: the counter is already non-zero, the loop will wake */
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
    vm->paused = cfg->start_paused;
    for (unsigned i = 0; i < VM_MAX_FDS; i++)
        vm->fds[i].fd = -1;
    if (!vm->cfg.slice)
        vm->cfg.slice = VM_DEFAULT_SLICE;
    if (con)
        vm->con = *con;
    else
        vm->con.in_fd = -1;
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
    if (trace_on(TRACE_GUEST_ERRORS | TRACE_UNIMP))
        vm->m->bus.on_unassigned = log_unassigned;
    update_debug(vm);
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

void vm_free(struct vm *vm)
{
    if (!vm)
        return;
    machine_free(vm->m); /* joins the I/O threads before their eventfd goes */
    if (vm->io_wake_fd >= 0)
        close(vm->io_wake_fd);
    free(vm);
}

int vm_add_fd(struct vm *vm, int fd, short events, void (*cb)(void *ctx, int fd, short revents),
              void *ctx)
{
    for (unsigned i = 0; i < VM_MAX_FDS; i++) {
        if (vm->fds[i].fd < 0) {
            vm->fds[i] = (struct vm_fd){fd, events, cb, ctx};
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

/* Waits up to timeout_ns for console input or a registered descriptor and hands it over. */
static void poll_input(struct vm *vm, uint64_t timeout_ns)
{
    struct pollfd pfd[VM_MAX_FDS + 1 + VM_MAX_HOOK_FDS];
    struct vm_fd who[VM_MAX_FDS + 1];
    nfds_t n = 0;
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
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000ull),
                          .tv_nsec = (long)(timeout_ns % 1000000000ull)};
    trace_flush();
    int rc = ppoll(n ? pfd : NULL, n, &ts, NULL);
    vm->last_poll_ns = host_ns();
    if (rc <= 0)
        for (nfds_t k = 0; k < n; k++)
            pfd[k].revents = 0;
    for (unsigned i = 0; i < nhooks && i < vm->nhooks; i++)
        vm->hooks[i].dispatch(vm->hooks[i].ctx, pfd + hook_at[i], hook_at[i + 1] - hook_at[i]);
    if (rc <= 0)
        return;
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

/* ---- Pause, step, breakpoints ---- */

void vm_set_stop_handler(struct vm *vm, void (*fn)(void *ctx, const struct vm_stop *st), void *ctx)
{
    vm->on_stop = fn;
    vm->stop_ctx = ctx;
}

bool vm_paused(const struct vm *vm)
{
    return vm->paused;
}

static void enter_pause(struct vm *vm, const struct vm_stop *st)
{
    vm->paused = true;
    vm->pause_req = false;
    vm->step_hart = -1;
    vclock_stop();
    flush_output(vm);
    if (st->reason == VM_STOP_BREAK)
        vm->break_pc[st->hart] = vm->m->harts[st->hart].pc;
    if (vm->on_stop)
        vm->on_stop(vm->stop_ctx, st);
}

/* Between slices (the monitor's and the stub's callbacks) the pause is immediate, so that
 * "stop" followed by "info status" says paused; from inside a slice it waits for its end. */
void vm_pause(struct vm *vm)
{
    if (vm->paused)
        return;
    if (!vm->in_slice) {
        enter_pause(vm, &(struct vm_stop){.reason = VM_STOP_PAUSE, .hart = vm->cur_hart});
        return;
    }
    vm->pause_req = true;
    stop_harts(vm);
}

/* A hart resuming where a breakpoint stopped it runs that instruction before the breakpoint
 * can fire again (gdb steps over it itself; this keeps simpler clients from looping). */
static void arm_resume(struct vm *vm)
{
    for (unsigned i = 0; i < vm->m->nharts; i++) {
        struct hart *h = &vm->m->harts[i];
        h->dbg_skip_break = h->dbg_event == HART_EV_BREAK && vm->break_pc[i] == h->pc;
        h->dbg_event = HART_EV_NONE;
    }
}

void vm_continue(struct vm *vm)
{
    vm->pause_req = false;
    if (!vm->paused)
        return;
    arm_resume(vm);
    vm->paused = false;
    vclock_start();
}

void vm_step(struct vm *vm, unsigned hart)
{
    if (hart >= vm->m->nharts)
        return;
    vm->pause_req = false;
    arm_resume(vm);
    vm->step_hart = (int)hart;
    vm->paused = false;
    vclock_start();
}

void vm_request_reset(struct vm *vm)
{
    request(vm, REQ_RESET, 0);
}

int vm_break_add(struct vm *vm, uint64_t addr, bool hw)
{
    if (vm->dbg.nbreak == HART_MAX_BREAKPOINTS)
        return -ERR_RANGE;
    vm->dbg.breaks[vm->dbg.nbreak++] = (struct hart_breakpoint){addr, hw};
    update_debug(vm);
    return 0;
}

int vm_break_del(struct vm *vm, uint64_t addr, bool hw)
{
    struct hart_debug *d = &vm->dbg;
    for (unsigned i = 0; i < d->nbreak; i++) {
        if (d->breaks[i].addr == addr && d->breaks[i].hw == hw) {
            d->breaks[i] = d->breaks[--d->nbreak];
            update_debug(vm);
            return 0;
        }
    }
    return -ERR_NOTFOUND;
}

int vm_watch_add(struct vm *vm, uint64_t addr, uint64_t len, unsigned kind)
{
    if (vm->dbg.nwatch == HART_MAX_WATCHPOINTS)
        return -ERR_RANGE;
    if (!len || !kind || kind > HART_WATCH_ACCESS)
        return -ERR_INVAL;
    vm->dbg.watches[vm->dbg.nwatch++] = (struct hart_watchpoint){addr, len, (uint8_t)kind};
    update_debug(vm);
    return 0;
}

int vm_watch_del(struct vm *vm, uint64_t addr, uint64_t len, unsigned kind)
{
    struct hart_debug *d = &vm->dbg;
    for (unsigned i = 0; i < d->nwatch; i++) {
        const struct hart_watchpoint *w = &d->watches[i];
        if (w->addr == addr && w->len == len && w->kind == kind) {
            d->watches[i] = d->watches[--d->nwatch];
            update_debug(vm);
            return 0;
        }
    }
    return -ERR_NOTFOUND;
}

void vm_debug_clear(struct vm *vm)
{
    vm->dbg.nbreak = vm->dbg.nwatch = 0;
    update_debug(vm);
}

/* What a hart's debug event means for the VM; false if it had none. */
static bool hart_stop(struct vm *vm, unsigned i, struct vm_stop *st)
{
    struct hart *h = &vm->m->harts[i];
    *st = (struct vm_stop){.hart = i};
    switch (h->dbg_event) {
    case HART_EV_BREAK:
        st->reason = VM_STOP_BREAK;
        for (unsigned k = 0; k < vm->dbg.nbreak; k++)
            if (vm->dbg.breaks[k].addr == h->pc)
                st->hw = vm->dbg.breaks[k].hw;
        return true;
    case HART_EV_WATCH:
        st->reason = VM_STOP_WATCH;
        st->addr = h->dbg_watch_addr;
        st->watch_kind = h->dbg_watch_kind;
        return true;
    case HART_EV_STEP:
        st->reason = VM_STOP_STEP;
        return true;
    default:
        return false;
    }
}

/* One instruction of the hart vm_step named, then pause. */
static void step_once(struct vm *vm)
{
    unsigned i = (unsigned)vm->step_hart;
    struct hart *h = &vm->m->harts[i];
    vm->step_hart = -1;
    vm->cur_hart = i;
    h->wfi = false;
    h->stop = false;
    h->dbg_step = true;
    h->dbg_skip_break = true;
    update_debug(vm);
    vm->in_slice = true;
    hart_run(h, 1);
    vm->in_slice = false;
    h->dbg_step = false;
    update_debug(vm);
    clint_update(vm->m->clint);
    rtc_update(vm->m->rtc);
    struct vm_stop st;
    if (!hart_stop(vm, i, &st))
        st = (struct vm_stop){.reason = VM_STOP_STEP, .hart = i};
    if (vm->req != REQ_EXIT)
        enter_pause(vm, &st);
}

/* Nanoseconds until the earliest timer that could wake a hart, capped at VM_MAX_SLEEP_NS.
 * A deadline already past wakes nobody (its interrupt is pending but masked), so it must not
 * turn the sleep into a busy loop. */
static uint64_t sleep_budget(const struct vm *vm)
{
    const struct machine *m = vm->m;
    uint64_t now = clint_mtime(m->clint);
    uint64_t next = clint_next_deadline(m->clint);
    uint64_t best = next > now ? next - now : UINT64_MAX;
    for (unsigned i = 0; i < m->nharts; i++) {
        const struct hart *h = &m->harts[i];
        uint64_t due = hart_timer_deadline(h);
        if (due > now && due - now < best)
            best = due - now;
    }
    const uint64_t ns_per_tick = 1000000000ull / TIMEBASE_HZ;
    if (best > VM_MAX_SLEEP_NS / ns_per_tick)
        return VM_MAX_SLEEP_NS;
    return best * ns_per_tick;
}

/* True if some hart may run: awake, or asleep with an interrupt that wakes it. */
static bool any_runnable(struct vm *vm)
{
    for (unsigned i = 0; i < vm->m->nharts; i++) {
        struct hart *h = &vm->m->harts[i];
        if (!h->wfi || hart_irq_wakeup(h))
            return true;
    }
    return false;
}

int vm_run(struct vm *vm)
{
    struct machine *m = vm->m;
    vm->last_poll_ns = host_ns();
    if (vm->paused)
        vclock_stop();
    for (;;) {
        if (vm->req == REQ_RESET) {
            flush_output(vm);
            machine_reset(m);
            vm->req = REQ_NONE;
        }
        if (vm->req == REQ_EXIT)
            break;
        if (vm->pause_req && !vm->paused)
            enter_pause(vm, &(struct vm_stop){.reason = VM_STOP_PAUSE, .hart = vm->cur_hart});
        vm->pause_req = false;
        if (vm->paused) {
            flush_output(vm);
            poll_input(vm, VM_MAX_SLEEP_NS);
            continue;
        }
        if (vm->step_hart >= 0) {
            step_once(vm);
            continue;
        }

        struct vm_stop st;
        bool stopped = false;
        for (unsigned i = 0; i < m->nharts && vm->req == REQ_NONE && !vm->pause_req; i++) {
            struct hart *h = &m->harts[i];
            if (h->wfi) {
                if (!hart_irq_wakeup(h))
                    continue;
                h->wfi = false;
            }
            h->stop = false;
            vm->cur_hart = i;
            vm->in_slice = true;
            hart_run(h, vm->cfg.slice);
            vm->in_slice = false;
            if (m->nharts > 1)
                h->resv_valid = false;
            clint_update(m->clint);
            if (UNLIKELY(h->debug) && hart_stop(vm, i, &st)) {
                stopped = true;
                break;
            }
        }
        clint_update(m->clint);
        rtc_update(m->rtc);
        flush_output(vm);
        if (stopped && vm->req != REQ_EXIT) {
            enter_pause(vm, &st);
            continue;
        }
        if (vm->req != REQ_NONE || vm->pause_req)
            continue;

        if (!any_runnable(vm))
            poll_input(vm, sleep_budget(vm));
        else if (host_ns() - vm->last_poll_ns >= VM_INPUT_POLL_NS)
            poll_input(vm, 0);
    }
    flush_output(vm);
    vm->paused = true;
    if (vm->on_stop)
        vm->on_stop(vm->stop_ctx,
                    &(struct vm_stop){.reason = VM_STOP_EXIT, .status = vm->exit_status});
    if (trace_on(TRACE_JIT))
        for (unsigned i = 0; i < m->nharts; i++) {
            char buf[1024];
            jit_describe(&m->harts[i], buf, sizeof(buf));
            trace_printf("%s", buf);
        }
    trace_flush();
    return vm->exit_status;
}
