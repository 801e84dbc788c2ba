"""The writer process and the readings it stores, without a crawl.

reading_key (crawler/pages/reading.py) names what of a request a stored reading depends on;
ReaderClient talks to a real writer process (crawler/writer.py) over its socket pair, and the
reader writes a real database: pages it reads, and the stored readings it copies for pages
that answered 304 (replays).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from govwatch.core.compact import unpack_leads
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import FactKind
from govwatch.crawler import store
from govwatch.crawler.pages.reading import READING_META, Leads, Visit, reading_key
from govwatch.crawler.records import LinkCheckRecord, PageRecord
from govwatch.crawler.writer import ReaderClient, ReaderError, ReaderGone

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
    open_db(path).close()
    return path


def new_scan(db_path: Path) -> int:
    db = open_db(db_path)
    try:
        return store.start_scan(db, [SITE], AS_OF)
    finally:
        db.close()


def reader_config(db_path: Path, scan_id: int, footer_sample: int = 5,
                  batch: int = 10_000) -> dict[str, Any]:
    # batch and seconds large: rows reach the database when the client closes the reader
    return {"db": str(db_path), "scan_id": scan_id, "as_of": AS_OF, "batch": batch,
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


# -- reading_key -----------------------------------------------------------------------


READ_AS = {"home": False, "hops": 2, "link_text": "通知公告", "nav": True, "candidate": True,
           "column_url": HOME + "tzgg/", "page_no": 1}
OTHER_VALUE = {"home": True, "hops": 3, "link_text": "政策文件", "nav": False, "candidate": False,
               "column_url": HOME + "zcwj/", "page_no": 2}


def test_reading_key_depends_on_the_reading_meta_only():
    assert set(READ_AS) == set(OTHER_VALUE) == set(READING_META)
    crawl_meta = {"site_id": "t", "depth": 4, "max_pages": 5000, "download_slot": "127.0.0.1",
                  "dont_obey_robotstxt": True}
    assert reading_key({**READ_AS, **crawl_meta}) == reading_key(dict(READ_AS))
    keys = {name: reading_key({**READ_AS, name: OTHER_VALUE[name]}) for name in READING_META}
    assert reading_key(READ_AS) not in keys.values()
    assert len(set(keys.values())) == len(READING_META)


# -- the writer process ----------------------------------------------------------------


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
    assert Leads.from_json(unpack_leads(cache[0][6])) == HOME_LEADS
    assert len(cache[0][6]) < len(HOME_LEADS.to_json().encode()) / 2  # stored packed


# -- replays ---------------------------------------------------------------------------


REPLAYED_AT = "2026-12-01T08:00:00+00:00"  # when the second scan's request answered 304
# The reading tables (govwatch.db), each with the column naming the page.
READING_TABLES = {
    "pages": "url", "page_texts": "url", "links": "source_url", "items": "page_url",
    "column_pages": "page_url", "footer_facts": "page_url",
}
TZGG = HOME + "tzgg/"
MENU_META = {"hops": 1, "link_text": "通知公告", "nav": True, "candidate": True}
# A column's list page: its reading has rows in every reading table but footer_facts.
TZGG_HTML = """<html><head><title>通知公告</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<div class="list"><ul>
<li><a href="/tzgg/1.html">关于开展安全检查的通知</a><span>2026-11-20</span></li>
<li><a href="/tzgg/2.html">关于做好冬季防火工作的通知</a><span>2026-11-10</span></li>
<li><a href="/tzgg/3.html">关于调整办公时间的公告</a><span>2026-10-30</span></li>
</ul></div></body></html>"""
A, B, C, D = (HOME + f"news/{name}.html" for name in "abcd")

Steps = Callable[[ReaderClient, int, int], Awaitable[None]]


def two_scans(db_path: Path, pages: list[tuple[str, str, dict]], second: Steps, *,
              footer_samples: tuple[int, int] = (5, 5), batch: int = 10_000) -> tuple[int, int]:
    """Read *pages* (url, html, meta) in one scan, then run *second* (given the second
    scan's client, the first scan and the second) in a second scan with a second reader,
    then close it: (first scan, second scan)."""
    one = new_scan(db_path)

    async def body() -> int:
        client = ReaderClient.start(reader_config(db_path, one, footer_samples[0]))
        try:
            for url, html, meta in pages:
                await answer(client.read(visit(url, html, meta), check(url)))
        finally:
            client.close()
        two = new_scan(db_path)
        client = ReaderClient.start(reader_config(db_path, two, footer_samples[1], batch))
        try:
            await second(client, one, two)
        finally:
            client.close()
        assert client.process.returncode == 0
        return two

    return one, asyncio.run(body())


def read_then_replay(db_path: Path, pages: list[tuple[str, str, dict]],
                     replays: list[tuple[str, str]]) -> tuple[int, int]:
    """Read *pages* in one scan, then tell a second scan's reader that each url of *replays*
    (url, fetched_at) answered 304: (first scan, second scan)."""
    async def second(client: ReaderClient, one: int, two: int) -> None:
        for url, fetched_at in replays:
            client.replayed("t", url, one, url == HOME, check(url, 304), fetched_at)

    return two_scans(db_path, pages, second)


def scan_rows(db_path: Path, table: str, scan_id: int, ignore: tuple[str, ...] = (),
              key: str | None = None, url: str | None = None) -> list:
    """The rows of *table* in *scan_id* (of page *url* by column *key*), sorted, without
    scan_id and the *ignore* columns."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    where, params = "scan_id = ?", [scan_id]
    if key is not None:
        where, params = f"{where} and {key} = ?", [scan_id, url]
    try:
        found = [{k: v for k, v in dict(r).items() if k not in ("scan_id", *ignore)}
                 for r in conn.execute(f"select * from {table} where {where}", params)]
    finally:
        conn.close()
    return sorted(found, key=lambda r: [repr(v) for v in r.values()])


def assert_copied(db_path: Path, one: int, two: int, url: str, fetched_at: str) -> None:
    """The reading of *url* in scan *two* is scan *one*'s, its page revalidated at
    *fetched_at*."""
    for table, key in READING_TABLES.items():
        first = scan_rows(db_path, table, one, key=key, url=url)
        if table == "pages":
            first = [{**p, "revalidated": 1, "fetched_at": fetched_at} for p in first]
        assert scan_rows(db_path, table, two, key=key, url=url) == first, (table, url)


def test_a_replay_copies_the_stored_reading_into_the_new_scan(db_path):
    pages = [(HOME, HOME_HTML, HOME_META), (TZGG, TZGG_HTML, MENU_META),
             (A, inner_html("新闻一"), INNER_META)]
    one, two = read_then_replay(db_path, pages, [(url, REPLAYED_AT) for url, _, _ in pages])
    for table in READING_TABLES:  # every table has rows to copy
        assert scan_rows(db_path, table, one), table
    for url, _, _ in pages:
        assert_copied(db_path, one, two, url, REPLAYED_AT)
    assert len(scan_rows(db_path, "pages", two)) == 3
    assert {(p["revalidated"], p["fetched_at"]) for p in scan_rows(db_path, "pages", one)} == {
        (0, FETCHED)}  # the first scan's rows are left as they were
    assert [(c["target_url"], c["status_code"]) for c in scan_rows(db_path, "link_checks", two)] \
        == [(HOME, 304), (A, 304), (TZGG, 304)]
    # the next scan copies these readings from the second scan, which now holds them
    assert sorted(query(db_path, "select url, scan_id from page_cache")) == [
        (HOME, two), (A, two), (TZGG, two)]


def test_replays_flushed_together_are_each_copied_with_their_own_fetch_time(db_path):
    pages = [(url, inner_html(url[-6:]), INNER_META) for url in (A, B, C, D)]
    times = {A: "2026-12-01T08:00:01+00:00", B: "2026-12-01T08:00:02+00:00",
             C: "2026-12-01T08:00:03+00:00"}  # D answered 200 in the second scan: no replay
    one, two = read_then_replay(db_path, pages, list(times.items()))
    for url, fetched_at in times.items():
        assert_copied(db_path, one, two, url, fetched_at)
    assert [(p["url"], p["fetched_at"]) for p in scan_rows(db_path, "pages", two)] == \
        sorted(times.items())
    assert sorted(query(db_path, "select url, scan_id from page_cache")) == [
        (A, two), (B, two), (C, two), (D, one)]


def test_a_replay_counts_towards_the_batch_that_writes_it(db_path):
    # batch 2: the replayed page's link check and its copy fill a batch, which is written at
    # once, before the reader is closed
    async def second(client: ReaderClient, one: int, two: int) -> None:
        client.replayed("t", A, one, False, check(A, 304), REPLAYED_AT)
        deadline = time.monotonic() + 15
        while not query(db_path, "select 1 from pages where scan_id = ? and url = ?", two, A):
            assert time.monotonic() < deadline, "the replay was not written"
            await asyncio.sleep(0.05)

    one, two = two_scans(db_path, [(A, inner_html("新闻一"), INNER_META)], second, batch=2)
    assert_copied(db_path, one, two, A, REPLAYED_AT)


def test_a_replay_keeps_the_footer_facts_of_the_stored_reading(db_path):
    # The footers of a site's first few inner pages are read (one in the first scan: a.html,
    # read first; two in the second). A replayed inner page whose stored reading holds its
    # footer facts keeps them, and takes a place in the sample: after home, b.html (no facts)
    # and a.html are replayed, c.html's footer is read and d.html's is not.
    async def second(client: ReaderClient, one: int, two: int) -> None:
        for url in (HOME, B, A):
            client.replayed("t", url, one, url == HOME, check(url, 304), REPLAYED_AT)
        for url in (C, D):
            await answer(client.read(visit(url, inner_html(url[-6:]), INNER_META), check(url)))

    one, two = two_scans(db_path, [(HOME, HOME_HTML, HOME_META),
                                   (A, inner_html("新闻一"), INNER_META),
                                   (B, inner_html("新闻二"), INNER_META)],
                         second, footer_samples=(1, 2))
    first = scan_rows(db_path, "footer_facts", one)
    assert {f["page_url"] for f in first} == {HOME, A}
    assert {(f["page_url"], f["kind"]) for f in first if f["page_url"] == A} == {
        (A, kind.value) for kind in FactKind}
    for url in (HOME, A, B):
        assert_copied(db_path, one, two, url, REPLAYED_AT)
    footers = scan_rows(db_path, "footer_facts", two)
    assert {f["page_url"] for f in footers} == {HOME, A, C}
    assert [f for f in footers if f["page_url"] != C] == first


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
