# libFuzzer harnesses, one per parser of untrusted bytes. They need MODE=fuzz (clang with
# -fsanitize=fuzzer); from any other mode the target builds the fuzz mode's copy.
#   make fuzz-gdb                       build/fuzz/fuzz_gdb
#   bash tests/fuzz/run.sh gdb 5        a 5-second run over tests/fuzz/corpus/gdb (make check)
#   make fuzz-virtio_net                build/fuzz/fuzz_virtio_net (a hostile virtio-net driver)
#   make fuzz-switch                    build/fuzz/fuzz_switch (a hostile VM on a switch port)
#   make fuzz-qcow2                     build/fuzz/fuzz_qcow2 (qcow2 images: header, tables, I/O)
.PHONY: fuzz-gdb fuzz-virtio_net fuzz-qcow2 fuzz-switch
ifeq ($(MODE),fuzz)
$(B)/fuzz_gdb: tests/fuzz/fuzz_gdb.c $(B)/libvisor.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS_$(MODE)) -o $@ $< $(B)/libvisor.a $(LDLIBS)

fuzz-gdb: $(B)/fuzz_gdb

$(B)/fuzz_virtio_net: tests/fuzz/fuzz_virtio_net.c tests/unit/virtio_driver.h $(B)/libvisor.a
	$(CC) $(CFLAGS) -Isrc -fsanitize=fuzzer $(LDFLAGS_$(MODE)) -o $@ $< $(B)/libvisor.a $(LDLIBS)

fuzz-virtio_net: $(B)/fuzz_virtio_net

$(B)/fuzz_qcow2: tests/fuzz/fuzz_qcow2.c $(B)/libvisor.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS_$(MODE)) -o $@ $< $(B)/libvisor.a $(LDLIBS)

fuzz-qcow2: $(B)/fuzz_qcow2

$(B)/fuzz_switch: tests/fuzz/fuzz_switch.c $(B)/libvisor.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS_$(MODE)) -o $@ $< $(B)/libvisor.a $(LDLIBS)

fuzz-switch: $(B)/fuzz_switch
else
fuzz-gdb:
	@$(MAKE) --no-print-directory MODE=fuzz fuzz-gdb
fuzz-virtio_net:
	@$(MAKE) --no-print-directory MODE=fuzz fuzz-virtio_net
fuzz-qcow2:
	@$(MAKE) --no-print-directory MODE=fuzz fuzz-qcow2
fuzz-switch:
	@$(MAKE) --no-print-directory MODE=fuzz fuzz-switch
endif

# The monitor's command parser: make fuzz-mon; bash tests/fuzz/run.sh mon 5
.PHONY: fuzz-mon
ifeq ($(MODE),fuzz)
$(B)/fuzz_mon: tests/fuzz/fuzz_mon.c $(B)/libvisor.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS_$(MODE)) -o $@ $< $(B)/libvisor.a $(LDLIBS)

fuzz-mon: $(B)/fuzz_mon
else
fuzz-mon:
	@$(MAKE) --no-print-directory MODE=fuzz fuzz-mon
endif
