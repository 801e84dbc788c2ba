"""Compact storage of the crawl's detail: each URL once, each distinct reading of a page once.

Part of the ground floor (it imports nothing of govwatch), so that the crawl's writer
(:mod:`crawler.store`) and the migration of older databases (:mod:`govwatch.core.migrations`)
store readings the same way. The tables are :mod:`govwatch.core.schema`'s:

- ``urls``: every URL once, under an integer key the other tables use;
- ``anchors``: every link as printed (target, anchor text, kind) once: a portal's menu and
  footer links are the same on every page, so a page's links are a few numbers;
- ``readings``: what reading a page produced, once per distinct content, found again by a
  hash of that content: its text (and the home page's HTML), with its links
  (``reading_links``), dated items (``reading_items``), footer facts (``reading_footer_facts``),
  for a list page, its column (``reading_column_pages``), and the dated records it
  publishes: a board's messages (``reading_messages``), a 双公示 list's decisions
  (``reading_decisions``);
- ``scan_pages``: a page as one scan fetched it (status, title, when…) and the reading it
  holds. A page that did not change since the last scan refers to the same reading: an
  unchanged re-scan stores one row a page, not a copy of its links, items and text.

A reading written row by row (a test's, or a piece added to a page) has no hash: it belongs
to its one page and is never shared. Texts stay plain text, so the views of the schema read
them in any SQL tool; only the page cache's leads, which the crawl alone reads, are
compressed (:func:`pack_leads`), and an attachment's texts, which can be long
(:func:`pack_text`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The columns of each part of a reading, as the rows of the views name them; the first of
# each names the part's row within its page.
LINK_COLUMNS = ("target_url", "anchor_text", "kind")
ITEM_COLUMNS = ("url", "column_url", "title", "date")
FOOTER_COLUMNS = ("kind", "raw", "value", "valid", "problem", "link", "note")
COLUMN_PAGE_COLUMNS = ("column_url", "page_no", "name", "name_source", "class", "role",
                       "empty_note", "item_count")
MESSAGE_COLUMNS = ("url", "title", "asked", "answered", "status", "board")
DECISION_COLUMNS = ("url", "title", "kind", "decided", "published")
# The views whose rows are parts of a page's reading, each with the column naming the page.
READING_VIEWS = {"page_texts": "url", "links": "source_url", "items": "page_url",
                 "footer_facts": "page_url", "column_pages": "page_url",
                 "messages": "page_url", "decisions": "page_url"}
# The tables of a reading's parts, each keyed by reading_id first.
PARTS = ("reading_links", "reading_items", "reading_footer_facts", "reading_column_pages",
         "reading_messages", "reading_decisions")
# Keys remembered in memory, at most (some megabytes); then the memory starts again, and
# the menu and footer links every page repeats are soon back in it.
_REMEMBERED = 100_000


def _plain(value: Any) -> Any:
    """A value as SQLite gives it back: booleans are integers."""
    return int(value) if isinstance(value, bool) else value


def _part(rows: Iterable[Mapping[str, Any]] | None, columns: Sequence[str]) -> tuple:
    """Rows as tuples of *columns*, one per key (the first column; a later row replaces an
    earlier one, as a row written again does), in key order."""
    keyed = {row[columns[0]]: tuple(_plain(row.get(c)) for c in columns) for row in rows or ()}
    return tuple(keyed[key] for key in sorted(keyed))


@dataclass(frozen=True)
class Reading:
    """What reading one page produced, in a form that compares and hashes by content."""

    text: str | None = None
    html: str | None = None
    links: tuple[tuple[Any, ...], ...] = ()  # LINK_COLUMNS
    items: tuple[tuple[Any, ...], ...] = ()  # ITEM_COLUMNS
    footer: tuple[tuple[Any, ...], ...] = ()  # FOOTER_COLUMNS
    column: tuple[Any, ...] | None = None  # COLUMN_PAGE_COLUMNS
    messages: tuple[tuple[Any, ...], ...] = ()  # MESSAGE_COLUMNS
    decisions: tuple[tuple[Any, ...], ...] = ()  # DECISION_COLUMNS

    @classmethod
    def from_rows(cls, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> Reading | None:
        """The reading in one page's rows, by view name (:data:`READING_VIEWS`); None when
        they hold none (a document, a failure, an error page)."""
        if not any(rows.get(view) for view in READING_VIEWS):
            return None
        texts = rows.get("page_texts") or [{}]
        columns = rows.get("column_pages")
        return cls(
            text=texts[-1].get("text"), html=texts[-1].get("html"),
            links=_part(rows.get("links"), LINK_COLUMNS),
            items=_part(rows.get("items"), ITEM_COLUMNS),
            footer=_part(rows.get("footer_facts"), FOOTER_COLUMNS),
            column=_part(columns, COLUMN_PAGE_COLUMNS)[0] if columns else None,
            messages=_part(rows.get("messages"), MESSAGE_COLUMNS),
            decisions=_part(rows.get("decisions"), DECISION_COLUMNS),
        )

    def digest(self) -> bytes:
        """A hash of the content: equal readings, equal digests."""
        content = [self.text, self.html, self.links, self.items, self.footer, self.column]
        if self.messages or self.decisions:  # a reading without them hashes as before
            content += [self.messages, self.decisions]
        data = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
        return hashlib.blake2b(data, digest_size=16).digest()


class Ids:
    """The integer keys of URLs and anchors, made the first time one is met.

    Remembered in memory for the connection's writer; a key made in a transaction that
    rolls back is gone from the database, so the caller calls :meth:`forget` then.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._urls: dict[str, int] = {}
        self._anchors: dict[tuple[int, str | None, str | None], int] = {}

    def forget(self) -> None:
        """Drop every key remembered (after a rollback)."""
        self._urls.clear()
        self._anchors.clear()

    def url(self, url: str) -> int:
        """The key of *url*."""
        key = self._urls.get(url)
        if key is None:
            row = self.conn.execute("select id from urls where url = ?", [url]).fetchone()
            key = row[0] if row else self.conn.execute(
                "insert into urls (url) values (?)", [url]).lastrowid
            if len(self._urls) >= _REMEMBERED:
                self._urls.clear()
            self._urls[url] = key
        return key

    def optional_url(self, url: str | None) -> int | None:
        """The key of *url*, or None for none."""
        return None if url is None else self.url(url)

    def anchor(self, target: str, text: str | None, kind: str | None) -> int:
        """The key of the link to *target* printed as *text*, of *kind*."""
        spelled = (self.url(target), text, kind)
        key = self._anchors.get(spelled)
        if key is None:
            # "is": a link without text (NULL) is one anchor too, which a unique index
            # would not see
            row = self.conn.execute(
                "select id from anchors where target_id = ? and kind is ? and anchor_text is ?",
                [spelled[0], kind, text]).fetchone()
            key = row[0] if row else self.conn.execute(
                "insert into anchors (target_id, anchor_text, kind) values (?, ?, ?)",
                spelled).lastrowid
            if len(self._anchors) >= _REMEMBERED:
                self._anchors.clear()
            self._anchors[spelled] = key
        return key


def store_readings(conn: sqlite3.Connection, readings: Sequence[Reading], ids: Ids
                   ) -> list[int]:
    """The keys of *readings*, each stored unless an equal one is already: a reading met
    again (an unchanged page, a page read twice) costs one lookup. The caller commits."""
    keys = []
    parts: list[tuple[int, Reading]] = []
    for reading in readings:
        digest = reading.digest()
        row = conn.execute("select id from readings where hash = ?", [digest]).fetchone()
        if row is None:
            row = (conn.execute("insert into readings (hash, text, html) values (?, ?, ?)",
                                [digest, reading.text, reading.html]).lastrowid,)
            parts.append((row[0], reading))
        keys.append(row[0])
    insert_parts(conn, parts, ids)
    return keys


def insert_parts(conn: sqlite3.Connection, parts: Iterable[tuple[int, Reading]], ids: Ids,
                 *, replace: str = "") -> None:
    """Insert the links, items, footer facts and column of each (reading key, reading) of
    *parts*, one statement a table. *replace*: ``or replace``, to replace rows of the same
    key (a private reading written row by row)."""
    links, items, footer, columns, messages, decisions = [], [], [], [], [], []
    for key, reading in parts:
        links.extend((key, ids.anchor(*link)) for link in reading.links)
        items.extend((key, ids.url(url), ids.optional_url(column), title, day)
                     for url, column, title, day in reading.items)
        footer.extend((key, *fact) for fact in reading.footer)
        if reading.column is not None:
            columns.append((key, ids.url(reading.column[0]), *reading.column[1:]))
        messages.extend((key, ids.url(url), *rest) for url, *rest in reading.messages)
        decisions.extend((key, ids.url(url), *rest) for url, *rest in reading.decisions)
    for table, rows, width in (("reading_links", links, 2), ("reading_items", items, 5),
                               ("reading_footer_facts", footer, 8),
                               ("reading_column_pages", columns, 9),
                               ("reading_messages", messages, 7),
                               ("reading_decisions", decisions, 6)):
        if rows:
            conn.executemany(f"insert {replace} into {table} values "
                             f"({', '.join('?' * width)})", rows)


def pack_leads(leads: str | bytes | None) -> bytes | None:
    """The page cache's leads (JSON, five to six kilobytes a page) compressed, a fifth of
    that; bytes are taken as packed already."""
    if leads is None or isinstance(leads, bytes):
        return leads
    return zlib.compress(leads.encode(), 6)


def unpack_leads(leads: str | bytes | None) -> str | None:
    """The JSON of packed leads (text is taken as not packed)."""
    if leads is None or isinstance(leads, str):
        return leads
    return zlib.decompress(leads).decode()


# An attachment's page text is packed as the leads are: Chinese text of a page takes about
# half its UTF-8 bytes packed.
pack_text, unpack_text = pack_leads, unpack_leads


def analyze(conn: sqlite3.Connection) -> None:
    """Take the statistics SQLite plans queries with, from a sample of each index (a few
    milliseconds, whatever the size). Without them SQLite takes a scan's pages for few and
    reads every link of a scan to find the pages carrying one target, where the indexes
    lead straight to them (the link rules ask that of every broken link)."""
    conn.execute("PRAGMA analysis_limit = 400")
    conn.execute("ANALYZE")


def drop_unreferenced(conn: sqlite3.Connection) -> dict[str, int]:
    """Delete every reading no scan's page refers to any more, with its parts, and every
    attachment's content no scan's document holds, with its texts, then every anchor and URL
    nothing refers to any more; return the rows deleted, per table. The
    caller commits (in the transaction that dropped the references, so that none is left
    pointing nowhere).

    A sweep of the whole store, not only of what one prune let go: a reading replaced while
    a resumed scan read its page again, or a page's own copy (see ``crawler.store``), goes
    too. Readings and anchors are found unreferenced through indexes; URLs by reading every
    column that names one once, since not all of them are indexed.
    """
    deleted = {}
    conn.execute("create temp table if not exists gc_readings (id integer primary key)")
    conn.execute("delete from temp.gc_readings")
    conn.execute("insert into temp.gc_readings select id from readings r where not exists "
                 "(select 1 from scan_pages p where p.reading_id = r.id)")
    for table in PARTS:
        deleted[table] = conn.execute(f"delete from {table} where reading_id in "
                                      "(select id from temp.gc_readings)").rowcount
    deleted["readings"] = conn.execute(
        "delete from readings where id in (select id from temp.gc_readings)").rowcount
    conn.execute("delete from temp.gc_readings")
    # an attachment's content no scan's document holds any more, with its pages' texts
    conn.execute("insert into temp.gc_readings select id from document_contents c where not "
                 "exists (select 1 from scan_documents d where d.content_id = c.id)")
    deleted["document_parts"] = conn.execute(
        "delete from document_parts where content_id in (select id from temp.gc_readings)"
    ).rowcount
    deleted["document_contents"] = conn.execute(
        "delete from document_contents where id in (select id from temp.gc_readings)").rowcount
    conn.execute("delete from temp.gc_readings")
    deleted["anchors"] = conn.execute(
        "delete from anchors where not exists "
        "(select 1 from reading_links l where l.anchor_id = anchors.id)").rowcount
    deleted["urls"] = conn.execute(
        """
        delete from urls where id in (
            select id from urls
            except select url_id from scan_pages
            except select target_id from scan_link_checks
            except select target_id from anchors
            except select url_id from reading_items
            except select column_url_id from reading_items
            except select column_url_id from reading_column_pages
            except select url_id from scan_documents
            except select source_id from scan_documents
            except select url_id from reading_messages
            except select url_id from reading_decisions)
        """).rowcount
    return deleted

