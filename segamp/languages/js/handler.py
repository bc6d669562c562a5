"""JavaScript / TypeScript (and inline <script> in HTML): Segment's browser SDK
(@segment/analytics-next, the analytics.js snippet) -> the target profile of each client
(rules/javascript.toml [profiles]; @amplitude/analytics-browser).

bind (bind.py) finds the clients, match (match.py) reads each call on one as a SegmentCall,
the core mapping turns it into a Plan, and the printer (printer.py) spells the plan. This
module runs those steps over a file and reports what the front end itself sees: the loader
snippet, the snippet global used as a value, imports that match several modules, other
Segment SDKs.
"""
from __future__ import annotations

import os
import re
from typing import Optional

from ...core import findings, profiles
from ...core.mapping import map_call, map_client
from ...edits import apply_edits
from ...model import Analysis, ClientInfo, Edit
from ...source import SourceFile
from ..base import Handler, Parsed, ProjectContext
from .bind import (
    MODULE_EXTS, NODE_SDKS, ORIGIN, OTHER_SEGMENT_SDKS, PROFILES, SEG_TYPES, SEGMENT_PACKAGES, SNIPPET, Call,
    Client, JsFile, typed_evidence,
)
from .kinds import SNIPPET_KEY, SNIPPET_PACKAGE, clients_in, typed_client
from .loader import replace_loaders, template_marked
from .match import match_call, match_settings, value_use
from .match_node import match_node_call, match_node_client
from .match_rn import match_rn_call, match_rn_client
from . import bind_rn, printer_rn
from .deps import drop_dependencies
from .modules import file_exports, module_keys, relative_key
from .type_queries import client_type_queries, own_client_types
from .uses import method_references, passed_on
from .printer import Printer
from .syntax import WRAPPERS, Node, args_of, error_nodes, first_error, grammar_for, import_source, parse, string_value, unwrap

SEGMENT_METHODS = ("track", "identify", "page", "group", "alias", "screen")


def snippet_loader_text() -> str:
    """What the snippet-loader finding tells a person to paste (the snippet's target profile)."""
    return profiles.load(PROFILES[SNIPPET_PACKAGE]).get("loader")
# a page that already loads Amplitude's browser SDK from its CDN (its snippet, or a script tag)
AMPLITUDE_LOADER_MARKERS = ["cdn.amplitude.com/libs/analytics-browser", "cdn.amplitude.com/script/"]
# A parse error node holding any of this cannot be trusted to hide no Segment code.
SEGMENT_USE = re.compile(rb"analytics|segment|Segment|AnalyticsBrowser")
MAX_TOLERATED_ERRORS = 20


class JavaScriptHandler(Handler):
    name = "javascript"
    extensions = MODULE_EXTS
    markers = (b"analytics", b"segment", b"Segment")
    # Segment browser code imports @segment/…, names AnalyticsBrowser, calls through something
    # named analytics (window.analytics., this.analytics?., analytics.) or holds the loader.
    # Barrels (`export * from './analytics'`) are read too: they re-export clients.
    marker_pattern = (rb"@segment/|AnalyticsBrowser|analytics\??\.|analytics!\.|cdn\.segment\.com|['\"]analytics-node['\"]"
                      rb"|^\s*export\s*(?:\*|\{[^}]*\})\s*from")

    def language_for(self, path: str) -> str:
        return "typescript" if grammar_for(path) in ("typescript", "tsx") else "javascript"

    def parse(self, source: SourceFile) -> Parsed:
        """Valid code the grammar mis-parses (a bare `&` in JSX text, Flow annotations) is
        processed when no error node holds a Segment use; analyze() then checks that the output
        has no error the input did not have (Parsed.errors, compared as a multiset)."""
        tree = parse(source.data, grammar_for(source.path))
        errors = error_nodes(tree.root_node)
        if not errors:
            return Parsed(tree)
        texts = tuple(sorted(source.data[n.start_byte:n.end_byte].decode("utf-8", "replace") for n in errors))
        blocking = next((n for n in errors if SEGMENT_USE.search(source.data[n.start_byte:n.end_byte])), None)
        # Only grammars known to mis-parse valid code: JSX text (`&`) and Flow annotations in .js.
        # The TypeScript grammar parses valid .ts; an error there is a real one.
        tolerant = grammar_for(source.path) in ("javascript", "tsx")
        if tolerant and blocking is None and len(errors) <= MAX_TOLERATED_ERRORS:
            return Parsed(tree, None, texts)
        line, col = source.line_col((blocking or errors[0]).start_byte)
        return Parsed(tree, f"line {line}:{col}", texts)

    def parse_error(self, source: SourceFile) -> Optional[str]:
        return self.parse(source).error

    def _file(self, source: SourceFile, ctx: ProjectContext, tree) -> JsFile:
        # The tree is parsed once by the engine and kept for every step.
        return JsFile(source, (tree or parse(source.data, grammar_for(source.path))).root_node, ctx, source.path)

    @staticmethod
    def _bound_key(source: SourceFile, ctx: ProjectContext, tree) -> Optional[tuple]:
        return ("js:bound", source.path, hash(source.data), tree.root_node.id, ctx.memo_generation) \
            if tree is not None else None

    def _bound_for_analysis(self, source: SourceFile, ctx: ProjectContext, tree) -> JsFile:
        """The binding the index made in the round whose facts give this file the same answers
        as the final ones (ctx.memo_generation), taken once. A binding depends on the closure
        rule's verdict as well (live() drops left clients): with any client left, the file is
        bound again against it."""
        key = self._bound_key(source, ctx, tree)
        bound = ctx.cache.pop(key, None) if key is not None else None
        if bound is not None and not ctx.blocked:
            return bound
        return self._file(source, ctx, tree)

    def index(self, source: SourceFile, ctx: ProjectContext, tree=None) -> None:
        if any(m.encode() in source.data for m in SNIPPET["markers"]):
            ctx.add_evidence("segment-snippet")
        note_loaders(source, ctx)
        jf = self._file(source, ctx, tree)
        jf.bind()
        key = self._bound_key(source, ctx, tree)
        if key is not None and not ctx.blocked:
            ctx.cache[key] = jf   # a memo, not a fact: analyze() may take it (_bound_for_analysis)
        ctx.add_evidence(*sorted(typed_evidence(package, source.path) for package in jf.typed_packages()))
        for key in jf.created:
            package = jf.kind_of(jf.created[key][1])
            ctx.add_evidence(f"{ORIGIN}{package.package if isinstance(package, Client) else ''}|{key}")
        exports = file_exports(jf)
        if exports:
            for key in module_keys(source.path):
                ctx.add_exports(key, exports)

    def imports_module(self, text: str, path: str, module_path: str) -> Optional[bool]:
        """From the import specifiers in the text: yes when a relative one names the module;
        no when every one is relative and none reaches into the module's package (the folder
        of its package.json), so another package's module of the same name is not taken for
        it; otherwise (an alias, a workspace package) unknown."""
        specs = _IMPORT_SPEC.findall(text)
        if not specs or not all(s.startswith(".") for s in specs):
            return None
        keys = {relative_key(path, s) for s in specs}
        if keys & set(module_keys(module_path)):
            return True
        home = _package_folder(module_path)
        return None if any(k == home or k.startswith(home + os.sep) for k in keys) else False

    def extra_markers(self, ctx: ProjectContext) -> tuple[bytes, ...]:
        """Files that name a client module or an exported client, hook or getter (a component
        importing useAnalytics through a barrel names neither Segment nor analytics)."""
        stems = set()
        for key, table in ctx.exports.items():
            stem = os.path.basename(key)
            if stem and stem != "index":
                stems.add(stem.encode())
            stems |= {name.encode() for name, entry in table.items()
                      if len(name) >= 4 and name != "default" and ":" not in name and entry.get("t") in ("client", "hook")}
        return tuple(sorted(stems))

    def extra_confirm(self, markers: tuple[bytes, ...]) -> Optional[re.Pattern]:
        """A file naming a client module or hook must import it: an import clause naming it, or a
        module specifier ending in it. Prose, URLs and other identifiers that merely contain
        the word (analyticsUrl, an "analytics" dashboard) stay unparsed."""
        if not markers:
            return None
        alt = b"|".join(re.escape(m) for m in markers)
        # an import clause holds no quote and no semicolon: the match cannot run into the next statement
        return re.compile(rb"\bimport\b[^;'\"`]*?\b(?:" + alt + rb")\b[^;'\"`]*?\bfrom\b"
                          rb"|\bfrom\s*['\"][^'\"\n]*\b(?:" + alt + rb")\b[^'\"\n]*['\"]"
                          rb"|\brequire\(\s*['\"][^'\"\n]*\b(?:" + alt + rb")\b", re.S)

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        analysis = rewrite(self._bound_for_analysis(source, ctx, tree), self.language_for(source.path))
        if tree is not None and tree.root_node.has_error and analysis.edits:
            self._verify_errors(source, analysis)
        return analysis

    def _verify_errors(self, source: SourceFile, analysis: Analysis) -> None:
        """An input the grammar mis-parses: the output must have exactly the input's errors."""
        before = self.parse(source).errors
        after = SourceFile(source.path, apply_edits(source, analysis.edits), source.bom, source.encoding,
                           source.newline, source.mode)
        if self.parse(after).errors != before:
            raise ValueError("the rewrite would add a parse error to a file the grammar already mis-parses")


_IMPORT_SPEC = re.compile(r"""(?:\bfrom|\bimport|\brequire\(|\bimport\()\s*['"]([^'"\n]+)['"]""")


def _package_folder(path: str) -> str:
    """The folder of the package.json nearest above path (path's folder when none)."""
    start = cur = os.path.dirname(os.path.abspath(path))
    while not os.path.isfile(os.path.join(cur, "package.json")):
        parent = os.path.dirname(cur)
        if parent == cur:
            return start
        cur = parent
    return cur


class HtmlHandler(Handler):
    """Inline <script> blocks: rewritten like a script file; the Segment loader is reported."""

    name = "html"
    extensions = (".html", ".htm")
    markers = (b"analytics", b"segment")

    SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)

    def blocks(self, source: SourceFile):
        for m in self.SCRIPT.finditer(source.data):
            attrs = m.group(1).decode("utf-8", "replace")
            if re.search(r"\bsrc\s*=", attrs, re.I):
                continue
            typ = re.search(r"\btype\s*=\s*[\"']?([^\"'\s>]+)", attrs, re.I)
            kind = typ.group(1).lower() if typ else "text/javascript"
            if kind not in ("text/javascript", "application/javascript", "module", "text/babel"):
                continue
            yield m.start(2), m.group(2), kind == "module"

    def parse(self, source: SourceFile) -> Parsed:
        blocks = []
        for start, body, is_module in self.blocks(source):
            tree = parse(body, "javascript")
            bad = first_error(tree.root_node)
            text = body.decode("utf-8", "replace")
            if bad is not None and template_marked(text) and any(m in text for m in SNIPPET["markers"]):
                blocks.append((start, body, is_module, None))   # a templated loader: reported, left
                continue
            if bad is not None:
                line, col = source.line_col(start + bad.start_byte)
                return Parsed(None, f"line {line}:{col} in a <script> block")
            blocks.append((start, body, is_module, tree))
        return Parsed(blocks)

    def parse_error(self, source: SourceFile) -> Optional[str]:
        return self.parse(source).error

    def index(self, source: SourceFile, ctx: ProjectContext, tree=None) -> None:
        if any(m.encode() in source.data for m in SNIPPET["markers"]):
            ctx.add_evidence("segment-snippet")
        note_loaders(source, ctx)

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        out = Analysis()
        blocks = tree if tree is not None else self.parse(source).tree or []
        for start, body, is_module, block_tree in blocks:
            if block_tree is None:
                line, col = source.line_col(start)
                out.findings.append(findings.make("snippet-loader", line, col, self.name,
                                                  left=" in a template segamp cannot parse", loader=snippet_loader_text()))
                continue
            sub = SourceFile(source.path, body.decode("utf-8"), b"", "utf-8", source.newline, source.mode)
            jf = JsFile(sub, block_tree.root_node, ctx, source.path, script_mode=not is_module)
            part = rewrite(jf, self.name)
            out.edits += [Edit(e.start + start, e.end + start, e.text) for e in part.edits]
            first_line, first_col = source.line_col(start)
            for f in part.findings:
                f.column = f.column + (first_col - 1 if f.line == 1 else 0)
                f.line = f.line + first_line - 1
                out.findings.append(f)
            for key, info in part.clients.items():
                out.clients.setdefault(key, info)
        return out


# --- one file ---------------------------------------------------------------------------------
def file_package(jf: JsFile, calls: list[Call]) -> str:
    """The Segment package whose target profile this file is printed for: a Node SDK's when the
    file holds Node clients and nothing of the browser SDK, else the browser's. (A file with
    both keeps its Node clients whole: see report_foreign_clients.)"""
    # a browser client migrated by an earlier run counts too: the next run must not change targets
    migrated = profiles.load(PROFILES[SEGMENT_PACKAGES[0]]).package
    browser = bool(jf.seg_imports) or bool(jf.loader_ranges) or any(
        c.client.snippet or c.client.package in SEGMENT_PACKAGES for c in calls) or any(
        s.type == "import_statement" and import_source(s) == migrated for s in jf.root.named_children)
    node = sorted({c.client.package for c in calls if c.client.package in NODE_SDKS} |
                  {p for p in jf.node_imports.values() if p in NODE_SDKS})
    if node and not browser:
        return node[0]
    # React Native: the package imported here, a call on its client, or (after a first run) its
    # target's import next to nothing of the browser SDK
    native = profiles.load(PROFILES[bind_rn.RN_PACKAGE]).package
    rn = bool(jf.rn_import_stmts) or any(c.client.package == bind_rn.RN_PACKAGE for c in calls) or any(
        s.type == "import_statement" and import_source(s) == native for s in jf.root.named_children)
    return bind_rn.RN_PACKAGE if rn and not browser else SEGMENT_PACKAGES[0]


def rewrite(jf: JsFile, language: str) -> Analysis:
    jf.bind()
    all_calls = jf.calls()
    package = file_package(jf, all_calls)
    printer = Printer(jf, jf.profile_for(Client(package=package)), language)
    if package == bind_rn.RN_PACKAGE:
        printer.ns = printer_rn.v1_namespace(jf) or printer.ns   # v1: `analytics` is the namespace
    snippet_left = jf.is_blocked(Client(snippet=True, key=SNIPPET_KEY))
    loader = printer.profile.get("loader")
    for start, why in ({} if snippet_left else replace_loaders(jf, printer)).items():
        printer.report("snippet-loader", jf.root.descendant_for_byte_range(start, start), loader=loader, left=why)
    for stmt, spec, hits in jf._ambiguous:
        printer.report("ambiguous-import", stmt, spec=spec, count=str(len(hits)))
    report_other_sdks(jf, printer)
    handled = rewrite_constructions(jf, printer) | rewrite_rn_constructions(jf, printer)
    calls = [c for c in all_calls if c.node.id not in handled]
    node_calls = [c for c in calls if c.client.package in OTHER_SEGMENT_SDKS]
    report_node_clients(jf, printer, node_calls)
    calls = [c for c in calls if c not in node_calls]
    foreign = [c for c in calls if not same_target(jf, c.client, printer)]
    report_foreign_clients(jf, printer, foreign)
    calls = [c for c in calls if c not in foreign]
    for call in calls:
        rewrite_call(jf, printer, call)
    if package == bind_rn.RN_PACKAGE:
        printer_rn.report_client_properties(jf, printer)
    for node, client, what in passed_on(jf):
        if client.package not in OTHER_SEGMENT_SDKS:
            printer.report("client-passed-on", node, note=True, blocks=jf.client_key(client), callee=what)
    report_shared_types(jf, printer)
    report_client_type_members(jf, printer)
    for node, client, where, takes in method_references(jf):
        printer.report("method-reference", node, note=True, blocks=jf.client_key(client),
                       text=" ".join(jf.text(node).split()), where=where, takes=takes)
    rewrite_snippet_references(jf, printer, calls)
    report_missing_loader(jf, printer, calls)
    printer.rewrite_patterns()
    drop_dependencies(jf, printer)
    if package == bind_rn.RN_PACKAGE:
        printer_rn.rewrite_rn_file(jf, printer)
        printer.flush_notes()
        printer_rn.fix_rn_imports(jf, printer)
    elif package in NODE_SDKS:
        # the package's typed values are left: only the types of this file's own migrating clients go
        printer.rewrite_node_types(own_client_types(jf) if jf.is_blocked(typed_client(package)) else None)
        printer.flush_notes()
        printer.fix_imports(package, jf.node_import_stmts)
    else:
        if jf.is_blocked(typed_client()):
            printer.rewrite_types(SEG_TYPES, own_client_types(jf))
        else:
            printer.rewrite_types(SEG_TYPES)
            for g in client_type_queries(jf)[0]:
                if not printer.is_covered(g):
                    printer.needs_ns = True
                    printer.edit(g.start_byte, g.end_byte, printer.profile.get("types")["client"].format(ns=printer.ns))
        printer.flush_notes()
        printer.fix_imports(SEGMENT_PACKAGES[0])
    report_free_global(jf, printer)
    printer.analysis.clients.update(client_infos(jf))
    return printer.analysis


def report_shared_types(jf: JsFile, printer: Printer) -> None:
    """A client created here that the closure rule leaves only because its package's client
    type annotates values elsewhere and another client of the package is left (see
    JsFile.shares_left_type): says so where it is created, so that it is never left silently."""
    if not jf.ctx.blocked:
        return
    for key, (name, node) in jf.created.items():
        client = Client(key=key, package=jf.ctx_package(key))
        if key not in jf.ctx.blocked and client.package and jf.shares_left_type(client):
            printer.report("client-type-shared", node, blocks=key, name=name, package=client.package)


def report_client_type_members(jf: JsFile, printer: Printer) -> None:
    """`AnalyticsBrowser[K]`, `keyof AnalyticsBrowser`: a type built from the members of
    Segment's client type cannot be renamed to Amplitude's (other members, other signatures):
    it blocks the typed value of its package, so the type, the import and the clients stay."""
    for n in jf.of_types(frozenset({"type_identifier", "nested_type_identifier"})):
        p = n.parent
        if p is None or p.type not in ("lookup_type", "index_type_query") or p.named_children[0] != n:
            continue
        if n.type == "type_identifier":
            name = jf.seg_imports.get(jf.text(n)) or ""
        else:
            ns, _, name = jf.text(n).partition(".")
            name = name if jf.seg_imports.get(ns) == "*" else ""
        if SEG_TYPES.get(name) == "client":
            printer.report("client-type-member", p, blocks=jf.client_key(typed_client()), text=" ".join(jf.text(p).split()))
    for n in client_type_queries(jf)[1]:
        printer.report("client-type-member", n, blocks=jf.client_key(typed_client()), text=" ".join(jf.text(n).split()))


def client_infos(jf: JsFile) -> dict[str, ClientInfo]:
    """Every client this file creates or uses, by key, with its origin when it is created here."""
    out = {}
    for key, client in jf.seen.items():
        created = jf.created.get(key)
        if client.snippet:
            name = key[len("cfg:"):] if key.startswith("cfg:") else SNIPPET["name"]
        elif bind_rn.is_v1(client):   # the module singleton: named as the file imports it
            name = printer_rn.v1_namespace(jf) or "analytics"
        else:
            name = created[0] if created else key.rsplit("#", 1)[-1]
            if re.fullmatch(r"L\d+", name):   # a client held by no name (bind._holder_name)
                name = f"created on line {name[1:]}"
        origin = f"{jf.path}:{jf.src.line_col(created[1].start_byte)[0]}" if created else ""
        out[key] = ClientInfo(key, name, client.package, origin)
    return out


def rewrite_call(jf: JsFile, printer: Printer, call: Call) -> None:
    if call.client.snippet and call.method == "load":
        # the snippet's own load(): its loader goes, Amplitude's loader replaces it
        printer.report("snippet-loader", call.node, note=True, loader=printer.profile.get("loader"))
        return
    if call.client.package == bind_rn.RN_PACKAGE:
        seg = match_rn_call(jf, call)
    else:
        seg = match_node_call(jf, call) if call.client.package in NODE_SDKS else match_call(jf, call)
    plan = map_call(seg, jf.profile_for(call.client), jf.config)
    printer.print_call(seg, plan, blocks=jf.client_key(call.client), pattern=call.pattern)


def same_target(jf: JsFile, client: Client, printer: Printer) -> bool:
    return jf.profile_for(client).name == printer.profile.name


def report_foreign_clients(jf: JsFile, printer: Printer, calls: list[Call]) -> None:
    """Clients of another Amplitude target than the file's (a Node client next to a browser
    client in one module): left whole, once per client at its first call; each target's
    client converts in a file of its own."""
    done: set[str] = set()
    for call in calls:
        key = jf.client_key(call.client)
        if key not in done:
            done.add(key)
            printer.report("client-mixed-targets", call.node, note=True, blocks=key, package=call.client.package,
                           target=jf.profile_for(call.client).package, other=printer.profile.package)


def report_node_clients(jf: JsFile, printer: Printer, calls: list[Call]) -> None:
    """A Node SDK client used in a file that does not import its SDK (the import is reported
    where it is): once per client, at its first call. Never converted by the browser rules."""
    if jf.node_imports:
        return
    done: set[str] = set()
    for call in calls:
        if call.client.key not in done:
            done.add(call.client.key)
            printer.report("other-segment-sdk", call.node, package=call.client.package,
                           amplitude=OTHER_SEGMENT_SDKS[call.client.package])


def report_other_sdks(jf: JsFile, printer: Printer) -> None:
    for n in jf.nodes:
        spec = None
        if n.type == "import_statement":
            spec = jf.import_spec(n)   # `import x = require(…)` too
        elif n.type == "call_expression" and jf.text(n.child_by_field_name("function")) == "require":
            args = args_of(n)
            spec = string_value(args[0]) if args and args[0].type == "string" else None
        if spec in OTHER_SEGMENT_SDKS:
            printer.report("other-segment-sdk", n, package=spec, amplitude=OTHER_SEGMENT_SDKS[spec])


def rewrite_constructions(jf: JsFile, printer: Printer) -> set[int]:
    """AnalyticsBrowser.load(...), .standalone(...), new AnalyticsBrowser(): the ids of the
    load() calls handled here."""
    handled: set[int] = set()
    for n in jf.nodes:
        if n.type == "call_expression":
            fn = unwrap(n.child_by_field_name("function"))
            if fn is None or fn.type != "member_expression" or not jf.is_segment_ctor(fn.child_by_field_name("object")):
                continue
            method = jf.text(fn.child_by_field_name("property"))
            client = jf.kind_of(n) if method == "load" else jf.standalone_client(n)
            if not isinstance(client, Client):
                handled.add(n.id)   # left by the closure rule
            elif method == "standalone":
                printer.report("client-standalone", n, note=True, blocks=jf.client_key(client))
            elif method == "load":
                seg = match_settings(jf, n, args_of(n))
                seg.use = value_use(jf, n)
                printer.print_construction(seg, map_client(seg, jf.profile_for(Client()), jf.config),
                                           blocks=jf.client_key(client))
                handled.add(n.id)
        elif n.type == "new_expression" and jf.node_sdk_ctor(n.child_by_field_name("constructor")) in NODE_SDKS:
            rewrite_node_construction(jf, printer, n, jf.node_sdk_ctor(n.child_by_field_name("constructor")))
        elif n.type == "new_expression" and jf.is_segment_ctor(n.child_by_field_name("constructor")):
            client = jf.kind_of(n)
            if not isinstance(client, Client):
                continue
            if args_of(n):
                printer.report("client-constructor-args", n, note=True, blocks=jf.client_key(client))
            else:
                printer.print_new(n)
    return handled


def rewrite_rn_constructions(jf: JsFile, printer: Printer) -> set[int]:
    """createClient({ writeKey, ... }): the client keeps its name and becomes the target's default
    instance + init(key, undefined, options) (profile create/init)."""
    handled: set[int] = set()
    for n in bind_rn.create_calls(jf) if jf.rn_names else ():
        handled.add(n.id)
        client = jf.kind_of(n)
        if not isinstance(client, Client):
            continue   # left by the closure rule
        if not same_target(jf, client, printer):
            printer.report("client-mixed-targets", n, note=True, blocks=jf.client_key(client), package=client.package,
                           target=jf.profile_for(client).package, other=printer.profile.package)
            continue
        others = bind_rn.other_origins(jf, jf.client_key(client))
        if others:   # one default instance cannot be two clients
            printer.report("client-several", n, note=True, blocks=jf.client_key(client), package=printer.profile.package,
                           others=", ".join(others))
            continue
        seg = match_rn_client(jf, n, bind_rn.sdk_of(client), args_of(n))
        printer.print_construction(seg, map_client(seg, printer.profile, jf.config), blocks=jf.client_key(client))
    return handled


def rewrite_node_construction(jf: JsFile, printer: Printer, node: Node, package: str) -> None:
    """new Analytics({ writeKey, ... }) / legacy new Analytics(writeKey, options): the client keeps
    its name and becomes createInstance() + init(key, options)."""
    client = jf.kind_of(node)
    if not isinstance(client, Client):
        return   # left by the closure rule
    if not same_target(jf, client, printer):
        printer.report("client-mixed-targets", node, note=True, blocks=jf.client_key(client), package=package,
                       target=jf.profile_for(client).package, other=printer.profile.package)
        return
    seg = match_node_client(jf, node, package)
    printer.print_construction(seg, map_client(seg, printer.profile, jf.config), blocks=jf.client_key(client))


# --- the snippet global outside calls ---------------------------------------------------------
def rewrite_snippet_references(jf: JsFile, printer: Printer, calls: list[Call]) -> None:
    """The global itself, outside calls. Where it only tests "is the SDK there" (if, !, typeof,
    && / ||), it becomes the global of Amplitude's loader; anywhere else (assignments, property reads,
    test mocks) it is left as it is and reported: guessing there breaks code at run time. A
    guard goes only with the calls it guards: one that guards a call left as it is stays."""
    if jf.is_blocked(Client(snippet=True, key=SNIPPET_KEY)):
        return
    receivers = {c.receiver.id for c in calls if c.receiver is not None}
    left = [c for c in calls if c.node.id in printer.left_calls]
    for n in jf.nodes:
        if n.type not in ("member_expression", "identifier") or n.id in receivers:
            continue
        if jf.in_loader(n) or not is_snippet_global(jf, n) or printer.is_covered(n):
            continue
        if any(_inside(c.node, region) for c in left for region in guarded_regions(jf, n)):
            continue
        if is_truth_test(jf, n):
            # "is the loader there" (`window.analytics && …`, `if (analytics)`): the same question
            # of Amplitude's loader, whose global may be missing too (an ad blocker)
            printer.edit(n.start_byte, n.end_byte, printer.global_for(n))
            continue
        printer.report("snippet-reference", n, note=True, blocks=SNIPPET_KEY, text=jf.text(n))
        if typed_as_client(jf, n):
            # `window.analytics as AnalyticsBrowser`: the left global is declared a Segment client, so
            # that type's annotations may hold it and keep Segment's type (and every client of its package)
            printer.report("snippet-reference", n, blocks=jf.client_key(typed_client()), text=jf.text(n))


def typed_as_client(jf: JsFile, n: Node) -> bool:
    """n is cast to (`as`, `satisfies`) or declared with (`const a: T = n`) a Segment client type."""
    while n.parent is not None and n.parent.type in WRAPPERS:
        n = n.parent
        if n.type in ("as_expression", "satisfies_expression") and clients_in(jf._type_kind(n.named_children[-1])):
            return True
    p = n.parent
    return p is not None and p.type == "variable_declarator" and p.child_by_field_name("value") == n and \
        bool(clients_in(jf._type_kind(p.child_by_field_name("type"))))


def _inside(node: Node, region: Node) -> bool:
    return node.start_byte >= region.start_byte and node.end_byte <= region.end_byte


def guarded_regions(jf: JsFile, n: Node) -> list[Node]:
    """What a test of n guards: the rest of its && chain, and the branch of the if or ternary
    whose condition holds it."""
    out = []
    cur = n
    while cur.parent is not None:
        p = cur.parent
        if p.type == "binary_expression" and jf.text(p.child_by_field_name("operator")) == "&&":
            out.append(p)
        elif p.type in ("if_statement", "ternary_expression") and p.child_by_field_name("condition") == cur:
            out.append(p)
            break
        elif p.type not in ("parenthesized_expression", "unary_expression", "binary_expression"):
            break
        cur = p
    return out


def is_snippet_global(jf: JsFile, n: Node) -> bool:
    """window.analytics / global.analytics…, or a free `analytics` when the snippet is in use."""
    if n.type == "member_expression":
        obj = unwrap(n.child_by_field_name("object"))
        return obj is not None and obj.type == "identifier" and jf.text(obj) in SNIPPET["globals"] \
            and jf.text(n.child_by_field_name("property")) == SNIPPET["name"] and jf.scopes.resolve(obj) is None
    if n.type == "identifier":
        parent = n.parent
        if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("property") == n:
            return False
        k = jf.kind_of(n) if jf.scopes.resolve(n) is None else None
        return isinstance(k, Client) and k.snippet
    return False


def is_truth_test(jf: JsFile, n: Node) -> bool:
    """Is the value of n only used for its truthiness?"""
    cur = n
    while True:
        p = cur.parent
        if p is None:
            return False
        if p.type == "parenthesized_expression":
            if p.parent is not None and p.parent.type in ("if_statement", "while_statement", "do_statement"):
                return True
            cur = p
            continue
        if p.type == "unary_expression":
            return jf.text(p.child_by_field_name("operator")) in ("!", "typeof")
        if p.type == "ternary_expression":
            return p.child_by_field_name("condition") == cur
        if p.type == "binary_expression":
            op = jf.text(p.child_by_field_name("operator"))
            return op in ("&&", "||") and (p.parent is not None and p.parent.type == "expression_statement"
                                           or is_truth_test(jf, p))
        return False


def _root_of(ctx: ProjectContext, path: str) -> str:
    """The project root a file belongs to (one run may cover several projects)."""
    path = os.path.abspath(path)
    roots = [os.path.abspath(r) for r in ctx.roots]
    return max((r for r in roots if path == r or path.startswith(r.rstrip(os.sep) + os.sep)), key=len, default="")


def note_loaders(source: SourceFile, ctx: ProjectContext) -> None:
    """Which projects of the run have a page loader: Segment's (replaced, or reported where it
    is) or already Amplitude's."""
    if any(m.encode() in source.data for m in SNIPPET["markers"] + AMPLITUDE_LOADER_MARKERS):
        ctx.add_evidence("page-loader|" + _root_of(ctx, source.path))


def report_missing_loader(jf: JsFile, printer: Printer, calls: list[Call]) -> None:
    """Code that used the snippet global now calls the global of Amplitude's loader. With no
    loader in the project (Segment's is replaced or reported where it is), the page template
    is elsewhere: say once a file, at its first such call, that the loader has to go there."""
    if not printer.global_used or "page-loader|" + _root_of(jf.ctx, jf.path) in jf.ctx.evidence:
        return
    first = next((c for c in calls if c.client.snippet and c.node.id not in printer.left_calls), None)
    if first is not None:
        printer.report("amplitude-loader-needed", first.node, note=True, loader=printer.profile.get("loader"),
                       **{"global": "window." + printer.profile.get("snippet_global")})


def report_free_global(jf: JsFile, printer: Printer) -> None:
    """A bare `analytics.track(...)` with no loader in sight: say so once rather than guess."""
    if jf.snippet_in_project() or SNIPPET["name"] in jf.config.receivers:
        return
    for n in jf.nodes:
        if n.type != "call_expression":
            continue
        fn = unwrap(n.child_by_field_name("function"))
        if fn is None or fn.type != "member_expression":
            continue
        obj = unwrap(fn.child_by_field_name("object"))
        if obj is not None and obj.type == "identifier" and jf.text(obj) == SNIPPET["name"] and \
                jf.scopes.resolve(obj) is None and jf.text(fn.child_by_field_name("property")) in SEGMENT_METHODS:
            printer.report("global-without-loader", n)
            return
