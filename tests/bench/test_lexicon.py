"""bench.lexicon on a few pages: the check over the scan finds what the check's page code
finds in memory, and every page carrying an injected wrong form is among them."""

from __future__ import annotations

import random

from bench.lexicon import generated_entries, measure, pages


def test_the_scan_and_the_page_code_agree(tmp_path):
    figures = measure(200, 1000, 20, 5, True, tmp_path)
    assert figures["entries"] == 1000
    assert figures["patterns"] > 1000   # names with homophones add forms
    # one page in fifty carries a wrong form: 4 of 200, each a finding of one rule at least
    assert figures["findings"] == figures["match_findings"] >= 4
    assert figures["peak_rss_mb"] > 0


def test_generated_entries_are_distinct_and_names_carry_homophones():
    made = generated_entries(400, 20, random.Random(1))
    keys = [e.get("wrong", e["right"]) for e in made]
    assert len(set(keys)) == 400
    assert sum(1 for e in made if e.get("homophones")) == 20
    rows = pages(100, ["某某某某"], random.Random(1))
    assert sum("某某某某" in text for _, _, _, text, _ in rows) == 2
