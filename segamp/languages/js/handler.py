"""JavaScript / TypeScript (and inline <script> in HTML): Segment's browser SDK
(@segment/analytics-next, the analytics.js snippet) -> the target profile of each client
(rules/javascript.toml [profiles]; @amplitude/analytics-browser).

bind (bind.py) finds the clients, match (match.py) reads each call on one as a SegmentCall,
the core mapping turns it into a Plan, and the printer (printer.py) spells the plan. This
module runs those steps over a file and reports what the front end itself sees: the loader
snippet, the snippet global used as a value, imports that match several modules, other
Segment SDKs.
"""
from __future__ import annotations

import os
import re
from typing import Optional

from ...core.mapping import map_call, map_client
from ...model import Analysis, Edit
from ...source import SourceFile
from ..base import Handler, Parsed, ProjectContext
from .bind import (
    MODULE_EXTS, OTHER_SEGMENT_SDKS, SEG_TYPES, SEGMENT_PACKAGES, SNIPPET, Call, Client, JsFile, _kind_to_json,
    module_keys,
)
from .match import match_call, match_settings, value_use
from .printer import Printer
from .syntax import Node, args_of, first_error, grammar_for, import_source, parse, string_value, unwrap

SEGMENT_METHODS = ("track", "identify", "page", "group", "alias", "screen")


class JavaScriptHandler(Handler):
    name = "javascript"
    extensions = MODULE_EXTS
    markers = (b"analytics", b"segment", b"Segment")
    # Segment browser code imports @segment/…, names AnalyticsBrowser, calls through something
    # named analytics (window.analytics., this.analytics?., analytics.) or holds the loader.
    marker_pattern = rb"@segment/|AnalyticsBrowser|analytics\??\.|analytics!\.|cdn\.segment\.com"

    def language_for(self, path: str) -> str:
        return "typescript" if grammar_for(path) in ("typescript", "tsx") else "javascript"

    def parse(self, source: SourceFile) -> Parsed:
        tree = parse(source.data, grammar_for(source.path))
        bad = first_error(tree.root_node)
        if bad is None:
            return Parsed(tree)
        line, col = source.line_col(bad.start_byte)
        return Parsed(tree, f"line {line}:{col}")

    def parse_error(self, source: SourceFile) -> Optional[str]:
        return self.parse(source).error

    def _file(self, source: SourceFile, ctx: ProjectContext, tree) -> JsFile:
        # The tree is parsed once by the engine; the binding is rebuilt in analyze(), because
        # index() of other files may still add exports this file imports.
        return JsFile(source, (tree or parse(source.data, grammar_for(source.path))).root_node, ctx, source.path)

    def index(self, source: SourceFile, ctx: ProjectContext, tree=None) -> None:
        if any(m.encode() in source.data for m in SNIPPET["markers"]):
            ctx.evidence.add("segment-snippet")
        jf = self._file(source, ctx, tree)
        if jf.root.has_error:
            return
        jf.bind()
        exports = jf.exports()
        if exports:
            for key in module_keys(source.path):
                ctx.exports.setdefault(key, {}).update({k: _kind_to_json(v) for k, v in exports.items()})

    def extra_markers(self, ctx: ProjectContext) -> tuple[bytes, ...]:
        stems = set()
        for key in ctx.exports:
            stem = os.path.basename(key)
            if stem and stem != "index":
                stems.add(stem.encode())
        return tuple(sorted(stems))

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        return rewrite(self._file(source, ctx, tree), self.language_for(source.path))


class HtmlHandler(Handler):
    """Inline <script> blocks: rewritten like a script file; the Segment loader is reported."""

    name = "html"
    extensions = (".html", ".htm")
    markers = (b"analytics", b"segment")

    SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)

    def blocks(self, source: SourceFile):
        for m in self.SCRIPT.finditer(source.data):
            attrs = m.group(1).decode("utf-8", "replace")
            if re.search(r"\bsrc\s*=", attrs, re.I):
                continue
            typ = re.search(r"\btype\s*=\s*[\"']?([^\"'\s>]+)", attrs, re.I)
            kind = typ.group(1).lower() if typ else "text/javascript"
            if kind not in ("text/javascript", "application/javascript", "module", "text/babel"):
                continue
            yield m.start(2), m.group(2), kind == "module"

    def parse(self, source: SourceFile) -> Parsed:
        blocks = []
        for start, body, is_module in self.blocks(source):
            tree = parse(body, "javascript")
            bad = first_error(tree.root_node)
            if bad is not None:
                line, col = source.line_col(start + bad.start_byte)
                return Parsed(None, f"line {line}:{col} in a <script> block")
            blocks.append((start, body, is_module, tree))
        return Parsed(blocks)

    def parse_error(self, source: SourceFile) -> Optional[str]:
        return self.parse(source).error

    def index(self, source: SourceFile, ctx: ProjectContext, tree=None) -> None:
        if any(m.encode() in source.data for m in SNIPPET["markers"]):
            ctx.evidence.add("segment-snippet")

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        out = Analysis()
        blocks = tree if tree is not None else self.parse(source).tree or []
        for start, body, is_module, block_tree in blocks:
            sub = SourceFile(source.path, body.decode("utf-8"), b"", "utf-8", source.newline, source.mode)
            jf = JsFile(sub, block_tree.root_node, ctx, source.path, script_mode=not is_module)
            part = rewrite(jf, self.name)
            out.edits += [Edit(e.start + start, e.end + start, e.text) for e in part.edits]
            first_line, first_col = source.line_col(start)
            for f in part.findings:
                f.column = f.column + (first_col - 1 if f.line == 1 else 0)
                f.line = f.line + first_line - 1
                out.findings.append(f)
        return out


# --- one file ---------------------------------------------------------------------------------
def rewrite(jf: JsFile, language: str) -> Analysis:
    jf.bind()
    printer = Printer(jf, jf.profile_for(Client()), language)
    loader = printer.profile.get("loader")
    for start, _ in jf.loader_ranges:
        printer.report("snippet-loader", jf.root.descendant_for_byte_range(start, start), loader=loader)
    for stmt, spec, hits in jf._ambiguous:
        printer.report("ambiguous-import", stmt, spec=spec, count=str(len(hits)))
    report_other_sdks(jf, printer)
    handled = rewrite_constructions(jf, printer)
    calls = [c for c in jf.calls() if c.node.id not in handled]
    for call in calls:
        rewrite_call(jf, printer, call)
    rewrite_snippet_references(jf, printer, calls)
    printer.rewrite_types(SEG_TYPES)
    printer.flush_notes()
    printer.fix_imports(SEGMENT_PACKAGES[0])
    report_free_global(jf, printer)
    return printer.analysis


def rewrite_call(jf: JsFile, printer: Printer, call: Call) -> None:
    if call.client.snippet and call.method == "load":
        # the snippet's own load(): its loader goes, Amplitude's loader replaces it
        printer.report("snippet-loader", call.node, note=True, loader=printer.profile.get("loader"))
        return
    seg = match_call(jf, call)
    plan = map_call(seg, jf.profile_for(call.client), jf.config)
    printer.print_call(seg, plan)


def report_other_sdks(jf: JsFile, printer: Printer) -> None:
    for n in jf.nodes:
        spec = None
        if n.type == "import_statement":
            spec = import_source(n)
        elif n.type == "call_expression" and jf.text(n.child_by_field_name("function")) == "require":
            args = args_of(n)
            spec = string_value(args[0]) if args and args[0].type == "string" else None
        if spec in OTHER_SEGMENT_SDKS:
            printer.report("other-segment-sdk", n, package=spec, amplitude=OTHER_SEGMENT_SDKS[spec])


def rewrite_constructions(jf: JsFile, printer: Printer) -> set[int]:
    """AnalyticsBrowser.load(...), .standalone(...), new AnalyticsBrowser(): the ids of the
    load() calls handled here."""
    handled: set[int] = set()
    for n in jf.nodes:
        if n.type == "call_expression":
            fn = unwrap(n.child_by_field_name("function"))
            if fn is None or fn.type != "member_expression" or not jf.is_segment_ctor(fn.child_by_field_name("object")):
                continue
            method = jf.text(fn.child_by_field_name("property"))
            if method == "standalone":
                printer.report("client-standalone", n, note=True)
            elif method == "load":
                seg = match_settings(jf, n, args_of(n))
                seg.use = value_use(jf, n)
                printer.print_construction(seg, map_client(seg, jf.profile_for(Client()), jf.config))
                handled.add(n.id)
        elif n.type == "new_expression" and jf.is_segment_ctor(n.child_by_field_name("constructor")):
            if args_of(n):
                printer.report("client-constructor-args", n, note=True)
            else:
                printer.print_new(n)
    return handled


# --- the snippet global outside calls ---------------------------------------------------------
def rewrite_snippet_references(jf: JsFile, printer: Printer, calls: list[Call]) -> None:
    """The global itself, outside calls. Where it only tests "is the SDK there" (if, !, typeof,
    && / ||), it becomes the Amplitude namespace; anywhere else (assignments, property reads,
    test mocks) it is left as it is and reported: guessing there breaks code at run time."""
    receivers = {c.receiver.id for c in calls}
    for n in jf.nodes:
        if n.id in receivers or jf.in_loader(n) or not is_snippet_global(jf, n) or printer.is_covered(n):
            continue
        parent = n.parent
        # `window.analytics && <call>`: the guard goes with the global
        if parent is not None and parent.type == "binary_expression" and \
                jf.text(parent.child_by_field_name("operator")) == "&&" and parent.child_by_field_name("left") == n:
            right = parent.child_by_field_name("right")
            if any(c.node.start_byte >= right.start_byte and c.node.end_byte <= right.end_byte for c in calls):
                printer.edit(n.start_byte, right.start_byte, "")
                continue
        if is_truth_test(jf, n):
            printer.needs_ns = True
            printer.edit(n.start_byte, n.end_byte, printer.ns)
            continue
        printer.report("snippet-reference", n, note=True, text=jf.text(n))


def is_snippet_global(jf: JsFile, n: Node) -> bool:
    """window.analytics / global.analytics…, or a free `analytics` when the snippet is in use."""
    if n.type == "member_expression":
        obj = unwrap(n.child_by_field_name("object"))
        return obj is not None and obj.type == "identifier" and jf.text(obj) in SNIPPET["globals"] \
            and jf.text(n.child_by_field_name("property")) == SNIPPET["name"] and jf.scopes.resolve(obj) is None
    if n.type == "identifier":
        parent = n.parent
        if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("property") == n:
            return False
        k = jf.kind_of(n) if jf.scopes.resolve(n) is None else None
        return isinstance(k, Client) and k.snippet
    return False


def is_truth_test(jf: JsFile, n: Node) -> bool:
    """Is the value of n only used for its truthiness?"""
    cur = n
    while True:
        p = cur.parent
        if p is None:
            return False
        if p.type == "parenthesized_expression":
            if p.parent is not None and p.parent.type in ("if_statement", "while_statement", "do_statement"):
                return True
            cur = p
            continue
        if p.type == "unary_expression":
            return jf.text(p.child_by_field_name("operator")) in ("!", "typeof")
        if p.type == "ternary_expression":
            return p.child_by_field_name("condition") == cur
        if p.type == "binary_expression":
            op = jf.text(p.child_by_field_name("operator"))
            return op in ("&&", "||") and (p.parent is not None and p.parent.type == "expression_statement"
                                           or is_truth_test(jf, p))
        return False


def report_free_global(jf: JsFile, printer: Printer) -> None:
    """A bare `analytics.track(...)` with no loader in sight: say so once rather than guess."""
    if jf.snippet_in_project() or SNIPPET["name"] in jf.config.receivers:
        return
    for n in jf.nodes:
        if n.type != "call_expression":
            continue
        fn = unwrap(n.child_by_field_name("function"))
        if fn is None or fn.type != "member_expression":
            continue
        obj = unwrap(fn.child_by_field_name("object"))
        if obj is not None and obj.type == "identifier" and jf.text(obj) == SNIPPET["name"] and \
                jf.scopes.resolve(obj) is None and jf.text(fn.child_by_field_name("property")) in SEGMENT_METHODS:
            printer.report("global-without-loader", n)
            return
