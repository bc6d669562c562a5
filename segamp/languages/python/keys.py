"""Client keys: one stable name per Segment client of the project, the same in every file.

* the module client (Segment's process-wide default client): ``py:module:<home path>`` when one
  file of the project sets the write key, else ``py:module:unhomed``;
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
from typing import Mapping, Optional

PACKAGE = "segment-analytics-python"
LEGACY_PACKAGE = "analytics-python"
MODULE_PREFIX = "py:module:"
TYPED_PREFIX = "py:typed:"
INSTANCES = "py:instances"     # ctx.cache: instance key -> package, from every file
TYPED_USES = "py:typed-uses"   # ctx.cache: packages with a typed use of unknown origin
HOMES = "py:homes"             # ctx.cache: abs path of a home -> the module's name there


def module_client_key(cache: Mapping) -> str:
    homes = cache.get(HOMES, {})
    return MODULE_PREFIX + (next(iter(homes)) if len(homes) == 1 else "unhomed")


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
