"""Every TypeScript fixture project type-checks as a whole project with `tsc --strict` against
the real packages: its input against @segment/analytics-next (and @segment/analytics-node),
its input overlaid with expected/ against @amplitude/analytics-browser. Uses the project's own
tsconfig.json and the packages pinned in tests/typecheck/package-lock.json.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from test_typecheck import ERROR_RE, HERE, _npm_ready

PROJECTS = Path(__file__).resolve().parent.parent / "fixtures" / "projects"
TS_PROJECTS = sorted(p for p in PROJECTS.iterdir() if (p / "input" / "tsconfig.json").is_file()) if PROJECTS.is_dir() else []


@pytest.fixture(scope="module")
def tsc():
    return _npm_ready()


def _check(tsc: Path, folder: Path) -> list[str]:
    (folder / "node_modules").symlink_to(HERE / "node_modules")
    proc = subprocess.run(["node", str(tsc), "-p", str(folder / "tsconfig.json"), "--pretty", "false"],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    errors = [line.strip() for line in proc.stdout.splitlines() if ERROR_RE.match(line.strip())]
    if proc.returncode != 0 and not errors:
        pytest.fail("tsc failed without parseable errors:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    return errors


@pytest.mark.parametrize("project", TS_PROJECTS, ids=lambda p: p.name)
def test_project_input_typechecks_against_segment(tsc, project: Path, tmp_path: Path):
    folder = tmp_path / "before"
    shutil.copytree(project / "input", folder)
    errors = _check(tsc, folder)
    assert not errors, f"{project.name} input does not type-check against Segment:\n" + "\n".join(errors)


@pytest.mark.parametrize("project", TS_PROJECTS, ids=lambda p: p.name)
def test_project_output_typechecks_against_amplitude(tsc, project: Path, tmp_path: Path):
    folder = tmp_path / "after"
    shutil.copytree(project / "input", folder)
    if (project / "expected").is_dir():
        shutil.copytree(project / "expected", folder, dirs_exist_ok=True)
    errors = _check(tsc, folder)
    assert not errors, f"{project.name} output does not type-check:\n" + "\n".join(errors)
