"""The plan of a synthetic portal: what a site holds before any page is rendered.

A :class:`Site` is planned whole (sections, columns, their items, footer identifiers, broken
links) from the seed, then rendered page by page by :mod:`bench.cms` and :mod:`bench.chrome`
and written out by :mod:`bench.farm`. The plan of one site is small (a few hundred bytes per
item); the farm never holds more than one site's plan.
"""

from __future__ import annotations

import posixpath
import random
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "SCAN_DATE",
    "AnnualReport",
    "Attachment",
    "BrokenLink",
    "Column",
    "FooterFact",
    "Item",
    "Section",
    "Site",
    "SoftError",
    "Style",
    "href",
    "rng_for",
]

# The scan date the farm is built around: columns are fresh or stale relative to it, and the
# header banner prints it as "today".
SCAN_DATE = date(2026, 11, 24)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A document linked from an article; ``missing`` ones are deliberately not written."""

    path: str
    label: str
    missing: bool = False


@dataclass(slots=True)
class Item:
    """One dated entry of a column and the page (or document) it links to."""

    title: str
    day: date
    clock: str  # "HH:MM:SS" of publication, printed by article pages
    path: str  # site-absolute link target: an article page or, for direct downloads, a file
    attachments: tuple[Attachment, ...] = ()
    related_broken: str | None = None  # a 相关文件 link on the article to a deleted page
    related_soft: tuple[tuple[str, str], ...] = ()  # 相关阅读 links (target, text): soft 404s
    # Content that only looks like an error page: "quotes" (its text quotes “页面不存在” and
    # 404) or "title" (404 in its title); empty for the rest.
    lookalike: str = ""
    pinned: bool = False  # 置顶: shown first on the column's first page whatever its date

    @property
    def is_document(self) -> bool:
        """True when the list links straight to a file (PDF, DOC…) instead of a page."""
        return not self.path.endswith((".html", ".shtml"))


@dataclass(slots=True)
class Column:
    """A column (栏目): a list of items, a text page (概况), a blank frame, a list that prints a
    note instead of items (a bare 暂无信息, or a note saying why nothing exists), or a hub (a
    page of links to sub-columns, services or other systems)."""

    name: str
    cls: str  # news, notice-policy, personnel-planning, overview, annual-report, other
    slug: str
    key: str  # the CMS's own id of the column (Hanweb colid, or the slug)
    kind: str  # list | text | blank | note | hub
    nav: str = "section"  # menu | submenu | section: where the navigation links it from
    note: str | None = None  # the text a note column prints where its items would be
    note_explains: bool = False  # the note says why nothing exists (exempt from 空白栏目)
    hub_shape: str = ""  # of a hub: columns | services | table
    date_style: str = "iso"
    items: list[Item] = field(default_factory=list)
    list_paths: list[str] = field(default_factory=list)  # its list pages, first one first
    section: Section | None = None

    @property
    def path(self) -> str:
        """Path of the first list page (or of the text page)."""
        return self.list_paths[0]

    @property
    def role(self) -> str:
        """What an inspector calls the page (``columns.role``): a blank frame or a note is
        still a list; text, hub as they are."""
        return self.kind if self.kind in ("text", "hub") else "list"


@dataclass(slots=True)
class Section:
    """A navigation section (新闻中心, 政务公开, 专题专栏) with its landing page."""

    name: str
    slug: str
    key: str
    path: str = ""
    columns: list[Column] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FooterFact:
    """One footer identifier as printed on the home page: ``raw`` is None when it is absent."""

    kind: str  # icp, psb, site_code, site_code_meta, conac, jiucuo, sponsor
    raw: str | None
    valid: bool
    value: str = ""  # the bare number or code (empty for conac and sponsor)
    # How it is put on the page: icp "unlinked"; conac "script", "write" (document.write) or
    # "link"; jiucuo "script", "copy" (served from the site's own folder) or "link".
    form: str = ""
    remark: bool = False  # written loosely or not linked: a remark, never a deduction


@dataclass(frozen=True, slots=True)
class AnnualReport:
    """A 政府信息公开工作年度报告 as published: its content is an HTML page or an attachment."""

    year: int
    day: date
    form: str  # html | attachment
    path: str  # the page (or document) the 年报 column links to
    attachment: str | None = None  # the document holding the report, when form is attachment


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """A deliberately dangling internal link and the pages that carry it."""

    target: str
    kind: str
    pages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SoftError:
    """A link whose target answers 200 yet is gone (a soft 404): a ``phrase`` page that is
    the CMS's error page (``template`` names which), a deep URL sent ``home``, or one sent
    to the site's generic ``error-page``; ``pages`` carry the link."""

    target: str
    kind: str  # phrase | home | error-page
    pages: tuple[str, ...]
    anchor: str
    template: str = ""


@dataclass(slots=True)
class Style:
    """Presentation choices of a site, drawn from the seed."""

    doctype: str
    meta_charset: str  # how the charset is declared in <head>: "meta" or "http-equiv"
    declared: str  # the charset named there (utf-8, gbk, gb2312)
    relative_links: bool  # TRS publishes with relative links (./, ../../)
    site_metas: bool  # <meta name="SiteName|SiteDomain|SiteIDCode">
    article_metas: bool  # <meta name="ArticleTitle|PubDate|ContentSource">
    nav: str  # flat | dropdown | header
    banner_date: bool  # "今天是2026年11月24日 星期二" in the header banner
    breadcrumb: str  # the label before the trail
    crumb_sep: str
    footer: str  # div | table
    list_markup: str  # ul | table | div
    per_page: int
    pager: str  # CMS-specific pager variant
    sidebar: bool  # 热点 and 相关链接 boxes on article pages
    pubdate_label: str  # 发布时间 / 发布日期 / 日期 / 时间, or "" for meta only
    copyright_from: int
    jiucuo_everywhere: bool  # the 找错 script on every page, not only the home page


@dataclass(slots=True)
class Site:
    """Everything needed to render one portal."""

    index: int
    id: str
    name: str
    unit: str
    domain: str
    cms: str
    charset: str  # the encoding the files are written in: utf-8 or gbk
    province: str
    place: str  # the place name used in titles (city or county)
    org: str  # the short name of the unit used in news titles
    phone: str
    style: Style
    sections: list[Section] = field(default_factory=list)
    footer: dict[str, FooterFact] = field(default_factory=dict)
    # Pairings of footer identifiers made to disagree (footer.mismatch's pairs).
    footer_mismatch: list[str] = field(default_factory=list)
    hot: list[Item] = field(default_factory=list)  # the 热点 box: newest news items
    pages: dict[str, str] = field(default_factory=dict)  # home, sitemap, contact, … → path
    broken: list[BrokenLink] = field(default_factory=list)
    soft: list[SoftError] = field(default_factory=list)
    reports: list[AnnualReport] = field(default_factory=list)
    hdjl: str = "form"  # the 互动交流 page the menu offers: an on-line form, or a hub
    neglected: bool = False  # every column that should be updated is past its window

    @property
    def columns(self) -> list[Column]:
        """Every column, section by section, in navigation order."""
        return [c for s in self.sections for c in s.columns]

    def link(self, page: str, target: str) -> str:
        """The href that ``page`` uses for the site-absolute ``target``, in the site's style."""
        return href(page, target) if self.style.relative_links else target


def href(page: str, target: str) -> str:
    """Relative href from the page at site-absolute path ``page`` to ``target``.

    Folder targets keep their trailing slash; the home folder from a page at the root is
    ``./`` (what TRS writes).
    """
    base = posixpath.dirname(page)
    rel = posixpath.relpath(target, base or "/")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel in (".", "./"):
        return "./"
    return rel if rel.startswith("../") else "./" + rel


def rng_for(seed: int, *keys: object) -> random.Random:
    """A generator of its own for one part of the farm, so parts do not shift each other.

    String seeds are hashed with SHA-512 by :mod:`random`, independent of PYTHONHASHSEED.
    """
    return random.Random("|".join(str(k) for k in (seed, *keys)))
