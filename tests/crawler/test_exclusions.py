"""Exclusions are decided before the request: an excluded target is never asked for.

A portal on 127.0.0.1 links to paths the config excludes (the site's ``link_exclude`` and
``GOVWATCH_LINKCHECK_EXCLUDE``) in every way a request could reach them: as a page the crawl
would follow, as a document it would ask for the headers of, as an image it would check,
and through a redirect (``/excluded`` answers 301 to ``/excluded/``), for a crawl lead and
for a link check. The portal server logs every request it receives: none may reach an
excluded path, in a first scan (Scrapy's requests) or in a re-scan (the revalidation walk's
conditional requests for the pages a scan without the exclusions read), and each excluded
target is recorded ``skipped``, reason ``excluded``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.settings import Settings
from support.portals import LOOPBACK_LINKS, scan, write_sites

from govwatch.core.vocabulary import CheckError
from govwatch.crawler.linkcheck import LinkPolicy, SkippedTarget
from govwatch.crawler.linkcheck.guard import SkippedTargetMiddleware
from govwatch.crawler.settings import DEFAULTS
from govwatch.demo.server import PortalServer

SITE_EXCLUDE = "/excluded/"
SETTING_EXCLUDE = [r"/setting-excluded\.html$", "/pics/"]
# Paths no request may reach while the exclusions are configured.
EXCLUDED_PREFIXES = ("/excluded/", "/setting-excluded.html", "/pics/")


def page(title: str, body: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}</body></html>")


HOME = page("排除测试", "\n".join([
    '<a href="/news.html">新闻</a>',
    '<a href="/excluded/page.html">排除的页面</a>',  # a page lead
    '<a href="/excluded/doc.pdf">排除的附件</a>',  # a document lead (HEAD)
    '<a href="/excluded">排除的栏目</a>',  # a lead that redirects to /excluded/
    '<a href="/setting-excluded.html">全局排除</a>',  # excluded by the setting
    '<img src="/excluded/logo.png">',  # a link check, not a lead
    '<img src="/pics">',  # a link check that redirects to /pics/
]))
FILES = {
    "index.html": HOME,
    "news.html": page("新闻", '<a href="/excluded/page.html">又一次</a><a href="/">首页</a>'),
    "excluded/index.html": page("排除的栏目", '<a href="/excluded/deeper.html">更深</a>'),
    "excluded/page.html": page("排除的页面", '<a href="/excluded/deeper.html">更深</a>'),
    "excluded/deeper.html": page("更深"),
    "excluded/doc.pdf": "%PDF-1.4",
    "excluded/logo.png": "png",
    "setting-excluded.html": page("全局排除"),
    "pics/index.html": page("图片"),
}


@pytest.fixture
def portal(tmp_path: Path) -> PortalServer:
    root = tmp_path / "portal"
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    with PortalServer(root) as server:
        yield server


def excluded_scan(server: PortalServer, work: Path, db: Path):
    """Scan *server* with the exclusions configured; return the link checks it recorded."""
    sites = write_sites(work / "sites.yaml", {"ex": server}, ex={
        "link_exclude": [*LOOPBACK_LINKS["link_exclude"], SITE_EXCLUDE]})
    outcome = scan(sites, db, settings={"GOVWATCH_LINKCHECK_EXCLUDE": SETTING_EXCLUDE})
    assert outcome.status == "complete"
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {r["target_url"]: dict(r) for r in conn.execute(
            "select * from link_checks where scan_id = ?", [outcome.scan_id])}


def excluded_requests(server: PortalServer) -> list[tuple[str, str]]:
    return [(method, path) for method, path in server.requests
            if path.startswith(EXCLUDED_PREFIXES)]


def assert_recorded_skipped(server: PortalServer, found: dict[str, dict]) -> None:
    for path in ("excluded/page.html", "excluded/doc.pdf", "excluded/logo.png",
                 "setting-excluded.html"):
        row = found[server.url + path]
        assert (row["result"], row["error"], row["status_code"]) == (
            "skipped", "excluded", None), path
    # A redirect to an excluded target: its Location is not followed.
    for path in ("excluded", "pics"):
        row = found[server.url + path]
        assert (row["result"], row["error"], row["redirects"], row["final_url"]) == (
            "skipped", "excluded", 1, server.url + path + "/"), path
    assert found[server.url + "news.html"]["result"] == "ok"


def test_excluded_targets_are_never_requested(portal, tmp_path):
    found = excluded_scan(portal, tmp_path, tmp_path / "g.db")
    assert excluded_requests(portal) == []
    assert ("GET", "/excluded") in portal.requests  # the redirect itself is asked for
    assert_recorded_skipped(portal, found)


def test_a_rescan_does_not_revalidate_what_is_now_excluded(portal, tmp_path):
    # The first scan, without the exclusions, reads the excluded pages and keeps their
    # validators: the re-scan's walk would ask for them again, conditionally.
    first = write_sites(tmp_path / "first.yaml", {"ex": portal})
    assert scan(first, tmp_path / "g.db").status == "complete"
    assert ("GET", "/excluded/page.html") in portal.requests
    portal.requests.clear()
    found = excluded_scan(portal, tmp_path, tmp_path / "g.db")
    assert ("GET", "/news.html") in portal.requests
    assert excluded_requests(portal) == []
    assert_recorded_skipped(portal, found)


# -- the guard, request by request --------------------------------------------------------


def guard(sites: dict[str, dict]) -> SkippedTargetMiddleware:
    settings = Settings({**DEFAULTS, "GOVWATCH_LINKCHECK_EXCLUDE": ["/global/"]})
    mw = SkippedTargetMiddleware(SimpleNamespace(settings=settings))
    mw.spider_opened(SimpleNamespace(sites=sites, link_policies={
        site_id: LinkPolicy.for_site(site, settings) for site_id, site in sites.items()}))
    return mw


def skip_reason(mw: SkippedTargetMiddleware, url: str, site: str | None = "a") -> str | None:
    """The reason the guard gives for not making the request of *url*, or None."""
    meta = {"site_id": site} if site else {}
    try:
        mw.process_request(Request(url, meta=meta))
    except SkippedTarget as skipped:
        return skipped.reason
    return None


def test_the_guard_judges_every_request_by_its_sites_policy():
    mw = guard({"a": {"id": "a", "url": "http://a.gov.cn/", "link_exclude": ["/tmp/"]},
                "b": {"id": "b", "url": "http://b.gov.cn/"}})
    assert skip_reason(mw, "http://a.gov.cn/x.html") is None
    assert skip_reason(mw, "http://a.gov.cn/tmp/x.html") == CheckError.EXCLUDED
    assert skip_reason(mw, "http://a.gov.cn/tmp/x.html", site="b") is None  # a's own list
    assert skip_reason(mw, "http://b.gov.cn/global/x", site="b") == CheckError.EXCLUDED
    assert skip_reason(mw, "ftp://a.gov.cn/x") == CheckError.SCHEME
    # robots.txt requests carry no site: the global list and the schemes hold for them
    assert skip_reason(mw, "http://c.gov.cn/global/robots.txt", site=None) == CheckError.EXCLUDED
    assert skip_reason(mw, "http://a.gov.cn/tmp/robots.txt", site=None) is None
    assert skip_reason(mw, "file:///etc/passwd", site=None) == CheckError.SCHEME
