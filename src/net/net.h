/* Ethernet frames between a guest's NIC and whatever it is plugged into. A netdev is the
 * host side of one NIC (-netdev user|stream|socket|tap|switch): the NIC hands it frames the
 * guest sent (netdev_send), and the backend delivers frames for the guest through the
 * receive callback the NIC installed. Backends that wait on file descriptors register them
 * with the owner's event loop through netdev_env (vm_add_fd in practice), so everything runs
 * on the VM's thread.
 *
 * Lifecycle: the CLI creates netdevs by id (-netdev TYPE,id=ID,...); a NIC
 * (-device virtio-net-device,netdev=ID) attaches with netdev_attach; filters (filter-dump)
 * see every frame in both directions; netdev_close at exit. Frames are whole Ethernet frames
 * without the FCS; a frame larger than NET_MAX_FRAME or shorter than 14 bytes is dropped and
 * counted, from either side. */
#ifndef VISOR_NET_H
#define VISOR_NET_H

#include "../base/base.h"

#define NET_MAX_FRAME 65550 /* 64 KiB of payload plus an Ethernet header (GSO-free) */

struct netdev;

/* How a backend reaches the event loop it runs in. */
struct netdev_env {
    int (*add_fd)(void *loop, int fd, short events, void (*cb)(void *ctx, int fd, short revents),
                  void *ctx);
    void (*remove_fd)(void *loop, int fd);
    void *loop;
};

/* What the NIC installs: rx delivers one frame to the guest and returns false if the guest
 * has no buffer for it now (the backend then drops it, or keeps it and retries when the NIC
 * calls netdev_rx_ready). */
struct netdev_nic {
    bool (*rx)(void *nic, const uint8_t *frame, size_t len);
    void *nic;
};

struct netdev_stats {
    uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes, dropped;
};

struct netdev_ops {
    const char *type;
    /* A frame from the guest. Returns 0, or a negative code if it was dropped. */
    int (*send)(struct netdev *nd, const uint8_t *frame, size_t len);
    /* The NIC has room again (optional). */
    void (*rx_ready)(struct netdev *nd);
    void (*close)(struct netdev *nd);
};

struct netdev_filter {
    /* Sees each frame: out = true for guest-to-host. */
    void (*frame)(void *ctx, bool out, const uint8_t *frame, size_t len);
    void (*close)(void *ctx);
    void *ctx;
    struct netdev_filter *next;
};

struct netdev {
    const struct netdev_ops *ops;
    void *state; /* the backend's */
    char id[64];
    struct netdev_nic nic;
    struct netdev_env env;
    struct netdev_filter *filters;
    struct netdev_stats stats;
};

/* Called by the NIC. */
void netdev_attach(struct netdev *nd, const struct netdev_nic *nic);
int netdev_send(struct netdev *nd, const uint8_t *frame, size_t len);
void netdev_rx_ready(struct netdev *nd);
/* Called by backends for a frame from the outside; false if the guest could not take it. */
bool netdev_deliver(struct netdev *nd, const uint8_t *frame, size_t len);
void netdev_add_filter(struct netdev *nd, struct netdev_filter *f);
void netdev_close(struct netdev *nd);

#endif
