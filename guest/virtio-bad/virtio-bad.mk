# virtio-bad: the hostile virtio-blk driver (bare metal). Included from the top-level Makefile
# after guest/guest.mk (it uses GUEST_CC and GUEST_CFLAGS from there).
# `make guest-virtio-bad` builds build/guest/virtio-bad.elf; run it with a disk in slot 0, e.g.
#   visor|qemu-system-riscv64 -M virt -bios none -kernel build/guest/virtio-bad.elf -nographic
#     -global virtio-mmio.force-legacy=false -drive file=x.img,if=none,format=raw,id=d0
#     -device virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0
VIRTIO_BAD_SRCS := guest/virtio-bad/start.S guest/virtio-bad/virtio-bad.c

build/guest/virtio-bad.elf: $(VIRTIO_BAD_SRCS) guest/virtio-bad/virtio-bad.ld guest/lib/console.h \
                            guest/virtio-bad/virtio-bad.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -T guest/virtio-bad/virtio-bad.ld -o $@ $(VIRTIO_BAD_SRCS)

.PHONY: guest-virtio-bad
guest-virtio-bad: build/guest/virtio-bad.elf
guest: build/guest/virtio-bad.elf
