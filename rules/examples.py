"""Run the ``examples`` of rules: inputs that must (``fail``) or must not (``pass``) trigger.

Each check knows how to judge one example input (``example`` in its registration, using the
same predicate its evaluation uses): text for ``pattern``, an identifier value for
``footer_fact``, a mapping of dates for the freshness and deadline checks. Behind
``govwatch rules test``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from govwatch.rules.model import Example, Rule
from govwatch.rules.registry import registered


@dataclass(frozen=True)
class ExampleResult:
    """The outcome of one example of one rule."""

    rule: Rule
    example: Example
    triggered: bool | None  # None when the example could not be judged
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.triggered is not None and self.triggered == self.example.must_trigger

    def row(self) -> dict[str, object]:
        """A line of the ``rules test`` report."""
        expected = "fail" if self.example.must_trigger else "pass"
        if self.triggered is None:
            outcome = f"error: {self.error}"
        else:
            outcome = "ok" if self.ok else ("did not trigger" if expected == "fail" else
                                            "triggered")
        return {"where": f"{self.rule.path}:{self.example.line}", "rule": self.rule.id,
                "expect": expected, "input": _short(self.example.value), "result": outcome}


def _short(value: object, most: int = 40) -> str:
    text = str(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def run_examples(rules: Iterable[Rule]) -> list[ExampleResult]:
    """Judge every example of *rules*; a malformed example is a failed result, not a crash."""
    checks = registered()
    results = []
    for rule in rules:
        judge = checks[rule.check].example
        for example in rule.examples:
            if judge is None:
                results.append(ExampleResult(rule, example, None,
                                             f"check {rule.check} takes no examples"))
                continue
            try:
                results.append(ExampleResult(rule, example, bool(judge(rule, example.value))))
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                results.append(ExampleResult(rule, example, None,
                                             f"bad example ({type(error).__name__}: {error})"))
    return results
