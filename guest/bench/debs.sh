#!/usr/bin/env bash
# Fetches Debian packages of one architecture and extracts them into one tree, with a private
# apt state (the host's package state and sources are never touched), the way
# guest/linux/build.sh fetches the kernel. A run that finds the packages it resolved last time
# already downloaded touches no network. Prints the tree's path on stdout.
#
#   guest/bench/debs.sh ARCH DIR PACKAGE...     e.g. debs.sh riscv64 /tmp/rv 7zip-standalone libc6
#
# Only the named packages are fetched, not their dependencies: the caller names the libraries it
# needs. Environment: VISOR_DEBIAN_MIRROR (default deb.debian.org), VISOR_BENCH_SUITES (suites
# tried in turn, default "sid testing stable").
set -Eeuo pipefail

[ $# -ge 3 ] || { sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }
ARCH=$1 DIR=$2
shift 2
WANT=("$@")
MIRROR=${VISOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITES=${VISOR_BENCH_SUITES:-sid testing stable}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$DIR/debs" "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial"
DIR=$(cd "$DIR" && pwd)
RESOLVED=$DIR/resolved
APT=(-oAPT::Architecture="$ARCH" -oAPT::Architectures::="$ARCH"
     -oDir::State="$DIR/apt" -oDir::State::Lists="$DIR/apt/lists" -oDir::State::status=/dev/null
     -oDir::Cache="$DIR/apt/cache" -oDir::Cache::pkgcache=pkgcache.bin -oDir::Cache::srcpkgcache=""
     -oDir::Etc::SourceList="$DIR/apt/sources.list"
     -oDir::Etc::SourceParts=/dev/null -oDir::Etc::Preferences=/dev/null
     -oDir::Etc::PreferencesParts=/dev/null -oDebug::NoLocking=1 -oAPT::Sandbox::User=root
     -oAcquire::Languages=none -oAcquire::Retries=3)

field() { # PACKAGE FIELD: the candidate's field, from the private index
    apt-cache "${APT[@]}" show --no-all-versions "$1" 2>/dev/null |
        awk -v f="$2" 'index($0, f ": ") == 1 && !n++ { print substr($0, length(f) + 3) }'
}
deb_file() { printf '%s/debs/%s_%s_%s.deb' "$DIR" "$1" "${2#*:}" "$ARCH"; }

# The resolution is reused while it names the same packages and all of them are on disk.
cached() {
    local name v s
    [ -f "$RESOLVED" ] || return 1
    [ "$(awk '{ print $1 }' "$RESOLVED" | tr '\n' ' ')" = "${WANT[*]} " ] || return 1
    while read -r name v s; do
        [ -f "$(deb_file "$name" "$v")" ] || return 1
    done <"$RESOLVED"
}

fetch_suite() { # SUITE: resolve and download every wanted package, or fail
    local suite=$1 line p v s f
    line="deb [arch=$ARCH] $MIRROR $suite main"
    [ -r "$KEYRING" ] && line="deb [arch=$ARCH signed-by=$KEYRING] $MIRROR $suite main"
    echo "$line" >"$DIR/apt/sources.list"
    say "reading the $suite $ARCH package index"
    apt-get "${APT[@]}" -qq update || return 1
    : >"$RESOLVED.new"
    for p in "${WANT[@]}"; do
        v=$(field "$p" Version)
        s=$(field "$p" Size)
        [ -n "$v" ] || { say "$suite: no $p for $ARCH"; return 1; }
        echo "$p $v $s" >>"$RESOLVED.new"
        f=$(deb_file "$p" "$v")
        [ -f "$f" ] && [ "$(stat -c %s "$f")" = "$s" ] && continue
        say "downloading $p $v ($ARCH, $suite)"
        rm -rf "$DIR/dl" && mkdir -p "$DIR/dl"
        (cd "$DIR/dl" && apt-get "${APT[@]}" -qq download "$p=$v") || return 1
        mv "$DIR"/dl/*.deb "$f"
    done
    mv "$RESOLVED.new" "$RESOLVED"
}

if ! cached; then
    ok=0
    for suite in $SUITES; do
        fetch_suite "$suite" && { ok=1; break; }
        say "$suite: giving up on this suite"
    done
    [ "$ok" = 1 ] || die "could not fetch ${WANT[*]} for $ARCH from $MIRROR (suites: $SUITES)"
    # .debs the new resolution no longer names are dead weight
    for f in "$DIR"/debs/*.deb; do
        [ -f "$f" ] || continue
        awk -v f="${f##*/}" -v a="$ARCH" '{ v = $2; sub(/^[0-9]+:/, "", v) }
            $1 "_" v "_" a ".deb" == f { found = 1 } END { exit !found }' "$RESOLVED" ||
            rm -f "$f"
    done
fi

# Extract again only when the set of .debs changed.
stamp=$(awk '{ v = $2; sub(/^[0-9]+:/, "", v); print $1 "_" v }' \
    "$RESOLVED")
if [ "$(cat "$DIR/tree.stamp" 2>/dev/null)" != "$stamp" ]; then
    say "extracting $(wc -l <"$RESOLVED") $ARCH packages"
    rm -rf "$DIR/tree" "$DIR/tree.stamp"
    mkdir "$DIR/tree"
    while read -r name v s; do
        dpkg-deb -x "$(deb_file "$name" "$v")" "$DIR/tree"
    done <"$RESOLVED"
    echo "$stamp" >"$DIR/tree.stamp"
fi
echo "$DIR/tree"
