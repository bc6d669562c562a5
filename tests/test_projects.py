"""Multi-file fixture projects: the closure rule and the project model, as a reviewer reads them.

fixtures/projects/<name>/
  input/      a small project tree as it is before
  expected/   only the files that change, as they are after; a file absent here must stay
              byte-identical (an empty or missing expected/ means: nothing changes)
  case.toml   description; optional [config] (e.g. partial = true); [[finding]] entries with
              path (relative to input/), line, kind and optionally rule. Manual, unsupported and
              error findings not listed fail the case.

Each project is rewritten in a temp copy through the real CLI, compared file by file, run
again to prove a second run changes nothing, and then `segamp check` must exit 1 exactly
while something of Segment remains.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "fixtures" / "projects"


def _projects() -> list[Path]:
    return sorted(p for p in PROJECTS.iterdir() if (p / "input").is_dir()) if PROJECTS.is_dir() else []


def _tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _segamp(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", *args], capture_output=True, text=True, cwd=cwd)


def _prepare(project: Path, tmp_path: Path) -> tuple[Path, dict]:
    meta = tomllib.loads((project / "case.toml").read_text(encoding="utf-8")) if (project / "case.toml").exists() else {}
    work = tmp_path / project.name
    shutil.copytree(project / "input", work)
    config = meta.get("config", {})
    if config:
        lines = [f"{k} = {json.dumps(v)}" for k, v in config.items()]
        (work / "segamp.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return work, meta


def _findings(report: dict) -> list[dict]:
    return [f for file in report["files"] for f in file["findings"]]


@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_project(project: Path, tmp_path: Path):
    work, meta = _prepare(project, tmp_path)
    before = _tree(work)
    run = _segamp("rewrite", ".", "--format", "json", "--no-progress", cwd=work)
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    after = _tree(work)
    expected = dict(before)
    expected.update({k: v for k, v in _tree(project / "expected").items()})
    expected.pop("segamp.toml", None)
    after.pop("segamp.toml", None)
    for rel in sorted(set(expected) | set(after)):
        assert after.get(rel) == expected.get(rel), f"{project.name}/{rel} differs from expected:\n" + \
            (after.get(rel, b"<missing>").decode("utf-8", "replace"))
    # findings: every listed one is reported; no unlisted manual/unsupported/error
    got = _findings(report)
    listed = meta.get("finding", [])
    for exp in listed:
        match = [f for f in got if Path(f["path"]).as_posix().endswith(exp["path"]) and f["line"] == exp["line"]
                 and f["kind"] == exp["kind"] and ("rule" not in exp or f["rule"] == exp["rule"])]
        assert match, f"expected finding {exp} not reported; got {[(f['path'], f['line'], f['kind'], f['rule']) for f in got]}"
    for f in got:
        if f["kind"] in ("manual", "unsupported", "error"):
            assert any(Path(f["path"]).as_posix().endswith(e["path"]) and f["line"] == e["line"] and f["kind"] == e["kind"]
                       for e in listed), f"unexpected {f['kind']} finding {f['path']}:{f['line']} {f['rule']}: {f['message']}"
    # a second run changes nothing
    again = _segamp("rewrite", ".", "--format", "json", "--no-progress", cwd=work)
    assert _tree(work) == {**after, **({"segamp.toml": (work / "segamp.toml").read_bytes()} if (work / "segamp.toml").exists() else {})}
    assert json.loads(again.stdout)["summary"]["files_changed"] == 0
    # check: exit 1 exactly while something of Segment remains
    check = _segamp("check", ".", "--format", "json", "--no-progress", cwd=work)
    remains = any(f["kind"] in ("manual", "unsupported") for f in _findings(json.loads(check.stdout)))
    assert check.returncode == (1 if remains else 0), check.stdout[-2000:]
