"""One JSON document on stdout. The shape is versioned: tools may rely on it."""
from __future__ import annotations

import json
import sys
from typing import Optional, TextIO

from ..model import Kind
from . import Report, finding_verb, unified_diff

SCHEMA_VERSION = 1


def render(report: Report, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    err = err or sys.stderr
    files = []
    for r in report.results:
        files.append({
            "path": r.path,
            "language": r.language,
            "status": ("error" if r.error else "skipped" if r.skipped else
                       "created" if r.created else "changed" if r.changed else "unchanged"),
            "written": r.written,
            "error": r.error,
            "skipped": r.skipped,
            "findings": [dict(f.to_dict(), kind=finding_verb(report.command, f.kind)) for f in r.findings],
            "diff": unified_diff(r) if r.changed else None,
        })
    s = report.stats
    doc = {
        "schema": SCHEMA_VERSION,
        "command": report.command,
        "dry_run": report.dry_run,
        "interrupted": report.interrupted,
        "summary": {
            "files_discovered": s.discovered,
            "files_parsed": s.parsed,
            "files_changed": len(report.changed),
            "files_written": sum(1 for r in report.results if r.written),
            "files_failed": len(report.failed),
            "findings": {k.value: report.count(k) for k in Kind},
            "by_language": s.by_language,
        },
        "next_steps": [step.to_dict() for step in report.next_steps()],
        "files": files,
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")
