"""Compact storage and its migration: a crawl of the fixture portals stored the layout before
(one table per kind of row, URLs spelled out) upgrades in place to the same rows, findings,
columns and bulletin, and an upgrade killed midway loses nothing. (That an unchanged re-scan
stores no copy of a reading: test_rescan.py.)"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from support.oldlayout import OLD_KEYS, old_rows, to_old_layout, without_later_rows
from support.portals import copy_db

from govwatch.core.compact import Ids
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler import store
from govwatch.reports.bulletin import publish_bulletin
from govwatch.reports.tracker import track_scan
from govwatch.rules.engine import evaluate_scan


def count(path: Path, table: str, where: str = "1 = 1", params: tuple = ()) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"select count(*) from {table} where {where}", params).fetchone()[0]
    finally:
        conn.close()


def judged(path: Path, scan_id: int, day: date) -> dict[str, Any]:
    """Evaluate and track *scan_id*, publish the bulletin of *day*: the findings, columns,
    sites and the bulletin's content."""
    evaluate_scan(path, scan_id)
    db = open_db(path)
    try:
        track_scan(db, scan_id)
        content = json.loads(json.dumps(publish_bulletin(db, day), default=str))
        return {
            "findings": sorted(db.execute("select * from findings").fetchall(), key=repr),
            "columns": sorted(db.execute("select * from columns").fetchall(), key=repr),
            "scan_sites": sorted(db.execute("select * from scan_sites").fetchall(), key=repr),
            "bulletin": {k: v for k, v in content.items() if k not in ("published_at",)},
        }
    finally:
        db.close()


def test_an_upgraded_crawl_reads_and_judges_as_it_was_crawled(scanned, tmp_path):
    first_db, first = scanned
    compact = copy_db(first_db, tmp_path / "compact.db")
    old = copy_db(first_db, tmp_path / "old.db")
    rows = old_rows(compact)
    assert all(rows.values()), {t: len(r) for t, r in rows.items()}
    to_old_layout(old)
    assert old_rows(old) == rows  # the same rows, stored the old way
    assert count(old, "sqlite_master", "type = 'view'") == 0

    db = open_db(old)  # the upgrade
    db.close()
    assert old_rows(old) == rows
    assert count(old, "readings") == count(compact, "readings")  # each stored once again
    day = date(2026, 11, 25)
    without_later_rows(compact)  # the old layout read no attachments: judge both without
    assert judged(old, first.scan_id, day) == judged(compact, first.scan_id, day)


def many_pages(path: Path, scans: int, pages: int) -> None:
    """*scans* scans of one site of *pages* pages, stored as the writer stores them: one in
    ten pages changes from a scan to the next, the others hold the same reading."""
    db = open_db(path)
    site = Site(id="a", name="甲", url="http://a.gov.cn/", unit="甲单位")
    ids = Ids(db.conn)
    for number in range(scans):
        scan_id = store.start_scan(db, [site], f"2026-11-{number + 10}")
        with db.conn:
            store.write_readings(db, scan_id, [{
                "pages": [{"site_id": "a", "url": f"http://a.gov.cn/{n}.html", "status": 200,
                           "kind": "html", "depth": 1, "title": f"第{n}篇"}],
                "page_texts": [{"site_id": "a", "url": f"http://a.gov.cn/{n}.html",
                                "text": f"第{n}篇，第{number if n % 10 == number else 0}版"}],
                "links": [{"site_id": "a", "source_url": f"http://a.gov.cn/{n}.html",
                           "target_url": f"http://a.gov.cn/{(n + k) % pages}.html",
                           "anchor_text": f"第{(n + k) % pages}篇", "kind": "page"}
                          for k in range(1, 6)],
            } for n in range(pages)], ids)
            store.write_rows(db, "link_checks", [
                {"scan_id": scan_id, "target_url": f"http://a.gov.cn/{n}.html", "result": "ok",
                 "status_code": 200} for n in range(pages)], ids)
            store.write_rows(db, "page_cache", [
                {"url": f"http://a.gov.cn/{n}.html", "site_id": "a", "etag": f'"{n}"',
                 "reading_key": "k", "scan_id": scan_id, "leads": json.dumps([[], [], False])}
                for n in range(pages)], ids)
        store.finalize_scan(db, scan_id, verify_links=False)
        store.mark_scan(db, scan_id, ScanStatus.COMPLETE)
    db.close()


def test_an_upgrade_killed_midway_finishes_when_the_database_is_opened_again(tmp_path):
    path = tmp_path / "g.db"
    many_pages(path, scans=3, pages=4500)  # a few steps a scan
    to_old_layout(path)
    rows = old_rows(path)
    upgrade = subprocess.Popen(
        [sys.executable, "-m", "govwatch", "db", "upgrade", "--db", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in upgrade.stderr:  # a progress line: a step has been committed
            if "pages moved" in line:
                break
        os.kill(upgrade.pid, signal.SIGKILL)
    finally:
        upgrade.wait()
    assert upgrade.returncode == -signal.SIGKILL
    moved = count(path, "scan_pages")
    assert 0 < moved < 3 * 4500  # killed midway: part moved, the rest still in the old tables
    assert count(path, "sqlite_master", "type = 'table' and name = 'pages'") == 1

    db = open_db(path)  # goes on from there
    db.close()
    assert count(path, "sqlite_master", "type = 'table' and name in ({})".format(
        ", ".join(f"'{t}'" for t in OLD_KEYS))) == 0
    assert old_rows(path) == rows  # nothing lost, nothing twice
    # the unchanged pages' readings are stored once for the three scans
    assert count(path, "readings") == 4500 + 2 * 450
