"""A database as govwatch kept it before compact storage: one table per kind of the crawl's
rows, every URL spelled out, the page cache's leads as JSON text (what the migration
``compact_storage`` converts).

Made from a database of this version by writing each view's rows into a table of the view's
name and key, as that release declared it, and forgetting the migration: opening the file
again (``open_db``) runs the migration on rows a real crawl wrote.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from govwatch.core.compact import unpack_leads
from govwatch.core.migrations import MIGRATIONS

MIGRATION = next(m.name for m in MIGRATIONS if m.name.endswith("_compact_storage"))
# The crawl's tables before the migration, each with its primary key.
OLD_KEYS = {
    "pages": ("scan_id", "url"), "links": ("scan_id", "source_url", "target_url"),
    "column_pages": ("scan_id", "page_url"), "items": ("scan_id", "page_url", "url"),
    "footer_facts": ("scan_id", "page_url", "kind"), "page_texts": ("scan_id", "url"),
    "link_checks": ("scan_id", "target_url"),
}
# What migrations after compact storage made (views, then tables), which the old layout lacks.
LATER_VIEWS = ("documents", "document_pages", "messages", "decisions")
LATER_TABLES = ("scan_documents", "document_parts", "document_contents", "reading_messages",
                "reading_decisions")
COMPACT = ("scan_pages", "scan_link_checks", "reading_links", "reading_items",
           "reading_footer_facts", "reading_column_pages", "readings", "anchors", "urls")


def old_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the crawl's tables (or views) and of the page cache, leads unpacked,
    sorted: what the migration must keep."""
    conn = sqlite3.connect(path)
    try:
        found = {t: sorted(conn.execute(f"select * from {t}"), key=repr) for t in OLD_KEYS}
        found["page_cache"] = sorted(_cache_rows(conn), key=repr)
        return found
    finally:
        conn.close()


def without_later_rows(path: Path) -> None:
    """Empty the tables migrations after compact storage made (attachments), which the old
    layout lacks: what a database of that layout holds once upgraded."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            for table in LATER_TABLES:
                conn.execute(f"delete from {table}")
    finally:
        conn.close()


def to_old_layout(path: Path) -> None:
    """Turn the database at *path* (of this version) into one of the layout before compact
    storage, holding the same rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("begin")
        for table, key in OLD_KEYS.items():
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            conn.execute(f"create table _old_{table} ({', '.join(columns)}, "
                         f"primary key ({', '.join(key)}))")
            conn.execute(f"insert into _old_{table} select * from {table}")
            conn.execute(f"drop view {table}")
        conn.execute("create table _old_page_cache (url text primary key, site_id text, "
                     "etag text, last_modified text, reading_key text, scan_id integer, "
                     "leads text)")
        conn.executemany("insert into _old_page_cache values (?, ?, ?, ?, ?, ?, ?)",
                         _cache_rows(conn))
        # the attachments, messages and decisions came after compact storage: that layout
        # had none of them
        for view in LATER_VIEWS:
            conn.execute(f"drop view {view}")
        for table in (*LATER_TABLES, *COMPACT, "page_cache"):
            conn.execute(f"drop table {table}")
        for table in (*OLD_KEYS, "page_cache"):
            conn.execute(f"alter table _old_{table} rename to {table}")
        position = [m.name for m in MIGRATIONS].index(MIGRATION)
        conn.executemany("delete from _migrations where name = ?",
                         [(m.name,) for m in MIGRATIONS[position:]])
        conn.execute(f"PRAGMA user_version = {position}")
        conn.execute("commit")
    finally:
        conn.close()


def _cache_rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """The page cache's rows, leads unpacked (as JSON text, as they were stored before)."""
    return [(*row[:-1], unpack_leads(row[-1])) for row in conn.execute(
        "select url, site_id, etag, last_modified, reading_key, scan_id, leads from page_cache")]
