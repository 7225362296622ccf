/* A bare-metal guest that writes its virtio-blk disk forever, for the durability and fault
 * tests (tests/durability.sh): write number i goes to sector i mod (capacity, at most 4096
 * sectors), every 512-byte word of it holding i; after every fourth write a FLUSH, and once
 * the flush has completed the console says "synced i". A write the device fails is reported
 * "ioerr i"; after three of them the guest reads sector 0 back (the device must still work),
 * says "alive" and powers off. A polling driver of the modern virtio-mmio transport: one
 * queue of eight descriptors, one request at a time. */
#include <stdint.h>

#define UART 0x10000000ul
#define FINISHER 0x100000ul
#define VIRTIO_BASE 0x10001000ul
#define VIRTIO_STRIDE 0x1000ul
#define VIRTIO_SLOTS 8

enum {
    MMIO_MAGIC = 0x000,
    MMIO_VERSION = 0x004,
    MMIO_DEVICE_ID = 0x008,
    MMIO_DEVICE_FEATURES = 0x010,
    MMIO_DEVICE_FEATURES_SEL = 0x014,
    MMIO_DRIVER_FEATURES = 0x020,
    MMIO_DRIVER_FEATURES_SEL = 0x024,
    MMIO_QUEUE_SEL = 0x030,
    MMIO_QUEUE_NUM_MAX = 0x034,
    MMIO_QUEUE_NUM = 0x038,
    MMIO_QUEUE_READY = 0x044,
    MMIO_QUEUE_NOTIFY = 0x050,
    MMIO_STATUS = 0x070,
    MMIO_QUEUE_DESC = 0x080,
    MMIO_QUEUE_AVAIL = 0x090,
    MMIO_QUEUE_USED = 0x0a0,
    MMIO_CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };
#define F_FLUSH 9
#define F_VERSION_1 32
#define DESC_NEXT 1
#define DESC_WRITE 2
#define QSIZE 8
#define MAX_SECTORS 4096

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
struct avail {
    uint16_t flags, idx, ring[QSIZE], used_event;
};
struct used {
    uint16_t flags, idx;
    struct {
        uint32_t id, len;
    } ring[QSIZE];
    uint16_t avail_event;
};

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static struct used used __attribute__((aligned(4)));
static struct {
    uint32_t type, reserved;
    uint64_t sector;
} hdr;
static uint64_t data[64];
static volatile uint8_t status;
static uintptr_t dev;
static uint16_t last_used;

static inline uint32_t rd(unsigned off)
{
    return *(volatile uint32_t *)(dev + off);
}

static inline void wr(unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(dev + off) = v;
}

static void putc_(char c)
{
    volatile uint8_t *u = (volatile uint8_t *)UART;
    while (!(u[5] & 0x20))
        ;
    u[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

static void putu(uint64_t v)
{
    char b[21];
    int n = 0;
    do
        b[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        putc_(b[--n]);
}

static void power_off(uint32_t code)
{
    *(volatile uint32_t *)FINISHER = code;
    for (;;)
        __asm__ volatile("wfi");
}

static void fail(const char *why)
{
    puts_("diskwriter: ");
    puts_(why);
    puts_("\n");
    power_off(0x3333 | (1 << 16));
}

static void setup(void)
{
    for (unsigned s = 0; s < VIRTIO_SLOTS && !dev; s++) {
        uintptr_t base = VIRTIO_BASE + s * VIRTIO_STRIDE;
        if (*(volatile uint32_t *)(base + MMIO_MAGIC) == 0x74726976 &&
            *(volatile uint32_t *)(base + MMIO_DEVICE_ID) == 2)
            dev = base;
    }
    if (!dev)
        fail("no virtio-blk device");
    if (rd(MMIO_VERSION) != 2)
        fail("not a modern virtio-mmio transport");
    wr(MMIO_STATUS, 0);
    wr(MMIO_STATUS, S_ACK | S_DRIVER);
    wr(MMIO_DEVICE_FEATURES_SEL, 0);
    uint32_t lo = rd(MMIO_DEVICE_FEATURES) & (1u << F_FLUSH);
    wr(MMIO_DRIVER_FEATURES_SEL, 0);
    wr(MMIO_DRIVER_FEATURES, lo);
    wr(MMIO_DRIVER_FEATURES_SEL, 1);
    wr(MMIO_DRIVER_FEATURES, 1u << (F_VERSION_1 - 32));
    wr(MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(rd(MMIO_STATUS) & S_FEATURES_OK))
        fail("features refused");
    wr(MMIO_QUEUE_SEL, 0);
    if (rd(MMIO_QUEUE_NUM_MAX) < QSIZE)
        fail("queue too small");
    wr(MMIO_QUEUE_NUM, QSIZE);
    wr(MMIO_QUEUE_DESC, (uint32_t)(uintptr_t)descs);
    wr(MMIO_QUEUE_DESC + 4, 0);
    wr(MMIO_QUEUE_AVAIL, (uint32_t)(uintptr_t)&avail);
    wr(MMIO_QUEUE_AVAIL + 4, 0);
    wr(MMIO_QUEUE_USED, (uint32_t)(uintptr_t)&used);
    wr(MMIO_QUEUE_USED + 4, 0);
    wr(MMIO_QUEUE_READY, 1);
    wr(MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* One request (header, optional 512-byte data, status), posted and polled to completion. */
static uint8_t request(uint32_t type, uint64_t sector)
{
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    status = 0xff;
    unsigned n = 0;
    descs[n] = (struct desc){(uintptr_t)&hdr, sizeof(hdr), DESC_NEXT, 1};
    n++;
    if (type != T_FLUSH) {
        descs[n] = (struct desc){(uintptr_t)data, sizeof(data),
                                 (uint16_t)(DESC_NEXT | (type == T_IN ? DESC_WRITE : 0)), 2};
        n++;
    }
    descs[n - 1].next = (uint16_t)n;
    descs[n] = (struct desc){(uintptr_t)&status, 1, DESC_WRITE, 0};
    avail.ring[avail.idx % QSIZE] = 0;
    __asm__ volatile("fence rw, rw" ::: "memory");
    avail.idx++;
    __asm__ volatile("fence rw, rw" ::: "memory");
    wr(MMIO_QUEUE_NOTIFY, 0);
    while (*(volatile uint16_t *)&used.idx == last_used)
        ;
    __asm__ volatile("fence rw, rw" ::: "memory");
    last_used++;
    return status;
}

int main(void)
{
    extern char __bss_start[], __bss_end[];
    for (char *p = __bss_start; p < __bss_end; p++)
        *p = 0;
    setup();
    uint64_t capacity = *(volatile uint32_t *)(dev + MMIO_CONFIG) |
                        (uint64_t) * (volatile uint32_t *)(dev + MMIO_CONFIG + 4) << 32;
    uint64_t sectors = capacity < MAX_SECTORS ? capacity : MAX_SECTORS;
    if (!sectors)
        fail("empty disk");
    puts_("diskwriter: ");
    putu(sectors);
    puts_(" sectors\n");
    unsigned ioerrs = 0;
    for (uint64_t i = 1;; i++) {
        for (unsigned w = 0; w < 64; w++)
            data[w] = i;
        if (request(T_OUT, i % sectors)) {
            puts_("ioerr ");
            putu(i);
            puts_("\n");
            if (++ioerrs == 3) {
                if (request(T_IN, 0))
                    fail("the device stopped serving reads after write errors");
                puts_("alive\n");
                power_off(0x5555);
            }
            continue;
        }
        if (i % 4 == 0) {
            if (request(T_FLUSH, 0)) {
                puts_("flush failed ");
                putu(i);
                puts_("\n");
                continue;
            }
            puts_("synced ");
            putu(i);
            puts_("\n");
        }
    }
}
