"""Attachments read as text: each fixture's status, the text of pages and sheets, and the
pool's limits against documents and readers that would hang or balloon."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.documents import pdf_of_pages

from govwatch.core.vocabulary import DocumentStatus
from govwatch.crawler.documents import (
    ExtractorPool,
    Limits,
    extract_bytes,
    extract_file,
    normalise,
    sniff,
)

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
FAKE_ID = "620102198502131239"  # checksum-valid, as tests/rules make them


def read(name: str, limits: Limits | None = None):
    return extract_bytes((FIXTURES / name).read_bytes(), name, limits)


@pytest.mark.parametrize(("name", "status", "kind"), [
    ("notice.pdf", "read", "pdf"),
    ("notice.docx", "read", "docx"),
    ("notice.doc", "read", "doc"),
    ("notice.wps", "read", "wps"),
    ("roster.xlsx", "read", "xlsx"),
    ("roster.xls", "read", "xls"),
    ("roster.et", "read", "et"),
    ("report.ofd", "read", "ofd"),
    ("scanned.pdf", "image_only", "pdf"),
    ("blank.pdf", "empty", "pdf"),
    ("empty.docx", "empty", "docx"),
    ("encrypted.pdf", "encrypted", "pdf"),
    ("corrupt.pdf", "corrupt", "pdf"),
])
def test_each_fixture_gets_its_status(name, status, kind):
    got = read(name)
    assert (got.status, got.format) == (status, kind)
    assert DocumentStatus(got.status)  # one of the vocabulary's
    assert bool(got.reason) == (status != "read")  # a reason exactly when not read
    assert (got.chars > 0) == (status == "read")


def test_a_document_past_the_byte_limit_is_too_large_unread():
    got = read("notice.docx", Limits(max_bytes=1000))
    assert got.status == "too_large" and "1000" in got.reason and got.parts == []


def test_pdf_pages_keep_chinese_as_printed():
    got = read("notice.pdf")
    first = got.parts[0]
    assert first[0] == "第1页"
    assert "人民调解" in first[1] and "⼈" not in first[1] and "⺠" not in first[1]
    assert FAKE_ID in first[1]


def test_radical_code_points_read_as_the_characters_they_stand_for():
    assert normalise("⼈⺠政府\r\n第⼀条") == "人民政府\n第一条"


@pytest.mark.parametrize("name", ["roster.xlsx", "roster.xls", "roster.et"])
def test_sheets_keep_rows_as_lines_and_cells_tab_separated(name):
    (label, text), = read(name).parts
    assert label == "roster"
    lines = text.split("\n")
    assert lines[0] == "序号\t姓名\t身份证号\t金额（元）"
    assert lines[1] == f"1\t张某\t{FAKE_ID}\t1200"  # row 2 of the sheet, its ID as text
    assert lines[2] == "2\t李某\t略\t800"


@pytest.mark.parametrize("name", ["notice.docx", "notice.doc", "notice.wps"])
def test_word_documents_give_paragraphs_and_table_rows_as_lines(name):
    (label, text), = read(name).parts
    assert label == "全文"
    lines = [line for line in text.split("\n") if line]
    assert lines[0] == "关于2024年度人民调解员补贴发放的公示"
    assert f"1\t张某\t{FAKE_ID}\t1200" in lines
    assert lines[-1] == "公示期为5个工作日。联系电话：0931-1234567。"


def test_ofd_pages_come_from_their_text_codes_in_page_order():
    got = read("report.ofd")
    assert [label for label, _ in got.parts] == ["第1页", "第2页"]
    assert got.parts[0][1] == "2024年政府信息公开工作年度报告\n一、总体情况"
    assert got.parts[1][1].endswith("人民群众满意度进一步提高。")


def test_the_format_is_sniffed_from_the_bytes_not_the_name():
    docx = (FIXTURES / "notice.docx").read_bytes()
    assert sniff(docx, "attachment.doc") == "docx"
    assert sniff((FIXTURES / "notice.doc").read_bytes(), "x.wps") == "wps"
    assert extract_bytes(docx, "misnamed.pdf").status == "read"


def test_a_pdf_of_thousands_of_pages_stops_at_the_page_limit():
    data = pdf_of_pages(5000)
    started = time.monotonic()
    got = extract_bytes(data, "huge.pdf", Limits(max_pages=1000))
    assert got.status == "too_large" and "5000" in got.reason
    assert time.monotonic() - started < 5  # refused by its count, not read page by page


def test_a_spreadsheet_past_the_text_limit_is_too_large():
    got = read("roster.xlsx", Limits(max_chars=20))
    assert got.status == "too_large" and "20" in got.reason


def test_the_pool_kills_a_reader_that_never_answers_and_goes_on():
    with ExtractorPool(1, reader="support.hostile_readers:sleep_forever") as stuck:
        started = time.monotonic()
        got = stuck.extract(b"%PDF-1.4 whatever", "stuck.pdf", Limits(seconds=1))
        assert got.status == "too_large" and "1 秒" in got.reason and got.format == "pdf"
        assert time.monotonic() - started < 4
        # the next job gets a fresh worker, which is stopped the same way
        assert stuck.extract(b"x", "again.pdf", Limits(seconds=0.5)).status == "too_large"
        assert stuck.jobs == 2


def test_a_reader_past_its_memory_limit_does_not_take_the_pool_down():
    with ExtractorPool(1, reader="support.hostile_readers:balloon") as pool:
        got = pool.extract(b"%PDF-1.4", "big.pdf", Limits(memory=512 * 1024 * 1024))
    assert got.status in ("too_large", "failed") and got.reason


def test_a_worker_that_dies_gives_failed_and_the_next_job_a_new_worker():
    with ExtractorPool(1, reader="support.hostile_readers:crash") as pool:
        got = pool.extract(b"data", "x.xls", Limits())
        assert got.status == "failed" and "7" in got.reason
        assert pool.extract(b"data", "x.xls", Limits()).status == "failed"


def test_the_pool_reads_documents_as_extract_bytes_does(tmp_path):
    with ExtractorPool(2) as pool:
        futures = [pool.submit((FIXTURES / n).read_bytes(), n, Limits())
                   for n in ("notice.pdf", "roster.xlsx", "report.ofd", "encrypted.pdf")]
        got = [f.result(timeout=30) for f in futures]
    assert [g.status for g in got] == ["read", "read", "read", "encrypted"]
    assert got[1].parts == read("roster.xlsx").parts


def test_extract_file_reads_one_local_file(tmp_path):
    got = extract_file(FIXTURES / "report.ofd")
    assert got.status == "read" and got.pages == 2
    big = tmp_path / "big.pdf"
    big.write_bytes((FIXTURES / "notice.pdf").read_bytes())
    assert extract_file(big, Limits(max_bytes=100)).status == "too_large"


def test_a_worker_outlives_no_crawl_that_was_killed(tmp_path):
    """A worker stuck on a document ends when the process that started it is killed."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from govwatch.crawler.documents import ExtractorPool, Limits\n"
        "pool = ExtractorPool(1, reader='support.hostile_readers:sleep_forever')\n"
        "future = pool.submit(b'x', 'x.pdf', Limits(seconds=600))\n"
        "time.sleep(1.5)\n"
        "print(pool._workers[0].process.pid, flush=True)\n"
        "time.sleep(600)\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH", "")])}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env,
                              text=True)
    worker = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(worker, signal.SIGKILL)
        raise AssertionError("the worker outlived its parent")


def _word_flagged_encrypted(data: bytes) -> bytes:
    """*data*, a Word binary file, with its FIB's fEncrypted bit set: the FIB opens the
    WordDocument stream (magic 0xA5EC) at the start of a 512-byte sector."""
    at = next(i for i in range(512, len(data), 512) if data[i:i + 2] == b"\xec\xa5")
    flags = int.from_bytes(data[at + 0x0A:at + 0x0C], "little") | 0x0100
    return data[:at + 0x0A] + flags.to_bytes(2, "little") + data[at + 0x0C:]


@pytest.mark.parametrize("name", ["notice.doc", "notice.wps"])
def test_a_word_binary_marked_encrypted_is_encrypted(name):
    got = extract_bytes(_word_flagged_encrypted((FIXTURES / name).read_bytes()), name)
    assert (got.status, got.parts) == ("encrypted", [])


@pytest.mark.parametrize("name", ["notice.docx", "roster.xlsx", "report.ofd", "notice.doc",
                                  "roster.xls"])
def test_a_truncated_office_file_is_corrupt(name):
    data = (FIXTURES / name).read_bytes()
    got = extract_bytes(data[:len(data) // 2], name)
    assert got.status == "corrupt" and got.reason


@pytest.mark.parametrize("data", [
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,  # an OLE header and nothing more
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"PK\x03\x04 cut",
])
@pytest.mark.parametrize("name", ["x.doc", "x.xls", "x.docx"])
def test_a_few_bytes_of_a_container_are_corrupt_never_a_crash(data, name):
    # olefile takes short bytes for a file name: the readers hand it a stream
    got = extract_bytes(data, name)
    assert got.status == "corrupt" and got.reason
