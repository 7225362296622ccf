/* The gdb remote stub (GDB manual, "Remote Protocol"), in three layers:
 *
 *   packet.c   framing: "$body#cs", acks, '}' escapes, the 0x03 interrupt byte. Bytes in,
 *              events out; no state beyond the packet being assembled.
 *   session.c  the commands (g/G/p/P/m/M/X/c/s/vCont/Z/z/q.../D/k) against a target given
 *              as a table of operations, so that it runs the same on a VM and in the fuzzer.
 *   stub.c     the VM's target: harts as threads, breakpoints in the VM's table, memory
 *              through each hart's translation, `monitor` commands through the visor
 *              monitor; and the listening socket (-gdb / -s) it is reached through.
 *
 * Threads are harts: gdb thread N is hart N-1. The stub is all-stop: a stop of any hart
 * pauses the VM; a step runs one hart, the others stay put. */
#ifndef VISOR_GDB_H
#define VISOR_GDB_H

#include "../base/base.h"

struct vm;
struct mon;

/* ---- The stub on a VM (stub.c) ---- */
struct gdb_stub;
/* Listens on a QEMU -gdb device: "tcp:[HOST]:PORT", "unix:PATH[,server][,nowait]" (tcp::1234
 * for -s). Accepts one client at a time; a client that connects pauses the VM; `detach`
 * resumes it; a client that vanishes leaves it paused and the stub listening. On failure
 * returns a negative code with "-gdb SPEC: why" in err. */
MUST_CHECK int gdb_stub_start(struct gdb_stub **out, struct vm *vm, struct mon *mon,
                              const char *spec, char *err, size_t errlen);
void gdb_stub_free(struct gdb_stub *s);

/* ---- The protocol (session.c), independent of sockets and VMs ---- */

/* Breakpoint and watchpoint types, as in the Z packet. */
enum gdb_point { GDB_BREAK_SW, GDB_BREAK_HW, GDB_WATCH_WRITE, GDB_WATCH_READ, GDB_WATCH_ACCESS };

enum gdb_stop_kind { GDB_STOP_SIGNAL, GDB_STOP_BREAK, GDB_STOP_WATCH, GDB_STOP_EXIT };
struct gdb_stop {
    enum gdb_stop_kind kind;
    unsigned thread;    /* 0-based */
    int signal;         /* SIGNAL: 2 for an interrupt, 5 for a trap (step) */
    bool hw;            /* BREAK: a hardware breakpoint */
    enum gdb_point watch; /* WATCH: which kind */
    uint64_t addr;      /* WATCH: the data address */
    int status;         /* EXIT: exit status */
};

/* What a session needs of its target. Threads are 0-based here. Register numbers are those of
 * the target description; values are little-endian bytes. */
struct gdb_target_ops {
    unsigned g_nregs; /* registers 0..g_nregs-1 make up the 'g' packet */
    unsigned (*nthreads)(void *t);
    /* 0 with the value in buf (at most 16 bytes) and its size, or a negative code. */
    int (*read_reg)(void *t, unsigned thread, unsigned regno, uint8_t *buf, size_t *size);
    int (*write_reg)(void *t, unsigned thread, unsigned regno, const uint8_t *buf, size_t size);
    /* Bytes transferred, up to the first that cannot be. */
    size_t (*read_mem)(void *t, unsigned thread, uint64_t addr, uint8_t *buf, size_t len,
                       bool phys);
    size_t (*write_mem)(void *t, unsigned thread, uint64_t addr, const uint8_t *buf, size_t len,
                        bool phys);
    int (*insert_point)(void *t, enum gdb_point type, uint64_t addr, uint64_t len);
    int (*remove_point)(void *t, enum gdb_point type, uint64_t addr, uint64_t len);
    void (*remove_all_points)(void *t);
    /* Resumes: step_thread >= 0 runs one instruction of that thread, -1 continues all. The
     * stop that follows comes back through gdb_session_stopped. */
    void (*resume)(void *t, int step_thread);
    /* Ctrl-C: stop, and report it through gdb_session_stopped (at once if already stopped). */
    void (*interrupt)(void *t);
    void (*detach)(void *t); /* the client leaves; the target runs on */
    void (*kill)(void *t);
    /* A `monitor` command; its output goes to out, in pieces. */
    void (*monitor)(void *t, const char *cmd, void (*out)(void *ctx, const char *s, size_t n),
                    void *ctx);
    /* The target-description document named annex, or NULL. */
    const char *(*xml)(void *t, const char *annex, size_t *len);
    void (*thread_name)(void *t, unsigned thread, char *buf, size_t size);
};

#define GDB_PACKET_SIZE 0x4000 /* what qSupported announces, and the receive buffer */

struct gdb_session;
/* send gets the bytes to write to the client, in order. */
struct gdb_session *gdb_session_new(const struct gdb_target_ops *ops, void *target,
                                    void (*send)(void *ctx, const uint8_t *buf, size_t n),
                                    void *send_ctx);
void gdb_session_free(struct gdb_session *s);
/* Bytes from the client; any bytes at all: malformed input gets error replies. */
void gdb_session_input(struct gdb_session *s, const uint8_t *buf, size_t n);
/* The target stopped: answers a pending continue or step, and is what '?' reports next. */
void gdb_session_stopped(struct gdb_session *s, const struct gdb_stop *st);
/* Whether the client asked the target to run and has not been answered yet. */
bool gdb_session_running(const struct gdb_session *s);
/* Whether the client detached (D) or asked to kill (k). */
bool gdb_session_detached(const struct gdb_session *s);

#endif
