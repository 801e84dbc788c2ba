"""Worker processes that read documents, each job held to a time limit.

The crawl never reads a document on its event loop: :class:`ExtractorPool` hands each one
to a worker process (:mod:`crawler.documents.worker`) and waits for its answer in a thread
of its own, so the crawl goes on meanwhile (:meth:`ExtractorPool.submit` gives a future
the spider awaits). A worker that does not answer within the job's time limit is killed and
a fresh one started for the next job: a reader that loops or hangs costs one job its
status (``too_large``, the time being spent), never the scan. A worker that dies (a crash,
its memory limit) gives ``failed``.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from govwatch.core import defaults
from govwatch.core.vocabulary import DocumentStatus
from govwatch.crawler.documents.extract import Extraction, Limits, extension, sniff
from govwatch.crawler.documents.frames import LENGTH, send

# The function a worker reads a document with (``module:function``, called as
# ``(data, name, limits)``); a test names another to be hostile.
DEFAULT_READER = "govwatch.crawler.documents.extract:extract_bytes"


class _Worker:
    """One worker process and its pipes."""

    def __init__(self) -> None:
        env = dict(os.environ)
        # what this process imports from, the worker may too (a test's reader)
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "govwatch.crawler.documents.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def ask(self, job: tuple, seconds: float) -> Extraction | None:
        """The answer to *job*; None when *seconds* passed first (the worker is then
        killed). EOFError when the worker died."""
        try:
            send(self.process.stdin, job)
        except (BrokenPipeError, OSError):
            raise EOFError from None
        deadline = time.monotonic() + seconds
        fd = self.process.stdout.fileno()
        head = self._read(fd, LENGTH.size, deadline)
        if head is None:
            self.kill()
            return None
        body = self._read(fd, LENGTH.unpack(head)[0], deadline)
        if body is None:
            self.kill()
            return None
        return pickle.loads(body)

    @staticmethod
    def _read(fd: int, size: int, deadline: float) -> bytes | None:
        """*size* bytes from *fd*; None at the deadline, EOFError when it closes."""
        chunks, got = [], 0
        while got < size:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, min(size - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def kill(self) -> None:
        """End the worker now."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):  # a pipe the dead worker broke
                stream.close()

    def close(self) -> None:
        """Let the worker end (its input closes), or kill it."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class ExtractorPool:
    """Read documents in *workers* worker processes, each job within its :class:`Limits`.

    Thread-safe: :meth:`extract` blocks its caller; :meth:`submit` runs it in the pool's own
    threads (one a worker). Workers start when first needed. *reader* names the function a
    worker reads with (:data:`DEFAULT_READER`). Counts jobs in :attr:`jobs`.
    """

    def __init__(self, workers: int = defaults.DOCUMENT_WORKERS,
                 reader: str = DEFAULT_READER) -> None:
        self.size = max(1, workers)
        self.reader = reader
        self.idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        for _ in range(self.size):
            self.idle.put(None)  # a place for a worker, started when first used
        self.threads = ThreadPoolExecutor(self.size, thread_name_prefix="documents")
        self.jobs = 0
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []

    def submit(self, data: bytes, name: str, limits: Limits) -> Future[Extraction]:
        """Read *data* (a document named *name*) in a worker; a future of its extraction."""
        return self.threads.submit(self.extract, data, name, limits)

    def extract(self, data: bytes, name: str, limits: Limits) -> Extraction:
        """Read *data* in a worker and return what it gave, or the status of a worker that
        ran out of time or died."""
        with self._lock:
            self.jobs += 1
        kind = sniff(data, name) or extension(name)
        worker = self.idle.get()
        try:
            if worker is None or worker.process.poll() is not None:
                worker = self._start()
            try:
                answer = worker.ask((self.reader, data, name, limits), limits.seconds)
            except EOFError:
                code = worker.process.wait()
                worker.kill()
                worker = None
                return Extraction(str(DocumentStatus.FAILED), f"读取进程异常退出（reader "
                                  f"process died, exit code {code}）", kind)
            if answer is None:
                worker = None  # killed
                return Extraction(str(DocumentStatus.TOO_LARGE), f"读取超过 {limits.seconds:g} "
                                  "秒的时限（reading took longer than the time limit）", kind)
            return answer
        finally:
            self.idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker()
        with self._lock:
            self._workers = [w for w in self._workers if w.process.poll() is None]
            self._workers.append(worker)
        return worker

    def close(self) -> None:
        """Stop the threads and the workers."""
        self.threads.shutdown(wait=True)
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
