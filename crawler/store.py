"""The crawl's SQL: a scan's life (start, running, failed, complete, pruned), its rows, the
replays of unchanged pages, the page cache, the coverage proof, and availability probes.

The writer process (:mod:`crawler.writer`) is the one writer of scan rows; the runner
opens, resumes and finishes scans; the probes write their own table; retention
(govwatch/prune.py) drops what a scan no longer needs to keep.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

import sqlite_utils

from govwatch.core import scans
from govwatch.core.compact import (
    PARTS,
    READING_VIEWS,
    Ids,
    Reading,
    analyze,
    drop_unreferenced,
    insert_parts,
    pack_leads,
    pack_text,
    store_readings,
    unpack_leads,
    unpack_text,
)
from govwatch.core.config import Site
from govwatch.core.schema import TABLES, WRITTEN_BY_CRAWL, now_iso
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


def write_rows(db: sqlite_utils.Database, table: str, rows: Iterable[Mapping[str, Any]],
               ids: Ids | None = None) -> None:
    """Insert or replace scan rows, each as a row of the view or table *table* names (a row
    of the same key is replaced, so a resumed scan does not duplicate it). The caller
    commits.

    The crawl's records that are no page reading come this way: pages it fetched without
    reading them (documents, failures), link checks, the page cache. Parts of a reading
    written row by row (links, items… of a page) go to that page's own reading in this scan,
    made for it if need be (:func:`_own_reading`); the writer stores a whole reading at once
    (:func:`write_readings`). *ids*: the writer's remembered keys.
    """
    if table not in WRITTEN_BY_CRAWL:
        raise ValueError(f"not a scan table: {table}")
    ids = ids or Ids(db.conn)
    if table == "pages":
        # an upsert: the reading a page already holds in this scan stays
        db.conn.executemany(_UPSERT_PAGE, (_page_values(row, ids) for row in rows))
    elif table == "link_checks":
        db.conn.executemany(
            "insert or replace into scan_link_checks (scan_id, target_id, result, "
            "status_code, error, final_url, redirects, checked_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            ([row["scan_id"], ids.url(row["target_url"]), *(row.get(c) for c in _CHECK_COLUMNS)]
             for row in rows))
    elif table == "documents":
        _write_documents(db.conn, rows, ids)
    elif table == "page_cache":
        db.conn.executemany(
            "insert or replace into page_cache (url, site_id, etag, last_modified, "
            "reading_key, scan_id, leads) values (?, ?, ?, ?, ?, ?, ?)",
            ([row["url"], row.get("site_id"), row.get("etag"), row.get("last_modified"),
              row.get("reading_key"), row.get("scan_id"), pack_leads(row.get("leads"))]
             for row in rows))
    else:
        _write_parts(db.conn, table, rows, ids)


def _write_documents(conn: sqlite3.Connection, rows: Iterable[Mapping[str, Any]],
                     ids: Ids) -> None:
    """Store each attachment a scan saw, and the content it holds: stored once by its hash
    (a content met again, in this scan or an earlier one, is not stored again)."""
    for row in rows:
        content_id = None
        if row.get("hash"):
            digest = bytes.fromhex(row["hash"])
            found = conn.execute("select id from document_contents where hash = ?",
                                 [digest]).fetchone()
            if found:
                content_id = found[0]
            elif row.get("parts") is not None:
                parts = row["parts"]
                content_id = conn.execute(
                    "insert into document_contents (hash, format, status, reason, pages, "
                    "chars, bytes) values (?, ?, ?, ?, ?, ?, ?)",
                    [digest, row.get("format"), row["status"], row.get("reason"), len(parts),
                     sum(len(text) for _, text in parts), row.get("size")]).lastrowid
                conn.executemany(
                    "insert into document_parts (content_id, part_no, label, chars, text) "
                    "values (?, ?, ?, ?, ?)",
                    ([content_id, number, label, len(text), pack_text(text)]
                     for number, (label, text) in enumerate(parts, start=1)))
        conn.execute(
            "insert or replace into scan_documents (scan_id, url_id, site_id, source_id, "
            "format, status, reason, content_id, etag, last_modified, fetched_at, "
            "revalidated, extracted) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row["scan_id"], ids.url(row["url"]), row["site_id"],
             ids.optional_url(row.get("source_url")), row.get("format"), row["status"],
             row.get("reason"), content_id, row.get("etag"), row.get("last_modified"),
             row.get("fetched_at"), row.get("revalidated") or 0, row.get("extracted") or 0])


_PAGE_COLUMNS = ("site_id", "status", "content_type", "kind", "title", "pub_date", "encoding",
                 "declared_encoding", "depth", "error", "fetched_at", "revalidated")
_CHECK_COLUMNS = ("result", "status_code", "error", "final_url", "redirects", "checked_at")
_UPSERT_PAGE = (
    f"insert into scan_pages (scan_id, url_id, {', '.join(_PAGE_COLUMNS)}) "
    f"values ({', '.join('?' * (len(_PAGE_COLUMNS) + 2))}) "
    "on conflict (scan_id, url_id) do update set "
    + ", ".join(f"{c} = excluded.{c}" for c in _PAGE_COLUMNS)
)


def _page_values(row: Mapping[str, Any], ids: Ids) -> list[Any]:
    """The values of a ``pages`` row for ``scan_pages`` (but its reading)."""
    revalidated = row.get("revalidated")
    return [row["scan_id"], ids.url(row["url"]),
            *(row.get(c) for c in _PAGE_COLUMNS[:-1]),
            0 if revalidated is None else revalidated]


def write_readings(db: sqlite_utils.Database, scan_id: int,
                   pages: Sequence[Mapping[str, Sequence[Mapping[str, Any]]]], ids: Ids) -> None:
    """Store pages the writer read in *scan_id*, each given as its rows by view name (its
    ``pages`` row, and its texts, links, items, footer facts, column page), its reading
    stored once whatever the number of pages and scans holding it
    (:func:`govwatch.core.compact.store_readings`). The caller commits."""
    readings = [Reading.from_rows(rows) for rows in pages]
    keys = iter(store_readings(db.conn, [r for r in readings if r is not None], ids))
    db.conn.executemany(
        f"insert or replace into scan_pages (scan_id, url_id, {', '.join(_PAGE_COLUMNS)}, "
        f"reading_id) values ({', '.join('?' * (len(_PAGE_COLUMNS) + 3))})",
        ([*_page_values({**rows["pages"][0], "scan_id": scan_id}, ids),
          None if reading is None else next(keys)]
         for rows, reading in zip(pages, readings, strict=True)))


def _write_parts(conn: sqlite3.Connection, table: str, rows: Iterable[Mapping[str, Any]],
                 ids: Ids) -> None:
    """Write rows of a reading view (links, items…), page by page, into the reading each
    page holds in its scan."""
    key = READING_VIEWS[table]
    by_page: dict[tuple[int, str], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_page[row["scan_id"], row[key]].append(row)
    for (scan_id, url), page_rows in by_page.items():
        reading_id, fresh = _own_reading(conn, scan_id, page_rows[0].get("site_id"),
                                         ids.url(url))
        reading = Reading.from_rows({table: page_rows})
        if table == "page_texts":
            conn.execute("update readings set text = ?, html = ? where id = ?",
                         [reading.text, reading.html, reading_id])
            continue
        if table == "links" and not fresh:  # a link to the same target replaces the old
            conn.executemany(
                "delete from reading_links where reading_id = ? and anchor_id in "
                "(select id from anchors where target_id = ?)",
                [(reading_id, ids.url(link[0])) for link in reading.links])
        insert_parts(conn, [(reading_id, reading)], ids, replace="or replace")


def _own_reading(conn: sqlite3.Connection, scan_id: int, site_id: str | None, url_id: int
                 ) -> tuple[int, bool]:
    """The reading page *url_id* holds in *scan_id* and no other page does, to add rows to:
    made (empty) when it holds none, copied when it holds a shared one. A page without a
    row yet gets one without a kind (no page, see schema.VIEWS). Its key, and whether it is
    new and empty."""
    row = conn.execute(
        "select p.reading_id, r.hash is not null from scan_pages p "
        "left join readings r on r.id = p.reading_id where p.scan_id = ? and p.url_id = ?",
        [scan_id, url_id]).fetchone()
    if row is not None and row[0] is not None and not row[1]:
        return row[0], False
    reading_id = conn.execute("insert into readings (hash) values (null)").lastrowid
    if row is None:
        conn.execute("insert into scan_pages (scan_id, url_id, site_id, reading_id) "
                     "values (?, ?, ?, ?)", [scan_id, url_id, site_id, reading_id])
        return reading_id, True
    conn.execute("update scan_pages set reading_id = ? where scan_id = ? and url_id = ?",
                 [reading_id, scan_id, url_id])
    if row[0] is None:
        return reading_id, True
    shared = row[0]
    conn.execute("update readings set (text, html) = (select text, html from readings "
                 "where id = ?) where id = ?", [shared, reading_id])
    for part in PARTS:
        columns = [c for c in TABLES[part]["columns"] if c != "reading_id"]
        conn.execute(f"insert into {part} (reading_id, {', '.join(columns)}) "
                     f"select ?, {', '.join(columns)} from {part} where reading_id = ?",
                     [reading_id, shared])
    return reading_id, False


def has_footer_facts(db: sqlite_utils.Database, scan_id: int, url: str) -> bool:
    """Whether the reading of *url* stored in *scan_id* holds footer facts (its footer was
    sampled)."""
    return db.conn.execute(
        "select 1 from urls u join scan_pages p on p.scan_id = ? and p.url_id = u.id "
        "join reading_footer_facts f on f.reading_id = p.reading_id where u.url = ? limit 1",
        [scan_id, url]).fetchone() is not None


def replay_readings(
    db: sqlite_utils.Database, scan_id: int, replays: Sequence[tuple[str, int, str]],
) -> int:
    """Let *scan_id* hold the stored readings of *replays* (url, the scan that holds its
    reading, fetched_at): each page's row is copied, marked ``revalidated``, and refers to
    the same reading (nothing of the reading is copied); point their ``page_cache`` rows at
    *scan_id*. Return the pages replayed. The caller commits.

    Set-based, whatever the batch's size: the batch goes into a temp table and one
    ``insert … select`` copies the rows, driven from the batch (``cross join`` fixes
    SQLite's loop order), so each page is found through its key.
    """
    db.conn.execute(
        "create temp table if not exists replay_batch "
        "(url text primary key, from_scan integer, fetched_at text)"
    )
    db.conn.execute("delete from temp.replay_batch")  # left over if a copy failed midway
    db.conn.executemany("insert or replace into temp.replay_batch values (?, ?, ?)", replays)
    columns = [c for c in TABLES["scan_pages"]["columns"] if c != "scan_id"]
    fresh = {"fetched_at": "b.fetched_at", "revalidated": "1"}
    copied = db.conn.execute(
        f"insert or replace into scan_pages (scan_id, {', '.join(columns)}) "
        f"select ?, {', '.join(fresh.get(c, f'p.{c}') for c in columns)} "
        "from temp.replay_batch b cross join urls u on u.url = b.url "
        "cross join scan_pages p on p.scan_id = b.from_scan and p.url_id = u.id "
        "order by p.url_id",
        [scan_id],
    ).rowcount
    # the reading now lives in this scan too: the next scan refers to it from here
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

    Set-based SQL over the compact tables (targets by their keys), so it costs the same
    whether a site has a hundred pages or a hundred thousand. The column's name, class and
    role come from its first list page. The store's statistics are taken afresh for the
    rules that read the scan next (:func:`govwatch.core.compact.analyze`).
    """
    with db.conn:
        db.execute("delete from columns where scan_id = ?", [scan_id])
        db.execute(
            """
            with walked as (
                select p.site_id, c.*
                from scan_pages p join reading_column_pages c on c.reading_id = p.reading_id
                where p.scan_id = :scan),
            listed as (
                select i.column_url_id, max(i.date) as newest, count(distinct i.url_id) as n
                from scan_pages p join reading_items i on i.reading_id = p.reading_id
                where p.scan_id = :scan and i.column_url_id is not null
                group by i.column_url_id)
            insert into columns (scan_id, site_id, url, name, name_source, class, role,
                                 empty_note, newest_date, item_count, pages_walked)
            select :scan, first.site_id, u.url, first.name, first.name_source, first.class,
                   first.role, first.empty_note, listed.newest, coalesce(listed.n, 0),
                   (select count(*) from walked w where w.column_url_id = first.column_url_id)
            from walked first join urls u on u.id = first.column_url_id
            left join listed on listed.column_url_id = first.column_url_id
            where first.page_no = (select min(page_no) from walked w
                                    where w.column_url_id = first.column_url_id)
            group by first.column_url_id
            """,
            {"scan": scan_id},
        )
        db.execute(
            """
            with targets(site_id, target_id) as (
                select distinct p.site_id, a.target_id
                from scan_pages p join reading_links l on l.reading_id = p.reading_id
                join anchors a on a.id = l.anchor_id
                where p.scan_id = :scan)
            update scan_sites set
              pages = (select count(*) from scan_pages p
                        where p.scan_id = scan_sites.scan_id and p.site_id = scan_sites.site_id
                          and p.kind is not null),
              columns = (select count(*) from columns c
                          where c.scan_id = scan_sites.scan_id
                            and c.site_id = scan_sites.site_id),
              discovered = (select count(*) from targets t
                             where t.site_id = scan_sites.site_id),
              unsettled = case when :verify then
                (select count(*) from targets t
                  where t.site_id = scan_sites.site_id
                    and not exists (select 1 from scan_link_checks c
                                     where c.scan_id = :scan and c.target_id = t.target_id)
                    and not exists (select 1 from scan_pages p
                                     where p.scan_id = :scan and p.url_id = t.target_id
                                       and p.kind is not null))
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
        analyze(db.conn)
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


def document_inventory(
    db: sqlite_utils.Database, scan_id: int, site_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The attachments one scan read (or tried to), ordered by site and URL: the page that
    links each, its format, status and reason, pages (or sheets) and characters read."""
    where, params = scans.of_scan_and_sites(scan_id, site_ids)
    return list(db.query(
        "select site_id as site, url, source_url, format, status, reason, pages, chars "
        f"from documents where {where} order by site_id, url", params))


def document_text(db: sqlite_utils.Database, scan_id: int, url: str
                  ) -> tuple[dict[str, Any], list[tuple[str, str]]] | None:
    """The attachment at *url* as scan *scan_id* holds it: its inventory row (as
    :func:`document_inventory`'s) and the (label, text) of each page or sheet, in order
    (none when its text was not read); None when the scan has no such attachment."""
    rows = list(db.query(
        "select site_id as site, url, source_url, format, status, reason, pages, chars "
        "from documents where scan_id = ? and url = ?", [scan_id, url]))
    if not rows:
        return None
    parts = [(row["label"], unpack_text(row["text_zlib"]) or "") for row in db.query(
        "select label, text_zlib from document_pages where scan_id = ? and url = ? "
        "order by part_no", [scan_id, url])]
    return rows[0], parts


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


# A scan's own detail rows, each table with the column naming its URL.
_DETAIL_KEYS = {"scan_pages": "url_id", "scan_link_checks": "target_id",
                "scan_documents": "url_id", "page_cache": "url"}


def _detail_rows(scan_ids: Sequence[int], spared: Sequence[str]) -> dict[str, tuple[str, list]]:
    """For each table of a scan's own detail, the ``where`` clause (and its parameters) of
    the rows of *scan_ids* but those of the URLs *spared*."""
    where, params = scans.of_scans(scan_ids)
    if not spared:
        return {table: (where, params) for table in _DETAIL_KEYS}
    marks = ", ".join("?" * len(spared))
    ids = f"(select id from urls where url in ({marks}))"
    return {table: (f"{where} and {key} not in {ids if key != 'url' else f'({marks})'}",
                    [*params, *spared])
            for table, key in _DETAIL_KEYS.items()}


def drop_scan_detail(db: sqlite_utils.Database, scan_ids: Sequence[int],
                     spared: Collection[str] = ()) -> dict[str, int]:
    """Delete the detail of scans *scan_ids* (their pages, and so the links, items, texts,
    column pages and footer facts they hold, and their link checks) and the ``page_cache``
    rows whose reading only they held, then every reading, anchor and URL nothing refers to
    any more; return the rows deleted, per table. In one transaction (a savepoint within the
    caller's), so a process killed midway leaves the database as it was.

    The URLs *spared* keep their rows (a page with its reading, a link target's check): what
    an active issue first or last seen in the scan names as its evidence, when retention
    trims a scan rather than dropping its detail.

    The summary of each scan stays: ``scans``, ``scan_sites``, ``columns``, ``findings``,
    ``evaluations``, and everything the tracker and bulletins keep (``issues``,
    ``issue_events``, ``tracked_scans``, ``bulletins``, ``bulletin_units``). A reading
    another scan holds stays too: an unchanged page's reading is one, whatever the scans.

    Run it while no scan writes (holding the scan lock, crawler/scanlock.py): a scan's
    writer remembers the keys of the URLs and anchors it met, some of which this may delete.
    """
    ids = sorted(set(scan_ids))
    if not ids:
        return {}
    deleted: dict[str, int] = {}
    with db.atomic():
        for table, (where, params) in _detail_rows(ids, sorted(set(spared))).items():
            deleted[table] = db.execute(f"delete from {table} where {where}", params).rowcount
        deleted.update(drop_unreferenced(db.conn))
    return deleted


def detail_size(db: sqlite_utils.Database, scan_id: int,
                spared: Collection[str] = ()) -> tuple[int, int]:
    """The rows :func:`drop_scan_detail` of *scan_id* alone deletes (sparing the URLs
    *spared*), and roughly their bytes (:func:`govwatch.core.scans.rows_and_bytes`): its page
    rows, link checks and page cache rows, and the readings no other scan holds, with their
    parts. A reading that only scans pruned together hold counts for none of them, and the
    URLs and anchors only such readings name are not counted either, so it errs low."""
    rows = size = 0
    detail = _detail_rows([scan_id], sorted(set(spared)))
    for table, (where, params) in detail.items():
        count, estimate = scans.rows_and_bytes_where(db, table, where, params)
        rows, size = rows + count, size + estimate
    # the attachments' contents (and texts) no other scan holds
    documents_where, documents_params = detail["scan_documents"]
    own = (f"select content_id from scan_documents where {documents_where} and content_id "
           "not in (select content_id from scan_documents where scan_id != ? "
           "and content_id is not null)")
    for table, key in (("document_contents", "id"), ("document_parts", "content_id")):
        count, estimate = scans.rows_and_bytes_where(db, table, f"{key} in ({own})",
                                                     [*documents_params, scan_id])
        rows, size = rows + count, size + estimate
    pages_where, pages_params = detail["scan_pages"]
    alone = (f"select reading_id from scan_pages where {pages_where} and reading_id not in "
             "(select reading_id from scan_pages where scan_id != ? and reading_id is not null)")
    for table in ("readings", *PARTS):
        key = "id" if table == "readings" else "reading_id"
        count, estimate = scans.rows_and_bytes_where(db, table, f"{key} in ({alone})",
                                                     [*pages_params, scan_id])
        rows, size = rows + count, size + estimate
    return rows, size


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


def document_cache(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Attachment URL → what the newest scan that read its content holds of it: validators
    (etag, last_modified), the content's ``hash`` (hex), format, status and reason, and the
    content type it was served with; for the next scan's conditional requests."""
    rows = conn.execute(
        """
        select u.url, d.etag, d.last_modified, lower(hex(c.hash)), c.format, c.status,
               c.reason, p.content_type
        from (select url_id, max(scan_id) as scan_id from scan_documents
              where content_id is not null group by url_id) newest
        join scan_documents d on d.url_id = newest.url_id and d.scan_id = newest.scan_id
        join urls u on u.id = d.url_id
        join document_contents c on c.id = d.content_id
        left join scan_pages p on p.scan_id = d.scan_id and p.url_id = d.url_id""")
    return {url: {"etag": etag, "last_modified": modified, "hash": digest, "format": kind,
                  "status": status, "reason": reason, "content_type": content_type}
            for url, etag, modified, digest, kind, status, reason, content_type in rows}


def stored_content(conn: sqlite3.Connection, digest: str) -> dict[str, Any] | None:
    """The format, status and reason of the stored attachment content of hash *digest*
    (hex), or None when none is stored."""
    row = conn.execute("select format, status, reason from document_contents where hash = ?",
                       [bytes.fromhex(digest)]).fetchone()
    return None if row is None else {"format": row[0], "status": row[1], "reason": row[2]}


def cached_page(conn: sqlite3.Connection, url: str, *, leads: bool = True) -> tuple | None:
    """The ``page_cache`` row of *url* (etag, last_modified, reading_key, scan_id, leads as
    JSON); without its leads (much the largest column) when *leads* is false."""
    row = conn.execute(
        f"select etag, last_modified, reading_key, scan_id, {'leads' if leads else 'null'} "
        "from page_cache where url = ?", [url]).fetchone()
    return None if row is None else (*row[:4], unpack_leads(row[4]))


def reading_stored(conn: sqlite3.Connection, scan_id: int, url: str) -> bool:
    """Whether *scan_id* still holds the row of *url* (and so its reading) to replay."""
    return conn.execute("select 1 from urls u join scan_pages p on p.scan_id = ? "
                        "and p.url_id = u.id where u.url = ?", [scan_id, url]).fetchone() \
        is not None


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
