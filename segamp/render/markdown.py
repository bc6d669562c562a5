"""`--report FILE.md`: the migration report to paste into the pull request.

Per language and file what was converted and which clients were left (and why); the findings
grouped by id (one line with a count, not ten copies); the manifests changed; the next steps;
the mapping choices in force. Deterministic: no dates, no absolute paths."""
from __future__ import annotations

from collections import OrderedDict

from ..config import Config
from ..core import findings
from ..model import Kind
from . import Report, finding_verb
from .unified import summary_line

MANIFEST_RULES = ("dependency-replaced", "dependency-note", "lockfile-pin")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _files_table(report: Report) -> list[str]:
    rows = ["| language | file | converted | need a person | unsupported | status |", "|---|---|---:|---:|---:|---|"]
    for r in sorted(report.results, key=lambda r: (r.language, r.path)):
        if not (r.changed or r.findings or r.error) or r.language == "-":
            continue
        status = "error: " + r.error if r.error else ("written" if r.written else
                                                       "changes" if r.changed else "unchanged")
        rows.append(f"| {r.language} | `{r.path}` | {r.count(Kind.CONVERTED)} | {r.count(Kind.MANUAL)} | "
                    f"{r.count(Kind.UNSUPPORTED)} | {_cell(status)} |")
    return rows if len(rows) > 2 else ["No file holds Segment usage."]


def _grouped(report: Report, exclude: tuple[str, ...] = ()) -> list[str]:
    groups: "OrderedDict[tuple[str, str], list[str]]" = OrderedDict()
    for r in report.results:
        for f in r.findings:
            if f.kind == Kind.CONVERTED or f.rule in exclude:
                continue
            groups.setdefault((f.rule, f.message), []).append(f"{r.path}:{f.line}")
    out = []
    for (rule, message), places in groups.items():
        e = findings.entry(rule) if rule in findings.catalog() else {"kind": "manual"}
        count = f" ×{len(places)}" if len(places) > 1 else ""
        shown = ", ".join(f"`{p}`" for p in places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
        out.append(f"- **`{rule}`** ({finding_verb(report.command, Kind(e['kind']))}){count}: {_cell(message)} — {shown}")
    return out


def _clients_left(report: Report) -> list[str]:
    out = []
    for r in report.results:
        for f in r.findings:
            if f.rule == "client-left":
                out.append(f"- `{r.path}:{f.line}`: {_cell(f.message)}")
    return out


def _mapping(config: Config, report: Report) -> list[str]:
    from ..core import mapping, profiles
    from ..explain import TARGETS, targets_for

    out = [f"Config: `{config.source}`", ""]
    in_use = targets_for({info.package for r in report.results for info in r.clients.values()})
    for sdk, target in TARGETS.items():
        if target not in in_use:
            continue
        profile = profiles.load(target)
        out += [f"**Segment {sdk} → `{profile.package}` {profile.version}**", "", "| Segment | Amplitude |", "|---|---|"]
        out += [f"| {_cell(a)} | {_cell(b)} |" for a, b in mapping.rules_in_force(sdk, profile, config)]
        out.append("")
    return out


def render_markdown(report: Report, config: Config) -> str:
    title = "segamp check" if report.command == "check" else \
        "segamp rewrite" + (" (dry run)" if report.dry_run else "")
    lines = [f"# Segment → Amplitude migration: {title}", "", summary_line(report).replace("segamp: ", "", 1), ""]
    if report.interrupted:
        lines += ["**Interrupted: this report covers part of the project only.**", ""]
    lines += ["## Files", ""] + _files_table(report) + [""]
    left = _clients_left(report)
    if left:
        lines += ["## Clients left unchanged", ""] + left + [""]
    grouped = _grouped(report, exclude=MANIFEST_RULES + ("client-left",))
    if grouped:
        lines += ["## Findings", ""] + grouped + [""]
    manifests = [f"- `{r.path}:{f.line}`: {_cell(f.message)}" for r in report.results for f in r.findings
                 if f.rule in MANIFEST_RULES]
    if manifests:
        lines += ["## Manifests and lockfiles", ""] + manifests + [""]
    steps = report.next_steps()
    if steps:
        lines += ["## Next steps", ""] + [f"- [ ] {_cell(s.text)} ({', '.join(f'`{p}`' for p in s.places[:5])}"
                                          f"{' and %d more' % (len(s.places) - 5) if len(s.places) > 5 else ''})"
                                          for s in steps] + [""]
    lines += ["## Mapping in force", ""] + _mapping(config, report)
    return "\n".join(lines).rstrip("\n") + "\n"
