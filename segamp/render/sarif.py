"""SARIF 2.1.0 on stdout, as GitHub code scanning takes it (upload-sarif).

`rules[]` is the findings catalog (title, why, what to do); each result names its rule by id
and index, with a region that ends where the flagged text on that line ends."""
from __future__ import annotations

import json
import re
import sys
from typing import Optional, TextIO

from .. import __version__
from ..core import findings
from ..model import FileResult, Finding, Kind
from . import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/segamp/segamp"


def level(command: str, kind: Kind) -> str:
    """check fails on everything that is still Segment; a rewrite only on what needs a person."""
    if kind in (Kind.MANUAL, Kind.UNSUPPORTED, Kind.ERROR):
        return "error"
    return "warning" if command == "check" else "note"


def _rules() -> list[dict]:
    out = []
    for rid, e in findings.catalog().items():
        todo = e.get("suggestion", "")
        help_text = e["why"] + (f" What to do: {todo}" if todo and "{" not in todo else "")
        out.append({
            "id": rid,
            # a readable name that differs from the id (SARIF1001): the title in PascalCase
            "name": "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", e["title"])),
            "shortDescription": {"text": e["title"]},
            "fullDescription": {"text": e["why"]},
            "help": {"text": help_text, "markdown": f"**{e['title']}**\n\n{help_text}\n\n`segamp explain {rid}`"},
            "defaultConfiguration": {"level": "error" if e["kind"] != "converted" else "warning"},
            "properties": {"kind": e["kind"], "safety": e["safety"]},
        })
    return out


def region(result: FileResult, f: Finding) -> dict:
    """From the finding's column to the end of the statement's text on that line (SARIF columns
    are 1-based, in characters, end exclusive)."""
    lines = (result.old_text or "").splitlines()
    text = lines[f.line - 1] if 0 < f.line <= len(lines) else ""
    end = max(len(text.rstrip()) + 1, f.column + 1)
    return {"startLine": f.line, "startColumn": f.column, "endLine": f.line, "endColumn": end}


def _uri(path: str) -> str:
    """A relative URI (against %SRCROOT%): forward slashes, no leading './'."""
    path = path.replace("\\", "/")
    return path[2:] if path.startswith("./") else path


def render(report: Report, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    err = err or sys.stderr
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for r in report.results:
        if r.error:
            results.append({"ruleId": "file-error", "level": "error", "message": {"text": r.error},
                            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(r.path)}}}]})
        for f in r.findings:
            if report.command == "rewrite" and f.kind == Kind.CONVERTED:
                continue
            item = {"ruleId": f.rule, "level": level(report.command, f.kind),
                    "message": {"text": f.message + (f" — {f.suggestion}" if f.suggestion else "")},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path or r.path), "uriBaseId": "%SRCROOT%"},
                        "region": region(r, f)}}]}
            if f.rule in index:
                item["ruleIndex"] = index[f.rule]
            results.append(item)
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "segamp", "version": __version__, "informationUri": INFO_URI,
                            "rules": rules}},
        "results": results,
    }]}
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")
