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
    """Running segamp on its own output changes nothing."""
    second = tmp_path / "second"
    second.mkdir()
    shutil.copytree(case.folder, second / case.name)
    folder = second / case.name
    # the expected output becomes the input of the second run
    inp = next(folder.glob("input*"))
    shutil.copy(case.expected, inp)
    from fixturelib import Case

    again = Case(case.language, case.name, folder, inp, inp, case.meta)
    result, new = run_case(again, tmp_path / "run2")
    assert result.error is None
    assert new == case.expected.read_text(encoding="utf-8"), f"{case.id}: a second run changed the output"
