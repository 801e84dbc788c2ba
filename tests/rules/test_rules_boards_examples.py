"""The examples of the board, 解读 and 双公示 rules (gov-2019 and the example office pack)
judge as written: what ``govwatch rules test`` runs."""

from __future__ import annotations

from pathlib import Path

from govwatch.rules.catalogue import load_catalogue
from govwatch.rules.examples import run_examples

OFFICE_PACK = Path(__file__).parents[2] / "rules" / "packs" / "examples" / "office-timeliness.yaml"
CHECKS = {"messages_unanswered", "consultation_channel", "interpretation", "decision_delay"}


def test_every_rule_of_the_new_checks_has_failing_and_passing_examples_that_hold():
    rules = [r for r in load_catalogue([OFFICE_PACK]).rules if r.check in CHECKS]
    assert {r.id for r in rules} == {
        "interaction.unanswered_veto", "interaction.no_channel_veto",
        "policy.interpretation_unlinked", "policy.interpretation_late", "publicity.late",
        "interaction.answer_within_month", "publicity.late_5_working_days"}
    for rule in rules:
        assert {e.must_trigger for e in rule.examples} == {True, False}, rule.id
    results = run_examples(rules)
    assert [r.row() for r in results if not r.ok] == []
    assert len(results) == 7 + 6 + 4 + 5 + 5 + 4 + 3  # as written in the two packs
