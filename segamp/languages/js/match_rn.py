"""Calls on a Segment React Native client -> SegmentCall: the front-end variant of match.py for
analytics-react-native's strict positional signatures.

Neither version resolves overloads: each argument has one role, in the order the source table
lists ([arguments] in rules/sources/react_native*.toml): `identify(x)` is a user id, never
traits; `screen(name, properties)`. A v2 argument past them is the per-call enrichment closure
and a v1 one is not in the signature: the call says so (shape) and the mapping leaves it.
Nothing here knows what Amplitude calls things.
"""
from __future__ import annotations

from ...core import calls as C
from ...core.calls import Expr, SegmentCall
from ...core.mapping import source_table
from .bind import Call, JsFile
from .bind_rn import RN, is_v1, plugin_package, sdk_of
from .match import Site, describe, options_by_role, value_use, with_definition
from .syntax import Node, args_of, string_value, unwrap

ID_ROLES = ("user_id", "group_id")


def match_rn_call(jf: JsFile, call: Call) -> SegmentCall:
    sdk = sdk_of(call.client)
    args = args_of(call.node)
    site = Site(call.node, call.client, call.receiver, call.member, args, None)
    if is_v1(call.client) and call.method == RN.get("setup"):
        seg = match_rn_client(jf, call.node, sdk, args, key_first=True)
        seg.handle = site
        return seg
    seg = SegmentCall(call.method, sdk, use=value_use(jf, call.node), handle=site)
    roles = source_table(sdk).get("arguments", {}).get(call.method)
    if roles is None:
        return seg
    if len(args) > len(roles):
        extra = args[len(roles)]
        seg.shape = "unknown:" + ("Segment's per-call enrichment closure has no Amplitude counterpart"
                                  if not is_v1(call.client) else "an argument Segment's signature does not have")
        seg.shape_at = describe(jf, extra)
        return seg
    for role, arg in zip(roles, args):
        if role == "plugin":   # add({ plugin: new X() }): which package X comes from
            package = plugin_package(jf, arg)
            seg.args[role] = Expr(repr(package), C.STRING, package, simple=True) if package else describe(jf, arg)
        elif role == "options":
            site.roles["options"] = arg
            seg.options = options_by_role(jf, arg)
        elif describe(jf, arg).kind in (C.NULL, C.UNDEFINED) and role in ("user_id", "traits", "properties"):
            continue   # identify(undefined, traits): no user id, as Segment read it
        else:
            seg.args[role] = describe(jf, arg, as_id=role in ID_ROLES)
            site.roles[role] = arg
    return seg


def match_rn_client(jf: JsFile, node: Node, sdk: str, args: list[Node], key_first: bool = False) -> SegmentCall:
    """v2 createClient({ writeKey, ...config }) / v1 analytics.setup(writeKey, { ...configuration })."""
    seg = SegmentCall("Client", sdk, handle=Site(node, args=args), use=value_use(jf, node))
    if key_first and args:
        seg.args["write_key"] = with_definition(jf, describe(jf, args[0]))
    settings = (args[1] if len(args) > 1 else None) if key_first else (args[0] if args else None)
    if settings is None:
        return seg
    obj = unwrap(settings)
    if obj.type != "object":
        seg.shape, seg.shape_at = "settings-not-literal", describe(jf, settings)
        return seg
    for c in obj.named_children:
        if c.type == "comment":
            continue
        if c.type == "shorthand_property_identifier":
            key, value = jf.text(c), Expr(jf.text(c), C.NAME, simple=True, handle=c)
        elif c.type == "pair" and c.child_by_field_name("key").type != "computed_property_name":
            key_node = c.child_by_field_name("key")
            key = string_value(key_node) if key_node.type == "string" else jf.text(key_node)
            value = describe(jf, c.child_by_field_name("value"))
        else:
            seg.shape, seg.shape_at = "settings-not-literal", describe(jf, c)
            return seg
        if key == "writeKey":
            seg.args["write_key"] = with_definition(jf, value)
        else:
            seg.settings[key] = value
    return seg
