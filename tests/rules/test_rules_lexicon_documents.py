"""The lexicon rules over attachments (the ``document`` scope): a finding names the
attachment, the page linking it and the page (or paragraph, or sheet row) where the word
stands; ``since`` is judged by the linking page's date."""

from __future__ import annotations

import pytest
from support.scanbuilder import ScanBuilder, home_url

from govwatch.rules.catalogue import load_catalogue

NOTICE = "根据国家旅游局有关要求，现将暑期旅游安全工作有关事项通知如下。"


@pytest.fixture
def scan(tmp_path) -> ScanBuilder:
    return ScanBuilder(tmp_path / "g.db")


def test_the_gov_2019_lexicon_rules_read_attachments():
    catalogue = load_catalogue()
    for rule in ("content.serious_error", "content.outdated_name", "content.typo"):
        assert "document" in catalogue.rule(rule).params["scopes"]


def test_an_outdated_agency_name_on_page_3_of_an_attachment(scan):
    page, pdf = home_url("a") + "tzgg/1.html", home_url("a") + "tzgg/P1.pdf"
    scan.page("a", page, title="关于做好暑期旅游安全工作的通知", text="详见附件。",
              pub_date="2024-06-03")
    scan.document("a", pdf, page, [("第1页", "封面"), ("第2页", "目录"), ("第3页", NOTICE)])
    [finding] = scan.findings("content.outdated_name")
    assert (finding.subject_url, finding.source_url) == (pdf, page)
    assert finding.detail == ("附件 第3页出现已更名或撤销的机构名称 1 处："
                              "【国家旅游局】应为：文化和旅游部")
    assert finding.evidence == ("附件 第3页：根据【国家旅游局】有关要求，现将暑期旅游安全工作"
                                "有关事项通知如下。（应为：文化和旅游部）")


def test_an_attachment_linked_from_a_page_before_the_reform_is_not_judged(scan):
    page = home_url("a") + "tzgg/2017.html"
    scan.page("a", page, title="2017年通知", text="详见附件。", pub_date="2017-06-03")
    scan.document("a", home_url("a") + "tzgg/P2017.pdf", page, [("第1页", NOTICE)])
    assert scan.findings("content.outdated_name") == []


def test_a_word_documents_paragraph_and_a_sheets_row_are_named(scan):
    page = home_url("a") + "tzgg/3.html"
    scan.page("a", page, title="通知", text="详见附件。", pub_date="2024-06-03")
    scan.document("a", home_url("a") + "tzgg/t.docx", page, [("全文", f"通知\n\n{NOTICE}")],
                  fmt="docx")
    scan.document("a", home_url("a") + "tzgg/t.xlsx", page,
                  [("Sheet1", "序号\t单位\n1\t国家旅游局\t")], fmt="xlsx")
    found = {f.subject_url.rsplit("/", 1)[-1]: f for f in scan.findings("content.outdated_name")}
    assert found["t.docx"].evidence.startswith("附件 第3段：根据【国家旅游局】")
    assert found["t.xlsx"].detail.startswith("附件 Sheet1 第2行出现已更名或撤销的机构名称 1 处")


def test_an_attachment_not_read_is_not_judged(scan):
    page = home_url("a") + "tzgg/4.html"
    scan.page("a", page, title="通知", text="详见附件。", pub_date="2024-06-03")
    scan.document("a", home_url("a") + "tzgg/scan.pdf", page, [], status="image_only")
    assert scan.findings("content.outdated_name") == []
