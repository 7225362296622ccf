#!/usr/bin/env python3
"""Guest-level tests on Debian's Linux (guest/linux/build.sh builds the kernel and initramfs):
boot to the shell through OpenSBI, run commands, write a virtio-blk raw disk and find the
bytes on the host image, read /dev/hwrng, power off with status 0; then the same kernel with
-smp 2: a host thread per hart, two busy loops on both harts at once (and on two host CPUs when
the host has them free), forks on both harts at once (TLB shootdowns). Prints "linux: N passed, M failed" (or says why
it is skipped)."""
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

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

# ---- the same kernel and initramfs with two harts, each on a host thread of its own ----
CLK_TCK = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """{thread name: CPU seconds} of visor's threads."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                name, rest = f.read().split("(", 1)[1].rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        out[name + "/" + tid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def host_idle():
    """Idle CPU seconds of the whole host so far (all CPUs)."""
    with open("/proc/stat") as f:
        cols = f.readline().split()
    return (int(cols[4]) + int(cols[5])) / CLK_TCK


def guest_cpu_share(before, after):
    """{cpuN: busy / (busy + idle)} between two of the guest's /proc/stat. Busy time is
    counted in ticks, which a hart starved of host CPU misses, idle time by the clock: a starved
    hart looks less busy, never more."""
    def parse(text):
        return {c[0]: [int(x) for x in c[1:]] for c in (line.split() for line in text.splitlines())
                if c and re.match(r"cpu\d+$", c[0])}
    a, b = parse(before), parse(after)
    share = {}
    for cpu in b:
        d = [y - x for x, y in zip(a.get(cpu, [0] * len(b[cpu])), b[cpu])]
        busy, idle = sum(d[0:3]), d[3]
        share[cpu] = busy / (busy + idle) if busy + idle else 0.0
    return share


# Both shells spin for BUSY_S seconds of guest time; the loop reads /proc/uptime (no forks).
BUSY_S = 4
BUSY = ("busy() { read u x < /proc/uptime; e=$(( ${u%%.*} + %d )); n=0; while :; do "
        "read u x < /proc/uptime; [ ${u%%.*} -ge $e ] && break; n=$((n+1)); done; echo n=$n; }; "
        "busy & busy & wait" % BUSY_S)
# Forks, execs and exits on both harts at once: page tables built and torn down on one hart
# while the other may hold their translations, so Linux's TLB shootdowns (SBI remote fences,
# IPIs through the CLINT) must work, or the checksums go wrong or the guest hangs.
FORKS = "for i in $(seq 150); do echo $i | md5sum; done | md5sum"
FORKS_WANT = hashlib.md5("".join("%s  -\n" % hashlib.md5(b"%d\n" % i).hexdigest()
                                 for i in range(1, 151)).encode()).hexdigest()

g = Guest(base + ["-smp", "2"], log=os.path.join(work, "smp2.log"))
try:
    g.expect("visor-guest: ready", 600)
    g.expect(Guest.PROMPT, 60)
    check("-smp 2 boots to the shell (%.0f s)" % g.elapsed(), True)
    out = g.run("grep -c ^processor /proc/cpuinfo")
    check("-smp 2: two processors online", out.strip() == "2", out)
    harts = sorted(k for k in thread_cpu(g.p.pid) if k.startswith("hart"))
    check("-smp 2: a host thread per hart", len(harts) == 2 and
          [h.split("/")[0] for h in harts] == ["hart0", "hart1"], str(harts))

    stat0 = g.run("grep ^cpu /proc/stat")
    cpu0, idle0, t0 = thread_cpu(g.p.pid), host_idle(), time.time()
    out = g.run(BUSY, timeout=120 + 30 * BUSY_S)
    cpu1, idle1, t1 = thread_cpu(g.p.pid), host_idle(), time.time()
    stat1 = g.run("grep ^cpu /proc/stat")
    counts = [int(n) for n in re.findall(r"^n=(\d+)", out, re.M)]
    check("-smp 2: two busy loops both finish", len(counts) == 2 and min(counts) > 0, out)
    share = guest_cpu_share(stat0, stat1)
    check("-smp 2: the guest kept both harts busy (%s)" %
          ", ".join("%s %.0f%%" % (c, 100 * v) for c, v in sorted(share.items())),
          len(share) == 2 and min(share.values()) >= 0.5, stat0 + "\n" + stat1)
    # Host side: each hart thread ran guest code, and the two ran on two host CPUs at once
    # whenever the host had them to give. (How the host shares its CPUs between the two
    # threads is its business: on a loaded host one may get a fraction of the other's time.)
    used = {k: cpu1.get(k, 0) - cpu0.get(k, 0) for k in harts}
    check("-smp 2: each hart thread ran guest code (%s)" %
          ", ".join("%s %.1f s" % (k.split("/")[0], v) for k, v in sorted(used.items())),
          len(used) == 2 and min(used.values()) >= 0.1, str(used))
    wall = t1 - t0
    cores = sum(cpu1.get(k, 0) - cpu0.get(k, 0) for k in cpu1) / wall
    free = (idle1 - idle0) / wall  # host CPUs nobody used meanwhile
    if cores + free >= 1.7:
        check("-smp 2: visor used %.2f host CPUs at once (%.2f were idle)" % (cores, free),
              cores >= 1.3)
    else:
        print("NOTE -smp 2: parallelism not judged: the host had %.2f CPUs for visor "
              "(it used %.2f)" % (cores + free, cores))

    out = g.run("(%s > /tmp/a) & (%s > /tmp/b) & wait; cat /tmp/a /tmp/b" % (FORKS, FORKS),
                timeout=600)
    check("-smp 2: forks on both harts at once compute right", out.count(FORKS_WANT) == 2, out)
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
