"""One benchmark guest session for bench/cpu.py: boots the Debian kernel with the bench
initramfs (guest/bench/build.sh) under one emulator, runs commands on its console and reads
back what the programs report. Times come from inside the guest (each program's own
clock_gettime around its fixed work; 7-Zip's own rating), so booting, typing and the shell do
not count. Each command also records its *share*: the CPU time the emulator process got during
the command over the command's wall time. On an idle host it is about 1; on a shared host it
says how much of the guest's clock the emulator actually ran, which bench/cpu.py uses to
correct for the load."""
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
TICK = os.sysconf("SC_CLK_TCK")


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


def cpu_seconds(pid):
    """User plus system time of a process, all its threads, from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime: fields 14 and 15


class BenchGuest:
    def __init__(self, argv, log=None):
        self.g = Guest(argv, log=log)
        self.g.expect("visor-guest: ready", 900)
        self.g.expect(Guest.PROMPT, 60)
        self.boot_wall = self.g.elapsed()

    def run(self, command):
        """The command's output, host wall time, and share of the CPU (see the file's comment)."""
        t0, c0 = time.time(), cpu_seconds(self.g.p.pid)
        out = self.g.run(command + "; echo bench-status $?", timeout=COMMAND_TIMEOUT)
        wall, cpu = time.time() - t0, cpu_seconds(self.g.p.pid) - c0
        m = re.search(r"bench-status (\d+)", out)
        if not m or m.group(1) != "0":
            raise BenchError("%r failed in the guest:\n%s" % (command, out[-600:]))
        return out, wall, cpu / wall

    def program(self, name, copies=1):
        """Runs /bench/NAME, or COPIES of it at once: ([(checksum, seconds)] per copy, share)."""
        cmd = " & ".join(["/bench/" + name] * copies) + (" & wait" if copies > 1 else "")
        out, wall, share = self.run(cmd)
        reps = [(c, s) for n, c, s in parse_reports(out) if n == name]
        if len(reps) != copies:
            raise BenchError("%r printed %d reports, not %d:\n%s" % (cmd, len(reps), copies, out))
        slowest = max(s for _, s in reps)
        if abs(wall - slowest) > 0.5 + 0.2 * slowest:  # the guest's clock is the emulator's
            print("  warning: %s took %.2f s by the guest's clock but %.2f s on the host"
                  % (name, slowest, wall), flush=True)
        return reps, share

    def sevenzip(self, args):
        """(7-Zip's rating, share)"""
        out, _, share = self.run("7zz " + args)
        return parse_7zip(out), share

    def poweroff(self):
        self.g.send("poweroff\n")
        self.g.wait_exit(120)

    def kill(self):
        self.g.kill()
