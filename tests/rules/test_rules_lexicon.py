"""The lexicon matcher, its exceptions, homophones and `since`, and lexicon files' errors."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from govwatch.rules.catalogue import load_catalogue
from govwatch.rules.checks.lexicon import PageJudge, _Dates, _Found
from govwatch.rules.lexicon import (
    HOMOPHONES_PER_CHARACTER,
    Entry,
    Exceptions,
    LexiconError,
    Matcher,
    builtin_lexicon_paths,
    excused,
    homophone_variants,
    load_lexicon,
)
from govwatch.rules.model import RuleError

AGENCY = Entry(("国家旅游局",), "文化和旅游部", "outdated_name", since=date(2018, 3, 17))
HEALTH = Entry(("国家卫生和计划生育委员会",), "国家卫生健康委员会", "outdated_name")
LOCAL_HEALTH = Entry(("卫生和计划生育委员会",), "卫生健康委员会", "outdated_name")


def found(matcher: Matcher, text: str) -> list[tuple[str, int]]:
    return [(m.term, m.start) for m in matcher.find(text)]


def test_every_entry_is_found_in_one_pass_and_a_contained_match_once():
    matcher = Matcher([AGENCY, HEALTH, LOCAL_HEALTH])
    text = "国家旅游局和国家卫生和计划生育委员会联合发文，县卫生和计划生育委员会转发。"
    assert found(matcher, text) == [("国家旅游局", 0), ("国家卫生和计划生育委员会", 6),
                                    ("卫生和计划生育委员会", text.index("县卫生") + 1)]
    assert matcher.find("文化和旅游部") == []


def test_a_wrong_form_inside_its_right_form_is_never_reported():
    entry = Entry(("旅游局",), "文化和旅游局", "outdated_name")
    text = "县文化和旅游局；县旅游局"
    kept = [m.start for m in Matcher([entry]).find(text) if not excused(text, m, Exceptions())]
    assert kept == [text.index("县旅游局") + 1]


@pytest.mark.parametrize(("text", "exceptions", "excuses"), [
    ("原国家旅游局的职责", Exceptions(before=("原",)), True),
    ("原宁远县国家旅游局", Exceptions(before=("原",)), True),       # a place name between
    ("国家旅游局的职责", Exceptions(before=("原",)), False),
    ("原则上国家旅游局", Exceptions(before=("原",)), False),
    ("国家旅游局门户", Exceptions(after=("门",)), True),
    ("国家旅游局发文", Exceptions(after=("门",)), False),
    ("见国家旅游局令第1号", Exceptions(contexts=("国家旅游局令",)), True),
    ("本局前身为国家旅游局，负责全国旅游工作", Exceptions(sentence=("前身",)), True),
    ("本局前身为县外事办。国家旅游局发文", Exceptions(sentence=("前身",)), False),
    ("转发《国家旅游局关于做好假期工作的通知》", Exceptions(quoted=True), True),
    ("他说“国家旅游局已经发文”。", Exceptions(quoted=True), True),
    ("转发《通知》，国家旅游局发文", Exceptions(quoted=True), False),
    ("转发《国家旅游局关于做好假期工作的通知》", Exceptions(quoted=False), False),
])
def test_exceptions(text, exceptions, excuses):
    (match,) = Matcher([AGENCY]).find(text)
    assert excused(text, match, exceptions) is excuses


def test_exceptions_add_up_and_the_nearest_quoted_wins():
    rule = Exceptions(before=("原",), quoted=True)
    entry = Exceptions(after=("门",), quoted=False)
    merged = entry.under(rule)
    assert merged == Exceptions(before=("原",), after=("门",), quoted=False)
    assert Exceptions(after=("门",)).under(rule).quoted is True


def test_homophones_are_bounded_same_sound_and_never_a_right_form():
    variants = homophone_variants("习近平")
    assert {"习近苹", "习进平", "席近平"} <= set(variants)
    assert "习近平" not in variants
    assert len(variants) <= HOMOPHONES_PER_CHARACTER * 3
    assert "习近病" not in variants   # 病 is bìng: another sound
    name = Entry((), "李明", "leader_name", homophones=True)
    other = Entry(("李铭铭",), "李名", "leader_name")   # 名 sounds like 明, but is a right form
    matcher = Matcher([name, other])
    assert "李名" in homophone_variants("李明") and "李名" not in matcher.terms
    assert [m.term for m in matcher.find("李鸣、李明、李名")] == ["李鸣"]
    assert matcher.find("李鸣")[0].homophone


def judge(text: str, day: str | None, rule_id: str, listed=()) -> list[str]:
    """The details the rule *rule_id* of gov-2019 reports on one page."""
    rule = load_catalogue().rule(rule_id)
    page = PageJudge([(rule, frozenset({"s"}))])
    into: dict[int, _Found] = {}
    page.find("text", "s", text, day, into)
    dates = _Dates(listed={"u": list(listed)})
    return [hit.detail for _, hit in page.hits("u", into, dates)]


def test_since_judges_by_the_page_date_and_an_undated_page_is_judged():
    text = "根据国家旅游局有关要求"
    assert judge(text, "2017-05-10", "content.outdated_name") == []
    assert judge(text, "2018-03-16", "content.outdated_name") == []
    assert judge(text, "2018-03-17", "content.outdated_name") != []
    assert judge(text, None, "content.outdated_name") != []


def test_since_on_a_list_page_judges_by_the_date_of_the_item_that_shows_the_word():
    text = "新闻动态 国家旅游局发布五一假期旅游安全提示 2017-05-10 县召开会议 2026-11-20"
    listed = [("国家旅游局发布五一假期旅游安全提示", "2017-05-10"), ("县召开会议", "2026-11-20")]
    assert judge(text, None, "content.outdated_name", listed) == []
    cut = "新闻动态 关于转发国家旅游局… 2025-05-10"   # the list cuts the title after the word
    assert judge(cut, None, "content.outdated_name",
                 [("关于转发国家旅游局通知的通知", "2025-05-10")]) != []
    assert judge(cut, None, "content.outdated_name",
                 [("关于转发国家旅游局通知的通知", "2017-05-10")]) == []


def test_each_rule_reports_only_its_categories():
    text = "要再接再励。与南朝鲜客商洽谈。根据国家旅游局要求。"
    assert judge(text, "2025-01-01", "content.typo") == ["页面正文出现错别字 1 处：【再接再励】应为：再接再厉"]
    assert judge(text, "2025-01-01", "content.serious_error") == [
        "页面正文出现国家和地区名称错误 1 处：【南朝鲜】应为：韩国"]
    assert len(judge(text, "2025-01-01", "content.outdated_name")) == 1


def test_the_builtin_lists_load_and_no_right_form_is_itself_listed_wrong():
    lexicons = [load_lexicon(p) for p in builtin_lexicon_paths()]
    assert {lex.name for lex in lexicons} == {"agencies", "country-region", "state-names",
                                             "typos"}
    entries = [e for lex in lexicons for e in lex.entries]
    wrong = {w for e in entries for w in e.wrong}
    assert len(entries) > 150
    # a right form that another entry calls wrong would flag the fix itself
    assert not [e.right for e in entries if e.right in wrong]
    matcher = Matcher(entries)
    assert not [e.right for e in entries if any(m.term == e.right for m in matcher.find(e.right))]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "own.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "message"), [
    ("lexicon: own\nentries:\n  - {wrong: 甲, right: 乙, category: typo}\n  - {wrong: 丙}\n",
     4, "entry: 'right' must be a non-empty string"),
    ("lexicon: own\nentries:\n  - {wrong: 甲, right: 乙}\n", 3, "entry: category must match"),
    ("lexicon: own\nentries:\n  - {wrong: 甲, right: 乙, category: typo, since: soon}\n", 3,
     "since must be a date"),
    ("lexicon: own\nentries:\n  - {right: 乙, category: typo}\n", 3, "entry: missing 'wrong'"),
    ("lexicon: own\nentries:\n  - {wrong: 甲, right: 乙, category: typo,\n     exceptions: {befor: [原]}}\n",
     4, "exceptions: unknown key 'befor'"),
    ("lexicon: own\nentries:\n  - {wrong: 甲, right: 乙, category: typo, colour: red}\n", 3,
     "entry: unknown key 'colour'"),
    ("lexicon: own\nentries:\n  - {wrong: 甲, right: 乙\n", 4, "YAML error"),
    ("lexicon: Own Words\nentries: []\n", 1, "lexicon name must match"),
])
def test_a_broken_lexicon_names_its_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(LexiconError) as error:
        load_lexicon(path)
    assert str(error.value).startswith(f"{path}:{line}: {message}")


def rule_pack(tmp_path: Path, params: str) -> Path:
    pack = tmp_path / "pack.yaml"
    pack.write_text(textwrap.dedent("""\
        pack: own
        version: "1"
        rules:
          - id: own.words
            title: 本地用词
            severity: advisory
            check: lexicon
            params:
        """) + textwrap.indent(textwrap.dedent(params), "      "), encoding="utf-8")
    return pack


def test_a_pack_naming_a_broken_lexicon_fails_to_load_at_the_lexicon_line(tmp_path):
    write(tmp_path, "lexicon: own\nentries:\n  - {wrong: 甲, right: 甲, category: typo}\n")
    pack = rule_pack(tmp_path, "{categories: [typo], builtin: false, lists: [own.yaml]}\n")
    with pytest.raises(RuleError) as error:
        load_catalogue([pack])
    assert str(error.value) == (f"{tmp_path / 'own.yaml'}:3: rule own.words: entry: the "
                                "wrong form '甲' is its own right form")


def test_since_may_be_a_year(tmp_path):
    path = write(tmp_path, "lexicon: own\nentries:\n  - {wrong: 甲乙, right: 丙丁, category: typo, since: 2019}\n")
    assert load_lexicon(path).entries[0].since == date(2019, 1, 1)


def test_a_site_adds_its_own_list_and_undated_pages_take_the_date_a_list_gives_them(tmp_path):
    """Through a stored scan: a per-site override of `lists` reads an office's leaders for
    site a alone; an article page without a date of its own is judged by its list's date."""
    from support.scanbuilder import ScanBuilder, home_url

    from govwatch.rules.catalogue import SiteRules

    leaders = write(tmp_path, "lexicon: a-leaders\nentries:\n"
                              "  - {right: 王建国, category: leader_name, homophones: true}\n")
    scan = ScanBuilder(tmp_path / "g.db", sites=("a", "b"))
    for site in ("a", "b"):
        scan.page(site, f"{home_url(site)}n/1.html", title="县长王健国出席会议",
                  text="县长王健国出席会议，要求全体干部再接再励。")
        column = scan.column(site, "工作动态", "news", ["2017-05-10"],
                             titles=["国家旅游局发布提示"])
        scan.page(site, f"{column}0.html", title="国家旅游局发布提示", text="国家旅游局发布提示")
    overrides = {"a": SiteRules(params={"content.serious_error": {"lists": [str(leaders)]}})}
    found = {(f.site_id, f.rule_id, f.subject_url.removeprefix(home_url(f.site_id)))
             for f in scan.findings(overrides=overrides) if f.rule_id.startswith("content.")}
    assert found == {("a", "content.serious_error", "n/1.html"),
                     ("a", "content.typo", "n/1.html"), ("b", "content.typo", "n/1.html")}


def test_a_rules_exceptions_apply_to_every_entry_it_reports(tmp_path):
    pack = rule_pack(tmp_path, """\
        categories: [outdated_name]
        exceptions: {before: [省]}
        """)
    rule = load_catalogue([pack]).rule("own.words")
    page = PageJudge([(rule, frozenset({"s"}))])
    into: dict[int, _Found] = {}
    page.find("text", "s", "省国家旅游局", "2025-01-01", into)
    assert into == {}
    page.find("text", "s", "市国家旅游局", "2025-01-01", into)
    assert list(into) == [0]


def test_a_bad_rule_exceptions_param_names_its_line(tmp_path):
    pack = rule_pack(tmp_path, """\
        categories: [outdated_name]
        exceptions: {before: 原}
        """)
    with pytest.raises(RuleError) as error:
        load_catalogue([pack])
    assert str(error.value) == (f"{pack}:10: rule own.words: param exceptions: "
                                "exceptions.before must be a list of strings, not '原'")
