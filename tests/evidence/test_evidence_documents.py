"""Evidence of a problem found in an attachment (a PDF): the page linking it, the
attachment's anchor outlined, and a note naming the attachment's content (docs/evidence.md).

The portal is written here: a home page linking the fixture PDF
(tests/crawler/fixtures/documents/notice.pdf, made by LibreOffice), which publishes an ID
number, so ``privacy.id_number`` reports it on the attachment.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.evidence_portal import crawl
from support.portals import copy_db

from govwatch.core import kept
from govwatch.core.schema import open_db
from govwatch.evidence.keep import keep_scan
from govwatch.workflow import evaluate_and_track

NOTICE = Path(__file__).parents[1] / "crawler" / "fixtures" / "documents" / "notice.pdf"
HOME = """<html><head><meta charset="utf-8"><title>某某县人民政府</title></head><body>
<div class="main"><h2>公示公告</h2><ul>
<li><a href="files/notice.pdf">补贴发放公示.pdf</a><span>2026-09-01</span></li></ul></div>
<div class="footer"><p>主办单位：某某县人民政府办公室</p></div></body></html>"""


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, int, str]:
    """The portal crawled with evidence on, evaluated and tracked: (database, scan, url)."""
    folder = tmp_path_factory.mktemp("documents")
    root = folder / "portal"
    (root / "files").mkdir(parents=True)
    shutil.copy(NOTICE, root / "files" / "notice.pdf")
    (root / "index.html").write_text(HOME, encoding="utf-8")
    db_path, scan_id, url = crawl(folder, root, evidence=True)
    evaluate_and_track(db_path, scan_id)
    return db_path, scan_id, url


def kept_for(crawled, folder: Path, *, forget_source: bool = False) -> dict:
    """Keep the evidence of a copy of the scan; the kept page of the attachment's issue.
    With *forget_source*, the issue names no linking page (as annual_report.* does): the
    scan's record of the attachment must find it."""
    db_path, scan_id, _ = crawled
    copy = copy_db(db_path, folder / "govwatch.db")
    shutil.copy(kept.spool_path(db_path, scan_id), kept.spool_path(copy, scan_id))
    db = open_db(copy)
    with db.conn:
        issue_id = db.execute("select id from issues where rule_id = 'privacy.id_number'"
                              ).fetchone()[0]
        if forget_source:
            db.execute("update issues set source_url = null where id = ?", [issue_id])
    db.close()
    assert keep_scan(copy, scan_id, screenshots=True, pages=1) is not None
    db = open_db(copy)
    try:
        page = kept.kept_page(db, issue_id)
        page["body"] = kept.body(db, page["body_hash"]) if page["body_hash"] else None
        page["content_hash"] = db.execute(
            "select hash from documents where scan_id = ? and url like '%notice.pdf'",
            [scan_id]).fetchone()[0]
    finally:
        db.close()
    return page


@pytest.mark.parametrize("forget_source", [False, True], ids=["linked", "attachment-only"])
def test_an_attachments_problem_keeps_its_linking_page_with_the_anchor_outlined(
    crawled, tmp_path, forget_source
) -> None:
    _, _, home = crawled
    page = kept_for(crawled, tmp_path, forget_source=forget_source)
    assert page["url"] == home and b"files/notice.pdf" in page["body"]  # the linking page
    assert json.loads(page["locate"]) == {"href": home + "files/notice.pdf"}
    assert page["shot_hash"] and page["shot_note"] is None  # the anchor found and outlined
    assert page["kept_note"] == (f"附件中的问题：存证为链接该附件的页面；附件内容指纹 "
                                 f"{page['content_hash']}")
