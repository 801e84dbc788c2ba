"""``govwatch report-check``: what it prints and how it exits, on files and on a URL."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.cli import run

FIXTURES = Path(__file__).parent.parent / "rules" / "fixtures" / "annual"
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"]


def lines_with(stdout: str, *parts: str) -> list[str]:
    return [ln for ln in stdout.splitlines() if all(p in ln for p in parts)]


def test_a_report_that_holds_exits_0_and_prints_what_was_read():
    code, out, _ = run("report-check", str(FIXTURES / "lushan-2020.txt"))
    assert code == 0
    assert "模板：政府信息公开工作年度报告格式（国办公开办函〔2021〕30号）（gov-2021）" in out
    assert "标题：庐山市交通运输局2020年政府信息公开工作年度报告（年度 2020）" in out
    assert lines_with(out, "✓", "六、其他需要报告的事项", "三、其他需要报告的事项")
    assert lines_with(out, "行政许可", "1448 62 1550")
    assert len(lines_with(out, "✓", "表三", "第一项加第二项之和等于第三项加第四项之和")) == 7
    assert "✗" not in out and out.rstrip().endswith("结论：全部成立")


def test_a_failed_identity_exits_3_and_shows_both_sides(tmp_path):
    text = (FIXTURES / "lushan-2020.txt").read_text(encoding="utf-8")
    path = tmp_path / "changed.txt"
    path.write_text(text.replace("一、本年新收政府信息公开申请数量 |\n0 |",
                                 "一、本年新收政府信息公开申请数量 |\n5 |"), encoding="utf-8")
    code, out, _ = run("report-check", str(path))
    assert code == 3
    [line] = lines_with(out, "✗", "自然人", "第一项加第二项之和")
    assert "一 5 + 二 0 = 5" in line and "（七）总计 0 + 四 0 = 0" in line
    assert out.rstrip().endswith("结论：存在问题")


def test_html_as_json_with_the_structure_judged():
    code, out, _ = run("report-check", str(FIXTURES / "report-2021.html"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["template"] == "gov-2021" and data["title_year"] == 2024
    assert data["structure"] == {"template": "gov-2021", "ok": True, "missing": [],
                                 "misordered": False, "detail": ""}
    [table] = [t for t in data["tables"] if t["key"] == "applications"]
    assert table["rows"][0]["values"] == [6, 2, 0, 0, 1, 0, 9]
    assert data["identities"] and all(c["holds"] for c in data["identities"])


def test_a_missing_section_exits_3(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("\n".join(["某某局2024年政府信息公开工作年度报告", *HEADINGS[:3],
                               "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0",
                               "（七）总计 0 0 0 0 0 0 0", *HEADINGS[4:]]), encoding="utf-8")
    code, out, _ = run("report-check", str(path))
    assert code == 3
    assert lines_with(out, "✗", "四、政府信息公开行政复议、行政诉讼情况", "缺失")


def test_text_without_a_report_exits_4(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_text("2024年政府信息公开工作年度报告\n（本报告为扫描图片）", encoding="utf-8")
    code, out, _ = run("report-check", str(path))
    assert code == 4 and "模板：未识别" in out


@pytest.mark.parametrize(("name", "message"), [
    ("absent.txt", "no such file"),
    ("slides.pptx", "cannot read .pptx files"),
])
def test_bad_input_exits_2(tmp_path, name, message):
    if name.endswith(".pptx"):
        (tmp_path / name).write_bytes(b"PK\x03\x04")
    code, _, err = run("report-check", str(tmp_path / name))
    assert code == 2 and message in err


@pytest.fixture
def served():
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_on_a_private_address_needs_allow_private(served):
    url = f"{served}/report-2021.html"
    code, _, err = run("report-check", url)
    assert code == 2 and "private address" in err and "--allow-private" in err
    code, out, _ = run("report-check", url, "--allow-private")
    assert code == 0 and "某某县农业农村局2024年政府信息公开工作年度报告" in out


# The 2024 report of report-2021.html as LibreOffice made it a PDF and a DOCX (the fixtures'
# README). Its numbers, read off the HTML by hand: table 三's rows that are not all zeros,
# table 四's one row, and table 二.
OFFICE_TABLE_3 = {
    "new": [6, 2, 0, 0, 1, 0, 9], "carried": [1, 0, 0, 0, 0, 0, 1],
    "granted": [3, 2, 0, 0, 0, 0, 5], "partial": [1, 0, 0, 0, 0, 0, 1],
    "refused_third_party": [0, 0, 0, 0, 1, 0, 1], "unavailable_not_held": [1, 0, 0, 0, 0, 0, 1],
    "unprocessed_repeat": [1, 0, 0, 0, 0, 0, 1], "total": [6, 2, 0, 0, 1, 0, 9],
    "forward": [1, 0, 0, 0, 0, 0, 1],
}
SUBTOTALS = {"results", "refused", "unavailable", "unprocessed", "other"}
OFFICE_TABLE_4 = [1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]
OFFICE_TABLE_2 = {"regulations": [0, 0, 0], "normative": [2, 1, 14], "licensing": [356],
                  "penalties": [27], "coercion": [3], "fees": [0]}


def office_pages(name: str) -> list[str]:
    from govwatch.crawler.documents import extract_file

    extraction = extract_file(FIXTURES / name)
    assert extraction.status == "read"
    return [text for _, text in extraction.parts]


def test_the_pdf_fixture_breaks_table_3_and_table_4_across_pages():
    """The premise of the PDF tests: the table is really split by the office software."""
    first, second, third = office_pages("report-2021.pdf")
    assert "一、本年新收政府信息公开申请数量" in first and "（七）总计" not in first
    assert "（七）总计" in second and "四、结转下年度继续办理" in second
    assert "行政复议" in second and "1 0 0 1 2 0 0 0 0 0 0 1 0 0 1" in third


def test_the_thead_pdf_fixture_prints_table_3s_header_again_on_page_2():
    first, second, _ = office_pages("report-2021-thead.pdf")
    for page in (first, second):
        assert "申请人情况" in page and "法人或其他组织" in page
    assert "（七）总计" in second and "（七）总计" not in first


@pytest.mark.parametrize("name", ["report-2021.html", "report-2021.pdf", "report-2021.docx",
                                  "report-2021-thead.pdf"])
def test_office_documents_read_the_same_numbers_as_the_html_report(name):
    code, out, _ = run("report-check", str(FIXTURES / name), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["title"] == "某某县农业农村局2024年政府信息公开工作年度报告"
    assert (data["title_year"], data["period_year"]) == (2024, 2024)
    assert data["structure"]["ok"]
    tables = {t["key"]: {r["key"]: r["values"] for r in t["rows"]} for t in data["tables"]}
    for key, values in tables["applications"].items():
        # rows heading sub-rows print no numbers of their own
        expected = None if key in SUBTOTALS else OFFICE_TABLE_3.get(key, [0] * 7)
        assert values == expected, key
    assert list(tables["appeals"].values()) == [OFFICE_TABLE_4]
    assert {k: v for k, v in tables["proactive"].items() if v} == OFFICE_TABLE_2
    assert data["identities"] and all(c["holds"] for c in data["identities"])


def test_a_changed_cell_in_the_pdf_fails_naming_table_column_and_both_sides():
    code, out, _ = run("report-check", str(FIXTURES / "report-2021-changed.pdf"))
    assert code == 3
    [line] = lines_with(out, "✗", "表三", "自然人", "第一项加第二项之和")
    assert "一 6 + 二 1 = 7" in line and "（七）总计 5 + 四 1 = 6" in line
    [line] = lines_with(out, "✗", "表三", "（七）总计", "总计等于自然人与法人或其他组织各项之和")
    assert "总计 9 = 9" in line and "自然人 5 + 商业企业 2" in line
    assert out.rstrip().endswith("结论：存在问题")


def test_a_row_label_cut_by_the_page_break_is_shown_as_not_found():
    # LibreOffice cut the cell 三、本年度办理结果 at the page break (三、本年 | 度办理结 果), with
    # （一）予以公开's row between: the row heading its sub-rows is not found, and says so;
    # its sub-rows carry the numbers, so nothing is left undecided.
    code, out, _ = run("report-check", str(FIXTURES / "report-2021.pdf"))
    assert code == 0
    assert lines_with(out, "三、本年度办理结果（未找到）")


@pytest.mark.parametrize(("text", "said"), [
    ("template: x\nsections: [1\n", "bad.yaml:3: YAML error: expected ',' or ']'"),
    ("template: x\nsections: 5\n", "bad.yaml:1: sections must be a list"),
    ("template: x\nsections:\n  - {key: a, title: b, pattern: b}\ntables:\n  - key: t\n"
     "    section: a\n    rows: 3\n", "bad.yaml:5: rows must be a list"),
    ("template: x\nsections:\n  - just a heading\n",
     "bad.yaml:3: each of sections must be a mapping with key, title"),
])
def test_a_broken_template_file_is_one_line_naming_its_file_and_line(tmp_path, text, said):
    template = tmp_path / "bad.yaml"
    template.write_text(text, encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text("一、总体情况", encoding="utf-8")
    code, _, err = run("report-check", str(report), "--template", str(template))
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err, err
    assert said in err, err
