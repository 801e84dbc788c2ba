"""Attachments downloaded within the scan and read as text (crawler/documents).

The spider asks a site's documents for their headers only (a link check), except the
attachments it reads: those of a readable format (:data:`READABLE_EXTENSIONS`) linked from
the site's own pages, on its host, up to ``crawl: documents`` of them a site. For those it
asks with GET instead, through Scrapy like every crawl request, so the host's download
slot (its delay and concurrency, crawler/politeness.py), robots.txt, the trap guard and the
private-address guard (crawler/linkcheck/guard.py) hold for them as for pages. Its answer is
cut off past ``crawl: document_max_bytes`` (Scrapy's ``download_maxsize``: a larger
``Content-Length`` is not read at all) and the attachment is ``too_large``.

Unchanged attachments are not downloaded or read again: the request carries the
validators of the last scan that read its content (``If-None-Match``,
``If-Modified-Since``), and an answer of 304 refers the scan to the stored content; an
answer whose bytes hash to a stored content (a server without validators, a document
published twice) refers to it too. Only a content never seen is handed to the worker pool
(:class:`crawler.documents.ExtractorPool`), off the event loop, within the site's limits.

Settings: ``GOVWATCH_DOCUMENTS_PER_SITE``, ``GOVWATCH_DOCUMENT_MAX_BYTES``,
``GOVWATCH_DOCUMENT_MAX_PAGES``, ``GOVWATCH_DOCUMENT_TIMEOUT`` (each a ``crawl:`` key too,
per site), ``GOVWATCH_DOCUMENT_WORKERS``, ``GOVWATCH_DOCUMENT_READER``.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from typing import Any

from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from govwatch.core.schema import now_iso, open_read_only
from govwatch.core.vocabulary import CheckError, DocumentStatus
from govwatch.crawler import store
from govwatch.crawler.documents import (
    DEFAULT_READER,
    READABLE_EXTENSIONS,
    Extraction,
    ExtractorPool,
    Limits,
    extension,
    sniff,
)
from govwatch.crawler.linkcheck import JUDGE_BODY, failure_error
from govwatch.crawler.pages.links import target_url
from govwatch.crawler.records import DocumentRecord

# Request meta: the attachment is read (its GET answer is a document to extract), and the
# page that linked it.
DOCUMENT = "document_read"
SOURCE = "document_source"
# crawl: key → setting, for a site's own limits
_SITE_KEYS = {"documents": "GOVWATCH_DOCUMENTS_PER_SITE",
              "document_max_bytes": "GOVWATCH_DOCUMENT_MAX_BYTES",
              "document_max_pages": "GOVWATCH_DOCUMENT_MAX_PAGES",
              "document_timeout": "GOVWATCH_DOCUMENT_TIMEOUT"}


class Attachments:
    """Which attachments a crawl reads, their requests' meta and headers, and their records."""

    def __init__(self, sites: dict[str, dict[str, Any]], settings: BaseSettings) -> None:
        self.own: dict[str, dict[str, Any]] = {}  # site id → its documents, limits
        for site_id, site in sites.items():
            crawl = site.get("crawl") or {}
            value = {key: crawl.get(key, settings.get(name)) for key, name in _SITE_KEYS.items()}
            self.own[site_id] = {
                "cap": int(value["documents"]),
                "limits": Limits(max_bytes=int(value["document_max_bytes"]),
                                 max_pages=int(value["document_max_pages"]),
                                 seconds=float(value["document_timeout"])),
            }
        self.taken: Counter[str] = Counter()
        self.cache: dict[str, dict[str, Any]] = {}
        db = settings.get("GOVWATCH_DB")
        # Reads only, held for the crawl: a connection opened for each attachment's lookup
        # cost more than the lookup (WAL lets the writer process write meanwhile).
        self.conn = open_read_only(db) if db and any(
            own["cap"] for own in self.own.values()) else None
        if self.conn is not None:
            self.cache = store.document_cache(self.conn)
        # --full: no conditional request at all (an unchanged content is still not read
        # again: its hash finds it)
        self.revalidate = settings.getbool("GOVWATCH_REVALIDATE", True)
        self.workers = settings.getint("GOVWATCH_DOCUMENT_WORKERS")
        self.reader = settings.get("GOVWATCH_DOCUMENT_READER") or DEFAULT_READER
        self._pool: ExtractorPool | None = None
        self.read_now: dict[str, dict[str, Any]] = {}  # contents read in this scan, by hash

    @property
    def pool(self) -> ExtractorPool:
        """The worker pool, started with the first attachment to read."""
        if self._pool is None:
            self._pool = ExtractorPool(self.workers, self.reader)
        return self._pool

    def take(self, site_id: str, url: str, source: str) -> tuple[dict[str, Any], dict] | None:
        """The meta and headers of a GET for the attachment *url* of *site_id* (linked from
        *source*), when it is one the crawl reads and the site's share is not spent (one an
        earlier scan read is always asked again, and does not count); None otherwise (it
        stays a link checked by its headers)."""
        own = self.own[site_id]
        if extension(url) not in READABLE_EXTENSIONS or not own["cap"]:
            return None
        known = self.cache.get(target_url(url))
        # The share bounds the attachments a scan reads anew. One read before is asked on its
        # validators, like a page, and never counts: else which ones a re-scan took would hang
        # on the crawl's order, and it would read new ones while known ones went unchecked.
        if known is None:
            if self.taken[site_id] >= own["cap"]:
                return None
            self.taken[site_id] += 1
        headers = {}
        cached = known if self.revalidate else None
        if cached:
            if cached["etag"]:
                headers["If-None-Match"] = cached["etag"]
            if cached["last_modified"]:
                headers["If-Modified-Since"] = cached["last_modified"]
        # an HTML answer to it is judged as a link check's is: a CMS's error page served
        # for a deleted file is a soft 404, not a corrupt document
        meta = {DOCUMENT: True, SOURCE: source, JUDGE_BODY: True,
                "download_maxsize": own["limits"].max_bytes}
        return meta, headers

    async def read(self, response: Response) -> DocumentRecord:
        """The record of an attachment's answer: its stored content when it is unchanged,
        else what reading it in a worker gave."""
        meta = response.meta
        url = _linked_url(response)
        record = DocumentRecord(
            site_id=meta["site_id"], url=url, source_url=meta.get(SOURCE),
            status=str(DocumentStatus.FAILED), fetched_at=now_iso(),
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"))
        cached = self.cache.get(url)
        if response.status == 304 and cached:
            record.etag = record.etag or cached["etag"]
            record.last_modified = record.last_modified or cached["last_modified"]
            return _stored(record, cached["hash"], cached, revalidated=1)
        if response.status >= 300:
            record.reason = f"下载失败（HTTP {response.status}）"
            record.format = extension(url)
            return record
        body = response.body
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        known = self.read_now.get(digest) or self._stored_content(digest)
        if known is not None:
            return _stored(record, digest, known, revalidated=0)
        limits = self.own[meta["site_id"]]["limits"]
        name = url.rsplit("/", 1)[-1]
        extraction: Extraction = await asyncio.wrap_future(
            self.pool.submit(body, name, limits))
        record.status, record.reason = extraction.status, extraction.reason
        record.format = extraction.format or sniff(body, name) or extension(name)
        record.hash, record.size, record.extracted = digest, len(body), 1
        record.parts = extraction.parts
        self.read_now[digest] = {"status": record.status, "reason": record.reason,
                                 "format": record.format}
        return record

    def unchanged(self, response: Response) -> dict[str, Any] | None:
        """What is stored of the attachment *response* answers 304 for (see
        :func:`crawler.store.document_cache`), or None when it is no such answer."""
        if response.status != 304 or not response.meta.get(DOCUMENT):
            return None
        return self.cache.get(_linked_url(response))

    def failed(self, failure: Failure) -> DocumentRecord:
        """The record of an attachment that could not be downloaded: ``too_large`` past the
        byte limit, ``failed`` otherwise."""
        request = failure.request
        reason = failure_error(failure)
        too_large = reason == CheckError.TOO_LARGE
        limit = request.meta.get("download_maxsize")
        return DocumentRecord(
            site_id=request.meta["site_id"], url=_linked_url(request), format=extension(
                request.url), source_url=request.meta.get(SOURCE),
            status=str(DocumentStatus.TOO_LARGE if too_large else DocumentStatus.FAILED),
            reason=(f"文件超过 {limit} 字节的上限，未下载完（larger than the byte limit）"
                    if too_large else f"下载失败（{reason}）"),
            fetched_at=now_iso())

    def _stored_content(self, digest: str) -> dict[str, Any] | None:
        return store.stored_content(self.conn, digest) if self.conn is not None else None

    def close(self) -> None:
        """Stop the worker processes and let go of the database."""
        if self._pool is not None:
            self._pool.close()
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _stored(record: DocumentRecord, digest: str, content: dict[str, Any], *,
            revalidated: int) -> DocumentRecord:
    """*record* referring to the stored content of hash *digest*."""
    record.hash, record.revalidated = digest, revalidated
    record.status, record.reason, record.format = (content["status"], content["reason"] or "",
                                                   content["format"] or "")
    return record


def _linked_url(outcome: Response | Any) -> str:
    """The attachment's URL as the page linked it (before any redirect)."""
    meta = outcome.meta
    return target_url((meta.get("redirect_urls") or [outcome.url])[0])


def _header(response: Response, name: bytes) -> str | None:
    return response.headers.get(name, b"").decode("latin-1") or None
