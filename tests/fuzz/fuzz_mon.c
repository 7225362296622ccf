/* libFuzzer harness for the monitor's command parser (src/mon): the input is what a -monitor
 * client types, fed through a session (line assembly, escape sequences, backspace) into the
 * commands of a real, small VM (one hart, 16 MiB, no firmware). Commands that would end or
 * reset the machine only record the request, which the harness never acts on.
 * Build: make MODE=fuzz fuzz-mon; run: build/fuzz/fuzz_mon tests/fuzz/corpus/mon */
#include "../../src/mon/mon.h"
#include "../../src/vm/vm.h"

#include <stdlib.h>

static void discard(void *ctx, const char *text, size_t n)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vm *vm;
    static struct mon *mon;
    if (!vm) {
        struct vm_config cfg = {.machine = {.ram_size = 16ull << 20, .nharts = 1}};
        char err[MACHINE_ERRLEN];
        if (vm_create(&vm, &cfg, NULL, err))
            abort();
        mon = mon_new(vm);
    }
    struct mon_session *s = mon_session_new(mon, discard, NULL, size & 1);
    mon_session_input(s, data, size);
    mon_session_input(s, (const uint8_t *)"\n", 1);
    mon_session_free(s);
    return 0;
}
