"""Column (栏目) understanding: the dated lists on a page, the column's name, and its kind.

A column is a list page of dated items (plus its paginated continuation) reached from the
site's navigation. This module reads one :class:`~crawler.pages.page.Page` and says:
- which dated lists it shows (:func:`dated_lists`): anchors grouped by their list container,
  each with the date printed beside it (dates are read by :mod:`crawler.pages.dates` only);
- which list is the page's own (:func:`main_list`), as opposed to sidebars of 热点 items,
  and whether the page is a landing page of several blocks rather than one column;
- the column's name (:func:`column_name`), from ``<meta name="ColumnName">``, the
  breadcrumb (当前位置), the navigation text that led to the page, or the title;
- whether the page is built as a list even when it lists nothing (:func:`has_list_frame`),
  and how much text it carries outside header, footer, navigation and sidebars
  (:func:`main_text_length`): a blank column (空白栏目), an overview page (概况) or neither;
- what a page without a dated list of its own holds (:func:`content_of`): its links, its form
  fields and its text, by which :func:`undated_role` tells a hub (导航页面: links to
  sub-columns, services or other systems) and a form (表单页面) from a text page or a blank
  list. A hub or a form lists nothing because it has nothing to list, not because the unit
  left it empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from lxml import etree

from govwatch.core.vocabulary import ColumnRole
from govwatch.crawler.pages import dates, pagination
from govwatch.crawler.pages.page import CHROME, Page, clean_text

_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "div"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "select", "option"})
_CRUMB_WORDS = ("crumb", "position", "location", "dqwz", "weizhi", "dangqian", "curpos")
_CRUMB_LEAD = re.compile(r"^\s*(当前位置|您的位置|您现在的位置|所在位置|现在位置)\s*[:：]?")
_CRUMB_SPLIT = re.compile(r"\s*(?:>|＞|»|›|→|/|>>|&gt;)\s*")
_CRUMB_FILLER = frozenset({"", "首页", "正文", "列表", "详情", "内容", "文章", "信息列表"})
_LIST_WORDS = ("list", "lb", "news", "xxgk", "article", "datastore", "info")
_NOT_CONTENT = frozenset({"header", "footer", "nav", "side"})
_TITLE_SPLIT = re.compile(r"\s*[-_|—–｜]+\s*")
# Lists with at least this many dated items, outside sidebars, each make a page a landing page
# (栏目首页 of several blocks) when there are two or more of them.
_LANDING_LIST_SIZE = 3
# A hub offers at least this many places to go, in short anchors (column and service names,
# not article titles), and its links carry at least half of its main text.
_HUB_LINKS = 3
_HUB_ANCHOR_CHARS = 12
# Text a reader types into: a form has at least this many fields besides a search box.
_FORM_FIELDS = 2
_LIST_TAGS = frozenset({"ul", "ol", "table", "tbody", "div", "dl"})
_FIELD_TYPES = frozenset({"", "text", "email", "tel", "number", "date", "file"})
_DATE_HEADS = ("日期", "时间")
# A menu counts as the page's own offering with at least this many links below its address.
_OWN_MENU_LINKS = 2
_PAGER_ANCHOR = re.compile(
    r"^(下一页|下页|尾页|末页|最后一页|上一页|上页|首页|第一页|\d{1,4}|>|>>|<|<<|»|«|›|‹|更多.*)$"
)


@dataclass(frozen=True)
class ListItem:
    """One entry (条目) of a dated list."""

    title: str
    url: str
    date: date | None


@dataclass(frozen=True)
class DatedList:
    """The items of one list container on a page."""

    items: tuple[ListItem, ...]
    side: bool  # in a sidebar (热点, 相关链接…), not the page's own content

    @property
    def dated(self) -> int:
        """How many items carry a date."""
        return sum(1 for item in self.items if item.date is not None)


def _usable_anchor(a: etree._Element) -> bool:
    href = (a.get("href") or "").strip()
    return bool(href) and not href.startswith(("#", "javascript:", "mailto:"))


def _item_element(a: etree._Element) -> etree._Element | None:
    for node in a.iterancestors():
        if node.tag in _ITEM_TAGS:
            return node
    return None


def _following_text(a: etree._Element) -> str:
    """Text after *a* up to the next anchor: where flat lists print an item's date."""
    parts = [a.tail or ""]
    for sibling in a.itersiblings():
        if sibling.tag == "a":
            break
        parts.append(" ".join(sibling.itertext()) if isinstance(sibling.tag, str) else "")
        parts.append(sibling.tail or "")
    return " ".join(parts)


def dated_lists(page: Page, today: date) -> list[DatedList]:
    """Every list container on *page* that carries at least one dated item."""
    groups: dict[etree._Element, list[tuple[etree._Element, etree._Element]]] = {}
    for a in page.tree.iter("a"):
        if not _usable_anchor(a):
            continue
        item = None  # the nearest item element, unless an ancestor is skipped
        for node in a.iterancestors():
            if node.tag in _SKIP_TAGS:
                break
            if item is None and node.tag in _ITEM_TAGS:
                item = node
        else:
            if item is not None and item.getparent() is not None:
                groups.setdefault(item.getparent(), []).append((item, a))
    lists = []
    for container, pairs in groups.items():
        regions = page.regions(container)
        if regions & CHROME:
            continue  # the banner's 今天是… and the footer's links are no list
        per_item: dict[etree._Element, list[etree._Element]] = {}
        for item, a in pairs:
            per_item.setdefault(item, []).append(a)
        items = []
        heads: dict[etree._Element, tuple[dict[etree._Element, int], int, int]] = {}
        for item, anchors in per_item.items():
            items.extend(_items_of(page, item, anchors, today, heads))
        entries = tuple(items)
        if any(e.date is not None for e in entries):
            lists.append(DatedList(entries, side="side" in regions))
    return lists


def _items_of(
    page: Page, item: etree._Element, anchors: list[etree._Element], today: date,
    heads: dict[etree._Element, tuple[dict[etree._Element, int], int, int]],
) -> list[ListItem]:
    """The list items one item element holds: usually one, several in flat lists. *heads*:
    what :func:`_row_date_text` learnt of each table, shared by its rows."""
    if len(anchors) > 1:
        titled = [a for a in anchors if len(clean_text(a.text_content() or a.get("title"))) >= 4]
        if len(titled) == 1:
            anchors = titled
    found = []
    for a in anchors:
        url = page.absolute(a.get("href").strip()).split("#", 1)[0]
        # itertext keeps element boundaries apart: '标题x1' + '2026-11-01' is no date '12026'
        text = (
            _row_date_text(item, heads) or " ".join(item.itertext())
            if len(anchors) == 1
            else " ".join(a.itertext()) + " " + _following_text(a)
        )
        when = dates.item_date(clean_text(text), url=url, today=today)
        title = clean_text(a.get("title")) or dates.strip_dates(clean_text(" ".join(a.itertext())))
        if title:
            found.append(ListItem(title=title, url=url, date=when))
    return found


def _row_date_text(row: etree._Element,
                   heads: dict[etree._Element, tuple[dict[etree._Element, int], int, int]]
                   ) -> str | None:
    """In a table row, the cell under a 发布 heading: 信息公开 tables also print 成文日期. The
    heading is the table's first row that names one, and counts for the rows after it."""
    if row.tag != "tr":
        return None
    table = next((t for t in row.iterancestors("table")), None)
    if table is None:
        return None
    if table not in heads:  # worked out once a table, not once a row
        heads[table] = _date_head(table)
    order, head_at, column = heads[table]
    if head_at < 0 or order.get(row, -1) <= head_at:
        return None
    cells = [c for c in row if c.tag in ("th", "td")]
    return " ".join(cells[column].itertext()) if column < len(cells) else None


def _date_head(table: etree._Element) -> tuple[dict[etree._Element, int], int, int]:
    """The rows of *table* in order, the position of its first row heading a 发布 column
    (-1 when none does) and that column."""
    order: dict[etree._Element, int] = {}
    head_at = column = -1
    for n, header in enumerate(table.iter("tr")):
        order[header] = n
        if head_at >= 0:
            continue
        labels = [clean_text(c.text_content()) for c in header if c.tag in ("th", "td")]
        # a head naming the date (发布日期) before any other 发布 head (发布机构 names the issuer)
        found = next((i for i, label in enumerate(labels)
                      if "发布" in label and any(w in label for w in _DATE_HEADS)), None)
        if found is None:
            found = next((i for i, label in enumerate(labels) if "发布" in label), None)
        if found is not None:
            head_at, column = n, found
    return order, head_at, column


def main_list(lists: list[DatedList]) -> DatedList | None:
    """The page's own list: the largest dated list outside sidebars (or anywhere, if none)."""
    own = [lst for lst in lists if not lst.side] or lists
    return max(own, key=lambda lst: lst.dated, default=None)


def is_landing(lists: list[DatedList]) -> bool:
    """Whether the page shows several blocks of dated items (a channel or home page)."""
    blocks = [lst for lst in lists if not lst.side and lst.dated >= _LANDING_LIST_SIZE]
    return len(blocks) >= 2


def column_name(page: Page, link_text: str = "") -> tuple[str, str]:
    """The column's name and where it came from: meta, breadcrumb, nav or title."""
    if page.meta.get("columnname"):
        return page.meta["columnname"], "meta"
    crumb = _breadcrumb_name(page)
    if crumb:
        return crumb, "breadcrumb"
    if link_text:
        return link_text, "nav"
    parts = [p for p in _TITLE_SPLIT.split(page.title) if p]
    return (parts[0] if parts else page.url), "title"


def _breadcrumb_name(page: Page) -> str:
    """Last named step of the innermost breadcrumb (当前位置：首页 > 政务公开 > 通知公告)."""
    crumb = _breadcrumb_element(page)
    best = clean_text(" ".join(crumb.itertext())) if crumb is not None else ""
    parts = _CRUMB_SPLIT.split(_CRUMB_LEAD.sub("", best))
    named = [p for p in parts if p not in _CRUMB_FILLER]
    return named[-1] if named else ""


def _breadcrumb_element(page: Page) -> etree._Element | None:
    """The innermost element holding the breadcrumb, if the page has one."""
    best, best_len = None, 0
    for el in page.tree.iter("div", "span", "p", "td", "ul", "ol", "nav"):
        words = f"{el.get('id', '')} {el.get('class', '')}".lower()
        text = clean_text(" ".join(el.itertext()))
        if len(text) > 120 or (best_len and len(text) >= best_len):
            continue
        if any(w in words for w in _CRUMB_WORDS) or _CRUMB_LEAD.match(text):
            best, best_len = el, len(text)
    return best


def has_list_frame(page: Page) -> bool:
    """Whether the page is built as a list, even an empty one: a pager, or a list container.

    This is what tells a blank column (空白栏目) from a calendar or a search form.
    """
    for el in page.tree.iter("script"):
        if "createPageHTML" in (el.text or ""):
            return True
    for el in page.tree.iter("ul", "ol", "table", "div", "dl"):
        if el.get("class") == "datastore-records":
            return True
        words = f"{el.get('id', '')} {el.get('class', '')}".lower()
        if any(w in words for w in _LIST_WORDS) and not page.regions(el) & _NOT_CONTENT:
            return True
    return False


def main_text_length(page: Page) -> int:
    """Characters of text outside header, footer, navigation, sidebars and scripts."""
    return sum(len(part) for part in _main_parts(page))


def main_text(page: Page) -> str:
    """The text outside header, footer, navigation, sidebars and scripts, piece by piece
    (one line per element's own text), where a column prints its 暂无信息-style note."""
    return "\n".join(_main_parts(page))


def _main_parts(page: Page) -> Iterator[str]:
    body = page.tree.find("body")
    if body is None:
        return
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        own = clean_text(el.text)
        tail = clean_text(el.tail if el.getparent() is not None else "")
        if (own or tail) and not page.regions(el) & _NOT_CONTENT:
            if own:
                yield own
            if tail:
                yield tail


@dataclass(frozen=True)
class Content:
    """What a page holds outside header, footer, navigation, sidebars and its breadcrumb."""

    text: int  # characters of text (no white space)
    link_text: int  # of which in links (pager links and menus of the page's siblings aside)
    anchors: tuple[str, ...]  # the text of each distinct place its links lead to
    fields: int  # form fields a reader fills in, search boxes aside
    empty_list: bool  # a list container (ul.list, table.list…) with nothing in it

    @property
    def short_anchors(self) -> bool:
        """Whether most anchors are names (of columns, services) rather than titles."""
        lengths = sorted(len(a) for a in self.anchors)
        return bool(lengths) and lengths[len(lengths) // 2] <= _HUB_ANCHOR_CHARS


def content_of(page: Page) -> Content:
    """The main content of *page*, measured: its text, its links and its form fields.

    Links are taken by the container that holds them; a container with a link to the page
    itself is a menu of the page's section (the current column marked in it), not the page's
    own content, however it is styled (``td.left``, ``ul.left_ul``). Conversely a container
    styled as a menu whose links lead below the page's own address is what the page offers
    (:func:`own_menus`), and counts as content.
    """
    body = page.tree.find("body")
    if body is None:
        return Content(0, 0, (), 0, False)
    crumb = _breadcrumb_element(page)
    own = pagination.list_key(page.url)
    offered = own_menus(page)
    text = 0
    groups: dict[etree._Element, list[tuple[str, str]]] = {}
    menus: set[etree._Element] = set()
    empty_list = False
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        regions = page.regions(el) & _NOT_CONTENT
        if regions and not (regions == {"nav"} and any(_inside(el, m) for m in offered)):
            continue
        if _inside(el, crumb):
            continue
        text += len(clean_text(el.text).replace(" ", "")) + len(
            clean_text(el.tail).replace(" ", ""))
        if el.tag in _LIST_TAGS and _is_empty_list(el):
            empty_list = True
        if el.tag != "a":
            continue
        label = clean_text(el.text_content()) or clean_text(el.get("title"))
        if not label:
            label = next((clean_text(i.get("alt")) for i in el.iter("img") if i.get("alt")), "")
        href = (el.get("href") or "").strip()
        if not label or not href or href == "#" or _PAGER_ANCHOR.match(label):
            continue
        item = _item_element(el)
        group = item.getparent() if item is not None and item.getparent() is not None else body
        # javascript: links of a hub load its sub-columns in place: each is a place too
        if href.lower().startswith("javascript:"):
            target = label
        else:
            target = page.absolute(href).split("#", 1)[0]
            if pagination.list_key(target) == own:
                menus.add(group)
        groups.setdefault(group, []).append((target, label))
    anchors: dict[str, str] = {}
    for group, links in groups.items():
        if group not in menus:
            for target, label in links:
                anchors.setdefault(target, label)
    link_text = sum(len(label.replace(" ", "")) for label in anchors.values())
    fields = sum(_form_fields(form) for form in body.iter("form")
                 if not page.regions(form) & _NOT_CONTENT)
    return Content(text, link_text, tuple(anchors.values()), fields, empty_list)


def _is_empty_list(el: etree._Element) -> bool:
    """A list container (by its id or class) that holds no text, no link and no form field:
    one holding an input is a search box (``div.zwxxgk_ss``), whatever its name says."""
    words = f"{el.get('id', '')} {el.get('class', '')}".lower()
    if not any(w in words for w in _LIST_WORDS):
        return False
    if next(el.iter("input", "select", "textarea"), None) is not None:
        return False
    return next(el.iter("a"), None) is None and not clean_text(el.text_content())


def own_menus(page: Page) -> list[etree._Element]:
    """Containers styled as navigation (``div.yjx_menu``) that list the page's own sub-pages.

    Navigation is the menu a site repeats on every page: it leads to the site's sections,
    which lie beside or above the page. A menu whose links lead mostly below the page's own
    address (``/complaint/suggest`` on ``/complaint``) is what this page offers, a hub's
    services or sub-columns. Only menus outside header, footer and sidebars are considered,
    and a page at the site's root has no "below" (everything is).
    """
    prefix = _own_prefix(page.url)
    if prefix is None:
        return []
    found = []
    for el in page.tree.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        regions = page.regions(el)
        parent = el.getparent()
        if "nav" not in regions or regions & _NOT_CONTENT != {"nav"} or (
                parent is not None and "nav" in page.regions(parent)):
            continue  # not the outermost element of a menu in the page's body
        targets = {page.absolute(a.get("href").strip()).split("#", 1)[0]
                   for a in el.iter("a") if _usable_anchor(a)}
        below = [t for t in targets if _below(t, prefix)]
        if len(below) >= _OWN_MENU_LINKS and 2 * len(below) > len(targets):
            found.append(el)
    return found


def _own_prefix(url: str) -> tuple[str, str] | None:
    """(host, path prefix) under which the page's own sub-pages lie, or None at the root."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.endswith("/"):
        head, _, last = path.rpartition("/")
        path = f"{head}/" if "." in last else f"{path}/"
    if path == "/":
        return None
    return (parts.hostname or "").lower(), path


def _below(target: str, prefix: tuple[str, str]) -> bool:
    parts = urlsplit(target)
    return ((parts.hostname or "").lower() == prefix[0] and parts.path.startswith(prefix[1])
            and len(parts.path) > len(prefix[1]))


def _inside(el: etree._Element, ancestor: etree._Element | None) -> bool:
    return ancestor is not None and (el is ancestor or ancestor in el.iterancestors())


def _form_fields(form: etree._Element) -> int:
    """Fields a reader types into; a form of one text box is a search box, not a form, even
    with drop-downs beside it (search by 标题, 文号, 索引号): choices alone ask nothing."""
    count = 0
    for field in form.iter("input", "textarea"):
        kind = (field.get("type") or "").lower()
        if field.tag == "textarea" or kind in _FIELD_TYPES:
            count += 1
    return count if count >= _FORM_FIELDS else 0


def undated_role(page: Page) -> ColumnRole | None:
    """The role of a page with no dated list of its own: a form, a hub, or None (a text page,
    a blank list or something else: the caller tells those apart by its text and frame)."""
    content = content_of(page)
    if content.fields:
        return ColumnRole.FORM
    if (not content.empty_list and len(content.anchors) >= _HUB_LINKS
            and content.short_anchors and 2 * content.link_text >= content.text):
        return ColumnRole.HUB
    return None
