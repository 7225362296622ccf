/* `visor switch PATH`: runs an L2 learning switch on the Unix socket PATH until SIGINT or
 * SIGTERM (VMs join with -netdev switch,path=PATH or QEMU's -netdev stream, unix, server=off);
 * `visor switch PATH --status [--json]` asks a running switch for its ports and counters
 * through PATH.ctl. */
#include "cli.h"

#include "../net/net.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: visor switch PATH                    run a switch on the Unix socket PATH\n"
               "       visor switch PATH --status [--json]  show a running switch's ports\n"
               "VMs join with -netdev switch,id=ID,path=PATH (visor) or\n"
               "-netdev stream,id=ID,server=off,addr.type=unix,addr.path=PATH (QEMU and visor).\n");
}

static int status(const char *path, bool json)
{
    char ctl[sizeof(((struct sockaddr_un *)0)->sun_path)];
    if (snprintf(ctl, sizeof(ctl), "%s.ctl", path) >= (int)sizeof(ctl)) {
        fprintf(stderr, "visor: switch %s: path too long\n", path);
        return 1;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, ctl);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        fprintf(stderr, "visor: switch %s: no switch answers on %s: %s\n", path, ctl,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    struct timeval tv = {.tv_sec = 5}; /* a stopped switch does not hang its reader */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    const char *req = json ? "status json\n" : "status\n";
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
        fprintf(stderr, "visor: switch %s: cannot send the request: %s\n", path, strerror(errno));
        close(fd);
        return 1;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    close(fd);
    return 0;
}

int switch_main(int argc, char **argv)
{
    const char *path = NULL;
    bool want_status = false, json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--status") || !strcmp(a, "-status"))
            want_status = true;
        else if (!strcmp(a, "--json") || !strcmp(a, "-json"))
            json = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "-help")) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' || path) {
            fprintf(stderr, "visor: switch: unexpected argument '%s'\n", a);
            usage(stderr);
            return 1;
        } else {
            path = a;
        }
    }
    if (!path) {
        usage(stderr);
        return 1;
    }
    if (json && !want_status) {
        fprintf(stderr, "visor: switch: --json goes with --status\n");
        return 1;
    }
    if (want_status)
        return status(path, json);

    struct net_switch *sw;
    char err[256];
    if (switch_new(&sw, path, err, sizeof(err)))
        die("switch %s: %s", path, err);
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "visor: switch listening on %s (status: visor switch %s --status)\n", path,
            path);
    while (!stop_requested)
        switch_poll(sw, 1000);
    switch_free(sw);
    return 0;
}
