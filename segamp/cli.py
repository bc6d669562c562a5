"""segamp rewrite|check: option parsing, renderer choice, writing, exit codes.

Exit codes (also in the README):
  rewrite  0 every file processed, 1 some file could not be processed, 2 usage error
  check    0 clean, 1 Segment usage or findings needing a person remain, 2 usage error
"""
from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from typing import Optional

import click

from . import __version__
from .config import ConfigError, load_config
from .engine import Engine, write_changed
from .model import Kind
from .render import Report

FORMATS = ("rich", "diff", "json", "sarif", "github")


def _pick_format(fmt: Optional[str]) -> str:
    if fmt:
        return fmt
    return "rich" if sys.stdout.isatty() else "diff"


@dataclass
class RunOptions:
    dry_run: bool = False
    fmt: Optional[str] = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    config_path: Optional[str] = None
    progress: bool = True
    partial: bool = False
    report_path: Optional[str] = None
    quiet: bool = False
    color: str = "auto"
    allow_dirty: bool = False
    changed_since: Optional[str] = None
    interactive: bool = False
    jobs: Optional[int] = None


def _run(command: str, paths: tuple[str, ...], opts: RunOptions) -> int:
    paths = paths or (".",)
    for p in paths:
        if not os.path.lexists(p):
            click.echo(f"segamp: error: {p}: no such file or directory", err=True)
            return 2
    try:
        config = load_config(paths, opts.config_path).merged_cli(opts.include, opts.exclude)
        config.partial = config.partial or opts.partial
        config.jobs = opts.jobs if opts.jobs is not None else config.jobs
    except ConfigError as exc:
        click.echo(f"segamp: error: {exc}", err=True)
        return 2
    write = command == "rewrite" and not opts.dry_run
    if opts.interactive and (not write or not sys.stdin.isatty()):
        click.echo("segamp: error: --interactive asks on a terminal before writing: run rewrite (no --dry-run) "
                   "in a terminal", err=True)
        return 2
    if write and opts.changed_since:
        click.echo("segamp: error: --changed-since narrows what is reported; a rewrite writes whole clients. "
                   "Use it with check or rewrite --dry-run.", err=True)
        return 2
    fmt = _pick_format(opts.fmt)
    engine = Engine(config)
    report = Report(command=command, dry_run=not write, stats=engine.stats)
    _collect(engine, paths, report, progress=opts.progress and not opts.quiet and fmt in ("rich", "diff"))
    problem = _narrow(report, paths, opts.changed_since) if opts.changed_since else None
    if problem is None and write and not report.interrupted:
        problem = _write_all(report, engine, opts.allow_dirty, opts.interactive)
    if problem:
        click.echo(f"segamp: error: {problem}", err=True)
        return 2
    _render(report, fmt, opts)
    if opts.report_path:
        problem = _write_report(opts.report_path, report, config)
        if problem:
            click.echo(f"segamp: error: {opts.report_path}: {problem}", err=True)
            return 2
    if report.interrupted:
        return 130
    if command == "check":
        dirty = any(r.changed or r.error or r.count(Kind.MANUAL) or r.count(Kind.UNSUPPORTED)
                    for r in report.results)
        return 1 if dirty else 0
    return 1 if report.failed else 0


def _collect(engine: Engine, paths: tuple[str, ...], report: Report, progress: bool) -> None:
    """Run the engine into the report; Ctrl-C ends the run with the files seen so far and says
    how far it got."""
    bar = None
    seen = {"done": 0, "total": 0}

    def on_progress(done: int, total: int) -> None:
        seen.update(done=done, total=total)
        if bar is not None and total:
            bar.update(task, completed=done, total=total, description=f"{engine.phase} {done:,}/{total:,} files")
        elif bar is not None:
            bar.update(task, description=f"scanning: {done:,} files so far")

    if progress and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(transient=True, console=Console(file=sys.stderr))
        task = bar.add_task("scanning", total=None)
        bar.start()
    try:
        for result in engine.run(list(paths), on_progress):
            report.results.append(result)
    except KeyboardInterrupt:
        report.interrupted = True
        report.progress = (seen["done"], seen["total"])
    except Exception as exc:   # a bug segamp did not catch per file: one line, nothing written
        if bar is not None:
            bar.stop()
            bar = None
        click.echo(f"segamp: internal error ({type(exc).__name__}: {exc}); nothing was written (please report this)",
                   err=True)
        sys.exit(70)
    finally:
        if bar is not None:
            bar.stop()


def _write_all(report: Report, engine: Engine, allow_dirty: bool, interactive: bool = False) -> Optional[str]:
    """Write every changed file, after the whole project was analysed (a client's files go
    together), unless git holds uncommitted work in one of them. Ctrl-C stops between files."""
    from .gitstate import GitError, dirty

    targets = [r for r in report.results if r.changed]
    if not allow_dirty:
        try:
            held = dirty(r.fs_path for r in targets if os.path.lexists(r.fs_path))
        except GitError as exc:
            return f"cannot ask git for uncommitted changes ({exc}); pass --allow-dirty to write anyway"
        if held:
            names = ", ".join(os.path.relpath(p) for p in held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
            return (f"{len(held)} file(s) segamp would rewrite have uncommitted changes ({names}); nothing was written. "
                    "Commit or stash them, or pass --allow-dirty.")
    if interactive:
        from .interactive import select

        try:
            chosen = select(targets, engine.reparse_problem)
        except KeyboardInterrupt:
            chosen = []
            report.interrupted = True
        for result in targets:
            if not any(result is c for c in chosen):
                result.new_text = result.old_text   # declined: shown and counted as unchanged
        targets = chosen
    done = 0
    try:
        for result in targets:
            problem = write_changed(result)
            if problem:
                result.error = problem
                engine.stats.errors += 1
            else:
                result.written = True
                engine.stats.written += 1
            done += 1
    except KeyboardInterrupt:
        report.interrupted = True
        report.progress = (done, len(targets))
    return None


def _narrow(report: Report, paths: tuple[str, ...], ref: str) -> Optional[str]:
    """--changed-since: the project model read everything; report only the files changed since ref."""
    from .gitstate import GitError, changed_since

    try:
        changed = changed_since(ref, paths)
    except GitError as exc:
        return f"--changed-since {ref}: {exc}"
    if changed is None:
        return f"--changed-since {ref}: not inside a git work tree"
    report.results = [r for r in report.results if os.path.realpath(r.fs_path or r.path) in changed]
    return None


def _render(report: Report, fmt: str, opts: RunOptions) -> None:
    if opts.quiet and fmt in ("rich", "diff"):
        from .render.unified import render_quiet

        render_quiet(report)
    elif fmt == "rich":
        from rich.console import Console

        from .render.rich_render import render

        color = {"always": {"force_terminal": True}, "never": {"no_color": True, "color_system": None}}.get(opts.color, {})
        render(report, console=Console(file=sys.stdout, highlight=False, soft_wrap=False, **color))
    else:
        module = {"json": "json_render", "diff": "unified", "sarif": "sarif", "github": "github"}[fmt]
        importlib.import_module(f".render.{module}", __package__).render(report)


def _write_report(path: str, report: Report, config) -> Optional[str]:
    from .render.markdown import render_markdown
    from .source import atomic_write

    try:
        atomic_write(os.path.abspath(path), render_markdown(report, config).encode("utf-8"), 0o644)
    except OSError as exc:
        return f"cannot write the report ({exc.strerror or exc})"
    return None


def _common(fn):
    fn = click.option("--format", "fmt", type=click.Choice(FORMATS),
                      help="rich (default on a terminal), diff (default when piped), json, sarif (GitHub code scanning) "
                           "or github (workflow annotations).")(fn)
    fn = click.option("--include", multiple=True, metavar="GLOB", help="Only files matching (gitignore syntax). Repeatable.")(fn)
    fn = click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching (gitignore syntax). Repeatable.")(fn)
    fn = click.option("--config", "config_path", metavar="FILE", help="segamp.toml or pyproject.toml to read instead of searching.")(fn)
    fn = click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")(fn)
    fn = click.option("--report", "report_path", metavar="FILE.md",
                      help="Also write a markdown migration report (for the pull request) to FILE.md.")(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="Only errors and the summary line (rich and diff formats).")(fn)
    fn = click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto",
                      help="Colour in the rich format (default: auto, when stdout is a terminal).")(fn)
    fn = click.option("--changed-since", metavar="REF",
                      help="Report only files changed since this git ref (the whole project is still read).")(fn)
    fn = click.option("-j", "--jobs", type=click.IntRange(min=0), metavar="N",
                      help="Processes analysing files (default: one per core, up to 8; 1: no pool).")(fn)
    fn = click.argument("paths", nargs=-1, type=click.Path())(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="segamp")
def main() -> None:
    """Migrate Segment analytics SDK calls to Amplitude's SDKs."""


@main.command()
@_common
@click.option("--dry-run", is_flag=True, help="Show the diff and findings; write nothing.")
@click.option("--allow-dirty", is_flag=True, help="Write even over files with uncommitted changes.")
@click.option("-i", "--interactive", is_flag=True, help="Ask per file (or per hunk) before writing it.")
@click.option("--partial", is_flag=True,
              help="Convert the uses that can be converted even when another use of the same client cannot "
                   "(TODO notes mark the rest). Default: such a client is left whole.")
def rewrite(paths, fmt, include, exclude, config_path, no_progress, report_path, quiet, color, changed_since, jobs,
            dry_run, allow_dirty, interactive, partial):
    """Rewrite Segment calls under PATHS (default: .) into Amplitude calls."""
    sys.exit(_run("rewrite", paths, RunOptions(dry_run, fmt, include, exclude, config_path, not no_progress, partial,
                                               report_path, quiet, color, allow_dirty, changed_since, interactive, jobs)))


@main.command()
@_common
def check(paths, fmt, include, exclude, config_path, no_progress, report_path, quiet, color, changed_since, jobs):
    """List remaining Segment usage under PATHS (default: .); exit 1 while any remains (for CI and pre-commit)."""
    sys.exit(_run("check", paths, RunOptions(True, fmt, include, exclude, config_path, not no_progress, False,
                                             report_path, quiet, color, False, changed_since, False, jobs)))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", help="csv (default) or json.")
@click.option("--config", "config_path", metavar="FILE", help="segamp.toml or pyproject.toml to read instead of searching.")
def events(paths, fmt, config_path):
    """The tracking plan under PATHS (default: .): every event with its properties and traits,
    as Segment sends it now and as Amplitude will receive it after the rewrite."""
    from .events import collect, write_csv, write_json

    paths = paths or (".",)
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        click.echo(f"segamp: error: {missing[0]}: no such file or directory", err=True)
        sys.exit(2)
    try:
        config = load_config(paths, config_path)
    except ConfigError as exc:
        click.echo(f"segamp: error: {exc}", err=True)
        sys.exit(2)
    rows = collect(Engine(config), list(paths))
    (write_json if fmt == "json" else write_csv)(rows)


@main.command()
@click.option("--config", "config_path", metavar="FILE", help="segamp.toml or pyproject.toml to read instead of searching.")
def rules(config_path):
    """List the findings catalog and the mapping in force (from the tables and the config)."""
    from .explain import rules_text

    try:
        config = load_config((".",), config_path)
    except ConfigError as exc:
        click.echo(f"segamp: error: {exc}", err=True)
        sys.exit(2)
    click.echo(rules_text(config), nl=False)


@main.command()
@click.argument("rule_id")
def explain(rule_id):
    """Show one finding: why segamp reports it and what to do."""
    from .explain import explain_text

    text = explain_text(rule_id)
    if text is None:
        click.echo(f"segamp: error: no finding '{rule_id}' (see `segamp rules`)", err=True)
        sys.exit(2)
    click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
