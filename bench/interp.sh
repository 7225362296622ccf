#!/usr/bin/env bash
# Interpreter speed: guest instructions per second on a CPU-bound bare-metal program,
# visor beside qemu-system-riscv64 in one run, reported as a ratio. The instruction count
# comes from visor's exact minstret; QEMU runs the same binary, so it executes the same
# instructions. Wall time is the best of REPEAT runs of each (start-up included; the
# workload is sized to dominate it). ACCEL picks visor's engine: interp (the default, which this
# script is named for) or jit.
set -euo pipefail
cd "$(dirname "$0")/.."
visor=${VISOR:-build/release/visor}
accel=${ACCEL:-interp}
elf=build/bench/cpu.elf
repeat=${REPEAT:-3}
flags=(-machine virt -bios none -kernel "$elf" -m 128M -nographic)

best_time() {
    local best="" t0 t1 dt
    for _ in $(seq "$repeat"); do
        t0=$(date +%s.%N)
        "$@" >/tmp/visor-bench.out </dev/null
        t1=$(date +%s.%N)
        dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
        if [ -z "$best" ] || awk -v d="$dt" -v b="$best" 'BEGIN { exit !(d < b) }'; then best=$dt; fi
    done
    echo "$best"
}

tv=$(best_time "$visor" -accel "$accel" "${flags[@]}")
insns=$(grep -a '^instructions' /tmp/visor-bench.out | awk '{print $2}')
sum_v=$(grep -a '^checksum' /tmp/visor-bench.out)
tq=$(best_time qemu-system-riscv64 "${flags[@]}")
sum_q=$(grep -a '^checksum' /tmp/visor-bench.out)
tn=$(best_time build/bench/cpu-native)
sum_n=$(grep -a '^checksum' /tmp/visor-bench.out)
[ "$sum_v" = "$sum_n" ] || { echo "bench: checksums differ: visor '$sum_v' native '$sum_n'"; exit 1; }
[ "$sum_v" = "$sum_q" ] || { echo "bench: checksums differ: visor '$sum_v' qemu '$sum_q'"; exit 1; }
printf 'workload: %s guest instructions (%s)\n' "$insns" "$sum_v"
awk -v accel="$accel" -v n="$insns" -v tv="$tv" -v tq="$tq" -v tn="$tn" 'BEGIN {
    printf "visor -accel %s: %.3f s  %.1f MIPS\n", accel, tv, n / tv / 1e6
    printf "qemu-system-riscv64 (TCG): %.3f s  %.1f MIPS\n", tq, n / tq / 1e6
    printf "ratio visor/qemu speed: %.3f\n", tq / tv
    printf "native (host gcc -O2): %.3f s; visor %.3f of native, qemu %.3f of native\n", tn, tn / tv, tn / tq
}'
