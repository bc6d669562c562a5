"""Reliability: bad inputs, file shape (BOM, CRLF, mode), output formats, idempotency,
ignored folders, and kills in the middle of a rewrite.

Every test drives the CLI as a user does (``python -m segamp`` in a subprocess) and holds it
to the same contract: each bad input costs one stderr line naming the file and the reason,
the other files are still rewritten, and no traceback ever reaches the user.
"""
from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SEGMENT_TS = (
    "import { AnalyticsBrowser } from '@segment/analytics-next'\n"
    "export const analytics = AnalyticsBrowser.load({ writeKey: process.env.SEGMENT_WRITE_KEY! })\n"
    "analytics.track('Signed Up', { plan: 'pro' })\n"
)
SEGMENT_JS = (
    "import { AnalyticsBrowser } from '@segment/analytics-next'\n"
    "export const analytics = AnalyticsBrowser.load({ writeKey: process.env.SEGMENT_WRITE_KEY })\n"
    "analytics.track('Order Completed', { total: 42 })\n"
)
PLAIN_TS = "export function add(a: number, b: number): number {\n  return a + b\n}\n"


# --- helpers ---------------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    return env


def segamp(*args: str, cwd: Path, prefix: tuple[str, ...] = (), **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([*prefix, sys.executable, "-m", "segamp", *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=120, **kw)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return proc


def write(path: Path, content, mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    if mode is not None:
        os.chmod(path, mode)
    return path


def lines_naming(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if name in line]


def assert_rewritten(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert "@amplitude/" in text, f"{path.name} was not rewritten:\n{text}"
    assert "@segment/" not in text, f"{path.name} still imports Segment:\n{text}"


def snapshot(root: Path) -> dict[str, bytes]:
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            p = Path(folder) / name
            if p.is_symlink() or not p.is_file():
                continue
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


# --- one bad input next to a good file ------------------------------------------------------
def _syntax_error(d: Path) -> bytes:
    return write(d / "broken_syntax.ts", SEGMENT_TS + "function (\n").read_bytes()


def _latin1(d: Path) -> bytes:
    data = ("import { AnalyticsBrowser } from '@segment/analytics-next'\n"
            "// café crème\n"
            "export const analytics = AnalyticsBrowser.load({ writeKey: 'k' })\n").encode("latin-1")
    return write(d / "latin1.ts", data).read_bytes()


def _binary(d: Path) -> bytes:
    return write(d / "blob.js", b"\x7fELF\x02\x01\x00\x00analytics\x00segment\x00Segment\x00\xff\xfe" * 50).read_bytes()


def _outside_link(d: Path) -> None:
    target = write(d.parent / "elsewhere" / "outside.ts", SEGMENT_TS)
    os.symlink(target, d / "outside_link.ts")


def _loop(d: Path) -> None:
    os.symlink("loop_b.ts", d / "loop_a.ts")
    os.symlink("loop_a.ts", d / "loop_b.ts")


def _dangling(d: Path) -> None:
    os.symlink("does_not_exist.ts", d / "dangling.ts")


def _read_only(d: Path) -> bytes:
    return write(d / "readonly.ts", SEGMENT_TS, mode=0o444).read_bytes()


BAD_INPUTS = {
    # id: (make, names that must each appear on exactly one line, reason words, exit code)
    "syntax-error": (_syntax_error, ["broken_syntax.ts"], ["syntax error"], 1),
    "non-utf8": (_latin1, ["latin1.ts"], ["not valid UTF-8"], 1),
    "binary": (_binary, ["blob.js"], ["binary"], 0),
    "symlink-out-of-tree": (_outside_link, ["outside_link.ts"], ["outside the tree"], 0),
    "symlink-loop": (_loop, ["loop_a.ts", "loop_b.ts"], ["symlink loop"], 0),
    "broken-symlink": (_dangling, ["dangling.ts"], ["broken symlink"], 0),
    "read-only": (_read_only, ["readonly.ts"], ["read-only", "not written"], 1),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_costs_one_line_and_the_run_goes_on(case, tmp_path):
    make, names, reasons, code = BAD_INPUTS[case]
    tree = tmp_path / "app"
    good = write(tree / "good.ts", SEGMENT_TS)
    before = make(tree)
    outside = tmp_path / "elsewhere" / "outside.ts"
    outside_before = outside.read_bytes() if outside.exists() else None

    proc = segamp("rewrite", "app", "--format", "diff", cwd=tmp_path)

    assert proc.returncode == code, proc.stderr
    for name in names:
        found = lines_naming(proc.stderr, name)
        assert len(found) == 1, f"{name}: expected one line, got {found}\n{proc.stderr}"
        for reason in reasons:
            assert reason in found[0], found[0]
    assert_rewritten(good)
    if before is not None:  # the bad file itself is byte-identical
        bad = tree / names[0]
        assert bad.read_bytes() == before
    if case == "read-only":
        assert stat.S_IMODE(os.stat(tree / "readonly.ts").st_mode) == 0o444
    if outside_before is not None:
        assert outside.read_bytes() == outside_before


def test_all_bad_inputs_together_in_json(tmp_path):
    tree = tmp_path / "app"
    good = write(tree / "good.ts", SEGMENT_TS)
    good_js = write(tree / "nested" / "other.js", SEGMENT_JS)
    write(tree / "plain.ts", PLAIN_TS)
    bad_names = []
    for make, names, _, _ in BAD_INPUTS.values():
        make(tree)
        bad_names += names
    os.mkdir(tree / "folder.ts")          # a directory with a source extension
    os.mkfifo(tree / "pipe.ts")           # reading it would block forever

    proc = segamp("rewrite", "app", "--format", "json", cwd=tmp_path)

    assert proc.returncode == 1
    doc = json.loads(proc.stdout)         # stdout is one JSON document, nothing else
    listed = {Path(f["path"]).name: f for f in doc["files"]}
    for name in bad_names:
        assert name in listed, f"{name} missing from JSON"
        assert listed[name]["status"] in ("error", "skipped"), listed[name]
        assert listed[name]["error"] or listed[name]["skipped"]
    for name in ("good.ts", "other.js"):
        assert listed[name]["status"] == "changed" and listed[name]["written"] is True
    assert_rewritten(good)
    assert_rewritten(good_js)
    assert (tree / "plain.ts").read_text() == PLAIN_TS
    assert doc["interrupted"] is False


def test_unreadable_file_reported_via_cli(tmp_path):
    """A file the user cannot read: as root chmod 000 is not enough, so drop every capability."""
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root and setpriv is not available to drop privileges")
        prefix = (setpriv, "--bounding-set=-all", "--inh-caps=-all")
        probe = write(tmp_path / "probe", "x", mode=0)
        if subprocess.run([*prefix, "cat", str(probe)], capture_output=True).returncode == 0:
            pytest.skip("cannot drop the privilege to read a mode-000 file here")
        probe.unlink()
    tree = tmp_path / "app"
    good = write(tree / "good.ts", SEGMENT_TS)
    secret = write(tree / "secret.ts", SEGMENT_TS, mode=0)

    proc = segamp("rewrite", "app", "--format", "diff", cwd=tmp_path, prefix=prefix)

    assert proc.returncode == 1, proc.stderr
    found = lines_naming(proc.stderr, "secret.ts")
    assert len(found) == 1 and "permission denied" in found[0], proc.stderr
    assert_rewritten(good)
    os.chmod(secret, 0o644)
    assert secret.read_text() == SEGMENT_TS


def test_unreadable_file_in_process(tmp_path, monkeypatch):
    """The same path in-process: open() raising PermissionError for one file."""
    from click.testing import CliRunner

    from segamp import cli, engine

    tree = tmp_path / "app"
    good = write(tree / "good.ts", SEGMENT_TS)
    secret = write(tree / "secret.ts", SEGMENT_TS)
    real_open = open

    def guarded_open(file, *args, **kwargs):
        if os.path.basename(str(file)) == "secret.ts":
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(engine, "open", guarded_open, raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["rewrite", "app", "--format", "diff"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    found = lines_naming(result.stderr, "secret.ts")
    assert len(found) == 1 and "permission denied" in found[0], result.stderr
    assert_rewritten(good)
    assert secret.read_text() == SEGMENT_TS


def test_a_module_failing_to_index_one_file_costs_that_file(tmp_path, monkeypatch):
    """A bug in a front end's index() leaves its file (reported), the others convert."""
    from segamp.config import Config
    from segamp.engine import Engine
    from segamp.languages.js.handler import JavaScriptHandler as JsHandler

    tree = tmp_path / "app"
    good = write(tree / "good.ts", SEGMENT_TS)
    write(tree / "broken.ts", SEGMENT_TS)
    real_index = JsHandler.index

    def index(self, source, ctx, tree=None):
        if source.path.endswith("broken.ts"):
            raise ValueError("a bug")
        return real_index(self, source, ctx, tree)
    monkeypatch.setattr(JsHandler, "index", index)
    config = Config()
    config.jobs = 1
    results = {os.path.basename(r.path): r for r in Engine(config).run([str(tree)])}
    assert "internal error while indexing (ValueError: a bug)" in (results["broken.ts"].error or "")
    assert not results["broken.ts"].changed and results["good.ts"].changed
    assert good.read_text() == SEGMENT_TS   # (nothing written in process)


def test_an_uncaught_bug_is_one_line_and_nothing_is_written(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from segamp import cli
    from segamp.engine import Engine

    tree = tmp_path / "app"
    good = write(tree / "good.ts", SEGMENT_TS)

    def run(self, paths, on_progress=None):
        yield from ()
        raise RuntimeError("in a worker: KeyError: 'x'")
    monkeypatch.setattr(Engine, "run", run)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["rewrite", "app"])
    assert result.exit_code == 70
    assert result.stderr.strip().splitlines() == [
        "segamp: internal error (RuntimeError: in a worker: KeyError: 'x'); nothing was written (please report this)"]
    assert good.read_text() == SEGMENT_TS


def test_missing_path_is_a_usage_error(tmp_path):
    write(tmp_path / "app" / "good.ts", SEGMENT_TS)
    for command in ("rewrite", "check"):
        proc = segamp(command, "app", "nope", cwd=tmp_path)
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1 and "nope" in proc.stderr, proc.stderr
    assert (tmp_path / "app" / "good.ts").read_text() == SEGMENT_TS


def test_bad_config_is_a_usage_error(tmp_path):
    tree = tmp_path / "app"
    good = write(tree / "good.ts", SEGMENT_TS)
    write(tree / "segamp.toml", 'group_type = "Org"\nwrite_key_please = true\n')
    for command in ("rewrite", "check"):
        proc = segamp(command, "app", cwd=tmp_path)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert "segamp.toml" in lines[0] and "write_key_please" in lines[0]
    assert good.read_text() == SEGMENT_TS


def test_bad_option_is_a_usage_error(tmp_path):
    write(tmp_path / "app" / "good.ts", SEGMENT_TS)
    proc = segamp("rewrite", "app", "--format", "xml", cwd=tmp_path)
    assert proc.returncode == 2
    assert (tmp_path / "app" / "good.ts").read_text() == SEGMENT_TS


# --- file shape ------------------------------------------------------------------------------
def test_crlf_and_bom_are_kept(tmp_path):
    bom = b"\xef\xbb\xbf"
    path = write(tmp_path / "app" / "win.ts", bom + SEGMENT_TS.replace("\n", "\r\n").encode())
    proc = segamp("rewrite", "app", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = path.read_bytes()
    assert data.startswith(bom) and not data.startswith(bom + bom)
    assert b"@amplitude/" in data
    assert data.count(b"\n") == data.count(b"\r\n"), f"lone LF in {data!r}"
    assert b"\r\r" not in data


def test_exec_bit_is_kept(tmp_path):
    path = write(tmp_path / "app" / "cli.js", "#!/usr/bin/env node\n" + SEGMENT_JS, mode=0o755)
    proc = segamp("rewrite", "app", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_rewritten(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o755
    assert path.read_text().startswith("#!/usr/bin/env node\n")


def test_atomic_write_replaces_content_and_leaves_nothing(tmp_path):
    from segamp.source import atomic_write

    path = write(tmp_path / "f.ts", "old\n", mode=0o640)
    atomic_write(str(path), b"new\n", 0o640)
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["f.ts"]


# --- output formats --------------------------------------------------------------------------
def test_json_is_valid_and_lists_every_candidate(tmp_path):
    tree = tmp_path / "app"
    names = []
    for i in range(5):
        write(tree / f"m{i}.ts", SEGMENT_TS)
        names.append(f"m{i}.ts")
    write(tree / "plain.ts", PLAIN_TS)
    proc = segamp("rewrite", "app", "--dry-run", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert sorted(Path(f["path"]).name for f in doc["files"] if f["status"] == "changed") == names
    assert doc["summary"]["files_discovered"] == 6
    assert doc["dry_run"] is True
    assert all(not f["written"] for f in doc["files"])
    assert (tree / "m0.ts").read_text() == SEGMENT_TS


@pytest.mark.parametrize("fmt", ["json", None])
def test_no_progress_bar_in_json_or_piped_output(tmp_path, fmt):
    """With stderr on a terminal, --format json still shows no bar; piped output never does."""
    tree = tmp_path / "app"
    for i in range(30):
        write(tree / f"m{i}.ts", SEGMENT_TS)
    args = [sys.executable, "-m", "segamp", "rewrite", "app", "--dry-run"] + (["--format", fmt] if fmt else [])
    if fmt == "json":
        master, slave = pty.openpty()
        proc = subprocess.Popen(args, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        out, _ = proc.communicate(timeout=120)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        assert proc.returncode == 0
        json.loads(out)
        assert err.strip() == b"", err
    else:
        proc = subprocess.run(args, cwd=tmp_path, env=_env(), capture_output=True, timeout=120)
        assert proc.returncode == 0
        for stream in (proc.stdout, proc.stderr):
            assert b"analysing" not in stream and b"\x1b[" not in stream and b"\r" not in stream


# --- idempotency through the CLI -------------------------------------------------------------
def test_second_rewrite_changes_nothing_and_check_turns_clean(tmp_path):
    tree = tmp_path / "app"
    write(tree / "a.ts", SEGMENT_TS)
    write(tree / "lib" / "b.js", SEGMENT_JS)
    write(tree / "win.ts", b"\xef\xbb\xbf" + SEGMENT_TS.replace("\n", "\r\n").encode())
    write(tree / "plain.ts", PLAIN_TS)

    before = segamp("check", "app", cwd=tmp_path)
    assert before.returncode == 1, before.stderr

    first = segamp("rewrite", "app", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    after_first = snapshot(tree)
    assert after_first["a.ts"] != SEGMENT_TS.encode()

    second = segamp("rewrite", "app", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "", second.stdout      # no diff
    assert snapshot(tree) == after_first

    clean = segamp("check", "app", cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr + clean.stdout


# --- what segamp must not touch --------------------------------------------------------------
def _ignore_tree(tree: Path) -> dict[str, Path]:
    paths = {
        "kept": write(tree / "src" / "app.ts", SEGMENT_TS),
        "ignored_file": write(tree / "src" / "generated.ts", SEGMENT_TS),
        "ignored_dir": write(tree / "gen" / "client.ts", SEGMENT_TS),
        "nested_ignore": write(tree / "src" / "local" / "scratch.ts", SEGMENT_TS),
        "node_modules": write(tree / "node_modules" / "@segment" / "analytics-next" / "index.js", SEGMENT_JS),
        "nested_node_modules": write(tree / "packages" / "web" / "node_modules" / "x" / "i.js", SEGMENT_JS),
        "dist": write(tree / "dist" / "bundle.js", SEGMENT_JS),
        "web": write(tree / "packages" / "web" / "src" / "track.ts", SEGMENT_TS),
    }
    write(tree / ".gitignore", "src/generated.ts\ngen/\n")
    write(tree / "src" / "local" / ".gitignore", "scratch.ts\n")
    return paths


@pytest.mark.parametrize("git", [False, True], ids=["plain-tree", "git-tree"])
def test_gitignore_node_modules_and_dist_are_respected(tmp_path, git):
    if git and not shutil.which("git"):
        pytest.skip("git is not installed")
    tree = tmp_path / "repo"
    paths = _ignore_tree(tree)
    if git:
        subprocess.run(["git", "init", "-q", str(tree)], check=True)
        # only git itself knows this one: proves the git listing is used inside a work tree
        paths["git_info_exclude"] = write(tree / "src" / "private.ts", SEGMENT_TS)
        write(tree / ".git" / "info" / "exclude", "src/private.ts\n")
    # nothing is committed in this work tree: every file is untracked, so --allow-dirty
    proc = segamp("rewrite", "repo", "--format", "json", "--allow-dirty", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    listed = {f["path"] for f in json.loads(proc.stdout)["files"]}
    for key in ("kept", "web"):
        assert_rewritten(paths[key])
    for key, path in paths.items():
        if key in ("kept", "web"):
            continue
        expected = SEGMENT_TS if path.suffix == ".ts" else SEGMENT_JS
        assert path.read_text() == expected, f"{key}: {path} was touched"
        assert not any(p.endswith(path.name) for p in listed), f"{key} listed: {listed}"


def test_exclude_and_include_are_honoured(tmp_path):
    tree = tmp_path / "repo"
    src = write(tree / "src" / "a.ts", SEGMENT_TS)
    legacy = write(tree / "src" / "legacy" / "old.ts", SEGMENT_TS)
    spec = write(tree / "src" / "a.spec.ts", SEGMENT_TS)
    scripts = write(tree / "scripts" / "s.js", SEGMENT_JS)

    proc = segamp("rewrite", "repo", "--include", "src/", "--exclude", "legacy/", "--exclude", "*.spec.ts",
                  cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_rewritten(src)
    assert legacy.read_text() == SEGMENT_TS
    assert spec.read_text() == SEGMENT_TS
    assert scripts.read_text() == SEGMENT_JS


# --- kills in the middle of a rewrite --------------------------------------------------------
N_KILL_FILES = 400


def _big_module(i: int) -> str:
    lines = ["import { AnalyticsBrowser } from '@segment/analytics-next'",
             "export const analytics = AnalyticsBrowser.load({ writeKey: process.env.SEGMENT_WRITE_KEY! })",
             ""]
    for j in range(50):
        lines += [f"export function step{j}(userId: string, n: number): number {{",
                  f"  analytics.track('Step {i}.{j}', {{ step: n + {j}, user: userId }})",
                  "  return n * 2",
                  "}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def kill_trees(tmp_path_factory):
    """A pristine tree of 400 files and the same tree fully rewritten (the only other valid state)."""
    base = tmp_path_factory.mktemp("kill")
    pristine = base / "pristine"
    for i in range(N_KILL_FILES):
        write(pristine / f"pkg{i % 8}" / f"mod{i:04d}.ts", _big_module(i))
    expected = base / "expected"
    shutil.copytree(pristine, expected, symlinks=True)
    proc = segamp("rewrite", str(expected), "--format", "json", cwd=base)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["files_written"] == N_KILL_FILES
    return base, snapshot(pristine), snapshot(expected)


def _start_and_signal(base: Path, original: dict[str, bytes], sig: int, name: str):
    work = base / name
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(base / "pristine", work, symlinks=True)
    sizes = {rel: len(data) for rel, data in original.items()}
    proc = subprocess.Popen([sys.executable, "-m", "segamp", "rewrite", str(work), "--format", "diff"],
                            cwd=base, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    # segamp analyses the whole project first (the closure rule needs every use), then writes
    # in discovery order: watch the first file written, and signal as soon as it changes, so
    # the signal lands inside the burst of writes.
    first = sorted(sizes)[0]
    changed = False
    while not changed and time.monotonic() < deadline and proc.poll() is None:
        try:
            changed = os.stat(work / first).st_size != sizes[first]
        except FileNotFoundError:
            pass   # between unlink and rename on a platform without atomic replace
        if not changed:
            time.sleep(0.001)
    assert changed, "segamp wrote nothing before the deadline (or finished too fast)"
    assert proc.poll() is None, "segamp finished before it could be interrupted; make the tree bigger"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return work, proc.returncode, err.decode("utf-8", "replace")


def _assert_each_file_old_or_new(work: Path, original: dict[str, bytes], expected: dict[str, bytes],
                                 killed: bool = False) -> tuple[int, int]:
    """killed (SIGKILL, which no process can handle): the one-link window of the atomic write may
    leave one temp file, and only the complete new text of its file; every other state is a bug."""
    names = set()
    temps = []
    for folder, dirs, files in os.walk(work):
        for name in files + dirs:
            full = Path(folder) / name
            if name.startswith(".segamp-") and name.endswith(".tmp"):
                temps.append(full)
                continue
            names.add(str(full.relative_to(work)))
    assert len(temps) <= (1 if killed else 0), f"temp files left: {temps}"
    for tmp in temps:
        rel = str((tmp.parent / tmp.name[len(".segamp-"):].rsplit(".", 2)[0]).relative_to(work))
        assert tmp.read_bytes() == expected[rel], f"{tmp} is not the complete new text of {rel}"
    dirs_expected = {str(Path(rel).parent) for rel in original}
    assert names == set(original) | dirs_expected, f"unexpected names: {sorted(names ^ (set(original) | dirs_expected))[:10]}"
    old = new = 0
    for rel, data in original.items():
        now = (work / rel).read_bytes()
        if now == data:
            old += 1
        elif now == expected[rel]:
            new += 1
        else:
            pytest.fail(f"{rel} is neither the original nor the rewritten content (torn write?)")
    return old, new


def test_sigkill_mid_rewrite_leaves_every_file_whole(kill_trees):
    base, original, expected = kill_trees
    work, code, err = _start_and_signal(base, original, signal.SIGKILL, "killed")
    assert code == -signal.SIGKILL
    old, new = _assert_each_file_old_or_new(work, original, expected, killed=True)
    assert new >= 1 and old >= 1, (old, new)
    # the next run finishes the job and removes a temp file the kill left (its process is gone)
    again = segamp("rewrite", str(work), "--format", "json", cwd=base)
    assert again.returncode == 0, again.stderr
    assert _assert_each_file_old_or_new(work, original, expected) == (0, len(original))


def test_next_write_removes_a_temp_file_a_killed_run_left(tmp_path):
    from segamp.source import atomic_write

    target = tmp_path / "a.ts"
    target.write_text("old\n")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".segamp-a.ts.{dead.pid}.tmp"
    stale.write_text("new\n")
    live = tmp_path / f".segamp-a.ts.{os.getppid()}.tmp"   # a running process's: not ours to remove
    live.write_text("new\n")
    atomic_write(str(target), b"new\n", 0o644)
    assert target.read_text() == "new\n"
    assert not stale.exists() and live.exists()


def test_sigint_mid_rewrite_stops_cleanly(kill_trees):
    base, original, expected = kill_trees
    work, code, err = _start_and_signal(base, original, signal.SIGINT, "interrupted")
    assert "Traceback" not in err, err
    assert code == 130, err
    old, new = _assert_each_file_old_or_new(work, original, expected)
    assert new >= 1 and old >= 1, (old, new)
    assert "segamp: interrupted after " in err and " files" in err, err   # says how far it got, not a finished run
