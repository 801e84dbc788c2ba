"""Downloader middleware: each host's share of the link checks, so a scan always ends.

An external host is one that is none of the configured sites' hosts: the links a portal
carries to other portals, national services, newspapers. Each such host gets a download slot
of its own with at most ``GOVWATCH_LINKCHECK_HOST_CONCURRENCY`` requests at a time (default 2)
and ``GOVWATCH_LINKCHECK_HOST_DELAY`` seconds between them (default 1), so checking the links
to one slow external host neither hammers it nor holds up the scan (Scrapy's
DownloaderAwarePriorityQueue gives free concurrency to the least busy slots).

Every host, the sites' own included, gets a share of the link checks:

- ``GOVWATCH_LINKCHECK_MAX_PER_HOST`` check requests per scan (default 5000; 0 = no cap),
  counted once per link check however many requests it takes (retries, redirect hops, a GET
  after a HEAD);
- ``GOVWATCH_LINKCHECK_HOST_BUDGET`` seconds (default 1800; 0 = no limit) of its link checks'
  time: the time during which a check request of the host is waiting in its download slot or
  being downloaded. The crawl's own time does not count, so a large site's checks, made at
  the end of its crawl, are not cut for the hours it took to crawl. A host that answers
  slowly or asks for long pauses (``Retry-After``) spends it at the wall clock's pace.

On top of that, ``GOVWATCH_LINKCHECK_EXTERNAL_BUDGET`` seconds after the scan starts (default
1800; 0 = no limit) requests to external hosts are no longer made at all.

A check request past its host's share is ignored with :class:`~crawler.linkcheck.BudgetSpent`
(:class:`~crawler.linkcheck.ExternalBudgetSpent` past the external budget) and its target
recorded ``skipped``, reason ``budget`` (``external-budget``): never ``broken``. Once a time
budget is spent, the check requests already waiting in the host's download slot, where a
slowed-down host (:mod:`crawler.backoff`) would hold them for minutes each, are
taken out of it too (looked at every second). The crawl's own requests are never capped
here. At 45: before robots.txt (100), which would otherwise ask the host for its robots.txt
first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from time import monotonic
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.httpobj import urlparse_cached
from twisted.python.failure import Failure

from govwatch.crawler.linkcheck import (
    LINK_CHECK,
    BudgetSpent,
    ExternalBudgetSpent,
    SitesAwareMiddleware,
)

# Scrapy 2.19's downloader (asyncio reactor) counts a request as transferring only once its
# download task has started, so a burst reaching a slot with no delay passes its concurrency
# limit; a delay of at least one tick makes the slot take one request at a time.
_MIN_DELAY = 0.01
# Request meta: this link check has been counted against its host's cap; its retries, redirect
# hops and GET after a HEAD (copies of its request) are the same check.
_COUNTED = "link_check_counted"
_TICK = 1.0  # seconds between looks for spent hosts' check requests waiting in their slots


@dataclass
class HostChecks:
    """One host's link checks in this scan: how many were made, how long they took."""

    made: int = 0
    waiting: int = 0  # check requests in the host's download slot, queued or downloading
    busy_since: float = 0.0  # when *waiting* last rose from zero (monotonic)
    spent: float = 0.0  # seconds with a check request waiting, before busy_since

    def start(self, now: float) -> None:
        """A check request entered the host's download slot."""
        if not self.waiting:
            self.busy_since = now
        self.waiting += 1

    def stop(self, now: float) -> None:
        """A check request left the host's download slot."""
        self.waiting -= 1
        if not self.waiting:
            self.spent += now - self.busy_since

    def seconds(self, now: float) -> float:
        """Seconds the host's link checks have taken so far."""
        return self.spent + (now - self.busy_since if self.waiting else 0.0)


class LinkCheckHostsMiddleware(SitesAwareMiddleware):
    """Slots for external hosts; per-host caps and time budgets for link checks."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.slot_settings = {
            "concurrency": settings.getint("GOVWATCH_LINKCHECK_HOST_CONCURRENCY"),
            "delay": max(settings.getfloat("GOVWATCH_LINKCHECK_HOST_DELAY"), _MIN_DELAY),
        }
        self.external_budget = settings.getfloat("GOVWATCH_LINKCHECK_EXTERNAL_BUDGET")
        self.max_checks = settings.getint("GOVWATCH_LINKCHECK_MAX_PER_HOST")
        self.host_budget = settings.getfloat("GOVWATCH_LINKCHECK_HOST_BUDGET")
        self.deadline: float | None = None  # of the external budget
        self.hosts: defaultdict[str, HostChecks] = defaultdict(HostChecks)
        self.looking: Any = None  # the looping call that empties spent hosts' slots

    @classmethod
    def from_crawler(cls, crawler: Any) -> LinkCheckHostsMiddleware:
        mw = super().from_crawler(crawler)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(mw.left, signal=signals.request_left_downloader)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        super().spider_opened(spider)
        now = monotonic()
        self.deadline = now + self.external_budget if self.external_budget > 0 else None
        if self.deadline or self.host_budget > 0:
            self.looking = create_looping_call(self.take_spent)
            self.looking.start(_TICK, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.looking is not None and self.looking.running:
            self.looking.stop()

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        refusal = self.refusal(request, host, monotonic())
        if refusal is not None:
            raise refusal
        if request.meta.get(LINK_CHECK) and not request.meta.get(_COUNTED):
            checks = self.hosts[host]
            if self.max_checks and checks.made >= self.max_checks:
                raise BudgetSpent(f"{host}: its {self.max_checks} link checks are made")
            checks.made += 1
            request.meta[_COUNTED] = True
        if host not in self.site_hosts:
            downloader = self.crawler.engine.downloader
            # Read when the downloader creates the host's slot (DOWNLOAD_SLOTS, per host).
            downloader.per_slot_settings.setdefault(
                downloader.get_slot_key(request), self.slot_settings
            )

    def refusal(self, request: Request, host: str, now: float) -> BudgetSpent | None:
        """Why *request* (to *host*) may no longer be made, or None while it may."""
        # Only the spider's requests carry a site: robots.txt requests made on their behalf
        # come after them, and ignoring those would only be logged as errors.
        if (self.deadline and now > self.deadline and "site_id" in request.meta
                and host not in self.site_hosts):
            return ExternalBudgetSpent("the scan's time for external links is spent")
        if not request.meta.get(LINK_CHECK) or self.host_budget <= 0:
            return None
        checks = self.hosts.get(host)
        if checks is not None and checks.seconds(now) >= self.host_budget:
            return BudgetSpent(f"{host}: its {self.host_budget:g} s of link checks are spent")
        return None

    # -- time spent, and what waits past it ----------------------------------------------

    def reached(self, request: Request, spider: Spider) -> None:
        """A request entered its download slot (signal ``request_reached_downloader``)."""
        if request.meta.get(LINK_CHECK):
            self.hosts[urlparse_cached(request).hostname or ""].start(monotonic())

    def left(self, request: Request, spider: Spider) -> None:
        """A request was downloaded, or failed to be (signal ``request_left_downloader``)."""
        if request.meta.get(LINK_CHECK):
            self.hosts[urlparse_cached(request).hostname or ""].stop(monotonic())

    def take_spent(self) -> None:
        """Fail the requests waiting in a download slot that may no longer be made.

        A slot holds the requests the engine handed it until its delay lets them go, and a
        host that is slowed down (Retry-After, backoff) may hold each for minutes: past the
        budget they leave now, as if refused when they came in.
        """
        now = monotonic()
        for slot in self.crawler.engine.downloader.slots.values():
            for queued in list(slot.queue):
                request, deferred = queued
                host = urlparse_cached(request).hostname or ""
                refusal = self.refusal(request, host, now)
                if refusal is None:
                    continue
                slot.queue.remove(queued)
                if request.meta.get(LINK_CHECK):
                    self.hosts[host].stop(now)  # it never reaches request_left_downloader
                deferred.errback(Failure(refusal))
