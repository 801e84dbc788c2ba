"""The farm's footers: every identifier disagreement, self-hosted 找错 copies, conac scripts in
their CA form and loosely written numbers, each printed as its truth says, and the footer
rules find on the farm's home pages exactly what that truth says they should."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest

from bench import farm as farm_mod
from bench.footers import found_findings
from bench.rule_accuracy import truth_of
from govwatch.core.regions import by_abbreviation, by_code

# 24 sites × 30 pages at seed 19: the smallest farm tried that holds every footer case.
SITES, PAGES, SEED = 24, 30, 19
FOOTER_RULES = ("footer.icp", "footer.psb", "footer.site_code", "footer.conac",
                "footer.jiucuo", "footer.format", "footer.mismatch")
CODE = re.compile(r"网站标识码：(\w+)")
META = re.compile(r'<meta name="SiteIDCode" content="(\w*)">')
JIUCUO = re.compile(r'<script id="_jiucuo_" sitecode="(\w+)" src="([^"]+)">|'
                    r"jiucuo\.html\?site_code=(\w+)")


@pytest.fixture(scope="module")
def footers(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("footers") / "farm"
    return root, farm_mod.generate_farm(root, SITES, PAGES, SEED)


def home(root: Path, site: dict) -> str:
    raw = (root / site["dir"] / site["home"].lstrip("/")).read_bytes()
    return html.unescape(raw.decode(site["charset"]))


def printed(root: Path, site: dict) -> dict[str, str | None]:
    """The site code as the footer, the SiteIDCode meta and the 找错 entry print it."""
    page = home(root, site)
    code, meta, jiucuo = CODE.search(page), META.search(page), JIUCUO.search(page)
    return {"site_code": code[1] if code else None, "meta": meta[1] if meta else None,
            "jiucuo": (jiucuo[1] or jiucuo[3]) if jiucuo else None}


def with_case(truth: dict, pair: str) -> list[dict]:
    return [s for s in truth["sites"] if pair in s["footer_mismatch"]]


def test_the_farm_grows_every_footer_case(footers):
    root, truth = footers
    cases = Counter(pair for s in truth["sites"] for pair in s["footer_mismatch"])
    assert set(cases) == set(farm_mod.MISMATCHES)
    assert all(len(s["footer_mismatch"]) <= 1 for s in truth["sites"])
    remarks = Counter(k for s in truth["sites"] for k, f in s["footer"].items() if f["remark"])
    assert set(remarks) == {"icp", "psb"}
    srcs = [s["footer"]["jiucuo"]["raw"] or "" for s in truth["sites"]]
    assert any(src.startswith("/") for src in srcs) and any("//" in src for src in srcs)
    pages = [home(root, s) for s in truth["sites"]]
    assert any("document.write(unescape(\"%3Cspan id='_ideConac'" in p for p in pages)
    assert any('<span id="_ideConac"><script' in p for p in pages)


def test_a_meta_code_that_differs_from_the_footers(footers):
    root, truth = footers
    for site in with_case(truth, "site_code/site_code_meta"):
        shown = printed(root, site)
        assert shown["meta"] and shown["site_code"] and shown["meta"] != shown["site_code"]
        assert shown["meta"][:6] == shown["site_code"][:6]  # another code of the same place
        assert site["footer"]["site_code_meta"]["raw"] == shown["meta"]


def test_a_jiucuo_entry_carrying_another_code(footers):
    root, truth = footers
    for site in with_case(truth, "site_code/jiucuo"):
        shown = printed(root, site)
        assert shown["jiucuo"] and shown["jiucuo"] != shown["site_code"]
        assert site["footer"]["jiucuo"]["valid"]  # a working entry, with a well-formed code


def test_an_icp_number_of_another_province(footers):
    root, truth = footers
    for site in with_case(truth, "icp/site_code"):
        icp, code = site["footer"]["icp"]["raw"], printed(root, site)["site_code"]
        assert icp in home(root, site) and site["footer"]["icp"]["valid"]
        assert by_abbreviation(icp[0]) != by_code(code)


def test_a_psb_number_of_another_province(footers):
    root, truth = footers
    for site in with_case(truth, "psb/site_code"):
        psb, code = site["footer"]["psb"]["raw"], printed(root, site)["site_code"]
        digits = re.search(r"\d{14}", psb)[0]
        # the number agrees with its own abbreviation: only the cross-check catches it
        assert by_abbreviation(psb[0]) == by_code(digits) != by_code(code)
        assert site["footer"]["psb"]["valid"]


def test_sites_without_a_disagreement_agree_everywhere(footers):
    root, truth = footers
    for site in truth["sites"]:
        if site["footer_mismatch"] or not site["footer"]["site_code"]["valid"]:
            continue
        shown = printed(root, site)
        code = shown["site_code"]
        assert shown["meta"] in (None, code) and shown["jiucuo"] in (None, code), site["id"]
        for kind in ("icp", "psb"):
            fact = site["footer"][kind]
            if fact["valid"]:
                assert by_abbreviation(fact["raw"][0]) == by_code(code), (site["id"], kind)


def test_a_self_hosted_jiucuo_copy_is_served_by_the_site(footers):
    root, truth = footers
    copies = [s for s in truth["sites"] if (s["footer"]["jiucuo"]["raw"] or "").startswith("/")]
    assert copies
    for site in copies:
        src = site["footer"]["jiucuo"]["raw"]
        assert src.endswith("/jiucuo.js") and f'src="{src}"' in home(root, site)
        assert (root / site["dir"] / src.lstrip("/")).is_file()
        # it carries the site's code: a working entry unless that code is malformed
        code = site["footer"]["site_code"]
        assert site["footer"]["jiucuo"]["valid"] == (code["valid"] or code["raw"] is None)


def test_conac_scripts_have_the_ca_form(footers):
    _, truth = footers
    scripts = [s["footer"]["conac"]["raw"] for s in truth["sites"]
               if (s["footer"]["conac"]["raw"] or "").endswith(".js")]
    assert scripts
    for url in scripts:
        m = re.fullmatch(r"https://dcs\.conac\.cn/js/(\d{2})/(\d{3})/(\d{4})/(\d{8})/CA(\d{21})\.js",
                         url)
        assert m and m[5].startswith(m[1] + m[2] + m[3] + m[4]), url


def test_loosely_written_numbers_are_remarks_not_faults(footers):
    root, truth = footers
    for site in truth["sites"]:
        page = home(root, site)
        icp, psb = site["footer"]["icp"], site["footer"]["psb"]
        if icp["remark"]:
            assert icp["raw"] in page and f'>{icp["raw"]}</a>' not in page  # no link
        if psb["remark"]:
            assert psb["valid"] and not psb["raw"].endswith("号") and psb["raw"] in page


def test_the_footer_rules_find_what_the_farm_truth_says(footers, tmp_path):
    root, truth = footers
    pages = {s["id"]: (root / s["dir"] / s["home"].lstrip("/")).read_bytes()
             for s in truth["sites"]}
    found = found_findings(pages, tmp_path / "scan.db")
    for rule in FOOTER_RULES:
        expected = {s["id"] for s in truth["sites"] if truth_of(s)[rule]}
        assert found.get(rule, set()) == expected, rule
    assert found["footer.mismatch"] and found["footer.format"]
