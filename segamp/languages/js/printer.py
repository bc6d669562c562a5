"""Plan -> edits, spelled in JavaScript / TypeScript.

The printer makes no mapping decision: the operations and values come from the plan, the
package, namespace, create/init forms, type names and option names from the target profile.
What it decides is how code looks: quotes and semicolons as the file has them, one line or
one entry a line, a statement or an expression, `.promise` where the value is read, and the
surgical in-place edit of track() so that comments inside the call survive.
"""
from __future__ import annotations

import re
from typing import Optional

from ...core import calls as C
from ...core import findings
from ...core.calls import Expr, SegmentCall
from ...core.notes import MARK, Notes
from ...core.plan import (
    Code, CommentOut, EnvVar, EpochMs, EventName, Flush, GroupIdentify, IdentifyCopy, IdentifyOp,
    Init, Issue, Lit, Negated, Plan, Props, Renamed, RenamedAt, Reset, SecondsToMs, SetDeviceId, SetGroup, SetUserId,
    Src, StrId, Track, TrackOrder,
)
from ...core.profiles import Profile
from ...model import Analysis, Edit, Finding
from ...source import indent_unit
from .bind import NODE_SDKS, SNIPPET, JsFile
from .match import Site, segment_cast_receiver
from . import conditional, guards, setting_comments
from .syntax import Node, enclosing_statement, import_locals, import_source, pattern_names, unwrap

IDENT = re.compile(r"[A-Za-z_$][\w$]*")
# the Amplitude client method each operation is spelled with (op_text)
OP_METHODS = {Track: "track", TrackOrder: "track", IdentifyOp: "identify", SetGroup: "setGroup", GroupIdentify: "groupIdentify",
              SetUserId: "setUserId", SetDeviceId: "setDeviceId", Reset: "reset", Flush: "flush"}
PROMISE, VOID = "promise", "void"
MAYBE_PROMISE = "promise?"   # `{ promise }` or undefined: a helper call on an optional receiver


def reindent(text: str, unit: str) -> str:
    """A helper of the profile (written with 2-space levels) in the file's own indentation unit."""
    if unit == "  ":
        return text
    out = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        levels, rest = divmod(len(line) - len(body), 2)
        out.append(unit * levels + " " * rest + body)
    return "\n".join(out)


class Printer:
    """Edits and findings for one file (or one inline <script>)."""

    def __init__(self, jf: JsFile, profile: Profile, language: str):
        self.jf = jf
        self.src = jf.src
        self.profile = profile
        self.language = language
        self.analysis = Analysis()
        self.notes = Notes(self.src.data, "//", ("/*", "*/"))
        self.covered: list[tuple[int, int]] = []   # byte ranges rewritten (for import bookkeeping)
        self.renamed_at: set[tuple[int, int]] = set()  # constants whose env var a key renamed
        self.quote = self._quote_style()
        self.semi = self._uses_semicolons()
        self.unit = indent_unit(self.src.text)
        self.ns = self._namespace()
        self.needs_ns = False
        self.left_calls: set[int] = set()                # calls the mapping left as they are
        # destructuring patterns of client methods -> the Amplitude methods their calls now use
        self.patterns: dict[int, set[str]] = {}
        self.kept_names: dict[int, set[str]] = {}        # pattern id -> the names it holds after the rewrite
        self.became: dict[tuple[int, str], set[str]] = {}  # (pattern id, Segment method) -> what its calls use
        self.helpers: set[str] = set()                   # profile helpers the output calls
        # what Amplitude's classes are reached through while a snippet-global call is printed
        # (the loader's global, not the namespace import), else None
        self.space: Optional[str] = None
        self.global_used = False                         # the output calls the loader's global

    # --- the file's style ----------------------------------------------------------------------
    def _quote_style(self) -> str:
        singles = doubles = 0
        for n in self.jf.nodes:
            if n.type == "string":
                raw = self.src.data[n.start_byte:n.start_byte + 1]
                singles += raw == b"'"
                doubles += raw == b'"'
        return '"' if doubles > singles else "'"

    def _uses_semicolons(self) -> bool:
        stmts = [n for n in self.jf.nodes if n.type in ("expression_statement", "lexical_declaration", "import_statement")]
        if not stmts:
            return True
        with_semi = sum(1 for s in stmts if self.src.data[s.end_byte - 1:s.end_byte] == b";")
        return with_semi * 2 >= len(stmts)

    def _namespace(self) -> str:
        """The file's own namespace import of the target package, else a free name for one."""
        for stmt in self.jf.root.named_children:
            if stmt.type == "import_statement" and import_source(stmt) == self.profile.package:
                clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
                ns = next((c for c in clause.named_children if c.type == "namespace_import"), None) if clause else None
                if ns is not None:
                    return self.jf.text(ns.named_children[0])
        taken = {self.jf.text(n) for n in self.jf.nodes if n.type in ("identifier", "shorthand_property_identifier_pattern")}
        base = self.profile.get("namespace")
        for candidate in (base, base + "Sdk", base + "Browser"):
            if candidate not in taken:
                return candidate
        return base + "Browser"

    def q(self, value: str) -> str:
        escaped = value.replace("\\", "\\\\").replace(self.quote, "\\" + self.quote)
        return f"{self.quote}{escaped}{self.quote}"

    def indent_of(self, node: Node) -> str:
        return self.src.line_indent(node.start_byte)

    def object_text(self, items: list[tuple[str, str]], indent: Optional[str] = None) -> str:
        """An object literal from (key, value) items ("" key: the item as written); one line when
        short, else one entry a line under `indent`."""
        if not items:
            return "{}"
        parts = [v if not k else (k if k == v and IDENT.fullmatch(k) else f"{self._key(k)}: {v}") for k, v in items]
        one_line = "{ " + ", ".join(parts) + " }"
        if indent is None or (len(one_line) + len(indent) <= 80 and "\n" not in one_line):
            return one_line
        pad = indent + self.unit
        return "{\n" + "".join(f"{pad}{p},\n" for p in parts) + indent + "}"

    def _key(self, key: str) -> str:
        return key if IDENT.fullmatch(key) else self.q(key)

    def call_text(self, callee: str, args: list[str], indent: str) -> str:
        """callee(a, b) on one line, or one argument a line when any argument spans lines."""
        one_line = f"{callee}({', '.join(args)})"
        if not any("\n" in a for a in args) and len(indent) + len(one_line) <= 100:
            return one_line
        pad = indent + self.unit
        return f"{callee}(\n" + "".join(f"{pad}{a},\n" for a in args) + f"{indent})"

    # --- bookkeeping ---------------------------------------------------------------------------
    def edit(self, start: int, end: int, text: str) -> None:
        self.analysis.edits.append(Edit(start, end, text))
        self.covered.append((start, end))

    def is_covered(self, node: Node) -> bool:
        return any(s <= node.start_byte and node.end_byte <= e for s, e in self.covered)

    def report(self, rule: str, node: Node, note: bool = False, blocks: Optional[str] = None, **params: str) -> Finding:
        """A finding from the catalog at node; note: a TODO(segamp) line above its statement;
        blocks: the key of the client this use keeps from migrating."""
        line, col = self.src.line_col(node.start_byte)
        finding = findings.make(rule, line, col, self.language, blocks=blocks, **params)
        self.analysis.findings.append(finding)
        if note:
            self.notes.add_finding(enclosing_statement(node).start_byte, finding)
        return finding

    def report_issues(self, issues: list[Issue], node: Node, force_note: bool = False,
                      blocks: Optional[str] = None) -> None:
        for issue in issues:
            at = issue.at.handle if issue.at is not None and issue.at.handle is not None else node
            self.report(issue.rule, at, issue.note or force_note, blocks=blocks, **dict(issue.params))

    # --- values --------------------------------------------------------------------------------
    def value(self, v, indent: str = "") -> str:
        if isinstance(v, Src):
            return v.expr.text
        if isinstance(v, Lit):
            return self.literal(v.value)
        if isinstance(v, Code):
            return v.text
        if isinstance(v, StrId):
            t = v.expr.text
            # Segment sent String(id); a missing id stayed missing
            return f"{t} == null ? undefined : String({t})" if v.expr.simple else f"String({t})"
        if isinstance(v, EpochMs):
            return f"{v.expr.text}.getTime()" if v.expr.kind == C.DATE else f"new Date({v.expr.text}).getTime()"
        if isinstance(v, Negated):
            return f"!{v.expr.text}" if v.expr.simple else f"!({v.expr.text})"
        if isinstance(v, SecondsToMs):
            return f"Math.round(({v.expr.text}) * 1000)"
        if isinstance(v, Renamed):
            text = v.expr.text
            for offset, old, new in sorted(v.swaps, reverse=True):
                text = text[:offset] + new + text[offset + len(old):]
            return text
        if isinstance(v, RenamedAt):   # the constant's definition reads the renamed env var
            node = v.renamed.expr.handle
            if (node.start_byte, node.end_byte) not in self.renamed_at:
                self.renamed_at.add((node.start_byte, node.end_byte))
                self.edit(node.start_byte, node.end_byte, self.value(v.renamed))
            return v.ref.text
        if isinstance(v, EnvVar):
            return self.profile.get("env_reader").format(name=v.name)
        if isinstance(v, EventName):
            return self.template(v)
        if isinstance(v, Props):
            return self.props(v, indent)
        raise TypeError(f"no JS spelling for {v!r}")

    def literal(self, value) -> str:
        if value is None:
            return "undefined"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return self.q(value)
        return repr(value)

    @staticmethod
    def template(name: EventName) -> str:
        """A template literal; a null name renders as '' (as the destination's template did)."""
        out = []
        for part in name.parts:
            if isinstance(part, str):
                out.append(part.replace("`", "\\`").replace("${", "\\${"))
            elif part.static_type == "string":   # a name (never an id) typed string is never null: `?? ''` would be unreachable (TS2869)
                out.append("${" + part.text + "}")
            else:
                # a compound name is parenthesised: `a || b ?? ''` does not parse, and
                # `c ? x : y ?? ''` would apply ?? to one branch only
                text = part.text if part.simple else f"({part.text})"
                out.append("${" + text + " ?? ''}")
        return "`" + "".join(out) + "`"

    def props(self, props: Props, indent: str) -> str:
        items: list[tuple[str, str]] = []
        for part in props.parts:
            if part[0] == "key":
                items.append((part[1], self.value(part[2])))
            elif part[0] == "entry":
                items.append(("", self.jf.text(part[1].handle)))
            else:  # a run-time object: spreading null/undefined adds nothing, as Segment did
                items.append(("", "..." + part[1].text))
        return self.object_text(items, indent)

    def options(self, options) -> str:
        """Amplitude EventOptions ('' for none)."""
        if not options:
            return ""
        return self.object_text([(self.profile.field_name(k) or k, self.value(v)) for k, v in options])

    def namespace(self) -> str:
        """What Amplitude's classes (Identify) are reached through: the namespace import, or the
        loader's global for code that used the snippet's."""
        if self.space is not None:
            return self.space
        self.needs_ns = True
        return self.ns

    def global_for(self, receiver: Optional[Node]) -> str:
        """The global Amplitude's loader defines, spelled where the snippet's was: `window.analytics`
        -> `window.amplitude`; a bare `analytics` stays bare in a classic script (the global is in
        scope) and becomes `window.amplitude` in a module, where a bare name reads as an import."""
        self.global_used = True
        name = self.profile.get("snippet_global")
        if receiver is not None and receiver.type == "member_expression":
            obj = unwrap(receiver.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier" and self.jf.text(obj) in SNIPPET["globals"]:
                return f"{self.jf.text(obj)}.{name}"
        classic = self.jf.html or not (self.jf.is_module or self.jf.typescript)
        return name if classic else f"window.{name}"

    def identify(self, value, indent: str, source: Optional[Expr] = None) -> str:
        """new <ns>.Identify().set(k, v)… — every trait, whether known now or at run time."""
        ctor = f"new {self.namespace()}.Identify()"
        if isinstance(value, IdentifyCopy):
            text, was = value.expr.text + (" ?? {}" if value.nullable else ""), value.expr.handle
            if "\n" in text and "`" not in text and was is not None and indent.startswith(self.indent_of(was)):
                text = text.replace("\n", "\n" + indent[len(self.indent_of(was)):])   # a literal across lines, moved in
            body = "identify.set(key, value)"
            if value.unset_nulls:
                body = f"value === null ? identify.unset(key) : {body}"
            # tsc: the entries of a Record<string, unknown> (or of optional fields) are not the SDK's
            # ValidPropertyType; the SDK checks each value at run time and skips what it cannot send
            entry = "[key, value]: [string, any]" if self.jf.typescript else "[key, value]"
            return f"Object.entries({text}).reduce((identify, {entry}) => {body}, {ctor})"
        calls = [f".set({self._trait_key(key, entry)}, {self.value(v)})" for key, entry, v in value.sets]
        calls += [f".unset({self.q(key)})" for key in value.unsets]
        one_line = ctor + "".join(calls)
        if len(one_line) + len(indent) <= 100 and "\n" not in (source.text if source else one_line):
            return one_line
        pad = indent + self.unit
        return ctor + "".join(f"\n{pad}{c}" for c in calls)

    def _trait_key(self, key: str, entry) -> str:
        written = entry.key_text if entry is not None else ""
        return written if written[:1] in ("'", '"') else self.q(key)

    # --- operations ----------------------------------------------------------------------------
    def op_text(self, op, recv: str, indent: str, seg: SegmentCall) -> tuple[str, str]:
        """One operation as a call on recv ("analytics." / "amplitude."), and what it returns."""
        if isinstance(op, Track):
            parts = [self.value(op.event)]
            opts = self.options(op.options)
            if op.properties is not None:
                parts.append(self.value(op.properties, indent))
            elif opts:
                parts.append("undefined")
            return f"{recv}track({', '.join(parts + ([opts] if opts else []))})", PROMISE
        if isinstance(op, TrackOrder):   # the profile's helper, given the client to track on
            client = recv[:-2] if recv.endswith("?.") else recv[:-1] if recv else "{ track }"
            opts = self.options(op.options)
            props = self.value(op.properties, indent) if op.properties is not None else ("undefined" if opts else "")
            args = [client] + ([props] if props else []) + ([opts] if opts else [])
            helper = self.profile.get("helpers")[op.helper]["name"]
            # properties written over several lines, last: they keep their lines, as in the track call
            hug = "\n" in args[-1] and args[-1][:1] == "{" and not any("\n" in a for a in args[:-1])
            code = f"{helper}({', '.join(args)})" if hug else self.call_text(helper, args, indent)
            # `analytics?.track(…)` sent nothing without a client: neither does the helper
            return self.maybe(client, code, seg) if recv.endswith("?.") else (code, PROMISE)
        if isinstance(op, IdentifyOp):
            opts = self.options(op.options)
            parts = [self.identify(op.identify, indent + self.unit, seg.args.get("traits"))] + ([opts] if opts else [])
            return self.call_text(f"{recv}identify", parts, indent), PROMISE
        if isinstance(op, SetGroup):
            kind, group, options = op.group_type, op.group, op.options
            opts = self.options(options)
            args = [self.value(kind), self.value(group)] + ([opts] if opts else [])
            return f"{recv}setGroup({', '.join(args)})", PROMISE
        if isinstance(op, GroupIdentify):
            kind, group, identify, options = op.group_type, op.group, op.identify, op.options
            opts = self.options(options)
            args = [self.value(kind), self.value(group),
                    self.identify(identify, indent + self.unit, seg.args.get("traits"))] + ([opts] if opts else [])
            return self.call_text(f"{recv}groupIdentify", args, indent), PROMISE
        if isinstance(op, SetUserId):
            return f"{recv}setUserId({self.value(op.user_id)})", VOID
        if isinstance(op, SetDeviceId):
            return f"{recv}setDeviceId({self.value(op.device_id)})", VOID
        if isinstance(op, Reset):
            return f"{recv}reset()", VOID
        if isinstance(op, Flush) and op.helper:   # the profile's helper, given the client to flush
            helper = self.profile.get('helpers')[op.helper]['name']
            if recv.endswith("?."):   # `analytics?.flush()` did nothing without a client: so does the helper
                return self.maybe(recv[:-2], f"{helper}({recv[:-2]})", seg)
            return f"{helper}({recv[:-1]})", PROMISE
        if isinstance(op, Flush):
            return f"{recv}flush()", PROMISE
        if isinstance(op, Init):   # an init that waits for the stored ids (op.wrap) is a thenable
            client = recv[:-2] if recv.endswith("?.") else recv[:-1]
            op = guards.rename_guards(self, seg.handle.node, op) if seg.handle is not None else op
            return self.init_call(client, op, indent), "thenable" if op.wrap else self.profile.returns
        raise TypeError(f"no JS spelling for {op!r}")

    @staticmethod
    def maybe(client: str, code: str, seg: SegmentCall) -> tuple[str, str]:
        """A helper call on an optional receiver: made only when there is a client."""
        if seg.use == C.STATEMENT and seg.callback is None:
            return f"{client} && {code}", VOID
        return f"({client} ? {code} : undefined)", MAYBE_PROMISE

    def init_args(self, op: Init, indent: Optional[str] = None) -> str:
        opts = self.object_text([(self.profile.field_name(k) or k, self.value(v)) for k, v in op.options], indent)
        key = self.value(op.key)
        if self.profile.get("init_args") == "key_user_options":
            return f"{key}, undefined, {opts}"
        return f"{key}, {opts}"

    def init_call(self, client: str, op: Init, indent: Optional[str] = None) -> str:
        self.needs_ns = True
        text = self.profile.get("init").format(client=client, args=self.init_args(op, indent))
        return op.wrap.format(init=text + ".promise") if op.wrap else text

    def create(self) -> str:
        self.needs_ns = True
        return self.profile.get("create").format(ns=self.ns)

    # --- calls ---------------------------------------------------------------------------------
    def recv(self, site: Site) -> str:
        """What to call Amplitude methods on: the client itself, the namespace for the snippet,
        nothing for a method destructured off the client (the pattern gets the names used)."""
        if site.member is None:
            return ""
        if site.client.snippet:
            opt = "?." if any(c.type == "optional_chain" for c in site.member.children) else "."
            return self.global_for(site.receiver) + opt
        opt = "?." if any(c.type == "optional_chain" for c in site.member.children) else "."
        # `analytics!.track` keeps its `!` (tsc); a cast goes with the Segment type it names
        written = site.member.child_by_field_name("object") if site.member.type == "member_expression" else None
        bang = written is not None and written.type == "non_null_expression"
        return self.jf.text(written if bang else site.receiver) + opt

    def print_call(self, seg: SegmentCall, plan: Plan, blocks: Optional[str] = None,
                   pattern: Optional[int] = None) -> None:
        site: Site = seg.handle
        if pattern is not None:   # a destructured method: its pattern must hold what the call now uses
            used = self.patterns.setdefault(pattern, set())
            names = {seg.method} if plan.blocked else {OP_METHODS[type(op)] for op in plan.ops if type(op) in OP_METHODS}
            used |= names
            self.became.setdefault((pattern, seg.method), set()).update(names)
        if plan.blocked:
            self.report_issues(plan.issues, site.node, blocks=blocks)
            self.left_calls.add(site.node.id)
            return
        self.helpers.update(plan.helpers)
        self.space = self.global_for(site.receiver) if site.client.snippet else None
        try:
            commented = self._print_ops(seg, plan, site, pattern)
        finally:
            self.space = None
        # a call that could not be commented out stays as it is: its notes say why
        self.report_issues(plan.issues, site.node, force_note=commented is False)

    def _print_ops(self, seg: SegmentCall, plan: Plan, site: Site, pattern: Optional[int]) -> Optional[bool]:
        """The call's edits; for a comment-out plan, whether the statement could be commented out."""
        if plan.ops and isinstance(plan.ops[0], CommentOut):
            return self.comment_out(site.node, plan.ops[0].message)
        if not plan.ops:   # nothing to send (its findings say why): the statement goes
            return self.remove_statement(site.node)
        if seg.method == "track" and len(plan.ops) == 1 and isinstance(plan.ops[0], Track) and not plan.deliver \
                and not site.rebuild:
            self.track_in_place(seg, plan, plan.ops[0])
        else:
            indent = self.indent_of(site.node)
            recv = self.recv(site)
            if plan.deliver and pattern is not None:
                self.patterns[pattern].add("flush")
            self.emit(site, plan, [self.op_text(op, recv, indent, seg) for op in plan.ops], recv)
        return None

    def emit(self, site: Site, plan: Plan, ops: list[tuple[str, str]], recv: str = "") -> None:
        """Replace the call with ops [(code, returns)]: one expression, statements, or a sequence."""
        node = site.node
        last_code, last_ret = ops[-1]
        promise = "?.promise" if last_ret == MAYBE_PROMISE else ".promise"
        last_ret = PROMISE if last_ret == MAYBE_PROMISE else last_ret
        if plan.deliver and last_ret == PROMISE:
            last_code, last_ret = self.delivered(node, plan, last_code, recv), "thenable"
        if plan.callback is not None and last_ret == "thenable":
            last_code = f"{last_code}.then({self.callback_text(plan)})"
        elif plan.callback is not None:
            cb = self.callback_text(plan)
            last_code = f"{last_code}{promise}.then({cb})" if last_ret == PROMISE else f"Promise.resolve({last_code}).then({cb})"
            last_ret = "thenable"
        if plan.use in (C.AWAITED, C.CHAINED, C.VALUE) and last_ret == PROMISE:
            last_code += promise
        elif plan.use == C.CHAINED and last_ret == VOID:
            last_code = f"Promise.resolve({last_code})"
        codes = [c for c, _ in ops[:-1]] + [last_code]
        if len(codes) == 1:
            stmt = node.parent if node.parent is not None and node.parent.type == "expression_statement" else None
            # a statement that now opens with `(` would continue the line before it without a `;`
            asi = ";" if codes[0][:1] == "(" and not self.semi and stmt is not None and stmt.start_byte == node.start_byte else ""
            self.edit(node.start_byte, node.end_byte, asi + codes[0])
            return
        stmt, wrapped = node.parent, node
        if stmt is not None and stmt.type == "await_expression":
            wrapped, stmt = stmt, stmt.parent
        if stmt is not None and stmt.type == "expression_statement" and stmt.parent is not None and \
                stmt.parent.type in ("program", "statement_block", "switch_case", "switch_default"):
            sep = (";" if self.semi else "") + "\n" + self.indent_of(stmt)
            if wrapped is not node:
                codes[-1] = "await " + codes[-1]
            self.edit(wrapped.start_byte, wrapped.end_byte, sep.join(codes))
        else:
            self.edit(node.start_byte, node.end_byte, "(" + ", ".join(codes) + ")")

    @staticmethod
    def callback_text(plan: Plan) -> str:
        """The callback as the promise's then() calls it (plan.callback_wrap adapts its argument)."""
        cb = plan.callback
        if not plan.callback_wrap:
            return cb.text
        args = ", ".join(["undefined"] * (cb.params or 1))   # flush_callback: what Segment passed on success
        return plan.callback_wrap.format(callback=cb.text if cb.simple else f"({cb.text})", args=args)

    def delivered(self, node: Node, plan: Plan, code: str, recv: str) -> str:
        """The call's promise, with a flush so that it resolves on delivery (plan.deliver); its
        Result stays the value unless the await discards it."""
        out = f"Promise.all([{code}.promise, {recv}flush().promise])"
        awaited = node.parent if node.parent is not None and node.parent.type == "await_expression" else None
        discarded = plan.callback is None and awaited is not None and awaited.parent is not None and \
            awaited.parent.type == "expression_statement"
        return out if discarded else out + ".then(([result]) => result)"

    def track_in_place(self, seg: SegmentCall, plan: Plan, op: Track) -> None:
        """track keeps its shape, so only what differs is edited: comments inside the call stay."""
        site: Site = seg.handle
        props, options = site.roles.get("properties"), site.roles.get("options")
        edits: list[tuple[int, int, str]] = []
        if props is not None and op.properties is None and unwrap(props).type == "null":
            edits.append((props.start_byte, props.end_byte, "undefined"))
        if options is not None:
            new = self.options(op.options)
            if new and new != self.jf.text(options):
                edits.append((options.start_byte, options.end_byte, new))
            elif not new:
                edits.append((props.end_byte, options.end_byte, ""))
        if site.callback is not None:
            prev = site.args[-1] if site.args else None
            edits.append((prev.end_byte if prev is not None else site.callback.start_byte, site.callback.end_byte, ""))
        self.edit_in_place(site, plan, edits)

    def edit_in_place(self, site: Site, plan: Plan, inner: list[tuple[int, int, str]]) -> None:
        """Edit inside the call (receiver, some arguments) and append what its use needs."""
        if site.client.snippet:   # the loader's global; `?.` stays: a page without the loader has none
            inner = [(site.receiver.start_byte, site.receiver.end_byte, self.space or self.global_for(site.receiver))] + inner
        elif (cast := segment_cast_receiver(self.jf, site)) is not None:
            inner = [(cast.start_byte, cast.end_byte, self.jf.text(site.receiver))] + inner
        suffix = ""
        if plan.callback is not None:
            suffix = f".promise.then({self.callback_text(plan)})"
        elif plan.use in (C.AWAITED, C.CHAINED, C.VALUE) and plan.returns == PROMISE:
            suffix = ".promise"
        for start, end, text in inner:
            self.edit(start, end, text)
        if suffix:
            self.analysis.edits.append(Edit(site.node.end_byte, site.node.end_byte, suffix))
        elif not inner:
            self.covered.append((site.node.start_byte, site.node.end_byte))

    def comment_out(self, node: Node, message: str) -> bool:
        """Replace the statement by a TODO line and the original, commented out line by line."""
        stmt = node.parent
        if stmt is not None and stmt.type == "await_expression":
            stmt = stmt.parent
        if stmt is None or stmt.type != "expression_statement" or \
                stmt.parent is None or stmt.parent.type not in ("program", "statement_block"):
            return False
        indent = self.indent_of(stmt)
        original = self.jf.text(stmt).replace("\r\n", "\n").split("\n")
        body = [original[0]] + [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in original[1:]]
        text = f"// {MARK} {message}" + "".join(f"\n{indent}// {line}" for line in body)
        self.edit(stmt.start_byte, stmt.end_byte, text)
        return True

    def remove_statement(self, node: Node) -> bool:
        """Delete the statement the call is (with its line, when it has one to itself)."""
        stmt = node.parent.parent if node.parent is not None and node.parent.type == "await_expression" else node.parent
        if stmt is None or stmt.type != "expression_statement" or stmt.parent is None or \
                stmt.parent.type not in ("program", "statement_block"):
            return False
        data = self.src.data
        start, end = stmt.start_byte, self._line_end(stmt.end_byte)
        line_start = data.rfind(b"\n", 0, start) + 1
        if data[line_start:start].strip() == b"" and end > stmt.end_byte:
            start = line_start
        else:
            end = stmt.end_byte
        self.edit(start, end, "")
        return True

    def rewrite_patterns(self) -> None:
        """`const { track, page } = useAnalytics()`: the names the converted calls use, the
        Amplitude methods already named, nothing else (Amplitude's client has no page())."""
        if not self.patterns:
            return
        by_id = {n.id: n for n in self.jf.nodes if n.type == "object_pattern"}
        for pattern_id, used in self.patterns.items():
            pattern = by_id.get(pattern_id)
            if pattern is None:
                continue
            written = [self.jf.text(c) for c in pattern.named_children if c.type == "shorthand_property_identifier_pattern"]
            keep = [n for n in written if n in used or n in OP_METHODS.values()]
            keep += sorted(n for n in used if n not in keep)
            self.kept_names[pattern_id] = set(keep)
            if keep != written:
                self.edit(pattern.start_byte, pattern.end_byte, "{ " + ", ".join(keep) + " }")

    # --- client construction -------------------------------------------------------------------
    def print_construction(self, seg: SegmentCall, plan: Plan, blocks: Optional[str] = None) -> None:
        """AnalyticsBrowser.load(...): a declared client keeps its name and becomes
        create() + init(); anywhere else both happen in one expression."""
        site: Site = seg.handle
        call = site.node
        if plan.blocked:
            self.report_issues(plan.issues, call, blocks=blocks)
            return
        init: Init = guards.rename_guards(self, call, plan.ops[0])
        self.helpers.update(plan.helpers)
        decl, ternary = conditional.holder_of(call)
        stmt = decl.parent if decl is not None and decl.type == "variable_declarator" else None
        holder = stmt.parent if stmt is not None and stmt.parent is not None and stmt.parent.type == "export_statement" else stmt
        if stmt is not None and stmt.type in ("lexical_declaration", "variable_declaration") and \
                len([d for d in stmt.named_children if d.type == "variable_declarator"]) == 1 and \
                decl.child_by_field_name("name").type == "identifier" and holder.parent is not None and \
                holder.parent.type in ("program", "statement_block") and \
                (ternary is None or (made := conditional.init_when_made(self, ternary, seg, init)) is not None):
            # a client made conditionally: `key ? create() : undefined`, then `analytics?.init(…)`
            init = made if ternary is not None else init
            var = self.jf.text(decl.child_by_field_name("name"))
            # `key && load(…)` holds the falsy key when no client is made ('' has no ?.init)
            guard = f"{var} && " if ternary is not None and ternary.type == "binary_expression" else ""
            name = var + ("?" if ternary is not None and not guard else "")
            self.edit(call.start_byte, call.end_byte, self.create())
            semi = ";" if self.semi else ""
            pad = "\n" + self.indent_of(holder)
            lines = [guard + line for line in [self.init_call(name, init, self.indent_of(holder))] +
                     self._at_load(plan, name + ".", self.indent_of(holder), seg)]
            # the settings' comments (why a key, a @ts-ignore) go with the init that replaces them
            kept = setting_comments.kept_comments(self.jf, call, "".join(lines), plan.issues)
            self.edit(holder.end_byte, holder.end_byte,
                      "".join(f"{pad}{c}" for c in kept) + "".join(f"{pad}{line}{semi}" for line in lines))
        elif decl is not None and decl.type == "arrow_function" and decl.child_by_field_name("body") == call:
            rest = "".join(f"{line}; " for line in self._at_load(plan, "client.", "", seg))
            self.edit(call.start_byte, call.end_byte,
                      f"{{ const client = {self.create()}; {self.init_call('client', init)}; {rest}return client }}")
        else:  # an expression position (class field, argument)
            rest = "".join(f"{line}; " for line in self._at_load(plan, "client.", "", seg))
            self.edit(call.start_byte, call.end_byte,
                      f"(() => {{ const client = {self.create()}; {self.init_call('client', init)}; {rest}return client; }})()")
        self.report_issues(plan.issues, call)

    def _at_load(self, plan: Plan, recv: str, indent: str, seg: SegmentCall) -> list[str]:
        """The operations after init (an initial page view), as calls on the new client."""
        return [self.op_text(op, recv, indent, seg)[0] for op in plan.ops[1:] if isinstance(op, Track)]

    def print_new(self, node: Node) -> None:
        """new AnalyticsBrowser(): the client, not loaded yet (its load() becomes init())."""
        self.edit(node.start_byte, node.end_byte, self.create())
        self.report("client-converted", node, target=self.profile.package)

    # --- types ---------------------------------------------------------------------------------
    def rewrite_types(self, seg_types: dict[str, str], within: Optional[list] = None) -> None:
        """Segment types in annotations: the client type from the profile, others from the
        table; with `within`, only inside those (start, end) ranges."""
        jf = self.jf
        for n in jf.nodes:
            if within is not None and not any(s <= n.start_byte < e for s, e in within):
                continue
            if n.type == "type_identifier":
                mapped = seg_types.get(jf.seg_imports.get(jf.text(n)) or "")
            elif n.type == "nested_type_identifier":
                parts = jf.text(n).split(".")
                mapped = seg_types.get(parts[-1]) if len(parts) == 2 and jf.seg_imports.get(parts[0]) == "*" else None
            else:
                continue
            if mapped is None or self.is_covered(n):
                continue
            if mapped == "client":
                self.needs_ns = True
                self.edit(n.start_byte, n.end_byte, self.profile.get("types")["client"].format(ns=self.ns))
            else:
                self.edit(n.start_byte, n.end_byte, mapped)

    def rewrite_node_types(self, within: Optional[list] = None) -> None:
        """A Node SDK's client type in annotations (`Analytics`, `seg.Analytics`) -> the profile's."""
        jf = self.jf
        for n in jf.nodes:
            if within is not None and not any(s <= n.start_byte < e for s, e in within):
                continue
            if n.type == "type_identifier":
                mapped = jf.node_type(jf.text(n))
            elif n.type == "nested_type_identifier":
                ns, _, name = jf.text(n).partition(".")
                package = jf.node_imports.get(ns, "")
                mapped = NODE_SDKS[package]["types"].get(name) if package in NODE_SDKS and jf.node_names.get(ns) == "*" else None
            else:
                continue
            if mapped == "client" and not self.is_covered(n):
                self.needs_ns = True
                self.edit(n.start_byte, n.end_byte, self.profile.get("types")["client"].format(ns=self.ns))

    def flush_notes(self) -> None:
        self.analysis.edits += self.notes.edits()
        self.write_helpers()

    def write_helpers(self) -> None:
        """The profile's helper functions the output calls, once, at the end of the file (a
        function declaration is hoisted, so every call above it sees it)."""
        data = self.src.data
        texts = []
        names = set(self.helpers)
        if self.global_used and self.jf.typescript:   # tsc has to know the loader's global
            names |= set(self.profile.get("global_type_helpers", ()))
        # a TS file with no import or export is a script: its top-level declarations are global
        script = self.jf.typescript and not (self.jf.is_module or self.needs_ns)
        for name in sorted(names):
            helper = self.profile.get("helpers")[name]
            text = helper.get("ts_script", helper["ts"]) if script else helper["ts" if self.jf.typescript else "js"]
            declared = re.search(r"function\s+([\w$]+)", text)
            if not text or (declared and re.search(rb"function\s+" + re.escape(declared.group(1).encode()) + rb"\b", data)) \
                    or ("declared" in helper and re.search(helper["declared"].encode(), data)):
                continue
            texts.append(reindent(text, self.unit))
        if texts:
            # before the indent that closes an inline <script> block, so `</script>` keeps its place
            pos = len(data.rstrip(b" \t")) if data.rstrip(b" \t").endswith(b"\n") else len(data)
            lead = "\n" if data[:pos].endswith(b"\n") or not pos else "\n\n"
            self.analysis.edits.append(Edit(pos, pos, lead + "\n".join(texts)))

    # --- imports -------------------------------------------------------------------------------
    def _still_referenced(self, name: str, skip: tuple[int, int]) -> bool:
        for n in self.jf.nodes:
            if n.type in ("identifier", "type_identifier") and self.jf.text(n) == name:
                if not (skip[0] <= n.start_byte < skip[1]) and not self.is_covered(n):
                    return True
            elif n.type == "nested_type_identifier" and self.jf.text(n).startswith(name + ".") and not self.is_covered(n):
                return True
        return False

    def import_line(self) -> str:
        semi = ";" if self.semi else ""
        pkg = self.q(self.profile.package)
        if self.jf.uses_require and not self.jf.is_module and not self.jf.typescript:
            return f"const {self.ns} = require({pkg}){semi}"
        return f"import * as {self.ns} from {pkg}{semi}"

    def fix_imports(self, segment_package: str, stmts: Optional[list[Node]] = None) -> None:
        """Segment imports (`stmts`, else the browser SDK's) go once nothing uses them (the first
        becomes the Amplitude import); the namespace import is added where the output uses it."""
        jf = self.jf
        edited = bool(self.analysis.edits)
        replaced = False
        have_ns = any(s.type == "import_statement" and import_source(s) == self.profile.package
                      for s in jf.root.named_children)
        for stmt in (jf.seg_import_stmts if stmts is None else stmts) if edited else []:
            locals_ = import_locals(stmt) if stmt.type == "import_statement" else [
                ident for d in stmt.named_children if d.type == "variable_declarator"
                for ident in pattern_names(d.child_by_field_name("name"))]
            unused = [l for l in locals_ if not self._still_referenced(jf.text(l), (stmt.start_byte, stmt.end_byte))]
            if unused and len(unused) == len(locals_):
                if self.needs_ns and not have_ns and not replaced:
                    self.analysis.edits.append(Edit(stmt.start_byte, stmt.end_byte, self.import_line()))
                    replaced = True
                else:
                    self.analysis.edits.append(Edit(stmt.start_byte, self._line_end(stmt.end_byte), ""))
                continue
            self._drop_specifiers(unused)
            kept = [jf.text(l) for l in locals_ if l not in unused]
            # reported without a note: imports are fixed after the notes are written (as before the port)
            self.report("segment-import-kept", stmt, names=", ".join(kept), package=segment_package)
        if self.needs_ns and not have_ns and not replaced:
            self._add_import()

    def _line_end(self, end: int) -> int:
        data = self.src.data
        if data[end:end + 1] == b"\n":
            return end + 1
        if data[end:end + 2] == b"\r\n":
            return end + 2
        return end

    def _drop_specifiers(self, locals_: list[Node]) -> None:
        """Remove these names from their import, with one comma each; neighbours removed
        together make one edit (edits must never overlap)."""
        data = self.src.data
        spans = sorted(s for s in (self._specifier_span(l) for l in locals_) if s is not None)
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            if not data[:end].rstrip(b" ").endswith(b","):   # the last names: take the comma before them
                prev = data[:start].rstrip(b" \t\n")
                if prev.endswith(b","):
                    start = len(prev) - 1
            self.analysis.edits.append(Edit(start, end, ""))

    def _specifier_span(self, local: Node) -> Optional[tuple[int, int]]:
        spec = local.parent
        while spec is not None and spec.type not in ("import_specifier", "namespace_import",
                                                      "shorthand_property_identifier_pattern", "pair_pattern"):
            spec = spec.parent
        if spec is None:
            return None
        data = self.src.data
        start, end = spec.start_byte, spec.end_byte
        nxt = data[end:].lstrip(b" \t")
        if nxt.startswith(b","):   # with its comma and the space after it
            end = end + (len(data[end:]) - len(nxt)) + 1
            while data[end:end + 1] == b" ":
                end += 1
        return start, end

    def _add_import(self) -> None:
        jf = self.jf
        if jf.html or (not jf.is_module and not jf.typescript and not jf.uses_require):
            # A classic script: the target's loader defines the global (window.amplitude).
            if jf.html or not jf.seg_import_stmts:
                return
        anchor = [s for s in jf.root.named_children if s.type == "import_statement"]
        if anchor:
            end = anchor[-1].end_byte
            self.analysis.edits.append(Edit(end, end, "\n" + self.import_line()))
            return
        pos = self._prologue_end()
        gap = "" if self.src.data[pos:pos + 1] in (b"\n", b"\r") else "\n"
        self.analysis.edits.append(Edit(pos, pos, self.import_line() + "\n" + gap))

    def _prologue_end(self) -> int:
        """After a shebang, leading comments and 'use client'-style directives."""
        pos = 0
        for stmt in self.jf.root.children:
            if stmt.type in ("hash_bang_line", "comment"):
                pos = stmt.end_byte
                continue
            if stmt.type == "expression_statement" and stmt.named_children and stmt.named_children[0].type == "string":
                pos = stmt.end_byte
                continue
            break
        if pos:
            nl = self.src.data.find(b"\n", pos)
            return len(self.src.data) if nl == -1 else nl + 1
        return 0
