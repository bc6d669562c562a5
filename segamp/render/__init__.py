"""Renderers read a finished Report; they never change results or decide exit codes."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..engine import RunStats
from ..model import FileResult, Kind
from ..next_steps import Step, next_steps


@dataclass
class Report:
    command: str            # "rewrite" | "check"
    dry_run: bool
    results: list[FileResult] = field(default_factory=list)
    stats: RunStats = field(default_factory=RunStats)
    interrupted: bool = False
    progress: tuple[int, int] = (0, 0)   # (files analysed, files in the run) when interrupted

    @property
    def changed(self) -> list[FileResult]:
        return [r for r in self.results if r.changed]

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.error]

    @property
    def skipped(self) -> list[FileResult]:
        return [r for r in self.results if r.skipped and not r.error]

    def count(self, kind: Kind) -> int:
        return sum(r.count(kind) for r in self.results)

    def next_steps(self) -> list[Step]:
        """What a person does after this rewrite (none for check: nothing is rewritten yet)."""
        return next_steps(self.results) if self.command == "rewrite" else []


def unified_diff(result: FileResult) -> str:
    old = (result.old_text or "").splitlines(keepends=True)
    new = (result.new_text or "").splitlines(keepends=True)
    name = result.path.lstrip("/")
    # a file segamp creates is shown as git shows a new file
    lines = difflib.unified_diff(old, new, "/dev/null" if result.created else f"a/{name}", f"b/{name}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def finding_verb(command: str, kind: Kind) -> str:
    """The label of a finding's kind. check has rewritten nothing: a call segamp can convert is
    still Segment usage there, "convertible" (by `segamp rewrite`), not "converted"."""
    if command == "check" and kind == Kind.CONVERTED:
        return "convertible"
    return kind.value
