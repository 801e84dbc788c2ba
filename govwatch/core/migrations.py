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

from collections.abc import Callable, Mapping
from typing import NamedTuple

import sqlite_utils


class Migration(NamedTuple):
    """One step of the schema's history: a name (recorded once applied; never renamed) and
    the function that makes the change, inside a transaction it must not end."""

    name: str
    apply: Callable[[sqlite_utils.Database], None]


def add_missing_columns(db: sqlite_utils.Database, table: str, columns: Mapping[str, type]) -> None:
    """Add those of *columns* (name → Python type) that *table* does not have yet."""
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


# Append only: the position of a migration (from 1) is the schema version it brings a
# database to (PRAGMA user_version).
MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_scan_sites_discovered_unsettled", scan_sites_discovered_unsettled),
    Migration("0002_scan_sites_capped", scan_sites_capped),
    Migration("0003_column_roles", column_roles),
    Migration("0004_footer_facts_link_note", footer_facts_link_note),
    Migration("0005_pruned_scans", pruned_scans),
    Migration("0006_sites_region", sites_region),
)
