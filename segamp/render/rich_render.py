"""The terminal view: a header per file, a coloured diff, findings at file:line, a summary."""
from __future__ import annotations

import sys
from typing import Optional, TextIO

from rich.console import Console
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from ..model import FileResult, Kind
from . import Report, finding_verb, unified_diff
from .unified import summary_line

KIND_STYLE = {
    Kind.CONVERTED: "green",
    Kind.MANUAL: "bold yellow",
    Kind.UNSUPPORTED: "magenta",
    Kind.ERROR: "bold red",
}


def render(report: Report, out: Optional[TextIO] = None, err: Optional[TextIO] = None, console: Console | None = None) -> None:
    out = out or sys.stdout   # looked up now: a test runner may have swapped it
    err = err or sys.stderr
    console = console or Console(file=out, highlight=False, soft_wrap=False)
    show_diff = report.command == "rewrite"
    for result in report.results:
        interesting = result.changed or result.error or any(f.kind != Kind.CONVERTED for f in result.findings) \
            or (report.command == "check" and result.findings)
        if not interesting:
            continue
        _file_header(console, result, report)
        if result.error:
            console.print(Text(f"  error: {result.error}", style="bold red"))
        if show_diff and result.changed:
            if report.dry_run:
                console.print(Syntax(_fit(unified_diff(result).rstrip("\n"), console.width), "diff",
                                     theme="ansi_dark", background_color="default", word_wrap=False))
            else:
                console.print(Text("  written", style="green"))
        _findings(console, result, report)
        console.print()
    skipped = report.skipped
    if skipped:
        console.print(Rule("skipped", style="dim"))
        for r in skipped:
            console.print(Text(f"{r.path}: {r.skipped}", style="dim"))
        console.print()
    _summary(console, report)


def _fit(diff: str, width: int) -> str:
    """Lines wider than the terminal end in '…' (cut visibly, not silently); --format diff
    prints them whole."""
    return "\n".join(line if len(line) <= width else line[:max(width - 1, 1)] + "…" for line in diff.split("\n"))


def _file_header(console: Console, result: FileResult, report: Report) -> None:
    title = Text()
    title.append(result.path, style="bold cyan")
    title.append(f"  ({result.language}{', new file' if result.created else ''})", style="dim")
    counts = []
    for kind in Kind:
        n = result.count(kind)
        if n:
            counts.append(f"{n} {finding_verb(report.command, kind)}")
    if counts:
        title.append("  " + ", ".join(counts), style="dim")
    console.print(Rule(title, align="left", style="cyan"))


def _findings(console: Console, result: FileResult, report: Report) -> None:
    for f in result.findings:
        if report.command == "rewrite" and f.kind == Kind.CONVERTED:
            continue
        line = Text("  ")
        line.append(f"{f.path}:{f.line}:{f.column}", style="bold")
        line.append("  ")
        line.append(finding_verb(report.command, f.kind), style=KIND_STYLE[f.kind])
        line.append(f"  {f.message}")
        line.append(f"  [{f.rule}]", style="dim")
        console.print(line)
        if f.suggestion:
            _hanging(console, "      → ", Text(f.suggestion, style="dim"))


def _next_steps(console: Console, report: Report) -> None:
    steps = report.next_steps()
    if not steps:
        return
    console.print(Text("Next steps", style="bold"))
    for step in steps:
        line = Text(step.text)
        line.append(f"  ({step.where()})", style="dim")
        _hanging(console, "  • ", line)


def _hanging(console: Console, prefix: str, body: Text) -> None:
    """body wrapped at word boundaries under itself, not back at column 0."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(prefix), body)
    console.print(grid)


def _summary(console: Console, report: Report) -> None:
    table = Table(title="segamp " + report.command + (" (dry run: nothing written)" if report.dry_run and report.command == "rewrite" else ""),
                  title_justify="left", show_edge=False, header_style="bold")
    table.add_column("language")
    table.add_column("files", justify="right")
    table.add_column("converted" if report.command == "rewrite" else "segment calls", justify="right", style="green")
    table.add_column("need a person", justify="right", style="yellow")
    table.add_column("unsupported", justify="right", style="magenta")
    table.add_column("errors", justify="right", style="red")
    langs: dict[str, list[int]] = {}
    for r in report.results:
        if r.language == "-":
            continue
        row = langs.setdefault(r.language, [0, 0, 0, 0, 0])
        row[0] += 1 if (r.changed or r.findings or r.error) else 0
        row[1] += r.count(Kind.CONVERTED)
        row[2] += r.count(Kind.MANUAL)
        row[3] += r.count(Kind.UNSUPPORTED)
        row[4] += 1 if r.error else 0
    for lang, row in sorted(langs.items()):
        if any(row):
            table.add_row(lang, *map(str, row))
    if table.row_count:
        console.print(table)
    console.print(Text(summary_line(report), style="bold"))
    _next_steps(console, report)
    if report.command == "rewrite" and report.dry_run and report.changed:
        console.print(Text("Run the same command without --dry-run to apply these edits.", style="dim"))
    if report.interrupted:
        console.print(Text("Interrupted: files already written are complete; the others are untouched.", style="bold yellow"))
