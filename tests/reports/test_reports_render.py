"""Bulletins and scorecards as people see them: HTML rendered by headless Chromium, XLSX
opened with openpyxl, Markdown and JSON (reports.render, reports.xlsx, reports.browser)."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.world import city, day

from govwatch.reports.browser import A4_WINDOW, page_text, screenshot
from govwatch.reports.bulletin import BULLETIN
from govwatch.reports.render import cn_date, cn_number, md_cell, render_html, write_report
from govwatch.reports.scorecard import SCORECARD, build_scorecard
from govwatch.reports.settings import ReportSettings


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The city's second bulletin and its scorecard, written in every format."""
    out = tmp_path_factory.mktemp("reports")
    world, content = city(out / "govwatch.db")
    card = build_scorecard(world.db, day("2026-10-14"),
                           ReportSettings(issuer="咸阳市人民政府办公室"))
    paths = write_report(BULLETIN, content, ["html", "xlsx", "md", "json"], out, "bulletin")
    paths += write_report(SCORECARD, card, ["html", "xlsx", "json"], out, "scorecard")
    return {f"{p.stem}.{p.suffix[1:]}": p for p in paths}


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_bulletin_renders_with_its_units_and_counts(files, tmp_path) -> None:
    text = page_text(files["bulletin.html"])
    assert "政府网站纠错通报" in text and "2026年 第2期" in text
    assert "本期共监测网站3个，涉及3个单位" in text
    assert "新发现问题1个，尚未整改问题4个（其中逾期未整改3个、通报后未认领2个）" in text
    assert "自第1期通报以来已整改问题2个" in text
    summary = re.search(r"一、总体情况(.*)二、通报单位", text).group(1)
    assert "1 咸阳市交通运输局 1 0 1 1 0 1" in summary
    assert "3 咸阳市某某县人民政府 1 0 2 2 2 0" in summary
    assert "合计 3 1 4 3 2 2" in summary
    named = re.search(r"二、通报单位(.*)三、各单位问题清单", text).group(1)
    assert "1 咸阳市某某县人民政府 2 2 4、5 2个问题逾期未整改；2个问题通报后未认领" in named
    assert "2 咸阳市交通运输局 1 0 1 1个问题逾期未整改" in named
    assert "（一）咸阳市交通运输局" in text and "（三）咸阳市某某县人民政府" in text
    # A page title holding markup prints as text, and never runs.
    assert "<script>alert('x')</script>附件链接无法打开" in text
    png = screenshot(files["bulletin.html"], tmp_path / "bulletin.png")
    assert png_size(png) == A4_WINDOW


def test_the_scorecard_renders_with_scores_and_the_pass_rate(files, tmp_path) -> None:
    text = page_text(files["scorecard.html"])
    assert "本次评分网站3个，合格2个，不合格1个（其中单项否决1个），总体合格率66.7%" in text
    assert "1 咸阳市交通运输局 咸阳市交通运输局 正常 2 98 0 合格" in text
    assert "咸阳市某某县人民政府 正常 未按时发布2025年政府信息公开工作年度报告 1 — 0 不合格" in text
    assert "近2期纠错通报中各单位尚未整改的问题数" in text
    png = screenshot(files["scorecard.html"], tmp_path / "scorecard.png")
    assert png_size(png) == A4_WINDOW


def test_html_is_escaped_and_self_contained(files) -> None:
    for name in ("bulletin.html", "scorecard.html"):
        html = files[name].read_text(encoding="utf-8")
        assert "<script" not in html  # no JavaScript at all: the title's markup is escaped
        assert not re.search(r"<(link|img|iframe)\b|@import|url\(|src=", html)
        assert "Microsoft YaHei" in html and "WenQuanYi Zen Hei" in html
        assert "@page { size: A4" in html
    bulletin = files["bulletin.html"].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;附件链接无法打开" in bulletin


def test_the_scorecard_chart_is_inline_svg_with_a_line_per_unit(files) -> None:
    html = files["scorecard.html"].read_text(encoding="utf-8")
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert svg.count("<polyline") == 3
    assert "第1期 09-30" in svg and "第2期 10-14" in svg
    assert "咸阳市人力资源和社会保障局" in svg


@pytest.mark.parametrize("name", ["bulletin", "scorecard"])
def test_xlsx_rows_equal_the_json_rows(files, name) -> None:
    content = json.loads(files[f"{name}.json"].read_text(encoding="utf-8"))
    book = load_workbook(files[f"{name}.xlsx"])
    report = BULLETIN if name == "bulletin" else SCORECARD
    assert book.sheetnames == [section.title for section in report.sections]
    for section in report.sections:
        sheet = book[section.title]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == [column.header for column in section.columns]
        assert rows[1:] == [[row[c.key] for c in section.columns] for row in content[section.key]]
        assert sheet.auto_filter.ref == sheet.dimensions
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["B"].width == section.columns[1].width


def test_markdown_lists_every_section(files) -> None:
    md = files["bulletin.md"].read_text(encoding="utf-8")
    assert md.startswith("# 政府网站纠错通报（2026年第2期）")
    for title in ("## 一、汇总", "## 二、通报", "## 三、本期新发现问题", "## 四、前期未整改问题",
                  "## 五、已整改问题"):
        assert title in md
    assert "| 咸阳市某某县人民政府 | 2 | 2 | 4、5 |" in md
    assert "&lt;script>alert('x')&lt;/script>附件链接无法打开" in md


def test_rendering_a_stored_bulletin_again_gives_the_same_html(files) -> None:
    content = json.loads(files["bulletin.json"].read_text(encoding="utf-8"))
    assert render_html(BULLETIN, content) == files["bulletin.html"].read_text(encoding="utf-8")


def test_chinese_numbers_dates_and_markdown_cells() -> None:
    assert [cn_number(n) for n in (1, 9, 10, 11, 20, 23, 99)] == [
        "一", "九", "十", "十一", "二十", "二十三", "九十九"]
    assert cn_date("2026-10-09") == "2026年10月9日"
    assert md_cell("a|b\nc") == "a\\|b c"
    assert md_cell(None) == ""
