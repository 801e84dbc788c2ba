"""The schema's history: named, ordered migrations from the previous release's schema.

Part of the ground floor (it imports nothing of govwatch). :mod:`govwatch.core.schema` holds
the schema as it is now (``TABLES``, ``INDEXES``) and applies these steps: a database written
by an earlier govwatch gets each migration it has not had, once, in order, each in its own
transaction, recorded in the table ``_migrations``; a new database is made from ``TABLES``
at once and records every migration as applied, since ``TABLES`` already holds their changes.

The first database these steps start from is one written by the release before migrations
(its ``open_db`` completed the schema of that release on every open, so any database it
opened holds all of it). A migration never changes once released: it spells out its own
columns instead of reading ``TABLES``, which moves on. Each one is idempotent too (it adds
only what is missing), because databases made between releases may hold its change already.

To change the schema: change ``TABLES``/``INDEXES``, then append a :class:`Migration` here
whose function makes that change to a database of the schema before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import sqlite_utils

from govwatch.core.compact import Ids, Reading, analyze, pack_leads, store_readings


class Migration(NamedTuple):
    """One step of the schema's history: a name (recorded once applied; never renamed) and
    the function that makes the change, inside a transaction it must not end.

    A migration that moves much data does it first in *step*s: each call does one bounded
    piece of the work in a transaction of its own and says what it did (a line of progress;
    None when nothing was left to do). So a migration killed midway keeps the pieces it
    committed and resumes after them; *apply* then finishes it, in the transaction that
    records it.
    """

    name: str
    apply: Callable[[sqlite_utils.Database], None]
    step: Callable[[sqlite_utils.Database], str | None] | None = None


def add_missing_columns(db: sqlite_utils.Database, table: str, columns: Mapping[str, type]) -> None:
    """Add those of *columns* (name → Python type) that *table* does not have yet (none when
    a later migration replaced the table: a database made since holds the change its way)."""
    if not db[table].exists():
        return
    have = db[table].columns_dict
    for column, kind in columns.items():
        if column not in have:
            db[table].add_column(column, kind)


def scan_sites_discovered_unsettled(db: sqlite_utils.Database) -> None:
    """``scan_sites.discovered`` and ``unsettled``: how many link targets a site's crawl
    discovered and how many of those it left unsettled (a scan is complete only when it
    settled them all)."""
    add_missing_columns(db, "scan_sites", {"discovered": int, "unsettled": int})


def scan_sites_capped(db: sqlite_utils.Database) -> None:
    """``scan_sites.capped``: whether the page budget cut the site's crawl."""
    add_missing_columns(db, "scan_sites", {"capped": int})


def column_roles(db: sqlite_utils.Database) -> None:
    """``kind`` becomes ``role`` in ``column_pages`` and ``columns``: besides lists and text
    pages (``page``, now ``text``) a column may be a hub or a form, and only lists are judged
    blank. The column keeps its place in the table."""
    for table in ("column_pages", "columns"):
        if not db[table].exists():  # replaced by compact_storage in a newer database
            continue
        have = db[table].columns_dict
        if "kind" in have and "role" not in have:
            db.execute(f"alter table [{table}] rename column kind to role")
        db.execute(f"update [{table}] set role = 'text' where role = 'page'")


def footer_facts_link_note(db: sqlite_utils.Database) -> None:
    """``footer_facts.link`` and ``note``: the link an identifier is printed in, and its
    typographic remarks (a missing 号, a space), which no longer make it malformed."""
    add_missing_columns(db, "footer_facts", {"link": str, "note": str})


def pruned_scans(db: sqlite_utils.Database) -> None:
    """``pruned_scans``: what retention dropped of each scan, and when (``govwatch
    prune``)."""
    db["pruned_scans"].create(
        {"scan_id": int, "status": str, "as_of": str, "dropped": str, "reason": str,
         "rows": int, "freed": int, "pruned_at": str},
        pk="scan_id", if_not_exists=True,
    )


def sites_region(db: sqlite_utils.Database) -> None:
    """``sites.region``: the division code of the site's area (the sites file's ``region``),
    which footer.mismatch checks the footer identifiers against."""
    add_missing_columns(db, "sites", {"region": str})


# compact_storage: the crawl's detail, from one row per scan, page and part (each link,
# item, text, footer fact with its URLs spelled out) to govwatch.core.compact's layout. The
# tables as this migration makes them; a database made since has them from TABLES.
_COMPACT_TABLES = (
    "CREATE TABLE IF NOT EXISTS [urls] ([id] INTEGER PRIMARY KEY, [url] TEXT)",
    "CREATE TABLE IF NOT EXISTS [anchors] ([id] INTEGER PRIMARY KEY, [target_id] INTEGER, "
    "[anchor_text] TEXT, [kind] TEXT)",
    "CREATE TABLE IF NOT EXISTS [readings] ([id] INTEGER PRIMARY KEY, [hash] BLOB, "
    "[text] TEXT, [html] TEXT)",
    "CREATE TABLE IF NOT EXISTS [reading_links] ("
    "[reading_id] INTEGER REFERENCES [readings]([id]), "
    "[anchor_id] INTEGER REFERENCES [anchors]([id]), "
    "PRIMARY KEY ([reading_id], [anchor_id])) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS [reading_items] ("
    "[reading_id] INTEGER REFERENCES [readings]([id]), [url_id] INTEGER, "
    "[column_url_id] INTEGER, [title] TEXT, [date] TEXT, "
    "PRIMARY KEY ([reading_id], [url_id])) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS [reading_footer_facts] ("
    "[reading_id] INTEGER REFERENCES [readings]([id]), [kind] TEXT, [raw] TEXT, "
    "[value] TEXT, [valid] INTEGER, [problem] TEXT, [link] TEXT, [note] TEXT, "
    "PRIMARY KEY ([reading_id], [kind])) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS [reading_column_pages] ("
    "[reading_id] INTEGER PRIMARY KEY REFERENCES [readings]([id]), [column_url_id] INTEGER, "
    "[page_no] INTEGER, [name] TEXT, [name_source] TEXT, [class] TEXT, [role] TEXT, "
    "[empty_note] TEXT, [item_count] INTEGER)",
    "CREATE TABLE IF NOT EXISTS [scan_pages] ("
    "[scan_id] INTEGER REFERENCES [scans]([id]), [url_id] INTEGER, "
    "[site_id] TEXT REFERENCES [sites]([id]), [status] INTEGER, [content_type] TEXT, "
    "[kind] TEXT, [title] TEXT, [pub_date] TEXT, [encoding] TEXT, "
    "[declared_encoding] TEXT, [depth] INTEGER, [error] TEXT, [fetched_at] TEXT, "
    "[revalidated] INTEGER, [reading_id] INTEGER REFERENCES [readings]([id]), "
    "PRIMARY KEY ([scan_id], [url_id])) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS [scan_link_checks] ("
    "[scan_id] INTEGER REFERENCES [scans]([id]), [target_id] INTEGER, [result] TEXT, "
    "[status_code] INTEGER, [error] TEXT, [final_url] TEXT, [redirects] INTEGER, "
    "[checked_at] TEXT, PRIMARY KEY ([scan_id], [target_id])) WITHOUT ROWID",
    # the page cache, its leads packed; renamed once filled
    "CREATE TABLE IF NOT EXISTS [_page_cache_compact] ([url] TEXT PRIMARY KEY, "
    "[site_id] TEXT, [etag] TEXT, [last_modified] TEXT, [reading_key] TEXT, "
    "[scan_id] INTEGER, [leads] BLOB)",
)
_COMPACT_INDEXES = (
    ("urls", ("url",), True), ("anchors", ("target_id", "kind", "anchor_text"), True),
    ("anchors", ("kind",), False),
    ("readings", ("hash",), True), ("reading_links", ("anchor_id",), False),
    ("reading_items", ("column_url_id",), False),
    ("reading_column_pages", ("column_url_id",), False),
    ("scan_pages", ("scan_id", "site_id"), False), ("scan_pages", ("reading_id",), False),
    ("scan_link_checks", ("scan_id", "result"), False),
)
# The tables of a page's reading before compact_storage, each with the column naming the page.
_PAGE_TABLES = {"pages": "url", "page_texts": "url", "links": "source_url",
                "items": "page_url", "footer_facts": "page_url", "column_pages": "page_url"}
_PAGE_COLUMNS = ("site_id", "status", "content_type", "kind", "title", "pub_date", "encoding",
                 "declared_encoding", "depth", "error", "fetched_at", "revalidated")
_CHECK_COLUMNS = ("result", "status_code", "error", "final_url", "redirects", "checked_at")
# Pages (or link checks, or page cache rows) moved a step: a few seconds of work, a few
# megabytes of memory.
_STEP = 2000


def _old_table(db: sqlite_utils.Database, name: str) -> bool:
    """Whether *name* is still a table (before compact_storage it is; after, a view or
    nothing)."""
    return db.execute("select 1 from sqlite_master where type = 'table' and name = ?",
                      [name]).fetchone() is not None


def compact_storage_step(db: sqlite_utils.Database) -> str | None:
    """Move the next piece of the crawl's detail to the compact tables, deleting it from the
    old ones in the same transaction: the compact tables first, then the lowest scan's
    pages (a few thousand at a time, each page's reading stored once for every scan holding
    it), then its link checks, scan after scan, then the page cache. Say what was moved;
    None when nothing was left."""
    if not db["scan_pages"].exists():
        for sql in _COMPACT_TABLES:
            db.execute(sql)
        for table, columns, unique in _COMPACT_INDEXES:
            db[table].create_index(columns, unique=unique, if_not_exists=True)
        return "compact tables made"
    old = [table for table in (*_PAGE_TABLES, "link_checks") if _old_table(db, table)]
    firsts = [db.execute(f"select min(scan_id) from [{table}]").fetchone()[0] for table in old]
    scans = [scan_id for scan_id in firsts if scan_id is not None]
    if scans:
        scan_id = min(scans)
        return (_move_pages(db, scan_id, [t for t in old if t in _PAGE_TABLES])
                or _move_link_checks(db, scan_id))
    return _move_page_cache(db)


def _move_pages(db: sqlite_utils.Database, scan_id: int, tables: list[str]) -> str | None:
    """Move the next pages of *scan_id* (by URL), with the rows of their readings; None
    when the scan has none left."""
    urls: set[str] = set()
    for table in tables:
        key = _PAGE_TABLES[table]
        urls.update(row[0] for row in db.execute(
            f"select distinct {key} from [{table}] where scan_id = ? order by {key} limit ?",
            [scan_id, _STEP]))
    if not urls:
        return None
    last = sorted(urls)[:_STEP][-1]
    pages: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for table in tables:
        key = _PAGE_TABLES[table]
        cursor = db.execute(f"select * from [{table}] where scan_id = ? and {key} <= ?",
                            [scan_id, last])
        names = [column[0] for column in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            pages[row[key]][table].append(row)
    ids = Ids(db.conn)
    readings = {url: Reading.from_rows(rows) for url, rows in pages.items()}
    keys = iter(store_readings(db.conn, [r for r in readings.values() if r is not None], ids))
    rows = []
    for url, by_table in pages.items():
        # a reading without its page row (written piecemeal) keeps the row without a kind
        page = (by_table.get("pages") or [{}])[0]
        site_id = page.get("site_id") or next(r for t in by_table.values() for r in t)["site_id"]
        rows.append([scan_id, ids.url(url), site_id,
                     *(page.get(column) for column in _PAGE_COLUMNS[1:]),
                     None if readings[url] is None else next(keys)])
    db.conn.executemany(
        f"insert or replace into scan_pages (scan_id, url_id, {', '.join(_PAGE_COLUMNS)}, "
        f"reading_id) values ({', '.join('?' * (len(_PAGE_COLUMNS) + 3))})", rows)
    for table in tables:
        db.execute(f"delete from [{table}] where scan_id = ? and {_PAGE_TABLES[table]} <= ?",
                   [scan_id, last])
    return f"scan {scan_id}: {len(rows)} pages moved"


def _move_link_checks(db: sqlite_utils.Database, scan_id: int) -> str:
    """Move the next link checks of *scan_id* (by target)."""
    cursor = db.execute("select * from link_checks where scan_id = ? order by target_url "
                        "limit ?", [scan_id, _STEP])
    names = [column[0] for column in cursor.description]
    checks = [dict(zip(names, values, strict=True)) for values in cursor]
    ids = Ids(db.conn)
    db.conn.executemany(
        f"insert or replace into scan_link_checks (scan_id, target_id, "
        f"{', '.join(_CHECK_COLUMNS)}) values ({', '.join('?' * (len(_CHECK_COLUMNS) + 2))})",
        ([scan_id, ids.url(c["target_url"]), *(c.get(n) for n in _CHECK_COLUMNS)]
         for c in checks))
    db.execute("delete from link_checks where scan_id = ? and target_url <= ?",
               [scan_id, checks[-1]["target_url"]])
    return f"scan {scan_id}: {len(checks)} link checks moved"


def _move_page_cache(db: sqlite_utils.Database) -> str | None:
    """Move the next rows of the page cache to its compact table, leads packed; None when
    none is left (or the cache is compact already)."""
    if not db["_page_cache_compact"].exists():
        return None
    rows = db.execute("select url, site_id, etag, last_modified, reading_key, scan_id, leads "
                      "from page_cache order by url limit ?", [_STEP]).fetchall()
    if not rows:
        return None
    db.conn.executemany("insert or replace into _page_cache_compact values (?, ?, ?, ?, ?, ?, ?)",
                        ([*row[:6], pack_leads(row[6])] for row in rows))
    db.execute("delete from page_cache where url <= ?", [rows[-1][0]])
    return f"page cache: {len(rows)} rows packed"


def compact_storage(db: sqlite_utils.Database) -> None:
    """Finish compact_storage once its steps have moved every row: drop the emptied
    tables (their views take the names, see ``schema.VIEWS``) and put the compact page
    cache in place."""
    for table in (*_PAGE_TABLES, "link_checks"):
        if _old_table(db, table):
            db.execute(f"drop table [{table}]")
    if db["_page_cache_compact"].exists():
        db.execute("drop table if exists page_cache")
        db.execute("alter table _page_cache_compact rename to page_cache")
    analyze(db.conn)  # statistics of the compact tables, for the queries of the views


def documents(db: sqlite_utils.Database) -> None:
    """``document_contents``, ``document_parts`` and ``scan_documents``: attachments read as
    text, each content once with its pages' texts, and the attachments each scan saw."""
    for sql in (
        "CREATE TABLE IF NOT EXISTS [document_contents] ([id] INTEGER PRIMARY KEY, "
        "[hash] BLOB, [format] TEXT, [status] TEXT, [reason] TEXT, [pages] INTEGER, "
        "[chars] INTEGER, [bytes] INTEGER)",
        "CREATE TABLE IF NOT EXISTS [document_parts] ("
        "[content_id] INTEGER REFERENCES [document_contents]([id]), [part_no] INTEGER, "
        "[label] TEXT, [chars] INTEGER, [text] BLOB, PRIMARY KEY ([content_id], [part_no]))",
        "CREATE TABLE IF NOT EXISTS [scan_documents] ("
        "[scan_id] INTEGER REFERENCES [scans]([id]), [url_id] INTEGER, "
        "[site_id] TEXT REFERENCES [sites]([id]), [source_id] INTEGER, [format] TEXT, "
        "[status] TEXT, [reason] TEXT, "
        "[content_id] INTEGER REFERENCES [document_contents]([id]), [etag] TEXT, "
        "[last_modified] TEXT, [fetched_at] TEXT, [revalidated] INTEGER, [extracted] INTEGER, "
        "PRIMARY KEY ([scan_id], [url_id])) WITHOUT ROWID",
    ):
        db.execute(sql)
    for table, columns, unique in (("document_contents", ("hash",), True),
                                   ("scan_documents", ("content_id",), False),
                                   ("scan_documents", ("url_id",), False)):
        db[table].create_index(columns, unique=unique, if_not_exists=True)


def kept_pages(db: sqlite_utils.Database) -> None:
    """``kept_bodies``, ``kept_shots``, ``kept_pages``: the pages (存证) and screenshots new
    and reopened issues were found on (govwatch/core/kept.py)."""
    db["kept_bodies"].create({"hash": str, "size": int, "body": bytes}, pk="hash",
                             if_not_exists=True)
    db["kept_shots"].create({"hash": str, "format": str, "width": int, "height": int,
                             "image": bytes}, pk="hash", if_not_exists=True)
    db["kept_pages"].create(
        {"issue_id": int, "scan_id": int, "url": str, "final_url": str, "status": int,
         "headers": str, "encoding": str, "fetched_at": str, "body_hash": str,
         "link_status": str, "locate": str, "kept_note": str, "shot_hash": str, "shot_note": str,
         "kept_at": str},
        pk=("issue_id", "scan_id"), foreign_keys=[("issue_id", "issues", "id")],
        if_not_exists=True,
    )
    db["kept_pages"].create_index(["body_hash"], if_not_exists=True)
    db["kept_pages"].create_index(["shot_hash"], if_not_exists=True)


def kept_styles(db: sqlite_utils.Database) -> None:
    """``kept_pages.styles``: the stylesheets kept with the page (JSON, URL → the hash of its
    body in ``kept_bodies``), so that its screenshot is drawn styled."""
    add_missing_columns(db, "kept_pages", {"styles": str})


def messages(db: sqlite_utils.Database) -> None:
    """``reading_messages`` and ``reading_decisions``: the dated records a page publishes,
    a 互动交流 board's messages and a 双公示 list's decisions (their views, ``messages`` and
    ``decisions``, are made with the others)."""
    db.execute("CREATE TABLE IF NOT EXISTS [reading_messages] ("
               "[reading_id] INTEGER REFERENCES [readings]([id]), [url_id] INTEGER, "
               "[title] TEXT, [asked] TEXT, [answered] TEXT, [status] TEXT, [board] TEXT, "
               "PRIMARY KEY ([reading_id], [url_id])) WITHOUT ROWID")
    db.execute("CREATE TABLE IF NOT EXISTS [reading_decisions] ("
               "[reading_id] INTEGER REFERENCES [readings]([id]), [url_id] INTEGER, "
               "[title] TEXT, [kind] TEXT, [decided] TEXT, [published] TEXT, "
               "PRIMARY KEY ([reading_id], [url_id])) WITHOUT ROWID")


# Append only: the position of a migration (from 1) is the schema version it brings a
# database to (PRAGMA user_version).
def platform_users(db: sqlite_utils.Database) -> None:
    """The 纠错 platform's tables (accounts, their units, sessions, sign-in attempts, answers
    and proof files) and the columns of an issue's 已整改 answer (who, when)."""
    add_missing_columns(db, "issues", {"answered_by": str, "answered_at": str})
    db["users"].create(
        {"id": int, "login": str, "password_hash": str, "role": str, "disabled": int,
         "created_at": str}, pk="id", if_not_exists=True)
    db["user_units"].create({"user_id": int, "unit": str}, pk=("user_id", "unit"),
                            foreign_keys=[("user_id", "users", "id")], if_not_exists=True)
    db["sessions"].create(
        {"token_hash": str, "user_id": int, "created_at": str, "expires_at": str},
        pk="token_hash", foreign_keys=[("user_id", "users", "id")], if_not_exists=True)
    db["login_attempts"].create(
        {"id": int, "login": str, "remote": str, "at": float, "ok": int}, pk="id",
        if_not_exists=True)
    db["answers"].create(
        {"id": int, "issue_id": int, "user_id": int, "at": str, "note": str}, pk="id",
        foreign_keys=[("issue_id", "issues", "id"), ("user_id", "users", "id")],
        if_not_exists=True)
    db["proof_files"].create(
        {"id": int, "answer_id": int, "issue_id": int, "stored_name": str,
         "original_name": str, "content_type": str, "size": int, "sha256": str}, pk="id",
        foreign_keys=[("answer_id", "answers", "id"), ("issue_id", "issues", "id")],
        if_not_exists=True)
    for table, columns, unique in (("users", ["login"], True), ("sessions", ["user_id"], False),
                                   ("login_attempts", ["login", "at"], False),
                                   ("answers", ["issue_id"], False),
                                   ("proof_files", ["issue_id"], False)):
        db[table].create_index(columns, unique=unique, if_not_exists=True)


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_scan_sites_discovered_unsettled", scan_sites_discovered_unsettled),
    Migration("0002_scan_sites_capped", scan_sites_capped),
    Migration("0003_column_roles", column_roles),
    Migration("0004_footer_facts_link_note", footer_facts_link_note),
    Migration("0005_pruned_scans", pruned_scans),
    Migration("0006_sites_region", sites_region),
    Migration("0007_compact_storage", compact_storage, compact_storage_step),
    Migration("0008_platform_users", platform_users),
    Migration("0009_documents", documents),
    Migration("0010_kept_pages", kept_pages),
    Migration("0011_messages", messages),
    Migration("0012_kept_styles", kept_styles),
)
