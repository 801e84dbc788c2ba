"""The database schema: the one module that owns every table, column and index.

Part of the ground floor (it imports nothing of govwatch). Each layer keeps the SQL of
what it reads and writes in a store module of its own. The schema stays
friendly to ad-hoc SQL and Datasette: plain tables, readable column names, foreign keys and
indexes on what is queried. Rows of one scan are keyed by ``scan_id``, so a running or
interrupted scan never hides the last complete one: readers ask for
:func:`latest_complete_scan`.

Migrations: :func:`open_db` brings every database to this schema. A new one is made from
``TABLES`` and ``INDEXES`` at once; one written by an earlier govwatch gets the named, ordered
migrations of :mod:`govwatch.core.migrations` it has not had, each once, in its own
transaction, recorded in ``_migrations`` (name, version, when), the newest one's version in
``PRAGMA user_version``. A database whose version or migrations are newer than this govwatch's
is refused untouched. To change the schema, change ``TABLES``/``INDEXES`` and append a
migration that makes the same change to a database of the schema before it (a test upgrades a
database of the previous release and compares it with a new one).

Tables (one row per …):
- ``sites``: configured site (id, name, url, unit, and the ``region`` its identifiers are
  checked against).
- ``scans``: scan run; ``status`` is ``running`` → ``complete`` | ``failed``.
- ``scan_sites``: site within a scan: how the home page answered (``ok``, ``unreachable``,
  ``robots_forbidden``; ``partial`` when the crawl did not settle every link target it
  discovered) and what was found: pages, columns, link targets discovered, and how many of
  those were ``unsettled`` (neither fetched nor recorded as checked or skipped), and whether
  the page budget ``capped`` the crawl.
- ``pages``: fetched URL (HTML page or document) with status, type, title, publication date,
  encoding; ``revalidated`` when the page answered 304 and its stored reading was reused.
- ``links``: (source page, target) pair with anchor text and link kind.
- ``column_pages``: list page of a column (栏目) as walked, with its page number.
- ``columns``: column of a site, aggregated from its list pages when the scan completes; its
  ``role`` (:class:`ColumnRole`: list, text page, hub, form) and the note it printed when it
  lists nothing (``empty_note``, the text as found: the rules judge whether it exempts).
- ``items``: dated entry (条目) of a list, with the page and the column it was listed on.
- ``footer_facts``: footer identifier (页面底部标识) of a page: raw text, value, valid or not
  (and why not), the link it is printed in, typographic remarks.
- ``page_texts``: visible text of an HTML page (for text rules), and the raw HTML of the home
  page.
- ``link_checks``: link target checked once per scan: result class (ok, broken, blocked,
  skipped), status code and/or error name (``crawler.linkcheck.CheckError``: ``not-found``,
  ``timeout``, ``redirect-loop``, ``rate-limited``, ``private-address``…), final URL and the
  number of redirects to it. ``target_url`` is spelled as in ``links`` (percent-encoded, as
  requested), so the two join.
- ``findings``: problem a rule found in one complete scan; ``fingerprint`` (site + rule +
  normalised subject) links the same problem across scans.
- ``evaluations``: last evaluation of a scan's rules: the date judged at, the packs and
  versions used, when, and how many findings (rules/ writes it with the findings).
- ``issues``: life of one fingerprint across scans (reports/): stable id, state
  (:class:`IssueState`), first and last seen, bulletin it was published in, deadline (限时整改),
  claim (认领), dispute, fix.
- ``issue_events``: audit trail: every state change of an issue, with its time, cause
  (:class:`IssueCause`), scan or bulletin, actor and note.
- ``tracked_scans``: complete scan whose findings the tracker has applied, with counts.
- ``bulletins``: published 纠错 bulletin (第N期): date, the scan it reports, and its content as
  JSON, so the same date always gives the same bulletin.
- ``bulletin_units``: per bulletin and unit: new, outstanding, overdue, unclaimed and fixed
  counts (the scorecard's trend chart reads them).
- ``page_cache``: the newest reading of each HTML page, across scans: its validators
  (ETag, Last-Modified) for the next scan's conditional request, the key of the request meta
  it was read under, the scan whose rows hold it, and its leads (crawler/pages/reading.py) as JSON.
- ``probes``: availability probe (可用性监测) of a site's home page, outside any scan: when
  (UTC, and the local ``day``), outcome (:class:`ProbeOutcome`), seconds, status or error
  (crawler/probe.py writes them; the rule ``site.availability`` reads them).
- ``pruned_scans``: scan retention pruned (govwatch/prune.py): its status and date, what was
  dropped (:class:`Pruned`) and why, the rows dropped, the bytes of pages that freed, when.
  Kept when a failed scan's own row goes, as the record that it was there.

Space: a new database frees pages incrementally (``PRAGMA auto_vacuum = INCREMENTAL``), so
a prune can hand back what it freed; ``govwatch prune`` switches an older one over with one
``VACUUM``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from govwatch.core.migrations import MIGRATIONS

TABLES: dict[str, dict[str, Any]] = {
    "sites": {
        "columns": {"id": str, "name": str, "url": str, "unit": str, "region": str},
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
            "pages": int, "columns": int, "discovered": int, "unsettled": int, "capped": int,
        },
        "pk": ("scan_id", "site_id"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "pages": {
        "columns": {
            "scan_id": int, "site_id": str, "url": str, "status": int, "content_type": str,
            "kind": str, "title": str, "pub_date": str, "encoding": str,
            "declared_encoding": str, "depth": int, "error": str, "fetched_at": str,
            "revalidated": int,
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
            "page_no": int, "name": str, "name_source": str, "class": str, "role": str,
            "empty_note": str, "item_count": int,
        },
        "pk": ("scan_id", "page_url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "columns": {
        "columns": {
            "scan_id": int, "site_id": str, "url": str, "name": str, "name_source": str,
            "class": str, "role": str, "empty_note": str, "newest_date": str,
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
            "value": str, "valid": int, "problem": str, "link": str, "note": str,
        },
        "pk": ("scan_id", "page_url", "kind"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "page_texts": {
        "columns": {"scan_id": int, "site_id": str, "url": str, "text": str, "html": str},
        "pk": ("scan_id", "url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "link_checks": {
        "columns": {
            "scan_id": int, "target_url": str, "result": str, "status_code": int,
            "error": str, "final_url": str, "redirects": int, "checked_at": str,
        },
        "pk": ("scan_id", "target_url"),
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    "findings": {
        "columns": {
            "scan_id": int, "site_id": str, "rule_id": str, "severity": str, "points": float,
            "subject_url": str, "source_url": str, "title": str, "detail": str,
            "evidence": str, "fingerprint": str, "pack": str, "pack_version": str,
        },
        "pk": ("scan_id", "fingerprint"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "evaluations": {
        "columns": {
            "scan_id": int, "as_of": str, "packs": str, "evaluated_at": str, "findings": int,
        },
        "pk": "scan_id",
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    # crawler/writer.py: what the next scan's conditional requests and 304s need.
    "page_cache": {
        "columns": {
            "url": str, "site_id": str, "etag": str, "last_modified": str,
            "reading_key": str, "scan_id": int, "leads": str,
        },
        "pk": "url",
    },
    # reports/: issues across scans, their audit trail, bulletins.
    "issues": {
        "columns": {
            "id": int, "fingerprint": str, "site_id": str, "rule_id": str, "severity": str,
            "points": float, "title": str, "subject_url": str, "source_url": str,
            "detail": str, "evidence": str, "state": str, "prior_state": str,
            "first_seen_scan": int, "first_seen_on": str, "last_seen_scan": int,
            "last_seen_on": str, "published_in": int, "published_on": str, "deadline": str,
            "deadline_estimated": int, "claimed_by": str, "claimed_at": str, "claim_note": str,
            "disputed_by": str, "dispute_reason": str, "fixed_scan": int, "fixed_on": str,
            "updated_at": str,
        },
        "pk": "id",
        "foreign_keys": [("site_id", "sites", "id")],
    },
    "issue_events": {
        "columns": {
            "id": int, "issue_id": int, "at": str, "recorded_at": str, "from_state": str,
            "to_state": str, "cause": str, "scan_id": int, "bulletin": int, "actor": str,
            "note": str,
        },
        "pk": "id",
        "foreign_keys": [("issue_id", "issues", "id")],
    },
    "tracked_scans": {
        "columns": {
            "scan_id": int, "as_of": str, "tracked_at": str, "seen": int, "found": int,
            "reopened": int, "fixed": int,
        },
        "pk": "scan_id",
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    "bulletins": {
        "columns": {
            "number": int, "date": str, "scan_id": int, "published_at": str, "content": str,
        },
        "pk": "number",
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    "bulletin_units": {
        "columns": {
            "bulletin": int, "unit": str, "new": int, "outstanding": int, "overdue": int,
            "unclaimed": int, "fixed": int,
        },
        "pk": ("bulletin", "unit"),
        "foreign_keys": [("bulletin", "bulletins", "number")],
    },
    # crawler/probe.py: availability probes, between scans.
    "probes": {
        "columns": {
            "id": int, "site_id": str, "url": str, "probed_at": str, "day": str,
            "outcome": str, "ok": int, "seconds": float, "status_code": int, "error": str,
        },
        "pk": "id",
        "foreign_keys": [("site_id", "sites", "id")],
    },
    # govwatch/prune.py: what retention dropped. No foreign key: the record outlives the
    # row of a failed scan dropped whole.
    "pruned_scans": {
        "columns": {
            "scan_id": int, "status": str, "as_of": str, "dropped": str, "reason": str,
            "rows": int, "freed": int, "pruned_at": str,
        },
        "pk": "scan_id",
    },
}

INDEXES: dict[str, list[list[str]]] = {
    "scans": [["status"]],
    "pages": [["scan_id", "site_id"]],
    "links": [["scan_id", "target_url"], ["scan_id", "site_id"]],
    "column_pages": [["scan_id", "column_url"]],
    "columns": [["scan_id", "site_id"]],
    "items": [["scan_id", "column_url"], ["scan_id", "site_id"]],
    "footer_facts": [["scan_id", "site_id"]],
    "page_texts": [["scan_id", "site_id"]],
    "link_checks": [["scan_id", "result"]],
    "findings": [["scan_id", "site_id"], ["scan_id", "rule_id"], ["fingerprint"]],
    "issues": [["fingerprint"], ["state"], ["site_id"]],
    "issue_events": [["issue_id"]],
    "bulletins": [["date"]],
    "probes": [["day", "site_id"]],
}

# Tables the crawl pipeline writes, and so the only ones a record may name.
SCANTABLES = frozenset(
    {"pages", "links", "column_pages", "items", "footer_facts", "page_texts", "link_checks"}
)
WRITTEN_BY_CRAWL = SCANTABLES | {"page_cache"}


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string, seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# The schema's version, kept in the database (PRAGMA user_version): the number of migrations
# this govwatch knows. A database is at the version of the newest migration applied to it; 0:
# one from before versions were recorded.
SCHEMA_VERSION = len(MIGRATIONS)

# The record of the migrations a database has had: name, version, when (see ensure_schema).
MIGRATIONS_TABLE = "_migrations"


class StoreError(Exception):
    """A database govwatch cannot use (not SQLite, not openable, written by a newer
    govwatch): str(e) is one line naming the file."""


class Store(sqlite_utils.Database):
    """The database, whose write transactions take the write lock when they begin.

    A deferred transaction (plain ``BEGIN``) that reads and then writes cannot wait for the
    lock in WAL mode: when another process committed after its read, SQLite answers
    "database is locked" at once, whatever the busy timeout. ``BEGIN IMMEDIATE`` waits (up
    to the busy timeout) before reading, so its reads are of the latest state.
    """

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """A transaction (a savepoint inside one) that holds the write lock from its start."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.rollback()  # a no-op when the error ended the transaction already
            raise


def schema_version(conn: sqlite3.Connection, path: str | Path) -> int:
    """The schema version of the database open on *conn* (at *path*); StoreError when the
    file is not a SQLite database or a newer govwatch wrote it (it is never read or
    written then)."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise _store_error(path, error) from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer govwatch (schema {version} > "
                         f"{SCHEMA_VERSION}); upgrade govwatch")
    return version


def _store_error(path: str | Path, error: sqlite3.Error) -> Exception:
    """The StoreError for a file SQLite cannot open or read as a database; *error* itself
    for anything else (a locked database is not the file's fault)."""
    if error.sqlite_errorcode == sqlite3.SQLITE_NOTADB:
        return StoreError(f"{path} is not a SQLite database")
    if error.sqlite_errorcode == sqlite3.SQLITE_CANTOPEN:
        return StoreError(f"{path}: cannot open the database there")
    return error


def open_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that can only read the database at *path*: for readers beside the one
    writer (WAL lets them work at once). The path goes in as a file URI, so a folder named
    with ``?`` or ``#`` cannot be taken for URI parameters."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("PRAGMA query_only = ON")
    return conn


def open_db(path: str | Path) -> Store:
    """Open (creating if needed) the govwatch database at *path*, in WAL mode with the schema.

    WAL lets a reader query (``govwatch columns``, Datasette) while a scan writes. StoreError
    for a file that is not a govwatch database this version can use.
    """
    try:
        db = Store(path)
        db.execute("PRAGMA busy_timeout = 10000")  # first: even switching to WAL may wait
        schema_version(db.conn, path)
        if db.execute("PRAGMA page_count").fetchone()[0] == 0:
            # a new file: only before its first page (WAL writes one) is this free
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        ensure_schema(db)
    except sqlite3.Error as error:  # one that opens but cannot be written, too (a read-only
        raise _store_error(path, error) from None  # folder: no WAL file beside it)
    return db


def ensure_schema(db: Store) -> list[str]:
    """Bring the database to this version's schema; return the names of the migrations it
    had now.

    A new database (no table of :data:`TABLES` in it) gets every table and index at once and
    records every migration as applied, since TABLES holds their changes. Any other database
    gets, in order, the migrations it has not had, each in a transaction of its own that also
    records it and sets the schema version. An up-to-date database is only read. StoreError
    when a migration recorded in the database is not one of this govwatch's.
    """
    names = [migration.name for migration in MIGRATIONS]
    applied = _applied(db)
    if applied == set(names):  # the usual case: no write, so no wait for a scan's write lock
        return []
    unknown = sorted(applied - set(names))
    if unknown:
        path = db.execute("PRAGMA database_list").fetchone()[2]
        raise StoreError(f"{path} was written by a newer govwatch (migration {unknown[0]} "
                         "unknown); upgrade govwatch")
    with db.atomic():
        # Checked under the write lock: another process may have just made the tables.
        if not any(db[name].exists() for name in TABLES):
            _create_schema(db)
            return []
    done = []
    for version, migration in enumerate(MIGRATIONS, start=1):
        with db.atomic():
            if migration.name in _applied(db):  # had before, or by another process meanwhile
                continue
            migration.apply(db)
            _record_migrations(db, [migration.name], version)
        done.append(migration.name)
    return done


def _applied(db: Store) -> set[str]:
    """The names of the migrations the database has had."""
    if not db[MIGRATIONS_TABLE].exists():
        return set()
    return {row[0] for row in db.execute(f"select name from {MIGRATIONS_TABLE}")}


def _create_schema(db: Store) -> None:
    """Make every table and index of a new database, and record every migration."""
    for name, spec in TABLES.items():
        db[name].create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"))
    for name, indexes in INDEXES.items():
        for columns in indexes:
            db[name].create_index(columns)
    _record_migrations(db, [migration.name for migration in MIGRATIONS], SCHEMA_VERSION)


def _record_migrations(db: Store, names: list[str], version: int) -> None:
    """Record *names* as applied now, and set the schema version to *version*."""
    db[MIGRATIONS_TABLE].create({"name": str, "version": int, "applied_at": str}, pk="name",
                                if_not_exists=True)
    at = now_iso()
    first = version - len(names) + 1
    db[MIGRATIONS_TABLE].insert_all(
        {"name": name, "version": number, "applied_at": at}
        for number, name in enumerate(names, start=first)
    )
    db.execute(f"PRAGMA user_version = {version}")
