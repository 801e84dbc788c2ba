"""Kept pages and screenshots over a real crawl of a small portal written by hand
(tests/evidence/portal.py): one crawl, then evidence kept from copies of its spool."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from support.cli import run, written
from support.evidence_portal import BROKEN, ID_HIDDEN, ID_NUMBER, NEWEST, crawl, write_portal
from support.portals import SCAN_DATE, copy_db

from govwatch.core import kept
from govwatch.core.schema import open_db
from govwatch.evidence import shots
from govwatch.evidence.keep import keep_scan
from govwatch.evidence.mask import decode, mask_text
from govwatch.workflow import evaluate_and_track

KINDS = ("column.stale", "link.broken", "footer.site_code", "privacy.id_number")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, int]:
    """The portal crawled with evidence on, evaluated and tracked; its spool not yet used."""
    folder = tmp_path_factory.mktemp("crawled")
    db_path, scan_id = crawl(folder, write_portal(folder / "portal"), evidence=True)[:2]
    evaluate_and_track(db_path, scan_id)
    return db_path, scan_id


def fresh(crawled: tuple[Path, int], folder: Path) -> Path:
    """A copy of the crawled database and its spool in *folder*."""
    db_path, scan_id = crawled
    copy = copy_db(db_path, folder / "govwatch.db")
    shutil.copy(kept.spool_path(db_path, scan_id), kept.spool_path(copy, scan_id))
    return copy


@pytest.fixture(scope="module")
def with_shots(crawled, tmp_path_factory) -> Path:
    """Evidence kept with screenshots."""
    db_path = fresh(crawled, tmp_path_factory.mktemp("shots"))
    result = keep_scan(db_path, crawled[1], screenshots=True, pages=4)
    assert result is not None and result.shots > 0
    return db_path


def pages_of(db_path: Path) -> list[dict[str, Any]]:
    db = open_db(db_path)
    try:
        return list(db.query("select k.*, i.rule_id, i.subject_url from kept_pages k "
                             "join issues i on i.id = k.issue_id order by k.issue_id"))
    finally:
        db.close()


async def _outlined(url: str, html: str, locate: dict) -> dict[str, Any]:
    """Render *html* as the screenshots are rendered; the boxes and texts of the outlined
    element and of the outline, and the page's text."""
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=shots.chromium(),
                                               args=["--no-sandbox"])
        page = await (await shots.new_context(browser)).new_page()
        found = await shots.prepare(page, shots.Job(0, url, html, locate))
        target = page.locator("[data-govwatch-target]")
        seen = {
            "found": found,
            "target": await target.bounding_box() if found else None,
            "outline": await page.locator("#govwatch-outline").bounding_box() if found else None,
            "text": await target.inner_text() if found else None,
            "tag": await target.evaluate("e => e.tagName + ' ' + (e.className || '')")
            if found else None,
            "href": await target.get_attribute("href") if found else None,
            "body": await page.evaluate("document.body.innerText"),
        }
        await browser.close()
    return seen


def rendered(db_path: Path, row: dict[str, Any]) -> dict[str, Any]:
    db = open_db(db_path)
    try:
        html = mask_text(decode(kept.body(db, row["body_hash"]), row["encoding"]))
    finally:
        db.close()
    return asyncio.run(_outlined(row["url"], html, json.loads(row["locate"])))


@pytest.mark.parametrize("rule_id", KINDS)
def test_each_kind_of_finding_gets_a_screenshot_with_its_element_outlined(with_shots, rule_id):
    rows = [r for r in pages_of(with_shots) if r["rule_id"] == rule_id
            and (rule_id != "link.broken" or "/gone/" in r["subject_url"])]  # not the CSS
    assert rows, f"the portal carries a {rule_id} finding"
    row = rows[0]
    assert row["shot_hash"] and row["shot_note"] is None
    db = open_db(with_shots)
    image, fmt = kept.shot(db, row["shot_hash"])
    db.close()
    assert fmt == "jpeg" and image[:3] == b"\xff\xd8\xff"
    seen = rendered(with_shots, row)
    assert seen["found"]
    target, outline = seen["target"], seen["outline"]
    # the box surrounds the element, a few pixels out on every side
    assert outline["x"] <= target["x"] and outline["y"] <= target["y"]
    assert outline["x"] + outline["width"] >= target["x"] + target["width"]
    assert outline["y"] + outline["height"] >= target["y"] + target["height"]
    assert outline["width"] - target["width"] <= 16 and outline["height"] - target["height"] <= 16
    # ... and is in the window the screenshot shows
    assert outline["y"] >= 0 and outline["y"] + 6 < shots.WINDOW["height"]
    if rule_id == "column.stale":  # the newest item's row, with its date
        assert NEWEST[0] in seen["text"] and NEWEST[1] in seen["text"]
    elif rule_id == "link.broken":  # the anchor itself, on its source page
        assert seen["tag"].startswith("A ") and row["url"] != row["subject_url"]
        assert row["subject_url"].endswith(seen["href"])
        assert json.loads(row["link_status"])["status"] == 404
    elif rule_id == "footer.site_code":
        assert "footer" in seen["tag"] and "主办单位" in seen["text"]
    else:
        assert ID_NUMBER[:6] in seen["text"] and ID_NUMBER[-4:] in seen["text"]


def test_an_id_number_is_masked_in_the_rendered_page_and_kept_raw_for_the_office(with_shots):
    row = next(r for r in pages_of(with_shots) if r["rule_id"] == "privacy.id_number")
    seen = rendered(with_shots, row)
    assert ID_HIDDEN not in seen["body"].replace(" ", "")
    assert ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:] in seen["body"]
    db = open_db(with_shots)
    assert ID_NUMBER.encode() in kept.body(db, row["body_hash"])  # the office's proof
    db.close()


def test_a_page_shared_by_thirty_findings_is_kept_once(with_shots):
    rows = pages_of(with_shots)
    links = [r for r in rows if r["rule_id"] == "link.broken" and "/gone/" in r["subject_url"]]
    assert len(links) == BROKEN
    assert len({r["body_hash"] for r in links}) == 1
    db = open_db(with_shots)
    try:
        bodies = db.execute("select count(*) from kept_bodies").fetchone()[0]
        home = db.execute("select count(*) from kept_bodies where hash = ?",
                          [links[0]["body_hash"]]).fetchone()[0]
    finally:
        db.close()
    assert home == 1
    assert bodies == len({r["body_hash"] for r in rows})  # home page and column: 2
    assert bodies == 2


def test_the_spool_is_deleted_once_evidence_is_kept(with_shots, crawled):
    assert not kept.spool_path(with_shots, crawled[1]).exists()


def test_screenshots_off_keeps_pages_and_makes_no_screenshot(crawled, tmp_path):
    db_path = fresh(crawled, tmp_path)
    result = keep_scan(db_path, crawled[1], screenshots=False)
    assert result.pages == result.issues > 0 and result.shots == 0
    rows = pages_of(db_path)
    assert all(r["shot_hash"] is None and r["body_hash"] for r in rows)
    db = open_db(db_path)
    assert db.execute("select count(*) from kept_shots").fetchone()[0] == 0
    db.close()


def test_evidence_off_spools_nothing_and_keeps_nothing(tmp_path):
    db_path, scan_id = crawl(tmp_path, write_portal(tmp_path / "portal"), evidence=False)[:2]
    assert sorted(p.name for p in tmp_path.glob("govwatch.db.evidence-*")) == []
    evaluate_and_track(db_path, scan_id)
    assert keep_scan(db_path, scan_id, screenshots=True) is None
    assert pages_of(db_path) == []


def _browser_pids() -> list[int]:
    """The Chromium processes this test process started (through Playwright's driver)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]),
                                            stat[stat.index("(") + 1:stat.rindex(")")])
            except (OSError, ValueError):
                continue
    mine = []
    for pid, (_, name) in parents.items():
        chain, up = pid, 0
        while chain in parents and up < 20:
            chain, up = parents[chain][0], up + 1
            if chain == os.getpid():
                if "chrom" in name:
                    mine.append(pid)
                break
    return mine


def test_the_browser_dying_mid_scan_leaves_the_evidence_and_says_the_screenshot_is_missing(
        crawled, tmp_path):
    db_path = fresh(crawled, tmp_path)
    killed = []

    def kill_after_first(done: int) -> None:
        if done == 1:
            for pid in _browser_pids():
                with contextlib.suppress(ProcessLookupError):  # gone with its parent
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)

    result = keep_scan(db_path, crawled[1], screenshots=True, pages=1,
                       after_each=kill_after_first)
    assert killed
    rows = pages_of(db_path)
    assert result.pages == len(rows) and all(r["body_hash"] for r in rows)
    missing = [r for r in rows if r["shot_hash"] is None]
    assert 1 <= result.shots < len(rows) and missing
    assert all(r["shot_note"].startswith("截图缺失") for r in missing)


def test_the_cap_leaves_the_rest_without_screenshots_and_says_so(crawled, tmp_path):
    db_path = fresh(crawled, tmp_path)
    result = keep_scan(db_path, crawled[1], screenshots=True, max_shots=3)
    rows = pages_of(db_path)
    assert result.shots == 3
    assert sum(r["shot_hash"] is not None for r in rows) == 3
    assert all("上限" in r["shot_note"] for r in rows if r["shot_hash"] is None)


def test_the_evidence_command_writes_the_masked_page_its_screenshot_and_a_manifest(
        with_shots, tmp_path):
    row = next(r for r in pages_of(with_shots) if r["rule_id"] == "privacy.id_number")
    code, out, err = run("evidence", str(row["issue_id"]), "--db", str(with_shots),
                         "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0, err
    files = {path.name: path for path in written(out)}
    stem = f"issue-{row['issue_id']}"
    assert set(files) == {f"{stem}-page.html", f"{stem}-screenshot.jpg", f"{stem}-manifest.json"}
    page = files[f"{stem}-page.html"].read_bytes()
    assert ID_NUMBER.encode() not in page and (ID_NUMBER[:6] + "*" * 8).encode() in page
    manifest = json.loads(files[f"{stem}-manifest.json"].read_text(encoding="utf-8"))
    assert manifest["kept"]["body_sha256"] == row["body_hash"]
    assert manifest["files"]["page"]["sha256"] == kept.sha256(page)
    assert manifest["files"]["page"]["masked"] is True
    assert manifest["files"]["screenshot"]["sha256"] == kept.sha256(
        files[f"{stem}-screenshot.jpg"].read_bytes())
    assert manifest["kept"]["status"] == 200 and manifest["kept"]["fetched_at"]
    # --raw: the body as received, whose hash is the kept one
    code, out, err = run("evidence", str(row["issue_id"]), "--db", str(with_shots),
                         "--out", str(tmp_path / "raw"), "--raw", "--format", "json")
    raw = next(p for p in written(out) if p.name.endswith("-page-raw.html")).read_bytes()
    assert ID_NUMBER.encode() in raw and kept.sha256(raw) == row["body_hash"]


def test_the_evidence_command_says_when_an_issue_has_no_kept_page(with_shots):
    code, _, err = run("evidence", "9999", "--db", str(with_shots))
    assert code == 2 and "no issue 9999" in err


def test_the_bulletin_shows_each_screenshot_beside_it_and_the_xlsx_links_to_it(
        crawled, tmp_path):
    from openpyxl import load_workbook

    from govwatch.workflow import publish

    db_path = fresh(crawled, tmp_path)
    keep_scan(db_path, crawled[1], screenshots=True, max_shots=3)
    shot_rows = [r for r in pages_of(db_path) if r["shot_hash"]]
    db = open_db(db_path)  # one picture has no red box: the bulletin says so under it
    with db.conn:
        db.execute("update kept_pages set shot_note = ? where issue_id = ?",
                   ["截图未能定位问题元素", shot_rows[0]["issue_id"]])
    db.close()
    out = tmp_path / "out"
    publication = publish(db_path, SCAN_DATE, out, bulletin_formats=("html", "xlsx"),
                          scorecard_formats=("json",))
    html = next(p for p in publication.paths if p.suffix == ".html").read_text(encoding="utf-8")
    assert ">截图</th>" in html
    for row in shot_rows:
        name = f"evidence/{row['shot_hash']}.jpg"
        assert f'<a class="shot" href="{name}"' in html and f'<img src="{name}"' in html
        assert (out / name).read_bytes()[:3] == b"\xff\xd8\xff"  # opens offline
    first = f'<img src="evidence/{shot_rows[0]["shot_hash"]}.jpg"'
    assert html.split(first, 1)[1].split("</td>", 1)[0].endswith(
        '</a><span class="sub">截图未能定位问题元素</span>')
    assert html.count("截图未能定位问题元素") == 1
    assert html.count("截图缺失：超过本次扫描的截图上限") == len(pages_of(db_path)) - 3
    book = load_workbook(next(p for p in publication.paths if p.suffix == ".xlsx"))
    sheet = book["本期新发现问题"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("截图") + 1
    links = {sheet.cell(row, column).hyperlink.target for row in range(2, sheet.max_row + 1)
             if sheet.cell(row, column).hyperlink}
    assert links == {f"evidence/{r['shot_hash']}.jpg" for r in shot_rows}


def test_the_issue_list_says_what_is_kept_of_each_issue(crawled, tmp_path):
    db_path = fresh(crawled, tmp_path)
    keep_scan(db_path, crawled[1], screenshots=True, max_shots=3)
    code, out, err = run("issues", "--db", str(db_path), "--format", "json")
    assert code == 0, err
    said = [row["evidence"] for row in json.loads(out)]
    assert said.count("截图") == 3
    assert all(s.startswith("截图缺失") for s in said if s != "截图")


def test_evidence_that_cannot_be_kept_is_logged_and_the_scan_stands(crawled, tmp_path, caplog):
    from govwatch.workflow import keep_evidence

    db_path = fresh(crawled, tmp_path)
    kept.spool_path(db_path, crawled[1]).write_bytes(b"not a spool at all" * 100)
    assert keep_evidence(db_path, crawled[1]) is None
    assert "could not be kept" in caplog.text
    db = open_db(db_path)
    try:
        assert db.execute("select count(*) from issues").fetchone()[0] > 0  # tracked still
    finally:
        db.close()
