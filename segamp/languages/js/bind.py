"""Which expressions are Segment clients (JavaScript / TypeScript).

Seeds are imports of @segment/analytics-next, `AnalyticsBrowser.load(...)` / `new
AnalyticsBrowser()`, annotations with Segment types, the snippet global (window.analytics, and a
bare `analytics` when the project shows the snippet), receivers named in config, names imported
from project modules that export a client (cross-file, through ProjectContext.exports), and
Node SDK clients (bound only so that their uses are reported, never converted). Clients flow
through variables, class fields and methods, useMemo, React contexts and hooks, getters and
factories, and destructured methods. A client the closure rule leaves (ProjectContext.blocked)
is not a client here at all: nothing of it is rewritten or reported.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from ... import tables
from ...core import profiles
from ...core.profiles import Profile
from ...source import SourceFile
from ..base import ProjectContext
from ..reads import evidence_matching
from .kinds import (
    BROWSER_PACKAGE, SNIPPET_KEY, SNIPPET_PACKAGE, TYPED_KEY, Client, ClientObject, Context, Hook, Kinded, Method,
    client_object, clients_in, intersection_kind, kind_from_json, kind_to_json, typed_client,
)
from . import bind_rn, type_queries
from .bind_rn import RN_PACKAGE, RN_SDKS
from .modules import ACCEPTS, MODULE_EXTS, lookup, module_keys, resolve_module
from .syntax import (
    FUNCTION_TYPES, Node, Scopes, args_of, grammar_for, import_source, maybe_absent, string_value, unwrap, walk,
)

RULE = tables.load("javascript")
SNIPPET = RULE["snippet"]
SEG_TYPES: dict[str, str] = RULE["types"]
# Segment package -> the target profile its clients migrate to (rules/targets/<name>.toml)
PROFILES: dict[str, str] = RULE["profiles"]
# The Node SDKs: their constructors, key form, id types and type names (javascript.toml)
NODE_SDKS: dict[str, dict] = RULE["node_sdks"]
# The browser packages whose imports seed browser clients
SEGMENT_PACKAGES = tuple(p for p in PROFILES if p.startswith("@") and p not in NODE_SDKS and p not in RN_SDKS)
SNIPPET_SDK = SNIPPET_PACKAGE
# Segment SDKs this module does not migrate: reported so `check` fails.
OTHER_SEGMENT_SDKS: dict[str, str] = RULE["other_sdks"]
# evidence entry per client created in the project: "js-origin:<package>|<key>"
ORIGIN = "js-origin:"

__all__ = ["Call", "Client", "ClientObject", "Context", "Hook", "JsFile", "Kinded", "Method", "MODULE_EXTS",
           "kind_to_json", "module_keys"]


@dataclass
class Call:
    node: Node                  # the call_expression
    method: str
    receiver: Optional[Node]    # the object the method is called on (None: a destructured method)
    client: Client
    member: Optional[Node]      # the member_expression `receiver.method` (None: a destructured method)
    pattern: Optional[int] = None   # the object_pattern a destructured method comes from


# ctx.evidence: a file of the project annotates something with this package's client type
TYPED_EVIDENCE = "js-typed|"


def typed_evidence(package: str, path: str) -> str:
    return f"{TYPED_EVIDENCE}{package}|{os.path.abspath(path)}"

# the node types _propagate() binds kinds through
PROPAGATING = frozenset({
    "variable_declarator", "function_declaration", "generator_function_declaration", "class_declaration",
    "abstract_class_declaration", "method_definition", "required_parameter", "optional_parameter",
    "public_field_definition", "field_definition", "assignment_expression", "import_statement",
})
RETURNS = frozenset({"return_statement"})
CALLS = frozenset({"call_expression"})


# --- one file --------------------------------------------------------------------------------
class JsFile:
    def __init__(self, source: SourceFile, root: Node, ctx: ProjectContext, path: str, script_mode: bool = False):
        self.src = source
        self.root = root
        self.ctx = ctx
        self.path = path
        self.config = ctx.config
        self.typescript = grammar_for(path) in ("typescript", "tsx")
        self.html = script_mode
        # the tree's nodes, walked once per tree: a file is bound in each index round and again
        # in analysis, on the tree the engine keeps (ctx.cache is per process)
        key = ("js:nodes", path, root.id, hash(source.data))
        walked = ctx.cache.get(key)
        if walked is None:
            nodes = list(walk(root))
            walked = ctx.cache[key] = (nodes, [n.type for n in nodes], {}, Scopes())
        self.nodes = walked[0]
        # types read once (a C call per node per pass otherwise); of_types() and scopes per tree
        self.node_types, self._of_types, self.scopes = walked[1], walked[2], walked[3]
        self._propagating: Optional[list[Node]] = None
        self.seg_imports: dict[str, str] = {}        # local name -> exported Segment name ("*" = namespace)
        self.seg_import_stmts: list[Node] = []
        self.node_imports: dict[str, str] = {}       # local name -> Segment Node SDK package
        self.node_names: dict[str, str] = {}         # local name -> the name the Node SDK exports it as
        self.node_import_stmts: list[Node] = []
        self.rn_names: dict[str, str] = {}           # local name -> what the React Native SDK exports it as
        self.rn_import_stmts: list[Node] = []
        self.rn_v1_locals: set[int] = set()          # the v1 default import's local name (its client)
        self.kinds: dict[int, Kinded] = {}           # declaring identifier id -> kind
        self.fields: dict[str, Kinded] = {}          # this.<name> inside classes (methods: Hook)
        # declaring identifier id -> parameter slots typed with a Segment client type
        # ("0", "1", … and "props.<name>" for a component's first parameter)
        self.accepts: dict[int, frozenset] = {}
        self.created: dict[str, tuple[str, Node]] = {}   # client key -> (name, the creating expression)
        self.seen: dict[str, Client] = {}            # every live client this file creates or uses
        self.bound_names: set[str] = set()           # names some kind is bound to (a cheap prefilter)
        self._returns_by_fn: Optional[dict[int, list[Node]]] = None
        self.loader_ranges: list[tuple[int, int]] = []
        self.bound = False
        self._type_stack: set[int] = set()          # local type aliases being resolved (cycles)
        self._ambiguous: list = []                   # (import, spec, modules) for aliases matching several
        self.is_module = (not script_mode) and any(
            n.type in ("import_statement", "export_statement") for n in root.named_children)
        self.uses_require = any(self.text(n.child_by_field_name("function")) == "require"
                                for n in self.of_types(frozenset({"call_expression"})))

    # --- small helpers -------------------------------------------------------------------------
    def text(self, node: Optional[Node]) -> str:
        if node is None:
            return ""
        return self.src.data[node.start_byte:node.end_byte].decode("utf-8")

    def profile_for(self, client: Client) -> Profile:
        """The target profile a client migrates to (rules/javascript.toml [profiles])."""
        return profiles.load(PROFILES[SNIPPET_SDK if client.snippet else client.package])

    # --- client keys and the closure rule ------------------------------------------------------
    def client_key(self, client: Client) -> str:
        """A typed client names the project's only client of its package, when there is one."""
        if not client.typed:
            return client.key
        prefix = f"{ORIGIN}{client.package}|"
        origins = [e[len(prefix):] for e in evidence_matching(self.ctx.evidence, prefix)]
        return origins[0] if len(origins) == 1 else client.key

    def is_blocked(self, client: Client) -> bool:
        """Left by the closure rule. A typed parameter may hold any client of its package (in a
        related program), so it is left when any of them is, and a left typed use leaves them all."""
        key = self.client_key(client)
        if not self.ctx.blocked or key in self.ctx.blocked:
            return bool(self.ctx.blocked)
        if key.startswith(TYPED_KEY):
            return self.ctx.left_in_program(client.package, self.path)
        origin = key.rsplit("#", 1)[0] if "#" in key else self.path   # a typed one: its only client's
        return not client.snippet and not key.startswith("cfg:") and (self.ctx.left_in_program(
            client.package, origin, typed=True) or self.shares_left_type(Client(key=key, package=client.package)))

    def shares_left_type(self, client: Client) -> bool:
        """The file that creates client annotates values with its package's client type, and
        another client of that package is left: those annotations stay Segment's type (they may
        hold the left one), so this client must stay Segment's too, or it would be assigned where
        the annotation no longer fits (a type error, a half-migrated file). Decided by the
        creating file, named in the client's key, so every file that uses the client agrees."""
        if "#" not in client.key or not self.ctx.left_in_program(client.package, client.key.rsplit("#", 1)[0]):
            return False
        return typed_evidence(client.package, client.key.rsplit("#", 1)[0]) in self.ctx.evidence

    def ctx_package(self, key: str) -> str:
        """The package of the client created under key (the index recorded it), or ""."""
        tail = "|" + key
        # sorted: the same answer whatever the set's order
        return next((e[len(ORIGIN):-len(tail)] for e in evidence_matching(self.ctx.evidence, ORIGIN, tail)), "")

    def typed_packages(self) -> set[str]:
        """The packages whose client type annotates something in this file."""
        out = set()
        for n in self.of_types(frozenset({"type_annotation"})):
            kind = None if type_queries.annotates_own_client(self, n) else self._type_kind(n)
            out |= {c.package for c in clients_in(kind) if not c.snippet} if kind is not None else set()
        return out

    def live(self, kind: Kinded) -> Kinded:
        """kind without the clients the closure rule leaves; records the clients that remain."""
        for c in clients_in(kind):
            if self.ctx.blocked and self.is_blocked(c):
                return self._without_blocked(kind)
        for c in clients_in(kind):
            self.seen.setdefault(self.client_key(c), c)
        return kind

    def _without_blocked(self, kind: Kinded) -> Kinded:
        if isinstance(kind, ClientObject):
            return client_object({n: c for n, c in kind.items if not self.is_blocked(c)})
        if isinstance(kind, Hook):
            inner = self._without_blocked(kind.returns)
            return Hook(inner) if inner is not None else None
        if isinstance(kind, Context):
            inner = self._without_blocked(kind.value)
            return Context(inner) if inner is not None else None
        return None

    def _created(self, expr: Node, package: str = BROWSER_PACKAGE) -> Client:
        name = self._holder_name(expr)
        client = Client(key=f"{os.path.abspath(self.path)}#{name}", package=package)
        self.created.setdefault(client.key, (name, expr))
        return client

    def standalone_client(self, call: Node) -> Kinded:
        """AnalyticsBrowser.standalone(...): a client of its own, never bound (its calls are
        not converted), but its key lets the closure rule leave it."""
        return self.live(self._created(call))

    def _holder_name(self, expr: Node) -> str:
        """The name the created client is held under: what makes its key readable and stable."""
        cur = expr
        while cur.parent is not None and cur.parent.type != "program":
            p = cur.parent
            if p.type == "variable_declarator" and p.child_by_field_name("name").type == "identifier":
                return self.text(p.child_by_field_name("name"))
            if p.type in ("public_field_definition", "field_definition"):
                return self.text(p.child_by_field_name("name") or p.child_by_field_name("property"))
            if p.type == "assignment_expression":
                return self.text(p.child_by_field_name("left")).replace("this.", "").replace("?.", ".")
            if p.type in ("function_declaration", "method_definition"):
                return self.text(p.child_by_field_name("name"))
            cur = p
        return f"L{self.src.line_col(expr.start_byte)[0]}"

    # --- bind ----------------------------------------------------------------------------------
    def bind(self) -> None:
        if self.bound:
            return
        self.bound = True
        self._find_loaders(self.root)
        self._seed_imports()
        # Kinds flow through declarations, fields, hooks and contexts: repeat until stable.
        for _ in range(6):
            if not self._propagate():
                break

    def _find_loaders(self, scope: Node) -> None:
        """The loader statements. A loader inside a function, class or block is searched for
        in there, so that it never hides the calls next to it."""
        markers = [m for m in SNIPPET["markers"] if m != "@segment/snippet"]
        for stmt in scope.named_children:
            if not any(m in self.text(stmt) for m in markers):
                continue
            inner = self._scope_body(stmt)
            before = len(self.loader_ranges)
            if inner is not None:
                self._find_loaders(inner)
            if len(self.loader_ranges) == before:
                self.loader_ranges.append((stmt.start_byte, stmt.end_byte))

    @staticmethod
    def _scope_body(stmt: Node) -> Optional[Node]:
        """The statement list of a declaration that holds statements (function, class, export)."""
        node = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if node is None:
            return None
        if node.type in ("function_declaration", "generator_function_declaration", "method_definition",
                         "statement_block", "class_static_block"):
            return node.child_by_field_name("body") if node.type not in ("statement_block", "class_static_block") else node
        if node.type in ("class_declaration", "abstract_class_declaration", "class_body"):
            return node.child_by_field_name("body") if node.type != "class_body" else node
        return None

    def in_loader(self, node: Node) -> bool:
        if not self.loader_ranges:
            return False
        return any(s <= node.start_byte < e for s, e in self.loader_ranges)

    def _seed_imports(self) -> None:
        for stmt in self.root.named_children:
            spec = self.import_spec(stmt) if stmt.type == "import_statement" else None
            if spec in OTHER_SEGMENT_SDKS or spec in NODE_SDKS:
                for local, exported in self._import_locals(stmt):
                    self.node_imports[self.text(local)] = spec
                    self.node_names[self.text(local)] = exported
                if spec in NODE_SDKS:
                    self.node_import_stmts.append(stmt)
            if spec == RN_PACKAGE:
                bind_rn.seed_import(self, stmt, self._import_locals(stmt))
            if spec not in SEGMENT_PACKAGES:
                continue
            self.seg_import_stmts.append(stmt)
            for local, exported in self._import_locals(stmt):
                self.seg_imports[self.text(local)] = exported
        # const { AnalyticsBrowser } = require('@segment/analytics-next')
        for n in self.nodes:
            if n.type == "variable_declarator":
                value = unwrap(n.child_by_field_name("value"))
                if value is None or value.type != "call_expression" or \
                        self.text(value.child_by_field_name("function")) != "require":
                    continue
                args = args_of(value)
                spec = string_value(args[0]) if args else None
                pattern = n.child_by_field_name("name")
                if spec in OTHER_SEGMENT_SDKS or spec in NODE_SDKS:
                    self._seed_node_require(n, pattern, spec)
                if spec not in SEGMENT_PACKAGES:
                    continue
                if n.parent is not None and n.parent.parent is not None and n.parent.parent.type == "program":
                    self.seg_import_stmts.append(n.parent)
                if pattern.type == "identifier":
                    self.seg_imports[self.text(pattern)] = "*"
                elif pattern.type == "object_pattern":
                    for c in pattern.named_children:
                        if c.type == "shorthand_property_identifier_pattern":
                            self.seg_imports[self.text(c)] = self.text(c)
                        elif c.type == "pair_pattern":
                            self.seg_imports[self.text(c.child_by_field_name("value"))] = \
                                self.text(c.child_by_field_name("key"))

    def _seed_node_require(self, decl: Node, pattern: Node, spec: str) -> None:
        """const Analytics = require('analytics-node') / const { Analytics } = require(...)."""
        for ident in ([pattern] if pattern.type == "identifier" else
                      [c for c in pattern.named_children if c.type == "shorthand_property_identifier_pattern"]):
            self.node_imports[self.text(ident)] = spec
            self.node_names[self.text(ident)] = "*" if pattern.type == "identifier" else self.text(ident)
        stmt = decl.parent
        if spec in NODE_SDKS and stmt is not None and stmt.parent is not None and stmt.parent.type == "program" and \
                len([d for d in stmt.named_children if d.type == "variable_declarator"]) == 1:
            self.node_import_stmts.append(stmt)

    @staticmethod
    def import_spec(stmt: Node) -> Optional[str]:
        """The module an import names, `import X = require('pkg')` included."""
        spec = import_source(stmt)
        if spec is None:
            clause = next((c for c in stmt.named_children if c.type == "import_require_clause"), None)
            src = clause.child_by_field_name("source") if clause is not None else None
            spec = string_value(src) if src is not None else None
        return spec

    def node_type(self, name: str) -> Optional[str]:
        """What a Node SDK type name imported here stands for ("client", …), else None."""
        package = self.node_imports.get(name)
        if package not in NODE_SDKS:
            return None
        return NODE_SDKS[package].get("types", {}).get(self.node_names.get(name, ""))

    def _import_locals(self, stmt: Node) -> list[tuple[Node, str]]:
        """(local name node, exported name; "*" namespace, "default") of an import statement."""
        out = []
        for clause in stmt.named_children:
            if clause.type == "import_require_clause":   # import X = require('pkg')
                out += [(c, "*") for c in clause.named_children if c.type == "identifier"][:1]
            if clause.type != "import_clause":
                continue
            for c in clause.named_children:
                if c.type == "namespace_import":
                    out += [(x, "*") for x in c.named_children]
                elif c.type == "named_imports":
                    for spec in c.named_children:
                        if spec.type == "import_specifier":
                            local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                            out.append((local, self.text(spec.child_by_field_name("name"))))
                elif c.type == "identifier":
                    out.append((c, "default"))
        return out

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

    def node_sdk_ctor(self, node: Optional[Node]) -> Optional[str]:
        """The Node SDK package of `new X(...)`'s X (Analytics from @segment/analytics-node,
        the default export of analytics-node), else None."""
        node = unwrap(node)
        if node is None:
            return None
        name = self.text(node).split(".")[0]
        package = self.node_imports.get(name)
        if package is None or not self._is_import_binding_name(node):
            return None
        if package in NODE_SDKS:   # only the client class constructs a client
            exported = self.node_names.get(name, "") if node.type == "identifier" else self.text(node).split(".")[-1]
            return package if exported in NODE_SDKS[package]["constructors"] else None
        return package

    def _is_import_binding_name(self, node: Node) -> bool:
        ident = node if node.type == "identifier" else unwrap(node.child_by_field_name("object"))
        return ident is not None and ident.type == "identifier" and self._is_import_binding(ident)

    def _is_import_binding(self, ident: Node) -> bool:
        decl = self.scopes.resolve(ident)
        if decl is None:
            return True  # require() destructuring at top level resolves too; globals can't be Segment ctors
        p = decl.parent
        while p is not None and p.type not in ("import_statement", "variable_declarator", "program"):
            p = p.parent
        return p is not None and p.type in ("import_statement", "variable_declarator")

    def type_kind(self, type_node: Optional[Node]) -> Kinded:
        return self.live(self._type_kind(type_node))

    def _type_kind(self, type_node: Optional[Node]) -> Kinded:
        """Client for `AnalyticsBrowser | null`; ClientObject for `{ analytics: AnalyticsBrowser }`."""
        if type_node is None or type_node.type == "type_annotation" and not type_node.named_children:
            return None
        if type_node.type == "type_annotation":
            type_node = type_node.named_children[0]
        if type_node.type in ("object_type", "interface_body"):
            props = {}
            for member in type_node.named_children:
                if member.type == "property_signature":
                    k = self._type_kind(member.child_by_field_name("type"))
                    if isinstance(k, Client):
                        props[self.text(member.child_by_field_name("name"))] = k
            return client_object(props)
        if type_node.type == "intersection_type":   # `Config & { analytics: AnalyticsBrowser }`
            return intersection_kind([self._type_kind(c) for c in type_node.named_children])
        if type_node.type == "generic_type":   # ReturnType<typeof AnalyticsBrowser.load>
            return typed_client() if type_queries.names_client_type(self, type_node) else None
        if type_node.type in ("union_type", "parenthesized_type"):
            return next((k for k in map(self._type_kind, type_node.named_children) if k is not None), None)
        if type_node.type == "type_identifier":
            name = self.text(type_node)
            if SEG_TYPES.get(self.seg_imports.get(name, "")) == "client":
                return typed_client()
            if self.rn_names and bind_rn.type_kind(self, name) is not None:
                return bind_rn.type_kind(self, name)
            if self.node_type(name) == "client" or (name in self.node_imports and self.node_imports[name] not in NODE_SDKS):
                return typed_client(self.node_imports[name])
            return self._local_type(name)
        if type_node.type == "nested_type_identifier":
            parts = self.text(type_node).split(".")
            if len(parts) == 2 and self.seg_imports.get(parts[0]) == "*" and SEG_TYPES.get(parts[1]) == "client":
                return typed_client()
            if len(parts) == 2 and self.node_names.get(parts[0]) == "*" and \
                    NODE_SDKS.get(self.node_imports.get(parts[0], ""), {}).get("types", {}).get(parts[1]) == "client":
                return typed_client(self.node_imports[parts[0]])
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
                        return self._type_kind(body)
                    finally:
                        self._type_stack.discard(body.id)
        return None

    def kind_of(self, expr: Optional[Node], depth: int = 0) -> Kinded:
        return self.live(self._kind_of(expr, depth))

    def _kind_of(self, expr: Optional[Node], depth: int) -> Kinded:
        expr = unwrap(expr)
        if expr is None or depth > 12:
            return None
        t = expr.type
        if t == "call_expression":
            return self._call_kind(expr, depth)
        if t == "new_expression":
            ctor = expr.child_by_field_name("constructor")
            if self.is_segment_ctor(ctor):
                return self._created(expr)
            package = self.node_sdk_ctor(ctor)
            return self._created(expr, package) if package else None
        if t == "identifier":
            decl = self.scopes.resolve(expr)
            if decl is None:
                name = self.text(expr)
                if name in self.config.receivers:
                    return Client(snippet=True, key="cfg:" + name, package=SNIPPET_PACKAGE)
                if name == SNIPPET["name"] and self.snippet_in_project():
                    return Client(snippet=True, key=SNIPPET_KEY, package=SNIPPET_PACKAGE)
                return None
            return self.kinds.get(decl.id)
        if t == "member_expression":
            return self._member_kind(expr, depth)
        if t == "object":
            props = {}
            for pair in expr.named_children:
                if pair.type == "pair":
                    k = self.kind_of(pair.child_by_field_name("value"), depth + 1)
                    if isinstance(k, Client):
                        props[self.text(pair.child_by_field_name("key"))] = k
                elif pair.type == "shorthand_property_identifier":
                    decl = self.scopes.resolve(pair)
                    k = self.live(self.kinds.get(decl.id)) if decl is not None else None
                    if isinstance(k, Client):
                        props[self.text(pair)] = k
            return client_object(props)
        if t in ("arrow_function", "function_expression", "function"):
            ret = self.returned_kind(expr, depth + 1)
            return Hook(ret) if isinstance(ret, (Client, ClientObject)) else None
        if t == "ternary_expression" or (t == "binary_expression" and maybe_absent(expr) is not None):
            # `key ? AnalyticsBrowser.load(…) : undefined`, `key && load(…)`: a client or nothing
            branch = maybe_absent(expr)
            k = self.kind_of(branch, depth + 1) if branch is not None else None
            return k if isinstance(k, Client) and not k.snippet else None
        if t in ("assignment_expression", "augmented_assignment_expression", "binary_expression"):
            # `var analytics = window.analytics = window.analytics || []`: the loader's own alias
            side = expr.child_by_field_name("left")
            k = self.kind_of(side, depth + 1) if t != "binary_expression" or \
                self.text(expr.child_by_field_name("operator")) in ("||", "??") else None
            return k if isinstance(k, Client) and k.snippet else None
        return None

    def _member_kind(self, expr: Node, depth: int) -> Kinded:
        obj = unwrap(expr.child_by_field_name("object"))
        prop = self.text(expr.child_by_field_name("property"))
        whole = self.text(expr).replace("?.", ".")
        if whole in self.config.receivers:
            snippet = obj is not None and obj.type == "identifier" and self.text(obj) in SNIPPET["globals"]
            return Client(snippet=snippet, key="cfg:" + whole, package=SNIPPET_PACKAGE if snippet else BROWSER_PACKAGE)
        if obj is None:
            return None
        if obj.type == "identifier" and self.text(obj) in SNIPPET["globals"] and prop == SNIPPET["name"] \
                and self.scopes.resolve(obj) is None:
            return Client(snippet=True, key=SNIPPET_KEY, package=SNIPPET_PACKAGE)
        if obj.type == "this":
            return self.fields.get(prop)
        holder = self.kind_of(obj, depth + 1)
        return holder.get(prop) if isinstance(holder, ClientObject) else None

    def _call_kind(self, expr: Node, depth: int) -> Kinded:
        """load() of a Segment constructor, useMemo/useContext/createContext, or a hook's result."""
        fn = unwrap(expr.child_by_field_name("function"))
        if fn is None:
            return None
        if self.rn_names and fn.type == "identifier" and bind_rn.role_of(self, fn) is not None:
            return bind_rn.call_kind(self, expr)
        if fn.type == "member_expression":
            prop = self.text(fn.child_by_field_name("property"))
            obj = fn.child_by_field_name("object")
            if prop == "load" and self.is_segment_ctor(obj):
                return self._created(expr)
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
        for n in self._returns().get(fn.id, ()):
            value = n.named_children[0] if n.named_children else None
            k = self.kind_of(value, depth)
            if k is not None:
                return k
        return None

    def _returns(self) -> dict[int, list[Node]]:
        """The return statements of each function, found in one pass over the file."""
        if self._returns_by_fn is None:
            self._returns_by_fn = {}
            for n in self.of_types(RETURNS):
                owner = self.owner_function(n)
                if owner is not None:
                    self._returns_by_fn.setdefault(owner.id, []).append(n)
        return self._returns_by_fn

    @staticmethod
    def owner_function(node: Node) -> Optional[Node]:
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
        self.bound_names.add(self.text(ident))
        inner = kind.returns if isinstance(kind, Hook) else kind.value if isinstance(kind, Context) else kind
        if isinstance(inner, ClientObject):
            self.bound_names |= inner.props
        return True

    def _set_field(self, name: str, kind: Kinded) -> bool:
        if not isinstance(kind, (Client, Hook)) or self.fields.get(name) == kind:
            return False
        self.fields[name] = kind
        self.bound_names.add(name)
        return True

    def _bind_pattern(self, pattern: Node, kind: Kinded) -> bool:
        """const { analytics } = useAnalyticsContext() binds the client; const { track, page } =
        useAnalytics() binds each method of the client."""
        changed = False
        for c in pattern.named_children:
            if c.type == "shorthand_property_identifier_pattern":
                key, target = self.text(c), c
            elif c.type == "pair_pattern" and c.child_by_field_name("value").type == "identifier":
                key, target = self.text(c.child_by_field_name("key")), c.child_by_field_name("value")
            else:
                continue
            if isinstance(kind, ClientObject) and key in kind.props:
                changed |= self._set(target, kind.get(key))
            elif isinstance(kind, Client) and c.type == "shorthand_property_identifier_pattern":
                # renamed or defaulted methods are not followed: uses.py reports the pattern
                changed |= self._set(target, Method(kind, key, pattern.id))
        return changed

    def of_types(self, types: frozenset) -> list[Node]:
        """The file's nodes of those types, in document order (a list the caller must not change)."""
        if types not in self._of_types:
            self._of_types[types] = [n for n, t in zip(self.nodes, self.node_types) if t in types]
        return self._of_types[types]

    def _propagate(self) -> bool:
        changed = False
        if self._propagating is None:
            # each round passes over these only (most of a file's nodes are none of them)
            self._propagating = self.of_types(PROPAGATING)
        for n in self._propagating:
            t = n.type
            if t == "variable_declarator":
                name = n.child_by_field_name("name")
                value = n.child_by_field_name("value")
                kind = self.type_kind(n.child_by_field_name("type")) or self.kind_of(value)
                if name.type == "identifier":
                    changed |= self._set(name, kind)
                    changed |= self._record_accepts(name, unwrap(value))
                elif name.type == "object_pattern":
                    changed |= self._bind_pattern(name, kind)
                elif name.type == "array_pattern":
                    # const [analytics] = await AnalyticsBrowser.load(...): the resolved Analytics
                    inner = unwrap(value)
                    if inner is not None and inner.type == "await_expression" and \
                            isinstance(self.kind_of(inner.named_children[0] if inner.named_children else None), Client):
                        first = name.named_children[0] if name.named_children else None
                        if first is not None and first.type == "identifier":
                            changed |= self._set(first, self.kind_of(inner.named_children[0]))
            elif t in ("function_declaration", "generator_function_declaration"):
                ret = self.returned_kind(n, 0)
                if isinstance(ret, (Client, ClientObject)):
                    changed |= self._set(n.child_by_field_name("name"), Hook(ret))
                changed |= self._record_accepts(n.child_by_field_name("name"), n)
            elif t in ("class_declaration", "abstract_class_declaration"):
                ctor = self._constructor(n)
                if ctor is not None:
                    changed |= self._record_accepts(n.child_by_field_name("name"), ctor)
            elif t == "method_definition":
                # this.getSegment(): a method returning a client is a getter of this class
                ret = self.returned_kind(n, 0)
                if isinstance(ret, Client):
                    changed |= self._set_field(self.text(n.child_by_field_name("name")), Hook(ret))
            elif t in ("required_parameter", "optional_parameter"):
                pattern = n.child_by_field_name("pattern")
                kind = self.type_kind(n.child_by_field_name("type"))
                if pattern is not None and pattern.type == "identifier":
                    changed |= self._set(pattern, kind)
                    if any(c.type in ("accessibility_modifier", "readonly") for c in n.children):
                        changed |= self._set_field(self.text(pattern), kind)   # constructor(private analytics: …)
                elif pattern is not None and pattern.type == "object_pattern" and isinstance(kind, ClientObject):
                    changed |= self._bind_pattern(pattern, kind)
            elif t in ("public_field_definition", "field_definition"):
                name = n.child_by_field_name("name") or n.child_by_field_name("property")
                kind = self.type_kind(n.child_by_field_name("type")) or self.kind_of(n.child_by_field_name("value"))
                if name is not None:
                    changed |= self._set_field(self.text(name), kind if isinstance(kind, Client) else None)
            elif t == "assignment_expression":
                changed |= self._bind_assignment(n)
            elif t == "import_statement":
                changed |= self._bind_project_import(n)
        return changed

    def _bind_assignment(self, n: Node) -> bool:
        left = n.child_by_field_name("left")
        if left is not None and left.type == "member_expression" and \
                unwrap(left.child_by_field_name("object")).type == "this":
            kind = self.kind_of(n.child_by_field_name("right"))
            return self._set_field(self.text(left.child_by_field_name("property")), kind if isinstance(kind, Client) else None)
        if left is not None and left.type == "identifier":
            decl = self.scopes.resolve(left)
            if decl is not None:
                return self._set(decl, self.kind_of(n.child_by_field_name("right")))
        return False

    @staticmethod
    def _constructor(cls: Node) -> Optional[Node]:
        body = cls.child_by_field_name("body")
        for m in body.named_children if body is not None else []:
            if m.type == "method_definition" and m.child_by_field_name("name").text == b"constructor":
                return m
        return None

    def _record_accepts(self, name: Optional[Node], fn: Optional[Node]) -> bool:
        """The parameter slots of a function, component or constructor typed with a Segment
        client type: a client handed to one of them is followed, not passed on."""
        if name is None or fn is None or fn.type not in FUNCTION_TYPES:
            return False
        from .syntax import param_nodes
        slots = set()
        for i, p in enumerate(param_nodes(fn)):
            kind = self._type_kind(p.child_by_field_name("type")) if p.type in ("required_parameter", "optional_parameter") else None
            if isinstance(kind, Client):
                slots.add(str(i))
            elif isinstance(kind, ClientObject) and i == 0:
                slots |= {"props." + prop for prop in kind.props}
        if not slots or self.accepts.get(name.id) == frozenset(slots):
            return False
        self.accepts[name.id] = frozenset(slots)
        return True

    def accepts_of(self, callee: Optional[Node]) -> frozenset:
        """The typed client slots of the function or class `callee` names."""
        callee = unwrap(callee)
        if callee is None or callee.type != "identifier":
            return frozenset()
        decl = self.scopes.resolve(callee)
        return self.accepts.get(decl.id, frozenset()) if decl is not None else frozenset()

    def _bind_project_import(self, stmt: Node) -> bool:
        spec = import_source(stmt)
        if not spec or spec in SEGMENT_PACKAGES or spec in OTHER_SEGMENT_SDKS or spec in NODE_SDKS or spec in RN_SDKS:
            return False
        key, hits = resolve_module(self.ctx.exports, self.path, spec, tuple(self.ctx.roots))
        if key is None:
            if hits and not any(s is stmt for s, _, _ in self._ambiguous):
                self._ambiguous.append((stmt, spec, hits))
            return False
        changed = False
        for local, name in self._import_locals(stmt):
            if name == "*":
                continue
            entry = lookup(self.ctx.exports, key, name)
            if entry is not None:
                changed |= self._set(local, self.live(kind_from_json(entry)))
            slots = lookup(self.ctx.exports, key, ACCEPTS + name)
            if slots is not None and self.accepts.get(local.id) != frozenset(slots["slots"]):
                self.accepts[local.id] = frozenset(slots["slots"])
                changed = True
        return changed

    # --- match -----------------------------------------------------------------------------------
    def calls(self) -> list[Call]:
        out = []
        for n in self.of_types(CALLS):
            if self.in_loader(n):
                continue
            fn = unwrap(n.child_by_field_name("function"))
            if fn is not None and fn.type == "identifier":
                method = self.kind_of(fn)
                if isinstance(method, Method):
                    out.append(Call(n, method.name, None, method.client, None, method.pattern_id))
                continue
            if fn is None or fn.type != "member_expression":
                continue
            receiver = fn.child_by_field_name("object")
            kind = self.kind_of(receiver)
            if isinstance(kind, Client):
                out.append(Call(n, self.text(fn.child_by_field_name("property")), unwrap(receiver), kind, fn))
        return out
