"""The crawl's SQL: a scan's life (start, running, failed, complete, pruned), its rows, the
replays of unchanged pages, the page cache, the coverage proof, and availability probes.

The writer process (:mod:`crawler.writer`) is the one writer of scan rows; the runner
opens, resumes and finishes scans; the probes write their own table; retention
(govwatch/prune.py) drops what a scan no longer needs to keep.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import sqlite_utils

from govwatch.core import scans
from govwatch.core.config import Site
from govwatch.core.schema import SCANTABLES, TABLES, WRITTEN_BY_CRAWL, now_iso
from govwatch.core.vocabulary import (
    Pruned,
    ScanStatus,
    SiteStatus,
)


def start_scan(db: sqlite_utils.Database, sites: Sequence[Site], as_of: str) -> int:
    """Record the configured *sites* and a new running scan of them; return the scan id."""
    with db.conn:
        db["sites"].upsert_all(
            [{"id": s.id, "name": s.name, "url": s.url, "unit": s.unit, "region": s.region}
             for s in sites], pk="id"
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
    thousand. The column's name, class and role come from its first list page.
    """
    with db.conn:
        db.execute("delete from columns where scan_id = ?", [scan_id])
        db.execute(
            """
            insert into columns (scan_id, site_id, url, name, name_source, class, role,
                                 empty_note, newest_date, item_count, pages_walked)
            select first.scan_id, first.site_id, first.column_url, first.name,
                   first.name_source, first.class, first.role, first.empty_note,
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


def column_inventory(
    db: sqlite_utils.Database, scan_id: int, site_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The column inventory (栏目清单) of one scan, ordered by site and first list page."""
    where, params = scans.of_scan_and_sites(scan_id, site_ids)
    return list(
        db.query(
            "select site_id as site, name, class, url, newest_date, item_count as items, "
            f"pages_walked, role, empty_note from columns where {where} order by site_id, url",
            params,
        )
    )


def record_probes(
    db: sqlite_utils.Database, sites: Sequence[Site], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Record the configured *sites* and their probe *rows*, in one transaction."""
    with db.atomic():
        db["sites"].upsert_all(
            [{"id": s.id, "name": s.name, "url": s.url, "unit": s.unit, "region": s.region}
             for s in sites], pk="id"
        )
        db["probes"].insert_all(rows)


# Retention (govwatch/prune.py). Each runs inside the caller's transaction and never
# commits: a scan is pruned whole or not at all.


def drop_scan_detail(db: sqlite_utils.Database, scan_ids: Sequence[int]) -> None:
    """Delete the per-scan detail of *scan_ids*: pages, links, items, texts, link checks,
    column pages and footer facts; and the ``page_cache`` rows whose reading lived there
    (the next scan asks for those pages afresh instead of finding no reading to replay).

    The one function retention calls to drop detail; a storage layout of its own replaces
    it, keeping its contract: inside the caller's transaction, never committing.
    """
    where, params = scans.of_scans(scan_ids)
    for table in (*sorted(SCANTABLES), "page_cache"):
        db.execute(f"delete from {table} where {where}", params)


def drop_scan_summary(db: sqlite_utils.Database, scan_ids: Sequence[int]) -> None:
    """Delete what the crawl summed up of *scan_ids*: each site's status and counts, and the
    columns (the rules' findings and evaluation are theirs to drop)."""
    where, params = scans.of_scans(scan_ids)
    for table in ("columns", "scan_sites"):
        db.execute(f"delete from {table} where {where}", params)


def drop_scan(db: sqlite_utils.Database, scan_id: int) -> None:
    """Delete the row of *scan_id*, once nothing else of it is left."""
    db.execute("delete from scans where id = ?", [scan_id])


def record_pruned(db: sqlite_utils.Database, scan: Mapping[str, Any], dropped: Pruned,
                  reason: str, rows: int, freed: int) -> None:
    """Record that retention dropped *dropped* of *scan* (its ``scans`` row) and why: the
    rows and the bytes of pages that freed add to those of an earlier prune of it."""
    db.execute(
        """
        insert into pruned_scans (scan_id, status, as_of, dropped, reason, rows, freed,
                                  pruned_at)
        values (:id, :status, :as_of, :dropped, :reason, :rows, :freed, :at)
        on conflict (scan_id) do update set
          dropped = excluded.dropped, reason = excluded.reason,
          rows = rows + excluded.rows, freed = freed + excluded.freed,
          pruned_at = excluded.pruned_at
        """,
        {"id": scan["id"], "status": scan["status"], "as_of": scan["as_of"],
         "dropped": dropped, "reason": reason, "rows": rows, "freed": freed, "at": now_iso()},
    )


# Read-only, from the crawl process while the reader writes (WAL lets both work at once).


def cached_page(conn: sqlite3.Connection, url: str, *, leads: bool = True) -> tuple | None:
    """The ``page_cache`` row of *url* (etag, last_modified, reading_key, scan_id, leads);
    without its leads (much the largest column) when *leads* is false."""
    return conn.execute(
        f"select etag, last_modified, reading_key, scan_id, {'leads' if leads else 'null'} "
        "from page_cache where url = ?", [url]).fetchone()


def reading_stored(conn: sqlite3.Connection, scan_id: int, url: str) -> bool:
    """Whether the rows of *url*'s reading in *scan_id* are still there to copy."""
    return conn.execute("select 1 from pages where scan_id = ? and url = ?",
                        [scan_id, url]).fetchone() is not None


def fetched_without_reading(conn: sqlite3.Connection, scan_id: int) -> Iterator[str]:
    """URLs *scan_id* fetched that have no reading of this scan to follow: documents,
    failures, error and non-HTML pages."""
    for (url,) in conn.execute(
            "select url from pages where scan_id = ? and url not in "
            "(select url from page_cache where scan_id = ?)", [scan_id, scan_id]):
        yield url


def settled_targets(conn: sqlite3.Connection, scan_id: int) -> Iterator[str]:
    """Link targets *scan_id* recorded, but those left for lack of budget (open to the next
    page that carries them)."""
    for (target,) in conn.execute(
            "select target_url from link_checks where scan_id = ? and not "
            "(result = 'skipped' and coalesce(error, '') = 'budget')", [scan_id]):
        yield target


def pages_per_site(conn: sqlite3.Connection, scan_id: int) -> dict[str, int]:
    """Pages *scan_id* stored, per site."""
    return dict(conn.execute(
        "select site_id, count(*) from pages where scan_id = ? group by site_id", [scan_id]))
