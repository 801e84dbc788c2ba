"""Commands over the issue tracker (reports/): list issues, claim, answer and dispute them,
track a scan, write bulletins and scorecards."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import click

from govwatch.cli.base import (
    as_of_option,
    cli,
    config_option,
    db_option,
    fail,
    files_option,
    friendly_errors,
    local_now,
    open_existing_db,
    out_option,
    report_config,
    report_day,
    scan_option,
    site_option,
    written,
)
from govwatch.core import scans
from govwatch.core.defaults import bulletin_stem
from govwatch.core.vocabulary import IssueState
from govwatch.output import FileList, format_option, render
from govwatch.workflow import BULLETIN_FORMATS, SCORECARD_FORMATS

ISSUE_TABLE = ["id", "state", "unit", "site", "rule", "title", "deadline", "claimed_by",
               "evidence"]


@cli.command("issues")
@db_option
@click.option("--status", type=click.Choice([state.value for state in IssueState]),
              help="Only issues in this state.")
@site_option
@format_option()
@friendly_errors
def issues_command(db_path: str, status: str | None, site_ids: tuple[str, ...],
                   fmt: str) -> None:
    """List tracked issues (withdrawn ones only with --status withdrawn)."""
    from govwatch.reports.tracker import issue_list

    db = open_existing_db(db_path, site_ids)
    rows = [row for row in issue_list(db, status) if not site_ids or row["site"] in site_ids]
    click.echo(render(rows, fmt, ISSUE_TABLE if fmt == "table" else ()))


@cli.command()
@config_option(optional=True)
@db_option
@click.argument("issue_ids", nargs=-1, type=int, required=True, metavar="ISSUE...")
@click.option("--by", required=True, help="Who claims them (认领人).")
@click.option("--note", help="What the unit will do.")
@friendly_errors
def claim(config_file: str, db_path: str, issue_ids: tuple[int, ...], by: str,
          note: str | None) -> None:
    """Claim (认领) published issues for the unit that must fix them."""
    from govwatch.reports import tracker

    _, timezone = report_config(config_file)
    done = tracker.claim(open_existing_db(db_path), issue_ids, by, note, local_now(timezone))
    click.echo(f"claimed {', '.join(map(str, done))} by {by}")


@cli.command()
@config_option(optional=True)
@db_option
@click.argument("issue_id", type=int, metavar="ISSUE")
@click.option("--by", required=True, help="Who disputes it.")
@click.option("--reason", required=True, help="Why the finding is wrong.")
@friendly_errors
def reject(config_file: str, db_path: str, issue_id: int, by: str, reason: str) -> None:
    """Dispute an issue: it stays listed as disputed until an auditor confirms or withdraws it."""
    from govwatch.reports import tracker

    _, timezone = report_config(config_file)
    tracker.reject(open_existing_db(db_path), issue_id, by, reason, local_now(timezone))
    click.echo(f"issue {issue_id} disputed by {by}")


@cli.command()
@config_option(optional=True)
@db_option
@click.argument("issue_id", type=int, metavar="ISSUE")
@click.option("--by", required=True, help="Who answers it (the unit's contact).")
@click.option("--note", required=True, help="What was done (整改情况).")
@click.option("--proof", "proofs", multiple=True,
              type=click.Path(exists=True, dir_okay=False, readable=True),
              help="A proof file: an image or PDF (repeatable).")
@click.option("--uploads", "uploads_dir", type=click.Path(file_okay=False),
              help="The folder proof files are kept in, as 'govwatch serve' keeps them "
                   "[default: beside the database, <name>-uploads].")
@friendly_errors
def answer(config_file: str, db_path: str, issue_id: int, by: str, note: str,
           proofs: tuple[str, ...], uploads_dir: str | None) -> None:
    """Answer an issue fixed (已整改), with proof files: it waits for the next scan to verify
    it, as an answer given on the platform does."""
    from pathlib import Path

    from govwatch.platform.answers import record_answer
    from govwatch.platform.auth import PlatformError
    from govwatch.platform.settings import UPLOAD_MAX_BYTES, UPLOAD_MAX_FILES, uploads_dir_for
    from govwatch.platform.uploads import check_proof

    _, timezone = report_config(config_file)
    if len(proofs) > UPLOAD_MAX_FILES:
        fail(f"at most {UPLOAD_MAX_FILES} proof files")
    try:
        checked = []
        for name in proofs:
            with open(name, "rb") as file:
                checked.append(check_proof(Path(name).name, file.read(UPLOAD_MAX_BYTES + 1)))
    except PlatformError as error:
        fail(str(error))
    db = open_existing_db(db_path)
    folder = Path(uploads_dir) if uploads_dir else uploads_dir_for(db_path)
    with db.atomic():
        record_answer(db, folder, issue_id, by, note, local_now(timezone), checked)
    said = f" with {len(checked)} proof file(s)" if checked else ""
    click.echo(f"issue {issue_id} answered by {by}{said}: the next scan verifies it")


def _auditor_command(name: str, done: str, summary: str) -> None:
    """Register ``confirm`` or ``withdraw``: an auditor's decision on a disputed issue."""

    @cli.command(name, help=summary)
    @config_option(optional=True)
    @db_option
    @click.argument("issue_id", type=int, metavar="ISSUE")
    @click.option("--by", help="The auditor.")
    @click.option("--note", help="Why.")
    @friendly_errors
    def command(config_file: str, db_path: str, issue_id: int, by: str | None,
                note: str | None) -> None:
        from govwatch.reports import tracker

        _, timezone = report_config(config_file)
        decide = getattr(tracker, name)
        state = decide(open_existing_db(db_path), issue_id, by, note, local_now(timezone))
        click.echo(f"issue {issue_id} {done}" + (f": back to {state}" if state else ""))


_auditor_command("confirm", "confirmed", "Uphold a disputed issue: it returns to its state.")
_auditor_command("withdraw", "withdrawn", "Withdraw a disputed issue: closed, never listed again.")


@cli.command()
@db_option
@scan_option
@format_option()
@friendly_errors
def track(db_path: str, scan_id: int | None, fmt: str) -> None:
    """Update the issues from a complete scan's findings (new, fixed, reopened, overdue)."""

    from govwatch.reports.tracker import track_scan

    db = open_existing_db(db_path)
    scan_id = scan_id or scans.latest_complete_scan(db)
    if scan_id is None:
        fail(f"{db_path}: no complete scan yet")
    click.echo(render([asdict(track_scan(db, scan_id))], fmt))


@cli.command()
@config_option(optional=True)
@db_option
@as_of_option()
@out_option
@files_option(BULLETIN_FORMATS, BULLETIN_FORMATS)
@format_option(files=BULLETIN_FORMATS)
@friendly_errors
def bulletin(config_file: str, db_path: str, as_of: date | None, out_dir: str,
             files: list[str], fmt: str | FileList) -> None:
    """Publish the 纠错 bulletin (第N期) of a day; the same day gives the same bulletin."""
    from govwatch.reports.bulletin import BULLETIN, publish_bulletin, write_screenshots
    from govwatch.reports.render import writable_dir, write_report

    settings, timezone = report_config(config_file)
    db = open_existing_db(db_path)
    writable_dir(out_dir)  # before the bulletin is recorded as published
    content = publish_bulletin(db, report_day(as_of, timezone), settings)
    stem = bulletin_stem(content["number"], content["date"])
    formats = fmt if isinstance(fmt, FileList) else files
    write_screenshots(db, content, out_dir)  # beside the bulletin, which shows them
    written(write_report(BULLETIN, content, formats, out_dir, stem), fmt)
    totals = content["totals"]
    click.echo(f"第{content['number']}期 {content['date']}: {totals['new']} new, "
               f"{totals['outstanding']} outstanding ({totals['overdue']} overdue, "
               f"{totals['unclaimed']} unclaimed), {totals['fixed']} fixed; "
               f"{totals['named']} units named", err=True)


@cli.command()
@config_option(optional=True)
@db_option
@as_of_option()
@out_option
@files_option(SCORECARD_FORMATS, ["html"])
@format_option(files=SCORECARD_FORMATS)
@friendly_errors
def scorecard(config_file: str, db_path: str, as_of: date | None, out_dir: str,
              files: list[str], fmt: str | FileList) -> None:
    """Score every site of the latest complete scan up to a day: vetoes, deductions, 合格率."""
    from govwatch.reports.render import write_report
    from govwatch.reports.scorecard import SCORECARD, build_scorecard

    settings, timezone = report_config(config_file)
    content = build_scorecard(open_existing_db(db_path), report_day(as_of, timezone), settings)
    formats = fmt if isinstance(fmt, FileList) else files
    written(write_report(SCORECARD, content, formats, out_dir, f"scorecard-{content['date']}"),
            fmt)
    totals = content["totals"]
    rate = "-" if totals["pass_rate"] is None else f"{totals['pass_rate']}%"
    click.echo(f"{totals['passed']}/{totals['assessed']} sites pass (合格率 {rate})", err=True)


