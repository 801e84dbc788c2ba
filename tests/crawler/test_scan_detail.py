"""Dropping a scan's detail: its per-page rows go, its summary and everything else stays, and
what no scan refers to any more is deleted with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from support.scanbuilder import ScanBuilder, home_url

from govwatch.core.compact import Ids
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.crawler import store
from govwatch.rules.engine import evaluate_scan

DETAIL = ("pages", "links", "items", "page_texts", "link_checks", "column_pages",
          "footer_facts")
SUMMARY = ("scans", "scan_sites", "columns", "findings", "evaluations")
STORE = ("urls", "anchors", "readings", "reading_links", "reading_items",
         "reading_footer_facts", "reading_column_pages")
HOME = "http://a.gov.cn/"
ARTICLE = HOME + "news/1.html"


def rows(path: Path, tables: tuple[str, ...], scan_id: int) -> dict[str, list[tuple]]:
    """The rows of *scan_id* in each of *tables*, sorted."""
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(
            f"select * from {t} where {'id' if t == 'scans' else 'scan_id'} = ?", [scan_id]),
            key=repr) for t in tables}
    finally:
        conn.close()


def counts(path: Path, tables: tuple[str, ...]) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


def two_built_scans(path: Path) -> tuple[int, int]:
    """Two evaluated scans of one site with a column, a text page, links and a check, each
    page's rows written row by row."""
    scan_ids = []
    for _ in range(2):
        scan = ScanBuilder(path)
        column = scan.column("a", "通知公告", "notice-policy", ["2026-11-20", "2026-11-01"])
        scan.page("a", home_url("a") + "jggk/", title="机构概况", text="本局职责")
        scan.link("a", home_url("a"), column, "通知公告")
        scan.link("a", home_url("a"), home_url("a") + "gone.html", "失效", result="broken",
                  status=404)
        scan.complete()
        scan.db.close()
        assert evaluate_scan(path, scan.scan_id)["findings"]  # the broken link, at least
        scan_ids.append(scan.scan_id)
    return scan_ids[0], scan_ids[1]


def test_dropping_a_scans_detail_keeps_its_summary_and_the_other_scan(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    one, two = two_built_scans(path)
    kept = rows(path, DETAIL, two)
    assert all(kept.values()), kept  # every detail view has rows to keep
    assert all(rows(path, DETAIL, one).values())  # and to drop
    summary = rows(path, SUMMARY, one)
    assert all(summary.values()), summary
    db = open_db(path)
    deleted = store.drop_scan_detail(db, [one])
    db.close()
    assert not any(rows(path, DETAIL, one).values())
    assert deleted["scan_pages"] == len(rows(path, ("scan_pages",), two)["scan_pages"])
    assert deleted["readings"] > 0  # each page's rows written by hand are its own
    assert rows(path, SUMMARY, one) == summary
    assert rows(path, DETAIL, two) == kept


def test_dropping_no_scan_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    one, two = two_built_scans(path)
    before = {s: rows(path, DETAIL, s) for s in (one, two)}
    db = open_db(path)
    assert store.drop_scan_detail(db, []) == {}
    db.close()
    assert {s: rows(path, DETAIL, s) for s in (one, two)} == before


def read_page(db: Any, scan_id: int, url: str, text: str, links: list[str]) -> None:
    """Store *url* as the writer does a page it read: one reading, with its links."""
    ids = Ids(db.conn)
    with db.conn:
        store.write_readings(db, scan_id, [{
            "pages": [{"site_id": "a", "url": url, "status": 200, "kind": "html",
                       "depth": 1, "title": text}],
            "page_texts": [{"site_id": "a", "url": url, "text": text}],
            "links": [{"site_id": "a", "source_url": url, "target_url": t,
                       "anchor_text": "链接", "kind": "page"} for t in links],
        }], ids)


FIRST = ("第一版", [HOME, HOME + "old.html"])
SECOND = ("第二版", [HOME])  # changed, one link gone


def scans_of_article(db: Any, *versions: tuple[str, list[str]]) -> list[int]:
    """One scan a version (text, link targets) of the article, each read as the writer
    stores it; the scans' ids."""
    site = Site(id="a", name="甲", url=HOME, unit="甲单位")
    scan_ids = []
    for number, (text, links) in enumerate(versions):
        scan_ids.append(store.start_scan(db, [site], f"2026-11-{number + 10}"))
        read_page(db, scan_ids[-1], ARTICLE, text, links)
    return scan_ids


def test_a_reading_another_scan_holds_stays_and_goes_with_the_last(tmp_path: Path) -> None:
    db = open_db(tmp_path / "g.db")
    one, two, three = scans_of_article(db, FIRST, FIRST, SECOND)  # the second unchanged
    assert counts(tmp_path / "g.db", ("readings",)) == {"readings": 2}
    first_links = rows(tmp_path / "g.db", ("links",), one)["links"]

    store.drop_scan_detail(db, [one])
    # the second scan holds the same reading: nothing of it goes
    assert counts(tmp_path / "g.db", ("readings", "reading_links")) == {
        "readings": 2, "reading_links": 3}
    assert [r[1:] for r in rows(tmp_path / "g.db", ("links",), two)["links"]] == [
        r[1:] for r in first_links]

    deleted = store.drop_scan_detail(db, [two])
    assert (deleted["readings"], deleted["reading_links"], deleted["anchors"],
            deleted["urls"]) == (1, 2, 1, 1)  # the first version; old.html no page links to
    conn = db.conn
    assert [r[0] for r in conn.execute("select url from urls order by url")] == [
        HOME, ARTICLE]
    assert [r[3:] for r in rows(tmp_path / "g.db", ("links",), three)["links"]] == [
        (HOME, "链接", "page")]
    store.drop_scan_detail(db, [three])
    assert counts(tmp_path / "g.db", STORE) == dict.fromkeys(STORE, 0)  # nothing left over
    db.close()


def test_a_scans_detail_is_counted_as_what_dropping_it_alone_deletes(tmp_path: Path) -> None:
    db = open_db(tmp_path / "g.db")
    one, two, _ = scans_of_article(db, FIRST, SECOND, SECOND)  # the third unchanged
    # scan one alone holds its reading (one row, two links); the others share theirs
    assert store.detail_size(db, one)[0] == 1 + 1 + 2
    assert store.detail_size(db, two)[0] == 1
    rows, size = store.detail_size(db, one)
    assert 0 < size < 1000
    deleted = store.drop_scan_detail(db, [one])
    assert sum(deleted[t] for t in ("scan_pages", "readings", "reading_links")) == rows
    db.close()
