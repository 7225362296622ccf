#!/usr/bin/env python3
"""Boots the Linux guest that build.sh made under qemu-system-riscv64 and checks it through the
serial console: the ready marker, `uname -m`, the loaded modules, a virtio-blk disk with ext4, a
9p share, virtio-net, virtio-rng, a shell on hvc0, and that `poweroff` ends QEMU with status 0.
It is the reference run for the guest while visor cannot boot Linux itself.

    guest/linux/qemu-check.py [--bios default|FILE] [--timeout SECONDS] [--log FILE]
"""
import argparse
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

READY = "visor-guest: ready"


class Console:
    """The guest's serial console on QEMU's stdio, read without blocking."""

    def __init__(self, cmd, log):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = ""
        self.log = log
        os.set_blocking(self.proc.stdout.fileno(), False)

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.5))
        if not ready:
            return self.proc.poll() is None
        data = self.proc.stdout.read()
        if not data:
            return False
        text = data.decode("utf-8", "replace").replace("\r", "")
        self.log.write(text)
        self.log.flush()
        self.buf += text
        return True

    def expect(self, pattern, timeout):
        """Waits for pattern; returns its match and drops the text up to its end."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            if not self._read(deadline):
                return None

    def run(self, command, timeout=30):
        """Runs a shell command; returns (status, output) or None when it never finished.
        The markers are split by quotes so the echoed command line never matches them."""
        self.proc.stdin.write(f'echo "@@"B; {command}; echo "@@"E $?\n'.encode())
        self.proc.stdin.flush()
        m = self.expect(r"(?s)@@B\n(.*?)@@E (\d+)\n", timeout)
        return (int(m.group(2)), m.group(1)) if m else None

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(deadline)
        return self.proc.poll()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def read_paths(path):
    paths = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            paths[key] = value
    return paths


def main():
    cache = os.environ.get("VISOR_CACHE", os.path.expanduser("~/.cache/visor"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bios", default="default", help="QEMU -bios (default: its bundled OpenSBI)")
    ap.add_argument("--paths", default=os.path.join(cache, "paths"), help="build.sh's paths file")
    ap.add_argument("--timeout", type=float, default=180, help="seconds to wait for the marker")
    ap.add_argument("--log", default=None, help="console log (default: a file in the temp dir)")
    args = ap.parse_args()

    paths = read_paths(args.paths)
    tmp = tempfile.mkdtemp(prefix="visor-qemu-check.")
    share = os.path.join(tmp, "share")
    os.mkdir(share)
    with open(os.path.join(share, "hello.txt"), "w") as f:
        f.write("hello over 9p\n")
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(32 << 20)
    ext4 = shutil.which("mkfs.ext4") or shutil.which("mkfs.ext4", path="/sbin:/usr/sbin")
    if ext4:
        os.mkdir(os.path.join(tmp, "fs"))
        with open(os.path.join(tmp, "fs", "hello.txt"), "w") as f:
            f.write("hello from ext4\n")
        subprocess.run([ext4, "-q", "-F", "-d", os.path.join(tmp, "fs"), disk], check=True)
    hvc = os.path.join(tmp, "hvc0.out")

    cmd = ["qemu-system-riscv64", "-M", "virt", "-m", "512M", "-nographic", "-bios", args.bios,
           "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append", "console=ttyS0",
           "-no-reboot",
           "-drive", f"file={disk},if=none,format=raw,id=d0",
           "-device", "virtio-blk-device,drive=d0",
           "-fsdev", f"local,id=fs0,path={share},security_model=none",
           "-device", "virtio-9p-device,fsdev=fs0,mount_tag=host0",
           "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-device,netdev=n0",
           "-device", "virtio-rng-device",
           "-device", "virtio-serial-device", "-chardev", f"file,id=c1,path={hvc}",
           "-device", "virtconsole,chardev=c1"]
    log_path = args.log or os.path.join(tmp, "console.log")
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)

    with open(log_path, "w") as log:
        print("qemu-check: " + " ".join(cmd), flush=True)
        con = Console(cmd, log)
        try:
            start = time.monotonic()
            ready = con.expect(re.escape(READY), args.timeout)
            boot = time.monotonic() - start
            check("ready marker", ready is not None, f"{boot:.1f} s after QEMU started")
            if ready is None:
                return finish(results, log_path, tmp)
            check("prompt", con.expect(r"~ # ", 30) is not None)

            r = con.run("uname -m; uname -r")
            check("uname -m is riscv64", r is not None and r[1].split("\n")[0] == "riscv64",
                  r[1].replace("\n", " ").strip() if r else "no answer")

            r = con.run("cat /proc/modules")
            loaded = [line.split()[0] for line in r[1].splitlines() if line.strip()] if r else []
            need = ["virtio_mmio", "virtio_blk", "virtio_net", "virtio_rng", "ext4", "jbd2",
                    "9p", "9pnet_virtio"]
            missing = [m for m in need if m not in loaded]
            check("modules loaded", not missing,
                  " ".join(reversed(loaded)) if not missing else "missing " + " ".join(missing))

            r = con.run("test -b /dev/vda && cat /sys/block/vda/size")
            check("/dev/vda on virtio-blk", r is not None and r[0] == 0 and r[1].strip() == "65536",
                  f"{r[1].strip()} sectors" if r else "no answer")
            if ext4:
                r = con.run("mount -t ext4 /dev/vda /mnt && cat /mnt/hello.txt && umount /mnt")
                check("ext4 mount", r is not None and "hello from ext4\n" in r[1])

            r = con.run("mkdir -p /host && mount -t 9p -o trans=virtio host0 /host && "
                        "cat /host/hello.txt && umount /host")
            check("9p mount", r is not None and "hello over 9p" in r[1], r[1].strip() if r else "")

            r = con.run("ip link show eth0")
            check("virtio-net eth0", r is not None and r[0] == 0)

            r = con.run("cat /sys/class/misc/hw_random/rng_current")
            check("virtio-rng", r is not None and "virtio" in r[1], r[1].strip() if r else "")

            r = con.run("cut -d' ' -f7 /proc/$$/stat")
            check("shell has a controlling tty", r is not None and r[1].strip() not in ("", "0"),
                  "tty_nr " + r[1].strip() if r else "no answer")

            con.run("sleep 2")  # a shell that init keeps respawning would print more markers
            with open(hvc, errors="replace") as f:
                n = f.read().count(READY)
            check("one shell on hvc0", n == 1, f"{n} ready markers there")
            r = con.run("ps | grep -c 'root  *[/]bin/sh -l$'")  # not the pipeline's {ps} fork
            check("two login shells", r is not None and r[1].strip() == "2",
                  r[1].strip() if r else "no answer")

            con.send("poweroff")
            t = time.monotonic()
            status = con.wait(60)
            check("poweroff exits QEMU with 0", status == 0,
                  f"status {status}, {time.monotonic() - t:.1f} s after poweroff")
        finally:
            con.kill()
    return finish(results, log_path, tmp)


def finish(results, log_path, tmp):
    """Keeps the temp dir (disk, share, console log) only when something failed."""
    passed = sum(results)
    ok = bool(results) and all(results)
    if ok and not log_path.startswith(tmp + os.sep):
        print(f"console log: {log_path}")
    if ok:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"console log: {log_path} (kept, with the disk and share, in {tmp})")
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
