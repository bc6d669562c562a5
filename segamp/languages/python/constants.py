"""A write key held in a module-level constant: `KEY = os.environ.get("…")`, then
`analytics.write_key = KEY`.

The front end hands the mapping the constant's initializer (Expr.definition), which may then
rename the env var where the constant is defined (core.mapping.api_key), as the JS front end
does, when nothing else could read the constant as Segment's key: it is assigned once, at the
module's top level, from an env var; every other read of it in its module only tests it
(`if KEY:`, the usual "analytics on" switch); and no other Python file of its distribution
names it (an import of it could hand it to a browser snippet, which still wants Segment's
key). Otherwise the name stays as written, with its TODO.
"""
from __future__ import annotations

import os
import re
from typing import Mapping, Optional

import libcst as cst

from . import keys as K

# folders no project imports from (virtualenvs, caches, vendored and build trees)
_SKIP = {"node_modules", "site-packages", "venv", "env", "build", "dist", "__pycache__"}
_MAX_FILES = 5000   # a tree larger than this is not searched: the name stays as written


def key_constant(facts, name: cst.Name, path: str, cache: Mapping) -> Optional[cst.BaseExpression]:
    """The initializer of the module constant `name` reads, when the mapping may rename the
    env var there (module docstring), else None."""
    scope = facts.scopes.get(name)
    if scope is None or name.value not in scope:
        return None
    assignments = list(scope[name.value])
    if len(assignments) != 1:
        return None
    target = assignments[0].node
    parents = facts.parents
    owner = parents.get(parents.get(target))  # Name -> AssignTarget -> Assign
    line = parents.get(owner)
    if not (isinstance(owner, cst.Assign) and len(owner.targets) == 1 and owner.targets[0].target is target
            and isinstance(line, cst.SimpleStatementLine) and isinstance(parents.get(line), cst.Module)):
        return None
    from .match import env_names

    if not env_names(owner.value):
        return None  # no env var to rename there
    for access in assignments[0].references:
        if access.node is not name and not _only_tests(access.node, parents):
            return None
    if _named_elsewhere(name.value, path, cache):
        return None
    return owner.value


def _only_tests(node: cst.CSTNode, parents: Mapping) -> bool:
    """Is the name read only for its truth (`if NAME:`, `while not NAME:`, `x if NAME else y`)?"""
    parent = parents.get(node)
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        node, parent = parent, parents.get(parent)
    return isinstance(parent, (cst.If, cst.While, cst.IfExp)) and parent.test is node


def _named_elsewhere(name: str, path: str, cache: Mapping) -> bool:
    """Does another Python file of path's distribution name `name` (an import of the constant)?
    A tree too large to search counts as yes."""
    memo_key = ("py:named-elsewhere", name, os.path.abspath(path))
    if memo_key in cache:
        return cache[memo_key]
    pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
    here = os.path.abspath(path)
    seen, found = 0, False
    for folder, dirs, files in os.walk(K.distribution(here, cache)):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP]
        for file in files:
            if not file.endswith(".py") or os.path.join(folder, file) == here:
                continue
            seen += 1
            try:
                with open(os.path.join(folder, file), "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            if seen > _MAX_FILES or pattern.search(data):
                found = True
                break
        if found:
            break
    if isinstance(cache, dict):
        cache[memo_key] = found
    return found


def rename_guards(rw, node: cst.CSTNode, key) -> None:
    """The env var a key expression reads, renamed by the mapping (Renamed / RenamedAt), is
    renamed in the tests of the `if` / conditional expressions around it too
    (`if os.getenv("KEY") is not None: analytics.write_key = os.getenv("KEY")`): a guard left
    reading the Segment name would skip the Amplitude key once only the new variable is set."""
    from ...core.plan import Renamed, RenamedAt
    from .match import _EnvReads

    renamed = key.renamed if isinstance(key, RenamedAt) else key
    if not isinstance(renamed, Renamed):
        return
    swaps = {old: new for _, old, new in renamed.swaps}
    done = rw.__dict__.setdefault("_renamed_guards", set())

    def rename_in(test: cst.BaseExpression) -> None:
        strings: list = []
        test.visit(_EnvReads(strings))
        for string in strings:
            new = swaps.get(string.evaluated_value)
            if new is not None and id(string) not in done:
                done.add(id(string))
                rw.replace(string, string.prefix + string.quote + new + string.quote)

    parents = rw.f.parents
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
        test = getattr(parent, "test", None) if isinstance(parent, (cst.If, cst.While, cst.IfExp)) else None
        if test is not None and child is not test:
            rename_in(test)
        # a guard clause before it in the same block (`if not os.getenv("KEY"): raise …`)
        body = parent.body if isinstance(parent, (cst.Module, cst.IndentedBlock)) else None
        if isinstance(body, (list, tuple)) and child in body:
            for earlier in body[:body.index(child)]:
                if isinstance(earlier, cst.If):
                    rename_in(earlier.test)
        if isinstance(parent, cst.Module):
            break
        child, parent = parent, parents.get(parent)
