#!/usr/bin/env python3
"""virtio-blk throughput in the Debian guest, visor beside qemu-system-riscv64 on the same raw
image, kernel and flags: sequential write and read with dd (O_DIRECT, so the guest's page
cache does not answer for the disk), and random 4 KiB reads. Reports MB/s and ratios. Not a
test: no thresholds. (fio has no riscv64 build in the initramfs; busybox dd is what there is.)"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests/lib"))
from guestdrive import Guest  # noqa: E402

visor = os.environ.get("VISOR", os.path.join(ROOT, "build/release/visor"))
r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                   text=True, check=True)
paths = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
work = tempfile.mkdtemp(prefix="visor-bench-disk-")
image = os.path.join(work, "disk.img")
with open(image, "wb") as f:
    f.truncate(256 << 20)
flags = ["-M", "virt", "-m", "512M", "-nographic", "-kernel", paths["KERNEL"], "-initrd",
         paths["INITRD"], "-append", "console=ttyS0",
         "-drive", "file=%s,if=none,format=raw,id=d0" % image,
         "-device", "virtio-blk-device,drive=d0"]
firmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

# Each line prints the seconds the command took, measured in the guest (its clock is the
# emulated timebase, so it includes all emulation overhead).
TIMED = "s=$(cut -d' ' -f1 /proc/uptime); %s; e=$(cut -d' ' -f1 /proc/uptime); " \
        "echo secs $(awk -v s=$s -v e=$e 'BEGIN{print e-s}')"
WORK = [
    ("seq write 64 MiB", "dd if=/dev/zero of=/dev/vda bs=1M count=64 oflag=direct 2>/dev/null", 64),
    ("seq read 64 MiB", "dd if=/dev/vda of=/dev/null bs=1M count=64 iflag=direct 2>/dev/null", 64),
    ("random read 4 KiB x 2048",
     "i=0; while [ $i -lt 2048 ]; do dd if=/dev/vda of=/dev/null bs=4k count=1 "
     "skip=$(( (i * 7919) % 65536 )) iflag=direct 2>/dev/null; i=$((i+1)); done", 8),
]


def run(argv):
    g = Guest(argv)
    g.expect("visor-guest: ready", 900)
    g.expect(Guest.PROMPT, 60)
    out = {}
    for name, cmd, mib in WORK:
        text = g.run(TIMED % cmd, timeout=900)
        m = re.search(r"secs ([0-9.]+)", text)
        secs = float(m.group(1)) if m else float("nan")
        out[name] = mib / secs if secs > 0 else float("nan")
    g.send("poweroff\n")
    g.wait_exit(120)
    return out


v = run([visor, "-bios", "default"] + flags)
q = run(["qemu-system-riscv64", "-bios", firmware] + flags)
for name, _, _ in WORK:
    print("%-26s visor %8.1f MB/s   qemu %8.1f MB/s   ratio %.2f"
          % (name, v[name], q[name], v[name] / q[name] if q[name] else float("nan")))
os.unlink(image)
os.rmdir(work)
