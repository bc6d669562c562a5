"""What a language (or manifest) module provides to the engine.

A module says which files it takes, which bytes mark a file as worth parsing, whether a
text parses, and, for a file that does, the edits and findings. Everything else (reading,
prefiltering, applying edits, verifying, writing, reporting) is the engine's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Optional

from ..config import Config
from ..model import Analysis
from ..project import program_root, related_programs
from ..source import SourceFile
from .reads import TrackedCache, TrackedEvidence, TrackedExports


@dataclass
class Parsed:
    """One parse of one text: the language's tree (or None) and why it does not parse."""

    tree: Any = None
    error: Optional[str] = None
    # the texts of the parse-error nodes of a tree that parses with errors the module tolerates
    # (valid code a grammar mis-parses): verify compares them before and after the rewrite
    errors: tuple = ()


@dataclass
class ProjectContext:
    """Facts gathered across files before any file is rewritten; exports and evidence are
    frozen once indexing is over, so analysis can never depend on the order of files."""

    config: Config
    roots: list[str]
    # module key (absolute path without extension) -> exported name -> what it is
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)
    # project-wide signals, e.g. "segment-snippet" when a loader snippet was seen
    evidence: set[str] = field(default_factory=set)
    # per-file cache a module may fill during index() and reuse in analyze()
    cache: dict[str, Any] = field(default_factory=dict)
    frozen: bool = False
    # keys of clients the closure rule leaves unchanged (set by the engine before the second
    # pass): a front end treats their receivers as not Segment clients at all
    blocked: frozenset = frozenset()
    # Segment packages some left client still needs: manifests keep them
    blocked_packages: frozenset = frozenset()
    # (package, program, typed) of every left client: its package, the JS program
    # (segamp.project.program_root) of its origin and of each blocking use, and whether the
    # left key is a typed value: the package-wide typed rule holds within related programs
    left_programs: frozenset = frozenset()
    # of those, the ones no code uses and no converted package needs the replacement of
    idle_packages: frozenset = frozenset()
    # manifest path (absolute) -> its ManifestScope (segamp.manifests): what that manifest keeps,
    # decided from the code it governs; empty until the engine has decided, then each manifest
    # reads its own entry instead of the project-wide sets above
    manifest_scopes: dict = field(default_factory=dict)

    # what index() writes goes through the methods below: while the engine indexes, each
    # file's writes are recorded (its IndexDelta) instead of applied, so a file's index sees
    # the facts of the previous round only, never those of files indexed before it; the
    # engine applies every file's delta in file order (index_round, engine._index)
    recording: Optional[list] = None
    generation: int = 0          # which round's facts this context holds
    # the round whose facts a file's memos hold (the engine sets it per file): a file whose
    # reads gave the same answers since (languages/reads.py) keeps the binding it had then
    memo_generation: int = 0
    _fact_names: frozenset = frozenset()   # the cache entries that are project facts

    def add_exports(self, module: str, names: dict) -> None:
        self._write(("exports", module, dict(names)))

    def add_evidence(self, *items: str) -> None:
        self._write(("evidence", tuple(items)))

    def put_fact(self, name: str, path: str, value: Any) -> None:
        """cache[name][path] = value: a project fact about one file."""
        self._write(("put", name, path, value))

    def add_facts(self, name: str, items) -> None:
        """cache[name] |= items (a set)."""
        self._write(("add", name, tuple(items)))

    def merge_facts(self, name: str, mapping: dict) -> None:
        """cache[name].update(mapping)."""
        self._write(("merge", name, dict(mapping)))

    def _write(self, op: tuple) -> None:
        if self.recording is not None:
            self.recording.append(op)
        else:
            apply_op(self.exports, self.evidence, self.cache, op)

    def load_facts(self, facts: "IndexFacts", generation: int) -> None:
        """Hold these project facts (a round's, or the final ones) instead of the previous;
        the cache's other entries (a module's own per-file memos) stay."""
        self.exports = TrackedExports({k: dict(v) for k, v in facts.exports.items()})
        self.evidence = TrackedEvidence(facts.evidence)
        if not isinstance(self.cache, TrackedCache):
            self.cache = TrackedCache(self.cache)
        for name in self._fact_names:
            self.cache.pop(name, None)
        self.cache.update({k: v.copy() for k, v in facts.cache.items()})
        self._fact_names = frozenset(facts.cache)
        self.generation = generation

    def left_in_program(self, package: str, path: str, typed: Optional[bool] = None) -> bool:
        """Is a client of package (a typed value of it, for typed=True) left in a program
        related to path's? Separately built programs share no values (project.program_root)."""
        here = program_root(path)
        return any(p == package and typed in (None, t) and related_programs(prog, here)
                   for p, prog, t in self.left_programs)

    def freeze(self) -> None:
        self.exports = MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.exports.items()})
        self.evidence = frozenset(self.evidence)
        self.frozen = True


@dataclass
class IndexFacts:
    """The project facts index() gathers: every file's recorded writes, applied in file order."""

    exports: dict = field(default_factory=dict)
    evidence: set = field(default_factory=set)
    cache: dict = field(default_factory=dict)

    @classmethod
    def of(cls, deltas) -> "IndexFacts":
        facts = cls()
        for ops in deltas:
            for op in ops:
                apply_op(facts.exports, facts.evidence, facts.cache, op)
        return facts


def apply_op(exports: dict, evidence: set, cache: dict, op: tuple) -> None:
    kind = op[0]
    if kind == "exports":
        exports.setdefault(op[1], {}).update(op[2])
    elif kind == "evidence":
        evidence.update(op[1])
    elif kind == "put":
        cache.setdefault(op[1], {})[op[2]] = op[3]
    elif kind == "add":
        cache.setdefault(op[1], set()).update(op[2])
    elif kind == "merge":
        cache.setdefault(op[1], {}).update(op[2])
    else:
        raise ValueError(f"unknown index write {kind!r}")


class Handler:
    name: str = ""
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()          # exact basenames (manifests)
    filename_patterns: tuple[str, ...] = ()  # regexes on the basename
    markers: tuple[bytes, ...] = ()
    # Optional regex a file must ALSO match to be parsed: what Segment code in this language
    # cannot do without (an import, a client receiver). Runs only on files the literal markers
    # let through, so it costs little and keeps files that merely mention the words unparsed.
    marker_pattern: Optional[bytes] = None
    comment_prefix: Optional[str] = None     # for TODO(segamp) notes found in old text

    def __init__(self) -> None:
        self._confirm_re = re.compile(self.marker_pattern, re.M) if self.marker_pattern else None
        self._name_res = [re.compile(p) for p in self.filename_patterns]

    def takes(self, basename: str, ext: str) -> bool:
        if basename in self.filenames or any(r.fullmatch(basename) for r in self._name_res):
            return True
        return ext in self.extensions

    def language_for(self, path: str) -> str:
        """The language name shown in reports (a module may cover several)."""
        return self.name

    def has_markers(self, raw: bytes) -> bool:
        # A few literal markers: bytes.__contains__ (fastsearch) is ~2.5x faster than one
        # alternation regex, and this runs on every discovered file.
        if not any(m in raw for m in self.markers):
            return False
        if self._confirm_re is None or b"\x00" in raw[:8192]:
            return True  # a binary with a source name is reported by the engine, not parsed
        return self._confirm_re.search(raw) is not None

    # --- the pipeline steps a module implements ------------------------------------------
    def parse(self, source: SourceFile) -> Parsed:
        """Parse once: the engine hands the tree to index() and analyze() (and parses the
        rewritten text once more to verify it). Modules with a tree override this."""
        return Parsed(None, self.parse_error(source))

    def parse_input(self, source: SourceFile) -> Parsed:
        """Parse a candidate, whose tree index() and analyze() will read (parse() also answers
        for rewritten texts, which need only the verdict)."""
        return self.parse(source)

    def parse_error(self, source: SourceFile) -> Optional[str]:
        """None when the text parses, else a short 'line N: ...' reason."""
        return None

    def index(self, source: SourceFile, ctx: ProjectContext, tree: Any = None) -> None:
        """Optional cross-file pass: record what this file exports (clients, hooks...)."""

    def extra_markers(self, ctx: ProjectContext) -> tuple[bytes, ...]:
        """Markers learnt in index(): files importing a client module are candidates too."""
        return ()

    def names_segment_sdk(self, path: str) -> bool:
        """Does a Segment-looking reference in this file name Segment's SDK? A module may say
        no (a project package that shadows the SDK's name), so the detector does not flag it."""
        return True

    def imports_module(self, text: str, path: str, module_path: str) -> Optional[bool]:
        """Does the text of a file at path that does not parse import the module at module_path?
        None when this language cannot tell from the text (the closure rule then takes the
        module's name in the text as an import of it)."""
        return None

    def extra_confirm(self, markers: tuple[bytes, ...]) -> Optional["re.Pattern"]:
        """Optional regex a file with an extra marker must also match (an import of it)."""
        return None

    def analyze(self, source: SourceFile, ctx: ProjectContext, tree: Any = None) -> Analysis:
        raise NotImplementedError
