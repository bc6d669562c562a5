"""No Python output gains an import below a statement (flake8's E402), nor a run of more than
two blank lines (E303), that its input did not have: what segamp writes goes with the imports
(imports) or below them (statements, helper functions), two blank lines around a def."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAIRS = sorted((p / "input.py", p / "expected.py") for p in (ROOT / "fixtures" / "python").iterdir()
               if (p / "expected.py").is_file())
PAIRS += sorted((project / "input" / p.relative_to(project / "expected"), p)
                for project in (ROOT / "fixtures" / "projects").glob("py_*") for p in project.glob("expected/**/*.py")
                if "{{" not in str(p))   # a project template's file: not Python until rendered


def _late_imports(text: str) -> int:
    """Top-level imports that follow a statement other than an import, a docstring or a
    conditional block (pycodestyle's E402)."""
    count, seen_code = 0, False
    for i, stmt in enumerate(ast.parse(text).body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            count += seen_code
        elif not (i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)) \
                and not isinstance(stmt, (ast.If, ast.Try, ast.With)):
            seen_code = True
    return count


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: str(p[1].relative_to(ROOT / "fixtures")))
def test_no_import_below_a_statement_segamp_wrote(pair):
    source, expected = pair
    before = _late_imports(source.read_text(encoding="utf-8")) if source.is_file() else 0
    assert _late_imports(expected.read_text(encoding="utf-8")) <= before


def _long_blank_runs(text: str) -> int:
    return len(re.findall(r"\n\n\n\n+(?=\S)", text))


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: str(p[1].relative_to(ROOT / "fixtures")))
def test_no_run_of_three_blank_lines_segamp_wrote(pair):
    source, expected = pair
    before = _long_blank_runs(source.read_text(encoding="utf-8")) if source.is_file() else 0
    assert _long_blank_runs(expected.read_text(encoding="utf-8")) <= before
