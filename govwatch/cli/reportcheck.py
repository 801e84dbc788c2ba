"""``govwatch report-check``: read one annual report (a file or a URL) and print what was read.

It prints the template recognised, each section (found or missing, as printed), each table
as numbers and each identity (勾稽关系) with both sides. Exit status: 0 all holds; 3 a
section is missing or out of order, or an identity does not hold (the year included); 4
the text shows no report or its tables cannot be read (a scanned image); 2 bad input (no
such file, a type it cannot read, a URL it may not or cannot fetch).

Files: ``.txt`` (pages separated by form feeds, as text extractors write them), HTML (read as
the crawler reads a page, so the text is what a scan stores) and attachments: PDF, DOC,
DOCX, WPS, XLS, XLSX, ET, OFD (read by the crawler's document extractor, as a scan reads
them; one that cannot be read, a scanned image for one, says why and exits 4). A URL is fetched
with one plain GET, and refused when its host is a private or loopback address unless
``--allow-private`` says otherwise (the crawler's rule, :mod:`crawler.linkcheck.guard`).
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from govwatch.cli.base import cli, fail, friendly_errors
from govwatch.crawler.documents import READABLE_EXTENSIONS
from govwatch.output import format_option, render

EXIT_FAILED, EXIT_UNREADABLE = 3, 4
_MAX_BYTES = 50 * 1024 * 1024  # a report, even a scanned one, is smaller
_MARK = {True: "✓", False: "✗", None: "?"}


def _decode(data: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _text_pages(path: Path) -> list[str]:
    """A text file's pages (split at form feeds)."""
    return _decode(path.read_bytes()).split("\f")


def _html_pages(path: Path) -> list[str]:
    """An HTML page's text as the crawler stores it: one page."""
    from w3lib.encoding import html_to_unicode

    from govwatch.crawler.pages.page import Page

    text = html_to_unicode(None, path.read_bytes())[1]
    return [Page.parse(path.resolve().as_uri(), text).visible_text]


def _document_pages(path: Path) -> list[str]:
    """An attachment's page (or sheet) texts, read by the crawler's document extractor with
    the crawl's limits; none, with the reason on stderr, when it cannot be read."""
    from govwatch.core.vocabulary import DocumentStatus
    from govwatch.crawler.documents import extract_file

    extraction = extract_file(path)
    if extraction.status != DocumentStatus.READ:
        click.echo(f"{path}: {extraction.status}: {extraction.reason}", err=True)
        return []
    return [text for _label, text in extraction.parts]


# How each kind of file becomes page texts: text and HTML here, attachments (PDF, Word, WPS,
# spreadsheets, OFD) through the crawler's document extractor, as a scan reads them.
READERS: dict[str, Callable[[Path], list[str]]] = {
    ".txt": _text_pages, ".text": _text_pages,
    ".html": _html_pages, ".htm": _html_pages, ".shtml": _html_pages,
    **dict.fromkeys((f".{extension}" for extension in READABLE_EXTENSIONS), _document_pages),
}
_CONTENT_TYPES = {
    "text/plain": ".txt", "text/html": ".html", "application/xhtml+xml": ".html",
    "application/pdf": ".pdf", "application/msword": ".doc", "application/ofd": ".ofd",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def _pages_of_file(path: Path) -> list[str]:
    if not path.is_file():
        fail(f"{path}: no such file")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        fail(f"{path}: cannot read {path.suffix or 'files without a suffix'} files (this "
             f"govwatch reads {', '.join(sorted(READERS))})")
    return reader(path)


def _guard(url: str, allow_private: bool) -> None:
    """Refuse a URL whose host is (or resolves to) a private address, unless allowed."""
    from govwatch.crawler.linkcheck.guard import is_private, literal_address

    host = urlsplit(url).hostname or ""
    if not host:
        fail(f"{url}: no host")
    address = literal_address(host)
    if address is None:
        try:
            address = literal_address(socket.getaddrinfo(host, None)[0][4][0])
        except (OSError, IndexError) as error:
            fail(f"{url}: cannot resolve {host}: {error}")
    if address is not None and is_private(address) and not allow_private:
        fail(f"{url}: {host} is {address}, a private address (give --allow-private to read "
             "it anyway)")


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where the first URL could go: each hop is guarded too."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        _guard(newurl, self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _pages_of_url(url: str, allow_private: bool, timeout: float) -> list[str]:
    _guard(url, allow_private)
    request = urllib.request.Request(url, headers={"User-Agent": "govwatch report-check"})
    opener = urllib.request.build_opener(_GuardedRedirects(allow_private))
    try:
        with opener.open(request, timeout=timeout) as answer:
            data = answer.read(_MAX_BYTES + 1)
            kind = answer.headers.get_content_type()
    except (urllib.error.URLError, OSError) as error:
        fail(f"{url}: {getattr(error, 'reason', error)}")
    if len(data) > _MAX_BYTES:
        fail(f"{url}: larger than {_MAX_BYTES // 1024 // 1024} MB")
    suffix = _CONTENT_TYPES.get(kind) or Path(urlsplit(url).path).suffix.lower()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / f"report{suffix}"
        path.write_bytes(data)
        return _pages_of_file(path)


def _payload(reading: Any, judged: Any) -> dict[str, Any]:
    """What was read, as plain data (the JSON output)."""
    template = reading.template
    return {
        "template": template.id if template else None,
        "template_name": template.name if template else None,
        "title": reading.title, "title_year": reading.title_year,
        "period_year": reading.period_year, "period_source": reading.period_source,
        "readable": reading.readable,
        "sections": [{"key": s.key, "title": s.title, "found": s.found, "heading": s.heading}
                     for s in (reading.sections_of(judged.template) if judged
                               else reading.sections)],
        "structure": None if judged is None else {
            "template": judged.template.id, "ok": judged.ok,
            "missing": [s.title for s in judged.missing], "misordered": judged.misordered,
            "detail": judged.detail()},
        "tables": [{"key": t.key, "name": t.name, "found": t.found, "columns": list(t.columns),
                    "rows": [{"key": r.key, "label": r.label, "found": r.found,
                              "values": None if r.values is None else list(r.values),
                              "note": r.note} for r in t.rows]}
                   for t in reading.tables],
        "identities": [{"table": c.table, "identity": c.identity, "where": c.where,
                        "left": c.left, "right": c.right, "left_value": c.left_value,
                        "right_value": c.right_value, "holds": c.holds}
                       for c in reading.checks],
    }


def _table_rows(template: Any, table: Any) -> list[dict[str, Any]]:
    """A table's rows for printing: a row per row of numbers (sub-rows indented), or, for a
    wide table of one row (表四), a row per column."""
    parents = {r.key for r in table.rows if any(c.parent == r.key
               for t in template.tables if t.key == table.key for c in t.rows)}
    children = {c.key for t in template.tables if t.key == table.key for c in t.rows
                if c.parent}
    shown = [r for r in table.rows if not r.found or r.values is not None or r.note
             or r.key in parents]
    if len(table.columns) > 8 and len(shown) == 1 and shown[0].values is not None:
        return [{"列": c, "数值": v} for c, v in zip(table.columns, shown[0].values, strict=True)]
    rows = []
    for row in shown:
        label = ("· " if row.key in children else "") + row.label[:24]
        if not row.found and table.columns:  # the table's headers are its columns
            rows.append({"行": f"{label}（未找到）"})
        elif not row.found:
            rows.append({"行": label, "数值": "未找到"})
        elif row.values is not None and table.columns:
            rows.append({"行": label, **dict(zip(table.columns, row.values, strict=True))})
        else:
            rows.append({"行": label, "数值": " ".join(map(str, row.values or ())) or row.note})
    return rows


def _print_table(reading: Any, judged: Any) -> None:
    template = reading.template
    click.echo(f"模板：{template.name}（{template.id}）" if template else "模板：未识别")
    click.echo(f"标题：{reading.title or '未找到'}（年度 {reading.title_year or '?'}）")
    click.echo(f"统计年度：{reading.period_year or '?'}"
               + (f"（{reading.period_source}）" if reading.period_source else ""))
    sections = reading.sections_of(judged.template) if judged else reading.sections
    if sections:
        label = f"章节（对照 {judged.template.id}）" if judged else "章节"
        click.echo(f"\n{label}：")
        click.echo(render([{"": _MARK[s.found], "模板": s.title, "报告中": s.heading or "缺失"}
                           for s in sections], "table"))
        if judged and judged.misordered:
            click.echo("顺序与模板不符：" + "；".join(s.heading or s.title for s in judged.printed))
    for table in reading.tables:
        click.echo(f"\n{table.name}{'' if table.found else '（未读出）'}：")
        click.echo(render(_table_rows(reading.template, table), "table"))
    if reading.checks:
        click.echo("\n勾稽关系：")
        click.echo(render([{"": _MARK[c.holds], "表": c.table.split()[0], "位置": c.where,
                            "关系": c.identity, "左边": f"{c.left} = {c.left_value}"
                            if c.left_value is not None else c.left,
                            "右边": f"{c.right} = {c.right_value}"
                            if c.right_value is not None else c.right}
                           for c in reading.checks], "table"))


@cli.command("report-check")
@click.argument("source")
@click.option("--title", help="The report's title, where its text does not print it.")
@click.option("--year", type=int,
              help="Judge the headings as those of a report of this year [default: the "
                   "title's year, else the year of its statistics].")
@click.option("--template", "template_files", multiple=True,
              type=click.Path(dir_okay=False, exists=True),
              help="A report template file beside the built-in ones (repeatable).")
@click.option("--allow-private", is_flag=True,
              help="Let a URL reach a private or loopback address.")
@click.option("--timeout", type=float, default=15.0, show_default=True,
              help="Seconds to wait for a URL.")
@format_option()
@friendly_errors
def report_check(source: str, title: str | None, year: int | None,
                 template_files: tuple[str, ...], allow_private: bool, timeout: float,
                 fmt: str) -> None:
    """Read one annual report (FILE or URL): template, sections, tables, identities.

    Exit 0 when all holds, 3 when a section or an identity fails, 4 when no report or no
    table could be read, 2 on bad input."""
    from govwatch.rules.annual.reader import read_report, structure
    from govwatch.rules.annual.template import TemplateError, load_templates, template_for_year
    from govwatch.rules.catalogue import load_catalogue

    try:
        templates = load_templates(template_files)
    except TemplateError as error:
        fail(str(error))
    if urlsplit(source).scheme in ("http", "https"):
        pages = _pages_of_url(source, allow_private, timeout)
    else:
        pages = _pages_of_file(Path(source))
    pattern = load_catalogue().rule("annual_report.missing").params["title_regex"]
    reading = read_report(pages, title=title, title_pattern=pattern, templates=templates)
    judged_year = year or reading.title_year or reading.period_year
    expected = template_for_year(templates, judged_year) if judged_year else None
    judged = structure(reading, expected) if expected and reading.template else None
    if fmt == "json":
        click.echo(json.dumps(_payload(reading, judged), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(render(_payload(reading, judged)["identities"], "csv"))
    else:
        _print_table(reading, judged)
    if not reading.readable:
        if fmt == "table":
            click.echo("\n结论：未能读出年度报告（无章节，或表格无法读取）")
        sys.exit(EXIT_UNREADABLE)
    failed = bool(reading.failed) or (judged is not None and not judged.ok)
    if fmt == "table":
        click.echo("\n结论：" + ("存在问题" if failed else "全部成立"))
    if failed:
        sys.exit(EXIT_FAILED)
