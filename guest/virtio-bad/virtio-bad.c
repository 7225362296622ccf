/* virtio-bad: a hostile virtio-blk driver. It finds the virtio-blk device in virtio-mmio slot 0
 * (0x10001000), brings it up, and then hands it, case by case, the garbage a broken or
 * malicious guest could: buffers outside RAM or straddling its end, huge lengths, loops,
 * nested indirect tables, chains in the wrong order, short headers, a jumping avail index,
 * bad queue sizes and addresses. For each it prints what the device did (the status register
 * with DEVICE_NEEDS_RESET, or the request's status byte), resets the device and goes on; at
 * the end it prints "virtio-bad: done" and powers off through the SiFive test device.
 * The point is that the emulator survives; where QEMU answers differently, the output says so
 * only by being different (expected-visor.txt holds visor's answers).
 * Run on QEMU: qemu-system-riscv64 -M virt -bios none -kernel virtio-bad.elf -nographic
 *   -global virtio-mmio.force-legacy=false -drive file=x.img,if=none,format=raw,id=d0
 *   -device virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0 */
#include <stdint.h>

#define TEST_BASE 0x100000ul
#define CLINT_MTIME 0x200bff8ul
#define VIRTIO_BASE 0x10001000ul
#define TICKS_PER_MS 10000ul /* 10 MHz timebase */

/* virtio-mmio registers */
enum {
    R_MAGIC = 0x000,
    R_VERSION = 0x004,
    R_DEVICE_ID = 0x008,
    R_DEV_FEAT = 0x010,
    R_DEV_FEAT_SEL = 0x014,
    R_DRV_FEAT = 0x020,
    R_DRV_FEAT_SEL = 0x024,
    R_PAGE_SIZE = 0x028,
    R_QSEL = 0x030,
    R_QNUM_MAX = 0x034,
    R_QNUM = 0x038,
    R_QALIGN = 0x03c,
    R_QPFN = 0x040,
    R_QREADY = 0x044,
    R_NOTIFY = 0x050,
    R_ISR = 0x060,
    R_ACK = 0x064,
    R_STATUS = 0x070,
    R_QDESC = 0x080,
    R_QDRIVER = 0x090,
    R_QDEVICE = 0x0a0,
    R_CONFIG = 0x100,
};

enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 0x40 };
enum { D_NEXT = 1, D_WRITE = 2, D_INDIRECT = 4 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };

#define F_INDIRECT (1ull << 28)
#define F_VERSION_1 (1ull << 32)

#define QNUM 8 /* the queue size of every case unless it says otherwise */

void main(const void *fdt);
void on_trap(unsigned long cause, unsigned long epc, unsigned long tval);

static inline uint64_t r64(unsigned long a)
{
    return *(volatile uint64_t *)a;
}

static inline void fence(void)
{
    __asm__ volatile("fence iorw, iorw" ::: "memory");
}

static uint32_t vr(unsigned off)
{
    fence();
    return *(volatile uint32_t *)(VIRTIO_BASE + off);
}

static void vw(unsigned off, uint32_t v)
{
    fence();
    *(volatile uint32_t *)(VIRTIO_BASE + off) = v;
}

/* ---- output: putc_, puts_, put_dec, put_hex ---- */
#include "../lib/console.h"

static void finish(unsigned code)
{
    fence();
    *(volatile uint32_t *)TEST_BASE = code ? (code << 16 | 0x3333) : 0x5555;
    for (;;)
        __asm__ volatile("wfi");
}

void on_trap(unsigned long cause, unsigned long epc, unsigned long tval)
{
    puts_("\nvirtio-bad: unexpected trap: mcause ");
    put_hex(cause);
    puts_(" mepc ");
    put_hex(epc);
    puts_(" mtval ");
    put_hex(tval);
    puts_("\n");
    finish(1);
}

static void *memset_(void *p, int c, unsigned long n)
{
    volatile uint8_t *b = p;
    for (unsigned long i = 0; i < n; i++)
        b[i] = (uint8_t)c;
    return p;
}

/* ---- the device tree: where RAM ends ---- */

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int prefix(const char *s, const char *p)
{
    while (*p)
        if (*s++ != *p++)
            return 0;
    return 1;
}

static unsigned long slen(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

/* The end of the first memory node's first range, or 0 if the tree has none. */
static uint64_t ram_end_from_fdt(const uint8_t *fdt)
{
    if (!fdt || be32(fdt) != 0xd00dfeed)
        return 0;
    const uint8_t *p = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    int depth = 0, in_memory = 0;
    for (;;) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == 1) { /* BEGIN_NODE */
            const char *name = (const char *)p;
            depth++;
            in_memory = depth == 2 && prefix(name, "memory@");
            p += (slen(name) + 4) & ~3ul;
        } else if (tok == 2) { /* END_NODE */
            depth--;
            in_memory = 0;
        } else if (tok == 3) { /* PROP */
            uint32_t len = be32(p);
            const char *name = strings + be32(p + 4);
            const uint8_t *val = p + 8;
            if (in_memory && len >= 16 && name[0] == 'r' && name[1] == 'e' && name[2] == 'g' &&
                !name[3]) {
                uint64_t base = (uint64_t)be32(val) << 32 | be32(val + 4);
                uint64_t size = (uint64_t)be32(val + 8) << 32 | be32(val + 12);
                return base + size;
            }
            p += 8 + ((len + 3) & ~3u);
        } else if (tok == 4) { /* NOP */
            continue;
        } else {
            return 0;
        }
    }
}

/* ---- the queue, laid out the legacy way so both transports can use it ---- */

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static uint8_t qmem[2 * 4096] __attribute__((aligned(4096)));
static struct desc itable[64] __attribute__((aligned(16)));
static struct desc itable2[4] __attribute__((aligned(16)));
static uint8_t header[16] __attribute__((aligned(16)));
static uint8_t data[4096] __attribute__((aligned(4096)));
static volatile uint8_t status_byte;

static struct desc *const dtab = (struct desc *)qmem;
static unsigned qnum;
static volatile uint16_t *avail_flags, *avail_idx, *avail_ring;
static volatile uint16_t *used_idx;
static volatile uint32_t *used_ring;
static uint16_t next_avail;
static uint32_t version;
static uint64_t offered, ram_end;

static uint64_t pa(const volatile void *p)
{
    return (uint64_t)(unsigned long)p;
}

static void layout(unsigned num)
{
    qnum = num;
    memset_(qmem, 0, sizeof(qmem));
    uint8_t *avail = qmem + 16 * num;
    avail_flags = (volatile uint16_t *)avail;
    avail_idx = (volatile uint16_t *)(avail + 2);
    avail_ring = (volatile uint16_t *)(avail + 4);
    used_idx = (volatile uint16_t *)(qmem + 4096 + 2);
    used_ring = (volatile uint32_t *)(qmem + 4096 + 4);
    next_avail = 0;
}

/* Programs queue 0 with num entries and sets it live. The rings are always ours (qmem); the
 * descriptor table is at desc_pa (modern), or the whole queue is at page desc_pa (legacy). */
static void setup_queue(unsigned num, uint64_t desc_pa)
{
    layout(num);
    vw(R_QSEL, 0);
    vw(R_QNUM, num);
    if (version == 1) {
        vw(R_PAGE_SIZE, 4096);
        vw(R_QALIGN, 4096);
        vw(R_QPFN, (uint32_t)(desc_pa >> 12));
    } else {
        uint64_t avail = pa(qmem) + 16 * num, used = pa(qmem) + 4096;
        vw(R_QDESC, (uint32_t)desc_pa);
        vw(R_QDESC + 4, (uint32_t)(desc_pa >> 32));
        vw(R_QDRIVER, (uint32_t)avail);
        vw(R_QDRIVER + 4, (uint32_t)(avail >> 32));
        vw(R_QDEVICE, (uint32_t)used);
        vw(R_QDEVICE + 4, (uint32_t)(used >> 32));
        vw(R_QREADY, 1);
    }
}

/* Resets the device and negotiates features & want; 0, or -1 if FEATURES_OK was refused. */
static int negotiate(uint64_t want)
{
    vw(R_STATUS, 0);
    while (vr(R_STATUS) != 0)
        ;
    vw(R_STATUS, S_ACK);
    vw(R_STATUS, S_ACK | S_DRIVER);
    uint64_t f = offered & want;
    vw(R_DRV_FEAT_SEL, 0);
    vw(R_DRV_FEAT, (uint32_t)f);
    vw(R_DRV_FEAT_SEL, 1);
    vw(R_DRV_FEAT, (uint32_t)(f >> 32));
    if (version == 1)
        return 0;
    vw(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    return (vr(R_STATUS) & S_FEATURES_OK) ? 0 : -1;
}

/* The usual bring-up: VERSION_1 and INDIRECT_DESC, one queue of QNUM, DRIVER_OK. */
static void bring_up(uint64_t want)
{
    if (negotiate(want)) {
        puts_("virtio-bad: FEATURES_OK refused during bring-up\n");
        finish(3);
    }
    setup_queue(QNUM, pa(qmem));
    vw(R_STATUS, vr(R_STATUS) | S_DRIVER_OK);
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    dtab[i] = (struct desc){addr, len, flags, next};
}

static void req_header(uint32_t type, uint64_t sector)
{
    *(volatile uint32_t *)header = type;
    *(volatile uint32_t *)(header + 4) = 0;
    *(volatile uint64_t *)(header + 8) = sector;
}

/* The common three-descriptor request: header, data (len bytes at buf), status. */
static void three(uint32_t type, uint64_t sector, uint64_t buf, uint32_t len, uint16_t dflags)
{
    req_header(type, sector);
    desc(0, pa(header), 16, D_NEXT, 1);
    desc(1, buf, len, dflags | D_NEXT, 2);
    desc(2, pa(&status_byte), 1, D_WRITE, 0);
}

static void offer(uint16_t head)
{
    avail_ring[next_avail % qnum] = head;
    next_avail++;
    fence();
    *avail_idx = next_avail;
}

static uint64_t now(void)
{
    return r64(CLINT_MTIME);
}

/* ---- one case ---- */

static unsigned case_no;

static void title(const char *what)
{
    case_no++;
    if (case_no < 10)
        putc_(' ');
    put_dec(case_no);
    puts_(" ");
    puts_(what);
    for (unsigned long n = slen(what); n < 44; n++)
        putc_(' ');
    puts_(": ");
}

static const char *status_name(uint8_t s)
{
    switch (s) {
    case 0:
        return "OK";
    case 1:
        return "IOERR";
    case 2:
        return "UNSUPP";
    default:
        return "?";
    }
}

/* Prints the status register if the device flagged itself; returns whether it did. */
static int report_needs_reset(void)
{
    uint32_t st = vr(R_STATUS);
    if (!(st & S_NEEDS_RESET))
        return 0;
    puts_("NEEDS_RESET (status ");
    put_hex(st);
    puts_(", isr ");
    put_hex(vr(R_ISR));
    puts_(")\n");
    return 1;
}

/* Kicks queue qidx and waits (up to wait_ms) for a used entry or DEVICE_NEEDS_RESET, then
 * prints which; the status byte is shown when show_status. */
static void kick_and_report(unsigned qidx, unsigned wait_ms, int show_status)
{
    uint16_t before = *used_idx;
    status_byte = 0xee;
    vw(R_NOTIFY, qidx);
    uint64_t deadline = now() + wait_ms * TICKS_PER_MS;
    while (*used_idx == before && !(vr(R_STATUS) & S_NEEDS_RESET) && now() < deadline)
        ;
    fence();
    if (report_needs_reset())
        return;
    if (*used_idx == before) {
        puts_("no response\n");
        return;
    }
    uint32_t len = used_ring[2 * (before % qnum) + 1];
    puts_("used (len ");
    put_dec(len);
    puts_(")");
    if (show_status) {
        puts_(", status byte ");
        put_dec(status_byte);
        puts_(" ");
        puts_(status_name(status_byte));
    }
    puts_("\n");
    vw(R_ACK, vr(R_ISR));
}

#define WAIT_MS 500  /* a request's time to complete (QEMU's block layer is asynchronous) */
#define QUIET_MS 100 /* how long to watch a device that is expected to do nothing */

static void post(uint16_t head)
{
    offer(head);
    kick_and_report(0, WAIT_MS, 1);
}

/* ---- the cases ---- */

static void sane_requests(uint64_t capacity)
{
    title("read sector 0");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    post(0);

    title("write sector 1, then read it back");
    for (unsigned i = 0; i < 512; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    three(T_OUT, 1, pa(data), 512, 0);
    offer(0);
    kick_and_report(0, WAIT_MS, 0);
    memset_(data, 0, 512);
    three(T_IN, 1, pa(data), 512, D_WRITE);
    offer(0);
    vw(R_NOTIFY, 0);
    uint64_t deadline = now() + WAIT_MS * TICKS_PER_MS;
    while (*used_idx != next_avail && now() < deadline)
        ;
    unsigned bad = 0;
    for (unsigned i = 0; i < 512; i++)
        bad += data[i] != (uint8_t)(i * 7 + 3);
    puts_(bad ? "   ...read back DIFFERS\n" : "   ...read back matches\n");

    title("flush");
    req_header(T_FLUSH, 0);
    desc(0, pa(header), 16, D_NEXT, 1);
    desc(1, pa(&status_byte), 1, D_WRITE, 0);
    post(0);

    title("get id");
    three(T_GET_ID, 0, pa(data), 20, D_WRITE);
    post(0);

    title("read at sector = capacity");
    three(T_IN, capacity, pa(data), 512, D_WRITE);
    post(0);

    title("read at sector 2^56 (byte offset overflows)");
    three(T_IN, 1ull << 56, pa(data), 512, D_WRITE);
    post(0);

    title("read of 100 bytes (not whole sectors)");
    three(T_IN, 0, pa(data), 100, D_WRITE);
    post(0);

    title("unknown request type 0x7fff");
    three(0x7fff, 0, pa(data), 512, D_WRITE);
    post(0);
}

static void bad_buffers(void)
{
    title("data buffer at address 0");
    bring_up(~0ull);
    three(T_IN, 0, 0, 512, D_WRITE);
    post(0);

    title("data buffer at 2^48");
    bring_up(~0ull);
    three(T_IN, 0, 1ull << 48, 512, D_WRITE);
    post(0);

    title("data buffer straddling the end of RAM");
    bring_up(~0ull);
    three(T_IN, 0, ram_end - 256, 512, D_WRITE);
    post(0);

    title("data buffer just past the end of RAM");
    bring_up(~0ull);
    three(T_IN, 0, ram_end, 512, D_WRITE);
    post(0);

    title("data length 0xffffffff");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 0xffffffffu, D_WRITE);
    post(0);

    title("data address + length wraps past 2^64");
    bring_up(~0ull);
    three(T_IN, 0, 0xfffffffffffff000ull, 0x2000, D_WRITE);
    post(0);

    title("zero-length data buffer");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 0, D_WRITE);
    post(0);
}

static void bad_chains(void)
{
    title("descriptor loop 0 -> 1 -> 2 -> 1");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    desc(2, pa(&status_byte), 1, D_WRITE | D_NEXT, 1);
    post(0);

    title("descriptor pointing at itself");
    bring_up(~0ull);
    desc(0, pa(header), 16, D_NEXT, 0);
    post(0);

    title("next index beyond the queue");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    desc(1, pa(data), 512, D_WRITE | D_NEXT, 200);
    post(0);

    title("head index beyond the queue");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    post(200);

    title("avail index jumps by 100");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    avail_ring[0] = 0;
    next_avail = 100;
    fence();
    *avail_idx = 100;
    kick_and_report(0, WAIT_MS, 1);

    title("readable buffer after a writable one");
    bring_up(~0ull);
    req_header(T_OUT, 0);
    desc(0, pa(header), 16, D_NEXT, 1);
    desc(1, pa(&status_byte), 1, D_WRITE | D_NEXT, 2);
    desc(2, pa(data), 512, 0, 0);
    post(0);

    title("header of 8 bytes");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    desc(0, pa(header), 8, D_NEXT, 1);
    post(0);

    title("no writable status byte");
    bring_up(~0ull);
    req_header(T_OUT, 0);
    desc(0, pa(header), 16, D_NEXT, 1);
    desc(1, pa(data), 512, 0, 0);
    post(0);

    title("header descriptor marked device-writable");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    desc(0, pa(header), 16, D_WRITE | D_NEXT, 1);
    post(0);
}

static void bad_indirect(void)
{
    title("indirect request (well formed)");
    bring_up(~0ull);
    req_header(T_IN, 0);
    itable[0] = (struct desc){pa(header), 16, D_NEXT, 1};
    itable[1] = (struct desc){pa(data), 512, D_WRITE | D_NEXT, 2};
    itable[2] = (struct desc){pa(&status_byte), 1, D_WRITE, 0};
    desc(0, pa(itable), 48, D_INDIRECT, 0);
    post(0);

    title("indirect table inside an indirect table");
    bring_up(~0ull);
    itable2[0] = (struct desc){pa(header), 16, D_NEXT, 1};
    itable2[1] = (struct desc){pa(&status_byte), 1, D_WRITE, 0};
    itable[0] = (struct desc){pa(itable2), 32, D_INDIRECT, 0};
    desc(0, pa(itable), 16, D_INDIRECT, 0);
    post(0);

    title("indirect table of 24 bytes");
    bring_up(~0ull);
    itable[0] = (struct desc){pa(header), 16, D_NEXT, 1};
    itable[1] = (struct desc){pa(&status_byte), 1, D_WRITE, 0};
    desc(0, pa(itable), 24, D_INDIRECT, 0);
    post(0);

    title("indirect table outside RAM");
    bring_up(~0ull);
    desc(0, ram_end + 0x1000, 48, D_INDIRECT, 0);
    post(0);

    title("loop inside an indirect table");
    bring_up(~0ull);
    req_header(T_IN, 0);
    itable[0] = (struct desc){pa(header), 16, D_NEXT, 1};
    itable[1] = (struct desc){pa(data), 512, D_WRITE | D_NEXT, 0};
    desc(0, pa(itable), 32, D_INDIRECT, 0);
    post(0);

    title("indirect descriptor with NEXT set");
    bring_up(~0ull);
    req_header(T_IN, 0);
    itable[0] = (struct desc){pa(header), 16, D_NEXT, 1};
    itable[1] = (struct desc){pa(data), 512, D_WRITE | D_NEXT, 2};
    itable[2] = (struct desc){pa(&status_byte), 1, D_WRITE, 0};
    desc(0, pa(itable), 48, D_INDIRECT | D_NEXT, 1);
    desc(1, pa(data), 512, D_WRITE, 0);
    post(0);

    title("indirect without negotiating INDIRECT_DESC");
    bring_up(~F_INDIRECT);
    req_header(T_IN, 0);
    itable[0] = (struct desc){pa(header), 16, D_NEXT, 1};
    itable[1] = (struct desc){pa(data), 512, D_WRITE | D_NEXT, 2};
    itable[2] = (struct desc){pa(&status_byte), 1, D_WRITE, 0};
    desc(0, pa(itable), 48, D_INDIRECT, 0);
    post(0);

    /* Enough whole-RAM buffers to pass 4 GiB in total (the table holds 64 entries). */
    uint64_t ram = ram_end - 0x80000000ul;
    uint64_t n = (1ull << 32) / ram + 1;
    if (ram <= (1ull << 32) && n + 2 <= 64) {
        title("chain over 4 GiB (whole RAM, many times)");
        bring_up(~0ull);
        req_header(T_IN, 0);
        itable[0] = (struct desc){pa(header), 16, D_NEXT, 1};
        for (unsigned i = 1; i <= n; i++)
            itable[i] =
                (struct desc){0x80000000ul, (uint32_t)ram, D_WRITE | D_NEXT, (uint16_t)(i + 1)};
        itable[n + 1] = (struct desc){pa(&status_byte), 1, D_WRITE, 0};
        desc(0, pa(itable), (uint32_t)(16 * (n + 2)), D_INDIRECT, 0);
        post(0);
    }
}

/* Sets up a queue the device may refuse; if it accepts, posts a sane read and reports. */
static void odd_queue(unsigned num, uint64_t desc_pa)
{
    negotiate(~0ull);
    setup_queue(num, desc_pa);
    if (report_needs_reset())
        return;
    vw(R_STATUS, vr(R_STATUS) | S_DRIVER_OK);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    if (desc_pa == pa(qmem)) {
        post(0);
    } else { /* the table is elsewhere: offer head 0 of it */
        offer(0);
        kick_and_report(0, WAIT_MS, 0);
    }
}

static void bad_queues(void)
{
    title("queue size 6 (not a power of two)");
    odd_queue(6, pa(qmem));

    title("queue size 0");
    odd_queue(0, pa(qmem));

    title("queue size above QueueNumMax");
    vw(R_QSEL, 0);
    odd_queue(vr(R_QNUM_MAX) * 2, pa(qmem));

    if (version == 2) {
        title("descriptor table just past the end of RAM");
        odd_queue(QNUM, ram_end);

        title("descriptor table misaligned (8 bytes)");
        odd_queue(QNUM, pa(qmem) + 8);
    }

    title("notify before the queue is ready");
    negotiate(~0ull);
    layout(QNUM);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    offer(0);
    kick_and_report(0, QUIET_MS, 1);

    title("notify before DRIVER_OK");
    negotiate(~0ull);
    setup_queue(QNUM, pa(qmem));
    three(T_IN, 0, pa(data), 512, D_WRITE);
    offer(0);
    kick_and_report(0, QUIET_MS, 1);

    title("notify of queue 7 (does not exist)");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    offer(0);
    kick_and_report(7, QUIET_MS, 1);

    if (version == 2) {
        title("FEATURES_OK without VERSION_1");
        puts_(negotiate(~F_VERSION_1) ? "refused\n" : "accepted\n");
    }

    title("after all that, a sane read still works");
    bring_up(~0ull);
    three(T_IN, 0, pa(data), 512, D_WRITE);
    post(0);
}

void main(const void *fdt)
{
    ram_end = ram_end_from_fdt(fdt);
    if (!ram_end)
        ram_end = 0x88000000ul; /* QEMU's default 128 MiB */
    if (vr(R_MAGIC) != 0x74726976) {
        puts_("virtio-bad: no virtio-mmio transport at 0x10001000\n");
        finish(2);
    }
    version = vr(R_VERSION);
    if (vr(R_DEVICE_ID) != 2) {
        puts_("virtio-bad: slot 0 holds device ");
        put_dec(vr(R_DEVICE_ID));
        puts_(", not virtio-blk\n");
        finish(2);
    }
    vw(R_STATUS, 0);
    vw(R_DEV_FEAT_SEL, 1);
    offered = (uint64_t)vr(R_DEV_FEAT) << 32;
    vw(R_DEV_FEAT_SEL, 0);
    offered |= vr(R_DEV_FEAT);
    uint64_t capacity = (uint64_t)vr(R_CONFIG + 4) << 32 | vr(R_CONFIG);
    puts_("virtio-bad: virtio-blk at 0x10001000, version ");
    put_dec(version);
    puts_(", ");
    put_dec(capacity);
    puts_(" sectors, RAM ends at ");
    put_hex(ram_end);
    puts_("\n");

    sane_requests(capacity);
    bad_buffers();
    bad_chains();
    bad_indirect();
    bad_queues();

    vw(R_STATUS, 0);
    puts_("virtio-bad: done\n");
    finish(0);
}
