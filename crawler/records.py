"""What the spider yields: plain, serialisable records, one type per scan table.

Records are dataclasses of primitives (dates as ``YYYY-MM-DD`` strings), so they cross a
process boundary or a Redis queue unchanged when the crawl is distributed; only
:mod:`crawler.pipeline` turns them into rows. A record names its table in ``table``; records
that carry many rows (a page's links, a list page's items, a page's footer facts) expand to
them in :meth:`rows`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from govwatch.core.compact import DECISION_COLUMNS, MESSAGE_COLUMNS


@dataclass
class PageRecord:
    """A fetched URL: an HTML page or a document (附件)."""

    table: ClassVar[str] = "pages"
    site_id: str
    url: str
    status: int | None
    content_type: str | None
    kind: str  # html | document | other
    depth: int
    title: str | None = None
    pub_date: str | None = None
    encoding: str | None = None
    declared_encoding: str | None = None
    error: str | None = None
    fetched_at: str | None = None
    revalidated: int = 0  # 1 only for rows copied from a stored reading (govwatch.db)

    def rows(self) -> list[dict[str, Any]]:
        return [asdict(self)]


@dataclass
class LinksRecord:
    """Every link target of one page."""

    table: ClassVar[str] = "links"
    site_id: str
    source_url: str
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (target, anchor, kind)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "site_id": self.site_id,
                "source_url": self.source_url,
                "target_url": target,
                "anchor_text": anchor,
                "kind": kind,
            }
            for target, anchor, kind in self.links
        ]


@dataclass
class ListPageRecord:
    """One page of a column's list, and the column it belongs to."""

    table: ClassVar[str] = "column_pages"
    site_id: str
    column_url: str
    page_url: str
    page_no: int
    name: str
    name_source: str
    column_class: str
    role: str  # ColumnRole: list, text (机构概况), hub (导航页面), form
    empty_note: str | None  # the 暂无信息-style note as printed, when it lists nothing
    item_count: int

    def rows(self) -> list[dict[str, Any]]:
        row = asdict(self)
        row["class"] = row.pop("column_class")
        return [row]


@dataclass
class ItemsRecord:
    """The dated entries (条目) listed on one page, in a column or in home-page blocks."""

    table: ClassVar[str] = "items"
    site_id: str
    page_url: str
    column_url: str | None
    items: list[tuple[str, str, str | None]] = field(default_factory=list)  # (url, title, date)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "site_id": self.site_id,
                "page_url": self.page_url,
                "column_url": self.column_url,
                "url": url,
                "title": title,
                "date": when,
            }
            for url, title, when in self.items
        ]


@dataclass
class MessagesRecord:
    """The messages of a 互动交流 board listed on (or making up) one page."""

    table: ClassVar[str] = "messages"
    site_id: str
    page_url: str
    # (url, title, asked, answered, status, board), dates as YYYY-MM-DD
    messages: list[tuple[str, str, str | None, str | None, str | None, str]] = field(
        default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return _page_rows(self.site_id, self.page_url, MESSAGE_COLUMNS, self.messages)


@dataclass
class DecisionsRecord:
    """The decisions of a 双公示 list (行政许可, 行政处罚) on one page."""

    table: ClassVar[str] = "decisions"
    site_id: str
    page_url: str
    # (url, title, kind, decided, published), dates as YYYY-MM-DD
    decisions: list[tuple[str, str, str | None, str | None, str | None]] = field(
        default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return _page_rows(self.site_id, self.page_url, DECISION_COLUMNS, self.decisions)


def _page_rows(site_id: str, page_url: str, columns: tuple[str, ...],
               values: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows of a page's records: each tuple of *values* under *columns*."""
    return [{"site_id": site_id, "page_url": page_url, **dict(zip(columns, v, strict=True))}
            for v in values]


@dataclass
class FooterRecord:
    """The footer identifiers found (or missing) on one page."""

    table: ClassVar[str] = "footer_facts"
    site_id: str
    page_url: str
    facts: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return [{"site_id": self.site_id, "page_url": self.page_url, **f} for f in self.facts]


@dataclass
class TextRecord:
    """The visible text of one page, and its raw HTML when rules need it (the home page)."""

    table: ClassVar[str] = "page_texts"
    site_id: str
    url: str
    text: str
    html: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [asdict(self)]


@dataclass
class LinkCheckRecord:
    """The check of one link target: its class (ok, broken, blocked, skipped) and why."""

    table: ClassVar[str] = "link_checks"
    target_url: str
    result: str  # govwatch.core.vocabulary.LinkResult
    status_code: int | None = None
    error: str | None = None  # crawler.linkcheck.CheckError
    final_url: str | None = None
    redirects: int = 0
    checked_at: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [asdict(self)]


@dataclass
class DocumentRecord:
    """An attachment (附件) the crawl downloaded to read: the page linking it, what reading it
    gave, and its validators. *parts* (label, text) are its pages' texts when this scan read
    it; None when its content, named by *hash*, is stored already (unchanged)."""

    table: ClassVar[str] = "documents"
    site_id: str
    url: str
    source_url: str | None
    status: str  # govwatch.core.vocabulary.DocumentStatus
    reason: str = ""
    format: str = ""
    hash: str | None = None  # blake2b-128 of its bytes, hex; None when none were read
    size: int = 0  # its bytes
    parts: list[tuple[str, str]] | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None
    revalidated: int = 0  # it answered 304: its stored content stands
    extracted: int = 0  # read in this scan (not found stored by its hash)

    def rows(self) -> list[dict[str, Any]]:
        return [asdict(self)]


@dataclass
class SiteStatusRecord:
    """How a site's home page answered: not a scan-table row but a status update."""

    site_id: str
    status: str
    home_status: int | None = None
    error: str | None = None


@dataclass
class SiteCappedRecord:
    """The site's page budget (``max_pages``) cut its crawl: a status update, not a row."""

    site_id: str


ScanRecord = (
    PageRecord | LinksRecord | ListPageRecord | ItemsRecord | FooterRecord | LinkCheckRecord
    | DocumentRecord
)
