"""The annual report reader: templates recognised, sections, tables as numbers, identities.

Fixtures (tests/rules/fixtures/annual/): the Lushan 2020 and Gansu 2017 reports as they were
published (unchanged); a 2021-layout report written by hand as an HTML page, and the same
report as PDF-like text over two pages. The numbers below were read off the fixtures by
hand.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from govwatch.crawler.pages.reading import TextRecord, Visit, read_page
from govwatch.rules.annual.reader import read_report, structure
from govwatch.rules.annual.template import (
    TemplateError,
    builtin_templates,
    load_template,
    load_templates,
    template_for_year,
)
from govwatch.rules.catalogue import load_catalogue

FIXTURES = Path(__file__).parent / "fixtures" / "annual"
TITLE = load_catalogue().rule("annual_report.missing").params["title_regex"]
GOV_2021 = next(t for t in builtin_templates() if t.id == "gov-2021")
COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"]

# The hand-written 2024 report (report-2021.html, split-pages.txt): table 三's rows that are
# not all zeros, table 四's one row and table 二.
ZERO = (0,) * 7
TABLE_3 = {
    "new": (6, 2, 0, 0, 1, 0, 9), "carried": (1, 0, 0, 0, 0, 0, 1),
    "granted": (3, 2, 0, 0, 0, 0, 5), "partial": (1, 0, 0, 0, 0, 0, 1),
    "refused_third_party": (0, 0, 0, 0, 1, 0, 1), "unavailable_not_held": (1, 0, 0, 0, 0, 0, 1),
    "unprocessed_repeat": (1, 0, 0, 0, 0, 0, 1), "total": (6, 2, 0, 0, 1, 0, 9),
    "forward": (1, 0, 0, 0, 0, 0, 1),
}
TABLE_4 = (1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1)
TABLE_2 = {"regulations": (0, 0, 0), "normative": (2, 1, 14), "licensing": (356,),
           "penalties": (27,), "coercion": (3,), "fees": (0,)}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def stored_text(html: str, url: str = "http://nync.example.gov.cn/ndbg/t20250121_1.html") -> str:
    """The text a scan stores for an HTML page: the crawler's own reading of it."""
    visit = Visit("a", "http://nync.example.gov.cn/", url, 200, "text/html", "utf-8", "utf-8",
                  html.encode("utf-8"), {"hops": 2}, "2025-01-22T00:00:00+00:00")
    reading = read_page(visit, today=date(2025, 1, 22), max_list_pages=1, sample_footer=False)
    return next(r for r in reading.records if isinstance(r, TextRecord)).text


def values(reading, table: str) -> dict[str, tuple | None]:
    read = next(t for t in reading.tables if t.key == table)
    return {r.key: r.values for r in read.rows}


def checks_of(reading, identity_start: str) -> list:
    return [c for c in reading.checks if c.identity.startswith(identity_start)]


def assert_the_hand_written_report(reading) -> None:
    table = next(t for t in GOV_2021.tables if t.key == "applications")
    read = values(reading, "applications")
    for row in table.rows:
        if not row.values or table.children(row.key):
            continue
        assert read[row.key] == TABLE_3.get(row.key, ZERO), row.key
    assert values(reading, "appeals")["cases"] == TABLE_4
    assert {k: v for k, v in values(reading, "proactive").items() if v is not None} == TABLE_2
    assert reading.failed == ()
    stated = checks_of(reading, "第一项加第二项之和")
    assert [c.where for c in stated] == list(COLUMNS) and all(c.holds for c in stated)
    # 总计 column: 一 9 + 二 1 = （七）总计 9 + 四 1
    assert (stated[-1].left_value, stated[-1].right_value) == (10, 10)


def test_lushan_2020_is_read_as_the_2021_tables_and_its_sums_hold():
    reading = read_report([fixture("lushan-2020.txt")], title_pattern=TITLE)
    assert reading.template.id == "gov-2021"
    assert reading.title == "庐山市交通运输局2020年政府信息公开工作年度报告"
    assert (reading.title_year, reading.period_year) == (2020, 2020)
    assert all(s.found for s in reading.sections)
    # printed under the wrong number, still the section
    assert reading.sections[-1].heading == "三、其他需要报告的事项"
    proactive = values(reading, "proactive")
    assert proactive["licensing"] == (1448, 62, 1550)
    assert proactive["penalties"] == (209, 10, 219)
    assert proactive["coercion"] == (10, 6, 16)
    # 表三 prints 0 in rows 一, 二 and （七） and leaves every other cell empty
    applications = values(reading, "applications")
    for key in ("new", "carried", "granted", "partial", "refused_secret", "other", "total",
                "forward"):
        assert applications[key] == ZERO, key
    assert values(reading, "appeals")["cases"] == (0,) * 15
    assert reading.failed == ()
    stated = checks_of(reading, "第一项加第二项之和")
    assert len(stated) == 7 and all(c.holds for c in stated)
    assert len(checks_of(reading, "行政复议总计")) == 1


def test_one_cell_changed_fails_naming_the_table_the_column_and_both_sides():
    text = fixture("lushan-2020.txt")
    changed = text.replace("一、本年新收政府信息公开申请数量 |\n0 |", "一、本年新收政府信息公开申请数量 |\n5 |")
    assert changed != text
    reading = read_report([changed], title_pattern=TITLE)
    stated = [c for c in reading.failed if c.identity.startswith("第一项加第二项之和")]
    assert [(c.table, c.where, c.left_value, c.right_value) for c in stated] == [
        ("表三 收到和处理政府信息公开申请情况", "自然人", 5, 0)]
    detail = stated[0].detail()
    assert "表三" in detail and "「自然人」" in detail and "不成立" in detail
    assert "一 5 + 二 0 = 5" in detail and "（七）总计 0 + 四 0 = 0" in detail
    # and row 一 no longer adds up across: 总计 0, its parts 5
    across = [c for c in reading.failed if c.identity.startswith("总计等于")]
    assert [(c.where, c.left_value, c.right_value) for c in across] == [("一", 0, 5)]


def test_an_html_report_is_read_from_the_text_the_scan_stores():
    text = stored_text(fixture("report-2021.html"))
    reading = read_report([text], title_pattern=TITLE)
    assert reading.template.id == "gov-2021"
    assert reading.title == "某某县农业农村局2024年政府信息公开工作年度报告"
    assert (reading.title_year, reading.period_year, reading.period_source) == (2024, 2024,
                                                                               "统计期限")
    assert [s.heading for s in reading.sections] == HEADINGS
    assert structure(reading, GOV_2021).ok
    assert_the_hand_written_report(reading)


def test_a_table_split_over_two_pages_with_its_header_repeated_is_read_whole():
    pages = fixture("split-pages.txt").split("\f")
    assert len(pages) == 2 and pages[1].startswith("申请人情况")
    reading = read_report(pages, title_pattern=TITLE)
    # Page one ends inside table 三 with a page number; full-width digits, dashes for zeros,
    # a label whose tail follows its numbers: all read as the HTML page is.
    assert_the_hand_written_report(reading)
    html = read_report([stored_text(fixture("report-2021.html"))], title_pattern=TITLE)
    assert [t.rows for t in reading.tables] == [t.rows for t in html.tables]


def test_numbers_that_cannot_be_placed_leave_the_identities_undecided():
    # Empty cells leave no trace in flattened text: "3 2" could be any two columns.
    text = "\n".join([
        "某某局2024年政府信息公开工作年度报告", *HEADINGS[:3],
        "一、本年新收政府信息公开申请数量 3 2", "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
        "（一）予以公开 3 0 0 0 0 0 3", "（七）总计 3 0 0 0 0 0 3",
        "四、结转下年度继续办理 0 0 0 0 0 0 0", *HEADINGS[3:]])
    reading = read_report([text], title_pattern=TITLE)
    row = next(t for t in reading.tables if t.key == "applications").row("new")
    assert row.found and row.values is None and "无法确定各数所在的列" in row.note
    stated = checks_of(reading, "第一项加第二项之和")
    assert [c.holds for c in stated] == [None]
    assert reading.failed == ()


@pytest.mark.parametrize(("forward", "holds"), [("1 1", True), ("2 2", False)])
def test_a_row_whose_last_number_sums_the_others_gives_its_total(forward, holds):
    # An HTML table with empty cells, flattened: each row keeps only its printed numbers.
    text = "\n".join([
        "某某局2024年政府信息公开工作年度报告", *HEADINGS[:3],
        "一、本年新收政府信息公开申请数量 3 2 5", "二、上年结转政府信息公开申请数量",
        "（一）予以公开 4 4", "（七）总计 4 4", f"四、结转下年度继续办理 {forward}",
        *HEADINGS[3:]])
    reading = read_report([text], title_pattern=TITLE)
    table = next(t for t in reading.tables if t.key == "applications")
    assert table.row("new").values == (None,) * 6 + (5,)
    assert "只能确定总计列" in table.row("new").note
    assert table.row("carried").values == ZERO
    stated = checks_of(reading, "第一项加第二项之和")
    assert [(c.where, c.holds) for c in stated] == [
        ("总计", holds), ("自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他", None)]
    # 总计: 一 5 + 二 0 against （七）总计 4 + 四 1 (or 2)
    assert (stated[0].left_value, stated[0].right_value) == (5, 4 + int(forward[0]))


def test_a_missing_section_is_named():
    reading = read_report(["\n".join(h for h in HEADINGS if not h.startswith("四"))])
    found = structure(reading, GOV_2021)
    assert [s.key for s in found.missing] == ["appeals"] and not found.misordered
    assert found.detail() == "缺少章节：四、政府信息公开行政复议、行政诉讼情况"


def test_misordered_sections_are_listed_in_the_order_printed():
    order = [HEADINGS[i] for i in (0, 1, 2, 4, 3, 5)]
    found = structure(read_report(["\n".join(order)]), GOV_2021)
    assert found.missing == () and found.misordered
    assert found.detail() == "章节顺序与格式不符，报告中依次为：" + "；".join(order)


@pytest.mark.parametrize("appeals", [
    "四、政府信息公开行政复议和行政诉讼情况", "四、政府信息公开行政复议及行政诉讼情况",
    "四、因政府信息公开工作被申请行政复议提起行政诉讼情况",
])
def test_heading_wording_variants_are_the_same_sections(appeals):
    text = (f"一.总体情况 二、主动公开政府信息 三、收到及处理政府信息公开申请情况 {appeals} "
            "第五部分 存在的主要问题和改进情况 六、其他需要报告的事项")
    assert structure(read_report([text]), GOV_2021).ok


def test_a_title_year_other_than_the_statistics_year_fails():
    text = "\n".join(["某某局2024年政府信息公开工作年度报告",
                      "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。", *HEADINGS])
    reading = read_report([text], title_pattern=TITLE)
    [year] = [c for c in reading.checks if c.table == "报告年度"]
    assert (year.left_value, year.right_value, year.holds) == (2024, 2023, False)
    assert reading.failed == (year,)


def test_the_gansu_2017_report_is_the_older_layout_and_not_judged_by_the_2021_one():
    reading = read_report([fixture("gansu-2017.txt")], title_pattern=TITLE)
    assert reading.template.id == "gov-2008"
    assert [s.heading for s in reading.sections] == [
        "一、概述", "二、主动公开政府信息情况", "三、政府信息依申请公开办理情况",
        "四、政府信息公开的收费及减免情况", "五、因政府信息公开申请行政复议、提出行政诉讼的情况",
        "六、政府信息公开工作存在的主要问题及改进措施"]
    assert (reading.title_year, reading.period_year) == (2017, 2017)
    assert reading.readable  # the old layout has no tables to read
    assert template_for_year(builtin_templates(), 2017) is None
    assert template_for_year(builtin_templates(), 2024) is GOV_2021
    # judged as a 2024 report would be, it lacks three of the 2021 headings (its 五, worded
    # 因…申请行政复议、提出行政诉讼的情况 as some 2021-layout reports word it too, is 四)
    assert [s.key for s in structure(reading, GOV_2021).missing] == [
        "overview", "applications", "other"]


@pytest.mark.parametrize("text", ["", "2024年政府信息公开工作年度报告 详见附件"])
def test_text_without_a_report_is_unreadable(text):
    reading = read_report([text], title_pattern=TITLE)
    assert reading.template is None and not reading.readable


def test_headings_without_readable_tables_are_unreadable():
    reading = read_report(["\n".join(HEADINGS)])
    assert reading.template.id == "gov-2021" and not reading.readable


def test_numbers_told_in_prose_are_no_table():
    """A report that says its counts in a sentence after the row's words (申请17件，上年结转0件)
    has no 表三: nothing is read as zeros, and it is unreadable, not a report whose sums hold."""
    reading = read_report(["\n".join([
        *HEADINGS[:3], " 本年新收政府信息公开申请17件，上年结转0件，办结17件，结转下年度0件。",
        *HEADINGS[3:]])])
    applications = next(t for t in reading.tables if t.key == "applications")
    assert applications.row("new").values is None
    assert not reading.readable


def test_a_variant_template_is_one_more_file(tmp_path):
    raw = yaml.safe_load(GOV_2021.path.read_text(encoding="utf-8"))
    raw["template"], raw["structure_from"] = "province-x", 2030
    raw["sections"][5] = {"key": "other", "title": "六、其他需要说明的事项",
                          "pattern": "其他需要说明的事项"}
    path = tmp_path / "province-x.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    templates = load_templates([path])
    text = "\n".join([*HEADINGS[:5], "六、其他需要说明的事项"])
    reading = read_report([text], templates=templates)
    assert reading.template.id == "province-x"
    assert template_for_year(templates, 2030).id == "province-x"
    assert structure(reading, template_for_year(templates, 2030)).ok


def test_a_template_naming_an_unknown_row_is_refused(tmp_path):
    raw = yaml.safe_load(GOV_2021.path.read_text(encoding="utf-8"))
    raw["tables"][1]["identities"][0]["left"] = ["nonexistent"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TemplateError, match="nonexistent"):
        load_template(path)


def test_cells_one_per_line_with_bare_pipes_for_empty_cells_keep_their_columns():
    rows = {"一、本年新收政府信息公开申请数量": ["4", "", "2", "", "", "", "6"],
            "（一）予以公开": ["4", "", "2", "", "", "", "6"],
            "（七）总计": ["4", "", "2", "", "", "", "5"]}
    lines = ["某某局2024年政府信息公开工作年度报告", HEADINGS[2]]
    for label, cells in rows.items():
        lines += [f"{label} |", *(f"{c} |" if c else "|" for c in cells), "||"]
    reading = read_report(["\n".join([*lines, HEADINGS[3]])], title_pattern=TITLE)
    read = values(reading, "applications")
    assert read["new"] == read["granted"] == (4, 0, 2, 0, 0, 0, 6)
    assert read["total"] == (4, 0, 2, 0, 0, 0, 5)
    [wrong] = [c for c in reading.failed if c.where == "（七）总计"]
    assert (wrong.left_value, wrong.right_value) == (5, 6)  # 总计 5, 自然人 4 + 商业企业 2


def test_table_4_under_a_header_printed_downwards():
    # PDF text of a header whose names are printed one letter per line
    header = ["行政复议 行政诉讼", "未经复议直接起诉 复议后起诉", "结 结 其 尚",
              "结 结 其 尚 结 结 其 尚", "果 果 他 未", "总计 果 果 他 未 总 果 果 他 未 总",
              "维 纠 结 审", "维 纠 结 审 计 维 纠 结 审 计", "持 正 果 结", "持 正 果 结 持 正 果 结"]
    text = "\n".join([HEADINGS[3], *header, "2 1 0 0 3 0 0 0 1 1 0 0 0 0 1", HEADINGS[4]])
    reading = read_report([text])
    assert values(reading, "appeals")["cases"] == (2, 1, 0, 0, 3, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1)
    sums = [(c.identity.split("总计")[0], c.left_value, c.right_value) for c in reading.checks]
    assert sums == [("行政复议", 3, 3), ("未经复议直接起诉", 1, 1), ("复议后起诉", 1, 0)]


def test_prose_before_a_table_naming_its_outcomes_is_not_read_as_rows():
    text = "\n".join([
        "某某局2024年政府信息公开工作年度报告", *HEADINGS[:3],
        "2024年，本局共收到政府信息公开申请3件，均为自然人申请，其中予以公开2件，"
        "本机关不掌握相关政府信息1件，无上年结转。",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） 申请人情况 自然人 "
        "法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他",
        "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3",
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
        "三、本年度办理结果 （一）予以公开 2 0 0 0 0 0 2",
        "（四）无法提供 1.本机关不掌握相关政府信息 1 0 0 0 0 0 1",
        "（七）总计 3 0 0 0 0 0 3", "四、结转下年度继续办理 0 0 0 0 0 0 0", *HEADINGS[3:]])
    read = values(read_report([text], title_pattern=TITLE), "applications")
    assert (read["new"], read["granted"], read["unavailable_not_held"], read["total"]) == (
        (3, 0, 0, 0, 0, 0, 3), (2, 0, 0, 0, 0, 0, 2), (1, 0, 0, 0, 0, 0, 1),
        (3, 0, 0, 0, 0, 0, 3))


def test_a_page_title_with_the_site_name_still_finds_the_body_after_it():
    # no statistics period: the year opening the body, after the title the text prints
    text = "\n".join(["首页 > 年报", "某某局2024年政府信息公开工作年度报告", "2024年，本局……。",
                      *HEADINGS])
    reading = read_report([text], title="某某局2024年政府信息公开工作年度报告_年报_某某局",
                          title_pattern=TITLE)
    assert (reading.title_year, reading.period_year, reading.period_source) == (2024, 2024,
                                                                               "正文开头")
