"""`segamp rules` and `segamp explain ID`: the findings catalog and the mapping in force."""
from __future__ import annotations

from typing import Optional

from .config import Config
from .core import findings, mapping, profiles

# Segment SDK family -> the target profile its clients become (shown by `segamp rules`)
TARGETS = {"browser": "browser", "node": "node", "react_native": "react_native", "react_native_v1": "react_native", "python": "python"}
# the Python SDK packages (the JS ones are rules/javascript.toml [profiles])
PYTHON_PACKAGES = ("segment-analytics-python", "analytics-python")


def targets_for(packages: set[str]) -> set[str]:
    """The target profiles clients of those Segment packages become (a run's report shows the
    mapping of these only; none known: every target)."""
    from . import tables

    profiles_by_package = tables.load("javascript").get("profiles", {})
    found = {profiles_by_package.get(p) or ("python" if p in PYTHON_PACKAGES else None) for p in packages}
    found.discard(None)
    return found or set(TARGETS.values())


def rules_text(config: Config, rule: Optional[str] = None) -> str:
    lines = ["Findings (rules/findings.toml):", ""]
    cat = findings.catalog()
    width = max(len(k) for k in cat)
    for rid, e in cat.items():
        lines.append(f"  {rid:<{width}}  {e['kind']:<11}  {e['title']}")
    for sdk, target in TARGETS.items():
        profile = profiles.load(target)
        lines += ["", f"Mapping in force: Segment {sdk} → {profile.package} {profile.version}"
                      f" (config: {config.source})", ""]
        rows = mapping.rules_in_force(sdk, profile, config)
        w = max(len(a) for a, _ in rows)
        lines += [f"  {a:<{w}}  {b}" for a, b in rows]
    return "\n".join(lines) + "\n"


def explain_text(rule: str) -> Optional[str]:
    try:
        e = findings.entry(rule)
    except findings.UnknownRule:
        return None
    parts = [f"{rule}: {e['title']}", f"kind: {e['kind']}", f"safety: {e['safety']}", "",
             f"Why: {e['why']}", "", f"Message: {e['message']}"]
    if e.get("suggestion"):
        parts.append(f"What to do: {e['suggestion']}")
    return "\n".join(parts) + "\n"


def readme_table() -> str:
    """The README's findings table, generated from the catalog (a test keeps them in sync)."""
    rows = ["| id | kind | what it means | what to do |", "|---|---|---|---|"]
    for rid, e in findings.catalog().items():
        todo = e.get("suggestion", "").replace("|", "\\|") or "—"
        rows.append(f"| `{rid}` | {e['kind']} | {e['title']}: {e['why'].replace('|', chr(92) + '|')} | {todo} |")
    return "\n".join(rows)
