/* virtio devices on the virtio-mmio transport, as QEMU 7.2's virt board has them: eight
 * transport slots of 0x1000 bytes, each with one PLIC line, holding a virtio-blk, -rng or
 * -console device or nothing (device ID 0). Modern (version 2) by default; legacy (version 1,
 * page-based queues) when the board asks for force-legacy.
 *
 * The board maps each of the eight slots (the VIRTIO row of the address map) with
 *     bus_add_mmio(bus, base + k * VIRTIO_MMIO_SLOT_SIZE, VIRTIO_MMIO_SLOT_SIZE,
 *                  &virtio_mmio_ops, d)
 * where d came from one of the *_new functions below (virtio_empty_new for a slot without a
 * device, as QEMU has: every slot answers and has its device-tree node), and irq is the row's
 * PLIC source + k. QEMU puts a -device without bus= in the highest free slot (slot 7 first);
 * bus=virtio-mmio-bus.N names slot N.
 *
 * Every descriptor a guest hands a device is checked against guest RAM before it is touched; a
 * malformed queue or chain sets DEVICE_NEEDS_RESET in the status register and raises a
 * configuration-change interrupt, and the device then ignores its queues until the driver resets
 * it.
 *
 * Locking: one mutex per device, taken by MMIO accesses and by the host-side calls here. The
 * interrupt line and the console's output callback are called with it held, so neither may
 * call back into the same device. */
#ifndef VISOR_VIRTIO_H
#define VISOR_VIRTIO_H

#include "../../base/base.h"
#include "../../disk/disk.h"
#include "../../mem/mem.h"

#define VIRTIO_MMIO_SLOT_SIZE 0x1000

/* Device IDs (virtio 1.x, "Device Types"). */
enum virtio_device_id {
    VIRTIO_ID_NONE = 0,
    VIRTIO_ID_NET = 1,
    VIRTIO_ID_BLOCK = 2,
    VIRTIO_ID_CONSOLE = 3,
    VIRTIO_ID_RNG = 4,
};

struct virtio_dev; /* one transport slot and the device behind it */

extern const struct mmio_ops virtio_mmio_ops;

/* An empty slot: magic, version and vendor as usual, device ID 0, nothing else. */
struct virtio_dev *virtio_empty_new(struct bus *bus, struct irq_line irq, bool legacy);

/* virtio-blk over a disk the caller opened (not NULL; it must outlive the device, and the
 * caller closes it after virtio_dev_free). A read-only disk offers VIRTIO_BLK_F_RO and
 * refuses writes with IOERR. Requests run to completion inside the guest's notify. */
struct virtio_dev *virtio_blk_new(struct bus *bus, struct irq_line irq, struct disk *disk,
                                  bool legacy);
/* The string GET_ID returns (at most 20 bytes are used; default empty). */
void virtio_blk_set_serial(struct virtio_dev *d, const char *serial);
/* Moves the disk I/O off the notifying thread: worker threads execute requests (several in
 * flight) and complete them under the device lock; wake(ctx) runs after each completion so
 * that a VM loop asleep in poll sees the interrupt at once. Returns 0 or -ERR_NOMEM. */
MUST_CHECK int virtio_blk_start_io(struct virtio_dev *d, void (*wake)(void *ctx), void *ctx);

/* virtio-rng: fills the guest's buffers from the host's getrandom(). */
struct virtio_dev *virtio_rng_new(struct bus *bus, struct irq_line irq, bool legacy);

/* virtio-console with one port (hvc0 in Linux). out receives what the guest transmits. */
struct virtio_dev *virtio_console_new(struct bus *bus, struct irq_line irq, bool legacy,
                                      void (*out)(void *ctx, const uint8_t *buf, size_t n),
                                      void *ctx);
/* Queues host input for the guest; never drops: what does not fit in the buffers the guest
 * has posted waits on the host side until it posts more. */
void virtio_console_push_input(struct virtio_dev *d, const uint8_t *buf, size_t n);
size_t virtio_console_pending_input(const struct virtio_dev *d);

/* virtio-net with MAC, STATUS and MRG_RXBUF, connected to nd (NULL: not connected, frames
 * from the guest are dropped). The device attaches itself to nd as its NIC. */
struct netdev;
struct virtio_dev *virtio_net_new(struct bus *bus, struct irq_line irq, bool legacy,
                                  const uint8_t mac[6], struct netdev *nd);
/* The NIC's own counters (frames it dropped include malformed and oversized ones). */
struct virtio_net_stats {
    uint64_t tx_frames, tx_bytes, tx_dropped, rx_frames, rx_bytes, rx_dropped;
};
void virtio_net_get_stats(const struct virtio_dev *d, struct virtio_net_stats *s);

/* A machine reset: as if the driver had written 0 to the status register. Host-side state
 * (the disk, queued console input) is kept. */
void virtio_dev_reset(struct virtio_dev *d);
void virtio_dev_free(struct virtio_dev *d);
enum virtio_device_id virtio_dev_id(const struct virtio_dev *d);

/* Log device errors (malformed chains) with warn()? On by default, and rate-limited; tests
 * and fuzzers turn it off. */
void virtio_dev_set_quiet(struct virtio_dev *d, bool quiet);

/* Counters, always on. */
struct virtio_stats {
    uint64_t notifies;       /* QueueNotify writes */
    uint64_t chains;         /* descriptor chains consumed */
    uint64_t interrupts;     /* used-buffer interrupts raised */
    uint64_t device_errors;  /* malformed queues or chains (each set DEVICE_NEEDS_RESET) */
    uint64_t request_errors; /* requests completed with an error status (blk IOERR/UNSUPP) */
};
void virtio_dev_get_stats(const struct virtio_dev *d, struct virtio_stats *s);
/* The reason for the last device error, or NULL if none since creation. */
const char *virtio_dev_last_error(const struct virtio_dev *d);

/* Save/restore (dev.h's convention): tag "VIRT", the transport and queue state, then the
 * device's own section. Restore requires the same device type, features and mode, and
 * re-checks every queue address against RAM; a queue that no longer fits marks the device
 * DEVICE_NEEDS_RESET instead of being trusted. Requests are processed to completion inside
 * the notify that starts them, so there is never one in flight to save. */
MUST_CHECK int virtio_dev_save(const struct virtio_dev *d, uint8_t *buf, size_t cap, size_t *len);
MUST_CHECK int virtio_dev_restore(struct virtio_dev *d, const uint8_t *buf, size_t len);

#endif
