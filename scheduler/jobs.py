"""The scheduler's three jobs: what each one does when its time comes.

Each job is a function of the running service (:class:`scheduler.Service`: its config,
database, output folder, schedule, crawl settings and clock) that returns a
:class:`JobOutcome` and logs one line a person can act on. The jobs call the library, and
only the library:

- ``scan``: :func:`govwatch.workflow.scan_evaluate_track` of every configured site, judged
  at today's date in the config's timezone. It resumes instead the scan that an earlier
  stop interrupted, when that one started less than ``schedule.misfire_grace`` ago. A scan
  already running (this process or another: ``govwatch scan`` by hand) holds the scan lock,
  and the job is skipped. Once a scan is complete, the job prunes what the ``retention:``
  policy no longer keeps (:func:`govwatch.prune.prune`); a prune that cannot run (another
  scan began meanwhile) or fails is logged, and the next scan's prune does its work.
- ``bulletin``: :func:`govwatch.workflow.publish` of today's bulletin and scorecard into the
  output folder (``rectification:`` settings), then mailed with :mod:`scheduler.mail` when
  the config has a ``mail:`` section.
- ``probe``: :func:`crawler.probe.run_probes` of every home page (``schedule.probe_timeout``,
  ``schedule.probe_workers``), recorded for the rule ``site.availability``.
"""

from __future__ import annotations

import enum
import logging
import smtplib
import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from govwatch.core.config import ConfigError
from govwatch.core.retention import Retention
from govwatch.core.schema import StoreError, open_db
from govwatch.crawler import store
from govwatch.reports import ReportError
from govwatch.scheduler.mail import MailError, publication_message, send

if TYPE_CHECKING:
    from govwatch.scheduler import Service

log = logging.getLogger("govwatch.scheduler")


class JobOutcome(enum.StrEnum):
    """How one run of a job ended."""

    DONE = "done"
    SKIPPED = "skipped"  # not run: another scan holds the scan lock
    INTERRUPTED = "interrupted"  # a scan stopped before completing: failed, resumable
    FAILED = "failed"  # an error, logged with its cause; the job runs again at its next time


# Failures with a cause a person can act on: logged in one line, without a traceback.
EXPECTED_ERRORS = (ConfigError, ReportError, MailError, smtplib.SMTPException, OSError,
                   StoreError)


def interrupted_scan(service: Service) -> dict[str, Any] | None:
    """The interrupted scan (newer than the last complete one) that started less than
    ``misfire_grace`` ago, if any: the scan job resumes it rather than start afresh."""
    db = open_db(service.db_path)
    try:
        row = store.resumable_scan(db)
    finally:
        db.close()
    if row is None:
        return None
    started = datetime.fromisoformat(row["started_at"])
    recent = service.now() - started <= timedelta(seconds=service.schedule.misfire_grace)
    return row if recent else None


def scan_job(service: Service) -> JobOutcome:
    """Crawl, evaluate and track every site (or resume a recently interrupted scan)."""
    from govwatch.core.kept import evidence_settings
    from govwatch.crawler.runner import ScanBusy
    from govwatch.workflow import scan_evaluate_track

    resume = interrupted_scan(service) is not None
    try:
        run = scan_evaluate_track(
            service.config.sites, service.db_path, as_of=service.now().date(), resume=resume,
            progress_interval=0,
            # the sites file's evidence: section (存证, screenshots), then the service's own
            settings={**evidence_settings(service.config), **service.crawl_settings},
        )
    except ScanBusy as busy:
        log.warning("scan skipped: %s", busy)
        return JobOutcome.SKIPPED
    outcome = run.outcome
    if run.caught_up is not None:
        log.warning("scan %d was complete but not yet tracked (interrupted): evaluated and "
                    "tracked it before this scan", run.caught_up)
    verb = "resumed, " if resume else ""
    if not run.complete:
        log.warning("scan %d %s%s after %.0f s: the previous complete scan is intact; it "
                    "resumes at the next start or scan time, or by hand with "
                    "'govwatch scan --resume'", outcome.scan_id, verb, outcome.status,
                    outcome.seconds)
        return JobOutcome.INTERRUPTED
    evaluation, tracking = run.evaluation or {}, run.tracking
    log.info("scan %d %scomplete: %d sites, %d pages in %.0f s; %d findings; issues %d new, "
             "%d reopened, %d fixed", outcome.scan_id, verb, len(outcome.sites), outcome.pages,
             outcome.seconds, evaluation.get("findings", 0), tracking.found, tracking.reopened,
             tracking.fixed)
    prune_after_scan(service)
    return JobOutcome.DONE


def prune_after_scan(service: Service) -> None:
    """Prune what retention no longer keeps, and log it; a prune that cannot run is logged,
    never the scan's failure (the scan is complete and tracked)."""
    from govwatch.crawler.runner import ScanBusy
    from govwatch.prune import prune

    try:
        result = prune(service.db_path, Retention.from_config(service.config),
                       service.now().date())
    except ScanBusy as busy:
        log.warning("prune skipped: %s", busy)
        return
    except (*EXPECTED_ERRORS, sqlite3.Error) as error:
        log.error("prune failed: %s: %s", type(error).__name__, error)
        return
    scans = ", ".join(f"{fate.scan_id} ({fate.drop})" for fate in result.due)
    log.info("prune: %s%s", result.summary(), f"; scans {scans}" if scans else "")


def bulletin_job(service: Service) -> JobOutcome:
    """Publish today's bulletin and scorecard into the output folder; mail them if set up."""
    from govwatch.workflow import publish

    publication = publish(service.db_path, service.now().date(), service.out_dir,
                          service.report_settings)
    content = publication.bulletin
    log.info("bulletin 第%d期 %s published: %s", content["number"], content["date"],
             ", ".join(str(path) for path in publication.paths))
    mail = service.config.mail
    if mail is not None:
        send(mail, publication_message(mail, content, publication.paths))
        log.info("bulletin 第%d期 mailed to %s", content["number"], ", ".join(mail.to))
    return JobOutcome.DONE


def probe_job(service: Service) -> JobOutcome:
    """Probe every home page once and record the results."""
    from govwatch.crawler.probe import run_probes

    schedule = service.schedule
    results = run_probes(
        service.config.sites, service.db_path, timezone=schedule.timezone,
        timeout=schedule.probe_timeout, workers=schedule.probe_workers, clock=service.now,
    )
    failed = [r for r in results if not r.ok]
    log.info("probe: %d home pages, %d failed%s", len(results), len(failed),
             "".join(f"; {r.site_id} {r.outcome} ({r.error})" for r in failed))
    return JobOutcome.DONE


JOBS = {"scan": scan_job, "bulletin": bulletin_job, "probe": probe_job}
