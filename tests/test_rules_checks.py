"""The gov-2019 rules on small real scans: both sides of every threshold."""

from __future__ import annotations

import pytest
from rules_fixtures.scanbuilder import AS_OF, ScanBuilder, days_ago, home_url

from rules.checks.idnumber import check_character, is_id_number, mask

VALID_ID = "620102198502131239"  # born 1985-02-13, check character 9
WRONG_CHECK_DIGIT = "620102198502131230"
NO_SUCH_BIRTH_DATE = "620102198502301234"  # 30 February, check character right for it


@pytest.fixture
def scan(tmp_path) -> ScanBuilder:
    return ScanBuilder(tmp_path / "g.db")


def bare(tmp_path, *sites: str) -> ScanBuilder:
    """A scan whose home pages the test writes itself."""
    return ScanBuilder(tmp_path / "g.db", sites or ("a",), healthy_home=False)


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
    assert found[0].subject_url == home_url("b") and "TimeoutError" in found[0].detail


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
    scan.column("a", "通知公告", "notice-policy", [cutoff])
    stale = scan.column("a", "政策文件", "notice-policy", [day_before])
    found = scan.findings("column.stale")
    assert [f.subject_url for f in found] == [stale]
    assert found[0].detail.endswith(f"超过 6个月 更新期限（{cutoff} 以来无更新）")


def test_a_column_of_undated_items_is_stale_and_an_empty_one_is_left_to_column_empty(scan):
    undated = scan.column("a", "工作动态", "news", [None, None])
    scan.column("a", "部门动态", "news", [])
    assert [f.subject_url for f in scan.findings("column.stale")] == [undated]


@pytest.mark.parametrize(("news", "notices", "personnel", "veto"),
                         [(2, 2, 3, False), (3, 2, 0, True), (4, 0, 1, False), (5, 0, 0, True)])
def test_column_stale_veto_counts_news_and_notice_columns_only(scan, news, notices, personnel,
                                                              veto):
    for n in range(news):
        scan.column("a", f"动态{n}", "news", [days_ago(15)])
    for n in range(notices):
        scan.column("a", f"通知{n}", "notice-policy", ["2026-04-24"])
    for n in range(personnel):
        scan.column("a", f"人事{n}", "personnel-planning", ["2025-10-24"])
    assert len(scan.findings("column.stale")) == news + notices + personnel
    found = scan.findings("column.stale_veto")
    assert bool(found) is veto
    if veto:
        assert found[0].subject_url == home_url("a") and found[0].severity == "veto"
        assert found[0].detail.startswith("5 项「栏目不更新」")


# -- 空白栏目 --------------------------------------------------------------------------------


def test_column_empty_spares_notes_text_pages_and_columns_with_items(scan):
    blank = scan.column("a", "安全生产", "other")
    scan.column("a", "建议提案办理", "other", empty_note="暂无信息")
    scan.column("a", "机构概况", "overview", kind="page")
    scan.column("a", "工作动态", "news", [days_ago(1)])
    found = scan.findings("column.empty")
    assert [f.subject_url for f in found] == [blank]
    assert "安全生产" in found[0].detail


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


@pytest.mark.parametrize(("published", "late"), [("2026-01-31", False), ("2026-02-01", True)])
def test_annual_report_late_after_31_january(scan, published, late):
    scan.column("a", "年报", "annual-report", [published], titles=[REPORT_2025])
    found = scan.findings("annual_report.late")
    assert bool(found) is late
    if late:
        assert found[0].subject_url == home_url("a") + "年报/0.html"


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
    assert "HTTP 404" in found[0].detail and "2 个页面" in found[0].detail


def test_unchecked_links_find_nothing(scan):
    scan.link("a", "http://a.gov.cn/p1.html", "http://a.gov.cn/gone.html")
    assert scan.findings("link.broken") == []


# -- 页面底部标识 ----------------------------------------------------------------------------


def test_footer_rules_say_missing_or_malformed(tmp_path):
    scan = bare(tmp_path, "a", "b")
    scan.home("a", items=[("要闻", days_ago(1))], footer={
        "icp": ("苏ICP备12034567", "missing 号"), "psb": None, "conac": "CA123",
        "jiucuo": None,
    })
    scan.home("b", items=[("要闻", days_ago(1))])
    found = {f.rule_id: f for f in scan.findings() if f.rule_id.startswith("footer.")}
    assert sorted(found) == ["footer.conac", "footer.icp", "footer.jiucuo", "footer.psb"]
    assert found["footer.icp"].detail == "不规范：ICP备案编号「苏ICP备12034567」（missing 号）"
    assert found["footer.psb"].detail.startswith("缺失：")
    assert found["footer.conac"].detail.startswith("不规范：") and "CA123" in \
        found["footer.conac"].detail
    assert {f.site_id for f in found.values()} == {"a"}
    assert all(f.subject_url == home_url("a") for f in found.values())


def test_the_pack_form_decides_over_the_crawlers_remark(tmp_path):
    """A 找错 script on the national host is a working entry even when the 标识码 it carries
    is malformed (footer.site_code reports that); a script from another host is not."""
    script = '<script id="_jiucuo_" sitecode="320300391" src="https://{}/exposure/jiucuo.js">'
    remark = "site code must be 10 digits or bm+8 digits"
    scan = bare(tmp_path, "a", "b")
    scan.home("a", items=[("要闻", days_ago(1))],
              footer={"jiucuo": (script.format("zfwzgl.www.gov.cn"), remark)})
    scan.home("b", items=[("要闻", days_ago(1))],
              footer={"jiucuo": (script.format("jiucuo.example.com"), "unknown jiucuo host")})
    found = scan.findings("footer.jiucuo")
    assert [f.site_id for f in found] == ["b"]
    assert found[0].detail.startswith("不规范：")
    assert found[0].detail.endswith("（unknown jiucuo host）")


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
