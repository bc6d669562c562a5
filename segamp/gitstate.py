"""What git says about the files a run touches: uncommitted changes (rewrite refuses to write
over them) and the files changed since a ref (--changed-since narrows what is reported).

Outside a git work tree nothing is known: both answer None and the run goes on as before."""
from __future__ import annotations

import os
import subprocess
from typing import Iterable, Optional

from .project import git_toplevel


class GitError(Exception):
    pass


def _git(top: str, *args: str) -> bytes:
    try:
        proc = subprocess.run(["git", "-C", top, *args], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]} failed: {exc}") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1] if proc.stderr else
                       f"git {args[0]} exited with {proc.returncode}")
    return proc.stdout


def _tops(paths: Iterable[str]) -> dict[str, list[str]]:
    by_top: dict[str, list[str]] = {}
    for p in paths:
        top = git_toplevel(os.path.dirname(os.path.abspath(p)) or ".")
        if top is not None:
            by_top.setdefault(top, []).append(os.path.realpath(p))
    return by_top


def dirty(paths: Iterable[str]) -> list[str]:
    """Those of paths (files to be written) that hold changes git has not committed: modified,
    staged or untracked. A rewrite over them could not be undone with git."""
    out: list[str] = []
    for top, files in _tops(paths).items():
        raw = _git(top, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *files)
        entries = raw.split(b"\0")
        changed: set[str] = set()
        i = 0
        while i < len(entries):
            entry = entries[i]
            i += 1
            if len(entry) < 4:
                continue
            changed.add(os.path.realpath(os.path.join(top, os.fsdecode(entry[3:]))))
            if entry[:1] in (b"R", b"C"):
                i += 1   # a rename's second path (its source) follows
        out += [f for f in files if f in changed]
    return out


def changed_since(ref: str, roots: Iterable[str]) -> Optional[set[str]]:
    """Real paths of the files changed since ref (committed, staged, in the work tree, or new),
    or None when no root is in a git work tree."""
    tops = {git_toplevel(os.path.abspath(r) if os.path.isdir(r) else os.path.dirname(os.path.abspath(r)) or ".")
            for r in roots} - {None}
    if not tops:
        return None
    out: set[str] = set()
    for top in sorted(tops):
        for raw in (_git(top, "diff", "--name-only", "-z", ref, "--"),
                    _git(top, "ls-files", "-z", "--others", "--exclude-standard")):
            out |= {os.path.realpath(os.path.join(top, os.fsdecode(n))) for n in raw.split(b"\0") if n}
    return out
