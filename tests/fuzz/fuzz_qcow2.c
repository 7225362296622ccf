/* libFuzzer harness for the qcow2 backend (src/disk/qcow2.c): the input is an image file. It
 * is opened read-write from a private temporary directory; if the header and tables pass
 * validation, a few reads and writes run across its first clusters and at its end, then a
 * flush and close write the metadata back. The backing file name is blanked first (a
 * fuzzed name could point anywhere on the host); the chain logic has its unit tests.
 * Build: make MODE=fuzz fuzz-qcow2; run: build/fuzz/fuzz_qcow2 tests/fuzz/corpus/qcow2 */
#include "../../src/disk/disk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT (1 << 20)

static char dir[] = "/tmp/visor-fuzz-qcow2-XXXXXX", path[64];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    if (!path[0]) {
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof(path), "%s/image", dir);
        atexit(cleanup);
    }
    uint8_t *img = malloc(size + 1);
    memcpy(img, data, size);
    if (size >= 20)
        memset(img + 8, 0, 12); /* backing_file_offset and backing_file_size */
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(img, 1, size, f) != size || fclose(f))
        abort();
    free(img);
    struct disk *d;
    char err[DISK_ERRLEN];
    if (disk_open(path, "qcow2", false, &d, NULL, err) == 0) {
        uint8_t buf[8192];
        uint64_t n = disk_size(d);
        uint64_t offs[] = {0, 512, 65536 - 100, n > 8192 ? n - 8192 : 0};
        for (unsigned i = 0; i < 4; i++) {
            size_t len = n - offs[i] < sizeof(buf) ? (size_t)(n - offs[i]) : sizeof(buf);
            if (offs[i] > n)
                continue;
            if (disk_read(d, offs[i], buf, len) == 0) {
                buf[0] ^= 0x5a;
                (void)!disk_write(d, offs[i], buf, len);
            }
        }
        (void)!disk_flush(d);
        disk_close(d);
    }
    return 0;
}
