#!/usr/bin/env bash
# The gdb stub under gdb-multiarch and a raw protocol client (tests/gdb_test.py says what each
# part checks). Usage: tests/gdb.sh VISOR [--no-linux]. Prints "gdb: N passed, M failed".
cd "$(dirname "$0")/.." || exit 1
exec python3 tests/gdb_test.py "$@"
