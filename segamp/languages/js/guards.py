"""The tests that decide whether a client is made, when its key's env var is renamed.

`if (process.env.SEGMENT_KEY) { analytics = new Analytics({ writeKey: process.env.SEGMENT_KEY }) }`
and a guard clause before the client (`if (!process.env.SEGMENT_KEY) throw …`): init now reads Amplitude's
variable, so a test left on Segment's would decide by a variable the app no longer needs. Once
Segment's is gone from the environment the client is never made (or the app stops at start-up),
and nothing says so. The test reads the renamed variable too. (A ternary holding the client is
conditional.py's.) TypeScript narrowed the key inside the test; init may sit in a function of its
own now, past the narrowing, so a key that is only the env read is asserted there (`key!`).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from ...core.plan import Code, Init, Renamed
from .syntax import Node

if TYPE_CHECKING:
    from .printer import Printer

_ENV_READ = r"\b(?:process\.env|import\.meta\.env)\.{name}\b"
_FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition",
                        "generator_function_declaration", "function"})


def rename_guards(printer: "Printer", call: Node, init: Init) -> Init:
    """Rename the key's env vars in the tests deciding whether call runs; init, its key asserted
    where a test was renamed and the key is the env read alone (TypeScript)."""
    key = init.key
    if not isinstance(key, Renamed):
        return init
    jf = printer.jf
    renames = {old: new for _, old, new in key.swaps if re.search(_ENV_READ.format(name=re.escape(old)), key.expr.text)}
    renamed = False
    for cond in _deciding_tests(call):
        data = jf.src.data[cond.start_byte:cond.end_byte]
        for old, new in renames.items():
            for m in re.finditer(_ENV_READ.format(name=re.escape(old)).encode(), data):
                start = cond.start_byte + m.end() - len(old.encode())
                printer.edit(start, start + len(old.encode()), new)
                renamed = True
    bare = key.expr.text.rstrip("!").strip()
    if renamed and jf.typescript and any(re.fullmatch(_ENV_READ.format(name=re.escape(old)), bare) for old in renames):
        return replace(init, key=Code(printer.value(key).rstrip("!").strip() + "!"))
    return init


def _deciding_tests(call: Node) -> Iterator[Node]:
    """The conditions of the `if`s that hold call, and of the `if`s before it in each enclosing
    block (guard clauses), up to the function it is in."""
    cur = call
    while cur.parent is not None and cur.type not in _FUNCTIONS:
        parent = cur.parent
        if parent.type == "if_statement" and cur != parent.child_by_field_name("condition"):
            yield parent.child_by_field_name("condition")
        elif parent.type in ("statement_block", "program"):
            for sibling in parent.named_children:
                if sibling.start_byte >= cur.start_byte:
                    break
                if sibling.type == "if_statement":
                    yield sibling.child_by_field_name("condition")
        cur = parent
