"""A client created conditionally: `export const analytics = key ? AnalyticsBrowser.load({ writeKey:
key }) : undefined` (a Next.js app without a key in preview deployments), `typeof window ===
'undefined' ? null : load(…)`, `process.env.KEY ? new Analytics({ … }) : null`.

The variable holds a client or nothing, so its uses already guard it (`?.`, `if`). The branch
becomes the Amplitude instance and `analytics?.init(…)` follows the declaration: init, and the
reading of its arguments, run exactly when the client was made. Where the condition is the key
itself, it tests the key init now gets (a renamed env var: the client is made when Amplitude's key
is set, not Segment's), and TypeScript is told the key is there (`key!`: the ternary's narrowing
does not reach a statement after it). Where the condition reads what the key reads, the narrowing
may matter and cannot be followed: the branch creates and initialises the client in one
expression, in place.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from ...core.calls import SegmentCall
from ...core.plan import Code, Init, Lit
from .syntax import Node, maybe_absent, unwrap

if TYPE_CHECKING:
    from .printer import Printer

HOLDING_WRAPPERS = ("parenthesized_expression", "non_null_expression", "as_expression")


def holder_of(call: Node) -> tuple[Optional[Node], Optional[Node]]:
    """What holds a created client's value, past wrappers and a ternary whose other branch is
    null or undefined; and that ternary (None: the client is always made)."""
    ternary = None
    cur, decl = call, call.parent
    while decl is not None and (decl.type in HOLDING_WRAPPERS or (ternary is None and maybe_absent(decl) == cur)):
        if decl.type in ("ternary_expression", "binary_expression"):   # key ? load() : undefined, key && load()
            ternary = decl
        cur, decl = decl, decl.parent
    return decl, ternary


def _bare(text: str) -> str:
    return text[:-1].rstrip() if text.endswith("!") else text


def init_when_made(printer: "Printer", ternary: Node, seg: SegmentCall, init: Init) -> Optional[Init]:
    """The init to run as `client?.init(…)` after the declaration, the condition rewritten where
    it is the key; None where only the in-place form keeps the key's narrowing."""
    from .printer import IDENT

    jf = printer.jf
    if ternary.type == "binary_expression":   # key && load(…)
        cond, made_when_true = unwrap(ternary.child_by_field_name("left")), True
    else:
        cond = unwrap(ternary.child_by_field_name("condition"))
        made_when_true = maybe_absent(ternary) == ternary.child_by_field_name("consequence")
    key = seg.args.get("write_key")
    if key is None or cond is None:
        return init
    new_key = printer.value(init.key)
    if made_when_true and not isinstance(init.key, Lit) and _bare(jf.text(cond)) == _bare(key.text):
        if _bare(new_key) != jf.text(cond):
            printer.edit(cond.start_byte, cond.end_byte, _bare(new_key))
        return replace(init, key=Code(_bare(new_key) + "!")) if jf.typescript else init
    if not jf.typescript or new_key.endswith("!") or isinstance(init.key, Lit) or \
            not set(IDENT.findall(key.text)) & set(IDENT.findall(jf.text(cond))):
        return init
    return None
