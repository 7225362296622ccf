/* Boot loading: the ELF loader takes good RISC-V images and refuses truncated or hostile
 * ones with a message naming the file (never a crash); raw images go to DRAM base; blobs stay
 * in RAM and apart; the device tree and initrd land where QEMU 7.2 puts them; the reset ROM
 * is QEMU's word for word; and a whole board boots with them and re-copies them on reset. */
#include "machine/machine.h"
#include "test.h"

#include <elf.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (128ull << 20)

/* A small ELF64 RISC-V executable with up to 4 segments, built in memory. */
struct elf_img {
    uint8_t buf[8192];
    size_t size;
    Elf64_Ehdr *eh;
    Elf64_Phdr *ph;
};

static void elf_make(struct elf_img *e, unsigned nseg)
{
    memset(e, 0, sizeof(*e));
    e->eh = (Elf64_Ehdr *)e->buf;
    e->ph = (Elf64_Phdr *)(e->buf + sizeof(Elf64_Ehdr));
    memcpy(e->eh->e_ident, ELFMAG, SELFMAG);
    e->eh->e_ident[EI_CLASS] = ELFCLASS64;
    e->eh->e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh->e_ident[EI_VERSION] = EV_CURRENT;
    e->eh->e_type = ET_EXEC;
    e->eh->e_machine = 243; /* EM_RISCV */
    e->eh->e_version = EV_CURRENT;
    e->eh->e_entry = RAM_BASE;
    e->eh->e_phoff = sizeof(Elf64_Ehdr);
    e->eh->e_ehsize = sizeof(Elf64_Ehdr);
    e->eh->e_phentsize = sizeof(Elf64_Phdr);
    e->eh->e_phnum = (uint16_t)nseg;
    for (unsigned i = 0; i < nseg; i++) {
        Elf64_Phdr *p = &e->ph[i];
        p->p_type = PT_LOAD;
        p->p_offset = 4096 + 512 * i;
        p->p_paddr = p->p_vaddr = RAM_BASE + 0x10000 * i;
        p->p_filesz = 256;
        p->p_memsz = 1024;
        p->p_align = 4096;
        memset(e->buf + p->p_offset, 0xa0 + (int)i, 256);
    }
    e->size = 4096 + 512 * nseg;
}

static int load(struct elf_img *e, struct machine_blobs *bs, char *err)
{
    uint64_t entry, lo, hi;
    machine_blobs_init(bs, RAM_BASE, RAM_SIZE);
    err[0] = '\0';
    return machine_load_kernel(bs, "k.elf", e->buf, e->size, bs->ram_base, &entry, &lo, &hi, err);
}

/* Expects the image to be refused with a message naming the file and containing what. */
static void expect_refused(struct elf_img *e, const char *what)
{
    struct machine_blobs bs;
    char err[MACHINE_ERRLEN];
    int rc = load(e, &bs, err);
    CHECK(rc < 0);
    CHECK_EQ(bs.n, 0);
    CHECK(strstr(err, "k.elf") != NULL);
    if (!strstr(err, what)) {
        fprintf(stderr, "  message '%s' lacks '%s'\n", err, what);
        CHECK(0);
    }
    machine_blobs_free(&bs);
}

TEST(good_elf_loads_at_physical_addresses)
{
    struct elf_img e;
    elf_make(&e, 2);
    e.ph[1].p_vaddr = 0xffffffff80010000ull; /* virtual differs: p_paddr counts */
    e.eh->e_entry = RAM_BASE + 0x40;
    struct machine_blobs bs;
    char err[MACHINE_ERRLEN];
    uint64_t entry, lo, hi;
    machine_blobs_init(&bs, RAM_BASE, RAM_SIZE);
    CHECK_EQ(machine_load_kernel(&bs, "k.elf", e.buf, e.size, bs.ram_base, &entry, &lo, &hi, err), 0);
    CHECK_EQ(entry, RAM_BASE + 0x40);
    CHECK_EQ(lo, RAM_BASE);
    CHECK_EQ(hi, RAM_BASE + 0x10000 + 1024);
    CHECK_EQ(bs.n, 2);
    CHECK_EQ(bs.v[1].addr, RAM_BASE + 0x10000);
    CHECK_EQ(bs.v[1].filesz, 256);
    CHECK_EQ(bs.v[1].memsz, 1024);
    CHECK_EQ(bs.v[1].data[0], 0xa1);
    machine_blobs_free(&bs);
}

TEST(non_load_and_empty_segments_skipped)
{
    struct elf_img e;
    elf_make(&e, 3);
    e.ph[1].p_type = PT_NOTE;
    e.ph[1].p_paddr = 0; /* outside RAM, but not loaded */
    e.ph[2].p_memsz = e.ph[2].p_filesz = 0;
    e.ph[2].p_paddr = 0x1234;
    struct machine_blobs bs;
    char err[MACHINE_ERRLEN];
    CHECK_EQ(load(&e, &bs, err), 0);
    CHECK_EQ(bs.n, 1);
    machine_blobs_free(&bs);
}

TEST(linker_headers_below_ram_are_dropped)
{
    /* what `ld -Ttext=0x80000000` makes: one segment from file offset 0 at 0x7ffff000 */
    struct elf_img e;
    elf_make(&e, 1);
    e.ph[0].p_offset = 0;
    e.ph[0].p_paddr = RAM_BASE - 4096;
    e.ph[0].p_filesz = e.ph[0].p_memsz = 4096 + 256;
    struct machine_blobs bs;
    char err[MACHINE_ERRLEN];
    CHECK_EQ(load(&e, &bs, err), 0);
    CHECK_EQ(bs.n, 1);
    CHECK_EQ(bs.v[0].addr, RAM_BASE);
    CHECK_EQ(bs.v[0].memsz, 256);
    machine_blobs_free(&bs);
    /* but real contents below RAM are an error */
    elf_make(&e, 1);
    e.ph[0].p_paddr = RAM_BASE - 4096;
    e.ph[0].p_filesz = e.ph[0].p_memsz = 4096 + 256;
    e.size = e.ph[0].p_offset + e.ph[0].p_filesz;
    expect_refused(&e, "outside RAM");
}

TEST(segment_outside_ram_refused)
{
    struct elf_img e;
    elf_make(&e, 1);
    e.ph[0].p_paddr = 0x1000; /* the ROM */
    expect_refused(&e, "outside RAM");
    elf_make(&e, 1);
    e.ph[0].p_paddr = RAM_BASE + RAM_SIZE - 512; /* runs off the end */
    expect_refused(&e, "outside RAM");
    elf_make(&e, 1);
    e.ph[0].p_paddr = UINT64_MAX - 100; /* wraps */
    expect_refused(&e, "outside RAM");
    elf_make(&e, 1);
    e.ph[0].p_memsz = UINT64_MAX; /* wraps */
    expect_refused(&e, "outside RAM");
}

TEST(bad_headers_refused)
{
    struct elf_img e;
    elf_make(&e, 1);
    e.eh->e_ident[EI_CLASS] = ELFCLASS32;
    expect_refused(&e, "64-bit");
    elf_make(&e, 1);
    e.eh->e_ident[EI_DATA] = ELFDATA2MSB;
    expect_refused(&e, "little-endian");
    elf_make(&e, 1);
    e.eh->e_machine = EM_X86_64;
    expect_refused(&e, "RISC-V");
    elf_make(&e, 1);
    e.eh->e_type = ET_REL;
    expect_refused(&e, "executable");
    elf_make(&e, 1);
    e.eh->e_phentsize = 32;
    expect_refused(&e, "program header size");
    elf_make(&e, 1);
    e.eh->e_phnum = 0;
    expect_refused(&e, "no program headers");
}

TEST(huge_phnum_and_offsets_past_eof_refused)
{
    struct elf_img e;
    elf_make(&e, 1);
    e.eh->e_phnum = 0xffff;
    expect_refused(&e, "too many program headers");
    elf_make(&e, 1);
    e.eh->e_phnum = 1000; /* allowed count, but the table runs past the file */
    expect_refused(&e, "past the end");
    elf_make(&e, 1);
    e.eh->e_phoff = UINT64_MAX - 8;
    expect_refused(&e, "past the end");
    elf_make(&e, 1);
    e.ph[0].p_offset = 1ull << 40;
    expect_refused(&e, "past the end of the file");
    elf_make(&e, 1);
    e.ph[0].p_offset = UINT64_MAX - 10; /* offset + filesz wraps */
    expect_refused(&e, "past the end of the file");
    elf_make(&e, 1);
    e.ph[0].p_filesz = 2048; /* filesz > memsz */
    expect_refused(&e, "p_filesz > p_memsz");
}

TEST(overlapping_segments_refused)
{
    struct elf_img e;
    elf_make(&e, 2);
    e.ph[1].p_paddr = RAM_BASE + 512;
    expect_refused(&e, "overlaps");
}

TEST(truncated_files_refused_at_every_length)
{
    struct elf_img e;
    elf_make(&e, 2);
    size_t full = e.ph[1].p_offset + e.ph[1].p_filesz; /* past this is padding */
    for (size_t n = 0; n < full; n += (n < 200 ? 1 : 97)) {
        struct machine_blobs bs;
        char err[MACHINE_ERRLEN];
        uint64_t entry, lo, hi;
        machine_blobs_init(&bs, RAM_BASE, RAM_SIZE);
        int rc = machine_load_elf(&bs, "k.elf", e.buf, n, &entry, &lo, &hi, err);
        CHECK(rc < 0);
        CHECK_EQ(bs.n, 0);
        machine_blobs_free(&bs);
    }
}

TEST(random_mutations_never_crash)
{
    uint64_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        struct elf_img e;
        elf_make(&e, 3);
        for (int k = 0; k < 4; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (seed >> 33) % (sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr));
            e.buf[at] = (uint8_t)(seed >> 20);
        }
        struct machine_blobs bs;
        char err[MACHINE_ERRLEN];
        if (load(&e, &bs, err) == 0) {
            for (unsigned i = 0; i < bs.n; i++) {
                CHECK(bs.v[i].addr >= RAM_BASE);
                CHECK(bs.v[i].addr + bs.v[i].memsz <= RAM_BASE + RAM_SIZE);
            }
        }
        machine_blobs_free(&bs);
    }
}

TEST(raw_images_go_to_dram_base)
{
    uint8_t img[100] = {0x13, 0, 0, 0};
    struct machine_blobs bs;
    char err[MACHINE_ERRLEN];
    uint64_t entry, lo, hi;
    machine_blobs_init(&bs, RAM_BASE, RAM_SIZE);
    CHECK_EQ(machine_load_kernel(&bs, "Image", img, sizeof(img), bs.ram_base, &entry, &lo, &hi, err), 0);
    CHECK_EQ(entry, RAM_BASE);
    CHECK_EQ(hi, RAM_BASE + 100);
    machine_blobs_free(&bs);
    machine_blobs_init(&bs, RAM_BASE, 4096);
    uint8_t *big = calloc(1, 8192);
    CHECK(machine_load_kernel(&bs, "Image", big, 8192, bs.ram_base, &entry, &lo, &hi, err) < 0);
    CHECK(strstr(err, "Image") && strstr(err, "does not fit"));
    CHECK(machine_load_kernel(&bs, "Empty", big, 0, bs.ram_base, &entry, &lo, &hi, err) < 0);
    free(big);
    machine_blobs_free(&bs);
}

TEST(linux_image_reserves_its_image_size_at_the_given_base)
{
    /* A RISC-V Image header: image_size at 0x10, magics at 0x30 and 0x38. */
    uint8_t img[0x80] = {0};
    uint64_t image_size = 0x3000;
    memcpy(img + 0x10, &image_size, 8);
    memcpy(img + 0x30, "RISCV\0\0\0", 8);
    memcpy(img + 0x38, "RSC\x05", 4);
    CHECK_EQ(machine_image_size(img, sizeof(img)), 0x3000);
    CHECK_EQ(machine_image_size(img, 0x20), 0); /* truncated header: not an Image */
    struct machine_blobs bs;
    char err[MACHINE_ERRLEN];
    uint64_t entry, lo, hi;
    machine_blobs_init(&bs, RAM_BASE, RAM_SIZE);
    CHECK_EQ(machine_load_kernel(&bs, "Image", img, sizeof(img), RAM_BASE + 0x200000, &entry, &lo,
                                 &hi, err), 0);
    CHECK_EQ(entry, RAM_BASE + 0x200000);
    CHECK_EQ(hi, RAM_BASE + 0x200000 + 0x3000);
    machine_blobs_free(&bs);
    /* An image_size beyond RAM is refused, not trusted. */
    image_size = ~0ull;
    memcpy(img + 0x10, &image_size, 8);
    machine_blobs_init(&bs, RAM_BASE, RAM_SIZE);
    CHECK(machine_load_kernel(&bs, "Image", img, sizeof(img), RAM_BASE, &entry, &lo, &hi, err) < 0);
    machine_blobs_free(&bs);
}

TEST(fdt_and_initrd_addresses_as_qemu)
{
    /* QEMU 7.2 places a small tree at 0x87e00000 with -m 128M, and caps at 3 GiB */
    CHECK_EQ(machine_fdt_addr(RAM_BASE, 128ull << 20, 4096), 0x87e00000);
    CHECK_EQ(machine_fdt_addr(RAM_BASE, 256ull << 20, 4096), 0x8fe00000);
    CHECK_EQ(machine_fdt_addr(RAM_BASE, 1ull << 30, 4096), 0xbfe00000);
    CHECK_EQ(machine_fdt_addr(RAM_BASE, 4ull << 30, 4096), 0xbfe00000);
    CHECK_EQ(machine_fdt_addr(RAM_BASE, 1ull << 20, 4096), RAM_BASE); /* aligned down to base */
    CHECK_EQ(machine_fdt_addr(RAM_BASE, 1ull << 20, 2 << 20), 0);     /* bigger than RAM */
    /* initrd: kernel + min(RAM/2, 128 MiB), as QEMU 7.2 */
    CHECK_EQ(machine_initrd_addr(128ull << 20, RAM_BASE, RAM_BASE + 4096), 0x84000000);
    CHECK_EQ(machine_initrd_addr(512ull << 20, RAM_BASE, RAM_BASE + 4096), 0x88000000);
    CHECK_EQ(machine_initrd_addr(16ull << 20, RAM_BASE, RAM_BASE + (12ull << 20)),
             RAM_BASE + (12ull << 20)); /* a kernel bigger than the offset pushes it up */
}

TEST(reset_rom_is_qemus)
{
    /* Words read from QEMU 7.2 with `xp /20wx 0x1000` (-M virt -bios none -m 128M). */
    static const uint32_t qemu[] = {0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283,
                                    0x00028067, 0x80000000, 0x00000000, 0x87e00000, 0x00000000,
                                    0x4942534f, 0x00000000, 0x00000002, 0x00000000, 0x00000000,
                                    0x00000000, 0x00000001, 0x00000000, 0x00000000, 0x00000000};
    uint8_t rom[0x100];
    machine_rom_build(rom, sizeof(rom), 0x80000000, 0x87e00000, 0);
    for (size_t i = 0; i < ARRAY_SIZE(qemu); i++) {
        uint32_t w;
        memcpy(&w, rom + 4 * i, 4);
        CHECK_EQ(w, qemu[i]);
    }
    machine_rom_build(rom, sizeof(rom), 0x80000000, 0x87e00000, 0x80200000);
    uint64_t next;
    memcpy(&next, rom + MACHINE_ROM_FW_INFO_OFFSET + 16, 8);
    CHECK_EQ(next, 0x80200000);
}

TEST(blobs_stay_in_ram_and_apart)
{
    struct machine_blobs bs;
    char err[MACHINE_ERRLEN];
    uint8_t d[16] = {1, 2, 3};
    machine_blobs_init(&bs, RAM_BASE, RAM_SIZE);
    CHECK_EQ(machine_blobs_add(&bs, RAM_BASE, d, 16, 64, "a", err), 0);
    CHECK(machine_blobs_add(&bs, RAM_BASE + 32, d, 16, 16, "b", err) < 0);
    CHECK(strstr(err, "overlaps a") != NULL);
    CHECK(machine_blobs_add(&bs, RAM_BASE - 16, d, 16, 16, "c", err) < 0);
    CHECK(machine_blobs_add(&bs, RAM_BASE + RAM_SIZE - 8, d, 16, 16, "c", err) < 0);
    CHECK(machine_blobs_add(&bs, RAM_BASE + 64, d, 16, 8, "c", err) < 0); /* filesz > memsz */
    CHECK_EQ(machine_blobs_add(&bs, RAM_BASE + 64, d, 16, 16, "d", err), 0);
    CHECK_EQ(bs.n, 2);
    machine_blobs_free(&bs);
}

/* ---- the whole board ---- */

static char *write_temp(const void *data, size_t n)
{
    char *path = strdup("/tmp/visor-test-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, data, n), n);
    close(fd);
    return path;
}

TEST(board_boots_with_kernel_initrd_and_reloads_on_reset)
{
    struct elf_img e;
    elf_make(&e, 1);
    char *kpath = write_temp(e.buf, e.size);
    char *ipath = write_temp("initrd-bytes", 12);
    struct machine_config cfg = {.ram_size = RAM_SIZE,
                                 .nharts = 2,
                                 .kernel = kpath,
                                 .initrd = ipath,
                                 .append = "console=ttyS0"};
    struct machine *m;
    char err[MACHINE_ERRLEN];
    int rc = machine_create(&m, &cfg, NULL, err);
    CHECK_EQ(rc, 0);
    if (rc) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK_EQ(m->fdt_addr, 0x87e00000);
    CHECK_EQ(m->initrd_start, 0x84000000);
    CHECK_EQ(m->initrd_end, 0x84000000 + 12);
    CHECK_EQ(m->harts[0].pc, 0x1000);
    CHECK_EQ(m->harts[1].pc, 0x1000);
    CHECK_EQ(m->harts[1].mhartid, 1);
    uint8_t *ram = bus_ram_ptr(&m->bus, RAM_BASE, 1024);
    CHECK(ram && ram[0] == 0xa0 && ram[255] == 0xa0 && ram[256] == 0);
    CHECK(!memcmp(bus_ram_ptr(&m->bus, 0x84000000, 12), "initrd-bytes", 12));
    CHECK(!memcmp(bus_ram_ptr(&m->bus, 0x87e00000, 4), "\xd0\x0d\xfe\xed", 4));
    /* the ROM is on the bus and says where the tree is */
    uint64_t v;
    CHECK_EQ(bus_read(&m->bus, 0x1000, 4, &v), 0);
    CHECK_EQ(v, 0x00000297);
    CHECK_EQ(bus_read(&m->bus, 0x1020, 8, &v), 0);
    CHECK_EQ(v, 0x87e00000);
    /* the guest scribbles over its image; reset puts it back and the harts at the ROM */
    memset(ram, 0x55, 1024);
    m->harts[0].pc = 0x80001234;
    machine_reset(m);
    CHECK(ram[0] == 0xa0 && ram[256] == 0);
    CHECK_EQ(m->harts[0].pc, 0x1000);
    machine_free(m);
    unlink(kpath);
    unlink(ipath);
    free(kpath);
    free(ipath);
}

TEST(board_errors_name_the_flag_or_file)
{
    struct machine *m;
    char err[MACHINE_ERRLEN];
    struct machine_config cfg = {.ram_size = RAM_SIZE, .nharts = 1, .kernel = "/nonexistent/k"};
    CHECK(machine_create(&m, &cfg, NULL, err) < 0);
    CHECK(strstr(err, "-kernel") && strstr(err, "/nonexistent/k"));
    char *junk = write_temp("this is not a device tree, not at all, no no no", 48);
    cfg = (struct machine_config){.ram_size = RAM_SIZE, .nharts = 1, .dtb = junk};
    CHECK(machine_create(&m, &cfg, NULL, err) < 0);
    CHECK(strstr(err, "-dtb") && strstr(err, junk) && strstr(err, "malformed"));
    unlink(junk);
    free(junk);
    cfg = (struct machine_config){.ram_size = RAM_SIZE, .nharts = 9};
    CHECK(machine_create(&m, &cfg, NULL, err) < 0);
    CHECK(strstr(err, "-smp") != NULL);
    cfg = (struct machine_config){.ram_size = 0, .nharts = 1};
    CHECK(machine_create(&m, &cfg, NULL, err) < 0);
    CHECK(strstr(err, "-m") != NULL);
    cfg = (struct machine_config){.ram_size = RAM_SIZE, .nharts = 1, .initrd = "/x"};
    CHECK(machine_create(&m, &cfg, NULL, err) < 0);
    CHECK(strstr(err, "-initrd") != NULL);
    /* in a 1 MiB machine the tree's 2 MiB-aligned place is the kernel's */
    struct elf_img e;
    elf_make(&e, 1);
    char *kpath = write_temp(e.buf, e.size);
    cfg = (struct machine_config){.ram_size = 1ull << 20, .nharts = 1, .kernel = kpath};
    CHECK(machine_create(&m, &cfg, NULL, err) < 0);
    CHECK(strstr(err, "device tree") && strstr(err, "overlaps") && strstr(err, "-m"));
    unlink(kpath);
    free(kpath);
}

TEST_MAIN("loader")
