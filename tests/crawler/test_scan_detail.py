"""Dropping a scan's detail: its per-page rows go, its summary and everything else stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from support.scanbuilder import ScanBuilder, home_url

from govwatch.core.schema import open_db
from govwatch.crawler import store
from govwatch.rules.engine import evaluate_scan

DETAIL = ("pages", "links", "items", "page_texts", "link_checks", "column_pages",
          "footer_facts")
SUMMARY = ("scans", "scan_sites", "columns", "findings", "evaluations")


def counts(path: Path, tables: tuple[str, ...], scan_id: int) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"select count(*) from {t} where "
                                f"{'id' if t == 'scans' else 'scan_id'} = ?",
                                [scan_id]).fetchone()[0] for t in tables}
    finally:
        conn.close()


def two_scans(path: Path) -> tuple[int, int]:
    """Two evaluated scans of one site with a column, a text page, links and a check."""
    scan_ids = []
    for _ in range(2):
        scan = ScanBuilder(path)
        column = scan.column("a", "通知公告", "notice-policy", ["2026-11-20", "2026-11-01"])
        scan.page("a", home_url("a") + "jggk/", title="机构概况", text="本局职责")
        scan.link("a", home_url("a"), column, "通知公告")
        scan.link("a", home_url("a"), home_url("a") + "gone.html", "失效", result="broken",
                  status=404)
        scan.complete()
        scan.db.close()
        assert evaluate_scan(path, scan.scan_id)["findings"]  # the broken link, at least
        scan_ids.append(scan.scan_id)
    return scan_ids[0], scan_ids[1]


def test_dropping_a_scans_detail_keeps_its_summary_and_the_other_scan(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    one, two = two_scans(path)
    kept_detail = counts(path, DETAIL, two)
    assert all(kept_detail.values()), kept_detail  # every detail table has rows to drop
    summary = counts(path, SUMMARY, one)
    assert all(summary.values()), summary
    db = open_db(path)
    deleted = store.drop_scan_detail(db, [one])
    db.close()
    assert counts(path, DETAIL, one) == dict.fromkeys(DETAIL, 0)
    assert deleted["pages"] == counts(path, ("pages",), two)["pages"]
    assert counts(path, SUMMARY, one) == summary
    assert counts(path, DETAIL, two) == kept_detail


def test_dropping_no_scan_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    one, two = two_scans(path)
    before = {s: counts(path, DETAIL, s) for s in (one, two)}
    db = open_db(path)
    assert store.drop_scan_detail(db, []) == {}
    db.close()
    assert {s: counts(path, DETAIL, s) for s in (one, two)} == before
