"""Python dependency manifests: the Segment package swapped for amplitude-analytics in place.

requirements*.txt, pyproject.toml (PEP 621 strings and Poetry tables), setup.py, setup.cfg and
Pipfile. Only the requirement itself is rewritten (name, extras, version spec); environment
markers, comments, quoting and every other line stay as they were. The mapping is
rules/packages.toml's [pypi] table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from .. import tables
from ..languages.base import Handler, ProjectContext
from ..core import findings
from ..model import Analysis, Edit
from ..source import SourceFile
from . import kept_note, scope_for

_SPEC = r"(?:\s*(?:===|==|!=|~=|<=|>=|<|>)\s*[\w.*+!-]+(?:\s*,\s*(?:===|==|!=|~=|<=|>=|<|>)\s*[\w.*+!-]+)*)?"


def _name_re(name: str) -> str:
    # PEP 503: runs of -, _ and . are equivalent, case-insensitive
    return "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))


class PythonManifestHandler(Handler):
    name = "python-deps"
    ecosystem = "pypi"   # rules/packages.toml's table
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
        scope = scope_for(ctx, source.path)
        state = {"has_target": bool(re.search(r"(?i)(?<![\w.-])amplitude[-_.]analytics(?![\w.-])", text))}
        kept = []
        for old, rule in table.items():
            new = rule["to"]
            entries = list(self._entries(source, old, rule))
            if old in scope.kept:
                m = re.search(rf"(?i)(?<![\w.-]){_name_re(old)}(?![\w.-])", text)
                if m:
                    kept.append((old, rule, m.start(), entries))
                continue
            for entry in entries:
                self._replace(source, analysis, entry.start, entry.end, entry.text, old, new, state)
        for old, rule, at, entries in kept:
            added = missing = None
            needed = rule["to"] in scope.add and not state["has_target"]
            if needed and entries:
                # the Segment package stays for the code that still uses it; the code segamp
                # converted imports the Amplitude one: listed right after it
                added = _add_after(source, analysis, min(entries, key=lambda e: e.start))
                state["has_target"] = added is not None
                if added is not None:
                    added, line, col = added
                    analysis.findings.append(findings.make(
                        "dependency-replaced", line, col,
                        change=f"added {added} after {old}, which code still uses: the code segamp converted imports it"))
            if needed and added is None and not state["has_target"]:
                missing = rule["to"]
            line, col = source.line_col(source.byte_offset(at))
            analysis.findings.append(kept_note(old, rule, scope, line, col, added, missing))
        return analysis

    def _entries(self, source: SourceFile, old: str, rule: dict) -> Iterator["_Entry"]:
        """Each requirement of old in the text, with what the swap writes in its place."""
        text = source.text
        new, version = rule["to"], rule["version"]
        name = _name_re(old)
        toml_keys = source.path.endswith(("pyproject.toml", "Pipfile"))
        # `name = "spec"` / `name = { version = "spec", ... }` (Poetry, Pipfile)
        if toml_keys:
            for m in re.finditer(rf'(?im)^([ \t]*)["\']?({name})["\']?([ \t]*=[ \t]*)(\{{[^\n}}]*\}}|"[^"\n]*"|\'[^\'\n]*\')', text):
                value = m.group(4)
                if value.startswith("{"):
                    value = re.sub(r'(version\s*=\s*)("[^"]*"|\'[^\']*\')', lambda v: f'{v.group(1)}"{version}"', value)
                else:
                    value = f'"{version}"'
                # (a quoted key keeps its closing quote)
                yield _Entry(m.start(2), m.end(4), f"{new}{text[m.end(2):m.start(3)]}{m.group(3)}{value}", "key",
                             m.start(), m.end(4))
        # requirement strings: lines of requirements.txt, quoted strings elsewhere
        pattern = rf"(?i)(?<![\w.-])({name})(\[[^\]\n]*\])?({_SPEC})(?![\w.-])"
        for m in re.finditer(pattern, text):
            if toml_keys and re.match(r'["\']?[ \t]*=', text[m.end():]):
                continue  # a key handled above
            line_start = text.rfind("\n", 0, m.start()) + 1
            before = text[line_start:m.start()]
            if "#" in before and not re.search(r"[\"']", before):
                continue  # inside a comment
            lines = source.path.endswith((".txt", ".in", ".pip", "setup.cfg"))
            if not (lines or re.search(r"[\"']\s*$", before)):
                continue  # only requirement strings, not prose
            spec = m.group(3).strip()
            yield _Entry(m.start(1), m.end(3), f"{new}{version if spec else ''}", "line" if lines else "string",
                         line_start, m.end(3))

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


@dataclass(frozen=True)
class _Entry:
    """One requirement of a Segment package: the span the swap replaces and what it writes."""

    start: int
    end: int
    text: str
    style: str        # "line" (requirements.txt, setup.cfg), "string" (a quoted list item), "key" (Poetry, Pipfile)
    line_start: int   # where its line starts (a key: where the key does)
    value_end: int    # where the key's value ends


def _add_after(source: SourceFile, analysis: Analysis, entry: _Entry) -> Optional[tuple[str, int, int]]:
    """The Amplitude requirement as the swap would have written it (version spec, markers,
    quoting, indentation), as a new entry right after the kept Segment one: what was added and
    where (line, column), or None when the entry's shape gives no certain place (a continued
    line, a requirement after other text on its line)."""
    text = source.text
    line_end = text.find("\n", entry.end)
    line_end = len(text) if line_end == -1 else line_end
    if text[line_end - 1:line_end] == "\r":
        line_end -= 1
    rest = text[entry.end:line_end]
    before = text[entry.line_start:entry.start]
    edits: list[tuple[int, str]] = []
    line = source.line_col(source.byte_offset(entry.start))[0]
    if entry.style == "key":
        # the key's line, the swap applied, without its comment
        added = text[entry.line_start:entry.start] + entry.text
        edits.append((line_end, "\n" + added))
        shown, where = entry.text, (line + 1, len(before) + 1)
    elif entry.style == "line":
        markers = re.split(r"[ \t]#", rest, 1)[0].rstrip()
        if markers.endswith("\\") or (markers and not markers.lstrip().startswith(";")):
            return None
        if not before.strip():
            indent = before
        elif re.search(r"=[ \t]*$", before) and source.path.endswith("setup.cfg"):
            indent = "    "   # `install_requires = segment-analytics-python`: the list continues below
        else:
            return None
        shown, where = entry.text + markers, (line + 1, len(indent) + 1)
        edits.append((line_end, "\n" + indent + shown))
    else:
        quote = before.rstrip()[-1:]
        close = text.find(quote, entry.end, line_end)
        if quote not in ("'", '"') or close == -1:
            return None
        opening = entry.line_start + len(before.rstrip()) - 1
        shown = entry.text + text[entry.end:close]
        item = quote + shown + quote
        after = text[close + 1:line_end]
        alone = not text[entry.line_start:opening].strip() and re.fullmatch(r"[ \t]*,?[ \t]*(?:#.*)?", after)
        if alone:
            # one item a line: the new one on the next line, with the kept one's indent
            indent = text[entry.line_start:opening]
            where = (line + 1, len(indent) + 1)
            if after.lstrip().startswith(","):
                edits.append((line_end, "\n" + indent + item + ","))
            elif close + 1 == line_end:
                edits.append((line_end, ",\n" + indent + item))
            else:
                edits += [(close + 1, ","), (line_end, "\n" + indent + item)]
        else:
            sep = re.search(r",([ \t]*)$", text[entry.line_start:opening]) or re.match(r"[ \t]*,([ \t]*)", after)
            gap = "," + (sep.group(1) if sep else " ")
            edits.append((close + 1, gap + item))
            where = (line, close + 1 - entry.line_start + len(gap) + 1)
    for at, insert in edits:
        b = source.byte_offset(at)
        analysis.edits.append(Edit(b, b, insert))
    return shown, where[0], where[1]


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
