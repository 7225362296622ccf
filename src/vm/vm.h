/* One virtual machine's lifecycle and run loop. Every hart runs on a host thread of its own,
 * sleeping on a futex while it waits in WFI; the calling thread (the VM thread) runs the loop:
 * host input, guest output, the monitor's and the gdb stub's descriptors, network backends.
 * MMIO from the harts and the loop's device work are serialised by one device lock, so devices
 * see one thread at a time. An idle guest costs no host CPU.
 *
 * The console is the owner's (the command line's): the VM only polls its fd and hands guest
 * output to its write callback. */
#ifndef VISOR_VM_H
#define VISOR_VM_H

#include "../machine/machine.h"

struct vm;

struct vm_console {
    int in_fd; /* polled for host input; -1 for none */
    /* in_fd is readable (or hung up): read it and pass the bytes to vm_input; on end of file
     * call vm_set_input_fd(vm, -1). */
    void (*on_input)(void *ctx, struct vm *vm);
    /* Guest output, in order, on the VM thread (or on a hart's thread when the VM's buffer
     * fills), as soon as the VM thread gets to run after the guest wrote it, and always before
     * vm_run returns. */
    void (*write)(void *ctx, const uint8_t *buf, size_t n);
    void *ctx;
};

struct vm_config {
    struct machine_config machine;
    bool no_reboot; /* a guest reset ends the run with status 0 */
    uint64_t slice; /* instructions per hart_run call on a hart's thread; 0: VM_DEFAULT_SLICE */
    bool start_paused; /* -S: no hart runs until vm_continue */
};

#define VM_DEFAULT_SLICE 10000
/* The longest the loop, or a hart asleep in WFI, sleeps without looking again. */
#define VM_MAX_SLEEP_NS 10000000ull
/* How often the loop polls its poll hooks while a hart runs. */
#define VM_INPUT_POLL_NS 1000000ull

/* Builds the machine; on failure err (MACHINE_ERRLEN bytes) names the flag or file. */
MUST_CHECK int vm_create(struct vm **out, const struct vm_config *cfg, const struct vm_console *con,
                         char *err);
struct machine *vm_machine(struct vm *vm);
/* Runs until the guest powers off (0), fails through the test device (its code), resets
 * with no_reboot (0), or vm_request_exit; returns that exit status. */
int vm_run(struct vm *vm);
/* Host input for the guest's console (the UART). */
void vm_input(struct vm *vm, const uint8_t *data, size_t n);
void vm_set_input_fd(struct vm *vm, int fd);
/* Ends vm_run with status once every hart has stopped at an instruction boundary. Any
 * thread. */
void vm_request_exit(struct vm *vm, int status);
void vm_free(struct vm *vm);

/* ---- Control and debugging: the monitor and the gdb stub ----
 * All of these run on the VM's thread: before vm_run, or from the fd callbacks below (which
 * the loop calls with the device lock held; harts keep running unless the VM is paused). Those
 * that touch hart state first stop every hart at an instruction boundary. */

/* Host descriptors the loop polls beside the console; cb gets the revents (on the VM
 * thread, device lock held). A callback may add or remove descriptors, itself included; so
 * may device code on a hart's thread (it holds the device lock too). */
#define VM_MAX_FDS 16
MUST_CHECK int vm_add_fd(struct vm *vm, int fd, short events,
                         void (*cb)(void *ctx, int fd, short revents), void *ctx);
void vm_remove_fd(struct vm *vm, int fd);

/* A poll hook: a source whose descriptors change from poll to poll (libslirp's sockets, whose
 * set it only reveals just before each poll). Every time the loop polls, prepare() writes up
 * to max entries into pfd (returning how many) and may lower *timeout_ns for its own timers;
 * after the poll, dispatch() gets the same entries back with revents filled in (all zero on a
 * timeout or error). The loop polls at least every VM_INPUT_POLL_NS while harts run. */
#define VM_MAX_HOOKS 8
#define VM_MAX_HOOK_FDS 256 /* all hooks together, per poll */
struct pollfd;
MUST_CHECK int vm_add_poll_hook(struct vm *vm,
                                unsigned (*prepare)(void *ctx, struct pollfd *pfd, unsigned max,
                                                    uint64_t *timeout_ns),
                                void (*dispatch)(void *ctx, struct pollfd *pfd, unsigned n),
                                void *ctx);
void vm_remove_poll_hook(struct vm *vm, void *ctx);

enum vm_stop_reason { VM_STOP_PAUSE, VM_STOP_BREAK, VM_STOP_WATCH, VM_STOP_STEP, VM_STOP_EXIT };
struct vm_stop {
    enum vm_stop_reason reason;
    unsigned hart;       /* the hart that stopped; for PAUSE, the one that ran last */
    uint64_t addr;       /* WATCH: the data address */
    unsigned watch_kind; /* WATCH: enum hart_watch */
    bool hw;             /* BREAK: inserted as a hardware breakpoint */
    int status;          /* EXIT: the exit status vm_run returns */
};
/* The one observer of stops (the gdb stub): called when the VM pauses for any reason, and
 * once as vm_run returns (VM_STOP_EXIT). */
void vm_set_stop_handler(struct vm *vm, void (*fn)(void *ctx, const struct vm_stop *st),
                         void *ctx);
/* Paused: no hart runs and the guest's clock stands still; devices and I/O keep working. */
bool vm_paused(const struct vm *vm);
/* Stops every hart at its next instruction boundary and waits for them, so the VM is paused
 * on return (a VM_STOP_PAUSE has been reported); nothing if paused. */
void vm_pause(struct vm *vm);
void vm_continue(struct vm *vm);
/* Runs one instruction of one hart, the others staying paused (interrupts are not taken and
 * WFI does not wait); a VM_STOP_STEP, or the watchpoint it hit, follows. */
void vm_step(struct vm *vm, unsigned hart);
/* system_reset: a machine reset once every hart has stopped (a paused VM stays paused). */
void vm_request_reset(struct vm *vm);
/* Breakpoints and watchpoints, shared by every hart. Return 0, -ERR_RANGE when the table is
 * full, -ERR_NOTFOUND when removing what is not there. */
MUST_CHECK int vm_break_add(struct vm *vm, uint64_t addr, bool hw);
MUST_CHECK int vm_break_del(struct vm *vm, uint64_t addr, bool hw);
MUST_CHECK int vm_watch_add(struct vm *vm, uint64_t addr, uint64_t len, unsigned kind);
MUST_CHECK int vm_watch_del(struct vm *vm, uint64_t addr, uint64_t len, unsigned kind);
void vm_debug_clear(struct vm *vm);

#endif
