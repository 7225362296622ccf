#!/usr/bin/env bash
# Runs the ISA tests on QEMU (the reference) and on VISOR_BINARY, and compares their console
# output and exit status byte for byte.
#
#   tests/isa/run.sh VISOR_BINARY [TEST...]      TEST is a name (rv64i) or an ELF path
#
# Environment:
#   VISOR_FLAGS   extra flags for VISOR_BINARY only (e.g. "-accel interp")
#   QEMU          reference emulator (default qemu-system-riscv64)
#   ISA_TIMEOUT   seconds per run (default 20)
#   ISA_NO_BUILD  set to skip `make -f tests/isa/isa.mk isa-tests` first
#
# Per-test markers, read from comment lines of tests/isa/NAME.S:
#   // isa-smp: N              run with -smp N (default 1)
#   // qemu-departs: REASON    QEMU breaks the spec here: the reference is the hand-written
#                              tests/isa/expected/NAME.out instead of QEMU's output
#
# A QEMU run must itself be sound: exit status 0 (the finisher), an END line, and bad=0 (every
# EXPECT in the test holds on QEMU); otherwise the test is reported as FAIL (reference broken).

set -u
ISA_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$ISA_DIR/../.." && pwd)
OUT_DIR="$ROOT/build/isa"

# QEMU 7.2's rv64 with everything visor does not implement switched off: no H, no bit
# manipulation, no debug triggers, no hpm counters, no Zihintpause.  Sstc stays on.
QEMU_CPU="rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false,debug=false,pmu-num=0,Zihintpause=false,sstc=true,svpbmt=false,svnapot=false,svinval=false"
BOARD_FLAGS="-machine virt -bios none -m 128M -nographic"

if [ $# -lt 1 ]; then
    echo "usage: $0 VISOR_BINARY [TEST...]" >&2
    exit 2
fi
VISOR=$1
shift
QEMU=${QEMU:-qemu-system-riscv64}
TIMEOUT=${ISA_TIMEOUT:-20}
VISOR_FLAGS=${VISOR_FLAGS:-}

# When "visor" is QEMU itself it needs the same -cpu as the reference to agree with it.
VISOR_CPU=""
case "$(basename "$VISOR")" in
    qemu-system-riscv64*) VISOR_CPU="-cpu $QEMU_CPU"; VISOR_IS_QEMU=1 ;;
    *) VISOR_IS_QEMU=0 ;;
esac

if [ -z "${ISA_NO_BUILD:-}" ]; then
    make -s -C "$ROOT" -f tests/isa/isa.mk isa-tests || { echo "isa: build failed"; exit 1; }
fi

tests=()
if [ $# -eq 0 ]; then
    for f in "$ISA_DIR"/*.S; do
        tests+=("$(basename "$f" .S)")
    done
else
    for t in "$@"; do
        t=$(basename "$t")
        tests+=("${t%.*}")
    done
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

marker() { # marker NAME KEY: the value of a "// KEY: value" line in NAME.S
    sed -n "s|^[[:space:]]*//[[:space:]]*$2:[[:space:]]*||p" "$ISA_DIR/$1.S" 2>/dev/null | head -n 1
}

run() { # run OUTFILE BINARY FLAGS... : runs one emulator, leaves the status in OUTFILE.rc
    local out=$1
    shift
    timeout -k 2 "$TIMEOUT" "$@" </dev/null >"$out" 2>"$out.err"
    echo $? >"$out.rc"
}

passed=0
failed=0
for name in "${tests[@]}"; do
    elf="$OUT_DIR/$name.elf"
    if [ ! -f "$elf" ]; then
        echo "FAIL $name (no $elf)"
        failed=$((failed + 1))
        continue
    fi
    smp=$(marker "$name" isa-smp)
    smp=${smp:-1}
    departs=$(marker "$name" qemu-departs)
    ref="$WORK/$name.qemu"
    got="$WORK/$name.visor"

    run "$ref" "$QEMU" $BOARD_FLAGS -cpu "$QEMU_CPU" -smp "$smp" -kernel "$elf"
    ref_rc=$(cat "$ref.rc")
    why=""
    last=$(tail -n 1 "$ref")
    if [ "$ref_rc" != 0 ]; then
        why="QEMU exit status $ref_rc"
    elif [ "${last#END $name }" = "$last" ]; then
        why="QEMU printed no END line"
    elif [ -z "$departs" ] && [ "${last% bad=0}" = "$last" ]; then
        why="QEMU disagrees with the test's expectations"
    fi
    if [ -n "$why" ]; then
        echo "FAIL $name (reference broken: $why)"
        tail -n 20 "$ref" | sed 's/^/    /'
        failed=$((failed + 1))
        continue
    fi
    if [ -n "$departs" ] && [ "$VISOR_IS_QEMU" = 1 ]; then
        # QEMU against itself where it is known to be wrong: nothing to learn (and the wrong
        # path may print timing-dependent values).
        echo "PASS $name (qemu departs, not compared: $departs)"
        passed=$((passed + 1))
        continue
    fi
    if [ -n "$departs" ]; then
        if [ ! -f "$ISA_DIR/expected/$name.out" ]; then
            echo "FAIL $name (qemu-departs but no expected/$name.out)"
            failed=$((failed + 1))
            continue
        fi
        # The hand-written file must describe the same checks as the test QEMU just ran.
        labels() { sed -e 's/^[0-9a-f]\{16\} //' -e 's/  BAD expected.*//' -e 's/ bad=[0-9]*$//' "$1"; }
        if ! diff -q <(labels "$ref") <(labels "$ISA_DIR/expected/$name.out") >/dev/null; then
            echo "FAIL $name (expected/$name.out is stale: its labels differ from the test's)"
            failed=$((failed + 1))
            continue
        fi
        cp "$ISA_DIR/expected/$name.out" "$ref"
    fi

    run "$got" "$VISOR" $BOARD_FLAGS $VISOR_CPU $VISOR_FLAGS -smp "$smp" -kernel "$elf"
    got_rc=$(cat "$got.rc")
    if [ "$got_rc" = 0 ] && cmp -s "$ref" "$got"; then
        echo "PASS $name${departs:+ (qemu departs: $departs)}"
        passed=$((passed + 1))
    else
        if [ "$got_rc" != 0 ]; then
            echo "FAIL $name (exit status $got_rc, reference 0)"
        else
            echo "FAIL $name (output differs)"
        fi
        diff -u --label "reference/$name" --label "visor/$name" "$ref" "$got" | head -n 40 | sed 's/^/    /'
        if [ -s "$got.err" ]; then
            head -n 5 "$got.err" | sed 's/^/    stderr: /'
        fi
        failed=$((failed + 1))
    fi
done

echo "isa: $passed passed, $failed failed"
[ "$failed" = 0 ]
