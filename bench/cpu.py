#!/usr/bin/env python3
"""CPU-bound guest work, four ways: visor's translator (-accel jit), visor's interpreter
(-accel interp), qemu-system-riscv64 (TCG) and the host itself. The guest is Debian's riscv64
kernel with the bench initramfs (guest/bench/build.sh); in it run three programs built here
(guest/bench/int.c, mem.c, fp.c, each timing its own fixed work) and Debian's riscv64 7-Zip
benchmark (7zz b, whose rating is a speed). The host runs the same C compiled for x86-64 and
Debian's amd64 7zz of the same version. Also: boot time to the shell prompt, and how -smp 2
scales two copies of the integer program. Prints tables of ratios. Not a test: no thresholds.

Two bases for the ratios: the guest's clock (wall time, what a user sees), and per CPU second
the emulator process got (the wall figure divided by its share of the CPU during the command,
which undoes a loaded host's time slicing; equal to the first on an idle host). The -smp 2
scaling, 2 x (int's time at -smp 1) / (the slower of two copies run at once at -smp 2), is by
the clock only, as it measures running in parallel.

The boot ratio in the summary is bench/boot.py's (the default initramfs, as in its own table);
the boot times printed per emulator are of the bench initramfs, which is larger.

Environment: VISOR (binary), CONFIGS (subset of "jit,interp,qemu"), INTERP_7ZZ=0 (skip 7-Zip
under the interpreter, about 3 minutes), SMP=0 (skip the -smp 2 scaling runs), BOOT=0 (skip
bench/boot.py), LOG_DIR (keep each guest's console log there)."""
import collections
import datetime
import math
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from cpuguest import BenchGuest, BenchError, parse_7zip, parse_reports  # noqa: E402

PROGRAMS = ["int", "mem", "fp"]
WORKLOADS = PROGRAMS + ["7zz"]
ENGINES = ["jit", "interp", "qemu", "native"]
RATIOS = [("jit", "qemu"), ("jit", "native"), ("interp", "native"), ("qemu", "native")]
# One pass over a 256 KiB dictionary on one thread: the smallest 7-Zip benchmark. It calibrates
# its work to the CPU speed it measures first; it takes a few seconds natively, about half a
# minute under QEMU and three minutes under the interpreter.
SEVENZIP_ARGS = "b 1 -mmt1 -md18"
FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
NATIVE_REPEAT = 3

visor = os.environ.get("VISOR", os.path.join(ROOT, "build/release/visor"))
configs = os.environ.get("CONFIGS", "jit,interp,qemu").split(",")
log_dir = os.environ.get("LOG_DIR")
# The host's one-minute load average, sampled after each run: this benchmark alone keeps it
# near 1 (2 with QEMU at -smp 2); more means something else shared the two cores.
load_samples = []

# One measurement: value is seconds for the programs and the rating for 7zz; share is the CPU
# time the process got over the wall time it ran; checksum is None for 7zz (it checks itself).
Result = collections.namedtuple("Result", "value share checksum")


def speed(r, per_cpu):
    """Work per second: 1/seconds for the programs, the rating for 7zz."""
    if r is None:
        return None
    s = r.value if r.checksum is None else 1.0 / r.value
    return s / r.share if per_cpu else s


def show(name, r):
    what = "rating %d" % r.value if r.checksum is None else "%7.3f s" % r.value
    print("  %-4s %-14s CPU share %.2f%s" % (name, what, r.share,
                                            "  checksum " + r.checksum if r.checksum else ""),
          flush=True)


def build_guest():
    r = subprocess.run(["bash", os.path.join(ROOT, "guest/bench/build.sh"),
                        os.path.join(ROOT, "build/bench/rv64")],
                       stdout=subprocess.PIPE, text=True, check=True)
    return dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)


def emulator_argv(config, smp, paths):
    # The same board, memory, harts, CPU model, kernel, initramfs and command line for all.
    flags = ["-M", "virt", "-cpu", "rv64", "-m", "512M", "-smp", str(smp), "-nographic",
             "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append", "console=ttyS0"]
    if config == "qemu":
        return ["qemu-system-riscv64", "-bios", FIRMWARE] + flags
    return [visor, "-accel", config, "-bios", "default"] + flags


def session(config, smp, paths, work):
    """Boots one guest, calls work(guest), powers it off; returns work's result and boot time."""
    log = os.path.join(log_dir, "%s-smp%d.log" % (config, smp)) if log_dir else None
    print("%s, -smp %d: booting" % (config, smp), flush=True)
    g = BenchGuest(emulator_argv(config, smp, paths), log=log)
    try:
        result = work(g)
        load_samples.append(os.getloadavg()[0])
        g.poweroff()
    finally:
        g.kill()
    return result, g.boot_wall


def guest_runs(config, g):
    out = {}
    for name in PROGRAMS:
        [(checksum, secs)], share = g.program(name)
        out[name] = Result(secs, share, checksum)
        show(name, out[name])
    if config == "interp" and os.environ.get("INTERP_7ZZ") == "0":
        print("  7zz  skipped (INTERP_7ZZ=0)", flush=True)
    else:
        out["7zz"] = Result(*g.sevenzip(SEVENZIP_ARGS), None)
        show("7zz", out["7zz"])
    return out


def guest_scaling(g):
    """(one copy's seconds, the slower of two concurrent copies' seconds), in this guest"""
    [(_, one)], _ = g.program("int")
    reps, _ = g.program("int", copies=2)
    two = max(s for _, s in reps)
    print("  int: one copy %.3f s, two at once %.3f s" % (one, two), flush=True)
    return one, two


def native(argv):
    """Runs a host program: (stdout, wall seconds, CPU share)."""
    t0 = time.time()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.time() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise BenchError("%s exited with status %d" % (argv[0], p.returncode))
    return out, wall, (ru.ru_utime + ru.ru_stime) / wall


def native_program(name):
    """Best of NATIVE_REPEAT runs."""
    best = None
    for _ in range(NATIVE_REPEAT):
        out, _, share = native([os.path.join(ROOT, "build/bench/native", name)])
        [(_, checksum, secs)] = parse_reports(out)
        if best is None or secs < best.value:
            best = Result(secs, share, checksum)
    return best


def native_runs(paths):
    out = {}
    for name in PROGRAMS:
        out[name] = native_program(name)
        show(name, out[name])
    text, _, share = native([paths["SEVENZIP_NATIVE"]] + SEVENZIP_ARGS.split())
    out["7zz"] = Result(parse_7zip(text), share, None)
    show("7zz", out["7zz"])
    return out


def native_scaling(one):
    best = None
    for _ in range(NATIVE_REPEAT):
        procs = [subprocess.Popen([os.path.join(ROOT, "build/bench/native/int")],
                                  stdout=subprocess.PIPE, text=True) for _ in range(2)]
        two = max(parse_reports(p.communicate()[0])[0][2] for p in procs)
        best = two if best is None else min(best, two)
    print("  int: one copy %.3f s, two at once %.3f s" % (one, best), flush=True)
    return one, best


def boot_py():
    """bench/boot.py's visor and QEMU wall times to the prompt (visor with its default engine)."""
    r = subprocess.run([sys.executable, os.path.join(HERE, "boot.py")], stdout=subprocess.PIPE,
                       text=True, check=True)
    walls = dict(re.findall(r"^(visor|qemu)\s+wall to shell prompt\s+([0-9.]+)", r.stdout, re.M))
    print(r.stdout, end="", flush=True)
    return float(walls["visor"]), float(walls["qemu"])


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(x, digits=3):
    return "—" if x is None else "%.*f" % (digits, x)


def geomean(xs):
    xs = [x for x in xs if x is not None]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def ratio_table(cpu, per_cpu):
    """{workload: [ratio per RATIOS]} plus "geomean"."""
    t = {w: [ratio(speed(cpu.get(a, {}).get(w), per_cpu), speed(cpu.get(b, {}).get(w), per_cpu))
             for a, b in RATIOS] for w in WORKLOADS}
    t["geomean"] = [geomean([t[w][i] for w in WORKLOADS]) for i in range(len(RATIOS))]
    return t


def report(cpu, scale, boot, boot_default, started):
    values = {w: ["—" if cpu.get(e, {}).get(w) is None else
                  ("%d" % cpu[e][w].value if w == "7zz" else "%.3f s" % cpu[e][w].value)
                  for e in ENGINES] for w in WORKLOADS}
    shares = {w: ["—" if cpu.get(e, {}).get(w) is None else "%.2f" % cpu[e][w].share
                  for e in ENGINES] for w in WORKLOADS}
    wall, per_cpu = ratio_table(cpu, False), ratio_table(cpu, True)
    line = "%-8s %9s %9s %9s %9s   %8s %10s %13s %11s"
    heads = ("", *ENGINES, *("%s/%s" % r for r in RATIOS))
    print("\nCPU-bound guest work (7zz: its rating in MIPS); ratios of speed, higher is better")
    for title, table in (("by the guest's clock:", wall),
                         ("per CPU second the process got (CPU shares below):", per_cpu)):
        print(title)
        print(line % heads)
        for w in WORKLOADS:
            print(line % (w, *(values[w] if table is wall else shares[w]),
                          *(fmt(x) for x in table[w])))
        print(line % ("geomean", "", "", "", "", *(fmt(x) for x in table["geomean"])))

    # Scaling: what a second hart adds, 2 x (one copy's time at -smp 1) / (the slower of two
    # copies run at once at -smp 2); 2.0 is perfect. The same with the one copy timed in the
    # -smp 2 guest shows what an idle second hart costs the first.
    def scaling(c, same_guest=False):
        if c not in scale:
            return None
        return 2 * (scale[c][0] if same_guest else cpu[c]["int"].value) / scale[c][1]
    scalings = [fmt(scaling(c), 2) for c in ("jit", "qemu", "native")]
    boot_ratio = fmt(ratio(*boot_default), 2) if boot_default else "—"
    load = "%.1f" % max(load_samples or [0.0])
    print("-smp 2 scaling of int, 2 x one copy's time at -smp 1 / the slower of two concurrent "
          "copies at -smp 2 (2.0 is perfect): jit %s, qemu %s, native %s" % tuple(scalings))
    print("  the same with the one copy timed at -smp 2: jit %s, qemu %s"
          % (fmt(scaling("jit", True), 2), fmt(scaling("qemu", True), 2)))
    print("boot to shell prompt, bench initramfs: jit %s s, interp %s s, qemu %s s; "
          "default initramfs (bench/boot.py): visor/qemu wall %s"
          % (fmt(boot.get("jit"), 2), fmt(boot.get("interp"), 2), fmt(boot.get("qemu"), 2),
             boot_ratio))
    print("host load average, highest sample: %s (this run alone: about 1; 2 cores); %.0f s"
          % (load, time.time() - started))

    # Each ratio cell: by the guest's clock, then per CPU second in parentheses.
    def cells(w):
        return " | ".join("%s (%s)" % (fmt(a), fmt(b)) for a, b in zip(wall[w], per_cpu[w]))
    today = datetime.date.today().isoformat()
    print("\nmarkdown rows for docs/benchmarks.md (summary, then one per workload):")
    # the newest commit of visor's own code, which names the version measured
    commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--", "src"],
                            stdout=subprocess.PIPE, text=True).stdout.strip() or "?"
    print("| %s | %s | %s | %s | %s | %s |" % (today, commit, load, cells("geomean"),
                                             " | ".join(scalings), boot_ratio))
    for w in WORKLOADS:
        print("| %s | %s | %s | %s | %s |" % (today, commit, w, " | ".join(values[w]), cells(w)))


def main():
    subprocess.run(["make", "-s", "-C", ROOT, "all", "bench-programs"], check=True)
    paths = build_guest()
    started = time.time()
    cpu, boot, scale = {}, {}, {}
    print("native (host, gcc -O2 / Debian amd64 7zz)", flush=True)
    cpu["native"] = native_runs(paths)
    if os.environ.get("SMP") != "0":
        scale["native"] = native_scaling(cpu["native"]["int"].value)
    for config in configs:
        cpu[config], boot[config] = session(config, 1, paths, lambda g, c=config: guest_runs(c, g))
        print("  boot to prompt %.2f s" % boot[config], flush=True)
    if os.environ.get("SMP") != "0":
        for config in [c for c in configs if c != "interp"]:
            scale[config], _ = session(config, 2, paths, guest_scaling)
    boot_default = None
    if os.environ.get("BOOT") != "0":
        print("bench/boot.py (default initramfs, -smp 1)", flush=True)
        boot_default = boot_py()

    report(cpu, scale, boot, boot_default, started)
    bad = ["%s %s: checksum %s, native %s" % (c, w, cpu[c][w].checksum, cpu["native"][w].checksum)
           for c in configs for w in PROGRAMS if cpu[c][w].checksum != cpu["native"][w].checksum]
    if bad:
        print("\nbench: CHECKSUMS DIFFER (a wrong result, not a slow one):\n  " + "\n  ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        sys.exit(1)
