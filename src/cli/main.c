/* visor's entry point: `visor [run] <QEMU flags>`. Parses the command line, answers -help /
 * -version / dumpdtb, otherwise builds the VM, hands it the console and runs it; the exit
 * status is QEMU's (0 on power-off, Ctrl-A x or a reset with -no-reboot; the guest's code on a
 * test-device failure; 1 on any start-up error). */
#include "cli.h"

#include "../gdb/gdb.h"
#include "../mon/mon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int dump_dtb(struct cli_opts *o)
{
    struct vm *vm;
    char err[MACHINE_ERRLEN];
    if (vm_create(&vm, &o->vm, NULL, err))
        die("%s", err);
    const struct machine *m = vm_machine(vm);
    FILE *f = fopen(o->dumpdtb, "wb");
    if (!f)
        die("-machine dumpdtb=%s: %s", o->dumpdtb, strerror(errno));
    bool ok = fwrite(m->fdt, 1, m->fdt_size, f) == m->fdt_size;
    if (fclose(f) || !ok)
        die("-machine dumpdtb=%s: write failed", o->dumpdtb);
    fprintf(stderr, "visor: info: dtb dumped to %s. Exiting.\n", o->dumpdtb);
    vm_free(vm);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "disk"))
        return cli_disk_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "switch"))
        return switch_main(argc - 1, argv + 1);
    struct cli_opts o;
    char err[CLI_ERRLEN];
    if (cli_parse(argc, argv, &o, err)) {
        fprintf(stderr, "visor: %s\n", err);
        cli_opts_free(&o);
        return 1;
    }
    switch (o.action) {
    case CLI_HELP:
        cli_print_help(stdout);
        return 0;
    case CLI_VERSION:
        cli_print_version(stdout);
        return 0;
    case CLI_MACHINE_HELP:
        printf("Supported machines are:\n"
               "virt                 RISC-V VirtIO board (QEMU " VISOR_QEMU_VERSION " layout)\n");
        return 0;
    case CLI_CPU_HELP:
        printf("rv64\n");
        return 0;
    case CLI_ACCEL_HELP:
        printf("Accelerators supported in visor:\ntcg\njit\ninterp\n");
        return 0;
    case CLI_DEVICE_HELP:
        printf("Storage devices:\n"
               "name \"virtio-blk-device\", bus virtio-bus\n\n"
               "Input devices:\n"
               "name \"virtconsole\", bus virtio-serial-bus\n\n"
               "Network devices:\n"
               "name \"virtio-net-device\", bus virtio-bus\n\n"
               "Misc devices:\n"
               "name \"virtio-rng-device\", bus virtio-bus\n"
               "name \"virtio-serial-device\", bus virtio-bus\n");
        return 0;
    case CLI_LOG_HELP: {
        printf("Log items (comma separated):\n");
        const char *help, *name;
        for (unsigned i = 0; (name = trace_item(i, &help)); i++)
            printf("%-15s %s\n", name, help);
        return 0;
    }
    case CLI_RUN:
        break;
    }
    if (o.dumpdtb) {
        int rc = dump_dtb(&o);
        cli_opts_free(&o);
        return rc;
    }

    trace_mask = o.trace;
    if (o.logfile && trace_open(o.logfile))
        die("-D %s: cannot open the log file: %s", o.logfile, strerror(errno));
    struct vm_console vc;
    struct console *con = console_new(o.serial, &vc);
    struct vm *vm;
    char merr[MACHINE_ERRLEN];
    if (cli_net_open(&o, err)) {
        console_close(con);
        die("%s", err);
    }
    if (vm_create(&vm, &o.vm, &vc, merr)) {
        console_close(con);
        die("%s", merr);
    }
    if (cli_net_start(&o, vm, err))
        die("%s", err);
    struct mon *mon = mon_new(vm);
    if (!o.monitor_none)
        console_set_monitor(con, mon);
    for (unsigned i = 0; i < o.nmonitors; i++)
        if (mon_listen(mon, o.monitors[i], merr, sizeof(merr)))
            die("%s", merr);
    struct gdb_stub *gdb = NULL;
    if (o.gdb && gdb_stub_start(&gdb, vm, mon, o.gdb, merr, sizeof(merr)))
        die("%s", merr);
    console_start(con);
    int status = vm_run(vm);
    gdb_stub_free(gdb);
    mon_free(mon);
    cli_net_close(&o);
    vm_free(vm);
    console_close(con);
    cli_opts_free(&o);
    return status;
}
