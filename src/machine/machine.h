/* The virt board: QEMU 7.2's `virt` address map as one table, the board built from it (bus,
 * harts, devices and their interrupt wiring), the device tree generated from the same table,
 * and boot loading (kernel, initrd, device tree, reset ROM).
 *
 * Lifecycle: machine_create() builds everything and leaves the board as after power-on (every
 * hart at the reset ROM in M-mode); machine_reset() returns it there (images are re-copied
 * into RAM, as QEMU re-copies its ROM blobs); machine_free() releases it. */
#ifndef VISOR_MACHINE_H
#define VISOR_MACHINE_H

#include "../base/base.h"
#include "../cpu/cpu.h"
#include "../dev/dev.h"
#include "../dev/virtio/virtio.h"
#include "../disk/disk.h"
#include "../mem/mem.h"

#define MACHINE_MAX_HARTS 8
#define MACHINE_DEFAULT_RAM (128ull << 20)
#define MACHINE_MAX_RAM (64ull << 30)
/* Size of the buffers that receive start-up error messages. */
#define MACHINE_ERRLEN 512

/* ---- The address map (memmap.def) ---- */
enum machine_map_id {
#define MAP(id, node, base, size, count, irq, compat) MAP_##id,
#include "memmap.def"
#undef MAP
    MAP_COUNT
};

struct machine_map_entry {
    const char *node;
    uint64_t base, size;
    unsigned count, irq;
    const char *compat; /* entries separated by \0; NULL if none */
    size_t compat_len;  /* bytes of compat including the final \0 */
};

extern const struct machine_map_entry machine_map[MAP_COUNT];

/* Base and IRQ of instance k of a row. */
static inline uint64_t machine_map_base(enum machine_map_id id, unsigned k)
{
    return machine_map[id].base + (uint64_t)k * machine_map[id].size;
}

/* The cpu nodes' "riscv,isa" and "mmu-type": what the hart implements, in QEMU 7.2's form. */
#define MACHINE_RISCV_ISA "rv64imafdc_zicsr_zifencei_zihintpause_sstc"
#define MACHINE_MMU_TYPE "riscv,sv48"
#define MACHINE_UART_CLOCK 3686400u
#define MACHINE_FINISHER_POWEROFF 0x5555u
#define MACHINE_FINISHER_REBOOT 0x7777u

/* ---- Configuration (what the command line decided) ---- */
#define MACHINE_VIRTIO_SLOTS 8

enum machine_vdev_kind { VDEV_BLK, VDEV_RNG, VDEV_CONSOLE, VDEV_NET };

struct netdev;

/* A virtio device on a virtio-mmio slot. */
struct machine_vdev {
    enum machine_vdev_kind kind;
    int slot;           /* 0..7 (bus=virtio-mmio-bus.N), or -1: QEMU's choice, the highest free */
    const char *file;   /* blk: the raw image */
    bool readonly;      /* blk */
    const char *serial; /* blk: what GET_ID returns; NULL for none */
    const char *id;     /* the -drive id, for messages */
    bool extent;        /* blk: offset= or size= given: a minidisk extent of the file */
    uint64_t offset, size;        /* blk: the extent (size 0: to the end of the file) */
    bool link_given;              /* blk: link= given; else W, or R when readonly */
    enum disk_link_mode link;     /* blk: the link mode asked for, if link_given */
    const char *journal;          /* blk: x-journal=FILE (test mode), or NULL */
    const char *format; /* blk: "raw", "qcow2", or NULL to probe (with QEMU's warning) */
    bool snapshot;      /* blk: writes go to a temporary overlay (-drive snapshot=on) */
    /* net: the backend (NULL: not connected; the owner opens and frees it) and the MAC */
    struct netdev *netdev;
    const char *netdev_id; /* the -device's netdev=, which the owner resolves */
    const char *nic_id;    /* the -device's id=, or NULL */
    uint8_t mac[6];
};

struct machine_config {
    uint64_t ram_size;  /* bytes, a multiple of 4 KiB */
    const char *bios;   /* M-mode firmware (ELF or raw, at DRAM base); NULL for -bios none */
    unsigned nharts;    /* 1..MACHINE_MAX_HARTS */
    const char *kernel; /* ELF64 RISC-V or raw binary; NULL for none */
    const char *initrd; /* requires kernel */
    const char *append; /* kernel command line; requires kernel */
    const char *dtb;    /* a user device tree used instead of the generated one */
    bool rng_seed;      /* put a random /chosen/rng-seed in the generated tree, as QEMU does */
    struct machine_vdev vdevs[MACHINE_VIRTIO_SLOTS];
    unsigned nvdevs;
    bool virtio_legacy; /* -global virtio-mmio.force-legacy=true: version 1 transports */
    bool snapshot;      /* -snapshot: every disk writes to a temporary overlay */
    bool interp_only;   /* -accel interp: no translator */
    uint64_t jit_code_size; /* -accel tcg,tb-size=: bytes of translated code per hart; 0: default */
};

/* What the board calls back into its owner for. Any may be NULL. */
struct machine_hooks {
    void (*uart_tx)(void *ctx, uint8_t byte); /* also receives the virtio console's output */
    void (*finisher)(void *ctx, enum finisher_action a, unsigned code);
    /* Given: disks get I/O threads, which call this (from their thread) after completing a
     * request, so the owner's loop wakes to the interrupt. NULL: I/O runs in the notify. */
    void (*io_wake)(void *ctx);
    void *ctx;
};

/* A piece of guest RAM content that boot loading put there and reset puts back: data[0,
 * filesz) then zeros up to memsz. */
struct machine_blob {
    uint64_t addr, filesz, memsz;
    uint8_t *data;
    char what[48];
};

/* The blobs of one boot, checked to lie in RAM and not to overlap each other. */
struct machine_blobs {
    uint64_t ram_base, ram_size;
    struct machine_blob *v;
    unsigned n, cap;
};

struct machine {
    struct machine_config cfg;
    struct machine_hooks hooks;
    struct bus bus;
    unsigned nharts;
    struct hart *harts;
    struct uart *uart;
    struct clint *clint;
    struct plic *plic;
    struct rtc *rtc;
    struct finisher *finisher;
    struct rom *rom;
    struct virtio_dev *virtio[MACHINE_VIRTIO_SLOTS]; /* every slot, empty ones included */
    struct disk *disks[MACHINE_VIRTIO_SLOTS];        /* by slot; NULL where no disk */
    struct virtio_dev *console;                      /* the virtio console, if any */

    struct machine_blobs blobs;
    uint8_t *fdt; /* the device tree the guest gets (also in blobs) */
    uint32_t fdt_size;
    uint64_t fdt_addr;     /* where a1 points */
    uint64_t start_addr;   /* where the reset ROM jumps: DRAM base (firmware, or -bios none) */
    uint64_t firmware_end; /* end of the loaded firmware; DRAM base without one */
    uint64_t kernel_entry; /* the kernel's entry (fw_dynamic next_addr); 0 without a kernel */
    uint64_t kernel_low, kernel_high;
    uint64_t initrd_start, initrd_end; /* 0, 0 without an initrd */
    uint8_t *rom_image;                /* machine_map[MAP_MROM].size bytes */
};

/* The firmware -bios default names: OpenSBI's generic fw_dynamic.bin from Debian's opensbi
 * package (else QEMU's bundled copy); NULL if neither is installed. */
const char *machine_default_bios(void);

/* Builds the board for cfg. Returns 0, or a negative code with a message naming the flag or
 * file at fault in err (MACHINE_ERRLEN bytes). */
MUST_CHECK int machine_create(struct machine **out, const struct machine_config *cfg,
                              const struct machine_hooks *hooks, char *err);
/* Power-on state again: devices reset, boot images re-copied into RAM, harts at the ROM. */
void machine_reset(struct machine *m);
void machine_free(struct machine *m);

/* ---- Device tree (fdt.c) ---- */
struct machine_fdt_params {
    uint64_t ram_size;
    unsigned nharts;
    const char *bootargs;              /* NULL or "": none */
    uint64_t initrd_start, initrd_end; /* both 0: none */
    bool rng_seed;
};
/* Generates the tree QEMU 7.2 would for `-M virt -bios none` (minus devices visor lacks).
 * *out is malloc'd. Returns 0 or a negative code. */
MUST_CHECK int machine_fdt_build(const struct machine_fdt_params *p, uint8_t **out, uint32_t *size);
/* Validates a user device tree and, if bootargs or an initrd are given, sets them in /chosen
 * (created if missing). Takes ownership of *dtb (replaced by the edited copy). */
MUST_CHECK int machine_fdt_amend(uint8_t **dtb, uint32_t *size, size_t file_size,
                                 const char *bootargs, uint64_t initrd_start, uint64_t initrd_end,
                                 char *err);

/* ---- Boot loading (boot.c) ---- */
void machine_blobs_init(struct machine_blobs *bs, uint64_t ram_base, uint64_t ram_size);
void machine_blobs_free(struct machine_blobs *bs);
/* Adds a blob (data is copied) after checking it lies in RAM and overlaps no other blob. */
MUST_CHECK int machine_blobs_add(struct machine_blobs *bs, uint64_t addr, const void *data,
                                 uint64_t filesz, uint64_t memsz, const char *what, char *err);
/* Copies every blob into RAM. */
MUST_CHECK int machine_blobs_write(const struct machine_blobs *bs, struct bus *b);

/* Loads a kernel (or firmware) image: an ELF64 RISC-V executable at its physical addresses,
 * or anything else as a raw binary at raw_base (a Linux Image reserving its header's
 * image_size). name is used in messages. On success sets the entry and the lowest and highest
 * (exclusive) addresses it occupies. */
MUST_CHECK int machine_load_kernel(struct machine_blobs *bs, const char *name, const uint8_t *data,
                                   size_t size, uint64_t raw_base, uint64_t *entry, uint64_t *low,
                                   uint64_t *high, char *err);
/* The image_size of a RISC-V Linux Image header, or 0 if data is not such an Image. */
uint64_t machine_image_size(const uint8_t *data, size_t size);
/* Just the ELF path of machine_load_kernel (data must start with the ELF magic). */
MUST_CHECK int machine_load_elf(struct machine_blobs *bs, const char *name, const uint8_t *data,
                                size_t size, uint64_t *entry, uint64_t *low, uint64_t *high,
                                char *err);
/* Where QEMU 7.2 puts the initrd: kernel_low + min(RAM/2, 128 MiB), moved above the kernel's
 * end if the kernel is that large. */
uint64_t machine_initrd_addr(uint64_t ram_size, uint64_t kernel_low, uint64_t kernel_high);
/* Where QEMU 7.2 puts the device tree: the end of DRAM (capped at 3 GiB if DRAM starts below
 * it) minus its size, aligned down to 2 MiB. 0 if it does not fit. */
uint64_t machine_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint32_t fdt_size);
/* The reset ROM: QEMU's reset vector (a0 = mhartid, a1 = fdt_addr, a2 = &fw_dynamic_info,
 * jump to start) followed by the fw_dynamic_info OpenSBI reads. */
#define MACHINE_ROM_FW_INFO_OFFSET 0x28
void machine_rom_build(uint8_t *rom, size_t rom_size, uint64_t start, uint64_t fdt_addr,
                       uint64_t kernel_entry);

#endif
