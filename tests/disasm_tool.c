/* Host helper for tests/disasm.sh: reads "ADDR RAWHEX" lines (hex, as objdump lists an
 * instruction's address and bits) and prints visor's disassembly of each, one line per input
 * line, so the script can diff it against objdump's. With -c it then lists on stderr the
 * insn.def rows no input decoded to, and exits 2 if there are any. */
#include "cpu/cpu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    bool coverage = argc > 1 && strcmp(argv[1], "-c") == 0;
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        char *end;
        uint64_t addr = strtoull(line, &end, 16);
        uint32_t raw = (uint32_t)strtoul(end, NULL, 16);
        struct insn in;
        insn_decode(raw, &in);
        char text[128];
        insn_disasm(&in, addr, text, sizeof text);
        printf("%s\n", text);
    }
    int missing = 0;
    for (unsigned r = 0; coverage && r < ROW_ILLEGAL; r++) {
        if (!insn_row_seen(r)) {
            fprintf(stderr, "row %s was never compared\n", insn_row_name(r));
            missing++;
        }
    }
    return missing ? 2 : 0;
}
