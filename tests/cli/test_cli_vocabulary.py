"""One CLI vocabulary: an option name means the same in every ``govwatch`` command.

Most checks read click's command objects (parsing arguments, reading ``--help``) and crawl
nothing; the last two run report commands on the small city database of the report tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click
import pytest
from click.core import ParameterSource
from click.testing import CliRunner
from support.cli import run
from support.world import city

from govwatch.cli import OUT_DIR, AliasOption, cli

# The commands that read the config file, and those judging at a day: the aliases must reach
# every one of them (a command dropping the shared option shows up here too).
CONFIG_COMMANDS = {"sites check", "scan", "claim", "answer", "reject", "confirm", "withdraw", "bulletin",
                   "scorecard", "schedule", "prune", "serve"}
AS_OF_COMMANDS = {"scan", "evaluate", "bulletin", "scorecard", "prune"}
# Every command writing report files into a folder.
WRITERS = {"bulletin", "scorecard", "schedule", "serve", "evidence"}  # serve: its publish button


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[str, click.Command]]:
    """Every leaf command of the CLI, with its name as typed ("sites check")."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


def required_args(command: click.Command) -> list[str]:
    """Arguments enough for *command* to parse: a number for each required argument, a word
    for each required option."""
    args: list[str] = []
    for param in command.params:
        if param.required and isinstance(param, click.Argument):
            args.append("1")
        elif param.required and isinstance(param, click.Option):
            args += [param.opts[0], "x"]
    return args


def parse(name: str, command: click.Command, *args: str) -> click.Context:
    """The context of *command* after parsing *args* (nothing is run)."""
    return command.make_context(name, [*args, *required_args(command)])


def taking(param_name: str) -> dict[str, click.Command]:
    """The commands with a parameter called *param_name*."""
    return {name: command for name, command in commands()
            if any(p.name == param_name for p in command.params)}


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)]


def help_text(name: str) -> str:
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    return result.output


def mentions(text: str, flag: str) -> bool:
    """Whether *text* names the option *flag* (``--site`` is not named by ``--sites``)."""
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def test_every_command_taking_the_config_file_accepts_both_spellings(tmp_path: Path) -> None:
    found = taking("config_file")
    assert set(found) == CONFIG_COMMANDS
    path = str(tmp_path / "office.yaml")
    for name, command in found.items():
        for spelling in ("--config", "--sites"):
            ctx = parse(name, command, spelling, path)
            assert ctx.params["config_file"] == path, (name, spelling)
            # given, not defaulted: the report commands fall back to defaults only then
            assert ctx.get_parameter_source("config_file") is ParameterSource.COMMANDLINE
            assert set(ctx.params) == {p.name for p in command.params
                                       if not isinstance(p, AliasOption)}, name


def test_every_command_judging_at_a_day_accepts_both_spellings() -> None:
    found = taking("as_of")
    assert set(found) == AS_OF_COMMANDS
    for name, command in found.items():
        for spelling in ("--as-of", "--date"):
            ctx = parse(name, command, spelling, "2026-11-24")
            assert ctx.params["as_of"] == date(2026, 11, 24), (name, spelling)
        assert parse(name, command).params["as_of"] is None  # not given: today, or the scan's


def test_a_message_about_an_old_spelling_names_the_spelling_typed() -> None:
    for spelling in ("--as-of", "--date"):
        result = CliRunner().invoke(cli, ["scorecard", spelling, "14/10"])
        assert result.exit_code == 2
        assert result.stderr == f"error: {spelling} must be YYYY-MM-DD, not '14/10'\n"


def test_both_spellings_at_once_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sites", "check", "--config", str(tmp_path / "a.yaml"),
                                      "--sites", str(tmp_path / "b.yaml")])
    assert result.exit_code == 2
    assert result.stderr == "error: --sites is the old spelling of --config; give one\n"


def test_help_shows_only_the_primary_names() -> None:
    aliases_seen = set()
    for name, command in commands():
        text = help_text(name)
        for option in options(command):
            for flag in option.opts:
                if isinstance(option, AliasOption):
                    aliases_seen.add(flag)
                    assert not mentions(text, flag), (name, flag)
                    assert mentions(text, option.primary_flag), (name, flag)
                else:
                    assert mentions(text, flag), (name, flag)
    assert aliases_seen == {"--sites", "--date"}


def test_one_default_out_folder_for_every_command_writing_files() -> None:
    found = {name: command for name, command in commands()
             if any("--out" in option.opts for option in options(command))}
    assert set(found) == WRITERS
    for name, command in found.items():
        (out,) = [option for option in options(command) if "--out" in option.opts]
        assert out.default == OUT_DIR, name
        assert f"[default: {OUT_DIR}]" in " ".join(help_text(name).split()), name


def signature(option: click.Option) -> tuple:
    """What an option name must mean alike everywhere: the parameter it sets, its kind of
    value, whether it repeats or is a flag, its default."""
    return option.name, option.type.name, option.multiple, option.is_flag, option.default


def test_an_option_name_means_the_same_in_every_command() -> None:
    meanings: dict[str, set[tuple]] = {}
    for _, command in commands():
        for option in options(command):
            for flag in option.opts:
                meanings.setdefault(flag, set()).add(signature(option))
    # --files says which report files a writer writes; each writer has its own default
    # (every format of the bulletin, the scorecard's HTML), so only the default differs.
    files = meanings.pop("--files")
    assert {s[:4] for s in files} == {("files", "text", False, False)}
    assert {s[4] for s in files} == {"html,xlsx,md,json", "html"}
    assert {"--config", "--db", "--out", "--site", "--as-of", "--quiet", "--scan"} <= set(meanings)
    assert {flag: s for flag, s in meanings.items() if len(s) > 1} == {}


@pytest.fixture
def city_db(tmp_path: Path) -> str:
    """The city database of the report tests: three units, their issues, two bulletins."""
    city(tmp_path / "govwatch.db")
    return str(tmp_path / "govwatch.db")


def test_a_config_file_named_by_its_old_spelling_must_exist(city_db: str,
                                                            tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    for spelling in ("--config", "--sites"):
        code, _, err = run("claim", "1", "--by", "王伟", "--db", city_db, spelling, missing)
        assert code == 2 and err == f"error: {missing}: file not found\n", (spelling, err)


def test_issues_takes_several_sites_like_every_listing(city_db: str) -> None:
    def ids(*sites: str) -> list[int]:
        code, out, err = run("issues", "--db", city_db, "--format", "json",
                             *[arg for site in sites for arg in ("--site", site)])
        assert code == 0, err
        return [row["id"] for row in json.loads(out)]

    each = {site: ids(site) for site in ("xy-jtj", "xy-sx")}
    assert all(each.values())
    both = ids("xy-jtj", "xy-sx")
    assert sorted(both) == sorted(each["xy-jtj"] + each["xy-sx"])
    assert set(both) < set(ids())  # a third site's issues are left out
