"""The scans every layer reads: which scan is complete, what one covered, the sites, what
retention pruned of them.

Part of the ground floor. The crawl writes scans (:mod:`crawler.store`); rules, reports and
the command line read them through these queries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from govwatch.core.vocabulary import (
    Pruned,
    ScanStatus,
)


def latest_complete_scan(db: sqlite_utils.Database) -> int | None:
    """Id of the newest complete scan, or None when no scan has completed."""
    row = next(
        db.query("select max(id) as id from scans where status = ?", [ScanStatus.COMPLETE])
    )
    return row["id"]


def site_summary(db: sqlite_utils.Database, scan_id: int) -> list[dict[str, Any]]:
    """Per site of one scan: status, pages (and how many were unchanged since the last scan
    that read them), columns, newest item date, link targets discovered and unsettled."""
    return list(
        db.query(
            """
            select s.site_id as site, s.status,
                   -- counted at the end of a crawl; an interrupted one has what it stored
                   coalesce(s.pages, (select count(*) from pages p
                                       where p.scan_id = s.scan_id
                                         and p.site_id = s.site_id)) as pages,
                   s.discovered, s.unsettled, s.capped,
                   (select count(*) from pages p where p.scan_id = s.scan_id
                     and p.site_id = s.site_id and p.revalidated = 1) as unchanged,
                   s.columns,
                   (select max(newest_date) from columns c
                     where c.scan_id = s.scan_id and c.site_id = s.site_id) as newest_date,
                   s.error
            from scan_sites s where s.scan_id = ? order by s.site_id
            """,
            [scan_id],
        )
    )


def scan_row(db: sqlite_utils.Database, scan_id: int) -> dict[str, Any] | None:
    """The ``scans`` row of *scan_id*, or None when there is no such scan."""
    rows = list(db.query("select * from scans where id = ?", [scan_id]))
    return rows[0] if rows else None


def latest_complete_scan_on(db: sqlite_utils.Database, day: str) -> int | None:
    """Id of the newest complete scan judged on or before *day* (YYYY-MM-DD), or None."""
    row = next(db.query(
        "select max(id) as id from scans where status = ? and as_of <= ?",
        [ScanStatus.COMPLETE, day],
    ))
    return row["id"]


def sites_by_id(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Every known site (id, name, url, unit), by id."""
    return {row["id"]: row for row in db.query("select * from sites order by id")}


def of_scan_and_sites(scan_id: int, site_ids: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """A ``where`` clause and its parameters for the rows of one scan, of *site_ids* only
    when any are given (a table with ``scan_id`` and ``site_id`` columns)."""
    where, params = "scan_id = ?", [scan_id, *site_ids]
    if site_ids:
        where += f" and site_id in ({', '.join('?' for _ in site_ids)})"
    return where, params


def of_scans(scan_ids: Sequence[int]) -> tuple[str, list[int]]:
    """A ``where`` clause and its parameters for the rows of *scan_ids* (a table with a
    ``scan_id`` column)."""
    return f"scan_id in ({', '.join('?' for _ in scan_ids)})", [int(i) for i in scan_ids]


def all_scans(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every scan (id, status, as_of, started_at), newest first."""
    return list(db.query("select id, status, as_of, started_at from scans order by id desc"))


def pruned_scans(db: sqlite_utils.Database) -> dict[int, Pruned]:
    """What retention dropped of each scan it pruned, by scan id."""
    return {row["scan_id"]: Pruned(row["dropped"])
            for row in db.query("select scan_id, dropped from pruned_scans")}


def pruned(db: sqlite_utils.Database | sqlite3.Connection, scan_id: int) -> Pruned | None:
    """What retention dropped of *scan_id*, or None when it is whole. Takes a read-only
    connection too (the rules' view)."""
    row = db.execute("select dropped from pruned_scans where scan_id = ?", [scan_id]).fetchone()
    return Pruned(row[0]) if row else None


# How many of a scan's rows are read to estimate their size: enough for a fair average.
_SAMPLE = 1000


def rows_and_bytes(db: sqlite_utils.Database, table: str, scan_id: int) -> tuple[int, int]:
    """How many rows *table* holds of *scan_id* (a ``scan_id`` column), and roughly how many
    bytes they take: their count times the average stored length of up to a thousand of
    them, counting each column and each index entry (their keys). B-tree pages' own
    overhead and free space are not counted, so it errs low."""
    return rows_and_bytes_where(db, table, "scan_id = ?", [scan_id])


def rows_and_bytes_where(db: sqlite_utils.Database, table: str, where: str,
                         params: Sequence[Any]) -> tuple[int, int]:
    """:func:`rows_and_bytes` of the rows of *table* that *where* (SQL, with *params*)
    picks."""
    count = db.execute(f"select count(*) from [{table}] where {where}", params).fetchone()[0]
    if not count:
        return 0, 0
    average = db.execute(
        f"select avg({_stored_length(db, table)}) from "
        f"(select * from [{table}] where {where} limit {_SAMPLE})", params).fetchone()[0]
    return count, round(count * (average or 0))


def _stored_length(db: sqlite_utils.Database, table: str) -> str:
    """SQL for the bytes one row of *table* stores: its columns, and its columns again in
    each index holding them."""
    columns = [row[1] for row in db.execute(f"pragma table_info([{table}])")]
    for (index,) in db.execute(f"select name from pragma_index_list('{table}')"):
        columns += [row[2] for row in db.execute(f"pragma index_info([{index}])") if row[2]]
    return " + ".join(f"coalesce(length(cast([{c}] as blob)), 0)" for c in columns)
