#!/usr/bin/env bash
# Minidisks across processes: a first visor holds a link (paused with -S, so it stays up)
# while a second asks for another; each outcome (granted, fallen back to R, refused naming
# the mode held, exit status 1) is read from the start-up line. Then extents (disjoint ones
# coexist, a bad extent is refused at start, two writers of one extent in one VM are refused)
# and QEMU's image locks both ways when qemu-system-riscv64 is installed.
#   tests/minidisk.sh build/release/visor [--full]   (--full: every ordered pair of modes)
# Prints "minidisk: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
visor=${1:?usage: minidisk.sh VISOR [--full]}
full=0
[ "${2:-}" = "--full" ] && full=1
kernel=build/guest/hello.elf
tmp=$(mktemp -d)
pids=()
cleanup() {
    [ "$BASHPID" = "$$" ] || return 0
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    echo "FAIL $*"
}

truncate -s 64M "$tmp/vol.img"

# start NAME DRIVE-OPTIONS...: a paused visor with one drive; waits for its link line or its
# exit. Sets $pid (empty once it has exited) and leaves stderr in $tmp/NAME.err (a fresh file
# each time: the old one is moved away before the new process opens it).
starts=0
start() {
    local name=$1 opts=$2
    starts=$((starts + 1))
    local errf=$tmp/$name.$starts.err
    "$visor" -M virt -bios none -kernel "$kernel" -nographic -S -monitor none \
        -drive "file=$tmp/vol.img,if=none,format=raw,id=$name,$opts" \
        -device virtio-blk-device,drive="$name" </dev/null >/dev/null 2>"$errf" &
    pid=$!
    for _ in $(seq 200); do
        if grep -q "granted" "$errf" 2>/dev/null; then
            pids+=("$pid")
            ln -sf "$errf" "$tmp/$name.err"
            return
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            status=$?
            pid=
            ln -sf "$errf" "$tmp/$name.err"
            return
        fi
        sleep 0.02
    done
    pids+=("$pid")
    ln -sf "$errf" "$tmp/$name.err"
}

# Stops a visor this script started, and forgets it.
stop() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    local keep=() p
    for p in "${pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
    pids=("${keep[@]}")
}

# What the second link gets while the first (granted on a free volume) is held:
# r read, w write, - refused. Rows: first; columns: second (R RR W WR M MR MW).
modes=(R RR W WR M MR MW)
declare -A row=([R]=rr-rwww [RR]=rr-rwww [W]=-r---rw [WR]=-r---rw [M]=-r---rw [MR]=-r---rw
                [MW]=-r---rw)

# pair FIRST SECOND [EXTENT-OPTIONS]: the second's outcome against the table.
pair() {
    local a=$1 b=$2 ext=${3:-}
    start first "link=$a${ext:+,$ext}"
    local p1=$pid
    if [ -z "$p1" ] || ! grep -q "drive first: link $a granted$" "$tmp/first.err"; then
        bad "$a then $b: the first link was not granted: $(cat -A "$tmp/first.err")"
        stop "$p1"
        return
    fi
    start second "link=$b${ext:+,$ext}"
    local p2=$pid line
    line=$(grep "drive second" "$tmp/second.err")
    local i
    for i in "${!modes[@]}"; do [ "${modes[$i]}" = "$b" ] && break; done
    local want=${row[$a]:$i:1}
    case $want in
    w | r)
        local expect="drive second: link $b granted"
        # a read grant for a mode that asks to write is a fall-back
        if [ "$want" = r ] && [ "$b" != R ] && [ "$b" != RR ]; then expect="$expect as R"; fi
        if [ -n "$p2" ] && [ "$line" = "visor: $expect" ]; then ok; else
            bad "$a then $b: want '$expect', got '$line'"
        fi
        ;;
    -)
        local held=$a
        if [ -z "$p2" ] && [ "$status" = 1 ] &&
            [[ $line == *"link $b refused"*"in mode $held by another process"* ]]; then ok; else
            bad "$a then $b: want a refusal naming $held with status 1, got [$(cat -A "$tmp/second.err")] (status ${status:-running})"
        fi
        ;;
    esac
    stop "$p2"
    stop "$p1"
}

if [ $full = 1 ]; then
    for a in "${modes[@]}"; do
        for b in "${modes[@]}"; do pair "$a" "$b"; done
    done
else
    # one of each outcome for every mode, on whole images and on an extent
    pair W W
    pair W RR
    pair R W
    pair R M
    pair M R
    pair M MR
    pair WR R
    pair R WR
    pair MW MW
    pair RR RR
    pair M M "offset=1M,size=1M"
    pair W WR "offset=4M,size=4M"
fi

# ---- extents ----
# Disjoint extents of one volume never conflict; overlapping ones do.
start first "offset=1M,size=1M"
p1=$pid
start second "offset=2M,size=1M"
p2=$pid
if [ -n "$p2" ] && grep -q "link W granted" "$tmp/second.err"; then ok; else
    bad "disjoint extents: $(cat "$tmp/second.err")"
fi
stop "$p2"
start second "offset=1536K,size=1M,link=R"
if [ -z "$pid" ] && grep -q "refused.*bytes 1572864 to 2621440.*in mode W" "$tmp/second.err"; then
    ok
else
    bad "overlapping extents: $(cat "$tmp/second.err")"
    stop "$pid"
fi
stop "$p1"

# refused: print what is wrong and exit 1
refused() {
    local what=$1 pattern=$2
    shift 2
    rm -f "$tmp/refused.err"
    "$visor" -M virt -bios none -kernel "$kernel" -nographic -S -monitor none "$@" \
        </dev/null >/dev/null 2>"$tmp/refused.err" &
    local p=$!
    for _ in $(seq 100); do kill -0 $p 2>/dev/null || break; sleep 0.02; done
    if kill -0 $p 2>/dev/null; then
        kill $p
        wait $p
        bad "$what: still running"
        return
    fi
    wait $p
    local rc=$?
    if [ $rc = 1 ] && grep -q -- "$pattern" "$tmp/refused.err"; then ok; else
        bad "$what: status $rc, $(cat "$tmp/refused.err")"
    fi
}
v="file=$tmp/vol.img,format=raw"
refused "an offset past the end" "past the end" -drive "$v,if=virtio,offset=65M"
refused "a volume too small" "too small" -drive "$v,if=virtio,offset=60M,size=8M"
refused "a size of part of a sector" "512-byte sectors" -drive "$v,if=virtio,size=1000"
refused "two writers of one extent in a VM" "both write overlapping" \
    -drive "$v,if=virtio,offset=0,size=2M" -drive "$v,if=virtio,offset=1M,size=2M,link=M"
refused "readonly=on with a write mode" "readonly=on allows only" -drive "$v,if=virtio,readonly=on,link=W"
refused "an unknown mode" "expected R, RR" -drive "$v,if=virtio,link=X"

# ---- QEMU's image locks ----
if command -v qemu-system-riscv64 >/dev/null; then
    qemu() {
        rm -f "$tmp/qemu.err"
        qemu-system-riscv64 -M virt -bios none -kernel "$kernel" -S -display none -monitor none \
            -serial none -drive "file=$tmp/vol.img,if=virtio,format=raw$1" </dev/null \
            >/dev/null 2>"$tmp/qemu.err" &
        qpid=$!
        for _ in $(seq 50); do
            grep -q . "$tmp/qemu.err" 2>/dev/null && break
            kill -0 $qpid 2>/dev/null || break
            sleep 0.05
        done
    }
    # QEMU writes: visor's W, R and M are refused, naming QEMU; RR and MR (as R) are not.
    qemu ""
    pids+=("$qpid")
    sleep 0.3
    for m in W R M; do
        start second "link=$m"
        if [ -z "$pid" ] && grep -q "refused.*QEMU image lock: a writer" "$tmp/second.err"; then
            ok
        else
            bad "QEMU writes, visor $m: $(cat "$tmp/second.err")"
            stop "$pid"
        fi
    done
    start second "link=RR"
    if [ -n "$pid" ]; then ok; else bad "QEMU writes, visor RR: $(cat "$tmp/second.err")"; fi
    stop "$pid"
    stop "$qpid"
    # visor writes: QEMU's writer and QEMU's reader are refused.
    start first "link=W"
    p1=$pid
    for ro in "" ",readonly=on"; do
        qemu "$ro"
        sleep 0.3
        if ! kill -0 $qpid 2>/dev/null && grep -q "lock" "$tmp/qemu.err"; then ok; else
            bad "visor writes, QEMU${ro}: $(cat "$tmp/qemu.err")"
            stop "$qpid"
        fi
        wait $qpid 2>/dev/null
    done
    stop "$p1"
else
    echo "minidisk: QEMU interop skipped (no qemu-system-riscv64)"
fi

echo "minidisk: $passed passed, $failed failed"
[ $failed = 0 ]
