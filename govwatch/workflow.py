"""The product's workflow as two library calls, wired in one place.

- :func:`scan_evaluate_track`: crawl the sites, evaluate the rule packs over the scan once it
  is complete, and update the issues (new, fixed, reopened) from its findings;
- :func:`publish`: the 纠错 bulletin of a day and the scorecard, written to a folder.

``govwatch scan``, ``govwatch demo`` and the scheduler all run these, so data flows the same
way everywhere: sites → crawl → scan tables → rules → findings → tracker → bulletins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govwatch.core.config import Site
from govwatch.core.defaults import bulletin_stem
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus

BULLETIN_FORMATS = ("html", "xlsx", "md", "json")
SCORECARD_FORMATS = ("html", "json", "xlsx")


@dataclass
class ScanRun:
    """What one scan run produced: the crawl's outcome, then (when complete) the rules'
    summary and the tracker's counts."""

    outcome: Any  # crawler.runner.ScanOutcome
    evaluation: dict[str, Any] | None = None
    tracking: Any = None  # reports.tracker.TrackResult

    @property
    def complete(self) -> bool:
        """Whether the crawl finished (only then were rules and tracker run)."""
        return self.outcome.status == ScanStatus.COMPLETE


def scan_evaluate_track(
    sites: Sequence[Site], db_path: str | Path, *, as_of: date, resume: bool = False,
    progress_interval: float = 2.0, settings: Mapping[str, Any] | None = None,
) -> ScanRun:
    """Crawl *sites* (or resume the interrupted scan), then evaluate and track it."""
    from govwatch.crawler.runner import run_scan
    from govwatch.reports.tracker import track_scan
    from govwatch.rules.engine import evaluate_scan

    outcome = run_scan(
        sites, db_path, as_of=as_of, resume=resume, progress_interval=progress_interval,
        settings=dict(settings or {}),
    )
    run = ScanRun(outcome)
    if not run.complete:
        return run
    run.evaluation = evaluate_scan(db_path, outcome.scan_id)
    db = open_db(db_path)
    try:
        run.tracking = track_scan(db, outcome.scan_id)
    finally:
        db.close()
    return run


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
    from govwatch.reports.bulletin import BULLETIN, publish_bulletin
    from govwatch.reports.render import writable_dir, write_report
    from govwatch.reports.scorecard import SCORECARD, build_scorecard

    writable_dir(out_dir)  # before the bulletin is recorded as published
    db = open_db(db_path)
    try:
        bulletin = publish_bulletin(db, day, report_settings)
        scorecard = build_scorecard(db, day, report_settings)
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
