"""``govwatch schedule``: --dry-run, --run-now, and a bad schedule as one line."""

from __future__ import annotations

import logging
import re
import sqlite3

import pytest
from click.testing import CliRunner
from support.portals import PORTALS

from govwatch.cli import cli
from govwatch.demo.server import PortalServer


@pytest.fixture(autouse=True)
def root_logging():
    """Keep the handlers ``govwatch schedule`` adds from outliving the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:], root.level = handlers, level


def config(tmp_path, url="http://127.0.0.1:9/", schedule="") -> str:
    path = tmp_path / "govwatch.yaml"
    path.write_text(f"{schedule}sites:\n  - {{id: a, name: 站点a, url: '{url}'}}\n",
                    encoding="utf-8")
    return str(path)


def run(*args: str):
    return CliRunner().invoke(cli, ["schedule", *args], catch_exceptions=False)


def test_dry_run_prints_the_next_run_of_every_job_and_changes_nothing(tmp_path):
    db = tmp_path / "govwatch.db"
    result = run("--config", config(tmp_path), "--db", str(db), "--dry-run")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:5]}
    assert re.search(r"mon 02:00\s+\d{4}-\d\d-\d\d 02:00 Mon", rows["scan"])
    assert re.search(r"wed 09:00, fri 09:00\s+\d{4}-\d\d-\d\d 09:00 (Wed|Fri)", rows["bulletin"])
    assert re.search(r"24 a day \(every 1:00:00\)\s+\d{4}-\d\d-\d\d \d\d:00 ", rows["probe"])
    assert "timezone Asia/Shanghai; job store" in result.output
    assert not db.exists() and not (tmp_path / "govwatch.db.schedule.sqlite").exists()


def test_a_bad_schedule_is_one_line_naming_its_line(tmp_path):
    path = config(tmp_path, schedule="schedule:\n  scan: monday 2:00\n")
    result = CliRunner().invoke(cli, ["schedule", "--config", path, "--dry-run"])
    assert result.exit_code == 2
    assert result.output.startswith(
        f"error: {path}:2: schedule: scan: 'monday 2:00': unknown day 'monday'; expected")
    assert len(result.output.splitlines()) == 1


def test_run_now_runs_one_job_as_the_scheduler_would(tmp_path):
    db, log = tmp_path / "govwatch.db", tmp_path / "govwatch.log"
    with PortalServer(PORTALS / "gbk") as server:
        result = run("--config", config(tmp_path, server.url), "--db", str(db), "--run-now",
                     "probe", "--log-file", str(log))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select site_id, outcome, status_code from probes").fetchall() == [
            ("a", "ok", 200)]
    assert "probe: 1 home pages, 0 failed" in log.read_text(encoding="utf-8")
