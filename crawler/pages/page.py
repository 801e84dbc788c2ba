"""One parsed HTML page: the tree every extractor reads, parsed once per response.

Parsing is the costly step, so the spider builds a :class:`Page` once and hands it to the
date, link, listing, pagination and footer extractors. Hanweb (大汉 jcms) columns hide their
list items as XML inside ``<script type="text/xml"><datastore>…</datastore></script>``; the
page expands those records into ordinary elements here (a ``<ul class="datastore-records">``
holding the link of the datastore's ``<nextgroup>``, if any, in ``data-nextgroup``), so no
extractor has to know. The answer of Hanweb's ``dataproxy.jsp``, which serves the rest of
such a list (:mod:`crawler.pages.pagination`), is a datastore with no page around it: it is
read as a page holding that list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import unescape
from urllib.parse import urljoin

import lxml.html
from lxml import etree

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.I)
# A document that is nothing but a datastore: a dataproxy.jsp answer.
_BARE_DATASTORE = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?<datastore\b", re.I)
DATASTORE_CLASS = "datastore-records"  # the list a datastore's records are expanded into
_SPACE = re.compile(r"\s+")
_INVISIBLE = frozenset({"script", "style", "noscript", "template"})

# id/class words that mark a page region, matched against an element and its ancestors.
# Region of an element, judged by each word of its id and class (split at -, _ and spaces) so
# that "home-topics" is not a "top" bar nor "column-list" a menu.
_REGION_WORDS: dict[str, re.Pattern[str]] = {
    "footer": re.compile(r"^(foot\w*|bottom\w*|copyright\w*|banquan|bq|ft)$"),
    "header": re.compile(r"^(head|header\w*|top\d*|top(bar|nav|links?|menu)|banner\w*|logo)$"),
    "nav": re.compile(r"^(\w*nav\w*|\w*menu\w*|daohang|lanmu|dh)$"),
    # not "left"/"right": TRS and many CMSs put the column's own list in div.right
    "side": re.compile(
        r"^(sidebar|side|aside|hot\w*|rank\w*|related\w*|xgwz|tuijian|recommend\w*)$"
    ),
}
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_REGION_TAGS = {"footer": "footer", "header": "header", "nav": "nav", "aside": "side"}
CHROME = frozenset({"header", "footer"})  # banner and footer: dates there are not items


def clean_text(text: str | None) -> str:
    """Collapse runs of white space (NBSP and full-width space included) to one space."""
    return _SPACE.sub(" ", (text or "").replace("\u3000", " ")).strip()


@lru_cache(maxsize=4096)
def _own_regions(tag: str, id_: str, class_: str) -> frozenset[str]:
    """The regions an element's own tag, id and class name. Cached: a page asks of the same
    few containers for each of its hundreds of links, and portals repeat them page after
    page."""
    found = {_REGION_TAGS[tag]} if tag in _REGION_TAGS else set()
    for word in _WORD_SPLIT.split(f"{id_} {class_}".lower()):
        for region, pattern in _REGION_WORDS.items():
            if word and pattern.match(word):
                found.add(region)
    return frozenset(found)


@dataclass
class Page:
    """A decoded HTML page, parsed once, with Hanweb datastore lists expanded."""

    url: str
    tree: lxml.html.HtmlElement
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased <meta name> → content
    # href → absolute URL: links, lists and pagination each resolve the same anchors
    _absolute: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # element → its regions: each link and list asks of the same ancestors
    _regions: dict[etree._Element, frozenset[str]] = field(default_factory=dict, repr=False,
                                                            compare=False)

    @classmethod
    def parse(cls, url: str, html: str) -> Page:
        """Parse decoded *html* fetched from *url*."""
        if _BARE_DATASTORE.match(html or ""):
            tree = lxml.html.document_fromstring("<html><body></body></html>")
            tree.find("body").append(_records_list(html))
        else:
            try:
                tree = lxml.html.document_fromstring(html or "<html></html>")
            except (etree.ParserError, ValueError):
                tree = lxml.html.document_fromstring("<html></html>")
            expand_datastores(tree)
        meta = {}
        for m in tree.iter("meta"):
            name = (m.get("name") or "").strip().lower()
            if name and name not in meta:
                meta[name] = clean_text(m.get("content"))
        return cls(url=url, tree=tree, meta=meta)

    @property
    def title(self) -> str:
        """The page's ``<title>``, or its ``ArticleTitle`` meta when the title is empty."""
        node = self.tree.find(".//title")
        title = clean_text(node.text_content()) if node is not None else ""
        return title or self.meta.get("articletitle", "")

    @cached_property
    def visible_text(self) -> str:
        """The body's text as a reader sees it: no scripts, styles or comments (worked out
        once: the text record, the empty-column note and the error-page check all read it)."""
        body = self.tree.find("body")
        if body is None:
            return ""
        return clean_text(" ".join(_visible_parts(body)))

    def regions(self, el: etree._Element) -> frozenset[str]:
        """The regions (footer, header, nav, side) *el* sits in: its own and its
        ancestors'."""
        known = self._regions
        path = []  # el and its ancestors up to the first one known, or the root
        node: etree._Element | None = el
        while node is not None and node not in known:
            path.append(node)
            node = node.getparent()
        found = known[node] if node is not None else frozenset()
        for node in reversed(path):
            tag = node.tag if isinstance(node.tag, str) else ""
            own = _own_regions(tag, node.get("id", ""), node.get("class", ""))
            found = found | own if own else found
            known[node] = found
        return found

    def absolute(self, href: str) -> str:
        """*href* resolved against the page's base URL (fragment kept)."""
        found = self._absolute.get(href)
        if found is None:
            found = self._absolute[href] = urljoin(self.base_url, href)
        return found

    @cached_property
    def base_url(self) -> str:
        """The URL relative links resolve against (``<base href>`` when present; looked for
        once, as every link of the page asks)."""
        base = self.tree.find(".//base[@href]")
        return base.get("href") if base is not None else self.url


def _visible_parts(el: etree._Element) -> Iterator[str]:
    if not isinstance(el.tag, str) or el.tag in _INVISIBLE:
        return
    yield el.text or ""
    for child in el:
        yield from _visible_parts(child)
        yield child.tail or ""


def expand_datastores(tree: lxml.html.HtmlElement) -> None:
    """Replace each Hanweb ``<datastore>`` script with a ``<ul>`` of its records (maybe none)."""
    for script in list(tree.iter("script")):
        text = script.text or ""
        if "<datastore" not in text.lower() and "<record" not in text.lower():
            continue
        holder = _records_list(text)
        holder.tail = script.tail
        script.getparent().replace(script, holder)


def _records_list(text: str) -> lxml.html.HtmlElement:
    """A ``<ul>`` of the records of the datastore XML *text* (maybe none), each an ``<li>``."""
    holder = lxml.html.Element("ul", {"class": DATASTORE_CLASS})
    nextgroup = _NEXTGROUP.search(text)
    href = _HREF.search(nextgroup[1]) if nextgroup else None
    if href and href[1].strip():
        holder.set("data-nextgroup", unescape(href[1].strip()))
    for record in _RECORD.findall(text):
        for frag in lxml.html.fragments_fromstring(record):
            if isinstance(frag, str):
                continue
            holder.append(frag if frag.tag == "li" else _wrap_li(frag))
    return holder


def _wrap_li(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    li = lxml.html.Element("li")
    li.append(el)
    return li
