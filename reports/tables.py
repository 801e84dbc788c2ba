"""The tables a report prints: sections of rows with keyed, titled, sized columns.

A section is defined once and every format prints it from the same rows: the JSON holds the
rows, the XLSX writes one sheet per section in the column order, the HTML and Markdown
templates take their headers from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    """One column: the row key, its Chinese header, its width in XLSX characters."""

    key: str
    header: str
    width: int = 12
    link: bool = False  # its text is a file's relative path: the XLSX links to it


@dataclass(frozen=True)
class Section:
    """One table of a report: the content key holding its rows, a title, its columns."""

    key: str
    title: str
    columns: tuple[Column, ...]

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        """A row's cells, in column order."""
        return [row.get(column.key) for column in self.columns]

    def table(self, content: Mapping[str, Any]) -> list[list[Any]]:
        """The section's rows of *content* as lists of cells."""
        return [self.values(row) for row in content[self.key]]


def columns(*specs: tuple[Any, ...]) -> tuple[Column, ...]:
    """Columns from (key, header, width[, link]) tuples."""
    return tuple(Column(*spec) for spec in specs)


def pick(sections: Sequence[Section], key: str) -> Section:
    """The section with *key*."""
    return next(section for section in sections if section.key == key)
