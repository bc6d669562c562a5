"""What CI and reviewers read: SARIF for code scanning, GitHub annotations, the markdown report
for the pull request, -q, --color, -V, the default path, and config mistakes named with a hint."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from segamp.core import findings

TS = '''import { AnalyticsBrowser } from '@segment/analytics-next'

export const analytics = AnalyticsBrowser.load({ writeKey: process.env.SEGMENT_WRITE_KEY! })

export function a(id: string) {
  analytics.alias(id)
}

export function b(id: string) {
  analytics.alias(id)
}

export function c() {
  analytics.track('Clicked', { where: 'top' })
}
'''

PACKAGE = '{\n  "name": "web",\n  "dependencies": {\n    "@segment/analytics-next": "^1.70.0"\n  }\n}\n'
LOCK = '{\n  "name": "web",\n  "packages": {\n    "node_modules/@segment/analytics-next": {\n      "version": "1.70.0"\n    }\n  }\n}\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "analytics.ts").write_text(TS)
    (tmp_path / "package.json").write_text(PACKAGE)
    (tmp_path / "package-lock.json").write_text(LOCK)
    return tmp_path


def _segamp(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_sarif_is_2_1_0_with_catalog_rules_and_regions(project):
    run = _segamp(project, "check", ".", "--format", "sarif")
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    driver = doc["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(findings.catalog())
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in driver["rules"])
    results = doc["runs"][0]["results"]
    alias = [r for r in results if r["ruleId"] == "alias"]
    assert len(alias) == 2 and {r["level"] for r in alias} == {"error"}
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        reg = r["locations"][0]["physicalLocation"]["region"]
        assert reg["endLine"] >= reg["startLine"] and reg["endColumn"] > reg["startColumn"], r
    first = alias[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "src/analytics.ts"
    line = TS.splitlines()[first["region"]["startLine"] - 1]
    assert line[first["region"]["startColumn"] - 1:first["region"]["endColumn"] - 1] == "analytics.alias(id)"
    assert {r["level"] for r in results if r["ruleId"] == "call-converted"} == {"warning"}


def test_github_annotations_escape_and_place(project):
    run = _segamp(project, "check", ".", "--format", "github")
    lines = [x for x in run.stdout.splitlines() if x.startswith("::")]
    alias = [x for x in lines if "title=segamp alias" in x]
    assert len(alias) == 2
    assert re.match(r"::error file=src/analytics\.ts,line=6,col=3,endColumn=22,title=segamp alias::alias\(\) ", alias[0]), alias[0]
    assert all(re.match(r"::(error|warning|notice) file=[^,]+(,line=\d+,col=\d+,endColumn=\d+)?,title=", x) for x in lines)
    assert run.stdout.splitlines()[-1].startswith("segamp: ")


def test_markdown_report_groups_repeated_findings(project, tmp_path):
    out = tmp_path / "report.md"
    run = _segamp(project, "rewrite", ".", "--dry-run", "--report", str(out), "-q")
    assert run.returncode == 0, run.stderr
    md = out.read_text()
    assert md.startswith("# Segment → Amplitude migration: segamp rewrite (dry run)\n")
    [alias] = [x for x in md.splitlines() if "`alias`" in x]
    assert "×2" in alias and "`src/analytics.ts:6`, `src/analytics.ts:10`" in alias
    assert "| typescript | `src/analytics.ts` |" in md
    assert "- [ ] Set AMPLITUDE_API_KEY to your Amplitude API key" in md
    assert "- [ ] Re-lock package-lock.json: run `npm install`" in md
    assert "## Mapping in force" in md and "| group type | '[Segment] Group' |" in md
    again = tmp_path / "again.md"
    _segamp(project, "rewrite", ".", "--dry-run", "--report", str(again), "-q")
    assert again.read_text() == md   # deterministic


def test_quiet_prints_only_the_summary(project):
    run = _segamp(project, "rewrite", ".", "--dry-run", "-q")
    assert run.stdout == ""
    assert run.stderr.splitlines() == [run.stderr.strip()] and run.stderr.startswith("segamp: ")


def test_check_json_says_convertible_not_converted(project):
    doc = json.loads(_segamp(project, "check", "--format", "json").stdout)   # default path: .
    kinds = {f["kind"] for file in doc["files"] for f in file["findings"]}
    assert "convertible" in kinds and "converted" not in kinds


def test_color_flag_and_version(project):
    always = _segamp(project, "check", ".", "--format", "rich", "--color", "always")
    never = _segamp(project, "check", ".", "--format", "rich", "--color", "never")
    assert "\x1b[" in always.stdout and "\x1b[" not in never.stdout
    assert re.fullmatch(r"segamp, version \S+\n", _segamp(project, "-V").stdout)


@pytest.mark.parametrize("text, message", [
    ('[tool.segamp]\npage_evnt = "x"\n', "unknown key 'page_evnt' in [tool.segamp]; did you mean 'page_event'?"),
    ('[tool.segamp]\npage_event = "x\n', "not valid TOML"),
])
def test_config_mistakes_exit_2_naming_the_file(project, text, message):
    (project / "pyproject.toml").write_text(text)
    run = _segamp(project, "check", ".")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "pyproject.toml: " in run.stderr and message in run.stderr, run.stderr
    if "TOML" in message:
        assert "line 2" in run.stderr


def test_broken_pyproject_without_segamp_table_is_not_our_config(project):
    (project / "pyproject.toml").write_text('[tool.black\nline-length = 1\n')
    assert _segamp(project, "check", ".").returncode == 1


def _git_project(project: Path) -> Path:
    for args in (("init", "-q"), ("add", "-A"), ("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)
    return project


def test_rewrite_refuses_to_write_over_uncommitted_changes(project):
    _git_project(project)
    src = project / "src" / "analytics.ts"
    src.write_text(TS + "// work in progress\n")
    run = _segamp(project, "rewrite", ".")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "uncommitted changes (src/analytics.ts); nothing was written" in run.stderr, run.stderr
    assert src.read_text() == TS + "// work in progress\n"
    assert "@segment/analytics-next" in (project / "package.json").read_text()   # not half-written either
    assert _segamp(project, "rewrite", ".", "--dry-run").returncode == 0          # a dry run writes nothing
    run = _segamp(project, "rewrite", ".", "--allow-dirty")
    assert run.returncode == 0, run.stderr
    assert "@amplitude/analytics-browser" in src.read_text()


def test_changed_since_reports_only_changed_files(project):
    _git_project(project)
    (project / "src" / "other.ts").write_text("import { analytics } from './analytics'\nanalytics.track('Other')\n")
    doc = json.loads(_segamp(project, "check", ".", "--changed-since", "HEAD", "--format", "json").stdout)
    assert [f["path"] for f in doc["files"]] == ["src/other.ts"]
    run = _segamp(project, "rewrite", ".", "--changed-since", "HEAD")
    assert run.returncode == 2 and "--changed-since narrows what is reported" in run.stderr
    bad = _segamp(project, "check", ".", "--changed-since", "no-such-ref")
    assert bad.returncode == 2 and "--changed-since no-such-ref:" in bad.stderr and "Traceback" not in bad.stderr


def test_pre_commit_hook_checks_the_staged_files(project):
    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    entry = re.search(r"^\s*entry: (.+)$", hooks, re.M).group(1).split()
    assert entry[:2] == ["segamp", "check"] and "pass_filenames: true" in hooks
    run = subprocess.run([sys.executable, "-m", "segamp", *entry[1:], "src/analytics.ts"], cwd=project,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "src/analytics.ts:6:3: manual: alias()" in run.stderr, run.stderr
    (project / "README.md").write_text("no analytics here\n")
    clean = subprocess.run([sys.executable, "-m", "segamp", *entry[1:], "README.md"], cwd=project,
                           capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stderr


def test_real_pre_commit_run_on_a_sample_repo(project, tmp_path):
    """pre-commit itself (try-repo: this checkout as the hook repository) on staged files."""
    root = Path(__file__).resolve().parent.parent
    _git_project(project)
    env = dict(__import__("os").environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    hook = [sys.executable, "-m", "pre_commit", "try-repo", str(root), "segamp-check"]
    failed = subprocess.run(hook + ["--all-files"], cwd=project, capture_output=True, text=True, timeout=900, env=env)
    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-2000:]
    assert "segamp check (Segment usage left)" in failed.stdout and "Failed" in failed.stdout
    assert "src/analytics.ts:6:3: manual: alias()" in failed.stdout
    (project / "src" / "analytics.ts").write_text("export const x = 1\n")
    (project / "package.json").write_text('{\n  "name": "web"\n}\n')
    (project / "package-lock.json").unlink()
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    passed = subprocess.run(hook, cwd=project, capture_output=True, text=True, timeout=900, env=env)
    assert passed.returncode == 0 and "Passed" in passed.stdout, passed.stdout[-3000:]


def test_rich_diff_marks_cut_lines_and_texts_are_cut_at_words(tmp_path):
    from rich.console import Console

    from segamp.core.findings import shorten
    from segamp.render.rich_render import _fit

    assert _fit("+" + "x" * 100, 40) == "+" + "x" * 38 + "…"
    assert _fit("short", 40) == "short"
    assert shorten("the lockfile still pins segment-analytics-python and more words", 40) == \
        "the lockfile still pins…"
    assert shorten("fits", 40) == "fits"
    long = tmp_path / "long.ts"
    long.write_text("import { AnalyticsBrowser } from '@segment/analytics-next'\n"
                    "const analytics = AnalyticsBrowser.load({ writeKey: process.env.SEGMENT_WRITE_KEY! })\n"
                    f"analytics.track('Clicked', {{ {', '.join(f'k{i}: {i}' for i in range(40))} }})\n")
    run = subprocess.run([sys.executable, "-m", "segamp", "rewrite", "long.ts", "--dry-run", "--format", "rich",
                          "--color", "never"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env=dict(__import__("os").environ, COLUMNS="80"))
    assert any(line.endswith("…") and len(line) <= 80 for line in run.stdout.splitlines()), run.stdout
