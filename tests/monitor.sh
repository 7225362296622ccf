#!/usr/bin/env bash
# The monitor through the console, sockets and stdio (tests/monitor_test.py says what it
# checks). Usage: tests/monitor.sh VISOR. Prints "monitor: N passed, M failed".
cd "$(dirname "$0")/.." || exit 1
exec python3 tests/monitor_test.py "$@"
