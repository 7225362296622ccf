# libFuzzer harnesses, one per parser of untrusted bytes. They need MODE=fuzz (clang with
# -fsanitize=fuzzer); from any other mode the target builds the fuzz mode's copy.
#   make fuzz-gdb                       build/fuzz/fuzz_gdb
#   bash tests/fuzz/run.sh gdb 5        a 5-second run over tests/fuzz/corpus/gdb (make check)
.PHONY: fuzz-gdb
ifeq ($(MODE),fuzz)
$(B)/fuzz_gdb: tests/fuzz/fuzz_gdb.c $(B)/libvisor.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS_$(MODE)) -o $@ $< $(B)/libvisor.a $(LDLIBS)

fuzz-gdb: $(B)/fuzz_gdb
else
fuzz-gdb:
	@$(MAKE) --no-print-directory MODE=fuzz fuzz-gdb
endif
