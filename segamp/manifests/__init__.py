"""Dependency manifests: the Segment package swapped for the Amplitude one, formatting kept."""
from __future__ import annotations

from ..core import findings
from ..languages.base import ProjectContext
from ..model import Finding


def kept_note(name: str, rule: dict, ctx: ProjectContext, line: int, col: int) -> Finding:
    """Why a manifest keeps a Segment package (ctx.blocked_packages, the engine's decision)."""
    if name in ctx.idle_packages:
        return findings.make(
            "dependency-note", line, col,
            message=f"{name} kept: no code uses it, and nothing segamp converted needs {rule.get('to', 'its replacement')}",
            help="remove it once the project no longer needs it")
    return findings.make(
        "dependency-note", line, col, message=f"{name} kept: Segment code of the project still uses it",
        help="migrate or remove the remaining uses (see the other findings), then run segamp again")
