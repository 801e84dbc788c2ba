"""Item pipeline: hand the spider's own records to the writer process, which writes them.

The reader (:mod:`crawler.writer`) is the one writer of scan rows: it writes what it reads
from HTML pages itself, and gets the records the spider makes (link checks, documents,
failures, site statuses) from here, a batch at a time (at ``_BATCH`` records, or after a
second), so each costs the crawl one append, not one message.
"""

from __future__ import annotations

import time
from typing import Any

_BATCH = 200
_SECONDS = 1.0


class StorePipeline:
    """Batch records and send them to the reader to be written."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.batch: list[Any] = []
        self.sent_at = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.batch.append(item)
        if len(self.batch) >= _BATCH or time.monotonic() - self.sent_at > _SECONDS:
            self.send()
        return item

    def send(self) -> None:
        """Send the batch to the reader."""
        reader = self.crawler.spider.reader
        if self.batch and not reader.gone:  # gone: the crawl is stopping, the scan fails
            reader.store(self.batch)
        self.batch = []
        self.sent_at = time.monotonic()

    def close_spider(self) -> None:
        self.send()
