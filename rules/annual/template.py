"""The annual report's templates as data: one YAML file per template in ``templates/``.

A template names its six (or so) section headings, its tables with their rows and columns,
and the identities (勾稽关系) that must hold between the numbers. A province's variant or the
next edition of the template is one more file; :func:`load_templates` reads the built-in
ones and any others named. See ``templates/gov-2021.yaml`` for the format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from govwatch.rules.model import RuleError
from govwatch.rules.packfile import read_yaml

TEMPLATES_DIR = Path(__file__).with_name("templates")



class TemplateError(ValueError):
    """A template file that cannot be used: ``str(e)`` names the file and the problem."""


@dataclass(frozen=True)
class Section:
    """A heading of the report: its key, the template's wording and the pattern of its words
    (the number before them is the reader's to find)."""

    key: str
    title: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Row:
    """A row of a table, found by the pattern of its label."""

    key: str
    label: str
    pattern: re.Pattern[str]
    parent: str | None = None  # a sub-row of this row
    values: bool = True  # false: a label spanning other rows (三、本年度办理结果)
    last: bool = False  # the numbers follow the region's last match (a header of names)


@dataclass(frozen=True)
class Identity:
    """A sum that must hold: ``left`` = ``right``, checked in every column (terms are row
    keys) or in every row (terms are column names). *printed*: only where the left rows
    print numbers of their own (a subtotal the template does not ask for)."""

    name: str
    across: str  # "columns" or "rows"
    left: tuple[str, ...]
    right: tuple[str, ...]
    printed: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the report, inside the section named *section*."""

    key: str
    name: str
    section: str
    rows: tuple[Row, ...]
    columns: tuple[str, ...] = ()  # none: numbers are kept as printed, row by row
    identities: tuple[Identity, ...] = ()
    total: str | None = None  # the column that is the sum of the others, printed last
    # Where the rows begin: after the first match of this in the section (its header), so
    # that prose before the table, which may name the same outcomes, is not read as rows.
    starts_after: re.Pattern[str] | None = None

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def children(self, key: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.parent == key)


@dataclass(frozen=True)
class Template:
    """One layout of the annual report."""

    id: str
    name: str
    path: Path
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    period: tuple[re.Pattern[str], ...]
    after_title: tuple[re.Pattern[str], ...]
    structure_from: int | None = None  # reports of this year on are judged by its headings

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _compile(path: Path, where: str, pattern: Any) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise TemplateError(f"{path}: {where}: pattern must be a non-empty string")
    try:
        return re.compile(pattern)
    except re.error as error:
        raise TemplateError(f"{path}: {where}: bad pattern {pattern!r}: {error}") from None


def _identity(path: Path, table: str, raw: Mapping[str, Any], rows: Sequence[Row],
              columns: Sequence[str]) -> Identity:
    across = raw.get("across")
    if across not in ("columns", "rows"):
        raise TemplateError(f"{path}: table {table}: identity {raw.get('name')!r}: across "
                            "must be columns or rows")
    known = [r.key for r in rows] if across == "columns" else list(columns)
    terms = {side: tuple(raw.get(side) or ()) for side in ("left", "right")}
    for side, names in terms.items():
        unknown = [n for n in names if n not in known]
        if not names or unknown:
            raise TemplateError(f"{path}: table {table}: identity {raw.get('name')!r}: {side} "
                                f"names unknown {'rows' if across == 'columns' else 'columns'}"
                                f" {unknown or '(none)'}")
    return Identity(str(raw["name"]), across, terms["left"], terms["right"],
                    bool(raw.get("printed", False)))


def _table(path: Path, raw: Mapping[str, Any], sections: Sequence[str]) -> Table:
    key = raw.get("key", "?")
    if raw.get("section") not in sections:
        raise TemplateError(f"{path}: table {key}: section must be one of {', '.join(sections)}")
    rows = tuple(
        Row(r["key"], str(r.get("label", r["key"])),
            _compile(path, f"table {key} row {r['key']}", r.get("pattern")), r.get("parent"),
            bool(r.get("values", True)), bool(r.get("last", False)))
        for r in raw.get("rows") or ()
    )
    keys = [r.key for r in rows]
    if not rows or len(set(keys)) != len(keys):
        raise TemplateError(f"{path}: table {key}: rows must be given, each key once")
    if bad := [r.key for r in rows if r.parent is not None and r.parent not in keys]:
        raise TemplateError(f"{path}: table {key}: rows {bad} name an unknown parent")
    columns = tuple(str(c) for c in raw.get("columns") or ())
    identities = tuple(_identity(path, key, i, rows, columns)
                       for i in raw.get("identities") or ())
    if identities and not columns:
        raise TemplateError(f"{path}: table {key}: identities need columns")
    total = raw.get("total_column")
    if total is not None and total != (columns[-1] if columns else None):
        raise TemplateError(f"{path}: table {key}: total_column must be the last column")
    starts = raw.get("starts_after")
    return Table(key, str(raw.get("name", key)), raw["section"], rows, columns, identities,
                 total, _compile(path, f"table {key} starts_after", starts) if starts else None)


def _check_items(path: Path, parent: Mapping[str, Any], name: str, keys: Sequence[str],
                 required: bool = True) -> None:
    """TemplateError naming the file and line unless *parent*'s *name* is a list of
    mappings, each with *keys*."""
    items = parent.get(name)
    if items is None and not required:
        return
    if not isinstance(items, list):
        raise _shape_error(path, parent, f"{name} must be a list")
    for item in items:
        if not isinstance(item, Mapping) or any(key not in item for key in keys):
            raise _shape_error(path, item if isinstance(item, Mapping) else items,
                               f"each of {name} must be a mapping with {', '.join(keys)}")


def _shape_error(path: Path, node: Any, message: str) -> TemplateError:
    line = getattr(node, "line", None)
    return TemplateError(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def load_template(path: str | Path) -> Template:
    """The template in the YAML file at *path* (TemplateError when it is not usable)."""
    path = Path(path)
    try:
        raw = read_yaml(path)  # a syntax error named by file and line, as in rule packs
    except RuleError as error:
        raise TemplateError(str(error)) from None
    if not isinstance(raw, Mapping) or not raw.get("template") or not raw.get("sections"):
        raise TemplateError(f"{path}: not a report template (needs template: and sections:)")
    _check_items(path, raw, "sections", ("key", "title"))
    _check_items(path, raw, "tables", ("key", "section"), required=False)
    for table in raw.get("tables") or ():
        _check_items(path, table, "rows", ("key",))
    sections = tuple(
        Section(s["key"], str(s["title"]), _compile(path, f"section {s['key']}", s.get("pattern")))
        for s in raw["sections"]
    )
    keys = [s.key for s in sections]
    tables = tuple(_table(path, t, keys) for t in raw.get("tables") or ())
    return Template(
        id=str(raw["template"]), name=str(raw.get("name", raw["template"])), path=path,
        sections=sections, tables=tables,
        period=tuple(_compile(path, "period", p) for p in raw.get("period") or ()),
        after_title=tuple(_compile(path, "after_title", p) for p in raw.get("after_title") or ()),
        structure_from=raw.get("structure_from"),
    )


@lru_cache(maxsize=1)
def builtin_templates() -> tuple[Template, ...]:
    """The templates shipped with govwatch (``templates/*.yaml``), newest layout first."""
    return _newest_first(load_template(p) for p in sorted(TEMPLATES_DIR.glob("*.yaml")))


def load_templates(paths: Iterable[str | Path] = ()) -> tuple[Template, ...]:
    """The built-in templates and those in the files at *paths*, newest layout first; a
    file's template replaces a built-in one of the same id."""
    extra = {t.id: t for t in map(load_template, paths)}
    return _newest_first([*(t for t in builtin_templates() if t.id not in extra),
                          *extra.values()])


def _newest_first(templates: Iterable[Template]) -> tuple[Template, ...]:
    return tuple(sorted(templates, key=lambda t: (-(t.structure_from or 0), t.id)))


def template_for_year(templates: Sequence[Template], year: int) -> Template | None:
    """The template a report of *year* is judged against: the newest whose
    ``structure_from`` is not after *year* (None: no template judges that year)."""
    judged = [t for t in templates if t.structure_from is not None and t.structure_from <= year]
    return max(judged, key=lambda t: t.structure_from, default=None)
