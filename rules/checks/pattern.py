"""The ``pattern`` check: a regex that must, or must not, occur in a scope of pages.

Params:

- ``scope``: ``text`` (visible text, ``page_texts.text``) | ``title`` (``pages.title``) |
  ``footer`` (raw footer identifiers, ``footer_facts.raw``, home page and a sample of
  pages) | ``url`` | ``html`` (raw HTML, kept for home pages only) | ``document`` (the text
  of the attachments read, crawler/documents: each page or sheet); or a list of them;
- ``pages``: ``home`` | ``all`` (default); with ``applies_to.column_classes`` the pages are
  the list pages and item pages of the columns of those classes; an attachment is covered
  when the page linking it is;
- ``must_not_match``: a page where the regex occurs is a finding, the text around the
  first matches its evidence; or ``must_match``: a page where it does not occur is one;
- ``validator``: a match validator registered with :func:`match_validator` (such as
  ``id_number``): only matches it accepts count, and its mask hides every match of the
  regex in the evidence.

A finding in an attachment names the attachment as its subject and the page linking it as
its source; its detail says where (``第3页``, a sheet's row: ``Sheet1 第12行``, a document
without pages: ``第5段``), and so does each piece of evidence.

Every pattern rule of an evaluation runs in one batch: ``page_texts``, ``pages`` and
``footer_facts`` are each read once per scan, and each row is tried against the
precompiled regex of every rule that covers it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, Kind, Param, Regex
from govwatch.rules.registry import CheckKind, check
from govwatch.rules.scanview import HOME_PAGES, ScanDocument, ScanView, in_list

SCOPES = ("text", "title", "footer", "url", "html", "document")
_SCOPE_LABELS = {"text": "正文", "title": "标题", "footer": "底部标识", "url": "地址",
                 "html": "源代码", "document": "附件"}
# Each table is read once; a scope is one column of its rows (site_id, url first).
_TABLES: dict[str, tuple[str, dict[str, int]]] = {
    "page_texts": ("select site_id, url, text, html from page_texts where scan_id = :scan",
                   {"text": 2, "html": 3}),
    "pages": ("select site_id, url, title from pages where scan_id = :scan",
              {"url": 1, "title": 2}),
    "footer_facts": ("select site_id, page_url, group_concat(raw, char(10)) from footer_facts "
                     "where scan_id = :scan and raw is not null group by page_url",
                     {"footer": 2}),
}
_CONTEXT = 20  # characters of evidence on each side of a match
_MARGIN = 40  # wider than any masked match, so a match touching the evidence is masked whole
_EVIDENCE_MATCHES = 3
# A rule run over one table: rule, its sites, the URLs it covers (None: all), column index,
# the scope that column is.
_Cover = tuple[Rule, frozenset[str], frozenset[str] | None, int, str]


@dataclass(frozen=True)
class Validator:
    """Decides whether a regex match counts, and how evidence shows it.

    ``mask`` must keep the length of what it hides (evidence is cut around positions).
    """

    accept: Callable[[str], bool]
    mask: Callable[[str], str] | None = None


_VALIDATORS: dict[str, Validator] = {}


def match_validator(name: str, mask: Callable[[str], str] | None = None
                    ) -> Callable[[Callable[[str], bool]], Callable[[str], bool]]:
    """Register the decorated ``accept(text) -> bool`` as the validator *name*."""

    def register(accept: Callable[[str], bool]) -> Callable[[str], bool]:
        _VALIDATORS[name] = Validator(accept, mask)
        return accept

    return register


def offending(rule: Rule, content: str) -> list[re.Match[str]] | None:
    """The matches that make *content* break *rule* (empty list: ``must_match`` found
    nothing), or None when it passes."""
    params = rule.params
    if params["must_match"] is not None:
        return None if params["must_match"].search(content) else []
    validator = _VALIDATORS.get(params["validator"] or "")
    found = [m for m in params["must_not_match"].finditer(content)
             if validator is None or validator.accept(m[0])]
    return found or None


def _evidence(rule: Rule, text: str, match: re.Match[str]) -> str:
    """The text around *match*, the match in 【】, every regex match masked if the
    validator has a mask."""
    start, end = match.span()
    lo = max(0, start - _CONTEXT - _MARGIN)
    region = text[lo:end + _CONTEXT + _MARGIN]
    validator = _VALIDATORS.get(rule.params["validator"] or "")
    if validator is not None and validator.mask is not None:
        region = rule.params["must_not_match"].sub(lambda m: validator.mask(m[0]), region)
    a, s, e = max(0, start - _CONTEXT) - lo, start - lo, end - lo
    snippet = f"{region[a:s]}【{region[s:e]}】{region[e:e + _CONTEXT]}"
    return " ".join(snippet.split())


def judge(rule: Rule, content: str, scope: str | None = None) -> tuple[str, str] | None:
    """(detail, evidence) when *content* (of *scope*, default the rule's first) breaks
    *rule*, else None."""
    found = offending(rule, content)
    if found is None:
        return None
    label = _SCOPE_LABELS[scope or rule.params["scope"][0]]
    if not found:
        return f"页面{label}未出现规定内容 /{rule.params['must_match'].pattern}/", ""
    evidence = " | ".join(_evidence(rule, content, m) for m in found[:_EVIDENCE_MATCHES])
    return f"页面{label}出现不应出现的内容 {len(found)} 处", evidence


def judge_document(rule: Rule, document: ScanDocument, parts: Sequence[tuple[str, str]]
                   ) -> tuple[str, str] | None:
    """(detail, evidence) when the attachment *document*, read as *parts*, breaks *rule*;
    each place it does is named (page, sheet and row, or paragraph)."""
    kind = document.format.upper() or "附件"
    if rule.params["must_match"] is not None:
        if any(rule.params["must_match"].search(text) for _, text in parts):
            return None
        return f"附件（{kind}）未出现规定内容 /{rule.params['must_match'].pattern}/", ""
    places, evidence, count = [], [], 0
    for label, text in parts:
        found = offending(rule, text)
        if not found:
            continue
        count += len(found)
        for match in found:
            where = document.where(label, text, match.start())
            if where not in places:
                places.append(where)
            if len(evidence) < _EVIDENCE_MATCHES:
                evidence.append(f"{where}：{_evidence(rule, text, match)}")
    if not count:
        return None
    shown = "、".join(places[:_EVIDENCE_MATCHES]) + ("等" if len(places) > _EVIDENCE_MATCHES
                                                     else "")
    return (f"附件（{kind}）{shown}出现不应出现的内容 {count} 处", " | ".join(evidence))


def _example(rule: Rule, value: object) -> bool:
    if not isinstance(value, str):
        raise ValueError(f"a pattern example is the text of its scope, not {value!r}")
    return judge(rule, value) is not None


def _validate(rule: Rule) -> str | None:
    params = rule.params
    if (params["must_match"] is None) == (params["must_not_match"] is None):
        return "give exactly one of must_match and must_not_match"
    if params["validator"] and params["must_not_match"] is None:
        return "validator needs must_not_match"
    if params["pages"] == "home" and rule.applies_to.column_classes:
        return "pages: home cannot be combined with applies_to.column_classes"
    return None


def _page_filter(scan: ScanView, rule: Rule) -> frozenset[str] | None:
    """The URLs *rule* covers, or None for every page."""
    classes = sorted(rule.applies_to.column_classes)
    if rule.params["pages"] == "home":
        return frozenset(row[1] for row in scan.rows(HOME_PAGES, {}))
    if not classes:
        return None
    marks, names = in_list("c", classes)
    sql = f"""
        select page_url from column_pages where scan_id = :scan and class in ({marks})
        union
        select i.url from items i join columns c on c.scan_id = i.scan_id and c.url = i.column_url
        where i.scan_id = :scan and c.class in ({marks})
    """
    return frozenset(row[0] for row in scan.rows(sql, names))


class _Scopes(Kind):
    """A scope, or a list of scopes: always a tuple of them."""

    name = "one of " + ", ".join(SCOPES) + ", or a list of them"

    def convert(self, value: object) -> tuple[str, ...]:
        values = value if isinstance(value, list) else [value]
        if not values or any(v not in SCOPES for v in values):
            raise ValueError(f"must be {self.name}, not {value!r}")
        return tuple(dict.fromkeys(str(v) for v in values))


@check(
    "pattern", kind=CheckKind.BATCH, example=_example, validate=_validate,
    params={
        "scope": Param(_Scopes()),
        "pages": Param(Choice(("home", "all")), required=False, default="all"),
        "must_match": Param(Regex(), required=False),
        "must_not_match": Param(Regex(), required=False),
        "validator": Param(Choice(lambda: sorted(_VALIDATORS)), required=False),
    },
)
def pattern(scan: ScanView, runs: Sequence[tuple[Rule, frozenset[str]]]
            ) -> Iterator[tuple[Rule, Hit]]:
    """A regex that must (or must not) occur in the text, title, footer, URL or HTML of
    the pages a rule covers, or in the text of the attachments they link."""
    filters: dict[tuple[str, frozenset[str]], frozenset[str] | None] = {}

    def covered(rule: Rule) -> frozenset[str] | None:
        key = (rule.params["pages"], rule.applies_to.column_classes)
        if key not in filters:
            filters[key] = _page_filter(scan, rule)
        return filters[key]

    for sql, fields in _TABLES.values():
        mine: list[_Cover] = [(rule, sites, covered(rule), fields[scope], scope)
                              for rule, sites in runs for scope in rule.params["scope"]
                              if scope in fields]
        if mine:
            yield from _scan_table(scan.rows(sql, {}), mine)
    documents = [(rule, sites, covered(rule)) for rule, sites in runs
                 if "document" in rule.params["scope"]]
    if documents:
        yield from _scan_documents(scan, documents)


def _scan_table(rows: Iterable[Sequence], mine: list[_Cover]) -> Iterator[tuple[Rule, Hit]]:
    for row in rows:
        site, url = row[0], row[1]
        for rule, sites, pages, column, scope in mine:
            content = row[column]
            if content is None or site not in sites or (pages is not None and url not in pages):
                continue
            if verdict := judge(rule, content, scope):
                yield rule, Hit(site, url, url, detail=verdict[0], evidence=verdict[1])


def _scan_documents(scan: ScanView, rules: list[tuple[Rule, frozenset[str],
                                                      frozenset[str] | None]]
                    ) -> Iterator[tuple[Rule, Hit]]:
    """Each attachment read, its texts unpacked once, tried against every rule covering the
    page that links it."""
    for document in scan.documents():
        if document.content_id is None:
            continue  # nothing read: its status says why
        parts: list[tuple[str, str]] | None = None
        for rule, sites, pages in rules:
            if document.site_id not in sites or (
                    pages is not None and document.source_url not in pages):
                continue
            parts = parts if parts is not None else scan.document_texts(document)
            if verdict := judge_document(rule, document, parts):
                yield rule, Hit(document.site_id, document.url, document.source_url,
                                detail=verdict[0], evidence=verdict[1])
