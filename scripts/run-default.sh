#!/usr/bin/env bash
# What `make run` does until Linux boots: the bare-metal demo guest on the virt board, console
# on this terminal (Ctrl-A x quits, Ctrl-A h lists the escape keys).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-release}
exec "build/$MODE/visor" -machine virt -bios none -kernel build/guest/hello.elf -nographic "$@"
