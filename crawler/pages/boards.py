"""Rows a page publishes with dates of their own: messages of a 互动交流 board, and the
decisions of a 双公示 list (行政许可, 行政处罚).

Both are read the same way, from labels (:class:`Shape`):

- a ``<table>`` whose header row names the fields (留言时间 | 回复时间 | 状态; 决定日期 |
  公示日期): every later row is one record;
- list rows (``li``, ``dl``, ``div``, ``tr``, ``p``) whose own text carries the labels
  (留言时间：2026-01-02 … 回复时间：…, or a status 已回复/办理中): the innermost element
  holding a whole record is one record, its first link its URL and title;
- a detail page carrying the labels once, with both dates: one record, the page itself.

A board is a consultation board (政务咨询: 领导信箱, 在线咨询, 留言, 咨询投诉) unless its
page or the link to it names 信访 or 纪检/举报, whose boards the indicators exempt. A
decision is a 行政许可 or a 行政处罚 by its header, else by its page. Dates are parsed by
:mod:`crawler.pages.dates`; nothing else here reads a date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import lxml.html

from govwatch.crawler.pages.dates import find_date
from govwatch.crawler.pages.page import Page

__all__ = ["Decision", "Message", "board_kind", "holds_records", "read_decisions",
           "read_messages"]

# Message statuses as printed, by what they mean.
ANSWERED, PENDING = "answered", "pending"
_STATUS_WORDS = re.compile(r"(?P<answered>已回复|已答复|已办结|已处理|已反馈|已回信)"
                           r"|(?P<pending>办理中|处理中|受理中|待回复|未回复|未答复|未办结|待处理|待办理)")
# Boards the indicators exempt: petitions (信访) and reports to the discipline inspectors.
_PETITION = re.compile(r"信访|纪检|纪委|监察|举报|检举|控告")
CONSULT, PETITION = "consult", "petition"
_BARE_TIME = re.compile(r"\s*(?:时间|日期)\s*[:：]?\s*")
_ROW_TAGS = ("li", "dl", "div", "tr", "p")
_MAX_ROW_CHARS = 600  # a record is short; more is a container of several
_TITLE_CHARS = 200


@dataclass(frozen=True)
class Shape:
    """The labels of one kind of record: a regex per field, the fields a record needs,
    and the date fields."""

    labels: Mapping[str, str]
    needs: tuple[frozenset[str], ...]  # each set: at least one of its fields
    dated: frozenset[str]
    status: bool = False  # a status word alone counts as the status field

    def header(self, text: str) -> str | None:
        """The field a header cell names (its whole text is the label)."""
        text = re.sub(r"[\s:：]", "", text)
        for name, label in self.labels.items():
            if re.fullmatch(f"(?:{label})", text):
                return name
        return None

    def complete(self, fields: Mapping[str, object]) -> bool:
        return all(any(fields.get(f) for f in need) for need in self.needs)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Every label but the title's, each a named group, with its colon."""
        alternatives = "|".join(f"(?P<{name}>{label})" for name, label in self.labels.items()
                                if name != "title")
        return re.compile(rf"(?:{alternatives})\s*[:：]?\s*")


MESSAGES = Shape(
    labels={
        "title": r"(?:留言|信件|咨询|来信)?(?:标题|主题)|事项|留言内容|信件名称",
        "asked": r"(?:留言|提问|咨询|来信|写信|提交|投诉|诉求)(?:时间|日期)",
        # 办理时间: a letter's page of MinMore CMS's 局长信箱 (暂无 until answered)
        "answered": r"(?:回复|答复|办结|回信|反馈|办理)(?:时间|日期)",
        "status": r"(?:办理|回复|处理|答复|办事)?状态",
    },
    needs=(frozenset({"asked"}), frozenset({"answered", "status"})),
    dated=frozenset({"asked", "answered"}), status=True,
)
DECISIONS = Shape(
    labels={
        "title": (r"(?:项目|案件|事项|许可|处罚)?名称|(?:行政)?相对人(?:名称)?|标题"
                  r"|(?:决定书)?文号"),
        "decided": (r"(?:作出)?(?:行政)?(?:许可|处罚)?决定(?:的)?(?:日期|时间)"
                    r"|(?:许可|处罚)(?:日期|时间)"),
        "published": r"(?:公示|发布|公开|上网)(?:日期|时间)",
    },
    needs=(frozenset({"decided"}), frozenset({"published"})),
    dated=frozenset({"decided", "published"}),
)
_PERMIT, _PENALTY = "permit", "penalty"
# Words without one of which a page holds no message nor decision: the labels a record
# needs besides a publication date (发布时间 is on every article), and the status words.
# The lookahead names the characters those words can begin with: it lets the regex engine
# skip ahead to them, about eight times faster on pages that hold none (most pages; the
# reader asks of every page). A test checks it against the labels.
HINT_LEADS = "留提咨来写投诉回答办反作行许处决已受待未"
_HINTS = re.compile(f"(?=[{HINT_LEADS}])(?:" + "|".join((
    MESSAGES.labels["asked"], MESSAGES.labels["answered"], DECISIONS.labels["decided"],
    _STATUS_WORDS.pattern)) + ")")


@dataclass(frozen=True)
class Message:
    """One message of a board: its URL (the page's, with ``#n``, when it has none), title,
    when it was asked and answered, its status (``answered``, ``pending`` or None when the
    board prints none) and its board (``consult`` or ``petition``)."""

    url: str
    title: str
    asked: date | None
    answered: date | None
    status: str | None
    board: str


@dataclass(frozen=True)
class Decision:
    """One decision of a 双公示 list: URL, title, ``permit`` or ``penalty`` (None when the
    page does not say), the decision's date and its publication's."""

    url: str
    title: str
    kind: str | None
    decided: date | None
    published: date | None


def holds_records(text: str) -> bool:
    """Whether a page's visible *text* may hold a message or a decision: most pages do not,
    and skip the search for them."""
    return _HINTS.search(text) is not None


def board_kind(context: str) -> str:
    """``petition`` when *context* (the page's title, the link to it, its column's name)
    names 信访 or 纪检/举报, else ``consult``."""
    return PETITION if _PETITION.search(context) else CONSULT


def read_messages(page: Page, context: str = "") -> list[Message]:
    """The messages *page* lists (or is); *context*: what else names its board (the link
    text that led to it, its column's name)."""
    board = board_kind(f"{page.title} {context}")
    out = []
    for url, fields in _records(page, MESSAGES):
        status = _status(fields)
        out.append(Message(url, fields.get("title") or "", fields.get("asked"),
                           fields.get("answered"), status, board))
    return out


def read_decisions(page: Page, context: str = "") -> list[Decision]:
    """The decisions of a 双公示 list on *page* (or the one it is)."""
    page_kind = _decision_kind(f"{page.title} {context}")
    out = []
    for url, fields in _records(page, DECISIONS):
        kind = _decision_kind(str(fields.get("_labels", ""))) or page_kind
        out.append(Decision(url, fields.get("title") or "", kind, fields.get("decided"),
                            fields.get("published")))
    return out


def _decision_kind(text: str) -> str | None:
    penalty, permit = "处罚" in text, "许可" in text
    return _PENALTY if penalty and not permit else _PERMIT if permit and not penalty else None


def _status(fields: Mapping[str, object]) -> str | None:
    if fields.get("answered"):
        return ANSWERED
    match = _STATUS_WORDS.search(str(fields.get("status") or ""))
    return None if match is None else match.lastgroup


# -- records ------------------------------------------------------------------------------

Fields = dict[str, object]


def _records(page: Page, shape: Shape) -> Iterator[tuple[str, Fields]]:
    """(URL, fields) of each record of *shape* on *page*: tables first, then list rows,
    else the page itself as a detail page."""
    body = page.tree.find("body")
    if body is None:
        return
    found = 0
    in_tables: set[lxml.html.HtmlElement] = set()
    for table in body.iter("table"):
        for url, fields in _table(page, table, shape, in_tables):
            found += 1
            yield url or f"{page.url}#{found}", fields
    rows = _rows(body, shape, in_tables)
    if len(rows) == 1 and _first_link(page, rows[0]) is None:
        rows = []  # one record and no link: the page is the record (a detail page)
    for row in rows:
        fields = _labelled(_text(row), shape)
        link = _first_link(page, row)
        found += 1
        if link is not None:
            fields["title"] = link[1] or fields.get("title")
        yield (link[0] if link else f"{page.url}#{found}"), fields
    if not found:
        fields = _labelled(page.visible_text, shape)
        # a detail page carries both dates (a bare status could be the list's template)
        if all(fields.get(f) for f in shape.dated):
            # the CMS's article title, else the headline (a <title> often holds only the
            # site's name)
            heading = body.find(".//h1")
            title = page.meta.get("articletitle") or (
                _clean(heading.text_content()) if heading is not None else page.title)
            yield page.url, {**fields, "title": title[:_TITLE_CHARS]}


def _table(page: Page, table: lxml.html.HtmlElement, shape: Shape,
           seen: set[lxml.html.HtmlElement]) -> Iterator[tuple[str | None, Fields]]:
    """The records of a table whose header row names the fields of *shape*; its rows go
    into *seen*, so list rows do not read them again."""
    columns: dict[int, str] | None = None
    bare: int | None = None  # a column headed 时间 alone, read as the time of asking
    labels = ""
    for row in table.iter("tr"):
        if _nearest_table(row) is not table:
            continue
        cells = [c for c in row if c.tag in ("td", "th")]
        if columns is None:
            named = {n: shape.header(_text(c)) for n, c in enumerate(cells)}
            named = {n: f for n, f in named.items() if f}
            bare = _bare_time_column(cells, named, shape)
            if bare is not None:
                named[bare] = "asked"
            if shape.complete({f: True for f in named.values()}):
                columns = named
                labels = " ".join(_text(c) for c in cells)
                seen.add(row)
            continue
        fields: Fields = {"_labels": labels}
        link = None
        for n, cell in enumerate(cells):
            name = columns.get(n)
            if name is None:
                continue
            text = _text(cell)
            fields[name] = find_date(text) if name in shape.dated else text[:_TITLE_CHARS]
            if name == "title":
                link = _first_link(page, cell)
        if shape.status and not fields.get("status"):
            fields["status"] = _text(row)  # a status printed in a column not labelled so
        seen.add(row)
        if bare is not None and _status(fields) is None:
            continue  # a bare time only dates a row that says where the message stands
        if any(fields.get(f) for f in shape.dated):
            link = link or _first_link(page, row)
            if link is not None and not fields.get("title"):
                fields["title"] = link[1]
            yield (link[0] if link else None), fields


def _bare_time_column(cells: list[lxml.html.HtmlElement], named: Mapping[int, str],
                      shape: Shape) -> int | None:
    """The column headed 时间 or 日期 alone in a board's table that names a status but no
    time of asking (MinMore CMS's 局长信箱 lists 来信主题 | 状态 | 时间 | 受理单位): the only
    date such a list prints is when the letter came. None in any other table."""
    if not shape.status or "asked" in named.values() or "status" not in named.values():
        return None
    return next((n for n, c in enumerate(cells)
                 if n not in named and _BARE_TIME.fullmatch(_text(c))), None)


def _nearest_table(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _rows(body: lxml.html.HtmlElement, shape: Shape,
          seen: set[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    """The innermost elements whose text is one whole record of *shape*."""
    whole = []
    for el in body.iter(*_ROW_TAGS):
        if el in seen:
            continue
        text = _text(el)
        if len(text) <= _MAX_ROW_CHARS and shape.complete(_labelled(text, shape)):
            whole.append(el)
    holders: set[lxml.html.HtmlElement] = set()
    for el in whole:
        holders.update(el.iterancestors())
    return [el for el in whole if el not in holders]


def _labelled(text: str, shape: Shape) -> Fields:
    """The fields *text* labels (留言时间：2026-01-02), each read up to the next label;
    and for a board, a status word printed alone."""
    fields: Fields = {}
    matches = list(shape.pattern.finditer(text))
    for n, match in enumerate(matches):
        name = match.lastgroup
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        value = text[match.end():end]
        if name in shape.dated:
            fields.setdefault(name, find_date(value))
        else:
            fields.setdefault(name, value.strip()[:_TITLE_CHARS])
        fields["_labels"] = f"{fields.get('_labels', '')} {match.group(0)}"
    if matches:
        fields.setdefault("title", text[:matches[0].start()].strip(" |-·")[:_TITLE_CHARS])
    if shape.status and not fields.get("status") and _STATUS_WORDS.search(text):
        fields["status"] = _STATUS_WORDS.search(text).group(0)
    return fields


def _first_link(page: Page, el: lxml.html.HtmlElement) -> tuple[str, str] | None:
    """(absolute URL, text) of the first followable link in *el*."""
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            return page.absolute(href), _clean(a.get("title") or a.text_content())
    return None


def _text(el: lxml.html.HtmlElement) -> str:
    return _clean(el.text_content())


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()
