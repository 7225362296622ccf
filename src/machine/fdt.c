/* The device tree, generated from the address map with libfdt's sequential-write API. Nodes
 * and properties come out in the order QEMU 7.2 emits them for `-M virt -bios none`, so that
 * `dtc -I dtb -O dts` of both differ only where visor lacks a device (pmu, fw-cfg, flash,
 * platform bus, PCIe) or on purpose (riscv,isa; riscv,ndev — see plic_node).
 *
 * Phandles follow QEMU's allocation order: harts from the highest id down get (cpu, intc) =
 * (1, 2), (3, 4), ...; then the PLIC, then the test device. */
#include "machine.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* A writer that remembers the first libfdt error, so node emitters need no error plumbing. */
struct fdtw {
    void *buf;
    int err;
};

static void begin(struct fdtw *w, const char *name)
{
    if (!w->err)
        w->err = fdt_begin_node(w->buf, name);
}

static void end(struct fdtw *w)
{
    if (!w->err)
        w->err = fdt_end_node(w->buf);
}

static void prop(struct fdtw *w, const char *name, const void *val, size_t len)
{
    if (!w->err)
        w->err = fdt_property(w->buf, name, val, (int)len);
}

static void prop_str(struct fdtw *w, const char *name, const char *s)
{
    prop(w, name, s, strlen(s) + 1);
}

static void prop_u32(struct fdtw *w, const char *name, uint32_t v)
{
    if (!w->err)
        w->err = fdt_property_u32(w->buf, name, v);
}

/* An array of 32-bit cells. */
static void prop_cells(struct fdtw *w, const char *name, const uint32_t *cells, size_t n)
{
    fdt32_t be[64];
    if (n > ARRAY_SIZE(be)) {
        w->err = -FDT_ERR_NOSPACE;
        return;
    }
    for (size_t i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    prop(w, name, be, n * sizeof(be[0]));
}

/* reg = <base-hi base-lo size-hi size-lo> for #address-cells = #size-cells = 2. */
static void prop_reg(struct fdtw *w, uint64_t base, uint64_t size)
{
    uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                     (uint32_t)size};
    prop_cells(w, "reg", c, 4);
}

static void prop_compat(struct fdtw *w, enum machine_map_id id)
{
    prop(w, "compatible", machine_map[id].compat, machine_map[id].compat_len);
}

/* Begins "<node>@<base>" for instance k of a map row. */
static void begin_dev(struct fdtw *w, enum machine_map_id id, unsigned k)
{
    char name[64];
    snprintf(name, sizeof(name), "%s@%llx", machine_map[id].node,
             (unsigned long long)machine_map_base(id, k));
    begin(w, name);
}

struct phandles {
    uint32_t cpu[MACHINE_MAX_HARTS], intc[MACHINE_MAX_HARTS];
    uint32_t plic, test;
};

static void assign_phandles(struct phandles *ph, unsigned nharts)
{
    uint32_t next = 1;
    for (int i = (int)nharts - 1; i >= 0; i--) {
        ph->cpu[i] = next++;
        ph->intc[i] = next++;
    }
    ph->plic = next++;
    ph->test = next++;
}

static void chosen_node(struct fdtw *w, const struct machine_fdt_params *p)
{
    begin(w, "chosen");
    if (p->initrd_end) {
        /* QEMU writes one cell each; two are needed only above 4 GiB (Linux reads either). */
        if (p->initrd_end <= UINT32_MAX) {
            prop_u32(w, "linux,initrd-end", (uint32_t)p->initrd_end);
            prop_u32(w, "linux,initrd-start", (uint32_t)p->initrd_start);
        } else {
            fdt64_t e = cpu_to_fdt64(p->initrd_end), s = cpu_to_fdt64(p->initrd_start);
            prop(w, "linux,initrd-end", &e, sizeof(e));
            prop(w, "linux,initrd-start", &s, sizeof(s));
        }
    }
    if (p->rng_seed) {
        uint32_t seed[8];
        if (getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed))
            prop(w, "rng-seed", seed, sizeof(seed));
    }
    if (p->bootargs && p->bootargs[0])
        prop_str(w, "bootargs", p->bootargs);
    char path[64];
    snprintf(path, sizeof(path), "/soc/%s@%llx", machine_map[MAP_UART0].node,
             (unsigned long long)machine_map_base(MAP_UART0, 0));
    prop_str(w, "stdout-path", path);
    end(w);
}

/* The syscon-poweroff / syscon-reboot nodes Linux uses to drive the test finisher. */
static void syscon_node(struct fdtw *w, const char *name, uint32_t value, uint32_t test)
{
    begin(w, name);
    prop_u32(w, "value", value);
    prop_u32(w, "offset", 0);
    prop_u32(w, "regmap", test);
    char compat[32];
    snprintf(compat, sizeof(compat), "syscon-%s", name);
    prop_str(w, "compatible", compat);
    end(w);
}

static void memory_node(struct fdtw *w, uint64_t ram_size)
{
    begin_dev(w, MAP_DRAM, 0);
    prop_str(w, "device_type", "memory");
    prop_reg(w, machine_map[MAP_DRAM].base, ram_size);
    end(w);
}

static void cpus_node(struct fdtw *w, unsigned nharts, const struct phandles *ph)
{
    begin(w, "cpus");
    prop_u32(w, "#address-cells", 1);
    prop_u32(w, "#size-cells", 0);
    prop_u32(w, "timebase-frequency", (uint32_t)TIMEBASE_HZ);
    for (unsigned i = 0; i < nharts; i++) {
        char name[32];
        snprintf(name, sizeof(name), "cpu@%u", i);
        begin(w, name);
        prop_u32(w, "phandle", ph->cpu[i]);
        prop_str(w, "device_type", "cpu");
        prop_u32(w, "reg", i);
        prop_str(w, "status", "okay");
        prop_str(w, "compatible", "riscv");
        prop_str(w, "riscv,isa", MACHINE_RISCV_ISA);
        prop_str(w, "mmu-type", MACHINE_MMU_TYPE);
        begin(w, "interrupt-controller");
        prop_u32(w, "#interrupt-cells", 1);
        prop(w, "interrupt-controller", NULL, 0);
        prop_str(w, "compatible", "riscv,cpu-intc");
        prop_u32(w, "phandle", ph->intc[i]);
        end(w);
        end(w);
    }
    begin(w, "cpu-map");
    begin(w, "cluster0");
    for (unsigned i = 0; i < nharts; i++) {
        char name[32];
        snprintf(name, sizeof(name), "core%u", i);
        begin(w, name);
        prop_u32(w, "cpu", ph->cpu[i]);
        end(w);
    }
    end(w);
    end(w);
    end(w);
}

/* A soc device that interrupts through the PLIC. */
static void plic_child(struct fdtw *w, enum machine_map_id id, unsigned k, uint32_t plic)
{
    prop_u32(w, "interrupts", machine_map[id].irq + k);
    prop_u32(w, "interrupt-parent", plic);
}

static void plic_node(struct fdtw *w, unsigned nharts, const struct phandles *ph)
{
    uint32_t ext[2 * 2 * MACHINE_MAX_HARTS];
    for (unsigned i = 0; i < nharts; i++) {
        ext[4 * i + 0] = ph->intc[i];
        ext[4 * i + 1] = IRQ_MEI; /* context 2i: M-mode */
        ext[4 * i + 2] = ph->intc[i];
        ext[4 * i + 3] = IRQ_SEI; /* context 2i+1: S-mode */
    }
    begin_dev(w, MAP_PLIC, 0);
    prop_u32(w, "phandle", ph->plic);
    /* The number of usable sources (1..95). QEMU 7.2 says 96 here, one too many (fixed in
     * later QEMU); we describe the PLIC we have. */
    prop_u32(w, "riscv,ndev", PLIC_NUM_SOURCES - 1);
    prop_reg(w, machine_map[MAP_PLIC].base, machine_map[MAP_PLIC].size);
    prop_cells(w, "interrupts-extended", ext, 4 * nharts);
    prop(w, "interrupt-controller", NULL, 0);
    prop_compat(w, MAP_PLIC);
    prop_u32(w, "#address-cells", 0);
    prop_u32(w, "#interrupt-cells", 1);
    end(w);
}

static void clint_node(struct fdtw *w, unsigned nharts, const struct phandles *ph)
{
    uint32_t ext[2 * 2 * MACHINE_MAX_HARTS];
    for (unsigned i = 0; i < nharts; i++) {
        ext[4 * i + 0] = ph->intc[i];
        ext[4 * i + 1] = IRQ_MSI;
        ext[4 * i + 2] = ph->intc[i];
        ext[4 * i + 3] = IRQ_MTI;
    }
    begin_dev(w, MAP_CLINT, 0);
    prop_cells(w, "interrupts-extended", ext, 4 * nharts);
    prop_reg(w, machine_map[MAP_CLINT].base, machine_map[MAP_CLINT].size);
    prop_compat(w, MAP_CLINT);
    end(w);
}

static void soc_node(struct fdtw *w, unsigned nharts, const struct phandles *ph)
{
    begin(w, "soc");
    prop_u32(w, "#address-cells", 2);
    prop_u32(w, "#size-cells", 2);
    prop_str(w, "compatible", "simple-bus");
    prop(w, "ranges", NULL, 0);

    begin_dev(w, MAP_RTC, 0);
    plic_child(w, MAP_RTC, 0, ph->plic);
    prop_reg(w, machine_map[MAP_RTC].base, machine_map[MAP_RTC].size);
    prop_compat(w, MAP_RTC);
    end(w);

    begin_dev(w, MAP_UART0, 0);
    plic_child(w, MAP_UART0, 0, ph->plic);
    prop_u32(w, "clock-frequency", MACHINE_UART_CLOCK);
    prop_reg(w, machine_map[MAP_UART0].base, machine_map[MAP_UART0].size);
    prop_compat(w, MAP_UART0);
    end(w);

    begin_dev(w, MAP_TEST, 0);
    prop_u32(w, "phandle", ph->test);
    prop_reg(w, machine_map[MAP_TEST].base, machine_map[MAP_TEST].size);
    prop_compat(w, MAP_TEST);
    end(w);

    /* Every virtio-mmio slot has a node, as on QEMU, highest first; an empty slot answers
     * with device ID 0 and the driver skips it. */
    for (unsigned k = machine_map[MAP_VIRTIO].count; k-- > 0;) {
        begin_dev(w, MAP_VIRTIO, k);
        plic_child(w, MAP_VIRTIO, k, ph->plic);
        prop_reg(w, machine_map_base(MAP_VIRTIO, k), machine_map[MAP_VIRTIO].size);
        prop_compat(w, MAP_VIRTIO);
        end(w);
    }

    plic_node(w, nharts, ph);
    clint_node(w, nharts, ph);
    end(w);
}

static int build(void *buf, int bufsize, const struct machine_fdt_params *p)
{
    struct fdtw w = {.buf = buf};
    struct phandles ph;
    assign_phandles(&ph, p->nharts);

    w.err = fdt_create(buf, bufsize);
    if (!w.err)
        w.err = fdt_finish_reservemap(buf);
    begin(&w, "");
    prop_u32(&w, "#address-cells", 2);
    prop_u32(&w, "#size-cells", 2);
    prop_str(&w, "compatible", "riscv-virtio");
    prop_str(&w, "model", "riscv-virtio,qemu");
    chosen_node(&w, p);
    syscon_node(&w, "poweroff", MACHINE_FINISHER_POWEROFF, ph.test);
    syscon_node(&w, "reboot", MACHINE_FINISHER_REBOOT, ph.test);
    memory_node(&w, p->ram_size);
    cpus_node(&w, p->nharts, &ph);
    soc_node(&w, p->nharts, &ph);
    end(&w);
    if (!w.err)
        w.err = fdt_finish(buf);
    return w.err;
}

int machine_fdt_build(const struct machine_fdt_params *p, uint8_t **out, uint32_t *size)
{
    if (p->nharts < 1 || p->nharts > MACHINE_MAX_HARTS)
        return -ERR_RANGE;
    for (int bufsize = 16 << 10; bufsize <= (1 << 24); bufsize *= 2) {
        uint8_t *buf = xmalloc((size_t)bufsize);
        int rc = build(buf, bufsize, p);
        if (rc == 0) {
            *out = buf;
            *size = fdt_totalsize(buf);
            return 0;
        }
        free(buf);
        if (rc != -FDT_ERR_NOSPACE)
            return -ERR_FORMAT;
    }
    return -ERR_NOMEM;
}

int machine_fdt_amend(uint8_t **dtb, uint32_t *size, size_t file_size, const char *bootargs,
                      uint64_t initrd_start, uint64_t initrd_end, char *err)
{
    /* fdt_check_header vets the header; fdt_check_full also walks the structure block, so
     * nothing later trusts an offset the file made up. */
    int rc = file_size < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED : fdt_check_header(*dtb);
    if (rc == 0 && fdt_totalsize(*dtb) > file_size)
        rc = -FDT_ERR_TRUNCATED;
    if (rc == 0)
        rc = fdt_check_full(*dtb, file_size);
    if (rc) {
        snprintf(err, MACHINE_ERRLEN, "malformed device tree: %s", fdt_strerror(rc));
        return -ERR_FORMAT;
    }
    bool has_args = bootargs && bootargs[0];
    if (!has_args && !initrd_end) {
        *size = fdt_totalsize(*dtb);
        return 0;
    }
    size_t extra = 1024 + (has_args ? strlen(bootargs) : 0);
    int newsize = (int)(fdt_totalsize(*dtb) + extra);
    uint8_t *buf = xmalloc((size_t)newsize);
    rc = fdt_open_into(*dtb, buf, newsize);
    int chosen = rc ? rc : fdt_path_offset(buf, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND)
        chosen = fdt_add_subnode(buf, 0, "chosen");
    rc = chosen < 0 ? chosen : 0;
    if (!rc && has_args)
        rc = fdt_setprop_string(buf, chosen, "bootargs", bootargs);
    if (!rc && initrd_end && initrd_end <= UINT32_MAX) {
        rc = fdt_setprop_u32(buf, chosen, "linux,initrd-start", (uint32_t)initrd_start);
        if (!rc)
            rc = fdt_setprop_u32(buf, chosen, "linux,initrd-end", (uint32_t)initrd_end);
    } else if (!rc && initrd_end) {
        rc = fdt_setprop_u64(buf, chosen, "linux,initrd-start", initrd_start);
        if (!rc)
            rc = fdt_setprop_u64(buf, chosen, "linux,initrd-end", initrd_end);
    }
    if (!rc)
        rc = fdt_pack(buf);
    if (rc) {
        free(buf);
        snprintf(err, MACHINE_ERRLEN, "cannot edit /chosen of the device tree: %s",
                 fdt_strerror(rc));
        return -ERR_FORMAT;
    }
    free(*dtb);
    *dtb = buf;
    *size = fdt_totalsize(buf);
    return 0;
}
