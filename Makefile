# visor — one Makefile, named modes (MODE=release|debug|asan|ubsan|tsan|fuzz), output in build/$(MODE).
MODE ?= release
CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif
ifeq ($(MODE),fuzz)
CC := clang
endif
B := build/$(MODE)
PREFIX ?= /usr/local

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
        -Wpointer-arith -Wvla -Wformat=2
ifneq ($(WERROR),0)
WARN += -Werror
endif
CFLAGS_release := -O2 -g
CFLAGS_debug := -O0 -g3
CFLAGS_asan := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS_ubsan := -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined
# ThreadSanitizer for the hart threads and the VM thread (tests/tsan.supp says what it may ignore).
CFLAGS_tsan := -O1 -g -fsanitize=thread -Wno-error=tsan -Wno-tsan
CFLAGS_fuzz := -O1 -g -fsanitize=fuzzer-no-link,address,undefined
CFLAGS := -std=gnu11 $(WARN) $(CFLAGS_$(MODE)) -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS_asan := -fsanitize=address,undefined
LDFLAGS_ubsan := -fsanitize=undefined
LDFLAGS_tsan := -fsanitize=thread
LDFLAGS_fuzz := -fsanitize=address,undefined
LDLIBS := -lfdt -lm -lpthread -lutil -lslirp

LIB_SRCS := $(wildcard src/base/*.c src/mem/*.c src/cpu/*.c src/dev/*.c src/dev/virtio/*.c \
            src/disk/*.c src/net/*.c src/jit/*.c src/machine/*.c src/vm/*.c src/gdb/*.c src/mon/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

.PHONY: all install check check-full unit unit-bins diff-bin isa-tests run clean deps guest bench
all: $(B)/visor

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libvisor.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/visor: $(CLI_OBJS) $(B)/libvisor.a
	$(CC) $(LDFLAGS_$(MODE)) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libvisor.a tests/unit/test.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -Isrc/base -Isrc/cpu $(LDFLAGS_$(MODE)) -o $@ $< $(B)/libvisor.a $(LDLIBS)

unit-bins: $(UNIT_BINS)

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

# The differential test of interpreter and translator (tests/diff/diff.h).
DIFF_SRCS := $(wildcard tests/diff/*.c)
DIFF_OBJS := $(DIFF_SRCS:%.c=$(B)/%.o)
$(DIFF_OBJS): CFLAGS += -Isrc
$(B)/tests/diff/diff: $(DIFF_OBJS) $(B)/libvisor.a
	$(CC) $(LDFLAGS_$(MODE)) -o $@ $^ $(LDLIBS)

diff-bin: $(B)/tests/diff/diff

install: $(B)/visor
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(B)/visor $(DESTDIR)$(PREFIX)/bin/visor

-include tests/isa/isa.mk
-include guest/guest.mk
-include guest/virtio-bad/virtio-bad.mk
-include guest/fpdiff/fpdiff.mk
-include bench/bench.mk
-include guest/linux.mk
-include guest/gdb-target.mk
-include guest/diskwriter.mk
-include tests/fuzz/fuzz.mk

deps:
	@bash scripts/deps.sh

check: deps
	@bash tests/check.sh

check-full: deps
	@bash tests/check.sh --full

run: deps
	@$(MAKE) --no-print-directory all guest
	@bash scripts/run-default.sh

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_BINS:=.d) $(DIFF_OBJS:.o=.d)
