"""The reader process and conditional requests, without a crawl.

RevalidateMiddleware (crawler/revalidate.py) makes a request conditional only when the
stored reading of its URL was made for the same request; reading_key (crawler/reading.py)
names what of a request that is; ReaderClient talks to a real reader process
(crawler/reader.py) over its socket pair and the reader writes a real database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scrapy import Request

from crawler.footer import FactKind
from crawler.linkcheck import LINK_CHECK
from crawler.reader import ReaderClient, ReaderError, ReaderGone
from crawler.reading import READING_META, Leads, Visit, reading_key
from crawler.records import LinkCheckRecord, PageRecord
from crawler.revalidate import FRESH, REVALIDATED, RevalidateMiddleware
from govwatch import db as store
from govwatch.config import Site

T = TypeVar("T")
HOME = "http://127.0.0.1:8123/"
SITE = Site(id="t", name="测试局", url=HOME, unit="测试局")
AS_OF = "2026-11-24"
FETCHED = "2026-11-24T08:00:00+00:00"
ETAG = '"6a1b2c3d-1f4"'
LAST_MODIFIED = "Mon, 23 Nov 2026 08:00:00 GMT"
FOOTER = '<div class="footer">主办单位：测试局 <a href="https://beian.miit.gov.cn/">甘ICP备05000123号-1</a></div>'
HOME_HTML = f"""<html><head><title>测试局</title></head><body>
<div class="nav"><a href="/tzgg/">通知公告</a></div>
<div class="main"><a href="/news/a.html">新闻一</a> <a href="/files/x.pdf">附件</a>
<a href="http://example.org/out.html">外链</a> <img src="/images/logo.png"></div>
{FOOTER}
</body></html>"""
HOME_META = {"home": True, "hops": 0}
INNER_META = {"hops": 1, "link_text": "新闻一", "nav": False, "candidate": False}


def inner_html(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><p>{title}正文</p>{FOOTER}</body></html>"


def visit(url: str, html: str | None, meta: dict[str, Any]) -> Visit:
    return Visit(
        site_id="t", site_url=HOME, url=url, status=200,
        content_type="text/html; charset=utf-8", encoding="utf-8", declared_encoding=None,
        body=html.encode("utf-8") if html is not None else None, meta=meta,
        fetched_at=FETCHED, etag=ETAG, last_modified=LAST_MODIFIED,
    )


def check(url: str, status: int = 200) -> LinkCheckRecord:
    return LinkCheckRecord(url, "ok", status, None, url, 0, FETCHED)


# The leads of HOME_HTML: same-host pages and documents to follow, every target to check.
HOME_LEADS = Leads(
    follow=[
        (HOME + "tzgg/", "GET", 0,
         {"hops": 1, "link_text": "通知公告", "nav": True, "candidate": True}),
        (HOME + "news/a.html", "GET", 0,
         {"hops": 1, "link_text": "新闻一", "nav": False, "candidate": True}),
        (HOME + "files/x.pdf", "HEAD", -10, {"hops": 1}),
    ],
    targets=[
        (HOME + "tzgg/", "page"), (HOME + "news/a.html", "page"),
        (HOME + "files/x.pdf", "document"), ("http://example.org/out.html", "page"),
        (HOME + "images/logo.png", "image"), ("https://beian.miit.gov.cn/", "page"),
    ],
    column=False,
)
HOME_LINKS = {
    (HOME + "tzgg/", "通知公告", "page"), (HOME + "news/a.html", "新闻一", "page"),
    (HOME + "files/x.pdf", "附件", "document"), ("http://example.org/out.html", "外链", "page"),
    (HOME + "images/logo.png", "", "image"),
    ("https://beian.miit.gov.cn/", "甘ICP备05000123号-1", "page"),
}


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "g.db"
    store.open_db(path).close()
    return path


def new_scan(db_path: Path) -> int:
    db = store.open_db(db_path)
    try:
        return store.start_scan(db, [SITE], AS_OF)
    finally:
        db.close()


def reader_config(db_path: Path, scan_id: int, footer_sample: int = 5) -> dict[str, Any]:
    # batch and seconds large: rows reach the database when the client closes the reader
    return {"db": str(db_path), "scan_id": scan_id, "as_of": AS_OF, "batch": 10_000,
            "seconds": 600.0, "max_list_pages": 100, "footer_sample": footer_sample}


def query(db_path: Path, sql: str, *params: Any) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def answer(future: Awaitable[T]) -> T:
    """The reader's reply; a hung reader fails the test instead of stalling it."""
    return await asyncio.wait_for(future, timeout=15)


# -- RevalidateMiddleware --------------------------------------------------------------


MENU_META = {"hops": 1, "link_text": "通知公告", "nav": True, "candidate": True}
TZGG = HOME + "tzgg/"


@pytest.fixture()
def middleware(db_path: Path):
    db = store.open_db(db_path)
    with db.conn:
        store.write_rows(db, "page_cache", [{
            "url": TZGG, "site_id": "t", "etag": ETAG, "last_modified": LAST_MODIFIED,
            "reading_key": reading_key(MENU_META), "scan_id": 1, "leads": Leads().to_json(),
        }])
    db.close()
    mw = RevalidateMiddleware(str(db_path))
    yield mw
    mw.conn.close()


def conditions(request: Request) -> dict[bytes, bytes]:
    return {name: request.headers[name] for name in (b"If-None-Match", b"If-Modified-Since")
            if name in request.headers}


def test_a_request_made_as_the_stored_reading_was_is_conditional(middleware):
    request = Request(TZGG, meta={"site_id": "t", "depth": 1, **MENU_META})
    assert middleware.process_request(request) is None
    assert conditions(request) == {b"If-None-Match": ETAG.encode(),
                                   b"If-Modified-Since": LAST_MODIFIED.encode()}
    assert request.meta[REVALIDATED] is True


@pytest.mark.parametrize(
    ("method", "meta"),
    [
        ("GET", {**MENU_META, "link_text": "通知公告栏目"}),  # reached another way
        ("GET", {**MENU_META, "hops": 2}),
        ("GET", {**MENU_META, LINK_CHECK: True}),  # a link check
        ("HEAD", MENU_META),  # a document's request
        ("GET", {**MENU_META, FRESH: True}),  # asked again after a 304 found nothing
    ],
    ids=["other-anchor", "other-depth", "link-check", "head", "fresh"],
)
def test_other_requests_are_not_conditional(middleware, method, meta):
    request = Request(TZGG, method=method, meta={"site_id": "t", **meta})
    middleware.process_request(request)
    assert conditions(request) == {}
    assert REVALIDATED not in request.meta


def test_conditions_copied_by_a_redirect_are_dropped(middleware):
    # /tzgg/old → /tzgg/new: the redirect copies headers and meta of the conditional request
    request = Request(HOME + "tzgg/new.html", meta={"site_id": "t", REVALIDATED: True,
                                                     **MENU_META},
                      headers={"If-None-Match": ETAG, "If-Modified-Since": LAST_MODIFIED})
    middleware.process_request(request)
    assert conditions(request) == {}
    assert REVALIDATED not in request.meta


# -- reading_key -----------------------------------------------------------------------


READ_AS = {"home": False, "hops": 2, "link_text": "通知公告", "nav": True, "candidate": True,
           "column_url": HOME + "tzgg/", "page_no": 1}
OTHER_VALUE = {"home": True, "hops": 3, "link_text": "政策文件", "nav": False, "candidate": False,
               "column_url": HOME + "zcwj/", "page_no": 2}


def test_reading_key_depends_on_the_reading_meta_only():
    assert set(READ_AS) == set(OTHER_VALUE) == set(READING_META)
    crawl_meta = {"site_id": "t", "depth": 4, "max_pages": 5000, "download_slot": "127.0.0.1",
                  "dont_obey_robotstxt": True, REVALIDATED: True, FRESH: True}
    assert reading_key({**READ_AS, **crawl_meta}) == reading_key(dict(READ_AS))
    keys = {name: reading_key({**READ_AS, name: OTHER_VALUE[name]}) for name in READING_META}
    assert reading_key(READ_AS) not in keys.values()
    assert len(set(keys.values())) == len(READING_META)


# -- the reader process ----------------------------------------------------------------


def test_the_reader_reads_stores_and_commits(db_path):
    scan_id = new_scan(db_path)
    article = HOME + "news/a.html"

    async def body() -> None:
        client = ReaderClient.start(reader_config(db_path, scan_id))
        try:
            leads = await answer(client.read(visit(HOME, HOME_HTML, HOME_META), check(HOME)))
            assert leads == HOME_LEADS
            # asked together, as the crawl does: a page read_page chokes on (no body), then
            # a good one; each reply reaches its own request
            bad = client.read(visit(HOME + "bad.html", None, INNER_META),
                              check(HOME + "bad.html"))
            later = client.read(visit(article, inner_html("新闻一"), INNER_META), check(article))
            with pytest.raises(ReaderError, match="Traceback"):
                await answer(bad)
            assert await answer(later) == Leads(targets=[("https://beian.miit.gov.cn/", "page")])
            client.store([
                PageRecord("t", HOME + "files/x.pdf", 200, "application/pdf", "document", 1,
                           fetched_at=FETCHED),
                check(HOME + "files/x.pdf"),
            ])
        finally:
            client.close()
        assert client.process.returncode == 0

    asyncio.run(body())
    assert sorted(query(db_path, "select url, kind, status, depth, title, fetched_at, "
                                 "revalidated from pages where scan_id = ?", scan_id)) == [
        (HOME, "html", 200, 0, "测试局", FETCHED, 0),
        (HOME + "files/x.pdf", "document", 200, 1, None, FETCHED, 0),
        (article, "html", 200, 1, "新闻一", FETCHED, 0),
    ]
    assert set(query(db_path, "select target_url, anchor_text, kind from links "
                              "where scan_id = ? and source_url = ?", scan_id, HOME)) == HOME_LINKS
    assert sorted(query(db_path, "select target_url, result, status_code from link_checks "
                                 "where scan_id = ?", scan_id)) == [
        (HOME, "ok", 200), (HOME + "files/x.pdf", "ok", 200), (article, "ok", 200)]
    assert query(db_path, "select html from page_texts where scan_id = ? and url = ?",
                 scan_id, HOME) == [(HOME_HTML,)]
    assert dict(query(db_path, "select kind, value from footer_facts where scan_id = ? "
                               "and page_url = ? and valid = 1", scan_id, HOME)) == {
        "icp": "甘ICP备05000123号-1", "sponsor": "测试局"}
    cache = query(db_path, "select url, site_id, etag, last_modified, reading_key, scan_id, "
                           "leads from page_cache order by url")
    assert [row[:6] for row in cache] == [
        (HOME, "t", ETAG, LAST_MODIFIED, reading_key(HOME_META), scan_id),
        (article, "t", ETAG, LAST_MODIFIED, reading_key(INNER_META), scan_id),
    ]
    assert Leads.from_json(cache[0][6]) == HOME_LEADS


def read_then_replay(db_path: Path, pages: list[tuple[str, str, dict]], replay: list[str],
                     footer_sample: int = 5) -> tuple[int, int, list[Leads | None]]:
    """Read *pages* (url, html, meta) in one scan, then replay the urls of *replay* in a
    second scan from a second reader: (first scan, second scan, the replays' leads)."""
    one, two = new_scan(db_path), None

    async def body() -> list[Leads | None]:
        nonlocal two
        client = ReaderClient.start(reader_config(db_path, one, footer_sample))
        try:
            for url, html, meta in pages:
                await answer(client.read(visit(url, html, meta), check(url)))
        finally:
            client.close()
        two = new_scan(db_path)
        client = ReaderClient.start(reader_config(db_path, two, footer_sample))
        try:
            return [await answer(client.replay("t", url, url == HOME, check(url, 304),
                                               "2026-12-01T08:00:00+00:00"))
                    for url in replay]
        finally:
            client.close()

    replies = asyncio.run(body())
    return one, two, replies


def scan_rows(db_path: Path, table: str, scan_id: int, ignore: tuple[str, ...] = ()) -> list:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        found = [{k: v for k, v in dict(r).items() if k not in ("scan_id", *ignore)}
                 for r in conn.execute(f"select * from {table} where scan_id = ?", [scan_id])]
    finally:
        conn.close()
    return sorted(found, key=lambda r: [repr(v) for v in r.values()])


def test_a_replay_copies_the_stored_reading_into_the_new_scan(db_path):
    one, two, replies = read_then_replay(
        db_path, [(HOME, HOME_HTML, HOME_META)], [HOME, HOME + "never-read.html"])
    assert replies == [HOME_LEADS, None]
    pages = scan_rows(db_path, "pages", two)
    assert [(p["url"], p["revalidated"], p["fetched_at"]) for p in pages] == [
        (HOME, 1, "2026-12-01T08:00:00+00:00")]
    assert [{**p, "revalidated": 0, "fetched_at": FETCHED} for p in pages] == \
        scan_rows(db_path, "pages", one)
    for table in ("links", "page_texts", "footer_facts", "items", "column_pages"):
        assert scan_rows(db_path, table, two) == scan_rows(db_path, table, one), table
    assert len(scan_rows(db_path, "links", two)) == len(HOME_LINKS)
    assert [(c["target_url"], c["status_code"]) for c in scan_rows(db_path, "link_checks", two)] \
        == [(HOME, 304)]
    assert query(db_path, "select url, scan_id from page_cache") == [(HOME, two)]


def test_a_replay_keeps_the_footer_facts_of_the_stored_reading(db_path):
    # One inner page's footer is sampled per site: in the first scan that is a.html, read
    # first. The second scan meets b.html first; a.html's stored reading still holds its
    # footer identifiers, and reusing it must not lose them.
    a, b = HOME + "news/a.html", HOME + "news/b.html"
    one, two, replies = read_then_replay(
        db_path, [(a, inner_html("新闻一"), INNER_META), (b, inner_html("新闻二"), INNER_META)],
        [b, a], footer_sample=1)
    assert replies == [Leads(targets=[("https://beian.miit.gov.cn/", "page")])] * 2
    first = scan_rows(db_path, "footer_facts", one)
    assert {(f["page_url"], f["kind"]) for f in first} == {(a, kind.value) for kind in FactKind}
    assert scan_rows(db_path, "footer_facts", two) == first


def test_a_reader_that_dies_stops_the_crawl_and_fails_its_callers(db_path):
    scan_id = new_scan(db_path)
    lost: list[str] = []

    async def body() -> None:
        client = ReaderClient.start(reader_config(db_path, scan_id),
                                    on_lost=lambda: lost.append("lost"))
        try:
            assert await answer(client.read(visit(HOME, HOME_HTML, HOME_META), check(HOME))) \
                == HOME_LEADS
            client.process.kill()
            client.process.wait()
            waiting = client.read(visit(HOME + "a.html", HOME_HTML, INNER_META),
                                  check(HOME + "a.html"))
            with pytest.raises(ReaderGone):
                await answer(waiting)
            with pytest.raises(ReaderGone):
                client.store([check(HOME + "b.html")])
        finally:
            client.close()

    asyncio.run(body())
    assert lost == ["lost"]  # told once, however many callers were waiting
