"""The crawl's own process: run the portal spider once and exit with how it ended.

Twisted's reactor runs once per process, so every scan runs here, started by
:mod:`crawler.runner`. The single argument is a JSON object (database, scan id, sites,
scan date, job directory, progress interval, the pid of the process that started it and
the descriptor of the scan lock it shares, :mod:`crawler.scanlock`). Exit status: 0 when the
crawl finished, 3 when it was interrupted (resumable).

When the process that started the crawl dies, the crawl is sent SIGTERM (Linux's parent-death
signal) and stops as on a Ctrl-C: no orphan crawl goes on writing into a scan that nobody
will finish.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from govwatch.crawler.politeness import politeness_settings
from govwatch.crawler.runner import EXIT_FINISHED, EXIT_INTERRUPTED
from govwatch.crawler.scanlock import join
from govwatch.crawler.settings import DEFAULTS
from govwatch.crawler.spider import PortalSpider

_PR_SET_PDEATHSIG = 1  # prctl(2)


def stop_with_parent(parent: int) -> None:
    """Have the system send SIGTERM to this process when *parent* dies; exit now if it has
    died already (between the fork and this call)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        sys.exit(EXIT_INTERRUPTED)


def crawl(job: dict) -> int:
    """Run the spider for *job*; return the exit status."""
    settings = Settings(DEFAULTS)
    settings.update(
        {
            "GOVWATCH_DB": job["db"],
            "GOVWATCH_SCAN_ID": job["scan_id"],
            "JOBDIR": job["jobdir"],
            "GOVWATCH_PROGRESS_INTERVAL": job["progress_interval"],
            "GOVWATCH_LOCK_FD": job.get("lock_fd"),
            **job.get("settings", {}),
        }
    )
    # What the sites file asks of each site's host, over the settings of the run.
    settings.update(politeness_settings(job["sites"], settings))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, sites=job["sites"], as_of=job["as_of"])
    process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    return EXIT_FINISHED if reason == "finished" else EXIT_INTERRUPTED


if __name__ == "__main__":
    job = json.loads(sys.argv[1])
    if job.get("parent"):
        stop_with_parent(job["parent"])
    if job.get("lock_fd") is not None:
        join(job["lock_fd"], "crawl")
    sys.exit(crawl(job))
