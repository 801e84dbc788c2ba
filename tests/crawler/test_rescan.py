"""Incremental re-scans (增量巡检), end to end on the fixture portals (127.0.0.1 only).

A page that did not change since the last scan answers its conditional request with 304 and
its stored reading is copied into the new scan (crawler/revalidate.py, crawler/writer.py):
the new scan must hold exactly the rows a full re-read would have written, and the same
findings. A changed page, a scan with revalidation switched off, and a cache entry whose
rows are gone all fall back to reading the page. The revalidation walk keeps to the crawl's
rules: per-host concurrency, robots.txt, the page budget.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.portals import PORTALS, copy_db, expected, scan, served_portals, write_sites

from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler.documents import READABLE_EXTENSIONS, extension
from govwatch.demo import server as portalserver
from govwatch.demo.server import PortalServer
from govwatch.rules.engine import evaluate_scan

# One request at a time. Which link first reaches a page decides its depth (hops), and hops
# is part of the reading key: with several requests in flight a neighbour article sometimes
# reaches the first item of a list's second page before the list page does (about one gbk
# scan in ten), so two scans would differ for reasons that have nothing to do with
# revalidation. On loopback the serial crawl is as fast.
SERIAL = {"CONCURRENT_REQUESTS": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
TRAP = "/calendar/"  # generated calendar pages: no file, no validators
DATAPROXY = "/module/web/jpage/dataproxy.jsp"  # generated answers to POSTs, read afresh

# The scan tables compared between two scans, with the columns that may differ.
COMPARED: dict[str, set[str]] = {
    "pages": {"scan_id", "fetched_at", "revalidated"},
    "links": {"scan_id"},
    "items": {"scan_id"},
    "column_pages": {"scan_id"},
    "columns": {"scan_id"},
    "page_texts": {"scan_id"},
    "link_checks": {"scan_id", "checked_at", "status_code"},
}
# Where a page's reading is stored once, whatever the scans holding it (govwatch.core.compact).
STORE = ("readings", "reading_links", "reading_items", "reading_footer_facts",
         "reading_column_pages")
# A page's reading, by table and the column naming the page (govwatch.db.replay_reading).
READING_TABLES = {
    "pages": "url", "page_texts": "url", "links": "source_url", "items": "page_url",
    "column_pages": "page_url", "footer_facts": "page_url",
}


# -- helpers ---------------------------------------------------------------------------


def connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


def rows(
    conn: sqlite3.Connection, table: str, scan_id: int, ignore: set[str] = frozenset(),
    where: str = "1 = 1", params: tuple = (),
) -> list[dict[str, Any]]:
    """The rows of *scan_id* in *table* without the *ignore*d columns, in a fixed order."""
    found = [
        {k: v for k, v in dict(r).items() if k not in ignore}
        for r in conn.execute(
            f"select * from {table} where scan_id = ? and ({where})", [scan_id, *params]
        )
    ]
    return sorted(found, key=lambda r: [repr(v) for v in r.values()])


def differences(first: list[dict], second: list[dict]) -> tuple[list[dict], list[dict]]:
    """(rows only in *first*, rows only in *second*): both empty when the scans agree."""
    return [r for r in first if r not in second], [r for r in second if r not in first]


def assert_tables_equal(conn: sqlite3.Connection, one: int, two: int) -> None:
    for table, ignore in COMPARED.items():
        first, second = rows(conn, table, one, ignore), rows(conn, table, two, ignore)
        assert first, table  # the comparison is not between two empty scans
        assert differences(first, second) == ([], []), table


def served_pages(conn: sqlite3.Connection, scan_id: int) -> set[str]:
    """HTML pages *scan_id* read from a served file: every 200 HTML page but the trap's and
    the Hanweb dataproxy's answers (asked for by POST, which is never conditional: a re-scan
    asks again)."""
    return {
        r["url"] for r in conn.execute(
            "select url from pages where scan_id = ? and kind = 'html' and status = 200 "
            "and instr(url, ?) = 0 and instr(url, ?) = 0", [scan_id, TRAP, DATAPROXY])
    }


def trap_pages(conn: sqlite3.Connection, scan_id: int) -> set[str]:
    return {
        r["url"] for r in conn.execute(
            "select url from pages where scan_id = ? and instr(url, ?) > 0", [scan_id, TRAP])
    }


def revalidated(conn: sqlite3.Connection, scan_id: int) -> dict[str, int]:
    """Each page of *scan_id* and whether its stored reading was reused (1) or not (0)."""
    return {
        r["url"]: r["flag"] for r in conn.execute(
            "select url, revalidated as flag from pages where scan_id = ?",
            [scan_id])
    }


def footer_by_page(conn: sqlite3.Connection, scan_id: int) -> dict[str, list[dict]]:
    by_page: dict[str, list[dict]] = {}
    for row in rows(conn, "footer_facts", scan_id, {"scan_id"}):
        by_page.setdefault(row["page_url"], []).append(row)
    return by_page


def homes(servers: dict[str, PortalServer]) -> dict[str, str]:
    return {name: server.url for name, server in servers.items()}


def findings(db: Path, scan_id: int) -> list[tuple]:
    evaluate_scan(db, scan_id)
    with connect(db) as conn:
        return sorted(
            (r["fingerprint"], r["rule_id"], r["subject_url"], r["detail"])
            for r in conn.execute("select * from findings where scan_id = ?", [scan_id])
        )


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, PortalServer]]:
    """The three fixture portals, served for this module only (test_scan counts the
    requests of the session's servers)."""
    with served_portals() as served:
        yield served


@pytest.fixture(scope="module")
def first(servers, tmp_path_factory) -> tuple[Path, Path, int]:
    """(sites file, database, scan id) of one complete first scan of the three portals."""
    work = tmp_path_factory.mktemp("rescan")
    sites = write_sites(work / "sites.yaml", servers)
    outcome = scan(sites, work / "first.db", settings=SERIAL)
    assert outcome.status is ScanStatus.COMPLETE
    return sites, work / "first.db", outcome.scan_id


# -- tests -----------------------------------------------------------------------------


def test_a_rescan_of_unchanged_portals_reuses_every_reading(first, servers, tmp_path):
    sites, first_db, one = first
    db = copy_db(first_db, tmp_path / "g.db")
    outcome = scan(sites, db, settings=SERIAL)
    assert outcome.status is ScanStatus.COMPLETE
    two = outcome.scan_id
    conn = connect(db)
    served, trap = served_pages(conn, one), trap_pages(conn, one)
    assert len(served) > 100 and trap  # the three portals, and the calendar was entered

    flags = revalidated(conn, two)
    # every page but the home pages, which Scrapy reads afresh after robots.txt
    assert {url for url, flag in flags.items() if flag} == served - set(homes(servers).values())
    assert {url: flags.get(url) for url in trap} == dict.fromkeys(trap, 0)

    assert_tables_equal(conn, one, two)
    # the home pages' raw HTML (rules read it) is copied with their text
    home_html = "select url, html from page_texts where scan_id = ? and url in (?, ?, ?)"
    first_html = dict(conn.execute(home_html, [one, *homes(servers).values()]).fetchall())
    assert set(first_html) == set(homes(servers).values())
    assert all(first_html.values())
    assert dict(conn.execute(home_html, [two, *homes(servers).values()]).fetchall()) == first_html

    # A revalidated page's own check is its 304, and so is an attachment's the first scan
    # read (asked again with its validators, crawler/attachments.py); every other check (a
    # spelling skipped for its session id among them) is as it was.
    unchanged = {r["url"] for r in conn.execute(
        "select url from documents where scan_id = ? and revalidated = 1", [two])}
    assert unchanged  # the portals' PDF and Word attachments
    before = {r["target_url"]: r for r in conn.execute(
        "select * from link_checks where scan_id = ?", [one])}
    after = {r["target_url"]: r["status_code"] for r in conn.execute(
        "select * from link_checks where scan_id = ?", [two])}
    assert after == {
        target: 304 if (flags.get(r["final_url"]) or target in unchanged)
        and r["result"] != "skipped" else r["status_code"]
        for target, r in before.items()
    }
    assert list(after.values()).count(304) == len(served) - len(servers) + len(unchanged)

    found = findings(db, one)
    assert found  # the fixture portals have problems to find
    assert findings(db, two) == found

    # A reused reading brings its footer identifiers: the pages sampled in the first scan
    # (the home page and the first GOVWATCH_FOOTER_SAMPLE inner pages read, per site) have
    # the same facts in the second, and no other page has any. (Trap pages are read afresh
    # in each scan, so whether they are sampled depends on the order pages are read in.)
    footers_one, footers_two = footer_by_page(conn, one), footer_by_page(conn, two)
    sampled = {url: facts for url, facts in footers_one.items() if url in served}
    assert set(sampled) >= set(homes(servers).values())
    assert {url: facts for url, facts in footers_two.items() if url in served} == sampled


def test_an_unchanged_rescan_stores_one_row_a_page_and_no_copy_of_its_reading(first, tmp_path):
    """A page that answered 304 costs the scan its row, which refers to the reading the
    first scan stored; nothing of the reading (text, links, items, footer facts, column) is
    stored again."""
    sites, first_db, one = first
    db = copy_db(first_db, tmp_path / "g.db")
    conn = connect(db)
    stored = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in STORE}
    conn.close()
    assert all(stored.values()), stored
    outcome = scan(sites, db, settings=SERIAL)
    assert outcome.status is ScanStatus.COMPLETE
    two = outcome.scan_id
    conn = connect(db)
    readings = {scan_id: dict(conn.execute(
        "select u.url, p.reading_id from scan_pages p join urls u on u.id = p.url_id "
        "where p.scan_id = ?", [scan_id]).fetchall()) for scan_id in (one, two)}
    replayed = {url for url, flag in revalidated(conn, two).items() if flag}
    assert len(replayed) > 100
    assert {url: readings[two][url] for url in replayed} == {
        url: readings[one][url] for url in replayed}
    # Pages read afresh (the home pages, the calendar trap's) hold the same reading again
    # when they read the same; a trap page may differ by its footer being read or not (the
    # crawl's order decides), and only such a reading is new.
    new = set(readings[two].values()) - set(readings[one].values())
    assert len(new) <= len(trap_pages(conn, one))
    marks = ", ".join(map(str, new)) or "null"
    grown = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] - stored[t]
             for t in STORE}
    assert grown == {"readings": len(new), **{t: conn.execute(
        f"select count(*) from {t} where reading_id in ({marks})").fetchone()[0]
        for t in STORE[1:]}}


def test_a_changed_page_is_read_afresh(tmp_path):
    portal = tmp_path / "trs"
    shutil.copytree(PORTALS / "trs", portal)
    listing = portal / "tzgg" / "index.html"
    tzgg = next(c for c in expected("trs")["columns"] if c["url"] == "/tzgg/")
    assert str(tzgg["newest_date"]) == "2026-11-18"
    db = tmp_path / "g.db"
    with PortalServer(portal) as server:
        sites = write_sites(tmp_path / "s.yaml", {"trs": server})
        one = scan(sites, db, settings=SERIAL).scan_id
        # 通知公告 publishes a newer notice: same size, later mtime (ETag and Last-Modified)
        html = listing.read_text(encoding="utf-8")
        assert html.count("<span>2026-11-18</span>") == 1
        listing.write_text(html.replace("<span>2026-11-18</span>", "<span>2026-11-23</span>"),
                           encoding="utf-8")
        mtime = listing.stat().st_mtime
        os.utime(listing, (mtime + 3600, mtime + 3600))
        two = scan(sites, db, settings=SERIAL).scan_id
        column = server.url + "tzgg/"
    conn = connect(db)
    changed = {url for url in served_pages(conn, one)
               if url in (column, column + "index.html")}
    assert changed == {column}
    flags = revalidated(conn, two)
    assert {url: flags[url] for url in changed} == {column: 0}
    assert {url for url, flag in flags.items() if flag} == \
        served_pages(conn, one) - changed - {server.url}

    newest = "select url, newest_date from columns where scan_id = ?"
    first_columns = dict(conn.execute(newest, [one]).fetchall())
    second_columns = dict(conn.execute(newest, [two]).fetchall())
    assert first_columns[column] == "2026-11-18"
    assert second_columns == {**first_columns, column: "2026-11-23"}
    dates = "select url, date from items where scan_id = ? and page_url = ?"
    assert dict(conn.execute(dates, [two, column]).fetchall()) == {
        **dict(conn.execute(dates, [one, column]).fetchall()),
        server.url + "tzgg/202611/t20261118_2632675.html": "2026-11-23",
    }


def test_without_revalidation_every_page_is_read_again(first, servers, tmp_path):
    sites, first_db, one = first
    db = copy_db(first_db, tmp_path / "g.db")
    outcome = scan(sites, db, settings={**SERIAL, "GOVWATCH_REVALIDATE": False})
    assert outcome.status is ScanStatus.COMPLETE
    two = outcome.scan_id
    conn = connect(db)
    flags = revalidated(conn, two)
    assert set(flags) == set(revalidated(conn, one))
    assert set(flags.values()) == {0}
    assert_tables_equal(conn, one, two)
    codes = "select target_url, status_code from link_checks where scan_id = ?"
    assert dict(conn.execute(codes, [two]).fetchall()) == dict(
        conn.execute(codes, [one]).fetchall())  # no 304: no conditional request was made

    # Footers are read on the home page and the first few inner pages of each site; which
    # inner pages come first is the crawl's order, not fixed: compare what does not vary.
    footers_one, footers_two = footer_by_page(conn, one), footer_by_page(conn, two)
    for home in homes(servers).values():
        assert footers_two[home] == footers_one[home]
    per_site = "select site_id, count(distinct page_url) from footer_facts where scan_id = ? " \
               "group by site_id"
    assert dict(conn.execute(per_site, [two]).fetchall()) == dict(
        conn.execute(per_site, [one]).fetchall())
    for url in footers_one.keys() & footers_two.keys():
        assert footers_two[url] == footers_one[url], url


def test_a_cache_entry_whose_rows_are_gone_reads_the_page_again(first, servers, tmp_path):
    sites, first_db, one = first
    db = copy_db(first_db, tmp_path / "g.db")
    column = servers["trs"].url + "tzgg/"  # 通知公告's list page, with items and links
    conn = connect(db)
    assert conn.execute("select scan_id from page_cache where url = ?", [column]).fetchone()[0] \
        == one
    stored = {table: rows(conn, table, one, {"scan_id"}, f"{key} = ?", (column,))
              for table, key in READING_TABLES.items()}
    assert all(stored[t] for t in ("pages", "page_texts", "links", "items", "column_pages"))
    with conn:  # the page's row, and with it the reading it held in that scan
        conn.execute("delete from scan_pages where scan_id = ? and url_id = "
                     "(select id from urls where url = ?)", [one, column])
    assert not any(rows(conn, table, one, {"scan_id"}, f"{key} = ?", (column,))
                   for table, key in READING_TABLES.items())
    conn.close()
    asked = len(servers["trs"].requests)

    outcome = scan(sites, db, settings=SERIAL)
    assert outcome.status is ScanStatus.COMPLETE
    two = outcome.scan_id
    # asked with its validators (304: nothing to reuse), then asked again without
    assert servers["trs"].requests[asked:].count(("GET", "/tzgg/")) == 2
    conn = connect(db)
    flags = revalidated(conn, two)
    assert flags[column] == 0
    assert {url for url, flag in flags.items() if flag} == \
        served_pages(conn, two) - {column} - set(homes(servers).values())
    ignore = {"scan_id", "fetched_at", "revalidated"}
    # Footer facts aside: whether an inner page's footer is read depends on how many were
    # read before it, and this page is read after the unchanged ones were replayed.
    for table, key in READING_TABLES.items():
        if table == "footer_facts":
            continue
        again = rows(conn, table, two, ignore, f"{key} = ?", (column,))
        assert again == [{k: v for k, v in r.items() if k not in ignore}
                         for r in stored[table]], table
    check = conn.execute("select result, status_code from link_checks "
                         "where scan_id = ? and target_url = ?", [two, column]).fetchone()
    assert tuple(check) == ("ok", 200)
    assert conn.execute("select scan_id from page_cache where url = ?", [column]).fetchone()[0] \
        == two


def test_the_walk_keeps_to_the_per_host_concurrency(first, servers, tmp_path, monkeypatch):
    """The walk's requests (the only conditional ones for pages) use
    CONCURRENT_REQUESTS_PER_DOMAIN and no more, and never overlap Scrapy's: the two take
    turns. The three portals share one host name, 127.0.0.1, and so one limit, as in
    Scrapy's download slots."""
    sites, first_db, _ = first
    db = copy_db(first_db, tmp_path / "g.db")
    in_flight = {True: 0, False: 0}  # conditional or not → requests not yet answered
    most: list[int] = [0]
    overlaps: list[str] = []
    lock = threading.Lock()
    handle = portalserver._Handler._handle

    def counted(handler, method: str) -> None:
        """Count the requests received and not yet answered: a client sends its next one
        only once it has an answer."""
        # the walk's: attachments are asked with their validators too, but by Scrapy
        conditional = ("If-None-Match" in handler.headers
                       and extension(handler.path) not in READABLE_EXTENSIONS)
        with lock:
            in_flight[conditional] += 1
            most[0] = max(most[0], in_flight[True])
            if in_flight[True] and in_flight[False]:
                overlaps.append(handler.path)
        time.sleep(0.005)  # long enough for requests to overlap
        with lock:
            in_flight[conditional] -= 1
        handle(handler, method)

    monkeypatch.setattr(portalserver._Handler, "_handle", counted)
    outcome = scan(sites, db, settings={"CONCURRENT_REQUESTS": 32,
                                        "CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    assert outcome.status is ScanStatus.COMPLETE
    conn = connect(db)
    assert sum(revalidated(conn, outcome.scan_id).values()) > 100
    assert most == [2]
    assert overlaps == []


def test_the_walk_obeys_robots_txt_as_it_stands_now(tmp_path):
    portal = tmp_path / "trs"
    shutil.copytree(PORTALS / "trs", portal)
    db = tmp_path / "g.db"
    with PortalServer(portal) as server:
        sites = write_sites(tmp_path / "s.yaml", {"trs": server})
        one = scan(sites, db, settings=SERIAL).scan_id
        # the portal closes 通知公告 to crawlers between the scans
        (portal / "robots.txt").write_text("User-agent: *\nDisallow: /tzgg/\n",
                                           encoding="utf-8")
        asked = len(server.requests)
        two = scan(sites, db, settings=SERIAL).scan_id
        second = server.requests[asked:]
    conn = connect(db)
    tzgg = {url for url in served_pages(conn, one) if "/tzgg/" in url}
    assert tzgg
    assert [path for _, path in second if path.startswith("/tzgg/")] == []
    errors = dict(conn.execute("select url, error from pages where scan_id = ?", [two]))
    assert {url: errors.get(url) for url in tzgg} == dict.fromkeys(tzgg, "robots.txt")
    assert sum(revalidated(conn, two).values()) > 20  # the rest of the site was revalidated


def test_the_walk_spends_the_sites_page_budget(first, servers, tmp_path):
    _, first_db, _ = first
    db = copy_db(first_db, tmp_path / "g.db")
    budget = 12
    # trs's pages all "changed": each is asked by the walk, answers 200 and is left to Scrapy,
    # and must spend the budget once, not twice
    with connect(db) as conn:
        conn.execute("update page_cache set etag = '\"changed\"', last_modified = null "
                     "where site_id = 'trs'")
    capped = write_sites(tmp_path / "capped.yaml", servers,
                         **{name: {"max_pages": budget} for name in servers})
    outcome = scan(capped, db, settings=SERIAL)
    assert outcome.status is ScanStatus.COMPLETE
    conn = connect(db)
    fetched = dict(conn.execute(
        "select site_id, count(*) from pages where scan_id = ? and status is not null "
        "group by site_id", [outcome.scan_id]))
    assert fetched == dict.fromkeys(servers, budget)  # no more, and none lost to the walk
    assert sum(revalidated(conn, outcome.scan_id).values()) >= budget


def test_an_unreadable_cache_entry_is_read_afresh_and_nothing_is_lost(first, servers, tmp_path):
    sites, first_db, one = first
    db = copy_db(first_db, tmp_path / "g.db")
    column = servers["trs"].url + "tzgg/"
    with connect(db) as conn:
        conn.execute("update page_cache set leads = '[not json' where url = ?", [column])
    outcome = scan(sites, db, settings=SERIAL)
    assert outcome.status is ScanStatus.COMPLETE
    two = outcome.scan_id
    conn = connect(db)
    flags = revalidated(conn, two)
    assert flags[column] == 0  # read again, by Scrapy
    assert {url for url, flag in flags.items() if flag} == \
        served_pages(conn, one) - {column} - set(homes(servers).values())
    assert_tables_equal(conn, one, two)
    assert conn.execute("select scan_id from page_cache where url = ?", [column]).fetchone()[0] \
        == two
