/* Error messages, fatal start-up errors, allocation that cannot fail silently, the clock. */
#include "base.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const err_msgs[ERR_COUNT] = {
    [ERR_NONE] = "success",
#define ERR(name, msg) [name] = msg,
#include "err.def"
#undef ERR
};

const char *err_str(int code)
{
    if (code < 0)
        code = -code;
    if (code >= ERR_COUNT)
        return "unknown error";
    return err_msgs[code];
}

PRINTF(1, 0) static void vreport(const char *fmt, va_list ap)
{
    fputs("visor: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    exit(1);
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory allocating %zu bytes", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory allocating %zu bytes", n * size);
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

int file_read_all(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? -ERR_NOTFOUND : -ERR_IO;
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        cap *= 2;
        uint8_t *nbuf = realloc(buf, cap);
        if (!nbuf) {
            free(buf);
            fclose(f);
            return -ERR_NOMEM;
        }
        buf = nbuf;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -ERR_IO;
    }
    *data = buf;
    *size = len;
    return 0;
}

uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The timebase runs from the first call, less the time spent stopped. */
static uint64_t vclock_origin, vclock_stopped_at;
static bool vclock_frozen;

static void vclock_init(uint64_t now)
{
    if (!vclock_origin)
        vclock_origin = now;
}

uint64_t vclock_ticks(void)
{
    uint64_t now = host_ns();
    vclock_init(now);
    if (vclock_frozen)
        now = vclock_stopped_at;
    return (now - vclock_origin) / (1000000000ull / TIMEBASE_HZ);
}

void vclock_stop(void)
{
    if (vclock_frozen)
        return;
    uint64_t now = host_ns();
    vclock_init(now);
    vclock_stopped_at = now;
    vclock_frozen = true;
}

void vclock_start(void)
{
    if (!vclock_frozen)
        return;
    uint64_t now = host_ns();
    vclock_origin += now - vclock_stopped_at; /* the stopped interval never happened */
    vclock_frozen = false;
}
