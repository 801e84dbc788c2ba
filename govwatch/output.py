"""The one renderer of command output: ``--format table|json|csv`` for every command.

Commands produce lists of plain dicts and hand them here, so every listing behaves the same.
Tables are aligned for Chinese text (wide characters count double) by tabulate and wcwidth.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import click
from tabulate import tabulate

FORMATS = ("table", "json", "csv")


def format_option(default: str = "table") -> Callable:
    """The shared ``--format`` option."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
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
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows(picked)
        return buffer.getvalue().rstrip("\n")
    if not rows:
        return "(none)"
    return tabulate(picked, headers=keys, tablefmt="simple", missingval="-")
