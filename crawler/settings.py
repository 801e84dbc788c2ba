"""Every crawl default in one place: Scrapy's settings and govwatch's own.

``govwatch scan`` starts from these and overrides per run (database, scan id, job
directory). Components read their knobs from here; the docstring of each component names
the settings that change it.
"""

from __future__ import annotations

from typing import Any

from govwatch import __version__

USER_AGENT = (
    f"govwatch/{__version__} (+https://github.com/govwatch/govwatch; "
    "政府网站合规监测 government website compliance monitor)"
)

DEFAULTS: dict[str, Any] = {
    "BOT_NAME": "govwatch",
    "USER_AGENT": USER_AGENT,
    # Politeness: a government portal is a public service, not a benchmark target.
    "ROBOTSTXT_OBEY": True,  # per site: Site.obey_robots (meta dont_obey_robotstxt)
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_DELAY": 0.25,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 0.5,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "DOWNLOAD_TIMEOUT": 30,
    "RETRY_TIMES": 2,
    "COOKIES_ENABLED": False,  # sessions are what traps are made of
    "HTTPERROR_ALLOW_ALL": True,  # a 404 page is a finding, the spider records it
    "DOWNLOAD_MAXSIZE": 32 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 0,
    # Breadth-first: shallow pages (columns) first, so a capped scan still sees them.
    "DEPTH_PRIORITY": 1,
    "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",  # failures are recorded in the database, not printed
    "RETRY_GIVE_UP_LOG_LEVEL": "INFO",
    "LOGSTATS_INTERVAL": 0,
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.budget.SiteBudgetMiddleware": 120,  # after robots.txt, before the download
        "crawler.encoding.EncodingMiddleware": 650,
    },
    "SPIDER_MIDDLEWARES": {"crawler.traps.TrapGuardMiddleware": 950},
    "ITEM_PIPELINES": {"crawler.pipeline.StorePipeline": 300},
    "EXTENSIONS": {"crawler.progress.ProgressReporter": 500},
    # govwatch's own knobs
    "GOVWATCH_ENCODING_FALLBACKS": ["utf-8", "gb18030"],
    "GOVWATCH_TRAP_MAX_QUERY_PARAMS": 6,
    "GOVWATCH_TRAP_MAX_SEGMENT_REPEATS": 2,
    "GOVWATCH_TRAP_MAX_PATH_DEPTH": 12,
    "GOVWATCH_TRAP_MAX_SHAPE_CHAIN": 10,
    "GOVWATCH_MAX_LIST_PAGES": 100,  # pages walked per column list
    "GOVWATCH_FOOTER_SAMPLE": 5,  # inner pages whose footer is read besides the home page
    "GOVWATCH_STORE_BATCH": 1000,  # rows buffered before one transaction
    "GOVWATCH_STORE_FLUSH_SECONDS": 2.0,
    "GOVWATCH_PROGRESS_INTERVAL": 2.0,  # seconds between progress lines; 0 = quiet
}
