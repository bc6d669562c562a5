"""The next steps a person must take after `segamp rewrite`: one line per distinct step (env
vars to set, lockfiles to regenerate, dependencies to reinstall), with where each comes from,
the same in the json, diff and rich output; `check` lists none (nothing is rewritten yet)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

APP = '''import os
import segment.analytics as analytics

analytics.write_key = os.environ["SEGMENT_WRITE_KEY"]


def signup(user_id):
    analytics.track(user_id, "Signed Up")
'''

WORKER = '''from app import analytics


def done(user_id):
    analytics.track(user_id, "Job Done")
'''

PYPROJECT = '''[tool.poetry]
name = "svc"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
segment-analytics-python = "^2.2.3"
'''

POETRY_LOCK = '''[[package]]
name = "segment-analytics-python"
version = "2.3.2"
description = "The hassle-free way to integrate analytics into any python application."
'''

UV_LOCK = '''version = 1

[[package]]
name = "segment-analytics-python"
version = "2.3.2"
'''


def _project(tmp_path: Path) -> Path:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "app.py").write_text(APP)
    (tmp_path / "svc" / "worker.py").write_text(WORKER)
    (tmp_path / "svc" / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "svc" / "poetry.lock").write_text(POETRY_LOCK)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "uv.lock").write_text(UV_LOCK)
    return tmp_path


def _segamp(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", *args, "--no-progress"], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_json_lists_each_step_once_with_its_places(tmp_path):
    run = _segamp(_project(tmp_path), "rewrite", ".", "--dry-run", "--format", "json")
    steps = {s["step"]: s["places"] for s in json.loads(run.stdout)["next_steps"]}
    assert steps == {
        "Set AMPLITUDE_API_KEY to your Amplitude API key wherever the app runs (CI, hosting, .env files)":
            ["svc/app.py:4"],
        "Reinstall dependencies: the manifest now lists the Amplitude package": ["svc/pyproject.toml:7"],
        "Re-lock svc/poetry.lock: run `poetry lock`": ["svc/poetry.lock:2"],
        "Re-lock tools/uv.lock: run `uv lock`": ["tools/uv.lock:4"],
    }, run.stderr


def test_diff_output_ends_with_the_steps(tmp_path):
    run = _segamp(_project(tmp_path), "rewrite", ".", "--dry-run")
    tail = run.stderr[run.stderr.index("next steps:"):].splitlines()
    assert tail[1] == ("  - Set AMPLITUDE_API_KEY to your Amplitude API key wherever the app runs "
                       "(CI, hosting, .env files) (svc/app.py:4)")
    assert "  - Re-lock svc/poetry.lock: run `poetry lock` (svc/poetry.lock:2)" in tail


def test_rich_output_has_the_steps_with_a_hanging_indent(tmp_path):
    from rich.console import Console

    from segamp.config import load_config
    from segamp.engine import Engine
    from segamp.render import Report
    from segamp.render.rich_render import render

    root = _project(tmp_path)
    engine = Engine(load_config((str(root),), None))
    report = Report(command="rewrite", dry_run=True, stats=engine.stats, results=list(engine.run([str(root)])))
    console = Console(record=True, width=60, color_system=None)
    render(report, console=console)
    text = console.export_text()
    steps = text[text.index("Next steps"):].splitlines()
    assert steps[1].startswith("  • Set AMPLITUDE_API_KEY")
    assert steps[2].startswith("    ") and steps[2].strip(), steps  # wrapped under the text, not at column 0


def test_check_lists_no_steps(tmp_path):
    run = _segamp(_project(tmp_path), "check", ".", "--format", "json")
    assert json.loads(run.stdout)["next_steps"] == []
