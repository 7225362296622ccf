/* libFuzzer harness for the gdb stub's packet layer and command parser (src/gdb/packet.c,
 * session.c): the input is a byte stream from a "client", split at 0xff bytes into chunks
 * between which the fake target may report a stop, so that replies to c/s/vCont and the
 * interrupt path run too. The target is a small fake (4 threads, 64 KiB of memory at
 * 0x80000000, a register file), so nothing but the protocol code is under test.
 * Build: make MODE=fuzz fuzz-gdb; run: build/fuzz/fuzz_gdb tests/fuzz/corpus/gdb */
#include "../../src/gdb/gdb.h"

#include <stdlib.h>
#include <string.h>

#define NTHREADS 4
#define MEM_BASE 0x80000000ull
#define MEM_SIZE 65536

struct fake {
    uint64_t regs[NTHREADS][70];
    uint8_t mem[MEM_SIZE];
    unsigned npoints;
    bool running;
    size_t sent;
};

static unsigned f_nthreads(void *t)
{
    return NTHREADS;
}

static int f_read_reg(void *t, unsigned th, unsigned regno, uint8_t *buf, size_t *size)
{
    struct fake *f = t;
    if (th >= NTHREADS || regno >= 70)
        return -1;
    *size = regno >= 66 ? 4 : 8;
    memcpy(buf, &f->regs[th][regno], *size);
    return 0;
}

static int f_write_reg(void *t, unsigned th, unsigned regno, const uint8_t *buf, size_t size)
{
    struct fake *f = t;
    if (th >= NTHREADS || regno >= 70 || size > 8)
        return -1;
    f->regs[th][regno] = 0;
    memcpy(&f->regs[th][regno], buf, size);
    return 0;
}

static size_t f_mem(struct fake *f, uint64_t addr, uint8_t *buf, const uint8_t *src, size_t len)
{
    if (addr < MEM_BASE || addr - MEM_BASE >= MEM_SIZE)
        return 0;
    size_t off = (size_t)(addr - MEM_BASE), n = len < MEM_SIZE - off ? len : MEM_SIZE - off;
    if (src)
        memcpy(f->mem + off, src, n);
    else
        memcpy(buf, f->mem + off, n);
    return n;
}

static size_t f_read_mem(void *t, unsigned th, uint64_t addr, uint8_t *buf, size_t len, bool phys)
{
    return f_mem(t, addr, buf, NULL, len);
}

static size_t f_write_mem(void *t, unsigned th, uint64_t addr, const uint8_t *buf, size_t len,
                          bool phys)
{
    return f_mem(t, addr, NULL, buf, len);
}

static int f_insert(void *t, enum gdb_point type, uint64_t addr, uint64_t len)
{
    struct fake *f = t;
    if (f->npoints == 64)
        return -1;
    f->npoints++;
    return 0;
}

static int f_remove(void *t, enum gdb_point type, uint64_t addr, uint64_t len)
{
    struct fake *f = t;
    if (!f->npoints)
        return -1;
    f->npoints--;
    return 0;
}

static void f_remove_all(void *t)
{
    ((struct fake *)t)->npoints = 0;
}

static void f_resume(void *t, int step)
{
    ((struct fake *)t)->running = true;
}

static void f_interrupt(void *t)
{
    ((struct fake *)t)->running = false;
}

static void f_nothing(void *t)
{
}

static void f_monitor(void *t, const char *cmd, void (*out)(void *ctx, const char *s, size_t n),
                      void *ctx)
{
    out(ctx, cmd, strlen(cmd)); /* echo: exercises O packets of any length */
    out(ctx, "\n", 1);
}

static const char xml[] = "<?xml version=\"1.0\"?><target><architecture>riscv:rv64</architecture>"
                          "<feature name=\"org.gnu.gdb.riscv.cpu\"/></target>";

static const char *f_xml(void *t, const char *annex, size_t *len)
{
    if (strcmp(annex, "target.xml"))
        return NULL;
    *len = sizeof(xml) - 1;
    return xml;
}

static void f_thread_name(void *t, unsigned th, char *buf, size_t size)
{
    strncpy(buf, "fake thread", size);
    buf[size - 1] = '\0';
}

static const struct gdb_target_ops fake_ops = {
    .g_nregs = 33, .nthreads = f_nthreads, .read_reg = f_read_reg, .write_reg = f_write_reg,
    .read_mem = f_read_mem, .write_mem = f_write_mem, .insert_point = f_insert,
    .remove_point = f_remove, .remove_all_points = f_remove_all, .resume = f_resume,
    .interrupt = f_interrupt, .detach = f_nothing, .kill = f_nothing, .monitor = f_monitor,
    .xml = f_xml, .thread_name = f_thread_name,
};

static void f_send(void *ctx, const uint8_t *buf, size_t n)
{
    struct fake *f = ctx;
    f->sent += n;
    if (n && buf[0] != '$' && buf[0] != '+' && buf[0] != '-')
        abort(); /* the stub only ever sends packets and acks */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fake f;
    memset(&f, 0, sizeof(f));
    struct gdb_session *s = gdb_session_new(&fake_ops, &f, f_send, &f);
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != 0xff)
            continue;
        gdb_session_input(s, data + start, i - start);
        start = i + 1;
        if (i < size && (f.running || gdb_session_running(s))) {
            /* a stop of a kind chosen by the next byte */
            uint8_t k = i + 1 < size ? data[i + 1] : 0;
            struct gdb_stop st = {.kind = (enum gdb_stop_kind)(k % 4), .thread = k % NTHREADS,
                                  .signal = 5, .watch = (enum gdb_point)(2 + k % 3),
                                  .addr = MEM_BASE + k, .hw = k & 1};
            gdb_session_stopped(s, &st);
            f.running = false;
        }
    }
    gdb_session_free(s);
    return 0;
}
