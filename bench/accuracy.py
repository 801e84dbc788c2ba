"""Measure how well a scan finds the farm's columns: recall, newest dates, classes, counts.

``python -m bench.accuracy --sites 4 --pages 300 --seed 7`` generates a farm (see
:mod:`bench.farm`) into a temporary folder, serves every site with
:class:`govwatch.demo.server.PortalServer` on 127.0.0.1 (:mod:`bench.serve`), scans them
all with :func:`crawler.runner.run_scan` at the farm's scan date, and compares the ``columns``
table with the farm's truth. It prints, per site and overall: the columns in the truth, those
found (matched by path; ``/x/`` and ``/x/index.html`` are the same list), those found with the
right newest-item date, the right class, the right item count, the right role, and the extra
columns the scan reported that the truth does not have; then one line (the last four ratios
are of the columns found)::

    columns_recall=<found/truth> date_accuracy=<…> class_accuracy=<…> items_accuracy=<…>
    role_accuracy=<…>  (on the same line)

and one line per role (list, text, hub, form) of the truth: how many columns of that role the
truth has, how many the scan found, and how many of those it gave that role, with their
ratio (``role hub: truth 9 found 9 right 9 accuracy=1.000``). ``--rules`` then evaluates the
scan and prints precision and recall per rule id against the truth (:mod:`bench.rule_accuracy`).

and one line on the farm's soft 404s (targets that answer 200 yet are gone, judged from
``link_checks``; :func:`soft_404_tally`)::

    soft404_recall=<…> soft404_precision=<…> lookalikes_flagged=<n> error_pages_read=<n> (…)

It measures and never judges: an imperfect crawler gives lower figures, not a failure.
``--details`` lists every miss and mismatch; ``--keep DIR`` keeps the farm and the database.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.farm import generate_farm
from bench.model import SCAN_DATE
from bench.serve import LOOPBACK_ONLY, scan_sites, serve_farm

__all__ = ["SoftTally", "Tally", "compare", "list_key", "main", "measure", "soft_404_tally"]

INDEX_NAMES = ("index.html", "index.shtml", "index.htm")
# Loopback farm: no politeness delay, and nothing checked beyond 127.0.0.1.
SCAN_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, **LOOPBACK_ONLY}
COLUMNS_SQL = (
    "select site_id, url, name, class, newest_date, item_count, pages_walked, empty_note, role "
    "from columns where scan_id = ?"
)
ROLES = ("list", "text", "hub", "form")


def list_key(url_or_path: str) -> str:
    """The path that identifies a list: the folder for an index page, the path otherwise."""
    path = urlsplit(url_or_path).path or "/"
    head, _, name = path.rpartition("/")
    return head + "/" if name in INDEX_NAMES else path


@dataclass
class Tally:
    """Counts for one site or for the whole farm."""

    truth: int = 0
    found: int = 0
    date_ok: int = 0
    class_ok: int = 0
    items_ok: int = 0
    role_ok: int = 0
    extra: int = 0
    # role -> [columns of that role in the truth, found, found with that role]
    roles: dict[str, list[int]] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        self.truth += other.truth
        self.found += other.found
        self.date_ok += other.date_ok
        self.class_ok += other.class_ok
        self.items_ok += other.items_ok
        self.role_ok += other.role_ok
        self.extra += other.extra
        for role, counts in other.roles.items():
            mine = self.roles.setdefault(role, [0, 0, 0])
            for n, count in enumerate(counts):
                mine[n] += count


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "n/a"


def compare(site_truth: dict[str, Any], rows: Iterable[dict[str, Any]]) -> Tally:
    """Compare one site's truth columns with the scan's column rows of that site."""
    tally = Tally()
    scanned: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = list_key(row["url"])
        if key in scanned:  # the same list reported twice (e.g. as /x/ and /x/index.html)
            tally.extra += 1
            tally.details.append(f"  extra    {row['name']} {row['url']} (duplicate of {key})")
            continue
        scanned[key] = row
    truth_keys = set()
    for col in site_truth["columns"]:
        key = list_key(col["path"])
        truth_keys.add(key)
        tally.truth += 1
        row = scanned.get(key)
        role = col.get("role", "list")
        per_role = tally.roles.setdefault(role, [0, 0, 0])
        per_role[0] += 1
        if row is None:
            tally.details.append(f"  missed   {col['name']} {col['path']} ({col['kind']}, "
                                 f"via {col['via']}, {col['items']} items)")
            continue
        tally.found += 1
        per_role[1] += 1
        newest = (row["newest_date"] or "")[:10] or None
        checks = (
            ("date", newest == col["newest_date"], newest, col["newest_date"]),
            ("class", row["class"] == col["class"], row["class"], col["class"]),
            ("items", (row["item_count"] or 0) == col["items"], row["item_count"], col["items"]),
            ("role", row.get("role") == role, row.get("role"), role),
        )
        tally.date_ok += checks[0][1]
        tally.class_ok += checks[1][1]
        tally.items_ok += checks[2][1]
        tally.role_ok += checks[3][1]
        per_role[2] += checks[3][1]
        wrong = [f"{name} {got!r} (truth {want!r})" for name, ok, got, want in checks if not ok]
        if wrong:
            tally.details.append(f"  wrong    {col['name']} {col['path']}: " + ", ".join(wrong))
    for key, row in sorted(scanned.items()):
        if key not in truth_keys:
            tally.extra += 1
            tally.details.append(f"  extra    {row['name']} {key} (class {row['class']}, "
                                 f"{row['item_count']} items)")
    return tally


@dataclass
class SoftTally:
    """How a scan judged the farm's soft 404s and their look-alikes."""

    truth: Counter[str] = field(default_factory=Counter)  # soft 404s, by kind
    found: Counter[str] = field(default_factory=Counter)  # … judged broken, soft-404
    flagged: int = 0  # targets the scan judged soft-404
    right: int = 0  # … that are soft 404s of the truth
    lookalikes: int = 0
    lookalikes_flagged: int = 0  # look-alike articles judged soft-404 (should be 0)
    read: int = 0  # error pages whose text was stored, as if content (should be 0)

    def line(self) -> str:
        """The summary line: recall, precision, then the counts by kind."""
        kinds = ", ".join(f"{kind} {self.found[kind]}/{n}"
                          for kind, n in sorted(self.truth.items()))
        return (f"soft404_recall={_ratio(sum(self.found.values()), sum(self.truth.values()))} "
                f"soft404_precision={_ratio(self.right, self.flagged)} "
                f"lookalikes_flagged={self.lookalikes_flagged}/{self.lookalikes} "
                f"error_pages_read={self.read} ({kinds})")


def soft_404_tally(truth: dict[str, Any], conn: sqlite3.Connection, scan_id: int) -> SoftTally:
    """Compare the scan's ``link_checks`` (reason ``soft-404``) with the farm's soft 404s and
    look-alikes, and count error pages whose text the scan stored."""
    bases = {site_id: url.rstrip("/") for site_id, url in conn.execute("select id, url from sites")}
    flagged = {target for (target,) in conn.execute(
        "select target_url from link_checks where scan_id = ? and error = 'soft-404'", [scan_id])}
    texts = {url for (url,) in conn.execute("select url from page_texts where scan_id = ?",
                                            [scan_id])}
    tally = SoftTally(flagged=len(flagged))
    wanted = set()
    for site in truth["sites"]:
        base = bases[site["id"]]
        for error in site["soft_404s"]:
            target = base + error["target"]
            wanted.add(target)
            tally.truth[error["kind"]] += 1
            tally.found[error["kind"]] += target in flagged
            tally.read += error["kind"] == "phrase" and target in texts
        lookalikes = [base + path for path in site["soft_404_lookalikes"]]
        tally.lookalikes += len(lookalikes)
        tally.lookalikes_flagged += sum(url in flagged for url in lookalikes)
    tally.right = len(flagged & wanted)
    return tally


def _scan(truth: dict[str, Any], farm: Path, work: Path) -> tuple[int | None, str, list[dict]]:
    """Serve the farm, scan it; (scan id, summary line, column rows)."""
    # Imported here so that the farm generator never depends on the crawler.
    from govwatch.crawler.runner import run_scan

    db_path = work / "scan.db"
    with serve_farm(truth, farm, work, "python") as served:
        sites = scan_sites(truth, served.urls, work / "sites.yaml")
        started = time.monotonic()
        outcome = run_scan(sites, db_path, as_of=SCAN_DATE, progress_interval=0,
                           settings=dict(SCAN_SETTINGS))
        seconds = time.monotonic() - started
    status = getattr(outcome.status, "value", outcome.status)
    summary = (f"scan {outcome.scan_id} {status}: {outcome.pages} pages in {seconds:.1f} s "
               f"({outcome.pages / seconds if seconds else 0:.1f} pages/s)")
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute(COLUMNS_SQL, [outcome.scan_id])]
    finally:
        conn.close()
    return outcome.scan_id, summary, rows


def measure(sites: int, pages: int, seed: int, *, keep: Path | None = None,
            details: bool = False, rules: bool = False, out: Any = sys.stdout) -> Tally:
    """Generate, serve, scan and compare; print the report to ``out`` (with *rules*, the
    precision and recall of each rule too); return the totals."""
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="govwatch-accuracy-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        farm = work / "farm"
        truth = generate_farm(farm, sites, pages, seed)
        scan_id, summary, rows = _scan(truth, farm, work)
        print(summary, file=out)
        by_site: dict[str, list[dict]] = {}
        for row in rows:
            by_site.setdefault(row["site_id"], []).append(row)
        total = Tally()
        print(f"{'site':<12} {'cms':<7} {'truth':>5} {'found':>5} {'date':>5} {'class':>5} "
              f"{'items':>5} {'extra':>5}", file=out)
        for site in truth["sites"]:
            tally = compare(site, by_site.get(site["id"], []))
            total.add(tally)
            print(f"{site['id']:<12} {site['cms']:<7} {tally.truth:>5} {tally.found:>5} "
                  f"{tally.date_ok:>5} {tally.class_ok:>5} {tally.items_ok:>5} {tally.extra:>5}",
                  file=out)
            if details:
                for line in tally.details:
                    print(line, file=out)
        print(f"{'total':<20} {total.truth:>5} {total.found:>5} {total.date_ok:>5} "
              f"{total.class_ok:>5} {total.items_ok:>5} {total.extra:>5}", file=out)
        print(f"columns_recall={_ratio(total.found, total.truth)} "
              f"date_accuracy={_ratio(total.date_ok, total.found)} "
              f"class_accuracy={_ratio(total.class_ok, total.found)} "
              f"items_accuracy={_ratio(total.items_ok, total.found)} "
              f"role_accuracy={_ratio(total.role_ok, total.found)}", file=out)
        for role in ROLES:
            want, found, right = total.roles.get(role, [0, 0, 0])
            print(f"role {role}: truth {want} found {found} right {right} "
                  f"accuracy={_ratio(right, want)}", file=out)
        with closing(sqlite3.connect(work / "scan.db")) as conn:
            print(soft_404_tally(truth, conn, scan_id).line(), file=out)
        if rules:
            from bench.rule_accuracy import measure_rules
            measure_rules(work, out)
        return total
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--details", action="store_true", help="list every miss and mismatch")
    parser.add_argument("--keep", type=Path, help="keep the farm and scan database in this folder")
    parser.add_argument("--rules", action="store_true",
                        help="evaluate the scan: precision and recall per rule id")
    args = parser.parse_args(argv)
    if args.sites < 1 or args.pages < 1:
        parser.error("--sites and --pages must be positive")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: folder is not empty")
    measure(args.sites, args.pages, args.seed, keep=args.keep, details=args.details,
            rules=args.rules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
