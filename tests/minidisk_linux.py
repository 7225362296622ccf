#!/usr/bin/env python3
"""Minidisks under Debian's Linux: two VMs link one extent of a volume, the first in M (with
the x-journal test mode), the second in RR. The writer makes an ext2 filesystem on its
/dev/vda, writes a file with dd conv=fsync and syncs; the reader (a read-only disk: its
writes fail) drops its caches, mounts the extent read-only and reads what the writer flushed.
Then the writer is killed with SIGKILL, and the image a power cut would leave
(tests/lib/journal.py) must hold the file, read on the host with debugfs.
Prints "minidisk-linux: N passed, M failed" (or says why it is skipped)."""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guestdrive import Guest, GuestTimeout  # noqa: E402
import journal  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
visor = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/release/visor")
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def skip(why):
    print("minidisk-linux: 0 passed, 0 failed (skipped: %s)" % why)
    sys.exit(0)


r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                   text=True)
paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
if r.returncode != 0 or "KERNEL" not in paths or "INITRD" not in paths:
    skip("cannot build the Debian guest")
if not shutil.which("debugfs"):
    skip("no debugfs on the host (e2fsprogs)")

work = tempfile.mkdtemp(prefix="visor-minidisk-linux-")
vol, orig = os.path.join(work, "vol.img"), os.path.join(work, "orig.img")
jpath = os.path.join(work, "journal")
MB = 1 << 20
base, size = 16 * MB, 16 * MB
for p in (vol, orig):
    with open(p, "wb") as f:
        f.truncate(48 * MB)
token = "visor-minidisk-" + secrets.token_hex(8)
drive = "file=%s,if=none,format=raw,id=d0,offset=16M,size=16M" % vol


def boot(link, extra, log):
    argv = [visor, "-M", "virt", "-m", "256M", "-nographic", "-kernel", paths["KERNEL"],
            "-initrd", paths["INITRD"], "-append", "console=ttyS0",
            "-drive", drive + ",link=" + link + extra, "-device", "virtio-blk-device,drive=d0"]
    return Guest(argv, log=os.path.join(work, log))


w = boot("M", ",x-journal=" + jpath, "writer.log")
w.expect("drive d0: link", 30)
check("the writer's link M is granted", w.expect("\n", 5).strip() == "M granted")
rd = boot("RR", "", "reader.log")
rd.expect("drive d0: link", 30)
check("the reader's link RR is granted beside a writer", rd.expect("\n", 5).strip() == "RR granted")
try:
    for g in (w, rd):
        g.expect("visor-guest: ready", 900)
        g.expect(Guest.PROMPT, 60)
    out = w.run("mke2fs -q /dev/vda && mount /dev/vda /mnt && echo mkfs-$((6*7))ok", timeout=300)
    check("the writer makes and mounts an ext2 filesystem on the extent", "mkfs-42ok" in out, out)
    out = w.run("echo %s > /tmp/t && dd if=/tmp/t of=/mnt/data.txt conv=fsync 2>/dev/null && "
                "sync && echo write-$((6*7))ok" % token, timeout=120)
    check("the writer writes a file with dd conv=fsync and syncs", "write-42ok" in out, out)
    out = rd.run("echo 3 > /proc/sys/vm/drop_caches; mount -o ro /dev/vda /mnt && "
                 "cat /mnt/data.txt", timeout=120)
    check("the RR reader sees what the writer flushed", token in out, out)
    out = rd.run("dd if=/dev/zero of=/dev/vda count=1 conv=fsync 2>&1; echo rc=$?", timeout=60)
    check("the reader's disk is read-only", "rc=0" not in out, out)
    w.p.send_signal(signal.SIGKILL)
    w.p.wait()
    cut = os.path.join(work, "cut.img")
    applied, total = journal.rebuild(orig, jpath, cut)
    ext = os.path.join(work, "extent.img")
    with open(cut, "rb") as f, open(ext, "wb") as e:
        f.seek(base)
        e.write(f.read(size))
    r = subprocess.run(["debugfs", "-R", "cat /data.txt", ext], capture_output=True, text=True)
    check("after SIGKILL, the power-cut image holds the synced file (%d of %d writes)"
          % (applied, total), token in r.stdout, r.stdout + r.stderr)
    with open(vol, "rb") as f:
        outside = f.read(base) + (f.seek(base + size) and f.read())
    check("nothing outside the extent was written", outside.count(0) == len(outside))
    rd.send("poweroff\n")
    check("the reader powers off with status 0", rd.wait_exit(120) == 0)
except GuestTimeout as e:
    check("guest session", False, str(e))
finally:
    w.kill()
    rd.kill()

if failed:
    print("logs kept in", work)
else:
    shutil.rmtree(work, ignore_errors=True)
print("minidisk-linux: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
