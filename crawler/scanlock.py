"""One scan of a database at a time, whoever dies: the scan lock (``<db>.scan.lock``).

A scan is three processes: the one that runs it (``govwatch scan``, the scheduler), the crawl
(:mod:`crawler.process`) and the reader that writes its rows (:mod:`crawler.writer`). Killing
only the first used to leave the other two running without the lock, so a second scan could
start beside them and the orphan wrote pages into a scan already marked complete.

So the lock is an ``flock`` on one open file that every process of the scan shares: the runner
takes it and hands the descriptor down to the crawl, which hands it to the reader. ``flock``
releases a lock when the *last* descriptor of the open file closes, so the database stays
locked until every process of the scan has ended, whichever of them dies first and however
(the system closes a killed process's descriptors). No process ever unlocks it explicitly:
that would release it for the others too.

The file names the process that took it (pid and time), and the crawl and the reader add
their own pids (:func:`join`), so a scan refused as busy is told which processes to wait for.
A lock that can be taken while the file still names a holder was left by a scan that ended
without finishing (kill -9, a power cut): :attr:`ScanLock.stale` says so, and the runner
marks that scan's ``running`` row failed.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from govwatch.core.schema import now_iso


class ScanBusy(Exception):
    """Another scan of the same database is running, in this process or another."""


def lock_path(db_path: Path) -> Path:
    """The file locked while a scan of *db_path* runs."""
    return db_path.with_name(f"{db_path.name}.scan.lock")


class ScanLock:
    """The scan lock of one database, held from :meth:`acquire` until every process that
    was given :attr:`fd` has ended and :meth:`release` was called."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self.fd: int | None = None
        self.stale: str | None = None  # what the file said of a holder that died, if any

    def acquire(self) -> None:
        """Take the lock at once, or raise ScanBusy naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = _read(fd)
            os.close(fd)
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = holder or "its holder unknown"
            raise ScanBusy(f"another scan of this database is running ({holder}; it holds "
                           f"{self.path})") from None
        self.stale = _read(fd) or None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {now_iso()}\n".encode(), 0)
        os.set_inheritable(fd, True)  # the crawl and the reader hold it too
        self.fd = fd

    def release(self) -> None:
        """Say the scan ended (the file names no holder) and close this process's descriptor;
        the lock itself goes when the crawl's processes have ended too."""
        if self.fd is None:
            return
        os.ftruncate(self.fd, 0)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> ScanLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def join(fd: int, role: str) -> None:
    """Add this process (a *role* of the scan: crawl, writer) to the holders the lock file
    names."""
    os.pwrite(fd, f"{role} pid {os.getpid()}\n".encode(), os.fstat(fd).st_size)


def _read(fd: int) -> str:
    return "; ".join(os.pread(fd, 400, 0).decode("utf-8", "replace").split("\n")).strip("; ")
