"""What the mapping hands a printer: Amplitude operations whose values say what to compute,
not how a language spells it. A printer (one per target dialect) turns a Plan into code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from .calls import Entry, Expr


# --- values ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Src:
    """The argument's own source text, unchanged."""
    expr: Expr


@dataclass(frozen=True)
class Lit:
    """A literal the printer spells in its language: str, int, float, bool or None."""
    value: Any


@dataclass(frozen=True)
class Code:
    """Target-language code taken from the target profile (e.g. location.pathname)."""
    text: str


@dataclass(frozen=True)
class StrId:
    """An id Segment stringified: String(x) / str(x) at run time, null/None staying absent."""
    expr: Expr


@dataclass(frozen=True)
class EpochMs:
    """A Segment timestamp (Date, ISO string, datetime) as epoch milliseconds.
    naive: how a timestamp without a time zone reads: "" = the target's own default,
    "segment-guess" = as segment-analytics-python guessed (UTC, unless within 5 s of now:
    then local time)."""
    expr: Expr
    naive: str = ""


@dataclass(frozen=True)
class Sendable:
    """A property or trait value as Segment's Python clean() sent it: Decimal as float,
    datetime/date as ISO text, tuples and sets as lists, Enum members as their value; a dict
    entry it could not send (a UUID, any other object) left out. Emitted only for targets whose
    profile sets sendable_values (Amplitude's Python SDK rejects such values)."""
    value: "Value"


@dataclass(frozen=True)
class ContextField:
    """A field of a Segment context dict built at run time (`context = {}; context["ip"] = …`),
    read when the event is sent: None when the context is None or lacks the key."""
    expr: Expr
    key: str


@dataclass(frozen=True)
class Negated:
    """not x (send=X becomes opt_out=not X)."""
    expr: Expr


@dataclass(frozen=True)
class SecondsToMs:
    """A duration in seconds as integer milliseconds."""
    expr: Expr


@dataclass(frozen=True)
class Renamed:
    """The expression with env var names swapped: (offset in expr.text, old, new)."""
    expr: Expr
    swaps: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class RenamedAt:
    """A name kept as written, its env vars renamed where the constant it names is defined."""
    ref: Expr
    renamed: Renamed


@dataclass(frozen=True)
class EnvVar:
    """Read this environment variable (config api_key_env)."""
    name: str


@dataclass(frozen=True)
class EventName:
    """An event name built at run time: literal strings and expressions (null renders as "")."""
    parts: tuple[Union[str, Expr], ...]


@dataclass(frozen=True)
class Props:
    """A properties object built from parts, in order:
    ("key", name, Value) one property; ("entry", Entry) an entry of the original literal, as
    written; ("spread", Expr, nullable) every entry of a run-time object."""
    parts: tuple[tuple, ...]


@dataclass(frozen=True)
class IdentifySets:
    """new Identify().set(k, v)... for traits known now. sets: (key, Entry or None, Value).
    unsets: keys whose trait is null: Identify.unset(k) (Segment's $set {k: null} cleared it)."""
    sets: tuple[tuple[str, Optional[Entry], "Value"], ...]
    unsets: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdentifyCopy:
    """Traits known only at run time: copy every entry into an Identify (never dropped).
    sendable: each value as Segment's clean() sent it (see Sendable).
    unset_nulls: a null value unsets the property instead of being dropped."""
    expr: Expr
    nullable: bool
    sendable: bool = False
    unset_nulls: bool = False


Value = Union[Src, Lit, Code, StrId, EpochMs, Sendable, ContextField, Negated, SecondsToMs, Renamed, EnvVar, EventName, Props]
IdentifyValue = Union[IdentifySets, IdentifyCopy]
Options = tuple[tuple[str, Value], ...]   # Amplitude EventOptions fields in order: user_id, device_id, time...


# --- operations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Init:
    """Create (or init) the Amplitude client. options: neutral config field -> value."""
    key: Value
    options: tuple[tuple[str, Value], ...] = ()
    # the profile's stored_identity.wrap: init waits for an asynchronous read of the ids Segment
    # stored ("{init}" is the init call); "" = init at once
    wrap: str = ""


@dataclass(frozen=True)
class SetConfig:
    """Set one config field on an existing client (a Segment module setting). field: neutral name."""
    field: str
    value: "Value"


@dataclass(frozen=True)
class Track:
    event: Value
    properties: Optional[Value] = None
    options: Options = ()


@dataclass(frozen=True)
class TrackOrder:
    """track('Order Completed', ...) as Segment's Amplitude (Actions) destination sent it (its
    logPurchase preset): the order with its revenue fields, then one 'Product Purchased' per
    product. Spelled as a call of the target profile's helper `helper` (see Plan.helpers)."""
    helper: str
    properties: Optional["Value"] = None
    options: Options = ()


@dataclass(frozen=True)
class IdentifyOp:
    identify: IdentifyValue
    options: Options = ()


@dataclass(frozen=True)
class SetUserId:
    user_id: Value


@dataclass(frozen=True)
class SetDeviceId:
    device_id: Value


@dataclass(frozen=True)
class SetGroup:
    group_type: Value
    group: Value
    options: Options = ()


@dataclass(frozen=True)
class GroupIdentify:
    group_type: Value
    group: Value
    identify: IdentifyValue
    options: Options = ()


@dataclass(frozen=True)
class Reset:
    pass


@dataclass(frozen=True)
class Flush:
    """helper: a target profile helper that flushes (see Plan.helpers), "" = the client's own flush()."""
    helper: str = ""


@dataclass(frozen=True)
class Shutdown:
    pass


@dataclass(frozen=True)
class CommentOut:
    """Replace the statement by a comment that keeps the original text (alias)."""
    message: str


Op = Union[Init, SetConfig, Track, TrackOrder, IdentifyOp, SetUserId, SetDeviceId, SetGroup, GroupIdentify, Reset, Flush, Shutdown, CommentOut]


# --- findings the mapping raises ------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    """A finding by catalog id; the catalog gives kind and wording. at: where (None = the call).
    note: write a TODO(segamp) line above the statement."""
    rule: str
    at: Optional[Expr] = None
    params: tuple[tuple[str, str], ...] = ()
    note: bool = False

    def param(self, name: str) -> str:
        return dict(self.params).get(name, "")


REWRITE = "rewrite"   # replace the call by ops
LEAVE = "leave"       # nothing changes; the issues say why and what to do


@dataclass
class Plan:
    action: str
    ops: list[Op] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    callback: Optional[Expr] = None   # call it after the last op resolves
    # profile code that adapts what the last op resolves with to what the callback expects
    # ({callback}: the callback), "" = the callback takes it as it is
    callback_wrap: str = ""
    use: str = "statement"            # copied from the SegmentCall: how the value is read
    returns: str = "void"             # what the last op returns in the target: "promise" | "void"
    # target-profile helper functions ([helpers.<name>]) the ops' Code values call: written once
    # into the file that holds them
    helpers: tuple[str, ...] = ()
    # someone waits for the call (awaited, chained, kept, or a callback): send it now rather
    # than at the next scheduled flush, as Segment resolved on delivery
    deliver: bool = False

    @property
    def blocked(self) -> bool:
        return self.action == LEAVE
