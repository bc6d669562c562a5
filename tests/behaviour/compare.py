"""Compare what the Segment SDK sent with what the Amplitude SDK sent.

``expected_amplitude_from_segment(messages)`` maps Segment messages (as
captured on the wire, see ``capture.segment_messages``) to the Amplitude HTTP V2
event bodies that Segment's *Amplitude (Actions)* destination would have
produced, written in exactly the shape ``amplitude-analytics`` 1.3 serialises
(``BaseEvent.get_event_body``):

==========  ================================================================
Segment     Amplitude event(s)
==========  ================================================================
track       ``{"event_type": event, "event_properties": properties}``
identify    ``{"event_type": "$identify", "user_properties": {"$set": traits}}``
            (what ``client.identify(Identify().set(k, v)..., opts)`` sends).
            Empty traits -> no event: the SDK refuses an empty ``Identify``.
group       1. ``{"event_type": "$identify", "groups": {GT: groupId},
            "user_properties": {"$set": {GT: groupId}}}`` - what
            ``client.set_group(GT, groupId, opts)`` sends;
            2. ``{"event_type": "$groupidentify", "groups": {GT: groupId},
            "group_properties": {"$set": traits}}`` - what
            ``client.group_identify(GT, groupId, Identify().set(...), opts)``
            sends (omitted when traits are empty, the SDK refuses it).
            ``GT`` is ``group_type`` (default ``"[Segment] Group"``).
page        ``{"event_type": page_template.format(name=..., category=...),
screen      "event_properties": properties + {"name", "category"}}``
            (name/category, when set, win over properties of the same name).
alias       nothing
==========  ================================================================

Every event also gets ``user_id`` = ``userId`` and ``device_id`` =
``anonymousId`` (when present), ``time`` = ``timestamp`` in epoch
milliseconds and, except for the two group events (one messageId cannot
dedupe two events), ``insert_id`` = ``messageId``.

The SDK's own serialisation quirks are applied to the expectation too:
top-level ``None`` values are dropped from ``event_properties`` /
``user_properties`` / ``group_properties`` (not from inside ``$set``), strings
are truncated to 1024 characters, dicts with more than 1024 keys become ``{}``,
and a properties dict the SDK would reject (e.g. a list of lists) is omitted.

``assert_equivalent(segment_messages, amplitude_events, **opts)`` compares the
expectation with the captured Amplitude events on these fields only::

    event_type user_id device_id event_properties user_properties
    groups group_properties time insert_id

Everything else (``library``, ``platform``, ``session_id``, ``ip``, plan,
SDK ``options`` ...) is ignored; a missing dict field equals ``{}``.
Value types are compared strictly (``1`` is not ``1.0``, ``"7"`` is not ``7``).
``time`` and ``insert_id`` are compared only where the original call set them:
in ``"auto"`` mode ``time`` is compared when the Segment ``timestamp`` is more
than 60 s away from the batch's ``sentAt`` (i.e. it cannot have been stamped by
the SDK at call time), and ``insert_id`` when ``messageId`` is not a random
UUID4 (the SDK's default), or when the Amplitude event carries an ``insert_id``
that is one of the Segment messageIds (the call passed one: it must be kept,
as a string).  Pass ``True``/``False`` to force either; a program whose calls
all pass ``message_id=uuid4()`` passes ``compare_insert_id=True``.
"""

from __future__ import annotations

import calendar
import copy
import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = [
    "COMPARED_FIELDS",
    "DEFAULT_GROUP_TYPE",
    "expected_amplitude_from_segment",
    "assert_equivalent",
    "iso_to_millis",
]

DEFAULT_GROUP_TYPE = "[Segment] Group"
COMPARED_FIELDS = (
    "event_type",
    "user_id",
    "device_id",
    "event_properties",
    "user_properties",
    "groups",
    "group_properties",
    "time",
    "insert_id",
    "ip",
    "language",
)
_DICT_FIELDS = ("event_properties", "user_properties", "groups", "group_properties")
_PROPERTY_FIELDS = ("event_properties", "user_properties", "group_properties")
_MAX_STRING_LENGTH = 1024  # amplitude.constants.MAX_STRING_LENGTH
_MAX_PROPERTY_KEYS = 1024  # amplitude.constants.MAX_PROPERTY_KEYS
_DEFAULT_MIN_ID_LENGTH = 5  # Amplitude HTTP API default
_AUTO_TIME_THRESHOLD_S = 60.0
_UUID4_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
_UNSET = object()


# -- time helpers --------------------------------------------------------------
def _parse_iso(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python < 3.11 fromisoformat wants exactly 3 or 6 fractional digits.
    m = re.match(r"^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(.*)$", text)
    if m:
        frac = (m.group(2) or "")[:6]
        text = m.group(1) + ("." + frac.ljust(6, "0") if frac else "") + m.group(3)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


def iso_to_millis(value: str) -> int:
    """ISO-8601 timestamp -> integer epoch milliseconds (exact, truncating µs)."""
    dt = _parse_iso(value).astimezone(timezone.utc)
    return calendar.timegm(dt.utctimetuple()) * 1000 + dt.microsecond // 1000


# -- SDK serialisation quirks -------------------------------------------------------
def _valid_property(key: Any, value: Any) -> bool:
    """amplitude.event.is_validate_properties."""
    if not isinstance(key, str):
        return False
    if value is None:
        return True
    if isinstance(value, list):
        for element in value:
            if isinstance(element, list):
                return False
            if isinstance(element, dict):
                if not _valid_object(element):
                    return False
            elif not isinstance(element, (float, int, str)):
                return False
        return True
    if isinstance(value, dict):
        return _valid_object(value)
    return isinstance(value, (bool, float, int, str))


def _valid_object(obj: Dict[str, Any]) -> bool:
    return all(_valid_property(k, v) for k, v in obj.items())


def _truncate(obj: Any) -> Any:
    """amplitude.utils.truncate."""
    if isinstance(obj, dict):
        if len(obj) > _MAX_PROPERTY_KEYS:
            return {}
        return {k: _truncate(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_truncate(v) for v in obj]
    if isinstance(obj, str):
        return obj[:_MAX_STRING_LENGTH]
    return obj


def _as_sdk_body(event: Dict[str, Any]) -> Dict[str, Any]:
    """Apply what BaseEvent.__setitem__ + get_event_body do to an event dict."""
    body: Dict[str, Any] = {}
    for key, value in event.items():
        if value is None:
            continue
        if key in _DICT_FIELDS:
            if not isinstance(value, dict) or not _valid_object(value):
                continue  # the SDK logs an error and leaves the field unset
            value = copy.deepcopy(value)
            if key in _PROPERTY_FIELDS:
                value = {k: v for k, v in value.items() if v is not None}
        body[key] = value
    return _truncate(body)


# -- mapping ---------------------------------------------------------------------
def _ids(msg: Dict[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if msg.get("userId") is not None:
        out["user_id"] = str(msg["userId"])
    if msg.get("anonymousId") is not None:
        out["device_id"] = str(msg["anonymousId"])
    return out


def _common(msg: Dict[str, Any], with_insert_id: bool = True) -> Dict[str, Any]:
    out = _ids(msg)
    if msg.get("timestamp"):
        out["time"] = iso_to_millis(msg["timestamp"])
    if with_insert_id and msg.get("messageId"):
        out["insert_id"] = str(msg["messageId"])
    context = msg.get("context") or {}
    for key, field in (("ip", "ip"), ("locale", "language")):  # the destination's context.ip / context.locale
        if context.get(key) is not None:
            out[field] = context[key]
    return out


def _render(template: str, msg: Dict[str, Any]) -> str:
    # a missing or null name renders as "": `Viewed {name}` becomes "Viewed " (the destination did no trim)
    return template.format(name=msg.get("name") or "", category=msg.get("category") or "")


def _expand(
    messages: Iterable[Dict[str, Any]],
    group_type: str,
    page_template: str,
    screen_template: str,
) -> List[Tuple[Dict[str, Any], int, Dict[str, Any]]]:
    """[(expected_event, index_of_segment_message, segment_message), ...]."""
    out: List[Tuple[Dict[str, Any], int, Dict[str, Any]]] = []
    for index, msg in enumerate(messages):
        kind = msg.get("type")
        events: List[Dict[str, Any]] = []
        if kind == "track":
            ev = {"event_type": msg.get("event"), "event_properties": msg.get("properties") or {}}
            ev.update(_common(msg))
            events.append(ev)
        elif kind == "identify":
            traits = msg.get("traits") or {}
            if traits:
                ev = {"event_type": "$identify", "user_properties": {"$set": dict(traits)}}
                ev.update(_common(msg))
                events.append(ev)
        elif kind == "group":
            group_id = msg.get("groupId")
            group_id = group_id if isinstance(group_id, str) else str(group_id)
            ev = {
                "event_type": "$identify",
                "groups": {group_type: group_id},
                "user_properties": {"$set": {group_type: group_id}},
            }
            ev.update(_common(msg, with_insert_id=False))
            events.append(ev)
            traits = msg.get("traits") or {}
            if traits:
                ev = {
                    "event_type": "$groupidentify",
                    "groups": {group_type: group_id},
                    "group_properties": {"$set": dict(traits)},
                }
                ev.update(_common(msg, with_insert_id=False))
                events.append(ev)
        elif kind in ("page", "screen"):
            template = page_template if kind == "page" else screen_template
            props = dict(msg.get("properties") or {})
            for key in ("name", "category"):  # analytics.js semantics: the arguments win
                if msg.get(key) is not None:
                    props[key] = msg[key]
            ev = {"event_type": _render(template, msg), "event_properties": props}
            ev.update(_common(msg))
            events.append(ev)
        elif kind == "alias":
            pass
        else:
            raise ValueError("unknown Segment message type %r in message #%d: %r" % (kind, index, msg))
        for ev in events:
            out.append((_as_sdk_body(ev), index, msg))
    return out


def expected_amplitude_from_segment(
    messages: Iterable[Dict[str, Any]],
    group_type: str = DEFAULT_GROUP_TYPE,
    page_template: str = "Viewed {name}",
    screen_template: str = "Viewed {name}",
) -> List[Dict[str, Any]]:
    """Amplitude event bodies Segment's Amplitude (Actions) destination would produce."""
    return [ev for ev, _, _ in _expand(messages, group_type, page_template, screen_template)]


# -- comparison ------------------------------------------------------------------
def _explicit_time(msg: Dict[str, Any]) -> bool:
    ts = msg.get("timestamp")
    if not ts:
        return False
    ref = msg.get("sentAt") or msg.get("receivedAt")
    if not ref:
        return True
    try:
        delta = abs(iso_to_millis(ts) - iso_to_millis(ref)) / 1000.0
    except ValueError:
        return True
    return delta > _AUTO_TIME_THRESHOLD_S


def _explicit_message_id(msg: Dict[str, Any]) -> bool:
    mid = msg.get("messageId")
    return bool(mid) and not _UUID4_RE.match(str(mid))


def _decide(mode: Any, auto: bool) -> bool:
    if mode == "auto":
        return auto
    return bool(mode)


def _project(event: Dict[str, Any], keep_time: bool, keep_insert: bool, ignore: Sequence[str]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key in COMPARED_FIELDS:
        if key in ignore or (key == "time" and not keep_time) or (key == "insert_id" and not keep_insert):
            continue
        value = event.get(key)
        if value is None or (key in _DICT_FIELDS and value == {}):
            continue
        out[key] = value
    return out


def _diff(expected: Any, actual: Any, path: str, tolerance: int) -> List[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines: List[str] = []
        for key in expected:
            sub = "%s.%s" % (path, key) if path else str(key)
            if key not in actual:
                lines.append("%s: missing in Amplitude (expected %s)" % (sub, _j(expected[key])))
            else:
                lines.extend(_diff(expected[key], actual[key], sub, tolerance))
        for key in actual:
            if key not in expected:
                sub = "%s.%s" % (path, key) if path else str(key)
                lines.append("%s: unexpected in Amplitude (got %s)" % (sub, _j(actual[key])))
        return lines
    if path == "time" and isinstance(expected, int) and isinstance(actual, int):
        if abs(expected - actual) <= tolerance:
            return []
        return ["time: expected %d, got %d (off by %+d ms)" % (expected, actual, actual - expected)]
    # value types are compared strictly (1 is not 1.0, "1" is not 1): a Decimal Segment sent as
    # 12.5 must not arrive as "12.5", an int id must arrive as the string Segment made of it
    if type(expected) is not type(actual):
        return ["%s: expected %s (%s), got %s (%s)" % (
            path or "<event>", _j(expected), type(expected).__name__, _j(actual), type(actual).__name__)]
    if expected != actual:
        return ["%s: expected %s, got %s" % (path or "<event>", _j(expected), _j(actual))]
    return []


def _j(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


class _Expectation:
    def __init__(self, event: Dict[str, Any], index: int, msg: Dict[str, Any], keep_time: bool, keep_insert: bool):
        self.event = event
        self.index = index
        self.msg = msg
        self.keep_time = keep_time
        self.keep_insert = keep_insert

    def label(self) -> str:
        what = self.msg.get("event") or self.msg.get("name") or self.msg.get("groupId") or ""
        return "Segment %s #%d%s" % (self.msg.get("type"), self.index, (" %r" % what) if what else "")


def _min_id_lengths(options: Any) -> List[int]:
    if isinstance(options, (list, tuple)):
        items = list(options)
    else:
        items = [options]
    out = []
    for opt in items:
        value = opt.get("min_id_length") if isinstance(opt, dict) else None
        out.append(int(value) if value else _DEFAULT_MIN_ID_LENGTH)
    return out


def assert_equivalent(
    segment_messages: Sequence[Dict[str, Any]],
    amplitude_events: Sequence[Dict[str, Any]],
    *,
    group_type: str = DEFAULT_GROUP_TYPE,
    page_template: str = "Viewed {name}",
    screen_template: str = "Viewed {name}",
    ordered: bool = False,
    compare_time: Any = "auto",
    compare_insert_id: Any = "auto",
    time_tolerance_ms: int = 1,
    ignore: Sequence[str] = (),
    amplitude_options: Any = _UNSET,
) -> None:
    """Assert the Amplitude events are what Segment's Amplitude destination would produce.

    Args:
        segment_messages: from ``capture.segment_messages``.
        amplitude_events: from ``capture.amplitude_events``.
        group_type, page_template, screen_template: see
            ``expected_amplitude_from_segment``.
        ordered: also require the same order (default: multiset comparison;
            the Amplitude SDK may upload concurrent batches out of order).
        compare_time / compare_insert_id: ``"auto"`` (see module doc), True, False.
        time_tolerance_ms: allowed |Δtime| (default 1 ms, for float rounding of
            ``int(dt.timestamp() * 1000)`` in rewritten code).
        ignore: extra field names (from ``COMPARED_FIELDS``) not to compare.
        amplitude_options: pass ``capture.amplitude_options(server)`` (a list,
            or one dict / None) to also check that every user_id/device_id is at
            least the ``min_id_length`` the uploads declared (Amplitude's
            default is 5; shorter ids are rejected by the real API).

    Raises:
        AssertionError with a field-level diff.
    """
    expanded = _expand(segment_messages, group_type, page_template, screen_template)
    carried = {ev.get("insert_id") for ev in amplitude_events if ev.get("insert_id")}
    expectations = [
        _Expectation(
            ev, i, msg,
            keep_time="time" not in ignore and "time" in ev and _decide(compare_time, _explicit_time(msg)),
            keep_insert="insert_id" not in ignore and "insert_id" in ev and _decide(
                compare_insert_id, _explicit_message_id(msg) or str(msg.get("messageId")) in carried),
        )
        for ev, i, msg in expanded
    ]
    actual = list(amplitude_events)
    problems: List[str] = []

    def exp_view(x: _Expectation) -> Dict[str, Any]:
        return _project(x.event, x.keep_time, x.keep_insert, ignore)

    def act_view(x: _Expectation, ev: Dict[str, Any]) -> Dict[str, Any]:
        return _project(ev, x.keep_time, x.keep_insert, ignore)

    def diff(x: _Expectation, ev: Dict[str, Any]) -> List[str]:
        return _diff(exp_view(x), act_view(x, ev), "", time_tolerance_ms)

    if ordered:
        for pos in range(max(len(expectations), len(actual))):
            if pos >= len(actual):
                x = expectations[pos]
                problems.append("expected event #%d (from %s) is missing:\n    %s" % (pos, x.label(), _j(exp_view(x))))
            elif pos >= len(expectations):
                problems.append("unexpected Amplitude event #%d:\n    %s" % (
                    pos, _j(_project(actual[pos], True, True, ignore))))
            else:
                x = expectations[pos]
                lines = diff(x, actual[pos])
                if lines:
                    problems.append(
                        "event #%d (from %s) differs:\n    expected %s\n    actual   %s\n  - %s" % (
                            pos, x.label(), _j(exp_view(x)), _j(act_view(x, actual[pos])), "\n  - ".join(lines)))
    else:
        unmatched = list(range(len(actual)))
        missing: List[_Expectation] = []
        for x in expectations:
            hit = next((k for k in unmatched if not diff(x, actual[k])), None)
            if hit is None:
                missing.append(x)
            else:
                unmatched.remove(hit)
        for x in missing:
            # Show the closest leftover Amplitude event to make the diff useful.
            best: Optional[int] = None
            best_lines: List[str] = []
            for k in unmatched:
                lines = diff(x, actual[k])
                same_type = actual[k].get("event_type") == x.event.get("event_type")
                if best is None or (same_type, -len(lines)) > (
                        actual[best].get("event_type") == x.event.get("event_type"), -len(best_lines)):
                    best, best_lines = k, lines
            if best is not None and actual[best].get("event_type") == x.event.get("event_type"):
                unmatched.remove(best)
                problems.append(
                    "expected event (from %s) has no exact match; closest Amplitude event #%d:\n"
                    "    expected %s\n    actual   %s\n  - %s" % (
                        x.label(), best, _j(exp_view(x)), _j(act_view(x, actual[best])), "\n  - ".join(best_lines)))
            else:
                problems.append("expected event (from %s) is missing:\n    %s" % (x.label(), _j(exp_view(x))))
        for k in unmatched:
            problems.append("unexpected Amplitude event #%d:\n    %s" % (k, _j(_project(actual[k], True, True, ignore))))

    if amplitude_options is not _UNSET:
        mins = _min_id_lengths(amplitude_options)
        if mins:
            need = max(mins)
            for k, ev in enumerate(actual):
                for key in ("user_id", "device_id"):
                    value = ev.get(key)
                    if value is not None and len(str(value)) < need:
                        problems.append(
                            "Amplitude event #%d: %s %r is %d chars, below min_id_length %d - the real API "
                            "rejects it (set Config(min_id_length=...))" % (k, key, value, len(str(value)), need))

    if problems:
        header = "Amplitude events are not equivalent to the Segment messages (%d expected, %d captured):" % (
            len(expectations), len(actual))
        raise AssertionError(header + "\n" + "\n".join("* " + p for p in problems))
