"""rewrite --interactive: per file (and, on request, per hunk) accept, skip or quit, as
ast-grep's -i. Keys: y apply, n skip, a apply this and every remaining file, h choose hunk by
hunk, q quit (nothing more is written). A file assembled from some of its hunks is written only
if it still parses; skipping a file that shares a client with other files says so (the closure
rule: that client would be half-migrated)."""
from __future__ import annotations

import difflib
from typing import Callable, Optional

import click

from .model import FileResult
from .render import unified_diff

FILE_KEYS = "[y] apply  [n] skip  [a] apply all remaining  [h] hunk by hunk  [q] quit"
HUNK_KEYS = "[y] apply hunk  [n] skip hunk  [q] skip the rest of this file"


def _key(valid: str, getchar: Callable[[], str]) -> str:
    while True:
        ch = getchar().lower()
        if ch in valid:
            click.echo(ch)
            return ch
        if ch in ("\x03", "\x04"):   # Ctrl-C / Ctrl-D in raw mode
            raise KeyboardInterrupt


def _hunks(old: str, new: str) -> list[list[tuple[str, int, int, int, int]]]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    return list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(3))


def _assemble(old: str, new: str, groups: list, accepted: list[bool]) -> str:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    pos = 0
    for group, take in zip(groups, accepted):
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                continue
            out += a[pos:i1]
            out += b[j1:j2] if take else a[i1:i2]
            pos = i2
    return "".join(out + a[pos:])


def _show_hunk(old: str, new: str, group: list) -> None:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            click.echo("".join(" " + x for x in a[i1:i2]), nl=False)
        else:
            click.secho("".join("-" + x for x in a[i1:i2]), fg="red", nl=False)
            click.secho("".join("+" + x for x in b[j1:j2]), fg="green", nl=False)


def _by_hunk(result: FileResult, parses: Callable[[FileResult, str], Optional[str]],
             getchar: Callable[[], str]) -> bool:
    old, new = result.old_text or "", result.new_text or ""
    groups = _hunks(old, new)
    accepted = []
    for n, group in enumerate(groups, 1):
        click.secho(f"--- hunk {n} of {len(groups)}", bold=True)
        _show_hunk(old, new, group)
        click.echo(HUNK_KEYS + " ? ", nl=False)
        key = _key("ynq", getchar)
        if key == "q":
            accepted += [False] * (len(groups) - len(accepted))
            break
        accepted.append(key == "y")
    if not any(accepted):
        return False
    text = _assemble(old, new, groups, accepted)
    problem = parses(result, text)
    if problem:
        click.secho(f"{result.path}: those hunks alone do not parse ({problem}); file skipped", fg="yellow")
        return False
    result.new_text = text
    return True


def select(targets: list[FileResult], parses: Callable[[FileResult, str], Optional[str]],
           getchar: Callable[[], str] = click.getchar) -> list[FileResult]:
    """The files (possibly with fewer hunks) the person accepted, in order."""
    chosen: list[FileResult] = []
    skipped_clients: set[str] = set()
    for i, result in enumerate(targets):
        click.secho(f"\n{result.path}  ({i + 1} of {len(targets)})", fg="cyan", bold=True)
        click.echo(unified_diff(result), nl=False)
        click.echo(FILE_KEYS + " ? ", nl=False)
        key = _key("ynahq", getchar)
        if key == "q":
            break
        if key == "a":
            chosen += targets[i:]
            break
        if key == "y" or (key == "h" and _by_hunk(result, parses, getchar)):
            chosen.append(result)
            continue
        shared = [k for k in result.clients if any(k in t.clients for t in targets if t is not result)]
        skipped_clients |= set(shared)
        if shared:
            click.secho(f"note: {result.path} shares a Segment client with other files; applying those "
                        "without this one leaves the client half-migrated", fg="yellow")
    return chosen
