"""The ``count_at_least`` check: a site-level finding when another rule's findings reach N.

Params:

- ``rule``: the id of the rule whose findings are counted (any loaded pack; it runs first);
- ``at_least``: N, the count that raises the finding (the 2019 veto items use 5);
- ``where``: optional ``{fact: [values]}``; only findings whose facts match every entry
  count (``column.stale`` findings carry ``class``, so the veto can count news and
  notice/policy columns only).

Findings are counted per site, after that site's own overrides of the counted rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from govwatch.rules.model import Finding, Hit, Rule, evidence_list
from govwatch.rules.params import Integer, ListOf, MapOf, Param, Text
from govwatch.rules.registry import CheckKind, check

_EVIDENCE_SUBJECTS = 10


def counts(rule: Rule, facts: Mapping[str, Any]) -> bool:
    """Whether a finding with these *facts* is one *rule* counts."""
    return all(facts.get(name) in allowed for name, allowed in rule.params["where"].items())


def _example(rule: Rule, value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return value >= rule.params["at_least"]
    if not isinstance(value, list):
        raise ValueError("a count_at_least example is a count or a list of finding facts")
    return sum(counts(rule, facts) for facts in value) >= rule.params["at_least"]


@check(
    "count_at_least", kind=CheckKind.AGGREGATE, example=_example,
    params={
        "rule": Param(Text()),
        "at_least": Param(Integer(1)),
        "where": Param(MapOf(Text(), ListOf(Text())), required=False, default={}),
    },
)
def count_at_least(rule: Rule, findings: Sequence[Finding]) -> Iterator[Hit]:
    """A site where another rule's (matching) findings reach a count."""
    by_site: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if counts(rule, finding.facts):
            by_site[finding.site_id].append(finding)
    for site, mine in sorted(by_site.items()):
        if len(mine) < rule.params["at_least"]:
            continue
        yield Hit(site, detail=f"{len(mine)} 项「{mine[0].title}」（{rule.params['rule']}），"
                               f"达到 {rule.params['at_least']} 项",
                  evidence=evidence_list(sorted(f.subject_url for f in mine),
                                         _EVIDENCE_SUBJECTS),
                  facts={"count": len(mine)})
