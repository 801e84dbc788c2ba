"""Downloader middleware: a host in trouble, or asking for a pause, gets one.

Scrapy's RetryMiddleware retries timeouts, connection failures and the codes in
``RETRY_HTTP_CODES`` (429 and 5xx among them) ``RETRY_TIMES`` times, at once. This middleware
(at 560, so it sees each of them before RetryMiddleware does) makes the retry, and every
other request to the same host, wait, by raising the delay of the host's download slot (the
per-host politeness AutoThrottle also adjusts) and counting it from now:

- an answer with ``Retry-After`` (seconds or an HTTP date; 429 and 503 send it) waits that
  long, up to ``GOVWATCH_RETRY_AFTER_MAX`` seconds (default 120); a longer one is not waited
  for: the request is not retried and a 429 is reported blocked, never broken;
- any other retryable failure doubles the wait, from ``GOVWATCH_BACKOFF_BASE`` (default 1 s)
  up to ``GOVWATCH_BACKOFF_MAX`` (default 30 s);
- each good answer from a slowed host to a request made since it was slowed halves the
  wait, back to the delay it had before; answers to earlier requests say nothing of its
  recovery, and the wait is kept whatever AutoThrottle makes of them.

One slow or failing host thus slows itself down and nothing else: its requests wait in its
own slot, and Scrapy's DownloaderAwarePriorityQueue hands the free concurrency to other hosts.
It applies to every request, the crawl's as well as the link checks'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.misc import load_object


def retry_after(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (RFC 9110 §10.2.3), or None if absent
    or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class _Slowed:
    """A download slot in trouble: the delay it is held to, and what it goes back to."""

    delay: float  # its delay and jitter before it was slowed
    jitter: float
    since: float  # when it was last slowed (monotonic)
    wait: float  # the delay it is held to now


class BackoffMiddleware:
    """Slow a host's download slot down on trouble, and let it recover."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.base = settings.getfloat("GOVWATCH_BACKOFF_BASE")
        self.most = settings.getfloat("GOVWATCH_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("GOVWATCH_RETRY_AFTER_MAX")
        self.codes = frozenset(int(c) for c in settings.getlist("RETRY_HTTP_CODES"))
        self.exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.slowed: dict[str, _Slowed] = {}  # by slot key: hosts in trouble only

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.codes:
            self._recover(request)
            return response
        wait = retry_after(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            request.meta["dont_retry"] = True  # it will not clear within this scan's patience
        else:
            self._slow(request, wait)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, self.exceptions):
            self._slow(request, None)

    def _slot(self, request: Request) -> tuple[str | None, Any]:
        key = request.meta.get("download_slot")
        return key, self.crawler.engine.downloader.slots.get(key) if key else None

    def _slow(self, request: Request, wait: float | None) -> None:
        key, slot = self._slot(request)
        if slot is None:
            return
        if wait is None:
            wait = min(max(slot.delay * 2, self.base), self.most)
        now = monotonic()
        state = self.slowed.setdefault(key, _Slowed(slot.delay, slot.jitter, now, slot.delay))
        state.since, state.wait = now, max(slot.delay, wait)
        slot.delay = state.wait
        slot.jitter = 0.0  # a wait the host asked for is not shortened at random
        slot.lastseen = now  # count the wait from this answer, not from the request

    def _recover(self, request: Request) -> None:
        key, slot = self._slot(request)
        state = self.slowed.get(key)
        if slot is None or state is None:
            return
        if monotonic() - request.meta.get("download_latency", 0.0) >= state.since:
            state.wait = max(state.delay, state.wait / 2)  # made since: the host recovers
        slot.delay = state.wait  # whatever AutoThrottle just made of this answer
        if state.wait <= state.delay:
            slot.jitter = state.jitter
            del self.slowed[key]
