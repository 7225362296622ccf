#!/usr/bin/env bash
# The visor binary as a process: QEMU-compatible version and help output, refusals with
# status 1 and a message naming the flag or file, dumpdtb (checked by dtc, and against QEMU's
# tree when qemu-system-riscv64 is installed), and the demo guest booting through the
# console (power-off status, Ctrl-A x, the finisher's failure code, -no-reboot).
# Usage: tests/cli.sh [path/to/visor]; prints "cli: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
V=${1:-build/release/visor}
HELLO=build/guest/hello.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL cli: $*"
}
# check NAME CONDITION-COMMAND...
check() {
    local name=$1
    shift
    if "$@"; then ok; else bad "$name"; fi
}

# run ARGS...: runs visor with stdin from /dev/null, stdout/stderr/status in $tmp
run() {
    timeout 20 "$V" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    echo $? >"$tmp/rc"
}
rc() { cat "$tmp/rc"; }
has_out() { grep -q -- "$1" "$tmp/out"; }
has_err() { grep -q -- "$1" "$tmp/err"; }

# ---- version and help ----
run --version
check "--version first line" [ "$(head -1 "$tmp/out")" = "QEMU emulator version 7.2.0 (visor $(sed -n 's/^#define VISOR_VERSION "\(.*\)"/\1/p' src/base/base.h))" ]
check "--version status" [ "$(rc)" = 0 ]
run -version
check "-version" [ "$(head -1 "$tmp/out" | cut -c1-29)" = "QEMU emulator version 7.2.0 (" ]
run -help
check "-help status" [ "$(rc)" = 0 ]
for f in machine cpu accel smp m name display nographic bios kernel append initrd dtb serial \
    no-reboot version; do
    check "-help lists -$f" grep -q -- "^-$f\b" "$tmp/out"
done
check "-help kernel line as QEMU" grep -qx -- "-kernel bzImage use 'bzImage' as kernel image" "$tmp/out"
check "-help lists -gdb" grep -q '^-gdb' "$tmp/out"
run -h
check "-h" has_out "^-h or -help"
run -machine help
check "-machine help" has_out "^virt "

# ---- refusals: status 1 and a message naming the culprit ----
refused() { # refused MESSAGE ARGS...
    local msg=$1
    shift
    run "$@"
    if [ "$(rc)" = 1 ] && grep -q -- "$msg" "$tmp/err"; then ok; else
        bad "visor $* -> status $(rc), stderr: $(head -c 300 "$tmp/err")"
    fi
}
refused "visor: -foo: unsupported option" -foo
refused "visor: -drive: the virt machine has no default disk interface" -bios none -drive file=x.img
refused "could not open '$tmp/none.img'" -bios none -drive file=$tmp/none.img,if=virtio
refused "-smp: 9 CPUs" -smp 9
refused "-m" -m 0
refused "-kernel: requires an argument" -kernel
refused "-bios: could not load firmware '$tmp/nofw.bin'" -bios "$tmp/nofw.bin"
refused "unsupported machine type 'sifive_u'" -M sifive_u
refused "could not load kernel '$tmp/missing'" -bios none -kernel "$tmp/missing"
printf 'not an elf, not a kernel either' >"$tmp/junk.dtb"
refused "malformed device tree" -bios none -dtb "$tmp/junk.dtb"
printf '\177ELF\001\001\001\0\0\0\0\0\0\0\0\0' >"$tmp/elf32"
refused "kernel '$tmp/elf32': not a 64-bit ELF" -bios none -kernel "$tmp/elf32"
refused "-initrd: only allowed with -kernel" -bios none -initrd "$tmp/junk.dtb"
run -bios none -serial none -M virt,dumpdtb="$tmp/x.dtb"
check "no -bios warning absent with -bios none" bash -c "! grep -q warning '$tmp/err'"

# ---- dumpdtb ----
refused "kernel '/dev/null' is empty" -M virt,dumpdtb="$tmp/v.dtb" -bios none -kernel /dev/null
run -M virt,dumpdtb="$tmp/v.dtb" -bios none -m 256M -smp 4 -append ""
check "dumpdtb status 0" [ "$(rc)" = 0 ]
check "dumpdtb says so" has_err "dtb dumped to $tmp/v.dtb"
if command -v dtc >/dev/null; then
    check "dtc parses the dump" dtc -q -I dtb -O dts -o "$tmp/v.dts" "$tmp/v.dtb"
    check "dump has 4 cpus" [ "$(grep -c 'cpu@[0-9] {' "$tmp/v.dts")" = 4 ]
    check "dump has 256M memory" grep -q 'reg = <0x00 0x80000000 0x00 0x10000000>' "$tmp/v.dts"
    if command -v qemu-system-riscv64 >/dev/null; then
        qemu-system-riscv64 -M virt,dumpdtb="$tmp/q.dtb" -bios none -m 256M -smp 4 >/dev/null 2>&1
        dtc -q -I dtb -O dts -o "$tmp/q.dts" "$tmp/q.dtb"
        # every line of ours appears in QEMU's, except the deliberate differences
        missing=$(grep -v -e rng-seed -e 'riscv,isa' -e 'riscv,ndev' "$tmp/v.dts" |
            grep -vxF -f "$tmp/q.dts" | grep -v '^\s*$')
        check "dump is QEMU's tree minus absent devices" [ -z "$missing" ]
        [ -n "$missing" ] && echo "$missing" | head -5
    fi
fi

# ---- the demo guest ----
if [ -f "$HELLO" ]; then
    run -machine virt -bios none -kernel "$HELLO" -nographic -smp 2
    check "hello: status 0 on power-off" [ "$(rc)" = 0 ]
    check "hello: greeting" has_out "Hello from visor: hart 0 of 2, 128 MiB RAM at 0x80000000, device tree at 0x87e00000"
    check "hello: computed" has_out "the 1000th prime is 7919, sqrt(2) = 1.414213562"
    check "hello: timer" has_out "slept 10 ms in WFI"
    check "hello: other hart" has_out "hart 1 checking in"
    run run -machine virt -bios none -kernel "$HELLO" -nographic -append "hello there" -m 1G
    check "visor run: bootargs reach the guest" has_out "bootargs: hello there"
    check "visor run: fdt below 3 GiB" has_out "device tree at 0xbfe00000"
    # Without -bios, as with -bios default, OpenSBI runs first: an M-mode ELF linked at DRAM
    # base then collides with it, and visor says so.
    run -machine virt -kernel "$HELLO" -nographic
    check "no -bios means OpenSBI: an M-mode kernel at DRAM base overlaps it" has_err "overlap"
    check "no -bios with an overlapping kernel: status 1" [ "$(rc)" = 1 ]
fi

# ---- a firmware boot: OpenSBI runs an S-mode payload that powers off through SBI ----
SBI_HELLO=build/guest/sbi-hello.bin
if [ -f "$SBI_HELLO" ]; then
    run -machine virt -kernel "$SBI_HELLO" -nographic
    check "opensbi: banner" has_out "OpenSBI v"
    check "opensbi: payload entered in S-mode at 0x80200000" has_out "Domain0 Next Address      : 0x0000000080200000"
    check "opensbi: payload runs" has_out "sbi-hello: S-mode payload running"
    check "opensbi: SBI base extension answers" has_out "sbi-hello: SBI spec version"
    check "opensbi: time CSR ticks in S-mode" has_out "sbi-hello: time is ticking"
    check "opensbi: SBI system reset powers off with status 0" [ "$(rc)" = 0 ]
    run -machine virt -bios default -kernel "$SBI_HELLO" -nographic -smp 2
    check "opensbi -smp 2: payload runs" has_out "sbi-hello: time is ticking"
    check "opensbi -smp 2: status 0" [ "$(rc)" = 0 ]
    run -machine virt -bios none -kernel "$HELLO" -serial none
    check "-serial none: no output" [ ! -s "$tmp/out" ]
    check "-serial none: status 0" [ "$(rc)" = 0 ]
fi

# Hand-made guests need the bare-metal toolchain.
if command -v riscv64-unknown-elf-gcc >/dev/null; then
    mk() { # mk NAME: assembles $tmp/NAME.S at DRAM base
        riscv64-unknown-elf-gcc -nostdlib -march=rv64gc -mabi=lp64d -Wl,-Ttext=0x80000000 \
            -Wl,--no-warn-rwx-segments -o "$tmp/$1.elf" "$tmp/$1.S"
    }
    cat >"$tmp/idle.S" <<'EOF'
    .globl _start
_start: wfi
    j _start
EOF
    cat >"$tmp/fail.S" <<'EOF'
    .globl _start
_start: li t0, 0x100000
    li t1, (42 << 16) | 0x3333
    sw t1, 0(t0)
    j .
EOF
    # resets twice (a boot count kept in RAM outside the image), then fails with code 5
    cat >"$tmp/reset.S" <<'EOF'
    .globl _start
_start: li t0, 0x10000000
    li t1, 'R'
    sb t1, 0(t0)
    li t2, 0x80100000
    ld t3, 0(t2)
    addi t3, t3, 1
    sd t3, 0(t2)
    li t0, 0x100000
    li t4, 3
    bge t3, t4, 1f
    li t1, 0x7777
    sw t1, 0(t0)
    j .
1:  li t1, (5 << 16) | 0x3333
    sw t1, 0(t0)
    j .
EOF
    cat >"$tmp/echo.S" <<'EOF'
    .globl _start
_start: li t0, 0x10000000
1:  lbu t1, 5(t0)
    andi t1, t1, 1
    beqz t1, 1b
    lbu t2, 0(t0)
    li t3, 'q'
    beq t2, t3, 2f
    addi t2, t2, -32
    sb t2, 0(t0)
    j 1b
2:  li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
    j .
EOF
    mk idle && mk fail && mk reset && mk echo

    run -bios none -kernel "$tmp/fail.elf" -nographic
    check "finisher failure code is the exit status" [ "$(rc)" = 42 ]
    run -bios none -kernel "$tmp/reset.elf" -nographic
    check "reset reboots (twice), then code 5" [ "$(rc)" = 5 ]
    check "reset rebooted three times" [ "$(cat "$tmp/out")" = RRR ]
    run -bios none -kernel "$tmp/reset.elf" -nographic -no-reboot
    check "-no-reboot: reset exits 0" [ "$(rc)" = 0 ]
    check "-no-reboot: booted once" [ "$(cat "$tmp/out")" = R ]

    printf 'abc\001\001q' | timeout 10 "$V" -bios none -kernel "$tmp/echo.elf" -nographic >"$tmp/out"
    check "input reaches the guest; C-a C-a sends one C-a" [ "$(od -An -c "$tmp/out" | tr -d ' ')" = "ABC341" ]
    printf 'ab\001xcd' | timeout 10 "$V" -bios none -kernel "$tmp/echo.elf" -nographic >"$tmp/out"
    rcx=$?
    check "C-a x quits with status 0" [ $rcx = 0 ]
    check "C-a x prints QEMU's farewell" grep -q "QEMU: Terminated" "$tmp/out"
    printf 'ab' | timeout 10 "$V" -bios none -kernel "$tmp/echo.elf" -serial stdio >"$tmp/out" 2>/dev/null &
    sleep 1
    kill -TERM $! 2>/dev/null
    wait $!
    rct=$?
    check "SIGTERM exits 0 as QEMU does; EOF on stdin keeps the guest running" [ $rct = 0 ]
    check "output before SIGTERM is not lost" [ "$(cat "$tmp/out")" = AB ]

    # an idle guest costs ~no host CPU: 4 harts in WFI for 1 s
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -o "$tmp/time" -f '%U %S' timeout -s TERM 1 "$V" -bios none \
            -kernel "$tmp/idle.elf" -nographic -smp 4 </dev/null >/dev/null 2>&1
        cpu=$(tail -1 "$tmp/time" | awk '{printf "%d", ($1 + $2) * 100}')
        check "idle guest uses <10% of a host CPU (used ${cpu}%)" [ "$cpu" -lt 10 ]
    fi
fi

echo "cli: $pass passed, $fail failed"
[ $fail = 0 ]
