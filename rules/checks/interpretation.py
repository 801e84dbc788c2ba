"""The ``interpretation`` check: a 政策解读 and the policy document it interprets.

Params:

- ``title_regex``: a page title (or a list's title of it) that makes a page a 解读
  (解读…, 图解…, 一图读懂…, …政策解读);
- ``column_regex``: a column name whose items are 解读 (政策解读);
- ``raise_when``: ``unlinked`` (the two do not link to each other both ways) or ``late``
  (the 解读 was published more than ``working_days`` after the policy);
- ``working_days``: working days with the official holidays and 调休
  (:mod:`govwatch.core.workdays`), the day of the policy not counted.

Pairing: the policy of a 解读 is a page of the same site, not a 解读 itself, that the 解读
links to, or whose title the 解读 quotes in 《》, or whose document number (〔2026〕12号,
with the two characters before it: 政发〔2026〕12号) the 解读 cites and the page prints; in
that order: a linked page the 解读 quotes or cites, a page it links as 政策原文 (原文链接,
相关文件…), a page whose title it quotes, a page whose number it cites. Several pages
alike (a title a site reissues every year): the newest published by the 解读's day. What
a 解读 quotes and cites is read from its own text, not from its links' texts: 上一篇/下一篇
and related-items boxes print other pages' titles on every article. A 解读 whose policy is
not found is not judged. A finding is one 解读 page.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import accumulate, chain
from typing import Any

from govwatch.core.workdays import working_days_between
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, Integer, Param, Regex, as_date
from govwatch.rules.registry import check
from govwatch.rules.scanview import ScanView, in_list

# A document number: the issuer's last two characters, the year, the number. The year and
# number are looked for first and the issuer just before them: a pattern that began with
# the two characters was tried at every character of every page, seven times slower.
_YEAR_NUMBER = re.compile(r"[〔\[【（(]\s*(\d{4})\s*[〕\]】）)]\s*(\d{1,4})\s*号")
_ISSUER = re.compile(r"([\u4e00-\u9fff]{2})\s*$")
_QUOTED = re.compile(r"《([^《》]{6,80})》")
# A 解读's link to the document it explains (not 政策文件, a menu's name for a column).
_ORIGINAL = re.compile(r"原文|原件|全文|相关文件|文件链接")
# A link text that may quote a title or cite a number (kept to take out of a 解读's text).
_CITING = re.compile(r"《|号")
_HEAD_CHARS = 2000  # a policy prints its own number near its top (after the menus)
_CHUNK = 500  # URLs per `in (…)` query


def numbers(text: str) -> set[str]:
    """The document numbers printed in *text*, as ``政发〔2026〕12号``."""
    found = set()
    for m in _YEAR_NUMBER.finditer(text or ""):
        issuer = _ISSUER.search(text, max(0, m.start() - 40), m.start())
        if issuer:
            found.add(f"{issuer[1]}〔{m[1]}〕{int(m[2])}号")
    return found


@dataclass
class Page:
    """A page of the site as the pairing needs it: title, date, the document numbers its
    opening prints, and the links that matter (a 解读's own, a page's links to a 解读). A
    解读 keeps its text too (what it quotes and cites)."""

    url: str
    site: str
    title: str  # the page's <title>
    day: date | None
    text: str = ""  # a 解读's only
    numbers: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    originals: set[str] = field(default_factory=set)  # a 解读's links printed 政策原文…
    anchors: set[str] = field(default_factory=set)  # a 解读's links' texts that quote or cite
    listed: str = ""  # its title as a list shows it (without the site's name)

    @property
    def name(self) -> str:
        """The title findings print."""
        return self.listed or self.title

    @property
    def own_text(self) -> str:
        """A 解读's text without its links' texts: what it quotes and cites in its own words.
        A title printed only as a link (上一篇/下一篇, 相关阅读, a side box of hot items) is
        the CMS's navigation, not the 解读 naming its policy."""
        text = self.text
        for anchor in sorted(self.anchors, key=len, reverse=True):
            text = text.replace(anchor, " ")
        return text

    @cached_property
    def printed_numbers(self) -> set[str]:
        """The document numbers its opening and its title print (read once: every 解读 of
        the site is paired against every page)."""
        return self.numbers | numbers(self.title)


def lateness(rule: Rule, policy: date | None, reading: date | None) -> int | None:
    """Working days the 解读 took beyond ``working_days`` (None when in time or undated)."""
    if policy is None or reading is None:
        return None
    took, _ = working_days_between(policy, reading)
    return took if took > rule.params["working_days"] else None


def verdict(rule: Rule, reading: Page, policy: Page) -> str | None:
    """The detail of *rule*'s finding on the pair, or None."""
    if rule.params["raise_when"] == "late":
        took = lateness(rule, policy.day, reading.day)
        if took is None:
            return None
        return (f"政策解读发布于 {reading.day}，政策文件「{policy.name}」发布于 {policy.day}，"
                f"相隔 {took} 个工作日，超过 {rule.params['working_days']} 个工作日")
    missing = [side for side, ok in (("解读页面未链接政策文件", policy.url in reading.links),
                                     ("政策文件未链接解读", reading.url in policy.links))
               if not ok]
    if not missing:
        return None
    return f"政策解读与政策文件「{policy.name}」未相互关联：{'，'.join(missing)}"


class Candidates:
    """A site's pages that may be a 解读's policy, looked up by URL, by the titles they hold and
    by the document numbers they print: a site has thousands, and so many 解读 that testing
    each page for each 解读 took most of the rules' time at 100 000 pages."""

    def __init__(self, pages: Iterable[Page]) -> None:
        self.pages = list(pages)
        self.by_url = {p.url: p for p in self.pages}
        # every title in one string, so a quoted title is found by str.find, in C
        self._titles = "\0".join(p.title for p in self.pages)
        self._starts = list(accumulate((len(p.title) + 1 for p in self.pages[:-1]), initial=0))
        self._numbers: dict[str, list[Page]] | None = None

    def linked(self, urls: Iterable[str]) -> list[Page]:
        """The candidates at *urls*."""
        return [self.by_url[u] for u in urls if u in self.by_url]

    def titled(self, quoted: Iterable[str]) -> list[Page]:
        """The candidates whose title holds one of *quoted*."""
        found: dict[int, Page] = {}
        for q in quoted:
            at = self._titles.find(q)
            while at >= 0:
                n = bisect_right(self._starts, at) - 1
                found[n] = self.pages[n]
                at = self._titles.find(q, self._starts[n] + len(self.pages[n].title) + 1)
        return list(found.values())

    def citing(self, cited: Iterable[str]) -> list[Page]:
        """The candidates whose title or opening prints one of the numbers *cited*."""
        if self._numbers is None:
            self._numbers = {}
            for page in self.pages:
                for number in page.printed_numbers:
                    self._numbers.setdefault(number, []).append(page)
        return list({id(p): p for n in cited for p in self._numbers.get(n, ())}.values())


def find_policy(reading: Page, candidates: Candidates | Iterable[Page]) -> Page | None:
    """The policy *reading* interprets among *candidates*, the other pages of its site that
    are no 解读 (see the module docstring)."""
    if not isinstance(candidates, Candidates):
        candidates = Candidates(candidates)
    own = reading.own_text
    quoted = {q.strip() for q in _QUOTED.findall(own)} - {""}
    cited = numbers(own)
    tests = (  # (whether it can find anything, the lookup), in order
        (reading.links and (quoted or cited),
         lambda: [p for p in candidates.linked(reading.links)
                  if _title_in(p, quoted) or p.numbers & cited]),
        (reading.originals, lambda: candidates.linked(reading.originals)),
        (quoted, lambda: candidates.titled(quoted)),
        (cited, lambda: candidates.citing(cited)),
    )
    for possible, lookup in tests:
        if not possible:
            continue  # nothing to look for: every page would fail it
        found = lookup()
        if found:
            return _nearest(reading, found)
    return None


def _nearest(reading: Page, found: Sequence[Page]) -> Page:
    """Of several pages that pair alike (a title a site reissues every year), the newest
    published by the 解读's day: a 解读 explains a policy already out. Failing that, the
    earliest."""
    before = [p for p in found if p.day and reading.day and p.day <= reading.day]
    if before:
        return max(before, key=lambda p: (p.day, p.url))
    return min(found, key=lambda p: (p.day or date.max, p.url))


def _title_in(page: Page, quoted: set[str]) -> bool:
    return any(q in page.title for q in quoted)


def _example(rule: Rule, value: Mapping[str, Any]) -> bool:
    """``{policy, interpretation, to_policy, to_interpretation}``: two dates, and whether
    each links to the other (default: both do)."""
    policy = Page("p", "s", "政策", as_date(value.get("policy")))
    reading = Page("r", "s", "解读", as_date(value.get("interpretation")))
    if value.get("to_policy", True):
        reading.links.add("p")
    if value.get("to_interpretation", True):
        policy.links.add("r")
    return verdict(rule, reading, policy) is not None


@check(
    "interpretation", example=_example,
    params={
        "title_regex": Param(Regex()),
        "column_regex": Param(Regex()),
        "raise_when": Param(Choice(("unlinked", "late"))),
        "working_days": Param(Integer(), required=False, default=3),
    },
)
def interpretation(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A 政策解读 not linked both ways with its policy, or published too long after it."""
    title_re, column_re = rule.params["title_regex"], rule.params["column_regex"]
    pairs = scan.shared(("interpretation", title_re.pattern, title_re.flags,
                         column_re.pattern, column_re.flags),
                        lambda: pair(scan, title_re, column_re))
    for reading, policy in pairs:
        detail = verdict(rule, reading, policy)
        if detail is not None:
            yield Hit(reading.site, reading.url, policy.url, detail=detail,
                      evidence=f"解读：{reading.name}；政策文件：{policy.name}（{policy.url}）")


def pair(scan: ScanView, title_re: re.Pattern[str], column_re: re.Pattern[str]
         ) -> list[tuple[Page, Page]]:
    """Each 解读 of *scan* (by its title or its column's name) whose policy is found, with
    that policy, in URL order."""
    pages, readings = _pages(scan, title_re, column_re)
    # texts are read once, and kept for the 解读 only: of any other page, the numbers its
    # opening prints
    for row in scan.rows("select url, text from page_texts where scan_id = :scan", {}):
        page = pages.get(row["url"])
        if page is None or not row["text"]:
            continue
        if row["url"] in readings:
            page.text = row["text"]
        else:
            page.numbers = numbers(row["text"][:_HEAD_CHARS])
    _links(scan, pages, sorted(readings))
    by_site: dict[str, list[Page]] = {}
    for url, page in pages.items():
        if url not in readings:
            by_site.setdefault(page.site, []).append(page)
    candidates = {site: Candidates(of_site) for site, of_site in by_site.items()}
    found = []
    for url in sorted(readings):
        reading = pages[url]
        policy = find_policy(reading, candidates.get(reading.site, Candidates(())))
        if policy is not None:
            found.append((reading, policy))
    return found


def _pages(scan: ScanView, title_re: re.Pattern[str], column_re: re.Pattern[str]
           ) -> tuple[dict[str, Page], set[str]]:
    """The pages that may pair (HTML pages that opened, but the home page and the columns'
    list pages), dated by themselves or else by the earliest list, and the 解读 among
    them."""
    pages = {row["url"]: Page(row["url"], row["site_id"], row["title"] or "",
                              as_date(row["pub_date"]))
             for row in scan.rows("select site_id, url, title, pub_date from pages "
                                  "where scan_id = :scan and kind = 'html' and status < 400 "
                                  "and error is null and depth > 0", {})}
    # a column's list page (政策解读, 政策文件) is neither a 解读 nor a policy
    for row in scan.rows("select distinct page_url from column_pages where scan_id = :scan",
                         {}):
        pages.pop(row["page_url"], None)
    readings = {u for u, p in pages.items() if title_re.search(p.title)}
    listed: dict[str, date] = {}  # the earliest date a list gives a page
    for row in scan.rows("select i.url, i.title, i.date, c.name from items i "
                         "left join column_pages c on c.scan_id = i.scan_id "
                         "and c.page_url = i.page_url where i.scan_id = :scan", {}):
        page = pages.get(row["url"])
        if page is None:
            continue
        day = as_date(row["date"])
        if day is not None and (row["url"] not in listed or day < listed[row["url"]]):
            listed[row["url"]] = day
        page.listed = page.listed or row["title"] or ""
        if title_re.search(row["title"] or "") or column_re.search(row["name"] or ""):
            readings.add(row["url"])
    for url, day in listed.items():
        if pages[url].day is None:
            pages[url].day = day  # a page undated itself takes the date its list gives it
    return pages, readings


def _links(scan: ScanView, pages: Mapping[str, Page], readings: Sequence[str]) -> None:
    """The links of each 解读, and every page's links to a 解读, into their pages."""
    for n in range(0, len(readings), _CHUNK):
        chunk = readings[n:n + _CHUNK]
        marks, names = in_list("r", chunk)
        outgoing = scan.rows(f"select source_url, target_url, anchor_text from links "
                             f"where scan_id = :scan and kind in ('page', 'document') "
                             f"and source_url in ({marks})", names)
        for row in chain(outgoing, scan.links_to(chunk)):
            page = pages.get(row["source_url"])
            if page is not None:
                page.links.add(row["target_url"])
                anchor = row["anchor_text"] or ""
                if _ORIGINAL.search(anchor):
                    page.originals.add(row["target_url"])
                if _CITING.search(anchor):
                    page.anchors.add(anchor)
