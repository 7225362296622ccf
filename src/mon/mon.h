/* The visor monitor: QEMU's human monitor commands for looking at and steering a VM (info
 * registers/mtree/qtree/virtio/status/cpus, x/xp, stop/cont, system_reset, quit, help). The
 * same commands are reached through the console (Ctrl-A c), -monitor (a socket or stdio) and
 * gdb's `monitor` command.
 *
 * A session is one reader of the prompt: it assembles lines from raw input (echoing and
 * editing when it talks to a terminal) and prints QEMU's banner and "(qemu) " prompt. */
#ifndef VISOR_MON_H
#define VISOR_MON_H

#include "../base/base.h"

struct vm;
struct mon;
struct mon_session;

/* Output of a command, in pieces. */
typedef void mon_out_fn(void *ctx, const char *text, size_t n);

struct mon *mon_new(struct vm *vm);
void mon_free(struct mon *m);
/* Runs one command line. */
void mon_exec(struct mon *m, const char *line, mon_out_fn *out, void *ctx);

/* A prompt on some byte stream. echo: the session echoes and edits input (a raw terminal). */
struct mon_session *mon_session_new(struct mon *m, mon_out_fn *out, void *ctx, bool echo);
void mon_session_free(struct mon_session *s);
/* Prints the banner and the first prompt. */
void mon_session_start(struct mon_session *s);
/* Input bytes; complete lines run as commands. */
void mon_session_input(struct mon_session *s, const uint8_t *buf, size_t n);

/* -monitor DEV: "unix:PATH,server[,nowait]", "tcp:[HOST]:PORT,server[,nowait]" or "stdio".
 * A socket accepts one client at a time; without nowait the call waits for the first.
 * Returns 0, or a negative code with "-monitor DEV: why" in err. */
MUST_CHECK int mon_listen(struct mon *m, const char *dev, char *err, size_t errlen);

#endif
