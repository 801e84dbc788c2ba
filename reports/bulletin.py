"""The 纠错 bulletin (第N期): per unit, what is new, what is still open, what was fixed, and
who is named (通报) for overdue or unclaimed problems.

Publishing a bulletin for a date moves every new and reopened issue to open with its deadline
(限时整改), once: the content is stored with the bulletin, so asking for the same date again
gives the same bulletin and changes nothing. Bulletins are published in date order, each
reporting the newest tracked scan.

A problem counts as unclaimed (未认领) when it was published in an earlier bulletin and nobody
has claimed it yet. A problem whose page was kept (存证) shows its screenshot, written beside
the bulletin by :func:`write_screenshots`. Settings: ``rectification.deadline_working_days``
and ``issuer`` (see :mod:`reports.settings`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from govwatch.core import kept, scans
from govwatch.core.vocabulary import IssueState, SiteStatus
from govwatch.core.workdays import known_years
from govwatch.reports import ReportError, store
from govwatch.reports.render import Report
from govwatch.reports.settings import ReportSettings
from govwatch.reports.tables import Section, columns
from govwatch.reports.tracker import mark_overdue, publish_issues

_ISSUE_COLUMNS = columns(
    ("issue", "编号", 7), ("unit", "责任单位", 24), ("site", "网站", 22), ("rule_id", "规则", 20),
    ("title", "问题", 34), ("url", "问题位置", 44), ("page", "所在页面", 44),
    ("evidence", "发现情况", 44), ("first_seen", "首次发现", 12), ("published", "通报日期", 12),
    ("deadline", "整改期限", 12), ("days", "已通报天数", 11), ("fixed_on", "整改日期", 12),
    ("state", "状态", 10), ("claimed_by", "认领人", 12), ("screenshot", "截图", 12, True),
)
# Screenshots (存证, govwatch/evidence) are written beside the bulletin in this folder, each
# once under its hash, so the HTML opens offline and the XLSX links to them.
SHOTS_DIR = "evidence"
SECTIONS = (
    Section("units", "汇总", columns(
        ("unit", "责任单位", 28), ("sites", "网站数", 8), ("new", "新发现", 8),
        ("outstanding", "未整改", 8), ("overdue", "逾期", 8), ("unclaimed", "未认领", 8),
        ("fixed", "已整改", 8),
    )),
    Section("new", "本期新发现问题", _ISSUE_COLUMNS),
    Section("open", "前期未整改问题", _ISSUE_COLUMNS),
    Section("fixed", "已整改问题", _ISSUE_COLUMNS),
    Section("notice", "通报", columns(
        ("unit", "责任单位", 28), ("overdue", "逾期未整改", 11), ("unclaimed", "未认领", 9),
        ("issues", "问题编号", 30), ("reason", "通报事由", 40),
    )),
)
# Still the unit's to fix, once published: listed under 前期未整改问题.
# An answered one too, until a scan verifies the fix.
_OUTSTANDING = (IssueState.OPEN, IssueState.CLAIMED, IssueState.OVERDUE, IssueState.DISPUTED,
                IssueState.ANSWERED)


def publish_bulletin(
    db: sqlite_utils.Database, day: date, settings: ReportSettings | None = None
) -> dict[str, Any]:
    """Publish the bulletin of *day* (or return the one already published that day).

    Raises ReportError when no scan has been tracked yet, or when a later bulletin exists.
    """
    settings = settings or ReportSettings()
    existing = store.bulletin(db, day=day.isoformat())
    if existing is not None:
        return json.loads(existing["content"])
    latest = store.bulletin(db)
    if latest is not None and latest["date"] > day.isoformat():
        raise ReportError(f"bulletin 第{latest['number']}期 is dated {latest['date']}: "
                          f"bulletins are published in date order, not for {day}")
    scan = store.tracked_scan(db)
    if scan is None:
        raise ReportError("no tracked scan yet: run 'govwatch track' after a complete scan")
    number = latest["number"] + 1 if latest else 1
    with db.atomic():
        mark_overdue(db, day)
        published = publish_issues(db, number, day, settings.deadline_working_days)
        content = bulletin_content(db, number, day, scan, latest, published, settings)
        store.insert_bulletin(
            db,
            {"number": number, "date": day.isoformat(), "scan_id": scan["scan_id"],
             "content": json.dumps(content, ensure_ascii=False, sort_keys=True)},
            [{key: row[key] for key in ("unit", "new", "outstanding", "overdue", "unclaimed",
                                        "fixed")} for row in content["units"]],
        )
    return content


def bulletin_content(
    db: sqlite_utils.Database, number: int, day: date, scan: Mapping[str, Any],
    previous: Mapping[str, Any] | None, published: Iterable[Mapping[str, Any]],
    settings: ReportSettings,
) -> dict[str, Any]:
    """The content of bulletin *number*: every section's rows and the figures around them.

    *published* are the issues this bulletin publishes, as they were before (new or
    reopened); *previous* is the bulletin before it, if any.
    """
    shown = {issue["id"]: IssueState(issue["state"]).label for issue in published}
    issues = store.list_issues(db)
    new = [_row(i, day, shown[i["id"]]) for i in issues if i["id"] in shown]
    still_open = [_row(i, day) for i in issues
                  if i["state"] in _OUTSTANDING and i["id"] not in shown]
    since = previous["scan_id"] if previous else 0
    fixed = [_row(i, day) for i in issues
             if i["state"] == IssueState.FIXED and since < i["fixed_scan"] <= scan["scan_id"]]
    unclaimed = [i for i in issues if is_unclaimed(i, day)]
    overdue = [i for i in issues if i["state"] == IssueState.OVERDUE]
    _attach_shots(db, new + still_open + fixed)
    units = _unit_rows(db, new, still_open, fixed, overdue, unclaimed)
    sites = scans.site_summary(db, scan["scan_id"])
    return {
        "title": "政府网站纠错通报", "issuer": settings.issuer, "number": number,
        "date": day.isoformat(), "scan_id": scan["scan_id"], "scan_as_of": scan["as_of"],
        "previous": {"number": previous["number"], "date": previous["date"]} if previous else None,
        "deadline_working_days": settings.deadline_working_days,
        "calendar_note": _calendar_note(
            i for i in issues if i["id"] in shown or i["state"] in _OUTSTANDING),
        "totals": {
            "sites": len(sites), "sites_ok": sum(s["status"] == SiteStatus.OK for s in sites),
            "units": len(units), "new": len(new), "outstanding": len(new) + len(still_open),
            "overdue": len(overdue), "unclaimed": len(unclaimed), "fixed": len(fixed),
            "named": sum(1 for u in units if u["overdue"] or u["unclaimed"]),
        },
        "units": units, "new": new, "open": still_open, "fixed": fixed,
        "notice": _notice_rows(overdue, unclaimed),
    }


def _row(issue: Mapping[str, Any], day: date, state_label: str | None = None) -> dict[str, Any]:
    """One problem row of a section."""
    published = issue["published_on"]
    page = issue["source_url"] if issue["source_url"] != issue["subject_url"] else None
    return {
        "issue": issue["id"], "unit": issue["unit"], "site": issue["site_name"],
        "rule_id": issue["rule_id"], "title": issue["title"], "url": issue["subject_url"],
        # the rule's sentence says what was found; its evidence is the raw snippet behind it
        "page": page, "evidence": issue["detail"] or issue["evidence"] or None,
        "first_seen": issue["first_seen_on"], "published": published,
        "deadline": issue["deadline"],
        "days": (day - date.fromisoformat(published)).days
        if published and issue["state"] != IssueState.FIXED else None,
        "fixed_on": issue["fixed_on"],
        "state": state_label or IssueState(issue["state"]).label,
        "claimed_by": issue["claimed_by"],
        # its screenshot's file beside the bulletin, or why there is none (_attach_shots)
        "screenshot": None, "screenshot_note": None,
    }


def _attach_shots(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """Give each row whose issue has a kept page its screenshot's file (``screenshot``), or
    why it has none (``screenshot_note``, 截图缺失…); a screenshot with nothing outlined
    keeps its note too."""
    found = kept.issue_shots(db, (row["issue"] for row in rows))
    for row in rows:
        shot = found.get(row["issue"])
        if shot is None:
            continue
        if shot["shot_hash"]:
            row["screenshot"] = f"{SHOTS_DIR}/{shot['shot_hash']}.jpg"
            # a picture without a red box says so (截图未能定位问题元素), or a reader looks
            # for one
            row["screenshot_note"] = shot["shot_note"]
        elif shot["shot_note"] or not shot["body_hash"]:  # no page kept: no screenshot
            row["screenshot_note"] = shot["shot_note"] or shot["kept_note"]


def write_screenshots(db: sqlite_utils.Database, content: Mapping[str, Any],
                      out_dir: str | Path) -> list[Path]:
    """Write the screenshots the bulletin *content* shows into *out_dir*/evidence (those
    written before stay: a screenshot's name is its hash); return the paths."""
    paths = []
    for section in ("new", "open", "fixed"):
        for row in content.get(section, ()):
            name = row.get("screenshot")
            if not name:
                continue
            path = Path(out_dir) / name
            if not path.exists():
                image = kept.shot(db, Path(name).stem)
                if image is None:
                    continue  # pruned since the bulletin was published
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(image[0])
            paths.append(path)
    return paths


def is_unclaimed(issue: Mapping[str, Any], day: date) -> bool:
    """Published in an earlier bulletin than one of *day*, still open or overdue, and claimed
    by nobody: 未认领, as bulletins and the platform's dashboard count it."""
    return (issue["state"] in (IssueState.OPEN, IssueState.OVERDUE) and not issue["claimed_by"]
            and issue["published_on"] is not None and issue["published_on"] < day.isoformat())


def _unit_rows(
    db: sqlite_utils.Database, new: list[dict[str, Any]], still_open: list[dict[str, Any]],
    fixed: list[dict[str, Any]], overdue: list[dict[str, Any]],
    unclaimed: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Per unit (every unit with a site): site count and the section counts."""
    sites = Counter(site["unit"] or site["name"] for site in scans.sites_by_id(db).values())

    def count(rows: list[dict[str, Any]]) -> Counter:
        return Counter(row["unit"] for row in rows)

    by = {"new": count(new), "open": count(still_open), "fixed": count(fixed),
          "overdue": count(overdue), "unclaimed": count(unclaimed)}
    return [
        {"unit": unit, "sites": sites[unit], "new": by["new"][unit],
         "outstanding": by["new"][unit] + by["open"][unit], "overdue": by["overdue"][unit],
         "unclaimed": by["unclaimed"][unit], "fixed": by["fixed"][unit]}
        for unit in sorted(sites)
    ]


def _notice_rows(
    overdue: list[dict[str, Any]], unclaimed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The 通报 list: units with overdue or unclaimed problems, most overdue first."""
    units: dict[str, dict[str, Any]] = {}
    for kind, issues in (("overdue", overdue), ("unclaimed", unclaimed)):
        for issue in issues:
            entry = units.setdefault(issue["unit"], {"overdue": set(), "unclaimed": set()})
            entry[kind].add(issue["id"])
    rows = []
    for unit, entry in units.items():
        reasons = []
        if entry["overdue"]:
            reasons.append(f"{len(entry['overdue'])}个问题逾期未整改")
        if entry["unclaimed"]:
            reasons.append(f"{len(entry['unclaimed'])}个问题通报后未认领")
        rows.append({
            "unit": unit, "overdue": len(entry["overdue"]), "unclaimed": len(entry["unclaimed"]),
            "issues": "、".join(str(i) for i in sorted(entry["overdue"] | entry["unclaimed"])),
            "reason": "；".join(reasons),
        })
    return sorted(rows, key=lambda r: (-r["overdue"], -r["unclaimed"], r["unit"]))


def _calendar_note(issues: Iterable[Mapping[str, Any]]) -> str | None:
    """The note a bulletin prints when some deadline fell beyond the known holiday schedule."""
    if not any(issue["deadline_estimated"] for issue in issues):
        return None
    last = known_years()[-1]
    return (f"{last + 1}年起的节假日和调休安排尚未收录，涉及的整改期限暂按周一至周五计算，"
            "以国务院办公厅公布的安排为准。")


def unit_blocks(content: Mapping[str, Any]) -> dict[str, Any]:
    """The problems of each unit that has any, section by section, for the per-unit pages."""
    blocks = []
    for unit in content["units"]:
        rows = {key: [r for r in content[key] if r["unit"] == unit["unit"]]
                for key in ("new", "open", "fixed")}
        if any(rows.values()):
            blocks.append({"unit": unit["unit"], **rows})
    return {"unit_blocks": blocks,
            "state_classes": {state.label: f"state-{state.value}" for state in IssueState}}


BULLETIN = Report("bulletin", SECTIONS, unit_blocks)
