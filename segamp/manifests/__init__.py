"""Dependency manifests: the Segment package swapped for the Amplitude one, formatting kept."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from ..core import findings
from ..languages.base import ProjectContext
from ..model import Finding


@dataclass(frozen=True)
class ManifestScope:
    """What one manifest does with the Segment packages, decided by the engine from the code
    the manifest governs (the files whose nearest manifest folder is its own)."""

    kept: frozenset = frozenset()    # Segment packages it keeps: code it governs still uses them
    idle: frozenset = frozenset()    # of those, the ones no code uses and nothing converted needs the target of
    add: frozenset = frozenset()     # Amplitude packages to list after a kept Segment one: converted code needs them


def scope_for(ctx: ProjectContext, path: str) -> ManifestScope:
    """The engine's decision for the manifest at path; before it has decided (the first
    analyses of the run), the project-wide one."""
    scope = ctx.manifest_scopes.get(os.path.abspath(path)) if ctx.manifest_scopes else None
    if scope is None:
        return ManifestScope(frozenset(ctx.blocked_packages), frozenset(ctx.idle_packages))
    return scope


def kept_note(name: str, rule: dict, scope: ManifestScope, line: int, col: int,
              added: Optional[str] = None, missing: Optional[str] = None) -> Finding:
    """Why a manifest keeps a Segment package (and which Amplitude package was added next to it,
    or is needed but could not be added with certainty)."""
    if name in scope.idle:
        return findings.make(
            "dependency-note", line, col,
            message=f"{name} kept: no code uses it, and nothing segamp converted needs {rule.get('to', 'its replacement')}",
            help="remove it once the project no longer needs it")
    message = f"{name} kept: Segment code of the project still uses it"
    if added:
        message += f"; {added} added next to it, for the code segamp converted"
    if missing:
        message += f"; the code segamp converted imports {missing}, which segamp could not add here with certainty"
        return findings.make("dependency-note", line, col, message=message,
                             help=f"add {missing} to this manifest; migrate or remove the remaining Segment uses, then run segamp again")
    return findings.make(
        "dependency-note", line, col, message=message,
        help="migrate or remove the remaining uses (see the other findings), then run segamp again")
