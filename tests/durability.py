#!/usr/bin/env python3
"""Durability and faults of minidisks, with the bare-metal guest/diskwriter:
- power cuts: the guest writes and flushes an extent of a volume while visor journals
  (-drive x-journal=); visor is killed with SIGKILL at a random moment; the image a power cut
  would leave (the original plus the writes the last completed flush covers,
  tests/lib/journal.py) must hold every write the guest saw synced, the file must hold every
  journaled write, and nothing outside the extent may change;
- the same on a qcow2 image, journaled at the file level (data and metadata writes, fdatasyncs):
  the power-cut image must pass `qemu-img check` (leaked clusters allowed) and, converted to
  raw, hold every write the guest saw synced;
- a full host disk: the volume lives on a 1 MiB tmpfs; writes past it fail with IOERR, the
  guest sees them, reads still work, and visor keeps running until the guest powers off.
    tests/durability.py VISOR [--full]
Prints "durability: N passed, M failed"."""
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import journal  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
visor = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/release/visor")
full = "--full" in sys.argv
guest = os.path.join(ROOT, "build/guest/diskwriter.elf")
passed = failed = 0
SECTOR = 512


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", name, detail)


def run(drive, out, err):
    return subprocess.Popen([visor, "-M", "virt", "-bios", "none", "-kernel", guest,
                             "-nographic", "-monitor", "none", "-drive", drive],
                            stdin=subprocess.DEVNULL, stdout=out, stderr=err)


def kill_after_first_sync(p, outp, extra):
    """SIGKILLs p a random moment (up to extra seconds) after the guest first reports a synced
    write, so that a busy host cannot make the kill land before the guest did anything."""
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        with open(outp, "rb") as f:
            if re.search(rb"synced \d+\n", f.read()):
                break
        time.sleep(0.02)
    time.sleep(random.uniform(0, extra))
    p.send_signal(signal.SIGKILL)
    p.wait()


def sector_value(img, off):
    """The write number a sector holds (every word equal), 0 for zeros, -1 if torn."""
    words = struct.unpack_from("<64Q", img, off)
    return words[0] if all(w == words[0] for w in words) else -1


def missing_writes(img, base, sectors, last):
    """The sectors of [base, base + sectors * 512) that lack a write the guest saw synced."""
    missing = []
    for s in range(sectors):
        # the last write at or below `last` that went to sector s
        want = max((i for i in range(max(1, last - sectors), last + 1) if i % sectors == s),
                   default=0)
        got = sector_value(img, base + s * SECTOR)
        if got < want:
            missing.append((s, want, got))
    return missing


def synced_last(outp):
    text = open(outp, "rb").read().decode(errors="replace")
    synced = [int(x) for x in re.findall(r"synced (\d+)\n", text)]
    return (synced[-1] if synced else 0), text


def qemu_img_check(path):
    """qemu-img check's exit status: 0 clean, 3 leaked clusters only (harmless: QEMU reclaims
    nothing and reads nothing from them), 2 corruption, 1 cannot check."""
    r = subprocess.run(["qemu-img", "check", "-f", "qcow2", path], capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr)[-300:]


def power_cut_qcow2(work, n):
    """The same power cut on a qcow2 image: the journal records the file writes the qcow2
    backend makes (data, L2 and L1 tables, refcounts) and its fdatasyncs; the rebuilt file must
    pass qemu-img check (leaks allowed) and read back every write the guest saw synced."""
    vol = os.path.join(work, "vol.qcow2")
    orig = os.path.join(work, "orig.qcow2")
    jpath = os.path.join(work, "journal")
    size = 2 << 20  # the guest's 4096 sectors: 512 clusters of 4 KiB, allocated as it goes
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", vol,
                    str(size)], check=True)
    subprocess.run(["cp", vol, orig], check=True)
    outp = os.path.join(work, "out")
    with open(outp, "wb") as out, open(os.path.join(work, "err"), "wb") as err:
        p = run("file=%s,if=virtio,format=qcow2,x-journal=%s" % (vol, jpath), out, err)
        kill_after_first_sync(p, outp, 1.0)  # early kills land while clusters are allocated
    last, text = synced_last(outp)
    check("qcow2 kill %d: the guest synced something before the kill" % n, last > 0,
          text[-200:] + open(os.path.join(work, "err"), "rb").read().decode(errors="replace"))
    cut = os.path.join(work, "cut.qcow2")
    applied, total = journal.rebuild(orig, jpath, cut)
    rc, why = qemu_img_check(cut)
    check("qcow2 kill %d: qemu-img check passes on the power-cut image (leaks allowed; %d of %d "
          "writes)" % (n, applied, total), rc in (0, 3), "status %d: %s" % (rc, why))
    rc, why = qemu_img_check(vol)
    check("qcow2 kill %d: qemu-img check passes on the killed file" % n, rc in (0, 3),
          "status %d: %s" % (rc, why))
    raw = os.path.join(work, "cut.raw")
    r = subprocess.run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", cut, raw],
                       capture_output=True, text=True)
    img = open(raw, "rb").read() if r.returncode == 0 else b""
    missing = missing_writes(img, 0, size // SECTOR, last) if img else ["convert: " + r.stderr]
    check("qcow2 kill %d: the power-cut image holds every write synced (up to %d)" % (n, last),
          not missing, missing[:4])


def power_cut(work, n):
    vol = os.path.join(work, "vol.img")
    orig = os.path.join(work, "orig.img")
    jpath = os.path.join(work, "journal")
    size, base, ext = 1 << 20, 64 << 10, 32 << 10
    with open(vol, "wb") as f:
        f.truncate(size)
    with open(orig, "wb") as f:
        f.truncate(size)
    outp = os.path.join(work, "out")
    with open(outp, "wb") as out, open(os.path.join(work, "err"), "wb") as err:
        p = run("file=%s,if=virtio,format=raw,offset=%d,size=%d,x-journal=%s"
                % (vol, base, ext, jpath), out, err)
        kill_after_first_sync(p, outp, 1.2)
    text = open(outp, "rb").read().decode(errors="replace")
    synced = [int(x) for x in re.findall(r"synced (\d+)\n", text)]
    last = synced[-1] if synced else 0
    check("kill %d: the guest synced something before the kill" % n, last > 0, text[-200:])
    cut = os.path.join(work, "cut.img")
    applied, total = journal.rebuild(orig, jpath, cut)
    img = open(cut, "rb").read()
    missing = missing_writes(img, base, ext // SECTOR, last)
    check("kill %d: the power-cut image holds every write synced (up to %d; %d of %d writes)"
          % (n, last, applied, total), not missing, missing[:4])
    every = os.path.join(work, "all.img")
    journal.rebuild(orig, jpath, every, everything=True)
    real, alljournaled = open(vol, "rb").read(), open(every, "rb").read()
    differ = [o for o in range(0, size, SECTOR)
              if real[o:o + SECTOR] != alljournaled[o:o + SECTOR]]
    # a write that reached the file but not yet the journal when the kill came: one at most
    check("kill %d: the file holds what the journal says" % n, len(differ) <= 1, differ[:4])
    outside = real[:base] + real[base + ext:]
    check("kill %d: nothing outside the extent changed" % n, outside.count(0) == len(outside))


def full_disk(work):
    mnt = os.path.join(work, "small")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", mnt],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("durability: full-disk test skipped (cannot mount a tmpfs: %s)"
              % (r.stderr.strip() or "mount failed"))
        return
    try:
        vol = os.path.join(mnt, "vol.img")
        with open(vol, "wb") as f:
            f.truncate(4 << 20)
        outp = os.path.join(work, "fout")
        with open(outp, "wb") as out, open(os.path.join(work, "ferr"), "wb") as err:
            p = run("file=%s,if=virtio,format=raw" % vol, out, err)
            try:
                rc = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
        text = open(outp, "rb").read().decode(errors="replace")
        check("full disk: writes past the space fail with IOERR", "ioerr" in text, text[-300:])
        check("full disk: reads still work and the guest powers off", "alive" in text and rc == 0,
              "status %d: %s" % (rc, text[-300:]))
    finally:
        subprocess.run(["umount", mnt])


if not os.path.exists(guest):
    print("durability: 0 passed, 0 failed (skipped: %s not built)" % guest)
    sys.exit(0)
with tempfile.TemporaryDirectory(prefix="visor-durability-") as work:
    for n in range(10 if full else 3):
        d = os.path.join(work, "kill%d" % n)
        os.mkdir(d)
        power_cut(d, n)
    if shutil.which("qemu-img"):
        for n in range(10 if full else 3):
            d = os.path.join(work, "qkill%d" % n)
            os.mkdir(d)
            power_cut_qcow2(d, n)
    else:
        print("durability: qcow2 power cuts skipped (no qemu-img)")
    full_disk(work)
print("durability: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
