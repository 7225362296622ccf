#!/usr/bin/env bash
# Installs what building and testing visor needs on Debian 12, only if something is missing.
set -euo pipefail
pkgs=(gcc make libfdt-dev device-tree-compiler gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
      qemu-system-misc opensbi python3 clang libclang-rt-14-dev gdb-multiarch
      libslirp-dev tshark qemu-utils)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    # tshark (tests/net.py reads the filter-dump capture) asks about setuid dumpcap: no.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo_cmd debconf-set-selections
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
