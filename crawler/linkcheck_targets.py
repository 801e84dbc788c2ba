"""Spider middleware: every link target of a page is checked, whether the crawl fetches it or not.

It reads the spider's output for one page: its :class:`~crawler.records.LinksRecord` and the
requests the crawl makes from it. A target the crawl requests is judged from its crawl
response (the spider records that). Every other target gets, after the page's own output,
either a skipped :class:`~crawler.records.LinkCheckRecord` (``mailto:``, ``tel:``,
``javascript:``, ``data:``, a bare ``#``, excluded by ``link_exclude``) or a check request
(:meth:`crawler.linkcheck.LinkPolicy.check_request`). The scheduler's dupefilter drops the
check requests of targets already checked, so a link carried by 500 pages costs one request.

It sits at 920, below the trap guard (:mod:`crawler.traps`, 950): check requests are not
crawl, so a link the guard keeps the crawl away from is still checked, once. The spider names
its sites' policies in ``spider.link_policies`` and provides the ``checked`` and
``check_failed`` callbacks.

Settings: ``GOVWATCH_LINKCHECK_ENABLED`` (default true; false checks only what the crawl
fetches).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.linkcheck import LINK_CHECK, skipped_record
from crawler.links import LinkKind
from crawler.records import LinksRecord


class _PageOutput:
    """What one page's output links to, and what of it the crawl requests."""

    def __init__(self) -> None:
        self.links: LinksRecord | None = None
        self.crawled: set[str] = set()  # one page's requests: bounded by its links

    def note(self, out: Any) -> None:
        if isinstance(out, LinksRecord):
            self.links = out
        elif isinstance(out, Request) and not out.meta.get(LINK_CHECK):
            self.crawled.add(out.url)


class LinkTargetsMiddleware:
    """Check what a page links to and the crawl does not fetch."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> LinkTargetsMiddleware:
        if not crawler.settings.getbool("GOVWATCH_LINKCHECK_ENABLED"):
            raise NotConfigured("link checking is off")
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        page = _PageOutput()
        async for out in result:
            page.note(out)
            yield out
        for out in self.checks(page):
            yield out

    def checks(self, page: _PageOutput) -> Iterator[Any]:
        """A skipped record or a check request for each target the crawl does not request."""
        if page.links is None:
            return
        spider = self.crawler.spider
        policy = spider.link_policies[page.links.site_id]
        for target, _anchor, kind in page.links.links:
            if target in page.crawled:
                continue
            reason = policy.skip_reason(target)
            if reason is not None:
                yield skipped_record(target, reason)
            else:
                yield policy.check_request(target, html=kind == LinkKind.PAGE, spider=spider)
