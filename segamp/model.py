"""The shared vocabulary of the pipeline: what every stage passes to the next.

Offsets in an Edit are byte offsets into ``SourceFile.data`` (the UTF-8 text without BOM),
because that is what tree-sitter reports; libcst-based modules convert with
``SourceFile.byte_offset``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional


class Kind(str, Enum):
    """What a finding says about a place in the code."""

    CONVERTED = "converted"      # rewritten automatically
    MANUAL = "manual"            # a person must act (the code says TODO(segamp) where it can)
    UNSUPPORTED = "unsupported"  # Segment usage left as it is: no Amplitude equivalent
    ERROR = "error"              # the file could not be processed

    def __str__(self) -> str:  # rich/json print the value, not "Kind.MANUAL"
        return self.value


@dataclass(frozen=True)
class Edit:
    start: int  # byte offset, inclusive
    end: int    # byte offset, exclusive
    text: str

    def overlaps(self, other: "Edit") -> bool:
        if self.start == self.end == other.start == other.end:
            return True  # two insertions at one point: order would be arbitrary
        return self.start < other.end and other.start < self.end


@dataclass
class Finding:
    line: int            # 1-based
    column: int          # 1-based, in characters
    kind: Kind
    rule: str            # an id of rules/findings.toml, e.g. "write-key-literal"
    message: str
    suggestion: str = ""
    path: str = ""       # filled in by the engine
    language: str = ""   # filled in by the engine when the module leaves it empty
    # the key of the Segment client this finding keeps from migrating (a use that cannot be
    # converted): the closure rule leaves that whole client, in every file, unchanged
    blocks: Optional[str] = None
    # the catalog parameters the message was filled from (next steps group findings by them)
    params: dict = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "kind": self.kind.value,
            "rule": self.rule,
            "language": self.language,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass
class Analysis:
    """What a language module returns for one file."""

    edits: list[Edit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # the Segment clients this file creates or uses, by client key
    clients: dict[str, "ClientInfo"] = field(default_factory=dict)
    # files the rewrite of this one creates (absolute path -> text): a module for the one
    # client a project's modules share, when no existing module can hold it
    new_files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientInfo:
    """A Segment client of the project, as one file sees it.

    key: stable across files: the file and name where the client is created (or a fixed key
    for module-level and global clients: "js:snippet", "py:module:<home>"), so that a use in
    one file and the constructor in another name the same client. package: the Segment
    package it comes from (the manifest keeps that package while a client of it is left)."""

    key: str
    name: str
    package: str
    origin: str = ""   # "path:line" of the creation, when this file has it


@dataclass
class FileResult:
    path: str                    # as shown to the user (relative to the cwd when possible)
    language: str
    old_text: Optional[str] = None
    new_text: Optional[str] = None
    findings: list[Finding] = field(default_factory=list)
    error: Optional[str] = None  # one line: why the file was not processed
    written: bool = False
    skipped: Optional[str] = None  # a notice (symlink, binary...) that is not a failure
    fs_path: str = ""              # where to write; path is for display
    clients: dict = field(default_factory=dict)   # key -> ClientInfo: the clients this file creates or uses

    @property
    def created(self) -> bool:
        """A file segamp creates: it has new text and never had old text."""
        return self.error is None and self.old_text is None and self.new_text is not None

    @property
    def changed(self) -> bool:
        return self.error is None and self.new_text is not None and self.new_text != self.old_text

    def count(self, kind: Kind) -> int:
        # a file that could not be processed is an error of its own, finding or not (the
        # summaries' "errors" and files_failed count it)
        own = 1 if kind == Kind.ERROR and self.error and not any(f.kind == kind for f in self.findings) else 0
        return own + sum(1 for f in self.findings if f.kind == kind)
