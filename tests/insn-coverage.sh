#!/usr/bin/env bash
# Fails if any row of the decoder's instruction table (src/cpu/insn.def) is exercised by no
# ISA test: runs every ISA test under visor with VISOR_INSN_COVERAGE, which records each row
# decoded, and compares the union with the table.
set -uo pipefail
cd "$(dirname "$0")/.."
visor=${1:-build/release/visor}
seen=$(mktemp)
trap 'rm -f "$seen"' EXIT
for elf in build/isa/*.elf; do
    name=$(basename "$elf" .elf)
    smp=$(sed -n 's|^[[:space:]]*//[[:space:]]*isa-smp:[[:space:]]*||p' "tests/isa/$name.S" | head -n 1)
    VISOR_INSN_COVERAGE=$seen timeout 30 "$visor" -machine virt -bios none -m 128M -nographic \
        -smp "${smp:-1}" -kernel "$elf" </dev/null >/dev/null 2>&1
done
rows=$(sed -nE 's/^[IC]\(([a-z0-9_]+),.*/\1/p' src/cpu/insn.def)
pass=0
fail=0
for r in $rows; do
    if grep -qx "$r" "$seen"; then
        pass=$((pass + 1))
    else
        echo "insn-coverage: row '$r' is exercised by no ISA test"
        fail=$((fail + 1))
    fi
done
echo "insn-coverage: $pass of $((pass + fail)) rows exercised"
if [ $fail = 0 ]; then
    echo "insn-coverage: 1 passed, 0 failed"
else
    echo "insn-coverage: 0 passed, 1 failed"
    exit 1
fi
