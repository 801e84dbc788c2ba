"""Defaults that more than one layer needs, each stated once.

Part of the ground floor: imports nothing of govwatch. A layer's own knobs stay with the
layer (crawl settings in ``crawler/settings.py``, report settings in ``reports/settings.py``);
what is here is read across layers: the sites file, the scheduler, the crawler's probes and
the reports all work in the office's time zone, and several writers name bulletin files.
"""

from __future__ import annotations

# The offices govwatch serves work in China Standard Time (the sites file's ``timezone``).
TIMEZONE = "Asia/Shanghai"

# Availability probes (可用性监测): a home page must open within 15 s
# (docs/indicators.md#availability); how many home pages are probed at once.
PROBE_TIMEOUT = 15.0
PROBE_WORKERS = 16


def bulletin_stem(number: int, day: str) -> str:
    """The file name, without its extension, of bulletin 第*number*期 of *day* (YYYY-MM-DD)."""
    return f"bulletin-{number:03d}-{day}"

# Retention (the sites file's ``retention:``, govwatch/core/retention.py): full detail for
# the newest complete scans and for the scans the newest bulletins report; the summary of
# every scan for some years. See docs/architecture.md#retention.
KEEP_FULL_SCANS = 8
KEEP_BULLETIN_SCANS = 8
KEEP_SUMMARY_YEARS = 5

# Attachments read as text (crawler/documents, docs/documents.md); each is a key of the
# sites file's crawl: section too. Per site, at most DOCUMENTS_PER_SITE attachments are
# downloaded and read (0: none); each may have DOCUMENT_MAX_BYTES bytes, DOCUMENT_MAX_PAGES
# pages (or sheets), and DOCUMENT_TIMEOUT seconds of its reader. The readers run in
# DOCUMENT_WORKERS processes, each held to DOCUMENT_MEMORY bytes of address space; a text
# longer than DOCUMENT_MAX_CHARS characters is too large to keep.
DOCUMENTS_PER_SITE = 200
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_MAX_PAGES = 1000
DOCUMENT_TIMEOUT = 60.0
DOCUMENT_WORKERS = 2
DOCUMENT_MEMORY = 2 * 1024 * 1024 * 1024
DOCUMENT_MAX_CHARS = 5_000_000

# Kept pages (存证, docs/evidence.md): while their issue lives, and this many days after it
# is fixed or withdrawn (a unit's late dispute, an audit), then pruned.
KEEP_EVIDENCE_DAYS = 180
