# Guest programs, built with the bare-metal RISC-V toolchain. Included from the top-level
# Makefile; `make guest` builds build/guest/hello.elf (the demo `make run` boots).
GUEST_CC ?= riscv64-unknown-elf-gcc
GUEST_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -nostdlib -ffreestanding -static \
                -O2 -g -Wall -Wextra -Werror -fno-pic -Wl,--build-id=none,--no-warn-rwx-segments
GUEST_HELLO := guest/hello/start.S guest/hello/hello.c

build/guest/hello.elf: $(GUEST_HELLO) guest/hello/hello.ld guest/lib/console.h guest/guest.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -T guest/hello/hello.ld -o $@ $(GUEST_HELLO)

guest: build/guest/hello.elf

# An S-mode payload for firmware boots, as a raw binary (placed at 0x80200000 behind OpenSBI).
build/guest/sbi-hello.bin: guest/sbi-hello/sbi-hello.S guest/guest.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -Wl,-Ttext=0x80200000,--no-relax -o build/guest/sbi-hello.elf $<
	riscv64-unknown-elf-objcopy -O binary build/guest/sbi-hello.elf $@

guest: build/guest/sbi-hello.bin
