/* One virtual machine's lifecycle and run loop. The harts are interleaved on the calling
 * thread in slices; between slices the loop advances the timers, flushes guest output and
 * polls host input; when every hart waits in WFI it sleeps in ppoll() until the next timer
 * deadline or input, so an idle guest costs no host CPU.
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
    /* Guest output, in order; called at least once per slice that produced any, and always
     * before the loop sleeps or returns. */
    void (*write)(void *ctx, const uint8_t *buf, size_t n);
    void *ctx;
};

struct vm_config {
    struct machine_config machine;
    bool no_reboot; /* a guest reset ends the run with status 0 */
    uint64_t slice; /* instructions per hart per turn; 0: VM_DEFAULT_SLICE */
};

#define VM_DEFAULT_SLICE 10000
/* The longest the idle loop sleeps without looking at the harts again. */
#define VM_MAX_SLEEP_NS 10000000ull
/* How often a busy loop polls host input. */
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
/* Ends vm_run with status at the next slice boundary. */
void vm_request_exit(struct vm *vm, int status);
void vm_free(struct vm *vm);

#endif
