"""The annual_report rules over scans: the due year's report located as the deadline rule
locates it, its text read through ScanView.report_texts, and one finding per broken rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support.scanbuilder import ScanBuilder, home_url

from govwatch.crawler.pages.page import Page
from govwatch.rules import scanview
from govwatch.rules.scanview import ScanView

FIXTURES = Path(__file__).parent / "fixtures" / "annual"
AS_OF = date(2025, 3, 1)  # the 2024 reports are due
TITLE = "某某县农业农村局2024年政府信息公开工作年度报告"
RULES = ("annual_report.structure", "annual_report.arithmetic", "annual_report.unreadable")


def page_text(html: str, url: str) -> str:
    return Page.parse(url, html).visible_text


def report_html(**cells: str) -> str:
    """The hand-written 2024 report, with some of its HTML replaced."""
    html = (FIXTURES / "report-2021.html").read_text(encoding="utf-8")
    for old, new in cells.items():
        assert old in html
        html = html.replace(old, new)
    return html


# （七）总计's 自然人 cell: 6 becomes 7, so 一 6 + 二 1 = 7 still but （七）总计 7 + 四 1 = 8.
BAD_TOTAL = {'<td colspan="2">（七）总计</td><td>6</td>': '<td colspan="2">（七）总计</td><td>7</td>'}


def publish(builder: ScanBuilder, site: str, html: str | None, slug: str = "ndbg/t1.html",
            title: str = TITLE) -> str:
    """A report listed in the site's 年报 column: a page with *html*'s text (None: a page
    the scan holds no text of)."""
    url = f"{home_url(site)}{slug}"
    builder.column(site, "政府信息公开年报", "annual-report", ["2025-01-21"], slug="ndbg",
                   titles=[title])
    builder.rows("items", [{"site_id": site, "page_url": f"{home_url(site)}ndbg/",
                            "column_url": f"{home_url(site)}ndbg/", "url": url, "title": title,
                            "date": "2025-01-21"}])
    builder.page(site, url, title=f"{title}_政府信息公开年报", pub_date="2025-01-21",
                 text=None if html is None else page_text(html, url), depth=2)
    return url


def annual_findings(builder: ScanBuilder, as_of: date = AS_OF) -> dict[tuple[str, str], list]:
    found: dict[tuple[str, str], list] = {}
    for f in builder.findings(as_of=as_of):
        if f.rule_id in RULES:
            found.setdefault((f.site_id, f.rule_id), []).append(f)
    return found


@pytest.fixture
def builder(tmp_path) -> ScanBuilder:
    return ScanBuilder(tmp_path / "scan.db", sites=("a", "b", "c", "d"))


def test_each_rule_reports_its_own_problem_on_the_report(builder):
    bad = publish(builder, "a", report_html(**BAD_TOTAL))
    # b: only a PDF attachment, whose text the scan does not hold
    pdf = f"{home_url('b')}ndbg/P020250121.pdf"
    builder.link("b", home_url("b"), pdf, anchor=f"{TITLE}.pdf", kind="document")
    # c: section 四 and its table left out
    start = report_html().index("<p><strong>四、")
    end = report_html().index("<p><strong>五、")
    html_c = report_html()[:start] + report_html()[end:]
    missing = publish(builder, "c", html_c)
    publish(builder, "d", report_html())  # all holds
    found = annual_findings(builder)
    assert set(found) == {("a", "annual_report.arithmetic"), ("b", "annual_report.unreadable"),
                          ("c", "annual_report.structure")}
    [arithmetic] = found["a", "annual_report.arithmetic"]
    assert arithmetic.subject_url == bad
    assert "表三 收到和处理政府信息公开申请情况「自然人」" in arithmetic.detail
    assert "左边 一 6 + 二 1 = 7，右边 （七）总计 7 + 四 1 = 8" in arithmetic.detail
    [unreadable] = found["b", "annual_report.unreadable"]
    assert unreadable.subject_url == pdf and unreadable.severity == "advisory"
    [structure] = found["c", "annual_report.structure"]
    assert structure.subject_url == missing
    assert "缺少章节：四、政府信息公开行政复议、行政诉讼情况" in structure.detail


def test_nothing_is_judged_before_the_due_day(builder):
    publish(builder, "a", report_html(**BAD_TOTAL))
    assert annual_findings(builder, as_of=date(2025, 1, 31)) == {}


def test_copies_of_one_report_are_read_as_one(builder):
    # The page is read; the PDF attached to it (no text) is the same report, not unreadable.
    url = publish(builder, "a", report_html())
    builder.link("a", url, f"{home_url('a')}ndbg/P1.pdf", anchor=f"{TITLE}.pdf",
                 kind="document")
    builder.link("a", url, f"{home_url('a')}ndbg/P2.pdf", anchor=f"附件：{TITLE}.pdf",
                 kind="document")
    assert annual_findings(builder) == {}


def test_two_bodies_reports_on_one_portal_are_read_apart(builder):
    publish(builder, "a", report_html())
    other = publish(builder, "a", report_html(**BAD_TOTAL), slug="ndbg/t2.html",
                    title=TITLE.replace("农业农村局", "卫生健康局"))
    found = annual_findings(builder)
    assert [f.subject_url for f in found["a", "annual_report.arithmetic"]] == [other]


def test_another_years_report_is_not_read(builder):
    publish(builder, "a", report_html(**BAD_TOTAL), title=TITLE.replace("2024", "2023"))
    assert ("a", "annual_report.arithmetic") not in annual_findings(builder)


def test_report_texts_are_the_pages_stored_text(builder):
    url = publish(builder, "a", report_html())
    builder.complete()
    with ScanView.open(builder.path) as scan:
        [text] = scan.report_texts(url)
        assert "三、收到和处理政府信息公开申请情况" in text
        assert scan.report_texts(f"{home_url('a')}nowhere.html") is None


def test_a_source_of_attachment_text_plugs_into_report_texts(builder, monkeypatch):
    """The attachment extractor's pages join TEXT_SOURCES; the rules then read the PDF."""
    pdf = f"{home_url('b')}ndbg/P020250121.pdf"
    builder.link("b", home_url("b"), pdf, anchor=f"{TITLE}.pdf", kind="document")
    pages = (FIXTURES / "split-pages.txt").read_text(encoding="utf-8").split("\f")
    bad_pages = [pages[0], pages[1].replace("（七）总计 6 2", "（七）总计 7 2")]

    def extracted(scan: ScanView, url: str) -> list[str] | None:
        return bad_pages if url == pdf else None

    monkeypatch.setattr(scanview, "TEXT_SOURCES", [*scanview.TEXT_SOURCES, extracted])
    found = annual_findings(builder)
    assert set(found) == {("b", "annual_report.arithmetic")}
    assert found["b", "annual_report.arithmetic"][0].subject_url == pdf
