/* The -d / -D log: a mask of items (trace.def) and the file they go to (stderr by default).
 * Callers test trace_on() before formatting anything, so a disabled item costs one load and a
 * predictable branch where it is tested; the per-instruction items are tested once per slice
 * (see hart_run), not per instruction. */
#include "base.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint32_t trace_mask;
static FILE *trace_file;

static const struct {
    const char *name, *help;
    uint32_t bit;
} items[] = {
#define TRACE(n, b, h) {#n, h, 1u << (b)},
#include "trace.def"
#undef TRACE
};

int trace_parse(const char *list, uint32_t *mask, char *bad, size_t badlen)
{
    uint32_t m = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t i = 0;
        while (i < ARRAY_SIZE(items) && (strlen(items[i].name) != n || strncmp(items[i].name, p, n)))
            i++;
        if (i == ARRAY_SIZE(items)) {
            if (bad)
                snprintf(bad, badlen, "%.*s", (int)n, p);
            return -ERR_INVAL;
        }
        m |= items[i].bit;
        p += n;
        if (*p == ',')
            p++;
    }
    *mask = m;
    return 0;
}

const char *trace_item(unsigned i, const char **help)
{
    if (i >= ARRAY_SIZE(items))
        return NULL;
    if (help)
        *help = items[i].help;
    return items[i].name;
}

int trace_open(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO;
    if (trace_file && trace_file != stderr)
        fclose(trace_file);
    trace_file = f;
    return 0;
}

void trace_printf(const char *fmt, ...)
{
    if (!trace_file)
        trace_file = stderr;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(trace_file, fmt, ap);
    va_end(ap);
}

void trace_flush(void)
{
    if (trace_file)
        fflush(trace_file);
}
