"""The bare Scrapy crawl: follow same-site links and do nothing else — the ceiling of a design.

``python -m bench.bare JOB`` runs :class:`BareSpider` in this process and exits; *JOB* is a
JSON object::

    {"start_urls": ["http://127.0.0.1:8001/", …], "settings": {…}, "out": "bare.json"}

From each start URL the spider follows every ``<a href>`` whose scheme, host and port are
those of the page it is on (a plain lxml href scan through Scrapy's selector), fetching each
URL once (Scrapy's own duplicate filter). It parses nothing else, stores nothing and checks
nothing: what it costs is what any Scrapy-based crawler pays to fetch and read the same
pages. Every response counts as a page, whatever its status or content type, as a scan
records every URL it fetches. *settings* are applied over Scrapy's defaults (the benchmark
passes the politeness of the scan it compares with); this module adds only quiet logging.
When the crawl ends, its figures are written to *out* as JSON: ``pages``, ``requests``,
``responses_by_status``, ``seconds`` (from the engine's start to its finish) and
``finish_reason``. Like :mod:`crawler.process`, it runs in a child process of the benchmark,
so the reactor starts afresh and its memory is measured on its own.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings

__all__ = ["QUIET", "BareSpider", "crawl", "main"]

QUIET: dict[str, Any] = {
    "LOG_LEVEL": "ERROR",
    "LOGSTATS_INTERVAL": 0,
    "TELNETCONSOLE_ENABLED": False,
    "HTTPERROR_ALLOW_ALL": True,  # a 404 is a page fetched too: count it, as a scan does
}


class BareSpider(scrapy.Spider):
    """Fetch the start URLs and every same-site page they lead to; count the responses."""

    name = "bare"

    def __init__(self, start_urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = list(start_urls)
        self.pages = 0

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        """Count the page; follow its same-site links."""
        self.pages += 1
        if not isinstance(response, HtmlResponse):
            return
        here = urlsplit(response.url)
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href.strip())
            there = urlsplit(url)
            if there.netloc == here.netloc and there.scheme == here.scheme:
                yield scrapy.Request(url, callback=self.parse)


def crawl(start_urls: list[str], settings: dict[str, Any]) -> dict[str, Any]:
    """Run the bare crawl from *start_urls* with *settings* over Scrapy's defaults; return
    its figures."""
    process = CrawlerProcess(Settings({**QUIET, **settings}))
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start_urls=start_urls)
    started = time.monotonic()
    process.start()
    wall = time.monotonic() - started
    stats = crawler.stats.get_stats() if crawler.stats else {}
    start, finish = stats.get("start_time"), stats.get("finish_time")
    by_status = {key.rsplit("/", 1)[1]: value for key, value in stats.items()
                 if key.startswith("downloader/response_status_count/")}
    return {
        "pages": crawler.spider.pages if crawler.spider else 0,
        "requests": stats.get("downloader/request_count", 0),
        "responses_by_status": dict(sorted(by_status.items())),
        "seconds": round((finish - start).total_seconds() if start and finish else wall, 3),
        "finish_reason": stats.get("finish_reason"),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run the job given as JSON; 0 when the crawl finished."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m bench.bare JOB_JSON", file=sys.stderr)
        return 2
    job = json.loads(args[0])
    figures = crawl(job["start_urls"], job.get("settings", {}))
    Path(job["out"]).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0 if figures["finish_reason"] == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
