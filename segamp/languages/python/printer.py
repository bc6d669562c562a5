"""Printing: a Plan -> amplitude-analytics code (BaseEvent, EventOptions, Identify, Config).

Spelling only: the mapping decided what each value is; this module decides how Python writes
it, which amplitude names the file imports (aliased when the file already uses the name), and
how long lines wrap. A run-time expression the code would otherwise evaluate twice is hoisted
into a variable first.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from ...core.calls import Expr
from ...core.plan import (
    Code, EnvVar, EpochMs, EventName, Flush, GroupIdentify, IdentifyCopy, IdentifyOp, IdentifySets, Init,
    ContextField, Lit, Negated, Props, Renamed, RenamedAt, SecondsToMs, Sendable, SetConfig, SetGroup, Shutdown, Src, StrId, Track,
)
from ...core.profiles import Profile

# EventOptions / BaseEvent fields in the order Amplitude documents them
FIELD_ORDER = ("user_id", "device_id", "event_properties", "time", "insert_id", "ip", "language")
# the amplitude names a file may need, in the order the import lists them
IMPORT_ORDER = ("Amplitude", "BaseEvent", "Config", "EventOptions", "Identify")
LINE_LIMIT = 88

def py_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrap_call(func: str, args: list[str], indent: str) -> str:
    """func(a, b) on one line when it fits, else one argument per line."""
    one = f"{func}({', '.join(args)})"
    if len(indent) + len(one) <= LINE_LIMIT and not any("\n" in a for a in args):
        return one
    inner = indent + "    "
    body = "".join(f"{inner}{a.replace(chr(10), chr(10) + '    ')},\n" for a in args)
    return f"{func}(\n{body}{indent})"


class Printer:
    """One file's printer: the amplitude names it imports and the names it has taken."""

    def __init__(self, profile: Profile, used_names: set[str]):
        self.profile = profile
        self.used_names = used_names
        self.amp_names: dict[str, str] = {}
        self.needed: set[str] = set()
        self.needs_os = False
        self._hoisted: dict[int, str] = {}   # id(expr.handle) -> variable holding its value
        self.helpers: dict[str, str] = {}     # profile [helpers] key -> the name it has in this file
        # source text -> its spelling inside rewritten code (Client.DefaultConfig.x -> its value)
        self.substitutions: dict[str, str] = {}
        # re-indenting copied multi-line expressions: the indentation of the statement being
        # printed (None: leave them as written), and the original statement's for a node
        # (None when it must not move, e.g. it holds a multi-line string)
        self.indent: Optional[str] = None
        self.origin_indent: Callable[[object], Optional[str]] = lambda handle: None
        # id(node) -> (node, its new text): a constant's initializer whose env var is renamed
        # where it is defined (RenamedAt); the file rewrite replaces each once
        self.renamed_at: dict[int, tuple[object, str]] = {}

    # --- names --------------------------------------------------------------------------
    def amp(self, name: str) -> str:
        """The local name of an amplitude symbol (aliased when the file already uses it)."""
        self.needed.add(name)
        if name not in self.amp_names:
            alias = "AmplitudeClient" if name == "Amplitude" else f"Amplitude{name}"
            self.amp_names[name] = alias if name in self.used_names else name
        return self.amp_names[name]

    def fresh(self, base: str) -> str:
        name, n = base, 2
        while name in self.used_names:
            name, n = f"{base}_{n}", n + 1
        self.used_names.add(name)
        return name

    def helper(self, role: str) -> str:
        """The local name of the helper function the profile names for role (its
        `<role>_helper` key, a [helpers] table) in this file."""
        key = self.profile.get(f"{role}_helper")
        if key not in self.helpers:
            name = self.profile.get("helpers")[key]["name"]
            self.helpers[key] = self.fresh(name) if name in self.used_names else name
            self.used_names.add(self.helpers[key])
        return self.helpers[key]

    def helper_definitions(self) -> str:
        """The helpers this file uses, as source, in a stable order."""
        out = []
        for key in sorted(self.helpers):
            table = self.profile.get("helpers")[key]
            text = table["py"].strip("\n")
            out.append(text.replace(f"def {table['name']}(", f"def {self.helpers[key]}(", 1))
        return "\n\n\n".join(out)

    def import_line(self) -> str:
        if not self.needed:
            return ""
        names = []
        for name in sorted(self.needed, key=IMPORT_ORDER.index):
            local = self.amp_names[name]
            names.append(name if local == name else f"{name} as {local}")
        return f"from {self.profile.get('module', 'amplitude')} import " + ", ".join(names)

    # --- values -------------------------------------------------------------------------
    def expr(self, expr: Expr) -> str:
        text = self._hoisted.get(id(expr.handle), expr.text) if expr.handle is not None else expr.text
        for source, replacement in self.substitutions.items():
            text = text.replace(source, replacement)
        return self._reindent(text, expr)

    def _reindent(self, text: str, expr: Expr) -> str:
        """A multi-line expression copied from the source, its continuation lines moved from
        where the original statement was indented to where the new one is."""
        if "\n" not in text or self.indent is None or expr.handle is None:
            return text
        old = self.origin_indent(expr.handle)
        if old is None or old == self.indent:
            return text
        lines = text.split("\n")
        moved = [ln[len(old):] if ln.startswith(old) else ln.lstrip(" \t") if not ln.strip() else None for ln in lines[1:]]
        if any(m is None for m in moved):
            return text  # a line indented less than its statement: leave it as written
        return "\n".join([lines[0]] + [self.indent + m if m else "" for m in moved])

    def value(self, value) -> str:
        if isinstance(value, Src):
            text = self.expr(value.expr)
            # a tuple written without parentheses (`"a", "b"`) must get them to be one argument
            if value.expr.kind == "array" and not text.startswith(("(", "[", "{")):
                return f"({text})"
            return text
        if isinstance(value, Lit):
            return _literal(value.value)
        if isinstance(value, Code):
            return value.text
        if isinstance(value, StrId):
            return self._str_id(value.expr)
        if isinstance(value, EpochMs):
            if value.naive == "segment-guess":
                return f"{self.helper('naive_time')}({self.expr(value.expr)})"
            return self._epoch_ms(value.expr)
        if isinstance(value, Sendable):
            return f"{self.helper('sendable')}({self.value(value.value)})"

        if isinstance(value, ContextField):  # Segment required a dict (or None) here
            text = self.expr(value.expr)
            text = text if value.expr.simple or id(value.expr.handle) in self._hoisted else f"({text})"
            return f"({text} or {{}}).get({py_str(value.key)})"
        if isinstance(value, Negated):
            return self._negated(value.expr)
        if isinstance(value, SecondsToMs):
            text = self.expr(value.expr)
            return f"int({text} * 1000)" if value.expr.simple else f"int(({text}) * 1000)"
        if isinstance(value, Renamed):
            return _renamed(value)
        if isinstance(value, RenamedAt):  # the constant's definition reads the renamed env var
            node = value.renamed.expr.handle
            self.renamed_at.setdefault(id(node), (node, _renamed(value.renamed)))
            return self.expr(value.ref)
        if isinstance(value, EnvVar):
            self.needs_os = True
            return self.profile.get("env_reader", 'os.environ["{name}"]').format(name=value.name)
        if isinstance(value, EventName):
            return self._event_name(value)
        if isinstance(value, Props):
            return self._props(value)
        raise TypeError(f"no Python spelling for {type(value).__name__}")

    def _str_id(self, expr: Expr) -> str:
        text = self.expr(expr)
        if expr.simple or id(expr.handle) in self._hoisted:
            return f"None if {text} is None else str({text})"
        return f"(lambda value: None if value is None else str(value))({text})"

    def _epoch_ms(self, expr: Expr) -> str:
        text = self.expr(expr)
        if expr.simple and not expr.literal:
            return f"int({text}.timestamp() * 1000) if {text} is not None else None"
        if expr.kind == "call":
            return f"int({text}.timestamp() * 1000)"
        return f"int(({text}).timestamp() * 1000)"

    def _negated(self, expr: Expr) -> str:
        node = expr.handle
        if node is not None and type(node).__name__ == "UnaryOperation" and type(node.operator).__name__ == "Not":
            return expr.text[len("not"):].strip()  # not (not x) is x
        return f"not {self.expr(expr)}" if expr.simple else f"not ({self.expr(expr)})"

    def _event_name(self, name: EventName) -> str:
        pieces: list[tuple[bool, str]] = []   # (is literal text, text)
        for part in name.parts:
            if isinstance(part, str):
                pieces.append((True, part))
            elif part.literal:
                pieces.append((False, self.expr(part)))
            else:  # a run-time None renders as "", as the destination's template did
                text = self.expr(part)
                pieces.append((False, f"'' if {text} is None else {text}"))
        exprs = [text for literal, text in pieces if not literal]
        if any(c in e for e in exprs for c in '"\\\n{}'):
            fmt = "".join(t.replace("{", "{{").replace("}", "}}") if lit else "{}" for lit, t in pieces)
            return f"{py_str(fmt)}.format({', '.join(f'({e})' if ' if ' in e else e for e in exprs)})"
        body = "".join(py_str(t)[1:-1].replace("{", "{{").replace("}", "}}") if lit else "{" + t + "}"
                       for lit, t in pieces)
        return f'f"{body}"'

    def _props(self, props: Props) -> str:
        items = []
        for part in props.parts:
            if part[0] == "key":
                items.append(f"{py_str(part[1])}: {self.value(part[2])}")
            elif part[0] == "entry":
                entry = part[1]
                value = self.expr(entry.value)
                items.append(f"**{value}" if entry.key is None else f"{entry.key_text}: {value}")
            else:
                _, expr, nullable = part
                items.append(f"**({self.expr(expr)} or {{}})" if nullable else f"**{self.expr(expr)}")
        return "{" + ", ".join(items) + "}"

    def options(self, pairs: Iterable[tuple[str, object]], properties: Optional[object] = None) -> list[str]:
        """field=value in Amplitude's documented order."""
        fields = list(pairs) + ([("event_properties", properties)] if properties is not None else [])
        rank = {name: i for i, name in enumerate(FIELD_ORDER)}
        fields.sort(key=lambda kv: rank.get(kv[0], len(rank)))
        return [f"{name}={self.value(v)}" for name, v in fields]

    def config_field(self, neutral: str) -> str:
        return self.profile.field_name(neutral) or neutral

    # --- operations ---------------------------------------------------------------------
    def client(self, init: Init) -> str:
        """Amplitude(key, Config(...)): a client creation expression."""
        key = self.value(init.key)
        ctor = self.amp("Amplitude")
        if not init.options:
            return f"{ctor}({key})"
        config = ", ".join(f"{self.config_field(k)}={self.value(v)}" for k, v in init.options)
        return f"{ctor}({key}, {self.amp('Config')}({config}))"

    def set_config(self, recv: str, op: SetConfig) -> str:
        return f"{recv}.configuration.{self.config_field(op.field)} = {self.value(op.value)}"

    def statements(self, ops: list, recv: str, indent: str) -> list[str]:
        """The statements that replace one Segment call statement."""
        self.indent = indent
        pre = self._hoist(ops)
        lines: list[str] = []
        for op in ops:
            if isinstance(op, Track):
                args = [f"event_type={self.value(op.event)}"] + self.options(op.options, op.properties)
                lines.append(f"{recv}.track({wrap_call(self.amp('BaseEvent'), args, indent)})")
            elif isinstance(op, IdentifyOp):
                setup, ident = self.identify(op.identify, indent, "identify_obj")
                pre += setup
                opts = wrap_call(self.amp("EventOptions"), self.options(op.options), indent)
                line = f"{recv}.identify({ident}, {opts})"
                if len(line) + len(indent) > LINE_LIMIT and "\n" not in ident:
                    line = wrap_call(f"{recv}.identify", [ident, opts], indent)
                lines.append(line)
            elif isinstance(op, SetGroup):
                opts = wrap_call(self.amp("EventOptions"), self.options(op.options), indent)
                group_type, group = _group_of(op)
                args = [self.value(group_type), self.value(group), opts]
                line = f"{recv}.set_group({', '.join(args)})"
                lines.append(line if len(line) + len(indent) <= LINE_LIMIT or "\n" in opts
                             else wrap_call(f"{recv}.set_group", args, indent))
            elif isinstance(op, GroupIdentify):
                setup, ident = self.identify(op.identify, indent, "group_identify_obj")
                pre += setup
                opts = wrap_call(self.amp("EventOptions"), self.options(op.options), indent)
                group_type, group = _group_of(op)
                args = [self.value(group_type), self.value(group), ident, opts]
                lines.append(wrap_call(f"{recv}.group_identify", args, indent))
            elif isinstance(op, Flush):
                lines.append(f"{recv}.flush()")
            elif isinstance(op, Shutdown):
                lines.append(f"{recv}.shutdown()")
            else:
                raise TypeError(f"no Python spelling for {type(op).__name__}")
        self._hoisted.clear()
        self.indent = None
        return pre + lines

    def identify(self, identify, indent: str, hint: str) -> tuple[list[str], str]:
        """(statements to put before the call, the Identify expression)."""
        name = self.amp("Identify")
        if isinstance(identify, IdentifySets):
            sets = [(entry.key_text if entry is not None else py_str(key), self.value(v)) for key, entry, v in identify.sets]
            chain = name + "()" + "".join(f".set({k}, {v})" for k, v in sets)
            if len(chain) + len(indent) > 90 or any("\n" in v for _, v in sets):
                inner = indent + "    "
                chain = "(\n" + inner + name + "()\n" + "".join(f"{inner}.set({k}, {v})\n" for k, v in sets) + indent + ")"
            return [], chain
        assert isinstance(identify, IdentifyCopy)
        var, key, value = self.fresh(hint), self.fresh("trait"), self.fresh("value")
        text = self.expr(identify.expr)
        source = f"({text} or {{}})" if identify.nullable else text
        if identify.sendable:  # every value as Segment's clean() sent it, entries it dropped left out
            cleaned = f"{self.helper('sendable')}({text})"
            source = f"({cleaned} or {{}})" if identify.nullable else cleaned
        return [f"{var} = {name}()", f"for {key}, {value} in {source}.items():", f"    {var}.set({key}, {value})"], var

    def comment_out(self, message: str, original: str, indent: str, needs_body: bool) -> str:
        """The statement as a comment under a TODO line (a block that would be empty gets pass)."""
        lines = [f"# TODO(segamp): {message}"] if message else []  # no message: the note above says it
        lines += [f"# {ln.strip() if i else ln}" for i, ln in enumerate(original.splitlines())]
        if needs_body:
            lines.append("pass")
        return ("\n" + indent).join(lines)

    def _hoist(self, ops: list) -> list[str]:
        """Run-time expressions the statements would evaluate twice (or inside an event name
        template) are computed once, first."""
        seen: dict[int, tuple[Expr, str]] = {}
        counts: dict[int, int] = {}
        for op in ops:
            for expr, hint, always in _exprs_of(op):
                if expr.simple or expr.literal or expr.handle is None:
                    continue
                key = id(expr.handle)
                counts[key] = counts.get(key, 0) + (2 if always else 1)
                seen.setdefault(key, (expr, hint))
        pre = []
        for key, (expr, hint) in seen.items():
            if counts[key] > 1:
                var = self.fresh(hint)
                pre.append(f"{var} = {self.expr(expr)}")
                self._hoisted[key] = var
        return pre


def _exprs_of(op) -> Iterable[tuple[Expr, str, bool]]:
    """(expression, variable name hint, must be hoisted) for every run-time value of an op."""
    def of(value, hint: str):
        if isinstance(value, StrId):  # `None if x is None else str(x)` reads x twice
            yield value.expr, hint, True
        elif isinstance(value, (Src, EpochMs)):
            yield value.expr, hint, False
        elif isinstance(value, ContextField):  # each field reads the context again
            yield value.expr, "context", True
        elif isinstance(value, Sendable):
            yield from of(value.value, hint)
        elif isinstance(value, EventName):
            for part in value.parts:
                if isinstance(part, Expr):
                    yield part, "page_name", True
        elif isinstance(value, Props):
            for part in value.parts:
                if part[0] == "key":
                    yield from of(part[2], "segment_value")
    if isinstance(op, Track):
        yield from of(op.event, "event_name")
        if op.properties is not None:
            yield from of(op.properties, "properties")
    for name, value in getattr(op, "options", ()):
        yield from of(value, name)
    if isinstance(op, (SetGroup, GroupIdentify)):
        yield from of(op.group, "group_name")


def _group_of(op) -> tuple:
    """(group type, group) of a SetGroup / GroupIdentify."""
    return op.group_type, op.group


def _literal(value) -> str:
    if isinstance(value, str):
        return py_str(value)
    return repr(value)


def _renamed(value: Renamed) -> str:
    text = value.expr.text
    for offset, old, new in sorted(value.swaps, reverse=True):
        if text[offset:offset + len(old)] == old:
            text = text[:offset] + new + text[offset + len(old):]
    return text

