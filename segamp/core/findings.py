"""The findings catalog (rules/findings.toml): one id per situation, shared by all languages.

Front ends, printers and the mapping name a finding by id and give its parameters; the
wording, kind and advice come from here, so `segamp explain`, SARIF rules and the README are
generated from the same text the user reads at file:line.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from typing import Mapping, Optional

from .. import tables
from ..model import Finding, Kind


class UnknownRule(KeyError):
    pass


@functools.lru_cache(maxsize=None)
def catalog() -> dict[str, dict]:
    return tables.load("findings")


def entry(rule: str) -> dict:
    try:
        return catalog()[rule]
    except KeyError:
        raise UnknownRule(f"finding id '{rule}' is not in rules/findings.toml") from None


def _fill(template: str, params: Mapping[str, str]) -> str:
    text = template.format_map(defaultdict(str, params))
    return " ".join(text.split())  # a note is one comment line: quoted newlines are folded


def make(rule: str, line: int, column: int, language: str = "", blocks: Optional[str] = None, **params: str) -> Finding:
    """A Finding with the catalog's kind and wording for this id. blocks: the key of the client
    this finding keeps from migrating (see segamp.model.ClientInfo)."""
    e = entry(rule)
    return Finding(line, column, Kind(e["kind"]), rule, _fill(e["message"], params),
                   _fill(e.get("suggestion", ""), params), language=language, blocks=blocks,
                   params={k: str(v) for k, v in params.items()})


def shorten(text: str, width: int) -> str:
    """text cut to width at a word boundary, with an ellipsis: never mid-word."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:") + "…"


def note_text(finding: Finding) -> str:
    """The one line a TODO(segamp) note says for a finding."""
    return finding.message + (f" — {finding.suggestion}" if finding.suggestion else "")
