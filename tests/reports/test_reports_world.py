"""The small world of scans and issues the report tests stand on (support/world.py)."""

from __future__ import annotations

from pathlib import Path

from support.world import Finding, World

from govwatch.core import scans
from govwatch.core.vocabulary import ScanStatus, SiteStatus
from govwatch.reports import store as reports_store


def test_a_scan_records_its_status_sites_pages_and_findings(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    broken = Finding("xy-jtj", "link.broken", "http://jtj.xianyang.example/a.html")
    scan_id = world.scan("2026-09-28", [broken],
                         site_status={"xy-sx": SiteStatus.UNREACHABLE})
    assert scans.scan_row(world.db, scan_id)["status"] == ScanStatus.COMPLETE
    assert {r["site"]: r["status"] for r in scans.site_summary(world.db, scan_id)} == {
        "xy-jtj": "ok", "xy-sx": "unreachable"}
    assert world.db["pages"].count == 2
    assert [f["rule_id"] for f in reports_store.scan_findings(world.db, scan_id)] == ["link.broken"]
