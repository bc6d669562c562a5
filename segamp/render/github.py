"""GitHub Actions workflow commands: one `::error file=…,line=…,col=…::` annotation per finding,
so the pull request shows each one on its line; the summary and next steps as plain lines."""
from __future__ import annotations

import sys
from typing import Optional, TextIO

from ..model import Kind
from . import Report
from .sarif import level, region
from .unified import summary_line

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    err = err or sys.stderr
    for r in report.results:
        if r.error:
            out.write(f"::error file={_prop(r.path)},title={_prop('segamp: file not processed')}::{_data(r.error)}\n")
        for f in r.findings:
            if report.command == "rewrite" and f.kind == Kind.CONVERTED:
                continue
            reg = region(r, f)
            cmd = _COMMAND[level(report.command, f.kind)]
            props = (f"file={_prop(f.path or r.path)},line={reg['startLine']},col={reg['startColumn']},"
                     f"endColumn={reg['endColumn']},title={_prop('segamp ' + f.rule)}")
            text = f.message + (f" — {f.suggestion}" if f.suggestion else "")
            out.write(f"::{cmd} {props}::{_data(text)}\n")
    out.write(summary_line(report) + "\n")
    for step in report.next_steps():
        out.write(f"next step: {step.text} ({step.where()})\n")
