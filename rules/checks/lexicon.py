"""The ``lexicon`` check: wrong words of lexicon lists in page titles and text.

Params:

- ``categories``: the entry categories the rule reports (``leader_name``, ``typo``…);
- ``builtin``: read the lexicons shipped with govwatch (``rules/lexicons/*.yaml``; default
  true);
- ``lists``: more lexicon files, such as an office's own list of leaders' names or place
  names; a relative path is read from the pack file's folder. A site may add its own through
  the sites file (``rules.params``);
- ``scopes``: where to look: ``title`` (``pages.title``), ``text`` (``page_texts.text``),
  ``document`` (the texts of the attachments read, page by page or sheet by sheet); default
  ``title`` and ``text``. A scope is one function of :data:`SOURCES`;
- ``exceptions``: exceptions for every entry (``before``, ``after``, ``contexts``,
  ``sentence``, ``quoted``; see :mod:`rules.lexicon`).

An entry with ``since`` judges only what was published on or after that date: the date of
the item whose listed title holds the word, else the page's own date (``pages.pub_date``,
else the date a list gives it); what has no date is judged. Every lexicon rule of an
evaluation runs in one batch over one automaton: each page is read and scanned once.

A finding is one page (or attachment) for one rule; its detail names the wrong forms and
their right ones (【国家旅游局】应为：文化和旅游部), its evidence is the sentences, the wrong
form marked. An attachment's finding has the attachment as its subject and the page linking
it as its source; its evidence says where (``附件 第3页：…``), and the date that judges
``since`` is the linking page's (else the date a list gives the attachment or that page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from govwatch.rules.lexicon import (
    Entry,
    Exceptions,
    LexiconError,
    Match,
    Matcher,
    builtin_lexicon_paths,
    exceptions_from,
    excused,
    load_lexicon,
    marked_sentence,
)
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Boolean, Choice, Kind, ListOf, Param, Text
from govwatch.rules.registry import CheckKind, check
from govwatch.rules.scanview import PARTS_WITHOUT_PAGES, ScanView, in_list

# Chinese labels of the built-in categories (others print as written).
CATEGORY_LABELS = {
    "leader_name": "领导人姓名错误", "state_name": "国家和党的名称错误",
    "country_region": "国家和地区名称错误", "outdated_name": "已更名或撤销的机构名称",
    "typo": "错别字", "place_name": "地名错误",
}
_SCOPE_LABELS = {"title": "标题", "text": "正文", "document": "附件"}
_EVIDENCE_MATCHES = 3
_CHUNK = 500  # URLs per `in (…)` query



class Piece(NamedTuple):
    """A piece of a page (or attachment) in one scope."""

    site: str
    url: str  # the finding's subject: the page, or the attachment
    text: str
    date: str | None  # the page's own date (ISO), or the linking page's; None: undated
    where: str = ""  # where in an attachment (附件 第3页), '' on a page
    source: str | None = None  # the page linking an attachment


PageRows = Mapping[str, tuple[str, str | None, str | None]]  # url -> (site, title, pub_date)


def _titles(scan: ScanView, pages: PageRows) -> Iterator[Piece]:
    for url, (site, title, pub_date) in pages.items():
        if title:
            yield Piece(site, url, title, pub_date)


def _texts(scan: ScanView, pages: PageRows) -> Iterator[Piece]:
    for site, url, text in scan.rows("select site_id, url, text from page_texts "
                                     "where scan_id = :scan", {}):
        yield Piece(site, url, text, pages.get(url, (site, None, None))[2])


def _documents(scan: ScanView, pages: PageRows) -> Iterator[Piece]:
    for document in scan.documents():
        if document.content_id is None:
            continue  # nothing read: its status says why
        when = pages.get(document.source_url or "", ("", None, None))[2]
        for label, text in scan.document_texts(document):
            if not document.sheets and label != PARTS_WITHOUT_PAGES:
                yield Piece(document.site_id, document.url, text, when, f"附件 {label}",
                            document.source_url)
                continue
            # a sheet's rows, a Word document's paragraphs: each named on its own
            at = 0
            for line in text.split("\n"):
                if line.strip():
                    yield Piece(document.site_id, document.url, line, when,
                                f"附件 {document.where(label, text, at)}", document.source_url)
                at += len(line) + 1


# Where each scope's texts come from: one function yielding pieces, and its name here.
SOURCES: dict[str, Callable[[ScanView, PageRows], Iterable[Piece]]] = {
    "title": _titles, "text": _texts, "document": _documents,
}
SCOPES = tuple(SOURCES)
DEFAULT_SCOPES = ("title", "text")  # attachments only where a pack asks for them


class ExceptionsKind(Kind):
    name = "a mapping of exceptions (before, after, contexts, sentence, quoted)"

    def convert(self, value: Any) -> Exceptions:
        return exceptions_from(value)


def lexicon_paths(rule: Rule) -> tuple[Path, ...]:
    """The lexicon files *rule* reads: the built-in ones (unless ``builtin: false``), then
    its ``lists`` (relative to the pack file)."""
    own = tuple((rule.path.parent / p) if not Path(p).is_absolute() else Path(p)
                for p in rule.params["lists"] or ())
    return (*(builtin_lexicon_paths() if rule.params["builtin"] else ()), *own)


@dataclass
class _Plan:
    """One rule of the batch: what it accepts and for which sites."""

    rule: Rule
    sites: frozenset[str]
    lexicons: frozenset[Path]
    categories: frozenset[str]

    def accepts(self, entry: Entry) -> bool:
        return entry.category in self.categories and entry.path in self.lexicons


@dataclass
class _Found:
    """What a page holds for one rule: (scope, where, text, page date, match) in reading
    order."""

    site: str
    matches: list[tuple[str, str, str, str | None, Match]] = field(default_factory=list)
    source: str | None = None  # the page linking an attachment


@lru_cache(maxsize=8)
def _matcher(paths: tuple[Path, ...]) -> Matcher:
    return Matcher(e for p in paths for e in load_lexicon(p).entries)


class PageJudge:
    """The rules of a batch over one automaton; :meth:`find` one piece of a page,
    :meth:`hits` a page's findings once its dates are known."""

    def __init__(self, runs: Sequence[tuple[Rule, frozenset[str]]]) -> None:
        self.plans = []
        paths: dict[Path, None] = {}
        for rule, sites in runs:
            mine = [load_lexicon(p).path for p in lexicon_paths(rule)]
            paths.update(dict.fromkeys(mine))
            self.plans.append(_Plan(rule, sites, frozenset(mine),
                                    frozenset(rule.params["categories"])))
        self.sites = frozenset().union(*(p.sites for p in self.plans))
        self.matcher = _matcher(tuple(paths))
        # Exceptions are the entry's over the rule's, merged once per (rule, entry).
        self._merged: dict[tuple[int, Entry], Exceptions] = {}

    def find(self, scope: str, site: str, text: str, page_date: str | None,
             into: dict[int, _Found], where: str = "") -> None:
        """Add to *into* (by plan index) the matches of *text* each rule reports, before
        dates are judged."""
        matches = self.matcher.find(text)
        if not matches:
            return
        for n, plan in enumerate(self.plans):
            if site not in plan.sites:
                continue
            for match in matches:
                if plan.accepts(match.entry) and not excused(
                        text, match, self._exceptions(n, plan, match.entry)):
                    into.setdefault(n, _Found(site)).matches.append(
                        (scope, where, text, page_date, match))

    def _exceptions(self, n: int, plan: _Plan, entry: Entry) -> Exceptions:
        key = (n, entry)
        if key not in self._merged:
            self._merged[key] = entry.exceptions.under(plan.rule.params["exceptions"])
        return self._merged[key]

    def hits(self, url: str, found: Mapping[int, _Found], dates: _Dates
             ) -> Iterator[tuple[Rule, Hit]]:
        """The findings of page *url* from what :meth:`find` gathered for it."""
        for n, page in found.items():
            kept = [(scope, where, text, match) for scope, where, text, own, match
                    in page.matches
                    if not _too_old(match, dates.of(url, scope, text, match, own, page.source))]
            if kept:
                detail, evidence = describe(kept)
                yield self.plans[n].rule, Hit(page.site, url, page.source or url, detail=detail,
                                              evidence=evidence)


def _too_old(match: Match, published: date | None) -> bool:
    """Published before the word became wrong (undated: judged)."""
    since = match.entry.since
    return since is not None and published is not None and published < since


@dataclass
class _Dates:
    """Dates of the pages that hold matches: the items their lists show (title, date) and
    the dates lists give the pages themselves."""

    listed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)

    def of(self, url: str, scope: str, text: str, match: Match, page_date: str | None,
           source: str | None = None) -> date | None:
        """The publication date that judges *match*: the item whose listed title holds it,
        else the page's own date, else the earliest date a list gives the page (for an
        attachment: the linking page's date, the list's date for the attachment, then for
        the linking page *source*)."""
        if scope == "text":
            for title, when in self.listed.get(url, ()):
                offset = title.find(match.term)
                while offset >= 0:
                    # the title as printed up to the word (lists cut long titles after it)
                    if text.startswith(title[:offset + len(match.term)], match.start - offset):
                        return date.fromisoformat(when)
                    offset = title.find(match.term, offset + 1)
        when = page_date or self.own.get(url) or (self.own.get(source) if source else None)
        return date.fromisoformat(when) if when else None


def _dates(scan: ScanView, urls: Sequence[str]) -> _Dates:
    out = _Dates()
    for n in range(0, len(urls), _CHUNK):
        marks, names = in_list("u", urls[n:n + _CHUNK])
        for page_url, url, title, when in scan.rows(
                f"select page_url, url, title, date from items where scan_id = :scan "
                f"and date is not null and (page_url in ({marks}) or url in ({marks}))", names):
            out.listed.setdefault(page_url, []).append((title or "", when))
            if url not in out.own or when < out.own[url]:
                out.own[url] = when
    return out


def describe(kept: Sequence[tuple[str, str, str, Match]]) -> tuple[str, str]:
    """(detail, evidence) of a page's (or an attachment's) matches for one rule, in Chinese:
    each is (scope, where in an attachment or '', text, match)."""
    terms: dict[tuple[str, str], Match] = {}
    for *_, match in kept:
        terms.setdefault((match.term, match.entry.right), match)
    labels = dict.fromkeys(CATEGORY_LABELS.get(m.entry.category, f"{m.entry.category}类错误")
                           for m in terms.values())
    named = "；".join(f"【{term}】应为：{right}" + ("（同音误写）" if m.homophone else "")
                     for (term, right), m in terms.items())
    places = dict.fromkeys(where for _, where, _, _ in kept if where)
    if places:  # an attachment: its pages
        shown = "、".join(list(places)[:_EVIDENCE_MATCHES]) + (
            "等" if len(places) > _EVIDENCE_MATCHES else "")
        subject = shown
    else:
        subject = "页面" + "、".join(dict.fromkeys(_SCOPE_LABELS.get(s, s) for s, *_ in kept))
    detail = f"{subject}出现{'、'.join(labels)} {len(kept)} 处：{named}"
    evidence = " | ".join((f"{where}：" if where else "")
                          + f"{marked_sentence(text, m)}（应为：{m.entry.right}）"
                          for _, where, text, m in kept[:_EVIDENCE_MATCHES])
    return detail, evidence


def _validate(rule: Rule) -> str | None:
    """Read every lexicon of *rule* (a broken one raises LexiconError naming its file and
    line) and check that each category the rule names is a known one or in one of them."""
    known: set[str] = set()
    for path in lexicon_paths(rule):
        try:
            known |= load_lexicon(path).categories
        except LexiconError as error:
            error.rule = rule.id
            error.args = (error.message, error.path, error.line, rule.id)
            raise
    # a category of CATEGORY_LABELS may wait for an office's list (place_name)
    missing = [c for c in rule.params["categories"] if c not in known | set(CATEGORY_LABELS)]
    if missing:
        return (f"category {missing[0]!r} is in none of the rule's lexicons (known: "
                f"{', '.join(sorted(known))})")
    return None


def _example(rule: Rule, value: object) -> bool:
    """An example is the text of a page, or ``{text, date}`` (the page's date, for
    ``since``), or ``{title, date}``."""
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, dict) or not ({"text", "title"} & set(value)):
        raise ValueError(f"a lexicon example is a text or {{text|title, date}}, not {value!r}")
    when = value.get("date")
    judge = PageJudge([(rule, frozenset({"example"}))])
    found: dict[int, _Found] = {}
    for scope in ("title", "text"):
        if value.get(scope) and scope in rule.params["scopes"]:
            judge.find(scope, "example", str(value[scope]),
                       None if when is None else str(when), found)
    return any(True for _ in judge.hits("example", found, _Dates()))


@check(
    "lexicon", kind=CheckKind.BATCH, example=_example, validate=_validate,
    params={
        "categories": Param(ListOf(Text())),
        "builtin": Param(Boolean(), required=False, default=True),
        "lists": Param(ListOf(Text(), min_items=0), required=False, default=()),
        "scopes": Param(ListOf(Choice(SCOPES)), required=False, default=DEFAULT_SCOPES),
        "exceptions": Param(ExceptionsKind(), required=False, default=Exceptions()),
    },
)
def lexicon(scan: ScanView, runs: Sequence[tuple[Rule, frozenset[str]]]
            ) -> Iterator[tuple[Rule, Hit]]:
    """Wrong words of lexicon lists (renamed agencies, misspelt names, wrong names of
    countries and regions, typos) in page titles and text."""
    judge = PageJudge(runs)
    if not judge.sites or not len(judge.matcher):
        return
    wanted = {s for plan in judge.plans for s in plan.rule.params["scopes"]}
    pages = {url: (site, title, pub_date) for site, url, title, pub_date in scan.rows(
        "select site_id, url, title, pub_date from pages where scan_id = :scan", {})}
    found: dict[str, dict[int, _Found]] = {}
    for scope in SCOPES:
        if scope not in wanted:
            continue
        for piece in SOURCES[scope](scan, pages):
            if piece.site in judge.sites and piece.text:
                mine: dict[int, _Found] = {}
                judge.find(scope, piece.site, piece.text, piece.date, mine, piece.where)
                for n, page in mine.items():
                    if scope not in judge.plans[n].rule.params["scopes"]:
                        continue
                    into = found.setdefault(piece.url, {}).setdefault(
                        n, _Found(piece.site, source=piece.source))
                    into.matches += page.matches
    sources = {f.source for per_rule in found.values() for f in per_rule.values() if f.source}
    dates = _dates(scan, [*found, *sources])
    for url, per_rule in found.items():
        yield from judge.hits(url, per_rule, dates)
