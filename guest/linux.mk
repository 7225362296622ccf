# visor's default Linux guest: Debian's riscv64 kernel as an uncompressed Image plus a busybox
# initramfs, built by guest/linux/build.sh into $VISOR_CACHE (default ~/.cache/visor), outside
# the tree. Included from the top-level Makefile.
#   make linux-guest            build, or reuse the cache (~1 s, no network); prints KERNEL=…
#                               INITRD=… KERNEL_VERSION=…, the same lines as $VISOR_CACHE/paths
#   make linux-guest-refresh    ask the archive for its newest kernel; rebuild if it moved
#   make linux-guest-qemu-check boot the guest under qemu-system-riscv64 and check it through
#                               the console (marker, modules, virtio devices, poweroff)
.PHONY: linux-guest linux-guest-refresh linux-guest-qemu-check

linux-guest:
	@bash guest/linux/build.sh

linux-guest-refresh:
	@bash guest/linux/build.sh --refresh

linux-guest-qemu-check: linux-guest
	@python3 guest/linux/qemu-check.py
