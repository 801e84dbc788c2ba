"""Date parsing for government web pages: the one place in govwatch that turns text into dates.

- ``find_date``: the first complete date (year, month, day) in a piece of text;
- ``url_date``: the publication date encoded in a CMS article URL (TRS, Hanweb, others);
- ``item_date``: the date of one column (栏目) list entry, implying the year of ``[02-25]``;
- ``article_date``: the publication date of an article page as an inspector reads it: the
  visible, labelled date of the article first, page metadata after it (never a time the CMS
  merely regenerated the page), the URL last; never the header banner (今天是…) or the
  footer copyright line.

Runs on every page of large scans, so all regexes are compiled once here and nothing is
parsed twice.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

import lxml.html

__all__ = ["article_date", "find_date", "item_date", "strip_dates", "url_date"]

_MIN_YEAR, _MAX_YEAR = 1990, 2100

# A complete date. One pattern (not three) so that the first date in text order wins whatever
# its form. The ASCII form reuses its separator so '2025-02/25' is not a date; the compact form
# must not be part of a longer digit run (ids, timestamps, phone numbers).
_YMD = (
    r"(?<!\d)(?:"
    r"(?P<y1>\d{4})(?P<sep>[-/.])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2})(?!\d)"
    r"|(?P<y2>\d{4})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日"
    r"|(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2})(?!\d)"
    r")"
)
_DATE_RE = re.compile(_YMD)
# Labelled dates: a 日期 or 时间 followed by a date, with or without a colon. What the label
# says is decided by the words just before it (see _label_kind); labels printed with spaces
# between their characters (上 载 日 期, 发 文 日 期) are read as well.
_LABELLED_RE = re.compile(r"(?:日\s?期|时\s?间)\s*(?P<colon>[:：]?)\s*" + _YMD)
_LABEL_LOOKBACK = 12  # characters before 日期/时间 that can belong to the label
# The article's publication: when the site put it online (公告时间 on procurement notices,
# 上载日期 and 生成日期 in 信息公开 boxes).
_PUBLICATION_LABELS = tuple(
    w + tail
    for w in ("发布", "发表", "发稿", "公告", "公示", "上载", "上网", "公开", "生成")
    for tail in ("日期", "时间")
)
# The document's own dates: when it was written or signed, before it went online.
_DOCUMENT_LABELS = ("发文日期", "发文时间", "成文日期", "成文时间", "印发日期", "签发日期")
# A publication label after these words is not the page's own publication: it names another
# notice's date (招标公告日期 in the body of a 中标公告, 原公告发布时间 in a 更正公告), or the
# build time a template prints (页面生成时间).
_NOT_OWN_PREFIX_RE = re.compile(
    r"(?:(?:招标|采购|中标|成交|预审|资格|变更|更正|原|首次|前期)(?:公告)?|页面)$"
)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# Words that mark an article's info line (来源：… 2025-02-25 浏览次数：…).
_INFO_LABEL_RE = re.compile(r"来源|作者|浏览|点击|字号|阅读")
_INFO_MAX_CHARS = 300  # an info line is short; longer text is a container of the whole page

# Month-day list dates. Bare '02-25' needs two-digit parts and must not touch other digits or
# date punctuation, so '1-3季度', '2024-25' and '10-12月' are not dates; the Chinese form must
# not follow 年 (that was a full date whose year was out of range).
_MONTH_DAY_RE = re.compile(
    r"(?<![\d年])(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日"
    r"|[\[(（【]\s*(?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})\s*[\])）】]"
    r"|(?<![\d\-/.:])(?P<m3>\d{2})[-/](?P<d3>\d{2})(?![\d\-/.:年月日])"
)

# Dates printed inside an item's link text, with their brackets and a trailing time.
_PRINTED_YMD_RE = re.compile(
    r"[\[(（【]?\s*" + _YMD + r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*[\])）】]?"
)
_PRINTED_MD_RE = re.compile(r"[\[(（【]?\s*(?:" + _MONTH_DAY_RE.pattern + r")\s*[\])）】]?")

# Dates in URL paths; each token starts a path segment (or a relative URL).
_URL_DATE_RE = re.compile(
    r"(?<![^/])t(?P<y1>\d{4})(?P<m1>\d{2})(?P<d1>\d{2})_"  # TRS …/202502/t20250225_123.html
    r"|(?<![^/])(?P<y2>\d{4})[-/](?P<m2>\d{1,2})/(?P<d2>\d{1,2})/"  # /2025/2/5/, /2025-02/25/
    r"|(?<![^/])(?P<y3>\d{4})/?(?P<m3>\d{2})(?P<d3>\d{2})/"  # /2025/0225/, /20250225/
)

# A month folder, as in TRS /202502/t… and county CMS /202502/<32 hex>.shtml articles.
_URL_MONTH_RE = re.compile(r"/(?P<y>\d{4})(?P<m>\d{2})/")

# Page chrome that prints dates that are not publication dates: banners (今天是…) and footers.
_CHROME_TAGS = frozenset({"head", "script", "style", "noscript", "template", "header", "footer"})
_CHROME_ATTR_RE = re.compile(r"header|top|banner|date[-_]?bar|today|foot|bottom|copyright", re.I)
# Same chrome without a telling class: a short block carrying one of these markers is dropped.
_CHROME_TEXT_RE = re.compile(r"今天是|版权所有|copyright|©", re.I)
_CHROME_TEXT_MAX_CHARS = 500

# Metas that claim the publication date, and metas that record when the CMS (re)built the
# page: TRS ``others`` (页面生成时间 2026-05-18 10:19:03), Hanweb ``Maketime``, ``createDate``.
# A claim equal to a build time says when the page was last regenerated, not published.
_PUBDATE_METAS = frozenset({"pubdate", "publishdate", "firstpublishedtime"})
_GENERATION_METAS = frozenset({"others", "maketime", "createdate"})


def _make_date(year: str, month: str, day: str) -> date | None:
    y = int(year)
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    try:
        return date(y, int(month), int(day))
    except ValueError:  # 2025-02-30, month 13 …: looked like a date, is not one
        return None


def _first_ymd(pattern: re.Pattern[str], text: str) -> date | None:
    for m in pattern.finditer(text):
        # Exactly one alternative matched; its three groups are the set ones.
        year = m["y1"] or m["y2"] or m["y3"]
        found = _make_date(year, m["m1"] or m["m2"] or m["m3"], m["d1"] or m["d2"] or m["d3"])
        if found:
            return found
    return None


def find_date(text: str) -> date | None:
    """First complete date (year, month, day) in text, or None.

    Forms: 2025-02-25, 2025-2-5, 2025/02/25, 2025.02.25, 2025年2月5日 (spaces allowed around
    年/月), and 20250225 when not part of a longer digit run; a time may follow. Impossible
    calendar dates and years outside 1990..2100 are skipped.
    """
    if not text:
        return None
    return _first_ymd(_DATE_RE, text)


def url_date(url: str) -> date | None:
    """Publication date encoded in a CMS article URL, or None.

    TRS ``/202502/t20250225_1.html``, Hanweb ``/art/2025/2/5/art_1_2.html``, ``/2025/0225/x``,
    ``/2025-02/25/x``, ``/20250225/x.html``. A month alone (``/202502/<hex>.shtml``) is None:
    a month is not a publication date. Only the path is read, never the host or query.
    """
    if not url:
        return None
    return _first_ymd(_URL_DATE_RE, urlsplit(url).path)


def _url_year_month(url: str) -> tuple[int, int] | None:
    """Year and month of an article URL: from its date, or its ``/YYYYMM/`` folder."""
    full = url_date(url)
    if full:
        return full.year, full.month
    match = _URL_MONTH_RE.search(urlsplit(url).path)
    if match and 1 <= int(match["m"]) <= 12 and _MIN_YEAR <= int(match["y"]) <= _MAX_YEAR:
        return int(match["y"]), int(match["m"])
    return None


def strip_dates(text: str) -> str:
    """*text* without the dates printed in it: an item's title when its link shows its date."""
    return _PRINTED_MD_RE.sub(" ", _PRINTED_YMD_RE.sub(" ", text)).strip()


def _latest_not_after(month: int, day: int, today: date) -> date | None:
    # Nine years back reaches a leap year from any date (02-29 can skip 8 years around 2100).
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def item_date(text: str, *, url: str | None, today: date) -> date | None:
    """Date of one list item (栏目 list entry) from its text, or None.

    Text forms: '[2025-02-25]', '2025/02/25', '(02-25)', '[02-25]', '02-25', '02/25', '2月25日'.
    A full date wins. A month-day has its year implied: the year of the URL's date (or of its
    ``/YYYYMM/`` folder) when that has the same month; otherwise the latest year such that the
    date is not after ``today`` (so '[12-30]' seen on 2026-01-03 is 2025-12-30). The URL
    alone never dates an item: text without a date gives None.
    """
    full = find_date(text)
    if full:
        return full
    url_year_month = _url_year_month(url) if url else None
    for m in _MONTH_DAY_RE.finditer(text):
        month = int(m["m1"] or m["m2"] or m["m3"])
        day = int(m["d1"] or m["d2"] or m["d3"])
        if url_year_month and url_year_month[1] == month:
            dated = _make_date(str(url_year_month[0]), str(month), str(day))
            if dated:
                return dated
        implied = _latest_not_after(month, day, today)
        if implied:
            return implied
    return None


def _is_chrome(el: lxml.html.HtmlElement) -> bool:
    return el.tag in _CHROME_TAGS or _chrome_attrs(el.get("id") or "", el.get("class") or "")


@lru_cache(maxsize=4096)
def _chrome_attrs(id_: str, class_: str) -> bool:
    """Whether an id and class name chrome. Cached: every element of every page asks, and
    portals repeat a few class names everywhere."""
    return bool(_CHROME_ATTR_RE.search(f"{id_} {class_}"))


def _visible_text(el: lxml.html.HtmlElement) -> tuple[str, date | None]:
    """Text of el without chrome, and the date of the innermost info line inside it."""
    parts = [el.text or ""]
    info: date | None = None
    for child in el:
        # Comments and processing instructions have a non-str tag: drop them, keep their tail.
        if isinstance(child.tag, str) and not _is_chrome(child):
            child_text, child_info = _visible_text(child)
            parts.append(child_text)
            info = info or child_info
        parts.append(child.tail or "")
    # Spaces between elements keep '点击：12</span><span>2025-02-25' from fusing into one number.
    text = " ".join(parts)
    if len(text) <= _CHROME_TEXT_MAX_CHARS and _CHROME_TEXT_RE.search(text):
        return "", None
    if info is None and len(text) <= _INFO_MAX_CHARS and _INFO_LABEL_RE.search(text):
        info = find_date(text)
    return text, info


def _label_kind(before: str, spaced: bool) -> str | None:
    """What a 日期/时间 label says, from the text just *before* it: 'publication' (发布时间,
    公告时间…), 'document' (发文日期, 成文日期), 'bare' (日期 or 时间 alone) or None for any
    other date (归档时间, 留言时间, 截止时间, 招标公告日期…). *spaced*: a space stands right
    before 日期/时间, so the word before it is a separate one unless the label is spaced out."""
    compact = re.sub(r"\s", "", before)
    for label in _PUBLICATION_LABELS:
        head = label[:-2]
        if compact.endswith(head):
            return None if _NOT_OWN_PREFIX_RE.search(compact[: -len(head)]) else "publication"
    if any(compact.endswith(label[:-2]) for label in _DOCUMENT_LABELS):
        return "document"
    if spaced or not compact or not _CJK_RE.match(compact[-1]):
        return "bare"
    return None


def _labelled_dates(text: str) -> dict[str, list[date]]:
    """Dates in *text* that follow a label, by kind (see :func:`_label_kind`), in text order.
    A bare 日期/时间 needs a colon; a named label may stand in a table cell before its value."""
    found: dict[str, list[date]] = {"publication": [], "document": [], "bare": []}
    for m in _LABELLED_RE.finditer(text):
        start = m.start()
        before = text[max(0, start - _LABEL_LOOKBACK) : start]
        kind = _label_kind(before, spaced=before[-1:].isspace())
        if kind is None or (kind == "bare" and not m["colon"]):
            continue
        year = m["y1"] or m["y2"] or m["y3"]
        found_date = _make_date(year, m["m1"] or m["m2"] or m["m3"], m["d1"] or m["d2"] or m["d3"])
        if found_date:
            found[kind].append(found_date)
    return found


def _meta_dates(tree: lxml.html.HtmlElement) -> tuple[list[date], set[date]]:
    """Dates the page's metas claim as publication, and the dates its build metas record."""
    claimed: list[date] = []
    built: set[date] = set()
    for meta in tree.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name in _PUBDATE_METAS or name in _GENERATION_METAS:
            found = find_date(meta.get("content") or "")
            if found and name in _PUBDATE_METAS:
                claimed.append(found)
            elif found:
                built.add(found)
    return claimed, built


def _preferred(candidates: list[date], url: date | None) -> date | None:
    """The first of *candidates*, or the one the URL's date agrees with when they differ."""
    if url is not None and url in candidates:
        return url
    return candidates[0] if candidates else None


def article_date(tree: lxml.html.HtmlElement, url: str) -> date | None:
    """Publication date of an article page as an inspector reads it, or None. In order:

    1. the visible, labelled publication date: 发布时间 / 发布日期 / 发表 / 发稿 / 公告时间 /
       公示 / 上载日期 / 上网 / 公开日期 / 生成日期 (with or without a colon, in a table cell
       before its value, spaced out as 上 载 日 期); then a bare 日期 or 时间 with a colon;
       then the date of the article's info line (a short element that also carries 来源 /
       作者 / 浏览 / 点击 / 字号 / 阅读). Other labelled dates are not the article's: 归档时间,
       留言时间, 截止时间, and a publication label after 招标 / 采购 / 中标 / 更正 / 原…
       (招标公告日期 in the body of a 中标公告 is another notice's date);
    2. ``<meta name>`` PubDate / publishdate / firstpublishedtime (any case), unless its date
       equals a build meta's (TRS ``others`` 页面生成时间, Hanweb ``Maketime``, ``createDate``):
       that PubDate records a regeneration of the page, not its publication;
    3. the document's own date when that is all the page shows: 发文日期 / 成文日期 / 印发日期
       / 签发日期 (when it was signed, not when it went online);
    4. ``url_date(url)``, the date in the article's own URL.

    The URL is also the tie-breaker: when a step finds several different dates, the one the
    URL agrees with wins, else the first in reading order. A build time alone is never a
    publication date. Text inside <head>, <script>, <style>, <header>, <footer>, elements
    whose id/class contains header/top/banner/date-bar/today/foot/bottom/copyright, and short
    blocks saying 今天是 / 版权所有 / Copyright / © is never read, so banner and copyright
    dates are never returned.
    """
    claimed, built = _meta_dates(tree)
    from_url = url_date(url)
    # A tree whose root is itself chrome has no article text.
    text, info = ("", None) if _is_chrome(tree) else _visible_text(tree)
    labelled = _labelled_dates(text)
    return (
        _preferred(labelled["publication"], from_url)
        or _preferred(labelled["bare"], from_url)
        or info
        or _preferred([found for found in claimed if found not in built], from_url)
        or _preferred(labelled["document"], from_url)
        or from_url
    )
