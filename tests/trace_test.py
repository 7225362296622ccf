#!/usr/bin/env python3
"""-d tracing, QEMU-style:

  in_asm  every ISA test program (build/isa/*.elf, `make isa-tests`) runs under -d in_asm -D;
          each instruction the trace prints inside the program must carry the bits and text
          that `riscv64-unknown-elf-objdump -d -M no-aliases` prints at that address.
  int     traps with cause, epc, tval and QEMU's names (traps.elf), and the first page faults
          and ecalls of Debian's Linux boot.
  others  exec, cpu, mmu, guest_errors/unimp print their lines; -d help lists the items;
          without -d nothing is logged.

Usage: tests/trace_test.py VISOR [--no-linux]. Prints "trace: N passed, M failed"."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guestdrive import Guest, GuestTimeout  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
visor = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/release/visor")
with_linux = "--no-linux" not in sys.argv
CROSS = os.environ.get("CROSS", "riscv64-unknown-elf-")
passed = failed = 0
work = tempfile.mkdtemp(prefix="visor-trace-")


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, ("\n    " + str(detail)[-2000:].replace("\n", "\n    ")) if detail else "")


def run(args, log, timeout=60):
    """visor -M virt -nographic ARGS -D log; returns (status, console)."""
    try:
        r = subprocess.run([visor, "-M", "virt", "-nographic"] + args + ["-D", log],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return r.returncode, r.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return None, ""


def objdump(elf):
    """{address: (raw, text)} as objdump -d -M no-aliases prints them, normalised as
    tests/disasm.sh does (symbolic targets as 0x..., comments dropped)."""
    noattr = os.path.join(work, "noattr")
    subprocess.run([CROSS + "objcopy", "-R", ".riscv.attributes", elf, noattr], check=True)
    out = subprocess.run([CROSS + "objdump", "-d", "-M", "no-aliases", noattr],
                         capture_output=True, text=True, check=True).stdout
    insns = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 3 or not re.match(r"^ *[0-9a-f]+:$", f[0]):
            continue
        raw = f[1].strip()
        if " " in raw or not f[2] or f[2].startswith("."):
            continue
        text = f[2]
        if len(f) >= 4:
            ops = re.sub(r" # .*$", "", f[3])
            m = re.search(r" <[^>]*>$", ops)
            if m:
                ops = ops[:m.start()]
                ops = re.sub(r"([0-9a-f]+)$", r"0x\1", ops)
            text += "\t" + ops
        insns[int(f[0].strip(" :"), 16)] = (raw, text)
    return insns


def disasm_bits(addr, raw):
    """objdump's text for instruction bits that are not in the ELF (self-modifying code)."""
    blob = os.path.join(work, "insn.bin")
    with open(blob, "wb") as f:
        f.write(int(raw, 16).to_bytes(len(raw) // 2, "little"))
    out = subprocess.run([CROSS + "objdump", "-D", "-b", "binary", "-m", "riscv:rv64",
                          "-M", "no-aliases", "--adjust-vma=0x%x" % addr, blob],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) >= 3 and re.match(r"^ *[0-9a-f]+:$", f[0]):
            text = f[2]
            if len(f) >= 4:
                text += "\t" + re.sub(r" # .*$", "", f[3])
            return text
    return None


def smp_of(elf):
    src = os.path.join(ROOT, "tests/isa", os.path.basename(elf)[:-4] + ".S")
    try:
        m = re.search(r"isa-smp:\s*(\d+)", open(src).read())
        return m.group(1) if m else "1"
    except OSError:
        return "1"


TRACE_LINE = re.compile(r"^0x([0-9a-f]{16}):  ([0-9a-f]{4}|[0-9a-f]{8}) +(.*)$")

if not shutil.which(CROSS + "objdump") or not shutil.which(CROSS + "gcc"):
    print("trace: 0 passed, 0 failed (skipped: %sgcc or objdump missing; make deps installs "
          "them)" % CROSS)
    sys.exit(0)

# ---- in_asm against objdump, every ISA program ----
subprocess.run(["make", "-s", "-C", ROOT, "isa-tests"], capture_output=True)
elfs = sorted(glob.glob(os.path.join(ROOT, "build/isa/*.elf")))
check("ISA test programs exist (make isa-tests)", len(elfs) > 0)
total = 0
for elf in elfs:
    name = os.path.basename(elf)
    log = os.path.join(work, name + ".log")
    status, _ = run(["-bios", "none", "-m", "128M", "-smp", smp_of(elf), "-kernel", elf,
                     "-d", "in_asm"], log)
    want = objdump(elf)
    seen = bad = 0
    first_bad = ""
    for line in open(log, errors="replace"):
        m = TRACE_LINE.match(line.rstrip("\n"))
        if not m:
            continue
        addr = int(m.group(1), 16)
        if addr not in want:
            continue  # the reset ROM, or code outside the program
        seen += 1
        expect = want[addr]
        if m.group(2) != expect[0]:
            expect = (m.group(2), disasm_bits(addr, m.group(2)))  # code written at run time
        if (m.group(2), m.group(3)) != expect:
            bad += 1
            if not first_bad:
                first_bad = "0x%x: trace %r, objdump %r" % (addr, (m.group(2), m.group(3)),
                                                            want[addr])
    total += seen
    check("in_asm: %s: %d instructions as objdump prints them" % (name, seen),
          status is not None and seen > 0 and bad == 0,
          "status %s, %d differ; first: %s" % (status, bad, first_bad))
print("in_asm: %d traced instructions compared in %d programs" % (total, len(elfs)))

# ---- int on a bare-metal program ----
traps = os.path.join(ROOT, "build/isa/traps.elf")
if os.path.exists(traps):
    log = os.path.join(work, "int.log")
    run(["-bios", "none", "-kernel", traps, "-d", "int"], log)
    text = open(log, errors="replace").read()
    check("int: traps.elf logs its traps with cause, epc, tval and name",
          re.search(r"riscv_cpu_do_interrupt: hart:0, async:0, cause:0000000000000002, "
                    r"epc:0x[0-9a-f]{16}, tval:0x[0-9a-f]{16}, desc=illegal_instruction", text)
          and "desc=breakpoint" in text and "desc=machine_ecall" in text, text[:2000])
    check("int: nothing but trap lines", all(l.startswith("riscv_cpu_do_interrupt: ")
                                              for l in text.splitlines()), text[:500])

# ---- exec, cpu, mmu, guest_errors/unimp ----
rv64i = os.path.join(ROOT, "build/isa/rv64i.elf")
log = os.path.join(work, "exec.log")
run(["-bios", "none", "-kernel", rv64i, "-d", "exec,cpu"], log)
text = open(log, errors="replace").read()
check("exec: a line per block executed", re.search(r"^Trace 0: 0x0000000000001000 \[priv M\]$",
                                                     text, re.M), text[:500])
check("cpu: the hart state before each block", text.count(" pc       ") > 10 and
      "x10/a0" in text and " mstatus  " in text, text[:500])
sv39 = os.path.join(ROOT, "build/isa/sv39.elf")
log = os.path.join(work, "mmu.log")
run(["-bios", "none", "-kernel", sv39, "-d", "mmu"], log)
text = open(log, errors="replace").read()
check("mmu: page-table walks with their result", re.search(
    r"^mmu: hart:0 sv39 (fetch|load|store) va:0x[0-9a-f]{16} -> pa:0x[0-9a-f]{16}", text, re.M)
    and "-> fault" in text, text[:500])
found = None
for elf in elfs:
    log = os.path.join(work, "ge.log")
    run(["-bios", "none", "-m", "128M", "-smp", smp_of(elf), "-kernel", elf,
         "-d", "guest_errors,unimp"], log)
    text = open(log, errors="replace").read()
    if "Invalid " in text:
        found = (os.path.basename(elf), text)
        break
check("guest_errors/unimp: an access where no device is gets logged (%s)" %
      (found[0] if found else "none found"),
      found and re.search(r"^Invalid (read|write) at addr 0x[0-9A-F]+, size \d", found[1], re.M)
      and "unimplemented device" in found[1], found)
log = os.path.join(work, "quiet.log")
status, con = run(["-bios", "none", "-kernel", traps], log)
check("without -d the log stays empty (and the program runs as usual)",
      os.path.getsize(log) == 0 and status == 0, "status %s" % status)
r = subprocess.run([visor, "-d", "help"], capture_output=True, text=True)
check("-d help lists the items", r.returncode == 0 and all(
    w in r.stdout for w in ("in_asm", "exec", "cpu", "int", "mmu", "guest_errors", "unimp")),
    r.stdout)
r = subprocess.run([visor, "-bios", "none", "-d", "in_asm,bogus"], capture_output=True, text=True)
check("-d with an unknown item is refused by name", r.returncode == 1 and "bogus" in r.stderr,
      r.stderr)


# ---- int on Linux: the first page faults and ecalls ----
def linux():
    r = subprocess.run(["bash", os.path.join(ROOT, "guest/linux/build.sh")], capture_output=True,
                       text=True)
    paths = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
    if r.returncode or "KERNEL" not in paths:
        print("trace: linux part skipped: cannot build the Debian guest (guest/linux/build.sh)")
        return
    log = os.path.join(work, "linux-int.log")
    g = Guest([visor, "-M", "virt", "-m", "512M", "-nographic", "-kernel", paths["KERNEL"],
               "-initrd", paths["INITRD"], "-append", "console=ttyS0", "-d", "int", "-D", log],
              log=os.path.join(work, "linux.console"))
    try:
        g.expect("visor-guest: ready", 600)
        g.expect(Guest.PROMPT, 60)
        g.send("poweroff\n")
        g.wait_exit(60)
    except GuestTimeout as e:
        check("linux: boots to the shell under -d int", False, str(e))
        g.kill()
        return
    text = open(log, errors="replace").read()
    check("linux -d int: SBI calls (supervisor_ecall) from the kernel",
          "desc=supervisor_ecall" in text, text[:1000])
    check("linux -d int: system calls (user_ecall) from user space", "desc=user_ecall" in text)
    faults = re.findall(r"desc=(load|store|exec)_page_fault", text)
    check("linux -d int: the first page faults (%d)" % len(faults), len(faults) > 0)
    check("linux -d int: timer interrupts (async:1)", "async:1" in text and "desc=s_timer" in text)


if with_linux:
    linux()

if failed:
    print("logs kept in", work)
else:
    shutil.rmtree(work, ignore_errors=True)
print("trace: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
