"""The rules commands as a user runs them: rules list/check/test, evaluate, findings, scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from support.portals import PORTALS, write_sites
from support.scanbuilder import ScanBuilder, days_ago

from govwatch.cli import cli
from govwatch.demo.server import PortalServer
from govwatch.rules.catalogue import load_catalogue

EXAMPLE_PACK = str(Path(__file__).parents[2] / "rules" / "packs" / "examples" /
                   "renamed-agencies.yaml")
FINDING_KEYS = {"site", "rule", "severity", "url", "source_url", "title", "detail"}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def a_scan(tmp_path: Path) -> str:
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"))
    scan.column("a", "工作动态", "news", [days_ago(20)])
    scan.column("b", "安全生产", "other")
    scan.complete()
    return str(scan.path)


def test_rules_list_shows_builtin_and_added_packs():
    table = run("rules", "list")
    assert table.exit_code == 0
    assert "column.stale_veto" in table.output and "栏目不更新（单项否决）" in table.output
    rows = json.loads(run("rules", "list", "--pack", EXAMPLE_PACK, "--format", "json").output)
    by_id = {r["id"]: r for r in rows}
    assert by_id["text.renamed_agency.cnta"]["pack"] == "renamed-agencies"
    assert by_id["text.renamed_agency.cnta"]["params"]["must_not_match"] == "国家旅游局"
    assert by_id["homepage.stale"]["params"] == {"window": "14d", "navigation_fallback": True}


def test_rules_check_good_and_bad_files(tmp_path):
    good = run("rules", "check", EXAMPLE_PACK)
    assert good.exit_code == 0 and "ok, pack renamed-agencies 1, 1 rules" in good.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: bad\nversion: '1'\nrules:\n  - id: b.x\n    title: 坏\n"
                   "    severity: advisory\n    check: patern\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "govwatch", "rules", "check", EXAMPLE_PACK,
                           str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}:7: rule b.x: unknown check 'patern' (known: ")
    assert " pattern, " in line


def test_rules_test_runs_every_example(tmp_path):
    rules = load_catalogue().rules
    examples = sum(len(r.examples) for r in rules)
    builtin = run("rules", "test")
    assert builtin.exit_code == 0
    assert builtin.output.strip().endswith(
        f"{examples} examples of {len(rules)} rules: {examples} ok, 0 failed")
    added = run("rules", "test", EXAMPLE_PACK)
    assert added.exit_code == 0 and "3 examples of 1 rules: 3 ok" in added.output
    text = Path(EXAMPLE_PACK).read_text(encoding="utf-8")
    line = text[:text.index("- 根据文化和旅游部有关要求")].count("\n") + 1
    wrong = tmp_path / "wrong.yaml"  # a pass example that the rule does trigger
    wrong.write_text(text.replace("- 根据文化和旅游部有关要求", "- 根据国家旅游局有关要求"),
                     encoding="utf-8")
    failed = run("rules", "test", str(wrong), "--format", "json")
    assert failed.exit_code == 2
    rows = [r for r in json.loads(failed.output) if r["result"] != "ok"]
    assert rows == [{"where": f"{wrong}:{line}", "rule": "text.renamed_agency.cnta",
                     "expect": "pass", "input": "根据国家旅游局有关要求，现将……通知如下",
                     "result": "triggered"}]


def test_evaluate_then_findings_as_json_csv_and_table(tmp_path):
    db = a_scan(tmp_path)
    before = run("findings", "--db", db)
    assert before.exit_code == 2 and "has not been evaluated" in before.output
    result = run("evaluate", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["by_rule"]["column.stale"] == 1 and summary["by_rule"]["column.empty"] == 1
    rows = json.loads(run("findings", "--db", db, "--format", "json").output)
    assert rows and all(set(r) >= FINDING_KEYS for r in rows)
    only_b = json.loads(run("findings", "--db", db, "--site", "b", "--format", "json").output)
    assert {r["site"] for r in only_b} == {"b"}
    csv_out = run("findings", "--db", db, "--format", "csv").output
    assert csv_out.splitlines()[0].startswith("site,rule,severity,url,source_url,title,detail")
    table = run("findings", "--db", db).output
    assert "column.empty" in table and "栏目「安全生产」" in table


def test_evaluate_as_of_and_its_bad_input(tmp_path):
    db = a_scan(tmp_path)
    later = run("evaluate", "--db", db, "--as-of", "2027-03-01")
    assert later.exit_code == 0 and "judged at 2027-03-01" in later.output
    assert "homepage.stale" in later.output
    bad_date = run("evaluate", "--db", db, "--as-of", "2027-02-30")
    assert bad_date.exit_code == 2 and "must be YYYY-MM-DD" in bad_date.output
    no_scan = run("evaluate", "--db", db, "--scan", "9")
    assert no_scan.exit_code == 2 and "error: no scan 9" in no_scan.output
    no_db = run("evaluate", "--db", str(tmp_path / "none.db"))
    assert no_db.exit_code == 2 and "no such database" in no_db.output


def test_evaluate_with_an_added_pack(tmp_path):
    scan = ScanBuilder(tmp_path / "g.db")
    scan.page("a", "http://a.gov.cn/lv.html", title="旅游", text="原国家旅游局印发")
    scan.complete()
    result = run("evaluate", "--db", str(scan.path), "--pack", EXAMPLE_PACK)
    assert result.exit_code == 0 and "text.renamed_agency.cnta" in result.output


def test_scan_evaluates_the_rules_when_the_crawl_completes(tmp_path):
    with PortalServer(PORTALS / "hanweb") as hanweb:
        sites = write_sites(tmp_path / "s.yaml", {"hanweb": hanweb}, fast=True)
        db = str(tmp_path / "g.db")
        result = run("scan", "--sites", str(sites), "--db", db, "--as-of", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert "findings on 1 sites" in result.output
    rows = json.loads(run("findings", "--db", db, "--format", "json").output)
    assert {"footer.format", "footer.psb", "footer.jiucuo", "column.stale"} <= {r["rule"]
                                                                             for r in rows}
