"""Which URLs continue a column's list (crawler.pages.pagination)."""

from govwatch.crawler.pages.page import Page
from govwatch.crawler.pages.pagination import continuation_urls, first_page, page_number, same_list


def test_trs_create_page_html_announces_pages_without_links():
    page = Page.parse(
        "http://h/gzdt/index.html",
        '<ul></ul><script>createPageHTML(4, 0, "index", "html");</script>',
    )
    assert continuation_urls(page, 100) == [
        "http://h/gzdt/index_1.html",
        "http://h/gzdt/index_2.html",
        "http://h/gzdt/index_3.html",
    ]


def test_newer_trs_call_with_element_id_first():
    page = Page.parse(
        "http://h/tzgg/", "<script>createPageHTML('page_div',3,0,'index','shtml',45);</script>"
    )
    assert continuation_urls(page, 100) == [
        "http://h/tzgg/index_1.shtml",
        "http://h/tzgg/index_2.shtml",
    ]


def test_list_page_cap_bounds_pagination():
    page = Page.parse(
        "http://h/a/index.html", '<script>createPageHTML(500,0,"index","html")</script>'
    )
    assert len(continuation_urls(page, 10)) == 9


def test_plain_pager_links_to_other_pages_of_the_same_list_only():
    html = """
    <ul><li><a href="/art/1.html">一</a></li></ul>
    <div class="page"><a href="list.jsp?col=7&page=2">2</a><a href="list.jsp?col=7&page=3">下一页</a>
    <a href="list.jsp?col=8&page=2">别的栏目</a></div>"""
    page = Page.parse("http://h/list.jsp?col=7", html)
    assert continuation_urls(page, 100) == [
        "http://h/list.jsp?col=7&page=2",
        "http://h/list.jsp?col=7&page=3",
    ]


def test_first_page_and_page_number():
    assert first_page("http://h/gzdt/index_3.html") == "http://h/gzdt/index.html"
    assert page_number("http://h/gzdt/index_3.html") == 3
    assert page_number("http://h/a/column-index-3.shtml") == 2
    assert page_number("http://h/list.jsp?col=7&page=2") == 1
    assert first_page("http://h/202501/t20250101_12.html") == "http://h/202501/t20250101_12.html"


def test_directory_and_its_index_are_one_list():
    assert same_list("http://h/gzdt/", "http://h/gzdt/index_2.html")
    assert not same_list("http://h/gzdt/", "http://h/tzgg/index_2.html")
