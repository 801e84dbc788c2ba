"""Downloader middleware: one link check, however many requests it takes.

- A HEAD answered with a code in ``GOVWATCH_LINKCHECK_HEAD_FALLBACK_CODES`` (default 400,
  403, 404, 405, 406, 501: HEAD refused, or an answer a GET may well contradict) is asked
  again with GET, from the same point of its redirect chain and with retries of its own.
  So is a HEAD answered 2xx with an HTML page while soft 404s are looked for
  (``GOVWATCH_SOFT404_ENABLED``): HEAD asks for documents and pictures, and an attachment
  that answers with a page is most often the site's error page, which only its body shows.
- A sniffing request (a check request, or such a GET) keeps no more body than its verdict
  needs: ``StopDownload(fail=False)`` at the headers when the answer is not HTML, after
  ``GOVWATCH_LINKCHECK_SNIFF_BYTES`` (default 32768) when it is, enough for a WAF challenge
  page, or an error page's title and message, to show itself.
- Scrapy's RedirectMiddleware follows redirects and records the chain in ``redirect_urls``; a
  hop back to a URL already in the chain raises :class:`~crawler.linkcheck.RedirectLoop`
  instead of going round until ``REDIRECT_MAX_TIMES``.
- Once a check request has passed the dupefilter, its own follow-ups (redirect hops, retries,
  the GET) are never dropped as duplicates of other targets' requests. A crawl request whose
  redirect hop the dupefilter drops (``/dir`` → ``/dir/``, crawled already; or a loop) goes on
  as a check request, so its target still gets a verdict.

At 540, process_response sees a HEAD's answer after RetryMiddleware (550) has retried it.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, Response

from govwatch.crawler.linkcheck import LINK_CHECK, SNIFF, RedirectLoop

_SNIFFED = "link_sniffed"  # body bytes received so far, per request


class LinkCheckRequestMiddleware:
    """GET after a refused HEAD, bodies cut short, redirect loops caught."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.fallback_codes = frozenset(
            int(c) for c in settings.getlist("GOVWATCH_LINKCHECK_HEAD_FALLBACK_CODES")
        )
        self.sniff_bytes = settings.getint("GOVWATCH_LINKCHECK_SNIFF_BYTES")
        self.html_fallback = settings.getbool("GOVWATCH_SOFT404_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Any) -> LinkCheckRequestMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.headers_received, signal=signals.headers_received)
        crawler.signals.connect(mw.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(mw.request_dropped, signal=signals.request_dropped)
        return mw

    def process_request(self, request: Request) -> None:
        if request.url in request.meta.get("redirect_urls", ()):
            raise RedirectLoop(f"redirect loop back to {request.url}")
        request.meta.pop(_SNIFFED, None)  # a retry's copy starts counting again
        if request.meta.get(LINK_CHECK):
            # Past the dupefilter now: what this check leads to belongs to this check alone.
            request.dont_filter = True

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.method != "HEAD" or not (response.status in self.fallback_codes
                                            or self._html_answer(response)):
            return response
        meta = {k: v for k, v in request.meta.items() if k != "retry_times"}
        return request.replace(method="GET", dont_filter=True, meta={**meta, SNIFF: True})

    def _html_answer(self, response: Response) -> bool:
        """Whether a HEAD's 2xx answer is a page, to be read for the signs of an error page."""
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        return self.html_fallback and 200 <= response.status < 300 and b"html" in content_type

    # -- signals -----------------------------------------------------------------------

    def headers_received(self, headers: Headers, body_length: int, request: Request,
                         spider: Any) -> None:
        """Stop a sniffing download at its headers unless it is HTML."""
        if not request.meta.get(SNIFF) or request.method == "HEAD":
            return
        content_type = (headers.get(b"Content-Type") or b"").lower()
        if content_type and b"html" not in content_type:
            raise StopDownload(fail=False)  # a document, an image: the headers are the answer

    def bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        """Stop a sniffing download once it has enough of the body to judge."""
        if not request.meta.get(SNIFF):
            return
        received = request.meta.get(_SNIFFED, 0) + len(data)
        request.meta[_SNIFFED] = received
        if received >= self.sniff_bytes:
            raise StopDownload(fail=False)

    def request_dropped(self, request: Request, spider: Any) -> None:
        """Carry on a crawl request's redirect chain that the dupefilter cut, as a check."""
        if request.meta.get(LINK_CHECK) or not request.meta.get("redirect_urls"):
            return
        self.crawler.engine.crawl(
            request.replace(
                callback=spider.checked,
                errback=spider.check_failed,
                dont_filter=True,
                meta={**request.meta, LINK_CHECK: True, SNIFF: True},
            )
        )
