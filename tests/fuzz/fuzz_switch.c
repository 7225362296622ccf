/* libFuzzer harness for the switch and QEMU's stream framing (src/net/switch.c, frame.c): the
 * input is what a hostile VM writes on its port, cut into reads at 0xfe bytes (the switch
 * polls between them). Two well-behaved ports listen. Whatever the input, the switch must not
 * crash, and what it forwards must be well-framed: every frame the listeners parse has a
 * length from 14 to NET_MAX_FRAME, and their parsers never see garbage.
 * Build: make MODE=fuzz fuzz-switch; run: build/fuzz/fuzz_switch tests/fuzz/corpus/switch */
#include "../../src/net/frame.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void drain(int fd, struct frame_rx *rx)
{
    for (;;) {
        const uint8_t *frame;
        size_t len;
        int rc;
        while ((rc = frame_rx_next(rx, &frame, &len)) > 0)
            if (len < FRAME_MIN || len > NET_MAX_FRAME)
                abort();
        if (rc < 0)
            abort(); /* the switch forwarded garbage */
        if (frame_rx_read(rx, fd) <= 0)
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct net_switch *sw;
    char err[64];
    if (switch_new(&sw, NULL, err, sizeof(err)))
        abort();
    int peer[3];
    struct frame_rx rx[3];
    for (int i = 0; i < 3; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
            abort();
        if (switch_port_add(sw, sv[0]) < 0)
            abort();
        peer[i] = sv[1];
        fcntl(peer[i], F_SETFL, O_NONBLOCK);
        frame_rx_init(&rx[i]);
    }
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != 0xfe)
            continue;
        if (i > start && send(peer[0], data + start, i - start, MSG_NOSIGNAL) < 0)
            break; /* the switch closed the port: the input was garbage */
        switch_poll(sw, 0);
        switch_poll(sw, 0);
        drain(peer[1], &rx[1]);
        drain(peer[2], &rx[2]);
        start = i + 1;
    }
    close(peer[0]);
    switch_poll(sw, 0);
    drain(peer[1], &rx[1]);
    drain(peer[2], &rx[2]);
    char *st = switch_status(sw, true);
    free(st);
    switch_free(sw);
    for (int i = 0; i < 3; i++) {
        if (i)
            close(peer[i]);
        frame_rx_free(&rx[i]);
    }
    return 0;
}
