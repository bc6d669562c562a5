"""SARIF validated by Microsoft's SARIF multitool (npm, from tests/sarif/package-lock.json), and
the markdown report snapshot-tested on the bundled multi-language demo (examples/shop: TS, HTML,
Python, package.json, requirements.txt). SEGAMP_UPDATE_SNAPSHOTS=1 rewrites the snapshot."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SARIF_DIR = ROOT / "tests" / "sarif"
SNAPSHOT = ROOT / "tests" / "snapshots" / "shop-report.md"


def _multitool() -> Path:
    tool = SARIF_DIR / "node_modules" / ".bin" / "sarif-multitool"
    if tool.exists():
        return tool
    if shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("npm is required in CI to validate SARIF output")
        pytest.skip("npm not found: SARIF output was NOT validated")
    proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SARIF_DIR, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail("npm ci failed in tests/sarif:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])
    return tool


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")
    return tmp_path


def _segamp(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", *args, "--no-progress"], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [("check", "shop"), ("rewrite", "shop", "--dry-run")])
def test_sarif_passes_the_multitool_validator(shop, command):
    tool = _multitool()
    run = _segamp(shop, *command, "--format", "sarif")
    assert run.stdout.startswith("{"), run.stderr
    out = shop / "out.sarif"
    out.write_text(run.stdout)
    check = subprocess.run([str(tool), "validate", str(out)], capture_output=True, text=True, timeout=300)
    problems = [x for x in check.stdout.splitlines() if re.search(r": (error|warning) SARIF\d+", x)]
    assert check.returncode == 0 and not problems, check.stdout[-3000:] + check.stderr[-2000:]
    assert "Analysis completed successfully" in check.stdout


def test_markdown_report_snapshot(shop):
    out = shop / "report.md"
    run = _segamp(shop, "rewrite", "shop", "--dry-run", "--report", str(out), "-q")
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    if os.environ.get("SEGAMP_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text)
    assert text == SNAPSHOT.read_text(), "report changed; review it and re-run with SEGAMP_UPDATE_SNAPSHOTS=1"


def test_json_counts_a_file_that_failed_as_an_error(tmp_path):
    # the text summary said "1 errors" and files_failed was 1 while findings.error said 0
    (tmp_path / "package.json").write_text('{"dependencies": {"@segment/analytics-node": "^2.1.0",}}\n')
    (tmp_path / "a.ts").write_text("import { Analytics } from '@segment/analytics-node'\n"
                                   "export const a = new Analytics({ writeKey: process.env.SEGMENT_WRITE_KEY! })\n")
    proc = _segamp(tmp_path, "rewrite", ".", "--dry-run", "--format", "json")
    summary = json.loads(proc.stdout)["summary"]
    assert summary["files_failed"] == 1 and summary["findings"]["error"] == 1
