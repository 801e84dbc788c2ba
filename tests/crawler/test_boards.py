"""The recognisers of boards' messages and 双公示 decisions (crawler/pages/boards.py), on
hand-written pages of the shapes CMSs print them in."""

from __future__ import annotations

import re
from datetime import date

from govwatch.core.compact import Ids
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.crawler import store
from govwatch.crawler.pages.boards import (
    _HINTS,
    HINT_LEADS,
    board_kind,
    holds_records,
    read_decisions,
    read_messages,
)
from govwatch.crawler.pages.page import Page
from govwatch.crawler.pages.reading import Visit, read_page
from govwatch.crawler.records import DecisionsRecord, MessagesRecord

TABLE_BOARD = """<html><head><title>县长信箱</title></head><body>
<table><tr><th>信件标题</th><th>留言时间</th><th>回复时间</th><th>办理状态</th></tr>
<tr><td><a href="/xx/1.html">路灯不亮</a></td><td>2026-01-02</td><td>2026-01-05</td><td>已回复</td></tr>
<tr><td><a href="/xx/2.html">供水问题</a></td><td>2026-05-02</td><td></td><td>办理中</td></tr>
<tr><td><a href="/xx/3.html">学校招生</a></td><td>2026-06-02</td><td></td><td>未回复</td></tr>
</table></body></html>"""

LIST_BOARD = """<html><head><title>网上留言</title></head><body><ul class="list">
<li><a href="a.html">问题一</a><span>留言时间：2026年3月2日</span><span>状态：未回复</span></li>
<li><a href="b.html">问题二</a><span>留言时间：2026-02-02</span><span>答复时间：2026-02-04</span></li>
</ul><div class="page">共2条</div></body></html>"""

DETAIL = """<html><head><title>留言详情</title></head><body><h1>关于学校的咨询</h1>
<div class="info">留言时间：2026年1月2日</div><p>我想咨询入学。</p>
<div class="reply">答复时间：2026年1月9日 答复内容：已转教育局。</div></body></html>"""

ARTICLE = """<html><head><title>通知</title></head><body><h1>关于开展咨询日活动的通知</h1>
<p>发布时间：2026-01-02</p><p>活动当天设咨询台，群众可现场留言。</p></body></html>"""


def test_a_table_board_gives_each_row_with_its_dates_status_and_link():
    got = read_messages(Page.parse("http://x/hdjl/xzxx/", TABLE_BOARD))
    assert [(m.url, m.title, m.asked, m.answered, m.status, m.board) for m in got] == [
        ("http://x/xx/1.html", "路灯不亮", date(2026, 1, 2), date(2026, 1, 5), "answered",
         "consult"),
        ("http://x/xx/2.html", "供水问题", date(2026, 5, 2), None, "pending", "consult"),
        ("http://x/xx/3.html", "学校招生", date(2026, 6, 2), None, "pending", "consult"),
    ]


def test_list_rows_read_labels_and_a_status_word():
    got = read_messages(Page.parse("http://x/ly/", LIST_BOARD))
    assert [(m.url, m.asked, m.answered, m.status) for m in got] == [
        ("http://x/ly/a.html", date(2026, 3, 2), None, "pending"),
        ("http://x/ly/b.html", date(2026, 2, 2), date(2026, 2, 4), "answered"),
    ]


def test_a_detail_page_with_both_dates_is_one_message():
    got = read_messages(Page.parse("http://x/ly/b.html", DETAIL))
    assert [(m.url, m.title, m.asked, m.answered) for m in got] == [
        ("http://x/ly/b.html", "关于学校的咨询", date(2026, 1, 2), date(2026, 1, 9))]


def test_an_article_that_mentions_consultation_is_no_board():
    assert read_messages(Page.parse("http://x/a.html", ARTICLE)) == []
    assert read_decisions(Page.parse("http://x/a.html", ARTICLE)) == []


def test_petition_and_discipline_boards_are_told_from_consultation():
    assert board_kind("信访留言") == board_kind("纪检监察举报") == "petition"
    assert board_kind("县长信箱 在线咨询") == board_kind("咨询投诉") == "consult"
    page = Page.parse("http://x/xf/", LIST_BOARD.replace("网上留言", "网上信访"))
    assert {m.board for m in read_messages(page)} == {"petition"}
    # the link that led to the board names it too
    assert {m.board for m in read_messages(Page.parse("http://x/ly/", LIST_BOARD),
                                           "纪委举报")} == {"petition"}


PENALTIES = """<html><head><title>行政处罚信息公示</title></head><body>
<table><tr><td>案件名称</td><td>处罚决定日期</td><td>公示日期</td></tr>
<tr><td><a href="p1.html">某公司超限运输案</a></td><td>2026-09-28</td><td>2026-10-15</td></tr>
<tr><td>张某违规经营案</td><td>2026/10/20</td><td>2026/10/22</td></tr></table></body></html>"""

PERMITS = """<html><head><title>双公示</title></head><body><ul>
<li><a href="/xk/1.html">某药店药品经营许可</a> 许可决定日期：2026-11-02 发布日期：2026-11-04</li>
<li><a href="/xk/2.html">某诊所执业登记</a> 许可决定日期：2026-10-09 发布日期：2026-10-30</li>
</ul></body></html>"""


def test_a_decision_table_with_and_without_links():
    got = read_decisions(Page.parse("http://x/sgs/", PENALTIES))
    assert [(d.url, d.title, d.kind, d.decided, d.published) for d in got] == [
        ("http://x/sgs/p1.html", "某公司超限运输案", "penalty", date(2026, 9, 28),
         date(2026, 10, 15)),
        ("http://x/sgs/#2", "张某违规经营案", "penalty", date(2026, 10, 20), date(2026, 10, 22)),
    ]


def test_decision_rows_take_their_kind_from_their_labels():
    got = read_decisions(Page.parse("http://x/sgs/", PERMITS))
    assert [(d.url, d.kind, d.decided, d.published) for d in got] == [
        ("http://x/xk/1.html", "permit", date(2026, 11, 2), date(2026, 11, 4)),
        ("http://x/xk/2.html", "permit", date(2026, 10, 9), date(2026, 10, 30)),
    ]


def test_messages_and_decisions_are_stored_once_with_their_reading(tmp_path):
    """Two scans of an unchanged board page share one reading; the views show its messages
    and decisions for each scan."""
    db = open_db(tmp_path / "db")
    site = Site(id="a", name="甲", url="http://a.gov.cn/", unit="甲单位")
    ids = Ids(db.conn)
    page = "http://a.gov.cn/hdjl/"
    for number in range(2):
        scan_id = store.start_scan(db, [site], f"2026-11-{number + 10}")
        with db.conn:
            store.write_readings(db, scan_id, [{
                "pages": [{"site_id": "a", "url": page, "status": 200, "kind": "html",
                           "depth": 1, "title": "县长信箱"}],
                "page_texts": [{"site_id": "a", "url": page, "text": "县长信箱"}],
                "messages": [{"site_id": "a", "page_url": page, "url": f"{page}1.html",
                              "title": "路灯", "asked": "2026-05-06", "answered": None,
                              "status": "pending", "board": "consult"}],
                "decisions": [{"site_id": "a", "page_url": page, "url": f"{page}#1",
                               "title": "某案", "kind": "penalty", "decided": "2026-09-28",
                               "published": "2026-10-15"}],
            }], ids)
    assert db.execute("select count(*) from readings").fetchone()[0] == 1
    assert db.execute("select scan_id, url, asked, status, board from messages order by "
                      "scan_id").fetchall() == [
        (1, f"{page}1.html", "2026-05-06", "pending", "consult"),
        (2, f"{page}1.html", "2026-05-06", "pending", "consult")]
    assert db.execute("select count(*), min(decided), min(published) from decisions"
                      ).fetchone() == (2, "2026-09-28", "2026-10-15")


def _first_chars(pattern: str) -> set[str]:
    """The characters a match of *pattern* (literals, groups, alternation, ``?``) can begin
    with, from the regex parser's own reading of it."""
    parser = getattr(re, "_parser", None) or __import__("sre_parse")
    codes = parser.parse.__globals__

    def first(items: list) -> tuple[set[str], bool]:  # (first chars, can be empty)
        out: set[str] = set()
        for op, arg in items:
            if op is codes["LITERAL"]:
                return out | {chr(arg)}, False
            if op is codes["SUBPATTERN"]:
                chars, empty = first(list(arg[-1]))
            elif op is codes["BRANCH"]:
                parts = [first(list(branch)) for branch in arg[1]]
                chars, empty = set().union(*(c for c, _ in parts)), any(e for _, e in parts)
            elif op is codes["MAX_REPEAT"] or op is codes["MIN_REPEAT"]:
                chars, inner_empty = first(list(arg[2]))
                empty = arg[0] == 0 or inner_empty
            elif op is codes["AT"]:
                continue
            else:
                raise AssertionError(f"the test does not know {op} in {pattern}")
            out |= chars
            if not empty:
                return out, False
        return out, True

    chars, empty = first(list(parser.parse(pattern)))
    assert not empty, pattern
    return chars


def test_the_hint_lookahead_names_every_character_a_hint_can_begin_with():
    """The lookahead that lets the hint regex skip most of a page must not skip a label or a
    status word: every character one can begin with is in it."""
    hints = _HINTS.pattern.split("(?:", 1)[1]
    assert _first_chars(hints[:-1]) <= set(HINT_LEADS)
    assert holds_records("… 办理中") and holds_records("作出处罚决定的日期")


def test_a_page_read_by_the_crawl_gives_its_decisions_and_an_article_none():
    """The reading of a page keeps what the recognisers find; the cheap test that lets most
    pages skip them knows 作出处罚决定的日期 (the real 行政处罚 page of tests/crawler/fixtures/
    real/boards/ has no other hint once its side box of messages is gone)."""
    html = ("<html><head><title>行政处罚信息公开表</title></head><body><h1>行政处罚信息公开表</h1>"
            "<p>发布时间：2024-07-12</p><table><tr><td>作出处罚决定的日期</td>"
            "<td>2024年7月8日</td></tr></table></body></html>")
    assert holds_records(html) and not holds_records(ARTICLE.replace("留言", "提问"))

    def records(body: str) -> list:
        visit = Visit("a", "http://a.gov.cn/", "http://a.gov.cn/xzcf/1.html", 200, "text/html",
                      "utf-8", None, body.encode(), {"hops": 2}, "2026-11-24T00:00:00+00:00")
        reading = read_page(visit, today=date(2026, 11, 24), max_list_pages=5,
                            sample_footer=False)
        return [r for r in reading.records if isinstance(r, (DecisionsRecord, MessagesRecord))]

    (found,) = records(html)
    assert found.decisions == [("http://a.gov.cn/xzcf/1.html", "行政处罚信息公开表", "penalty",
                                "2024-07-08", "2024-07-12")]
    assert records(ARTICLE) == []



# The shapes of MinMore CMS's 局长信箱 (DirectorMail) templates, an open-source CMS for
# bureaus' portals: its list prints 来信主题 | 状态 | 时间 | 受理单位, the time being when the
# letter came; a letter's page prints 来信时间, 办事状态, and 办理时间 (暂无 until answered).
# Values filled in by hand.
MINMORE_LIST = """<html><head><title>局长信箱</title></head><body><div class="mailbox-list">
<div class="content-hd">局长信箱－最新回复信件</div><div class="mailbox-data-list"><table>
<thead><tr><th>来信主题</th><th>状态</th><th>时间</th><th>受理单位</th></tr></thead><tbody>
<tr><td><a href="/mail?mailid=31">道路积水</a></td><td>已回复</td><td>2026-03-02 09:12:40</td><td>市交通运输局</td></tr>
<tr><td><a href="/mail?mailid=32">公交线路调整</a></td><td>未回复</td><td>2026-05-11 16:03:05</td><td>市交通运输局</td></tr>
</tbody></table></div></div></body></html>"""

MINMORE_LETTER = """<html><head><title>局长信箱</title></head><body><div class="content-fd">
<div class="mailbox-list"><div class="content-hd">局长信箱－信件查看</div></div>
<table class="result-table">
<tr><td class="row-prompt">编号:</td><td class="row-content">C2026030231</td><td class="row-prompt">来信人:</td><td class="row-content">王**</td></tr>
<tr><td class="row-prompt">来信时间:</td><td class="row-content">2026-03-02 09:12:40</td><td class="row-prompt">受理单位:</td><td class="row-content">市交通运输局</td></tr>
<tr><td class="row-prompt">信件类型:</td><td class="row-content">咨询</td><td class="row-prompt">办事状态:</td><td class="row-content">{status}</td></tr>
<tr><td class="row-prompt">来信主题:</td><td colspan="3">道路积水</td></tr>
<tr><td class="row-prompt">来信内容:</td><td colspan="3">雨后路口积水严重。</td></tr></table>
<table class="result-table">
<tr><td class="row-prompt">办理单位:</td><td class="row-content">市交通运输局</td><td class="row-prompt">办理时间:</td><td class="row-content">{answered}</td></tr>
<tr><td class="row-prompt">处理情况:</td><td colspan="3">{reply}</td></tr></table></div></body></html>"""


def test_a_minmore_board_list_dates_its_letters_by_its_bare_time_column():
    """A board's list with a status column and a bare 时间 column: the time is when the
    letter came (the only date such a list prints)."""
    messages = read_messages(Page.parse("http://a.gov.cn/mail/", MINMORE_LIST))
    assert [(m.title, m.asked, m.status) for m in messages] == [
        ("道路积水", date(2026, 3, 2), "answered"),
        ("公交线路调整", date(2026, 5, 11), "pending")]
    assert messages[0].url == "http://a.gov.cn/mail?mailid=31"


def test_a_minmore_letter_page_gives_both_dates_once_answered():
    answered = MINMORE_LETTER.format(status="已办结", answered="2026-03-06 10:00:00",
                                     reply="已安排清淤。")
    (message,) = read_messages(Page.parse("http://a.gov.cn/mail?mailid=31", answered))
    assert (message.asked, message.answered, message.status) == (
        date(2026, 3, 2), date(2026, 3, 6), "answered")
    waiting = MINMORE_LETTER.format(status="办理中", answered="暂无", reply="")
    # 办理时间 暂无: no answer date, so the page alone is no record (its list says 未回复)
    assert read_messages(Page.parse("http://a.gov.cn/mail?mailid=32", waiting)) == []


def test_a_table_with_a_bare_time_column_but_no_status_is_no_board():
    """Without a status column a bare 时间 says nothing of messages: a 招标 list with 状态
    words of its own is no board either."""
    html = ("<table><tr><th>标题</th><th>时间</th></tr><tr><td><a href='/1.html'>通知</a></td>"
            "<td>2026-01-02</td></tr></table>")
    assert read_messages(Page.parse("http://a.gov.cn/", html)) == []
    tenders = ("<table><tr><th>项目名称</th><th>状态</th><th>时间</th></tr><tr><td>"
               "<a href='/2.html'>道路工程</a></td><td>进行中</td><td>2026-01-02</td></tr></table>")
    assert read_messages(Page.parse("http://a.gov.cn/", tenders)) == []
