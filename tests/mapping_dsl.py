"""A small language-free notation for mapping table tests: build SegmentCalls from Python
values, print Plans as neutral pseudo-code a reviewer reads at a glance."""
from __future__ import annotations

from typing import Any

from segamp.core import calls as C
from segamp.core import plan as P


def s(value: str) -> C.Expr:
    return C.Expr(repr(value), C.STRING, value, simple=True, static_type="string")


def num(value) -> C.Expr:
    return C.Expr(str(value), C.NUMBER, value, simple=True)


def boolean(value: bool) -> C.Expr:
    return C.Expr(str(value).lower(), C.BOOL, value, simple=True)


def null() -> C.Expr:
    return C.Expr("null", C.NULL, None, simple=True)


def undef() -> C.Expr:
    return C.Expr("undefined", C.UNDEFINED, None, simple=True)


def name(text: str, static_type: str | None = None) -> C.Expr:
    return C.Expr(text, C.NAME, simple=True, static_type=static_type)


def defined(text: str, definition: C.Expr) -> C.Expr:
    """A name the front end resolved to a constant read nowhere else."""
    return C.Expr(text, C.NAME, simple=True, definition=definition)


def call(text: str) -> C.Expr:
    return C.Expr(text, C.CALL)


def tmpl(text: str) -> C.Expr:
    return C.Expr(text, C.TEMPLATE)


def env(text: str, var: str) -> C.Expr:
    return C.Expr(text, C.NAME, env_refs=((var, text.index(var)),))


def fn(params: int | None = 0) -> C.Expr:
    return C.Expr("() => {}" if params == 0 else "(ctx) => {}", C.FUNCTION, params=params)


def obj(*items: Any) -> C.Expr:
    """obj(("a", s("x")), ("...", name("rest"))) — a literal; a spread makes entries non-static for keys."""
    entries = []
    for key, value in items:
        if key == "...":
            entries.append(C.Entry(None, value, "", False))
        else:
            entries.append(C.Entry(key, value, key, False))
    text = "{" + ", ".join(("..." + v.text) if k == "..." else f"{k}: {v.text}" for k, v in items) + "}"
    return C.Expr(text, C.OBJECT, entries=tuple(entries))


def dynamic_obj(text: str) -> C.Expr:
    """An object literal with computed keys: entries unknown."""
    return C.Expr(text, C.OBJECT, entries=None)


def seg(method: str, sdk: str = "browser", **parts: Any) -> C.SegmentCall:
    options = parts.pop("options", {})
    settings = parts.pop("settings", {})
    callback = parts.pop("callback", None)
    use = parts.pop("use", C.STATEMENT)
    ambiguous = parts.pop("ambiguous", None)
    shape = parts.pop("shape", None)
    return C.SegmentCall(method, sdk, args=dict(parts), options=dict(options), settings=dict(settings),
                         callback=callback, use=use, ambiguous=ambiguous, shape=shape)


# --- printing plans -------------------------------------------------------------------------
def value(v: Any) -> str:
    if isinstance(v, P.Src):
        return v.expr.text
    if isinstance(v, P.Lit):
        return "null" if v.value is None else repr(v.value)
    if isinstance(v, P.Code):
        return f"<{v.text}>"
    if isinstance(v, P.StrId):
        return f"str({v.expr.text})"
    if isinstance(v, P.EpochMs):
        return f"ms({v.expr.text})" if not v.naive else f"ms({v.expr.text}, naive={v.naive})"
    if isinstance(v, P.Sendable):
        return f"clean({value(v.value)})"
    if isinstance(v, P.ContextField):
        return f"{v.expr.text}.get({v.key!r})"
    if isinstance(v, P.Negated):
        return f"not({v.expr.text})"
    if isinstance(v, P.SecondsToMs):
        return f"s_to_ms({v.expr.text})"
    if isinstance(v, P.RenamedAt):
        return f"{v.ref.text}(defined as {value(v.renamed)})"
    if isinstance(v, P.Renamed):
        text = v.expr.text
        for offset, old, new in sorted(v.swaps, reverse=True):
            text = text[:offset] + new + text[offset + len(old):]
        return text
    if isinstance(v, P.EnvVar):
        return f"env({v.name})"
    if isinstance(v, P.EventName):
        return "`" + "".join(p if isinstance(p, str) else "${" + p.text + "}" for p in v.parts) + "`"
    if isinstance(v, P.Props):
        out = []
        for part in v.parts:
            if part[0] == "key":
                out.append(f"{part[1]}: {value(part[2])}")
            elif part[0] == "entry":
                out.append(f"{part[1].key}: {part[1].value.text}" if part[1].key else f"...{part[1].value.text}")
            else:
                out.append(f"...{part[1].text}" + ("?" if part[2] else ""))
        return "{" + ", ".join(out) + "}"
    if isinstance(v, P.IdentifySets):
        return "Identify(" + ", ".join([f"{k}={value(x)}" for k, _, x in v.sets] + [f"-{k}" for k in v.unsets]) + ")"
    if isinstance(v, P.IdentifyCopy):
        text = f"clean({v.expr.text})" if v.sendable else v.expr.text
        return f"Identify(*{text}{'?' if v.nullable else ''}{', null=unset' if v.unset_nulls else ''})"
    raise TypeError(v)


def options(opts) -> str:
    return "{" + ", ".join(f"{k}: {value(v)}" for k, v in opts) + "}"


def op(o: Any) -> str:
    if isinstance(o, P.Init):
        return f"init({value(o.key)}, {options(o.options)})"
    if isinstance(o, P.SetConfig):
        return f"config.{o.field} = {value(o.value)}"
    if isinstance(o, P.Track):
        args = [value(o.event)]
        if o.properties is not None or o.options:
            args.append(value(o.properties) if o.properties is not None else "-")
        if o.options:
            args.append(options(o.options))
        return f"track({', '.join(args)})"
    if isinstance(o, P.TrackOrder):
        args = [value(o.properties) if o.properties is not None else "-"] + ([options(o.options)] if o.options else [])
        return f"{o.helper}({', '.join(args)})"
    if isinstance(o, P.IdentifyOp):
        return f"identify({value(o.identify)}" + (f", {options(o.options)}" if o.options else "") + ")"
    if isinstance(o, P.SetUserId):
        return f"setUserId({value(o.user_id)})"
    if isinstance(o, P.SetDeviceId):
        return f"setDeviceId({value(o.device_id)})"
    if isinstance(o, P.SetGroup):
        return f"setGroup({value(o.group_type)}, {value(o.group)}" + (f", {options(o.options)}" if o.options else "") + ")"
    if isinstance(o, P.GroupIdentify):
        return (f"groupIdentify({value(o.group_type)}, {value(o.group)}, {value(o.identify)}"
                + (f", {options(o.options)}" if o.options else "") + ")")
    if isinstance(o, P.CommentOut):
        return "comment"
    return type(o).__name__.lower() + "()"


def show(plan: P.Plan) -> str:
    """'track(...); setUserId(...)' or 'LEAVE', then ' | ' and the non-converted issue ids."""
    head = "LEAVE" if plan.blocked else "; ".join(op(o) for o in plan.ops) or "(remove)"
    if plan.deliver:
        head += " + deliver"
    issues = [i.rule for i in plan.issues if i.rule not in ("call-converted", "client-converted")]
    return head + (" | " + ", ".join(issues) if issues else "")
