"""The board and 双公示 recognisers on real saved government pages, against a truth file
labelled by hand (tests/crawler/fixtures/real/boards/)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from govwatch.crawler.pages.boards import read_decisions, read_messages
from govwatch.crawler.pages.page import Page

FOLDER = Path(__file__).parent / "fixtures" / "real" / "boards"


def truth() -> dict[str, list[dict[str, str]]]:
    """page -> its labelled records (none for a `-` line)."""
    out: dict[str, list[dict[str, str]]] = {}
    with (FOLDER / "truth.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.setdefault(row["page"], [])
            if row["kind"] != "-":
                out[row["page"]].append(row)
    return out


@pytest.mark.parametrize("name", sorted(truth()))
def test_real_pages_give_exactly_their_labelled_records(name):
    path = FOLDER / name
    page = Page.parse(f"https://www.nfra.gov.cn/{path.stem}.html",
                      path.read_text(encoding="utf-8"))
    decisions = [(d.title, d.decided, d.published) for d in read_decisions(page)]
    assert decisions == [(r["title"], date.fromisoformat(r["decided"]),
                          date.fromisoformat(r["published"]))
                         for r in truth()[name] if r["kind"] == "decision"]
    assert [m.title for m in read_messages(page)] == [
        r["title"] for r in truth()[name] if r["kind"] == "message"]


def test_the_truth_file_names_real_pages_and_holds_a_decision():
    assert all((FOLDER / name).is_file() for name in truth())
    assert any(r["kind"] == "decision" for rows in truth().values() for r in rows)
