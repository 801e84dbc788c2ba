"""End to end: annual reports published only as attachments made by office software.

Three fixture portals on 127.0.0.1 each publish their 2024 report as a PDF linked from the
年报 list, and nowhere as a page: the report as LibreOffice printed it (表三 runs from page 1
to page 2, 表四 from page 2 to page 3), the same with one cell of （七）总计 changed, and a
scanned report (an image on a page, no text). They are scanned (the crawl downloads and
extracts the PDFs) and judged on 2025-11-24, when the 2024 report is due. The PDFs are the
fixtures of tests/rules/fixtures/annual (their README says how they were made).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from support.portals import scan, write_sites

from govwatch.core.schema import open_db
from govwatch.demo.server import PortalServer
from govwatch.rules import store
from govwatch.rules.engine import evaluate_scan

ANNUAL = Path(__file__).parent / "fixtures" / "annual"
DOCUMENTS = Path(__file__).parent.parent / "crawler" / "fixtures" / "documents"
TITLE = "某某县农业农村局2024年政府信息公开工作年度报告"
PDF = "ndbg/P020250121.pdf"
HOME = """<html><head><meta charset="utf-8"><title>某某县农业农村局</title></head><body>
<div class="nav"><a href="ndbg/index.html">政府信息公开年报</a></div></body></html>"""
LIST = f"""<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<ul class="list"><li><a href="P020250121.pdf">{TITLE}</a><span>2025-01-21</span></li></ul>
</body></html>"""
PORTALS = {"good": ANNUAL / "report-2021.pdf", "changed": ANNUAL / "report-2021-changed.pdf",
           "scanned": DOCUMENTS / "scanned.pdf"}


def make_portal(root: Path, pdf: Path) -> Path:
    (root / "ndbg").mkdir(parents=True)
    (root / "index.html").write_text(HOME, encoding="utf-8")
    (root / "ndbg" / "index.html").write_text(LIST, encoding="utf-8")
    shutil.copy(pdf, root / PDF)
    return root


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """The three portals scanned and judged: ({site: [(rule, detail)]}, {site: pdf url})."""
    work = tmp_path_factory.mktemp("annual")
    with (PortalServer(make_portal(work / "good", PORTALS["good"])) as good,
          PortalServer(make_portal(work / "changed", PORTALS["changed"])) as changed,
          PortalServer(make_portal(work / "scanned", PORTALS["scanned"])) as scanned):
        servers = {"good": good, "changed": changed, "scanned": scanned}
        outcome = scan(write_sites(work / "sites.yaml", servers), work / "govwatch.db")
        urls = {name: f"{server.url.rstrip('/')}/{PDF}" for name, server in servers.items()}
    evaluate_scan(work / "govwatch.db", outcome.scan_id, as_of=date(2025, 11, 24))
    found: dict[str, list[tuple[str, str, str]]] = {}
    for f in store.findings_of(open_db(work / "govwatch.db"), outcome.scan_id):
        if f["rule"].startswith("annual_report."):
            found.setdefault(f["site"], []).append((f["rule"], f["url"], f["detail"]))
    return found, urls


def test_a_pdf_report_whose_sums_hold_raises_nothing(judged):
    found, _ = judged
    assert "good" not in found  # read from the extracted pages: not unreadable, no sum fails


def test_a_changed_cell_in_a_pdf_report_is_an_arithmetic_finding(judged):
    found, urls = judged
    [(rule, url, detail)] = found["changed"]
    assert (rule, url) == ("annual_report.arithmetic", urls["changed"])
    # 一 (page 1) and （七）总计 (page 2) are added across the page break
    assert "表三 收到和处理政府信息公开申请情况「自然人」" in detail
    assert "左边 一 6 + 二 1 = 7，右边 （七）总计 5 + 四 1 = 6" in detail


def test_a_scanned_pdf_report_is_unreadable_with_the_reason(judged):
    found, urls = judged
    [(rule, url, detail)] = found["scanned"]
    assert (rule, url) == ("annual_report.unreadable", urls["scanned"])
    assert "2024 年度报告" in detail and "仅图像（扫描件）" in detail
