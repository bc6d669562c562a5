"""Where a client VALUE goes (JavaScript / TypeScript): the closure rule's view of a file.

A client handed to something binding follows (a variable, a field, a context, a hook, an
export, a parameter typed with a Segment type, a truth test) stays a client after the
migration. Handed to anything else — an argument of an unknown or third-party function or
constructor, a property of an untyped object, an array, a ternary (unless its other branch
is null or undefined: a client that may be absent, followed where the ternary goes) — it reaches code written
for Segment's client that segamp cannot see: that use blocks the client (client-passed-on).
The snippet global is not judged here: its value uses are the handler's snippet-reference.
"""
from __future__ import annotations

from typing import Iterator, Optional

from . import bind_rn
from .deps import is_dependency_array
from .bind import SNIPPET, JsFile
from .kinds import Client, ClientObject, Context, Hook, Kinded, Method, clients_in
from .syntax import WRAPPERS, Node, maybe_absent, unwrap

FOLLOWED_CALLEES = frozenset({
    "useMemo", "React.useMemo", "useContext", "React.useContext", "use", "React.use",
    "createContext", "React.createContext",
})
# parents under which an identifier is a name being declared, not a value being used
DECLARING = frozenset({
    "required_parameter", "optional_parameter", "formal_parameters", "import_specifier", "import_clause",
    "namespace_import", "import_require_clause", "export_specifier", "object_pattern", "array_pattern",
    "pair_pattern", "assignment_pattern", "rest_pattern", "function_declaration", "class_declaration",
    "generator_function_declaration", "method_definition", "type_query", "public_field_definition",
    "field_definition", "catch_clause", "labeled_statement", "jsx_opening_element", "jsx_closing_element",
    "jsx_self_closing_element", "nested_identifier",
})
# statements whose `condition` only tests the value's truth
CONDITIONED = frozenset({"if_statement", "while_statement", "do_statement", "for_statement"})
TRUTH_OPERATORS = ("===", "!==", "==", "!=", "instanceof")
MAX_CALLEE = 48
SNIPPET_NAME = SNIPPET["name"]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CALLEE else text[:MAX_CALLEE - 1] + "…"


def value_nodes(jf: JsFile) -> Iterator[tuple[Node, Kinded]]:
    """Every expression whose value is a (non-snippet) client, a client object, a hook, a context
    or a destructured method, outside the loader."""
    names = jf.bound_names | {SNIPPET_NAME} | {r.split(".")[-1] for r in jf.config.receivers}
    for n in jf.nodes:
        t = n.type
        if t in ("identifier", "shorthand_property_identifier"):
            if n.text.decode() not in names or (n.parent is not None and n.parent.type in DECLARING):
                continue
        elif t == "member_expression":
            if jf.text(n.child_by_field_name("property")) not in names:
                continue
        elif t == "call_expression":
            fn = unwrap(n.child_by_field_name("function"))
            last = jf.text(fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else fn)
            if last not in names and last != "load" and not last.startswith(("use", "React.use", "createContext")):
                continue
        elif t != "new_expression":
            continue
        if jf.in_loader(n):
            continue
        kind = jf.kind_of(n) if t != "shorthand_property_identifier" else _shorthand_kind(jf, n)
        if kind is None or not isinstance(kind, (Client, ClientObject, Hook, Context, Method)):
            continue
        if any(c.snippet for c in clients_in(kind)):
            continue
        yield n, kind


def _shorthand_kind(jf: JsFile, n: Node) -> Kinded:
    decl = jf.scopes.resolve(n)
    return jf.live(jf.kinds.get(decl.id)) if decl is not None else None


def consumer(jf: JsFile, n: Node, kind: Kinded) -> Optional[str]:
    """What takes the value of n when segamp cannot follow it there (a short text), else None."""
    cur = n
    while cur.parent is not None and cur.parent.type in WRAPPERS:
        cur = cur.parent
    p = cur.parent
    if p is None:
        return None
    t = p.type
    if t in ("member_expression", "subscript_expression") and p.child_by_field_name("object") == cur:
        return None          # a call on it, or a property read
    if t == "call_expression" and p.child_by_field_name("function") == cur:
        return None          # a hook or getter called, a destructured method called
    if t == "variable_declarator" and isinstance(kind, Client) and p.child_by_field_name("value") == cur:
        pattern = p.child_by_field_name("name")
        if pattern.type == "object_pattern" and any(
                c.type != "shorthand_property_identifier_pattern" for c in pattern.named_children):
            return "a renamed or defaulted destructuring"
        if pattern.type == "array_pattern":
            return "an array destructuring"
    if t in ("variable_declarator", "public_field_definition", "field_definition", "return_statement",
             "arrow_function", "export_statement", "export_specifier", "expression_statement",
             "unary_expression", "parenthesized_expression", "sequence_expression", "type_query"):
        if t == "arrow_function" and p.child_by_field_name("body") == cur and isinstance(kind, Client):
            # `() => new Analytics(…)` hands the client to whoever calls the arrow: followed where
            # the arrow is held (a variable, useMemo), passed on where it goes somewhere unknown
            # (a DI container's useFactory, a library's callback)
            return consumer(jf, p, Hook(kind))
        return None
    if t == "assignment_expression":
        left = unwrap(p.child_by_field_name("left"))
        if left == cur or left is None or left.type == "identifier" or (
                left.type == "member_expression" and unwrap(left.child_by_field_name("object")).type == "this"):
            return None
        return _short(jf.text(left))
    if t == "arguments":
        return _argument_consumer(jf, p.parent, cur)
    if t in ("pair", "object") or cur.type == "shorthand_property_identifier":
        obj = p if t == "object" else p.parent
        if isinstance(kind, Client) or isinstance(kind, Method):
            return consumer(jf, obj, jf.kind_of(obj)) if obj is not None else None
        return _short(jf.text(obj))
    if t == "array" and isinstance(kind, (Client, Method)) and is_dependency_array(jf, p):
        return None          # a React hook's dependency: compared by identity (deps.py)
    if t == "jsx_expression":
        return _jsx_consumer(jf, p)
    if t in CONDITIONED and p.child_by_field_name("condition") == cur:
        return None          # `if (analytics) …`: a truth test, as true of the Amplitude client
    if t in ("binary_expression", "ternary_expression"):
        return _operator_consumer(jf, p, cur, kind)
    if t == "await_expression":
        holder = p.parent
        if holder is not None and holder.type == "variable_declarator" and \
                holder.child_by_field_name("name").type == "array_pattern":
            return None      # const [analytics] = await AnalyticsBrowser.load(...)
        return "await"
    return _short(jf.text(p))


def _argument_consumer(jf: JsFile, call: Node, arg: Node) -> Optional[str]:
    callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    name = jf.text(unwrap(callee))
    if name in FOLLOWED_CALLEES:
        return None
    args = [c for c in call.child_by_field_name("arguments").named_children if c.type != "comment"]
    if name == "Boolean" and call.type == "call_expression" and args == [arg]:
        return None          # `Boolean(analytics)`: a truth test, as true of the Amplitude client
    slot = str(next((i for i, a in enumerate(args) if a == arg), -1))
    if slot in jf.accepts_of(callee):
        return None          # a parameter typed with a Segment client type
    return ("new " if call.type == "new_expression" else "") + _short(name)


def _jsx_consumer(jf: JsFile, container: Node) -> Optional[str]:
    attr = container.parent
    if attr is None or attr.type != "jsx_attribute":
        return "JSX child"
    element = attr.parent
    name_node = element.child_by_field_name("name") if element is not None else None
    attr_name = jf.text(attr.named_children[0]) if attr.named_children else ""
    elem = jf.text(name_node)
    if attr_name == "value" and elem.endswith(".Provider"):
        return None          # a React context provider: the context is followed
    if attr_name == "client" and jf.rn_names and bind_rn.is_provider(jf, name_node):
        return None          # Segment's React Native provider: it hands the client to useAnalytics()
    if "props." + attr_name in jf.accepts_of(name_node):
        return None          # a prop typed with a Segment client type
    return f"<{_short(elem)} {attr_name}>"


def _operator_consumer(jf: JsFile, op: Node, cur: Node, kind: Kinded) -> Optional[str]:
    if op.type == "ternary_expression":
        if op.child_by_field_name("condition") == cur:
            return None
        if isinstance(kind, Client) and maybe_absent(op) == cur:
            return consumer(jf, op, kind)   # `key ? AnalyticsBrowser.load(…) : undefined`: followed where it is held
        return _short(jf.text(op))
    operator = jf.text(op.child_by_field_name("operator"))
    if operator in TRUTH_OPERATORS or (operator == "&&" and op.child_by_field_name("left") == cur):
        return None          # a test: an Amplitude client is as truthy as Segment's
    if operator == "&&" and isinstance(kind, Client) and maybe_absent(op) == cur and op.parent is not None and \
            op.parent.type == "variable_declarator":
        return consumer(jf, op, kind)   # `key && AnalyticsBrowser.load(…)`: followed where it is held
    if operator in ("&&", "||", "??") and consumer(jf, op, kind) is None and \
            op.parent is not None and op.parent.type in ("parenthesized_expression", "unary_expression",
                                                         "expression_statement", "binary_expression"):
        return None
    return _short(jf.text(op))


def passed_on(jf: JsFile) -> list[tuple[Node, Client, str]]:
    """(where, which client, to what) for every client value segamp cannot follow."""
    out = []
    seen: set[tuple[int, str]] = set()
    for n, kind in value_nodes(jf):
        what = consumer(jf, n, kind)
        if what is None:
            continue
        for client in clients_in(kind):
            key = (n.start_byte, jf.client_key(client))
            if key not in seen:
                seen.add(key)
                out.append((n, client, what))
    return out


# --- method references -------------------------------------------------------------------------
def _source_sdk(client: Client) -> Optional[str]:
    """The source table (rules/sources/<sdk>.toml) of a client's SDK; None for the snippet
    global (the handler's snippet-reference judges it)."""
    from .bind import NODE_SDKS
    from .kinds import BROWSER_PACKAGE

    if client.snippet:
        return None
    if client.package == bind_rn.RN_PACKAGE:
        return bind_rn.sdk_of(client)
    if client.package in NODE_SDKS:
        return NODE_SDKS[client.package]["sdk"]
    return "browser" if client.package == BROWSER_PACKAGE else None


def method_references(jf: JsFile) -> Iterator[tuple[Node, Client, str, str]]:
    """(the member, its client, where it goes, what the method becomes) for every Segment call
    method read off a client without being called: `const page = analytics.page`,
    `useAnalytics().screen`, `emitter.on('x', client.track)`. It is called later with Segment's
    arguments, and the Amplitude client has no such method or one that takes others, so the
    client cannot migrate (the Python front end reports the same as method-reference)."""
    from ...core.mapping import source_table

    for n in jf.of_types(frozenset({"member_expression"})):
        p = n.parent
        if p is not None and p.type == "call_expression" and p.child_by_field_name("function") == n:
            continue
        client = jf.kind_of(unwrap(n.child_by_field_name("object")))
        sdk = _source_sdk(client) if isinstance(client, Client) else None
        methods = source_table(sdk).get("methods", {}) if sdk else {}
        prop = jf.text(n.child_by_field_name("property"))
        if prop not in methods or jf.in_loader(n):
            continue
        call = p.parent if p is not None and p.type == "arguments" else None
        where = f"to `{_short(jf.text(call.child_by_field_name('function')))}`" if call is not None else "as a value"
        yield n, client, where, methods[prop]
