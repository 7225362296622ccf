/* The gdb stub on a VM: the target operations of gdb.h for visor's harts, the target
 * description that names every register, and the listening socket with its one client.
 *
 * Register numbers (the target description's regnum attributes, as QEMU numbers them):
 * x0..x31 are 0..31, pc 32, f0..f31 33..64, CSR n is 65 + n (so fflags, frm and fcsr, which
 * the fpu feature lists, are 66..68), and the virtual priv register is 65 + 4096.
 *
 * Client lifecycle: connecting pauses the VM (gdb expects a stopped target); D clears the
 * breakpoints and resumes it; a client that goes away without D has its breakpoints removed
 * and leaves the VM paused, and the stub listens again. */
#include "gdb_priv.h"

#include "../mon/mon.h"
#include "../vm/vm.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REG_PC 32
#define REG_F0 33
#define REG_CSR0 65
#define REG_PRIV (REG_CSR0 + 4096)

struct gdb_stub {
    struct vm *vm;
    struct mon *mon;
    int lfd, cfd;
    struct gdb_session *sess;
    bool interrupted; /* a Ctrl-C asked for the pause being reported */
    char *xml;
    size_t xml_len;
    char unix_path[256]; /* unlinked at the end */
};

static struct hart *hart_of(struct gdb_stub *s, unsigned thread)
{
    struct machine *m = vm_machine(s->vm);
    return thread < m->nharts ? &m->harts[thread] : NULL;
}

/* ---- Target description ---- */

PRINTF(4, 5) static void xml_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap *= 2;
        char *nb = realloc(*buf, *cap);
        if (!nb)
            die("out of memory");
        *buf = nb;
    }
}

static void build_xml(struct gdb_stub *s)
{
    static const char *const xnames[32] = {
        "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
        "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
        "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };
    size_t cap = 16384, len = 0;
    char *b = xmalloc(cap);
    b[0] = '\0';
    xml_add(&b, &len, &cap,
            "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
            "<target version=\"1.0\">\n<architecture>riscv:rv64</architecture>\n"
            "<feature name=\"org.gnu.gdb.riscv.cpu\">\n");
    for (unsigned i = 0; i < 32; i++)
        xml_add(&b, &len, &cap, "<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%u\"/>\n",
                xnames[i], i == 2 || i == 8 ? "data_ptr" : i == 1 ? "code_ptr" : "int", i);
    xml_add(&b, &len, &cap,
            "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"%u\"/>\n</feature>\n"
            "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
            "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
            "<field name=\"double\" type=\"ieee_double\"/></union>\n",
            REG_PC);
    for (unsigned i = 0; i < 32; i++)
        xml_add(&b, &len, &cap,
                "<reg name=\"f%u\" bitsize=\"64\" type=\"riscv_double\" regnum=\"%u\"/>\n", i,
                REG_F0 + i);
    static const char *const fcsrs[3] = {"fflags", "frm", "fcsr"};
    for (unsigned i = 0; i < 3; i++)
        xml_add(&b, &len, &cap,
                "<reg name=\"%s\" bitsize=\"32\" type=\"int\" regnum=\"%u\" group=\"float\"/>\n",
                fcsrs[i], REG_CSR0 + 1 + i);
    xml_add(&b, &len, &cap,
            "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
            "<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"%u\"/>\n</feature>\n"
            "<feature name=\"org.gnu.gdb.riscv.csr\">\n",
            REG_PRIV);
    for (unsigned csr = 4; csr < 4096; csr++) {
        const char *name = hart_csr_name(csr);
        if (name)
            xml_add(&b, &len, &cap,
                    "<reg name=\"%s\" bitsize=\"64\" type=\"int\" regnum=\"%u\" group=\"csr\"/>\n",
                    name, REG_CSR0 + csr);
    }
    xml_add(&b, &len, &cap, "</feature>\n</target>\n");
    s->xml = b;
    s->xml_len = len;
}

/* ---- Target operations ---- */

static unsigned t_nthreads(void *t)
{
    struct gdb_stub *s = t;
    return vm_machine(s->vm)->nharts;
}

static void put_le(uint8_t *buf, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *buf, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)buf[i] << (8 * i);
    return v;
}

static size_t reg_size(unsigned regno)
{
    if (regno >= REG_CSR0 + 1 && regno <= REG_CSR0 + 3)
        return 4;
    return 8;
}

static int t_read_reg(void *t, unsigned thread, unsigned regno, uint8_t *buf, size_t *size)
{
    struct hart *h = hart_of(t, thread);
    if (!h)
        return -ERR_NOTFOUND;
    uint64_t v;
    if (regno < 32)
        v = h->x[regno];
    else if (regno == REG_PC)
        v = h->pc;
    else if (regno < REG_CSR0)
        v = h->f[regno - REG_F0];
    else if (regno == REG_PRIV)
        v = h->priv;
    else if (regno < REG_PRIV && hart_csr_name(regno - REG_CSR0))
        v = hart_csr_read(h, regno - REG_CSR0);
    else
        return -ERR_NOTFOUND;
    *size = reg_size(regno);
    put_le(buf, v, *size);
    return 0;
}

static int t_write_reg(void *t, unsigned thread, unsigned regno, const uint8_t *buf, size_t size)
{
    struct hart *h = hart_of(t, thread);
    if (!h || size != reg_size(regno))
        return -ERR_INVAL;
    uint64_t v = get_le(buf, size);
    if (regno < 32) {
        if (regno)
            h->x[regno] = v;
    } else if (regno == REG_PC) {
        h->pc = v & ~1ull;
    } else if (regno < REG_CSR0) {
        h->f[regno - REG_F0] = v;
    } else if (regno == REG_PRIV) {
        if (v != PRIV_U && v != PRIV_S && v != PRIV_M)
            return -ERR_INVAL;
        h->priv = (uint8_t)v;
        hart_tlb_flush(h);
    } else if (regno < REG_PRIV && hart_csr_name(regno - REG_CSR0)) {
        hart_csr_write(h, regno - REG_CSR0, v);
    } else {
        return -ERR_NOTFOUND;
    }
    return 0;
}

static size_t t_read_mem(void *t, unsigned thread, uint64_t addr, uint8_t *buf, size_t len,
                         bool phys)
{
    struct hart *h = hart_of(t, thread);
    return h ? hart_debug_read(h, addr, buf, len, phys) : 0;
}

static size_t t_write_mem(void *t, unsigned thread, uint64_t addr, const uint8_t *buf, size_t len,
                          bool phys)
{
    struct hart *h = hart_of(t, thread);
    return h ? hart_debug_write(h, addr, buf, len, phys) : 0;
}

static int t_insert(void *t, enum gdb_point type, uint64_t addr, uint64_t len)
{
    struct gdb_stub *s = t;
    switch (type) {
    case GDB_BREAK_SW:
    case GDB_BREAK_HW:
        return vm_break_add(s->vm, addr, type == GDB_BREAK_HW);
    case GDB_WATCH_WRITE:
        return vm_watch_add(s->vm, addr, len, HART_WATCH_WRITE);
    case GDB_WATCH_READ:
        return vm_watch_add(s->vm, addr, len, HART_WATCH_READ);
    case GDB_WATCH_ACCESS:
        return vm_watch_add(s->vm, addr, len, HART_WATCH_ACCESS);
    }
    return -ERR_INVAL;
}

static int t_remove(void *t, enum gdb_point type, uint64_t addr, uint64_t len)
{
    struct gdb_stub *s = t;
    switch (type) {
    case GDB_BREAK_SW:
    case GDB_BREAK_HW:
        return vm_break_del(s->vm, addr, type == GDB_BREAK_HW);
    case GDB_WATCH_WRITE:
        return vm_watch_del(s->vm, addr, len, HART_WATCH_WRITE);
    case GDB_WATCH_READ:
        return vm_watch_del(s->vm, addr, len, HART_WATCH_READ);
    case GDB_WATCH_ACCESS:
        return vm_watch_del(s->vm, addr, len, HART_WATCH_ACCESS);
    }
    return -ERR_INVAL;
}

static void t_remove_all(void *t)
{
    struct gdb_stub *s = t;
    vm_debug_clear(s->vm);
}

static void t_resume(void *t, int step_thread)
{
    struct gdb_stub *s = t;
    s->interrupted = false;
    if (step_thread >= 0)
        vm_step(s->vm, (unsigned)step_thread);
    else
        vm_continue(s->vm);
}

static void t_interrupt(void *t)
{
    struct gdb_stub *s = t;
    s->interrupted = true;
    if (vm_paused(s->vm)) {
        /* Already stopped (the monitor's stop, say): answer now. */
        struct gdb_stop st = {.kind = GDB_STOP_SIGNAL, .signal = 2};
        gdb_session_stopped(s->sess, &st);
    } else {
        vm_pause(s->vm);
    }
}

static void t_detach(void *t)
{
    struct gdb_stub *s = t;
    vm_debug_clear(s->vm);
    vm_continue(s->vm);
}

static void t_kill(void *t)
{
    struct gdb_stub *s = t;
    vm_request_exit(s->vm, 0);
}

static void t_monitor(void *t, const char *cmd, void (*out)(void *ctx, const char *s, size_t n),
                      void *ctx)
{
    struct gdb_stub *s = t;
    mon_exec(s->mon, cmd, out, ctx);
}

static const char *t_xml(void *t, const char *annex, size_t *len)
{
    struct gdb_stub *s = t;
    if (strcmp(annex, "target.xml"))
        return NULL;
    *len = s->xml_len;
    return s->xml;
}

static void t_thread_name(void *t, unsigned thread, char *buf, size_t size)
{
    struct hart *h = hart_of(t, thread);
    static const char modes[4] = {'U', 'S', '?', 'M'};
    if (!h) {
        snprintf(buf, size, "?");
        return;
    }
    snprintf(buf, size, "hart %u [%s] %c-mode", thread, h->wfi ? "wfi" : "running",
             modes[h->priv & 3]);
}

static const struct gdb_target_ops vm_target = {
    .g_nregs = 33,
    .nthreads = t_nthreads,
    .read_reg = t_read_reg,
    .write_reg = t_write_reg,
    .read_mem = t_read_mem,
    .write_mem = t_write_mem,
    .insert_point = t_insert,
    .remove_point = t_remove,
    .remove_all_points = t_remove_all,
    .resume = t_resume,
    .interrupt = t_interrupt,
    .detach = t_detach,
    .kill = t_kill,
    .monitor = t_monitor,
    .xml = t_xml,
    .thread_name = t_thread_name,
};

/* ---- The VM's stops ---- */

static void on_vm_stop(void *ctx, const struct vm_stop *vs)
{
    struct gdb_stub *s = ctx;
    if (!s->sess)
        return;
    struct gdb_stop st = {.thread = vs->hart};
    switch (vs->reason) {
    case VM_STOP_PAUSE:
        st.kind = GDB_STOP_SIGNAL;
        st.signal = 2; /* SIGINT, as QEMU reports any pause */
        break;
    case VM_STOP_STEP:
        st.kind = GDB_STOP_SIGNAL;
        st.signal = 5;
        break;
    case VM_STOP_BREAK:
        st.kind = GDB_STOP_BREAK;
        st.hw = vs->hw;
        break;
    case VM_STOP_WATCH:
        st.kind = GDB_STOP_WATCH;
        st.addr = vs->addr;
        st.watch = vs->watch_kind == HART_WATCH_READ     ? GDB_WATCH_READ
                   : vs->watch_kind == HART_WATCH_ACCESS ? GDB_WATCH_ACCESS
                                                         : GDB_WATCH_WRITE;
        break;
    case VM_STOP_EXIT:
        st.kind = GDB_STOP_EXIT;
        st.status = vs->status;
        break;
    }
    gdb_session_stopped(s->sess, &st);
}

/* ---- The connection ---- */

static void on_accept(void *ctx, int fd, short revents);

static void send_bytes(void *ctx, const uint8_t *buf, size_t n)
{
    struct gdb_stub *s = ctx;
    if (s->cfd >= 0 && !sock_write_all(s->cfd, buf, n))
        shutdown(s->cfd, SHUT_RDWR); /* the read side sees the end and drops the client */
}

static void drop_client(struct gdb_stub *s)
{
    bool left_cleanly = gdb_session_detached(s->sess);
    vm_remove_fd(s->vm, s->cfd);
    close(s->cfd);
    s->cfd = -1;
    gdb_session_free(s->sess);
    s->sess = NULL;
    if (!left_cleanly) {
        /* gdb vanished: its breakpoints go with it, the guest waits for the next one. */
        vm_debug_clear(s->vm);
        vm_pause(s->vm);
    }
    if (vm_add_fd(s->vm, s->lfd, POLLIN, on_accept, s))
        warn("-gdb: cannot listen again (too many descriptors)");
}

static void on_client(void *ctx, int fd, short revents)
{
    struct gdb_stub *s = ctx;
    uint8_t buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        drop_client(s);
        return;
    }
    gdb_session_input(s->sess, buf, (size_t)n);
}

static void on_accept(void *ctx, int fd, short revents)
{
    struct gdb_stub *s = ctx;
    int c = sock_accept(fd);
    if (c < 0)
        return;
    if (vm_add_fd(s->vm, c, POLLIN, on_client, s)) {
        close(c);
        return;
    }
    vm_remove_fd(s->vm, s->lfd); /* one client at a time; others wait in the backlog */
    /* Paused before the session exists, so that its first '?' says SIGTRAP, as QEMU's does. */
    vm_pause(s->vm);
    s->cfd = c;
    s->sess = gdb_session_new(&vm_target, s, send_bytes, s);
}

int gdb_stub_start(struct gdb_stub **out, struct vm *vm, struct mon *mon, const char *spec,
                   char *err, size_t errlen)
{
    char why[256];
    bool wait;
    int fd = sock_listen(spec, &wait, why, sizeof(why));
    if (fd < 0) {
        snprintf(err, errlen, "-gdb %s: %s", spec, why);
        return fd;
    }
    struct gdb_stub *s = xcalloc(1, sizeof(*s));
    s->vm = vm;
    s->mon = mon;
    s->lfd = fd;
    s->cfd = -1;
    if (!strncmp(spec, "unix:", 5))
        snprintf(s->unix_path, sizeof(s->unix_path), "%.*s", (int)strcspn(spec + 5, ","),
                 spec + 5);
    build_xml(s);
    if (vm_add_fd(vm, fd, POLLIN, on_accept, s)) {
        snprintf(err, errlen, "-gdb %s: too many descriptors", spec);
        gdb_stub_free(s);
        return -ERR_RANGE;
    }
    vm_set_stop_handler(vm, on_vm_stop, s);
    *out = s;
    return 0;
}

void gdb_stub_free(struct gdb_stub *s)
{
    if (!s)
        return;
    if (s->cfd >= 0) {
        vm_remove_fd(s->vm, s->cfd);
        close(s->cfd);
    }
    if (s->sess)
        gdb_session_free(s->sess);
    vm_remove_fd(s->vm, s->lfd);
    close(s->lfd);
    if (s->unix_path[0])
        unlink(s->unix_path);
    free(s->xml);
    free(s);
}
