/* The command line's netdevs around the VM's life: opened (with their filter-dump captures)
 * before the machine is built, so each NIC is created already connected; started once the VM
 * and its event loop exist; closed after the run, before the VM is freed (a backend removes
 * its descriptors and hooks from the loop as it closes). */
#include "cli.h"

#include <string.h>

static int loop_add_fd(void *loop, int fd, short events,
                       void (*cb)(void *ctx, int fd, short revents), void *ctx)
{
    return vm_add_fd(loop, fd, events, cb, ctx);
}

static void loop_remove_fd(void *loop, int fd)
{
    vm_remove_fd(loop, fd);
}

static int loop_add_poll_hook(void *loop,
                              unsigned (*prepare)(void *ctx, struct pollfd *pfd, unsigned max,
                                                  uint64_t *timeout_ns),
                              void (*dispatch)(void *ctx, struct pollfd *pfd, unsigned n),
                              void *ctx)
{
    return vm_add_poll_hook(loop, prepare, dispatch, ctx);
}

static void loop_remove_poll_hook(void *loop, void *ctx)
{
    vm_remove_poll_hook(loop, ctx);
}

static struct cli_netdev *find_netdev(struct cli_opts *o, const char *id)
{
    for (unsigned i = 0; i < o->nnetdevs; i++)
        if (!strcmp(o->netdevs[i].id, id))
            return &o->netdevs[i];
    return NULL;
}

int cli_net_open(struct cli_opts *o, char *err)
{
    char nerr[NET_ERRLEN];
    for (unsigned i = 0; i < o->nnetdevs; i++) {
        struct cli_netdev *c = &o->netdevs[i];
        int rc = netdev_open(c->type, c->id, c->opts, c->nopts, &c->nd, nerr);
        if (rc) {
            snprintf(err, CLI_ERRLEN, "%s", nerr);
            return rc;
        }
    }
    for (unsigned i = 0; i < o->ndumps; i++) {
        const struct cli_dump *d = &o->dumps[i];
        struct cli_netdev *c = find_netdev(o, d->netdev);
        struct netdev_filter *f;
        int rc = c ? net_pcap_open(d->file, d->maxlen, &f, nerr) : -ERR_NOTFOUND;
        if (rc) {
            snprintf(err, CLI_ERRLEN, "%s", c ? nerr : "-object filter-dump: no such netdev");
            return rc;
        }
        netdev_add_filter(c->nd, f);
    }
    struct machine_config *mc = &o->vm.machine;
    for (unsigned i = 0; i < mc->nvdevs; i++) {
        struct machine_vdev *v = &mc->vdevs[i];
        if (v->kind == VDEV_NET && v->netdev_id) {
            struct cli_netdev *c = find_netdev(o, v->netdev_id);
            v->netdev = c ? c->nd : NULL;
        }
    }
    return 0;
}

int cli_net_start(struct cli_opts *o, struct vm *vm, char *err)
{
    const struct netdev_env env = {
        .add_fd = loop_add_fd,
        .remove_fd = loop_remove_fd,
        .add_poll_hook = loop_add_poll_hook,
        .remove_poll_hook = loop_remove_poll_hook,
        .loop = vm,
    };
    char nerr[NET_ERRLEN];
    for (unsigned i = 0; i < o->nnetdevs; i++) {
        int rc = netdev_start(o->netdevs[i].nd, &env, nerr);
        if (rc) {
            snprintf(err, CLI_ERRLEN, "%s", nerr);
            return rc;
        }
    }
    return 0;
}

void cli_net_close(struct cli_opts *o)
{
    for (unsigned i = 0; i < o->nnetdevs; i++) {
        netdev_free(o->netdevs[i].nd);
        o->netdevs[i].nd = NULL;
    }
}
