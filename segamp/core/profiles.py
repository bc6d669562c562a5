"""Target profiles: rules/targets/<name>.toml, one per Amplitude SDK segamp writes for."""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .. import tables


@dataclass(frozen=True)
class Profile:
    name: str
    dialect: str
    package: str
    version: str
    placeholder: str
    returns: str = "void"
    ambient_user: bool = False
    identify_sets_user: bool = False
    stringify_ids: str = "always"         # "always" | "untyped" | "never"
    init_options: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    page_context: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)   # dialect-specific keys the printer reads

    def get(self, key: str, default: Any = None) -> Any:
        return self.extra.get(key, default)

    def field_name(self, neutral: str) -> Optional[str]:
        return self.fields.get(neutral)


_KNOWN = {"name", "dialect", "package", "version", "placeholder", "returns", "ambient_user",
          "identify_sets_user", "stringify_ids", "init_options", "fields", "page_context"}


def from_table(table: dict) -> Profile:
    known = {k: v for k, v in table.items() if k in _KNOWN}
    extra = {k: v for k, v in table.items() if k not in _KNOWN}
    return Profile(**known, extra=extra)


def load_file(path: str) -> Profile:
    with open(path, "rb") as fh:
        return from_table(tomllib.load(fh))


@functools.lru_cache(maxsize=None)
def load(name: str) -> Profile:
    """rules/targets/<name>.toml. `shared_helpers = { from, names }` takes those [helpers] from
    another profile, so a helper that runs on both targets is written once."""
    table = dict(tables.load(os.path.join("targets", name)))
    shared = table.get("shared_helpers")
    if shared:
        other = tables.load(os.path.join("targets", shared["from"])).get("helpers", {})
        table["helpers"] = {**{k: other[k] for k in shared.get("names", ())}, **table.get("helpers", {})}
    return from_table(table)
