"""``govwatch demo``: the whole product in one command, telling the same story any day."""

from __future__ import annotations

import json
from datetime import date

from support.cli import run

from govwatch.demo import demo_day


def test_the_demo_is_judged_on_the_day_its_portals_were_written_for(tmp_path):
    code, out, err = run("demo", "--dir", str(tmp_path / "demo"), "--quiet", "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert demo_day() == date(2026, 11, 24)  # the portals' as_of, not the day it runs
    assert summary["evaluation"]["as_of"] == "2026-11-24"
    # 13, and 行政处罚 printing only 暂无信息; none of the three portals publishes its
    # 政府网站工作年度报表 (3), and 生态环境局's 2025 report is a PDF whose text the scan does not
    # hold (annual_report.unreadable, advisory)
    assert summary["evaluation"]["findings"] == 18
    assert {site["result"] for site in summary["sites"]} == {"合格"}  # nothing stale yet
    assert summary["bulletin"] == 1
    files = {path.rsplit("/", 1)[1] for path in summary["files"]}
    assert "bulletin-001-2026-11-24.xlsx" in files
