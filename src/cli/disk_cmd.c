/* `visor disk`: image tools modelled on qemu-img — create (raw or qcow2, optionally over a
 * backing file), overlay (a qcow2 image whose backing file is an existing image) and info
 * (human-readable, or --json with qemu-img's key names) and convert (SRC's virtual disk, its
 * backing chain included, copied into a new image; zero blocks are left unwritten). Exit
 * status 0, or 1 with a message on stderr for any bad input. */
#include "cli.h"

#include "../disk/disk.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: visor disk create [-f raw|qcow2] [-b BASE [-F FMT]] [-o cluster_size=N] FILE [SIZE]\n"
    "       visor disk overlay BASE NEW\n"
    "       visor disk info [--json] [-f FMT] FILE\n"
    "       visor disk convert [-f FMT] [-O raw|qcow2] SRC DST\n"
    "SIZE is bytes, or a number with a suffix K, M, G or T (powers of 1024).\n"
    "A backing file given to create is named relative to the new image's directory;\n"
    "overlay takes BASE as a path from here.\n";

PRINTF(1, 2) static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("visor disk: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* qemu-img's sizes: a bare number is bytes. */
static int parse_size(const char *s, uint64_t *out)
{
    bool digits = *s != 0;
    for (const char *p = s; *p; p++)
        digits &= isdigit((unsigned char)*p) != 0;
    if (digits) {
        char *end;
        *out = strtoull(s, &end, 10);
        return *out == ULLONG_MAX ? -ERR_RANGE : 0;
    }
    return cli_parse_size(s, out);
}

static int cmd_create(int argc, char **argv)
{
    struct disk_create_opts o = {.format = "raw"};
    const char *args[2];
    unsigned nargs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = !strcmp(a, "-f") || !strcmp(a, "-b") || !strcmp(a, "-F") ||
                       !strcmp(a, "-o");
        if (has_val && i + 1 == argc)
            return fail("create: %s needs a value", a);
        if (!strcmp(a, "-f")) {
            o.format = argv[++i];
        } else if (!strcmp(a, "-b")) {
            o.backing = argv[++i];
        } else if (!strcmp(a, "-F")) {
            o.backing_format = argv[++i];
        } else if (!strcmp(a, "-o")) {
            const char *v = argv[++i];
            uint64_t cs;
            if (strncmp(v, "cluster_size=", 13) || parse_size(v + 13, &cs) || cs < 512 ||
                cs > (2u << 20) || (cs & (cs - 1)))
                return fail("create: -o %s: only cluster_size=N (a power of two, 512 to 2M)", v);
            o.cluster_bits = (unsigned)__builtin_ctzll(cs);
        } else if (a[0] == '-' && a[1]) {
            return fail("create: unknown option '%s'\n%s", a, usage);
        } else if (nargs < 2) {
            args[nargs++] = a;
        } else {
            return fail("create: too many arguments\n%s", usage);
        }
    }
    if (!nargs)
        return fail("create: needs FILE\n%s", usage);
    if (strcmp(o.format, "raw") && strcmp(o.format, "qcow2"))
        return fail("create: -f %s: unknown format (raw or qcow2)", o.format);
    if (o.backing_format && !o.backing)
        return fail("create: -F needs -b");
    if (nargs == 2 && parse_size(args[1], &o.size))
        return fail("create: invalid size '%s' (bytes, or with a suffix K, M, G, T)", args[1]);
    if (nargs == 1 && !o.backing)
        return fail("create: needs a SIZE (or -b BASE to take the base's size)");
    char err[DISK_ERRLEN];
    if (disk_create(args[0], &o, err))
        return fail("%s", err);
    return 0;
}

static int cmd_overlay(int argc, char **argv)
{
    if (argc != 3)
        return fail("overlay: needs BASE and NEW\n%s", usage);
    const char *base = argv[1], *new = argv[2];
    /* The image names its backing file relative to its own directory; keep BASE as given
     * when that is the same as from here, otherwise name it by its absolute path. */
    char abs[PATH_MAX];
    if (base[0] != '/' && strchr(new, '/')) {
        if (!realpath(base, abs))
            return fail("'%s': %s", base, strerror(errno));
        base = abs;
    }
    struct disk_create_opts o = {.format = "qcow2", .backing = base};
    char err[DISK_ERRLEN];
    if (disk_create(new, &o, err))
        return fail("%s", err);
    return 0;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* qemu-img's human sizes: three significant digits and a binary unit. */
static void human_size(uint64_t v, char *out, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    unsigned i = 0;
    double d = (double)v;
    while (d >= 1024 && i + 1 < ARRAY_SIZE(units)) {
        d /= 1024;
        i++;
    }
    snprintf(out, len, "%0.3g %s", d, units[i]);
}

static int cmd_info(int argc, char **argv)
{
    bool json = false;
    const char *file = NULL, *format = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--output=json")) {
            json = true;
        } else if (!strcmp(argv[i], "-f") && i + 1 < argc) {
            format = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return fail("info: unknown option '%s'\n%s", argv[i], usage);
        } else if (!file) {
            file = argv[i];
        } else {
            return fail("info: too many arguments\n%s", usage);
        }
    }
    if (!file)
        return fail("info: needs FILE\n%s", usage);
    struct disk_info in;
    char err[DISK_ERRLEN];
    if (disk_get_info(file, format, &in, err))
        return fail("%s", err);
    if (json) {
        printf("{\n    \"virtual-size\": %" PRIu64 ",\n    \"filename\": ", in.virtual_size);
        json_str(file);
        if (in.cluster_size)
            printf(",\n    \"cluster-size\": %" PRIu32, in.cluster_size);
        printf(",\n    \"format\": ");
        json_str(in.format);
        printf(",\n    \"actual-size\": %" PRIu64, in.actual_size);
        if (in.backing[0]) {
            printf(",\n    \"backing-filename\": ");
            json_str(in.backing);
            printf(",\n    \"full-backing-filename\": ");
            json_str(in.backing_full);
            if (in.backing_format[0]) {
                printf(",\n    \"backing-filename-format\": ");
                json_str(in.backing_format);
            }
        }
        if (in.version)
            printf(",\n    \"format-specific\": {\n        \"type\": \"qcow2\",\n"
                   "        \"data\": {\n            \"compat\": \"%s\",\n"
                   "            \"refcount-bits\": 16\n        }\n    }",
                   in.version == 2 ? "0.10" : "1.1");
        printf(",\n    \"dirty-flag\": false\n}\n");
        return 0;
    }
    char vs[32], as[32];
    human_size(in.virtual_size, vs, sizeof(vs));
    human_size(in.actual_size, as, sizeof(as));
    printf("image: %s\nfile format: %s\nvirtual size: %s (%" PRIu64 " bytes)\ndisk size: %s\n",
           file, in.format, vs, in.virtual_size, as);
    if (in.cluster_size)
        printf("cluster_size: %" PRIu32 "\n", in.cluster_size);
    if (in.backing[0]) {
        printf("backing file: %s", in.backing);
        if (strcmp(in.backing, in.backing_full))
            printf(" (actual path: %s)", in.backing_full);
        printf("\n");
        if (in.backing_format[0])
            printf("backing file format: %s\n", in.backing_format);
    }
    if (in.version)
        printf("Format specific information:\n    compat: %s\n    refcount bits: 16\n",
               in.version == 2 ? "0.10" : "1.1");
    return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static int cmd_convert(int argc, char **argv)
{
    const char *fmt = NULL, *out_fmt = "raw", *args[2];
    unsigned nargs = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "-O")) && i + 1 < argc) {
            *(argv[i][1] == 'f' ? &fmt : &out_fmt) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return fail("convert: unknown option '%s'\n%s", argv[i], usage);
        } else if (nargs < 2) {
            args[nargs++] = argv[i];
        } else {
            return fail("convert: too many arguments\n%s", usage);
        }
    }
    if (nargs != 2)
        return fail("convert: needs SRC and DST\n%s", usage);
    char err[DISK_ERRLEN];
    struct disk *src, *dst;
    if (disk_open(args[0], fmt, true, &src, NULL, err))
        return fail("%s", err);
    struct disk_create_opts o = {.format = out_fmt, .size = disk_size(src)};
    if (disk_create(args[1], &o, err) || disk_open(args[1], out_fmt, false, &dst, NULL, err)) {
        disk_close(src);
        return fail("%s", err);
    }
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = xmalloc(CHUNK);
    int rc = 0;
    for (uint64_t off = 0; off < disk_size(src) && !rc; off += CHUNK) {
        size_t n = disk_size(src) - off < CHUNK ? (size_t)(disk_size(src) - off) : CHUNK;
        rc = disk_read(src, off, buf, n);
        for (size_t k = 0; k < n && !rc; k += 65536) {
            size_t m = n - k < 65536 ? n - k : 65536;
            if (!all_zero(buf + k, m))
                rc = disk_write(dst, off + k, buf + k, m);
        }
    }
    if (!rc)
        rc = disk_flush(dst);
    free(buf);
    disk_close(src);
    disk_close(dst);
    if (rc)
        return fail("convert '%s' to '%s': %s", args[0], args[1], err_str(rc));
    return 0;
}

int cli_disk_main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "--help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2;
    }
    if (!strcmp(argv[1], "create"))
        return cmd_create(argc - 1, argv + 1);
    if (!strcmp(argv[1], "overlay"))
        return cmd_overlay(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return cmd_info(argc - 1, argv + 1);
    if (!strcmp(argv[1], "convert"))
        return cmd_convert(argc - 1, argv + 1);
    return fail("unknown command '%s'\n%s", argv[1], usage);
}
