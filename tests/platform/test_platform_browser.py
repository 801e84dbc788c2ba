"""The platform in a real browser (the system's chromium, driven by Playwright): the whole
cycle, from a unit's claim, answer and dispute through the office's decision and bulletin to
the scan that verifies the answers. The server runs on a free local port in a thread, over
the city world (support/platform.py); the scan is recorded into it as the crawler and rule
engine would (support/world.py) and tracked."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright
from support.platform import PASSWORD, PNG, RSJ_UNIT, SX_UNIT
from support.world import CITY_FIRST, CITY_NEW, CITY_SITES, Finding, World

from govwatch.core import kept
from govwatch.core.schema import open_db
from govwatch.platform import auth, store
from govwatch.platform.app import Platform, create_app
from govwatch.reports.tracker import track_scan


@pytest.fixture
def base_url(settings) -> Iterator[str]:
    """The platform served on 127.0.0.1 at a free port, for the test's length."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def sign_in(page: Page, base_url: str, login: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def fits(page: Page) -> bool:
    """Whether the page's table fits its width: on a phone no column (the dashboard's
    disputes, a bulletin's files) hides behind a sideways scroll."""
    return page.evaluate("(() => { const s = document.querySelector('.scroll');"
                         " return s.scrollWidth <= s.clientWidth; })()")


def scan_again(settings, still_seen: tuple[Finding, ...]) -> None:
    """The next scan of the city, judged tomorrow (after today's answers), finding
    *still_seen* and the problems nobody answered; then tracked, as the scheduler does."""
    world = World(settings.db_path, CITY_SITES)
    try:
        tomorrow = (Platform(settings).today() + timedelta(days=1)).isoformat()
        track_scan(world.db, world.scan(tomorrow, [CITY_FIRST[0], CITY_FIRST[3], *still_seen]))
    finally:
        world.db.close()


def test_the_whole_cycle_from_a_units_claim_to_the_scan_that_verifies_its_answer(
    base_url, settings, tmp_path
) -> None:
    """A unit claims, answers with a proof image and disputes; the office upholds the
    dispute and publishes the next bulletin, which names the claimant; the next scan no
    longer finds the answered footer problem (已整改) but still finds the answered blank
    column (复查未通过: back to claimed, and so overdue)."""
    db = open_db(settings.db_path)  # one account for the county and the 人社局: #4, #5, #6
    store.add_user(db, "county", auth.hash_password(PASSWORD), "unit", (SX_UNIT, RSJ_UNIT))
    db.close()
    proof = tmp_path / "整改后截图.png"
    proof.write_bytes(PNG)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox"])
        try:
            unit = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            console: list[str] = []
            unit.on("console", lambda message: console.append(message.text))
            sign_in(unit, base_url, "county")
            expect(unit.get_by_role("heading", name="我的问题")).to_be_visible()
            titles = unit.locator(".issue-title")
            expect(titles).to_have_count(3)  # #1 and #2 are another unit's
            assert sorted(t.split()[0] for t in titles.all_inner_texts()) == ["#4", "#5", "#6"]
            # htmx runs under the platform's Content-Security-Policy, which nothing breaks
            assert unit.evaluate("typeof htmx") == "object"

            unit.get_by_role("link", name="#6 政策解读栏目为空白栏目").click()  # claim
            unit.get_by_label("联系人").fill("张敏")
            unit.get_by_label("联系电话").fill("029-8765 4321")
            unit.get_by_role("button", name="认领").click()
            expect(unit.locator("h1 .badge")).to_have_text("已认领")
            expect(unit.locator(".facts")).to_contain_text("张敏")

            for issue, note in ((5, "已在页面底部标注备案号"), (6, "已补充政策解读")):  # answer
                unit.goto(f"{base_url}/issues/{issue}")
                unit.get_by_label("整改情况").fill(note)
                unit.get_by_label("整改证明").set_input_files(str(proof))
                unit.get_by_role("button", name="提交整改").click()
                expect(unit.locator("h1 .badge")).to_have_text("已报整改")
                expect(unit.get_by_role("link", name="整改后截图.png")).to_be_visible()

            unit.goto(f"{base_url}/issues/4")  # dispute
            unit.get_by_label("理由").fill("2025年度报告已于1月发布")
            unit.get_by_role("button", name="申请复核").click()
            expect(unit.locator("h1 .badge")).to_have_text("有异议")
            assert not [text for text in console if "Content Security Policy" in text]

            office = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            sign_in(office, base_url, "office")
            expect(office.get_by_role("heading", name="各单位整改概览")).to_be_visible()
            assert fits(office)
            office.goto(f"{base_url}/issues/4")
            office.get_by_role("button", name="维持问题").click()
            expect(office.locator("h1 .badge")).to_have_text("逾期未改")
            expect(office.locator(".history")).to_contain_text("维持问题")
            office.goto(f"{base_url}/bulletins")
            assert fits(office)
            office.get_by_role("button", name="发布").click()
            expect(office.get_by_role("cell", name="第3期")).to_be_visible()
            office.goto(f"{base_url}/bulletins/3.html")  # the claim, by its contact
            claimed = office.locator("tr", has_text="政策解读栏目为空白栏目")
            expect(claimed.first).to_contain_text("认领：张敏")

            scan_again(settings, still_seen=(CITY_NEW,))  # the footer problem is gone
            unit.goto(f"{base_url}/issues/5")
            expect(unit.locator("h1 .badge")).to_have_text("已整改")
            expect(unit.locator(".history")).to_contain_text("复查已整改")
            unit.goto(f"{base_url}/issues?closed=1")
            expect(unit.locator(".issue-title")).to_have_text(  # the 人社局's #3 was fixed before
                ["#3 " + CITY_FIRST[4].title, "#5 " + CITY_FIRST[2].title])
            office.goto(f"{base_url}/issues?closed=1")
            expect(office.locator("li", has_text="#5 ").locator(".badge")).to_have_text("已整改")

            unit.goto(f"{base_url}/issues/6")  # still there: the answer did not pass, and
            # back where it was, claimed, it is past its deadline (the answer bought no time)
            expect(unit.locator("h1 .badge")).to_have_text("逾期未改")
            expect(unit.locator(".history")).to_contain_text("复查未通过")
            unit.goto(f"{base_url}/issues")
            assert sorted(t.split()[0] for t in unit.locator(".issue-title")
                          .all_inner_texts()) == ["#4", "#6"]
        finally:
            browser.close()


def test_an_issues_screenshot_renders_as_a_thumbnail_under_the_platforms_policy(
    base_url, settings
) -> None:
    """The unit sees its issue's screenshot as a picture (the image route answers, the
    Content-Security-Policy lets it in), linking to the full size."""
    db = open_db(settings.db_path)
    with db.conn:
        digest = kept.keep_shot(db, PNG, 1, 1, "png")
        db["kept_pages"].insert({"issue_id": 6, "scan_id": 2, "status": 200,
                                 "url": "http://rsj.xianyang.example/zcjd/", "shot_hash": digest})
    db.close()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox"])
        try:
            page = browser.new_page()
            sign_in(page, base_url, "rsj")
            expect(page.get_by_role("heading", name="我的问题")).to_be_visible()
            page.goto(f"{base_url}/issues/6")
            thumbnail = page.get_by_role("img", name="问题页面截图（点击查看原图）")
            expect(thumbnail).to_be_visible()
            assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 1
            link = page.locator("a.shot")
            assert link.get_attribute("href") == f"/issues/6/screenshot/{digest}"
        finally:
            browser.close()
