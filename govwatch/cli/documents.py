"""Commands over the attachments a scan read as text (docs/documents.md)."""

from __future__ import annotations

import json
from typing import Any

import click

from govwatch.cli.base import (
    cli,
    db_option,
    fail,
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
@click.option("--text", "text_url", metavar="URL",
              help="Print the text of the attachment at URL, page by page (or sheet by sheet).")
@format_option()
@friendly_errors
def documents(db_path: str, site_ids: tuple[str, ...], text_url: str | None, fmt: str) -> None:
    """List the attachments (附件) of the latest complete scan: the page linking each, its
    format, whether its text was read (or why not), its pages and characters. With --text
    URL, print that attachment's text as the scan read it, each page under its label."""
    db = open_existing_db(db_path, site_ids)
    if text_url is not None:
        _print_text(db, latest_complete(db, db_path), text_url, fmt)
        return
    rows = crawl_store.document_inventory(db, latest_complete(db, db_path), site_ids)
    if fmt == "table":  # people read the status's Chinese name; json and csv keep the value
        rows = [{**r, "status": DocumentStatus(r["status"]).label} for r in rows]
    click.echo(render(
        rows, fmt,
        ["site", "url", "source_url", "format", "status", "pages", "chars"]
        if fmt == "table" else ()))


def _print_text(db: Any, scan_id: int, url: str, fmt: str) -> None:
    found = crawl_store.document_text(db, scan_id, url)
    if found is None:
        fail(f"no attachment {url} in scan {scan_id}")
    row, parts = found
    if fmt == "json":
        click.echo(json.dumps({**row, "parts": [{"label": label, "text": text}
                                                 for label, text in parts]},
                              ensure_ascii=False, indent=1))
        return
    if fmt != "table":
        fail("--text prints a table (the text) or json")
    if not parts:  # nothing read: say why, as the listing does
        status = DocumentStatus(row["status"]).label
        click.echo(f"{url}：{status}" + (f"（{row['reason']}）" if row["reason"] else ""))
        return
    for n, (label, text) in enumerate(parts):
        click.echo(("\n" if n else "") + f"==== {label} ====")
        click.echo(text)
