#!/usr/bin/env python3
"""CPU use of a running convt-lab window, per group of threads, read from /proc.

Starts convt-lab with the given arguments (in a fresh temporary working directory, so a training
run writes nothing here), waits --warmup seconds, then reads every thread's user + system time
(/proc/PID/task/TID/stat, fields 14 and 15) at the start and the end of --seconds seconds, and
prints each group's share of one core:

  ui        the main thread ("convt-lab": events, ImGui, GL calls) and Mesa's llvmpipe-N threads
            (the software rasteriser: the frames' drawing, on machines without a GPU)
  training  the training worker ("convt-train") and the fast backend's pool ("convt-pool")
  other     every other thread (OpenBLAS's, GLFW's, ...)

Then it stops the app (SIGTERM). Needs a display: run it under
  xvfb-run -a -s '-screen 0 1280x800x24' scripts/measure_ui_cpu.py --seconds 20 -- --panel lessons

Standard library only. Linux only (reads /proc).
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_EXE = os.path.join(HERE, "..", "build", "app", "convt-lab")


def thread_times(pid):
    """{tid: (name, cpu_seconds)} for every thread of pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    task_dir = f"/proc/{pid}/task"
    for tid in os.listdir(task_dir):
        try:
            with open(f"{task_dir}/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of stat(5)
        out[tid] = (name, (utime + stime) / ticks)
    return out


def group(name):
    if name == "convt-lab" or name.startswith("llvmpipe"):
        return "ui"
    if name in ("convt-train", "convt-pool"):
        return "training"
    return "other"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exe", default=DEFAULT_EXE, help="convt-lab executable")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds measured")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- convt-lab's arguments")
    opts = parser.parse_args()
    args = opts.args[1:] if opts.args[:1] == ["--"] else opts.args
    exe = os.path.abspath(opts.exe)
    with tempfile.TemporaryDirectory(prefix="convt_ui_cpu_") as cwd:
        proc = subprocess.Popen([exe] + args, cwd=cwd)
        try:
            time.sleep(opts.warmup)
            if proc.poll() is not None:
                sys.exit(f"measure_ui_cpu: convt-lab exited early with status {proc.returncode}")
            before = thread_times(proc.pid)
            began = time.monotonic()
            time.sleep(opts.seconds)
            after = thread_times(proc.pid)
            wall = time.monotonic() - began
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    used = {"ui": 0.0, "training": 0.0, "other": 0.0}
    for tid, (name, seconds) in after.items():
        used[group(name)] += seconds - before.get(tid, (name, 0.0))[1]
    print(f"convt-lab {' '.join(args)}: {wall:.1f} s measured after {opts.warmup:.0f} s")
    for key in ("ui", "training", "other"):
        print(f"  {key:9s} {100.0 * used[key] / wall:6.1f}% of a core")
    print(f"  {'total':9s} {100.0 * sum(used.values()) / wall:6.1f}% of a core")


if __name__ == "__main__":
    main()
