"""An issue's evidence (存证) on the platform: its screenshot and kept page, each shown only to
the accounts that may see the issue, the raw page to the office alone (docs/evidence.md).

The city world keeps no pages of its own; the kept pages here are written by hand: #1 of
咸阳市交通运输局 (a broken link's page, whose body publishes an ID number, with a
screenshot) and #5 of 某某县人民政府 (a footer, screenshot missing, with a screenshot of its
own under another hash).
"""

from __future__ import annotations

import json
import zlib

import pytest
from support.evidence_portal import ID_HIDDEN, ID_NUMBER

from govwatch.core import kept
from govwatch.core.schema import open_db

JTJ_SHOT = b"\xff\xd8\xff\xe0 the screenshot of #1"
SX_SHOT = b"\xff\xd8\xff\xe0 the screenshot of #5"
BODY = (f"<html><head><meta charset='utf-8'></head><body><p>公示：张三，身份证号 {ID_NUMBER}"
        "</p><a href='/files/x.pdf'>附件</a></body></html>").encode()
JTJ_HASH, SX_HASH = kept.sha256(JTJ_SHOT), kept.sha256(SX_SHOT)
MASKED = ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]


@pytest.fixture
def evidence(settings):
    """The kept pages of #1 and #5 in the city's database."""
    db = open_db(settings.db_path)
    with db.conn:
        digest = kept.sha256(BODY)
        kept.keep_body(db, digest, zlib.compress(BODY))
        assert kept.keep_shot(db, JTJ_SHOT, 1280, 900) == JTJ_HASH
        db["kept_pages"].insert({
            "issue_id": 1, "scan_id": 2, "url": "http://jtj.xianyang.example/tzgg/a.html",
            "final_url": "http://jtj.xianyang.example/tzgg/a.html?from=redirect",
            "status": 200, "encoding": "utf-8", "fetched_at": "2026-10-12T02:03:04Z",
            "body_hash": digest, "shot_hash": JTJ_HASH, "kept_note": None,
            "link_status": json.dumps({"result": "broken", "status": 404, "error": None,
                                       "final_url": "http://jtj.xianyang.example/gone.pdf"})})
        assert kept.keep_shot(db, SX_SHOT, 1280, 900) == SX_HASH
        db["kept_pages"].insert({  # an older scan's screenshot; the newest has none
            "issue_id": 5, "scan_id": 1, "url": "http://www.sx.example/", "status": 200,
            "shot_hash": SX_HASH})
        db["kept_pages"].insert({
            "issue_id": 5, "scan_id": 2, "url": "http://www.sx.example/", "status": 200,
            "fetched_at": "2026-10-12T05:00:00Z", "body_hash": None,
            "kept_note": "存证缺失：扫描未保存该页面",
            "shot_note": "截图缺失：浏览器未能启动"})
    db.close()
    return settings


def test_the_issue_page_shows_the_screenshot_and_the_kept_pages_facts(evidence,
                                                                      client_for) -> None:
    page = client_for("jtj").get("/issues/1").text
    shot = f"/issues/1/screenshot/{JTJ_HASH}"
    assert f'<a href="{shot}"' in page and f'<img src="{shot}"' in page  # click: full size
    for fact in ("http://jtj.xianyang.example/tzgg/a.html?from=redirect",  # final URL
                 "2026-10-12T02:03:04Z", kept.sha256(BODY), "无法访问，状态 404",
                 "http://jtj.xianyang.example/gone.pdf", 'href="/issues/1/page"'):
        assert fact in page, fact
    assert "/issues/1/page/raw" not in page  # the unit is offered no raw page
    assert "/issues/1/page/raw" in client_for("office").get("/issues/1").text
    missing = client_for("sx").get("/issues/5").text  # the newest kept page has no picture
    assert "截图缺失：浏览器未能启动" in missing and "存证缺失：扫描未保存该页面" in missing
    assert "/screenshot/" not in missing and "/issues/5/page" not in missing


def test_a_screenshot_is_served_to_who_may_see_its_issue_and_under_that_issue_only(
    evidence, client_for
) -> None:
    jtj, sx, auditor = client_for("jtj"), client_for("sx"), client_for("auditor")
    shot = jtj.get(f"/issues/1/screenshot/{JTJ_HASH}")
    assert shot.status_code == 200 and shot.content == JTJ_SHOT
    assert shot.headers["content-type"] == "image/jpeg"
    assert shot.headers["cache-control"] == "private, max-age=31536000, immutable"
    again = jtj.get(f"/issues/1/screenshot/{JTJ_HASH}",
                    headers={"if-none-match": shot.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert auditor.get(f"/issues/1/screenshot/{JTJ_HASH}").content == JTJ_SHOT
    # another unit: not under #1's URL, nor under its own issue's with #1's hash
    assert sx.get(f"/issues/1/screenshot/{JTJ_HASH}").status_code == 404
    assert sx.get(f"/issues/5/screenshot/{JTJ_HASH}").status_code == 404
    assert sx.get(f"/issues/5/screenshot/{SX_HASH}").content == SX_SHOT  # its own, older
    assert jtj.get(f"/issues/1/screenshot/{SX_HASH}").status_code == 404


def test_the_kept_page_is_masked_for_units_and_auditors_and_raw_for_the_office_only(
    evidence, client_for
) -> None:
    for login in ("jtj", "auditor"):
        client = client_for(login)
        masked = client.get("/issues/1/page")
        assert masked.status_code == 200, login
        assert masked.headers["content-disposition"].startswith("attachment;")
        assert MASKED.encode() in masked.content and ID_HIDDEN.encode() not in masked.content
        assert client.get("/issues/1/page/raw").status_code == 404, login
    raw = client_for("office").get("/issues/1/page/raw")
    assert raw.status_code == 200 and raw.content == BODY
    assert raw.headers["content-disposition"].startswith(
        'attachment; filename="issue-1-page-raw.html"')
    assert raw.headers["cache-control"] == "private, no-store"
    assert raw.headers["content-security-policy"] == "sandbox"  # never run on our origin
    sx = client_for("sx")
    for path in ("/issues/1/page", "/issues/1/page/raw"):
        assert sx.get(path).status_code == 404, path
    assert sx.get("/issues/5/page").status_code == 404  # its own issue, but no body kept
