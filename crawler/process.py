"""The crawl's own process: run the portal spider once and exit with how it ended.

Twisted's reactor runs once per process, so every scan runs here, started by
:mod:`crawler.runner`. The single argument is a JSON object (database, scan id, sites,
scan date, job directory, progress interval). Exit status: 0 when the crawl finished,
3 when it was interrupted (resumable from its job directory).
"""

from __future__ import annotations

import json
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.runner import EXIT_FINISHED, EXIT_INTERRUPTED
from crawler.settings import DEFAULTS
from crawler.spider import PortalSpider


def crawl(job: dict) -> int:
    """Run the spider for *job*; return the exit status."""
    settings = Settings(DEFAULTS)
    settings.update(
        {
            "GOVWATCH_DB": job["db"],
            "GOVWATCH_SCAN_ID": job["scan_id"],
            "JOBDIR": job["jobdir"],
            "GOVWATCH_PROGRESS_INTERVAL": job["progress_interval"],
            **job.get("settings", {}),
        }
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, sites=job["sites"], as_of=job["as_of"])
    process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    return EXIT_FINISHED if reason == "finished" else EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(crawl(json.loads(sys.argv[1])))
