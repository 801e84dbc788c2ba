"""Link checks (错链断链): what checking one link target found, and how it is judged.

Every unique link target a scan finds is checked once. A target the crawl fetches anyway (a
page of the site, a document whose headers it asks for) is judged from that crawl response;
every other target gets a *check request* of its own, made by the spider
(:mod:`crawler.spider`) and carried through Scrapy's engine like any request:
:mod:`crawler.linkcheck.requests` (GET after a refused HEAD, body sniffing, redirect loops),
:mod:`crawler.linkcheck.guard` (no requests to excluded targets or private addresses),
:mod:`crawler.linkcheck.hosts` (caps and time budgets per host) and
:mod:`crawler.backoff` (Retry-After and backoff) shape it on the way.

This module holds what they share: the reason a check gives (:class:`CheckError`, each
reason belonging to one :class:`~govwatch.core.vocabulary.LinkResult` class), the exceptions the
middlewares raise, the per-site :class:`LinkPolicy` that judges a response or a failure into a
:class:`~crawler.records.LinkCheckRecord`, and :class:`CheckFingerprinter`, which makes the
scheduler's dupefilter the once-per-scan guarantee.

Settings: ``GOVWATCH_LINKCHECK_EXCLUDE`` (URL regexes never requested, by a check or by the
crawl, nor followed to by a redirect; default none),
``GOVWATCH_LINKCHECK_ACCEPT`` (status codes counted ok; default none),
``GOVWATCH_LINKCHECK_BLOCKED_CODES`` (codes that refuse the checker rather than mark the
target broken; default 401, 403, 412, 429, 999), ``GOVWATCH_LINKCHECK_CHALLENGE_MARKERS``
(strings that betray a WAF challenge page), ``GOVWATCH_LINKCHECK_SNIFF_BYTES`` (how much of
an HTML answer is read for them, and for the signs of an error page; default 32768), the
``GOVWATCH_SOFT404_*`` signs of a soft 404 (:mod:`crawler.pages.errorpage`: a 2xx answer that
is an error page, or a deep URL redirected to a home page or a generic error page, is
``broken``, reason ``soft-404``), ``GOVWATCH_LINKCHECK_TIMEOUT`` (seconds per
check request; default 15), ``GOVWATCH_LINKCHECK_HEAD`` (HEAD first for targets that are not
pages; default true), ``GOVWATCH_LINKCHECK_OBEY_ROBOTS`` (check requests consult robots.txt;
default false: a check is one visit to a URL a page publishes, as a reader's click is, and
the crawl itself obeys robots.txt); Scrapy's ``DOWNLOAD_MAXSIZE`` (default 32 MB): a larger
answer is cut off and its target skipped, ``too-large``. Per site, from the sites file:
``link_exclude`` and ``link_accept`` add to the global lists; ``obey_robots: false`` also
frees check requests.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.request import RequestFingerprinter
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from govwatch.core.schema import now_iso
from govwatch.core.vocabulary import CheckError, LinkResult
from govwatch.crawler.pages.errorpage import ErrorSigns
from govwatch.crawler.pages.links import WEB_SCHEMES, target_url
from govwatch.crawler.records import LinkCheckRecord

# Request meta keys. LINK_CHECK marks a check request (not parsed, only judged); OWN_SITE a
# check request for a target on the checking site's own host; SNIFF any request whose body is
# cut short once its verdict is known.
LINK_CHECK = "link_check"
OWN_SITE = "link_own_site"
SNIFF = "link_sniff"
# A request whose whole body is read anyway (an attachment read as text): an HTML answer is
# judged for the signs of an error page as a sniffed one is, without cutting it short.
JUDGE_BODY = "link_judge_body"
# Check requests wait behind the crawl's own pages on the same host.
CHECK_PRIORITY = -20
# How check_key names a check that no crawl request shares (a target on another host).
CHECK_KEY = "check"


_SCHEME_ERRORS = {"mailto": CheckError.MAILTO, "tel": CheckError.TEL,
                  "javascript": CheckError.JAVASCRIPT, "data": CheckError.DATA}
_BLOCKED_STATUS = {401: CheckError.UNAUTHORIZED, 403: CheckError.FORBIDDEN,
                   429: CheckError.RATE_LIMITED}


class SkippedTarget(IgnoreRequest):
    """The request is not made: its URL is one its site's policy skips
    (:meth:`LinkPolicy.skip_reason`: ``link_exclude``, a scheme other than http and https).
    :attr:`reason` is the :class:`CheckError` its target is recorded with."""

    def __init__(self, url: str, reason: CheckError) -> None:
        super().__init__(f"{url} is not requested: {reason}")
        self.reason = reason


class PrivateAddress(IgnoreRequest):
    """The request would reach a loopback, private, link-local or multicast address."""


class BudgetSpent(IgnoreRequest):
    """A host's share of link checks (a number of them, or its time) is spent."""


class ExternalBudgetSpent(BudgetSpent):
    """The scan's time for checking links on external hosts is spent."""


class RedirectLoop(IgnoreRequest):
    """A redirect leads back to a URL already in its chain."""


# Failures, most specific first; the first row whose exceptions match names the reason.
_FAILURES: tuple[tuple[tuple[type[BaseException], ...], CheckError], ...] = (
    ((PrivateAddress,), CheckError.PRIVATE_ADDRESS),
    ((ExternalBudgetSpent,), CheckError.EXTERNAL_BUDGET),
    ((BudgetSpent,), CheckError.BUDGET),
    ((RedirectLoop,), CheckError.REDIRECT_LOOP),
    # Scrapy's HTTP handler cancels a download only when it passes DOWNLOAD_MAXSIZE (by its
    # Content-Length, or as it streams in); a timeout is its own error.
    ((DownloadCancelledError,), CheckError.TOO_LARGE),
    ((DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError), CheckError.TIMEOUT),
    ((DownloadConnectionRefusedError, tx_error.ConnectionRefusedError),
     CheckError.CONNECTION_REFUSED),
    ((CannotResolveHostError, tx_error.DNSLookupError), CheckError.DNS),
    ((ResponseDataLossError, ResponseFailed, ResponseNeverReceived, DownloadFailedError,
      tx_error.ConnectionLost, tx_error.ConnectionDone, tx_error.ConnectError),
     CheckError.CONNECTION_LOST),
)


def checked_target(request: Request) -> str:
    """The link target a request checks: the URL its redirect chain started from."""
    chain = request.meta.get("redirect_urls")
    return target_url(chain[0] if chain else request.url)


def failure_error(failure: Failure) -> CheckError:
    """The reason a request that failed to download gives."""
    if failure.check(SkippedTarget):
        return failure.value.reason
    message = failure.getErrorMessage()
    reason = next((reason for kinds, reason in _FAILURES if failure.check(*kinds)), None)
    if reason is None and failure.check(IgnoreRequest):
        # Scrapy's robots.txt and redirect middlewares say why only in their message.
        if "robots" in message.lower():
            return CheckError.ROBOTS
        if "redirections" in message:
            return CheckError.TOO_MANY_REDIRECTS
    if reason in (None, CheckError.CONNECTION_LOST) and "SSL" in message:
        return CheckError.TLS  # Twisted reports a failed handshake as a lost connection
    return reason or CheckError.DOWNLOAD_ERROR


def status_error(status: int, blocked: Iterable[int]) -> CheckError | None:
    """The reason an HTTP status gives, or None when the target answered fine (2xx)."""
    if 200 <= status < 300 or status == 304:  # 304: there, unchanged since the last scan
        return None
    if status in blocked:
        return _BLOCKED_STATUS.get(status, CheckError.REFUSED)
    if 300 <= status < 400:
        return CheckError.BAD_REDIRECT  # RedirectMiddleware follows every usable one
    if status in (404, 410):
        return CheckError.NOT_FOUND if status == 404 else CheckError.GONE
    if 400 <= status < 500:
        return CheckError.CLIENT_ERROR
    return CheckError.SERVER_ERROR if 500 <= status < 600 else CheckError.BAD_STATUS


@dataclass(frozen=True)
class LinkPolicy:
    """How the links found on one site's pages are checked and judged."""

    site_id: str
    own_host: str = ""  # host[:port] of the site's home page
    home: str = ""  # the site's home page
    exclude: tuple[re.Pattern[str], ...] = ()
    accept: frozenset[int] = frozenset()
    blocked: frozenset[int] = frozenset()
    markers: tuple[bytes, ...] = ()
    sniff_bytes: int = 32768
    timeout: float = 15.0
    head_first: bool = True
    obey_robots: bool = True
    signs: ErrorSigns | None = None  # soft 404s are looked for (crawler/pages/errorpage.py)

    @classmethod
    def for_site(cls, site: Mapping[str, Any], settings: BaseSettings) -> LinkPolicy:
        """The policy of *site* (a spider's site mapping): global settings plus its own."""
        patterns = [*settings.getlist("GOVWATCH_LINKCHECK_EXCLUDE"), *site.get("link_exclude", ())]
        accept = [*settings.getlist("GOVWATCH_LINKCHECK_ACCEPT"), *site.get("link_accept", ())]
        return cls(
            site_id=site["id"],
            own_host=urlsplit(target_url(site["url"])).netloc.lower(),
            home=target_url(site["url"]),
            exclude=tuple(re.compile(p) for p in patterns),
            accept=frozenset(int(code) for code in accept),
            blocked=frozenset(int(c) for c in settings.getlist("GOVWATCH_LINKCHECK_BLOCKED_CODES")),
            markers=tuple(m.lower().encode() for m in
                          settings.getlist("GOVWATCH_LINKCHECK_CHALLENGE_MARKERS")),
            sniff_bytes=settings.getint("GOVWATCH_LINKCHECK_SNIFF_BYTES"),
            timeout=settings.getfloat("GOVWATCH_LINKCHECK_TIMEOUT"),
            head_first=settings.getbool("GOVWATCH_LINKCHECK_HEAD"),
            obey_robots=settings.getbool("GOVWATCH_LINKCHECK_OBEY_ROBOTS")
            and bool(site.get("obey_robots", True)),
            signs=ErrorSigns.from_settings(settings),
        )

    def skip_reason(self, target: str) -> CheckError | None:
        """Why *target* is not requested at all, or None when it is checked."""
        if target.startswith("#"):
            return CheckError.FRAGMENT
        scheme = urlsplit(target).scheme.lower()
        if scheme not in WEB_SCHEMES:
            return _SCHEME_ERRORS.get(scheme, CheckError.SCHEME)
        if any(pattern.search(target) for pattern in self.exclude):
            return CheckError.EXCLUDED
        return None

    def check_request(self, target: str, *, html: bool, spider: Spider) -> Request:
        """The request that checks *target*; *html* when it is expected to be a page.

        A page is asked for with GET (servers answer HEAD for pages unreliably), anything else
        with HEAD first; either way the body is cut short (:data:`SNIFF`). The callbacks are
        the spider's ``checked`` and ``check_failed``.
        """
        return Request(
            target,
            method=self._check_method(html),
            callback=spider.checked,
            errback=spider.check_failed,
            priority=CHECK_PRIORITY,
            # Plain bytes, so a body cut short still reads (and is searched for markers).
            headers={"Accept-Encoding": "identity"},
            meta={
                LINK_CHECK: True,
                OWN_SITE: urlsplit(target).netloc.lower() == self.own_host,
                SNIFF: True,
                "site_id": self.site_id,
                "download_timeout": self.timeout,
                "dont_obey_robotstxt": not self.obey_robots,
            },
        )

    def check_key(self, target: str, *, html: bool) -> str:
        """What the check request of *target* is one of: a crawl request of the same method
        and URL when *target* is on this site's host, else a check of the URL (as
        :class:`CheckFingerprinter` fingerprints them), for the spider's seen-set."""
        if urlsplit(target).netloc.lower() == self.own_host:
            return f"{self._check_method(html)} {target}"
        return f"{CHECK_KEY} {target}"

    def _check_method(self, html: bool) -> str:
        return "GET" if html or not self.head_first else "HEAD"

    def judge(self, outcome: Response | Failure) -> LinkCheckRecord:
        """The check record of the request behind *outcome* (a response, or a failure)."""
        request: Request = outcome.request
        target = checked_target(request)
        redirects = len(request.meta.get("redirect_urls", ()))
        # Not requested at all (the guard stops it), whatever got it judged; a redirect to a
        # skipped URL is a SkippedTarget failure of a target that is not, judged below.
        skipped = self.skip_reason(target)
        if skipped is not None:
            return _record(target, skipped)
        if isinstance(outcome, Response):
            return _record(target, self.response_error(outcome), outcome.status, outcome.url,
                           redirects)
        return _record(target, failure_error(outcome), None, request.url, redirects)

    def response_error(self, response: Response) -> CheckError | None:
        """The reason *response* gives, or None when its target is ok."""
        if response.status in self.accept:
            return None
        if self.is_challenge(response):
            return CheckError.CHALLENGE
        error = status_error(response.status, self.blocked)
        if error is None and self.is_soft_404(response):
            return CheckError.SOFT_404
        return error

    def is_soft_404(self, response: Response) -> bool:
        """Whether *response*, a 2xx answer, is an error page in disguise: its redirect
        chain lands a deep URL on a home page or a generic error page, or its sniffed body
        (a check's; the crawl's own pages are judged by the writer process, which parses
        them anyway) is an error page. The site's home page is never judged so: what it
        answers is the site's availability, judged apart."""
        request = response.request
        if self.signs is None or request.meta.get("home") or not 200 <= response.status < 300:
            return False
        chain = [*request.meta.get("redirect_urls", ()), response.url]
        if self.signs.redirect_sign(chain, self.home) is not None:
            return True
        judged = request.meta.get(SNIFF) or request.meta.get(JUDGE_BODY)
        if not (judged and isinstance(response, TextResponse) and response.body):
            return False
        text = response.body.decode(response.encoding, "replace")  # maybe cut mid-character
        return self.signs.html_sign(response.url, text) is not None

    def is_challenge(self, response: Response) -> bool:
        """Whether *response* is a WAF or anti-bot challenge rather than the target itself."""
        if response.headers.get(b"cf-mitigated", b"").lower() == b"challenge":
            return True
        head = response.body[: self.sniff_bytes].lower()
        return any(marker in head for marker in self.markers)


def _record(
    target: str,
    error: CheckError | None,
    status: int | None = None,
    final_url: str | None = None,
    redirects: int = 0,
) -> LinkCheckRecord:
    return LinkCheckRecord(
        target_url=target,
        result=error.result if error else LinkResult.OK,
        status_code=status,
        error=error,
        final_url=final_url,
        redirects=redirects,
        checked_at=now_iso(),
    )


def skipped_record(target: str, reason: CheckError,
                   instead: str | None = None) -> LinkCheckRecord:
    """The record of a target that is not requested at all (the URL asked for *instead*, if
    any, as its final URL)."""
    return _record(target, reason, final_url=instead)


class SitesAwareMiddleware:
    """Base of the downloader middlewares that tell the configured sites' hosts from others.

    They learn the sites when the spider opens, from ``spider.sites`` (id → site mapping with
    ``url`` and the site's keys), as Scrapy's OffsiteMiddleware learns ``allowed_domains``.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.sites: Mapping[str, Mapping[str, Any]] = {}
        self.site_hosts: frozenset[str] = frozenset()  # host names, without ports

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        self.sites = spider.sites
        self.site_hosts = frozenset(
            urlsplit(site["url"]).hostname or "" for site in self.sites.values()
        )


class CheckFingerprinter:
    """Request fingerprints for the dupefilter, which makes link checks once per scan.

    A check request of a target on another host is fingerprinted by its URL alone, in a space
    of its own: its HEAD and its GET are one check, and it never takes the place of the crawl's
    request for the same page (another site of the scan may link to a page that site has yet
    to crawl). A check request on the checking site's own host, and every other request, keep
    Scrapy's default fingerprint: a page of the site that the crawl fetches, or declined to
    (too deep, a trap), is fetched once either way. Setting: ``REQUEST_FINGERPRINTER_CLASS``.
    """

    def __init__(self, crawler: Any = None) -> None:
        self._crawl = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CheckFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        """20 bytes that are equal for requests the scheduler should treat as one."""
        if not request.meta.get(LINK_CHECK) or request.meta.get(OWN_SITE):
            return self._crawl.fingerprint(request)
        # The URL as requested, not canonicalised: each target string gets its own row.
        return hashlib.sha1(b"link-check " + request.url.encode()).digest()
