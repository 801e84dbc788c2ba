"""Pagination of column list pages (栏目分页): which URLs continue a list, and their root.

CMSs announce further list pages in three ways, all handled here:
- TRS WCM writes no links at all, only a script call
  ``createPageHTML(<pages>, <current>, "index", "html")`` (newer versions put an element id
  first); the pages are ``index.html``, ``index_1.html`` … ``index_<pages-1>.html``;
- plain links in a pager (下一页, 尾页, page numbers) to ``index_N.html``, ``?page=N``,
  ``pageNum=N``, ``column-index-N.shtml`` and the like;
- Hanweb embeds every record in the page (see :mod:`crawler.pages.page`), so needs nothing here.

:func:`list_key` maps any page of a list to the list's identity (a column's URL);
:func:`same_list` tells whether two URLs are pages of one list.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from govwatch.crawler.pages.page import Page, clean_text

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*"
    r"['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]"
)
# Page-numbered file names: index_3.html, list-3.shtml, column-index-3.shtml, more_3.htm
_NUMBERED_NAME = re.compile(
    r"^(?P<stem>(?:index|list|default|more|column-index|lists?|page))[_-](?P<no>\d+)"
    r"\.(?P<ext>s?html?|jsp|aspx?|php)$",
    re.I,
)
_INDEX_NAME = re.compile(r"^(index|default)\.(s?html?|jsp|aspx?|php)$", re.I)
_PAGE_PARAMS = frozenset(
    "page pageno pagenum page_no pageindex currentpage curpage p pn pageid".split()
)
_PAGER_TEXT = re.compile(
    r"^(下一页|下页|尾页|末页|最后一页|上一页|上页|首页|第一页|\d{1,4}|>|>>|»|›)$"
)
_PAGER_WORDS = ("page", "fenye", "pager", "pagination", "paging", "fy")


def first_page(url: str) -> str:
    """The first page of the list *url* belongs to (itself when it is a first page)."""
    parts = urlsplit(url)
    directory, _, name = parts.path.rpartition("/")
    match = _NUMBERED_NAME.match(name)
    path = parts.path
    if match:
        stem = match["stem"]
        # column-index-N: the CMS numbers its first page 1
        first = f"{stem}-1" if stem.lower() == "column-index" else stem
        path = f"{directory}/{first}.{match['ext']}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _PAGE_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def same_list(a: str, b: str) -> bool:
    """Whether *a* and *b* are pages of one list (``/gzdt/`` and ``/gzdt/index_2.html`` are)."""
    return list_key(a) == list_key(b)


def list_key(url: str) -> str:
    """The identity of the list *url* belongs to: its first page, as a directory when that is
    an index page, so ``/gzdt/``, ``/gzdt/index.html`` and ``/gzdt/index_2.html`` agree."""
    root = first_page(url)
    head, _, name = root.partition("?")[0].rpartition("/")
    if _INDEX_NAME.match(name):
        return head + "/" + root[len(head) + 1 + len(name) :]
    return root


def page_number(url: str) -> int:
    """Zero-based position of *url* in its list (0 for the first page)."""
    parts = urlsplit(url)
    match = _NUMBERED_NAME.match(parts.path.rpartition("/")[2])
    if match:
        number = int(match["no"])
        return number - 1 if match["stem"].lower() == "column-index" else number
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return max(int(value) - 1, 0)
    return 0


def continuation_urls(page: Page, max_pages: int) -> list[str]:
    """URLs of the other pages of the list shown on *page*, at most *max_pages* in all."""
    found: dict[str, None] = {}
    for script in page.tree.iter("script"):
        match = _CREATE_PAGE.search(script.text or "")
        if match:
            total, _, stem, ext = int(match[1]), int(match[2]), match[3], match[4]
            for n in range(1, min(total, max_pages)):
                found[urljoin(page.base_url, f"{stem}_{n}.{ext}")] = None
    for a in page.tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        target = urljoin(page.base_url, href).split("#", 1)[0]
        if target == page.url or not same_list(target, page.url):
            continue
        if _in_pager(a) or _PAGER_TEXT.match(clean_text(a.text_content())):
            found[target] = None
    return [u for u in found if page_number(u) < max_pages][: max(max_pages - 1, 0)]


def _in_pager(el) -> bool:
    for node in el.iterancestors():
        words = f"{node.get('id', '')} {node.get('class', '')}".lower()
        if any(w in words for w in _PAGER_WORDS):
            return True
    return False
