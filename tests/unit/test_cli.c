/* The command line: QEMU's documented forms are accepted and mean what QEMU means; unknown
 * flags and bad values are refused with a message naming the flag; -help lists every flag at
 * the start of a line; -version's first line is QEMU's with visor's version. The parser is
 * part of the visor binary, not libvisor, so this test compiles it in. */
#include "cli/parse.c"
#include "test.h"

static int parse_v(char *err, struct cli_opts *o, const char *const *args)
{
    char *argv[64] = {"visor"};
    int argc = 1;
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    return cli_parse(argc, argv, o, err);
}

#define PARSE(o, err, ...) parse_v(err, o, (const char *const[]){__VA_ARGS__, NULL})

/* Expects a refusal whose message contains what. */
#define REFUSED(what, ...)                                                                         \
    do {                                                                                           \
        struct cli_opts o_;                                                                        \
        char e_[CLI_ERRLEN];                                                                       \
        CHECK(parse_v(e_, &o_, (const char *const[]){__VA_ARGS__, NULL}) < 0);                     \
        if (!strstr(e_, what)) {                                                                   \
            fprintf(stderr, "  message '%s' lacks '%s'\n", e_, what);                              \
            CHECK(0);                                                                              \
        }                                                                                          \
        cli_opts_free(&o_);                                                                        \
    } while (0)

TEST(defaults_are_qemus)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-bios", "none"), 0);
    CHECK_EQ(o.action, CLI_RUN);
    CHECK_EQ(o.vm.machine.ram_size, 128ull << 20);
    CHECK_EQ(o.vm.machine.nharts, 1);
    CHECK(o.vm.machine.kernel == NULL);
    CHECK_EQ(o.serial, SERIAL_MON_STDIO);
    CHECK(!o.vm.no_reboot);
    cli_opts_free(&o);
}

TEST(xv6_command_line_minus_drives)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-machine", "virt", "-bios", "none", "-kernel", "kernel/kernel", "-m",
                   "128M", "-smp", "3", "-nographic"),
             0);
    CHECK(!strcmp(o.vm.machine.kernel, "kernel/kernel"));
    CHECK_EQ(o.vm.machine.nharts, 3);
    CHECK(o.nographic);
    cli_opts_free(&o);
}

TEST(run_subcommand_and_double_dash)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "run", "--kernel", "k", "--bios", "none", "--no-reboot"), 0);
    CHECK(!strcmp(o.vm.machine.kernel, "k"));
    CHECK(o.vm.no_reboot);
    cli_opts_free(&o);
}

TEST(memory_sizes)
{
    static const struct {
        const char *arg;
        uint64_t bytes;
    } ok[] = {
        {"128", 128ull << 20}, {"128M", 128ull << 20},   {"128m", 128ull << 20},
        {"1G", 1ull << 30},    {"1.5G", 3ull << 29},     {"size=256M", 256ull << 20},
        {"2048K", 2ull << 20}, {"1048576B", 1ull << 20}, {"0.5", 512ull << 10},
        {"4097B", 8192},       {"64G", 64ull << 30},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        struct cli_opts o;
        char err[CLI_ERRLEN];
        int rc = PARSE(&o, err, "-bios", "none", "-m", ok[i].arg);
        CHECK_EQ(rc, 0);
        if (rc)
            fprintf(stderr, "  -m %s: %s\n", ok[i].arg, err);
        CHECK_EQ(o.vm.machine.ram_size, ok[i].bytes);
        cli_opts_free(&o);
    }
    REFUSED("-m", "-m", "0");
    REFUSED("-m", "-m", "0M");
    REFUSED("-m", "-m", "abc");
    REFUSED("-m", "-m", "-1");
    REFUSED("-m", "-m", "1X");
    REFUSED("-m", "-m", "1MB");
    REFUSED("-m", "-m", "");
    REFUSED("-m", "-m", "1.");
    REFUSED("-m", "-m", "65G");
    REFUSED("-m", "-m", "99999999999999999999");
    REFUSED("unsupported property 'maxmem'", "-m", "128M,maxmem=1G");
}

TEST(smp_forms)
{
    static const struct {
        const char *arg;
        unsigned n;
    } ok[] = {
        {"1", 1},
        {"8", 8},
        {"cpus=2", 2},
        {"4,sockets=1,cores=4,threads=1", 4},
        {"sockets=2,cores=2", 4},
        {"cpus=3,maxcpus=3", 3},
        {"maxcpus=2", 2},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        struct cli_opts o;
        char err[CLI_ERRLEN];
        int rc = PARSE(&o, err, "-bios", "none", "-smp", ok[i].arg);
        CHECK_EQ(rc, 0);
        if (rc)
            fprintf(stderr, "  -smp %s: %s\n", ok[i].arg, err);
        CHECK_EQ(o.vm.machine.nharts, ok[i].n);
        cli_opts_free(&o);
    }
    REFUSED("-smp: 9 CPUs requested", "-smp", "9");
    REFUSED("-smp", "-smp", "0");
    REFUSED("-smp", "-smp", "two");
    REFUSED("hotplug", "-smp", "cpus=2,maxcpus=4");
    REFUSED("topology", "-smp", "cpus=3,sockets=2,cores=2");
    REFUSED("unsupported property 'books'", "-smp", "2,books=1");
    REFUSED("-smp", "-smp", "sockets=4,cores=4");
}

TEST(machine_forms)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-M", "virt", "-bios", "none"), 0);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-machine", "type=virt,dumpdtb=/tmp/a,,b", "-bios", "none"), 0);
    CHECK(o.dumpdtb && !strcmp(o.dumpdtb, "/tmp/a,b"));
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-machine", "virt,accel=interp", "-bios", "none"), 0);
    CHECK_EQ(o.accel, ACCEL_INTERP);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-machine", "dumpdtb=x.dtb", "-bios", "none"), 0);
    CHECK(!strcmp(o.dumpdtb, "x.dtb"));
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-machine", "help"), 0);
    CHECK_EQ(o.action, CLI_MACHINE_HELP);
    cli_opts_free(&o);
    REFUSED("unsupported machine type 'spike'", "-machine", "spike");
    REFUSED("unsupported machine property 'aclint'", "-machine", "virt,aclint=on");
    REFUSED("dumpdtb needs a file name", "-M", "virt,dumpdtb=");
}

TEST(cpu_accel_name_display_serial)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-cpu", "rv64", "-accel", "jit", "-name", "guest=vm1", "-display",
                   "none", "-serial", "stdio", "-bios", "none"),
             0);
    CHECK_EQ(o.accel, ACCEL_JIT);
    CHECK(!strcmp(o.name, "vm1"));
    CHECK(o.display_none);
    CHECK_EQ(o.serial, SERIAL_STDIO);
    cli_opts_free(&o);
    CHECK_EQ(
        PARSE(&o, err, "-accel", "accel=tcg", "-name", "plain", "-serial", "none", "-bios", "none"),
        0);
    CHECK_EQ(o.accel, ACCEL_TCG);
    CHECK(!strcmp(o.name, "plain"));
    CHECK_EQ(o.serial, SERIAL_NONE);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-serial", "mon:stdio", "-bios", "none"), 0);
    CHECK_EQ(o.serial, SERIAL_MON_STDIO);
    cli_opts_free(&o);
    REFUSED("unsupported CPU 'max'", "-cpu", "max");
    REFUSED("unsupported accelerator 'kvm'", "-accel", "kvm");
    REFUSED("unsupported accelerator property", "-accel", "tcg,thread=multi");
    REFUSED("unsupported display 'gtk'", "-display", "gtk");
    REFUSED("unsupported character device 'pty'", "-serial", "pty");
    REFUSED("one serial port", "-serial", "stdio", "-serial", "none");
    REFUSED("unsupported property 'process'", "-name", "a,process=b");
}

TEST(kernel_initrd_append_dtb)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-bios", "none", "-kernel", "Image", "-initrd", "rd", "-append",
                   "console=ttyS0 a,b", "-dtb", "my.dtb"),
             0);
    CHECK(!strcmp(o.vm.machine.kernel, "Image"));
    CHECK(!strcmp(o.vm.machine.initrd, "rd"));
    CHECK(!strcmp(o.vm.machine.append, "console=ttyS0 a,b"));
    CHECK(!strcmp(o.vm.machine.dtb, "my.dtb"));
    cli_opts_free(&o);
    REFUSED("-initrd: only allowed with -kernel", "-bios", "none", "-initrd", "rd");
    REFUSED("-append: only allowed with -kernel", "-bios", "none", "-append", "quiet");
}

TEST(bios_none_default_and_files)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-bios", "none"), 0);
    CHECK(o.vm.machine.bios == NULL);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-bios", "fw_jump.elf"), 0);
    CHECK(o.vm.machine.bios && !strcmp(o.vm.machine.bios, "fw_jump.elf"));
    cli_opts_free(&o);
    /* default (also what no -bios means) is OpenSBI, if installed; else a clear refusal */
    const char *fw = machine_default_bios();
    if (fw) {
        CHECK_EQ(PARSE(&o, err, "-bios", "default"), 0);
        CHECK(o.vm.machine.bios && !strcmp(o.vm.machine.bios, fw));
        cli_opts_free(&o);
        CHECK_EQ(PARSE(&o, err, "-m", "256M"), 0);
        CHECK(o.vm.machine.bios && !strcmp(o.vm.machine.bios, fw));
        cli_opts_free(&o);
    } else {
        REFUSED("fw_dynamic.bin not found", "-bios", "default");
    }
}

TEST(virtio_devices_as_qemu_writes_them)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-bios", "none", "-drive", "file=fs.img,if=none,format=raw,id=x0",
                   "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
                   "-global", "virtio-mmio.force-legacy=false", "-object",
                   "rng-random,id=r0,filename=/dev/urandom", "-device", "virtio-rng-device,rng=r0"),
             0);
    CHECK_EQ(o.vm.machine.nvdevs, 2);
    CHECK_EQ(o.vm.machine.vdevs[0].kind, VDEV_BLK);
    CHECK_EQ(o.vm.machine.vdevs[0].slot, 0);
    CHECK(!strcmp(o.vm.machine.vdevs[0].file, "fs.img"));
    CHECK(!o.vm.machine.vdevs[0].readonly);
    CHECK_EQ(o.vm.machine.vdevs[1].kind, VDEV_RNG);
    CHECK_EQ(o.vm.machine.vdevs[1].slot, -1);
    CHECK(!o.vm.machine.virtio_legacy);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-bios", "none", "-drive", "file=a.img,if=virtio,readonly=on",
                   "-global", "virtio-mmio.force-legacy=true"), 0);
    CHECK_EQ(o.vm.machine.nvdevs, 1);
    CHECK(o.vm.machine.vdevs[0].readonly);
    CHECK(o.vm.machine.virtio_legacy);
    cli_opts_free(&o);
}

TEST(virtio_device_mistakes_refused_by_name)
{
    REFUSED("needs file=IMAGE", "-drive", "if=none,id=d0");
    REFUSED("no default disk interface", "-drive", "file=x.img");
    REFUSED("format=vmdk: not supported (raw or qcow2)", "-drive",
            "file=x.img,if=none,id=d,format=vmdk");
    REFUSED("if=ide: not supported", "-drive", "file=x.img,if=ide");
    REFUSED("unsupported property 'cache'", "-drive", "file=x.img,if=none,id=d,cache=none");
    REFUSED("-drive d0: no -device", "-bios", "none", "-drive", "file=x.img,if=none,id=d0");
    REFUSED("drive=d1: no -drive with that id", "-device", "virtio-blk-device,drive=d1");
    REFUSED("needs drive=ID", "-device", "virtio-blk-device");
    REFUSED("bus=virtio-mmio-bus.8", "-drive", "file=x,if=none,id=d", "-device",
            "virtio-blk-device,drive=d,bus=virtio-mmio-bus.8");
    REFUSED("'e1000' is not a device", "-device", "e1000");
    REFUSED("rng=nope: no -object", "-device", "virtio-rng-device,rng=nope");
    REFUSED("duplicate id 'd'", "-drive", "file=x,if=none,id=d", "-drive", "file=y,if=none,id=d");
    REFUSED("only virtio-mmio.force-legacy", "-global", "virtio-blk.foo=1");
}

TEST(unknown_flags_and_arguments_refused)
{
    REFUSED("-foo: unsupported option", "-foo");
    REFUSED("-qmp: unsupported option", "-qmp", "tcp::4444");
    REFUSED("--: unsupported option", "--");
    REFUSED("-: unsupported option", "-");
    REFUSED("disk.img: unsupported argument", "disk.img");
    REFUSED("-kernel: requires an argument", "-kernel");
    REFUSED("-m: requires an argument", "-bios", "none", "-m");
}

TEST(debugging_flags_as_qemu_takes_them)
{
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "-bios", "none", "-s", "-S"), 0);
    CHECK(o.gdb && !strcmp(o.gdb, "tcp::1234"));
    CHECK(o.vm.start_paused);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-bios", "none", "-gdb", "unix:/tmp/g.sock,server", "-d",
                   "in_asm,int", "-D", "/tmp/log", "-monitor", "unix:/tmp/m,server,nowait"),
             0);
    CHECK(!strcmp(o.gdb, "unix:/tmp/g.sock,server"));
    CHECK_EQ(o.trace, TRACE_IN_ASM | TRACE_INT);
    CHECK(!strcmp(o.logfile, "/tmp/log"));
    CHECK_EQ(o.nmonitors, 1);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-bios", "none", "-monitor", "stdio"), 0);
    CHECK_EQ(o.serial, SERIAL_NONE); /* stdio carries the monitor, not the serial port */
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-bios", "none", "-d", "help"), 0);
    CHECK_EQ(o.action, CLI_LOG_HELP);
    cli_opts_free(&o);
    REFUSED("unknown log item 'bogus'", "-bios", "none", "-d", "in_asm,bogus");
    REFUSED("-monitor stdio: stdio is already used", "-bios", "none", "-nographic", "-monitor",
            "stdio");
    REFUSED("unsupported character device 'vc'", "-monitor", "vc");
}

TEST(help_and_version_act_at_once)
{
    static const char *const forms[] = {"-h", "-help", "--help"};
    for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
        struct cli_opts o;
        char err[CLI_ERRLEN];
        CHECK_EQ(PARSE(&o, err, forms[i], "-this-is-never-read"), 0);
        CHECK_EQ(o.action, CLI_HELP);
        cli_opts_free(&o);
    }
    struct cli_opts o;
    char err[CLI_ERRLEN];
    CHECK_EQ(PARSE(&o, err, "--version"), 0);
    CHECK_EQ(o.action, CLI_VERSION);
    cli_opts_free(&o);
    CHECK_EQ(PARSE(&o, err, "-version"), 0);
    CHECK_EQ(o.action, CLI_VERSION);
    cli_opts_free(&o);
}

TEST(help_lists_every_flag_at_line_start)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_print_help(f);
    fclose(f);
    static const char *const expect[] = {
        "\n-machine ",     "\n-cpu ",
        "\n-accel ",       "\n-smp ",
        "\n-m ",           "\n-name ",
        "\n-display none", "\n-nographic ",
        "\n-bios ",        "\n-kernel bzImage use 'bzImage' as kernel image\n",
        "\n-append ",      "\n-initrd ",
        "\n-dtb ",         "\n-serial ",
        "\n-no-reboot ",   "\n-version ",
        "\n-h or -help ",  "\n-drive ",
        "\n-device ",      "\n-object ",
        "\n-global ",
    };
    for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
        if (!strstr(text, expect[i])) {
            fprintf(stderr, "  help lacks '%s'\n", expect[i] + 1);
            CHECK(0);
        }
    }
    CHECK(strstr(text, "\n-gdb "));
    free(text);
}

TEST(version_first_line)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_print_version(f);
    fclose(f);
    const char *want = "QEMU emulator version " VISOR_QEMU_VERSION " (visor " VISOR_VERSION ")\n";
    CHECK(!strncmp(text, want, strlen(want)));
    CHECK(!strcmp(VISOR_QEMU_VERSION, "7.2.0"));
    free(text);
}

TEST(size_parser_edges)
{
    uint64_t b;
    CHECK_EQ(cli_parse_size("1T", &b), 0);
    CHECK_EQ(b, 1ull << 40);
    CHECK_EQ(cli_parse_size("0.25K", &b), 0);
    CHECK_EQ(b, 256);
    CHECK(cli_parse_size("17179869184T", &b) < 0); /* 2^34 TiB overflows */
    CHECK(cli_parse_size(" 1", &b) < 0);
    CHECK(cli_parse_size("+1", &b) < 0);
    CHECK(cli_parse_size("0x10", &b) < 0);
}

TEST_MAIN("cli")
