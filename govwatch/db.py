"""The SQLite store: the one module that owns the schema.

Every stage reads and writes the database through the functions here. The schema stays
friendly to ad-hoc SQL and Datasette: plain tables, readable column names, foreign keys and
indexes on what is queried. Rows of one scan are keyed by ``scan_id``, so a running or
interrupted scan never hides the last complete one: readers ask for
:func:`latest_complete_scan`.

Tables (one row per …):
- ``sites``: configured site (id, name, url, unit).
- ``scans``: scan run; ``status`` is ``running`` → ``complete`` | ``failed``.
- ``scan_sites``: site within a scan: how the home page answered (``ok``, ``unreachable``,
  ``robots_forbidden``) and what was found (pages, columns).
- ``pages``: fetched URL (HTML page or document) with status, type, title, publication date,
  encoding.
- ``links``: (source page, target) pair with anchor text and link kind.
- ``column_pages``: list page of a column (栏目) as walked, with its page number.
- ``columns``: column of a site, aggregated from its list pages when the scan completes.
- ``items``: dated entry (条目) of a list, with the page and the column it was listed on.
- ``footer_facts``: footer identifier (页面底部标识) of a page: raw text, value, valid or not.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from govwatch.config import Site


class ScanStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"  # interrupted or crashed: resumable, never read by rules


class SiteStatus(enum.StrEnum):
    PENDING = "pending"
    OK = "ok"
    UNREACHABLE = "unreachable"  # 站点无法访问: the home page did not answer with a page
    ROBOTS_FORBIDDEN = "robots_forbidden"  # robots.txt forbids crawling the home page


_TABLES: dict[str, dict[str, Any]] = {
    "sites": {
        "columns": {"id": str, "name": str, "url": str, "unit": str},
        "pk": "id",
    },
    "scans": {
        "columns": {
            "id": int, "started_at": str, "finished_at": str, "status": str, "as_of": str,
            "site_ids": str,
        },
        "pk": "id",
    },
    "scan_sites": {
        "columns": {
            "scan_id": int, "site_id": str, "status": str, "home_status": int, "error": str,
            "pages": int, "columns": int,
        },
        "pk": ("scan_id", "site_id"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "pages": {
        "columns": {
            "scan_id": int, "site_id": str, "url": str, "status": int, "content_type": str,
            "kind": str, "title": str, "pub_date": str, "encoding": str,
            "declared_encoding": str, "depth": int, "error": str, "fetched_at": str,
        },
        "pk": ("scan_id", "url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "links": {
        "columns": {
            "scan_id": int, "site_id": str, "source_url": str, "target_url": str,
            "anchor_text": str, "kind": str,
        },
        "pk": ("scan_id", "source_url", "target_url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "column_pages": {
        "columns": {
            "scan_id": int, "site_id": str, "column_url": str, "page_url": str,
            "page_no": int, "name": str, "name_source": str, "class": str, "kind": str,
            "empty_note": str, "item_count": int,
        },
        "pk": ("scan_id", "page_url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "columns": {
        "columns": {
            "scan_id": int, "site_id": str, "url": str, "name": str, "name_source": str,
            "class": str, "kind": str, "empty_note": str, "newest_date": str,
            "item_count": int, "pages_walked": int,
        },
        "pk": ("scan_id", "url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "items": {
        "columns": {
            "scan_id": int, "site_id": str, "page_url": str, "column_url": str, "url": str,
            "title": str, "date": str,
        },
        "pk": ("scan_id", "page_url", "url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "footer_facts": {
        "columns": {
            "scan_id": int, "site_id": str, "page_url": str, "kind": str, "raw": str,
            "value": str, "valid": int, "problem": str,
        },
        "pk": ("scan_id", "page_url", "kind"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
}

_INDEXES: dict[str, list[list[str]]] = {
    "scans": [["status"]],
    "pages": [["scan_id", "site_id"]],
    "links": [["scan_id", "target_url"], ["scan_id", "site_id"]],
    "column_pages": [["scan_id", "column_url"]],
    "columns": [["scan_id", "site_id"]],
    "items": [["scan_id", "column_url"], ["scan_id", "site_id"]],
    "footer_facts": [["scan_id", "site_id"]],
}

# Tables the crawl pipeline writes, and so the only ones a record may name.
SCAN_TABLES = frozenset({"pages", "links", "column_pages", "items", "footer_facts"})


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string, seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the govwatch database at *path*, in WAL mode with the schema.

    WAL lets a reader query (``govwatch columns``, Datasette) while a scan writes.
    """
    db = sqlite_utils.Database(path)
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 10000")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table and index that does not exist yet."""
    for name, spec in _TABLES.items():
        db[name].create(
            spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"),
            if_not_exists=True,
        )
    for name, indexes in _INDEXES.items():
        for columns in indexes:
            db[name].create_index(columns, if_not_exists=True)


def start_scan(db: sqlite_utils.Database, sites: Sequence[Site], as_of: str) -> int:
    """Record the configured *sites* and a new running scan of them; return the scan id."""
    with db.conn:
        db["sites"].upsert_all(
            [{"id": s.id, "name": s.name, "url": s.url, "unit": s.unit} for s in sites], pk="id"
        )
        scan_id = db["scans"].insert(
            {
                "started_at": now_iso(), "status": ScanStatus.RUNNING, "as_of": as_of,
                "site_ids": ",".join(s.id for s in sites),
            }
        ).last_pk
        db["scan_sites"].insert_all(
            [{"scan_id": scan_id, "site_id": s.id, "status": SiteStatus.PENDING} for s in sites]
        )
    return int(scan_id)


def resumable_scan(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The newest scan that did not complete and is newer than every complete scan, if any."""
    rows = list(
        db.query(
            "select * from scans where status != ? and id > coalesce("
            "(select max(id) from scans where status = ?), 0) order by id desc limit 1",
            [ScanStatus.COMPLETE, ScanStatus.COMPLETE],
        )
    )
    return rows[0] if rows else None


def mark_scan(db: sqlite_utils.Database, scan_id: int, status: ScanStatus) -> None:
    """Set a scan's status; a scan that stops running gets its finishing time."""
    finished = None if status is ScanStatus.RUNNING else now_iso()
    with db.conn:
        db["scans"].update(scan_id, {"status": status, "finished_at": finished})


def set_site_status(
    db: sqlite_utils.Database, scan_id: int, site_id: str, status: SiteStatus,
    home_status: int | None = None, error: str | None = None,
) -> None:
    """Record how a site's home page answered in this scan."""
    db["scan_sites"].upsert(
        {
            "scan_id": scan_id, "site_id": site_id, "status": status,
            "home_status": home_status, "error": error,
        },
        pk=("scan_id", "site_id"),
    )


def write_rows(db: sqlite_utils.Database, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert or replace scan rows; replacing keeps a resumed scan free of duplicates."""
    if table not in SCAN_TABLES:
        raise ValueError(f"not a scan table: {table}")
    db[table].insert_all(rows, replace=True, batch_size=500)


def finalize_scan(db: sqlite_utils.Database, scan_id: int) -> None:
    """Aggregate columns from their list pages and count pages and columns per site.

    Set-based SQL, so it costs the same whether a site has a hundred pages or a hundred
    thousand. The column's name, class and kind come from its first list page.
    """
    with db.conn:
        db.execute("delete from columns where scan_id = ?", [scan_id])
        db.execute(
            """
            insert into columns (scan_id, site_id, url, name, name_source, class, kind,
                                 empty_note, newest_date, item_count, pages_walked)
            select first.scan_id, first.site_id, first.column_url, first.name,
                   first.name_source, first.class, first.kind, first.empty_note,
                   (select max(date) from items i
                     where i.scan_id = first.scan_id and i.column_url = first.column_url),
                   (select count(distinct url) from items i
                     where i.scan_id = first.scan_id and i.column_url = first.column_url),
                   (select count(*) from column_pages p
                     where p.scan_id = first.scan_id and p.column_url = first.column_url)
            from column_pages first
            where first.scan_id = ?
              and first.page_no = (select min(page_no) from column_pages p
                                    where p.scan_id = first.scan_id
                                      and p.column_url = first.column_url)
            group by first.column_url
            """,
            [scan_id],
        )
        db.execute(
            """
            update scan_sites set
              pages = (select count(*) from pages p
                        where p.scan_id = scan_sites.scan_id and p.site_id = scan_sites.site_id),
              columns = (select count(*) from columns c
                          where c.scan_id = scan_sites.scan_id
                            and c.site_id = scan_sites.site_id),
              status = case when status = 'pending' then 'ok' else status end
            where scan_id = ?
            """,
            [scan_id],
        )


def latest_complete_scan(db: sqlite_utils.Database) -> int | None:
    """Id of the newest complete scan, or None when no scan has completed."""
    row = next(
        db.query("select max(id) as id from scans where status = ?", [ScanStatus.COMPLETE])
    )
    return row["id"]


def column_inventory(
    db: sqlite_utils.Database, scan_id: int, site_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The column inventory (栏目清单) of one scan, ordered by site and first list page."""
    where, params = "scan_id = ?", [scan_id]
    if site_ids:
        where += f" and site_id in ({', '.join('?' for _ in site_ids)})"
        params += list(site_ids)
    return list(
        db.query(
            "select site_id as site, name, class, url, newest_date, item_count as items, "
            f"pages_walked, kind, empty_note from columns where {where} order by site_id, url",
            params,
        )
    )


def site_summary(db: sqlite_utils.Database, scan_id: int) -> list[dict[str, Any]]:
    """Per site of one scan: status, pages, columns, newest item date."""
    return list(
        db.query(
            """
            select s.site_id as site, s.status, s.pages, s.columns,
                   (select max(newest_date) from columns c
                     where c.scan_id = s.scan_id and c.site_id = s.site_id) as newest_date,
                   s.error
            from scan_sites s where s.scan_id = ? order by s.site_id
            """,
            [scan_id],
        )
    )
