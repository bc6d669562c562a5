"""Plain unified diff on stdout (apply with `git apply`/`patch -p1`); findings on stderr."""
from __future__ import annotations

import sys
from typing import Optional, TextIO

from ..model import Kind
from . import Report, finding_verb, unified_diff


def render(report: Report, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    err = err or sys.stderr
    if report.command == "rewrite":
        for result in report.changed:
            out.write(unified_diff(result))
    for result in report.results:
        if result.error:
            err.write(f"{result.path}: error: {result.error}\n")
        elif result.skipped:
            err.write(f"{result.path}: {result.skipped}\n")
        for f in result.findings:
            if report.command == "rewrite" and f.kind == Kind.CONVERTED:
                continue
            err.write(f"{f.path}:{f.line}:{f.column}: {finding_verb(report.command, f.kind)}: {f.message}"
                      + (f" [{f.rule}]" if f.rule else "") + "\n")
            if f.suggestion:
                err.write(f"    fix: {f.suggestion}\n")
    err.write(summary_line(report) + "\n")
    steps = report.next_steps()
    if steps:
        err.write("next steps:\n")
        for step in steps:
            err.write(f"  - {step.text} ({step.where()})\n")


def render_quiet(report: Report, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    err = err or sys.stderr
    """-q: the files that could not be processed and the summary line, nothing else."""
    for result in report.failed:
        err.write(f"{result.path}: error: {result.error}\n")
    err.write(summary_line(report) + "\n")


def summary_line(report: Report) -> str:
    s = report.stats
    if report.interrupted:
        done, total = report.progress
        where = f"after {done} of {total} files" if total else f"while scanning ({s.discovered:,} files seen)"
        return (f"segamp: interrupted {where}: {len(report.results)} reported, "
                f"{s.written} written (complete); nothing else was touched")
    parts = [f"{s.discovered} files scanned", f"{s.parsed} parsed"]
    if report.command == "rewrite":
        verb = "would change" if report.dry_run else "changed"
        parts.append(f"{len(report.changed)} {verb}")
        parts.append(f"{report.count(Kind.CONVERTED)} calls converted")
    else:
        # a file segamp cannot migrate yet (Swift, a left client) uses Segment as much as one
        # it can convert: both are counted, the convertible ones said apart
        using = [r for r in report.results if r.changed or r.findings]
        parts.append(f"{len(using)} files still use Segment ({len(report.changed)} convertible)")
    parts.append(f"{report.count(Kind.MANUAL)} need a person")
    parts.append(f"{report.count(Kind.UNSUPPORTED)} unsupported")
    parts.append(f"{len(report.failed)} errors")
    return "segamp: " + ", ".join(parts)
