"""A crash between a scan completing and its tracking loses nothing: the next scan run
evaluates and tracks the complete scan first, in order."""

from __future__ import annotations

from support.portals import FAST, SCAN_DATE, copy_db

from govwatch.core.config import load_config
from govwatch.core.schema import open_db
from govwatch.reports import store as reports_store
from govwatch.rules import store as rules_store
from govwatch.workflow import catch_up, scan_evaluate_track


def test_a_complete_untracked_scan_is_evaluated_and_tracked_before_the_next(scanned, tmp_path):
    """The session scan completed and was never evaluated nor tracked, as after a crash
    right after the crawl: the next run tracks it first, then its own scan."""
    source, outcome = scanned
    db_path = copy_db(source, tmp_path / "govwatch.db")
    sites = load_config(source.parent / "sites.yaml").sites
    run = scan_evaluate_track(sites, db_path, as_of=SCAN_DATE, progress_interval=0,
                              settings=FAST)
    assert run.caught_up == outcome.scan_id and run.complete
    db = open_db(db_path)
    assert rules_store.evaluation_of(db, outcome.scan_id) is not None
    first, second = (reports_store.tracked_scan(db, s) for s in (outcome.scan_id,
                                                                 run.outcome.scan_id))
    assert first is not None and second is not None and first["found"] > 0
    assert second["found"] == 0  # its problems were found the week before
    assert catch_up(db_path) is None  # nothing left to do


def test_nothing_to_catch_up_before_a_first_scan(tmp_path):
    assert catch_up(tmp_path / "fresh.db") is None
    assert not (tmp_path / "fresh.db").exists()  # and no database made on the way
