"""A read-only view of one complete scan: what every check reads, and all it may read.

The view opens the database read-only (``mode=ro`` and ``PRAGMA query_only``), so a check
cannot change a scan even by mistake. It knows the scan's id, the date rules judge at
(the scan's ``as_of`` unless an auditor re-judges at another date) and the scan's sites
with their status; checks ask it set-based SQL questions through :meth:`ScanView.rows`.
SQL may call ``regexp(pattern, text)``, backed by Python's ``re`` (compiled once per pattern).

The scan's attachments read as text (crawler/documents) are :meth:`ScanView.documents`, each
with the page linking it, and their page (or sheet) texts :meth:`ScanView.document_texts`;
SQL may call ``document_text(text_zlib)`` on ``document_pages`` rows for a page's text.

``HOME_PAGES`` is the SQL of the home pages of the scan (one per reachable site): the page
at depth 0 whose URL is the site's URL, or whose raw HTML was kept (the crawler keeps it
for home pages only, which also catches a home page reached through a redirect).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from govwatch.core import scans
from govwatch.core.compact import unpack_text
from govwatch.core.schema import open_read_only, schema_version
from govwatch.core.vocabulary import ScanStatus, SiteStatus

T = TypeVar("T")

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


def _attachment_text(scan: ScanView, url: str) -> list[str] | None:
    """An attachment's extracted text, a string per page or sheet; empty when the scan
    downloaded it but could not read it (a scanned image, encrypted, corrupt…)."""
    document = scan.document(url)
    return None if document is None else [text for _, text in scan.document_texts(document)]


# Where the text of a document comes from, in order: ``fn(scan, url) -> pages or None``: an
# HTML page's stored text, else an attachment's extracted pages.
TEXT_SOURCES: list[Callable[[ScanView, str], list[str] | None]] = [_page_text,
                                                                     _attachment_text]


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


PARTS_WITHOUT_PAGES = "全文"  # the one part of a DOCX or DOC (crawler/documents)


@dataclass(frozen=True)
class ScanDocument:
    """An attachment (附件) the scan downloaded to read as text."""

    site_id: str
    url: str
    source_url: str | None  # the page linking it
    format: str  # pdf, docx, xlsx, xls, doc, wps, et, ofd
    status: str  # govwatch.core.vocabulary.DocumentStatus: only ``read`` ones have text
    reason: str
    pages: int  # pages (or sheets) read
    content_id: int | None

    @property
    def sheets(self) -> bool:
        """Whether its parts are sheets (rows as lines), not pages."""
        return self.format in ("xlsx", "xls", "et")

    def where(self, label: str, text: str, at: int) -> str:
        """Where position *at* of the part *label* (its *text*) lies, in Chinese: the page
        (``第3页``), the sheet and row (``Sheet1 第12行``) or the paragraph (``第5段``) of a
        document read as one part."""
        line = text.count("\n", 0, at) + 1
        if self.sheets:
            return f"{label} 第{line}行"
        if label == PARTS_WITHOUT_PAGES:
            return f"第{line}段"
        return label


class ScanView:
    """One complete scan, read-only. Use :meth:`open` (a context manager)."""

    def __init__(self, conn: sqlite3.Connection, scan_id: int, as_of: date,
                 sites: Mapping[str, ScanSite]) -> None:
        self._conn = conn
        self.scan_id = scan_id
        self.as_of = as_of
        self.sites: Mapping[str, ScanSite] = MappingProxyType(dict(sites))
        self._shared: dict[Hashable, Any] = {}

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
            conn.create_function("document_text", 1, unpack_text, deterministic=True)
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

    def links_to(self, targets: Sequence[str], kinds: Sequence[str] = ("page", "document")
                 ) -> Iterator[sqlite3.Row]:
        """The links (source_url, target_url, anchor_text) of this scan's pages to *targets*
        (at most a few hundred a call), of *kinds*.

        Asked of the view ``links``, the planner starts from the scan's pages and walks every
        link of the scan (a second for 500 targets at 100 000 pages); this starts from the
        targets and goes through the anchors' index (15 ms)."""
        marks, names = in_list("t", targets)
        kind_marks, kind_names = in_list("k", kinds)
        yield from self.rows(
            f"select s.url as source_url, t.url as target_url, a.anchor_text "
            f"from urls t cross join anchors a on a.target_id = t.id "
            f"cross join reading_links l on l.anchor_id = a.id "
            f"cross join scan_pages p on p.reading_id = l.reading_id "
            f"join urls s on s.id = p.url_id "
            f"where t.url in ({marks}) and a.kind in ({kind_marks}) and p.scan_id = :scan",
            {**names, **kind_names})

    def shared(self, key: Hashable, work: Callable[[], T]) -> T:
        """What *work* gives, done once for this scan under *key*: rules that ask the same of
        a scan (the two 解读 rules pair the same pages) share it."""
        if key not in self._shared:
            self._shared[key] = work()
        return self._shared[key]

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

    def documents(self, site_id: str | None = None, url: str | None = None
                  ) -> list[ScanDocument]:
        """The scan's attachments (of *site_id*, or of every site; the one at *url*), by
        site and URL."""
        sql = ("select d.site_id, u.url, s.url as source_url, d.format, d.status, d.reason, "
               "c.pages, d.content_id from scan_documents d join urls u on u.id = d.url_id "
               "left join urls s on s.id = d.source_id "
               "left join document_contents c on c.id = d.content_id where d.scan_id = ?")
        params: list[Any] = [self.scan_id]
        if not self._conn.execute("select 1 from sqlite_master where name = 'scan_documents'"
                                  ).fetchone():
            return []  # a database not upgraded yet (read-only here): no attachments
        for column, value in (("d.site_id", site_id), ("u.url", url)):
            if value is not None:
                sql += f" and {column} = ?"
                params.append(value)
        return [ScanDocument(row[0], row[1], row[2], row[3] or "", row[4], row[5] or "",
                             row[6] or 0, row[7])
                for row in self._conn.execute(sql + " order by d.site_id, u.url", params)]

    def document(self, url: str) -> ScanDocument | None:
        """The attachment at *url* as this scan downloaded it, or None."""
        return next(iter(self.documents(url=url)), None)

    def document_texts(self, document: ScanDocument) -> list[tuple[str, str]]:
        """The (label, text) of each page or sheet of *document*, in order: ``第3页`` and its
        text, or a sheet's name and its rows as lines (cells tab-separated); empty when its
        text was not read."""
        if document.content_id is None:
            return []
        return [(label, unpack_text(text) or "") for label, text in self._conn.execute(
            "select label, text from document_parts where content_id = ? order by part_no",
            [document.content_id])]

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
