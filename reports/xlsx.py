"""Report sections as an Excel workbook (offices work in Excel): one sheet per section,
a bold header row frozen above the data, autofilter on, column widths set, long text wrapped.

The cells are the JSON's rows, column by column (:meth:`Section.values`), except that text
which would start a formula is neutralised (:func:`govwatch.core.cells.neutralise`): claimant
names and crawled titles go to every unit, and must not run in their Excel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from govwatch.core.cells import neutralise_row
from govwatch.reports.tables import Section

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B22222")  # the red of an official header
_WRAP_FROM = 30  # columns this wide or wider wrap their text


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append one row to *sheet*, no text cell of which can act as a formula."""
    # Control characters (a crawled title with \x0b, say) are not allowed in XLSX and made
    # openpyxl refuse the whole workbook: a hostile page must not stop the bulletin.
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                  for value in neutralise_row(values)])
    # Both the quote and the string type, because each guards a different reader. The
    # leading quote from neutralise() is part of the text, so it survives a unit saving the
    # sheet as CSV or opening it in WPS or LibreOffice (Excel's quotePrefix cell style would
    # not: it is lost on export, and the text would be live again). The string type makes
    # openpyxl write a text cell whatever the text starts with, never a formula, so the
    # workbook does not rest on the prefix list alone.
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _link(sheet: Worksheet, section: Section) -> None:
    """Make the last row's link columns (a screenshot beside the workbook) links, shown as
    their column's header (截图); a cell holding a note (截图缺失) stays text."""
    for column, cell in zip(section.columns, sheet[sheet.max_row], strict=True):
        if column.link and isinstance(cell.value, str) and "/" in cell.value:
            cell.hyperlink = cell.value
            cell.value = column.header
            cell.font = Font(color="0563C1", underline="single")


def write_workbook(path: Path, sections: Sequence[Section], content: Mapping[str, Any]) -> Path:
    """Write each section of *content* to a sheet of a new workbook at *path*."""
    book = Workbook()
    book.remove(book.active)
    for section in sections:
        sheet = book.create_sheet(section.title)
        _append(sheet, [column.header for column in section.columns])
        for row in section.table(content):
            _append(sheet, row)
            _link(sheet, section)
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
