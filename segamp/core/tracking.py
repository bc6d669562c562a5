"""The tracking plan a Segment call implements, before and after the rewrite (`segamp events`).

Before: what the code sends through Segment (event or page/screen name, property keys, trait
keys, group id). After: what Amplitude receives from the planned operations (event type as
the destination named it, property keys including the page context, `$set` keys, group type).
A name or key known only at run time is shown as `<expr>`. Language-free: it reads the
SegmentCall and the Plan, so every front end gets the same plan for the same call.
"""
from __future__ import annotations

import json
from typing import Optional

from . import calls as C
from .calls import Expr, SegmentCall
from .plan import (Code, EventName, GroupIdentify, IdentifyCopy, IdentifyOp, IdentifySets, Lit, Plan, Props,
                   Sendable, SetGroup, Src, Track, TrackOrder)

KINDS = ("track", "page", "screen", "identify", "group")


def _text(expr: Optional[Expr]) -> Optional[str]:
    if expr is None or expr.nullish:
        return None
    return expr.value if expr.kind == C.STRING else f"<{expr.text}>"


def _keys(expr: Optional[Expr]) -> list[str]:
    if expr is None or expr.nullish:
        return []
    if expr.entries is None:
        return [f"<{expr.text}>"]
    return [e.key if e.key is not None else f"<...{e.value.text}>" for e in expr.entries]


def before(call: SegmentCall) -> dict:
    a = call.args
    row: dict = {"kind": call.method}
    if call.method == "track":
        row["event"] = _text(a.get("event"))
        row["properties"] = _keys(a.get("properties"))
    elif call.method in ("page", "screen"):
        row["event"] = " ".join(x for x in (_text(a.get("category")), _text(a.get("name"))) if x) or None
        row["properties"] = _keys(a.get("properties"))
    elif call.method == "identify":
        row["traits"] = _keys(a.get("traits"))
    elif call.method == "group":
        row["group"] = _text(a.get("group_id"))
        row["traits"] = _keys(a.get("traits"))
    return row


def _value(v) -> Optional[str]:
    if isinstance(v, Lit):
        return None if v.value is None else str(v.value)
    if isinstance(v, EventName):
        return "".join(p if isinstance(p, str) else (p.value if p.kind == C.STRING else f"<{p.text}>")
                       for p in v.parts)
    if isinstance(v, Src):
        return _text(v.expr)
    if isinstance(v, Code):
        return f"<{v.text}>"
    inner = getattr(v, "expr", None)   # StrId, EpochMs, …: the value the code computes
    return _text(inner) if isinstance(inner, Expr) else f"<{type(v).__name__}>"


def _prop_keys(props) -> list[str]:
    while isinstance(props, Sendable):
        props = props.value
    if props is None:
        return []
    if not isinstance(props, Props):
        expr = getattr(props, "expr", None)
        return _keys(expr) if isinstance(expr, Expr) else ["<run-time>"]
    out = []
    for part in props.parts:
        if part[0] == "key":
            out.append(part[1])
        elif part[0] == "entry":
            out.append(part[1].key if part[1].key is not None else f"<...{part[1].value.text}>")
        else:
            out.append(f"<...{part[1].text}>")
    return out


def _set_keys(identify) -> list[str]:
    if isinstance(identify, IdentifySets):
        return [k for k, _, _ in identify.sets] + [f"-{k}" for k in identify.unsets]
    if isinstance(identify, IdentifyCopy):
        return _keys(identify.expr)
    return []


def after(plan: Plan) -> list[dict]:
    """What each op of the plan sends to Amplitude."""
    out: list[dict] = []
    for op in plan.ops:
        if isinstance(op, Track):
            out.append({"event_type": _value(op.event), "event_properties": _prop_keys(op.properties)})
        elif isinstance(op, TrackOrder):
            out.append({"event_type": "Order Completed", "event_properties": _prop_keys(op.properties),
                        "revenue": True})
            out.append({"event_type": "Product Purchased", "event_properties": ["<per product>"], "revenue": True})
        elif isinstance(op, IdentifyOp):
            out.append({"event_type": "$identify", "user_properties": _set_keys(op.identify)})
        elif isinstance(op, GroupIdentify):
            out.append({"event_type": "$groupidentify", "group_type": _value(op.group_type),
                        "group": _value(op.group), "group_properties": _set_keys(op.identify)})
        elif isinstance(op, SetGroup):
            out.append({"event_type": "$identify", "group_type": _value(op.group_type), "group": _value(op.group)})
    return out


def tracking_param(call: SegmentCall, plan: Plan) -> Optional[str]:
    """The call's row of the tracking plan as a finding parameter (JSON), or None when the
    call sends no event (flush, reset, client setup)."""
    if call.method not in KINDS:
        return None
    row = before(call)
    row["amplitude"] = after(plan) if not plan.blocked else None
    return json.dumps(row, ensure_ascii=False, sort_keys=True)
