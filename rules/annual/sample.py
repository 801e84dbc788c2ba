"""A report's text written from numbers, in a template's layout: the inputs of the annual
report rules' examples (``govwatch rules test``), which then go through the same reader as
a real report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from govwatch.rules.annual.template import Template


def sample_text(template: Template, year: int,
                numbers: Mapping[str, Mapping[str, Sequence]] | None = None,
                sections: Sequence[str] | None = None, period: int | None = None,
                title: str | None = None) -> str:
    """The text of a report of *year* in *template*'s layout: its title, the statistics
    period (*period*, default *year*), the headings of *sections* (keys, default all, in the
    order given) and under each its tables, a row per line with the numbers of
    ``numbers[table][row]`` (zeros where none are given)."""
    stated = period or year
    lines = [title or f"某某局{year}年政府信息公开工作年度报告",
             f"本报告中所列数据的统计期限自{stated}年1月1日起至{stated}年12月31日止。"]
    for key in sections or [s.key for s in template.sections]:
        lines.append(template.section(key).title)
        for table in (t for t in template.tables if t.section == key):
            given = (numbers or {}).get(table.key, {})
            if table.columns:
                lines.append(" ".join(table.columns))
            for row in table.rows:
                if not row.values or (table.children(row.key) and row.key not in given):
                    lines.append(row.label)
                    continue
                width = len(table.columns) or 1
                values = given.get(row.key, [0] * width)
                lines.append(" ".join([row.label if not row.last else "", *map(str, values)]))
    return "\n".join(lines)
