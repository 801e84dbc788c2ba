"""The one renderer of command output: ``--format table|json|csv`` for every command.

Commands produce lists of plain dicts and hand them here, so every listing behaves the same.
Tables are aligned for Chinese text (wide characters count double) by tabulate and wcwidth.
CSV is opened in spreadsheets, so its cells go through :func:`govwatch.core.cells.neutralise`
(crawled text or a claimant name starting with ``=`` must not become a formula).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import click
from tabulate import tabulate

from govwatch.core.cells import neutralise_row

FORMATS = ("table", "json", "csv")


class FileList(list[str]):
    """The report files a writer's ``--format`` named in its old spelling (``html,xlsx``),
    before ``--files`` took that meaning."""


class _Format(click.Choice):
    """``--format``: table, json or csv. A command writing report files still accepts the old
    spelling, a list of its file formats, and hands it on as a :class:`FileList`."""

    def __init__(self, files: Sequence[str] = ()) -> None:
        super().__init__(FORMATS)
        self.files = tuple(files)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        picked = [f.strip() for f in str(value).split(",") if f.strip()]
        if self.files and value not in FORMATS and picked and set(picked) <= set(self.files):
            return FileList(dict.fromkeys(picked))
        return super().convert(value, param, ctx)


def format_option(default: str = "table", files: Sequence[str] = ()) -> Callable:
    """The shared ``--format`` option: how a command prints what it has to say. *files* are
    the report formats of a writer, whose old ``--format html,xlsx`` meant ``--files``."""
    return click.option(
        "--format",
        "fmt",
        type=_Format(files),
        default=default,
        show_default=True,
        help="Output format.",
    )


def render(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] = ()) -> str:
    """*rows* as a table, a JSON array or CSV; *columns* picks and orders the keys."""
    keys = list(columns) or (list(rows[0]) if rows else [])
    if fmt == "json":
        return json.dumps([dict(r) for r in rows], ensure_ascii=False, indent=2)
    picked = [[r.get(k) for k in keys] for r in rows]
    if fmt == "csv":
        # Rows are written ending in "\r\n" so that the writer quotes a field holding a
        # carriage return: ending in "\n" it would not, and a spreadsheet would start a new
        # row at that \r, whose first cell could be a formula. They are then joined by "\n"
        # as before (writerow makes one write call per row).
        lines: list[str] = []
        writer = csv.writer(SimpleNamespace(write=lines.append), lineterminator="\r\n")
        writer.writerows(neutralise_row(row) for row in [keys, *picked])
        return "\n".join(line.removesuffix("\r\n") for line in lines)
    if not rows:
        return "(none)"
    return tabulate(picked, headers=keys, tablefmt="simple", missingval="-")
