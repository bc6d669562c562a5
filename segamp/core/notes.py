"""TODO(segamp) notes: one comment line above the statement a person has to look at.

Shared by every printer: one note per message per statement, never duplicated on a second run
(notes already above the statement are recognised), in the file's comment syntax. When the
statement does not start its line (`a(); b()`), a block comment goes in front of it where the
language has one.
"""
from __future__ import annotations

from typing import Optional

from ..model import Edit, Finding
from .findings import note_text

MARK = "TODO(segamp):"


class Notes:
    def __init__(self, data: bytes, line_comment: str, block_comment: Optional[tuple[str, str]] = None):
        self.data = data
        self.line_comment = line_comment
        self.block_comment = block_comment
        self._by_stmt: dict[int, list[str]] = {}

    def add(self, stmt_start: int, message: str) -> None:
        self._by_stmt.setdefault(stmt_start, []).append(" ".join(message.split()))

    def add_finding(self, stmt_start: int, finding: Finding) -> None:
        self.add(stmt_start, note_text(finding))

    def __bool__(self) -> bool:
        return bool(self._by_stmt)

    def edits(self) -> list[Edit]:
        out = []
        for start, messages in sorted(self._by_stmt.items()):
            line_start = self.data.rfind(b"\n", 0, start) + 1
            before = self.data[line_start:start]
            present = self._comments_above(line_start) + before.decode("utf-8", "replace")
            unique = [m for m in dict.fromkeys(messages) if f"{MARK} {m}" not in present]
            if not unique:
                continue
            if before.strip() == b"" or self.block_comment is None:
                if before.strip() == b"":
                    indent = before.decode("utf-8", "replace")
                else:  # a statement after others on its line: note goes above the line
                    raw = self.data[line_start:start].decode("utf-8", "replace")
                    indent = raw[:len(raw) - len(raw.lstrip())]
                text = "".join(f"{indent}{self.line_comment} {MARK} {m}\n" for m in unique)
                out.append(Edit(line_start, line_start, text))
            else:
                open_, close = self.block_comment
                text = "".join(f"{open_} {MARK} {m.replace(close, close[0] + ' ' + close[1:])} {close} " for m in unique)
                out.append(Edit(start, start, text))
        return out

    def _comments_above(self, line_start: int) -> str:
        """The run of comment lines directly above a line."""
        lines = self.data[:line_start].decode("utf-8", "replace").splitlines()
        prefixes = (self.line_comment,) + ((self.block_comment[0], "*") if self.block_comment else ())
        out = []
        for line in reversed(lines):
            if not line.strip().startswith(prefixes):
                break
            out.append(line)
        return "\n".join(out)
