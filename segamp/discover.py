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
        self._seen: set[str] = set()
        self._roots: list[str] = []
        # files in git roots a module takes that git grep found no marker in (never yielded)
        self.unmarked_count = 0

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
        seen = self._seen = set()
        self._roots = [p for p in paths if os.path.isdir(p) and not os.path.islink(p)]
        for root in paths:
            if os.path.isfile(root) or os.path.islink(root) and not os.path.isdir(root):
                yield from self._one(root, os.path.dirname(os.path.abspath(root)), explicit=True, seen=seen)
                continue
            in_git = os.path.isdir(os.path.join(root, ".git")) or git_toplevel(root) is not None
            # git grep --untracked skips tracked files a .gitignore matches too (a committed
            # Pipfile.lock under `*.lock`, a tracked legacy/ folder): they are code of the
            # project all the same, listed from the index while the grep runs, and read here
            ignored = _start_git_names(root, ["--cached", "--ignored", "--exclude-standard"]) if in_git else None
            # the index's listing, for the summary's count only: read while the grep runs
            tracked = _start_git_names(root, ["--cached"]) if in_git else None
            marked = git_grep(root, self.markers) if in_git else None
            tracked_ignored = _names_result(ignored) or []
            tracked_names = _names_result(tracked)
            if marked is not None:
                marked |= set(tracked_ignored)
                # git grep listed (tracked and untracked, not ignored) the only files worth
                # reading: Python never lists, stats or opens the others. Counted from the
                # index, which git reads in milliseconds (untracked files walk the disk).
                self.git_roots.append(root)
                self.unmarked_count += self._tracked_count(tracked_names or (), marked)
                yield from self._listed(root, sorted(marked, key=_walk_order), seen)
                continue
            listed = _git_listing(root) if in_git else None
            if listed is not None:
                yield from self._listed(root, listed, seen)
            else:
                yield from self._walk_tree(root, seen)

    def order_key(self, path: str) -> tuple:
        """Where walk() gives path: roots in order, each in the walk's order."""
        for i, root in enumerate(self._roots):
            if path.startswith(root.rstrip(os.sep) + os.sep):
                return i, _walk_order(path[len(root.rstrip(os.sep)) + 1:].replace(os.sep, "/"))
        return len(self._roots), _walk_order(path.replace(os.sep, "/"))

    def unlisted(self) -> list[Entry]:
        """The files of the git roots walk() did not give (git grep found no marker in them),
        listed and checked as walk() would have: for when a later git grep cannot answer."""
        out: list[Entry] = []
        for root in self.git_roots:
            for rel in _git_listing(root) or ():
                if self._takes(rel) is not None:
                    out += [e for e in self._one(os.path.join(root, rel), root, False, self._seen) if isinstance(e, Entry)]
        return out

    def _takes(self, rel: str) -> Optional[Handler]:
        parts = rel.split("/")
        if any(p in SKIP_DIRS for p in parts[:-1]) or not self._selected(rel):
            return None
        return self.handler_for(parts[-1])

    def _listed(self, root: str, listed: list[str], seen: set[str]) -> Iterator[Union[Entry, Notice]]:
        for rel in listed:
            if self._takes(rel) is not None:
                yield from self._one(os.path.join(root, rel), root, explicit=False, seen=seen)

    def _tracked_count(self, names: list[str], marked: set[str]) -> int:
        """Tracked files a module takes that hold no marker (for the summary's count): what
        _takes() says, with the skipped-folder test made once per folder (50,000 names)."""
        folder_ok: dict[str, bool] = {}
        filtered = self.include is not None or self.exclude is not None
        count = 0
        for rel in names:
            if rel in marked:
                continue
            folder, _, name = rel.rpartition("/")
            ok = folder_ok.get(folder)
            if ok is None:
                ok = folder_ok[folder] = not any(p in SKIP_DIRS for p in folder.split("/"))
            if ok and (not filtered or self._selected(rel)) and self.handler_for(name) is not None:
                count += 1
        return count

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

    def start_grep(self, markers: tuple[bytes, ...]) -> Optional["PendingGrep"]:
        """A git grep for markers over every git root, running while Python does other work."""
        wanted = self.unmarked_markers(markers)
        return PendingGrep(self.git_roots, wanted) if self.git_roots and wanted else None

    def unmarked_markers(self, markers: tuple[bytes, ...]) -> tuple[bytes, ...]:
        """The markers a file walk() did not give can hold: one holding a marker of the first
        git grep (as 'analytics' holds 'nalytics') is in a file walk() gave already."""
        return tuple(m for m in _minimal(markers) if not any(f in m for f in self.markers))

    def grep(self, markers: tuple[bytes, ...], handlers: set,
             pending: Optional["PendingGrep"] = None) -> Optional[list[Entry]]:
        """The files under the git roots, not yielded by walk(), that hold one of markers (or,
        from pending, one of its markers: a superset) and that one of handlers takes, in walk
        order; None when git cannot answer (then the caller reads the files itself)."""
        wanted = set(self.unmarked_markers(markers))
        if not wanted or not self.git_roots:
            return []
        runs = [p for p in (pending, PendingGrep(self.git_roots, tuple(sorted(wanted - (pending.markers if pending else set())))))
                if p is not None and p.markers]
        hits: dict[str, set[str]] = {}
        for run in runs:
            found = run.result()
            if found is None:
                return None
            for root, rels in found.items():
                hits.setdefault(root, set()).update(rels)
        out: list[Entry] = []
        for root in self.git_roots:
            for rel in sorted(hits.get(root, ()), key=_walk_order):
                if self._takes(rel) in handlers:
                    # _one skips a symlink, and a file walk() already gave, as it does there
                    out += [e for e in self._one(os.path.join(root, rel), root, False, self._seen) if isinstance(e, Entry)]
        return out


class PendingGrep:
    """`git grep -l` for markers in each git root, started at once, read when needed."""

    def __init__(self, roots: list[str], markers: tuple[bytes, ...]):
        self.markers = set(markers)
        self._procs = [(root, _start_grep(root, markers)) for root in roots] if markers else []
        self._result: Optional[dict[str, set[str]]] = None
        self._done = False

    def result(self) -> Optional[dict[str, set[str]]]:
        if not self._done:
            self._done = True
            found: Optional[dict[str, set[str]]] = {}
            for root, proc in self._procs:
                hits = _grep_result(proc)
                if hits is None or found is None:
                    found = None
                    continue
                found[root] = hits
            self._result = found
        return self._result

    def close(self) -> None:
        """Stops a grep whose answer is no longer needed."""
        for _, proc in self._procs:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()


def module_stems(path: str) -> tuple[bytes, ...]:
    """What a file importing the module at path is likely to write: its name, or its
    folder's for an index/__init__ file (a guess that lets a git grep start early)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem in ("index", "__init__"):
        stem = os.path.basename(os.path.dirname(os.path.abspath(path)))
    return (stem.encode(),) if len(stem) >= 4 else ()


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
    texts = [m.decode("utf-8", "surrogateescape") for m in markers]
    args = ["git", "-C", root, "grep", "-l", "-z", "--untracked", "--no-color"]
    if len(texts) <= FIXED_PATTERNS_MAX:
        args.append("-F")
        for text in texts:
            args += ["-e", text]
    else:
        # git tries each -F pattern in turn on every line: with many (the importers' module
        # names) one alternation costs a third less CPU for 200 names and a third of the time
        # for 1,700 (bench_scale)
        args += ["-E", "-e", "|".join(_ere_literal(t) for t in texts)]
    try:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None


FIXED_PATTERNS_MAX = 8
_ERE_SPECIAL = set(".[]()*+?{}|^$\\")


def _ere_literal(text: str) -> str:
    """text as a POSIX extended regex matching itself (only the specials are escaped: a
    backslash before another character is undefined in ERE)."""
    return "".join("\\" + c if c in _ERE_SPECIAL else c for c in text)


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


def _git_names(root: str, which: list[str]) -> Optional[list[str]]:
    return _names_result(_start_git_names(root, which))


def _start_git_names(root: str, which: list[str]) -> Optional[subprocess.Popen]:
    try:
        return subprocess.Popen(["git", "-C", root, "ls-files", "-z", *which, "--deduplicate"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None


def _names_result(proc: Optional[subprocess.Popen]) -> Optional[list[str]]:
    if proc is None:
        return None
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.SubprocessError:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode != 0:
        return None
    return [n for n in out.decode("utf-8", errors="surrogateescape").split("\0") if n]


def _git_listing(root: str) -> Optional[list[str]]:
    """Files git would show (tracked + untracked, not ignored), or None outside a work tree."""
    if not os.path.isdir(os.path.join(root, ".git")) and git_toplevel(root) is None:
        return None
    names = _git_names(root, ["--cached", "--others", "--exclude-standard"])
    if names is None:
        return None
    # the walk's order (a folder's files, then its sub-folders, each sorted), whatever git
    # tracks: output does not depend on what is committed
    return sorted((n for n in names if os.path.lexists(os.path.join(root, n))), key=_walk_order)


def _walk_order(rel: str) -> list[tuple[int, str]]:
    *dirs, name = rel.split("/")
    return [(1, d) for d in dirs] + [(0, name)]

