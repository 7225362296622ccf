/* The serial console on the host's stdin/stdout, as QEMU's stdio and mon:stdio character
 * devices behave: a terminal goes into raw mode (restored on every exit path: normal return,
 * die(), and SIGINT/SIGTERM/SIGHUP/SIGQUIT); with mon:stdio, Ctrl-A is an escape (x quits,
 * h helps, Ctrl-A sends itself, c switches to the monitor and back) and Ctrl-C goes to
 * the guest; with plain stdio, Ctrl-C stops visor. Pipes work as well: bytes pass through
 * (escapes still honoured with mon:stdio) and end of input only stops reading. */
#include "cli.h"

#include "../mon/mon.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_CHAR 0x01 /* Ctrl-A */

struct console {
    enum cli_serial mode;
    bool mux;    /* Ctrl-A escapes active */
    bool escape; /* the previous byte was Ctrl-A */
    bool out_broken;
    int in_fd, out_fd;
    struct mon *mon;           /* Ctrl-A c's monitor; NULL with -monitor none */
    struct mon_session *msess; /* created the first time Ctrl-A c is pressed */
    bool in_monitor;           /* input goes to the monitor, not the guest */
};

/* The terminal state to restore; file-scope because signal handlers and atexit need it. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_saved;
static int tty_fd = -1;

static void restore_tty(void)
{
    if (tty_saved)
        tcsetattr(tty_fd, TCSANOW, &saved_tty);
}

/* Async-signal-safe: restore the terminal, say why (as QEMU does), exit 0 as QEMU does. */
static void on_signal(int sig)
{
    restore_tty();
    char msg[64] = "visor: terminating on signal ";
    size_t n = strlen(msg);
    if (sig >= 10)
        msg[n++] = (char)('0' + sig / 10);
    msg[n++] = (char)('0' + sig % 10);
    msg[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, msg, n);
    (void)w;
    _exit(0);
}

static void write_all(struct console *c, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n && !c->out_broken) {
        ssize_t w = write(c->out_fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EAGAIN) {
            struct pollfd pfd = {.fd = c->out_fd, .events = POLLOUT};
            poll(&pfd, 1, 100);
        } else if (!(w < 0 && errno == EINTR)) {
            c->out_broken = true; /* nobody reads our output any more: drop it */
        }
    }
}

static void con_write(void *ctx, const uint8_t *buf, size_t n)
{
    write_all(ctx, buf, n);
}

static void print_escape_help(struct console *c)
{
    static const char help[] = "\n\r"
                               "C-a h    print this help\n\r"
                               "C-a x    exit emulator\n\r"
                               "C-a c    switch between console and monitor\n\r"
                               "C-a C-a  sends C-a\n\r";
    write_all(c, help, sizeof(help) - 1);
}

static void mon_write(void *ctx, const char *text, size_t n)
{
    write_all(ctx, text, n);
}

/* Ctrl-A c: input goes to the monitor (QEMU's mux focus), or back to the guest. Guest output
 * keeps flowing either way. */
static void toggle_monitor(struct console *c)
{
    if (!c->mon) {
        static const char msg[] = "\n\rno monitor (-monitor none)\n\r";
        write_all(c, msg, sizeof(msg) - 1);
        return;
    }
    c->in_monitor = !c->in_monitor;
    if (!c->in_monitor) {
        write_all(c, "\r\n", 2);
        return;
    }
    if (!c->msess) {
        c->msess = mon_session_new(c->mon, mon_write, c, true);
        write_all(c, "\r\n", 2);
        mon_session_start(c->msess);
    } else {
        static const char prompt[] = "\r\n(qemu) ";
        write_all(c, prompt, sizeof(prompt) - 1);
    }
}

static void route(struct console *c, uint8_t *guest, size_t *ng, uint8_t ch)
{
    if (c->in_monitor)
        mon_session_input(c->msess, &ch, 1);
    else
        guest[(*ng)++] = ch;
}

void console_set_monitor(struct console *c, struct mon *m)
{
    c->mon = m;
}

static void con_input(void *ctx, struct vm *vm)
{
    struct console *c = ctx;
    uint8_t buf[4096], guest[4096];
    ssize_t n = read(c->in_fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        vm_set_input_fd(vm, -1); /* end of input: the guest keeps running */
        return;
    }
    if (!c->mux) {
        vm_input(vm, buf, (size_t)n);
        return;
    }
    size_t ng = 0;
    for (ssize_t i = 0; i < n; i++) {
        uint8_t ch = buf[i];
        if (!c->escape) {
            if (ch == ESCAPE_CHAR)
                c->escape = true;
            else
                route(c, guest, &ng, ch);
            continue;
        }
        c->escape = false;
        switch (ch) {
        case ESCAPE_CHAR:
            route(c, guest, &ng, ch);
            break;
        case 'x': {
            static const char bye[] = "QEMU: Terminated\n\r";
            vm_input(vm, guest, ng);
            write_all(c, bye, sizeof(bye) - 1);
            vm_request_exit(vm, 0);
            return;
        }
        case 'h':
        case '?':
            print_escape_help(c);
            break;
        case 'c':
            vm_input(vm, guest, ng);
            ng = 0;
            toggle_monitor(c);
            break;
        default: /* unknown escapes are swallowed, as in QEMU */
            break;
        }
    }
    vm_input(vm, guest, ng);
}

static void con_discard(void *ctx, const uint8_t *buf, size_t n)
{
}

struct console *console_new(enum cli_serial mode, struct vm_console *vc)
{
    struct console *c = xcalloc(1, sizeof(*c));
    c->mode = mode;
    c->mux = mode == SERIAL_MON_STDIO;
    c->in_fd = mode == SERIAL_NONE ? -1 : STDIN_FILENO;
    c->out_fd = STDOUT_FILENO;
    *vc = (struct vm_console){
        .in_fd = c->in_fd,
        .on_input = con_input,
        .write = mode == SERIAL_NONE ? con_discard : con_write,
        .ctx = c,
    };
    return c;
}

void console_start(struct console *c)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (c->in_fd < 0 || !isatty(c->in_fd) || tcgetattr(c->in_fd, &saved_tty))
        return;
    tty_fd = c->in_fd;
    tty_saved = 1;
    atexit(restore_tty);
    /* QEMU's stdio raw mode: no line editing or echo, 8-bit clean input, output processing
     * kept (the terminal still turns \n into \r\n). */
    struct termios t = saved_tty;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
    if (c->mux)
        t.c_lflag &= ~(tcflag_t)ISIG; /* Ctrl-C is the guest's; Ctrl-A x quits */
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(c->in_fd, TCSANOW, &t);
}

void console_close(struct console *c)
{
    restore_tty();
    tty_saved = 0;
    if (c->msess)
        mon_session_free(c->msess);
    free(c);
}
