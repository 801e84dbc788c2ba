"""The platform in a real browser (the system's chromium, driven by Playwright): a unit
signs in, sees only its problems, claims one, answers it with a proof image and disputes
another; the office upholds the dispute. The server runs on a free local port in a thread,
over the city world (support/platform.py)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright
from support.platform import PASSWORD, PNG

from govwatch.platform.app import create_app


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


def test_a_unit_claims_answers_and_disputes_and_the_office_decides(base_url, tmp_path) -> None:
    proof = tmp_path / "整改后截图.png"
    proof.write_bytes(PNG)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox"])
        try:
            unit = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            console: list[str] = []
            unit.on("console", lambda message: console.append(message.text))
            sign_in(unit, base_url, "sx")
            expect(unit.get_by_role("heading", name="我的问题")).to_be_visible()
            titles = unit.locator(".issue-title")
            expect(titles).to_have_count(2)  # #4 and #5: no other unit's problem
            expect(titles.first).to_contain_text("#4")

            # htmx runs under the platform's Content-Security-Policy, which nothing breaks
            assert unit.evaluate("typeof htmx") == "object"
            titles.first.click()
            unit.get_by_label("联系人").fill("李娜")
            unit.get_by_label("联系电话").fill("029-8765 4321")
            unit.get_by_role("button", name="认领").click()
            expect(unit.locator(".facts")).to_contain_text("李娜")

            unit.get_by_label("整改情况").fill("已发布2025年度报告")
            unit.get_by_label("整改证明").set_input_files(str(proof))
            unit.get_by_role("button", name="提交整改").click()
            expect(unit.locator("h1 .badge")).to_have_text("已报整改")
            expect(unit.get_by_role("link", name="整改后截图.png")).to_be_visible()

            unit.goto(f"{base_url}/issues/5")
            unit.get_by_label("理由").fill("备案号已在页面底部标注")
            unit.get_by_role("button", name="申请复核").click()
            expect(unit.locator("h1 .badge")).to_have_text("有异议")
            assert not [text for text in console if "Content Security Policy" in text]

            office = browser.new_context().new_page()
            sign_in(office, base_url, "office")
            expect(office.get_by_role("heading", name="各单位整改概览")).to_be_visible()
            office.goto(f"{base_url}/issues/5")
            office.get_by_role("button", name="维持问题").click()
            expect(office.locator("h1 .badge")).to_have_text("逾期未改")
            expect(office.locator(".history")).to_contain_text("维持问题")
        finally:
            browser.close()
