"""The wheel a user gets from `pip install .` carries the rules and runs from outside the checkout."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_rules_and_runs(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("segamp-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"segamp/rules/javascript.toml", "segamp/rules/packages.toml"} <= names
    assert "segamp/rules.py" not in names  # would be shadowed by the segamp.rules data package
    # run the installed code (not the checkout) from an unrelated cwd
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    demo = ROOT / "examples" / "shop"
    run = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r}); "
                          "from segamp.cli import main; main()", "check", str(demo), "--format", "json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 1, run.stderr  # the demo still uses Segment
    assert "Traceback" not in run.stderr
    assert '"files_changed"' in run.stdout
