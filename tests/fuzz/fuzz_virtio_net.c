/* libFuzzer harness for virtio-net (src/dev/virtio/net.c) on the real transport: the input is
 * what a hostile driver controls. Byte 0 picks the features (MRG_RXBUF, EVENT_IDX, INDIRECT,
 * legacy); then 2 x 384 bytes become the two queues' descriptor tables and avail rings
 * (descriptor addresses folded into a window of RAM so that most land somewhere); the rest is
 * a script: kick transmit, kick receive, deliver a frame of a given length from the backend
 * (which also echoes every transmitted frame back, as slirp does with ARP), reset and bring
 * the device up again. The device must never touch memory outside guest RAM (ASan) nor crash.
 * Build: make MODE=fuzz fuzz-virtio-net; run: build/fuzz/fuzz_virtio_net */
#include "../unit/virtio_driver.h"

#include "net/net.h"

#define QN 16
#define QBYTES 384 /* 16 descriptors (256) + an avail ring (4 + 32 + 2), rounded up */
#define WINDOW (RAM_BASE + 0x100000ull)
#define WINDOW_SIZE 0x40000ull

static int echo_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
    if (nd->state)
        (void)netdev_deliver(nd, frame, len);
    return 0;
}

static const struct netdev_ops echo_ops = {.type = "echo", .send = echo_send};
static uint8_t frame_buf[NET_MAX_FRAME + 2];

static void layout(struct vdrv *v, const uint8_t *data)
{
    for (unsigned qi = 0; qi < 2; qi++) {
        struct vq_drv *q = &v->q[qi];
        memcpy(gp(v, q->desc), data + qi * QBYTES, 16 * QN);
        memcpy(gp(v, q->avail), data + qi * QBYTES + 16 * QN, 4 + 2 * QN + 2);
        for (unsigned i = 0; i < QN; i++) {
            uint64_t a;
            memcpy(&a, gp(v, q->desc + 16ull * i), 8);
            if (!(a >> 63)) /* the top bit keeps a wild address, to test the checks */
                a = WINDOW + a % WINDOW_SIZE;
            memcpy(gp(v, q->desc + 16ull * i), &a, 8);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 + 2 * QBYTES)
        return 0;
    uint8_t cfg = data[0];
    uint64_t want = F_VERSION_1 | 1ull << 5 | 1ull << 16;
    if (cfg & 1)
        want |= 1ull << 15; /* MRG_RXBUF */
    if (cfg & 2)
        want |= F_EVENT_IDX;
    if (cfg & 4)
        want |= F_INDIRECT;
    bool legacy = cfg & 8;
    static const uint8_t mac[6] = {0x52, 0x54, 0, 1, 2, 3};
    struct netdev nd = {.ops = &echo_ops, .state = (cfg & 16) ? &nd : NULL};
    static struct vdrv v;
    vdrv_bus(&v, legacy);
    vdrv_attach(&v, virtio_net_new(&v.bus, vdrv_line(&v), legacy, mac, &nd));
    vdrv_up(&v, want, 2, QN);
    layout(&v, data + 1);
    const uint8_t *p = data + 1 + 2 * QBYTES, *end = data + size;
    while (p < end) {
        uint8_t op = *p++;
        switch (op & 3) {
        case 0:
            kick(&v, 1);
            break;
        case 1:
            kick(&v, 0);
            break;
        case 2: {
            size_t len = p + 2 <= end ? (size_t)(p[0] | p[1] << 8) * (op >> 2 & 1 ? 8 : 1) : 60;
            p += p + 2 <= end ? 2 : 0;
            if (len > sizeof(frame_buf))
                len = sizeof(frame_buf);
            memset(frame_buf, op, len);
            (void)netdev_deliver(&nd, frame_buf, len);
            break;
        }
        default:
            vdrv_up(&v, want, 2, QN);
            layout(&v, data + 1);
            break;
        }
    }
    vdrv_free(&v);
    return 0;
}
