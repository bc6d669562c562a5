"""Fixtures are the spec: fixtures/<language>/<case>/ holds

  input.<ext>      the code before (any extension segamp reads; package.json too)
  expected.<ext>   the code after; absent means "must NOT change"
  case.toml        optional: description, [config] overrides, expected findings:
                     [[finding]] line = 3, kind = "manual", rule = "alias"
                   a finding entry may give just line+kind; unlisted manual/unsupported/error
                   findings fail the case (converted ones need not be listed).
                   tsc = "skip" (with tsc_reason) to leave a case out of the type-check.
"""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from segamp.config import Config
from segamp.engine import Engine
from segamp.model import FileResult, Kind

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@dataclass
class Case:
    language: str
    name: str
    folder: Path
    input: Path
    expected: Path
    meta: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.language}/{self.name}"

    @property
    def must_not_change(self) -> bool:
        return not any(self.folder.glob("expected.*")) and not any(self.folder.glob("expected"))


def _pick(folder: Path, stem: str) -> Path | None:
    for p in sorted(folder.iterdir()):
        if p.name == stem or p.name.startswith(stem + "."):
            return p
    return None


def load_cases(language: str | None = None) -> list[Case]:
    cases = []
    for lang_dir in sorted(FIXTURES.iterdir()) if FIXTURES.is_dir() else []:
        if not lang_dir.is_dir() or lang_dir.name == "projects" or (language and lang_dir.name != language):
            continue  # fixtures/projects/ holds multi-file projects: tests/test_projects.py
        for folder in sorted(lang_dir.iterdir()):
            if not folder.is_dir():
                continue
            inp = _pick(folder, "input")
            if inp is None:
                continue
            exp = _pick(folder, "expected") or inp
            meta = {}
            if (folder / "case.toml").exists():
                meta = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
            cases.append(Case(lang_dir.name, folder.name, folder, inp, exp, meta))
    return cases


def target_name(case: Case) -> str:
    """The name the input gets in the sandbox: input.tsx -> app.tsx, input.package.json -> package.json."""
    name = case.input.name
    rest = name[len("input"):]
    if rest.startswith(".") and rest.count(".") >= 2 and not rest.endswith((".ts", ".tsx", ".js", ".jsx", ".py")):
        return rest[1:]  # input.package.json -> package.json, input.requirements.txt -> requirements.txt
    return case.meta.get("filename", "app" + rest)


def run_case(case: Case, tmp: Path, config_overrides: dict | None = None) -> tuple[FileResult, str]:
    """Run the engine on the case's input in a sandbox; returns the result and the new text."""
    sandbox = tmp / case.name
    if sandbox.exists():
        shutil.rmtree(sandbox)
    sandbox.mkdir(parents=True)
    for extra in case.folder.iterdir():  # sibling modules for cross-file cases: other_*.ext
        if extra.name.startswith("other_"):
            dest = sandbox / extra.name[len("other_"):].replace("__", "/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(extra, dest)
    target = sandbox / target_name(case)
    shutil.copy(case.input, target)
    config = Config()
    for key, value in {**case.meta.get("config", {}), **(config_overrides or {})}.items():
        setattr(config, key, value)
    engine = Engine(config)
    results = list(engine.run([str(sandbox)]))
    mine = [r for r in results if os.path.abspath(r.fs_path or r.path) == str(target)]
    if not mine:  # no marker: the prefilter never parsed it, which is "unchanged"
        text = target.read_text(encoding="utf-8")
        return FileResult(str(target), case.language, old_text=text, new_text=text), text
    result = mine[0]
    new = result.new_text if result.new_text is not None else result.old_text
    return result, new


def check_findings(case: Case, result: FileResult) -> list[str]:
    problems = []
    expected = case.meta.get("finding", [])
    got = [f for f in result.findings]
    for exp in expected:
        match = [f for f in got if f.line == exp["line"] and f.kind.value == exp["kind"]
                 and ("rule" not in exp or f.rule == exp["rule"])
                 and ("contains" not in exp or exp["contains"] in f.message)]
        if not match:
            problems.append(f"expected finding {exp} not reported; got {[(f.line, f.kind.value, f.rule, f.message) for f in got]}")
    for f in got:
        if f.kind in (Kind.MANUAL, Kind.UNSUPPORTED, Kind.ERROR):
            if not any(f.line == e["line"] and f.kind.value == e["kind"] for e in expected):
                problems.append(f"unexpected {f.kind.value} finding at line {f.line}: {f.rule}: {f.message}")
    return problems
