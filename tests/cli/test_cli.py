"""The govwatch command: what a user types and sees."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner
from support.portals import PORTALS, write_sites

from govwatch.cli import cli
from govwatch.core.schema import open_db
from govwatch.demo.server import PortalServer

GOOD = """\
sites:
  - id: gs-jtt
    name: 甘肃省交通运输厅
    url: https://jtys.gansu.gov.cn/
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_sites_check_accepts_a_good_file(tmp_path):
    path = tmp_path / "govwatch.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = run("sites", "check", "--sites", str(path), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)[0]["id"] == "gs-jtt"


def test_bad_sites_file_is_one_line_naming_file_line_and_site_with_exit_2(tmp_path):
    path = tmp_path / "govwatch.yaml"
    path.write_text(
        GOOD + "  - id: gs-jtt\n    name: 重复\n    url: https://x.gov.cn/\n", encoding="utf-8"
    )
    for command in (["sites", "check"], ["scan", "--db", str(tmp_path / "g.db")]):
        result = run(*command, "--sites", str(path))
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1
        assert f"{path}:5" in lines[0] and "gs-jtt" in lines[0] and "duplicate" in lines[0]
    assert not (tmp_path / "g.db").exists()  # nothing written for a bad sites file


def test_bad_indent_gets_a_line_not_a_traceback(tmp_path):
    path = tmp_path / "govwatch.yaml"
    path.write_text(
        "sites:\n  - id: a\n    name: 甲\n   url: https://a.gov.cn/\n", encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "govwatch", "sites", "check", "--sites", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {path}:4")


def test_columns_needs_a_database(tmp_path):
    result = run("columns", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2
    assert "no such database" in result.output


def test_scan_then_columns_as_json(tmp_path):
    with PortalServer(PORTALS / "hanweb") as hanweb:
        sites = write_sites(tmp_path / "s.yaml", {"hanweb": hanweb}, fast=True)
        db = str(tmp_path / "g.db")
        result = run("scan", "--sites", str(sites), "--db", db, "--quiet",
                     "--as-of", "2026-11-24", "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["status"] == "complete" and summary["sites"][0]["site"] == "hanweb"
    columns = json.loads(run("columns", "--db", db, "--format", "json").output)
    assert {"site", "name", "class", "url", "newest_date", "items"} <= set(columns[0])
    by_name = {c["name"]: c for c in columns}
    assert by_name["部门动态"]["class"] == "news"
    csv_out = run("columns", "--db", db, "--site", "hanweb", "--format", "csv").output
    assert csv_out.splitlines()[0].startswith("site,name,class,url,newest_date,items")


def test_a_scan_left_running_by_a_dead_process_is_said_stale_and_resumed(tmp_path):
    from govwatch.core.config import load_config
    from govwatch.crawler import store

    with PortalServer(PORTALS / "hanweb") as hanweb:
        sites = write_sites(tmp_path / "s.yaml", {"hanweb": hanweb}, fast=True)
        db = str(tmp_path / "g.db")
        conn = open_db(db)  # as a scan killed with -9 leaves it: running, no lock
        scan_id = store.start_scan(conn, load_config(sites).sites, "2026-11-24")
        conn.close()
        result = run("scan", "--sites", str(sites), "--db", db, "--resume", "--quiet",
                     "--format", "json")
    assert result.exit_code == 0, result.output
    assert (f"scan {scan_id} was left running by a process that died; it is marked failed"
            in result.output)
    summary = json.loads(result.output[result.output.index("{"):])
    assert (summary["scan"], summary["status"], summary["stale"]) == (
        scan_id, "complete", [scan_id])
    (site,) = summary["sites"]
    assert site["unsettled"] == 0 and site["discovered"] > site["pages"] / 2
    assert site["capped"] is False
