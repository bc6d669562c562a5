"""package.json: replace Segment dependencies in place, one key at a time.

Edits the text, not a re-serialised JSON, so indentation, key order and every other entry
stay byte-identical.
"""
from __future__ import annotations

import json
import re
from typing import Optional

from .. import tables
from ..languages.base import Handler, ProjectContext
from ..core import findings
from ..model import Analysis, Edit
from ..source import SourceFile
from . import kept_note

DEP_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


class PackageJsonHandler(Handler):
    name = "package.json"
    manifest = True  # edited last: keeps a Segment package while code still uses it
    filenames = ("package.json",)
    markers = (b"@segment/", b"segment-analytics", b"\"analytics-node\"")

    def parse_error(self, source: SourceFile) -> Optional[str]:
        try:
            json.loads(source.text)
        except json.JSONDecodeError as exc:
            return f"line {exc.lineno}: {exc.msg}"
        return None

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        table = tables.load("packages")["npm"]
        doc = json.loads(source.text)
        analysis = Analysis()
        if not isinstance(doc, dict):
            return analysis
        for section in DEP_SECTIONS:
            deps = doc.get(section)
            if not isinstance(deps, dict):
                continue
            span = _section_span(source.text, section)
            if span is None:
                continue
            existing = set(deps)
            for name in deps:
                rule = table.get(name)
                if rule is not None and name in ctx.blocked_packages:
                    line, col = _line_col(source, span[0])
                    analysis.findings.append(kept_note(name, rule, ctx, line, col))
                    continue
                if rule is None:
                    if name.startswith("@segment/"):
                        line, col = _line_col(source, span[0])
                        analysis.findings.append(findings.make(
                            "other-segment-sdk", line, col, package=name,
                            amplitude="see the Amplitude SDK for that platform; remove it once no code uses it"))
                    continue
                m = re.compile(r'(\n?[ \t]*)"' + re.escape(name) + r'"(\s*:\s*)"[^"]*"(\s*,)?').search(source.text, span[0], span[1])
                if m is None:
                    continue
                line, col = _line_col(source, m.start() + len(m.group(1)))
                start, end = source.byte_offset(m.start()), source.byte_offset(m.end())
                if rule.get("remove") or rule["to"] in existing:
                    # Drop the entry with its line; keep the JSON valid when it was the last one.
                    text = ""
                    if not m.group(3):
                        prev = source.text.rfind(",", span[0], m.start())
                        between = source.text[prev + 1:m.start()] if prev != -1 else "x"
                        if prev != -1 and between.strip() == "":
                            start = source.byte_offset(prev)
                    analysis.edits.append(Edit(start, end, text))
                    msg = f"removed {name} from {section}" + (f" ({rule['note']})" if rule.get("note") else "")
                else:
                    # the entry without its comma: removing the next (last) entry may take it
                    new = f'{m.group(1)}"{rule["to"]}"{m.group(2)}"{rule["version"]}"'
                    analysis.edits.append(Edit(start, source.byte_offset(m.start(3) if m.group(3) else m.end()), new))
                    existing.add(rule["to"])
                    msg = f"{name} → {rule['to']}@{rule['version']} in {section}"
                    if rule.get("note"):
                        msg += f" ({rule['note']})"
                analysis.findings.append(findings.make("dependency-replaced", line, col, change=msg))
        return analysis


def _section_span(text: str, section: str) -> Optional[tuple[int, int]]:
    m = re.search(r'"' + section + r'"\s*:\s*\{', text)
    if not m:
        return None
    depth, i = 1, m.end()
    in_str = False
    while i < len(text) and depth:
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    return m.end(), i


def _line_col(source: SourceFile, char_offset: int) -> tuple[int, int]:
    return source.line_col(source.byte_offset(char_offset))
