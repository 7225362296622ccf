"""One benchmark guest session for bench/cpu.py: boots the Debian kernel with the bench
initramfs (guest/bench/build.sh) under one emulator, runs commands on its console and reads
back what the programs report. Times come from inside the guest (each program's own
clock_gettime around its fixed work; 7-Zip's own rating), so booting, typing and the shell do
not count; the host's wall time of each command is kept as a cross-check of the guest clock."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests/lib"))
from guestdrive import Guest  # noqa: E402

REPORT = re.compile(r"bench (\w+) checksum ([0-9a-f]{16}) seconds ([0-9.]+)")
# 7-Zip's last line: "Tot:  <usage %>  <R/U MIPS>  <rating MIPS>"; the rating (compression and
# decompression averaged) is its speed figure, so ratios of ratings are ratios of speed.
SEVENZIP_TOTAL = re.compile(r"^Tot:\s+\d+\s+\d+\s+(\d+)\s*$", re.M)
# A command slower than this in the guest is a hung guest, not a slow emulator.
COMMAND_TIMEOUT = 1800


class BenchError(Exception):
    pass


def parse_reports(text):
    """Every report line in text, as (name, checksum, seconds) in the order printed."""
    return [(m.group(1), m.group(2), float(m.group(3))) for m in REPORT.finditer(text)]


def parse_7zip(text):
    m = SEVENZIP_TOTAL.search(text)
    if not m or "ERROR" in text:
        raise BenchError("7zz printed no total rating:\n" + text[-600:])
    return int(m.group(1))


class BenchGuest:
    def __init__(self, argv, log=None):
        self.g = Guest(argv, log=log)
        self.g.expect("visor-guest: ready", 900)
        self.g.expect(Guest.PROMPT, 60)
        self.boot_wall = self.g.elapsed()

    def run(self, command):
        """The command's output and the host's wall time for it."""
        t0 = time.time()
        out = self.g.run(command + "; echo bench-status $?", timeout=COMMAND_TIMEOUT)
        wall = time.time() - t0
        m = re.search(r"bench-status (\d+)", out)
        if not m or m.group(1) != "0":
            raise BenchError("%r failed in the guest:\n%s" % (command, out[-600:]))
        return out, wall

    def program(self, name, copies=1):
        """Runs /bench/NAME, or COPIES of it at once; returns [(checksum, seconds)] per copy."""
        cmd = " & ".join(["/bench/" + name] * copies) + (" & wait" if copies > 1 else "")
        out, wall = self.run(cmd)
        reps = [(c, s) for n, c, s in parse_reports(out) if n == name]
        if len(reps) != copies:
            raise BenchError("%r printed %d reports, not %d:\n%s" % (cmd, len(reps), copies, out))
        slowest = max(s for _, s in reps)
        if abs(wall - slowest) > 0.5 + 0.2 * slowest:
            print("  warning: %s took %.2f s by the guest's clock but %.2f s on the host"
                  % (name, slowest, wall), flush=True)
        return reps

    def sevenzip(self, args):
        out, _ = self.run("7zz " + args)
        return parse_7zip(out)

    def poweroff(self):
        self.g.send("poweroff\n")
        self.g.wait_exit(120)

    def kill(self):
        self.g.kill()
