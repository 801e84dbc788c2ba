"""Reading a column's list page (crawler.pages.columns, crawler.pages.classes, crawler.pages.links)."""

from datetime import date

from govwatch.core.vocabulary import ColumnClass, LinkKind
from govwatch.crawler.pages.classes import classify_column, find_empty_note
from govwatch.crawler.pages.columns import (
    column_name,
    dated_lists,
    has_list_frame,
    is_landing,
    main_list,
    main_text_length,
    own_menus,
)
from govwatch.crawler.pages.links import page_links
from govwatch.crawler.pages.page import Page

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


def own_items(html: str, url: str = "http://h/tzgg/") -> list[tuple[str, date | None]]:
    """(title, date) of the items of the page's own list."""
    own = main_list(dated_lists(Page.parse(url, html), TODAY))
    return [(i.title, i.date) for i in own.items] if own else []


def test_a_flat_list_dates_each_item_by_the_text_up_to_the_next_link():
    html = """<div class="list"><p>
    <a href="/a1.html">第一条通知标题</a><!-- 2020-01-01 --><span>2026-11-01</span><br>
    <a href="/a2.html">第二条通知标题</a><br> 2026-10-02 <br>
    <a href="/a3.html">第三条通知标题</a><br>
    <a href="/a4.html">第四条通知标题</a><span>2026-09-04</span></p></div>"""
    assert own_items(html) == [
        ("第一条通知标题", date(2026, 11, 1)), ("第二条通知标题", date(2026, 10, 2)),
        ("第三条通知标题", None), ("第四条通知标题", date(2026, 9, 4))]


def test_an_item_with_a_short_category_link_is_one_item_titled_by_its_title_link():
    html = """<ul class="list">
    <li><a href="/tz/">通知类</a><a href="/tz/1.html">关于开展检查的通知</a><span>2026-11-01</span></li>
    <li><a href="/tz/2.html" title="关于假期安排的通知"><img src="t.png"></a><a href="/tz/">更多</a>
        <span>2026-10-01</span></li>
    <li><a href="/gz/">工作动态</a><a href="/gz/3.html">某某局召开会议</a><span>2026-09-01</span></li>
    </ul>"""
    assert own_items(html) == [
        ("关于开展检查的通知", date(2026, 11, 1)), ("关于假期安排的通知", date(2026, 10, 1)),
        ("工作动态", None), ("某某局召开会议", date(2026, 9, 1))]  # two titles: a flat item


def test_links_that_lead_nowhere_and_links_outside_lists_are_no_items():
    html = """<body><a href="/lone.html">孤立链接 2026-11-20</a>
    <div class="top"><ul><li><a href="/banner.html">头部链接</a><span>2026-11-20</span></li></ul></div>
    <noscript><ul><li><a href="/ns.html">无脚本链接</a><span>2026-11-20</span></li></ul></noscript>
    <ul class="list">
      <li><a href="javascript:void(0)">收藏本页</a><span>2026-11-19</span></li>
      <li><a href="#top">返回顶部</a><span>2026-11-19</span></li>
      <li><a href="mailto:a@h.gov.cn">联系我们</a><span>2026-11-19</span></li>
      <li><a href="/tz/1.html#content">关于开展检查的通知</a><span>2026-11-01</span></li>
    </ul></body>"""
    page = Page.parse("http://h/tzgg/", html)
    lists = dated_lists(page, TODAY)
    assert [[(i.title, i.url) for i in lst.items] for lst in lists] == [
        [("关于开展检查的通知", "http://h/tz/1.html")]]


def test_a_table_dates_its_rows_by_the_publication_column_not_the_written_date():
    html = """<table class="list"><tr><th>标题</th><th>成文日期</th><th>发布日期</th></tr>
    <tr><td><a href="a.shtml">关于印发某某办法的通知</a></td><td>2026-08-01</td><td>2026-09-01</td></tr>
    <tr><td><a href="b.shtml">只有成文日期的规定</a></td><td>2026-07-01</td></tr></table>"""
    assert own_items(html) == [("关于印发某某办法的通知", date(2026, 9, 1)),
                               ("只有成文日期的规定", date(2026, 7, 1))]


def test_the_main_list_is_the_largest_outside_sidebars():
    side = "".join(f'<li><a href="/h{n}.html">热点新闻{n}</a><span>2026-11-0{n}</span></li>'
                   for n in range(1, 6))
    small = '<li><a href="/s1.html">小列表条目</a><span>2026-10-01</span></li>'
    big = "".join(f'<li><a href="/b{n}.html">大列表条目{n}</a><span>2026-10-0{n}</span></li>'
                  for n in range(1, 3))
    html = (f'<div class="hot"><ul>{side}</ul></div><div class="l1"><ul>{small}</ul></div>'
            f'<div class="l2"><ul>{big}</ul></div>')
    assert main_list(dated_lists(Page.parse("http://h/", html), TODAY)).dated == 2
    only_side = Page.parse("http://h/", f'<div class="hot"><ul>{side}</ul></div>')
    assert main_list(dated_lists(only_side, TODAY)).dated == 5


def blocks(*sizes: int, side: str = "") -> str:
    """Blocks of dated items, one per size, each in its own (optionally side) container."""
    return "".join(
        f'<div class="{side or "b"}{b}"><ul>'
        + "".join(f'<li><a href="/{b}/{n}.html">标题{b}{n}</a><span>2026-11-0{n + 1}</span></li>'
                  for n in range(size))
        + "</ul></div>"
        for b, size in enumerate(sizes))


def test_a_landing_page_has_two_blocks_of_three_dated_items_outside_sidebars():
    def landing(html: str) -> bool:
        return is_landing(dated_lists(Page.parse("http://h/", html), TODAY))

    assert landing(blocks(3, 3))
    assert not landing(blocks(3, 2))
    assert not landing(blocks(3) + blocks(3, 3, side="hot"))


def test_the_breadcrumb_is_found_by_its_lead_words_or_its_class():
    wrapper = "<div class='wrap'>{}<p>" + "正文内容。" * 30 + "</p></div>"
    lead = Page.parse("http://h/x/", wrapper.format(
        "<div>当前位置：首页 &gt; 政务公开 &gt; 通知公告</div>"))
    assert column_name(lead) == ("通知公告", "breadcrumb")
    by_class = Page.parse("http://h/x/", wrapper.format(
        "<div class='position'>首页 &gt; 政务公开 &gt; 工作动态</div>"))
    assert column_name(by_class) == ("工作动态", "breadcrumb")


def test_a_breadcrumb_is_at_most_120_characters():
    def crumb(length: int) -> Page:
        return Page.parse("http://h/x/", "<title>标题栏目</title><div class='crumb'>首页 &gt; "
                          + "栏" * (length - 5) + "</div>")

    assert column_name(crumb(120)) == ("栏" * 115, "breadcrumb")
    assert column_name(crumb(121)) == ("标题栏目", "title")


def test_a_list_frame_is_a_pager_script_or_a_list_container_outside_chrome():
    def frame(html: str) -> bool:
        return has_list_frame(Page.parse("http://h/x/", html))

    assert frame('<script>createPageHTML(1, 0, "index", "html");</script>') is True
    assert frame("<div class='news'></div>") is True
    assert frame("<script>var x = 1;</script><div class='content'>正文</div>") is False
    assert frame("<div class='footer'><ul class='list'></ul></div>") is False


def test_main_text_counts_element_and_tail_text_but_no_comments_scripts_or_chrome():
    page = Page.parse(
        "http://h/jggk/",
        "<div class='nav'>首页 工作动态</div><div class='content'><!-- 模板注释很长很长 -->"
        "<script>var t = '脚本文字';</script><p>机构职能</p>本局主管交通运输工作。</div>",
    )
    assert main_text_length(page) == len("机构职能") + len("本局主管交通运输工作。")
    assert main_text_length(Page.parse("http://h/", "")) == 0


MENU_PAGE = """
<html><body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li>
  <li><a href="/hdjl/zxzx/">在线咨询</a></li><li><a href="/hdjl/wsdc/">网上调查</a></li></ul></div>
<div class="left_menu"><a href="/zwgk/">政务公开</a><a href="/bsfw/">办事服务</a></div>
<div class="service_menu"><a href="/hdjl/ldxx/">领导信箱</a><a href="/hdjl/zxzx/">在线咨询</a>
  <a href="/hdjl/wsdc/">网上调查</a><a href="http://12345.example.gov.cn/">12345热线</a></div>
</body></html>"""


def test_a_menu_leading_below_the_page_is_its_own_offering_and_site_menus_are_not():
    own = own_menus(Page.parse("http://h/hdjl/index.html", MENU_PAGE))
    # the body's service menu; not the header's menu (chrome), not the menu of other sections
    assert [el.get("class") for el in own] == ["service_menu"]


def test_a_page_at_the_site_root_has_no_menu_of_its_own():
    # on /list.jsp?id=3 every address of the site is "below" the root: no menu is the page's
    assert own_menus(Page.parse("http://h/list.jsp?id=3", MENU_PAGE)) == []
