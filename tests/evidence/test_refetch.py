"""A problem new on a page the scan found unchanged (304): its body is fetched again after
the scan and kept only if the page is still the one judged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from support.evidence_portal import write_portal
from support.portals import FAST, LOOPBACK_LINKS

from govwatch.core import kept
from govwatch.core.config import load_config
from govwatch.core.schema import open_db
from govwatch.crawler.runner import run_scan
from govwatch.crawler.settings import USER_AGENT
from govwatch.demo.server import PortalServer
from govwatch.evidence.keep import keep_scan
from govwatch.evidence.refetch import CHANGED, REFETCHED
from govwatch.workflow import evaluate_and_track

FRESH = date(2025, 3, 5)  # three days after the column's newest item: not stale yet
LATER = date(2025, 4, 30)  # the column is stale now, and its page unchanged


def _scan(server: PortalServer, folder: Path, as_of: date) -> int:
    sites = folder / "sites.yaml"
    sites.write_text(yaml.safe_dump({"sites": [{
        "id": "demo", "name": "示范县人民政府", "url": server.url, **LOOPBACK_LINKS}]},
        allow_unicode=True), encoding="utf-8")
    outcome = run_scan(load_config(sites).sites, folder / "govwatch.db", as_of=as_of,
                       progress_interval=0, settings={**FAST, "GOVWATCH_EVIDENCE": True})
    evaluate_and_track(folder / "govwatch.db", outcome.scan_id)
    return outcome.scan_id


def _stale_column(folder: Path, edit_before_keeping: bool) -> dict:
    root = write_portal(folder / "portal")
    with PortalServer(root) as server:
        first = _scan(server, folder, FRESH)
        keep_scan(folder / "govwatch.db", first, user_agent=USER_AGENT)
        second = _scan(server, folder, LATER)
        if edit_before_keeping:  # the unit changes the page between the scan and the keeping
            page = root / "gzdt" / "index.html"
            page.write_text(page.read_text(encoding="utf-8") + "<!-- 更新 -->", encoding="utf-8")
        keep_scan(folder / "govwatch.db", second, user_agent=USER_AGENT)
    db = open_db(folder / "govwatch.db")
    try:
        row = next(db.query(
            "select k.*, (select revalidated from pages p where p.scan_id = k.scan_id "
            "and p.url = k.url) as revalidated from kept_pages k join issues i "
            "on i.id = k.issue_id where i.rule_id = 'column.stale' and k.scan_id = ?",
            [second]))
        row["body"] = kept.body(db, row["body_hash"]) if row["body_hash"] else None
    finally:
        db.close()
    return row


def test_an_unchanged_page_is_fetched_again_and_kept_as_judged(tmp_path):
    row = _stale_column(tmp_path, edit_before_keeping=False)
    assert row["revalidated"] == 1  # the scan did not download it
    assert row["kept_note"] == REFETCHED
    assert row["body"] == (tmp_path / "portal" / "gzdt" / "index.html").read_bytes()
    assert row["fetched_at"] and row["status"] == 200


def test_a_page_changed_since_the_scan_is_not_kept_and_says_why(tmp_path):
    row = _stale_column(tmp_path, edit_before_keeping=True)
    assert row["revalidated"] == 1
    assert row["body"] is None and row["kept_note"] == CHANGED
