"""Which expressions are Segment clients (JavaScript / TypeScript).

Seeds are imports of @segment/analytics-next, `AnalyticsBrowser.load(...)` / `new
AnalyticsBrowser()`, annotations with Segment types, the snippet global (window.analytics, and a
bare `analytics` when the project shows the snippet), receivers named in config, and names
imported from project modules that export a client (cross-file, through ProjectContext.exports).
Clients flow through variables, class fields, useMemo, React contexts and hooks that return them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional, Union

from ... import tables
from ...core import profiles
from ...core.profiles import Profile
from ...source import SourceFile
from ..base import ProjectContext
from .syntax import (
    FUNCTION_TYPES, Node, Scopes, args_of, grammar_for, import_source, string_value, unwrap, walk,
)

RULE = tables.load("javascript")
SNIPPET = RULE["snippet"]
SEG_TYPES: dict[str, str] = RULE["types"]
# Segment package -> the target profile its clients migrate to (rules/targets/<name>.toml)
PROFILES: dict[str, str] = RULE["profiles"]
SEGMENT_PACKAGES = tuple(p for p in PROFILES if p.startswith("@"))
SNIPPET_SDK = "analytics.js"
# Segment SDKs this module does not migrate: reported so `check` fails.
OTHER_SEGMENT_SDKS: dict[str, str] = RULE["other_sdks"]
MODULE_EXTS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")

# --- what an expression is -------------------------------------------------------------------
@dataclass(frozen=True)
class Client:
    """A Segment client. snippet=True: the analytics.js global, which goes away entirely."""

    snippet: bool = False


@dataclass(frozen=True)
class ClientObject:
    """An object some of whose properties are clients, e.g. a context value { analytics }."""

    props: frozenset


@dataclass(frozen=True)
class Hook:
    """A function whose result is a client or a client object (useAnalytics, getAnalytics)."""

    returns: Union[Client, ClientObject]


@dataclass(frozen=True)
class Context:
    """A React context whose value is a client or a client object."""

    value: Union[Client, ClientObject]


Kinded = Union[Client, ClientObject, Hook, Context, None]


def _kind_to_json(kind: Kinded) -> dict:
    if isinstance(kind, Client):
        return {"t": "client", "snippet": kind.snippet}
    if isinstance(kind, ClientObject):
        return {"t": "object", "props": sorted(kind.props)}
    if isinstance(kind, Hook):
        return {"t": "hook", "returns": _kind_to_json(kind.returns)}
    if isinstance(kind, Context):
        return {"t": "context", "value": _kind_to_json(kind.value)}
    return {}


def _kind_from_json(d: dict) -> Kinded:
    t = d.get("t")
    if t == "client":
        return Client(snippet=d.get("snippet", False))
    if t == "object":
        return ClientObject(frozenset(d["props"]))
    if t == "hook":
        inner = _kind_from_json(d["returns"])
        return Hook(inner) if isinstance(inner, (Client, ClientObject)) else None
    if t == "context":
        inner = _kind_from_json(d["value"])
        return Context(inner) if isinstance(inner, (Client, ClientObject)) else None
    return None


@dataclass
class Call:
    node: Node            # the call_expression
    method: str
    receiver: Node        # the object the method is called on
    client: Client
    member: Node          # the member_expression `receiver.method`


def module_keys(path: str) -> list[str]:
    base, _ = os.path.splitext(os.path.abspath(path))
    keys = [base]
    if os.path.basename(base) == "index":
        keys.append(os.path.dirname(base))
    return keys


# --- one file --------------------------------------------------------------------------------
class JsFile:
    def __init__(self, source: SourceFile, root: Node, ctx: ProjectContext, path: str, script_mode: bool = False):
        self.src = source
        self.root = root
        self.ctx = ctx
        self.path = path
        self.config = ctx.config
        self.scopes = Scopes()
        self.typescript = grammar_for(path) in ("typescript", "tsx")
        self.html = script_mode
        self.nodes = list(walk(root))
        self.seg_imports: dict[str, str] = {}        # local name -> exported Segment name ("*" = namespace)
        self.seg_import_stmts: list[Node] = []
        self.kinds: dict[int, Kinded] = {}           # declaring identifier id -> kind
        self.fields: dict[str, Kinded] = {}          # this.<name> inside classes
        self.loader_ranges: list[tuple[int, int]] = []
        self.bound = False
        self._type_stack: set[int] = set()          # local type aliases being resolved (cycles)
        self._ambiguous: list = []                   # (import, spec, modules) for aliases matching several
        self.is_module = (not script_mode) and any(
            n.type in ("import_statement", "export_statement") for n in root.named_children)
        self.uses_require = any(n.type == "call_expression" and self.text(n.child_by_field_name("function")) == "require"
                                for n in self.nodes)

    # --- small helpers -------------------------------------------------------------------------
    def text(self, node: Optional[Node]) -> str:
        if node is None:
            return ""
        return self.src.data[node.start_byte:node.end_byte].decode("utf-8")

    def profile_for(self, client: "Client") -> Profile:
        """The target profile a client migrates to (rules/javascript.toml [profiles])."""
        return profiles.load(PROFILES[SNIPPET_SDK if client.snippet else SEGMENT_PACKAGES[0]])

    # --- bind ----------------------------------------------------------------------------------
    def bind(self) -> None:
        if self.bound:
            return
        self.bound = True
        self._find_loaders()
        self._seed_imports()
        # Kinds flow through declarations, fields, hooks and contexts: repeat until stable.
        for _ in range(6):
            if not self._propagate():
                break

    def _find_loaders(self) -> None:
        markers = [m for m in SNIPPET["markers"] if m != "@segment/snippet"]
        for stmt in self.root.named_children:
            body = self.text(stmt)
            if any(m in body for m in markers):
                self.loader_ranges.append((stmt.start_byte, stmt.end_byte))

    def in_loader(self, node: Node) -> bool:
        return any(s <= node.start_byte < e for s, e in self.loader_ranges)

    def _seed_imports(self) -> None:
        for stmt in self.root.named_children:
            if stmt.type == "import_statement" and import_source(stmt) in SEGMENT_PACKAGES:
                self.seg_import_stmts.append(stmt)
                clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
                for c in clause.named_children if clause else []:
                    if c.type == "namespace_import":
                        for x in c.named_children:
                            self.seg_imports[self.text(x)] = "*"
                    elif c.type == "named_imports":
                        for spec in c.named_children:
                            if spec.type == "import_specifier":
                                name = self.text(spec.child_by_field_name("name"))
                                local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                                self.seg_imports[self.text(local)] = name
                    elif c.type == "identifier":
                        self.seg_imports[self.text(c)] = "default"
        # const { AnalyticsBrowser } = require('@segment/analytics-next')
        for n in self.nodes:
            if n.type == "variable_declarator":
                value = unwrap(n.child_by_field_name("value"))
                if value is not None and value.type == "call_expression" and \
                        self.text(value.child_by_field_name("function")) == "require":
                    args = args_of(value)
                    if args and string_value(args[0]) in SEGMENT_PACKAGES:
                        if n.parent is not None and n.parent.parent is not None and n.parent.parent.type == "program":
                            self.seg_import_stmts.append(n.parent)
                        pattern = n.child_by_field_name("name")
                        if pattern.type == "identifier":
                            self.seg_imports[self.text(pattern)] = "*"
                        elif pattern.type == "object_pattern":
                            for c in pattern.named_children:
                                if c.type == "shorthand_property_identifier_pattern":
                                    self.seg_imports[self.text(c)] = self.text(c)
                                elif c.type == "pair_pattern":
                                    self.seg_imports[self.text(c.child_by_field_name("value"))] = \
                                        self.text(c.child_by_field_name("key"))

    def is_segment_ctor(self, node: Optional[Node]) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "identifier":
            exported = self.seg_imports.get(self.text(node))
            return exported in ("AnalyticsBrowser", "Analytics") and self._is_import_binding(node)
        if node.type == "member_expression":
            obj = node.child_by_field_name("object")
            prop = self.text(node.child_by_field_name("property"))
            return obj is not None and obj.type == "identifier" and self.seg_imports.get(self.text(obj)) == "*" \
                and prop in ("AnalyticsBrowser", "Analytics")
        return False

    def _is_import_binding(self, ident: Node) -> bool:
        decl = self.scopes.resolve(ident)
        if decl is None:
            return True  # require() destructuring at top level resolves too; globals can't be Segment ctors
        p = decl.parent
        while p is not None and p.type not in ("import_statement", "variable_declarator", "program"):
            p = p.parent
        return p is not None and p.type in ("import_statement", "variable_declarator")

    def type_kind(self, type_node: Optional[Node]) -> Kinded:
        """Client for `AnalyticsBrowser | null`; ClientObject for `{ analytics: AnalyticsBrowser }`."""
        if type_node is None:
            return None
        if type_node.type == "type_annotation" and type_node.named_children:
            type_node = type_node.named_children[0]
        if type_node.type in ("object_type", "interface_body"):
            props = set()
            for member in type_node.named_children:
                if member.type == "property_signature":
                    if isinstance(self.type_kind(member.child_by_field_name("type")), Client):
                        props.add(self.text(member.child_by_field_name("name")))
            return ClientObject(frozenset(props)) if props else None
        if type_node.type in ("union_type", "parenthesized_type"):
            for c in type_node.named_children:
                k = self.type_kind(c)
                if k is not None:
                    return k
            return None
        if type_node.type == "type_identifier":
            name = self.text(type_node)
            if SEG_TYPES.get(self.seg_imports.get(name, "")) == "client":
                return Client()
            local = self._local_type(name)
            return local
        if type_node.type == "nested_type_identifier":
            parts = self.text(type_node).split(".")
            if len(parts) == 2 and self.seg_imports.get(parts[0]) == "*" and SEG_TYPES.get(parts[1]) == "client":
                return Client()
        return None

    def _local_type(self, name: str) -> Kinded:
        for stmt in self.root.named_children:
            decl = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
            if decl is None:
                continue
            if decl.type in ("interface_declaration", "type_alias_declaration") and \
                    self.text(decl.child_by_field_name("name")) == name:
                body = decl.child_by_field_name("body") or decl.child_by_field_name("value")
                if body is not None and body.id not in self._type_stack:
                    self._type_stack.add(body.id)
                    try:
                        return self.type_kind(body)
                    finally:
                        self._type_stack.discard(body.id)
        return None

    def kind_of(self, expr: Optional[Node], depth: int = 0) -> Kinded:
        expr = unwrap(expr)
        if expr is None or depth > 12:
            return None
        t = expr.type
        if t == "call_expression":
            return self._call_kind(expr, depth)
        if t == "new_expression":
            return Client() if self.is_segment_ctor(expr.child_by_field_name("constructor")) else None
        if t == "identifier":
            decl = self.scopes.resolve(expr)
            if decl is None:
                name = self.text(expr)
                if name == SNIPPET["name"] and self.snippet_in_project():
                    return Client(snippet=True)
                if name in self.config.receivers:
                    return Client(snippet=True)
                return None
            return self.kinds.get(decl.id)
        if t == "member_expression":
            obj = unwrap(expr.child_by_field_name("object"))
            prop = self.text(expr.child_by_field_name("property"))
            whole = self.text(expr).replace("?.", ".")
            if whole in self.config.receivers:
                return Client(snippet=obj is not None and obj.type == "identifier"
                              and self.text(obj) in SNIPPET["globals"])
            if obj is None:
                return None
            if obj.type == "identifier" and self.text(obj) in SNIPPET["globals"] and prop == SNIPPET["name"] \
                    and self.scopes.resolve(obj) is None:
                return Client(snippet=True)
            if obj.type == "this":
                return self.fields.get(prop)
            holder = self.kind_of(obj, depth + 1)
            if isinstance(holder, ClientObject) and prop in holder.props:
                return Client()
            return None
        if t == "object":
            props = set()
            for pair in expr.named_children:
                if pair.type == "pair" and isinstance(self.kind_of(pair.child_by_field_name("value"), depth + 1), Client):
                    props.add(self.text(pair.child_by_field_name("key")))
                elif pair.type == "shorthand_property_identifier":
                    decl = self.scopes.resolve(pair)
                    if decl is not None and isinstance(self.kinds.get(decl.id), Client):
                        props.add(self.text(pair))
            return ClientObject(frozenset(props)) if props else None
        if t in ("arrow_function", "function_expression", "function"):
            ret = self.returned_kind(expr, depth + 1)
            return Hook(ret) if isinstance(ret, (Client, ClientObject)) else None
        if t == "await_expression":
            return None
        return None

    def _call_kind(self, expr: Node, depth: int) -> Kinded:
        """load() of a Segment constructor, useMemo/useContext/createContext, or a hook's result."""
        fn = unwrap(expr.child_by_field_name("function"))
        if fn is None:
            return None
        if fn.type == "member_expression":
            prop = self.text(fn.child_by_field_name("property"))
            obj = fn.child_by_field_name("object")
            if prop == "load" and self.is_segment_ctor(obj):
                return Client()
        callee = self.text(fn)
        args = args_of(expr)
        if callee in ("useMemo", "React.useMemo", "useCallback", "React.useCallback") and args:
            if callee.endswith("useMemo"):
                return self.returned_kind(args[0], depth + 1)
            return None
        if callee in ("useContext", "React.useContext", "use", "React.use") and args:
            ctx_kind = self.kind_of(args[0], depth + 1)
            return ctx_kind.value if isinstance(ctx_kind, Context) else None
        if callee in ("createContext", "React.createContext"):
            targs = expr.child_by_field_name("type_arguments")
            if targs is not None and targs.named_children:
                inner = self.type_kind(targs.named_children[0])
                if inner is not None:
                    return Context(inner)
            if args:
                inner = self.kind_of(args[0], depth + 1)
                if isinstance(inner, (Client, ClientObject)):
                    return Context(inner)
            return None
        hook = self.kind_of(fn, depth + 1)
        if isinstance(hook, Hook):
            return hook.returns
        return None

    def returned_kind(self, fn: Node, depth: int) -> Kinded:
        fn = unwrap(fn)
        if fn is None or fn.type not in FUNCTION_TYPES:
            return None
        rtype = fn.child_by_field_name("return_type")
        if rtype is not None:
            k = self.type_kind(rtype)
            if k is not None:
                return k
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        if body.type != "statement_block":
            return self.kind_of(body, depth)
        for n in walk(body):
            if n.type == "return_statement" and self._owner_function(n) == fn:
                value = n.named_children[0] if n.named_children else None
                k = self.kind_of(value, depth)
                if k is not None:
                    return k
        return None

    @staticmethod
    def _owner_function(node: Node) -> Optional[Node]:
        p = node.parent
        while p is not None and p.type not in FUNCTION_TYPES:
            p = p.parent
        return p

    def snippet_in_project(self) -> bool:
        return "segment-snippet" in self.ctx.evidence or bool(self.loader_ranges)

    def _set(self, ident: Node, kind: Kinded) -> bool:
        if kind is None or self.kinds.get(ident.id) == kind:
            return False
        self.kinds[ident.id] = kind
        return True

    def _propagate(self) -> bool:
        changed = False
        for n in self.nodes:
            t = n.type
            if t == "variable_declarator":
                name = n.child_by_field_name("name")
                value = n.child_by_field_name("value")
                kind = self.type_kind(n.child_by_field_name("type")) or self.kind_of(value)
                if name.type == "identifier":
                    changed |= self._set(name, kind)
                elif name.type == "object_pattern" and isinstance(kind, ClientObject):
                    for c in name.named_children:
                        if c.type == "shorthand_property_identifier_pattern" and self.text(c) in kind.props:
                            changed |= self._set(c, Client())
                        elif c.type == "pair_pattern" and self.text(c.child_by_field_name("key")) in kind.props:
                            v = c.child_by_field_name("value")
                            if v.type == "identifier":
                                changed |= self._set(v, Client())
                elif name.type == "array_pattern":
                    # const [analytics] = await AnalyticsBrowser.load(...): the resolved Analytics
                    inner = unwrap(value)
                    if inner is not None and inner.type == "await_expression" and \
                            isinstance(self.kind_of(inner.named_children[0] if inner.named_children else None), Client):
                        first = name.named_children[0] if name.named_children else None
                        if first is not None and first.type == "identifier":
                            changed |= self._set(first, Client())
            elif t in ("function_declaration", "generator_function_declaration"):
                ret = self.returned_kind(n, 0)
                if isinstance(ret, (Client, ClientObject)):
                    changed |= self._set(n.child_by_field_name("name"), Hook(ret))
            elif t in ("required_parameter", "optional_parameter"):
                pattern = n.child_by_field_name("pattern")
                kind = self.type_kind(n.child_by_field_name("type"))
                if pattern is not None and pattern.type == "identifier":
                    changed |= self._set(pattern, kind)
                elif pattern is not None and pattern.type == "object_pattern" and isinstance(kind, ClientObject):
                    for c in pattern.named_children:
                        if c.type == "shorthand_property_identifier_pattern" and self.text(c) in kind.props:
                            changed |= self._set(c, Client())
            elif t in ("public_field_definition", "field_definition"):
                name = n.child_by_field_name("name") or n.child_by_field_name("property")
                kind = self.type_kind(n.child_by_field_name("type")) or self.kind_of(n.child_by_field_name("value"))
                if name is not None and isinstance(kind, Client) and self.fields.get(self.text(name)) != kind:
                    self.fields[self.text(name)] = kind
                    changed = True
            elif t == "assignment_expression":
                left = n.child_by_field_name("left")
                if left is not None and left.type == "member_expression" and \
                        unwrap(left.child_by_field_name("object")).type == "this":
                    kind = self.kind_of(n.child_by_field_name("right"))
                    prop = self.text(left.child_by_field_name("property"))
                    if isinstance(kind, Client) and self.fields.get(prop) != kind:
                        self.fields[prop] = kind
                        changed = True
                elif left is not None and left.type == "identifier":
                    decl = self.scopes.resolve(left)
                    if decl is not None:
                        changed |= self._set(decl, self.kind_of(n.child_by_field_name("right")))
            elif t == "import_statement":
                changed |= self._bind_project_import(n)
        return changed

    def _bind_project_import(self, stmt: Node) -> bool:
        spec = import_source(stmt)
        if not spec or spec in SEGMENT_PACKAGES:
            return False
        table = self._exports_for(spec, stmt)
        if not table:
            return False
        changed = False
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        for c in clause.named_children if clause else []:
            if c.type == "identifier" and "default" in table:
                changed |= self._set(c, _kind_from_json(table["default"]))
            elif c.type == "named_imports":
                for s in c.named_children:
                    if s.type == "import_specifier":
                        name = self.text(s.child_by_field_name("name"))
                        local = s.child_by_field_name("alias") or s.child_by_field_name("name")
                        if name in table:
                            changed |= self._set(local, _kind_from_json(table[name]))
        return changed

    def _exports_for(self, spec: str, stmt: Node) -> Optional[dict]:
        exports = self.ctx.exports
        if not exports:
            return None
        if spec.startswith("."):
            base = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(self.path)), spec))
            base = os.path.splitext(base)[0] if base.endswith(MODULE_EXTS) else base
            return exports.get(base)
        # Path aliases (@/lib/analytics, ~/lib/analytics, src/lib/analytics): match by suffix.
        tail = re.sub(r"^(@|~|#)/", "", spec)
        hits = [k for k in exports if k.endswith("/" + tail)]
        if len(hits) == 1:
            return exports[hits[0]]
        if len(hits) > 1:
            self._ambiguous.append((stmt, spec, hits))
        return None

    def exports(self) -> dict[str, Kinded]:
        out: dict[str, Kinded] = {}
        for stmt in self.root.named_children:
            if stmt.type != "export_statement":
                if stmt.type == "expression_statement":
                    self._commonjs_export(stmt, out)
                continue
            decl = stmt.child_by_field_name("declaration")
            value = stmt.child_by_field_name("value")
            is_default = any(c.type == "default" for c in stmt.children)
            if decl is not None:
                if decl.type in ("lexical_declaration", "variable_declaration"):
                    for d in decl.named_children:
                        if d.type == "variable_declarator":
                            name = d.child_by_field_name("name")
                            if name.type == "identifier" and self.kinds.get(name.id) is not None:
                                out[self.text(name)] = self.kinds[name.id]
                elif decl.type in ("function_declaration", "generator_function_declaration"):
                    name = decl.child_by_field_name("name")
                    k = self.kinds.get(name.id)
                    if k is not None:
                        out["default" if is_default else self.text(name)] = k
            elif value is not None and is_default:
                k = self.kind_of(value)
                if k is not None:
                    out["default"] = k
            else:
                clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
                for spec in clause.named_children if clause else []:
                    if spec.type != "export_specifier":
                        continue
                    local = spec.child_by_field_name("name")
                    exported = spec.child_by_field_name("alias") or local
                    if local is not None and local.type == "identifier":
                        k = self.kind_of(local)
                        if k is not None:
                            out[self.text(exported)] = k
        return out

    def _commonjs_export(self, stmt: Node, out: dict) -> None:
        expr = stmt.named_children[0] if stmt.named_children else None
        if expr is None or expr.type != "assignment_expression":
            return
        left = self.text(expr.child_by_field_name("left"))
        k = self.kind_of(expr.child_by_field_name("right"))
        if k is None:
            return
        if left == "module.exports":
            out["default"] = k
        elif left.startswith(("exports.", "module.exports.")):
            out[left.rsplit(".", 1)[1]] = k

    # --- match -----------------------------------------------------------------------------------
    def calls(self) -> list[Call]:
        out = []
        for n in self.nodes:
            if n.type != "call_expression" or self.in_loader(n):
                continue
            fn = unwrap(n.child_by_field_name("function"))
            if fn is None or fn.type != "member_expression":
                continue
            receiver = fn.child_by_field_name("object")
            kind = self.kind_of(receiver)
            if isinstance(kind, Client):
                out.append(Call(n, self.text(fn.child_by_field_name("property")), unwrap(receiver), kind, fn))
        return out
