"""Spider middleware: keep the crawl out of spider traps, so every scan ends.

Portals carry endless calendars (``/calendar/2026-12/`` → ``/calendar/2027-01/`` …), session
ids in URLs, query strings that multiply, and relative links that repeat path segments
(``/a/a/a/…``). Each outgoing request is canonicalised (session ids removed) and dropped when:
- its query has more than ``GOVWATCH_TRAP_MAX_QUERY_PARAMS`` parameters (default 6);
- one path segment repeats more than ``GOVWATCH_TRAP_MAX_SEGMENT_REPEATS`` times (default 2),
  or the path is deeper than ``GOVWATCH_TRAP_MAX_PATH_DEPTH`` segments (default 12);
- it continues a chain of pages of the same URL shape (digits abstracted) longer than
  ``GOVWATCH_TRAP_MAX_SHAPE_CHAIN`` (default 10): the calendar's signature. List pagination,
  which the spider marks ``meta["column_url"]``, is bounded by the list-page cap instead.
Link check requests pass untouched. A page or document the guard keeps the crawl away from
is recorded as a skipped link target (``trap``), and a spelling fetched under its canonical URL
as skipped (``session-id``, with the URL asked for as its final URL): every link target the
crawl meets is settled, so a finished scan can prove it is whole (crawler/runner.py).
The chain length travels in ``meta["shape_chain"]``: no per-URL state is kept in memory.
Dropped requests are counted in the stats as ``govwatch/trap/<reason>``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import Request
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from govwatch.core.vocabulary import CheckError
from govwatch.crawler.linkcheck import LINK_CHECK, skipped_record
from govwatch.crawler.pages.links import target_url

_SESSION_PARAMS = frozenset(
    "jsessionid phpsessid sid sessionid session_id aspsessionid cfid cftoken".split()
)
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)
_DIGITS = re.compile(r"\d+")


def canonical_url(url: str) -> str:
    """*url* without session ids in its path or query."""
    parts = urlsplit(_PATH_SESSION.sub("", url))
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _SESSION_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def url_shape(url: str) -> str:
    """The URL with its digits abstracted and query values dropped: ``/calendar/#-#/``."""
    parts = urlsplit(url)
    keys = ",".join(sorted(k for k, _ in parse_qsl(parts.query, keep_blank_values=True)))
    return f"{parts.netloc}{_DIGITS.sub('#', parts.path)}?{keys}"


class TrapGuardMiddleware(BaseSpiderMiddleware):
    """Drop requests that look like spider traps; strip session ids from the rest."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.max_params = settings.getint("GOVWATCH_TRAP_MAX_QUERY_PARAMS")
        self.max_repeats = settings.getint("GOVWATCH_TRAP_MAX_SEGMENT_REPEATS")
        self.max_depth = settings.getint("GOVWATCH_TRAP_MAX_PATH_DEPTH")
        self.max_chain = settings.getint("GOVWATCH_TRAP_MAX_SHAPE_CHAIN")

    def trap_reason(self, url: str) -> str | None:
        """Why *url* is a trap (apart from shape chains), or None when it may be fetched."""
        parts = urlsplit(url)
        if len(parse_qsl(parts.query, keep_blank_values=True)) > self.max_params:
            return "query_params"
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.max_depth:
            return "path_depth"
        if segments and max(Counter(segments).values()) > self.max_repeats:
            return "repeated_segment"
        return None

    def screen(self, request: Request, response) -> Iterator[Any]:
        """What the crawl makes of *request*: the request to make (its URL canonical) unless it
        is a trap, and the skipped record of a spelling that is not fetched as written."""
        if request.meta.get(LINK_CHECK):
            yield request
            return
        url = canonical_url(request.url)
        reason = self.trap_reason(url)
        if reason is None and response is not None and "column_url" not in request.meta:
            same_shape = url_shape(url) == url_shape(response.url)
            chain = response.meta.get("shape_chain", 0) + 1 if same_shape else 0
            if chain > self.max_chain:
                reason = "shape_chain"
            request.meta["shape_chain"] = chain
        if reason:
            self.crawler.stats.inc_value(f"govwatch/trap/{reason}")
            yield skipped_record(target_url(request.url), CheckError.TRAP)
            return
        if url == request.url:
            yield request
            return
        yield skipped_record(target_url(request.url), CheckError.SESSION_ID, url)
        yield request.replace(url=url)

    def _screened(self, result: Iterable[Any], response) -> Iterator[Any]:
        for out in result:
            if isinstance(out, Request):
                yield from self.screen(out, response)
            else:
                yield out

    def process_spider_output(self, response, result: Iterable[Any],
                              spider: Any = None) -> Iterable[Any]:
        yield from self._screened(result, response)

    async def process_spider_output_async(self, response, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        async for out in result:
            for screened in self._screened((out,), response):
                yield screened

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in start:
            for screened in self._screened((out,), None):
                yield screened
