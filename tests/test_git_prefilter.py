"""In a git work tree, `git grep` does the literal prefilter (Python never opens a file that
holds no marker) and finds the files importing a client module; outside git, Python reads every
file. Both must give the same output, byte for byte, on every fixture project."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = sorted(p for p in (ROOT / "fixtures" / "projects").iterdir() if (p / "input").is_dir())


def _run(folder: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "segamp", "rewrite", ".", "--dry-run", "--format", "json", "--no-progress"],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    doc = json.loads(proc.stdout)
    return {"files": doc["files"], "findings": doc["summary"]["findings"], "changed": doc["summary"]["files_changed"]}


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_git_grep_prefilter_gives_the_walk_output(project, tmp_path):
    plain, repo = tmp_path / "plain", tmp_path / "repo"
    shutil.copytree(project / "input", plain)
    shutil.copytree(project / "input", repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    # half tracked, half untracked: git grep --untracked must see both
    tracked = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts)
    if tracked[::2]:
        subprocess.run(["git", "add", "--", *tracked[::2]], cwd=repo, check=True)
    assert _run(repo) == _run(plain)


def test_unmarked_files_are_never_read_in_a_git_tree(tmp_path, monkeypatch):
    from segamp.config import Config
    from segamp.engine import Engine

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "tracking.ts").write_text(
        "import { AnalyticsBrowser } from '@segment/analytics-next'\nexport const tracker = AnalyticsBrowser.load({ writeKey: 'k' })\n")
    (tmp_path / "src" / "page.ts").write_text("import { tracker } from './tracking'\ntracker.track('Viewed')\n")
    for i in range(20):
        (tmp_path / "src" / f"plain{i}.ts").write_text(f"export const n{i} = {i}\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    # tracked files are counted from git's index; an untracked one only when it holds a marker
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    (tmp_path / "src" / "untracked.ts").write_text("export const u = 1\n")
    engine = Engine(Config())
    read: list[str] = []
    real_read = engine._read
    monkeypatch.setattr(engine, "_read", lambda entry: read.append(Path(entry.path).name) or real_read(entry))
    results = {Path(r.path).name: r for r in engine.run([str(tmp_path)])}
    assert sorted(read) == ["page.ts", "tracking.ts"]   # page.ts: found by its import of ./tracking
    assert any(k.endswith("tracking.ts#tracker") for k in results["page.ts"].clients)   # bound as a use of the client
    assert engine.stats.discovered == 22


def _importer_project(root: Path, module: str) -> None:
    (root / "src").mkdir()
    (root / "src" / f"{module}.ts").write_text(
        "import { AnalyticsBrowser } from '@segment/analytics-next'\nexport const tracker = AnalyticsBrowser.load({ writeKey: 'k' })\n")
    (root / "src" / "page.ts").write_text(f"import {{ tracker }} from './{module}'\ntracker.track('Viewed')\n")
    for i in range(5):
        (root / "src" / f"plain{i}.ts").write_text(f"export const n{i} = {i}\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)


def _bound_in_page(root: Path) -> bool:
    from segamp.config import Config
    from segamp.engine import Engine

    results = {Path(r.path).name: r for r in Engine(Config()).run([str(root)])}
    return "page.ts" in results and any("#tracker" in k for k in results["page.ts"].clients)


def test_an_importer_the_early_grep_did_not_guess_is_found_by_a_second_one(tmp_path):
    # module names under 4 characters are not guessed while indexing runs (too many hits);
    # another Segment file's name is, so the early grep runs and misses page.ts
    _importer_project(tmp_path, "ax")
    (tmp_path / "src" / "other.ts").write_text("import { AnalyticsBrowser } from '@segment/analytics-next'\n"
                                               "AnalyticsBrowser.load({ writeKey: 'k' }).track('Other')\n")
    (tmp_path / "src" / "page.ts").write_text("import { tracker as t } from './ax'\nt.track('Viewed')\n")
    assert _bound_in_page(tmp_path)


def test_when_git_grep_fails_after_the_walk_the_files_are_read_instead(tmp_path, monkeypatch):
    import segamp.discover as discover

    _importer_project(tmp_path, "tracking")
    real, calls = discover._grep_result, []

    def failing_after_first(proc):
        calls.append(proc)
        return real(proc) if len(calls) == 1 else (proc and proc.kill(), None)[1]
    monkeypatch.setattr(discover, "_grep_result", failing_after_first)
    assert _bound_in_page(tmp_path)
    assert len(calls) >= 2


def test_a_grep_for_many_markers_finds_exactly_the_files_holding_one_literally(tmp_path):
    # past FIXED_PATTERNS_MAX markers git grep gets one regex alternation: every marker must
    # still match only itself (regex specials included) and every file holding one is listed
    from segamp.discover import FIXED_PATTERNS_MAX, git_grep

    markers = [f"mod{i}" for i in range(FIXED_PATTERNS_MAX)] + ["a.b", "x(y)", "p|q", "s$", "c++", "w\\z", "[k]", "@scope/m-n"]
    texts = {"dot.txt": "a.b", "dotless.txt": "axb", "paren.txt": "call x(y) here", "pipe.txt": "p|q",
             "pipeless.txt": "p q", "dollar.txt": "s$", "plus.txt": "c++", "plusless.txt": "cc", "back.txt": "w\\z",
             "brack.txt": "[k]", "k.txt": "k", "scope.txt": "from '@scope/m-n'", "mod.txt": "import mod3",
             "none.txt": "nothing here"}
    for name, text in texts.items():
        (tmp_path / name).write_text(text + "\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    found = git_grep(str(tmp_path), tuple(m.encode() for m in markers))
    assert found == {n for n, t in texts.items() if any(m in t for m in markers)}
    assert "dotless.txt" not in found and "k.txt" not in found


def test_a_tracked_file_a_gitignore_matches_is_migrated_with_its_client(tmp_path):
    # git grep --untracked leaves out tracked files that match .gitignore (a committed legacy/
    # folder, a Pipfile.lock under *.lock); left unread, legacy/jobs.py kept Segment's call
    # shape on the converted client
    (tmp_path / "app").mkdir()
    (tmp_path / "legacy").mkdir()
    (tmp_path / ".gitignore").write_text("*.lock\nlegacy/\n")
    (tmp_path / "app" / "conf.py").write_text("import os\nimport segment.analytics as analytics\n"
                                              "analytics.write_key = os.environ['SEGMENT_WRITE_KEY']\n")
    (tmp_path / "legacy" / "jobs.py").write_text("from app.conf import analytics\n\n\ndef run(uid):\n"
                                                 "    analytics.track(uid, 'Job Ran')\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-f", ".gitignore", "app", "legacy/jobs.py"], cwd=tmp_path, check=True)
    files = {Path(f["path"]).as_posix(): f for f in _run(tmp_path)["files"]}
    assert files["legacy/jobs.py"]["status"] == "changed"
    assert files["app/conf.py"]["status"] == "changed"
