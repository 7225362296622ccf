#!/usr/bin/env python3
"""The network on the Debian guest: virtio-net with -netdev user (libslirp) and a filter-dump
capture. eth0 comes up with the MAC asked for, DHCP hands out 10.0.2.15, the gateway answers
ping, the guest fetches pages (a small one and 4 MiB, checksummed) from an HTTP server on the
host through the NAT, the host fetches a page from busybox httpd in the guest through hostfwd,
and tshark reads the pcap and finds that traffic. Also the command-line errors, without a
guest, and the default MAC (through the monitor): stable per -name, distinct without one.
Prints "net: N passed, M failed" (or says why it is skipped)."""
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request

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


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def refused(args, want):
    """visor exits 1 at start-up with a message containing want."""
    r = subprocess.run([visor, "-M", "virt", "-bios", "none", "-display", "none"] + args,
                       capture_output=True, text=True, timeout=30)
    return r.returncode == 1 and want in r.stderr, r.stderr.strip()


# ---- the command line, no guest ----
for args, want, name in [
    (["-netdev", "user"], "needs id=", "-netdev user without id= is refused"),
    (["-netdev", "nosuch,id=n0"], "not a netdev type", "an unknown netdev type is refused"),
    (["-netdev", "user,id=n0,bogus=1"], "bogus", "an unknown -netdev user property is named"),
    (["-netdev", "user,id=n0,hostfwd=tcp:80"], "hostfwd", "a malformed hostfwd is refused"),
    (["-netdev", "user,id=n0", "-netdev", "user,id=n0"], "duplicate id",
     "a duplicate netdev id is refused"),
    (["-device", "virtio-net-device,netdev=nope"], "netdev=nope",
     "netdev= naming no -netdev is refused"),
    (["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0,mac=01:00:00:00:00:01"],
     "mac=", "a multicast mac= is refused"),
    (["-netdev", "user,id=n0", "-object", "filter-dump,id=f,netdev=n1,file=/tmp/x.pcap"],
     "netdev=n1", "filter-dump on an unknown netdev is refused"),
]:
    ok, detail = refused(args, want)
    check(name, ok, detail)

# the same port forwarded twice: the second listener cannot bind
busy = free_port()
ok, detail = refused(["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80,hostfwd=tcp:127.0.0.1:%d-:81"
                      % (busy, busy)], "hostfwd")
check("a hostfwd port already in use is refused", ok, detail)



def nic_mac(extra, dev="virtio-net-device,netdev=n0"):
    """The MAC the NIC reports through the monitor's info virtio."""
    r = subprocess.run([visor, "-M", "virt", "-bios", "none", "-display", "none", "-serial",
                        "none", "-monitor", "stdio", "-netdev", "user,id=n0",
                        "-device", dev] + extra,
                       input="info virtio\nquit\n", capture_output=True, text=True, timeout=30)
    for line in r.stdout.splitlines():
        if line.strip().startswith("mac "):
            return line.split()[1]
    return None


a, b = nic_mac(["-name", "vm1"]), nic_mac(["-name", "vm1"])
c, d = nic_mac(["-name", "vm2"]), nic_mac([])
e = nic_mac([])
check("the default MAC is locally administered 52:54:00:xx:xx:xx",
      a is not None and a.startswith("52:54:00:"), str(a))
check("the default MAC is stable for one -name across restarts", a == b, "%s %s" % (a, b))
check("another -name gets another MAC", a != c, "%s %s" % (a, c))
check("without -name two processes get different MACs", d != e, "%s %s" % (d, e))
m = nic_mac(["-name", "vm1"], "virtio-net-device,netdev=n0,mac=52:54:00:0a:0b:0c")
check("mac= overrides the default", m == "52:54:00:0a:0b:0c", str(m))

# ---- the guest ----
r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                   text=True)
paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
if r.returncode != 0 or "KERNEL" not in paths:
    print("net: %d passed, %d failed (guest skipped: cannot build the Debian guest)"
          % (passed, failed))
    sys.exit(1 if failed else 0)

work = tempfile.mkdtemp(prefix="visor-net-")
www = os.path.join(work, "www")
os.mkdir(www)
with open(os.path.join(www, "page.txt"), "w") as f:
    f.write("hello-from-the-host\n")
big = bytes((i * 131 + (i >> 10)) & 0xff for i in range(4 << 20))
with open(os.path.join(www, "big.bin"), "wb") as f:
    f.write(big)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=www, **kw)

    def log_message(self, *a):
        pass


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
http_port = httpd.server_address[1]
threading.Thread(target=httpd.serve_forever, daemon=True).start()

fwd_port = free_port()
pcap = os.path.join(work, "net.pcap")
mac = "52:54:00:12:34:56"
argv = [visor, "-M", "virt", "-m", "512M", "-nographic", "-kernel", paths["KERNEL"],
        "-initrd", paths["INITRD"], "-append", "console=ttyS0",
        "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % fwd_port,
        "-device", "virtio-net-device,netdev=n0,mac=" + mac,
        "-object", "filter-dump,id=f0,netdev=n0,file=" + pcap]
# busybox udhcpc needs a script to apply the lease
script = ('#!/bin/sh\\ncase $1 in bound|renew) ip addr flush dev $interface; '
          'ip addr add $ip/$mask dev $interface; '
          '[ -n \\"$router\\" ] && ip route add default via $router;; esac\\n')
g = Guest(argv, log=os.path.join(work, "guest.log"))
try:
    g.expect("visor-guest: ready", 600)
    g.expect(Guest.PROMPT, 60)
    check("boots with virtio-net (%.0f s)" % g.elapsed(), True)
    out = g.run("cat /sys/class/net/eth0/address")
    check("eth0 exists with the mac= address", out.strip() == mac, out)
    g.run("printf \"%s\" > /tmp/udhcpc.sh && chmod +x /tmp/udhcpc.sh" % script.replace("$", "\\$"))
    out = g.run("ip link set eth0 up && udhcpc -i eth0 -n -q -t 5 -s /tmp/udhcpc.sh", 120)
    addr = g.run("ip -4 addr show dev eth0")
    check("udhcpc gets 10.0.2.15 from the user network", "10.0.2.15/24" in addr, out + addr)
    if "10.0.2.15/24" not in addr:  # carry on with a static address
        g.run("ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2")
    # Linux updates operstate from delayed work (linkwatch, up to a second late).
    out = g.run("sleep 2; cat /sys/class/net/eth0/operstate", 60)
    check("the link is up", out.strip() == "up", out)
    out = g.run("ping -c 2 -W 5 10.0.2.2", 60)
    check("the gateway 10.0.2.2 answers ping", " 0% packet loss" in out, out)
    out = g.run("wget -q -O - http://10.0.2.2:%d/page.txt" % http_port, 60)
    check("the guest fetches a page from the host through the NAT",
          "hello-from-the-host" in out, out)
    out = g.run("wget -q -O /tmp/big.bin http://10.0.2.2:%d/big.bin && md5sum /tmp/big.bin"
                % http_port, 300)
    want = hashlib.md5(big).hexdigest()
    check("a 4 MiB download arrives intact", want in out, out)
    g.run("mkdir -p /www && echo hello-from-the-guest > /www/index.html && httpd -p 80 -h /www")
    try:
        body = urllib.request.urlopen("http://127.0.0.1:%d/index.html" % fwd_port,
                                      timeout=60).read().decode()
    except Exception as e:  # noqa: BLE001
        body = repr(e)
    check("the host fetches a page from the guest's httpd through hostfwd",
          "hello-from-the-guest" in body, body)
    g.send("poweroff\n")
    status = g.wait_exit(120)
    check("poweroff ends visor with status 0", status == 0, "status %s" % status)
except GuestTimeout as e:
    check("guest session", False, str(e))
    g.kill()
httpd.shutdown()

# ---- the capture ----
if not shutil.which("tshark"):
    check("tshark is installed (scripts/deps.sh)", False)
else:
    r = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "eth.src", "-e", "ip.src",
                        "-e", "ip.dst", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"],
                       capture_output=True, text=True, timeout=120)
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    check("tshark reads the filter-dump pcap", r.returncode == 0 and len(rows) > 10,
          r.stderr.strip()[-300:])
    text = r.stdout
    check("the capture shows the DHCP exchange", "DHCP" in text and "ACK" in text)
    check("the capture shows the ping and its reply",
          "Echo (ping) request" in text and "Echo (ping) reply" in text)
    check("the capture shows the HTTP request to the host", "GET /page.txt" in text)
    check("the capture shows the HTTP request through hostfwd", "GET /index.html" in text)
    check("the guest's frames carry its MAC", any(row[0] == mac for row in rows))

if failed:
    print("logs kept in", work)
else:
    shutil.rmtree(work, ignore_errors=True)
print("net: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
