"""The mapping tables in rules/*.toml, shipped in the wheel as the data package segamp.rules
(this loader is not named rules.py: in an installed wheel that package would shadow it)."""
from __future__ import annotations

import functools
import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _rules_dir() -> str:
    try:
        from importlib.resources import files

        return str(files("segamp.rules"))
    except (ImportError, ModuleNotFoundError, TypeError):
        return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules")


@functools.lru_cache(maxsize=None)
def load(name: str) -> dict:
    """rules/<name>.toml as a dict."""
    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules", f"{name}.toml")
    path = here if os.path.isfile(here) else os.path.join(_rules_dir(), f"{name}.toml")
    with open(path, "rb") as fh:
        return tomllib.load(fh)
