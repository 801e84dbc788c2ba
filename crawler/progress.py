"""Extension: progress lines while a scan runs — per site, pages, columns and rate.

Prints to standard error every ``GOVWATCH_PROGRESS_INTERVAL`` seconds (default 2; 0 turns
the extension off, as ``govwatch scan --quiet`` does).
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.records import ListPageRecord, PageRecord


class ProgressReporter:
    """Count pages and columns per site and print them at an interval."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.pages: Counter[str] = Counter()
        self.columns: Counter[str] = Counter()
        self.started = time.monotonic()
        self.last = self.started

    @classmethod
    def from_crawler(cls, crawler) -> ProgressReporter:
        interval = crawler.settings.getfloat("GOVWATCH_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(interval)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item) -> None:
        if isinstance(item, PageRecord):
            self.pages[item.site_id] += 1
        elif isinstance(item, ListPageRecord) and item.page_no == 0:
            self.columns[item.site_id] += 1
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self.report(now)

    def report(self, now: float) -> None:
        """One line per site: pages, columns, pages per second since the start."""
        elapsed = max(now - self.started, 1e-6)
        for site in sorted(self.pages):
            rate = self.pages[site] / elapsed
            print(
                f"  {site:<20} pages {self.pages[site]:>6}  columns {self.columns[site]:>4}  "
                f"{rate:6.1f} pages/s",
                file=sys.stderr,
                flush=True,
            )

    def spider_closed(self) -> None:
        self.report(time.monotonic())
