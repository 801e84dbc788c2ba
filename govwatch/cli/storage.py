"""Commands over the database itself: prune old scans, upgrade the schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from govwatch.cli.base import (
    as_of_option,
    cli,
    config_option,
    db_option,
    fail,
    friendly_errors,
    quiet_option,
    scan_date,
)
from govwatch.core.config import load_config
from govwatch.core.schema import Store, open_db, schema_version
from govwatch.output import format_option, render


@cli.command()
@config_option()
@db_option
@as_of_option()
@click.option("--dry-run", is_flag=True, help="Say what would be dropped; drop nothing.")
@quiet_option
@format_option()
@friendly_errors
def prune(config_file: str, db_path: str, as_of: date | None, dry_run: bool, quiet: bool,
          fmt: str) -> None:
    """Drop what the retention policy (retention: in the config) no longer keeps, scan by
    scan, and return the space to the file system.

    Lists each scan it drops something of (detail; detail and summary; a failed scan
    whole), or keeps whole for a reason beyond being among the newest, with the rows and
    their estimated bytes; once done, the bytes of pages each scan's drop freed. Issues,
    their audit trail, bulletins and tracked scans are never pruned. Refused while a scan
    runs.
    """
    from govwatch.core.retention import Retention
    from govwatch.crawler.runner import ScanBusy
    from govwatch.prune import ESTIMATE, ScanFate, size_text
    from govwatch.prune import prune as prune_scans

    config = load_config(config_file)
    if not Path(db_path).exists():
        fail(f"{db_path}: no such database; run 'govwatch scan' first")

    def done(fate: ScanFate) -> None:
        if not quiet:
            click.echo(fate.done(), err=True)

    try:
        result = prune_scans(db_path, Retention.from_config(config), scan_date(config, as_of),
                             dry_run=dry_run, on_scan=done)
    except ScanBusy as busy:
        fail(f"{busy}; prune when it has ended")
    rows = [fate.row() for fate in result.fates]
    if dry_run:
        rows = [{k: v for k, v in row.items() if k != "freed"} for row in rows]
    if fmt == "json":
        click.echo(json.dumps({
            "dry_run": dry_run, "scans": rows, "newest_kept": result.newest,
            "bytes": ESTIMATE, "vacuum": result.vacuum, "size_before": result.size_before,
            "size_after": result.size_after, "summary": result.summary(),
        }, ensure_ascii=False, indent=2))
        return
    if fmt == "table":
        rows = [{**row, "bytes": f"~{size_text(row['bytes'])}" if row["drop"] else None,
                 **({} if dry_run else {"freed": size_text(row["freed"] or 0)
                                        if row["drop"] else None})} for row in rows]
    click.echo(render(rows, fmt))
    if fmt == "table":
        newest = result.newest
        kept = f"scans {newest[-1]}-{newest[0]}" if len(newest) > 1 else f"scan {newest[0]}"
        click.echo(f"\nkept whole: the {len(newest)} newest complete scans ({kept})"
                   if newest else "\nno complete scan yet")
        click.echo(result.summary())


@cli.group("db")
def db_group() -> None:
    """Work with the database file itself."""


@db_group.command("upgrade")
@db_option
@click.option("--vacuum", is_flag=True,
              help="Then rewrite the file, handing back the space the upgrade freed.")
@quiet_option
@format_option()
@friendly_errors
def db_upgrade(db_path: str, vacuum: bool, quiet: bool, fmt: str) -> None:
    """Bring the database to this version's schema now, and say how big each table was
    before and is after.

    Any command upgrades a database it opens; this one says what the upgrade did. A long
    one (moving the crawl's detail to the compact store) goes a few thousand pages at a
    time, each step committed, with a progress line each: interrupted, it goes on from
    there the next time the database is opened. The space it frees stays in the file, for
    the next scans, unless --vacuum (or a later govwatch prune) hands it back.
    """
    import logging

    from govwatch.core.schema import applied_migrations, database_size
    from govwatch.prune import size_text

    if not Path(db_path).exists():
        fail(f"{db_path}: no such database; run 'govwatch scan' first")

    def size() -> dict[str, Any]:
        raw = Store(db_path)  # not open_db: the file as it is, before any migration
        try:
            schema_version(raw.conn, db_path)  # StoreError: not ours to read
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            return {**database_size(raw.conn), "migrations": applied_migrations(raw)}
        finally:
            raw.close()

    class Echo(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            click.echo(record.getMessage(), err=True)

    before = size()
    progress = logging.getLogger("govwatch.core.schema")  # a line as each step commits
    echo = Echo(logging.INFO)
    if not quiet:
        progress.addHandler(echo)
        progress.setLevel(logging.INFO)
    try:
        db = open_db(db_path)
    finally:
        progress.removeHandler(echo)
    if vacuum:
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # as a new database frees space
        db.execute("VACUUM")
    db.close()
    after = size()
    applied = [name for name in after["migrations"] if name not in before["migrations"]]
    names = sorted(set(before["tables"]) | set(after["tables"]),
                   key=lambda t: -max(before["tables"].get(t, 0), after["tables"].get(t, 0)))
    rows = [{"table": t, "before": before["tables"].get(t, 0), "after": after["tables"].get(t, 0)}
            for t in names]
    if fmt == "json":
        click.echo(json.dumps({
            "database": db_path, "applied": applied, "tables": rows,
            **{f"{key}_{when}": sizes[key] for when, sizes in (("before", before),
                                                                ("after", after))
               for key in ("file", "used")},
        }, ensure_ascii=False, indent=2))
        return
    if fmt == "table":
        rows = [{**row, "before": size_text(row["before"]) if row["before"] else "-",
                 "after": size_text(row["after"]) if row["after"] else "-"} for row in rows]
    click.echo(render(rows, fmt))
    if fmt == "table":
        click.echo(f"\n{'applied: ' + ', '.join(applied) if applied else 'already up to date'}")
        click.echo(f"in use: {size_text(before['used'])} -> {size_text(after['used'])}; "
                   f"file: {size_text(before['file'])} -> {size_text(after['file'])}")


