"""Client keys: one stable name per Segment client of the project, the same in every file.

* the module client (Segment's process-wide default client): ``py:module:<home path>``, the
  one module the Amplitude client of the file's distribution lives in (client_home()), else
  ``py:module:unhomed``. One client per distribution (paths.project_root()): a repository of
  several services gets one client in each, never an import of another service's module;
* a ``Client(...)`` instance: ``<abs path of the creating file>#<where it is bound>``, e.g.
  ``/app/tracking.py#client``, ``…#Tracker.segment`` (class attribute or ``self.segment``),
  ``…#make_client`` (a factory returning a new client), ``…#L12`` (bound nowhere);
* ``py:typed:<package>``: every parameter or attribute annotated ``Client`` whose value segamp
  cannot trace to one client. When the project creates exactly one instance of that package it
  is that instance; with several, they and every typed use form one unit, because any of them
  may reach any annotated parameter (canonical()).

index() records every created instance in ctx.cache so that canonical() never depends on the
order in which files are visited.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from .paths import project_root

PACKAGE = "segment-analytics-python"
LEGACY_PACKAGE = "analytics-python"
MODULE_PREFIX = "py:module:"
TYPED_PREFIX = "py:typed:"
INSTANCES = "py:instances"     # ctx.cache: instance key -> package, from every file
TYPED_USES = "py:typed-uses"   # ctx.cache: packages with a typed use of unknown origin
HOMES = "py:homes"             # ctx.cache: abs path of a home -> the module's name there
HOME_KEYS = "py:home-keys"     # ctx.cache: abs path of a home -> the write-key texts it assigns
ENTRIES = "py:entries"         # ctx.cache: abs paths of scripts run as __main__
MODULE_USERS = "py:module-users"  # ctx.cache: abs paths of files naming the Segment module
IMPORTS = "py:imports"         # ctx.cache: abs path -> dotted modules its top level imports
DOTTED = "py:dotted"           # ctx.cache: abs path -> its dotted module name
NEW_MODULE = "amplitude_client"   # the module segamp creates when only an entry script configures Segment
_MEMO = "py:home-memo"         # ctx.cache: project root -> (facts stamp, its Home)
_ROOTS = "py:project-roots"    # ctx.cache: abs path -> its project root (distribution())

def distribution(path: str, cache: Mapping) -> str:
    """path's project root (paths.project_root), memoized for the run: every home and every
    user of the module client is asked for at each lookup. Without the entry scripts, which
    grow while files are indexed: a script's folder (sys.path[0]) moves its import root only
    between its folder and the project-file folder above it, where the project root is found
    either way, so the memo never has to be thrown away."""
    memo = cache.get(_ROOTS)
    if memo is None:
        memo = {}
        if isinstance(cache, dict):
            cache[_ROOTS] = memo
    root = memo.get(path)
    if root is None:
        root = memo[path] = project_root(path)
    return root


@dataclass(frozen=True)
class Home:
    """Where the project's one Amplitude client lives.

    path: the module holding it; name: its name there; configured_in: the home whose settings
    create it (path itself, or the entry script when segamp creates the module: new=True);
    problem: why it cannot live anywhere (the module client is then left)."""

    path: str
    name: str
    configured_in: str
    new: bool = False
    problem: str = ""


def client_home(cache: Mapping, path: Optional[str]) -> Optional[Home]:
    """One distribution, one client: the home of path's distribution (path: the file that
    uses the module client; None: any distribution's), found among the files of that distribution alone, so that no module
    imports the client across distributions; a distribution where nothing sets the key has
    none, whatever another one sets. Of the files that set the write key, the client lives in one
    that other modules can import: not a script run as __main__ (importing it runs it a second
    time), nor one whose top level imports a module that uses the client (that module's import
    of the client would be circular); one that sets the key at its top level first (configured
    as soon as it is imported, where a key set in init_app() or ready() waits for that call),
    then the shallowest path, the shortest, and by name, so every file of the run agrees. When
    no home can hold it and other files use it, it goes to a new module beside the first home,
    which configures it."""
    all_homes: Mapping[str, str] = cache.get(HOMES, {})
    if not all_homes:
        return None
    entries = cache.get(ENTRIES, set())
    all_users = cache.get(MODULE_USERS, set())
    root = distribution(os.path.abspath(path), cache) if path is not None else None
    memos = cache.get(_MEMO)
    stamp = (len(all_homes), len(entries), len(all_users), len(cache.get(IMPORTS, {})))
    if memos is None or memos[0] != stamp:
        memos = (stamp, {})
        if isinstance(cache, dict):
            cache[_MEMO] = memos
    if root in memos[1]:
        return memos[1][root]
    # (no file named: the whole run, as one distribution)
    homes = {p: n for p, n in all_homes.items() if root is None or distribution(p, cache) == root}
    users = {p for p in all_users if root is None or distribution(p, cache) == root}
    home = _home_among(homes, users, entries, cache) if homes else None
    memos[1][root] = home
    return home


def _home_among(homes: Mapping[str, str], users: set, entries, cache: Mapping) -> Home:
    """client_home() within one distribution: its homes, its users."""
    top = cache.get(HOME_KEYS, {})
    order = sorted(homes, key=lambda p: (not top.get(p), p.count(os.sep), len(p), p))
    importable = [p for p in order if p not in entries and not _imports_a_user(p, users, cache)]
    if importable:
        home = Home(importable[0], homes[importable[0]], importable[0])
    elif len(homes) == 1 and not set(users) - set(homes):
        home = Home(order[0], homes[order[0]], order[0])  # nobody imports it: it may stay where it is
    else:
        first = order[0]
        path = os.path.join(os.path.dirname(first), NEW_MODULE + ".py")
        problem = ""
        if os.path.lexists(path):
            problem = (f"no module that sets `analytics.write_key` can hold the one Amplitude client "
                       f"({os.path.basename(first)} {_why_not(first, cache)}), and {NEW_MODULE}.py, where segamp "
                       f"would create it beside {os.path.basename(first)}, already exists")
        home = Home(path, homes[first], first, new=True, problem=problem)
    return home


def _imports_a_user(path: str, users: set, cache: Mapping) -> bool:
    dotted = cache.get(DOTTED, {})
    names = {dotted[p] for p in users if p != path and p in dotted}
    return bool(names & cache.get(IMPORTS, {}).get(path, frozenset()))


def _why_not(path: str, cache: Mapping) -> str:
    """Why a home cannot hold the client (words for a docstring and a finding)."""
    if path in cache.get(ENTRIES, set()):
        return "runs as __main__, and a module importing the client from it would run it a second time"
    return "imports modules that use the client, so their import of it from there would be circular"


def why_new(home: Home, cache: Mapping) -> str:
    return _why_not(home.configured_in, cache)


def key_text(code: str) -> str:
    """An expression's source with its layout taken out: the same key written with other
    spacing or line breaks is the same key."""
    import io
    import tokenize

    try:
        tokens = tokenize.generate_tokens(io.StringIO(code).readline)
        return " ".join(t.string for t in tokens if t.type not in (
            tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER))
    except (tokenize.TokenError, SyntaxError):
        return " ".join(code.split())


def module_client_key(cache: Mapping, path: str) -> str:
    home = client_home(cache, path)
    return MODULE_PREFIX + (home.path if home is not None else "unhomed")


def instance_key(path: str, where: str) -> str:
    return f"{os.path.abspath(path)}#{where}"


def typed_key(package: str) -> str:
    return TYPED_PREFIX + package


def canonical(key: Optional[str], cache: Mapping) -> Optional[str]:
    """The unit of migration a raw key belongs to (see the module docstring)."""
    if key is None:
        return None
    instances: Mapping[str, str] = cache.get(INSTANCES, {})
    if key.startswith(TYPED_PREFIX):
        package = key[len(TYPED_PREFIX):]
        same = sorted(k for k, p in instances.items() if p == package)
        return same[0] if len(same) == 1 else key
    package = instances.get(key)
    if package is not None and package in cache.get(TYPED_USES, set()):
        if sum(1 for p in instances.values() if p == package) > 1:
            return typed_key(package)
    return key
