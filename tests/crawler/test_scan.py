"""A scan of the three fixture portals (TRS, Hanweb, GBK) against their ground truth.

The portals under tests/portals/ imitate real CMS output; expected.yaml beside each was
written from the data that generated the pages, never from a scan.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from support.portals import expected

from govwatch.core.vocabulary import FactKind, ScanStatus
from govwatch.crawler.pages.pagination import same_list

PORTALS = ["trs", "hanweb", "gbk"]


@pytest.fixture(scope="module")
def db(scanned) -> sqlite3.Connection:
    conn = sqlite3.connect(scanned[0])
    conn.row_factory = sqlite3.Row
    return conn


def base(portal_servers, portal: str) -> str:
    return portal_servers[portal].url.rstrip("/")


def test_scan_completes_with_every_site_ok(scanned):
    outcome = scanned[1]
    assert outcome.status is ScanStatus.COMPLETE
    assert {row["site"]: row["status"] for row in outcome.sites} == dict.fromkeys(PORTALS, "ok")


@pytest.mark.parametrize("portal", PORTALS)
def test_columns_are_exactly_the_ground_truth(db, portal_servers, portal):
    root = base(portal_servers, portal)
    found = [dict(r) for r in db.execute("select * from columns where site_id = ?", [portal])]
    truth = expected(portal)["columns"]
    matched = []
    for column in truth:
        rows = [r for r in found if same_list(r["url"], root + column["url"])]
        assert len(rows) == 1, f"{portal}: column {column['name']} found {len(rows)} times"
        row = rows[0]
        newest = str(column["newest_date"]) if column["newest_date"] else None
        assert (row["name"], row["class"], row["newest_date"], row["item_count"]) == (
            column["name"],
            column["class"],
            newest,
            column["items"],
        ), column["name"]
        assert bool(row["empty_note"]) == column.get("empty_note", False), column["name"]
        matched.append(row["url"])
    extra = [r["url"] for r in found if r["url"] not in matched]
    assert extra == [], f"{portal}: columns not in the ground truth"


@pytest.mark.parametrize("portal", PORTALS)
def test_pagination_is_walked(db, portal_servers, portal):
    root = base(portal_servers, portal)
    for column in expected(portal)["columns"]:
        if column.get("pages", 1) > 1:
            row = db.execute(
                "select pages_walked from columns where site_id = ? and url like ?",
                [portal, root + column["url"].rsplit("/", 1)[0] + "/%"],
            ).fetchone()
            assert row["pages_walked"] == column["pages"], column["name"]


@pytest.mark.parametrize("portal", PORTALS)
def test_articles_have_their_publication_date_and_decoded_title(db, portal_servers, portal):
    root = base(portal_servers, portal)
    for article in expected(portal)["articles"]:
        url = root + article["url"]
        if url.endswith((".pdf", ".doc", ".docx")):
            # an attachment is dated and titled by the list that links it
            row = db.execute("select title, date from items where url = ?", [url]).fetchone()
            assert (row["title"], row["date"]) == (article["title"], str(article["date"]))
            continue
        row = db.execute("select title, pub_date from pages where url = ?", [url]).fetchone()
        assert row is not None, url
        assert row["pub_date"] == str(article["date"]), url
        assert article["title"] in row["title"], url


@pytest.mark.parametrize("portal", PORTALS)
def test_home_footer_facts(db, portal_servers, portal):
    home = base(portal_servers, portal) + "/"
    facts = {
        r["kind"]: r
        for r in db.execute(
            "select * from footer_facts where site_id = ? and page_url = ?", [portal, home]
        )
    }
    assert set(facts) == {k.value for k in FactKind}
    for kind, truth in expected(portal)["footer"].items():
        if kind not in facts:
            continue  # contact details and links are not footer identifiers
        fact = facts[kind]
        assert bool(fact["valid"]) == truth["valid"], kind
        if kind in ("icp", "psb", "site_code", "sponsor") and "value" in truth:
            assert fact["value"] == re.sub(r"\s", "", truth["value"]), kind
        if truth.get("problem") == "missing":
            assert fact["problem"] == "missing"
        if "sitecode" in truth:
            assert fact["value"] == truth["sitecode"]
        if kind in ("icp", "psb") and "link" in truth:
            assert fact["link"] == truth["link"], kind
        assert fact["note"] == truth.get("note"), kind


def test_gbk_pages_are_decoded_even_when_declared_utf8(db, portal_servers):
    rows = db.execute(
        "select title, encoding, declared_encoding from pages where site_id = 'gbk' "
        "and kind = 'html' and status = 200"
    ).fetchall()
    assert rows and all("\ufffd" not in (r["title"] or "") for r in rows)
    assert {r["encoding"] for r in rows} == {"gb18030"}
    assert "utf-8" in {(r["declared_encoding"] or "").lower() for r in rows}


def test_traps_are_cut(db):
    calendar = db.execute("select count(*) from pages where url like '%/calendar/%'").fetchone()[0]
    assert 0 < calendar <= 25  # entered, then cut after a chain of same-shaped pages
    urls = [r[0] for r in db.execute("select url from pages")]
    assert not [u for u in urls if "jsessionid" in u.lower()]
    assert not [u for u in urls if re.search(r"/([^/]+)/\1/\1/", u)]
    assert not [u for u in urls if u.count("&") >= 6]


def test_documents_are_recorded_as_documents(db, portal_servers):
    for portal in PORTALS:
        root = base(portal_servers, portal)
        for path in expected(portal).get("attachments", []):
            row = db.execute(
                "select kind, status from pages where url = ?", [root + path]
            ).fetchone()
            assert row is not None and row["kind"] == "document", path


def test_each_page_is_fetched_once(portal_servers, scanned):
    for server in portal_servers.values():
        gets = [path for method, path in server.requests if method == "GET"]
        assert len(gets) == len(set(gets))
