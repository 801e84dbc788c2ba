"""Downloader middleware: external hosts get small caps and a time budget of their own.

An external host is one that is none of the configured sites' hosts: the links a portal
carries to other portals, national services, newspapers. Each such host gets a download slot
of its own with at most ``GOVWATCH_LINKCHECK_HOST_CONCURRENCY`` requests at a time (default 2)
and ``GOVWATCH_LINKCHECK_HOST_DELAY`` seconds between them (default 1), so checking the links
to one slow external host neither hammers it nor holds up the scan (Scrapy's
DownloaderAwarePriorityQueue gives free concurrency to the least busy slots).

``GOVWATCH_LINKCHECK_EXTERNAL_BUDGET`` seconds after the scan starts (default 1800; 0 = no
limit), requests to external hosts are no longer made: they are ignored with
:class:`~crawler.linkcheck.ExternalBudgetSpent` and the targets recorded ``skipped``, reason
``external-budget``, so a scan always ends. At 45: before robots.txt (100), which would
otherwise ask the host for its robots.txt first.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached

from crawler.linkcheck import ExternalBudgetSpent, SitesAwareMiddleware

# Scrapy 2.19's downloader (asyncio reactor) counts a request as transferring only once its
# download task has started, so a burst reaching a slot with no delay passes its concurrency
# limit; a delay of at least one tick makes the slot take one request at a time.
_MIN_DELAY = 0.01


class ExternalHostsMiddleware(SitesAwareMiddleware):
    """Per-host caps and a scan-wide time budget for hosts outside the configured sites."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.slot_settings = {
            "concurrency": settings.getint("GOVWATCH_LINKCHECK_HOST_CONCURRENCY"),
            "delay": max(settings.getfloat("GOVWATCH_LINKCHECK_HOST_DELAY"), _MIN_DELAY),
        }
        self.budget = settings.getfloat("GOVWATCH_LINKCHECK_EXTERNAL_BUDGET")
        self.deadline: float | None = None

    def spider_opened(self, spider: Any) -> None:
        super().spider_opened(spider)
        self.deadline = monotonic() + self.budget if self.budget > 0 else None

    def process_request(self, request: Request) -> None:
        if (urlparse_cached(request).hostname or "") in self.site_hosts:
            return
        # Only the spider's requests carry a site: robots.txt requests made on their behalf
        # come after them, and ignoring those would only be logged as errors.
        if "site_id" in request.meta and self.deadline and monotonic() > self.deadline:
            raise ExternalBudgetSpent("the scan's time for external links is spent")
        downloader = self.crawler.engine.downloader
        # Read when the downloader creates the host's slot (DOWNLOAD_SLOTS, per host).
        downloader.per_slot_settings.setdefault(
            downloader.get_slot_key(request), self.slot_settings
        )
