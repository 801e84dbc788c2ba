"""The reports' SQL: issues across scans, their audit trail, tracked scans and bulletins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlite_utils

from govwatch.core.schema import now_iso
from govwatch.core.vocabulary import (
    ACTIVE_STATES,
    IssueState,
    LinkResult,
    SiteStatus,
)


def scan_findings(db: sqlite_utils.Database, scan_id: int) -> list[dict[str, Any]]:
    """The findings of one scan, each with ``issue_id`` and ``issue_state`` when tracked."""
    return list(db.query(
        """
        select f.*, i.id as issue_id, i.state as issue_state,
               i.prior_state as issue_prior_state, i.answered_at as issue_answered_at
        from findings f left join issues i on i.fingerprint = f.fingerprint
        where f.scan_id = ?
        -- by URL before fingerprint: a fingerprint holds the host's port, so ordering by it
        -- alone gave the demo's issues different numbers from one run to the next
        order by f.site_id, f.rule_id, f.subject_url, f.source_url, f.fingerprint
        """,
        [scan_id],
    ))


def absent_covered_issues(db: sqlite_utils.Database, scan_id: int) -> list[dict[str, Any]]:
    """Active issues that scan *scan_id* covered but did not find again.

    Covered: the site answered and was crawled whole (``scan_sites.status = ok``, so not
    ``partial``) in that scan, and the issue's own subject page, or the page carrying its
    link (``source_url``), was fetched again in it and answered (status below 400) with a
    page that was read: an error page answered with 200 (``pages.error`` soft-404) was not
    read, so what it said nothing about is not fixed on its strength. Never on
    the strength of the home page alone: a scan cut short fetches the home page and little
    else. A link target that scan skipped (budget, exclusion) was not judged, so it is not
    covered either. Only issues last seen in an earlier scan qualify. The caller checks that
    the scan is complete.
    """
    states = {f"s{n}": str(state) for n, state in enumerate(ACTIVE_STATES)}
    return list(db.query(
        f"""
        select i.* from issues i
        join scan_sites ss on ss.scan_id = :scan and ss.site_id = i.site_id
        where i.state in ({", ".join(f":{name}" for name in states)})
          and ss.status = :ok and i.last_seen_scan < :scan
          and not exists (select 1 from findings f
                           where f.scan_id = :scan and f.fingerprint = i.fingerprint)
          and exists (select 1 from pages p
                       where p.scan_id = :scan and p.status < 400 and p.error is null
                         and p.url in (i.subject_url, rtrim(i.subject_url, '/'),
                                       i.subject_url || '/', i.source_url))
          and not exists (select 1 from link_checks c
                           where c.scan_id = :scan and c.target_url = i.subject_url
                             and c.result = :skipped)
        order by i.id
        """,
        {"scan": scan_id, "ok": SiteStatus.OK, "skipped": LinkResult.SKIPPED, **states},
    ))


def get_issue(db: sqlite_utils.Database, issue_id: int) -> dict[str, Any] | None:
    """One issue row, or None."""
    rows = list(db.query("select * from issues where id = ?", [issue_id]))
    return rows[0] if rows else None


def list_issues(
    db: sqlite_utils.Database, states: Sequence[str] = (), site_id: str | None = None
) -> list[dict[str, Any]]:
    """Issues with their site's name and unit, by unit, site, rule and id; *states* and
    *site_id* narrow the list."""
    where, params = ["1 = 1"], []
    if states:
        where.append(f"i.state in ({', '.join('?' for _ in states)})")
        params += [str(s) for s in states]
    if site_id:
        where.append("i.site_id = ?")
        params.append(site_id)
    return list(db.query(
        f"""
        select i.*, s.name as site_name, coalesce(s.unit, s.name) as unit
        from issues i join sites s on s.id = i.site_id
        where {' and '.join(where)} order by unit, i.site_id, i.rule_id, i.id
        """,
        params,
    ))


def insert_issue(
    db: sqlite_utils.Database, row: Mapping[str, Any], event: Mapping[str, Any]
) -> int:
    """Create an issue and record its first event (no ``from_state``); return its id."""
    with db.atomic():
        issue_id = int(db["issues"].insert(dict(row)).last_pk)
        db["issue_events"].insert(
            {**event, "issue_id": issue_id, "from_state": None, "to_state": row["state"],
             "recorded_at": now_iso()}
        )
    return issue_id


def update_issue(db: sqlite_utils.Database, issue_id: int, fields: Mapping[str, Any]) -> None:
    """Update an issue's fields without a state change (no event: nothing changed hands)."""
    db["issues"].update(issue_id, {**fields, "updated_at": now_iso()})


def change_issue_state(
    db: sqlite_utils.Database, issue_id: int, to_state: IssueState, event: Mapping[str, Any],
    fields: Mapping[str, Any] | None = None,
) -> None:
    """Move an issue to *to_state* (with other *fields*) and record the change in the audit
    trail, in one transaction. *event* carries ``at``, ``cause`` and optionally ``scan_id``,
    ``bulletin``, ``actor`` and ``note``."""
    with db.atomic():
        from_state = db["issues"].get(issue_id)["state"]
        db["issues"].update(
            issue_id, {**(fields or {}), "state": to_state, "updated_at": now_iso()}
        )
        db["issue_events"].insert(
            {**event, "issue_id": issue_id, "from_state": from_state, "to_state": to_state,
             "recorded_at": now_iso()}
        )


def issue_events(db: sqlite_utils.Database, issue_id: int) -> list[dict[str, Any]]:
    """The audit trail of one issue, oldest first."""
    return list(db.query("select * from issue_events where issue_id = ? order by id", [issue_id]))


def issues_past_deadline(db: sqlite_utils.Database, day: str) -> list[dict[str, Any]]:
    """Open or claimed issues whose deadline is before *day* (YYYY-MM-DD)."""
    return list(db.query(
        "select * from issues where state in (?, ?) and deadline < ? order by id",
        [IssueState.OPEN, IssueState.CLAIMED, day],
    ))


def withdrawn_fingerprints(db: sqlite_utils.Database) -> set[str]:
    """Fingerprints an auditor withdrew: they never count again."""
    return {r["fingerprint"] for r in db.query(
        "select fingerprint from issues where state = ?", [IssueState.WITHDRAWN])}


def tracked_scan(db: sqlite_utils.Database, scan_id: int | None = None) -> dict[str, Any] | None:
    """The ``tracked_scans`` row of *scan_id*, or of the newest tracked scan when None."""
    if scan_id is None:
        rows = db.query("select * from tracked_scans order by scan_id desc limit 1")
    else:
        rows = db.query("select * from tracked_scans where scan_id = ?", [scan_id])
    return next(iter(rows), None)


def record_tracked_scan(db: sqlite_utils.Database, row: Mapping[str, Any]) -> None:
    """Remember that the tracker applied a scan, with its counts."""
    db["tracked_scans"].insert({**row, "tracked_at": now_iso()}, replace=True)


def bulletin(
    db: sqlite_utils.Database, day: str | None = None, before: str | None = None
) -> dict[str, Any] | None:
    """The bulletin published on *day*; or the newest one before *before*; or the newest."""
    if day is not None:
        rows = db.query("select * from bulletins where date = ?", [day])
    elif before is not None:
        rows = db.query(
            "select * from bulletins where date < ? order by number desc limit 1", [before])
    else:
        rows = db.query("select * from bulletins order by number desc limit 1")
    return next(iter(rows), None)


def insert_bulletin(
    db: sqlite_utils.Database, row: Mapping[str, Any], units: Iterable[Mapping[str, Any]]
) -> None:
    """Store a published bulletin and its per-unit counts."""
    with db.atomic():
        db["bulletins"].insert({**row, "published_at": now_iso()})
        db["bulletin_units"].insert_all(
            [{**u, "bulletin": row["number"]} for u in units], pk=("bulletin", "unit")
        )


def bulletin_unit_counts(
    db: sqlite_utils.Database, day: str, limit: int
) -> list[dict[str, Any]]:
    """Per-unit counts of the last *limit* bulletins published on or before *day*, oldest
    bulletin first."""
    return list(db.query(
        """
        select b.number, b.date, u.* from bulletin_units u
        join bulletins b on b.number = u.bulletin
        where b.number in (select number from bulletins where date <= ?
                           order by number desc limit ?)
        order by b.number, u.unit
        """,
        [day, limit],
    ))


def active_issue_scans(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Each active issue (id, state, the URLs it names: subject_url, source_url) with the
    scans it was first and last seen in: the scans whose detail of those URLs is its
    evidence (retention keeps it)."""
    states = [str(state) for state in ACTIVE_STATES]
    return list(db.query(
        f"select id, state, subject_url, source_url, first_seen_scan, last_seen_scan "
        f"from issues "
        f"where state in ({', '.join('?' for _ in states)}) order by id", states))


def bulletin_scans(db: sqlite_utils.Database, newest: int | None) -> list[dict[str, Any]]:
    """The bulletins (number, date, scan_id), newest first: the *newest* so many, or all
    when None."""
    limit = -1 if newest is None else newest  # SQLite: a negative limit is none
    return list(db.query("select number, date, scan_id from bulletins "
                         "order by number desc limit ?", [limit]))
