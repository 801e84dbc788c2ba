"""Pagination of column list pages (栏目分页): which URLs continue a list, and their root.

CMSs announce further list pages in four ways, all handled here:
- TRS WCM writes no links at all, only a script call
  ``createPageHTML(<pages>, <current>, "index", "html")`` (newer versions put an element id
  first); the pages are ``index.html``, ``index_1.html`` … ``index_<pages-1>.html``;
- plain links in a pager (下一页, 尾页, page numbers) to ``index_N.html``, ``?page=N``,
  ``pageNum=N``, ``column-index-N.shtml`` and the like;
- Hanweb embeds the records of a list in the page (see :mod:`crawler.pages.page`) and its
  jpage script pages them in the browser: when it embeds every record, nothing is needed here;
- when it embeds only the first group of them, jpage asks ``dataproxy.jsp`` for the others,
  by POST, with the parameters the page's own script gives (:func:`dataproxy_pages`).

Hanweb's jpage call names the list's size and the dataproxy's parameters::

    $('#49468').jpage({totalRecord: 1418, perPage: 25, groupSize: 3,
        proxyUrl: '/module/web/jpage/dataproxy.jsp',
        ajaxParam: {col: 1, appid: '1', webid: 60, path: '/', columnid: 30067,
                    unitid: '49468', webname: '…', permissiontype: 0}, …});

``ajaxParam`` may instead name a variable (``var param_49468 = {…}``); without either, the
parameters are those of the datastore's ``<nextgroup>`` link. The records come in groups of
``groupSize`` × ``perPage`` (3 × 15 = 45 by default): the browser POSTs
``dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` with the parameters as a form, and
the answer is XML, ``<datastore><totalrecord>…<recordset><record><![CDATA[<li>…</li>]]>…``.
The crawl asks for each group after those embedded, one request a list page (the HTML page
is page 0), within the list-page cap; it adds the list's ``columnid`` and ``unitid`` to the
URL's query too (the servlet reads them from either), so each group of each list has a URL
of its own in the scan's tables.

:func:`list_key` maps any page of a list to the list's identity (a column's URL);
:func:`same_list` tells whether two URLs are pages of one list.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from govwatch.crawler.pages.page import DATASTORE_CLASS, Page, clean_text

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
                found[page.absolute(f"{stem}_{n}.{ext}")] = None
    for a in page.tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        target = page.absolute(href).split("#", 1)[0]
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


# -- Hanweb dataproxy.jsp ----------------------------------------------------------------

DATAPROXY = "/module/web/jpage/dataproxy.jsp"  # jpage's proxy when the call names none
DATAPROXY_MALFORMED = "malformed-dataproxy"  # pages.error of an answer that is no datastore
_JPAGE_CALL = re.compile(r"""(?:\$|jQuery)\(\s*['"]#([^'"]+)['"]\s*\)\s*\.jpage\(\s*(?=\{)""")
_TOTAL = re.compile(r"""\btotalRecord\s*:\s*['"]?(\d+)""")
_PER_PAGE = re.compile(r"""\bperPage\s*:\s*['"]?(\d+)""")
_GROUP_SIZE = re.compile(r"""\bgroupSize\s*:\s*['"]?(\d+)""")
_PROXY_URL = re.compile(r"""\bproxyUrl\s*:\s*['"]([^'"]+)['"]""")
_AJAX_PARAM = re.compile(r"""\bajaxParam\s*:\s*(?:(\{[^{}]*\})|([A-Za-z_$][\w$]*))""")
_JS_PAIR = re.compile(
    r"""['"]?([A-Za-z_$][\w$]*)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
_GROUP_SIZE_DEFAULT = 3  # jcms templates' groupSize
_IDENTITY = ("columnid", "unitid")  # parameters that make a group's URL its own
_ANSWER = re.compile(rb"<datastore\b.*<recordset\b.*(?:</recordset\s*>|<recordset\s*/>)",
                     re.S | re.I)


@dataclass(frozen=True)
class ProxyPage:
    """One group of a Hanweb list, asked for from its dataproxy: a POST of *form* to *url*."""

    url: str
    page_no: int  # its place among the list's pages (the HTML page is 0)
    form: dict[str, str]


def dataproxy_pages(page: Page, max_pages: int) -> list[ProxyPage]:
    """The dataproxy requests for the records of the Hanweb list on *page* beyond those it
    embeds, at most *max_pages* - 1 of them (the page itself is the first list page)."""
    scripts = [script.text or "" for script in page.tree.iter("script")]
    for text in scripts:
        for call in _JPAGE_CALL.finditer(text):
            found = _proxy_pages(page, _braced(text, call.end()), call[1], scripts, max_pages)
            if found:
                return found
    return []


def is_dataproxy_answer(body: bytes) -> bool:
    """Whether *body* has the shape of a dataproxy answer: a datastore with a record set."""
    return _ANSWER.search(body) is not None


def _proxy_pages(page: Page, config: str, holder_id: str, scripts: list[str],
                 max_pages: int) -> list[ProxyPage]:
    total, per_page = _TOTAL.search(config), _PER_PAGE.search(config)
    holder = _records_holder(page, holder_id)
    if total is None or per_page is None or holder is None or int(per_page[1]) < 1:
        return []
    nextgroup = urlsplit(holder.get("data-nextgroup", ""))
    form = _ajax_param(config, scripts)
    if form is None:  # the parameters of the datastore's own next-group link
        form = {k: v for k, v in parse_qsl(nextgroup.query) if k != "page"} or None
    if not form:
        return []
    proxy = _PROXY_URL.search(config)
    target = urlsplit(page.absolute(proxy[1] if proxy else nextgroup.path or DATAPROXY))
    if target.netloc != urlsplit(page.url).netloc:
        return []  # the crawl follows lists of the site's own host only
    size = _GROUP_SIZE.search(config)
    per = int(per_page[1])
    group = per * (int(size[1]) if size and int(size[1]) > 0 else _GROUP_SIZE_DEFAULT)
    first, last = math.ceil(len(holder) / group), math.ceil(int(total[1]) / group)
    identity = [(key, form[key]) for key in _IDENTITY if key in form]
    pages = []
    for page_no, index in enumerate(range(first, last), start=1):
        if page_no >= max_pages:
            break
        query = [*parse_qsl(target.query), ("startrecord", str(index * group + 1)),
                 ("endrecord", str((index + 1) * group)), ("perpage", str(per)), *identity]
        url = urlunsplit((target.scheme, target.netloc, target.path, urlencode(query), ""))
        pages.append(ProxyPage(url, page_no, form))
    return pages


def _records_holder(page: Page, holder_id: str) -> etree._Element | None:
    """The expanded datastore inside the element a jpage call names."""
    container = page.tree.get_element_by_id(holder_id, None)
    if container is None:
        return None
    return next(container.iterfind(f".//ul[@class='{DATASTORE_CLASS}']"), None)


def _ajax_param(config: str, scripts: list[str]) -> dict[str, str] | None:
    """The form jpage POSTs: its ``ajaxParam`` object, or the variable it names."""
    match = _AJAX_PARAM.search(config)
    if match is None:
        return None
    literal = match[1]
    if literal is None:
        assign = re.compile(rf"\b{re.escape(match[2])}\s*=\s*(?=\{{)")
        found = next((m for text in scripts if (m := assign.search(text))), None)
        if found is None:
            return None
        literal = _braced(found.string, found.end())
    return {m[1]: next(v for v in m.groups()[1:] if v is not None)
            for m in _JS_PAIR.finditer(literal.strip("{}"))}


def _braced(text: str, start: int) -> str:
    """The ``{…}`` that opens at *start* of *text*, its nested braces and strings included
    (to the end of *text* when it never closes)."""
    depth, quote = 0, ""
    for at in range(start, len(text)):
        char = text[at]
        if quote:
            if char == quote and text[at - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start:at + 1]
    return text[start:]
