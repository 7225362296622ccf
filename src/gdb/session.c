/* One gdb client's conversation: the packets of the GDB manual's "Packets", "General Query
 * Packets" and "Stop Reply Packets" sections that an all-stop bare-metal target needs,
 * answered through the target's operation table.
 *
 * Every packet gets exactly one reply (an empty one for what we do not know; "E nn" for what
 * we cannot parse or do), except c/s/vCont, whose reply is the stop reply that comes later
 * through gdb_session_stopped, and k. Errors: E01 malformed packet, E02 no such register or
 * thread, E03 memory not accessible, E04 no room for another breakpoint or watchpoint, E05 no
 * such breakpoint, E06 packet too long. */
#include "gdb_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_MAX GDB_PACKET_SIZE
/* The largest memory read answered at once: its hex must fit in a reply. */
#define MEM_MAX ((REPLY_MAX - 16) / 2)

struct gdb_session {
    const struct gdb_target_ops *ops;
    void *t;
    void (*send)(void *ctx, const uint8_t *buf, size_t n);
    void *send_ctx;

    struct gdb_rx rx;
    bool noack;
    bool running;      /* a c/s/vCont waits for its stop reply */
    bool detached;
    bool phys;         /* Qqemu.PhyMemMode: m/M/X take physical addresses */
    bool swbreak, hwbreak; /* the client understands these stop reasons */
    unsigned g_thread; /* the thread for registers and memory (Hg) */
    int c_thread;      /* the thread for c/s (Hc); -1 all */
    struct gdb_stop last;
    uint8_t frame[2 * REPLY_MAX + 8];
    size_t frame_len; /* the last reply, kept for a '-' */
    char reply[REPLY_MAX + 1];
    size_t reply_len;
};

static const char hexdigits[] = "0123456789abcdef";

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads 1 to 16 hex digits; false if there are none or more. */
static bool parse_hex(const char **p, uint64_t *v)
{
    uint64_t x = 0;
    unsigned n = 0;
    int d;
    while ((d = hexval(**p)) >= 0) {
        if (++n > 16)
            return false;
        x = x << 4 | (uint64_t)d;
        (*p)++;
    }
    *v = x;
    return n > 0;
}

/* Decodes exactly n bytes of hex from p; false on a non-hex digit. */
static bool unhex(const char *p, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(p[2 * i]), lo = hi < 0 ? -1 : hexval(p[2 * i + 1]);
        if (lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* ---- Replies ---- */

static void transmit(struct gdb_session *s, const char *body, size_t n)
{
    size_t len = gdb_frame((const uint8_t *)body, n, s->frame, sizeof(s->frame));
    s->frame_len = len;
    if (len)
        s->send(s->send_ctx, s->frame, len);
}

static void reply_start(struct gdb_session *s)
{
    s->reply_len = 0;
    s->reply[0] = '\0';
}

static void put(struct gdb_session *s, const char *text, size_t n)
{
    if (n > REPLY_MAX - s->reply_len)
        n = REPLY_MAX - s->reply_len;
    memcpy(s->reply + s->reply_len, text, n);
    s->reply_len += n;
    s->reply[s->reply_len] = '\0';
}

PRINTF(2, 3) static void putf(struct gdb_session *s, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        put(s, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void put_hex(struct gdb_session *s, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n && s->reply_len + 2 <= REPLY_MAX; i++) {
        s->reply[s->reply_len++] = hexdigits[b[i] >> 4];
        s->reply[s->reply_len++] = hexdigits[b[i] & 15];
    }
    s->reply[s->reply_len] = '\0';
}

static void reply_send(struct gdb_session *s)
{
    transmit(s, s->reply, s->reply_len);
}

static void reply(struct gdb_session *s, const char *text)
{
    reply_start(s);
    put(s, text, strlen(text));
    reply_send(s);
}

static void stop_reply(struct gdb_session *s)
{
    const struct gdb_stop *st = &s->last;
    reply_start(s);
    switch (st->kind) {
    case GDB_STOP_EXIT:
        putf(s, "W%02x", st->status & 0xff);
        break;
    case GDB_STOP_SIGNAL:
        putf(s, "T%02xthread:%x;", st->signal & 0xff, st->thread + 1);
        break;
    case GDB_STOP_BREAK:
        putf(s, "T05thread:%x;", st->thread + 1);
        if (st->hw && s->hwbreak)
            putf(s, "hwbreak:;");
        else if (!st->hw && s->swbreak)
            putf(s, "swbreak:;");
        break;
    case GDB_STOP_WATCH: {
        const char *k = st->watch == GDB_WATCH_READ     ? "rwatch"
                        : st->watch == GDB_WATCH_ACCESS ? "awatch"
                                                        : "watch";
        putf(s, "T05thread:%x;%s:%llx;", st->thread + 1, k, (unsigned long long)st->addr);
        break;
    }
    }
    reply_send(s);
}

/* ---- Commands ---- */

static bool thread_ok(struct gdb_session *s, uint64_t tid)
{
    return tid >= 1 && tid <= s->ops->nthreads(s->t);
}

static void put_reg(struct gdb_session *s, unsigned regno, bool *ok)
{
    uint8_t buf[16];
    size_t size = 0;
    if (s->ops->read_reg(s->t, s->g_thread, regno, buf, &size) || size > sizeof(buf)) {
        *ok = false;
        return;
    }
    put_hex(s, buf, size);
}

static void cmd_read_regs(struct gdb_session *s)
{
    bool ok = true;
    reply_start(s);
    for (unsigned r = 0; r < s->ops->g_nregs && ok; r++)
        put_reg(s, r, &ok);
    if (!ok)
        reply(s, "E02");
    else
        reply_send(s);
}

static void cmd_write_regs(struct gdb_session *s, const char *p, size_t n)
{
    size_t off = 0;
    for (unsigned r = 0; r < s->ops->g_nregs && off < n; r++) {
        uint8_t cur[16], val[16];
        size_t size = 0;
        if (s->ops->read_reg(s->t, s->g_thread, r, cur, &size) || size > sizeof(cur)) {
            reply(s, "E02");
            return;
        }
        if (n - off < 2 * size || !unhex(p + off, val, size)) {
            reply(s, "E01");
            return;
        }
        if (s->ops->write_reg(s->t, s->g_thread, r, val, size)) {
            reply(s, "E02");
            return;
        }
        off += 2 * size;
    }
    reply(s, "OK");
}

static void cmd_read_reg(struct gdb_session *s, const char *p)
{
    uint64_t regno;
    if (!parse_hex(&p, &regno) || *p || regno > UINT32_MAX) {
        reply(s, "E01");
        return;
    }
    bool ok = true;
    reply_start(s);
    put_reg(s, (unsigned)regno, &ok);
    if (ok)
        reply_send(s);
    else
        reply(s, "E02");
}

static void cmd_write_reg(struct gdb_session *s, const char *p, size_t n)
{
    const char *start = p;
    uint64_t regno;
    if (!parse_hex(&p, &regno) || *p != '=' || regno > UINT32_MAX) {
        reply(s, "E01");
        return;
    }
    p++;
    size_t digits = n - (size_t)(p - start);
    uint8_t val[16];
    if (digits % 2 || digits / 2 > sizeof(val) || !unhex(p, val, digits / 2)) {
        reply(s, "E01");
        return;
    }
    /* The value must be as wide as the register. */
    uint8_t cur[16];
    size_t size = 0;
    if (s->ops->read_reg(s->t, s->g_thread, (unsigned)regno, cur, &size) || size != digits / 2) {
        reply(s, size && size != digits / 2 ? "E01" : "E02");
        return;
    }
    reply(s, s->ops->write_reg(s->t, s->g_thread, (unsigned)regno, val, size) ? "E02" : "OK");
}

/* "addr,len" and what follows it. */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len)
{
    return parse_hex(p, addr) && *(*p)++ == ',' && parse_hex(p, len);
}

static void cmd_read_mem(struct gdb_session *s, const char *p)
{
    uint64_t addr, len;
    if (!parse_addr_len(&p, &addr, &len) || *p) {
        reply(s, "E01");
        return;
    }
    if (len > MEM_MAX)
        len = MEM_MAX; /* the protocol allows a shorter answer */
    static uint8_t buf[MEM_MAX];
    size_t got = len ? s->ops->read_mem(s->t, s->g_thread, addr, buf, (size_t)len, s->phys) : 0;
    if (len && !got) {
        reply(s, "E03");
        return;
    }
    reply_start(s);
    put_hex(s, buf, got);
    reply_send(s);
}

/* M (hex data) and X (binary data, already unescaped by the packet layer). */
static void cmd_write_mem(struct gdb_session *s, const char *p, size_t n, bool binary)
{
    const char *start = p;
    uint64_t addr, len;
    if (!parse_addr_len(&p, &addr, &len) || *p != ':') {
        reply(s, "E01");
        return;
    }
    p++;
    size_t have = n - (size_t)(p - start);
    static uint8_t buf[GDB_PACKET_SIZE];
    if (len > sizeof(buf) || have != (binary ? len : 2 * len)) {
        reply(s, "E01");
        return;
    }
    if (binary)
        memcpy(buf, p, (size_t)len);
    else if (!unhex(p, buf, (size_t)len)) {
        reply(s, "E01");
        return;
    }
    if (!len) {
        reply(s, "OK"); /* gdb probes X support with a zero-length write */
        return;
    }
    size_t put_n = s->ops->write_mem(s->t, s->g_thread, addr, buf, (size_t)len, s->phys);
    reply(s, put_n == len ? "OK" : "E03");
}

static void cmd_point(struct gdb_session *s, const char *p, bool insert)
{
    uint64_t type, addr, kind;
    if (!parse_hex(&p, &type) || *p++ != ',' || !parse_addr_len(&p, &addr, &kind) ||
        (*p && *p != ';')) {
        reply(s, "E01");
        return;
    }
    if (type > GDB_WATCH_ACCESS) {
        reply(s, ""); /* unsupported type: gdb falls back */
        return;
    }
    if (type >= GDB_WATCH_WRITE && kind == 0) {
        reply(s, "E01");
        return;
    }
    int rc = insert ? s->ops->insert_point(s->t, (enum gdb_point)type, addr, kind)
                    : s->ops->remove_point(s->t, (enum gdb_point)type, addr, kind);
    reply(s, !rc ? "OK" : insert ? "E04" : "E05");
}

/* Resumes; an optional address sets the pc of the thread that runs first. */
static void resume(struct gdb_session *s, int step_thread, const char *addr_text)
{
    if (addr_text && *addr_text) {
        uint64_t addr;
        const char *p = addr_text;
        if (!parse_hex(&p, &addr) || *p) {
            reply(s, "E01");
            return;
        }
        unsigned th = step_thread >= 0 ? (unsigned)step_thread : s->g_thread;
        uint8_t b[8];
        for (unsigned i = 0; i < 8; i++)
            b[i] = (uint8_t)(addr >> (8 * i));
        if (s->ops->write_reg(s->t, th, 32, b, 8)) {
            reply(s, "E02");
            return;
        }
    }
    s->running = true;
    s->ops->resume(s->t, step_thread);
}

static int step_thread_for(struct gdb_session *s)
{
    return s->c_thread >= 0 ? s->c_thread : (int)s->g_thread;
}

/* vCont;action[:thread]... — any step action steps that one thread (the others stay put);
 * otherwise any continue action continues everything. */
static void cmd_vcont(struct gdb_session *s, const char *p)
{
    int step = -2;
    bool cont = false;
    while (*p == ';') {
        p++;
        char a = *p++;
        if (a == 'C' || a == 'S') { /* a signal number: ignored, there are no signals */
            uint64_t sig;
            if (!parse_hex(&p, &sig)) {
                reply(s, "E01");
                return;
            }
        } else if (a != 'c' && a != 's') {
            reply(s, "E01");
            return;
        }
        int th = -1;
        if (*p == ':') {
            p++;
            uint64_t tid;
            if (*p == '-' && p[1] == '1') {
                p += 2;
            } else if (!parse_hex(&p, &tid) || (tid && !thread_ok(s, tid))) {
                reply(s, "E01");
                return;
            } else if (tid) {
                th = (int)tid - 1;
            }
        }
        if ((a == 's' || a == 'S') && step == -2)
            step = th >= 0 ? th : step_thread_for(s);
        else
            cont = true;
    }
    if (*p || (step == -2 && !cont)) {
        reply(s, "E01");
        return;
    }
    resume(s, step >= 0 ? step : -1, NULL);
}

static void cmd_set_thread(struct gdb_session *s, const char *p)
{
    char op = *p++;
    int64_t tid;
    if (p[0] == '-' && p[1] == '1' && !p[2]) {
        tid = -1;
    } else {
        uint64_t v;
        if (!parse_hex(&p, &v) || *p || (v && !thread_ok(s, v))) {
            reply(s, "E02");
            return;
        }
        tid = (int64_t)v;
    }
    if (op == 'g') {
        if (tid > 0)
            s->g_thread = (unsigned)tid - 1;
    } else if (op == 'c') {
        s->c_thread = tid > 0 ? (int)tid - 1 : -1;
    } else {
        reply(s, "E01");
        return;
    }
    reply(s, "OK");
}

static void monitor_out(void *ctx, const char *text, size_t n)
{
    struct gdb_session *s = ctx;
    /* 'O' packets of hex, each well inside the packet size. */
    while (n) {
        size_t chunk = n < 1024 ? n : 1024;
        reply_start(s);
        put(s, "O", 1);
        put_hex(s, (const uint8_t *)text, chunk);
        reply_send(s);
        text += chunk;
        n -= chunk;
    }
}

static void cmd_rcmd(struct gdb_session *s, const char *hex, size_t n)
{
    static char cmd[GDB_PACKET_SIZE / 2 + 1];
    if (n % 2 || n / 2 >= sizeof(cmd) || !unhex(hex, (uint8_t *)cmd, n / 2)) {
        reply(s, "E01");
        return;
    }
    cmd[n / 2] = '\0';
    if (strlen(cmd) != n / 2) {
        reply(s, "E01");
        return;
    }
    s->ops->monitor(s->t, cmd, monitor_out, s);
    reply(s, "OK");
}

static void cmd_xfer_features(struct gdb_session *s, const char *p)
{
    /* ANNEX:OFFSET,LENGTH */
    const char *colon = strchr(p, ':');
    char annex[64];
    if (!colon || (size_t)(colon - p) >= sizeof(annex)) {
        reply(s, "E01");
        return;
    }
    memcpy(annex, p, (size_t)(colon - p));
    annex[colon - p] = '\0';
    p = colon + 1;
    uint64_t off, len;
    if (!parse_addr_len(&p, &off, &len) || *p) {
        reply(s, "E01");
        return;
    }
    size_t size;
    const char *doc = s->ops->xml(s->t, annex, &size);
    if (!doc) {
        reply(s, "E00");
        return;
    }
    if (len > REPLY_MAX / 2 - 1)
        len = REPLY_MAX / 2 - 1; /* escapes may double it in the frame */
    reply_start(s);
    if (off >= size) {
        put(s, "l", 1);
    } else {
        size_t n = size - off < len ? (size_t)(size - off) : (size_t)len;
        put(s, off + n >= size ? "l" : "m", 1);
        put(s, doc + off, n);
    }
    reply_send(s);
}

static bool starts(const char *p, const char *prefix)
{
    return !strncmp(p, prefix, strlen(prefix));
}

static void cmd_query(struct gdb_session *s, const char *p, size_t n)
{
    if (starts(p, "qSupported")) {
        s->swbreak = strstr(p, "swbreak+") != NULL;
        s->hwbreak = strstr(p, "hwbreak+") != NULL;
        reply_start(s);
        putf(s, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;vContSupported+",
             GDB_PACKET_SIZE);
        if (s->swbreak)
            putf(s, ";swbreak+");
        if (s->hwbreak)
            putf(s, ";hwbreak+");
        reply_send(s);
    } else if (starts(p, "qXfer:features:read:")) {
        cmd_xfer_features(s, p + strlen("qXfer:features:read:"));
    } else if (!strcmp(p, "qfThreadInfo")) {
        reply_start(s);
        unsigned n_threads = s->ops->nthreads(s->t);
        for (unsigned i = 0; i < n_threads; i++)
            putf(s, "%s%x", i ? "," : "m", i + 1);
        reply_send(s);
    } else if (!strcmp(p, "qsThreadInfo")) {
        reply(s, "l");
    } else if (!strcmp(p, "qC")) {
        reply_start(s);
        putf(s, "QC%x", s->g_thread + 1);
        reply_send(s);
    } else if (!strcmp(p, "qAttached")) {
        reply(s, "1");
    } else if (starts(p, "qThreadExtraInfo,")) {
        const char *q = p + strlen("qThreadExtraInfo,");
        uint64_t tid;
        if (!parse_hex(&q, &tid) || *q || !thread_ok(s, tid)) {
            reply(s, "E02");
            return;
        }
        char name[128];
        s->ops->thread_name(s->t, (unsigned)tid - 1, name, sizeof(name));
        reply_start(s);
        put_hex(s, (const uint8_t *)name, strnlen(name, sizeof(name)));
        reply_send(s);
    } else if (starts(p, "qRcmd,")) {
        cmd_rcmd(s, p + 6, n - 6);
    } else if (!strcmp(p, "qSymbol::")) {
        reply(s, "OK");
    } else if (!strcmp(p, "qqemu.PhyMemMode")) {
        reply(s, s->phys ? "1" : "0");
    } else {
        reply(s, "");
    }
}

static void cmd_set(struct gdb_session *s, const char *p)
{
    if (!strcmp(p, "QStartNoAckMode")) {
        reply(s, "OK");
        s->noack = true; /* from the next packet on */
    } else if (starts(p, "Qqemu.PhyMemMode:")) {
        const char *v = p + strlen("Qqemu.PhyMemMode:");
        if ((v[0] == '0' || v[0] == '1') && !v[1]) {
            s->phys = v[0] == '1';
            reply(s, "OK");
        } else {
            reply(s, "E01");
        }
    } else {
        reply(s, "");
    }
}

static void cmd_v(struct gdb_session *s, const char *p)
{
    if (!strcmp(p, "vCont?"))
        reply(s, "vCont;c;C;s;S");
    else if (starts(p, "vCont;"))
        cmd_vcont(s, p + 5);
    else if (starts(p, "vKill")) {
        reply(s, "OK");
        s->detached = true;
        s->ops->kill(s->t);
    } else
        reply(s, ""); /* vMustReplyEmpty, vFile, vRun...: not supported */
}

static void dispatch(struct gdb_session *s, const char *p, size_t n)
{
    if (!n) {
        reply(s, "");
        return;
    }
    const char *arg = p + 1;
    switch (p[0]) {
    case '?':
        stop_reply(s);
        break;
    case 'g':
        if (n == 1)
            cmd_read_regs(s);
        else
            reply(s, "E01");
        break;
    case 'G':
        cmd_write_regs(s, arg, n - 1);
        break;
    case 'p':
        cmd_read_reg(s, arg);
        break;
    case 'P':
        cmd_write_reg(s, arg, n - 1);
        break;
    case 'm':
        cmd_read_mem(s, arg);
        break;
    case 'M':
        cmd_write_mem(s, arg, n - 1, false);
        break;
    case 'X':
        cmd_write_mem(s, arg, n - 1, true);
        break;
    case 'c':
        resume(s, -1, arg);
        break;
    case 's':
        resume(s, step_thread_for(s), arg);
        break;
    case 'C':
    case 'S': { /* sig[;addr]: the signal means nothing here */
        uint64_t sig;
        const char *q = arg;
        if (!parse_hex(&q, &sig) || (*q && *q != ';')) {
            reply(s, "E01");
            break;
        }
        resume(s, p[0] == 'S' ? step_thread_for(s) : -1, *q ? q + 1 : NULL);
        break;
    }
    case 'H':
        cmd_set_thread(s, arg);
        break;
    case 'T': {
        uint64_t tid;
        const char *q = arg;
        reply(s, parse_hex(&q, &tid) && !*q && thread_ok(s, tid) ? "OK" : "E02");
        break;
    }
    case 'Z':
    case 'z':
        cmd_point(s, arg, p[0] == 'Z');
        break;
    case 'q':
        cmd_query(s, p, n);
        break;
    case 'Q':
        cmd_set(s, p);
        break;
    case 'v':
        cmd_v(s, p);
        break;
    case 'D':
        s->ops->remove_all_points(s->t);
        reply(s, "OK");
        s->detached = true;
        s->running = false;
        s->ops->detach(s->t);
        break;
    case 'k':
        s->detached = true;
        s->ops->kill(s->t);
        break;
    default:
        reply(s, "");
        break;
    }
}

/* ---- The session ---- */

struct gdb_session *gdb_session_new(const struct gdb_target_ops *ops, void *target,
                                    void (*send)(void *ctx, const uint8_t *buf, size_t n),
                                    void *send_ctx)
{
    struct gdb_session *s = xcalloc(1, sizeof(*s));
    s->ops = ops;
    s->t = target;
    s->send = send;
    s->send_ctx = send_ctx;
    s->c_thread = -1;
    s->last = (struct gdb_stop){.kind = GDB_STOP_SIGNAL, .signal = 5};
    return s;
}

void gdb_session_free(struct gdb_session *s)
{
    free(s);
}

bool gdb_session_running(const struct gdb_session *s)
{
    return s->running;
}

bool gdb_session_detached(const struct gdb_session *s)
{
    return s->detached;
}

void gdb_session_stopped(struct gdb_session *s, const struct gdb_stop *st)
{
    s->last = *st;
    if (st->kind != GDB_STOP_EXIT && st->thread < s->ops->nthreads(s->t))
        s->g_thread = st->thread; /* the stopped thread becomes the current one, as gdb expects */
    if (s->running || st->kind == GDB_STOP_EXIT) {
        s->running = false;
        stop_reply(s);
    }
}

void gdb_session_input(struct gdb_session *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n && !s->detached; i++) {
        switch (gdb_rx_byte(&s->rx, buf[i])) {
        case GDB_RX_PACKET:
            if (!s->noack)
                s->send(s->send_ctx, (const uint8_t *)"+", 1);
            dispatch(s, (const char *)s->rx.body, s->rx.len);
            break;
        case GDB_RX_BAD:
            if (!s->noack)
                s->send(s->send_ctx, (const uint8_t *)"-", 1);
            break;
        case GDB_RX_TOO_LONG:
            if (!s->noack)
                s->send(s->send_ctx, (const uint8_t *)"+", 1);
            reply(s, "E06");
            break;
        case GDB_RX_INTERRUPT:
            if (s->running)
                s->ops->interrupt(s->t);
            break;
        case GDB_RX_NAK:
            if (!s->noack && s->frame_len)
                s->send(s->send_ctx, s->frame, s->frame_len);
            break;
        case GDB_RX_ACK:
        case GDB_RX_NONE:
            break;
        }
    }
}
