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

/* How a backend reaches the event loop it runs in. add_poll_hook/remove_poll_hook are
 * vm_add_poll_hook's: for a backend whose descriptors change from poll to poll (libslirp). */
struct pollfd;
struct netdev_env {
    int (*add_fd)(void *loop, int fd, short events, void (*cb)(void *ctx, int fd, short revents),
                  void *ctx);
    void (*remove_fd)(void *loop, int fd);
    int (*add_poll_hook)(void *loop,
                         unsigned (*prepare)(void *ctx, struct pollfd *pfd, unsigned max,
                                             uint64_t *timeout_ns),
                         void (*dispatch)(void *ctx, struct pollfd *pfd, unsigned n), void *ctx);
    void (*remove_poll_hook)(void *loop, void *ctx);
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
    /* The event loop is ready (optional): register descriptors and hooks with nd->env. */
    int (*start)(struct netdev *nd);
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

/* ---- Creating netdevs by type (-netdev TYPE,id=ID,key=val,...) ----
 * The types are rows in types.def: NETDEV_TYPE(name, open, synopsis). A backend's open
 * function parses its options (everything but id; a key it does not know is an error naming
 * it), sets nd->ops and nd->state, and touches no event loop yet: that is start's job, once
 * netdev_start hands it the loop. Errors go to err (NET_ERRLEN bytes) as "-netdev ...: why". */
#define NET_ERRLEN 512
struct net_opt {
    const char *key, *val;
};
typedef int netdev_open_fn(struct netdev *nd, const struct net_opt *opts, unsigned n, char *err);
#define NETDEV_TYPE(name, open, synopsis) netdev_open_fn open;
#include "types.def"
#undef NETDEV_TYPE
/* Creates a netdev of type (a types.def row) with the given id and options. */
MUST_CHECK int netdev_open(const char *type, const char *id, const struct net_opt *opts,
                           unsigned n, struct netdev **out, char *err);
/* Whether type names a row of types.def; netdev_type_synopsis(i) walks them for -help. */
bool netdev_type_known(const char *type);
const char *netdev_type_synopsis(unsigned i);
/* Gives the netdev its event loop and starts it. */
MUST_CHECK int netdev_start(struct netdev *nd, const struct netdev_env *env, char *err);
/* netdev_close, then frees what netdev_open allocated. */
void netdev_free(struct netdev *nd);

/* ---- MAC addresses ---- */
/* A locally administered unicast address 52:54:00:xx:xx:xx: from a hash of the machine's name
 * and the NIC's id when name is not NULL (stable across restarts), otherwise from the process
 * id, the time and a counter (distinct for two processes on one switch). */
void net_mac_default(const char *name, const char *nic_id, uint8_t mac[6]);
/* Parses "xx:xx:xx:xx:xx:xx"; -ERR_INVAL if malformed, multicast, or all zero. */
MUST_CHECK int net_mac_parse(const char *s, uint8_t mac[6]);

/* ---- filter-dump (pcap.c) ---- */
/* A filter writing every frame to a pcap file (LINKTYPE_ETHERNET, microsecond stamps),
 * frames cut at snaplen bytes (0: 65535). The filter owns the file; its close callback
 * flushes and frees it. */
MUST_CHECK int net_pcap_open(const char *path, uint32_t snaplen, struct netdev_filter **out,
                             char *err);

/* ---- The L2 learning switch (switch.c), what `visor switch PATH` runs ----
 * Ports are stream sockets speaking QEMU's framing (a 4-byte big-endian length, then the
 * frame), so visor and QEMU VMs join it alike. The switch learns each port's source MACs,
 * forwards a unicast frame only to the port that owns its destination and floods the rest
 * (broadcast, multicast, unknown). It never blocks on a port: each has a bounded output
 * queue, and a frame that does not fit is dropped and counted, so a stopped VM costs only
 * its own traffic. A port that hangs up is forgotten with its MACs. Single-threaded: all of
 * it runs in switch_poll. */
#define SWITCH_MAX_PORTS 64
#define SWITCH_MAX_MACS 1024
#define SWITCH_QUEUE_FRAMES 256
#define SWITCH_QUEUE_BYTES (512u << 10)
#define SWITCH_MAC_AGE_NS (300ull * 1000000000ull) /* as Linux bridges age entries */

struct net_switch;
struct switch_port_info {
    unsigned id;      /* ports are numbered from 1 in the order they joined */
    int pid;          /* the peer process (SO_PEERCRED), or -1 */
    uint64_t in_frames, in_bytes;   /* from the port into the switch */
    uint64_t out_frames, out_bytes; /* from the switch to the port */
    uint64_t drop_bad;  /* frames from the port with a bad length (or cut short) */
    uint64_t drop_full; /* frames for the port dropped because its queue was full */
    unsigned queued;    /* frames waiting in its output queue */
    unsigned nmacs;     /* MACs learned on it */
};

/* Listens on the Unix socket path (for ports) and path.ctl (for status requests); a NULL
 * path makes a switch with no listeners, whose ports come from switch_port_add (tests). */
MUST_CHECK int switch_new(struct net_switch **out, const char *path, char *err, size_t errlen);
/* Adds a connected stream socket as a port (made non-blocking); returns its id, or
 * -ERR_RANGE when every port is taken (the socket is then closed). */
MUST_CHECK int switch_port_add(struct net_switch *sw, int fd);
/* Waits up to timeout_ms (0: not at all, -1: forever) for traffic and handles it. */
void switch_poll(struct net_switch *sw, int timeout_ms);
/* Fills ids with the ports' ids (at most max); returns the number of ports. */
unsigned switch_ports(struct net_switch *sw, unsigned *ids, unsigned max);
MUST_CHECK int switch_port_info(struct net_switch *sw, unsigned id, struct switch_port_info *pi);
/* The port a MAC was learned on, or -ERR_NOTFOUND. */
int switch_lookup(struct net_switch *sw, const uint8_t mac[6]);
/* The status as text or JSON (malloc'd): ports, their MACs and counters, and the totals of
 * ports that left. */
char *switch_status(struct net_switch *sw, bool json);
void switch_free(struct net_switch *sw);

#endif
