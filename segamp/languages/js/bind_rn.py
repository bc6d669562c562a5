"""Segment's React Native SDK as a front-end variant of the JS binding (bind.py).

v2 (@segment/analytics-react-native 2.x): `createClient({ writeKey, … })` creates a client
(keyed by where it is held, like `AnalyticsBrowser.load`); `<AnalyticsProvider client={x}>`
hands it to the components below; `useAnalytics()` reads it back, so the hook's result is the
project's React Native client (a typed client of the package, resolved like a typed parameter:
the only one the project creates). v1 (1.x): the default export is a module singleton, the
same client in every file that imports it (one key for the whole project).

Which names of the package are which is data (rules/javascript.toml [rn_sdks]); what the calls
become is the mapping's (rules/sources/react_native*.toml, rules/targets/react_native.toml).
"""
from __future__ import annotations

from typing import Optional

from ... import tables
from ..reads import evidence_matching
from .kinds import Client, Kinded, typed_client
from .syntax import Node, unwrap

RN_SDKS: dict[str, dict] = tables.load("javascript").get("rn_sdks", {})
RN_PACKAGE = next(iter(RN_SDKS), "@segment/analytics-react-native")
RN = RN_SDKS.get(RN_PACKAGE, {})
# the v1 module singleton: one client however many files import it
V1_KEY = "js:rn-v1"


def v1_client() -> Client:
    return Client(key=V1_KEY, package=RN_PACKAGE)


def is_v1(client: Client) -> bool:
    return client.key == V1_KEY


def sdk_of(client: Client) -> str:
    """The source table (rules/sources/<sdk>.toml) of a React Native client."""
    return RN["sdk_v1"] if is_v1(client) else RN["sdk"]


def seed_import(jf, stmt: Node, locals_: list[tuple[Node, str]]) -> None:
    """An import of the package: its names by role; the default import is v1's client."""
    jf.rn_import_stmts.append(stmt)
    for local, exported in locals_:
        name = jf.text(local)
        jf.rn_names[name] = exported
        if exported == "default":
            jf.rn_v1_locals.add(local.id)
            jf.kinds[local.id] = jf.live(v1_client())
            jf.bound_names.add(name)


def role_of(jf, node: Optional[Node]) -> Optional[str]:
    """"create" / "provider" / "hook" when node names that export of the package, else None."""
    node = unwrap(node)
    if node is None or node.type not in ("identifier", "jsx_identifier"):
        return None
    exported = jf.rn_names.get(jf.text(node))
    if exported is None or (node.type == "identifier" and not jf._is_import_binding(node)):
        return None
    for role, names in (("create", RN.get("create", ())), ("provider", RN.get("providers", ())),
                        ("hook", RN.get("hooks", ()))):
        if exported in names:
            return role
    return None


def call_kind(jf, expr: Node) -> Kinded:
    """createClient(...) is a client created here; useAnalytics() is the project's client."""
    role = role_of(jf, expr.child_by_field_name("function"))
    if role == "create":
        return jf._created(expr, RN_PACKAGE)
    if role == "hook":
        return typed_client(RN_PACKAGE)
    return None


def type_kind(jf, name: str) -> Kinded:
    """A Segment RN type naming the client (SegmentClient, ClientMethods)."""
    if RN.get("types", {}).get(jf.rn_names.get(name, "")) == "client":
        return typed_client(RN_PACKAGE)
    return None


def type_replacement(jf, name: str) -> Optional[str]:
    """What replaces a Segment RN type name in annotations ("client": the target's client type)."""
    return RN.get("types", {}).get(jf.rn_names.get(name, ""))


def hook_calls(jf) -> list[Node]:
    """useAnalytics() calls."""
    return [n for n in jf.nodes if n.type == "call_expression" and role_of(jf, n.child_by_field_name("function")) == "hook"]


def other_origins(jf, key: str) -> list[str]:
    """The other React Native clients the project creates (`file#name`, from the index)."""
    prefix = f"js-origin:{RN_PACKAGE}|"
    return sorted(e[len(prefix):].rsplit("/", 1)[-1] for e in evidence_matching(jf.ctx.evidence, prefix) if e[len(prefix):] != key)


def plugin_package(jf, arg: Optional[Node]) -> Optional[str]:
    """add({ plugin: new X(…) }): the package X is imported from, else None."""
    obj = unwrap(arg)
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type == "pair" and jf.text(pair.child_by_field_name("key")) == "plugin":
            value = unwrap(pair.child_by_field_name("value"))
            ctor = value.child_by_field_name("constructor") if value is not None and value.type == "new_expression" else None
            return imported_from(jf, jf.text(ctor)) if ctor is not None and ctor.type == "identifier" else None
    return None


def imported_from(jf, name: str) -> Optional[str]:
    from .syntax import import_locals, import_source
    for stmt in jf.root.named_children:
        if stmt.type == "import_statement" and any(jf.text(l) == name for l in import_locals(stmt)):
            return import_source(stmt)
    return None


def create_calls(jf) -> list[Node]:
    return [n for n in jf.nodes if n.type == "call_expression" and role_of(jf, n.child_by_field_name("function")) == "create"]


def provider_elements(jf) -> list[Node]:
    """<AnalyticsProvider …>…</AnalyticsProvider> and <AnalyticsProvider … />."""
    out = []
    for n in jf.nodes:
        if n.type in ("jsx_opening_element", "jsx_self_closing_element") and \
                role_of(jf, n.child_by_field_name("name")) == "provider":
            out.append(n.parent if n.type == "jsx_opening_element" else n)
    return out


def is_provider(jf, name_node: Optional[Node]) -> bool:
    return role_of(jf, name_node) == "provider"
