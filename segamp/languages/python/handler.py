"""The Python handler: segment-analytics-python (and legacy analytics-python) → amplitude-analytics.

Parsed with libcst; every edit is a byte range of the original text, so everything outside the
rewritten calls, imports and settings stays byte-identical. bind.py says which receivers are
Segment clients, match.py turns each call into a SegmentCall, segamp.core.mapping turns that
into a Plan, printer.py spells it; this module walks the file and places the edits.

The module-level client (Segment's "default client") is one lazily created, process-wide client
configured by assigning module attributes. Amplitude has no module singleton, so the file that
sets ``<module>.write_key`` (the *home*) gets the one Amplitude client under the very name the
module had there. When the key is set somewhere other than a top-level statement (a function, an
``if``), the client is created with an empty key where the Segment module was imported and the
key is assigned later (``<name>.configuration.api_key = …``), which keeps Segment's "configure
any time before the first call" semantics. Every other file that uses the Segment module imports
the client from the home instead. One project, one client: when several files set the key, the
home is one of them that can be imported (not a script run as __main__), and the others import
the client and set only what differs; when only an entry script configures Segment, the client
goes to a module segamp creates (keys.client_home(), home.py). With no home, the files that use
the module are left with a finding. "Project" means one distribution (paths.project_root()): a
repository of several separately installed services gets one client per service, and no
module ever imports the client from another service, which is not on its path.

Exit delivery: amplitude-analytics registers ``Amplitude.shutdown`` at interpreter exit, which
flushes and waits, as Segment's client did; no generated atexit code is needed.
"""
from __future__ import annotations

import os
import re
from typing import Optional

from typing import TYPE_CHECKING

from ...core import profiles
from ...model import Analysis
from ...source import SourceFile
from ..base import Handler, Parsed, ProjectContext
from . import keys
from .paths import dotted_module, module_key, own_package

if TYPE_CHECKING:
    import libcst as cst


def _cst():
    """libcst, imported when a Python file is first parsed: a run with no Python candidate
    (a TypeScript monorepo, `check` on a clean tree) never pays its ~0.3 s import."""
    import libcst

    return libcst


# a file that may use Segment's module client: it imports the module, or a test names one of
# its functions (patch targets); a home among them is no importer
_NAMES_MODULE = re.compile(r"\bsegment\.analytics\b|^[ \t]*from[ \t]+segment[ \t]+import|^[ \t]*(?:import|from)[ \t]+analytics\b", re.M)
# scripts a server or a person runs directly, whatever their body says
_ENTRY_NAMES = {"__main__.py", "manage.py", "wsgi.py", "asgi.py"}


def is_entry_script(path: str, module: cst.Module) -> bool:
    """A script run as __main__: importing it from another module would run it a second
    time (and import it circularly), so the project's client never lives there."""
    cst = _cst()
    if os.path.basename(path) in _ENTRY_NAMES:
        return True
    for stmt in module.body:
        if isinstance(stmt, cst.If) and isinstance(stmt.test, cst.Comparison):
            sides = [stmt.test.left] + [c.comparator for c in stmt.test.comparisons]
            names = {s.value for s in sides if isinstance(s, cst.Name)}
            strings = {s.evaluated_value for s in sides if isinstance(s, cst.SimpleString)}
            if "__name__" in names and "__main__" in strings:
                return True
    return False


def top_level_imports(path: str, module: cst.Module, entries=()) -> frozenset:
    """The dotted modules a file's top level imports (and the packages around them, whose
    __init__ runs first): `from app import orders` imports app and app.orders."""
    cst = _cst()
    here = dotted_module(path, entries)
    package = here if os.path.basename(path) == "__init__.py" else here.rpartition(".")[0]
    names = set()
    for stmt in module.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Import):
                names.update(module.code_for_node(a.name) for a in small.names)
            elif isinstance(small, cst.ImportFrom):
                base = module.code_for_node(small.module) if small.module is not None else ""
                if small.relative:
                    parts = package.split(".") if package else []
                    parts = parts[:len(parts) - (len(small.relative) - 1)] if len(small.relative) > 1 else parts
                    base = ".".join(parts + ([base] if base else []))
                names.add(base)
                if not isinstance(small.names, cst.ImportStar):
                    names.update(f"{base}.{module.code_for_node(a.name)}" for a in small.names)
    out = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(n for n in out if n)


def write_key_texts(facts) -> frozenset:
    """The source text (layout aside) of every value this home assigns to the write key by a
    top-level statement, which runs whenever the module is imported: a second home that imports
    the client from here and assigns the same key needs no statement of its own. A key set in
    a function (init_app, ready()) is set only when that runs, so it is not listed."""
    cst = _cst()
    texts = set()
    for stmt in facts.module.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            target = small.targets[0].target if isinstance(small, cst.Assign) and len(small.targets) == 1 else None
            if isinstance(target, cst.Attribute) and target.attr.value == "write_key" and facts.binder.seg_module_raw(target.value):
                texts.add(keys.key_text(facts.module.code_for_node(small.value)))
    return frozenset(texts)


def _syntax_message(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "too deeply nested"
    message = re.sub(r"^(parser error: )?(error at \d+:\d+: )?", "", exc.message)  # type: ignore[attr-defined]
    return f"line {exc.raw_line}: {message}"  # type: ignore[attr-defined]


class PythonHandler(Handler):
    name = "python"
    extensions = (".py",)
    markers = (b"analytics", b"segment")
    # Segment Python code imports segment.analytics or (legacy) analytics somewhere; a test
    # patches one of its functions by name (mock.patch("segment.analytics.track"), legacy
    # mock.patch("analytics.track")).
    marker_pattern = rb"^[ \t]*(?:import|from)[ \t][^\n#]*\b(?:segment|analytics)\b|['\"](?:segment\.)?analytics\.\w+['\"]"
    comment_prefix = "#"

    def parse(self, source: SourceFile) -> Parsed:
        # CPython's parser says whether the text parses; the libcst tree is built when index
        # or analyze first asks (never for the engine's check of a rewritten text). A text
        # CPython rejects gets libcst's verdict: its grammar may differ, and its message is ours.
        from .fastcst import LazyModule, cpython_parses, parse_module

        cst = _cst()
        if cpython_parses(source.text):
            parsed = Parsed(None)
            parsed.tree = LazyModule(source.text, parsed, _syntax_message)
            return parsed
        try:
            return Parsed(parse_module(source.text))
        except (cst.ParserSyntaxError, RecursionError) as exc:
            return Parsed(None, _syntax_message(exc))

    def parse_input(self, source: SourceFile) -> Parsed:
        # a candidate's tree is always read: asking CPython first would only cost its parse
        from .fastcst import parse_module

        cst = _cst()
        try:
            return Parsed(parse_module(source.text))
        except (cst.ParserSyntaxError, RecursionError) as exc:
            return Parsed(None, _syntax_message(exc))

    def parse_error(self, source: SourceFile) -> Optional[str]:
        from .fastcst import module_of

        cst = _cst()
        parsed = self.parse(source)
        try:
            module_of(parsed.tree)
        except (cst.ParserSyntaxError, RecursionError):
            pass  # its message is on parsed
        return parsed.error

    def index(self, source: SourceFile, ctx: ProjectContext, tree=None) -> None:
        from .bind import facts_for

        cst = _cst()
        try:
            facts = facts_for(source, ctx, tree)
        except (cst.ParserSyntaxError, RecursionError):
            return
        exported: dict[str, dict] = {name: dict(info) for name, info in facts.reexports.items()}
        for name, key in facts.global_clients.items():
            exported[name] = {"kind": "client", "language": "python", "key": key}
        for name, key in facts.factories.items():
            exported[name] = {"kind": "factory", "language": "python", "key": key}
        for name, params in facts.client_params.items():
            exported.setdefault(name, {"kind": "callable", "language": "python"})["client_params"] = params
        if exported:
            ctx.add_exports(module_key(source.path), exported)
        # dicts and sets, never lists: a second pass may index the same file again
        path = os.path.abspath(source.path)
        if facts.sets_write_key:
            ctx.put_fact(keys.HOMES, path, facts.home_name)
            ctx.put_fact(keys.HOME_KEYS, path, write_key_texts(facts))
        if is_entry_script(source.path, facts.module):
            ctx.add_facts(keys.ENTRIES, (path,))
        if not facts.own_segment and _NAMES_MODULE.search(source.text):
            ctx.add_facts(keys.MODULE_USERS, (path,))
            ctx.put_fact(keys.DOTTED, path, dotted_module(path, ctx.cache.get(keys.ENTRIES, ())))
        if facts.sets_write_key:
            ctx.put_fact(keys.IMPORTS, path, top_level_imports(source.path, facts.module, ctx.cache.get(keys.ENTRIES, ())))
        ctx.merge_facts(keys.INSTANCES, facts.created)
        ctx.add_facts(keys.TYPED_USES, sorted(facts.typed_uses))
        if facts.legacy_write_key:
            ctx.add_evidence("py:legacy-analytics")

    def names_segment_sdk(self, path: str) -> bool:
        # a project package named `segment` (customer segmentation) shadows the SDK's module
        return not own_package(path, "segment")

    def extra_markers(self, ctx: ProjectContext) -> tuple[bytes, ...]:
        names = set()
        for key, exported in ctx.exports.items():
            if any(v.get("language") == "python" for v in exported.values()):
                base = os.path.basename(key)
                if base == "__init__":
                    base = os.path.basename(os.path.dirname(key))
                names.add(base.encode())
        return tuple(sorted(names))

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree=None) -> Analysis:
        from .bind import facts_for
        from .fastcst import fast_visits
        from .rewrite import FileRewrite

        facts = facts_for(source, ctx, tree)
        with fast_visits():  # the rewrite's read-only visitors walk without rebuilding nodes
            return FileRewrite(source, ctx, facts, profiles.load("python")).run()


__all__ = ["PythonHandler"]
