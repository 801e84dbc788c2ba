"""What every command shares: the error lines and exit statuses, the options that mean the
same in every command (one vocabulary), and the ``govwatch`` group they hang from."""

from __future__ import annotations

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
from govwatch.core.defaults import TIMEZONE
from govwatch.core.schema import StoreError, open_db
from govwatch.output import FileList, render
from govwatch.reports import ReportError

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


# A group named without a command shows its help (click 8.2 on; before, it printed it itself).
_HELP_ASKED = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _command_path(ctx: click.Context | None) -> str:
    """``govwatch`` and the (sub)commands of *ctx*, however the program was started."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["govwatch", *reversed(names)])


class VocabularyGroup(click.Group):
    """A group whose commands, and sub-groups' commands, are :class:`VocabularyCommand`."""

    command_class = VocabularyCommand
    group_class = type  # sub-groups are VocabularyGroups too

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run as click does, but say a usage error (an unknown option, a value not among
        the choices, an argument missing) in one ``error:`` line with exit status 2, as
        every other bad input is said, instead of click's usage block."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as error:
            if isinstance(error, click.UsageError) and not isinstance(error, _HELP_ASKED):
                fail(f"{error.format_message()} (see: {_command_path(error.ctx)} --help)",
                     error.exit_code)
            error.show()  # and a group named without a command shows its help, as click does
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        # not standalone, click returns a command's value, or the status of an exit
        # (--help, --version): commands here return nothing and exit with sys.exit
        sys.exit(result if isinstance(result, int) else 0)


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


def latest_complete(db: Any, db_path: str) -> int:
    """The latest complete scan of *db* (at *db_path*), or exit 2 saying there is none."""
    scan_id = scans.latest_complete_scan(db)
    if scan_id is None:
        fail(f"{db_path}: no complete scan yet")
    return scan_id


@click.group(cls=VocabularyGroup)
@click.version_option(__version__, prog_name="govwatch")
def cli() -> None:
    """govwatch: compliance monitor for Chinese government websites (政府网站)."""



# -- rules: packs, evaluation, findings (rules/) -----------------------------------------

pack_option = click.option(
    "--pack", "packs", multiple=True, type=click.Path(dir_okay=False),
    help="A rule pack file to load beside the built-in ones (repeatable).",
)


def evaluation_line(summary: dict[str, Any]) -> str:
    severities = ", ".join(f"{k} {v}" for k, v in summary["by_severity"].items())
    return (f"scan {summary['scan']} judged at {summary['as_of']}: {summary['findings']} "
            f"findings on {summary['sites']} sites" + (f" ({severities})" if severities else ""))


def tracking_line(tracking: Any) -> str:
    counts = {k: v for k, v in asdict(tracking).items() if type(v) is int and k != "scan_id"}
    return ", ".join(f"{v} {k}" for k, v in counts.items())

# The settings the report commands read (reports/ is imported when used).

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


