#!/usr/bin/env bash
# The test tiers. `make check` runs this; `make check-full` runs it with --full.
# Each suite prints a line "<suite>: N passed, M failed"; the last line sums them.
set -uo pipefail
cd "$(dirname "$0")/.."
full=0
[ "${1:-}" = "--full" ] && full=1
jobs=$(nproc)
log=$(mktemp -d)
total_pass=0
total_fail=0

# Runs a suite, echoes its output, and adds its summary line(s) to the totals. A suite that
# exits non-zero without a summary counts as one failure.
suite() {
    local name=$1
    shift
    echo "=== $name"
    "$@" 2>&1 | tee "$log/$name.out"
    local rc=${PIPESTATUS[0]}
    local p f found=0
    while read -r p f; do
        total_pass=$((total_pass + p))
        total_fail=$((total_fail + f))
        found=1
    done < <(grep -aoE '[0-9]+ passed, [0-9]+ failed' "$log/$name.out" | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/')
    if [ $found = 0 ] && [ $rc != 0 ]; then
        echo "$name: 0 passed, 1 failed (exited $rc without a summary)"
        total_fail=$((total_fail + 1))
    fi
}

build() {
    make -j"$jobs" --no-print-directory MODE=release all unit-bins diff-bin isa-tests guest >/dev/null &&
        make -j"$jobs" --no-print-directory MODE=asan all unit-bins diff-bin >/dev/null &&
        echo "build: 1 passed, 0 failed"
}
suite build build

suite unit-release make --no-print-directory MODE=release unit
suite unit-asan make --no-print-directory MODE=asan unit
# Both engines: the translator (the default) and the interpreter, each also under ASan+UBSan.
suite isa-release bash tests/isa/run.sh build/release/visor
suite isa-interp env VISOR_FLAGS="-accel interp" bash tests/isa/run.sh build/release/visor
suite isa-asan bash tests/isa/run.sh build/asan/visor
suite isa-asan-interp env VISOR_FLAGS="-accel interp" bash tests/isa/run.sh build/asan/visor
suite jit python3 tests/jit.py build/release/visor
# Random RV64GC programs under the interpreter and the translator, compared after every chunk
# (tests/diff/diff.h); a random seed each run, printed for replay.
suite diff build/release/tests/diff/diff --time 25
suite fpdiff bash guest/fpdiff/check.sh build/release/visor
suite insn-coverage bash tests/insn-coverage.sh build/release/visor
[ -f tests/disasm.sh ] && suite disasm bash tests/disasm.sh build/release
[ -f tests/cli.sh ] && suite cli bash tests/cli.sh build/release/visor
suite virtio-bad bash guest/virtio-bad/check.sh build/release/visor
suite minidisk bash tests/minidisk.sh build/release/visor
suite durability python3 tests/durability.py build/release/visor
suite linux python3 tests/linux.py build/release/visor
suite minidisk-linux python3 tests/minidisk_linux.py build/release/visor
suite net python3 tests/net.py build/release/visor
suite disk bash tests/disk.sh build/release/visor
suite switch python3 tests/switch.py build/release/visor
suite gdb bash tests/gdb.sh build/release/visor
suite trace bash tests/trace.sh build/release/visor
suite monitor bash tests/monitor.sh build/release/visor
# The guest-level suites again under the interpreter (VISOR_ACCEL sets visor's default).
for t in virtio-bad linux minidisk-linux net switch gdb trace monitor; do
    case $t in
    virtio-bad) cmd=(bash guest/virtio-bad/check.sh) ;;
    gdb | trace | monitor) cmd=(bash "tests/$t.sh") ;;
    *) cmd=(python3 "tests/${t//-/_}.py") ;;
    esac
    suite "$t-interp" env VISOR_ACCEL=interp "${cmd[@]}" build/release/visor
done
suite fuzz-gdb bash tests/fuzz/run.sh gdb 5
suite fuzz-mon bash tests/fuzz/run.sh mon 5
suite fuzz-virtio_net bash tests/fuzz/run.sh virtio_net 5
suite fuzz-qcow2 bash tests/fuzz/run.sh qcow2 5
suite fuzz-switch bash tests/fuzz/run.sh switch 5

if [ $full = 1 ]; then
    # Every ordered pair of link modes across two processes.
    suite minidisk-full bash tests/minidisk.sh build/release/visor --full
    suite durability-full python3 tests/durability.py build/release/visor --full
    # Repeats catch what depends on timing (interrupts, the CLINT, hart interleaving).
    for i in 1 2 3 4 5; do
        suite "isa-repeat-$i" bash tests/isa/run.sh build/release/visor
        suite "isa-interp-repeat-$i" env VISOR_FLAGS="-accel interp" \
            bash tests/isa/run.sh build/release/visor
    done
    # The soft-float against the host FPU, 50 times the usual number of random cases.
    suite fpu-soak env FPU_SOAK=50 build/release/tests/test_fpu
    # The differential test for minutes, and under ASan+UBSan.
    suite diff-long build/release/tests/diff/diff --time 300
    suite diff-asan build/asan/tests/diff/diff --time 90
    for i in 1 2; do
        suite "linux-repeat-$i" python3 tests/linux.py build/release/visor
        suite "jit-repeat-$i" python3 tests/jit.py build/release/visor
    done
fi

rm -rf "$log"
echo "$total_pass passed, $total_fail failed"
[ $total_fail = 0 ]
