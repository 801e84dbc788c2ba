"""The 纠错 bulletin's content (reports.bulletin): sections, figures, 通报, and publishing once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from support.world import CITY_FIRST, JTJ, World, city, day

from govwatch.core.vocabulary import IssueCause
from govwatch.core.workdays import known_years
from govwatch.reports import ReportError, store
from govwatch.reports.bulletin import publish_bulletin
from govwatch.reports.settings import ReportSettings
from govwatch.reports.tracker import track_scan


@pytest.fixture
def second(tmp_path: Path) -> tuple[World, dict]:
    """The city after its second bulletin."""
    return city(tmp_path / "govwatch.db")


def test_units_sections_and_figures(second) -> None:
    _, content = second
    assert (content["number"], content["date"], content["previous"]) == (
        2, "2026-10-14", {"number": 1, "date": "2026-09-30"})
    assert {key: content["totals"][key] for key in ("sites", "new", "outstanding", "overdue",
                                                     "unclaimed", "fixed", "named")} == {
        "sites": 3, "new": 1, "outstanding": 4, "overdue": 3, "unclaimed": 2, "fixed": 2,
        "named": 2}
    assert [(u["unit"], u["new"], u["outstanding"], u["overdue"], u["unclaimed"], u["fixed"])
            for u in content["units"]] == [
        ("咸阳市交通运输局", 0, 1, 1, 0, 1),
        ("咸阳市人力资源和社会保障局", 1, 1, 0, 0, 1),
        ("咸阳市某某县人民政府", 0, 2, 2, 2, 0),
    ]
    assert [r["rule_id"] for r in content["new"]] == ["column.blank"]
    assert [r["rule_id"] for r in content["open"]] == [
        "column.stale", "annual_report.missing", "footer.icp"]
    assert [r["rule_id"] for r in content["fixed"]] == ["link.broken", "footer.conac"]


def test_the_notice_names_units_with_overdue_or_unclaimed_problems(second) -> None:
    _, content = second
    assert content["notice"] == [
        {"unit": "咸阳市某某县人民政府", "overdue": 2, "unclaimed": 2, "issues": "4、5",
         "reason": "2个问题逾期未整改；2个问题通报后未认领"},
        {"unit": "咸阳市交通运输局", "overdue": 1, "unclaimed": 0, "issues": "1",
         "reason": "1个问题逾期未整改"},
    ]


def test_a_problem_row_says_what_where_since_when_and_by_when(second) -> None:
    _, content = second
    stale = content["open"][0]
    assert stale == {
        "issue": 1, "unit": "咸阳市交通运输局", "site": "咸阳市交通运输局",
        "rule_id": "column.stale", "title": "工作动态栏目超过2周未更新", "url": JTJ + "gzdt/",
        "page": None, "evidence": "最新信息日期 2026-09-01", "first_seen": "2026-09-28",
        "published": "2026-09-30", "deadline": "2026-10-13", "days": 14, "fixed_on": None,
        "state": "逾期未改", "claimed_by": "王伟",
        "screenshot": None, "screenshot_note": None,  # no page kept in this world
    }
    broken = content["fixed"][0]
    assert broken["page"] == JTJ + "tzgg/t20260901_1.html"  # the page carrying the link
    assert (broken["fixed_on"], broken["state"]) == ("2026-10-12", "已整改")
    assert content["new"][0]["deadline"] == "2026-10-21"
    assert content["new"][0]["state"] == "新发现"


def test_the_same_date_gives_the_same_bulletin_and_publishes_once(second) -> None:
    world, content = second
    events = world.db["issue_events"].count
    again = publish_bulletin(world.db, day("2026-10-14"))
    assert json.dumps(again, sort_keys=True) == json.dumps(content, sort_keys=True)
    assert world.db["issue_events"].count == events
    assert world.db["bulletins"].count == 2
    published = [e for e in world.db["issue_events"].rows if e["cause"] == IssueCause.PUBLISHED]
    assert sorted(e["issue_id"] for e in published) == [1, 2, 3, 4, 5, 6]  # once each


def test_bulletins_go_in_date_order(second) -> None:
    world, _ = second
    with pytest.raises(ReportError, match="date order"):
        publish_bulletin(world.db, day("2026-10-13"))
    assert publish_bulletin(world.db, day("2026-09-30"))["number"] == 1  # still the first


def test_a_bulletin_needs_a_tracked_scan(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    world.scan("2026-09-28", CITY_FIRST[:1])
    with pytest.raises(ReportError, match="no tracked scan"):
        publish_bulletin(world.db, day("2026-09-30"))


def test_the_deadline_follows_the_configured_working_days(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    track_scan(world.db, world.scan("2026-09-28", CITY_FIRST[:1]))
    content = publish_bulletin(world.db, day("2026-09-30"),
                               ReportSettings(deadline_working_days=2, issuer="咸阳市人民政府办公室"))
    assert content["new"][0]["deadline"] == "2026-10-09"
    assert (content["deadline_working_days"], content["issuer"]) == (2, "咸阳市人民政府办公室")
    assert content["calendar_note"] is None


def test_a_deadline_beyond_the_known_schedule_is_flagged(tmp_path: Path) -> None:
    year = known_years()[-1] + 1
    world = World(tmp_path / "govwatch.db")
    track_scan(world.db, world.scan(f"{year}-03-02", CITY_FIRST[:1]))
    content = publish_bulletin(world.db, date(year, 3, 4))
    assert f"{year}年起的节假日和调休安排尚未收录" in content["calendar_note"]
    assert store.get_issue(world.db, 1)["deadline_estimated"] == 1


def test_settings_refuse_unknown_keys_and_bad_values() -> None:
    assert ReportSettings.from_mapping({"deadline_working_days": 3}).deadline_working_days == 3
    caps = ReportSettings.from_mapping({"indicator_caps": {"column": 20}}).indicator_caps
    assert dict(caps) == {"column": 20.0}
    with pytest.raises(ReportError, match="unknown key 'deadline_days'"):
        ReportSettings.from_mapping({"deadline_days": 5})
    with pytest.raises(ReportError, match="positive integer"):
        ReportSettings.from_mapping({"deadline_working_days": 0})
    with pytest.raises(ReportError, match="indicator_caps"):
        ReportSettings.from_mapping({"indicator_caps": ["column"]})
