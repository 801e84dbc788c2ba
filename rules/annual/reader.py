"""Reading an annual report from its text: template, sections, tables as numbers, identities.

The input is the report's text as pages (a list of strings): an HTML page's stored text is
one page, an attachment's extracted text one string per page. Nothing here knows where the
text came from, so HTML tables flattened to one line, PDF text lines where a row's label and
its numbers are split, DOCX tables flattened with tabs and a table running over two pages
(its header printed again on the second) are all read the same way:

- the text is folded (NFKC: full-width digits and brackets become ASCII) and the pages are
  joined, without the page numbers printed at their tops and bottoms (``- 3 -``, ``第3页``);
- labels and headings are matched on the text with white space removed, so ``三、 本 年 度
  办 理 结 果`` is found; numbers are read from the text between one row's label and the
  next, where white space still separates them;
- where cells are delimited (``|`` or tabs), an empty cell is a cell; elsewhere an empty cell
  leaves no trace, so a row is placed into its columns only when it prints a number for
  every column, or prints nothing but zeros; a row of fewer numbers whose last is the sum
  of the others gives its total column alone. A row (or column) that cannot be placed is
  reported so, and the identities it takes part in are left undecided, never judged wrong;
- ``—``, ``-``, ``/`` and ``无`` in a cell, and an empty delimited cell, count as 0.

:func:`read_report` returns a :class:`ReportReading`: the template recognised, every section
found (or missing, in the order printed), each table's rows as numbers, and each identity of
the template with both of its sides and whether it holds.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from govwatch.rules.annual.template import Identity, Row, Table, Template, builtin_templates

Number = int | float
Cell = Number | None  # None: an empty cell, or one printing — / 无

_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_NUMERALS = "一二三四五六七八九十"
# A heading: its number (一、 or 第一部分), then the words of the section.
_HEADING = (rf"(?:(?<![({_NUMERALS}第])(?P<num>[{_NUMERALS}]{{1,3}})[、.]"
            rf"|第(?P<part>[{_NUMERALS}]{{1,3}})(?:部分|章)[、.:]?)")
# A row's own numbering, allowed before every row's label.
_ROW_NUMBER = rf"(?:[1-9][.、]|\([{_NUMERALS}]\)|[{_NUMERALS}]、)?"
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_BLANK = frozenset({"—", "——", "-", "--", "/", "无", "–", "─"})
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Page numbers printed on a page's first or last line.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*"
                          r"共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")


def fold(text: str) -> str:
    """*text* in the forms the reader matches: NFKC (full-width digits, letters and brackets
    to ASCII, the ideographic space to a space)."""
    return unicodedata.normalize("NFKC", text)


def join_pages(pages: Sequence[str]) -> str:
    """The pages folded and joined by newlines, without the page numbers printed on a page's
    first or last line."""
    out = []
    for page in pages:
        lines = fold(page).split("\n")
        while lines and (not lines[0].strip() or _PAGE_NUMBER.match(lines[0])):
            lines.pop(0)
        while lines and (not lines[-1].strip() or _PAGE_NUMBER.match(lines[-1])):
            lines.pop()
        out.append("\n".join(lines))
    return "\n".join(out)


def title_year(pattern: re.Pattern[str], title: str) -> int | None:
    """The year *title* names by *pattern*'s group ``year`` (digits or 二〇二四), or None."""
    match = pattern.search(title)
    if match is None:
        return None
    digits = match["year"].translate(_CHINESE_DIGITS)
    return int(digits) if digits.isdigit() else None


class _Text:
    """The folded text, and the same without white space (where labels are matched), with
    the way back from one to the other."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.where = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.compact = "".join(text[i] for i in self.where)

    def to_compact(self, pos: int) -> int:
        return bisect_left(self.where, pos)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The folded text's span of the compact span [start, end)."""
        if start >= len(self.where):
            return len(self.text), len(self.text)
        return self.where[start], (self.where[end - 1] + 1 if end > start else self.where[start])

    def search(self, pattern: re.Pattern[str], start: int, end: int,
               last: bool = False) -> tuple[int, int] | None:
        """The first (or *last*) match of *pattern* in the folded text's [start, end), as a
        span of the folded text; matched on the compact text."""
        lo, hi = self.to_compact(start), self.to_compact(end)
        if last:
            found = None
            for found in pattern.finditer(self.compact, lo, hi):  # noqa: B007
                pass
        else:
            found = pattern.search(self.compact, lo, hi)
        return None if found is None else self.span(found.start(), found.end())


# -- what a reading holds --------------------------------------------------------------------


@dataclass(frozen=True)
class SectionRead:
    """A section of a template as the report has it: found or not, and how it is printed."""

    key: str
    title: str  # the template's wording
    heading: str | None = None  # as printed, with its number
    start: int | None = None  # where in the text (None: not found)

    @property
    def found(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class RowRead:
    """A row of a table as read: its numbers by column, or why they are not known."""

    key: str
    label: str
    found: bool
    # None: not found, not placeable, or a subtotal; a None inside: that column not known
    values: tuple[Number | None, ...] | None = None
    printed: bool = False  # numbers printed on the row itself
    note: str = ""  # why values are None, in Chinese


@dataclass(frozen=True)
class TableRead:
    """A table as read: its rows in the template's order."""

    key: str
    name: str
    columns: tuple[str, ...]
    rows: tuple[RowRead, ...]

    @property
    def found(self) -> bool:
        """Whether the table was recognised: two of its rows found (one, for a table of one
        row), and numbers read from one of them."""
        found = [r for r in self.rows if r.found]
        return len(found) >= min(2, len(self.rows)) and any(r.values for r in found)

    def row(self, key: str) -> RowRead:
        return next(r for r in self.rows if r.key == key)


@dataclass(frozen=True)
class IdentityCheck:
    """One identity in one column (or row): both sides and whether they are equal (None:
    a side could not be read)."""

    table: str
    identity: str
    where: str  # the column or row it was checked in ("" for the whole report)
    left: str  # the terms and their numbers, e.g. "一 5 + 二 0"
    right: str
    left_value: Number | None
    right_value: Number | None
    holds: bool | None

    def detail(self) -> str:
        """One line in Chinese: table, where, identity, both sides."""
        where = f"「{self.where}」" if self.where else ""
        if self.holds is None:
            return f"{self.table}{where}：{self.identity}，无法核对（{self.left}）"
        verdict = "成立" if self.holds else "不成立"
        return (f"{self.table}{where}：{self.identity}{verdict}，左边 {self.left} = "
                f"{_show(self.left_value)}，右边 {self.right} = {_show(self.right_value)}")


@dataclass(frozen=True)
class ReportReading:
    """What was read from one report."""

    template: Template | None
    title: str | None
    title_year: int | None
    period_year: int | None
    period_source: str  # the sentence kind the period year came from
    sections: tuple[SectionRead, ...]  # of the template recognised
    tables: tuple[TableRead, ...]
    checks: tuple[IdentityCheck, ...]
    chars: int  # characters of text read
    by_template: Mapping[str, tuple[SectionRead, ...]] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        """A template was recognised and, when it has tables, at least one was read."""
        if self.template is None:
            return False
        return not self.template.tables or any(t.found for t in self.tables)

    @property
    def failed(self) -> tuple[IdentityCheck, ...]:
        return tuple(c for c in self.checks if c.holds is False)

    def sections_of(self, template: Template) -> tuple[SectionRead, ...]:
        """The sections of *template* as this report has them."""
        return self.by_template[template.id]


def _show(value: Number | None) -> str:
    return "?" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


# -- reading ---------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _heading_pattern(words: str) -> re.Pattern[str]:
    return re.compile(f"{_HEADING}(?:{words})")


@lru_cache(maxsize=512)
def _row_pattern(words: str) -> re.Pattern[str]:
    return re.compile(f"{_ROW_NUMBER}(?:{words})")


def _sections(text: _Text, template: Template) -> tuple[SectionRead, ...]:
    out = []
    for section in template.sections:
        span = text.search(_heading_pattern(section.pattern.pattern), 0, len(text.text))
        if span is None:
            out.append(SectionRead(section.key, section.title))
        else:
            heading = re.sub(r"\s+", "", text.text[span[0]:span[1]])
            out.append(SectionRead(section.key, section.title, heading, span[0]))
    return tuple(out)


def _cells(segment: str, after_header: bool = False) -> list[Cell | str]:
    """The cells between a row's label and the next label: numbers, None for an empty or
    dash cell, and text (returned as str, for the caller to stop at).

    Delimited text writes a cell as ``text |``, an empty one as a bare ``|``; some writers
    also open each row with a line holding a lone ``|``. Right after a header (the row of
    表四) such a line opens the row of numbers and is no cell; anywhere else a lone ``|`` is
    an empty cell (one more at a row's end is an empty cell past the last column)."""
    delimited = "|" in segment or "\t" in segment
    if delimited:
        lines = segment.split("\n")
        if after_header:
            first = next((n for n, ln in enumerate(lines[1:], 1) if ln.strip()), len(lines))
            if first < len(lines) and lines[first].strip() == "|":
                del lines[first]
        # a line break ends a cell as well: a DOCX row's last cell is followed by the next
        # line's words (a 表二 block's heading) with no tab between them
        pieces = [part for piece in re.split(r"[|\t]", "\n".join(lines))
                  for part in _line_parts(piece)]
        if not _NUMBER.fullmatch(pieces[0].strip()):
            pieces = pieces[1:]  # the rest of the label's own cell
    else:
        pieces = segment.split()
    out: list[Cell | str] = []
    for piece in pieces:
        token = piece.strip()
        if not token or token in _BLANK:
            if delimited or token:
                out.append(None)
        elif _NUMBER.fullmatch(token):
            number = float(token.replace(",", ""))
            out.append(int(number) if number.is_integer() else number)
        elif len(token) == 1 and _CJK.match(token) and not delimited:
            continue  # a letter of a label printed downwards (三 本 年 度 …)
        else:
            out.append(token)
    return out


def _line_parts(piece: str) -> list[str]:
    """A delimited cell split at its line breaks into the words on each line; a cell holding
    only white space stays one (empty) cell."""
    parts = [line for line in piece.split("\n") if line.strip()]
    return parts if len(parts) > 1 else [piece]


def _values(cells: list[Cell | str]) -> list[Cell]:
    """The cells from the first number or empty cell up to the first text after it."""
    out: list[Cell] = []
    for cell in cells:
        if isinstance(cell, str):
            if any(c is not None for c in out):
                break
            out = []  # text before the numbers: the label's tail
            continue
        out.append(cell)
    return out


def _place(cells: list[Cell], width: int, delimited: bool, total: bool
           ) -> tuple[Number | None, ...] | None:
    """*cells* as one number per column, or None when they cannot be placed. With *total*
    (the last column sums the others), a row of fewer numbers whose last one is the sum of
    the others gives that column alone (the others None)."""
    if len(cells) == width or (delimited and len(cells) > width
                               and all(c is None for c in cells[width:])):
        return tuple(0 if c is None else c for c in cells[:width])
    if all(c in (None, 0) for c in cells):
        return (0,) * width  # nothing but zeros and empty cells: zeros wherever they stood
    if total and 2 <= len(cells) < width and cells[-1] is not None and \
            sum(c or 0 for c in cells[:-1]) == cells[-1]:
        return (None,) * (width - 1) + (cells[-1],)
    return None


def _read_table(text: _Text, table: Table, start: int, end: int) -> tuple[TableRead, int]:
    """The rows of *table* found in text[start:end], and where the last one found ends."""
    spans: dict[str, tuple[int, int]] = {}
    header = text.search(table.starts_after, start, end) if table.starts_after else None
    pos = header[1] if header else start
    for i, row in enumerate(table.rows):
        pattern = _row_pattern(row.pattern.pattern)
        span = text.search(pattern, pos, end, last=row.last)
        if span is None:
            continue
        # A label found only after a later row's label is not this row's (its words occur
        # elsewhere, in a later label or a header printed again).
        later = [text.search(_row_pattern(r.pattern.pattern), pos, span[0])
                 for r in table.rows[i + 1:] if not r.last]
        if any(later):
            continue
        spans[row.key] = span
        pos = span[1]
    order = sorted(spans.items(), key=lambda kv: kv[1][0])
    segments = {key: (span[1], order[n + 1][1][0] if n + 1 < len(order) else end)
                for n, (key, span) in enumerate(order)}
    rows = []
    for row in table.rows:
        rows.append(_read_row(text, table, row, spans, segments))
    return TableRead(table.key, table.name, table.columns, tuple(rows)), pos


def _read_row(text: _Text, table: Table, row: Row, spans: Mapping[str, tuple[int, int]],
              segments: Mapping[str, tuple[int, int]]) -> RowRead:
    if row.key not in spans:
        return RowRead(row.key, row.label, False, note="未找到该行")
    if not row.values:
        return RowRead(row.key, row.label, True)
    segment = text.text[slice(*segments[row.key])]
    raw = _cells(segment, after_header=row.last)
    cells = _values(raw)
    delimited = "|" in segment or "\t" in segment
    printed = any(c is not None for c in cells)
    subtotal = any(c.key in spans for c in table.children(row.key))
    if subtotal and not printed:
        return RowRead(row.key, row.label, True)  # its sub-rows carry the numbers
    if not table.columns:
        while cells and cells[-1] is None:
            cells.pop()
        return RowRead(row.key, row.label, True, tuple(0 if c is None else c for c in cells),
                       printed)
    if not cells and any(isinstance(c, str) for c in raw):
        # words after the label and no number apart (申请17件，上年结转0件…): prose, not a
        # row; a row with nothing before the next label is one whose cells are all empty
        return RowRead(row.key, row.label, True, None, False, "该行后面是文字，不是表格数字")
    placed = _place(cells, len(table.columns), delimited, table.total is not None)
    shown = " ".join("空" if c is None else _show(c) for c in cells)
    if placed is None:
        return RowRead(row.key, row.label, True, None, printed,
                       f"读到 {len(cells)} 个数（{shown}），无法确定各数所在的列")
    if None in placed:
        return RowRead(row.key, row.label, True, placed, printed,
                       f"读到 {len(cells)} 个数（{shown}），只能确定{table.total}列")
    return RowRead(row.key, row.label, True, placed, printed)


def _short(label: str) -> str:
    """A row's name in an identity: its number (一, （七）总计) or its label when short."""
    if len(label) <= 8:
        return label
    match = re.match(rf"([{_NUMERALS}]+)、", label)
    return match[1] if match else label


def _row_values(table: Table, read: TableRead, key: str
                ) -> tuple[Number | None, ...] | None:
    """A row's numbers: its own, or the sum of its sub-rows' when it prints none (None in a
    column where one of them is not known)."""
    row = read.row(key)
    if row.values is not None:
        return row.values
    children = [c.key for c in table.children(key)]
    if not row.found or not any(read.row(c).found for c in children):
        return None
    parts = [_row_values(table, read, c) for c in children]
    if any(p is None for p in parts):
        return None
    return tuple(None if None in column else sum(column)
                 for column in zip(*parts, strict=True))


def _side(names: Sequence[str], values: Sequence[Number]) -> tuple[str, Number]:
    return " + ".join(f"{n} {_show(v)}" for n, v in zip(names, values, strict=True)), sum(values)


def _checks(table: Table, read: TableRead) -> Iterator[IdentityCheck]:
    for identity in table.identities:
        if identity.across == "columns":
            yield from _column_checks(table, read, identity)
            continue
        index = {name: n for n, name in enumerate(table.columns)}
        for row in read.rows:
            if row.values is None or None in row.values:
                continue  # a row read for its total alone has no parts to add
            left = _side(identity.left, [row.values[index[c]] for c in identity.left])
            right = _side(identity.right, [row.values[index[c]] for c in identity.right])
            yield IdentityCheck(table.name, identity.name, _short(row.label), left[0], right[0],
                                left[1], right[1], left[1] == right[1])


def _column_checks(table: Table, read: TableRead, identity: Identity
                   ) -> Iterator[IdentityCheck]:
    if identity.printed and not all(read.row(k).printed for k in identity.left):
        return  # no subtotal printed: nothing to add up
    terms = {key: _row_values(table, read, key) for key in (*identity.left, *identity.right)}
    unknown = [table.row(k).label for k, v in terms.items() if v is None]
    if unknown:
        yield IdentityCheck(table.name, identity.name, "", "未能读出：" + "、".join(unknown),
                            "", None, None, None)
        return
    names = {key: _short(table.row(key).label) for key in terms}
    undecided = []
    for n, column in enumerate(table.columns):
        if any(terms[k][n] is None for k in terms):
            undecided.append(column)
            continue
        left = _side([names[k] for k in identity.left], [terms[k][n] for k in identity.left])
        right = _side([names[k] for k in identity.right], [terms[k][n] for k in identity.right])
        yield IdentityCheck(table.name, identity.name, column, left[0], right[0], left[1],
                            right[1], left[1] == right[1])
    if undecided:
        rows = [table.row(k).label for k, v in terms.items() if None in v]
        yield IdentityCheck(table.name, identity.name, "、".join(undecided),
                            "未能读出：" + "、".join(rows), "", None, None, None)


def _period(text: _Text, template: Template, title_end: int | None) -> tuple[int | None, str]:
    for pattern in template.period:
        match = pattern.search(text.compact)
        if match:
            return int(match["year"]), "统计期限"
    if title_end is not None:
        rest = text.compact[text.to_compact(title_end):]
        for pattern in template.after_title:
            match = pattern.search(rest)
            if match:
                return int(match["year"]), "正文开头"
    return None, ""


def _title_around(text: str, match: re.Match[str]) -> str:
    """The title a match of the title pattern ends: from the start of its line, cell or word
    (a metadata table's ``名称: | title |``, a page's flattened text)."""
    start = max(text.rfind(sep, 0, match.start()) for sep in "\n| ") + 1
    cell = text[start:match.end()].strip()
    return cell if len(cell) <= 80 else match[0].strip()


def _title_broken(text: str, start: int, end: int) -> str:
    """The title a match spanning line breaks ends (a PDF's title set over two lines): from
    the start of the line it begins on, without white space."""
    line = text.rfind("\n", 0, start) + 1
    cell = re.sub(r"\s+", "", text[line:end])
    return cell if len(cell) <= 80 else re.sub(r"\s+", "", text[start:end])


def _score(text: _Text, template: Template) -> tuple[int, tuple[SectionRead, ...]]:
    sections = _sections(text, template)
    return sum(s.found for s in sections), sections


def read_report(pages: Sequence[str], title: str | None = None,
                title_pattern: re.Pattern[str] | None = None,
                templates: Sequence[Template] | None = None) -> ReportReading:
    """Read the report whose text is *pages*.

    *title* is the report's title where the caller knows it (a page's or a link's); else the
    first match of *title_pattern* in the text is taken. Its year is read by
    *title_pattern*'s group ``year``. *templates* default to the built-in ones.
    """
    templates = builtin_templates() if templates is None else templates
    text = _Text(join_pages(pages))
    title_end = None
    if title is not None:
        # matched without white space: a PDF breaks a long title over two lines
        folded = re.sub(r"\s+", "", fold(title))
        found = text.compact.find(folded) if folded else -1
        title_end = text.span(found, found + len(folded))[1] if found >= 0 else None
    if title_end is None and title_pattern is not None:
        # where the text prints its title (a page's title may add the site's name)
        match = title_pattern.search(text.text)
        if match:
            title_end = match.end()
            title = title or _title_around(text.text, match)
        elif (match := title_pattern.search(text.compact)) is not None:
            start, title_end = text.span(match.start(), match.end())
            title = title or _title_broken(text.text, start, title_end)
    year = title_year(title_pattern, fold(title)) if title and title_pattern else None

    by_template = {}
    best: tuple[int, Template | None, tuple[TableRead, ...]] = (1, None, ())
    for template in templates:
        found, sections = _score(text, template)
        by_template[template.id] = sections
        tables = _tables(text, template, sections)
        score = found + sum(t.found for t in tables)
        if score > best[0]:
            best = (score, template, tables)
    _, template, tables = best
    checks: list[IdentityCheck] = []
    period, source = (None, "")
    if template is not None:
        period, source = _period(text, template, title_end)
        for table, read in zip(template.tables, tables, strict=True):
            if read.found:
                checks.extend(_checks(table, read))
    if year is not None or period is not None:
        holds = None if year is None or period is None else year == period
        checks.append(IdentityCheck(
            "报告年度", "标题所写年度等于报告所述统计年度", "", f"标题 {_show(year)}",
            f"{source or '统计期限'} {_show(period)}", year, period, holds))
    return ReportReading(
        template=template, title=title, title_year=year, period_year=period,
        period_source=source, sections=by_template.get(template.id, ()) if template else (),
        tables=tables, checks=tuple(checks), chars=len(text.compact), by_template=by_template,
    )


def _tables(text: _Text, template: Template, sections: Sequence[SectionRead]
            ) -> tuple[TableRead, ...]:
    """Each table of *template*, read in its section: from the section's heading to the next
    heading printed after it (or, with no heading, from where the previous table ended)."""
    starts = sorted(s.start for s in sections if s.start is not None)
    out, after = [], 0
    for table in template.tables:
        own = next(s for s in sections if s.key == table.section)
        begin = own.start if own.start is not None else after
        end = next((s for s in starts if s > begin), len(text.text))
        read, after = _read_table(text, table, begin, end)
        out.append(read)
    return tuple(out)


# -- structure -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    """A report's sections against a template's: those missing and the order printed."""

    template: Template
    missing: tuple[SectionRead, ...]
    printed: tuple[SectionRead, ...]  # the sections found, in the order the report has them

    @property
    def misordered(self) -> bool:
        keys = [s.key for s in self.template.sections]
        positions = [keys.index(s.key) for s in self.printed]
        return positions != sorted(positions)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.misordered

    def detail(self) -> str:
        """The problems in Chinese ('' when there are none)."""
        parts = []
        if self.missing:
            parts.append("缺少章节：" + "；".join(s.title for s in self.missing))
        if self.misordered:
            parts.append("章节顺序与格式不符，报告中依次为：" + "；".join(
                s.heading or s.title for s in self.printed))
        return "。".join(parts)


def structure(reading: ReportReading, template: Template) -> Structure:
    """The sections of *template* in *reading*: which are missing, in which order the
    others are printed."""
    sections = reading.sections_of(template)
    printed = sorted((s for s in sections if s.found), key=lambda s: s.start or 0)
    return Structure(template, tuple(s for s in sections if not s.found), tuple(printed))
