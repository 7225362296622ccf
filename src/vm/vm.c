/* The run loop of one VM on one host thread. A turn runs every awake hart for one slice,
 * then advances the CLINT and RTC, flushes guest output and (at most every millisecond)
 * polls host input. When no hart is awake the loop sleeps in ppoll() on the console until
 * the earliest timer deadline (CLINT mtimecmp, or an Sstc stimecmp) or VM_MAX_SLEEP_NS.
 *
 * Invariants: a hart's LR/SC reservation dies when another hart gets the thread, since we
 * cannot see the other hart's stores to it otherwise; and device callbacks that end or reset
 * the machine only record the request and stop the harts — the loop acts on it between
 * slices, never inside hart_run. */
#define _GNU_SOURCE /* ppoll */
#include "vm.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


enum vm_request { REQ_NONE, REQ_EXIT, REQ_RESET };

struct vm {
    struct vm_config cfg;
    struct vm_console con;
    struct machine *m;
    enum vm_request req;
    int exit_status;
    uint8_t out[4096];
    size_t nout;
    uint64_t last_poll_ns;
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

int vm_create(struct vm **out, const struct vm_config *cfg, const struct vm_console *con, char *err)
{
    struct vm *vm = xcalloc(1, sizeof(*vm));
    vm->cfg = *cfg;
    if (!vm->cfg.slice)
        vm->cfg.slice = VM_DEFAULT_SLICE;
    if (con)
        vm->con = *con;
    else
        vm->con.in_fd = -1;
    struct machine_hooks hooks = {.uart_tx = on_uart_tx, .finisher = on_finisher, .ctx = vm};
    int rc = machine_create(&vm->m, &cfg->machine, &hooks, err);
    if (rc) {
        free(vm);
        *out = NULL;
        return rc;
    }
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
    machine_free(vm->m);
    free(vm);
}

/* Waits up to timeout_ns for console input and hands it over. */
static void poll_input(struct vm *vm, uint64_t timeout_ns)
{
    struct pollfd pfd = {.fd = vm->con.in_fd, .events = POLLIN};
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000ull),
                          .tv_nsec = (long)(timeout_ns % 1000000000ull)};
    int nfds = pfd.fd >= 0 ? 1 : 0;
    int rc = ppoll(nfds ? &pfd : NULL, (nfds_t)nfds, &ts, NULL);
    vm->last_poll_ns = host_ns();
    if (rc > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
        if (pfd.revents & POLLNVAL)
            vm->con.in_fd = -1;
        else if (vm->con.on_input)
            vm->con.on_input(vm->con.ctx, vm);
        else
            vm->con.in_fd = -1;
    }
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
    for (;;) {
        if (vm->req == REQ_RESET) {
            flush_output(vm);
            machine_reset(m);
            vm->req = REQ_NONE;
        }
        if (vm->req == REQ_EXIT)
            break;

        for (unsigned i = 0; i < m->nharts && vm->req == REQ_NONE; i++) {
            struct hart *h = &m->harts[i];
            if (h->wfi) {
                if (!hart_irq_wakeup(h))
                    continue;
                h->wfi = false;
            }
            h->stop = false;
            hart_run(h, vm->cfg.slice);
            if (m->nharts > 1)
                h->resv_valid = false;
            clint_update(m->clint);
        }
        clint_update(m->clint);
        rtc_update(m->rtc);
        flush_output(vm);
        if (vm->req != REQ_NONE)
            continue;

        if (!any_runnable(vm))
            poll_input(vm, sleep_budget(vm));
        else if (host_ns() - vm->last_poll_ns >= VM_INPUT_POLL_NS)
            poll_input(vm, 0);
    }
    flush_output(vm);
    return vm->exit_status;
}
