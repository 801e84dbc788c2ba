"""Retention: which scans keep what, and pruning the rest (``govwatch prune``; the scheduler
prunes after each complete scan).

A weekly scan adds a copy of every page's rows, so without pruning a database only grows.
The policy (settings: the sites file's ``retention:``, :mod:`govwatch.core.retention`),
scan by scan:

- a ``running`` scan is never touched, nor the failed scan ``govwatch scan --resume`` would
  continue (:func:`crawler.store.resumable_scan`: the newest unfinished scan, when newer
  than every complete one);
- every other failed scan is dropped whole, its row too: resume never picks it;
- a complete scan keeps its full detail when it is one of the ``keep_full_scans`` newest
  complete scans, or when one of the ``keep_bulletin_scans`` newest bulletins reports it;
- a complete scan an active issue was first or last seen in keeps the detail of the URLs
  such issues name (the page, the page linking it, the link target's check: their
  evidence) and loses the rest (``trimmed``): pinning a scan whole for one issue would keep
  a whole copy of a portal a week for as long as the issue lives;
- any other complete scan loses its detail (pages, links, items, texts, link checks,
  column pages, footer facts, the attachments it saw and the texts no other scan holds);
  judged before the summary window (``keep_summary_years``), its summary too (site
  status, columns, findings, evaluation). Its ``scans`` row stays: tracked scans, bulletins
  and the audit trail name it.

Kept pages (存证, :mod:`govwatch.core.kept`) live with their issue: those of an issue fixed
or withdrawn more than ``keep_evidence_days`` days before the prune's day go (and the
bodies and screenshots no other kept page shares), in one transaction after the scans.

Never pruned: issues, their audit trail (``issue_events``), bulletins and their per-unit
counts, tracked scans, sites, probes. A published bulletin is stored with its content, so
the same date gives the same bulletin whatever was pruned since.

How: under the scan lock (:mod:`crawler.scanlock`), so no scan runs meanwhile, and a scan
running refuses the prune (ScanBusy). One transaction per scan: an interrupted prune leaves
every scan whole or pruned as planned, and the next prune finishes the job; each is recorded
in ``pruned_scans``. Then the freed pages go back to the file system: ``PRAGMA
incremental_vacuum`` when the database frees incrementally (every database made since
retention came), else one ``VACUUM`` that switches it over for good; that one rewrites the
whole file, so it takes a while and needs as much free disk as the database.

Sizes: what a scan would free is estimated beforehand (its rows counted, their bytes from a
sample of their stored lengths: :func:`govwatch.core.scans.rows_and_bytes`); what it freed
is measured (the pages its transaction emptied whole, from the free list); and so is the
database's size before and after (its pages: the file's size once the WAL is folded in, as
the prune does at its end).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from govwatch.core import kept, scans
from govwatch.core.retention import Retention
from govwatch.core.schema import Store, open_db
from govwatch.core.vocabulary import IssueState, Pruned, ScanStatus
from govwatch.crawler import store as crawl_store
from govwatch.crawler.scanlock import ScanLock
from govwatch.reports import store as reports_store
from govwatch.rules import store as rules_store

__all__ = ["PruneResult", "ScanFate", "plan", "prune", "size_text"]

# The tables each level drops, besides the level before it (their rows are counted; a
# scan's detail is counted by the crawl's store, which shares it between scans).
_DROPS = {
    Pruned.TRIMMED: (),
    Pruned.DETAIL: (),
    Pruned.SUMMARY: ("scan_sites", "columns", "findings", "evaluations"),
    Pruned.SCAN: (),
}
# How a summary names each level's scans: its words, and what kind of scans they are.
_SAID = {Pruned.TRIMMED: ("the detail of {} but their issues' evidence", ""),
         Pruned.DETAIL: ("the detail of {}", ""), Pruned.SUMMARY: ("detail and summary of {}", ""),
         Pruned.SCAN: ("{} whole", "failed ")}
ESTIMATE = "rows counted; bytes estimated from their stored lengths"
INCREMENTAL = 2  # PRAGMA auto_vacuum


@dataclass
class ScanFate:
    """What a prune does with one scan, and why."""

    scan_id: int
    as_of: str
    status: str
    drop: Pruned | None  # what this prune drops of it; None: it keeps what it has
    why: str
    spared: tuple[str, ...] = ()  # URLs whose detail a trimmed scan keeps: issues' evidence
    rows: int = 0  # rows it drops, counted beforehand
    bytes: int = 0  # their size, estimated beforehand
    freed: int | None = None  # bytes of the pages its transaction emptied, once done

    def done(self) -> str:
        """One line: what was dropped of the scan, once done."""
        what = {Pruned.TRIMMED: "its detail but its active issues' evidence",
                Pruned.DETAIL: "its detail", Pruned.SUMMARY: "its detail and summary",
                Pruned.SCAN: "it whole"}[self.drop]
        return (f"scan {self.scan_id}: dropped {what} ({self.rows} rows; pages freed "
                f"{size_text(self.freed or 0)})")

    def row(self) -> dict[str, Any]:
        """The fate as a plain row, for listings."""
        return {"scan": self.scan_id, "as_of": self.as_of, "status": self.status,
                "drop": str(self.drop) if self.drop else None,
                **({"rows": self.rows, "bytes": self.bytes} if self.drop
                   else {"rows": None, "bytes": None}),
                "freed": self.freed, "why": self.why}


@dataclass
class PruneResult:
    """A prune, planned (``dry_run``) or done: each scan it drops something of, or keeps
    beyond the newest, and how the space went back."""

    fates: list[ScanFate]
    newest: list[int]  # the newest complete scans, kept whole without further reason
    dry_run: bool
    vacuum: str  # "incremental", or "vacuum": one VACUUM switches the database over
    size_before: int  # bytes of the database's pages
    size_after: int | None = None
    evidence: int = 0  # kept pages of long-closed issues dropped (or due, in a dry run)

    @property
    def due(self) -> list[ScanFate]:
        """The scans this prune drops something of."""
        return [fate for fate in self.fates if fate.drop is not None]

    def summary(self) -> str:
        """One line: what was (or would be) dropped, how much, and the database's size."""
        due = self.due
        counts = {level: sum(fate.drop is level for fate in due) for level in Pruned}
        what = ", ".join([text.format(_scans(counts[level], kind))
                          for level, (text, kind) in _SAID.items() if counts[level]]
                         + ([f"{self.evidence} kept page{'s' * (self.evidence != 1)} of "
                             "closed issues"] if self.evidence else [])) or "nothing"
        rows = f"{sum(f.rows for f in due)} rows, ~{size_text(sum(f.bytes for f in due))}"
        if self.dry_run:
            switch = ("; the first prune switches it to incremental vacuum (one VACUUM "
                      "rewrites the file)" if self.vacuum == "vacuum" else "")
            return (f"would drop {what}" + (f" ({rows}; {ESTIMATE})" if due else "")
                    + f"; database {size_text(self.size_before)}{switch}")
        freed = size_text(sum(fate.freed or 0 for fate in due))
        how = "VACUUM, now incremental" if self.vacuum == "vacuum" else "incremental vacuum"
        return (f"dropped {what}" + (f" ({rows}; pages freed {freed})" if due else "")
                + f"; database {size_text(self.size_before)} → "
                f"{size_text(self.size_after or 0)} ({how})")


def _scans(count: int, kind: str = "") -> str:
    return f"{count} {kind}scan{'' if count == 1 else 's'}"


def size_text(size: int) -> str:
    """*size* bytes as people read them: 812 B, 12.3 KB, 4.5 MB, 1.2 GB."""
    if size < 1000:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if round(value, 1) < 1000:  # 1.0 MB, not 1023.9 KB
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def prune(
    db_path: str | Path, retention: Retention, today: date, *, dry_run: bool = False,
    on_scan: Callable[[ScanFate], None] | None = None,
) -> PruneResult:
    """Apply *retention* to the database at *db_path*, judged at *today* (the summary
    window counts back from it); with *dry_run*, only say what would go. *on_scan* hears of
    each scan once its transaction committed. ScanBusy while a scan runs (a dry run reads
    beside it)."""
    db_path = Path(db_path)
    with nullcontext() if dry_run else ScanLock(db_path):
        db = open_db(db_path)
        try:
            fates, newest = plan(db, retention, today)
            vacuum = ("incremental" if _pragma(db, "auto_vacuum") == INCREMENTAL
                      else "vacuum")
            result = PruneResult(fates, newest, dry_run, vacuum, _size_of(db))
            expired = expired_evidence(db, retention, today)
            result.evidence = len(expired)
            if dry_run:
                return result
            for fate in result.due:
                _drop(db, fate)
                if on_scan is not None:
                    on_scan(fate)
            _drop_evidence(db, expired)
            _return_space(db, vacuum)
            result.size_after = _size_of(db)
        finally:
            db.close()
    return result


def plan(db: Store, retention: Retention, today: date) -> tuple[list[ScanFate], list[int]]:
    """What *retention* does with each scan at *today*, newest first: the scans it drops
    something of or keeps for a reason beyond being among the newest, and the ids of the
    newest complete scans."""
    resumable = crawl_store.resumable_scan(db)
    resumable_id = resumable["id"] if resumable else None
    newest_complete = scans.latest_complete_scan(db)
    whole = _bulletin_scans(db, retention)
    evidence = _evidence(db)
    done = scans.pruned_scans(db)
    since = retention.summary_since(today).isoformat()
    fates, newest = [], []
    for scan in scans.all_scans(db):
        scan_id, status = scan["id"], scan["status"]
        drop: Pruned | None = None
        if status == ScanStatus.RUNNING:
            why = "running (left by a process that died): never touched"
        elif status != ScanStatus.COMPLETE and scan_id == resumable_id:
            why = "failed: govwatch scan --resume continues it"
        elif status != ScanStatus.COMPLETE:
            drop = Pruned.SCAN
            why = (f"failed before complete scan {newest_complete}: resume never picks it"
                   if newest_complete and scan_id < newest_complete
                   else f"failed: resume picks scan {resumable_id} instead")
        elif len(newest) < retention.keep_full_scans:
            newest.append(scan_id)
            continue
        elif scan_id in whole:
            why = f"kept whole: {whole[scan_id]}"
        elif scan_id in evidence:
            drop = Pruned.TRIMMED
            why = f"keeps only the evidence of {evidence[scan_id].reason()} (the URLs named)"
        elif scan["as_of"] < since:
            drop = Pruned.SUMMARY
            why = f"judged on {scan['as_of']}, before the summary window (from {since})"
        else:
            drop = Pruned.DETAIL
            why = f"older than the {retention.keep_full_scans} newest complete scans"
        had = done.get(scan_id)
        # a trimmed scan is trimmed again as its issues close: it spares fewer URLs
        if drop is not None and had is not None and (had.rank > drop.rank or (
                had is drop and drop is not Pruned.TRIMMED)):
            continue  # pruned so far already
        if drop is None and had is not None:
            why += f" (its {had} was pruned before)"
        spared = evidence[scan_id].urls if drop is Pruned.TRIMMED else ()
        fate = ScanFate(scan_id, scan["as_of"], status, drop, why, spared)
        if drop is not None:
            fate.rows, fate.bytes = _size(db, scan_id, drop, spared)
            if drop is Pruned.TRIMMED and had is drop and not fate.rows:
                fate.drop, fate.why = None, f"{why} (so trimmed before)"
        fates.append(fate)
    return fates, newest


def _bulletin_scans(db: Store, retention: Retention) -> dict[int, str]:
    """The scans the newest bulletins report, kept whole, and why."""
    bulletins: dict[int, list[str]] = {}
    for bulletin in reports_store.bulletin_scans(db, retention.keep_bulletin_scans):
        bulletins.setdefault(bulletin["scan_id"], []).append(f"第{bulletin['number']}期")
    return {scan_id: f"reported by {_some('bulletin', sorted(numbers))}"
            for scan_id, numbers in bulletins.items()}


@dataclass
class _Evidence:
    """The active issues first or last seen in one scan, and the URLs they name."""

    issues: list[str]
    urls: tuple[str, ...]

    def reason(self) -> str:
        return f"active {_some('issue', self.issues)}"


def _evidence(db: Store) -> dict[int, _Evidence]:
    """The scans active issues were first and last seen in, with those issues and their
    URLs (the detail retention keeps of such a scan)."""
    issues: dict[int, list[str]] = {}
    urls: dict[int, set[str]] = {}
    for issue in reports_store.active_issue_scans(db):
        for scan_id in {issue["first_seen_scan"], issue["last_seen_scan"]} - {None}:
            issues.setdefault(scan_id, []).append(str(issue["id"]))
            urls.setdefault(scan_id, set()).update(
                url for url in (issue["subject_url"], issue["source_url"]) if url)
    return {scan_id: _Evidence(issues[scan_id], tuple(sorted(urls[scan_id])))
            for scan_id in issues}


def _some(kind: str, names: Iterable[str], shown: int = 5) -> str:
    """*kind* (plural for more than one) and the first *shown* of *names*, and how many
    more: ``issues 3, 7``."""
    names = list(names)
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names[:shown])}{more}"


def _size(db: Store, scan_id: int, drop: Pruned, spared: tuple[str, ...]) -> tuple[int, int]:
    """Rows and estimated bytes *drop* removes of *scan_id* (up to that level), sparing the
    detail of the URLs *spared*."""
    rows, size = crawl_store.detail_size(db, scan_id, spared)
    for level in Pruned:
        if level.rank > drop.rank:
            break
        for table in _DROPS[level]:
            count, estimate = scans.rows_and_bytes(db, table, scan_id)
            rows, size = rows + count, size + estimate
    return rows + (drop is Pruned.SCAN), size


def _drop(db: Store, fate: ScanFate) -> None:
    """Drop what *fate* says of its scan, and record it, in one transaction."""
    with db.atomic():
        scan = scans.scan_row(db, fate.scan_id)
        free = _pragma(db, "freelist_count")
        crawl_store.drop_scan_detail(db, [fate.scan_id], fate.spared)
        if fate.drop.rank >= Pruned.SUMMARY.rank:
            rules_store.drop_findings(db, [fate.scan_id])
            crawl_store.drop_scan_summary(db, [fate.scan_id])
        if fate.drop is Pruned.SCAN:
            crawl_store.drop_scan(db, fate.scan_id)
        fate.freed = (_pragma(db, "freelist_count") - free) * _pragma(db, "page_size")
        crawl_store.record_pruned(db, scan, fate.drop, fate.why, fate.rows, fate.freed)


def expired_evidence(db: Store, retention: Retention, today: date) -> list[int]:
    """The issues whose kept pages *retention* lets go at *today*: fixed or withdrawn more
    than ``keep_evidence_days`` days before it (a withdrawn issue's day: its last change)."""
    if retention.keep_evidence_days is None:
        return []
    before = (today - timedelta(days=retention.keep_evidence_days)).isoformat()
    return [row[0] for row in db.execute(
        "select distinct k.issue_id from kept_pages k join issues i on i.id = k.issue_id "
        "where i.state in (?, ?) and coalesce(i.fixed_on, substr(i.updated_at, 1, 10)) < ? "
        "order by k.issue_id", [IssueState.FIXED, IssueState.WITHDRAWN, before])]


def _drop_evidence(db: Store, issue_ids: list[int]) -> None:
    """Drop the kept pages of *issue_ids*, and what no other kept page shares."""
    if not issue_ids:
        return
    with db.atomic():
        db.conn.executemany("delete from kept_pages where issue_id = ?",
                            [(issue_id,) for issue_id in issue_ids])
        kept.drop_orphans(db)


def _return_space(db: Store, vacuum: str) -> None:
    """Hand the free pages back to the file system, and fold the WAL into the file."""
    if vacuum == "vacuum":
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect with the VACUUM
        db.execute("VACUUM")
    else:
        # It frees one page per step, and a cursor steps a statement without columns only
        # once: run it as a script, which steps it to its end.
        db.conn.executescript("PRAGMA incremental_vacuum;")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _pragma(db: Store, name: str) -> int:
    return int(db.execute(f"PRAGMA {name}").fetchone()[0])


def _size_of(db: Store) -> int:
    """Bytes of the database: its pages, free ones included, wherever they are written (the
    file, or the WAL not yet folded into it)."""
    return _pragma(db, "page_count") * _pragma(db, "page_size")
