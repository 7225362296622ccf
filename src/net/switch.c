/* The L2 learning switch behind `visor switch PATH` (the contract is in net.h). Each port is
 * a stream socket with QEMU's framing; a frame read from one port is forwarded to the port
 * its destination MAC was learned on, or flooded. Writes never block: they go through each
 * port's bounded frame_txq, so a VM that stops reading loses only its own frames.
 *
 * Invariants: a port is removed only between events (dead ports are swept after each
 * poll round), so a forwarding loop never sees a port vanish under it; every learned MAC
 * names a live port. */
#define _GNU_SOURCE /* struct ucred */
#include "frame.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SWITCH_MAX_CTL 8

struct port {
    int fd;
    unsigned id;
    int pid;
    bool dead;
    struct frame_rx rx;
    struct frame_txq txq;
    struct switch_port_info st;
};

struct mac_entry {
    uint8_t mac[6];
    unsigned port; /* id */
    uint64_t seen_ns;
};

struct ctl_client {
    int fd;
    char buf[64];
    size_t n;
};

struct net_switch {
    char *path, *ctl_path;
    int lfd, ctl_fd;
    struct port *ports[SWITCH_MAX_PORTS];
    unsigned nports, next_id;
    struct mac_entry macs[SWITCH_MAX_MACS];
    unsigned nmacs;
    struct ctl_client ctl[SWITCH_MAX_CTL];
    unsigned nctl;
    /* ports that left: how many, and their summed counters */
    unsigned left;
    struct switch_port_info gone;
};

int switch_new(struct net_switch **out, const char *path, char *err, size_t errlen)
{
    struct net_switch *sw = xcalloc(1, sizeof(*sw));
    sw->lfd = sw->ctl_fd = -1;
    sw->next_id = 1;
    if (path) {
        sw->path = xstrdup(path);
        sw->ctl_path = xmalloc(strlen(path) + 5);
        sprintf(sw->ctl_path, "%s.ctl", path);
        /* A socket file nobody answers on is stale and gets replaced; a live switch is not. */
        char why[128];
        int probe = netsock_connect_unix(path, why, sizeof(why));
        if (probe >= 0) {
            close(probe);
            snprintf(err, errlen, "a switch is already running on %s", path);
            switch_free(sw);
            return -ERR_BUSY;
        }
        sw->lfd = netsock_listen_unix(path, err, errlen);
        if (sw->lfd >= 0)
            sw->ctl_fd = netsock_listen_unix(sw->ctl_path, err, errlen);
        if (sw->lfd < 0 || sw->ctl_fd < 0) {
            switch_free(sw);
            return -ERR_INVAL;
        }
    }
    *out = sw;
    return 0;
}

static struct port *port_by_id(struct net_switch *sw, unsigned id)
{
    for (unsigned i = 0; i < sw->nports; i++)
        if (sw->ports[i]->id == id)
            return sw->ports[i];
    return NULL;
}

int switch_port_add(struct net_switch *sw, int fd)
{
    if (sw->nports == SWITCH_MAX_PORTS) {
        close(fd);
        return -ERR_RANGE;
    }
    netsock_nonblock(fd);
    struct port *p = xcalloc(1, sizeof(*p));
    p->fd = fd;
    p->id = sw->next_id++;
    p->pid = -1;
    struct ucred cred;
    socklen_t cl = sizeof(cred);
    if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) && cred.pid > 0)
        p->pid = cred.pid;
    frame_rx_init(&p->rx);
    frame_txq_init(&p->txq, SWITCH_QUEUE_FRAMES, SWITCH_QUEUE_BYTES);
    sw->ports[sw->nports++] = p;
    return (int)p->id;
}

/* ---- The MAC table: a small array, scanned (a LAN of VMs has a handful of MACs) ---- */

static struct mac_entry *mac_find(struct net_switch *sw, const uint8_t *mac)
{
    for (unsigned i = 0; i < sw->nmacs; i++)
        if (!memcmp(sw->macs[i].mac, mac, 6))
            return &sw->macs[i];
    return NULL;
}

static void mac_learn(struct net_switch *sw, const uint8_t *mac, unsigned port, uint64_t now)
{
    if (mac[0] & 1)
        return; /* a multicast source is bogus; never learn it */
    struct mac_entry *e = mac_find(sw, mac);
    if (!e) {
        if (sw->nmacs < SWITCH_MAX_MACS) {
            e = &sw->macs[sw->nmacs++];
        } else { /* full: the entry seen longest ago makes room */
            e = &sw->macs[0];
            for (unsigned i = 1; i < sw->nmacs; i++)
                if (sw->macs[i].seen_ns < e->seen_ns)
                    e = &sw->macs[i];
        }
        memcpy(e->mac, mac, 6);
    }
    e->port = port;
    e->seen_ns = now;
}

static void mac_forget_port(struct net_switch *sw, unsigned port)
{
    for (unsigned i = 0; i < sw->nmacs;) {
        if (sw->macs[i].port == port)
            sw->macs[i] = sw->macs[--sw->nmacs];
        else
            i++;
    }
}

int switch_lookup(struct net_switch *sw, const uint8_t mac[6])
{
    struct mac_entry *e = mac_find(sw, mac);
    if (!e || host_ns() - e->seen_ns > SWITCH_MAC_AGE_NS)
        return -ERR_NOTFOUND;
    return (int)e->port;
}

/* ---- Forwarding ---- */

static void port_out(struct port *p, const uint8_t *frame, size_t len)
{
    if (p->dead)
        return;
    int rc = frame_txq_send(&p->txq, p->fd, frame, len);
    if (rc == -ERR_RANGE) {
        p->st.drop_full++;
    } else if (rc) {
        p->dead = true;
    } else {
        p->st.out_frames++;
        p->st.out_bytes += len;
    }
}

static void forward(struct net_switch *sw, struct port *from, const uint8_t *frame, size_t len)
{
    uint64_t now = host_ns();
    from->st.in_frames++;
    from->st.in_bytes += len;
    mac_learn(sw, frame + 6, from->id, now);
    if (!(frame[0] & 1)) {
        struct mac_entry *e = mac_find(sw, frame);
        if (e && now - e->seen_ns <= SWITCH_MAC_AGE_NS) {
            if (e->port != from->id) {
                struct port *to = port_by_id(sw, e->port);
                if (to)
                    port_out(to, frame, len);
            }
            return; /* a frame for its own port goes nowhere, as on any bridge */
        }
    }
    for (unsigned i = 0; i < sw->nports; i++)
        if (sw->ports[i] != from)
            port_out(sw->ports[i], frame, len);
}

static void port_read(struct net_switch *sw, struct port *p)
{
    ssize_t n = frame_rx_read(&p->rx, p->fd);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        frame_rx_truncated(&p->rx); /* a VM killed mid-frame: that frame is counted */
        p->dead = true;
        return;
    }
    const uint8_t *frame;
    size_t len;
    int rc;
    while ((rc = frame_rx_next(&p->rx, &frame, &len)) > 0)
        forward(sw, p, frame, len);
    if (rc < 0)
        p->dead = true; /* garbage: the stream cannot be followed any further */
}

static void port_sync_stats(struct port *p)
{
    p->st.id = p->id;
    p->st.pid = p->pid;
    p->st.drop_bad = p->rx.bad;
    p->st.queued = p->txq.count;
}

static void sweep(struct net_switch *sw)
{
    for (unsigned i = 0; i < sw->nports;) {
        struct port *p = sw->ports[i];
        if (!p->dead) {
            i++;
            continue;
        }
        port_sync_stats(p);
        mac_forget_port(sw, p->id);
        sw->left++;
        sw->gone.in_frames += p->st.in_frames;
        sw->gone.in_bytes += p->st.in_bytes;
        sw->gone.out_frames += p->st.out_frames;
        sw->gone.out_bytes += p->st.out_bytes;
        sw->gone.drop_bad += p->st.drop_bad;
        sw->gone.drop_full += p->st.drop_full + p->txq.count;
        close(p->fd);
        frame_rx_free(&p->rx);
        frame_txq_free(&p->txq);
        free(p);
        memmove(&sw->ports[i], &sw->ports[i + 1], (sw->nports - i - 1) * sizeof(sw->ports[0]));
        sw->nports--;
    }
}

/* ---- Control: "status" or "status json", one line; the reply, then the socket closes ---- */

static void ctl_close(struct net_switch *sw, unsigned i)
{
    close(sw->ctl[i].fd);
    sw->ctl[i] = sw->ctl[--sw->nctl];
}

static void ctl_read(struct net_switch *sw, unsigned i)
{
    struct ctl_client *c = &sw->ctl[i];
    ssize_t n = read(c->fd, c->buf + c->n, sizeof(c->buf) - 1 - c->n);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0)
        c->n += (size_t)n;
    c->buf[c->n] = '\0';
    char *nl = strchr(c->buf, '\n');
    if (!nl && n > 0 && c->n < sizeof(c->buf) - 1)
        return;
    if (nl)
        *nl = '\0';
    const char *reply;
    char *text = NULL;
    if (!strcmp(c->buf, "status") || !strcmp(c->buf, "status json"))
        reply = text = switch_status(sw, !strcmp(c->buf, "status json"));
    else
        reply = "error: unknown command (the switch knows 'status' and 'status json')\n";
    /* A status reply is small and its reader waits for it; a stuck reader is given up on. */
    if (!sock_write_all(c->fd, reply, strlen(reply)))
        warn("switch: a status reader did not take its reply");
    free(text);
    ctl_close(sw, i);
}

/* ---- The loop ---- */

void switch_poll(struct net_switch *sw, int timeout_ms)
{
    struct pollfd pfd[2 + SWITCH_MAX_CTL + SWITCH_MAX_PORTS];
    nfds_t n = 0;
    pfd[n++] = (struct pollfd){.fd = sw->lfd, .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = sw->ctl_fd, .events = POLLIN};
    unsigned nctl = sw->nctl, nports = sw->nports;
    for (unsigned i = 0; i < nctl; i++)
        pfd[n++] = (struct pollfd){.fd = sw->ctl[i].fd, .events = POLLIN};
    for (unsigned i = 0; i < nports; i++) {
        struct port *p = sw->ports[i];
        short ev = POLLIN;
        if (!frame_txq_empty(&p->txq))
            ev |= POLLOUT;
        pfd[n++] = (struct pollfd){.fd = p->fd, .events = ev};
    }
    int rc = poll(pfd, n, timeout_ms);
    if (rc <= 0)
        return;
    /* Ports first (the arrays may change below): output, then input. */
    struct port *ps[SWITCH_MAX_PORTS];
    memcpy(ps, sw->ports, nports * sizeof(ps[0]));
    for (unsigned i = 0; i < nports; i++) {
        struct port *p = ps[i];
        short re = pfd[2 + nctl + i].revents;
        if ((re & POLLOUT) && !p->dead && frame_txq_flush(&p->txq, p->fd) < 0)
            p->dead = true;
        if ((re & (POLLIN | POLLHUP | POLLERR)) && !p->dead)
            port_read(sw, p);
    }
    for (unsigned i = nctl; i-- > 0;)
        if (pfd[2 + i].revents)
            ctl_read(sw, i);
    if (pfd[0].revents & POLLIN) {
        int fd;
        while ((fd = netsock_accept(sw->lfd)) >= 0)
            if (switch_port_add(sw, fd) < 0)
                warn("switch %s: all %d ports are taken; a peer was turned away", sw->path,
                     SWITCH_MAX_PORTS);
    }
    if (pfd[1].revents & POLLIN) {
        int fd;
        while ((fd = netsock_accept(sw->ctl_fd)) >= 0) {
            if (sw->nctl == SWITCH_MAX_CTL)
                ctl_close(sw, 0); /* a reader that never asks makes room for one that does */
            sw->ctl[sw->nctl++] = (struct ctl_client){.fd = fd};
        }
    }
    sweep(sw);
}

unsigned switch_ports(struct net_switch *sw, unsigned *ids, unsigned max)
{
    for (unsigned i = 0; i < sw->nports && i < max; i++)
        ids[i] = sw->ports[i]->id;
    return sw->nports;
}

int switch_port_info(struct net_switch *sw, unsigned id, struct switch_port_info *pi)
{
    struct port *p = port_by_id(sw, id);
    if (!p)
        return -ERR_NOTFOUND;
    port_sync_stats(p);
    *pi = p->st;
    pi->nmacs = 0;
    for (unsigned i = 0; i < sw->nmacs; i++)
        pi->nmacs += sw->macs[i].port == id;
    return 0;
}

/* ---- Status ---- */

static void put_counters(FILE *f, const struct switch_port_info *s, bool json)
{
    if (json)
        fprintf(f,
                "\"in_frames\": %" PRIu64 ", \"in_bytes\": %" PRIu64 ", \"out_frames\": %" PRIu64
                ", \"out_bytes\": %" PRIu64 ", \"drop_bad\": %" PRIu64 ", \"drop_full\": %" PRIu64,
                s->in_frames, s->in_bytes, s->out_frames, s->out_bytes, s->drop_bad,
                s->drop_full);
    else
        fprintf(f,
                "in %" PRIu64 " frames %" PRIu64 " bytes, out %" PRIu64 " frames %" PRIu64
                " bytes, dropped %" PRIu64 " bad %" PRIu64 " queue-full",
                s->in_frames, s->in_bytes, s->out_frames, s->out_bytes, s->drop_bad,
                s->drop_full);
}

static void put_mac(FILE *f, const uint8_t *m)
{
    fprintf(f, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

char *switch_status(struct net_switch *sw, bool json)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return xstrdup(json ? "{}\n" : "out of memory\n");
    const char *path = sw->path ? sw->path : "";
    if (json) {
        fprintf(f, "{\"path\": ");
        put_json_string(f, path);
        fprintf(f, ", \"ports\": [");
    } else {
        fprintf(f, "switch %s: %u port%s, %u MAC%s learned\n", path, sw->nports,
                sw->nports == 1 ? "" : "s", sw->nmacs, sw->nmacs == 1 ? "" : "s");
    }
    for (unsigned i = 0; i < sw->nports; i++) {
        struct switch_port_info pi;
        if (switch_port_info(sw, sw->ports[i]->id, &pi))
            continue;
        if (json) {
            fprintf(f, "%s{\"id\": %u, \"pid\": %d, ", i ? ", " : "", pi.id, pi.pid);
            put_counters(f, &pi, true);
            fprintf(f, ", \"queued\": %u, \"macs\": [", pi.queued);
        } else {
            fprintf(f, "port %u (pid %d): ", pi.id, pi.pid);
            put_counters(f, &pi, false);
            fprintf(f, ", %u queued\n  MACs:", pi.queued);
        }
        bool first = true;
        for (unsigned k = 0; k < sw->nmacs; k++) {
            if (sw->macs[k].port != pi.id)
                continue;
            fprintf(f, json ? (first ? "\"" : ", \"") : " ");
            put_mac(f, sw->macs[k].mac);
            if (json)
                fputc('"', f);
            first = false;
        }
        fprintf(f, json ? "]}" : "\n");
    }
    if (json) {
        fprintf(f, "], \"ports_left\": %u, \"left\": {", sw->left);
        put_counters(f, &sw->gone, true);
        fprintf(f, "}}\n");
    } else {
        fprintf(f, "%u port%s left: ", sw->left, sw->left == 1 ? "" : "s");
        put_counters(f, &sw->gone, false);
        fputc('\n', f);
    }
    fclose(f);
    return text;
}

void switch_free(struct net_switch *sw)
{
    if (!sw)
        return;
    for (unsigned i = 0; i < sw->nports; i++)
        sw->ports[i]->dead = true;
    sweep(sw);
    while (sw->nctl)
        ctl_close(sw, 0);
    if (sw->lfd >= 0) {
        close(sw->lfd);
        unlink(sw->path);
    }
    if (sw->ctl_fd >= 0) {
        close(sw->ctl_fd);
        unlink(sw->ctl_path);
    }
    free(sw->path);
    free(sw->ctl_path);
    free(sw);
}
