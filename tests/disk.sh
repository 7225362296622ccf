#!/usr/bin/env bash
# Disk images against qemu-img: `visor disk create/overlay/info/convert` checked by qemu-img
# info/check/compare, images qemu-img and qemu-io made read back by visor, bad input refused
# with exit status 1, and the Debian guest writing to a qcow2 overlay (tests/disk_guest.py).
# Prints "disk: N passed, M failed".
set -uo pipefail
visor=$(realpath "${1:-build/release/visor}")
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # check NAME COMMAND...: the command must succeed
    local name=$1
    shift
    if "$@" >"$t/check.out" 2>&1; then ok; else bad "$name"; sed "s/^/    /" "$t/check.out" | tail -5; fi
}
refused() { # refused NAME TEXT COMMAND...: exit status 1 and TEXT on stderr
    local name=$1 text=$2
    shift 2
    local out
    out=$("$@" 2>&1 >/dev/null)
    local rc=$?
    if [ $rc = 1 ] && grep -qF -- "$text" <<<"$out"; then ok; else bad "$name (status $rc: $out)"; fi
}
json() { # json FILE KEY: a key of qemu-img's or visor's JSON on stdin
    python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print(v if v is not None else "")' "$1"
}

if ! command -v qemu-img >/dev/null; then
    echo "disk: 0 passed, 0 failed (skipped: qemu-img is not installed; scripts/deps.sh)"
    exit 0
fi
t=$(mktemp -d /tmp/visor-disk-XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t"

# ---- visor disk create / overlay / info, seen by qemu-img ----
check "create raw" "$visor" disk create -f raw r.img 3M
check "qemu-img sees the raw image's size" test "$(qemu-img info --output=json r.img | json virtual-size)" = 3145728
check "create qcow2" "$visor" disk create -f qcow2 q.qcow2 1G
check "qemu-img check: a new qcow2 is clean" qemu-img check -q q.qcow2
check "qemu-img sees a qcow2 of 1 GiB" test "$(qemu-img info --output=json q.qcow2 | json virtual-size)" = 1073741824
check "qemu-img sees format qcow2" test "$(qemu-img info --output=json q.qcow2 | json format)" = qcow2
head -c 3000000 /dev/urandom > base.raw
truncate -s 4M base.raw
check "overlay of a raw base" "$visor" disk overlay base.raw ov.qcow2
check "qemu-img: the overlay's backing file" test "$(qemu-img info --output=json ov.qcow2 | json backing-filename)" = base.raw
check "qemu-img: the overlay's backing format" test "$(qemu-img info --output=json ov.qcow2 | json backing-filename-format)" = raw
check "qemu-img: the overlay has the base's size" test "$(qemu-img info --output=json ov.qcow2 | json virtual-size)" = 4194304
check "qemu-img compare: the overlay reads as its base" qemu-img compare -q base.raw ov.qcow2
mkdir sub
check "overlay in another directory names the base absolutely" "$visor" disk overlay base.raw sub/ov.qcow2
check "qemu-img resolves it" qemu-img compare -q base.raw sub/ov.qcow2
check "create -b resolves BASE next to the image" "$visor" disk create -f qcow2 -b ../base.raw -F raw sub/ov2.qcow2
check "qemu-img agrees" qemu-img compare -q base.raw sub/ov2.qcow2
for key in format virtual-size actual-size backing-filename filename cluster-size; do
    v=$("$visor" disk info --json ov.qcow2 | json $key)
    q=$(qemu-img info --output=json ov.qcow2 | json $key)
    check "disk info --json $key matches qemu-img ($v)" test "$v" = "$q"
done
check "disk info (text) names the format and backing file" \
    bash -c "'$visor' disk info ov.qcow2 | grep -q 'file format: qcow2' && '$visor' disk info ov.qcow2 | grep -q 'backing file: base.raw'"

# ---- data both ways ----
check "visor converts raw to qcow2" "$visor" disk convert -O qcow2 base.raw v.qcow2
check "qemu-img check: visor's qcow2 is clean" qemu-img check -q v.qcow2
check "qemu-img compare: visor wrote the data" qemu-img compare -q base.raw v.qcow2
check "visor converts with 512-byte clusters (many tables)" \
    bash -c "'$visor' disk create -f qcow2 -o cluster_size=512 small.qcow2 4M && '$visor' disk convert -O qcow2 base.raw small2.qcow2"
check "qemu-img convert of a qemu-img qcow2" qemu-img convert -O qcow2 base.raw qq.qcow2
check "visor reads what qemu-img wrote" "$visor" disk convert qq.qcow2 qq.raw
check "  byte for byte" cmp base.raw qq.raw
check "qemu-img v2 (compat=0.10) image" qemu-img convert -O qcow2 -o compat=0.10,cluster_size=4096 base.raw v2.qcow2
check "visor reads version 2" bash -c "'$visor' disk convert v2.qcow2 v2.raw && cmp base.raw v2.raw"
check "qemu-img overlay with qemu-io writes" bash -c \
    "qemu-img create -q -f qcow2 -b base.raw -F raw qo.qcow2 && qemu-io -c 'write -P 0x5a 100000 7000' -c 'write -z 2M 64k' qo.qcow2 >/dev/null && qemu-img convert -O raw qo.qcow2 qo-qemu.raw"
check "visor reads qemu's overlay (backing, partial and zero clusters)" \
    bash -c "'$visor' disk convert qo.qcow2 qo-visor.raw && cmp qo-qemu.raw qo-visor.raw"
check "an overlay of a qcow2 overlay" bash -c \
    "'$visor' disk overlay qo.qcow2 qo2.qcow2 && '$visor' disk convert qo2.qcow2 qo2.raw && cmp qo-qemu.raw qo2.raw && qemu-img compare -q qo-qemu.raw qo2.qcow2"

# ---- bad input: a clear message and status 1 ----
refused "info on a missing file" "missing.qcow2" "$visor" disk info missing.qcow2
refused "a bad size" "invalid size '12Q'" "$visor" disk create -f qcow2 x.qcow2 12Q
refused "an unknown format" "unknown format" "$visor" disk create -f vmdk x.vmdk 1M
refused "an unknown command" "unknown command" "$visor" disk frobnicate
cp q.qcow2 corrupt.qcow2
printf '\x00\x00\x00\x07' | dd of=corrupt.qcow2 bs=1 seek=4 conv=notrunc status=none
refused "a corrupt header" "unsupported qcow2 version 7" "$visor" disk info corrupt.qcow2
refused "overlay of a missing base" "missing.raw" "$visor" disk overlay missing.raw o.qcow2
cp q.qcow2 l1.qcow2
printf '\x00\x00\x01\x00\x00\x00\x00\x00' | dd of=l1.qcow2 bs=1 seek=40 conv=notrunc status=none
refused "-drive with a corrupt L1 offset" "L1 table outside the file" \
    "$visor" -M virt -bios none -drive file=l1.qcow2,format=qcow2,if=virtio -nographic
refused "-drive format=vmdk" "format=vmdk: not supported" \
    "$visor" -M virt -bios none -drive file=q.qcow2,format=vmdk,if=virtio -nographic

# ---- qcow2 image locks (QEMU's bytes, src/disk/link.c): one writer at a time ----
# hold NAME DRIVE-OPTIONS: a paused visor (-S keeps it up) on lk.qcow2; $hpid is its pid
# while it runs, empty once it has exited (status in $hstatus, stderr in NAME.err).
hpids=()
hold() {
    "$visor" -M virt -bios none -nographic -S -monitor none -serial none \
        -drive "file=lk.qcow2,if=none,format=qcow2,id=d0$2" -device virtio-blk-device,drive=d0 \
        </dev/null >/dev/null 2>"$1.err" &
    hpid=$!
    sleep 0.3
    if kill -0 $hpid 2>/dev/null; then hpids+=($hpid); else wait $hpid; hstatus=$?; hpid=; fi
}
unhold() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }
"$visor" disk create -f qcow2 lk.qcow2 1M >/dev/null
hold first ""
first=$hpid
if [ -n "$first" ]; then ok; else bad "qcow2 lock: the first writer starts: $(cat first.err)"; fi
hold second ""
if [ -z "$hpid" ] && [ "$hstatus" = 1 ] && grep -q "lk.qcow2.*refused.*linked in mode W" second.err
then ok; else bad "qcow2 lock: a second visor writer is refused: $(cat second.err)"; unhold "$hpid"; fi
hold reader ",readonly=on"
if [ -z "$hpid" ] && [ "$hstatus" = 1 ] && grep -q "lk.qcow2" reader.err
then ok; else bad "qcow2 lock: a visor reader is refused while visor writes: $(cat reader.err)"; unhold "$hpid"; fi
qemu_hold() { # a paused QEMU on lk.qcow2; $qpid while it runs, empty once it has exited
    qemu-system-riscv64 -M virt -bios none -nographic -S -monitor none -serial none \
        -drive "file=lk.qcow2,if=none,format=qcow2,id=d0$1" -device virtio-blk-device,drive=d0 \
        </dev/null >/dev/null 2>qemu.err &
    qpid=$!
    sleep 0.5
    if kill -0 $qpid 2>/dev/null; then hpids+=($qpid); else wait $qpid; qpid=; fi
}
if command -v qemu-system-riscv64 >/dev/null; then
    qemu_hold ""
    if [ -z "$qpid" ] && grep -qi "lock" qemu.err; then ok; else
        bad "qcow2 lock: QEMU's writer is refused while visor writes: $(cat qemu.err)"; unhold "$qpid"; fi
    unhold "$first"
    qemu_hold ""
    if [ -n "$qpid" ]; then ok; else bad "qcow2 lock: QEMU writes once visor is gone: $(cat qemu.err)"; fi
    hold second ""
    if [ -z "$hpid" ] && [ "$hstatus" = 1 ] && grep -q "lk.qcow2.*QEMU image lock: a writer" second.err
    then ok; else bad "qcow2 lock: visor's writer is refused while QEMU writes: $(cat second.err)"; unhold "$hpid"; fi
    unhold "$qpid"
else
    echo "disk: QEMU lock interop skipped (no qemu-system-riscv64)"
    unhold "$first"
fi
hold again ""
if [ -n "$hpid" ]; then ok; else bad "qcow2 lock: released when the holder exits: $(cat again.err)"; fi
unhold "$hpid"
for p in "${hpids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null

# ---- the Debian guest on a qcow2 overlay of a raw base, and -snapshot ----
if out=$(python3 "$root/tests/disk_guest.py" "$visor" 2>&1); then :; fi
echo "$out" | grep -v '^PASS' || true
pass=$((pass + $(grep -c '^PASS' <<<"$out")))
fail=$((fail + $(grep -c '^FAIL' <<<"$out")))

echo "disk: $pass passed, $fail failed"
[ $fail = 0 ]
