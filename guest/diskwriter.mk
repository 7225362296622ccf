# The disk-writing guest of tests/durability.sh (guest/diskwriter/). Included from the
# top-level Makefile; `make guest` builds it too.
DISKWRITER_SRCS := guest/diskwriter/start.S guest/diskwriter/diskwriter.c

build/guest/diskwriter.elf: $(DISKWRITER_SRCS) guest/diskwriter/diskwriter.ld guest/diskwriter.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -T guest/diskwriter/diskwriter.ld -o $@ $(DISKWRITER_SRCS)

guest: build/guest/diskwriter.elf
