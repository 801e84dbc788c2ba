"""The interaction.*, policy.interpretation_* and publicity.late rules over a real scan of two
hand-written portals (tests/portals/boards/, tests/portals/nochannel/).

Every case and its negative is written into the pages by hand, so the findings expected here
are read from the pages' dates and links, never from a run. Scan date 2026-11-24.

- boards (青川县人民政府): 县长信箱, a table: answered; waiting since 2026-10-08 (recent);
  waiting since 2026-05-06 (over 3 months: the veto); waiting since 2025-08-01 (outside the
  12 months). 在线咨询, list rows with a page per message: answered; 办理中 on the list but
  answered on its own page within 2 months; waiting since 2026-11-02. 网上信访: waiting since
  2026-02-01, exempt. Four 解读: linked both ways (2 working days), one way (the policy does
  not link back), not at all, and linked both ways but 5 working days after its policy across
  国庆. 双公示: a 行政处罚 published 9 working days after the decision (国庆 between), one after
  4, and two 行政许可 in time (one across 国庆).
- nochannel (平武县人民政府): 县长信箱 links to a missing page, 在线咨询 to a form answering
  500; only 网上信访 (exempt) works.
- silent (北川县人民政府): no board and no entry to one at all.
"""

from __future__ import annotations

import sqlite3

import pytest
from support.portals import PORTALS, scan, write_sites

from govwatch.core.schema import open_db
from govwatch.demo.server import PortalServer
from govwatch.rules import store
from govwatch.rules.engine import evaluate_scan

RULES = ("interaction.unanswered_veto", "interaction.no_channel_veto",
         "policy.interpretation_unlinked", "policy.interpretation_late", "publicity.late")
BOTH_WAYS = "/zcjd/202611/t20261104_301.html"
ONE_WAY = "/zcjd/202610/t20261021_302.html"
NO_LINK = "/zcjd/202609/t20260916_303.html"
LATE = "/zcjd/202610/t20261013_304.html"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[dict[str, str], list[dict], str]:
    """(portal -> base URL, the findings of the five rules, the database path)."""
    work = tmp_path_factory.mktemp("boards")
    with PortalServer(PORTALS / "boards") as boards, \
            PortalServer(PORTALS / "nochannel") as nochannel, \
            PortalServer(PORTALS / "silent") as silent:
        servers = {"boards": boards, "nochannel": nochannel, "silent": silent}
        outcome = scan(write_sites(work / "sites.yaml", servers), work / "db")
        bases = {name: s.url.rstrip("/") for name, s in servers.items()}
    evaluate_scan(work / "db", outcome.scan_id)
    rows = store.findings_of(open_db(work / "db"), outcome.scan_id)
    return bases, [r for r in rows if r["rule"] in RULES], str(work / "db")


@pytest.fixture(scope="module")
def findings(scanned) -> dict[tuple[str, str], list[dict]]:
    """(site, rule) -> its findings, URLs as paths."""
    bases, rows, _ = scanned
    out: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        row = {**row, "path": (row["url"] or "").removeprefix(bases[row["site"]])}
        out.setdefault((row["site"], row["rule"]), []).append(row)
    return out


def paths(findings, site: str, rule: str) -> set[str]:
    return {f["path"] for f in findings.get((site, rule), [])}


def test_the_crawl_reads_each_board_with_its_messages(scanned):
    bases, _, db = scanned
    conn = sqlite3.connect(db)
    rows = conn.execute("select site_id, page_url, title, asked, answered, status, board "
                        "from messages").fetchall()
    base = bases["boards"]
    board = {(r[0], r[1].removeprefix(base), r[2]): r[3:] for r in rows}
    assert board[("boards", "/hdjl/xzxx/", "关于农村客运班线的问题")] == (
        "2026-05-06", None, "pending", "consult")
    assert board[("boards", "/hdjl/xzxx/", "关于城区路灯维修的建议")] == (
        "2026-03-02", "2026-03-10", "answered", "consult")
    assert board[("boards", "/art/2026/6/15/art_31_502.html", "关于公积金提取的咨询")] == (
        "2026-06-15", "2026-08-01", "answered", "consult")
    assert board[("boards", "/hdjl/wsxf/", "关于征地补偿的反映")][-1] == "petition"
    assert {r[0] for r in rows if r[-1] == "consult"} == {"boards"}
    # the table's four, the list's three and the two answers read on their own pages
    assert len([r for r in rows if r[0] == "boards" and r[-1] == "consult"]) == 9


def test_boards_are_interaction_columns_and_never_blank(scanned):
    """县长信箱 and 网上信访 list messages in tables without links (no dated items): they
    hold content all the same, so 空白栏目 does not report them."""
    bases, _, db = scanned
    conn = sqlite3.connect(db)
    classes = {(site, url.removeprefix(bases[site])): (cls, items) for site, url, cls, items
               in conn.execute("select site_id, url, class, item_count from columns")}
    assert classes[("boards", "/hdjl/xzxx/")] == ("interaction", 0)
    assert classes[("nochannel", "/hdjl/wsxf/")] == ("interaction", 0)
    empty = conn.execute("select count(*) from findings where rule_id = 'column.empty'")
    assert empty.fetchone()[0] == 0


def test_one_message_unanswered_over_three_months_vetoes(findings):
    """Only 关于农村客运班线的问题 (2026-05-06): not the recent ones, not the one answered on
    its own page, not the one of 2025-08-01 (outside 12 months), not the 信访 one."""
    (found,) = findings[("boards", "interaction.unanswered_veto")]
    assert found["path"] == "/hdjl/xzxx/"
    assert found["detail"].startswith("近12个月内有 1 条留言超过3个月未回复")
    assert "关于农村客运班线的问题" in found["evidence"]
    assert "公积金" not in found["evidence"] and "征地" not in found["evidence"]
    assert not paths(findings, "nochannel", "interaction.unanswered_veto")


def test_a_site_whose_only_consultation_entries_are_broken_has_no_channel(findings):
    (found,) = findings[("nochannel", "interaction.no_channel_veto")]
    assert "2 个咨询入口均无法打开" in found["detail"]
    assert "【县长信箱】" in found["evidence"] and "【在线咨询】" in found["evidence"]
    assert "信访" not in found["evidence"]
    assert not paths(findings, "boards", "interaction.no_channel_veto")


def test_a_site_without_any_consultation_entry_has_no_channel(findings):
    (found,) = findings[("silent", "interaction.no_channel_veto")]
    assert found["path"] == "/"  # the site itself
    assert found["detail"] == "未发现政务咨询渠道（领导信箱、在线咨询、留言等）"
    assert not paths(findings, "silent", "interaction.unanswered_veto")


def test_interpretations_not_linked_both_ways(findings):
    found = {f["path"]: f["detail"]
             for f in findings[("boards", "policy.interpretation_unlinked")]}
    assert set(found) == {ONE_WAY, NO_LINK}
    assert found[ONE_WAY].endswith("政策文件未链接解读")
    assert found[NO_LINK].endswith("解读页面未链接政策文件，政策文件未链接解读")
    assert "「青川县人民政府关于印发《青川县城市燃气安全管理办法》的通知」" in found[NO_LINK]


def test_an_interpretation_late_across_national_day(findings):
    (found,) = findings[("boards", "policy.interpretation_late")]
    assert found["path"] == LATE
    assert "相隔 5 个工作日，超过 3 个工作日" in found["detail"]
    assert BOTH_WAYS not in paths(findings, "boards", "policy.interpretation_unlinked")


def test_one_late_publicity_decision(findings):
    (found,) = findings[("boards", "publicity.late")]
    assert found["path"] == "/sgs/"
    assert found["detail"] == "1 项双公示信息超过 7 个工作日才公示"
    assert "超限运输" in found["evidence"] and "相隔 9 个工作日" in found["evidence"]
    assert "餐饮店" not in found["evidence"] and "诊所" not in found["evidence"]


def test_the_two_interpretation_rules_pair_the_pages_once(scanned, monkeypatch):
    """Both 解读 rules judge the same pairs: the scan's pages are paired once per evaluation
    (ScanView.shared), and the findings are those of pairing for each rule."""
    from govwatch.rules.checks import interpretation

    _, rows, db = scanned
    calls = []
    original = interpretation.pair
    monkeypatch.setattr(interpretation, "pair",
                        lambda *args: calls.append(args) or original(*args))
    scan_id = open_db(db).execute("select max(id) from scans").fetchone()[0]
    evaluate_scan(db, scan_id)
    again = [r for r in store.findings_of(open_db(db), scan_id) if r["rule"] in RULES]
    assert len(calls) == 1
    key = ("rule", "url", "detail")
    assert sorted(tuple(r[k] for k in key) for r in again) == \
        sorted(tuple(r[k] for k in key) for r in rows)
