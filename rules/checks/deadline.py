"""The ``deadline_document`` check: a yearly document that must be published by a due day.

Params:

- ``title_regex``: a regex with a named group ``year`` (digits, or Chinese numerals such as
  二〇二四); a title it matches names a document for that year. The year is read from the
  title, never from the publication date;
- ``keyword``: optional plain text every such title contains, which lets SQL skip most rows
  before the regex runs;
- ``due``: ``MM-DD``, the due day in the year after the document's year (``01-31`` for the
  政府信息公开工作年度报告, 条例 第四十九条);
- ``raise_when``: ``missing`` or ``late``.

The period judged is the year before the judging date, and nothing is raised until the due
day has passed. Then ``missing`` reports a site where no item title, page title or anchor
text of a document link (a report published only as an attachment) names that year;
``late`` reports a site whose earliest dated copy of that year's document was published
after the due day (copies without any date are never judged late).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from govwatch.rules.annual.reader import title_year
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, MonthDayKind, Param, Regex, Text, as_date
from govwatch.rules.registry import check
from govwatch.rules.scanview import ScanView

# The links part starts from the anchors (each distinct link text once, whatever the pages
# and scans carrying it) and joins the scan's pages after (CROSS JOIN keeps that order):
# through the view ``links`` SQLite matched the text of every link of the scan, 3.5 million
# at 100 000 pages (1.1 s a rule -> 0.4 s).
_CANDIDATES = """
    select site_id, title, date, url, null from items
    where scan_id = :scan and title like :like and regexp(:regex, title)
    union all
    select site_id, title, pub_date, url, null from pages
    where scan_id = :scan and title like :like and regexp(:regex, title)
    union all
    select p.site_id, a.anchor_text, coalesce(d.pub_date, s.pub_date), t.url,
           case when d.pub_date is null then s.title end
    from anchors a cross join reading_links r on r.anchor_id = a.id
    cross join scan_pages p on p.reading_id = r.reading_id
    join urls t on t.id = a.target_id
    join urls u on u.id = p.url_id
    left join pages d on d.scan_id = :scan and d.url = t.url
    left join pages s on s.scan_id = :scan and s.url = u.url
    where a.kind = 'document' and a.anchor_text like :like
      and regexp(:regex, a.anchor_text) and p.scan_id = :scan
"""


@dataclass(frozen=True)
class Document:
    """A copy of a document as the scan saw it: a list item, a page or an attachment link."""

    title: str
    date: date | None
    url: str | None = None


def year_of(rule: Rule, title: str) -> int | None:
    """The year a title names, by the rule's ``title_regex`` (None if it does not match)."""
    return title_year(rule.params["title_regex"], title)


def due_period(rule: Rule, as_of: date) -> tuple[int, date] | None:
    """(the year judged, its due day) at *as_of*, or None before the due day has passed."""
    period, due = as_of.year - 1, rule.params["due"].in_year(as_of.year)
    return None if as_of <= due else (period, due)


def judge(rule: Rule, as_of: date, documents: Iterable[Document]) -> tuple[str, str] | None:
    """(detail, subject URL or '') when *documents* of one site break *rule* at *as_of*."""
    if (judged := due_period(rule, as_of)) is None:
        return None
    period, due = judged
    mine = [d for d in documents if year_of(rule, d.title) == period]
    if rule.params["raise_when"] == "missing":
        if mine:
            return None
        return f"检查日 {as_of} 已过期限 {due}，未找到 {period} 年度的文件", ""
    dated = [d for d in mine if d.date is not None]
    first = min(dated, key=lambda d: d.date, default=None)
    if first is None or first.date <= due:
        return None
    return f"{period} 年度文件「{first.title}」发布于 {first.date}，晚于期限 {due}", first.url or ""


def _example(rule: Rule, value: Mapping[str, Any]) -> bool:
    documents = [Document(d["title"], as_date(d.get("date"))) for d in value.get("documents", [])]
    return judge(rule, as_date(value["as_of"]), documents) is not None


def _validate(rule: Rule) -> str | None:
    if "year" not in rule.params["title_regex"].groupindex:
        return "param title_regex: needs a named group (?P<year>...)"
    return None


@check(
    "deadline_document", example=_example, validate=_validate,
    params={
        "title_regex": Param(Regex()),
        "keyword": Param(Text(), required=False, default=""),
        "due": Param(MonthDayKind()),
        "raise_when": Param(Choice(("missing", "late"))),
    },
)
def deadline_document(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A yearly document missing after its due day, or published after it."""
    for site, documents in sorted(documents_by_site(scan, rule).items()):
        verdict = judge(rule, scan.as_of, documents)
        if verdict is not None:
            # newest first, whatever order the scan's rows came in
            shown = sorted(documents, key=lambda d: (d.date or date.min, d.title), reverse=True)
            evidence = "; ".join(f"{d.title} ({d.date or '无日期'})" for d in shown[:5])
            yield Hit(site, verdict[1] or None, detail=verdict[0], evidence=evidence)


def documents_by_site(scan: ScanView, rule: Rule) -> dict[str, list[Document]]:
    """Every copy of the rule's documents the scan saw, by site (every site of the scan,
    maybe with none): list items, pages and links to attachments whose title the rule's
    ``title_regex`` matches, each with the date that counts for it."""
    by_site: dict[str, list[Document]] = {site: [] for site in scan.sites}
    for site, title, day, url, source_title in scan.rows(
            _CANDIDATES, {"like": f"%{rule.params['keyword']}%",
                          "regex": rule.params["title_regex"].pattern}):
        # An attachment takes the date of the page linking it, unless that page is another
        # year's document: the 2024 report's page linking the 2025 report does not date it.
        linked_from = year_of(rule, source_title) if source_title is not None else None
        if linked_from is not None and linked_from != year_of(rule, title):
            day = None
        by_site.setdefault(site, []).append(Document(title, as_date(day), url))
    return by_site
