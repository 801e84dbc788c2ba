"""The report commands: issues, claim, reject, confirm, withdraw, track, bulletin, scorecard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import run, written
from support.world import CITY_FIRST, World, city

from govwatch.core.vocabulary import ScanStatus


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """The city database after its second bulletin."""
    city(tmp_path / "govwatch.db")
    return str(tmp_path / "govwatch.db")




def test_issues_lists_and_filters(db_path: str) -> None:
    code, out, _ = run("issues", "--db", db_path, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [1, 2, 6, 3, 4, 5]
    assert rows[0] == {
        "id": 1, "state": "overdue", "unit": "咸阳市交通运输局", "site": "xy-jtj",
        "rule": "column.stale", "title": "工作动态栏目超过2周未更新",
        "url": "http://jtj.xianyang.example/gzdt/", "first_seen": "2026-09-28",
        "deadline": "2026-10-13", "claimed_by": "王伟", "evidence": None}
    _, out, _ = run("issues", "--db", db_path, "--status", "overdue", "--site", "xy-sx",
                    "--format", "csv")
    assert out.splitlines()[0].startswith("id,state,unit")
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["4", "5"]
    code, out, _ = run("issues", "--db", db_path)
    assert code == 0 and "咸阳市某某县人民政府" in out and "claimed_by" in out


def test_claim_reject_confirm_withdraw(db_path: str) -> None:
    code, out, _ = run("claim", "4", "5", "--db", db_path, "--by", "李娜", "--note", "本周内整改")
    assert (code, out.strip()) == (0, "claimed 4, 5 by 李娜")
    code, out, _ = run("reject", "6", "--db", db_path, "--by", "张敏", "--reason", "栏目已撤销")
    assert (code, out.strip()) == (0, "issue 6 disputed by 张敏")
    code, out, _ = run("confirm", "6", "--db", db_path, "--by", "审核员")
    assert (code, out.strip()) == (0, "issue 6 confirmed: back to open")
    run("reject", "6", "--db", db_path, "--by", "张敏", "--reason", "栏目已撤销")
    code, out, _ = run("withdraw", "6", "--db", db_path, "--note", "栏目确已撤销")
    assert (code, out.strip()) == (0, "issue 6 withdrawn")
    _, out, _ = run("issues", "--db", db_path, "--status", "withdrawn", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == [6]


def test_bad_requests_exit_2_with_one_line(db_path: str, tmp_path: Path) -> None:
    for args, message in [
        (("claim", "1", "--by", "王伟"), "issue 1 is claimed already by 王伟"),
        (("claim", "99", "--by", "王伟"), "no issue 99"),
        (("confirm", "1"), "only disputed issues can be confirmed"),
        (("bulletin", "--date", "2026-10-01"), "date order"),
        (("bulletin", "--date", "10/14"), "--date must be YYYY-MM-DD"),
        (("bulletin", "--files", "pdf"), "--files takes"),
        (("track", "--scan", "7"), "no scan 7"),
    ]:
        code, _, err = run(*args, "--db", db_path)
        assert code == 2, args
        assert err.count("\n") == 1 and message in err, (args, err)
    code, _, err = run("issues", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no such database" in err


def test_track_applies_the_latest_complete_scan(tmp_path: Path) -> None:
    world = World(tmp_path / "govwatch.db")
    world.scan("2026-09-28", CITY_FIRST[:3])
    world.scan("2026-10-05", [], status=ScanStatus.FAILED)
    code, out, _ = run("track", "--db", str(world.path), "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"scan_id": 1, "as_of": "2026-09-28", "seen": 3, "found": 3,
                                "reopened": 0, "fixed": 0, "overdue": 0, "already": False}]
    code, _, err = run("track", "--db", str(world.path), "--scan", "2")
    assert code == 2 and "scan 2 is failed" in err


def test_bulletin_writes_every_format_and_the_same_date_again(db_path: str,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run("bulletin", "--db", db_path, "--date", "2026-10-16",
                               "--out", str(out), "--format", "json")
    names = [path.name for path in written(stdout)]
    assert code == 0 and names == [f"bulletin-003-2026-10-16.{ext}"
                                   for ext in ("html", "xlsx", "md", "json")]
    assert "第3期 2026-10-16: 0 new, 4 outstanding" in stderr
    first = (out / names[0]).read_text(encoding="utf-8")
    code, stdout, _ = run("bulletin", "--db", db_path, "--date", "2026-10-16", "--out",
                          str(out), "--files", "html")
    assert code == 0 and (out / names[0]).read_text(encoding="utf-8") == first
    assert stdout.split()[:2] == ["format", "file"] and stdout.count(".html") == 1


def test_the_old_spelling_of_files_still_picks_the_files(db_path: str, tmp_path: Path) -> None:
    """Before --files, a writer's --format named its files; that spelling still works."""
    for report, formats in (("bulletin", "md,json"), ("scorecard", "xlsx")):
        out = tmp_path / report
        code, _, err = run(report, "--db", db_path, "--date", "2026-10-16",
                                "--out", str(out), "--format", formats)
        assert code == 0, err
        assert sorted(p.suffix for p in out.iterdir()) == sorted(
            f".{f}" for f in formats.split(","))


def test_settings_come_from_the_sites_file(db_path: str, tmp_path: Path) -> None:
    sites = tmp_path / "govwatch.yaml"
    sites.write_text(
        "rectification:\n  deadline_working_days: 3\n  issuer: 咸阳市人民政府办公室\n"
        "  pass_line: 99\nsites:\n"
        "  - {id: xy-jtj, name: 咸阳市交通运输局, url: 'http://jtj.xianyang.example/'}\n",
        encoding="utf-8")
    code, stdout, _ = run("bulletin", "--db", db_path, "--sites", str(sites), "--date",
                          "2026-10-16", "--out", str(tmp_path), "--files", "json",
                          "--format", "json")
    content = json.loads(written(stdout)[0].read_text(encoding="utf-8"))
    assert code == 0 and content["issuer"] == "咸阳市人民政府办公室"
    code, stdout, err = run("scorecard", "--db", db_path, "--sites", str(sites), "--date",
                            "2026-10-16", "--out", str(tmp_path), "--files", "json",
                            "--format", "json")
    card = json.loads(written(stdout)[0].read_text(encoding="utf-8"))
    assert code == 0 and card["pass_line"] == 99 and "0/3 sites pass" in err
    sites.write_text("rectification: {deadline_days: 3}\nsites:\n"
                     "  - {id: a, name: A, url: 'http://a.example/'}\n", encoding="utf-8")
    code, _, err = run("bulletin", "--db", db_path, "--sites", str(sites))
    assert code == 2 and "unknown key 'deadline_days'" in err
