"""Rules over the text of attachments: the ``document`` scope of ``pattern``, and
``privacy.id_number`` reaching attachments, each place named (page, sheet and row,
paragraph)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.scanbuilder import ScanBuilder, home_url

from govwatch.rules.catalogue import load_catalogue
from govwatch.rules.examples import run_examples
from govwatch.rules.scanview import ScanView

VALID_ID = "620102198502131239"
WRONG_CHECK_DIGIT = "620102198502131230"
EXAMPLES = Path(__file__).parent.parent.parent / "rules" / "packs" / "examples"
PACK = """
pack: custom-documents
version: "1"
rules:
  - id: x.draft
    title: 附件仍为征求意见稿
    severity: advisory
    points: 0
    check: pattern
    params: {scope: document, pages: home, must_not_match: 征求意见稿}
  - id: x.signed
    title: 附件未注明发文机关
    severity: advisory
    points: 0
    check: pattern
    params: {scope: document, must_match: 人民政府}
"""


@pytest.fixture
def scan(tmp_path) -> ScanBuilder:
    return ScanBuilder(tmp_path / "g.db")


def pack(tmp_path: Path) -> str:
    path = tmp_path / "custom.yaml"
    path.write_text(PACK, encoding="utf-8")
    return str(path)


def test_the_id_number_rule_names_the_attachment_its_page_and_the_sheet_row(scan):
    home, notice = home_url("a"), home_url("a") + "gs/1.html"
    scan.page("a", notice, title="公示", text="名单见附件。")
    rows = "\n".join(["序号\t姓名\t身份证号", "", f"1\t张某\t{WRONG_CHECK_DIGIT}",
                      f"2\t李某\t{VALID_ID}"])
    scan.document("a", home + "gs/list.xlsx", notice, [("汇总", "无"), ("Sheet1", rows)],
                  fmt="xlsx")
    scan.document("a", home + "gs/report.pdf", home,
                  [("第1页", "封面"), ("第2页", "正文"), ("第3页", f"身份证号：{VALID_ID}")])
    scan.document("a", home + "gs/letter.docx", home, [("全文", f"通知\n附：\n{VALID_ID}")],
                  fmt="docx")
    found = {f.subject_url.rsplit("/", 1)[-1]: f for f in scan.findings("privacy.id_number")}
    assert set(found) == {"list.xlsx", "report.pdf", "letter.docx"}
    sheet = found["list.xlsx"]
    assert (sheet.source_url, sheet.detail) == (notice, "附件（XLSX）Sheet1 第4行出现不应出现的内容 1 处")
    assert sheet.evidence.startswith("Sheet1 第4行：") and "620102********1239" in sheet.evidence
    assert VALID_ID not in sheet.evidence
    assert found["report.pdf"].detail == "附件（PDF）第3页出现不应出现的内容 1 处"
    assert found["letter.docx"].detail == "附件（DOCX）第3段出现不应出现的内容 1 处"


def test_an_attachment_not_read_is_not_judged(scan):
    scan.document("a", home_url("a") + "scan.pdf", home_url("a"), [], status="image_only")
    scan.findings()  # evaluates without an attachment text to read
    assert scan.findings("privacy.id_number") == []


def test_a_document_rule_covers_the_attachments_of_the_pages_it_covers(tmp_path, scan):
    home, inner = home_url("a"), home_url("a") + "x/1.html"
    scan.page("a", inner, title="页", text="正文")
    scan.document("a", home + "a.pdf", home, [("第1页", "某某县人民政府（征求意见稿）")])
    scan.document("a", home + "b.pdf", inner, [("第1页", "征求意见稿"), ("第2页", "人民政府")])
    scan.document("a", home + "c.pdf", inner, [("第1页", "办公室")])
    found = scan.findings(packs=[pack(tmp_path)])
    draft = [(f.subject_url, f.source_url) for f in found if f.rule_id == "x.draft"]
    assert draft == [(home + "a.pdf", home)]  # pages: home: only what the home page links
    signed = [f for f in found if f.rule_id == "x.signed"]
    assert [f.subject_url for f in signed] == [home + "c.pdf"]  # must_match over every page
    assert signed[0].detail == "附件（PDF）未出现规定内容 /人民政府/"


def test_the_view_gives_each_attachment_and_its_page_texts(scan):
    scan.document("a", home_url("a") + "r.ofd", home_url("a"),
                  [("第1页", "一、总体情况"), ("第2页", "二、主动公开")], fmt="ofd")
    scan.complete()
    with ScanView.open(scan.path) as view:
        (document,) = view.documents("a")
        assert (document.url, document.format, document.pages) == (
            home_url("a") + "r.ofd", "ofd", 2)
        assert view.document_texts(document) == [("第1页", "一、总体情况"), ("第2页", "二、主动公开")]
        sql = ("select label from document_pages where scan_id = :scan "
               "and document_text(text_zlib) like '%主动公开%'")
        assert [row[0] for row in view.rows(sql, {})] == ["第2页"]
        assert view.documents("b") == []


def test_the_attachments_example_pack_passes_its_own_examples():
    results = run_examples(load_catalogue([str(EXAMPLES / "attachments.yaml")]).rules)
    mine = [r for r in results if r.rule.id == "document.mobile_number"]
    assert len(mine) == 4 and all(r.ok for r in mine)


def test_a_scope_list_must_name_known_scopes(tmp_path):
    from govwatch.rules.model import RuleError

    path = tmp_path / "bad.yaml"
    path.write_text(PACK.replace("scope: document,", "scope: [text, attachment],"),
                    encoding="utf-8")
    with pytest.raises(RuleError, match="attachment"):
        load_catalogue([str(path)])
