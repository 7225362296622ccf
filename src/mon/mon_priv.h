/* Private to src/mon: what the commands (mon.c) and the sessions and listeners (session.c)
 * share. */
#ifndef VISOR_MON_PRIV_H
#define VISOR_MON_PRIV_H

#include "mon.h"

#define MON_MAX_LISTENERS 4

struct mon_listener {
    struct mon *m;
    int lfd;    /* listening socket; -1 for stdio */
    int cfd;    /* the client (or stdin); -1 when none */
    int out_fd; /* where output goes (the client, or stdout) */
    struct mon_session *sess;
    char path[256]; /* a unix socket's path, unlinked at the end */
};

struct mon {
    struct vm *vm;
    unsigned cpu; /* the default CPU of info registers, x, ... (the `cpu` command) */
    bool quitting; /* `quit` ran: no more prompts */
    struct mon_listener *listeners[MON_MAX_LISTENERS];
};

void mon_listeners_free(struct mon *m);

#endif
