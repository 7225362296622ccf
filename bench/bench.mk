# Benchmarks, run by `make bench` (included from the top-level Makefile).
BENCH_CC := riscv64-unknown-elf-gcc
BENCH_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -nostdlib -ffreestanding \
                -Wl,--no-warn-rwx-segments

build/bench/cpu.elf: bench/cpu.c bench/start.S bench/link.ld
	@mkdir -p $(dir $@)
	$(BENCH_CC) $(BENCH_CFLAGS) -T bench/link.ld bench/start.S bench/cpu.c -o $@

# Floating point (the translator's F/D code): run it under -accel interp and jit to compare.
build/bench/fp.elf: bench/fp.c bench/start.S bench/link.ld
	@mkdir -p $(dir $@)
	$(BENCH_CC) $(BENCH_CFLAGS) -fno-math-errno -T bench/link.ld bench/start.S bench/fp.c -o $@

# The same workload compiled for the host, for ratios to native speed.
build/bench/cpu-native: bench/cpu.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -DBENCH_NATIVE -o $@ bench/cpu.c

bench-guests: build/bench/cpu.elf build/bench/cpu-native build/bench/fp.elf

# The Linux CPU benchmarks (guest/bench/): each C program built twice from one source, static
# for the riscv64 guest and for the host. FMA contraction is off so that the floating-point
# checksums agree bit for bit between the two.
BENCH_LINUX_CC := riscv64-linux-gnu-gcc
BENCH_PROG_CFLAGS := -O2 -ffp-contract=off -Wall -Wextra -Werror
BENCH_PROGS := int mem fp

$(BENCH_PROGS:%=build/bench/rv64/%): build/bench/rv64/%: guest/bench/%.c guest/bench/bench.h \
                                     | bench-toolchain
	@mkdir -p $(dir $@)
	$(BENCH_LINUX_CC) $(BENCH_PROG_CFLAGS) -static -o $@ $< -lm

$(BENCH_PROGS:%=build/bench/native/%): build/bench/native/%: guest/bench/%.c guest/bench/bench.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_PROG_CFLAGS) -o $@ $< -lm

bench-toolchain:
	@command -v $(BENCH_LINUX_CC) >/dev/null || apt-get install -y -qq gcc-riscv64-linux-gnu

bench-programs: $(BENCH_PROGS:%=build/bench/rv64/%) $(BENCH_PROGS:%=build/bench/native/%)

# The benchmark guest (kernel + default initramfs + an appended archive with the programs and
# Debian's riscv64 7-Zip), then the CPU comparison: visor's translator and interpreter, QEMU
# and native.
bench-cpu: all bench-programs
	@python3 bench/cpu.py

.PHONY: bench-guests bench-toolchain bench-programs bench-cpu

bench: all bench-guests bench-programs
	@bash bench/interp.sh
	@ACCEL=jit bash bench/interp.sh
	@python3 bench/cpu.py
	@python3 bench/boot.py
	@python3 bench/disk.py
	@python3 bench/net.py
	@python3 bench/switch.py
