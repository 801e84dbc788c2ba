"""The gov-2019 rules on small real scans: both sides of every threshold."""

from __future__ import annotations

import re
from datetime import date

import pytest
from support.scanbuilder import AS_OF, ScanBuilder, days_ago, home_url

from govwatch.core.vocabulary import CheckError, SiteStatus
from govwatch.crawler import store as crawl_store
from govwatch.rules.catalogue import load_catalogue
from govwatch.rules.checks.idnumber import birth_date, check_character, is_id_number, mask
from govwatch.rules.checks.site import newest_home_date
from govwatch.rules.examples import run_examples

VALID_ID = "620102198502131239"  # born 1985-02-13, check character 9
WRONG_CHECK_DIGIT = "620102198502131230"
NO_SUCH_BIRTH_DATE = "620102198502301234"  # 30 February, check character right for it


@pytest.fixture
def scan(tmp_path) -> ScanBuilder:
    return ScanBuilder(tmp_path / "g.db")


def bare(tmp_path, *sites: str) -> ScanBuilder:
    """A scan whose home pages the test writes itself."""
    return ScanBuilder(tmp_path / "g.db", sites or ("a",), healthy_home=False)


# -- 站点无法访问（一周监测） -------------------------------------------------------------------


def probes(scan: ScanBuilder, site: str, day: str, count: int, failures: int = 0) -> None:
    """*count* availability probes of *site* on local *day*, the first *failures* failed."""
    scan.db["probes"].insert_all(
        {"site_id": site, "url": home_url(site), "day": day,
         "probed_at": f"{day}T{n // 6:02d}:{n % 6 * 10:02d}:00+08:00",
         "outcome": "timeout" if n < failures else "ok", "ok": int(n >= failures),
         "seconds": 15.0 if n < failures else 0.3,
         "error": "no answer in 15 s" if n < failures else None}
        for n in range(count))


def week(scan: ScanBuilder, site: str, failures: int, per_day: int = 20) -> None:
    """A week of probes before AS_OF (2026-11-17..23), the failures on its first days."""
    for day in (days_ago(d) for d in range(7, 0, -1)):
        probes(scan, site, day, per_day, min(failures, per_day))
        failures -= min(failures, per_day)


def test_availability_veto_at_five_percent_of_the_week_before_the_judging_day(tmp_path):
    scan = bare(tmp_path, "a", "b", "c", "d")
    for site in "abcd":
        scan.home(site, items=[("要闻", days_ago(1))])
    week(scan, "a", 7)  # 7 of 141: 4.96 %
    probes(scan, "a", days_ago(1), 1)
    probes(scan, "a", days_ago(8), 20, 20)  # the day before the window
    probes(scan, "a", days_ago(0), 20, 20)  # the judging day itself
    week(scan, "b", 70)  # half
    week(scan, "c", 7)  # 7 of 140: exactly 5 %
    week(scan, "d", 140, per_day=19)  # 133 probes: too few to judge, failed or not
    found = scan.findings("site.availability")
    assert [f.site_id for f in found] == ["b", "c"]
    assert "失败 70 次（50.0%）" in found[0].detail
    assert found[1].detail == ("2026-11-17 至 2026-11-23 首页可用性监测 140 次，失败 7 次"
                               "（5.0%），达到 5% 的否决线")
    assert found[1].evidence == " ".join(
        f"2026-11-17T00:{m:02d}:00+08:00 超时" for m in range(0, 50, 10)) + "（另有 2 项）"
    assert found[1].facts == {"probes": 140, "failures": 7}


def test_availability_judges_a_site_that_did_not_answer_this_scan(tmp_path):
    scan = bare(tmp_path, "a")
    scan.unreachable("a")
    week(scan, "a", 8)
    assert [f.site_id for f in scan.findings("site.availability")] == ["a"]


# -- 首页不更新 -----------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "stale"), [(13, False), (14, False), (15, True)])
def test_homepage_stale_after_14_days(tmp_path, age, stale):
    scan = bare(tmp_path)
    scan.home("a", items=[("要闻", days_ago(age)), ("旧闻", days_ago(40))])
    found = scan.findings("homepage.stale")
    assert bool(found) is stale
    if stale:
        assert found[0].subject_url == home_url("a") and found[0].severity == "veto"
        assert days_ago(age) in found[0].detail


def test_undated_home_items_count_as_not_updated(tmp_path):
    scan = bare(tmp_path, "a", "b")
    scan.home("a", items=[("无日期一", None), ("无日期二", None)])
    scan.home("b", items=[("无日期", None), ("要闻", days_ago(13))])
    found = scan.findings("homepage.stale")
    assert [f.site_id for f in found] == ["a"]
    assert "没有注明日期的信息" in found[0].detail
    assert found[0].evidence == "信息均未注明日期，共 2 条"


def test_a_navigation_home_page_is_judged_by_its_level_2_pages(tmp_path):
    scan = bare(tmp_path, "a", "b")
    for site, age in (("a", 3), ("b", 20)):
        scan.home(site)  # no items at all: a navigation page
        scan.column(site, "工作动态", "news", [days_ago(age)])
    found = scan.findings("homepage.stale")
    assert [f.site_id for f in found] == ["b"]
    assert "二级页面" in found[0].detail


# -- 站点无法访问 -----------------------------------------------------------------------------


def test_an_unreachable_site_gets_site_unreachable_and_nothing_else(tmp_path):
    scan = bare(tmp_path, "a", "b")
    scan.home("a", items=[("要闻", days_ago(1))])
    scan.unreachable("b")
    found = [f for f in scan.findings() if f.site_id == "b"]  # (a has no annual report)
    assert [f.rule_id for f in found] == ["site.unreachable"]
    assert found[0].subject_url == home_url("b")
    assert found[0].detail == "首页无法访问（无法访问）：访问超时"
    assert found[0].evidence == "访问超时"


def test_an_unreachable_site_of_an_earlier_scan_keeps_its_recorded_error(tmp_path):
    """Scans before check errors were recorded for the home page stored the exception."""
    scan = bare(tmp_path, "a")
    crawl_store.set_site_status(scan.db, scan.scan_id, "a", SiteStatus.UNREACHABLE, None,
                                "TimeoutError: took too long")
    (found,) = scan.findings("site.unreachable")
    assert found.detail == "首页无法访问（无法访问）：TimeoutError: took too long"


# -- 栏目不更新 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column_class", "newest", "stale"),
    [
        ("news", days_ago(13), False),
        ("news", days_ago(15), True),
        ("notice-policy", "2026-06-24", False),  # 5 months before 2026-11-24
        ("notice-policy", "2026-05-24", False),  # exactly 6 months: still inside
        ("notice-policy", "2026-04-24", True),  # 7 months
        ("personnel-planning", "2025-12-24", False),  # 11 months
        ("personnel-planning", "2025-10-24", True),  # 13 months
        ("overview", "2019-01-01", False),  # not freshness-checked
        ("other", "2019-01-01", False),
    ],
)
def test_column_stale_by_class_window(scan, column_class, newest, stale):
    url = scan.column("a", "栏目", column_class, [newest, "2010-01-01"])
    found = scan.findings("column.stale")
    assert [f.subject_url for f in found] == ([url] if stale else [])
    if stale:
        assert found[0].facts["class"] == column_class and newest in found[0].detail


@pytest.mark.parametrize(("as_of", "cutoff"), [
    ("2026-08-31", "2026-02-28"),  # 6 months before 31 August: 28 February
    ("2026-03-01", "2025-09-01"),  # and before 1 March: 1 September
])
def test_a_calendar_month_window_judged_on_a_months_last_and_first_day(tmp_path, as_of, cutoff):
    from datetime import date, timedelta

    scan = ScanBuilder(tmp_path / "g.db", as_of=date.fromisoformat(as_of))
    day_before = (date.fromisoformat(cutoff) - timedelta(days=1)).isoformat()
    scan.column("a", "通知公告", "notice-policy", [cutoff], slug="a")
    stale = scan.column("a", "政策文件", "notice-policy", [day_before], slug="b")
    found = scan.findings("column.stale")
    assert [f.subject_url for f in found] == [stale]
    assert found[0].detail == (f"栏目「政策文件」（通知公告/政策文件类）最新信息日期 {day_before}，"
                               f"超过 6个月 更新期限（{cutoff} 以来无更新）")
    assert found[0].evidence == f"最新信息日期 {day_before}，共 1 条"


def test_a_column_of_undated_items_is_stale_and_an_empty_one_is_left_to_column_empty(scan):
    undated = scan.column("a", "工作动态", "news", [None, None])
    scan.column("a", "部门动态", "news", [])
    found = scan.findings("column.stale")
    assert [f.subject_url for f in found] == [undated]
    assert "2 条信息均未注明日期" in found[0].detail
    assert found[0].evidence == "信息均未注明日期，共 2 条"


CUSTOM_PACK = """\
pack: custom
version: "1"
rules:
  - {id: x.broken_documents, title: 附件链接, severity: advisory, check: link_status,
     params: {results: [broken], kinds: [document]},
     examples: {fail: [{result: broken, kind: document}],
                pass: [{result: broken, kind: page}, {result: broken}, {result: ok}]}}
  - {id: x.news_only, title: 动态栏目不更新, severity: advisory, check: column_freshness,
     params: {windows: {news: 14d, notice-policy: 14d}}, applies_to: {column_classes: [news]}}
  - {id: x.sponsor, title: 主办单位, severity: advisory, check: footer_fact,
     params: {kind: sponsor}}
  - {id: x.script, title: 脚本, severity: advisory, check: pattern,
     params: {scope: html, must_not_match: '<script'}}
"""


def custom_pack(tmp_path) -> str:
    path = tmp_path / "custom.yaml"
    path.write_text(CUSTOM_PACK, encoding="utf-8")
    return str(path)


def test_a_link_rule_for_some_kinds_judges_those_kinds_only(tmp_path, scan):
    results = run_examples(load_catalogue([custom_pack(tmp_path)]).rules)
    mine = [r for r in results if r.rule.id == "x.broken_documents"]
    assert len(mine) == 4 and [r.row() for r in mine if not r.ok] == []


def test_the_newest_home_item_is_the_latest_dated_one():
    assert newest_home_date([date(2026, 11, 1), None, date(2026, 11, 20)]) == date(2026, 11, 20)
    assert newest_home_date([None]) is None


def test_applies_to_narrows_the_column_classes_a_freshness_rule_judges(tmp_path, scan):
    news = scan.column("a", "工作动态", "news", [days_ago(30)])
    scan.column("a", "通知公告", "notice-policy", [days_ago(30)])
    found = scan.findings("x.news_only", packs=[custom_pack(tmp_path)])
    assert [f.subject_url for f in found] == [news]


def stale_columns(scan: ScanBuilder, news: int, notices: int, personnel: int) -> None:
    """Columns past their window: news 15 days, notices 7 months, personnel 13 months."""
    for n in range(news):
        scan.column("a", f"动态{n}", "news", [days_ago(15)])
    for n in range(notices):
        scan.column("a", f"通知{n}", "notice-policy", ["2026-04-24"])
    for n in range(personnel):
        scan.column("a", f"人事{n}", "personnel-planning", ["2025-10-24"])


@pytest.mark.parametrize(("news", "notices", "personnel", "veto"),
                         [(2, 2, 3, False), (3, 2, 0, True), (4, 0, 1, False), (5, 0, 0, True)])
def test_column_stale_veto_counts_news_and_notice_columns_only(scan, news, notices, personnel,
                                                              veto):
    stale_columns(scan, news, notices, personnel)
    assert len(scan.findings("column.stale")) == news + notices + personnel
    found = scan.findings("column.stale_veto")
    assert bool(found) is veto
    if veto:
        assert found[0].subject_url == home_url("a") and found[0].severity == "veto"
        assert found[0].detail.startswith("5 项「栏目不更新」")


@pytest.mark.parametrize(("news", "notices", "personnel", "fresh", "veto"),
                         [(3, 3, 3, 5, False), (4, 3, 3, 0, True), (0, 0, 10, 0, True),
                          (9, 0, 0, 4, False)])
def test_column_neglected_veto_counts_every_stale_column_that_should_be_updated(
        scan, news, notices, personnel, fresh, veto):
    stale_columns(scan, news, notices, personnel)
    for n in range(fresh):  # updated in time, or of a class without a window: not counted
        scan.column("a", f"要闻{n}", "news", [days_ago(1)])
        scan.column("a", f"概况{n}", "overview", ["2019-01-01"])
    found = scan.findings("column.neglected_veto")
    assert bool(found) is veto
    if veto:
        (finding,) = found
        assert finding.subject_url == home_url("a") and finding.severity == "veto"
        assert finding.detail == "10 项「栏目不更新」（column.stale），达到 10 项"
        assert len(finding.evidence.split()) == 10


# -- 空白栏目 --------------------------------------------------------------------------------


def test_column_empty_judges_lists_only_and_spares_explained_notes(scan):
    blank = scan.column("a", "安全生产", "other")
    placeholder = scan.column("a", "建议提案办理", "other", empty_note="暂无信息")
    scan.column("a", "规范性文件", "notice-policy", empty_note="本机关本年度未制定规范性文件。")
    scan.column("a", "机构概况", "overview", role="text")
    scan.column("a", "政府信息公开", "other", role="hub")
    scan.column("a", "在线咨询", "other", role="form")
    scan.column("a", "工作动态", "news", [days_ago(1)])
    found = {f.subject_url: f for f in scan.findings("column.empty")}
    assert set(found) == {blank, placeholder}
    assert found[blank].detail == "栏目「安全生产」（其他类）没有任何信息，也未说明无信息的原因"
    assert found[blank].evidence == "共 0 条信息，列表页 1 页"
    assert found[placeholder].detail == (
        "栏目「建议提案办理」（其他类）没有任何信息，仅显示「暂无信息」，未说明无信息的原因")
    assert found[placeholder].evidence == "共 0 条信息，列表页 1 页，页面提示「暂无信息」"


def test_the_exempting_phrases_are_the_packs(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("""pack: mine
version: "1"
title: 本地
rules:
  - {id: my.empty, title: 空白栏目, severity: deduction, points: 1, check: column_empty,
     params: {exempt_notes: [暂无信息]}}
""", encoding="utf-8")
    scan = ScanBuilder(tmp_path / "g.db")
    scan.column("a", "建议提案办理", "other", empty_note="暂无信息")
    explained = scan.column("a", "规范性文件", "other", empty_note="本机关本年度未制定规范性文件。")
    found = scan.findings("my.empty", packs=[pack])
    assert [f.subject_url for f in found] == [explained]


def test_a_veto_counts_each_site_alone_and_lists_ten_subjects(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"))
    for n in range(4):
        scan.column("a", f"空白{n}", "other")
    urls = sorted(scan.column("b", f"空白{n:02d}", "other") for n in range(11))
    (veto,) = scan.findings("column.empty_veto")
    assert veto.site_id == "b" and veto.detail.startswith("11 项「")
    assert veto.evidence == " ".join(urls[:10]) + "（另有 1 项）"


@pytest.mark.parametrize(("empty", "veto"), [(4, False), (5, True)])
def test_column_empty_veto_at_five(scan, empty, veto):
    for n in range(empty):
        scan.column("a", f"空白{n}", "other")
    assert len(scan.findings("column.empty")) == empty
    assert bool(scan.findings("column.empty_veto")) is veto


# -- 政府信息公开工作年度报告 -------------------------------------------------------------------

REPORT_2025 = "某某县交通运输局2025年政府信息公开工作年度报告"


@pytest.mark.parametrize(("as_of", "missing"), [("2027-01-30", False), ("2027-01-31", False),
                                                ("2027-02-01", True)])
def test_annual_report_missing_only_after_31_january(tmp_path, as_of, missing):
    from datetime import date

    scan = ScanBuilder(tmp_path / "g.db", as_of=date.fromisoformat(as_of))
    scan.column("a", "政府信息公开年报", "annual-report", ["2026-01-20"],
                titles=[REPORT_2025])  # last year's report: 2026 has none
    found = scan.findings("annual_report.missing")
    assert bool(found) is missing
    if missing:
        assert found[0].subject_url == home_url("a") and "2026 年度" in found[0].detail


def test_the_reports_found_are_listed_newest_first(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db")  # judged 2026-11-24: 2025 is due, none found
    titles = {year: f"某某县交通运输局{year}年政府信息公开工作年度报告" for year in range(2019, 2025)}
    scan.column("a", "年报", "annual-report", [f"{year + 1}-01-2{year % 7}" for year in
                                               (2021, 2024, 2019, 2023, 2020, 2022)],
                titles=[titles[year] for year in (2021, 2024, 2019, 2023, 2020, 2022)])
    evidence = scan.findings("annual_report.missing")[0].evidence
    # the five newest of six, newest first, whatever order the list gave them in
    assert evidence.split("; ") == [f"{titles[year]} ({year + 1}-01-2{year % 7})"
                                    for year in (2024, 2023, 2022, 2021, 2020)]


def test_the_report_year_comes_from_the_title_not_the_date(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"))  # judged 2026-11-24: 2025 is due
    scan.column("a", "年报", "annual-report", ["2026-01-10"],
                titles=["某某局2024年政府信息公开工作年度报告"])  # old report, posted in 2026
    scan.column("b", "年报", "annual-report", ["2026-03-01"], titles=[REPORT_2025])
    assert [f.site_id for f in scan.findings("annual_report.missing")] == ["a"]
    late = scan.findings("annual_report.late")
    assert [f.site_id for f in late] == ["b"] and "2026-03-01" in late[0].detail


def test_a_report_published_only_as_an_attachment_counts(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"))
    article = home_url("a") + "gk/202601/t20260125_1.html"
    scan.page("a", article, title="信息公开", pub_date="2026-01-25")
    scan.link("a", article, home_url("a") + "gk/P0202601.pdf", anchor=REPORT_2025 + ".pdf",
              kind="document")
    scan.page("b", home_url("b") + "nb/2025.html", title="二〇二五年度政府信息公开工作年度报告",
              pub_date="2026-01-30")  # the report's own page, Chinese numerals
    assert scan.findings("annual_report.missing") == []
    assert scan.findings("annual_report.late") == []


def test_a_site_that_never_published_an_annual_report_is_missing_it(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"))
    scan.column("a", "通知公告", "notice-policy", ["2026-11-01"], titles=["关于开展检查的通知"])
    scan.column("b", "年报", "annual-report", ["2026-01-20"], titles=[REPORT_2025])
    found = scan.findings("annual_report.missing")
    assert [f.site_id for f in found] == ["a"]
    assert found[0].detail == "检查日 2026-11-24 已过期限 2026-01-31，未找到 2025 年度的文件"
    assert scan.findings("annual_report.late") == []


def test_a_report_year_written_with_a_white_circle_is_recognised(tmp_path):
    # 二○二五: U+25CB WHITE CIRCLE, which CMS editors type for 〇 (U+3007)
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"))
    scan.column("a", "年报", "annual-report", ["2026-01-20"],
                titles=["某某县二\u25cb二五年政府信息公开工作年度报告"])
    scan.column("b", "年报", "annual-report", ["2026-02-03"],
                titles=["某某县二\u25cb二五年政府信息公开工作年度报告"])
    assert scan.findings("annual_report.missing") == []
    assert [f.site_id for f in scan.findings("annual_report.late")] == ["b"]


def test_a_late_report_published_only_as_an_attachment_on_a_later_page(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db", sites=("a",))
    article = home_url("a") + "gk/202602/t20260210_1.html"
    attachment = home_url("a") + "gk/P0202602.pdf"
    scan.page("a", article, title="信息公开", pub_date="2026-02-10")
    scan.link("a", article, attachment, anchor=REPORT_2025 + ".pdf", kind="document")
    assert scan.findings("annual_report.missing") == []
    (late,) = scan.findings("annual_report.late")
    assert late.subject_url == attachment
    assert late.detail == (f"2025 年度文件「{REPORT_2025}.pdf」发布于 2026-02-10，"
                           "晚于期限 2026-01-31")


def test_another_years_report_linking_this_years_does_not_date_it(tmp_path):
    """The 2024 report's page (2025-01-19) links the 2025 report, published late on its list;
    the link must not make it look published in January 2025."""
    scan = ScanBuilder(tmp_path / "g.db", sites=("a",))
    older = home_url("a") + "nb/202501/t20250119_1.html"
    attachment = home_url("a") + "uploadfiles/202602/report.pdf"
    scan.page("a", older, title="某某县2024年政府信息公开工作年度报告", pub_date="2025-01-19")
    scan.link("a", older, attachment, anchor=REPORT_2025, kind="document")
    scan.column("a", "年报", "annual-report", ["2026-02-12"], titles=[REPORT_2025])
    (late,) = scan.findings("annual_report.late")
    assert "发布于 2026-02-12" in late.detail


@pytest.mark.parametrize(("published", "late"), [("2026-01-31", False), ("2026-02-01", True)])
def test_annual_report_late_after_31_january(scan, published, late):
    scan.column("a", "年报", "annual-report", [published], titles=[REPORT_2025])
    found = scan.findings("annual_report.late")
    assert bool(found) is late
    if late:
        assert found[0].subject_url == home_url("a") + "年报/0.html"


def test_a_finding_lists_undated_documents_after_the_dated_ones(scan):
    titles = [f"某某局{year}年政府信息公开工作年度报告" for year in range(2018, 2023)]
    scan.column("a", "年报", "annual-report", ["2024-01-20", None, *["2019-01-20"] * 3],
                titles=titles)
    (missing,) = scan.findings("annual_report.missing")
    assert missing.evidence == (f"{titles[0]} (2024-01-20); "
                                + "; ".join(f"{t} (2019-01-20)" for t in titles[:1:-1])
                                + f"; {titles[1]} (无日期)")


def test_the_earliest_copy_decides_lateness_and_undated_copies_are_not_judged(scan):
    scan.column("a", "年报", "annual-report", ["2026-03-01", "2026-01-20"],
                titles=[REPORT_2025, REPORT_2025 + "（解读）"])
    scan.page("a", home_url("a") + "x.html", title=REPORT_2025)  # no date
    assert scan.findings("annual_report.late") == []


# -- 错链断链 --------------------------------------------------------------------------------


def test_link_broken_names_the_target_and_the_pages_carrying_it(scan):
    target = "http://a.gov.cn/old/t20231012_1.html"
    for n in (2, 1):
        scan.link("a", f"http://a.gov.cn/p{n}.html", target, "旧文章", result="broken",
                  status=404)
    scan.link("a", "http://a.gov.cn/p1.html", "http://a.gov.cn/ok.html", result="ok")
    scan.link("a", "http://a.gov.cn/p1.html", "http://gov.cn/", result="blocked", status=403)
    found = scan.findings("link.broken")
    assert [f.subject_url for f in found] == [target]
    assert found[0].source_url == "http://a.gov.cn/p1.html"
    assert found[0].evidence == "http://a.gov.cn/p1.html http://a.gov.cn/p2.html"
    assert found[0].detail == "链接无法访问（状态码 404），出现在 2 个页面"


@pytest.mark.parametrize("error, status, final, detail", [
    ("not-found", 404, None, "链接无法访问（页面不存在，状态码 404），出现在 1 个页面"),
    ("timeout", None, None, "链接无法访问（访问超时），出现在 1 个页面"),
    ("dns", None, None, "链接无法访问（域名无法解析），出现在 1 个页面"),
    ("soft-404", 200, "http://a.gov.cn/old/x.html",
     "链接无法访问（打开的是错误页面，状态码 200），出现在 1 个页面"),
    ("soft-404", 200, "http://a.gov.cn/",
     "链接无法访问（打开的是错误页面，状态码 200，跳转至 http://a.gov.cn/），出现在 1 个页面"),
])
def test_link_details_say_why_in_chinese(scan, error, status, final, detail):
    scan.link("a", "http://a.gov.cn/p1.html", "http://a.gov.cn/old/x.html", result="broken",
              status=status, error=error, final_url=final)
    (found,) = scan.findings("link.broken")
    assert found.detail == detail


def test_every_check_reason_has_a_chinese_label():
    for reason in CheckError:
        assert reason.label and not re.search(r"[A-Za-z]", reason.label), reason


def test_a_broken_link_on_many_pages_lists_five(scan):
    target = "http://a.gov.cn/gone.html"
    pages = [f"http://a.gov.cn/p{n}.html" for n in range(6)]
    for page in pages:
        scan.link("a", page, target, result="broken", status=404)
    (found,) = scan.findings("link.broken")
    assert found.evidence == " ".join(pages[:5]) + "（另有 1 项）"
    assert found.detail.endswith("出现在 6 个页面")


def test_unchecked_links_find_nothing(scan):
    scan.link("a", "http://a.gov.cn/p1.html", "http://a.gov.cn/gone.html")
    assert scan.findings("link.broken") == []


# -- 页面底部标识 ----------------------------------------------------------------------------


def test_footer_rules_say_missing_or_malformed(tmp_path):
    scan = bare(tmp_path, "a", "b")
    scan.home("a", items=[("要闻", days_ago(1))], footer={
        "icp": {"raw": "苏ICP备1203456号", "problem": "备案号应为8位或10位数字（实为7位）",
                "link": "https://beian.miit.gov.cn/"},
        "psb": None, "conac": "CA123", "jiucuo": None,
    })
    scan.home("b", items=[("要闻", days_ago(1))])
    found = {f.rule_id: f for f in scan.findings() if f.rule_id.startswith("footer.")}
    assert sorted(found) == ["footer.conac", "footer.icp", "footer.jiucuo", "footer.psb"]
    assert found["footer.icp"].detail == (
        "不规范：ICP备案编号「苏ICP备1203456号」，备案号应为8位或10位数字（实为7位）")
    assert found["footer.psb"].detail.startswith("缺失：")
    assert found["footer.conac"].detail == (
        "不规范：党政机关网站标识「CA123」不符合规定格式")
    assert {f.site_id for f in found.values()} == {"a"}
    assert all(f.subject_url == home_url("a") for f in found.values())


def test_a_copy_of_the_jiucuo_script_counts_by_the_code_it_carries(tmp_path):
    """Served from the site's own folder, the 找错 script works as the national one does:
    what makes the entry this site's is its 标识码, so one with a malformed code does not."""
    script = '<script id="_jiucuo_" sitecode="{}" src="/ProvidentFund/resources/jiucuo.js">'
    scan = bare(tmp_path, "a", "b")
    scan.home("a", items=[("要闻", days_ago(1))],
              footer={"jiucuo": {"raw": script.format("6209000038"), "value": "6209000038"}})
    scan.home("b", items=[("要闻", days_ago(1))],
              footer={"jiucuo": {"raw": script.format("320300391"), "value": "320300391",
                                 "problem": "标识码应为10位数字或bm加8位数字"}})
    found = scan.findings("footer.jiucuo")
    assert [(f.site_id, f.detail) for f in found] == [
        ("b", f"不规范：「我为政府网站找错」入口「{script.format('320300391')}」，"
              "标识码应为10位数字或bm加8位数字")]


def test_a_home_page_without_any_footer_facts_misses_them_all(tmp_path):
    scan = bare(tmp_path, "a")
    scan.page("a", home_url("a"), title="首页", depth=0)  # the crawler stored no facts
    found = [f for f in scan.findings() if f.rule_id.startswith("footer.")]
    assert len(found) == 5
    assert all(f.detail.startswith("缺失：首页底部未发现") and f.evidence == "" for f in found)


def test_forms_judge_the_value_or_the_raw_text_where_the_pack_says_so(tmp_path):
    scan = bare(tmp_path, "a")
    scan.home("a", items=[("要闻", days_ago(1))])
    # the home page's facts, written row by row, are its own reading's (govwatch.core.compact)
    scan.db["reading_footer_facts"].delete_where("kind in ('icp', 'jiucuo')")
    tag = ('<script id="_jiucuo_" sitecode="6209000038" '
           'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">')
    scan.rows("footer_facts", [
        {"site_id": "a", "page_url": home_url("a"), "kind": "icp", "valid": 1,
         "raw": "ICP备案号：陇ICP备05000123号", "value": "陇ICP备05000123号", "problem": None,
         "link": "https://beian.miit.gov.cn/"},
        {"site_id": "a", "page_url": home_url("a"), "kind": "jiucuo", "valid": 1,
         "raw": tag, "value": "6209000038", "problem": None},
    ])
    assert [f.rule_id for f in scan.findings() if f.rule_id.startswith("footer.")] == []


def test_without_a_form_the_crawlers_judgement_decides(tmp_path):
    scan = bare(tmp_path, "a", "b", "c")
    scan.home("a", items=[("要闻", days_ago(1))],
              footer={"sponsor": ("主办单位：", "主办单位名称为空")})
    # a remark on how it is written is no reason to deduct
    scan.home("b", items=[("要闻", days_ago(1))],
              footer={"sponsor": {"raw": "主办单位 某某县人民政府", "value": "某某县人民政府",
                                  "note": "「主办单位」后缺少冒号"}})
    scan.home("c", items=[("要闻", days_ago(1))])
    found = scan.findings("x.sponsor", packs=[custom_pack(tmp_path)])
    assert [(f.site_id, f.detail) for f in found] == [
        ("a", "不规范：网站主办单位「主办单位：」，主办单位名称为空")]


def test_footer_rules_read_the_home_page_only(scan):
    inner = home_url("a") + "inner.html"
    scan.page("a", inner, title="内页")
    scan.rows("footer_facts", [{"site_id": "a", "page_url": inner, "kind": "icp", "raw": None,
                                "value": None, "valid": 0, "problem": "missing"}])
    assert scan.findings("footer.icp") == []


# -- 居民身份证号 ---------------------------------------------------------------------------


def test_id_number_check_character_and_birth_date():
    assert check_character(VALID_ID[:17]) == "9" and is_id_number(VALID_ID)
    assert is_id_number("11010519491231002X") and is_id_number("11010519491231002x")
    assert not is_id_number(WRONG_CHECK_DIGIT)
    assert check_character(NO_SUCH_BIRTH_DATE[:17]) == NO_SUCH_BIRTH_DATE[17]
    assert not is_id_number(NO_SUCH_BIRTH_DATE)
    assert not is_id_number("620102180001011234")  # before 1900
    assert mask(VALID_ID) == "620102********1239"


def test_privacy_finds_valid_numbers_only_and_masks_the_evidence(scan):
    pages = {
        "valid": f"申请人：张某，身份证号：{VALID_ID}，联系电话略。",
        "checksum": f"身份证号：{WRONG_CHECK_DIGIT}",
        "birth": f"身份证号：{NO_SUCH_BIRTH_DATE}",
        "longer": f"流水号 {VALID_ID}7 订单 A{VALID_ID}",
    }
    for slug, text in pages.items():
        scan.page("a", f"{home_url('a')}{slug}.html", title=slug, text=text)
    found = scan.findings("privacy.id_number")
    assert [f.subject_url for f in found] == [f"{home_url('a')}valid.html"]
    assert VALID_ID not in found[0].evidence and VALID_ID[6:14] not in found[0].evidence
    assert "【620102********1239】" in found[0].evidence


def test_id_number_birth_dates_start_in_1900():
    assert birth_date(VALID_ID) == date(1985, 2, 13)
    first = "110105190001010" + "01"
    last_before = "110105189912310" + "01"
    assert is_id_number(first + check_character(first)) is True
    assert is_id_number(last_before + check_character(last_before)) is False
    assert birth_date(last_before + "0") is None


def test_evidence_is_twenty_characters_either_side_of_three_matches(scan):
    before, after = "前" * 70, "后" * 70
    scan.page("a", home_url("a") + "far.html", title="远", text=f"{before}{VALID_ID}{after}")
    scan.page("a", home_url("a") + "near.html", title="近", text=f"号码{VALID_ID}。")
    scan.page("a", home_url("a") + "many.html", title="多",
              text="，".join(["11010519491231002X"] * 4))
    found = {f.subject_url.rsplit("/", 1)[1]: f for f in scan.findings("privacy.id_number")}
    masked = "【620102********1239】"
    assert found["far.html"].evidence == "前" * 20 + masked + "后" * 20
    assert found["near.html"].evidence == f"号码{masked}。"
    assert found["many.html"].detail.endswith("4 处")
    assert found["many.html"].evidence.count("【110105********002X】") == 3
    assert found["many.html"].evidence.count(" | ") == 2


def test_numbers_at_the_edges_of_the_evidence_are_masked_whole(scan):
    gap = "，" * 12  # the neighbours' inner 8 characters fall inside the evidence
    scan.page("a", home_url("a") + "row.html", title="名单",
              text=f"{VALID_ID}{gap}{VALID_ID}{gap}{VALID_ID}")
    (found,) = scan.findings("privacy.id_number")
    middle = found.evidence.split(" | ")[1]
    assert middle == f"****1239{gap}【620102********1239】{gap}620102**"


def test_a_pattern_over_the_html_reads_the_source_not_the_text(tmp_path, scan):
    scan.page("a", home_url("a") + "s.html", title="页", text="正文",
              html="<script>track()</script><p>正文</p>")
    scan.page("a", home_url("a") + "t.html", title="页", text="<script>", html="<p>正文</p>")
    found = scan.findings("x.script", packs=[custom_pack(tmp_path)])
    assert [f.subject_url for f in found] == [home_url("a") + "s.html"]


def test_evidence_masks_neighbouring_numbers_too(scan):
    text = f"{VALID_ID}、{WRONG_CHECK_DIGIT}、11010519491231002X"
    scan.page("a", home_url("a") + "list.html", title="名单", text=text)
    (finding,) = scan.findings("privacy.id_number")
    assert "1985" not in finding.evidence and "19491231" not in finding.evidence
    assert finding.detail.endswith("2 处")


def test_a_scan_is_judged_at_its_own_date_unless_told_otherwise(scan):
    assert scan.as_of == AS_OF
    scan.column("a", "工作动态", "news", [days_ago(10)])
    assert scan.findings("column.stale") == []
    later = AS_OF.replace(day=AS_OF.day + 5)
    assert len(scan.findings("column.stale", as_of=later)) == 1
