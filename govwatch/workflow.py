"""The product's workflow as two library calls, wired in one place.

- :func:`scan_evaluate_track`: crawl the sites, evaluate the rule packs over the scan once it
  is complete, and update the issues (new, fixed, reopened) from its findings;
- :func:`publish`: the 纠错 bulletin of a day and the scorecard, written to a folder.

``govwatch scan``, ``govwatch demo`` and the scheduler all run these, so data flows the same
way everywhere: sites → crawl → scan tables → rules → findings → tracker → bulletins.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govwatch.core import scans
from govwatch.core.config import Site
from govwatch.core.defaults import bulletin_stem
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus

logger = logging.getLogger(__name__)

BULLETIN_FORMATS = ("html", "xlsx", "md", "json")
SCORECARD_FORMATS = ("html", "json", "xlsx")


@dataclass
class ScanRun:
    """What one scan run produced: the crawl's outcome, then (when complete) the rules'
    summary and the tracker's counts."""

    outcome: Any  # crawler.runner.ScanOutcome
    evaluation: dict[str, Any] | None = None
    tracking: Any = None  # reports.tracker.TrackResult
    caught_up: int | None = None  # an earlier complete scan tracked first (see catch_up)
    kept: Any = None  # evidence.keep.Kept: the pages and screenshots kept (None: evidence off)

    @property
    def complete(self) -> bool:
        """Whether the crawl finished (only then were rules and tracker run)."""
        return self.outcome.status == ScanStatus.COMPLETE


def scan_evaluate_track(
    sites: Sequence[Site], db_path: str | Path, *, as_of: date, resume: bool = False,
    progress_interval: float = 2.0, settings: Mapping[str, Any] | None = None,
) -> ScanRun:
    """Crawl *sites* (or resume the interrupted scan), then evaluate and track it. An earlier
    complete scan left untracked by a crash is evaluated and tracked first (:func:`catch_up`)."""
    from govwatch.crawler.runner import run_scan

    caught_up = catch_up(db_path)
    outcome = run_scan(
        sites, db_path, as_of=as_of, resume=resume, progress_interval=progress_interval,
        settings=dict(settings or {}),
    )
    run = ScanRun(outcome, caught_up=caught_up)
    if run.complete:
        run.evaluation, run.tracking = evaluate_and_track(db_path, outcome.scan_id)
        run.kept = keep_evidence(db_path, outcome.scan_id, settings)
    return run


def evaluate_and_track(db_path: str | Path, scan_id: int) -> tuple[dict[str, Any], Any]:
    """Evaluate the rule packs over complete scan *scan_id*, then apply its findings to the
    issues: (the rules' summary, the tracker's counts)."""
    from govwatch.reports.tracker import track_scan
    from govwatch.rules.engine import evaluate_scan

    evaluation = evaluate_scan(db_path, scan_id)
    db = open_db(db_path)
    try:
        return evaluation, track_scan(db, scan_id)
    finally:
        db.close()


def keep_evidence(db_path: str | Path, scan_id: int,
                  settings: Mapping[str, Any] | None = None) -> Any:
    """Keep the pages (存证) of tracked scan *scan_id*'s new and reopened issues from the
    crawl's spool, with their screenshots when *settings* ask for them
    (``GOVWATCH_SCREENSHOTS``); None when the crawl spooled nothing (evidence off), or when
    keeping failed (logged: the scan stands, complete and tracked)."""
    from govwatch.crawler.settings import DEFAULTS

    knobs = {**DEFAULTS, **(settings or {})}
    try:
        return _keep(db_path, scan_id, knobs)
    except Exception:  # the scan is complete and tracked: evidence lost is logged, not fatal
        logger.exception("scan %d: its evidence (存证) could not be kept", scan_id)
        return None


def _keep(db_path: str | Path, scan_id: int, knobs: Mapping[str, Any]) -> Any:
    from govwatch.crawler.settings import USER_AGENT
    from govwatch.evidence.keep import keep_scan

    return keep_scan(db_path, scan_id, screenshots=bool(knobs["GOVWATCH_SCREENSHOTS"]),
                     max_shots=int(knobs["GOVWATCH_SCREENSHOT_MAX"]),
                     pages=int(knobs["GOVWATCH_SCREENSHOT_PAGES"]),
                     user_agent=knobs.get("USER_AGENT") or USER_AGENT)


def catch_up(db_path: str | Path) -> int | None:
    """Evaluate and track the newest complete scan if a crash stopped it between completing
    and being tracked; return its id, or None when there was nothing to do.

    Run before a new scan: once a newer scan is tracked, the older one never can be, and
    the week it saw would be missing from the issues' history.
    """
    from govwatch.reports.store import tracked_scan

    if not Path(db_path).is_file():  # a first scan: nothing before it
        return None
    db = open_db(db_path)
    try:
        latest = scans.latest_complete_scan(db)
        pending = latest is not None and tracked_scan(db, latest) is None
    finally:
        db.close()
    if not pending:
        return None
    evaluate_and_track(db_path, latest)
    keep_evidence(db_path, latest)
    return latest


@dataclass
class Publication:
    """A published bulletin and scorecard, and the files written."""

    bulletin: dict[str, Any]
    scorecard: dict[str, Any]
    paths: list[Path]


def publish(
    db_path: str | Path, day: date, out_dir: str | Path, report_settings: Any = None,
    bulletin_formats: Sequence[str] = BULLETIN_FORMATS,
    scorecard_formats: Sequence[str] = SCORECARD_FORMATS,
) -> Publication:
    """Publish the bulletin of *day* (the same day twice gives the same bulletin) and the
    scorecard of the latest complete scan up to *day*, as files in *out_dir*."""
    from govwatch.reports.bulletin import BULLETIN, publish_bulletin, write_screenshots
    from govwatch.reports.render import writable_dir, write_report
    from govwatch.reports.scorecard import SCORECARD, build_scorecard

    writable_dir(out_dir)  # before the bulletin is recorded as published
    db = open_db(db_path)
    try:
        bulletin = publish_bulletin(db, day, report_settings)
        scorecard = build_scorecard(db, day, report_settings)
        if "html" in bulletin_formats or "xlsx" in bulletin_formats:
            write_screenshots(db, bulletin, out_dir)  # the files they show and link to
    finally:
        db.close()
    paths = write_report(
        BULLETIN, bulletin, bulletin_formats, out_dir,
        bulletin_stem(bulletin["number"], bulletin["date"]),
    )
    paths += write_report(
        SCORECARD, scorecard, scorecard_formats, out_dir, f"scorecard-{scorecard['date']}"
    )
    return Publication(bulletin, scorecard, paths)
