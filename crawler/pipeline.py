"""Item pipeline: write the spider's records into the scan tables of the SQLite store.

Rows are buffered per table and written in one transaction per batch (or at least every
``GOVWATCH_STORE_FLUSH_SECONDS``), because a commit per row is what makes naive crawlers
slow, while a crawl killed outright should lose seconds of work, not minutes. Rows replace
rows of the same key, so a resumed scan that re-fetches a page does not duplicate it. This
is the only writer of scan rows.

Settings: ``GOVWATCH_DB`` (database path), ``GOVWATCH_SCAN_ID`` (the running scan),
``GOVWATCH_STORE_BATCH`` (rows buffered before a write, default 1000),
``GOVWATCH_STORE_FLUSH_SECONDS`` (default 2).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from scrapy.exceptions import NotConfigured

from crawler.records import SiteStatusRecord
from govwatch import db as store


class StorePipeline:
    """Buffer records and write them, batch by batch, into the scan's rows."""

    def __init__(self, db_path: str, scan_id: int, batch: int, seconds: float) -> None:
        self.db = store.open_db(db_path)
        self.scan_id = scan_id
        self.batch = batch
        self.seconds = seconds
        self.flushed_at = time.monotonic()
        self.buffer: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.buffered = 0

    @classmethod
    def from_crawler(cls, crawler) -> StorePipeline:
        settings = crawler.settings
        if not settings.get("GOVWATCH_DB") or not settings.getint("GOVWATCH_SCAN_ID"):
            raise NotConfigured("no database or scan id")
        return cls(
            settings["GOVWATCH_DB"],
            settings.getint("GOVWATCH_SCAN_ID"),
            settings.getint("GOVWATCH_STORE_BATCH"),
            settings.getfloat("GOVWATCH_STORE_FLUSH_SECONDS"),
        )

    def process_item(self, item: Any) -> Any:
        if isinstance(item, SiteStatusRecord):
            self.flush()
            with self.db.conn:
                store.set_site_status(
                    self.db,
                    self.scan_id,
                    item.site_id,
                    store.SiteStatus(item.status),
                    item.home_status,
                    item.error,
                )
            return item
        rows = item.rows()
        for row in rows:
            row["scan_id"] = self.scan_id
        self.buffer[item.table].extend(rows)
        self.buffered += len(rows)
        if self.buffered >= self.batch or time.monotonic() - self.flushed_at > self.seconds:
            self.flush()
        return item

    def flush(self) -> None:
        """Write every buffered row in one transaction."""
        if not self.buffered:
            return
        with self.db.conn:
            for table, rows in self.buffer.items():
                store.write_rows(self.db, table, rows)
        self.buffer.clear()
        self.buffered = 0
        self.flushed_at = time.monotonic()

    def close_spider(self) -> None:
        self.flush()
        self.db.close()
