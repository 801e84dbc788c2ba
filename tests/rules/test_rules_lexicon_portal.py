"""The content.* rules over a real scan of the lexicon fixture portal (tests/portals/lexicon/).

The portal is written by hand: each article carries one case, so the findings expected here
are read from its text and dates, never from a run. Scan date 2026-11-24. An office's own
pack adds a list of its leaders' names, as an office would, in YAML alone.
"""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner
from support.portals import PORTALS, scan, write_sites

from govwatch.cli import cli
from govwatch.core.schema import open_db
from govwatch.demo.server import PortalServer
from govwatch.rules import store
from govwatch.rules.engine import evaluate_scan

ARTICLE_2025 = "/xwdt/202507/t20250701_106.html"  # 根据国家旅游局有关要求 (2025)
ARTICLE_2017 = "/xwdt/201705/t20170510_107.html"  # 国家旅游局 in title and text (2017)
EXCEPTIONS = "/xwdt/202610/t20261015_102.html"  # 原…, 农业部门, 《国土资源部…》, 前身为
TYPO = "/xwdt/202609/t20260901_103.html"  # 再接再励; 王健国 (the office's 王建国)
HOMOPHONE = "/xwdt/202608/t20260820_104.html"  # 习近苹; 王建国 written right
COUNTRY = "/xwdt/202607/t20260710_105.html"  # 南朝鲜; 所谓“台湾国” (quoted)

OFFICE_PACK = """\
pack: ningyuan
version: "1"
title: 宁远县自定义内容规则
rules:
  - id: content.local_leader_name
    title: 严重表述错误（本县领导姓名）
    severity: veto
    check: lexicon
    params:
      categories: [leader_name]
      builtin: false
      lists: [leaders.yaml]
"""
OFFICE_LEXICON = """\
lexicon: ningyuan-leaders
source: 宁远县人民政府领导分工
entries:
  - {right: 王建国, category: leader_name, homophones: true, note: 县长}
"""


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[str, list[dict]]:
    """(the portal's URL, the findings of its scan with the office's pack)."""
    work = tmp_path_factory.mktemp("lexicon")
    (work / "office.yaml").write_text(OFFICE_PACK, encoding="utf-8")
    (work / "leaders.yaml").write_text(OFFICE_LEXICON, encoding="utf-8")
    with PortalServer(PORTALS / "lexicon") as server:
        outcome = scan(write_sites(work / "sites.yaml", {"lexicon": server}), work / "db")
        base = server.url.rstrip("/")
    evaluate_scan(work / "db", outcome.scan_id, packs=[work / "office.yaml"])
    rows = store.findings_of(open_db(work / "db"), outcome.scan_id)
    return base, [r for r in rows if r["rule"].startswith("content.")]


@pytest.fixture(scope="module")
def findings(scanned) -> dict[str, set[str]]:
    """rule id -> paths of the pages it reported on the lexicon portal."""
    base, rows = scanned
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row["rule"], set()).add(row["url"].removeprefix(base))
    return out


def test_a_renamed_agency_is_reported_only_after_the_reform(findings):
    """国家旅游局 in a 2025 article is found; in a 2017 article, its title in the list of
    新闻动态 (dated 2017 there) and the exceptions' page, it is not."""
    assert findings["content.outdated_name"] == {ARTICLE_2025}


def test_serious_errors_homophone_and_country_name(findings):
    """习近苹 (a homophone of a listed name) and 南朝鲜 are vetoes; 所谓“台湾国” is not."""
    assert findings["content.serious_error"] == {HOMOPHONE, COUNTRY}


def test_typo(findings):
    assert findings["content.typo"] == {TYPO}


def test_an_office_list_of_its_own_leaders(findings):
    """王健国 for the listed 王建国 is found; 王建国 itself, on another page, is not."""
    assert findings["content.local_leader_name"] == {TYPO}


def test_details_name_the_word_and_the_right_form(scanned):
    rows = {r["rule"]: r for r in scanned[1]}
    outdated = rows["content.outdated_name"]
    assert "【国家旅游局】应为：文化和旅游部" in outdated["detail"]
    assert "根据【国家旅游局】有关要求" in outdated["evidence"]
    assert "应为：文化和旅游部" in outdated["evidence"]
    assert "（同音误写）" in rows["content.local_leader_name"]["detail"]


def test_a_broken_office_lexicon_is_one_error_line(tmp_path):
    """A lexicon entry without its right form: the error names the lexicon file and the
    entry's line."""
    (tmp_path / "office.yaml").write_text(OFFICE_PACK, encoding="utf-8")
    (tmp_path / "leaders.yaml").write_text(textwrap.dedent("""\
        lexicon: ningyuan-leaders
        entries:
          - {right: 王建国, category: leader_name, homophones: true}
          - {wrong: 王建过, category: leader_name}
        """), encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", str(tmp_path / "office.yaml")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0] == (f"error: {tmp_path / 'leaders.yaml'}:4: rule content.local_leader_name: "
                        "entry: 'right' must be a non-empty string, not None")
