"""Evaluating packs over a scan (rules.engine): findings stored, deterministic, overridable."""

from __future__ import annotations

import sqlite3
import textwrap
from datetime import date
from pathlib import Path

import pytest
from support.scanbuilder import ScanBuilder, days_ago, home_url

from govwatch.core.schema import open_db
from govwatch.rules import store
from govwatch.rules.catalogue import SiteRules
from govwatch.rules.engine import evaluate_scan
from govwatch.rules.model import fingerprint, normalise_subject
from govwatch.rules.scanview import ScanError, ScanView

EXAMPLE_PACK = Path(__file__).parents[2] / "rules" / "packs" / "examples" / "renamed-agencies.yaml"


def problem_scan(path: Path) -> ScanBuilder:
    """Two sites with a handful of problems each."""
    scan = ScanBuilder(path, sites=("a", "b"))
    scan.column("a", "工作动态", "news", [days_ago(20)])
    scan.column("a", "安全生产", "other")
    scan.column("b", "通知公告", "notice-policy", ["2026-03-01"])
    scan.page("b", home_url("b") + "x.html", title="文章", text="经国家旅游局批准……")
    return scan


def stored(path: Path, scan_id: int) -> list[dict]:
    return store.findings_of(open_db(path), scan_id)


def test_evaluate_scan_stores_findings_and_replaces_them_on_rerun(tmp_path):
    path = tmp_path / "g.db"
    scan_id = problem_scan(path).complete()
    summary = evaluate_scan(path)
    first = stored(path, scan_id)
    assert summary["scan"] == scan_id and summary["as_of"] == "2026-11-24"
    assert summary["findings"] == len(first) > 0
    assert summary["packs"] == {"gov-2019": "1.0"}
    assert summary["by_rule"]["column.stale"] == 2
    evaluate_scan(path)
    assert stored(path, scan_id) == first  # the same scan gives the same findings, not twice
    assert {"site", "rule", "severity", "url", "source_url", "title", "detail"} <= set(first[0])
    row = first[0]
    assert row["fingerprint"] == fingerprint(row["site"], row["rule"], row["url"])
    assert row["pack"] == "gov-2019" and row["pack_version"] == "1.0"


def test_as_of_rejudges_and_is_recorded(tmp_path):
    path = tmp_path / "g.db"
    scan_id = problem_scan(path).complete()
    evaluate_scan(path, as_of=date(2026, 12, 31))
    rules = {r["rule"] for r in stored(path, scan_id)}
    assert "homepage.stale" in rules  # the home item is 38 days old by then
    assert store.evaluation_of(open_db(path), scan_id)["as_of"] == "2026-12-31"


def test_a_new_pack_runs_beside_the_builtin_one(tmp_path):
    path = tmp_path / "g.db"
    scan_id = problem_scan(path).complete()
    summary = evaluate_scan(path, packs=[EXAMPLE_PACK])
    assert summary["packs"] == {"gov-2019": "1.0", "renamed-agencies": "1"}
    (row,) = [r for r in stored(path, scan_id) if r["rule"] == "text.renamed_agency.cnta"]
    assert (row["site"], row["url"], row["severity"]) == ("b", home_url("b") + "x.html",
                                                          "advisory")
    assert row["evidence"] == "经【国家旅游局】批准……"


def test_only_complete_scans_are_judged(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db")
    with pytest.raises(ScanError, match="no complete scan yet"):
        evaluate_scan(scan.path)
    with pytest.raises(ScanError, match="scan 1 is running, not complete"):
        ScanView.open(scan.path, scan.scan_id)
    with pytest.raises(ScanError, match="no scan 7"):
        ScanView.open(scan.path, 7)


def test_the_scan_view_cannot_write(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db")
    scan.complete()
    with ScanView.open(scan.path) as view, pytest.raises(sqlite3.OperationalError):
        list(view.rows("delete from pages"))
    assert open_db(scan.path)["pages"].count == 1


def test_site_overrides_change_params_and_switch_packs_per_site(tmp_path):
    path = tmp_path / "g.db"
    scan = ScanBuilder(path, sites=("a", "b", "c"))
    for site in "abc":
        scan.column(site, "工作动态", "news", [days_ago(20)])
    overrides = {"b": SiteRules(params={"column.stale": {"windows": {"news": "30d"}}}),
                 "c": SiteRules(packs={"gov-2019": False})}
    found = scan.findings(overrides=overrides)
    assert [f.site_id for f in found if f.rule_id == "column.stale"] == ["a"]
    assert not [f for f in found if f.site_id == "c"]


def test_fingerprints_ignore_case_of_host_fragments_and_index_html():
    same = ["HTTP://A.Gov.CN/x/index.html#top", "http://a.gov.cn/x/", "http://a.gov.cn/x/#",
            "http://a.gov.cn/x/index.shtml", "http://a.gov.cn/x/INDEX.HTM"]
    assert {normalise_subject(u) for u in same} == {"http://a.gov.cn/x/"}
    assert normalise_subject("http://a.gov.cn") == "http://a.gov.cn/"
    assert normalise_subject("http://a.gov.cn/X/?p=1") == "http://a.gov.cn/X/?p=1"
    assert normalise_subject("http://a.gov.cn/x/myindex.html") == "http://a.gov.cn/x/myindex.html"
    assert fingerprint("a", "r", same[0]) == fingerprint("a", "r", same[1])
    assert fingerprint("a", "r", same[0]) != fingerprint("b", "r", same[0])


def test_two_pages_with_one_normalised_url_give_one_finding(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db")
    for url in (home_url("a") + "gk/", home_url("a") + "gk/index.html"):
        scan.page("a", url, title="公开", text="国家旅游局")
    assert len(scan.findings("text.renamed_agency.cnta", packs=[EXAMPLE_PACK])) == 1


SCOPES_PACK = """\
pack: scopes
version: "1"
rules:
  - {id: s.title, title: 标题, severity: advisory, check: pattern,
     params: {scope: title, must_not_match: 测试}}
  - {id: s.url, title: 地址, severity: advisory, check: pattern,
     params: {scope: url, must_not_match: '\\.jsp'}}
  - {id: s.footer, title: 底部, severity: advisory, check: pattern,
     params: {scope: footer, must_match: '主办'}}
  - {id: s.html, title: 源码, severity: advisory, check: pattern,
     params: {scope: html, pages: home, must_match: 'SiteIDCode'}}
  - {id: s.news, title: 新闻, severity: advisory, check: pattern,
     params: {scope: text, must_not_match: 领导}, applies_to: {column_classes: [news]}}
  - {id: s.home, title: 首页, severity: advisory, check: pattern,
     params: {scope: text, pages: home, must_not_match: 领导}}
  - {id: s.only_b, title: 仅b, severity: advisory, check: pattern,
     params: {scope: text, must_not_match: 领导}, applies_to: {sites: [b]}}
"""


def test_pattern_scopes_pages_and_applies_to(tmp_path):
    pack = tmp_path / "scopes.yaml"
    pack.write_text(textwrap.dedent(SCOPES_PACK), encoding="utf-8")
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"), healthy_home=False)
    scan.home("a", items=[("要闻", days_ago(1))], text="领导活动",
              footer={"sponsor": "主办单位：某某县人民政府"})
    scan.home("b", items=[("要闻", days_ago(1))], text="首页")
    news = scan.column("a", "工作动态", "news", [days_ago(1)])
    scan.page("a", news + "0.html", title="领导调研", text="领导调研")  # an item of the column
    scan.page("a", home_url("a") + "other.jsp", title="测试页", text="领导")
    scan.page("b", home_url("b") + "p.html", title="页", text="领导")
    found = {(f.rule_id, f.subject_url) for f in scan.findings(packs=[pack])
             if f.rule_id.startswith("s.")}
    assert found == {
        ("s.title", home_url("a") + "other.jsp"),
        ("s.url", home_url("a") + "other.jsp"),
        ("s.footer", home_url("b")),  # b's footer has no 主办 (it has a sponsor value only)
        ("s.html", home_url("a")), ("s.html", home_url("b")),
        ("s.news", news + "0.html"),
        ("s.home", home_url("a")),
        ("s.only_b", home_url("b") + "p.html"),
    }
