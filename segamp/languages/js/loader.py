"""Segment's analytics.js loader snippet in an HTML <script> -> Amplitude's published loader.

The snippet defines window.analytics, queues calls until analytics.js has loaded, and usually
ends with `analytics.load(KEY, options)` and `analytics.page()`. Its replacement is the target
profile's `loader_snippet` (what the SDK ships, defining window.amplitude with the same queueing),
then what the mapping makes of the snippet's own calls: load() is a client load (map_client: the
key rules, the init options every client gets, identity seeding), every other call is mapped like
the same call anywhere else (map_call), spelled on the loader's global by the printer.

A snippet segamp cannot read as that (template placeholders in it, no load() or several, a call
the mapping leaves) stays as it is, and the caller reports it (snippet-loader).
"""
from __future__ import annotations

import re
from typing import Optional

from ...core.mapping import map_call, map_client
from ...core.plan import CommentOut, EnvVar, Init
from .bind import SNIPPET, Call, JsFile
from .kinds import SNIPPET_KEY, SNIPPET_PACKAGE, Client
from .match import match_call, match_snippet_load
from .printer import Printer
from .syntax import Node, unwrap, walk

# Placeholders of the template languages pages are written in (Jinja/Django/Liquid, Handlebars,
# ERB/EJS): a snippet holding one is a template, not code segamp can rewrite.
TEMPLATE_MARK = re.compile(r"\{\{|\{%|\{#|<%")
SNIPPET_CLIENT = Client(snippet=True, key=SNIPPET_KEY, package=SNIPPET_PACKAGE)


def template_marked(text: str) -> bool:
    return TEMPLATE_MARK.search(text) is not None


def replace_loaders(jf: JsFile, printer: Printer) -> dict[int, str]:
    """Replace every loader statement of an HTML <script> that can be; returns the start of each
    one left -> why (a text for the snippet-loader finding)."""
    left: dict[int, str] = {}
    for start, end in jf.loader_ranges:
        stmt = _statement(jf, start, end)
        why = None if jf.html else ""
        if why is None and template_marked(jf.text(stmt)):
            why = " in a template (placeholders in the snippet)"
        if why is None:
            why = _replace(jf, printer, stmt)
        if why is not None:
            left[start] = why
    return left


def _statement(jf: JsFile, start: int, end: int) -> Node:
    node = jf.root.descendant_for_byte_range(start, end)
    while node.parent is not None and not (node.start_byte == start and node.end_byte == end):
        node = node.parent
    return node


def snippet_calls(jf: JsFile, stmt: Node) -> list[Call]:
    """The calls the snippet makes on its own global (`analytics.load(…)`, `analytics.page()`),
    in order; the stub's internals (push, apply, factory) are not Segment methods."""
    methods = set(_methods())
    out = []
    for n in walk(stmt):
        if n.type != "call_expression":
            continue
        fn = unwrap(n.child_by_field_name("function"))
        if fn is None or fn.type != "member_expression":
            continue
        obj = unwrap(fn.child_by_field_name("object"))
        method = jf.text(fn.child_by_field_name("property"))
        if obj is not None and method in methods and _is_global(jf, obj):
            out.append(Call(n, method, obj, SNIPPET_CLIENT, fn))
    return out


def _methods() -> tuple[str, ...]:
    from ...core.mapping import source_table
    return tuple(source_table("browser")["methods"]) + tuple(source_table("browser").get("unsupported", {}))


def _is_global(jf: JsFile, obj: Node) -> bool:
    if obj.type == "identifier":
        return jf.text(obj) == SNIPPET["name"]
    if obj.type == "member_expression":
        base = unwrap(obj.child_by_field_name("object"))
        return base is not None and jf.text(base) in SNIPPET["globals"] and \
            jf.text(obj.child_by_field_name("property")) == SNIPPET["name"]
    return False


def _replace(jf: JsFile, printer: Printer, stmt: Node) -> Optional[str]:
    """The loader statement -> Amplitude's snippet, init, then the snippet's calls; None when
    done, else why it was left."""
    calls = snippet_calls(jf, stmt)
    loads = [c for c in calls if c.method == "load"]
    if len(loads) != 1:
        return " (its load() call was not found)" if not loads else " (it calls load() more than once)"
    profile = printer.profile
    plans = []
    for call in calls:
        if call.method == "load":
            seg = match_snippet_load(jf, call.node)
            plan = map_client(seg, profile, jf.config)
        else:
            seg = match_call(jf, call)
            plan = map_call(seg, profile, jf.config)
        if plan.blocked or any(isinstance(op, CommentOut) for op in plan.ops):
            return f" (its {call.method}() call has no Amplitude equivalent segamp can write)"
        if any(isinstance(op, Init) and isinstance(op.key, EnvVar) for op in plan.ops):
            # api_key_env: a bundler fills process.env in; a page's own <script> has nothing to read
            return " (api_key_env names an environment variable, which an HTML page cannot read)"
        plans.append((seg, plan))
    recv = printer.global_for(None)
    indent = printer.indent_of(stmt)
    semi = ";" if printer.semi else ""
    lines = [profile.get("loader_snippet")]
    printer.space = recv
    try:
        for seg, plan in plans:
            for op in plan.ops:
                code = printer.init_call(recv, op, indent) if isinstance(op, Init) else \
                    printer.op_text(op, recv + ".", indent, seg)[0]
                lines.append(code + semi)
    finally:
        printer.space = None
    printer.edit(stmt.start_byte, stmt.end_byte, ("\n" + indent).join(lines))
    for _, plan in plans:
        printer.helpers.update(plan.helpers)
        # notes go above the loader: the calls they are about are inside the replaced text
        for issue in plan.issues:
            printer.report(issue.rule, stmt, issue.note, **dict(issue.params))
    printer.report("snippet-loader-replaced", stmt, package=profile.package, version=profile.version)
    return None
