"""A prune killed with kill -9, at any point, leaves a consistent database, and the next
prune finishes the job.

``govwatch prune`` runs in a child process and is killed (SIGKILL: nothing of it runs
after): between two scans, at random moments after its first scan, or after its last
(while it hands the space back). Each time the database must pass SQLite's integrity and
foreign key checks, every scan must be whole or pruned as recorded (never part of one), and
a second prune must end where an uninterrupted prune ends.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from support.world import SX, Finding, World

from govwatch.core.retention import Retention
from govwatch.core.schema import SCANTABLES
from govwatch.core.vocabulary import ScanStatus
from govwatch.prune import prune
from govwatch.reports.tracker import track_scan

TODAY = date(2026, 11, 30)
RETENTION = Retention(keep_full_scans=2)
ICP = Finding("xy-sx", "footer.icp", SX, "页面底部未规范标注ICP备案编号")
# Four scans of 2020 (beyond the five years' summaries), twenty weekly ones of 2026 with a
# failed one among them: the prune drops something of 22 scans, all but the two newest; of
# the first (the ICP problem, still open, was first seen there) all but that page's detail.
DATES = [date(2020, 3, 2) + timedelta(weeks=n) for n in range(4)] + [
    date(2026, 7, 6) + timedelta(weeks=n) for n in range(20)]
FAILED = 12
DUE = 22
PER_SCAN = (*sorted(SCANTABLES), "scan_sites", "columns", "findings", "evaluations")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("world") / "govwatch.db"
    world = World(path)
    for n, when in enumerate(DATES, start=1):
        status = ScanStatus.FAILED if n == FAILED else ScanStatus.COMPLETE
        scan_id = world.scan(when.isoformat(), [ICP], status=status, articles=60)
        if status == ScanStatus.COMPLETE:
            track_scan(world.db, scan_id)
    world.db.close()
    return path


def copy(source: Path, target: Path) -> Path:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


def counts(path: Path) -> dict[int, dict[str, int]]:
    """Rows per scan (scans that have a row) and table."""
    conn = sqlite3.connect(path)
    try:
        ids = [r[0] for r in conn.execute("select id from scans")]
        return {scan_id: {table: conn.execute(f"select count(*) from {table} where scan_id = ?",
                                              [scan_id]).fetchone()[0] for table in PER_SCAN}
                for scan_id in ids}
    finally:
        conn.close()


def state(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table and view, sorted; of ``pruned_scans`` only what was dropped
    of which scan (the bytes freed and the time differ from run to run)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type in "
                                             "('table', 'view') and name != 'pruned_scans'")]
        found = {t: sorted(conn.execute(f"select * from [{t}]").fetchall(), key=repr)
                 for t in tables}
        found["pruned_scans"] = sorted(conn.execute("select scan_id, dropped from pruned_scans"))
        return found
    finally:
        conn.close()


def start_prune(db_path: Path, tmp_path: Path) -> subprocess.Popen:
    """``govwatch prune`` of *db_path* in a child process, its progress lines on a pipe."""
    config = tmp_path / "govwatch.yaml"
    config.write_text("retention:\n  keep_full_scans: 2\nsites:\n"
                      "  - {id: xy-sx, name: 某某县, url: 'http://www.sx.example/'}\n",
                      encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "govwatch", "prune", "--config", str(config), "--db",
         str(db_path), "--as-of", TODAY.isoformat()],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: os.nice(19))


def wait_for_line(child: subprocess.Popen, count: int) -> None:
    """Read the child's progress until it has said it dropped *count* scans."""
    said = 0
    for line in child.stderr:
        said += line.startswith("scan ")
        if said == count:
            return
    raise AssertionError(f"the prune said it dropped {said} scans, not {count}")


@pytest.fixture
def world(source: Path, tmp_path: Path) -> tuple[Path, Path, dict]:
    """A copy of the world to kill a prune of, and what an uninterrupted prune makes of
    another copy: (db path, expected db path, rows per scan before)."""
    expected = copy(source, tmp_path / "expected.db")
    assert len(prune(expected, RETENTION, TODAY).due) == DUE
    return copy(source, tmp_path / "govwatch.db"), expected, counts(source)


@pytest.mark.parametrize("after", [1, 8])
def test_a_prune_killed_mid_way(world, tmp_path, after):
    """Killed as soon as it said it dropped its first scan, or its eighth: it is then
    somewhere in the scans after (it runs at the lowest priority, so the test reacts
    first), never done with them."""
    db_path, expected, whole = world
    child = start_prune(db_path, tmp_path)
    wait_for_line(child, after)
    child.send_signal(signal.SIGKILL)
    child.wait()
    recorded = check_consistent(db_path, whole)
    assert after <= len(recorded) < DUE
    finish(db_path, expected, recorded)


@pytest.mark.parametrize("seed", range(4))
def test_a_prune_killed_at_a_random_moment(world, tmp_path, seed):
    """Killed a random while after its first scan, or after its last (then it is handing
    the space back): wherever it stood, even inside a transaction."""
    db_path, expected, whole = world
    child = start_prune(db_path, tmp_path)
    chance = random.Random(seed)
    if seed == 0:
        wait_for_line(child, DUE)
    else:
        wait_for_line(child, 1)
        time.sleep(chance.uniform(0, 0.05))
    child.send_signal(signal.SIGKILL)
    child.wait()
    finish(db_path, expected, check_consistent(db_path, whole))


def check_consistent(db_path: Path, whole: dict[int, dict[str, int]]) -> dict[int, str]:
    """Assert SQLite's checks pass and every scan is whole or pruned as recorded; return
    what ``pruned_scans`` records (scan → dropped)."""
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        recorded = dict(conn.execute("select scan_id, dropped from pruned_scans").fetchall())
    finally:
        conn.close()
    now = counts(db_path)
    for scan_id, tables in whole.items():
        if scan_id not in now:  # a failed scan dropped whole, and recorded so
            assert recorded.get(scan_id) == "scan"
            continue
        kept = all(now[scan_id][t] == n for t, n in tables.items())
        summary_kept = all(now[scan_id][t] == n for t, n in tables.items()
                           if t not in SCANTABLES)
        detail_gone = all(now[scan_id][t] == 0 for t in SCANTABLES)
        evidence_only = now[scan_id]["pages"] == 1 and all(  # the ICP problem's page
            now[scan_id][t] <= n for t, n in tables.items() if t in SCANTABLES)
        assert kept or (detail_gone and recorded.get(scan_id) == "detail" and summary_kept) \
            or (evidence_only and recorded.get(scan_id) == "trimmed" and summary_kept) \
            or (detail_gone and recorded.get(scan_id) == "summary"
                and not any(now[scan_id].values())), (scan_id, now[scan_id])
        assert kept == (scan_id not in recorded), scan_id
    return recorded


def finish(db_path: Path, expected: Path, recorded: dict[int, str]) -> None:
    """A second prune does what was left, and ends where an uninterrupted one ended."""
    finish = prune(db_path, RETENTION, TODAY)
    assert len(finish.due) == DUE - len(recorded)
    assert not {fate.scan_id for fate in finish.due} & set(recorded)
    assert state(db_path) == state(expected)
