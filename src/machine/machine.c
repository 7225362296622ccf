/* The virt board: builds the bus, the harts and the devices from the address map, wires their
 * interrupts (CLINT msip/mtip -> each hart's MSI/MTI; PLIC context 2i/2i+1 -> hart i's MEI/SEI;
 * UART and RTC -> their PLIC sources), and loads what boots: kernel, initrd, device tree and
 * the reset ROM. */
#include "machine.h"
#include "../jit/jit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void no_tx(void *ctx, uint8_t byte)
{
}

static void no_finisher(void *ctx, enum finisher_action a, unsigned code)
{
}

static uint64_t read_mtime(void *ctx)
{
    return clint_mtime(ctx);
}

static int map_dev(struct machine *m, enum machine_map_id id, const struct mmio_ops *ops, void *dev,
                   char *err)
{
    int rc = bus_add_mmio(&m->bus, machine_map[id].base, machine_map[id].size, ops, dev);
    if (rc)
        snprintf(err, MACHINE_ERRLEN, "cannot map %s at 0x%" PRIx64 ": %s", machine_map[id].node,
                 machine_map[id].base, err_str(rc));
    return rc;
}

static void build_devices(struct machine *m)
{
    struct irq_line msip[MACHINE_MAX_HARTS], mtip[MACHINE_MAX_HARTS];
    struct irq_line meip[MACHINE_MAX_HARTS], seip[MACHINE_MAX_HARTS];
    for (unsigned i = 0; i < m->nharts; i++) {
        struct hart *h = &m->harts[i];
        msip[i] = (struct irq_line){hart_irq_line, h, IRQ_MSI};
        mtip[i] = (struct irq_line){hart_irq_line, h, IRQ_MTI};
        meip[i] = (struct irq_line){hart_irq_line, h, IRQ_MEI};
        seip[i] = (struct irq_line){hart_irq_line, h, IRQ_SEI};
    }
    m->clint = clint_new(m->nharts, msip, mtip);
    m->plic = plic_new(m->nharts, meip, seip);
    m->uart = uart_new(plic_input(m->plic, machine_map[MAP_UART0].irq),
                       m->hooks.uart_tx ? m->hooks.uart_tx : no_tx, m->hooks.ctx);
    m->rtc = rtc_new(plic_input(m->plic, machine_map[MAP_RTC].irq));
    m->finisher = finisher_new(m->hooks.finisher ? m->hooks.finisher : no_finisher, m->hooks.ctx);
    for (unsigned i = 0; i < m->nharts; i++) {
        m->harts[i].read_time = read_mtime;
        m->harts[i].time_ctx = m->clint;
    }
}

static void virtio_console_out(void *ctx, const uint8_t *buf, size_t n)
{
    struct machine *m = ctx;
    for (size_t i = 0; i < n; i++)
        if (m->hooks.uart_tx)
            m->hooks.uart_tx(m->hooks.ctx, buf[i]);
}

static enum disk_link_mode blk_link(const struct machine_vdev *v)
{
    return v->link_given ? v->link : v->readonly ? DISK_LINK_R : DISK_LINK_W;
}

static struct disk_spec blk_spec(const struct machine_vdev *v, char *name, size_t namelen)
{
    if (v->id)
        snprintf(name, namelen, "%s", v->id);
    else
        snprintf(name, namelen, "'%s'", v->file);
    return (struct disk_spec){.path = v->file, .name = name, .extent = v->extent,
                              .offset = v->offset, .size = v->size, .link = blk_link(v),
                              .journal = v->journal};
}

/* Two drives of one VM on overlapping extents of one volume, both asking to write, are a
 * configuration error (across VMs, the links decide). */
static int check_overlaps(const struct machine_config *c, char *err)
{
    for (unsigned i = 0; i < c->nvdevs; i++) {
        for (unsigned k = i + 1; k < c->nvdevs; k++) {
            const struct machine_vdev *a = &c->vdevs[i], *b = &c->vdevs[k];
            if (a->kind != VDEV_BLK || b->kind != VDEV_BLK || blk_link(a) <= DISK_LINK_RR ||
                blk_link(b) <= DISK_LINK_RR)
                continue;
            char na[128], nb[128];
            struct disk_spec sa = blk_spec(a, na, sizeof(na)), sb = blk_spec(b, nb, sizeof(nb));
            if (disk_spec_overlap(&sa, &sb)) {
                snprintf(err, MACHINE_ERRLEN,
                         "-drive: drives %s and %s both write overlapping extents of '%s'", na, nb,
                         a->file);
                return -ERR_INVAL;
            }
        }
    }
    return 0;
}

/* A raw drive is a minidisk: a whole image or an extent, linked in a mode. */
static int open_minidisk(const struct machine_vdev *v, struct disk **out, char *err)
{
    char name[128], why[MACHINE_ERRLEN - 8], outcome[48];
    struct disk_spec spec = blk_spec(v, name, sizeof(name));
    int rc = disk_open_spec(&spec, out, why, sizeof(why));
    if (rc) {
        snprintf(err, MACHINE_ERRLEN, "%s", why);
        return rc;
    }
    fprintf(stderr, "visor: drive %s: link %s\n", name, disk_link_outcome(*out, outcome,
                                                                         sizeof(outcome)));
    return 0;
}

/* A -drive's image in its format (probed, with QEMU's warning, when none was given),
 * under a temporary overlay with -snapshot. */
static int open_drive(const struct machine_vdev *v, bool snapshot, struct disk **out, char *err)
{
    char derr[DISK_ERRLEN];
    const char *format = v->format;
    int rc = 0;
    if (!format && !(rc = disk_probe(v->file, &format, derr)) && !strcmp(format, "raw"))
        warn("WARNING: Image format was not specified for '%s' and probing guessed raw.\n"
             "         Automatically detecting the format is dangerous for raw images.\n"
             "         Specify the 'raw' format explicitly to remove this warning.",
             v->file);
    if (!rc && !strcmp(format, "raw") && !snapshot && !v->snapshot)
        return open_minidisk(v, out, err);
    if (!rc && (v->extent || v->link_given || (v->journal && (snapshot || v->snapshot)))) {
        snprintf(err, MACHINE_ERRLEN, "-drive %s: offset=, size=, link= and x-journal= need an "
                 "image without snapshot (and offset=, size=, link= a raw one)",
                 v->id ? v->id : v->file);
        return -ERR_INVAL;
    }
    if (!rc && (snapshot || v->snapshot))
        rc = disk_open_snapshot(v->file, format, out, derr);
    else if (!rc && v->journal)
        rc = disk_open_journaled(v->file, format, v->readonly, v->journal, out, derr);
    else if (!rc)
        rc = disk_open(v->file, format, v->readonly, out, NULL, derr);
    if (rc)
        snprintf(err, MACHINE_ERRLEN, "-drive %s: could not open %.400s%s", v->id ? v->id : "",
                 derr, v->readonly ? " (read-only)" : "");
    return rc;
}

/* Puts each configured virtio device on its slot — an explicit bus=virtio-mmio-bus.N first,
 * then the rest from the highest free slot down, as QEMU assigns them — and fills the other
 * slots with empty transports. */
static int build_virtio(struct machine *m, char *err)
{
    const struct machine_config *c = &m->cfg;
    int rc0 = check_overlaps(c, err);
    if (rc0)
        return rc0;
    int slot_of[MACHINE_VIRTIO_SLOTS];
    bool used[MACHINE_VIRTIO_SLOTS] = {false};
    for (unsigned i = 0; i < c->nvdevs; i++) {
        int s = c->vdevs[i].slot;
        if (s >= 0) {
            if (s >= MACHINE_VIRTIO_SLOTS || used[s]) {
                snprintf(err, MACHINE_ERRLEN, "-device: bus virtio-mmio-bus.%d %s", s,
                         s >= MACHINE_VIRTIO_SLOTS ? "does not exist (0 to 7)" : "is already in use");
                return -ERR_INVAL;
            }
            used[s] = true;
        }
        slot_of[i] = s;
    }
    for (unsigned i = 0; i < c->nvdevs; i++) {
        if (slot_of[i] >= 0)
            continue;
        int s = MACHINE_VIRTIO_SLOTS - 1;
        while (s >= 0 && used[s])
            s--;
        if (s < 0) {
            snprintf(err, MACHINE_ERRLEN, "-device: all %d virtio-mmio slots are in use",
                     MACHINE_VIRTIO_SLOTS);
            return -ERR_RANGE;
        }
        used[s] = true;
        slot_of[i] = s;
    }
    for (unsigned i = 0; i < c->nvdevs; i++) {
        const struct machine_vdev *v = &c->vdevs[i];
        unsigned s = (unsigned)slot_of[i];
        struct irq_line irq = plic_input(m->plic, machine_map[MAP_VIRTIO].irq + s);
        switch (v->kind) {
        case VDEV_BLK: {
            int rc = open_drive(v, c->snapshot, &m->disks[s], err);
            if (rc)
                return rc;
            m->virtio[s] = virtio_blk_new(&m->bus, irq, m->disks[s], c->virtio_legacy);
            if (v->serial)
                virtio_blk_set_serial(m->virtio[s], v->serial);
            if (m->hooks.io_wake &&
                virtio_blk_start_io(m->virtio[s], m->hooks.io_wake, m->hooks.ctx))
                warn("drive %s: no I/O threads; requests run on the hart's thread",
                     v->id ? v->id : v->file);
            break;
        }
        case VDEV_RNG:
            m->virtio[s] = virtio_rng_new(&m->bus, irq, c->virtio_legacy);
            break;
        case VDEV_CONSOLE:
            m->virtio[s] = virtio_console_new(&m->bus, irq, c->virtio_legacy, virtio_console_out, m);
            m->console = m->virtio[s];
            break;
        case VDEV_NET:
            m->virtio[s] = virtio_net_new(&m->bus, irq, c->virtio_legacy, v->mac, v->netdev);
            break;
        }
    }
    for (unsigned s = 0; s < MACHINE_VIRTIO_SLOTS; s++) {
        if (!m->virtio[s])
            m->virtio[s] = virtio_empty_new(&m->bus,
                                            plic_input(m->plic, machine_map[MAP_VIRTIO].irq + s),
                                            c->virtio_legacy);
        int rc = bus_add_mmio(&m->bus, machine_map_base(MAP_VIRTIO, s),
                              machine_map[MAP_VIRTIO].size, &virtio_mmio_ops, m->virtio[s]);
        if (rc) {
            snprintf(err, MACHINE_ERRLEN, "cannot map virtio-mmio slot %u: %s", s, err_str(rc));
            return rc;
        }
    }
    return 0;
}

static int map_devices(struct machine *m, char *err)
{
    int rc = map_dev(m, MAP_TEST, &finisher_ops, m->finisher, err);
    if (!rc)
        rc = map_dev(m, MAP_RTC, &rtc_ops, m->rtc, err);
    if (!rc)
        rc = map_dev(m, MAP_CLINT, &clint_ops, m->clint, err);
    if (!rc)
        rc = map_dev(m, MAP_PLIC, &plic_ops, m->plic, err);
    if (!rc)
        rc = map_dev(m, MAP_UART0, &uart_ops, m->uart, err);
    return rc;
}

static int read_file(const char *flag, const char *what, const char *path, uint8_t **data,
                     size_t *size, char *err)
{
    int rc = file_read_all(path, data, size);
    if (rc)
        snprintf(err, MACHINE_ERRLEN, "%s: could not load %s '%s': %s", flag, what, path,
                 err_str(rc));
    return rc;
}

const char *machine_default_bios(void)
{
    static const char *const candidates[] = {
        "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
        "/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin",
    };
    for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return NULL;
}

/* The firmware (-bios) goes at DRAM base; the ROM jumps there whatever its ELF entry, as on
 * QEMU. */
static int load_firmware(struct machine *m, char *err)
{
    const struct machine_config *c = &m->cfg;
    m->firmware_end = m->bus.ram_base;
    if (!c->bios)
        return 0;
    uint8_t *data;
    size_t size;
    int rc = read_file("-bios", "firmware", c->bios, &data, &size, err);
    if (rc)
        return rc;
    uint64_t entry, low;
    char why[MACHINE_ERRLEN];
    rc = machine_load_kernel(&m->blobs, c->bios, data, size, m->bus.ram_base, &entry, &low,
                             &m->firmware_end, why);
    free(data);
    if (rc)
        snprintf(err, MACHINE_ERRLEN, "-bios: %.480s", why);
    return rc;
}

static int load_kernel(struct machine *m, char *err)
{
    const struct machine_config *c = &m->cfg;
    if (!c->kernel) {
        m->kernel_entry = 0;
        m->kernel_low = m->kernel_high = m->firmware_end;
        return 0;
    }
    uint8_t *data;
    size_t size;
    int rc = read_file("-kernel", "kernel", c->kernel, &data, &size, err);
    if (rc)
        return rc;
    /* Behind a firmware, a raw kernel starts at the next 2 MiB boundary (0x80200000 for
     * OpenSBI), where RV64 Linux expects to run. */
    const uint64_t align = 2ull << 20;
    uint64_t raw_base = c->bios ? (m->firmware_end + align - 1) & ~(align - 1) : m->bus.ram_base;
    rc = machine_load_kernel(&m->blobs, c->kernel, data, size, raw_base, &m->kernel_entry,
                             &m->kernel_low, &m->kernel_high, err);
    free(data);
    return rc;
}

static int load_initrd(struct machine *m, char *err)
{
    const struct machine_config *c = &m->cfg;
    if (!c->initrd)
        return 0;
    uint8_t *data;
    size_t size;
    int rc = read_file("-initrd", "initrd", c->initrd, &data, &size, err);
    if (rc)
        return rc;
    uint64_t start = machine_initrd_addr(m->bus.ram_size, m->kernel_low, m->kernel_high);
    char why[MACHINE_ERRLEN];
    rc = size ? machine_blobs_add(&m->blobs, start, data, size, size, "initrd", why) : 0;
    free(data);
    if (rc) {
        snprintf(err, MACHINE_ERRLEN, "-initrd: could not load initrd '%s': %.400s", c->initrd,
                 why);
        return rc;
    }
    m->initrd_start = start;
    m->initrd_end = start + size;
    return 0;
}

static int load_fdt(struct machine *m, char *err)
{
    const struct machine_config *c = &m->cfg;
    int rc;
    if (c->dtb) {
        size_t file_size;
        rc = read_file("-dtb", "device tree", c->dtb, &m->fdt, &file_size, err);
        if (rc)
            return rc;
        char why[MACHINE_ERRLEN];
        rc = machine_fdt_amend(&m->fdt, &m->fdt_size, file_size, c->append, m->initrd_start,
                               m->initrd_end, why);
        if (rc) {
            snprintf(err, MACHINE_ERRLEN, "-dtb: '%s': %.400s", c->dtb, why);
            return rc;
        }
    } else {
        struct machine_fdt_params p = {
            .ram_size = m->bus.ram_size,
            .nharts = m->nharts,
            .bootargs = c->append,
            .initrd_start = m->initrd_start,
            .initrd_end = m->initrd_end,
            .rng_seed = c->rng_seed,
        };
        rc = machine_fdt_build(&p, &m->fdt, &m->fdt_size);
        if (rc) {
            snprintf(err, MACHINE_ERRLEN, "cannot build the device tree: %s", err_str(rc));
            return rc;
        }
    }
    m->fdt_addr = machine_fdt_addr(m->bus.ram_base, m->bus.ram_size, m->fdt_size);
    char why[MACHINE_ERRLEN];
    rc = m->fdt_addr ? machine_blobs_add(&m->blobs, m->fdt_addr, m->fdt, m->fdt_size, m->fdt_size,
                                         "device tree", why)
                     : -ERR_RANGE;
    if (rc) {
        snprintf(err, MACHINE_ERRLEN,
                 "no room for the device tree (%u bytes) at the end of RAM%s%.400s; "
                 "give more memory with -m",
                 m->fdt_size, m->fdt_addr ? ": " : "", m->fdt_addr ? why : "");
        return rc;
    }
    return 0;
}

static int build_rom(struct machine *m, char *err)
{
    const struct machine_map_entry *r = &machine_map[MAP_MROM];
    m->rom_image = xmalloc(r->size);
    machine_rom_build(m->rom_image, r->size, m->start_addr, m->fdt_addr, m->kernel_entry);
    m->rom = rom_new(m->rom_image, r->size);
    return map_dev(m, MAP_MROM, &rom_ops, m->rom, err);
}

int machine_create(struct machine **out, const struct machine_config *cfg,
                   const struct machine_hooks *hooks, char *err)
{
    *out = NULL;
    if (cfg->nharts < 1 || cfg->nharts > MACHINE_MAX_HARTS || cfg->nharts > DEV_MAX_HARTS) {
        snprintf(err, MACHINE_ERRLEN, "-smp: %u CPUs requested; virt supports 1 to %u", cfg->nharts,
                 MACHINE_MAX_HARTS);
        return -ERR_RANGE;
    }
    if (cfg->ram_size == 0 || cfg->ram_size > MACHINE_MAX_RAM || (cfg->ram_size & 0xfff)) {
        snprintf(err, MACHINE_ERRLEN,
                 "-m: RAM size must be a multiple of 4 KiB from 4 KiB to %llu GiB",
                 MACHINE_MAX_RAM >> 30);
        return -ERR_RANGE;
    }
    if ((cfg->initrd || (cfg->append && cfg->append[0])) && !cfg->kernel) {
        snprintf(err, MACHINE_ERRLEN, "%s only allowed with -kernel",
                 cfg->initrd ? "-initrd" : "-append");
        return -ERR_INVAL;
    }

    struct machine *m = xcalloc(1, sizeof(*m));
    m->cfg = *cfg;
    if (hooks)
        m->hooks = *hooks;
    m->nharts = cfg->nharts;
    bus_init(&m->bus, machine_map[MAP_DRAM].base, cfg->ram_size);
    machine_blobs_init(&m->blobs, m->bus.ram_base, m->bus.ram_size);
    m->harts = xcalloc(m->nharts, sizeof(*m->harts));
    for (unsigned i = 0; i < m->nharts; i++)
        hart_init(&m->harts[i], i, &m->bus);
    build_devices(m);
    /* With -bios none the ROM jumps to DRAM base whatever the kernel's entry (as QEMU 7.2
     * does); the entry only goes into fw_dynamic_info for a firmware to read. */
    m->start_addr = m->bus.ram_base;

    int rc = map_devices(m, err);
    if (!rc)
        rc = build_virtio(m, err);
    if (!rc)
        rc = load_firmware(m, err);
    if (!rc)
        rc = load_kernel(m, err);
    if (!rc)
        rc = load_initrd(m, err);
    if (!rc)
        rc = load_fdt(m, err);
    if (!rc)
        rc = build_rom(m, err);
    for (unsigned i = 0; !rc && !cfg->interp_only && i < m->nharts; i++) {
        rc = jit_attach(&m->harts[i], cfg->jit_code_size);
        if (rc)
            snprintf(err, MACHINE_ERRLEN, "-accel: cannot set up the translator's code memory: %s",
                     err_str(rc));
    }
    if (rc) {
        machine_free(m);
        return rc;
    }
    machine_reset(m);
    *out = m;
    return 0;
}

void machine_reset(struct machine *m)
{
    /* Blobs were checked against this very RAM when added, so this cannot fail. */
    if (machine_blobs_write(&m->blobs, &m->bus))
        die("boot images no longer fit in RAM");
    uart_reset(m->uart);
    clint_reset(m->clint);
    plic_reset(m->plic);
    rtc_reset(m->rtc);
    for (unsigned s = 0; s < MACHINE_VIRTIO_SLOTS; s++)
        if (m->virtio[s])
            virtio_dev_reset(m->virtio[s]);
    for (unsigned i = 0; i < m->nharts; i++) {
        struct hart *h = &m->harts[i];
        hart_reset(h, machine_map[MAP_MROM].base);
        h->wfi = false;
        h->stop = false;
        h->resv_valid = false;
    }
}

void machine_free(struct machine *m)
{
    if (!m)
        return;
    for (unsigned s = 0; s < MACHINE_VIRTIO_SLOTS; s++) {
        if (m->virtio[s])
            virtio_dev_free(m->virtio[s]);
        if (m->disks[s])
            disk_close(m->disks[s]);
    }
    if (m->rom)
        rom_free(m->rom);
    if (m->finisher)
        finisher_free(m->finisher);
    if (m->rtc)
        rtc_free(m->rtc);
    if (m->uart)
        uart_free(m->uart);
    if (m->plic)
        plic_free(m->plic);
    if (m->clint)
        clint_free(m->clint);
    for (unsigned i = 0; i < m->nharts; i++) {
        jit_detach(&m->harts[i]);
        hart_free(&m->harts[i]);
    }
    free(m->harts);
    machine_blobs_free(&m->blobs);
    free(m->fdt);
    free(m->rom_image);
    bus_free(&m->bus);
    free(m);
}
