"""Python dependency manifests: the Segment package swapped for amplitude-analytics in place.

requirements*.txt, pyproject.toml (PEP 621 strings and Poetry tables), setup.py, setup.cfg and
Pipfile. Only the requirement itself is rewritten (name, extras, version spec); environment
markers, comments, quoting and every other line stay as they were. The mapping is
rules/packages.toml's [pypi] table.
"""
from __future__ import annotations

import re
from typing import Optional

from .. import tables
from ..languages.base import Handler, ProjectContext
from ..core import findings
from ..model import Analysis, Edit
from ..source import SourceFile
from . import kept_note

_SPEC = r"(?:\s*(?:===|==|!=|~=|<=|>=|<|>)\s*[\w.*+!-]+(?:\s*,\s*(?:===|==|!=|~=|<=|>=|<|>)\s*[\w.*+!-]+)*)?"


def _name_re(name: str) -> str:
    # PEP 503: runs of -, _ and . are equivalent, case-insensitive
    return "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))


class PythonManifestHandler(Handler):
    name = "python-deps"
    manifest = True  # edited last: keeps a Segment package while code still uses it
    filenames = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile")
    filename_patterns = (r"requirements.*\.(txt|in)", r".*requirements\.(txt|in)")
    markers = (b"nalytics",)
    comment_prefix = "#"

    def parse_error(self, source: SourceFile) -> Optional[str]:
        if source.path.endswith(("pyproject.toml", "Pipfile")):
            import sys

            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            try:
                tomllib.loads(source.text)
            except tomllib.TOMLDecodeError as exc:
                return str(exc)
        if source.path.endswith("setup.py"):
            import libcst as cst

            try:
                cst.parse_module(source.text)
            except cst.ParserSyntaxError as exc:
                return f"line {exc.raw_line}: {exc.message}"
        return None

    def index(self, source: SourceFile, ctx: ProjectContext, tree=None) -> None:
        if re.search(r"(?i)(?<![\w.-])analytics[-_.]python(?![\w.-])", source.text):
            ctx.add_evidence("pypi:analytics-python")

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        table = tables.load("packages")["pypi"]
        analysis = Analysis()
        text = source.text
        if _compiled_lock(text):
            return _report_compiled(source, table)
        toml_keys = source.path.endswith(("pyproject.toml", "Pipfile"))
        state = {"has_target": bool(re.search(r"(?i)(?<![\w.-])amplitude[-_.]analytics(?![\w.-])", text))}
        for old, rule in table.items():
            new, version = rule["to"], rule["version"]
            name = _name_re(old)
            if old in ctx.blocked_packages:
                m = re.search(rf"(?i)(?<![\w.-]){name}(?![\w.-])", text)
                if m:
                    line, col = source.line_col(source.byte_offset(m.start()))
                    analysis.findings.append(kept_note(old, rule, ctx, line, col))
                continue
            # `name = "spec"` / `name = { version = "spec", ... }` (Poetry, Pipfile)
            if toml_keys:
                for m in re.finditer(rf'(?im)^([ \t]*)["\']?({name})["\']?([ \t]*=[ \t]*)(\{{[^\n}}]*\}}|"[^"\n]*"|\'[^\'\n]*\')', text):
                    value = m.group(4)
                    if value.startswith("{"):
                        value = re.sub(r'(version\s*=\s*)("[^"]*"|\'[^\']*\')', lambda v: f'{v.group(1)}"{version}"', value)
                    else:
                        value = f'"{version}"'
                    self._replace(source, analysis, m.start(2), m.end(4), f"{new}{m.group(3)}{value}", old, new, state)
            # requirement strings: lines of requirements.txt, quoted strings elsewhere
            pattern = rf"(?i)(?<![\w.-])({name})(\[[^\]\n]*\])?({_SPEC})(?![\w.-])"
            for m in re.finditer(pattern, text):
                if toml_keys and re.match(r'["\']?[ \t]*=', text[m.end():]):
                    continue  # a key handled above
                line_start = text.rfind("\n", 0, m.start()) + 1
                before = text[line_start:m.start()]
                if "#" in before and not re.search(r"[\"']", before):
                    continue  # inside a comment
                if not (source.path.endswith((".txt", ".in", ".pip", "setup.cfg")) or re.search(r"[\"']\s*$", before)):
                    continue  # only requirement strings, not prose
                extras = m.group(2) or ""
                spec = m.group(3).strip()
                self._replace(source, analysis, m.start(1), m.end(3), f"{new}{version if spec else ''}", old, new, state)
        return analysis

    def _replace(self, source: SourceFile, analysis: Analysis, start: int, end: int, text: str, old: str, new: str,
                 state: dict) -> None:
        line, col = source.line_col(source.byte_offset(start))
        if any(e.start == source.byte_offset(start) for e in analysis.edits):
            return
        if state["has_target"] and source.path.endswith((".txt", ".in")):
            # the Amplitude package is already listed: the Segment line goes
            line_start = source.text.rfind("\n", 0, start) + 1
            line_end = source.text.find("\n", end)
            line_end = len(source.text) if line_end == -1 else line_end + 1
            analysis.edits.append(Edit(source.byte_offset(line_start), source.byte_offset(line_end), ""))
            analysis.findings.append(findings.make("dependency-replaced", line, col, change=f"removed {old}: {new} is already listed"))
            return
        if state["has_target"]:
            analysis.findings.append(findings.make("dependency-note", line, col, message=f"{old} is still listed next to {new}",
                                                   help=f"delete the {old} entry"))
            return
        b_start, b_end = source.byte_offset(start), source.byte_offset(end)
        if any(e.start == b_start for e in analysis.edits):
            return
        analysis.edits.append(Edit(b_start, b_end, text))
        state["has_target"] = True
        analysis.findings.append(findings.make("dependency-replaced", line, col, change=f"{old} → {new}"))


def _compiled_lock(text: str) -> bool:
    """pip-compile / uv pip compile output: a lock, regenerated from its .in file, not edited."""
    head = text[:2000]
    return "autogenerated by pip-compile" in head or "uv pip compile" in head or \
        bool(re.search(r"^\s+#\s+via\b", text, re.M)) or "--hash=sha256:" in text


def _report_compiled(source: SourceFile, table: dict) -> Analysis:
    analysis = Analysis()
    for old in table:
        m = re.search(rf"(?im)^[ \t]*({_name_re(old)})\b.*$", source.text)
        if m:
            line, col = source.line_col(source.byte_offset(m.start(1)))
            analysis.findings.append(findings.make("lockfile-pin", line, col, what=findings.shorten(m.group(0), 80),
                                                   amplitude="pip-compile it again from the .in / pyproject"))
    return analysis


_REQUIREMENT_LINE = re.compile(r"^\s*(?:$|#|-[rcef]\s|--|[A-Za-z0-9][\w.-]*\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@#].*)?$|git\+|https?://)")


class LooseRequirementsHandler(PythonManifestHandler):
    """requirements/base.txt, deps.pip, constraints.in…: any .txt/.in/.pip file whose every line
    reads as a requirement. Its own confirming pattern keeps prose files unparsed."""

    filenames = ()
    filename_patterns = ()
    extensions = (".txt", ".in", ".pip")
    marker_pattern = rb"^[ \t]*(?:segment[-_.]analytics[-_.]python|analytics[-_.]python)\b"

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        if not all(_REQUIREMENT_LINE.match(line) for line in source.text.splitlines()):
            return Analysis()
        return super().analyze(source, ctx, tree)
