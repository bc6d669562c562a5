"""Which project facts a file's index() read, so that a later round can tell whether it would
learn anything new.

The engine indexes every file in rounds until the facts stop changing (engine._index): the
last round only confirms. A file's index() is a function of its own text and of the facts it
reads; when none of those changed between the round it last ran in and this one, its writes
are the same, and running it again (a libcst or tree-sitter binding, the larger part of a
file's time) is skipped.

While a file is indexed, the context's containers record each read: a key looked up (its value
is compared), or the whole container when it is iterated (the whole is compared). Searches that
would otherwise iterate (module keys ending in a suffix, evidence with a prefix) are queries of
their own, recorded with their arguments and compared by their answers. What is compared is
the round's IndexFacts, never the context's copies, which memos may fill in place.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

MISSING = object()


class TrackedExports(dict):
    """ctx.exports during index(): module key -> exported names."""

    reads: Optional[set] = None

    def _all(self) -> None:
        if self.reads is not None:
            self.reads.add(("x*",))

    def get(self, key, default=None):
        if self.reads is not None:
            self.reads.add(("x", key))
        return dict.get(self, key, default)

    def __getitem__(self, key):
        if self.reads is not None:
            self.reads.add(("x", key))
        return dict.__getitem__(self, key)

    def __contains__(self, key) -> bool:
        if self.reads is not None:
            self.reads.add(("x", key))
        return dict.__contains__(self, key)

    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._all()
        return dict.__len__(self)

    def keys(self):
        self._all()
        return dict.keys(self)

    def items(self):
        self._all()
        return dict.items(self)

    def values(self):
        self._all()
        return dict.values(self)

    def copy(self):
        self._all()
        return dict(dict.items(self))


class TrackedEvidence(set):
    """ctx.evidence during index(): project-wide signals."""

    reads: Optional[set] = None

    def __contains__(self, item) -> bool:
        if self.reads is not None:
            self.reads.add(("e", item))
        return set.__contains__(self, item)

    def __iter__(self):
        if self.reads is not None:
            self.reads.add(("e*",))
        return set.__iter__(self)

    def __len__(self) -> int:
        if self.reads is not None:
            self.reads.add(("e*",))
        return set.__len__(self)


class TrackedCache(dict):
    """ctx.cache during index(): project facts (str names) beside a module's own memos. A read
    of a name is recorded whatever it holds now; whether it is a fact is decided when the
    rounds are compared (a name no round's facts hold is a memo, derived from the file)."""

    reads: Optional[set] = None

    def get(self, key, default=None):
        if self.reads is not None and isinstance(key, str):
            self.reads.add(("c", key))
        return dict.get(self, key, default)

    def __getitem__(self, key):
        if self.reads is not None and isinstance(key, str):
            self.reads.add(("c", key))
        return dict.__getitem__(self, key)

    def __contains__(self, key) -> bool:
        if self.reads is not None and isinstance(key, str):
            self.reads.add(("c", key))
        return dict.__contains__(self, key)

    def setdefault(self, key, default=None):
        if self.reads is not None and isinstance(key, str):
            self.reads.add(("c", key))
        return dict.setdefault(self, key, default)

    def __iter__(self):
        if self.reads is not None:
            self.reads.add(("c*",))
        return dict.__iter__(self)

    def items(self):
        if self.reads is not None:
            self.reads.add(("c*",))
        return dict.items(self)

    def keys(self):
        if self.reads is not None:
            self.reads.add(("c*",))
        return dict.keys(self)

    def values(self):
        if self.reads is not None:
            self.reads.add(("c*",))
        return dict.values(self)


def track(ctx: Any, reads: Optional[set]) -> None:
    """Record the reads of ctx's facts into reads (None: stop recording)."""
    for box in (ctx.exports, ctx.evidence, ctx.cache):
        if isinstance(box, (TrackedExports, TrackedEvidence, TrackedCache)):
            box.reads = reads


# --- queries that would iterate ---------------------------------------------------------------
def _keys_ending(keys: Iterable[str], tails: tuple[str, ...]) -> list[str]:
    return [k for k in keys if k.endswith(tails)]


def export_keys_ending(exports: Any, tails: tuple[str, ...]) -> list[str]:
    """The module keys of exports that end with one of tails, in the exports' order."""
    if isinstance(exports, TrackedExports):
        if exports.reads is not None:
            exports.reads.add(("x~", tails))
        return _keys_ending(dict.keys(exports), tails)
    return _keys_ending(exports, tails)


def _matching(items: Iterable[str], prefix: str, suffix: str) -> tuple[str, ...]:
    return tuple(sorted(e for e in items if e.startswith(prefix) and e.endswith(suffix)))


def evidence_matching(evidence: Any, prefix: str, suffix: str = "") -> tuple[str, ...]:
    """The evidence items starting with prefix and ending with suffix, sorted."""
    if isinstance(evidence, TrackedEvidence):
        if evidence.reads is not None:
            evidence.reads.add(("e~", prefix, suffix))
        return _matching(set.__iter__(evidence), prefix, suffix)
    return _matching(evidence, prefix, suffix)


# --- comparing two rounds ---------------------------------------------------------------------
def _answer(read: tuple, facts: Any) -> Any:
    kind = read[0]
    if kind == "x":
        return facts.exports.get(read[1], MISSING)
    if kind == "x*":
        return facts.exports
    if kind == "x~":
        return _keys_ending(facts.exports, read[1])
    if kind == "e":
        return read[1] in facts.evidence
    if kind == "e*":
        return facts.evidence
    if kind == "e~":
        return _matching(facts.evidence, read[1], read[2])
    if kind == "c":
        return facts.cache.get(read[1], MISSING)
    if kind == "c*":
        return facts.cache
    raise ValueError(f"unknown read {kind!r}")


def same_answers(reads: Iterable[tuple], old: Any, new: Any) -> bool:
    """Does every read give the same answer under the facts new as under old?"""
    if old is new:
        return True
    for read in reads:
        a, b = _answer(read, old), _answer(read, new)
        if a is MISSING or b is MISSING:
            if a is not b:
                return False
        elif a != b:
            return False
    return True
