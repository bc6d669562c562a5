"""The pipeline, run once over a set of paths:

discover -> prefilter -> (index: cross-file facts) -> parse -> analyze (bind, match, edits)
-> apply -> verify -> FileResult. Writing is a separate, explicit step (write_changed).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

from . import pool
from .config import Config
from .core import findings as catalog
from .detect import idle_packages, package_targets, packages_used, reference_finding
from .discover import Discoverer, Entry, Notice, PendingGrep, module_stems
from .edits import OverlapError, apply_edits
from .languages import Handler, ProjectContext, all_handlers
from .languages.base import IndexFacts, Parsed
from .languages.reads import TrackedExports, same_answers, track
from .manifests import ManifestScope
from .model import ClientInfo, FileResult, Finding, Kind
from .project import in_scope, program_root, project_root, related_programs, scope_of
from .source import SourceError, SourceFile, atomic_write, decode, is_read_only

NOTE_RE = re.compile(r"TODO\(segamp\):?\s*(.*)")
NOTE_MARKER = b"TODO(segamp)"


@dataclass
class RunStats:
    discovered: int = 0
    scanned: int = 0     # files whose bytes were searched
    parsed: int = 0      # files that had a marker and were parsed
    changed: int = 0
    written: int = 0
    errors: int = 0
    notices: int = 0
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Candidate:
    entry: Entry
    raw: bytes
    mode: int


@dataclass
class Scan:
    """What discovery found: files worth parsing, the rest, and the rest the detector flags."""

    scopes: list[str]
    candidates: list[Candidate] = field(default_factory=list)
    others: list[Entry] = field(default_factory=list)
    detected: dict[str, tuple[Entry, Finding]] = field(default_factory=dict)


class Engine:
    def __init__(self, config: Config, handlers: Optional[list[Handler]] = None):
        self.config = config
        self.handlers = handlers if handlers is not None else all_handlers()
        # processes analysing the candidate files (1: in this process); see segamp.pool
        self.workers = config.jobs if config.jobs > 0 else pool.default_workers()
        self.stats = RunStats()
        # files the rewrite of a source file creates, by that source file's path
        self.created: dict[str, list[FileResult]] = {}
        self.phase = ""   # what run() is doing now, for a progress display

    # --- discover + prefilter --------------------------------------------------------------
    def _read(self, entry: Entry) -> tuple[Optional[bytes], int, Optional[str]]:
        try:
            st = os.stat(entry.path)
            if st.st_size > self.config.max_file_size:
                return None, 0, f"larger than max_file_size ({st.st_size:,} > {self.config.max_file_size:,} bytes); skipped"
            with open(entry.path, "rb") as fh:
                return fh.read(), st.st_mode & 0o7777, None
        except PermissionError:
            return None, 0, "permission denied while reading; skipped"
        except OSError as exc:
            return None, 0, f"cannot read ({exc.strerror or exc}); skipped"

    def run(self, paths: list[str], on_progress: Optional[Callable[[int, int], None]] = None) -> Iterator[FileResult]:
        # The model is built from each PATH's project; only files under the PATHs are reported.
        scan = Scan(scopes=scope_of(paths))
        roots = list(dict.fromkeys(project_root(p, self.config.source) for p in paths if os.path.lexists(p)))
        ctx = ProjectContext(config=self.config, roots=roots)
        self.phase = "scanning"
        yield from self._discover(roots + [p for p in paths if not os.path.isdir(p)], scan, on_progress)
        self.phase = "parsing"
        sources = {cand.entry.path: self._decode(cand) for cand in scan.candidates}
        results = self._model(scan, sources, ctx, on_progress)
        candidates = scan.candidates
        for cand in candidates:
            result = results[cand.entry.path]
            scan.detected.pop(cand.entry.path, None)
            if in_scope(cand.entry.path, scan.scopes):
                self.stats.parsed += not isinstance(sources[cand.entry.path], FileResult)
                _honest(result, cand)
                self._count(result)
                yield result
                for made in self.created.get(cand.entry.path, []) if not result.error else []:
                    self._count(made)
                    yield made
        for entry, finding in scan.detected.values():
            text = detected_text(entry.path)
            result = FileResult(entry.display, entry.handler.language_for(entry.path), old_text=text, new_text=text,
                                fs_path=entry.path)
            finding.path = result.path
            result.findings.append(finding)
            self._count(result)
            yield result

    def _model(self, scan: "Scan", sources: dict, ctx: ProjectContext,
               on_progress: Optional[Callable[[int, int], None]]) -> dict[str, FileResult]:
        """Index the candidates into the project model, then analyse the whole project (the
        closure rule needs every use), on the workers that keep each file's tree throughout."""
        self.candidates = scan.candidates
        self._added: list[tuple] = []   # candidates found after the workers started
        self._generation = 0            # of the project facts: one more each round that changes them
        self._facts: tuple = (IndexFacts(), 0)
        work = _FileWork(self, scan.candidates, sources, ctx)
        self.runner = pool.start(work, [len(c.raw) for c in scan.candidates], self.workers)
        try:
            self._index(scan, sources, ctx, on_progress)
            self.phase = "analysing"
            ctx.freeze()
            results = self._analyse(list(range(len(scan.candidates))), ctx, on_progress)
            # Segment package of a client the closure rule left -> the files that create or use it
            self._left_files: dict[str, set[str]] = {}
            if not self.config.partial:
                results = self._close(sources, ctx, results)
            self._keep_used_packages(ctx, results)
        except BaseException:
            self.runner.close(now=True)
            raise
        self.runner.close()
        return results

    def _discover(self, roots: list[str], scan: "Scan",
                  on_progress: Optional[Callable[[int, int], None]] = None) -> Iterator[FileResult]:
        """Files -> candidates (worth parsing) and others; yields notices and unreadable files."""
        # receivers named in config are Segment clients wherever they appear
        receiver_markers = [r.replace("?.", ".").split(".")[-1].encode() for r in self.config.receivers if r]
        markers = tuple(m for h in self.handlers for m in h.markers) + (NOTE_MARKER, *receiver_markers)
        discoverer = self.discoverer = Discoverer(self.handlers, self.config.include, self.config.exclude, markers)
        yield from self._walk(discoverer, roots, scan, receiver_markers, on_progress)
        # git grep found no marker in these: counted, never listed, read or parsed
        self.stats.discovered += discoverer.unmarked_count

    def _walk(self, discoverer: Discoverer, roots: list[str], scan: "Scan", receiver_markers: list[bytes],
              on_progress: Optional[Callable[[int, int], None]]) -> Iterator[FileResult]:
        for item in discoverer.walk(roots):
            if isinstance(item, Notice):
                if not in_scope(item.path, scan.scopes):
                    continue
                self.stats.notices += 1
                if item.error:
                    self.stats.errors += 1
                yield FileResult(item.path, "-", error=item.message if item.error else None,
                                 skipped=None if item.error else item.message)
                continue
            self.stats.discovered += 1
            if on_progress and self.stats.discovered % 1000 == 0:
                on_progress(self.stats.discovered, 0)   # total 0: still discovering
            raw, mode, problem = self._read(item)
            self.stats.scanned += raw is not None
            if raw is None:
                # Unreadable files matter only if they might hold Segment code; we can't
                # know, so say so once and go on.
                if in_scope(item.path, scan.scopes):
                    self.stats.errors += 1
                    yield FileResult(item.display, item.handler.name, error=problem)
                continue
            if item.handler.has_markers(raw) or NOTE_MARKER in raw or any(r in raw for r in receiver_markers):
                scan.candidates.append(Candidate(item, raw, mode))
                continue
            scan.others.append(item)
            if in_scope(item.path, scan.scopes) and any(m in raw for m in item.handler.markers) \
                    and item.handler.names_segment_sdk(item.path):
                hit = reference_finding(item.handler.name, item.handler.language_for(item.path), raw)
                if hit is not None:
                    scan.detected[item.path] = (item, hit)

    def _index(self, scan: "Scan", sources: dict, ctx: ProjectContext,
               on_progress: Optional[Callable[[int, int], None]] = None) -> None:
        """Cross-file facts (which modules export a client) before any rewrite. Each round
        indexes every file against the previous round's facts (none at first) until they no
        longer change: what a file learns never depends on the files before it, so the
        files can be indexed on several cores, and a module re-exporting a client another
        module exports is seen whatever the order."""
        indexes = [i for i, c in enumerate(scan.candidates) if isinstance(sources[c.entry.path], SourceFile)]
        # the files importing a module that exports a client are known only once every
        # candidate is indexed; a git grep for the names such an import is likely to hold runs
        # meanwhile on another core, and a second one asks only for what the guess missed
        guess = tuple(m for c in scan.candidates for m in module_stems(c.entry.path))
        pending = self.discoverer.start_grep(guess)
        try:
            facts = IndexFacts()
            for _ in range(MAX_IMPORTER_ROUNDS):
                facts = self._index_rounds(indexes, facts, on_progress)
                ctx.load_facts(facts, self._facts[1])
                # an importer is indexed too: a module re-exporting the client (a package's
                # __init__.py, a barrel) names neither Segment nor the client's module
                added = [i for i in self._add_importers(scan, sources, ctx, pending)
                         if isinstance(sources[scan.candidates[i].entry.path], SourceFile)]
                if not added:
                    break
                indexes = indexes + added
        finally:
            if pending is not None:
                pending.close()

    def _index_rounds(self, indexes: list[int], facts: IndexFacts,
                      on_progress: Optional[Callable[[int, int], None]]) -> IndexFacts:
        for round_ in range(1, MAX_INDEX_ROUNDS + 1):
            payload = (facts, self._generation, self._take_added())
            deltas = self.runner.run("index", payload, indexes, on_progress if round_ == 1 else None)
            new = IndexFacts.of(deltas[i] for i in indexes)
            if new == facts:
                break   # every file was indexed against the facts it gives: the fixpoint
            facts, self._generation = new, self._generation + 1
        self._facts = (facts, self._generation)
        return facts

    def _take_added(self) -> list[tuple]:
        added, self._added = self._added, []
        return added

    def _add_importers(self, scan: "Scan", sources: dict, ctx: ProjectContext, pending: Optional[PendingGrep]) -> list[int]:
        """Files that import an exporting module are candidates even without a marker: the
        indexes of those not candidates yet."""
        extras = {h: m for h in self.handlers if (m := h.extra_markers(ctx))}
        first = len(scan.candidates)
        if not extras:
            return []
        # git grep answers for the files Python never read
        unread = self.discoverer.grep(tuple(m for ms in extras.values() for m in ms), set(extras), pending)
        if unread is None:   # git could not answer: read every file it listed
            unread = self.discoverer.unlisted()
        for handler, extra in extras.items():
            confirm = handler.extra_confirm(extra)
            others = [e for e in scan.others if e.handler is handler]
            if unread:
                order = self.discoverer.order_key
                others = sorted(others + [e for e in unread if e.handler is handler], key=lambda e: order(e.path))
            for entry in others:
                if entry.path in sources:   # a candidate already (an importer of a past round)
                    continue
                raw, mode, problem = self._read(entry)
                # bytes `in` (fastsearch) per marker: several times faster than a regex alternation
                if raw is not None and any(m in raw for m in extra) and (confirm is None or confirm.search(raw)):
                    cand = Candidate(entry, raw, mode)
                    scan.candidates.append(cand)
                    sources[entry.path] = self._decode(cand)
                    # for a worker, which has not seen it yet
                    i = len(scan.candidates) - 1
                    self._added.append((i, entry.path, entry.display, self.handlers.index(handler), mode,
                                        sources[entry.path]))
                    self.runner.assign({i: len(raw)})
        return list(range(first, len(scan.candidates)))

    def _analyse(self, indexes: list[int], ctx: ProjectContext,
                 on_progress: Optional[Callable[[int, int], None]] = None) -> dict[str, FileResult]:
        payload = (*self._facts, ctx.blocked, (ctx.blocked_packages, ctx.left_programs), ctx.idle_packages,
                   ctx.manifest_scopes, self._take_added())
        done = self.runner.run("analyse", payload, indexes, on_progress)
        results: dict[str, FileResult] = {}
        for i in indexes:
            path = self.candidates[i].entry.path
            result, created = done[i]
            results[path] = result
            if created is not None:
                self.created[path] = created
            else:
                self.created.pop(path, None)
        return results

    def _close(self, sources: dict, ctx: ProjectContext, results: dict[str, FileResult]) -> dict[str, FileResult]:
        """The closure rule: a client with a use that cannot be converted is left whole. The
        files are analysed again with those clients unbound, so none of their code changes;
        the blocking uses and one finding at each client's origin say why."""
        blocking: dict[str, list[tuple[str, Finding]]] = {}
        clients: dict[str, ClientInfo] = {}
        for path, result in results.items():
            for key, info in result.clients.items():
                if key not in clients or (info.origin and not clients[key].origin):
                    clients[key] = info
            for finding in result.findings:
                if finding.blocks:
                    blocking.setdefault(finding.blocks, []).append((path, finding))
        handlers = {c.entry.path: c.entry.handler for c in self.candidates}
        for path, finding in _unparsed_uses(results, sources, clients, handlers):
            blocking.setdefault(finding.blocks, []).append((path, finding))
        if not blocking:
            return results
        ctx.blocked = frozenset(blocking)
        ctx.blocked_packages = frozenset(clients[k].package for k in blocking if k in clients and clients[k].package)
        ctx.left_programs = _left_programs(blocking, clients)
        # where each left client lives (its origin, its blocking uses, every file that uses it):
        # a manifest governing one of these files keeps the client's package
        for key, uses in blocking.items():
            info = clients.get(key)
            if info is None or not info.package:
                continue
            files = self._left_files.setdefault(info.package, set())
            files.update(os.path.abspath(p) for p, _ in uses)
            if info.origin and ":" in info.origin:
                files.add(os.path.abspath(info.origin.rpartition(":")[0]))
            files.update(os.path.abspath(p) for p, result in results.items() if key in result.clients)
        again = self._analyse(list(range(len(self.candidates))), ctx)
        for key, uses in blocking.items():
            for path, finding in uses:
                if not any(f.line == finding.line and f.rule == finding.rule for f in again[path].findings):
                    again[path].findings.append(finding)
            self._report_left(key, clients.get(key), uses, again)
        self._report_left_with_package(clients, blocking, again)
        for result in again.values():
            result.findings.sort(key=lambda f: (f.line, f.column))
        return again

    def _keep_used_packages(self, ctx: ProjectContext, results: dict[str, FileResult]) -> None:
        """A manifest keeps a Segment package while code it governs still uses it (a left client,
        a test mock, a file no front end migrates): swapping it would break that code's install.
        A manifest governs the code files whose nearest folder holding a manifest of its
        ecosystem is its own (a file under no such folder counts for every manifest): in a
        repository of separately installed services, one service's left client keeps the
        Segment package in its own manifest only. A manifest that keeps a package while code
        it governs was converted also lists the Amplitude package that code now imports."""
        candidates = self.candidates
        manifests = [i for i, c in enumerate(candidates) if getattr(c.entry.handler, "manifest", False)]
        if not manifests:
            return
        ecosystem_of = {i: getattr(candidates[i].entry.handler, "ecosystem", "") for i in manifests}
        # ecosystem -> the folders holding one of its manifests
        folders: dict[str, set[str]] = {}
        for i in manifests:
            folders.setdefault(ecosystem_of[i], set()).add(os.path.dirname(os.path.abspath(candidates[i].entry.path)))
        nearest = _NearestFolder(folders)
        handlers = {c.entry.path: c.entry.handler for c in candidates}
        # (ecosystem, nearest manifest folder or None) -> packages used after the rewrite / used
        # before by a file that changed / of the clients converted; before: does any code use a
        # Segment package at all
        used: dict[tuple, set[str]] = {}
        converted: dict[tuple, set[str]] = {}
        clients: dict[tuple, set[str]] = {}
        before = False
        for path, result in results.items():
            handler = handlers.get(path)
            # a manifest or a lockfile names the package; it does not use it (a lockfile is
            # regenerated from the manifest: the lockfile-pin finding says so)
            if handler is None or getattr(handler, "manifest", False) or _is_lockfile(handler, path):
                continue
            text = result.new_text if result.new_text is not None else result.old_text
            now = packages_used(text or "")
            old = packages_used(result.old_text or "")
            before = before or bool(old)
            # a file that changed for one client may still hold another, left one: what was
            # converted is said by the clients, not by the packages the old text named
            moved = {info.package for key, info in result.clients.items() if key not in ctx.blocked and info.package} \
                if result.changed and not result.error else set()
            if not now and not moved and not (old and result.changed):
                continue
            for eco in folders:
                where = (eco, nearest(eco, os.path.abspath(path)))
                used.setdefault(where, set()).update(now)
                clients.setdefault(where, set()).update(moved)
                if result.changed:
                    converted.setdefault(where, set()).update(old)
        for package, files in self._left_files.items():
            for eco in folders:
                for f in files:
                    used.setdefault((eco, nearest(eco, f)), set()).add(package)
        targets = package_targets()
        scopes: dict[str, ManifestScope] = {}
        for i in manifests:
            path = os.path.abspath(candidates[i].entry.path)
            eco = ecosystem_of[i]
            own, anywhere = (eco, os.path.dirname(path)), (eco, None)
            in_use = used.get(own, set()) | used.get(anywhere, set())
            done = converted.get(own, set()) | converted.get(anywhere, set())
            # (a project of manifests alone is migrated as such: its code is elsewhere)
            idle = idle_packages(in_use, done) if before else set()
            needed = {targets[p] for p in clients.get(own, set()) | clients.get(anywhere, set()) if targets.get(p)}
            add = {targets[p] for p in in_use if targets.get(p) in needed}
            scopes[path] = ManifestScope(frozenset(in_use | idle), frozenset(idle - in_use), frozenset(add))
        # the manifests whose decision differs from the project-wide one they were analysed with
        analysed = ManifestScope(frozenset(ctx.blocked_packages), frozenset(ctx.idle_packages))
        again = [i for i in manifests if scopes[os.path.abspath(candidates[i].entry.path)] != analysed]
        if not again:
            return
        ctx.manifest_scopes = scopes
        results.update(self._analyse(again, ctx))

    def _report_left(self, key: str, info: Optional[ClientInfo], uses: list[tuple[str, Finding]],
                     results: dict[str, FileResult]) -> None:
        where = [f"{results[p].path}:{f.line}" for p, f in uses]
        text = _first_five(where)
        name = info.name if info else key.rsplit("#", 1)[-1]
        if ":typed:" in key:   # a value typed with the package's client type, no one client
            name = f"{key.partition(':typed:')[2]} (a value typed with its client type)"
        origin_path, line = uses[0][0], uses[0][1].line
        if info and info.origin and ":" in info.origin:
            opath, _, oline = info.origin.rpartition(":")
            for p in results:
                if os.path.abspath(p) == os.path.abspath(opath) and oline.isdigit():
                    origin_path, line = p, int(oline)
        finding = catalog.make("client-left", line, 1, blocks=key, name=name, count=str(len(uses)), uses=text)
        finding.path = results[origin_path].path
        finding.language = results[origin_path].language
        results[origin_path].findings.append(finding)

    def _report_left_with_package(self, clients: dict[str, ClientInfo], blocking: dict[str, list],
                                  results: dict[str, FileResult]) -> None:
        """A client no use of its own blocks, left because a value typed with its package's
        client type is (that value may hold it: a typed parameter, an annotation its file
        shares): said at its origin, with those uses, or it would be left without a reason."""
        live = {k for r in results.values() for k in r.clients}
        for key, info in sorted(clients.items()):
            if key in blocking or key in live or not info.package or ":" not in info.origin:
                continue
            # the typed values' own uses when they are left (the usual reason), else the left
            # clients' of the package (the client's file annotates with its type)
            opath, _, oline = info.origin.rpartition(":")
            here = program_root(opath)
            near = [(p, f) for k, us in blocking.items() for p, f in us if related_programs(program_root(p), here)
                    and (k.endswith(":typed:" + info.package) or (k in clients and clients[k].package == info.package))]
            uses = [(p, f) for p, f in near if ":typed:" in (f.blocks or "")] or near
            at = next((p for p in results if os.path.abspath(p) == os.path.abspath(opath)), None)
            if not uses or at is None or not oline.isdigit():
                continue
            where = [f"{results[p].path}:{f.line}" for p, f in uses]
            finding = catalog.make("client-left-with-package", int(oline), 1, blocks=key, name=info.name,
                                   package=info.package, count=str(len(uses)),
                                   uses=_first_five(where))
            finding.path, finding.language = results[at].path, results[at].language
            results[at].findings.append(finding)

    def _decode(self, cand: Candidate) -> SourceFile | FileResult:
        entry = cand.entry
        try:
            return decode(entry.path, cand.raw, cand.mode)
        except SourceError as exc:
            if "binary" in str(exc):
                self.stats.notices += 1
                return FileResult(entry.display, entry.handler.name, skipped=str(exc))
            return FileResult(entry.display, entry.handler.name, error=str(exc))

    # --- parse, analyze, apply, verify -----------------------------------------------------
    def _process(self, entry: Entry, source: SourceFile, parsed: Parsed, ctx: ProjectContext) -> FileResult:
        handler = entry.handler
        result = FileResult(entry.display, handler.language_for(entry.path), old_text=source.text, fs_path=entry.path)
        self.created.pop(entry.path, None)
        try:
            if parsed.error and _in_template(entry.path):
                # a project template's file (cookiecutter, copier) is not code until rendered
                result.skipped = ("a project template (its folder name is a {{ }} placeholder) that does not parse "
                                  "as code: not migrated; update it by hand if it calls the Segment client")
                return result
            if parsed.error:
                result.error = f"syntax error ({parsed.error}); left unchanged"
                return result
            analysis = handler.analyze(source, ctx, parsed.tree)
            self.created[entry.path] = [self._created(handler, entry, path, text)
                                        for path, text in sorted(analysis.new_files.items())]
            result.clients = analysis.clients
            result.findings.extend(analysis.findings)
            result.findings.extend(_leftover_notes(source))
            try:
                new_text = apply_edits(source, analysis.edits)
            except OverlapError as exc:
                result.error = f"internal: {exc}; left unchanged (please report this file)"
                return result
            if new_text != source.text:
                after = SourceFile(source.path, new_text, source.bom, source.encoding, source.newline, source.mode)
                reparsed = _parse(handler, after)
                problem = reparsed.error
                if problem is None and sorted(reparsed.errors) != sorted(parsed.errors):
                    # valid code the grammar mis-parses: the rewrite must leave those spots alone
                    problem = "its parse errors differ from the input's"
                if problem:
                    result.error = f"internal: the rewritten text would not parse ({problem}); left unchanged (please report this file)"
                    return result
            result.new_text = new_text
        except RecursionError:
            result.error = "too deeply nested to analyse; left unchanged"
        except Exception as exc:  # a bug in a module must cost one file, not the run
            result.error = f"internal error ({type(exc).__name__}: {exc}); left unchanged (please report this file)"
        for finding in result.findings:
            finding.path = result.path
            finding.language = finding.language or result.language
        result.findings.sort(key=lambda f: (f.line, f.column))
        return result

    def reparse_problem(self, result: FileResult, text: str) -> Optional[str]:
        """Why text (a new version of result's file) does not parse, or None."""
        # the handler that read the file in this run (the discoverer's per-name choice)
        handler = self.discoverer.handler_for(os.path.basename(result.fs_path))
        if handler is None:
            return None
        source = SourceFile(result.fs_path, text, b"", "utf-8", "\n", 0o644)
        return _parse(handler, source).error

    def _created(self, handler: Handler, entry: Entry, path: str, text: str) -> FileResult:
        """A file the rewrite of entry creates, parse-checked like every rewritten file; shown
        beside entry (a relative path when entry's is)."""
        display = path if os.path.isabs(entry.display) else os.path.relpath(path)
        result = FileResult(display, handler.language_for(path), new_text=text, fs_path=path)
        problem = _parse(handler, SourceFile(path, text, b"", "utf-8", "\n", 0o644)).error
        if problem:
            result.new_text = None
            result.error = f"internal: the file segamp would create does not parse ({problem}); not created (please report this)"
        return result

    def _count(self, result: FileResult) -> None:
        if result.error:
            self.stats.errors += 1
        if result.changed:
            self.stats.changed += 1
        per = self.stats.by_language.setdefault(result.language, {k.value: 0 for k in Kind})
        for finding in result.findings:
            per[finding.kind.value] += 1


# rounds of indexing before the facts are taken as they are (a chain of modules re-exporting
# a client from one another needs a round a link)
MAX_INDEX_ROUNDS = 4
# rounds of finding importers (files that import a module exporting a client) and indexing them
MAX_IMPORTER_ROUNDS = 4
# a file whose reads of the facts give the same answers as when it was last indexed is not
# indexed again, and its analysis takes that round's binding (languages/reads.py); off only in
# tests that compare the two
REUSE_UNCHANGED_READS = True


class _FileWork:
    """The steps a share of the candidates goes through (pool.Work), in a worker or here: each
    file is parsed once, on first use, and its tree kept for every later step."""

    def __init__(self, engine: Engine, candidates: list[Candidate], sources: dict, ctx: ProjectContext):
        self.engine, self.candidates, self.sources, self.ctx = engine, candidates, sources, ctx
        self.parsed: dict[str, Parsed] = {}
        # file -> (the generation it was last indexed or confirmed against, its writes, the
        # facts it read then, or None when they are unknown)
        self.indexed: dict[int, tuple[int, list, Optional[frozenset]]] = {}
        self.index_errors: dict[str, str] = {}            # file -> why its index failed
        self.round_facts: dict[int, IndexFacts] = {}      # generation -> its facts
        self.memo_generation: dict[int, int] = {}         # file -> the round its memos are of

    def load(self, step: str, payload: tuple) -> None:
        ctx = self.ctx
        for i, path, display, handler_at, mode, source in payload[-1]:
            if i == len(self.candidates):   # in a worker (here, the engine added it already)
                self.candidates.append(Candidate(Entry(path, display, self.engine.handlers[handler_at]), b"", mode))
                self.sources[path] = source
        if step == "index":
            facts, generation, _ = payload
            self.round_facts[generation] = facts
            if ctx.generation != generation or not isinstance(ctx.exports, TrackedExports):
                ctx.load_facts(facts, generation)
            return
        facts, generation, blocked, blocked_packages, idle_packages, manifest_scopes, _ = payload
        self.round_facts[generation] = facts
        if not ctx.frozen:
            ctx.load_facts(facts, generation)
            ctx.freeze()
        ctx.blocked, (ctx.blocked_packages, ctx.left_programs), ctx.idle_packages = blocked, blocked_packages, idle_packages
        ctx.manifest_scopes = manifest_scopes

    def do(self, step: str, i: int):
        cand = self.candidates[i]
        src = self.sources[cand.entry.path]
        if step == "index":
            return self._index(i, cand, src)
        if isinstance(src, FileResult):
            return src, None
        self.ctx.memo_generation = self._memo_generation(i)
        problem = self.index_errors.get(cand.entry.path)
        if problem is not None:
            # what the file exports is unknown: it is left, and says so
            return FileResult(cand.entry.display, cand.entry.handler.language_for(cand.entry.path), old_text=src.text,
                              fs_path=cand.entry.path, error=f"{problem}; left unchanged (please report this file)"), None
        result = self.engine._process(cand.entry, src, self._tree(cand, src), self.ctx)
        return result, self.engine.created.get(cand.entry.path)

    def _index(self, i: int, cand: Candidate, src) -> list:
        generation = self.ctx.generation
        done = self.indexed.get(i)
        if done is not None and self._still_valid(done, generation):
            # indexed against these facts already (an importer round added others), or every
            # fact it read is as it was then: it would write the same
            self.indexed[i] = (generation, done[1], done[2])
            return done[1]
        tree = self._tree(cand, src)
        ops: list = []
        reads: set = set()
        if tree.error is None and cand.entry.path not in self.index_errors:
            self.ctx.recording = ops
            self.ctx.memo_generation = generation
            track(self.ctx, reads)
            try:
                cand.entry.handler.index(src, self.ctx, tree.tree)
            except RecursionError:
                ops, self.index_errors[cand.entry.path] = [], "too deeply nested to analyse"
            except Exception as exc:   # a bug in a module must cost one file, not the run
                ops, self.index_errors[cand.entry.path] = [], f"internal error while indexing ({type(exc).__name__}: {exc})"
            finally:
                self.ctx.recording = None
                track(self.ctx, None)
        self.indexed[i] = (generation, ops, frozenset(reads))
        self.memo_generation[i] = generation
        return ops

    def _still_valid(self, done: tuple, generation: int) -> bool:
        """Was the file indexed against these facts, or does each fact it read then give the
        same answer under them?"""
        if done[0] == generation:
            return True
        old, new = self.round_facts.get(done[0]), self.round_facts.get(generation)
        return REUSE_UNCHANGED_READS and done[2] is not None and old is not None and new is not None and \
            same_answers(done[2], old, new)

    def _memo_generation(self, i: int) -> int:
        """The round whose memos (a binding) the file's analysis may take: the one it was last
        indexed in, when what it read gives the same answers under the final facts."""
        generation = self.ctx.generation
        done = self.indexed.get(i)
        if REUSE_UNCHANGED_READS and done is not None and i in self.memo_generation and self._still_valid(done, generation):
            return self.memo_generation[i]
        return generation

    def _tree(self, cand: Candidate, src: SourceFile) -> Parsed:
        tree = self.parsed.get(cand.entry.path)
        if tree is None:
            tree = self.parsed[cand.entry.path] = _parse(cand.entry.handler, src, candidate=True)
        return tree


def _left_programs(blocking: dict[str, list], clients: dict[str, ClientInfo]) -> frozenset:
    """(package, program, typed) for each left key: the programs of its origin and its uses."""
    out = set()
    for key, uses in blocking.items():
        info = clients.get(key)
        typed = ":typed:" in key
        package = info.package if info is not None else key.partition(":typed:")[2] if typed else ""
        if not package:
            continue
        origin = info.origin if info is not None else ""
        paths = [p for p, _ in uses] + ([origin.rpartition(":")[0]] if ":" in origin else [])
        out.update((package, program_root(p), typed) for p in paths)
    return frozenset(out)


def _first_five(where: list[str]) -> str:
    """The places a client-left finding names: five, then how many more."""
    return ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")


def _unparsed_uses(results: dict[str, FileResult], sources: dict, clients: dict[str, ClientInfo], handlers: dict):
    """A file that does not parse may use a client of the project: its calls could not be
    converted, so the client is left (closure rule). A use is the client's name in a file that
    imports the module the client comes from: as its front end reads the imports in the text
    (a relative import names one file: another package's module of the same name is not it),
    or, where it cannot tell, a file that names that module."""
    for path, result in results.items():
        src = sources.get(path)
        if not (result.error and result.error.startswith("syntax error") and isinstance(src, SourceFile)):
            continue
        handler = handlers.get(path)
        for key, info in clients.items():
            origin = info.origin.rpartition(":")[0] if info.origin else ""
            stem = os.path.splitext(os.path.basename(origin))[0]
            same_file = origin and os.path.abspath(origin) == os.path.abspath(path)
            if not info.name or not re.search(rf"\b{re.escape(info.name)}\b", src.text):
                continue
            imports = handler.imports_module(src.text, path, origin) if handler and origin and not same_file else None
            if imports is False:
                continue
            if same_file or imports or (stem and stem not in ("index", "__init__") and re.search(rf"\b{re.escape(stem)}\b", src.text)):
                line = next((i for i, text in enumerate(src.text.splitlines(), 1)
                             if re.search(rf"\b{re.escape(info.name)}\b", text)), 1)
                finding = catalog.make("unparsed-use", line, 1, result.language, blocks=key, name=info.name,
                                       error=result.error.replace("; left unchanged", ""))
                finding.path = result.path
                yield path, finding


def detected_text(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return None


def _honest(result: FileResult, cand: Candidate) -> None:
    """A file the front end left with no change and no finding, yet naming Segment, is reported:
    check must not call it clean."""
    if result.error or result.changed or any(f.kind in (Kind.MANUAL, Kind.UNSUPPORTED) for f in result.findings):
        return
    if not cand.entry.handler.names_segment_sdk(cand.entry.path):
        return
    finding = reference_finding(cand.entry.handler.name, result.language, cand.raw)
    if finding is not None:
        finding.path = result.path
        result.findings.append(finding)


def _parse(handler: Handler, source: SourceFile, candidate: bool = False) -> Parsed:
    try:
        return handler.parse_input(source) if candidate else handler.parse(source)
    except RecursionError:
        return Parsed(None, "too deeply nested")


def _in_template(path: str) -> bool:
    return any("{{" in part and "}}" in part for part in os.path.dirname(path).split(os.sep))


def _leftover_notes(source: SourceFile) -> list[Finding]:
    """TODO(segamp) notes already in the file: a person still has to act on them."""
    findings = []
    if "TODO(segamp)" not in source.text:
        return findings
    for lineno, line in enumerate(source.text.splitlines(), 1):
        m = NOTE_RE.search(line)
        if m:
            findings.append(catalog.make("todo-note", lineno, m.start() + 1, text=catalog.shorten(m.group(1), 160)))
    return findings


class _NearestFolder:
    """The nearest enclosing folder of a path that holds a manifest of an ecosystem, or None."""

    def __init__(self, folders: dict[str, set[str]]):
        self.folders = folders
        self.memo: dict[tuple[str, str], Optional[str]] = {}

    def __call__(self, ecosystem: str, path: str) -> Optional[str]:
        folder = os.path.dirname(path)
        key = (ecosystem, folder)
        if key not in self.memo:
            held, seen, found = self.folders.get(ecosystem, set()), [], None
            while True:
                if (ecosystem, folder) in self.memo:
                    found = self.memo[(ecosystem, folder)]
                    break
                seen.append(folder)
                if folder in held:
                    found = folder
                    break
                parent = os.path.dirname(folder)
                if parent == folder:
                    break
                folder = parent
            for f in seen:
                self.memo[(ecosystem, f)] = found
        return self.memo[key]


def _is_lockfile(handler: Handler, path: str) -> bool:
    return handler.name.endswith("-lock") or os.path.basename(path) in ("Podfile.lock", "Package.resolved")


def write_changed(result: FileResult) -> Optional[str]:
    """Write one changed file atomically; return an error line instead of raising."""
    path = result.fs_path
    if result.created:
        if os.path.lexists(path):
            return "created on disk while segamp ran; not written (run again)"
        try:
            atomic_write(path, (result.new_text or "").encode("utf-8"), 0o644)
        except OSError as exc:
            return f"cannot create ({exc.strerror or exc}); not written"
        return None
    if is_read_only(path):
        return "read-only file; not written (make it writable and run again)"
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        current = decode(path, raw, os.stat(path).st_mode & 0o7777)
    except (OSError, SourceError) as exc:
        return f"cannot re-read before writing ({exc}); not written"
    if current.text != result.old_text:
        return "changed on disk while segamp ran; not written (run again)"
    try:
        atomic_write(path, current.encode(result.new_text or ""), current.mode)
    except OSError as exc:
        return f"cannot write ({exc.strerror or exc}); left unchanged"
    return None
