# fpdiff: random F/D instructions, checksummed, for comparing visor's engines (bare metal).
# Included from the top-level Makefile after guest/guest.mk (GUEST_CC, GUEST_CFLAGS).
# guest/fpdiff/check.sh runs it under -accel interp and -accel jit.
FPDIFF_SRCS := guest/fpdiff/start.S guest/fpdiff/fpdiff.c

build/guest/fpdiff.elf: $(FPDIFF_SRCS) guest/fpdiff/fpdiff.ld guest/lib/console.h \
                        guest/fpdiff/fpdiff.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -T guest/fpdiff/fpdiff.ld -o $@ $(FPDIFF_SRCS)

guest: build/guest/fpdiff.elf
