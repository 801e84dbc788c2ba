"""Page roles on real pages of government portals (fixtures/real/, labelled by hand).

Each page is read as the crawl reads a page its navigation offers (a candidate reached from
a menu); the label says what the page is: a hub, a landing page of blocks (no column), a
list with its items. Whatever else, a hub or a landing page is never a blank list.

Known gap: the 梅江区 hub keeps its service links in ``div.yjx_menu``, which the crawler takes
for navigation (the ``menu`` word); it reads the page as no column at all, not as a hub.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govwatch.core.vocabulary import ColumnRole
from govwatch.crawler.pages.reading import Visit, read_page
from govwatch.crawler.records import ListPageRecord

REAL = Path(__file__).parent / "fixtures" / "real"
TODAY = date(2026, 11, 24)

# file -> (URL it was saved from, name on the menu that leads to it, hand-written label:
# the column role, or None for a page that is no column; items it lists)
LABELS = {
    "meijiang_yjx.html": ("http://yjx.meijiang.gov.cn/complaint?areacode=441402",
                          "政府信息公开意见箱", ColumnRole.HUB, 0),  # read as no column: gap
    "handan_xxgk.html": ("http://hdzfxxgk.hd.gov.cn/", "政府信息公开", None, 0),
    "yichun_zwyw.html": ("http://www.yichun.gov.cn/xxgk/zwdt/zwyw/", "政务要闻",
                         ColumnRole.LIST, 6),
}


def read(name: str) -> ListPageRecord | None:
    """The column record the crawl makes of the page, reached from a menu."""
    url, link_text, _, _ = LABELS[name]
    visit = Visit(site_id="real", site_url=url, url=url, status=200,
                  content_type="text/html; charset=utf-8", encoding="utf-8",
                  declared_encoding="utf-8", body=(REAL / name).read_bytes(),
                  meta={"hops": 1, "link_text": link_text, "nav": True, "candidate": True},
                  fetched_at="2026-11-24T08:00:00+08:00")
    reading = read_page(visit, today=TODAY, max_list_pages=5, sample_footer=False)
    columns = [r for r in reading.records if isinstance(r, ListPageRecord)]
    assert len(columns) <= 1
    return columns[0] if columns else None


@pytest.mark.parametrize("name", sorted(LABELS))
def test_a_real_page_is_never_a_blank_list_unless_it_is_one(name):
    _, _, role, items = LABELS[name]
    column = read(name)
    if role is ColumnRole.LIST:
        assert column is not None and (column.role, column.item_count) == (role.value, items)
    else:  # a hub or a landing page: no column, or a column of another role
        assert column is None or column.role != ColumnRole.LIST, name


def test_the_real_landing_page_is_no_column():
    assert read("handan_xxgk.html") is None
