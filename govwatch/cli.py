"""The ``govwatch`` command: a thin click layer over the library.

Each command parses its options, calls one library function and renders the result with
:mod:`govwatch.output`. Exit status: 0 success; 1 internal error; 2 bad input (sites file,
options, a missing or unusable database, a path that cannot be written); 3 scan interrupted
(resume it with ``govwatch scan --resume``).

Options are one vocabulary: a name means the same in every command and is defined once (see
"One vocabulary" below), with the files' defaults CONFIG_FILE, DB_FILE and OUT_DIR. Old
spellings (``--sites`` for ``--config``, ``--date`` for ``--as-of``) stay accepted, hidden.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from click.core import ParameterSource

from govwatch import __version__
from govwatch.core import scans
from govwatch.core.config import Config, ConfigError, check_site_ids, load_config
from govwatch.core.defaults import TIMEZONE, bulletin_stem
from govwatch.core.schedule import JOB_NAMES
from govwatch.core.schema import Store, StoreError, open_db, schema_version
from govwatch.core.vocabulary import ColumnRole, IssueState, Pruned, ScanStatus
from govwatch.crawler import store as crawl_store
from govwatch.output import FileList, format_option, render
from govwatch.reports import ReportError
from govwatch.rules import store as rules_store
from govwatch.workflow import BULLETIN_FORMATS, SCORECARD_FORMATS

EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 3

# The files a command reads and writes unless told otherwise, each stated once: every command
# taking the config file, the database or an output folder shares the option below.
CONFIG_FILE = "govwatch.yaml"
DB_FILE = "govwatch.db"
OUT_DIR = "govwatch-out"


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
        except (ConfigError, ReportError, StoreError) as error:
            fail(str(error))
        except Exception as error:  # a bug: say so in one line unless debugging
            if isinstance(error, OSError) and error.filename is not None:
                # not a bug: the system refuses a path given (--out, --log-file, --dir)
                fail(f"{error.filename}: {error.strerror or error}")
            if os.environ.get("GOVWATCH_DEBUG"):
                raise
            fail(f"internal error: {type(error).__name__}: {error}", EXIT_INTERNAL)

    return wrapper


# The days a scan may be judged at and a report dated (every date option): wide enough for
# any real use, and far from the ends of the calendar, where the date arithmetic (deadlines
# in working days, look-backs of years) fails.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Click callback: a YYYY-MM-DD option as a date from FIRST_DAY to LAST_DAY."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(f"{param.opts[0]} must be YYYY-MM-DD, not {value!r}")
    if not FIRST_DAY <= day <= LAST_DAY:
        fail(f"{param.opts[0]} must be a day from {FIRST_DAY} to {LAST_DAY}, not {value}")
    return day


# -- One vocabulary ------------------------------------------------------------------------
# An option that several commands take is defined once below and means the same in each. An
# old spelling stays accepted as a hidden alias, so scripts written against it keep working:
# click parses the alias as an option of its own (a message about its value names the
# spelling typed) and VocabularyCommand hands its value to the primary option, so commands
# only ever see the primary name.


class AliasOption(click.Option):
    """A hidden old spelling of a shared option; *primary* is (its flag, its parameter)."""

    def __init__(self, decls: list[str], *, primary: tuple[str, str], **attrs: Any) -> None:
        super().__init__(decls, hidden=True, **attrs)
        self.primary_flag, self.primary_name = primary


class VocabularyCommand(click.Command):
    """A command whose hidden old spellings (:class:`AliasOption`) set their primary option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does, then move each alias given to its primary option."""
        rest = super().parse_args(ctx, args)
        for param in self.params:
            if not isinstance(param, AliasOption) or param.name is None:
                continue
            value = ctx.params.pop(param.name, None)
            if ctx.get_parameter_source(param.name) is not ParameterSource.COMMANDLINE:
                continue
            if ctx.get_parameter_source(param.primary_name) is ParameterSource.COMMANDLINE:
                fail(f"{param.opts[0]} is the old spelling of {param.primary_flag}; give one")
            ctx.params[param.primary_name] = value
            ctx.set_parameter_source(param.primary_name, ParameterSource.COMMANDLINE)
        return rest


class VocabularyGroup(click.Group):
    """A group whose commands, and sub-groups' commands, are :class:`VocabularyCommand`."""

    command_class = VocabularyCommand
    group_class = type  # sub-groups are VocabularyGroups too


def shared_option(flag: str, name: str, *, aliases: tuple[str, ...] = (),
                  **attrs: Any) -> Callable:
    """The option *flag* (parameter *name*), accepting each of *aliases* too, hidden from
    ``--help``; an alias takes the option's type and callback."""

    def decorate(func: Callable) -> Callable:
        for alias in aliases:
            alias_name = f"{name}__{alias.lstrip('-').replace('-', '_')}"
            func = click.option(alias, alias_name, cls=AliasOption, primary=(flag, name),
                                type=attrs.get("type"), callback=attrs.get("callback"))(func)
        return click.option(flag, name, **attrs)(func)

    return decorate


def config_option(optional: bool = False) -> Callable:
    """The shared ``--config`` (old spelling ``--sites``). A command that only reads settings
    from it (*optional*) runs on the default settings when the default file is absent (see
    :func:`report_config`)."""
    return shared_option(
        "--config", "config_file", aliases=("--sites",), type=click.Path(dir_okay=False),
        default=CONFIG_FILE, show_default=True,
        help="The config file: sites, timezone, schedule:, rectification:, mail:, retention:."
        + (" If the default file is absent, the default settings apply." if optional else ""),
    )


def as_of_option(default: str = "today") -> Callable:
    """The shared ``--as-of`` (old spelling ``--date``): the day results are judged at."""
    return shared_option(
        "--as-of", "as_of", aliases=("--date",), callback=_day, metavar="YYYY-MM-DD",
        show_default=default,
        help="Judge at this day: deadlines, ages and dates are counted up to it.",
    )


def files_option(formats: Sequence[str], default: Sequence[str]) -> Callable:
    """``--files``: which report files a writer writes, a comma-separated list of *formats*
    (``--format`` says how the command prints the paths it wrote)."""

    def chosen(_ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
        picked = [f.strip() for f in value.split(",") if f.strip()]
        if not picked or set(picked) - set(formats):
            fail(f"{param.opts[0]} takes a comma-separated list of {', '.join(formats)}: "
                 f"{value!r}")
        return list(dict.fromkeys(picked))

    return click.option("--files", "files", default=",".join(default), show_default=True,
                        callback=chosen, help=f"Comma-separated formats: {', '.join(formats)}.")


def written(paths: Sequence[Path], fmt: str | FileList) -> None:
    """Print the report files a writer wrote, one row each, in the chosen ``--format``."""
    rows = [{"format": path.suffix.lstrip("."), "file": str(path)} for path in paths]
    click.echo(render(rows, "table" if isinstance(fmt, FileList) else fmt))


db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), default=DB_FILE, show_default=True,
    help="The scan database (SQLite).",
)
out_option = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), default=OUT_DIR, show_default=True,
    help="The folder bulletins and scorecards are written to.",
)
site_option = click.option(
    "--site", "site_ids", multiple=True, help="Only this site id (repeatable)."
)
quiet_option = click.option("--quiet", is_flag=True, help="No progress lines.")
scan_option = click.option(
    "--scan", "scan_id", type=int, help="The scan [default: the latest complete one]."
)


def scan_date(config: Config, as_of: date | None) -> date:
    """The date a scan is judged at: *as_of*, or today in the configured timezone."""
    return as_of or datetime.now(ZoneInfo(config.timezone)).date()


def open_existing_db(db_path: str, site_ids: tuple[str, ...] = ()):
    """Open a database that must already exist (listings never create one); ConfigError for
    any of *site_ids* it does not know."""
    if not Path(db_path).exists():
        fail(f"{db_path}: no such database; run 'govwatch scan' first")
    db = open_db(db_path)
    check_site_ids(site_ids, scans.sites_by_id(db), db_path)
    return db


@click.group(cls=VocabularyGroup)
@click.version_option(__version__, prog_name="govwatch")
def cli() -> None:
    """govwatch: compliance monitor for Chinese government websites (政府网站)."""


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
    quiet: bool,
    verbose: bool,
    fmt: str,
) -> None:
    """Crawl the sites, evaluate the rules and update the issues.

    A page unchanged since the last scan that read it (HTTP 304 to a conditional request)
    keeps that reading; --full reads every page again. What failed is recorded in the
    database (a site unreachable, a page's error); --verbose also shows the crawler's log.
    """
    config = load_config(config_file)
    chosen = config.select(site_ids)
    settings: dict[str, Any] = {"GOVWATCH_REVALIDATE": False} if full else {}
    if verbose:
        settings["LOG_LEVEL"] = "INFO"
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
                click.echo(f"{_evaluation_line(run.evaluation)}; list them: govwatch findings")
            if run.tracking:
                click.echo(f"issues: {_tracking_line(run.tracking)}; list them: govwatch issues")
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
    scan_id = scans.latest_complete_scan(db)
    if scan_id is None:
        fail(f"{db_path}: no complete scan yet")
    rows = crawl_store.column_inventory(db, scan_id, site_ids)
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
@quiet_option
@format_option()
@friendly_errors
def demo(work_dir: str, quiet: bool, fmt: str) -> None:
    """The whole product in one command: serve the bundled demo portals on 127.0.0.1, scan
    them, evaluate the rules, track the issues, publish a bulletin and a scorecard."""
    from govwatch.demo import DEMO_SETTINGS, demo_day, demo_portals, fresh_demo_dir
    from govwatch.reports.settings import ReportSettings
    from govwatch.workflow import publish

    work = fresh_demo_dir(Path(work_dir))
    day = demo_day()  # the day its portals were written for
    with demo_portals(work) as (sites_file, db_path):
        config = load_config(sites_file)
        run = _scan(config.sites, str(db_path), day, resume=False,
                    quiet=quiet, settings=DEMO_SETTINGS)
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


# -- rules: packs, evaluation, findings (rules/) -----------------------------------------

pack_option = click.option(
    "--pack", "packs", multiple=True, type=click.Path(dir_okay=False),
    help="A rule pack file to load beside the built-in ones (repeatable).",
)


def _evaluation_line(summary: dict[str, Any]) -> str:
    severities = ", ".join(f"{k} {v}" for k, v in summary["by_severity"].items())
    return (f"scan {summary['scan']} judged at {summary['as_of']}: {summary['findings']} "
            f"findings on {summary['sites']} sites" + (f" ({severities})" if severities else ""))


def _tracking_line(tracking: Any) -> str:
    counts = {k: v for k, v in asdict(tracking).items() if type(v) is int and k != "scan_id"}
    return ", ".join(f"{v} {k}" for k, v in counts.items())


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
        click.echo(f"\n{_evaluation_line(summary)}")


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


# Issues, bulletins and scorecards: thin wrappers over reports/ (imported when used).

ISSUE_TABLE = ["id", "state", "unit", "site", "rule", "title", "deadline", "claimed_by"]


def report_config(config_file: str) -> tuple[Any, str]:
    """(ReportSettings, timezone) from the config file; the defaults when no file was named
    and the default one is absent (reports need no sites)."""
    from govwatch.reports.settings import ReportSettings

    # Asked after parsing, so a file given by an old spelling counts as given.
    source = click.get_current_context().get_parameter_source("config_file")
    if source is ParameterSource.DEFAULT and not Path(config_file).exists():
        return ReportSettings(), TIMEZONE
    config = load_config(config_file)
    return ReportSettings.from_mapping(config.rectification), config.timezone


def report_day(day: date | None, timezone: str) -> date:
    """The date a report is for: *day*, or today in *timezone*."""
    return day or datetime.now(ZoneInfo(timezone)).date()


def local_now(timezone: str) -> str:
    """The current time in *timezone*, ISO 8601 to the second (an audit-trail time)."""
    return datetime.now(ZoneInfo(timezone)).replace(microsecond=0).isoformat()


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
    from govwatch.reports.bulletin import BULLETIN, publish_bulletin
    from govwatch.reports.render import writable_dir, write_report

    settings, timezone = report_config(config_file)
    db = open_existing_db(db_path)
    writable_dir(out_dir)  # before the bulletin is recorded as published
    content = publish_bulletin(db, report_day(as_of, timezone), settings)
    stem = bulletin_stem(content["number"], content["date"])
    formats = fmt if isinstance(fmt, FileList) else files
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


# The scheduler service (scheduler/): scans, probes and bulletins, unattended.

EXIT_JOB = {"done": 0, "skipped": EXIT_INTERNAL, "failed": EXIT_INTERNAL,
            "interrupted": EXIT_INTERRUPTED}


@cli.command("schedule")
@config_option()
@db_option
@out_option
@click.option("--dry-run", is_flag=True, help="Print the next run of every job and exit.")
@click.option("--run-now", type=click.Choice(JOB_NAMES),
              help="Run this job once, as the scheduler would, and exit.")
@click.option("--log-file", type=click.Path(dir_okay=False),
              help="Log to this file instead of stderr (journald under systemd).")
@friendly_errors
def schedule_command(config_file: str, db_path: str, out_dir: str, dry_run: bool,
                     run_now: str | None, log_file: str | None) -> None:
    """Run the scan, probe and bulletin jobs on the config's schedule, in the foreground."""
    from govwatch import scheduler
    service = scheduler.Service.from_files(config_file, db_path, out_dir)
    if dry_run:
        click.echo(render(service.next_runs(), "table"))
        click.echo(f"\ntimezone {service.config.timezone}; job store {service.job_store_path}; "
                   f"bulletins into {service.out_dir}/")
        return
    if not dry_run:  # refused now, not at the first job
        from govwatch.reports.render import writable_dir

        writable_dir(service.out_dir)
        open_db(db_path).close()
    scheduler.configure_logging(log_file)
    if run_now:
        sys.exit(EXIT_JOB[service.run_now(run_now)])
    service.serve()


def main() -> None:
    """Console-script entry point."""
    cli()
