"""Where the project model comes from: PATH arguments narrow what is reported and written,
never what is known.

`segamp check src/components/Checkout.tsx` must know that the client it calls was created in
src/lib/analytics.ts, so the engine discovers and indexes the whole project and reports only
the files under the PATHs. The project of a PATH is:

- the folder of the segamp config file, when one was found (the user said where the project is);
- the PATH itself when it is a folder that holds a project manifest, or whose children or
  grandchildren do (a monorepo folder with web/ and api/; a folder of such monorepos, like
  examples/shop/{web,api}: the manifest of the repository around it, e.g. a tool's own
  pyproject.toml, must not pull the whole repository into the model);
- otherwise the nearest folder above it that holds one, never above the git work tree;
- otherwise the git work tree; otherwise the PATH (a file's folder for a file).
"""
from __future__ import annotations

import functools
import os
from typing import Optional

MANIFESTS = ("package.json", "tsconfig.json", "jsconfig.json", "pyproject.toml", "setup.py", "setup.cfg",
             "requirements.txt", "Pipfile", "Podfile", "Package.swift", "build.gradle", "build.gradle.kts",
             "settings.gradle", "settings.gradle.kts", "pom.xml")


def _has_manifest(folder: str) -> bool:
    return any(os.path.isfile(os.path.join(folder, m)) for m in MANIFESTS)


def _subfolders(folder: str) -> list[str]:
    try:
        return [e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)
                and not e.name.startswith(".") and e.name not in _NOT_PROJECTS]
    except OSError:
        return []


# folders that hold installed or generated code, never a project the user named
_NOT_PROJECTS = frozenset({"node_modules", "__pycache__", "venv", "site-packages", "dist", "build"})


def _holds_project(folder: str) -> bool:
    if _has_manifest(folder):
        return True
    children = _subfolders(folder)
    return any(_has_manifest(c) for c in children) or \
        any(_has_manifest(g) for c in children for g in _subfolders(c))


def git_toplevel(folder: str) -> Optional[str]:
    """The enclosing git work tree (the folder holding .git, a folder or a worktree file).
    Walking up is ~100x cheaper than `git rev-parse`, and this runs once per PATH."""
    cur = os.path.realpath(folder)
    while True:
        if os.path.exists(os.path.join(cur, ".git")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return None
        cur = parent


def project_root(path: str, config_source: str = "") -> str:
    """The folder whose files make up the project model for one PATH (absolute, real)."""
    start = os.path.abspath(path)
    folder = start if os.path.isdir(start) else os.path.dirname(start)
    if config_source and os.path.isfile(config_source):
        cfg_dir = os.path.dirname(os.path.abspath(config_source))
        if start == cfg_dir or start.startswith(cfg_dir + os.sep):
            return cfg_dir
    if os.path.isdir(start) and _holds_project(start):
        return start
    top = git_toplevel(folder)
    cur = folder
    while True:
        if _has_manifest(cur):
            return cur
        if top is not None and os.path.realpath(cur) == top:
            return cur
        parent = os.path.dirname(cur)
        if parent == cur or top is None:
            break
        cur = parent
    return folder


def scope_of(paths: list[str]) -> list[str]:
    """The PATHs as absolute folders/files, in both spellings (as given and symlink-free)."""
    out = []
    for p in paths:
        out += [os.path.abspath(p), os.path.realpath(p)]
    return list(dict.fromkeys(out))


def in_scope(path: str, scopes: list[str]) -> bool:
    """Is a discovered file under one of the PATHs the user named?"""
    p = os.path.abspath(path)
    return any(p == s or p.startswith(s + os.sep) for s in scopes)


# a folder holding one of these (or a package.json with "workspaces") is a JS workspace root:
# its packages are built and installed together, so a value may flow between any of them
_WORKSPACE_MARKERS = ("pnpm-workspace.yaml", "lerna.json", "rush.json")


@functools.lru_cache(maxsize=4096)
def _program_of_folder(folder: str) -> str:
    nearest = ""
    cur = folder
    while True:
        manifest = os.path.join(cur, "package.json")
        if any(os.path.isfile(os.path.join(cur, m)) for m in _WORKSPACE_MARKERS) or _declares_workspaces(manifest):
            return cur
        if not nearest and os.path.isfile(manifest):
            nearest = cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return nearest
        cur = parent


def _declares_workspaces(manifest: str) -> bool:
    try:
        with open(manifest, "rb") as fh:
            return b'"workspaces"' in fh.read(1 << 20)
    except OSError:
        return False


def program_root(path: str) -> str:
    """The JS program a file belongs to: its workspace root, else its nearest package.json
    folder, else "" (unknown: it may be part of any program). Values cannot flow at run time
    between separately built programs, so a rule that says "any client of a package may be
    here" holds within related programs only."""
    return _program_of_folder(os.path.dirname(os.path.abspath(path)))


def related_programs(a: str, b: str) -> bool:
    """Can a value of program a reach code of program b (the same, one inside the other, or
    either unknown)?"""
    return not a or not b or a == b or a.startswith(b + os.sep) or b.startswith(a + os.sep)
