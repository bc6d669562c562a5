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
from . import kept_note, scope_for

DEP_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


class PackageJsonHandler(Handler):
    name = "package.json"
    ecosystem = "npm"   # rules/packages.toml's table
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
        scope = scope_for(ctx, source.path)
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
                if rule is not None and name in scope.kept:
                    line, col = _line_col(source, span[0])
                    added = self._add_target(source, analysis, name, rule, scope, span, existing)
                    missing = rule.get("to") if added is None and rule.get("to") in scope.add - existing else None
                    analysis.findings.append(kept_note(name, rule, scope, line, col, added, missing))
                    continue
                if rule is None:
                    if name.startswith("@segment/"):
                        line, col = _line_col(source, span[0])
                        analysis.findings.append(findings.make(
                            "other-segment-sdk", line, col, package=name,
                            amplitude="see the Amplitude SDK for that platform; remove it once no code uses it"))
                    continue
                m = _entry_re(name).search(source.text, span[0], span[1])
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

    def _add_target(self, source: SourceFile, analysis: Analysis, name: str, rule: dict, scope, span: tuple[int, int],
                    existing: set) -> Optional[str]:
        """The Segment package stays (code still uses it), but converted code imports its
        Amplitude package: a new entry right after the kept one, formatted like it."""
        target = rule.get("to")
        if not target or target not in scope.add or target in existing:
            return None
        m = _entry_re(name).search(source.text, span[0], span[1])
        if m is None:
            return None
        # at the end of the kept entry's value, before its comma if it has one: the comma goes
        # between the two, and removing a last entry after it (which takes that comma) still fits
        at = m.start(3) if m.group(3) else m.end()
        entry = f'{m.group(1)}"{target}"{m.group(2)}"{rule["version"]}"'
        analysis.edits.append(Edit(source.byte_offset(at), source.byte_offset(at), "," + entry))
        existing.add(target)
        line, col = _line_col(source, at)
        if "\n" in m.group(1):   # on a line of its own, indented like the kept one
            line, col = line + 1, len(m.group(1)) - m.group(1).rfind("\n")
        else:
            col += 1 + len(m.group(1))
        analysis.findings.append(findings.make(
            "dependency-replaced", line, col,
            change=f"added {target}@{rule['version']} after {name}, which code still uses: the code segamp converted imports it"))
        return f"{target}@{rule['version']}"


def _entry_re(name: str) -> "re.Pattern":
    return re.compile(r'(\n?[ \t]*)"' + re.escape(name) + r'"(\s*:\s*)"[^"]*"(\s*,)?')


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
