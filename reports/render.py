"""Report content to files: HTML and Markdown through the Jinja2 templates in
``reports/templates/``, JSON, and XLSX (:mod:`reports.xlsx`).

A report is its content (a plain dict, the JSON) plus a :class:`Report` that names its
templates and sections. HTML autoescapes every value, so a page title holding ``<script>``
prints as text; templates carry their CSS and SVG inline and load nothing from outside, so
a bulletin opens offline. Markdown escapes the characters that would break a table.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from govwatch.reports import ReportError
from govwatch.reports.tables import Section
from govwatch.reports.xlsx import write_workbook

FORMATS = ("html", "xlsx", "md", "json")
_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Report:
    """A kind of report: its template name, its sections, and what its templates need
    beyond the content (computed from the content alone, so a stored report renders again
    exactly)."""

    name: str
    sections: tuple[Section, ...]
    extra: Callable[[Mapping[str, Any]], Mapping[str, Any]] = lambda content: {}

    def context(self, content: Mapping[str, Any]) -> dict[str, Any]:
        """Everything a template of this report sees."""
        return {**content, "content": content, "sections": {s.key: s for s in self.sections},
                **self.extra(content)}


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 23 → 二十三 (for 1–99: enough for numbering units)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones or not head else "")


def cn_date(value: str | date) -> str:
    """2026-10-09 → 2026年10月9日."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def points(value: float | None) -> str:
    """A number of points without a useless ``.0``: 3.0 → 3, 2.5 → 2.5, None → —."""
    return "—" if value is None else f"{value:g}"


def md_cell(value: Any) -> str:
    """A value fit for one Markdown table cell."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("govwatch.reports", "templates"), autoescape=autoescape,
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(cn_number=cn_number, cn_date=cn_date, md=md_cell, points=points)
    return env


_HTML, _MARKDOWN = _environment(True), _environment(False)


def render_html(report: Report, content: Mapping[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    return _HTML.get_template(f"{report.name}.html").render(report.context(content))


def render_markdown(report: Report, content: Mapping[str, Any]) -> str:
    """The report as Markdown."""
    return _MARKDOWN.get_template(f"{report.name}.md").render(report.context(content))


def render_json(content: Mapping[str, Any]) -> str:
    """The report content as JSON (the form other systems read)."""
    return json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_report(
    report: Report, content: Mapping[str, Any], formats: Iterable[str], out_dir: str | Path,
    stem: str,
) -> list[Path]:
    """Write *content* in each of *formats* as ``out_dir/stem.<format>``; return the paths."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ReportError(f"unknown format {', '.join(unknown) or '(none)'}; "
                          f"choose from {', '.join(FORMATS)}")
    out = writable_dir(out_dir)
    paths = []
    for fmt in formats:
        path = out / f"{stem}.{fmt}"
        try:
            if fmt == "xlsx":
                write_workbook(path, report.sections, content)
            elif fmt == "html":
                path.write_text(render_html(report, content), encoding="utf-8")
            elif fmt == "md":
                path.write_text(render_markdown(report, content), encoding="utf-8")
            else:
                path.write_text(render_json(content), encoding="utf-8")
        except OSError as error:
            raise _cannot_write(path, error) from None
        paths.append(path)
    return paths


def writable_dir(out_dir: str | Path) -> Path:
    """*out_dir*, created if missing, once a file could be made in it; ReportError naming
    the folder and the system's reason otherwise. Publishing checks this first, so a
    bulletin is never recorded as published when its files cannot be written."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=out).close()
    except OSError as error:
        raise _cannot_write(out, error) from None
    return out


def _cannot_write(path: Path, error: OSError) -> ReportError:
    return ReportError(f"cannot write {path}: {error.strerror or error}")
