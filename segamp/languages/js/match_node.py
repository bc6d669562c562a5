"""Calls on a Segment Node SDK client (@segment/analytics-node, the legacy analytics-node) ->
SegmentCall: the front-end variant of match.py for the one-message-object call style.

Both SDKs take one message per call (`track({ userId | anonymousId, event, properties,
context, timestamp, messageId, integrations }, callback?)`). Its keys are read into the roles
the browser's positional arguments fill, so the mapping sees `track({ userId, event,
properties })` exactly as it sees the browser's `track(event, properties, { userId })`:
event, properties, traits, name, category, groupId and previousId are arguments; the ids and
the per-event fields are options; identify's and alias's userId is their subject
(args["user_id"]), as for the browser and Python. Nothing here knows what Amplitude calls things.
"""
from __future__ import annotations

from typing import Optional

from ...core import calls as C
from ...core.calls import Expr, SegmentCall
from .bind import NODE_SDKS, Call, JsFile
from .match import OPTION_ROLES, Site, describe, describe_callback, split_callback, value_use, with_definition
from .syntax import Node, args_of, string_value, unwrap

# message keys that are arguments (the rest are options, by match.OPTION_ROLES)
MESSAGE_ARGS = {"event": "event", "properties": "properties", "traits": "traits", "name": "name",
                "category": "category", "groupId": "group_id", "previousId": "previous_id"}
# methods whose userId is the subject of the call rather than an event option
SUBJECT_USER = ("identify", "alias")
MESSAGE_METHODS = ("track", "identify", "page", "screen", "group", "alias")


def sdk_of(package: str) -> str:
    """The source table (rules/sources/<sdk>.toml) of a Node SDK package."""
    return NODE_SDKS[package]["sdk"]


def _string_ids(jf: JsFile, package: str) -> bool:
    # tsc already held ids to string where the SDK's own types say so
    return jf.typescript and bool(NODE_SDKS[package].get("string_ids"))


def match_node_call(jf: JsFile, call: Call) -> SegmentCall:
    """One call on a Node SDK client, its message read by role."""
    package = call.client.package
    all_args = args_of(call.node)
    args, cb = (all_args, None) if call.method == "on" else split_callback(all_args)
    site = Site(call.node, call.client, call.receiver, call.member, args, cb, rebuild=True)
    seg = SegmentCall(call.method, sdk_of(package), use=value_use(jf, call.node), handle=site)
    if cb is not None:
        seg.callback = describe_callback(jf, cb)
    if call.method in MESSAGE_METHODS:
        _read_message(jf, seg, args, _string_ids(jf, package))
    elif call.method == "on" and args:
        seg.args["event"] = describe(jf, args[0])
    return seg


def _read_message(jf: JsFile, seg: SegmentCall, args: list[Node], string_ids: bool) -> None:
    message = unwrap(args[0]) if args else None
    if message is None or message.type != "object":
        seg.shape = "unknown:the message is not an object literal, so its fields cannot be read"
        seg.shape_at = describe(jf, args[0]) if args else None
        return
    if len(args) > 1:
        seg.shape, seg.shape_at = "unknown:an argument after the message that is not a callback", describe(jf, args[1])
        return
    for c in message.named_children:
        if c.type == "comment":
            continue
        key, value = _entry(jf, c, string_ids)
        if key is None:
            seg.shape = "unknown:a spread or computed key in the message, so its fields cannot be read"
            seg.shape_at = describe(jf, c)
            return
        if key == "userId" and seg.method in SUBJECT_USER:
            seg.args["user_id"] = value
        elif key in MESSAGE_ARGS:
            seg.args[MESSAGE_ARGS[key]] = value
        else:
            seg.options[OPTION_ROLES.get(key, f"other:{key}")] = value


def _entry(jf: JsFile, c: Node, string_ids: bool) -> tuple[Optional[str], Optional[Expr]]:
    """(key, value) of one message entry; (None, None) for a spread or a computed key."""
    if c.type == "shorthand_property_identifier":
        key = jf.text(c)
        static = "string" if string_ids and key in ("userId", "anonymousId") else None
        return key, Expr(key, C.NAME, static_type=static, simple=True, handle=c)
    if c.type != "pair" or c.child_by_field_name("key").type == "computed_property_name":
        return None, None
    key_node = c.child_by_field_name("key")
    key = string_value(key_node) if key_node.type == "string" else jf.text(key_node)
    as_id = string_ids and key in ("userId", "anonymousId", "groupId", "previousId", "messageId")
    return key, describe(jf, c.child_by_field_name("value"), as_id=as_id)


def match_node_client(jf: JsFile, node: Node, package: str) -> SegmentCall:
    """new Analytics({ writeKey, ...settings }) / legacy new Analytics(writeKey, { ...options })."""
    args = args_of(node)
    seg = SegmentCall("Client", sdk_of(package), handle=Site(node, args=args), use=value_use(jf, node))
    if NODE_SDKS[package]["construct"] == "key_options":
        if args:
            seg.args["write_key"] = with_definition(jf, describe(jf, args[0]))
        settings = args[1] if len(args) > 1 else None
    else:
        settings = args[0] if args else None
    if settings is None:
        return seg
    obj = unwrap(settings)
    if obj.type != "object":
        seg.shape, seg.shape_at = "settings-not-literal", describe(jf, settings)
        return seg
    for c in obj.named_children:
        if c.type == "comment":
            continue
        key, value = _entry(jf, c, False)
        if key is None:
            seg.shape, seg.shape_at = "settings-not-literal", describe(jf, c)
            return seg
        if key == "writeKey":
            seg.args["write_key"] = with_definition(jf, value)
        else:
            seg.settings[key] = value
    return seg
