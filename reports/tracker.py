"""The issue tracker: the findings of complete scans become issues that live across scans.

An issue is the life of one finding fingerprint (site + rule + normalised subject); its id
never changes. States are :class:`govwatch.core.vocabulary.IssueState`, and every change is
written to the audit trail (``issue_events``) with its time and
:class:`govwatch.core.vocabulary.IssueCause`::

    (found) → new ─publish→ open ─claim→ claimed      open, claimed ─deadline passed→ overdue
    new, open, claimed, overdue, reopened, disputed ─absent from a covering scan→ fixed
    fixed ─seen again→ reopened ─publish→ open        (a new deadline, the old claim dropped)
    new, open, claimed, overdue, reopened ─reject→ disputed ─confirm→ the state before
                                                   disputed ─withdraw→ withdrawn (for good)
    open, claimed, overdue ─answer→ answered ─absent from a covering scan→ fixed
                                    answered ─seen by a scan of a later day→ the state before

Only complete scans are tracked, in order. A scan fixes an issue only if it covered the
subject (:func:`govwatch.db.absent_covered_issues`): the site answered and was crawled whole
in that scan, and the issue's own subject page, or the page carrying its link, was fetched
again and answered; never on the strength of the home page alone, and never for a link
target the scan skipped. A failed scan, or one where the site was unreachable, forbidden by
robots.txt, crawled only in part or not included, fixes nothing.

An answer (已整改) is the unit's word that it fixed the problem, with what it did: the issue
waits as answered for the next scan to verify it. A scan that covers the subject and no
longer finds it fixes it as usual; a scan of a later day than the answer that still finds it
puts it back where it was (claimed, or overdue: the deadline stands) and says so in the audit
trail (``still_seen``). A scan of the answer's own day may have run before the fix, so it
only ever fixes, never refutes.

Every action a person takes may name, besides *by* (the claimant, 认领人, or who disputes),
the *actor*: the account that acted, recorded in the audit trail (the platform's login).

Setting: ``rectification.deadline_working_days`` (see :mod:`reports.settings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from govwatch.core import kept, scans
from govwatch.core.schema import now_iso
from govwatch.core.vocabulary import IssueCause, IssueState, ScanStatus
from govwatch.core.workdays import add_working_days
from govwatch.reports import ReportError, store

# What an issue copies from its latest finding.
_FINDING_FIELDS = ("site_id", "rule_id", "severity", "points", "title", "subject_url",
                   "source_url", "detail", "evidence")
# What a new occurrence starts without: publication, deadline, claim, dispute and fix.
_FRESH = {
    "published_in": None, "published_on": None, "deadline": None, "deadline_estimated": None,
    "claimed_by": None, "claimed_at": None, "claim_note": None, "fixed_scan": None,
    "fixed_on": None, "prior_state": None, "disputed_by": None, "dispute_reason": None,
    "answered_by": None, "answered_at": None,
}
_NO_DISPUTE = {"prior_state": None, "disputed_by": None, "dispute_reason": None}
# What a unit can claim, and answer it fixed (the platform offers these actions by them).
CLAIMABLE = (IssueState.OPEN, IssueState.OVERDUE)
ANSWERABLE = (IssueState.OPEN, IssueState.CLAIMED, IssueState.OVERDUE)
_DISPUTABLE = (IssueState.NEW, IssueState.OPEN, IssueState.CLAIMED, IssueState.OVERDUE,
               IssueState.REOPENED)


@dataclass(frozen=True)
class TrackResult:
    """What applying one scan did: findings seen, issues found, reopened, fixed, overdue."""

    scan_id: int
    as_of: str
    seen: int
    found: int
    reopened: int
    fixed: int
    overdue: int = 0  # a scan tracked before moves nothing to overdue
    already: bool = False  # the scan had been tracked before: nothing changed this time


def track_scan(db: sqlite_utils.Database, scan_id: int) -> TrackResult:
    """Apply the findings of complete scan *scan_id* to the issues, once.

    Raises ReportError for a scan that is missing, not complete, or older than one already
    tracked. Tracking the same scan again changes nothing and says so (``already``).
    """
    scan = scans.scan_row(db, scan_id)
    if scan is None:
        raise ReportError(f"no scan {scan_id}")
    if scan["status"] != ScanStatus.COMPLETE:
        raise ReportError(f"scan {scan_id} is {scan['status']}: only complete scans are "
                          "tracked, so it fixes nothing")
    done = store.tracked_scan(db, scan_id)
    if done is not None:
        return TrackResult(scan_id, done["as_of"], done["seen"], done["found"],
                           done["reopened"], done["fixed"], already=True)
    newest = store.tracked_scan(db)
    if newest is not None and newest["scan_id"] > scan_id:
        raise ReportError(f"scan {scan_id} is older than scan {newest['scan_id']}, "
                          "which is tracked already")
    day = scan["as_of"]
    event = {"at": day, "scan_id": scan_id}
    counts = {"seen": 0, "found": 0, "reopened": 0, "fixed": 0}
    with db.atomic():
        for finding in store.scan_findings(db, scan_id):
            counts["seen"] += 1
            outcome = _apply_finding(db, finding, event)
            if outcome:
                counts[outcome] += 1
        for issue in store.absent_covered_issues(db, scan_id):
            store.change_issue_state(
                db, issue["id"], IssueState.FIXED, {**event, "cause": IssueCause.ABSENT},
                {"fixed_scan": scan_id, "fixed_on": day, **_NO_DISPUTE},
            )
            counts["fixed"] += 1
        overdue = mark_overdue(db, date.fromisoformat(day))
        store.record_tracked_scan(db, {"scan_id": scan_id, "as_of": day, **counts})
    return TrackResult(scan_id, day, overdue=overdue, **counts)


def _apply_finding(
    db: sqlite_utils.Database, finding: Mapping[str, Any], event: Mapping[str, Any]
) -> str | None:
    """Create, reopen or refresh the issue of one finding; say which ('found', 'reopened')."""
    facts = {key: finding[key] for key in _FINDING_FIELDS}
    seen = {"last_seen_scan": event["scan_id"], "last_seen_on": event["at"]}
    state = finding["issue_state"]
    if finding["issue_id"] is None:
        store.insert_issue(
            db,
            {**facts, **seen, "fingerprint": finding["fingerprint"], "state": IssueState.NEW,
             "first_seen_scan": event["scan_id"], "first_seen_on": event["at"],
             "updated_at": now_iso()},
            {**event, "cause": IssueCause.FOUND},
        )
        return "found"
    if state == IssueState.FIXED:
        store.change_issue_state(db, finding["issue_id"], IssueState.REOPENED,
                                 {**event, "cause": IssueCause.SEEN_AGAIN},
                                 {**facts, **seen, **_FRESH})
        return "reopened"
    if state == IssueState.ANSWERED and _refutes(finding, event["at"]):
        store.change_issue_state(
            db, finding["issue_id"], IssueState(finding["issue_prior_state"]),
            {**event, "cause": IssueCause.STILL_SEEN,
             "note": "单位报已整改，但复查仍发现该问题，整改未通过"},
            {**facts, **seen, "prior_state": None})
        return None
    if state != IssueState.WITHDRAWN:  # a withdrawn problem is never tracked again
        store.update_issue(db, finding["issue_id"], {**facts, **seen})
    return None


def _refutes(finding: Mapping[str, Any], day: str) -> bool:
    """Whether a scan judged on *day* that still finds an answered issue refutes the answer:
    only a scan of a later day than the answer (one of the same day may predate the fix)."""
    answered = finding["issue_answered_at"]
    return answered is None or day > answered[:10]


def publish_issues(
    db: sqlite_utils.Database, number: int, day: date, working_days: int
) -> list[dict[str, Any]]:
    """Publish every new and reopened issue in bulletin *number* on *day*: each becomes open
    with a deadline *working_days* working days later. Returns the issues as they were."""
    issues = store.list_issues(db, (IssueState.NEW, IssueState.REOPENED))
    for issue in issues:
        deadline = add_working_days(day, working_days)
        store.change_issue_state(
            db, issue["id"], IssueState.OPEN,
            {"at": day.isoformat(), "cause": IssueCause.PUBLISHED, "bulletin": number,
             "note": f"整改期限 {deadline.day.isoformat()}"},
            {"published_in": number, "published_on": day.isoformat(),
             "deadline": deadline.day.isoformat(), "deadline_estimated": int(deadline.estimated)},
        )
    return issues


def mark_overdue(db: sqlite_utils.Database, day: date) -> int:
    """Move open and claimed issues whose deadline passed before *day* to overdue; count."""
    issues = store.issues_past_deadline(db, day.isoformat())
    for issue in issues:
        store.change_issue_state(
            db, issue["id"], IssueState.OVERDUE,
            {"at": day.isoformat(), "cause": IssueCause.DEADLINE_PASSED,
             "note": f"整改期限 {issue['deadline']} 已过"},
        )
    return len(issues)


def claim(
    db: sqlite_utils.Database, issue_ids: Iterable[int], by: str, note: str | None = None,
    at: str | None = None, *, actor: str | None = None,
) -> list[int]:
    """The unit claims (认领) published issues: open → claimed; an overdue one stays overdue
    but carries the claim. All or none: ReportError if any issue cannot be claimed, or *by*
    is blank."""
    at, by = at or now_iso(), _named(by, "by")
    issues = [_require(db, issue_id, CLAIMABLE, "claimed") for issue_id in issue_ids]
    for issue in issues:
        if issue["claimed_by"]:
            raise ReportError(f"issue {issue['id']} is claimed already by {issue['claimed_by']}")
    with db.atomic():
        for issue in issues:
            to_state = IssueState.CLAIMED if issue["state"] == IssueState.OPEN else issue["state"]
            store.change_issue_state(
                db, issue["id"], IssueState(to_state),
                {"at": at, "cause": IssueCause.CLAIMED, "actor": actor or by, "note": note},
                {"claimed_by": by, "claimed_at": at, "claim_note": note},
            )
    return [issue["id"] for issue in issues]


def reject(
    db: sqlite_utils.Database, issue_id: int, by: str, reason: str, at: str | None = None,
    *, actor: str | None = None,
) -> None:
    """The unit disputes an issue: it stays listed as disputed until an auditor decides.
    ReportError without who disputes it or why."""
    by, reason = _named(by, "by"), _named(reason, "reason")
    issue = _require(db, issue_id, _DISPUTABLE, "disputed")
    store.change_issue_state(
        db, issue_id, IssueState.DISPUTED,
        {"at": at or now_iso(), "cause": IssueCause.REJECTED, "actor": actor or by,
         "note": reason},
        {"prior_state": issue["state"], "disputed_by": by, "dispute_reason": reason},
    )


def confirm(
    db: sqlite_utils.Database, issue_id: int, by: str | None = None, note: str | None = None,
    at: str | None = None,
) -> IssueState:
    """An auditor upholds a disputed issue: it returns to the state it had; return that."""
    issue = _require(db, issue_id, (IssueState.DISPUTED,), "confirmed")
    back = IssueState(issue["prior_state"])
    store.change_issue_state(
        db, issue_id, back,
        {"at": at or now_iso(), "cause": IssueCause.CONFIRMED, "actor": by, "note": note},
        _NO_DISPUTE,
    )
    return back


def answer(
    db: sqlite_utils.Database, issue_id: int, by: str, note: str, at: str | None = None,
    *, actor: str | None = None,
) -> None:
    """The unit answers that it fixed a published issue (已整改), saying what it did: the
    issue waits as answered for the next scan to verify it. ReportError without who
    answers or what was done, or for an issue not open, claimed or overdue."""
    by, note = _named(by, "by"), _named(note, "note")
    at = at or now_iso()
    issue = _require(db, issue_id, ANSWERABLE, "answered")
    store.change_issue_state(
        db, issue_id, IssueState.ANSWERED,
        {"at": at, "cause": IssueCause.ANSWERED, "actor": actor or by, "note": note},
        {"prior_state": issue["state"], "answered_by": by, "answered_at": at},
    )


def withdraw(
    db: sqlite_utils.Database, issue_id: int, by: str | None = None, note: str | None = None,
    at: str | None = None,
) -> None:
    """An auditor withdraws a disputed issue: it is closed and never listed again."""
    _require(db, issue_id, (IssueState.DISPUTED,), "withdrawn")
    store.change_issue_state(
        db, issue_id, IssueState.WITHDRAWN,
        {"at": at or now_iso(), "cause": IssueCause.WITHDRAWN, "actor": by, "note": note},
    )


def _named(text: str | None, name: str) -> str:
    """*text* without surrounding blanks; ReportError naming the argument when nothing is
    left, since the audit trail must say who acted and why."""
    if text is None or not text.strip():
        raise ReportError(f"{name} must not be blank")
    return text.strip()


def _require(
    db: sqlite_utils.Database, issue_id: int, states: tuple[IssueState, ...], action: str
) -> dict[str, Any]:
    """The issue, if it exists and is in one of *states*; else ReportError saying why."""
    issue = store.get_issue(db, issue_id)
    if issue is None:
        raise ReportError(f"no issue {issue_id}")
    if issue["state"] not in states:
        allowed = " or ".join(str(s) for s in states)
        raise ReportError(f"issue {issue_id} is {issue['state']}: only {allowed} issues can "
                          f"be {action}")
    return issue


def issue_list(
    db: sqlite_utils.Database, state: str | None = None, site_id: str | None = None
) -> list[dict[str, Any]]:
    """Issues for a listing; withdrawn ones only when *state* asks for them. ``evidence``
    says what is kept of each (截图, 存证) or why its screenshot or page is missing
    (截图缺失…, 存证缺失…); None when nothing was kept (found before evidence was)."""
    states = [state] if state else [s for s in IssueState if s != IssueState.WITHDRAWN]
    issues = store.list_issues(db, states, site_id)
    shots = kept.issue_shots(db, (i["id"] for i in issues))
    return [
        {"id": i["id"], "state": i["state"], "unit": i["unit"], "site": i["site_id"],
         "rule": i["rule_id"], "title": i["title"], "url": i["subject_url"],
         "first_seen": i["first_seen_on"], "deadline": i["deadline"],
         "claimed_by": i["claimed_by"], "evidence": _evidence(shots.get(i["id"]))}
        for i in issues
    ]


def _evidence(shot: Mapping[str, Any] | None) -> str | None:
    """What is kept of an issue, in a word, or why not (see issue_list)."""
    if shot is None:
        return None
    if shot["shot_hash"]:
        return "截图"
    if not shot["body_hash"]:
        return shot["kept_note"]
    return shot["shot_note"] or "存证"
