"""Site-level checks: ``site_status`` (站点无法访问) and ``homepage_freshness`` (首页不更新).

``site_status`` (param ``statuses``: scan_sites statuses that are findings, such as
``unreachable``) reports a site whose home page did not answer in this scan; it is the one
check that runs over sites that did not answer.

``homepage_freshness`` (param ``window``, such as ``14d``; ``navigation_fallback``) reports
a home page whose newest dated item is older than the window ends at the judging date. An
item without a date counts as not updated (docs/indicators.md#home-page-updates). A home
page that lists no items at all is a navigation page: with ``navigation_fallback`` its
level-2 pages (depth 1) are judged instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from govwatch.core.vocabulary import CheckError, SiteStatus
from govwatch.rules.model import Hit, Rule, newest_evidence
from govwatch.rules.params import Boolean, Choice, ListOf, Param, WindowKind, as_date
from govwatch.rules.registry import check
from govwatch.rules.scanview import HOME_PAGES, ScanView, in_list

_NOT_OK = tuple(s.value for s in SiteStatus if s not in (SiteStatus.OK, SiteStatus.PENDING))


def _status_example(rule: Rule, value: Any) -> bool:
    return value in rule.params["statuses"]


@check(
    "site_status", every_site=True, example=_status_example,
    params={"statuses": Param(ListOf(Choice(_NOT_OK)))},
)
def site_status(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A site whose home page did not answer as a page in this scan."""
    marks, statuses = in_list("s", rule.params["statuses"])
    for row in scan.rows(
        f"select site_id, status, home_status, error from scan_sites "
        f"where scan_id = :scan and status in ({marks}) order by site_id", statuses,
    ):
        answer = (f"状态码 {row['home_status']}" if row["home_status"]
                  else _reason(row["error"]))
        status = SiteStatus(row["status"]).label
        yield Hit(row["site_id"], detail=f"首页无法访问（{status}）：{answer}".rstrip("："),
                  evidence=answer)


def _reason(error: str | None) -> str:
    """The Chinese name of why the home page did not answer (a check error), or the error as
    recorded by a scan of an earlier govwatch."""
    return CheckError(error).label if error in set(CheckError) else error or ""


def newest_home_date(dates: list[date | None]) -> date | None:
    """The newest of the dates of a home page's items; undated items never count."""
    return max((d for d in dates if d is not None), default=None)


def _home_example(rule: Rule, value: Mapping[str, Any]) -> bool:
    newest = newest_home_date([as_date(d) for d in value["dates"]])
    return rule.params["window"].is_stale(newest, as_date(value["as_of"]))


_HOME_NEWEST = f"""
    with home(site_id, url) as ({HOME_PAGES}),
    on_home as (
        select h.site_id, min(h.url) as url, max(i.date) as newest, count(i.url) as items
        from home h left join items i on i.scan_id = :scan and i.page_url = h.url
        group by h.site_id),
    level2 as (
        select p.site_id, max(i.date) as newest, count(i.url) as items
        from pages p join items i on i.scan_id = p.scan_id and i.page_url = p.url
        where p.scan_id = :scan and p.depth = 1 and :fallback
        group by p.site_id)
    select o.site_id, o.url, o.items, o.newest,
           l.items as level2_items, l.newest as level2_newest
    from on_home o left join level2 l using (site_id)
    order by o.site_id
"""


@check(
    "homepage_freshness", example=_home_example,
    params={
        "window": Param(WindowKind()),
        "navigation_fallback": Param(Boolean(), required=False, default=True),
    },
)
def homepage_freshness(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A home page without a dated item inside the update window."""
    window = rule.params["window"]
    cutoff = window.cutoff(scan.as_of)
    fallback = rule.params["navigation_fallback"]
    for row in scan.rows(_HOME_NEWEST, {"fallback": fallback}):
        newest, where = row["newest"], "首页"
        if not row["items"] and fallback and row["level2_items"]:
            newest, where = row["level2_newest"], "首页（导航页）的二级页面"
        if not window.is_stale(as_date(newest), scan.as_of):
            continue
        seen = f"最新信息日期 {newest}" if newest else "没有注明日期的信息"
        yield Hit(row["site_id"], row["url"],
                  detail=f"{where}{seen}，{window.chinese()}内（{cutoff} 以来）未更新",
                  evidence=newest_evidence(newest, row["items"]),
                  facts={"newest": newest})
