"""The mapping: SegmentCall + target profile + config -> Plan. Every data-continuity decision
lives here, once, for every language: event names, ids, values, options, keys, identity,
group type, and what is a finding. Front ends only describe calls; printers only spell plans.

The defaults follow what Segment's Amplitude destinations produced
(../shared/reference/segment-destination.md): page and screen become `Viewed {name}` with the
properties analytics.js sent (a missing or null name renders as "", so `Viewed `), identify
sets traits with $set, group needs a group type Segment never had, alias sent nothing.
"""
from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Optional

from .. import tables
from ..config import Config
from . import calls as C
from .calls import Expr, SegmentCall, absent
from .plan import (
    LEAVE, REWRITE, Code, CommentOut, RenamedAt, EnvVar, EpochMs, EventName, Flush, GroupIdentify, IdentifyCopy, IdentifyOp,
    IdentifySets, IdentifyValue, Init, Issue, Lit, Negated, SecondsToMs, Options, Plan, Props, Renamed, Reset, Sendable,
    SetDeviceId, SetGroup,
    SetConfig, SetUserId, Shutdown, Src, StrId, Track, TrackOrder, Value, ContextField,
)
from .tracking import tracking_param
from .profiles import Profile

_SEGMENT_KEY = re.compile(r"SEGMENT_(?:WRITE_?KEY|API_KEY|KEY)", re.IGNORECASE)
_SEGMENT_HOST = re.compile(r"SEGMENT_(?:HOST|API_HOST|ENDPOINT)", re.IGNORECASE)
# Segment option key -> Amplitude EventOptions field
_OPTION_FIELDS = {"anonymous_id": "device_id", "user_id": "user_id", "message_id": "insert_id"}
# context keys with an Amplitude event option of their own
_CONTEXT_FIELDS = {"ip": "ip", "locale": "language"}


@functools.lru_cache(maxsize=None)
def source_table(sdk: str) -> dict:
    """rules/sources/<sdk>.toml: what a Segment SDK's methods and settings are."""
    try:
        return tables.load(f"sources/{sdk}")
    except FileNotFoundError:
        return {}


def _issue(rule: str, at: Optional[Expr] = None, note: bool = False, **params: str) -> Issue:
    return Issue(rule, at, tuple(sorted(params.items())), note)


def _leave(*issues: Issue) -> Plan:
    return Plan(LEAVE, issues=list(issues))


# --- names, ids and values --------------------------------------------------------------------
def rename_env_var(name: str) -> Optional[str]:
    """The Amplitude twin of a Segment write-key env var name, or None if it is not one."""
    if not _SEGMENT_KEY.search(name):
        return None
    return _SEGMENT_KEY.sub(lambda m: "AMPLITUDE_API_KEY" if m.group(0).isupper() else "amplitude_api_key", name)


def event_name(template: str, name: Optional[Expr], category: Optional[Expr]) -> Value:
    """A page/screen event name from a template. A missing or null name renders as "" (the
    destination's template rendered `Viewed {{name}}` with an empty name as `Viewed `)."""
    parts: list = []
    for piece in re.split(r"(\{name\}|\{category\})", template):
        if piece not in ("{name}", "{category}"):
            parts.append(piece)
            continue
        expr = name if piece == "{name}" else category
        if absent(expr):
            continue
        if expr.kind == C.STRING:
            parts.append(str(expr.value))
        else:
            parts.append(expr)
    merged: list = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    if all(isinstance(p, str) for p in merged):
        return Lit("".join(merged))
    return EventName(tuple(merged))


def page_template(method: str, config: Config) -> str:
    return config.screen_event if method == "screen" else config.page_event


def id_value(expr: Expr, profile: Profile) -> Value:
    """An id as Segment sent it: a string. Numbers are stringified, null stays absent."""
    if expr.kind == C.STRING or expr.static_type == "string" or profile.stringify_ids == "never":
        return Src(expr)
    if expr.kind == C.NUMBER:
        return Lit(str(expr.value))
    if expr.nullish:
        return Lit(None)
    if expr.kind == C.TEMPLATE or profile.stringify_ids == "literals":
        return Src(expr)
    return StrId(expr)


def time_value(expr: Expr, profile: Profile) -> Value:
    # segment-analytics-python read a naive datetime as UTC (local only when within 5 s of now)
    return EpochMs(expr, naive=profile.get("naive_timestamps", ""))


def statically_sendable(expr: Expr, nullish: tuple[str, ...] = (C.NULL, C.UNDEFINED)) -> bool:
    """A value every Amplitude SDK accepts as written: a literal, an f-string, or a dict literal
    of such values. Anything else may hold a Decimal, a datetime, a tuple... nullish: the null
    kinds accepted (JS Identify.set() is typed for neither: ValidPropertyType)."""
    if expr.kind in (C.STRING, C.NUMBER, C.BOOL, C.TEMPLATE) + nullish or expr.static_type in ("string", "number", "bool"):
        return True
    if expr.kind == C.OBJECT and expr.entries is not None:
        return all(e.key is not None and statically_sendable(e.value, nullish) for e in expr.entries)
    return False


def sendable(value: Value, expr: Optional[Expr], profile: Profile) -> Value:
    """A property / trait value converted as Segment's clean() did, where the target needs it."""
    if not profile.get("sendable_values", False) or (expr is not None and statically_sendable(expr)):
        return value
    return Sendable(value)


def group_type(config: Config) -> Value:
    return Lit(config.group_type)


# --- keys -------------------------------------------------------------------------------------
def api_key(expr: Expr, profile: Profile, config: Config) -> tuple[Value, list[Issue]]:
    """The Amplitude key for a Segment write-key expression."""
    if config.api_key_env:
        return EnvVar(config.api_key_env), []
    if expr.kind == C.STRING:
        return Lit(profile.placeholder), [_issue("write-key-literal", expr, note=True)]
    if expr.kind == C.NAME and expr.definition is not None:
        # a constant read only here: its definition gets the renames, the name stays
        value, issues = api_key(expr.definition, profile, config)
        if isinstance(value, Renamed):
            return RenamedAt(expr, value), issues
    swaps = []
    issues = []
    for name, offset in expr.env_refs:
        new = rename_env_var(name)
        if new:
            swaps.append((offset, name, new))
            issues.append(_issue("write-key-env-renamed", expr, old=name, new=new))
    if not swaps:
        issues.append(_issue("write-key-expression", expr, note=True, text=expr.text))
    # a key written into the expression (`process.env.KEY || 'AbC…'`, getenv("KEY", "AbC…")) is
    # Segment's, as a whole literal key is: it would send to a project that does not exist
    literals = fallback_keys(expr)
    swaps += [(offset, key, profile.placeholder) for offset, key in literals]
    if literals:
        issues.insert(0, _issue("write-key-literal", expr, note=True))
    if swaps:
        return Renamed(expr, tuple(swaps)), issues
    return Src(expr), issues


# what a Segment write key looks like (32 letters and digits); shorter words are not keys
_KEY_LITERAL = re.compile(r"""(['"`])([A-Za-z0-9]{20,64})\1""")


def fallback_keys(expr: Expr) -> list[tuple[int, str]]:
    """(offset, text) of the write keys written as string literals inside a key expression,
    never an environment variable's name."""
    out = []
    for m in _KEY_LITERAL.finditer(expr.text):
        if not any(m.start(2) <= offset < m.end(2) for _, offset in expr.env_refs):
            out.append((m.start(2), m.group(2)))
    return out


def _server_zone(expr: Expr, rule: dict) -> Optional[str]:
    """The Amplitude server zone of a Segment regional endpoint (rule zones: host -> zone)."""
    if expr.kind != C.STRING:
        return None
    host = str(expr.value).strip().rstrip("/").lower()
    for endpoint, zone in rule.get("zones", {}).items():
        if host in (endpoint, "https://" + endpoint, "http://" + endpoint):
            return zone
    return None


def host_value(expr: Expr) -> tuple[Optional[Value], list[Issue]]:
    """A Segment host setting -> Amplitude server_url, only when it is an env var we can rename."""
    swaps = []
    for name, offset in expr.env_refs:
        if _SEGMENT_HOST.search(name):
            new = _SEGMENT_HOST.sub(lambda m: "AMPLITUDE_SERVER_URL" if m.group(0).isupper() else "amplitude_server_url", name)
            swaps.append((offset, name, new))
    if swaps:
        return Renamed(expr, tuple(swaps)), [_issue("host", expr, note=True,
                                                    message=f"Segment host env var {swaps[0][1]} → {swaps[0][2]}",
                                                    help=f"set {swaps[0][2]} to an Amplitude server URL, or unset it")]
    return None, [_issue("host", expr, note=True, message=f"custom Segment host `{expr.text}` was dropped",
                         help="Amplitude's endpoint differs; set server_url / serverUrl (or server_zone='EU') if you need one")]


# --- the client -------------------------------------------------------------------------------
def init_options(profile: Profile, config: Config, mapped: list[tuple[str, Value]] = ()) -> tuple[tuple[str, Value], ...]:
    """Options every Amplitude client gets, then the mapped Segment settings. Neutral names;
    the printer spells them with profile.fields."""
    out: list[tuple[str, Value]] = [(k, Lit(v)) for k, v in profile.init_options.items()]
    if config.min_id_length > 0 and profile.field_name("min_id_length"):
        # Amplitude rejects ids shorter than 5 characters by default; Segment accepted them
        out.append(("min_id_length", Lit(config.min_id_length)))
    seen = {k for k, _ in out}
    out += [(k, v) for k, v in mapped if k not in seen]
    out += identity_options(profile, config, {k for k, _ in out})
    return tuple(out)


def identity_options(profile: Profile, config: Config, taken=frozenset()) -> list[tuple[str, Value]]:
    """keep_identity: Segment's destination sent device_id = anonymousId, so a returning visitor
    keeps the ids analytics.js stored (and a logged-in user stays identified) after the release.
    `read` reads one stored key at once; `values` name what an asynchronous read (`wrap`) found."""
    stored = profile.get("stored_identity", {})
    if not config.keep_identity:
        return []
    if stored.get("values"):
        return [(k, Code(v)) for k, v in stored["values"].items() if k not in taken]
    if not stored.get("read"):
        return []
    return [(k, Code(stored["read"].replace("{key}", key))) for k, key in stored.get("keys", {}).items()
            if k not in taken]


def _identity_source(call: SegmentCall, profile: Profile, config: Config) -> tuple[Profile, list[Issue]]:
    """A source SDK that kept its ids where the target cannot read them ([identity] stored =
    false in its source table, or a client setting that moved its storage elsewhere: a
    settings rule with `identity = "<where>"`): no seeding, and a finding that says so."""
    table = source_table(call.sdk)
    info = table.get("identity", {})
    rules = table.get("settings", {})
    moved = next((rules[n]["identity"] for n in call.settings if isinstance(rules.get(n), dict) and rules[n].get("identity")), None)
    if (info.get("stored", True) and moved is None) or not config.keep_identity or not profile.get("stored_identity"):
        return profile, []
    extra = {k: v for k, v in profile.extra.items() if k != "stored_identity"}
    where = moved or info.get("where", "")
    return replace(profile, extra=extra), [_issue("identity-not-carried", None, note=True, where=where)]


def init_helpers(profile: Profile, options) -> tuple[str, ...]:
    """The profile helpers the init options call (the identity reader, see identity_options)."""
    stored = profile.get("stored_identity", {})
    reads = {v for _, v in identity_options(profile, Config(keep_identity=True))}
    return tuple(stored.get("helpers", ())) if any(v in reads for _, v in options) else ()


def _map_setting(name: str, expr: Expr, table: dict) -> tuple[Optional[tuple[str, Value]], list[Issue]]:
    rule = table.get(name)
    if rule is None:
        return None, [_issue("client-setting-dropped", expr, note=True, setting=name,
                             help="see the Amplitude SDK's init options")]
    if isinstance(rule, str):  # browser: "write_key" / "ignore"
        return None, []
    how, field = rule.get("how"), rule.get("field", "")
    if "default" in rule and expr.literal and expr.value == rule["default"]:
        return None, []  # set to what it already was: nothing to carry over
    if how == "drop":
        return None, [_issue("option-dropped-harmless", expr, option=name)]
    if how == "manual":
        return None, [_issue("client-setting-dropped", expr, note=True, setting=name, help=rule.get("help", ""))]
    if how == "host":
        zone = _server_zone(expr, rule)
        if zone is not None:
            return ("server_zone", Lit(zone)), []
        value, issues = host_value(expr)
        return ((field, value) if value is not None else None), issues
    if how == "when_true":   # a switch whose `true` is one Amplitude value, `false` the default
        if expr.kind == C.BOOL:
            return ((field, Lit(rule["value"])) if expr.value else None), []
        return None, [_issue("client-setting-dropped", expr, note=True, setting=name,
                             help=f"set {field} to {rule['value']!r} where this is true")]
    if how == "not":
        if expr.kind == C.BOOL:
            return (field, Lit(not expr.value)), []
        return (field, Lit(None) if expr.nullish else Negated(expr)), []
    if how == "ms":
        if expr.kind == C.NUMBER:
            return (field, Lit(int(round(expr.value * 1000)))), []  # 0.57 * 1000 is 569.99...
        return (field, SecondsToMs(expr)), []
    return (field, Src(expr)), []


def map_client(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    """load({ writeKey, ... }, options) / Client(write_key, ...) / module `write_key = …`."""
    table = source_table(call.sdk)
    if call.shape == "settings-not-literal":
        return _leave(_issue("client-settings", call.shape_at, note=True,
                             reason="client settings are not an object literal; the write key could not be found",
                             init=f"init(AMPLITUDE_API_KEY, {{ autocapture: false }})"))
    if call.shape:
        return _shape_issue(call)
    key_expr = call.args.get("write_key")
    if key_expr is None:
        return _leave(_issue("client-settings", None, note=True, reason="the client settings have no write key",
                             init="init(AMPLITUDE_API_KEY, { autocapture: false })"))
    key, issues = api_key(key_expr, profile, config)
    mapped: list[tuple[str, Value]] = []
    for name, expr in call.settings.items():
        pair, more = _map_setting(name, expr, table.get("settings", {}))
        issues += more
        if pair is not None:
            mapped.append(pair)
    at_load: list = []   # operations right after init (what Segment sent when it loaded)
    page_helpers: tuple[str, ...] = ()
    for name, expr in call.options.items():
        if table.get("load_options", {}).get(name) == "initial_pageview":
            if expr.kind == C.BOOL:
                # true: analytics.js sent page() at load, so the client sends the same page event
                if expr.value:
                    page = map_page(SegmentCall("page", call.sdk), profile, config)
                    at_load += page.ops
                    page_helpers = page.helpers
                continue
            issues.append(_issue("initial-pageview", expr, note=True,
                                 event=repr(event_name(config.page_event, None, None).value)))
        elif isinstance(table.get("load_options", {}).get(name), dict):
            pair, more = _map_setting(name, expr, table["load_options"])
            issues += more
            mapped += [pair] if pair is not None else []
        else:
            issues.append(_issue("client-setting-dropped", expr, note=True, setting=name,
                                 help="see the Amplitude SDK's init options"))
    issues.append(_issue("client-converted", target=profile.package))
    profile, more = _identity_source(call, profile, config)
    issues += more
    # fields the target's constructor does not take are set on the configuration after it
    after = set(profile.get("after_init_fields", ()))
    options = init_options(profile, config, [m for m in mapped if m[0] not in after])
    helpers = tuple(dict.fromkeys(init_helpers(profile, options) + page_helpers))
    wrap = profile.get("stored_identity", {}).get("wrap", "") if init_helpers(profile, options) else ""
    ops: list = [Init(key, options, wrap)]
    ops += [SetConfig(name, value) for name, value in mapped if name in after]
    ops += at_load
    return Plan(REWRITE, ops, issues, use=call.use, returns=profile.returns, helpers=helpers)


# --- event options ----------------------------------------------------------------------------
def event_options(call: SegmentCall, profile: Profile, lead: Options = ()) -> tuple[Optional[Options], list[Issue]]:
    """Segment options -> Amplitude EventOptions, in the order written; None = leave the call."""
    opts = call.options
    if "*" in opts:
        return None, [_issue("options-not-literal", opts["*"], note=True, text=opts["*"].text)]
    if "..." in opts:
        return None, [_issue("options-spread", opts["..."], note=True)]
    integrations = opts.get("integrations")
    if integrations is not None and not _empty(integrations):
        return None, [_issue("integrations", integrations, note=True)]
    out: list[tuple[str, Value]] = list(lead)
    issues: list[Issue] = []
    for role, expr in opts.items():
        if absent(expr) or role == "integrations":
            continue
        if role in _OPTION_FIELDS:
            value = id_value(expr, profile) if role != "message_id" else _insert_id(expr, profile)
            out.append((_OPTION_FIELDS[role], value))
        elif role == "timestamp":
            out.append(("time", time_value(expr, profile)))
        elif role == "context":
            pairs, more = _context_options(expr, profile)
            out += pairs
            issues += more
        elif role == "traits":
            issues.append(_issue("option-dropped", expr, note=True, option="traits"))
        else:
            issues.append(_issue("option-dropped", expr, note=True, option=role.split(":", 1)[-1]))
    return tuple(out), issues


def _insert_id(expr: Expr, profile: Profile) -> Value:
    # a dedup key must stay a string (uuid4() objects are rejected and replaced)
    return id_value(expr, profile)


def _empty(expr: Expr) -> bool:
    return expr.nullish or (expr.kind == C.OBJECT and expr.entries is not None and not expr.entries)


def _context_options(ctx: Expr, profile: Profile) -> tuple[list[tuple[str, Value]], list[Issue]]:
    if _empty(ctx):
        return [], []
    if ctx.kind != C.OBJECT or ctx.entries is None:  # keys segamp cannot see: read at run time where the target can
        if not profile.get("runtime_context", False):
            return [], [_issue("context-runtime", ctx, note=True, context=_short(ctx.text))]
        return [(t, ContextField(ctx, k)) for k, t in _CONTEXT_FIELDS.items()], [_issue("context-runtime-read", ctx, note=True, context=_short(ctx.text))]
    pairs, dropped = [], []
    for entry in ctx.entries:
        target = _CONTEXT_FIELDS.get(entry.key or "")
        if target is None:
            dropped.append(entry.key or "...")
        elif not absent(entry.value):
            pairs.append((target, Src(entry.value)))
    issues = [_issue("context-dropped", ctx, note=True, fields=", ".join(dropped))] if dropped else []
    return pairs, issues


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _shape_issue(call: SegmentCall) -> Plan:
    shape, at = call.shape or "", call.shape_at
    if shape.startswith("star:"):
        return _leave(_issue("star-args", at, note=True, star=shape[5:]))
    if shape == "result-used":
        return _leave(_issue("result-used", at, note=True, method=call.method))
    if shape == "event-object":
        return _leave(_issue("track-event-object", at, note=True))
    return _leave(_issue("unknown-argument", at, note=True, reason=shape.split(":", 1)[-1]))


# --- the calls --------------------------------------------------------------------------------
def map_call(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    """One Segment call -> the Amplitude operations that send what it sent."""
    return _with_tracking(call, _map_call(call, profile, config))


def _map_call(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    method = call.method
    table = source_table(call.sdk)
    unsupported = table.get("unsupported", {})
    if method in ("load", "Client", "write_key"):
        return map_client(call, profile, config)
    if method == "setting":
        return map_setting(call, profile, config)
    if call.shape:
        return _shape_issue(call)
    returned = table.get("returns", {}).get(method)
    if returned == "client" and call.use in (C.CHAINED, C.VALUE):
        # the legacy Node SDK returned the client itself (`analytics.track(…).flush()`)
        return _leave(_issue("result-used", None, note=True, method=method))
    fn = _METHODS.get(method)
    if fn is not None and (method in table.get("methods", {}) or not table):
        plan = fn(call, profile, config)
    elif method in unsupported:
        info = unsupported[method]
        return _leave(_issue("unsupported-method", None, note=True, method=method,
                             message=info["message"], help=info.get("suggestion", "")))
    else:
        return _leave(_issue("unknown-method", None, note=True, method=method))
    # awaiting what Segment returned (nothing, or the client) waited for nothing: so does the
    # output, rather than for Amplitude's delivery of the event
    plan.use = C.STATEMENT if returned in ("void", "client") and call.use in (C.AWAITED, C.VALUE, C.ARROW) else call.use
    if plan.action == REWRITE and method not in ("alias", "on") and plan.ops:
        plan.issues.append(_issue("call-converted", method=method, target=_describe(plan)))
        plan.callback = call.callback
        plan.callback_wrap = _callback_wrap(call, plan, profile)
        # an error-first callback on Flush gets nothing, which reads as "no error": adapted too
        plan.issues += _result_issues(call, profile, adapted=bool(profile.get("error_first_callback")))
        plan.deliver = _waited_on(call, profile) and plan.returns == "promise"
    return plan


def _with_tracking(call: SegmentCall, plan: Plan) -> Plan:
    """The call's tracking-plan row rides on its first finding (`segamp events` reads it)."""
    row = tracking_param(call, plan)
    if row is not None and plan.issues:
        first = plan.issues[0]
        plan.issues[0] = Issue(first.rule, first.at, first.params + (("tracking", row),), first.note)
    return plan


def _describe(plan: Plan) -> str:
    names = {Track: "track", TrackOrder: "track('Order Completed') + track('Product Purchased') per product",
             IdentifyOp: "identify", SetUserId: "setUserId", SetDeviceId: "setDeviceId",
             SetGroup: "setGroup", GroupIdentify: "groupIdentify", Reset: "reset", Flush: "flush",
             Shutdown: "shutdown", Init: "init", CommentOut: "comment"}
    out = []
    for op in plan.ops:
        text = names.get(type(op), type(op).__name__)
        if isinstance(op, Track) and isinstance(op.event, Lit):
            text += f"({op.event.value!r})"
        out.append(text)
    return " + ".join(out)


def _waited_on(call: SegmentCall, profile: Profile) -> bool:
    """Segment resolved an awaited call or ran its callback once the event was delivered;
    Amplitude resolves at its next flush (1 s later by default) unless the call flushes."""
    return bool(profile.get("flush_waited_calls", False)) and (
        call.callback is not None or call.use in (C.AWAITED, C.CHAINED, C.VALUE))


def _reads_argument(cb: Optional[Expr]) -> bool:
    return cb is not None and (cb.params is None or cb.params > 0)


def _callback_wrap(call: SegmentCall, plan: Plan, profile: Profile) -> str:
    """Segment's Node SDKs called back `(err)` once the event was delivered or had failed;
    Amplitude resolves with a Result. The profile's error_first_callback hands the callback the
    error it expects; Flush resolves with nothing, so the profile's flush_callback hands it the
    `undefined` (no error) Segment passed once the queue was delivered."""
    wrap = profile.get("flush_callback" if plan.ops and isinstance(plan.ops[-1], Flush) else "error_first_callback", "")
    return wrap if _reads_argument(call.callback) and plan.ops else ""


def _result_issues(call: SegmentCall, profile: Profile, adapted: bool = False) -> list[Issue]:
    issues = []
    cb = call.callback
    if _reads_argument(cb) and not adapted:
        issues.append(_issue("callback-argument", cb, note=True))
    if call.use == C.VALUE and cb is None and profile.returns == "promise":
        issues.append(_issue("promise-result"))
    return issues


def map_track(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    event = call.args.get("event")
    if absent(event):
        return _leave(_issue("track-no-event", None, note=True))
    options, issues = event_options(call, profile)
    if options is None:
        return _leave(*issues)
    props = call.args.get("properties")
    plan_props = None if absent(props) else sendable(Src(props), props, profile)
    order = profile.get("order_completed", {})
    if order and event.kind == C.STRING and event.value == order.get("event"):
        # the Actions destination's "Order Completed Calls" preset: revenue on the order, then
        # one "Product Purchased" per product (segment-destination.md §6)
        return Plan(REWRITE, [TrackOrder(order["helper"], plan_props, options)], issues, returns=profile.returns,
                    helpers=(order["helper"],))
    return Plan(REWRITE, [Track(Src(event), plan_props, options)], issues, returns=profile.returns)


def identify_value(traits: Expr, profile: Profile) -> Optional[IdentifyValue]:
    """Every trait, whether known now or only at run time; None when there are none."""
    # Segment's $set {k: null} cleared k; Amplitude drops set(k, null), so the profile may say unset(k)
    unset = profile.get("null_traits", "set") == "unset"
    if traits.kind == C.OBJECT and traits.entries is not None and all(e.key is not None for e in traits.entries):
        if not traits.entries:
            return None
        if profile.get("untyped_traits") == "copy" and not all((unset and e.value.kind == C.NULL)
                                                              or statically_sendable(e.value, ()) for e in traits.entries):
            # set() fails tsc on a Date (sent as its JSON: Segment's ISO text), undefined or a maybe-null name
            # (`name?: string | null`; the SDK drops set(k, null) where Segment's null cleared k): copied entry by entry
            return IdentifyCopy(traits, nullable=False, unset_nulls=unset)
        nulls = tuple(e.key for e in traits.entries if unset and e.value.kind == C.NULL)
        return IdentifySets(tuple((e.key, e, sendable(Src(e.value), e.value, profile)) for e in traits.entries
                                  if e.key not in nulls), nulls)
    return IdentifyCopy(traits, nullable=traits.kind != C.OBJECT, sendable=bool(profile.get("sendable_values", False)),
                        unset_nulls=unset)


def map_identify(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    if call.ambiguous is not None:
        return _leave(_issue("identify-ambiguous", call.ambiguous, note=True, text=call.ambiguous.text))
    user_id, traits = call.args.get("user_id"), call.args.get("traits")
    anonymous = call.options.get("anonymous_id")
    if not call.args and not call.options and profile.ambient_user:
        return _leave(_issue("identify-empty", None, note=True))
    if not profile.ambient_user and absent(user_id) and absent(anonymous):
        return _leave(_issue("identify-no-ids", None, note=True))
    identify = None if absent(traits) else identify_value(traits, profile)
    lead = () if absent(user_id) else (("user_id", id_value(user_id, profile)),)
    if identify is not None:
        options, issues = event_options(call, profile, lead)
        if options is None:
            return _leave(*issues)
        return Plan(REWRITE, [IdentifyOp(identify, options)], issues, returns=profile.returns)
    if not profile.ambient_user:
        # nothing to send: kept as a comment, so that the client (and every other call of it)
        # converts instead of being left whole for a call that sent Amplitude nothing
        return Plan(REWRITE, [CommentOut(f"{_catalog_text('identify-no-traits')}. Original:")], [_issue("identify-no-traits")])
    if absent(user_id):
        return _leave(_issue("identify-nothing", None, note=True))
    issues = []
    if any(not absent(v) for v in call.options.values()):
        issues.append(_issue("identify-options-dropped", next(iter(call.options.values())), note=True))
    return Plan(REWRITE, [SetUserId(id_value(user_id, profile))], issues, returns="void")


def page_properties(call: SegmentCall, profile: Profile, config: Config) -> Optional[Props]:
    """What the page/screen event carries: analytics.js's page context (page only), then the
    call's properties, then name and category (which win over properties of the same name)."""
    props, name, category = (call.args.get(k) for k in ("properties", "name", "category"))
    own: set[str] = set()
    parts: list[tuple] = []
    if not absent(props):
        if props.kind == C.OBJECT and props.entries is not None:
            own = {e.key for e in props.entries if e.key is not None}
        elif props.kind != C.OBJECT:
            pass
    # what the source SDK added to the properties (analytics.js page(): name and category)
    added = source_table(call.sdk).get("page_properties", {}).get(call.method)
    if added is None:
        added = ("name", "category") if call.method == "page" or profile.get("screen_name_property", True) else ()
    given = {k for k, v in (("name", name), ("category", category)) if not absent(v) and k in added}
    if call.method == "page" and config.page_context_properties:
        parts += [("key", k, _code(v)) for k, v in profile.page_context.items() if k not in own and k not in given]
    if not absent(props):
        if props.kind == C.OBJECT and props.entries is not None:
            parts += [("entry", e) for e in props.entries if e.key not in given]
        else:
            parts.append(("spread", props, props.kind != C.OBJECT))
    # analytics.js put name/category into page() properties only; its screen() kept the
    # properties as given (the profile says which the target's Segment source did)
    for key, expr in (("name", name), ("category", category)):
        if not absent(expr) and key in added:
            parts.append(("key", key, Src(expr)))
    return Props(tuple(parts)) if parts else None


def _page_values_sendable(call: SegmentCall) -> bool:
    """Are the properties, name and category of a page/screen call sendable as written?"""
    return all(absent(call.args.get(k)) or statically_sendable(call.args[k]) for k in ("properties", "name", "category"))


def _code(text: str) -> Value:
    return Code(text)


def map_page(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    if call.ambiguous is not None:
        return _leave(_issue("page-ambiguous", call.ambiguous, note=True, text=call.ambiguous.text, method=call.method))
    event = event_name(page_template(call.method, config), call.args.get("name"), call.args.get("category"))
    options, issues = event_options(call, profile)
    if options is None:
        return _leave(*issues)
    props = page_properties(call, profile, config)
    if props is not None and not _page_values_sendable(call):
        props = sendable(props, None, profile)
    # the page context code calls the profile's helpers (analytics.js's canonical-link rules)
    helpers = tuple(profile.get("page_context_helpers", ())) if call.method == "page" and config.page_context_properties else ()
    return Plan(REWRITE, [Track(event, props, options)], issues, returns=profile.returns, helpers=helpers)


def map_group(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    group_id = call.args.get("group_id")
    if absent(group_id):
        return _leave(_issue("group-no-id", None, note=True))
    options, issues = event_options(call, profile)
    if options is None:
        return _leave(*issues)
    lead = tuple((k, v) for k, v in options if k != "insert_id")  # two events cannot share one insert id
    gtype, gid = group_type(config), id_value(group_id, profile)
    ops: list = [SetGroup(gtype, gid, lead)]
    traits = call.args.get("traits")
    identify = None if absent(traits) else identify_value(traits, profile)
    if identify is not None:
        ops.append(GroupIdentify(gtype, gid, identify, lead))
    return Plan(REWRITE, ops, issues, returns=profile.returns)


def map_alias(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    # analytics-react-native 2.x made the new id its current user ([alias] sets_user): every
    # later event carried it, so Amplitude's user id becomes it (the alias event itself reached
    # no Amplitude destination)
    new_id = call.args.get("user_id")
    if source_table(call.sdk).get("alias", {}).get("sets_user") and profile.ambient_user and not absent(new_id):
        return Plan(REWRITE, [SetUserId(id_value(new_id, profile))], [_issue("call-converted", method="alias", target="setUserId")],
                    returns="void")
    issue = _issue("alias")
    message = f"{_catalog_text('alias')}. Original:"
    return Plan(REWRITE, [CommentOut(message)], [issue])


def _catalog_text(rule: str, **params: str) -> str:
    from .findings import entry
    e = entry(rule)
    return f"{e['message']}; {e['suggestion']}".format(**params) if params else f"{e['message']}; {e['suggestion']}"


def map_reset(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    if not profile.ambient_user:
        return _leave(_issue("unsupported-method", None, note=True, method="reset",
                             message="reset() has no equivalent on a server SDK", help="remove it"))
    # analytics-react-native's reset(resetAnonymousId = true): false kept the anonymous id, so
    # only the user goes; Amplitude's reset() would also make a new device id
    keep = call.args.get("reset_anonymous_id")
    if keep is not None and not (keep.kind == C.BOOL or keep.kind == C.UNDEFINED):
        return _leave(_issue("unknown-argument", keep, note=True,
                             reason="reset()'s resetAnonymousId is only known at run time"))
    if keep is not None and keep.kind == C.BOOL and not keep.value:
        return Plan(REWRITE, [SetUserId(Lit(None))], returns="void")
    return Plan(REWRITE, [Reset()], returns="void")


def map_flush(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    # a profile whose SDK drops what a flush finds before init has finished flushes through a helper
    helper = profile.get("flush_helper", "")
    return Plan(REWRITE, [Flush(helper)], returns=profile.returns, helpers=(helper,) if helper else ())


def map_on(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    """An emitter handler (`on('error', fn)`): kept as a comment when the source table says the
    event has a counterpart a person wires up (comment_events), else left as unsupported."""
    table = source_table(call.sdk)
    event = call.args.get("event")
    kept = table.get("comment_events", {})
    if event is not None and event.kind == C.STRING and event.value in kept:
        params = {"event": str(event.value), "help": kept[event.value]}
        return Plan(REWRITE, [CommentOut(f"{_catalog_text('emitter-handler', **params)}. Original:")],
                    [_issue("emitter-handler", **params)])
    info = table.get("emitter", {})
    return _leave(_issue("unsupported-method", None, note=True, method="on", message=info.get("message", ""),
                         help=info.get("suggestion", "")))


def map_add(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    """add({ plugin: new X() }): a plugin package the source table says the target makes
    redundant ([plugins] how = "drop") goes with a finding; any other plugin is left."""
    table = source_table(call.sdk)
    package = call.args.get("plugin")
    rule = table.get("plugins", {}).get(package.value) if package is not None and package.kind == C.STRING else None
    if rule is None or rule.get("how") != "drop":
        info = table.get("unsupported", {}).get("add", {})
        return _leave(_issue("unsupported-method", None, note=True, method="add", message=info.get("message", ""),
                             help=info.get("suggestion", "")))
    return Plan(REWRITE, [], [_issue("plugin-dropped", plugin=rule.get("name", str(package.value)), why=rule.get("why", ""))])


def map_shutdown(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    # join() waited for the queue; Amplitude's shutdown flushes and waits
    return Plan(REWRITE, [Shutdown()], returns="void")


def map_set_anonymous_id(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    device = call.args.get("anonymous_id")
    if device is None:
        return _leave(_issue("set-anonymous-id-read", None, note=True))
    return Plan(REWRITE, [SetDeviceId(id_value(device, profile))], returns="void")


_METHODS = {
    "track": map_track, "identify": map_identify, "page": map_page, "screen": map_page, "group": map_group,
    "alias": map_alias, "reset": map_reset, "flush": map_flush, "join": map_shutdown, "shutdown": map_shutdown,
    "closeAndFlush": map_flush, "on": map_on, "add": map_add,
    "setAnonymousId": map_set_anonymous_id,
}


def map_setting(call: SegmentCall, profile: Profile, config: Config) -> Plan:
    """A Segment module setting (`analytics.upload_size = 50`) on the one module client."""
    ops: list = []
    issues: list[Issue] = []
    for name, expr in call.settings.items():
        pair, more = _map_setting(name, expr, source_table(call.sdk).get("settings", {}))
        issues += more
        if pair is not None:
            ops.append(SetConfig(*pair))
    if not ops:
        if any(issue.note for issue in issues):
            # a person has to decide what the setting becomes: kept as a comment under its
            # note, never as an attribute the Amplitude client would silently ignore
            return Plan(REWRITE, [CommentOut("")], issues)
        # nothing to set: the statement goes (its findings say what it did)
        return Plan(REWRITE, [], issues)
    issues.append(_issue("call-converted", method=f"{call.settings and next(iter(call.settings))} =",
                         target="configuration." + ", ".join(op.field for op in ops)))
    return Plan(REWRITE, ops, issues)


def default_config_value(sdk: str, name: str) -> Optional[Value]:
    """Segment's Client.DefaultConfig.<name> as the value it held (None: not one we know)."""
    table = source_table(sdk).get("default_config", {})
    return Lit(table[name]) if name in table else None


# --- what `segamp rules` shows ----------------------------------------------------------------
def rules_in_force(sdk: str, profile: Profile, config: Config) -> list[tuple[str, str]]:
    """(Segment, Amplitude) rows of the mapping as this config applies it to one target."""
    table = source_table(sdk)
    rows = [(f"{m}()", target) for m, target in table.get("methods", {}).items()]
    rows += [(f"{m}()", "left + finding: " + info["message"]) for m, info in table.get("unsupported", {}).items()]
    name = event_name(config.page_event, None, None)
    rows += [
        ("page event name", repr(config.page_event) + (f" (no name: {name.value!r})" if isinstance(name, Lit) else "")),
        ("screen event name", repr(config.screen_event)),
        ("group type", repr(config.group_type)),
        ("page context properties", ", ".join(profile.page_context) if config.page_context_properties and profile.page_context else "off"),
        ("write key", f"env var {config.api_key_env}" if config.api_key_env else
         f"…SEGMENT_WRITE_KEY env vars renamed to …AMPLITUDE_API_KEY; literals → {profile.placeholder!r}"),
        ("init options", ", ".join(f"{profile.field_name(k) or k}={v.value!r}" for k, v in init_options(profile, config)
                                   if isinstance(v, Lit)) or "none"),
        ("ids", {"literals": "number literals become strings", "always": "stringified where not known to be strings",
                 "never": "as written"}.get(profile.stringify_ids, profile.stringify_ids)),
        ("options", "anonymousId→device_id, userId→user_id, timestamp→time (ms), messageId→insert_id, "
                    "context.ip→ip, context.locale→language; integrations → call left + finding"),
    ]
    stored = profile.get("stored_identity", {}).get("keys", {}) or profile.get("stored_identity", {}).get("values", {})
    if stored and source_table(sdk).get("identity", {}).get("stored", True):
        rows.append(("identity", "init seeds " + ", ".join(f"{profile.field_name(k) or k} from {v}" for k, v in stored.items())
                     if config.keep_identity else "off (keep_identity = false)"))
    if profile.get("null_traits") == "unset":
        rows.append(("null trait", "unset(k)"))
    if profile.get("order_completed"):
        rows.append((f"track({profile.get('order_completed')['event']!r})",
                     "the order with revenue fields + one 'Product Purchased' per product"))
    if profile.get("flush_waited_calls"):
        rows.append(("awaited / callback calls", "flushed, so they resolve on delivery"))
    return rows
