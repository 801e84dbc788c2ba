"""Downloader middleware: ask for a page only if it changed since a scan last read it.

Incremental re-scans (增量巡检): most pages of a portal do not change from one week to the
next. The reader (:mod:`crawler.reader`) keeps each page's validators (``ETag``,
``Last-Modified``) in ``page_cache``; this middleware sends them back as ``If-None-Match`` /
``If-Modified-Since``, and marks the request :data:`REVALIDATED`. A page that answers 304 is
not read again: the spider has the reader copy its stored reading into the scan.

A stored reading is reused only for a request made the same way, since how a page was
reached (home page, menu link, its anchor text, list pagination, depth) shapes what it is
read as (:func:`crawler.reading.reading_key`); otherwise the request goes unconditional.
Link check requests, documents (HEAD) and requests marked :data:`FRESH` (asked again after a
304 found nothing to reuse) are never conditional.

Settings: ``GOVWATCH_REVALIDATE`` (default true), ``GOVWATCH_DB``.
"""

from __future__ import annotations

import sqlite3

from scrapy import Request
from scrapy.exceptions import NotConfigured

from crawler.linkcheck import LINK_CHECK
from crawler.reading import reading_key

REVALIDATED = "revalidated"  # request meta: sent with the validators of a stored reading
FRESH = "fresh"  # request meta: never conditional
_CONDITIONS = (b"If-None-Match", b"If-Modified-Since")


class RevalidateMiddleware:
    """Add the validators of a page's stored reading to the crawl's request for it."""

    def __init__(self, db_path: str) -> None:
        # Reads only; the reader process is the writer (WAL lets both work at once).
        self.conn = sqlite3.connect(db_path)

    @classmethod
    def from_crawler(cls, crawler) -> RevalidateMiddleware:
        settings = crawler.settings
        if not settings.getbool("GOVWATCH_REVALIDATE") or not settings.get("GOVWATCH_DB"):
            raise NotConfigured("no conditional requests")
        return cls(settings["GOVWATCH_DB"])

    def process_request(self, request: Request) -> None:
        # A redirect copies headers and meta: a condition belongs to its own URL only.
        for name in _CONDITIONS:
            request.headers.pop(name, None)
        request.meta.pop(REVALIDATED, None)
        meta = request.meta
        if request.method != "GET" or "site_id" not in meta or meta.get(LINK_CHECK) \
                or meta.get(FRESH):
            return
        row = self.conn.execute(
            "select etag, last_modified, reading_key from page_cache where url = ?",
            [request.url],
        ).fetchone()
        if row is None or row[2] != reading_key(meta) or not (row[0] or row[1]):
            return
        if row[0]:
            request.headers[b"If-None-Match"] = row[0]
        if row[1]:
            request.headers[b"If-Modified-Since"] = row[1]
        meta[REVALIDATED] = True
