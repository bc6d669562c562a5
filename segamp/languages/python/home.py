"""Where the one Amplitude client lives, as one file's rewrite sees it.

Segment's module client is one process-wide client configured by assigning module attributes;
Amplitude has no module singleton, so the project gets one client in one module
(keys.client_home()) and every other file imports it from there. This file is one of:

* the home (``fold``: the key is set once at the top, the client is created right there;
  ``early``: the client is created where the Segment module was imported, the key assigned
  where Segment's was);
* another file that sets the write key (``shared``): it imports the one client; a write key
  the home assigns at its top level (so importing the client has set it) goes, any other
  becomes a configuration update on that client;
* the entry script whose settings create the client in a module segamp creates (``create``):
  that module holds the client (with the key empty), the script imports it and sets the key
  where it set Segment's;
* a file that only uses the module (``import``), or one that cannot know the client
  (``blocked``, with a finding).

"The project" is the file's distribution (paths.project_root()): in a repository of several
separately installed services each has its own client, and a service where nothing sets the key
is blocked, never given another service's client.
"""
from __future__ import annotations

import os
import textwrap
from typing import Optional

import libcst as cst

from ...core.plan import Init, Lit, Plan
from .bind import dotted_module, span
from .fastcst import dotted_name
from .constants import rename_guards
from .keys import ENTRIES, HOME_KEYS, HOMES, Home, client_home, distribution, key_text, why_new
from .printer import Printer


class HomeMixin:
    """FileRewrite's part that places the module client (see the module docstring)."""

    home_mode: str
    home_import: Optional[tuple[str, str]]
    early_client: Optional[Init]

    def _plan_home(self, assigns: list[cst.Assign], alias_calls: bool = False) -> None:
        """Where the one Amplitude client lives for this file's module-level calls."""
        if self.b.module_key() in self.ctx.blocked:
            return  # left by the closure rule: nothing of it changes
        here = os.path.abspath(self.src.path)
        home = client_home(self.ctx.cache, here)
        uses = self.f.sets_write_key or alias_calls or bool(self._seg_module_uses(self.f.module))
        if home is not None and not home.problem and self.f.sets_write_key:
            if home.path == here:
                self.home_mode = "fold" if self._key_set_once_at_top(assigns) else "early"
                if self._home_name_taken():
                    self.finding("default-client", self.f.module, blocks=self.b.module_key(),
                                 reason=f"this file imports Segment's module only inside functions and already has a "
                                        f"module-level `{self.f.home_name}`, so the project's one Amplitude client "
                                        "has no name to live under here",
                                 help=f"rename the module-level `{self.f.home_name}` (or import Segment's module at "
                                      "the top of the file), then run segamp again")
                    self.home_mode = "blocked"
                return
            self.home_mode = "create" if home.new and home.configured_in == here else "shared"
            self.home_import = (self._home_module(home.path), home.name)
            return
        if not uses:
            return
        if home is not None and not home.problem:
            self.home_import = (self._home_module(home.path), home.name)
            self.home_mode = "import"
            return
        stmt = next((s for s in self.f.module.body if isinstance(s, cst.SimpleStatementLine) and self.segment_import_parts(s)),
                    None) or next((s for s in self.f.nodes_of(cst.SimpleStatementLine) if self.segment_import_parts(s)), None)
        if home is not None:
            reason = f"this file uses Segment's module-level client, but {home.problem}"
            help = (f"rename the existing {os.path.basename(home.path)} (or set the write key in a module the others can "
                    "import), then run segamp again")
        elif self.ctx.cache.get(HOMES):
            # another distribution sets it: its modules are not on this one's path
            root = distribution(here, self.ctx.cache)
            other = sorted(self.ctx.cache[HOMES])[0]
            reason = (f"this file uses Segment's module-level client, but no file of its distribution "
                      f"({os.path.basename(root) or 'its folder'}) sets `analytics.write_key`; "
                      f"{os.path.basename(os.path.dirname(other))}/{os.path.basename(other)} sets it for another "
                      "distribution, installed apart from this one, so segamp does not import a client from there")
            help = ("set the write key in a module of this distribution and run segamp again, or create an "
                    "Amplitude client in it and import it here")
        else:
            reason = ("this file uses Segment's module-level client, but no file in the scanned paths sets "
                      "`analytics.write_key`, so segamp cannot tell which Amplitude client to use")
            help = "run segamp on the whole project, or create one Amplitude client and import it here"
        self.finding("default-client", stmt or self.f.module, blocks=self.b.module_key(), reason=reason, help=help)
        self.home_mode = "blocked"

    def _home_module(self, path: str) -> str:
        """The dotted name this file imports the home by (a script run as __main__ imports it
        below its own folder, sys.path[0])."""
        entries = self.ctx.cache.get(ENTRIES, set())
        here = os.path.abspath(self.src.path)
        return dotted_module(path, entries, script=here if here in entries else None)

    def _convert_write_key(self, node: cst.Assign, plan: Plan, init: Init, recv: str) -> None:
        """`<module>.write_key = …`: the client itself (home), or the key on the one client."""
        rename_guards(self, node, init.key)
        if self.home_mode == "fold":
            self.report(plan, node, self.b.module_key())
            self.replace(node, f"{recv} = {self.printer.client(init)}")
            return
        home = client_home(self.ctx.cache, os.path.abspath(self.src.path))
        if self.home_mode == "shared":
            # this file configured Segment too: it now uses the one client (no second one)
            self.finding("client-shared", node, module=self.home_import[0] if self.home_import else "")
            # the home sets this very key when this file's import of the client runs it: the
            # statement has nothing left to do (a created module sets no key: never so)
            same = not home.new and key_text(self.code(node.value)) in self.ctx.cache.get(HOME_KEYS, {}).get(home.path, ())
            if same:
                self._drop_statement(node)
                return
            self.report(_without(plan, "client-converted"), node, self.b.module_key())
        else:
            self.report(plan, node, self.b.module_key())
            self.early_client = Init(Lit(""), init.options)
            if self.home_mode == "create" and home.path not in self.analysis.new_files:  # once per file
                self.analysis.new_files[home.path] = self._new_module_text(home, self.early_client)
                # the module goes beside this file: its name is where it is
                self.finding("client-module-created", node, path=os.path.basename(home.path),
                             script=os.path.basename(self.src.path), why=why_new(home, self.ctx.cache))
        # the client exists from the import on; the key arrives where Segment's did
        self.replace(node, f"{recv}.configuration.api_key = {self.printer.value(init.key)}")

    def _drop_statement(self, node: cst.CSTNode) -> None:
        """Remove node's statement; a line of its own between two blank lines takes one of
        them along, so the blank lines around it read as before."""
        stmt = self.statement_of(node)
        data = self.src.data
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and not self.only_statement_in_block(stmt)):
            self._remove_statement(stmt, node)
            return
        start, end = self.line_start(stmt), span(self.f, stmt)[1]
        nl = data.find(b"\n", end - 1)
        end = len(data) if nl == -1 else nl + 1
        if data[start:span(self.f, stmt)[0]].strip():
            self._remove_statement(stmt, node)  # shares its line with something else
            return
        prev = data.rfind(b"\n", 0, max(start - 1, 0)) + 1
        after = data.find(b"\n", end)
        if start > 0 and not data[prev:start].strip() and after != -1 and not data[end:after].strip():
            start = prev
        self.edit(start, end, "")

    def _new_module_text(self, home: Home, init: Init) -> str:
        printer = Printer(self.profile, set())
        client = f"{home.name} = {printer.client(init)}"
        script = os.path.basename(home.configured_in)
        why = textwrap.wrap(f"segamp created this module: Segment was configured in {script}, which "
                            f"{why_new(home, self.ctx.cache)}. {script} sets the API key.", 92)
        lines = ['"""The project\'s one Amplitude client, in place of Segment\'s module client.', ""] + why + ['"""']
        if printer.needs_os:
            lines.append("import os")
        lines.append(printer.import_line())
        if printer.helpers:
            lines += ["", "", printer.helper_definitions()]
        return "\n".join(lines + ["", client, ""])

    def _home_lines(self, aliases: list[str] = ()) -> list[str]:
        """The import of the home's client, under each name given (an import inside a
        function binds its own), else under the module's name in this file."""
        lines = []
        if self.home_import is not None:
            mod, name = self.home_import
            for alias in aliases or [self.module_alias_name() or "analytics"]:
                lines.append(f"from {mod} import {name}" + (f" as {alias}" if alias and alias != name else ""))
        return lines

    def _home_name_taken(self) -> bool:
        """Every Segment import runs inside a function, so the client is made at module load
        under the home's name: a module-level binding of that name would replace it."""
        imports = [s for s in self.f.nodes_of(cst.SimpleStatementLine) if self.segment_import_parts(s)]
        if not imports or not all(self.in_function(s) for s in imports) or not self.f.module.body:
            return False
        scope = self.f.scopes.get(self.f.module.body[0])
        return scope is not None and bool(scope.assignments[self.f.home_name])

    def in_function(self, node: cst.CSTNode) -> bool:
        """node runs at every call of a function, not once when the module loads."""
        return self.b.enclosing(node, (cst.FunctionDef, cst.Lambda)) is not None

    def module_names_bound(self, parts: list) -> list[str]:
        """The names a Segment import statement binds to the module itself (`from segment
        import analytics as seg`, `import segment.analytics as seg`), not to its functions."""
        names: list[str] = []
        for small, alias in parts:
            if alias is None:
                continue
            local = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
            name = self.code(alias.name)
            if isinstance(small, cst.ImportFrom):
                binds_module = name == "analytics" and dotted_name(small.module) == "segment"
            else:
                binds_module = local is not None or name == "analytics"
            if binds_module and (local or name) not in names:
                names.append(local or name)
        return names

    def home_client_bindings(self, parts: list) -> list[str]:
        """In the home, what an import inside a function becomes: the names it bound, bound to
        the module's client (the one spelled like it needs nothing: an assignment would make
        it local to the function)."""
        return [f"{n} = {self.f.home_name}" for n in self.module_names_bound(parts) if n != self.f.home_name]

    def _early_client_lines(self) -> list[str]:
        """The early client creation, a statement: it goes below the imports (placed by the
        caller). Spelled before the amplitude import line is computed: it needs amplitude
        names too."""
        if self.home_mode == "early" and self.early_client is not None:
            return [f"{self.f.home_name} = {self.printer.client(self.early_client)}"]
        return []

    def _key_set_once_at_top(self, assigns: list[cst.Assign]) -> bool:
        """The key is set once, by a top-level statement, before any other use of the module:
        the client can be created right there."""
        def module_setting(a: cst.Assign) -> bool:
            target = a.targets[0].target
            return isinstance(target, cst.Attribute) and self.b.is_seg_module(target.value)

        key_assigns = [a for a in assigns if module_setting(a) and a.targets[0].target.attr.value == "write_key"]  # type: ignore[attr-defined]
        first = key_assigns[0]
        line = self.statement_of(first)
        if line is None or self.f.parents.get(line) is not self.f.module or len(key_assigns) != 1:
            return False
        before = [a for a in assigns if module_setting(a) and span(self.f, a)[0] < span(self.f, first)[0]]
        return not before and not self._module_used_before(first)

    def _seg_module_uses(self, node: cst.CSTNode) -> list[cst.Attribute]:
        """`<segment module>.x` attribute uses under node (Client excepted)."""
        nodes = self.f.nodes_under(node, cst.Attribute, cst.Call)
        if nodes is None:
            nodes = []
            node.visit(_AttributesAndCalls(nodes))
        found: list[cst.Attribute] = []
        b = self.b
        for n in nodes:
            if type(n) is cst.Attribute:
                if b.is_seg_module(n.value) and n.attr.value != "Client":
                    found.append(n)
            elif b.seg_function(n.func) is not None and b.is_seg_module_key_live():
                found.append(n.func)
        return found

    def _module_used_before(self, first: cst.Assign) -> bool:
        limit = span(self.f, first)[0]
        for stmt in self.f.module.body:
            if span(self.f, stmt)[0] >= limit:
                break
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            if self._seg_module_uses(stmt):
                return True
        return False

    def client_name_for_module(self, node: cst.CSTNode) -> str:
        if isinstance(node, cst.Name):
            return node.value
        return self.f.home_name if self.f.sets_write_key else (self.module_alias_name() or "analytics")


def _without(plan: Plan, rule: str) -> Plan:
    """The plan without one rule's issues (a second home gets no 'client converted')."""
    from dataclasses import replace

    return replace(plan, issues=[i for i in plan.issues if i.rule != rule])


class _AttributesAndCalls(cst.CSTVisitor):
    def __init__(self, found: list) -> None:
        self.found = found

    def visit_Attribute(self, node) -> None:
        self.found.append(node)

    def visit_Call(self, node) -> None:
        self.found.append(node)
