/* The hart threads: every hart runs on a host thread of its own. While the VM lets it (go),
 * the thread runs hart_run in slices and lets the CLINT's timers catch up after each; while its
 * hart waits in WFI it sleeps on a futex until an interrupt line of the hart rises, its next
 * timer deadline passes (its mtimecmp, or Sstc's stimecmp) or the VM halts it. A halted thread
 * parks at an instruction boundary, since hart_run returns as soon as h->stop is set.
 *
 * No lost wake-ups: a waker first sets what the sleeper must see (an mip bit, stop), then bumps
 * wake_seq, then calls FUTEX_WAKE if the hart says it sleeps. The sleeper reads wake_seq, says
 * it sleeps, looks at mip and stop, and waits only while wake_seq still holds what it read.
 * All of these are sequentially consistent, so either the sleeper sees the change or the
 * waker sees the sleeper (and a wake that comes before the wait makes the wait return).
 *
 * A hart that meets a breakpoint or watchpoint halts the machine itself and leaves the report
 * to the VM thread (dbg_hart), which makes it once every hart is parked. */
#define _GNU_SOURCE
#include "vm_priv.h"

#include <linux/futex.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void futex_wait(_Atomic uint32_t *word, uint32_t seen, uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
                          .tv_nsec = (long)(ns % 1000000000ull)};
    /* Whatever it returns (woken, the word moved, a signal, the timeout), the caller looks
     * again. */
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Wakes the hart's thread if it sleeps in WFI; the caller has set what it must see. */
static void kick(struct vm_cpu *c)
{
    atomic_fetch_add(&c->wake_seq, 1);
    if (atomic_load(&c->sleeping))
        futex_wake(&c->wake_seq);
}

/* hart.wake: one of the hart's interrupt lines rose (on whichever thread raised it). */
static void on_irq(void *ctx)
{
    kick(ctx);
}

static bool stop_requested(const struct hart *h)
{
    return __atomic_load_n(&h->stop, __ATOMIC_SEQ_CST);
}

static void running_inc(struct vm *vm)
{
    if (atomic_fetch_add(&vm->nrunning, 1) == 0)
        vm_wake_loop(vm); /* the loop may be in a long idle sleep: make it poll often again */
}

static void running_dec(struct vm *vm)
{
    atomic_fetch_sub(&vm->nrunning, 1);
}

/* Nanoseconds until the hart's own timers could wake it, capped at VM_MAX_SLEEP_NS. A deadline
 * already past wakes nobody (its line is high but masked, or it would not sleep), so it must
 * not turn the sleep into a busy loop. */
static uint64_t sleep_ns(const struct vm_cpu *c)
{
    const struct machine *m = c->vm->m;
    uint64_t now = clint_mtime(m->clint);
    uint64_t due[2] = {clint_deadline(m->clint, c->id), hart_timer_deadline(c->h)};
    uint64_t best = UINT64_MAX;
    for (unsigned i = 0; i < 2; i++)
        if (due[i] > now && due[i] - now < best)
            best = due[i] - now;
    const uint64_t ns_per_tick = 1000000000ull / TIMEBASE_HZ;
    if (best > VM_MAX_SLEEP_NS / ns_per_tick)
        return VM_MAX_SLEEP_NS;
    return best * ns_per_tick;
}

static void sleep_in_wfi(struct vm_cpu *c)
{
    struct hart *h = c->h;
    uint32_t seen = atomic_load(&c->wake_seq);
    atomic_store(&c->sleeping, true);
    if (!stop_requested(h) && !hart_irq_wakeup(h)) {
        running_dec(c->vm);
        futex_wait(&c->wake_seq, seen, sleep_ns(c));
        running_inc(c->vm);
    }
    atomic_store(&c->sleeping, false);
    clint_update(c->vm->m->clint); /* the deadline may be what ended the sleep */
}

/* Runs the hart until it is halted or meets a debug event. */
static void run(struct vm_cpu *c)
{
    struct vm *vm = c->vm;
    struct hart *h = c->h;
    running_inc(vm);
    while (!stop_requested(h)) {
        hart_run(h, vm->cfg.slice);
        clint_update(vm->m->clint);
        if (UNLIKELY(h->debug) && h->dbg_event != HART_EV_NONE) {
            pthread_mutex_lock(&vm->mu);
            if (vm->dbg_hart < 0)
                vm->dbg_hart = (int)c->id;
            vm_harts_halt_locked(vm);
            pthread_mutex_unlock(&vm->mu);
            vm_wake_loop(vm);
            break;
        }
        if (h->wfi)
            sleep_in_wfi(c);
    }
    running_dec(vm);
}

static void *hart_main(void *arg)
{
    struct vm_cpu *c = arg;
    struct vm *vm = c->vm;
    struct hart *h = c->h;
    pthread_mutex_lock(&vm->mu);
    for (;;) {
        while (!vm->quit && !vm->go && !c->step) {
            if (!c->parked) {
                c->parked = true;
                vm->nparked++;
                pthread_cond_broadcast(&vm->vm_cv);
            }
            pthread_cond_wait(&vm->cpu_cv, &vm->mu);
        }
        if (vm->quit)
            break;
        if (c->parked) {
            c->parked = false;
            vm->nparked--;
        }
        /* Cleared under mu while go (or step) holds: a halt, which sets stop under mu after
         * clearing go, can never be undone by this. */
        __atomic_store_n(&h->stop, false, __ATOMIC_SEQ_CST);
        bool step = c->step;
        pthread_mutex_unlock(&vm->mu);
        if (step)
            hart_run(h, 1);
        else
            run(c);
        pthread_mutex_lock(&vm->mu);
        c->step = false;
    }
    pthread_mutex_unlock(&vm->mu);
    return NULL;
}

void vm_harts_start(struct vm *vm)
{
    struct machine *m = vm->m;
    pthread_mutex_lock(&vm->mu);
    vm->go = !vm->paused && vm->req == REQ_NONE;
    vm->quit = false;
    for (unsigned i = 0; i < m->nharts; i++) {
        struct vm_cpu *c = &vm->cpus[i];
        c->vm = vm;
        c->h = &m->harts[i];
        c->id = i;
        c->h->wake = on_irq;
        c->h->wake_ctx = c;
        if (pthread_create(&c->thread, NULL, hart_main, c))
            die("cannot start a thread for hart %u", i);
        char name[16];
        snprintf(name, sizeof(name), "hart%u", i); /* top -H, gdb, and tests/linux.py see it */
        pthread_setname_np(c->thread, name);
        vm->nthreads++;
    }
    pthread_mutex_unlock(&vm->mu);
}

void vm_harts_join(struct vm *vm)
{
    pthread_mutex_lock(&vm->mu);
    vm->quit = true;
    pthread_cond_broadcast(&vm->cpu_cv);
    unsigned n = vm->nthreads;
    pthread_mutex_unlock(&vm->mu);
    for (unsigned i = 0; i < n; i++)
        pthread_join(vm->cpus[i].thread, NULL);
    pthread_mutex_lock(&vm->mu);
    vm->nthreads = vm->nparked = 0;
    pthread_mutex_unlock(&vm->mu);
}

void vm_harts_halt_locked(struct vm *vm)
{
    vm->go = false;
    for (unsigned i = 0; i < vm->nthreads; i++) {
        __atomic_store_n(&vm->cpus[i].h->stop, true, __ATOMIC_SEQ_CST);
        kick(&vm->cpus[i]);
    }
}

/* Waits for parked harts happen with big released: a hart inside an MMIO access needs it to
 * reach the instruction boundary where it parks. */
static void drop_big(struct vm *vm)
{
    for (unsigned i = 0; i < vm->big_depth; i++)
        pthread_mutex_unlock(&vm->big);
}

static void retake_big(struct vm *vm)
{
    for (unsigned i = 0; i < vm->big_depth; i++)
        pthread_mutex_lock(&vm->big);
}

void vm_harts_wait(struct vm *vm)
{
    drop_big(vm);
    pthread_mutex_lock(&vm->mu);
    vm_harts_halt_locked(vm);
    while (vm->nparked < vm->nthreads)
        pthread_cond_wait(&vm->vm_cv, &vm->mu);
    pthread_mutex_unlock(&vm->mu);
    retake_big(vm);
}

void vm_harts_resume(struct vm *vm)
{
    pthread_mutex_lock(&vm->mu);
    if (vm->req == REQ_NONE && vm->dbg_hart < 0 && !vm->go) {
        vm->go = true;
        pthread_cond_broadcast(&vm->cpu_cv);
    }
    pthread_mutex_unlock(&vm->mu);
}

void vm_harts_step(struct vm *vm, unsigned i)
{
    struct vm_cpu *c = &vm->cpus[i];
    if (i >= vm->nthreads)
        return;
    drop_big(vm);
    pthread_mutex_lock(&vm->mu);
    c->step = true;
    pthread_cond_broadcast(&vm->cpu_cv);
    while (c->step || !c->parked)
        pthread_cond_wait(&vm->vm_cv, &vm->mu);
    pthread_mutex_unlock(&vm->mu);
    retake_big(vm);
}
