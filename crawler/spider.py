"""The portal spider: crawl each configured site breadth-first and describe what it holds.

For every HTML page it parses the page once (:class:`~crawler.page.Page`) and yields plain
records: the page, its links, its footer identifiers (home page and a sample of inner
pages), the dated items it lists and, for a column's list page, the column. It follows
links within the site's host, list pagination (bounded by ``GOVWATCH_MAX_LIST_PAGES``), and
asks documents (附件) for their headers only. Per-site caps come from the sites file:
``max_depth`` (link hops from the home page) here, ``max_pages`` in
:mod:`crawler.budget`; traps are dropped by :mod:`crawler.traps`.

A home page that does not answer makes the site ``unreachable``; one that robots.txt
forbids makes it ``robots_forbidden``: both are recorded, neither stops the scan.

Every link target is checked once (:mod:`crawler.linkcheck`): what the crawl fetches is judged
from its crawl response or failure here; the rest gets check requests from
:mod:`crawler.linkcheck_targets`, answered in :meth:`PortalSpider.checked` and
:meth:`PortalSpider.check_failed`. A page past the site's budget is still checked, not parsed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler import dates, pagination
from crawler.budget import BudgetExceeded
from crawler.classes import ColumnClass, classify_column, find_empty_note
from crawler.columns import (
    DatedList,
    column_name,
    dated_lists,
    has_list_frame,
    is_landing,
    main_list,
    main_text_length,
)
from crawler.footer import footer_facts
from crawler.linkcheck import LinkPolicy, target_url
from crawler.links import Link, LinkKind, page_links
from crawler.page import Page
from crawler.records import (
    FooterRecord,
    ItemsRecord,
    LinkCheckRecord,
    LinksRecord,
    ListPageRecord,
    PageRecord,
    SiteStatusRecord,
    TextRecord,
)
from govwatch.db import SiteStatus, now_iso

# A menu page with no list and no list frame needs this much main text to be a text column,
# unless its menu text names an overview (机构概况, 县情概况), which may be short.
_BLANK_PAGE_CHARS = 150
# A list with this many dated items makes a page a column even when an article-like date is
# printed on it (list pages of some CMSs label each item 发布时间).
_SURE_LIST_SIZE = 3
_SITEMAP = re.compile(r"网站地图|站点地图|sitemap", re.I)


def _host(url: str) -> str:
    """host[:port] of *url*, lower-cased: the same-site test for every link (a hot path)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


class PortalSpider(scrapy.Spider):
    """Crawl the configured sites of one scan."""

    name = "portal"

    def __init__(self, sites: list[dict[str, Any]], as_of: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = {site["id"]: site for site in sites}
        self.today = date.fromisoformat(as_of)
        self.footer_sampled: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_list_pages = crawler.settings.getint("GOVWATCH_MAX_LIST_PAGES")
        spider.footer_sample = crawler.settings.getint("GOVWATCH_FOOTER_SAMPLE")
        spider.link_policies = {
            site_id: LinkPolicy.for_site(site, crawler.settings)
            for site_id, site in spider.sites.items()
        }
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites.values():
            yield self._request(site, site["url"], hops=0, home=True, priority=100)
            for url in site.get("start_urls", ()):
                yield self._request(site, url, hops=0, nav=True, priority=50)

    def _request(
        self,
        site: dict[str, Any],
        url: str,
        *,
        hops: int,
        priority: int = 0,
        method: str = "GET",
        **meta: Any,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            method=method,
            priority=priority,
            errback=self.failed,
            callback=self.parse if method == "GET" else self.parse_document,
            meta={
                "site_id": site["id"],
                "hops": hops,
                "max_pages": site["max_pages"],
                "dont_obey_robotstxt": not site["obey_robots"],
                **meta,
            },
        )

    # -- responses ---------------------------------------------------------------------

    def parse(self, response: Response) -> Iterator[Any]:
        """Record one fetched URL and follow what it leads to."""
        site = self.sites[response.meta["site_id"]]
        home = bool(response.meta.get("home"))
        yield self._link_check(response)
        if home:
            status = SiteStatus.OK if response.status < 400 else SiteStatus.UNREACHABLE
            yield SiteStatusRecord(site["id"], status, response.status)
        if not isinstance(response, HtmlResponse) or response.status >= 400:
            yield self._page_record(response, kind=self._kind_of(response))
            return
        page = Page.parse(response.url, response.text)
        lists = dated_lists(page, self.today)
        column = self._list_page(response, page, lists)
        pub_date = None if column or home else dates.article_date(page.tree, page.url)
        yield self._page_record(
            response,
            kind="html",
            title=page.title,
            pub_date=pub_date.isoformat() if pub_date else None,
            encoding=response.encoding,
        )
        yield TextRecord(site["id"], page.url, page.visible_text, response.text if home else None)
        links = _checkable(page_links(page))
        yield LinksRecord(site["id"], page.url, [(ln.target, ln.anchor, ln.kind) for ln in links])
        if home or self.footer_sampled.get(site["id"], 0) < self.footer_sample:
            if not home:
                self.footer_sampled[site["id"]] = self.footer_sampled.get(site["id"], 0) + 1
            facts = [
                {
                    "kind": f.kind.value,
                    "raw": f.raw,
                    "value": f.value,
                    "valid": f.valid,
                    "problem": f.problem,
                }
                for f in footer_facts(page.tree)
            ]
            yield FooterRecord(site["id"], page.url, facts)
        yield from self._items(site, page, lists, column)
        if column is not None:
            yield column
            yield from self._pagination(site, response, page, column)
        hub = (
            home
            or is_landing(lists)
            or _SITEMAP.search(f"{page.title} {response.meta.get('link_text', '')}")
        )
        yield from self._follow(site, response, links, hub=bool(hub))

    def parse_document(self, response: Response) -> Iterator[Any]:
        """Record a document (附件) from its headers; its content is not parsed."""
        yield self._link_check(response)
        yield self._page_record(response, kind="document")

    def checked(self, response: Response) -> Iterator[LinkCheckRecord]:
        """Record the answer to a link check request."""
        yield self._link_check(response)

    def check_failed(self, failure: Failure) -> Iterator[LinkCheckRecord]:
        """Record a link check request that got no answer."""
        yield self._link_check(failure)

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Record a URL that could not be fetched; a dead home page makes the site unreachable."""
        request = failure.request
        if failure.check(BudgetExceeded):
            # Not crawled, but whoever links to it is told whether it works.
            policy = self.link_policies[request.meta["site_id"]]
            check = policy.check_request(request.url, html=request.method == "GET", spider=self)
            yield check.replace(dont_filter=True)  # its URL is in the dupefilter already
            return
        yield self._link_check(failure)
        site_id = request.meta["site_id"]
        robots = failure.check(IgnoreRequest) and "robots" in str(failure.value).lower()
        error = "robots.txt" if robots else type(failure.value).__name__
        if request.meta.get("home"):
            status = SiteStatus.ROBOTS_FORBIDDEN if robots else SiteStatus.UNREACHABLE
            yield SiteStatusRecord(site_id, status, None, f"{error}: {failure.getErrorMessage()}")
        yield PageRecord(
            site_id=site_id,
            url=request.url,
            status=None,
            content_type=None,
            kind="html" if request.method == "GET" else "document",
            depth=request.meta.get("hops", 0),
            error=error,
            fetched_at=now_iso(),
        )

    # -- what a page is ----------------------------------------------------------------

    def _list_page(
        self, response: Response, page: Page, lists: list[DatedList]
    ) -> ListPageRecord | None:
        """The column list page *page* is, or None for home, landing and article pages."""
        meta = response.meta
        own = main_list(lists)
        column_url = meta.get("column_url")
        page_no = meta.get("page_no", 0)
        if column_url is None and pagination.page_number(page.url) > 0:
            column_url = pagination.list_key(page.url)  # a later page reached by a plain link
            page_no = pagination.page_number(page.url)
        name, source = column_name(page, meta.get("link_text", ""))
        kind, note = "list", None
        if column_url is None:
            if meta.get("home") or is_landing(lists):
                return None
            candidate = bool(meta.get("candidate"))
            sure_list = own is not None and own.dated >= _SURE_LIST_SIZE
            # an overview reached from a menu may print 更新时间 like an article does
            overview = candidate and classify_column(name) is ColumnClass.OVERVIEW
            if not (sure_list or overview) and dates.article_date(page.tree, page.url):
                return None
            if own is None:
                # No dated list: a blank column (空白栏目), a text column such as 机构概况, or
                # not a column at all (a calendar, a search form, a contact page).
                if not candidate:
                    return None
                note = find_empty_note(page.visible_text)
                if note is None:
                    if main_text_length(page) >= _BLANK_PAGE_CHARS:
                        if not (overview or meta.get("nav")):
                            return None
                        kind = "page"  # text, even inside a list-like frame: not blank
                    elif overview:
                        kind = "page"  # 领导信息 may be a short table: overviews are text
                    elif not has_list_frame(page):
                        return None
            elif not sure_list and not candidate:
                return None
            column_url = pagination.list_key(page.url)
        return ListPageRecord(
            site_id=meta["site_id"],
            column_url=column_url,
            page_url=page.url,
            page_no=page_no,
            name=name,
            name_source=source,
            column_class=classify_column(name),
            kind=kind,
            empty_note=note,
            item_count=len(own.items) if own else 0,
        )

    def _items(
        self,
        site: dict[str, Any],
        page: Page,
        lists: list[DatedList],
        column: ListPageRecord | None,
    ) -> Iterator[ItemsRecord]:
        """The dated items of a column's own list, or of every list on other pages."""
        own = main_list(lists)
        chosen = ([own] if own else []) if column is not None else lists
        items = {
            item.url: (item.url, item.title, item.date.isoformat() if item.date else None)
            for lst in chosen
            for item in lst.items
        }
        if items:
            yield ItemsRecord(
                site["id"], page.url, column.column_url if column else None, list(items.values())
            )

    # -- what to fetch next ------------------------------------------------------------

    def _pagination(
        self, site: dict[str, Any], response: Response, page: Page, column: ListPageRecord
    ) -> Iterator[scrapy.Request]:
        for url in pagination.continuation_urls(page, self.max_list_pages):
            yield self._request(
                site,
                url,
                hops=response.meta.get("hops", 0),
                priority=10,
                column_url=column.column_url,
                page_no=pagination.page_number(url),
                link_text=response.meta.get("link_text", ""),
            )

    def _follow(
        self, site: dict[str, Any], response: Response, links: list, *, hub: bool
    ) -> Iterator[scrapy.Request]:
        hops = response.meta.get("hops", 0) + 1
        if hops > site["max_depth"]:
            return
        host = _host(site["url"])
        for link in links:
            if link.kind not in (LinkKind.PAGE, LinkKind.DOCUMENT) or _host(link.target) != host:
                continue
            if link.kind is LinkKind.DOCUMENT:
                yield self._request(site, link.target, hops=hops, method="HEAD", priority=-10)
            else:
                # a column is reached from a menu, or from the body of a hub: the home page,
                # a section's landing page (政务公开 with its blocks and 更多 links), or the
                # site map, which lists every column (and may be reached first)
                candidate = link.nav or (hub and not link.chrome)
                yield self._request(
                    site,
                    link.target,
                    hops=hops,
                    link_text=link.anchor,
                    nav=link.nav,
                    candidate=candidate,
                )

    # -- records -----------------------------------------------------------------------

    def _link_check(self, outcome: Response | Failure) -> LinkCheckRecord:
        return self.link_policies[outcome.request.meta["site_id"]].judge(outcome)

    @staticmethod
    def _kind_of(response: Response) -> str:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if "html" in content_type:
            return "html"
        return "document" if content_type else "other"

    @staticmethod
    def _page_record(response: Response, *, kind: str, **fields: Any) -> PageRecord:
        return PageRecord(
            site_id=response.meta["site_id"],
            url=response.url,
            status=response.status,
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
            kind=kind,
            depth=response.meta.get("hops", 0),
            declared_encoding=response.meta.get("declared_encoding"),
            fetched_at=now_iso(),
            **fields,
        )


def _checkable(links: list[Link]) -> list[Link]:
    """*links* under their targets' checked form (:func:`crawler.linkcheck.target_url`), so a
    ``links`` row meets its ``link_checks`` row and its page's ``pages`` row; the first of
    two spellings of one target keeps its anchor."""
    unique: dict[str, Link] = {}
    for link in links:
        unique.setdefault(target_url(link.target), link)
    return [replace(link, target=target) for target, link in unique.items()]
