#!/usr/bin/env python3
"""TCP throughput guest <- host through user-mode NAT: the Debian guest downloads a large file
from an HTTP server on the host (busybox wget to /dev/null, timed inside the guest) over
virtio-net and -netdev user, under visor and qemu-system-riscv64 with the same kernel,
initramfs and flags, in one run. Reports MB/s for each and the ratio. Not a test: no
thresholds. SIZE_MB sets the file size (default 64)."""
import http.server
import os
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests/lib"))
from guestdrive import Guest  # noqa: E402

visor = os.environ.get("VISOR", os.path.join(ROOT, "build/release/visor"))
size_mb = int(os.environ.get("SIZE_MB", "64"))
r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                   text=True, check=True)
paths = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
flags = ["-M", "virt", "-m", "512M", "-nographic", "-kernel", paths["KERNEL"],
         "-initrd", paths["INITRD"], "-append", "console=ttyS0",
         "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
firmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

www = tempfile.mkdtemp(prefix="visor-netbench-")
with open(os.path.join(www, "big.bin"), "wb") as f:
    f.write(os.urandom(size_mb << 20))


class Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=www, **kw)

    def log_message(self, *a):
        pass


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
port = httpd.server_address[1]
threading.Thread(target=httpd.serve_forever, daemon=True).start()


def run(argv):
    g = Guest(argv)
    g.expect("visor-guest: ready", 900)
    g.expect(Guest.PROMPT, 60)
    g.run("ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && "
          "ip route add default via 10.0.2.2")
    g.run("wget -q -O /dev/null http://10.0.2.2:%d/big.bin" % port, 600)  # warm up ARP, TCP
    out = g.run("a=$(cat /proc/uptime); wget -q -O /dev/null http://10.0.2.2:%d/big.bin; "
                "b=$(cat /proc/uptime); echo T ${a%% *} ${b%% *}" % port, 1200)
    line = [l for l in out.splitlines() if l.startswith("T ")][-1].split()
    secs = float(line[2]) - float(line[1])
    g.send("poweroff\n")
    g.wait_exit(120)
    return size_mb / secs


results = {}
for name, argv in (("visor", [visor, "-bios", "default"] + flags),
                   ("qemu", ["qemu-system-riscv64", "-bios", firmware] + flags)):
    results[name] = run(argv)
    print("%-6s guest <- host TCP through user NAT: %7.2f MB/s (%d MiB, guest clock)"
          % (name, results[name], size_mb))
httpd.shutdown()
print("ratio visor/qemu throughput: %.2f (higher is better)" % (results["visor"] / results["qemu"]))
