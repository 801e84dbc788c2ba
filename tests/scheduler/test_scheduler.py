"""The scheduler on a controlled clock: no real waiting, the job store on disk.

A test moves a fake clock, patches the ``datetime`` that APScheduler's scheduler and
executor read, and calls the scheduler's ``_process_jobs`` itself, sleeping for exactly the
time ``_process_jobs`` asks, as the scheduler's own thread would. Jobs run in the calling
thread (APScheduler's DebugExecutor); most tests replace the job functions with recorders.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from support.portals import FAST, LOOPBACK_LINKS, PORTALS, scan

from govwatch import scheduler
from govwatch.core import scans
from govwatch.core.config import Site, load_config
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler import store as crawl_store
from govwatch.crawler.runner import job_dir
from govwatch.demo.server import PortalServer
from govwatch.scheduler.jobs import JobOutcome

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in Asia/Shanghai in the week of Monday 2026-11-23 (day 23 … 30)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """The time a test says it is."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """A fake clock, also behind ``datetime.now`` in APScheduler's scheduler and executor."""
    fake = Clock(TUESDAY)

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return fake.now.astimezone(tz) if tz else fake.now.replace(tzinfo=None)

    monkeypatch.setattr("apscheduler.schedulers.base.datetime", FakeDatetime)
    monkeypatch.setattr("apscheduler.executors.base.datetime", FakeDatetime)
    return fake


class ManualScheduler(BaseScheduler):
    """A scheduler without a thread of its own: the test calls ``_process_jobs``."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def wakeup(self) -> None:
        pass


class Recorder(dict):
    """Job functions that record (job, local time) instead of working."""

    def __init__(self, fail: tuple[str, ...] = ()) -> None:
        super().__init__({name: self.job(name) for name in ("scan", "bulletin", "probe")})
        self.runs: list[tuple[str, datetime]] = []
        self.fail = fail

    def job(self, name: str):
        def run(service: scheduler.Service) -> JobOutcome:
            self.runs.append((name, service.now()))
            if name in self.fail:
                raise RuntimeError(f"{name} broke")
            return JobOutcome.DONE

        return run

    def of(self, name: str) -> list[datetime]:
        return [when for job, when in self.runs if job == name]


def write_config(tmp_path: Path, url: str = "http://127.0.0.1:9/", **schedule) -> Path:
    """A config of one site ``a`` at *url*, with *schedule*."""
    path = tmp_path / "govwatch.yaml"
    config = {"timezone": "Asia/Shanghai", "schedule": schedule,
              "sites": [{"id": "a", "name": "站点a", "url": url}]}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def start(tmp_path: Path, clock: Clock, recorder: Recorder, **schedule):
    """A service of a config with *schedule* (and ``url``), started on a manual scheduler."""
    service = scheduler.Service(load_config(write_config(tmp_path, **schedule)),
                                tmp_path / "govwatch.db", tmp_path / "out", clock=clock,
                                jobs=recorder)
    sched = service.build_scheduler(ManualScheduler, DebugExecutor())
    service.start(sched)
    return service, sched


def run_until(sched: BaseScheduler, clock: Clock, end: datetime) -> None:
    """Process due jobs, then move the clock to the next wake-up, until *end*."""
    while True:
        wait = sched._process_jobs()
        if wait is None or clock.now + timedelta(seconds=wait) > end:
            clock.now = end
            return
        clock.now += timedelta(seconds=wait)


def test_jobs_fire_at_their_local_times_across_a_week(tmp_path, clock):
    clock.now = at(23, 0, 30)  # Monday 00:30
    jobs = Recorder()
    _, sched = start(tmp_path, clock, jobs, probes_per_day=4)  # scan, bulletins by default
    run_until(sched, clock, at(30, 3))  # to Monday next week, 03:00
    assert jobs.of("scan") == [at(23, 2), at(30, 2)]
    assert jobs.of("bulletin") == [at(25, 9), at(27, 9)]  # Wednesday and Friday
    probes = jobs.of("probe")
    assert probes[:4] == [at(23, 6), at(23, 12), at(23, 18), at(24, 0)]
    assert len(probes) == 3 + 6 * 4 + 1 and probes[-1] == at(30, 0)
    # Local times: Monday 02:00 in Shanghai is Sunday 18:00 UTC.
    assert jobs.of("scan")[0].astimezone(ZoneInfo("UTC")).strftime("%a %H:%M") == "Sun 18:00"
    job = sched.get_job("scan")
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 6 * 3600)


def restart(tmp_path: Path, clock: Clock, when: datetime, **schedule):
    """Run a service on Tuesday 10:00, stop it, and start another one at *when* with the
    same job store: (recorder of the second, its scheduler, its dry-run rows)."""
    first, first_sched = start(tmp_path, clock, Recorder(), probes_per_day=0, **schedule)
    first_sched._process_jobs()
    first_sched.shutdown()
    clock.now = when
    jobs = Recorder()
    service = scheduler.Service(first.config, first.db_path, first.out_dir, clock=clock, jobs=jobs)
    rows = {row["job"]: row for row in service.next_runs()}
    sched = service.build_scheduler(ManualScheduler, DebugExecutor())
    service.start(sched)
    sched._process_jobs()
    sched._process_jobs()  # again at the same time: nothing runs twice
    return jobs, sched, rows


@pytest.mark.parametrize(("down_until", "runs", "note"), [
    (at(25, 11, 30), [at(25, 11, 30)], "missed 2026-11-25 09:00 Wed: runs at start-up"),
    (at(26, 10), [], "missed 2026-11-25 09:00 Wed: too late, skipped"),
    # Wednesday's and Friday's runs coalesce into one, at start-up.
    (at(27, 10), [at(27, 10)], "missed 2026-11-27 09:00 Fri: runs at start-up"),
])
def test_a_bulletin_missed_while_down_runs_once_at_start_up_within_the_grace(
        tmp_path, clock, down_until, runs, note):
    jobs, sched, rows = restart(tmp_path, clock, down_until)
    assert rows["bulletin"]["note"] == note  # what --dry-run says before the start
    assert jobs.of("bulletin") == runs
    assert jobs.of("scan") == []
    next_run = sched.get_job("bulletin").next_run_time
    assert next_run == (at(27, 9) if down_until < at(27, 9) else at(30, 9) + timedelta(days=2))


def test_stopping_the_service_never_marks_a_due_job_done(tmp_path, clock):
    service, sched = start(tmp_path, clock, Recorder(), probes_per_day=0)
    sched.shutdown()
    clock.now = at(25, 11)  # the Wednesday bulletin is due
    real = service.build_scheduler()  # the service's own, with its thread
    real.start(paused=True)
    real.shutdown()  # APScheduler's thread wakes once more here
    assert {r["job"]: r["note"] for r in service.next_runs()}["bulletin"] == (
        "missed 2026-11-25 09:00 Wed: runs at start-up")


def test_a_changed_time_replaces_the_stored_job(tmp_path, clock):
    start(tmp_path, clock, Recorder(), bulletins="wed 09:00", probes_per_day=0)[1].shutdown()
    clock.now = at(25, 11)  # Wednesday 09:00 was missed, but the times changed meanwhile
    jobs = Recorder()
    _, sched = start(tmp_path, clock, jobs, bulletins="thu 09:00", probes_per_day=0)
    sched._process_jobs()
    assert jobs.runs == []  # the Wednesday run belonged to the old times
    assert sched.get_job("bulletin").next_run_time == at(26, 9)


def test_a_failing_job_is_logged_and_runs_again_at_its_next_time(tmp_path, clock, caplog):
    clock.now = at(23, 0, 30)
    jobs = Recorder(fail=("probe",))
    _, sched = start(tmp_path, clock, jobs, probes_per_day=24, scan=False, bulletins=False)
    run_until(sched, clock, at(23, 5, 30))
    assert jobs.of("probe") == [at(23, h) for h in range(1, 6)]
    failures = [r for r in caplog.records if "job probe failed" in r.getMessage()]
    assert len(failures) == 5 and "RuntimeError: probe broke" in failures[0].getMessage()
    assert sched.get_job("probe").next_run_time == at(23, 6)


def test_an_interrupted_scan_is_resumed_at_start_up_within_the_grace(tmp_path, clock):
    clock.now = datetime.now(SHANGHAI)  # scans are stamped by the wall clock
    db = open_db(tmp_path / "govwatch.db")
    site = Site(id="a", name="站点a", url="http://127.0.0.1:9/", unit="站点a")
    crawl_store.mark_scan(db, crawl_store.start_scan(db, [site], "2026-11-24"), ScanStatus.FAILED)
    quiet = {"scan": f"daily {clock.now + timedelta(hours=12):%H:%M}", "bulletins": False,
             "probes_per_day": 0}  # nothing else due in the next 7 hours
    jobs = Recorder()
    _, sched = start(tmp_path, clock, jobs, **quiet)
    sched._process_jobs()
    assert [job for job, _ in jobs.runs] == ["scan"]
    clock.now += timedelta(hours=7)  # longer ago than the 6 h grace: left for a person
    late = Recorder()
    start(tmp_path, clock, late, **quiet)[1]._process_jobs()
    assert late.runs == []


HOLD_LOCK = textwrap.dedent("""
    import sys
    from pathlib import Path
    from govwatch.crawler.runner import scan_lock
    with scan_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.read()
""")


def test_a_scan_is_skipped_while_another_process_holds_the_scan_lock(tmp_path, clock, caplog):
    db_path = tmp_path / "govwatch.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"  # e.g. `govwatch scan` by hand
        service = scheduler.Service(load_config(write_config(tmp_path)), db_path, tmp_path)
        assert service.run("scan") == JobOutcome.SKIPPED
    finally:
        holder.communicate("")
    assert "scan skipped: another scan of" in caplog.text
    assert scans.latest_complete_scan(open_db(db_path)) is None
    assert list(open_db(db_path).query("select id from scans")) == []  # nothing started


SERVE = textwrap.dedent("""
    import json, sys
    from govwatch import scheduler
    job = json.loads(sys.argv[1])
    scheduler.configure_logging()
    scheduler.Service.from_files(job["config"], job["db"], job["out"],
                                 crawl_settings=job["settings"]).serve()
""")
# Slow and one request at a time, so that SIGTERM lands mid-crawl.
SLOW = {"DOWNLOAD_DELAY": 0.15, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "RANDOMIZE_DOWNLOAD_DELAY": False}


def wait_for_pages(db_path: Path, scan_id: int, pages: int, timeout: float = 60) -> None:
    """Wait until scan *scan_id* is running and has recorded *pages* pages."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(db_path) as conn:
            found = conn.execute("select count(*) from pages p join scans s on s.id = p.scan_id "
                                 "where s.id = ? and s.status = 'running'", [scan_id]).fetchone()
        if found[0] >= pages:
            return
        time.sleep(0.1)
    raise AssertionError(f"scan {scan_id} did not get going")


def test_sigterm_during_a_scheduled_scan_leaves_the_database_consistent(tmp_path, clock):
    db_path = tmp_path / "govwatch.db"
    clock.now = datetime.now(SHANGHAI) - timedelta(minutes=10)
    due = f"daily {datetime.now(SHANGHAI) - timedelta(minutes=1):%H:%M}"
    with PortalServer(PORTALS / "trs") as server:
        config = write_config(tmp_path, url=server.url, scan=due, bulletins=False,
                              probes_per_day=0)
        first = scan(config, db_path)  # the complete scan readers see
        # Ten minutes ago the service stopped; the scan fell due a minute ago.
        start(tmp_path, clock, Recorder(), url=server.url, scan=due, bulletins=False,
              probes_per_day=0)[1].shutdown()
        job = {"config": str(config), "db": str(db_path), "out": str(tmp_path / "out"),
               "settings": SLOW}
        with open(tmp_path / "service.log", "w") as log:
            service = subprocess.Popen(
                [sys.executable, "-c", SERVE, json.dumps(job)], stderr=log,
                cwd=Path(__file__).parents[2],
                env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
            try:
                wait_for_pages(db_path, first.scan_id + 1, pages=3)  # it ran at start-up
            finally:
                service.send_signal(signal.SIGTERM)
                code = service.wait(timeout=60)
        logged = (tmp_path / "service.log").read_text(encoding="utf-8")
        assert code == 0, logged
        assert "SIGTERM received: stopping" in logged and "scheduler stopped" in logged
        assert f"scan {first.scan_id + 1} failed" in logged
        db = open_db(db_path)
        statuses = dict(db.execute("select id, status from scans").fetchall())
        assert statuses == {first.scan_id: "complete", first.scan_id + 1: "failed"}
        assert scans.latest_complete_scan(db) == first.scan_id  # still what readers see
        assert crawl_store.resumable_scan(db)["id"] == first.scan_id + 1
        assert not job_dir(db_path, first.scan_id + 1).exists()  # resumed from the database
        resumed = scan(config, db_path, resume=True)
    assert (resumed.scan_id, resumed.status) == (first.scan_id + 1, "complete")


def test_the_scan_job_prunes_after_each_complete_scan(tmp_path, clock, caplog):
    """Keeping one whole scan: the first keeps the detail of the URLs its issues name (still
    there: it is their evidence) once the second is complete; the second, neither where an
    issue was first seen nor last, loses its detail once the third is complete."""
    caplog.set_level("INFO", logger="govwatch.scheduler")
    db_path = tmp_path / "govwatch.db"
    with PortalServer(PORTALS / "trs") as server:
        config = tmp_path / "govwatch.yaml"
        config.write_text(yaml.safe_dump({
            "retention": {"keep_full_scans": 1},
            "sites": [{"id": "a", "name": "站点a", "url": server.url, **LOOPBACK_LINKS}],
        }, allow_unicode=True), encoding="utf-8")
        service = scheduler.Service(load_config(config), db_path, tmp_path / "out",
                                    crawl_settings=FAST, clock=clock)
        for _ in range(3):
            assert service.run("scan") == JobOutcome.DONE
    pruned = [r.getMessage() for r in caplog.records if r.getMessage().startswith("prune:")]
    assert len(pruned) == 3  # after every scan
    assert pruned[0].startswith("prune: dropped nothing; database")
    assert pruned[1].startswith("prune: dropped the detail of 1 scan but their issues' "
                                "evidence (")
    assert pruned[1].endswith("(incremental vacuum); scans 1 (trimmed)")
    assert pruned[2].startswith("prune: dropped the detail of 1 scan (")
    assert pruned[2].endswith("(incremental vacuum); scans 2 (detail)")
    db = open_db(db_path)
    assert {r[0] for r in db.execute("select distinct scan_id from pages")} == {1, 3}
    assert scans.pruned(db, 2) == "detail"
    named = {url for row in db.execute("select subject_url, source_url from issues")
             for url in row if url}
    kept = {r[0] for r in db.execute("select url from pages where scan_id = 1")}
    assert kept and kept <= named  # of scan 1, only pages its issues name
