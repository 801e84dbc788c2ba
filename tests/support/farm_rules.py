"""Per-rule precision and recall of the gov-2019 pack on a scanned synthetic farm (a script).

    python -m bench.accuracy --sites 8 --pages 300 --seed 7 --keep /tmp/farm
    cd tests && python -m support.farm_rules /tmp/farm

Evaluates the scan in ``DIR/scan.db`` and compares each rule's findings (site, subject path)
with what ``DIR/farm/truth.json`` (written by the farm generator) says the rule should find
on 2026-11-24. Rules whose truth the farm does not describe (home-page items, ID numbers)
are left out; ``link.broken`` counts against the farm's broken links and soft 404s, and
finds nothing while no link checker has filled ``link_checks``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

from govwatch.core.schema import open_db
from govwatch.rules import store
from govwatch.rules.engine import evaluate_scan
from support.oracle import Column, expected_findings, path_of


def truth_of(site: dict) -> dict[str, set[str]]:
    """Rule id -> subject paths, for one site of the farm's truth."""
    columns = [
        Column(c["path"], c["class"] if c["kind"] == "list" else "-", c["items"],
               date.fromisoformat(c["newest_date"]) if c["newest_date"] else None,
               blank=c["kind"] == "blank")
        for c in site["columns"]
    ]
    reports = [(r["year"], date.fromisoformat(r["date"]), r["url"])
               for r in site["annual_reports"]]
    out = expected_findings(columns, reports,
                            {kind: fact["valid"] for kind, fact in site["footer"].items()})
    out["link.broken"] = {path_of(b["target"])
                          for b in [*site["broken_links"], *site["soft_404s"]]}
    return out


def main(folder: Path) -> None:
    truth = json.loads((folder / "farm" / "truth.json").read_text(encoding="utf-8"))
    db_path = folder / "scan.db"
    scan_id = evaluate_scan(db_path)["scan"]
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in store.findings_of(open_db(db_path), scan_id):
        found[(row["site"], row["rule"])].add(path_of(row["url"]))
    rules = ["column.stale", "column.stale_veto", "column.empty", "column.empty_veto",
             "annual_report.missing", "annual_report.late", "footer.icp", "footer.psb",
             "footer.site_code", "footer.conac", "footer.jiucuo", "link.broken"]
    print(f"{'rule':24} {'truth':>5} {'found':>5} {'right':>5} {'precision':>9} {'recall':>6}")
    for rule in rules:
        want = got = right = 0
        for site in truth["sites"]:
            expected = truth_of(site)[rule]
            seen = found[(site["id"], rule)]
            want, got, right = want + len(expected), got + len(seen), right + len(expected & seen)
            for miss in sorted(expected - seen):
                print(f"  missed {site['id']} {rule} {miss}")
            for extra in sorted(seen - expected):
                print(f"  extra  {site['id']} {rule} {extra}")
        precision = f"{right / got:.2f}" if got else "-"
        recall = f"{right / want:.2f}" if want else "-"
        print(f"{rule:24} {want:>5} {got:>5} {right:>5} {precision:>9} {recall:>6}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/farm"))
