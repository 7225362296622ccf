#!/usr/bin/env bash
# Builds visor's default Linux guest from Debian's riscv64 packages: the kernel as an uncompressed
# RISC-V Image, and a busybox initramfs carrying the virtio, ext4 and 9p modules. Everything lives
# under ${VISOR_CACHE:-$HOME/.cache/visor}; a run that finds its results there touches no network.
# Progress goes to stderr; stdout gets KERNEL=… INITRD=… lines, also written to $CACHE/paths.
#
#   guest/linux/build.sh             build, or reuse what is cached
#   guest/linux/build.sh --refresh   ask the archive for its newest kernel; rebuild if it moved
#
# Environment: VISOR_CACHE (cache root), VISOR_DEBIAN_MIRROR (default: the host's Debian mirror),
# VISOR_GUEST_SUITES (suites tried in turn, default "sid testing stable").
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VISOR_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/visor}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd) # the paths it prints must work from anywhere
WORK=$CACHE/debian                 # private apt state, the .debs, the extracted packages
IMAGE=$CACHE/Image
INITRD=$CACHE/initramfs.cpio.gz
MANIFEST=$CACHE/manifest
PATHS=$CACHE/paths
RESOLVED=$WORK/resolved            # what the last archive query chose; lets a rebuild stay offline
SUITES=${VISOR_GUEST_SUITES:-sid testing stable}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# What /init loads, each after its dependencies. Names the kernel has built in are skipped.
WANT_MODULES=(virtio_mmio virtio_blk virtio_net virtio_rng virtio_console ext4 9p 9pnet_virtio)

REFRESH=0
case "${1:-}" in
    "") ;;
    --refresh) REFRESH=1 ;;
    -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "guest: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

say() { printf 'guest: %s\n' "$*" >&2; }
die() { printf 'guest: error: %s\n' "$*" >&2; exit 1; }

# Every failure names the step it interrupted; partial work stays in $TMP, which goes away.
STEP="starting"
TMP=""
# Only the main shell reports: a subshell's failure that matters fails a command out here too.
trap 'rc=$?; [ "$BASHPID" = $$ ] && printf "guest: error: failed while %s (build.sh line %s)\n" \
    "$STEP" "$LINENO" >&2; exit $rc' ERR
trap '[ -n "$TMP" ] && rm -rf "$TMP"' EXIT

human() {
    awk -v b="$1" 'BEGIN { if (b >= 1e6) printf "%.1f MB", b / 1e6
                           else printf "%.0f kB", b / 1e3 }'
}

# The guest's own files and this script: when they change, the initramfs is rebuilt (offline).
inputs_hash() {
    (
        cd "$HERE"
        find build.sh rootfs \( -type f -o -type l \) -print0 | LC_ALL=C sort -z |
            xargs -0 sha256sum
        find rootfs -type f -perm -u+x | LC_ALL=C sort
    ) | sha256sum | cut -c1-16
}

print_paths() {
    cat "$PATHS"
}

results_current() {
    [ -f "$MANIFEST" ] && [ -f "$IMAGE" ] && [ -f "$INITRD" ] && [ -f "$PATHS" ] || return 1
    grep -qx "inputs $INPUTS" "$MANIFEST" || return 1
    grep -qx "image $(stat -c %s "$IMAGE")" "$MANIFEST" || return 1
    grep -qx "initramfs $(stat -c %s "$INITRD")" "$MANIFEST" || return 1
}

mkdir -p "$WORK/debs" "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial"
exec 9>"$CACHE/.lock"
STEP="waiting for another build.sh to finish (lock $CACHE/.lock)"
flock 9
INPUTS=$(inputs_hash)
if [ "$REFRESH" = 0 ] && results_current; then
    print_paths
    exit 0
fi
rm -rf "$CACHE"/.tmp.* # what a killed run left; nobody else works here while we hold the lock
TMP=$(mktemp -d "$CACHE/.tmp.XXXXXX")

# ---- host tools -------------------------------------------------------------------------------

STEP="installing host tools"
PATH=$PATH:/usr/sbin:/sbin # modinfo and depmod live there
declare -A TOOL_PKG=([cpio]=cpio [xz]=xz-utils [zstd]=zstd [modinfo]=kmod [depmod]=kmod
                     [gzip]=gzip [dpkg-deb]=dpkg [apt-get]=apt)
ensure_tools() {
    local t missing=()
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || missing+=("${TOOL_PKG[$t]:-$t}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    [ "$(id -u)" = 0 ] || die "missing host tools: sudo apt-get install ${missing[*]}"
    say "installing host packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
        die "could not install host packages: ${missing[*]}"
}
ensure_tools apt-get dpkg-deb cpio gzip xz zstd modinfo depmod

# ---- resolving and downloading ----------------------------------------------------------------

# The host's Debian mirror: the first deb line or deb822 URIs entry ending in /debian.
host_mirror() {
    local f d=/etc/apt/sources.list.d
    for f in /etc/apt/sources.list "$d"/*.list "$d"/*.sources; do
        [ -r "$f" ] || continue
        awk '/^[ \t]*deb[ \t]/ { for (i = 2; i <= NF; i++) {
                                     if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; continue }
                                     print $i; break } }
             /^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
    done | grep -E '^[a-z+]+://.*/debian/?$' | grep -v -e security -e ports | sed 's:/*$::' |
        awk 'NR == 1'
}
MIRROR=${VISOR_DEBIAN_MIRROR:-$(host_mirror || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# apt with its own state, riscv64 only, so the host's package state and sources are never touched.
APT=(-oAPT::Architecture=riscv64 -oAPT::Architectures::=riscv64
     -oDir::State="$WORK/apt" -oDir::State::Lists="$WORK/apt/lists" -oDir::State::status=/dev/null
     -oDir::Cache="$WORK/apt/cache" -oDir::Cache::pkgcache=pkgcache.bin -oDir::Cache::srcpkgcache=""
     -oDir::Etc::SourceList="$WORK/apt/sources.list"
     -oDir::Etc::SourceParts=/dev/null -oDir::Etc::Preferences=/dev/null
     -oDir::Etc::PreferencesParts=/dev/null -oDebug::NoLocking=1 -oAPT::Sandbox::User=root
     -oAcquire::Languages=none -oAcquire::Retries=3)

field() { # PACKAGE FIELD: the candidate's field, from the private index
    apt-cache "${APT[@]}" show --no-all-versions "$1" 2>/dev/null |
        awk -v f="$2" 'index($0, f ": ") == 1 && !n++ { print substr($0, length(f) + 3) }'
}
depends() { # PACKAGE: the names in its Depends, first alternative of each
    field "$1" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:.*//; s/[[:space:]]//g' |
        awk 'NF'
}

# Resolves the kernel through the linux-image-riscv64 meta-package, never by a pinned version:
# its Depends names linux-image-<kver>, whose own Depends name the packages that carry the files
# (today linux-binary-<kver>, linux-modules-<kver> and linux-base-<kver>; older kernels put
# everything in linux-image-<kver> itself). Sets KVER, META_VERSION, PKGS ("name version size").
resolve() {
    local suite=$1 image carriers dep v s
    PKGS=()
    META_VERSION=$(field linux-image-riscv64 Version)
    if [ -z "$META_VERSION" ]; then
        say "$suite: no linux-image-riscv64 for riscv64"
        return 1
    fi
    image=$(depends linux-image-riscv64 | awk '/^linux-image-[0-9]/ && !n++')
    if [ -z "$image" ]; then
        say "$suite: linux-image-riscv64 $META_VERSION names no versioned linux-image"
        return 1
    fi
    KVER=${image#linux-image-}
    carriers=$(depends "$image" | awk -v k="-$KVER" -v i="$image" 'index($0, k) && $0 != i')
    for dep in "$image" $carriers busybox-static; do
        v=$(field "$dep" Version)
        s=$(field "$dep" Size)
        if [ -z "$v" ] || [ -z "$s" ]; then
            say "$suite: $dep is not in the index (archive mid-sync?)"
            return 1
        fi
        PKGS+=("$dep $v $s")
    done
}

deb_file() { # NAME VERSION: where the .deb is kept (the epoch has no place in a file name)
    printf '%s/debs/%s_%s_riscv64.deb' "$WORK" "$1" "${2#*:}"
}

download() {
    local suite=$1 p name v s f
    for p in "${PKGS[@]}"; do
        read -r name v s <<<"$p"
        f=$(deb_file "$name" "$v")
        [ -f "$f" ] && [ "$(stat -c %s "$f")" = "$s" ] && continue
        say "downloading $name $v ($(human "$s")) from $suite"
        rm -rf "$TMP/dl" && mkdir -p "$TMP/dl"
        (cd "$TMP/dl" && apt-get "${APT[@]}" -qq download "$name=$v") ||
            { say "$suite: downloading $name $v failed"; return 1; }
        set -- "$TMP"/dl/*.deb
        if [ ! -f "$1" ] || [ "$(stat -c %s "$1")" != "$s" ]; then
            say "$suite: $name $v arrived with the wrong size"
            return 1
        fi
        mv "$1" "$f"
    done
}

# One suite, a few tries: a mirror caught mid-sync fails the update or lists packages it lacks.
# Returns 1 to try the next suite, 2 when the mirror is unreachable.
fetch_suite() {
    local suite=$1 try
    local line="deb [arch=riscv64] $MIRROR $suite main"
    [ -r "$KEYRING" ] && line="deb [arch=riscv64 signed-by=$KEYRING] $MIRROR $suite main"
    echo "$line" >"$WORK/apt/sources.list"
    for try in 1 2 3; do
        if [ "$try" -gt 1 ]; then
            say "$suite: trying again in $(((try - 1) * 10)) s"
            sleep $(((try - 1) * 10))
        fi
        say "reading the $suite riscv64 package index from $MIRROR"
        if ! apt-get "${APT[@]}" -qq --error-on=any update 2>"$TMP/update.err"; then
            cat "$TMP/update.err" >&2
            # No Release file: the suite does not exist there, which no retry changes.
            grep -q 'does not have a Release file' "$TMP/update.err" && return 1
            # Nor does one when the mirror cannot be reached at all; no other suite helps either.
            grep -Eq 'Could not (connect|resolve)|Temporary failure resolving|Connection failed' \
                "$TMP/update.err" && return 2
            say "$suite: apt-get update failed"
            continue
        fi
        resolve "$suite" || continue
        download "$suite" || continue
        return 0
    done
    return 1
}

have_resolved_debs() {
    local name v s
    [ -f "$RESOLVED" ] || return 1
    while read -r name v s; do
        [ -f "$(deb_file "$name" "$v")" ] || return 1
    done < <(sed -n 's/^deb //p' "$RESOLVED")
}

use_resolved() {
    STEP="reading $RESOLVED"
    SUITE=$(sed -n 's/^suite //p' "$RESOLVED")
    KVER=$(sed -n 's/^kernel //p' "$RESOLVED")
    META_VERSION=$(sed -n 's/^meta linux-image-riscv64 //p' "$RESOLVED")
    mapfile -t PKGS < <(sed -n 's/^deb //p' "$RESOLVED")
    say "using the downloaded packages of kernel $KVER"
}

FETCHED=""
if [ "$REFRESH" = 1 ] || ! have_resolved_debs; then
    STEP="fetching packages"
    for s in $SUITES; do
        rc=0
        fetch_suite "$s" || rc=$?
        [ "$rc" = 0 ] && { FETCHED=$s; break; }
        [ "$rc" = 2 ] && { say "cannot reach $MIRROR"; break; }
        say "$s: giving up on this suite"
    done
fi
if [ -n "$FETCHED" ]; then
    SUITE=$FETCHED
    {
        echo "mirror $MIRROR"
        echo "suite $SUITE"
        echo "kernel $KVER"
        echo "meta linux-image-riscv64 $META_VERSION"
        printf 'deb %s\n' "${PKGS[@]}"
    } >"$TMP/resolved"
    if cmp -s "$TMP/resolved" "$RESOLVED" && results_current; then
        say "kernel $KVER is still the newest in $SUITE; nothing to rebuild"
        print_paths
        exit 0
    fi
    mv "$TMP/resolved" "$RESOLVED"
elif have_resolved_debs; then
    [ "$REFRESH" = 0 ] || say "warning: the archive gave no complete kernel; keeping the cached one"
    use_resolved
else
    die "got no complete riscv64 kernel and busybox from $MIRROR (suites: $SUITES)"
fi

# ---- extracting -------------------------------------------------------------------------------

STEP="extracting packages"
TREE=$WORK/tree
DEBS=()
for p in "${PKGS[@]}"; do
    read -r name v s <<<"$p"
    DEBS+=("$(deb_file "$name" "$v")")
done
if [ "$(cat "$TREE.stamp" 2>/dev/null)" != "$(printf '%s\n' "${DEBS[@]##*/}")" ]; then
    say "extracting ${#DEBS[@]} packages"
    mkdir "$TMP/tree"
    for f in "${DEBS[@]}"; do
        STEP="extracting ${f##*/}"
        dpkg-deb -x "$f" "$TMP/tree" ||
            die "could not extract ${f##*/} (delete it from $WORK/debs to fetch it again)"
    done
    rm -rf "$TREE" "$TREE.stamp"
    mv "$TMP/tree" "$TREE"
    printf '%s\n' "${DEBS[@]##*/}" >"$TREE.stamp"
fi

# ---- the kernel Image -------------------------------------------------------------------------

# A RISC-V Image carries "RISCV\0\0\0" at 0x30 and "RSC\x05" at 0x38 (an EFI stub's "MZ" at 0 is
# part of a valid Image: it decodes as a harmless instruction).
is_image() { [ "$(od -An -tx1 -j48 -N12 "$1" | tr -d ' \n')" = 524953435600000052534305 ]; }

decompress() { # FORMAT IN OUT
    case $1 in
        gzip) gzip -dc <"$2" >"$3" || [ $? = 2 ] ;; # 2: trailing bytes after the stream, a warning
        xz) xz -dc <"$2" >"$3" ;;
        lzma) xz -dc --format=lzma <"$2" >"$3" ;;
        zstd) zstd -dcq <"$2" >"$3" ;;
        bzip2) ensure_tools bzip2 && bzip2 -dc <"$2" >"$3" ;;
        lz4) ensure_tools lz4 && lz4 -dcq <"$2" >"$3" ;;
        *) die "kernel payload compressed with '$1', which build.sh cannot undo" ;;
    esac
}

make_image() { # IN OUT: unwrap gzip/xz/zstd/… and EFI zboot until a plain Image remains
    local in=$1 out=$2 n magic fmt off size
    for n in 1 2 3; do
        is_image "$in" && { cp "$in" "$out"; return 0; }
        magic=$(od -An -tx1 -N8 "$in" | tr -d ' \n')
        case $magic in
            1f8b*) fmt=gzip ;;
            fd377a585a00*) fmt=xz ;;
            28b52ffd*) fmt=zstd ;;
            425a68*) fmt=bzip2 ;;
            04224d18* | 02214c18*) fmt=lz4 ;;
            5d0000*) fmt=lzma ;;
            4d5a????7a696d67) fmt=zboot ;; # "MZ" then "zimg": the EFI zboot wrapper
            7f454c46*) fmt=elf ;;
            *) die "$in is not a RISC-V Image nor a format build.sh knows (starts $magic)" ;;
        esac
        say "kernel is $fmt-wrapped; unwrapping"
        case $fmt in
            zboot)
                off=$(od -An -tu4 -j8 -N4 "$in" | tr -d ' ')
                size=$(od -An -tu4 -j12 -N4 "$in" | tr -d ' ')
                fmt=$(dd if="$in" bs=1 skip=24 count=8 status=none | tr -d '\0')
                tail -c +$((off + 1)) "$in" | head -c "$size" >"$TMP/payload.$n"
                decompress "$fmt" "$TMP/payload.$n" "$TMP/kernel.$n"
                ;;
            elf)
                local oc
                for oc in riscv64-linux-gnu-objcopy riscv64-unknown-elf-objcopy llvm-objcopy \
                          objcopy; do
                    command -v "$oc" >/dev/null && break
                done
                "$oc" -O binary "$in" "$TMP/kernel.$n" ||
                    die "$oc could not turn the ELF vmlinux into an Image"
                ;;
            *) decompress "$fmt" "$in" "$TMP/kernel.$n" ;;
        esac
        in=$TMP/kernel.$n
    done
    is_image "$in" || die "unwrapping the kernel did not give a RISC-V Image"
    cp "$in" "$out"
}

STEP="finding the kernel of $KVER"
KERNEL_SRC=""
for f in "$TREE/usr/lib/modules/$KVER/vmlinuz" "$TREE/lib/modules/$KVER/vmlinuz" \
         "$TREE/boot/vmlinuz-$KVER" "$TREE/boot/vmlinux-$KVER" \
         "$TREE/usr/lib/modules/$KVER/vmlinux" "$TREE/boot/Image-$KVER"; do
    [ -f "$f" ] && { KERNEL_SRC=$f; break; }
done
[ -n "$KERNEL_SRC" ] || die "no kernel file for $KVER in ${DEBS[*]##*/}"
STEP="making the Image from ${KERNEL_SRC#"$TREE"/}"
make_image "$KERNEL_SRC" "$TMP/Image"

# ---- modules ----------------------------------------------------------------------------------

STEP="finding the modules of $KVER"
MODDIR=""
for d in "$TREE/usr/lib/modules/$KVER" "$TREE/lib/modules/$KVER"; do
    [ -d "$d/kernel" ] && { MODDIR=$d; break; }
done
[ -n "$MODDIR" ] || die "no modules directory for $KVER in ${DEBS[*]##*/}"
kfile() { # NAME: a file of the kernel's modules directory, which may sit in either /lib or /usr/lib
    local d
    for d in "$MODDIR" "$TREE/usr/lib/modules/$KVER" "$TREE/lib/modules/$KVER"; do
        [ -f "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}

norm() { local n=${1##*/}; n=${n%%.ko*}; printf '%s' "${n//-/_}"; }
declare -A MOD_PATH=() BUILTIN=()
while IFS= read -r -d '' f; do
    m=${f##*/} m=${m%%.ko*} # norm, without a fork for each of thousands of modules
    MOD_PATH[${m//-/_}]=${f#"$MODDIR"/}
done < <(find "$MODDIR" -name '*.ko*' -print0)
if f=$(kfile modules.builtin); then
    while read -r m; do
        m=${m##*/} m=${m%%.ko*}
        BUILTIN[${m//-/_}]=1
    done <"$f"
else
    say "warning: no modules.builtin for $KVER; assuming nothing is built in"
fi

# A name as modinfo or the wanted list gives it: a module, built in, or unknown. A soft dependency
# may name an alias instead ("crypto-crc32c", which crc32c-cryptoapi carries).
classify() {
    local n=${1//-/_} m
    if [ -n "${MOD_PATH[$n]:-}" ]; then echo "module $n"
    elif [ -n "${BUILTIN[$n]:-}" ]; then echo "builtin $n"
    elif m=$(builtin_alias "$1") && [ -n "$m" ]; then echo "builtin $m"
    elif m=$(module_alias "$1") && [ -n "$m" ]; then echo "module $m"
    else echo "unknown $n"
    fi
}
builtin_alias() {
    local f
    f=$(kfile modules.builtin.modinfo) || return 0
    tr '\0' '\n' <"$f" | awk -v a="$1" -F '.alias=' '$2 == a && !n++ { print $1 }'
}
# Reading every module's aliases takes seconds, so only plausible carriers are asked: modules
# whose name starts with the alias's last word, and the crypto modules.
module_alias() {
    local base=${1##*-} n files=()
    base=${base//-/_}
    for n in "${!MOD_PATH[@]}"; do
        case $n:${MOD_PATH[$n]} in
            "$base"*:* | *:kernel/crypto/* | *:kernel/arch/*/crypto/*)
                files+=("$MODDIR/${MOD_PATH[$n]}") ;;
        esac
    done
    [ ${#files[@]} -gt 0 ] || return 0
    modinfo "${files[@]}" 2>/dev/null |
        awk -v a="$1" '$1 == "filename:" { f = $2 } $1 == "alias:" && $2 == a && !n++ { print f }' |
        while read -r f; do norm "$f"; done
}

# Depth-first, dependencies before dependents: ORDER is a valid insmod order.
declare -A MARK=()
ORDER=()
visit() {
    local n=$1 path=$MODDIR/${MOD_PATH[$1]} deps soft d kind name
    case ${MARK[$n]:-} in
        loaded) return 0 ;;
        visiting) die "module dependency cycle through $n" ;;
    esac
    MARK[$n]=visiting
    deps=$(modinfo -F depends "$path") || die "modinfo could not read ${MOD_PATH[$n]}"
    # "pre: a b post: c": the pre-modules are loaded first; post-modules are not needed to load.
    soft=$(modinfo -F softdep "$path" |
        sed -n 's/.*pre:\([^:]*\)\( post:.*\)\{0,1\}$/\1/p' | tr '\n' ' ')
    for d in ${deps//,/ } $soft; do
        read -r kind name <<<"$(classify "$d")"
        case $kind in
            module) visit "$name" ;;
            builtin) ;;
            *) case " $soft " in
                   *" $d "*) ;; # a soft dependency the kernel does not have is fine
                   *) die "$n depends on $d, which $KVER has neither as a module nor built in" ;;
               esac ;;
        esac
    done
    MARK[$n]=loaded
    ORDER+=("$n")
}

STEP="resolving module dependencies"
BUILTINS=()
for w in "${WANT_MODULES[@]}"; do
    read -r kind name <<<"$(classify "$w")"
    case $kind in
        module) visit "$name" ;;
        builtin) BUILTINS+=("$name") ;;
        *) say "warning: $KVER has no $w, neither as a module nor built in" ;;
    esac
done

# ---- the initramfs ----------------------------------------------------------------------------

STEP="assembling the initramfs"
ROOT=$TMP/root
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,mnt,etc}
chmod 1777 "$ROOT/tmp"
chmod 700 "$ROOT/root"
BUSYBOX=""
for f in "$TREE/usr/bin/busybox" "$TREE/bin/busybox"; do
    [ -f "$f" ] && { BUSYBOX=$f; break; }
done
[ -n "$BUSYBOX" ] || die "busybox-static has no busybox binary"
install -m 755 "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
ln -s ../bin/busybox "$ROOT/sbin/init"
cp -a "$HERE/rootfs/." "$ROOT/"

KMOD=$ROOT/lib/modules/$KVER
mkdir -p "$KMOD"
for n in "${ORDER[@]}"; do
    rel=${MOD_PATH[$n]}
    out=$KMOD/${rel%.ko*}.ko
    mkdir -p "${out%/*}"
    case $rel in
        *.ko.xz) xz -dc "$MODDIR/$rel" >"$out" ;;
        *.ko.zst) zstd -dcq "$MODDIR/$rel" >"$out" ;;
        *.ko.gz) gzip -dc "$MODDIR/$rel" >"$out" ;;
        *.ko) cp "$MODDIR/$rel" "$out" ;;
        *) die "module $rel has a compression build.sh does not know" ;;
    esac
    echo "${rel%.ko*}.ko" >>"$KMOD/modules.load"
done
touch "$KMOD/modules.load"
for f in modules.builtin modules.builtin.modinfo modules.order; do
    if src=$(kfile "$f"); then cp "$src" "$KMOD/"; fi
done
# modules.dep lets the guest's modprobe work too; boot itself uses modules.load.
depmod -b "$ROOT" "$KVER" 2>"$TMP/depmod.err" ||
    say "warning: depmod failed: $(head -n 1 "$TMP/depmod.err")"

BB_VERSION=$(printf '%s\n' "${PKGS[@]}" | awk '$1 == "busybox-static" { print $2 }')
cat >"$ROOT/etc/visor-release" <<EOF
visor Linux guest: Debian $SUITE kernel $KVER ($META_VERSION), busybox-static $BB_VERSION
modules: ${ORDER[*]}
EOF

STEP="writing the initramfs cpio"
find "$ROOT" -exec touch -h -d @0 {} +
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n >"$TMP/initramfs.cpio.gz"

# ---- results ----------------------------------------------------------------------------------

STEP="writing the results to $CACHE"
{
    echo "# visor Linux guest, written by guest/linux/build.sh"
    echo "inputs $INPUTS"
    cat "$RESOLVED"
    echo "kernel-file ${KERNEL_SRC#"$TREE"/}"
    for n in "${ORDER[@]}"; do echo "module $n ${MOD_PATH[$n]}"; done
    for n in "${BUILTINS[@]}"; do echo "builtin $n"; done
    echo "image $(stat -c %s "$TMP/Image")"
    echo "initramfs $(stat -c %s "$TMP/initramfs.cpio.gz")"
} >"$TMP/manifest"
printf 'KERNEL=%s\nINITRD=%s\nKERNEL_VERSION=%s\n' "$IMAGE" "$INITRD" "$KVER" >"$TMP/paths"
rm -f "$MANIFEST" # until the new one lands, the results are not current
mv "$TMP/Image" "$IMAGE"
mv "$TMP/initramfs.cpio.gz" "$INITRD"
mv "$TMP/paths" "$PATHS"
mv "$TMP/manifest" "$MANIFEST"

# Packages no longer named anywhere are dead weight (the modules package alone is ~100 MB).
for f in "$WORK"/debs/*.deb; do
    [ -f "$f" ] || continue
    case " ${DEBS[*]} " in
        *" $f "*) ;;
        *) say "removing the outdated ${f##*/}"; rm -f "$f" ;;
    esac
done

say "kernel $KVER: $IMAGE ($(human "$(stat -c %s "$IMAGE")"))"
say "initramfs with ${#ORDER[@]} modules: $INITRD ($(human "$(stat -c %s "$INITRD")"))"
print_paths
