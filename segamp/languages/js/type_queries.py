"""The browser client type spelled through its class: `ReturnType<typeof AnalyticsBrowser.load>`,
`InstanceType<typeof AnalyticsBrowser>` (both are AnalyticsBrowser), and the `typeof` uses that are
not the client type (`Awaited<…>` of it: Segment's [Analytics, Context] pair)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .kinds import clients_in
from .syntax import Node

if TYPE_CHECKING:
    from .bind import JsFile

# `ReturnType<typeof AnalyticsBrowser.load>`, `InstanceType<typeof AnalyticsBrowser>`: the client type
_CLIENT_TYPE_OF = {("ReturnType", "load"), ("InstanceType", "")}


def client_type_queries(jf: "JsFile") -> tuple[list[Node], list[Node]]:
    """The types that name the browser client through `typeof` of its class: those that are
    the client type itself (renamed with it), and the others (`Awaited<…>` of it, `typeof
    AnalyticsBrowser` as a value's type), which the rename cannot follow."""
    same, other = [], []
    for n in jf.of_types(frozenset({"type_query"})):
        target = n.named_children[0] if n.named_children else None
        name, _, member = jf.text(target).partition(".")
        if target is None or _client_types().get(jf.seg_imports.get(name) or "") != "client":
            continue
        args = n.parent
        g = args.parent if args is not None and args.type == "type_arguments" and len(args.named_children) == 1 else None
        outer = g.parent.parent if g is not None and g.parent is not None and g.parent.type == "type_arguments" else None
        if g is not None and names_client_type(jf, g) and \
                not (outer is not None and outer.type == "generic_type" and jf.text(outer.child_by_field_name("name")) == "Awaited"):
            same.append(g)
        else:
            other.append(outer if outer is not None and outer.type == "generic_type" else g or n)
    return same, other


def names_client_type(jf: "JsFile", g: Node) -> bool:
    """g (a generic_type) is the browser client type: ReturnType of its load, InstanceType of its class."""
    args = g.child_by_field_name("type_arguments")
    if g.type != "generic_type" or args is None or len(args.named_children) != 1 or args.named_children[0].type != "type_query":
        return False
    query = args.named_children[0]
    target = query.named_children[0] if query.named_children else None
    name, _, member = jf.text(target).partition(".")
    return target is not None and _client_types().get(jf.seg_imports.get(name) or "") == "client" and \
        (jf.text(g.child_by_field_name("name")), member) in _CLIENT_TYPE_OF


def _client_types() -> dict[str, str]:
    from .bind import SEG_TYPES   # bind imports this module

    return SEG_TYPES


def annotates_own_client(jf: "JsFile", annotation: Node) -> bool:
    """`let analytics: Analytics | null` on the very variable that holds a client this file
    creates: only this module can assign it (an importer's binding is read-only), so it can hold
    no other client, and its type migrates with that client (it is no typed use of the package)."""
    decl = annotation.parent
    name = decl.child_by_field_name("name") if decl is not None and decl.type == "variable_declarator" else None
    kind = jf.kinds.get(name.id) if name is not None and name.type == "identifier" else None
    held = list(clients_in(kind)) if kind is not None else []
    return bool(held) and all(c.key in jf.created for c in held)


def own_client_types(jf: "JsFile") -> list[tuple[int, int]]:
    """The annotations of variables holding only clients this file creates and migrates: renamed
    with those clients even while other typed values of the package stay Segment's."""
    out = []
    for n in jf.of_types(frozenset({"type_annotation"})):
        decl = n.parent
        name = decl.child_by_field_name("name") if annotates_own_client(jf, n) else None
        if name is not None and not any(jf.is_blocked(c) for c in clients_in(jf.kinds[name.id])):
            out.append((n.start_byte, n.end_byte))
    return out
