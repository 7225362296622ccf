#!/usr/bin/env python3
"""The visor monitor through each way in:

  console  Ctrl-A c on the mon:stdio console of a -S machine: info status/registers/mtree/
           qtree/virtio, xp and x (with /i), cont runs the guest, Ctrl-A c goes back.
  socket   -monitor unix:PATH,server,nowait on a guest that never ends (gdb-spin.elf): stop
           freezes it, cont resumes it (a counter in guest memory shows which), system_reset
           restarts it, errors are reported, junk and long lines do no harm, quit exits 0.
  wait     -monitor unix:PATH,server (no nowait): the machine starts only once a client is in.
  stdio    -monitor stdio (serial elsewhere): commands on stdin, answers on stdout.
  none     -monitor none: Ctrl-A c says there is no monitor.

Usage: tests/monitor_test.py VISOR. Prints "monitor: N passed, M failed"."""
import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
visor = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/release/visor")
passed = failed = 0
work = tempfile.mkdtemp(prefix="visor-monitor-")


started = []


@atexit.register
def kill_leftovers():
    """A test that stopped half-way must not leave machines behind."""
    for q in started:
        if q.poll() is None:
            q.kill()


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, ("\n    " + str(detail)[-1500:].replace("\n", "\n    ")) if detail else "")


if not shutil.which("riscv64-unknown-elf-gcc"):
    print("monitor: 0 passed, 0 failed (skipped: riscv64-unknown-elf-gcc missing; make deps "
          "installs it)")
    sys.exit(0)
r = subprocess.run(["make", "-s", "-C", ROOT, "build/guest/gdb-target.elf",
                    "build/guest/gdb-spin.elf"], capture_output=True, text=True)
target = os.path.join(ROOT, "build/guest/gdb-target.elf")
spin = os.path.join(ROOT, "build/guest/gdb-spin.elf")
if r.returncode:
    print(r.stderr[-1000:])
    print("monitor: 0 passed, 1 failed (cannot build guest/gdb-target)")
    sys.exit(1)
syms = {}
for line in subprocess.run(["riscv64-unknown-elf-nm", spin], capture_output=True,
                           text=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3:
        syms[f[2]] = int(f[0], 16)
with open(target, "rb") as f:
    elf = f.read()


def first_words_of_text():
    """The first four 32-bit words at 0x80000000, from objdump's view of the ELF."""
    out = subprocess.run(["riscv64-unknown-elf-objdump", "-s", "-j", ".text", target],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith(" 80000000 "):
            return [int.from_bytes(bytes.fromhex(w), "little") for w in line.split()[1:5]]
    return []


# ---- console: Ctrl-A c ----
cmds = ["info status", "info registers", "xp /4wx 0x80000000", "x /2i 0x80000000", "info mtree",
        "info qtree", "info virtio", "info block", "info cpus", "help", "nonsense"]
# into the monitor, the commands, back to the guest, into the monitor again, cont
script = (b"\x01c" + b"".join(c.encode() + b"\r" for c in cmds) + b"\x01c" + b"\x01c" +
          b"cont\r")
volume_dir = tempfile.mkdtemp(prefix="visor-mon-")
atexit.register(shutil.rmtree, volume_dir, True)
volume = os.path.join(volume_dir, "vol.img")
with open(volume, "wb") as f:
    f.truncate(4 << 20)
p = subprocess.Popen([visor, "-M", "virt", "-nographic", "-bios", "none", "-kernel", target, "-S",
                      "-device", "virtio-rng-device", "-drive",
                      "file=%s,if=none,format=raw,id=vol0,offset=1M,size=1M,link=M" % volume,
                      "-device", "virtio-blk-device,drive=vol0,bus=virtio-mmio-bus.2"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
started.append(p)
p.stdin.write(script)
p.stdin.close()
try:
    out = p.stdout.read().decode(errors="replace")
    status = p.wait(20)
except subprocess.TimeoutExpired:
    p.kill()
    out, status = "", None
words = " ".join("0x%08x" % w for w in first_words_of_text())
check("Ctrl-A c opens the monitor with QEMU's banner and prompt",
      "QEMU 7.2.0 monitor" in out and "(qemu) " in out, out)
check("info status: paused under -S", "VM status: paused" in out, out)
check("info registers: pc at the reset vector, named CSRs and x registers",
      " pc       0000000000001000" in out and " mstatus  " in out and "x10/a0" in out, out)
check("xp /4wx shows the program's first words", ("0000000080000000: " + words) in out,
      (words, out))
check("x /2i disassembles (objdump syntax)",
      re.search(r"0x0000000080000000:  \S+\t", out) is not None, out)
check("info mtree lists the address map", "0000000010000000-00000000100000ff (prio 0, i/o): serial"
      in out and "0000000080000000-0000000087ffffff (prio 0, ram): memory" in out, out)
check("info qtree lists devices with their MMIO and IRQ", "mmio 0000000010000000/" in out and
      "irq = 10" in out, out)
check("info virtio shows the transports and the rng device",
      re.search(r"virtio-mmio@10008000 \(irq 8\): device 4 \(rng\)", out) is not None and
      "device 0 (empty)" in out, out)
check("info block shows the minidisk's extent and the link granted",
      re.search(r"virtio-mmio-bus\.2: vol0: '[^']*vol\.img' offset=1048576 size=1048576, "
                r"1048576 bytes, link M granted, read-write", out) is not None, out)
check("info cpus", "* CPU #0: pc=0x0000000000001000 M-mode" in out, out)
check("help lists the commands", "system_reset" in out and "xp /fmt addr" in out, out)
check("an unknown command is reported", "unknown command: 'nonsense'" in out, out)
check("cont runs the guest to its end", "gdb-target: done" in out and status == 0,
      "status %s" % status)


# ---- socket ----
class Mon:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(path)
        self.banner = self._until_prompt()

    def _until_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            d = self.s.recv(65536)
            if not d:
                break
            buf += d
        return buf.decode(errors="replace")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        return self._until_prompt()

    def close(self):
        self.s.close()


def wait_path(path, timeout=10):
    end = time.time() + timeout
    while time.time() < end and not os.path.exists(path):
        time.sleep(0.05)


msock = os.path.join(work, "m.sock")
con = open(os.path.join(work, "socket.console"), "wb")
p = subprocess.Popen([visor, "-M", "virt", "-nographic", "-bios", "none", "-kernel", spin,
                      "-monitor", "unix:%s,server,nowait" % msock],
                     stdin=subprocess.DEVNULL, stdout=con, stderr=subprocess.STDOUT)
started.append(p)
wait_path(msock)
m = Mon(msock)
check("a -monitor socket greets with the banner", "QEMU 7.2.0 monitor" in m.banner, m.banner)
check("info status: running", "VM status: running" in m.cmd("info status"))


def ticks():
    out = m.cmd("xp /1gx 0x%x" % syms["ticks"])
    g = re.search(r": 0x([0-9a-f]{16})", out)
    return int(g.group(1), 16) if g else None


t0 = ticks()
time.sleep(0.2)
t1 = ticks()
check("the guest counts while running", t0 is not None and t1 is not None and t1 > t0, (t0, t1))
out = m.cmd("stop")
check("stop answers nothing but the prompt", out.strip() == "(qemu)", out)
check("info status: paused after stop", "VM status: paused" in m.cmd("info status"))
t2 = ticks()
time.sleep(0.3)
t3 = ticks()
check("stop freezes the guest", t2 == t3, (t2, t3))
regs = m.cmd("info registers")
pc = re.search(r" pc       ([0-9a-f]{16})", regs)
check("info registers of the stopped guest: pc inside the program",
      pc is not None and 0x80000000 <= int(pc.group(1), 16) < 0x80001000, regs)
check("x /3i $pc disassembles at the stopped pc",
      re.search(r"0x%s:  \S+" % (pc.group(1) if pc else "x"), m.cmd("x /3i $pc")) is not None)
check("x reports memory it cannot reach", "Cannot access memory" in m.cmd("x /1wx 0x40000000"))
check("x with a bad format is refused", "invalid char in format" in m.cmd("x /4q 0x80000000"))
check("cont resumes", "VM status: running" in (m.cmd("cont") + m.cmd("info status")))
time.sleep(0.2)
t4 = ticks()
check("after cont the guest counts again", t4 is not None and t3 is not None and t4 > t3, (t3, t4))
m.s.sendall(bytes(range(256)) * 8 + b"A" * 5000 + b"\n")  # junk and a line too long
m.s.sendall(b"info status\n")
got = b""
end = time.time() + 10
while b"VM status: running" not in got and time.time() < end:
    got += m.s.recv(65536)
time.sleep(0.2)
m.s.settimeout(0.5)
try:
    while m.s.recv(65536):
        pass
except socket.timeout:
    pass
m.s.settimeout(10)
check("junk and an overlong line do no harm", b"VM status: running" in got, got[-500:])
m.cmd("system_reset")
time.sleep(0.5)
with open(os.path.join(work, "socket.console"), "rb") as f:
    text = f.read().decode(errors="replace")
check("system_reset restarts the guest (it greets twice)", text.count("gdb-target: start") == 2,
      text)
m.close()
m = Mon(msock)
check("a second client after the first left", "VM status: running" in m.cmd("info status"))
m.s.sendall(b"quit\n")
try:
    status = p.wait(10)
except subprocess.TimeoutExpired:
    p.kill()
    status = None
check("quit exits with status 0", status == 0, "status %s" % status)
check("the socket is removed at exit", not os.path.exists(msock))

# ---- wait: no nowait ----
wsock = os.path.join(work, "w.sock")
p = subprocess.Popen([visor, "-M", "virt", "-nographic", "-bios", "none", "-kernel", target,
                      "-monitor", "unix:%s,server" % wsock],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
started.append(p)
wait_path(wsock)
time.sleep(0.5)
early = p.poll()
m = Mon(wsock)
try:
    out, err = p.communicate(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
    out, err = p.communicate()
check("without nowait the machine waits for the monitor's client",
      early is None and b"waiting for a connection" in err and b"gdb-target: done" in out,
      (early, err))
m.close()

# ---- stdio ----
r = subprocess.run([visor, "-M", "virt", "-bios", "none", "-kernel", spin, "-display", "none",
                    "-monitor", "stdio"], input=b"info status\nstop\ninfo status\nquit\n",
                   capture_output=True, timeout=20)
out = r.stdout.decode(errors="replace")
check("-monitor stdio answers on stdout and quits", r.returncode == 0 and
      "VM status: running" in out and "VM status: paused" in out, out + r.stderr.decode())
r = subprocess.run([visor, "-M", "virt", "-bios", "none", "-nographic", "-monitor", "stdio"],
                   capture_output=True, timeout=20)
check("-monitor stdio beside -nographic is refused by name",
      r.returncode == 1 and b"-monitor stdio" in r.stderr, r.stderr)

# ---- none ----
r = subprocess.run([visor, "-M", "virt", "-nographic", "-bios", "none", "-kernel", spin,
                    "-monitor", "none"], input=b"\x01c\x01x", capture_output=True, timeout=20)
check("-monitor none: Ctrl-A c has no monitor to show", b"no monitor" in r.stdout and
      r.returncode == 0, r.stdout)

if failed:
    print("logs kept in", work)
else:
    shutil.rmtree(work, ignore_errors=True)
print("monitor: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
