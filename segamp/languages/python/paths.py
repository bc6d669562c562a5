"""Where a Python file sits in its project: its import name, its cross-file key, whether a
project package shadows an SDK module. Plain path logic, importable without libcst (the
handler needs it before any Python file is parsed)."""
from __future__ import annotations

import os


def module_key(path: str) -> str:
    return os.path.splitext(os.path.abspath(path))[0]


def dotted_module(path: str) -> str:
    """myproj/app/settings.py → app.settings when myproj/app has __init__.py."""
    path = os.path.abspath(path)
    folder, base = os.path.split(os.path.splitext(path)[0])
    parts = [] if base == "__init__" else [base]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, pkg = os.path.split(folder)
        parts.insert(0, pkg)
        if not pkg:
            break
    return ".".join(parts)


def own_analytics_module(path: str) -> bool:
    """Is a project module named `analytics` importable next to this file (or in a parent)?"""
    return own_package(path, "analytics")


def own_package(path: str, name: str) -> bool:
    """Is a project module or package `name` importable next to this file (or in a parent)?
    Then `import name` is the project's own code (a `segment` package for customer
    segmentation), not the Segment SDK."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(12):
        if os.path.isfile(os.path.join(folder, name + ".py")) or os.path.isfile(os.path.join(folder, name, "__init__.py")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return False
