"""The scans every layer reads: which scan is complete, what one covered, the sites.

Part of the ground floor. The crawl writes scans (:mod:`crawler.store`); rules, reports and
the command line read them through these queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

from govwatch.core.vocabulary import (
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
