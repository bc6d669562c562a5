"""Python: segment-analytics-python (and the legacy analytics-python) → amplitude-analytics.

Parsed with libcst; every edit is a byte range of the original text, so everything outside
the rewritten calls, imports and settings stays byte-identical (comments, blank lines,
formatting). Binding uses libcst's qualified names and scopes: a call is rewritten only when
its receiver is, with certainty, a Segment client:

* the Segment module itself (``import segment.analytics as analytics``, ``from segment import
  analytics``, ``import segment.analytics``; legacy ``import analytics`` only when no project
  module named ``analytics`` is importable from the file and the project shows Segment evidence:
  a write key set on it, or analytics-python in a manifest);
* a name, ``self.<attr>``/``Class.<attr>`` or factory call whose every assignment is
  ``Client(...)`` from ``segment.analytics`` (``None`` placeholders allowed), including names
  and factories another project module exports (``index()`` records them in ctx.exports).

Design of the module-level client (Segment's "default client")
--------------------------------------------------------------
Segment's module API is one lazily created, process-wide client configured by assigning module
attributes (``analytics.write_key = …``, ``analytics.host = …``). Amplitude has no module
singleton, so the file that sets ``<module>.write_key`` (the *home*) gets the one Amplitude
client, under the very name the module had there::

    import segment.analytics as analytics          from amplitude import Amplitude, BaseEvent, Config
    analytics.write_key = os.environ["SEGMENT_…"]  →  analytics = Amplitude(os.environ["AMPLITUDE_…"], Config(min_id_length=1))
    analytics.track("u1", "Signed Up")              analytics.track(BaseEvent(event_type="Signed Up", user_id="u1"))

When the key is set somewhere other than a top-level statement (a function, an ``if``), the
client is created with an empty key where the Segment module was imported and the key is
assigned later (``analytics.configuration.api_key = …``), which keeps Segment's
"configure any time before the first call" semantics. Every other file that imports the
Segment module gets ``from <home module> import analytics`` instead, so all files share one
client as before. With no home, or several, in the scanned paths, those files are left
unchanged with a manual finding.

Exit delivery: Segment's client joins its consumer thread at exit (atexit) and ``flush()``
blocks. amplitude-analytics registers ``Amplitude.shutdown`` with ``threading._register_atexit``
in its constructor (amplitude/client.py, ``_register_on_exit``), which flushes the buffer and
waits for the upload pool at interpreter exit, so no generated atexit code is needed;
``join()``/``shutdown()`` become ``shutdown()``, ``flush()`` stays ``flush()``.
Every converted client gets ``Config(min_id_length=<config.min_id_length>)`` because Amplitude
rejects ids shorter than 5 characters by default and Segment did not.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import libcst as cst
from libcst.metadata import (
    Assignment,
    ByteSpanPositionProvider,
    ImportAssignment,
    MetadataWrapper,
    ParentNodeProvider,
    QualifiedName,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from ..model import Analysis, Edit, Finding, Kind
from ..source import SourceFile
from .base import Handler, ProjectContext

SEG_MODULES = {"segment.analytics"}
LEGACY_MODULES = {"analytics"}
CLIENT_CLASSES = {"segment.analytics.Client", "segment.analytics.client.Client"}
LEGACY_CLIENT_CLASSES = {"analytics.Client", "analytics.client.Client"}

# Segment's positional order (segment/analytics/client.py 2.4.0; analytics-python 1.4.0 is the same)
SIGNATURES: dict[str, tuple[str, ...]] = {
    "track": ("user_id", "event", "properties", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "identify": ("user_id", "traits", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "group": ("user_id", "group_id", "traits", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "page": ("user_id", "category", "name", "properties", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "screen": ("user_id", "category", "name", "properties", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "alias": ("previous_id", "user_id", "context", "timestamp", "integrations", "message_id"),
    "flush": (),
    "join": (),
    "shutdown": (),
}
# Client(...) positional order shared by 1.4 and 2.4; later positions differ between versions.
CLIENT_POSITIONAL = ("write_key", "host", "debug", "max_queue_size", "send", "on_error")
# Client keyword / module setting → (Config field, how) ; how: "copy", "ms", "not", "drop", "manual", "host"
CLIENT_OPTIONS: dict[str, tuple[str, str]] = {
    "host": ("server_url", "host"),
    "debug": ("", "drop"),
    "log_handler": ("", "drop"),
    "gzip": ("", "drop"),
    "timeout": ("", "drop"),
    "thread": ("", "drop"),
    "max_queue_size": ("", "drop"),
    "send": ("opt_out", "not"),
    "max_retries": ("flush_max_retries", "copy"),
    "upload_size": ("flush_queue_size", "copy"),
    "flush_at": ("flush_queue_size", "copy"),
    "upload_interval": ("flush_interval_millis", "ms"),
    "flush_interval": ("flush_interval_millis", "ms"),
    "on_error": ("", "manual"),
    "sync_mode": ("", "manual"),
    "proxies": ("", "manual"),
    "max_total_backoff_duration": ("", "drop"),
    "max_rate_limit_duration": ("", "drop"),
    "oauth_client_id": ("", "manual"),
    "oauth_client_key": ("", "manual"),
    "oauth_key_id": ("", "manual"),
    "oauth_auth_server": ("", "manual"),
    "oauth_scope": ("", "manual"),
}
MANUAL_OPTION_HELP = {
    "on_error": "Amplitude reports delivery through Config(callback=fn(event, code, message)); adapt the handler",
    "sync_mode": "Amplitude has no synchronous mode; call flush() after the calls that must be sent at once",
    "proxies": "amplitude-analytics uses urllib; configure the proxy through HTTPS_PROXY or a custom plugin",
}
PLACEHOLDER_KEY = "YOUR_AMPLITUDE_API_KEY"


# --------------------------------------------------------------------------------------------
# the handler
# --------------------------------------------------------------------------------------------
class PythonHandler(Handler):
    name = "python"
    extensions = (".py",)
    markers = (b"analytics", b"segment")
    # Segment Python code imports segment.analytics or (legacy) analytics somewhere.
    marker_pattern = rb"^[ \t]*(?:import|from)[ \t][^\n#]*\b(?:segment|analytics)\b"
    comment_prefix = "#"

    def parse_error(self, source: SourceFile) -> Optional[str]:
        try:
            cst.parse_module(source.text)
        except cst.ParserSyntaxError as exc:
            message = re.sub(r"^(parser error: )?(error at \d+:\d+: )?", "", exc.message)
            return f"line {exc.raw_line}: {message}"
        except RecursionError:
            return "too deeply nested"
        return None

    def index(self, source: SourceFile, ctx: ProjectContext) -> None:
        try:
            facts = _facts(source, ctx)
        except (cst.ParserSyntaxError, RecursionError):
            return
        key = _module_key(source.path)
        exported = {}
        for name in facts.global_clients:
            exported[name] = {"kind": "client", "language": "python"}
        for name in facts.factories:
            exported[name] = {"kind": "factory", "language": "python"}
        if exported:
            ctx.exports.setdefault(key, {}).update(exported)
        if facts.sets_write_key:
            ctx.cache.setdefault("py:homes", []).append((os.path.abspath(source.path), facts.home_name))
        if facts.legacy_write_key:
            ctx.evidence.add("py:legacy-analytics")

    def extra_markers(self, ctx: ProjectContext) -> tuple[bytes, ...]:
        names = set()
        for key, exported in ctx.exports.items():
            if any(v.get("language") == "python" for v in exported.values()):
                base = os.path.basename(key)
                if base == "__init__":
                    base = os.path.basename(os.path.dirname(key))
                names.add(base.encode())
        return tuple(sorted(names))

    def analyze(self, source: SourceFile, ctx: ProjectContext) -> Analysis:
        facts = _facts(source, ctx)
        return _Rewriter(source, ctx, facts).run()


# --------------------------------------------------------------------------------------------
# facts about one file: parse once, bind once (cached for index → analyze)
# --------------------------------------------------------------------------------------------
def _module_key(path: str) -> str:
    return os.path.splitext(os.path.abspath(path))[0]


def _dotted_module(path: str) -> str:
    """myproj/app/settings.py → app.settings when myproj/app has __init__.py."""
    path = os.path.abspath(path)
    folder, base = os.path.split(os.path.splitext(path)[0])
    parts = [] if base == "__init__" else [base]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, pkg = os.path.split(folder)
        parts.insert(0, pkg)
        if not pkg:
            break
    return ".".join(parts)


def _own_analytics_module(path: str) -> bool:
    """Is a project module named `analytics` importable next to this file (or in a parent)?"""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(12):
        if os.path.isfile(os.path.join(folder, "analytics.py")) or os.path.isfile(os.path.join(folder, "analytics", "__init__.py")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return False


@dataclass
class _Facts:
    wrapper: MetadataWrapper
    module: cst.Module
    qnames: Any
    scopes: Any
    parents: Any
    spans: Any
    legacy_ok: bool
    global_clients: set[str] = field(default_factory=set)
    factories: set[str] = field(default_factory=set)
    sets_write_key: bool = False
    legacy_write_key: bool = False
    home_name: str = "analytics"


def _facts(source: SourceFile, ctx: ProjectContext) -> _Facts:
    legacy_evidence = "py:legacy-analytics" in ctx.evidence or "pypi:analytics-python" in ctx.evidence
    cache_key = ("py:facts", source.path, hash(source.text), legacy_evidence)
    cached = ctx.cache.get(cache_key)
    if cached is not None:
        return cached
    module = cst.parse_module(source.text)
    # The module was just parsed and is never mutated: no defensive deep copy. One batched
    # visit resolves all four providers (separate resolve() calls each walk the tree).
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    meta = wrapper.resolve_many([QualifiedNameProvider, ScopeProvider, ParentNodeProvider, ByteSpanPositionProvider])
    facts = _Facts(
        wrapper=wrapper,
        module=wrapper.module,
        qnames=meta[QualifiedNameProvider],
        scopes=meta[ScopeProvider],
        parents=meta[ParentNodeProvider],
        spans=meta[ByteSpanPositionProvider],
        legacy_ok=False,
    )
    text = source.text
    if re.search(r"^\s*(import analytics\b|from analytics\b)", text, re.M) and not _own_analytics_module(source.path):
        facts.legacy_ok = legacy_evidence or bool(re.search(r"^\s*analytics\.write_key\s*=", text, re.M))
    binder = _Binder(facts, ctx, source.path)
    facts.binder = binder  # type: ignore[attr-defined]
    binder.scan()
    ctx.cache[cache_key] = facts
    return facts


def _q(facts: _Facts, node: cst.CSTNode) -> set[QualifiedName]:
    try:
        value = facts.qnames[node]
    except KeyError:
        return set()
    return value() if callable(value) else value  # libcst hands out lazy values


def _span(facts: _Facts, node: cst.CSTNode) -> tuple[int, int]:
    s = facts.spans[node]
    return s.start, s.start + s.length


class _Binder:
    """Decides which expressions are Segment clients."""

    def __init__(self, facts: _Facts, ctx: ProjectContext, path: str):
        self.f = facts
        self.ctx = ctx
        self.path = path
        self.seg_modules = SEG_MODULES | (LEGACY_MODULES if facts.legacy_ok else set())
        self.client_classes = CLIENT_CLASSES | (LEGACY_CLIENT_CLASSES if facts.legacy_ok else set())
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, cst.ClassDef] = {}
        self.class_attrs: dict[cst.ClassDef, set[str]] = {}
        self._factory_memo: dict[str, bool] = {}

    # --- what a node is -----------------------------------------------------------------
    def is_seg_module(self, node: cst.CSTNode) -> bool:
        return any(q.source == QualifiedNameSource.IMPORT and q.name in self.seg_modules for q in _q(self.f, node))

    def is_client_class(self, node: cst.CSTNode) -> bool:
        return any(q.source == QualifiedNameSource.IMPORT and q.name in self.client_classes for q in _q(self.f, node))

    def imported_export(self, node: cst.CSTNode) -> Optional[str]:
        """'client'/'factory' when node names something a project module exports."""
        for q in _q(self.f, node):
            if q.source != QualifiedNameSource.IMPORT or "." not in q.name.lstrip("."):
                continue
            mod, _, name = q.name.rpartition(".")
            key = self._resolve_module(mod)
            if key is not None:
                info = self.ctx.exports.get(key, {}).get(name)
                if info and info.get("language") == "python":
                    return info["kind"]
        return None

    def _resolve_module(self, dotted: str) -> Optional[str]:
        if dotted.startswith("."):
            level = len(dotted) - len(dotted.lstrip("."))
            folder = os.path.dirname(os.path.abspath(self.path))
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
            rest = dotted.lstrip(".")
            base = os.path.join(folder, *rest.split(".")) if rest else folder
            for key in (base, os.path.join(base, "__init__")):
                if key in self.ctx.exports:
                    return key
            return None
        tail = "/" + dotted.replace(".", "/")
        found = [k for k in self.ctx.exports if k.endswith(tail) or k.endswith(tail + "/__init__")]
        if not found:
            return None
        here = os.path.abspath(self.path)
        found.sort(key=lambda k: -len(os.path.commonpath([k, here])))
        return found[0]

    def is_client_expr(self, expr: cst.BaseExpression, depth: int = 0) -> bool:
        if depth > 4:
            return False
        if isinstance(expr, cst.Call):
            if self.is_client_class(expr.func):
                return True
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "Client" and self.is_seg_module(expr.func.value):
                return True
            return self.is_factory_call(expr, depth)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self.is_client_receiver(expr, depth + 1)
        return False

    def is_factory_call(self, call: cst.Call, depth: int = 0) -> bool:
        func = call.func
        if self.imported_export(func) == "factory":
            return True
        if isinstance(func, cst.Name) and func.value in self.functions:
            scope = self.f.scopes.get(func)
            assigned = scope[func.value] if scope is not None else set()
            if all(isinstance(a, Assignment) and isinstance(a.node, cst.FunctionDef) for a in assigned):
                return self.is_factory(func.value, depth)
        return False

    def is_factory(self, name: str, depth: int = 0) -> bool:
        if name in self._factory_memo:
            return self._factory_memo[name]
        self._factory_memo[name] = False
        fn = self.functions.get(name)
        if fn is None:
            return False
        returns: list[cst.Return] = []

        class R(cst.CSTVisitor):
            def visit_FunctionDef(self, node):  # nested defs return their own values
                return node is fn

            def visit_Lambda(self, node):
                return False

            def visit_Return(self, node):
                returns.append(node)

        fn.visit(R())
        ok = bool(returns) and all(r.value is not None and self.is_client_expr(r.value, depth + 1) for r in returns)
        self._factory_memo[name] = ok
        return ok

    def is_client_receiver(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        if depth > 5:
            return False
        if isinstance(node, cst.Call):
            return self.is_factory_call(node, depth)
        if self.imported_export(node) == "client":
            return True
        if isinstance(node, cst.Name):
            scope = self.f.scopes.get(node)
            if scope is None:
                return False
            assigned = scope[node.value]
            if not assigned:
                return False
            clients = 0
            for a in assigned:
                if isinstance(a, ImportAssignment):
                    return False  # imports are handled by imported_export
                if not isinstance(a, Assignment):
                    return False
                value = self._assigned_value(a.node)
                if value is None:
                    return False
                if isinstance(value, cst.Name) and value.value == "None":
                    continue
                if not self.is_client_expr(value, depth + 1):
                    return False
                clients += 1
            return clients > 0
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            owner = node.value.value
            cls = self._enclosing_class(node)
            if cls is not None and owner in ("self", "cls", cls.name.value) and node.attr.value in self.class_attrs.get(cls, set()):
                return True
            target = self.classes.get(owner)
            if target is not None and node.attr.value in self.class_attrs.get(target, set()):
                return True
        return False

    def _assigned_value(self, target: cst.CSTNode) -> Optional[cst.BaseExpression]:
        parent = self.f.parents.get(target)
        if isinstance(parent, cst.AssignTarget):
            assign = self.f.parents.get(parent)
            if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
                return assign.value
        if isinstance(parent, cst.AnnAssign) and parent.target is target:
            return parent.value
        return None

    def _enclosing_class(self, node: cst.CSTNode) -> Optional[cst.ClassDef]:
        cur = self.f.parents.get(node)
        while cur is not None:
            if isinstance(cur, cst.ClassDef):
                return cur
            cur = self.f.parents.get(cur)
        return None

    # --- one pass over the module ------------------------------------------------------
    def scan(self) -> None:
        f = self.f
        for stmt in f.module.body:
            if isinstance(stmt, cst.FunctionDef):
                self.functions[stmt.name.value] = stmt
            elif isinstance(stmt, cst.ClassDef):
                self.classes[stmt.name.value] = stmt
        binder = self

        class V(cst.CSTVisitor):
            def visit_ClassDef(self, node):
                attrs = binder.class_attrs.setdefault(node, set())
                for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else []:
                    if isinstance(stmt, cst.SimpleStatementLine):
                        for small in stmt.body:
                            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                                if binder.is_client_expr(small.value):
                                    attrs.add(small.targets[0].target.value)

            def visit_Assign(self, node):
                if len(node.targets) != 1:
                    return
                target = node.targets[0].target
                if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value in ("self", "cls"):
                    cls = binder._enclosing_class(node)
                    if cls is not None and binder.is_client_expr(node.value):
                        binder.class_attrs.setdefault(cls, set()).add(target.attr.value)
                if isinstance(target, cst.Attribute) and target.attr.value == "write_key" and binder.is_seg_module(target.value):
                    f.sets_write_key = True
                    if isinstance(target.value, cst.Name):
                        f.home_name = target.value.value
                        if any(q.name in LEGACY_MODULES for q in _q(f, target.value)):
                            f.legacy_write_key = True

        f.module.visit(V())
        # module-level names bound only to clients, and factories: what other files may import
        for stmt in f.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)):
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for t in targets:
                            if isinstance(t, cst.Name) and self.is_client_receiver(t):
                                f.global_clients.add(t.value)
        for name in self.functions:
            if self.is_factory(name):
                f.factories.add(name)


# --------------------------------------------------------------------------------------------
# the rewrite
# --------------------------------------------------------------------------------------------
_STRING = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def _literal_str(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:
            return None
        return value if isinstance(value, str) else None
    return None


class _Blocked(Exception):
    """A call we cannot convert with certainty: (message, suggestion)."""

    def __init__(self, message: str, suggestion: str = ""):
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


class _Rewriter:
    def __init__(self, source: SourceFile, ctx: ProjectContext, facts: _Facts):
        self.src = source
        self.ctx = ctx
        self.config = ctx.config
        self.f = facts
        self.b: _Binder = facts.binder  # type: ignore[attr-defined]
        self.analysis = Analysis()
        self.needed: set[str] = set()
        self.notes: dict[int, list[str]] = {}  # line-start byte offset → TODO notes
        self.used_names = self._all_names()
        self.amp_names: dict[str, str] = {}
        self.replaced_spans: list[tuple[int, int]] = []
        self.home_mode = "none"  # "fold" | "early" | "import" | "none"
        self.home_import: Optional[tuple[str, str]] = None
        self.module_calls = False
        self.need_os = False

    # --- small helpers --------------------------------------------------------------------
    def _all_names(self) -> set[str]:
        names: set[str] = set()

        class V(cst.CSTVisitor):
            def visit_Name(self, node):
                names.add(node.value)

        self.f.module.visit(V())
        return names

    def amp(self, name: str) -> str:
        """The local name of an amplitude symbol (aliased when the file already uses it)."""
        self.needed.add(name)
        if name not in self.amp_names:
            self.amp_names[name] = name if name not in self.used_names else f"Amplitude{name}" if name != "Amplitude" else "AmplitudeClient"
        return self.amp_names[name]

    def code(self, node: cst.CSTNode) -> str:
        start, end = _span(self.f, node)
        return self.src.data[start:end].decode("utf-8")

    def pos(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.src.line_col(_span(self.f, node)[0])

    def finding(self, node: cst.CSTNode, kind: Kind, rule: str, message: str, suggestion: str = "") -> None:
        line, col = self.pos(node)
        self.analysis.findings.append(Finding(line, col, kind, rule, message, suggestion))

    def edit(self, start: int, end: int, text: str) -> None:
        self.analysis.edits.append(Edit(start, end, text))
        self.replaced_spans.append((start, end))

    def replace(self, node: cst.CSTNode, text: str) -> None:
        start, end = _span(self.f, node)
        if self.src.data[start:end].decode("utf-8") != text:
            self.edit(start, end, text)
        else:
            self.replaced_spans.append((start, end))

    def inside_replaced(self, node: cst.CSTNode) -> bool:
        start, end = _span(self.f, node)
        return any(s <= start and end <= e for s, e in self.replaced_spans)

    def line_start(self, node: cst.CSTNode) -> int:
        start = _span(self.f, node)[0]
        return self.src.data.rfind(b"\n", 0, start) + 1

    def indent(self, node: cst.CSTNode) -> str:
        return self.src.line_indent(_span(self.f, node)[0])

    def note(self, node: cst.CSTNode, text: str) -> None:
        stmt = self.statement_of(node) or node
        self.notes.setdefault(self.line_start(stmt), []).append(text)

    def statement_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        cur: Optional[cst.CSTNode] = node
        while cur is not None and not isinstance(cur, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            cur = self.f.parents.get(cur)
        return cur

    def sole_expression_statement(self, call: cst.Call) -> Optional[cst.SimpleStatementLine]:
        """The statement line when `call` is its only statement (so it may become several)."""
        expr = self.f.parents.get(call)
        if not isinstance(expr, cst.Expr):
            return None
        line = self.f.parents.get(expr)
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            return line
        return None

    def only_statement_in_block(self, stmt: cst.CSTNode) -> bool:
        parent = self.f.parents.get(stmt)
        return isinstance(parent, cst.IndentedBlock) and len(parent.body) == 1

    # --- the run ----------------------------------------------------------------------
    def run(self) -> Analysis:
        calls: list[cst.Call] = []
        assigns: list[cst.Assign] = []
        imports: list[cst.SimpleStatementLine] = []
        refs: list[cst.CSTNode] = []
        rewriter = self

        class V(cst.CSTVisitor):
            def visit_Call(self, node):
                calls.append(node)

            def visit_Assign(self, node):
                assigns.append(node)

            def visit_SimpleStatementLine(self, node):
                if any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in node.body):
                    imports.append(node)

            def visit_Name(self, node):
                refs.append(node)

            def visit_Attribute(self, node):
                refs.append(node)

        self.f.module.visit(V())

        seg_imports = [s for s in imports if self._segment_import_parts(s)]
        if not seg_imports and not self._has_bound_calls(calls):
            return self.analysis

        self._plan_home(assigns)
        if self.home_mode == "blocked":
            return self.analysis
        # settings on the module (write_key, host, ...)
        for node in assigns:
            target = node.targets[0].target if len(node.targets) == 1 else None
            if isinstance(target, cst.Attribute) and self.b.is_seg_module(target.value):
                self._convert_setting(node, target)
        # constructors first (their spans contain arguments we must not touch twice)
        for call in calls:
            if self.inside_replaced(call):
                continue
            if self.b.is_client_class(call.func) or (
                isinstance(call.func, cst.Attribute) and call.func.attr.value == "Client" and self.b.is_seg_module(call.func.value)
            ):
                self._convert_constructor(call)
        for call in calls:
            if self.inside_replaced(call) or not isinstance(call.func, cst.Attribute):
                continue
            recv = call.func.value
            if self.b.is_seg_module(recv):
                self.module_calls = True
                self._convert_call(call, module=True)
            elif self.b.is_client_receiver(recv):
                self._convert_call(call, module=False)
        # other references to Client (annotations, isinstance) and to the module's attributes
        for ref in refs:
            if self.inside_replaced(ref) or self._in_import(ref):
                continue
            parent = self.f.parents.get(ref)
            if self.b.is_client_class(ref):
                if not self.b.is_client_class(parent):
                    self.replace(ref, self.amp("Amplitude"))
            elif isinstance(ref, cst.Attribute) and self.b.is_seg_module(ref.value) and not self.b.is_seg_module(ref):
                self.finding(ref, Kind.MANUAL, "py/unsupported", f"`{self.code(ref)}` has no Amplitude equivalent",
                             "rewrite it against the Amplitude client by hand")
                self.note(ref, f"`{self.code(ref)}` is Segment-only; rewrite it for Amplitude")
                self.replaced_spans.append(_span(self.f, ref))
        self._rewrite_imports(seg_imports, imports)
        self._flush_notes()
        return self.analysis

    def _in_import(self, node: cst.CSTNode) -> bool:
        stmt = self.statement_of(node)
        return isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)

    def _has_bound_calls(self, calls: list[cst.Call]) -> bool:
        return any(isinstance(c.func, cst.Attribute) and self.b.is_client_receiver(c.func.value) for c in calls)

    # --- imports ----------------------------------------------------------------------
    def _segment_import_parts(self, stmt: cst.SimpleStatementLine) -> list[tuple[cst.CSTNode, cst.ImportAlias]]:
        out = []
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = self.code(alias.name)
                    if name in ("segment.analytics", "segment.analytics.client") or name.startswith("segment.analytics.") \
                            or (self.f.legacy_ok and (name == "analytics" or name.startswith("analytics."))):
                        out.append((small, alias))
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                mod = self.code(small.module)
                if mod == "segment" and not isinstance(small.names, cst.ImportStar):
                    out.extend((small, a) for a in small.names if self.code(a.name) == "analytics")
                elif mod.startswith("segment.analytics") or (self.f.legacy_ok and (mod == "analytics" or mod.startswith("analytics."))):
                    if isinstance(small.names, cst.ImportStar):
                        out.append((small, None))  # type: ignore[arg-type]
                    else:
                        out.extend((small, a) for a in small.names)
        return out

    def _rewrite_imports(self, seg_imports: list[cst.SimpleStatementLine], all_imports: list[cst.SimpleStatementLine]) -> None:
        amp_line = self._amplitude_import_line()
        extra_lines: list[str] = []
        if self.home_import is not None:
            mod, name = self.home_import
            alias = self.module_alias_name() or "analytics"
            extra_lines.append(f"from {mod} import {name}" + (f" as {alias}" if alias and alias != name else ""))
        if self.home_mode == "early":
            extra_lines.append(f"{self.f.home_name} = {self._client_ctor(PLACEHOLDER_EMPTY, [])}")
        if self.need_os and "os" not in self.used_names:
            amp_line = "import os\n" + amp_line if amp_line else "import os"
        first = True
        for stmt in seg_imports:
            parts = self._segment_import_parts(stmt)
            keep = [s for s in stmt.body if not any(p[0] is s for p in parts)]
            leftovers = self._leftover_names(parts)
            if leftovers:
                self.finding(stmt, Kind.MANUAL, "py/import", f"imports Segment names segamp does not migrate: {', '.join(leftovers)}",
                             "replace them by hand")
                self.note(stmt, f"Segment names without an Amplitude mapping: {', '.join(leftovers)}")
                continue
            lines = [self.code(s) for s in keep]
            if first or self.f.parents.get(stmt) is not self.f.module:
                new = [x for x in (amp_line,) if x] + extra_lines
                lines.extend(new)
                first = False if self.f.parents.get(stmt) is self.f.module else first
            indent = self.indent(stmt)
            if lines:
                start, end = _span(self.f, stmt.body[0])[0], _span(self.f, stmt.body[-1])[1]
                self.edit(start, end, ("\n" + indent).join(lines))
            else:
                self._remove_statement(stmt)
        if first and (amp_line or extra_lines) and not seg_imports:
            # conversions in a file that only imports a project client: add the import
            module_imports = [s for s in all_imports if self.f.parents.get(s) is self.f.module]
            text = "\n".join([x for x in (amp_line,) if x] + extra_lines)
            if module_imports:
                end = _span(self.f, module_imports[-1])[1]
                nl = self.src.data.find(b"\n", end - 1)
                at = len(self.src.data) if nl == -1 else nl + 1
                self.analysis.edits.append(Edit(at, at, text + "\n"))
            else:
                self.analysis.edits.append(Edit(0, 0, text + "\n"))

    def _leftover_names(self, parts) -> list[str]:
        out = []
        for small, alias in parts:
            if alias is None:
                out.append("*")
                continue
            if isinstance(small, cst.ImportFrom):
                name = self.code(alias.name)
                if name not in ("Client", "analytics"):
                    out.append(name)
        return out

    def module_alias_name(self) -> Optional[str]:
        for stmt in self.f.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small, alias in self._segment_import_parts(stmt):
                    if alias is None:
                        continue
                    if isinstance(small, cst.ImportFrom) and self.code(alias.name) == "analytics":
                        return alias.asname.name.value if alias.asname else "analytics"  # type: ignore[union-attr]
                    if isinstance(small, cst.Import) and self.code(alias.name) in SEG_MODULES | LEGACY_MODULES:
                        if alias.asname:
                            return alias.asname.name.value  # type: ignore[union-attr]
                        if self.code(alias.name) == "analytics":
                            return "analytics"
        return None

    def _amplitude_import_line(self) -> str:
        if not self.needed:
            return ""
        order = ["Amplitude", "BaseEvent", "Config", "EventOptions", "Identify"]
        names = []
        for n in sorted(self.needed, key=order.index):
            local = self.amp_names[n]
            names.append(n if local == n else f"{n} as {local}")
        return "from amplitude import " + ", ".join(names)

    def _remove_statement(self, stmt: cst.CSTNode, small: Optional[cst.CSTNode] = None) -> None:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) > 1 and small is not None:
            self.replace(small, "pass")
            return
        if self.only_statement_in_block(stmt):
            start, end = _span(self.f, stmt)
            self.edit(start, end, "pass")
            return
        start = self.line_start(stmt)
        end = _span(self.f, stmt)[1]
        nl = self.src.data.find(b"\n", end - 1)
        end = len(self.src.data) if nl == -1 else nl + 1
        if self.src.data[start:_span(self.f, stmt)[0]].strip():
            start, end = _span(self.f, stmt)  # shares its line with something else
        self.edit(start, end, "")

    # --- the module-level default client -------------------------------------------------
    def _plan_home(self, assigns: list[cst.Assign]) -> None:
        """Where the one Amplitude client lives for this file's module-level calls."""
        if self.f.sets_write_key:
            key_assigns = [a for a in assigns if isinstance(a.targets[0].target, cst.Attribute)
                           and a.targets[0].target.attr.value == "write_key" and self.b.is_seg_module(a.targets[0].target.value)]
            first = key_assigns[0]
            line = self.statement_of(first)
            top = line is not None and self.f.parents.get(line) is self.f.module and len(key_assigns) == 1
            if top:
                before = [a for a in assigns if isinstance(a.targets[0].target, cst.Attribute)
                          and self.b.is_seg_module(a.targets[0].target.value) and _span(self.f, a)[0] < _span(self.f, first)[0]]
                uses_before = self._module_used_before(first)
                top = not before and not uses_before
            self.home_mode = "fold" if top else "early"
            if self.home_mode == "early":
                self.amp("Amplitude")
                self.amp("Config") if self.config.min_id_length > 0 else None
            return
        if not self._file_uses_seg_module():
            return
        homes = self.ctx.cache.get("py:homes", [])
        if len(homes) == 1:
            path, name = homes[0]
            self.home_import = (_dotted_module(path), name)
            self.home_mode = "import"
            return
        why = ("no file in the scanned paths sets `analytics.write_key`" if not homes
               else f"{len(homes)} files set `analytics.write_key` ({', '.join(sorted(os.path.relpath(p) for p, _ in homes))})")
        stmt = next((s for s in self.f.module.body if isinstance(s, cst.SimpleStatementLine) and self._segment_import_parts(s)), None)
        node = stmt or self.f.module
        self.finding(node, Kind.MANUAL, "py/default-client",
                     f"this file uses Segment's module-level client, but {why}, so segamp cannot tell which Amplitude client to use",
                     "run segamp on the whole project, or create one Amplitude client and import it here")
        self.home_mode = "blocked"

    def _seg_module_uses(self, node: cst.CSTNode) -> list[cst.Attribute]:
        """`<segment module>.x` attribute uses under node (Client excepted)."""
        found: list[cst.Attribute] = []
        b = self.b

        class V(cst.CSTVisitor):
            def visit_Attribute(self, attr):
                if b.is_seg_module(attr.value) and attr.attr.value != "Client":
                    found.append(attr)

        node.visit(V())
        return found

    def _file_uses_seg_module(self) -> bool:
        return bool(self._seg_module_uses(self.f.module))

    def _module_used_before(self, first: cst.Assign) -> bool:
        limit = _span(self.f, first)[0]
        for stmt in self.f.module.body:
            if _span(self.f, stmt)[0] >= limit:
                break
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            if self._seg_module_uses(stmt):
                return True
        return False

    def _convert_setting(self, node: cst.Assign, target: cst.Attribute) -> None:
        attr = target.attr.value
        recv = self.client_name_for_module(target.value)
        stmt = self.statement_of(node)
        if attr == "write_key":
            key = self._api_key(node.value, node)
            if self.home_mode == "fold":
                self.replace(node, f"{recv} = {self._client_ctor(key, [])}")
            else:
                self.replace(node, f"{recv}.configuration.api_key = {key}")
            return
        option = CLIENT_OPTIONS.get(attr)
        if option is None:
            self.finding(node, Kind.MANUAL, "py/settings", f"`{self.code(target)}` has no Amplitude equivalent",
                         "remove it or configure the Amplitude client by hand")
            self.note(node, f"`{self.code(target)}` has no Amplitude equivalent")
            self.replaced_spans.append(_span(self.f, node))
            return
        config_field, how = option
        value = self._option_value(attr, how, node.value, node)
        if value is None:
            if how == "drop":
                self._remove_statement(stmt, node)
                self.finding(node, Kind.CONVERTED, "py/settings", f"removed `{self.code(target)}`: no Amplitude equivalent")
            else:
                self.replaced_spans.append(_span(self.f, node))
            return
        self.replace(node, f"{recv}.configuration.{config_field} = {value}")

    def client_name_for_module(self, node: cst.CSTNode) -> str:
        if isinstance(node, cst.Name):
            return node.value
        return self.f.home_name if self.f.sets_write_key else (self.module_alias_name() or "analytics")

    # --- keys and options -------------------------------------------------------------
    def _api_key(self, expr: cst.BaseExpression, at: cst.CSTNode) -> str:
        if self.config.api_key_env:
            self.need_os = True
            self.finding(at, Kind.CONVERTED, "py/api-key", f"API key read from ${self.config.api_key_env} (api_key_env)")
            return f'os.environ["{self.config.api_key_env}"]'
        text = self.code(expr)
        if isinstance(expr, cst.SimpleString):
            self.finding(expr, Kind.MANUAL, "py/api-key", "a literal Segment write key is not an Amplitude API key; replaced by a placeholder",
                         "put your Amplitude API key (ideally from the environment) in place of the placeholder")
            self.note(expr, "set your Amplitude API key (the Segment write key was replaced by a placeholder)")
            return f'"{PLACEHOLDER_KEY}"'
        if "SEGMENT_WRITE_KEY" in text and _only_renamed_in_strings(expr, "SEGMENT_WRITE_KEY"):
            self.finding(expr, Kind.CONVERTED, "py/api-key", "environment variable …SEGMENT_WRITE_KEY renamed to …AMPLITUDE_API_KEY",
                         "set AMPLITUDE_API_KEY to your Amplitude project's API key wherever the app runs")
            return _rename_in_strings(self, expr, "SEGMENT_WRITE_KEY", "AMPLITUDE_API_KEY")
        self.finding(expr, Kind.MANUAL, "py/api-key", f"`{text}` held a Segment write key and is now used as the Amplitude API key",
                     "make it hold your Amplitude API key")
        self.note(expr, f"`{_one_line(text)}` must now hold the Amplitude API key, not the Segment write key")
        return text

    def _option_value(self, name: str, how: str, expr: cst.BaseExpression, at: cst.CSTNode) -> Optional[str]:
        text = self.code(expr)
        if how == "copy":
            return text
        if how == "ms":
            if isinstance(expr, (cst.Integer, cst.Float)):
                return str(int(round(float(expr.value) * 1000)))
            return f"int(({text}) * 1000)"
        if how == "not":
            if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
                return "False" if expr.value == "True" else "True"
            if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
                return self.code(expr.expression)
            return f"not ({text})"
        if how == "host":
            if "SEGMENT_HOST" in text and _only_renamed_in_strings(expr, "SEGMENT_HOST"):
                self.finding(at, Kind.CONVERTED, "py/host",
                             "environment variable …SEGMENT_HOST renamed to …AMPLITUDE_SERVER_URL (server_url)",
                             "AMPLITUDE_SERVER_URL must be the full endpoint URL, e.g. https://api2.amplitude.com/2/httpapi")
                return _rename_in_strings(self, expr, "SEGMENT_HOST", "AMPLITUDE_SERVER_URL")
            self.finding(at, Kind.MANUAL, "py/host", f"Segment host `{_one_line(text)}` is a Segment endpoint; Amplitude sends to its own",
                         "remove it, or set Config(server_url=...) to your Amplitude proxy's full endpoint URL")
            self.note(at, f"Segment host {_one_line(text)} dropped; set Config(server_url=...) only if you proxy Amplitude")
            return None
        if how == "manual":
            help_ = MANUAL_OPTION_HELP.get(name, "configure the Amplitude client by hand")
            self.finding(at, Kind.MANUAL, "py/settings", f"Segment option `{name}` has no Amplitude equivalent", help_)
            self.note(at, f"Segment option `{name}` has no Amplitude equivalent: {help_}")
            return None
        return None  # drop

    def _client_ctor(self, key: str, config_args: list[str]) -> str:
        args = list(config_args)
        if self.config.min_id_length > 0:
            args.insert(0, f"min_id_length={self.config.min_id_length}")
        ctor = self.amp("Amplitude")
        if args:
            return f"{ctor}({key}, {self.amp('Config')}({', '.join(args)}))"
        return f"{ctor}({key})"

    def _convert_constructor(self, call: cst.Call) -> None:
        try:
            values = _bind_args(self, call, CLIENT_POSITIONAL, open_keywords=set(CLIENT_OPTIONS) | {"write_key"})
        except _Blocked as exc:
            self._block(call, "py/client", exc)
            return
        if "write_key" not in values:
            self._block(call, "py/client", _Blocked("Client() without a write key", "pass your Amplitude API key to Amplitude(...)"))
            return
        key = self._api_key(values.pop("write_key"), call)
        config_args = []
        for name, expr in values.items():
            field_, how = CLIENT_OPTIONS[name]
            value = self._option_value(name, how, expr, call)
            if value is None:
                if how == "drop":
                    self.finding(call, Kind.CONVERTED, "py/client", f"dropped Client option `{name}`: no Amplitude equivalent")
                continue
            config_args.append(f"{field_}={value}")
        self.replace(call, self._client_ctor(key, config_args))
        self.finding(call, Kind.CONVERTED, "py/client", "Segment Client → Amplitude client (Config(min_id_length) keeps short ids)")

    # --- calls ----------------------------------------------------------------------------
    def _block(self, call: cst.Call, rule: str, exc: _Blocked) -> None:
        self.finding(call, Kind.MANUAL, rule, exc.message, exc.suggestion)
        self.note(call, exc.message + (f"; {exc.suggestion}" if exc.suggestion else ""))
        self.replaced_spans.append(_span(self.f, call))

    def _convert_call(self, call: cst.Call, module: bool) -> None:
        func = call.func
        assert isinstance(func, cst.Attribute)
        method = func.attr.value
        rule = f"py/{method}"
        recv = self.code(func.value) if not module else self.client_name_for_module(func.value)
        if method not in SIGNATURES:
            if method in ("write_key", "host", "Client"):
                return
            self._block(call, "py/unsupported", _Blocked(f"`{method}()` of the Segment client has no Amplitude equivalent",
                                                         "rewrite it against the Amplitude client by hand"))
            return
        needed_before = set(self.needed)
        try:
            values = _bind_args(self, call, SIGNATURES[method])
            if method in ("flush", "join", "shutdown"):
                new_method = "flush" if method == "flush" else "shutdown"
                self.replace(call, f"{recv}.{new_method}()")
                if method == "join":
                    self.finding(call, Kind.CONVERTED, rule, "join() → shutdown(): Amplitude's shutdown flushes and waits")
                return
            stmt = self.sole_expression_statement(call)
            if stmt is None:
                raise _Blocked(f"the result of {method}() is used; Amplitude's {method} returns nothing",
                               "rewrite the surrounding code by hand")
            for dropped in ("context", "integrations"):
                if dropped in values and not _is_none(values[dropped]):
                    if dropped == "context":
                        raise _Blocked("context has no equivalent in Amplitude events",
                                       "move the fields you need into event options (ip, language...) or properties")
                    raise _Blocked("integrations decided which destinations got this call; Amplitude has no such option",
                                   "decide whether the call should reach Amplitude, then convert it by hand")
            if method == "alias":
                self._convert_alias(call, stmt)
                return
            emit = getattr(self, f"_emit_{'page' if method == 'screen' else method}")
            text = emit(recv, values, stmt, method)
        except _Blocked as exc:
            self.needed = needed_before
            self._block(call, rule, exc)
            return
        comments = _comments_inside(call)
        if comments:  # the call is rebuilt; its inner comments move above the statement
            text = ("\n" + self.indent(stmt)).join(comments + [text])
        self.replace(call, text)
        self.finding(call, Kind.CONVERTED, rule, f"{method}() → Amplitude")

    # identity, properties and timing, in the order Amplitude documents them
    def _options(self, values: dict[str, cst.BaseExpression], insert_id: bool = True, props: Optional[str] = None) -> list[str]:
        out = []
        if "user_id" in values and not _is_none(values["user_id"]):
            out.append(f"user_id={_id_text(self, values['user_id'])}")
        if "anonymous_id" in values and not _is_none(values["anonymous_id"]):
            out.append(f"device_id={_id_text(self, values['anonymous_id'])}")
        if props:
            out.append(f"event_properties={props}")
        if "timestamp" in values and not _is_none(values["timestamp"]):
            out.append(f"time={_time_text(self, values['timestamp'])}")
        if insert_id and "message_id" in values and not _is_none(values["message_id"]):
            out.append(f"insert_id={_id_text(self, values['message_id'])}")
        return out

    def _emit_track(self, recv, values, stmt, method) -> str:
        if "event" not in values or _is_none(values["event"]):
            raise _Blocked("track() without an event name", "add the event name")
        props = values.get("properties")
        args = [f"event_type={self.code(values['event'])}"] + self._options(
            values, props=None if _is_none(props) else self.code(props))
        return f"{recv}.track({_call(self.amp('BaseEvent'), args, self.indent(stmt))})"

    def _emit_page(self, recv, values, stmt, method) -> str:
        template = self.config.page_event if method == "page" else self.config.screen_event
        event = _render_template(self, template, values.get("name"), values.get("category"))
        extra = [(k, self.code(values[k])) for k in ("name", "category") if k in values and not _is_none(values[k])]
        props_text = _merge_props(self, values.get("properties"), extra)
        args = [f"event_type={event}"] + self._options(values, props=props_text)
        return f"{recv}.track({_call(self.amp('BaseEvent'), args, self.indent(stmt))})"

    def _identify_expr(self, traits: Optional[cst.BaseExpression], stmt, var_hint: str) -> tuple[list[str], Optional[str]]:
        """(statements to put before the call, identify expression); (.., None) when empty."""
        identify = self.amp("Identify")
        if traits is None or _is_none(traits):
            return [], None
        if isinstance(traits, cst.Dict) and all(isinstance(e, cst.DictElement) and _literal_str(e.key) is not None for e in traits.elements):
            if not traits.elements:
                return [], None
            chain = identify + "()" + "".join(f".set({self.code(e.key)}, {self.code(e.value)})" for e in traits.elements)
            indent = self.indent(stmt)
            if len(chain) + len(indent) > 90 or any("\n" in self.code(e.value) for e in traits.elements):
                inner = indent + "    "
                chain = "(\n" + inner + identify + "()\n" + "".join(
                    f"{inner}.set({self.code(e.key)}, {self.code(e.value)})\n" for e in traits.elements) + indent + ")"
            return [], chain
        var = self._fresh(var_hint)
        k, v = self._fresh("trait"), self._fresh("value")
        text = self.code(traits)
        source = text if isinstance(traits, cst.Dict) else f"({text} or {{}})"
        pre = [f"{var} = {identify}()", f"for {k}, {v} in {source}.items():", f"    {var}.set({k}, {v})"]
        return pre, var

    def _fresh(self, base: str) -> str:
        name, n = base, 2
        while name in self.used_names:
            name, n = f"{base}_{n}", n + 1
        self.used_names.add(name)
        return name

    def _join(self, stmt, lines: list[str]) -> str:
        return ("\n" + self.indent(stmt)).join(lines)

    def _emit_identify(self, recv, values, stmt, method) -> str:
        if _is_none(values.get("user_id")) and _is_none(values.get("anonymous_id")):
            raise _Blocked("identify() without user_id or anonymous_id", "pass the user id")
        pre, ident = self._identify_expr(values.get("traits"), stmt, "identify_obj")
        if ident is None:
            raise _Blocked("identify() without traits sets nothing in Amplitude (the SDK drops an empty Identify)",
                           "delete the call; Amplitude attaches user_id to every event instead")
        opts = _call(self.amp("EventOptions"), self._options(values), self.indent(stmt))
        line = f"{recv}.identify({ident}, {opts})"
        if len(line) + len(self.indent(stmt)) > 88 and "\n" not in ident:
            line = _call(f"{recv}.identify", [ident, opts], self.indent(stmt))
        return self._join(stmt, pre + [line])

    def _emit_group(self, recv, values, stmt, method) -> str:
        if "group_id" not in values or _is_none(values["group_id"]):
            raise _Blocked("group() without a group id", "pass the group id")
        gid = _id_text(self, values["group_id"])
        gtype = _py_str(self.config.group_type)
        opts = _call(self.amp("EventOptions"), self._options(values, insert_id=False), self.indent(stmt))
        lines = [f"{recv}.set_group({gtype}, {gid}, {opts})"]
        pre, ident = self._identify_expr(values.get("traits"), stmt, "group_identify_obj")
        if ident is not None:
            tail = f", {opts}"
            if not _simple_reference(values["group_id"]):
                # computed once, used by both calls
                var = self._fresh("group_name")
                pre = [f"{var} = {gid}"] + pre
                lines = [f"{recv}.set_group({gtype}, {var}, {opts})"]
                gid = var
            lines = pre + lines + [_call(f"{recv}.group_identify", [gtype, gid, ident, opts], self.indent(stmt))]
        return self._join(stmt, lines)

    def _convert_alias(self, call: cst.Call, stmt: cst.SimpleStatementLine) -> None:
        indent = self.indent(stmt)
        original = self.code(call).splitlines()
        lines = ["# TODO(segamp): Amplitude's SDK has no alias(); map the ids with the User Mapping API "
                 "(https://amplitude.com/docs/apis/analytics/user-mapping) or drop the call. Segment call was:"]
        lines += [f"# {ln.strip() if i else ln}" for i, ln in enumerate(original)]
        if self.only_statement_in_block(stmt):
            lines.append("pass")
        self.replace(call, ("\n" + indent).join(lines))
        self.finding(call, Kind.MANUAL, "py/alias", "alias() has no Amplitude SDK equivalent; left as a comment",
                     "use Amplitude's User Mapping API (portfolio) or drop it")

    def _flush_notes(self) -> None:
        for at, notes in self.notes.items():
            indent = self.src.line_indent(at)
            seen = []
            for n in notes:
                if n not in seen:
                    seen.append(n)
            text = "".join(f"{indent}# TODO(segamp): {_one_line(n)}\n" for n in seen)
            self.analysis.edits.append(Edit(at, at, text))


PLACEHOLDER_EMPTY = '""'


# --------------------------------------------------------------------------------------------
# expression helpers
# --------------------------------------------------------------------------------------------
def _bind_args(rw: _Rewriter, call: cst.Call, params: tuple[str, ...], open_keywords: Optional[set[str]] = None) -> dict[str, cst.BaseExpression]:
    values: dict[str, cst.BaseExpression] = {}
    allowed = set(params) | (open_keywords or set())
    positional = 0
    for arg in call.args:
        if arg.star:
            raise _Blocked(f"`{arg.star}` arguments cannot be mapped with certainty",
                           "pass the Segment fields as explicit keyword arguments, then run segamp again")
        if arg.keyword is None:
            if positional >= len(params):
                raise _Blocked("more positional arguments than Segment's signature has", "check the call")
            values[params[positional]] = arg.value
            positional += 1
        else:
            name = arg.keyword.value
            if name not in allowed:
                raise _Blocked(f"unknown argument `{name}`", "check the call against Segment's signature")
            values[name] = arg.value
    return values


def _simple_reference(node: cst.BaseExpression) -> bool:
    """Safe to evaluate twice: a literal, a name or a dotted attribute of one."""
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Name)):
        return True
    return isinstance(node, cst.Attribute) and _simple_reference(node.value)


def _comments_inside(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class V(cst.CSTVisitor):
        def visit_Comment(self, c):
            found.append(c.value)

    node.visit(V())
    return found


def _is_none(node: Optional[cst.CSTNode]) -> bool:
    return node is None or (isinstance(node, cst.Name) and node.value == "None")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def _py_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _id_text(rw: _Rewriter, node: cst.BaseExpression) -> str:
    """Segment stringified numeric ids; Amplitude drops non-string ids."""
    if isinstance(node, cst.Integer):
        return _py_str(str(int(node.value.replace("_", ""), 0)))
    return rw.code(node)


def _time_text(rw: _Rewriter, node: cst.BaseExpression) -> str:
    text = rw.code(node)
    if isinstance(node, (cst.Name, cst.Attribute)):
        return f"int({text}.timestamp() * 1000) if {text} is not None else None"
    if isinstance(node, cst.Call):
        return f"int({text}.timestamp() * 1000)"
    return f"int(({text}).timestamp() * 1000)"


def _call(func: str, args: list[str], indent: str) -> str:
    one = f"{func}({', '.join(args)})"
    if len(indent) + len(one) <= 88 and not any("\n" in a for a in args):
        return one
    inner = indent + "    "
    body = "".join(f"{inner}{a.replace(chr(10), chr(10) + '    ')},\n" for a in args)
    return f"{func}(\n{body}{indent})"


def _only_renamed_in_strings(expr: cst.BaseExpression, needle: str) -> bool:
    """The needle occurs only inside plain string literals of the expression."""
    found_in_strings = []

    class V(cst.CSTVisitor):
        def visit_SimpleString(self, node):
            if needle in node.value:
                found_in_strings.append(node)

        def visit_Name(self, node):
            if needle in node.value:
                found_in_strings.append(None)

        def visit_Attribute(self, node):
            if needle in node.attr.value:
                found_in_strings.append(None)

    expr.visit(V())
    return bool(found_in_strings) and all(n is not None for n in found_in_strings)


def _rename_in_strings(rw: _Rewriter, expr: cst.BaseExpression, old: str, new: str) -> str:
    text = rw.code(expr)
    # only string literals contain the needle (checked by _only_renamed_in_strings)
    return text.replace(old, new)


def _render_template(rw: _Rewriter, template: str, name, category) -> str:
    parts = re.split(r"(\{name\}|\{category\})", template)
    literal_only = True
    pieces: list[tuple[bool, str]] = []
    for part in parts:
        if part in ("{name}", "{category}"):
            node = name if part == "{name}" else category
            if _is_none(node):
                pieces.append((True, ""))
            elif _literal_str(node) is not None:
                pieces.append((True, _literal_str(node)))  # type: ignore[arg-type]
            else:
                literal_only = False
                pieces.append((False, rw.code(node)))
        else:
            pieces.append((True, part))
    if literal_only:
        return _py_str("".join(p for _, p in pieces).strip())
    exprs = [p for lit, p in pieces if not lit]
    quote = '"' if not any('"' in e for e in exprs) else "'"
    if any(quote in e or "\\" in e or "\n" in e for e in exprs):
        fmt = "".join(p.replace("{", "{{").replace("}", "}}") if lit else "{}" for lit, p in pieces)
        return f"{_py_str(fmt)}.format({', '.join(exprs)})"
    body = "".join(p.replace("{", "{{").replace("}", "}}").replace("\\", "\\\\").replace(quote, "\\" + quote) if lit else "{" + p + "}"
                   for lit, p in pieces)
    return f"f{quote}{body}{quote}"


def _merge_props(rw: _Rewriter, props: Optional[cst.BaseExpression], extra: list[tuple[str, str]]) -> Optional[str]:
    """Page/screen properties plus name/category (only when not already a property)."""
    if _is_none(props):
        if not extra:
            return None
        return "{" + ", ".join(f'"{k}": {v}' for k, v in extra) + "}"
    text = rw.code(props)  # type: ignore[arg-type]
    if not extra:
        return text
    if isinstance(props, cst.Dict) and all(isinstance(e, cst.DictElement) and _literal_str(e.key) is not None for e in props.elements):
        have = {_literal_str(e.key) for e in props.elements}
        add = [(k, v) for k, v in extra if k not in have]
        if not add:
            return text
        if "\n" in text or not props.elements:
            return "{" + ", ".join(f'"{k}": {v}' for k, v in add) + (", **" + text if props.elements else "") + "}"
        inner = text[1:-1].rstrip().rstrip(",")
        return "{" + inner + ", " + ", ".join(f'"{k}": {v}' for k, v in add) + "}"
    source = text if isinstance(props, cst.Dict) else f"({text} or {{}})"
    return "{" + ", ".join(f'"{k}": {v}' for k, v in extra) + f", **{source}" + "}"
