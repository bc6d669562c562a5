#!/usr/bin/env python3
"""How long `segamp check` takes on a big monorepo, next to `git grep` for the same markers.

Builds a synthetic monorepo (default 20,000 committed files: .ts/.tsx/.js/.py/.json/.md of
varied sizes, ~0.5 % of source files with Segment calls, a few per cent mentioning
'analytics' or 'segment' in unrelated ways), plus an ignored node_modules/ and dist/ that
segamp must skip. Then times, as a user runs them, best of N:

    segamp check <repo>                                    (subprocess, output discarded)
    git grep -l -E 'analytics|segment|Segment'             (the bytes segamp prefilters on)

and prints both times, the ratio segamp / git grep (target <= 3x) and segamp's peak RSS.

    python benchmarks/bench_check.py                 # build in a temp dir, measure, delete
    python benchmarks/bench_check.py --keep --dir /tmp/mono   # keep the tree for profiling
    python benchmarks/bench_check.py --dir /tmp/mono --reuse  # measure an existing tree
    python benchmarks/bench_check.py --breakdown     # + time per phase and per language module
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARKERS = "analytics|segment|Segment"
TARGET_RATIO = 3.0

# --- the synthetic monorepo -------------------------------------------------------------------
WORDS = ("user order cart item price total invoice account session token payment product search "
         "filter page route config cache queue worker report metric status profile address email "
         "message notification settings theme layout modal button form input field table row column "
         "chart graph node edge tree list map set index count limit offset cursor batch job task").split()

MIX = [  # extension, share of files, size range in "blocks" (one block ~ 8-12 lines)
    (".ts", 0.36, (2, 40)),
    (".tsx", 0.16, (2, 30)),
    (".js", 0.10, (1, 30)),
    (".py", 0.16, (2, 40)),
    (".json", 0.12, (1, 12)),
    (".md", 0.10, (1, 20)),
]
SOURCE_EXTS = (".ts", ".tsx", ".js", ".py")
SEGMENT_SHARE = 0.005      # of source files: real Segment calls
MENTION_SHARE = 0.03       # of all files: 'analytics'/'segment' in an unrelated sense


def _name(rng: random.Random, parts: int = 2) -> str:
    words = rng.sample(WORDS, parts)
    return words[0] + "".join(w.capitalize() for w in words[1:])


def _ts_block(rng: random.Random, tsx: bool) -> str:
    fn, a, b = _name(rng), rng.choice(WORDS), rng.choice(WORDS)
    if tsx and rng.random() < 0.5:
        comp = fn[0].upper() + fn[1:]
        return (f"export function {comp}({{ {a}, {b} }}: {{ {a}: string; {b}: number }}) {{\n"
                f"  const [open, setOpen] = useState(false)\n"
                f"  const label = `${{{a}}} (${{{b}}})`\n"
                f"  return (\n    <div className=\"{a}-{b}\" onClick={{() => setOpen(!open)}}>\n"
                f"      <span>{{label}}</span>\n      {{open && <p>{b}: {{{b}}}</p>}}\n    </div>\n  )\n}}\n\n")
    return (f"export async function {fn}({a}: string, {b}: number): Promise<number> {{\n"
            f"  const res = await fetch(`/api/{a}/${{{a}}}?{b}=${{{b}}}`)\n"
            f"  if (!res.ok) {{\n    throw new Error('{fn} failed: ' + res.status)\n  }}\n"
            f"  const body = (await res.json()) as {{ {b}: number }}\n"
            f"  return body.{b} * {rng.randint(1, 99)}\n}}\n\n")


def _js_block(rng: random.Random) -> str:
    fn, a = _name(rng), rng.choice(WORDS)
    return (f"function {fn}({a}, options = {{}}) {{\n"
            f"  const items = ({a} || []).filter((x) => x && x.{rng.choice(WORDS)} > {rng.randint(0, 50)})\n"
            f"  return items.map((x) => ({{ ...x, {rng.choice(WORDS)}: options.{rng.choice(WORDS)} }}))\n}}\n"
            f"module.exports.{fn} = {fn}\n\n")


def _py_block(rng: random.Random) -> str:
    fn, a, b = _name(rng).lower(), rng.choice(WORDS), rng.choice(WORDS)
    return (f"def {fn}_{a}({a}, {b}=None):\n"
            f'    """Return the {a} for a {b}."""\n'
            f"    if {b} is None:\n        {b} = {{}}\n"
            f"    result = [x for x in {a} if x.get('{b}') != {rng.randint(0, 9)}]\n"
            f"    return sorted(result, key=lambda x: x.get('{rng.choice(WORDS)}', 0))\n\n\n")


def _json_block(rng: random.Random) -> str:
    return ",\n".join(f'  "{_name(rng)}": {{"{rng.choice(WORDS)}": {rng.randint(0, 999)}, "enabled": true}}'
                      for _ in range(rng.randint(3, 10)))


def _md_block(rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 80)))
    return f"## {_name(rng)}\n\n{words.capitalize()}.\n\n```\nnpm run {rng.choice(WORDS)}\n```\n\n"


MENTIONS = {  # 'analytics' / 'segment' meaning something else, as real code does
    ".ts": "const segments = location.pathname.split('/').filter(Boolean)\n"
           "export const analyticsDashboardUrl = '/admin/analytics'\n",
    ".tsx": "// analytics panel: the charts below read from our own warehouse\n"
            "const lineSegment = { from: 0, to: 1 }\n",
    ".js": "const segment = path.split('/')[1] // first URL segment\n",
    ".py": "# the analytics service owns this table\nsegment_length = len(path.split('/'))\n",
    ".json": '  "analyticsEnabled": false',
    ".md": "The analytics dashboard shows each customer segment.\n\n",
}

SEGMENT_CODE = {
    ".ts": ("import { AnalyticsBrowser } from '@segment/analytics-next'\n"
            "export const analytics = AnalyticsBrowser.load({ writeKey: process.env.SEGMENT_WRITE_KEY! })\n"
            "export function trackSignup(plan: string) {\n  analytics.track('Signed Up', { plan })\n}\n\n"),
    ".tsx": ("import { AnalyticsBrowser } from '@segment/analytics-next'\n"
             "const analytics = AnalyticsBrowser.load({ writeKey: process.env.SEGMENT_WRITE_KEY! })\n"
             "export function BuyButton() {\n"
             "  return <button onClick={() => analytics.track('Buy Clicked', { where: 'header' })}>Buy</button>\n}\n\n"),
    ".js": ("const { Analytics } = require('@segment/analytics-node')\n"
            "const analytics = new Analytics({ writeKey: process.env.SEGMENT_WRITE_KEY })\n"
            "function orderDone(userId, total) {\n"
            "  analytics.track({ userId, event: 'Order Completed', properties: { total } })\n}\n\n"),
    ".py": ("import segment.analytics as analytics\n\n"
            "analytics.write_key = 'WRITE_KEY'\n\n\n"
            "def signed_up(user_id, plan):\n    analytics.track(user_id, 'Signed Up', {'plan': plan})\n\n\n"),
}


def _file_text(rng: random.Random, ext: str, blocks: int, segment: bool, mention: bool) -> str:
    head = ""
    if ext in (".ts", ".tsx"):
        head = "import { useState } from 'react'\n\n" if ext == ".tsx" else \
               f"import {{ {_name(rng)} }} from '../{rng.choice(WORDS)}'\n\n"
    elif ext == ".py":
        head = "from __future__ import annotations\n\nimport os\nimport json\n\n\n"
    if ext == ".json":
        body = ",\n".join(_json_block(rng) for _ in range(blocks))
        if mention:
            body += ",\n" + MENTIONS[ext]
        return "{\n" + body + "\n}\n"
    gen = {".ts": lambda: _ts_block(rng, False), ".tsx": lambda: _ts_block(rng, True), ".js": lambda: _js_block(rng),
           ".py": lambda: _py_block(rng), ".md": lambda: _md_block(rng)}[ext]
    parts = [head]
    if segment:
        parts.append(SEGMENT_CODE[ext])
    if mention:
        parts.append(MENTIONS[ext])
    parts += [gen() for _ in range(blocks)]
    return "".join(parts)


def build(root: Path, n_files: int, seed: int = 20240501) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"files": 0, "segment": 0, "mention": 0, "bytes": 0, "ignored": 0}
    exts, weights = [m[0] for m in MIX], [m[1] for m in MIX]
    sizes = {m[0]: m[2] for m in MIX}
    n_packages = max(1, n_files // 400)
    root.mkdir(parents=True, exist_ok=True)
    (root / ".gitignore").write_text("node_modules/\ndist/\n*.log\n")
    per_pkg = n_files // n_packages
    made = 0
    for p in range(n_packages):
        pkg = root / "packages" / f"{_name(rng)}-{p}"
        (pkg).mkdir(parents=True)
        (pkg / "package.json").write_text(
            '{\n  "name": "@mono/%s",\n  "version": "1.0.0",\n  "dependencies": {"react": "^18.2.0"}\n}\n' % pkg.name)
        made += 1
        for i in range(per_pkg - 1 if p < n_packages - 1 else n_files - made):
            ext = rng.choices(exts, weights)[0]
            lo, hi = sizes[ext]
            # skewed sizes: most files small, a few large
            blocks = min(hi, lo + int(rng.expovariate(1 / max(1, (hi - lo) / 4))))
            segment = ext in SOURCE_EXTS and rng.random() < SEGMENT_SHARE
            mention = not segment and rng.random() < MENTION_SHARE
            folder = pkg / ("src" if ext != ".md" else "docs") / rng.choice(WORDS) / rng.choice(WORDS[:12])
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{_name(rng)}{i}{ext}"
            text = _file_text(rng, ext, blocks, segment, mention)
            path.write_text(text)
            counts["files"] += 1
            counts["segment"] += segment
            counts["mention"] += mention
            counts["bytes"] += len(text)
            made += 1
    counts["files"] += n_packages
    # ignored trees a real checkout has: node_modules (with Segment's own sources!) and dist
    for i in range(1500):
        mod = root / "node_modules" / ("@segment/analytics-next" if i % 5 == 0 else f"lib{i // 30}") / "dist" / f"f{i}.js"
        mod.parent.mkdir(parents=True, exist_ok=True)
        mod.write_text(SEGMENT_CODE[".js"] + _js_block(rng) * 5)
        counts["ignored"] += 1
    for i in range(200):
        out = root / "dist" / f"chunk{i}.js"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(SEGMENT_CODE[".js"] + _js_block(rng) * 20)
        counts["ignored"] += 1
    env = _git_env()
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "synthetic monorepo"], check=True, env=env)
    return counts


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    return env


# --- measuring --------------------------------------------------------------------------------
def _timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Wall time, exit code and peak RSS (KiB) of one run, the child waited for with wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, proc.returncode, usage.ru_maxrss


def best_of(n: int, cmd: list[str], cwd: Path, env=None) -> tuple[float, list[float], int, int]:
    times, rss, code = [], 0, 0
    for _ in range(n):
        t, code, r = _timed(cmd, cwd, env)
        times.append(t)
        rss = max(rss, r)
    return min(times), times, code, rss


def breakdown(root: Path) -> None:
    """Where segamp's time goes, phase by phase, in this process (run from the repo root)."""
    import collections

    t0 = time.perf_counter()
    from segamp.config import load_config
    from segamp.discover import Discoverer, Entry
    from segamp.engine import NOTE_MARKER, Engine
    cwd = os.getcwd()
    os.chdir(root)
    try:
        engine = Engine(load_config((".",)))
        t1 = time.perf_counter()
        entries = [e for e in Discoverer(engine.handlers, [], []).walk(["."]) if isinstance(e, Entry)]
        t2 = time.perf_counter()
        raws = []
        for e in entries:
            with open(e.path, "rb") as fh:
                raws.append((e, fh.read()))
        t3 = time.perf_counter()
        cands = collections.Counter(e.handler.name for e, raw in raws if e.handler.has_markers(raw) or NOTE_MARKER in raw)
        t4 = time.perf_counter()
        index_t: collections.Counter = collections.Counter()
        analyse_t: collections.Counter = collections.Counter()
        for h in engine.handlers:
            def timed_index(src, ctx, *rest, _orig=h.index, _name=h.name):
                s = time.perf_counter()
                _orig(src, ctx, *rest)
                index_t[_name] += time.perf_counter() - s
            h.index = timed_index
        orig_process = engine._process

        def timed_process(entry, src, *rest):
            s = time.perf_counter()
            try:
                return orig_process(entry, src, *rest)
            finally:
                analyse_t[entry.handler.name] += time.perf_counter() - s
        engine._process = timed_process
        t5 = time.perf_counter()
        for _ in engine.run(["."]):
            pass
        t6 = time.perf_counter()
    finally:
        os.chdir(cwd)
    print("breakdown (in-process, one run):")
    print(f"  imports + handler setup : {t1 - t0:7.3f}s")
    print(f"  discovery (git ls-files): {t2 - t1:7.3f}s  {len(entries):,} files")
    print(f"  read                    : {t3 - t2:7.3f}s  {sum(len(r) for _, r in raws) / 1e6:.1f} MB")
    print(f"  prefilter               : {t4 - t3:7.3f}s  candidates {dict(cands)}")
    print(f"  full engine.run         : {t6 - t5:7.3f}s  of which")
    for name in sorted(set(index_t) | set(analyse_t)):
        print(f"    {name:<12} index {index_t[name]:7.3f}s   parse+analyse+verify {analyse_t[name]:7.3f}s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=20_000, help="committed files to generate (default 20000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per command; the best counts (default 3)")
    ap.add_argument("--dir", help="where to build the monorepo (default: a temp dir, deleted afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the generated tree")
    ap.add_argument("--reuse", action="store_true", help="measure the tree already in --dir")
    ap.add_argument("--breakdown", action="store_true", help="also time segamp's phases in-process")
    args = ap.parse_args()

    if shutil.which("git") is None:
        print("bench_check: git is required", file=sys.stderr)
        return 2
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="segamp-bench-")) / "mono"
    try:
        if args.reuse:
            if not (root / ".git").is_dir():
                print(f"bench_check: {root} is not a generated repo", file=sys.stderr)
                return 2
            print(f"reusing {root}")
        else:
            if root.exists():
                shutil.rmtree(root)
            t0 = time.perf_counter()
            counts = build(root, args.files)
            print(f"built {root} in {time.perf_counter() - t0:.1f}s: {counts['files']:,} committed files "
                  f"({counts['bytes'] / 1e6:.1f} MB), {counts['segment']} with Segment calls, "
                  f"{counts['mention']} mentioning analytics/segment otherwise, "
                  f"{counts['ignored']:,} ignored files in node_modules/ and dist/")

        segamp_cmd = [sys.executable, "-m", "segamp", "check", ".", "--no-progress"]
        grep_cmd = ["git", "grep", "-l", "-E", MARKERS]
        env = dict(os.environ)
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent) + os.pathsep + env.get("PYTHONPATH", "")

        # warm the page cache and git's index for both, so neither pays for the first read
        _timed(grep_cmd, root)
        _timed(segamp_cmd, root, env)

        s_best, s_all, s_code, s_rss = best_of(args.runs, segamp_cmd, root, env)
        g_best, g_all, g_code, _ = best_of(args.runs, grep_cmd, root)
        grep_hits = subprocess.run(grep_cmd, cwd=root, capture_output=True).stdout.count(b"\n")

        ratio = s_best / g_best if g_best else float("inf")
        print(f"segamp check : {s_best:.3f}s best of {args.runs} ({', '.join(f'{t:.3f}' for t in s_all)}), exit {s_code}")
        print(f"git grep -l  : {g_best:.3f}s best of {args.runs} ({', '.join(f'{t:.3f}' for t in g_all)}), "
              f"{grep_hits} files match /{MARKERS}/")
        print(f"ratio        : {ratio:.2f}x segamp / git grep (target <= {TARGET_RATIO:.0f}x) "
              f"{'OK' if ratio <= TARGET_RATIO else 'ABOVE TARGET'}")
        print(f"segamp peak RSS: {s_rss / 1024:.1f} MiB")
        if args.breakdown:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            breakdown(root)
        return 0 if ratio <= TARGET_RATIO else 1
    finally:
        if not args.keep and not args.dir:  # an explicit --dir is the user's; leave it
            shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
