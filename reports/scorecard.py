"""The scorecard (检查评分表): per site the veto items hit, the deductions capped per
indicator, the score and pass/fail, and the overall 合格率 — the table a quarterly 监管通报
prints — with a chart of outstanding problems per unit over the last bulletins.

Scoring (docs/indicators.md#scoring): any veto item → 不合格, no further scoring. Otherwise
the findings' points are summed per indicator (the part of the rule id before the first dot, e.g.
``column`` for ``column.stale``), each indicator capped at its total, the sum capped at
``total_points``; score = total_points − deductions; below ``pass_line`` → 不合格. Advisory
findings are counted, never scored; findings an auditor withdrew never count. A site the
scan could not read and that hit no veto is 未检测 and stays out of the 合格率.

Settings: ``pass_line``, ``total_points``, ``indicator_caps``, ``trend_bulletins``, ``issuer``
(see :mod:`reports.settings`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlite_utils

from govwatch.core import scans
from govwatch.core.vocabulary import Severity, SiteStatus, indicator_label
from govwatch.reports import ReportError, store
from govwatch.reports.chart import line_chart
from govwatch.reports.render import Report
from govwatch.reports.settings import ReportSettings
from govwatch.reports.tables import Section, columns

PASS, FAIL, NOT_ASSESSED = "合格", "不合格", "未检测"
SECTIONS = (
    Section("sites", "评分汇总", columns(
        ("no", "序号", 6), ("name", "网站名称", 26), ("unit", "责任单位", 26),
        ("status", "访问情况", 10), ("veto_items", "单项否决", 30), ("deducted", "扣分", 8),
        ("score", "得分", 8), ("advisories", "提示", 6), ("result", "结果", 8),
    )),
    Section("vetoes", "单项否决", columns(
        ("name", "网站名称", 26), ("rule_id", "规则", 20), ("title", "否决事项", 34),
        ("url", "问题位置", 44), ("evidence", "发现情况", 44),
    )),
    Section("deductions", "扣分明细", columns(
        ("name", "网站名称", 26), ("indicator", "指标", 14), ("rules", "规则", 34),
        ("findings", "问题数", 8), ("raw", "累计扣分", 10), ("cap", "指标分值", 10),
        ("counted", "计入扣分", 10),
    )),
)


def build_scorecard(
    db: sqlite_utils.Database, day: date, settings: ReportSettings | None = None
) -> dict[str, Any]:
    """The scorecard of the newest complete scan judged on or before *day*."""
    settings = settings or ReportSettings()
    scan_id = scans.latest_complete_scan_on(db, day.isoformat())
    if scan_id is None:
        raise ReportError(f"no complete scan on or before {day}")
    sites = scans.sites_by_id(db)
    withdrawn = store.withdrawn_fingerprints(db)
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in store.scan_findings(db, scan_id):
        if finding["fingerprint"] not in withdrawn:
            by_site[finding["site_id"]].append(finding)
    site_rows, vetoes, deductions = [], [], []
    for no, summary in enumerate(scans.site_summary(db, scan_id), start=1):
        site = sites[summary["site"]]
        findings = by_site[site["id"]]
        hit = [f for f in findings if f["severity"] == Severity.VETO]
        lines = _indicator_lines(site, findings, settings.indicator_caps)
        vetoes += [{"name": site["name"], "rule_id": f["rule_id"], "title": f["title"],
                    "url": f["subject_url"], "evidence": f["evidence"] or f["detail"] or None}
                   for f in hit]
        deductions += lines
        deducted = min(settings.total_points, sum(line["counted"] for line in lines))
        scored = not hit and summary["status"] == SiteStatus.OK  # vetoed or unread: no score
        score = round(settings.total_points - deducted, 2) if scored else None
        site_rows.append({
            "no": no, "site": site["id"], "name": site["name"],
            "unit": site["unit"] or site["name"],
            "status": SiteStatus(summary["status"]).label,
            "veto_items": "、".join(dict.fromkeys(f["title"] for f in hit)) or None,
            "deducted": round(deducted, 2), "score": score,
            "advisories": sum(f["severity"] == Severity.ADVISORY for f in findings),
            "result": _result(hit, summary["status"], score, settings.pass_line),
        })
    scan = scans.scan_row(db, scan_id)
    return {
        "title": "政府网站检查评分表", "issuer": settings.issuer, "date": day.isoformat(),
        "scan_id": scan_id, "scan_as_of": scan["as_of"], "pass_line": settings.pass_line,
        "total_points": settings.total_points,
        "indicator_caps": dict(settings.indicator_caps),
        "totals": _totals(site_rows),
        "sites": site_rows, "vetoes": vetoes, "deductions": deductions,
        "trend": outstanding_trend(db, day, settings.trend_bulletins),
    }


def _indicator_lines(
    site: Mapping[str, Any], findings: Sequence[Mapping[str, Any]], caps: Mapping[str, float]
) -> list[dict[str, Any]]:
    """One line per indicator with deductions: raw points, the cap, the points counted."""
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for finding in findings:
        if finding["severity"] == Severity.DEDUCTION:
            groups[finding["rule_id"].split(".", 1)[0]].append(finding)
    lines = []
    for indicator, items in sorted(groups.items()):
        raw = round(sum(f["points"] or 0 for f in items), 2)
        cap = caps.get(indicator)
        lines.append({
            "name": site["name"], "indicator": indicator_label(indicator),
            "rules": "、".join(sorted({f["rule_id"] for f in items})), "findings": len(items),
            "raw": raw, "cap": cap, "counted": raw if cap is None else min(raw, cap),
        })
    return lines


def _result(hit: Sequence[Any], status: str, score: float | None, pass_line: float) -> str:
    """合格, 不合格 or 未检测 for one site."""
    if hit:
        return FAIL
    if status != SiteStatus.OK:
        return NOT_ASSESSED
    return PASS if score is not None and score >= pass_line else FAIL


def _totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Sites checked, assessed, passed, failed, and the 合格率 in percent."""
    assessed = [r for r in rows if r["result"] != NOT_ASSESSED]
    passed = sum(r["result"] == PASS for r in assessed)
    return {
        "sites": len(rows), "assessed": len(assessed), "passed": passed,
        "failed": len(assessed) - passed, "not_assessed": len(rows) - len(assessed),
        "vetoed": sum(bool(r["veto_items"]) for r in rows),
        "pass_rate": round(100 * passed / len(assessed), 1) if assessed else None,
    }


def outstanding_trend(db: sqlite_utils.Database, day: date, limit: int) -> dict[str, Any]:
    """Outstanding problems per unit in each of the last *limit* bulletins published on or
    before *day*, oldest first (the scorecard's chart and the platform's dashboard)."""
    rows = store.bulletin_unit_counts(db, day.isoformat(), limit)
    bulletins = sorted({(r["number"], r["date"]) for r in rows})
    index = {number: i for i, (number, _) in enumerate(bulletins)}
    series: dict[str, list[int]] = {}
    for row in rows:
        series.setdefault(row["unit"], [0] * len(bulletins))[index[row["number"]]] = (
            row["outstanding"])
    return {"bulletins": [{"number": n, "date": d} for n, d in bulletins],
            "series": [{"unit": unit, "counts": counts} for unit, counts in series.items()]}


def scorecard_extra(content: Mapping[str, Any]) -> dict[str, Any]:
    """The trend chart's geometry, for the HTML template."""
    trend = content["trend"]
    chart = None
    if trend["bulletins"]:
        chart = line_chart(
            [f"第{b['number']}期 {b['date'][5:]}" for b in trend["bulletins"]],
            {s["unit"]: s["counts"] for s in trend["series"]},
        )
    return {"chart": chart}


SCORECARD = Report("scorecard", SECTIONS, scorecard_extra)
