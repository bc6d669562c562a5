"""What a person must do after the rewrite: environment variables to set, lockfiles to
regenerate, loaders to paste, clients left. Each distinct step is listed once, with the places
that call for it; the wording is data (rules/next_steps.toml), keyed by finding id, so every
renderer (rich, diff, json, the markdown report) says the same thing."""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from . import tables
from .model import FileResult


@dataclass
class Step:
    text: str
    places: list[str] = field(default_factory=list)   # "path:line", in report order

    def where(self, limit: int = 3) -> str:
        shown = ", ".join(self.places[:limit])
        more = len(self.places) - limit
        return shown + (f" and {more} more" if more > 0 else "")

    def to_dict(self) -> dict:
        return {"step": self.text, "places": list(self.places)}


def _relock(path: str) -> str:
    table = tables.load("next_steps")["relock"]
    return table.get(os.path.basename(path), table["default"])


def next_steps(results: Iterable[FileResult]) -> list[Step]:
    """The steps the findings of these results call for, in rules/next_steps.toml order."""
    catalog = {k: v for k, v in tables.load("next_steps").items() if k != "relock"}
    order = {rule: i for i, rule in enumerate(catalog)}
    steps: dict[str, Step] = {}
    rank: dict[str, tuple[int, int]] = {}
    for result in results:
        if result.error:
            continue  # nothing of that file was written: its steps do not apply
        for f in result.findings:
            entry = catalog.get(f.rule)
            if entry is None:
                continue
            params = defaultdict(str, f.params, path=result.path, relock=_relock(result.path))
            text = " ".join(entry["step"].format_map(params).split())
            step = steps.setdefault(text, Step(text))
            rank.setdefault(text, (order[f.rule], len(rank)))
            place = f"{result.path}:{f.line}"
            if place not in step.places:
                step.places.append(place)
    return [steps[t] for t in sorted(steps, key=rank.__getitem__)]
