"""The farm's cases for page roles and the column vetoes, each checked against what the
generator planned (truth.json), and the crawler and the rules judged on them.

- hubs of four shapes, each a page of links with no item, read by the crawler as a hub;
- lists that print a bare placeholder (a blank column) beside lists whose note says why
  nothing exists (exempt), the crawler recording the note and the rule deciding;
- a neglected site, every column that should be updated past its window: ten or more,
  so the neglected veto is due there and nowhere else;
- a scan of a two-site farm whose roles and findings are exactly the truth's.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from bench.accuracy import measure
from bench.farm import EXPLANATIONS, PLACEHOLDERS, generate_farm
from bench.oracle import CUTOFFS, Column, expected_findings, path_of
from bench.rule_accuracy import truth_of
from govwatch.core.vocabulary import ColumnRole
from govwatch.crawler.pages.classes import find_empty_note
from govwatch.crawler.pages.columns import dated_lists, main_text, undated_role
from govwatch.crawler.pages.page import Page
from govwatch.rules.catalogue import load_catalogue
from govwatch.rules.checks.columns import exempts

SCAN_DAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def farm(tmp_path_factory) -> tuple[Path, dict]:
    """Five sites × 300 pages: every hub shape, both kinds of note, one neglected site."""
    root = tmp_path_factory.mktemp("roles") / "farm"
    return root, generate_farm(root, 5, 300, 11)


def _page(root: Path, site: dict, path: str) -> Page:
    text = (root / site["dir"] / path.lstrip("/")).read_bytes().decode(site["charset"])
    return Page.parse(f"http://127.0.0.1{path}", text)


def _columns(truth: dict, **match: object) -> list[tuple[dict, dict]]:
    return [(site, col) for site in truth["sites"] for col in site["columns"]
            if all(col.get(k) == v for k, v in match.items())]


def test_hubs_of_every_shape_are_pages_of_links_read_as_hubs(farm):
    root, truth = farm
    hubs = _columns(truth, role="hub")
    assert {col["hub_shape"] for _, col in hubs} == {"columns", "services", "table", "hdjl"}
    for site, col in hubs:
        page = _page(root, site, col["path"])
        assert col["items"] == 0 and not dated_lists(page, SCAN_DAY), col["name"]
        assert undated_role(page) is ColumnRole.HUB, (site["id"], col["name"])


def test_forms_are_read_as_forms_and_blank_lists_as_lists(farm):
    root, truth = farm
    forms = _columns(truth, role="form")
    blanks = _columns(truth, kind="blank")
    assert forms and blanks
    for site, col in forms:
        assert undated_role(_page(root, site, col["path"])) is ColumnRole.FORM, site["id"]
    for site, col in blanks:
        # a blank list beside its section's menu is no hub: it is judged as a list
        assert undated_role(_page(root, site, col["path"])) is None, (site["id"], col["name"])


def test_placeholders_are_blank_columns_and_explanations_exempt(farm):
    root, truth = farm
    notes = _columns(truth, kind="note")
    assert {col["note_explains"] for _, col in notes} == {True, False}
    rule = load_catalogue().rule("column.empty")
    for site, col in notes:
        assert col["note"] in (EXPLANATIONS if col["note_explains"] else PLACEHOLDERS)
        found = find_empty_note(main_text(_page(root, site, col["path"])))
        assert found == col["note"], (site["id"], col["name"])  # recorded as printed
        assert exempts(rule, found) is col["note_explains"], col["note"]
        blank = path_of(col["path"]) in truth_of(site)["column.empty"]
        assert blank is not col["note_explains"], (site["id"], col["name"])


def test_the_neglected_site_has_ten_stale_columns_that_should_be_updated(farm):
    _, truth = farm
    for site in truth["sites"]:
        stale = [c for c in site["columns"] if c["role"] == "list" and c["items"]
                 and c["class"] in CUTOFFS
                 and date.fromisoformat(c["newest_date"]) < CUTOFFS[c["class"]]]
        assert (len(stale) >= 10) is site["neglected"], site["id"]
        vetoed = expected_findings(
            [Column(c["path"], c["class"], c["items"], date.fromisoformat(c["newest_date"]),
                    False) for c in stale], [(2025, date(2026, 1, 20), "/r")], {})
        assert bool(vetoed["column.neglected_veto"]) is site["neglected"], site["id"]
    assert sum(site["neglected"] for site in truth["sites"]) == 1


def test_a_scan_finds_the_roles_and_the_findings_of_the_truth(tmp_path):
    out = io.StringIO()
    # two sites: the second is the neglected one
    total = measure(2, 150, 11, keep=tmp_path / "work", rules=True, out=out)
    report = out.getvalue()
    assert total.found == total.truth and total.role_ok == total.found, report
    for role in ("list", "text", "hub", "form"):
        want, found, right = total.roles.get(role, [0, 0, 0])
        assert want and found == right == want, (role, report)
    assert "  missed " not in report and "  extra " not in report, report
    lines = {line.split()[0]: line.split() for line in report.splitlines() if line}
    for rule in ("column.empty", "column.neglected_veto", "column.stale"):
        assert lines[rule][4:6] == ["1.000", "1.000"], report
