#!/usr/bin/env python3
"""Linux boot time: wall time from starting the emulator to the guest's shell prompt, and the
guest's own view of it (/proc/uptime at the prompt), for visor and qemu-system-riscv64 on the
same kernel, initramfs and flags, in one run. Reports the ratio. Not a test: no thresholds."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests/lib"))
from guestdrive import Guest  # noqa: E402

visor = os.environ.get("VISOR", os.path.join(ROOT, "build/release/visor"))
smp = os.environ.get("SMP", "1")
r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                   text=True, check=True)
paths = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
flags = ["-M", "virt", "-m", "512M", "-smp", smp, "-nographic", "-kernel", paths["KERNEL"],
         "-initrd", paths["INITRD"], "-append", "console=ttyS0"]
firmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def boot(argv):
    g = Guest(argv)
    g.expect("visor-guest: ready", 900)
    g.expect(Guest.PROMPT, 60)
    wall = g.elapsed()
    uptime = float(g.run("cat /proc/uptime").split()[0])
    g.send("poweroff\n")
    g.wait_exit(120)
    return wall, uptime


results = {}
for name, argv in (("visor", [visor, "-bios", "default"] + flags),
                   ("qemu", ["qemu-system-riscv64", "-bios", firmware] + flags)):
    results[name] = boot(argv)
    print("%-6s wall to shell prompt %6.2f s   guest uptime at prompt %6.2f s"
          % (name, results[name][0], results[name][1]))
print("ratio visor/qemu wall time: %.2f (lower is better)" % (results["visor"][0] / results["qemu"][0]))
