"""The ``annual_report`` check: the due year's annual reports opened and read.

Params: those of ``deadline_document`` that locate the report (``title_regex``, ``keyword``,
``due``: the pack shares them with ``annual_report.missing`` through a YAML anchor) and
``raise_when``:

- ``structure``: a section of the template the report's year is judged by is missing, or
  the sections are printed in another order (the detail names them);
- ``arithmetic``: an identity of a table (勾稽关系) does not hold, or the year of the title
  is not the year the report says it covers (the detail names the table, the column, the
  identity and both sides' numbers);
- ``unreadable``: a report was found but the scan holds no text for it, or its text shows
  no report (no headings, or the template's tables cannot be read: a scanned image).

The reports are located as ``deadline_document`` locates them
(:func:`~rules.checks.deadline.documents_by_site`), once the due day of the year judged has
passed: every copy on a site whose title names that year. Copies of one report (its list
item, its page, its attachment) share a title and are read as one: the copy read best
stands for them. Its text comes from :meth:`~rules.scanview.ScanView.report_texts`, page
by page; the reading is :func:`~rules.annual.reader.read_report`. Every rule of this check
is run in one pass, so each report is read once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from govwatch.core.vocabulary import DocumentStatus
from govwatch.rules.annual.reader import ReportReading, fold, read_report, structure
from govwatch.rules.annual.sample import sample_text
from govwatch.rules.annual.template import Template, builtin_templates, template_for_year
from govwatch.rules.checks.deadline import Document, documents_by_site, due_period, year_of
from govwatch.rules.model import Hit, Rule, evidence_list
from govwatch.rules.params import Choice, MonthDayKind, Param, Regex, Text
from govwatch.rules.registry import CheckKind, check
from govwatch.rules.scanview import ScanView

RAISE_WHEN = ("structure", "arithmetic", "unreadable")
# What ends the part of a title before the report's name: a page title's site name
# (…年度报告_年报_某某局), an attachment's label (附件：…, 【附件】…).
_SEPARATORS = re.compile(r"[_|\-–—:】\]]")
_MOST_SHOWN = 5  # failed identities written into one finding's detail


def report_key(rule: Rule, title: str) -> str:
    """What copies of one report share: the part of the title that names it, without white
    space, file extension, the site name a page title adds (``…年度报告_年报_某某局``) or
    an attachment's label (``附件：…``); the body's name before the year stays, so two
    bodies' reports on one portal stay apart."""
    folded = re.sub(r"\s+", "", fold(title))
    match = rule.params["title_regex"].search(folded)
    if match is None:
        return folded
    start = max((m.end() for m in _SEPARATORS.finditer(folded, 0, match.start())), default=0)
    return folded[start:match.end()]


def verdict(raise_when: str, reading: ReportReading | None, year: int,
            templates: Sequence[Template]) -> str | None:
    """The finding's detail (Chinese) when *reading* of the report of *year* breaks the rule
    kind *raise_when*; None when it does not. *reading* None: no text of it was found."""
    if raise_when == "unreadable":
        if reading is None:
            return f"找到 {year} 年度报告，但未能取得其文本（附件未提取文字或页面未抓取）"
        if reading.template is None:
            return f"{year} 年度报告的文本中未识别出年度报告的章节（可能为扫描图片或仅有附件链接）"
        if not reading.readable:
            return f"{year} 年度报告中未能读出任何表格（可能以图片发布）"
        return None
    if reading is None or reading.template is None:
        return None  # nothing read: the unreadable rule says so
    if raise_when == "structure":
        expected = template_for_year(templates, year)
        if expected is None:
            return None
        found = structure(reading, expected)
        return None if found.ok else f"{year} 年度报告（{expected.name}）：{found.detail()}"
    failed = reading.failed
    if not failed:
        return None
    shown = "；".join(c.detail() for c in failed[:_MOST_SHOWN])
    more = f"（另有 {len(failed) - _MOST_SHOWN} 处）" if len(failed) > _MOST_SHOWN else ""
    return f"{year} 年度报告数据不一致：{shown}{more}"


def _best(readings: Sequence[tuple[Document, ReportReading | None]]
          ) -> tuple[Document, ReportReading | None]:
    """The copy read best: readable, then with the most sections and tables found; a copy
    with text before one without."""
    def rank(pair: tuple[Document, ReportReading | None]) -> tuple[int, ...]:
        reading = pair[1]
        if reading is None:
            return (0, 0, 0)
        found = sum(s.found for s in reading.sections) + sum(t.found for t in reading.tables)
        return (1, int(reading.readable), found)

    return max(readings, key=rank)


def _read_copies(scan: ScanView, rule: Rule, copies: Sequence[Document],
                 cache: dict[str, ReportReading | None]
                 ) -> tuple[Document, ReportReading | None]:
    pairs = []
    for copy in copies:
        if copy.url is None:
            continue
        if copy.url not in cache:
            pages = scan.report_texts(copy.url)
            cache[copy.url] = None if pages is None else read_report(
                pages, title=copy.title, title_pattern=rule.params["title_regex"])
        pairs.append((copy, cache[copy.url]))
    return _best(pairs) if pairs else (copies[0], None)


def _not_read(scan: ScanView, url: str | None) -> str:
    """Why the attachment at *url* gave no text, when the scan downloaded it and could not
    read it (a scan, encrypted, corrupt…): its status and reason, in Chinese."""
    document = scan.document(url) if url else None
    if document is None or document.status == DocumentStatus.READ:
        return ""
    reason = f"：{document.reason}" if document.reason else ""
    return f"；附件{DocumentStatus(document.status).label}{reason}"


def _locating(rule: Rule) -> tuple[Any, ...]:
    return (rule.params["title_regex"].pattern, rule.params["keyword"], rule.raw_params["due"])


def _example(rule: Rule, value: Mapping[str, Any]) -> bool:
    """An example: ``{year, sections?, period?, <table key>: {<row key>: numbers}}`` is a
    report written in the layout judged for *year* (``sample_text``) and read; ``{year,
    text}`` is a report's text as given; ``{year, text: null}`` is a report without text."""
    templates = builtin_templates()
    year = int(value["year"])
    if "text" in value:
        pages = None if value["text"] is None else [str(value["text"])]
    else:
        template = {t.id: t for t in templates}[value.get("template", "gov-2021")]
        numbers = {k: v for k, v in value.items() if k in {t.key for t in template.tables}}
        pages = [sample_text(template, year, numbers, value.get("sections"),
                             value.get("period"))]
    reading = None if pages is None else read_report(
        pages, title_pattern=rule.params["title_regex"], templates=templates)
    return verdict(rule.params["raise_when"], reading, year, templates) is not None


@check(
    "annual_report", kind=CheckKind.BATCH, example=_example,
    params={
        "title_regex": Param(Regex()),
        "keyword": Param(Text(), required=False, default=""),
        "due": Param(MonthDayKind()),
        "raise_when": Param(Choice(RAISE_WHEN)),
    },
)
def annual_report(scan: ScanView, runs: Sequence[tuple[Rule, frozenset[str]]]
                  ) -> Iterator[tuple[Rule, Hit]]:
    """The due year's annual reports read: their sections, their tables' sums, or their
    text that cannot be read."""
    templates = builtin_templates()
    groups: dict[tuple[Any, ...], list[Rule]] = {}
    for rule, _sites in runs:
        groups.setdefault(_locating(rule), []).append(rule)
    for rules in groups.values():
        first = rules[0]
        judged = due_period(first, scan.as_of)
        if judged is None:
            continue
        year, cache = judged[0], {}
        for site, documents in sorted(documents_by_site(scan, first).items()):
            reports: dict[str, list[Document]] = {}
            for doc in documents:
                if year_of(first, doc.title) == year:
                    reports.setdefault(report_key(first, doc.title), []).append(doc)
            for copies in reports.values():
                copy, reading = _read_copies(scan, first, copies, cache)
                evidence = evidence_list([f"{d.title} {d.url or ''}".strip() for d in copies], 3)
                for rule in rules:
                    detail = verdict(rule.params["raise_when"], reading, year, templates)
                    if detail is not None and rule.params["raise_when"] == "unreadable":
                        detail += _not_read(scan, copy.url)
                    if detail is not None:
                        yield rule, Hit(site, copy.url, detail=detail, evidence=evidence)
