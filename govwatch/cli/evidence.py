"""``govwatch evidence``: an issue's kept page (存证), screenshot and manifest, as files."""

from __future__ import annotations

import click

from govwatch.cli.base import (
    cli,
    db_option,
    fail,
    friendly_errors,
    open_existing_db,
    out_option,
    written,
)
from govwatch.output import format_option


@cli.command("evidence")
@db_option
@click.argument("issue_id", type=int, metavar="ISSUE")
@out_option
@click.option("--raw", is_flag=True,
              help="Write the page as received, personal data unmasked (the office only).")
@format_option()
@friendly_errors
def evidence_command(db_path: str, issue_id: int, out_dir: str, raw: bool, fmt: str) -> None:
    """Write the page ISSUE was found on as kept (masked unless --raw), its screenshot if
    one was made, and a manifest of hashes and times (JSON)."""
    from govwatch.evidence.export import NoEvidence, export_issue

    db = open_existing_db(db_path)
    try:
        paths = export_issue(db, issue_id, out_dir, raw=raw)
    except NoEvidence as error:
        fail(str(error))
    finally:
        db.close()
    written(paths, fmt)
