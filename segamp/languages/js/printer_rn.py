"""What a React Native file needs besides its calls (the printer's React Native part).

The client becomes the SDK's default instance (rules/targets/react_native.toml `create`), so:
- `createClient({ … })` -> the namespace + its init, where the client was created (handler);
- `useAnalytics()` -> the profile's `hook_value` (the namespace): `const { track } = amplitude`
  keeps every destructured method a function of the same client, in any component;
- `<AnalyticsProvider client={x}>children</AnalyticsProvider>` -> `<>children</>`: the provider
  only carried the client to the hook, which no longer needs it;
- Segment type names -> the profile's client type or the table's annotation;
- the package's import goes once nothing uses its names; v1's default import `analytics` becomes
  the namespace import under the same name, so `analytics.track(…)` keeps calling the client.
A client the closure rule leaves keeps all of these as they are.
"""
from __future__ import annotations

from typing import Optional

from ...core.mapping import source_table
from ...model import Edit
from . import bind_rn
from .bind import JsFile
from .kinds import Client, typed_client
from .printer import Printer
from .syntax import Node, import_locals, import_source, unwrap


def _live(jf: JsFile) -> bool:
    """The project's React Native v2 client migrates (the hook and provider go with it)."""
    return not jf.is_blocked(typed_client(bind_rn.RN_PACKAGE))


def rewrite_rn_file(jf: JsFile, printer: Printer) -> None:
    if not jf.rn_names:
        return
    if _live(jf):
        for call in bind_rn.hook_calls(jf):
            if not printer.is_covered(call):
                printer.edit(call.start_byte, call.end_byte, printer.profile.get("hook_value").format(ns=printer.namespace()))
        for element in bind_rn.provider_elements(jf):
            _unwrap_provider(jf, printer, element)
        _rewrite_types(jf, printer)


def _client_attr(jf: JsFile, opening: Node) -> Optional[Node]:
    for attr in opening.named_children:
        if attr.type == "jsx_attribute" and attr.named_children and jf.text(attr.named_children[0]) == "client":
            return attr
    return None


def _unwrap_provider(jf: JsFile, printer: Printer, element: Node) -> None:
    opening = element if element.type == "jsx_self_closing_element" else element.child_by_field_name("open_tag")
    attr = _client_attr(jf, opening) if opening is not None else None
    value = attr.named_children[-1] if attr is not None and len(attr.named_children) > 1 else None
    inner = value.named_children[0] if value is not None and value.named_children else None
    if not isinstance(jf.kind_of(inner), Client):
        return   # no client, or one segamp does not know: the provider stays (and is reported by its use)
    if element.type == "jsx_self_closing_element":
        printer.edit(element.start_byte, element.end_byte, "<></>")
        return
    closing = element.child_by_field_name("close_tag")
    printer.edit(opening.start_byte, opening.end_byte, "<>")
    if closing is not None:
        printer.edit(closing.start_byte, closing.end_byte, "</>")


def _rewrite_types(jf: JsFile, printer: Printer) -> None:
    for n in jf.nodes:
        if n.type != "type_identifier" or printer.is_covered(n):
            continue
        mapped = bind_rn.type_replacement(jf, jf.text(n))
        if mapped is None:
            continue
        if mapped == "client":
            mapped = printer.profile.get("types")["client"].format(ns=printer.namespace())
        printer.edit(n.start_byte, n.end_byte, mapped)


def fix_rn_imports(jf: JsFile, printer: Printer) -> None:
    """The package's imports: names nothing uses go (the first whole import becomes the namespace
    import); v1's default import is the namespace import under its own name."""
    if not printer.analysis.edits:
        return
    have_ns = any(s.type == "import_statement" and import_source(s) == printer.profile.package
                  for s in jf.root.named_children)
    replaced = False
    plugins = source_table(bind_rn.RN["sdk"]).get("plugins", {})
    for stmt in [s for s in jf.root.named_children if s.type == "import_statement" and import_source(s) in plugins]:
        span = (stmt.start_byte, stmt.end_byte)
        if not any(printer._still_referenced(jf.text(l), span) for l in import_locals(stmt)):
            printer.analysis.edits.append(Edit(stmt.start_byte, printer._line_end(stmt.end_byte), ""))
    for stmt in jf.rn_import_stmts:
        locals_ = import_locals(stmt)
        v1 = [l for l in locals_ if l.id in jf.rn_v1_locals]
        span = (stmt.start_byte, stmt.end_byte)
        unused = [l for l in locals_ if l not in v1 and not printer._still_referenced(jf.text(l), span)]
        if len(unused) + len(v1) == len(locals_) and (v1 or (printer.needs_ns and not have_ns and not replaced)):
            printer.analysis.edits.append(Edit(stmt.start_byte, stmt.end_byte, printer.import_line()))
            replaced = True
        elif len(unused) == len(locals_):
            printer.analysis.edits.append(Edit(stmt.start_byte, printer._line_end(stmt.end_byte), ""))
        else:
            printer._drop_specifiers(unused)
            kept = [jf.text(l) for l in locals_ if l not in unused]
            printer.report("segment-import-kept", stmt, names=", ".join(kept), package=bind_rn.RN_PACKAGE)
    if printer.needs_ns and not have_ns and not replaced:
        printer._add_import()


def v1_namespace(jf: JsFile) -> Optional[str]:
    """The name v1's default import gives the client: the namespace import keeps it."""
    for stmt in jf.rn_import_stmts:
        for local in import_locals(stmt):
            if local.id in jf.rn_v1_locals:
                return jf.text(local)
    return None


def report_client_properties(jf: JsFile, printer: Printer) -> None:
    """A property of the client read rather than called (`segmentClient.userInfo.get()`,
    `isReady.onChange(…)`) that the source table lists as unsupported: reported where it is, and
    it keeps the client from migrating (the default instance has no such property)."""
    for n in jf.nodes:
        if n.type != "member_expression" or (n.parent is not None and n.parent.type == "call_expression"
                                              and n.parent.child_by_field_name("function") == n):
            continue
        client = jf.kind_of(unwrap(n.child_by_field_name("object")))
        if not isinstance(client, Client) or client.package != bind_rn.RN_PACKAGE:
            continue
        prop = jf.text(n.child_by_field_name("property"))
        info = source_table(bind_rn.sdk_of(client)).get("unsupported", {}).get(prop)
        if info is not None:
            printer.report("unsupported-method", n, note=True, blocks=jf.client_key(client), method=prop,
                           message=info["message"], help=info.get("suggestion", ""))
