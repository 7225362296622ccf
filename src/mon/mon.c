/* The monitor's commands (mon.def, info.def), with QEMU's names, syntax and, where a script
 * might parse it, output format: "x /fmt addr" dumps as QEMU's memory_dump does, "info status"
 * says "VM status: running". Commands run on the VM's thread between slices, so the harts
 * they read are between instructions. */
#include "mon_priv.h"

#include "../jit/jit.h"
#include "../machine/machine.h"
#include "../vm/vm.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mon_ctx {
    struct mon *m;
    mon_out_fn *out;
    void *ctx;
};

PRINTF(2, 3) static void say(struct mon_ctx *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        c->out(c->ctx, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void say_text(struct mon_ctx *c, const char *text)
{
    c->out(c->ctx, text, strlen(text));
}

static struct machine *machine_of(struct mon_ctx *c)
{
    return vm_machine(c->m->vm);
}

static struct hart *cur_hart(struct mon_ctx *c)
{
    struct machine *mc = machine_of(c);
    if (c->m->cpu >= mc->nharts)
        c->m->cpu = 0;
    return &mc->harts[c->m->cpu];
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* ---- Tables ---- */

#define MON(name, alias, handler, args, help)                                                  \
    static void cmd_##handler(struct mon_ctx *c, const char *args_text);
#include "mon.def"
#undef MON
#define INFO(name, handler, help) static void info_##handler(struct mon_ctx *c, const char *args);
#include "info.def"
#undef INFO

static const struct command {
    const char *name, *alias;
    void (*fn)(struct mon_ctx *c, const char *args);
    const char *args, *help;
} commands[] = {
#define MON(name, alias, handler, args, help) {name, alias, cmd_##handler, args, help},
#include "mon.def"
#undef MON
};

static const struct info_command {
    const char *name;
    void (*fn)(struct mon_ctx *c, const char *args);
    const char *help;
} infos[] = {
#define INFO(name, handler, help) {name, info_##handler, help},
#include "info.def"
#undef INFO
};

/* ---- help, info ---- */

static void cmd_help(struct mon_ctx *c, const char *args)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct command *k = &commands[i];
        if (*args && strcmp(args, k->name) && !(k->alias && !strcmp(args, k->alias)))
            continue;
        char left[64];
        snprintf(left, sizeof(left), "%s%s%s %s", k->name, k->alias ? "|" : "",
                 k->alias ? k->alias : "", k->args);
        say(c, "%-24s -- %s\n", left, k->help);
        if (!strcmp(k->name, "info") && *args)
            for (size_t j = 0; j < ARRAY_SIZE(infos); j++)
                say(c, "info %-19s -- %s\n", infos[j].name, infos[j].help);
    }
}

static void cmd_info(struct mon_ctx *c, const char *args)
{
    size_t n = strcspn(args, " \t");
    for (size_t i = 0; i < ARRAY_SIZE(infos); i++) {
        if (n && strlen(infos[i].name) == n && !strncmp(infos[i].name, args, n)) {
            infos[i].fn(c, skip_space(args + n));
            return;
        }
    }
    if (n)
        say(c, "unknown info subcommand '%.*s'\n", (int)n, args);
    for (size_t i = 0; i < ARRAY_SIZE(infos); i++)
        say(c, "info %-19s -- %s\n", infos[i].name, infos[i].help);
}

static void dump_hart(struct mon_ctx *c, unsigned i)
{
    char buf[4096];
    hart_dump_state(&machine_of(c)->harts[i], buf, sizeof(buf));
    say_text(c, buf);
}

static void info_registers(struct mon_ctx *c, const char *args)
{
    struct machine *mc = machine_of(c);
    if (!strcmp(args, "-a")) {
        for (unsigned i = 0; i < mc->nharts; i++) {
            say(c, "\nCPU#%u\n", i);
            dump_hart(c, i);
        }
        return;
    }
    cur_hart(c);
    dump_hart(c, c->m->cpu);
}

static void info_cpus(struct mon_ctx *c, const char *args)
{
    static const char modes[4] = {'U', 'S', '?', 'M'};
    struct machine *mc = machine_of(c);
    cur_hart(c);
    for (unsigned i = 0; i < mc->nharts; i++) {
        const struct hart *h = &mc->harts[i];
        say(c, "%c CPU #%u: pc=0x%016" PRIx64 " %c-mode%s\n", i == c->m->cpu ? '*' : ' ', i,
            h->pc, modes[h->priv & 3], h->wfi ? " (halted in wfi)" : "");
    }
}

static void info_status(struct mon_ctx *c, const char *args)
{
    say(c, "VM status: %s\n", vm_paused(c->m->vm) ? "paused" : "running");
}

/* The address map as QEMU's info mtree lays it out, from the board's map table. */
static void info_mtree(struct mon_ctx *c, const char *args)
{
    struct machine *mc = machine_of(c);
    say(c, "address-space: memory\n");
    say(c, "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n");
    for (unsigned id = 0; id < MAP_COUNT; id++) {
        const struct machine_map_entry *e = &machine_map[id];
        if (id == MAP_DRAM) {
            say(c, "    %016" PRIx64 "-%016" PRIx64 " (prio 0, ram): %s\n", mc->bus.ram_base,
                mc->bus.ram_base + mc->bus.ram_size - 1, e->node);
            continue;
        }
        for (unsigned k = 0; k < e->count; k++) {
            uint64_t base = machine_map_base((enum machine_map_id)id, k);
            const struct mmio_region *r = bus_find(&mc->bus, base);
            say(c, "    %016" PRIx64 "-%016" PRIx64 " (prio 0, %s): %s%s%s%s\n", base,
                base + e->size - 1, id == MAP_MROM ? "rom" : "i/o", e->node, r ? " (" : "",
                r ? r->ops->name : " (nothing mapped)", r ? ")" : "");
        }
    }
}

static void describe_region(struct mon_ctx *c, const struct mmio_region *r, const char *indent)
{
    if (!r->ops->describe)
        return;
    char buf[4096];
    int n = r->ops->describe(r->dev, buf, sizeof(buf));
    if (n <= 0)
        return;
    /* indent each line */
    for (char *line = buf; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        say(c, "%s%.*s\n", indent, (int)len, line);
        line += len + (nl ? 1 : 0);
    }
}

static void info_qtree(struct mon_ctx *c, const char *args)
{
    struct machine *mc = machine_of(c);
    say(c, "bus: main-system-bus\n  type System\n");
    for (unsigned i = 0; i < mc->nharts; i++)
        say(c, "  dev: riscv-hart, id \"cpu%u\"\n    mhartid = %u\n", i, i);
    for (unsigned id = 0; id < MAP_COUNT; id++) {
        const struct machine_map_entry *e = &machine_map[id];
        if (id == MAP_DRAM)
            continue;
        for (unsigned k = 0; k < e->count; k++) {
            uint64_t base = machine_map_base((enum machine_map_id)id, k);
            const struct mmio_region *r = bus_find(&mc->bus, base);
            if (!r)
                continue;
            say(c, "  dev: %s, id \"%s%s\"\n", r->ops->name, e->node, e->count > 1 ? "" : "");
            if (e->count > 1)
                say(c, "    slot = %u\n", k);
            say(c, "    mmio %016" PRIx64 "/%016" PRIx64 "\n", base, e->size);
            if (e->irq)
                say(c, "    irq = %u\n", e->irq + k);
            describe_region(c, r, "    ");
        }
    }
}

/* Each disk behind a virtio-blk slot, as the disk layer describes it (minidisk extent and the
 * link mode granted included). */
static void info_block(struct mon_ctx *c, const char *args)
{
    struct machine *mc = machine_of(c);
    bool any = false;
    for (unsigned s = 0; s < MACHINE_VIRTIO_SLOTS; s++) {
        if (!mc->disks[s])
            continue;
        char line[512];
        disk_describe(mc->disks[s], line, sizeof(line));
        say(c, "virtio-mmio-bus.%u: %s\n", s, line);
        any = true;
    }
    if (!any)
        say(c, "no block devices\n");
}

static void info_jit(struct mon_ctx *c, const char *args)
{
    struct machine *mc = machine_of(c);
    for (unsigned i = 0; i < mc->nharts; i++) {
        char buf[1024];
        jit_describe(&mc->harts[i], buf, sizeof(buf));
        say_text(c, buf);
    }
}

/* The virtio-mmio registers that can be read without side effects (virtio 1.x, "MMIO Device
 * Register Layout"), then whatever the device says of itself. */
static void info_virtio(struct mon_ctx *c, const char *args)
{
    struct machine *mc = machine_of(c);
    const struct machine_map_entry *e = &machine_map[MAP_VIRTIO];
    static const char *const kinds[] = {[0] = "empty", [1] = "net", [2] = "block",
                                        [3] = "console", [4] = "rng", [9] = "9p"};
    for (unsigned k = 0; k < e->count; k++) {
        uint64_t base = machine_map_base(MAP_VIRTIO, k);
        const struct mmio_region *r = bus_find(&mc->bus, base);
        uint64_t magic = 0, version = 0, id = 0, vendor = 0, status = 0;
        if (!r || bus_read(&mc->bus, base + 0x000, 4, &magic) ||
            bus_read(&mc->bus, base + 0x004, 4, &version) ||
            bus_read(&mc->bus, base + 0x008, 4, &id) ||
            bus_read(&mc->bus, base + 0x00c, 4, &vendor) ||
            bus_read(&mc->bus, base + 0x070, 4, &status)) {
            say(c, "virtio-mmio@%" PRIx64 ": nothing mapped\n", base);
            continue;
        }
        const char *kind = id < ARRAY_SIZE(kinds) && kinds[id] ? kinds[id] : "unknown";
        say(c, "virtio-mmio@%" PRIx64 " (irq %u): device %" PRIu64 " (%s), version %" PRIu64
               "%s, vendor 0x%" PRIx64 ", status 0x%" PRIx64 "%s\n",
            base, e->irq + k, id, kind, version, version == 1 ? " (legacy)" : "", vendor, status,
            magic == 0x74726976 ? "" : " (bad magic)");
        if (id)
            describe_region(c, r, "  ");
    }
}

/* ---- x / xp ---- */

/* An address expression: terms joined by + and -; a term is a number (0x hex, 0 octal, else
 * decimal, as QEMU reads them) or $register ($pc, $sp, $x5, $a0, $mstatus...). */
static bool reg_value(struct mon_ctx *c, const char *name, size_t n, uint64_t *v)
{
    static const char *const abi[32] = {
        "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
        "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
        "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };
    struct hart *h = cur_hart(c);
    char buf[32];
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, name, n);
    buf[n] = '\0';
    if (!strcmp(buf, "pc")) {
        *v = h->pc;
        return true;
    }
    if (!strcmp(buf, "fp")) {
        *v = h->x[8];
        return true;
    }
    for (unsigned i = 0; i < 32; i++) {
        char xn[8];
        snprintf(xn, sizeof(xn), "x%u", i);
        if (!strcmp(buf, abi[i]) || !strcmp(buf, xn)) {
            *v = h->x[i];
            return true;
        }
    }
    for (unsigned csr = 0; csr < 4096; csr++) {
        const char *cn = hart_csr_name(csr);
        if (cn && !strcmp(cn, buf)) {
            *v = hart_csr_read(h, csr);
            return true;
        }
    }
    return false;
}

static bool parse_expr(struct mon_ctx *c, const char *p, uint64_t *out)
{
    uint64_t acc = 0;
    int sign = 1;
    bool any = false;
    for (;;) {
        p = skip_space(p);
        uint64_t v;
        if (*p == '$') {
            p++;
            size_t n = 0;
            while (isalnum((unsigned char)p[n]) || p[n] == '_')
                n++;
            if (!n || !reg_value(c, p, n, &v))
                return false;
            p += n;
        } else if (isdigit((unsigned char)*p)) {
            char *end;
            v = strtoull(p, &end, 0);
            p = end;
        } else {
            return false;
        }
        acc = sign > 0 ? acc + v : acc - v;
        any = true;
        p = skip_space(p);
        if (*p == '+')
            sign = 1;
        else if (*p == '-')
            sign = -1;
        else
            break;
        p++;
    }
    *out = acc;
    return any && !*p;
}

static void memory_dump(struct mon_ctx *c, const char *args, bool phys)
{
    unsigned count = 1, size = 0;
    char fmt = 'x';
    if (*args == '/') {
        args++;
        if (isdigit((unsigned char)*args))
            count = (unsigned)strtoul(args, (char **)&args, 10);
        for (; *args && *args != ' ' && *args != '\t'; args++) {
            switch (*args) {
            case 'x': case 'd': case 'u': case 'o': case 'c': case 'i':
                fmt = *args;
                break;
            case 'b': size = 1; break;
            case 'h': size = 2; break;
            case 'w': size = 4; break;
            case 'g': size = 8; break;
            default:
                say(c, "invalid char in format: '%c'\n", *args);
                return;
            }
        }
        args = skip_space(args);
    }
    if (!size)
        size = fmt == 'c' ? 1 : 4;
    if (count > 4096)
        count = 4096;
    uint64_t addr;
    if (!*args || !parse_expr(c, args, &addr)) {
        say(c, "%s: expected an address ('%s /fmt addr')\n", phys ? "xp" : "x", phys ? "xp" : "x");
        return;
    }
    struct hart *h = cur_hart(c);
    if (fmt == 'i') {
        for (unsigned i = 0; i < count; i++) {
            uint8_t b[4] = {0};
            if (hart_debug_read(h, addr, b, 2, phys) != 2) {
                say(c, "Cannot access memory\n");
                return;
            }
            uint32_t raw = (uint32_t)b[0] | (uint32_t)b[1] << 8;
            if ((raw & 3) == 3) {
                if (hart_debug_read(h, addr + 2, b + 2, 2, phys) != 2) {
                    say(c, "Cannot access memory\n");
                    return;
                }
                raw |= (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            }
            struct insn in;
            insn_decode(raw, &in);
            char text[96];
            insn_disasm(&in, addr, text, sizeof(text));
            say(c, "0x%016" PRIx64 ":  %s\n", addr, text);
            addr += (raw & 3) == 3 ? 4 : 2;
        }
        return;
    }
    unsigned line = size == 1 ? 8 : 16;
    unsigned total = count * size, done = 0;
    while (done < total) {
        say(c, "%016" PRIx64 ":", addr + done);
        for (unsigned k = 0; k < line && done < total; k += size, done += size) {
            uint8_t b[8];
            if (hart_debug_read(h, addr + done, b, size, phys) != size) {
                say(c, "\nCannot access memory\n");
                return;
            }
            uint64_t v = 0;
            for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)b[i] << (8 * i);
            switch (fmt) {
            case 'x':
                say(c, " 0x%0*" PRIx64, (int)size * 2, v);
                break;
            case 'o':
                say(c, " %#" PRIo64, v);
                break;
            case 'u':
                say(c, " %" PRIu64, v);
                break;
            case 'd':
                say(c, " %" PRId64, (int64_t)sext(v, size * 8));
                break;
            case 'c':
                if (v >= 32 && v < 127)
                    say(c, " '%c'", (char)v);
                else
                    say(c, " '\\x%02" PRIx64 "'", v & 0xff);
                break;
            }
        }
        say(c, "\n");
    }
}

static void cmd_x(struct mon_ctx *c, const char *args)
{
    memory_dump(c, args, false);
}

static void cmd_xp(struct mon_ctx *c, const char *args)
{
    memory_dump(c, args, true);
}

/* ---- control ---- */

static void cmd_stop(struct mon_ctx *c, const char *args)
{
    vm_pause(c->m->vm);
}

static void cmd_cont(struct mon_ctx *c, const char *args)
{
    vm_continue(c->m->vm);
}

static void cmd_reset(struct mon_ctx *c, const char *args)
{
    vm_request_reset(c->m->vm);
}

static void cmd_quit(struct mon_ctx *c, const char *args)
{
    c->m->quitting = true;
    vm_request_exit(c->m->vm, 0);
}

static void cmd_cpu(struct mon_ctx *c, const char *args)
{
    char *end;
    unsigned long i = strtoul(args, &end, 10);
    if (!*args || *skip_space(end) || i >= machine_of(c)->nharts) {
        say(c, "invalid CPU index\n");
        return;
    }
    c->m->cpu = (unsigned)i;
}

/* ---- The monitor ---- */

struct mon *mon_new(struct vm *vm)
{
    struct mon *m = xcalloc(1, sizeof(*m));
    m->vm = vm;
    return m;
}

void mon_free(struct mon *m)
{
    if (!m)
        return;
    mon_listeners_free(m);
    free(m);
}

void mon_exec(struct mon *m, const char *line, mon_out_fn *out, void *ctx)
{
    struct mon_ctx c = {m, out, ctx};
    line = skip_space(line);
    size_t n = 0;
    while (isalnum((unsigned char)line[n]) || line[n] == '_' || line[n] == '?')
        n++;
    if (!n)
        return;
    /* Arguments without surrounding blanks (trailing \r from a socket included). */
    char args[512];
    snprintf(args, sizeof(args), "%s", skip_space(line + n));
    size_t len = strlen(args);
    while (len && isspace((unsigned char)args[len - 1]))
        args[--len] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct command *k = &commands[i];
        if ((strlen(k->name) == n && !strncmp(k->name, line, n)) ||
            (k->alias && strlen(k->alias) == n && !strncmp(k->alias, line, n))) {
            k->fn(&c, args);
            return;
        }
    }
    say(&c, "unknown command: '%.*s'\n", (int)n, line);
}
