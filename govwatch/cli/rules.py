"""Commands over rule packs and their results: list, check and test packs; evaluate; list
findings."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from govwatch.cli.base import (
    EXIT_BAD_INPUT,
    as_of_option,
    cli,
    db_option,
    evaluation_line,
    fail,
    friendly_errors,
    open_existing_db,
    pack_option,
    scan_option,
    site_option,
)
from govwatch.core import scans
from govwatch.core.vocabulary import Pruned
from govwatch.output import format_option, render
from govwatch.rules import store as rules_store


@cli.group()
def rules() -> None:
    """Rule packs: list, validate and test them (exit 2 on a bad pack or failed example)."""


@rules.command("list")
@pack_option
@format_option()
@friendly_errors
def rules_list(packs: tuple[str, ...], fmt: str) -> None:
    """List the rules of the built-in packs and of --pack files."""
    from govwatch.rules.catalogue import load_catalogue, rule_rows

    rows = rule_rows(load_catalogue(packs).rules)
    table = ["pack", "id", "severity", "points", "check", "title"]
    click.echo(render(rows, fmt, table if fmt != "json" else ()))


@rules.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@friendly_errors
def rules_check(files: tuple[str, ...]) -> None:
    """Validate rule pack files; each problem is one line FILE:LINE: rule ID: message."""
    from govwatch.rules.catalogue import check_pack_files

    bad = 0
    for path, pack, error in check_pack_files(files):
        if error:
            bad += 1
            click.echo(f"error: {error}", err=True)
        else:
            click.echo(f"{path}: ok, pack {pack.name} {pack.version}, {len(pack.rules)} rules")
    if bad:
        sys.exit(EXIT_BAD_INPUT)


@rules.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@format_option()
@friendly_errors
def rules_test(files: tuple[str, ...], fmt: str) -> None:
    """Run the examples of every rule in FILES (default: the built-in packs)."""
    from govwatch.rules.catalogue import builtin_pack_paths, load_catalogue
    from govwatch.rules.examples import run_examples

    chosen = load_catalogue(files).packs_from(files or builtin_pack_paths())
    results = run_examples(rule for pack in chosen for rule in pack.rules)
    failed = [r for r in results if not r.ok]
    shown = results if fmt == "json" else failed
    if shown or fmt == "json":
        click.echo(render([r.row() for r in shown], fmt))
    if fmt != "json":
        click.echo(f"{len(results)} examples of {sum(len(p.rules) for p in chosen)} rules: "
                   f"{len(results) - len(failed)} ok, {len(failed)} failed")
    if failed:
        sys.exit(EXIT_BAD_INPUT)


@cli.command()
@db_option
@scan_option
@as_of_option("the scan's date")
@pack_option
@format_option()
@friendly_errors
def evaluate(db_path: str, scan_id: int | None, as_of: date | None, packs: tuple[str, ...],
             fmt: str) -> None:
    """Run the rule packs over a stored scan, replacing its findings."""
    from govwatch.rules.engine import evaluate_scan
    from govwatch.rules.scanview import ScanError

    try:
        summary = evaluate_scan(db_path, scan_id, as_of, packs)
    except ScanError as error:
        fail(str(error))
    if fmt == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    rows = [{"rule": rule, "findings": n} for rule, n in summary["by_rule"].items()]
    click.echo(render(rows, fmt))
    if fmt == "table":
        click.echo(f"\n{evaluation_line(summary)}")


@cli.command()
@db_option
@scan_option
@site_option
@format_option()
@friendly_errors
def findings(db_path: str, scan_id: int | None, site_ids: tuple[str, ...], fmt: str) -> None:
    """List the findings of a scan (default: the latest complete one)."""
    db = open_existing_db(db_path, site_ids)
    scan_id = scan_id or scans.latest_complete_scan(db)
    if scan_id is None:
        fail(f"{db_path}: no complete scan yet")
    if rules_store.evaluation_of(db, scan_id) is None:
        if scans.pruned(db, scan_id) is Pruned.SUMMARY:
            fail(f"scan {scan_id}'s findings were pruned: it was judged before the summary "
                 "window (retention: keep_summary_years)")
        fail(f"scan {scan_id} has not been evaluated; run: govwatch evaluate --scan {scan_id}")
    rows = rules_store.findings_of(db, scan_id, site_ids)
    table = ["site", "rule", "severity", "url", "detail"]
    click.echo(render(rows, fmt, table if fmt == "table" else ()))


