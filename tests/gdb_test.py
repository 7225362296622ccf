#!/usr/bin/env python3
"""The gdb stub, driven by gdb-multiarch in batch mode and by a raw protocol client:

  bare   guest/gdb-target under gdb: breakpoints (software and hardware), step, registers and
         memory read and written (the program prints what it computed from them), write and read
         watchpoints, harts as threads, monitor commands, physical memory mode, run to exit.
  attach detach and re-attach while the guest runs; a gdb killed mid-continue leaves the guest
         paused (the monitor says so) and the stub listening.
  raw    malformed packets get error replies (bad checksum '-', E01, E03, E06, empty for the
         unknown), garbage does not hurt, Ctrl-C (0x03) interrupts a continue, D detaches.
  linux  Debian's kernel under -S -s: break at 0x80200000 and step, break at a function whose
         address an earlier boot printed from /proc/kallsyms, continue to the shell.

Usage: tests/gdb_test.py VISOR [--no-linux]. Prints "gdb: N passed, M failed" (or why skipped)."""
import atexit
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guestdrive import Guest, GuestTimeout  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
visor = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/release/visor")
with_linux = "--no-linux" not in sys.argv
GDB = shutil.which("gdb-multiarch")
passed = failed = 0
work = tempfile.mkdtemp(prefix="visor-gdb-")


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, ("\n    " + str(detail)[-1500:].replace("\n", "\n    ")) if detail else "")


started = []


@atexit.register
def kill_leftovers():
    """A test that stopped half-way must not leave machines behind."""
    for q in started:
        if q.poll() is None:
            q.kill()


def start_visor(args, name):
    out = open(os.path.join(work, name + ".console"), "wb")
    p = subprocess.Popen([visor, "-M", "virt", "-nographic"] + args, stdin=subprocess.DEVNULL,
                         stdout=out, stderr=subprocess.STDOUT)
    started.append(p)
    return p


def wait_socket(path, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def console(name):
    with open(os.path.join(work, name + ".console"), "rb") as f:
        return f.read().decode(errors="replace")


def gdb(target, commands, elf=None, timeout=120):
    """Runs gdb-multiarch in batch mode; returns its stdout+stderr."""
    argv = [GDB, "-q", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off"]
    if not elf:
        argv += ["-ex", "set architecture riscv:rv64"]
    argv += ["-ex", "target remote " + target]
    for c in commands:
        argv += ["-ex", c]
    if elf:
        argv.append(elf)
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        return r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode(errors="replace") + "\n<gdb timed out>"


def monitor(path, command):
    """One command through a -monitor unix socket; returns its output."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    buf = b""
    while b"(qemu) " not in buf:
        buf += s.recv(4096)
    s.sendall(command.encode() + b"\n")
    buf = b""
    while b"(qemu) " not in buf:
        d = s.recv(4096)
        if not d:
            break
        buf += d
    s.close()
    return buf.decode(errors="replace")


def finish(p, timeout=20):
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if not GDB:
    print("gdb: 0 passed, 0 failed (skipped: gdb-multiarch missing; make deps installs it)")
    sys.exit(0)
elf = os.path.join(ROOT, "build/guest/gdb-target.elf")
r = subprocess.run(["make", "-s", "-C", ROOT, "build/guest/gdb-target.elf"], capture_output=True,
                   text=True)
if r.returncode or not os.path.exists(elf):
    print("gdb: cannot build guest/gdb-target:", r.stderr[-500:])
    print("gdb: 0 passed, 1 failed")
    sys.exit(1)

# ---- bare: a debugging session from reset to exit, two harts, over TCP ----
port = free_port()
p = start_visor(["-bios", "none", "-smp", "2", "-kernel", elf, "-S", "-gdb", "tcp::%d" % port],
                "bare")
time.sleep(0.3)
out = gdb("127.0.0.1:%d" % port, [
    "print $pc",
    "break main", "continue",
    "print magic", "set var magic = 99", "x/1gx &magic",
    "break add", "continue",
    "print $a0", "set var $a0 = 100", "print/x $a0",
    "stepi", "print $pc == add + 2 || $pc == add + 4",
    "hbreak touch", "continue",
    "watch watched", "continue",
    "delete", "rwatch watched", "continue",
    "delete",
    "info threads", "thread 2", "print $mhartid", "thread 1",
    "print $priv", "print/x $mstatus", "print $fcsr",
    "monitor info status",
    "maintenance packet Qqemu.PhyMemMode:1", "x/1wx 0x80000000",
    "maintenance packet Qqemu.PhyMemMode:0",
    "continue",
], elf=elf)
status = finish(p)
con = console("bare")
check("gdb attaches to a -S machine at the reset vector", "$1 = (void (*)()) 0x1000" in out, out)
check("software breakpoint at main", "Breakpoint 1, main" in out, out)
check("memory read: magic is 41", "$2 = 41" in out, out)
check("memory write: x shows 99", "0x0000000000000063" in out, out)
check("breakpoint in add sees the written memory in a0", "$3 = 99" in out, out)
check("register write: a0 = 100", "$4 = 0x64" in out, out)
check("stepi moves one instruction", "$5 = 1" in out, out)
check("hardware breakpoint (hbreak) at touch", "Breakpoint 3, touch" in out, out)
check("write watchpoint triggers with old and new value",
      "Old value = 0" in out and "New value = 4660" in out, out)
check("read watchpoint triggers", "Value = 4660" in out, out)
check("two harts are two threads", "Thread 2 (hart 1" in out and "Thread 1 (hart 0" in out, out)
check("thread 2 is hart 1 (mhartid)", "$6 = 1" in out, out)
check("privilege register (priv) reads M", "$7 = 3" in out, out)
check("CSRs are named (mstatus, fcsr)", "$8 = 0x" in out and "$9 = " in out, out)
check("monitor commands reach the visor monitor", "VM status: paused" in out, out)
check("physical memory mode reads DRAM", re.search(r"0x80000000.*:\t0x[0-9a-f]{8}", out), out)
check("continue runs to exit (W00)", "exited normally" in out, out)
check("the guest printed the sum of both writes (99 + 1 + a0 change)", "add=101" in con, con)
check("the guest ran on to power-off with status 0", status == 0, "status %s" % status)

# ---- attach: detach and re-attach while the guest runs; a vanished client ----
gsock = os.path.join(work, "g.sock")
msock = os.path.join(work, "m.sock")
p = start_visor(["-bios", "none", "-kernel", elf, "-S", "-gdb", "unix:%s,server" % gsock,
                 "-monitor", "unix:%s,server,nowait" % msock], "attach")
wait_socket(gsock) and wait_socket(msock)
out = gdb(gsock, ["set var spin = 1", "break tick", "continue", "print ticks", "delete", "detach"],
          elf=elf)
check("first gdb stops in tick and detaches", "Breakpoint 1, tick" in out and "Detaching" in out
      or "detached" in out, out)
time.sleep(0.5)
st = monitor(msock, "info status")
check("after detach the guest runs", "VM status: running" in st, st)
out = gdb(gsock, ["print ticks > 1000", "print spin"], elf=elf)
check("a second gdb attaches to the running guest, which kept going", "$1 = 1" in out, out)
g = subprocess.Popen([GDB, "-q", "-nx", "-batch", "-ex", "target remote " + gsock,
                      "-ex", "continue", elf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.5)
g.kill()
g.wait()
time.sleep(0.5)
st = monitor(msock, "info status")
check("a gdb killed while the guest runs leaves it paused", "VM status: paused" in st, st)
out = gdb(gsock, ["print spin", "set var spin = 0", "continue"], elf=elf)
check("the stub still listens: a third gdb attaches and runs the guest to exit",
      "exited normally" in out, out)
status = finish(p)
check("attach run ends with status 0", status == 0, "status %s" % status)


# ---- raw: the protocol against malformed input ----
def frame(body):
    if isinstance(body, str):
        body = body.encode()
    return b"$" + body + b"#%02x" % (sum(body) & 0xff)


class Raw:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(path)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def read_until(self, pred, timeout=5):
        end = time.time() + timeout
        while not pred(self.buf) and time.time() < end:
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                break
            if not d:
                break
            self.buf += d
        return pred(self.buf)

    def packet(self, timeout=5):
        """The next reply packet's body (acks dropped), or None."""
        def have(b):
            i = b.find(b"$")
            return i >= 0 and b.find(b"#", i) >= 0 and len(b) >= b.find(b"#", i) + 3
        if not self.read_until(have, timeout):
            return None
        i = self.buf.find(b"$")
        j = self.buf.find(b"#", i)
        body = self.buf[i + 1:j]
        self.buf = self.buf[j + 3:]
        return body

    def ask(self, body):
        self.send(frame(body))
        return self.packet()

    def close(self):
        self.s.close()


rsock = os.path.join(work, "r.sock")
p = start_visor(["-bios", "none", "-kernel", elf, "-S", "-gdb", "unix:%s,server" % rsock], "raw")
wait_socket(rsock)
c = Raw(rsock)
check("'?' answers the stop reason", c.ask("?") == b"T05thread:1;")
c.send(b"$g#00")
check("a bad checksum gets '-'", c.read_until(lambda b: b"-" in b) and b"-" in c.buf)
c.buf = b""
check("an unparsable m gets E01", c.ask("mzz,4") == b"E01")
check("an unmapped address gets E03", c.ask("m1234567800000000,10") == b"E03")
check("an unknown breakpoint type gets an empty reply", c.ask("Z9,0,0") == b"")
check("an unknown packet gets an empty reply", c.ask("jabberwocky") == b"")
check("a bad register number gets E02", c.ask("pfffff") == b"E02")
check("a G of odd length gets E01", c.ask("G123") == b"E01")
check("a packet beyond PacketSize gets E06", c.ask("m" + "0" * 20000) == b"E06")
rng = random.Random(6)
# noise between packets (no '$' starts one, no 0x03 interrupts), then packets of noise whose
# checksums are wrong
junk = bytes(rng.randrange(256) for _ in range(20000)).replace(b"\x03", b"").replace(b"$", b"")
c.send(junk)
for _ in range(50):
    body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
    body = body.replace(b"#", b"").replace(b"$", b"")
    c.send(b"$" + body + b"#%02x" % ((sum(body) + 1) & 0xff))
time.sleep(0.5)
c.read_until(lambda b: False, timeout=0.5)  # the '-'s and retransmissions the noise caused
c.buf = b""
check("after 20 kB of garbage the stub still answers", c.ask("?") == b"T05thread:1;")
check("register read in range", c.ask("p20") == b"0010000000000000")
syms = {f[2]: int(f[0], 16) for f in (line.split() for line in subprocess.run(
    ["riscv64-unknown-elf-nm", elf], capture_output=True, text=True).stdout.splitlines())
    if len(f) == 3}
spin = syms["spin"]
check("M writes memory (spin = 1, so the guest loops)", c.ask("M%x,4:01000000" % spin) == b"OK")
check("m reads it back", c.ask("m%x,4" % spin) == b"01000000")
c.send(frame("c"))
time.sleep(0.3)
c.send(b"\x03")
r = c.packet()
check("Ctrl-C (0x03) interrupts a continue with SIGINT", r is not None and r.startswith(b"T02"),
      r)
check("memory written while stopped (spin = 0)", c.ask("M%x,4:00000000" % spin) == b"OK")
check("D detaches", c.ask("D") == b"OK")
c.close()
status = finish(p)
check("after D the guest runs to its end", status == 0, "status %s" % status)

os.unlink(rsock) if os.path.exists(rsock) else None
p = start_visor(["-bios", "none", "-kernel", elf, "-S", "-gdb", "unix:%s,server" % rsock], "raw2")
wait_socket(rsock)
c = Raw(rsock)
c.send(b"$qSupported#37$vCont;s:1;c#" + b"%02x" % (sum(b"vCont;s:1;c") & 0xff) + b"$m0,")
c.close()  # mid-packet
time.sleep(0.3)
c = Raw(rsock)
check("a client gone mid-packet leaves the stub listening", c.ask("?") is not None)
c.ask("D")
c.close()
check("... and the guest runs on after a clean detach", finish(p) == 0)


# ---- linux: Debian's kernel under -S -s ----
def guest_paths():
    r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                       text=True)
    if r.returncode:
        return None
    paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    return paths if "KERNEL" in paths and "INITRD" in paths else None


def linux():
    paths = guest_paths()
    if not paths:
        print("gdb: linux part skipped: cannot build the Debian guest (guest/linux/build.sh)")
        return
    base = [visor, "-M", "virt", "-m", "512M", "-nographic", "-kernel", paths["KERNEL"],
            "-initrd", paths["INITRD"], "-append", "console=ttyS0 nokaslr"]
    # an earlier boot prints where kernel_init is
    g = Guest(base, log=os.path.join(work, "linux-kallsyms.log"))
    addr = None
    try:
        g.expect("visor-guest: ready", 600)
        g.expect(Guest.PROMPT, 60)
        g.run("echo 0 > /proc/sys/kernel/kptr_restrict")
        line = g.run("grep ' kernel_init$' /proc/kallsyms")
        addr = line.split()[0] if line.split() else None
        g.send("poweroff\n")
        g.wait_exit(60)
    except GuestTimeout as e:
        check("linux: an earlier boot prints kernel_init from /proc/kallsyms", False, str(e))
        g.kill()
        return
    check("linux: an earlier boot prints kernel_init from /proc/kallsyms",
          addr is not None and int(addr, 16) >= 0xffffffff80000000, addr)
    if not addr:
        return
    # -s is tcp::1234; if another program holds that port, the same thing on a free one
    try:
        s = socket.socket()
        s.bind(("", 1234))
        s.close()
        flags, target = ["-S", "-s"], "127.0.0.1:1234"
    except OSError:
        gp = free_port()
        flags, target = ["-S", "-gdb", "tcp::%d" % gp], "127.0.0.1:%d" % gp
    g = Guest(base + flags, log=os.path.join(work, "linux-gdb.log"))
    time.sleep(0.5)
    out = gdb(target, [
        "break *0x80200000", "continue", "print/x $pc", "print $priv",
        "stepi", "stepi", "stepi", "print/x $pc",
        "delete", "break *0x%s" % addr, "continue", "print/x $pc",
        "x/2xw $pc", "monitor x /2wx $pc", "print $priv",
        "delete", "detach",
    ], timeout=600)
    check("linux: stops at the kernel's entry 0x80200000 in S-mode",
          "$1 = 0x80200000" in out and "$2 = 1" in out, out)
    pcs = re.findall(r"^(0x[0-9a-f]+) in \?\? \(\)$", out, re.M)
    check("linux: three stepi land on three new addresses in the kernel",
          len(set(pcs)) >= 3 and "0x0000000080200000" not in pcs and
          re.search(r"\$3 = 0x802[0-9a-f]{5}\b", out), out)
    check("linux: stops at kernel_init (from kallsyms)", "$4 = 0x%s" % addr.lstrip("0") in out, out)
    # kernel_init's code read through the kernel's page tables, by gdb and by the monitor
    words = re.search(r"^0x%s:\s+(0x[0-9a-f]{8})\s+(0x[0-9a-f]{8})$" % addr.lstrip("0"), out, re.M)
    check("linux: gdb reads kernel memory through the page tables (S-mode, $priv = 1)",
          words is not None and "$5 = 1" in out, out)
    check("linux: the monitor's x reads the same words",
          words is not None and re.search(r"%s: %s %s" % (addr, words.group(1), words.group(2)),
                                          out) is not None, out)
    try:
        g.expect("visor-guest: ready", 600)
        g.expect(Guest.PROMPT, 60)
        check("linux: after detach the kernel boots to the shell", True)
        g.send("poweroff\n")
        check("linux: poweroff, status 0", g.wait_exit(60) == 0)
    except GuestTimeout as e:
        check("linux: after detach the kernel boots to the shell", False, str(e))
        g.kill()


if with_linux:
    linux()

if failed:
    print("logs kept in", work)
else:
    shutil.rmtree(work, ignore_errors=True)
print("gdb: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
