"""A document reader's worker process: ``python -m govwatch.crawler.documents.worker``.

Reads jobs from its standard input and writes each one's :class:`Extraction` to its
standard output, as length-prefixed pickles (:func:`send`, :func:`receive`), until its
input closes. It limits its own address space first (``RLIMIT_AS``), so a document that
makes a reader balloon ends in a MemoryError (``too_large``) or in the worker's death,
never in the crawl's; its time is limited by the pool, which kills it. It ends itself when
the process that started it dies.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from typing import Any

from govwatch.crawler.documents.frames import receive, send


def reader_function(dotted: str) -> Any:
    """The function named ``module:function``."""
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _watch_parent() -> None:
    """End this worker when the process that started it is gone (killed outright, it
    could not kill us): a reader stuck on a document would otherwise outlive the crawl."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    """Serve jobs ``(reader, data, name, limits)`` until standard input closes."""
    _watch_parent()
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a reader that prints must not break the frames
    limited = False
    while True:
        try:
            reader, data, name, limits = receive(source)
        except EOFError:
            return
        if not limited:
            _limit_memory(limits.memory)
            limited = True
        send(sink, reader_function(reader)(data, name, limits))


if __name__ == "__main__":
    main()
