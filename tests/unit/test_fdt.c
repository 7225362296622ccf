/* The generated device tree: the nodes and properties Linux and OpenSBI read, in agreement
 * with the address-map table (memmap.def), for every hart count; and the checks on a user
 * -dtb (malformed ones refused, /chosen amended). */
#include "machine/machine.h"
#include "test.h"

#include <libfdt.h>

static uint8_t *build(unsigned nharts, uint64_t ram, const char *bootargs, uint64_t is, uint64_t ie)
{
    struct machine_fdt_params p = {.ram_size = ram,
                                   .nharts = nharts,
                                   .bootargs = bootargs,
                                   .initrd_start = is,
                                   .initrd_end = ie};
    uint8_t *fdt = NULL;
    uint32_t size = 0;
    CHECK_EQ(machine_fdt_build(&p, &fdt, &size), 0);
    CHECK(fdt != NULL);
    if (fdt) {
        CHECK_EQ(fdt_check_full(fdt, size), 0);
        CHECK_EQ(fdt_totalsize(fdt), size);
    }
    return fdt;
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
    int off = fdt_path_offset(fdt, path), len = 0;
    const fdt32_t *v = off >= 0 ? fdt_getprop(fdt, off, name, &len) : NULL;
    if (!v || len != 4) {
        fprintf(stderr, "  missing u32 %s:%s\n", path, name);
        return 0xdeadbeef;
    }
    return fdt32_to_cpu(*v);
}

static const char *prop_str(const void *fdt, const char *path, const char *name)
{
    int off = fdt_path_offset(fdt, path), len = 0;
    const char *v = off >= 0 ? fdt_getprop(fdt, off, name, &len) : NULL;
    return v && len > 0 && v[len - 1] == '\0' ? v : "";
}

static bool has_prop(const void *fdt, const char *path, const char *name)
{
    int off = fdt_path_offset(fdt, path);
    return off >= 0 && fdt_getprop(fdt, off, name, NULL) != NULL;
}

/* reg = <hi lo hi lo> as (base, size). */
static void reg_of(const void *fdt, const char *path, uint64_t *base, uint64_t *size)
{
    int off = fdt_path_offset(fdt, path), len = 0;
    const fdt32_t *v = off >= 0 ? fdt_getprop(fdt, off, "reg", &len) : NULL;
    *base = *size = UINT64_MAX;
    if (v && len == 16) {
        *base = (uint64_t)fdt32_to_cpu(v[0]) << 32 | fdt32_to_cpu(v[1]);
        *size = (uint64_t)fdt32_to_cpu(v[2]) << 32 | fdt32_to_cpu(v[3]);
    }
}

static void dev_path(char *buf, size_t n, enum machine_map_id id)
{
    snprintf(buf, n, "/soc/%s@%llx", machine_map[id].node,
             (unsigned long long)machine_map[id].base);
}

TEST(map_table_has_qemu_virt_addresses)
{
    CHECK_EQ(machine_map[MAP_MROM].base, 0x1000);
    CHECK_EQ(machine_map[MAP_MROM].size, 0xf000);
    CHECK_EQ(machine_map[MAP_TEST].base, 0x100000);
    CHECK_EQ(machine_map[MAP_RTC].base, 0x101000);
    CHECK_EQ(machine_map[MAP_RTC].irq, 11);
    CHECK_EQ(machine_map[MAP_CLINT].base, 0x2000000);
    CHECK_EQ(machine_map[MAP_CLINT].size, 0x10000);
    CHECK_EQ(machine_map[MAP_PLIC].base, 0xc000000);
    CHECK_EQ(machine_map[MAP_PLIC].size, 0x600000);
    CHECK_EQ(machine_map[MAP_UART0].base, 0x10000000);
    CHECK_EQ(machine_map[MAP_UART0].irq, 10);
    CHECK_EQ(machine_map[MAP_VIRTIO].base, 0x10001000);
    CHECK_EQ(machine_map[MAP_VIRTIO].count, 8);
    CHECK_EQ(machine_map_base(MAP_VIRTIO, 7), 0x10008000);
    CHECK_EQ(machine_map[MAP_DRAM].base, 0x80000000);
    CHECK_EQ(machine_map[MAP_DRAM].compat_len, 0);
    CHECK_EQ(machine_map[MAP_TEST].compat_len, sizeof("sifive,test1\0sifive,test0\0syscon"));
}

TEST(map_rows_do_not_overlap)
{
    for (unsigned a = 0; a < MAP_COUNT; a++) {
        for (unsigned b = a + 1; b < MAP_COUNT; b++) {
            uint64_t a0 = machine_map[a].base, a1 = a0 + machine_map[a].size * machine_map[a].count;
            uint64_t b0 = machine_map[b].base, b1 = b0 + machine_map[b].size * machine_map[b].count;
            CHECK(a1 <= b0 || b1 <= a0);
        }
    }
}

TEST(root_and_chosen_like_qemu)
{
    uint8_t *fdt = build(1, 128ull << 20, NULL, 0, 0);
    if (!fdt)
        return;
    CHECK_EQ(prop_u32(fdt, "/", "#address-cells"), 2);
    CHECK_EQ(prop_u32(fdt, "/", "#size-cells"), 2);
    CHECK(!strcmp(prop_str(fdt, "/", "compatible"), "riscv-virtio"));
    CHECK(!strcmp(prop_str(fdt, "/", "model"), "riscv-virtio,qemu"));
    CHECK(!strcmp(prop_str(fdt, "/chosen", "stdout-path"), "/soc/serial@10000000"));
    CHECK(!has_prop(fdt, "/chosen", "bootargs"));
    CHECK(!has_prop(fdt, "/chosen", "linux,initrd-start"));
    CHECK(!has_prop(fdt, "/chosen", "rng-seed"));
    /* stdout-path must name a node that exists */
    CHECK(fdt_path_offset(fdt, prop_str(fdt, "/chosen", "stdout-path")) >= 0);
    free(fdt);
}

TEST(memory_node_matches_ram_size)
{
    uint64_t sizes[] = {1ull << 20, 128ull << 20, 4ull << 30};
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint8_t *fdt = build(1, sizes[i], NULL, 0, 0);
        if (!fdt)
            return;
        uint64_t base, size;
        reg_of(fdt, "/memory@80000000", &base, &size);
        CHECK_EQ(base, machine_map[MAP_DRAM].base);
        CHECK_EQ(size, sizes[i]);
        CHECK(!strcmp(prop_str(fdt, "/memory@80000000", "device_type"), "memory"));
        free(fdt);
    }
}

TEST(cpus_for_every_hart_count)
{
    for (unsigned n = 1; n <= MACHINE_MAX_HARTS; n++) {
        uint8_t *fdt = build(n, 128ull << 20, NULL, 0, 0);
        if (!fdt)
            return;
        CHECK_EQ(prop_u32(fdt, "/cpus", "timebase-frequency"), 10000000);
        CHECK_EQ(prop_u32(fdt, "/cpus", "#address-cells"), 1);
        CHECK_EQ(prop_u32(fdt, "/cpus", "#size-cells"), 0);
        for (unsigned i = 0; i < n; i++) {
            char cpu[64], intc[96], core[64];
            snprintf(cpu, sizeof(cpu), "/cpus/cpu@%u", i);
            snprintf(intc, sizeof(intc), "%s/interrupt-controller", cpu);
            snprintf(core, sizeof(core), "/cpus/cpu-map/cluster0/core%u", i);
            CHECK_EQ(prop_u32(fdt, cpu, "reg"), i);
            CHECK(!strcmp(prop_str(fdt, cpu, "device_type"), "cpu"));
            CHECK(!strcmp(prop_str(fdt, cpu, "status"), "okay"));
            CHECK(!strcmp(prop_str(fdt, cpu, "compatible"), "riscv"));
            CHECK(!strcmp(prop_str(fdt, cpu, "riscv,isa"), MACHINE_RISCV_ISA));
            CHECK(!strncmp(prop_str(fdt, cpu, "riscv,isa"), "rv64imafdc", 10));
            CHECK(!strcmp(prop_str(fdt, cpu, "mmu-type"), "riscv,sv48"));
            CHECK_EQ(prop_u32(fdt, intc, "#interrupt-cells"), 1);
            CHECK(has_prop(fdt, intc, "interrupt-controller"));
            CHECK(!strcmp(prop_str(fdt, intc, "compatible"), "riscv,cpu-intc"));
            /* cpu-map points at this cpu's phandle */
            CHECK_EQ(prop_u32(fdt, core, "cpu"), fdt_get_phandle(fdt, fdt_path_offset(fdt, cpu)));
        }
        char extra[32];
        snprintf(extra, sizeof(extra), "/cpus/cpu@%u", n);
        CHECK(fdt_path_offset(fdt, extra) < 0);
        free(fdt);
    }
}

/* Every soc device sits where the map table says, with its compatible list and PLIC IRQ. */
TEST(soc_devices_agree_with_the_map)
{
    static const enum machine_map_id devs[] = {MAP_TEST, MAP_RTC, MAP_CLINT, MAP_PLIC, MAP_UART0};
    uint8_t *fdt = build(2, 128ull << 20, NULL, 0, 0);
    if (!fdt)
        return;
    uint32_t plic = fdt_get_phandle(fdt, fdt_path_offset(fdt, "/soc/plic@c000000"));
    CHECK(plic != 0);
    for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
        const struct machine_map_entry *e = &machine_map[devs[i]];
        char path[64];
        dev_path(path, sizeof(path), devs[i]);
        int off = fdt_path_offset(fdt, path);
        CHECK(off >= 0);
        if (off < 0) {
            fprintf(stderr, "  no node %s\n", path);
            continue;
        }
        uint64_t base, size;
        reg_of(fdt, path, &base, &size);
        CHECK_EQ(base, e->base);
        CHECK_EQ(size, e->size);
        int len;
        const void *compat = fdt_getprop(fdt, off, "compatible", &len);
        CHECK(compat && (size_t)len == e->compat_len && !memcmp(compat, e->compat, e->compat_len));
        if (e->irq) {
            CHECK_EQ(prop_u32(fdt, path, "interrupts"), e->irq);
            CHECK_EQ(prop_u32(fdt, path, "interrupt-parent"), plic);
        } else {
            CHECK(!has_prop(fdt, path, "interrupts"));
        }
    }
    CHECK_EQ(prop_u32(fdt, "/soc/serial@10000000", "clock-frequency"), 3686400);
    CHECK(!strcmp(prop_str(fdt, "/soc", "compatible"), "simple-bus"));
    CHECK(has_prop(fdt, "/soc", "ranges"));
    /* all eight virtio-mmio slots, each with its reg and PLIC source (1..8) */
    for (unsigned k = 0; k < 8; k++) {
        char path[64];
        snprintf(path, sizeof(path), "/soc/virtio_mmio@%llx",
                 (unsigned long long)machine_map_base(MAP_VIRTIO, k));
        int node = fdt_path_offset(fdt, path);
        CHECK(node >= 0);
        if (node < 0)
            continue;
        const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", NULL);
        CHECK(irq && fdt32_to_cpu(*irq) == 1 + k);
        CHECK(fdt_node_check_compatible(fdt, node, "virtio,mmio") == 0);
    }
    free(fdt);
}

static void check_ext(const void *fdt, const char *path, unsigned nharts, uint32_t a, uint32_t b)
{
    int off = fdt_path_offset(fdt, path), len = 0;
    const fdt32_t *v = fdt_getprop(fdt, off, "interrupts-extended", &len);
    CHECK(v != NULL);
    CHECK_EQ(len, 16 * nharts);
    if (!v || len != (int)(16 * nharts))
        return;
    for (unsigned i = 0; i < nharts; i++) {
        char intc[64];
        snprintf(intc, sizeof(intc), "/cpus/cpu@%u/interrupt-controller", i);
        uint32_t ph = fdt_get_phandle(fdt, fdt_path_offset(fdt, intc));
        CHECK_EQ(fdt32_to_cpu(v[4 * i + 0]), ph);
        CHECK_EQ(fdt32_to_cpu(v[4 * i + 1]), a);
        CHECK_EQ(fdt32_to_cpu(v[4 * i + 2]), ph);
        CHECK_EQ(fdt32_to_cpu(v[4 * i + 3]), b);
    }
}

TEST(plic_and_clint_contexts_per_hart)
{
    for (unsigned n = 1; n <= MACHINE_MAX_HARTS; n++) {
        uint8_t *fdt = build(n, 128ull << 20, NULL, 0, 0);
        if (!fdt)
            return;
        /* PLIC context 2i is hart i's M-mode external interrupt (11), 2i+1 its S-mode (9) */
        check_ext(fdt, "/soc/plic@c000000", n, 11, 9);
        /* CLINT: machine software (3) and timer (7) per hart */
        check_ext(fdt, "/soc/clint@2000000", n, 3, 7);
        CHECK_EQ(prop_u32(fdt, "/soc/plic@c000000", "riscv,ndev"), 95);
        CHECK_EQ(prop_u32(fdt, "/soc/plic@c000000", "#interrupt-cells"), 1);
        CHECK_EQ(prop_u32(fdt, "/soc/plic@c000000", "#address-cells"), 0);
        CHECK(has_prop(fdt, "/soc/plic@c000000", "interrupt-controller"));
        free(fdt);
    }
}

TEST(phandles_unique_and_qemu_ordered)
{
    uint8_t *fdt = build(3, 128ull << 20, NULL, 0, 0);
    if (!fdt)
        return;
    uint32_t seen[64];
    unsigned n = 0;
    for (int off = fdt_next_node(fdt, -1, NULL); off >= 0; off = fdt_next_node(fdt, off, NULL)) {
        uint32_t ph = fdt_get_phandle(fdt, off);
        if (!ph)
            continue;
        for (unsigned i = 0; i < n; i++)
            CHECK(seen[i] != ph);
        if (n < ARRAY_SIZE(seen))
            seen[n++] = ph;
    }
    CHECK_EQ(n, 3 * 2 + 2); /* cpu + intc per hart, plic, test */
    /* QEMU's order: the highest hart first */
    CHECK_EQ(fdt_get_phandle(fdt, fdt_path_offset(fdt, "/cpus/cpu@2")), 1);
    CHECK_EQ(fdt_get_phandle(fdt, fdt_path_offset(fdt, "/cpus/cpu@0")), 5);
    CHECK_EQ(fdt_get_phandle(fdt, fdt_path_offset(fdt, "/soc/plic@c000000")), 7);
    CHECK_EQ(fdt_get_phandle(fdt, fdt_path_offset(fdt, "/soc/test@100000")), 8);
    free(fdt);
}

TEST(poweroff_and_reboot_use_the_test_device)
{
    uint8_t *fdt = build(1, 128ull << 20, NULL, 0, 0);
    if (!fdt)
        return;
    uint32_t test = fdt_get_phandle(fdt, fdt_path_offset(fdt, "/soc/test@100000"));
    CHECK_EQ(prop_u32(fdt, "/poweroff", "regmap"), test);
    CHECK_EQ(prop_u32(fdt, "/poweroff", "value"), 0x5555);
    CHECK_EQ(prop_u32(fdt, "/poweroff", "offset"), 0);
    CHECK(!strcmp(prop_str(fdt, "/poweroff", "compatible"), "syscon-poweroff"));
    CHECK_EQ(prop_u32(fdt, "/reboot", "regmap"), test);
    CHECK_EQ(prop_u32(fdt, "/reboot", "value"), 0x7777);
    CHECK(!strcmp(prop_str(fdt, "/reboot", "compatible"), "syscon-reboot"));
    free(fdt);
}

TEST(bootargs_and_initrd_in_chosen)
{
    uint8_t *fdt = build(1, 128ull << 20, "console=ttyS0 root=/dev/vda", 0x84000000, 0x84000bb8);
    if (!fdt)
        return;
    CHECK(!strcmp(prop_str(fdt, "/chosen", "bootargs"), "console=ttyS0 root=/dev/vda"));
    CHECK_EQ(prop_u32(fdt, "/chosen", "linux,initrd-start"), 0x84000000);
    CHECK_EQ(prop_u32(fdt, "/chosen", "linux,initrd-end"), 0x84000bb8);
    free(fdt);
    /* above 4 GiB the cells become 64-bit */
    fdt = build(1, 8ull << 30, "", 0x180000000ull, 0x180001000ull);
    if (!fdt)
        return;
    CHECK(!has_prop(fdt, "/chosen", "bootargs"));
    int len;
    const void *v = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-end", &len);
    fdt64_t be = 0;
    if (v && len == 8)
        memcpy(&be, v, 8); /* property values are only 4-byte aligned */
    CHECK(v && len == 8 && fdt64_to_cpu(be) == 0x180001000ull);
    free(fdt);
}

TEST(rng_seed_when_asked)
{
    struct machine_fdt_params p = {.ram_size = 128ull << 20, .nharts = 1, .rng_seed = true};
    uint8_t *fdt;
    uint32_t size;
    CHECK_EQ(machine_fdt_build(&p, &fdt, &size), 0);
    int len = 0;
    CHECK(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "rng-seed", &len) != NULL);
    CHECK_EQ(len, 32);
    free(fdt);
}

TEST(bad_hart_counts_refused)
{
    struct machine_fdt_params p = {.ram_size = 128ull << 20, .nharts = 0};
    uint8_t *fdt;
    uint32_t size;
    CHECK(machine_fdt_build(&p, &fdt, &size) < 0);
    p.nharts = MACHINE_MAX_HARTS + 1;
    CHECK(machine_fdt_build(&p, &fdt, &size) < 0);
}

/* ---- user device trees (-dtb) ---- */

static uint8_t *dup(const void *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    memcpy(d, p, n);
    return d;
}

TEST(user_dtb_garbage_refused)
{
    char err[MACHINE_ERRLEN];
    uint32_t size;
    uint8_t junk[256];
    memset(junk, 0x5a, sizeof(junk));
    uint8_t *d = dup(junk, sizeof(junk));
    CHECK(machine_fdt_amend(&d, &size, sizeof(junk), NULL, 0, 0, err) < 0);
    CHECK(strstr(err, "malformed device tree") != NULL);
    free(d);
    d = dup(junk, 3); /* shorter than a header */
    CHECK(machine_fdt_amend(&d, &size, 3, NULL, 0, 0, err) < 0);
    free(d);
}

TEST(user_dtb_truncated_or_corrupt_refused)
{
    uint8_t *good = build(2, 128ull << 20, NULL, 0, 0);
    if (!good)
        return;
    uint32_t total = fdt_totalsize(good), size;
    char err[MACHINE_ERRLEN];
    /* the file is shorter than the header claims */
    uint8_t *d = dup(good, total - 100);
    CHECK(machine_fdt_amend(&d, &size, total - 100, NULL, 0, 0, err) < 0);
    free(d);
    /* a structure block offset pointing past the end */
    d = dup(good, total);
    ((fdt32_t *)d)[2] = cpu_to_fdt32(total + 64); /* off_dt_struct */
    CHECK(machine_fdt_amend(&d, &size, total, NULL, 0, 0, err) < 0);
    free(d);
    /* a property length running off the structure block */
    d = dup(good, total);
    uint32_t off_struct = fdt32_to_cpu(((fdt32_t *)d)[2]);
    for (uint32_t i = off_struct; i + 8 < total; i += 4) {
        if (fdt32_to_cpu(*(fdt32_t *)(d + i)) == FDT_PROP) {
            *(fdt32_t *)(d + i + 4) = cpu_to_fdt32(0x7fffff00);
            break;
        }
    }
    CHECK(machine_fdt_amend(&d, &size, total, NULL, 0, 0, err) < 0);
    free(d);
    free(good);
}

TEST(user_dtb_gets_bootargs_and_initrd)
{
    uint8_t *good = build(1, 128ull << 20, NULL, 0, 0);
    if (!good)
        return;
    uint32_t total = fdt_totalsize(good), size;
    char err[MACHINE_ERRLEN];
    uint8_t *d = dup(good, total);
    CHECK_EQ(machine_fdt_amend(&d, &size, total, NULL, 0, 0, err), 0); /* unchanged */
    CHECK_EQ(size, total);
    CHECK_EQ(machine_fdt_amend(&d, &size, total, "quiet", 0x84000000, 0x84001000, err), 0);
    CHECK_EQ(fdt_check_full(d, size), 0);
    CHECK(!strcmp(prop_str(d, "/chosen", "bootargs"), "quiet"));
    CHECK_EQ(prop_u32(d, "/chosen", "linux,initrd-start"), 0x84000000);
    CHECK(!strcmp(prop_str(d, "/chosen", "stdout-path"), "/soc/serial@10000000"));
    free(d);
    free(good);

    /* a tree without /chosen gets one */
    uint8_t buf[512];
    CHECK_EQ(fdt_create_empty_tree(buf, sizeof(buf)), 0);
    d = dup(buf, fdt_totalsize(buf));
    CHECK_EQ(machine_fdt_amend(&d, &size, fdt_totalsize(buf), "x=1", 0, 0, err), 0);
    CHECK(!strcmp(prop_str(d, "/chosen", "bootargs"), "x=1"));
    free(d);
}

TEST_MAIN("fdt")
