"""Where a Python file sits in its project: its import name, its cross-file key, whether a
project package shadows an SDK module. Plain path logic, importable without libcst (the
handler needs it before any Python file is parsed).

A module's dotted name is its path below the *import root*, the sys.path folder the program
imports it from, not below the nearest folder without __init__.py: Python 3 imports folders
without one as namespace packages (``shop/settings.py`` with no ``shop/__init__.py`` is
``shop.settings`` for a ``manage.py`` beside ``shop/``). import_root() says how segamp finds it.

A repository may hold several separately installed distributions (services/billing with its
pyproject.toml, services/api with its setup.py, two Django projects each with its manage.py):
project_root() says which one a module belongs to. No module imports another distribution's
modules by their dotted names: each is installed, and run, on its own.
"""
from __future__ import annotations

import os
from typing import Iterable, Optional

# Django's manage.py runs from the import root (its folder is sys.path[0])
_ROOT_SCRIPTS = ("manage.py",)
# files a project keeps at the folder it is installed and run from
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "tox.ini")
_MAX_DEPTH = 12


def module_key(path: str) -> str:
    return os.path.splitext(os.path.abspath(path))[0]


def _package_top(path: str) -> tuple[str, list[str]]:
    """The folder above the file's regular packages (those with __init__.py), and the names
    below it: myproj/app/settings.py with myproj/app/__init__.py → (myproj, [app, settings])."""
    folder, base = os.path.split(os.path.splitext(os.path.abspath(path))[0])
    parts = [] if base == "__init__" else [base]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, pkg = os.path.split(folder)
        if not pkg:
            break
        parts.insert(0, pkg)
    return folder, parts


def _ancestors(folder: str) -> list[str]:
    """folder and the folders above it, up to the repository's top (a folder holding .git);
    outside a repository, never the home folder or a folder at the top of the file system
    (/tmp, /home): what lies there belongs to no project."""
    out = [folder]
    stop = {os.path.expanduser("~")}
    while len(out) < _MAX_DEPTH and not os.path.exists(os.path.join(out[-1], ".git")):
        parent = os.path.dirname(out[-1])
        top = os.path.dirname(parent)
        if parent == out[-1] or parent in stop or os.path.dirname(top) == top:
            break
        out.append(parent)
    return out


def import_root(path: str, entries: Iterable[str] = ()) -> str:
    """The folder a program imports `path` from. Above the file's regular packages (top):
    the nearest folder holding manage.py (Django runs from there); else top itself when a
    script run as __main__ (entries) sits there, its folder being sys.path[0]; else a folder
    named src (the src layout), or, for a file in a folder without __init__.py, the nearest
    folder holding the project's files (pyproject.toml, requirements.txt, …), from which the
    program runs; else top (a folder of scripts importing one another)."""
    top, _ = _package_top(path)
    chain = _ancestors(top)
    for folder in chain:
        if any(os.path.isfile(os.path.join(folder, s)) for s in _ROOT_SCRIPTS):
            return folder
    if any(os.path.dirname(os.path.abspath(e)) == top for e in entries):
        return top
    namespace = top == os.path.dirname(os.path.abspath(path))   # no __init__.py beside the file
    for folder in chain:
        if os.path.basename(folder) == "src":
            return folder
        if namespace and any(os.path.isfile(os.path.join(folder, f)) for f in _PROJECT_FILES):
            return folder
    return top


def project_root(path: str, entries: Iterable[str] = ()) -> str:
    """The distribution a module belongs to, named by its folder: the nearest folder, from the
    module's import root up, that holds manage.py or the project's files (pyproject.toml,
    setup.py, requirements.txt, …), the folder it is installed and run from. Two modules with
    the same project root are one program; with different ones they are installed apart, and an
    import of one by the other's dotted name fails at run time. "" when no folder above holds
    such a file (a folder of scripts): all those modules are one program."""
    for folder in _ancestors(import_root(path, entries)):
        if any(os.path.isfile(os.path.join(folder, f)) for f in _ROOT_SCRIPTS + _PROJECT_FILES):
            return folder
    return ""


def dotted_module(path: str, entries: Iterable[str] = (), script: Optional[str] = None) -> str:
    """The name a program imports path by: myproj/app/settings.py → app.settings when
    myproj/app has __init__.py (or is a namespace package below myproj, the import root).
    script: the importing file, when it is a script run as __main__ whose folder holds path
    and is no package (a package's script runs as `python -m pkg.script`): its folder is
    sys.path[0], so the name is path's below it."""
    path = os.path.abspath(path)
    root = import_root(path, entries)
    if script is not None:
        here = os.path.dirname(os.path.abspath(script))
        if os.path.commonpath([here, path]) == here and not os.path.isfile(os.path.join(here, "__init__.py")):
            root = here
    top, parts = _package_top(path)
    if os.path.commonpath([root, top]) == root and root != top:
        parts = os.path.relpath(top, root).split(os.sep) + parts
    return ".".join(parts)


def own_analytics_module(path: str, entries: Iterable[str] = ()) -> bool:
    """Does a project module named `analytics` shadow the SDK for this file?"""
    return own_package(path, "analytics", entries)


def _defines(folder: str, name: str) -> bool:
    return os.path.isfile(os.path.join(folder, name + ".py")) or os.path.isfile(os.path.join(folder, name, "__init__.py"))


def own_package(path: str, name: str, entries: Iterable[str] = ()) -> bool:
    """Does a project module or package `name` shadow the installed one for this file? In
    Python 3 `import name` is absolute: it finds a top-level `name` at the import root, or in
    the folder of the script being run (this file, when it is one) — never a sibling
    `pkg/name.py` of `pkg/settings.py` when pkg is a package below the root. Then `import name`
    is the project's own code (a `segment` package for customer segmentation), not the SDK."""
    folder = os.path.dirname(os.path.abspath(path))
    chain = _ancestors(folder)
    if not any(_defines(f, name) for f in chain):
        return False  # the common case: no such module anywhere above
    entries = tuple(entries)
    if os.path.abspath(path) in {os.path.abspath(e) for e in entries} and _defines(folder, name):
        return True
    return _defines(import_root(path, entries), name)
