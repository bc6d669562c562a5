"""The comments inside a client's settings, kept with the init that replaces them.

A comment on a setting that init carries (`writeKey: KEY, // from Vercel`, a `@ts-ignore`) goes
above init as it is. A comment on a setting the conversion drops (a finding of the plan names
it: `debug: true, // dont generate logs`) would say nothing on its own there, so the setting's
line goes with it, commented out (`// debug: true, // dont generate logs`), next to the note
that says the setting is dropped; a comment on the line(s) just above such a setting is followed
by that line too.
"""
from __future__ import annotations

from typing import Optional

from ...core.plan import Issue
from .syntax import Node, walk

SETTINGS = ("pair", "shorthand_property_identifier")


def _trailing_owner(c: Node) -> Optional[Node]:
    prev = c.prev_named_sibling
    return prev if prev is not None and prev.type in SETTINGS and prev.end_point[0] == c.start_point[0] else None


def _leading_owner(c: Node) -> Optional[Node]:
    """The setting on the line right below a run of comment lines that c is in."""
    cur, row = c, c.end_point[0]
    nxt = cur.next_named_sibling
    while nxt is not None and nxt.type == "comment" and nxt.start_point[0] == row + 1:
        cur, row, nxt = nxt, nxt.end_point[0], nxt.next_named_sibling
    return nxt if nxt is not None and nxt.type in SETTINGS and nxt.start_point[0] == row + 1 else None


def _commented(text: str) -> list[str]:
    return ["// " + line.strip() for line in text.splitlines() if line.strip()]


def kept_comments(jf, node: Node, written: str, issues: list[Issue]) -> list[str]:
    """The comment lines to write above the init that replaces node (its text: written)."""
    # the settings a finding says are dropped: it names the setting and points into it
    gone = [(i.at.handle, i.param("setting") or i.param("option")) for i in issues
            if i.at is not None and i.at.handle is not None and (i.param("setting") or i.param("option"))]

    def dropped(setting: Optional[Node]) -> bool:
        if setting is None:
            return False
        key = setting.child_by_field_name("key") if setting.type == "pair" else setting
        name = jf.text(key).strip("'\"")
        return any(name == n and setting.start_byte <= h.start_byte < setting.end_byte for h, n in gone)

    out: list[str] = []
    for c in walk(node):
        if c.type != "comment" or c.parent is None or c.parent.type != "object":
            if c.type == "comment" and (text := jf.text(c)) not in written:
                out.append(text)
            continue
        text = jf.text(c)
        trailing, leading = _trailing_owner(c), _leading_owner(c)
        if dropped(trailing):
            out += _commented(jf.src.data[trailing.start_byte:c.end_byte].decode("utf-8"))
        elif dropped(leading):
            out.append(text)
            nxt = c.next_named_sibling
            if nxt is leading or nxt == leading:   # the last comment above it: the setting's own line
                after = leading.next_sibling
                comma = "," if after is not None and after.type == "," else ""
                owns_comment = any(_trailing_owner(x) == leading for x in leading.parent.named_children if x.type == "comment")
                if not owns_comment:
                    out += _commented(jf.text(leading) + comma)
        elif text not in written:
            out.append(text)
    return out
