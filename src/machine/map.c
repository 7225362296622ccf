/* The address map table, expanded from memmap.def. Kept in a file of its own so that code
 * which only needs the map (the device-tree generator and its tests) does not pull in the
 * devices. */
#include "machine.h"

/* sizeof on a string literal counts its final \0; on NULL we want 0. */
#define COMPAT_LEN(c) (__builtin_types_compatible_p(__typeof__(c), void *) ? 0 : sizeof(c))

const struct machine_map_entry machine_map[MAP_COUNT] = {
#define MAP(id, n, b, s, cnt, i, c)                                                                \
    [MAP_##id] = {.node = n,                                                                       \
                  .base = b,                                                                       \
                  .size = s,                                                                       \
                  .count = cnt,                                                                    \
                  .irq = i,                                                                        \
                  .compat = c,                                                                     \
                  .compat_len = COMPAT_LEN(c)},
#include "memmap.def"
#undef MAP
};
