"""Report sections as an Excel workbook (offices work in Excel): one sheet per section,
a bold header row frozen above the data, autofilter on, column widths set, long text wrapped.

The cells are exactly the JSON's rows, column by column (:meth:`Section.values`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.tables import Section

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B22222")  # the red of an official header
_WRAP_FROM = 30  # columns this wide or wider wrap their text


def write_workbook(path: Path, sections: Sequence[Section], content: Mapping[str, Any]) -> Path:
    """Write each section of *content* to a sheet of a new workbook at *path*."""
    book = Workbook()
    book.remove(book.active)
    for section in sections:
        sheet = book.create_sheet(section.title)
        sheet.append([column.header for column in section.columns])
        for row in section.table(content):
            sheet.append(row)
        for index, column in enumerate(section.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            if column.width >= _WRAP_FROM:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[1]:
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    book.save(path)
    return path
