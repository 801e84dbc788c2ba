"""Run a scan from start to finish: the library entry point behind ``govwatch scan``.

The scan is recorded as ``running`` before the crawl starts and becomes ``complete`` only
when the crawl finished; its columns are then aggregated. An interrupted crawl (Ctrl-C,
SIGTERM, a crash) leaves the scan ``failed``, the previous complete scan untouched, and a
Scrapy job directory beside the database from which ``resume=True`` continues it, writing
into the same scan without duplicating rows.

The crawl itself runs in a child process (:mod:`crawler.process`) because Twisted's reactor
cannot be restarted: so a scheduler or a test can run scan after scan in one process.

One scan of a database at a time: a scan holds a file lock beside the database
(``<db>.scan.lock``, released by the system if the process dies) and a second one, from this
process or another (``govwatch scan`` by hand while the scheduler scans), raises
:class:`ScanBusy` without touching the database. Running crawl children are registered, so
:func:`interrupt_running` can stop them cleanly from any thread: a scheduler runs scans in
worker threads, where no signal handler can be installed, and calls it from its own SIGTERM
handler. In the main thread ``run_scan`` forwards SIGTERM to its crawl itself.
"""

from __future__ import annotations

import json
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

from filelock import FileLock, Timeout

from govwatch import db as store
from govwatch.config import Site

# How the crawl process (crawler/process.py) exits. Kept here, so that the process running
# scans never imports Scrapy and Twisted (45 MB) for a constant.
EXIT_FINISHED, EXIT_INTERRUPTED = 0, 3


class NothingToResume(Exception):
    """``resume`` was asked for but no interrupted scan is newer than the last complete one."""


class ScanBusy(Exception):
    """Another scan of the same database is running, in this process or another."""


def lock_path(db_path: Path) -> Path:
    """The file lock held while a scan of *db_path* runs."""
    return db_path.with_name(f"{db_path.name}.scan.lock")


@contextmanager
def scan_lock(db_path: Path) -> Iterator[None]:
    """Hold the scan lock of *db_path*; ScanBusy at once if another scan holds it, OSError
    (naming the file) if the lock cannot be made there."""
    # FileLock reports a lock file it cannot create as held by another scan: make it first.
    lock_path(db_path).touch()
    lock = FileLock(lock_path(db_path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ScanBusy(f"another scan of {db_path} is running "
                       f"(it holds {lock_path(db_path)})") from None
    try:
        yield
    finally:
        lock.release()


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
    status: store.ScanStatus
    seconds: float
    resumed: bool
    sites: list[dict[str, Any]] = field(default_factory=list)  # store.site_summary rows
    latest_complete: int | None = None  # the complete scan readers see now (None: none yet)

    @property
    def pages(self) -> int:
        """Pages recorded across all sites."""
        return sum(row["pages"] or 0 for row in self.sites)


def job_dir(db_path: Path, scan_id: int) -> Path:
    """Where the crawl of *scan_id* keeps its resumable state (Scrapy JOBDIR)."""
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
    with scan_lock(db_path):
        return _run_locked(sites, db_path, as_of, resume, progress_interval, settings)


def _run_locked(
    sites: Sequence[Site], db_path: Path, as_of: date, resume: bool, progress_interval: float,
    settings: dict[str, Any] | None,
) -> ScanOutcome:
    db = store.open_db(db_path)
    started = time.monotonic()
    if resume:
        row = store.resumable_scan(db)
        if row is None:
            raise NothingToResume("no interrupted scan to resume")
        scan_id, as_of_text = row["id"], row["as_of"]
        by_id = {s.id: s for s in sites}
        sites = [by_id[i] for i in row["site_ids"].split(",") if i in by_id]
        store.mark_scan(db, scan_id, store.ScanStatus.RUNNING)
    else:
        scan_id, as_of_text = store.start_scan(db, sites, as_of.isoformat()), as_of.isoformat()
    job = {
        "db": str(db_path),
        "scan_id": scan_id,
        "as_of": as_of_text,
        "sites": [_site_job(s) for s in sites],
        "jobdir": str(job_dir(db_path, scan_id)),
        "progress_interval": progress_interval,
        "settings": settings or {},
    }
    # Its own session: a Ctrl-C reaches only us, and we pass it on once (twice would make
    # Scrapy stop without saving its job state).
    child = subprocess.Popen(
        [sys.executable, "-m", "crawler.process", json.dumps(job)], start_new_session=True
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
    if code == EXIT_FINISHED:
        store.finalize_scan(db, scan_id)
        store.mark_scan(db, scan_id, store.ScanStatus.COMPLETE)
        shutil.rmtree(job_dir(db_path, scan_id), ignore_errors=True)
        status = store.ScanStatus.COMPLETE
    else:
        store.mark_scan(db, scan_id, store.ScanStatus.FAILED)
        status = store.ScanStatus.FAILED
    outcome = ScanOutcome(
        scan_id, status, time.monotonic() - started, resume, store.site_summary(db, scan_id),
        store.latest_complete_scan(db),
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
