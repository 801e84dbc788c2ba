"""Schema migrations: a database written by the previous release opens, is upgraded once, and
loses nothing.

``fixtures/previous_release.db`` was written by the release before migrations (commit 5e6036b;
``fixtures/make_previous_release_db.py`` says how): a crawled portal, its evaluated findings,
tracked issues, a bulletin, a claim and a probe, so every table holds rows the old code wrote.
Each test works on a copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govwatch.cli import cli
from govwatch.core import schema
from govwatch.core.compact import unpack_leads
from govwatch.core.config import Site
from govwatch.core.migrations import MIGRATIONS, Migration, add_missing_columns
from govwatch.core.schema import (
    MIGRATIONS_TABLE,
    SCHEMA_VERSION,
    StoreError,
    ensure_schema,
    open_db,
)
from govwatch.core.vocabulary import IssueState, ScanStatus, SiteStatus
from govwatch.crawler import store as crawl_store
from govwatch.reports.tracker import track_scan
from govwatch.rules import store as rules_store

FIXTURE = Path(__file__).parent / "fixtures" / "previous_release.db"
# What the previous release's tables lacked, and the migrations that add it (appended, in
# this order).
NEW_COLUMNS = {"scan_sites": ("discovered", "unsettled", "capped"),
               "footer_facts": ("link", "note"), "sites": ("region",),
               "issues": ("answered_by", "answered_at")}
# made empty by their migrations: retention's record; the platform's accounts; attachments,
# their texts and views; kept pages; a
# board's messages and a list's decisions, with their views
NEW_TABLES = {"pruned_scans", "users", "user_units", "sessions", "login_attempts", "answers",
              "proof_files", "document_contents", "document_parts", "scan_documents",
              "documents", "document_pages", "kept_bodies", "kept_shots", "kept_pages",
              "reading_messages", "reading_decisions", "messages", "decisions"}
# The tables of the compact store (migration compact_storage): the crawl's detail tables became
# views of them, of the same names and columns.
COMPACT_TABLES = {"urls", "anchors", "readings", "reading_links", "reading_items",
                  "reading_footer_facts", "reading_column_pages", "scan_pages",
                  "scan_link_checks"}
# Row counts the previous release wrote (the fixture's script prints them).
COUNTS = {
    "sites": 1, "scans": 1, "scan_sites": 1, "pages": 6, "links": 5, "column_pages": 2,
    "columns": 2, "items": 2, "footer_facts": 35, "page_texts": 5, "link_checks": 6,
    "findings": 6, "evaluations": 1, "page_cache": 5, "issues": 6, "issue_events": 13,
    "tracked_scans": 1, "bulletins": 1, "bulletin_units": 1, "probes": 1,
}


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """A copy of the previous release's database."""
    path = tmp_path / "govwatch.db"
    shutil.copyfile(FIXTURE, path)
    return path


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table and view of the database at *path* (but SQLite's own, its
    statistics), sorted, each one's columns in their order."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'sqlite%' order by name")]
        return {t: sorted(conn.execute(f"select * from [{t}]").fetchall(), key=repr)
                for t in tables}
    finally:
        conn.close()


def shape(path: Path) -> dict[str, Any]:
    """The schema of the database at *path* (but SQLite's own tables): each table's and
    view's columns (name, type, not null, primary-key position), foreign keys and indexes
    (columns, unique)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'sqlite%' order by name")]
        return {t: {
            "columns": sorted((r[1], r[2], r[3], r[5])
                              for r in conn.execute(f"PRAGMA table_info([{t}])")),
            "foreign_keys": sorted((r[3], r[2], r[4])
                                   for r in conn.execute(f"PRAGMA foreign_key_list([{t}])")),
            "indexes": sorted(
                (tuple(c[2] for c in conn.execute(f"PRAGMA index_info([{r[1]}])")), r[2])
                for r in conn.execute(f"PRAGMA index_list([{t}])")),
        } for t in tables}
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_the_fixture_is_the_previous_release_schema(old_db: Path) -> None:
    before = rows(old_db)
    assert {t: len(r) for t, r in before.items()} == COUNTS  # a few rows in every table
    for table, columns in NEW_COLUMNS.items():
        assert set(columns).isdisjoint(c[0] for c in shape(old_db)[table]["columns"])
    assert user_version(old_db) == 0  # from before versions were recorded


def test_an_upgrade_keeps_every_row_of_every_table(old_db: Path) -> None:
    before = rows(old_db)
    open_db(old_db).close()
    after = rows(old_db)
    assert set(after) == set(before) | {MIGRATIONS_TABLE} | NEW_TABLES | COMPACT_TABLES
    assert all(after[table] == [] for table in NEW_TABLES)
    # the page cache's leads are packed; unpacked, they are as they were
    after["page_cache"] = sorted(((*r[:-1], unpack_leads(r[-1])) for r in after["page_cache"]),
                                 key=repr)
    for table, old_rows in before.items():
        if table in NEW_COLUMNS:  # the new columns are appended, empty in old rows
            added = len(NEW_COLUMNS[table])
            assert [r[:-added] for r in after[table]] == old_rows
            assert {r[-added:] for r in after[table]} == {(None,) * added}
        else:
            assert after[table] == old_rows, table
    db = open_db(old_db)
    assert db["scans"].get(1)["status"] == ScanStatus.COMPLETE
    assert db["issues"].get(1)["claimed_by"] == "王伟"
    assert db["issues"].get(1)["state"] == IssueState.CLAIMED
    assert db["bulletins"].get(1)["date"] == "2026-11-25"
    assert [p["outcome"] for p in db["probes"].rows] == ["ok"]
    assert db["page_cache"].count == COUNTS["page_cache"]


def test_the_migrations_bring_the_previous_release_to_a_new_databases_schema(
    old_db: Path, tmp_path: Path
) -> None:
    # Only the named migrations run on the old file: a change to TABLES or INDEXES without its
    # migration leaves the two schemas apart here.
    open_db(old_db).close()
    open_db(tmp_path / "new.db").close()
    assert shape(old_db) == shape(tmp_path / "new.db")
    for table, columns in NEW_COLUMNS.items():
        assert {c[0] for c in shape(old_db)[table]["columns"]} >= set(columns)


def test_each_migration_is_applied_once_in_order_and_recorded(old_db: Path) -> None:
    db = schema.Store(old_db)
    assert ensure_schema(db) == [m.name for m in MIGRATIONS]
    recorded = list(db.query(f"select * from {MIGRATIONS_TABLE} order by version"))
    assert [(r["name"], r["version"]) for r in recorded] == [
        (m.name, number) for number, m in enumerate(MIGRATIONS, start=1)]
    assert all(r["applied_at"] for r in recorded)
    assert user_version(old_db) == SCHEMA_VERSION == len(MIGRATIONS)
    db.close()
    reopened = open_db(old_db)
    assert ensure_schema(reopened) == []  # nothing left to apply
    assert list(reopened.query(f"select * from {MIGRATIONS_TABLE} order by version")) \
        == recorded
    reopened.close()


def test_an_up_to_date_database_is_opened_without_a_write(old_db: Path) -> None:
    open_db(old_db).close()
    digest = hashlib.sha256(old_db.read_bytes()).hexdigest()
    open_db(old_db).close()
    assert hashlib.sha256(old_db.read_bytes()).hexdigest() == digest
    # It opens while a scan holds the write lock (a write would wait, then fail as locked).
    scan = sqlite3.connect(old_db, timeout=0, isolation_level=None)
    scan.execute("BEGIN IMMEDIATE")
    try:
        open_db(old_db).close()
    finally:
        scan.execute("ROLLBACK")
        scan.close()


def test_a_new_database_is_made_at_once_and_records_every_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(db: Any) -> None:
        raise AssertionError("a new database is made from TABLES, not by migrations")
    monkeypatch.setattr(schema, "MIGRATIONS", tuple(Migration(m.name, never) for m in MIGRATIONS))
    db = open_db(tmp_path / "new.db")
    assert [(r["name"], r["version"]) for r in db.query(
        f"select * from {MIGRATIONS_TABLE} order by version")] == [
        (m.name, number) for number, m in enumerate(MIGRATIONS, start=1)]
    assert user_version(tmp_path / "new.db") == SCHEMA_VERSION
    assert set(schema.TABLES) <= set(db.table_names())


def test_a_migration_another_process_applied_meanwhile_is_not_applied_again(
    old_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This process read the database before another one upgraded it (its first, unlocked
    # look saw nothing applied); under the write lock it must see the other's work.
    open_db(old_db).close()  # the other process
    recorded = rows(old_db)[MIGRATIONS_TABLE]
    looks = []
    applied = schema._applied
    def stale_first(db: Any) -> set[str]:
        looks.append(db)
        return set() if len(looks) == 1 else applied(db)
    monkeypatch.setattr(schema, "_applied", stale_first)
    assert ensure_schema(schema.Store(old_db)) == []
    # looked again for each migration, and before each step of one made in steps
    assert len(looks) == 1 + len(MIGRATIONS) + sum(m.step is not None for m in MIGRATIONS)
    assert rows(old_db)[MIGRATIONS_TABLE] == recorded


def test_a_failed_migration_is_rolled_back_alone_and_retried_next_time(
    old_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_done(db: Any) -> None:
        add_missing_columns(db, "scan_sites", {"later": str})
        raise RuntimeError("migration failed")
    failing = (*MIGRATIONS, Migration("0099_half_done", half_done))
    monkeypatch.setattr(schema, "MIGRATIONS", failing)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(failing))
    with pytest.raises(RuntimeError, match="migration failed"):
        open_db(old_db)
    db = schema.Store(old_db)
    assert "later" not in db["scan_sites"].columns_dict  # its transaction rolled back
    # those before it stay
    assert set(db["scan_sites"].columns_dict) >= set(NEW_COLUMNS["scan_sites"])
    assert set(db["reading_footer_facts"].columns_dict) >= set(NEW_COLUMNS["footer_facts"])
    assert [r["name"] for r in db.query(f"select name from {MIGRATIONS_TABLE}")] == [
        m.name for m in MIGRATIONS]
    assert user_version(old_db) == len(MIGRATIONS)
    db.close()
    monkeypatch.setattr(schema, "MIGRATIONS", (*MIGRATIONS, Migration("0099_half_done", (
        lambda db: add_missing_columns(db, "scan_sites", {"later": str})))))
    assert ensure_schema(schema.Store(old_db)) == ["0099_half_done"]


def test_a_database_made_between_releases_gets_the_migrations_without_change(
    tmp_path: Path,
) -> None:
    # Written by this version's TABLES before migrations were recorded: the columns exist.
    path = tmp_path / "g.db"
    open_db(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"drop table {MIGRATIONS_TABLE}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    shaped = shape(path)
    assert ensure_schema(schema.Store(path)) == [m.name for m in MIGRATIONS]
    assert {t: s for t, s in shape(path).items() if t != MIGRATIONS_TABLE} == shaped
    assert user_version(path) == SCHEMA_VERSION


def test_a_database_that_had_an_unknown_migration_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    open_db(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"insert into {MIGRATIONS_TABLE} values ('0100_from_a_newer_govwatch', "
                 f"{SCHEMA_VERSION}, '2027-01-01T00:00:00+00:00')")
    conn.commit()
    conn.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError) as refused:
        open_db(path)
    assert str(refused.value) == (f"{path.resolve()} was written by a newer govwatch (migration "
                                  "0100_from_a_newer_govwatch unknown); upgrade govwatch")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_the_upgraded_database_is_evaluated_tracked_and_listed(old_db: Path) -> None:
    fingerprints = {r[0] for r in sqlite3.connect(old_db).execute(
        "select fingerprint from findings")}
    runner = CliRunner()
    # This version's rules judge the old crawl's rows as the old rules did, but for its
    # 通知公告 column that lists nothing and prints only 暂无信息 (a bare placeholder no longer
    # exempts a column from 空白栏目), the site's own 网站工作年度报表, which no page names, and
    # a consultation channel, which the site does not link (the 互动回应差 veto): rules that
    # came after.
    evaluated = runner.invoke(cli, ["evaluate", "--db", str(old_db)])
    assert evaluated.exit_code == 0, evaluated.output
    db = open_db(old_db)
    now = {r["fingerprint"]: r for r in db["findings"].rows}
    assert set(now) >= fingerprints
    assert sorted((r["rule_id"], r["subject_url"]) for f, r in now.items()
                  if f not in fingerprints) == [
        ("column.empty", "http://127.0.0.1:33083/tzgg/"),
        ("interaction.no_channel_veto", "http://127.0.0.1:33083/"),
        ("website_report.missing", "http://127.0.0.1:33083/")]
    # A second scan recorded by this version: the same site answers, the same pages are
    # fetched, and every finding of the first (as judged now) but the stale home page is
    # found again.
    site = db["sites"].get("mj-jtj")
    scan_id = crawl_store.start_scan(db, [Site(site["id"], site["name"], site["url"], site["unit"])], "2026-12-01")
    crawl_store.set_site_status(db, scan_id, site["id"], SiteStatus.OK)
    crawl_store.write_rows(db, "pages", [{**p, "scan_id": scan_id}
                                         for p in db["pages"].rows_where("scan_id = 1")])
    kept = [{**f, "scan_id": scan_id} for f in db["findings"].rows_where("scan_id = 1")
            if f["rule_id"] != "homepage.stale"]
    rules_store.write_findings(db, scan_id, kept, {"as_of": "2026-12-01", "packs": "gov-2019",
                                                   "evaluated_at": "2026-12-01"})
    crawl_store.finalize_scan(db, scan_id)
    crawl_store.mark_scan(db, scan_id, ScanStatus.COMPLETE)
    tracked = track_scan(db, scan_id)
    # the five old problems seen again, the blank 通知公告, the missing 网站工作年度报表 and
    # the missing channel found new, the stale home page fixed
    assert (tracked.seen, tracked.found, tracked.reopened, tracked.fixed) == (8, 3, 0, 1)
    assert db["scan_sites"].get((scan_id, "mj-jtj"))["discovered"] is not None
    db.close()
    listed = runner.invoke(cli, ["issues", "--db", str(old_db), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert '"claimed_by": "王伟"' in listed.output
    assert listed.output.count('"state": "fixed"') == 1


def auto_vacuum(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA auto_vacuum").fetchone()[0]
    finally:
        conn.close()


def test_a_new_database_frees_pages_incrementally_and_an_upgrade_leaves_the_file_as_it_was(
    old_db: Path, tmp_path: Path
) -> None:
    open_db(tmp_path / "new.db").close()
    assert auto_vacuum(tmp_path / "new.db") == 2  # INCREMENTAL: a prune hands pages back
    open_db(tmp_path / "new.db").close()  # opening it again changes nothing
    assert auto_vacuum(tmp_path / "new.db") == 2
    # An older file is not rewritten on opening: the first prune switches it over.
    open_db(old_db).close()
    assert auto_vacuum(old_db) == 0


def test_db_upgrade_says_what_it_applied_and_each_tables_size_before_and_after(
        old_db: Path) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(cli, ["db", "upgrade", "--db", str(old_db), "--format", "json"])
    assert upgraded.exit_code == 0, upgraded.output
    report = json.loads(upgraded.stdout)
    assert report["applied"] == [m.name for m in MIGRATIONS]
    sizes = {row["table"]: (row["before"], row["after"]) for row in report["tables"]}
    # the crawl's tables were moved to the compact ones, which the views now read
    assert sizes["links"][0] > 0 and sizes["links"][1] == 0
    assert sizes["reading_links"][0] == 0 and sizes["reading_links"][1] > 0
    assert sizes["findings"][0] == sizes["findings"][1] > 0  # the rest is as it was
    assert report["used_before"] == sum(before for before, _ in sizes.values())
    assert report["used_after"] == sum(after for _, after in sizes.values())
    compact = next(m.name for m in MIGRATIONS if m.name.endswith("_compact_storage"))
    assert f"{compact}: compact tables made" in upgraded.stderr
    again = runner.invoke(cli, ["db", "upgrade", "--db", str(old_db)])
    assert again.exit_code == 0, again.output
    assert "already up to date" in again.output
