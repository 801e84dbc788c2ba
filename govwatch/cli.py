"""The ``govwatch`` command: a thin click layer over the library.

Each command parses its options, calls one library function and renders the result with
:mod:`govwatch.output`. Exit status: 0 success; 1 internal error; 2 bad input (sites file,
options, missing database); 3 scan interrupted (resume it with ``govwatch scan --resume``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from govwatch import __version__
from govwatch import db as store
from govwatch.config import Config, ConfigError, load_config
from govwatch.output import format_option, render

EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 3

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default="govwatch.db",
    show_default=True,
    help="The scan database (SQLite).",
)
sites_option = click.option(
    "--sites",
    "sites_file",
    type=click.Path(dir_okay=False),
    default="govwatch.yaml",
    show_default=True,
    help="The sites file (govwatch.yaml).",
)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print one error line and exit with *code*."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def friendly_errors(func: Callable) -> Callable:
    """Turn expected errors into one line and an exit status, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as error:
            fail(str(error))
        except Exception as error:  # a bug: say so in one line unless debugging
            if os.environ.get("GOVWATCH_DEBUG"):
                raise
            fail(f"internal error: {type(error).__name__}: {error}", EXIT_INTERNAL)

    return wrapper


def scan_date(config: Config, as_of: str | None) -> date:
    """The date a scan is judged at: *as_of*, or today in the configured timezone."""
    if as_of:
        try:
            return date.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of must be YYYY-MM-DD, not {as_of!r}")
    return datetime.now(ZoneInfo(config.timezone)).date()


def open_existing_db(db_path: str):
    """Open a database that must already exist (listings never create one)."""
    if not Path(db_path).exists():
        fail(f"{db_path}: no such database; run 'govwatch scan' first")
    return store.open_db(db_path)


@click.group()
@click.version_option(__version__, prog_name="govwatch")
def cli() -> None:
    """govwatch: compliance monitor for Chinese government websites (政府网站)."""


@cli.group()
def sites() -> None:
    """Work with the sites file."""


@sites.command("check")
@sites_option
@format_option()
@friendly_errors
def sites_check(sites_file: str, fmt: str) -> None:
    """Validate the sites file without crawling."""
    config = load_config(sites_file)
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "url": s.url,
            "unit": s.unit,
            "max_pages": s.max_pages,
            "max_depth": s.max_depth,
            "obey_robots": s.obey_robots,
        }
        for s in config.sites
    ]
    click.echo(render(rows, fmt))
    if fmt == "table":
        click.echo(f"\n{sites_file}: {len(rows)} sites, ok")


@cli.command()
@sites_option
@db_option
@click.option("--site", "site_ids", multiple=True, help="Scan only this site (repeatable).")
@click.option("--resume", is_flag=True, help="Continue the last interrupted scan.")
@click.option("--as-of", help="Judge dates at this day (YYYY-MM-DD); default today.")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@format_option()
@friendly_errors
def scan(
    sites_file: str,
    db_path: str,
    site_ids: tuple[str, ...],
    resume: bool,
    as_of: str | None,
    quiet: bool,
    fmt: str,
) -> None:
    """Crawl the sites into the scan database."""
    config = load_config(sites_file)
    chosen = config.select(site_ids)
    outcome = _run(chosen, db_path, scan_date(config, as_of), resume=resume, quiet=quiet)
    report_scan(outcome, fmt, quiet)


def _run(sites, db_path: str, as_of: date, *, resume: bool, quiet: bool, **kwargs: Any):
    from crawler.runner import NothingToResume, run_scan  # Scrapy loads only when crawling

    try:
        return run_scan(
            sites,
            db_path,
            as_of=as_of,
            resume=resume,
            progress_interval=0 if quiet else 2.0,
            **kwargs,
        )
    except NothingToResume as error:
        fail(str(error))


def report_scan(outcome, fmt: str, quiet: bool) -> None:
    """Print the per-site summary of a scan and exit 3 if it did not complete."""
    rows = [
        {
            "site": r["site"],
            "status": r["status"],
            "pages": r["pages"],
            "columns": r["columns"],
            "newest_date": r["newest_date"],
        }
        for r in outcome.sites
    ]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "scan": outcome.scan_id,
                    "status": outcome.status,
                    "resumed": outcome.resumed,
                    "seconds": round(outcome.seconds, 1),
                    "sites": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(render(rows, fmt))
        if not quiet:
            rate = outcome.pages / outcome.seconds if outcome.seconds else 0.0
            click.echo(
                f"\nscan {outcome.scan_id} {outcome.status}: {outcome.pages} pages in "
                f"{outcome.seconds:.1f} s ({rate:.1f} pages/s)"
            )
    if outcome.status != store.ScanStatus.COMPLETE:
        click.echo(
            f"scan {outcome.scan_id} was interrupted; the previous complete scan is intact. "
            "Continue it with: govwatch scan --resume",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)


@cli.command()
@db_option
@click.option("--site", "site_ids", multiple=True, help="Only this site (repeatable).")
@format_option()
@friendly_errors
def columns(db_path: str, site_ids: tuple[str, ...], fmt: str) -> None:
    """List the column inventory (栏目清单) of the latest complete scan."""
    db = open_existing_db(db_path)
    scan_id = store.latest_complete_scan(db)
    if scan_id is None:
        fail(f"{db_path}: no complete scan yet")
    rows = store.column_inventory(db, scan_id, site_ids)
    click.echo(
        render(
            rows,
            fmt,
            ["site", "name", "class", "url", "newest_date", "items"] if fmt == "table" else (),
        )
    )


@cli.command()
@click.option(
    "--dir",
    "work_dir",
    type=click.Path(file_okay=False),
    default="govwatch-demo",
    show_default=True,
    help="Where the demo writes its sites file and database.",
)
@click.option("--quiet", is_flag=True, help="No progress lines.")
@format_option()
@friendly_errors
def demo(work_dir: str, quiet: bool, fmt: str) -> None:
    """Serve the bundled demo portals on 127.0.0.1 and scan them."""
    from govwatch.demo import demo_portals

    with demo_portals(Path(work_dir)) as (sites_file, db_path):
        config = load_config(sites_file)
        outcome = _run(
            config.sites,
            str(db_path),
            scan_date(config, None),
            resume=False,
            quiet=quiet,
            settings={"DOWNLOAD_DELAY": 0},
        )
        report_scan(outcome, fmt, quiet)
        if fmt == "table":
            db = store.open_db(db_path)
            click.echo(
                "\n"
                + render(
                    store.column_inventory(db, outcome.scan_id),
                    "table",
                    ["site", "name", "class", "newest_date", "items"],
                )
            )
            click.echo(f"\nno rules yet: findings come with the rule engine. database: {db_path}")


def main() -> None:
    """Console-script entry point."""
    cli()
