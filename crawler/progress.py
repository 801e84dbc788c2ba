"""Extension: progress lines while a scan runs — per site, pages, columns and rate.

Reads the spider's counts from the stats (``govwatch/pages/<site>``,
``govwatch/columns/<site>``) and prints them to standard error every
``GOVWATCH_PROGRESS_INTERVAL`` seconds (default 2; 0 turns the extension off, as
``govwatch scan --quiet`` does), and once more when the crawl ends.
"""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

_PAGES, _COLUMNS = "govwatch/pages/", "govwatch/columns/"


class ProgressReporter:
    """Print pages and columns per site at an interval."""

    def __init__(self, stats, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self.started = time.monotonic()
        self.ticker = task.LoopingCall(self.report)

    @classmethod
    def from_crawler(cls, crawler) -> ProgressReporter:
        interval = crawler.settings.getfloat("GOVWATCH_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler.stats, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.ticker.start(self.interval, now=False)

    def report(self) -> None:
        """One line per site: pages, columns, pages per second since the start."""
        stats = self.stats.get_stats()
        elapsed = max(time.monotonic() - self.started, 1e-6)
        sites = sorted(key[len(_PAGES):] for key in stats if key.startswith(_PAGES))
        for site in sites:
            pages = stats[_PAGES + site]
            print(
                f"  {site:<20} pages {pages:>6}  columns {stats.get(_COLUMNS + site, 0):>4}  "
                f"{pages / elapsed:6.1f} pages/s",
                file=sys.stderr,
                flush=True,
            )

    def spider_closed(self) -> None:
        if self.ticker.running:
            self.ticker.stop()
        self.report()
