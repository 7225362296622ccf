#!/usr/bin/env python3
"""TCP throughput between two guests on one `visor switch`: guest A sends SIZE_MB MiB of zeros
through busybox nc to guest B (timed inside A by /proc/uptime), first with two visor VMs and
then with two qemu-system-riscv64 VMs (QEMU joining with its own -netdev stream), the same
kernel, initramfs and switch. Reports MB/s for each and the ratio. Not a test: no thresholds.
SIZE_MB sets the amount (default 32).

What bounds it today is the guests, not the switch: two QEMU guests reach the same rate through
the switch as over a direct -netdev stream link (3.3 MB/s each on the 2-core test host)."""
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests/lib"))
from guestdrive import Guest  # noqa: E402

visor = os.environ.get("VISOR", os.path.join(ROOT, "build/release/visor"))
size_mb = int(os.environ.get("SIZE_MB", "32"))
r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                   text=True, check=True)
paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
firmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
work = tempfile.mkdtemp(prefix="visor-swbench-")
sw_path = os.path.join(work, "sw")


def flags(n):
    return ["-M", "virt", "-m", "512M", "-nographic", "-kernel", paths["KERNEL"],
            "-initrd", paths["INITRD"], "-append", "console=ttyS0",
            "-netdev", "stream,id=n0,server=off,addr.type=unix,addr.path=%s" % sw_path,
            "-device", "virtio-net-device,netdev=n0,mac=52:54:00:0c:00:0%d" % n]


def run(prefix):
    switch = subprocess.Popen([visor, "switch", sw_path], stderr=subprocess.DEVNULL)
    while not os.path.exists(sw_path):
        time.sleep(0.05)
    a, b = Guest(prefix + flags(1)), Guest(prefix + flags(2))
    for g in (a, b):
        g.expect("visor-guest: ready", 900)
        g.expect(Guest.PROMPT, 60)
    a.run("ip addr add 10.1.0.1/24 dev eth0 && ip link set eth0 up")
    b.run("ip addr add 10.1.0.2/24 dev eth0 && ip link set eth0 up")
    a.run("ping -c 2 -w 30 10.1.0.2", 120)  # ARP, and the links are up
    b.run("nc -l -p 5000 > /dev/null &")
    count = size_mb * 16  # 64 KiB blocks
    out = a.run("a=$(cat /proc/uptime); dd if=/dev/zero bs=65536 count=%d 2>/dev/null | "
                "nc 10.1.0.2 5000; b=$(cat /proc/uptime); echo T ${a%%%% *} ${b%%%% *}" % count,
                1800)
    line = [x for x in out.splitlines() if x.startswith("T ")][-1].split()
    secs = float(line[2]) - float(line[1])
    for g in (a, b):
        g.kill()
    switch.terminate()
    switch.wait(10)
    return size_mb / secs


results = {}
for name, prefix in (("visor", [visor, "-bios", "default"]),
                     ("qemu", ["qemu-system-riscv64", "-bios", firmware])):
    results[name] = run(prefix)
    print("%-6s guest -> guest TCP through visor switch: %7.2f MB/s (%d MiB, guest clock)"
          % (name, results[name], size_mb))
print("ratio visor/qemu throughput: %.2f (higher is better)" % (results["visor"] / results["qemu"]))
