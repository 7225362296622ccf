# The program tests/gdb.sh debugs (guest/gdb-target/), and its endless twin for tests/monitor.sh. Included from the top-level Makefile;
# `make guest` builds it too.
GDB_TARGET_SRCS := guest/gdb-target/start.S guest/gdb-target/gdb-target.c

build/guest/gdb-target.elf: $(GDB_TARGET_SRCS) guest/gdb-target/gdb-target.ld guest/gdb-target.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -O1 -T guest/gdb-target/gdb-target.ld -o $@ $(GDB_TARGET_SRCS)

build/guest/gdb-spin.elf: $(GDB_TARGET_SRCS) guest/gdb-target/gdb-target.ld guest/gdb-target.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -O1 -DSPIN=1 -T guest/gdb-target/gdb-target.ld -o $@ $(GDB_TARGET_SRCS)

guest: build/guest/gdb-target.elf build/guest/gdb-spin.elf
