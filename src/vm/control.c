/* Pausing and debugging a VM, all-stop: the monitor's stop and cont, gdb's interrupt,
 * breakpoints, watchpoints and single step. Everything here runs on the VM thread. A pause
 * halts every hart thread and waits until each is parked at an instruction boundary, so it is
 * immediate: "stop" followed by "info status" says paused, and gdb reads registers no hart is
 * changing. A hart's own debug event (a breakpoint or watchpoint it met) halts the others from
 * its thread; the loop then reports it here. A hart runs its checking loop only while a
 * breakpoint, watchpoint, step or per-instruction trace item exists. */
#include "vm_priv.h"

void vm_set_stop_handler(struct vm *vm, void (*fn)(void *ctx, const struct vm_stop *st), void *ctx)
{
    vm->on_stop = fn;
    vm->stop_ctx = ctx;
}

bool vm_paused(const struct vm *vm)
{
    return vm->paused;
}

/* Harts parked. */
static void enter_pause(struct vm *vm, const struct vm_stop *st)
{
    vm->paused = true;
    vm->step_hart = -1;
    vm->cur_hart = st->hart;
    vclock_stop();
    vm_flush_output(vm);
    if (st->reason == VM_STOP_BREAK)
        vm->break_pc[st->hart] = vm->m->harts[st->hart].pc;
    if (vm->on_stop)
        vm->on_stop(vm->stop_ctx, st);
}

void vm_pause(struct vm *vm)
{
    if (vm->paused)
        return;
    vm_harts_wait(vm);
    enter_pause(vm, &(struct vm_stop){.reason = VM_STOP_PAUSE, .hart = vm->cur_hart});
}

/* A hart resuming where a breakpoint stopped it runs that instruction before the breakpoint
 * can fire again (gdb steps over it itself; this keeps simpler clients from looping). Harts
 * parked. */
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
    if (!vm->paused)
        return;
    arm_resume(vm);
    vm->paused = false;
    vclock_start();
    vm_harts_resume(vm);
}

void vm_step(struct vm *vm, unsigned hart)
{
    if (hart >= vm->m->nharts)
        return;
    vm_harts_wait(vm); /* already parked unless a client steps a running VM */
    arm_resume(vm);
    vm->step_hart = (int)hart;
    vm->paused = false;
    vclock_start();
}

void vm_update_debug(struct vm *vm)
{
    vm->dbg.trace = trace_mask & HART_TRACE_ITEMS;
    bool any = vm->dbg.nbreak || vm->dbg.nwatch || vm->dbg.trace;
    for (unsigned i = 0; i < vm->m->nharts; i++) {
        struct hart *h = &vm->m->harts[i];
        h->dbg = &vm->dbg;
        h->debug = any || h->dbg_step;
    }
}

/* The table and the harts' debug flags change only while no hart runs: gdb changes them while
 * the VM is stopped anyway, but another client may not. hold() halts running harts and says
 * whether it did; release() applies the change and lets them go again. */
static bool hold(struct vm *vm)
{
    bool running = !vm->paused && vm->step_hart < 0;
    if (running)
        vm_harts_wait(vm);
    return running;
}

static void release(struct vm *vm, bool held)
{
    vm_update_debug(vm);
    if (held)
        vm_harts_resume(vm);
}

int vm_break_add(struct vm *vm, uint64_t addr, bool hw)
{
    if (vm->dbg.nbreak == HART_MAX_BREAKPOINTS)
        return -ERR_RANGE;
    bool held = hold(vm);
    vm->dbg.breaks[vm->dbg.nbreak++] = (struct hart_breakpoint){addr, hw};
    release(vm, held);
    return 0;
}

int vm_break_del(struct vm *vm, uint64_t addr, bool hw)
{
    struct hart_debug *d = &vm->dbg;
    for (unsigned i = 0; i < d->nbreak; i++) {
        if (d->breaks[i].addr == addr && d->breaks[i].hw == hw) {
            bool held = hold(vm);
            d->breaks[i] = d->breaks[--d->nbreak];
            release(vm, held);
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
    bool held = hold(vm);
    vm->dbg.watches[vm->dbg.nwatch++] = (struct hart_watchpoint){addr, len, (uint8_t)kind};
    release(vm, held);
    return 0;
}

int vm_watch_del(struct vm *vm, uint64_t addr, uint64_t len, unsigned kind)
{
    struct hart_debug *d = &vm->dbg;
    for (unsigned i = 0; i < d->nwatch; i++) {
        const struct hart_watchpoint *w = &d->watches[i];
        if (w->addr == addr && w->len == len && w->kind == kind) {
            bool held = hold(vm);
            d->watches[i] = d->watches[--d->nwatch];
            release(vm, held);
            return 0;
        }
    }
    return -ERR_NOTFOUND;
}

void vm_debug_clear(struct vm *vm)
{
    bool held = hold(vm);
    vm->dbg.nbreak = vm->dbg.nwatch = 0;
    release(vm, held);
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

/* Hart i met a breakpoint or watchpoint and halted the others. If the VM paused meanwhile (a
 * client's interrupt won the race), the event stays on the hart: a breakpoint fires again when
 * it resumes. */
void vm_debug_stopped(struct vm *vm, unsigned i)
{
    vm_harts_wait(vm);
    if (vm->paused)
        return;
    struct vm_stop st;
    if (hart_stop(vm, i, &st))
        enter_pause(vm, &st);
    else if (vm->step_hart < 0)
        vm_harts_resume(vm);
}

/* One instruction of the hart vm_step named, on its own thread, then pause. */
void vm_step_pending(struct vm *vm)
{
    unsigned i = (unsigned)vm->step_hart;
    struct hart *h = &vm->m->harts[i];
    vm->step_hart = -1;
    vm_harts_wait(vm);
    h->wfi = false;
    h->dbg_step = true;
    h->dbg_skip_break = true;
    vm_update_debug(vm);
    vm_harts_step(vm, i);
    h->dbg_step = false;
    vm_update_debug(vm);
    clint_update(vm->m->clint);
    rtc_update(vm->m->rtc);
    struct vm_stop st;
    if (!hart_stop(vm, i, &st))
        st = (struct vm_stop){.reason = VM_STOP_STEP, .hart = i};
    pthread_mutex_lock(&vm->mu);
    bool exiting = vm->req == REQ_EXIT; /* the step powered off: only the exit is reported */
    pthread_mutex_unlock(&vm->mu);
    if (!exiting)
        enter_pause(vm, &st);
    else
        vm->paused = true;
}
