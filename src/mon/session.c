/* Monitor sessions and the -monitor listeners. A session turns input bytes into command lines
 * (with echo and backspace for a raw terminal; arrow-key escape sequences are swallowed) and
 * prints QEMU's banner and prompt. Output lines end in "\r\n", as QEMU's monitor writes them. */
#define _GNU_SOURCE
#include "mon_priv.h"

#include "../vm/vm.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROMPT "(qemu) "

struct mon_session {
    struct mon *m;
    mon_out_fn *out;
    void *ctx;
    bool echo;
    unsigned esc; /* inside an escape sequence: bytes seen */
    char line[512];
    size_t len;
};

/* Output with \n turned into \r\n. */
static void emit(void *ctx, const char *text, size_t n)
{
    struct mon_session *s = ctx;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) {
            if (i > start)
                s->out(s->ctx, text + start, i - start);
            s->out(s->ctx, "\r\n", 2);
            start = i + 1;
        }
    }
    if (n > start)
        s->out(s->ctx, text + start, n - start);
}

static void emit_str(struct mon_session *s, const char *text)
{
    emit(s, text, strlen(text));
}

struct mon_session *mon_session_new(struct mon *m, mon_out_fn *out, void *ctx, bool echo)
{
    struct mon_session *s = xcalloc(1, sizeof(*s));
    s->m = m;
    s->out = out;
    s->ctx = ctx;
    s->echo = echo;
    return s;
}

void mon_session_free(struct mon_session *s)
{
    free(s);
}

void mon_session_start(struct mon_session *s)
{
    emit_str(s, "QEMU " VISOR_QEMU_VERSION " monitor (visor " VISOR_VERSION
                ") - type 'help' for more information\n" PROMPT);
}

void mon_session_input(struct mon_session *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = buf[i];
        if (s->esc) { /* ESC [ ... final byte in @..~ */
            s->esc++;
            if ((s->esc > 2 && ch >= 0x40 && ch <= 0x7e) || s->esc > 8 || (s->esc == 2 && ch != '['))
                s->esc = 0;
            continue;
        }
        if (ch == 0x1b) {
            s->esc = 1;
        } else if (ch == '\r' || ch == '\n') {
            if (ch == '\n' && i > 0 && buf[i - 1] == '\r')
                continue; /* \r\n is one end of line */
            if (s->echo)
                emit_str(s, "\n");
            s->line[s->len] = '\0';
            s->len = 0;
            mon_exec(s->m, s->line, emit, s);
            if (s->m->quitting)
                return;
            emit_str(s, PROMPT);
        } else if (ch == 0x7f || ch == 0x08) {
            if (s->len) {
                s->len--;
                if (s->echo)
                    emit_str(s, "\b \b");
            }
        } else if (ch >= 0x20 && s->len + 1 < sizeof(s->line)) {
            s->line[s->len++] = (char)ch;
            if (s->echo)
                emit(s, (const char *)&ch, 1);
        }
    }
}

/* ---- -monitor listeners ---- */

static void to_fd(void *ctx, const char *text, size_t n)
{
    struct mon_listener *l = ctx;
    if (l->out_fd >= 0 && !sock_write_all(l->out_fd, text, n) && l->lfd >= 0)
        shutdown(l->out_fd, SHUT_RDWR); /* the reader's end comes next */
}

static void to_stdout(void *ctx, const char *text, size_t n)
{
    while (n) {
        ssize_t w = write(STDOUT_FILENO, text, n);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return;
        }
        text += w;
        n -= (size_t)w;
    }
}

static void on_accept(void *ctx, int fd, short revents);

static void drop_client(struct mon_listener *l)
{
    vm_remove_fd(l->m->vm, l->cfd);
    if (l->lfd >= 0) {
        close(l->cfd);
        if (vm_add_fd(l->m->vm, l->lfd, POLLIN, on_accept, l))
            warn("-monitor: cannot listen again (too many descriptors)");
    }
    l->cfd = l->out_fd = -1;
    mon_session_free(l->sess);
    l->sess = NULL;
}

static void on_client(void *ctx, int fd, short revents)
{
    struct mon_listener *l = ctx;
    uint8_t buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        drop_client(l);
        return;
    }
    mon_session_input(l->sess, buf, (size_t)n);
}

static void attach(struct mon_listener *l, int cfd)
{
    l->cfd = cfd;
    l->out_fd = cfd;
    l->sess = mon_session_new(l->m, to_fd, l, false);
    mon_session_start(l->sess);
}

static void on_accept(void *ctx, int fd, short revents)
{
    struct mon_listener *l = ctx;
    int c = sock_accept(fd);
    if (c < 0)
        return;
    if (vm_add_fd(l->m->vm, c, POLLIN, on_client, l)) {
        close(c);
        return;
    }
    vm_remove_fd(l->m->vm, l->lfd); /* one client at a time */
    attach(l, c);
}

int mon_listen(struct mon *m, const char *dev, char *err, size_t errlen)
{
    unsigned slot = 0;
    while (slot < MON_MAX_LISTENERS && m->listeners[slot])
        slot++;
    if (slot == MON_MAX_LISTENERS) {
        snprintf(err, errlen, "-monitor %s: at most %d monitors", dev, MON_MAX_LISTENERS);
        return -ERR_RANGE;
    }
    struct mon_listener *l = xcalloc(1, sizeof(*l));
    l->m = m;
    l->lfd = l->cfd = l->out_fd = -1;
    if (!strcmp(dev, "stdio")) {
        l->cfd = STDIN_FILENO;
        l->out_fd = STDOUT_FILENO;
        l->sess = mon_session_new(m, to_stdout, l, false);
        if (vm_add_fd(m->vm, STDIN_FILENO, POLLIN, on_client, l)) {
            mon_session_free(l->sess);
            free(l);
            snprintf(err, errlen, "-monitor %s: too many descriptors", dev);
            return -ERR_RANGE;
        }
        m->listeners[slot] = l;
        mon_session_start(l->sess);
        return 0;
    }
    char why[256];
    bool wait;
    int fd = sock_listen(dev, &wait, why, sizeof(why));
    if (fd < 0) {
        free(l);
        snprintf(err, errlen, "-monitor %s: %s", dev, why);
        return fd;
    }
    l->lfd = fd;
    if (!strncmp(dev, "unix:", 5))
        snprintf(l->path, sizeof(l->path), "%.*s", (int)strcspn(dev + 5, ","), dev + 5);
    m->listeners[slot] = l;
    if (wait) {
        /* QEMU's default for a server socket: the machine starts once the client is there. */
        fprintf(stderr, "visor: -monitor %s: waiting for a connection\n", dev);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int c = -1;
        while (c < 0) {
            if (poll(&p, 1, -1) < 0 && errno != EINTR)
                break;
            c = sock_accept(fd);
        }
        if (c >= 0 && !vm_add_fd(m->vm, c, POLLIN, on_client, l)) {
            attach(l, c);
            return 0;
        }
        if (c >= 0)
            close(c);
    }
    if (vm_add_fd(m->vm, fd, POLLIN, on_accept, l)) {
        snprintf(err, errlen, "-monitor %s: too many descriptors", dev);
        return -ERR_RANGE;
    }
    return 0;
}

void mon_listeners_free(struct mon *m)
{
    for (unsigned i = 0; i < MON_MAX_LISTENERS; i++) {
        struct mon_listener *l = m->listeners[i];
        if (!l)
            continue;
        if (l->cfd >= 0)
            vm_remove_fd(m->vm, l->cfd);
        if (l->lfd >= 0) {
            if (l->cfd >= 0)
                close(l->cfd);
            vm_remove_fd(m->vm, l->lfd);
            close(l->lfd);
        }
        if (l->path[0])
            unlink(l->path);
        if (l->sess)
            mon_session_free(l->sess);
        free(l);
        m->listeners[i] = NULL;
    }
}
