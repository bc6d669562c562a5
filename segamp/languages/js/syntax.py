"""Tree-sitter plumbing for JavaScript/TypeScript: grammars, node helpers and scopes.

Kept apart from the Segment rules so the binding and emitting code reads as rules.
"""
from __future__ import annotations

import functools
from typing import Iterator, Optional

import tree_sitter as ts

Node = ts.Node

FUNCTION_TYPES = frozenset({
    "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function",
})
BLOCK_SCOPES = frozenset({"program", "statement_block", "class_static_block", "switch_body"})
SCOPE_TYPES = FUNCTION_TYPES | BLOCK_SCOPES | {"catch_clause", "for_statement", "for_in_statement"}
DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})
WRAPPERS = frozenset({"parenthesized_expression", "non_null_expression", "as_expression",
                      "satisfies_expression", "type_assertion"})
STRINGISH = frozenset({"string", "template_string"})


@functools.lru_cache(maxsize=None)
def language(kind: str) -> ts.Language:
    if kind == "javascript":
        import tree_sitter_javascript as tsj

        return ts.Language(tsj.language())
    import tree_sitter_typescript as tst

    return ts.Language(tst.language_tsx() if kind == "tsx" else tst.language_typescript())


def grammar_for(path: str) -> str:
    lower = path.lower()
    if lower.endswith((".ts", ".mts", ".cts")):
        return "typescript"
    if lower.endswith(".tsx"):
        return "tsx"
    return "javascript"


def parse(data: bytes, kind: str) -> ts.Tree:
    return ts.Parser(language(kind)).parse(data)


def first_error(node: Node) -> Optional[Node]:
    if not node.has_error:
        return None
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            return n
        stack.extend(reversed([c for c in n.children if c.has_error or c.is_missing]))
    return node


def error_nodes(node: Node) -> list[Node]:
    """The outermost ERROR / MISSING nodes under node."""
    out: list[Node] = []
    stack = [node] if node.has_error else []
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            out.append(n)
            continue
        stack.extend(c for c in n.children if c.has_error or c.is_missing)
    return out


def unwrap(node: Optional[Node]) -> Optional[Node]:
    """Strip parentheses, `!`, `as T`, `satisfies T`: they do not change which object it is."""
    while node is not None and node.type in WRAPPERS:
        inner = node.named_children[0] if node.named_children else None
        if inner is None:
            break
        node = inner
    return node


def is_nullish(node: Optional[Node]) -> bool:
    n = unwrap(node)
    return n is not None and (n.type in ("null", "undefined") or (n.type == "identifier" and n.text == b"undefined"))


def maybe_absent(ternary: Node) -> Optional[Node]:
    """`key ? AnalyticsBrowser.load(…) : undefined`: the branch that is not null or undefined,
    when the other one is (a value that is there or not), else None. `key && load(…)` is the
    same choice (its other value is the falsy key): its right side."""
    if ternary.type == "binary_expression":
        operator = ternary.child_by_field_name("operator")
        right = ternary.child_by_field_name("right")
        return right if operator is not None and operator.type == "&&" and right is not None else None
    if ternary.type != "ternary_expression":
        return None
    yes, no = ternary.child_by_field_name("consequence"), ternary.child_by_field_name("alternative")
    if is_nullish(no) and not is_nullish(yes):
        return yes
    if is_nullish(yes) and not is_nullish(no):
        return no
    return None


def args_of(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [c for c in args.named_children if c.type != "comment"]


def walk(node: Node) -> Iterator[Node]:
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            yield cursor.node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            return


def pattern_names(pattern: Optional[Node]) -> list[Node]:
    """The identifier nodes a binding pattern declares."""
    if pattern is None:
        return []
    t = pattern.type
    if t in ("identifier", "shorthand_property_identifier_pattern"):
        return [pattern]
    if t in ("object_pattern", "array_pattern"):
        out = []
        for c in pattern.named_children:
            if c.type == "pair_pattern":
                out += pattern_names(c.child_by_field_name("value"))
            elif c.type in ("object_assignment_pattern", "assignment_pattern"):
                out += pattern_names(c.child_by_field_name("left"))
            else:
                out += pattern_names(c)
        return out
    if t in ("assignment_pattern", "object_assignment_pattern"):
        return pattern_names(pattern.child_by_field_name("left"))
    if t == "rest_pattern":
        return pattern_names(pattern.named_children[0] if pattern.named_children else None)
    if t in ("required_parameter", "optional_parameter"):
        return pattern_names(pattern.child_by_field_name("pattern"))
    return []


def param_nodes(fn: Node) -> list[Node]:
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return [single]
    params = fn.child_by_field_name("parameters")
    if params is None:
        return []
    return [p for p in params.named_children if p.type != "comment"]


class Scopes:
    """Resolves an identifier to the node that declares it, or None for a global."""

    def __init__(self) -> None:
        self._declared: dict[int, dict[str, Node]] = {}
        self._resolved: dict[int, Optional[Node]] = {}   # identifier id -> resolve()'s answer

    def declared(self, scope: Node) -> dict[str, Node]:
        got = self._declared.get(scope.id)
        if got is not None:
            return got
        names: dict[str, Node] = {}
        if scope.type in FUNCTION_TYPES:
            for p in param_nodes(scope):
                for ident in pattern_names(p):
                    names.setdefault(ident.text.decode(), ident)
            if scope.type in ("function_expression", "function", "generator_function"):
                own = scope.child_by_field_name("name")
                if own is not None:
                    names.setdefault(own.text.decode(), own)
        elif scope.type == "catch_clause":
            for ident in pattern_names(scope.child_by_field_name("parameter")):
                names.setdefault(ident.text.decode(), ident)
        elif scope.type in ("for_statement", "for_in_statement"):
            for field in ("initializer", "left"):
                part = scope.child_by_field_name(field)
                if part is None:
                    continue
                if part.type in DECLARATIONS:
                    for d in part.named_children:
                        if d.type == "variable_declarator":
                            for ident in pattern_names(d.child_by_field_name("name")):
                                names.setdefault(ident.text.decode(), ident)
                elif scope.type == "for_in_statement" and any(c.type in ("const", "let", "var") for c in scope.children):
                    for ident in pattern_names(part):
                        names.setdefault(ident.text.decode(), ident)
        else:
            for stmt in scope.named_children:
                self._statement_names(stmt, names)
        self._declared[scope.id] = names
        return names

    def _statement_names(self, stmt: Node, names: dict[str, Node]) -> None:
        t = stmt.type
        if t == "export_statement":
            inner = stmt.child_by_field_name("declaration")
            if inner is not None:
                self._statement_names(inner, names)
            return
        if t in DECLARATIONS:
            for d in stmt.named_children:
                if d.type == "variable_declarator":
                    for ident in pattern_names(d.child_by_field_name("name")):
                        names.setdefault(ident.text.decode(), ident)
        elif t in ("function_declaration", "generator_function_declaration", "class_declaration",
                   "abstract_class_declaration", "enum_declaration"):
            n = stmt.child_by_field_name("name")
            if n is not None:
                names.setdefault(n.text.decode(), n)
        elif t == "import_statement":
            for ident in import_locals(stmt):
                names.setdefault(ident.text.decode(), ident)

    def resolve(self, ident: Node) -> Optional[Node]:
        """(One Scopes serves one tree: answers are kept by node id.)"""
        if ident.id in self._resolved:
            return self._resolved[ident.id]
        name = ident.text.decode()
        node, hit = ident.parent, None
        while node is not None:
            if node.type in SCOPE_TYPES:
                hit = self.declared(node).get(name)
                if hit is not None:
                    break
            node = node.parent
        self._resolved[ident.id] = hit
        return hit


def import_locals(stmt: Node) -> list[Node]:
    out = []
    required = next((c for c in stmt.named_children if c.type == "import_require_clause"), None)
    if required is not None:   # import X = require('pkg')
        return [c for c in required.named_children if c.type == "identifier"][:1]
    clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
    if clause is None:
        return out
    for c in clause.named_children:
        if c.type == "identifier":
            out.append(c)
        elif c.type == "namespace_import":
            out += [x for x in c.named_children if x.type == "identifier"]
        elif c.type == "named_imports":
            for spec in c.named_children:
                if spec.type == "import_specifier":
                    local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    if local is not None:
                        out.append(local)
    return out


def import_source(stmt: Node) -> Optional[str]:
    src = stmt.child_by_field_name("source")
    if src is None:
        return None
    return string_value(src)


def string_value(node: Node) -> Optional[str]:
    """The value of a plain string literal ('a', "a", `a` without ${}), else None."""
    if node.type == "string":
        return "".join(c.text.decode() for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return "".join(c.text.decode() for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
    return None


def enclosing_statement(node: Node) -> Node:
    """The nearest ancestor that is a statement in a statement list."""
    cur = node
    while cur.parent is not None and cur.parent.type not in BLOCK_SCOPES and cur.parent.type not in (
            "else_clause", "switch_case", "switch_default"):
        if cur.parent.type in ("if_statement", "for_statement", "for_in_statement", "while_statement",
                               "do_statement", "labeled_statement") and cur.type.endswith("statement"):
            break
        cur = cur.parent
    return cur
