#!/usr/bin/env bash
# Builds the benchmark guest: the default Linux guest (guest/linux/build.sh) with a second
# initramfs archive appended, which holds the CPU benchmarks built here and Debian's riscv64
# 7-Zip (7zz, from 7zip-standalone) with the shared libraries it loads. The kernel unpacks
# concatenated archives in order into one rootfs, so the default initramfs, which every test
# boots, stays as it is. Also fetches the same 7-Zip for amd64, to run natively on the host.
#
#   guest/bench/build.sh PROGDIR     PROGDIR holds the static riscv64 programs (int, mem, fp)
#
# Prints KERNEL=… INITRD=… SEVENZIP_NATIVE=… on stdout (the last is a command to run the amd64
# 7zz with its own libraries, since the host's C library may be older than the one it needs).
# Everything lives under ${VISOR_CACHE:-$HOME/.cache/visor}/bench.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# != 1 ] || [ ! -d "$1" ]; then
    sed -n '2,12s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
PROGDIR=$(cd "$1" && pwd)
CACHE=${VISOR_CACHE:-$HOME/.cache/visor}
OUT=$CACHE/bench
mkdir -p "$OUT"
say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
command -v readelf >/dev/null || die "readelf is missing: apt-get install binutils"

declare -A BASE
while IFS='=' read -r k v; do BASE[$k]=$v; done < <(bash "$HERE/../linux/build.sh")
[ -f "${BASE[INITRD]:-}" ] || die "guest/linux/build.sh gave no initramfs"

LIBS_PKGS=(libc6 libgcc-s1 libstdc++6)
RV=$(bash "$HERE/debs.sh" riscv64 "$OUT/riscv64" 7zip-standalone "${LIBS_PKGS[@]}")
X86=$(bash "$HERE/debs.sh" amd64 "$OUT/amd64" 7zip-standalone "${LIBS_PKGS[@]}")

TMP=$(mktemp -d "$OUT/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
ROOT=$TMP/root
mkdir -p "$ROOT/bench" "$ROOT/usr/bin" "$ROOT/lib/riscv64-linux-gnu"
for p in int mem fp; do
    [ -x "$PROGDIR/$p" ] || die "$PROGDIR/$p is missing (make bench-programs builds it)"
    install -m 755 "$PROGDIR/$p" "$ROOT/bench/$p"
done
install -m 755 "$RV/usr/lib/7zip/7zz" "$ROOT/usr/bin/7zz"

# The libraries 7zz needs, and theirs, by DT_NEEDED; the loader goes where PT_INTERP names it,
# the rest into a directory on the loader's built-in search path.
libdir=$RV/usr/lib/riscv64-linux-gnu
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
mapfile -t queue < <(needed "$ROOT/usr/bin/7zz")
declare -A SEEN=()
while [ ${#queue[@]} -gt 0 ]; do
    so=${queue[0]}
    queue=("${queue[@]:1}")
    [ -z "${SEEN[$so]:-}" ] || continue
    SEEN[$so]=1
    [ -e "$libdir/$so" ] || die "7zz needs $so, which none of ${LIBS_PKGS[*]} carries"
    install -m 755 "$(readlink -f "$libdir/$so")" "$ROOT/lib/riscv64-linux-gnu/$so"
    mapfile -t more < <(needed "$libdir/$so")
    queue+=("${more[@]}")
done
interp=$(readelf -l "$ROOT/usr/bin/7zz" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
[ -n "$interp" ] || die "7zz names no program interpreter"
mkdir -p "$ROOT${interp%/*}"
mv "$ROOT/lib/riscv64-linux-gnu/${interp##*/}" "$ROOT$interp"
say "bench archive: 3 programs, 7zz and ${#SEEN[@]} libraries (${!SEEN[*]})"

find "$ROOT" -exec touch -h -d @0 {} +
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc -R 0:0 --reproducible --quiet) | gzip -6n >"$TMP/bench.cpio.gz"
cat "${BASE[INITRD]}" "$TMP/bench.cpio.gz" >"$TMP/initramfs.cpio.gz"
mv "$TMP/initramfs.cpio.gz" "$OUT/initramfs.cpio.gz"

# The host runs the amd64 7zz through the loader it came with, so the host's older C library
# plays no part.
x86lib=$X86/usr/lib/x86_64-linux-gnu
cat >"$OUT/7zz-native" <<EOF
#!/bin/sh
exec "$x86lib/ld-linux-x86-64.so.2" --library-path "$x86lib" "$X86/usr/lib/7zip/7zz" "\$@"
EOF
chmod 755 "$OUT/7zz-native"

printf 'KERNEL=%s\nINITRD=%s\nSEVENZIP_NATIVE=%s\n' "${BASE[KERNEL]}" "$OUT/initramfs.cpio.gz" \
    "$OUT/7zz-native"
