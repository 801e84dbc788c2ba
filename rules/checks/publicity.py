"""The ``decision_delay`` check: 双公示 decisions (行政许可, 行政处罚) published too long after
they were made, from the decisions the crawl read (the ``decisions`` view,
crawler/pages/boards.py).

Params: ``working_days`` (7: the decision's day not counted, official holidays and 调休
from :mod:`govwatch.core.workdays`), ``kinds`` (``permit``, ``penalty``; a decision whose
page does not say which is judged too). A decision read on its list and on its own page is
one decision, its earliest publication date counts. A finding is one list page (or detail
page) with the late decisions it shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from govwatch.core.workdays import working_days_between
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, Integer, ListOf, Param, as_date
from govwatch.rules.registry import check
from govwatch.rules.scanview import ScanView

KINDS = ("permit", "penalty")
_KIND_LABELS = {"permit": "行政许可", "penalty": "行政处罚"}
_SHOWN = 5


def late_by(rule: Rule, decided: date | None, published: date | None) -> int | None:
    """Working days from decision to publication when more than the rule allows."""
    if decided is None or published is None:
        return None
    took, _ = working_days_between(decided, published)
    return took if took > rule.params["working_days"] else None


def _example(rule: Rule, value: Mapping[str, Any]) -> bool:
    """``{decided, published, kind}``."""
    kind = value.get("kind")
    return (kind is None or kind in rule.params["kinds"]) and late_by(
        rule, as_date(value["decided"]), as_date(value["published"])) is not None


@check(
    "decision_delay", example=_example,
    params={
        "working_days": Param(Integer()),
        "kinds": Param(ListOf(Choice(KINDS)), required=False, default=KINDS),
    },
)
def decision_delay(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A 双公示 decision published more than the allowed working days after it was made."""
    decisions: dict[tuple[str, str], dict[str, Any]] = {}
    for row in scan.rows("select site_id, page_url, url, title, kind, decided, published "
                         "from decisions where scan_id = :scan order by site_id, page_url, url",
                         {}):
        if row["kind"] is not None and row["kind"] not in rule.params["kinds"]:
            continue
        key = (row["site_id"], row["url"])
        published = as_date(row["published"])
        seen = decisions.setdefault(key, {**dict(row), "published": published,
                                          "decided": as_date(row["decided"])})
        if published and (seen["published"] is None or published < seen["published"]):
            seen["published"] = published
        seen["decided"] = seen["decided"] or as_date(row["decided"])
    by_page: dict[tuple[str, str], list[tuple[dict[str, Any], int]]] = {}
    for (site, _), d in decisions.items():
        took = late_by(rule, d["decided"], d["published"])
        if took is not None:
            by_page.setdefault((site, d["page_url"]), []).append((d, took))
    limit = rule.params["working_days"]
    for (site, page), late in sorted(by_page.items()):
        detail = f"{len(late)} 项双公示信息超过 {limit} 个工作日才公示"
        evidence = "；".join(
            f"{_KIND_LABELS.get(d['kind'] or '', '')}《{d['title'] or d['url']}》决定 "
            f"{d['decided']}，公示 {d['published']}，相隔 {took} 个工作日"
            for d, took in late[:_SHOWN])
        yield Hit(site, page, detail=detail, evidence=evidence)
