# Bare-metal ISA tests: every tests/isa/*.S becomes build/isa/NAME.elf.
# Included by the top-level Makefile (paths are relative to the repository root); also works
# alone: make -f tests/isa/isa.mk isa-tests

ISA_DIR      := tests/isa
ISA_OUT      := build/isa
ISA_CC       ?= riscv64-unknown-elf-gcc
ISA_CFLAGS   := -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -mno-relax \
                -I$(ISA_DIR) -T $(ISA_DIR)/common/link.ld
ISA_COMMON   := $(ISA_DIR)/common/crt.S
ISA_DEPS     := $(wildcard $(ISA_DIR)/common/*) $(ISA_DIR)/isa.mk

ISA_SOURCES  := $(sort $(wildcard $(ISA_DIR)/*.S))
ISA_TESTS    := $(patsubst $(ISA_DIR)/%.S,%,$(ISA_SOURCES))
ISA_ELFS     := $(patsubst %,$(ISA_OUT)/%.elf,$(ISA_TESTS))

.PHONY: isa-tests isa-check isa-clean

isa-tests: $(ISA_ELFS)

$(ISA_OUT)/%.elf: $(ISA_DIR)/%.S $(ISA_DEPS)
	@mkdir -p $(ISA_OUT)
	$(ISA_CC) $(ISA_CFLAGS) -o $@ $(ISA_COMMON) $<

# Run the suite against QEMU itself: checks that every test completes with a clean signature.
isa-check: isa-tests
	$(ISA_DIR)/run.sh qemu-system-riscv64

isa-clean:
	rm -rf $(ISA_OUT)
