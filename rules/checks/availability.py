"""The ``availability`` check: 站点无法访问 judged over a week of availability probes.

The scheduler probes every home page many times a day (:mod:`crawler.probe`, the
``probes`` table); docs/indicators.md#availability: a probe fails when the home page has
not opened within 15 s, and the site is vetoed when failures reach 5 % of the probes of a week.

Params: ``window`` (such as ``7d``): the probes counted are those of the local days
``as_of - window`` up to the day before the judging date, so a scan judged on Monday counts
the week before it, the same every time it is judged again; ``failure_percent``: the share
of failed probes (0–100) at or above which the site is reported; ``min_probes``: fewer probes
than this in the window are too few to judge (a service that has just started, or was
down), and nothing is reported.

It runs over every site of the scan, answered or not (``every_site``): a site that was up
during the scan may still have failed a week's probes. A database made before the probes
table existed simply has no probes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from govwatch.core.vocabulary import ProbeOutcome
from govwatch.rules.model import Hit, Rule, evidence_list
from govwatch.rules.params import Integer, Number, Param, WindowKind
from govwatch.rules.registry import check
from govwatch.rules.scanview import ScanView, in_list

_EVIDENCE_PROBES = 5


def vetoed(probes: int, failures: int, params: Mapping[str, Any]) -> bool:
    """Whether *failures* of *probes* reach the rule's line (and there are enough probes)."""
    return probes >= params["min_probes"] and failures * 100 >= params["failure_percent"] * probes


def _example(rule: Rule, value: Mapping[str, Any]) -> bool:
    return vetoed(int(value["probes"]), int(value["failures"]), rule.params)


_COUNTS = """
    select site_id, count(*) as probes, sum(ok = 0) as failures from probes
    where day >= :since and day < :until and site_id in ({sites})
    group by site_id order by site_id
"""
_FAILED = """
    select probed_at, outcome, error from probes
    where day >= :since and day < :until and site_id = :site and ok = 0
    order by probed_at limit :most
"""


@check(
    "availability", every_site=True, example=_example,
    params={
        "window": Param(WindowKind()),
        "failure_percent": Param(Number(0, 100)),
        "min_probes": Param(Integer(1)),
    },
)
def availability(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A site whose failed availability probes reach a share of the window's probes."""
    if not scan.sites or not any(scan.rows(
            "select 1 from sqlite_master where type = 'table' and name = 'probes'")):
        return
    window, percent = rule.params["window"], rule.params["failure_percent"]
    since, until = window.cutoff(scan.as_of), scan.as_of
    marks, sites = in_list("s", scan.sites)
    days = {"since": since.isoformat(), "until": until.isoformat()}
    for row in list(scan.rows(_COUNTS.format(sites=marks), {**days, **sites})):
        if not vetoed(row["probes"], row["failures"], rule.params):
            continue
        failed = [f"{r['probed_at']} {ProbeOutcome(r['outcome']).label}" for r in scan.rows(
            _FAILED, {**days, "site": row["site_id"], "most": _EVIDENCE_PROBES})]
        share = 100 * row["failures"] / row["probes"]
        last = until - timedelta(days=1)
        yield Hit(
            row["site_id"],
            detail=(f"{since} 至 {last} 首页可用性监测 {row['probes']} 次，失败 "
                    f"{row['failures']} 次（{share:.1f}%），达到 {percent:g}% 的否决线"),
            evidence=evidence_list(failed, _EVIDENCE_PROBES, row["failures"]),
            facts={"probes": row["probes"], "failures": row["failures"]},
        )
