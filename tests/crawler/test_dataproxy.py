"""Hanweb lists paged by ``dataproxy.jsp``: the crawl POSTs the page's own parameters for
each group of records the page does not embed, within the list-page cap, and a dataproxy
answer that is no datastore is a recorded failure, not a crash."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from support.portals import PORTALS, expected, scan, write_sites

from govwatch.crawler.pages.page import Page
from govwatch.crawler.pages.pagination import (
    DATAPROXY_MALFORMED,
    dataproxy_pages,
    is_dataproxy_answer,
)
from govwatch.demo.server import PortalServer

COLUMN = "/col/col10429/index.html"  # 镇村动态 of the hanweb fixture portal
PROXY = "/module/web/jpage/dataproxy.jsp"


def truth() -> dict:
    return next(c for c in expected("hanweb")["columns"] if c["url"] == COLUMN)


def every_record_url() -> set[str]:
    """The article of every record of the list, from the generator's record file."""
    text = (PORTALS / "hanweb" / "_dataproxy" / "10429.xml").read_text(encoding="utf-8")
    return set(re.findall(r'href="([^"]+)"', text))


def scan_hanweb(tmp_path: Path, **settings: object) -> tuple[sqlite3.Connection, PortalServer]:
    with PortalServer(PORTALS / "hanweb") as server:
        outcome = scan(write_sites(tmp_path / "sites.yaml", {"hanweb": server}),
                       tmp_path / "g.db", settings=settings)
    assert outcome.status == "complete"
    db = sqlite3.connect(tmp_path / "g.db")
    db.row_factory = sqlite3.Row
    return db, server


def column_row(db: sqlite3.Connection) -> sqlite3.Row:
    return db.execute("select * from columns where url like ?", ["%/col/col10429/%"]).fetchone()


def item_paths(db: sqlite3.Connection) -> set[str]:
    rows = db.execute("select url from items where column_url like ?", ["%/col/col10429/%"])
    return {urlsplit(url).path for (url,) in rows}


def test_every_group_of_a_long_list_is_fetched_with_the_pages_own_parameters(tmp_path):
    """The list embeds 6 of its 20 records; the crawl POSTs the other three groups, each with
    the parameters of the page's ``var param_…`` as its form, and judges the column on all
    20 records: every item, the newest date, four list pages walked."""
    col = truth()
    db, server = scan_hanweb(tmp_path)
    posts = [a for a in server.arrivals if a.method == "POST"]
    groups = [(int(q["startrecord"]), int(q["endrecord"]), int(q["perpage"]))
              for q in (dict(parse_qsl(urlsplit(a.path).query)) for a in posts)]
    assert sorted(groups) == [(s, e, col["dataproxy"]["perpage"])
                              for s, e in col["dataproxy"]["groups"]]
    assert {urlsplit(a.path).path for a in posts} == {PROXY}
    assert all(dict(parse_qsl(a.form.decode())) == col["dataproxy"]["params"] for a in posts)
    assert item_paths(db) == every_record_url() and len(every_record_url()) == col["items"]
    row = column_row(db)
    assert (row["item_count"], row["newest_date"], row["pages_walked"]) == (
        col["items"], str(col["newest_date"]), col["pages"])
    # the articles of the proxied groups are crawled like any other, and dated
    for article in (a for a in expected("hanweb")["articles"] if a["column"] == "镇村动态"):
        page = db.execute("select pub_date, title from pages where url like ?",
                          ["%" + article["url"]]).fetchone()
        assert page["pub_date"] == str(article["date"]) and article["title"] in page["title"]


def test_the_list_page_cap_bounds_the_dataproxy_requests(tmp_path):
    """With two list pages a column, the page and one group: one POST, 12 records."""
    db, server = scan_hanweb(tmp_path, GOVWATCH_MAX_LIST_PAGES=2)
    posts = [a for a in server.arrivals if a.method == "POST"]
    assert len(posts) == 1 and "startrecord=7&endrecord=12" in posts[0].path
    row = column_row(db)
    assert (row["item_count"], row["pages_walked"]) == (12, 2)
    assert len(item_paths(db)) == 12


def tiny_hanweb(root: Path, proxy_answer: str) -> Path:
    """A Hanweb-like portal: a column embedding 3 of its 9 records, whose dataproxy is a
    file answering *proxy_answer* to every request."""
    (root / "col" / "col7").mkdir(parents=True)
    (root / "art").mkdir()
    (root / "module" / "web" / "jpage").mkdir(parents=True)
    (root / "index.html").write_text(
        '<html><head><meta charset="utf-8"><title>某局</title></head><body>'
        '<div class="nav"><a href="/col/col7/index.html">工作动态</a></div></body></html>',
        encoding="utf-8")
    records = "".join(f'<record><![CDATA[<li><a href="/art/a{n}.html">动态{n}</a>'
                      f"<span>2026-11-0{n}</span></li>]]></record>" for n in range(1, 4))
    (root / "col" / "col7" / "index.html").write_text(
        '<html><head><meta charset="utf-8"><title>工作动态</title>'
        '<meta name="ColumnName" content="工作动态"></head><body>'
        f'<div id="507"><script type="text/xml"><datastore><recordset>{records}</recordset>'
        "</datastore></script></div><script>$(function(){$('#507').jpage({totalRecord:9,"
        "perPage:1,groupSize:3,proxyUrl:'/module/web/jpage/dataproxy.jsp',"
        "ajaxParam:{col:1,webid:1,columnid:7,unitid:'507'}});});</script></body></html>",
        encoding="utf-8")
    for n in range(1, 4):
        (root / "art" / f"a{n}.html").write_text(
            f'<html><head><meta charset="utf-8"><title>动态{n}</title></head><body>'
            f"<p>发布日期：2026-11-0{n}</p></body></html>", encoding="utf-8")
    (root / "module" / "web" / "jpage" / "dataproxy.jsp").write_text(proxy_answer,
                                                                     encoding="utf-8")
    return root


@pytest.mark.parametrize("answer", [
    "<html><body>系统繁忙，请稍后再试</body></html>",  # the servlet's error page, status 200
    '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>9</totalrecord><recordset>'
    '<record><![CDATA[<li><a href="/art/a4.html">动态4',  # cut off mid-record
])
def test_a_malformed_dataproxy_answer_is_a_recorded_failure(tmp_path, answer):
    """Both groups answer with no datastore: each is a page row with its error, the column
    keeps the records its page embeds, and the scan completes."""
    with PortalServer(tiny_hanweb(tmp_path / "portal", answer)) as server:
        outcome = scan(write_sites(tmp_path / "sites.yaml", {"tiny": server}),
                       tmp_path / "g.db")
        posts = [a for a in server.arrivals if a.method == "POST"]
    assert outcome.status == "complete" and len(posts) == 2
    db = sqlite3.connect(tmp_path / "g.db")
    failed = db.execute("select url, status, error from pages where url like ?",
                        [f"%{PROXY}%"]).fetchall()
    assert sorted((urlsplit(url).query, status, error) for url, status, error in failed) == [
        ("startrecord=4&endrecord=6&perpage=1&columnid=7&unitid=507", 200, DATAPROXY_MALFORMED),
        ("startrecord=7&endrecord=9&perpage=1&columnid=7&unitid=507", 200, DATAPROXY_MALFORMED),
    ]
    items, walked = db.execute("select item_count, pages_walked from columns").fetchone()
    assert (items, walked) == (3, 1)


# -- reading the page's script ------------------------------------------------------------

RECORDS = "".join(f"<record><![CDATA[<li><a href='/art/{n}.html'>条目{n}</a><span>2026-01-02"
                  "</span></li>]]></record>" for n in range(45))
NEXTGROUP = ("<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&appid=1&"
             "webid=60&path=/&columnid=30067&unitid=49468&webname=%E5%B8%82&permissiontype=0"
             "\"></a>]]></nextgroup>")


def hanweb_page(call: str, extra: str = "", *, records: str = RECORDS,
                url: str = "http://zfcg.example.gov.cn/col/col30067/index.html") -> Page:
    return Page.parse(url, f'<div id="49468"><script type="text/xml"><datastore>{NEXTGROUP}'
                      f"<recordset>{records}</recordset></datastore></script></div>"
                      f"<script>{extra}$(function(){{$('#49468').jpage({call});}});</script>")


def test_the_parameters_come_from_the_jpage_call_its_variable_or_the_next_group_link():
    inline = hanweb_page("{totalRecord:100,perPage:15,groupSize:3,proxyUrl:'/module/jslib/"
                         "jquery/jpage/dataproxy.jsp',ajaxParam:{col:1,appid:'1',webid:60,"
                         "path:'/',columnid:30067,unitid:'49468',webname:'南通市政府采购网',"
                         "permissiontype:0},barPosition:'bottom'}")
    pages = dataproxy_pages(inline, 100)
    assert [(p.page_no, urlsplit(p.url).path, urlsplit(p.url).query) for p in pages] == [
        (1, "/module/jslib/jquery/jpage/dataproxy.jsp",
         "startrecord=46&endrecord=90&perpage=15&columnid=30067&unitid=49468"),
        (2, "/module/jslib/jquery/jpage/dataproxy.jsp",
         "startrecord=91&endrecord=135&perpage=15&columnid=30067&unitid=49468"),
    ]
    assert pages[0].form == {"col": "1", "appid": "1", "webid": "60", "path": "/",
                             "columnid": "30067", "unitid": "49468",
                             "webname": "南通市政府采购网", "permissiontype": "0"}
    named = hanweb_page("{totalRecord:100,perPage:15,ajaxParam:param_49468}",
                        "var param_49468 = {col:1,webid:'60',columnid:30067,unitid:'49468'};")
    assert [p.form for p in dataproxy_pages(named, 100)] == [
        {"col": "1", "webid": "60", "columnid": "30067", "unitid": "49468"}] * 2
    assert urlsplit(dataproxy_pages(named, 100)[0].url).path == "/module/web/jpage/dataproxy.jsp"
    bare = hanweb_page("{totalRecord:100,perPage:15,groupSize:3}")
    assert dataproxy_pages(bare, 100)[0].form == {
        "appid": "1", "webid": "60", "path": "/", "columnid": "30067", "unitid": "49468",
        "webname": "市", "permissiontype": "0"}


def test_no_request_for_a_list_the_page_holds_whole_nor_for_another_host():
    whole = hanweb_page("{totalRecord:45,perPage:15,ajaxParam:{columnid:1}}")
    assert dataproxy_pages(whole, 100) == []
    assert dataproxy_pages(hanweb_page("{perPage:15,ajaxParam:{columnid:1}}"), 100) == []
    elsewhere = hanweb_page("{totalRecord:900,perPage:15,proxyUrl:'http://other.gov.cn/"
                            "dataproxy.jsp',ajaxParam:{columnid:1}}")
    assert dataproxy_pages(elsewhere, 100) == []
    capped = hanweb_page("{totalRecord:9000,perPage:15,ajaxParam:{columnid:1}}")
    assert [p.page_no for p in dataproxy_pages(capped, 4)] == [1, 2, 3]


def test_a_dataproxy_answer_reads_as_a_page_of_its_records():
    answer = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore><totalrecord>50'
              "</totalrecord><totalpage>4</totalpage><recordset>" + RECORDS[:400] +
              "</recordset></datastore>")
    assert is_dataproxy_answer(answer.encode())
    page = Page.parse("http://h/module/web/jpage/dataproxy.jsp?startrecord=46", answer)
    assert [a.get("href") for a in page.tree.iter("a")][:2] == ["/art/0.html", "/art/1.html"]
    assert not is_dataproxy_answer(b"<html><body>error</body></html>")
    assert not is_dataproxy_answer(answer[:200].encode())
