"""The ``link_status`` check: link targets whose check result is in given classes (错链断链).

Params: ``results``, the ``link_checks.result`` classes that are findings (such as
``[broken]``); ``kinds``, optionally, the link kinds looked at (page, document, image,
script, stylesheet, other; default all).

One finding per site and target: the subject is the target URL, the source the first page
(in URL order) carrying it, the evidence the pages carrying it. The detail says, in Chinese,
what the check found: the class, the reason (:attr:`CheckError.label`), the status code, and
for a soft 404 that was redirected, where the link lands. One SQL query joins
``link_checks`` to ``links``; while links are unchecked (``link_checks`` empty) it finds
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import groupby
from typing import Any

from govwatch.core.vocabulary import CheckError, LinkKind, LinkResult
from govwatch.rules.model import Hit, Rule, evidence_list
from govwatch.rules.params import Choice, ListOf, Param
from govwatch.rules.registry import check
from govwatch.rules.scanview import ScanView, in_list

_EVIDENCE_PAGES = 5


def _example(rule: Rule, value: Mapping[str, Any]) -> bool:
    kinds = rule.params["kinds"]
    return value["result"] in rule.params["results"] and (
        not kinds or value.get("kind", "page") in kinds)


@check(
    "link_status", example=_example,
    params={
        "results": Param(ListOf(Choice(tuple(LinkResult)))),
        "kinds": Param(ListOf(Choice(tuple(LinkKind))), required=False, default=()),
    },
)
def link_status(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """Link targets whose check result is one of the given classes."""
    results, params = in_list("r", rule.params["results"])
    kinds, kind_params = in_list("k", rule.params["kinds"])
    kind_filter = f"and l.kind in ({kinds})" if kinds else ""
    # Driven from the (few) checked targets in those classes: CROSS JOIN keeps that order.
    sql = f"""
        select * from (
            select l.site_id, c.target_url, c.result, c.status_code, c.error, c.final_url,
                   l.source_url,
                   row_number() over win as n, count(*) over (partition by l.site_id,
                                                             c.target_url) as pages
            from link_checks c cross join links l
              on l.scan_id = c.scan_id and l.target_url = c.target_url
            where c.scan_id = :scan and c.result in ({results}) {kind_filter}
            window win as (partition by l.site_id, c.target_url order by l.source_url))
        where n <= :most order by site_id, target_url, n
    """
    rows = scan.rows(sql, {**params, **kind_params, "most": _EVIDENCE_PAGES})
    for (site, target), group in groupby(rows, key=lambda r: (r["site_id"], r["target_url"])):
        carriers = list(group)
        first = carriers[0]
        yield Hit(
            site, target, first["source_url"],
            detail=f"链接{_verdict(first)}，出现在 {first['pages']} 个页面",
            evidence=evidence_list([r["source_url"] for r in carriers], _EVIDENCE_PAGES,
                                   first["pages"]),
        )


def _verdict(row: Mapping[str, Any]) -> str:
    """What the check of a target found, in Chinese: 无法访问（页面不存在，状态码 404）."""
    why = []
    if row["error"]:
        why.append(CheckError(row["error"]).label)
    if row["status_code"]:
        why.append(f"状态码 {row['status_code']}")
    if row["error"] == CheckError.SOFT_404 and row["final_url"] not in (None, row["target_url"]):
        why.append(f"跳转至 {row['final_url']}")
    label = LinkResult(row["result"]).label
    return f"{label}（{'，'.join(why)}）" if why else label
