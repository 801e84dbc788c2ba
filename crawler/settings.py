"""Every crawl default in one place: Scrapy's settings and govwatch's own.

``govwatch scan`` starts from these and overrides per run (database, scan id, job
directory), and per site host from the sites file's ``crawl:`` keys
(crawler/politeness.py). Components read their knobs from here; the docstring of each
component names the settings that change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govwatch import __version__
from govwatch.core import defaults


def user_agent(contact: str | None = None) -> str:
    """govwatch's User-Agent: its name and version, where it comes from and what it does,
    then the office's *contact* (the sites file's ``crawl: contact``, a URL or an e-mail
    address), so a site's administrator knows whom to ask about the crawl."""
    office = f"; contact: {contact}" if contact else ""
    return (f"govwatch/{__version__} (+https://github.com/govwatch/govwatch; "
            f"政府网站合规监测 government website compliance monitor{office})")


USER_AGENT = user_agent()

# The sites file's crawl: keys (govwatch/core/config.py) and the settings whose defaults
# below they replace; the contact goes into the User-Agent.
CRAWL_SETTINGS = {
    "delay": "DOWNLOAD_DELAY",
    "per_host": "CONCURRENT_REQUESTS_PER_DOMAIN",
    "autothrottle": "AUTOTHROTTLE_ENABLED",
    "autothrottle_target": "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "download_timeout": "DOWNLOAD_TIMEOUT",
    "link_check_timeout": "GOVWATCH_LINKCHECK_TIMEOUT",
    "documents": "GOVWATCH_DOCUMENTS_PER_SITE",
    "document_max_bytes": "GOVWATCH_DOCUMENT_MAX_BYTES",
    "document_max_pages": "GOVWATCH_DOCUMENT_MAX_PAGES",
    "document_timeout": "GOVWATCH_DOCUMENT_TIMEOUT",
}


def crawl_settings(crawl: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a ``crawl:`` section stands for in a crawl that holds every host to it
    (a bare Scrapy crawl, such as the benchmark's): each key under its setting's name, and
    the User-Agent with its contact."""
    found = {CRAWL_SETTINGS[key]: value for key, value in crawl.items() if key in CRAWL_SETTINGS}
    return {**found, "USER_AGENT": user_agent(crawl.get("contact"))}

DEFAULTS: dict[str, Any] = {
    "BOT_NAME": "govwatch",
    # Attachments read as text (crawler/attachments.py; the defaults are govwatch.core's):
    # how many per site, and each one's bytes, pages and seconds (crawl: keys), the worker
    # processes reading them, and the function they read with (a test's hostile reader).
    "GOVWATCH_DOCUMENTS_PER_SITE": defaults.DOCUMENTS_PER_SITE,  # crawl: documents
    "GOVWATCH_DOCUMENT_MAX_BYTES": defaults.DOCUMENT_MAX_BYTES,  # crawl: document_max_bytes
    "GOVWATCH_DOCUMENT_MAX_PAGES": defaults.DOCUMENT_MAX_PAGES,  # crawl: document_max_pages
    "GOVWATCH_DOCUMENT_TIMEOUT": defaults.DOCUMENT_TIMEOUT,  # crawl: document_timeout
    "GOVWATCH_DOCUMENT_WORKERS": defaults.DOCUMENT_WORKERS,
    "GOVWATCH_DOCUMENT_READER": None,  # None: crawler.documents.DEFAULT_READER
    "USER_AGENT": USER_AGENT,
    # Politeness: a government portal is a public service, not a benchmark target. These are
    # the defaults of the sites file's crawl: keys, named beside each; a site's keys hold for
    # its host (crawler/politeness.py), its request timeouts for its requests.
    "ROBOTSTXT_OBEY": True,  # per site: Site.obey_robots (meta dont_obey_robotstxt)
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,  # crawl: per_host
    "DOWNLOAD_DELAY": 0.25,  # crawl: delay
    "AUTOTHROTTLE_ENABLED": True,  # crawl: autothrottle
    "AUTOTHROTTLE_START_DELAY": 0.5,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,  # crawl: autothrottle_target
    # Scrapy starts this many tasks for the output of every response: its default of 100
    # made task creation the crawl's largest single cost. Output is a few requests and
    # records, handed on without waiting, so a few tasks keep up.
    "CONCURRENT_ITEMS": 8,
    # Responses waiting to be read, in bytes: past it the engine stops taking requests off
    # the queue, which is the crawl's back-pressure when the writer process is behind.
    # Scrapy's 5 MB let a thousand small pages pile up (60 MB of objects).
    "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 1_000_000,
    "DOWNLOAD_TIMEOUT": 30,  # crawl: download_timeout
    "RETRY_TIMES": 2,
    "COOKIES_ENABLED": False,  # sessions are what traps are made of
    "HTTPERROR_ALLOW_ALL": True,  # a 404 page is a finding, the spider records it
    "DOWNLOAD_MAXSIZE": 32 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 0,
    # Breadth-first: shallow pages (columns) first, so a capped scan still sees them.
    "DEPTH_PRIORITY": 1,
    "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    # No open doors: Scrapy's extensions that listen on a port are off. The telnet console,
    # and the remote-control HTTP server (new in Scrapy 2.19, on by default), which runs any
    # Python code sent to it and leaves its port and token in a file under the user's home.
    # A scan is watched through its progress lines and database, never from outside.
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    # Failures are recorded in the database, not printed: Scrapy's own error lines (with
    # their tracebacks) stay off the operator's terminal. ``govwatch scan --verbose``: INFO.
    "LOG_LEVEL": "CRITICAL",
    "RETRY_GIVE_UP_LOG_LEVEL": "INFO",
    # Scrapy's start-up list of library versions, which nobody sees with the log off, costs a
    # ``uname`` child process for the platform line.
    "LOG_VERSIONS": [],
    "LOGSTATS_INTERVAL": 0,
    "DOWNLOAD_HANDLERS": {
        "http": "govwatch.crawler.connections.PooledHTTPDownloadHandler",
        "https": "govwatch.crawler.connections.PooledHTTPDownloadHandler",
    },
    "DOWNLOADER_MIDDLEWARES": {
        # link_exclude: nothing is sent
        "govwatch.crawler.linkcheck.guard.SkippedTargetMiddleware": 30,
        # before anything is asked
        "govwatch.crawler.linkcheck.guard.PrivateAddressMiddleware": 40,
        # before robots.txt (100)
        "govwatch.crawler.linkcheck.hosts.LinkCheckHostsMiddleware": 45,
        # after robots.txt, before the download
        "govwatch.crawler.budget.SiteBudgetMiddleware": 120,
        # after retries (550)
        "govwatch.crawler.linkcheck.requests.LinkCheckRequestMiddleware": 540,
        # before retries (550)
        "govwatch.crawler.backoff.BackoffMiddleware": 560,
        "govwatch.crawler.encoding.EncodingMiddleware": 650,
    },
    "SPIDER_MIDDLEWARES": {"govwatch.crawler.traps.TrapGuardMiddleware": 950},
    # Link checks are deduplicated by the scheduler, once per target (crawler/linkcheck/).
    "REQUEST_FINGERPRINTER_CLASS": "govwatch.crawler.linkcheck.CheckFingerprinter",
    "ITEM_PIPELINES": {"govwatch.crawler.pipeline.StorePipeline": 300},
    "EXTENSIONS": {
        "govwatch.crawler.progress.ProgressReporter": 500,
        # AutoThrottle per host, as the sites file asks (crawler/politeness.py)
        "scrapy.extensions.throttle.AutoThrottle": None,
        "govwatch.crawler.politeness.SiteThrottle": 0,
    },
    # govwatch's own knobs
    "GOVWATCH_ENCODING_FALLBACKS": ["utf-8", "gb18030"],
    "GOVWATCH_TRAP_MAX_QUERY_PARAMS": 6,
    "GOVWATCH_TRAP_MAX_SEGMENT_REPEATS": 2,
    "GOVWATCH_TRAP_MAX_PATH_DEPTH": 12,
    "GOVWATCH_TRAP_MAX_SHAPE_CHAIN": 10,
    "GOVWATCH_MAX_LIST_PAGES": 100,  # pages walked per column list
    "GOVWATCH_FOOTER_SAMPLE": 5,  # inner pages whose footer is read besides the home page
    "GOVWATCH_REVALIDATE": True,  # pages an earlier scan read are asked for on its validators
    # The run continues an interrupted scan: its frontier is rebuilt from the database (what
    # this scan stored is not asked for again). crawler/runner.py sets it.
    "GOVWATCH_RESUME": False,
    # Host → the politeness its sites ask for; crawler/process.py fills it from the sites file.
    "GOVWATCH_SITE_HOSTS": {},
    # 存证 (govwatch/evidence): the pages of new and reopened issues are kept, their
    # screenshots made (at most GOVWATCH_SCREENSHOT_MAX a scan, GOVWATCH_SCREENSHOT_PAGES at
    # once in one headless Chromium).
    "GOVWATCH_EVIDENCE": True,
    "GOVWATCH_SCREENSHOTS": False,  # needs Chromium: the office switches it on
    "GOVWATCH_SCREENSHOT_MAX": 500,
    "GOVWATCH_SCREENSHOT_PAGES": 4,
    "GOVWATCH_STORE_BATCH": 1000,  # rows buffered before one transaction
    "GOVWATCH_STORE_FLUSH_SECONDS": 2.0,
    "GOVWATCH_PROGRESS_INTERVAL": 2.0,  # seconds between progress lines; 0 = quiet
    # Link checks (错链断链): crawler/linkcheck*.py. Per site: link_exclude, link_accept,
    # allow_private in the sites file add to these.
    "GOVWATCH_LINKCHECK_ENABLED": True,  # false: only what the crawl fetches is judged
    # seconds per check (docs/indicators.md#availability); crawl: link_check_timeout
    "GOVWATCH_LINKCHECK_TIMEOUT": 15.0,
    "GOVWATCH_LINKCHECK_HEAD": True,  # HEAD first for targets that are not pages
    "GOVWATCH_LINKCHECK_OBEY_ROBOTS": False,  # check requests consult robots.txt
    # HEAD refused (405, 501), or answered in a way a GET may contradict
    "GOVWATCH_LINKCHECK_HEAD_FALLBACK_CODES": [400, 403, 404, 405, 406, 501],
    # Of an HTML answer to a check: the challenge markers are looked for in it, and the title
    # and message of an error page (soft 404) read from it; an error page that keeps the
    # site's banner and menus prints its message after 10-20 KB of them.
    "GOVWATCH_LINKCHECK_SNIFF_BYTES": 32768,
    "GOVWATCH_LINKCHECK_EXCLUDE": [],  # URL regexes never checked (skipped, excluded)
    "GOVWATCH_LINKCHECK_ACCEPT": [],  # status codes counted ok
    # The checker was refused, which says nothing of the target. 412: anti-bot gateways
    # (瑞数) answer a plain GET with it, and a GET without conditions cannot fail one.
    "GOVWATCH_LINKCHECK_BLOCKED_CODES": [401, 403, 412, 429, 999],
    # Found in the first SNIFF_BYTES of WAF / anti-bot challenge pages (case-insensitive).
    "GOVWATCH_LINKCHECK_CHALLENGE_MARKERS": [
        "__jsl_clearance",  # 创宇盾 / 加速乐
        "yunsuo_session_verify",  # 云锁
        "acw_sc__v2",  # 阿里云 WAF
        "$_ts=window['$_ts']",  # 瑞数
        "/cdn-cgi/challenge-platform/",  # Cloudflare
        "<title>just a moment...</title>",  # Cloudflare
    ],
    # Soft 404s (crawler/pages/errorpage.py): a target that answers 2xx with an error page,
    # or whose deep URL is redirected to a home page or a generic error page, is broken.
    "GOVWATCH_SOFT404_ENABLED": True,
    # Messages of error pages, matched with white space removed. Seen on government sites:
    # 您访问的页面不存在或已删除 (a ministry's /404.htm), 抱歉，您访问的页面没有找到 (a
    # registration platform), IIS's Chinese 无法找到网页 / HTTP 错误 404 - 找不到文件 /
    # 网页可能已经删除、更名或暂时不可用, and what CMSs print for withdrawn articles.
    "GOVWATCH_SOFT404_PHRASES": [
        "页面不存在", "页面已删除", "页面已被删除", "页面未找到", "页面没有找到", "找不到页面",
        "无法找到网页", "找不到文件", "已经删除、更名或暂时不可用", "访问的资源不存在",
        "信息已撤销", "信息已被撤销", "信息已删除", "信息已被删除", "文章已删除", "文章不存在",
    ],
    # A part of a page's title (split at - _ | : ·) that is one of these (lower case, white
    # space removed) makes it an error page, as does a short part holding a phrase above.
    "GOVWATCH_SOFT404_TITLES": [
        "404", "404错误", "错误404", "404页面", "404错误页面", "error404", "404error",
        "404notfound", "notfound", "error",
        "出错了", "错误页面", "页面错误", "访问出错", "系统错误",
    ],
    # Paths (regular expressions) of generic error pages a deep link may be redirected to:
    # /404.htm, /404.html and /404.jsp at a site's root are all seen on government sites. A
    # numbered page deeper down may be an article whose id is 404: not an error page.
    "GOVWATCH_SOFT404_ERROR_URLS": [
        r"^/(40[0-9]|50[0-9x])(\.(s?html?|jsp|php|aspx?))?/?$",
        r"/(error|errors|errorpage|error_page)(/|\.(s?html?|jsp|php|aspx?)$|$)",
        r"/(notfound|not[-_]found|pagenotfound)(/|\.\w+$|$)",
    ],
    # A page whose main text (outside banner, menus, sidebars and footer) is longer is
    # content, whatever message it quotes: error pages say little.
    "GOVWATCH_SOFT404_MAX_TEXT": 500,
    "GOVWATCH_LINKCHECK_ALLOW_PRIVATE": False,  # links may reach private addresses
    "GOVWATCH_LINKCHECK_HOST_CONCURRENCY": 2,  # per external host
    "GOVWATCH_LINKCHECK_HOST_DELAY": 1.0,  # seconds between requests to an external host
    "GOVWATCH_LINKCHECK_EXTERNAL_BUDGET": 1800.0,  # seconds of the scan for external hosts
    # Bounded link checks (0 = no cap): what a cap leaves is recorded skipped, reason budget,
    # never broken; the crawl itself is not capped. One page of 10 000 links to slow,
    # rate-limiting targets held a 14-page site for over 14 minutes, before these caps.
    # New link checks one page may start (targets checked already do not count; one left
    # here is still checked from another page carrying it). A portal page carries a few
    # dozen links, a site map a few hundred, most of them met before on other pages.
    "GOVWATCH_LINKCHECK_MAX_PER_PAGE": 500,
    # Link checks per host per scan, the sites' own hosts included: a site's page budget
    # (max_pages, default 5000) is the scale of what one scan looks at on one host.
    "GOVWATCH_LINKCHECK_MAX_PER_HOST": 5000,
    # Seconds one host's link checks may take (while a check waits in its slot or downloads;
    # crawl time does not count): at the ~3 checks a second a polite slot makes, the 5000
    # above, and the same half hour the external hosts get together.
    "GOVWATCH_LINKCHECK_HOST_BUDGET": 1800.0,
    # Politeness on trouble, for every request (crawler/backoff.py)
    "GOVWATCH_BACKOFF_BASE": 1.0,  # seconds: first wait after a retryable failure
    "GOVWATCH_BACKOFF_MAX": 30.0,
    "GOVWATCH_RETRY_AFTER_MAX": 120.0,  # a longer Retry-After is not waited for
}
