/* The command-line parser: QEMU's syntax for the flags in flags.def, including its option
 * strings ("virt,dumpdtb=f", "cpus=2,cores=2", ",," for a literal comma) and sizes ("1G").
 * Nothing is silently ignored: an unknown flag, property or value is an error naming it.
 * Pure (no I/O but warnings, no exits), so tests/unit/test_cli.c includes this file. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FLAG(n, a, handler, s, t)                                                                  \
    static int opt_##handler(struct cli_opts *o, const char *flag, const char *arg, char *err);
#include "flags.def"
#undef FLAG

struct flag {
    const char *name;
    bool takes_arg;
    int (*handler)(struct cli_opts *o, const char *flag, const char *arg, char *err);
    const char *synopsis, *help;
};

static const struct flag flags[] = {
#define FLAG(n, a, handler, s, t) {n, a, opt_##handler, s, t},
#include "flags.def"
#undef FLAG
};

PRINTF(2, 3) static int fail(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, CLI_ERRLEN, fmt, ap);
    va_end(ap);
    return -ERR_INVAL;
}

static const char *own(struct cli_opts *o, const char *s)
{
    char **nv = realloc(o->owned, (o->nowned + 1) * sizeof(*nv));
    if (!nv)
        die("out of memory");
    o->owned = nv;
    return o->owned[o->nowned++] = xstrdup(s);
}

void cli_opts_free(struct cli_opts *o)
{
    for (unsigned i = 0; i < o->nowned; i++)
        free(o->owned[i]);
    free(o->owned);
    o->owned = NULL;
    o->nowned = 0;
}

/* ---- QEMU option strings: items separated by ',', ",," a literal comma ---- */

#define KV_MAX 4096
struct kv {
    char key[64];
    char val[KV_MAX];
};

/* Walks the items of an option string; a bare first item stands for the implied key (QEMU's
 * "-smp 2" is "-smp cpus=2"). */
struct kv_iter {
    const char *p;
    const char *implied;
    bool first;
};

static struct kv_iter kv_start(const char *arg, const char *implied)
{
    return (struct kv_iter){arg, implied, true};
}

static int copy_str(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        return -1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

/* Reads the next item into kv. Returns 1, 0 at the end, or -1 if an item is too long. */
static int kv_next(struct kv_iter *it, struct kv *kv)
{
    const char *p = it->p;
    if (!*p)
        return 0;
    char item[KV_MAX];
    size_t n = 0;
    for (;;) {
        char c = *p;
        if (c == '\0')
            break;
        if (c == ',') {
            if (p[1] != ',') {
                p++;
                break;
            }
            p++;
        }
        if (n + 1 >= sizeof(item))
            return -1;
        item[n++] = c;
        p++;
    }
    item[n] = '\0';
    it->p = p;
    const char *eq = strchr(item, '=');
    int rc;
    if (eq) {
        rc = copy_str(kv->key, sizeof(kv->key), item, (size_t)(eq - item));
        if (!rc)
            rc = copy_str(kv->val, sizeof(kv->val), eq + 1, strlen(eq + 1));
    } else {
        const char *key = it->first ? it->implied : item;
        rc = copy_str(kv->key, sizeof(kv->key), key, strlen(key));
        if (!rc)
            rc = copy_str(kv->val, sizeof(kv->val), item, n);
    }
    it->first = false;
    return rc ? -1 : 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    if (!isdigit((unsigned char)s[0]))
        return -ERR_INVAL;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -ERR_RANGE;
    *out = v;
    return 0;
}

int cli_parse_size(const char *s, uint64_t *bytes)
{
    if (!isdigit((unsigned char)s[0]))
        return -ERR_INVAL;
    errno = 0;
    char *end;
    unsigned long long whole = strtoull(s, &end, 10);
    if (errno)
        return -ERR_RANGE;
    uint64_t frac_num = 0, frac_den = 1;
    if (*end == '.') {
        end++;
        if (!isdigit((unsigned char)*end))
            return -ERR_INVAL;
        for (; isdigit((unsigned char)*end); end++) {
            if (frac_den < 1000000000ull) {
                frac_num = frac_num * 10 + (uint64_t)(*end - '0');
                frac_den *= 10;
            }
        }
    }
    uint64_t unit;
    switch (toupper((unsigned char)*end)) {
    case '\0':
        unit = 1ull << 20;
        break; /* QEMU: a bare -m number is MiB */
    case 'B':
        unit = 1;
        break;
    case 'K':
        unit = 1ull << 10;
        break;
    case 'M':
        unit = 1ull << 20;
        break;
    case 'G':
        unit = 1ull << 30;
        break;
    case 'T':
        unit = 1ull << 40;
        break;
    default:
        return -ERR_INVAL;
    }
    if (*end && end[1])
        return -ERR_INVAL;
    if (whole > UINT64_MAX / unit)
        return -ERR_RANGE;
    uint64_t v = whole * unit;
    /* frac_num < frac_den <= 1e9 and unit <= 2^40: split to stay in 64 bits. */
    uint64_t frac = (unit / frac_den) * frac_num + (unit % frac_den) * frac_num / frac_den;
    if (v + frac < v)
        return -ERR_RANGE;
    *bytes = v + frac;
    return 0;
}

/* ---- Handlers ---- */

static int opt_help(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->action = CLI_HELP;
    return 0;
}

static int opt_version(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->action = CLI_VERSION;
    return 0;
}

static int set_accel(struct cli_opts *o, const char *flag, const char *name, char *err)
{
    if (!strcmp(name, "tcg"))
        o->accel = ACCEL_TCG;
    else if (!strcmp(name, "jit"))
        o->accel = ACCEL_JIT;
    else if (!strcmp(name, "interp"))
        o->accel = ACCEL_INTERP;
    else if (!strcmp(name, "help"))
        o->action = CLI_ACCEL_HELP;
    else
        return fail(err, "%s: unsupported accelerator '%s' (visor has tcg, jit and interp)", flag,
                    name);
    o->vm.machine.interp_only = o->accel == ACCEL_INTERP;
    return 0;
}

static int opt_machine(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!*arg)
        return fail(err, "%s: empty value", flag);
    struct kv kv;
    int rc;
    struct kv_iter it = kv_start(arg, "type");
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (!strcmp(kv.key, "type")) {
            if (!strcmp(kv.val, "help") || !strcmp(kv.val, "?"))
                o->action = CLI_MACHINE_HELP;
            else if (strcmp(kv.val, "virt"))
                return fail(err, "%s: unsupported machine type '%s' (visor has 'virt')", flag,
                            kv.val);
        } else if (!strcmp(kv.key, "dumpdtb")) {
            if (!kv.val[0])
                return fail(err, "%s: dumpdtb needs a file name", flag);
            o->dumpdtb = own(o, kv.val);
        } else if (!strcmp(kv.key, "accel")) {
            rc = set_accel(o, flag, kv.val, err);
            if (rc)
                return rc;
        } else {
            return fail(err, "%s: unsupported machine property '%s'", flag, kv.key);
        }
    }
    return rc < 0 ? fail(err, "%s: option string too long", flag) : 0;
}

static int opt_cpu(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?"))
        o->action = CLI_CPU_HELP;
    else if (strcmp(arg, "rv64"))
        return fail(err, "%s: unsupported CPU '%s' (visor has 'rv64')", flag, arg);
    return 0;
}

static int opt_accel(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!*arg)
        return fail(err, "%s: empty value", flag);
    struct kv kv;
    int rc;
    struct kv_iter it = kv_start(arg, "accel");
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (!strcmp(kv.key, "tb-size")) {
            /* QEMU's unit: MiB of translated code */
            char *end;
            errno = 0;
            unsigned long long mb = strtoull(kv.val, &end, 10);
            if (errno || end == kv.val || *end || mb == 0 || mb > 2048)
                return fail(err, "%s: tb-size must be a number of MiB from 1 to 2048, not '%s'",
                            flag, kv.val);
            o->vm.machine.jit_code_size = mb << 20;
            continue;
        }
        if (strcmp(kv.key, "accel"))
            return fail(err, "%s: unsupported accelerator property '%s'", flag, kv.key);
        rc = set_accel(o, flag, kv.val, err);
        if (rc)
            return rc;
    }
    return rc < 0 ? fail(err, "%s: option string too long", flag) : 0;
}

static int opt_smp(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!*arg)
        return fail(err, "%s: empty value", flag);
    static const char *const keys[] = {"cpus",     "maxcpus", "sockets", "dies",
                                       "clusters", "cores",   "threads"};
    unsigned long v[ARRAY_SIZE(keys)] = {0};
    bool given[ARRAY_SIZE(keys)] = {false};
    struct kv kv;
    int rc;
    struct kv_iter it = kv_start(arg, "cpus");
    while ((rc = kv_next(&it, &kv)) > 0) {
        size_t k = 0;
        while (k < ARRAY_SIZE(keys) && strcmp(kv.key, keys[k]))
            k++;
        if (k == ARRAY_SIZE(keys))
            return fail(err, "%s: unsupported property '%s'", flag, kv.key);
        if (parse_uint(kv.val, 1u << 20, &v[k]) || v[k] == 0)
            return fail(err, "%s: %s must be a positive number, not '%s'", flag, kv.key, kv.val);
        given[k] = true;
    }
    if (rc < 0)
        return fail(err, "%s: option string too long", flag);
    unsigned long topo = 1;
    bool any_topo = false;
    for (size_t k = 2; k < ARRAY_SIZE(keys); k++) {
        if (given[k]) {
            topo *= v[k];
            any_topo = true;
        }
    }
    unsigned long cpus = given[0] ? v[0] : given[1] ? v[1] : topo;
    unsigned long maxcpus = given[1] ? v[1] : cpus;
    if (maxcpus != cpus)
        return fail(err, "%s: maxcpus=%lu differs from cpus=%lu; CPU hotplug is not supported",
                    flag, maxcpus, cpus);
    if (any_topo && topo != cpus)
        return fail(err, "%s: the topology gives %lu CPUs but cpus=%lu", flag, topo, cpus);
    if (cpus < 1 || cpus > MACHINE_MAX_HARTS)
        return fail(err, "%s: %lu CPUs requested; virt supports 1 to %u", flag, cpus,
                    MACHINE_MAX_HARTS);
    o->vm.machine.nharts = (unsigned)cpus;
    return 0;
}

static int opt_mem(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!*arg)
        return fail(err, "%s: empty value", flag);
    struct kv kv;
    int rc;
    struct kv_iter it = kv_start(arg, "size");
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (strcmp(kv.key, "size"))
            return fail(err, "%s: unsupported property '%s'", flag, kv.key);
        uint64_t bytes;
        if (cli_parse_size(kv.val, &bytes))
            return fail(err, "%s: cannot parse size '%s'", flag, kv.val);
        bytes = (bytes + 0xfff) & ~0xfffull;
        if (bytes == 0 || bytes > MACHINE_MAX_RAM)
            return fail(err, "%s: RAM size '%s' out of range (4K to %lluG)", flag, kv.val,
                        MACHINE_MAX_RAM >> 30);
        o->vm.machine.ram_size = bytes;
    }
    return rc < 0 ? fail(err, "%s: option string too long", flag) : 0;
}

static int opt_name(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!*arg)
        return fail(err, "%s: empty value", flag);
    struct kv kv;
    int rc;
    struct kv_iter it = kv_start(arg, "guest");
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (strcmp(kv.key, "guest"))
            return fail(err, "%s: unsupported property '%s'", flag, kv.key);
        o->name = own(o, kv.val);
    }
    return rc < 0 ? fail(err, "%s: option string too long", flag) : 0;
}

static int opt_display(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (strcmp(arg, "none"))
        return fail(err, "%s: unsupported display '%s' (visor has only 'none'; or use -nographic)",
                    flag, arg);
    o->display_none = true;
    return 0;
}

static int opt_nographic(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->nographic = true;
    return 0;
}

static int opt_bios(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->bios = arg;
    return 0;
}

static int opt_kernel(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->vm.machine.kernel = arg;
    return 0;
}

static int opt_append(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->vm.machine.append = arg;
    return 0;
}

static int opt_initrd(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->vm.machine.initrd = arg;
    return 0;
}

static int opt_dtb(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->vm.machine.dtb = arg;
    return 0;
}

static int opt_serial(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (o->serial_given)
        return fail(err, "%s: virt has one serial port, already connected", flag);
    if (!strcmp(arg, "mon:stdio"))
        o->serial = SERIAL_MON_STDIO;
    else if (!strcmp(arg, "stdio"))
        o->serial = SERIAL_STDIO;
    else if (!strcmp(arg, "none") || !strcmp(arg, "null"))
        o->serial = SERIAL_NONE;
    else
        return fail(err, "%s: unsupported character device '%s' (visor has mon:stdio, stdio, none)",
                    flag, arg);
    o->serial_given = true;
    return 0;
}

static int opt_no_reboot(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->vm.no_reboot = true;
    return 0;
}

static int opt_snapshot(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->vm.machine.snapshot = true;
    return 0;
}

/* ---- Devices: -drive, -device, -object, -global (QEMU's syntax for the virt board) ---- */

static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
        *out = false;
        return 0;
    }
    return -ERR_INVAL;
}

/* A -drive size: QEMU's suffixes, but a bare number is bytes (unlike -m). */
static int parse_drive_size(const char *s, uint64_t *bytes)
{
    size_t n = strlen(s);
    if (n && isdigit((unsigned char)s[n - 1])) {
        unsigned long long v;
        char *end;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (!isdigit((unsigned char)s[0]) || errno || *end)
            return -ERR_INVAL;
        *bytes = v;
        return 0;
    }
    return cli_parse_size(s, bytes);
}

/* The minidisk fields of a -drive's machine_vdev. */
static void drive_minidisk(struct machine_vdev *v, const struct cli_drive *d)
{
    v->extent = d->extent;
    v->offset = d->offset;
    v->size = d->size;
    v->link_given = d->link_given;
    v->link = d->link;
    v->journal = d->journal;
}

static int opt_drive(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (o->ndrives == CLI_MAX_DRIVES)
        return fail(err, "%s: at most %d drives", flag, CLI_MAX_DRIVES);
    struct cli_drive d = {0};
    bool if_given = false;
    struct kv_iter it = kv_start(arg, "file");
    struct kv kv;
    int rc;
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (!strcmp(kv.key, "file")) {
            d.file = own(o, kv.val);
        } else if (!strcmp(kv.key, "id")) {
            d.id = own(o, kv.val);
        } else if (!strcmp(kv.key, "if")) {
            if_given = true;
            if (!strcmp(kv.val, "virtio"))
                d.if_virtio = true;
            else if (strcmp(kv.val, "none"))
                return fail(err, "%s: if=%s: not supported by the virt machine (none or virtio)",
                            flag, kv.val);
        } else if (!strcmp(kv.key, "format")) {
            if (strcmp(kv.val, "raw") && strcmp(kv.val, "qcow2"))
                return fail(err, "%s: format=%s: not supported (raw or qcow2)", flag, kv.val);
            d.format = own(o, kv.val);
        } else if (!strcmp(kv.key, "snapshot")) {
            if (parse_bool(kv.val, &d.snapshot))
                return fail(err, "%s: snapshot=%s: expected on or off", flag, kv.val);
        } else if (!strcmp(kv.key, "readonly")) {
            if (parse_bool(kv.val, &d.readonly))
                return fail(err, "%s: readonly=%s: expected on or off", flag, kv.val);
        } else if (!strcmp(kv.key, "media")) {
            if (strcmp(kv.val, "disk"))
                return fail(err, "%s: media=%s: only disk", flag, kv.val);
        } else if (!strcmp(kv.key, "offset") || !strcmp(kv.key, "size")) {
            bool is_off = kv.key[0] == 'o';
            uint64_t *dst = is_off ? &d.offset : &d.size;
            if (parse_drive_size(kv.val, dst) || (!is_off && *dst == 0))
                return fail(err, "%s: %s=%s: expected a %ssize (bytes, or with K, M, G, T)",
                            flag, kv.key, kv.val, is_off ? "" : "non-zero ");
            d.extent = true;
        } else if (!strcmp(kv.key, "link")) {
            if (disk_link_mode_parse(kv.val, &d.link))
                return fail(err, "%s: link=%s: expected R, RR, W, WR, M, MR or MW", flag, kv.val);
            d.link_given = true;
        } else if (!strcmp(kv.key, "x-journal")) {
            d.journal = own(o, kv.val);
        } else {
            return fail(err, "%s: unsupported property '%s'", flag, kv.key);
        }
    }
    if (rc < 0)
        return fail(err, "%s: an item is too long", flag);
    if (!d.file)
        return fail(err, "%s: needs file=IMAGE", flag);
    if (d.readonly && d.link_given && d.link != DISK_LINK_R && d.link != DISK_LINK_RR)
        return fail(err, "%s: readonly=on allows only link=R or link=RR, not %s", flag,
                    disk_link_mode_name(d.link));
    if (!if_given)
        return fail(err, "%s: the virt machine has no default disk interface: give if=none "
                         "(with -device virtio-blk-device,drive=ID) or if=virtio", flag);
    if (!d.if_virtio && !d.id)
        return fail(err, "%s: if=none needs id=NAME for -device to refer to", flag);
    for (unsigned i = 0; d.id && i < o->ndrives; i++)
        if (o->drives[i].id && !strcmp(o->drives[i].id, d.id))
            return fail(err, "%s: duplicate id '%s'", flag, d.id);
    o->drives[o->ndrives++] = d;
    return 0;
}

static int add_vdev(struct cli_opts *o, const char *flag, struct machine_vdev v, char *err)
{
    struct machine_config *mc = &o->vm.machine;
    if (mc->nvdevs == MACHINE_VIRTIO_SLOTS)
        return fail(err, "%s: all %d virtio-mmio slots are in use", flag, MACHINE_VIRTIO_SLOTS);
    mc->vdevs[mc->nvdevs++] = v;
    return 0;
}

static int opt_device(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    struct kv_iter it = kv_start(arg, "driver");
    struct kv kv;
    int rc = kv_next(&it, &kv);
    if (rc <= 0 || strcmp(kv.key, "driver"))
        return fail(err, "%s: needs a driver name first", flag);
    if (!strcmp(kv.val, "help")) {
        o->action = CLI_DEVICE_HELP;
        return 0;
    }
    struct machine_vdev v = {.slot = -1};
    const char *drive = NULL, *rng = NULL, *mac = NULL;
    bool virtconsole = false;
    if (!strcmp(kv.val, "virtio-net-device"))
        v.kind = VDEV_NET;
    else if (!strcmp(kv.val, "virtio-blk-device"))
        v.kind = VDEV_BLK;
    else if (!strcmp(kv.val, "virtio-rng-device"))
        v.kind = VDEV_RNG;
    else if (!strcmp(kv.val, "virtio-serial-device"))
        v.kind = VDEV_CONSOLE;
    else if (!strcmp(kv.val, "virtconsole"))
        virtconsole = true;
    else
        return fail(err, "%s: '%s' is not a device visor has ('-device help' lists them)", flag,
                    kv.val);
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (!strcmp(kv.key, "bus")) {
            unsigned long n;
            const char *prefix = "virtio-mmio-bus.";
            if (strncmp(kv.val, prefix, strlen(prefix)) ||
                parse_uint(kv.val + strlen(prefix), MACHINE_VIRTIO_SLOTS - 1, &n))
                return fail(err, "%s: bus=%s: expected virtio-mmio-bus.0 to virtio-mmio-bus.%d",
                            flag, kv.val, MACHINE_VIRTIO_SLOTS - 1);
            v.slot = (int)n;
        } else if (v.kind == VDEV_BLK && !virtconsole && !strcmp(kv.key, "drive")) {
            drive = own(o, kv.val);
        } else if (v.kind == VDEV_BLK && !virtconsole && !strcmp(kv.key, "serial")) {
            v.serial = own(o, kv.val);
        } else if (v.kind == VDEV_RNG && !strcmp(kv.key, "rng")) {
            rng = own(o, kv.val);
        } else if (v.kind == VDEV_NET && !strcmp(kv.key, "netdev")) {
            v.netdev_id = own(o, kv.val);
        } else if (v.kind == VDEV_NET && !strcmp(kv.key, "mac")) {
            mac = own(o, kv.val);
            if (net_mac_parse(mac, v.mac))
                return fail(err, "%s: mac=%s: expected a unicast xx:xx:xx:xx:xx:xx", flag, mac);
        } else if (v.kind == VDEV_NET && !strcmp(kv.key, "id")) {
            v.nic_id = own(o, kv.val);
        } else if (virtconsole && (!strcmp(kv.key, "chardev") || !strcmp(kv.key, "name") ||
                                   !strcmp(kv.key, "id"))) {
            /* the port of virtio-serial-device: its output joins the serial console */
        } else if (!strcmp(kv.key, "id")) {
        } else {
            return fail(err, "%s: unsupported property '%s'", flag, kv.key);
        }
    }
    if (rc < 0)
        return fail(err, "%s: an item is too long", flag);
    if (virtconsole)
        return 0; /* the console port is part of virtio-serial-device */
    if (v.kind == VDEV_BLK) {
        if (!drive)
            return fail(err, "%s: virtio-blk-device needs drive=ID", flag);
        struct cli_drive *d = NULL;
        for (unsigned i = 0; i < o->ndrives; i++)
            if (o->drives[i].id && !strcmp(o->drives[i].id, drive))
                d = &o->drives[i];
        if (!d)
            return fail(err, "%s: drive=%s: no -drive with that id (give -drive first)", flag,
                        drive);
        if (d->used || d->if_virtio)
            return fail(err, "%s: drive=%s is already in use", flag, drive);
        d->used = true;
        v.file = d->file;
        v.readonly = d->readonly;
        v.id = d->id;
        drive_minidisk(&v, d);
        v.format = d->format;
        v.snapshot = d->snapshot;
    }
    if (v.kind == VDEV_NET && !mac)
        v.mac[0] = 0; /* all zero: cli_resolve_nets derives one once -name is known */
    if (rng) {
        bool found = false;
        for (unsigned i = 0; i < o->nrng_objects; i++)
            found |= !strcmp(o->rng_objects[i], rng);
        if (!found)
            return fail(err, "%s: rng=%s: no -object with that id (give -object first)", flag, rng);
    }
    return add_vdev(o, flag, v, err);
}

/* -object filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N][,queue=all] */
static int object_filter_dump(struct cli_opts *o, const char *flag, struct kv_iter *it, char *err)
{
    struct cli_dump d = {0};
    struct kv kv;
    int rc;
    while ((rc = kv_next(it, &kv)) > 0) {
        unsigned long n;
        if (!strcmp(kv.key, "id")) {
            d.id = own(o, kv.val);
        } else if (!strcmp(kv.key, "netdev")) {
            d.netdev = own(o, kv.val);
        } else if (!strcmp(kv.key, "file")) {
            d.file = own(o, kv.val);
        } else if (!strcmp(kv.key, "maxlen")) {
            if (parse_uint(kv.val, UINT32_MAX, &n) || n == 0)
                return fail(err, "%s: maxlen=%s: expected a positive number", flag, kv.val);
            d.maxlen = (uint32_t)n;
        } else if (!strcmp(kv.key, "queue")) {
            if (strcmp(kv.val, "all"))
                return fail(err, "%s: queue=%s: visor captures both directions (queue=all)",
                            flag, kv.val);
        } else {
            return fail(err, "%s: unsupported property '%s'", flag, kv.key);
        }
    }
    if (rc < 0)
        return fail(err, "%s: an item is too long", flag);
    if (!d.id || !d.netdev || !d.file)
        return fail(err, "%s: filter-dump needs id=, netdev= and file=", flag);
    if (o->ndumps == CLI_MAX_OBJECTS)
        return fail(err, "%s: too many filter-dump objects", flag);
    o->dumps[o->ndumps++] = d;
    return 0;
}

/* -netdev TYPE,id=ID[,...]: the type must be a row of src/net/types.def; its options are kept
 * for the backend to parse when cli_net_open opens it. */
static int opt_netdev(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    struct kv_iter it = kv_start(arg, "type");
    struct kv kv;
    int rc = kv_next(&it, &kv);
    if (rc <= 0 || strcmp(kv.key, "type"))
        return fail(err, "%s: needs a type first (e.g. user)", flag);
    if (!netdev_type_known(kv.val))
        return fail(err, "%s: '%s' is not a netdev type visor has", flag, kv.val);
    if (o->nnetdevs == CLI_MAX_NETDEVS)
        return fail(err, "%s: at most %d netdevs", flag, CLI_MAX_NETDEVS);
    struct cli_netdev *nd = &o->netdevs[o->nnetdevs];
    memset(nd, 0, sizeof(*nd));
    nd->type = own(o, kv.val);
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (!strcmp(kv.key, "id")) {
            nd->id = own(o, kv.val);
            continue;
        }
        if (nd->nopts == CLI_MAX_NETDEV_OPTS)
            return fail(err, "%s: too many options", flag);
        nd->opts[nd->nopts++] = (struct net_opt){own(o, kv.key), own(o, kv.val)};
    }
    if (rc < 0)
        return fail(err, "%s: an item is too long", flag);
    if (!nd->id || !nd->id[0])
        return fail(err, "%s: needs id=NAME", flag);
    for (unsigned i = 0; i < o->nnetdevs; i++)
        if (!strcmp(o->netdevs[i].id, nd->id))
            return fail(err, "%s: duplicate id '%s'", flag, nd->id);
    o->nnetdevs++;
    return 0;
}

/* Every netdev= and filter-dump names a -netdev; a NIC without mac= gets its default. */
static int resolve_nets(struct cli_opts *o, char *err)
{
    struct machine_config *mc = &o->vm.machine;
    for (unsigned i = 0; i < mc->nvdevs; i++) {
        struct machine_vdev *v = &mc->vdevs[i];
        if (v->kind != VDEV_NET)
            continue;
        if (v->netdev_id) {
            bool found = false;
            for (unsigned k = 0; k < o->nnetdevs; k++)
                found |= !strcmp(o->netdevs[k].id, v->netdev_id);
            if (!found)
                return fail(err, "-device virtio-net-device: netdev=%s: no -netdev with that id",
                            v->netdev_id);
            for (unsigned k = 0; k < i; k++)
                if (mc->vdevs[k].kind == VDEV_NET && mc->vdevs[k].netdev_id &&
                    !strcmp(mc->vdevs[k].netdev_id, v->netdev_id))
                    return fail(err, "-device virtio-net-device: netdev=%s is already in use",
                                v->netdev_id);
        }
        if (!(v->mac[0] | v->mac[1] | v->mac[2] | v->mac[3] | v->mac[4] | v->mac[5])) {
            char nic[32];
            snprintf(nic, sizeof(nic), "%u", i);
            net_mac_default(o->name, v->nic_id ? v->nic_id : v->netdev_id ? v->netdev_id : nic,
                            v->mac);
        }
    }
    for (unsigned i = 0; i < o->ndumps; i++) {
        bool found = false;
        for (unsigned k = 0; k < o->nnetdevs; k++)
            found |= !strcmp(o->netdevs[k].id, o->dumps[i].netdev);
        if (!found)
            return fail(err, "-object filter-dump,id=%s: netdev=%s: no -netdev with that id",
                        o->dumps[i].id, o->dumps[i].netdev);
    }
    return 0;
}

static int opt_object(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    struct kv_iter it = kv_start(arg, "qom-type");
    struct kv kv;
    int rc = kv_next(&it, &kv);
    if (rc > 0 && !strcmp(kv.val, "filter-dump"))
        return object_filter_dump(o, flag, &it, err);
    if (rc <= 0 || (strcmp(kv.val, "rng-random") && strcmp(kv.val, "rng-builtin")))
        return fail(err, "%s: only rng-random, rng-builtin and filter-dump objects are supported",
                    flag);
    const char *id = NULL;
    while ((rc = kv_next(&it, &kv)) > 0) {
        if (!strcmp(kv.key, "id"))
            id = own(o, kv.val);
        else if (strcmp(kv.key, "filename"))
            return fail(err, "%s: unsupported property '%s'", flag, kv.key);
    }
    if (rc < 0 || !id)
        return fail(err, "%s: needs id=NAME", flag);
    if (o->nrng_objects == CLI_MAX_OBJECTS)
        return fail(err, "%s: too many objects", flag);
    o->rng_objects[o->nrng_objects++] = id;
    return 0;
}

static int opt_global(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    const char *prop = "virtio-mmio.force-legacy=";
    if (strncmp(arg, prop, strlen(prop)))
        return fail(err, "%s: %s: only virtio-mmio.force-legacy is supported", flag, arg);
    if (parse_bool(arg + strlen(prop), &o->vm.machine.virtio_legacy))
        return fail(err, "%s: %s: expected on or off", flag, arg);
    return 0;
}

/* -drive if=virtio becomes its own virtio-blk device; an if=none drive that no -device
 * claimed is an error, as on QEMU. */
static int resolve_drives(struct cli_opts *o, char *err)
{
    for (unsigned i = 0; i < o->ndrives; i++) {
        struct cli_drive *d = &o->drives[i];
        if (d->if_virtio) {
            struct machine_vdev v = {.kind = VDEV_BLK, .slot = -1, .file = d->file,
                                     .readonly = d->readonly, .id = d->id,
                                     .format = d->format, .snapshot = d->snapshot};
            drive_minidisk(&v, d);
            int rc = add_vdev(o, "-drive", v, err);
            if (rc)
                return rc;
        } else if (!d->used) {
            return fail(err, "-drive %s: no -device virtio-blk-device uses it", d->id);
        }
    }
    return 0;
}

static int opt_gdb(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->gdb = strcmp(arg, "none") ? arg : NULL;
    return 0;
}

static int opt_gdb_default(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    return opt_gdb(o, flag, "tcp::1234", err);
}

static int opt_freeze(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    o->vm.start_paused = true;
    return 0;
}

static int opt_monitor(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!strcmp(arg, "none") || !strcmp(arg, "null")) {
        o->monitor_none = true;
        return 0;
    }
    if (strcmp(arg, "stdio") && strncmp(arg, "unix:", 5) && strncmp(arg, "tcp:", 4))
        return fail(err, "%s: unsupported character device '%s' (visor has unix:, tcp:, stdio, none)",
                    flag, arg);
    if (o->nmonitors == ARRAY_SIZE(o->monitors))
        return fail(err, "%s: at most %zu monitors", flag, ARRAY_SIZE(o->monitors));
    o->monitors[o->nmonitors++] = arg;
    return 0;
}

static int opt_log_items(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        o->action = CLI_LOG_HELP;
        return 0;
    }
    char bad[64];
    if (trace_parse(arg, &o->trace, bad, sizeof(bad)))
        return fail(err, "%s: unknown log item '%s' (use '-d help' for a list)", flag, bad);
    return 0;
}

static int opt_logfile(struct cli_opts *o, const char *flag, const char *arg, char *err)
{
    if (!*arg)
        return fail(err, "%s: empty file name", flag);
    o->logfile = arg;
    return 0;
}

/* ---- The parser ---- */

static const struct flag *find_flag(const char *arg)
{
    if (arg[0] != '-' || !arg[1])
        return NULL;
    const char *name = arg + 1 + (arg[1] == '-'); /* QEMU takes --flag as -flag */
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
        if (!strcmp(flags[i].name, name))
            return &flags[i];
    return NULL;
}

/* Cross-flag rules, checked once everything is read. */
static int validate(struct cli_opts *o, char *err)
{
    const struct machine_config *mc = &o->vm.machine;
    /* As on QEMU, no -bios means -bios default: OpenSBI's fw_dynamic. */
    if (!o->bios || !strcmp(o->bios, "default")) {
        o->vm.machine.bios = machine_default_bios();
        if (!o->vm.machine.bios)
            return fail(err, "-bios default: OpenSBI's fw_dynamic.bin not found (install Debian's "
                             "opensbi package, or give -bios FILE or -bios none)");
    } else if (strcmp(o->bios, "none")) {
        o->vm.machine.bios = o->bios;
    }
    int drc = resolve_drives(o, err);
    if (!drc)
        drc = resolve_nets(o, err);
    if (drc)
        return drc;
    for (unsigned k = 0; k < o->nmonitors; k++) {
        if (strcmp(o->monitors[k], "stdio"))
            continue;
        /* stdio can carry one thing: the serial port goes nowhere unless it was put there. */
        if (o->nographic || (o->serial_given && o->serial != SERIAL_NONE))
            return fail(err, "-monitor stdio: stdio is already used by the serial port "
                             "(-nographic or -serial); give -serial none");
        o->serial = SERIAL_NONE;
    }
    if (mc->initrd && !mc->kernel)
        return fail(err, "-initrd: only allowed with -kernel");
    if (mc->append && mc->append[0] && !mc->kernel)
        return fail(err, "-append: only allowed with -kernel");
    return 0;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err)
{
    memset(o, 0, sizeof(*o));
    o->vm.machine.ram_size = MACHINE_DEFAULT_RAM;
    o->vm.machine.nharts = 1;
    o->vm.machine.rng_seed = true;
    o->serial = SERIAL_MON_STDIO;
    err[0] = '\0';
    /* The default accelerator may come from the environment, so that whole test suites can
     * run under the interpreter without editing their command lines; -accel still wins. */
    const char *accel = getenv("VISOR_ACCEL");
    if (accel && *accel) {
        int rc = set_accel(o, "VISOR_ACCEL", accel, err);
        if (rc)
            return rc;
    }

    int i = 1;
    if (i < argc && !strcmp(argv[i], "run"))
        i++;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-')
            return fail(err,
                        "%s: unsupported argument (disk images are given with -drive, "
                        "which visor does not support yet)",
                        a);
        const struct flag *f = find_flag(a);
        if (!f)
            return fail(err, "%s: unsupported option", a);
        const char *val = NULL;
        if (f->takes_arg) {
            if (i + 1 >= argc)
                return fail(err, "%s: requires an argument", a);
            val = argv[++i];
        }
        int rc = f->handler(o, a, val, err);
        if (rc)
            return rc;
        if (o->action != CLI_RUN)
            return 0; /* -help, -version, 'help' values: act at once, as QEMU does */
    }
    return validate(o, err);
}

/* QEMU's help layout: the synopsis, padded to 16 columns, then the text; a synopsis too long
 * for that gets the text on the next lines, indented. */
void cli_print_help(FILE *f)
{
    fprintf(f, "usage: visor [run] [options]\n\n"
               "visor " VISOR_VERSION
               " runs RISC-V RV64GC guests on a board laid out like QEMU " VISOR_QEMU_VERSION
               "'s virt,\nand takes QEMU's flags for it:\n\n");
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        const struct flag *fl = &flags[i];
        if (!fl->synopsis)
            continue;
        int col = fprintf(f, "%s", fl->synopsis);
        const char *h = fl->help;
        if (col >= 16) {
            fputc('\n', f);
            col = 0;
        }
        while (*h) {
            const char *nl = strchr(h, '\n');
            size_t len = nl ? (size_t)(nl - h) : strlen(h);
            fprintf(f, "%*s%.*s\n", 16 - col, "", (int)len, h);
            col = 0;
            h += len + (nl ? 1 : 0);
        }
    }
    fprintf(f, "\nDuring emulation, with -nographic or -serial mon:stdio:\n"
               "C-a h    print this help\n"
               "C-a x    exit emulator\n"
               "C-a c    switch between console and monitor\n"
               "C-a C-a  sends C-a\n");
}

void cli_print_version(FILE *f)
{
    fprintf(f, "QEMU emulator version " VISOR_QEMU_VERSION " (visor " VISOR_VERSION ")\n"
               "Copyright (c) the visor authors; command line and board compatible with QEMU\n");
}
