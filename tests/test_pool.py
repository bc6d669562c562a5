"""The worker processes change nothing: on a tree holding every fixture input (well over the
pool's threshold), `rewrite --dry-run` and `check` print byte-identical output with 1 and 2
workers, which index and analyse it."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pool")
    for project in sorted((ROOT / "fixtures" / "projects").iterdir()):
        if (project / "input").is_dir():
            shutil.copytree(project / "input", base / "projects" / project.name)
    for family in ("typescript", "python"):
        for case in sorted((ROOT / "fixtures" / family).iterdir()):
            for f in case.glob("input*"):
                name = f.name.replace("input", case.name, 1) if f.name.startswith("input.") else f"{case.name}-{f.name}"
                dest = base / "single" / family / case.name / name.replace(f"{case.name}.", "main.", 1) \
                    if f.suffix in (".toml", ".txt", ".cfg", ".json") else base / "single" / family / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(f, dest)
    return base


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segamp", *args, "--no-progress"], cwd=cwd,
                          capture_output=True, timeout=600)


@pytest.mark.parametrize("command", [("rewrite", ".", "--dry-run", "--format", "json"),
                                     ("rewrite", ".", "--dry-run", "--format", "diff"),
                                     ("check", ".", "--format", "json")])
def test_two_workers_print_what_one_prints(corpus, command):
    one = _run(corpus, *command, "--jobs", "1")
    two = _run(corpus, *command, "--jobs", "2")
    assert one.returncode == two.returncode
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert one.stdout.count(b'"status": "changed"') >= 40 or one.stdout.count(b"+++ b/") >= 40


def test_the_workers_index_and_analyse_that_tree(corpus, monkeypatch):
    from segamp import pool
    from segamp.config import Config
    from segamp.engine import Engine

    steps = []
    real = pool.Forked.run

    def recording(self, step, payload, indexes, on_progress=None):
        out = real(self, step, payload, indexes, on_progress)
        shares = {self.owner[i] for i in indexes}
        steps.append((step, len(self.conns), len(shares)))
        return out
    monkeypatch.setattr(pool.Forked, "run", recording)
    config = Config()
    config.jobs = 2
    results = list(Engine(config).run([str(corpus)]))
    assert results
    # both steps ran on two workers, each with a share of the files
    assert ("index", 2, 2) in steps and ("analyse", 2, 2) in steps
    assert steps[0][0] == "index" and steps[-1][0] == "analyse"
