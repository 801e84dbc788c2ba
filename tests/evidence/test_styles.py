"""Screenshots drawn with the page's own stylesheets: the portal of support/evidence_portal.py
with a stylesheet that paints its pages green, kept while the portal still serves it."""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from support.evidence_portal import crawl, write_portal
from support.portals import copy_db

from govwatch.core import kept
from govwatch.core.schema import open_db
from govwatch.crawler.settings import USER_AGENT
from govwatch.demo.server import PortalServer
from govwatch.evidence import shots
from govwatch.evidence.keep import keep_scan
from govwatch.evidence.shots import Job
from govwatch.evidence.styles import MOST_SHEETS, stylesheets
from govwatch.workflow import evaluate_and_track

GREEN = (0, 128, 0)
SHEET = "/css/site.css"  # every page of the portal links it
ELSEWHERE = "/css/elsewhere.css"  # linked on another host: localhost, not 127.0.0.1
_LINK = f'<link rel="stylesheet" href="{SHEET}">'


@pytest.fixture(scope="module")
def kept_styled(tmp_path_factory) -> dict[str, Any]:
    """The portal crawled, then kept (with screenshots) twice while it serves: once with its
    stylesheet, once, from a copy of the scan, after the stylesheet is gone (404); the
    requests each keep made of the portal."""
    folder = tmp_path_factory.mktemp("styled")
    root = write_portal(folder / "portal")
    with PortalServer(root) as probe:  # a free port, to name the other host's link with
        port = urlsplit(probe.url).port
    index = root / "index.html"  # its thirty broken links: thirty screenshots, not needed here
    index.write_text(re.sub(r'<ul class="links">.*?</ul>', "", index.read_text(encoding="utf-8"),
                            flags=re.S), encoding="utf-8")
    for page in root.rglob("*.html"):
        elsewhere = f'<link rel="stylesheet" href="http://localhost:{port}{ELSEWHERE}">'
        page.write_text(page.read_text(encoding="utf-8").replace(_LINK, _LINK + elsewhere),
                        encoding="utf-8")
    (root / "css").mkdir()
    (root / "css" / "site.css").write_text(f"body {{ background: rgb{GREEN} }}")
    (root / "css" / "elsewhere.css").write_text("body { background: rgb(0, 0, 255) }")
    db_path, scan_id, url = crawl(folder, root, evidence=True, port=port)
    evaluate_and_track(db_path, scan_id)
    unstyled = copy_db(db_path, folder / "unstyled.db")
    plain = copy_db(db_path, folder / "plain.db")
    for copy in (unstyled, plain):
        shutil.copy(kept.spool_path(db_path, scan_id), kept.spool_path(copy, scan_id))
    with PortalServer(root, port) as server:  # the kept pages name this port
        result = keep_scan(db_path, scan_id, screenshots=True, pages=2, user_agent=USER_AGENT)
        styled_asked = list(server.requests)
        keep_scan(plain, scan_id, screenshots=False, user_agent=USER_AGENT)
        plain_asked = list(server.requests[len(styled_asked):])
        (root / "css" / "site.css").unlink()
        keep_scan(unstyled, scan_id, screenshots=True, pages=2, user_agent=USER_AGENT)
        unstyled_asked = list(server.requests[len(styled_asked) + len(plain_asked):])
    return {"db": db_path, "unstyled": unstyled, "plain": plain, "url": url, "result": result,
            "styled_asked": styled_asked, "plain_asked": plain_asked,
            "unstyled_asked": unstyled_asked}


def kept_rows(db_path: Path) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The kept pages with a body, and the kept bodies by hash."""
    db = open_db(db_path)
    try:
        rows = list(db.query("select * from kept_pages where body_hash is not null "
                             "order by issue_id"))
        bodies = {r["hash"]: kept.body(db, r["hash"]) for r in db.query(
            "select hash from kept_bodies")}
        shots = {r["hash"]: r["image"] for r in db.query("select hash, image from kept_shots")}
    finally:
        db.close()
    for row in rows:
        row["image"] = shots.get(row["shot_hash"])
    return rows, bodies


def share(image: bytes, colour: tuple[int, int, int], tolerance: int = 24) -> float:
    """The share of *image*'s pixels (one in four in each direction) within *tolerance* of
    *colour* on each channel (JPEG is lossy)."""
    picture = Image.open(io.BytesIO(image)).convert("RGB")
    data = picture.resize((picture.width // 4, picture.height // 4), Image.NEAREST).tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    near = sum(all(abs(p - c) <= tolerance for p, c in zip(pixel, colour, strict=True))
               for pixel in pixels)
    return near / len(pixels)


def test_a_screenshot_is_drawn_with_the_pages_own_stylesheet(kept_styled):
    rows, _ = kept_rows(kept_styled["db"])
    assert {r["url"] for r in rows} == {kept_styled["url"], kept_styled["url"] + "gzdt/"}
    for row in rows:
        assert json.loads(row["styles"]) == {
            kept_styled["url"] + SHEET.lstrip("/"): kept.sha256(f"body {{ background: rgb{GREEN} }}".encode())}
        # the page's background, everywhere but its text and the red outline
        assert row["image"] and share(row["image"], GREEN) > 0.5


def test_a_stylesheet_shared_by_pages_is_fetched_and_kept_once(kept_styled):
    rows, bodies = kept_rows(kept_styled["db"])
    assert len({r["url"] for r in rows}) == 2  # the home page and the column, each linking it
    assert kept_styled["styled_asked"].count(("GET", SHEET)) == 1
    hashes = {h for r in rows for h in json.loads(r["styles"]).values()}
    assert len(hashes) == 1 and bodies[hashes.pop()] == f"body {{ background: rgb{GREEN} }}".encode()
    assert kept_styled["result"].styles == 1
    assert len(bodies) == 3  # the two pages and the stylesheet


def test_a_stylesheet_on_another_host_is_not_fetched(kept_styled):
    asked = kept_styled["styled_asked"] + kept_styled["unstyled_asked"]
    assert ("GET", SHEET) in asked  # the portal was asked for its own
    assert all(path != ELSEWHERE for _, path in asked)


def test_a_page_whose_stylesheet_is_gone_is_photographed_unstyled(kept_styled):
    assert ("GET", SHEET) in kept_styled["unstyled_asked"]  # asked for, and 404
    rows, bodies = kept_rows(kept_styled["unstyled"])
    assert rows and all(r["styles"] is None for r in rows)
    assert len(bodies) == 2  # the pages only
    for row in rows:
        assert row["image"]  # made all the same
        assert share(row["image"], GREEN) < 0.01 and share(row["image"], (255, 255, 255)) > 0.5


def test_a_stylesheet_no_page_names_any_more_is_dropped_and_not_before(kept_styled, tmp_path):
    db = open_db(copy_db(kept_styled["db"], tmp_path / "copy.db"))
    try:
        sheet = next(iter(json.loads(db.execute(
            "select styles from kept_pages where styles is not null").fetchone()[0]).values()))
        with db.conn:
            db.execute("delete from kept_pages where url = ?", [kept_styled["url"]])
            kept.drop_orphans(db)
        assert kept.body(db, sheet) is not None  # the column's page still names it
        with db.conn:
            db.execute("delete from kept_pages")
            kept.drop_orphans(db)
        assert kept.body(db, sheet) is None
        assert db.execute("select count(*) from kept_bodies").fetchone()[0] == 0
    finally:
        db.close()


def test_which_stylesheets_a_page_links():
    page = ('<html><head><base href="/v2/"><link rel="stylesheet" href="a.css#x">'
            '<link rel="Stylesheet" href="https://www.gov.example/b.css">'
            '<link rel="alternate stylesheet" href="dark.css">'
            '<link rel="stylesheet" href="http://cdn.example/c.css">'
            '<link rel="stylesheet" href="ftp://www.gov.example/d.css">'
            '<link rel="icon" href="e.ico"><link rel="stylesheet" href="a.css">'
            '<link rel="stylesheet" href="样式 1.css">'
            '<link rel="stylesheet" href="HTTP://WWW.Gov.Example:80/up.css?v=2">'
            + "".join(f'<link rel="stylesheet" href="/n{n}.css">' for n in range(10))
            + "</head><body></body></html>")
    found = stylesheets(page, "http://www.gov.example/col/index.html")
    assert found[:4] == ["http://www.gov.example/v2/a.css", "https://www.gov.example/b.css",
                         "http://www.gov.example/v2/%E6%A0%B7%E5%BC%8F%201.css",
                         "http://www.gov.example/up.css?v=2"]
    assert len(found) == MOST_SHEETS
    assert stylesheets("", "http://www.gov.example/") == []


async def _drawn(job: Job) -> dict[str, Any]:
    """*job* rendered as the screenshots are: the outlined element's box, the outline's box
    and border as computed, and the picture."""
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=shots.chromium(),
                                               args=["--no-sandbox"])
        page = await (await shots.new_context(browser)).new_page()
        seen = {"found": await shots.prepare(page, job),
                "target": await page.locator("[data-govwatch-target]").bounding_box(),
                "outline": await page.locator("#govwatch-outline").bounding_box(),
                "border": await page.locator("#govwatch-outline").evaluate(
                    "e => getComputedStyle(e).borderTop"),
                "colours": await page.locator("[data-govwatch-target] span").evaluate(
                    "e => [getComputedStyle(e).color,"
                    " getComputedStyle(e.closest('[data-govwatch-target]')).backgroundColor]"),
                "image": await page.screenshot(type="jpeg", quality=shots.QUALITY)}
        await browser.close()
    return seen


def test_a_stylesheet_cannot_hide_move_or_whiten_the_outlined_element():
    hostile = (b"div { display: none !important; border: 0 !important; "
               b"position: static !important; z-index: 0 !important } "
               b"html, body { position: relative; margin: 40px; background: rgb(0, 128, 0) }")
    url = "http://kept.example/"
    page = ('<html><head><link rel="stylesheet" href="/site.css"></head>'
            '<body><p>栏目<span>内容</span></p><p>其他</p></body></html>')
    seen = asyncio.run(_drawn(Job("styled", url, page, {"text": "栏目内容"},
                                  {url + "site.css": hostile + b" p, span { color: #fff }"})))
    assert seen["found"] and share(seen["image"], GREEN) > 0.5  # the sheet was applied
    target, outline = seen["target"], seen["outline"]
    assert outline is not None and seen["border"] == "4px solid rgb(224, 0, 0)"
    assert outline["x"] <= target["x"] and outline["y"] <= target["y"]  # round the element
    assert outline["x"] + outline["width"] >= target["x"] + target["width"]
    assert outline["y"] + outline["height"] >= target["y"] + target["height"]
    assert outline["width"] - target["width"] <= 16 and outline["height"] - target["height"] <= 16
    # white text (over a background image not loaded) is highlighted black on pale yellow
    assert seen["colours"] == ["rgb(0, 0, 0)", "rgb(255, 247, 204)"]


@pytest.mark.parametrize("href", ["样式 1.css", "HTTP://KEPT.Example:80/col/a.css?v=2"])
def test_a_kept_stylesheet_is_found_under_the_url_the_browser_asks_for(href):
    url = "http://kept.example/col/"
    page = f'<html><head><link rel="stylesheet" href="{href}"></head><body><p>栏目内容</p></body></html>'
    styles = {sheet: f"body {{ background: rgb{GREEN} }}".encode()
              for sheet in stylesheets(page, url)}
    shot = shots.render([Job("a", url, page, {"text": "栏目内容"}, styles)], pages=1)["a"]
    assert len(styles) == 1 and share(shot.image, GREEN) > 0.5


def test_without_screenshots_no_stylesheet_is_fetched_nor_kept(kept_styled):
    """Stylesheets serve the screenshots only: pages kept without them fetch none."""
    assert not any(SHEET in str(request) for request in kept_styled["plain_asked"])
    rows, _ = kept_rows(kept_styled["plain"])
    assert rows and all(row["styles"] is None for row in rows)
