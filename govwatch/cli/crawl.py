"""Commands over the crawl: check the sites file, scan, list columns, run the demo."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import click

from govwatch.cli.base import (
    EXIT_INTERRUPTED,
    as_of_option,
    cli,
    config_option,
    db_option,
    evaluation_line,
    fail,
    friendly_errors,
    latest_complete,
    open_existing_db,
    quiet_option,
    scan_date,
    site_option,
    tracking_line,
)
from govwatch.core.config import load_config
from govwatch.core.kept import evidence_settings
from govwatch.core.vocabulary import ColumnRole, ScanStatus
from govwatch.crawler import store as crawl_store
from govwatch.output import format_option, render


@cli.group()
def sites() -> None:
    """Work with the sites file."""


@sites.command("check")
@config_option()
@format_option()
@friendly_errors
def sites_check(config_file: str, fmt: str) -> None:
    """Validate the config file without crawling."""
    config = load_config(config_file)
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
        click.echo(f"\n{config_file}: {len(rows)} sites, ok")


@cli.command()
@config_option()
@db_option
@site_option
@click.option("--resume", is_flag=True, help="Continue the last interrupted scan.")
@as_of_option()
@click.option("--full", is_flag=True,
              help="Read every page again, even those unchanged since the last scan.")
@click.option("--screenshots", is_flag=True,
              help="Screenshot the pages of new and reopened issues (needs Chromium).")
@click.option("--no-evidence", "no_evidence", is_flag=True,
              help="Keep no pages (存证) of new issues: the crawl spools nothing.")
@quiet_option
@click.option("--verbose", is_flag=True,
              help="Show the crawler's log (download errors and their tracebacks) on stderr.")
@format_option()
@friendly_errors
def scan(
    config_file: str,
    db_path: str,
    site_ids: tuple[str, ...],
    resume: bool,
    as_of: date | None,
    full: bool,
    screenshots: bool,
    no_evidence: bool,
    quiet: bool,
    verbose: bool,
    fmt: str,
) -> None:
    """Crawl the sites, evaluate the rules and update the issues.

    A page unchanged since the last scan that read it (HTTP 304 to a conditional request)
    keeps that reading; --full reads every page again. What failed is recorded in the
    database (a site unreachable, a page's error); --verbose also shows the crawler's log.
    The pages of new and reopened issues are kept (存证, see govwatch evidence), with
    --screenshots their screenshots too (or as the sites file's evidence: section says).
    """
    config = load_config(config_file)
    chosen = config.select(site_ids)
    settings: dict[str, Any] = evidence_settings(config)  # the sites file's evidence:
    if full:
        settings["GOVWATCH_REVALIDATE"] = False
    if verbose:
        settings["LOG_LEVEL"] = "INFO"
    if screenshots:
        settings["GOVWATCH_SCREENSHOTS"] = True
    if no_evidence:
        settings["GOVWATCH_EVIDENCE"] = False
    run = _scan(chosen, db_path, scan_date(config, as_of), resume=resume, quiet=quiet,
                settings=settings)
    report_scan(run, fmt, quiet)


def _scan(sites, db_path: str, as_of: date, *, resume: bool, quiet: bool, **kwargs: Any):
    from govwatch.crawler.runner import NothingToResume, ScanBusy
    from govwatch.workflow import scan_evaluate_track

    try:
        return scan_evaluate_track(
            sites, db_path, as_of=as_of, resume=resume,
            progress_interval=0 if quiet else 2.0, **kwargs,
        )
    except (NothingToResume, ScanBusy) as error:
        fail(str(error))


def report_scan(run, fmt: str, quiet: bool) -> None:
    """Print the per-site summary of a scan run, its findings and issues; exit 3 if the
    crawl did not complete."""
    outcome = run.outcome
    rows = [
        {
            "site": r["site"],
            "status": r["status"],
            "pages": r["pages"],
            "unchanged": r["unchanged"],
            "columns": r["columns"],
            "newest_date": r["newest_date"],
            # what the scan covered: link targets found, those neither fetched nor
            # recorded (0 in a complete scan), and whether max_pages cut the crawl
            "discovered": r["discovered"],
            "unsettled": r["unsettled"],
            "capped": bool(r["capped"]),
        }
        for r in outcome.sites
    ]
    for scan_id in outcome.stale:
        click.echo(f"scan {scan_id} was left running by a process that died; it is marked "
                   "failed (resume it with: govwatch scan --resume)", err=True)
    if run.caught_up is not None:
        click.echo(f"scan {run.caught_up} was complete but not yet tracked (interrupted); "
                   "it was evaluated and tracked first", err=True)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "scan": outcome.scan_id,
                    "status": outcome.status,
                    "resumed": outcome.resumed,
                    "stale": outcome.stale,
                    "seconds": round(outcome.seconds, 1),
                    "sites": rows,
                    "evaluation": run.evaluation,
                    "tracking": asdict(run.tracking) if run.tracking else None,
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
            if run.evaluation:
                click.echo(f"{evaluation_line(run.evaluation)}; list them: govwatch findings")
            if run.tracking:
                click.echo(f"issues: {tracking_line(run.tracking)}; list them: govwatch issues")
    if outcome.status != ScanStatus.COMPLETE:
        kept = (f"the last complete scan ({outcome.latest_complete}) is intact"
                if outcome.latest_complete else "there is no complete scan yet")
        # A crawl that finished with link targets unsettled is not complete either.
        why = (f"ended with {outcome.unsettled} discovered link targets neither fetched nor "
               "recorded" if outcome.unsettled else "was interrupted")
        click.echo(
            f"scan {outcome.scan_id} {why}; {kept}. "
            "Continue it with: govwatch scan --resume",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)


@cli.command()
@db_option
@site_option
@format_option()
@friendly_errors
def columns(db_path: str, site_ids: tuple[str, ...], fmt: str) -> None:
    """List the column inventory (栏目清单) of the latest complete scan."""
    db = open_existing_db(db_path, site_ids)
    rows = crawl_store.column_inventory(db, latest_complete(db, db_path), site_ids)
    if fmt == "table":  # people read the role's Chinese name; json and csv keep the value
        rows = [{**r, "role": ColumnRole(r["role"]).label if r["role"] else ""} for r in rows]
    click.echo(
        render(
            rows,
            fmt,
            ["site", "name", "role", "class", "url", "newest_date", "items"]
            if fmt == "table" else (),
        )
    )


@cli.command()
@click.option(
    "--dir",
    "work_dir",
    type=click.Path(file_okay=False),
    default="govwatch-demo",
    show_default=True,
    help="Where the demo writes its config file, database and reports.",
)
@click.option("--screenshots", is_flag=True,
              help="Screenshot the pages of the issues found (needs Chromium).")
@click.option("--serve", "serve_platform", is_flag=True,
              help="Then serve the 纠错 platform over the demo's database on 127.0.0.1, "
                   "with demo accounts (their passwords printed), until Ctrl+C.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              help="The platform's port, with --serve.")
@quiet_option
@format_option()
@friendly_errors
def demo(work_dir: str, screenshots: bool, serve_platform: bool, port: int, quiet: bool,
         fmt: str) -> None:
    """The whole product in one command: serve the bundled demo portals on 127.0.0.1, scan
    them, evaluate the rules, track the issues, publish a bulletin and a scorecard; with
    --serve, leave the 纠错 platform running over the result."""
    from govwatch.demo import DEMO_SETTINGS, demo_day, demo_portals, fresh_demo_dir
    from govwatch.reports.settings import ReportSettings
    from govwatch.workflow import publish

    work = fresh_demo_dir(Path(work_dir))
    day = demo_day()  # the day its portals were written for
    with demo_portals(work) as (sites_file, db_path):
        config = load_config(sites_file)
        settings = {**DEMO_SETTINGS, "GOVWATCH_SCREENSHOTS": screenshots}
        run = _scan(config.sites, str(db_path), day, resume=False,
                    quiet=quiet, settings=settings)
    if fmt == "table":
        report_scan(run, fmt, quiet)
    elif not run.complete:
        report_scan(run, fmt, quiet)  # says so and exits 3
    published = publish(db_path, day, work / "out",
                        ReportSettings.from_mapping(config.rectification))
    rows = [
        {"site": r["site"], "unit": r["unit"], "status": r["status"],
         "veto": r["veto_items"] or "-", "deducted": r["deducted"], "score": r["score"],
         "result": r["result"]}
        for r in published.scorecard["sites"]
    ]
    if fmt == "json":
        click.echo(json.dumps(
            {"scan": run.outcome.scan_id, "evaluation": run.evaluation, "sites": rows,
             "bulletin": published.bulletin["number"], "database": str(db_path),
             "files": [str(p) for p in published.paths]},
            ensure_ascii=False, indent=2,
        ))
        return
    totals = published.bulletin["totals"]
    click.echo("\n" + render(rows, fmt))
    click.echo(
        f"\n纠错通报 第{published.bulletin['number']}期: {totals['new']} problems published "
        f"to {len(published.bulletin['units'])} units. Files:"
    )
    for path in published.paths:
        click.echo(f"  {path}")
    click.echo(f"database: {db_path}  (try: govwatch findings --db {db_path})")
    if serve_platform:
        _serve_demo(db_path, work / "out", port, config)


def _serve_demo(db_path: Path, out_dir: Path, port: int, config: Any) -> None:
    """Add the demo accounts, print them, and serve the platform until Ctrl+C."""
    from govwatch.cli.serve import run_platform
    from govwatch.cli.users import add_demo_accounts
    from govwatch.core.schema import open_db
    from govwatch.reports.settings import ReportSettings

    db = open_db(db_path)
    try:
        accounts = add_demo_accounts(db)
    finally:
        db.close()
    click.echo("\n纠错平台 demo accounts (passwords made for this run):")
    click.echo(render(accounts, "table"))
    run_platform(db_path, out_dir, "127.0.0.1", port,
                 report_settings=ReportSettings.from_mapping(config.rectification),
                 timezone=config.timezone)


