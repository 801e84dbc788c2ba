"""The scorecard (reports.scorecard): vetoes, capped deductions, pass line, 合格率, trend."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.world import SX, Finding, World, city, day

from govwatch.core.vocabulary import Severity, SiteStatus
from govwatch.reports import ReportError
from govwatch.reports.chart import line_chart, nice_step
from govwatch.reports.scorecard import build_scorecard
from govwatch.reports.settings import ReportSettings
from govwatch.reports.tracker import reject, track_scan, withdraw


def deduction(site: str, rule: str, points: float, subject: str = "") -> Finding:
    return Finding(site, rule, subject or f"http://{site}/{rule}/", points=points)


def results(card: dict) -> dict[str, tuple]:
    return {r["site"]: (r["deducted"], r["score"], r["result"]) for r in card["sites"]}


def test_a_veto_fails_the_site_without_a_score(tmp_path: Path) -> None:
    world, _ = city(tmp_path / "govwatch.db")
    card = build_scorecard(world.db, day("2026-10-14"))
    assert results(card) == {"xy-jtj": (2, 98, "合格"), "xy-rsj": (3, 97, "合格"),
                             "xy-sx": (1, None, "不合格")}
    assert card["sites"][2]["veto_items"] == "未按时发布2025年政府信息公开工作年度报告"
    assert [v["rule_id"] for v in card["vetoes"]] == ["annual_report.missing"]
    assert card["totals"] == {"sites": 3, "assessed": 3, "passed": 2, "failed": 1,
                              "not_assessed": 0, "vetoed": 1, "pass_rate": 66.7}
    assert card["scan_id"] == 2


def test_deductions_are_capped_per_indicator_and_in_total(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    findings = [deduction("xy-jtj", "column.stale", 30), deduction("xy-jtj", "column.blank", 25),
                deduction("xy-jtj", "footer.icp", 4), deduction("xy-sx", "link.broken", 70),
                deduction("xy-sx", "column.stale", 45)]
    world.scan("2026-10-12", findings)
    card = build_scorecard(world.db, day("2026-10-14"),
                           ReportSettings(indicator_caps={"column": 40}))
    lines = {(d["name"], d["indicator"]): (d["raw"], d["cap"], d["counted"])
             for d in card["deductions"]}
    assert lines[("咸阳市交通运输局", "栏目更新")] == (55, 40, 40)
    assert lines[("咸阳市交通运输局", "网站标识")] == (4, None, 4)
    assert results(card) == {"xy-jtj": (44, 56, "不合格"), "xy-sx": (100, 0, "不合格")}


def test_the_pass_line_is_inclusive_and_configurable(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    world.scan("2026-10-12", [deduction("xy-jtj", "column.stale", 40),
                              deduction("xy-sx", "column.stale", 40.5)])
    assert results(build_scorecard(world.db, day("2026-10-12"))) == {
        "xy-jtj": (40, 60, "合格"), "xy-sx": (40.5, 59.5, "不合格")}
    strict = build_scorecard(world.db, day("2026-10-12"), ReportSettings(pass_line=80))
    assert strict["totals"]["passed"] == 0 and strict["pass_line"] == 80


def test_an_unreadable_site_is_not_assessed(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    world.scan("2026-10-12", [], site_status={"xy-sx": SiteStatus.UNREACHABLE})
    card = build_scorecard(world.db, day("2026-10-12"))
    assert [(r["status"], r["score"], r["result"]) for r in card["sites"]] == [
        ("正常", 100, "合格"), ("无法访问", None, "未检测")]
    assert (card["totals"]["assessed"], card["totals"]["pass_rate"]) == (1, 100.0)


def test_withdrawn_findings_never_count(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    veto = Finding("xy-sx", "home.stale", SX, "首页信息2周未更新", Severity.VETO, 0)
    scan = world.scan("2026-10-12", [veto])
    track_scan(world.db, scan)
    assert results(build_scorecard(world.db, day("2026-10-12")))["xy-sx"][2] == "不合格"
    reject(world.db, 1, by="李娜", reason="首页10月10日有更新")
    withdraw(world.db, 1, by="审核员")
    assert results(build_scorecard(world.db, day("2026-10-12")))["xy-sx"] == (0, 100, "合格")


def test_the_scorecard_reads_the_latest_complete_scan_up_to_its_date(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    with pytest.raises(ReportError, match="no complete scan"):
        build_scorecard(world.db, day("2026-10-12"))
    world.scan("2026-10-05", [deduction("xy-jtj", "column.stale", 10)])
    world.scan("2026-10-12", [deduction("xy-jtj", "column.stale", 20)])
    assert results(build_scorecard(world.db, day("2026-10-06")))["xy-jtj"][1] == 90
    assert results(build_scorecard(world.db, day("2026-10-20")))["xy-jtj"][1] == 80


def test_the_trend_counts_outstanding_problems_per_unit_per_bulletin(tmp_path: Path) -> None:
    world, _ = city(tmp_path / "govwatch.db")
    trend = build_scorecard(world.db, day("2026-10-14"))["trend"]
    assert trend["bulletins"] == [{"number": 1, "date": "2026-09-30"},
                                  {"number": 2, "date": "2026-10-14"}]
    assert {s["unit"]: s["counts"] for s in trend["series"]} == {
        "咸阳市交通运输局": [2, 1], "咸阳市人力资源和社会保障局": [1, 1],
        "咸阳市某某县人民政府": [2, 2]}
    only_first = build_scorecard(world.db, day("2026-10-01"), ReportSettings(trend_bulletins=1))
    assert only_first["trend"]["bulletins"] == [{"number": 1, "date": "2026-09-30"}]


def test_chart_geometry() -> None:
    assert [nice_step(n) for n in (0, 4, 7, 23, 99)] == [1, 1, 2, 5, 20]
    chart = line_chart(["a", "b", "c"], {"x": [0, 5, 10], "y": [10, 0, 3]})
    assert [t for _, t in chart.y_ticks] == [0, 2, 4, 6, 8, 10]
    x = chart.lines[0].markers
    assert x[0][1] == chart.bottom and x[2][1] == chart.top  # 0 at the axis, 10 at the top
    assert chart.lines[0].color != chart.lines[1].color
    assert len(chart.legend) == 2 and chart.height > chart.bottom
