"""Footer identifiers (页面底部功能区) of one parsed HTML page.

`footer_facts` returns one `FooterFact` per `FactKind`: ICP备案号, 公安机关备案号, 政府网站标识码
(footer text and `<meta name="SiteIDCode">`), 党政机关网站标识 (conac badge), the
「我为政府网站找错」 entry and the 网站主办单位 (docs/identifiers.md).

Extraction is tolerant (full-width colons, NBSP, spaces inside numbers, numbers inside links,
badge scripts written through `document.write(unescape(...))`); validation is strict. A fact
that was found but does not have the required form is *malformed* (`valid=False` and a short
reason in `problem`), which is reported apart from *missing* (`problem == "missing"`, `raw`
None). Text identifiers are looked for in the footer region first (`<footer>` or an element
whose id/class contains footer|foot|bottom|copyright|bq|banquan), then in the whole page text;
the conac and 找错 scripts, links and images may be anywhere in the page.

No settings: what counts as compliant is decided by the rule packs, which read these facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import lxml.html
from lxml import etree

from govwatch.core.vocabulary import FactKind

__all__ = ["PROVINCES", "FactKind", "FooterFact", "footer_facts"]


@dataclass(frozen=True)
class FooterFact:
    """One identifier as found (`raw`), normalised (`value`) and judged (`valid`, `problem`)."""

    kind: FactKind
    raw: str | None
    value: str | None
    valid: bool
    problem: str | None


# Region code (first two digits of 公安 numbers and 标识码) -> province abbreviation(s).
# Sichuan, Guizhou, Yunnan and Gansu are written with either character.
PROVINCES: dict[str, str] = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙",
    "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁",
    "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川蜀", "52": "黔贵", "53": "滇云", "54": "藏",
    "61": "陕", "62": "甘陇", "63": "青", "64": "宁", "65": "新",
}  # fmt: skip
_ABBREVIATIONS = frozenset("".join(PROVINCES.values()))
_ABBR_CLASS = "".join(sorted(_ABBREVIATIONS))

# A province character glued to the number, or a known one separated by spaces ("陇 ICP备");
# a label such as "ICP备案号：" lets numbers printed without any abbreviation be caught too.
_PREFIX = rf"(?:(?P<prov>[\u4e00-\u9fff])|(?P<sprov>[{_ABBR_CLASS}])\s+)?"
_DASH = r"[-－—–]"
_DASH_RE = re.compile(_DASH)
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGITS = r"\d(?:\s?\d)*"  # one stray space between digits is common
_ICP_RE = re.compile(
    _PREFIX + r"ICP\s*备(?P<label>案(?:编?号)?)?\s*[:：]?\s*"
    rf"(?P<num>{_DIGITS})(?:\s*(?P<pre>{_DASH}\s*\d{{1,3}})(?!\d))?"
    rf"(?:\s*(?P<hao>号))?(?:\s*(?P<post>{_DASH}\s*\d{{1,3}})(?!\d))?",
    re.I,
)
_PSB_RE = re.compile(
    _PREFIX + rf"公网安备(?P<label>案?编?号)?\s*[:：]?\s*(?P<num>{_DIGITS})(?:\s*(?P<hao>号))?"
)
_SITE_CODE_RE = re.compile(rf"(?:网站)?标识码\s*[:：]?\s*(?P<code>(?:bm\s?)?{_DIGITS})?", re.I)
_SITE_CODE_FORM = re.compile(r"\d{10}|bm\d{8}")
_SPONSOR_RE = re.compile(r"(?P<label>(?:网站)?主办(?P<unit>单位)?)\s*(?P<colon>[:：])?\s*")
# Where a unit name stops: the next label, a line break, a wide gap or a separator bar.
_SPONSOR_END = re.compile(
    r"\n|\s{2,}|\u3000|[|｜丨]|承办|协办|地址|电话|联系|[\u4e00-\u9fff]?ICP|标识码|备案"
    r"|[\u4e00-\u9fff]?公网安备|邮编|邮政编码|E-?mail|邮箱|传真|技术支持|运维|维护|版权"
    r"|Copyright|©|网站地图",
    re.I,
)
_SPONSOR_TRIM = " \t,，;；。、:：/"

_CONAC_SCRIPT_RE = re.compile(r"(?:^|//)dcs\.conac\.cn/js/[^?#]*/(CA\d{21})\.js(?:[?#]|$)", re.I)
_CONAC_LINK_RE = re.compile(
    r"(?:^|//)bszs\.conac\.cn/sitename\?method=show&id=([0-9a-f]{32})(?:[&#]|$)", re.I
)
_CONAC_IMAGE_RE = re.compile(r"(?:^|//)dcs\.conac\.cn/image/(red|blue)\.png(?:[?#]|$)", re.I)
_CONAC_URL_RE = re.compile(r"""(?:https?:)?//[\w.-]*conac\.cn[^\s"'<>()]*""", re.I)
_JIUCUO_HOSTS = frozenset({"zfwzgl.www.gov.cn", "pucha.kaipuyun.cn"})
_JIUCUO_TAG_RE = re.compile(r"<script\b[^>]*jiucuo[^>]*>", re.I)
_JIUCUO_LINK_RE = re.compile(r"""[^\s"'<>()]*/exposure/jiucuo\.html\?[^\s"'<>()]*""", re.I)
_ATTR_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""")

_NS = {"re": "http://exslt.org/regular-expressions"}
_FOOTER_TEST = (
    "(self::footer or re:test(concat(@id, ' ', @class),"
    " 'footer|foot|bottom|copyright|bq|banquan', 'i'))"
)
# Outermost footer elements only, so nested ones are not read twice.
_FOOTER_XPATH = etree.XPath(
    f"descendant-or-self::*[{_FOOTER_TEST} and not(ancestor::*[{_FOOTER_TEST}])]",
    namespaces=_NS,
)
_META_XPATH = etree.XPath(
    "descendant-or-self::meta[translate(@name, 'SITEDCO', 'sitedco') = 'siteidcode']"
)
_CONAC_ATTR_XPATH = etree.XPath(
    "descendant-or-self::*/@*[(name() = 'src' or name() = 'href') and contains(., 'conac.cn')]"
)
_CONAC_SPAN_XPATH = etree.XPath("descendant-or-self::span[@id = '_ideConac']")
_JIUCUO_SCRIPT_XPATH = etree.XPath(
    "descendant-or-self::script[@id = '_jiucuo_' or contains(@src, 'exposure/jiucuo.js')]"
)
_JIUCUO_HREF_XPATH = etree.XPath("descendant-or-self::*/@href[contains(., 'exposure/jiucuo')]")
_INLINE_SCRIPT_XPATH = etree.XPath("descendant-or-self::script[not(@src)]/text()")

# Elements that start a new rendered line: a unit name never runs across them.
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "center", "dd", "div", "dl", "dt",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "nav", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul",
})  # fmt: skip
_NO_TEXT = frozenset({"script", "style", "template", "noscript"})
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")  # not NBSP: &nbsp; runs separate footer items


def footer_facts(tree: lxml.html.HtmlElement) -> list[FooterFact]:
    """One fact per FactKind, in FactKind order, always all seven.

    Missing identifiers come back with raw/value None and problem 'missing'.
    """
    footer = "\n".join(_text(el) for el in _FOOTER_XPATH(tree))
    page: list[str] = []  # the whole page's text, computed only if some identifier needs it

    def in_text(parse: Callable[[str], Iterator[FooterFact]]) -> FooterFact | None:
        if fact := _best(parse(footer)):
            return fact
        if not page:
            page.append(_text(tree))
        return _best(parse(page[0]))

    found = {
        FactKind.ICP: in_text(_icp),
        FactKind.PSB: in_text(_psb),
        FactKind.SITE_CODE: in_text(_site_code),
        FactKind.SITE_CODE_META: _best(_site_code_meta(tree)),
        FactKind.CONAC: _best(_conac(tree)),
        FactKind.JIUCUO: _best(_jiucuo(tree)),
        FactKind.SPONSOR: in_text(_sponsor),
    }
    return [found[kind] or FooterFact(kind, None, None, False, "missing") for kind in FactKind]


def _best(facts: Iterable[FooterFact]) -> FooterFact | None:
    """The first valid fact, else the first malformed one, else None."""
    first = None
    for fact in facts:
        if fact.valid:
            return fact
        first = first or fact
    return first


def _fact(kind: FactKind, raw: str, value: str | None, problem: str | None) -> FooterFact:
    return FooterFact(kind, " ".join(raw.split()), value, problem is None, problem)


def _squeeze(text: str) -> str:
    """Drop every whitespace character (str.split() also knows NBSP and U+3000) and turn
    full-width digits, which `\\d` also matches, into ASCII ones."""
    return "".join(text.split()).translate(_FULLWIDTH_DIGITS)


def _text(root: etree._Element) -> str:
    """Rendered-ish text: HTML whitespace collapsed, block elements and <br> as line breaks."""
    out: list[str] = []
    stack: list[etree._Element | str] = [root]
    while stack:  # iterative: deep CMS markup must not hit the recursion limit
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
            continue
        if node is not root and node.tail:
            stack.append(_HTML_SPACE.sub(" ", node.tail))
        tag = node.tag
        if not isinstance(tag, str) or tag in _NO_TEXT:  # comments, PIs, scripts
            continue
        if tag in _BLOCK:
            stack.append("\n")
        stack.extend(reversed(node))
        if node.text:
            stack.append(_HTML_SPACE.sub(" ", node.text))
    return "".join(out)


def _prefix(m: re.Match[str]) -> tuple[str, str | None]:
    """(abbreviation as printed, problem with it or None)."""
    prov = m["prov"] or m["sprov"] or ""
    if prov in _ABBREVIATIONS:
        return prov, None
    if not prov or m["label"]:  # "网站ICP备案号：…": the character before is not a prefix
        return "", "missing province abbreviation"
    return prov, f"unknown province abbreviation {prov}"


def _region_problem(digits: str) -> str | None:
    return None if digits[:2] in PROVINCES else f"region code {digits[:2]} is not a province"


def _icp(text: str) -> Iterator[FooterFact]:
    for m in _ICP_RE.finditer(text):
        prov, problem = _prefix(m)
        num, pre, post = _squeeze(m["num"]), _squeeze(m["pre"] or ""), _squeeze(m["post"] or "")
        value = f"{prov}ICP备{num}{pre}{'号' if m['hao'] else ''}{post}"
        value = _DASH_RE.sub("-", value)
        if problem is None and len(num) not in (8, 10):
            problem = "ICP number must be 8 or 10 digits"
        if problem is None and pre:
            problem = "-N suffix before 号"
        if problem is None and not m["hao"]:
            problem = "missing 号"
        yield _fact(FactKind.ICP, m[0], value, problem)


def _psb(text: str) -> Iterator[FooterFact]:
    for m in _PSB_RE.finditer(text):
        prov, problem = _prefix(m)
        num = _squeeze(m["num"])
        if problem is None and not m["hao"]:
            problem = "missing 号"
        if problem is None and len(num) != 14:
            problem = "PSB number must be 14 digits"
        problem = problem or _region_problem(num)
        value = f"{prov}公网安备{num}{'号' if m['hao'] else ''}"
        yield _fact(FactKind.PSB, m[0], value, problem)


def _site_code_problem(code: str) -> str | None:
    """Why `code` (already squeezed and lower-cased) is not a 政府网站标识码, or None."""
    if not _SITE_CODE_FORM.fullmatch(code):
        return "site code must be 10 digits or bm+8 digits"
    return None if code.startswith("bm") else _region_problem(code)


def _site_code(text: str) -> Iterator[FooterFact]:
    for m in _SITE_CODE_RE.finditer(text):
        if not m["code"]:
            yield _fact(FactKind.SITE_CODE, m[0], None, "no code after 网站标识码")
            continue
        code = _squeeze(m["code"]).lower()
        yield _fact(FactKind.SITE_CODE, m[0], code, _site_code_problem(code))


def _site_code_meta(tree: lxml.html.HtmlElement) -> Iterator[FooterFact]:
    for meta in _META_XPATH(tree):
        content = meta.get("content") or ""
        code = _squeeze(content).lower()
        problem = _site_code_problem(code) if code else "empty SiteIDCode content"
        yield _fact(FactKind.SITE_CODE_META, content, code or None, problem)


def _sponsor(text: str) -> Iterator[FooterFact]:
    for m in _SPONSOR_RE.finditer(text):
        if not (m["colon"] or m["unit"]):  # a bare 主办 without colon is prose ("主办的活动")
            continue
        rest = text[m.end() :]
        end = _SPONSOR_END.search(rest)
        name = _squeeze(rest[: end.start() if end else len(rest)].rstrip(_SPONSOR_TRIM))
        problem = None if m["colon"] else f"no colon after {m['label']}"
        if not name:
            problem = "empty unit name"
        yield _fact(FactKind.SPONSOR, m[0] + name, name or None, problem)


def _inline_scripts(tree: lxml.html.HtmlElement, needle: str) -> Iterator[str]:
    """Inline script bodies mentioning `needle`, URL-decoded: badges are often written by
    document.write(unescape("%3Cscript …")) rather than present as tags."""
    for body in _INLINE_SCRIPT_XPATH(tree):
        if needle in body:
            yield unquote(body)


def _conac(tree: lxml.html.HtmlElement) -> Iterator[FooterFact]:
    urls = [str(u).strip() for u in _CONAC_ATTR_XPATH(tree)]
    for body in _inline_scripts(tree, "conac"):
        urls += _CONAC_URL_RE.findall(body)
    for url in urls:
        if m := _CONAC_SCRIPT_RE.search(url) or _CONAC_LINK_RE.search(url):
            yield _fact(FactKind.CONAC, url, m[1], None)
        elif m := _CONAC_IMAGE_RE.search(url):
            yield _fact(FactKind.CONAC, url, m[1].lower(), None)
        else:
            yield _fact(FactKind.CONAC, url, url, "unrecognised conac reference")
    if not urls and _CONAC_SPAN_XPATH(tree):  # the slot is there but nothing fills it
        yield _fact(FactKind.CONAC, '<span id="_ideConac">', None, "conac span without badge")


def _jiucuo_script(sitecode: str | None, src: str) -> FooterFact:
    raw = f'<script id="_jiucuo_" sitecode="{sitecode or ""}" src="{src}">'
    code = _squeeze(sitecode or "").lower()
    parts = urlsplit(src)
    if parts.path != "/exposure/jiucuo.js":
        problem: str | None = "jiucuo script src is not /exposure/jiucuo.js"
    elif parts.hostname not in _JIUCUO_HOSTS:
        problem = f"unknown jiucuo host {parts.hostname}"
    elif not code:
        problem = "jiucuo script without sitecode"
    else:
        problem = _site_code_problem(code)
    return _fact(FactKind.JIUCUO, raw, code or src, problem)


def _jiucuo_link(url: str) -> FooterFact:
    code = _squeeze(parse_qs(urlsplit(url).query).get("site_code", [""])[0]).lower()
    problem = _site_code_problem(code) if code else "jiucuo link without site_code"
    return _fact(FactKind.JIUCUO, url, code or url, problem)


def _jiucuo(tree: lxml.html.HtmlElement) -> Iterator[FooterFact]:
    for script in _JIUCUO_SCRIPT_XPATH(tree):
        yield _jiucuo_script(script.get("sitecode"), (script.get("src") or "").strip())
    for href in _JIUCUO_HREF_XPATH(tree):
        if "/exposure/jiucuo.html" in href:
            yield _jiucuo_link(str(href).strip())
    for body in _inline_scripts(tree, "jiucuo"):
        for tag in _JIUCUO_TAG_RE.findall(body):
            attrs = {k.lower(): a or b or c for k, a, b, c in _ATTR_RE.findall(tag)}
            yield _jiucuo_script(attrs.get("sitecode"), attrs.get("src", ""))
        yield from map(_jiucuo_link, _JIUCUO_LINK_RE.findall(body))
