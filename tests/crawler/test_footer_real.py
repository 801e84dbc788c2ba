"""Footers of real government pages, labelled by hand (fixtures/real/footers/truth.yaml):
the extractor reads what an inspector reads, and the footer rules sign what an inspector
signs."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml

from bench.footers import measure
from govwatch.crawler.pages.footer import footer_facts

FOLDER = Path(__file__).parent / "fixtures" / "real" / "footers"
TRUTH = yaml.safe_load((FOLDER / "truth.yaml").read_text(encoding="utf-8"))
KINDS = ("icp", "psb", "site_code", "site_code_meta", "conac", "jiucuo")
DEDUCTED = ("icp", "psb", "site_code", "conac", "jiucuo")


def test_there_are_at_least_fifteen_labelled_pages_each_with_its_file():
    assert len(TRUTH) >= 15
    assert {p.stem for p in FOLDER.glob("*.html")} == set(TRUTH)


@pytest.mark.parametrize("page", sorted(TRUTH))
def test_the_labels_agree_with_themselves(page):
    """A kind is deducted exactly when its identifier is absent or not right."""
    label = TRUTH[page]
    for kind in DEDUCTED:
        fact = label[kind]
        ok = fact["present"] and fact["right"]
        assert (f"footer.{kind}" in label["findings"]) == (not ok), (page, kind)


def _identity(kind: str, value: str) -> str:
    """What identifies a number: its digits (and the ICP province); a code as it is."""
    if kind == "icp":
        return value[0] + re.sub(r"\D", "", value)
    if kind == "psb":
        return re.sub(r"\D", "", value)
    return value.lower()


@pytest.mark.parametrize("page", sorted(TRUTH))
def test_each_identifier_is_read_as_labelled(page):
    tree = lxml.html.fromstring((FOLDER / f"{page}.html").read_bytes())
    facts = {str(f.kind): f for f in footer_facts(tree)}
    for kind in KINDS:
        want, got = TRUTH[page][kind], facts[kind]
        if not want["present"]:
            # absent, or (for the badge) a copy that is no working badge
            assert not got.valid, (page, kind)
            continue
        assert got.valid == want["right"], (page, kind, got)
        values = want["value"] if isinstance(want["value"], list) else [want["value"]]
        assert _identity(kind, got.value) in {_identity(kind, str(v)) for v in values}, (
            page, kind)
        if "link" in want:
            linked = urlsplit(got.link).hostname if got.link else None
            assert linked == want["link"], (page, kind)


def test_the_footer_rules_sign_exactly_what_an_inspector_signs():
    scores = {s.rule: s for s in measure(FOLDER)}
    assert set(scores) >= {"footer.icp", "footer.psb", "footer.site_code", "footer.conac",
                           "footer.jiucuo", "footer.mismatch", "footer.format"}
    for rule, score in scores.items():
        assert score.found == score.truth, rule
