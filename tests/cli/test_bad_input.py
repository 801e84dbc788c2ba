"""Every bad input is one line ``error: ...`` on stderr and exit status 2: never a traceback,
never "internal error" (exit 1), never a silent success."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from support.linklab import Lab, html
from support.world import SITES, Finding, World, city, day

from govwatch.cli import cli
from govwatch.core import scans
from govwatch.core.schema import SCHEMA_VERSION, open_db
from govwatch.reports import ReportError
from govwatch.reports import store as reports_store

ROOT = Path(__file__).parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def bad_input(*args: str) -> str:
    """Run a command that must refuse its input; return its one error line."""
    code, _, err = run(*args)
    assert code == 2, (args, code, err)
    assert err.startswith("error: ") and err.count("\n") == 1, (args, err)
    assert "internal error" not in err and "Traceback" not in err, (args, err)
    return err


def sites_file(path: Path, url: str, extra: str = "") -> Path:
    """A sites file of one site at *url*, after the top-level keys in *extra*."""
    path.write_text(extra + yaml.safe_dump({"sites": [{"id": "a", "name": "甲", "url": url}]},
                                           allow_unicode=True), encoding="utf-8")
    return path


def dead_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (a port bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """The city database of the report tests (three sites, two bulletins)."""
    city(tmp_path / "govwatch.db")
    return str(tmp_path / "govwatch.db")


# 1. Dates the date arithmetic cannot handle ---------------------------------------------------

@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_dates_outside_the_supported_range(tmp_path: Path, db_path: str, when: str) -> None:
    sites = sites_file(tmp_path / "s.yaml", dead_url())
    out = str(tmp_path / "out")
    for command in (["scan", "--sites", str(sites), "--db", str(tmp_path / "new.db"),
                     "--quiet", "--as-of", when],
                    ["evaluate", "--db", db_path, "--as-of", when],
                    ["bulletin", "--db", db_path, "--out", out, "--date", when],
                    ["scorecard", "--db", db_path, "--out", out, "--date", when]):
        option = "--as-of" if "--as-of" in command else "--date"
        err = bad_input(*command)
        assert f"{option} must be a day from 2000-01-01 to 2100-12-31, not {when}" in err
    assert not (tmp_path / "new.db").exists()  # refused before anything was crawled


def test_the_ends_of_the_date_range_are_accepted(db_path: str) -> None:
    for when in ("2000-01-01", "2100-12-31"):
        code, out, err = run("evaluate", "--db", db_path, "--as-of", when, "--format", "json")
        assert code == 0, err
        assert f'"as_of": "{when}"' in out


# 2. A --db that is not a SQLite database --------------------------------------------------------

@pytest.mark.parametrize(("args", "said"), [
    (["bulletin", "--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of"),
    (["scan", "--bogus"], "No such option '--bogus'"),
    (["claim"], "Missing argument 'ISSUE...'"),
    (["frob"], "No such command 'frob'"),
])
def test_a_usage_error_is_one_line_naming_the_help_to_read(args: list[str], said: str) -> None:
    err = bad_input(*args)
    assert said in err
    assert err.rstrip().endswith(f"(see: govwatch {args[0]} --help)" if args[0] != "frob"
                                 else "(see: govwatch --help)")


def test_a_group_named_without_a_command_shows_its_help() -> None:
    code, _, err = run("sites")
    assert code == 2 and err.startswith("Usage: ") and " sites [OPTIONS] COMMAND" in err
    assert "check" in err


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("这不是数据库 / not a database\n" * 100, encoding="utf-8")
    before = text.read_bytes()
    sites = sites_file(tmp_path / "s.yaml", dead_url())
    out = str(tmp_path / "out")
    for command in (["scan", "--sites", str(sites), "--quiet"], ["columns"], ["findings"],
                    ["issues"], ["evaluate"], ["track"], ["claim", "1", "--by", "王伟"],
                    ["reject", "1", "--by", "王伟", "--reason", "已整改"],
                    ["bulletin", "--out", out], ["scorecard", "--out", out],
                    ["schedule", "--config", str(sites), "--out", out, "--run-now", "probe"]):
        err = bad_input(*command, "--db", str(text))
        assert f"{text} is not a SQLite database" in err, (command, err)
    assert text.read_bytes() == before


# 3. Output paths that cannot be written -------------------------------------------------------

def test_unwritable_output_paths_name_the_path_and_the_reason(tmp_path: Path,
                                                              db_path: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    nowhere = blocker / "out"  # under a regular file: no system lets anyone write there
    err = bad_input("bulletin", "--db", db_path, "--out", str(nowhere), "--date", "2026-10-16")
    assert str(nowhere) in err and "Not a directory" in err
    assert reports_store.bulletin(open_db(db_path), "2026-10-16") is None  # nothing published
    err = bad_input("scorecard", "--db", db_path, "--out", str(nowhere))
    assert str(nowhere) in err and "Not a directory" in err
    config = sites_file(tmp_path / "govwatch.yaml", dead_url())
    err = bad_input("schedule", "--config", str(config), "--db", db_path, "--out", str(nowhere),
                    "--run-now", "bulletin")
    assert str(nowhere) in err and "Not a directory" in err
    err = bad_input("schedule", "--config", str(config), "--db", db_path, "--out",
                    str(tmp_path / "out"), "--log-file", str(nowhere / "govwatch.log"),
                    "--run-now", "bulletin")
    assert str(nowhere / "govwatch.log") in err and "Not a directory" in err
    err = bad_input("demo", "--dir", str(nowhere), "--quiet")
    assert str(nowhere) in err and "Not a directory" in err
    err = bad_input("scan", "--sites", str(config), "--db", str(nowhere / "g.db"), "--quiet")
    assert str(nowhere / "g.db") in err and "Not a directory" in err
    assert "another scan" not in err  # the lock that cannot be made is not one held


def test_a_database_that_cannot_be_written(tmp_path: Path) -> None:
    err = bad_input("issues", "--db", "/proc/self/status")  # readable, but no WAL beside it
    assert "/proc/self/status: cannot open the database there" in err


def test_bulletin_into_proc(db_path: str) -> None:
    err = bad_input("bulletin", "--db", db_path, "--out", "/proc/x")
    assert "/proc/x" in err and "No such file or directory" in err


# 4. Who claims, who disputes and why: never blank ---------------------------------------------

@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_blank_names_and_reasons_are_refused(db_path: str, blank: str) -> None:
    assert "by must not be blank" in bad_input("claim", "4", "--db", db_path, "--by", blank)
    assert "reason must not be blank" in bad_input(
        "reject", "6", "--db", db_path, "--by", "张敏", "--reason", blank)
    assert "by must not be blank" in bad_input(
        "reject", "6", "--db", db_path, "--by", blank, "--reason", "栏目已撤销")
    issues = {i["id"]: i for i in reports_store.list_issues(open_db(db_path))}
    assert issues[4]["claimed_by"] is None and issues[6]["state"] == "open"


def test_the_tracker_refuses_blank_names_for_every_caller(db_path: str) -> None:
    from govwatch.reports import tracker

    db = open_db(db_path)
    with pytest.raises(ReportError, match="by must not be blank"):
        tracker.claim(db, [4], " ")
    with pytest.raises(ReportError, match="reason must not be blank"):
        tracker.reject(db, 6, "张敏", "")
    assert tracker.claim(db, [4], "  李娜 ") == [4]
    assert reports_store.get_issue(db, 4)["claimed_by"] == "李娜"


# 5. Unknown site ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["findings"], ["columns"], ["issues"]])
def test_an_unknown_site_id_is_named(db_path: str, command: list[str]) -> None:
    err = bad_input(*command, "--db", db_path, "--site", "nosuch")
    assert "unknown site id 'nosuch'" in err and "xy-jtj" in err  # the known ones, too
    assert run(*command, "--db", db_path, "--site", "xy-jtj")[0] == 0


# 6. Ctrl-C of a first scan ------------------------------------------------------------------------

def test_an_interrupted_first_scan_does_not_claim_an_intact_one(tmp_path: Path) -> None:
    # 200 pages: at the shipped politeness delay (0.25 s a page) the crawl lasts far longer
    # than the Ctrl-C takes to reach it.
    pages = {f"/p/{n}.html": html(f"第{n}页") for n in range(200)}
    pages["/"] = html("首页", "".join(f'<a href="/p/{n}.html">{n}</a>' for n in range(200)))
    with Lab(pages) as site:
        sites = sites_file(tmp_path / "s.yaml", site.url + "/")
        proc = subprocess.Popen(
            [sys.executable, "-m", "govwatch", "scan", "--sites", str(sites), "--db",
             str(tmp_path / "g.db"), "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=ENV)
        deadline = time.monotonic() + 60
        while not site.asked("/p/0.html") and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # Ctrl-C once the crawl is under way
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, (out, err)
    assert "there is no complete scan yet" in err and "intact" not in err
    assert len(site.asked("/p/199.html")) == 0  # it was cut short indeed


# 7. The schedule: section is validated with the sites file --------------------------------------

@pytest.mark.parametrize(("schedule", "phrase"), [
    ('  scan: "someday 02:00"\n', "unknown day 'someday'"),
    ('  bulletins: "wed 25:00"\n', "no such time of day"),
    ("  probes_per_day: 5000\n", "must be an integer from 0 to 1440"),
    ("  scna: mon 02:00\n", "unknown key 'scna'; did you mean 'scan'?"),
])
def test_sites_check_refuses_what_the_scheduler_refuses(tmp_path: Path, schedule: str,
                                                        phrase: str) -> None:
    config = sites_file(tmp_path / "govwatch.yaml", dead_url(), "schedule:\n" + schedule)
    checked = bad_input("sites", "check", "--sites", str(config))
    assert checked.startswith(f"error: {config}:2: schedule: ") and phrase in checked
    scheduled = bad_input("schedule", "--config", str(config), "--db", str(tmp_path / "g.db"),
                          "--dry-run")
    assert scheduled == checked  # one validator, one message


# 8. The schema version -------------------------------------------------------------------------

def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def test_a_new_database_records_its_schema_version(tmp_path: Path) -> None:
    open_db(tmp_path / "g.db").close()
    assert user_version(tmp_path / "g.db") == SCHEMA_VERSION >= 1


def test_an_older_database_is_upgraded_and_stamped(tmp_path: Path) -> None:
    world = World(tmp_path / "g.db")
    scan_id = world.scan("2026-09-28", [Finding("xy-jtj", "column.stale", SITES[0].url)])
    for column in ("discovered", "unsettled", "capped"):  # as the previous release had it
        world.db.execute(f"alter table scan_sites drop column {column}")
    world.db.execute("drop table _migrations")
    world.db.execute("PRAGMA user_version = 0")
    world.db.close()
    db = open_db(tmp_path / "g.db")
    assert user_version(tmp_path / "g.db") == SCHEMA_VERSION
    assert "capped" in db["scan_sites"].columns_dict
    assert scans.latest_complete_scan(db) == scan_id  # its data kept


def test_a_database_from_a_newer_govwatch_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table future (id integer)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    sites = sites_file(tmp_path / "s.yaml", dead_url())
    for command in (["issues"], ["findings"], ["evaluate"], ["claim", "1", "--by", "王伟"],
                    ["scan", "--sites", str(sites), "--quiet"]):
        err = bad_input(*command, "--db", str(path))
        assert (f"{path} was written by a newer govwatch (schema {SCHEMA_VERSION + 1} > "
                f"{SCHEMA_VERSION}); upgrade govwatch") in err, (command, err)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master")]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert (tables, journal) == (["future"], "delete")  # no table made, not switched to WAL


# 9. Writers at the same time ---------------------------------------------------------------------

def test_a_write_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    db = open_db(tmp_path / "g.db")
    other = sqlite3.connect(tmp_path / "g.db", timeout=0, isolation_level=None)
    with db.atomic():
        db.execute("select count(*) from issues").fetchone()  # a read, nothing written yet
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("insert into sites (id, name, url) values ('b', 'B', 'http://b/')")
    other.execute("insert into sites (id, name, url) values ('b', 'B', 'http://b/')")
    other.close()


def test_forty_simultaneous_claims_all_succeed(tmp_path: Path) -> None:
    from govwatch.reports.bulletin import publish_bulletin
    from govwatch.reports.tracker import track_scan

    world = World(tmp_path / "g.db")
    findings = [Finding("xy-jtj", "link.broken", f"{SITES[0].url}p/{n}.html") for n in range(40)]
    track_scan(world.db, world.scan("2026-09-28", findings))
    publish_bulletin(world.db, day("2026-09-30"))
    ids = [i["id"] for i in reports_store.list_issues(world.db, ["open"])]
    assert len(ids) == 40
    procs = [subprocess.Popen([sys.executable, "-m", "govwatch", "claim", str(issue), "--db",
                               str(world.path), "--by", f"办理人{issue}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, env=ENV)
             for issue in ids]
    results = [(proc.wait(timeout=300), proc.stderr.read()) for proc in procs]
    for proc in procs:
        proc.stdout.close()
        proc.stderr.close()
    assert [err for code, err in results if code != 0] == []
    claimed = {i["id"]: i["claimed_by"] for i in reports_store.list_issues(world.db, ["claimed"])}
    assert claimed == {issue: f"办理人{issue}" for issue in ids}


# 10. Scrapy's own error lines stay off the terminal ----------------------------------------------

def test_a_dead_site_prints_no_scrapy_log_unless_verbose(tmp_path: Path) -> None:
    sites = sites_file(tmp_path / "s.yaml", dead_url())
    procs = {
        flags: subprocess.Popen(
            [sys.executable, "-m", "govwatch", "scan", "--sites", str(sites), "--db",
             str(tmp_path / f"{name}.db"), "--quiet", "--as-of", "2026-11-24", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=ENV)
        for name, flags in (("quiet", ()), ("verbose", ("--verbose",)))
    }
    ended = {flags: (proc.communicate(timeout=300), proc.returncode)
             for flags, proc in procs.items()}
    (out, err), code = ended[()]
    assert code == 0, err  # a dead site is a finding, not a failure of the scan
    assert "Traceback" not in err and " ERROR: " not in err and err == ""
    assert "unreachable" in out
    with sqlite3.connect(tmp_path / "quiet.db") as conn:
        error = conn.execute("select error from scan_sites").fetchone()[0]
    assert error == "connection-refused"  # why, kept in the database off the terminal
    (_, err), code = ended[("--verbose",)]
    assert code == 0
    assert "[scrapy.downloadermiddlewares.robotstxt] ERROR: Error downloading" in err
