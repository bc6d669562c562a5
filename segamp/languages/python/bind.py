"""Binding: which receivers are Segment clients, where the module client lives, what a file exports.

Uses libcst's qualified names and scopes: a call is converted only when its receiver is, with
certainty, a Segment client:

* the Segment module itself (``import segment.analytics as analytics``, ``from segment import
  analytics``, ``import segment.analytics``; legacy ``import analytics`` only when no project
  module named ``analytics`` shadows it (one at the file's import root, or beside a script run
  as __main__: paths.own_package) and the project shows Segment evidence:
  a write key set on it, or analytics-python in a manifest);
* a name, ``self.<attr>``/``Class.<attr>`` or factory call whose every assignment is
  ``Client(...)`` from ``segment.analytics`` (``None`` placeholders allowed), including names
  and factories another project module exports (``index()`` records them in ctx.exports).

The file that sets ``<module>.write_key`` is the module client's *home* (handler.py says what
happens there); index() records every home so other files can import the client from it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import Assignment, ImportAssignment, QualifiedName, QualifiedNameSource

from ...model import ClientInfo
from .paths import dotted_module, module_key, own_analytics_module, own_package  # noqa: F401  (re-exported)
from ...source import SourceFile
from ..reads import export_keys_ending
from ..base import ProjectContext
from . import fastcst
from .fastcst import module_of
from . import keys as K

SEG_MODULES = {"segment.analytics"}
LEGACY_MODULES = {"analytics"}
CLIENT_CLASSES = {"segment.analytics.Client", "segment.analytics.client.Client"}
LEGACY_CLIENT_CLASSES = {"analytics.Client", "analytics.client.Client"}
# the module's functions that act on its default client (`from segment.analytics import track`)
SEG_FUNCTIONS = {"track", "identify", "group", "page", "screen", "alias", "flush", "join", "shutdown"}


@dataclass
class Facts:
    module: cst.Module
    qnames: Any     # node -> qualified names (fastcst.QualifiedNames)
    scopes: Any     # node -> libcst Scope
    parents: Any    # node -> parent node
    spans: Any      # node -> (start, end) byte offsets in source.data
    legacy_ok: bool
    source: Any = None
    own_segment: bool = False   # a project package `segment` shadows the SDK here
    # what other files may import: name -> raw client key
    global_clients: dict[str, str] = field(default_factory=dict)
    factories: dict[str, str] = field(default_factory=dict)
    # top-level functions and classes with parameters annotated as a client: name -> params
    client_params: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # names a module-level `from <project module> import x [as y]` re-exports: y -> x's entry
    reexports: dict[str, dict] = field(default_factory=dict)
    # instances created in this file: raw key -> package
    created: dict[str, str] = field(default_factory=dict)
    typed_uses: set[str] = field(default_factory=set)   # packages of typed uses of unknown origin
    sets_write_key: bool = False
    legacy_write_key: bool = False
    home_name: str = "analytics"
    binder: Any = None    # the Binder that filled these facts
    import_roots: Optional[set] = None   # see imported_qnames()
    _by_type: Optional[dict] = None      # see nodes_of()
    _top_ranges: Optional[dict] = None   # see nodes_under()

    def nodes_of(self, *types: type) -> list:
        """Every node of exactly these classes (as a visitor's visit_<Class> meets them), in
        document order: read off the parents table, which lists every node but the module in
        the order a visitor meets them, instead of walking the tree once more."""
        if len(types) == 1:
            if self._by_type is None:
                by: dict[type, list] = {}
                for node in self.parents:
                    by.setdefault(type(node), []).append(node)
                self._by_type = by
            return self._by_type.get(types[0], [])
        wanted = frozenset(types)
        return [n for n in self.parents if type(n) in wanted]

    def nodes_under(self, node: cst.CSTNode, *types: type) -> Optional[list]:
        """nodes_of(*types) within node (itself included) when node is the module or one of its
        statements; None for any other node (the caller walks it)."""
        if node is self.module:
            return self.nodes_of(*types)
        if self.parents.get(node) is not self.module:
            return None
        if self._top_ranges is None:
            # a node of the module's own (a statement, a header or footer line) opens a range
            # that runs to the next one: preorder lists a subtree's nodes together
            ranges, order, start, owner = {}, list(self.parents), 0, None
            module = self.module
            for i, n in enumerate(order):
                if self.parents[n] is module:
                    if owner is not None:
                        ranges[owner] = (start, i)
                    owner, start = n, i
            if owner is not None:
                ranges[owner] = (start, len(order))
            self._top_ranges = {"order": order, "ranges": ranges}
        begin, end = self._top_ranges["ranges"][node]
        wanted = frozenset(types)
        return [n for n in self._top_ranges["order"][begin:end] if type(n) in wanted]


# `import analytics as segment_analytics`: the names a file imports analytics-python under
_LEGACY_ALIAS = re.compile(r"^\s*import\s+analytics\s+as\s+(\w+)", re.M)


def _sets_legacy_write_key(text: str) -> bool:
    """Segment evidence in the file itself: a write key set on `analytics` under the name the
    file imports it as (`segment_analytics.write_key = …`), which only Segment's SDK reads."""
    names = {"analytics", *_LEGACY_ALIAS.findall(text)}
    alternatives = "|".join(sorted(re.escape(n) for n in names))
    return bool(re.search(rf"^\s*(?:{alternatives})\.write_key\s*=", text, re.M))


def facts_for(source: SourceFile, ctx: ProjectContext, module: Optional[cst.Module] = None) -> Facts:
    legacy_evidence = "py:legacy-analytics" in ctx.evidence or "pypi:analytics-python" in ctx.evidence
    # the binding reads the project's facts (other modules' exports): one per round of them
    cache_key = ("py:facts", source.path, hash(source.text), legacy_evidence, ctx.memo_generation)
    cached = ctx.cache.get(cache_key)
    if cached is not None:
        cached.binder.ctx = ctx
        return cached
    # the tree and its metadata do not depend on other files: resolved once, whatever the round
    resolved_key = ("py:resolved", source.path, hash(source.text))
    resolved = ctx.cache.get(resolved_key)
    if resolved is None:
        module = module_of(module) if module is not None else fastcst.parse_module(source.text)
        # Only what binding reads, each once (fastcst.py says why not MetadataWrapper); the
        # module the engine parsed is never mutated, so it is not copied either.
        resolved = ctx.cache[resolved_key] = (module, fastcst.resolve(module, source.text))
    module, (spans, parents, scopes, qualified) = resolved
    facts = Facts(
        module=module,
        qnames=qualified,
        scopes=scopes,
        parents=parents,
        spans=spans,
        legacy_ok=False,
        source=source,
    )
    text = source.text
    entries = _entries(source.path, module, ctx)
    if re.search(r"^\s*(import analytics\b|from analytics\b)", text, re.M) and not own_analytics_module(source.path, entries):
        facts.legacy_ok = legacy_evidence or _sets_legacy_write_key(text)
    facts.own_segment = own_package(source.path, "segment", entries)
    binder = Binder(facts, ctx, source.path)
    facts.binder = binder
    with fastcst.fast_visits():
        binder.scan()
    ctx.cache[cache_key] = facts
    return facts


def _entries(path: str, module: cst.Module, ctx: ProjectContext) -> frozenset:
    """The project's scripts run as __main__ (the previous round's), and this file if it is
    one: a script's folder is sys.path[0], so its own modules shadow installed ones there."""
    from .handler import is_entry_script

    entries = frozenset(ctx.cache.get(K.ENTRIES, ()))
    return entries | {os.path.abspath(path)} if is_entry_script(path, module) else entries


def qnames(facts: Facts, node: cst.CSTNode) -> set[QualifiedName]:
    return facts.qnames[node]


def imported_qnames(facts: Facts, node: cst.CSTNode) -> set[QualifiedName]:
    """qnames(), when node can name an import at all: a name or dotted name whose first name
    no import in the file binds has no IMPORT-sourced qualified name, and most names in a
    file are such (computing them was a tenth of a file's time)."""
    root = node
    while type(root) is cst.Attribute:   # final classes: type() skips ABCMeta's isinstance
        root = root.value
    if type(root) is cst.Name:
        if facts.import_roots is None:
            facts.import_roots = _import_roots(facts)
        if root.value not in facts.import_roots and "*" not in facts.import_roots:
            return set()
    return facts.qnames[node]


def _import_roots(facts: Facts) -> set[str]:
    """The first names every import in the file binds (`import a.b` binds a)."""
    roots: set[str] = set()
    for scope in {id(s): s for s in facts.scopes.values() if s is not None}.values():
        for assignment in scope.assignments:
            if isinstance(assignment, ImportAssignment):
                roots.add(assignment.name.split(".")[0])
    return roots


def span(facts: Facts, node: cst.CSTNode) -> tuple[int, int]:
    return facts.spans[node]


class Binder:
    """Decides which expressions are Segment clients, and which client each one is (its key,
    see keys.py). Keys never depend on ctx.blocked; is_client_receiver() and is_seg_module()
    do: a blocked client is not a Segment client for the rewrite at all."""

    def __init__(self, facts: Facts, ctx: ProjectContext, path: str):
        self.f = facts
        self.ctx = ctx
        self.path = path
        own = facts.own_segment
        self.seg_modules = (set() if own else SEG_MODULES) | (LEGACY_MODULES if facts.legacy_ok else set())
        self.client_classes = (set() if own else CLIENT_CLASSES) | (LEGACY_CLIENT_CLASSES if facts.legacy_ok else set())
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, cst.ClassDef] = {}
        self.class_attrs: dict[cst.ClassDef, dict[str, str]] = {}
        self._factory_memo: dict[str, Optional[str]] = {}
        self.infos: dict[str, ClientInfo] = {}   # raw key -> what this file knows of that client

    # --- what a node is -----------------------------------------------------------------
    def import_rooted(self, refs: list) -> list:
        """The references that can name an import (imported_qnames() may be non-empty): every
        class, module and function test below asks that first, and most names of a file are
        not rooted in an import."""
        f = self.f
        if f.import_roots is None:
            f.import_roots = _import_roots(f)
        roots = f.import_roots
        if "*" in roots:
            return refs
        out = []
        for ref in refs:
            root = ref
            while type(root) is cst.Attribute:
                root = root.value
            if type(root) is not cst.Name or root.value in roots:
                out.append(ref)
        return out

    def seg_module_raw(self, node: cst.CSTNode) -> bool:
        return any(q.source == QualifiedNameSource.IMPORT and q.name in self.seg_modules for q in imported_qnames(self.f, node))

    def seg_function(self, node: cst.CSTNode) -> Optional[str]:
        """`track` bound by `from segment.analytics import track [as x]`: the module client's
        method it is (None: not one)."""
        if not isinstance(node, cst.Name):
            return None
        for q in imported_qnames(self.f, node):
            module, _, method = q.name.rpartition(".")
            if q.source == QualifiedNameSource.IMPORT and module in self.seg_modules and method in SEG_FUNCTIONS:
                return method
        return None

    def is_seg_module_key_live(self) -> bool:
        return self.module_key() not in self.ctx.blocked

    def is_seg_module(self, node: cst.CSTNode) -> bool:
        """The Segment module, as a client that is migrated in this run."""
        return self.seg_module_raw(node) and self.module_key() not in self.ctx.blocked

    def is_client_class(self, node: cst.CSTNode) -> bool:
        return any(q.source == QualifiedNameSource.IMPORT and q.name in self.client_classes for q in imported_qnames(self.f, node))

    def is_constructor(self, call: cst.Call) -> bool:
        func = call.func
        return self.is_client_class(func) or (
            isinstance(func, cst.Attribute) and func.attr.value == "Client" and self.seg_module_raw(func.value))

    def package_of(self, node: cst.CSTNode) -> str:
        """Which Segment package a module or class reference comes from."""
        names = {q.name for q in qnames(self.f, node)}
        legacy = names & (LEGACY_MODULES | LEGACY_CLIENT_CLASSES) and not names & (SEG_MODULES | CLIENT_CLASSES)
        return K.LEGACY_PACKAGE if legacy else K.PACKAGE

    def imported_export(self, node: cst.CSTNode) -> Optional[dict]:
        """What a project module exports under the name node imports, if anything."""
        for q in imported_qnames(self.f, node):
            if q.source != QualifiedNameSource.IMPORT or "." not in q.name.lstrip("."):
                continue
            mod, _, name = q.name.rpartition(".")
            key = self._resolve_module(mod)
            if key is not None:
                info = self.ctx.exports.get(key, {}).get(name)
                if info and info.get("language") == "python":
                    return info
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
        found = export_keys_ending(self.ctx.exports, (tail, tail + "/__init__"))
        if not found:
            return None
        here = os.path.abspath(self.path)
        found.sort(key=lambda k: -len(os.path.commonpath([k, here])))
        return found[0]

    # --- keys ---------------------------------------------------------------------------
    def module_key(self) -> str:
        return K.module_client_key(self.ctx.cache, self.path)

    def canonical(self, key: Optional[str]) -> Optional[str]:
        return K.canonical(key, self.ctx.cache)

    def client_key(self, node: cst.BaseExpression) -> Optional[str]:
        """The migration unit of a receiver (None: not a Segment client), blocked or not."""
        return self.canonical(self.receiver_key(node))

    def is_client_receiver(self, node: cst.BaseExpression) -> bool:
        key = self.client_key(node)
        return key is not None and key not in self.ctx.blocked

    def is_client_expr(self, expr: cst.BaseExpression) -> bool:
        return self.expr_key(expr) is not None

    def note(self, key: str, name: str, package: str, at: Optional[cst.CSTNode] = None) -> None:
        """Remember a client this file uses (with its origin when the file creates it)."""
        origin = f"{self.path}:{self.f.source.line_col(span(self.f, at)[0])[0]}" if at is not None else ""
        if key not in self.infos or (origin and not self.infos[key].origin):
            self.infos[key] = ClientInfo(key, name, package, origin)

    def client_infos(self) -> dict[str, ClientInfo]:
        """Analysis.clients: every client this file uses, by its migration unit."""
        out: dict[str, ClientInfo] = {}
        for raw, info in sorted(self.infos.items()):
            key = self.module_key() if raw == K.MODULE_PREFIX else self.canonical(raw)
            if key not in out or (info.origin and not out[key].origin):
                out[key] = ClientInfo(key, info.name, info.package, info.origin)
        return out

    def expr_key(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        if depth > 5:
            return None
        if isinstance(expr, cst.IfExp):
            # `Client(key) if key else None`: the client, or no client at all
            kept = [e for e in (expr.body, expr.orelse) if not (isinstance(e, cst.Name) and e.value == "None")]
            return self.expr_key(kept[0], depth + 1) if len(kept) == 1 else None
        if isinstance(expr, cst.Call):
            if self.is_constructor(expr):
                return self.creation_key(expr)
            return self.factory_call_key(expr, depth)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self.receiver_key(expr, depth + 1)
        return None

    def creation_key(self, call: cst.Call) -> str:
        where = self._binding_place(call)
        key = K.instance_key(self.path, where)
        self.note(key, where.rpartition(".")[2], self.package_of(call.func), call)
        return key

    def _binding_place(self, call: cst.Call) -> str:
        """Where a constructor's client is bound: `name`, `Class.attr`, `factory`, or its line."""
        parent = self.f.parents.get(call)
        while isinstance(parent, cst.IfExp):   # `Client(key) if key else None`
            parent = self.f.parents.get(parent)
        target = None
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign):
            target = parent.target
        if isinstance(target, cst.Name):
            return self._scope_prefix(parent) + target.value
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            cls = self.enclosing_class(parent)
            if cls is not None and target.value.value in ("self", "cls"):
                return f"{cls.name.value}.{target.attr.value}"
        if isinstance(parent, cst.Return):
            fn = self.enclosing(parent, cst.FunctionDef)
            if fn is not None:
                return self._scope_prefix(fn) + fn.name.value
        return f"L{self.f.source.line_col(span(self.f, call)[0])[0]}"

    def _scope_prefix(self, node: cst.CSTNode) -> str:
        names = []
        cur = self.f.parents.get(node)
        while cur is not None:
            if isinstance(cur, (cst.FunctionDef, cst.ClassDef)):
                names.insert(0, cur.name.value)
            cur = self.f.parents.get(cur)
        return "".join(n + "." for n in names)

    def factory_call_key(self, call: cst.Call, depth: int = 0) -> Optional[str]:
        return self.function_ref_key(call.func, depth)

    def function_ref_key(self, func: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        """The client a reference to a factory function returns (get_analytics, not its call)."""
        info = self.imported_export(func)
        if info is not None:
            return info.get("key") if info.get("kind") == "factory" else None
        if isinstance(func, cst.Name) and func.value in self.functions:
            scope = self.f.scopes.get(func)
            assigned = scope[func.value] if scope is not None else set()
            if assigned and all(isinstance(a, Assignment) and isinstance(a.node, cst.FunctionDef) for a in assigned):
                return self.factory_key(func.value, depth)
        return None

    def factory_key(self, name: str, depth: int = 0) -> Optional[str]:
        """A top-level function whose every return is one client: that client's key."""
        if name in self._factory_memo:
            return self._factory_memo[name]
        self._factory_memo[name] = None
        fn = self.functions.get(name)
        if fn is None:
            return None
        returns: list[cst.Return] = []
        fn.visit(_Returns(fn, returns))
        found = {self.expr_key(r.value, depth + 1) if r.value is not None else None for r in returns}
        key = found.pop() if len(found) == 1 else None
        self._factory_memo[name] = key
        return key

    def receiver_key(self, node: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        if depth > 6:
            return None
        if isinstance(node, cst.Call):
            return self.factory_call_key(node, depth)
        if self.seg_module_raw(node):
            self.note(self.module_key(), self.code_name(node), self.package_of(node))
            return self.module_key()
        info = self.imported_export(node)
        if info is not None:
            key = info.get("key") if info.get("kind") == "client" else None
            return self.module_key() if key == K.MODULE_PREFIX else key
        if isinstance(node, cst.Name):
            return self._name_key(node, depth)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            owner = node.value.value
            cls = self.enclosing_class(node)
            if cls is not None and owner in ("self", "cls", cls.name.value):
                key = self.class_attrs.get(cls, {}).get(node.attr.value)
                if key is not None:
                    return key
            target = self.classes.get(owner)
            if target is not None:
                return self.class_attrs.get(target, {}).get(node.attr.value)
        return None

    def code_name(self, node: cst.CSTNode) -> str:
        return node.value if isinstance(node, cst.Name) else getattr(getattr(node, "attr", None), "value", "analytics")

    def _name_key(self, node: cst.Name, depth: int) -> Optional[str]:
        """A name is a client when every binding of it in its scope is the same client."""
        scope = self.f.scopes.get(node)
        if scope is None:
            return None
        found: set[Optional[str]] = set()
        for a in scope[node.value]:
            if not isinstance(a, Assignment) or isinstance(a, ImportAssignment):
                return None
            if isinstance(a.node, cst.Param):
                found.add(self.param_key(a.node))
                continue
            value = self._assigned_value(a.node)
            if value is None:
                return None
            if isinstance(value, cst.Name) and value.value == "None":
                continue
            found.add(self.expr_key(value, depth + 1))
        return found.pop() if len(found) == 1 else None

    # --- annotations --------------------------------------------------------------------
    def annotation_package(self, ann: Optional[cst.BaseExpression]) -> Optional[str]:
        """The Segment package when ann is Client, Optional[Client], Client | None, ..."""
        if ann is None:
            return None
        if isinstance(ann, (cst.Name, cst.Attribute)) and self.is_client_class(ann):
            return self.package_of(ann)
        if isinstance(ann, cst.Attribute) and ann.attr.value == "Client" and self.seg_module_raw(ann.value):
            return self.package_of(ann.value)
        parts: list[cst.BaseExpression] = []
        if isinstance(ann, cst.Subscript) and _last_name(ann.value) in ("Optional", "Union"):
            parts = [e.slice.value for e in ann.slice if isinstance(e.slice, cst.Index)]
        elif isinstance(ann, cst.BinaryOperation) and isinstance(ann.operator, cst.BitOr):
            parts = [ann.left, ann.right]
        packages = {self.annotation_package(p) for p in parts if not (isinstance(p, cst.Name) and p.value == "None")}
        return packages.pop() if len(packages) == 1 else None

    def param_key(self, param: cst.Param) -> Optional[str]:
        """A parameter annotated as a client: the client its Depends(factory) provides, or
        every client of that type (keys.py)."""
        package = self.annotation_package(param.annotation.annotation if param.annotation else None)
        if package is None:
            return None
        provider = dependency_provider(param.default)
        if provider is not None:
            return self.function_ref_key(provider)
        key = K.typed_key(package)
        self.note(key, param.name.value, package)
        return key

    def attribute_annotation_key(self, node: cst.AnnAssign) -> Optional[str]:
        if node.value is not None and not (isinstance(node.value, cst.Name) and node.value.value == "None"):
            return self.expr_key(node.value)
        package = self.annotation_package(node.annotation.annotation)
        return K.typed_key(package) if package else None

    def _assigned_value(self, target: cst.CSTNode) -> Optional[cst.BaseExpression]:
        parent = self.f.parents.get(target)
        if isinstance(parent, cst.AssignTarget):
            assign = self.f.parents.get(parent)
            if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
                return assign.value
        if isinstance(parent, cst.AnnAssign) and parent.target is target:
            return parent.value
        return None

    def enclosing(self, node: cst.CSTNode, kind) -> Optional[cst.CSTNode]:
        cur = self.f.parents.get(node)
        while cur is not None:
            if isinstance(cur, kind):
                return cur
            cur = self.f.parents.get(cur)
        return None

    def enclosing_class(self, node: cst.CSTNode) -> Optional[cst.ClassDef]:
        return self.enclosing(node, cst.ClassDef)  # type: ignore[return-value]

    # --- callees that take a client -----------------------------------------------------
    def takes_client(self, call: cst.Call, arg: cst.Arg) -> bool:
        """Does the callee declare this argument's parameter as a Segment client?"""
        func = call.func
        params: Optional[tuple] = None
        info = self.imported_export(func)
        if info is not None:
            params = tuple(tuple(p) for p in info.get("client_params", ()))
        elif isinstance(func, cst.Name):
            params = self.f.client_params.get(func.value)
        if not params:
            return False
        position = [a for a in call.args if a.keyword is None].index(arg) if arg.keyword is None and not arg.star else -1
        return any((arg.keyword is not None and arg.keyword.value == name) or position == index for index, name in params)

    # --- one pass over the module ------------------------------------------------------
    def scan(self) -> None:
        f = self.f
        for stmt in f.module.body:
            if isinstance(stmt, cst.FunctionDef):
                self.functions[stmt.name.value] = stmt
            elif isinstance(stmt, cst.ClassDef):
                self.classes[stmt.name.value] = stmt
        # every node but the module, in document order (code generation recorded each parent
        # first): a flat pass, several times faster than a visitor's walk of the tree
        dispatch = _ScanVisitor(self).dispatch()
        for node in f.parents:
            visit = dispatch.get(type(node))
            if visit is not None:
                visit(node)
        self._scan_exports()

    def _scan_exports(self) -> None:
        """Module-level clients, factories and client-taking callables: what other files import."""
        f = self.f
        for stmt in f.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)):
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for t in targets:
                            key = self.receiver_key(t) if isinstance(t, cst.Name) else None
                            if key is not None:
                                f.global_clients[t.value] = key  # type: ignore[union-attr]
                    elif isinstance(small, cst.ImportFrom) and self.is_package_init:
                        self._scan_reexports(small)
            params = _client_params(self, stmt)
            if params:
                f.client_params[stmt.name.value] = params  # type: ignore[union-attr]
        if f.sets_write_key:
            f.global_clients.setdefault(f.home_name, K.MODULE_PREFIX)  # the home's client, for importers
        for name in self.functions:
            key = self.factory_key(name)
            if key is not None:
                f.factories[name] = key


    @property
    def is_package_init(self) -> bool:
        return os.path.basename(self.path) == "__init__.py"

    def _scan_reexports(self, node: cst.ImportFrom) -> None:
        """`from .client import client` in a package's __init__.py: importers of the package
        get the client (as an importer of client.py does). Only a package re-exports: any
        module that imports the client could be imported from, but making each an exporter
        costs every importer of it another round of indexing and real code does not do it."""
        if isinstance(node.names, cst.ImportStar):
            return
        dotted = "." * len(node.relative) + (get_full_name_for_node(node.module) or "" if node.module else "")
        key = self._resolve_module(dotted)
        if key is None:
            return
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            info = self.ctx.exports.get(key, {}).get(name)
            if info and info.get("language") == "python":
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                self.f.reexports[local] = dict(info)


class _ScanVisitor(cst.CSTVisitor):
    """Class attributes and self.<attr> bound to clients, typed uses, the module's home."""

    def __init__(self, binder: Binder):
        self.b = binder

    def dispatch(self) -> dict:
        return {cst.ClassDef: self.visit_ClassDef, cst.Call: self.visit_Call, cst.Param: self.visit_Param,
                cst.AnnAssign: self.visit_AnnAssign, cst.Assign: self.visit_Assign}

    def visit_ClassDef(self, node):
        attrs = self.b.class_attrs.setdefault(node, {})
        for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else []:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    key = self.b.expr_key(small.value)
                    if key is not None:
                        attrs[small.targets[0].target.value] = key
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    key = self.b.attribute_annotation_key(small)
                    if key is not None:
                        attrs[small.target.value] = key

    def visit_Call(self, node):
        if self.b.is_constructor(node):
            self.b.f.created[self.b.creation_key(node)] = self.b.package_of(node.func)

    def visit_Param(self, node):
        package = self.b.annotation_package(node.annotation.annotation if node.annotation else None)
        if package is not None and dependency_provider(node.default) is None:
            self.b.f.typed_uses.add(package)

    def visit_AnnAssign(self, node):
        package = self.b.annotation_package(node.annotation.annotation)
        if package is not None and (node.value is None or (isinstance(node.value, cst.Name) and node.value.value == "None")):
            self.b.f.typed_uses.add(package)
        if isinstance(node.target, cst.Attribute):
            self._self_attribute(node, node.target, self.b.attribute_annotation_key(node))

    def visit_Assign(self, node):
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if isinstance(target, cst.Attribute):
            self._self_attribute(node, target, None)
        if isinstance(target, cst.Attribute) and target.attr.value == "write_key" and self.b.seg_module_raw(target.value):
            f = self.b.f
            f.sets_write_key = True
            if isinstance(target.value, cst.Name):
                f.home_name = target.value.value
                if any(q.name in LEGACY_MODULES for q in qnames(f, target.value)):
                    f.legacy_write_key = True
            self.b.note(K.MODULE_PREFIX, f.home_name, self.b.package_of(target.value), node)

    def _self_attribute(self, node, target: cst.Attribute, key: Optional[str]) -> None:
        if not (isinstance(target.value, cst.Name) and target.value.value in ("self", "cls")):
            return
        cls = self.b.enclosing_class(node)
        if cls is None:
            return
        if key is None and isinstance(node, cst.Assign):
            key = self.b.expr_key(node.value)
        if key is not None:
            self.b.class_attrs.setdefault(cls, {}).setdefault(target.attr.value, key)


def dependency_provider(default: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
    """`Depends(get_client)` (FastAPI): the provider function."""
    if isinstance(default, cst.Call) and _last_name(default.func) == "Depends" and default.args:
        first = default.args[0]
        return first.value if first.keyword is None or first.keyword.value == "dependency" else None
    return None


def _client_params(b: Binder, stmt: cst.CSTNode) -> tuple[tuple[int, str], ...]:
    """(position, name) of the parameters a top-level function or class declares as clients."""
    fn, skip = stmt, 0
    if isinstance(stmt, cst.ClassDef):
        body = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []
        fn = next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
        skip = 1
    if not isinstance(fn, cst.FunctionDef):
        return ()
    params = list(fn.params.params)
    return tuple((i - skip, p.name.value) for i, p in enumerate(params)
                 if i >= skip and b.annotation_package(p.annotation.annotation if p.annotation else None))


def _last_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""

class _Returns(cst.CSTVisitor):
    """A function's own return statements (nested defs and lambdas return their own values)."""

    def __init__(self, fn: cst.FunctionDef, found: list) -> None:
        self.fn, self.found = fn, found

    def visit_FunctionDef(self, node) -> bool:
        return node is self.fn

    def visit_Lambda(self, node) -> bool:
        return False

    def visit_Return(self, node) -> None:
        self.found.append(node)
