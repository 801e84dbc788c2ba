"""Footer identifiers (页面底部功能区) of one parsed HTML page.

`footer_facts` returns one `FooterFact` per `FactKind`: ICP备案号, 公安机关备案号, 政府网站标识码
(footer text and `<meta name="SiteIDCode">`), 党政机关网站标识 (conac badge), the
「我为政府网站找错」 entry and the 网站主办单位 (docs/identifiers.md).

An identifier is judged on what an inspector judges: is it there, is it well formed for its
register, and where does it link. A fact that was found but cannot be that register's
identifier (wrong number of digits, no province, a badge reference that is none) is
*malformed*: `valid=False`, the reason in `problem`. A fact that is the identifier but is
written loosely (no final 号, a space inside the number, a label variant, the number without
its 公网安备 prefix) stays valid, its normalised `value` in the standard form, and the
remarks go to `note`. Nothing found is *missing* (`problem == "missing"`, `raw` None).
`link` (ICP and 公安 numbers) is the href of the link the identifier is printed in, or of the
link beside it that points at its register; '' when it is printed without one. Problems and
notes are Chinese: they reach findings.

Text identifiers are looked for in the footer region first (`<footer>` or an element whose
id/class contains footer|foot|bottom|copyright|bq|banquan), then in the whole page text; the
conac and 找错 embeds may be anywhere in the page, as tags, or written by inline scripts
(`document.write(unescape(...))`, script loaders); commented-out code is not read.

No settings: what counts as compliant is decided by the rule packs, which read these facts.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import lxml.html
from lxml import etree

from govwatch.core.regions import PROVINCES, by_abbreviation, by_code
from govwatch.core.vocabulary import FactKind

__all__ = ["FactKind", "FooterFact", "footer_facts"]

MISSING = "missing"  # `problem` of an identifier that is not on the page


@dataclass(frozen=True)
class FooterFact:
    """One identifier as found (`raw`), normalised (`value`), judged (`valid`, `problem`),
    where it links (`link`) and what is loose in how it is written (`note`)."""

    kind: FactKind
    raw: str | None
    value: str | None
    valid: bool
    problem: str | None
    link: str | None = None  # '' for a number printed without a link; None: not looked for
    note: str | None = None


_ABBR_CLASS = "".join(sorted(ch for p in PROVINCES.values() for ch in p.abbreviations))

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
# The number after a label only ("公安备案号 36090202000071"), without 公网安备.
_PSB_LABEL_RE = re.compile(
    rf"公安(?:机关)?(?:联网)?备案(?:编?号)?\s*[:：]?\s*(?P<num>{_DIGITS})(?:\s*(?P<hao>号))?"
)
# 网站标识码, and the variants sites print (网站标识号, 网站识别码).
_SITE_CODE_RE = re.compile(
    r"(?P<label>网站(?:标识|识别)[码号]|标识码)\s*[:：]?\s*"
    rf"(?P<code>(?:bm\s?)?{_DIGITS})?",
    re.I,
)
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

# The registers an identifier's link should reach, to find the link beside a number.
_ICP_REGISTER = re.compile(r"beian\.miit\.gov\.cn|miit?beian\.gov\.cn", re.I)

# conac: the badge script (the path names province, city, county and the site; the file
# repeats them), the page it links to, its image. Unanchored: mirrors and saved pages keep
# the path under their own folders ("../../dcs.conac.cn/js/…").
_CONAC_SCRIPT_RE = re.compile(r"dcs\.conac\.cn/js/(?:[\w-]+/)+(CA\d{21})\.js(?![\w/])", re.I)
_CONAC_COPY_RE = re.compile(r"(?:^|/)(CA\d{21})\.js(?:$|[?#.])", re.I)  # a self-hosted copy
_CONAC_LINK_RE = re.compile(
    r"bszs\.conac\.cn/sitename\?method=show&(?:amp;)?id=([0-9a-f]{32})(?![0-9a-f])", re.I
)
_CONAC_IMAGE_RE = re.compile(r"dcs\.conac\.cn/image/(red|blue)(?:_error)?\.png", re.I)
_CONAC_URL_RE = re.compile(r"""[^\s"'<>()]*conac\.cn[^\s"'<>()*]*""", re.I)
_BADGE_FILE_RE = re.compile(r"(?:^|/)(?:red|blue)(?:_error)?\.png$", re.I)
_JIUCUO_TAG_RE = re.compile(r"<script\b[^>]*jiucuo[^>]*>", re.I)
_JIUCUO_LINK_RE = re.compile(r"""[^\s"'<>()]*/exposure/jiucuo\.html\?[^\s"'<>()]*""", re.I)
# A loader that adds the script itself: loadScripts({url: '…/jiucuo.js', attr: {sitecode: …}})
_JIUCUO_LOADER_RE = re.compile(r"""sitecode['"]?\s*[:=]\s*['"]\s*(\w+)\s*['"]""", re.I)
_JIUCUO_ONCLICK_RE = re.compile(r"""Link\(\s*['"](\w+)['"]\s*\)""")
_ATTR_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""")
_JS_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_JS_LINE_COMMENT = re.compile(r"^\s*//.*$", re.M)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)

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
_SRC_XPATH = etree.XPath("descendant-or-self::*/@src")
_IMG_XPATH = etree.XPath("descendant-or-self::img")
_CONAC_SPAN_XPATH = etree.XPath("descendant-or-self::span[@id = '_ideConac']")
_JIUCUO_SCRIPT_XPATH = etree.XPath(
    "descendant-or-self::script[@id = '_jiucuo_' or contains(@src, 'jiucuo.js')]"
)
_JIUCUO_HREF_XPATH = etree.XPath("descendant-or-self::*/@href[contains(., 'exposure/jiucuo')]")
_JIUCUO_SPAN_XPATH = etree.XPath(
    "descendant-or-self::*[@id = '_span_jiucuo']//@onclick[contains(., 'Link(')]"
)
_INLINE_SCRIPT_XPATH = etree.XPath("descendant-or-self::script[not(@src)]/text()")
_HREF_XPATH = etree.XPath("descendant-or-self::a/@href[contains(., $number)]")

# Elements that start a new rendered line: a unit name never runs across them.
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "center", "dd", "div", "dl", "dt",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "nav", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul",
})  # fmt: skip
_NO_TEXT = frozenset({"script", "style", "template", "noscript"})
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")  # not NBSP: &nbsp; runs separate footer items


class _LinkEnd(NamedTuple):
    """Where a link's text started in the rendered text; its end is where this is popped."""

    href: str
    start: int


@dataclass(frozen=True)
class _Rendered:
    """Rendered text and the spans of the links in it, with the tree it came from."""

    text: str
    links: Sequence[tuple[int, int, str]]  # (start, end, href) in text
    tree: etree._Element

    def link_over(self, start: int, end: int) -> str | None:
        """The href of the link that covers most of text[start:end], or None."""
        best, most = None, 0
        for a, b, href in self.links:
            overlap = min(b, end) - max(a, start)
            if overlap > most:
                best, most = href, overlap
        return best

    def register_link(self, register: re.Pattern[str]) -> str | None:
        """The first link in this text that points at *register*."""
        return next((href for _, _, href in self.links if register.search(href)), None)


def footer_facts(tree: lxml.html.HtmlElement) -> list[FooterFact]:
    """One fact per FactKind, in FactKind order, always all seven.

    Missing identifiers come back with raw/value None and problem 'missing'.
    """
    footer = _join([_render(el) for el in _FOOTER_XPATH(tree)], tree)
    page: list[_Rendered] = []  # the whole page's text, rendered only if some identifier needs it

    def in_text(parse: Callable[[_Rendered], Iterator[FooterFact]]) -> FooterFact | None:
        if fact := _best(parse(footer)):
            return fact
        if not page:
            page.append(_render(tree))
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
    return [found[kind] or FooterFact(kind, None, None, False, MISSING) for kind in FactKind]


def _best(facts: Iterable[FooterFact]) -> FooterFact | None:
    """The first valid fact, else the first malformed one, else None."""
    first = None
    for fact in facts:
        if fact.valid:
            return fact
        first = first or fact
    return first


def _fact(kind: FactKind, raw: str, value: str | None, problem: str | None,
          link: str | None = None, notes: Iterable[str] = ()) -> FooterFact:
    return FooterFact(kind, " ".join(raw.split()), value, problem is None, problem,
                      None if link is None else link.strip(), "，".join(notes) or None)


def _squeeze(text: str) -> str:
    """Drop every whitespace character (str.split() also knows NBSP and U+3000) and turn
    full-width digits, which `\\d` also matches, into ASCII ones."""
    return "".join(text.split()).translate(_FULLWIDTH_DIGITS)


def _render(root: etree._Element) -> _Rendered:
    """Rendered-ish text: HTML whitespace collapsed, block elements and <br> as line breaks;
    with the span each `<a href>` covers in it."""
    out: list[str] = []
    size = 0
    links: list[tuple[int, int, str]] = []
    stack: list[etree._Element | str | _LinkEnd] = [root]
    while stack:  # iterative: deep CMS markup must not hit the recursion limit
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
            size += len(node)
            continue
        if isinstance(node, _LinkEnd):
            links.append((node.start, size, node.href))
            continue
        if node is not root and node.tail:
            stack.append(_HTML_SPACE.sub(" ", node.tail))
        tag = node.tag
        if not isinstance(tag, str) or tag in _NO_TEXT:  # comments, PIs, scripts
            continue
        href = (node.get("href") or "").strip() if tag == "a" else ""
        if href and not href.startswith("#") and not href.lower().startswith("javascript:"):
            stack.append(_LinkEnd(href, size))  # a link that goes somewhere
        if tag in _BLOCK:
            stack.append("\n")
        stack.extend(reversed(node))
        if node.text:
            stack.append(_HTML_SPACE.sub(" ", node.text))
    return _Rendered("".join(out), links, root)


def _join(parts: Sequence[_Rendered], tree: etree._Element) -> _Rendered:
    """Several rendered elements as one text, one per line."""
    text, links, offset = [], [], 0
    for part in parts:
        text.append(part.text)
        links += [(a + offset, b + offset, href) for a, b, href in part.links]
        offset += len(part.text) + 1
    return _Rendered("\n".join(text), links, tree)


def _prefix(m: re.Match[str]) -> tuple[str, str | None]:
    """(abbreviation as printed, problem with it or None)."""
    prov = m["prov"] or m["sprov"] or ""
    if by_abbreviation(prov):
        return prov, None
    if not prov or m["label"]:  # "网站ICP备案号：…": the character before is not a prefix
        return "", "缺少省份简称"
    return prov, f"「{prov}」不是省份简称"


def _region_problem(digits: str) -> str | None:
    return None if by_code(digits) else f"前两位「{digits[:2]}」不是省级行政区划代码"


def _spacing_notes(m: re.Match[str]) -> Iterator[str]:
    if "sprov" in m.re.groupindex and m["sprov"]:
        yield "省份简称后有空格"
    if any(ch.isspace() for ch in m["num"]):
        yield "数字中间有空格"


def _icp(text: _Rendered) -> Iterator[FooterFact]:
    for m in _ICP_RE.finditer(text.text):
        prov, problem = _prefix(m)
        num, pre, post = _squeeze(m["num"]), _squeeze(m["pre"] or ""), _squeeze(m["post"] or "")
        if problem is None and len(num) not in (8, 10):
            problem = f"备案号应为8位或10位数字（实为{len(num)}位）"
        notes = list(_spacing_notes(m))
        if pre and m["hao"]:
            notes.append(f"「{_DASH_RE.sub('-', pre)}」写在「号」之前")
        if not m["hao"]:
            notes.append("缺少末尾的「号」")
        value = f"{prov}ICP备{num}号{_DASH_RE.sub('-', post or pre)}"
        link = text.link_over(m.start(), m.end()) or text.register_link(_ICP_REGISTER) or ""
        yield _fact(FactKind.ICP, m[0], value, problem, link, notes)


def _psb_number(text: _Rendered, m: re.Match[str], printed: str | None) -> FooterFact:
    """A 公安 number: *printed* is the abbreviation before 公网安备 (None: only a label)."""
    num = _squeeze(m["num"])
    province = by_code(num)
    problem = (f"备案号应为14位数字（实为{len(num)}位）" if len(num) != 14
               else _region_problem(num))
    if problem is None and printed and province and printed not in province.abbreviations:
        problem = f"省份简称「{printed}」与备案号前两位「{num[:2]}」（{province.name}）不符"
    abbr = province.abbreviations[0] if province else ""
    notes = []
    if printed is None:
        notes.append(f"未写「{abbr}公网安备」字样")
    elif not printed:
        notes.append("缺少省份简称")
    notes += _spacing_notes(m)
    if not m["hao"]:
        notes.append("缺少末尾的「号」")
    link = text.link_over(m.start(), m.end()) or _record_link(text.tree, num) or ""
    return _fact(FactKind.PSB, m[0], f"{printed or abbr}公网安备{num}号", problem, link, notes)


def _record_link(tree: etree._Element, number: str) -> str | None:
    """A link whose address names the 公安 number: its record page, often on the emblem."""
    return next((str(h) for h in _HREF_XPATH(tree, number=number)), None) if number else None


def _psb(text: _Rendered) -> Iterator[FooterFact]:
    for m in _PSB_RE.finditer(text.text):
        # The digits are the record; a character before 公网安备 that abbreviates no province
        # is taken for the end of a label ("备案号公网安备…"), not for a wrong abbreviation.
        prov = m["prov"] or m["sprov"] or ""
        yield _psb_number(text, m, prov if by_abbreviation(prov) else "")
    for m in _PSB_LABEL_RE.finditer(text.text):
        yield _psb_number(text, m, None)


def _site_code_problem(code: str) -> str | None:
    """Why `code` (already squeezed and lower-cased) is not a 政府网站标识码, or None."""
    if not _SITE_CODE_FORM.fullmatch(code):
        return "标识码应为10位数字或bm加8位数字"
    return None if code.startswith("bm") else _region_problem(code)


def _site_code(text: _Rendered) -> Iterator[FooterFact]:
    for m in _SITE_CODE_RE.finditer(text.text):
        label = m["label"]
        notes = [f"标签写作「{label}」，应为「网站标识码」"] if label[-3:] != "标识码" else []
        if not m["code"]:
            yield _fact(FactKind.SITE_CODE, m[0], None, f"「{label}」后没有标识码")
            continue
        code = _squeeze(m["code"]).lower()
        if any(ch.isspace() for ch in m["code"]):
            notes.append("标识码中间有空格")
        yield _fact(FactKind.SITE_CODE, m[0], code, _site_code_problem(code), notes=notes)


def _site_code_meta(tree: lxml.html.HtmlElement) -> Iterator[FooterFact]:
    for meta in _META_XPATH(tree):
        content = meta.get("content") or ""
        code = _squeeze(content).lower()
        problem = _site_code_problem(code) if code else "SiteIDCode 元数据内容为空"
        yield _fact(FactKind.SITE_CODE_META, content, code or None, problem)


def _sponsor(text: _Rendered) -> Iterator[FooterFact]:
    for m in _SPONSOR_RE.finditer(text.text):
        if not (m["colon"] or m["unit"]):  # a bare 主办 without colon is prose ("主办的活动")
            continue
        rest = text.text[m.end() :]
        end = _SPONSOR_END.search(rest)
        name = _squeeze(rest[: end.start() if end else len(rest)].rstrip(_SPONSOR_TRIM))
        notes = [] if m["colon"] else [f"「{m['label']}」后缺少冒号"]
        problem = None if name else "主办单位名称为空"
        yield _fact(FactKind.SPONSOR, m[0] + name, name or None, problem, notes=notes)


def _script_code(body: str) -> str:
    """An inline script's code as it runs: comments dropped, then URL-decoded (badges are
    often written by document.write(unescape("%3Cscript …"))), HTML comments dropped."""
    code = _JS_LINE_COMMENT.sub("", _JS_BLOCK_COMMENT.sub("", body))
    return _HTML_COMMENT.sub("", unquote(code))


def _inline_scripts(tree: lxml.html.HtmlElement, needle: str) -> Iterator[str]:
    """The code of the inline scripts that mention `needle`."""
    for body in _INLINE_SCRIPT_XPATH(tree):
        if needle in body:
            code = _script_code(body)
            if needle in code:
                yield code


def _conac_url(url: str) -> FooterFact:
    if m := _CONAC_SCRIPT_RE.search(url) or _CONAC_LINK_RE.search(url):
        return _fact(FactKind.CONAC, url, m[1], None)
    if m := _CONAC_IMAGE_RE.search(url):
        return _fact(FactKind.CONAC, url, m[1].lower(), None)
    return _fact(FactKind.CONAC, url, url, "无法识别的党政机关网站标识引用")


def _conac(tree: lxml.html.HtmlElement) -> Iterator[FooterFact]:
    urls = [str(u).strip() for u in _CONAC_ATTR_XPATH(tree)]
    for code in _inline_scripts(tree, "conac"):
        urls += _CONAC_URL_RE.findall(code)
    yield from map(_conac_url, urls)
    for src in _SRC_XPATH(tree):  # the badge script copied next to the page
        path = urlsplit(str(src).strip()).path
        if "conac.cn" not in src and (m := _CONAC_COPY_RE.search(path)):
            yield _fact(FactKind.CONAC, str(src), m[1], None)
    for img in _IMG_XPATH(tree):  # a badge image that leads nowhere is not a working badge
        src = img.get("src") or ""
        badge = _BADGE_FILE_RE.search(urlsplit(src.strip()).path)
        if ("党政机关" in (img.get("alt") or "") or badge) and not any(
            "conac.cn" in (a.get("href") or "") for a in img.iterancestors("a")
        ):
            yield _fact(FactKind.CONAC, src, None, "标识图片未链接至党政机关网站标识核查页")
    if not urls and _CONAC_SPAN_XPATH(tree):  # the slot is there but nothing fills it
        yield _fact(FactKind.CONAC, '<span id="_ideConac">', None,
                    "标识位置为空，未见党政机关网站标识")


def _jiucuo_script(sitecode: str | None, src: str) -> FooterFact:
    """The 找错 script: the national platform's or a copy served from anywhere; what makes it
    this site's entry is the site code it carries."""
    raw = f'<script id="_jiucuo_" sitecode="{sitecode or ""}" src="{src}">'
    code = _squeeze(sitecode or "").lower()
    name = posixpath.basename(urlsplit(src).path)
    if not src:
        problem: str | None = "找错脚本没有地址"
    elif "jiucuo" not in name.lower():
        problem = f"找错脚本地址「{src}」不是找错平台的脚本文件"
    elif not code:
        problem = "找错脚本未带网站标识码"
    else:
        problem = _site_code_problem(code)
    return _fact(FactKind.JIUCUO, raw, code or None, problem)


def _jiucuo_code(raw: str, code: str) -> FooterFact:
    code = _squeeze(code).lower()
    problem = _site_code_problem(code) if code else "找错入口未带网站标识码"
    return _fact(FactKind.JIUCUO, raw, code or None, problem)


def _jiucuo_link(url: str) -> FooterFact:
    return _jiucuo_code(url, parse_qs(urlsplit(url).query).get("site_code", [""])[0])


def _jiucuo(tree: lxml.html.HtmlElement) -> Iterator[FooterFact]:
    for script in _JIUCUO_SCRIPT_XPATH(tree):
        yield _jiucuo_script(script.get("sitecode"), (script.get("src") or "").strip())
    for href in _JIUCUO_HREF_XPATH(tree):
        if "/exposure/jiucuo.html" in href:
            yield _jiucuo_link(str(href).strip())
    for code in _inline_scripts(tree, "jiucuo"):
        for tag in _JIUCUO_TAG_RE.findall(code):
            attrs = {k.lower(): a or b or c for k, a, b, c in _ATTR_RE.findall(tag)}
            yield _jiucuo_script(attrs.get("sitecode"), attrs.get("src", "").strip())
        yield from map(_jiucuo_link, _JIUCUO_LINK_RE.findall(code))
        if "jiucuo.js" in code and not _JIUCUO_TAG_RE.search(code):
            for m in _JIUCUO_LOADER_RE.finditer(code):
                yield _jiucuo_code(m[0], m[1])
    for onclick in _JIUCUO_SPAN_XPATH(tree):  # the entry jiucuo.js draws, in a saved page
        if m := _JIUCUO_ONCLICK_RE.search(onclick):
            yield _jiucuo_code(m[0], m[1])
