"""Scans that go wrong: robots.txt, dead sites, interruptions, resumption."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from support.portals import PORTALS, scan, write_sites

from govwatch.core import scans as store
from govwatch.core.schema import open_db
from govwatch.demo.server import PortalServer


def statuses(db_path: Path, scan_id: int) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        return dict(
            conn.execute("select site_id, status from scan_sites where scan_id = ?", [scan_id])
        )


def test_robots_txt_forbidding_the_crawl_is_recorded_not_silently_empty(tmp_path):
    portal = tmp_path / "closed"
    portal.mkdir()
    (portal / "index.html").write_text("<html><body>首页</body></html>", encoding="utf-8")
    (portal / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    with PortalServer(portal) as closed, PortalServer(portal) as ignoring:
        sites = write_sites(
            tmp_path / "s.yaml",
            {"closed": closed, "ignoring": ignoring},
            ignoring={"obey_robots": False},
        )
        outcome = scan(sites, tmp_path / "g.db")
        assert ("GET", "/") not in closed.requests  # robots.txt obeyed: home never asked for
    assert statuses(tmp_path / "g.db", outcome.scan_id) == {
        "closed": "robots_forbidden",
        "ignoring": "ok",
    }


def test_a_dead_site_is_a_finding_not_a_crash(tmp_path):
    dead_port = PortalServer(PORTALS / "trs").start()
    dead_url = dead_port.url
    dead_port.stop()  # nothing listens there any more
    with PortalServer(PORTALS / "gbk") as alive:
        sites = tmp_path / "s.yaml"
        write_sites(sites, {"alive": alive})
        text = sites.read_text(encoding="utf-8")
        sites.write_text(
            text + f"- id: dead\n  name: 停用网站\n  url: {dead_url}\n", encoding="utf-8"
        )
        outcome = scan(sites, tmp_path / "g.db", settings={"RETRY_TIMES": 0})
    assert outcome.status == "complete"
    assert statuses(tmp_path / "g.db", outcome.scan_id) == {"alive": "ok", "dead": "unreachable"}


DRIVER = textwrap.dedent("""
    import json, sys
    from datetime import date
    from govwatch.crawler.runner import run_scan
    from govwatch.core.config import load_config
    job = json.loads(sys.argv[1])
    outcome = run_scan(load_config(job["sites"]).sites, job["db"], as_of=date(2026, 11, 24),
                       resume=job["resume"], progress_interval=0, settings=job["settings"])
    print(json.dumps({"scan": outcome.scan_id, "status": outcome.status}))
""")


def run_driver(
    tmp_path: Path,
    sites: Path,
    db: Path,
    *,
    resume: bool,
    settings: dict,
    interrupt_after: float | None = None,
    interrupt_when: Callable[[], bool] | None = None,
) -> dict:
    """Run a scan in its own process, as `govwatch scan` would; optionally Ctrl-C it, after
    some seconds or once *interrupt_when* holds (asked every 0.1 s for up to a minute)."""
    job = json.dumps({"sites": str(sites), "db": str(db), "resume": resume, "settings": settings})
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, job],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    if interrupt_after is not None:
        time.sleep(interrupt_after)
        proc.send_signal(signal.SIGINT)
    if interrupt_when is not None:
        deadline = time.monotonic() + 60
        while not interrupt_when() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=300)
    return json.loads(out.strip().splitlines()[-1])


def test_an_interrupted_scan_keeps_the_last_complete_one_and_resumes(tmp_path):
    db = tmp_path / "g.db"
    with PortalServer(PORTALS / "trs") as server:
        sites = write_sites(tmp_path / "s.yaml", {"trs": server})
        first = scan(sites, db)
        first_pages = set(_pages(db, first.scan_id))
        server.requests.clear()
        # slow and one request at a time, so the Ctrl-C lands mid-crawl
        slow = {
            "DOWNLOAD_DELAY": 0.15,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
        }
        # cut while the revalidation walk asks for unchanged pages (the reader commits
        # their rows every 2 s)
        cut = run_driver(tmp_path, sites, db, resume=False, settings=slow,
                         interrupt_when=lambda: _revalidated(db, first.scan_id + 1) > 0)
        assert cut["status"] == "failed"
        conn = open_db(db)
        assert store.latest_complete_scan(conn) == first.scan_id  # still the one readers see
        fetched_before = {p for m, p in server.requests if m == "GET"}
        partial = set(_pages(db, cut["scan"]))
        assert 0 < len(partial) < len(first_pages)
        assert _revalidated(db, cut["scan"]) > 0
        server.requests.clear()
        resumed = run_driver(tmp_path, sites, db, resume=True, settings={"DOWNLOAD_DELAY": 0})
    assert resumed == {"scan": cut["scan"], "status": "complete"}
    assert store.latest_complete_scan(open_db(db)) == cut["scan"]
    assert set(_pages(db, cut["scan"])) == first_pages  # nothing lost, nothing twice
    refetched = {p for m, p in server.requests if m == "GET"} & fetched_before
    assert refetched <= {"/robots.txt"}  # the resumed crawl continued where it stopped


def _pages(db: Path, scan_id: int) -> list[str]:
    with sqlite3.connect(db) as conn:
        base = "http://127.0.0.1"
        return [
            u.split(":", 2)[2].split("/", 1)[1] if u.startswith(base) else u
            for (u,) in conn.execute("select url from pages where scan_id = ?", [scan_id])
        ]


def _revalidated(db: Path, scan_id: int) -> int:
    """Pages of *scan_id* whose stored reading was reused, as committed so far."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from pages where scan_id = ? and revalidated = 1",
                            [scan_id]).fetchone()[0]
    finally:
        conn.close()
