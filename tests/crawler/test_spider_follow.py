"""What the spider fetches next from a page's leads (crawler/spider.py), without a crawl."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings

from govwatch.crawler.linkcheck import LINK_CHECK, LinkPolicy
from govwatch.crawler.pages.reading import Leads
from govwatch.crawler.settings import DEFAULTS
from govwatch.crawler.spider import PortalSpider

SITE = {"id": "t", "url": "http://127.0.0.1:8000/", "max_pages": 100, "max_depth": 1,
        "obey_robots": True}
PAGE = SITE["url"] + "b.html"
HOME = Response(SITE["url"], request=Request(SITE["url"]))


class TakesNothing:
    """The revalidation walk of a first scan: every request goes to Scrapy."""

    def route(self, request: Request, parent: Response) -> Iterator[Request]:
        yield request


def a_spider() -> PortalSpider:
    spider = PortalSpider(sites=[SITE], as_of="2026-11-24")
    spider.check_links = True
    spider.checks_per_page = DEFAULTS["GOVWATCH_LINKCHECK_MAX_PER_PAGE"]
    spider.link_policies = {"t": LinkPolicy.for_site(SITE, Settings(DEFAULTS))}
    spider.walk = TakesNothing()
    return spider


def leads(hops: int) -> Leads:
    """A page's leads: *PAGE*, *hops* from the home page, linked as a page."""
    return Leads(follow=[(PAGE, "GET", 0, {"hops": hops})], targets=[(PAGE, "page")])


def test_a_page_met_first_beyond_the_depth_limit_is_checked_then_crawled_when_met_within():
    spider = a_spider()
    checks = list(spider._follow(SITE, leads(hops=2), HOME))  # past max_depth 1: checked only
    assert [(r.url, r.method, r.meta.get(LINK_CHECK)) for r in checks] == [(PAGE, "GET", True)]

    crawls = list(spider._follow(SITE, leads(hops=1), HOME))
    # crawled, past the duplicate filter that took the check request for the same URL
    assert [(r.url, r.callback, r.dont_filter, r.meta["hops"]) for r in crawls] == [
        (PAGE, spider.parse, True, 1)]
    assert LINK_CHECK not in crawls[0].meta
    assert list(spider._follow(SITE, leads(hops=1), HOME)) == []  # and only once


def test_a_page_met_first_within_the_depth_limit_is_crawled_once_and_not_checked():
    spider = a_spider()
    crawls = list(spider._follow(SITE, leads(hops=1), HOME))
    assert [(r.url, r.dont_filter) for r in crawls] == [(PAGE, False)]
    assert list(spider._follow(SITE, leads(hops=2), HOME)) == []  # judged from its crawl
