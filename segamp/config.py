"""[tool.segamp] in pyproject.toml, or segamp.toml, turned into one Config.

A bad value is a usage error (exit 2) with the file and key named, never a traceback.
"""
from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field, fields
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    pass


@dataclass
class Config:
    # Event names Segment's Amplitude (Actions) destination produced; {name} and {category}
    # are the call's arguments (empty when absent), so data already in Amplitude continues.
    page_event: str = "Viewed {name}"
    screen_event: str = "Viewed {name}"
    # Amplitude needs a group type; Segment's classic destinations fell back to this one.
    group_type: str = "[Segment] Group"
    # analytics.js filled path/referrer/search/title/url into every page() call.
    page_context_properties: bool = True
    # Name of the environment variable to read the Amplitude API key from, replacing the
    # write-key expression everywhere. Empty: rename ...SEGMENT_WRITE_KEY env expressions.
    api_key_env: str = ""
    # Extra receivers to treat as Segment clients, e.g. ["analytics", "this.segment"].
    receivers: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    # Amplitude rejects user/device ids shorter than 5 characters by default; Segment did not.
    min_id_length: int = 1
    # Browser: seed Amplitude's device id and user id at init from the ids analytics.js stored
    # (ajs_anonymous_id / ajs_user_id), so returning visitors keep their identity.
    keep_identity: bool = True
    max_file_size: int = 2_000_000
    # processes analysing files after the project model is built; 0: one per core (up to 8)
    jobs: int = 0
    # The closure rule: a client is migrated only when every use of it converts. partial=True
    # converts what can be converted and leaves TODO notes where a use could not be.
    partial: bool = False
    source: str = "defaults"

    def merged_cli(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> "Config":
        self.include = [*self.include, *include]
        self.exclude = [*self.exclude, *exclude]
        return self


def _find_config(start: str) -> Optional[tuple[str, dict]]:
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in ("segamp.toml", "pyproject.toml"):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                table = _load_table(candidate)
                if table is not None:
                    return candidate, table
        parent = os.path.dirname(folder)
        if parent == folder or os.path.isdir(os.path.join(folder, ".git")):
            return None
        folder = parent


def _load_table(path: str) -> Optional[dict]:
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        if path.endswith("pyproject.toml") and not _mentions_segamp(path):
            return None  # someone else's broken pyproject is not our config
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = doc.get("tool", {}).get("segamp")
    if table is None and path.endswith("segamp.toml"):
        table = {k: v for k, v in doc.items() if k != "tool"}
    return table


def _mentions_segamp(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"tool.segamp" in fh.read()
    except OSError:
        return False


def _unknown_key(where: str, key: str, known: list[str]) -> ConfigError:
    close = difflib.get_close_matches(key.replace("-", "_"), known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})"
    return ConfigError(f"{where}: unknown key '{key}' in [tool.segamp]{hint}")


def load_config(paths: tuple[str, ...], explicit: Optional[str] = None) -> Config:
    if explicit:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: config file not found")
        table = _load_table(explicit)
        found = (explicit, table or {})
    else:
        found = _find_config(paths[0] if paths else ".")
    config = Config()
    if not found:
        return config
    where, table = found
    known = {f.name: f for f in fields(Config) if f.name != "source"}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in known:
            raise _unknown_key(where, key, sorted(known))
        default = getattr(config, name)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ConfigError(f"{where}: '{key}' should be {type(default).__name__}, got {value!r}")
        setattr(config, name, value)
    config.source = where
    return config
