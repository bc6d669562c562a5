"""Binding: which receivers are Segment clients, where the module client lives, what a file exports.

Uses libcst's qualified names and scopes: a call is converted only when its receiver is, with
certainty, a Segment client:

* the Segment module itself (``import segment.analytics as analytics``, ``from segment import
  analytics``, ``import segment.analytics``; legacy ``import analytics`` only when no project
  module named ``analytics`` is importable from the file and the project shows Segment evidence:
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

from ...source import SourceFile
from ..base import ProjectContext

SEG_MODULES = {"segment.analytics"}
LEGACY_MODULES = {"analytics"}
CLIENT_CLASSES = {"segment.analytics.Client", "segment.analytics.client.Client"}
LEGACY_CLIENT_CLASSES = {"analytics.Client", "analytics.client.Client"}


def module_key(path: str) -> str:
    return os.path.splitext(os.path.abspath(path))[0]


def dotted_module(path: str) -> str:
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


def own_analytics_module(path: str) -> bool:
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
class Facts:
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
    binder: Any = None    # the Binder that filled these facts


def facts_for(source: SourceFile, ctx: ProjectContext, module: Optional[cst.Module] = None) -> Facts:
    legacy_evidence = "py:legacy-analytics" in ctx.evidence or "pypi:analytics-python" in ctx.evidence
    cache_key = ("py:facts", source.path, hash(source.text), legacy_evidence)
    cached = ctx.cache.get(cache_key)
    if cached is not None:
        return cached
    if module is None:
        module = cst.parse_module(source.text)
    # The module was parsed once by the engine and is never mutated: no defensive deep copy. One batched
    # visit resolves all four providers (separate resolve() calls each walk the tree).
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    meta = wrapper.resolve_many([QualifiedNameProvider, ScopeProvider, ParentNodeProvider, ByteSpanPositionProvider])
    facts = Facts(
        wrapper=wrapper,
        module=wrapper.module,
        qnames=meta[QualifiedNameProvider],
        scopes=meta[ScopeProvider],
        parents=meta[ParentNodeProvider],
        spans=meta[ByteSpanPositionProvider],
        legacy_ok=False,
    )
    text = source.text
    if re.search(r"^\s*(import analytics\b|from analytics\b)", text, re.M) and not own_analytics_module(source.path):
        facts.legacy_ok = legacy_evidence or bool(re.search(r"^\s*analytics\.write_key\s*=", text, re.M))
    binder = Binder(facts, ctx, source.path)
    facts.binder = binder
    binder.scan()
    ctx.cache[cache_key] = facts
    return facts


def qnames(facts: Facts, node: cst.CSTNode) -> set[QualifiedName]:
    try:
        value = facts.qnames[node]
    except KeyError:
        return set()
    return value() if callable(value) else value  # libcst hands out lazy values


def span(facts: Facts, node: cst.CSTNode) -> tuple[int, int]:
    s = facts.spans[node]
    return s.start, s.start + s.length


class Binder:
    """Decides which expressions are Segment clients."""

    def __init__(self, facts: Facts, ctx: ProjectContext, path: str):
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
        return any(q.source == QualifiedNameSource.IMPORT and q.name in self.seg_modules for q in qnames(self.f, node))

    def is_client_class(self, node: cst.CSTNode) -> bool:
        return any(q.source == QualifiedNameSource.IMPORT and q.name in self.client_classes for q in qnames(self.f, node))

    def imported_export(self, node: cst.CSTNode) -> Optional[str]:
        """'client'/'factory' when node names something a project module exports."""
        for q in qnames(self.f, node):
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
                        if any(q.name in LEGACY_MODULES for q in qnames(f, target.value)):
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
