"""Attachments read within a scan, end to end on a fixture portal served on 127.0.0.1.

The portal is written here: a home page and a list page linking the fixture documents
(tests/crawler/fixtures/documents, made by LibreOffice), one missing attachment, and a
document of a format the crawl does not read. Each scan runs the crawl's own child process,
its worker pool and writer; the statuses expected are the fixtures' (their README).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from support.cli import run
from support.documents import pdf_of_pages
from support.portals import scan

from govwatch.core.compact import unpack_text
from govwatch.core.vocabulary import ScanStatus
from govwatch.demo.server import PortalServer
from govwatch.rules.engine import evaluate_scan

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
FAKE_ID = "620102198502131239"
# The crawl runs in a child process: the test readers (support.hostile_readers) are found
# by the path the tests import them from.
TESTS = str(Path(__file__).parent.parent)
HOME = """<html><head><meta charset="utf-8"><title>某某县人民政府</title></head><body>
<div class="nav"><a href="gsgg.html">公示公告</a></div>
<p><a href="files/notice.pdf">补贴发放公示.pdf</a> <a href="files/roster.xlsx">补贴名单</a></p>
</body></html>"""
LIST = """<html><head><meta charset="utf-8"><title>公示公告</title></head><body><ul>
<li><a href="files/scanned.pdf">扫描件</a></li><li><a href="files/encrypted.pdf">加密文件</a></li>
<li><a href="files/report.ofd">年度报告</a></li><li><a href="files/notice.wps">通知</a></li>
<li><a href="files/roster.et">名单</a></li><li><a href="files/missing.pdf">已删除</a></li>
<li><a href="files/slides.pptx">课件</a></li></ul></body></html>"""
# What each attachment read as: status, format, pages.
EXPECTED = {
    "notice.pdf": ("read", "pdf", 1), "roster.xlsx": ("read", "xlsx", 1),
    "scanned.pdf": ("image_only", "pdf", 0), "encrypted.pdf": ("encrypted", "pdf", 0),
    "report.ofd": ("read", "ofd", 2), "notice.wps": ("read", "wps", 1),
    "roster.et": ("read", "et", 1), "missing.pdf": ("failed", "pdf", None),
}


def make_portal(root: Path, *, extra: dict[str, bytes] | None = None) -> Path:
    """The fixture portal in *root*: pages linking the fixture documents (and *extra*
    files, linked from the list too)."""
    files = root / "files"
    files.mkdir(parents=True)
    for name in EXPECTED:
        if name != "missing.pdf":
            shutil.copy(FIXTURES / name, files / name)
    (files / "slides.pptx").write_bytes(b"PK\x03\x04 not read")
    listing = LIST
    for name, data in (extra or {}).items():
        (files / name).write_bytes(data)
        listing = listing.replace("</ul>", f'<li><a href="files/{name}">{name}</a></li></ul>')
    (root / "index.html").write_text(HOME, encoding="utf-8")
    (root / "gsgg.html").write_text(listing, encoding="utf-8")
    return root


def sites_file(path: Path, url: str, **crawl) -> Path:
    site = {"id": "county", "name": "某某县人民政府", "url": url}
    if crawl:
        site["crawl"] = crawl
    path.write_text(yaml.safe_dump({"sites": [site]}, allow_unicode=True), encoding="utf-8")
    return path


def documents(db: Path, scan_id: int) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {r["url"].rsplit("/", 1)[-1]: dict(r) for r in conn.execute(
            "select * from documents where scan_id = ?", [scan_id])}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    with PortalServer(make_portal(tmp_path_factory.mktemp("portal"))) as server:
        yield server


@pytest.fixture(scope="module")
def first(portal, tmp_path_factory):
    """One scan of the portal, its reads counted: (database, outcome, names read)."""
    work = tmp_path_factory.mktemp("scan")
    reads = work / "reads.txt"
    reads.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVWATCH_TEST_READS", str(reads))
        patch.setenv("PYTHONPATH", TESTS)
        outcome = scan(sites_file(work / "sites.yaml", portal.url), work / "govwatch.db",
                       settings={"GOVWATCH_DOCUMENT_READER": "support.hostile_readers:counting"})
    return work / "govwatch.db", outcome, reads.read_text().split()


def test_the_scan_reads_each_attachment_into_its_status(first, portal):
    db, outcome, _ = first
    assert outcome.status is ScanStatus.COMPLETE
    found = documents(db, outcome.scan_id)
    assert {name: (row["status"], row["format"], row["pages"]) for name, row in found.items()
            } == EXPECTED  # the .pptx is no attachment read: a link checked, as before
    assert found["notice.pdf"]["source_url"] == portal.url
    assert found["report.ofd"]["source_url"] == portal.url + "gsgg.html"
    assert found["missing.pdf"]["reason"] == "下载失败（HTTP 404）"
    assert "扫描件" in found["scanned.pdf"]["reason"]
    assert all(row["extracted"] == (name != "missing.pdf") for name, row in found.items())


def test_page_and_sheet_texts_are_stored_by_page_and_sheet(first):
    db, outcome, _ = first
    conn = sqlite3.connect(db)
    rows = {(url.rsplit("/", 1)[-1], label): unpack_text(text) for url, label, text in conn.execute(
        "select url, label, text_zlib from document_pages where scan_id = ?", [outcome.scan_id])}
    assert FAKE_ID in rows["notice.pdf", "第1页"] and "人民调解" in rows["notice.pdf", "第1页"]
    assert rows["roster.xlsx", "roster"].split("\n")[1] == f"1\t张某\t{FAKE_ID}\t1200"
    assert rows["report.ofd", "第2页"].endswith("人民群众满意度进一步提高。")


def test_govwatch_documents_lists_the_latest_scans_attachments(first, portal):
    db, _, _ = first
    code, out, _ = run("documents", "--db", str(db), "--format", "json")
    assert code == 0
    listed = {row["url"].rsplit("/", 1)[-1]: row for row in json.loads(out)}
    assert {n: (r["status"], r["format"], r["pages"]) for n, r in listed.items()} == EXPECTED
    assert listed["roster.xlsx"]["source_url"] == portal.url
    assert listed["notice.pdf"]["chars"] > 100
    code, table, _ = run("documents", "--db", str(db), "--site", "county")
    assert code == 0 and "仅图像（扫描件）" in table and "已加密" in table  # statuses in Chinese
    code, _, err = run("documents", "--db", str(db), "--site", "nowhere")
    assert code == 2 and "nowhere" in err


def test_govwatch_documents_text_prints_an_attachment_page_by_page(first, portal):
    db, _, _ = first
    code, out, _ = run("documents", "--db", str(db), "--text", f"{portal.url}files/report.ofd")
    assert code == 0
    # the fixture's two pages (make_fixtures.py), each under its label
    assert out == ("==== 第1页 ====\n2024年政府信息公开工作年度报告\n一、总体情况\n\n"
                   "==== 第2页 ====\n二、主动公开政府信息情况\n人民群众满意度进一步提高。\n")
    code, out, _ = run("documents", "--db", str(db), "--text", f"{portal.url}files/roster.xlsx",
                       "--format", "json")
    assert code == 0 and FAKE_ID in json.loads(out)["parts"][0]["text"]
    code, out, _ = run("documents", "--db", str(db), "--text", f"{portal.url}files/scanned.pdf")
    assert code == 0 and "仅图像（扫描件）" in out
    code, _, err = run("documents", "--db", str(db), "--text", f"{portal.url}files/nowhere.pdf")
    assert code == 2 and "no attachment" in err


def test_privacy_id_number_finds_the_id_in_attachments_with_page_sheet_and_row(
        first, portal, tmp_path):
    db = tmp_path / "judged.db"
    shutil.copy(first[0], db)
    evaluate_scan(db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    found = {r["subject_url"].rsplit("/", 1)[-1]: dict(r) for r in conn.execute(
        "select * from findings where rule_id = 'privacy.id_number'")}
    # the ID is in the notice (PDF, WPS) and the roster (XLSX, ET); not in the OFD, and the
    # scanned and encrypted PDFs hold no text to find it in
    assert set(found) == {"notice.pdf", "notice.wps", "roster.xlsx", "roster.et"}
    assert found["roster.xlsx"]["source_url"] == portal.url
    assert found["notice.wps"]["source_url"] == portal.url + "gsgg.html"
    assert found["roster.xlsx"]["detail"] == "附件（XLSX）roster 第2行出现不应出现的内容 1 处"
    assert found["roster.et"]["detail"] == "附件（ET）roster 第2行出现不应出现的内容 1 处"
    assert found["notice.pdf"]["detail"] == "附件（PDF）第1页出现不应出现的内容 1 处"
    assert found["notice.wps"]["detail"].startswith("附件（WPS）第4段")
    for finding in found.values():
        assert "620102********1239" in finding["evidence"]  # masked as on pages
        assert FAKE_ID not in finding["evidence"] and FAKE_ID[6:14] not in finding["evidence"]
    assert found["roster.xlsx"]["evidence"].startswith("roster 第2行：")


def test_attachments_are_fetched_politely_by_get_once(first, portal):
    requested = [(m, p) for m, p in portal.requests if p.startswith("/files/")]
    read = [p for m, p in requested if m == "GET"]
    assert sorted(read) == sorted(f"/files/{name}" for name in EXPECTED)  # once each
    assert ("HEAD", "/files/slides.pptx") in requested  # not read: its headers only


def test_a_rescan_reads_no_unchanged_attachment_again(first, portal, tmp_path):
    db, _, reads = first
    assert sorted(reads) == sorted(n for n in EXPECTED if n != "missing.pdf")
    again = tmp_path / "govwatch.db"
    shutil.copy(db, again)
    log = tmp_path / "reads.txt"
    log.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVWATCH_TEST_READS", str(log))
        patch.setenv("PYTHONPATH", TESTS)
        second = scan(sites_file(tmp_path / "sites.yaml", portal.url), again,
                      settings={"GOVWATCH_DOCUMENT_READER": "support.hostile_readers:counting"})
    assert second.status is ScanStatus.COMPLETE
    assert log.read_text() == ""  # the extractor was not called once
    found = documents(again, second.scan_id)
    assert {n: (r["status"], r["pages"]) for n, r in found.items()} == {
        n: (s, p) for n, (s, _, p) in EXPECTED.items()}
    assert all(r["revalidated"] for n, r in found.items() if n != "missing.pdf")
    assert not any(r["extracted"] for r in found.values())
    conn = sqlite3.connect(again)
    assert conn.execute("select count(*) from document_contents").fetchone()[0] == 7  # shared


def test_an_attachment_past_the_byte_limit_is_not_downloaded_whole(portal, tmp_path):
    outcome = scan(sites_file(tmp_path / "s.yaml", portal.url, document_max_bytes=10_000),
                   tmp_path / "g.db")
    found = documents(tmp_path / "g.db", outcome.scan_id)
    assert outcome.status is ScanStatus.COMPLETE
    assert found["notice.pdf"]["status"] == "too_large"  # 40 KB
    # cut off as it came in (Scrapy's download_maxsize), not read and then refused
    assert found["notice.pdf"]["reason"].startswith("文件超过 10000 字节的上限，未下载完")
    assert found["roster.xlsx"]["status"] == "read"  # 5 KB


def test_a_site_reads_at_most_its_share_of_attachments(portal, tmp_path):
    outcome = scan(sites_file(tmp_path / "s.yaml", portal.url, documents=2), tmp_path / "g.db")
    assert set(documents(tmp_path / "g.db", outcome.scan_id)) == {"notice.pdf", "roster.xlsx"}


def test_attachments_read_before_do_not_count_against_the_share(portal, tmp_path):
    """The share bounds what a scan reads anew: a re-scan asks again for the two read before
    (on their validators) and reads two more, whatever order the crawl meets them in."""
    sites = sites_file(tmp_path / "s.yaml", portal.url, documents=2)
    scan(sites, tmp_path / "g.db")
    second = scan(sites, tmp_path / "g.db")
    found = documents(tmp_path / "g.db", second.scan_id)
    assert len(found) == 4
    assert {n for n, r in found.items() if r["revalidated"]} == {"notice.pdf", "roster.xlsx"}
    assert sum(r["extracted"] for r in found.values()) == 2


def test_hostile_documents_end_in_their_status_and_the_scan_completes(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", TESTS)
    portal = make_portal(tmp_path / "portal", extra={"huge.pdf": pdf_of_pages(3000)})
    with PortalServer(portal) as server:
        outcome = scan(sites_file(tmp_path / "s.yaml", server.url, document_max_pages=500),
                       tmp_path / "g.db")
        found = documents(tmp_path / "g.db", outcome.scan_id)
        assert outcome.status is ScanStatus.COMPLETE
        assert found["huge.pdf"]["status"] == "too_large" and "3000" in found["huge.pdf"]["reason"]
        # a reader stuck for ever on every document: each stops at its time limit
        stuck = scan(sites_file(tmp_path / "t.yaml", server.url, document_timeout=1),
                     tmp_path / "h.db",
                     settings={"GOVWATCH_DOCUMENT_READER": "support.hostile_readers:sleep_forever",
                               "GOVWATCH_DOCUMENT_WORKERS": 2})
    assert stuck.status is ScanStatus.COMPLETE
    found = documents(tmp_path / "h.db", stuck.scan_id)
    assert {r["status"] for n, r in found.items() if n != "missing.pdf"} == {"too_large"}
    assert all("1 秒" in r["reason"] for n, r in found.items() if n != "missing.pdf")
