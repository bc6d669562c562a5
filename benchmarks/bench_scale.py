#!/usr/bin/env python3
"""Issue 11's scale figures, in one run, as ratios against references measured in the same run:

1. `segamp check` on a synthetic monorepo (default 50,000 committed files, bench_check.build:
   .ts/.tsx/.js/.py/.json/.md of realistic sizes, 0.5 % of the source files with Segment calls,
   3 % mentioning 'analytics'/'segment' otherwise, an ignored node_modules/ and dist/) against
   `git grep -l -F --untracked` for the very markers segamp prefilters on — target <= 2x, in
   wall time and in CPU (user+sys of the process and the children it waited for);
2. `segamp rewrite --dry-run` of 1,000 realistic Segment files (bench_rewrite.build: half
   Python, half TypeScript) with 1 worker and with 2 — target <= 5 s with 2 workers and a
   speed-up >= 1.6x;
3. peak RSS of every segamp run.

    python benchmarks/bench_scale.py                       # build in a temp dir, measure, delete
    python benchmarks/bench_scale.py --dir /tmp/scale --keep
    python benchmarks/bench_scale.py --dir /tmp/scale --reuse
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_check  # noqa: E402
import bench_rewrite  # noqa: E402

CHECK_TARGET, REWRITE_SECONDS, SPEEDUP = 2.0, 5.0, 1.6


def segamp_markers() -> list[str]:
    """The literal markers segamp's discovery hands git grep (its handlers' union, minimal)."""
    from segamp.config import Config
    from segamp.discover import _minimal
    from segamp.engine import NOTE_MARKER, Engine

    handlers = Engine(Config()).handlers
    return [m.decode() for m in _minimal(tuple(m for h in handlers for m in h.markers) + (NOTE_MARKER,))]


def run(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user+sys, with reaped children), exit code, peak RSS KiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return (time.perf_counter() - start, usage.ru_utime + usage.ru_stime,
            os.waitstatus_to_exitcode(status), usage.ru_maxrss)


def best(n: int, cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, int, int]:
    runs = [run(cmd, cwd, env) for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2], max(r[3] for r in runs)


def measure_check(root: Path, env: dict, runs: int) -> bool:
    segamp = [sys.executable, "-m", "segamp", "check", ".", "--no-progress", "-q"]
    grep = ["git", "grep", "-l", "-F", "--untracked"] + [a for m in segamp_markers() for a in ("-e", m)]
    run(grep, root, env), run(segamp, root, env)   # warm the page cache and git's index
    s_wall, s_cpu, s_code, s_rss = best(runs, segamp, root, env)
    g_wall, g_cpu, _, _ = best(runs, grep, root, env)
    wall, cpu = s_wall / g_wall, s_cpu / max(g_cpu, 1e-3)
    print(f"check   segamp {s_wall:6.2f}s wall {s_cpu:6.2f}s cpu (exit {s_code}, {s_rss / 1024:.0f} MiB)  "
          f"git grep {g_wall:5.2f}s wall {g_cpu:5.2f}s cpu  ->  {wall:.2f}x wall, {cpu:.2f}x cpu "
          f"(target <= {CHECK_TARGET:.0f}x) {'OK' if max(wall, cpu) <= CHECK_TARGET else 'ABOVE TARGET'}")
    return max(wall, cpu) <= CHECK_TARGET


def measure_rewrite(root: Path, env: dict, runs: int) -> bool:
    base = [sys.executable, "-m", "segamp", "rewrite", ".", "--dry-run", "--format", "diff", "--no-progress"]
    run(base + ["--jobs", "1"], root, env)
    one = best(runs, base + ["--jobs", "1"], root, env)
    two = best(runs, base + ["--jobs", "2"], root, env)
    speedup = one[0] / two[0]
    ok = two[0] <= REWRITE_SECONDS and speedup >= SPEEDUP
    print(f"rewrite 1 worker {one[0]:6.2f}s ({one[3] / 1024:.0f} MiB)  2 workers {two[0]:6.2f}s "
          f"({two[3] / 1024:.0f} MiB peak of one process)  ->  speed-up {speedup:.2f}x "
          f"(target <= {REWRITE_SECONDS:.0f}s and >= {SPEEDUP}x) {'OK' if ok else 'ABOVE TARGET'}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=50_000, help="monorepo files (default 50000)")
    ap.add_argument("--rewrite-files", type=int, default=1_000, help="Segment files to rewrite (default 1000)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", help="where to build (default: a temp dir, deleted afterwards)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="segamp-scale-"))
    mono, corpus = base / "mono", base / "rewrite"
    env = dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        if not args.reuse:
            shutil.rmtree(base, ignore_errors=True)
            t0 = time.perf_counter()
            counts = bench_check.build(mono, args.files)
            bench_rewrite.build(corpus, args.rewrite_files // 2)
            print(f"built in {time.perf_counter() - t0:.0f}s: {counts['files']:,} monorepo files "
                  f"({counts['segment']} with Segment calls), {args.rewrite_files} files to rewrite")
        print(f"machine: {os.cpu_count()} cpus, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}")
        ok = measure_check(mono, env, args.runs)
        ok = measure_rewrite(corpus, env, args.runs) and ok
        return 0 if ok else 1
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
