/* The gdb protocol layers (src/gdb/packet.c, session.c) against a fake target: framing,
 * checksums, escapes, acks and no-ack mode, the register, memory, breakpoint, thread and
 * resume packets, stop replies, and the error replies malformed packets get. */
#include "../../src/gdb/gdb.h"
#include "test.h"

TEST_MAIN("gdb")

#define MEM_BASE 0x80000000ull

static struct fake {
    uint64_t regs[2][70];
    uint8_t mem[256];
    int resumed_step; /* -2: not resumed */
    bool interrupted, detached;
    unsigned points;
    char out[8192];
    size_t nout;
} f;

static unsigned f_nthreads(void *t)
{
    return 2;
}

static int f_read_reg(void *t, unsigned th, unsigned regno, uint8_t *buf, size_t *size)
{
    if (th >= 2 || regno >= 70)
        return -1;
    *size = regno >= 66 ? 4 : 8;
    memcpy(buf, &f.regs[th][regno], *size);
    return 0;
}

static int f_write_reg(void *t, unsigned th, unsigned regno, const uint8_t *buf, size_t size)
{
    if (th >= 2 || regno >= 70)
        return -1;
    f.regs[th][regno] = 0;
    memcpy(&f.regs[th][regno], buf, size);
    return 0;
}

static size_t f_rw(uint64_t addr, uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t n = 0;
    for (; n < len && addr + n - MEM_BASE < sizeof(f.mem); n++) {
        if (src)
            f.mem[addr + n - MEM_BASE] = src[n];
        else
            dst[n] = f.mem[addr + n - MEM_BASE];
    }
    return n;
}

static size_t f_read_mem(void *t, unsigned th, uint64_t a, uint8_t *b, size_t n, bool phys)
{
    return f_rw(a, b, NULL, n);
}

static size_t f_write_mem(void *t, unsigned th, uint64_t a, const uint8_t *b, size_t n, bool phys)
{
    return f_rw(a, NULL, b, n);
}

static int f_insert(void *t, enum gdb_point type, uint64_t addr, uint64_t len)
{
    if (f.points == 2)
        return -1;
    f.points++;
    return 0;
}

static int f_remove(void *t, enum gdb_point type, uint64_t addr, uint64_t len)
{
    if (!f.points)
        return -1;
    f.points--;
    return 0;
}

static void f_remove_all(void *t)
{
    f.points = 0;
}

static void f_resume(void *t, int step)
{
    f.resumed_step = step;
}

static void f_interrupt(void *t)
{
    f.interrupted = true;
}

static void f_detach(void *t)
{
    f.detached = true;
}

static void f_kill(void *t)
{
}

static void f_monitor(void *t, const char *cmd, void (*out)(void *ctx, const char *s, size_t n),
                      void *ctx)
{
    out(ctx, "ok: ", 4);
    out(ctx, cmd, strlen(cmd));
}

static const char *f_xml(void *t, const char *annex, size_t *len)
{
    static const char doc[] = "<target>#$}*</target>"; /* characters that need escapes */
    *len = sizeof(doc) - 1;
    return strcmp(annex, "target.xml") ? NULL : doc;
}

static void f_thread_name(void *t, unsigned th, char *buf, size_t size)
{
    snprintf(buf, size, "hart %u", th);
}

static const struct gdb_target_ops ops = {
    .g_nregs = 33, .nthreads = f_nthreads, .read_reg = f_read_reg, .write_reg = f_write_reg,
    .read_mem = f_read_mem, .write_mem = f_write_mem, .insert_point = f_insert,
    .remove_point = f_remove, .remove_all_points = f_remove_all, .resume = f_resume,
    .interrupt = f_interrupt, .detach = f_detach, .kill = f_kill, .monitor = f_monitor,
    .xml = f_xml, .thread_name = f_thread_name,
};

static void f_send(void *ctx, const uint8_t *buf, size_t n)
{
    if (f.nout + n < sizeof(f.out)) {
        memcpy(f.out + f.nout, buf, n);
        f.nout += n;
        f.out[f.nout] = '\0';
    }
}

static struct gdb_session *fresh(void)
{
    memset(&f, 0, sizeof(f));
    f.resumed_step = -2;
    return gdb_session_new(&ops, NULL, f_send, NULL);
}

/* Sends body framed with a correct checksum; returns what the stub wrote. */
static const char *ask(struct gdb_session *s, const char *body)
{
    static char buf[32768];
    unsigned sum = 0;
    for (const char *p = body; *p; p++)
        sum += (uint8_t)*p;
    int n = snprintf(buf, sizeof(buf), "$%s#%02x", body, sum & 0xff);
    f.nout = 0;
    f.out[0] = '\0';
    gdb_session_input(s, (const uint8_t *)buf, (size_t)n);
    return f.out;
}

/* The reply's body, or "" if there is no packet. */
static const char *body_of(const char *out)
{
    static char b[8192];
    const char *d = strchr(out, '$'), *h = d ? strchr(d, '#') : NULL;
    if (!h)
        return "";
    snprintf(b, sizeof(b), "%.*s", (int)(h - d - 1), d + 1);
    return b;
}

#define REPLY(s, pkt) body_of(ask(s, pkt))

TEST(framing_ack_and_checksum)
{
    struct gdb_session *s = fresh();
    CHECK(!strcmp(ask(s, "?"), "+$T05thread:1;#d7"));
    f.nout = 0;
    gdb_session_input(s, (const uint8_t *)"$?#00", 5);
    CHECK(!strcmp(f.out, "-")); /* a bad checksum */
    f.nout = 0;
    gdb_session_input(s, (const uint8_t *)"-", 1);
    CHECK(!strcmp(f.out, "$T05thread:1;#d7")); /* a NAK repeats the last reply */
    CHECK(!strcmp(ask(s, "QStartNoAckMode"), "+$OK#9a"));
    CHECK(!strcmp(ask(s, "?"), "$T05thread:1;#d7")); /* no more acks */
    gdb_session_free(s);
}

TEST(registers)
{
    struct gdb_session *s = fresh();
    f.regs[0][32] = 0x80000000;
    f.regs[0][1] = 0x1122334455667788;
    const char *g = REPLY(s, "g");
    CHECK_EQ(strlen(g), 33 * 16);
    CHECK(!strncmp(g + 16, "8877665544332211", 16));
    CHECK(!strcmp(REPLY(s, "p20"), "0000008000000000"));
    CHECK(!strcmp(REPLY(s, "P5=efbeadde00000000"), "OK"));
    CHECK_EQ(f.regs[0][5], 0xdeadbeef);
    CHECK(!strcmp(REPLY(s, "p42"), "00000000")); /* a 32-bit register */
    CHECK(!strcmp(REPLY(s, "P42=0100000000000000"), "E01")); /* wrong width */
    CHECK(!strcmp(REPLY(s, "p99"), "E02"));
    CHECK(!strcmp(REPLY(s, "pzz"), "E01"));
    CHECK(!strcmp(REPLY(s, "Hg2"), "OK"));
    CHECK(!strcmp(REPLY(s, "P20=0010000000000000"), "OK"));
    CHECK_EQ(f.regs[1][32], 0x1000);
    CHECK(!strcmp(REPLY(s, "Hg3"), "E02"));
    CHECK(!strcmp(REPLY(s, "G12"), "E01"));
    gdb_session_free(s);
}

TEST(memory_virtual_binary_and_errors)
{
    struct gdb_session *s = fresh();
    CHECK(!strcmp(REPLY(s, "M80000000,4:01020304"), "OK"));
    CHECK(!strcmp(REPLY(s, "m80000000,4"), "01020304"));
    CHECK(!strcmp(REPLY(s, "m800000fe,4"), "0000")); /* a short read is a short answer */
    CHECK(!strcmp(REPLY(s, "m90000000,4"), "E03"));
    CHECK(!strcmp(REPLY(s, "M80000000,4:0102"), "E01"));
    CHECK(!strcmp(REPLY(s, "M800000ff,2:0102"), "E03"));
    /* X with an escaped '#' (0x23 sent as '}' 0x03) */
    CHECK(!strcmp(REPLY(s, "X80000010,2:}\x03" "A"), "OK"));
    CHECK_EQ(f.mem[0x10], '#');
    CHECK_EQ(f.mem[0x11], 'A');
    CHECK(!strcmp(REPLY(s, "X80000010,0:"), "OK"));
    CHECK(!strcmp(REPLY(s, "m,4"), "E01"));
    CHECK(!strcmp(REPLY(s, "m11111111111111111,4"), "E01")); /* 17 digits */
    CHECK(!strcmp(REPLY(s, "Qqemu.PhyMemMode:1"), "OK"));
    CHECK(!strcmp(REPLY(s, "qqemu.PhyMemMode"), "1"));
    CHECK(!strcmp(REPLY(s, "Qqemu.PhyMemMode:2"), "E01"));
    gdb_session_free(s);
}

TEST(breakpoints_and_watchpoints)
{
    struct gdb_session *s = fresh();
    CHECK(!strcmp(REPLY(s, "Z0,80000000,2"), "OK"));
    CHECK(!strcmp(REPLY(s, "Z2,80000100,8"), "OK"));
    CHECK(!strcmp(REPLY(s, "Z1,80000004,4"), "E04")); /* the fake holds two */
    CHECK(!strcmp(REPLY(s, "Z5,80000000,2"), "")); /* unknown type */
    CHECK(!strcmp(REPLY(s, "Z2,80000100,0"), "E01")); /* a watchpoint of no bytes */
    CHECK(!strcmp(REPLY(s, "z0,80000000,2"), "OK"));
    CHECK(!strcmp(REPLY(s, "Z0,80000000"), "E01"));
    gdb_session_free(s);
}

TEST(resume_and_stop_replies)
{
    struct gdb_session *s = fresh();
    ask(s, "qSupported:swbreak+;hwbreak+");
    CHECK(!strcmp(ask(s, "c"), "+")); /* no reply until the stop */
    CHECK_EQ(f.resumed_step, -1);
    CHECK(gdb_session_running(s));
    f.nout = 0;
    gdb_session_input(s, (const uint8_t *)"\x03", 1);
    CHECK(f.interrupted);
    struct gdb_stop st = {.kind = GDB_STOP_SIGNAL, .thread = 1, .signal = 2};
    gdb_session_stopped(s, &st);
    CHECK(!strcmp(body_of(f.out), "T02thread:2;"));
    CHECK(!gdb_session_running(s));
    ask(s, "vCont;s:2;c");
    CHECK_EQ(f.resumed_step, 1);
    f.nout = 0;
    st = (struct gdb_stop){.kind = GDB_STOP_WATCH, .thread = 1, .watch = GDB_WATCH_READ,
                           .addr = 0x80000100};
    gdb_session_stopped(s, &st);
    CHECK(!strcmp(body_of(f.out), "T05thread:2;rwatch:80000100;"));
    ask(s, "s");
    CHECK_EQ(f.resumed_step, 1); /* the stopped thread became the current one */
    f.nout = 0;
    st = (struct gdb_stop){.kind = GDB_STOP_BREAK, .thread = 0};
    gdb_session_stopped(s, &st);
    CHECK(!strcmp(body_of(f.out), "T05thread:1;swbreak:;"));
    CHECK(!strcmp(REPLY(s, "vCont;x"), "E01"));
    CHECK(!strcmp(REPLY(s, "vCont?"), "vCont;c;C;s;S"));
    CHECK(!strcmp(REPLY(s, "c8000zz"), "E01"));
    f.nout = 0;
    st = (struct gdb_stop){.kind = GDB_STOP_EXIT, .status = 3};
    gdb_session_stopped(s, &st);
    CHECK(!strcmp(body_of(f.out), "W03"));
    gdb_session_free(s);
}

TEST(queries_threads_monitor_xml)
{
    struct gdb_session *s = fresh();
    CHECK(strstr(REPLY(s, "qSupported:multiprocess+"), "PacketSize=4000") != NULL);
    CHECK(!strcmp(REPLY(s, "qfThreadInfo"), "m1,2"));
    CHECK(!strcmp(REPLY(s, "qsThreadInfo"), "l"));
    CHECK(!strcmp(REPLY(s, "qC"), "QC1"));
    CHECK(!strcmp(REPLY(s, "T2"), "OK"));
    CHECK(!strcmp(REPLY(s, "T3"), "E02"));
    CHECK(!strcmp(REPLY(s, "qThreadExtraInfo,2"), "686172742031")); /* "hart 1" */
    /* monitor "hi": O packets with hex output, then OK */
    const char *out = ask(s, "qRcmd,6869");
    CHECK(strstr(out, "$O6f6b3a20#") != NULL); /* "ok: " */
    CHECK(strstr(out, "$O6869#") != NULL);
    CHECK(strstr(out, "$OK#9a") != NULL);
    CHECK(!strcmp(REPLY(s, "qRcmd,686"), "E01"));
    /* the XML's '#', '$', '}' and '*' are escaped in the frame */
    out = ask(s, "qXfer:features:read:target.xml:0,100");
    CHECK(strstr(out, "l<target>}\x03}\x04}]}\x0a</target>") != NULL);
    CHECK(!strcmp(REPLY(s, "qXfer:features:read:target.xml:4,3"), "mget"));
    CHECK(!strcmp(REPLY(s, "qXfer:features:read:other.xml:0,10"), "E00"));
    CHECK(!strcmp(REPLY(s, "vMustReplyEmpty"), ""));
    CHECK(!strcmp(REPLY(s, "qAttached"), "1"));
    gdb_session_free(s);
}

TEST(detach_and_oversized)
{
    struct gdb_session *s = fresh();
    char big[20000];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK(!strcmp(REPLY(s, big), "E06"));
    ask(s, "Z0,80000000,2");
    CHECK(!strcmp(REPLY(s, "D"), "OK"));
    CHECK(f.detached);
    CHECK_EQ(f.points, 0);
    CHECK(gdb_session_detached(s));
    gdb_session_free(s);
}
