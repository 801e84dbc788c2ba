"""Commands over the attachments a scan read as text (docs/documents.md)."""

from __future__ import annotations

import click

from govwatch.cli.base import (
    cli,
    db_option,
    friendly_errors,
    latest_complete,
    open_existing_db,
    site_option,
)
from govwatch.core.vocabulary import DocumentStatus
from govwatch.crawler import store as crawl_store
from govwatch.output import format_option, render


@cli.command()
@db_option
@site_option
@format_option()
@friendly_errors
def documents(db_path: str, site_ids: tuple[str, ...], fmt: str) -> None:
    """List the attachments (附件) of the latest complete scan: the page linking each, its
    format, whether its text was read (or why not), its pages and characters."""
    db = open_existing_db(db_path, site_ids)
    rows = crawl_store.document_inventory(db, latest_complete(db, db_path), site_ids)
    if fmt == "table":  # people read the status's Chinese name; json and csv keep the value
        rows = [{**r, "status": DocumentStatus(r["status"]).label} for r in rows]
    click.echo(render(
        rows, fmt,
        ["site", "url", "source_url", "format", "status", "pages", "chars"]
        if fmt == "table" else ()))
