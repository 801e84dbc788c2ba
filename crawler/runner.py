"""Run a scan from start to finish: the library entry point behind ``govwatch scan``.

The scan is recorded as ``running`` before the crawl starts and becomes ``complete`` only
when the crawl finished; its columns are then aggregated. An interrupted crawl (Ctrl-C,
SIGTERM, a crash) leaves the scan ``failed``, the previous complete scan untouched, and a
Scrapy job directory beside the database from which ``resume=True`` continues it, writing
into the same scan without duplicating rows.

The crawl itself runs in a child process (:mod:`crawler.process`) because Twisted's reactor
cannot be restarted: so a scheduler or a test can run scan after scan in one process.

A resumed scan does not trust Scrapy's job state: Scrapy writes its queue's index only on a
clean shutdown, so after kill -9 or a power cut its queue looks empty while its duplicate
filter remembers every URL asked for, and the crawl would end at once, "complete". So every
run starts with an empty job directory and the crawl rebuilds its frontier from the database
(``GOVWATCH_RESUME``): a page read in this scan is expanded from its stored leads without
being fetched, a URL recorded in this scan is not asked for again, and everything else is.
When the crawl finishes, :func:`govwatch.db.finalize_scan` checks that every link target the
scan discovered was fetched or recorded (checked, or skipped with a reason); a site where
one was not is ``partial``, and the scan stays resumable instead of becoming ``complete``.

One scan of a database at a time, whoever dies: see :mod:`crawler.scanlock`. A second scan,
from this process or another (``govwatch scan`` by hand while the scheduler scans), raises
:class:`ScanBusy` without touching the database; a ``running`` scan found once the lock is
taken was left by a process that died, and is marked failed (resumable). The crawl process
is told to stop (SIGTERM) when the process that started it dies. Running crawl children are
registered, so
:func:`interrupt_running` can stop them cleanly from any thread: a scheduler runs scans in
worker threads, where no signal handler can be installed, and calls it from its own SIGTERM
handler. In the main thread ``run_scan`` forwards SIGTERM to its crawl itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from govwatch.core import scans
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler import store
from govwatch.crawler.scanlock import ScanBusy, ScanLock
from govwatch.crawler.settings import DEFAULTS

__all__ = ["NothingToResume", "ScanBusy", "ScanOutcome", "interrupt_running", "run_scan"]

# How the crawl process (crawler/process.py) exits. Kept here, so that the process running
# scans never imports Scrapy and Twisted (45 MB) for a constant.
EXIT_FINISHED, EXIT_INTERRUPTED = 0, 3


class NothingToResume(Exception):
    """``resume`` was asked for but no interrupted scan is newer than the last complete one."""


@contextmanager
def scan_lock(db_path: Path) -> Iterator[ScanLock]:
    """Hold the scan lock of *db_path*; ScanBusy at once if another scan holds it."""
    with ScanLock(db_path) as lock:
        yield lock


_children: dict[int, subprocess.Popen] = {}  # pid → running crawl child
_interrupted: set[int] = set()  # pids already sent SIGINT
_children_lock = threading.RLock()  # re-entrant: the SIGTERM handler may take it too


def _interrupt(children: Iterable[subprocess.Popen]) -> int:
    """Send SIGINT to each child not yet sent one (a second SIGINT would make Scrapy stop
    without saving its job state); return how many were sent one now."""
    with _children_lock:
        fresh = [child for child in children if child.pid not in _interrupted]
        _interrupted.update(child.pid for child in fresh)
    for child in fresh:
        child.send_signal(signal.SIGINT)  # a no-op once the child has exited
    return len(fresh)


def interrupt_running() -> int:
    """Ask every running crawl to stop cleanly, from any thread; each then ends ``failed``
    and resumable. Return how many crawls were asked."""
    with _children_lock:
        children = list(_children.values())
    return _interrupt(children)


@dataclass
class ScanOutcome:
    """What a scan run ended with."""

    scan_id: int
    status: ScanStatus
    seconds: float
    resumed: bool
    sites: list[dict[str, Any]] = field(default_factory=list)  # scans.site_summary rows
    # scans left ``running`` by a process that died, marked failed when this run began
    stale: list[int] = field(default_factory=list)
    latest_complete: int | None = None  # the complete scan readers see now (None: none yet)

    @property
    def pages(self) -> int:
        """Pages recorded across all sites."""
        return sum(row["pages"] or 0 for row in self.sites)

    @property
    def unsettled(self) -> int:
        """Link targets the scan discovered but neither fetched nor recorded, in all sites."""
        return sum(row.get("unsettled") or 0 for row in self.sites)


def job_dir(db_path: Path, scan_id: int) -> Path:
    """Where the crawl of *scan_id* keeps Scrapy's job state (its queue on disk)."""
    return db_path.with_name(f"{db_path.name}.jobs") / f"scan-{scan_id}"


def _site_job(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "url": site.url,
        "max_pages": site.max_pages,
        "max_depth": site.max_depth,
        "obey_robots": site.obey_robots,
        "start_urls": list(site.start_urls),
        "allow_private": site.allow_private,
        "link_exclude": list(site.link_exclude),
        "link_accept": list(site.link_accept),
        "crawl": site.crawl.explicit(),  # politeness it asks for (crawler/politeness.py)
    }


def run_scan(
    sites: Sequence[Site],
    db_path: str | Path,
    *,
    as_of: date,
    resume: bool = False,
    progress_interval: float = 2.0,
    settings: dict[str, Any] | None = None,
) -> ScanOutcome:
    """Crawl *sites* into the database at *db_path* and return how the scan ended.

    With *resume*, continue the newest interrupted scan instead (its own site list, looked up
    in *sites*). *settings* overrides crawl settings (see :mod:`crawler.settings`). ScanBusy
    when another scan of the database is running.
    """
    db_path = Path(db_path)
    with ScanLock(db_path) as lock:
        return _run_locked(sites, db_path, as_of, resume, progress_interval, settings, lock)


def _run_locked(
    sites: Sequence[Site], db_path: Path, as_of: date, resume: bool, progress_interval: float,
    settings: dict[str, Any] | None, lock: ScanLock,
) -> ScanOutcome:
    db = open_db(db_path)
    started = time.monotonic()
    # We hold the lock, so no process of a scan is alive: a scan still "running" was left
    # by one that died (kill -9, a power cut) and can only be resumed.
    stale = store.fail_running_scans(db)
    if resume:
        row = store.resumable_scan(db)
        if row is None:
            raise NothingToResume("no interrupted scan to resume")
        scan_id, as_of_text = row["id"], row["as_of"]
        by_id = {s.id: s for s in sites}
        sites = [by_id[i] for i in row["site_ids"].split(",") if i in by_id]
        store.mark_scan(db, scan_id, ScanStatus.RUNNING)
    else:
        scan_id, as_of_text = store.start_scan(db, sites, as_of.isoformat()), as_of.isoformat()
    # Scrapy's job state cannot be trusted after a crash (see the module's doc): the crawl
    # rebuilds its frontier from the database instead.
    shutil.rmtree(job_dir(db_path, scan_id), ignore_errors=True)
    job = {
        "db": str(db_path),
        "scan_id": scan_id,
        "as_of": as_of_text,
        "sites": [_site_job(s) for s in sites],
        "jobdir": str(job_dir(db_path, scan_id)),
        "progress_interval": progress_interval,
        "settings": {**(settings or {}), "GOVWATCH_RESUME": resume},
        "parent": os.getpid(),
        "lock_fd": lock.fd,
    }
    # Its own session: a Ctrl-C reaches only us, and we pass it on once (twice would make
    # Scrapy stop without saving its job state). It holds the scan lock with us.
    child = subprocess.Popen(
        [sys.executable, "-m", "govwatch.crawler.process", json.dumps(job)], start_new_session=True,
        pass_fds=(lock.fd,),
    )
    with _children_lock:
        _children[child.pid] = child
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:  # elsewhere the caller's own handler calls interrupt_running()
        forwarded = signal.signal(signal.SIGTERM, lambda *_: _interrupt([child]))
    try:
        code = _wait(child)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, forwarded)
        with _children_lock:
            _children.pop(child.pid, None)
            _interrupted.discard(child.pid)
    status = ScanStatus.FAILED
    # Complete only when every link target it discovered was fetched or recorded; else the
    # sites missing some are partial and the scan stays resumable.
    verify = {**DEFAULTS, **(settings or {})}["GOVWATCH_LINKCHECK_ENABLED"]
    if code == EXIT_FINISHED and store.finalize_scan(db, scan_id, verify_links=verify) == 0:
        status = ScanStatus.COMPLETE
    store.mark_scan(db, scan_id, status)
    shutil.rmtree(job_dir(db_path, scan_id), ignore_errors=True)  # never read again
    outcome = ScanOutcome(
        scan_id, status, time.monotonic() - started, resume, scans.site_summary(db, scan_id),
        stale, scans.latest_complete_scan(db),
    )
    db.close()
    return outcome


def _wait(child: subprocess.Popen) -> int:
    """Wait for the crawl; on Ctrl-C let it shut down cleanly (Scrapy saves its job state)."""
    try:
        return child.wait()
    except KeyboardInterrupt:
        _interrupt([child])
        try:
            return child.wait()
        except KeyboardInterrupt:  # a second Ctrl-C: stop now
            child.kill()
            return child.wait()
