"""paths -> the files each module takes, skipping what a person would never want touched.

Respects .gitignore (via `git ls-files` inside a work tree, else by reading the .gitignore
files on the way down), --include/--exclude, and vendored or generated folders.
"""
from __future__ import annotations

import os
import re
import stat
import subprocess
from dataclasses import dataclass
from typing import Iterator, Optional, Union

import pathspec

from .languages.base import Handler
from .project import git_toplevel

SKIP_DIRS = frozenset(
    """node_modules bower_components jspm_packages vendor third_party Pods Carthage DerivedData
    build dist out .next .nuxt .svelte-kit .output .turbo .cache .parcel-cache storybook-static
    coverage .git .hg .svn .venv venv .tox .nox __pycache__ .mypy_cache .pytest_cache .ruff_cache
    site-packages .eggs .gradle .idea .yarn target""".split()
)
SKIP_SUFFIXES = (".min.js", ".bundle.js", ".map")  # .d.ts files are read by the detector only


@dataclass
class Entry:
    path: str        # as given/joined, used for I/O
    display: str     # relative to cwd when possible
    handler: Handler
    # git grep found none of the run's markers in it: never read (see Discoverer.markers)
    unmarked: bool = False


@dataclass
class Notice:
    path: str
    message: str
    error: bool      # True: the user asked for it and it failed; False: a skip worth saying


def _display(path: str) -> str:
    if not os.path.isabs(path):
        # relpath(p) of a relative p is normpath(p) unless it climbs out of the cwd; this
        # skips relpath's getcwd + two abspaths, which cost ~20 us a file on big trees.
        rel = os.path.normpath(path)
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return rel
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


class Discoverer:
    def __init__(self, handlers: list[Handler], include: list[str], exclude: list[str],
                 markers: tuple[bytes, ...] = ()):
        self.handlers = handlers
        # the literal markers a file needs to be worth reading; in a git work tree `git grep`
        # finds them in one native pass and the other files are never opened by Python
        self.markers = _minimal(markers)
        self.git_roots: list[str] = []
        # handler_for runs on every listed file: most names are decided by their extension
        self._named = frozenset(n for h in handlers for n in h.filenames)
        patterns = [p for h in handlers for p in h.filename_patterns]
        self._name_re = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        self._by_ext: dict[str, Optional[Handler]] = {}
        self.include = pathspec.GitIgnoreSpec.from_lines(include) if include else None
        self.exclude = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
        self._real_dirs: dict[str, str] = {}

    def _realpath_of_file(self, path: str) -> str:
        """realpath() of a path whose last component is not a symlink: the folder's realpath,
        cached, plus the name (realpath lstat()s every component; folders repeat)."""
        folder, name = os.path.split(path)
        real = self._real_dirs.get(folder)
        if real is None:
            real = self._real_dirs[folder] = os.path.realpath(folder or ".")
        return os.path.join(real, name)

    def handler_for(self, name: str) -> Optional[Handler]:
        if name.endswith(SKIP_SUFFIXES):
            return None
        ext = os.path.splitext(name)[1].lower()
        if name not in self._named and (self._name_re is None or not self._name_re.fullmatch(name)):
            if ext not in self._by_ext:
                self._by_ext[ext] = self._first_taker(name, ext)
            return self._by_ext[ext]
        return self._first_taker(name, ext)

    def _first_taker(self, name: str, ext: str) -> Optional[Handler]:
        for handler in self.handlers:
            if handler.takes(name, ext):
                return handler
        return None

    def _selected(self, rel: str) -> bool:
        if self.exclude is not None and self.exclude.match_file(rel):
            return False
        return self.include is None or self.include.match_file(rel)

    def walk(self, paths: list[str]) -> Iterator[Union[Entry, Notice]]:
        seen: set[str] = set()
        for root in paths:
            if os.path.isfile(root) or os.path.islink(root) and not os.path.isdir(root):
                yield from self._one(root, os.path.dirname(os.path.abspath(root)), explicit=True, seen=seen)
                continue
            in_git = os.path.isdir(os.path.join(root, ".git")) or git_toplevel(root) is not None
            # git grep runs while git ls-files lists: two native passes at once
            grep = _start_grep(root, self.markers) if in_git else None
            listed = _git_listing(root) if in_git else None
            marked = _grep_result(grep)
            if listed is None:
                marked = None
            if marked is not None:
                self.git_roots.append(root)
            if listed is not None:
                shown = _display(root)
                for rel in listed:
                    parts = rel.split("/")
                    if any(p in SKIP_DIRS for p in parts[:-1]) or not self._selected(rel):
                        continue
                    handler = self.handler_for(parts[-1])
                    if handler is None:
                        continue
                    path = os.path.join(root, rel)
                    if marked is not None and rel not in marked:
                        # never read: no need to stat it, resolve links or dedupe it
                        display = rel if shown == "." else _display(path)
                        yield Entry(path, display, handler, True)
                        continue
                    yield from self._one(path, root, explicit=False, seen=seen)
            else:
                yield from self._walk_tree(root, seen)

    def _walk_tree(self, root: str, seen: set[str]) -> Iterator[Union[Entry, Notice]]:
        ignores: list[tuple[str, pathspec.GitIgnoreSpec]] = []
        root_abs = os.path.abspath(root)
        for folder, dirs, files in os.walk(root, onerror=None):
            gi = os.path.join(folder, ".gitignore")
            if ".gitignore" in files:
                try:
                    with open(gi, encoding="utf-8", errors="replace") as fh:
                        ignores.append((folder, pathspec.GitIgnoreSpec.from_lines(fh)))
                except OSError:
                    pass
            active = [(base, spec) for base, spec in ignores if folder == base or folder.startswith(base + os.sep)]

            def ignored(name: str, is_dir: bool) -> bool:
                for base, spec in active:
                    rel = os.path.relpath(os.path.join(folder, name), base).replace(os.sep, "/")
                    if spec.match_file(rel + ("/" if is_dir else "")):
                        return True
                return False

            rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
            rel_folder = "" if rel_folder == "." else rel_folder + "/"
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not ignored(d, True)
                             and not (self.exclude is not None and self.exclude.match_file(rel_folder + d + "/")))
            for name in sorted(files):
                if self.handler_for(name) is None or ignored(name, False):
                    continue
                if not self._selected(rel_folder + name):
                    continue
                yield from self._one(os.path.join(folder, name), root_abs, explicit=False, seen=seen)

    def _one(self, path: str, root: str, explicit: bool, seen: set[str]) -> Iterator[Union[Entry, Notice]]:
        display = _display(path)
        handler = self.handler_for(os.path.basename(path))
        if handler is None:
            if explicit:
                yield Notice(display, "not a file type segamp reads; skipped", error=False)
            return
        try:
            lst = os.lstat(path)
        except OSError as exc:
            yield Notice(display, f"cannot stat ({exc.strerror}); skipped", error=True)
            return
        if stat.S_ISLNK(lst.st_mode):
            try:
                target = os.path.realpath(path, strict=True)
            except OSError as exc:
                reason = "a symlink loop" if getattr(exc, "errno", None) == 40 else "a broken symlink"
                yield Notice(display, f"{reason}; skipped", error=False)
                return
            root_real = os.path.realpath(root)
            if not (target == root_real or target.startswith(root_real + os.sep)):
                yield Notice(display, f"a symlink to {target}, outside the tree; skipped", error=False)
            # A link inside the tree: its target is processed under its own name.
            return
        if not stat.S_ISREG(lst.st_mode):
            return
        key = self._realpath_of_file(path)
        if key in seen:
            return
        seen.add(key)
        yield Entry(path, display, handler)

    def grep(self, entries: list[Entry], markers: tuple[bytes, ...]) -> Optional[set[str]]:
        """Paths of those entries (all under git roots) holding one of markers, or None when
        git cannot answer (then the caller reads the files)."""
        found: set[str] = set()
        for root in self.git_roots:
            hits = git_grep(root, _minimal(markers))
            if hits is None:
                return None
            found |= {os.path.join(root, rel) for rel in hits}
        # an entry git grep found was never stat'ed: a symlink is skipped here as _one skips it
        return {e.path for e in entries if e.path in found and not os.path.islink(e.path)}


def _minimal(markers: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The markers no other marker is part of ('analytics' finds every 'segment.analytics')."""
    unique = sorted(set(m for m in markers if m), key=len)
    return tuple(m for i, m in enumerate(unique) if not any(o in m for o in unique[:i]))


def git_grep(root: str, markers: tuple[bytes, ...]) -> Optional[set[str]]:
    """Files under root (relative, as git ls-files names them: tracked and untracked, not
    ignored) that contain one of markers, by `git grep -l -F`; None if git cannot say."""
    return _grep_result(_start_grep(root, markers))


def _start_grep(root: str, markers: tuple[bytes, ...]) -> Optional[subprocess.Popen]:
    if not markers:
        return None
    args = ["git", "-C", root, "grep", "-l", "-z", "-F", "--untracked", "--no-color"]
    for m in markers:
        args += ["-e", m.decode("utf-8", "surrogateescape")]
    try:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None


def _grep_result(proc: Optional[subprocess.Popen]) -> Optional[set[str]]:
    if proc is None:
        return None
    try:
        out, _ = proc.communicate(timeout=300)
    except subprocess.SubprocessError:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode not in (0, 1):   # 1: no file matches
        return None
    # run in root, git grep searches root's subtree and names files as ls-files does there
    return {n for n in out.decode("utf-8", errors="surrogateescape").split("\0") if n}


def _git_listing(root: str) -> Optional[list[str]]:
    """Files git would show (tracked + untracked, not ignored), or None outside a work tree."""
    if not os.path.isdir(os.path.join(root, ".git")) and git_toplevel(root) is None:
        return None
    try:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
            capture_output=True, timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    names = out.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    # the walk's order (a folder's files, then its sub-folders, each sorted), whatever git
    # tracks: output does not depend on what is committed
    return sorted((n for n in names if n and os.path.lexists(os.path.join(root, n))), key=_walk_order)


def _walk_order(rel: str) -> list[tuple[int, str]]:
    *dirs, name = rel.split("/")
    return [(1, d) for d in dirs] + [(0, name)]

