"""Availability probes on loopback, and the 站点无法访问 veto judged from a week of them."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from support.scanbuilder import ScanBuilder

from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.crawler.probe import probe_site, run_probes

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIMIT = 0.2  # stands in for the 15 s of docs/indicators.md#availability
HOME = "<html><head><title>首页</title></head><body>要闻</body></html>".encode()


class _Handler(BaseHTTPRequestHandler):
    server: _SlowServer

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        behaviour = self.server.behaviour(self.path)
        try:
            if behaviour == "missing":
                self.send_error(404)
                return
            if behaviour == "moved":
                self.send_response(302)
                self.send_header("Location", "/index.html")
                self.end_headers()
                return
            if behaviour == "slow":
                time.sleep(LIMIT * 2.5)  # the probe has given up by then
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(HOME) * 5))
            self.end_headers()
            for _ in range(5):  # a trickle: every piece in time, the whole too late
                self.wfile.write(HOME)
                self.wfile.flush()
                if behaviour == "trickle":
                    time.sleep(LIMIT / 2)
        except OSError:  # the probe hung up
            pass


class _SlowServer(ThreadingHTTPServer):
    """A home page on 127.0.0.1 whose n-th GET (from 0) is slow when n is in *slow*."""

    daemon_threads = True

    def __init__(self, slow: set[int] = frozenset(), paths: dict[str, str] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.slow, self.paths, self.count = slow, paths or {}, itertools.count()

    def behaviour(self, path: str) -> str:
        if path in self.paths:
            return self.paths[path]
        return "slow" if next(self.count) in self.slow else "fast"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


@contextmanager
def serving(server: _SlowServer) -> Iterator[_SlowServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def site(site_id: str, url: str) -> Site:
    return Site(id=site_id, name=f"站点{site_id}", url=url, unit=f"单位{site_id}")


def test_each_outcome_is_classified(tmp_path):
    paths = {"/gone/": "missing", "/old/": "moved", "/index.html": "fast", "/drip/": "trickle"}
    with serving(_SlowServer(paths=paths)) as server:
        outcomes = {
            path: probe_site(site("a", server.url + path.lstrip("/")), timeout=LIMIT)
            for path in ("/", "/gone/", "/old/", "/drip/")
        }
        closed = server.url
    refused = probe_site(site("a", closed), timeout=LIMIT)
    assert {p: str(r.outcome) for p, r in outcomes.items()} == {
        "/": "ok", "/gone/": "http_error", "/old/": "ok", "/drip/": "timeout"}
    assert outcomes["/gone/"].status_code == 404
    assert outcomes["/old/"].status_code == 200  # the redirect was followed
    assert outcomes["/drip/"].seconds < LIMIT * 2  # stopped at the limit, not at the end
    assert refused.outcome == "unreachable" and "Refused" in refused.error


def probe_week(servers: dict[str, _SlowServer], db_path, start: datetime) -> None:
    """Probe every site 24 times a day for 7 days (168 probes), on a simulated clock."""
    sites = [site(name, server.url) for name, server in servers.items()]
    for hour in range(7 * 24):
        at = start + timedelta(hours=hour)
        run_probes(sites, db_path, timezone="Asia/Shanghai", timeout=LIMIT, clock=lambda at=at: at)


@pytest.fixture(scope="module")
def week(tmp_path_factory) -> tuple:
    """A week of probes: ``steady`` slow 8 times of 168 (4.8 %), ``flaky`` 9 times (5.4 %)."""
    db_path = tmp_path_factory.mktemp("probes") / "govwatch.db"
    slow_hours = {5 + 19 * n for n in range(9)}
    steady = _SlowServer(slow=set(sorted(slow_hours)[:8]))
    flaky = _SlowServer(slow=slow_hours)
    started = time.monotonic()
    with serving(steady), serving(flaky):
        probe_week({"steady": steady, "flaky": flaky}, db_path,
                   datetime(2026, 11, 16, 0, 0, tzinfo=SHANGHAI))  # a Monday
    return db_path, time.monotonic() - started


def test_slow_home_pages_fail_their_probes_at_the_limit(week):
    db_path, seconds = week
    db = open_db(db_path)
    rows = list(db.query(
        "select site_id, outcome, count(*) as n, max(seconds) as longest, min(day) as first, "
        "max(day) as last from probes group by site_id, outcome order by site_id, outcome"))
    assert [(r["site_id"], r["outcome"], r["n"]) for r in rows] == [
        ("flaky", "ok", 159), ("flaky", "timeout", 9), ("steady", "ok", 160),
        ("steady", "timeout", 8)]
    slowest = max(r["longest"] for r in rows if r["outcome"] == "timeout")
    assert LIMIT <= slowest < LIMIT * 2  # given up at the limit, not after the slow answer
    days = (min(r["first"] for r in rows), max(r["last"] for r in rows))
    assert days == ("2026-11-16", "2026-11-22")  # local days: Monday 00:00 CST is Sunday in UTC
    assert seconds < 15


def test_the_availability_veto_falls_only_above_five_percent(week):
    db_path, _ = week
    builder = ScanBuilder(db_path, sites=("steady", "flaky"), as_of=date(2026, 11, 23))
    found = builder.findings("site.availability")
    assert [f.site_id for f in found] == ["flaky"]
    assert found[0].severity == "veto"
    assert "168 次，失败 9 次（5.4%）" in found[0].detail
    assert found[0].evidence.startswith("2026-11-15T21:00:00+00:00 超时")  # Mon 05:00 CST


def test_the_window_is_the_week_before_the_judging_date(week):
    db_path, _ = week
    # Judged two days later, the window holds 5 days of probes (120): too few to judge.
    builder = ScanBuilder(db_path, sites=("steady", "flaky"), as_of=date(2026, 11, 25))
    assert builder.findings("site.availability") == []
