"""Reading one fetched HTML page: what it is, what it holds, and where the crawl goes next.

The crawl hands each HTML page over as a :class:`Visit` (its bytes, the charset the crawl
chose, and what the crawl knew when it asked for it); :func:`read_page` parses it once
(:class:`~crawler.pages.page.Page`) and returns a :class:`Reading`: the records of the page (the
page, its text, its links, its footer identifiers when sampled, its dated items and, for a
column's list page, the column) and its :class:`Leads`, the URLs the crawl follows next and
every link target the page carries. Nothing here needs a Scrapy response, so the reading
runs in the writer process (:mod:`crawler.writer`), on the other core, beside the crawl.

:func:`reading_key` names what of a visit the reading depends on besides the page's bytes:
a page that answers a conditional request with 304 may reuse its stored reading only when
it was reached the same way (:mod:`crawler.revalidate`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from w3lib.encoding import html_to_unicode

from govwatch.core.vocabulary import CheckError, ColumnClass, ColumnRole, LinkKind
from govwatch.crawler.pages import boards, dates, pagination
from govwatch.crawler.pages.classes import classify_column, find_empty_note
from govwatch.crawler.pages.columns import (
    DatedList,
    column_name,
    dated_lists,
    has_list_frame,
    is_landing,
    main_list,
    main_text,
    main_text_length,
    undated_role,
)
from govwatch.crawler.pages.errorpage import ErrorSigns
from govwatch.crawler.pages.footer import footer_facts
from govwatch.crawler.pages.links import Link, page_links, target_url
from govwatch.crawler.pages.page import Page
from govwatch.crawler.records import (
    DecisionsRecord,
    FooterRecord,
    ItemsRecord,
    LinksRecord,
    ListPageRecord,
    MessagesRecord,
    PageRecord,
    ScanRecord,
    TextRecord,
)

# A menu page with no list and no list frame needs this much main text to be a text column,
# unless its menu text names an overview (机构概况, 县情概况), which may be short.
_BLANK_PAGE_CHARS = 150
# A list with this many dated items makes a page a column even when an article-like date is
# printed on it (list pages of some CMSs label each item 发布时间).
_SURE_LIST_SIZE = 3
_SITEMAP = re.compile(r"网站地图|站点地图|sitemap", re.I)
# The request meta a reading depends on; each is set by the crawl when it asks for a page.
READING_META = ("home", "hops", "link_text", "nav", "candidate", "column_url", "page_no")
# Changes with any change to what a reading extracts, so stored readings are not reused.
# 2: page roles and publication dates read anew; 3: error pages (soft 404s) are no
# longer read as content; 4: boards' messages and 双公示 decisions.
READER_VERSION = 4


@dataclass
class Visit:
    """A fetched HTML page as the crawl hands it over to be read."""

    site_id: str
    site_url: str  # the site's home page: links to its host are followed
    url: str
    status: int
    content_type: str | None
    encoding: str  # the codec the crawl chose (crawler.encoding)
    declared_encoding: str | None
    body: bytes
    meta: dict[str, Any]  # READING_META of its request
    fetched_at: str
    etag: str | None = None  # validators for the next scan's conditional request
    last_modified: str | None = None

    @property
    def home(self) -> bool:
        return bool(self.meta.get("home"))


# Where a page leads: a request to make, as (url, method, priority, meta); a POST's form
# fields are its meta's "form" (a Hanweb dataproxy group, crawler/pages/pagination.py).
FollowUp = tuple[str, str, int, dict[str, Any]]


@dataclass
class Leads:
    """Where a page leads the crawl: small, so it crosses back from the reader cheaply."""

    follow: list[FollowUp] = field(default_factory=list)  # before the site's depth limit
    targets: list[tuple[str, str]] = field(default_factory=list)  # (target, LinkKind)
    column: bool = False  # the first page of a column's list

    def to_json(self) -> str:
        return json.dumps([self.follow, self.targets, self.column], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Leads:
        follow, targets, column = json.loads(text)
        return cls([tuple(f) for f in follow], [tuple(t) for t in targets], column)


@dataclass
class Reading:
    """What reading one page found: its records for the scan tables, and its leads."""

    records: list[ScanRecord]
    leads: Leads
    error_page: str | None = None  # what shows the page is an error page (a soft 404)


def reading_key(meta: Mapping[str, Any]) -> str:
    """A short digest of what of a request's *meta* the reading of its page depends on."""
    values = [READER_VERSION, *(meta.get(name) for name in READING_META)]
    digest = hashlib.blake2b(json.dumps(values, ensure_ascii=False).encode(), digest_size=8)
    return digest.hexdigest()


def read_page(visit: Visit, *, today: date, max_list_pages: int, sample_footer: bool,
              signs: ErrorSigns | None = None) -> Reading:
    """Read *visit*: its records and leads. *sample_footer*: read its footer identifiers
    (the home page's always are). With *signs*, a page (not the home page) that is an error
    page is not read as content (:func:`_error_page`)."""
    meta = visit.meta
    text = html_to_unicode(f"charset={visit.encoding}", visit.body)[1]
    page = Page.parse(visit.url, text)
    if signs is not None and not visit.home and (sign := signs.page_sign(page)) is not None:
        return _error_page(visit, page, sign)
    lists = dated_lists(page, today)
    column = _list_page(visit, page, lists)
    pub_date = None if column or visit.home else dates.article_date(page.tree, page.url)
    links = _checkable(page_links(page))
    records: list[ScanRecord] = [
        PageRecord(
            site_id=visit.site_id,
            url=visit.url,
            status=visit.status,
            content_type=visit.content_type,
            kind="html",
            depth=meta.get("hops", 0),
            title=page.title,
            pub_date=pub_date.isoformat() if pub_date else None,
            encoding=visit.encoding,
            declared_encoding=visit.declared_encoding,
            fetched_at=visit.fetched_at,
        ),
        TextRecord(visit.site_id, page.url, page.visible_text, text if visit.home else None),
        LinksRecord(visit.site_id, page.url, [(ln.target, ln.anchor, ln.kind) for ln in links]),
    ]
    if visit.home or sample_footer:
        records.append(FooterRecord(visit.site_id, page.url, _footer(page)))
    records.extend(_items(visit.site_id, page, lists, column))
    records.extend(_dated_records(visit, page, column))
    follow: list[FollowUp] = []
    if column is not None:
        records.append(column)
        follow.extend(_pagination(meta, page, column, max_list_pages))
    hub = visit.home or is_landing(lists) or _SITEMAP.search(f"{page.title} "
                                                             f"{meta.get('link_text', '')}")
    follow.extend(_links_to_follow(visit, links, hub=bool(hub)))
    leads = Leads(
        follow=follow,
        targets=[(ln.target, ln.kind.value) for ln in links],
        column=column is not None and column.page_no == 0,
    )
    return Reading(records, leads)


# -- what a page is ----------------------------------------------------------------------


def _error_page(visit: Visit, page: Page, sign: str) -> Reading:
    """An error page answered with 200 (a soft 404): recorded as fetched, with its title and
    the reason, and nothing else. No text, links, dates, items or column come from it, and
    the crawl goes nowhere from it; its link check is the writer's to mark broken."""
    record = PageRecord(
        site_id=visit.site_id, url=visit.url, status=visit.status,
        content_type=visit.content_type, kind="html", depth=visit.meta.get("hops", 0),
        title=page.title, encoding=visit.encoding, declared_encoding=visit.declared_encoding,
        error=CheckError.SOFT_404, fetched_at=visit.fetched_at,
    )
    return Reading([record], Leads(), error_page=sign)


def _list_page(visit: Visit, page: Page, lists: list[DatedList]) -> ListPageRecord | None:
    """The column list page *page* is, or None for home, landing and article pages."""
    meta = visit.meta
    own = main_list(lists)
    column_url = meta.get("column_url")
    page_no = meta.get("page_no", 0)
    if column_url is None and pagination.page_number(page.url) > 0:
        column_url = pagination.list_key(page.url)  # a later page reached by a plain link
        page_no = pagination.page_number(page.url)
    name, source = column_name(page, meta.get("link_text", ""))
    role, note = ColumnRole.LIST, None
    if column_url is None:
        if visit.home or is_landing(lists):
            return None
        candidate = bool(meta.get("candidate"))
        sure_list = own is not None and own.dated >= _SURE_LIST_SIZE
        # an overview reached from a menu may print 更新时间 like an article does
        overview = candidate and classify_column(name) is ColumnClass.OVERVIEW
        # A dated page that names itself an article (ArticleTitle, the CMS article-page meta)
        # is one even when its body lists dated links, as a weekly digest (一周要闻) does.
        article_like = page.meta.get("articletitle") or not (sure_list or overview)
        if article_like and dates.article_date(page.tree, page.url) is not None:
            return None
        if own is None:
            # No dated list: a blank column (空白栏目), a text column such as 机构概况, a hub
            # or a form, or not a column at all (a calendar, a search page, a contact page).
            if not candidate:
                return None
            note = find_empty_note(main_text(page))
            undated = undated_role(page) if note is None else None
            if undated is not None:
                # offered by the navigation (or built like a list, which once made it a
                # blank column); a site map is a hub of the whole site, not a column
                if not (meta.get("nav") or has_list_frame(page)) or _SITEMAP.search(
                        f"{page.title} {meta.get('link_text', '')}"):
                    return None
                role = undated
            elif note is None:
                if main_text_length(page) >= _BLANK_PAGE_CHARS:
                    if not (overview or meta.get("nav")):
                        return None
                    role = ColumnRole.TEXT  # text, even inside a list-like frame: not blank
                elif overview:
                    role = ColumnRole.TEXT  # 领导信息 may be a short table: overviews are text
                elif not has_list_frame(page):
                    return None
        elif not sure_list and not candidate:
            return None
        column_url = pagination.list_key(page.url)
    return ListPageRecord(
        site_id=visit.site_id,
        column_url=column_url,
        page_url=page.url,
        page_no=page_no,
        name=name,
        name_source=source,
        column_class=classify_column(name),
        role=role.value,
        empty_note=note,
        item_count=len(own.items) if own else 0,
    )


def _items(
    site_id: str, page: Page, lists: list[DatedList], column: ListPageRecord | None
) -> Iterator[ItemsRecord]:
    """The dated items of a column's own list, or of every list on other pages."""
    own = main_list(lists)
    chosen = ([own] if own else []) if column is not None else lists
    items = {
        item.url: (item.url, item.title, item.date.isoformat() if item.date else None)
        for lst in chosen
        for item in lst.items
    }
    if items:
        yield ItemsRecord(
            site_id, page.url, column.column_url if column else None, list(items.values())
        )


def _dated_records(visit: Visit, page: Page, column: ListPageRecord | None
                   ) -> Iterator[MessagesRecord | DecisionsRecord]:
    """A board's messages and a 双公示 list's decisions on *page*, if it holds any."""
    if not boards.holds_records(page.visible_text):
        return
    context = f"{visit.meta.get('link_text', '')} {column.name if column else ''}"
    messages = boards.read_messages(page, context)
    if messages:
        yield MessagesRecord(visit.site_id, page.url, [
            (m.url, m.title, _iso(m.asked), _iso(m.answered), m.status, m.board)
            for m in messages])
    decisions = boards.read_decisions(page, context)
    if decisions:
        yield DecisionsRecord(visit.site_id, page.url, [
            (d.url, d.title, d.kind, _iso(d.decided), _iso(d.published)) for d in decisions])


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _footer(page: Page) -> list[dict[str, Any]]:
    return [
        {"kind": f.kind.value, "raw": f.raw, "value": f.value, "valid": f.valid,
         "problem": f.problem, "link": f.link, "note": f.note}
        for f in footer_facts(page.tree)
    ]


# -- where it leads ----------------------------------------------------------------------


def _pagination(
    meta: Mapping[str, Any], page: Page, column: ListPageRecord, max_list_pages: int
) -> Iterator[FollowUp]:
    """The other pages of the column's list, within the list-page cap: pages to GET, and a
    Hanweb list's groups to POST to its dataproxy (the ``form`` of their meta)."""
    shared = {"hops": meta.get("hops", 0), "column_url": column.column_url,
              "link_text": meta.get("link_text", "")}
    urls = pagination.continuation_urls(page, max_list_pages)
    for url in urls:
        yield url, "GET", 10, {**shared, "page_no": pagination.page_number(url)}
    for group in pagination.dataproxy_pages(page, max_list_pages - len(urls)):
        yield group.url, "POST", 10, {**shared, "page_no": group.page_no, "form": group.form}


def _links_to_follow(visit: Visit, links: list[Link], *, hub: bool) -> Iterator[FollowUp]:
    """Same-site pages and documents, one hop further (the crawl applies the depth limit)."""
    hops = visit.meta.get("hops", 0) + 1
    host = _host(visit.site_url)
    for link in links:
        if link.kind not in (LinkKind.PAGE, LinkKind.DOCUMENT) or _host(link.target) != host:
            continue
        if link.kind is LinkKind.DOCUMENT:
            yield link.target, "HEAD", -10, {"hops": hops}
        else:
            # a column is reached from a menu, or from the body of a hub: the home page,
            # a section's landing page (政务公开 with its blocks and 更多 links), or the
            # site map, which lists every column (and may be reached first)
            yield link.target, "GET", 0, {
                "hops": hops,
                "link_text": link.anchor,
                "nav": link.nav,
                "candidate": link.nav or (hub and not link.chrome),
            }


def _host(url: str) -> str:
    """host[:port] of *url*, lower-cased: the same-site test for every link (a hot path)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def _checkable(links: list[Link]) -> list[Link]:
    """*links* under their targets' checked form (:func:`crawler.pages.links.target_url`), so
    a ``links`` row meets its ``link_checks`` row and its page's ``pages`` row; the first of
    two spellings of one target keeps its anchor."""
    unique: dict[str, Link] = {}
    for link in links:
        unique.setdefault(target_url(link.target), link)
    return [replace(link, target=target) for target, link in unique.items()]
