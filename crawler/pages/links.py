"""Link extraction: every link target a page carries, with its kind and anchor text.

A page links to other pages (``<a href>``, frames), documents (PDF, DOC, XLS… attachments),
images, scripts and stylesheets. Each target is resolved against the page's base URL, its
fragment dropped, and classified once here; the spider follows page links and the link
checker (later) verifies every target. Non-web schemes (``mailto:``, ``tel:``,
``javascript:``) and bare ``#`` are kept as they are, with kind ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urldefrag, urlsplit, urlunsplit

from w3lib.url import safe_url_string

from govwatch.core.vocabulary import LinkKind
from govwatch.crawler.pages.page import CHROME, Page, clean_text

DOCUMENT_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps ofd txt rtf csv zip rar 7z tar gz".split()
)
_IMAGE_EXTENSIONS = frozenset("jpg jpeg png gif bmp webp svg ico tif tiff".split())
WEB_SCHEMES = ("http", "https")
# Anchor texts that lead from a home-page block to its column's list page.
_NOT_WEB = re.compile(r"^(mailto|tel|javascript|data|sms):", re.I)
_MORE = re.compile(r"^(更多|more|更多>+|>>|更多信息|查看更多|more\s*>+|\+\s*more)$", re.I)


@dataclass(frozen=True)
class Link:
    """One link target of a page."""

    target: str
    anchor: str
    kind: LinkKind
    nav: bool  # in a navigation menu or sidebar, or a 更多 link: how columns are reached
    chrome: bool  # in the header or footer outside any menu: 网站地图, 联系我们, 设为首页


def _extension(url: str) -> str:
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@lru_cache(maxsize=16384)  # a portal's menus and footer repeat the same targets on every page
def classify_target(url: str, tag: str) -> LinkKind:
    """Kind of a resolved target, from the tag that carries it and the URL's extension."""
    if urlsplit(url).scheme not in WEB_SCHEMES:
        return LinkKind.OTHER
    ext = _extension(url)
    if ext in DOCUMENT_EXTENSIONS:
        return LinkKind.DOCUMENT
    if tag == "img" or ext in _IMAGE_EXTENSIONS:
        return LinkKind.IMAGE
    if tag == "script" or ext == "js":
        return LinkKind.SCRIPT
    if tag == "link" or ext == "css":
        return LinkKind.STYLESHEET
    return LinkKind.PAGE


def resolve(page: Page, href: str) -> str:
    """Absolute form of *href* on *page*; non-web schemes and bare fragments are returned as
    written."""
    href = href.strip()
    if href.startswith("#") or _NOT_WEB.match(href):
        return href
    target, _ = urldefrag(page.absolute(href))
    return target


def page_links(page: Page) -> list[Link]:
    """Every link target of *page*, once per target (the first occurrence's anchor wins)."""
    seen: dict[str, Link] = {}
    for el in page.tree.iter("a", "area", "img", "script", "link", "iframe", "frame"):
        attr = "href" if el.tag in ("a", "area", "link") else "src"
        href = el.get(attr)
        if not href or not href.strip():
            continue
        if el.tag == "link" and "stylesheet" not in (el.get("rel") or "").lower():
            continue
        target = resolve(page, href)
        if target in seen:
            continue
        anchor = clean_text(el.text_content() or el.get("title")) if el.tag == "a" else ""
        regions = page.regions(el)
        nav = bool(regions & {"nav", "side"}) or bool(_MORE.match(anchor))
        chrome = not nav and bool(regions & CHROME)
        seen[target] = Link(target, anchor[:200], classify_target(target, el.tag), nav, chrome)
    return list(seen.values())


@lru_cache(maxsize=16384)  # as classify_target
def target_url(url: str) -> str:
    """The form a link target is stored, requested and checked under.

    Percent-encoded the way Scrapy requests it, so ``/新闻/`` and ``/%E6%96%B0%E9%97%BB/`` are
    one target, and with a path, so ``http://a.gov.cn`` and ``http://a.gov.cn/`` are too.
    Targets that are not web URLs (``mailto:``, ``#``) are returned as written.
    """
    if urlsplit(url).scheme.lower() not in WEB_SCHEMES:
        return url
    parts = urlsplit(safe_url_string(url))
    return urlunsplit(parts._replace(path=parts.path or "/"))
