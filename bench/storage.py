"""What a scan costs the database: bytes per page for a first scan, an unchanged re-scan, and
twelve weeks of a portal's life.

``python -m bench.storage --sites 4 --pages 400 --seed 1`` generates a farm (:mod:`bench.farm`)
into a temporary folder (``--keep DIR`` works there and keeps it), serves it on 127.0.0.1
(:mod:`bench.serve`) and scans it into one database with
:func:`govwatch.workflow.scan_evaluate_track` (crawl, rules, tracker), one scan after another:

1. the first scan;
2. a re-scan of the unchanged farm;
3. ``--weeks`` weekly re-scans (12), before each of which a tenth (``--share``) of every
   site's HTML pages is edited (:func:`bench.farm.change_pages`), each scan judged a week
   after the one before.

After each scan it measures the database (checkpointed, so the file is the whole of it): its
size, the bytes in use, and what the scan added, per page of the scan; and of the bytes in use,
the crawl's detail (what retention prunes: ``--keep-full N`` keeps it for the N newest scans),
what is kept by policy (each scan's summary for years; issues, audit trail and bulletins for
good), and the slack: space left unused inside pages by deleted rows, which only a full
``VACUUM`` gives back and which new rows fill only where their keys fall. It prints one row a
scan, then the bytes of each table and index (SQLite's ``dbstat``) after the first scan,
after the unchanged re-scan and after the last week, then the last line::

    first_scan_bytes_per_page=<…> rescan_bytes_per_page=<…> weeks=<n> total_mb=<…>

``--format json`` prints every figure as one JSON object instead. It measures and never
judges: exit status 0 when every scan completed, 1 otherwise. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.farm import change_pages, generate_farm
from bench.model import SCAN_DATE
from bench.serve import LOOPBACK_ONLY, SERVER_MODES, scan_sites, serve_farm

__all__ = ["Scan", "main", "measure", "measured", "render_text"]

# A loopback farm: no politeness delay, nothing checked beyond 127.0.0.1.
SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, **LOOPBACK_ONLY}


@dataclass
class Scan:
    """One scan of the series and what the database was after it."""

    label: str
    status: str
    pages: int  # pages the scan stored (scan_sites.pages)
    revalidated: int  # of those, unchanged since the scan that read them (304)
    file_bytes: int  # the database file, checkpointed
    used_bytes: int  # its pages in use (free pages aside)
    added_bytes: int = 0  # bytes in use the scan added
    changed_files: int = 0  # farm pages edited before it
    pruned: int = 0  # scans whose detail retention dropped after it (--keep-full)
    detail_bytes: int = 0  # of the pages in use, the crawl's detail (what retention prunes)
    slack_bytes: int = 0  # bytes left unused inside pages in use (deleted rows)
    tables: dict[str, int] = field(default_factory=dict)  # table or index → bytes

    @property
    def added_per_page(self) -> float:
        return self.added_bytes / self.pages if self.pages else 0.0


def measured(path: Path, *, tables: bool) -> dict[str, Any]:
    """The size of the database at *path*, its WAL checkpointed into it
    (:func:`govwatch.core.schema.database_size`, each index apart); without *tables*, only
    the totals (dbstat reads every page)."""
    from govwatch.core.schema import database_size

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return database_size(conn, tables=tables, indexes_apart=True)
    finally:
        conn.close()


def _detail(tables: dict[str, int]) -> int:
    """Of the bytes of *tables* (with their indexes apart), those of the crawl's detail:
    readings and their parts, the URLs and anchors they name, each scan's page rows and link
    checks, the page cache. The rest is kept by policy: each scan's summary for years, the
    issues, their audit trail and the bulletins for good."""
    from govwatch.core.compact import PARTS

    detail = {"readings", *PARTS, "urls", "anchors", "scan_pages", "scan_link_checks",
              "page_cache"}
    return sum(size for name, size in tables.items() if name.split(".")[0] in detail)


def _prune(db: Path, keep_full: int, week: int) -> int:
    """Apply a retention of the *keep_full* newest complete scans' detail (and the summary
    of every scan) to *db*, as the scheduler does after a scan; return the scans pruned."""
    from govwatch.core.retention import Retention
    from govwatch.prune import prune

    result = prune(db, Retention(keep_full_scans=keep_full, keep_bulletin_scans=0),
                   SCAN_DATE + timedelta(weeks=week))
    return len(result.due)


def _scan(sites: Sequence[Any], db: Path, week: int) -> tuple[str, int, int]:
    """Scan *sites* into *db*, judged *week* weeks after the farm's date: (status, pages,
    pages revalidated)."""
    from govwatch.workflow import scan_evaluate_track

    run = scan_evaluate_track(sites, db, as_of=SCAN_DATE + timedelta(weeks=week),
                              progress_interval=0, settings=SETTINGS)
    conn = sqlite3.connect(db)
    try:
        revalidated = conn.execute("select count(*) from pages where scan_id = ? and "
                                   "revalidated = 1", [run.outcome.scan_id]).fetchone()[0]
    finally:
        conn.close()
    return str(run.outcome.status), run.outcome.pages, revalidated


def measure(sites: int, pages: int, seed: int, *, weeks: int = 12, share: float = 0.1,
            server: str = "auto", keep: Path | None = None, keep_full: int | None = None,
            after_scan: Callable[[Path, Scan], None] | None = None) -> dict[str, Any]:
    """Run the series of scans and return the figures. With *keep_full*, retention prunes
    the database after each scan, keeping the detail of that many newest scans. *after_scan*
    is called with the database and each scan's figures once it is measured."""
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="govwatch-storage-"))
    try:
        farm = work / "farm"
        if farm.exists():  # a kept farm has been edited: start from the generator's again
            shutil.rmtree(farm)
        db = work / "scan.db"
        for stale in work.glob("scan.db*"):
            stale.unlink() if stale.is_file() else shutil.rmtree(stale)
        truth = generate_farm(farm, sites, pages, seed)
        scans: list[Scan] = []
        with serve_farm(truth, farm, work, server) as served:
            site_list = scan_sites(truth, served.urls, work / "sites.yaml")
            plan = [("first scan", 0), ("unchanged re-scan", 0)]
            plan += [(f"week {week}", week) for week in range(1, weeks + 1)]
            used_before = 0
            for label, week in plan:
                changed = len(change_pages(farm, week, share)) if week else 0
                time.sleep(1.5)  # what a server caches of a file is checked every second
                status, stored, revalidated = _scan(site_list, db, week)
                pruned = _prune(db, keep_full, week) if keep_full else 0
                size = measured(db, tables=True)
                scan = Scan(label, status, stored, revalidated, size["file"], size["used"],
                            size["used"] - used_before, changed, pruned,
                            _detail(size["tables"]), size["slack"],
                            size["tables"] if len(scans) < 2 or week == weeks else {})
                used_before = size["used"]
                scans.append(scan)
                if after_scan is not None:
                    after_scan(db, scan)
        return {"sites": sites, "pages_per_site": pages, "seed": seed, "share": share,
                "keep_full": keep_full,
                "server": served.description, "work": str(work) if keep else None,
                "scans": [{**asdict(s), "added_per_page": round(s.added_per_page, 1)}
                          for s in scans]}
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _kb(size: int) -> str:
    return f"{size / 1024:,.1f}"


def render_text(figures: dict[str, Any]) -> str:
    """The figures as the tables and last line the module's doc describes."""
    scans = figures["scans"]
    retention = (f"; retention keeps the detail of the {figures['keep_full']} newest scans"
                 if figures["keep_full"] else "; no retention")
    lines = [f"farm: {figures['sites']} sites × {figures['pages_per_site']} pages, seed "
             f"{figures['seed']}; each week {figures['share']:.0%} of a site's HTML pages "
             f"edited{retention}", f"server: {figures['server']}", "",
             f"{'scan':<18} {'status':<9} {'pages':>6} {'unchanged':>9} {'edited':>6} "
             f"{'pruned':>6} {'file KB':>10} {'in use KB':>10} {'added KB':>9} "
             f"{'added B/page':>12} {'detail KB':>10} {'kept KB':>8} {'slack KB':>9}"]
    for s in scans:
        lines.append(f"{s['label']:<18} {s['status']:<9} {s['pages']:>6} "
                     f"{s['revalidated']:>9} {s['changed_files']:>6} {s['pruned']:>6} "
                     f"{_kb(s['file_bytes']):>10} {_kb(s['used_bytes']):>10} "
                     f"{_kb(s['added_bytes']):>9} {s['added_per_page']:>12,.0f} "
                     f"{_kb(s['detail_bytes']):>10} "
                     f"{_kb(s['used_bytes'] - s['detail_bytes']):>8} "
                     f"{_kb(s['slack_bytes']):>9}")
    measured = [s for s in scans if s["tables"]]
    names = list(dict.fromkeys(name for s in measured for name in s["tables"]))
    width = max(map(len, ["table[.index]", *names]))
    lines += ["", "bytes per table and index (dbstat), KB", f"{'table[.index]':<{width}}"
              + "".join(f" {s['label']:>18}" for s in measured)]
    for name in names:
        lines.append(f"{name:<{width}}" + "".join(f" {_kb(s['tables'].get(name, 0)):>18}"
                                                  for s in measured))
    first = scans[0]
    rescan = scans[1] if len(scans) > 1 else first
    lines += ["", f"first_scan_bytes_per_page={first['used_bytes'] / max(first['pages'], 1):.0f} "
              f"rescan_bytes_per_page={rescan['added_per_page']:.0f} "
              f"weeks={len(scans) - 2} total_mb={scans[-1]['used_bytes'] / 1e6:.1f}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storage",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--pages", type=int, default=400, help="files per site, about")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weeks", type=int, default=12, help="weekly re-scans (default 12)")
    parser.add_argument("--share", type=float, default=0.1,
                        help="share of each site's HTML pages edited a week (default 0.1)")
    parser.add_argument("--keep-full", type=int, metavar="N",
                        help="prune after each scan, keeping the detail of the N newest")
    parser.add_argument("--server", choices=SERVER_MODES, default="auto")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    if args.sites < 1 or args.pages < 1 or args.weeks < 0 or not 0 <= args.share <= 1 or (
            args.keep_full is not None and args.keep_full < 1):
        parser.error("--sites, --pages and --keep-full must be positive, --weeks at least 0, "
                     "--share between 0 and 1")
    figures = measure(args.sites, args.pages, args.seed, weeks=args.weeks, share=args.share,
                      server=args.server, keep=args.keep, keep_full=args.keep_full)
    print(json.dumps(figures, ensure_ascii=False, indent=1) if args.format == "json"
          else render_text(figures))
    return 0 if all(s["status"] == "complete" for s in figures["scans"]) else 1


if __name__ == "__main__":
    sys.exit(main())
