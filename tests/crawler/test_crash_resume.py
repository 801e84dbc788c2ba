"""Crashes never publish a false fix: kill -9 at several points of first scans, incremental
re-scans and ``--full`` re-scans, of every process of a scan, then ``--resume``.

A scan is three processes: the one that runs it (here a driver, as ``govwatch scan`` is), the
crawl and the reader that writes its rows. Each case kills one of them, or all three, with
SIGKILL once the scan has committed some pages, then resumes. Each asserts that the previous
complete scan is intact, that the resumed scan ends with the same pages and findings as an
uninterrupted scan of the same kind, and that no issue is fixed unless its subject (or the
page carrying its link) was fetched again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.portals import PORTALS, copy_db, write_sites

from govwatch.core import scans
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler import store as crawl_store
from govwatch.crawler.scanlock import ScanBusy, ScanLock
from govwatch.demo.server import PortalServer

ROOT = Path(__file__).parents[2]
# One request at a time: which page first leads to a URL shapes its reading, so only a
# serial crawl reads a portal the same way twice. Rows are committed every 0.2 s, so a kill
# lands on a scan with pages stored and many to go.
SERIAL = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 1,
          "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "GOVWATCH_STORE_FLUSH_SECONDS": 0.2}
SLOW = {**SERIAL, "DOWNLOAD_DELAY": 0.08, "RANDOMIZE_DOWNLOAD_DELAY": False}
FULL = {"GOVWATCH_REVALIDATE": False}
KINDS = {"first": None, "incremental": {}, "full": FULL}  # re-scans start from a first scan

DRIVER = textwrap.dedent("""
    import json, sys
    from datetime import date
    from govwatch.core.config import load_config
    from govwatch.workflow import scan_evaluate_track
    job = json.loads(sys.argv[1])
    run = scan_evaluate_track(load_config(job["sites"]).sites, job["db"],
                              as_of=date(2026, 11, 24), resume=job["resume"],
                              progress_interval=0, settings=job["settings"])
    print(json.dumps({"scan": run.outcome.scan_id, "status": run.outcome.status,
                      "stale": run.outcome.stale, "pages": run.outcome.pages,
                      "fixed": run.tracking.fixed if run.tracking else None}))
""")


def start_driver(sites: Path, db: Path, *, resume: bool, settings: dict) -> subprocess.Popen:
    """A scan (then rules and tracker) in a process of its own, as `govwatch scan` runs."""
    job = json.dumps({"sites": str(sites), "db": str(db), "resume": resume,
                      "settings": settings})
    return subprocess.Popen([sys.executable, "-c", DRIVER, job], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def run_driver(sites: Path, db: Path, *, resume: bool, settings: dict) -> dict:
    out, _ = start_driver(sites, db, resume=resume, settings=settings).communicate(timeout=300)
    return json.loads(out.strip().splitlines()[-1])


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    """Whether *pid* runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def scan_processes(driver: subprocess.Popen, reap: list[int]) -> dict[str, int]:
    """The pids of the scan's three processes, once all three run (noted in *reap*). Found
    by what they run: the crawl starts short-lived children too (Scrapy asks ``uname``)."""
    reap.append(driver.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        crawls = [pid for pid in children(driver.pid) if runs(pid, "govwatch.crawler.process")]
        writers = [pid for pid in children(crawls[0]) if runs(pid, "govwatch.crawler.writer")] \
            if crawls else []
        if writers:
            reap.extend([crawls[0], writers[0]])
            return {"parent": driver.pid, "crawl": crawls[0], "writer": writers[0]}
        time.sleep(0.05)
    raise AssertionError("the scan's processes did not start")


def runs(pid: int, module: str) -> bool:
    """Whether process *pid* runs ``python -m`` *module* (it has exec'd, not only forked)."""
    try:
        return f"-m\0{module}\0" in Path(f"/proc/{pid}/cmdline").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False


def committed_pages(db: Path, scan_id: int) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from pages where scan_id = ?",
                            [scan_id]).fetchone()[0]
    finally:
        conn.close()


def wait_until_gone(pids: Iterator[int] | list[int], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, "a process of the scan outlived the kill"
        time.sleep(0.05)


def pages_of(db: Path, scan_id: int) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {url for (url,) in conn.execute("select url from pages where scan_id = ?",
                                               [scan_id])}


def findings_of(db: Path, scan_id: int) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return set(conn.execute("select fingerprint, detail from findings where scan_id = ?",
                                [scan_id]))


def snapshot(db: Path, scan_id: int) -> tuple:
    """What readers see of a complete scan: its row, pages and findings."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("select status, finished_at from scans where id = ?",
                           [scan_id]).fetchone()
    return row, pages_of(db, scan_id), findings_of(db, scan_id)


def assert_no_false_fix(db: Path) -> None:
    """Every issue a scan fixed had its subject, or the page carrying its link, fetched again
    in that scan, and answering."""
    with sqlite3.connect(db) as conn:
        unproven = conn.execute("""
            select i.id, i.subject_url from issues i where i.state = 'fixed'
              and not exists (select 1 from pages p where p.scan_id = i.fixed_scan
                               and p.status < 400 and p.url in (i.subject_url, i.source_url))
        """).fetchall()
    assert unproven == []


@pytest.fixture
def reap() -> Iterator[list[int]]:
    """The pids of the scan processes a test started: none outlives the test, whatever its
    outcome (a test failing before its kill would leave a crawl of a portal that is gone)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def portal() -> Iterator[PortalServer]:
    with PortalServer(PORTALS / "trs") as server:
        yield server


@pytest.fixture(scope="module")
def references(portal, tmp_path_factory) -> dict:
    """Uninterrupted scans of each kind: the first scan's database, and per kind the pages
    and findings an uninterrupted scan of that kind ends with."""
    work = tmp_path_factory.mktemp("reference")
    sites = write_sites(work / "sites.yaml", {"trs": portal})
    first_db = work / "first.db"
    first = run_driver(sites, first_db, resume=False, settings=SERIAL)
    assert first["status"] == "complete"
    found = {"sites": sites, "first_db": first_db, "first_scan": first["scan"],
             "first": (pages_of(first_db, first["scan"]), findings_of(first_db, first["scan"]))}
    for kind, settings in KINDS.items():
        if settings is None:
            continue
        db = copy_db(first_db, work / f"{kind}.db")
        again = run_driver(sites, db, resume=False, settings={**SERIAL, **settings})
        assert again.pop("pages") > 60
        assert again == {"scan": first["scan"] + 1, "status": "complete", "stale": [],
                         "fixed": 0}
        found[kind] = (pages_of(db, again["scan"]), findings_of(db, again["scan"]))
    assert len(found["first"][0]) > 60 and found["first"][1]  # a portal worth cutting
    return found


# (what is killed, kind of scan, pages committed before the kill): every process at an
# early, a middle and a late point, over the three kinds of scan.
CASES = [
    ("tree", "first", 5), ("tree", "incremental", 30), ("tree", "full", 55),
    ("parent", "first", 30), ("parent", "incremental", 55), ("parent", "full", 5),
    ("crawl", "first", 55), ("crawl", "incremental", 5), ("crawl", "full", 30),
    ("writer", "first", 30), ("writer", "incremental", 5), ("writer", "full", 55),
]


@pytest.mark.parametrize(("victim", "kind", "after"), CASES)
def test_a_killed_scan_resumes_to_what_an_uninterrupted_one_finds(
        references, tmp_path, reap, victim, kind, after):
    sites = references["sites"]
    db = tmp_path / "g.db"
    previous = None
    if kind == "first":
        scan_id = 1
    else:
        copy_db(references["first_db"], db)
        scan_id = references["first_scan"] + 1
        previous = snapshot(db, references["first_scan"])
    driver = start_driver(sites, db, resume=False, settings={**SLOW, **(KINDS[kind] or {})})
    pids = scan_processes(driver, reap)
    deadline = time.monotonic() + 60
    while committed_pages(db, scan_id) < after:
        assert driver.poll() is None and time.monotonic() < deadline, "ended before the kill"
        time.sleep(0.02)
    # The whole tree parent first: a parent that saw its crawl die first would mark the scan
    # failed itself, which is the "crawl" case, not a power cut.
    os.kill(pids["parent" if victim == "tree" else victim], signal.SIGKILL)
    if victim == "tree":  # the rest at once; one that ended by itself meanwhile is as good
        for role in ("crawl", "writer"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pids[role], signal.SIGKILL)
    if victim in ("crawl", "writer"):  # the driver sees the crawl end, and says so
        cut = json.loads(driver.communicate(timeout=120)[0].strip().splitlines()[-1])
        assert (cut["scan"], cut["status"]) == (scan_id, "failed")
        cut_reported = cut["pages"]
    else:
        driver.wait(timeout=60)
    wait_until_gone(pids.values())
    cut_pages = committed_pages(db, scan_id)
    assert after <= cut_pages < len(references[kind][0])  # cut short indeed
    if victim in ("crawl", "writer"):  # the summary counts what the cut scan stored (the
        # writer, if alive, may still commit its last rows after the crawl died)
        assert 0 < cut_reported <= cut_pages

    conn = open_db(db)
    # Nothing of the cut scan is what readers see: the previous complete scan is.
    assert scans.latest_complete_scan(conn) == (previous and references["first_scan"])
    if previous:
        assert snapshot(db, references["first_scan"]) == previous
    conn.close()

    resumed = run_driver(sites, db, resume=True, settings={**SERIAL, **(KINDS[kind] or {})})
    # A scan left running by a process that died is found stale, said so, and resumed.
    stale = [scan_id] if victim in ("tree", "parent") else []
    assert resumed.pop("pages") == len(references[kind][0])
    assert resumed == {"scan": scan_id, "status": "complete", "stale": stale, "fixed": 0}
    assert pages_of(db, scan_id) == references[kind][0]
    assert findings_of(db, scan_id) == references[kind][1]
    if previous:
        assert snapshot(db, references["first_scan"]) == previous
    assert_no_false_fix(db)


def test_an_orphaned_crawl_keeps_the_database_locked_until_it_ends(references, tmp_path, reap):
    """Killing only the process that runs a scan leaves no crawl writing unlocked: while the
    crawl lives no second scan can start, and the crawl stops by itself."""
    db = copy_db(references["first_db"], tmp_path / "g.db")
    scan_id = references["first_scan"] + 1
    driver = start_driver(references["sites"], db, resume=False, settings=SLOW)
    pids = scan_processes(driver, reap)
    while committed_pages(db, scan_id) < 10:
        time.sleep(0.02)
    os.kill(pids["crawl"], signal.SIGSTOP)  # hold it still while its parent dies
    os.kill(pids["parent"], signal.SIGKILL)
    driver.wait(timeout=60)
    with pytest.raises(ScanBusy, match=f"crawl pid {pids['crawl']}; writer pid "
                                       f"{pids['writer']}"):
        ScanLock(db).acquire()  # and it names the processes that hold it
    os.kill(pids["crawl"], signal.SIGCONT)  # it was told to stop when its parent died
    wait_until_gone(pids.values())
    stopped_at = committed_pages(db, scan_id)
    lock = ScanLock(db)
    lock.acquire()
    assert lock.stale is not None and f"pid {pids['parent']}" in lock.stale  # said so
    lock.release()
    time.sleep(0.5)
    assert committed_pages(db, scan_id) == stopped_at  # no orphan writes on
    resumed = run_driver(references["sites"], db, resume=True, settings=SERIAL)
    assert (resumed["status"], resumed["stale"]) == ("complete", [scan_id])
    assert pages_of(db, scan_id) == references["incremental"][0]


def test_a_finished_crawl_with_a_link_target_unsettled_is_not_complete(references, tmp_path):
    """Complete is proven: a link target the scan discovered but neither fetched nor recorded
    keeps the site partial and the scan resumable; resuming settles it."""
    db = copy_db(references["first_db"], tmp_path / "g.db")
    first = references["first_scan"]
    conn = open_db(db)
    # As if the crawl had lost one check: the scan reopened, one record gone.
    target = conn.execute(
        "select target_url from link_checks where scan_id = :scan and result = 'ok' and "
        "target_url not in (select url from pages where scan_id = :scan) order by target_url "
        "limit 1", {"scan": first}).fetchone()[0]
    with conn.conn:
        conn.execute("delete from scan_link_checks where scan_id = ? and target_id = "
                     "(select id from urls where url = ?)", [first, target])
    assert crawl_store.finalize_scan(conn, first) == 1
    assert scans.site_summary(conn, first)[0]["status"] == "partial"
    crawl_store.mark_scan(conn, first, ScanStatus.FAILED)  # what the runner does with it
    conn.close()
    resumed = run_driver(references["sites"], db, resume=True, settings=SERIAL)
    assert (resumed["scan"], resumed["status"]) == (first, "complete")
    conn = open_db(db)
    assert scans.site_summary(conn, first)[0]["status"] == "ok"
    assert scans.site_summary(conn, first)[0]["unsettled"] == 0
    assert conn.execute("select count(*) from link_checks where scan_id = ? and "
                        "target_url = ?", [first, target]).fetchone()[0] == 1
    conn.close()


def test_a_resumed_scan_keeps_to_the_page_budget_and_says_it_was_capped(portal, tmp_path,
                                                                         reap):
    """The pages fetched before the interruption were paid for: the resumed crawl stops at
    the site's max_pages as an uninterrupted one does, and the site is marked capped."""
    sites = write_sites(tmp_path / "sites.yaml", {"trs": portal}, trs={"max_pages": 40})
    whole = run_driver(sites, tmp_path / "whole.db", resume=False, settings=SERIAL)
    conn = open_db(tmp_path / "whole.db")
    (expected,) = scans.site_summary(conn, whole["scan"])
    conn.close()
    assert (expected["pages"], expected["capped"]) == (40, 1)

    db = tmp_path / "g.db"
    driver = start_driver(sites, db, resume=False, settings=SLOW)
    pids = scan_processes(driver, reap)
    while committed_pages(db, 1) < 20:
        time.sleep(0.02)
    os.kill(pids["crawl"], signal.SIGKILL)
    driver.communicate(timeout=120)
    wait_until_gone(pids.values())
    assert run_driver(sites, db, resume=True, settings=SERIAL)["status"] == "complete"
    conn = open_db(db)
    (resumed,) = scans.site_summary(conn, 1)
    conn.close()
    assert (resumed["pages"], resumed["capped"], resumed["unsettled"]) == (40, 1, 0)
