"""Applying text edits: one place that checks overlaps and keeps the file's line endings."""
from __future__ import annotations

from .model import Edit
from .source import SourceFile


class OverlapError(Exception):
    pass


def normalise_newlines(text: str, newline: str) -> str:
    if "\n" not in text:
        return text
    text = text.replace("\r\n", "\n")
    return text if newline == "\n" else text.replace("\n", newline)


def apply_edits(source: SourceFile, edits: list[Edit]) -> str:
    """Return the new text. Raises OverlapError rather than guessing an order."""
    if not edits:
        return source.text
    ordered = sorted(set(edits), key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:]):
        if before.overlaps(after):
            raise OverlapError(
                f"two edits overlap at bytes {before.start}-{before.end} and {after.start}-{after.end}"
            )
    data = source.data
    out: list[bytes] = []
    cursor = 0
    for edit in ordered:
        out.append(data[cursor:edit.start])
        out.append(normalise_newlines(edit.text, source.newline).encode("utf-8"))
        cursor = edit.end
    out.append(data[cursor:])
    return b"".join(out).decode("utf-8")
