// Sv48 paging: 4 KiB/2 MiB/1 GiB/512 GiB leaves, hardware A/D updates (PTEs read back after each
// access), load/store/fetch page faults with stval, reserved PTEs (W without R, V=0),
// misaligned superpages, non-canonical addresses, MXR, SUM, U pages from U and S, MPRV with
// MPP = S/U, sfence.vma after remapping, delegated page faults, satp mode WARL.
// The body is common/paging.inc.
#include "common/test.h"
#define VM_LEVELS 4
#define SATP_MODE 9
#define NONCANON_VA 0x800000000000
#define TEST_NAME_STR sv48
#include "common/paging.inc"
