"""The platform's pages and actions over the city world (support/platform.py): what each
role sees, what each action writes through the tracker, and that pages answer while a scan
holds the write lock."""

from __future__ import annotations

import dataclasses
import email
import re
import socket
import threading
import time
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from starlette.testclient import TestClient
from support.platform import PNG, sign_in, token_of

from govwatch.core.config import MailSettings
from govwatch.core.schema import open_db, open_read_only
from govwatch.platform.app import Platform, create_app


def events(settings, issue_id: int) -> list[tuple]:
    conn = open_read_only(settings.db_path)
    try:
        return conn.execute("select cause, from_state, to_state, actor, note from issue_events "
                            "where issue_id = ? order by id", [issue_id]).fetchall()
    finally:
        conn.close()


def post(client, path: str, **data):
    return client.post(path, data={**data, "csrftoken": token_of(client)},
                       follow_redirects=False)


def test_a_unit_lists_its_open_problems_newest_bulletin_first(client_for) -> None:
    rsj = client_for("rsj")
    assert rsj.get("/", follow_redirects=False).headers["location"] == "/issues"
    page = rsj.get("/issues").text
    # #3 was fixed; #6 is open, published in bulletin 2 with a deadline
    assert re.findall(r'href="/issues/(\d+)"', page) == ["6"]
    assert "第2期" in page and "整改期限" in page and "已逾期" in page  # today is past it
    sx = client_for("sx").get("/issues").text
    assert re.findall(r'href="/issues/(\d+)"', sx) == ["4", "5"]


def test_the_issue_page_says_where_the_problem_is_and_its_history(client_for) -> None:
    page = client_for("jtj").get("/issues/2").text
    assert "http://jtj.xianyang.example/tzgg/t20260901_1.html" in page  # the page carrying it
    assert "HTTP 404" in page and "抓取时间" in page
    assert "扫描发现" in page and "复查已整改" in page and "第1期" in page  # its audit trail


def test_a_claim_records_the_contact_the_phone_and_the_account(client_for, settings) -> None:
    sx = client_for("sx")
    refused = post(sx, "/issues/4/claim", contact="李娜", phone="call me")
    assert refused.status_code == 400 and "联系电话" in refused.text
    assert post(sx, "/issues/4/claim", contact="李娜", phone="029-8765 4321").status_code == 303
    assert events(settings, 4)[-1] == ("claimed", "overdue", "overdue", "sx",
                                       "联系电话 029-8765 4321")
    page = sx.get("/issues/4").text
    assert "李娜" in page and 'action="/issues/4/claim"' not in page  # claimed once


def test_an_answer_waits_for_the_scan_with_its_proof(client_for, settings) -> None:
    jtj = client_for("jtj")
    done = jtj.post("/issues/1/answer", follow_redirects=False,
                    data={"note": "栏目已更新至今日", "csrftoken": token_of(jtj)},
                    files={"proof": ("截图.png", PNG, "image/png")})
    assert done.status_code == 303
    assert events(settings, 1)[-1] == ("answered", "overdue", "answered", "jtj",
                                       "栏目已更新至今日")
    page = jtj.get("/issues/1").text
    assert "已报整改" in page and "截图.png" in page and "栏目已更新至今日" in page
    assert 'action="/issues/1/answer"' not in page  # answered: nothing to answer again


def counts(page: str, unit: str) -> list[str]:
    """A unit's row of the dashboard: open, overdue, unclaimed, disputed (its trend after)."""
    return re.findall(r">(\d+)<", re.search(rf"{unit}</a></td>(.*?)</tr>", page).group(1))[:4]


def test_the_dashboard_counts_every_units_problems(client_for) -> None:
    page = client_for("office").get("/dashboard").text
    assert counts(page, "咸阳市交通运输局") == ["1", "1", "0", "0"]  # claimed, overdue
    assert counts(page, "咸阳市某某县人民政府") == ["2", "2", "2", "0"]
    # #6 is still open in the tracker, but its deadline has passed: overdue already
    assert counts(page, "咸阳市人力资源和社会保障局") == ["1", "1", "1", "0"]


def test_a_dispute_is_decided_by_the_office(client_for, settings) -> None:
    sx, office = client_for("sx"), client_for("office")
    assert post(sx, "/issues/5/dispute", reason="备案号已在页面底部标注").status_code == 303
    assert post(sx, "/issues/4/dispute", reason="年报已发布").status_code == 303
    assert 'action="/issues/5/confirm"' not in sx.get("/issues/5").text  # not the unit's call
    assert counts(office.get("/dashboard").text, "咸阳市某某县人民政府") == ["2", "0", "0", "2"]
    assert post(office, "/issues/5/confirm", note="备案号仍未标注").status_code == 303
    assert post(office, "/issues/4/withdraw").status_code == 303
    assert events(settings, 5)[-1] == ("confirmed", "disputed", "overdue", "office",
                                       "备案号仍未标注")
    assert events(settings, 4)[-1][:4] == ("withdrawn", "disputed", "withdrawn", "office")
    assert re.findall(r'href="/issues/(\d+)"', sx.get("/issues").text) == ["5"]


def test_the_bulletin_archive_serves_each_bulletin_and_the_office_publishes(
    client_for, settings
) -> None:
    office, jtj = client_for("office"), client_for("jtj")
    archive = jtj.get("/bulletins").text
    assert "第2期" in archive and "第1期" in archive and "/bulletins/publish" not in archive
    html = jtj.get("/bulletins/2.html")
    assert html.status_code == 200 and "政府网站纠错通报" in html.text
    # its inline styles may apply, no script may run
    assert html.headers["content-security-policy"].startswith("default-src 'none'; style-src")
    assert len(html.headers.get_list("content-security-policy")) == 1
    xlsx = jtj.get("/bulletins/2.xlsx")
    assert xlsx.content[:2] == b"PK" and "attachment" in xlsx.headers["content-disposition"]
    assert jtj.get("/bulletins/9.html").status_code == 404
    assert post(office, "/bulletins/publish").status_code == 303
    assert "第3期" in office.get("/bulletins").text
    written = sorted(p.name for p in settings.out_dir.iterdir())
    assert any(re.fullmatch(r"bulletin-003-\d{4}-\d\d-\d\d\.html", n) for n in written)


def test_pages_answer_while_a_scan_holds_the_write_lock(client_for, settings) -> None:
    rsj = client_for("rsj")  # signed in before: signing in writes
    holding, release = threading.Event(), threading.Event()

    def scan() -> None:  # a scan's writer, mid-transaction in its own thread
        db = open_db(settings.db_path)
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            db.conn.execute("update sites set name = name || ''")
            holding.set()
            release.wait(30)
            db.conn.commit()
        finally:
            db.close()

    writer = threading.Thread(target=scan)
    writer.start()
    try:
        assert holding.wait(30)
        started = time.monotonic()
        for path in ("/issues", "/issues/6", "/bulletins"):
            assert rsj.get(path).status_code == 200, path
        assert time.monotonic() - started < 5  # read, never waited for the lock
        # a change meanwhile waits for the lock, then goes through
        threading.Timer(0.5, release.set).start()
        assert post(rsj, "/issues/6/claim", contact="张敏", phone="029-1111111").status_code \
            == 303
    finally:
        release.set()
        writer.join()
    assert events(settings, 6)[-1][0] == "claimed"



def test_a_bulletin_the_office_publishes_is_mailed_once(settings) -> None:
    received: list = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope) -> str:
            received.append(email.message_from_bytes(envelope.content, policy=default_policy))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        mail = MailSettings(host="127.0.0.1", port=port, sender="govwatch@example.gov.cn",
                            to=("jiucuo@example.gov.cn",))
        office = TestClient(create_app(dataclasses.replace(settings, mail=mail)))
        sign_in(office, "office")
        assert post(office, "/bulletins/publish").status_code == 303
        assert post(office, "/bulletins/publish").status_code == 303  # the same bulletin
    finally:
        smtp.stop()
    assert len(received) == 1
    assert "政府网站纠错通报 第3期" in received[0]["Subject"]
    assert any(part.get_filename().startswith("bulletin-003-")
               for part in received[0].iter_attachments())


def test_closed_problems_are_under_their_own_tab_still_only_the_units_own(client_for) -> None:
    sx, office = client_for("sx"), client_for("office")
    assert post(sx, "/issues/4/dispute", reason="年报已发布").status_code == 303
    assert post(office, "/issues/4/withdraw").status_code == 303
    closed = sx.get("/issues?closed=1").text
    assert re.findall(r'href="/issues/(\d+)"', closed) == ["4"] and "已撤销" in closed
    assert re.findall(r'href="/issues/(\d+)"', sx.get("/issues").text) == ["5"]
    # rsj's fixed #3 is under its closed tab; jtj's fixed #2 is not rsj's to see
    rsj = client_for("rsj").get("/issues?closed=1").text
    assert re.findall(r'href="/issues/(\d+)"', rsj) == ["3"] and "已整改" in rsj
    everyone = office.get("/issues?closed=1").text
    assert sorted(re.findall(r'href="/issues/(\d+)"', everyone)) == ["2", "3", "4"]


def test_the_dashboards_unclaimed_is_the_bulletins(client_for, settings) -> None:
    from support.world import CITY_FIRST, CITY_NEW, CITY_SITES, RSJ, Finding, World

    from govwatch.reports.bulletin import publish_bulletin
    from govwatch.reports.tracker import track_scan

    office = client_for("office")
    before = counts(office.get("/dashboard").text, "咸阳市人力资源和社会保障局")
    assert before == ["1", "1", "1", "0"]
    world = World(settings.db_path, CITY_SITES)
    blank = Finding("xy-rsj", "column.blank", RSJ + "tzgg/", "通知公告栏目为空白栏目")
    track_scan(world.db, world.scan("2026-10-20", [*CITY_FIRST[0:1], *CITY_FIRST[2:4],
                                                   CITY_NEW, blank]))
    today = Platform(settings).today()
    bulletin = publish_bulletin(world.db, today)  # publishes the new problem today
    world.db.close()
    assert bulletin["totals"]["unclaimed"] == 3  # #4, #5, #6: published before today
    # the new problem is open and unclaimed, but published today: not 未认领 yet
    assert counts(office.get("/dashboard").text, "咸阳市人力资源和社会保障局") == [
        "2", "1", "1", "0"]
