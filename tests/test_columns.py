"""Reading a column's list page (crawler.columns, crawler.classes, crawler.links)."""

from datetime import date

from crawler.classes import ColumnClass, classify_column, find_empty_note
from crawler.columns import (
    column_name,
    dated_lists,
    has_list_frame,
    is_landing,
    main_list,
    main_text_length,
)
from crawler.links import LinkKind, page_links
from crawler.page import Page

TODAY = date(2026, 11, 24)

TRS_LIST = """
<html><head><title>通知公告_某某市交通运输局</title></head><body>
<div class="top">今天是2026年11月24日 星期二</div>
<div class="nav"><a href="/gzdt/">工作动态</a><a href="/tzgg/">通知公告</a></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 通知公告</div>
<div class="hot-news"><h3>热点信息</h3><ul>
  <li><a href="/gzdt/202611/t20261123_9.html">热点新闻</a><span>2026-11-23</span></li>
  <li><a href="/gzdt/202611/t20261122_8.html">热点新闻二</a><span>2026-11-22</span></li></ul></div>
<div class="right"><ul class="list">
  <li><a href="./202611/t20261120_1.html" title="关于开展冬季道路安全检查的通知">关于开展冬季道路…</a><span>2026-11-20</span></li>
  <li><a href="./202611/t20261105_2.html">关于公布2026年第三季度检查结果的公告</a><span>[11-05]</span></li>
  <li><a href="./202512/t20251230_3.html">关于元旦放假安排的通知</a><span>[12-30]</span></li>
  <li><a href="./202510/t20251010_4.html">未注日期的条目</a></li>
</ul></div>
<div class="footer">Copyright © 2005-2026 某某市交通运输局</div>
</body></html>"""


def test_main_list_items_with_titles_and_implied_years():
    page = Page.parse("http://h/tzgg/index.html", TRS_LIST)
    own = main_list(dated_lists(page, TODAY))
    assert [(i.title, i.date) for i in own.items] == [
        ("关于开展冬季道路安全检查的通知", date(2026, 11, 20)),
        ("关于公布2026年第三季度检查结果的公告", date(2026, 11, 5)),
        ("关于元旦放假安排的通知", date(2025, 12, 30)),
        ("未注日期的条目", None),
    ]
    assert own.items[0].url == "http://h/tzgg/202611/t20261120_1.html"


def test_sidebar_list_is_not_the_columns_own_list():
    lists = dated_lists(Page.parse("http://h/tzgg/index.html", TRS_LIST), TODAY)
    assert len(lists) == 2
    assert [lst.side for lst in lists].count(True) == 1
    assert main_list(lists).dated == 3
    assert not is_landing(lists)


def test_breadcrumb_names_the_column_before_the_title():
    page = Page.parse("http://h/tzgg/index.html", TRS_LIST)
    assert column_name(page, "通知") == ("通知公告", "breadcrumb")


def test_meta_column_name_wins():
    page = Page.parse(
        "http://h/col/col12/index.html", '<meta name="ColumnName" content="部门动态">'
    )
    assert column_name(page) == ("部门动态", "meta")


def test_nav_text_then_title_when_nothing_else():
    page = Page.parse("http://h/x/", "<title>人事信息 - 某某局</title><body></body>")
    assert column_name(page, "人事任免") == ("人事任免", "nav")
    assert column_name(page) == ("人事信息", "title")


def test_hanweb_datastore_records_become_a_list():
    html = """<html><body><div id="4078"><script type="text/xml"><datastore>
    <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=12"></a>]]></nextgroup>
    <recordset>
    <record><![CDATA[<li><a href="/art/2026/11/3/art_12_501.html" title="部门召开安全生产会议">部门召开安全生产会议</a><span>2026-11-03</span></li>]]></record>
    <record><![CDATA[<li><a href="/art/2026/10/9/art_12_500.html" title="十月工作简报">十月工作简报</a><span>2026-10-09</span></li>]]></record>
    </recordset></datastore></script></div></body></html>"""
    own = main_list(dated_lists(Page.parse("http://h/col/col12/index.html", html), TODAY))
    assert [(i.url, i.date) for i in own.items] == [
        ("http://h/art/2026/11/3/art_12_501.html", date(2026, 11, 3)),
        ("http://h/art/2026/10/9/art_12_500.html", date(2026, 10, 9)),
    ]


def test_table_rows_are_items():
    html = """<table class="list"><tr><th>标题</th><th>发布日期</th></tr>
    <tr><td><a href="a.shtml">关于印发某某办法的通知</a></td><td>2026-09-01</td></tr>
    <tr><td><a href="b.shtml">关于某某规定的解读</a></td><td>2026-08-15</td></tr></table>"""
    own = main_list(dated_lists(Page.parse("http://h/zcwj/", html), TODAY))
    assert [i.date for i in own.items] == [date(2026, 9, 1), date(2026, 8, 15)]


def test_home_page_blocks_make_a_landing_page():
    block = "".join(
        f'<li><a href="/{c}/{n}.html">标题{c}{n}</a><span>2026-11-0{n}</span></li>'
        for n in range(1, 5)
        for c in ["x"]
    )
    html = f'<div class="b1"><ul>{block}</ul></div><div class="b2"><ul>{block.replace("/x/", "/y/")}</ul></div>'
    assert is_landing(dated_lists(Page.parse("http://h/", html), TODAY))


def test_list_frame_tells_a_blank_list_from_other_pages():
    trs_blank = Page.parse(
        "http://h/aqsc/",
        '<ul class="list"> </ul><script>createPageHTML(1, 0, "index", "html");</script>',
    )
    hanweb_blank = Page.parse(
        "http://h/col/col9/index.html",
        '<script type="text/xml"><datastore><recordset></recordset></datastore></script>',
    )
    calendar = Page.parse(
        "http://h/calendar/2026-11/", "<table class='calendar'><tr><td>1</td></tr></table>"
    )
    assert has_list_frame(trs_blank)
    assert has_list_frame(hanweb_blank)
    assert not has_list_frame(calendar)


def test_text_page_has_main_text_and_blank_list_has_none():
    overview = Page.parse(
        "http://h/jggk/", "<div class='content'>" + "本局主管全市交通运输工作。" * 20 + "</div>"
    )
    blank = Page.parse(
        "http://h/kong/", "<div class='nav'>首页 工作动态</div><ul class='list'></ul>"
    )
    assert main_text_length(overview) > 150
    assert main_text_length(blank) == 0


def test_column_classes_from_the_vocabulary_file():
    assert classify_column("工作动态") is ColumnClass.NEWS
    assert classify_column("政策解读") is ColumnClass.NOTICE_POLICY
    assert classify_column("人事任免") is ColumnClass.PERSONNEL_PLANNING
    assert classify_column("领导信息") is ColumnClass.OVERVIEW
    assert classify_column("政府信息公开年报") is ColumnClass.ANNUAL_REPORT
    assert classify_column("财政预决算") is ColumnClass.OTHER


def test_empty_note():
    assert find_empty_note("本栏目暂无信息") is not None
    assert find_empty_note("栏目正在建设中") is None


def test_links_are_classified_and_nav_marked():
    html = """<div class="nav"><a href="/gzdt/">工作动态</a></div>
    <a href="/files/a.pdf">附件</a><img src="/i/logo.png"><script src="/js/x.js"></script>
    <link rel="stylesheet" href="/css/a.css"><a href="mailto:a@b.cn">信箱</a><a href="#">顶部</a>
    <div class="block"><a href="/tzgg/">更多</a></div><a href="https://www.gov.cn/">中国政府网</a>"""
    links = {ln.target: ln for ln in page_links(Page.parse("http://h/", html))}
    assert links["http://h/gzdt/"].nav and links["http://h/gzdt/"].kind is LinkKind.PAGE
    assert links["http://h/tzgg/"].nav  # 更多 leads to a column
    assert links["http://h/files/a.pdf"].kind is LinkKind.DOCUMENT
    assert links["http://h/i/logo.png"].kind is LinkKind.IMAGE
    assert links["http://h/js/x.js"].kind is LinkKind.SCRIPT
    assert links["http://h/css/a.css"].kind is LinkKind.STYLESHEET
    assert links["mailto:a@b.cn"].kind is LinkKind.OTHER
    assert links["#"].kind is LinkKind.OTHER
    assert not links["https://www.gov.cn/"].nav
