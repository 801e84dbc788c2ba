"""The farm's soft 404s: planned and served as the truth says, and found by a scan, case by
case (an error page by its message, a deep link sent home, one sent to the generic error
page), while the articles that only look like error pages stay content."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import farm as farm_mod
from bench.accuracy import soft_404_tally
from bench.model import SCAN_DATE
from bench.render import ERROR_MESSAGES, ERROR_TEMPLATES, GENERIC_ERROR_PAGE
from bench.serve import LOOPBACK_ONLY, scan_sites, serve_farm

REFRESH = re.compile(r'<meta http-equiv="refresh" content="0;url=([^"]+)">')
KINDS = ("phrase", "home", "error-page")


@pytest.fixture(scope="module")
def farm(tmp_path_factory) -> tuple[Path, dict]:
    """3 sites × 60 pages."""
    root = tmp_path_factory.mktemp("soft") / "farm"
    return root, farm_mod.generate_farm(root, 3, 60, 4)


def _text(root: Path, site: dict, path: str) -> str:
    return (root / site["dir"] / path.lstrip("/")).read_bytes().decode(site["charset"])


def test_every_site_has_soft_404s_and_lookalikes(farm):
    _, truth = farm
    for site in truth["sites"]:
        kinds = {e["kind"] for e in site["soft_404s"]}
        assert {"phrase", "home"} <= kinds, site["id"]
        assert len(site["soft_404_lookalikes"]) == 2
    assert "error-page" in {e["kind"] for e in truth["sites"][0]["soft_404s"]}


def test_soft_404s_are_served_as_the_truth_says(farm):
    root, truth = farm
    messages = [ERROR_MESSAGES[t] if t in ERROR_MESSAGES else ERROR_TEMPLATES[t][1]
                for t in farm_mod.SOFT_TEMPLATES]
    for site in truth["sites"]:
        for error in site["soft_404s"]:
            page = _text(root, site, error["target"])
            # the link is there, in the site's own spelling (relative on TRS-style sites)
            tail = "/".join(error["target"].split("/")[-2:])
            for carrier in error["pages"]:
                assert f'{tail}">' in _text(root, site, carrier), (site["id"], error)
            if error["kind"] == "phrase":
                assert any(m in page for m in messages), error
            elif error["kind"] == "home":
                assert REFRESH.search(page)[1] == site["home"]
            else:  # only its URL says it is an error page
                assert REFRESH.search(page)[1] == GENERIC_ERROR_PAGE
                assert ERROR_MESSAGES["picture"] in _text(root, site, GENERIC_ERROR_PAGE)
        for path in site["soft_404_lookalikes"]:
            article = _text(root, site, path)
            assert "404" in article and not REFRESH.search(article)


@pytest.fixture(scope="module")
def scanned(farm, tmp_path_factory):
    """The farm served by PortalServer and scanned at its date."""
    from govwatch.crawler.runner import run_scan

    root, truth = farm
    work = tmp_path_factory.mktemp("soft-scan")
    with serve_farm(truth, root, work, "python") as served:
        sites = scan_sites(truth, served.urls, work / "sites.yaml")
        outcome = run_scan(sites, work / "scan.db", as_of=SCAN_DATE, progress_interval=0,
                           settings={"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                                     **LOOPBACK_ONLY})
    assert outcome.status == "complete"
    conn = sqlite3.connect(work / "scan.db")
    conn.row_factory = sqlite3.Row
    checks = {r["target_url"]: dict(r) for r in conn.execute("select * from link_checks")}
    yield SimpleNamespace(truth=truth, urls=served.urls, checks=checks, conn=conn,
                          scan_id=outcome.scan_id)
    conn.close()


def _verdicts(scanned, kind: str) -> list[tuple[str | None, str | None]]:
    found = []
    for site in scanned.truth["sites"]:
        base = scanned.urls[site["id"]].rstrip("/")
        for error in site["soft_404s"]:
            if error["kind"] == kind:
                row = scanned.checks.get(base + error["target"], {})
                found.append((row.get("result"), row.get("error")))
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_a_scan_finds_the_farms_soft_404s(scanned, kind):
    verdicts = _verdicts(scanned, kind)
    assert verdicts and set(verdicts) == {("broken", "soft-404")}


def test_a_scan_leaves_the_lookalikes_alone(scanned):
    for site in scanned.truth["sites"]:
        base = scanned.urls[site["id"]].rstrip("/")
        for path in site["soft_404_lookalikes"]:
            assert scanned.checks[base + path]["result"] == "ok", path


def test_the_tally_reports_recall_and_precision(scanned):
    tally = soft_404_tally(scanned.truth, scanned.conn, scanned.scan_id)
    line = tally.line()
    assert line.startswith("soft404_recall=1.000 soft404_precision=1.000 "
                           "lookalikes_flagged=0/6 error_pages_read=0"), line
