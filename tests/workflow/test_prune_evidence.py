"""Retention of kept pages (存证): they live with their issue, and ``keep_evidence_days``
after it is fixed or withdrawn; a body or screenshot another kept page shares stays."""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

import pytest

from govwatch.core import kept
from govwatch.core.retention import Retention
from govwatch.core.schema import open_db
from govwatch.prune import prune

TODAY = date(2026, 11, 30)
SHARED, LONELY, RECENT = b"<html>shared page</html>", b"<html>only the old one</html>", b"<p>"
# issue id → (state, fixed_on, updated_at, body kept); written by hand for the cases below
ISSUES = {
    1: ("open", None, "2026-01-01T00:00:00Z", SHARED),  # alive: kept, however old
    2: ("fixed", "2026-05-01", "2026-05-01T08:00:00Z", SHARED),  # fixed 213 days ago: goes
    3: ("fixed", "2026-05-02", "2026-05-02T08:00:00Z", LONELY),  # goes, and its body too
    4: ("fixed", "2026-11-20", "2026-11-20T08:00:00Z", RECENT),  # fixed 10 days ago: stays
    5: ("withdrawn", None, "2026-03-01T08:00:00Z", LONELY),  # withdrawn long ago: goes
}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "govwatch.db"
    db = open_db(path)
    with db.conn:
        db["sites"].insert({"id": "s", "name": "示范县", "url": "http://s.example/"})
        for issue_id, (state, fixed_on, updated_at, body) in ISSUES.items():
            db["issues"].insert({"id": issue_id, "fingerprint": f"f{issue_id}", "site_id": "s",
                                 "rule_id": "link.broken", "state": state,
                                 "fixed_on": fixed_on, "updated_at": updated_at})
            digest = kept.sha256(body)
            kept.keep_body(db, digest, zlib.compress(body))
            shot = kept.keep_shot(db, b"jpeg of " + body, 10, 10)
            db["kept_pages"].insert({"issue_id": issue_id, "scan_id": 1, "url": "http://s.example/",
                                     "body_hash": digest, "shot_hash": shot})
    db.close()
    return path


def left(db_path: Path) -> tuple[list[int], set[bytes], int]:
    db = open_db(db_path)
    try:
        issues = [r[0] for r in db.execute("select issue_id from kept_pages order by 1")]
        bodies = {kept.body(db, r[0]) for r in db.execute("select hash from kept_bodies")}
        shots = db.execute("select count(*) from kept_shots").fetchone()[0]
    finally:
        db.close()
    return issues, bodies, shots


def test_kept_pages_go_n_days_after_their_issue_closes_and_shared_bodies_stay(db_path):
    result = prune(db_path, Retention(keep_evidence_days=180), TODAY)
    assert result.evidence == 3 and "3 kept pages of closed issues" in result.summary()
    issues, bodies, shots = left(db_path)
    assert issues == [1, 4]
    assert bodies == {SHARED, RECENT}  # the shared one stays for issue 1
    assert shots == 2


def test_a_dry_run_counts_them_and_drops_nothing(db_path):
    before = left(db_path)
    result = prune(db_path, Retention(keep_evidence_days=180), TODAY, dry_run=True)
    assert result.evidence == 3 and "would drop 3 kept pages" in result.summary()
    assert left(db_path) == before


def test_forever_keeps_them_all_and_zero_days_drops_every_closed_issues(db_path):
    prune(db_path, Retention(keep_evidence_days=None), TODAY)
    assert left(db_path)[0] == [1, 2, 3, 4, 5]
    prune(db_path, Retention(keep_evidence_days=0), TODAY)
    assert left(db_path)[0] == [1]
