"""Incremental re-scans (增量巡检): ask again for the pages an earlier scan read, outside Scrapy.

Most pages of a portal do not change from one week to the next. The reader
(:mod:`crawler.writer`) keeps each page's validators (``ETag``, ``Last-Modified``) and leads
in ``page_cache``; the next scan sends the validators back as ``If-None-Match`` /
``If-Modified-Since``, and a page that answers 304 is not read again: the reader gives the
scan a row of the page referring to its stored reading and the crawl follows its stored
leads.

Those conditional requests are not made through Scrapy. Profiling a re-scan showed Scrapy's
request machinery (scheduler, middlewares, engine, Twisted's HTTP client) costing about
1.4 ms a request however small the answer, so a re-scan of unchanged pages through it could
not be much faster than the first scan. :class:`RevalidationWalk` makes them with aiohttp on
the crawl's own event loop and hands to Scrapy everything else: a page that changed (any
answer but 304, or no answer: Scrapy asks again without conditions, and records what
happens), documents, link checks, pages the walk cannot vouch for.

Which pages: the spider offers each page request it makes (:meth:`RevalidationWalk.route`);
the walk keeps those that an earlier scan read *the same way* — how a page was reached (home
page, menu link, its anchor text, list pagination, depth) shapes what it is read as
(:func:`crawler.pages.reading.reading_key`) — and that have validators. The crawl's other rules
hold for them too: ``link_exclude`` (the spider never offers an excluded page), the trap
guard (:mod:`crawler.traps`), the site's page budget (:mod:`crawler.budget`), robots.txt as
the crawl last parsed it for the host (a host whose robots.txt the crawl has not parsed is
left to Scrapy).

Politeness: the walk and Scrapy take turns of a few seconds (:data:`_TURN_SECONDS`). For
the walk's turn Scrapy's engine is paused, and the walk starts once Scrapy's requests to the
hosts it will ask have finished; what the walk leaves to Scrapy waits in Scrapy's scheduler
until the turn ends. So a host never sees the two at once, and Scrapy's own work (documents,
changed pages, link checks of other hosts) goes on between the walk's turns. Within its turn
the walk keeps to the crawl's limits: ``CONCURRENT_REQUESTS`` in all, and per host (by host
name, as Scrapy keys its download slots) the concurrency and delay Scrapy gives the host's
slot: ``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY``, or the sites file's
``crawl:`` keys for a site's host (:mod:`crawler.politeness`); AutoThrottle's delay once the
slot has one. A site's ``crawl: download_timeout`` holds for the walk's requests too.

Resuming: a page whose ``page_cache`` row already belongs to the running scan was read
before the interruption; the walk follows its stored leads without asking for it again. That
is how a resumed scan rebuilds its frontier from the database, whether or not it revalidates
(``--full``): from the start pages down through every page already read, to the pages that
were waiting, in Scrapy's queue or in the walk's, when it stopped.

Settings: ``GOVWATCH_REVALIDATE`` (default true; ``govwatch scan --full`` turns it off),
``GOVWATCH_RESUME`` (the walk then follows the pages read in this scan, even without
revalidation), ``GOVWATCH_DB``, ``GOVWATCH_SCAN_ID``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit
from urllib.request import getproxies

import aiohttp
import scrapy
from queuelib import FifoDiskQueue, PriorityQueue
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.internet import task

from govwatch.core.schema import open_read_only
from govwatch.crawler import store
from govwatch.crawler.budget import refund_budget, spend_budget
from govwatch.crawler.linkcheck import LINK_CHECK
from govwatch.crawler.pages.reading import reading_key
from govwatch.crawler.traps import TrapGuardMiddleware


class Crawl(Protocol):
    """What the walk needs of the spider that offers it pages (it never names the spider)."""

    sites: dict[str, dict[str, Any]]  # site id → the site's crawl settings
    seen: Any  # the URLs the crawl has made a request for (``add(key) -> bool``)
    reader: Any  # the writer process's client (``store``, ``gone``)

    def follow_stored(self, site_id: str, url: str, meta: dict[str, Any], priority: int,
                      cached: CachedPage, *, replay: bool) -> Iterator[Any]: ...

    def page_request(self, url: str, priority: int, meta: dict[str, Any], *,
                     dont_filter: bool = False) -> scrapy.Request: ...

logger = logging.getLogger(__name__)

_RECORD_BATCH = 500  # records of the walk's pages sent to the reader at once
# The walk and Scrapy take turns of this long at most (Scrapy's ends early when it is idle,
# the walk's when no page waits), so neither keeps the other waiting for long.
_TURN_SECONDS = 5.0


class CachedPage(NamedTuple):
    """What ``page_cache`` holds of a page an earlier scan read."""

    etag: str | None
    last_modified: str | None
    reading_key: str
    scan_id: int  # the scan whose rows hold its reading
    leads: str | None  # crawler.pages.reading.Leads as JSON


class Waiting(NamedTuple):
    """A page request the walk has taken: its URL, priority (as Scrapy's depth middleware
    leaves it) and meta."""

    url: str
    priority: int
    meta: dict[str, Any]


class WaitingPages:
    """One site's pages waiting for the walk, highest priority first, then first come.

    In the order Scrapy's scheduler would take them: which page first leads to a URL decides
    how the URL is reached (its depth, its anchor text), and so whether its stored reading
    can be reused. On disk, as Scrapy keeps its own queue in a job directory: a portal's list
    pages lead to most of its pages at once, so tens of thousands wait at a time (72 000 in
    the benchmark's re-scan of 100 000 pages), which as Python objects cost 50 MB.
    """

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)  # left by an interrupted scan: found again
        self.folder = folder
        # queuelib takes the lowest number first
        self._queue = PriorityQueue(lambda priority: FifoDiskQueue(str(folder / str(priority))))

    def __len__(self) -> int:
        return len(self._queue)

    def push(self, waiting: Waiting) -> None:
        self._queue.push(json.dumps(waiting, ensure_ascii=False).encode(), -waiting.priority)

    def pop(self) -> Waiting:
        return Waiting(*json.loads(self._queue.pop()))

    def close(self) -> None:
        """Drop what still waits (a resumed scan finds it again) and the folder."""
        self._queue.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class RevalidationWalk:
    """Conditional requests for the pages an earlier scan read, on the crawl's event loop."""

    def __init__(self, spider: Crawl, crawler: Any) -> None:
        settings = crawler.settings
        self.spider = spider
        self.crawler = crawler
        self.scan_id = settings.getint("GOVWATCH_SCAN_ID")
        db_path = settings.get("GOVWATCH_DB")
        # Conditional requests for pages earlier scans read; and, resuming, the stored leads
        # of pages this scan read before it was interrupted.
        self.revalidate = settings.getbool("GOVWATCH_REVALIDATE")
        self.enabled = bool((self.revalidate or settings.getbool("GOVWATCH_RESUME"))
                            and db_path)
        # Reads only; the writer process writes (WAL lets both work at once).
        self.conn = open_read_only(db_path) if self.enabled \
            else None
        self.traps = TrapGuardMiddleware(crawler)
        self.per_host = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.in_all = settings.getint("CONCURRENT_REQUESTS")
        self.depth_priority = settings.getint("DEPTH_PRIORITY")
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.headers = {**settings.getdict("DEFAULT_REQUEST_HEADERS"),
                        "User-Agent": settings.get("USER_AGENT"),
                        "Accept-Encoding": "gzip, deflate"}
        self.waiting: dict[str, WaitingPages] = {}  # per site
        job = settings.get("JOBDIR")  # else a temporary folder, made when first needed
        self.folder: Path | None = Path(job) / "revalidate" if job else None
        self.robots: dict[str, Any] = {}  # host → robots.txt parser, as the crawl parsed it
        # The last request left to Scrapy in a turn: the others wait in its scheduler (on
        # disk, in a job directory) and this one, made once the turn ends, wakes the engine.
        self.held: scrapy.Request | None = None
        self.records: list[Any] = []
        self.turn: asyncio.Task | None = None
        self.stopping = False  # the crawl is closing: finish what is in flight, start nothing
        self.draining = False  # Scrapy is paused, its requests to the walk's hosts finishing
        self.walk_until = self.scrapy_until = 0.0  # when the turn under way ends
        self.next_at: dict[str, float] = {}  # host → when its next request may start
        # host → its requests in flight: by host name, as Scrapy keys its download slots
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.site_hosts = {site_id: urlsplit(site["url"]).hostname or ""
                           for site_id, site in spider.sites.items()}
        self.ticker: task.LoopingCall | None = None  # made once the reactor runs
        crawler.signals.connect(self.spider_idle, signals.spider_idle)
        crawler.signals.connect(self.robots_parsed, signals.robots_parsed)

    # -- what the walk takes -------------------------------------------------------------

    def route(self, request: scrapy.Request, parent: Response | None) -> Iterator[Any]:
        """What the crawl makes of *request* (a page request of the spider's): the request
        Scrapy should make, unless the walk has taken it or the trap guard dropped it, and
        the guard's record of a spelling not fetched as written."""
        if not self.enabled or request.method != "GET" or request.meta.get(LINK_CHECK):
            yield request
            return
        guarded = None
        for out in self.traps.screen(request, parent):
            if isinstance(out, scrapy.Request):
                guarded = out
            else:
                yield out
        if guarded is None:
            return
        if guarded.url != request.url and not self.spider.seen.add(f"GET {guarded.url}"):
            return  # a second spelling (a session id the guard removed) of a URL met
        cached = self._cached(guarded.url, leads=False)
        if cached is None or cached.reading_key != reading_key(guarded.meta):
            yield guarded
            return
        if cached.scan_id != self.scan_id and not (
                self.revalidate and (cached.etag or cached.last_modified)):
            yield guarded
            return
        # Scrapy's duplicate filter learns what the walk takes, so that a redirect to it is
        # not followed, as if Scrapy had asked for it itself.
        self.crawler.engine.scheduler.df.request_seen(guarded)
        # What Scrapy's depth middleware does to the spider's requests, which the walk's
        # requests do not pass through.
        depth = parent.meta.get("depth", 0) + 1 if parent is not None else 0
        guarded.meta["depth"] = depth
        self._wait(Waiting(guarded.url, guarded.priority - depth * self.depth_priority,
                           guarded.meta))

    def take_done(self, request: scrapy.Request) -> bool:
        """Take *request* when its page is done in this scan already (a resumed scan's start
        pages), so that its stored leads are followed; False otherwise."""
        if not self.enabled:
            return False
        cached = self._cached(request.url, leads=False)
        if cached is None or cached.scan_id != self.scan_id:
            return False
        # as Scrapy's own start request would: a lead to it later is not fetched again
        self.crawler.engine.scheduler.df.request_seen(request)
        self._wait(Waiting(request.url, request.priority, request.meta))
        return True

    def _wait(self, waiting: Waiting) -> None:
        site_id = waiting.meta["site_id"]
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="govwatch-walk-"))
        if site_id not in self.waiting:
            self.waiting[site_id] = WaitingPages(self.folder / site_id)
        self.waiting[site_id].push(waiting)
        if self.ticker is None:
            self.ticker = task.LoopingCall(self._take_turn)
            self.ticker.start(0.5, now=False)

    def _cached(self, url: str, *, leads: bool = True) -> CachedPage | None:
        """The ``page_cache`` row of *url*; without its *leads* (much the largest column,
        read only once the page is replayed) when only deciding whether to take it."""
        row = store.cached_page(self.conn, url, leads=leads)
        return CachedPage(*row) if row else None

    def _stored(self, scan_id: int, url: str) -> bool:
        """Whether the rows of a stored reading are still there to copy."""
        return store.reading_stored(self.conn, scan_id, url)

    # -- turns -----------------------------------------------------------------------------

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        self.robots[urlsplit(request.url).netloc] = robotparser

    def spider_idle(self) -> None:
        """Scrapy has nothing left: the walk's turn comes now, if pages wait for it."""
        if self._take_turn(scrapy_idle=True):
            raise DontCloseSpider

    def _take_turn(self, *, scrapy_idle: bool = False) -> bool:
        """Give the walk its turn when pages wait and Scrapy has had its own (or is idle):
        pause Scrapy's engine, let its requests to the walk's hosts finish, then walk.
        Whether a turn is under way or coming. Checked every half second."""
        if self.turn is not None:
            return True
        hosts = {self.site_hosts[site_id] for site_id, queue in self.waiting.items() if queue}
        if not hosts or self.stopping:
            return False
        engine = self.crawler.engine
        if not self.draining:
            if not scrapy_idle and time.monotonic() < self.scrapy_until:
                return False  # Scrapy's turn: documents, changed pages, link checks
            engine.pause()  # Scrapy starts nothing more; what it has under way finishes
            self.draining = True
        slots = engine.downloader.slots
        if any(host in slots and slots[host].active for host in hosts):
            return True
        self.draining = False
        self.walk_until = time.monotonic() + _TURN_SECONDS
        self.turn = asyncio.ensure_future(self._walk())
        self.turn.add_done_callback(self._turn_ended)
        return True

    def _walking(self) -> bool:
        """Whether the walk's turn goes on: the crawl is not closing, its time is not up."""
        return not self.stopping and time.monotonic() < self.walk_until

    async def _walk(self) -> None:
        per_host = max([self.per_host, *(self._slot_setting(h, "concurrency", self.per_host)
                                         for h in self.site_hosts.values())])
        connector = aiohttp.TCPConnector(limit=self.in_all, limit_per_host=per_host,
                                         ssl=False)  # as Scrapy: a portal's certificate is
        # often broken, and a check of it is not what a revalidation is for
        async with aiohttp.ClientSession(
            # The proxy of the environment, as Scrapy's HttpProxyMiddleware takes it; without
            # one, not trusting the environment spares a read of ~/.netrc for each request.
            connector=connector, headers=self.headers, trust_env=bool(getproxies()),
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as session:
            while any(self.waiting.values()) and self._walking():
                sites = [site_id for site_id, queue in self.waiting.items() if queue]
                await asyncio.gather(*(self._walk_site(site_id, session) for site_id in sites))

    async def _walk_site(self, site_id: str, session: aiohttp.ClientSession) -> None:
        """Ask for the site's waiting pages, ``per_host`` at a time, until none waits."""
        queue = self.waiting[site_id]
        per_host = self._slot_setting(self.site_hosts[site_id], "concurrency", self.per_host)
        running: set[asyncio.Future] = set()
        while (queue and self._walking()) or running:
            while queue and len(running) < per_host and self._walking():
                running.add(asyncio.ensure_future(self._revalidate(queue.pop(), session)))
            if not running:
                break
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                finished.result()

    def _slot_setting(self, host: str, name: str, default: Any) -> Any:
        """What Scrapy gives *host*'s download slot when it makes it: the sites file's
        politeness for a site's host (``DOWNLOAD_SLOTS``, crawler/politeness.py), else the
        crawl's *default*."""
        return self.crawler.engine.downloader.per_slot_settings.get(host, {}).get(name, default)

    async def _pace(self, host: str) -> None:
        """Keep to the host's download delay: AutoThrottle's, when the crawl has a slot
        for the host, else the one Scrapy would give it."""
        slot = self.crawler.engine.downloader.slots.get(host)
        delay = slot.download_delay() if slot is not None else \
            self._slot_setting(host, "delay", self.delay)
        if delay <= 0:
            return
        now = time.monotonic()
        start = max(now, self.next_at.get(host, now))
        self.next_at[host] = start + delay
        if start > now:
            await asyncio.sleep(start - now)

    async def _revalidate(self, waiting: Waiting, session: aiohttp.ClientSession) -> None:
        """Ask for one page on its stored validators; replay it, or leave it to Scrapy. A page
        the walk fails on (an unreadable stored entry, say) is left to Scrapy, to be read
        afresh: one odd page neither stops the walk nor goes missing."""
        try:
            await self._ask(waiting, session)
        except Exception as error:
            logger.error("revalidating %s failed (%r); the crawl reads it again",
                         waiting.url, error)
            self._hand_over(waiting)

    async def _ask(self, waiting: Waiting, session: aiohttp.ClientSession) -> None:
        url, meta = waiting.url, waiting.meta
        site_id = meta["site_id"]
        cached = self._cached(url)
        if cached is not None and cached.scan_id == self.scan_id:
            self._follow(self.spider.follow_stored(site_id, url, meta, waiting.priority, cached,
                                                   replay=False))
            return
        if cached is None or not self._allowed(url, meta) \
                or not spend_budget(self.crawler.stats, site_id, meta["max_pages"]):
            self._hand_over(waiting)
            return
        headers = {}
        if cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        host = urlsplit(url).hostname or ""
        try:
            limit = self._slot_setting(host, "concurrency", self.per_host)
            # The site's crawl: download_timeout, as on its Scrapy requests; else the session's.
            timeout = meta.get("download_timeout")
            options = {"timeout": aiohttp.ClientTimeout(total=timeout)} if timeout else {}
            async with self.hosts.setdefault(host, asyncio.Semaphore(limit)):
                await self._pace(host)
                # The body of anything but a 304 is left unread: Scrapy asks again, reads it.
                async with session.get(url, headers=headers, allow_redirects=False,
                                       **options) as answer:
                    status = answer.status
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError):
            status = None
        if status != 304 or not self._stored(cached.scan_id, url):
            refund_budget(self.crawler.stats, site_id)  # Scrapy's request spends it
            self._hand_over(waiting)
            return
        try:
            self._follow(self.spider.follow_stored(site_id, url, meta, waiting.priority, cached,
                                                   replay=True))
        except Exception:
            refund_budget(self.crawler.stats, site_id)  # left to Scrapy: its request spends it
            raise

    def _allowed(self, url: str, meta: dict[str, Any]) -> bool:
        """Whether robots.txt, as the crawl parsed it for the host, lets the walk ask."""
        if meta.get("dont_obey_robotstxt"):
            return True
        host = urlsplit(url).netloc
        if host not in self.robots:
            return False  # not parsed (yet, or it failed): Scrapy decides
        parser = self.robots[host]
        return parser is None or parser.allowed(url, self.user_agent)

    def _follow(self, outputs: Iterable[Any]) -> None:
        """Pass on what the spider made of a page: requests to Scrapy when the turn ends,
        records to the reader."""
        for out in outputs:
            if isinstance(out, scrapy.Request):
                self._leave_to_scrapy(out)
            else:
                self.records.append(out)
        if len(self.records) >= _RECORD_BATCH:
            self._send_records()

    def _hand_over(self, waiting: Waiting) -> None:
        # past the duplicate filter, which has seen it: the walk took it
        self._leave_to_scrapy(self.spider.page_request(waiting.url, waiting.priority,
                                                       waiting.meta, dont_filter=True))

    def _leave_to_scrapy(self, request: scrapy.Request) -> None:
        """Schedule *request*; the engine, paused for the turn, makes it once the turn ends."""
        if self.held is not None:
            self.crawler.engine.crawl(self.held)
        self.held = request

    def _send_records(self) -> None:
        if self.records and not self.spider.reader.gone:
            self.spider.reader.store(self.records)
            self.records = []

    def _turn_ended(self, turn: asyncio.Task) -> None:
        """Give Scrapy back the engine and what the walk left to it."""
        self.turn = None
        self.scrapy_until = time.monotonic() + _TURN_SECONDS
        engine = self.crawler.engine
        engine.unpause()
        if self.stopping or self.spider.reader.gone:
            return  # what was left is found again by a resumed scan (see the module's doc)
        self._send_records()
        if turn.exception() is not None:
            # Nothing is lost: every page still waiting goes to Scrapy, unconditional.
            logger.error("revalidation stopped; Scrapy fetches the rest",
                         exc_info=turn.exception())
            self.enabled = False
            for queue in self.waiting.values():
                while queue:
                    self._hand_over(queue.pop())
        if self.held is not None:
            engine.crawl(self.held)  # also wakes the engine, for what its scheduler holds
            self.held = None
        # With nothing left to Scrapy, the engine's heartbeat (5 s) notices it is idle.

    async def close(self) -> None:
        """The crawl is closing: let the requests in flight finish (so that a resumed scan
        need not ask for them again), start no more, and send the last records."""
        self.stopping = True
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        if self.draining:
            self.crawler.engine.unpause()
        if self.turn is not None:
            await asyncio.wait([self.turn])
        self._send_records()
        for queue in self.waiting.values():
            queue.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.conn is not None:
            self.conn.close()
