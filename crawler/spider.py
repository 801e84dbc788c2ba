"""The portal spider: crawl each configured site breadth-first and describe what it holds.

The spider fetches; the writer process reads (:mod:`crawler.writer`). Each HTML page is
handed over as a :class:`~crawler.pages.reading.Visit` and comes back as its
:class:`~crawler.pages.reading.Leads`: the pages and documents it leads to (links within the
site's host, list pagination bounded by ``GOVWATCH_MAX_LIST_PAGES``) and every link target
it carries. The spider asks documents (附件) for their headers only and records them, and
failures, itself; the attachments it reads as text, it downloads and hands to worker
processes (:mod:`crawler.attachments`). A Hanweb list's groups beyond those its page embeds
are POSTed to its ``dataproxy.jsp`` with the page's own parameters
(:mod:`crawler.pages.pagination`) and their XML answers read like list pages; an answer
that is no datastore is recorded as a page with the error ``malformed-dataproxy``, and the
list keeps the pages read. Per-site caps come
from the sites file: ``max_depth`` (link hops from the home page) here, ``max_pages`` in
:mod:`crawler.budget`; traps are dropped by :mod:`crawler.traps`. A site's ``crawl:``
timeouts go on its requests (``download_timeout``) and its link checks
(``link_check_timeout``); its host's politeness is the downloader's
(:mod:`crawler.politeness`).

Most links of a page lead where the crawl has been (menus, footers, sidebars), so a URL is
made into a request only the first time the crawl meets it (:class:`SeenUrls`, 64-bit
hashes): building and filtering a Scrapy request for each of ~35 links a page was a third
of the crawl's time. Scrapy's duplicate filter still stands behind it, and is what a
resumed scan relies on.

A page an earlier scan read is asked for again by the revalidation walk
(:mod:`crawler.revalidate`), on its stored validators and outside Scrapy's engine: when it
answers 304 it is not read again, the reader reuses the reading stored when it last changed,
and the spider follows its stored leads (:meth:`PortalSpider.follow_stored`).

A resumed scan (``GOVWATCH_RESUME``) rebuilds its frontier from the database, not from
Scrapy's job state: the walk follows the stored leads of pages this scan read already, and
the spider neither fetches a URL this scan recorded without a reading (a document, a
failure, an error page) nor checks a link target it recorded (:class:`RecordedInScan`).

A home page that does not answer makes the site ``unreachable``; one that robots.txt
forbids makes it ``robots_forbidden``: both are recorded, neither stops the scan.

Every link target is checked once (:mod:`crawler.linkcheck`): what the crawl fetches is judged
from its crawl response or failure here; every other target gets a skipped record or a check
request, answered in :meth:`PortalSpider.checked` and :meth:`PortalSpider.check_failed`. A
page past the site's budget is still checked, not read. A lead the site's link policy skips
(``link_exclude``) is neither crawled nor offered to the revalidation walk: it gets a skipped
record, as the link would (redirects to such a URL are stopped by
:mod:`crawler.linkcheck.guard`). One page starts at most ``GOVWATCH_LINKCHECK_MAX_PER_PAGE``
new check requests (default 500; 0 = no cap): the rest of its targets are recorded
``skipped``, reason ``budget``, and left for any other page carrying them to check.

Settings: ``GOVWATCH_LINKCHECK_ENABLED`` (default true; false checks only what the crawl
fetches), ``GOVWATCH_LINKCHECK_MAX_PER_PAGE``, and the reader's (:mod:`crawler.writer`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from govwatch.core.schema import now_iso, open_read_only
from govwatch.core.vocabulary import CheckError, LinkKind, SiteStatus
from govwatch.crawler import store
from govwatch.crawler.attachments import DOCUMENT, Attachments
from govwatch.crawler.budget import BudgetExceeded, spent_before
from govwatch.crawler.linkcheck import CHECK_KEY, LinkPolicy, failure_error, skipped_record
from govwatch.crawler.pages.errorpage import ErrorSigns
from govwatch.crawler.pages.links import target_url
from govwatch.crawler.pages.pagination import DATAPROXY_MALFORMED, is_dataproxy_answer
from govwatch.crawler.pages.reading import READING_META, Leads, Visit
from govwatch.crawler.records import LinkCheckRecord, PageRecord, SiteCappedRecord, SiteStatusRecord
from govwatch.crawler.revalidate import CachedPage, RevalidationWalk
from govwatch.crawler.writer import ReaderClient, ReaderGone


class SeenUrls:
    """Keys (method and URL) the crawl has made a request for, as 64-bit hashes.

    Compact on purpose: a Python int per URL, not its string, so a site of a hundred
    thousand pages costs a few megabytes. Two keys sharing a hash (one chance in 10^8 at a
    million URLs) would cost one request; Scrapy's duplicate filter decides everything else.
    """

    def __init__(self) -> None:
        self._hashes: set[int] = set()

    def add(self, key: str) -> bool:
        """Note *key*; True when it is new."""
        digest = hash(key)
        if digest in self._hashes:
            return False
        self._hashes.add(digest)
        return True

    def __contains__(self, key: str) -> bool:
        return hash(key) in self._hashes

    def take(self, key: str) -> bool:
        """Forget *key*; True when it was noted."""
        digest = hash(key)
        if digest not in self._hashes:
            return False
        self._hashes.discard(digest)
        return True


class RecordedInScan:
    """What the running scan recorded before it was interrupted, so a resumed crawl asks for
    none of it again: URLs fetched without a reading to follow (documents, failures, error
    and non-HTML pages; a page that was read is the walk's, which follows its stored leads),
    link targets checked or skipped, and the pages each site's budget has paid for."""

    def __init__(self, db_path: str | None = None, scan_id: int = 0) -> None:
        self.fetched = SeenUrls()
        self.checked = SeenUrls()
        self.pages: dict[str, int] = {}  # site → pages stored: the budget they spent
        if db_path is None:
            return
        conn = open_read_only(db_path)
        try:
            for url in store.fetched_without_reading(conn, scan_id):
                self.fetched.add(url)
            for target in store.settled_targets(conn, scan_id):
                self.checked.add(target)
            self.pages = store.pages_per_site(conn, scan_id)
        finally:
            conn.close()


class PortalSpider(scrapy.Spider):
    """Crawl the configured sites of one scan."""

    name = "portal"

    def __init__(self, sites: list[dict[str, Any]], as_of: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = {site["id"]: site for site in sites}
        self.today = date.fromisoformat(as_of)
        self.seen = SeenUrls()
        # Requests the crawl would make for a page or document, made as link checks instead
        # (met as a link first: beyond the depth limit, say); met later as a lead, still crawled.
        self.checked_only = SeenUrls()
        self.recorded = RecordedInScan()  # a resumed scan's: see from_crawler
        self.capped: set[str] = set()  # sites whose page budget cut the crawl

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.check_links = settings.getbool("GOVWATCH_LINKCHECK_ENABLED")
        spider.checks_per_page = settings.getint("GOVWATCH_LINKCHECK_MAX_PER_PAGE")
        spider.link_policies = {
            site_id: _link_policy(site, settings) for site_id, site in spider.sites.items()
        }
        # Started now, before the reactor runs, so it imports while the crawl starts up.
        spider.reader = ReaderClient.start({
            "db": settings["GOVWATCH_DB"],
            "scan_id": settings.getint("GOVWATCH_SCAN_ID"),
            "as_of": spider.today.isoformat(),
            "batch": settings.getint("GOVWATCH_STORE_BATCH"),
            "seconds": settings.getfloat("GOVWATCH_STORE_FLUSH_SECONDS"),
            "max_list_pages": settings.getint("GOVWATCH_MAX_LIST_PAGES"),
            "footer_sample": settings.getint("GOVWATCH_FOOTER_SAMPLE"),
            "soft404": ErrorSigns.config(settings),
            "lock_fd": settings.get("GOVWATCH_LOCK_FD"),
            "evidence": settings.getbool("GOVWATCH_EVIDENCE"),
        }, on_lost=spider.reader_lost)
        spider.walk = RevalidationWalk(spider, crawler)
        spider.attachments = Attachments(spider.sites, settings)
        if settings.getbool("GOVWATCH_RESUME"):
            spider.recorded = RecordedInScan(settings["GOVWATCH_DB"],
                                             settings.getint("GOVWATCH_SCAN_ID"))
            crawler.signals.connect(spider.budget_spent_before, signals.spider_opened)
        return spider

    def budget_spent_before(self) -> None:
        """A resumed scan's pages fetched before its interruption were paid for (the
        stats, which hold the budget, exist once the spider opens)."""
        for site_id, pages in self.recorded.pages.items():
            spent_before(self.crawler.stats, site_id, pages)

    def reader_lost(self) -> None:
        """The writer process died: stop, so the scan ends failed and resumable instead of
        complete with pages missing."""
        self.logger.error("the writer process ended; stopping the crawl")
        self.crawler.engine.close_spider(self, "reader_lost")

    async def closed(self, reason: str) -> None:
        """Wait until the reader has written every row (the pipeline and the walk have sent
        their last)."""
        await self.walk.close()
        self.attachments.close()
        self.reader.close()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites.values():
            starts = [self._request(site, site["url"], hops=0, home=True, priority=100)]
            starts += [self._request(site, url, hops=0, nav=True, priority=50)
                       for url in site.get("start_urls", ())]
            for request in starts:
                if request.url in self.recorded.fetched:
                    continue  # recorded before a resumed scan's interruption: nothing to follow
                # Read before a resumed scan's interruption: the walk follows its leads.
                if not self.walk.take_done(request):
                    yield request

    def _request(
        self,
        site: dict[str, Any],
        url: str,
        *,
        hops: int,
        priority: int = 0,
        method: str = "GET",
        dont_filter: bool = False,
        headers: dict[str, str] | None = None,
        **meta: Any,
    ) -> scrapy.Request:
        meta = {
            "site_id": site["id"],
            "hops": hops,
            "max_pages": site["max_pages"],
            "dont_obey_robotstxt": not site["obey_robots"],
            **_site_timeout(site),
            **meta,
        }
        if method == "POST":  # a Hanweb list's group, asked for as its jpage script asks
            return scrapy.FormRequest(
                url, method="POST", formdata=meta["form"], priority=priority,
                dont_filter=dont_filter, errback=self.failed, callback=self.parse, meta=meta,
                headers={"X-Requested-With": "XMLHttpRequest"})
        page = method == "GET" and not meta.get(DOCUMENT)
        return scrapy.Request(
            url,
            method=method,
            priority=priority,
            dont_filter=dont_filter,
            errback=self.failed,
            callback=self.parse if page else self.parse_document,
            meta=meta,
            headers=headers,
        )

    # -- responses ---------------------------------------------------------------------

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        """Record one fetched URL (the reader reads an HTML page) and follow its leads."""
        site = self.sites[response.meta["site_id"]]
        home = bool(response.meta.get("home"))
        check = self._link_check(response)
        if home:
            status = SiteStatus.OK if response.status < 400 else SiteStatus.UNREACHABLE
            yield SiteStatusRecord(site["id"], status, response.status)
        leads = None
        # A soft 404 by redirect (a deep URL sent to the home page) is not read: what it
        # landed on is no content of the page linked to.
        soft_404 = check.error == CheckError.SOFT_404
        dataproxy = "form" in response.meta  # an answer of a Hanweb list's dataproxy
        if dataproxy and response.status < 400 and not is_dataproxy_answer(response.body):
            # Not the list it was asked for (a busy page, a cut-off answer): the list's
            # pages read so far stand, and this one is recorded as failed.
            yield check
            yield PageRecord(site_id=site["id"], url=response.url, status=response.status,
                             content_type=_header(response, b"Content-Type"), kind="html",
                             depth=response.meta.get("hops", 0), error=DATAPROXY_MALFORMED,
                             fetched_at=now_iso())
            self._count(site["id"])
            return
        readable = HtmlResponse if not dataproxy else TextResponse  # an XML answer is read
        if isinstance(response, readable) and response.status < 400 and not soft_404:
            try:
                leads = await self.reader.read(self._visit(site, response), check)
            except ReaderGone:
                return  # reader_lost is stopping the crawl: the scan ends failed
        if leads is None:
            yield check
            yield self._page_record(response, kind=self._kind_of(response),
                                    error=CheckError.SOFT_404 if soft_404 else None)
            self._count(site["id"])
            return
        self._count(site["id"], column=leads.column)
        for out in self._follow(site, leads, response):
            yield out

    def follow_stored(self, site_id: str, url: str, meta: dict[str, Any], priority: int,
                      cached: CachedPage, *, replay: bool) -> Iterator[Any]:
        """Follow the stored leads of a page. *replay*: the walk found it unchanged (304), and
        the reader lets this scan refer to its stored reading; otherwise it was done in this
        scan before an interruption."""
        site = self.sites[site_id]
        response = Response(url, status=304 if replay else 200,
                            request=self.page_request(url, priority, meta))
        leads = Leads.from_json(cached.leads)
        if replay:
            self.reader.replayed(site_id, url, cached.scan_id, bool(meta.get("home")),
                                 self._link_check(response), now_iso())
            self._count(site_id, column=leads.column)
        yield from self._follow(site, leads, response)

    def page_request(self, url: str, priority: int, meta: dict[str, Any], *,
                     dont_filter: bool = False) -> scrapy.Request:
        """The crawl's request for a page, with the *meta* it was first asked for with."""
        return scrapy.Request(url, priority=priority, callback=self.parse, errback=self.failed,
                              meta=meta, dont_filter=dont_filter)

    async def parse_document(self, response: Response) -> AsyncIterator[Any]:
        """Record a document (附件): from its headers, or, for an attachment the crawl reads
        (:mod:`crawler.attachments`), with what reading it gave."""
        yield self._link_check(response)
        page = self._page_record(response, kind="document")
        unchanged = self.attachments.unchanged(response)
        if unchanged is not None:
            # the answer the stored content came with stands (no reading was reused: the
            # attachment's own row says it answered 304, scan_documents.revalidated)
            page = replace(page, status=200, content_type=unchanged["content_type"])
        yield page
        self._count(response.meta["site_id"])
        if response.meta.get(DOCUMENT):
            yield await self.attachments.read(response)

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
            site_id = request.meta["site_id"]
            if site_id not in self.capped:
                self.capped.add(site_id)
                yield SiteCappedRecord(site_id)
            # Not crawled, but whoever links to it is told whether it works.
            policy = self.link_policies[site_id]
            html = request.method == "GET" and not request.meta.get(DOCUMENT)
            check = policy.check_request(request.url, html=html, spider=self)
            yield check.replace(dont_filter=True)  # its URL is in the dupefilter already
            return
        yield self._link_check(failure)
        site_id = request.meta["site_id"]
        if request.meta.get(DOCUMENT):
            yield self.attachments.failed(failure)
        robots = failure.check(IgnoreRequest) and "robots" in str(failure.value).lower()
        error = "robots.txt" if robots else type(failure.value).__name__
        if request.meta.get("home"):
            status = SiteStatus.ROBOTS_FORBIDDEN if robots else SiteStatus.UNREACHABLE
            # Why, as a check error (dns, timeout, tls…): the rules print its Chinese name.
            reason = CheckError.ROBOTS if robots else failure_error(failure)
            yield SiteStatusRecord(site_id, status, None, str(reason))
        yield PageRecord(
            site_id=site_id,
            url=request.url,
            status=None,
            content_type=None,
            kind="html" if request.method == "GET" and not request.meta.get(DOCUMENT)
            else "document",
            depth=request.meta.get("hops", 0),
            error=error,
            fetched_at=now_iso(),
        )
        self._count(site_id)

    # -- what to fetch next ------------------------------------------------------------

    def _follow(self, site: dict[str, Any], leads: Leads, parent: Response) -> Iterator[Any]:
        """Requests for the leads the crawl has not met yet, then the page's link checks.
        The revalidation walk takes the pages it can ask for itself."""
        followed: set[str] = set()
        policy = self.link_policies[site["id"]]
        for url, method, priority, meta in leads.follow:
            if meta["hops"] > site["max_depth"]:
                continue
            key = f"{method} {url}"
            first = self.seen.add(key)
            if first and (reason := policy.skip_reason(url)) is not None:
                # link_exclude: neither Scrapy nor the revalidation walk asks for it
                target = target_url(url)
                if self.seen.add(f"target {site['id']} {target}"):
                    yield skipped_record(target, reason)
                continue
            followed.add(url)
            if url in self.recorded.fetched:
                continue  # recorded before a resumed scan's interruption
            if first or self.checked_only.take(key):
                # only checked so far: past the duplicate filter, which took the check for it
                read = (self.attachments.take(site["id"], url, parent.url)
                        if method == "HEAD" else None)
                if read is not None:  # an attachment read as text: GET, its validators
                    method, meta, headers = "GET", {**meta, **read[0]}, read[1]
                else:
                    headers = None
                yield from self.walk.route(self._request(
                    site, url, method=method, priority=priority, dont_filter=not first,
                    headers=headers, **meta), parent)
        if not self.check_links:
            return
        started = 0  # check requests this page started
        for target, kind in leads.targets:
            if target in followed:
                continue  # judged from its crawl response
            noted = f"target {site['id']} {target}"
            if not self.seen.add(noted):
                continue  # this site's policy has had its say (most links: menus, footers)
            if target in self.recorded.checked:
                continue  # checked before a resumed scan's interruption
            reason = policy.skip_reason(target)
            if reason is not None:
                yield skipped_record(target, reason)
                continue
            html = kind == LinkKind.PAGE
            key = policy.check_key(target, html=html)
            if not self.seen.add(key):
                continue
            if self.checks_per_page and started >= self.checks_per_page:
                # This page has had its share; another page carrying the target may check it.
                self.seen.take(key)
                self.seen.take(noted)
                yield skipped_record(target, CheckError.BUDGET)
                continue
            started += 1
            if not key.startswith(f"{CHECK_KEY} "):  # a crawl request's: see checked_only
                self.checked_only.add(key)
            yield policy.check_request(target, html=html, spider=self)

    # -- records -----------------------------------------------------------------------

    def _visit(self, site: dict[str, Any], response: Response) -> Visit:
        meta = response.meta
        return Visit(
            site_id=site["id"],
            site_url=site["url"],
            url=response.url,
            status=response.status,
            content_type=_header(response, b"Content-Type"),
            encoding=response.encoding,
            declared_encoding=meta.get("declared_encoding"),
            body=response.body,
            meta={name: meta[name] for name in READING_META if name in meta},
            fetched_at=now_iso(),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )

    def _count(self, site_id: str, *, column: bool = False) -> None:
        """Pages and columns per site, in the stats, for progress lines."""
        stats = self.crawler.stats
        stats.inc_value(f"govwatch/pages/{site_id}")
        if column:
            stats.inc_value(f"govwatch/columns/{site_id}")

    def _link_check(self, outcome: Response | Failure) -> LinkCheckRecord:
        return self.link_policies[outcome.request.meta["site_id"]].judge(outcome)

    @staticmethod
    def _kind_of(response: Response) -> str:
        content_type = (_header(response, b"Content-Type") or "").lower()
        if "html" in content_type:
            return "html"
        return "document" if content_type else "other"

    @staticmethod
    def _page_record(response: Response, *, kind: str, error: str | None = None) -> PageRecord:
        """The record of a fetched URL; *error*: a soft 404's reason (other failures have
        no response, see :meth:`failed`)."""
        return PageRecord(
            site_id=response.meta["site_id"],
            url=response.url,
            status=response.status,
            content_type=_header(response, b"Content-Type"),
            kind=kind,
            depth=response.meta.get("hops", 0),
            declared_encoding=response.meta.get("declared_encoding"),
            error=error,
            fetched_at=now_iso(),
        )


def _link_policy(site: dict[str, Any], settings: Any) -> LinkPolicy:
    """How the links of *site*'s pages are checked: the crawl's settings, the site's own
    link keys, and its ``crawl: link_check_timeout``."""
    policy = LinkPolicy.for_site(site, settings)
    timeout = site.get("crawl", {}).get("link_check_timeout")
    return policy if timeout is None else replace(policy, timeout=timeout)


def _site_timeout(site: dict[str, Any]) -> dict[str, float]:
    """The meta that gives a site's requests its ``crawl: download_timeout``, if it has one
    (Scrapy's ``DOWNLOAD_TIMEOUT`` otherwise)."""
    timeout = site.get("crawl", {}).get("download_timeout")
    return {} if timeout is None else {"download_timeout": timeout}


def _header(response: Response, name: bytes) -> str | None:
    return response.headers.get(name, b"").decode("latin-1") or None
