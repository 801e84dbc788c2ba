"""When things happen: weekly scans, availability probes, Wednesday/Friday bulletins.

``govwatch schedule`` runs a :class:`Service` in the foreground (under systemd or in a
container): APScheduler 3 runs the jobs of :mod:`scheduler.jobs` (``scan``,
``bulletin``, ``probe``) at the times of the config's ``schedule:`` section
(:mod:`govwatch.core.schedule`), in the config's ``timezone``. It knows time only: the jobs
call the library and hold none of its logic.

Config read: ``timezone``; ``schedule:`` (scan, bulletins, probes_per_day, probe_timeout,
probe_workers, misfire_grace); ``rectification:`` (the bulletin's settings); ``mail:``;
``sites:``.

Reliability:

- Next run times live in a job store beside the database (``<db>.schedule.sqlite``,
  APScheduler's SQLAlchemyJobStore). At start-up a stored job whose trigger is unchanged
  is kept as stored, so a run missed while the service was down is still due: it runs once
  (missed runs coalesce) when at most ``misfire_grace`` late, and is logged as missed
  otherwise. A job whose times changed in the config is replaced.
- One run of a job at a time (``max_instances=1``), and one scan of a database at a time
  across processes (:func:`crawler.runner.scan_lock`): a scan due while another runs is
  logged and skipped.
- A job that fails is logged with its cause; the scheduler carries on, and the job runs
  again at its next time.
- SIGTERM or SIGINT: no job starts any more, running crawls are asked to stop
  (:func:`crawler.runner.interrupt_running`; each ends ``failed`` and resumable), and the
  service waits for running jobs, then returns. A scan interrupted so is resumed at the
  next start-up when it began less than ``misfire_grace`` ago.

Time: jobs ask :meth:`Service.now` (the clock given, else the wall clock in the config's
timezone). Tests give a clock, patch the ``datetime`` that APScheduler reads, and drive the
scheduler's ``_process_jobs`` themselves.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from logging.handlers import WatchedFileHandler
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.base import BaseExecutor
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from govwatch.core.config import Config, load_config
from govwatch.core.schedule import DAYS, At, Schedule
from govwatch.crawler.runner import interrupt_running
from govwatch.reports.settings import ReportSettings
from govwatch.scheduler.jobs import EXPECTED_ERRORS, JOBS, JobOutcome, interrupted_scan

log = logging.getLogger("govwatch.scheduler")

STORE = "default"  # the persistent job store
ONCE = "once"  # in memory: a one-off run (resuming an interrupted scan at start-up)
_PROBE_EPOCH = datetime(2000, 1, 3)  # a Monday midnight: probes fall on the same minutes daily


@dataclass(frozen=True)
class JobSpec:
    """One job as the config wants it: its trigger and how late a missed run may start."""

    id: str
    trigger: BaseTrigger
    grace: int  # seconds (APScheduler's misfire_grace_time)
    when: str  # its times, as a person reads them


def weekly_trigger(times: Sequence[At], timezone: ZoneInfo) -> BaseTrigger:
    """A cron trigger per time of day (its days joined: ``wed,fri 09:00``), or their union."""
    by_time: dict[tuple[int, int], set[str]] = {}
    for at in times:
        by_time.setdefault((at.hour, at.minute), set()).update(at.days)
    triggers = [
        CronTrigger(day_of_week=",".join(d for d in DAYS if d in days), hour=hour,
                    minute=minute, timezone=timezone)
        for (hour, minute), days in by_time.items()
    ]
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def job_specs(schedule: Schedule) -> list[JobSpec]:
    """The jobs of *schedule*: scan and bulletin at weekly times, probes evenly over the day
    (a job switched off is left out)."""
    zone = ZoneInfo(schedule.timezone)
    specs = [
        JobSpec(name, weekly_trigger(times, zone), schedule.misfire_grace,
                ", ".join(map(str, times)))
        for name, times in (("scan", schedule.scan), ("bulletin", schedule.bulletins)) if times
    ]
    if schedule.probes_per_day:
        every = 86400 // schedule.probes_per_day
        trigger = IntervalTrigger(seconds=every, start_date=_PROBE_EPOCH.replace(tzinfo=zone),
                                  timezone=zone)
        specs.append(JobSpec("probe", trigger, max(every // 2, 1),
                             f"{schedule.probes_per_day} a day (every {timedelta(seconds=every)})"))
    return specs


def _last_due(trigger: BaseTrigger, first: datetime, now: datetime) -> datetime:
    """The latest fire time from *first* up to *now* (what a coalesced missed run is for)."""
    last, upcoming = first, trigger.get_next_fire_time(first, now)
    while upcoming is not None and upcoming <= now:
        last, upcoming = upcoming, trigger.get_next_fire_time(upcoming, now)
    return last


class ServiceScheduler(BackgroundScheduler):
    """APScheduler's BackgroundScheduler, minus one last pass over the jobs after shutdown:
    its thread wakes once more when stopped, and a job due then would be marked done in the
    job store without having run."""

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


_active: Service | None = None  # the service whose jobs run in this process


def run_job(name: str) -> str:
    """What every stored job calls: run job *name* in the active service. Stored jobs hold
    only this reference and the name, so the store survives changes of paths and code."""
    if _active is None:
        raise RuntimeError("no govwatch scheduler service is running in this process")
    return str(_active.run(name))


@dataclass
class Service:
    """The scheduler service of one config, database and output folder.

    *crawl_settings* override crawl settings of the scans (tests slow them down or speed
    them up); *clock* replaces the wall clock; *jobs* replace the job functions (tests
    record calls instead of scanning).
    """

    config: Config
    db_path: Path
    out_dir: Path
    crawl_settings: Mapping[str, Any] = field(default_factory=dict)
    clock: Callable[[], datetime] | None = None
    jobs: Mapping[str, Callable[[Service], JobOutcome]] = field(default_factory=lambda: JOBS)

    def __post_init__(self) -> None:
        self.db_path, self.out_dir = Path(self.db_path), Path(self.out_dir)
        self.schedule = Schedule.from_config(self.config)
        self.report_settings = ReportSettings.from_mapping(self.config.rectification)
        self.timezone = ZoneInfo(self.config.timezone)

    @classmethod
    def from_files(cls, config_path: str | Path, db_path: str | Path, out_dir: str | Path,
                   **options: Any) -> Service:
        """The service of a config file; ConfigError or ReportError for a bad one."""
        return cls(load_config(config_path), Path(db_path), Path(out_dir), **options)

    @property
    def job_store_path(self) -> Path:
        """The SQLite file of the persistent job store, beside the database."""
        return self.db_path.with_name(f"{self.db_path.name}.schedule.sqlite")

    def now(self) -> datetime:
        """The current time in the config's timezone (from the clock, when one was given)."""
        return (self.clock() if self.clock else datetime.now()).astimezone(self.timezone)

    def run(self, name: str) -> JobOutcome:
        """Run job *name* once, as the scheduler does: its end is logged, and an error is
        logged with its cause, never raised."""
        started = time.monotonic()
        try:
            outcome = self.jobs[name](self)
        except EXPECTED_ERRORS as error:
            log.error("job %s failed: %s: %s", name, type(error).__name__, error)
            outcome = JobOutcome.FAILED
        except Exception as error:  # a bug: the traceback goes to the log too
            log.exception("job %s failed: %s: %s", name, type(error).__name__, error)
            outcome = JobOutcome.FAILED
        log.info("job %s %s in %.1f s", name, outcome, time.monotonic() - started)
        return outcome

    def job_store(self) -> BaseJobStore:
        """The persistent job store (APScheduler's SQLAlchemyJobStore on a SQLite file)."""
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        return SQLAlchemyJobStore(url=f"sqlite:///{self.job_store_path.resolve()}")

    def build_scheduler(self, scheduler_class: type[BaseScheduler] = ServiceScheduler,
                        executor: BaseExecutor | None = None) -> BaseScheduler:
        """An APScheduler scheduler with the persistent job store, in the config's timezone."""
        return scheduler_class(
            jobstores={STORE: self.job_store(), ONCE: MemoryJobStore()},
            executors={"default": executor or ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=self.timezone,
        )

    def start(self, scheduler: BaseScheduler) -> None:
        """Start *scheduler* with the config's jobs, running them in this service."""
        global _active
        _active = self
        scheduler.start(paused=True)  # job stores open, nothing runs yet
        self._sync_jobs(scheduler)
        self._resume_interrupted_scan(scheduler)
        scheduler.resume()

    def _sync_jobs(self, scheduler: BaseScheduler) -> None:
        """Make the stored jobs those of the config. A stored job whose trigger is unchanged
        keeps its next run time (re-adding it would compute a new one from now and lose a
        run missed while the service was down)."""
        specs = {spec.id: spec for spec in job_specs(self.schedule)}
        for job in scheduler.get_jobs(jobstore=STORE):
            if job.id not in specs:
                scheduler.remove_job(job.id, STORE)
                log.info("job %s removed: no longer in the schedule", job.id)
        now = self.now()
        for spec in specs.values():
            options = {"func": run_job, "args": (spec.id,), "name": spec.id,
                       "misfire_grace_time": spec.grace, "coalesce": True, "max_instances": 1}
            stored = scheduler.get_job(spec.id, STORE)
            if stored is not None and repr(stored.trigger) == repr(spec.trigger):
                scheduler.modify_job(spec.id, STORE, **options)
                if stored.next_run_time and stored.next_run_time <= now:
                    log.info("job %s missed its run at %s while the service was down",
                             spec.id, self._local(stored.next_run_time))
            else:
                scheduler.add_job(trigger=spec.trigger, id=spec.id, jobstore=STORE,
                                  replace_existing=True, **options)

    def _resume_interrupted_scan(self, scheduler: BaseScheduler) -> None:
        """Resume now a scan that a stop interrupted less than ``misfire_grace`` ago, unless
        the scan job is due anyway (it resumes such a scan itself)."""
        if "scan" not in self.jobs or interrupted_scan(self) is None:
            return
        scan = scheduler.get_job("scan", STORE)
        if scan is not None and scan.next_run_time and scan.next_run_time <= self.now():
            return
        log.info("an interrupted scan started less than %s ago: resuming it now",
                 timedelta(seconds=self.schedule.misfire_grace))
        scheduler.add_job(run_job, "date", args=("scan",), id="scan-resume", name="scan",
                          jobstore=ONCE, run_date=self.now(),
                          misfire_grace_time=self.schedule.misfire_grace)

    def next_runs(self, scheduler: BaseScheduler | None = None) -> list[dict[str, str]]:
        """Per job: its times and its next run, as a scheduler started now would run it (a
        stored run missed within its grace runs at start-up); from *scheduler*'s own jobs
        when given, else from the job store."""
        stored = {job.id: job for job in (scheduler.get_jobs(jobstore=STORE) if scheduler
                                          else self._stored_jobs())}
        now = self.now()
        rows = []
        for spec in job_specs(self.schedule):
            job = stored.get(spec.id)
            due = (job.next_run_time if job is not None
                   and repr(job.trigger) == repr(spec.trigger) else None)
            upcoming, note = due or spec.trigger.get_next_fire_time(None, now), ""
            if due is not None and due <= now:
                missed = _last_due(spec.trigger, due, now)
                if now - missed <= timedelta(seconds=spec.grace):
                    upcoming, note = now, f"missed {self._local(missed)}: runs at start-up"
                else:
                    upcoming = spec.trigger.get_next_fire_time(None, now)
                    note = f"missed {self._local(missed)}: too late, skipped"
            rows.append({"job": spec.id, "when": spec.when, "next_run": self._local(upcoming),
                         "note": note})
        return rows

    def _stored_jobs(self) -> list[Job]:
        """The jobs in the job store file, without changing it (none if there is no file)."""
        if not self.job_store_path.exists():
            return []
        jobs = self.job_store()  # read directly: a started scheduler could run a due job
        jobs.start(BackgroundScheduler(timezone=self.timezone), STORE)  # never started
        try:
            return jobs.get_all_jobs()
        finally:
            jobs.shutdown()

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self.timezone).strftime("%Y-%m-%d %H:%M %a")

    def serve(self) -> None:
        """Run the jobs on their schedule until SIGTERM or SIGINT, then stop cleanly (main
        thread only)."""
        scheduler = self.build_scheduler()
        with stop_signals() as stop:
            self.start(scheduler)
            for row in self.next_runs(scheduler):
                log.info("job %s (%s): next run %s%s", row["job"], row["when"], row["next_run"],
                         f" ({row['note']})" if row["note"] else "")
            log.info("scheduler running: database %s, bulletins into %s", self.db_path,
                     self.out_dir)
            while not stop.wait(1):
                pass
            scheduler.pause()
            stop_cleanly(lambda: scheduler.shutdown(wait=True))
        log.info("scheduler stopped")

    def run_now(self, name: str) -> JobOutcome:
        """Run job *name* once in a worker thread, as the scheduler would, stopping it
        cleanly on SIGTERM or SIGINT (main thread only)."""
        result: list[JobOutcome] = []
        worker = threading.Thread(target=lambda: result.append(self.run(name)),
                                  name=f"govwatch-{name}")
        with stop_signals() as stop:
            worker.start()
            while worker.is_alive() and not stop.wait(0.2):
                pass
            stop_cleanly(worker.join)
        return result[0] if result else JobOutcome.FAILED


@contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while inside (the main thread's handlers)."""
    stop = threading.Event()

    def handle(signum: int, _frame: Any) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop_cleanly(finish: Callable[[], None]) -> None:
    """Call *finish* (waiting for running jobs) in a thread, asking every crawl that runs
    meanwhile to stop, until it returns."""
    waiter = threading.Thread(target=finish, name="govwatch-stop")
    waiter.start()
    while waiter.is_alive():
        interrupt_running()
        waiter.join(0.1)


def configure_logging(log_file: str | Path | None = None, level: int = logging.INFO) -> None:
    """Log to stderr (journald under systemd) or to *log_file* (reopened when rotated)."""
    handler: logging.Handler = (WatchedFileHandler(log_file, encoding="utf-8") if log_file
                                else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
