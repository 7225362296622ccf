#!/usr/bin/env python3
"""The Debian guest on copy-on-write disks (run by tests/disk.sh): it boots with a qcow2
overlay of a raw base, reads the base through it, writes with dd conv=fsync (one block inside a
cluster, 1 MiB across clusters) and powers off; then qemu-img check finds the overlay clean,
qemu-img convert shows the guest's bytes over the base's, and the base is unchanged. With
-snapshot the guest's writes vanish: the overlay file is untouched. Prints PASS/FAIL lines."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guestdrive import Guest, GuestTimeout  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
visor = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/release/visor")
failed = 0


def check(name, cond, detail=""):
    global failed
    print("PASS" if cond else "FAIL", name, "" if cond else detail)
    failed += not cond


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                   text=True)
paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
if r.returncode or "KERNEL" not in paths or "INITRD" not in paths:
    print("disk-guest: skipped: cannot build the Debian guest")
    sys.exit(0)

work = tempfile.mkdtemp(prefix="visor-disk-guest-")
base = os.path.join(work, "base.raw")
ov = os.path.join(work, "ov.qcow2")
with open(base, "wb") as f:
    f.write(b"visor-base-marker" + bytes(512 - 17))
    f.truncate(16 << 20)
base_md5 = md5(base)
subprocess.run([visor, "disk", "overlay", base, ov], check=True)
kernel = [visor, "-M", "virt", "-m", "256M", "-nographic", "-kernel", paths["KERNEL"],
          "-initrd", paths["INITRD"], "-append", "console=ttyS0"]
drive = ["-drive", "file=%s,if=none,format=qcow2,id=d0" % ov,
         "-device", "virtio-blk-device,drive=d0"]
small = bytes((i * 7 + 3) & 0xff for i in range(64))
line = b"visor qcow2 overlay\n"  # 20 bytes: `yes` output, 1 MiB of it


def session(argv, name, writes):
    g = Guest(argv, log=os.path.join(work, name + ".log"))
    try:
        g.expect("visor-guest: ready", 600)
        g.expect(Guest.PROMPT, 60)
        out = g.run("head -c 17 /dev/vda; echo")
        check("%s: the guest reads the base through the overlay" % name,
              out.strip() == "visor-base-marker", out)
        if writes:
            g.run("printf '%s' > /tmp/p64" % "".join("\\x%02x" % b for b in small))
            g.run("for i in $(seq 64); do cat /tmp/p64; done > /tmp/small")
            out = g.run("dd if=/tmp/small of=/dev/vda bs=4096 seek=3 conv=fsync && echo dd-ok",
                        timeout=120)
            check("%s: dd one block with conv=fsync" % name, "dd-ok" in out, out)
            g.run("yes 'visor qcow2 overlay' | head -c 1048576 > /tmp/big")
            out = g.run("dd if=/tmp/big of=/dev/vda bs=4096 seek=301 conv=fsync && echo dd-ok",
                        timeout=120)
            check("%s: dd 1 MiB across clusters with conv=fsync" % name, "dd-ok" in out, out)
            out = g.run("dd if=/dev/vda bs=4096 skip=301 count=256 2>/dev/null | md5sum")
            want = hashlib.md5((line * 52429)[:1 << 20]).hexdigest()
            check("%s: the guest reads back what it wrote" % name, want in out, out)
        g.send("poweroff\n")
        status = g.wait_exit(120)
        check("%s: poweroff status 0" % name, status == 0, "status %s" % status)
    except GuestTimeout as e:
        check("%s: guest session" % name, False, str(e))
        g.kill()


session(kernel + drive, "overlay", True)
r = subprocess.run(["qemu-img", "check", ov], capture_output=True, text=True)
check("qemu-img check finds the overlay clean", r.returncode == 0, r.stdout + r.stderr)
out_raw = os.path.join(work, "out.raw")
subprocess.run(["qemu-img", "convert", "-O", "raw", ov, out_raw], check=True)
with open(out_raw, "rb") as f:
    data = f.read()
check("qemu-img convert: the small write", data[3 * 4096:4 * 4096] == small * 64)
check("qemu-img convert: the 1 MiB write",
      data[301 * 4096:301 * 4096 + (1 << 20)] == (line * 52429)[:1 << 20])
check("qemu-img convert: the base's bytes around them", data[:17] == b"visor-base-marker" and
      data[4 * 4096:301 * 4096] == bytes(297 * 4096))
check("the base is unchanged", md5(base) == base_md5)

ov_md5 = md5(ov)
session(kernel + drive + ["-snapshot"], "snapshot", True)
check("-snapshot: the overlay file is untouched", md5(ov) == ov_md5)
check("-snapshot: the base is unchanged", md5(base) == base_md5)

if failed:
    print("disk-guest: logs kept in", work)
else:
    shutil.rmtree(work)
sys.exit(1 if failed else 0)
