"""JavaScript / TypeScript (and inline <script> in HTML): Segment's browser SDK
(@segment/analytics-next, the analytics.js snippet) -> @amplitude/analytics-browser.

bind:  which expressions are Segment clients. Seeds are imports of @segment/analytics-next,
       `AnalyticsBrowser.load(...)` / `new AnalyticsBrowser()`, annotations with Segment types,
       the snippet global (window.analytics, and a bare `analytics` when the project shows the
       snippet), receivers named in config, and names imported from project modules that export
       a client (cross-file, through ProjectContext.exports). Clients flow through variables,
       class fields, useMemo, React contexts and hooks that return them.
match: each call on a bound receiver, with Segment's overloads resolved.
edits: a client variable keeps its name and becomes an Amplitude instance
       (`amplitude.createInstance()` + `init`), so every file that imports it keeps working; the
       snippet global becomes the `amplitude` namespace import. Calls with no certain rewrite
       stay as they are, with a finding and a `TODO(segamp)` note above them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional, Union

from .. import tables
from ..keys import PLACEHOLDER, rename_env_var
from ..model import Analysis, Edit, Finding, Kind
from ..source import SourceFile
from .base import Handler, ProjectContext
from .js_syntax import (
    FUNCTION_TYPES, STRINGISH, Node, Scopes, args_of, enclosing_statement, first_error, grammar_for,
    import_locals, import_source, parse, pattern_names, string_value, unwrap, walk,
)

SEGMENT_PACKAGES = ("@segment/analytics-next",)
# Segment SDKs this module does not migrate (their own issues): reported so `check` fails.
OTHER_SEGMENT_SDKS = ("@segment/analytics-node", "analytics-node", "@segment/analytics-react-native",
                      "@segment/analytics.js-core", "@segment/analytics-core")
RULE = tables.load("javascript")
TARGET = RULE["target"]
SNIPPET = RULE["snippet"]
SEG_TYPES: dict[str, str] = RULE["types"]
CALLBACK_NAME = re.compile(r"^(cb|callback|done|next|fn|onComplete|onDone|resolve)$|Callback$|Handler$", re.I)
ID_NAME = re.compile(r"(^id$|Id$|ID$|_id$|uuid|uid$|^user$|email|userName|username|slug|key$)", re.I)
TRAITS_NAME = re.compile(r"(trait|propert|profile|attr|data|info|details|fields|payload|params|options|props)", re.I)
PAGE_PROPS_NAME = re.compile(r"(propert|props|params|data|options|payload|context)", re.I)
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


# --- the handlers ----------------------------------------------------------------------------
class JavaScriptHandler(Handler):
    name = "javascript"
    extensions = MODULE_EXTS
    markers = (b"analytics", b"segment", b"Segment")
    # Segment browser code imports @segment/…, names AnalyticsBrowser, calls through something
    # named analytics (window.analytics., this.analytics?., analytics.) or holds the loader.
    marker_pattern = rb"@segment/|AnalyticsBrowser|analytics\??\.|analytics!\.|cdn\.segment\.com"

    def language_for(self, path: str) -> str:
        return "typescript" if grammar_for(path) in ("typescript", "tsx") else "javascript"

    def _tree(self, source: SourceFile, ctx: Optional[ProjectContext] = None):
        """One parse per text: index(), parse_error() and analyze() of a file share it."""
        key = (source.path, hash(source.data))
        cached = getattr(self, "_last", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        tree = parse(source.data, grammar_for(source.path))
        self._last = (key, tree)
        return tree

    def parse_error(self, source: SourceFile) -> Optional[str]:
        tree = self._tree(source)
        bad = first_error(tree.root_node)
        if bad is None:
            return None
        line, col = source.line_col(bad.start_byte)
        return f"line {line}:{col}"

    def _file(self, source: SourceFile, ctx: ProjectContext) -> "JsFile":
        # The tree is cached between index() and analyze(); the binding is not, because
        # index() of other files may still add exports this file imports.
        return JsFile(source, self._tree(source).root_node, ctx, source.path)

    def index(self, source: SourceFile, ctx: ProjectContext) -> None:
        if any(m.encode() in source.data for m in SNIPPET["markers"]):
            ctx.evidence.add("segment-snippet")
        jf = self._file(source, ctx)
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

    def analyze(self, source: SourceFile, ctx: ProjectContext) -> Analysis:
        return self._file(source, ctx).rewrite()


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

    def parse_error(self, source: SourceFile) -> Optional[str]:
        for start, body, _ in self.blocks(source):
            tree = parse(body, "javascript")
            bad = first_error(tree.root_node)
            if bad is not None:
                line, col = source.line_col(start + bad.start_byte)
                return f"line {line}:{col} in a <script> block"
        return None

    def index(self, source: SourceFile, ctx: ProjectContext) -> None:
        if any(m.encode() in source.data for m in SNIPPET["markers"]):
            ctx.evidence.add("segment-snippet")

    def analyze(self, source: SourceFile, ctx: ProjectContext) -> Analysis:
        out = Analysis()
        for start, body, is_module in self.blocks(source):
            text = body.decode("utf-8")
            sub = SourceFile(source.path, text, b"", "utf-8", source.newline, source.mode)
            jf = JsFile(sub, parse(body, "javascript").root_node, ctx, source.path,
                        script_mode=not is_module)
            part = jf.rewrite()
            out.edits += [Edit(e.start + start, e.end + start, e.text) for e in part.edits]
            first_line, first_col = source.line_col(start)
            for f in part.findings:
                f.column = f.column + (first_col - 1 if f.line == 1 else 0)
                f.line = f.line + first_line - 1
                out.findings.append(f)
        return out


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

    def finding(self, node: Node, kind: Kind, rule: str, message: str, suggestion: str = "") -> Finding:
        line, col = self.src.line_col(node.start_byte)
        return Finding(line, col, kind, rule, message, suggestion)

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

    # --- edits -----------------------------------------------------------------------------------
    def rewrite(self) -> Analysis:
        self.bind()
        em = Emitter(self)
        em.run()
        return em.analysis


# --- emitting ---------------------------------------------------------------------------------
class Emitter:
    """Turns matched calls into edits and findings for one file."""

    def __init__(self, jf: JsFile):
        self.jf = jf
        self.src = jf.src
        self.config = jf.config
        self.analysis = Analysis()
        self.notes: dict[int, list[str]] = {}      # statement start -> TODO(segamp) lines
        self.covered: list[tuple[int, int]] = []   # byte ranges rewritten (for import bookkeeping)
        self.ns = self._namespace()
        self.needs_ns = False
        self.quote = self._quote_style()
        self.semi = self._uses_semicolons()

    # --- style of the file -------------------------------------------------------------------------
    def _quote_style(self) -> str:
        singles = doubles = 0
        for n in self.jf.nodes:
            if n.type == "string":
                raw = self.src.data[n.start_byte:n.start_byte + 1]
                singles += raw == b"'"
                doubles += raw == b'"'
        return '"' if doubles > singles else "'"

    def _uses_semicolons(self) -> bool:
        stmts = [n for n in self.jf.nodes if n.type in ("expression_statement", "lexical_declaration", "import_statement")]
        if not stmts:
            return True
        with_semi = sum(1 for s in stmts if self.src.data[s.end_byte - 1:s.end_byte] == b";")
        return with_semi * 2 >= len(stmts)

    def q(self, value: str) -> str:
        escaped = value.replace("\\", "\\\\").replace(self.quote, "\\" + self.quote)
        return f"{self.quote}{escaped}{self.quote}"

    def _namespace(self) -> str:
        for stmt in self.jf.root.named_children:
            if stmt.type == "import_statement" and import_source(stmt) == TARGET["package"]:
                clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
                ns = next((c for c in clause.named_children if c.type == "namespace_import"), None) if clause else None
                if ns is not None:
                    return self.jf.text(ns.named_children[0])
        taken = {self.jf.text(n) for n in self.jf.nodes if n.type in ("identifier", "shorthand_property_identifier_pattern")}
        for candidate in (TARGET["namespace"], "amplitudeSdk", "amplitudeBrowser"):
            if candidate not in taken:
                return candidate
        return "amplitudeBrowser"

    # --- bookkeeping -------------------------------------------------------------------------------
    def edit(self, start: int, end: int, text: str) -> None:
        self.analysis.edits.append(Edit(start, end, text))
        self.covered.append((start, end))

    def found(self, node: Node, kind: Kind, rule: str, message: str, suggestion: str = "", note: bool = False) -> None:
        # Messages quote code; a note is one comment line, so quoted newlines are folded.
        message, suggestion = " ".join(message.split()), " ".join(suggestion.split())
        self.analysis.findings.append(self.jf.finding(node, kind, rule, message, suggestion))
        if note:
            stmt = enclosing_statement(node)
            self.notes.setdefault(stmt.start_byte, []).append(message + (f" — {suggestion}" if suggestion else ""))

    def indent_of(self, node: Node) -> str:
        return self.src.line_indent(node.start_byte)

    # --- the run -------------------------------------------------------------------------------------
    def run(self) -> None:
        jf = self.jf
        for start, _ in jf.loader_ranges:
            node = jf.root.descendant_for_byte_range(start, start)
            self.found(node, Kind.MANUAL, "js/snippet-loader",
                       "Segment analytics.js loader snippet: replace it with Amplitude's loader",
                       SNIPPET["amplitude_loader"], note=False)
        for stmt, spec, hits in jf._ambiguous:
            self.found(stmt, Kind.MANUAL, "js/ambiguous-import",
                       f"'{spec}' could be any of {len(hits)} modules that export a Segment client; calls through it were not rewritten",
                       "add the receiver to [tool.segamp] receivers, or use a relative import")
        self._report_other_sdks()
        handled_loads: set[int] = set()
        self._rewrite_constructions(handled_loads)
        calls = jf.calls()
        for call in calls:
            if call.node.id in handled_loads:
                continue
            self._rewrite_call(call)
        self._rewrite_snippet_references(calls)
        self._rewrite_types()
        self._flush_notes()
        self._fix_imports()
        self._free_snippet_hint()

    def _report_other_sdks(self) -> None:
        for n in self.jf.nodes:
            spec = None
            if n.type == "import_statement":
                spec = import_source(n)
            elif n.type == "call_expression" and self.jf.text(n.child_by_field_name("function")) == "require":
                args = args_of(n)
                spec = string_value(args[0]) if args and args[0].type == "string" else None
            if spec in OTHER_SEGMENT_SDKS:
                self.found(n, Kind.UNSUPPORTED, "js/other-segment-sdk",
                           f"{spec} is not migrated by this version of segamp; its calls are left as they are",
                           "migrate them by hand to the matching Amplitude SDK (Node: @amplitude/analytics-node, "
                           "React Native: @amplitude/analytics-react-native), or wait for segamp's support")

    # --- client construction -------------------------------------------------------------------------
    def _rewrite_constructions(self, handled: set[int]) -> None:
        jf = self.jf
        for n in jf.nodes:
            if n.type == "call_expression":
                fn = unwrap(n.child_by_field_name("function"))
                if fn is not None and fn.type == "member_expression" and \
                        self.jf.text(fn.child_by_field_name("property")) in ("load", "standalone") and \
                        jf.is_segment_ctor(fn.child_by_field_name("object")):
                    if jf.text(fn.child_by_field_name("property")) == "standalone":
                        self.found(n, Kind.MANUAL, "js/standalone", RULE["unsupported"]["standalone"]["message"],
                                   RULE["unsupported"]["standalone"]["suggestion"], note=True)
                        continue
                    self._rewrite_load(n, args_of(n))
                    handled.add(n.id)
            elif n.type == "new_expression" and jf.is_segment_ctor(n.child_by_field_name("constructor")):
                args = args_of(n)
                if args:
                    self.found(n, Kind.MANUAL, "js/new-analytics",
                               "new Analytics(settings) has no direct Amplitude equivalent",
                               f"use {self.ns}.createInstance() and call init(API_KEY, {TARGET['init_options']})", note=True)
                    continue
                self.needs_ns = True
                self.edit(n.start_byte, n.end_byte, f"{self.ns}.createInstance()")
                self.found(n, Kind.CONVERTED, "js/load", "new AnalyticsBrowser() → createInstance()")

    def _init_args(self, call: Node, args: list[Node]) -> Optional[str]:
        """`API_KEY, { autocapture: false }` from load(settings, options); None when not certain."""
        if not args or unwrap(args[0]).type != "object":
            self.found(call, Kind.MANUAL, "js/load",
                       "load() settings are not an object literal; the write key could not be found",
                       f"call init(AMPLITUDE_API_KEY, {TARGET['init_options']}) on the client", note=True)
            return None
        settings = unwrap(args[0])
        key_node = None
        for pair in settings.named_children:
            if pair.type == "pair":
                name = self.jf.text(pair.child_by_field_name("key")).strip("'\"")
                if name == "writeKey":
                    key_node = pair.child_by_field_name("value")
                elif name not in ("cdnURL", "cdnSettings"):
                    self.found(pair, Kind.MANUAL, "js/load-settings",
                               f"load() setting '{name}' has no Amplitude equivalent and was dropped",
                               "port plugins to Amplitude plugins (amplitude.add); see the Amplitude Browser SDK options", note=True)
            elif pair.type == "shorthand_property_identifier" and self.jf.text(pair) == "writeKey":
                key_node = pair
        if key_node is None:
            self.found(call, Kind.MANUAL, "js/load", "load() settings have no writeKey",
                       f"call init(AMPLITUDE_API_KEY, {TARGET['init_options']}) on the client", note=True)
            return None
        key = self.api_key(key_node)
        if len(args) > 1:
            opts = unwrap(args[1])
            pairs = [(self.jf.text(p.child_by_field_name("key")), self.jf.text(p.child_by_field_name("value")))
                     for p in opts.named_children if p.type == "pair"] if opts.type == "object" else [("(non-literal options)", "")]
            for name, value in pairs:
                if name == "initialPageview" and value == "false":
                    continue  # what Amplitude does with autocapture off
                if name == "initialPageview":
                    self.found(args[1], Kind.MANUAL, "js/load-options",
                               "initialPageview sent a page event on load; Amplitude will not",
                               f"call track({self.q(self.page_name(''))}, …) after init, as page() is converted", note=True)
                else:
                    self.found(args[1], Kind.MANUAL, "js/load-options",
                               f"load() option {name} has no Amplitude equivalent and was dropped",
                               "see the Amplitude Browser SDK init options", note=True)
        return f"{key}, {TARGET['init_options']}"

    def api_key(self, node: Node) -> str:
        """The Amplitude key expression for a Segment write-key expression."""
        jf = self.jf
        if node.type == "shorthand_property_identifier":
            text = jf.text(node)
            self.found(node, Kind.MANUAL, "js/write-key",
                       f"'{text}' holds the Segment write key; Amplitude needs its API key",
                       f"point '{text}' at your Amplitude project's API key", note=True)
            return text
        if self.config.api_key_env:
            return f"process.env.{self.config.api_key_env}"
        literal = string_value(unwrap(node))
        if literal is not None:
            self.found(node, Kind.MANUAL, "js/write-key",
                       "a literal Segment write key was replaced by a placeholder",
                       "put your Amplitude API key here (or set api_key_env in [tool.segamp])", note=True)
            return self.q(PLACEHOLDER)
        text = jf.text(node)
        renamed = False
        for n in walk(node):
            if n.type == "member_expression":
                obj = jf.text(n.child_by_field_name("object"))
                prop = n.child_by_field_name("property")
                if obj in ("process.env", "import.meta.env") and prop is not None:
                    new = rename_env_var(jf.text(prop))
                    if new:
                        rel = prop.start_byte - node.start_byte
                        text = text[:rel] + new + text[rel + len(jf.text(prop)):]
                        renamed = True
                        self.found(n, Kind.CONVERTED, "js/write-key",
                                   f"write key env var {jf.text(prop)} → {new}: set {new} to your Amplitude API key")
        if not renamed:
            self.found(node, Kind.MANUAL, "js/write-key",
                       f"'{jf.text(node)}' holds the Segment write key; Amplitude needs its API key",
                       "point it at your Amplitude project's API key", note=True)
        return text

    def _rewrite_load(self, call: Node, args: list[Node]) -> None:
        init = self._init_args(call, args)
        if init is None:
            return
        self.needs_ns = True
        decl = call.parent
        while decl is not None and decl.type in ("parenthesized_expression", "non_null_expression", "as_expression"):
            decl = decl.parent
        stmt = decl.parent if decl is not None and decl.type == "variable_declarator" else None
        holder = stmt.parent if stmt is not None and stmt.parent is not None and stmt.parent.type == "export_statement" else stmt
        if stmt is not None and stmt.type in ("lexical_declaration", "variable_declaration") and \
                len([d for d in stmt.named_children if d.type == "variable_declarator"]) == 1 and \
                decl.child_by_field_name("name").type == "identifier" and holder.parent is not None and \
                holder.parent.type in ("program", "statement_block"):
            name = self.jf.text(decl.child_by_field_name("name"))
            self.edit(call.start_byte, call.end_byte, f"{self.ns}.createInstance()")
            end = holder.end_byte
            semi = ";" if self.semi else ""
            self.edit(end, end, f"\n{self.indent_of(holder)}{name}.init({init}){semi}")
        elif decl is not None and decl.type == "arrow_function" and decl.child_by_field_name("body") == call:
            self.edit(call.start_byte, call.end_byte,
                      f"{{ const client = {self.ns}.createInstance(); client.init({init}); return client }}")
        else:
            # An expression position (class field, argument): build and init in one expression.
            self.edit(call.start_byte, call.end_byte,
                      f"(() => {{ const client = {self.ns}.createInstance(); client.init({init}); return client; }})()")
        self.found(call, Kind.CONVERTED, "js/load", "AnalyticsBrowser.load() → createInstance() + init()")

    # --- calls ---------------------------------------------------------------------------------
    def target(self, call: Call) -> str:
        """The text to call Amplitude methods on."""
        if call.client.snippet:
            self.needs_ns = True
            return self.ns
        opt = "?." if any(c.type == "optional_chain" for c in call.member.children) else "."
        return self.jf.text(call.receiver) + opt

    def _rewrite_call(self, call: Call) -> None:
        m = call.method
        handler = getattr(self, f"_m_{m}", None)
        if handler is not None and m in RULE["convert"]:
            handler(call)
            return
        info = RULE["unsupported"].get(m)
        if info is not None:
            self.found(call.node, Kind.UNSUPPORTED, f"js/{m}", info["message"], info["suggestion"], note=True)
            return
        self.found(call.node, Kind.UNSUPPORTED, "js/unknown-method",
                   f"{m}() on a Segment client has no known Amplitude equivalent", "rewrite it by hand", note=True)

    def recv(self, call: Call) -> str:
        t = self.target(call)
        return t if t.endswith((".", "?.")) else t + "."

    # value use: does the surrounding code read what the call returns?
    def value_use(self, node: Node) -> str:
        """'none' | 'await' | 'chain' | 'value'."""
        cur = node
        while cur.parent is not None:
            p = cur.parent
            if p.type in ("parenthesized_expression",):
                cur = p
                continue
            if p.type == "await_expression":
                return "await"
            if p.type == "member_expression" and p.child_by_field_name("object") == cur:
                return "chain"
            if p.type in ("expression_statement",):
                return "none"
            if p.type == "unary_expression" and self.jf.text(p).startswith("void"):
                return "none"
            if p.type == "binary_expression" and p.child_by_field_name("right") == cur and \
                    p.parent is not None and p.parent.type == "expression_statement":
                return "none"  # guard && call;
            if p.type == "sequence_expression":
                cur = p
                continue
            if p.type == "arrow_function":
                return "arrow"
            return "value"
        return "none"

    def emit(self, call: Call, ops: list[tuple[str, str]], callback: Optional[Node] = None,
             resolves_to_result: bool = True) -> None:
        """Replace the call with ops: [(code, returns)], returns is 'promise' or 'void'."""
        node = call.node
        use = self.value_use(node)
        last_code, last_ret = ops[-1]
        if callback is not None:
            cb = self.jf.text(callback)
            if last_ret == "promise":
                last_code = f"{last_code}.promise.then({cb})"
            else:
                last_code = f"Promise.resolve({last_code}).then({cb})"
            last_ret = "thenable"
            if self._callback_takes_args(callback):
                self.found(callback, Kind.MANUAL, "js/callback",
                           "the callback now receives Amplitude's Result, not Segment's Context",
                           "check what the callback reads from its argument", note=True)
        if use in ("await", "chain", "value") and last_ret == "promise":
            last_code += ".promise"
            if use == "value" and resolves_to_result:
                self.found(node, Kind.CONVERTED, "js/promise",
                           "the returned promise now resolves to Amplitude's Result instead of Segment's Context")
        elif use == "chain" and last_ret == "void":
            last_code = f"Promise.resolve({last_code})"
        ops = ops[:-1] + [(last_code, last_ret)]
        if len(ops) == 1:
            self.edit(node.start_byte, node.end_byte, ops[0][0])
            return
        stmt_node = node.parent
        wrapped = node
        if stmt_node is not None and stmt_node.type == "await_expression":
            wrapped, stmt_node = stmt_node, stmt_node.parent
        if stmt_node is not None and stmt_node.type == "expression_statement" and \
                stmt_node.parent is not None and stmt_node.parent.type in ("program", "statement_block", "switch_case", "switch_default"):
            sep = (";" if self.semi else "") + "\n" + self.indent_of(stmt_node)
            codes = [c for c, _ in ops]
            if wrapped is not node:
                codes[-1] = "await " + codes[-1]
            self.edit(wrapped.start_byte, wrapped.end_byte, sep.join(codes))
        else:
            self.edit(node.start_byte, node.end_byte, "(" + ", ".join(c for c, _ in ops) + ")")

    def _callback_takes_args(self, cb: Node) -> bool:
        cb = unwrap(cb)
        if cb.type in ("arrow_function", "function_expression", "function"):
            params = cb.child_by_field_name("parameters") or cb.child_by_field_name("parameter")
            return params is not None and (params.type == "identifier" or bool(params.named_children))
        return True

    # --- arguments -------------------------------------------------------------------------------
    @staticmethod
    def is_function(node: Node) -> bool:
        n = unwrap(node)
        return n.type in ("arrow_function", "function_expression", "function") or (
            n.type == "identifier" and bool(CALLBACK_NAME.search(n.text.decode())))

    @staticmethod
    def is_nullish(node: Node) -> bool:
        n = unwrap(node)
        return n.type in ("null", "undefined") or (n.type == "identifier" and n.text == b"undefined")

    def split_callback(self, args: list[Node]) -> tuple[list[Node], Optional[Node]]:
        if args and self.is_function(args[-1]):
            return args[:-1], args[-1]
        return args, None

    def event_options(self, call: Call, options: Optional[Node], extra: Optional[dict] = None) -> Optional[str]:
        """Segment Options object literal -> Amplitude EventOptions text ('' for none); None = unsure."""
        pairs: list[tuple[str, str]] = list((extra or {}).items())
        if options is None or self.is_nullish(options):
            return self.object_text(pairs) if pairs else ""
        result = self._map_options(call, options, pairs)
        return None if result is None else (self.object_text(result) if result else "")

    def _map_options(self, call: Call, options: Node, pairs: list[tuple[str, str]]) -> Optional[list[tuple[str, str]]]:
        opts = unwrap(options)
        if opts.type != "object":
            self.found(options, Kind.MANUAL, f"js/{call.method}",
                       f"options '{self.jf.text(options)}' are not an object literal; the call was left as it is",
                       "map anonymousId→device_id, userId→user_id, timestamp→time (ms), messageId→insert_id by hand", note=True)
            return None
        for pair in opts.named_children:
            if pair.type == "comment":
                continue
            if pair.type == "shorthand_property_identifier":
                key, value = self.jf.text(pair), self.jf.text(pair)
            elif pair.type == "pair":
                key = self.jf.text(pair.child_by_field_name("key")).strip("'\"")
                value_node = pair.child_by_field_name("value")
                value = self.jf.text(value_node)
            else:
                self.found(pair, Kind.MANUAL, f"js/{call.method}", "options spread could not be mapped; the call was left as it is",
                           "map the options by hand", note=True)
                return None
            if key == "anonymousId":
                pairs.append(("device_id", value))
            elif key == "userId":
                pairs.append(("user_id", value))
            elif key == "messageId":
                pairs.append(("insert_id", value))
            elif key == "timestamp":
                inner = unwrap(pair.child_by_field_name("value")) if pair.type == "pair" else None
                if inner is not None and inner.type == "new_expression" and self.jf.text(inner.child_by_field_name("constructor")) == "Date":
                    pairs.append(("time", f"{value}.getTime()"))
                else:
                    pairs.append(("time", f"new Date({value}).getTime()"))
            elif key == "context" and pair.type == "pair" and self._context_fields(pair.child_by_field_name("value")):
                pairs += self._context_fields(pair.child_by_field_name("value"))
            elif key in ("context", "integrations", "traits"):
                self.found(pair, Kind.MANUAL, f"js/{call.method}",
                           f"options.{key} has no Amplitude equivalent and was dropped: {self.jf.text(pair)[:80]}",
                           "context.ip → ip and context.locale → language exist as event options; integrations have no equivalent",
                           note=True)
            else:
                self.found(pair, Kind.MANUAL, f"js/{call.method}", f"option '{key}' has no Amplitude equivalent and was dropped",
                           "see Amplitude's EventOptions", note=True)
        return pairs

    def _context_fields(self, ctx: Node) -> list[tuple[str, str]]:
        """context: { ip, locale } maps to event options; anything else in context does not."""
        ctx = unwrap(ctx)
        if ctx is None or ctx.type != "object":
            return []
        out = []
        for p in ctx.named_children:
            if p.type != "pair":
                return []
            key = self.jf.text(p.child_by_field_name("key")).strip("'\"")
            target = {"ip": "ip", "locale": "language"}.get(key)
            if target is None:
                return []
            out.append((target, self.jf.text(p.child_by_field_name("value"))))
        return out

    def object_text(self, pairs: list[tuple[str, str]], indent: Optional[str] = None) -> str:
        """An object literal; one line when short, else one entry a line under `indent`."""
        if not pairs:
            return "{}"
        items = [v if k == "..." else (k if k == v and re.fullmatch(r"[A-Za-z_$][\w$]*", k) else f"{k}: {v}")
                 for k, v in pairs]
        one_line = "{ " + ", ".join(items) + " }"
        if indent is None or (len(one_line) + len(indent) <= 80 and "\n" not in one_line):
            return one_line
        pad = indent + "  "
        return "{\n" + "".join(f"{pad}{item},\n" for item in items) + indent + "}"

    @staticmethod
    def call_text(callee: str, args: list[str], indent: str) -> str:
        """callee(a, b) on one line, or one argument a line when any argument spans lines."""
        one_line = f"{callee}({', '.join(args)})"
        if not any("\n" in a for a in args) and len(indent) + len(one_line) <= 100:
            return one_line
        pad = indent + "  "
        return f"{callee}(\n" + "".join(f"{pad}{a},\n" for a in args) + f"{indent})"

    def identify_expr(self, traits: Node, base_indent: str) -> str:
        """`new amplitude.Identify().set(k, v)…` — every trait, whether known now or at run time."""
        self.needs_ns = True
        node = unwrap(traits)
        ctor = f"new {self.ns}.Identify()"
        if node.type == "object":
            sets = []
            for pair in node.named_children:
                if pair.type == "comment":
                    continue
                if pair.type == "pair":
                    key = pair.child_by_field_name("key")
                    if key.type == "property_identifier":
                        k = self.q(self.jf.text(key))
                    elif key.type in STRINGISH or key.type == "number":
                        k = self.jf.text(key) if key.type == "string" else self.q(self.jf.text(key))
                    elif key.type == "computed_property_name":
                        k = self.jf.text(key)[1:-1].strip()
                    else:
                        sets = None
                        break
                    sets.append((k, self.jf.text(pair.child_by_field_name("value"))))
                elif pair.type == "shorthand_property_identifier":
                    sets.append((self.q(self.jf.text(pair)), self.jf.text(pair)))
                else:  # spread or method: only a run-time loop keeps every trait
                    sets = None
                    break
            if sets is not None:
                if not sets:
                    return ctor
                one_line = ctor + "".join(f".set({k}, {v})" for k, v in sets)
                if len(one_line) + len(base_indent) <= 100 and "\n" not in self.jf.text(node):
                    return one_line
                pad = base_indent + "  "
                return ctor + "".join(f"\n{pad}.set({k}, {v})" for k, v in sets)
        source = self.jf.text(traits)
        if node.type != "object":
            source = f"{source} ?? {{}}"
        return (f"Object.entries({source}).reduce((identify, [key, value]) => identify.set(key, value), {ctor})")

    # --- the methods ---------------------------------------------------------------------------
    def _m_track(self, call: Call) -> None:
        """track keeps its shape, so only what differs is edited: comments inside the call stay."""
        all_args = args_of(call.node)
        args, cb = self.split_callback(all_args)
        if not args:
            self.found(call.node, Kind.MANUAL, "js/track", "track() without an event name", "", note=True)
            return
        event = unwrap(args[0])
        if event.type == "object":
            self.found(call.node, Kind.MANUAL, "js/track",
                       "track(SegmentEvent) with an event object is not converted", "pass the event name and properties", note=True)
            return
        options = args[2] if len(args) > 2 else None
        opts = self.event_options(call, options)
        if opts is None:
            return
        edits: list[tuple[int, int, str]] = []
        if len(args) > 1 and unwrap(args[1]).type == "null":
            edits.append((args[1].start_byte, args[1].end_byte, "undefined"))
        if options is not None and opts != self.jf.text(options):
            if opts:
                edits.append((options.start_byte, options.end_byte, opts))
            else:
                edits.append((args[1].end_byte, options.end_byte, ""))
        if cb is not None:
            prev = args[-1] if args else None
            edits.append((prev.end_byte if prev is not None else cb.start_byte, cb.end_byte, ""))
        self.emit_in_place(call, edits, "promise", cb)
        self.found(call.node, Kind.CONVERTED, "js/track", "track → track")

    def emit_in_place(self, call: Call, inner: list[tuple[int, int, str]], returns: str,
                      callback: Optional[Node] = None) -> None:
        """Edit inside the call (receiver, some arguments) and append what its use needs."""
        if call.client.snippet:
            self.needs_ns = True
            prop = call.member.child_by_field_name("property")
            inner = [(call.receiver.start_byte, prop.start_byte, self.ns + ".")] + inner
            # analytics?.track?.(...): the namespace is always there
            for c in call.node.children:
                if c.type in ("optional_chain", "?."):
                    inner.append((c.start_byte, c.end_byte, ""))
        suffix = ""
        if callback is not None:
            suffix = f".promise.then({self.jf.text(callback)})"
            if self._callback_takes_args(callback):
                self.found(callback, Kind.MANUAL, "js/callback",
                           "the callback now receives Amplitude's Result, not Segment's Context",
                           "check what the callback reads from its argument", note=True)
        use = self.value_use(call.node)
        if use in ("await", "chain", "value") and returns == "promise":
            suffix = suffix or ".promise"
            if use == "value" and not callback:
                self.found(call.node, Kind.CONVERTED, "js/promise",
                           "the returned promise now resolves to Amplitude's Result instead of Segment's Context")
        for start, end, text in inner:
            self.edit(start, end, text)
        if suffix:
            self.analysis.edits.append(Edit(call.node.end_byte, call.node.end_byte, suffix))
        elif not inner:
            self.covered.append((call.node.start_byte, call.node.end_byte))

    def _m_identify(self, call: Call) -> None:
        args, cb = self.split_callback(args_of(call.node))
        if not args:
            self.found(call.node, Kind.UNSUPPORTED, "js/identify",
                       "identify() with no arguments re-sends the cached traits; Amplitude has no equivalent",
                       "remove it, or call identify with the traits to set", note=True)
            return
        first = unwrap(args[0])
        user_id: Optional[Node] = None
        traits: Optional[Node] = None
        rest: list[Node]
        if first.type == "object":
            traits, rest = args[0], args[1:]
        elif self.is_nullish(first):
            traits = args[1] if len(args) > 1 else None
            rest = args[2:]
        elif self._looks_like_id(first) or len(args) > 1:
            user_id, rest = args[0], args[1:]
            if rest:
                traits, rest = rest[0], rest[1:]
        else:
            self.found(call.node, Kind.MANUAL, "js/identify",
                       f"cannot tell whether '{self.jf.text(first)}' is a user id or traits; the call was left as it is",
                       "pass (userId, traits) explicitly, or traits only as identify(null, traits)", note=True)
            return
        if traits is not None and self.is_nullish(traits):
            traits = None
        opts_node = rest[0] if rest else None
        extra = {}
        if user_id is not None:
            extra["user_id"] = self._id_text(user_id)
        indent = self.indent_of(call.node)
        if traits is not None:
            opts = self.event_options(call, opts_node, extra)
            if opts is None:
                return
            parts = [self.identify_expr(traits, indent + "  ")] + ([opts] if opts else [])
            self.emit(call, [(self.call_text(f"{self.recv(call)}identify", parts, indent), "promise")], cb)
        elif user_id is not None:
            if opts_node is not None and not self.is_nullish(opts_node):
                self.found(opts_node, Kind.MANUAL, "js/identify", "identify options without traits were dropped",
                           "set device id etc. with setDeviceId() if needed", note=True)
            self.emit(call, [(f"{self.recv(call)}setUserId({extra['user_id']})", "void")], cb)
        else:
            self.found(call.node, Kind.MANUAL, "js/identify", "identify() with neither a user id nor traits", "remove it", note=True)
            return
        self.found(call.node, Kind.CONVERTED, "js/identify", "identify → identify(Identify) with user_id")

    def _looks_like_id(self, node: Node) -> bool:
        if node.type in STRINGISH or node.type == "number":
            return True
        if node.type == "call_expression":
            callee = self.jf.text(node.child_by_field_name("function"))
            return callee in ("String",) or callee.endswith((".toString", "Id", "ID", "id"))
        text = self.jf.text(node)
        last = text.replace("?.", ".").split(".")[-1]
        if TRAITS_NAME.search(last):
            return False
        return bool(ID_NAME.search(last))

    def _id_text(self, node: Node) -> str:
        text = self.jf.text(node)
        inner = unwrap(node)
        if inner.type in STRINGISH or not self.jf.typescript:
            return text
        if inner.type == "number":
            return f"String({text})"
        if inner.type == "null":
            return "undefined"
        return text

    def _m_page(self, call: Call) -> None:
        self._page_like(call, "page", self.config.page_event)

    def _m_screen(self, call: Call) -> None:
        self._page_like(call, "screen", self.config.screen_event)

    def page_name(self, name: str, category: str = "") -> str:
        return self.config.page_event.format(name=name, category=category)

    def _page_like(self, call: Call, kind: str, template: str) -> None:
        args, cb = self.split_callback(args_of(call.node))
        args = list(args)
        category = name = props = opts = None

        def stringish(n: Node) -> bool:
            u = unwrap(n)
            if u.type in STRINGISH or u.type == "binary_expression":
                return True
            if u.type in ("identifier", "member_expression", "call_expression", "subscript_expression"):
                last = self.jf.text(u).split(".")[-1]
                return not PAGE_PROPS_NAME.search(last)
            return False

        if len(args) >= 2 and stringish(args[0]) and stringish(args[1]):
            category, name, props, opts = args[0], args[1], *(args[2:4] + [None] * (4 - len(args[2:4])))[:2]
        elif args and stringish(args[0]):
            name, props, opts = args[0], *(args[1:3] + [None] * (3 - len(args[1:3])))[:2]
        elif args and self.is_nullish(args[0]) and len(args) >= 2 and stringish(args[1]):
            name, props, opts = args[1], *(args[2:4] + [None] * (4 - len(args[2:4])))[:2]
        elif args and (unwrap(args[0]).type == "object" or self.is_nullish(args[0])
                       or PAGE_PROPS_NAME.search(self.jf.text(args[0]).split(".")[-1])):
            props, opts = args[0], (args[1] if len(args) > 1 else None)
        elif args:
            self.found(call.node, Kind.MANUAL, f"js/{kind}",
                       f"cannot tell whether '{self.jf.text(args[0])}' is a {kind} name or properties; the call was left as it is",
                       f"write {kind}(name, properties) explicitly", note=True)
            return
        if props is not None and self.is_nullish(props):
            props = None
        event = self._event_name(template, name, category)
        pairs: list[tuple[str, str]] = []
        if kind == "page" and self.config.page_context_properties:
            pairs += [("path", "location.pathname"), ("referrer", "document.referrer"), ("search", "location.search"),
                      ("title", "document.title"), ("url", "location.href")]
        if props is not None:
            p = unwrap(props)
            if p.type == "object":
                own = set()
                for c in p.named_children:
                    if c.type == "pair":
                        own.add(self.jf.text(c.child_by_field_name("key")).strip("'\""))
                    elif c.type == "shorthand_property_identifier":
                        own.add(self.jf.text(c))
                pairs = [(k, v) for k, v in pairs if k not in own]
                pairs += [("...", self.jf.text(c)) for c in p.named_children if c.type != "comment"]
            else:
                pairs.append(("...", "..." + self.jf.text(props)))
        if name is not None:
            pairs.append(("name", self.jf.text(name)))
        if category is not None:
            pairs.append(("category", self.jf.text(category)))
        options = self.event_options(call, opts)
        if options is None:
            return
        parts = [event]
        if pairs or options:
            parts.append(self.object_text(pairs, self.indent_of(call.node)))
        if options:
            parts.append(options)
        self.emit(call, [(f"{self.recv(call)}track({', '.join(parts)})", "promise")], cb)
        self.found(call.node, Kind.CONVERTED, f"js/{kind}", f"{kind} → track({event})")

    def _event_name(self, template: str, name: Optional[Node], category: Optional[Node]) -> str:
        values = {}
        literal = True
        for key, node in (("name", name), ("category", category)):
            if node is None:
                values[key] = ("", "")
                continue
            s = string_value(unwrap(node))
            if s is not None:
                values[key] = (s, s.replace("`", "\\`").replace("${", "\\${"))
            else:
                literal = False
                values[key] = (None, "${" + self.jf.text(node) + " ?? ''}")
        if literal:
            return self.q(template.format(**{k: v[0] for k, v in values.items()}))
        escaped = template.replace("`", "\\`")
        return "`" + escaped.format(**{k: v[1] for k, v in values.items()}) + "`"

    def _m_group(self, call: Call) -> None:
        args, cb = self.split_callback(args_of(call.node))
        if not args or unwrap(args[0]).type == "object" or self.is_nullish(args[0]):
            self.found(call.node, Kind.UNSUPPORTED, "js/group",
                       "group() without a group id reads or updates the current group; Amplitude has no equivalent",
                       "call setGroup(groupType, groupId) and groupIdentify(...) with an explicit id", note=True)
            return
        group_id = self._id_text(args[0])
        traits = args[1] if len(args) > 1 and not self.is_nullish(args[1]) else None
        opts = self.event_options(call, args[2] if len(args) > 2 else None)
        if opts is None:
            return
        gtype = self.q(self.config.group_type)
        tail = f", {opts}" if opts else ""
        ops = [(f"{self.recv(call)}setGroup({gtype}, {group_id}{tail})", "promise")]
        if traits is not None:
            indent = self.indent_of(call.node)
            ops.append((self.call_text(f"{self.recv(call)}groupIdentify",
                                       [gtype, group_id, self.identify_expr(traits, indent + "  ")] + ([opts] if opts else []),
                                       indent), "promise"))
        self.emit(call, ops, cb)
        self.found(call.node, Kind.CONVERTED, "js/group", f"group → setGroup({gtype}) + groupIdentify")

    def _m_alias(self, call: Call) -> None:
        stmt = call.node.parent
        if stmt is not None and stmt.type == "await_expression":
            stmt = stmt.parent
        message = "alias() has no Amplitude SDK equivalent (Segment's Amplitude destination sent nothing for it by default)"
        suggestion = "if you rely on merged ids, use Amplitude's User Mapping API from your backend"
        if stmt is None or stmt.type != "expression_statement" or \
                stmt.parent is None or stmt.parent.type not in ("program", "statement_block"):
            self.found(call.node, Kind.MANUAL, "js/alias", message + "; left as it is", suggestion, note=True)
            return
        indent = self.indent_of(stmt)
        original = self.jf.text(stmt).replace("\r\n", "\n").split("\n")
        lines = [f"// TODO(segamp): {message}; {suggestion}. Original:"] + [f"// {line}" if i == 0 else f"{indent}// {line[len(indent):] if line.startswith(indent) else line.lstrip()}"
                                                                            for i, line in enumerate(original)]
        text = lines[0] + "\n" + indent + lines[1] + "".join("\n" + l for l in lines[2:])
        self.edit(stmt.start_byte, stmt.end_byte, text)
        self.found(call.node, Kind.MANUAL, "js/alias", message, suggestion)

    def _m_reset(self, call: Call) -> None:
        self.emit(call, [(f"{self.recv(call)}reset()", "void")])
        self.found(call.node, Kind.CONVERTED, "js/reset", "reset → reset")

    def _m_flush(self, call: Call) -> None:
        self.emit(call, [(f"{self.recv(call)}flush()", "promise")])
        self.found(call.node, Kind.CONVERTED, "js/flush", "flush → flush")

    def _m_setAnonymousId(self, call: Call) -> None:
        args = args_of(call.node)
        if not args:
            info = RULE["unsupported"]["setAnonymousId"]
            self.found(call.node, Kind.UNSUPPORTED, "js/setAnonymousId", info["message"], info["suggestion"], note=True)
            return
        self.emit(call, [(f"{self.recv(call)}setDeviceId({self._id_text(args[0])})", "void")])
        self.found(call.node, Kind.CONVERTED, "js/setAnonymousId", "setAnonymousId → setDeviceId")

    def _m_load(self, call: Call) -> None:
        if call.client.snippet:
            self.found(call.node, Kind.MANUAL, "js/snippet-loader",
                       "analytics.load() of the Segment snippet: replace the loader with Amplitude's",
                       SNIPPET["amplitude_loader"], note=True)
            return
        init = self._init_args(call.node, args_of(call.node))
        if init is None:
            return
        self.needs_ns = True
        self.emit(call, [(f"{self.recv(call)}init({init})", "promise")])
        self.found(call.node, Kind.CONVERTED, "js/load", "load → init")

    # --- the snippet global outside calls --------------------------------------------------------
    def _rewrite_snippet_references(self, calls: list[Call]) -> None:
        """The global itself, outside calls. Where it only tests "is the SDK there" (if, !, typeof,
        && / ||), it becomes the Amplitude namespace; anywhere else (assignments, property reads,
        test mocks) it is left as it is and reported: guessing there breaks code at run time."""
        receivers = {c.receiver.id for c in calls}
        jf = self.jf
        for n in jf.nodes:
            if n.id in receivers or jf.in_loader(n) or not self._is_snippet_global(n):
                continue
            if any(s <= n.start_byte and n.end_byte <= e for s, e in self.covered):
                continue
            parent = n.parent
            # `window.analytics && <call>`: the guard goes with the global
            if parent is not None and parent.type == "binary_expression" and \
                    jf.text(parent.child_by_field_name("operator")) == "&&" and parent.child_by_field_name("left") == n:
                right = parent.child_by_field_name("right")
                if any(c.node.start_byte >= right.start_byte and c.node.end_byte <= right.end_byte for c in calls):
                    self.edit(n.start_byte, right.start_byte, "")
                    continue
            if self._is_test(n):
                self.needs_ns = True
                self.edit(n.start_byte, n.end_byte, self.ns)
                continue
            self.found(n, Kind.MANUAL, "js/snippet-reference",
                       f"'{jf.text(n)}' is used here as a value, not called; segamp left it as it is",
                       "the Segment global goes away with its loader: use the Amplitude client here (or update the test mock)",
                       note=True)

    def _is_snippet_global(self, n: Node) -> bool:
        """window.analytics / global.analytics…, or a free `analytics` when the snippet is in use."""
        jf = self.jf
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

    def _is_test(self, n: Node) -> bool:
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
                op = self.jf.text(p.child_by_field_name("operator"))
                return op in ("!", "typeof")
            if p.type == "ternary_expression":
                return p.child_by_field_name("condition") == cur
            if p.type == "binary_expression":
                op = self.jf.text(p.child_by_field_name("operator"))
                if op in ("&&", "||") and (p.parent is not None and p.parent.type == "expression_statement"
                                           or self._is_test(p)):
                    return True
                return False
            return False

    def _free_snippet_hint(self) -> None:
        """A bare `analytics.track(...)` with no loader in sight: say so rather than guess."""
        jf = self.jf
        if jf.snippet_in_project() or SNIPPET["name"] in self.config.receivers:
            return
        seen = False
        for n in jf.nodes:
            if n.type != "call_expression":
                continue
            fn = unwrap(n.child_by_field_name("function"))
            if fn is None or fn.type != "member_expression":
                continue
            obj = unwrap(fn.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier" and jf.text(obj) == SNIPPET["name"] and \
                    jf.scopes.resolve(obj) is None and \
                    jf.text(fn.child_by_field_name("property")) in ("track", "identify", "page", "group", "alias", "screen"):
                if not seen:
                    self.found(n, Kind.MANUAL, "js/global-analytics",
                               "a global 'analytics' is called like Segment's snippet, but no Segment loader was found in the project; not rewritten",
                               "if it is Segment's snippet, add receivers = [\"analytics\"] to [tool.segamp] and run again")
                    seen = True

    # --- types ------------------------------------------------------------------------------
    def _rewrite_types(self) -> None:
        jf = self.jf
        for n in jf.nodes:
            if n.type == "type_identifier":
                exported = jf.seg_imports.get(jf.text(n))
                mapped = SEG_TYPES.get(exported or "")
            elif n.type == "nested_type_identifier":
                parts = jf.text(n).split(".")
                mapped = SEG_TYPES.get(parts[-1]) if len(parts) == 2 and jf.seg_imports.get(parts[0]) == "*" else None
            else:
                continue
            if mapped is None or any(s <= n.start_byte and n.end_byte <= e for s, e in self.covered):
                continue
            if mapped == "client":
                self.needs_ns = True
                self.edit(n.start_byte, n.end_byte, f"{self.ns}.{TARGET['client_type']}")
            else:
                self.edit(n.start_byte, n.end_byte, mapped)

    # --- notes and imports ------------------------------------------------------------------
    def _flush_notes(self) -> None:
        for start, messages in sorted(self.notes.items()):
            line_start = self.src.data.rfind(b"\n", 0, start) + 1
            before = self.src.data[line_start:start]
            present = self._notes_above(line_start) + self.src.data[line_start:start].decode("utf-8", "replace")
            # a second run finds the same calls: their notes are already there
            unique = [m for m in dict.fromkeys(messages) if f"TODO(segamp): {m}" not in present]
            if not unique:
                continue
            if before.strip() == b"":
                indent = before.decode()
                text = "".join(f"{indent}// TODO(segamp): {m}\n" for m in unique)
                self.analysis.edits.append(Edit(line_start, line_start, text))
            else:
                text = "".join(f"/* TODO(segamp): {m.replace('*/', '* /')} */ " for m in unique)
                self.analysis.edits.append(Edit(start, start, text))

    def _notes_above(self, line_start: int) -> str:
        """The run of comment lines directly above a line."""
        lines = self.src.data[:line_start].decode("utf-8", "replace").splitlines()
        out = []
        for line in reversed(lines):
            if not line.strip().startswith(("//", "/*", "*")):
                break
            out.append(line)
        return "\n".join(out)

    def _still_referenced(self, name: str, skip: tuple[int, int]) -> bool:
        for n in self.jf.nodes:
            if n.type in ("identifier", "type_identifier") and self.jf.text(n) == name:
                if skip[0] <= n.start_byte < skip[1]:
                    continue
                if any(s <= n.start_byte and n.end_byte <= e for s, e in self.covered):
                    continue
                if n.type == "identifier" and n.parent is not None and n.parent.type == "nested_type_identifier":
                    pass
                return True
            if n.type == "nested_type_identifier" and self.jf.text(n).startswith(name + "."):
                if not any(s <= n.start_byte and n.end_byte <= e for s, e in self.covered):
                    return True
        return False

    def import_line(self) -> str:
        semi = ";" if self.semi else ""
        pkg = self.q(TARGET["package"])
        if self.jf.uses_require and not self.jf.is_module and not self.jf.typescript:
            return f"const {self.ns} = require({pkg}){semi}"
        return f"import * as {self.ns} from {pkg}{semi}"

    def _fix_imports(self) -> None:
        jf = self.jf
        edited = bool(self.analysis.edits)
        replaced_one = False
        have_ns_import = any(stmt.type == "import_statement" and import_source(stmt) == TARGET["package"]
                             for stmt in jf.root.named_children)
        for stmt in jf.seg_import_stmts:
            locals_ = import_locals(stmt) if stmt.type == "import_statement" else [
                ident for d in stmt.named_children if d.type == "variable_declarator"
                for ident in pattern_names(d.child_by_field_name("name"))]
            unused = [l for l in locals_ if not self._still_referenced(jf.text(l), (stmt.start_byte, stmt.end_byte))]
            if not edited:
                continue
            if not unused:
                self.found(stmt, Kind.MANUAL, "js/segment-import",
                           f"still imports {', '.join(jf.text(l) for l in locals_)} from @segment/analytics-next, which is being removed",
                           "replace the remaining Segment types or calls, then drop this import", note=True)
                continue
            if len(unused) == len(locals_):
                end = stmt.end_byte
                if self.src.data[end:end + 1] == b"\n":
                    end += 1
                elif self.src.data[end:end + 2] == b"\r\n":
                    end += 2
                if self.needs_ns and not have_ns_import and not replaced_one:
                    self.analysis.edits.append(Edit(stmt.start_byte, stmt.end_byte, self.import_line()))
                    replaced_one = True
                else:
                    self.analysis.edits.append(Edit(stmt.start_byte, end, ""))
            else:
                for l in unused:
                    spec = l.parent
                    while spec is not None and spec.type not in ("import_specifier", "namespace_import",
                                                                  "shorthand_property_identifier_pattern", "pair_pattern"):
                        spec = spec.parent
                    if spec is None:
                        continue
                    start, end = spec.start_byte, spec.end_byte
                    nxt = self.src.data[end:].lstrip(b" \t")
                    if nxt.startswith(b","):
                        end = end + (len(self.src.data[end:]) - len(nxt)) + 1
                        while self.src.data[end:end + 1] in (b" ",):
                            end += 1
                    else:
                        prev = self.src.data[:start].rstrip(b" \t\n")
                        if prev.endswith(b","):
                            start = len(prev) - 1
                    self.analysis.edits.append(Edit(start, end, ""))
                kept = [jf.text(l) for l in locals_ if l not in unused]
                self.found(stmt, Kind.MANUAL, "js/segment-import",
                           f"still imports {', '.join(kept)} from @segment/analytics-next, which is being removed",
                           "replace the remaining Segment types or calls, then drop this import", note=True)
        if self.needs_ns and not have_ns_import and not replaced_one:
            if self.jf.html or (not self.jf.is_module and not self.jf.typescript and not self.jf.uses_require):
                # A classic script: Amplitude's loader defines window.amplitude.
                if self.jf.html or not self.jf.seg_import_stmts:
                    return
            anchor = [s for s in jf.root.named_children if s.type == "import_statement"]
            if anchor:
                end = anchor[-1].end_byte
                self.analysis.edits.append(Edit(end, end, "\n" + self.import_line()))
            else:
                pos = self._prologue_end()
                gap = "" if self.src.data[pos:pos + 1] in (b"\n", b"\r") else "\n"
                self.analysis.edits.append(Edit(pos, pos, self.import_line() + "\n" + gap))

    def _prologue_end(self) -> int:
        """After a shebang, leading comments and 'use client'-style directives."""
        pos = 0
        for stmt in self.jf.root.children:
            if stmt.type in ("hash_bang_line", "comment"):
                pos = stmt.end_byte
                continue
            if stmt.type == "expression_statement" and stmt.named_children and stmt.named_children[0].type == "string":
                pos = stmt.end_byte
                continue
            break
        if pos:
            nl = self.src.data.find(b"\n", pos)
            return len(self.src.data) if nl == -1 else nl + 1
        return 0
