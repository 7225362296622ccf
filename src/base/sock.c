/* Listening sockets named the way QEMU names its socket character devices, for -gdb and
 * -monitor: "tcp:[HOST]:PORT[,server][,nowait][,wait=on|off][,ipv4][,ipv6][,nodelay]" and
 * "unix:PATH[,server][,nowait][,wait=on|off]". visor is always the server side. */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

PRINTF(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -ERR_INVAL;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!*path || strlen(path) >= sizeof(sa.sun_path))
        return fail(err, errlen, "bad unix socket path '%s'", path);
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return fail(err, errlen, "socket: %s", strerror(errno));
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket of an earlier run, as QEMU replaces it */
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
        int e = errno;
        close(fd);
        return fail(err, errlen, "cannot listen on %s: %s", path, strerror(e));
    }
    set_nonblock(fd);
    return fd;
}

static int listen_tcp(const char *host, const char *port, int family, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    int rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
    if (rc)
        return fail(err, errlen, "cannot resolve '%s:%s': %s", host, port, gai_strerror(rc));
    int fd = -1, e = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 1)) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return fail(err, errlen, "cannot listen on port %s: %s", port, strerror(e));
    set_nonblock(fd);
    return fd;
}

int sock_listen(const char *spec, bool *wait, char *err, size_t errlen)
{
    char buf[512];
    if (strlen(spec) >= sizeof(buf))
        return fail(err, errlen, "too long");
    strcpy(buf, spec);
    char *opts = strchr(buf, ',');
    if (opts)
        *opts++ = '\0';
    bool server = false, w = true;
    int family = AF_UNSPEC;
    for (char *o = opts; o && *o;) {
        char *next = strchr(o, ',');
        if (next)
            *next++ = '\0';
        if (!strcmp(o, "server") || !strcmp(o, "server=on"))
            server = true;
        else if (!strcmp(o, "nowait") || !strcmp(o, "wait=off"))
            w = false;
        else if (!strcmp(o, "wait") || !strcmp(o, "wait=on"))
            w = true;
        else if (!strcmp(o, "ipv4") || !strcmp(o, "ipv4=on"))
            family = AF_INET;
        else if (!strcmp(o, "ipv6") || !strcmp(o, "ipv6=on"))
            family = AF_INET6;
        else if (!strcmp(o, "nodelay") || !strcmp(o, "nodelay=on"))
            ;
        else
            return fail(err, errlen, "unsupported socket option '%s'", o);
        o = next;
    }
    (void)server; /* visor always listens: the client side (server=off) is not supported */
    *wait = w;
    if (!strncmp(buf, "unix:", 5))
        return listen_unix(buf + 5, err, errlen);
    if (!strncmp(buf, "tcp:", 4)) {
        char *host = buf + 4, *colon = strrchr(host, ':');
        if (!colon || !colon[1])
            return fail(err, errlen, "expected tcp:[HOST]:PORT");
        *colon = '\0';
        if (host[0] == '[' && colon > host && colon[-1] == ']') { /* [::1] */
            host++;
            colon[-1] = '\0';
        }
        return listen_tcp(host, colon + 1, family, err, errlen);
    }
    return fail(err, errlen, "unsupported device (visor has tcp:[HOST]:PORT and unix:PATH)");
}

int sock_accept(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return -1;
    set_nonblock(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails harmlessly on unix */
    return fd;
}

bool sock_write_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            if (poll(&pfd, 1, 5000) <= 0)
                return false; /* nobody has read for seconds: give up on this peer */
        } else {
            return false;
        }
    }
    return true;
}
