"""segamp rewrite|check: option parsing, renderer choice, writing, exit codes.

Exit codes (also in the README):
  rewrite  0 every file processed, 1 some file could not be processed, 2 usage error
  check    0 clean, 1 Segment usage or findings needing a person remain, 2 usage error
"""
from __future__ import annotations

import os
import sys
from typing import Optional

import click

from . import __version__
from .config import ConfigError, load_config
from .engine import Engine, write_changed
from .model import Kind
from .render import Report

FORMATS = ("rich", "diff", "json")


def _pick_format(fmt: Optional[str]) -> str:
    if fmt:
        return fmt
    return "rich" if sys.stdout.isatty() else "diff"


def _run(command: str, paths: tuple[str, ...], dry_run: bool, fmt: Optional[str], include: tuple[str, ...],
         exclude: tuple[str, ...], config_path: Optional[str], progress: bool, partial: bool = False) -> int:
    for p in paths:
        if not os.path.lexists(p):
            click.echo(f"segamp: error: {p}: no such file or directory", err=True)
            return 2
    try:
        config = load_config(paths, config_path).merged_cli(include, exclude)
        config.partial = config.partial or partial
    except ConfigError as exc:
        click.echo(f"segamp: error: {exc}", err=True)
        return 2
    fmt = _pick_format(fmt)
    engine = Engine(config)
    report = Report(command=command, dry_run=dry_run or command == "check", stats=engine.stats)
    write = command == "rewrite" and not dry_run

    bar = None
    if progress and fmt != "json" and sys.stderr.isatty():
        from rich.progress import Progress

        bar = Progress(transient=True, console=__import__("rich.console").console.Console(file=sys.stderr))
        task = bar.add_task("analysing", total=None)
        bar.start()

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
    else:
        on_progress = None

    try:
        for result in engine.run(list(paths), on_progress):
            if write and result.changed:
                problem = write_changed(result)
                if problem:
                    result.error = problem
                    engine.stats.errors += 1
                else:
                    result.written = True
                    engine.stats.written += 1
            report.results.append(result)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        if bar is not None:
            bar.stop()

    if fmt == "json":
        from .render.json_render import render
    elif fmt == "diff":
        from .render.unified import render
    else:
        from .render.rich_render import render
    render(report)

    if report.interrupted:
        return 130
    if command == "check":
        dirty = any(r.changed or r.error or r.count(Kind.MANUAL) or r.count(Kind.UNSUPPORTED)
                    for r in report.results)
        return 1 if dirty else 0
    return 1 if report.failed else 0


def _common(fn):
    fn = click.option("--format", "fmt", type=click.Choice(FORMATS),
                      help="rich (default on a terminal), diff (default when piped) or json.")(fn)
    fn = click.option("--include", multiple=True, metavar="GLOB", help="Only files matching (gitignore syntax). Repeatable.")(fn)
    fn = click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching (gitignore syntax). Repeatable.")(fn)
    fn = click.option("--config", "config_path", metavar="FILE", help="segamp.toml or pyproject.toml to read instead of searching.")(fn)
    fn = click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")(fn)
    fn = click.argument("paths", nargs=-1, required=True, type=click.Path())(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="segamp")
def main() -> None:
    """Migrate Segment analytics SDK calls to Amplitude's SDKs."""


@main.command()
@_common
@click.option("--dry-run", is_flag=True, help="Show the diff and findings; write nothing.")
@click.option("--partial", is_flag=True,
              help="Convert the uses that can be converted even when another use of the same client cannot "
                   "(TODO notes mark the rest). Default: such a client is left whole.")
def rewrite(paths, fmt, include, exclude, config_path, no_progress, dry_run, partial):
    """Rewrite Segment calls under PATHS into Amplitude calls."""
    sys.exit(_run("rewrite", paths, dry_run, fmt, include, exclude, config_path, not no_progress, partial))


@main.command()
@_common
def check(paths, fmt, include, exclude, config_path, no_progress):
    """List remaining Segment usage; exit 1 while any remains (for CI and pre-commit)."""
    sys.exit(_run("check", paths, True, fmt, include, exclude, config_path, not no_progress))


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
