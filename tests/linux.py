#!/usr/bin/env python3
"""Guest-level tests on Debian's Linux (guest/linux/build.sh builds the kernel and initramfs):
boot to the shell through OpenSBI, run commands, write a virtio-blk raw disk and find the
bytes on the host image, read /dev/hwrng, power off with status 0; then the same kernel with
-smp 2. Prints "linux: N passed, M failed" (or says why it is skipped)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guestdrive import Guest, GuestTimeout  # noqa: E402

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


def guest_paths():
    r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1:] or ["build.sh failed"]
    paths = {}
    for line in r.stdout.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            paths[k.strip()] = v.strip()
    return paths, None


paths, why = guest_paths()
if not paths or "KERNEL" not in paths or "INITRD" not in paths:
    print("linux: 0 passed, 0 failed (skipped: cannot build the Debian guest: %s)" % why)
    sys.exit(0)

work = tempfile.mkdtemp(prefix="visor-linux-")
disk = os.path.join(work, "disk.img")
with open(disk, "wb") as f:
    f.truncate(16 << 20)
pattern = bytes((i * 7 + 3) & 0xff for i in range(4096))
with open(os.path.join(work, "pattern.bin"), "wb") as f:
    f.write(pattern)

base = [visor, "-M", "virt", "-m", "512M", "-nographic", "-kernel", paths["KERNEL"],
        "-initrd", paths["INITRD"], "-append", "console=ttyS0"]

# ---- one hart, with a raw disk and the entropy device ----
argv = base + ["-drive", "file=%s,if=none,format=raw,id=d0" % disk,
               "-device", "virtio-blk-device,drive=d0",
               "-device", "virtio-rng-device"]
g = Guest(argv, log=os.path.join(work, "smp1.log"))
try:
    g.expect("visor-guest: ready", 600)
    g.expect(Guest.PROMPT, 60)
    check("boots to the shell (%.0f s)" % g.elapsed(), True)
    check("uname -m says riscv64", g.run("uname -m") == "riscv64")
    isa = g.run("grep -m1 '^isa' /proc/cpuinfo")
    check("/proc/cpuinfo shows the ISA", "rv64imafdc" in isa, isa)
    # a file written with dd and synced is on the host image, byte for byte
    hexpat = "".join("\\x%02x" % b for b in pattern[:64])
    g.run("printf '%s' > /tmp/p64" % hexpat)
    g.run("for i in $(seq 64); do cat /tmp/p64; done > /tmp/pattern")
    out = g.run("dd if=/tmp/pattern of=/dev/vda bs=4096 seek=3 conv=fsync && sync && echo dd-ok",
                timeout=120)
    check("dd to /dev/vda and sync", "dd-ok" in out, out)
    with open(disk, "rb") as f:
        f.seek(3 * 4096)
        got = f.read(4096)
    want = (pattern[:64]) * 64
    check("the written block is on the host image byte for byte", got == want)
    # discard reaches the host: the block is a hole (zeros) in the image afterwards
    out = g.run("blkdiscard -o %d -l 4096 /dev/vda && echo discard-ok" % (3 * 4096))
    check("blkdiscard on /dev/vda", "discard-ok" in out, out)
    with open(disk, "rb") as f:
        f.seek(3 * 4096)
        got = f.read(4096)
    check("the discarded block reads as zeros on the host", got == bytes(4096))
    # and what the host wrote is what the guest reads
    out = g.run("dd if=/dev/vda bs=512 count=1 2>/dev/null | wc -c")
    check("reads from /dev/vda", out.strip() == "512", out)
    out = g.run("dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c")
    check("/dev/hwrng reads", out.strip() == "64", out)
    g.send("poweroff\n")
    status = g.wait_exit(120)
    check("poweroff ends visor with status 0", status == 0, "status %s" % status)
except GuestTimeout as e:
    check("smp1 guest session", False, str(e))
    g.kill()

# ---- the same kernel and initramfs with two harts ----
g = Guest(base + ["-smp", "2"], log=os.path.join(work, "smp2.log"))
try:
    g.expect("visor-guest: ready", 600)
    g.expect(Guest.PROMPT, 60)
    check("-smp 2 boots to the shell (%.0f s)" % g.elapsed(), True)
    out = g.run("grep -c ^processor /proc/cpuinfo")
    check("-smp 2: two processors online", out.strip() == "2", out)
    g.send("poweroff\n")
    status = g.wait_exit(120)
    check("-smp 2: poweroff status 0", status == 0, "status %s" % status)
except GuestTimeout as e:
    check("smp2 guest session", False, str(e))
    g.kill()

if failed:
    print("logs kept in", work)
print("linux: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
