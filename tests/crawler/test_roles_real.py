"""Page roles on real pages of government portals (fixtures/real/, labelled by hand).

Each page is read as the crawl reads a page its navigation offers (a candidate reached from
a menu); the label says what an inspector sees on the page: a hub, a landing page of blocks
(no column), a list with the items it prints. The labels were written by reading each page,
not from the crawler's output (fixtures/real/README.md says where each page came from).

Two bars: the role is right on at least 95 % of the pages, and a page that is not a list
(a hub, a text page, a form, a landing page) never comes out as an empty list, which is the
false 空白栏目 an auditor catches first.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest

from govwatch.core.vocabulary import ColumnRole
from govwatch.crawler.pages.columns import content_of, dated_lists, main_list, undated_role
from govwatch.crawler.pages.page import Page
from govwatch.crawler.pages.reading import Visit, read_page
from govwatch.crawler.records import ListPageRecord

REAL = Path(__file__).parent / "fixtures" / "real"
TODAY = date(2026, 11, 24)
HUB, LIST = ColumnRole.HUB, ColumnRole.LIST


class Label(NamedTuple):
    """What a page is, read by hand."""

    url: str  # the address it was saved from (README: where a path is inferred)
    link_text: str  # the menu entry that leads to it
    role: ColumnRole | None  # None: no column at all (a landing page of blocks)
    items: int = 0  # dated items the page itself lists


LABELS = {
    # 梅江区 政府信息公开意见箱: four services in div.yjx_menu, 信息公开 links in div.le_menu
    "meijiang_yjx.html": Label("http://yjx.meijiang.gov.cn/complaint?areacode=441402",
                               "政府信息公开意见箱", HUB),
    # 邯郸 政府信息公开 index: blocks of dated items with 更多 links
    "handan_xxgk.html": Label("http://hdzfxxgk.hd.gov.cn/", "政府信息公开", None),
    # 邯郸 政府信息公开指南: the 44 departments, each a link to its own guide
    "handan_gkzn.html": Label("http://hdzfxxgk.hd.gov.cn/zfxxgkzn/", "政府信息公开指南", HUB),
    # 邯郸 近期信息公开: a table of one document (名称, 索引号, 发布机构, 发布日期) and a pager
    "handan_jqxxgk.html": Label("http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/", "近期信息公开",
                                LIST, 1),
    "yichun_zwyw.html": Label("http://www.yichun.gov.cn/xxgk/zwdt/zwyw/", "政务要闻", LIST, 6),
    "yuanzhou_zwyw.html": Label("http://www.yzq.gov.cn/zwgk/zwdt/zwyw/", "政务要闻", LIST, 25),
    "zhangshu_zhxx.html": Label("http://www.zhangshu.gov.cn/zwgk/zhxx/", "综合信息", LIST, 10),
    "fengcheng_fcxw.html": Label("http://www.jxfc.gov.cn/n3/n13/index.html", "丰城新闻", LIST, 10),
    "ordos_egb_xxgknb.html": Label("http://egb.ordos.gov.cn/xxgk/xxgknb/", "信息公开年报",
                                   LIST, 10),
}


def page(name: str) -> Page:
    """The fixture parsed as the reader parses it."""
    return Page.parse(LABELS[name].url, (REAL / name).read_text(encoding="utf-8"))


def read(name: str) -> ListPageRecord | None:
    """The column record the crawl makes of the page, reached from a menu."""
    label = LABELS[name]
    visit = Visit(site_id="real", site_url=label.url, url=label.url, status=200,
                  content_type="text/html; charset=utf-8", encoding="utf-8",
                  declared_encoding="utf-8", body=(REAL / name).read_bytes(),
                  meta={"hops": 1, "link_text": label.link_text, "nav": True,
                        "candidate": True},
                  fetched_at="2026-11-24T08:00:00+08:00")
    reading = read_page(visit, today=TODAY, max_list_pages=5, sample_footer=False)
    columns = [r for r in reading.records if isinstance(r, ListPageRecord)]
    assert len(columns) <= 1
    return columns[0] if columns else None


def verdict(name: str) -> tuple[str | None, int]:
    """(role, items) as the crawler reads the page; (None, 0) for no column."""
    column = read(name)
    return (column.role, column.item_count) if column else (None, 0)


def expected(name: str) -> tuple[str | None, int]:
    label = LABELS[name]
    return (label.role.value if label.role else None, label.items)


def test_every_fixture_is_labelled():
    assert sorted(p.name for p in REAL.glob("*.html")) == sorted(LABELS)


def test_roles_on_real_pages_are_right_at_least_95_percent_of_the_time():
    misses = {name: verdict(name) for name in LABELS if verdict(name) != expected(name)}
    right = len(LABELS) - len(misses)
    assert right / len(LABELS) >= 0.95, (
        f"{right}/{len(LABELS)} right; misses (read, labelled): "
        + "; ".join(f"{n}: {v} != {expected(n)}" for n, v in sorted(misses.items())))


@pytest.mark.parametrize("name", sorted(n for n, lb in LABELS.items() if lb.role is not LIST))
def test_a_page_that_is_no_list_is_never_an_empty_list(name):
    role, items = verdict(name)
    assert not (role == LIST.value and items == 0), f"{name} read as an empty list"


# -- one test per fix, each on the real page that showed the fault ---------------------------


def test_a_menu_of_the_pages_own_services_is_its_content():
    """梅江区: the services sit in div.yjx_menu, below the page's own path (/complaint/…);
    a menu of the page's own sub-pages is what the page offers, not site navigation."""
    anchors = content_of(page("meijiang_yjx.html")).anchors
    assert {"我要提出意见建议", "我要提出投诉举报", "查询投诉举报办理情况"} <= set(anchors)
    assert verdict("meijiang_yjx.html") == (HUB.value, 0)


def test_a_menu_of_other_sections_stays_navigation():
    """梅江区's left menu (div.le_menu) leads to another host's 信息公开 pages: navigation,
    so it is not counted as the page's content."""
    assert "政府信息公开指南" not in content_of(page("meijiang_yjx.html")).anchors


def test_a_search_box_named_like_a_list_is_no_empty_list():
    """邯郸 指南: the search box sits in div.zwxxgk_ss ('xxgk', a list word) with only an input
    in it; an empty container holding a form field is a search box, not an empty list, and
    it no longer hides that the page is a hub of department guides."""
    assert content_of(page("handan_gkzn.html")).empty_list is False
    assert verdict("handan_gkzn.html") == (HUB.value, 0)


def test_a_table_row_is_dated_by_its_publication_date_column():
    """邯郸 近期信息公开: the table's heads are 名称, 索引号, 发布机构, 发布日期; the row's date
    is under 发布日期, not under 发布机构, the first head that says 发布."""
    own = main_list(dated_lists(page("handan_jqxxgk.html"), TODAY))
    assert own is not None and [i.date for i in own.items] == [date(2020, 8, 5)]
    assert verdict("handan_jqxxgk.html") == (LIST.value, 1)


def test_a_search_bar_with_a_drop_down_is_no_form():
    """邯郸 近期信息公开 searches by a keyword and a drop-down of fields (全部, 正文, 名称…);
    that is a search bar. With its one row taken out, the page is a list frame with nothing
    in it (a blank column), not an online form."""
    emptied = page("handan_jqxxgk.html")
    row = next(a for a in emptied.tree.iter("a") if "学校安全" in (a.get("title") or ""))
    row.getparent().getparent().getparent().remove(row.getparent().getparent())
    assert main_list(dated_lists(emptied, TODAY)) is None
    assert content_of(emptied).fields == 0 and undated_role(emptied) is None
