/* The reset ROM: little-endian reads of the copied data at every width, zero past the end,
 * writes ignored. */
#include "test.h"

#include "dev/dev.h"

#define ROM_BASE 0x1000ull

struct rig {
    struct bus bus;
    struct rom *r;
};

static const uint8_t image[] = {0x97, 0x02, 0x00, 0x00, 0x13, 0x86, 0x82, 0x02, 0xf3,
                                0x25, 0x40, 0xf1, 0x83, 0xb2, 0x82, 0x01, 0xaa};

static void rig_init(struct rig *g)
{
    bus_init(&g->bus, 0x80000000ull, 1 << 16);
    g->r = rom_new(image, sizeof(image));
    if (bus_add_mmio(&g->bus, ROM_BASE, 0xf000, &rom_ops, g->r))
        abort();
}

static void rig_free(struct rig *g)
{
    rom_free(g->r);
    bus_free(&g->bus);
}

static uint64_t rd(struct rig *g, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    if (bus_read(&g->bus, ROM_BASE + off, size, &v))
        abort();
    return v;
}

TEST(reads_are_little_endian_at_every_width)
{
    struct rig g;
    rig_init(&g);
    CHECK_EQ(rd(&g, 0, 1), 0x97);
    CHECK_EQ(rd(&g, 0, 2), 0x0297);
    CHECK_EQ(rd(&g, 0, 4), 0x00000297);
    CHECK_EQ(rd(&g, 8, 4), 0xf14025f3);
    CHECK_EQ(rd(&g, 8, 8), 0x0182b283f14025f3ull);
    CHECK_EQ(rd(&g, 3, 4), 0x82861300); /* misaligned: bytes 3..6 */
    rig_free(&g);
}

TEST(past_the_data_reads_zero)
{
    struct rig g;
    rig_init(&g);
    CHECK_EQ(rd(&g, 16, 1), 0xaa);
    CHECK_EQ(rd(&g, 16, 8), 0xaa); /* straddles the end of the data */
    CHECK_EQ(rd(&g, 17, 1), 0);
    CHECK_EQ(rd(&g, 0xeff8, 8), 0);
    rig_free(&g);
}

TEST(writes_are_ignored)
{
    struct rig g;
    rig_init(&g);
    CHECK_EQ(bus_write(&g.bus, ROM_BASE, 4, 0xffffffff), 0);
    CHECK_EQ(bus_write(&g.bus, ROM_BASE + 0x100, 8, 1), 0);
    CHECK_EQ(bus_write(&g.bus, ROM_BASE + 1, 1, 0), 0);
    CHECK_EQ(rd(&g, 0, 4), 0x00000297);
    CHECK_EQ(rd(&g, 0x100, 8), 0);
    rig_free(&g);
}

TEST(the_data_is_copied)
{
    uint8_t buf[4] = {1, 2, 3, 4};
    struct rom *r = rom_new(buf, sizeof(buf));
    buf[0] = 9;
    uint64_t v;
    CHECK_EQ(rom_ops.read(r, 0, 4, &v), 0);
    CHECK_EQ(v, 0x04030201);
    rom_free(r);
    struct rom *empty = rom_new(NULL, 0);
    CHECK_EQ(rom_ops.read(empty, 0, 8, &v), 0);
    CHECK_EQ(v, 0);
    rom_free(empty);
}

TEST(save_restore_round_trip)
{
    struct rig g;
    rig_init(&g);
    size_t need;
    CHECK_EQ(rom_save(g.r, NULL, 0, &need), -ERR_RANGE);
    CHECK_EQ(need, 8 + 8 + sizeof(image));
    uint8_t *img = malloc(need);
    size_t len;
    CHECK_EQ(rom_save(g.r, img, need, &len), 0);
    struct rom *other = rom_new("xy", 2);
    CHECK_EQ(rom_restore(other, img, len), 0);
    uint64_t v;
    CHECK_EQ(rom_ops.read(other, 8, 8, &v), 0);
    CHECK_EQ(v, 0x0182b283f14025f3ull);
    CHECK_EQ(rom_ops.read(other, 16, 2, &v), 0);
    CHECK_EQ(v, 0xaa);
    CHECK_EQ(rom_restore(other, img, len - 1), -ERR_FORMAT);
    img[8] = 0xff; /* a size larger than the image */
    CHECK_EQ(rom_restore(other, img, len), -ERR_FORMAT);
    CHECK_EQ(rom_ops.read(other, 16, 1, &v), 0); /* unchanged by the refusals */
    CHECK_EQ(v, 0xaa);
    rom_free(other);
    free(img);
    rig_free(&g);
}

TEST_MAIN("rom")
