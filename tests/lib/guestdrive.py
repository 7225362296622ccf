#!/usr/bin/env python3
"""Drives a guest through its console: start visor (or QEMU) with a command line, wait for
text, type commands, and collect what the guest printed. Used by the guest-level tests.

    g = Guest(["build/release/visor", "-M", "virt", ...])
    g.expect("~ # ", 300)
    out = g.run("uname -m")        # the command's output, without the echo and prompt
    g.send("poweroff\\n"); status = g.wait_exit(60)
"""
import os
import select
import subprocess
import time


class GuestTimeout(Exception):
    pass


class Guest:
    PROMPT = b"~ # "

    def __init__(self, argv, log=None):
        self.argv = argv
        self.buf = b""
        self.log = open(log, "wb") if log else None
        self.start = time.time()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)

    def _read(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            return False
        data = os.read(self.p.stdout.fileno(), 65536)
        if not data:
            return None
        self.buf += data
        if self.log:
            self.log.write(data)
            self.log.flush()
        return True

    def expect(self, pattern, timeout):
        """Waits until pattern (bytes or str) appears after the read position; returns the
        text before it and moves past it."""
        if isinstance(pattern, str):
            pattern = pattern.encode()
        end = time.time() + timeout
        while True:
            i = self.buf.find(pattern)
            if i >= 0:
                before = self.buf[:i]
                self.buf = self.buf[i + len(pattern):]
                return before.decode(errors="replace")
            left = end - time.time()
            if left <= 0:
                raise GuestTimeout("timed out after %ds waiting for %r; last output: %r"
                                   % (timeout, pattern, self.buf[-300:]))
            if self._read(min(left, 0.5)) is None:
                raise GuestTimeout("guest exited (status %s) while waiting for %r; last output: %r"
                                   % (self.p.poll(), pattern, self.buf[-300:]))

    def send(self, text):
        if isinstance(text, str):
            text = text.encode()
        self.p.stdin.write(text)
        self.p.stdin.flush()

    def run(self, command, timeout=60):
        """Types a shell command, waits for the next prompt, returns its output lines."""
        self.send(command + "\n")
        out = self.expect(self.PROMPT, timeout)
        lines = out.replace("\r", "").split("\n")
        # drop the echoed command line (and terminal noise before it)
        for k, line in enumerate(lines):
            if line.endswith(command):
                lines = lines[k + 1:]
                break
        return "\n".join(lines).strip("\n")

    def wait_exit(self, timeout):
        end = time.time() + timeout
        while self.p.poll() is None and time.time() < end:
            self._read(0.2)
        if self.p.poll() is None:
            self.kill()
            raise GuestTimeout("guest did not exit within %ds" % timeout)
        while self._read(0) :
            pass
        return self.p.returncode

    def elapsed(self):
        return time.time() - self.start

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
