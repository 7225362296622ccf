# Benchmark guests, built by `make bench` (included from the top-level Makefile).
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

bench: all bench-guests
	@bash bench/interp.sh
	@python3 bench/boot.py
	@python3 bench/disk.py
	@python3 bench/net.py
	@python3 bench/switch.py
