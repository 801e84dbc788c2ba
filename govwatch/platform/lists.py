"""The lists the office and auditors read, as tables and as downloads (CSV, XLSX).

Each list is a :class:`govwatch.reports.tables.Section`, as the reports' tables are, so the
download holds the columns and rows the page shows, and the XLSX is written by the reports'
own writer (:func:`govwatch.reports.xlsx.write_workbook`): Chinese headers, and no crawled
text (a title starting with ``=``) turned into a formula. The CSV neutralises cells the same
way (:func:`govwatch.core.cells.neutralise_row`).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from govwatch.core.cells import neutralise_row
from govwatch.reports.tables import Section, columns
from govwatch.reports.xlsx import write_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

ISSUES = Section("issues", "问题列表", columns(
    ("id", "编号", 7), ("unit", "责任单位", 26), ("site_name", "网站", 22), ("rule_id", "规则", 20),
    ("title", "问题", 34), ("subject_url", "问题位置", 44), ("source_url", "所在页面", 44),
    ("state", "状态", 10), ("published_in", "通报期数", 9), ("deadline", "整改期限", 12),
    ("claimed_by", "认领人", 12), ("first_seen_on", "首次发现", 12),
))
_COUNTS = columns(
    ("unit", "责任单位", 28), ("open", "未整改", 8), ("overdue", "逾期（截至今日）", 16),
    ("unclaimed", "未认领（通报后）", 16), ("disputed", "有异议", 8),
)
# The sparkline's box, in SVG user units (the page draws it at this size).
SPARK_WIDTH, SPARK_HEIGHT = 72, 18


def dashboard_section(bulletins: Sequence[Mapping[str, Any]]) -> Section:
    """The dashboard's table: the counts of today, then each unit's outstanding problems in
    each of *bulletins* (oldest first) and the change since the one before the last."""
    trend = [(f"b{b['number']}", f"第{b['number']}期未整改", 12) for b in bulletins]
    return Section("units", "各单位整改概览",
                   (*_COUNTS, *columns(*trend, ("change", "较上期", 8))))


def with_trend(units: Sequence[dict[str, Any]], trend: Mapping[str, Any]) -> list[dict]:
    """*units* (the dashboard's counts), each with its counts in the trend's bulletins
    (``counts``, and one key per bulletin for the table), the change in the last one
    (``change``: None with fewer than two) and its sparkline (``spark``)."""
    series = {s["unit"]: s["counts"] for s in trend["series"]}
    numbers = [b["number"] for b in trend["bulletins"]]
    rows = []
    for unit in units:
        counts = series.get(unit["unit"], [0] * len(numbers))  # no site then: none open
        change = counts[-1] - counts[-2] if len(counts) >= 2 else None
        rows.append({**unit, "counts": counts, "change": change, "spark": sparkline(counts),
                     **{f"b{n}": c for n, c in zip(numbers, counts, strict=True)}})
    return rows


def change_label(change: int | None) -> str:
    """The change since the previous bulletin as a unit reads it: ↑2, ↓1, 持平 (or —)."""
    if change is None:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "持平"


def sparkline(counts: Sequence[int]) -> str:
    """The points of an SVG polyline of *counts* in the sparkline's box (0 at the bottom,
    the largest count at the top); empty with fewer than two counts."""
    if len(counts) < 2:
        return ""
    top = max(counts) or 1
    step = (SPARK_WIDTH - 2) / (len(counts) - 1)
    return " ".join(f"{1 + i * step:.1f},{1 + (SPARK_HEIGHT - 2) * (1 - c / top):.1f}"
                    for i, c in enumerate(counts))


def xlsx_bytes(sections: Sequence[Section], content: Mapping[str, Any], name: str) -> bytes:
    """A workbook of *sections* of *content* (one sheet each), as bytes."""
    with tempfile.TemporaryDirectory() as folder:
        return write_workbook(Path(folder) / name, sections, content).read_bytes()


def csv_text(section: Section, content: Mapping[str, Any]) -> str:
    """*section* of *content* as CSV, with a BOM so that Excel and WPS read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header for column in section.columns])
    writer.writerows(neutralise_row(row) for row in section.table(content))
    return "\ufeff" + out.getvalue()
