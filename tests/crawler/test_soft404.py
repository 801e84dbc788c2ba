"""Soft 404s: error pages answered with 200, and deep links sent to a home or error page.

The pages are the hand-labelled fixtures of ``errorpages/`` (see its README): ``error-*``
are error pages, ``content-*`` are content that only looks like one. The judging tests
need no network; ``test_a_scan_*`` scan the link lab (support/linklab.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from support.linklab import SETTINGS, Lab, checks, html, ok, redirect, write_sites
from support.portals import scan

from govwatch.crawler.encoding import detect_encoding
from govwatch.crawler.linkcheck import LINK_CHECK, SNIFF, LinkPolicy
from govwatch.crawler.pages.errorpage import ERROR_PAGE, HOME, ErrorSigns, is_deep, is_home
from govwatch.crawler.settings import DEFAULTS

PAGES = Path(__file__).with_name("errorpages")
ERRORS = sorted(p.name for p in PAGES.glob("error-*"))
CONTENT = sorted(p.name for p in PAGES.glob("content-*"))
SIGNS = ErrorSigns.from_settings(Settings(DEFAULTS))
SITE = {"id": "a", "url": "http://a.gov.cn/"}
POLICY = LinkPolicy.for_site(SITE, Settings(DEFAULTS))


def fixture(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def text_of(name: str) -> str:
    body = fixture(name)
    return body.decode(detect_encoding(body, None, ["utf-8", "gb18030"]))


# -- what a page says ------------------------------------------------------------------------

def test_the_fixtures_are_labelled_both_ways():
    assert len(ERRORS) >= 5 and len(CONTENT) >= 4


@pytest.mark.parametrize("name", ERRORS)
def test_each_real_error_page_is_an_error_page(name):
    assert SIGNS.html_sign(f"http://a.gov.cn/x/{name}", text_of(name)) is not None


@pytest.mark.parametrize("name", CONTENT)
def test_content_that_mentions_404_or_quotes_an_error_is_not_an_error_page(name):
    assert SIGNS.html_sign(f"http://a.gov.cn/x/{name}", text_of(name)) is None


@pytest.mark.parametrize("title, sign", [
    ("404", "404"), ("404 Not Found", "404 Not Found"), ("出错了！", "出错了！"),
    ("404-对不起！您访问的页面不存在", "404"),
    ("抱歉，您访问的页面不存在或已删除", "抱歉，您访问的页面不存在或已删除"),
    ("404 错误页面 - 不动产登记信息基础平台", "404 错误页面"),
    ("G404国道某段改扩建工程通过交工验收_某市交通运输局", None),
    ("关于印发第404号文件的通知", None), ("某市人民政府", None),
    ("关于网站出现“页面不存在”等问题的整改报告_某县人民政府", None),
])
def test_titles(title, sign):
    assert SIGNS.title_sign(title) == sign


def test_the_message_is_what_the_page_prints():
    sign = SIGNS.html_sign("http://www.mof.gov.cn/404.htm", text_of("error-ministry-404.htm"))
    assert sign == "温馨提示：您访问的页面不存在或已删除"
    withdrawn = SIGNS.html_sign("http://a.gov.cn/art/1.html", text_of("error-withdrawn.html"))
    assert withdrawn == "该信息已撤销"


def test_a_long_page_that_prints_the_message_on_its_own_is_content():
    body = "".join(f"<p>第{n}条：{'政策解读内容' * 12}</p>" for n in range(8))
    page = html("某市人民政府", f"<div class=\"note\">信息已撤销</div>{body}").decode()
    assert SIGNS.html_sign("http://a.gov.cn/x.html", page) is None
    short = html("某市人民政府", '<div class="note">信息已撤销</div>').decode()
    assert SIGNS.html_sign("http://a.gov.cn/x.html", short) == "信息已撤销"


def test_phrases_and_titles_are_settings():
    signs = ErrorSigns.from_settings(Settings({**DEFAULTS, "GOVWATCH_SOFT404_PHRASES": ["查无此页"],
                                               "GOVWATCH_SOFT404_TITLES": ["oops"]}))
    assert signs.html_sign("http://a/x", html("站点", "<p>查无此页</p>").decode()) == "查无此页"
    assert signs.title_sign("Oops - 某市") == "Oops"
    assert signs.html_sign("http://a/x", text_of("error-java-200.html")) is None
    off = Settings({**DEFAULTS, "GOVWATCH_SOFT404_ENABLED": False})
    assert ErrorSigns.from_settings(off) is None and ErrorSigns.config(off) is None


# -- where a redirect lands ------------------------------------------------------------------

@pytest.mark.parametrize("path, deep, home", [
    ("/", False, True), ("/index.html", False, True), ("/index.shtml", False, True),
    ("/zwgk/", False, False), ("/zwgk/index.html", False, False), ("/cms", False, False),
    ("/zwgk/tzgg/", True, False), ("/old.html", True, False),
    ("/art/2021/3/4/art_12_345.html", True, False), ("/zwgk/default.htm", False, False),
])
def test_deep_and_home_paths(path, deep, home):
    assert (is_deep(path), is_home(path)) == (deep, home)


@pytest.mark.parametrize("chain, sign", [
    # a deleted article sent to the site's home page, on its own host or another spelling
    (["http://a.gov.cn/art/2021/3/4/art_1_2.html", "http://a.gov.cn/"], HOME),
    (["http://a.gov.cn/xwzx/t20210304_1.html", "https://a.gov.cn/index.html"], HOME),
    (["http://old.a.gov.cn/x/1.html", "http://a.gov.cn/"], HOME),  # the checking site's home
    # any link sent to one generic error page: a ministry's /404.htm, a /error.jsp
    (["https://kjs.mof.gov.cn/zhengcefabu/x.htm", "http://www.mof.gov.cn/404.htm"], ERROR_PAGE),
    (["http://b.gov.cn/zwgk/", "http://b.gov.cn/error.jsp?code=404"], ERROR_PAGE),
    (["http://a.gov.cn/x/1.html", "http://a.gov.cn/404.htm", "http://a.gov.cn/"], ERROR_PAGE),
    # not soft 404s: a section sent home, a move, https, an article whose id is 404
    (["http://a.gov.cn/zwgk/", "http://a.gov.cn/"], None),
    (["http://a.gov.cn/x/1.html", "https://a.gov.cn/x/1.html"], None),
    (["http://a.gov.cn/x/1.html", "http://a.gov.cn/info/1041/404.htm"], None),
    (["http://b.gov.cn/en/news/1.html", "http://en.b.gov.cn/"], None),
    (["http://a.gov.cn/x/1.html"], None),
])
def test_redirect_chains(chain, sign):
    assert SIGNS.redirect_sign(chain, "http://a.gov.cn/") == sign


@pytest.mark.parametrize("chain, sign", [
    # a site whose home page is /portal/: landing there is landing home
    (["http://c.gov.cn/portal/art/2021/1.html", "http://c.gov.cn/portal/index.html"], HOME),
    (["http://c.gov.cn/portal/zwgk/tzgg/", "http://c.gov.cn/portal/"], HOME),
    # the home page's own index file sent to its folder is the home page, not a soft 404
    (["http://c.gov.cn/portal/zw/index.html", "http://c.gov.cn/portal/zw/"], None),
])
def test_a_home_page_below_the_root(chain, sign):
    home = "http://c.gov.cn/portal/zw/" if "/zw/" in chain[0] else "http://c.gov.cn/portal/"
    assert SIGNS.redirect_sign(chain, home) == sign


# -- how a check is judged -------------------------------------------------------------------

def answer(url: str, body: bytes, *, chain: tuple[str, ...] = (), status: int = 200,
           **meta) -> HtmlResponse:
    request = Request(url, meta={"site_id": "a", **({"redirect_urls": list(chain)} if chain
                                                     else {}), **meta})
    return HtmlResponse(url, status=status, body=body, request=request,
                        headers={"Content-Type": "text/html; charset=utf-8"})


def test_a_checked_page_that_is_an_error_page_is_broken():
    record = POLICY.judge(answer("http://b.gov.cn/x/1.html", fixture("error-java-200.html"),
                                 **{LINK_CHECK: True, SNIFF: True}))
    assert (record.result, record.error, record.status_code) == ("broken", "soft-404", 200)


def test_a_crawled_page_is_left_to_the_reader():
    # the crawl's own page is read (and judged) by the writer process, not here
    record = POLICY.judge(answer("http://a.gov.cn/x/1.html", fixture("error-java-200.html")))
    assert (record.result, record.error) == ("ok", None)


def test_a_deep_link_redirected_home_is_broken_whoever_fetched_it():
    for meta in ({}, {LINK_CHECK: True, SNIFF: True}):
        record = POLICY.judge(answer("http://a.gov.cn/", html("首页"),
                                     chain=("http://a.gov.cn/zwgk/tzgg/t1.html",), **meta))
        assert (record.target_url, record.result, record.error, record.final_url) == (
            "http://a.gov.cn/zwgk/tzgg/t1.html", "broken", "soft-404", "http://a.gov.cn/")


def test_the_home_page_and_content_are_not_soft_404s():
    home = answer("http://a.gov.cn/index.html", html("首页"), chain=("http://a.gov.cn/",),
                  home=True)
    assert POLICY.judge(home).result == "ok"
    for name in CONTENT:
        checked = answer(f"http://b.gov.cn/x/{name}", fixture(name),
                         **{LINK_CHECK: True, SNIFF: True})
        assert POLICY.judge(checked).result == "ok", name
    off = LinkPolicy.for_site(SITE, Settings({**DEFAULTS, "GOVWATCH_SOFT404_ENABLED": False}))
    assert off.judge(answer("http://a.gov.cn/", html("首页"),
                            chain=("http://a.gov.cn/x/t1.html",))).result == "ok"


def test_an_error_status_keeps_its_own_reason():
    record = POLICY.judge(answer("http://b.gov.cn/x.html", fixture("error-java-200.html"),
                                 status=404, **{LINK_CHECK: True, SNIFF: True}))
    assert record.error == "not-found"


# -- in a scan -------------------------------------------------------------------------------

ARTICLE = html("通知公告", "<ul><li><a href=\"/tzgg/t1.html\">关于春运的通知</a>"
                           "<span>2026-11-20</span></li></ul>")
PDF = b"%PDF-1.4 " + bytes(64)


def lab_routes() -> dict:
    """Paths of the lab that are soft 404s, and look-alikes that are not."""
    withdrawn = fixture("error-withdrawn.html").replace(
        b'<div class="con">', b'<div class="con"><a href="/only-from-the-error-page.html">x</a>')
    return {
        "/to-home/": redirect("/"),  # /to-home/a/b.html: a deep link sent home
        # a generic error page that says nothing a phrase would catch: only its URL tells
        "/to-error/": redirect("/error.jsp"),
        "/error.jsp": ok(html("某市人民政府", '<img src="/images/busy.png"><a href="/">首页</a>')),
        "/to-404/": redirect("/404.htm"),
        "/404.htm": ok(fixture("error-ministry-404.htm")),
        "/withdrawn/": ok(withdrawn),
        "/java/": ok(fixture("error-java-200.html")),
        "/attachment-page/": ok(fixture("error-iis.html"), "text/html; charset=gbk"),
        "/selfcheck/": ok(fixture("content-selfcheck.html")),
        "/road/": ok(fixture("content-road.html")),
        "/section/": redirect("/"),  # a section sent home: not a soft 404
        "/real.pdf": ok(PDF, "application/pdf"),
    }


SOFT = ["/to-home/a/b.html", "/to-error/x/1.html", "/to-404/x/2.html", "/withdrawn/t1.html",
        "/java/x.html", "/attachment-page/f.pdf"]
FINE = ["/selfcheck/t2.html", "/road/t3.html", "/section/", "/real.pdf"]


def links(base: str) -> str:
    return "".join(f'<a href="{base}{path}">链接</a>' for path in SOFT + FINE)


@pytest.fixture(scope="module")
def soft_scan(tmp_path_factory):
    """A site linking to each case on itself (crawled) and on a second host (checked)."""
    work = tmp_path_factory.mktemp("soft404")
    other = Lab({"/": html("外站首页")}, routes=lab_routes())
    site = Lab({"/": html("首页", links("") + links(other.url))}, routes=lab_routes())
    with other, site:
        outcome = scan(write_sites(work / "sites.yaml", site), work / "g.db", settings=SETTINGS)
        assert outcome.status == "complete"
        yield SimpleNamespace(site=site, other=other, db=work / "g.db",
                              checks=checks(work / "g.db"))


@pytest.mark.parametrize("path", SOFT)
@pytest.mark.parametrize("where", ["crawled", "checked"])
def test_a_scan_finds_each_soft_404(soft_scan, path, where):
    base = soft_scan.site.url if where == "crawled" else soft_scan.other.url
    row = soft_scan.checks[base + path]
    assert (row["result"], row["error"]) == ("broken", "soft-404")


@pytest.mark.parametrize("path", FINE)
@pytest.mark.parametrize("where", ["crawled", "checked"])
def test_a_scan_leaves_content_alone(soft_scan, path, where):
    base = soft_scan.site.url if where == "crawled" else soft_scan.other.url
    row = soft_scan.checks[base + path]
    assert (row["result"], row["error"]) == ("ok", None)


def test_a_scan_does_not_read_an_error_page_as_content(soft_scan):
    page = soft_scan.site.url + "/withdrawn/t1.html"
    with sqlite3.connect(soft_scan.db) as conn:
        row = conn.execute("select status, error, title from pages where url = ?",
                           [page]).fetchone()
        read = {table: conn.execute(f"select count(*) from {table} where {column} = ?",
                                    [page]).fetchone()[0]
                for table, column in (("links", "source_url"), ("page_texts", "url"),
                                      ("items", "page_url"), ("column_pages", "page_url"),
                                      ("page_cache", "url"))}
    assert row == (200, "soft-404", "某市交通运输局")
    assert read == dict.fromkeys(read, 0)
    # nothing the error page links to is followed
    assert not soft_scan.site.asked("/only-from-the-error-page.html")


def test_a_scan_reads_an_attachment_that_answers_with_a_page(soft_scan):
    # HEAD first, as for any attachment; its HTML answer is then read with a GET
    asked = [e[1] for e in soft_scan.other.asked("/attachment-page/f.pdf")]
    assert asked == ["HEAD", "GET"]
    assert [e[1] for e in soft_scan.other.asked("/real.pdf")] == ["HEAD"]
