"""Attachments (附件) read as text: PDF, DOC, DOCX, XLS, XLSX, WPS, ET and OFD.

The crawl downloads the attachments its sites' pages link to (:mod:`crawler.spider`, up to
a number per site) and reads each in a worker process (:class:`ExtractorPool`), within
:class:`Limits`; what one gave is an :class:`Extraction`: a status
(:class:`~govwatch.core.vocabulary.DocumentStatus`), a reason when it was not read, and the
text of each page or sheet. :func:`extract_file` reads one local file the same way, for
commands that check a file by hand. See docs/documents.md.
"""

from __future__ import annotations

from pathlib import Path

from govwatch.crawler.documents.extract import (
    READABLE_EXTENSIONS,
    Extraction,
    Limits,
    extension,
    extract_bytes,
    normalise,
    page_label,
    sniff,
)
from govwatch.crawler.documents.pool import DEFAULT_READER, ExtractorPool

__all__ = ["DEFAULT_READER", "READABLE_EXTENSIONS", "Extraction", "ExtractorPool", "Limits",
           "extension", "extract_bytes", "extract_file", "normalise", "page_label", "sniff"]


def extract_file(path: str | Path, limits: Limits | None = None) -> Extraction:
    """Read the document at *path* into its status, reason and page (or sheet) texts, in a
    worker process held to *limits* (time, pages, bytes, memory), as the crawl reads an
    attachment. A file larger than the byte limit is not read at all."""
    limits = limits or Limits()
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(limits.max_bytes + 1)
    with ExtractorPool(1) as pool:
        return pool.extract(data, path.name, limits)
