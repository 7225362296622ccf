#!/usr/bin/env python3
"""CPU-bound guest work, four ways: visor's translator (-accel jit), visor's interpreter
(-accel interp), qemu-system-riscv64 (TCG) and the host itself. The guest is Debian's riscv64
kernel with the bench initramfs (guest/bench/build.sh); in it run three programs built here
(guest/bench/int.c, mem.c, fp.c, each timing its own fixed work) and Debian's riscv64 7-Zip
benchmark (7zz b, whose rating is a speed). The host runs the same C compiled for x86-64 and
Debian's amd64 7zz of the same version. Also: boot time to the shell prompt, and how -smp 2
scales two copies of the integer program. Prints a table of ratios. Not a test: no thresholds.

The boot ratio in the summary is bench/boot.py's (the default initramfs, as in its own table);
the boot times printed per emulator are of the bench initramfs, which is larger.

Environment: VISOR (binary), CONFIGS (subset of "jit,interp,qemu"), INTERP_7ZZ=0 (skip 7-Zip
under the interpreter, about 3 minutes), SMP=0 (skip the -smp 2 scaling runs), BOOT=0 (skip
bench/boot.py), LOG_DIR (keep each guest's console log there)."""
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
from cpuguest import BenchGuest, BenchError, parse_7zip, parse_reports  # noqa: E402

PROGRAMS = ["int", "mem", "fp"]
# One pass over a 256 KiB dictionary on one thread: the smallest 7-Zip benchmark, since it
# calibrates its work to the CPU speed it measures first, it takes a few seconds natively and
# about half a minute under QEMU, three minutes under the interpreter.
SEVENZIP_ARGS = "b 1 -mmt1 -md18"
FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
NATIVE_REPEAT = 3

visor = os.environ.get("VISOR", os.path.join(ROOT, "build/release/visor"))
configs = os.environ.get("CONFIGS", "jit,interp,qemu").split(",")
log_dir = os.environ.get("LOG_DIR")
# The host's one-minute load average, sampled after each run: this benchmark alone keeps it
# near 1 (2 with QEMU at -smp 2); more means something else shared the two cores.
load_samples = []


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


def single_runs(config, g):
    out = {}
    for name in PROGRAMS:
        [(checksum, secs)] = g.program(name)
        out[name] = (checksum, secs)
        print("  %-4s %8.3f s  checksum %s" % (name, secs, checksum), flush=True)
    if config == "interp" and os.environ.get("INTERP_7ZZ") == "0":
        print("  7zz  skipped (INTERP_7ZZ=0)", flush=True)
    else:
        out["7zz"] = g.sevenzip(SEVENZIP_ARGS)
        print("  7zz  rating %d MIPS" % out["7zz"], flush=True)
    return out


def scaling_runs(g):
    """(one copy's seconds, the slower of two concurrent copies' seconds)"""
    [(_, one)] = g.program("int")
    two = max(s for _, s in g.program("int", copies=2))
    print("  int: one copy %.3f s, two at once %.3f s" % (one, two), flush=True)
    return one, two


def native_program(name, copies=1):
    """Best of NATIVE_REPEAT: (checksum, seconds of the slowest copy)."""
    best = None
    for _ in range(NATIVE_REPEAT):
        procs = [subprocess.Popen([os.path.join(ROOT, "build/bench/native", name)],
                                  stdout=subprocess.PIPE, text=True) for _ in range(copies)]
        reps = [parse_reports(p.communicate()[0])[0] for p in procs]
        secs = max(r[2] for r in reps)
        if best is None or secs < best[1]:
            best = (reps[0][1], secs)
    return best


def native_runs(paths):
    out = {}
    for name in PROGRAMS:
        out[name] = native_program(name)
        print("  %-4s %8.3f s  checksum %s" % (name, out[name][1], out[name][0]), flush=True)
    r = subprocess.run([paths["SEVENZIP_NATIVE"]] + SEVENZIP_ARGS.split(), stdout=subprocess.PIPE,
                       text=True, check=True)
    out["7zz"] = parse_7zip(r.stdout)
    print("  7zz  rating %d MIPS" % out["7zz"], flush=True)
    one = out["int"][1]
    two = native_program("int", copies=2)[1]
    print("  int: one copy %.3f s, two at once %.3f s" % (one, two), flush=True)
    return out, (one, two)


def boot_py():
    """bench/boot.py's visor and QEMU wall times to the prompt (visor with its default engine)."""
    r = subprocess.run([sys.executable, os.path.join(HERE, "boot.py")], stdout=subprocess.PIPE,
                       text=True, check=True)
    walls = dict(re.findall(r"^(visor|qemu)\s+wall to shell prompt\s+([0-9.]+)", r.stdout, re.M))
    print(r.stdout, end="", flush=True)
    return float(walls["visor"]), float(walls["qemu"])


def speed(results, name):
    """Work per second: 1/seconds for the programs, 7-Zip's rating as it is."""
    v = results.get(name)
    if v is None:
        return None
    return float(v) if name == "7zz" else 1.0 / v[1]


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(x, digits=3):
    return "—" if x is None else "%.*f" % (digits, x)


def geomean(xs):
    xs = [x for x in xs if x is not None]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def main():
    subprocess.run(["make", "-s", "-C", ROOT, "all", "bench-programs"], check=True)
    paths = build_guest()
    started = time.time()
    cpu, boot, scale = {}, {}, {}
    print("native (host, gcc -O2 / Debian amd64 7zz)", flush=True)
    cpu["native"], scale["native"] = native_runs(paths)
    for config in configs:
        cpu[config], boot[config] = session(config, 1, paths, lambda g, c=config: single_runs(c, g))
        print("  boot to prompt %.2f s" % boot[config], flush=True)
    if os.environ.get("SMP") != "0":
        for config in [c for c in configs if c != "interp"]:
            scale[config], _ = session(config, 2, paths, scaling_runs)
    boot_default = None
    if os.environ.get("BOOT") != "0":
        print("bench/boot.py (default initramfs, -smp 1)", flush=True)
        boot_default = boot_py()

    bad = []
    for config in configs:
        for name in PROGRAMS:
            if cpu[config][name][0] != cpu["native"][name][0]:
                bad.append("%s %s: checksum %s, native %s" % (config, name, cpu[config][name][0],
                                                              cpu["native"][name][0]))

    cols = [("jit", "qemu"), ("jit", "native"), ("interp", "native"), ("qemu", "native")]
    rows, ratios = [], {c: [] for c in cols}
    for name in PROGRAMS + ["7zz"]:
        vals = []
        for config in ["jit", "interp", "qemu", "native"]:
            v = cpu.get(config, {}).get(name)
            vals.append("—" if v is None else ("%d" % v if name == "7zz" else "%.3f s" % v[1]))
        rs = []
        for a, b in cols:
            r = ratio(speed(cpu.get(a, {}), name), speed(cpu.get(b, {}), name))
            ratios[(a, b)].append(r)
            rs.append(fmt(r))
        rows.append([name] + vals + rs)
    means = [fmt(geomean(ratios[c])) for c in cols]

    def scaling(c):
        return 2 * scale[c][0] / scale[c][1] if c in scale else None
    scalings = [fmt(scaling(c), 2) for c in ("jit", "qemu", "native")]
    boot_ratio = fmt(ratio(*boot_default), 2) if boot_default else "—"
    load = "%.1f" % max(load_samples or [0.0])

    print("\nCPU-bound guest work (7zz: its rating in MIPS; ratios are of speed, higher is better)")
    line = "%-8s %9s %9s %9s %9s   %8s %10s %13s %11s"
    print(line % ("", "jit", "interp", "qemu", "native", "jit/qemu", "jit/native",
                  "interp/native", "qemu/native"))
    for r in rows:
        print(line % tuple(r))
    print(line % tuple(["geomean", "", "", "", ""] + means))
    print("-smp 2 scaling of int (2 x one copy's time / the slower of two concurrent copies; "
          "2.0 is perfect): jit %s, qemu %s, native %s" % tuple(scalings))
    print("boot to shell prompt, bench initramfs: jit %s s, interp %s s, qemu %s s; "
          "default initramfs (bench/boot.py): visor/qemu wall %s"
          % (fmt(boot.get("jit"), 2), fmt(boot.get("interp"), 2), fmt(boot.get("qemu"), 2),
             boot_ratio))
    print("host load average, highest sample: %s (this run alone: about 1; 2 cores)" % load)

    today = datetime.date.today().isoformat()
    print("\nmarkdown rows for docs/benchmarks.md (summary, then one per workload):")
    print("| %s | load %s | %s | %s | %s | %s | %s | %s | %s | %s |"
          % (today, load, *means, *scalings, boot_ratio))
    for r in rows:
        print("| %s | %s |" % (today, " | ".join(r)))
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
