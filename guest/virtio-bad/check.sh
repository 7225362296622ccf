#!/usr/bin/env bash
# Runs virtio-bad under an emulator with a fresh 1 MiB raw disk in virtio-mmio slot 0 (modern
# transport) and compares what it prints with expected-visor.txt, made the same way (default
# 128 MiB of RAM). Prints "virtio-bad: N passed, M failed" for tests/check.sh.
#   guest/virtio-bad/check.sh build/release/visor [build/guest/virtio-bad.elf]
# Against QEMU (qemu-system-riscv64) it reports the cases where QEMU answers differently.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
emu=${1:?usage: check.sh EMULATOR [virtio-bad.elf]}
elf=${2:-build/guest/virtio-bad.elf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
truncate -s 1M "$tmp/disk.img"
timeout 300 "$emu" -M virt -bios none -kernel "$elf" -nographic \
    -global virtio-mmio.force-legacy=false \
    -drive file="$tmp/disk.img",if=none,format=raw,id=d0 \
    -device virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0 \
    </dev/null 2>"$tmp/stderr" | tr -d '\r' >"$tmp/out"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && diff -u "$here/expected-visor.txt" "$tmp/out" >"$tmp/diff"; then
    echo "virtio-bad: 1 passed, 0 failed"
    exit 0
fi
echo "virtio-bad: exit status $rc; output differs from expected-visor.txt:"
cat "$tmp/diff"
tail -5 "$tmp/stderr"
echo "virtio-bad: 0 passed, 1 failed"
exit 1
