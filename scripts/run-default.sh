#!/usr/bin/env bash
# `make run`: boots the default guest on this terminal — Debian's riscv64 Linux kernel and a
# busybox initramfs (built or reused by guest/linux/build.sh), through OpenSBI, to a shell.
# `poweroff` in the guest ends visor with status 0; Ctrl-A x quits at any time.
# With VISOR_DEMO=hello, boots the bare-metal demo instead.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-release}
visor="build/$MODE/visor"
if [ "${VISOR_DEMO:-}" = hello ]; then
    exec "$visor" -machine virt -bios none -kernel build/guest/hello.elf -nographic "$@"
fi
eval "$(bash guest/linux/build.sh | grep -E '^(KERNEL|INITRD)=')"
echo "visor: booting Debian Linux ($KERNEL) — type 'poweroff' to stop, or Ctrl-A x" >&2
exec "$visor" -machine virt -m 512M -nographic -kernel "$KERNEL" -initrd "$INITRD" \
    -append "console=ttyS0" "$@"
