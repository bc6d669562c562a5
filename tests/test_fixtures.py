"""Every fixture: input -> expected, expected findings, idempotent, and output parses."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixturelib import check_findings, load_cases, run_case, target_name

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case, tmp_path):
    result, new = run_case(case, tmp_path)
    assert result.error is None, f"{case.id}: {result.error}"
    expected = case.expected.read_text(encoding="utf-8")
    assert new == expected, f"{case.id}: output differs from {case.expected.name}"
    problems = check_findings(case, result)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture_is_idempotent(case, tmp_path):
    """Apply the rewrite to the whole case (with its sibling modules), run again: nothing changes."""
    from segamp.config import Config
    from segamp.engine import Engine, write_changed

    run_case(case, tmp_path)  # lays the case out in tmp_path/<name>
    folder = tmp_path / case.name
    config = Config()
    for key, value in case.meta.get("config", {}).items():
        setattr(config, key, value)
    for result in Engine(config).run([str(folder)]):
        if result.changed:
            assert write_changed(result) is None
    again = [r for r in Engine(config).run([str(folder)]) if r.changed]
    assert not again, f"{case.id}: a second run changed {[r.path for r in again]}"
