"""Per-rule precision and recall of the gov-2019 pack on a scanned synthetic farm.

    python -m bench.accuracy --sites 8 --pages 300 --seed 7 --rules
    python -m bench.rule_accuracy DIR        # a farm kept with --keep DIR

Evaluates the scan in ``DIR/scan.db`` and compares each rule's findings (site, subject path)
with what ``DIR/farm/truth.json`` (written by the farm generator) says the rule should find
on 2026-11-24 (:mod:`bench.oracle`). Rules whose truth the farm does not describe (home-page
items, ID numbers, availability) are left out; ``link.broken`` counts against the farm's
broken links and soft 404s, and finds nothing while no link checker has filled ``link_checks``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from bench.oracle import Column, expected_findings, path_of

__all__ = ["RULES", "RuleTally", "main", "measure_rules", "truth_of"]

RULES = ("column.stale", "column.stale_veto", "column.neglected_veto", "column.empty",
         "column.empty_veto", "annual_report.missing", "annual_report.late", "footer.icp",
         "footer.psb", "footer.site_code", "footer.conac", "footer.jiucuo", "footer.format",
         "footer.mismatch", "link.broken")


@dataclass
class RuleTally:
    """What one rule should have found, what it found, and how much of it was right."""

    rule: str
    truth: int = 0
    found: int = 0
    right: int = 0

    @property
    def precision(self) -> float | None:
        """Right findings over findings (None when it found nothing)."""
        return self.right / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        """Right findings over the truth (None when there was nothing to find)."""
        return self.right / self.truth if self.truth else None


def truth_of(site: dict[str, Any]) -> dict[str, set[str]]:
    """Rule id -> subject paths, for one site of the farm's truth."""
    columns = [
        Column(c["path"], c["class"] if c["role"] == "list" else "-", c["items"],
               date.fromisoformat(c["newest_date"]) if c["newest_date"] else None,
               blank=c["role"] == "list" and not c["items"] and not c["note_explains"])
        for c in site["columns"]
    ]
    reports = [(r["year"], date.fromisoformat(r["date"]), r["url"])
               for r in site["annual_reports"]]
    footer = site["footer"]
    valid = {kind: fact["valid"] for kind, fact in footer.items()}
    out = expected_findings(columns, reports, valid,
                            footer_remarks=any(f.get("remark") for f in footer.values()),
                            footer_mismatch=bool(site.get("footer_mismatch")))
    out["link.broken"] = {path_of(b["target"])
                          for b in [*site["broken_links"], *site["soft_404s"]]}
    return out


def measure_rules(folder: Path, out: TextIO = sys.stdout) -> list[RuleTally]:
    """Evaluate ``folder/scan.db``, compare with ``folder/farm/truth.json``, print each miss
    and extra and a line per rule; return the tallies."""
    # Imported here so that the farm generator never depends on the rules.
    from govwatch.core.schema import open_db
    from govwatch.rules import store
    from govwatch.rules.engine import evaluate_scan

    truth = json.loads((folder / "farm" / "truth.json").read_text(encoding="utf-8"))
    db_path = folder / "scan.db"
    scan_id = evaluate_scan(db_path)["scan"]
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    db = open_db(db_path)
    try:
        for row in store.findings_of(db, scan_id):
            found[(row["site"], row["rule"])].add(path_of(row["url"]))
    finally:
        db.close()
    expected = {site["id"]: truth_of(site) for site in truth["sites"]}
    tallies = []
    print(f"{'rule':24} {'truth':>5} {'found':>5} {'right':>5} {'precision':>9} {'recall':>6}",
          file=out)
    for rule in RULES:
        tally = RuleTally(rule)
        for site in truth["sites"]:
            want, seen = expected[site["id"]][rule], found[(site["id"], rule)]
            tally.truth += len(want)
            tally.found += len(seen)
            tally.right += len(want & seen)
            for miss in sorted(want - seen):
                print(f"  missed {site['id']} {rule} {miss}", file=out)
            for extra in sorted(seen - want):
                print(f"  extra  {site['id']} {rule} {extra}", file=out)
        precision = f"{tally.precision:.3f}" if tally.precision is not None else "-"
        recall = f"{tally.recall:.3f}" if tally.recall is not None else "-"
        print(f"{rule:24} {tally.truth:>5} {tally.found:>5} {tally.right:>5} {precision:>9} "
              f"{recall:>6}", file=out)
        tallies.append(tally)
    return tallies


def main(argv: list[str] | None = None) -> int:
    """Command line: the folder a farm and its scan were kept in."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m bench.rule_accuracy DIR", file=sys.stderr)
        return 2
    measure_rules(Path(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
