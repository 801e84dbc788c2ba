"""Queries of the scan tables, the issues and the bulletins (being split by layer).

The schema lives in :mod:`govwatch.core.schema`, the values stored in columns in
:mod:`govwatch.core.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlite_utils

from govwatch.core.config import Site
from govwatch.core.schema import TABLES, WRITTEN_BY_CRAWL, now_iso
from govwatch.core.vocabulary import (
    ACTIVE_STATES,
    IssueState,
    LinkResult,
    ScanStatus,
    SiteStatus,
)


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


def fail_running_scans(db: sqlite_utils.Database) -> list[int]:
    """Mark failed every scan still ``running`` and return their ids. Called with the scan
    lock held (crawler/scanlock.py): no process of any scan is alive, so such a scan was left
    by one that died, and can only be resumed."""
    ids = [row["id"] for row in db.query("select id from scans where status = ? order by id",
                                         [ScanStatus.RUNNING])]
    for scan_id in ids:
        mark_scan(db, scan_id, ScanStatus.FAILED)
    return ids


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


def mark_site_capped(db: sqlite_utils.Database, scan_id: int, site_id: str) -> None:
    """Record that the site's page budget cut its crawl in this scan."""
    db.execute("update scan_sites set capped = 1 where scan_id = ? and site_id = ?",
               [scan_id, site_id])


def write_rows(db: sqlite_utils.Database, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert or replace scan rows; replacing keeps a resumed scan free of duplicates.

    One ``executemany`` per call: the crawl writes hundreds of rows a second, and building
    each statement per row (as sqlite-utils' ``insert_all`` does) cost a tenth of its time.
    """
    if table not in WRITTEN_BY_CRAWL:
        raise ValueError(f"not a scan table: {table}")
    columns = list(TABLES[table]["columns"])
    db.conn.executemany(
        f"insert or replace into {table} ({', '.join(columns)}) "
        f"values ({', '.join('?' * len(columns))})",
        ([row.get(column) for column in columns] for row in rows),
    )


# The scan tables that hold a page's reading, each with the column naming the page.
_READING_TABLES = {
    "pages": "url", "page_texts": "url", "links": "source_url", "items": "page_url",
    "column_pages": "page_url", "footer_facts": "page_url",
}


def has_footer_facts(db: sqlite_utils.Database, scan_id: int, url: str) -> bool:
    """Whether the reading of *url* stored in *scan_id* holds footer facts (its footer was
    sampled)."""
    return db.conn.execute(
        "select 1 from footer_facts where scan_id = ? and page_url = ? limit 1", [scan_id, url]
    ).fetchone() is not None


def replay_readings(
    db: sqlite_utils.Database, scan_id: int, replays: Sequence[tuple[str, int, str]],
) -> int:
    """Copy the stored readings of *replays* (url, the scan that holds its reading,
    fetched_at) into *scan_id*, pages marked ``revalidated``, and point their ``page_cache``
    rows at *scan_id*; return the pages copied. The caller commits.

    Set-based, whatever the batch's size: the batch goes into a temp table and each reading
    table gets one ``insert … select``, no row crossing into Python. The join is driven from
    the batch (``cross join`` fixes SQLite's loop order), so each page's rows are found
    through the table's primary key, and rows are inserted in primary-key order.
    """
    db.conn.execute(
        "create temp table if not exists replay_batch "
        "(url text primary key, from_scan integer, fetched_at text)"
    )
    db.conn.execute("delete from temp.replay_batch")  # left over if a copy failed midway
    db.conn.executemany("insert or replace into temp.replay_batch values (?, ?, ?)", replays)
    copied = 0
    for table, key in _READING_TABLES.items():
        columns = [c for c in TABLES[table]["columns"] if c != "scan_id"]
        fresh = {"fetched_at": "b.fetched_at", "revalidated": "1"} if table == "pages" else {}
        values = [fresh.get(c, f"t.{c}") for c in columns]
        order = [f"t.{c}" for c in TABLES[table]["pk"] if c != "scan_id"]
        cursor = db.conn.execute(
            f"insert or replace into {table} (scan_id, {', '.join(columns)}) "
            f"select ?, {', '.join(values)} from temp.replay_batch b "
            f"cross join {table} t on t.scan_id = b.from_scan and t.{key} = b.url "
            f"order by {', '.join(order)}",
            [scan_id],
        )
        if table == "pages":
            copied = cursor.rowcount
    # the reading now lives in this scan too: the next scan copies it from here
    db.conn.execute(
        "update page_cache set scan_id = ? where url in (select url from temp.replay_batch)",
        [scan_id],
    )
    db.conn.execute("delete from temp.replay_batch")
    return copied


def finalize_scan(db: sqlite_utils.Database, scan_id: int, *, verify_links: bool = True) -> int:
    """Aggregate columns from their list pages, count pages and columns per site, and prove
    the crawl whole: return how many discovered link targets are unsettled, in all sites.

    A link target is settled when this scan fetched it (``pages``) or recorded it
    (``link_checks``: checked, or skipped with a reason such as the page budget, a trap,
    robots.txt, an exclusion). A site with unsettled targets is ``partial``. With
    *verify_links* false (link checks switched off, so most targets are never recorded)
    nothing is counted unsettled.

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
              discovered = (select count(distinct target_url) from links l
                             where l.scan_id = scan_sites.scan_id
                               and l.site_id = scan_sites.site_id),
              unsettled = case when :verify then
                (select count(distinct l.target_url) from links l
                  where l.scan_id = scan_sites.scan_id and l.site_id = scan_sites.site_id
                    and not exists (select 1 from link_checks c
                                     where c.scan_id = l.scan_id
                                       and c.target_url = l.target_url)
                    and not exists (select 1 from pages p
                                     where p.scan_id = l.scan_id and p.url = l.target_url))
                else 0 end,
              -- judged afresh: a resumed scan settles what its last run left partial
              status = case when status in ('pending', 'partial') then 'ok' else status end
            where scan_id = :scan
            """,
            {"scan": scan_id, "verify": int(verify_links)},
        )
        db.execute(
            "update scan_sites set status = :partial "
            "where scan_id = :scan and unsettled > 0 and status = :ok",
            {"scan": scan_id, "partial": SiteStatus.PARTIAL, "ok": SiteStatus.OK},
        )
    row = db.execute("select coalesce(sum(unsettled), 0) from scan_sites where scan_id = ?",
                     [scan_id]).fetchone()
    return int(row[0])


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


# Issues, their audit trail and bulletins (written by reports/).


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


def scan_findings(db: sqlite_utils.Database, scan_id: int) -> list[dict[str, Any]]:
    """The findings of one scan, each with ``issue_id`` and ``issue_state`` when tracked."""
    return list(db.query(
        """
        select f.*, i.id as issue_id, i.state as issue_state
        from findings f left join issues i on i.fingerprint = f.fingerprint
        where f.scan_id = ? order by f.site_id, f.rule_id, f.fingerprint
        """,
        [scan_id],
    ))


def absent_covered_issues(db: sqlite_utils.Database, scan_id: int) -> list[dict[str, Any]]:
    """Active issues that scan *scan_id* covered but did not find again.

    Covered: the site answered and was crawled whole (``scan_sites.status = ok``, so not
    ``partial``) in that scan, and the issue's own subject page, or the page carrying its
    link (``source_url``), was fetched again in it and answered (status below 400). Never on
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
                       where p.scan_id = :scan and p.status < 400
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


# Findings (written by rules/).


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
    where, params = "scan_id = ?", [scan_id]
    if site_ids:
        where += f" and site_id in ({', '.join('?' for _ in site_ids)})"
        params += list(site_ids)
    return list(
        db.query(
            "select site_id as site, rule_id as rule, severity, subject_url as url, source_url, "
            "title, detail, evidence, points, pack, pack_version, fingerprint "
            f"from findings where {where} order by site_id, rule_id, subject_url",
            params,
        )
    )


# Availability probes (written by crawler/probe.py, read by rules/).


def record_probes(
    db: sqlite_utils.Database, sites: Sequence[Site], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Record the configured *sites* and their probe *rows*, in one transaction."""
    with db.atomic():
        db["sites"].upsert_all(
            [{"id": s.id, "name": s.name, "url": s.url, "unit": s.unit} for s in sites], pk="id"
        )
        db["probes"].insert_all(rows)
