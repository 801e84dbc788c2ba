"""The gov-2019 pack over a real scan of the fixture portals, judged against their ground truth.

What each rule should find is derived here from ``expected.yaml`` (written from the data that
generated the portals, never from a crawler's output) and the rule texts, for the scan date
2026-11-24; the findings must be exactly those, rule by rule (precision and recall 1.0).
"""

from __future__ import annotations

import pytest
from support.portals import expected

from bench.oracle import Column, expected_findings, path_of
from govwatch.core.schema import open_db
from govwatch.rules import store
from govwatch.rules.catalogue import load_catalogue
from govwatch.rules.engine import evaluate_scan

PORTALS = ("trs", "hanweb", "gbk")


def truth(portal: str) -> dict[str, set[str]]:
    """Rule id -> subject paths the rule must report on this portal."""
    data = expected(portal)
    columns = [
        Column(c["url"], c["class"], c["items"], c["newest_date"],
               # a bare 暂无信息 exempts nothing; only a note that says why does
               blank="list_pages" in c and not c["items"] and not c.get("note_explains"))
        for c in data["columns"]
    ]
    reports = [(r["year"], r["date"], r["url"]) for r in data["annual_reports"]]
    footer = {kind: fact["valid"] for kind, fact in data["footer"].items()}
    remarks = any("note" in fact for fact in data["footer"].values())
    # The due year's reports published only as PDF: the scan holds no text of them. The
    # HTML ones follow the 2021 template, and their tables add up (tests/portals).
    unreadable = [r["url"] for r in data["annual_reports"] if r["year"] == 2025
                  and r["form"] != "html"]
    return expected_findings(columns, reports, footer, data["home"]["newest_date"],
                             footer_remarks=remarks, unreadable_reports=unreadable,
                             website_report=False)  # none of the portals publishes one


@pytest.fixture(scope="module")
def findings(scanned) -> list[dict]:
    db_path, outcome = scanned
    evaluate_scan(db_path, outcome.scan_id)
    return store.findings_of(open_db(db_path), outcome.scan_id)


@pytest.mark.parametrize(
    "rule_id",
    [r.id for r in load_catalogue().rules],
)
def test_each_rule_finds_exactly_the_ground_truth(findings, rule_id):
    for portal in PORTALS:
        found = {path_of(f["url"]) for f in findings
                 if f["site"] == portal and f["rule"] == rule_id}
        assert found == truth(portal).get(rule_id, set()), portal


def test_the_fixture_portals_exercise_the_rules(findings):
    """Guard against a vacuous comparison: the portals do carry problems."""
    wanted = {(p, rule) for p in PORTALS for rule, subjects in truth(p).items() if subjects}
    assert {("hanweb", "column.stale"), ("hanweb", "footer.format"), ("hanweb", "footer.psb"),
            ("hanweb", "footer.jiucuo"), ("trs", "column.empty"),
            ("gbk", "column.empty")} <= wanted
    assert {(f["site"], f["rule"]) for f in findings} >= wanted
