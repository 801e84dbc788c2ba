"""How a link check is judged, without a network: statuses, failures, challenges, targets,
Retry-After, private addresses, fingerprints, and the sites-file keys that tune them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from govwatch.core.config import ConfigError, load_config
from govwatch.core.vocabulary import CheckError, LinkResult
from govwatch.crawler.backoff import BackoffMiddleware, retry_after
from govwatch.crawler.linkcheck import (
    LINK_CHECK,
    CheckFingerprinter,
    LinkPolicy,
    PrivateAddress,
    RedirectLoop,
    failure_error,
    status_error,
    target_url,
)
from govwatch.crawler.linkcheck.guard import PrivateAddressMiddleware, is_private
from govwatch.crawler.settings import DEFAULTS

SETTINGS = Settings(DEFAULTS)
SITE = {"id": "a", "url": "http://a.gov.cn/", "link_exclude": [r"/tmp/"], "link_accept": [403]}
POLICY = LinkPolicy.for_site(SITE, SETTINGS)
SPIDER = SimpleNamespace(checked=lambda r: None, check_failed=lambda f: None)


def response(status: int, body: bytes = b"", url: str = "http://a.gov.cn/x", **headers: str):
    request = Request(url, meta={"site_id": "a"})
    cls = HtmlResponse if body else Response
    return cls(url, status=status, body=body, headers=headers, request=request)


def failure(exc: Exception, url: str = "http://a.gov.cn/x") -> Failure:
    f = Failure(exc)
    f.request = Request(url, meta={"site_id": "a"})
    return f


@pytest.mark.parametrize("status, error", [
    (200, None), (204, None), (404, CheckError.NOT_FOUND), (410, CheckError.GONE),
    (418, CheckError.CLIENT_ERROR), (400, CheckError.CLIENT_ERROR),
    (500, CheckError.SERVER_ERROR), (503, CheckError.SERVER_ERROR),
    (401, CheckError.UNAUTHORIZED), (403, CheckError.FORBIDDEN), (429, CheckError.RATE_LIMITED),
    (412, CheckError.REFUSED), (999, CheckError.REFUSED), (302, CheckError.BAD_REDIRECT),
    (700, CheckError.BAD_STATUS),
])
def test_status_codes(status, error):
    assert status_error(status, POLICY.blocked) == error


def test_each_reason_belongs_to_one_class():
    blocked = {e for e in CheckError if e.result is LinkResult.BLOCKED}
    skipped = {e for e in CheckError if e.result is LinkResult.SKIPPED}
    assert {e.value for e in blocked} == {"unauthorized", "forbidden", "rate-limited", "refused",
                                          "challenge", "robots.txt"}
    assert CheckError.PRIVATE_ADDRESS in skipped and CheckError.EXCLUDED in skipped
    assert CheckError.TIMEOUT.result is CheckError.REDIRECT_LOOP.result is LinkResult.BROKEN


@pytest.mark.parametrize("exc, error", [
    (DownloadTimeoutError(), CheckError.TIMEOUT),
    (DownloadConnectionRefusedError(), CheckError.CONNECTION_REFUSED),
    (CannotResolveHostError(), CheckError.DNS),
    (RedirectLoop("loop"), CheckError.REDIRECT_LOOP),
    (PrivateAddress("10.0.0.1"), CheckError.PRIVATE_ADDRESS),
    (IgnoreRequest("Forbidden by robots.txt"), CheckError.ROBOTS),
    (IgnoreRequest("max redirections reached"), CheckError.TOO_MANY_REDIRECTS),
    (ValueError("odd"), CheckError.DOWNLOAD_ERROR),
])
def test_failures(exc, error):
    assert failure_error(failure(exc)) == error


def test_a_judged_failure_keeps_its_chain():
    f = failure(DownloadTimeoutError(), url="http://a.gov.cn/c")
    f.request.meta["redirect_urls"] = ["http://a.gov.cn/a", "http://a.gov.cn/b"]
    record = POLICY.judge(f)
    assert (record.target_url, record.result, record.error, record.final_url, record.redirects) == (
        "http://a.gov.cn/a", "broken", "timeout", "http://a.gov.cn/c", 2)


def test_accepted_codes_are_ok_and_excluded_targets_are_skipped_even_when_fetched():
    assert POLICY.judge(response(403)).result == "ok"  # link_accept: [403]
    assert POLICY.judge(response(404)).result == "broken"
    excluded = POLICY.judge(response(200, url="http://a.gov.cn/tmp/x.html"))
    assert (excluded.result, excluded.error) == ("skipped", "excluded")


@pytest.mark.parametrize("body, headers", [
    (b"<script>var __jsl_clearance=1;</script>", {}),
    (b"<html><script src='/yunsuo_session_verify'></script>", {}),
    (b"<TITLE>Just a moment...</TITLE>", {}),
    (b"<p>x</p>", {"cf-mitigated": "challenge"}),
])
def test_challenge_pages_are_blocked_whatever_their_status(body, headers):
    policy = LinkPolicy.for_site({"id": "a", "url": "http://a.gov.cn/"}, SETTINGS)
    for status in (200, 403, 503):
        record = policy.judge(response(status, body, **headers))
        assert (record.result, record.error) == ("blocked", "challenge")


def test_a_marker_past_the_sniffed_head_is_not_a_challenge():
    body = b"<p>" + b"x" * POLICY.sniff_bytes + b"__jsl_clearance</p>"
    assert POLICY.judge(response(200, body)).result == "ok"


@pytest.mark.parametrize("target, error", [
    ("mailto:a@b.gov.cn", CheckError.MAILTO), ("tel:12345", CheckError.TEL),
    ("javascript:void(0)", CheckError.JAVASCRIPT), ("JavaScript:go()", CheckError.JAVASCRIPT),
    ("data:image/png;base64,AA==", CheckError.DATA), ("#", CheckError.FRAGMENT),
    ("#top", CheckError.FRAGMENT), ("ftp://a.gov.cn/x", CheckError.SCHEME),
    ("http://a.gov.cn/tmp/1.html", CheckError.EXCLUDED), ("http://a.gov.cn/1.html", None),
])
def test_skip_reasons(target, error):
    assert POLICY.skip_reason(target) == error


def test_global_and_site_lists_add_up():
    settings = Settings({**DEFAULTS, "GOVWATCH_LINKCHECK_EXCLUDE": [r"\.zip$"],
                         "GOVWATCH_LINKCHECK_ACCEPT": [401]})
    policy = LinkPolicy.for_site(SITE, settings)
    assert policy.accept == {401, 403}
    assert policy.skip_reason("http://x.cn/a.zip") == policy.skip_reason("http://a.gov.cn/tmp/")


def test_targets_are_stored_as_requested():
    assert target_url("http://a.gov.cn/新闻/通知.html") == target_url(
        "http://a.gov.cn/%E6%96%B0%E9%97%BB/%E9%80%9A%E7%9F%A5.html")
    assert target_url("http://a.gov.cn/新闻/") == Request("http://a.gov.cn/新闻/").url
    assert target_url("http://a.gov.cn") == "http://a.gov.cn/"
    assert target_url("mailto:张三@a.gov.cn") == "mailto:张三@a.gov.cn"


def test_check_requests_head_first_for_what_is_not_a_page():
    page = POLICY.check_request("http://b.cn/x.html", html=True, spider=SPIDER)
    image = POLICY.check_request("http://b.cn/x.png", html=False, spider=SPIDER)
    assert (page.method, image.method) == ("GET", "HEAD")
    assert image.meta["download_timeout"] == SETTINGS.getfloat("GOVWATCH_LINKCHECK_TIMEOUT")
    no_head = LinkPolicy.for_site(SITE, Settings({**DEFAULTS, "GOVWATCH_LINKCHECK_HEAD": False}))
    assert no_head.check_request("http://b.cn/x.png", html=False, spider=SPIDER).method == "GET"


def test_fingerprints_make_a_check_once_per_target():
    fp = CheckFingerprinter().fingerprint
    head = POLICY.check_request("http://b.cn/x", html=False, spider=SPIDER)
    get = POLICY.check_request("http://b.cn/x", html=True, spider=SPIDER)
    crawl = Request("http://b.cn/x")
    assert fp(head) == fp(get)  # HEAD first, then GET: one check
    assert fp(get) != fp(crawl)  # a check never stands in for another site's crawl
    own = POLICY.check_request("http://a.gov.cn/deep.html", html=True, spider=SPIDER)
    assert fp(own) == fp(Request("http://a.gov.cn/deep.html"))  # its own site: one fetch
    assert fp(POLICY.check_request("http://b.cn/x?b=1&a=2", html=True, spider=SPIDER)) != fp(
        POLICY.check_request("http://b.cn/x?a=2&b=1", html=True, spider=SPIDER))
    assert head.meta[LINK_CHECK] and not crawl.meta.get(LINK_CHECK)


NOW = datetime(2026, 11, 24, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("header, seconds", [
    (b"120", 120.0), (b" 0 ", 0.0), (b"Tue, 24 Nov 2026 08:01:30 GMT", 90.0),
    (b"Tue, 24 Nov 2026 07:00:00 GMT", 0.0), (b"soon", None), (None, None), (b"-5", None),
])
def test_retry_after(header, seconds):
    assert retry_after(header, NOW) == seconds


def backoff(slot: Slot) -> BackoffMiddleware:
    settings = Settings({**DEFAULTS, "GOVWATCH_BACKOFF_BASE": 1, "GOVWATCH_BACKOFF_MAX": 8,
                         "GOVWATCH_RETRY_AFTER_MAX": 60})
    downloader = SimpleNamespace(slots={"h": slot})
    return BackoffMiddleware(SimpleNamespace(settings=settings,
                                             engine=SimpleNamespace(downloader=downloader)))


def answer(mw: BackoffMiddleware, status: int, sent_ago: float = 0.0, **headers: str) -> Request:
    """Pass an answer from host h, to a request sent *sent_ago* seconds ago, through *mw*."""
    request = Request("http://h/", meta={"download_slot": "h", "download_latency": sent_ago})
    mw.process_response(request, Response("http://h/", status=status, headers=headers))
    return request


def test_retry_after_holds_the_host_whatever_autothrottle_makes_of_earlier_answers():
    slot = Slot(concurrency=2, delay=0.25, jitter=0.5)
    mw = backoff(slot)
    answer(mw, 429, **{"Retry-After": "5"})
    assert (slot.delay, slot.jitter) == (5, 0)
    slot.delay = 1.0  # AutoThrottle, on an answer to a request sent before the 429
    answer(mw, 200, sent_ago=10)
    assert slot.delay == 5
    answer(mw, 200)  # sent since: the host recovers
    assert slot.delay == 2.5
    for _ in range(5):
        answer(mw, 200)
    assert (slot.delay, slot.jitter, mw.slowed) == (0.25, 0.5, {})


def test_failures_double_the_wait_up_to_its_most():
    slot = Slot(concurrency=2, delay=0.25, jitter=0.5)
    mw = backoff(slot)
    waits = []
    for _ in range(5):
        mw.process_exception(Request("http://h/", meta={"download_slot": "h"}),
                             DownloadTimeoutError())
        waits.append(slot.delay)
    assert waits == [1, 2, 4, 8, 8]
    mw.process_exception(Request("http://h/", meta={"download_slot": "h"}), ValueError())
    assert slot.delay == 8  # not a failure RetryMiddleware retries


def test_a_retry_after_past_its_most_is_not_waited_for():
    slot = Slot(concurrency=2, delay=0.25, jitter=0.5)
    request = answer(backoff(slot), 429, **{"Retry-After": "3600"})
    assert request.meta["dont_retry"] and slot.delay == 0.25


@pytest.mark.parametrize("address, private", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("10.1.2.3", True), ("172.16.0.1", True),
    ("192.168.1.1", True), ("169.254.169.254", True), ("224.0.0.1", True), ("0.0.0.0", True),
    ("100.64.0.1", True), ("::1", True), ("fe80::1", True), ("fc00::1", True),
    ("::ffff:10.0.0.1", True), ("8.8.8.8", False), ("202.96.128.86", False),
    ("2400:3200::1", False), ("::ffff:8.8.8.8", False),
])
def test_private_addresses(address, private):
    assert is_private(ip_address(address)) is private


def guard(allow_all: bool = False) -> PrivateAddressMiddleware:
    settings = Settings({**DEFAULTS, "GOVWATCH_LINKCHECK_ALLOW_PRIVATE": allow_all})
    mw = PrivateAddressMiddleware(SimpleNamespace(settings=settings))
    mw.spider_opened(SimpleNamespace(sites={
        "intranet": {"id": "intranet", "url": "http://10.0.0.5:8080/"},
        "open": {"id": "open", "url": "http://10.0.0.6/", "allow_private": True},
    }))
    return mw


def guarded(mw: PrivateAddressMiddleware, url: str, site: str = "intranet") -> bool:
    """Whether the guard lets *url*, found on *site*'s pages, be requested."""
    try:
        asyncio.run(mw.process_request(Request(url, meta={"site_id": site})))
    except PrivateAddress:
        return False
    return True


def test_the_guard_lets_through_configured_sites_and_what_the_config_allows():
    mw = guard()
    assert guarded(mw, "http://8.8.8.8/")
    assert guarded(mw, "http://10.0.0.5:9090/")  # the address of a configured site
    assert guarded(mw, "http://10.0.0.6/x")  # a configured site's host
    assert not guarded(mw, "http://10.0.0.7/")
    assert not guarded(mw, "http://[::1]/")
    assert guarded(mw, "http://10.0.0.7/", site="open")  # allow_private: true
    assert guarded(guard(allow_all=True), "http://10.0.0.7/")


# -- the sites file ----------------------------------------------------------------------------

def sites(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "govwatch.yaml"
    path.write_text("sites:\n  - id: a\n    name: A\n    url: https://a.gov.cn/\n" + extra,
                    encoding="utf-8")
    return path


def test_link_keys_in_the_sites_file(tmp_path):
    site = load_config(sites(tmp_path, "    link_exclude: ['^https?://[^/]*\\.example\\.org/',"
                                       " '/tmp/']\n    link_accept: [403, 999]\n")).sites[0]
    assert site.link_exclude == (r"^https?://[^/]*\.example\.org/", "/tmp/")
    assert site.link_accept == (403, 999)
    assert load_config(sites(tmp_path, "    link_exclude:\n")).sites[0].link_exclude == ()


@pytest.mark.parametrize("extra, line, phrase", [
    ("    link_exclude: '/tmp/'\n", 5, "link_exclude must be a list of regular expressions"),
    ("    link_exclude:\n      - /ok/\n      - '(unclosed'\n", 7,
     "link_exclude entry is not a regular expression (missing ), unterminated subpattern"),
    ("    link_exclude: [42]\n", 5, "link_exclude entry is not a regular expression"),
    ("    link_accept: 403\n", 5, "link_accept must be a list of HTTP status codes"),
    ("    link_accept:\n      - 403\n      - forbidden\n", 7,
     "link_accept entry must be an HTTP status code (100-999): 'forbidden'"),
    ("    link_accept: [99]\n", 5, "link_accept entry must be an HTTP status code"),
    ("    link_accept: [1000]\n", 5, "link_accept entry must be an HTTP status code"),
    ("    link_accept: [true]\n", 5, "link_accept entry must be an HTTP status code"),
    ("    link_exlude: [x]\n", 5, "unknown key 'link_exlude'; did you mean 'link_exclude'?"),
])
def test_bad_link_keys_name_their_line(tmp_path, extra, line, phrase):
    with pytest.raises(ConfigError) as info:
        load_config(sites(tmp_path, extra))
    assert (info.value.line, info.value.site) == (line, "a")
    assert phrase in info.value.message
