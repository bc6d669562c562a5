"""One file's rewrite: walk it, match each Segment use, ask the mapping, print the plan, place
the edits (calls, settings, constructors, references, imports) and the TODO(segamp) notes."""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from ...core import findings, mapping
from ...core.calls import Expr, SegmentCall
from ...core.notes import Notes
from ...core.plan import CommentOut, Flush, Init, Plan, SetConfig, Shutdown
from ...core.profiles import Profile
from ...model import Analysis, Edit
from ...source import SourceFile
from ..base import ProjectContext
from .fastcst import concrete_subclasses, dotted_name
from .bind import SEG_FUNCTIONS, Binder, Facts, span
from .match import ANNOTATION_TYPES, SIGNATURES, Describer, match_call, match_client, match_setting
from .home import HomeMixin
from .keys import HOMES
from .printer import Printer
from .constants import key_constant
from .uses import convert_mock_targets, leaves_segment_code, reference_key, report_shadowed_write_key, report_value_uses

LANGUAGE = "python"
# what statement_of() stops at: a statement line or any compound statement
STATEMENT_TYPES = frozenset({cst.SimpleStatementLine, *concrete_subclasses(cst.BaseCompoundStatement)})


class FileRewrite(HomeMixin):
    def __init__(self, source: SourceFile, ctx: ProjectContext, facts: Facts, profile: Profile):
        self.src = source
        self.ctx = ctx
        self.f = facts
        self.b: Binder = facts.binder
        self.profile = profile
        self.analysis = Analysis()
        self.notes = Notes(source.data, "#")
        self.file_names = self._all_names()
        self.printer = Printer(profile, set(self.file_names))
        self.printer.origin_indent = self._origin_indent
        self.describe = Describer(self.code, lambda node: span(facts, node)[0], source.data, self._declared_type,
                                  lambda name: key_constant(facts, name, source.path, ctx.cache))
        self.replaced_spans: list[tuple[int, int]] = []
        self.home_mode = "none"  # "fold" | "early" | "shared" | "create" | "import" | "blocked" | "none" (home.py)
        self.home_import: Optional[tuple[str, str]] = None
        self.early_client: Optional[Init] = None
        self.split_lines: dict[int, str] = {}   # id(line) -> indentation of its statements, once split

    # --- small helpers --------------------------------------------------------------------
    def _all_names(self) -> set[str]:
        return {n.value for n in self.f.nodes_of(cst.Name)}

    def _declared_type(self, name: cst.Name) -> Optional[str]:
        """A name bound only to a parameter annotated str / int / float / bool (or Optional of
        one): that type. An annotation is what the code promises; Segment's str() of a str is
        the str itself, so trusting it never changes what is sent for a value that keeps it."""
        scope = self.f.scopes.get(name)
        if scope is None or name.value not in scope:
            return None
        found = set()
        for assignment in scope[name.value]:
            node = getattr(assignment, "node", None)
            if not isinstance(node, cst.Param) or node.annotation is None:
                return None
            found.add(_annotation_type(node.annotation.annotation))
        return found.pop() if len(found) == 1 else None

    def _origin_indent(self, node: cst.CSTNode) -> Optional[str]:
        """The indentation of the line an expression starts on, for moving its continuation
        lines with it; None when it holds a string spanning lines (moving would change it)."""
        if "\n" not in self.code(node):
            return None
        strings = self.f.nodes_under(node, cst.SimpleString, cst.FormattedString)
        if strings is None:
            strings = []
            node.visit(_Strings(strings))
        if any("\n" in self.code(n) for n in strings):
            return None
        return self.src.line_indent(span(self.f, node)[0])

    def code(self, node: cst.CSTNode) -> str:
        start, end = span(self.f, node)
        return self.src.data[start:end].decode("utf-8")

    def pos(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.src.line_col(span(self.f, node)[0])

    def edit(self, start: int, end: int, text: str) -> None:
        self.analysis.edits.append(Edit(start, end, text))
        self.replaced_spans.append((start, end))

    def replace(self, node: cst.CSTNode, text: str) -> None:
        start, end = span(self.f, node)
        if self.src.data[start:end].decode("utf-8") != text:
            self.edit(start, end, text)
        else:
            self.replaced_spans.append((start, end))

    def keep(self, node: cst.CSTNode) -> None:
        """Nothing inside node is touched again."""
        self.replaced_spans.append(span(self.f, node))

    def inside_replaced(self, node: cst.CSTNode) -> bool:
        replaced = self.replaced_spans
        if not replaced:
            return False
        # most nodes asked about are in statements no edit reached, whose spans are never
        # generated (fastcst.Spans): their bounds say so first
        lo, hi = self.f.spans.bounds(node)
        if not any(s <= hi and lo <= e for s, e in replaced):
            return False
        start, end = span(self.f, node)
        return any(s <= start and end <= e for s, e in replaced)

    def line_start(self, node: cst.CSTNode) -> int:
        return self.src.data.rfind(b"\n", 0, span(self.f, node)[0]) + 1

    def indent(self, node: cst.CSTNode) -> str:
        return self.src.line_indent(span(self.f, node)[0])

    def statement_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        cur: Optional[cst.CSTNode] = node
        parents = self.f.parents
        # a set of final classes, not isinstance: BaseCompoundStatement is an ABC, and this
        # runs for most names in a file
        while cur is not None and type(cur) not in STATEMENT_TYPES:
            cur = parents.get(cur)
        return cur

    def sole_expression_statement(self, call: cst.Call) -> Optional[cst.SimpleStatementLine]:
        """The statement line when `call` is its only statement (so it may become several)."""
        expr = self.f.parents.get(call)
        if not isinstance(expr, cst.Expr):
            return None
        line = self.f.parents.get(expr)
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            return line
        return None

    def _one_line_suite(self, call: cst.Call):
        """The line when `call` is a whole statement sharing it with others (`a(); b()`) or
        the body of a one-line suite (`if flag: a()`); else None."""
        expr = self.f.parents.get(call)
        if not isinstance(expr, cst.Expr):
            return None
        line = self.f.parents.get(expr)
        return line if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else None

    def _split_line(self, line: cst.CSTNode) -> str:
        """Every statement of the line on a line of its own (a one-line suite becomes an
        indented block); returns their indentation. Once per line."""
        done = self.split_lines
        if id(line) in done:
            return done[id(line)]
        body = line.body  # type: ignore[attr-defined]
        indent = self.indent(line)
        data = self.src.data
        if isinstance(line, cst.SimpleStatementSuite):
            indent += "    " if not indent.startswith("\t") else "\t"
            start = span(self.f, body[0])[0]
            ws = start
            while ws > 0 and data[ws - 1:ws] in (b" ", b"\t"):
                ws -= 1
            self.analysis.edits.append(Edit(ws, start, "\n" + indent))
        for before, after in zip(body, body[1:]):
            self.analysis.edits.append(Edit(span(self.f, before)[1], span(self.f, after)[0], "\n" + indent))
        done[id(line)] = indent
        return indent

    def only_statement_in_block(self, stmt: cst.CSTNode) -> bool:
        parent = self.f.parents.get(stmt)
        return isinstance(parent, cst.IndentedBlock) and len(parent.body) == 1

    # --- findings and notes -----------------------------------------------------------
    def report(self, plan: Plan, node: cst.CSTNode, key: Optional[str] = None) -> None:
        """The plan's issues as findings at their place; noted ones above their statement. A
        plan that leaves the call keeps its client (key) from migrating."""
        blocks = key if plan.blocked else None
        for issue in plan.issues:
            at = issue.at.handle if isinstance(issue.at, Expr) and issue.at.handle is not None else node
            self.finding(issue.rule, at, note=issue.note, blocks=blocks, **dict(issue.params))

    def finding(self, rule: str, node: cst.CSTNode, note: bool = False, blocks: Optional[str] = None,
                note_at: Optional[cst.CSTNode] = None, **params: str) -> None:
        line, col = self.pos(node)
        found = findings.make(rule, line, col, LANGUAGE, blocks=blocks, **params)
        self.analysis.findings.append(found)
        if note:
            self.notes.add_finding(self._statement_start(note_at or node), found)

    def _statement_start(self, node: cst.CSTNode) -> int:
        stmt = node if isinstance(node, cst.Decorator) else self.statement_of(node) or node
        start = span(self.f, stmt)[0]
        line_start = self.src.data.rfind(b"\n", 0, start) + 1
        if start == line_start:  # a span that includes the indentation: the note takes it
            start += len(self.src.line_indent(start))
        return start

    def plan(self, call: SegmentCall) -> Plan:
        return mapping.map_call(call, self.profile, self.ctx.config)

    # --- the run ----------------------------------------------------------------------
    def run(self) -> Analysis:
        self._run()
        self.analysis.clients = self.b.client_infos()
        return self.analysis

    def _run(self) -> None:
        calls, assigns, imports, refs = self._collect()
        report_shadowed_write_key(self, assigns)
        seg_imports = [s for s in imports if self.segment_import_parts(s)]
        if not seg_imports and not self._has_bound_calls(calls) and not self._names_project_client(refs):
            if self.ctx.cache.get(HOMES):  # maybe a test that patches a Segment function by name
                convert_mock_targets(self)
                self.analysis.edits.extend(self.notes.edits())
            return
        # the module this file imports, called under another name (an imported client is the home's)
        self._plan_home(assigns, bool(seg_imports) and self._module_alias_calls(calls))
        settings = [(n, t) for n in assigns if len(n.targets) == 1 and isinstance(t := n.targets[0].target, cst.Attribute)]
        module = self.b.module_key()
        for node, target in settings:
            if not self.b.seg_module_raw(target.value) and self.b.is_client_receiver(target.value) \
                    and self.b.client_key(target.value) == module:
                # the module under another name (`self._analytics.write_key = k`): where its
                # key is set, and so where the one client goes, is not known with certainty
                self.finding("module-setting-via-alias", node, blocks=module, text=self.code(target), attr=target.attr.value)
                self.keep(node)
        if self.home_mode == "blocked":
            return
        for node, target in settings:  # settings on the module (write_key, host, ...) or on a client
            if self.b.is_seg_module(target.value):
                self._convert_setting(node, target)
            elif self.b.is_client_receiver(target.value) and self.b.client_key(target.value) != module:
                self._convert_setting(node, target, self.code(target.value), self.b.client_key(target.value))
        # Client.DefaultConfig.x read inside a constructor's arguments: spelled as its value there
        self.printer.substitutions = self._default_config_texts(refs)
        # constructors first (their spans contain arguments we must not touch twice)
        # (the tests are ordered so that only Segment calls ask for their spans: a span is
        # generated per module statement on first use, and most statements need none)
        for call in calls:
            if self.b.is_constructor(call) and not self.inside_replaced(call):
                self._convert_constructor(call)
        for call in calls:
            function = self.module_function(call.func)
            if function is not None and not self.inside_replaced(call):
                self._convert_call(call, self.function_client_name(), self.b.module_key(), function)
            if not isinstance(call.func, cst.Attribute):
                continue
            recv = call.func.value
            if self.b.is_seg_module(recv):
                if not self.inside_replaced(call):
                    self._convert_call(call, self.client_name_for_module(recv), self.b.module_key())
            elif self.b.is_client_receiver(recv) and not self.inside_replaced(call):
                self._convert_call(call, self.code(recv), self.b.client_key(recv))
        report_value_uses(self, refs, calls)
        self._convert_references(refs)
        convert_mock_targets(self)
        if leaves_segment_code(self, refs, calls):
            # a client left by the closure rule still needs its Segment imports here
            self._add_amplitude_imports(imports)
        else:
            self._rewrite_imports(seg_imports, imports)
        for node, text in self.printer.renamed_at.values():  # a key constant's env var, where it is defined
            self.replace(node, text)
        self.analysis.edits.extend(self.notes.edits())

    def _collect(self):
        f = self.f
        imports = [s for s in f.nodes_of(cst.SimpleStatementLine)
                   if any(isinstance(x, (cst.Import, cst.ImportFrom)) for x in s.body)]
        return list(f.nodes_of(cst.Call)), list(f.nodes_of(cst.Assign)), imports, f.nodes_of(cst.Name, cst.Attribute)

    def _has_bound_calls(self, calls: list[cst.Call]) -> bool:
        return any(isinstance(c.func, cst.Attribute) and self.b.is_client_receiver(c.func.value) for c in calls)

    def _names_project_client(self, refs: list[cst.CSTNode]) -> bool:
        """A client or factory another module exports is used here (maybe only handed on)."""
        return any(isinstance(r, cst.Name) and self.b.imported_export(r) is not None for r in refs)

    def _in_import(self, node: cst.CSTNode) -> bool:
        stmt = self.statement_of(node)
        return type(stmt) is cst.SimpleStatementLine and any(type(s) in (cst.Import, cst.ImportFrom) for s in stmt.body)

    # --- settings, constructors, calls, references ----------------------------------------
    def _module_alias_calls(self, calls: list[cst.Call]) -> bool:
        """A call on the Segment module held under another name (`self._analytics = analytics`)."""
        module = self.b.module_key()
        return any(isinstance(c.func, cst.Attribute) and not self.b.seg_module_raw(c.func.value)
                   and self.b.client_key(c.func.value) == module for c in calls)

    def _convert_setting(self, node: cst.Assign, target: cst.Attribute, recv: Optional[str] = None,
                         key: Optional[str] = None) -> None:
        """`<module>.<setting> = v`, or (recv, key given) a setting on a client instance."""
        module = key is None
        recv = recv or self.client_name_for_module(target.value)
        key = key or self.b.module_key()
        plan = self.plan(match_setting(target.attr.value, node.value, node, self.describe))
        if plan.blocked or not module or not any(isinstance(op, Init) for op in plan.ops):
            self.report(plan, node, key)  # a module's write key: where it goes (home.py)
        if plan.blocked:
            self.keep(node)
            return
        if plan.ops and isinstance(plan.ops[0], CommentOut):  # no Amplitude equivalent: kept as a comment
            stmt = self.statement_of(node)
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
                self.replace(node, self.printer.comment_out("", self.code(node), self.indent(node),
                                                            self.only_statement_in_block(stmt)))
            else:
                self._remove_statement(stmt, node)
            return
        init = next((op for op in plan.ops if isinstance(op, Init)), None)
        if init is not None and not module:   # a client's key replaced after construction
            self.replace(node, f"{recv}.configuration.api_key = {self.printer.value(init.key)}")
            return
        if init is not None:
            self._convert_write_key(node, plan, init, recv)
            return
        settings = [self.printer.set_config(recv, op) for op in plan.ops if isinstance(op, SetConfig)]
        if settings:
            self.replace(node, ("\n" + self.indent(node)).join(settings))
        else:  # nothing Amplitude has: the statement goes (its finding says so)
            self._remove_statement(self.statement_of(node), node)

    def _convert_constructor(self, call: cst.Call) -> None:
        key = self.b.canonical(self.b.creation_key(call))
        if key in self.ctx.blocked:
            self.keep(call)
            return
        plan = self.plan(match_client(call, self.describe))
        self.report(plan, call, key)
        init = next((op for op in plan.ops if isinstance(op, Init)), None)
        if plan.blocked or init is None:
            self.keep(call)
            return
        after = [op for op in plan.ops if isinstance(op, SetConfig)]
        if after and self._construct_then_configure(call, init, after):
            return
        self.replace(call, self.printer.client(init))

    def _default_config_texts(self, refs: list[cst.CSTNode]) -> dict[str, str]:
        """Source text of each `Client.DefaultConfig.<known>` -> the value it held."""
        out = {}
        for ref in refs:
            default_config = self.f.parents.get(ref)
            if self.b.is_client_class(ref) and _is_attribute_of(default_config, ref, "DefaultConfig"):
                member = self.f.parents.get(default_config)
                if _is_attribute_of(member, default_config, None):
                    value = mapping.default_config_value("python", member.attr.value)  # type: ignore[union-attr]
                    if value is not None:
                        out[self.code(member)] = self.printer.value(value)
        return out

    def _construct_then_configure(self, call: cst.Call, init: Init, after: list[SetConfig]) -> bool:
        """Settings the constructor does not take, set on the new client's configuration right
        after the statement that creates it (`x = …` / `return …`). False: not such a statement."""
        parent = self.f.parents.get(call)
        stmt = self.statement_of(call)
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or stmt.body[0] is not parent:
            return False
        indent = self.indent(stmt)
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = self.code(parent.targets[0].target)
            lines = [f"{target} = {self.printer.client(init)}"]
        elif isinstance(parent, cst.AnnAssign) and parent.value is call:
            target = self.code(parent.target)
            lines = [f"{target}: {self.code(parent.annotation.annotation)} = {self.printer.client(init)}"]
        elif isinstance(parent, cst.Return):
            target = self.printer.fresh("client")
            lines = [f"{target} = {self.printer.client(init)}"]
        else:
            return False
        lines += [self.printer.set_config(target, op) for op in after]
        if isinstance(parent, cst.Return):
            lines.append(f"return {target}")
        self.replace(parent, ("\n" + indent).join(lines))
        return True

    def module_function(self, node: cst.CSTNode) -> Optional[str]:
        """The module client's method a name imported from the Segment module is, when that
        client migrates in this run."""
        method = self.b.seg_function(node)
        return method if method is not None and self.b.module_key() not in self.ctx.blocked else None

    def function_client_name(self) -> str:
        """The client that `from segment.analytics import track` functions become calls on."""
        return self.f.home_name if self.f.sets_write_key else (self.module_alias_name() or "analytics")

    def _convert_call(self, call: cst.Call, recv: str, key: Optional[str], method: Optional[str] = None) -> None:
        method = method or call.func.attr.value  # type: ignore[attr-defined]
        if method in ("write_key", "host", "Client"):
            return  # settings and constructors are converted on their own
        stmt = self.sole_expression_statement(call)
        line = None if stmt is not None else self._one_line_suite(call)
        plan = self.plan(match_call(call, method, self.describe, result_used=stmt is None and line is None))
        self.report(plan, call, key)
        if plan.blocked:
            self.keep(call)
            return
        if len(plan.ops) == 1 and isinstance(plan.ops[0], (Flush, Shutdown)):
            self.replace(call, f"{recv}.{'flush' if isinstance(plan.ops[0], Flush) else 'shutdown'}()")
            return
        if stmt is None and line is None:  # only flush and shutdown convert inside an expression
            self.keep(call)
            return
        # a statement sharing its line (`a(); b()`, `if x: a()`) gets a line of its own first
        indent = self.indent(stmt) if stmt is not None else self._split_line(line)
        if plan.ops and isinstance(plan.ops[0], CommentOut):
            alone = self.only_statement_in_block(stmt) if stmt is not None else (
                isinstance(line, cst.SimpleStatementSuite) and len(line.body) == 1)
            text = self.printer.comment_out(plan.ops[0].message, self.code(call), indent, alone)
            self.replace(call, text)
            return
        lines = self.printer.statements(plan.ops, recv, indent)
        # the call is rebuilt; its inner comments move above it, except those inside argument
        # text the new code copies (they are kept where they are)
        comments = _comments_not_in(_comments_inside(call), "\n".join(lines))
        text, comments = _keep_argument_comments(call, self.code, ("\n" + indent).join(lines), comments)
        self.replace(call, ("\n" + indent).join(comments + [text]))

    def _convert_references(self, refs: list[cst.CSTNode]) -> None:
        """Client in annotations and isinstance becomes Amplitude; other members of the Segment
        module have no counterpart."""
        for ref in self.b.import_rooted(refs):
            if self.inside_replaced(ref) or self._in_import(ref):
                continue
            parent = self.f.parents.get(ref)
            if self.b.is_client_class(ref) and _is_attribute_of(parent, ref, "DefaultConfig"):
                self._convert_default_config(ref, parent)
            elif self.b.is_client_class(ref):
                if not self.b.is_client_class(parent) and reference_key(self, ref) not in self.ctx.blocked:
                    self.replace(ref, self.printer.amp("Amplitude"))
            elif self.module_function(ref) is not None:
                self.method_reference(ref, self.function_client_name(), self.b.module_key(), self.module_function(ref))
            elif isinstance(ref, cst.Attribute) and self.b.is_seg_module(ref.value) and not self.b.is_seg_module(ref):
                if not self.method_reference(ref, self.client_name_for_module(ref.value), self.b.module_key()):
                    self.finding("client-member-reference", ref, note=True, blocks=self.b.module_key(),
                                 text=" ".join(self.code(ref).split()))
                    self.keep(ref)

    def method_reference(self, ref: cst.CSTNode, recv: str, key: Optional[str], method: Optional[str] = None) -> bool:
        """`client.flush` handed on as a function: the Amplitude method the mapping gives a call
        of it, when that takes no arguments either (flush, shutdown); a reference to a call
        method that takes Segment's arguments (track, identify, ...) is reported. False: not a
        Segment call method."""
        method = method or ref.attr.value  # type: ignore[attr-defined]
        if method not in SIGNATURES:
            return False
        plan = self.plan(SegmentCall(method, "python", handle=ref))
        if len(plan.ops) == 1 and isinstance(plan.ops[0], (Flush, Shutdown)):
            self.replace(ref, f"{recv}.{'flush' if isinstance(plan.ops[0], Flush) else 'shutdown'}")
            return True
        parent = self.f.parents.get(ref)
        call = self.f.parents.get(parent) if isinstance(parent, cst.Arg) else None
        where = f"to `{' '.join(self.code(call.func).split())}`" if isinstance(call, cst.Call) else "as a value"
        takes = mapping.source_table("python").get("methods", {}).get(method, "another call")
        self.finding("method-reference", ref, note=True, blocks=key, text=" ".join(self.code(ref).split()),
                     where=where, takes=takes)
        self.keep(ref)
        return True

    def _convert_default_config(self, ref: cst.CSTNode, default_config: cst.Attribute) -> None:
        """`Client.DefaultConfig.timeout` is the value Segment's client defaulted to; Amplitude
        has no such attribute, so the value itself stands in."""
        key = reference_key(self, ref)
        if key in self.ctx.blocked:
            return
        member = self.f.parents.get(default_config)
        value = None
        if _is_attribute_of(member, default_config, None):
            value = mapping.default_config_value("python", member.attr.value)  # type: ignore[union-attr]
        if value is None:
            self.finding("client-member-reference", default_config, note=True, blocks=key,
                         text=" ".join(self.code(member if isinstance(member, cst.Attribute) else default_config).split()))
            self.keep(default_config)
            return
        self.replace(member, self.printer.value(value))

    # --- imports ----------------------------------------------------------------------
    def segment_import_parts(self, stmt: cst.SimpleStatementLine) -> list[tuple[cst.CSTNode, Optional[cst.ImportAlias]]]:
        legacy = self.f.legacy_ok
        sdk = not self.f.own_segment  # a project package `segment` is not the SDK
        out: list[tuple[cst.CSTNode, Optional[cst.ImportAlias]]] = []
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted_name(alias.name)
                    if (sdk and name.startswith("segment.analytics") and name.partition(".analytics")[2][:1] in ("", ".")) \
                            or (legacy and (name == "analytics" or name.startswith("analytics."))):
                        out.append((small, alias))
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                mod = dotted_name(small.module)
                if sdk and mod == "segment" and not isinstance(small.names, cst.ImportStar):
                    out.extend((small, a) for a in small.names if dotted_name(a.name) == "analytics")
                elif (sdk and mod.startswith("segment.analytics")) or (legacy and (mod == "analytics" or mod.startswith("analytics."))):
                    if isinstance(small.names, cst.ImportStar):
                        out.append((small, None))
                    else:
                        out.extend((small, a) for a in small.names)
        return out

    def _rewrite_imports(self, seg_imports: list[cst.SimpleStatementLine], all_imports: list[cst.SimpleStatementLine]) -> None:
        extra_lines = self._home_lines()
        client = self._early_client_lines()
        amp_line = self.printer.import_line()
        if self.printer.needs_os and "os" not in self.file_names:
            amp_line = "import os\n" + amp_line if amp_line else "import os"
        new = [x for x in (amp_line,) if x] + extra_lines
        # in the home, an import inside a function runs at each call: the one client is the
        # module's, made at load (where a load-time import is, or below the imports)
        per_call = {id(s) for s in seg_imports if self.home_mode in ("fold", "early") and self.in_function(s)}
        helpers_placed = False
        if per_call and len(per_call) == len(seg_imports):
            self._add_import_lines(all_imports, "\n".join(new + client), helpers=True)
            new, client, helpers_placed = [], [], True
        anchor = self._client_anchor(seg_imports, all_imports) if client else None
        if anchor is None:
            new += client   # right below the new imports
        first = True
        for stmt in seg_imports:
            parts = self.segment_import_parts(stmt)
            leftovers = _leftover_names(self, parts)
            if leftovers:
                package = self.code(parts[0][0].module) if isinstance(parts[0][0], cst.ImportFrom) else "segment.analytics"
                self.finding("segment-import-kept", stmt, note=True, blocks=self.b.module_key(),
                             names=", ".join(leftovers), package=package)
                continue
            lines = [self.code(s) for s in stmt.body if not any(p[0] is s for p in parts)]
            top_level = self.f.parents.get(stmt) is self.f.module
            if id(stmt) in per_call:
                lines.extend(self.home_client_bindings(parts))
            elif first or not top_level:
                lines.extend(new if top_level or self.home_import is None else
                             [x for x in (amp_line,) if x] + self._home_lines(self.module_names_bound(parts)))
                first = first and not top_level
            if lines:
                start, end = span(self.f, stmt.body[0])[0], span(self.f, stmt.body[-1])[1]
                self.edit(start, end, ("\n" + self.indent(stmt)).join(lines))
            else:
                self._remove_statement(stmt)
        if helpers_placed:
            return
        if first and new and not seg_imports:
            self._add_import_lines(all_imports, "\n".join(new), helpers=True)
        else:
            self._add_helpers_after_imports(all_imports, client if anchor is not None else [], anchor)

    def _client_anchor(self, seg_imports: list[cst.SimpleStatementLine],
                       all_imports: list[cst.SimpleStatementLine]) -> Optional[cst.SimpleStatementLine]:
        """The top-level import a statement segamp writes (the early client) goes below: the
        file's last, so that no import follows a statement (flake8's E402), but before the first
        top-level statement that uses the module (the client exists by then). None: there is no
        import to go below, it goes with the new imports where the Segment import was."""
        top = [s for s in seg_imports if self.f.parents.get(s) is self.f.module]
        if not top:
            return None
        begin = span(self.f, top[0])[0]
        imports = {id(s) for s in all_imports}
        limit = None
        for stmt in self.f.module.body:
            at = span(self.f, stmt)[0]
            if at > begin and id(stmt) not in imports and not isinstance(stmt, cst.FunctionDef) and self._seg_module_uses(stmt):
                limit = at
                break
        segment = {id(s) for s in seg_imports}
        below = [s for s in all_imports if self.f.parents.get(s) is self.f.module and id(s) not in segment
                 and span(self.f, s)[0] > begin and (limit is None or span(self.f, s)[0] < limit)]
        return below[-1] if below else None

    def _line_after(self, stmt: cst.CSTNode) -> int:
        end = span(self.f, stmt)[1]
        nl = self.src.data.find(b"\n", end - 1)
        return len(self.src.data) if nl == -1 else nl + 1

    def _add_helpers_after_imports(self, all_imports: list[cst.SimpleStatementLine], client: list[str] = (),
                                   anchor: Optional[cst.CSTNode] = None) -> None:
        """The helper functions this file needs, below its last top-level import; the client
        lines below anchor (one edit with the helpers where that is the same place)."""
        client_text = "".join(line + "\n" for line in client)
        module_imports = [s for s in all_imports if self.f.parents.get(s) is self.f.module]
        last = module_imports[-1] if module_imports else None
        if client_text and (anchor is not last or not self.printer.helpers):
            at = self._line_after(anchor)
            self.analysis.edits.append(Edit(at, at, client_text))
            client_text = ""
        if not self.printer.helpers:
            return
        if last is None:
            self.analysis.edits.append(Edit(0, 0, self.printer.helper_definitions() + "\n\n\n"))
            return
        at = self._line_after(last)
        pad = self._pad_after_def(at)
        self.analysis.edits.append(Edit(at, at, client_text + "\n\n" + self.printer.helper_definitions() + "\n" + pad))

    def _add_amplitude_imports(self, all_imports: list[cst.SimpleStatementLine]) -> None:
        """The amplitude names converted code needs, with every Segment import kept."""
        client = self._early_client_lines()
        lines = [x for x in (self.printer.import_line(),) if x] + self._home_lines() + client
        if self.printer.needs_os and "os" not in self.file_names:
            lines.insert(0, "import os")
        if lines:
            self._add_import_lines(all_imports, "\n".join(lines), helpers=True)

    def _pad_after_def(self, at: int) -> str:
        """The newlines that make two blank lines after a def inserted at `at`, counting the
        blank lines already there once the edits so far are applied (a statement removed below
        the imports takes its line away)."""
        data, count, pos = self.src.data, 0, at
        removed = sorted((e.start, e.end) for e in self.analysis.edits if not e.text and e.end > e.start >= at)
        while pos < len(data):
            hit = next((end for start, end in removed if start == pos), None)
            if hit is not None:
                pos = hit
            elif data[pos:pos + 1] == b"\n":
                count, pos = count + 1, pos + 1
            else:
                break
        return "\n" * max(0, 2 - count) if pos < len(data) else ""

    def _add_import_lines(self, all_imports: list[cst.SimpleStatementLine], text: str, helpers: bool = False) -> None:
        """Conversions in a file that only imports a project client: the import goes after the
        file's last top-level import (or first); with helpers, the helper functions follow it,
        two blank lines either side counting those already there."""
        module_imports = [s for s in all_imports if self.f.parents.get(s) is self.f.module]
        at = self._line_after(module_imports[-1]) if module_imports else 0
        text += "\n"
        if helpers and self.printer.helpers:
            text += "\n\n" + self.printer.helper_definitions() + "\n" + self._pad_after_def(at)
        self.analysis.edits.append(Edit(at, at, text))

    def module_alias_name(self) -> Optional[str]:
        """The name a top-level Segment import binds to the module (HomeMixin.module_names_bound)."""
        for stmt in self.f.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                names = self.module_names_bound(self.segment_import_parts(stmt))
                if names:
                    return names[0]
        return None

    def _remove_statement(self, stmt: Optional[cst.CSTNode], small: Optional[cst.CSTNode] = None) -> None:
        if stmt is None:
            return
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) > 1 and small is not None:
            self.replace(small, "pass")
            return
        if self.only_statement_in_block(stmt):
            start, end = span(self.f, stmt)
            self.edit(start, end, "pass")
            return
        start = self.line_start(stmt)
        end = span(self.f, stmt)[1]
        nl = self.src.data.find(b"\n", end - 1)
        end = len(self.src.data) if nl == -1 else nl + 1
        if self.src.data[start:span(self.f, stmt)[0]].strip():
            start, end = span(self.f, stmt)  # shares its line with something else
        self.edit(start, end, "")


def _leftover_names(rw: FileRewrite, parts) -> list[str]:
    """Names imported from the Segment module that have no Amplitude counterpart."""
    out = []
    for small, alias in parts:
        if alias is None:
            out.append("*")
        elif isinstance(small, cst.ImportFrom) and rw.code(alias.name) not in ("Client", "analytics") and not (
                rw.code(small.module) in rw.b.seg_modules and rw.code(alias.name) in SEG_FUNCTIONS):
            out.append(rw.code(alias.name))
    return out


def _is_attribute_of(node, value: cst.CSTNode, attr: Optional[str]) -> bool:
    """node is `value.<attr>` (any attribute when attr is None)."""
    return isinstance(node, cst.Attribute) and node.value is value and (attr is None or node.attr.value == attr)


def _annotation_type(ann: cst.BaseExpression) -> Optional[str]:
    """str / Optional[str] / str | None -> "string" (likewise int, float, bool)."""
    if isinstance(ann, cst.Name):
        return ANNOTATION_TYPES.get(ann.value)
    if isinstance(ann, cst.Subscript) and isinstance(ann.value, cst.Name) and ann.value.value == "Optional" and len(ann.slice) == 1:
        inner = ann.slice[0].slice
        return _annotation_type(inner.value) if isinstance(inner, cst.Index) else None
    if isinstance(ann, cst.BinaryOperation) and isinstance(ann.operator, cst.BitOr):
        sides = [s for s in (ann.left, ann.right) if not (isinstance(s, cst.Name) and s.value == "None")]
        return _annotation_type(sides[0]) if len(sides) == 1 else None
    return None


def _comments_not_in(comments: list[str], text: str) -> list[str]:
    """The comments (in order) that text does not already hold, counting repeats."""
    held: dict[str, int] = {}
    out = []
    for c in comments:
        held.setdefault(c, text.count(c))
        if held[c] > 0:
            held[c] -= 1
        else:
            out.append(c)
    return out


def _argument_comments(call: cst.Call) -> list[tuple[cst.Arg, str]]:
    """The comment ending each argument's line (`user_id=uid,  # the DB id`)."""
    out = []
    for arg in call.args:
        space = arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg
        if isinstance(space, cst.ParenthesizedWhitespace) and space.first_line.comment is not None:
            out.append((arg, space.first_line.comment.value))
    return out


def _keep_argument_comments(call: cst.Call, code, text: str, comments: list[str]) -> tuple[str, list[str]]:
    """An argument's trailing comment goes to the end of the one line of the rebuilt text
    that holds the argument's (one-line) value, when exactly one line does; otherwise it stays
    among those that go above the call."""
    lines = text.split("\n")
    for arg, comment in _argument_comments(call):
        value = code(arg.value)
        if comment not in comments or "\n" in value:
            continue
        pattern = re.compile(r"(?<![\w.])" + re.escape(value) + r"(?!\w)")
        hits = [i for i, line in enumerate(lines) if pattern.search(line) and "#" not in line]
        if len(hits) == 1:
            lines[hits[0]] += "  " + comment
            comments = comments[:comments.index(comment)] + comments[comments.index(comment) + 1:]
    return "\n".join(lines), comments


class _Strings(cst.CSTVisitor):
    """The string literals under a node (one class: a class made per call costs an ABC's
    set-up and the fast walk's dispatch table each time)."""

    def __init__(self, found: list) -> None:
        self.found = found

    def visit_SimpleString(self, n) -> None:
        self.found.append(n)

    def visit_FormattedString(self, n) -> None:
        self.found.append(n)


class _Comments(cst.CSTVisitor):
    def __init__(self, found: list) -> None:
        self.found = found

    def visit_Comment(self, c) -> None:
        self.found.append(c.value)


def _comments_inside(node: cst.CSTNode) -> list[str]:
    found: list[str] = []
    node.visit(_Comments(found))
    return found
