#!/usr/bin/env python3
"""How fast `segamp rewrite` converts Python next to TypeScript, in files per second.

Builds two realistic projects side by side (default 300 files each), every file holding
Segment calls among unrelated code, 1-10 KB:

    py/  a Django-style service: one settings module configures the module client
         (`import segment.analytics as analytics` + `analytics.write_key = ...`), other
         modules call it (`from segment import analytics`, `from app.settings import analytics`),
         some own `Client(...)` instances (module globals, `self.client` in classes);
         track/identify/page/group with dict literals, keyword arguments, datetimes,
         Decimals, int primary keys, comments.
    ts/  a Next.js-style app on @segment/analytics-next: one lib/analytics.ts exports the
         `AnalyticsBrowser.load(...)` client, .ts/.tsx files import it and call
         track/identify/page/group with object literals, options and callbacks.

Then times, in this one run, best of N (subprocess, output discarded, single process):

    python -m segamp rewrite py/ --dry-run --jobs 1 --no-progress
    python -m segamp rewrite ts/ --dry-run --jobs 1 --no-progress

and prints files/s for each half (wall and CPU time; startup included) and the ratio.
Target: >= 100 Python files/s.

    python benchmarks/bench_rewrite.py                      # build in a temp dir, measure, delete
    python benchmarks/bench_rewrite.py --dir /tmp/rw --keep # keep the trees
    python benchmarks/bench_rewrite.py --dir /tmp/rw --reuse
    python benchmarks/bench_rewrite.py --profile            # + cProfile top 25 of the Python half
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

TARGET_PY_FILES_PER_S = 100.0
REPO = Path(__file__).resolve().parent.parent

WORDS = ("user order cart item price total invoice account session token payment product search "
         "filter page route config cache queue worker report metric status profile address email "
         "message notification settings theme layout modal button form input field table row column "
         "plan coupon refund shipment review team member invite project").split()
EVENTS = ("Order Completed", "Product Viewed", "Cart Updated", "Signed Up", "Logged In", "Invite Sent",
          "Plan Upgraded", "Coupon Applied", "Refund Requested", "Report Exported", "Search Performed")


def _name(rng: random.Random, parts: int = 2) -> str:
    words = rng.sample(WORDS, parts)
    return words[0] + "".join(w.capitalize() for w in words[1:])


def _snake(rng: random.Random) -> str:
    return "_".join(rng.sample(WORDS, 2))


# --- Python: unrelated code ------------------------------------------------------------------
def _py_filler(rng: random.Random) -> str:
    fn, a, b = _snake(rng), rng.choice(WORDS), rng.choice(WORDS)
    cls = _name(rng)
    cls = cls[0].upper() + cls[1:]
    kind = rng.randrange(3)
    if kind == 0:
        return (f"def {fn}({a}, {b}=None):\n"
                f'    """Return the {a} for a {b}."""\n'
                f"    if {b} is None:\n        {b} = {{}}\n"
                f"    result = [x for x in {a} if x.get('{b}') != {rng.randint(0, 9)}]\n"
                f"    return sorted(result, key=lambda x: x.get('{rng.choice(WORDS)}', 0))\n\n\n")
    if kind == 1:
        return (f"@dataclass\nclass {cls}:\n    {a}_id: int\n    {b}: str = ''\n"
                f"    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))\n\n"
                f"    def as_dict(self) -> dict:\n"
                f"        # the API serialiser wants plain types\n"
                f"        return {{'{a}_id': self.{a}_id, '{b}': self.{b}, 'created_at': self.created_at.isoformat()}}\n\n\n")
    return (f"def {fn}(request, pk: int):\n"
            f"    try:\n        obj = {cls}.objects.select_related('{a}').get(pk=pk)\n"
            f"    except {cls}.DoesNotExist:\n        raise Http404('no {a} %s' % pk)\n"
            f"    with transaction.atomic():\n        obj.{b} = request.POST.get('{b}', obj.{b})\n        obj.save()\n"
            f"    logger.info('updated %s %s', '{a}', pk)\n"
            f"    return JsonResponse(obj.as_dict())\n\n\n")


# --- Python: Segment code --------------------------------------------------------------------
def _py_module_calls(rng: random.Random, recv: str) -> str:
    """Functions calling the module client, in the shapes real services have."""
    ev, fn, a = rng.choice(EVENTS), _snake(rng), rng.choice(WORDS)
    shapes = [
        f"def {fn}(user, order):\n"
        f"    # revenue is reported in the order's currency\n"
        f"    {recv}.track(user.pk, '{ev}', {{\n"
        f"        'order_id': order.id,\n        'total': order.total,  # a Decimal\n"
        f"        'currency': order.currency,\n        'items': len(order.items),\n    }})\n\n\n",
        f"def {fn}(user):\n"
        f"    {recv}.identify(str(user.id), {{'email': user.email, 'name': user.get_full_name(),\n"
        f"                                  'created_at': user.date_joined, 'plan': user.plan}})\n\n\n",
        f"def {fn}(request):\n"
        f"    {recv}.track(\n        user_id=str(request.user.pk),\n        event='{ev}',\n"
        f"        properties={{'{a}': request.GET.get('{a}'), 'source': 'web'}},\n"
        f"        context={{'ip': request.META.get('REMOTE_ADDR')}},\n"
        f"        timestamp=datetime.now(timezone.utc),\n    )\n\n\n",
        f"def {fn}(user_id, path, title):\n"
        f"    {recv}.page(user_id, 'Docs', title, {{'path': path}})\n\n\n",
        f"def {fn}(user, team):\n"
        f"    {recv}.group(user.pk, team.pk, {{'name': team.name, 'seats': team.seats}})\n\n\n",
        f"def {fn}(user_id, anonymous_id):\n"
        f"    {recv}.alias(anonymous_id, user_id)\n\n\n",
        f"def {fn}(user_id, {a}):\n"
        f"    if {a}:\n        {recv}.track(user_id, '{ev}', {{'{a}': {a}}})\n"
        f"    else:\n        {recv}.track(user_id, '{ev}')\n\n\n",
    ]
    return rng.choice(shapes)


def _py_settings() -> str:
    return ('"""Settings for the app."""\nimport os\nfrom pathlib import Path\n\n'
            "import segment.analytics as analytics\n\n"
            "BASE_DIR = Path(__file__).resolve().parent.parent\n"
            "SECRET_KEY = os.environ.get('SECRET_KEY', 'dev-only')\n"
            "DEBUG = os.environ.get('DEBUG') == '1'\n\n"
            "# Segment: one process-wide client, configured here, used by every module\n"
            "analytics.write_key = os.environ['SEGMENT_WRITE_KEY']\n"
            "analytics.max_queue_size = 20000\n")


PY_HEAD = ("from __future__ import annotations\n\nimport logging\nimport os\n"
           "from dataclasses import dataclass, field\nfrom datetime import datetime, timezone\n"
           "from decimal import Decimal\n\n")
PY_TAIL = ("from django.db import transaction\nfrom django.http import Http404, JsonResponse\n\n"
           "logger = logging.getLogger(__name__)\n\n\n")


def _py_file(rng: random.Random, kind: int) -> str:
    """One module: 0/1 use the module client (two import spellings), 2 imports it from the
    settings module, 3 a module-level Client instance, 4 a class holding one."""
    parts = [PY_HEAD]
    if kind == 0:
        parts.append("import segment.analytics as analytics\n")
    elif kind == 1:
        parts.append("from segment import analytics\n")
    elif kind == 2:
        parts.append("from app.settings import analytics\n")
    else:
        parts.append("from segment.analytics import Client\n")
    parts.append(PY_TAIL)
    if kind == 3:
        parts.append("client = Client(os.environ['SEGMENT_WRITE_KEY'], max_queue_size=10000, debug=False)\n\n\n")
    blocks = rng.randint(2, 14)
    calls = rng.randint(1, 4)
    body = [_py_filler(rng) for _ in range(blocks)]
    for _ in range(calls):
        if kind == 4:
            body.append(_py_class_client(rng))
        else:
            body.append(_py_module_calls(rng, "client" if kind == 3 else "analytics"))
    rng.shuffle(body)
    parts += body
    if kind == 3:
        parts.append("def shutdown():\n    client.flush()\n")
    return "".join(parts)


def _py_class_client(rng: random.Random) -> str:
    cls = _name(rng)
    cls = cls[0].upper() + cls[1:] + "Tracker"
    ev = rng.choice(EVENTS)
    return (f"class {cls}:\n"
            f'    """Sends {ev} for the {rng.choice(WORDS)} service."""\n\n'
            f"    def __init__(self, write_key: str):\n"
            f"        self.client = Client(write_key, on_error=self._failed)\n\n"
            f"    def _failed(self, error, items):\n        logger.warning('segment: %s', error)\n\n"
            f"    def sent(self, user, **properties):\n"
            f"        self.client.track(user_id=user.pk, event='{ev}', properties=properties)\n\n"
            f"    def close(self):\n        self.client.flush()\n\n\n")


def build_python(root: Path, n_files: int, rng: random.Random) -> int:
    (root / "app").mkdir(parents=True)
    (root / "requirements.txt").write_text("Django>=4.2,<5\nsegment-analytics-python==2.3.2\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "settings.py").write_text(_py_settings())
    made, total = 1, 0
    packages = [root / "app" / f"{w}s" for w in rng.sample(WORDS, 12)]
    for pkg in packages:
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
    while made < n_files:
        pkg = rng.choice(packages)
        text = _py_file(rng, rng.choices(range(5), (30, 20, 25, 15, 10))[0])
        path = pkg / f"{_snake(rng)}_{made}.py"
        path.write_text(text)
        total += len(text)
        made += 1
    return total


# --- TypeScript ------------------------------------------------------------------------------
def _ts_filler(rng: random.Random, tsx: bool) -> str:
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


def _ts_calls(rng: random.Random, tsx: bool) -> str:
    ev, fn, a = rng.choice(EVENTS), _name(rng), rng.choice(WORDS)
    shapes = [
        f"export function {fn}(orderId: string, total: number) {{\n"
        f"  // revenue in cents is converted by the warehouse\n"
        f"  analytics.track('{ev}', {{ orderId, total, currency: 'USD' }})\n}}\n\n",
        f"export async function {fn}(user: {{ id: string; email: string; plan?: string }}) {{\n"
        f"  await analytics.identify(user.id, {{ email: user.email, plan: user.plan ?? 'free' }})\n}}\n\n",
        f"export function {fn}() {{\n  analytics.page('Docs', '{a}', {{ path: location.pathname }})\n}}\n\n",
        f"export function {fn}(teamId: string, name: string) {{\n"
        f"  analytics.group(teamId, {{ name, seats: 5 }})\n}}\n\n",
        f"export function {fn}({a}: string) {{\n"
        f"  analytics.track('{ev}', {{ {a} }}, {{ context: {{ ip: '0.0.0.0' }} }})\n}}\n\n",
    ]
    if tsx:
        comp = fn[0].upper() + fn[1:] + "Button"
        shapes.append(f"export function {comp}({{ {a} }}: {{ {a}: string }}) {{\n"
                      f"  return <button onClick={{() => analytics.track('{ev}', {{ {a} }})}}>{a}</button>\n}}\n\n")
    return rng.choice(shapes)


def build_typescript(root: Path, n_files: int, rng: random.Random) -> int:
    (root / "src" / "lib").mkdir(parents=True)
    (root / "package.json").write_text(
        '{\n  "name": "web",\n  "version": "1.0.0",\n  "dependencies": {\n'
        '    "@segment/analytics-next": "^1.70.0",\n    "next": "14.2.3",\n    "react": "^18.2.0"\n  }\n}\n')
    (root / "src" / "lib" / "analytics.ts").write_text(
        "import { AnalyticsBrowser } from '@segment/analytics-next'\n\n"
        "export const analytics = AnalyticsBrowser.load({ writeKey: process.env.NEXT_PUBLIC_SEGMENT_WRITE_KEY! })\n")
    made, total = 2, 0
    folders = [root / "src" / w for w in rng.sample(WORDS, 12)]
    for folder in folders:
        folder.mkdir()
    while made < n_files:
        tsx = rng.random() < 0.4
        head = ("import { useState } from 'react'\n" if tsx else "") + "import { analytics } from '../lib/analytics'\n\n"
        body = [_ts_filler(rng, tsx) for _ in range(rng.randint(2, 16))] + \
               [_ts_calls(rng, tsx) for _ in range(rng.randint(1, 4))]
        rng.shuffle(body)
        text = head + "".join(body)
        path = rng.choice(folders) / f"{_name(rng)}{made}.{'tsx' if tsx else 'ts'}"
        path.write_text(text)
        total += len(text)
        made += 1
    return total


def build(root: Path, n_files: int, seed: int = 20240512) -> dict[str, int]:
    rng = random.Random(seed)
    return {"py_bytes": build_python(root / "py", n_files, rng), "ts_bytes": build_typescript(root / "ts", n_files, rng)}


# --- measuring -------------------------------------------------------------------------------
def _count(root: Path, exts: tuple[str, ...]) -> int:
    return sum(1 for p in root.rglob("*") if p.suffix in exts)


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system, of the child and anything it waited for) and exit
    code of one run. CPU time is the steadier figure on a shared machine."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def best_of(n: int, cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, list[float], int]:
    walls, cpus, code = [], [], 0
    for _ in range(n):
        wall, cpu, code = _timed(cmd, cwd, env)
        walls.append(wall)
        cpus.append(cpu)
    return min(walls), min(cpus), walls, code


def _one_core(env: dict[str, str], cwd: Path) -> list[str]:
    """`--jobs 1` where the CLI has it: the figure is for one core, one process."""
    out = subprocess.run([sys.executable, "-m", "segamp", "rewrite", "--help"], cwd=cwd, env=env,
                         capture_output=True, text=True)
    return ["--jobs", "1"] if "--jobs" in out.stdout else []


def _changed_files(cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Files the dry run would change: a benchmark that converts nothing measures nothing."""
    out = subprocess.run(cmd + ["--format", "diff"], cwd=cwd, env=env,
                         capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if line.startswith("+++ "))


def profile(root: Path, top: int = 25) -> None:
    """cProfile of `segamp rewrite py/ --dry-run` in this process, top functions by own time."""
    import cProfile
    import pstats

    sys.path.insert(0, str(REPO))
    from segamp.config import load_config
    from segamp.engine import Engine

    path = str(root / "py")
    config = load_config((path,))
    config.jobs = 1  # one process, so the profile sees the analysis too
    prof = cProfile.Profile()
    prof.enable()
    for _ in Engine(config).run([path]):
        pass
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout)
    print(f"\ncProfile, rewrite of {path} (in-process), top {top} by own time:")
    stats.sort_stats("tottime").print_stats(top)
    print(f"top {top} by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=300, help="files per language (default 300)")
    ap.add_argument("--runs", type=int, default=3, help="runs per half; the best counts (default 3)")
    ap.add_argument("--dir", help="where to build the projects (default: a temp dir, deleted afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the generated trees")
    ap.add_argument("--reuse", action="store_true", help="measure the trees already in --dir")
    ap.add_argument("--profile", action="store_true", help="also print a cProfile top 25 of the Python half")
    args = ap.parse_args()

    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="segamp-bench-rw-")) / "rw"
    try:
        if args.reuse:
            if not (root / "py").is_dir() or not (root / "ts").is_dir():
                print(f"bench_rewrite: {root} holds no generated py/ and ts/", file=sys.stderr)
                return 2
            print(f"reusing {root}")
        else:
            if root.exists():
                shutil.rmtree(root)
            sizes = build(root, args.files)
            print(f"built {root}: py/ {args.files} files ({sizes['py_bytes'] / 1e6:.2f} MB), "
                  f"ts/ {args.files} files ({sizes['ts_bytes'] / 1e6:.2f} MB)")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        figures, cpu_figures = {}, {}
        one_core = _one_core(env, root)
        for half, exts in (("py", (".py",)), ("ts", (".ts", ".tsx"))):
            cmd = [sys.executable, "-m", "segamp", "rewrite", half, "--dry-run", *one_core, "--no-progress"]
            _timed(cmd, root, env)  # warm the page cache and .pyc files
            wall, cpu, all_t, code = best_of(args.runs, cmd, root, env)
            if code == 2:
                print(f"bench_rewrite: {' '.join(cmd[1:])} is a usage error", file=sys.stderr)
                return 2
            n = _count(root / half, exts)
            changed = _changed_files(cmd, root, env)
            figures[half], cpu_figures[half] = n / wall, n / cpu
            print(f"{half}: {n} files, {changed} changed, {wall:.2f}s wall best of {args.runs} "
                  f"({', '.join(f'{t:.2f}' for t in all_t)}), {cpu:.2f}s CPU, exit {code}: "
                  f"{n / wall:.0f} files/s wall, {n / cpu:.0f} files/s CPU")
        ratio, cpu_ratio = figures["ts"] / figures["py"], cpu_figures["ts"] / cpu_figures["py"]
        ok = figures["py"] >= TARGET_PY_FILES_PER_S
        print(f"ratio: TypeScript {ratio:.1f}x Python (wall), {cpu_ratio:.1f}x (CPU); "
              f"Python target >= {TARGET_PY_FILES_PER_S:.0f} files/s {'OK' if ok else 'NOT MET'}")
        if args.profile:
            profile(root)
        return 0 if ok else 1
    finally:
        if not args.keep and not args.dir:  # an explicit --dir is the user's; leave it
            shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
