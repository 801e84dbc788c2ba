"""Loading and validating rule packs (rules.packfile, rules.catalogue): every bad pack names
file, line and rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from govwatch.rules.catalogue import SiteRules, check_pack_files, load_catalogue
from govwatch.rules.examples import run_examples
from govwatch.rules.model import RuleError
from govwatch.rules.packfile import load_pack
from govwatch.rules.registry import registered

GOV_2019_IDS = [
    "site.unreachable", "homepage.stale", "column.stale", "column.stale_veto", "column.empty",
    "column.empty_veto", "annual_report.missing", "annual_report.late", "link.broken",
    "footer.icp", "footer.psb", "footer.site_code", "footer.conac", "footer.jiucuo",
    "footer.format", "footer.mismatch",
    "privacy.id_number",
]
EXAMPLE_PACK = Path(__file__).parents[2] / "rules" / "packs" / "examples" / "renamed-agencies.yaml"

HEAD = "pack: test\nversion: '1'\nrules:\n"
GOOD_RULE = """\
  - id: t.fresh
    title: 首页不更新
    severity: deduction
    points: 1
    check: homepage_freshness
    params:
      window: 14d
"""


def write(tmp_path: Path, body: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(path: Path) -> RuleError:
    with pytest.raises(RuleError) as caught:
        load_catalogue([path])
    return caught.value


def test_the_builtin_pack_has_the_contracted_rule_ids():
    catalogue = load_catalogue()
    assert [p.name for p in catalogue.packs] == ["gov-2019"]
    ids = [r.id for r in catalogue.rules]
    assert [i for i in ids if i in GOV_2019_IDS] == GOV_2019_IDS  # all there, in this order
    assert all(r.pack_version == "1.0" for r in catalogue.rules)


def test_a_rule_keeps_its_file_line_and_converted_params(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE)
    rule = load_pack(path).rules[0]
    assert (rule.path, rule.line, rule.check) == (path, 4, "homepage_freshness")
    assert str(rule.params["window"]) == "14d"
    assert rule.params["navigation_fallback"] is True  # an optional param's default


@pytest.mark.parametrize(
    ("body", "line", "rule", "message"),
    [
        (GOOD_RULE.replace("homepage_freshness", "homepage_freshnes"), 8, "t.fresh",
         "unknown check 'homepage_freshnes'"),
        (GOOD_RULE.replace("      window: 14d\n", "      navigation_fallback: true\n"), 10,
         "t.fresh", "missing param 'window'"),
        (GOOD_RULE.replace("window: 14d", "window: 14 days"), 10, "t.fresh",
         "param window: must be a window such as 14d"),
        (GOOD_RULE.replace("window: 14d", "window: 14d\n      windw: 2w"), 11, "t.fresh",
         "unknown param 'windw'"),
        (GOOD_RULE.replace("points: 1", "points: many"), 7, "t.fresh",
         "points must be a number >= 0"),
        (GOOD_RULE.replace("severity: deduction", "severity: fatal"), 6, "t.fresh",
         "severity must be one of veto, deduction, advisory"),
        (GOOD_RULE.replace("    params:", "    parms:"), 9, "t.fresh", "unknown key 'parms'"),
        (GOOD_RULE + GOOD_RULE.replace("首页不更新", "重复"), 11, "t.fresh",
         "duplicate rule id (first at line 4)"),
        (GOOD_RULE.replace("    title: 首页不更新\n", ""), 4, "t.fresh", "missing 'title'"),
        (GOOD_RULE.replace("id: t.fresh", "id: T Fresh"), 4, None, "rule id must match"),
    ],
    ids=["unknown-check", "missing-param", "wrong-type", "unknown-param", "points-type",
         "bad-severity", "unknown-key", "duplicate-id", "missing-title", "bad-id"],
)
def test_each_bad_rule_is_one_line_naming_file_line_and_rule(tmp_path, body, line, rule,
                                                              message):
    path = write(tmp_path, HEAD + body)
    error = error_of(path)
    who = f"rule {rule}: " if rule else ""
    assert str(error).startswith(f"{path}:{line}: {who}"), str(error)
    assert message in str(error)
    assert "\n" not in str(error)


def test_a_bad_regex_names_the_line_of_the_param(tmp_path):
    path = write(tmp_path, HEAD + """\
  - id: t.word
    title: 禁用词
    severity: advisory
    check: pattern
    params:
      scope: text
      must_not_match: '国家旅游局('
""")
    error = error_of(path)
    assert str(error).startswith(f"{path}:10: rule t.word: param must_not_match: bad regular "
                                 "expression '国家旅游局(': missing ), unterminated subpattern")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{scope: text, must_match: a, must_not_match: b}",
         "give exactly one of must_match and must_not_match"),
        ("{scope: text}", "give exactly one of must_match and must_not_match"),
        ("{scope: body, must_match: a}", "param scope: must be one of text, title, footer"),
        ("{scope: text, must_match: a, validator: id_number}", "validator needs must_not_match"),
        ("{scope: text, must_not_match: a, validator: passport}",
         "param validator: must be one of id_number"),
    ],
)
def test_pattern_params_are_checked_together(tmp_path, params, message):
    path = write(tmp_path, HEAD + f"""\
  - id: t.p
    title: 模式
    severity: advisory
    check: pattern
    params: {params}
""")
    error = error_of(path)
    assert str(error).startswith(f"{path}:8: rule t.p: ") and message in str(error)


def test_a_home_page_pattern_cannot_be_narrowed_to_column_classes(tmp_path):
    path = write(tmp_path, HEAD + """\
  - id: t.p
    title: 模式
    severity: advisory
    check: pattern
    params: {scope: text, pages: home, must_match: a}
    applies_to: {column_classes: [news]}
""")
    assert "pages: home cannot be combined with applies_to.column_classes" in str(error_of(path))


def test_a_deadline_regex_needs_a_year_group_and_a_real_month_day(tmp_path):
    rule = """\
  - id: t.report
    title: 年报
    severity: deduction
    check: deadline_document
    params:
      title_regex: '{regex}'
      due: "{due}"
      raise_when: missing
"""
    path = write(tmp_path, HEAD + rule.format(regex=r"\d{4}年年度报告", due="01-31"))
    assert "needs a named group (?P<year>...)" in str(error_of(path))
    path = write(tmp_path, HEAD + rule.format(regex=r"(?P<year>\d{4})年", due="02-30"))
    assert str(error_of(path)).startswith(f"{path}:10: rule t.report: param due: '02-30' is "
                                          "not a day of the year")


def test_count_at_least_must_name_a_loaded_rule_and_never_a_cycle(tmp_path):
    counting = """\
  - id: t.{me}
    title: 计数
    severity: veto
    check: count_at_least
    params:
      rule: {counted}
      at_least: 5
"""
    path = write(tmp_path, HEAD + counting.format(me="a", counted="column.stal"))
    assert str(error_of(path)).startswith(
        f"{path}:9: rule t.a: param rule: no rule 'column.stal' is loaded")
    path = write(tmp_path, HEAD + counting.format(me="a", counted="t.b")
                 + counting.format(me="b", counted="t.a"))
    assert "count cycle among rules t.a, t.b" in str(error_of(path))
    path = write(tmp_path, HEAD + counting.format(me="a", counted="column.stale"))
    assert load_catalogue([path]).rule("t.a").params["rule"] == "column.stale"


def test_a_rule_id_already_in_another_pack_is_a_duplicate(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE.replace("t.fresh", "homepage.stale"))
    error = error_of(path)
    assert str(error).startswith(f"{path}:4: rule homepage.stale: duplicate rule id (first at ")
    assert "gov-2019.yaml:" in str(error)


def test_applies_to_knows_the_column_classes(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE + "    applies_to: {column_classes: [newz]}\n")
    assert str(error_of(path)).startswith(f"{path}:11: rule t.fresh: unknown column class "
                                          "'newz'")


def test_yaml_problems_get_a_line_too(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE.replace("    points: 1\n", "   points: 1\n"))
    assert str(error_of(path)).startswith(f"{path}:7: YAML error")
    path = write(tmp_path, HEAD + GOOD_RULE.replace("    points: 1\n",
                                                    "    points: 1\n    points: 2\n"))
    assert str(error_of(path)).startswith(f"{path}:8: YAML error: duplicate key 'points'")
    assert str(error_of(tmp_path / "none.yaml")) == f"{tmp_path / 'none.yaml'}: file not found"


def test_pack_level_problems(tmp_path):
    assert "missing 'version'" in str(error_of(write(tmp_path, "pack: x\nrules: []\n")))
    assert "rules must be a non-empty list" in str(
        error_of(write(tmp_path, "pack: x\nversion: '1'\nrules: []\n")))
    assert "unknown key 'rule'" in str(error_of(write(tmp_path, "pack: x\nversion: 1\nrule: 2\n")))


def test_examples_must_be_lists_under_pass_and_fail(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE + "    examples: {pass: one}\n")
    assert str(error_of(path)).startswith(f"{path}:11: rule t.fresh: examples.pass must be a list")
    path = write(tmp_path, HEAD + GOOD_RULE + "    examples: {ok: [1]}\n")
    assert "unknown key 'ok'" in str(error_of(path))


def test_check_pack_files_reports_each_file(tmp_path):
    bad = write(tmp_path, HEAD + GOOD_RULE.replace("14d", "soon"), "bad.yaml")
    results = check_pack_files([EXAMPLE_PACK, bad])
    assert results[0][1].name == "renamed-agencies" and results[0][2] == ""
    assert results[1][1] is None and results[1][2].startswith(f"{bad}:10: rule t.fresh:")


def test_site_overrides_merge_params_and_switch_packs(tmp_path):
    catalogue = load_catalogue([EXAMPLE_PACK])
    overrides = {
        "b": SiteRules(params={"column.stale": {"windows": {"news": "30d"}}}),
        "c": SiteRules(packs={"gov-2019": False}),
    }
    runs = {(rule.id, sites): rule for rule, sites in catalogue.variants(["a", "b", "c"],
                                                                         overrides)}
    default = runs[("column.stale", frozenset({"a"}))].params["windows"]
    for_b = runs[("column.stale", frozenset({"b"}))].params["windows"]
    assert (str(default["news"]), str(for_b["news"])) == ("14d", "30d")
    assert str(for_b["notice-policy"]) == "6m"  # merged one level deep, not replaced
    assert ("text.renamed_agency.cnta", frozenset({"a", "b", "c"})) in runs
    assert not any(sites == frozenset({"c"}) or "c" in sites
                   for rule_id, sites in runs if rule_id.startswith("column."))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (SiteRules(params={"column.stal": {}}), "site b: unknown rule 'column.stal'"),
        (SiteRules(packs={"gov-2018": True}), "site b: unknown pack 'gov-2018'"),
        (SiteRules(params={"column.stale": {"windows": {"news": "soon"}}}),
         "rule column.stale: site b: param windows: must be a window"),
        # the lower and upper bounds the checks declare for their params
        (SiteRules(params={"site.availability": {"failure_percent": 100.5}}),
         "param failure_percent: must be a number from 0 to 100, not 100.5"),
        (SiteRules(params={"site.availability": {"failure_percent": -1}}),
         "param failure_percent: must be a number from 0 to 100, not -1"),
        (SiteRules(params={"site.availability": {"min_probes": 0}}),
         "param min_probes: must be an integer >= 1, not 0"),
        (SiteRules(params={"column.stale_veto": {"at_least": 0}}),
         "param at_least: must be an integer >= 1, not 0"),
    ],
)
def test_a_bad_override_is_a_rule_error(override, message):
    with pytest.raises(RuleError) as caught:
        load_catalogue().variants(["a", "b"], {"b": override})
    assert message in str(caught.value)


def test_every_example_of_the_shipped_packs_holds():
    rules = load_catalogue([EXAMPLE_PACK]).rules
    results = run_examples(rules)
    assert len(results) == sum(len(r.examples) for r in rules) > 40
    assert [r.row() for r in results if not r.ok] == []
    judged = {r.rule.check for r in results}
    assert judged == set(registered())  # every check has examples in the shipped packs


def test_every_check_declares_its_params_and_judges_examples():
    for name, check in registered().items():
        assert check.example is not None, name
        assert check.doc, name
