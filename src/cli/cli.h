/* Private to src/cli: the parsed command line, the parser (parse.c, table in flags.def) and
 * the console (console.c). */
#ifndef VISOR_CLI_H
#define VISOR_CLI_H

#include "../net/net.h"
#include "../vm/vm.h"

#include <stdio.h>

enum cli_action {
    CLI_RUN, CLI_HELP, CLI_VERSION, CLI_MACHINE_HELP, CLI_CPU_HELP, CLI_ACCEL_HELP, CLI_DEVICE_HELP,
    CLI_LOG_HELP
};
enum cli_serial { SERIAL_MON_STDIO, SERIAL_STDIO, SERIAL_NONE };
enum cli_accel { ACCEL_DEFAULT, ACCEL_TCG, ACCEL_INTERP, ACCEL_JIT };

/* -drive: a backing file waiting for the -device that uses it (if=none), or a disk of its own
 * (if=virtio). */
#define CLI_MAX_DRIVES 8
struct cli_drive {
    const char *id, *file;
    const char *format; /* format=: raw, qcow2, or NULL to probe */
    bool snapshot;      /* snapshot=on */
    bool readonly;
    bool if_virtio; /* if=virtio: becomes a virtio-blk device by itself */
    bool used;      /* claimed by a -device */
    /* A minidisk: offset=/size= (QEMU's raw driver), link=MODE, x-journal=FILE. */
    bool extent, link_given;
    uint64_t offset, size;
    enum disk_link_mode link;
    const char *journal;
};

#define CLI_MAX_OBJECTS 8

/* -netdev TYPE,id=ID,...: opened by cli_net_open (net.c) once the command line is read, by
 * the dispatch in src/net/types.def; the options are handed over as they were written. */
#define CLI_MAX_NETDEVS 8
#define CLI_MAX_NETDEV_OPTS 24
struct cli_netdev {
    const char *type, *id;
    struct net_opt opts[CLI_MAX_NETDEV_OPTS];
    unsigned nopts;
    struct netdev *nd; /* once opened */
};
/* -object filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N] */
struct cli_dump {
    const char *id, *netdev, *file;
    uint32_t maxlen;
};

struct cli_opts {
    enum cli_action action;
    struct cli_drive drives[CLI_MAX_DRIVES];
    unsigned ndrives;
    const char *rng_objects[CLI_MAX_OBJECTS]; /* ids of -object rng-random/rng-builtin */
    unsigned nrng_objects;
    struct cli_netdev netdevs[CLI_MAX_NETDEVS];
    unsigned nnetdevs;
    struct cli_dump dumps[CLI_MAX_OBJECTS];
    unsigned ndumps;
    struct vm_config vm; /* machine settings included */
    const char *bios;    /* NULL if -bios was not given */
    const char *dumpdtb; /* -machine dumpdtb=FILE */
    const char *name;
    bool nographic;
    bool display_none;
    bool serial_given;
    enum cli_serial serial;
    enum cli_accel accel;
    /* Debugging: -gdb/-s, -monitor, -d, -D */
    const char *gdb;
    const char *monitors[4];
    unsigned nmonitors;
    bool monitor_none;
    uint32_t trace;
    const char *logfile;
    /* Strings carved out of option values (dumpdtb, name), freed by cli_opts_free. */
    char **owned;
    unsigned nowned;
};

#define CLI_ERRLEN 512

/* Parses argv (argv[0] is the program; an optional "run" subcommand follows it). Returns 0,
 * or a negative code with "-flag: what is wrong" in err. Warnings go to stderr. */
MUST_CHECK int cli_parse(int argc, char **argv, struct cli_opts *o, char *err);
void cli_opts_free(struct cli_opts *o);
void cli_print_help(FILE *f);
void cli_print_version(FILE *f);

/* Parses a QEMU size ("128", "128M", "1.5G", "4096B"); a bare number is in MiB. */
MUST_CHECK int cli_parse_size(const char *s, uint64_t *bytes);

/* ---- disk_cmd.c: `visor disk create|overlay|info|convert ...` (argv[0] is "disk") ---- */
int cli_disk_main(int argc, char **argv);

/* ---- net.c: the netdevs and their filters, around the VM's life ---- */
/* Opens every -netdev and filter-dump and connects the NICs' configs to them. */
MUST_CHECK int cli_net_open(struct cli_opts *o, char *err);
/* Hands them the VM's event loop. */
MUST_CHECK int cli_net_start(struct cli_opts *o, struct vm *vm, char *err);
void cli_net_close(struct cli_opts *o);

/* ---- switch_cmd.c: `visor switch PATH [--status [--json]]` (argv[0] is "switch") ---- */
int switch_main(int argc, char **argv);

/* ---- console.c ---- */
struct console;
/* Prepares the serial console on stdin/stdout (mode SERIAL_NONE: no input, output dropped)
 * and fills vc for vm_create. Touches no terminal state yet. */
struct console *console_new(enum cli_serial mode, struct vm_console *vc);
/* Takes over the terminal: raw mode if stdin is one (restored on every exit path, signals
 * included), signal handlers. */
void console_start(struct console *c);
/* Restores the terminal and frees the console. */
void console_close(struct console *c);
/* The monitor Ctrl-A c switches to (with mon:stdio); none: Ctrl-A c says so. */
struct mon;
void console_set_monitor(struct console *c, struct mon *m);

#endif
