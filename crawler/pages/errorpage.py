"""Soft 404s: pages that answer 200 but say the target is gone, and links sent elsewhere.

Real portals rarely answer 404 for a page that is gone. They answer 200 with an error page,
or send a deep link to the home page or to one generic error page. A reader who clicks
meets a dead link all the same, and so does an inspector. Two kinds of evidence, judged
here and nowhere else:

- **What the page says** (:meth:`ErrorSigns.page_sign`). A part of its title (split at
  ``- _ | : ·``) is an error title (``404``, ``出错了``) or a short sentence holding an error
  phrase (``404-对不起！您访问的页面不存在``); or its body prints an error phrase
  (``温馨提示：您访问的页面不存在或已删除``, ``该信息已撤销``) as a message of its own: in an
  element whose text is little more than the message, not inside a link, not in quotes,
  on a page with little main text. So an article that quotes 页面不存在 in a sentence, a
  title holding 404 as part of a road or a document number (G404国道, 第404号), a list item
  titled …信息已撤销的公告 are content, not error pages.
- **Where a redirect lands** (:meth:`ErrorSigns.redirect_sign`). A deep URL (a file, or a
  folder two levels down) whose redirect chain reaches a home page (``/``, ``/index.html``)
  of its own host or of the checking site's host, or the checking site's home page wherever
  it sits (``/portal/``); or any URL whose chain reaches a generic error page (``/404.htm``,
  ``/error.jsp``). A link to a section (``/zwgk/``) that lands on the home
  page is left alone: some sites send a retired section there on purpose.

What counts is a setting, stated once in :mod:`crawler.settings`: ``GOVWATCH_SOFT404_PHRASES``,
``GOVWATCH_SOFT404_TITLES``, ``GOVWATCH_SOFT404_ERROR_URLS``, ``GOVWATCH_SOFT404_MAX_TEXT``
(and ``GOVWATCH_SOFT404_ENABLED``). The crawl judges redirects and the sniffed bodies of
its link checks (:class:`~crawler.linkcheck.LinkPolicy`); the writer process judges the
pages it reads (:func:`crawler.pages.reading.read_page`), which are then not read as
content. Both build their :class:`ErrorSigns` from the same settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from lxml import etree

from govwatch.crawler.pages.columns import main_text_length
from govwatch.crawler.pages.page import Page, clean_text

# What a title is split at: a CMS joins the page's own title and the site's name with these.
_TITLE_PARTS = re.compile(r"[-_|｜–—·•:：]+")
# Trimmed from a title part before it is compared: 出错了！, 404 Not Found.
_TRIM = " \t!！.。~～"
# How much longer than its phrase a message may be: 温馨提示：…, 对不起，…！请单击这里返回.
_MESSAGE_SLACK = 30
_TITLE_SLACK = 12
_QUOTES = "“”「」『』\"'‘’《》"
_NOT_MESSAGES = frozenset({"a", "script", "style", "noscript", "template", "title", "option",
                           "textarea", "select"})
# A home page's file name, at a host's root (or a site's home folder).
_HOME_FILE = re.compile(r"^(index|default|home|main)\.(s?html?|jsp|php|aspx?|jhtml)$", re.I)
HOME = "home"  # the sign of a deep link sent to a home page
ERROR_PAGE = "error-page"  # … to a generic error page


def squeeze(text: str) -> str:
    """*text* without white space, as phrases are matched."""
    return "".join(text.split())


@dataclass(frozen=True)
class ErrorSigns:
    """The phrases, titles and URLs by which an error page gives itself away."""

    phrases: tuple[str, ...]
    titles: frozenset[str]
    error_urls: tuple[re.Pattern[str], ...]
    max_text: int = 500

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ErrorSigns:
        """The signs from :meth:`config`'s mapping (settings names without their prefix)."""
        return cls(
            phrases=tuple(squeeze(p) for p in config["phrases"] if squeeze(p)),
            titles=frozenset(squeeze(t).lower() for t in config["titles"]),
            error_urls=tuple(re.compile(u, re.I) for u in config["error_urls"]),
            max_text=int(config["max_text"]),
        )

    @staticmethod
    def config(settings: Any) -> dict[str, Any] | None:
        """The plain (JSON) form of the signs in Scrapy *settings*, for the writer process;
        None when soft 404s are not looked for."""
        if not settings.getbool("GOVWATCH_SOFT404_ENABLED"):
            return None
        return {
            "phrases": settings.getlist("GOVWATCH_SOFT404_PHRASES"),
            "titles": settings.getlist("GOVWATCH_SOFT404_TITLES"),
            "error_urls": settings.getlist("GOVWATCH_SOFT404_ERROR_URLS"),
            "max_text": settings.getint("GOVWATCH_SOFT404_MAX_TEXT"),
        }

    @classmethod
    def from_settings(cls, settings: Any) -> ErrorSigns | None:
        """The signs of Scrapy *settings*, or None when soft 404s are not looked for."""
        config = cls.config(settings)
        return cls.from_config(config) if config is not None else None

    # -- what a page says -----------------------------------------------------------------

    def page_sign(self, page: Page) -> str | None:
        """What makes *page* an error page (its title, or the message it prints), or None
        for a page of content."""
        title = self.title_sign(page.title)
        if title is not None:
            return title
        text = squeeze(page.visible_text)
        found = [p for p in self.phrases if p in text]
        if not found or main_text_length(page) > self.max_text:
            return None  # most pages: no phrase anywhere; articles that quote one: long
        return _message(page, found)

    def html_sign(self, url: str, html: str) -> str | None:
        """:meth:`page_sign` of the page *html* (maybe cut short) fetched from *url*."""
        return self.page_sign(Page.parse(url, html))

    def title_sign(self, title: str) -> str | None:
        """The part of *title* that is an error title, or None."""
        for part in _TITLE_PARTS.split(title):
            bare = squeeze(part).strip(_TRIM)
            if bare and (bare.lower() in self.titles or any(
                    len(bare) <= len(p) + _TITLE_SLACK and _said(bare, p) for p in self.phrases)):
                return part.strip()
        return None

    # -- where a redirect lands -----------------------------------------------------------

    def redirect_sign(self, chain: Sequence[str], home: str = "") -> str | None:
        """:data:`HOME` or :data:`ERROR_PAGE` when the redirect *chain* (the target first,
        then each URL it was sent on to) shows a soft 404. *home* is the checking site's home
        page: a landing there counts as home too, wherever it sits (``/portal/``)."""
        if len(chain) < 2:
            return None
        target = urlsplit(chain[0])
        landings = [urlsplit(url) for url in chain[1:]]
        if any(pattern.search(url.path) for url in landings for pattern in self.error_urls):
            return ERROR_PAGE
        own = urlsplit(home)
        own_home = ((own.hostname or "").lower(), _folder(own.path))
        if not is_deep(target.path) or _place(target) == own_home:
            return None
        hosts = {(target.hostname or "").lower(), own_home[0]}
        if any((is_home(url.path) and _place(url)[0] in hosts) or _place(url) == own_home
               for url in landings):
            return HOME
        return None


def _folder(path: str) -> str:
    """*path* without a home page's file name: ``/portal/index.html`` → ``/portal/``."""
    head, _, name = path.rpartition("/")
    return f"{head}/" if _HOME_FILE.match(name) or not name else path


def _place(url: SplitResult) -> tuple[str, str]:
    """Host and folder of *url*, for comparing it with a home page."""
    return (url.hostname or "").lower(), _folder(url.path or "/")


def is_home(path: str) -> bool:
    """Whether *path* is a host's home page: ``/`` or ``/index.html`` and the like."""
    segments = [s for s in path.split("/") if s]
    return not segments or (len(segments) == 1 and bool(_HOME_FILE.match(segments[0])))


def is_deep(path: str) -> bool:
    """Whether *path* names a page below a section: a file other than a home page, or a
    folder two levels down (``/zwgk/tzgg/``). ``/``, ``/index.html`` and ``/zwgk/`` are not."""
    segments = [s for s in path.split("/") if s]
    if segments and _HOME_FILE.match(segments[-1]):
        segments.pop()
        folder = True
    else:
        folder = path.endswith("/")
    if not segments:
        return False
    return len(segments) >= 2 or (not folder and "." in segments[0])


def _message(page: Page, phrases: Iterable[str]) -> str | None:
    """The text of an element that prints one of *phrases* as a message of its own, or None.
    The phrase must be in the element's own words, not in a link it holds (a list item
    titled 关于…信息已撤销的公告 is a link to a notice, not a message)."""
    body = page.tree.find("body")
    if body is None:
        return None
    phrases = list(phrases)
    found: list[str] = []
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in _NOT_MESSAGES or _in_link(el):
            continue
        shown = clean_text(_text_of(el, links=True))
        whole, own = squeeze(shown), squeeze(_text_of(el, links=False))
        if any(len(whole) <= len(p) + _MESSAGE_SLACK and _said(own, p) for p in phrases):
            found.append(shown)
    return min(found, key=len) if found else None  # the message itself, not its frame


def _text_of(el: etree._Element, *, links: bool) -> str:
    """The visible text of *el* (scripts and styles left out; links' text only if *links*)."""
    parts = [el.text or ""]
    for child in el:
        if (isinstance(child.tag, str) and child.tag not in _NOT_MESSAGES) or (
                links and child.tag == "a"):
            parts.append(_text_of(child, links=links))
        parts.append(child.tail or "")
    return "".join(parts)


def _in_link(el: etree._Element) -> bool:
    return any(node.tag == "a" for node in el.iterancestors())


def _said(text: str, phrase: str) -> bool:
    """Whether *text* says *phrase* itself, not in quotes (“页面不存在”等问题 quotes it)."""
    start = text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (before and before in _QUOTES and after and after in _QUOTES):
            return True
        start = text.find(phrase, start + 1)
    return False
