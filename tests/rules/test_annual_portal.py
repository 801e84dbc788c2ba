"""End to end: a fixture portal whose due annual report does not add up, crawled, stored
and judged; the arithmetic finding names the report page, the table, the column and both
sides."""

from __future__ import annotations

import shutil

from support.portals import PORTALS, scan, write_sites

from govwatch.core.schema import open_db
from govwatch.demo.server import PortalServer
from govwatch.rules import store
from govwatch.rules.engine import evaluate_scan

REPORT = "zfxxgknb/202601/t20260120_2628758.html"  # trs's 2025 report, due on 2026-01-31


def test_a_crawled_report_that_does_not_add_up_is_found(tmp_path):
    root = tmp_path / "trs"
    shutil.copytree(PORTALS / "trs", root)
    page = root / REPORT
    html = page.read_text(encoding="utf-8")
    # （七）总计 for 自然人: 13 in the fixture; 一 13 + 二 0 = 13, so 14 breaks the sum.
    cell = '（七）总计</td><td>13</td>'
    assert html.count(cell) == 1
    page.write_text(html.replace(cell, '（七）总计</td><td>14</td>'), encoding="utf-8")
    with PortalServer(root) as server:
        outcome = scan(write_sites(tmp_path / "sites.yaml", {"trs": server}),
                       tmp_path / "govwatch.db")
        url = f"{server.url.rstrip('/')}/{REPORT}"
    evaluate_scan(tmp_path / "govwatch.db", outcome.scan_id)
    found = [f for f in store.findings_of(open_db(tmp_path / "govwatch.db"), outcome.scan_id)
             if f["rule"].startswith("annual_report.")]
    assert [(f["rule"], f["url"]) for f in found] == [("annual_report.arithmetic", url)]
    detail = found[0]["detail"]
    assert detail.startswith("2025 年度报告数据不一致：")
    assert "表三 收到和处理政府信息公开申请情况「自然人」" in detail
    assert "左边 一 13 + 二 0 = 13，右边 （七）总计 14 + 四 0 = 14" in detail
