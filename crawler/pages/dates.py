"""Date parsing for government web pages: the one place in govwatch that turns text into dates.

- ``find_date``: the first complete date (year, month, day) in a piece of text;
- ``url_date``: the publication date encoded in a CMS article URL (TRS, Hanweb, others);
- ``item_date``: the date of one column (栏目) list entry, implying the year of ``[02-25]``;
- ``article_date``: the publication date of an article page, never the date printed in the
  header banner (今天是…) or in the footer copyright line.

Runs on every page of large scans, so all regexes are compiled once here and nothing is
parsed twice.
"""

from __future__ import annotations

import re
from datetime import date
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
# Publication labels. The specific ones are tried before the generic 日期/时间 because
# 信息公开 metadata tables put 成文日期 (caught by 日期) before 发布日期.
_SPECIFIC_LABEL_RE = re.compile(r"(?:发布时间|发布日期|发稿时间|发文日期)\s*[:：]\s*" + _YMD)
_GENERIC_LABEL_RE = re.compile(r"(?:日期|时间)\s*[:：]\s*" + _YMD)
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

_PUBDATE_METAS = frozenset({"pubdate", "publishdate", "firstpublishedtime"})
_FALLBACK_METAS = frozenset({"others"})  # TRS: content="页面生成时间 2026-05-18 10:19:03"


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
    if el.tag in _CHROME_TAGS:
        return True
    attrs = (el.get("id") or "") + " " + (el.get("class") or "")
    return bool(_CHROME_ATTR_RE.search(attrs))


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


def article_date(tree: lxml.html.HtmlElement, url: str) -> date | None:
    """Publication date of an article page, or None. In order:

    1. ``<meta name>`` PubDate / publishdate / firstpublishedtime (any case);
    2. a labelled date in the page text: 发布时间 / 发布日期 / 发稿时间 / 发文日期, then the
       generic 日期 / 时间, followed by ':' or '：' and a date;
    3. the date in the article's info line (a short element that also carries 来源 / 作者 /
       浏览 / 点击 / 字号 / 阅读);
    4. ``<meta name="others">`` (TRS: when the page was generated, which a template change
       moves, so anything the page itself says comes first);
    5. ``url_date(url)``.

    Text inside <head>, <script>, <style>, <header>, <footer>, elements whose id/class contains
    header/top/banner/date-bar/today/foot/bottom/copyright, and short blocks saying 今天是 /
    版权所有 / Copyright / © is never read, so banner and copyright dates are never returned.
    """
    fallback: date | None = None
    for meta in tree.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name in _PUBDATE_METAS:
            found = find_date(meta.get("content") or "")
            if found:
                return found
        elif name in _FALLBACK_METAS and fallback is None:
            fallback = find_date(meta.get("content") or "")

    # A tree whose root is itself chrome has no article text.
    text, info = ("", None) if _is_chrome(tree) else _visible_text(tree)
    return (
        _first_ymd(_SPECIFIC_LABEL_RE, text)
        or _first_ymd(_GENERIC_LABEL_RE, text)
        or info
        or fallback
        or url_date(url)
    )
