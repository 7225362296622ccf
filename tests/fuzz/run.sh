#!/usr/bin/env bash
# A short libFuzzer run of one harness over its corpus (copied, so the run's finds stay out of
# the tree). Usage: tests/fuzz/run.sh NAME [SECONDS]. Prints "fuzz-NAME: 1 passed, 0 failed"
# when the run finds nothing, or says why it was skipped.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
name=${1:?usage: tests/fuzz/run.sh NAME [SECONDS]}
secs=${2:-5}
if ! command -v clang >/dev/null; then
    echo "fuzz-$name: 0 passed, 0 failed (skipped: clang missing; make deps installs it)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! make -j"$(nproc)" --no-print-directory "fuzz-$name" >"$tmp/build.log" 2>&1; then
    if grep -q "fuzzer" "$tmp/build.log" && grep -qi "cannot find\|not found" "$tmp/build.log"; then
        echo "fuzz-$name: 0 passed, 0 failed (skipped: clang's libFuzzer runtime missing)"
        exit 0
    fi
    tail -20 "$tmp/build.log"
    echo "fuzz-$name: 0 passed, 1 failed (build failed)"
    exit 1
fi
mkdir -p "$tmp/corpus"
cp tests/fuzz/corpus/"$name"/* "$tmp/corpus/" 2>/dev/null
if build/fuzz/fuzz_"$name" -max_total_time="$secs" -timeout=10 -artifact_prefix="$tmp/" \
    "$tmp/corpus" >"$tmp/run.log" 2>&1; then
    runs=$(grep -oE '#[0-9]+' "$tmp/run.log" | tail -1)
    echo "fuzz-$name: 1 passed, 0 failed (${runs#\#} runs in ${secs} s)"
else
    tail -40 "$tmp/run.log"
    for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-*; do
        [ -f "$a" ] && mkdir -p build/fuzz/artifacts && cp "$a" build/fuzz/artifacts/ &&
            echo "fuzz-$name: input kept in build/fuzz/artifacts/$(basename "$a")"
    done
    echo "fuzz-$name: 0 passed, 1 failed"
    exit 1
fi
