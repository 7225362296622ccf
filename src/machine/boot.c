/* Boot loading: the kernel (ELF64 RISC-V or raw), the initrd and the device tree become
 * "blobs" — RAM contents checked to lie in RAM and not to overlap — that machine_reset copies
 * in again on every reset, as QEMU re-copies its ROM blobs. The reset ROM is built here too.
 *
 * Invariant: everything about a file's layout is validated against its size before any byte
 * is copied, with overflow-safe arithmetic: a hostile image gets an error naming it, never a
 * crash. */
#include "machine.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* More program headers than any real kernel has; bounds the work a hostile file can cause. */
#define ELF_MAX_PHNUM 1024

void machine_blobs_init(struct machine_blobs *bs, uint64_t ram_base, uint64_t ram_size)
{
    memset(bs, 0, sizeof(*bs));
    bs->ram_base = ram_base;
    bs->ram_size = ram_size;
}

void machine_blobs_free(struct machine_blobs *bs)
{
    for (unsigned i = 0; i < bs->n; i++)
        free(bs->v[i].data);
    free(bs->v);
    bs->v = NULL;
    bs->n = bs->cap = 0;
}

int machine_blobs_add(struct machine_blobs *bs, uint64_t addr, const void *data, uint64_t filesz,
                      uint64_t memsz, const char *what, char *err)
{
    uint64_t ram_end = bs->ram_base + bs->ram_size;
    if (filesz > memsz || memsz == 0 || addr < bs->ram_base || addr >= ram_end ||
        memsz > ram_end - addr) {
        snprintf(err, MACHINE_ERRLEN,
                 "%s at 0x%" PRIx64 " (0x%" PRIx64 " bytes) does not fit in RAM "
                 "[0x%" PRIx64 ", 0x%" PRIx64 ")",
                 what, addr, memsz, bs->ram_base, ram_end);
        return -ERR_RANGE;
    }
    for (unsigned i = 0; i < bs->n; i++) {
        const struct machine_blob *o = &bs->v[i];
        if (addr < o->addr + o->memsz && o->addr < addr + memsz) {
            snprintf(err, MACHINE_ERRLEN,
                     "%s at 0x%" PRIx64 " (0x%" PRIx64 " bytes) overlaps %s at 0x%" PRIx64
                     " (0x%" PRIx64 " bytes)",
                     what, addr, memsz, o->what, o->addr, o->memsz);
            return -ERR_RANGE;
        }
    }
    if (bs->n == bs->cap) {
        bs->cap = bs->cap ? 2 * bs->cap : 8;
        struct machine_blob *nv = realloc(bs->v, bs->cap * sizeof(*nv));
        if (!nv)
            die("out of memory");
        bs->v = nv;
    }
    struct machine_blob *b = &bs->v[bs->n++];
    b->addr = addr;
    b->filesz = filesz;
    b->memsz = memsz;
    b->data = xmalloc(filesz);
    if (filesz)
        memcpy(b->data, data, filesz);
    snprintf(b->what, sizeof(b->what), "%s", what);
    return 0;
}

int machine_blobs_write(const struct machine_blobs *bs, struct bus *b)
{
    for (unsigned i = 0; i < bs->n; i++) {
        const struct machine_blob *bl = &bs->v[i];
        uint8_t *p = bus_ram_ptr(b, bl->addr, bl->memsz);
        if (!p)
            return -ERR_RANGE;
        memcpy(p, bl->data, bl->filesz);
        memset(p + bl->filesz, 0, bl->memsz - bl->filesz);
        bus_note_write(b, bl->addr, bl->memsz);
    }
    return 0;
}

static int elf_error(char *err, const char *name, const char *what)
{
    snprintf(err, MACHINE_ERRLEN, "kernel '%s': %.400s", name, what);
    return -ERR_FORMAT;
}

int machine_load_elf(struct machine_blobs *bs, const char *name, const uint8_t *data, size_t size,
                     uint64_t *entry, uint64_t *low, uint64_t *high, char *err)
{
    Elf64_Ehdr eh;
    if (size < SELFMAG || memcmp(data, ELFMAG, SELFMAG) != 0)
        return elf_error(err, name, "not an ELF file");
    if (size < EI_NIDENT)
        return elf_error(err, name, "truncated ELF header");
    if (data[EI_CLASS] != ELFCLASS64)
        return elf_error(err, name, "not a 64-bit ELF file (RV64 needs ELFCLASS64)");
    if (size < sizeof(eh))
        return elf_error(err, name, "truncated ELF header");
    memcpy(&eh, data, sizeof(eh));
    if (data[EI_DATA] != ELFDATA2LSB)
        return elf_error(err, name, "not a little-endian ELF file");
    if (eh.e_machine != EM_RISCV)
        return elf_error(err, name, "not a RISC-V ELF file (e_machine is not EM_RISCV)");
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
        return elf_error(err, name, "not an executable ELF file");
    if (eh.e_phnum == 0)
        return elf_error(err, name, "ELF file has no program headers");
    if (eh.e_phnum > ELF_MAX_PHNUM)
        return elf_error(err, name, "ELF file has too many program headers");
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return elf_error(err, name, "ELF program header size is wrong");
    uint64_t ph_bytes = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (eh.e_phoff > size || ph_bytes > size - eh.e_phoff)
        return elf_error(err, name, "ELF program headers lie past the end of the file");

    /* Validate every segment before adding any, so a failure leaves bs as it was. */
    Elf64_Phdr *segs = xcalloc(eh.e_phnum, sizeof(*segs));
    unsigned nload = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    uint64_t ram_end = bs->ram_base + bs->ram_size;
    /* `ld -Ttext=0x80000000` puts the ELF and program headers into the first segment, in the
     * page below .text; QEMU drops those bytes (nothing backs them) and so do we. */
    uint64_t headers_end = (eh.e_phoff + ph_bytes + 0xfff) & ~0xfffull;
    int rc = 0;
    for (unsigned i = 0; i < eh.e_phnum && !rc; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, data + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        char what[160];
        if (ph.p_filesz > ph.p_memsz) {
            snprintf(what, sizeof(what), "segment %u has p_filesz > p_memsz", i);
            rc = elf_error(err, name, what);
            break;
        }
        if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset) {
            snprintf(what, sizeof(what), "segment %u lies past the end of the file", i);
            rc = elf_error(err, name, what);
            break;
        }
        if (ph.p_paddr < bs->ram_base) {
            uint64_t below = bs->ram_base - ph.p_paddr;
            if (below < ph.p_filesz && ph.p_offset + below <= headers_end) {
                ph.p_paddr += below;
                ph.p_offset += below;
                ph.p_filesz -= below;
                ph.p_memsz -= below;
            }
        }
        if (ph.p_paddr < bs->ram_base || ph.p_paddr >= ram_end ||
            ph.p_memsz > ram_end - ph.p_paddr) {
            snprintf(what, sizeof(what),
                     "segment %u at 0x%" PRIx64 " (0x%" PRIx64 " bytes) lies outside RAM "
                     "[0x%" PRIx64 ", 0x%" PRIx64 ")",
                     i, (uint64_t)ph.p_paddr, (uint64_t)ph.p_memsz, bs->ram_base, ram_end);
            rc = elf_error(err, name, what);
            break;
        }
        lo = ph.p_paddr < lo ? ph.p_paddr : lo;
        hi = ph.p_paddr + ph.p_memsz > hi ? ph.p_paddr + ph.p_memsz : hi;
        segs[nload++] = ph;
    }
    if (!rc && nload == 0)
        rc = elf_error(err, name, "ELF file has no loadable segments");

    unsigned first = bs->n;
    for (unsigned i = 0; i < nload && !rc; i++) {
        char what[48];
        snprintf(what, sizeof(what), "kernel segment at 0x%" PRIx64, (uint64_t)segs[i].p_paddr);
        rc = machine_blobs_add(bs, segs[i].p_paddr, data + segs[i].p_offset, segs[i].p_filesz,
                               segs[i].p_memsz, what, err);
        if (rc) {
            char why[MACHINE_ERRLEN];
            snprintf(why, sizeof(why), "%s", err);
            while (bs->n > first)
                free(bs->v[--bs->n].data);
            rc = elf_error(err, name, why);
        }
    }
    free(segs);
    if (rc)
        return rc;
    *entry = eh.e_entry;
    *low = lo;
    *high = hi;
    return 0;
}

/* The RISC-V Linux Image header (Documentation/riscv/boot-image-header.rst): magic "RISCV\0\0\0"
 * at 0x30 (deprecated) and "RSC\x05" at 0x38; image_size at 0x10 is the memory the kernel
 * occupies once running (text, data and bss), larger than the file. */
#define IMAGE_SIZE_OFFSET 0x10
#define IMAGE_MAGIC_OFFSET 0x30
#define IMAGE_MAGIC2_OFFSET 0x38
#define IMAGE_HEADER_SIZE 0x40

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

uint64_t machine_image_size(const uint8_t *data, size_t size)
{
    if (size < IMAGE_HEADER_SIZE)
        return 0;
    bool magic = memcmp(data + IMAGE_MAGIC_OFFSET, "RISCV\0\0\0", 8) == 0 ||
                 memcmp(data + IMAGE_MAGIC2_OFFSET, "RSC\x05", 4) == 0;
    return magic ? le64(data + IMAGE_SIZE_OFFSET) : 0;
}

int machine_load_kernel(struct machine_blobs *bs, const char *name, const uint8_t *data,
                        size_t size, uint64_t raw_base, uint64_t *entry, uint64_t *low,
                        uint64_t *high, char *err)
{
    if (size >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0)
        return machine_load_elf(bs, name, data, size, entry, low, high, err);
    /* Anything else is a raw image (a Linux Image, a flat binary) at raw_base: DRAM base with
     * -bios none, the firmware's end aligned up to 2 MiB with a firmware (as QEMU does). A
     * Linux Image reserves its whole image_size, so nothing is placed over its bss. */
    if (size == 0) {
        snprintf(err, MACHINE_ERRLEN, "kernel '%s' is empty", name);
        return -ERR_FORMAT;
    }
    uint64_t memsz = machine_image_size(data, size);
    if (memsz < size)
        memsz = size;
    uint64_t room = bs->ram_base + bs->ram_size - raw_base;
    if (raw_base < bs->ram_base || memsz > room) {
        snprintf(err, MACHINE_ERRLEN,
                 "kernel '%s' (%" PRIu64 " bytes in memory) does not fit in RAM (%" PRIu64
                 " MiB) at 0x%" PRIx64 "; use -m",
                 name, memsz, bs->ram_size >> 20, raw_base);
        return -ERR_RANGE;
    }
    char why[MACHINE_ERRLEN];
    int rc = machine_blobs_add(bs, raw_base, data, size, memsz, "kernel", why);
    if (rc) {
        snprintf(err, MACHINE_ERRLEN, "kernel '%s': %.400s", name, why);
        return rc;
    }
    *entry = *low = raw_base;
    *high = raw_base + memsz;
    return 0;
}

uint64_t machine_initrd_addr(uint64_t ram_size, uint64_t kernel_low, uint64_t kernel_high)
{
    uint64_t off = ram_size / 2 < (128ull << 20) ? ram_size / 2 : 128ull << 20;
    uint64_t start = kernel_low + off;
    if (start < kernel_high)
        start = (kernel_high + 0xfff) & ~0xfffull;
    return start;
}

uint64_t machine_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint32_t fdt_size)
{
    const uint64_t limit = 3ull << 30, align = 2ull << 20;
    uint64_t end = ram_base + ram_size;
    if (ram_base < limit && end > limit)
        end = limit;
    if (fdt_size > end - ram_base)
        return 0;
    uint64_t addr = (end - fdt_size) & ~(align - 1);
    return addr < ram_base ? 0 : addr;
}

/* ---- The reset ROM ---- */

enum { REG_ZERO = 0, REG_T0 = 5, REG_A0 = 10, REG_A1 = 11, REG_A2 = 12 };
#define CSR_MHARTID 0xf14

static uint32_t enc_u(uint32_t opcode, unsigned rd, uint32_t imm20)
{
    return imm20 << 12 | rd << 7 | opcode;
}

static uint32_t enc_i(uint32_t opcode, unsigned funct3, unsigned rd, unsigned rs1, uint32_t imm12)
{
    return (imm12 & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* The layout QEMU 7.2 uses, word for word, so OpenSBI and kernels that peek at it agree:
 *
 *   0x00  auipc t0, 0            t0 = rom base
 *   0x04  addi  a2, t0, 0x28     a2 = &fw_dynamic_info
 *   0x08  csrr  a0, mhartid      a0 = hart id
 *   0x0c  ld    a1, 0x20(t0)     a1 = device tree address
 *   0x10  ld    t0, 0x18(t0)     t0 = start address
 *   0x14  jr    t0
 *   0x18  .dword start
 *   0x20  .dword fdt_addr
 *   0x28  fw_dynamic_info { magic "OSBI", version 2, next_addr, next_mode S, options 0,
 *                           boot_hart 0 }  (six dwords) */
void machine_rom_build(uint8_t *rom, size_t rom_size, uint64_t start, uint64_t fdt_addr,
                       uint64_t kernel_entry)
{
    const uint32_t OP_AUIPC = 0x17, OP_IMM = 0x13, OP_SYSTEM = 0x73, OP_LOAD = 0x03, OP_JALR = 0x67;
    const unsigned F3_ADD = 0, F3_CSRRS = 2, F3_LD = 3;
    const uint32_t words[] = {
        enc_u(OP_AUIPC, REG_T0, 0),
        enc_i(OP_IMM, F3_ADD, REG_A2, REG_T0, MACHINE_ROM_FW_INFO_OFFSET),
        enc_i(OP_SYSTEM, F3_CSRRS, REG_A0, REG_ZERO, CSR_MHARTID),
        enc_i(OP_LOAD, F3_LD, REG_A1, REG_T0, 0x20),
        enc_i(OP_LOAD, F3_LD, REG_T0, REG_T0, 0x18),
        enc_i(OP_JALR, 0, REG_ZERO, REG_T0, 0),
    };
    memset(rom, 0, rom_size);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++)
        put32(rom + 4 * i, words[i]);
    put64(rom + 0x18, start);
    put64(rom + 0x20, fdt_addr);

    const uint64_t FW_DYNAMIC_MAGIC = 0x4942534f; /* "OSBI" */
    const uint64_t FW_DYNAMIC_VERSION = 2, NEXT_MODE_S = 1;
    uint8_t *info = rom + MACHINE_ROM_FW_INFO_OFFSET;
    put64(info + 0x00, FW_DYNAMIC_MAGIC);
    put64(info + 0x08, FW_DYNAMIC_VERSION);
    put64(info + 0x10, kernel_entry);
    put64(info + 0x18, NEXT_MODE_S);
    put64(info + 0x20, 0); /* options */
    put64(info + 0x28, 0); /* boot_hart */
}
