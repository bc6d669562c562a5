"""What a front end hands the mapping: a Segment call with its arguments by role.

A front end (one per source language and SDK family) binds receivers, resolves the SDK's own
overloads and describes each argument as an `Expr`: its source text plus what is known about
it. It makes no mapping decision: it does not know what Amplitude calls things.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

# Expr.kind values
STRING = "string"        # a string literal (value = the str)
NUMBER = "number"        # a numeric literal (value = int/float)
BOOL = "bool"            # value = True/False
NULL = "null"            # null / None
UNDEFINED = "undefined"  # JS undefined
OBJECT = "object"        # object / dict literal (entries filled when every key is static)
ARRAY = "array"          # array / list / tuple literal
FUNCTION = "function"    # a function value (arrow, lambda, a name that reads as a callback)
TEMPLATE = "template"    # a template / f-string: a string known only at run time
DATE = "date"            # a freshly built date: new Date(...) / datetime(...) / datetime.now()
NAME = "name"            # an identifier or a dotted attribute chain of one
CALL = "call"            # any other call
OTHER = "other"


@dataclass(frozen=True)
class Entry:
    """One entry of an object literal. key is None for a spread (`...x`, `**x`)."""

    key: Optional[str]
    value: "Expr"
    key_text: str = ""     # the key as written ('a', "b", a) — printers may keep it
    shorthand: bool = False
    handle: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Expr:
    text: str
    kind: str = OTHER
    value: Any = None                               # literal value for STRING/NUMBER/BOOL
    entries: Optional[tuple[Entry, ...]] = None     # OBJECT: every entry, in order; None if not static
    static_type: Optional[str] = None               # "string" when the front end knows it is one
    env_refs: tuple[tuple[str, int], ...] = ()      # env var names read in the text, with their offset in text
    params: Optional[int] = None                    # FUNCTION: how many parameters it declares (None: unknown)
    simple: bool = False                            # safe to evaluate twice (literal, name, attribute chain)
    handle: Any = field(default=None, compare=False, repr=False)  # the front end's node, for positions
    # NAME: the initializer of the constant it names, when the front end knows the name is read
    # nowhere else (`const writeKey = process.env.X` then `load({ writeKey })`)
    definition: Optional["Expr"] = field(default=None, compare=False, repr=False)

    @property
    def nullish(self) -> bool:
        return self.kind in (NULL, UNDEFINED)

    @property
    def literal(self) -> bool:
        return self.kind in (STRING, NUMBER, BOOL, NULL, UNDEFINED)

    def entry(self, key: str) -> Optional[Entry]:
        for e in self.entries or ():
            if e.key == key:
                return e
        return None


def absent(expr: Optional[Expr]) -> bool:
    """Not passed, or passed as null/undefined/None: the SDK treated both alike."""
    return expr is None or expr.nullish


# SegmentCall.use values: how the code around the call reads what it returns
STATEMENT = "statement"   # the value is not read
AWAITED = "await"
CHAINED = "chain"         # .then(...) / .catch(...) on the result
VALUE = "value"           # assigned, returned, passed on
ARROW = "arrow"           # the body of an arrow function: returned to whoever calls it

# Argument roles (SegmentCall.args keys)
ROLES = ("user_id", "anonymous_id", "event", "properties", "traits", "name", "category", "group_id",
         "previous_id", "write_key", "reset_anonymous_id", "unknown")
# Option roles (SegmentCall.options keys); "*" = an options expression that is not a literal,
# "..." = a spread inside the options literal, "other:<key>" = a key Segment's type does not have
OPTION_ROLES = ("anonymous_id", "user_id", "timestamp", "message_id", "context", "integrations", "traits")


@dataclass
class SegmentCall:
    """One call on a Segment client, as the SDK itself would read its arguments.

    Where things go: identify's subject id is args["user_id"]; every other per-event id and
    field (a Python track's user_id, anonymous_id, timestamp, message_id, context,
    integrations; a JS Options literal's keys) goes in `options`, keyed by option role, in
    the order written. setAnonymousId(id) -> args["anonymous_id"]. Client construction
    (load / Client / module `write_key = …`): args["write_key"], settings by their Segment
    name, load() options (initialPageview…) in options. A module setting (`analytics.host =
    x`) is method "setting" with settings={name: expr}.
    """

    method: str                                    # as written: track, identify, page, load, write_key...
    sdk: str                                       # source SDK family: "browser", "python", "node", ...
    args: dict[str, Expr] = field(default_factory=dict)
    options: dict[str, Expr] = field(default_factory=dict)
    settings: dict[str, Expr] = field(default_factory=dict)   # client construction: load()/Client() settings
    callback: Optional[Expr] = None
    use: str = STATEMENT
    # the front end could not resolve the overload: (role it could be, the argument)
    ambiguous: Optional[Expr] = None
    # a shape the front end saw but cannot map: e.g. "star-args", "event-object", "extra-args"
    shape: Optional[str] = None
    shape_at: Optional[Expr] = None
    handle: Any = field(default=None, compare=False, repr=False)
