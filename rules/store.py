"""The rules' SQL: the findings of a scan and the evaluation that made them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlite_utils

from govwatch.core import scans


def write_findings(
    db: sqlite_utils.Database, scan_id: int, rows: Iterable[Mapping[str, Any]],
    evaluation: Mapping[str, Any],
) -> None:
    """Replace the findings of *scan_id* with *rows* and record the *evaluation* (as_of,
    packs, evaluated_at) that produced them, in one transaction."""
    rows = list(rows)
    with db.conn:
        db.execute("delete from findings where scan_id = ?", [scan_id])
        db["findings"].insert_all(rows, batch_size=500)
        db["evaluations"].insert(
            {**evaluation, "scan_id": scan_id, "findings": len(rows)}, replace=True
        )


def evaluation_of(db: sqlite_utils.Database, scan_id: int) -> dict[str, Any] | None:
    """The ``evaluations`` row of *scan_id*, or None when its rules have not run."""
    rows = list(db.query("select * from evaluations where scan_id = ?", [scan_id]))
    return rows[0] if rows else None


def findings_of(
    db: sqlite_utils.Database, scan_id: int, site_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The findings of one scan for people and tools: site, rule, severity, url (the
    subject), source_url, title, detail, evidence, points, pack, pack_version, fingerprint;
    ordered by site, rule and url."""
    where, params = scans.of_scan_and_sites(scan_id, site_ids)
    return list(
        db.query(
            "select site_id as site, rule_id as rule, severity, subject_url as url, source_url, "
            "title, detail, evidence, points, pack, pack_version, fingerprint "
            f"from findings where {where} order by site_id, rule_id, subject_url",
            params,
        )
    )


def drop_findings(db: sqlite_utils.Database, scan_ids: Sequence[int]) -> None:
    """Delete the findings and evaluation of *scan_ids* (retention: a scan older than the
    summary window). Inside the caller's transaction; never commits."""
    where, params = scans.of_scans(scan_ids)
    for table in ("findings", "evaluations"):
        db.execute(f"delete from {table} where {where}", params)
