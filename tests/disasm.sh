#!/usr/bin/env bash
# Differential test of visor's disassembler (src/cpu/disasm.c) against GNU objdump
# -d -M no-aliases. Inputs: every build/isa/*.elf, and an object assembled from
# tests/disasm/gen.py (every RV64GC form with varied operands, plus random encodings of every
# insn.def row). Each line objdump decodes as an instruction is disassembled again by
# tests/disasm_tool.c from the same address and bits, and the two texts must be equal.
# objdump's annotations are normalised first: "80000104 <sym+0x4>" targets become
# "0x80000104" (what objdump prints with no symbols), and "# ..." comments are dropped.
# Lines objdump prints as data (.word, .2byte, .4byte, .insn, .byte) are not compared.
# The .riscv.attributes section is removed before objdump runs so that it names CSRs by
# privileged spec 1.12, as visor does, whatever spec the object was assembled for.
# Usage: tests/disasm.sh VISOR_BUILD_DIR   (e.g. build/release; needs its libvisor.a)
# Prints up to 20 mismatches, per-file instruction counts, and "disasm: N passed, M failed",
# where N and M count input files (a file passes when every instruction in it matches).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

build=${1:?usage: tests/disasm.sh VISOR_BUILD_DIR}
CROSS=${CROSS:-riscv64-unknown-elf-}
CC=${CC:-gcc}

fail() {
    echo "disasm: $1"
    echo "disasm: 0 passed, 1 failed"
    exit 1
}

for t in "${CROSS}objdump" "${CROSS}objcopy" "${CROSS}as" python3; do
    command -v "$t" >/dev/null || fail "$t not found (make deps installs it)"
done
[ -f "$build/libvisor.a" ] || fail "$build/libvisor.a not found (make MODE=... first)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The tool links against the library as built, so sanitizer modes need their runtime too.
case "$(basename "$build")" in
asan) san="-fsanitize=address,undefined" ;;
ubsan) san="-fsanitize=undefined" ;;
*) san="" ;;
esac
# shellcheck disable=SC2086
$CC -std=gnu11 -O1 -g $san -Isrc -o "$tmp/disasm_tool" tests/disasm_tool.c "$build/libvisor.a" \
    -lfdt -lm -lpthread -lutil || fail "cannot build tests/disasm_tool.c"

# The ISA suite's ELFs (owned by tests/isa; built here if stale).
make --no-print-directory isa-tests >"$tmp/make.log" 2>&1 ||
    echo "disasm: note: make isa-tests failed; comparing the ELFs that exist"
objects=()
for elf in build/isa/*.elf; do
    [ -f "$elf" ] && objects+=("$elf")
done
[ ${#objects[@]} -gt 0 ] || fail "no build/isa/*.elf (make isa-tests)"

python3 tests/disasm/gen.py src/cpu/insn.def >"$tmp/gen.S" || fail "tests/disasm/gen.py failed"
"${CROSS}as" -march=rv64gc -o "$tmp/gen.o" "$tmp/gen.S" || fail "cannot assemble the generated forms"
objects+=("$tmp/gen.o")

# Collects "label<TAB>addr raw<TAB>objdump's text" for every instruction line.
for obj in "${objects[@]}"; do
    label=$(basename "$obj")
    vma=()
    [ "$obj" = "$tmp/gen.o" ] && vma=(--adjust-vma=0x80000000) # an unlinked object sits at 0
    "${CROSS}objcopy" -R .riscv.attributes "$obj" "$tmp/noattr" || fail "objcopy $obj"
    "${CROSS}objdump" -d -M no-aliases "${vma[@]}" "$tmp/noattr" |
        awk -F'\t' -v label="$label" '
            $1 ~ /^ *[0-9a-f]+:$/ && NF >= 3 {
                addr = $1; gsub(/[ :]/, "", addr)
                raw = $2; sub(/ +$/, "", raw)
                if (raw ~ / / || $3 == "" || $3 ~ /^\./)
                    next
                text = $3
                if (NF >= 4) {
                    ops = $4
                    sub(/ # .*$/, "", ops)
                    if (sub(/ <[^>]*>$/, "", ops) && match(ops, /[0-9a-f]+$/))
                        ops = substr(ops, 1, RSTART - 1) "0x" substr(ops, RSTART)
                    text = text "\t" ops
                }
                print label "\t" addr " " raw "\t" text
            }' >>"$tmp/expected"
done

cut -f2 "$tmp/expected" | "$tmp/disasm_tool" -c >"$tmp/got" 2>"$tmp/coverage"
tool_rc=$?
[ "$(wc -l <"$tmp/expected")" = "$(wc -l <"$tmp/got")" ] ||
    fail "disasm_tool printed $(wc -l <"$tmp/got") lines for $(wc -l <"$tmp/expected") inputs"

# Disassembly never contains "|", so it separates objdump's side from visor's.
paste -d'|' "$tmp/expected" "$tmp/got" | awk -F'|' '
    {
        got = $2
        file = $1; sub(/\t.*/, "", file)
        where = substr($1, length(file) + 2); sub(/\t.*/, "", where)
        want = substr($1, length(file) + length(where) + 3)
        total[file]++
        if (want == got) {
            pass++
        } else {
            bad[file]++
            failed++
            if (failed <= 20) {
                gsub(/\t/, " ", want); gsub(/\t/, " ", got)
                printf "MISMATCH %s %s: objdump \"%s\", visor \"%s\"\n", file, where, want, got
            }
        }
        if (!(file in order))
            order[file] = ++files
        name[order[file]] = file
    }
    END {
        for (i = 1; i <= files; i++)
            printf "  %-24s %6d instructions, %d differ\n", name[i], total[name[i]], bad[name[i]]
        for (i = 1; i <= files; i++) {
            if (bad[name[i]]) fpass_bad++; else fpass_ok++
        }
        printf "%d %d %d\n", fpass_ok, fpass_bad, pass > "/dev/stderr"
    }' 2>"$tmp/counts"
read -r passed failed instructions <"$tmp/counts"
echo "disasm: ${instructions:-0} instructions identical to objdump's"

if [ $tool_rc != 0 ]; then
    # Some insn.def row never reached the comparison: the generator has a gap.
    sed 's/^/disasm: /' "$tmp/coverage"
    failed=$((failed + 1))
fi
echo "disasm: ${passed:-0} passed, ${failed:-1} failed"
[ "${failed:-1}" = 0 ]
