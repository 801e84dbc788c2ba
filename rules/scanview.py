"""A read-only view of one complete scan: what every check reads, and all it may read.

The view opens the database read-only (``mode=ro`` and ``PRAGMA query_only``), so a check
cannot change a scan even by mistake. It knows the scan's id, the date rules judge at
(the scan's ``as_of`` unless an auditor re-judges at another date) and the scan's sites
with their status; checks ask it set-based SQL questions through :meth:`ScanView.rows`.
SQL may call ``regexp(pattern, text)``, backed by Python's ``re`` (compiled once per pattern).

``HOME_PAGES`` is the SQL of the home pages of the scan (one per reachable site): the page
at depth 0 whose URL is the site's URL, or whose raw HTML was kept (the crawler keeps it
for home pages only, which also catches a home page reached through a redirect).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from govwatch.core import scans
from govwatch.core.schema import open_read_only, schema_version
from govwatch.core.vocabulary import ScanStatus, SiteStatus

HOME_PAGES = """
    select p.site_id, p.url from pages p join sites s on s.id = p.site_id
    where p.scan_id = :scan and p.depth = 0
      and (p.url = s.url or exists (select 1 from page_texts t where t.scan_id = p.scan_id
                                    and t.url = p.url and t.html is not null))
"""


def in_list(prefix: str, values: Iterable[str]) -> tuple[str, dict[str, str]]:
    """SQL for ``in (...)`` over named params (``:r0, :r1``) and those params."""
    names = {f"{prefix}{n}": str(v) for n, v in enumerate(values)}
    return ", ".join(f":{name}" for name in names), names


def _page_text(scan: ScanView, url: str) -> list[str] | None:
    """An HTML page's stored text (``page_texts``), as one page."""
    for row in scan.rows("select text from page_texts where scan_id = :scan and url = :url "
                         "and text is not null limit 1", {"url": url}):
        return [row["text"]]
    return None


# Where the text of a document comes from, in order: ``fn(scan, url) -> pages or None``.
# The text extracted from attachments, page by page, joins this list as one more source.
TEXT_SOURCES: list[Callable[[ScanView, str], list[str] | None]] = [_page_text]


class ScanError(LookupError):
    """The scan asked for does not exist, is not complete or was pruned (rules read whole,
    complete scans only)."""


@dataclass(frozen=True)
class ScanSite:
    """A site as it stood in one scan."""

    id: str
    name: str
    url: str  # the configured home page URL: the subject of site-level findings
    status: SiteStatus
    region: str | None = None  # 行政区划代码 of the site's area, from the sites file

    @property
    def reachable(self) -> bool:
        return self.status is SiteStatus.OK


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(pattern: str, text: str | None) -> bool:
    return text is not None and _compiled(pattern).search(text) is not None


class ScanView:
    """One complete scan, read-only. Use :meth:`open` (a context manager)."""

    def __init__(self, conn: sqlite3.Connection, scan_id: int, as_of: date,
                 sites: Mapping[str, ScanSite]) -> None:
        self._conn = conn
        self.scan_id = scan_id
        self.as_of = as_of
        self.sites: Mapping[str, ScanSite] = MappingProxyType(dict(sites))

    @classmethod
    def open(cls, db_path: str | Path, scan_id: int | None = None,
             as_of: date | None = None) -> ScanView:
        """The view of scan *scan_id* (default: the latest complete one) judged at *as_of*
        (default: the scan's own date). ScanError if there is no such complete scan,
        StoreError if the file is not a database this govwatch can read."""
        path = Path(db_path)
        if not path.exists():
            raise ScanError(f"{db_path}: no such database")
        conn = open_read_only(path)
        try:
            conn.row_factory = sqlite3.Row
            schema_version(conn, db_path)  # StoreError: not SQLite, or from a newer govwatch
            conn.create_function("regexp", 2, _regexp, deterministic=True)
            scan = _complete_scan(conn, scan_id)
            sites = {
                row["id"]: ScanSite(row["id"], row["name"], row["url"], SiteStatus(row["status"]),
                                    row["region"])
                for row in conn.execute(
                    "select s.id, s.name, s.url, s.region, ss.status from scan_sites ss "
                    "join sites s on s.id = ss.site_id where ss.scan_id = ? order by s.id",
                    [scan["id"]],
                )
            }
        except BaseException:
            conn.close()
            raise
        return cls(conn, scan["id"], as_of or date.fromisoformat(scan["as_of"]), sites)

    def rows(self, sql: str, params: Mapping[str, Any] | Sequence[Any] = ()
             ) -> Iterator[sqlite3.Row]:
        """Run one SELECT and iterate its rows. Named params may use ``:scan`` (this scan's
        id), which is always supplied."""
        if isinstance(params, Mapping):
            params = {"scan": self.scan_id, **params}
        yield from self._conn.execute(sql, params)

    def report_texts(self, url: str) -> list[str] | None:
        """The text of the document at *url* as this scan holds it, one string per page, or
        None when it holds none. Each of :data:`TEXT_SOURCES` is asked in turn: an HTML
        page's stored text is one page; a source of attachments' extracted pages (PDF, DOC…)
        is added to that list."""
        for source in TEXT_SOURCES:
            pages = source(self, url)
            if pages is not None:
                return pages
        return None

    def home_url(self, site_id: str) -> str:
        """The configured home page URL of *site_id*."""
        return self.sites[site_id].url

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ScanView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _complete_scan(conn: sqlite3.Connection, scan_id: int | None) -> sqlite3.Row:
    if scan_id is None:
        row = conn.execute(
            "select * from scans where status = ? order by id desc limit 1",
            [ScanStatus.COMPLETE.value],
        ).fetchone()
        if row is None:
            raise ScanError("no complete scan yet; run 'govwatch scan' first")
        return row
    row = conn.execute("select * from scans where id = ?", [scan_id]).fetchone()
    if row is None:
        raise ScanError(f"no scan {scan_id}")
    if row["status"] != ScanStatus.COMPLETE:
        raise ScanError(f"scan {scan_id} is {row['status']}, not complete; rules read "
                        "complete scans only")
    if scans.pruned(conn, scan_id):  # judged on what is left, it would lose its findings
        raise ScanError(f"scan {scan_id}'s detail was pruned (retention); rules read whole "
                        "scans only, and its findings stay as they were evaluated")
    return row
