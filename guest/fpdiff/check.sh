#!/usr/bin/env bash
# The translator's F/D code against the interpreter's:
#  - fpdiff (random F/D instructions, checksummed) prints the same under -accel jit as under
#    -accel interp, and the same as QEMU when qemu-system-riscv64 is installed;
#  - the FP benchmark (bench/fp.c) gives the interpreter's checksum and instruction count under
#    the translator, with fewer than 1% of its instructions left to calls of the interpreter's
#    code (so the inline F/D code is really what ran).
# Prints "fpdiff: N passed, M failed" for tests/check.sh.
#   guest/fpdiff/check.sh build/release/visor
set -uo pipefail
cd "$(dirname "$0")/../.."
visor=${1:?usage: check.sh VISOR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

check() { # check NAME STATUS [DETAIL...]
    local name=$1 ok=$2
    shift 2
    if [ "$ok" = 0 ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        [ $# -gt 0 ] && printf '    %s\n' "$@"
        failed=$((failed + 1))
    fi
}

run() { # run ELF ACCEL OUT: visor's console output (and -d jit counters in OUT.log)
    timeout 300 "$visor" -M virt -bios none -nographic -kernel "$1" -accel "$2" \
        -d jit -D "$3.log" </dev/null | tr -d '\r' >"$3"
}

make -s build/guest/fpdiff.elf build/bench/fp.elf >/dev/null || {
    echo "fpdiff: 0 passed, 1 failed (build)"
    exit 1
}

elf=build/guest/fpdiff.elf
run $elf interp "$tmp/interp"
run $elf jit "$tmp/jit"
grep -q '^END fpdiff' "$tmp/interp"
check "fpdiff runs to the end under the interpreter" $?
cmp -s "$tmp/interp" "$tmp/jit"
check "fpdiff: translator = interpreter" $? "$(diff "$tmp/interp" "$tmp/jit" | head -n 8)"
if command -v qemu-system-riscv64 >/dev/null; then
    timeout 300 qemu-system-riscv64 -M virt -bios none -nographic -kernel $elf </dev/null |
        tr -d '\r' >"$tmp/qemu"
    cmp -s "$tmp/interp" "$tmp/qemu"
    check "fpdiff: interpreter = QEMU" $? "$(diff "$tmp/interp" "$tmp/qemu" | head -n 8)"
fi

elf=build/bench/fp.elf
run $elf interp "$tmp/bi"
run $elf jit "$tmp/bj"
grep -q '^checksum' "$tmp/bi" && cmp -s "$tmp/bi" "$tmp/bj"
check "fp bench: same checksum and instruction count under jit and interp" $? \
    "$(cat "$tmp/bi" "$tmp/bj")"
insns=$(sed -n 's/.*instructions *\([0-9]*\) translated.*/\1/p' "$tmp/bj.log")
calls=$(sed -n 's/.*helper calls *\([0-9]*\).*/\1/p' "$tmp/bj.log")
[ -n "$insns" ] && [ -n "$calls" ] && [ $((calls * 100)) -lt "$insns" ]
check "fp bench: under 1% of instructions are calls ($calls of $insns)" $?

echo "fpdiff: $passed passed, $failed failed"
[ "$failed" = 0 ]
