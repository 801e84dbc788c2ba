"""Retention: a prune drops what the policy no longer keeps, and never what an active issue,
a published bulletin or the audit trail needs.

The world: two sites scanned weekly, four times in March 2020 and nine times from September
2026, with a failed scan between and an unfinished one at the end; an ICP problem of the
county seen in every scan (an issue open since 2020), a broken link fixed in 2020, a stale
column open since September 2026, five bulletins. Pruned at 2026-11-30 keeping 3 whole
scans, the scans of the 2 newest bulletins and 5 years of summaries, each scan's fate is
written out by hand below.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.cli import run
from support.world import JTJ, SX, Finding, World, day

from govwatch.core import scans
from govwatch.core.retention import Retention
from govwatch.core.schema import SCANTABLES, open_db
from govwatch.core.vocabulary import IssueState, Pruned, ScanStatus
from govwatch.crawler.runner import ScanBusy
from govwatch.prune import prune
from govwatch.reports.bulletin import publish_bulletin
from govwatch.reports.tracker import track_scan
from govwatch.rules.engine import evaluate_scan
from govwatch.rules.scanview import ScanError

TODAY = date(2026, 11, 30)  # the summary window opens on 2021-11-30
RETENTION = Retention(keep_full_scans=3, keep_bulletin_scans=2, keep_summary_years=5)
ICP = Finding("xy-sx", "footer.icp", SX, "页面底部未规范标注ICP备案编号", evidence="陕ICP备案中")
BROKEN = Finding("xy-jtj", "link.broken", JTJ + "files/a.pdf", "附件链接无法打开", points=0.5,
                 source=JTJ + "tzgg/1.html", evidence="HTTP 404")
STALE = Finding("xy-jtj", "column.stale", JTJ + "gzdt/", "工作动态栏目超过2周未更新", points=2)
# (as_of, findings, status, bulletin published two days later) of scans 1 … 14.
SCANS = [
    ("2020-03-02", [ICP, BROKEN], ScanStatus.COMPLETE, True),  # 1: bulletin 第1期
    ("2020-03-09", [ICP, BROKEN], ScanStatus.COMPLETE, False),
    ("2020-03-16", [ICP, BROKEN], ScanStatus.COMPLETE, True),  # 3: 第2期
    ("2020-03-23", [ICP], ScanStatus.COMPLETE, False),  # 4: the broken link fixed
    ("2026-09-07", [ICP], ScanStatus.COMPLETE, False),
    ("2026-09-14", [], ScanStatus.FAILED, False),  # 6: failed, then scans completed
    ("2026-09-21", [ICP, STALE], ScanStatus.COMPLETE, True),  # 7: stale column found; 第3期
    ("2026-09-28", [ICP, STALE], ScanStatus.COMPLETE, False),
    ("2026-10-05", [ICP, STALE], ScanStatus.COMPLETE, True),  # 9: 第4期
    ("2026-10-12", [ICP, STALE], ScanStatus.COMPLETE, False),
    ("2026-10-19", [ICP, STALE], ScanStatus.COMPLETE, False),
    ("2026-10-26", [ICP, STALE], ScanStatus.COMPLETE, True),  # 12: 第5期
    ("2026-11-02", [ICP, STALE], ScanStatus.COMPLETE, False),
    ("2026-11-09", [], ScanStatus.FAILED, False),  # 14: unfinished, resumable
]
# What the prune drops of each scan it lists (None: kept, for the reason quoted).
FATES: dict[int, tuple[Pruned | None, str]] = {
    14: (None, "--resume continues it"),
    10: (Pruned.DETAIL, "older than the 3 newest complete scans"),
    9: (None, "reported by bulletin 第4期"),  # 第5期 reports scan 12, one of the newest
    8: (Pruned.DETAIL, "older than the 3 newest complete scans"),
    7: (Pruned.TRIMMED, "only the evidence of active issue 3"),  # stale column first seen
    6: (Pruned.SCAN, "failed before complete scan 13: resume never picks it"),
    5: (Pruned.DETAIL, "older than the 3 newest complete scans"),
    4: (Pruned.SUMMARY, "judged on 2020-03-23, before the summary window (from 2021-11-30)"),
    3: (Pruned.SUMMARY, "before the summary window"),  # 第2期 is no longer among the newest
    2: (Pruned.SUMMARY, "before the summary window"),
    1: (Pruned.TRIMMED, "evidence of active issue 2"),  # ICP: first seen there, still open
}
WHOLE = {9, 11, 12, 13, 14}  # every detail row kept
# Trimmed: only the detail of the URLs their active issues name (the page of the ICP problem,
# the stale column), with its summary (findings) even before the summary window.
EVIDENCE = {1: {SX}, 7: {JTJ + "gzdt/"}}
SUMMARY_ONLY = {5, 8, 10}
NO_SUMMARY = {2, 3, 4}  # their scans row only
GONE = {6}
SUMMARY_TABLES = ("scan_sites", "columns", "findings", "evaluations")
NEVER_PRUNED = ("sites", "issues", "issue_events", "bulletins", "bulletin_units",
                "tracked_scans", "probes")


def build(path: Path, articles: int = 6) -> World:
    """The world of the module's doc, at *path*."""
    world = World(path)
    for as_of, findings, status, bulletin in SCANS:
        scan_id = world.scan(as_of, findings, status=status, articles=articles)
        if status == ScanStatus.COMPLETE:
            track_scan(world.db, scan_id)
        if bulletin:
            publish_bulletin(world.db, day(as_of) + timedelta(days=2))
    world.db.execute("insert into probes (site_id, url, probed_at, day, outcome, ok) values "
                     "('xy-sx', ?, '2026-11-29T02:00:00+00:00', '2026-11-29', 'ok', 1)", [SX])
    world.db.conn.commit()
    return world


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The world, built once; each test prunes its own copy."""
    path = tmp_path_factory.mktemp("world") / "govwatch.db"
    build(path).db.close()
    return path


@pytest.fixture
def db_path(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "govwatch.db"
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


def rows(path: Path, tables: tuple[str, ...] | None = None) -> dict[str, list[tuple]]:
    """Every row of *tables* (default: all, and the views of the crawl's detail), sorted."""
    conn = sqlite3.connect(path)
    try:
        names = tables or [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') order by name")]
        return {t: sorted(conn.execute(f"select * from [{t}]").fetchall(), key=repr)
                for t in names}
    finally:
        conn.close()


def scan_ids_in(path: Path, table: str) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute(f"select distinct scan_id from [{table}]")}
    finally:
        conn.close()


def test_the_world_is_as_described(db_path: Path) -> None:
    db = open_db(db_path)
    states = {r["fingerprint"].split("|")[1]: r["state"] for r in db["issues"].rows}
    # both still there were published, and their deadlines passed long ago
    assert states == {"footer.icp": IssueState.OVERDUE, "link.broken": IssueState.FIXED,
                      "column.stale": IssueState.OVERDUE}
    assert [(b["number"], b["scan_id"]) for b in db["bulletins"].rows] == [
        (1, 1), (2, 3), (3, 7), (4, 9), (5, 12)]
    for table in (*SCANTABLES, *SUMMARY_TABLES):  # every scan holds rows of every table
        unfinished = {6, 14} if table == "findings" else set()  # but findings
        assert scan_ids_in(db_path, table) == set(range(1, 15)) - unfinished, table


def test_the_dry_run_says_each_scans_fate_and_changes_nothing(db_path: Path) -> None:
    before = rows(db_path)
    result = prune(db_path, RETENTION, TODAY, dry_run=True)
    assert rows(db_path) == before
    assert [fate.scan_id for fate in result.fates] == list(FATES)
    for fate in result.fates:
        drop, why = FATES[fate.scan_id]
        assert (fate.drop, fate.freed) == (drop, None), fate
        assert why in fate.why, fate
        assert (fate.rows > 0) == (drop is not None), fate
    assert result.newest == [13, 12, 11]


def test_pruning_keeps_what_active_issues_bulletins_and_the_audit_trail_need(
    db_path: Path, tmp_path: Path
) -> None:
    before = rows(db_path)
    bulletins = {b["date"]: json.loads(b["content"]) for b in open_db(db_path)["bulletins"].rows}
    rendered = {when: render_bulletin(db_path, when, tmp_path / f"before-{when}")
                for when in bulletins}
    pages_before = {scan_id: pages_of(db_path, scan_id) for scan_id in EVIDENCE}
    assert all(len(pages) > len(EVIDENCE[scan_id]) for scan_id, pages in pages_before.items())
    result = prune(db_path, RETENTION, TODAY)
    assert {fate.scan_id: fate.drop for fate in result.due} == {
        scan_id: drop for scan_id, (drop, _) in FATES.items() if drop}
    after = rows(db_path)
    for table in NEVER_PRUNED:
        assert after[table] == before[table], table
    for table in SCANTABLES:
        assert scan_ids_in(db_path, table) <= WHOLE | EVIDENCE.keys(), table
        assert scan_ids_in(db_path, table) >= WHOLE, table
        for scan_id in WHOLE:  # kept rows are kept whole
            assert of_scan(after[table], scan_id) == of_scan(before[table], scan_id), table
    for scan_id, urls in EVIDENCE.items():  # the evidence kept, the rest of the detail gone
        kept = pages_of(db_path, scan_id)
        assert set(kept) == urls
        assert kept == {url: row for url, row in pages_before[scan_id].items() if url in urls}
    for table in SUMMARY_TABLES:
        expected = WHOLE | SUMMARY_ONLY | EVIDENCE.keys()
        if table == "findings":
            expected -= {14}  # an unfinished scan has no findings
        assert scan_ids_in(db_path, table) == expected, table
    assert {r[0] for r in after["scans"]} == set(range(1, 15)) - GONE
    # An attachment's content goes with the last scan holding it, its texts too: each
    # scan's own roster went with its detail (a trimmed scan's too: no issue names it), the
    # notices every scan shares stay.
    held = {r[0] for r in after["scan_documents"]}
    assert held == WHOLE
    contents = {r[0] for r in after["document_contents"]}
    referenced = {r[7] for r in after["scan_documents"]}
    assert contents == referenced and len(contents) < len(before["document_contents"])
    assert {r[0] for r in after["document_parts"]} == contents
    assert len(before["document_contents"]) - len(contents) == 2 * len(
        set(range(1, 15)) - held)  # a roster per site of each scan whose detail went
    assert {r[0]: r[3] for r in after["pruned_scans"]} == {
        scan_id: str(drop) for scan_id, (drop, _) in FATES.items() if drop}
    # The same date gives the same bulletin, rendered the same, whatever scan it reported.
    db = open_db(db_path)
    for when, content in bulletins.items():
        assert publish_bulletin(db, day(when)) == content
        assert render_bulletin(db_path, when, tmp_path / f"after-{when}") == rendered[when]
    # Each active issue still finds its first and last scans whole: findings, pages.
    active = list(db["issues"].rows_where("state = ?", [IssueState.OVERDUE]))
    assert len(active) == 2
    for issue in active:
        for scan_id in (issue["first_seen_scan"], issue["last_seen_scan"]):
            code, out, _ = run("findings", "--db", str(db_path), "--scan", str(scan_id),
                               "--format", "json")
            assert code == 0
            assert issue["fingerprint"] in {f["fingerprint"] for f in json.loads(out)}
            assert db.execute("select count(*) from pages where scan_id = ? and url = ?",
                              [scan_id, issue["subject_url"]]).fetchone()[0] == 1


def pages_of(path: Path, scan_id: int) -> dict[str, tuple]:
    """The page rows of *scan_id* (the ``pages`` view: URL, status, title, text…) by URL, with
    the texts they read (``page_texts``)."""
    conn = sqlite3.connect(path)
    try:
        return {row[0]: row for row in conn.execute(
            "select p.url, p.status, p.title, p.pub_date, t.text from pages p left join "
            "page_texts t on t.scan_id = p.scan_id and t.url = p.url where p.scan_id = ?",
            [scan_id])}
    finally:
        conn.close()


def of_scan(table_rows: list[tuple], scan_id: int) -> list[tuple]:
    """The rows of *scan_id* (every detail table but page_cache has scan_id first)."""
    return [r for r in table_rows if r[0] == scan_id]


def render_bulletin(db_path: Path, when: str, out: Path) -> dict[str, bytes]:
    """The bulletin of *when* as ``govwatch bulletin`` writes it (HTML, Markdown, JSON)."""
    code, _, err = run("bulletin", "--db", str(db_path), "--as-of", when, "--out", str(out),
                       "--files", "html,md,json")
    assert code == 0, err
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_a_pruned_scan_is_never_judged_again_and_the_next_scan_tracks_as_before(
    db_path: Path
) -> None:
    prune(db_path, RETENTION, TODAY)
    for scan_id in (5, 2):  # the detail gone; then the summary too
        with pytest.raises(ScanError, match=f"scan {scan_id}'s detail was pruned"):
            evaluate_scan(db_path, scan_id)
    code, _, err = run("findings", "--db", str(db_path), "--scan", "2")
    assert code == 2 and "scan 2's findings were pruned" in err
    assert scans.pruned(open_db(db_path), 5) is Pruned.DETAIL
    # The next scan reads the column again and no longer finds it stale: fixed, as it
    # would be without any prune.
    world = World(db_path)
    tracked = track_scan(world.db, world.scan("2026-11-16", [ICP], articles=2))
    assert (tracked.seen, tracked.found, tracked.fixed) == (1, 0, 1)


def test_a_second_prune_has_nothing_left_to_do(db_path: Path) -> None:
    prune(db_path, RETENTION, TODAY)
    before = rows(db_path)
    again = prune(db_path, RETENTION, TODAY)
    assert again.due == []
    assert [fate.scan_id for fate in again.fates] == [14, 9, 7, 1]  # kept, for their reasons
    assert rows(db_path) == before


def test_the_running_scan_is_never_touched(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    for as_of in ("2026-11-02", "2026-11-09", "2026-11-16"):
        world.scan(as_of, articles=2)
    running = world.scan("2026-11-23", articles=2, status=ScanStatus.RUNNING)
    before = {t: of_scan(r, running) for t, r in rows(world.path, tuple(SCANTABLES)).items()}
    result = prune(world.path, Retention(keep_full_scans=1), TODAY)
    assert [(f.scan_id, f.drop) for f in result.fates] == [
        (running, None), (2, Pruned.DETAIL), (1, Pruned.DETAIL)]
    assert "running" in result.fates[0].why
    after = {t: of_scan(r, running) for t, r in rows(world.path, tuple(SCANTABLES)).items()}
    assert after == before and all(after.values())


HOLD_LOCK = textwrap.dedent("""
    import sys
    from pathlib import Path
    from govwatch.crawler.runner import scan_lock
    with scan_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.read()
""")


def test_a_prune_is_refused_while_a_scan_runs(db_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "govwatch.yaml"
    config.write_text("sites:\n  - {id: xy-sx, name: 某某县, url: 'http://www.sx.example/'}\n",
                      encoding="utf-8")
    before = rows(db_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"  # a scan is running
        with pytest.raises(ScanBusy):
            prune(db_path, RETENTION, TODAY)
        code, _, err = run("prune", "--config", str(config), "--db", str(db_path))
        assert code == 2 and "another scan of this database is running" in err
        # a dry run only reads, beside the scan
        assert prune(db_path, RETENTION, TODAY, dry_run=True).due
    finally:
        holder.communicate("")
    assert rows(db_path) == before


def file_size(path: Path) -> int:
    """Bytes of the database file, once its WAL is folded in."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path.stat().st_size


def test_the_space_is_returned(db_path: Path) -> None:
    before = file_size(db_path)
    result = prune(db_path, RETENTION, TODAY)
    after = file_size(db_path)
    freed = sum(fate.freed for fate in result.due)
    assert result.vacuum == "incremental"
    assert (result.size_before, result.size_after) == (before, after)
    assert after <= before - freed  # every page freed went back to the file system
    assert freed > 0


def test_an_older_database_is_switched_to_incremental_vacuum_by_its_first_prune(
    tmp_path: Path
) -> None:
    path = tmp_path / "govwatch.db"
    conn = sqlite3.connect(path)  # as an earlier govwatch made it: WAL, no auto_vacuum
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    build(path).db.close()
    assert pragma(path, "auto_vacuum") == 0
    before = file_size(path)
    first = prune(path, RETENTION, TODAY)
    assert first.vacuum == "vacuum" and "VACUUM, now incremental" in first.summary()
    assert pragma(path, "auto_vacuum") == 2
    assert file_size(path) <= before - sum(fate.freed for fate in first.due)
    assert prune(path, RETENTION, TODAY).vacuum == "incremental"


def pragma(path: Path, name: str) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_the_command_says_what_it_would_drop_then_drops_it(db_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "govwatch.yaml"
    config.write_text("retention:\n  keep_full_scans: 3\n  keep_bulletin_scans: 2\n"
                      "sites:\n  - {id: xy-sx, name: 某某县, url: 'http://www.sx.example/'}\n",
                      encoding="utf-8")
    args = ("prune", "--config", str(config), "--db", str(db_path), "--as-of", "2026-11-30")
    before = rows(db_path)
    code, out, err = run(*args, "--dry-run", "--format", "json")
    assert (code, err) == (0, "")
    planned = json.loads(out)
    assert planned["dry_run"] and planned["newest_kept"] == [13, 12, 11]
    assert {s["scan"]: s["drop"] for s in planned["scans"]} == {
        scan_id: drop and str(drop) for scan_id, (drop, _) in FATES.items()}
    assert "freed" not in planned["scans"][0]
    assert rows(db_path) == before
    code, out, err = run(*args)
    assert code == 0
    what = {Pruned.TRIMMED: "its detail but its active issues' evidence",
            Pruned.DETAIL: "its detail", Pruned.SUMMARY: "its detail and summary",
            Pruned.SCAN: "it whole"}
    dropped = [f"scan {scan_id}: dropped {what[drop]}" for scan_id, (drop, _) in FATES.items()
               if drop]
    assert [line.split(" (")[0] for line in err.splitlines()] == dropped
    assert "kept whole: the 3 newest complete scans (scans 11-13)" in out
    assert "dropped the detail of 2 scans but their issues' evidence, the detail of 3 scans, " \
        "detail and summary of 3 scans, 1 failed scan whole" in out
    assert "(incremental vacuum)" in out
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    assert "dropped nothing; database" in out  # all done the first time


def test_a_quiet_prune_says_only_what_it_did(source: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "govwatch.db"
    src, dst = sqlite3.connect(source), sqlite3.connect(db_path)
    src.backup(dst)
    src.close()
    dst.close()
    config = tmp_path / "govwatch.yaml"
    config.write_text("sites:\n  - {id: xy-sx, name: 某某县, url: 'http://www.sx.example/'}\n",
                      encoding="utf-8")
    code, out, err = run("prune", "--config", str(config), "--db", str(db_path), "--as-of",
                         "2026-11-30", "--quiet")
    assert (code, err) == (0, "")  # no progress lines
    # The defaults: 8 whole scans (5 to 13, but the failed 6), the scans of the 8 newest
    # bulletins (scans 1 and 3 too), 5 years of summaries.
    assert "dropped detail and summary of 2 scans, 1 failed scan whole" in out
