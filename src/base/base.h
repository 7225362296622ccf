/* visor's foundation: error codes as values, levelled logging, die() for start-up
 * misconfiguration, the virtual clock, and small helpers every folder may use. */
#ifndef VISOR_BASE_H
#define VISOR_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VISOR_VERSION "0.1.0"
#define VISOR_QEMU_VERSION "7.2.0"

#define MUST_CHECK __attribute__((warn_unused_result))
#define NORETURN __attribute__((noreturn))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum err_code {
    ERR_NONE = 0,
#define ERR(name, msg) name,
#include "err.def"
#undef ERR
    ERR_COUNT
};

/* The message for a code; accepts the code negated or not. */
const char *err_str(int code);

/* Start-up misconfiguration only: prints "visor: <message>" and exits with status 1. */
NORETURN PRINTF(1, 2) void die(const char *fmt, ...);

/* Non-fatal diagnostics on stderr, prefixed "visor: ". */
PRINTF(1, 2) void warn(const char *fmt, ...);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

/* Reads a whole file; returns 0 or a negative code (with errno-style detail in *why). */
MUST_CHECK int file_read_all(const char *path, uint8_t **data, size_t *size);

/* The guest timebase: 10 MHz ticks since the machine started, from the host's monotonic
 * clock (QEMU virt's timebase-frequency). */
#define TIMEBASE_HZ 10000000ull
uint64_t vclock_ticks(void);
/* Host monotonic nanoseconds. */
uint64_t host_ns(void);
/* Freezes the timebase (a paused VM: the guest sees no time pass, as with QEMU's stopped
 * virtual clock) and lets it run again from where it stopped. Idempotent. */
void vclock_stop(void);
void vclock_start(void);

/* ---- Listening sockets in QEMU's chardev syntax (sock.c), for -gdb and -monitor ----
 * sock_listen takes "tcp:[HOST]:PORT[,opts]" or "unix:PATH[,opts]" and returns a
 * non-blocking listening descriptor, or a negative code with the reason in err; *wait tells
 * whether the options asked to wait for a client before starting (QEMU's default, "nowait"
 * or "wait=off" turn it off). sock_accept returns a non-blocking client or -1.
 * sock_write_all writes everything, waiting a few seconds at most for a slow reader. */
MUST_CHECK int sock_listen(const char *spec, bool *wait, char *err, size_t errlen);
int sock_accept(int lfd);
MUST_CHECK bool sock_write_all(int fd, const void *buf, size_t n);

/* ---- Tracing: -d ITEMS (trace.def) and -D FILE (trace.c) ---- */
enum trace_bits {
#define TRACE(name, bit, help) TRACE_BIT_##name = bit,
#include "trace.def"
#undef TRACE
};
#define TRACE_IN_ASM (1u << TRACE_BIT_in_asm)
#define TRACE_EXEC (1u << TRACE_BIT_exec)
#define TRACE_CPU (1u << TRACE_BIT_cpu)
#define TRACE_INT (1u << TRACE_BIT_int)
#define TRACE_MMU (1u << TRACE_BIT_mmu)
#define TRACE_GUEST_ERRORS (1u << TRACE_BIT_guest_errors)
#define TRACE_UNIMP (1u << TRACE_BIT_unimp)
#define TRACE_JIT (1u << TRACE_BIT_jit)
extern uint32_t trace_mask;
static inline bool trace_on(uint32_t items)
{
    return UNLIKELY(trace_mask & items);
}
/* Parses a comma-separated list of item names into a mask; on an unknown name returns
 * -ERR_INVAL with the name in bad. */
MUST_CHECK int trace_parse(const char *list, uint32_t *mask, char *bad, size_t badlen);
/* Item i's name and help (for -d help); NULL past the last. */
const char *trace_item(unsigned i, const char **help);
/* Sends the log to path (created or truncated) instead of stderr. */
MUST_CHECK int trace_open(const char *path);
PRINTF(1, 2) void trace_printf(const char *fmt, ...);
void trace_flush(void);

static inline uint64_t sext(uint64_t v, unsigned bits)
{
    return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* An interrupt line from a device to whoever receives it (PLIC input, hart mip bit). */
struct irq_line {
    void (*set)(void *ctx, unsigned n, bool level);
    void *ctx;
    unsigned n;
};

static inline void irq_set(const struct irq_line *l, bool level)
{
    if (l->set)
        l->set(l->ctx, l->n, level);
}

#endif
