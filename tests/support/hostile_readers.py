"""Readers that misbehave, for the document pool's limits: named to a worker as
``support.hostile_readers:NAME`` (the worker imports what the tests import)."""

from __future__ import annotations

import time
from typing import Any


def sleep_forever(data: bytes, name: str, limits: Any) -> Any:
    """A reader stuck on its document: it never answers."""
    while True:
        time.sleep(3600)


def balloon(data: bytes, name: str, limits: Any) -> Any:
    """A reader that asks for far more memory than its worker may have, then answers."""
    from govwatch.crawler.documents import extract_bytes

    hoard = bytearray(8 * limits.memory)  # past the worker's address-space limit
    return extract_bytes(data + bytes(hoard[:0]), name, limits)


def crash(data: bytes, name: str, limits: Any) -> Any:
    """A reader whose process dies under it."""
    import os

    os._exit(7)


def counting(data: bytes, name: str, limits: Any) -> Any:
    """The usual reader, which first notes the document's name in the file named by the
    environment's ``GOVWATCH_TEST_READS``: how a test counts what a scan read."""
    import os

    from govwatch.crawler.documents import extract_bytes

    with open(os.environ["GOVWATCH_TEST_READS"], "a", encoding="utf-8") as log:
        log.write(name + "\n")
    return extract_bytes(data, name, limits)
