"""Politeness from the sites file's ``crawl:`` section, in a running crawl: a site's own delay
spaces the requests its host receives and no other host's, its timeouts hold for its own
requests, the User-Agent carries the office's contact to the server, and AutoThrottle
follows each host's own keys."""

from __future__ import annotations

import re
import sqlite3
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from support.portals import scan

from govwatch import __version__
from govwatch.core.config import load_config
from govwatch.crawler.politeness import SiteThrottle, politeness_settings
from govwatch.crawler.settings import CRAWL_SETTINGS, DEFAULTS, user_agent
from govwatch.crawler.spider import _link_policy
from govwatch.demo.server import Arrival, PortalServer

PAGES = 6
DELAY = 0.4
# Links to either loopback name are checked, nothing beyond.
LOOPBACK = [r"^https?://(?!(127\.0\.0\.1|localhost)[:/])"]


def tiny_portal(root: Path) -> Path:
    """A home page linking PAGES dated articles, each linking back home."""
    root.mkdir()
    links = "".join(f'<li><a href="/a{n}.html">通知{n}</a><span>2026-11-0{n}</span></li>'
                    for n in range(1, PAGES + 1))
    (root / "index.html").write_text(
        f'<html><head><meta charset="utf-8"><title>某局</title></head><body>'
        f"<ul>{links}</ul></body></html>", encoding="utf-8")
    for n in range(1, PAGES + 1):
        (root / f"a{n}.html").write_text(
            f'<html><head><meta charset="utf-8"><title>通知{n}</title></head><body>'
            f'<p>发布时间：2026-11-0{n}</p><a href="/index.html">首页</a></body></html>',
            encoding="utf-8")
    return root


def sites_file(path: Path, sites: list[dict], crawl: dict | None = None) -> Path:
    data: dict = {"sites": [{"link_exclude": LOOPBACK, **site} for site in sites]}
    if crawl:
        data["crawl"] = crawl
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def gaps(arrivals: list[Arrival]) -> list[float]:
    """Seconds between consecutive requests a server received."""
    times = sorted(a.at for a in arrivals)
    return [b - a for a, b in pairwise(times)]


def test_a_sites_delay_spaces_its_host_and_no_other(tmp_path: Path) -> None:
    """Two copies of one portal: the site on 127.0.0.1 asks for a 0.4 s delay, the site on
    localhost asks for nothing (and the run's settings say no delay). The first server sees
    its requests at least half the delay apart (Scrapy spreads a delay between half and one
    and a half times it), the second sees them in bursts."""
    portal = tiny_portal(tmp_path / "portal")
    with PortalServer(portal) as slow, PortalServer(portal) as fast:
        path = sites_file(tmp_path / "govwatch.yaml", [
            {"id": "slow", "name": "慢站", "url": slow.url,
             "crawl": {"delay": DELAY, "autothrottle": False, "per_host": 2}},
            {"id": "fast", "name": "快站", "url": f"http://localhost:{fast.port}/"},
        ])
        outcome = scan(path, tmp_path / "gw.db")
    assert outcome.status == "complete"
    assert len(slow.arrivals) >= PAGES + 1 and len(fast.arrivals) >= PAGES + 1
    assert min(gaps(slow.arrivals)) >= DELAY / 2 * 0.95, gaps(slow.arrivals)
    assert statistics.median(gaps(fast.arrivals)) < DELAY / 4, gaps(fast.arrivals)


def test_the_offices_contact_reaches_the_server(tmp_path: Path) -> None:
    """Every request, the crawl's and (on a re-scan) the revalidation walk's conditional
    ones, says govwatch's name and version and the contact of the crawl section."""
    portal = tiny_portal(tmp_path / "portal")
    contact = "webmaster@xy.gov.cn"
    with PortalServer(portal) as server:
        path = sites_file(tmp_path / "govwatch.yaml",
                          [{"id": "a", "name": "某局", "url": server.url}],
                          crawl={"contact": contact})
        assert scan(path, tmp_path / "gw.db").status == "complete"
        first = len(server.arrivals)
        assert scan(path, tmp_path / "gw.db").status == "complete"
    assert first >= PAGES + 1 and len(server.arrivals) > first
    agents = {a.user_agent for a in server.arrivals}
    assert agents == {user_agent(contact)}
    (agent,) = agents
    assert agent.startswith(f"govwatch/{__version__} (") and f"contact: {contact}" in agent


def test_politeness_settings_give_each_site_host_its_slot() -> None:
    """What the crawl process adds to its settings: a slot per site host that asks for
    anything, its unset keys from the crawl's settings; hosts asking nothing keep Scrapy's."""
    settings = get_crawler(settings_dict={**DEFAULTS, "DOWNLOAD_DELAY": 0.1}).settings
    added = politeness_settings([
        {"id": "a", "url": "https://A.gov.cn:8443/", "crawl": {"delay": 2.0, "per_host": 1}},
        {"id": "b", "url": "https://b.gov.cn/", "crawl": {"autothrottle": False}},
        {"id": "c", "url": "https://c.gov.cn/", "crawl": {"download_timeout": 60.0}},
    ], settings)
    assert added["GOVWATCH_SITE_HOSTS"] == {
        "a.gov.cn": {"delay": 2.0, "per_host": 1, "autothrottle": True, "target": 2.0},
        "b.gov.cn": {"delay": 0.1, "per_host": 4, "autothrottle": False, "target": 2.0},
    }
    # A throttled slot starts at AutoThrottle's start delay (0.5) unless its own is longer.
    assert added["DOWNLOAD_SLOTS"] == {"a.gov.cn": {"concurrency": 1, "delay": 2.0},
                                       "b.gov.cn": {"concurrency": 4, "delay": 0.1}}
    assert "USER_AGENT" not in added  # no contact: the default stays


def _downloaded(throttle: SiteThrottle, slots: dict, host: str, latency: float) -> float:
    """Feed the throttle one response from *host* that took *latency* seconds; the host's
    slot delay after it."""
    request = Request(f"https://{host}/", meta={"download_slot": host,
                                                 "download_latency": latency})
    throttle._response_downloaded(Response(request.url, request=request), request, None)
    return slots[host].delay


def test_autothrottle_follows_each_hosts_keys() -> None:
    """A host that switched AutoThrottle off keeps its delay whatever the latency; one that
    asks for a delay is never throttled below it; other hosts follow the crawl's settings."""
    crawler = get_crawler(settings_dict={
        **DEFAULTS, "DOWNLOAD_DELAY": 0.0, "AUTOTHROTTLE_ENABLED": True,
        "GOVWATCH_SITE_HOSTS": {
            "off.gov.cn": {"delay": 0.5, "per_host": 4, "autothrottle": False, "target": 2.0},
            "floor.gov.cn": {"delay": 3.0, "per_host": 4, "autothrottle": True, "target": 1.0},
        }})
    throttle = SiteThrottle.from_crawler(crawler)
    slots = {host: SimpleNamespace(delay=delay) for host, delay in
             (("off.gov.cn", 0.5), ("floor.gov.cn", 3.0), ("other.gov.cn", 0.5))}
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(slots=slots, _delay=0.0))
    throttle._spider_opened(None)
    assert _downloaded(throttle, slots, "off.gov.cn", 10.0) == 0.5
    assert _downloaded(throttle, slots, "floor.gov.cn", 0.1) == 3.0
    assert _downloaded(throttle, slots, "floor.gov.cn", 8.0) == 8.0  # target 1: latency / 1
    # the crawl's target 2 and floor 0: halfway from 0.5 to 0.1 s / 2
    assert _downloaded(throttle, slots, "other.gov.cn", 0.1) == pytest.approx(0.275)


README = Path(__file__).parents[2] / "README.md"


def test_the_readme_example_loads_and_its_defaults_are_the_crawls(tmp_path: Path) -> None:
    """The README's crawl: example is a valid sites file, and the defaults its table states
    are the crawl's own (crawler/settings.py), so the two never drift apart."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Politeness: the `crawl:` section"):]
    example = section[section.index("```yaml\n") + 8:section.index("```\n", 8)]
    path = tmp_path / "govwatch.yaml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.crawl.contact and config.sites[1].crawl.delay == 3.0
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|", section, re.M)
    stated = {key: default.strip() for key, default in rows if key in CRAWL_SETTINGS}
    assert set(stated) == set(CRAWL_SETTINGS)
    for key, default in stated.items():
        value = DEFAULTS[CRAWL_SETTINGS[key]]
        shown = (str(value).lower() if isinstance(value, bool)
                 else str(value) if isinstance(value, int) else f"{value:g}")  # bytes: whole
        assert default == shown, key


class _SlowPage(BaseHTTPRequestHandler):
    """A home page linking /slow.html, which answers after SLOW seconds."""

    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/slow"):
            time.sleep(SLOW)
        body = ('<html><head><meta charset="utf-8"><title>某局</title></head><body>'
                '<a href="/slow.html">慢页</a></body></html>').encode()
        self.send_response(200 if self.path != "/robots.txt" else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


SLOW = 1.5


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the crawl hangs up on the slow page: expected


def test_a_sites_download_timeout_holds_for_its_requests_only(tmp_path: Path) -> None:
    """Two sites on one slow server: the one whose crawl: section allows 0.5 s records its
    slow page as timed out; the other, on the crawl's default (30 s), reads it."""
    server = _QuietServer(("127.0.0.1", 0), _SlowPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        path = sites_file(tmp_path / "govwatch.yaml", [
            {"id": "strict", "name": "严站", "url": f"http://127.0.0.1:{port}/",
             "crawl": {"download_timeout": 0.5}},
            {"id": "patient", "name": "宽站", "url": f"http://localhost:{port}/"},
        ])
        assert scan(path, tmp_path / "gw.db", settings={"RETRY_TIMES": 0}).status == "complete"
    finally:
        server.shutdown()
        server.server_close()
    db = sqlite3.connect(tmp_path / "gw.db")
    slow = dict(db.execute("select site_id, coalesce(error, status) from pages "
                           "where url like '%/slow.html'").fetchall())
    assert slow["patient"] == 200 and "Timeout" in slow["strict"]  # Scrapy's timeout error


def test_a_sites_link_check_timeout_goes_on_its_check_requests() -> None:
    """The link checks of a site with ``crawl: link_check_timeout`` wait that long; the
    other sites' wait the crawl's GOVWATCH_LINKCHECK_TIMEOUT."""
    settings = get_crawler(settings_dict=DEFAULTS).settings
    spider = SimpleNamespace(checked=None, check_failed=None)
    timeouts = {}
    for site_id, crawl in (("own", {"link_check_timeout": 40.0}), ("default", {})):
        site = {"id": site_id, "url": "https://a.gov.cn/", "crawl": crawl}
        check = _link_policy(site, settings).check_request("https://b.gov.cn/x.pdf", html=False,
                                                           spider=spider)
        timeouts[site_id] = check.meta["download_timeout"]
    assert timeouts == {"own": 40.0, "default": DEFAULTS["GOVWATCH_LINKCHECK_TIMEOUT"]}
