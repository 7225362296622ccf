#!/usr/bin/env bash
# -d tracing (tests/trace_test.py says what it checks). Usage: tests/trace.sh VISOR [--no-linux].
# Prints "trace: N passed, M failed".
cd "$(dirname "$0")/.." || exit 1
exec python3 tests/trace_test.py "$@"
