"""Resident memory of a process tree, read from Linux ``/proc``, and its peak over time.

The benchmarks run crawls in child processes (a Twisted reactor runs once per process), so
what a scan costs in memory is the sum over a process and everything below it. A
:class:`PeakSampler` samples that sum in a thread while the work runs and keeps the peak.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

__all__ = ["PeakSampler", "descendants", "peak_rss", "rss", "tree_rss"]


def _parents() -> dict[int, int]:
    """Every live process's parent pid, by pid."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(entry.path, "stat").read_text()
                # the command name, in parentheses, may hold spaces: split after its ")"
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def descendants(pid: int) -> set[int]:
    """The pids of every process below *pid* (children, grandchildren…), not *pid* itself."""
    parents = _parents()
    family, grew = {pid}, True
    while grew:
        kids = {p for p, parent in parents.items() if parent in family} - family
        family |= kids
        grew = bool(kids)
    return family - {pid}


def rss(pid: int) -> int:
    """Resident memory of process *pid*, in bytes (0 once it has gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident memory, in bytes, of process *pid* and of all its descendants together."""
    return rss(pid), sum(rss(p) for p in descendants(pid))


class PeakSampler:
    """Sample the RSS of a process tree every *interval* seconds in a thread; keep the peaks.

    ``tree`` is the peak of the process and its descendants together, ``below`` that of the
    descendants alone (for a tree rooted in this process: what its children use). *on_sample*,
    when given, is called with the descendants' pids at each sample (to spot a child).
    """

    def __init__(self, pid: int, interval: float = 0.2,
                 on_sample: Callable[[set[int]], None] | None = None) -> None:
        self.pid = pid
        self.interval = interval
        self.on_sample = on_sample
        self.tree = 0
        self.below = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> None:
        """Take one sample now."""
        kids = descendants(self.pid)
        below = sum(rss(p) for p in kids)
        self.below = max(self.below, below)
        self.tree = max(self.tree, rss(self.pid) + below)
        if self.on_sample is not None:
            self.on_sample(kids)

    def _run(self) -> None:
        while True:
            self.sample()
            if self._done.wait(self.interval):
                return

    def start(self) -> PeakSampler:
        """Start sampling."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling (after one last sample, when the tree is still there)."""
        self._done.set()
        self._thread.join()

    def __enter__(self) -> PeakSampler:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


@contextlib.contextmanager
def peak_rss(interval: float = 0.05) -> Iterator[dict[str, int]]:
    """Sample the RSS of this process tree while the block runs; yield the peaks, in bytes,
    of the whole tree (``tree``) and of the processes below this one (``crawl``)."""
    peak = {"tree": 0, "crawl": 0}
    sampler = PeakSampler(os.getpid(), interval)
    try:
        with sampler:
            yield peak
    finally:
        peak["tree"], peak["crawl"] = sampler.tree, sampler.below
