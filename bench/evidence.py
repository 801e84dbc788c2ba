"""What evidence (存证) costs: the spool a scan writes, the kept pages and their disk, and the
time of screenshots.

``python -m bench.evidence --sites 2 --pages 200 --seed 1`` generates a farm
(:mod:`bench.farm`) into a temporary folder, serves it on 127.0.0.1 (:mod:`bench.serve`),
crawls it with evidence on, evaluates and tracks the scan, then measures:

1. the spool the crawl wrote beside the database (bytes, bodies, pages), before it is used;
2. keeping the evidence of the scan's new issues from it, screenshots off: the time, the
   kept pages and distinct bodies, and the bytes of the kept tables in the database
   (SQLite's ``dbstat``), per 1 000 kept pages and per 1 000 distinct bodies;
3. ``--shots`` (100) screenshots of those kept pages (cycled when there are fewer), in one
   headless Chromium, ``--renderers`` (4) pages at a time: the seconds in all, per
   screenshot, and the bytes of a screenshot.

It prints one line a figure, then the last line::

    seconds_per_shot=<…> seconds_for_100=<…> kept_kb_per_1000_pages=<…> shot_kb=<…>

``--format json`` prints every figure as one JSON object instead. It measures and never
judges. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.farm import generate_farm
from bench.model import SCAN_DATE
from bench.serve import LOOPBACK_ONLY, SERVER_MODES, scan_sites, serve_farm

SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, **LOOPBACK_ONLY,
            "GOVWATCH_EVIDENCE": True}
KEPT_TABLES = ("kept_bodies", "kept_pages", "kept_shots")


def _table_bytes(db: Path) -> dict[str, int]:
    """Bytes in use of each kept table and its indexes (dbstat), the WAL folded in."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = conn.execute("select name, sum(pgsize - unused) from dbstat group by name")
        names = {name: size for name, size in rows}
        indexes = dict(conn.execute("select name, tbl_name from sqlite_master "
                                    "where type = 'index'"))
    finally:
        conn.close()
    found = dict.fromkeys(KEPT_TABLES, 0)
    for name, size in names.items():
        table = indexes.get(name, name)
        if table in found:
            found[table] += size
    return found


def _spool_figures(spool: Path) -> dict[str, int]:
    conn = sqlite3.connect(spool)
    try:
        bodies = conn.execute("select count(*) from bodies").fetchone()[0]
        pages = conn.execute("select count(*) from pages").fetchone()[0]
    finally:
        conn.close()
    return {"spool_bytes": spool.stat().st_size, "spool_bodies": bodies, "spool_pages": pages}


def _screenshots(db: Path, count: int, renderers: int) -> dict[str, Any]:
    """Time *count* screenshots of the kept pages, as the scan makes them."""
    from govwatch.core import kept
    from govwatch.evidence.mask import decode, mask_text
    from govwatch.evidence.shots import Job, render

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("select url, encoding, body_hash, locate from kept_pages "
                            "where body_hash is not null order by issue_id").fetchall()
        jobs = []
        for n in range(count if rows else 0):
            url, encoding, digest, locate = rows[n % len(rows)]
            html = mask_text(decode(kept.body(conn, digest) or b"", encoding))
            jobs.append(Job(n, url, html, json.loads(locate or "{}")))
    finally:
        conn.close()
    started = time.perf_counter()
    shots = render(jobs, pages=renderers)
    seconds = time.perf_counter() - started
    made = [shot for shot in shots.values() if shot.image]
    return {
        "shots": len(made), "shots_missing": len(shots) - len(made),
        "outlined": sum(shot.outlined for shot in made),
        "shot_seconds": round(seconds, 2),
        "seconds_per_shot": round(seconds / len(made), 3) if made else None,
        "shot_kb": round(sum(len(s.image) for s in made) / len(made) / 1024, 1) if made else None,
    }


def measure(sites: int, pages: int, seed: int, shots: int, renderers: int,
            server: str = "auto") -> dict[str, Any]:
    """Crawl a farm with evidence on, keep its evidence, time its screenshots; the figures."""
    from govwatch.core import kept
    from govwatch.crawler.runner import run_scan
    from govwatch.evidence.keep import keep_scan
    from govwatch.workflow import evaluate_and_track

    work = Path(tempfile.mkdtemp(prefix="govwatch-evidence-"))
    try:
        truth = generate_farm(work / "farm", sites, pages, seed)
        db = work / "scan.db"
        with serve_farm(truth, work / "farm", work, server) as served:
            site_list = scan_sites(truth, served.urls, work / "sites.yaml")
            started = time.perf_counter()
            outcome = run_scan(site_list, db, as_of=SCAN_DATE, progress_interval=0,
                               settings=SETTINGS)
            crawl_seconds = time.perf_counter() - started
        evaluate_and_track(db, outcome.scan_id)
        figures: dict[str, Any] = {"sites": sites, "pages_per_site": pages, "seed": seed,
                                   "status": outcome.status,
                                   "crawl_seconds": round(crawl_seconds, 1)}
        figures |= _spool_figures(kept.spool_path(db, outcome.scan_id))
        started = time.perf_counter()
        result = keep_scan(db, outcome.scan_id, screenshots=False)
        figures["keep_seconds"] = round(time.perf_counter() - started, 2)
        figures |= {"issues": result.issues, "kept_pages": result.pages,
                    "kept_bodies": result.bodies}
        sizes = _table_bytes(db)
        kept_bytes = sizes["kept_bodies"] + sizes["kept_pages"]
        figures |= {"kept_bytes": kept_bytes, "tables": sizes,
                    "kept_kb_per_1000_pages": round(kept_bytes / result.pages * 1000 / 1024)
                    if result.pages else None,
                    "kept_kb_per_1000_bodies": round(
                        sizes["kept_bodies"] / result.bodies * 1000 / 1024)
                    if result.bodies else None}
        figures |= _screenshots(db, shots, renderers)
        figures["renderers"] = renderers
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_text(figures: dict[str, Any]) -> str:
    """The figures as lines, the summary line last."""
    lines = [f"{key}={value}" for key, value in figures.items() if key != "tables"]
    lines += [f"table {name}={size}" for name, size in figures["tables"].items()]
    lines.append(f"seconds_per_shot={figures['seconds_per_shot']} "
                 f"seconds_for_{figures['shots'] + figures['shots_missing']}="
                 f"{figures['shot_seconds']} "
                 f"kept_kb_per_1000_pages={figures['kept_kb_per_1000_pages']} "
                 f"shot_kb={figures['shot_kb']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and print; exit status 0 when the crawl completed."""
    parser = argparse.ArgumentParser(prog="python -m bench.evidence",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=2)
    parser.add_argument("--pages", type=int, default=200, help="files per site, about")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shots", type=int, default=100, help="screenshots timed (100)")
    parser.add_argument("--renderers", type=int, default=4,
                        help="pages rendered at once in the one browser (4)")
    parser.add_argument("--server", choices=SERVER_MODES, default="auto")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    figures = measure(args.sites, args.pages, args.seed, args.shots, args.renderers,
                      args.server)
    print(json.dumps(figures, indent=2) if args.format == "json" else render_text(figures))
    return 0 if figures["status"] == "complete" else 1


if __name__ == "__main__":
    sys.exit(main())
