#!/usr/bin/env python3
"""Guest-level tests of `visor switch` and the stream/socket/tap netdevs, with Debian guests.

QEMU guests on a visor switch (QEMU joins with its own -netdev stream, unchanged): ping both
ways, a file through busybox nc arrives byte-identical while a third machine is stopped and
receives none of that unicast traffic (the switch's per-port counters say so); a peer that
sends garbage or dies mid-frame does not hurt the switch; a VM that leaves is forgotten.
Then visor guests, if visor has virtio-net: two visor guests and a QEMU guest on one switch
(ping, nc, counters), a visor guest and a QEMU guest point to point (visor's -netdev stream
server against QEMU's -netdev socket,connect=), and a visor guest on a TAP device inside a
network namespace. Anything the machine cannot do is reported as skipped, not passed.
Prints "switch: N passed, M failed"."""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guestdrive import Guest, GuestTimeout  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
visor = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                        os.path.join(ROOT, "build/release/visor"))
QEMU = shutil.which("qemu-system-riscv64")
FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
passed = failed = 0
skipped = []


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)
    return cond


def skip(what, why):
    skipped.append(what)
    print("SKIP %s: %s" % (what, why))


def finish():
    if failed:
        print("logs kept in", work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    extra = " (%d skipped: %s)" % (len(skipped), "; ".join(skipped)) if skipped else ""
    print("switch: %d passed, %d failed%s" % (passed, failed, extra))
    sys.exit(1 if failed else 0)


def guest_paths():
    r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    return paths if "KERNEL" in paths and "INITRD" in paths else None


work = tempfile.mkdtemp(prefix="visor-switch-")
SW = os.path.join(work, "sw")


def status():
    r = subprocess.run([visor, "switch", SW, "--status", "--json"], capture_output=True,
                       text=True, timeout=10)
    return json.loads(r.stdout)


def port_of(st, pid):
    for p in st["ports"]:
        if p["pid"] == pid:
            return p
    return None


def wait_for(cond, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def ping(g, ip, timeout=120):
    out = g.run("ping -c 3 -w 30 %s" % ip, timeout=timeout)
    for line in out.splitlines():
        if "packets received" in line:
            return int(line.split(",")[1].split()[0]) >= 2, out
    return False, out


def nc_transfer(src, dst, dst_ip, kib, timeout):
    """A file of kib KiB from src to dst through busybox nc; True if the md5 sums match."""
    dst.run("rm -f /tmp/recv; nc -l -p 5000 > /tmp/recv &")
    src.run("dd if=/dev/urandom of=/tmp/f bs=1024 count=%d 2>/dev/null" % kib, timeout=timeout)
    want = src.run("md5sum < /tmp/f", timeout=timeout).split()[0]
    src.run("nc %s 5000 < /tmp/f" % dst_ip, timeout=timeout)
    dst.run("wait", timeout=timeout)
    got = dst.run("md5sum < /tmp/recv", timeout=timeout).split()[0]
    size = dst.run("wc -c < /tmp/recv").strip()
    return want == got and size == str(kib * 1024), "%s %s size %s" % (want, got, size)


def qemu_argv(paths, mac, *net):
    return [QEMU, "-M", "virt", "-m", "256M", "-nographic", "-bios", FW,
            "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append", "console=ttyS0",
            *net, "-device", "virtio-net-device,netdev=n0,mac=%s" % mac]


def stream_client(path):
    return ["-netdev", "stream,id=n0,server=off,addr.type=unix,addr.path=%s" % path]


def boot(guests, timeout):
    """Waits for every guest's shell; returns False (with a FAIL) if one does not come up."""
    ok = True
    for name, g in guests:
        try:
            g.expect("visor-guest: ready", timeout)
            g.expect(Guest.PROMPT, 60)
        except GuestTimeout as e:
            ok = check("%s boots" % name, False, str(e))
    return ok


def configure(g, mac, ip):
    """Gives the NIC with this MAC the address (interface names follow probe order)."""
    dev = "$(ip -o link | grep -i %s | cut -d: -f2 | tr -d ' ')" % mac
    return "ok" in g.run("d=%s; ip addr add %s/24 dev $d && ip link set $d up && echo ok"
                         % (dev, ip), timeout=60)


def stop_all(guests):
    for _, g in guests:
        try:
            g.p.send_signal(signal.SIGCONT)
        except OSError:
            pass
        g.kill()


# ---- the switch process ----
switch = subprocess.Popen([visor, "switch", SW], stdout=subprocess.DEVNULL,
                          stderr=open(os.path.join(work, "switch.log"), "wb"))
if not check("visor switch listens on its socket and PATH.ctl",
             wait_for(lambda: os.path.exists(SW) and os.path.exists(SW + ".ctl"), 10)):
    switch.kill()
    finish()
r = subprocess.run([visor, "switch", SW, "--status"], capture_output=True, text=True)
check("--status: a new switch has no ports", r.returncode == 0 and "0 ports" in r.stdout, r.stdout)
st = status()
check("--status --json parses", st["ports"] == [] and st["ports_left"] == 0, st)
r = subprocess.run([visor, "switch", os.path.join(work, "nobody"), "--status"],
                   capture_output=True, text=True)
check("--status without a switch fails and says so",
      r.returncode == 1 and "no switch" in r.stderr, r.stderr)

r = subprocess.run([visor, "switch", SW], capture_output=True, text=True, timeout=10)
check("a second switch on a live switch's path is refused",
      r.returncode == 1 and "already running" in r.stderr, r.stderr)

paths = guest_paths()
if not paths:
    skip("guests", "cannot build the Debian guest (guest/linux/build.sh)")
    switch.send_signal(signal.SIGTERM)
    switch.wait(10)
    finish()

# ---- QEMU guests on the visor switch ----
if not QEMU:
    skip("QEMU guests", "qemu-system-riscv64 is not installed")
else:
    qs = [("qemu-%d" % i, Guest(qemu_argv(paths, "52:54:00:0a:00:0%d" % i, *stream_client(SW)),
                                log=os.path.join(work, "qemu-%d.log" % i))) for i in (1, 2, 3)]
    q1, q2, q3 = (g for _, g in qs)
    try:
        if boot(qs, 300):
            for i, (_, g) in enumerate(qs):
                configure(g, "52:54:00:0a:00:0%d" % (i + 1), "10.1.0.%d" % (i + 1))
            st = status()
            check("three QEMU VMs are three ports", len(st["ports"]) == 3, st)
            ok, out = ping(q1, "10.1.0.2")
            check("QEMU 1 pings QEMU 2 through the switch", ok, out)
            ok, out = ping(q2, "10.1.0.1")
            check("QEMU 2 pings QEMU 1 through the switch", ok, out)
            before = port_of(status(), q3.p.pid)
            q3.p.send_signal(signal.SIGSTOP)  # the third machine stops reading altogether
            ok, detail = nc_transfer(q1, q2, "10.1.0.2", 512, 300)
            check("512 KiB through nc arrive byte-identical while a third VM is stopped", ok,
                  detail)
            after = port_of(status(), q3.p.pid)
            q3.p.send_signal(signal.SIGCONT)
            grew = after["out_bytes"] - before["out_bytes"] if before and after else None
            check("the third VM's port saw none of the unicast transfer (%s bytes out)" % grew,
                  grew is not None and grew < 64 * 1024, (before, after))
            # garbage and a peer killed mid-frame
            left0 = status()["ports_left"]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(SW)
            s.sendall(struct.pack(">I", 0xffffffff) + b"junk")
            t = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            t.connect(SW)
            t.sendall(struct.pack(">I", 0) + struct.pack(">I", 3) + b"abc" +
                      struct.pack(">I", 600) + b"x" * 100)
            time.sleep(0.5)
            t.close()
            s.close()
            time.sleep(0.5)
            st = status()
            check("garbage and a death mid-frame are counted and the peers forgotten",
                  len(st["ports"]) == 3 and st["ports_left"] == left0 + 2 and
                  st["left"]["drop_bad"] >= 3,
                  st)
            ok, out = ping(q1, "10.1.0.2")
            check("the switch still forwards after the garbage", ok, out)
            mac3 = "52:54:00:0a:00:03"
            q3.kill()
            wait_for(lambda: len(status()["ports"]) == 2, 10)
            st = status()
            check("a killed VM's port and MAC are forgotten",
                  len(st["ports"]) == 2 and all(mac3 not in p["macs"] for p in st["ports"]), st)
    except GuestTimeout as e:
        check("QEMU guests on the switch", False, str(e))
    stop_all(qs)

# ---- visor guests ----
r = subprocess.run([visor, "-netdev", "switch,id=n0,path=%s" % SW, "-device",
                    "virtio-net-device,netdev=n0", "-machine",
                    "virt,dumpdtb=%s" % os.path.join(work, "probe.dtb")],
                   capture_output=True, text=True, timeout=30)
if r.returncode != 0:
    skip("visor guests", "visor refuses -netdev switch / -device virtio-net-device: %s"
         % r.stderr.strip())
else:
    vbase = [visor, "-M", "virt", "-m", "256M", "-nographic", "-kernel", paths["KERNEL"],
             "-initrd", paths["INITRD"], "-append", "console=ttyS0"]
    # TAP inside a network namespace the test creates (visor A runs in it)
    ns = "visor-sw-%d" % os.getpid()
    have_ns = subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode == 0
    tap_ok = False
    if not have_ns:
        skip("TAP", "cannot create a network namespace (needs root and ip netns)")
    else:
        probe = subprocess.run(["ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev",
                                "vprobe", "mode", "tap"], capture_output=True, text=True)
        tap_ok = probe.returncode == 0
        if not tap_ok:
            skip("TAP", "the machine refuses TAP devices: %s" % probe.stderr.strip())
        else:
            subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "del", "vprobe"])
    port = 20000 + os.getpid() % 20000
    a_argv = vbase + ["-netdev", "switch,id=n0,path=%s" % SW,
                      "-device", "virtio-net-device,netdev=n0,mac=52:54:00:0b:00:01"]
    qsrv_path = os.path.join(work, "qemu-server")
    qsrv = []
    if QEMU:  # QEMU listens (-netdev stream,server=on), visor A connects to it
        qsrv = [("qemu-server", Guest(qemu_argv(paths, "52:54:00:0b:00:05", "-netdev",
                                                "stream,id=n0,server=on,addr.type=unix,"
                                                "addr.path=%s" % qsrv_path),
                                      log=os.path.join(work, "qemu-server.log")))]
        if wait_for(lambda: os.path.exists(qsrv_path), 10):
            a_argv += ["-netdev", "stream,id=n2,server=off,addr.type=unix,addr.path=%s"
                       % qsrv_path, "-device", "virtio-net-device,netdev=n2,mac=52:54:00:0b:00:21"]
    if tap_ok:
        a_argv = ["ip", "netns", "exec", ns] + a_argv + [
            "-netdev", "tap,id=n1,ifname=vtap0,script=no,downscript=no",
            "-device", "virtio-net-device,netdev=n1,mac=52:54:00:0b:00:11"]
    b_argv = vbase + ["-netdev", "stream,id=n0,server=off,addr.type=unix,addr.path=%s" % SW,
                      "-device", "virtio-net-device,netdev=n0,mac=52:54:00:0b:00:02",
                      "-netdev", "stream,id=n1,server=on,addr.type=inet,addr.host=127.0.0.1,"
                      "addr.port=%d" % port,
                      "-device", "virtio-net-device,netdev=n1,mac=52:54:00:0b:00:12"]
    vs = [("visor-a", Guest(a_argv, log=os.path.join(work, "visor-a.log"))),
          ("visor-b", Guest(b_argv, log=os.path.join(work, "visor-b.log")))]
    va, vb = vs[0][1], vs[1][1]
    qs = []
    if QEMU:
        wait_for(lambda: subprocess.run(["ss", "-ltn", "sport = :%d" % port],
                                        capture_output=True, text=True).stdout.count("\n") > 1,
                 10)
        qs = [("qemu-c", Guest(qemu_argv(paths, "52:54:00:0b:00:03", *stream_client(SW)),
                               log=os.path.join(work, "qemu-c.log"))),
              ("qemu-p2p", Guest(qemu_argv(paths, "52:54:00:0b:00:04", "-netdev",
                                           "socket,id=n0,connect=127.0.0.1:%d" % port),
                                 log=os.path.join(work, "qemu-p2p.log")))]
    try:
        if boot(vs + qs + qsrv, 600):
            check("two visor guests boot on the switch", True)
            configure(va, "52:54:00:0b:00:01", "10.1.0.11")
            configure(vb, "52:54:00:0b:00:02", "10.1.0.12")
            ok, out = ping(va, "10.1.0.12")
            check("visor A pings visor B through the switch", ok, out)
            ok, out = ping(vb, "10.1.0.11")
            check("visor B pings visor A through the switch", ok, out)
            if qs:
                qc, qp = qs[0][1], qs[1][1]
                configure(qc, "52:54:00:0b:00:03", "10.1.0.13")
                before = port_of(status(), qc.p.pid)
            ok, detail = nc_transfer(va, vb, "10.1.0.12", 256, 300)
            check("256 KiB from visor A to visor B through nc arrive byte-identical", ok, detail)
            if qs:
                after = port_of(status(), qc.p.pid)
                grew = after["out_bytes"] - before["out_bytes"] if before and after else None
                check("the QEMU VM on the switch saw none of it (%s bytes out)" % grew,
                      grew is not None and grew < 64 * 1024, (before, after))
                ok, out = ping(qc, "10.1.0.11")
                check("a QEMU guest pings a visor guest on the switch", ok, out)
                ok, out = ping(va, "10.1.0.13")
                check("a visor guest pings a QEMU guest on the switch", ok, out)
                configure(vb, "52:54:00:0b:00:12", "10.3.0.1")
                configure(qp, "52:54:00:0b:00:04", "10.3.0.2")
                ok, out = ping(qp, "10.3.0.1")
                check("QEMU (-netdev socket,connect=) pings visor (-netdev stream,server=on, "
                      "inet) point to point", ok, out)
                ok, out = ping(vb, "10.3.0.2")
                check("visor pings QEMU point to point", ok, out)
                qs_ = qsrv[0][1]
                configure(va, "52:54:00:0b:00:21", "10.4.0.1")
                configure(qs_, "52:54:00:0b:00:05", "10.4.0.2")
                ok, out = ping(va, "10.4.0.2")
                check("visor (-netdev stream client, unix) pings QEMU (-netdev stream,server=on)",
                      ok, out)
            else:
                skip("visor with QEMU", "qemu-system-riscv64 is not installed")
            if tap_ok:
                subprocess.run(["ip", "netns", "exec", ns, "ip", "addr", "add", "10.2.0.1/24",
                                "dev", "vtap0"])
                subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "vtap0", "up"])
                configure(va, "52:54:00:0b:00:11", "10.2.0.2")
                ok, out = ping(va, "10.2.0.1")
                check("the visor guest pings the host's end of its TAP device", ok, out)
                # the host connects to the guest: a TCP line from the namespace, read by nc
                va.run("rm -f /tmp/t; nc -l -p 6000 > /tmp/t &")
                r = subprocess.run(
                    ["ip", "netns", "exec", ns, sys.executable, "-c",
                     "import socket; s = socket.create_connection(('10.2.0.2', 6000), 60); "
                     "s.sendall(b'through the tap\\n'); s.close()"],
                    capture_output=True, text=True, timeout=120)
                va.run("wait", timeout=60)
                got = va.run("cat /tmp/t")
                check("the host reaches the visor guest through TAP (TCP)",
                      r.returncode == 0 and got.strip() == "through the tap", (r.stderr, got))
    except GuestTimeout as e:
        check("visor guests on the switch", False, str(e))
    stop_all(vs + qs + qsrv)
    if have_ns:
        subprocess.run(["ip", "netns", "del", ns])

switch.send_signal(signal.SIGTERM)
try:
    check("the switch exits on SIGTERM and removes its sockets",
          switch.wait(10) == 0 and not os.path.exists(SW) and not os.path.exists(SW + ".ctl"))
except subprocess.TimeoutExpired:
    switch.kill()
    check("the switch exits on SIGTERM", False)
finish()
