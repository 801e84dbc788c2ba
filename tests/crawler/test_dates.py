"""Examples of how govwatch reads dates from text, URLs, list items and article pages."""

from datetime import date

import lxml.html
import pytest

from govwatch.crawler.pages.dates import article_date, find_date, item_date, url_date

# --- find_date ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-25", date(2025, 2, 25)),
        ("2025-2-5", date(2025, 2, 5)),
        ("2025/02/25", date(2025, 2, 25)),
        ("2025.02.25", date(2025, 2, 25)),
        ("2025年2月5日", date(2025, 2, 5)),
        ("2025年02月05日", date(2025, 2, 5)),
        ("2025 年 2 月 5 日", date(2025, 2, 5)),
        ("20250225", date(2025, 2, 25)),
        ("[20250225]", date(2025, 2, 25)),
        ("2025-02-25 10:19:00", date(2025, 2, 25)),
        ("2025-02-25T10:19", date(2025, 2, 25)),
        ("20250225 10:19", date(2025, 2, 25)),
        ("2025年2月5日10时", date(2025, 2, 5)),
        ("关于开展检查的通知 2025-02-25", date(2025, 2, 25)),
        ("1990-01-01", date(1990, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_find_date_reads_every_form(text: str, expected: date) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025-02-30",  # no such day
        "2025-13-01",  # no such month
        "2025年2月30日",
        "20250230",
        "1989-12-31",  # before 1990
        "2101-01-01",  # after 2100
        "202502251",  # part of a longer digit run
        "2025-02-255",
        "12025-02-25",
        "文章编号 12025022534",
        "2025-02/25",  # mixed separators
        "2025年2月",  # a month is not a date
        "Copyright © 2005-2026",
    ],
)
def test_find_date_rejects_non_dates(text: str) -> None:
    assert find_date(text) is None


def test_find_date_returns_the_first_valid_date() -> None:
    assert find_date("2025-03-01 至 2025-04-01") == date(2025, 3, 1)
    assert find_date("2025-02-30 更正为 2025年3月1日") == date(2025, 3, 1)


# --- url_date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.example.gov.cn/xxgk/202502/t20250225_123456.html", date(2025, 2, 25)),
        ("./202502/t20250225_123456.html", date(2025, 2, 25)),
        ("http://www.example.gov.cn/art/2025/2/5/art_123_4567.html", date(2025, 2, 5)),
        ("http://www.example.gov.cn/art/2025/12/25/art_1_2.html", date(2025, 12, 25)),
        ("http://www.example.gov.cn/news/2025/0225/abc.html", date(2025, 2, 25)),
        ("http://www.example.gov.cn/news/2025-02/25/content_1.htm", date(2025, 2, 25)),
        ("http://www.example.gov.cn/news/20250225/abc.html", date(2025, 2, 25)),
    ],
)
def test_url_date_reads_cms_article_urls(url: str, expected: date) -> None:
    assert url_date(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://www.example.gov.cn/zwgk/202502/0123456789abcdef0123456789abcdef.shtml",  # month
        "http://www.example.gov.cn/col/col123/index.html",
        "http://www.example.gov.cn/doc/part20250225_1.html",  # 't…' must start the segment
        "http://www.example.gov.cn/gkmlpt/content/1/2/post_20250225.html",
        "http://www.example.gov.cn/202502/t20250230_1.html",  # no such day
        "http://www.example.gov.cn/search?u=/2025/02/25/x.html",  # query, not path
        "",
    ],
)
def test_url_date_is_none_without_a_full_date_in_the_path(url: str) -> None:
    assert url_date(url) is None


# --- item_date ---------------------------------------------------------------------------------

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[2025-02-25]", date(2025, 2, 25)),
        ("关于做好春耕工作的通知 2025/02/25", date(2025, 2, 25)),
        ("(02-25)", date(2026, 2, 25)),
        ("（02-25）", date(2026, 2, 25)),
        ("[02-25]", date(2026, 2, 25)),
        ("[2-5]", date(2026, 2, 5)),
        ("02-25", date(2026, 2, 25)),
        ("02/25", date(2026, 2, 25)),
        ("2月25日", date(2026, 2, 25)),
        ("关于第1-3季度工作的通报 02-25", date(2026, 2, 25)),
    ],
)
def test_item_date_reads_list_entries(text: str, expected: date) -> None:
    assert item_date(text, url=None, today=TODAY) == expected


def test_item_date_full_date_wins_over_url() -> None:
    url = "/202401/t20240115_1.html"
    assert item_date("[2025-02-25]", url=url, today=TODAY) == date(2025, 2, 25)


def test_item_date_implies_last_year_across_new_year() -> None:
    assert item_date("[12-30]", url=None, today=date(2026, 1, 3)) == date(2025, 12, 30)


def test_item_date_implies_this_year_when_not_after_today() -> None:
    assert item_date("[02-25]", url=None, today=date(2026, 3, 1)) == date(2026, 2, 25)
    assert item_date("[03-01]", url=None, today=date(2026, 3, 1)) == date(2026, 3, 1)
    assert item_date("[03-02]", url=None, today=date(2026, 3, 1)) == date(2025, 3, 2)


def test_item_date_feb_29_goes_back_to_a_leap_year() -> None:
    assert item_date("[02-29]", url=None, today=date(2026, 3, 1)) == date(2024, 2, 29)


def test_item_date_takes_year_from_agreeing_url() -> None:
    # An old item on a list seen in 2026: the URL says 2024, and month-day agree.
    url = "http://www.example.gov.cn/xxgk/202412/t20241230_99.html"
    assert item_date("[12-30]", url=url, today=date(2026, 1, 3)) == date(2024, 12, 30)
    hanweb = "/art/2023/2/25/art_1_2.html"
    assert item_date("02-25", url=hanweb, today=TODAY) == date(2023, 2, 25)


def test_item_date_takes_year_from_a_month_folder_of_the_same_month() -> None:
    # county CMSs file articles under /YYYYMM/<32 hex>.shtml: the folder names the year
    url = "http://www.example.gov.cn/202412/0f9a20e07913debeb920f9a08c3cf0dc.shtml"
    assert item_date("[12-30]", url=url, today=date(2026, 1, 3)) == date(2024, 12, 30)


def test_item_date_ignores_a_url_of_another_month() -> None:
    url = "http://www.example.gov.cn/xxgk/202411/t20241129_99.html"
    assert item_date("[12-30]", url=url, today=date(2026, 1, 3)) == date(2025, 12, 30)


@pytest.mark.parametrize(
    "text",
    [
        "[02-30]",
        "[13-01]",
        "关于1-3季度的通报",
        "2024-25赛季",
        "10-12月",
        "1989-02-25",
        "1985年3月5日",
        "无日期",
    ],
)
def test_item_date_rejects_non_dates(text: str) -> None:
    assert item_date(text, url=None, today=TODAY) is None


def test_item_date_does_not_date_from_url_alone() -> None:
    assert item_date("关于做好春耕工作的通知", url="/202502/t20250225_1.html", today=TODAY) is None


# --- article_date ------------------------------------------------------------------------------

NO_DATE_URL = "http://www.example.gov.cn/gkmlpt/content/1/2/post_123.html"
BANNER = '<div class="header"><span>今天是2026年11月24日 星期二</span></div>'
FOOTER = (
    '<div id="footer"><p>版权所有：某某市人民政府办公室 Copyright © 2005-2026</p>'
    "<p>网站更新日期：2026-11-24</p></div>"
)


def page(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )


def test_article_label_wins_over_banner_and_footer() -> None:
    tree = page(
        BANNER
        + '<div class="content"><h1>关于开展安全检查的通知</h1>'
        + "<div>发布时间：2026-01-22 11:40:11</div><p>正文。</p></div>"
        + FOOTER
    )
    assert article_date(tree, NO_DATE_URL) == date(2026, 1, 22)


def test_article_with_only_a_banner_date_has_no_date() -> None:
    tree = page(BANNER + "<div class='content'><h1>机构职能</h1><p>负责全市工作。</p></div>")
    assert article_date(tree, NO_DATE_URL) is None


def test_article_with_only_footer_dates_has_no_date() -> None:
    tree = page("<div class='content'><p>正文。</p></div>" + FOOTER)
    assert article_date(tree, NO_DATE_URL) is None


def test_article_ignores_unmarked_banner_and_copyright_blocks() -> None:
    # No telling class: the 今天是 / 版权所有 text itself marks the block as chrome.
    tree = page(
        "<div id='riqi'>今天是 日期：2026年11月24日 星期二</div>"
        "<div><p>正文。</p></div>"
        "<div><p>版权所有 某某市人民政府 日期：2026-11-24</p></div>"
    )
    assert article_date(tree, NO_DATE_URL) is None


@pytest.mark.parametrize("cls", ["top", "banner", "date-bar", "today", "bottom", "copyright"])
def test_article_ignores_dates_in_chrome_classes(cls: str) -> None:
    tree = page(f"<div class='x-{cls}-y'>日期：2026-11-24</div><p>正文。</p>")
    assert article_date(tree, NO_DATE_URL) is None


def test_article_ignores_header_footer_tags_and_scripts() -> None:
    tree = page(
        "<header>时间：2026-11-24</header><script>var d='发布时间：2026-11-23';</script>"
        "<p>正文。</p><footer>日期：2026-11-22</footer>"
    )
    assert article_date(tree, NO_DATE_URL) is None


def test_article_ignores_commented_out_markup() -> None:
    tree = page("<!-- <div>发布时间：2019-01-01</div> --><p>正文。</p>")
    assert article_date(tree, NO_DATE_URL) is None


def test_article_fragment_that_is_itself_a_banner_has_no_date() -> None:
    tree = lxml.html.fromstring("<div class='top-bar'>日期：2026-11-24</div>")
    assert article_date(tree, NO_DATE_URL) is None


def test_article_meta_pubdate_only() -> None:
    tree = page("<p>正文。</p>", head='<meta name="PubDate" content="2026-05-18 10:19">')
    assert article_date(tree, NO_DATE_URL) == date(2026, 5, 18)


@pytest.mark.parametrize("name", ["publishdate", "FirstPublishedTime", "pubdate"])
def test_article_meta_names_are_case_insensitive(name: str) -> None:
    tree = page("<p>正文。</p>", head=f'<meta name="{name}" content="2026-05-18">')
    assert article_date(tree, NO_DATE_URL) == date(2026, 5, 18)


def test_article_visible_label_wins_over_a_disagreeing_meta() -> None:
    # What readers see beside 发布日期 is the publication date; a meta is a hint.
    tree = page(
        "<div>发布日期:2024-03-20</div>", head='<meta name="PubDate" content="2024-03-19 09:00">'
    )
    assert article_date(tree, NO_DATE_URL) == date(2024, 3, 20)


def test_article_build_time_alone_is_no_publication_date() -> None:
    # TRS "others" records when the page was generated: a template change moves it.
    others = '<meta name="others" content="页面生成时间 2026-05-20 10:19:03">'
    assert article_date(page("<p>正文。</p>", head=others), NO_DATE_URL) is None
    both = others + '<meta name="PubDate" content="2026-05-18">'
    assert article_date(page("<p>正文。</p>", head=both), NO_DATE_URL) == date(2026, 5, 18)


def test_article_trs_url_only() -> None:
    tree = page("<div class='content'><p>正文。</p></div>")
    url = "http://www.example.gov.cn/xxgk/202502/t20250225_123456.html"
    assert article_date(tree, url) == date(2025, 2, 25)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间：2026-01-22 11:40:11", date(2026, 1, 22)),
        ("发布日期:2024-03-20", date(2024, 3, 20)),
        ("发布时间： 2021年12月25日", date(2021, 12, 25)),
        ("发稿时间：2023/05/06", date(2023, 5, 6)),
        ("发文日期：2022-7-8", date(2022, 7, 8)),
        ("日期：2020-01-02", date(2020, 1, 2)),
        ("时间 ： 2019.03.04", date(2019, 3, 4)),
    ],
)
def test_article_labels(line: str, expected: date) -> None:
    tree = page(f"<div class='content'><h1>标题</h1><div>{line}</div><p>正文。</p></div>")
    assert article_date(tree, "/202401/t20240101_1.html") == expected


def test_article_label_wins_over_url() -> None:
    tree = page("<div>发布日期：<span>2024-03-20</span></div>")
    assert article_date(tree, "/202401/t20240101_1.html") == date(2024, 3, 20)


def test_article_publication_label_wins_over_generic_label() -> None:
    # 信息公开 metadata table: 成文日期 comes first but is not the publication date.
    tree = page(
        "<table><tr><td>成文日期：</td><td>2025-02-20</td></tr>"
        "<tr><td>发布日期：</td><td>2025-02-25</td></tr></table>"
    )
    assert article_date(tree, NO_DATE_URL) == date(2025, 2, 25)


def test_article_info_line_without_label() -> None:
    tree = page(
        "<div class='content'><h1>标题</h1>"
        "<div class='info'><span>2025-02-25</span><span>来源：市政府办公室</span>"
        "<span>浏览次数：<b>12</b></span></div>"
        "<p>会议指出，2024年12月1日起施行的办法效果良好。</p></div>"
    )
    assert article_date(tree, "/202401/t20240101_1.html") == date(2025, 2, 25)


def test_article_info_line_digits_do_not_fuse_across_tags() -> None:
    # Minified markup: the click count and the date are adjacent text nodes.
    tree = page("<div class='info'>点击：<b>35</b>2025-02-25</div><p>正文。</p>")
    assert article_date(tree, NO_DATE_URL) == date(2025, 2, 25)


def test_article_body_dates_without_label_are_not_publication_dates() -> None:
    tree = page("<div class='content'><p>办法自2024年12月1日起施行。</p></div>")
    assert article_date(tree, NO_DATE_URL) is None


def test_article_labelled_date_wins_over_the_page_generation_meta() -> None:
    # TRS "others" meta is when the page was generated (templates regenerate old pages).
    others = '<meta name="others" content="页面生成时间 2026-05-20 10:19:03">'
    tree = page("<div>发布时间：2025-02-25</div><p>正文。</p>", head=others)
    assert article_date(tree, NO_DATE_URL) == date(2025, 2, 25)


def test_item_date_month_day_in_a_month_folder_takes_the_folders_year() -> None:
    url = "http://www.example.gov.cn/202401/0f9a20e07913debeb920f9a08c3cf0dc.shtml"
    assert item_date("[01-20]", url=url, today=TODAY) == date(2024, 1, 20)
    assert item_date("[01-20]", url=None, today=TODAY) == date(2026, 1, 20)


def padded(text: str, length: int) -> str:
    """*text* followed by full stops up to exactly *length* characters."""
    return text + "。" * (length - len(text))


@pytest.mark.parametrize(("length", "dated"), [(300, True), (301, False)])
def test_an_info_line_is_at_most_300_characters(length: int, dated: bool) -> None:
    info = padded("来源：市政府办公室 2025-02-25 ", length)
    tree = page(f"<div class='info'>{info}</div>")
    assert article_date(tree, NO_DATE_URL) == (date(2025, 2, 25) if dated else None)


@pytest.mark.parametrize(("length", "dated"), [(500, False), (501, True)])
def test_a_copyright_block_is_at_most_500_characters(length: int, dated: bool) -> None:
    # Up to 500 characters, 版权所有 marks page chrome; longer, it is a container of the page.
    block = padded("发布时间：2025-02-25 版权所有 某某市人民政府", length)
    tree = page(f"<div>{block}</div>")
    assert article_date(tree, NO_DATE_URL) == (date(2025, 2, 25) if dated else None)


def test_item_date_feb_29_reaches_back_eight_years_over_2100() -> None:
    # 2100 is no leap year: from 2104-02-28 the latest 02-29 is 2096's.
    assert item_date("[02-29]", url=None, today=date(2104, 2, 28)) == date(2096, 2, 29)


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("199001", date(1990, 1, 20)),
        ("210001", date(2100, 1, 20)),
        ("198901", date(2026, 1, 20)),  # out of range: the year is implied instead
        ("210101", date(2026, 1, 20)),
    ],
)
def test_item_date_believes_month_folders_of_1990_to_2100(folder: str, expected: date) -> None:
    url = f"http://www.example.gov.cn/{folder}/0f9a20e07913debeb920f9a08c3cf0dc.shtml"
    assert item_date("[01-20]", url=url, today=TODAY) == expected


def test_article_info_line_inside_a_long_article() -> None:
    # The first info line found wins; the article around it is far longer than one.
    tree = page(
        "<div class='content'><h1>标题</h1>"
        "<div class='info'><span>来源：市政府办公室</span> 2025-02-25</div>"
        "<div class='info2'><span>作者：某某</span></div>"
        f"<p>{'会议指出，' * 80}</p></div>"
    )
    assert article_date(tree, NO_DATE_URL) == date(2025, 2, 25)


def test_article_dates_in_other_metas_are_not_publication_dates() -> None:
    head = '<meta name="description" content="2019-01-01 会议纪要">'
    assert article_date(page("<p>正文。</p>", head=head), NO_DATE_URL) is None
    two = ('<meta name="others" content="页面生成时间 2026-05-20">'
           '<meta name="others" content="页面生成时间 2026-05-21">')
    assert article_date(page("<p>正文。</p>", head=two), NO_DATE_URL) is None


# --- article_date: what a label says -----------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["发布时间：", "发布日期:", "发表时间：", "公告时间 ", "公示时间：", "上载日期 ", "上 载 日 期 ",
     "公开日期：", "生成日期：", "发 布 时 间："],
)
def test_article_publication_labels(label: str) -> None:
    tree = page(f"<div>{label}2025-02-25</div><p>会议于2025年1月3日召开。</p>")
    assert article_date(tree, "/202401/t20240101_1.html") == date(2025, 2, 25)


@pytest.mark.parametrize(
    "label",
    ["归档时间：", "留言时间：", "截止时间：", "生效时间：", "更新时间：", "开标时间：",
     "招标公告日期：", "采购公告发布时间：", "原公告发布日期：", "更正公告日期：", "页面生成时间 ",
     "时间 ", "日期 "],
)
def test_article_other_labelled_dates_are_not_the_articles(label: str) -> None:
    tree = page(f"<div>{label}2025-02-25</div><p>正文。</p>")
    assert article_date(tree, NO_DATE_URL) is None


def test_article_bare_label_after_another_word_counts() -> None:
    # 来源:岳阳市政府门户网 日期:2017-01-12 — the space ends the word before 日期.
    tree = page("<div>来源:岳阳市政府门户网 日期:2017-01-12 17:08</div>")
    assert article_date(tree, NO_DATE_URL) == date(2017, 1, 12)


def test_article_document_date_ranks_below_a_publication_meta_and_above_the_url() -> None:
    shown = "<table><tr><td>成文日期：</td><td>2025-02-20</td></tr></table>"
    meta = '<meta name="PubDate" content="2025-02-25 09:00">'
    url = "/202503/t20250301_1.html"
    assert article_date(page(shown, head=meta), url) == date(2025, 2, 25)
    assert article_date(page(shown), url) == date(2025, 2, 20)
    assert article_date(page("<p>正文。</p>"), url) == date(2025, 3, 1)


@pytest.mark.parametrize("build", ["others", "Maketime", "createDate"])
def test_article_pubdate_equal_to_a_build_meta_is_a_rebuild(build: str) -> None:
    head = (f'<meta name="{build}" content="2026-05-20 10:19:03">'
            '<meta name="PubDate" content="2026-05-20 10:19">')
    assert article_date(page("<p>正文。</p>", head=head), NO_DATE_URL) is None
    shown = "<div>发文日期：2026-03-02</div>"
    assert article_date(page(shown, head=head), NO_DATE_URL) == date(2026, 3, 2)


def test_article_url_breaks_a_tie_between_shown_dates() -> None:
    # Two publication dates shown (a reprint's and the site's): the URL names the site's.
    shown = "<div>发布时间：2025-02-20</div><div>发布时间：2025-02-25</div>"
    assert article_date(page(shown), "/202502/t20250225_1.html") == date(2025, 2, 25)
    assert article_date(page(shown), NO_DATE_URL) == date(2025, 2, 20)


def test_article_publication_label_wins_over_the_info_line_and_both_over_the_meta() -> None:
    meta = '<meta name="PubDate" content="2025-01-01">'
    info = "<div class='info'>2025-02-20 来源：市政府办公室</div>"
    assert article_date(page(info, head=meta), NO_DATE_URL) == date(2025, 2, 20)
    labelled = info + "<div>发布日期：2025-02-25</div>"
    assert article_date(page(labelled, head=meta), NO_DATE_URL) == date(2025, 2, 25)
