"""The issue tracker (reports.tracker) and working-day deadlines (govwatch.core.workdays)."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from support.world import Finding, World, day

from govwatch.core.vocabulary import IssueCause, IssueState, ScanStatus, SiteStatus
from govwatch.core.workdays import Deadline, add_working_days, is_working_day, known_years
from govwatch.crawler import store as crawl_store
from govwatch.reports import ReportError
from govwatch.reports import store as reports_store
from govwatch.reports.bulletin import publish_bulletin
from govwatch.reports.tracker import (
    answer,
    claim,
    confirm,
    issue_list,
    mark_overdue,
    reject,
    track_scan,
    withdraw,
)

STALE = Finding("xy-jtj", "column.stale", "http://jtj.xianyang.example/gzdt/",
                title="工作动态栏目超过2周未更新", evidence="最新信息日期 2026-09-01")
ICP = Finding("xy-sx", "footer.icp", "http://www.sx.example/",
              title="页面底部未规范标注ICP备案编号", evidence="陕ICP备案中")


@pytest.fixture
def world(tmp_path: Path) -> World:
    """An empty world of the two sites."""
    return World(tmp_path / "govwatch.db")


def issue_of(world: World, finding: Finding) -> dict:
    """The issue tracking *finding*."""
    fingerprint = finding.row(0)["fingerprint"]
    return next(world.db.query("select * from issues where fingerprint = ?", [fingerprint]))


def tracked(world: World, as_of: str, findings, **kwargs) -> int:
    """Record a complete scan and track it; return its id."""
    scan_id = world.scan(as_of, findings, **kwargs)
    track_scan(world.db, scan_id)
    return scan_id


def test_one_issue_walks_through_every_state(world: World) -> None:
    db = world.db
    tracked(world, "2026-09-28", [STALE, ICP])
    stale = issue_of(world, STALE)
    assert stale["state"] == IssueState.NEW

    # Published on the eve of National Day: 10-01..07 are holidays and Saturday 10-10 is a
    # 调休 working day, so five working days run 10-08, 09, 10, 12, 13.
    first = publish_bulletin(db, day("2026-09-30"))
    stale = issue_of(world, STALE)
    assert (stale["state"], stale["deadline"], stale["published_in"]) == ("open", "2026-10-13", 1)
    assert [row["issue"] for row in first["new"]] == sorted([stale["id"], issue_of(world, ICP)["id"]])

    assert claim(db, [stale["id"]], by="王伟", note="已安排信息科更新",
                 at="2026-10-08T09:30:00+08:00") == [stale["id"]]
    assert issue_of(world, STALE)["state"] == IssueState.CLAIMED

    # A failed scan that misses the problem fixes nothing, and cannot be tracked at all.
    failed = world.scan("2026-10-09", [], status=ScanStatus.FAILED)
    with pytest.raises(ReportError, match="failed"):
        track_scan(db, failed)
    assert issue_of(world, STALE)["state"] == IssueState.CLAIMED

    second = publish_bulletin(db, day("2026-10-09"))
    assert issue_of(world, STALE)["state"] == IssueState.CLAIMED  # deadline 10-13 not passed
    row = next(r for r in second["open"] if r["issue"] == stale["id"])
    assert (row["days"], row["deadline"], row["state"], row["claimed_by"]) == (
        9, "2026-10-13", "已认领", "王伟")

    tracked(world, "2026-10-12", [STALE], site_status={"xy-sx": SiteStatus.UNREACHABLE})
    assert issue_of(world, ICP)["state"] == IssueState.OPEN  # its site did not answer

    third = publish_bulletin(db, day("2026-10-14"))
    assert issue_of(world, STALE)["state"] == IssueState.OVERDUE
    assert {r["unit"]: r["overdue"] for r in third["notice"]}["咸阳市交通运输局"] == 1

    tracked(world, "2026-10-16", [ICP])
    assert issue_of(world, STALE)["state"] == IssueState.FIXED
    fourth = publish_bulletin(db, day("2026-10-16"))
    assert [r["issue"] for r in fourth["fixed"]] == [stale["id"]]

    tracked(world, "2026-10-19", [STALE, ICP])
    stale = issue_of(world, STALE)
    assert (stale["state"], stale["claimed_by"], stale["deadline"]) == ("reopened", None, None)
    fifth = publish_bulletin(db, day("2026-10-21"))
    assert [r["state"] for r in fifth["new"]] == ["再次出现"]
    assert issue_of(world, STALE)["deadline"] == "2026-10-28"

    reject(db, stale["id"], by="王伟", reason="该栏目已于10月20日更新", at="2026-10-22")
    assert issue_of(world, STALE)["state"] == IssueState.DISPUTED
    assert confirm(db, stale["id"], by="审核员", at="2026-10-23") == IssueState.OPEN
    reject(db, stale["id"], by="王伟", reason="栏目已合并至政务公开", at="2026-10-24")
    withdraw(db, stale["id"], by="审核员", note="栏目确已合并", at="2026-10-26")
    assert issue_of(world, STALE)["state"] == IssueState.WITHDRAWN

    tracked(world, "2026-10-26", [STALE, ICP])  # seen again, but withdrawn for good
    sixth = publish_bulletin(db, day("2026-10-28"))
    listed = [r["issue"] for key in ("new", "open", "fixed") for r in sixth[key]]
    assert stale["id"] not in listed
    assert stale["id"] not in [r["id"] for r in issue_list(db)]
    assert [r["id"] for r in issue_list(db, "withdrawn")] == [stale["id"]]

    trail = reports_store.issue_events(db, stale["id"])
    assert [(e["from_state"], e["to_state"], e["cause"]) for e in trail] == [
        (None, "new", IssueCause.FOUND),
        ("new", "open", IssueCause.PUBLISHED),
        ("open", "claimed", IssueCause.CLAIMED),
        ("claimed", "overdue", IssueCause.DEADLINE_PASSED),
        ("overdue", "fixed", IssueCause.ABSENT),
        ("fixed", "reopened", IssueCause.SEEN_AGAIN),
        ("reopened", "open", IssueCause.PUBLISHED),
        ("open", "disputed", IssueCause.REJECTED),
        ("disputed", "open", IssueCause.CONFIRMED),
        ("open", "disputed", IssueCause.REJECTED),
        ("disputed", "withdrawn", IssueCause.WITHDRAWN),
    ]
    assert [e["at"] for e in trail] == [
        "2026-09-28", "2026-09-30", "2026-10-08T09:30:00+08:00", "2026-10-14", "2026-10-16",
        "2026-10-19", "2026-10-21", "2026-10-22", "2026-10-23", "2026-10-24", "2026-10-26"]
    assert trail[2]["actor"] == "王伟" and trail[2]["note"] == "已安排信息科更新"
    assert trail[1]["bulletin"] == 1 and trail[4]["scan_id"] == 4


def test_issue_id_is_stable_across_scans(world: World) -> None:
    tracked(world, "2026-09-28", [STALE])
    first = issue_of(world, STALE)["id"]
    tracked(world, "2026-10-05", [ICP, STALE])
    assert issue_of(world, STALE)["id"] == first
    assert issue_of(world, STALE)["last_seen_on"] == "2026-10-05"
    assert world.db["issues"].count == 2


def test_a_scan_that_did_not_include_the_site_fixes_nothing(world: World) -> None:
    tracked(world, "2026-09-28", [STALE, ICP])
    tracked(world, "2026-10-05", [], only=["xy-sx"])
    assert issue_of(world, STALE)["state"] == IssueState.NEW
    assert issue_of(world, ICP)["state"] == IssueState.FIXED


def test_robots_forbidden_site_fixes_nothing(world: World) -> None:
    tracked(world, "2026-09-28", [ICP])
    tracked(world, "2026-10-05", [], site_status={"xy-sx": SiteStatus.ROBOTS_FORBIDDEN})
    assert issue_of(world, ICP)["state"] == IssueState.NEW


LINK = Finding("xy-jtj", "link.broken", "http://other.example/gone.html",
               source="http://jtj.xianyang.example/tzgg/1.html")


def test_a_link_is_fixed_when_the_page_carrying_it_was_fetched_again_without_it(world):
    tracked(world, "2026-09-28", [LINK])
    tracked(world, "2026-10-05", [])  # a whole crawl: the carrying page, now without the link
    assert issue_of(world, LINK)["state"] == IssueState.FIXED


def test_the_home_page_alone_fixes_nothing(world):
    """A scan cut short fetches the home page and little else: no problem of a page it did
    not fetch again is fixed on its strength."""
    tracked(world, "2026-09-28", [LINK, STALE])
    tracked(world, "2026-10-05", [], unfetched={
        "xy-jtj": [LINK.subject, LINK.source, STALE.subject]})
    assert issue_of(world, LINK)["state"] == IssueState.NEW
    assert issue_of(world, STALE)["state"] == IssueState.NEW
    tracked(world, "2026-10-12", [], unfetched={"xy-jtj": [LINK.source]})
    assert issue_of(world, STALE)["state"] == IssueState.FIXED  # its own page, fetched


@pytest.mark.parametrize("answer", ["status = 503", "error = 'soft-404'"])
def test_a_subject_page_that_answered_an_error_fixes_nothing(world, answer):
    """An error status, or an error page answered with 200 (a soft 404, not read): the
    column's staleness was not judged, so it is not fixed."""
    tracked(world, "2026-09-28", [STALE])
    scan_id = world.scan("2026-10-05", [])
    world.db.execute(f"update scan_pages set {answer} where scan_id = ? and url_id = "
                     "(select id from urls where url = ?)", [scan_id, STALE.subject])
    track_scan(world.db, scan_id)
    assert issue_of(world, STALE)["state"] == IssueState.NEW


def test_a_link_target_the_scan_skipped_is_not_fixed(world):
    """Unchecked for lack of budget (or excluded since) is not judged, so not fixed."""
    tracked(world, "2026-09-28", [LINK])
    scan_id = world.scan("2026-10-05", [])
    crawl_store.write_rows(world.db, "link_checks", [{
        "scan_id": scan_id, "target_url": LINK.subject, "result": "skipped",
        "error": "budget"}])
    track_scan(world.db, scan_id)
    assert issue_of(world, LINK)["state"] == IssueState.NEW


def test_a_partial_site_fixes_nothing(world):
    tracked(world, "2026-09-28", [STALE, ICP])
    tracked(world, "2026-10-05", [], site_status={"xy-jtj": SiteStatus.PARTIAL})
    assert issue_of(world, STALE)["state"] == IssueState.NEW
    assert issue_of(world, ICP)["state"] == IssueState.FIXED  # its site was crawled whole


def test_a_site_whose_home_page_answered_503_fixes_nothing(world: World) -> None:
    tracked(world, "2026-09-28", [ICP])
    scan_id = world.scan("2026-10-05", [], site_status={"xy-sx": SiteStatus.UNREACHABLE})
    # The crawler keeps the error page it was given: the subject's URL *was* fetched.
    crawl_store.set_site_status(world.db, scan_id, "xy-sx", SiteStatus.UNREACHABLE, 503,
                          "HTTP 503")
    crawl_store.write_rows(world.db, "pages", [{"scan_id": scan_id, "site_id": "xy-sx",
                                          "url": ICP.subject, "status": 503, "kind": "html",
                                          "depth": 0}])
    assert track_scan(world.db, scan_id).fixed == 0
    assert issue_of(world, ICP)["state"] == IssueState.NEW


def test_an_issue_on_its_deadline_day_is_not_yet_overdue(world: World) -> None:
    tracked(world, "2026-09-28", [ICP])
    publish_bulletin(world.db, day("2026-09-30"))
    assert issue_of(world, ICP)["deadline"] == "2026-10-13"
    assert mark_overdue(world.db, day("2026-10-13")) == 0
    assert issue_of(world, ICP)["state"] == IssueState.OPEN
    assert mark_overdue(world.db, day("2026-10-14")) == 1
    assert issue_of(world, ICP)["state"] == IssueState.OVERDUE


def test_a_tracked_scan_counts_what_it_saw_found_reopened_fixed_and_made_overdue(
        world: World) -> None:
    def counts(scan_id: int) -> tuple:
        """(scan, as_of, seen, found, reopened, fixed, overdue, already) of tracking it."""
        return astuple(track_scan(world.db, scan_id))

    first = world.scan("2026-09-28", [STALE, ICP])
    assert counts(first) == (first, "2026-09-28", 2, 2, 0, 0, 0, False)
    publish_bulletin(world.db, day("2026-09-30"))  # deadline 2026-10-13
    second = world.scan("2026-10-14", [STALE])
    assert counts(second) == (second, "2026-10-14", 1, 0, 0, 1, 1, False)
    third = world.scan("2026-10-19", [STALE, ICP])
    assert counts(third) == (third, "2026-10-19", 2, 0, 1, 0, 0, False)
    assert counts(third) == (third, "2026-10-19", 2, 0, 1, 0, 0, True)


def test_tracking_is_once_and_in_order(world: World) -> None:
    first = world.scan("2026-09-28", [STALE])
    second = world.scan("2026-10-05", [STALE])
    track_scan(world.db, second)
    with pytest.raises(ReportError, match="older than scan"):
        track_scan(world.db, first)
    again = track_scan(world.db, second)
    assert again.already and again.found == 1
    assert len(reports_store.issue_events(world.db, issue_of(world, STALE)["id"])) == 1
    with pytest.raises(ReportError, match="no scan 99"):
        track_scan(world.db, 99)


def test_claims_need_a_published_unclaimed_issue(world: World) -> None:
    tracked(world, "2026-09-28", [STALE, ICP])
    stale, icp = issue_of(world, STALE)["id"], issue_of(world, ICP)["id"]
    with pytest.raises(ReportError, match="is new: only open or overdue"):
        claim(world.db, [stale], by="王伟")
    publish_bulletin(world.db, day("2026-09-30"))
    claim(world.db, [stale], by="王伟")
    with pytest.raises(ReportError, match="is claimed: only open or overdue"):
        claim(world.db, [icp, stale], by="李娜")
    assert issue_of(world, ICP)["state"] == IssueState.OPEN  # all or none
    with pytest.raises(ReportError, match="no issue 42"):
        claim(world.db, [42], by="李娜")
    with pytest.raises(ReportError, match="only disputed"):
        confirm(world.db, stale)


def test_an_overdue_issue_claimed_late_stays_overdue(world: World) -> None:
    tracked(world, "2026-09-28", [ICP])
    publish_bulletin(world.db, day("2026-09-30"))
    publish_bulletin(world.db, day("2026-10-16"))
    icp = issue_of(world, ICP)
    assert icp["state"] == IssueState.OVERDUE
    claim(world.db, [icp["id"]], by="李娜")
    assert (issue_of(world, ICP)["state"], issue_of(world, ICP)["claimed_by"]) == (
        "overdue", "李娜")
    with pytest.raises(ReportError, match="claimed already by 李娜"):
        claim(world.db, [icp["id"]], by="王伟")


def test_actions_without_a_time_are_recorded_now(world: World) -> None:
    tracked(world, "2026-09-28", [ICP])
    icp = issue_of(world, ICP)["id"]
    reject(world.db, icp, by="李娜", reason="已标注")
    confirm(world.db, icp)
    reject(world.db, icp, by="李娜", reason="已标注")
    withdraw(world.db, icp)
    times = [e["at"] for e in reports_store.issue_events(world.db, icp)][1:]
    assert len(times) == 4
    assert all(datetime.fromisoformat(t).tzinfo is not None for t in times)


def test_a_dispute_pauses_publication_of_a_new_issue(world: World) -> None:
    tracked(world, "2026-09-28", [ICP])
    icp = issue_of(world, ICP)["id"]
    reject(world.db, icp, by="李娜", reason="备案号已在页面底部标注")
    first = publish_bulletin(world.db, day("2026-09-30"))
    assert first["new"] == [] and [r["state"] for r in first["open"]] == ["有异议"]
    assert confirm(world.db, icp) == IssueState.NEW
    second = publish_bulletin(world.db, day("2026-10-09"))
    assert [r["issue"] for r in second["new"]] == [icp]


def test_an_answer_waits_for_a_scan_that_no_longer_finds_the_problem(world: World) -> None:
    tracked(world, "2026-09-28", [STALE, ICP])
    publish_bulletin(world.db, day("2026-09-30"))
    stale, icp = issue_of(world, STALE)["id"], issue_of(world, ICP)["id"]
    with pytest.raises(ReportError, match="note must not be blank"):
        answer(world.db, stale, by="王伟", note=" ")
    claim(world.db, [stale], by="王伟")
    answer(world.db, stale, by="王伟", note="已更新栏目", at="2026-10-08T09:00:00+08:00",
           actor="jtj")
    answer(world.db, icp, by="李娜", note="已补备案号", at="2026-10-08T10:00:00+08:00")
    assert issue_of(world, STALE)["state"] == IssueState.ANSWERED
    event = reports_store.issue_events(world.db, stale)[-1]
    assert (event["cause"], event["actor"], event["note"]) == ("answered", "jtj", "已更新栏目")
    # a scan of the answer's own day may predate the fix: it refutes nothing
    tracked(world, "2026-10-08", [STALE, ICP])
    assert issue_of(world, STALE)["state"] == IssueState.ANSWERED
    # a later scan: the column is fixed, the footer still lacks its number
    tracked(world, "2026-10-09", [ICP])
    assert issue_of(world, STALE)["state"] == IssueState.FIXED
    icp_row = issue_of(world, ICP)
    assert icp_row["state"] == IssueState.OPEN  # back where it was; the deadline stands
    assert icp_row["deadline"] is not None
    last = reports_store.issue_events(world.db, icp)[-1]
    assert (last["cause"], last["from_state"], last["to_state"]) == (
        "still_seen", "answered", "open")
    assert "复查仍发现" in last["note"]
    with pytest.raises(ReportError, match="is fixed: only open or claimed or overdue"):
        answer(world.db, stale, by="王伟", note="again")


def test_working_days_follow_the_holiday_schedule() -> None:
    assert is_working_day(day("2026-10-10")) == (True, False)  # Saturday, 调休
    assert is_working_day(day("2026-10-05")) == (False, False)  # Monday, National Day
    assert add_working_days(day("2026-09-30"), 5).day == day("2026-10-13")
    assert add_working_days(day("2026-10-09"), 1).day == day("2026-10-10")
    assert add_working_days(day("2026-09-28"), 0).day == day("2026-09-28")


def test_beyond_the_known_years_weekdays_stand_in_and_say_so() -> None:
    last = known_years()[-1]
    deadline = add_working_days(date(last, 12, 30), 5)  # runs into the first unknown year
    assert deadline.estimated
    assert deadline.day.year == last + 1
    wednesday = next(date(last + 1, 3, d) for d in range(1, 8) if date(last + 1, 3, d).weekday() == 2)
    assert add_working_days(wednesday, 5) == Deadline(wednesday + timedelta(days=7), True)
    assert not add_working_days(date(last, 6, 1), 5).estimated


def test_the_schedule_is_read_for_every_year_the_calendar_publishes() -> None:
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    assert is_working_day(date(first, 1, 1))[1] is False  # New Year: a known holiday
    assert is_working_day(date(last, 12, 31))[1] is False
    assert is_working_day(date(first - 1, 12, 31))[1] is True
    assert is_working_day(date(last + 1, 1, 1)) == (date(last + 1, 1, 1).weekday() < 5, True)
    assert add_working_days(day("2026-09-30"), 5) == Deadline(day("2026-10-13"))


def test_new_issues_are_numbered_in_page_order_whatever_their_fingerprints(world: World) -> None:
    """A fingerprint holds the host's port, which changes between demo runs: issue numbers
    follow the site, rule and page, so the same portal gives the same numbers each run."""

    class Ported(Finding):
        def row(self, scan_id: int) -> dict:
            row = super().row(scan_id)
            # the later page gets the smaller fingerprint, as a port change can make it
            row["fingerprint"] = ("0" if self.subject.endswith("b.html") else "1") + row["fingerprint"]
            return row

    a = Ported("xy-jtj", "column.stale", "http://jtj.xianyang.example/a.html")
    b = Ported("xy-jtj", "column.stale", "http://jtj.xianyang.example/b.html")
    tracked(world, "2026-09-28", [b, a])
    numbered = [row["subject_url"] for row in world.db.query(
        "select subject_url from issues order by id")]
    assert numbered == [a.subject, b.subject]
